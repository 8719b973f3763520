"""`autometa fit`, `autometa predict` and `autometa warm-start`: searches and models from the shell."""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from autometa.cli._output import console, print_json, print_table

__all__ = ["register"]

_LEADERBOARD_SHOWN = ["rank", "trial", "family", "score", "score_std", "fit_seconds", "source", "config_id"]


def register(sub: argparse._SubParsersAction) -> None:
    p_fit = sub.add_parser("fit", help="search pipelines for a dataset within a time budget and save the best")
    p_fit.add_argument("spec", metavar="FILE", help="CSV/TSV/Parquet path, pmlb:NAME, sklearn:NAME or openml:ID")
    p_fit.add_argument("--target", help="target column (files and tables)")
    p_fit.add_argument("--time-budget", type=float, default=60.0, metavar="S",
                       help="wall-clock seconds for the whole search (default: 60)")
    p_fit.add_argument("--out", help="save the fitted model here (a signed pickle; `autometa predict` reads it)")
    p_fit.add_argument("--metric", help="metric to optimise (default: balanced_accuracy / r2)")
    p_fit.add_argument("--storage", help="Optuna storage URL, e.g. sqlite:///study.db (resumable)")
    p_fit.add_argument("--study-name", help="study name in --storage (an existing one is resumed)")
    p_fit.add_argument("--n-jobs", type=int, default=1, help="trials in parallel (default: 1)")
    p_fit.add_argument("--families", nargs="+", help="only these pipeline families")
    p_fit.add_argument("--no-warm-start", action="store_true", help="do not start from recommendations")
    p_fit.add_argument("--no-ensemble", action="store_true",
                       help="the best trial alone as the final model (default: an ensemble of trials)")
    p_fit.add_argument("--seed", type=int, help="random seed")
    p_fit.add_argument("--n-trials", type=int, help="at most this many trials (the budget still applies)")
    p_fit.add_argument("--n-folds", type=int,
                       help="cross-validation folds per trial (default: by the data's size and the budget)")
    p_fit.add_argument("--no-record", action="store_true",
                       help="do not record this run in your knowledge base ($AUTOMETA_RECORD=0 does the same)")
    p_fit.add_argument("--top", type=int, default=10, help="leaderboard rows shown (default: 10)")
    p_fit.add_argument("--quiet", action="store_true", help="no progress bar")
    p_fit.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p_fit.set_defaults(func=_fit)

    p_pred = sub.add_parser(
        "predict", help="predict a table with a model saved by `autometa fit` (a model file is code: only files "
                        "this account's autometa signed are loaded, unless --trust)")
    p_pred.add_argument("model", help="model file written by `autometa fit --out`")
    p_pred.add_argument("--trust", action="store_true",
                        help="load a model file this account did not write (loading runs code from it: only for "
                             "files whose source you trust)")
    p_pred.add_argument("spec", metavar="FILE", help="CSV/TSV/Parquet path with the model's feature columns")
    p_pred.add_argument("--out", help="write the predictions to this CSV (default: stdout)")
    p_pred.add_argument("--proba", action="store_true", help="class probabilities (classifiers)")
    p_pred.set_defaults(func=_predict)

    p_ws = sub.add_parser("warm-start", help="enqueue recommended configurations into an Optuna study")
    p_ws.add_argument("spec", metavar="FILE", help="CSV/TSV/Parquet path, pmlb:NAME, sklearn:NAME or openml:ID")
    p_ws.add_argument("--storage", required=True, help="Optuna storage URL, e.g. sqlite:///study.db")
    p_ws.add_argument("--study-name", "--study", dest="study_name", required=True, help="the study's name")
    p_ws.add_argument("--target", help="target column (files and tables)")
    p_ws.add_argument("-n", "--n-trials", type=int, default=10, help="configurations to enqueue (default: 10)")
    p_ws.add_argument("--map", nargs="+", default=[], metavar="NAME=AUTOMETA",
                      help="map a study parameter to autometa's, e.g. lr=lightgbm.learning_rate model=family")
    p_ws.add_argument("--create", choices=("maximize", "minimize"), metavar="DIRECTION",
                      help="create the study (maximize or minimize) when it does not exist yet")
    p_ws.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p_ws.set_defaults(func=_warm_start)


def fit_parameters(args: argparse.Namespace, time_budget: float) -> dict[str, Any]:
    """Every parameter of :func:`autometa.fit` (:data:`autometa.estimators.SEARCH_PARAMETERS`) from the options."""
    return {"time_budget": time_budget, "metric": args.metric, "storage": args.storage,
            "study_name": args.study_name, "n_jobs": args.n_jobs, "warm_start": not args.no_warm_start,
            "random_state": args.seed, "families": args.families, "n_trials": args.n_trials,
            "n_folds": args.n_folds, "verbose": 0 if args.quiet or args.json else 1,
            "record": False if args.no_record else None, "ensemble": not args.no_ensemble}


def _fit(args: argparse.Namespace) -> int:
    import autometa
    from autometa.exceptions import DataError
    from autometa.tasks import load_task

    if args.time_budget <= 0:
        raise DataError(f"--time-budget must be a number of seconds > 0. Got {args.time_budget:g}.")
    _check_out(args.out)  # before the search, not after it
    start = time.perf_counter()  # reading the file comes out of the budget too
    task = load_task(args.spec, target=args.target)
    left = max(args.time_budget - (time.perf_counter() - start), 0.01)
    model = autometa.fit(task.X, task.y, kind=task.kind, **fit_parameters(args, time_budget=left))
    if args.out:
        model.save(args.out)
    board = model.leaderboard_.head(args.top)
    shown = [*_LEADERBOARD_SHOWN, *(["ensemble_weight"] if "ensemble_weight" in board else [])]
    summary = {"task": task.name, "kind": task.kind, "metric": model.metric_, "best_family": model.best_family_,
               "best_params": model.best_params_, "best_score": model.best_score_,
               "seconds": round(model.search_seconds_, 2), "trials": model.n_trials_,
               "validated_trials": model.n_validated_, "final_model": model.final_model_, "model": args.out,
               "notes": model.notes_}
    if args.json:
        print_json({**summary, "leaderboard": board[[*shown, "params"]].to_dict(orient="records")})
        return 0
    print_table(board[shown], title=f"{task.name}: leaderboard by {model.metric_} "
                f"({model.n_trials_} trials in {model.search_seconds_:.1f} s)", float_format="{:.4g}")
    err = console(stderr=True)
    for note in model.notes_:
        err.print(f"[yellow]note:[/yellow] {note}")
    if not model.validated_:
        err.print(f"[bold red]not validated:[/bold red] no trial finished in {args.time_budget:g} s; the saved "
                  f"model is {'a fallback' if model.final_model_ == 'fallback' else 'unvalidated'} "
                  f"({model.final_model_}). Give a larger --time-budget.")
    else:
        err.print(f"{model.n_validated_} configuration(s) cross-validated; final model: {model.final_model_}")
    err.print(f"best: {model.best_family_} {json.dumps(model.best_params_, default=str)}")
    if args.out:
        err.print(f"saved to {args.out}")
    return 0


def _check_out(out: str | None) -> None:
    """An output path whose folder does not exist is a one-line error before any work."""
    if not out:
        return
    from pathlib import Path

    from autometa.exceptions import DataError

    folder = Path(out).expanduser().resolve().parent
    if not folder.is_dir():
        raise DataError(f"--out {out!r}: the folder {str(folder)!r} does not exist. Create it first "
                        f"(mkdir -p {folder}) or pick another path.")
    if Path(out).is_dir():
        raise DataError(f"--out {out!r} is a folder; give a file path such as {out.rstrip('/')}/model.joblib.")


def _predict(args: argparse.Namespace) -> int:
    import numpy as np
    import pandas as pd

    from autometa.estimators import AutoMetaClassifier
    from autometa.exceptions import DataError
    from autometa.tasks import read_table

    _check_out(args.out)
    model: Any = AutoMetaClassifier.load(args.model, trust=args.trust)
    table = read_table(args.spec)
    names = getattr(model, "feature_names_in_", None)
    if names is not None:
        missing = [c for c in names if c not in table.columns]
        if missing:
            raise DataError(f"{args.spec} lacks the model's feature column(s) {missing}.")
        table = table[list(names)]
    if args.proba:
        if not hasattr(model, "predict_proba"):
            raise DataError("--proba needs a classifier; this model is a regressor.")
        out = pd.DataFrame(model.predict_proba(table), columns=[f"proba_{c}" for c in model.classes_])
    else:
        out = pd.DataFrame({"prediction": np.asarray(model.predict(table))})
    if args.out:
        from autometa._io import atomic_write_bytes

        atomic_write_bytes(out.to_csv(index=False).encode(), args.out)
        console(stderr=True).print(f"{len(out)} predictions written to {args.out}")
    else:
        print(out.to_csv(index=False), end="")
    return 0


def _warm_start(args: argparse.Namespace) -> int:
    from pathlib import Path

    import optuna

    from autometa.exceptions import DataError
    from autometa.pipelines import FAMILIES
    from autometa.search import conditional_space, warm_start
    from autometa.tasks import load_task

    if args.n_trials < 1:
        raise DataError(f"-n must be an integer >= 1. Got {args.n_trials}.")
    param_map = {}
    for item in args.map:
        name, sep, target = item.partition("=")
        if not sep or not name or not target:
            raise DataError(f"--map takes NAME=AUTOMETA pairs such as lr=lightgbm.learning_rate. Got {item!r}.")
        param_map[name] = target
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sqlite = Path(args.storage.removeprefix("sqlite:///")) if args.storage.startswith("sqlite:///") else None
    new_file = sqlite is not None and not sqlite.exists()
    try:
        study = optuna.load_study(study_name=args.study_name, storage=args.storage)
    except KeyError as exc:
        if not args.create:
            if new_file and sqlite is not None:  # opening it created an empty database: leave nothing behind
                sqlite.unlink(missing_ok=True)
            raise DataError(f"No study named {args.study_name!r} in {args.storage}. Pass --create maximize (or "
                            "minimize) to create it.") from exc
        study = optuna.create_study(study_name=args.study_name, storage=args.storage, direction=args.create)
        console(stderr=True).print(f"created study {args.study_name!r} ({args.create}) in {args.storage}")
    task = load_task(args.spec, target=args.target)
    space = None
    if not param_map and not any(t.state == optuna.trial.TrialState.COMPLETE for t in study.get_trials(deepcopy=False)):
        # no trial to read names from: autometa's own space (the names `autometa fit` and suggest_pipeline use)
        space = conditional_space(task.kind, list(FAMILIES))
    table = warm_start(study, task, n_trials=args.n_trials, param_map=param_map or None, search_space=space)
    if args.json:
        print_json({"study": args.study_name, "enqueued": table.to_dict(orient="records"),
                    "skipped": table.attrs.get("skipped", 0),
                    "unmatched": table.attrs.get("unmatched", [])})
        return 0
    shown = table.assign(params=[json.dumps(p, default=str) for p in table["params"]],
                         source_datasets=[", ".join(s) for s in table["source_datasets"]])
    print_table(shown, title=f"{args.study_name}: {len(table)} configurations enqueued")
    err = console(stderr=True)
    if table.attrs.get("skipped"):
        err.print(f"{table.attrs['skipped']} already tried or queued, skipped")
    if table.attrs.get("unmatched"):
        err.print(f"left to the sampler: {', '.join(table.attrs['unmatched'])}")
    return 0
