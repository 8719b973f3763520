"""Fitted meta-learners on disk: the one shipped with the package, and the user's cache.

Three places, tried in this order by :func:`~autometa.metalearn.fitted_learner`:

1. this process's memory;
2. the **shipped** learner, ``metadata/learner-default.joblib``, fitted on the
   shipped base when the package was built. A JSON sidecar names the code and the
   base it belongs to (content hashes, :func:`code_fingerprint` and
   :func:`base_fingerprint`); it is used only when both match what is installed, so
   the default learner is ready at install, with no fit on the user's machine;
3. the **cache** (:func:`learner_dir`: ``<cache root>/metalearn``, see
   :func:`autometa._paths.cache_root`), shared by ``recommend``, ``fit`` and
   ``warm_start``. Entries are written atomically and signed
   (:mod:`autometa._signing`): a file autometa did not write is never unpickled. The folder is pruned to
   ``$AUTOMETA_CACHE_MAX_MB`` megabytes (default 200), least recently used first.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path
from typing import Any

from autometa._paths import cache_root
from autometa._signing import sign, verify

__all__ = ["SHIPPED_LEARNER", "base_fingerprint", "code_fingerprint", "learner_dir", "prune", "read",
           "read_shipped", "write", "write_shipped"]

#: the shipped default learner's file in the knowledge base folder (a JSON sidecar beside it)
SHIPPED_LEARNER = "learner-default.joblib"

#: default cap of the cache folder, in megabytes
DEFAULT_MAX_MB = 200.0

#: modules whose code decides a fitted learner's state: the learners, their data and
#: encodings, and the knowledge base they read. A change to any of them makes the
#: shipped learner and every cache entry stale.
FINGERPRINTED = {
    "metalearn": ["_base", "_data", "_encoding", "_neighbours", "_selection", "average_rank", "neighbors", "ranker"],
    "knowledge": ["_kb", "_schema"],
    "metafeatures": ["vector"],  # the scaled meta-feature vector the learners read
    "": ["metrics"],  # the metric vocabulary and the per-dataset score normalisation
}

_HASHES: dict[tuple[str, int, int], str] = {}


def learner_dir() -> Path:
    """Folder of cached learners: ``cache_root() / "metalearn"``."""
    return cache_root() / "metalearn"


def _file_hash(path: Path) -> str:
    """sha256 of a file's bytes, memoised on (path, size, mtime)."""
    st = path.stat()
    memo = (str(path), st.st_size, st.st_mtime_ns)
    if memo not in _HASHES:
        _HASHES[memo] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _HASHES[memo]


def code_fingerprint(extra_packages: tuple[str, ...] = ()) -> str:
    """A hash of the source of the modules in :data:`FINGERPRINTED` (and of ``extra_packages`` whole).

    Content, not modification times: an installed copy of the same code has the
    same fingerprint as the checkout it came from.
    """
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    files = [root / pkg / f"{mod}.py" for pkg, mods in FINGERPRINTED.items() for mod in mods]
    for pkg in extra_packages:
        files += sorted((root / pkg).glob("*.py"))
    for file in files:
        h.update(f"{file.parent.name}/{file.name}:{_file_hash(file)}\n".encode())
    return h.hexdigest()[:16]


def base_fingerprint(path: str | os.PathLike[str]) -> str:
    """A hash of a knowledge base folder's tables and manifest (their bytes)."""
    path = Path(path)
    h = hashlib.sha256()
    for entry in sorted(path.iterdir()):
        if entry.is_file() and entry.suffix in (".parquet", ".json") and not entry.name.startswith("learner-"):
            h.update(f"{entry.name}:{_file_hash(entry)}\n".encode())
    return h.hexdigest()[:16]


# -- the user's cache --------------------------------------------------------------------
def read(key: str) -> Any | None:
    """The object cached under ``key``, or None (missing, unsigned, tampered with, unreadable)."""
    import joblib

    file = learner_dir() / f"{key}.joblib"
    sig = file.with_suffix(".sig")
    try:
        data = file.read_bytes()
        signature = sig.read_text().strip()
    except OSError:
        return None
    if not verify(data, signature):
        return None  # not written by this user's autometa: never unpickled
    try:
        obj = joblib.load(io.BytesIO(data))
    except Exception:  # a stale entry (a library changed its pickles) is refitted, not fatal
        return None
    try:
        os.utime(file)  # least recently used is pruned first
    except OSError:
        pass
    return obj


def write(key: str, obj: Any) -> Path | None:
    """Cache ``obj`` under ``key`` (atomic, signed), then prune; None when the folder is not writable."""
    import joblib

    from autometa._io import atomic_write_bytes

    buffer = io.BytesIO()
    joblib.dump(obj, buffer, compress=3)
    data = buffer.getvalue()
    file = learner_dir() / f"{key}.joblib"
    try:
        atomic_write_bytes(data, file)
        atomic_write_bytes(sign(data).encode(), file.with_suffix(".sig"))
        prune(keep=file)
    except OSError:  # a read-only cache must not stop a recommendation
        return None
    return file


def max_bytes() -> float:
    """The cache's size cap: ``$AUTOMETA_CACHE_MAX_MB`` megabytes (default 200)."""
    try:
        mb = float(os.environ.get("AUTOMETA_CACHE_MAX_MB", DEFAULT_MAX_MB))
    except ValueError:
        mb = DEFAULT_MAX_MB
    return max(mb, 0.0) * 1e6


def prune(limit: float | None = None, keep: Path | None = None) -> list[Path]:
    """Delete the least recently used entries until the cache holds at most ``limit`` bytes.

    Returns the deleted files. ``keep`` (the entry just written) is never deleted.
    """
    limit = max_bytes() if limit is None else limit
    folder = learner_dir()
    if not folder.is_dir():
        return []
    entries = []
    for file in folder.glob("*.joblib"):
        try:
            st = file.stat()
        except OSError:
            continue
        entries.append((st.st_mtime_ns, st.st_size, file))
    total = sum(size for _, size, _ in entries)
    removed = []
    for _, size, file in sorted(entries, key=lambda e: e[0]):
        if total <= limit:
            break
        if keep is not None and file == keep:
            continue
        for f in (file, file.with_suffix(".sig")):
            try:
                f.unlink()
            except OSError:
                pass
        total -= size
        removed.append(file)
    return removed


# -- the shipped learner ----------------------------------------------------------------------
def _sidecar(folder: Path) -> Path:
    return folder / SHIPPED_LEARNER.replace(".joblib", ".json")


def read_shipped(folder: str | os.PathLike[str], learner_repr: str) -> Any | None:
    """The learner shipped in ``folder`` when it is ``learner_repr`` and belongs to this code and base."""
    import joblib

    folder = Path(folder)
    file = folder / SHIPPED_LEARNER
    try:
        meta = json.loads(_sidecar(folder).read_text())
        data = file.read_bytes()
    except (OSError, ValueError):
        return None
    if (meta.get("learner") != learner_repr or meta.get("code") != code_fingerprint()
            or meta.get("base") != base_fingerprint(folder)
            or meta.get("sha256") != hashlib.sha256(data).hexdigest()):
        return None
    try:
        return joblib.load(io.BytesIO(data))
    except Exception:
        return None


def shipped_status(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """What the shipped learner's sidecar says, and whether it matches this code and base."""
    folder = Path(folder)
    try:
        meta = json.loads(_sidecar(folder).read_text())
    except (OSError, ValueError):
        return {"present": False}
    return {"present": True, "learner": meta.get("learner"),
            "code_matches": meta.get("code") == code_fingerprint(),
            "base_matches": meta.get("base") == base_fingerprint(folder),
            "fit_seconds": meta.get("fit_seconds")}


def write_shipped(folder: str | os.PathLike[str], learner: Any, fit_seconds: float) -> Path:
    """Save a learner fitted on the base in ``folder`` as its shipped learner (for packaging)."""
    import joblib

    from autometa._io import atomic_write_bytes, atomic_write_json

    folder = Path(folder)
    buffer = io.BytesIO()
    joblib.dump(learner, buffer, compress=3)
    data = buffer.getvalue()
    atomic_write_bytes(data, folder / SHIPPED_LEARNER)
    import lightgbm
    import sklearn

    atomic_write_json({"learner": repr(learner), "code": code_fingerprint(), "base": base_fingerprint(folder),
                       "sha256": hashlib.sha256(data).hexdigest(), "fit_seconds": round(fit_seconds, 3),
                       "versions": {"lightgbm": lightgbm.__version__, "scikit-learn": sklearn.__version__}},
                      _sidecar(folder))
    return folder / SHIPPED_LEARNER
