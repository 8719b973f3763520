"""Functional-friendly models: a batch norm with exact second derivatives, the conv net, an MLP.

Every model is ``head(body(x))``: ``body`` gives features, ``head`` is a linear
layer (absent for Prototypical Networks). Parameters are named ``body.*`` and
``head.*`` so that ANIL can adapt the head alone. No model keeps running
statistics: batch norm always uses the statistics of the batch it sees, per task,
as MAML does.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["batch_norm", "TaskBatchNorm", "ConvNet", "MLP", "build_model"]


def batch_norm(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, eps: float = 1e-5, *,
               fused: bool = False) -> torch.Tensor:
    """Batch normalisation from elementary operations, with the statistics of ``x``.

    Same values as ``torch.nn.functional.batch_norm(x, None, None, weight, bias,
    training=True, eps=eps)``, but its second derivatives stay right under
    :func:`torch.func.vmap`, where the fused affine kernel's do not (the torch
    issue recorded in DESIGN.md, "MAML"). Under autocast, half-precision inputs are
    normalised in float32 and the result stays float32: the next layer's autocast
    casts it down again, and a convolution that ``vmap`` runs outside autocast (seen
    with unbatched weights on CUDA) still gets inputs of its weights' dtype.

    Parameters
    ----------
    x : torch.Tensor
        ``(N, C, ...)``.
    weight, bias : torch.Tensor
        ``(C,)``.
    eps : float
        Added to the variance.
    fused : bool
        Use torch's fused kernel instead: exact, and faster, when no ``vmap`` is
        involved (the learners' loop strategy); wrong second derivatives under it.

    Returns
    -------
    torch.Tensor
        Same shape as ``x``; same dtype, except float32 for float16/bfloat16 inputs.

    Examples
    --------
    >>> x = torch.randn(8, 3, 4, 4)
    >>> ref = torch.nn.functional.batch_norm(x, None, None, torch.ones(3), torch.zeros(3), training=True)
    >>> torch.allclose(batch_norm(x, torch.ones(3), torch.zeros(3)), ref, atol=1e-5)
    True
    """
    if fused:
        return F.batch_norm(x, None, None, weight, bias, training=True, eps=eps)
    if x.dtype in (torch.float16, torch.bfloat16):
        x = x.float()
    dims = [0, *range(2, x.ndim)]
    mean = x.mean(dim=dims, keepdim=True)
    centred = x - mean
    var = (centred * centred).mean(dim=dims, keepdim=True)
    shape = [1, -1] + [1] * (x.ndim - 2)
    return centred * torch.rsqrt(var + eps) * weight.reshape(shape) + bias.reshape(shape)


class TaskBatchNorm(nn.Module):
    """Affine batch norm over the current batch only (no running statistics); see :func:`batch_norm`.

    ``fused`` (off by default) switches to torch's kernel; the learners turn it on
    for their loop strategy, where it is exact and about 1.5x faster on the CPU.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, *, fused: bool = False) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.eps = eps
        self.fused = fused

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return batch_norm(x, self.weight, self.bias, self.eps, fused=self.fused)


class _SpatialMean(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=(-2, -1))


class ConvNet(nn.Module):
    """The Omniglot conv net of the MAML paper: blocks of 3x3 conv (stride 2), batch norm, ReLU.

    With four blocks of 64 filters a 28x28 image shrinks to 2x2, averaged into 64
    features, then a linear head.

    Parameters
    ----------
    in_channels : int
        Image channels.
    out_features : int or None
        Classes of the head; ``None`` for a body only (an embedding).
    hidden : int
        Filters per block.
    layers : int
        Blocks.

    Examples
    --------
    >>> net = ConvNet(1, 5, hidden=8, layers=2)
    >>> net(torch.zeros(3, 1, 28, 28)).shape
    torch.Size([3, 5])
    """

    def __init__(self, in_channels: int = 1, out_features: int | None = 5, *, hidden: int = 64,
                 layers: int = 4) -> None:
        super().__init__()
        self.config = {"in_channels": in_channels, "out_features": out_features, "hidden": hidden,
                       "layers": layers}
        blocks: list[nn.Module] = []
        channels = in_channels
        for _ in range(layers):
            blocks += [nn.Conv2d(channels, hidden, 3, stride=2, padding=1), TaskBatchNorm(hidden), nn.ReLU()]
            channels = hidden
        blocks.append(_SpatialMean())
        self.body = nn.Sequential(*blocks)
        self.head = nn.Linear(hidden, out_features) if out_features else None
        self.n_features = hidden

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.body(x)
        return self.head(z) if self.head is not None else z


class MLP(nn.Module):
    """A ReLU multilayer perceptron for vectors (sinusoids, tabular tasks).

    Parameters
    ----------
    in_features : int
        Input size.
    out_features : int or None
        Outputs of the head; ``None`` for a body only.
    hidden : tuple of int
        Hidden layer sizes (``(40, 40)`` as in the MAML paper).

    Examples
    --------
    >>> MLP(1, 1)(torch.zeros(10, 1)).shape
    torch.Size([10, 1])
    """

    def __init__(self, in_features: int = 1, out_features: int | None = 1, *,
                 hidden: tuple[int, ...] | list[int] = (40, 40)) -> None:
        super().__init__()
        self.config = {"in_features": in_features, "out_features": out_features, "hidden": list(hidden)}
        layers: list[nn.Module] = []
        size = in_features
        for width in hidden:
            layers += [nn.Linear(size, width), nn.ReLU()]
            size = width
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(size, out_features) if out_features else None
        self.n_features = size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.body(x)
        return self.head(z) if self.head is not None else z


_MODELS = {"ConvNet": ConvNet, "MLP": MLP}


def build_model(name: str, config: dict[str, Any]) -> nn.Module:
    """Rebuild a model from its class name and ``config`` (as stored in a checkpoint)."""
    return _MODELS[name](**config)


def default_model(input_shape: tuple[int, ...], out_features: int | None) -> nn.Module:
    """The conv net for images (3-d inputs), the MLP for vectors."""
    if len(input_shape) == 3:
        return ConvNet(input_shape[0], out_features)
    return MLP(int(input_shape[0]), out_features)
