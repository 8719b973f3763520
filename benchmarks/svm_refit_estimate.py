"""How well is the final SVM refit's time on all rows predicted?

``run_search`` refits the best pipeline on all rows at the end. An SVM's fit cannot
be stopped, so its time is estimated first, to refit on a sample when it would
overrun the budget left. Two estimates:

- from the fit the search measured on a fold (its training rows, (folds - 1) / folds
  of all), used when the best trial finished; grown by (rows / fold rows) to the
  power 2, to ``REFIT_EXPONENT["svm"]`` (2.5), and by ``refit_growth`` (what the
  refit uses: the larger of n^2.5 and the SVM's measured fit-time curve);
- from a fit on a 2,000-row sample (``probe_fold_seconds(..., predict=False)``,
  grown by (rows / 2,000)^2), used when no trial finished.

This prints the full fit's measured time and the estimates, for the default SVM
on ``make_classification`` data with 20 features. With ``--trial`` it checks the
trial's sample timing instead (fit and predict 2,000 rows, times (rows / 2,000)^2,
which decides whether a trial is skipped) against one fold's real fit and
prediction, beside what the SVM's fit-time curve would say.

    python benchmarks/svm_refit_estimate.py [--rows 8000 16000 24000] [--folds 3]
    python benchmarks/svm_refit_estimate.py --trial --rows 24000 48000 72000
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.datasets import make_classification

from autometa.pipelines import get_family
from autometa.search._cost import REFIT_EXPONENT, probe_fold_seconds, refit_growth


def _build(n_features: int):
    """The default SVM pipeline, as a search trial builds it."""
    fam = get_family("svm")
    return fam.build(fam.defaults("binary"), "binary", categorical=[False] * n_features, random_state=0)


def _timed_fit(X: pd.DataFrame, y: np.ndarray) -> float:
    model = _build(X.shape[1])
    start = time.perf_counter()
    model.fit(X, y)
    return time.perf_counter() - start


def _trial(sizes: list[int], folds: int) -> None:
    from autometa.metalearn._data import large_data_growth

    print("| rows | training rows | fold fit + predict (s) | sample timing, n^2 (x actual) | SVM curve (x actual) |")
    print("|---:|---:|---:|---:|---:|")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for n in sizes:
            X, y = make_classification(n_samples=n, n_features=20, random_state=0)
            X = pd.DataFrame(X)
            train, test = np.arange(n * (folds - 1) // folds), np.arange(n * (folds - 1) // folds, n)
            start = time.perf_counter()
            estimate = probe_fold_seconds(_build(20), "svm", X, y, train)
            sample_seconds = time.perf_counter() - start
            model = _build(20)
            start = time.perf_counter()
            model.fit(X.iloc[train], y[train])
            model.predict(X.iloc[test])
            actual = time.perf_counter() - start
            curve = sample_seconds * large_data_growth("svm", 2000, len(train))
            est_text = "-" if estimate is None else f"{estimate:.1f} (x{estimate / actual:.2f})"
            print(f"| {n:,} | {len(train):,} | {actual:.1f} | {est_text} | {curve:.1f} (x{curve / actual:.2f}) |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, nargs="+", default=[8000, 16000, 24000])
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--trial", action="store_true", help="check the trial's sample timing, not the refit's")
    args = ap.parse_args(argv)
    command = "command: python benchmarks/svm_refit_estimate.py " + " ".join(sys.argv[1:] if argv is None else argv)
    if args.trial:
        _trial(args.rows, args.folds)
        print(command)
        return 0
    growth = REFIT_EXPONENT["svm"]
    print(f"| rows | full fit (s) | fold fit (s) on rows | from the fold, n^2 (x actual) | from the fold, n^{growth:g} "
          "(x actual) | from the fold, refit_growth (x actual) | from a 2,000-row sample, n^2 (x actual) |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for n in args.rows:
            X, y = make_classification(n_samples=n, n_features=20, random_state=0)
            X = pd.DataFrame(X)
            train = np.arange(n * (args.folds - 1) // args.folds)
            fold = _timed_fit(X.iloc[train], y[train])
            sample = probe_fold_seconds(_build(X.shape[1]), "svm", X, y, np.arange(n), predict=False)
            full = _timed_fit(X, y)
            square, power = fold * (n / len(train)) ** 2, fold * (n / len(train)) ** growth
            used = fold * refit_growth("svm", len(train), n)
            sample_text = "-" if sample is None else f"{sample:.2f} (x{sample / full:.2f})"
            print(f"| {n:,} | {full:.2f} | {fold:.2f} on {len(train):,} | {square:.2f} (x{square / full:.2f}) "
                  f"| {power:.2f} (x{power / full:.2f}) | {used:.2f} (x{used / full:.2f}) | {sample_text} |")
    print(command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
