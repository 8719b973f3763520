"""Reading a meta-learner's checkpoint safely: tensors and plain containers, never code."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

from autometa.exceptions import DataError

__all__ = ["begin_training", "load_checkpoint", "save_checkpoint"]


def begin_training(learner: Any, family: Any, *, checkpoint: str | os.PathLike[str] | None, resume: bool,
                   **counts: Any) -> None:
    """The start of ``meta_train``: each of ``counts`` must be an int >= 1 (a one-line error names it); then
    ``learner`` continues from ``checkpoint`` when ``resume`` is asked and the file exists, else is set up for
    ``family``."""
    for key, value in counts.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise DataError(f"The {key!r} parameter of meta_train must be an int >= 1. Got {value!r}.")
    if resume and checkpoint is not None and Path(checkpoint).exists():
        learner._restore(load_checkpoint(checkpoint))
    else:
        learner.setup(family)


def save_checkpoint(state: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write ``state`` to ``path`` atomically (a temporary file, then a rename): a crash leaves the last one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)
    return path


def load_checkpoint(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A checkpoint's contents, read with ``weights_only=True``: tensors and plain containers, never code."""
    import pickle

    try:
        # checkpoints written before the version was stored as a str hold a TorchVersion (a str subclass)
        with torch.serialization.safe_globals([torch.torch_version.TorchVersion]):
            state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise DataError(f"No checkpoint at {os.fspath(path)!r}.") from None
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{os.fspath(path)!r} is not an autometa MAML checkpoint, or holds more than tensors and "
                        f"plain values (refused: loading it could run code from it): {first}") from None
    if not isinstance(state, dict):
        raise DataError(f"{os.fspath(path)!r} is not an autometa MAML checkpoint.")
    return state
