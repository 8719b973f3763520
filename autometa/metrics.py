"""The metric vocabulary: names per task kind, which way is better, the default, and the one check.

Every part of autometa that takes a ``metric`` (the knowledge base, the meta-learners,
``recommend``, the search, the estimators, the CLI) reads it from here.

Examples
--------
>>> from autometa.metrics import check_metric, metrics_for
>>> metrics_for("regression")
('r2', 'rmse', 'mae')
>>> check_metric(None, "binary", "fit")
'balanced_accuracy'
"""

from __future__ import annotations

import numpy as np

from autometa.exceptions import DataError

__all__ = ["CLASSIFICATION_METRICS", "FLOOR", "GREATER_IS_BETTER", "PRIMARY_METRIC", "REGRESSION_METRICS", "check_metric",
           "metrics_for", "normalise_scores"]

CLASSIFICATION_METRICS = ("accuracy", "balanced_accuracy", "roc_auc", "log_loss")
REGRESSION_METRICS = ("r2", "rmse", "mae")

#: the metric that ranks configurations, per kind of task
PRIMARY_METRIC = {"binary": "balanced_accuracy", "multiclass": "balanced_accuracy", "regression": "r2"}

GREATER_IS_BETTER = {"accuracy": True, "balanced_accuracy": True, "roc_auc": True, "log_loss": False,
                     "r2": True, "rmse": False, "mae": False}


def metrics_for(kind: str) -> tuple[str, ...]:
    """The metric names of a task kind (``"binary"``, ``"multiclass"``, ``"regression"``; ``"classification"``)."""
    return REGRESSION_METRICS if kind == "regression" else CLASSIFICATION_METRICS


def check_metric(metric: str | None, kind: str, owner: str) -> str:
    """``metric``, or the kind's primary metric for None; a one-line :class:`DataError` naming ``owner`` otherwise.

    Examples
    --------
    >>> check_metric("mae", "regression", "fit")
    'mae'
    >>> check_metric("r2", "binary", "recommend")
    Traceback (most recent call last):
    ...
    autometa.exceptions.DataError: The 'metric' parameter of recommend must be None or one of accuracy, \
balanced_accuracy, roc_auc, log_loss for a binary task. Got 'r2'.
    """
    if metric is None:
        return PRIMARY_METRIC["regression" if kind == "regression" else "binary"]
    own = metrics_for(kind)
    if metric not in own:
        raise DataError(f"The 'metric' parameter of {owner} must be None or one of {', '.join(own)} for a "
                        f"{kind} task. Got {metric!r}.")
    return metric


#: normalised scores are clipped below at this value (failures get it too). Low enough that a
#: configuration which collapses on some datasets (10 best-median gaps below the median)
#: weighs in a mean as it weighs in the regret the evaluation reports (a floor of -1
#: hid such risks: first picks were worse on the partial PMLB base, docs/benchmarks.md),
#: high enough that one disaster cannot swamp everything else.
FLOOR = -10.0


def normalise_scores(scores: np.ndarray, floor: float | None = FLOOR) -> np.ndarray:
    """Per-row normalisation: ``(s - median) / (best - median)``.

    1 is the row's best score, 0 its median. NaN (failed configurations) become the
    ``floor``, and values are clipped below at ``floor`` (unless it is ``None``, in
    which case NaN stay NaN and nothing is clipped). A row whose best equals its
    median gets 1 for the best configurations and ``floor`` for the others.

    Examples
    --------
    >>> normalise_scores(np.array([[0.5, 0.7, 0.9, np.nan]]))
    array([[ -1.,   0.,   1., -10.]])
    """
    scores = np.asarray(scores, dtype=float)
    if scores.ndim == 1:
        return normalise_scores(scores[None, :], floor)[0]
    out = np.full_like(scores, np.nan)
    valid_rows = np.isfinite(scores).any(axis=1)
    if valid_rows.any():
        s = scores[valid_rows]
        best = np.nanmax(s, axis=1, keepdims=True)
        med = np.nanmedian(s, axis=1, keepdims=True)
        gap = best - med
        flat = gap[:, 0] < 1e-12
        with np.errstate(invalid="ignore", divide="ignore"):
            z = (s - med) / np.where(flat[:, None], 1.0, gap)
        low = FLOOR if floor is None else floor
        z[flat] = np.where(s[flat] >= best[flat] - 1e-12, 1.0, low)
        out[valid_rows] = z
    if floor is not None:
        out = np.where(np.isnan(out), floor, np.maximum(out, floor))
    return out
