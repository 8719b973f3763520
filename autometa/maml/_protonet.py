"""Prototypical Networks (Snell, Swersky and Zemel, 2017)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from autometa.exceptions import DataError
from autometa.maml._base import AdaptedModel, FewShotLearner, Params, _full_precision
from autometa.tasks.fewshot import Episode

__all__ = ["ProtoNet"]


class ProtoNet(FewShotLearner):
    """Prototypical Networks: classify by the nearest class mean of the embedded support set.

    The model is a body without a head (an embedding); logits are negative squared
    Euclidean distances to the prototypes. Adaptation computes the prototypes, so
    ``inner_lr`` and ``inner_steps`` play no part. Any number of ways works at
    evaluation, whatever the training tasks had.
    """

    name = "protonet"
    needs_head = False

    def _setup(self, *, kind: str, **kwargs: object) -> FewShotLearner:
        if kind != "classification":
            raise DataError("ProtoNet is for classification families only.")
        return super()._setup(kind=kind, **kwargs)  # type: ignore[arg-type]

    def _prototypes(self, params: Params, sx: torch.Tensor, sy: torch.Tensor) -> torch.Tensor:
        z = _full_precision(self._forward(self._model_params(params), sx))
        onehot = F.one_hot(sy, self._ways).to(z.dtype)
        return (onehot.T @ z) / onehot.sum(0)[:, None]

    def _logits(self, params: Params, prototypes: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        z = _full_precision(self._forward(self._model_params(params), x))
        return -((z[:, None, :] - prototypes[None]) ** 2).sum(-1)

    def _task_loss(self, params: Params, sx: torch.Tensor, sy: torch.Tensor, qx: torch.Tensor,
                   qy: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        out = self._logits(params, self._prototypes(params, sx, sy), qx)
        return self._loss(out, qy), self._metric(out, qy)

    def _adapt_task(self, params: Params, sx: torch.Tensor, sy: torch.Tensor, steps: int) -> Params:
        return {"prototypes": self._prototypes(params, sx, sy)}

    def _predict_task(self, params: Params, state: Params, x: torch.Tensor) -> torch.Tensor:
        return self._logits(params, state["prototypes"], x)

    # the number of classes must be a plain int inside vmap: take it from the episode
    def _accumulate_gradient(self, episode: Episode) -> tuple[torch.Tensor, torch.Tensor]:
        self._ways = int(episode.ways or 0)
        return super()._accumulate_gradient(episode)

    def _evaluate_batch(self, episode: Episode, steps: int) -> torch.Tensor:
        self._ways = int(episode.ways or 0)
        return super()._evaluate_batch(episode, steps)

    def adapt(self, support_x: torch.Tensor | Episode, support_y: torch.Tensor | None = None, *,
              steps: int | None = None) -> AdaptedModel:
        if isinstance(support_x, Episode):
            self._ways = int(support_x.ways or 0)
        elif support_y is not None:
            self._ways = int(support_y.max()) + 1
        return super().adapt(support_x, support_y, steps=steps)
