"""Meta-learning for few-shot tasks with :mod:`torch.func`.

Algorithms behind one interface (:class:`MetaLearner`: ``meta_train(family, ...)``,
``adapt(support) -> AdaptedModel``, ``evaluate(family) -> EvaluationResult``):
:class:`MAML` (second order), :class:`FOMAML`, :class:`Reptile`, :class:`ANIL`,
:class:`MetaSGD` and :class:`ProtoNet`. Models: :class:`ConvNet` (the Omniglot conv
net, with :func:`batch_norm`, a batch norm whose second derivatives are right under
``vmap``) and :class:`MLP`. Episodes come from :mod:`autometa.tasks.fewshot`.

Examples
--------
>>> from autometa.maml import MAML
>>> from autometa.tasks.fewshot import make_family
>>> family = make_family("sinusoid", shots=10)
>>> learner = MAML(inner_lr=0.01, device="cpu").meta_train(family, steps=5, meta_batch_size=4)
>>> result = learner.evaluate(family, episodes=16)
>>> result.metric
'mse'
"""

from __future__ import annotations

from autometa.maml._algorithms import ALGORITHMS, make_learner
from autometa.maml._base import AdaptedModel, EvaluationResult, MetaLearner, NotFittedError
from autometa.maml._maml import ANIL, FOMAML, MAML, MetaSGD
from autometa.maml._nn import MLP, ConvNet, TaskBatchNorm, batch_norm
from autometa.maml._protonet import ProtoNet
from autometa.maml._reptile import Reptile

__all__ = [
    "ALGORITHMS",
    "ANIL",
    "AdaptedModel",
    "ConvNet",
    "EvaluationResult",
    "FOMAML",
    "MAML",
    "MLP",
    "MetaLearner",
    "MetaSGD",
    "NotFittedError",
    "ProtoNet",
    "Reptile",
    "TaskBatchNorm",
    "batch_norm",
    "make_learner",
]
