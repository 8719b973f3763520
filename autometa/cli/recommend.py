"""`autometa recommend FILE --target COL`: the portfolio ranked for a dataset."""

from __future__ import annotations

import argparse
import json
from typing import Any

from autometa.cli._output import print_json, print_table

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    from autometa.metalearn.recommend import LEARNERS

    parser = sub.add_parser("recommend", help="rank pipeline configurations for a dataset from past results")
    parser.add_argument("spec", metavar="FILE", help="CSV/TSV/Parquet path, pmlb:NAME, sklearn:NAME or openml:ID")
    parser.add_argument("--target", help="target column (files and tables)")
    parser.add_argument("--data-dir", help="PMLB data directory for pmlb:NAME (default: $AUTOMETA_DATA_DIR)")
    parser.add_argument("--top", type=int, default=10, help="how many configurations (default: 10)")
    parser.add_argument("--learner", default="default", choices=["default", *LEARNERS],
                        help="meta-learner (default: the one the benchmarks chose)")
    parser.add_argument("--metric", help="metric to rank on (default: balanced_accuracy / r2)")
    parser.add_argument("--time-budget", type=float, help="only configurations expected to fit within S seconds")
    parser.add_argument("--families", nargs="+", help="only these pipeline families")
    parser.add_argument("--kind", choices=["binary", "multiclass", "regression"], help="override the task kind")
    parser.add_argument("--kb", help="knowledge base folder (default: the shipped one)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(func=_recommend)


def readable(table: Any) -> Any:
    """The columns a reader acts on: rank, family, the expected score with its range, fit seconds, parameters, why.

    ``predicted_score`` (the learner's own scale) and ``config_id`` stay in ``--json``.
    """
    import math

    import pandas as pd

    def expected(row: Any) -> str:
        if not math.isfinite(row.get("expected_score", math.nan)):
            return ""
        return f"{row['expected_score']:.3f} ({row['expected_low']:.3f}-{row['expected_high']:.3f})"

    out = pd.DataFrame({"rank": table["rank"], "family": table["family"]})
    if "expected_score" in table and table["expected_score"].notna().any():
        out[f"expected {table.attrs.get('metric', 'score')} (10-90 %)"] = [expected(r) for _, r in table.iterrows()]
    out["fit s"] = table["expected_fit_seconds"]
    out["params"] = [json.dumps(p, sort_keys=True) for p in table["params"]]
    out["why"] = table["why"]
    return out


def _recommend(args: argparse.Namespace) -> int:
    import warnings

    from autometa.exceptions import AutometaWarning, DataError
    from autometa.metalearn.recommend import describe, recommend

    if args.top < 1:
        raise DataError(f"--top must be an integer >= 1. Got {args.top}.")
    spec, target = args.spec, args.target
    if args.data_dir:  # pmlb:NAME from the folder given
        from autometa.tasks import load_task

        spec, target = load_task(args.spec, target=args.target, kind=args.kind, data_dir=args.data_dir), None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", AutometaWarning)
        table = recommend(spec, target, top=args.top, metric=args.metric, learner=args.learner,
                          knowledge_base=args.kb, families=args.families, time_budget=args.time_budget,
                          kind=args.kind)
    notes = [str(w.message) for w in caught if issubclass(w.category, AutometaWarning)]
    if args.json:
        print_json({**describe(table), "warnings": notes})
        return 0
    from autometa.cli._output import console

    print_table(readable(table), title=f"{args.spec}: top {len(table)} by {table.attrs.get('metric')} "
                             f"({table.attrs.get('learner')})", float_format="{:.3g}")
    err = console(stderr=True)
    for note in notes:
        err.print(f"[yellow]warning:[/yellow] {note}")
    neighbours = table.attrs.get("neighbours") or []
    if neighbours:
        err.print("nearest datasets: " + ", ".join(f"{n['dataset']} ({n['distance']:.2f})" for n in neighbours))
    return 0
