"""Wall time of a knowledge-base build of one wide dataset: whole dataset per job, or chunks.

Builds the same dataset(s) twice into temporary folders with ``--n-jobs`` workers:
once with the whole portfolio as one job (the dataset runs on one worker, as before
chunking) and once in chunks of ``--chunk-size`` configurations. Prints both wall
times and checks that the two bases hold the same scores.

    AUTOMETA_DATA_DIR=../shared/data/pmlb python benchmarks/build_chunks.py \\
        --datasets spambase --configs 5 --n-jobs 2 --chunk-size 5
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from autometa.knowledge import Protocol, build_knowledge_base
from autometa.pipelines import portfolio


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", nargs="+", default=["spambase"])
    ap.add_argument("--data-dir", default=None, help="PMLB folder (default: $AUTOMETA_DATA_DIR)")
    ap.add_argument("--configs", type=int, default=5, help="first N configurations of each family")
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--chunk-size", type=int, default=5)
    args = ap.parse_args(argv)

    configs = portfolio().groupby("family", sort=False).head(args.configs).reset_index(drop=True)
    protocol = Protocol()
    walls: dict[str, float] = {}
    scores: dict[str, pd.DataFrame] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, chunk in (("whole dataset per job", len(configs)), (f"chunks of {args.chunk_size}",
                                                                         args.chunk_size)):
            out = Path(tmp) / str(chunk)
            t0 = time.perf_counter()
            build_knowledge_base(out, data_dir=args.data_dir, datasets=args.datasets, n_jobs=args.n_jobs,
                                 protocol=protocol, configurations=configs, metafeatures=False,
                                 chunk_size=chunk)
            walls[label] = time.perf_counter() - t0
            ev = pd.read_parquet(out / "evaluations.parquet")
            scores[label] = ev.set_index(["dataset", "config_id", "fold"])[["r2", "balanced_accuracy"]].sort_index()
    a, b = scores.values()
    same = bool(np.allclose(a.to_numpy(dtype=float), b.to_numpy(dtype=float), equal_nan=True))
    print(f"datasets: {' '.join(args.datasets)}; {len(configs)} configurations x {protocol.n_folds} folds; "
          f"{args.n_jobs} workers")
    for label, wall in walls.items():
        print(f"  {label:<24} {wall:7.1f} s wall")
    print(f"  speed-up {walls[next(iter(walls))] / walls[list(walls)[1]]:.2f}x; same scores: {same}")
    print("command: python benchmarks/build_chunks.py " + " ".join(sys.argv[1:]))
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
