"""`autometa metadata build|info|...`: the knowledge base on the command line."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from autometa.cli._output import console, print_json, print_table

__all__ = ["register", "SUBCOMMANDS"]

#: extra `metadata` subcommands registered by other modules: name -> register(subparsers)
SUBCOMMANDS: dict[str, Callable[[argparse._SubParsersAction], None]] = {}


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("metadata", help="build, inspect and evaluate the knowledge base")
    msub = parser.add_subparsers(dest="metadata_command", metavar="SUBCOMMAND")

    p_build = msub.add_parser("build", help="score the portfolio on every dataset of a data directory (resumable)")
    p_build.add_argument("--data-dir", help="PMLB data directory (default: $AUTOMETA_DATA_DIR)")
    p_build.add_argument("--out", default="metadata", help="folder of the knowledge base (default: metadata)")
    p_build.add_argument("--datasets", nargs="+", help="only these datasets (default: all)")
    p_build.add_argument("--n-jobs", type=int, default=1,
                         help="chunks of configurations scored in parallel (default: 1)")
    p_build.add_argument("--chunk-size", type=int, default=26,
                         help="configurations per job: workers share a dataset in chunks of this many, and a "
                              "killed build loses only the chunks in flight (default: 26)")
    p_build.add_argument("--folds", type=int, default=None, help="cross-validation folds (default: 3)")
    p_build.add_argument("--max-rows", type=int, default=None, help="row cap per dataset (default: 1000)")
    p_build.add_argument("--fit-timeout", type=float, default=None, help="seconds per fit (default: 30)")
    p_build.add_argument("--configs", type=int, default=None,
                         help="only the first N configurations of each family (quick trial builds)")
    p_build.add_argument("--order", choices=["largest", "smallest"], default="largest",
                         help="which datasets first; two builds from opposite ends share the work")
    p_build.add_argument("--no-metafeatures", action="store_true",
                         help="skip the meta-feature step (compute them later with --metafeatures-only)")
    p_build.add_argument("--metafeatures-only", action="store_true",
                         help="only compute the meta-features of finished datasets that lack them")
    p_build.add_argument("--refresh-metafeatures", action="store_true",
                         help="with --metafeatures-only: recompute them all (after an extractor change)")
    p_build.add_argument("--merge", metavar="KB", nargs="+",
                         help="merge the finished datasets of other builds (same portfolio and protocol) into --out")
    p_build.add_argument("--scheduler", metavar="ADDRESS",
                         help="score datasets on a Dask cluster (tcp://host:8786); its workers must read "
                              "--data-dir at the same path (pip install 'autometa[dask]')")
    p_build.add_argument("--quiet", action="store_true", help="no progress bar")
    p_build.set_defaults(func=_build)

    p_info = msub.add_parser("info", help="summarise a knowledge base (shipped one by default)")
    p_info.add_argument("path", nargs="?",
                        help="knowledge base folder (default: the shipped one and your own recorded runs)")
    p_info.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p_info.set_defaults(func=_info)

    p_refit = msub.add_parser(
        "refit", help="refit the default meta-learner on the shipped base and your recorded runs (outside any "
                      "time budget); recommend and fit use it until the next refit")
    p_refit.add_argument("--learner", default="default", help="learner name (default: default)")
    p_refit.add_argument("--n-jobs", type=int, default=1, help="threads for the fit (default: 1)")
    p_refit.add_argument("--ship", action="store_true",
                         help="for maintainers: fit on the shipped base alone and write it into the package's "
                              "metadata/ as the learner that is ready at install")
    p_refit.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p_refit.set_defaults(func=_refit)

    for extra in SUBCOMMANDS.values():
        extra(msub)
    _register_optional(msub)
    parser.set_defaults(func=lambda args: parser.print_help() or 0)


def _register_optional(msub: argparse._SubParsersAction) -> None:
    """Subcommands whose modules may not exist yet (evaluate, ingest, train-encoders)."""
    import importlib

    for module_name in ("autometa.cli._metadata_evaluate", "autometa.cli._metadata_ingest",
                        "autometa.cli._metadata_encoders"):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        module.register(msub)


def _build(args: argparse.Namespace) -> int:
    from autometa.knowledge import Protocol, build_knowledge_base
    from autometa.knowledge.build import build_portfolio

    defaults = Protocol()
    protocol = Protocol(n_folds=args.folds or defaults.n_folds, max_rows=args.max_rows or defaults.max_rows,
                        fit_timeout=args.fit_timeout or defaults.fit_timeout)
    configs = None
    if args.configs:  # the first few of each family, of the portfolio the build started with when resumed
        configs = build_portfolio(args.out).groupby("family", sort=False).head(args.configs).reset_index(drop=True)
    if args.merge:
        from autometa.knowledge.build import merge_builds

        n = merge_builds(args.merge, args.out)
        console().print(f"merged {n} dataset(s) into {args.out}")
        return 0
    if args.metafeatures_only:
        from autometa.knowledge.build import update_metafeatures

        n = update_metafeatures(args.out, args.data_dir, refresh=args.refresh_metafeatures,
                                progress=not args.quiet)
        console().print(f"computed the meta-features of {n} dataset(s) in {args.out}")
        return 0
    report = build_knowledge_base(args.out, data_dir=args.data_dir, datasets=args.datasets, n_jobs=args.n_jobs,
                                  protocol=protocol, configurations=configs, progress=not args.quiet,
                                  order=args.order, metafeatures=not args.no_metafeatures,
                                  scheduler=args.scheduler, chunk_size=args.chunk_size)
    out = console()
    out.print(f"built {len(report.done)} dataset(s), skipped {len(report.skipped)} already done, "
              f"in {report.seconds:.0f} s -> {report.out}")
    return 0


def _info(args: argparse.Namespace) -> int:
    from autometa.knowledge import KnowledgeBase

    kb = KnowledgeBase.load(args.path)
    info = kb.info()
    user_info = None
    if args.path is None:
        from autometa.knowledge.user import UserKnowledgeBase

        user_info = UserKnowledgeBase().info()
        info["user"] = user_info
    if args.json:
        print_json(info)
        return 0
    cov = info["coverage"]
    print_table([{"kind": k, "datasets": v} for k, v in info["datasets_by_kind"].items()],
                title=f"Knowledge base {info['path']}")
    print_table([{"family": k, "configurations": v} for k, v in info["configurations_by_family"].items()])
    print_table([{"item": k, "value": str(v)} for k, v in cov.items() if k != "missing_examples"], title="coverage")
    protocol = info.get("protocol") or {}
    build = info.get("build") or {}
    print_table([{"item": k, "value": str(v)} for k, v in {**protocol, **build}.items()], title="protocol")
    if user_info is not None:
        print_table([{"item": k, "value": str(v)} for k, v in user_info.items()],
                    title="Your knowledge base (recorded runs; AUTOMETA_HOME)")
    return 0


def _refit(args: argparse.Namespace) -> int:
    from autometa.metalearn.recommend import refit, ship_default_learner

    if args.n_jobs < 1:
        raise SystemExit(f"--n-jobs must be >= 1; got {args.n_jobs}.")
    report = ship_default_learner(n_jobs=args.n_jobs) if args.ship else refit(args.learner, n_jobs=args.n_jobs)
    if args.json:
        print_json(report)
        return 0
    print_table([{"item": k, "value": str(v)} for k, v in report.items()],
                title="shipped learner written" if args.ship else "learner refitted with your recorded runs")
    return 0
