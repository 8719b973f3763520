"""`autometa metafeatures FILE --target COL`: the meta-features of one dataset."""

from __future__ import annotations

import argparse

from autometa.cli._output import console, print_json, print_table

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "metafeatures", help="extract the meta-features of a dataset (pymfe-compatible names)",
        description="Extract the meta-features of a dataset: a CSV/TSV/Parquet file with --target, "
                    "or pmlb:NAME, sklearn:NAME, openml:ID.")
    parser.add_argument("file", metavar="FILE", help="CSV/TSV/Parquet path, or pmlb:NAME, sklearn:NAME, openml:ID")
    parser.add_argument("--target", help="target column (files)")
    parser.add_argument("--groups", default="all",
                        help="comma-separated groups: general, statistical, info_theory, itemset, model_based, "
                             "landmarking, clustering, relative, or all (default: all)")
    parser.add_argument("--summary", default="default",
                        help="comma-separated summary functions, 'default' (mean,sd) or 'all'")
    parser.add_argument("--kind", choices=["binary", "multiclass", "regression"], help="override the task kind")
    parser.add_argument("--max-rows", type=int, default=100_000, help="row sample cap (default: 100000)")
    parser.add_argument("--time-budget", type=float, default=None, help="seconds for the extraction (default: none)")
    parser.add_argument("--random-state", type=int, default=0, help="seed of samples and models (default: 0)")
    parser.add_argument("--data-dir", help="PMLB data directory for pmlb:NAME (default: $AUTOMETA_DATA_DIR)")
    parser.add_argument("--json", action="store_true",
                        help="print JSON: {task, kind, metafeatures: {name: value}, rules: {...}}")
    parser.set_defaults(func=run)


def _split(value: str) -> str | list[str]:
    parts = [p.strip() for p in value.split(",") if p.strip()]
    return parts[0] if len(parts) == 1 else parts


def run(args: argparse.Namespace) -> int:
    """Load the task, extract its meta-features, print them; returns the exit code."""
    import warnings

    from autometa.exceptions import AutometaWarning
    from autometa.metafeatures import MetaFeatureExtractor
    from autometa.tasks import load_task

    extractor = MetaFeatureExtractor(_split(args.groups), _split(args.summary), max_rows=args.max_rows,
                                     time_budget=args.time_budget, random_state=args.random_state)
    task = load_task(args.file, target=args.target, kind=args.kind, data_dir=args.data_dir)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", AutometaWarning)
        with console(stderr=True).status(f"Extracting meta-features of {task.name}..."):
            mf = extractor.extract(task)
    for w in caught:
        if issubclass(w.category, AutometaWarning):
            console(stderr=True).print(f"[yellow]warning:[/yellow] {w.message}")
    if args.json:
        print_json({"task": task.name, "kind": task.kind, "metafeatures": mf.to_dict(), "rules": mf.attrs})
        return 0
    group_of = {}
    for group in mf.attrs["groups"]:
        for name in MetaFeatureExtractor(group, extractor.summary).feature_names(task.kind):
            group_of[name] = group
    rows = [{"group": group_of.get(name, ""), "meta-feature": name, "value": float(value)}
            for name, value in mf.items()]
    attrs = mf.attrs
    sampled = f", {attrs['n_rows_used']} used" if attrs["rows_sampled"] else ""
    print_table(rows, title=f"{task.name} ({task.kind}, {attrs['n_rows']} rows{sampled}, "
                            f"{attrs['n_attributes']} attributes)")
    return 0
