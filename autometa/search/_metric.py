"""What a search optimises: one of autometa's metrics, any scikit-learn scorer name, or a scorer callable.

autometa's own metrics (:mod:`autometa.metrics`: ``balanced_accuracy``, ``roc_auc``,
``log_loss``, ``r2``, ``rmse``, ``mae``...) are what the knowledge base was measured
in; the meta-learner ranks configurations by them. Any other scikit-learn scorer name
(``"f1"``, ``"precision_macro"``, ``"neg_median_absolute_error"``...) or a scorer
callable (``make_scorer(fbeta_score, beta=2)``: called as ``scorer(estimator, X, y)``,
greater is better) is optimised by the search, while the recommendations are ranked
by the kind's primary metric, the closest the knowledge base has.

scikit-learn names of autometa's metrics are the same metric under autometa's name
and sign: ``neg_log_loss`` is ``log_loss`` (lower is better), ``roc_auc_ovr`` is
``roc_auc``, ``neg_root_mean_squared_error`` is ``rmse``, ``neg_mean_absolute_error``
is ``mae``.

A scorer needs an estimator; the search has predictions (out-of-fold, averaged over
ensemble members). :class:`_Replay` is an estimator that returns them, so a scorer
scores exactly what it would score on the fitted model: ``predict``, ``predict_proba``
and ``decision_function`` with the original class labels, ``sample_weight`` passed on.
"""

from __future__ import annotations

import inspect
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.metaestimators import available_if

from autometa.exceptions import DataError

__all__ = ["SearchMetric", "resolve_metric"]

#: scikit-learn scorer names that are autometa metrics (autometa's name and sign are used)
SKLEARN_ALIASES = {"neg_log_loss": "log_loss", "roc_auc_ovr": "roc_auc", "neg_root_mean_squared_error": "rmse",
                   "neg_mean_absolute_error": "mae"}


class _ReplayClassifier(ClassifierMixin, BaseEstimator):
    """Returns stored class predictions, whatever ``X`` (its rows are the stored ones)."""

    def __init__(self, classes: np.ndarray, labels: np.ndarray, proba: np.ndarray | None,
                 is_proba: bool) -> None:
        self.classes_ = classes
        self.labels = labels
        self.proba = proba
        self.is_proba = is_proba

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[self.labels]

    @available_if(lambda self: self.is_proba and self.proba is not None)
    def predict_proba(self, X: Any) -> np.ndarray:
        assert self.proba is not None
        return self.proba

    @available_if(lambda self: self.proba is not None)
    def decision_function(self, X: Any) -> np.ndarray:
        assert self.proba is not None
        return self.proba[:, 1] if self.proba.shape[1] == 2 else self.proba


class _ReplayRegressor(RegressorMixin, BaseEstimator):
    def __init__(self, values: np.ndarray) -> None:
        self.values = values

    def predict(self, X: Any) -> np.ndarray:
        return self.values


@dataclass(frozen=True)
class SearchMetric:
    """The metric a search optimises.

    Attributes
    ----------
    name : str
        autometa's metric name, the scikit-learn scorer's name, or the callable's repr.
    greater_is_better : bool
    knowledge : str
        The knowledge base's metric the recommendations are ranked by.
    scorer : callable, optional
        A scikit-learn scorer (None: one of autometa's metrics).
    classes : ndarray, optional
        The original class labels a scorer sees (encoded label ``i`` is ``classes[i]``).
    """

    name: str
    greater_is_better: bool
    knowledge: str
    scorer: Callable[..., float] | None = None
    classes: np.ndarray | None = field(default=None, compare=False)

    @property
    def builtin(self) -> bool:
        """Whether this is one of autometa's metrics (the knowledge base's vocabulary)."""
        return self.scorer is None

    def score(self, y: np.ndarray, pred: np.ndarray, proba: np.ndarray | None, is_proba: bool,
              n_classes: int | None, sample_weight: np.ndarray | None = None) -> float:
        """The metric of predictions on encoded targets ``y`` (:func:`autometa.scoring.predict_for_scoring`'s output).

        Examples
        --------
        >>> m = resolve_metric("f1", "binary", "fit", classes=np.array([0, 1]))
        >>> m.score(np.array([0, 1, 1]), np.array([0, 1, 0]), None, False, 2)  # F1 of class 1
        0.6666666666666666
        """
        if self.scorer is None:
            from autometa.scoring import score_arrays

            return float(score_arrays(y, pred, proba, is_proba, n_classes, sample_weight)[self.name])
        if n_classes is None:
            replay: BaseEstimator = _ReplayRegressor(np.asarray(pred, dtype=float))
            truth = np.asarray(y, dtype=float)
        else:
            classes = self.classes if self.classes is not None else np.arange(n_classes)
            replay = _ReplayClassifier(np.asarray(classes), np.asarray(pred, dtype=int), proba, is_proba)
            truth = np.asarray(classes)[np.asarray(y, dtype=int)]
        X = np.zeros((len(truth), 1))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if sample_weight is None:
                return float(self.scorer(replay, X, truth))
            return float(self.scorer(replay, X, truth, sample_weight=sample_weight))

    def of_average(self, y: np.ndarray, averaged: np.ndarray, n_classes: int | None,
                   sample_weight: np.ndarray | None = None) -> float:
        """The metric of averaged predictions (class probabilities ``(n, k)`` or values): ensemble selection's score."""
        if self.scorer is None and sample_weight is None:
            from autometa.search.ensemble import fast_score

            return fast_score(self.name, y, averaged, n_classes)
        if n_classes is None:
            return self.score(y, averaged, None, False, None, sample_weight)
        return self.score(y, np.argmax(averaged, axis=1), averaged, True, n_classes, sample_weight)


def _kind_group(kind: str) -> str:
    return "regression" if kind == "regression" else "classification"


def resolve_metric(metric: Any, kind: str, owner: str, classes: np.ndarray | None = None) -> SearchMetric:
    """``metric`` (None, a name or a scorer callable) for a task of ``kind``, checked (a one-line :class:`DataError`).

    Examples
    --------
    >>> resolve_metric(None, "binary", "fit").name
    'balanced_accuracy'
    >>> m = resolve_metric("neg_mean_absolute_error", "regression", "fit")
    >>> m.name, m.greater_is_better
    ('mae', False)
    >>> m = resolve_metric("f1_macro", "multiclass", "fit")
    >>> m.name, m.greater_is_better, m.knowledge
    ('f1_macro', True, 'balanced_accuracy')
    """
    from sklearn.metrics import get_scorer, get_scorer_names

    from autometa.metrics import (
        CLASSIFICATION_METRICS,
        GREATER_IS_BETTER,
        PRIMARY_METRIC,
        check_metric,
        metrics_for,
    )

    primary = PRIMARY_METRIC["regression" if kind == "regression" else "binary"]
    if metric is None:
        return SearchMetric(primary, True, primary, classes=classes)
    if isinstance(metric, str):
        name = SKLEARN_ALIASES.get(metric, metric)
        if name in GREATER_IS_BETTER:
            name = check_metric(name, kind, owner)  # roc_auc for a regression task: the kind's error
            return SearchMetric(name, bool(GREATER_IS_BETTER[name]), name, classes=classes)
        if metric not in get_scorer_names():
            raise DataError(f"The 'metric' parameter of {owner} must be None, one of {', '.join(metrics_for(kind))}, "
                            f"a scikit-learn scorer name (sklearn.metrics.get_scorer_names()) or a scorer callable. "
                            f"Got {metric!r}.")
        scorer = get_scorer(metric)
        if kind == "regression" and metric in _classification_scorers():
            raise DataError(f"The 'metric' parameter of {owner} names the classification scorer {metric!r} for a "
                            f"regression task; pass a regression metric ({', '.join(metrics_for(kind))}, 'neg_median_absolute_error', ...).")
        if kind != "regression" and metric not in _classification_scorers():
            raise DataError(f"The 'metric' parameter of {owner} names the regression scorer {metric!r} for a "
                            f"{kind} task; pass a classification metric ({', '.join(CLASSIFICATION_METRICS)}, 'f1', ...).")
        return SearchMetric(metric, True, primary, scorer, classes)
    if callable(metric):
        params = list(inspect.signature(metric).parameters) if _has_signature(metric) else []
        if params[:1] == ["y_true"]:
            raise DataError(f"The 'metric' parameter of {owner} must be a scorer called as scorer(estimator, X, y); "
                            f"{getattr(metric, '__name__', metric)!r} takes (y_true, y_pred): wrap it as "
                            f"sklearn.metrics.make_scorer({getattr(metric, '__name__', 'metric')}).")
        return SearchMetric(_callable_name(metric), True, primary, metric, classes)
    raise DataError(f"The 'metric' parameter of {owner} must be None, a metric name or a scorer callable. "
                    f"Got {metric!r}.")


def _classification_scorers() -> frozenset[str]:
    from sklearn.metrics import get_scorer_names

    prefixes = ("accuracy", "balanced_accuracy", "f1", "precision", "recall", "jaccard", "roc_auc", "average_precision",
                "neg_log_loss", "neg_brier_score", "top_k_accuracy", "matthews_corrcoef", "adjusted_", "completeness",
                "homogeneity", "v_measure", "mutual_info", "normalized_mutual", "fowlkes", "rand_score",
                "positive_likelihood", "neg_negative_likelihood", "d2_log_loss", "d2_brier")
    return frozenset(n for n in get_scorer_names() if n.startswith(prefixes))


def _has_signature(obj: Any) -> bool:
    try:
        inspect.signature(obj)
    except (TypeError, ValueError):
        return False
    return True


def _callable_name(metric: Any) -> str:
    text = repr(metric)
    if text.startswith("<function"):
        return str(getattr(metric, "__name__", text))
    return text if len(text) <= 80 else text[:77] + "..."


def check_scorer_runs(metric: SearchMetric, y: np.ndarray, n_classes: int | None, owner: str,
                      sample_weight: np.ndarray | None = None) -> None:
    """Score the constant prediction once: a scorer that cannot score this task fails here, in one line, not in every trial."""
    if metric.scorer is None:
        return
    if n_classes is None:
        pred = np.full(len(y), float(np.mean(y)))
        proba = None
    else:
        prior = np.bincount(y, minlength=n_classes) / len(y)
        pred = np.full(len(y), int(np.argmax(prior)))
        proba = np.tile(prior, (len(y), 1))
    try:
        value = metric.score(y, pred, proba, proba is not None, n_classes, sample_weight)
    except Exception as exc:
        last = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"The 'metric' parameter of {owner} ({metric.name}) cannot score this task: "
                        f"{type(exc).__name__}: {last}") from None
    if not math.isfinite(value) and n_classes is None:  # a constant prediction may score NaN in classification
        raise DataError(f"The 'metric' parameter of {owner} ({metric.name}) returned {value} for the mean "
                        "prediction; it must return a finite number.")
