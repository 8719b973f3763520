"""Small torch helpers shared by the learned encoders (imported only when torch is needed)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

__all__ = ["torch_threads", "mlp", "state_to_numpy_free", "seeded"]


@contextmanager
def torch_threads(n_threads: int | None) -> Iterator[None]:
    """Run with ``n_threads`` torch threads (None: leave as is), restored afterwards."""
    import torch

    if n_threads is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(int(n_threads))
    try:
        yield
    finally:
        torch.set_num_threads(before)


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """torch's global generator seeded with ``seed`` inside, restored afterwards."""
    import torch

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(seed))
        yield


def mlp(sizes: list[int], *, last_activation: bool = True) -> Any:
    """Linear layers with ReLU between them (and after the last one if ``last_activation``)."""
    from torch import nn

    layers: list[Any] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2 or last_activation:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def state_to_numpy_free(module: Any) -> dict[str, Any]:
    """A module's state dict as detached CPU tensors (what ``torch.save`` stores)."""
    return {k: v.detach().cpu().clone() for k, v in module.state_dict().items()}


def as_tensor(array: np.ndarray) -> Any:
    import torch

    return torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))
