"""Bandit baselines for RL²: random, greedy, UCB1, Thompson sampling and Gittins indices.

Each policy plays a batch of Bernoulli bandits (success probabilities ``(tasks,
arms)``) for ``pulls`` pulls; :func:`play` returns the rewards and the pseudo-regret
of every pull (the best arm's probability minus the pulled arm's, the lower-variance
regret the bandit literature reports). The Gittins index of a Beta(1 + s, 1 + f)
arm under discount ``discount`` is computed here by calibration (the retirement
reward at which retiring and continuing are worth the same; Gittins, 1979), on a
grid of retirement rewards refined by interpolation, with the posterior tree cut
after :data:`GITTINS_EXTRA_LEVELS` more pulls (beyond them an arm is valued at its
posterior mean as if known). A finite horizon of ``n`` pulls uses the discount
``1 - 1 / n`` (the index policy is only Bayes-optimal for an infinite discounted
horizon; the paper's "Gittins" baseline is likewise an index policy).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["BASELINES", "BanditPlay", "gittins_table", "play"]

#: levels of the posterior tree beyond the horizon before an arm is valued as known
GITTINS_EXTRA_LEVELS = 100
#: retirement rewards tried on the grid (then interpolated)
GITTINS_GRID = 401


@dataclass(frozen=True)
class BanditPlay:
    """What a policy did on a batch of bandits: ``rewards`` and per-pull ``regret``, each ``(tasks, pulls)``."""

    rewards: np.ndarray
    regret: np.ndarray

    @property
    def total_reward(self) -> np.ndarray:
        return self.rewards.sum(axis=1)

    @property
    def total_regret(self) -> np.ndarray:
        return self.regret.sum(axis=1)


def gittins_table(levels: int, discount: float, *, extra: int = GITTINS_EXTRA_LEVELS,
                  grid: int = GITTINS_GRID) -> np.ndarray:
    """Gittins indices ``G[s, f]`` of a Beta(1 + s, 1 + f) Bernoulli arm for ``s + f < levels``.

    Examples
    --------
    >>> table = gittins_table(3, 0.9)
    >>> round(float(table[0, 0]), 3)  # Gittins (1979): 0.7029 for Beta(1, 1) at discount 0.9
    0.703
    >>> bool(table[1, 0] > table[0, 0] > table[0, 1])
    True
    """
    if not 0.0 < discount < 1.0:
        raise ValueError(f"discount must be in (0, 1); got {discount}")
    depth = levels + extra
    lam = np.linspace(0.0, 1.0, grid)  # retirement reward per pull
    retire = lam / (1.0 - discount)
    # values on the deepest level: the better of retiring and the posterior mean forever
    s = np.arange(depth + 1)
    p = (1.0 + s) / (2.0 + depth)
    value = np.maximum(retire[None, :], p[:, None] / (1.0 - discount))  # (s, lambda) on level `depth`
    table = np.full((levels, levels), np.nan)
    for level in range(depth - 1, -1, -1):
        s = np.arange(level + 1)
        p = ((1.0 + s) / (2.0 + level))[:, None]
        cont = p + discount * (p * value[1:level + 2] + (1.0 - p) * value[:level + 1])
        if level < levels:
            diff = cont - retire[None, :]  # decreasing in lambda; the index is where it crosses 0
            for i in range(level + 1):
                if level - i < levels:
                    table[i, level - i] = _crossing(lam, diff[i])
        value = np.maximum(retire[None, :], cont)
    return table


def _crossing(lam: np.ndarray, diff: np.ndarray) -> float:
    below = np.flatnonzero(diff <= 0)
    if not len(below):
        return 1.0
    j = int(below[0])
    if j == 0:
        return 0.0
    d0, d1 = diff[j - 1], diff[j]
    return float(lam[j - 1] + (lam[j] - lam[j - 1]) * d0 / (d0 - d1))


Policy = Callable[[np.ndarray, np.ndarray, int, np.random.Generator], np.ndarray]


def _untried_first(counts: np.ndarray, scores: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The best-scoring arm per task (ties at random), an untried arm first."""
    scores = np.where(counts == 0, np.inf, scores) + 1e-9 * rng.random(scores.shape)
    return np.argmax(scores, axis=1)


def _random(successes: np.ndarray, counts: np.ndarray, t: int, rng: np.random.Generator) -> np.ndarray:
    return np.asarray(rng.integers(0, counts.shape[1], size=counts.shape[0]))


def _greedy(successes: np.ndarray, counts: np.ndarray, t: int, rng: np.random.Generator) -> np.ndarray:
    return _untried_first(counts, successes / np.maximum(counts, 1), rng)


def _ucb1(successes: np.ndarray, counts: np.ndarray, t: int, rng: np.random.Generator) -> np.ndarray:
    means = successes / np.maximum(counts, 1)
    bonus = np.sqrt(2.0 * np.log(max(t, 1)) / np.maximum(counts, 1))
    return _untried_first(counts, means + bonus, rng)


def _thompson(successes: np.ndarray, counts: np.ndarray, t: int, rng: np.random.Generator) -> np.ndarray:
    return np.argmax(rng.beta(1.0 + successes, 1.0 + counts - successes), axis=1)


def _gittins(pulls: int) -> Policy:
    table = gittins_table(pulls, 1.0 - 1.0 / max(pulls, 2))

    def choose(successes: np.ndarray, counts: np.ndarray, t: int, rng: np.random.Generator) -> np.ndarray:
        s = successes.astype(int)
        index = table[s, counts.astype(int) - s] + 1e-9 * rng.random(s.shape)
        return np.argmax(index, axis=1)

    return choose


#: baseline name -> policy maker (given the horizon)
BASELINES: dict[str, Callable[[int], Policy]] = {
    "random": lambda pulls: _random,
    "greedy": lambda pulls: _greedy,
    "ucb1": lambda pulls: _ucb1,
    "thompson": lambda pulls: _thompson,
    "gittins": _gittins,
}


def play(policy: str, probs: np.ndarray, pulls: int, *, seed: int = 0) -> BanditPlay:
    """Play ``policy`` (a name of :data:`BASELINES`) on bandits ``probs`` ``(tasks, arms)`` for ``pulls`` pulls.

    Examples
    --------
    >>> probs = np.random.default_rng(0).random((500, 5))
    >>> bool(play("ucb1", probs, 100).total_regret.mean() < play("random", probs, 100).total_regret.mean())
    True
    """
    if policy not in BASELINES:
        raise ValueError(f"unknown bandit policy {policy!r}; choose one of {', '.join(BASELINES)}")
    choose = BASELINES[policy](pulls)
    rng = np.random.default_rng(seed)
    probs = np.asarray(probs, dtype=float)
    n, k = probs.shape
    successes, counts = np.zeros((n, k)), np.zeros((n, k))
    rewards, regret = np.zeros((n, pulls)), np.zeros((n, pulls))
    best = probs.max(axis=1)
    rows = np.arange(n)
    for t in range(pulls):
        arm = choose(successes, counts, t, rng)
        p = probs[rows, arm]
        r = (rng.random(n) < p).astype(float)
        successes[rows, arm] += r
        counts[rows, arm] += 1
        rewards[:, t], regret[:, t] = r, best - p
    return BanditPlay(rewards, regret)
