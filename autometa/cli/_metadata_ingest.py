"""`autometa metadata ingest`: record a finished Optuna study in your knowledge base."""

from __future__ import annotations

import argparse

from autometa.cli._options import parse_map
from autometa.cli._output import print_json, print_table

__all__ = ["register"]


def register(msub: argparse._SubParsersAction) -> None:
    parser = msub.add_parser("ingest", help="record a finished Optuna study (and its data's meta-features) in "
                                            "your knowledge base, so recommendations learn from it")
    parser.add_argument("file", metavar="FILE", help="the data the study tuned on (CSV, Parquet, pmlb:NAME...)")
    parser.add_argument("--target", required=True, help="name of the target column")
    parser.add_argument("--data-dir", help="PMLB data directory for pmlb:NAME (default: $AUTOMETA_DATA_DIR)")
    parser.add_argument("--storage", required=True, help="Optuna storage URL, e.g. sqlite:///study.db")
    parser.add_argument("--study-name", required=True, help="name of the study in the storage")
    parser.add_argument("--metric", help="the metric the trials' values are (default: the study's autometa "
                                         "metric, else balanced_accuracy / r2)")
    parser.add_argument("--family", help="pipeline family of every trial, for a study tuning one model "
                                         "without a categorical choice of it")
    parser.add_argument("--map", nargs="+", default=[], metavar="NAME=PARAM",
                        help="map a study parameter to the family's, e.g. leaves=num_leaves (a name that maps to "
                             "nothing is refused, never stored as the default)")
    parser.add_argument("--kb", metavar="PATH", help="user knowledge base folder (default: $AUTOMETA_HOME/knowledge)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(func=_ingest)


def _ingest(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from autometa.exceptions import DataError
    from autometa.knowledge.user import UserKnowledgeBase
    from autometa.tasks import load_task

    user = UserKnowledgeBase(args.kb)
    task = load_task(args.file, target=args.target, data_dir=args.data_dir)
    param_map = parse_map(args.map, "NAME=PARAM", "leaves=num_leaves")
    report = user.ingest_study(args.storage, args.study_name, task, metric=args.metric, family=args.family,
                               param_map=param_map or None)
    if report.n_evaluations == 0:  # nothing learned is not a success
        why = ", ".join(f"{k} {v}" for k, v in report.skipped.items()) or "no trials"
        raise DataError(f"No trial of study {args.study_name!r} was recorded (skipped: {why}). Ingest a study with "
                        "finished trials; for a study tuning one model without a 'family' parameter, pass "
                        "--family NAME.")
    out = {**asdict(report), "knowledge_base": str(user.path)}
    if args.json:
        print_json(out)
    else:
        print_table([{"item": k, "value": str(v)} for k, v in out.items()], title="ingested")
    return 0
