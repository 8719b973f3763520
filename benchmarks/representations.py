"""Learned task representations judged by the ranking they give the LightGBM ranker.

Grouped K-fold over dataset families (default 5 folds): for each fold, the
ranker *and its encoder* are fitted on the other folds' datasets only (the
encoders never see a held-out family), then rank the whole portfolio for every
held-out dataset. Reported, over all held-out datasets: normalised regret@1/3/5/10
(regret = (best - best of the first k) / (best - median), primary metric), NDCG@10
and the rank of the first pick, for average rank, the ranker on meta-features
(its default), on each learned representation, on meta-features + a learned
one, and for random order (exact expectation) and the oracle. Also times
``transform`` of each learned encoder on a 100,000 x 50 table.

    python benchmarks/representations.py --kb /tmp/kb_snap --data-dir ../shared/data/pmlb
    python benchmarks/representations.py --kb metadata --folds 5 --json out.json
    python benchmarks/representations.py --protocol lofo --learners mf dataset2vec graph mf+graph

Full leave-one-family-out would retrain every neural encoder once per family
(dozens of times) on 2 cores; grouped K-fold keeps the same guarantee (no
held-out family seen in training) for a fraction of the cost.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

KS = (1, 3, 5, 10)


def markdown(frame: pd.DataFrame, digits: int = 3) -> str:
    cols = list(frame.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for row in frame.itertuples(index=False):
        cells = [f"{v:.{digits}f}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def learners(data_dir: str, steps: int, epochs: int, n_estimators: int) -> dict[str, Any]:
    from autometa.metalearn import AverageRank, LightGBMRanker
    from autometa.representations import (
        ConcatTaskEncoder,
        Dataset2VecEncoder,
        FeatureGraphEncoder,
        MetafeatureVectorEncoder,
    )

    def d2v(objective: str = "profile") -> Dataset2VecEncoder:
        return Dataset2VecEncoder(objective=objective, steps=steps, data_dir=data_dir)

    def graph() -> FeatureGraphEncoder:
        return FeatureGraphEncoder(epochs=epochs, data_dir=data_dir)

    def ranker(encoder: Any = None) -> LightGBMRanker:
        return LightGBMRanker(encoder=encoder, n_estimators=n_estimators)

    return {
        "average_rank": AverageRank(),
        "ranker: meta-features": ranker(),
        "ranker: dataset2vec (profile)": ranker(d2v()),
        "ranker: dataset2vec (same dataset)": ranker(d2v("same_dataset")),
        "ranker: graph": ranker(graph()),
        "ranker: meta-features + dataset2vec": ranker(ConcatTaskEncoder([MetafeatureVectorEncoder(), d2v()],
                                                                         data_dir=data_dir)),
        "ranker: meta-features + graph": ranker(ConcatTaskEncoder([MetafeatureVectorEncoder(), graph()],
                                                                  data_dir=data_dir)),
    }


def family_folds(families: pd.Series, n_folds: int, seed: int) -> list[list[str]]:
    """Datasets split into ``n_folds`` folds, each family wholly in one fold (families shuffled with ``seed``)."""
    fams = sorted(families.unique())
    rng = np.random.default_rng(seed)
    rng.shuffle(fams)
    sizes = families.value_counts()
    folds: list[list[str]] = [[] for _ in range(n_folds)]
    load = np.zeros(n_folds)
    for fam in sorted(fams, key=lambda f: -sizes[f]):  # largest families first, to the lightest fold
        i = int(np.argmin(load))
        folds[i].extend(sorted(families.index[families == fam]))
        load[i] += sizes[fam]
    return [f for f in folds if f]


def evaluate(kb: Any, data_dir: str, n_folds: int, seed: int, steps: int, epochs: int,
             n_estimators: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    from autometa.metalearn import random_metrics, ranking_metrics

    names = [n for n in kb.datasets.index if n in kb.metafeatures.index]
    kb = kb.subset(names)
    truth = kb.scores().loc[names, list(kb.configurations.index)]
    truth = truth[truth.notna().any(axis=1)]
    names = list(truth.index)
    folds = family_folds(kb.datasets.loc[names, "family"].astype(str), n_folds, seed)
    config_pos = {c: i for i, c in enumerate(truth.columns)}
    records, timing = [], []
    for f, held in enumerate(folds):
        train = kb.subset([n for n in names if n not in set(held)])
        for name, learner in learners(data_dir, steps, epochs, n_estimators).items():
            t0 = time.perf_counter()
            fitted = learner.fit(train)
            fit_s = time.perf_counter() - t0
            for d in held:
                if train.dataset_names("regression" if kb.kind_of(d) == "regression" else "classification") == []:
                    continue
                ranked = fitted.rank(kb.metafeatures.loc[d].rename(d), kind=kb.kind_of(d))
                order = [config_pos[c] for c in ranked["config_id"]]
                records.append({"fold": f, "dataset": d, "kind": kb.kind_of(d), "learner": name,
                                **ranking_metrics(truth.loc[d].to_numpy(float), order, KS, 10)})
            timing.append({"fold": f, "learner": name, "fit_seconds": fit_s})
            print(f"fold {f + 1}/{len(folds)} {name}: fit {fit_s:.1f}s", flush=True)
        for d in held:
            true = truth.loc[d].to_numpy(float)
            records.append({"fold": f, "dataset": d, "kind": kb.kind_of(d), "learner": "random",
                            **random_metrics(true, KS, 10)})
            records.append({"fold": f, "dataset": d, "kind": kb.kind_of(d), "learner": "oracle",
                            **ranking_metrics(true, np.argsort(-np.nan_to_num(true, nan=-np.inf)), KS, 10)})
    return pd.DataFrame(records), pd.DataFrame(timing)


def summary(records: pd.DataFrame, timing: pd.DataFrame) -> pd.DataFrame:
    metrics = [f"regret@{k}" for k in KS] + ["ndcg@10", "first_rank"]
    order = list(dict.fromkeys(records["learner"]))
    out = records.groupby("learner", sort=False)[metrics].mean().reindex(order)
    out.insert(0, "datasets", records.groupby("learner", sort=False)["dataset"].nunique().reindex(order))
    base = records[records["learner"] == "ranker: meta-features"].set_index("dataset")["regret@5"]
    wtl = []
    for learner in order:
        mine = records[records["learner"] == learner].set_index("dataset")["regret@5"]
        diff = (mine - base.reindex(mine.index)).dropna()
        wtl.append(f"{(diff < -1e-9).sum()}/{(diff.abs() <= 1e-9).sum()}/{(diff > 1e-9).sum()}")
    out["w/t/l@5 vs mf"] = wtl
    fit = timing.groupby("learner", sort=False)["fit_seconds"].mean()
    out["fit s"] = fit.reindex(order).round(1).astype(object).where(fit.reindex(order).notna(), "-")
    return out.reset_index()


def inference_times(kb: Any, data_dir: str) -> pd.DataFrame:
    """transform seconds on a 100,000 x 50 table (median of 3), encoders fitted briefly on the base."""
    from autometa.representations import Dataset2VecEncoder, FeatureGraphEncoder
    from autometa.tasks import Task

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(100_000, 50)), columns=[f"c{i}" for i in range(50)])
    X["c0"] = rng.choice(["a", "b", "c"], size=len(X))
    task = Task(name="big", X=X, y=pd.Series(rng.integers(0, 3, len(X))), kind="multiclass",
                categorical=[True] + [False] * 49)
    rows = []
    for enc in (Dataset2VecEncoder(steps=10, data_dir=data_dir), FeatureGraphEncoder(epochs=10, data_dir=data_dir)):
        enc.fit(kb)
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            enc.transform(task)
            times.append(time.perf_counter() - t0)
        rows.append({"encoder": type(enc).__name__, "seconds (100k x 50)": float(np.median(times))})
    return pd.DataFrame(rows)


SHORT = {"mf": "ranker: meta-features", "dataset2vec": "ranker: dataset2vec (profile)",
         "dataset2vec-same": "ranker: dataset2vec (same dataset)", "graph": "ranker: graph",
         "mf+dataset2vec": "ranker: meta-features + dataset2vec", "mf+graph": "ranker: meta-features + graph"}


def lofo(kb: Any, data_dir: str, names: list[str], steps: int, epochs: int, n_estimators: int) -> Any:
    """metalearn's own leave-one-family-out evaluate (every encoder retrained per family and kind)."""
    from autometa.metalearn import evaluate as lofo_evaluate

    every = learners(data_dir, steps, epochs, n_estimators)
    chosen = {"average_rank": every["average_rank"], **{SHORT[n]: every[SHORT[n]] for n in names}}
    kb = kb.subset([n for n in kb.datasets.index if n in kb.metafeatures.index])
    return lofo_evaluate(kb, chosen, ks=KS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kb", default=str(REPO / "metadata"), help="knowledge base folder")
    parser.add_argument("--data-dir", default=os.environ.get("AUTOMETA_DATA_DIR", str(REPO.parent / "shared/data/pmlb")))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=300, help="Dataset2Vec optimiser steps")
    parser.add_argument("--epochs", type=int, default=150, help="graph encoder epochs")
    parser.add_argument("--n-estimators", type=int, default=200)
    parser.add_argument("--json", help="write records and summary here")
    parser.add_argument("--protocol", choices=["kfold", "lofo"], default="kfold",
                        help="grouped K-fold (default) or metalearn's leave-one-family-out (slow)")
    parser.add_argument("--learners", nargs="+", choices=list(SHORT), default=list(SHORT),
                        help="with --protocol lofo: which rankers (average rank always)")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(1)
    from autometa.knowledge import KnowledgeBase

    kb = KnowledgeBase.load(args.kb)
    t0 = time.perf_counter()
    if args.protocol == "lofo":
        result = lofo(kb, args.data_dir, args.learners, args.steps, args.epochs, args.n_estimators)
        print(f"{result.meta['datasets']} datasets, {result.meta['folds']} leave-one-family-out folds, "
              f"{time.perf_counter() - t0:.0f}s\n")
        print(markdown(result.summary()))
        records = result.records
        rows = []
        for learner, sub in records.groupby("learner", sort=False):
            rows.append({"learner": learner, "datasets": sub["dataset"].nunique(),
                         **{m: float(sub[m].mean()) for m in [f"regret@{k}" for k in KS] + ["ndcg@10"]}})
        print("\nall groups\n\n" + markdown(pd.DataFrame(rows)))
        if args.json:
            Path(args.json).write_text(json.dumps({"records": records.to_dict(orient="records")}, default=str))
        return 0
    records, timing = evaluate(kb, args.data_dir, args.folds, args.seed, args.steps, args.epochs,
                               args.n_estimators)
    table = summary(records, timing)
    n = records["dataset"].nunique()
    fams = kb.datasets.loc[records["dataset"].unique(), "family"].nunique()
    print(f"\n{n} datasets, {fams} families, {args.folds}-fold grouped by family, "
          f"{time.perf_counter() - t0:.0f}s\n")
    print(markdown(table))
    for kind_group, sub in records.groupby(records["kind"].eq("regression").map({True: "regression",
                                                                                  False: "classification"})):
        print(f"\n{kind_group} ({sub['dataset'].nunique()} datasets)\n")
        print(markdown(summary(sub, timing)))
    inf = inference_times(kb, args.data_dir)
    print("\n" + markdown(inf))
    if args.json:
        Path(args.json).write_text(json.dumps({"summary": table.to_dict(orient="records"),
                                               "records": records.to_dict(orient="records"),
                                               "inference": inf.to_dict(orient="records")}, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
