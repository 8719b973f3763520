"""Scoring one fitted pipeline: folds, one prediction pass, every metric, and a time limit on a fit.

The knowledge base's build (``knowledge``) and the search (``search``) both score
pipelines this way, so a configuration's score in the base and in a search mean the
same thing.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["FitTimeout", "class_probabilities", "class_scores", "fit_model", "kfold", "predict_for_scoring",
           "score_arrays", "score_predictions", "takes_sample_weight", "time_limit"]


class FitTimeout(Exception):
    """A fit ran past its time limit."""


@contextmanager
def time_limit(seconds: float | None, error: Callable[[str], BaseException] = FitTimeout) -> Iterator[None]:
    """Raise ``error(message)`` in this thread after ``seconds`` (None or <= 0: no limit).

    ``SIGALRM`` in the main thread of a POSIX process; elsewhere (worker threads,
    Windows) the call runs to its end and the caller checks the clock. An outer
    alarm is restored (shortened if due first) afterwards; code that must not be
    interrupted (LightGBM's) runs :func:`autometa._interrupt.shielded`.

    Examples
    --------
    >>> with time_limit(5.0):
    ...     total = sum(range(10))
    """
    if seconds is None or not seconds > 0:
        yield
        return
    from autometa._interrupt import alarm

    with alarm(float(seconds), lambda: error(f"ran past its limit of {max(float(seconds), 1e-3):.3g} s")):
        yield


def takes_sample_weight(model: Any) -> bool:
    """Whether ``model`` (a pipeline: its last step) fits with a ``sample_weight`` (a named or ``**`` parameter).

    Examples
    --------
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from sklearn.linear_model import Ridge
    >>> takes_sample_weight(Ridge()), takes_sample_weight(KNeighborsClassifier())
    (True, False)
    """
    import inspect

    final = model.steps[-1][1] if hasattr(model, "steps") else model
    if hasattr(final, "regressor") and hasattr(final, "transformer"):  # TransformedTargetRegressor passes it on
        final = final.regressor if final.regressor is not None else final
    try:
        params = inspect.signature(final.fit).parameters
    except (TypeError, ValueError):
        return False
    return "sample_weight" in params or any(p.kind == p.VAR_KEYWORD for p in params.values())


def fit_model(model: Any, X: Any, y: np.ndarray, sample_weight: np.ndarray | None = None,
              rows: np.ndarray | None = None) -> Any:
    """``model.fit`` on ``rows`` (None: all) of ``(X, y)``, weighted when ``sample_weight`` is given and the model takes it.

    A pipeline gets the weights as its last step's (``model__sample_weight``); a model
    that cannot take weights (k-NN) is fitted unweighted: the weights still count in
    its score.
    """
    Xr = X if rows is None else X.iloc[rows]
    yr = y if rows is None else y[rows]
    if sample_weight is None or not takes_sample_weight(model):
        return model.fit(Xr, yr)
    w = np.asarray(sample_weight, dtype=float) if rows is None else np.asarray(sample_weight, dtype=float)[rows]
    if hasattr(model, "steps"):
        return model.fit(Xr, yr, **{f"{model.steps[-1][0]}__sample_weight": w})
    return model.fit(Xr, yr, sample_weight=w)


def kfold(y: np.ndarray, classification: bool, n_folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Shuffled k-fold splits of ``len(y)`` rows: stratified when every class (``y`` encoded) has ``n_folds`` rows.

    Examples
    --------
    >>> [len(test) for _, test in kfold(np.arange(10) % 2, True, 3, 0)]
    [4, 3, 3]
    """
    from sklearn.model_selection import KFold, StratifiedKFold

    k = max(min(n_folds, len(y)), 2)
    if classification and np.bincount(y).min() >= k:
        return list(StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(np.zeros(len(y)), y))
    return list(KFold(n_splits=k, shuffle=True, random_state=seed).split(np.zeros(len(y))))


def class_scores(model: Any, X: pd.DataFrame | np.ndarray, n_classes: int) -> tuple[np.ndarray | None, bool]:
    """Class scores for ROC-AUC/log-loss in the global class order, and whether they are probabilities."""
    fitted = np.asarray(model.classes_)
    if hasattr(model, "predict_proba"):
        try:
            raw = np.asarray(model.predict_proba(X), dtype=float)
            is_proba = True
        except AttributeError:  # e.g. SVC(probability=False) exposes it but refuses
            raw, is_proba = None, False
    else:
        raw, is_proba = None, False
    if raw is None:
        if not hasattr(model, "decision_function"):
            return None, False
        raw = np.asarray(model.decision_function(X), dtype=float)
        if raw.ndim == 1:
            raw = np.column_stack([-raw, raw])
    full = np.full((len(X), n_classes), 0.0 if is_proba else -np.inf)
    full[:, fitted] = raw
    if not is_proba:  # a softmax keeps the ranking per class and sums to one
        full = full - full.max(axis=1, keepdims=True)
        full = np.exp(full)
        full /= full.sum(axis=1, keepdims=True)
    return full, is_proba


def predict_for_scoring(model: Any, X: pd.DataFrame | np.ndarray,
                        n_classes: int | None) -> tuple[np.ndarray, np.ndarray | None, bool]:
    """``(predictions, class scores or None, whether the scores are probabilities)``: one prediction pass
    that :func:`score_arrays` scores and the search's out-of-fold store keeps.

    With probabilities, the predicted labels are their arg-max (what every pipeline
    family's ``predict`` returns, checked per family by
    ``tests/test_scoring.py``); an SVM (decision function only) predicts.
    """
    if n_classes is None:
        return np.asarray(model.predict(X), dtype=float), None, False
    scores, is_proba = class_scores(model, X, n_classes)
    if is_proba and scores is not None:
        # every family with probabilities predicts their arg-max (ties: the first class, as they do): one
        # pass instead of two (a 26-class LightGBM spent 5.3 s in predict and 6.7 s in predict_proba)
        return np.argmax(scores, axis=1), scores, is_proba
    return np.asarray(model.predict(X)), scores, is_proba


def class_probabilities(pred: np.ndarray, scores: np.ndarray | None, n_classes: int) -> np.ndarray:
    """The class scores, or, for a model without any, its predicted labels as one-hot rows."""
    return scores if scores is not None else np.eye(n_classes)[np.asarray(pred, dtype=int)]


def score_arrays(y: np.ndarray, pred: np.ndarray, scores: np.ndarray | None, is_proba: bool,
                 n_classes: int | None, sample_weight: np.ndarray | None = None) -> dict[str, float]:
    """Every metric of the task's kind from :func:`predict_for_scoring`'s output, rows weighted by ``sample_weight``."""
    from sklearn import metrics

    w = sample_weight
    out: dict[str, float] = {}
    if n_classes is None:
        out["r2"] = float(metrics.r2_score(y, pred, sample_weight=w)) if len(y) > 1 else np.nan
        out["rmse"] = float(np.sqrt(metrics.mean_squared_error(y, pred, sample_weight=w)))
        out["mae"] = float(metrics.mean_absolute_error(y, pred, sample_weight=w))
        return out
    out["accuracy"] = float(metrics.accuracy_score(y, pred, sample_weight=w))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out["balanced_accuracy"] = float(metrics.balanced_accuracy_score(y, pred, sample_weight=w))
    out["roc_auc"] = out["log_loss"] = np.nan
    if scores is not None:
        present = np.unique(y)
        try:
            if n_classes == 2:
                out["roc_auc"] = (float(metrics.roc_auc_score(y, scores[:, 1], sample_weight=w))
                                  if len(present) == 2 else np.nan)
            elif len(present) > 1:
                sub = scores[:, present]
                sub = sub / np.clip(sub.sum(axis=1, keepdims=True), 1e-12, None)
                out["roc_auc"] = float(metrics.roc_auc_score(y, sub, multi_class="ovr", labels=present,
                                                             sample_weight=w))
        except ValueError:
            pass
        if is_proba:
            out["log_loss"] = float(metrics.log_loss(y, np.clip(scores, 1e-15, 1.0), labels=np.arange(n_classes),
                                                     sample_weight=w))
    return out


def score_predictions(model: Any, X: pd.DataFrame | np.ndarray, y: np.ndarray, n_classes: int | None) -> dict[str, float]:
    """Every metric of the task's kind for a fitted ``model`` on ``(X, y)``."""
    return score_arrays(y, *predict_for_scoring(model, X, n_classes), n_classes)
