"""Device, strategy and precision choices, made once per learner."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

from autometa.exceptions import DataError

__all__ = ["resolve_device", "resolve_strategy", "resolve_amp", "autocast"]

STRATEGIES = ("auto", "vmap", "loop")


def resolve_device(device: str | torch.device | None) -> torch.device:
    """``"auto"`` (or ``None``) is ``cuda`` when available, else ``cpu``."""
    if device is None or str(device) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise DataError(f"The 'device' parameter must be 'auto', 'cpu', 'cuda' or 'cuda:N'. Got {device!r}.") from exc
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise DataError("The 'device' parameter asks for CUDA, but torch sees no CUDA device here.")
    return resolved


def resolve_strategy(strategy: str, device: torch.device) -> str:
    """How the tasks of a meta-batch run: ``vmap`` (one batched computation) or ``loop``.

    ``auto`` picks ``vmap`` on CUDA, where batching tasks is where the speed is, and
    ``loop`` on the CPU, where vmap measured no faster and used several times the
    memory (DESIGN.md, "MAML").
    """
    if strategy not in STRATEGIES:
        raise DataError(f"The 'strategy' parameter must be one of {', '.join(STRATEGIES)}. Got {strategy!r}.")
    if strategy == "auto":
        return "vmap" if device.type == "cuda" else "loop"
    return strategy


def resolve_amp(amp: bool | str, device: torch.device) -> bool:
    """Mixed precision (bfloat16 autocast) is used on CUDA only; ``auto`` and ``True`` turn it on there."""
    if amp == "auto":
        return device.type == "cuda"
    if not isinstance(amp, bool):
        raise DataError(f"The 'amp' parameter must be True, False or 'auto'. Got {amp!r}.")
    return amp and device.type == "cuda"


@contextlib.contextmanager
def autocast(enabled: bool, device: torch.device) -> Iterator[None]:
    """bfloat16 autocast on CUDA when ``enabled`` (no loss scaling needed); a no-op otherwise."""
    if enabled:
        with torch.autocast(device_type=device.type, dtype=torch.bfloat16):
            yield
    else:
        yield
