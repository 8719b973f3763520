"""autometa.fit on 60,000 x 20 rows with SVMs allowed: does it keep a 20 s budget?

libsvm runs in C and never returns to Python during a fit, so the SIGALRM time limit
that stops other fits cannot stop an SVM. run_search therefore times an SVM on a
2,000-row sample first and skips the trial when the full fit cannot finish in the
budget left. ``--no-probe`` turns that off to show what happens without it.

    AUTOMETA_HOME=$(mktemp -d) python benchmarks/fit_budget_svm.py             # with the sample timing
    AUTOMETA_HOME=$(mktemp -d) python benchmarks/fit_budget_svm.py --no-probe  # without

(an empty ``AUTOMETA_HOME``: runs you recorded before would change the recommendations)
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

from sklearn.datasets import make_classification

import autometa
import autometa.search._cost as loop


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=60_000)
    ap.add_argument("--budget", type=float, default=20.0)
    ap.add_argument("--no-probe", action="store_true")
    ap.add_argument("--families", nargs="+", default=["svm", "linear"])
    args = ap.parse_args(argv)
    if args.no_probe:
        loop.UNINTERRUPTIBLE.clear()
    X, y = make_classification(n_samples=args.rows, n_features=20, random_state=0)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = autometa.fit(X, y, time_budget=args.budget, random_state=0, families=args.families,
                             record=False)  # benchmark runs must not land in the user's knowledge base
    wall = time.perf_counter() - start
    svm = [t for t in model.study_.trials if t.params.get("family") == "svm"]
    took = [(t.datetime_complete - t.datetime_start).total_seconds() for t in svm if t.datetime_complete]
    expected = [t.user_attrs.get("autometa_expected_fit_seconds") for t in svm]
    print(f"{args.rows} x 20, families {' '.join(args.families)}, budget {args.budget:g} s, "
          f"probe {'off' if args.no_probe else 'on'}: wall {wall:.1f} s, best {model.best_family_}")
    for note in model.notes_:
        print(f"  note: {note}")
    if took:
        print(f"  SVM trials: {len(took)}, {min(took):.2f}-{max(took):.2f} s each")
    known = [e for e in expected if e is not None]
    if known:
        print(f"  skipped or timed on a sample: {len(known)}, expected {min(known):.0f}-{max(known):.0f} s per fold")
    print("command: python benchmarks/fit_budget_svm.py " + " ".join(sys.argv[1:]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
