"""`autometa metadata evaluate`: leave-one-family-out quality of the meta-learners."""

from __future__ import annotations

import argparse

from autometa.cli._output import print_json, print_table

__all__ = ["register"]


def register(msub: argparse._SubParsersAction) -> None:
    from autometa.metalearn.recommend import LEARNERS

    parser = msub.add_parser("evaluate", help="leave-one-family-out regret@k, NDCG and win/tie/loss of the "
                                              "meta-learners against random, average rank and the oracle")
    parser.add_argument("--learner", nargs="+", choices=["default", *LEARNERS],
                        help="learners to evaluate (default: average_rank, neighbors, ranker); ranker_graph, "
                             "ranker_dataset2vec, ranker_mf_graph and ranker_mf_dataset2vec are the ranker on a "
                             "learned task vector, alone or next to the meta-features (needs torch and the "
                             "datasets' tables in $AUTOMETA_DATA_DIR)")
    parser.add_argument("--path", help="knowledge base folder (default: the shipped one)")
    parser.add_argument("--group", choices=["classification", "regression"], action="append",
                        help="only this group of tasks (repeatable; default: both)")
    parser.add_argument("--metric", help="metric to rank and score on (default: each kind's primary metric)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=_evaluate)


def _evaluate(args: argparse.Namespace) -> int:
    from autometa.knowledge import KnowledgeBase
    from autometa.metalearn import evaluate, get_learner

    kb = KnowledgeBase.load(args.path)
    learners = None
    if args.learner:
        learners = {name: get_learner(name) for name in dict.fromkeys(args.learner)}
    result = evaluate(kb, learners, groups=args.group, metric=args.metric, progress=not args.quiet and not args.json)
    summary = result.summary()
    if args.json:
        print_json({"summary": summary.to_dict(orient="records"),
                    "timings": result.timings.to_dict(orient="records"), "meta": result.meta})
        return 0
    for group, part in summary.groupby("group", sort=False):
        print_table(part.drop(columns="group"), title=f"{group}: leave-one-family-out over {part['datasets'].max()} "
                                                      "datasets (regret: lower is better)", float_format="{:.3f}")
    print_table(result.timings, title="seconds per fold (fit) and per dataset (rank)", float_format="{:.3f}")
    return 0
