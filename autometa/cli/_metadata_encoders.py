"""`autometa metadata train-encoders`: fit the task encoders on a knowledge base and store them."""

from __future__ import annotations

import argparse

from autometa.cli._output import console, print_json, print_table

__all__ = ["register"]


def register(msub: argparse._SubParsersAction) -> None:
    parser = msub.add_parser("train-encoders", help="train the learned task representations on a knowledge base "
                                                    "and store their weights and protocol (encoders.json)")
    parser.add_argument("--data-dir", help="PMLB data directory (default: $AUTOMETA_DATA_DIR)")
    parser.add_argument("--kb", help="knowledge base folder (default: the shipped one)")
    parser.add_argument("--out", default="metadata", help="folder for the weights (default: metadata)")
    parser.add_argument("--seed", type=int, default=0, help="seed of weights, batches and samples (default: 0)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default: 1)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(func=_train)


def _train(args: argparse.Namespace) -> int:
    from autometa.metalearn.train_encoders import train_encoders

    protocol = train_encoders(args.kb, args.out, data_dir=args.data_dir, seed=args.seed, threads=args.threads)
    if args.json:
        print_json(protocol)
        return 0
    print_table([{k: e[k] for k in ("file", "dim", "fit_seconds", "bytes", "loss_first", "loss_last")}
                 for e in protocol["encoders"]],
                title=f"encoders trained on {protocol['knowledge_base']['datasets']} datasets -> {args.out}")
    console().print(f"protocol written to {args.out}/encoders.json")
    return 0
