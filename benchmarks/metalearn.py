"""Meta-learners on the knowledge base: leave-one-family-out table, regret@k plot, recommend timing.

Prints the table of ``autometa metadata evaluate`` (regret@k, first-pick rank,
NDCG@10, win/tie/loss against average rank; classification and regression
apart), saves a regret@k-against-k plot, and times ``autometa recommend`` end to
end (a fresh process: start-up, CSV read, meta-features, cached learner, table)
on a 100,000 x 50 CSV.

    python benchmarks/metalearn.py                              # everything, shipped base
    python benchmarks/metalearn.py --path metadata --learners average_rank neighbors ranker ranker_regression
    python benchmarks/metalearn.py --skip-evaluate --timing-repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]


def markdown(frame: pd.DataFrame, digits: int = 3) -> str:
    """A GitHub-flavoured Markdown table."""
    cols = list(frame.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for row in frame.itertuples(index=False):
        cells = [f"{v:.{digits}f}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def run_evaluation(path: str | None, learners: list[str], plot: Path | None, records: Path | None = None) -> dict:
    from autometa.knowledge import KnowledgeBase
    from autometa.metalearn import evaluate, get_learner

    kb = KnowledgeBase.load(path)
    print(f"knowledge base: {kb}; datasets by kind: {kb.datasets['kind'].value_counts().to_dict()}")
    start, cpu = time.perf_counter(), time.process_time()
    result = evaluate(kb, {name: get_learner(name) for name in learners}, progress=sys.stderr.isatty())
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    summary = result.summary()
    cmd = "autometa metadata evaluate" + (f" --path {path}" if path else "") + " --learner " + " ".join(learners)
    print(f"\n$ {cmd}\n")
    for group, part in summary.groupby("group", sort=False):
        print(f"### {group} ({int(part['datasets'].max())} held-out datasets)\n")
        print(markdown(part.drop(columns="group")))
        print()
    print(markdown(result.timings))
    print(f"\nevaluation: {wall:.0f} s wall, {cpu:.0f} s CPU, {result.meta['folds']} folds")
    if plot is not None:
        save_plot(result, plot)
        print(f"plot: {plot}")
    if records is not None:
        result.records.to_csv(records, index=False)
        print(f"per-dataset records: {records}")
    return {"summary": summary.to_dict(orient="records"), "timings": result.timings.to_dict(orient="records"),
            "meta": result.meta, "wall_seconds": wall, "command": cmd}


def save_plot(result, path: Path) -> None:
    try:
        import matplotlib
    except ImportError:  # pragma: no cover
        print("matplotlib is not installed: pip install 'autometa[bench]' for the plot")
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curve = result.curve()
    groups = list(dict.fromkeys(curve["group"]))
    fig, axes = plt.subplots(1, len(groups), figsize=(5.5 * len(groups), 4), squeeze=False)
    for ax, group in zip(axes[0], groups):
        part = curve[curve["group"] == group]
        for learner, line in part.groupby("learner", sort=False):
            style = {"random": ":", "oracle": "--", "average_rank": "-."}.get(str(learner), "-")
            ax.plot(line["k"], line["regret"], style, marker="o", label=str(learner))
        n = int(result.records.loc[result.records["group"] == group, "dataset"].nunique())
        ax.set(xscale="log", xlabel="k (configurations tried)", ylabel="mean normalised regret@k",
               title=f"{group}: leave-one-family-out, {n} datasets")
        ax.set_xticks(result.ks, [str(k) for k in result.ks])
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)


def time_recommend(path: str | None, learner: str, repeats: int, rows: int, cols: int) -> dict:
    """Wall and CPU seconds of `autometa recommend` in fresh processes: the first fills the cache."""
    rng = np.random.default_rng(0)
    tmp = Path(tempfile.mkdtemp(prefix="autometa-bench-"))
    csv = tmp / f"data_{rows}x{cols}.csv"
    X = rng.normal(size=(rows, cols)).astype("float32")
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(cols)])
    frame["target"] = (X[:, 0] + 0.5 * X[:, 1] + rng.normal(size=rows) > 0).astype(int)
    frame.to_csv(csv, index=False, float_format="%.5g")
    env = {**os.environ, "AUTOMETA_CACHE_DIR": str(tmp / "cache")}
    cmd = [sys.executable, "-m", "autometa.cli", "recommend", str(csv), "--target", "target",
           "--learner", learner, *(["--kb", path] if path else [])]
    runs = []
    for i in range(repeats + 1):
        before = os.times()
        start = time.perf_counter()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=REPO)
        wall = time.perf_counter() - start
        after = os.times()
        cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr)
        runs.append({"run": "cold (fits and caches the learner)" if i == 0 else f"warm {i}", "wall_s": wall,
                     "cpu_s": cpu})
    table = pd.DataFrame(runs)
    shown = " ".join(cmd[2:]).replace(str(csv), csv.name)
    print(f"\n$ python -m {shown}   # {rows:,} x {cols} CSV, {csv.stat().st_size / 1e6:.0f} MB\n")
    print(markdown(table, digits=2))
    print(proc.stdout[-3000:])
    warm = table.iloc[1:]
    return {"runs": runs, "warm_wall_median": float(warm["wall_s"].median()) if len(warm) else None,
            "warm_cpu_median": float(warm["cpu_s"].median()) if len(warm) else None, "command": shown}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", help="knowledge base folder (default: the shipped one)")
    parser.add_argument("--learners", nargs="+", default=["average_rank", "portfolio", "neighbors", "ranker",
                                                          "ranker_regression"])
    parser.add_argument("--plot", default=str(REPO / "docs" / "metalearn_regret.png"))
    parser.add_argument("--skip-evaluate", action="store_true")
    parser.add_argument("--skip-timing", action="store_true")
    parser.add_argument("--timing-learner", default="default")
    parser.add_argument("--timing-repeats", type=int, default=3)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--cols", type=int, default=50)
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.add_argument("--records", help="also write the per-dataset records (CSV) here")
    args = parser.parse_args()
    out: dict = {}
    if not args.skip_evaluate:
        out["evaluate"] = run_evaluation(args.path, args.learners, Path(args.plot) if args.plot else None,
                                         Path(args.records) if args.records else None)
    if not args.skip_timing:
        out["timing"] = time_recommend(args.path, args.timing_learner, args.timing_repeats, args.rows, args.cols)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2, default=str))


if __name__ == "__main__":
    main()
