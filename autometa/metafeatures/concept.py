"""Concept meta-features: how the target varies between close rows (pymfe's ``concept``; Rivolli et al.).

Distances are Euclidean between rows of ``N`` scaled to [0, 1] per column
(scikit-learn's ``MinMaxScaler``, as pymfe). For each row ``i``, over every other
row ``j`` at distance ``d``, with ``m`` columns (pymfe's definitions and constants):

===============  ================================================================================
name             per row ``i`` (summarised over rows)
===============  ================================================================================
cohesiveness     sum of ``2 ** -ceil(d)`` (``ceil(d)`` of 0 counted as 1)
conceptvar       share of the weight ``2 ** (-2 d / (sqrt(m) - d))`` (the denominator floored at
                 1e-9) on rows of another class
impconceptvar    sum of ``2 ** -ceil(d)`` over rows of another class
wg_dist          mean distance weighted by ``2 ** (-2 d / (sqrt(m) - d))``
===============  ================================================================================

Every pair of rows counts, so the group uses the sample of at most
``model_max_rows`` rows (5,000 by default) of the model-based and landmarking groups
(pymfe uses every row: the two agree up to there), in blocks of rows instead of
pymfe's whole distance matrix (memory grows with the rows, not their square).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from autometa.metafeatures._engine import intermediate, metafeature

__all__: list[str] = []

_GROUP = "concept"
#: pymfe's floor of ``sqrt(m) - d`` (``concept_minimum`` = 10e-10)
_MINIMUM = 10e-10
#: rows per block of the distance matrix
_BLOCK = 512


def _blocks(N_scaled: np.ndarray) -> Iterator[tuple[slice, np.ndarray]]:
    from scipy.spatial.distance import cdist

    n = N_scaled.shape[0]
    for start in range(0, n, _BLOCK):
        rows = slice(start, min(start + _BLOCK, n))
        yield rows, cdist(N_scaled[rows], N_scaled)


@intermediate
def N_scaled(N_model: np.ndarray) -> np.ndarray:
    from sklearn.preprocessing import MinMaxScaler

    return MinMaxScaler(feature_range=(0, 1)).fit_transform(N_model)


@intermediate
def concept_sums(N_scaled: np.ndarray, y_model: np.ndarray | None, kind: str | None) -> dict[str, np.ndarray]:
    """Per row: the four features' weighted sums, from one pass over the distance matrix in blocks."""
    classes = y_model if kind in ("binary", "multiclass") else None
    n, m = N_scaled.shape
    out = {k: np.zeros(n) for k in ("w", "w_other", "wd", "r", "r_other")}
    root = np.sqrt(m)
    for rows, d in _blocks(N_scaled):
        idx = np.arange(rows.start, rows.stop)
        div = root - d
        div[div <= 0] = _MINIMUM
        w = np.power(2.0, -2.0 * (d / div))
        radius = np.ceil(d).astype(int)
        radius[radius == 0] = 1
        r = np.power(2.0, -1.0 * radius)
        w[np.arange(len(idx)), idx] = 0.0  # a row is not its own neighbour
        r[np.arange(len(idx)), idx] = 0.0
        out["w"][idx] = w.sum(axis=1)
        out["wd"][idx] = (w * d).sum(axis=1)
        out["r"][idx] = r.sum(axis=1)
        if classes is not None:
            other = classes[idx][:, None] != classes[None, :]
            out["w_other"][idx] = (w * other).sum(axis=1)
            out["r_other"][idx] = (r * other).sum(axis=1)
    return out


@metafeature(_GROUP, summarised=True)
def cohesiveness(concept_sums: dict[str, np.ndarray]) -> np.ndarray:
    return concept_sums["r"]


@metafeature(_GROUP, target="class", summarised=True)
def conceptvar(concept_sums: dict[str, np.ndarray]) -> np.ndarray:
    return concept_sums["w_other"] / concept_sums["w"]


@metafeature(_GROUP, target="class", summarised=True)
def impconceptvar(concept_sums: dict[str, np.ndarray]) -> np.ndarray:
    return concept_sums["r_other"]


@metafeature(_GROUP, summarised=True)
def wg_dist(concept_sums: dict[str, np.ndarray]) -> np.ndarray:
    return concept_sums["wd"] / concept_sums["w"]
