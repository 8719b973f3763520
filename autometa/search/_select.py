"""Which trial a search returns: the best score is an optimistic estimate, so noise and the meta-learner decide ties.

Among hundreds of trials the highest cross-validated score is biased upwards: on
small data much of its lead is noise. The rule here is the one-standard-error rule
with the meta-learner's order as the tie-breaker: every trial whose mean score is
within ``c`` standard errors of the best's is as good as the best, as far as the
validation can tell, and of those the one the knowledge base ranked first is
chosen (a recommended configuration before any sampled one; among sampled ones the
best score). So a search returns its first recommendation unless something else
beat it by more than the noise; it cannot end, on average, worse than that
recommendation through selection noise.

The standard error is that of the paired difference to the best trial over the
same splits, with the Nadeau-Bengio correction for the overlap of cross-validation
training sets (Nadeau and Bengio, 2003; Bouckaert and Frank, 2004):
``sqrt((1 / J + n_test / n_train) * var(d))`` over ``J`` splits. With one split
(a holdout) there is no spread to measure and the best score is chosen. In
regression the best score is chosen too (:data:`REGRESSION_SE_RULE`): there the
meta-learner's first pick measured weaker than the search's best.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["REGRESSION_SE_RULE", "SE_RULE", "Candidate", "choose"]

#: how many standard errors below the best still counts as a tie
SE_RULE = 1.0
#: ... in regression: none, so the best score is chosen. The meta-learner's first regression recommendation is
#: its weakest pick (0.748 R² on the 22 held-out regression tables against the cold search's 0.751 at 30 s),
#: and on the smallest tables every trial tied with the best within one standard error, so the rule returned
#: that first recommendation: with the best score instead, a 60 s run scored +0.007 R² on the mean (4 tables
#: better, 18 within 0.005, none worse; against the cold search 9/11/2 instead of 8/9/5). Chosen on those 22
#: tables, which are every regression family of the shared data (docs/benchmarks.md)
REGRESSION_SE_RULE = 0.0


@dataclass(frozen=True)
class Candidate:
    """A completed trial as the choice sees it.

    ``rank``: its position in the meta-learner's recommendations (1 = first), or
    None for a sampled trial. ``split_scores``: its score on each split, in order.
    ``refit_seconds``: how long its refit on all rows is expected to take (NaN:
    unknown).
    """

    trial: int
    score: float
    split_scores: Sequence[float]
    rank: int | None = None
    refit_seconds: float = math.nan


def paired_se(a: Sequence[float], b: Sequence[float], test_share: float) -> float:
    """Corrected standard error of the mean of ``a - b`` over paired splits (``nan`` under two splits).

    Examples
    --------
    >>> round(paired_se([0.8, 0.9, 0.7], [0.7, 0.8, 0.7], 0.5), 4)  # var 1/300: sqrt((1/3 + 1/2) / 300)
    0.0527
    """
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    if len(d) < 2:
        return math.nan
    return float(math.sqrt((1.0 / len(d) + test_share) * np.var(d, ddof=1)))


def choose(candidates: Sequence[Candidate], *, greater_is_better: bool, test_share: float,
           c: float = SE_RULE, seconds_left: float | None = None) -> int | None:
    """The trial to return: the first-ranked of those within ``c`` paired standard errors of the best.

    With ``seconds_left``, ties whose refit is expected to take longer are passed
    over when another tie's fits (a refit that does not finish leaves a model fitted
    on fewer rows: 218_house_8L's chosen trial had to fall back to its fold model).

    Candidates whose split scores are not paired with the best's (another number of
    splits: a trial of an earlier call with another plan) are compared by mean alone
    and count as ties only when they score at least as well. None when there is no
    candidate.

    Examples
    --------
    >>> best = Candidate(3, 0.86, [0.90, 0.80, 0.88])          # sampled, best mean
    >>> first = Candidate(0, 0.85, [0.88, 0.81, 0.86], rank=1)  # recommended first, within the noise
    >>> choose([best, first], greater_is_better=True, test_share=0.5)
    0
    >>> clear = Candidate(4, 0.95, [0.96, 0.94, 0.95])          # a clear win
    >>> choose([best, first, clear], greater_is_better=True, test_share=0.5)
    4
    >>> slow = Candidate(0, 0.85, [0.88, 0.81, 0.86], rank=1, refit_seconds=20.0)  # its refit would not finish
    >>> choose([best, slow], greater_is_better=True, test_share=0.5, seconds_left=5.0)
    3
    """
    usable = [x for x in candidates if math.isfinite(x.score)]
    if not usable:
        return None
    sign = 1.0 if greater_is_better else -1.0
    top = max(usable, key=lambda x: (sign * x.score, -x.trial))
    ties = []
    for x in usable:
        lead = sign * (top.score - x.score)  # >= 0
        if len(x.split_scores) == len(top.split_scores) and len(x.split_scores) >= 2:
            se = paired_se(top.split_scores, x.split_scores, test_share)
            tied = lead <= c * se if math.isfinite(se) else lead <= 0
        else:
            tied = lead <= 0
        if tied:
            ties.append(x)
    if seconds_left is not None:
        fits = [x for x in ties if not x.refit_seconds > seconds_left]  # NaN (unknown) fits
        ties = fits or ties
    pick = min(ties, key=lambda x: (x.rank is None, x.rank if x.rank is not None else 0, -sign * x.score, x.trial))
    return pick.trial
