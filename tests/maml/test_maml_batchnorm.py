"""Our batch norm: torch's values, and second derivatives that stay right under vmap."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch.func import grad, vmap

from autometa.maml import batch_norm


def _inputs() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(4, 6, 3, 5, 5, generator=gen, dtype=torch.float64)  # 4 tasks of 6 images
    w = (1 + 0.3 * torch.randn(3, generator=gen, dtype=torch.float64)).requires_grad_(True)
    b = (0.3 * torch.randn(3, generator=gen, dtype=torch.float64)).requires_grad_(True)
    return x, w, b


def test_values_match_torch_batch_norm() -> None:
    x, w, b = _inputs()
    ours = batch_norm(x[0], w, b)
    ref = F.batch_norm(x[0], None, None, w, b, training=True)
    torch.testing.assert_close(ours, ref)
    torch.testing.assert_close(batch_norm(x[0], w, b, fused=True), ref)


def test_half_precision_inputs_are_normalised_in_float32() -> None:
    x, w, b = _inputs()
    out = batch_norm(x[0].to(torch.bfloat16), w.float(), b.float())
    assert out.dtype == torch.float32


def _inner_outer(norm, w: torch.Tensor, b: torch.Tensor, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """One MAML step through the norm: the weights and the input both get second-order terms."""
    def inner(params: tuple[torch.Tensor, torch.Tensor, torch.Tensor]) -> torch.Tensor:
        w_, b_, s = params
        return (norm(x * s, w_, b_).tanh() ** 2).sum()

    s = torch.ones((), dtype=x.dtype) + z
    gw, gb, gs = grad(inner)((w, b, s))
    w2, b2, s2 = w - 0.1 * gw, b - 0.1 * gb, s - 0.1 * gs
    return (norm(2 * x * s2, w2, b2).sin() ** 2).sum()


def _torch_norm(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return F.batch_norm(x, None, None, w, b, training=True)


def test_second_derivatives_under_vmap_match_torch_in_a_loop() -> None:
    x, w, b = _inputs()
    z = torch.zeros((), dtype=torch.float64, requires_grad=True)
    batched = vmap(lambda xi: _inner_outer(batch_norm, w, b, xi, z))(x).sum()
    ours = torch.autograd.grad(batched, (w, b, z))
    looped = sum(_inner_outer(_torch_norm, w, b, xi, z) for xi in x)  # torch's kernel is exact outside vmap
    ref = torch.autograd.grad(looped, (w, b, z))
    for a, r in zip(ours, ref, strict=True):
        torch.testing.assert_close(a, r, rtol=1e-10, atol=1e-10)


def test_hessian_vector_product_matches_finite_differences() -> None:
    x, w, b = _inputs()
    v = torch.randn(3, generator=torch.Generator().manual_seed(3), dtype=torch.float64)

    def g_of(w_: torch.Tensor) -> torch.Tensor:
        return vmap(grad(lambda w__, xi: (batch_norm(xi, w__, b).tanh() ** 2).sum()), in_dims=(None, 0))(w_, x).sum(0)

    (hvp,) = torch.autograd.grad(g_of(w) @ v, w)
    eps = 1e-6
    numeric = (g_of(w.detach() + eps * v) - g_of(w.detach() - eps * v)) / (2 * eps)
    torch.testing.assert_close(hvp, numeric.detach(), rtol=1e-6, atol=1e-8)
