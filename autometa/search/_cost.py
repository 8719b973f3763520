"""How long fits take: the families that cannot be stopped, their growth in the rows, the refit's reserve."""

from __future__ import annotations

import math
import time
import warnings
from typing import Any

import numpy as np
import pandas as pd

from autometa.pipelines import FAMILIES

#: families whose fit or prediction runs in compiled code that never returns to Python, so the
#: SIGALRM time limit cannot stop it, with the growth of a fold's fit and prediction in the rows
#: (:attr:`~autometa.pipelines.PipelineFamily.uninterruptible_growth`: the SVM and k-NN; a k-NN trial on
#: 80,000 x 50 rows ran 69 s of a 30 s budget before this rule; docs/benchmarks.md)
UNINTERRUPTIBLE: dict[str, float] = {name: fam.uninterruptible_growth for name, fam in FAMILIES.items()
                                     if fam.uninterruptible_growth is not None}
#: of those, the families whose *fit* cannot be stopped (the final refit only fits)
UNSTOPPABLE_FIT = frozenset(name for name, fam in FAMILIES.items() if fam.unstoppable_fit)
#: rows of the sample on which such a fit is timed first
PROBE_ROWS = 2000
#: least growth of a refit from a fold's training rows to all rows, where measured steeper than the
#: fold's (the SVM: n^1.5-2.6 up to 32,000 rows, n^3.4-3.7 from 32,000 to 48,000, so n^2.5 and the
#: family's measured curve, whichever is larger; benchmarks/svm_refit_estimate.py)
REFIT_EXPONENT: dict[str, float] = {name: fam.refit_exponent for name, fam in FAMILIES.items()
                                    if fam.refit_exponent is not None}


def refit_growth(family: str, fold_rows: float, rows: float) -> float:
    """How many times longer ``family``'s refit on ``rows`` takes than its fit on a fold of ``fold_rows``.

    Examples
    --------
    >>> round(refit_growth("svm", 8000, 12000), 2)  # 1.5 ** 2.5: the curve is flatter here
    2.76
    >>> round(refit_growth("svm", 32000, 48000), 2)  # the curve's last slope, 3.2
    3.7
    """
    from autometa.metalearn import LARGE_DATA_GROWTH, large_data_growth

    ratio = max(rows / max(fold_rows, 1.0), 1.0)
    growth = ratio ** REFIT_EXPONENT.get(family, UNINTERRUPTIBLE.get(family, 1.0))
    if family in LARGE_DATA_GROWTH and rows > fold_rows:
        growth = max(growth, large_data_growth(family, fold_rows, rows))
    return growth


def refit_seconds(family: str | None, fold_fit: float, fold_rows: int, rows: int) -> float:
    """Expected seconds of ``family``'s refit on ``rows`` rows from its fit on a fold (``fold_fit`` s on
    ``fold_rows``): linear in the rows, or by :func:`refit_growth` for a fit that cannot be stopped; NaN when
    the fold's fit is unknown.

    >>> refit_seconds("lightgbm", 2.0, 8000, 12000)
    3.0
    """
    if not (math.isfinite(fold_fit) and fold_fit >= 0):
        return math.nan
    ratio = max(rows / max(fold_rows, 1), 1.0)
    return fold_fit * (refit_growth(family, fold_rows, rows) if family in UNSTOPPABLE_FIT else ratio)


def refit_reserve(family: str | None, fold_fit: float, fold_rows: int, rows: int, budget_seconds: float) -> float:
    """Seconds the search leaves for refitting its best pipeline (``family``, a fold's fit ``fold_fit`` s) on all rows.

    1.3 x the fold's fit grown to all rows, linearly, or by :func:`refit_growth`
    for a family whose fit cannot be stopped (an SVM's refit would otherwise be
    sampled down); plus 2 % of the budget.

    Examples
    --------
    >>> round(refit_reserve("lightgbm", 10.0, 8000, 12000, 100.0), 2)  # 1.3 x 10 x 1.5 + 2
    21.5
    >>> round(refit_reserve("svm", 10.0, 8000, 12000, 100.0), 2)  # 1.3 x 10 x 1.5 ** 2.5 + 2
    37.82
    """
    fold_fit = fold_fit if math.isfinite(fold_fit) and fold_fit > 0 else 0.0
    return 1.3 * refit_seconds(family, fold_fit, fold_rows, rows) + 0.02 * budget_seconds


def probe_fold_seconds(model: Any, family: str, X: pd.DataFrame, y: np.ndarray, train: np.ndarray,
                       seed: int = 0, probe_rows: int = PROBE_ROWS, predict: bool = True,
                       test_rows: int | None = None) -> float | None:
    """Expected seconds of fitting ``model`` on the ``train`` rows and predicting a fold, from a sample.

    ``model`` is fitted on ``probe_rows`` of the ``train`` rows and predicts them
    (fitted only, with ``predict=False``: a refit does not predict); that time
    grows as (rows / ``probe_rows``) to the family's exponent in
    :data:`UNINTERRUPTIBLE`, or, with ``test_rows`` predicted, as the training rows
    to one less times the predicted rows, whichever is larger (a holdout of many
    rows after training on a sample);
    :data:`UNINTERRUPTIBLE`. Only for those families, and only when ``train`` has
    more than twice ``probe_rows`` rows; None otherwise, or when the sample fit fails
    (the real fit then says why).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.dummy import DummyClassifier
    >>> X, y = pd.DataFrame({"a": np.arange(10_000.0)}), np.arange(10_000) % 2
    >>> probe_fold_seconds(DummyClassifier(), "svm", X, y, np.arange(10_000)) >= 0
    True
    >>> probe_fold_seconds(DummyClassifier(), "lightgbm", X, y, np.arange(10_000)) is None
    True
    """
    exponent = UNINTERRUPTIBLE.get(family)
    if exponent is None or len(train) <= 2 * probe_rows:
        return None
    sample = np.random.default_rng(seed).choice(np.asarray(train), probe_rows, replace=False)
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X.iloc[sample], y[sample])
            if predict:
                model.predict(X.iloc[sample])
    except Exception:
        return None
    growth = (len(train) / probe_rows) ** exponent
    if predict and test_rows:  # a prediction costs training x predicted rows: more than a fold's on a holdout
        growth = max(growth, (len(train) / probe_rows) ** (exponent - 1) * (test_rows / probe_rows))
    return (time.perf_counter() - start) * growth


#: cells (rows x columns) a second of the unstoppable step before a boosting family's first round can be
#: stopped (:attr:`~autometa.pipelines.PipelineFamily.setup_cells_per_second`: LightGBM's Dataset binning,
#: HistGradientBoosting's binning and first iteration); a fold that would start it with less time left is
#: not started
SETUP_CELLS_PER_SECOND: dict[str, float] = {name: fam.setup_cells_per_second for name, fam in FAMILIES.items()
                                            if math.isfinite(fam.setup_cells_per_second)}
SETUP_MARGIN = 1.5


def setup_seconds(family: str, rows: int, columns: int) -> float:
    """Seconds (with :data:`SETUP_MARGIN`) of the step before ``family``'s fit can be stopped; 0 for the others."""
    return SETUP_MARGIN * rows * columns / SETUP_CELLS_PER_SECOND.get(family, math.inf)


#: a classification sample keeps every row of a class up to this many (rare classes weigh as much as common
#: ones in balanced accuracy: shuttle's 7-row class lost to a proportional sample)
RARE_CLASS_ROWS = 50


def sample_rows(y: np.ndarray, n: int, seed: int, classification: bool) -> np.ndarray:
    """About ``n`` random rows, sorted; a classification sample is stratified and keeps every row of a class up
    to :data:`RARE_CLASS_ROWS` of it (so a few more than ``n`` when rare classes are topped up).

    Examples
    --------
    >>> y = np.array([0] * 990 + [1] * 10)
    >>> rows = sample_rows(y, 100, 0, True)
    >>> int((y[rows] == 1).sum()), len(rows)
    (10, 109)
    """
    rng = np.random.default_rng(seed)
    if not classification:
        return np.sort(rng.choice(len(y), min(n, len(y)), replace=False))
    classes, counts = np.unique(y, return_counts=True)
    share = min(n, len(y)) * counts / len(y)
    quota = np.floor(share).astype(int)
    quota[np.argsort(quota - share)[:min(n, len(y)) - int(quota.sum())]] += 1  # largest remainders: n in all
    quota = np.minimum(counts, np.maximum(quota, np.minimum(counts, RARE_CLASS_ROWS)))
    rows = [rng.choice(np.flatnonzero(y == c), q, replace=False) for c, q in zip(classes, quota, strict=True)]
    return np.sort(np.concatenate(rows).astype(int))
