"""autometa.fit on a large table: which warm-start configurations fit the budget, and what it gives.

``run_search`` warm-starts from recommendations expected to fit within a share of
the budget (``time_budget / (2 (n_folds + 1))`` per fit), using the
recommendations' expected fit seconds. ``--old-rule`` swaps in the extrapolation
used before the families' growth curves (at least linear in the rows beyond the
knowledge base's recorded sizes) to show the difference.

    AUTOMETA_HOME=$(mktemp -d) python benchmarks/fit_large.py               # growth curves
    AUTOMETA_HOME=$(mktemp -d) python benchmarks/fit_large.py --old-rule    # the rule before

(an empty ``AUTOMETA_HOME``: runs you recorded before would change the recommendations)
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import pandas as pd
from sklearn.datasets import make_classification
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split

import autometa
from autometa.metalearn._data import FitTimeModel


def _use_old_rule() -> None:
    predict = FitTimeModel.predict

    def old_rule(self: FitTimeModel, rows: float | None, features: float | None):  # type: ignore[no-untyped-def]
        families, self.families = self.families, None  # no families: at least linear beyond the base
        try:
            return predict(self, rows, features)
        finally:
            self.families = families

    FitTimeModel.predict = old_rule  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--features", type=int, default=50)
    ap.add_argument("--budget", type=float, default=60.0)
    ap.add_argument("--old-rule", action="store_true")
    args = ap.parse_args(argv)
    if args.old_rule:
        _use_old_rule()
    X, y = make_classification(n_samples=args.rows, n_features=args.features, random_state=0)
    X = pd.DataFrame(X, columns=[f"x{i}" for i in range(args.features)])
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = autometa.fit(X_train, y_train, time_budget=args.budget, random_state=0,
                             record=False)  # benchmark runs must not land in the user's knowledge base
    wall = time.perf_counter() - start
    board = model.leaderboard_
    test = balanced_accuracy_score(y_test, model.predict(X_test))
    print(f"{len(X_train)} x {args.features} training rows, budget {args.budget:g} s, "
          f"{'old rule' if args.old_rule else 'growth curves'}: wall {wall:.1f} s, {len(board)} trials, "
          f"best {model.best_family_}, cv {board['score'].iloc[0]:.4f}, test balanced accuracy {test:.4f}")
    print(board[["rank", "family", "config_id", "score", "fit_seconds", "source"]].head(8).to_string(index=False))
    print("command: python benchmarks/fit_large.py " + " ".join(sys.argv[1:]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
