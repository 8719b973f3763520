"""MAML (second order), first-order MAML, Meta-SGD and ANIL: gradient-based inner loops."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from autometa.maml._base import FewShotLearner, Params

__all__ = ["MAML", "FOMAML", "MetaSGD", "ANIL"]


class MAML(FewShotLearner):
    """Model-Agnostic Meta-Learning (Finn, Abbeel and Levine, 2017), second order by default.

    The inner loop takes ``inner_steps`` gradient steps on a task's support set
    from the meta-parameters; the meta-loss is the query loss of the adapted
    parameters, differentiated through the inner loop (second order) unless
    ``first_order=True``. Batch norm uses each task's batch statistics.

    Examples
    --------
    >>> from autometa.tasks.fewshot import make_family
    >>> family = make_family("sinusoid", shots=5)
    >>> learner = MAML(device="cpu", seed=0).meta_train(family, steps=3, meta_batch_size=4)
    >>> round(learner.evaluate(family, episodes=8).mean, 1) >= 0
    True
    """

    name = "maml"

    def _lrs(self, params: Params) -> Params | float:
        return self.inner_lr_

    def _task_loss(self, params: Params, sx: torch.Tensor, sy: torch.Tensor, qx: torch.Tensor,
                   qy: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        fast = self._inner_loop(self._model_params(params), sx, sy, steps=self.inner_steps,
                                lrs=self._lrs(params), first_order=self.first_order, forward=self._forward)
        out = self._forward(fast, qx)
        return self._loss(out, qy), self._metric(out, qy)

    def _adapt_task(self, params: Params, sx: torch.Tensor, sy: torch.Tensor, steps: int) -> Params:
        return self._inner_loop(self._model_params(params), sx, sy, steps=steps, lrs=self._lrs(params),
                                first_order=True, forward=self._forward)

    def _predict_task(self, params: Params, state: Params, x: torch.Tensor) -> torch.Tensor:
        return self._forward(state, x)


class FOMAML(MAML):
    """First-order MAML: the meta-gradient is the query gradient at the adapted parameters.

    Same arguments as :class:`MAML`, with ``first_order=True``.
    """

    name = "fomaml"

    def __init__(self, model: nn.Module | None = None, *, first_order: bool = True, **kwargs: Any) -> None:
        super().__init__(model, first_order=first_order, **kwargs)


class MetaSGD(MAML):
    """Meta-SGD (Li et al., 2017): MAML with a learned step size for every parameter entry.

    The step sizes start at ``inner_lr`` and are meta-parameters named
    ``"lr:<parameter name>"``, trained by the outer optimiser with the model.
    """

    name = "metasgd"

    def _init_extra(self, model: nn.Module) -> Params:
        return {f"lr:{n}": torch.full_like(p.detach(), self.inner_lr_) for n, p in model.named_parameters()}

    def _lrs(self, params: Params) -> Params | float:
        return {n: params[f"lr:{n}"] for n in self.model_names_}


class ANIL(MAML):
    """Almost No Inner Loop (Raghu et al., 2020): only the head adapts in the inner loop.

    The body's features of the support and query sets are computed once per task;
    the inner loop runs on the linear head alone, and the meta-gradient reaches the
    body through those features (second order in the head unless ``first_order``).
    """

    name = "anil"

    @staticmethod
    def _part(params: Params, prefix: str) -> Params:
        cut = len(prefix) + 1
        return {k[cut:]: v for k, v in params.items() if k.startswith(prefix + ".")}

    def _head(self, params: Params, z: torch.Tensor) -> torch.Tensor:
        return self._forward(params, z, "head")

    def _task_loss(self, params: Params, sx: torch.Tensor, sy: torch.Tensor, qx: torch.Tensor,
                   qy: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        body = self._part(params, "body")
        zs, zq = self._forward(body, sx, "body"), self._forward(body, qx, "body")
        head = self._inner_loop(self._part(params, "head"), zs, sy, steps=self.inner_steps,
                                lrs=self.inner_lr_, first_order=self.first_order, forward=self._head)
        out = self._head(head, zq)
        return self._loss(out, qy), self._metric(out, qy)

    def _adapt_task(self, params: Params, sx: torch.Tensor, sy: torch.Tensor, steps: int) -> Params:
        body = self._part(params, "body")
        zs = self._forward(body, sx, "body").detach()
        head = self._inner_loop(self._part(params, "head"), zs, sy, steps=steps, lrs=self.inner_lr_,
                                first_order=True, forward=self._head)
        return {**{f"body.{k}": v for k, v in body.items()}, **{f"head.{k}": v for k, v in head.items()}}

    def _predict_task(self, params: Params, state: Params, x: torch.Tensor) -> torch.Tensor:
        return self._forward(state, x)
