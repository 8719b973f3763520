"""Meta-learners: rank the portfolio of configurations for a new task from past results.

Offers one interface, :class:`MetaLearner` (``fit(knowledge_base)``,
``rank(task, top=..., families=..., time_budget=...)``), with
:class:`AverageRank` (the baseline), :class:`NearestDatasets` (auto-sklearn's
nearest datasets on meta-features) and :class:`LightGBMRanker` (a LightGBM model
over task vector and configuration encoding, with a pluggable task ``encoder``);
:func:`recommend` (what ``autometa.recommend`` is), :func:`evaluate`
(leave-one-family-out regret@k, NDCG, win/tie/loss), and
:func:`synthetic_knowledge_base` (a small base where the right answer is known).

>>> from autometa.metalearn import NearestDatasets, synthetic_knowledge_base
>>> kb = synthetic_knowledge_base()
>>> NearestDatasets(n_neighbors=5).fit(kb).rank(kb.metafeatures.loc["reg_a_03"], kind="regression", top=2)["config_id"].tolist()
['alpha-000', 'gamma-000']
"""

from __future__ import annotations

from autometa.metalearn._base import RANK_COLUMNS, MetaLearner, Prediction
from autometa.metalearn._data import LARGE_DATA_GROWTH, large_data_growth
from autometa.metalearn._encoding import (
    ConcatEncoder,
    MetafeatureEncoder,
    encode_configurations,
)
from autometa.metalearn._synthetic import synthetic_knowledge_base
from autometa.metalearn.average_rank import AverageRank
from autometa.metalearn.evaluate import EvaluationResult, evaluate, random_metrics, ranking_metrics
from autometa.metalearn.neighbors import NearestDatasets
from autometa.metalearn.ranker import LightGBMRanker
from autometa.metalearn.recommend import (
    DEFAULT_LEARNER,
    LEARNERS,
    fitted_learner,
    get_learner,
    recommend,
    refit,
)

__all__ = [
    "LARGE_DATA_GROWTH",
    "large_data_growth",
    "DEFAULT_LEARNER",
    "LEARNERS",
    "RANK_COLUMNS",
    "AverageRank",
    "ConcatEncoder",
    "EvaluationResult",
    "LightGBMRanker",
    "MetaLearner",
    "MetafeatureEncoder",
    "NearestDatasets",
    "Prediction",
    "TaskEncoder",
    "encode_configurations",
    "evaluate",
    "fitted_learner",
    "get_learner",
    "random_metrics",
    "ranking_metrics",
    "recommend",
    "refit",
    "synthetic_knowledge_base",
]


def __getattr__(name: str) -> object:
    # the one TaskEncoder base class is representations'; imported on first access, so that importing
    # metalearn (and the default learner) imports neither autometa.representations nor torch
    if name == "TaskEncoder":
        from autometa.representations import TaskEncoder

        return TaskEncoder
    raise AttributeError(f"module 'autometa.metalearn' has no attribute {name!r}")
