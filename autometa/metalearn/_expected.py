"""What a recommended configuration scored where it was learned: an expected score on the metric, with a range.

A learner's ``predicted_score`` is on its own scale (normalised: 1 = as good as the
best configuration of a dataset, 0 = as the median one) and only orders a list. A user
asks what to expect: here, the configuration's cross-validated score on the datasets
the ranking leans on (``rank(...).attrs["neighbours"]``), weighted as the learner
weighs them, on the knowledge base's metric: ``expected_score`` (the weighted mean) and
``expected_low`` / ``expected_high`` (the weighted 10th and 90th percentiles). It is a
statement about the neighbours, not a promise about your data: how well it carries
over is measured in docs/benchmarks.md ("Expected scores").
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["EXPECTED_COLUMNS", "weighted_quantile", "with_expected_scores"]

EXPECTED_COLUMNS = ["expected_score", "expected_low", "expected_high"]
#: metrics whose neighbours' values carried over to new datasets (classification's; see the module's text)
CARRIES_OVER = frozenset({"accuracy", "balanced_accuracy", "roc_auc", "log_loss"})
#: the range's percentiles
LOW, HIGH = 0.1, 0.9


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q`` quantile of ``values`` weighted by ``weights`` (linear between the weights' midpoints).

    Examples
    --------
    >>> weighted_quantile(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 1.0]), 0.5)
    2.0
    >>> weighted_quantile(np.array([1.0, 2.0]), np.array([3.0, 1.0]), 0.5)
    1.25
    """
    order = np.argsort(values, kind="stable")
    v, w = values[order], weights[order]
    mid = (np.cumsum(w) - 0.5 * w) / w.sum()
    return float(np.interp(q, mid, v))


def with_expected_scores(table: pd.DataFrame, fitted: Any, kind: str) -> pd.DataFrame:
    """``table`` (a ranking) with :data:`EXPECTED_COLUMNS` from ``fitted``'s knowledge base and its neighbours.

    NaN where the learner names no neighbours (average rank), where the
    configuration is not in the base (a recorded run's), where it failed on every
    neighbour, or in regression (where the neighbours' scores did not carry over).
    """
    from autometa.metrics import GREATER_IS_BETTER

    out = table.assign(**{c: np.nan for c in EXPECTED_COLUMNS})
    data = getattr(fitted, "data_", {}).get("regression" if kind == "regression" else "classification")
    neighbours = [n for n in table.attrs.get("neighbours", []) if n.get("weight", 0) > 0]
    if data is None or not neighbours or not len(table) or data.metric not in CARRIES_OVER:
        return out
    known = set(data.datasets)
    neighbours = [n for n in neighbours if n["dataset"] in known]
    if not neighbours:
        return out
    rows = data.rows_of([n["dataset"] for n in neighbours])
    weights = np.array([n["weight"] for n in neighbours], dtype=float)
    column = {str(c): j for j, c in enumerate(data.config_ids)}
    sign = 1.0 if GREATER_IS_BETTER.get(data.metric, True) else -1.0  # the base stores losses negated
    values = np.full((len(table), 3), np.nan)
    for i, config in enumerate(table["config_id"].astype(str)):
        j = column.get(config)
        if j is None:
            continue
        v = data.raw[rows, j]
        ok = np.isfinite(v) & (data.tried[rows, j] if data.tried.shape == data.raw.shape else True)
        if not ok.any():
            continue
        v, w = sign * v[ok], weights[ok]
        low, high = weighted_quantile(v, w, LOW), weighted_quantile(v, w, HIGH)
        values[i] = (weighted_quantile(v, w, 0.5), low, high)
    out[EXPECTED_COLUMNS] = values
    out.attrs = dict(table.attrs)
    return out
