"""The LSTM meta-learner (Ravi and Larochelle, 2017): an LSTM that writes the learner's parameter updates."""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.func import grad

from autometa.maml._base import FewShotLearner, Params

__all__ = ["MetaLSTM", "preprocess"]

#: Andrychowicz et al.'s preprocessing constant ``p`` (the paper's 10)
PREPROCESS_P = 10.0
#: units of the first, coordinate-wise LSTM (the paper's 20)
HIDDEN = 20


def preprocess(x: torch.Tensor, p: float = PREPROCESS_P) -> torch.Tensor:
    """Each value as two inputs of a similar scale (Andrychowicz et al., 2016, used by Ravi and Larochelle):
    ``(log|x| / p, sign x)`` when ``|x| >= e^-p``, else ``(-1, e^p x)``; shape ``(*x.shape, 2)``.

    Examples
    --------
    >>> preprocess(torch.tensor([100.0, -1e-6, 0.0]))
    tensor([[ 0.4605,  1.0000],
            [-1.0000, -0.0220],
            [-1.0000,  0.0000]])
    """
    big = x.abs() >= math.exp(-p)
    first = torch.where(big, torch.log(x.abs().clamp_min(math.exp(-p))) / p, torch.full_like(x, -1.0))
    second = torch.where(big, torch.sign(x), math.exp(p) * x)
    return torch.stack([first, second], dim=-1)


class MetaLSTM(FewShotLearner):
    """The LSTM meta-learner: the learner's parameters are the cell state of an LSTM applied to every coordinate.

    For ``inner_steps`` steps on a task's support set, each coordinate ``k`` of the
    learner's parameters is updated as the paper's cell state,
    ``theta_t = f_t * theta_(t-1) - i_t * grad_t``, with
    ``i_t = sigmoid(W_I [h_t, theta_(t-1), i_(t-1)] + b_I)`` (a learned step size) and
    ``f_t = sigmoid(W_F [h_t, theta_(t-1), f_(t-1)] + b_F)`` (a learned shrinkage),
    ``h_t`` the output of a first LSTM (:data:`HIDDEN` units) over the preprocessed
    gradient and loss (:func:`preprocess`). All weights are shared across
    coordinates (the paper's parameter sharing), so the meta-learner has a few
    hundred parameters whatever the learner's size; ``theta_0`` (the learner's
    initialisation) is meta-learned too. As in the paper, the gradient and loss fed
    to the meta-learner are not differentiated through (first order); the query loss
    after the last step is differentiated through every update. ``b_F`` starts high
    and ``b_I`` low (the paper's initialisation: keep the parameters, take small steps).
    """

    name = "metalstm"
    default_outer_lr = 1e-3

    def _init_extra(self, model: nn.Module) -> Params:
        dtype = next(model.parameters()).dtype
        bound = 1.0 / math.sqrt(HIDDEN)
        extra = {"lstm.ih": (torch.rand(4 * HIDDEN, 4, dtype=dtype) * 2 - 1) * bound,
                 "lstm.hh": (torch.rand(4 * HIDDEN, HIDDEN, dtype=dtype) * 2 - 1) * bound,
                 "lstm.b": (torch.rand(4 * HIDDEN, dtype=dtype) * 2 - 1) * bound,
                 "cell.WF": (torch.rand(HIDDEN + 2, dtype=dtype) * 2 - 1) * 0.01,
                 "cell.bF": torch.full((), 5.0, dtype=dtype),  # f ~ 1: keep the parameters
                 "cell.WI": (torch.rand(HIDDEN + 2, dtype=dtype) * 2 - 1) * 0.01,
                 "cell.bI": torch.full((), -5.0, dtype=dtype)}  # i ~ 0.007: small steps
        return extra

    def _update(self, params: Params, theta: torch.Tensor, g: torch.Tensor, loss: torch.Tensor,
                state: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
        """One update of the flat learner parameters ``theta`` from its gradient ``g`` and ``loss``."""
        h, c, f_prev, i_prev = state
        x = torch.cat([preprocess(g), preprocess(loss.expand_as(g))], dim=-1)  # (coordinates, 4)
        gates = x @ params["lstm.ih"].T + h @ params["lstm.hh"].T + params["lstm.b"]
        gi, gf, gg, go = gates.chunk(4, dim=-1)
        c = torch.sigmoid(gf) * c + torch.sigmoid(gi) * torch.tanh(gg)
        h = torch.sigmoid(go) * torch.tanh(c)
        f = torch.sigmoid(torch.cat([h, theta[:, None], f_prev[:, None]], dim=1) @ params["cell.WF"] + params["cell.bF"])
        i = torch.sigmoid(torch.cat([h, theta[:, None], i_prev[:, None]], dim=1) @ params["cell.WI"] + params["cell.bI"])
        return f * theta - i * g, (h, c, f, i)

    def _learn(self, params: Params, sx: torch.Tensor, sy: torch.Tensor, steps: int) -> Params:
        """The learner's parameters after ``steps`` meta-learned updates on the support set."""
        names = self.model_names_
        shapes = [params[n].shape for n in names]
        sizes = [params[n].numel() for n in names]
        theta = torch.cat([params[n].reshape(-1) for n in names])
        n = len(theta)
        state: tuple[torch.Tensor, ...] = (theta.new_zeros(n, HIDDEN), theta.new_zeros(n, HIDDEN), theta.new_zeros(n),
                                           theta.new_zeros(n))

        def unflatten(flat: torch.Tensor) -> Params:
            return {name: part.reshape(shape) for name, part, shape in zip(names, flat.split(sizes), shapes)}

        def support_loss(flat: torch.Tensor) -> torch.Tensor:
            return self._loss(self._forward(unflatten(flat), sx), sy)

        for _ in range(steps):
            at = theta.detach()  # first order: the gradient and loss are inputs, not differentiated through
            g = grad(support_loss)(at)
            theta, state = self._update(params, theta, g.detach(), support_loss(at).detach(), state)
        return unflatten(theta)

    def _task_loss(self, params: Params, sx: torch.Tensor, sy: torch.Tensor, qx: torch.Tensor,
                   qy: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        fast = self._learn(params, sx, sy, self.inner_steps)
        out = self._forward(fast, qx)
        return self._loss(out, qy), self._metric(out, qy)

    def _adapt_task(self, params: Params, sx: torch.Tensor, sy: torch.Tensor, steps: int) -> Params:
        return self._learn(params, sx, sy, steps)

    def _predict_task(self, params: Params, state: Params, x: torch.Tensor) -> torch.Tensor:
        return self._forward(state, x)
