"""Warm-started Optuna against cold TPE and random search; autometa.fit against plain Optuna (and FLAML).

Leave-one-family-out: for each held-out PMLB dataset, the meta-learner that
recommends the warm start is fitted on the knowledge base WITHOUT every dataset of
the held-out dataset's family (``families.tsv``), via ``KnowledgeBase.subset``.

Part 1 (by trial): on each held-out dataset and seed, three studies of ``--trials``
trials over the same conditional space (family, then its parameters) and the same
cross-validated objective (no pruning): cold TPE, TPE warm-started with 10
recommended configurations (``autometa.warm_start``), and random search. Reported:
mean normalised regret of the best-so-far at trials 1, 5, 10, 25, 50 (regret =
(best - best so far) / (best - median), best and median over every trial any method
ran on that dataset; 0 is the best seen), win/tie/loss of warm@10 against cold@50 and
of warm@50 against cold@50 (tie: within 0.002), and a best-so-far plot.

Part 2 (by time): ``autometa.fit`` against plain Optuna (cold TPE over the same
space, no pruning, timeout) and FLAML's ``AutoML`` when it is installed, at equal
wall-clock budgets, scored on a held-out 25 % split.

Usage::

    python benchmarks/warmstart.py --datasets tokyo1 clean1 kr_vs_kp analcatdata_authorship \\
        --seeds 0 1 --trials 50 --max-rows 500 --budget 20 --png docs/warmstart_regret.png
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd

FAST_FAMILIES = ["lightgbm", "random_forest", "extra_trees", "linear", "knn"]
CHECKPOINTS = (1, 5, 10, 25, 50)


def load(name: str, data_dir: Path, max_rows: int, seed: int = 0) -> Any:
    from autometa.tasks import load_task

    task = load_task(f"pmlb:{name}", data_dir=data_dir)
    if len(task.X) > max_rows:
        rng = np.random.default_rng(seed)
        keep = np.sort(rng.choice(len(task.X), size=max_rows, replace=False))
        task = load_task(task.X.iloc[keep].reset_index(drop=True), y=task.y.iloc[keep].reset_index(drop=True),
                         name=task.name, kind=task.kind, categorical=task.categorical)
    return task


def recommendations(task: Any, family: str, kb: Any, families: list[str], learner: str) -> pd.DataFrame:
    """Recommendations from a learner fitted without the held-out family."""
    from autometa.metalearn import get_learner, recommend

    keep = kb.datasets.index[kb.datasets["family"] != family].tolist()
    sub = kb.subset(keep)
    for name in (learner, "average_rank"):
        try:
            fitted = get_learner(name).fit(sub)
            return recommend(task, top=30, learner=fitted, families=families)
        except Exception as exc:  # noqa: BLE001 - the fallback is reported
            print(f"  learner {name!r} failed on {task.name}: {type(exc).__name__}: {exc}")
    raise RuntimeError("no learner could recommend")


def objective_for(task: Any, families: list[str], n_folds: int = 3):
    from autometa.knowledge import PRIMARY_METRIC, Protocol
    from autometa.knowledge._evaluate import make_folds
    from autometa.pipelines import get_family
    from autometa.scoring import score_predictions
    from autometa.search import suggest_pipeline

    metric = PRIMARY_METRIC[task.kind]
    if task.kind == "regression":
        y, n_classes = task.y.to_numpy(dtype=float), None
    else:
        classes, y = np.unique(task.y.to_numpy(), return_inverse=True)
        n_classes = len(classes)
    folds = make_folds(y, n_classes is not None, Protocol(n_folds=n_folds, seed=0))

    def objective(trial: optuna.Trial) -> float:
        family, params = suggest_pipeline(trial, task.kind, families)
        scores = []
        for train, test in folds:
            model = get_family(family).build(params, task.kind, categorical=task.categorical, random_state=0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(task.X.iloc[train], y[train])
                scores.append(score_predictions(model, task.X.iloc[test], y[test], n_classes)[metric])
        return float(np.mean(scores))

    return objective


def tpe(seed: int) -> optuna.samplers.BaseSampler:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return optuna.samplers.TPESampler(seed=seed, multivariate=True, group=True)


def by_trial(task: Any, recs: pd.DataFrame, families: list[str], seed: int, n_trials: int) -> dict[str, list[float]]:
    from autometa.search import conditional_space, warm_start

    objective = objective_for(task, families)
    curves: dict[str, list[float]] = {}
    for method in ("cold", "warm", "random"):
        sampler = optuna.samplers.RandomSampler(seed=seed) if method == "random" else tpe(seed)
        study = optuna.create_study(direction="maximize", sampler=sampler)
        if method == "warm":
            warm_start(study, task, n_trials=10, search_space=conditional_space(task.kind, families),
                       recommendations=recs)
        study.optimize(objective, n_trials=n_trials, catch=(Exception,))
        values = [t.value if t.value is not None else -np.inf for t in study.trials[:n_trials]]
        curves[method] = values
    return curves


def regret_table(curves: dict[tuple[str, int], dict[str, list[float]]], n_trials: int) -> tuple[pd.DataFrame, dict]:
    rows = []
    per_trial: dict[str, list[np.ndarray]] = {"cold": [], "warm": [], "random": []}
    for (dataset, seed), methods in curves.items():
        pool = np.concatenate([np.asarray(v, dtype=float) for v in methods.values()])
        pool = pool[np.isfinite(pool)]
        best, median = pool.max(), np.median(pool)
        scale = best - median if best > median else 1.0
        for method, values in methods.items():
            so_far = np.maximum.accumulate(np.asarray(values, dtype=float))
            regret = np.clip((best - so_far) / scale, 0, None)
            per_trial[method].append(regret)
            marks = sorted({k for k in CHECKPOINTS if k <= n_trials} | {n_trials})
            rows.append({"dataset": dataset, "seed": seed, "method": method,
                         **{f"@{k}": regret[k - 1] for k in marks},
                         **{f"best@{k}": so_far[k - 1] for k in marks}})
    return pd.DataFrame(rows), per_trial


def win_tie_loss(a: pd.Series, b: pd.Series, tol: float = 0.002) -> str:
    diff = a.to_numpy() - b.to_numpy()
    return f"{int((diff > tol).sum())}/{int((np.abs(diff) <= tol).sum())}/{int((diff < -tol).sum())}"


def plot(per_trial: dict[str, list[np.ndarray]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for method, curves in per_trial.items():
        mean = np.mean(np.vstack(curves), axis=0)
        ax.plot(np.arange(1, len(mean) + 1), mean, label=method)
    ax.set_xlabel("trial")
    ax.set_ylabel("mean normalised regret of the best so far")
    ax.set_yscale("symlog", linthresh=0.05)
    ax.set_title("Warm-started TPE vs cold TPE vs random (leave-one-family-out)")
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)


def by_time(task: Any, budget: float, families: list[str], seed: int, kb_family: str, kb: Any,
            learner: str = "default") -> list[dict]:
    from sklearn.model_selection import train_test_split

    from autometa.estimators import AutoMetaClassifier, AutoMetaRegressor
    from autometa.knowledge import PRIMARY_METRIC
    from autometa.pipelines import get_family
    from autometa.scoring import score_predictions
    from autometa.search import split_params
    from autometa.tasks import load_task

    metric = PRIMARY_METRIC[task.kind]
    strat = task.y if task.kind != "regression" else None
    X_tr, X_te, y_tr, y_te = train_test_split(task.X, task.y, test_size=0.25, random_state=seed, stratify=strat)
    classes = np.unique(task.y.to_numpy())
    enc_te = np.searchsorted(classes, y_te.to_numpy()) if task.kind != "regression" else y_te.to_numpy(float)
    n_classes = None if task.kind == "regression" else len(classes)
    rows = []

    # autometa.fit, its meta-learner without the held-out family (the same leave-family-out rule)
    import autometa.metalearn as ml
    from autometa.metalearn import recommend as _recommend

    keep = kb.datasets.index[kb.datasets["family"] != kb_family].tolist()
    fitted = ml.get_learner(learner).fit(kb.subset(keep))  # fitted once, as the shipped one is cached

    def recommend_without_family(X: Any, y: Any = None, **kwargs: Any) -> pd.DataFrame:
        kwargs.pop("knowledge_base", None)
        kwargs.pop("learner", None)
        return _recommend(X, y, learner=fitted, **kwargs)

    ml.recommend = recommend_without_family  # autometa.search looks it up at call time
    try:
        cls = AutoMetaRegressor if task.kind == "regression" else AutoMetaClassifier
        start = time.perf_counter()
        model = cls(time_budget=budget, random_state=seed, families=families).fit(X_tr, y_tr)
        wall = time.perf_counter() - start
    finally:
        ml.recommend = _recommend
    pred_model = model.best_pipeline_
    rows.append({"dataset": task.name, "seed": seed, "system": "autometa.fit", "wall_s": wall,
                 "trials": model.n_trials_, "cv": model.best_score_,
                 "test": score_predictions(pred_model, X_te, enc_te, n_classes)[metric]})

    # plain Optuna: cold TPE over the same space, same CV objective, no pruning, same budget
    sub_task = load_task(X_tr.reset_index(drop=True), y=y_tr.reset_index(drop=True), name=task.name,
                         kind=task.kind, categorical=task.categorical)
    start = time.perf_counter()
    study = optuna.create_study(direction="maximize", sampler=tpe(seed))
    study.optimize(objective_for(sub_task, families), timeout=budget, catch=(Exception,))
    family, params = split_params(study.best_trial.params)
    y_fit = np.searchsorted(classes, y_tr.to_numpy()) if n_classes else y_tr.to_numpy(float)
    pipe = get_family(family).build(params, task.kind, categorical=task.categorical, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipe.fit(X_tr, y_fit)
    rows.append({"dataset": task.name, "seed": seed, "system": "optuna (cold TPE)",
                 "wall_s": time.perf_counter() - start, "trials": len(study.trials), "cv": study.best_value,
                 "test": score_predictions(pipe, X_te, enc_te, n_classes)[metric]})

    try:
        from flaml import AutoML
    except ImportError:
        return rows
    start = time.perf_counter()
    automl = AutoML()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        automl.fit(X_tr, y_fit, task="regression" if n_classes is None else "classification",
                   time_budget=budget, n_jobs=1, verbose=0, seed=seed)
    rows.append({"dataset": task.name, "seed": seed, "system": "flaml", "wall_s": time.perf_counter() - start,
                 "trials": len(getattr(automl, "config_history", {}) or {}), "cv": np.nan,
                 "test": score_predictions(automl, X_te, enc_te,
                                           n_classes)[metric]})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=os.environ.get("AUTOMETA_DATA_DIR", "../shared/data/pmlb"))
    parser.add_argument("--datasets", nargs="+", default=["tokyo1", "clean1", "kr_vs_kp", "analcatdata_authorship"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    parser.add_argument("--trials", type=int, default=50, help="trials per study in part 1 (0: skip part 1)")
    parser.add_argument("--max-rows", type=int, default=500)
    parser.add_argument("--families", nargs="+", default=FAST_FAMILIES)
    parser.add_argument("--learner", default="default")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per system in part 2 (0: skip)")
    parser.add_argument("--png", default="docs/warmstart_regret.png")
    parser.add_argument("--out", default=None, help="write the raw results as JSON")
    parser.add_argument("--kb", default=None, help="knowledge base path (default: the shipped one)")
    args = parser.parse_args()
    os.environ.setdefault("AUTOMETA_RECORD", "0")  # benchmark runs must not land in the user's knowledge base
    optuna.logging.set_verbosity(optuna.logging.ERROR)

    from autometa.knowledge import KnowledgeBase

    data_dir = Path(args.data_dir)
    fam_of = pd.read_csv(data_dir / "families.tsv", sep="\t").set_index("name")["family"].to_dict()
    kb = KnowledgeBase.load(args.kb) if args.kb else KnowledgeBase.load()
    print(f"knowledge base: {kb}")
    curves: dict[tuple[str, int], dict[str, list[float]]] = {}
    time_rows: list[dict] = []
    if args.out and Path(args.out).exists():  # resume: (dataset, seed) pairs and budgets already run
        saved = json.loads(Path(args.out).read_text())
        curves = {(k.rsplit("|", 1)[0], int(k.rsplit("|", 1)[1])): v for k, v in saved.get("curves", {}).items()}
        time_rows = saved.get("by_time", [])
        print(f"resuming from {args.out}: {len(curves)} studies, {len(time_rows)} timed runs")

    def save() -> None:
        if args.out:
            Path(args.out).write_text(json.dumps({"curves": {f"{k[0]}|{k[1]}": v for k, v in curves.items()},
                                                  "by_time": time_rows}, default=float))

    for name in args.datasets:
        task = load(name, data_dir, args.max_rows)
        family = fam_of.get(name, name)
        todo = args.trials > 0 and any((name, s) not in curves for s in args.seeds)
        recs = recommendations(task, family, kb, args.families, args.learner) if todo else None
        for seed in args.seeds if args.trials > 0 else []:
            if (name, seed) in curves:
                continue
            t0 = time.perf_counter()
            curves[(name, seed)] = by_trial(task, recs, args.families, seed, args.trials)
            best = {m: max(v) for m, v in curves[(name, seed)].items()}
            print(f"{name} seed {seed}: best {best} ({time.perf_counter() - t0:.0f} s)", flush=True)
            save()
        if args.budget > 0 and not any(r["dataset"] == task.name for r in time_rows):
            rows = by_time(task, args.budget, args.families, args.seeds[0], family, kb, args.learner)
            time_rows += rows
            save()
            print(pd.DataFrame(rows).to_string(index=False), flush=True)

    if curves:
        table, per_trial = regret_table(curves, args.trials)
        cols = [f"@{k}" for k in CHECKPOINTS if k <= args.trials]
        summary = table.groupby("method")[cols].mean().loc[["cold", "warm", "random"]]
        print("\nmean normalised regret of the best so far (0 = best seen, 1 = median trial)")
        print(summary.round(3).to_string())
        last = f"best@{args.trials}"
        wide = table.pivot_table(index=["dataset", "seed"], columns="method", values=[last, "best@10"])
        print(f"\nwin/tie/loss warm@10 vs cold@{args.trials}: "
              f"{win_tie_loss(wide[('best@10', 'warm')], wide[(last, 'cold')])}")
        print(f"win/tie/loss warm@{args.trials} vs cold@{args.trials}: "
              f"{win_tie_loss(wide[(last, 'warm')], wide[(last, 'cold')])}")
        print(f"win/tie/loss warm@{args.trials} vs random@{args.trials}: "
              f"{win_tie_loss(wide[(last, 'warm')], wide[(last, 'random')])}")
    if time_rows:
        print("\nequal wall-clock budgets, held-out 25 % split (primary metric)")
        print(pd.DataFrame(time_rows).round(4).to_string(index=False))
    if curves:
        plot(per_trial, Path(args.png))
        print(f"\nplot: {args.png}")
    save()


if __name__ == "__main__":
    main()
