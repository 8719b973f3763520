"""The algorithms by name, for the command line and checkpoints."""

from __future__ import annotations

from typing import Any

from autometa.exceptions import DataError
from autometa.maml._base import FewShotLearner
from autometa.maml._maml import ANIL, FOMAML, MAML, MetaSGD
from autometa.maml._mann import MANN
from autometa.maml._matching import MatchingNet
from autometa.maml._metalstm import MetaLSTM
from autometa.maml._protonet import ProtoNet
from autometa.maml._relation import RelationNet
from autometa.maml._reptile import Reptile

__all__ = ["ALGORITHMS", "make_learner"]

ALGORITHMS: dict[str, type[FewShotLearner]] = {
    cls.name: cls for cls in (MAML, FOMAML, Reptile, ANIL, MetaSGD, ProtoNet, MatchingNet, RelationNet, MANN,
                                      MetaLSTM)
}


def make_learner(algorithm: str, **kwargs: Any) -> FewShotLearner:
    """A learner by name: ``maml``, ``fomaml``, ``reptile``, ``anil``, ``metasgd``, ``protonet``, ``matching``,
    ``relation``, ``mann``, ``metalstm``.

    Examples
    --------
    >>> make_learner("fomaml", inner_steps=5).first_order
    True
    """
    try:
        cls = ALGORITHMS[algorithm.lower().replace("-", "").replace("_", "")]
    except KeyError:
        raise DataError(f"Unknown algorithm {algorithm!r}; choose one of {', '.join(ALGORITHMS)}.") from None
    return cls(**kwargs)
