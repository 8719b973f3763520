"""A LightGBM model over (task vector, configuration encoding) that scores configurations.

One training row per (training dataset, configuration): the dataset's task vector
(an encoder's output; scaled meta-features by default) next to the
configuration's encoding (family and parameters), with the configuration's
normalised score as the target; cells a dataset never evaluated (sparse user
bases) are left out. Two objectives:

- ``"regression"``: predict the normalised score (L2);
- ``"lambdarank"``: learn the order within each dataset (one query group per
  dataset), with relevance levels from the normalised score.

``autometa metadata evaluate`` compares them (docs/benchmarks.md).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from autometa.metalearn._base import (
    MetaLearner,
    Prediction,
    _is_int_at_least,
    _is_real,
    neighbour_why,
)
from autometa.metalearn._data import GroupData
from autometa.metalearn._encoding import encode_configurations, encode_query
from autometa.metalearn._neighbours import fit_encoder, learn_feature_weights, nearest

__all__ = ["LightGBMRanker"]


class LightGBMRanker(MetaLearner):
    """Score every configuration for a task with one gradient-boosted model.

    Parameters
    ----------
    objective : {"lambdarank", "regression"}
        LambdaRank with one group per dataset (the default: under
        leave-one-family-out it won on more held-out datasets than regression
        did, docs/benchmarks.md), or regression on normalised scores.
    n_estimators, learning_rate, num_leaves, min_child_samples : int or float
        LightGBM's parameters of the same names.
    target_floor : float
        Regression only: normalised scores are clipped below at this value for
        training (squared loss is sensitive to the long tail of collapsed
        configurations that the learners' shared floor keeps).
    relevance_levels : int
        LambdaRank only: normalised scores in [0, 1] are cut into this many levels
        (below the median: 0).
    n_neighbors : int
        Nearest training datasets (in the encoder's space) that the coverage
        selection covers and the explanations cite.
    encoder : object, optional
        Task encoder (``transform(task) -> vector``); default
        :class:`~autometa.metalearn.MetafeatureEncoder`. A learned representation
        plugs in here, alone or with meta-features through
        :class:`~autometa.metalearn.ConcatEncoder`.
    metric : str, optional
        Metric to rank on (default: each kind's primary metric).
    selection : {"coverage", "score"}
        Greedy coverage after the model's top pick (diverse), or model score alone.
    random_state : int
        Seed of LightGBM's row and feature subsampling.
    n_jobs : int
        LightGBM threads.

    Examples
    --------
    >>> from autometa.metalearn import LightGBMRanker, synthetic_knowledge_base
    >>> kb = synthetic_knowledge_base()
    >>> learner = LightGBMRanker(n_estimators=50).fit(kb)
    >>> learner.rank(kb.metafeatures.loc["cls_b_00"], kind="binary", top=1)["family"].tolist()
    ['beta']
    """

    name = "ranker"
    _parameter_rules = {
        "objective": (lambda v: v in ("regression", "lambdarank"), "'regression' or 'lambdarank'"),
        "n_estimators": (_is_int_at_least(1), "an int >= 1"),
        "learning_rate": (_is_real(lambda v: v > 0), "a float > 0"),
        "num_leaves": (_is_int_at_least(2), "an int >= 2"),
        "min_child_samples": (_is_int_at_least(1), "an int >= 1"),
        "relevance_levels": (_is_int_at_least(2), "an int >= 2"),
        "target_floor": (_is_real(lambda v: v < 0), "a float < 0"),
        "n_neighbors": (_is_int_at_least(1), "an int >= 1"),
        "encoder": (lambda v: v is None or hasattr(v, "transform"), "None or an object with transform(task)"),
        "random_state": (lambda v: isinstance(v, (int, np.integer)) and not isinstance(v, bool), "an int"),
        "n_jobs": (_is_int_at_least(1), "an int >= 1"),
    }

    def __init__(self, *, objective: str = "lambdarank", n_estimators: int = 200, learning_rate: float = 0.05,
                 num_leaves: int = 31, min_child_samples: int = 20, target_floor: float = -1.0,
                 relevance_levels: int = 10,
                 n_neighbors: int = 10, encoder: Any = None, metric: str | None = None,
                 selection: str = "coverage", random_state: int = 0, n_jobs: int = 1) -> None:
        self.objective = objective
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.target_floor = target_floor
        self.relevance_levels = relevance_levels
        self.n_neighbors = n_neighbors
        self.encoder = encoder
        self.metric = metric
        self.selection = selection
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _model(self) -> Any:
        import lightgbm as lgb

        common: dict[str, Any] = dict(n_estimators=self.n_estimators, learning_rate=self.learning_rate,
                      num_leaves=self.num_leaves, min_child_samples=self.min_child_samples,
                      subsample=0.8, subsample_freq=1, colsample_bytree=0.8, random_state=self.random_state,
                      n_jobs=self.n_jobs, verbose=-1)
        if self.objective == "lambdarank":
            return lgb.LGBMRanker(objective="lambdarank", label_gain=list(range(self.relevance_levels)),
                                  **common)
        return lgb.LGBMRegressor(objective="regression", **common)

    def _fit_group(self, data: GroupData, knowledge_base: Any) -> dict[str, Any]:
        encoder, vectors = fit_encoder(self.encoder, knowledge_base, data)
        cfg = knowledge_base.configurations.loc[list(data.config_ids)]
        config_codes = encode_configurations(cfg).to_numpy(dtype=float)
        keep = data.tried.reshape(-1)  # dataset-major, as the design's rows
        X = _design(vectors, config_codes)[keep]
        target = data.norm.reshape(-1)[keep]
        model = self._model()
        if self.objective == "lambdarank":
            levels = self.relevance_levels - 1
            label = np.rint(np.clip(target, 0.0, 1.0) * levels).astype(int)
            sizes = data.tried.sum(axis=1)
            model.fit(X, label, group=sizes[sizes > 0], categorical_feature=[vectors.shape[1]])
        else:
            model.fit(X, np.maximum(target, self.target_floor), categorical_feature=[vectors.shape[1]])
        return {"encoder": encoder, "vectors": vectors, "config_codes": config_codes, "model": model,
                "feature_weights": learn_feature_weights(vectors, data.norm, data.tried)}

    def _predict(self, state: dict[str, Any], data: GroupData, task: Any) -> Prediction:
        query = encode_query(state["encoder"], task)
        idx, dist = nearest(state["vectors"], query, self.n_neighbors, feature_weights=state["feature_weights"])
        neigh = pd.DataFrame({"distance": dist, "weight": np.full(len(idx), 1.0 / max(len(idx), 1))},
                             index=pd.Index([data.datasets[i] for i in idx], name="dataset"))
        X = _design(query[None, :], state["config_codes"])
        raw = np.asarray(state["model"].predict(X), dtype=float)
        if self.objective == "lambdarank":  # ranking scores: map onto [0, 1] for display
            spread = np.ptp(raw)
            scores = (raw - raw.min()) / spread if spread > 0 else np.zeros_like(raw)
        else:
            scores = raw

        def why(i: int) -> str:
            near = neighbour_why(data, neigh, i)
            return f"model {scores[i]:.2f}" + (f"; {near}" if near else "")

        return Prediction(scores=scores, scenarios=data.norm[idx], weights=neigh["weight"].to_numpy(),
                          neighbours=neigh, why=why)


def _design(vectors: np.ndarray, config_codes: np.ndarray) -> np.ndarray:
    """Rows (dataset, configuration): the task vector then the configuration encoding (family first)."""
    n_data, n_cfg = vectors.shape[0], config_codes.shape[0]
    left = np.repeat(vectors, n_cfg, axis=0)
    right = np.tile(config_codes, (n_data, 1))
    return np.hstack([left, right])
