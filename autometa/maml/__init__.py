"""Meta-learning for few-shot tasks with :mod:`torch.func`.

Algorithms behind one interface (:class:`FewShotLearner`: ``meta_train(family, ...)``,
``adapt(support) -> AdaptedModel``, ``evaluate(family) -> FewShotResult``):
:class:`MAML` (second order), :class:`FOMAML`, :class:`Reptile`, :class:`ANIL`,
:class:`MetaSGD`, :class:`ProtoNet`, :class:`MatchingNet`, :class:`RelationNet` ,
:class:`MANN` (an LSTM with an external least-recently-used memory) and :class:`MetaLSTM`
(Ravi and Larochelle's LSTM that writes the learner's updates); and
:class:`RL2` (a recurrent policy meta-trained by A2C on the ``bandit`` family, with
``meta_train``/``evaluate`` of its own: bandits have no support set to adapt to). Models: :class:`ConvNet` (the Omniglot conv
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
from autometa.maml._bandits import BASELINES as BANDIT_BASELINES
from autometa.maml._bandits import gittins_table
from autometa.maml._bandits import play as play_bandits
from autometa.maml._base import AdaptedModel, FewShotLearner, FewShotResult, NotFittedError
from autometa.maml._checkpoint import load_checkpoint
from autometa.maml._maml import ANIL, FOMAML, MAML, MetaSGD
from autometa.maml._mann import MANN
from autometa.maml._matching import MatchingNet
from autometa.maml._metalstm import MetaLSTM
from autometa.maml._nn import MLP, ConvNet, TaskBatchNorm, batch_norm
from autometa.maml._protonet import ProtoNet
from autometa.maml._relation import RelationNet
from autometa.maml._reptile import Reptile
from autometa.maml._rl2 import RL2, BanditResult

__all__ = [
    "ALGORITHMS",
    "ANIL",
    "BANDIT_BASELINES",
    "AdaptedModel",
    "BanditResult",
    "ConvNet",
    "FOMAML",
    "FewShotLearner",
    "FewShotResult",
    "MAML",
    "MANN",
    "MLP",
    "MatchingNet",
    "MetaLSTM",
    "MetaSGD",
    "NotFittedError",
    "ProtoNet",
    "RL2",
    "RelationNet",
    "Reptile",
    "TaskBatchNorm",
    "batch_norm",
    "gittins_table",
    "load_checkpoint",
    "make_learner",
    "play_bandits",
]

#: the names these had until 2026-12-03, when ``autometa.metalearn`` exported the same two for other things
_RENAMED = {"MetaLearner": "FewShotLearner", "EvaluationResult": "FewShotResult"}


def __getattr__(name: str) -> object:
    if name in _RENAMED:
        import warnings

        warnings.warn(f"autometa.maml.{name} is now autometa.maml.{_RENAMED[name]} (autometa.metalearn.{name} is "
                      "another class); the old name goes in a later release.", FutureWarning, stacklevel=2)
        return globals()[_RENAMED[name]]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
