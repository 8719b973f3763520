"""Matching Networks (Vinyals, Blundell, Lillicrap, Kavukcuoglu and Wierstra, 2016), without full-context
embeddings."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from autometa.maml._base import Params, _full_precision
from autometa.maml._protonet import ProtoNet

__all__ = ["MatchingNet"]


class MatchingNet(ProtoNet):
    """Matching Networks: a query's class distribution is attention over the embedded support set.

    ``p(y | x) = sum_i a(x, x_i) onehot(y_i)`` with ``a`` the softmax over the support
    of the cosine similarities between the embedded query and each embedded support
    example (the paper's attention kernel), multiplied by :attr:`scale` (10; raw
    cosines in [-1, 1] cap a 5-way softmax at 0.63, and the unscaled kernel lost
    accuracy with training on Omniglot); the loss is the negative log-likelihood
    of the query labels, and the logits are ``log p``. The embedding is the model's
    body (no head), shared by support and query: the paper's full-context embeddings
    (an LSTM over the support set) are not implemented. Like :class:`ProtoNet`,
    adaptation only embeds the support set (``inner_lr`` and ``inner_steps`` play no
    part), and any number of ways works at evaluation.
    """

    name = "matching"
    #: the cosine similarities are multiplied by this before the softmax. Raw cosines lie in [-1, 1], so a
    #: 5-way softmax cannot give a class more than 0.63: on Omniglot 5-way 1-shot (CPU, one thread) the
    #: unscaled kernel reached 88.6 % after 100 s and fell to 83.2 % after 30 minutes; scaled by 10, 95.0 %
    #: after 100 s (docs/benchmarks.md)
    scale = 10.0

    def _support(self, params: Params, sx: torch.Tensor, sy: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        z = F.normalize(_full_precision(self._forward(self._model_params(params), sx)), dim=-1)
        return z, F.one_hot(sy, self._ways).to(z.dtype)

    def _attend(self, params: Params, support: torch.Tensor, onehot: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        z = F.normalize(_full_precision(self._forward(self._model_params(params), x)), dim=-1)
        attention = torch.softmax(self.scale * (z @ support.T), dim=-1)  # scaled cosine similarities
        # every class has a support example and softmax weights are positive: p > 0, log p finite
        return torch.log(attention @ onehot)

    def _task_loss(self, params: Params, sx: torch.Tensor, sy: torch.Tensor, qx: torch.Tensor,
                   qy: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        out = self._attend(params, *self._support(params, sx, sy), qx)
        return self._loss(out, qy), self._metric(out, qy)

    def _adapt_task(self, params: Params, sx: torch.Tensor, sy: torch.Tensor, steps: int) -> Params:
        support, onehot = self._support(params, sx, sy)
        return {"support": support, "onehot": onehot}

    def _predict_task(self, params: Params, state: Params, x: torch.Tensor) -> torch.Tensor:
        return self._attend(params, state["support"], state["onehot"], x)
