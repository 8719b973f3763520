"""`autometa warm-start`: enqueue recommended configurations into an Optuna study (created with --create)."""

from __future__ import annotations

import argparse
import json

from autometa.cli._options import parse_map
from autometa.cli._output import console, print_json, print_table

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    p_ws = sub.add_parser("warm-start", help="enqueue recommended configurations into an Optuna study")
    p_ws.add_argument("spec", metavar="FILE", help="CSV/TSV/Parquet path, pmlb:NAME, sklearn:NAME or openml:ID")
    p_ws.add_argument("--storage", required=True, help="Optuna storage URL, e.g. sqlite:///study.db")
    p_ws.add_argument("--study-name", "--study", dest="study_name", required=True, help="the study's name")
    p_ws.add_argument("--target", help="target column (files and tables)")
    p_ws.add_argument("--data-dir", help="PMLB data directory for pmlb:NAME (default: $AUTOMETA_DATA_DIR)")
    p_ws.add_argument("-n", "--n-trials", type=int, default=10, help="configurations to enqueue (default: 10)")
    p_ws.add_argument("--map", nargs="+", default=[], metavar="NAME=AUTOMETA",
                      help="map a study parameter to autometa's, e.g. lr=lightgbm.learning_rate model=family")
    p_ws.add_argument("--create", choices=("maximize", "minimize"), metavar="DIRECTION",
                      help="create the study (maximize or minimize) when it does not exist yet")
    p_ws.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p_ws.set_defaults(func=_warm_start)


def _warm_start(args: argparse.Namespace) -> int:
    from pathlib import Path

    import optuna

    from autometa.exceptions import DataError
    from autometa.pipelines import FAMILIES
    from autometa.search import conditional_space, warm_start
    from autometa.tasks import load_task

    if args.n_trials < 1:
        raise DataError(f"-n must be an integer >= 1. Got {args.n_trials}.")
    param_map = parse_map(args.map, "NAME=AUTOMETA", "lr=lightgbm.learning_rate")
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
    task = load_task(args.spec, target=args.target, data_dir=args.data_dir)
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
