"""How well ``recommend``'s expected scores carry over to datasets the learner never saw.

Leave-one-family-out on the shipped knowledge base: for each family, the default
learner is fitted on the other families' datasets and ranks the portfolio for each
held-out dataset from its meta-features; for the first ``--top`` recommendations, the
expected score (weighted median over the neighbours) and its 10-90 % range
(:mod:`autometa.metalearn._expected`) are set against the configuration's real
cross-validated score on the held-out dataset (the base holds it). Reported per group:
median absolute error, how often the real score falls in the range, the rank
correlation of expected and real scores across datasets, and the same error for a
baseline that knows nothing of the new data (each configuration's median over all
training datasets).

    python benchmarks/expected_scores.py                  # shipped base, top 5
    python benchmarks/expected_scores.py --top 10 --out runs/expected.csv
    python benchmarks/expected_scores.py --regression   # what regression would get (recommend gives it none)
"""

from __future__ import annotations

import argparse
import sys
import time

import pandas as pd


def main(argv: list[str] | None = None) -> int:
    from scipy.stats import spearmanr

    from autometa.knowledge import KnowledgeBase
    from autometa.metalearn import get_learner
    from autometa.metalearn._data import GROUPS, _metric_for
    from autometa.metalearn._expected import with_expected_scores

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--path", help="knowledge base folder (default: the shipped one)")
    parser.add_argument("--top", type=int, default=5)
    parser.add_argument("--out", help="write the per-recommendation rows here (CSV)")
    parser.add_argument("--regression", action="store_true",
                        help="compute R² ranges too (recommend leaves them out: they did not carry over)")
    args = parser.parse_args(argv)
    if args.regression:
        from autometa.metalearn import _expected

        _expected.CARRIES_OVER = _expected.CARRIES_OVER | {"r2"}
    kb = KnowledgeBase.load(args.path)
    family_of = kb.datasets["family"].astype(str)
    rows = []
    start = time.perf_counter()
    for group in GROUPS:
        names = kb.dataset_names(group)
        metric = _metric_for(kb, group, None)
        truth = kb.scores(metric, kind=group).loc[:, list(kb.configurations.index)]
        truth = truth[truth.notna().any(axis=1)]
        names = [str(n) for n in truth.index]
        fams = family_of.reindex(names).fillna(pd.Series(names, index=names))
        for fam in pd.unique(fams.to_numpy()):
            held = [n for n in names if fams[n] == fam]
            train = [n for n in names if fams[n] != fam]
            sub = kb.subset(train)
            fitted = get_learner("default").fit(sub)
            baseline = truth.loc[train].median(axis=0)
            for dataset in held:
                query = kb.metafeatures.loc[dataset].rename(dataset)
                kind = kb.kind_of(dataset)
                table = with_expected_scores(fitted.rank(query, top=args.top, kind=kind), fitted, kind)
                for r in table.itertuples():
                    rows.append({"group": group, "family": fam, "dataset": dataset, "rank": r.rank,
                                 "config_id": r.config_id, "true": float(truth.loc[dataset, r.config_id]),
                                 "expected": r.expected_score, "low": r.expected_low, "high": r.expected_high,
                                 "baseline": float(baseline[r.config_id])})
            print(f"{group} {fam}: {len(held)} held out ({time.perf_counter() - start:.0f} s)", file=sys.stderr)
    frame = pd.DataFrame(rows)
    if args.out:
        frame.to_csv(args.out, index=False)
    print(f"python benchmarks/expected_scores.py --top {args.top}"
          + (f" --path {args.path}" if args.path else "") + (" --regression" if args.regression else ""))
    for group, part in frame.groupby("group"):
        part = part.dropna(subset=["true", "expected"])
        if part.empty:
            print(f"{group}: no expected scores")
            continue
        err = (part["expected"] - part["true"]).abs()
        base = (part["baseline"] - part["true"]).abs()
        inside = ((part["true"] >= part["low"]) & (part["true"] <= part["high"])).mean()
        rho = spearmanr(part["expected"], part["true"]).statistic
        print(f"{group}: {part['dataset'].nunique()} datasets, {len(part)} recommendations; "
              f"median |expected - real| {err.median():.3f} (90th pct {err.quantile(0.9):.3f}); "
              f"baseline (each configuration's median on the training datasets) {base.median():.3f}; "
              f"real score within the 10-90 % range {100 * inside:.0f} %; Spearman(expected, real) {rho:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
