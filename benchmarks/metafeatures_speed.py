"""Meta-feature extraction speed, autometa against pymfe, measured fairly.

Each measurement is a fresh process (its start-up and imports not timed) that first
warms its library up (one untimed extraction of the same groups on the first 1,000
rows), then times one extraction of the whole table. Rounds interleave the two
libraries (A, B, then B, A, ...), every process runs with one thread
(``OMP_NUM_THREADS`` / ``OPENBLAS_NUM_THREADS`` / ``MKL_NUM_THREADS`` = 1, and pymfe
inside ``threadpool_limits(1)``), and the table prints the median and range of each
library's seconds and of the per-round ratio. pymfe lives in its own environment::

    python -m venv /tmp/venv-pymfe && /tmp/venv-pymfe/bin/pip install pymfe==0.4.4
    python benchmarks/metafeatures_speed.py --pymfe-python /tmp/venv-pymfe/bin/python --rounds 7

The tables are synthetic (``benchmarks/metafeatures.py::synthetic``: correlated,
skewed and discrete columns, three classes), classification, all columns numeric.
Groups compared are the ones both libraries have (general, statistical, info-theory,
model-based, landmarking); pymfe's complexity, clustering, concept, itemset and
relative groups are not in autometa yet (issue 22).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve()
BASIC = ["general", "statistical", "info_theory"]
ALL = ["general", "statistical", "info_theory", "model_based", "landmarking"]
PYMFE_GROUP = {"general": "general", "statistical": "statistical", "info_theory": "info-theory",
               "model_based": "model-based", "landmarking": "landmarking"}
#: (rows, columns, groups)
CASES = [(100_000, 50, BASIC), (1_000, 20, ALL), (20_000, 50, BASIC)]
ONE_THREAD = {v: "1" for v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")}


def synthetic(n: int, d: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The table of ``benchmarks/metafeatures.py`` (copied: the pymfe environment has no autometa)."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(n, 5))
    X = latent @ rng.normal(size=(5, d)) + rng.normal(size=(n, d))
    X[:, ::4] = np.exp(X[:, ::4] / 3)
    X[:, 1::7] = np.round(X[:, 1::7])
    score = latent[:, 0] + 0.5 * latent[:, 1] + rng.normal(scale=0.7, size=n)
    y = np.digitize(score, np.quantile(score, [0.3, 0.7]))
    return X, y


def _worker(job: dict[str, Any]) -> None:
    import warnings

    warnings.simplefilter("ignore")
    X, y = synthetic(job["rows"], job["columns"])
    groups = job["groups"]
    if job["library"] == "autometa":
        from autometa.metafeatures import extract_metafeatures

        def extract(Xp: np.ndarray, yp: np.ndarray) -> int:
            return len(extract_metafeatures(Xp, yp, groups=groups, kind="multiclass"))
    else:
        from pymfe.mfe import MFE
        from threadpoolctl import threadpool_limits

        def extract(Xp: np.ndarray, yp: np.ndarray) -> int:
            with threadpool_limits(limits=1):
                mfe = MFE(groups=[PYMFE_GROUP[g] for g in groups], random_state=0, suppress_warnings=True)
                mfe.fit(Xp, yp, suppress_warnings=True)
                names, _ = mfe.extract(suppress_warnings=True)
            return len(names)

    extract(X[:1000], y[:1000])  # warm-up: imports, first-call overheads
    start = time.perf_counter()
    n = extract(X, y)
    print("RESULT " + json.dumps({"seconds": time.perf_counter() - start, "features": n}), flush=True)


def _measure(python: str, library: str, rows: int, columns: int, groups: list[str]) -> dict[str, Any]:
    job = json.dumps({"library": library, "rows": rows, "columns": columns, "groups": groups})
    env = {**os.environ, **ONE_THREAD}
    done = subprocess.run([python, str(HERE), "--worker", job], env=env, capture_output=True, text=True,
                          timeout=3600)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")]
    if not lines:
        raise RuntimeError(f"{library} worker failed: {done.stderr.strip()[-500:]}")
    return json.loads(lines[-1][7:])


def run(args: argparse.Namespace) -> None:
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    pythons = {"autometa": sys.executable, "pymfe": args.pymfe_python}
    for rows, columns, groups in CASES:
        if args.cases and f"{rows}x{columns}" not in args.cases:
            continue
        for r in range(args.rounds):
            order = ("autometa", "pymfe") if r % 2 == 0 else ("pymfe", "autometa")
            for library in order:
                result = _measure(pythons[library], library, rows, columns, groups)
                row = {"case": f"{rows}x{columns}", "groups": "+".join(groups), "round": r, "library": library,
                       **result}
                with out.open("a") as fh:
                    fh.write(json.dumps(row) + "\n")
                print(f"{row['case']} {row['groups']} round {r} {library}: {result['seconds']:.3f} s "
                      f"({result['features']} features)", flush=True)


def report(files: list[str]) -> None:
    import pandas as pd

    frame = pd.DataFrame([json.loads(ln) for f in files for ln in Path(f).read_text().splitlines() if ln.strip()])
    print("| data | groups | rounds | autometa s, median (range) | pymfe s, median (range) | "
          "pymfe / autometa per round, median (range) |")
    print("|---|---|---:|---|---|---|")
    for (case, groups), part in frame.groupby(["case", "groups"], sort=False):
        wide = part.pivot_table(index="round", columns="library", values="seconds").dropna()
        ratio = wide["pymfe"] / wide["autometa"]
        rows, columns = case.split("x")

        def cell(s: pd.Series, fmt: str = "{:.3g}") -> str:
            return f"{fmt.format(s.median())} ({fmt.format(s.min())}-{fmt.format(s.max())})"

        print(f"| {int(rows):,} x {columns} | {groups.replace('+', ' + ')} | {len(wide)} | {cell(wide['autometa'])} "
              f"| {cell(wide['pymfe'])} | {cell(ratio, '{:.1f}')}x |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pymfe-python", help="python of a venv with pymfe==0.4.4")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--cases", nargs="+", help="e.g. 100000x50 1000x20")
    ap.add_argument("--out", default="runs/metafeatures_speed.jsonl")
    ap.add_argument("--report", nargs="+", metavar="JSONL")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        _worker(json.loads(args.worker))
    elif args.report:
        report(args.report)
    elif not args.pymfe_python:
        ap.error("--pymfe-python is required to measure")
    else:
        run(args)


if __name__ == "__main__":
    main()
