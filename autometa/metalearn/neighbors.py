"""Nearest datasets: what was good on the most similar past datasets (auto-sklearn's approach).

Datasets are compared on their task vectors (robustly scaled, imputed
meta-features by default); a configuration's predicted score is its mean
normalised score over those of the ``n_neighbors`` nearest training datasets that
evaluated it (sparse bases). The first pick is the configuration with the best
mean rank there; the rest of the list is picked to cover those datasets' best
configurations, or, in regression by default, follows a LightGBM model of the
normalised score (``follow``).
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
from autometa.metalearn._data import UNKNOWN_WEIGHT, GroupData, mean_rank, rank_matrix, tried_mean
from autometa.metalearn._encoding import encode_query
from autometa.metalearn._neighbours import fit_encoder, learn_feature_weights, nearest

__all__ = ["NearestDatasets", "fit_encoder", "learn_feature_weights", "nearest"]  # the helpers re-exported


class NearestDatasets(MetaLearner):
    """Recommend what was good on the nearest past datasets.

    Parameters
    ----------
    n_neighbors : int
        How many nearest training datasets to learn from.
    weights : {"uniform", "distance"}
        Neighbours count equally, or by inverse distance.
    distance : {"l1", "l2"}
        Distance between task vectors (mean absolute or root mean squared
        difference per dimension).
    feature_weights : {"learned", "uniform"}
        ``"learned"`` weighs each dimension by how well it tells apart training
        datasets with different score profiles (:func:`learn_feature_weights`);
        ``"uniform"`` counts every dimension the same.
    shrinkage : float in [0, 1]
        Weight of the mean over *all* training datasets in the predicted score
        (``(1 - shrinkage) * neighbours + shrinkage * everyone``): a few
        neighbours are a noisy estimate, the global mean a biased one.
    unknown_weight : float >= 0
        Sparse bases: a configuration's score is its mean over the neighbours
        that evaluated it, shrunk towards the median (0) by its confidence
        ``c / (c + unknown_weight * (1 - c))``, where ``c`` is the share of the
        neighbours' weight, times their closeness ``exp(-distance / mean
        distance)``, that evaluated it. One neighbour alone decides only when it
        is much closer than the others. No effect on dense bases.
    encoder : object, optional
        Task encoder (``transform(task) -> vector``); default
        :class:`~autometa.metalearn.MetafeatureEncoder`.
    metric : str, optional
        Metric to rank on (default: each kind's primary metric).
    selection : {"coverage", "score"}
        Greedy coverage of the neighbours' best configurations (diverse), or
        the mean neighbour score alone.
    aggregate : {"score", "rank"}
        What orders the configurations (and makes the first pick): their mean
        normalised score over the neighbours, or their mean rank there (robust
        to one neighbour's outlying scores; with every training dataset as a
        neighbour and ``rank_tolerance=0`` it is average rank's order).
        ``shrinkage`` blends either with the same quantity over all training
        datasets. ``predicted_score`` is the mean normalised score in both cases.
    lead : int >= 1
        With coverage selection, how many first picks go by the ordering alone
        before coverage of the neighbours takes over: the configurations most
        likely to be best come first, the diverse ones right after.
    duplicate_distance : float >= 0
        A neighbour closer than this fraction of the median neighbour distance
        is a near-copy of the task (the same data seen before, say in your own
        recorded runs): near-copies then carry ten times the weight of all other
        neighbours together, so what won on them comes first. 0 turns this off.
    exploitation : float >= 0
        With coverage selection, the weight of a candidate's place in the
        ordering (scaled to [0, 1]) next to its coverage gain: 0 picks for
        coverage alone, larger values prefer configurations good on average
        among those that cover.
    follow : {"auto", "coverage", "model"}
        With coverage selection, what orders the picks after the first ``lead``:
        greedy coverage of the neighbours' best configurations, or the normalised
        score predicted by a LightGBM model over (task vector, configuration
        encoding) trained on every training dataset (:class:`LightGBMRanker` with
        ``objective="regression"``), near-copies of earlier picks waiting.
        ``"auto"`` uses the model for regression and coverage for
        classification, which is what measured best in each group on the shipped
        base under leave-one-family-out (docs/benchmarks.md). The model takes
        about 1.5 s to fit on the shipped base.
    rank_tolerance : float >= 0
        With ``aggregate="rank"``, normalised scores (best minus median = 1) closer
        than this on a dataset count as tied when ranking it: a configuration's
        rank there is one plus the number of configurations better by more than
        ``rank_tolerance``. The default 0.05 is about the standard error of a
        mean score on the least noisy datasets of the shipped base, so that
        differences within measurement noise, repeated on many similar datasets,
        do not decide the first pick (docs/benchmarks.md). 0 ranks by the raw
        scores.

    Examples
    --------
    >>> from autometa.metalearn import NearestDatasets, synthetic_knowledge_base
    >>> kb = synthetic_knowledge_base()
    >>> learner = NearestDatasets(n_neighbors=5).fit(kb)
    >>> query = kb.metafeatures.loc["cls_a_00"]                 # a dataset of cluster A
    >>> learner.rank(query, kind="binary", top=1)["family"].tolist()
    ['alpha']
    """

    name = "neighbors"
    #: learners saved before ``rank_tolerance`` existed ranked by the raw scores
    rank_tolerance: float = 0.0
    #: learners saved before ``follow`` existed ordered by coverage
    follow: str = "coverage"
    #: learners saved before ``n_jobs`` existed
    n_jobs: int = 1
    _parameter_rules = {
        "n_neighbors": (_is_int_at_least(1), "an int >= 1"),
        "weights": (lambda v: v in ("uniform", "distance"), "'uniform' or 'distance'"),
        "distance": (lambda v: v in ("l1", "l2"), "'l1' or 'l2'"),
        "feature_weights": (lambda v: v in ("learned", "uniform"), "'learned' or 'uniform'"),
        "shrinkage": (_is_real(lambda v: 0 <= v <= 1), "a float in [0, 1]"),
        "unknown_weight": (_is_real(lambda v: v >= 0), "a float >= 0"),
        "encoder": (lambda v: v is None or hasattr(v, "transform"), "None or an object with transform(task)"),
        "aggregate": (lambda v: v in ("score", "rank"), "'score' or 'rank'"),
        "lead": (_is_int_at_least(1), "an int >= 1"),
        "duplicate_distance": (_is_real(lambda v: v >= 0), "a float >= 0"),
        "exploitation": (_is_real(lambda v: v >= 0), "a float >= 0"),
        "rank_tolerance": (_is_real(lambda v: v >= 0), "a float >= 0"),
        "follow": (lambda v: v in ("auto", "coverage", "model"), "'auto', 'coverage' or 'model'"),
        "n_jobs": (_is_int_at_least(1), "an int >= 1"),
    }

    def __init__(self, *, n_neighbors: int = 30, weights: str = "uniform", distance: str = "l1",
                 feature_weights: str = "learned", shrinkage: float = 0.0,
                 unknown_weight: float = UNKNOWN_WEIGHT, encoder: Any = None,
                 metric: str | None = None, selection: str = "coverage", aggregate: str = "rank",
                 lead: int = 1, exploitation: float = 0.2, duplicate_distance: float = 0.1,
                 rank_tolerance: float = 0.05, follow: str = "auto", n_jobs: int = 1) -> None:
        self.n_neighbors = n_neighbors
        self.weights = weights
        self.distance = distance
        self.feature_weights = feature_weights
        self.shrinkage = shrinkage
        self.unknown_weight = unknown_weight
        self.encoder = encoder
        self.metric = metric
        self.selection = selection
        self.aggregate = aggregate
        self.lead = lead
        self.exploitation = exploitation
        self.duplicate_distance = duplicate_distance
        self.rank_tolerance = rank_tolerance
        self.follow = follow
        self.n_jobs = n_jobs

    def _fit_group(self, data: GroupData, knowledge_base: Any) -> dict[str, Any]:
        encoder, vectors = fit_encoder(self.encoder, knowledge_base, data)
        fw = learn_feature_weights(vectors, data.norm, data.tried) if self.feature_weights == "learned" else None
        state = {"encoder": encoder, "vectors": vectors, "feature_weights": fw,
                 "global": (data.norm.mean(axis=0) if data.tried.all()
                            else tried_mean(data.norm, data.tried, unknown_weight=self.unknown_weight))}
        if self.aggregate == "rank":
            state["ranks"] = (rank_matrix(data.norm, data.tried, self.rank_tolerance) if self.rank_tolerance > 0
                              else rank_matrix(data.raw, data.tried))
            state["global_rank"] = mean_rank(state["ranks"], data.tried, unknown_weight=self.unknown_weight)
        if self._follows_model(data.group):
            from autometa.metalearn.ranker import LightGBMRanker

            model = LightGBMRanker(objective="regression", encoder=self.encoder, metric=self.metric,
                                   n_jobs=self.n_jobs)
            state["model"] = (model, model._fit_group(data, knowledge_base))
        return state

    def _follows_model(self, group: str) -> bool:
        """Whether picks after the lead follow the LightGBM model in ``group``."""
        if self.selection != "coverage":
            return False
        return self.follow == "model" or (self.follow == "auto" and group == "regression")

    def _neighbours(self, state: dict[str, Any], data: GroupData, task: Any) -> pd.DataFrame:
        query = encode_query(state["encoder"], task)
        idx, dist = nearest(state["vectors"], query, self.n_neighbors, self.distance, state["feature_weights"])
        if self.weights == "distance":
            w = 1.0 / (dist + 1e-3)
        else:
            w = np.ones(len(idx))
        if self.duplicate_distance > 0 and len(dist) > 1:
            copies = dist <= self.duplicate_distance * float(np.median(dist))
            if copies.any() and not copies.all():
                w = w.astype(float)
                w[copies] = 10.0 * w[~copies].sum() / copies.sum()
        return pd.DataFrame({"distance": dist, "weight": w / w.sum()},
                            index=pd.Index([data.datasets[i] for i in idx], name="dataset"))

    def _predict(self, state: dict[str, Any], data: GroupData, task: Any) -> Prediction:
        neigh = self._neighbours(state, data, task)
        rows = data.rows_of(list(neigh.index))
        Z = data.norm[rows]
        w = neigh["weight"].to_numpy()
        T = data.tried[rows]
        if T.all():
            near = w @ Z
        else:
            near = tried_mean(Z, T, w, unknown_weight=0.0)
            # sparse: confidence = the neighbours' weight behind each configuration, closer ones counting
            # more, against unknown_weight x the weight of those that did not evaluate it
            d = neigh["distance"].to_numpy(dtype=float)
            scale = float(d.mean())
            closeness = np.exp(-d / scale) if scale > 0 else np.ones(len(d))
            near = near * tried_mean(np.ones_like(Z), T, w * closeness, unknown_weight=self.unknown_weight)
        scores = (1.0 - self.shrinkage) * near + self.shrinkage * state["global"]
        key = None
        if self.aggregate == "rank":
            local = mean_rank(state["ranks"][rows], T, w, unknown_weight=self.unknown_weight)
            key = -((1.0 - self.shrinkage) * local + self.shrinkage * state["global_rank"])
        extra: dict[str, Any] = {}
        model_scores = None
        if "model" in state:
            model, model_state = state["model"]
            model_scores = model._predict(model_state, data, task).scores
            extra["follow"] = model_scores

        def why(i: int) -> str:
            near = neighbour_why(data, neigh, i)
            if model_scores is None:
                return near
            return f"{near}; model {model_scores[i]:.2f}" if near else f"model {model_scores[i]:.2f}"

        return Prediction(scores=scores, key=key, scenarios=Z, weights=w, neighbours=neigh, why=why, extra=extra)
