"""Training the learned task representations on a knowledge base (``autometa metadata train-encoders``).

The encoders (:mod:`autometa.representations`) learn from a knowledge base's scores;
this fits each of :data:`ENCODER_FILES` on one, stores the weights and writes the
protocol (``encoders.json``) beside them.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ENCODER_FILES", "train_encoders"]

#: file name -> (encoder name, constructor arguments)
ENCODER_FILES: dict[str, tuple[str, dict]] = {
    "encoder-metafeatures.pt": ("metafeatures", {}),
    "encoder-dataset2vec.pt": ("dataset2vec", {"objective": "profile"}),
    "encoder-dataset2vec-same.pt": ("dataset2vec", {"objective": "same_dataset"}),
    "encoder-graph.pt": ("graph", {}),
}


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

    from autometa._version import __version__
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
        "autometa": __version__, "torch": torch.__version__,
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
