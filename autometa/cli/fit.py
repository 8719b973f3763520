"""`autometa fit`: a time-budgeted search from the shell, its leaderboard, and the model saved."""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from autometa.cli._output import console, print_json, print_table

__all__ = ["check_out", "fit_parameters", "register"]

_LEADERBOARD_SHOWN = ["rank", "trial", "family", "score", "score_std", "fit_seconds", "source", "config_id"]


def register(sub: argparse._SubParsersAction) -> None:
    p_fit = sub.add_parser("fit", help="search pipelines for a dataset within a time budget and save the best")
    p_fit.add_argument("spec", metavar="FILE", help="CSV/TSV/Parquet path, pmlb:NAME, sklearn:NAME or openml:ID")
    p_fit.add_argument("--target", help="target column (files and tables)")
    p_fit.add_argument("--data-dir", help="PMLB data directory for pmlb:NAME (default: $AUTOMETA_DATA_DIR)")
    p_fit.add_argument("--time-budget", type=float, default=60.0, metavar="S",
                       help="wall-clock seconds for the whole search (default: 60)")
    p_fit.add_argument("--out", help="save the fitted model here (a signed pickle; `autometa predict` reads it)")
    p_fit.add_argument("--metric", help="metric to optimise: one of autometa's or any scikit-learn scorer name, "
                       "e.g. f1, roc_auc_ovr, neg_median_absolute_error (default: balanced_accuracy / r2)")
    p_fit.add_argument("--sample-weight", metavar="COLUMN",
                       help="column of the table holding row weights (taken out of the features)")
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
    p_fit.add_argument("--cv", metavar="HOW",
                       help="validation: auto, holdout or a number of folds (default: auto, by the data's size and "
                       "the budget; --groups makes it group k-fold)")
    p_fit.add_argument("--groups", metavar="COLUMN",
                       help="column of group labels: no group on both sides of a split (taken out of the features)")
    p_fit.add_argument("--no-record", action="store_true",
                       help="do not record this run in your knowledge base ($AUTOMETA_RECORD=0 does the same)")
    p_fit.add_argument("--report", metavar="HTML",
                       help="write one self-contained HTML page about the search (plots, leaderboard, notes)")
    p_fit.add_argument("--log-file", metavar="PATH",
                       help="append one JSON line per finished trial to this file, as it finishes")
    p_fit.add_argument("--top", type=int, default=10, help="leaderboard rows shown (default: 10)")
    p_fit.add_argument("--quiet", action="store_true", help="no progress bar")
    p_fit.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p_fit.set_defaults(func=_fit)


def fit_parameters(args: argparse.Namespace, time_budget: float) -> dict[str, Any]:
    """Every parameter of :func:`autometa.fit` (:data:`autometa.estimators.SEARCH_PARAMETERS`) from the options."""
    return {"time_budget": time_budget, "metric": args.metric, "storage": args.storage,
            "study_name": args.study_name, "n_jobs": args.n_jobs, "warm_start": not args.no_warm_start,
            "random_state": args.seed, "families": args.families, "n_trials": args.n_trials,
            "n_folds": args.n_folds, "cv": _cv(args.cv), "verbose": 0 if args.quiet or args.json else 1,
            "record": False if args.no_record else None, "ensemble": not args.no_ensemble,
            "log_file": args.log_file}


def _cv(value: str | None) -> int | str | None:
    """``--cv``: a number of folds, or a name (checked by the search)."""
    return int(value) if value is not None and value.isdigit() else value


def _fit(args: argparse.Namespace) -> int:
    import autometa
    from autometa.exceptions import DataError
    from autometa.tasks import load_task

    if args.time_budget <= 0:
        raise DataError(f"--time-budget must be a number of seconds > 0. Got {args.time_budget:g}.")
    check_out(args.out)  # before the search, not after it
    check_out(args.report)
    start = time.perf_counter()  # reading the file comes out of the budget too
    task = load_task(args.spec, target=args.target, data_dir=args.data_dir)
    left = max(args.time_budget - (time.perf_counter() - start), 0.01)
    model = autometa.fit(task.X, task.y, kind=task.kind, sample_weight=args.sample_weight, groups=args.groups,
                         **fit_parameters(args, time_budget=left))
    if args.out:
        model.save(args.out)
    if args.report:
        model.save_report(args.report, title=f"autometa fit {task.name}")
    board = model.leaderboard_.head(args.top)
    shown = [*_LEADERBOARD_SHOWN, *(["ensemble_weight"] if "ensemble_weight" in board else [])]
    summary = {"task": task.name, "kind": task.kind, "metric": model.metric_, "best_family": model.best_family_,
               "best_params": model.best_params_, "best_score": model.best_score_,
               "seconds": round(model.search_seconds_, 2), "trials": model.n_trials_,
               "validated_trials": model.n_validated_, "validation": model.validation_, "final_model": model.final_model_, "model": args.out,
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
    if args.report:
        err.print(f"report written to {args.report}")
    return 0


def check_out(out: str | None) -> None:
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
