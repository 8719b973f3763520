"""Average rank: the configurations that ranked best over all past datasets.

The baseline every other meta-learner must beat: it ignores the task entirely.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from autometa.metalearn._base import MetaLearner, Prediction
from autometa.metalearn._data import GroupData, mean_rank, rank_matrix, tried_mean

__all__ = ["AverageRank"]


class AverageRank(MetaLearner):
    """Rank configurations by their mean rank over the training datasets.

    Each dataset ranks every configuration (1 = best; ties share the mean rank;
    failures rank last); the mean over datasets orders the portfolio, whatever
    the task. ``predicted_score`` is the mean normalised score.

    Sparse bases: a dataset ranks only the configurations it evaluated (rescaled
    to the ranks 1 to the portfolio's size), and means are over the datasets that
    evaluated a configuration, shrunk towards the middle rank and the median
    score by :func:`~autometa.metalearn._data.tried_mean`.

    Parameters
    ----------
    metric : str, optional
        Metric to rank on (default: each kind's primary metric).
    selection : {"score", "coverage"}
        ``"score"`` (default) is the plain baseline. ``"coverage"`` keeps the
        first pick and then picks greedily to cover every training dataset: a
        task-independent greedy portfolio.

    Examples
    --------
    >>> from autometa.metalearn import AverageRank, synthetic_knowledge_base
    >>> kb = synthetic_knowledge_base()
    >>> learner = AverageRank().fit(kb)
    >>> learner.rank(kb.metafeatures.iloc[0], kind="binary", top=1)["config_id"].tolist()
    ['gamma-000']
    """

    name = "average_rank"

    def __init__(self, *, metric: str | None = None, selection: str = "score") -> None:
        self.metric = metric
        self.selection = selection

    def _fit_group(self, data: GroupData, knowledge_base: Any) -> dict[str, Any]:
        return {"mean_rank": mean_rank(rank_matrix(data.raw, data.tried), data.tried),
                "mean_score": tried_mean(data.norm, data.tried), "n_datasets": len(data.datasets)}

    def _predict(self, state: dict[str, Any], data: GroupData, task: Any) -> Prediction:
        mean_rank, n = state["mean_rank"], state["n_datasets"]

        def why(i: int) -> str:
            return f"mean rank {mean_rank[i]:.1f} of {data.n_configs} over {n} datasets"

        m = len(data.datasets)
        return Prediction(scores=state["mean_score"], key=-mean_rank, scenarios=data.norm,
                          weights=np.full(m, 1.0 / m), neighbours=pd.DataFrame(columns=["distance", "weight"]),
                          why=why)
