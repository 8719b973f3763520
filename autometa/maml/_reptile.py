"""Reptile (Nichol, Achiam and Schulman, 2018)."""

from __future__ import annotations

import torch

from autometa.maml._base import FewShotLearner, Params
from autometa.tasks.fewshot import Episode

__all__ = ["Reptile"]


class Reptile(FewShotLearner):
    """Reptile: move the meta-parameters towards the weights adapted to each task.

    Each task runs ``inner_steps`` plain SGD steps on its support and query sets
    together; the meta-"gradient" is the mean of ``theta - phi_task`` and the outer
    optimiser is SGD (``outer_lr`` 1.0 by default: the full mean step). No
    derivatives through the inner loop; ``first_order`` has no effect.
    """

    name = "reptile"
    optimizer_name = "sgd"
    default_outer_lr = 1.0

    def _adapted(self, params: Params, x: torch.Tensor, y: torch.Tensor, steps: int) -> Params:
        return self._inner_loop(self._model_params(params), x, y, steps=steps, lrs=self.inner_lr_,
                                first_order=True, forward=self._forward)

    def _task_update(self, params: Params, sx: torch.Tensor, sy: torch.Tensor, qx: torch.Tensor,
                     qy: torch.Tensor) -> tuple[Params, torch.Tensor, torch.Tensor]:
        fast = self._adapted(params, torch.cat([sx, qx]), torch.cat([sy, qy]), self.inner_steps)
        out = self._forward(fast, qx)
        diff = {k: params[k] - fast[k] for k in fast}
        return diff, self._loss(out, qy), self._metric(out, qy)

    def _task_loss(self, params: Params, sx: torch.Tensor, sy: torch.Tensor, qx: torch.Tensor,
                   qy: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        _, loss, metric = self._task_update(params, sx, sy, qx, qy)
        return loss, metric

    def _accumulate_gradient(self, episode: Episode) -> tuple[torch.Tensor, torch.Tensor]:
        with torch.no_grad():
            diffs, losses, metrics = self._map(self._task_update, self._detached(), episode)
        for key, diff in diffs.items():
            param = self.params_[key]
            g = diff.float().mean(0).to(param.dtype)
            param.grad = g if param.grad is None else param.grad + g
        return losses.mean(), metrics.mean()

    def _adapt_task(self, params: Params, sx: torch.Tensor, sy: torch.Tensor, steps: int) -> Params:
        return self._adapted(params, sx, sy, steps)

    def _predict_task(self, params: Params, state: Params, x: torch.Tensor) -> torch.Tensor:
        return self._forward(state, x)
