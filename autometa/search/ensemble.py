"""Greedy ensemble selection with replacement over out-of-fold predictions (Caruana et al., 2004).

What auto-sklearn and AutoGluon ship as their final model: starting from an empty
ensemble, add (with replacement) the trial whose out-of-fold predictions most improve
the averaged predictions' score, ``size`` times; the weights are how often each trial
was added, taken at the round that scored best (AutoGluon's choice: later rounds that
only add noise are not kept). Classification averages class probabilities,
regression averages predictions.

:class:`OutOfFold` keeps the out-of-fold predictions of the best trials within a
memory cap; :class:`Ensemble` is the fitted model (members refitted on all rows).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["Ensemble", "OutOfFold", "ensemble_selection", "fast_score"]

#: rounds of greedy selection (auto-sklearn's default ensemble_size)
ENSEMBLE_SIZE = 50
#: bytes of out-of-fold predictions kept (float32), and at most this many trials
OOF_MAX_BYTES = 200 * 2**20
OOF_MAX_TRIALS = 40


def fast_score(metric: str, y: np.ndarray, pred: np.ndarray, n_classes: int | None) -> float:
    """``metric`` of averaged predictions ``pred`` (probabilities ``(n, k)`` or values ``(n,)``), fast.

    Balanced accuracy, accuracy, R², RMSE and MAE in NumPy (ensemble selection scores
    thousands of candidate averages); other metrics through scikit-learn.

    Examples
    --------
    >>> fast_score("balanced_accuracy", np.array([0, 0, 0, 1]), np.array([[.9, .1], [.8, .2], [.3, .7], [.4, .6]]), 2)
    0.8333333333333333
    >>> round(fast_score("r2", np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 4.0]), None), 3)
    0.5
    """
    if n_classes is None:
        err = pred - y
        if metric == "r2":
            total = float(np.sum((y - y.mean()) ** 2))
            return 1.0 - float(np.sum(err**2)) / total if total > 0 else 0.0
        if metric == "rmse":
            return float(np.sqrt(np.mean(err**2)))
        if metric == "mae":
            return float(np.mean(np.abs(err)))
        raise ValueError(f"unknown regression metric {metric!r}")
    labels = np.argmax(pred, axis=1)
    if metric == "accuracy":
        return float(np.mean(labels == y))
    if metric == "balanced_accuracy":
        support = np.bincount(y, minlength=n_classes)
        hits = np.bincount(y[labels == y], minlength=n_classes)
        present = support > 0
        return float(np.mean(hits[present] / support[present]))
    from sklearn import metrics

    if metric == "log_loss":
        return float(metrics.log_loss(y, np.clip(pred, 1e-15, 1.0), labels=np.arange(n_classes)))
    if metric == "roc_auc":
        if n_classes == 2:
            return float(metrics.roc_auc_score(y, pred[:, 1]))
        present = np.unique(y)
        sub = pred[:, present] / np.clip(pred[:, present].sum(axis=1, keepdims=True), 1e-12, None)
        return float(metrics.roc_auc_score(y, sub, multi_class="ovr", labels=present))
    raise ValueError(f"unknown classification metric {metric!r}")


def ensemble_selection(predictions: Sequence[np.ndarray], score: Callable[[np.ndarray], float], *,
                       size: int = ENSEMBLE_SIZE, greater_is_better: bool = True,
                       deadline: float | None = None, first: int | None = None) -> tuple[np.ndarray, float]:
    """Weights of a greedy ensemble with replacement, and the ensemble's score.

    Parameters
    ----------
    predictions : sequence of arrays
        Each candidate's out-of-fold predictions, all of one shape.
    score : callable
        The score of an averaged prediction (the search's metric on the targets).
    size : int, default=50
        Rounds of selection; the weights are those of the best-scoring round.
    greater_is_better : bool, default=True
    deadline : float, optional
        A ``time.perf_counter()`` value: selection stops there (with what it has).
    first : int, optional
        The candidate the first round takes whatever the scores (the search's noise-aware
        choice, :mod:`autometa.search._select`), so the ensemble is never worse on the
        out-of-fold rows than that choice alone.

    Returns
    -------
    weights : ndarray of shape (n_candidates,)
        Non-negative, summing to 1.
    best : float
        The score of the ensemble with those weights.

    Examples
    --------
    >>> y = np.array([0.0, 1.0, 2.0, 3.0])
    >>> a, b = y + np.array([1, -1, 1, -1.0]), y - np.array([1, -1, 1, -1.0])  # errors that cancel
    >>> w, best = ensemble_selection([a, b], lambda p: -float(np.mean((p - y) ** 2)), size=4)
    >>> w.tolist(), best
    ([0.5, 0.5], -0.0)
    """
    n = len(predictions)
    if n == 0:
        raise ValueError("ensemble selection needs at least one candidate")
    sign = 1.0 if greater_is_better else -1.0
    counts = np.zeros(n, dtype=int)
    total = np.zeros_like(predictions[0], dtype=float)
    best_counts, best_value = None, -math.inf
    for rounds in range(1, size + 1):
        values = np.empty(n)
        for i, pred in enumerate(predictions):
            value = score((total + pred) / rounds)
            values[i] = sign * value if math.isfinite(value) else -math.inf
        pick = int(np.argmax(values))  # ties: the earliest candidate (the better trial, when sorted)
        if rounds == 1 and first is not None:
            pick = first
        counts[pick] += 1
        total += predictions[pick]
        if values[pick] > best_value:
            best_value, best_counts = values[pick], counts.copy()
        if deadline is not None and time.perf_counter() > deadline:
            break
    assert best_counts is not None
    return best_counts / best_counts.sum(), float(sign * best_value)


class OutOfFold:
    """Out-of-fold predictions of the best trials, within ``max_bytes`` (float32) and ``max_trials``.

    A trial's predictions are complete when every fold added its rows; only complete
    ones are kept, and when the cap is reached the worst-scoring is dropped.
    """

    def __init__(self, n_rows: int, n_classes: int | None, *, greater_is_better: bool = True,
                 max_bytes: int = OOF_MAX_BYTES, max_trials: int = OOF_MAX_TRIALS) -> None:
        self.shape = (n_rows, n_classes) if n_classes is not None else (n_rows,)
        per_trial = 4 * int(np.prod(self.shape))
        self.capacity = max(min(max_trials, max_bytes // max(per_trial, 1)), 1)
        self.sign = 1.0 if greater_is_better else -1.0
        self.kept: dict[int, tuple[float, np.ndarray]] = {}
        self._lock = threading.Lock()

    def new(self) -> np.ndarray:
        return np.full(self.shape, np.nan, dtype=np.float32)

    def add(self, trial: int, score: float, predictions: np.ndarray) -> None:
        """Keep trial ``trial``'s complete out-of-fold ``predictions`` if it is among the best."""
        if not math.isfinite(score) or np.isnan(predictions).any():
            return
        with self._lock:
            self.kept[trial] = (score, predictions)
            if len(self.kept) > self.capacity:
                worst = min(self.kept, key=lambda t: (self.sign * self.kept[t][0], -t))
                del self.kept[worst]

    def best_first(self) -> list[tuple[int, float, np.ndarray]]:
        """``(trial, score, predictions)``, the best score first (ties: the earlier trial)."""
        with self._lock:
            items = [(t, s, p) for t, (s, p) in self.kept.items()]
        return sorted(items, key=lambda item: (-self.sign * item[1], item[0]))


class Ensemble:
    """A weighted average of fitted pipelines: probabilities (classification) or predictions (regression).

    ``classes_`` is ``0 .. n_classes - 1`` (the search's encoded labels), so it stands
    wherever a single fitted pipeline does.

    Examples
    --------
    >>> from sklearn.dummy import DummyRegressor
    >>> X, y = np.zeros((4, 1)), np.array([1.0, 2.0, 3.0, 4.0])
    >>> low, mean = DummyRegressor(strategy="constant", constant=0.0).fit(X, y), DummyRegressor().fit(X, y)
    >>> Ensemble([low, mean], [0.5, 0.5], n_classes=None).predict(X).tolist()
    [1.25, 1.25, 1.25, 1.25]
    """

    def __init__(self, members: Sequence[Any], weights: Sequence[float], *, n_classes: int | None,
                 names: Sequence[str] | None = None) -> None:
        w = np.asarray(weights, dtype=float)
        if len(members) == 0 or len(members) != len(w) or (w < 0).any() or w.sum() <= 0:
            raise ValueError("an ensemble needs members and as many non-negative weights, not all zero")
        self.members = list(members)
        self.weights = w / w.sum()
        self.n_classes = n_classes
        self.names = list(names) if names is not None else [type(m).__name__ for m in self.members]
        if n_classes is not None:
            self.classes_ = np.arange(n_classes)

    def __repr__(self) -> str:
        parts = ", ".join(f"{w:.2f} x {n}" for w, n in zip(self.weights, self.names, strict=True))
        return f"Ensemble({parts})"

    def predict_proba(self, X: Any) -> np.ndarray:
        from autometa.scoring import class_probabilities, class_scores

        if self.n_classes is None:
            raise AttributeError("a regression ensemble has no predict_proba")
        total = np.zeros((len(X), self.n_classes))
        for weight, member in zip(self.weights, self.members, strict=True):
            scores, _ = class_scores(member, X, self.n_classes)
            # a member without scores votes with its labels (predicted only then)
            labels = member.predict(X) if scores is None else np.empty(0)
            total += weight * class_probabilities(labels, scores, self.n_classes)
        return total

    def predict(self, X: Any) -> np.ndarray:
        if self.n_classes is not None:
            return np.argmax(self.predict_proba(X), axis=1)
        total = np.zeros(len(X))
        for weight, member in zip(self.weights, self.members, strict=True):
            total += weight * np.asarray(member.predict(X), dtype=float)
        return total
