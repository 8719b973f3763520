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
on ``make_classification`` data with 20 features.

    python benchmarks/svm_refit_estimate.py [--rows 8000 16000 24000] [--folds 3]
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
from autometa.search.loop import REFIT_EXPONENT, probe_fold_seconds, refit_growth


def _timed_fit(X: pd.DataFrame, y: np.ndarray) -> float:
    fam = get_family("svm")
    model = fam.build(fam.defaults("binary"), "binary", categorical=[False] * X.shape[1], random_state=0)
    start = time.perf_counter()
    model.fit(X, y)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, nargs="+", default=[8000, 16000, 24000])
    ap.add_argument("--folds", type=int, default=3)
    args = ap.parse_args(argv)
    fam = get_family("svm")
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
            model = fam.build(fam.defaults("binary"), "binary", categorical=[False] * X.shape[1], random_state=0)
            sample = probe_fold_seconds(model, "svm", X, y, np.arange(n), predict=False)
            full = _timed_fit(X, y)
            square, power = fold * (n / len(train)) ** 2, fold * (n / len(train)) ** growth
            used = fold * refit_growth("svm", len(train), n)
            sample_text = "-" if sample is None else f"{sample:.2f} (x{sample / full:.2f})"
            print(f"| {n:,} | {full:.2f} | {fold:.2f} on {len(train):,} | {square:.2f} (x{square / full:.2f}) "
                  f"| {power:.2f} (x{power / full:.2f}) | {used:.2f} (x{used / full:.2f}) | {sample_text} |")
    print("command: python benchmarks/svm_refit_estimate.py " + " ".join(sys.argv[1:] if argv is None else argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
