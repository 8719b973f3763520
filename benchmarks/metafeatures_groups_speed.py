"""The itemset, clustering, concept and complexity groups against pymfe on 20,000 x 50 (issue 22's "at equal rows").

Itemset on all 20,000 rows (both libraries use them all); clustering, concept and
complexity on a 5,000-row sample given to both (autometa's pairwise-distance features use at most
``model_max_rows`` = 5,000 rows, pymfe all of them: "equal rows"). Each library in
this process, one BLAS thread, ``--repeats`` rounds interleaved (autometa, pymfe,
autometa, ...); the first round includes imports and warm-up.

    python benchmarks/metafeatures_groups_speed.py --repeats 3
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np


def main(argv: list[str] | None = None) -> int:
    from threadpoolctl import threadpool_limits

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from metafeatures import synthetic
    from pymfe.mfe import MFE

    from autometa.metafeatures import extract_metafeatures

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--groups", nargs="+", default=["itemset", "clustering", "concept", "complexity"])
    args = parser.parse_args(argv)
    print(f"python benchmarks/metafeatures_groups_speed.py --repeats {args.repeats} --groups {' '.join(args.groups)}")
    X, y = synthetic(20_000, 50, 2)
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    sample = np.sort(np.random.default_rng(0).choice(len(y), 5000, replace=False))
    with threadpool_limits(limits=1, user_api="blas"):
        for group, rows in (("itemset", None), ("clustering", sample), ("concept", sample), ("complexity", sample)):
            if group not in args.groups:
                continue
            Xs, ys = (X, y) if rows is None else (X[rows], y[rows])
            ratios, ours_s, theirs_s = [], [], []
            for _ in range(args.repeats):
                t = time.perf_counter()
                extract_metafeatures(Xs, ys, groups=[group])
                ours = time.perf_counter() - t
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    t = time.perf_counter()
                    mfe = MFE(groups=[group], random_state=0, suppress_warnings=True)
                    mfe.fit(Xs, ys, suppress_warnings=True)
                    mfe.extract(suppress_warnings=True)
                    theirs = time.perf_counter() - t
                ours_s.append(ours)
                theirs_s.append(theirs)
                ratios.append(theirs / ours)
            print(f"{group} on {Xs.shape[0]:,} x {Xs.shape[1]}: autometa median {np.median(ours_s):.2f} s "
                  f"({min(ours_s):.2f}-{max(ours_s):.2f}), pymfe {np.median(theirs_s):.2f} s; pymfe / autometa "
                  f"median {np.median(ratios):.1f}x ({min(ratios):.1f}-{max(ratios):.1f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
