"""Intermediates shared by several groups: the numeric and discrete views of the data.

``N`` (numeric view, for statistical, landmarking and model-based features)
    The numeric attributes, then the categorical ones one-hot encoded: every level
    of the first categorical attribute, every level but the first of the others.
    This is pymfe's default ``transform_cat="gray"`` (patsy's ``~ 0 + C0 + C1 ...``):
    no intercept, so the first attribute keeps all its levels.

``C`` (discrete view, for information-theoretic features)
    The categorical attributes' level codes, then the numeric attributes
    discretised into ``int(n ** (1/3))`` equal-frequency bins (``n`` rows; the cube
    root is taken in floating point, so 1,000 rows give 9 bins, as in pymfe): the
    bin edges are the column's linear quantiles at ``1/b, 2/b, ..., 1``, edges
    closer than 1e-8 to the previous one are dropped, and a value's bin is the
    first edge it does not exceed.

``N_model``, ``y_model``
    The rows landmarking and model-based features fit models on (see
    ``model_max_rows`` in :mod:`autometa.metafeatures._prepare`).
"""

from __future__ import annotations

import numpy as np

from autometa.metafeatures._engine import intermediate

__all__ = ["linear_quantiles_sorted", "discretise", "bin_codes", "sort_columns"]

_EDGE_TOL = 1e-8
# cells of the uniform grid that finds a value's bin without a binary search
_GRID = 4096


def linear_quantiles_sorted(S: np.ndarray, qs: np.ndarray) -> np.ndarray:
    """numpy's linear quantiles of each column of the column-sorted ``S``, bit for bit.

    Same arithmetic as :func:`numpy.quantile` (virtual index ``(n-1)q``, the same
    two-sided interpolation), without partitioning again: shape ``(len(qs), m)``.
    """
    n = S.shape[0]
    qs = np.asarray(qs, dtype=float)
    virtual = (n - 1) * qs
    prev = np.floor(virtual)
    nxt = prev + 1
    above = virtual >= n - 1
    prev[above] = -1
    nxt[above] = -1
    gamma = (virtual - prev)[:, None]
    a = S[prev.astype(np.intp)]
    b = S[nxt.astype(np.intp)]
    diff = b - a
    out = a + diff * gamma
    return np.where(gamma >= 0.5, b - diff * (1 - gamma), out)


def bin_codes(x: np.ndarray, edges: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """``numpy.searchsorted(edges, x, side="left")`` for ``x`` within ``[lo, hi]``, exactly, faster.

    A value's cell on a uniform grid of ``_GRID`` cells over ``[lo, hi]`` is a
    monotone function of the value (each floating-point step is), so a value in a
    cell holding no edge is above exactly the edges of the cells before it, and
    one in a cell holding a single edge needs one comparison. Values in cells
    holding several edges, and columns where that is most of them (very skewed
    data), use the binary search.
    """
    if edges.size <= 1 or not hi > lo or not np.isfinite(hi - lo):
        return np.searchsorted(edges, x, side="left")
    scale = _GRID / (hi - lo)
    edge_cell = np.minimum(((edges - lo) * scale).astype(np.intp), _GRID - 1)
    per_cell = np.bincount(edge_cell, minlength=_GRID)
    crowded = per_cell[edge_cell] > 1
    if crowded.mean() > 0.3:  # each edge interval holds about the same number of values
        return np.searchsorted(edges, x, side="left")
    below = np.cumsum(per_cell) - per_cell
    single_edge = np.full(_GRID, np.inf)
    single_edge[edge_cell[~crowded]] = edges[~crowded]
    cell = np.minimum(((x - lo) * scale).astype(np.intp), _GRID - 1)
    code = below[cell]
    code += x > single_edge[cell]
    slow = per_cell[cell] > 1
    if slow.any():
        code[slow] = np.searchsorted(edges, x[slow], side="left")
    return code


def discretise(X_num: np.ndarray, X_num_sorted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Equal-frequency bin codes of every column, and the number of bins of each."""
    n, m = X_num.shape
    codes = np.empty((n, m), dtype=np.intp, order="F")
    levels = np.zeros(m, dtype=np.intp)
    if m == 0:
        return codes, levels
    n_bins = max(int(n ** (1 / 3)), 1)
    edges = linear_quantiles_sorted(X_num_sorted, np.linspace(0, 1, n_bins + 1)[1:])
    keep = np.ones_like(edges, dtype=bool)
    keep[1:] = np.diff(edges, axis=0) > _EDGE_TOL
    for j in range(m):
        e = np.unique(edges[keep[:, j], j])
        codes[:, j] = bin_codes(X_num[:, j], e, X_num_sorted[0, j], X_num_sorted[-1, j])
        levels[j] = e.size
    return codes, levels


def sort_columns(A: np.ndarray) -> np.ndarray:
    """Each column sorted, as a new Fortran array (column by column: stays in cache)."""
    out = np.empty(A.shape, dtype=A.dtype, order="F")
    for j in range(A.shape[1]):
        out[:, j] = A[:, j]
        out[:, j].sort()
    return out


@intermediate
def X_num_sorted(X_num: np.ndarray) -> np.ndarray:
    return sort_columns(X_num)


@intermediate
def dummies(X_cat: np.ndarray, cat_levels: np.ndarray) -> np.ndarray:
    n, k = X_cat.shape
    widths = [int(cat_levels[i]) - (i > 0) for i in range(k)]
    out = np.zeros((n, sum(widths)), order="F")
    rows = np.arange(n)
    start = 0
    for i, w in enumerate(widths):
        codes = X_cat[:, i] - (i > 0)  # every level but the first of later attributes
        hit = codes >= 0
        out[rows[hit], start + codes[hit]] = 1.0
        start += w
    return out


@intermediate
def N(X_num: np.ndarray, dummies: np.ndarray) -> np.ndarray:
    if dummies.shape[1] == 0:
        return X_num
    return np.asfortranarray(np.hstack([X_num, dummies]))


@intermediate
def N_sorted(X_num_sorted: np.ndarray, dummies: np.ndarray) -> np.ndarray:
    if dummies.shape[1] == 0:
        return X_num_sorted
    n = dummies.shape[0]
    ones = dummies.sum(axis=0).astype(np.intp)
    sorted_dummies = (np.arange(n)[:, None] >= (n - ones)[None, :]).astype(float)
    return np.asfortranarray(np.hstack([X_num_sorted, sorted_dummies]))


@intermediate
def discretised(X_num: np.ndarray, X_num_sorted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return discretise(X_num, X_num_sorted)


@intermediate
def C(X_cat: np.ndarray, discretised: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    if X_cat.shape[1] == 0:
        return discretised[0]
    return np.asfortranarray(np.hstack([X_cat, discretised[0]]))


@intermediate
def C_levels(cat_levels: np.ndarray, discretised: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    return np.concatenate([cat_levels, discretised[1]]).astype(np.intp)


@intermediate
def n_classes(class_freqs: np.ndarray) -> int:
    return int(class_freqs.size)


@intermediate
def class_onehot(y: np.ndarray, class_freqs: np.ndarray) -> np.ndarray:
    out = np.zeros((y.size, class_freqs.size))
    out[np.arange(y.size), y] = 1.0
    return out


@intermediate
def N_model(N: np.ndarray, model_rows: np.ndarray | None) -> np.ndarray:
    return N if model_rows is None else np.ascontiguousarray(N[model_rows])


@intermediate
def y_model(y: np.ndarray | None, model_rows: np.ndarray | None) -> np.ndarray | None:
    return y if model_rows is None or y is None else y[model_rows]


def _class_masks(y: np.ndarray) -> np.ndarray:
    return np.array([y == c for c in np.unique(y)], dtype=bool)


@intermediate
def class_masks(y: np.ndarray) -> np.ndarray:
    """One boolean row per class (sorted), True on its rows (pymfe's ``cls_inds``)."""
    return _class_masks(y)


@intermediate
def class_masks_model(y_model: np.ndarray) -> np.ndarray:
    """:func:`class_masks` of the model sample (classes present in it)."""
    return _class_masks(y_model)
