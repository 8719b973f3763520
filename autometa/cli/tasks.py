"""`autometa tasks list|show`: what tasks the registry knows."""

from __future__ import annotations

import argparse

from autometa.cli._output import print_json, print_table

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("tasks", help="list and inspect tasks (PMLB data directory, files, sklearn, OpenML)")
    tsub = parser.add_subparsers(dest="tasks_command", metavar="SUBCOMMAND")

    p_list = tsub.add_parser("list", help="list the datasets of a data directory (name, kind, rows, features)")
    p_list.add_argument("--data-dir", help="PMLB data directory (default: $AUTOMETA_DATA_DIR)")
    p_list.add_argument("--kind", choices=["binary", "multiclass", "regression", "classification"],
                        help="only tasks of this kind")
    p_list.add_argument("--pattern", help="shell-style glob on names, e.g. 'fri_*'")
    p_list.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p_list.set_defaults(func=_list)

    p_show = tsub.add_parser("show", help="summarise one task: a file, pmlb:NAME, sklearn:NAME or openml:ID")
    p_show.add_argument("spec", help="CSV/TSV/Parquet path, pmlb:NAME, sklearn:NAME or openml:ID")
    p_show.add_argument("--target", help="target column (files only)")
    p_show.add_argument("--kind", choices=["binary", "multiclass", "regression"], help="override the task kind")
    p_show.add_argument("--data-dir", help="PMLB data directory (default: $AUTOMETA_DATA_DIR)")
    p_show.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p_show.set_defaults(func=_show)
    parser.set_defaults(func=lambda args: parser.print_help() or 0)


def _list(args: argparse.Namespace) -> int:
    from autometa.tasks import TaskRegistry

    registry = TaskRegistry.from_data_dir(args.data_dir)
    table = registry.table(kind=args.kind, pattern=args.pattern)[["name", "kind", "rows", "features", "family"]]
    if args.json:
        print_json(table)
    else:
        print_table(table, title=f"{len(table)} tasks")
    return 0


def _show(args: argparse.Namespace) -> int:
    from autometa.tasks import load_task

    spec = args.spec
    if ":" not in spec and args.target is None and args.data_dir is not None:
        spec = f"pmlb:{spec}"
    task = load_task(spec, target=args.target, kind=args.kind, data_dir=args.data_dir)
    summary = task.summary()
    if args.json:
        print_json(summary)
    else:
        print_table([{"property": k, "value": str(v)} for k, v in summary.items()], title=task.name)
    return 0
