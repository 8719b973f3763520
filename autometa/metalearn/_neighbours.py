"""Helpers the neighbour-based learners share: fit a task encoder, weigh its features, find the nearest datasets.

Used by :class:`~autometa.metalearn.neighbors.NearestDatasets` and by
:class:`~autometa.metalearn.ranker.LightGBMRanker` (its nearest-dataset features), so
neither imports the other for them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autometa.metalearn._data import GroupData
from autometa.metalearn._encoding import MetafeatureEncoder, encode_knowledge_base

__all__ = ["fit_encoder", "learn_feature_weights", "nearest"]


def fit_encoder(encoder: Any, knowledge_base: Any, data: GroupData) -> tuple[Any, np.ndarray]:
    """Fit a copy of ``encoder`` on the group's training datasets; returns it and their vectors.

    The default :class:`MetafeatureEncoder` learns from the meta-feature table; any
    other encoder gets the knowledge base restricted to the group's datasets.
    """
    import copy

    enc = MetafeatureEncoder() if encoder is None else copy.deepcopy(encoder)
    if isinstance(enc, MetafeatureEncoder):
        enc.fit(data.metafeatures)
        vectors = enc.transform_knowledge_base(data.metafeatures).to_numpy(dtype=float)
    else:
        sub = knowledge_base
        if set(knowledge_base.datasets.index) != set(data.datasets):
            sub = knowledge_base.subset(data.datasets)
        if hasattr(enc, "fit"):
            enc.fit(sub)
        vectors = np.nan_to_num(encode_knowledge_base(enc, sub).reindex(data.datasets).to_numpy(dtype=float))
    if vectors.shape[1] == 0:
        import warnings

        from autometa.exceptions import AutometaWarning

        warnings.warn(f"No usable task-vector dimension for the {data.group} datasets (are the knowledge base's "
                      "meta-features computed?): every training dataset counts as a neighbour.", AutometaWarning,
                      stacklevel=4)
    return enc, vectors


def learn_feature_weights(vectors: np.ndarray, norm: np.ndarray, tried: np.ndarray | None = None) -> np.ndarray:
    """Weights of the task-vector dimensions for distances, learned from the training datasets.

    A dimension's weight is the Spearman correlation (floored at 0), over all pairs
    of training datasets, between the pair's absolute difference on it and the
    distance between their score profiles (mean absolute difference of normalised
    scores, over the configurations both evaluated when ``tried`` masks the
    evaluated cells). Dimensions that do not tell datasets with different best
    configurations apart get weight 0. Weights sum to the number of dimensions;
    uniform when nothing correlates or there are fewer than 4 datasets.

    Examples
    --------
    >>> V = np.array([[0.0, 5.0], [0.1, -5.0], [3.0, 5.1], [3.1, -4.9]])
    >>> Z = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    >>> learn_feature_weights(V, Z).round(2).tolist()
    [2.0, 0.0]
    """
    n, p = vectors.shape
    if n < 4 or p == 0:
        return np.ones(p)
    if n <= 600:
        a, b = np.triu_indices(n, k=1)
    else:  # large bases: a random sample of pairs keeps memory bounded
        rng = np.random.default_rng(0)
        a, b = rng.integers(0, n, 200_000), rng.integers(0, n, 200_000)
        keep = a != b
        a, b = a[keep], b[keep]
    gaps = np.abs(norm[a] - norm[b])
    if tried is None or tried.all():
        profile = gaps.mean(axis=1)
    else:
        both = tried[a] & tried[b]
        profile = (gaps * both).sum(axis=1) / np.maximum(both.sum(axis=1), 1)
    diffs = np.abs(vectors[a] - vectors[b])
    from scipy.stats import rankdata

    r_profile = rankdata(profile)
    r_profile = (r_profile - r_profile.mean()) / (r_profile.std() or 1.0)
    r_diff = rankdata(diffs, axis=0)
    sd = r_diff.std(axis=0)
    r_diff = (r_diff - r_diff.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    corr = np.where(sd > 0, (r_diff * r_profile[:, None]).mean(axis=0), 0.0)
    w = np.clip(corr, 0.0, None)
    if w.sum() <= 1e-12:
        return np.ones(p)
    return w * p / w.sum()


def nearest(vectors: np.ndarray, query: np.ndarray, k: int, metric: str = "l1",
            feature_weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Indices and distances of the ``k`` rows of ``vectors`` nearest ``query`` (weighted mean per dimension).

    Vectors without any dimension cannot tell rows apart: then every row is
    returned, at distance 0.

    Examples
    --------
    >>> nearest(np.array([[0.0], [1.0], [3.0]]), np.array([0.9]), 2)[0].tolist()
    [1, 0]
    """
    query = np.nan_to_num(np.asarray(query, dtype=float).ravel())
    if vectors.shape[1] != query.shape[0]:
        from autometa.exceptions import DataError

        raise DataError(f"The task vector has {query.shape[0]} dimensions; the learner was fitted on "
                        f"{vectors.shape[1]}. Use the encoder the learner was fitted with.")
    w = np.ones(vectors.shape[1]) if feature_weights is None else np.asarray(feature_weights, dtype=float)
    if vectors.shape[1] == 0:
        return np.arange(len(vectors)), np.zeros(len(vectors))
    diff = vectors - query
    total = max(float(w.sum()), 1e-12)
    dist = (np.abs(diff) @ w / total if metric == "l1" else np.sqrt((diff ** 2) @ w / total))
    k = min(k, len(dist))
    idx = np.argsort(dist, kind="stable")[:k]
    return idx, dist[idx]
