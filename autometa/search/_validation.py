"""How a search validates each trial: repeated folds on small data, k folds, or one holdout on big data.

The choice is the noise-against-trials trade. On a few hundred rows a 3-fold score
is noisy enough that the arg-max of hundreds of trials is mostly selection of noise,
and fits take milliseconds: each trial gets 5 folds, twice over with other splits.
On data where one fit eats a large share of the budget (FLAML's rule, in cells per
second of budget), 3 fits per trial leave room for a handful of trials: each trial
gets one holdout split instead (a fifth of the rows, as AutoGluon and FLAML do),
three times the trials for the same time.

Every row of the validated part is predicted ``repeats`` times (once per
repetition), so a trial's out-of-fold predictions are the mean of its repeats on
:attr:`Validation.rows`, and the per-split scores are paired across trials (the
same splits for every trial of a call), which :mod:`autometa.search._select` uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from autometa.scoring import kfold

__all__ = ["Validation", "check_cv", "plan_validation", "user_validation"]

#: at most this many rows: 5 folds, repeated twice
REPEAT_ROWS = 1000
#: at most this many rows (and more than REPEAT_ROWS): 5 folds; more rows: 3 folds
FIVE_FOLD_ROWS = 5000
#: a holdout split when rows x columns exceed this many cells per second of budget (FLAML's
#: ``eval_method="auto"`` switches at 10 million cells per hour, about 2,800 a second; a boosting fit here
#: bins about 4 million cells a second, so this switches later, where a 3-fold trial would take a few
#: percent of the budget)
HOLDOUT_CELLS_PER_SECOND = 20_000.0
#: and at least this many rows (below it a fifth of the rows is too noisy to choose by)
HOLDOUT_MIN_ROWS = 5000
#: the share of rows a holdout split validates on, at most this many rows (a prediction costs time in every
#: trial; 10,000 rows measure a score to about half a point)
HOLDOUT_SHARE = 0.2
HOLDOUT_MAX_ROWS = 10_000
#: on a holdout plan, each trial trains on a random sample of the training rows of at most this many cells per
#: second of budget (a cheap fidelity: LightGBM fits 300,000 cells in well under a second here, so a 30 s
#: budget runs tens of trials instead of two); the chosen configurations are refitted on all rows
TRIAL_CELLS_PER_SECOND = 10_000.0
#: ... but on at least this many rows
TRIAL_MIN_ROWS = 5000


def work_cells(rows: int, columns: int, n_classes: int | None) -> float:
    """Rows x columns, times half the classes past two (boosting fits one tree per class a round).

    Examples
    --------
    >>> work_cells(20_000, 16, 26)
    4160000.0
    """
    return float(rows) * columns * max(1.0, (n_classes or 2) / 2)


@dataclass(frozen=True)
class Validation:
    """The splits every trial of a search is scored on.

    Attributes
    ----------
    splits : list of (train, test) index arrays
        In order; each is one intermediate value for the pruner.
    repeats : int
        How many times each row of :attr:`rows` is predicted.
    rows : ndarray
        The rows the splits predict (sorted): all rows, or the holdout's.
    method : str
        In words: ``"5-fold x 2"``, ``"3-fold"``, ``"holdout 20 %"``.
    """

    splits: list[tuple[np.ndarray, np.ndarray]]
    repeats: int
    rows: np.ndarray
    method: str

    @property
    def row_repeats(self) -> np.ndarray:
        """How many splits predict each row of :attr:`rows` (``repeats`` for autometa's plans; a splitter's may vary)."""
        counts = np.zeros(int(self.rows.max()) + 1 if len(self.rows) else 0, dtype=int)
        for _, test in self.splits:
            np.add.at(counts, test, 1)
        return counts[self.rows]

    @property
    def train_rows(self) -> int:
        """Training rows of the first split (what a refit's time grows from)."""
        return len(self.splits[0][0])

    @property
    def test_share(self) -> float:
        """Test rows over training rows of one split (the Nadeau-Bengio correction's n2 / n1)."""
        train, test = self.splits[0]
        return len(test) / max(len(train), 1)


def _holdout(y: np.ndarray, classification: bool, share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.model_selection import train_test_split

    stratify = y if classification and np.bincount(y).min() >= 2 else None
    size: float | int = share if share * len(y) <= HOLDOUT_MAX_ROWS else HOLDOUT_MAX_ROWS
    train, test = train_test_split(np.arange(len(y)), test_size=size, random_state=seed, stratify=stratify)
    return np.sort(train), np.sort(test)


def plan_validation(y: np.ndarray, classification: bool, n_columns: int, budget_seconds: float, *,
                    n_folds: int | None = None, seed: int = 0) -> Validation:
    """The splits for a search on ``len(y)`` rows and ``n_columns`` columns within ``budget_seconds``.

    ``n_folds`` given: that many folds, once (the caller's choice). Otherwise: 5 folds
    twice on at most :data:`REPEAT_ROWS` rows, 5 folds on at most
    :data:`FIVE_FOLD_ROWS`, a holdout of :data:`HOLDOUT_SHARE` of the rows when the
    data has more than :data:`HOLDOUT_CELLS_PER_SECOND` cells (:func:`work_cells`)
    per second of budget (and at least :data:`HOLDOUT_MIN_ROWS` rows), its training
    part sampled down to :data:`TRIAL_CELLS_PER_SECOND` cells per second of budget
    (at least :data:`TRIAL_MIN_ROWS` rows), else 3 folds. Classification
    splits are stratified when every class has a row in every split. ``y`` holds
    the encoded labels (0 .. k - 1) for classification.

    Examples
    --------
    >>> y = np.arange(600) % 2
    >>> plan_validation(y, True, 10, 30.0).method
    '5-fold x 2'
    >>> plan_validation(np.arange(50_000) % 2, True, 20, 30.0).method
    'holdout 20 %, trials on 15,000 rows'
    >>> plan_validation(y, True, 10, 30.0, n_folds=3).method
    '3-fold'
    """
    n = len(y)
    if n_folds is not None:
        splits = kfold(y, classification, n_folds, seed)
        return Validation(splits, 1, np.arange(n), f"{len(splits)}-fold")
    n_classes = int(y.max()) + 1 if classification and n else None
    if work_cells(n, n_columns, n_classes) > HOLDOUT_CELLS_PER_SECOND * budget_seconds and n >= HOLDOUT_MIN_ROWS:
        train, test = _holdout(y, classification, HOLDOUT_SHARE, seed)
        method = f"holdout {round(100 * len(test) / n)} %"
        cap = max(TRIAL_MIN_ROWS, int(TRIAL_CELLS_PER_SECOND * budget_seconds / work_cells(1, n_columns, n_classes)))
        if cap < len(train):
            from autometa.search._cost import sample_rows

            train = train[sample_rows(y[train], cap, seed, classification)]
            method += f", trials on {len(train):,} rows"
        return Validation([(train, test)], 1, test, method)
    if n <= REPEAT_ROWS:
        first = kfold(y, classification, 5, seed)
        splits = first + kfold(y, classification, 5, seed + 1)
        return Validation(splits, 2, np.arange(n), f"{len(first)}-fold x 2")
    k = 5 if n <= FIVE_FOLD_ROWS else 3
    splits = kfold(y, classification, k, seed)
    return Validation(splits, 1, np.arange(n), f"{len(splits)}-fold")


#: what ``cv`` may name
CV_NAMES = ("auto", "holdout")


def check_cv(cv: Any, owner: str) -> None:
    """A one-line :class:`~autometa.exceptions.DataError` unless ``cv`` is None, ``"auto"``, ``"holdout"``, an int >= 2,
    a scikit-learn splitter (an object with ``split``) or a list of ``(train, test)`` index pairs."""
    from autometa.exceptions import DataError

    if cv is None or (isinstance(cv, str) and cv in CV_NAMES) or (hasattr(cv, "split") and not isinstance(cv, str)):
        return
    if isinstance(cv, (int, np.integer)) and not isinstance(cv, bool) and cv >= 2:
        return
    if isinstance(cv, (list, tuple)) and cv and all(isinstance(p, (list, tuple)) and len(p) == 2 for p in cv):
        return
    raise DataError(f"The 'cv' parameter of {owner} must be None, 'auto', 'holdout', an int >= 2, a scikit-learn "
                    f"splitter (KFold, GroupKFold, TimeSeriesSplit...) or a list of (train, test) index pairs. "
                    f"Got {cv!r}.")


def user_validation(cv: Any, X: Any, y: np.ndarray, groups: np.ndarray | None, classification: bool, seed: int,
                    owner: str) -> Validation | None:
    """The splits the caller asked for (``cv``, ``groups``), checked; None: autometa plans them (:func:`plan_validation`).

    ``groups`` without a splitter: :class:`~sklearn.model_selection.GroupKFold` over up to 5 of them, so no group
    is on both sides of a split. A splitter gets ``(X, y, groups)``; ``y`` holds the encoded labels.

    Examples
    --------
    >>> from sklearn.model_selection import TimeSeriesSplit
    >>> v = user_validation(TimeSeriesSplit(3), np.zeros((8, 1)), np.arange(8.0), None, False, 0, "fit")
    >>> v.method, v.rows.tolist()
    ('TimeSeriesSplit, 3 splits', [2, 3, 4, 5, 6, 7])
    """
    from autometa.exceptions import DataError

    n = len(y)
    if groups is not None and (cv is None or cv == "auto"):
        from sklearn.model_selection import GroupKFold

        n_groups = len(np.unique(groups))
        if n_groups < 2:
            raise DataError(f"The groups given to {owner} hold one group; cross-validation by group needs at least 2.")
        cv = GroupKFold(n_splits=min(5, n_groups))
    if cv is None or cv == "auto":
        return None
    if isinstance(cv, (int, np.integer)):
        splits = kfold(y, classification, int(cv), seed)
        return Validation(splits, 1, np.arange(n), f"{len(splits)}-fold")
    if cv == "holdout":
        train, test = _holdout(y, classification, HOLDOUT_SHARE, seed)
        return Validation([(train, test)], 1, test, f"holdout {round(100 * len(test) / n)} %")
    if hasattr(cv, "split"):
        try:
            pairs = list(cv.split(X, y, groups))
        except Exception as exc:
            raise DataError(f"The 'cv' splitter of {owner} ({type(cv).__name__}) failed on this data: "
                            f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from None
        name = type(cv).__name__
    else:
        pairs, name = list(cv), "given splits"
    splits = []
    for i, (train, test) in enumerate(pairs):
        train, test = np.asarray(train), np.asarray(test)
        if train.dtype == bool:
            train = np.flatnonzero(train)
        if test.dtype == bool:
            test = np.flatnonzero(test)
        if (not len(train) or not len(test) or train.dtype.kind not in "iu" or test.dtype.kind not in "iu"
                or train.min() < 0 or test.min() < 0 or max(train.max(), test.max()) >= n):
            raise DataError(f"Split {i} of the 'cv' of {owner} must hold non-empty train and test row indices "
                            f"in 0..{n - 1}.")
        if np.intersect1d(train, test).size:
            raise DataError(f"Split {i} of the 'cv' of {owner} has rows on both sides (row "
                            f"{np.intersect1d(train, test)[0]}).")
        splits.append((np.sort(train), np.sort(test)))
    if not splits:
        raise DataError(f"The 'cv' of {owner} gave no splits.")
    rows = np.unique(np.concatenate([t for _, t in splits]))
    return Validation(splits, 1, rows, f"{name}, {len(splits)} split{'s' if len(splits) > 1 else ''}")
