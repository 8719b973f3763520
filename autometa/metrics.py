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

from autometa.exceptions import DataError

__all__ = ["CLASSIFICATION_METRICS", "GREATER_IS_BETTER", "PRIMARY_METRIC", "REGRESSION_METRICS", "check_metric",
           "metrics_for"]

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
