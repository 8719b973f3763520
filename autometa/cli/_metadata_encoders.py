"""`autometa metadata train-encoders`: fit the task encoders on a knowledge base and store them."""

from __future__ import annotations

import argparse
from typing import Any

from autometa.cli._output import console, print_json, print_table

__all__ = ["register", "train_encoders", "ENCODER_FILES"]

#: file name -> (encoder name, constructor arguments)
ENCODER_FILES: dict[str, tuple[str, dict]] = {
    "encoder-metafeatures.pt": ("metafeatures", {}),
    "encoder-dataset2vec.pt": ("dataset2vec", {"objective": "profile"}),
    "encoder-dataset2vec-same.pt": ("dataset2vec", {"objective": "same_dataset"}),
    "encoder-graph.pt": ("graph", {}),
}


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


def train_encoders(kb_path: str | None, out: str, *, data_dir: str | None = None, seed: int = 0,
                   threads: int = 1) -> dict:
    """Fit every encoder of :data:`ENCODER_FILES` on the base in ``kb_path``; write them and ``encoders.json``.

    Returns the protocol written to ``OUT/encoders.json``.
    """
    import json
    import time
    from datetime import datetime, timezone
    from pathlib import Path

    import torch

    import autometa
    from autometa.knowledge import KnowledgeBase
    from autometa.representations import ENCODER_FORMAT, ENCODERS

    kb = KnowledgeBase.load(kb_path)
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    entries = []
    for file_name, (name, params) in ENCODER_FILES.items():
        klass: Any = ENCODERS[name]
        enc = klass(**params, seed=seed, data_dir=data_dir, **({} if name == "metafeatures"
                                                                        else {"n_threads": threads}))
        start = time.perf_counter()
        enc.fit(kb)
        seconds = time.perf_counter() - start
        path = enc.save(out_dir / file_name)
        losses = getattr(enc, "loss_history_", None)
        entries.append({"file": file_name, "encoder": name, "class": type(enc).__name__,
                        "params": {k: v for k, v in enc.get_params().items() if k != "data_dir"},
                        "dim": enc.dim, "fit_seconds": round(seconds, 2), "bytes": path.stat().st_size,
                        "loss_first": None if not losses else round(losses[0], 5),
                        "loss_last": None if not losses else round(float(sum(losses[-10:]) / len(losses[-10:])), 5)})
    manifest = kb.manifest or {}
    protocol = {
        "format": ENCODER_FORMAT,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "autometa": autometa.__version__, "torch": torch.__version__,
        "knowledge_base": {"path": str(kb.path), "datasets": int(len(kb.datasets)),
                           "portfolio_hash": (manifest.get("portfolio") or {}).get("hash"),
                           "names": sorted(str(n) for n in kb.datasets.index)},
        "training": {"seed": seed, "torch_threads": threads,
                     "target": "normalised portfolio scores on each dataset's primary metric, in [-1, 1] "
                               "(1 = best configuration, 0 = median, failures -1)",
                     "tables": "rows and columns sampled with the seed (1000 x 64 at most), categoricals "
                               "frequency-coded, columns standardised and clipped to +-5, missing = 0"},
        "encoders": entries,
    }
    (out_dir / "encoders.json").write_text(json.dumps(protocol, indent=2) + "\n")
    return protocol


def _train(args: argparse.Namespace) -> int:
    protocol = train_encoders(args.kb, args.out, data_dir=args.data_dir, seed=args.seed, threads=args.threads)
    if args.json:
        print_json(protocol)
        return 0
    print_table([{k: e[k] for k in ("file", "dim", "fit_seconds", "bytes", "loss_first", "loss_last")}
                 for e in protocol["encoders"]],
                title=f"encoders trained on {protocol['knowledge_base']['datasets']} datasets -> {args.out}")
    console().print(f"protocol written to {args.out}/encoders.json")
    return 0
