"""Atomic file writes: a reader never sees a half-written file."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["atomic_write_parquet", "atomic_write_json", "atomic_write_bytes", "file_lock", "remove_stale_temporaries"]


def _umask() -> int:
    """The process's umask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _atomic(path: Path, write: Any) -> None:
    """Write through ``write(tmp)`` to a temporary file beside ``path``, then rename it over ``path``.

    On any failure (a full disk, an interruption) the temporary file is removed and
    ``path`` is as it was; an ``OSError`` names ``path``. A ``kill -9`` may leave a
    ``.NAME.*.tmp`` file, which :func:`remove_stale_temporaries` clears.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes files 0600; give them what open() would
        os.replace(tmp, path)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.errno is not None:  # name the file the caller asked for
            raise OSError(exc.errno, f"could not write {path}: {exc.strerror}; it was left as it was",
                          str(path)) from exc
        raise


def remove_stale_temporaries(folder: Path) -> None:
    """Remove the temporary files of writers that were killed (call it holding the folder's lock)."""
    for tmp in Path(folder).glob(".*.tmp"):
        try:
            tmp.unlink()
        except OSError:
            pass


def atomic_write_parquet(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write ``frame`` to ``path`` as Parquet (zstd), replacing the file in one step."""
    _atomic(Path(path), lambda tmp: frame.to_parquet(tmp, index=False, compression="zstd"))


def atomic_write_json(data: Any, path: str | os.PathLike[str]) -> None:
    """Write ``data`` to ``path`` as indented JSON, replacing the file in one step."""
    def write(tmp: str) -> None:
        with open(tmp, "w") as fh:
            json.dump(data, fh, indent=2, sort_keys=True, default=str)
            fh.write("\n")

    _atomic(Path(path), write)


def atomic_write_bytes(data: bytes, path: str | os.PathLike[str]) -> None:
    """Write ``data`` to ``path``, replacing the file in one step."""
    def write(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            fh.write(data)

    _atomic(Path(path), write)


class file_lock:  # noqa: N801 - used as a context manager, named like one
    """An exclusive advisory lock on ``path`` (created if needed), held for a ``with`` block.

    Serialises read-modify-write of shared files between processes on one machine
    (POSIX ``flock``; on other platforms it is a no-op).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._fh: Any = None

    def __enter__(self) -> file_lock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path, "a+")
        try:
            import fcntl

            fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - Windows
            pass
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            import fcntl

            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
        except ImportError:  # pragma: no cover
            pass
        self._fh.close()
