"""Ordering candidates: by predicted score, or greedily for coverage (diverse lists).

Coverage is the portfolio idea: a list is good when, on each dataset like the
query (its *scenarios*: nearest datasets, weighted), one of its configurations is
close to that dataset's best. The learner's top prediction comes first; each next
pick is the configuration that raises the weighted best-so-far over the scenarios
the most (optionally the first few picks go by predicted score alone,
``lead``). A near-copy of a configuration already chosen adds nothing, so lists
come out diverse; when nothing adds any more, the predicted score decides, less
the candidate's redundancy with the picks so far (the largest correlation of
their normalised scores over the training datasets), so that near-copies still
come last.
"""

from __future__ import annotations

import numpy as np

__all__ = ["order_by_score", "order_by_coverage", "order_by_lead_then"]

#: redundancy (score correlation over the training datasets) from which two configurations are near-copies
NEAR_COPY = 0.95


def order_by_score(predicted: np.ndarray, candidates: np.ndarray, top: int | None = None) -> np.ndarray:
    """Candidate indices sorted by decreasing ``predicted`` score (stable, NaN last).

    Examples
    --------
    >>> order_by_score(np.array([0.1, 0.9, 0.5]), np.array([0, 1, 2]), top=2).tolist()
    [1, 2]
    """
    candidates = np.asarray(candidates, dtype=int)
    values = np.nan_to_num(np.asarray(predicted, dtype=float)[candidates], nan=-np.inf)
    order = candidates[np.argsort(-values, kind="stable")]
    return order if top is None else order[:top]


def order_by_coverage(predicted: np.ndarray, scenarios: np.ndarray, weights: np.ndarray,
                      candidates: np.ndarray, top: int | None = None, tie_break: float = 1e-3,
                      redundancy: np.ndarray | None = None, min_gain: float = 0.02, lead: int = 1) -> np.ndarray:
    """Greedy coverage of ``scenarios`` (rows: datasets, columns: configurations).

    Parameters
    ----------
    predicted : ndarray of shape (n_configs,)
        The learner's predicted normalised scores; the first pick is their argmax.
    scenarios : ndarray of shape (n_scenarios, n_configs)
        Normalised scores of every configuration on each scenario dataset.
    weights : ndarray of shape (n_scenarios,)
        Weight of each scenario (normalised to sum to one here).
    candidates : ndarray of int
        The configurations that may be picked.
    top : int, optional
        How many to pick (default: all candidates).
    tie_break : float
        Weight of the predicted score (scaled to [0, 1]) minus redundancy, next to
        the coverage gain.
    redundancy : ndarray of shape (n_configs, n_configs), optional
        Similarity of configurations in [0, 1] (1 = near-copies).
    min_gain : float
        Improvements on a scenario smaller than this (in normalised score, where
        best minus median is 1) are noise and count for nothing.
    lead : int
        How many first picks go by ``predicted`` alone before coverage takes
        over (at least 1: the first pick is always the argmax); a near-copy of
        an earlier lead (``redundancy`` >= 0.95) is skipped.

    Examples
    --------
    Two scenarios; configurations 0 and 1 are copies, 2 is best on the second:

    >>> Z = np.array([[1.0, 1.0, 0.0], [0.2, 0.2, 1.0]])
    >>> order_by_coverage(np.array([0.6, 0.6, 0.5]), Z, np.ones(2), np.arange(3)).tolist()
    [0, 2, 1]
    >>> order_by_coverage(np.array([0.6, 0.6, 0.5]), Z, np.ones(2), np.arange(3), lead=2).tolist()
    [0, 1, 2]
    """
    candidates = np.asarray(candidates, dtype=int)
    n_pick = len(candidates) if top is None else min(top, len(candidates))
    if n_pick == 0:
        return candidates[:0]
    predicted = np.nan_to_num(np.asarray(predicted, dtype=float), nan=-np.inf)
    Z = np.asarray(scenarios, dtype=float)[:, candidates]
    w = np.asarray(weights, dtype=float)
    w = w / w.sum() if w.sum() > 0 else np.full(len(w), 1.0 / max(len(w), 1))
    pred = predicted[candidates]
    finite = np.isfinite(pred)
    spread = np.ptp(pred[finite]) if finite.any() else 0.0
    pred_term = np.where(finite, (pred - (pred[finite].min() if finite.any() else 0.0))
                         / (spread if spread > 0 else 1.0), -1.0)
    picks = _Picks(candidates, redundancy)
    # the best *distinct* configurations lead
    picks.take(np.argsort(-np.where(finite, pred, -np.inf), kind="stable"), max(1, min(lead, n_pick)))
    best = Z[:, picks.order].max(axis=1)
    while len(picks.order) < n_pick:
        gain = w @ np.maximum(Z - best[:, None] - min_gain, 0.0)
        objective = np.where(picks.chosen, -np.inf, gain + tie_break * (pred_term - picks.similar))
        nxt = int(np.argmax(objective))
        picks.add(nxt)
        best = np.maximum(best, Z[:, nxt])
    return candidates[np.asarray(picks.order)]


def order_by_lead_then(key: np.ndarray, follow: np.ndarray, candidates: np.ndarray, top: int | None = None,
                       redundancy: np.ndarray | None = None, lead: int = 1) -> np.ndarray:
    """The first ``lead`` picks by ``key``, the rest by ``follow``; near-copies wait.

    A candidate that is a near-copy (``redundancy`` >= 0.95) of one already picked
    is passed over while distinct candidates remain, then taken in ``follow``
    order, so lists come out diverse as with coverage.

    Parameters
    ----------
    key : ndarray of shape (n_configs,)
        Orders the lead picks (larger first), e.g. minus the neighbours' mean rank.
    follow : ndarray of shape (n_configs,)
        Orders the rest (larger first), e.g. a model's predicted normalised score.
    candidates : ndarray of int
        The configurations that may be picked.
    top : int, optional
        How many to pick (default: all candidates).
    redundancy : ndarray of shape (n_configs, n_configs), optional
        Similarity of configurations in [0, 1] (1 = near-copies).
    lead : int
        How many first picks go by ``key`` (at least 1).

    Examples
    --------
    Configuration 0 leads by key; by the model, 1 is next, but it copies 0:

    >>> copies = np.array([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1.0]])
    >>> key, follow = np.array([0.9, 0.8, 0.1, 0.2]), np.array([0.5, 0.9, 0.7, 0.6])
    >>> order_by_lead_then(key, follow, np.arange(4), redundancy=copies).tolist()
    [0, 2, 3, 1]
    """
    candidates = np.asarray(candidates, dtype=int)
    n_pick = len(candidates) if top is None else min(top, len(candidates))
    if n_pick == 0:
        return candidates[:0]
    picks = _Picks(candidates, redundancy)
    by_follow = np.argsort(-np.nan_to_num(np.asarray(follow, dtype=float)[candidates], nan=-np.inf), kind="stable")
    by_key = np.argsort(-np.nan_to_num(np.asarray(key, dtype=float)[candidates], nan=-np.inf), kind="stable")
    picks.take(by_key, max(1, min(lead, n_pick)))
    picks.take(by_follow, n_pick)
    picks.take(by_follow, n_pick, distinct=False)  # the near-copies, last
    return candidates[np.asarray(picks.order)]


class _Picks:
    """The picks so far among ``candidates``, and each candidate's largest redundancy with them."""

    def __init__(self, candidates: np.ndarray, redundancy: np.ndarray | None) -> None:
        self.R = None if redundancy is None else np.asarray(redundancy, dtype=float)[np.ix_(candidates, candidates)]
        self.order: list[int] = []
        self.chosen = np.zeros(len(candidates), dtype=bool)
        self.similar = np.zeros(len(candidates))

    def add(self, pick: int) -> None:
        self.order.append(int(pick))
        self.chosen[pick] = True
        if self.R is not None:
            self.similar = np.maximum(self.similar, self.R[pick])

    def take(self, ranking: np.ndarray, limit: int, distinct: bool = True) -> None:
        """Add candidates in ``ranking`` order until there are ``limit`` picks; near-copies
        (redundancy >= :data:`NEAR_COPY` with a pick) are passed over when ``distinct``."""
        for pick in ranking:
            if len(self.order) >= limit:
                return
            if not self.chosen[pick] and not (distinct and self.order and self.similar[pick] >= NEAR_COPY):
                self.add(pick)
