"""The time budget as a contract: wall time against ``time_budget`` as a new user meets it.

Every run is a fresh Python process; the time measured is from just before the
``autometa.fit`` call (or ``cross_validate``) to its return, so the process start and
``import autometa`` are left out (printed apart: ``import_s``). The cases:

- ``first``: the first ``fit`` after install (an empty ``AUTOMETA_HOME`` and cache);
- ``recorded``: 20 consecutive recorded ``fit`` calls on different datasets, one
  ``AUTOMETA_HOME`` shared by them (each run is recorded, the next one sees it);
- ``cv``: ``cross_validate(AutoMetaClassifier(time_budget=B), cv=5)``, each fold timed;
- ``classes``: 1,000 classes (20,000 x 20);
- ``large``: 200,000 x 100 rows;

each at budgets 5, 10 and 30 s, single-threaded (``n_jobs=1``), alone and with
``--load`` (a second CPU-bound process running beside it). Also ``demo``: ``autometa
demo`` five times in a row in a fresh home, each must print a leaderboard; and
``learner``: loading the default meta-learner in a fresh process.

Target: every call within 1.1 x budget + 1 s, at least one validated trial in every
small-table case (``first``, ``recorded``, ``cv``), a leaderboard in every demo run.

    python benchmarks/budget.py --out runs/budget.jsonl               # all cases, alone
    python benchmarks/budget.py --out runs/budget-load.jsonl --load   # with a CPU-bound neighbour
    python benchmarks/budget.py --report runs/budget.jsonl runs/budget-load.jsonl

Resumable: one JSON line per run in ``--out``; runs already there are skipped.
Small datasets come from ``$AUTOMETA_DATA_DIR`` (PMLB) when set, else scikit-learn's
bundled and synthetic tables.
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
from typing import Any

BUDGETS = (5.0, 10.0, 30.0)
CASES = ("learner", "first", "recorded", "cv", "classes", "large", "demo")
N_RECORDED = 20

# the 20 PMLB datasets of the ``recorded`` case: up to 10,000 x 50, both kinds, several families
PMLB_SMALL = ["analcatdata_boxing1", "credit_a", "biomed", "breast_cancer_wisconsin", "cars", "cleve",
              "credit_g", "diabetes", "glass", "heart_statlog", "ionosphere", "irish", "monk2", "pima",
              "sonar", "house_votes_84", "1027_ESL", "197_cpu_act", "230_machine_cpu", "529_pollen"]


# -------------------------------------------------------------------------------- worker side
def _data(spec: str) -> tuple[Any, Any, str | None]:
    import numpy as np
    import pandas as pd

    if spec == "classes":
        rng = np.random.default_rng(0)
        centers = rng.normal(size=(1000, 20)) * 3
        labels = rng.integers(0, 1000, 20_000)
        X = pd.DataFrame(centers[labels] + rng.normal(size=(20_000, 20)), columns=[f"x{i}" for i in range(20)])
        return X, pd.Series(labels, name="y"), "multiclass"
    if spec == "large":
        from sklearn.datasets import make_classification

        X, y = make_classification(n_samples=200_000, n_features=100, n_informative=20, random_state=0)
        return pd.DataFrame(X, columns=[f"x{i}" for i in range(100)]), pd.Series(y, name="y"), "binary"
    from autometa.tasks import load_task

    task = load_task(spec)
    return task.X, task.y, task.kind


def _worker(case: dict[str, Any]) -> dict[str, Any]:
    t0 = time.perf_counter()
    import warnings

    import autometa

    import_s = time.perf_counter() - t0
    out: dict[str, Any] = {"import_s": round(import_s, 3)}
    if case["case"] == "learner":
        from autometa.metalearn import fitted_learner

        start = time.perf_counter()
        learner = fitted_learner("default", fit=False)
        out.update(wall_s=round(time.perf_counter() - start, 3), ready=learner is not None)
        return out
    X, y, kind = _data(case["data"])
    budget = case["budget"]
    warnings.simplefilter("ignore")
    if case["case"] == "cv":
        from sklearn.model_selection import cross_validate

        from autometa import AutoMetaClassifier

        start = time.perf_counter()
        res = cross_validate(AutoMetaClassifier(time_budget=budget), X, y, cv=5, return_estimator=True,
                             error_score="raise")
        out.update(wall_s=round(time.perf_counter() - start, 3),
                   fold_s=[round(float(s), 3) for s in res["fit_time"]],
                   validated=[int(m.n_validated_) for m in res["estimator"]],
                   final=[m.final_model_ for m in res["estimator"]])
        return out
    start = time.perf_counter()
    model = autometa.fit(X, y, time_budget=budget, kind=kind)
    wall = time.perf_counter() - start
    out.update(wall_s=round(wall, 3), validated=int(model.n_validated_), trials=int(model.n_trials_),
               final=model.final_model_, notes=[n[:160] for n in model.notes_])
    return out


# -------------------------------------------------------------------------------- driver side
def _small_datasets() -> list[str]:
    data_dir = os.environ.get("AUTOMETA_DATA_DIR")
    if data_dir and Path(data_dir).is_dir():
        return [f"pmlb:{n}" for n in PMLB_SMALL if (Path(data_dir) / n).is_dir()][:N_RECORDED]
    names = ["breast_cancer", "iris", "wine", "digits", "diabetes"]
    return [f"sklearn:{names[i % len(names)]}" for i in range(N_RECORDED)]


def _run_child(case: dict[str, Any], home: Path, timeout: float) -> dict[str, Any]:
    env = {**os.environ, "AUTOMETA_HOME": str(home), "OMP_NUM_THREADS": "1"}
    env.pop("AUTOMETA_CACHE_DIR", None)
    env.pop("AUTOMETA_RECORD", None)  # recording on: the default
    start = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, __file__, "--worker", json.dumps(case)], env=env,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"killed after {timeout:.0f} s", "process_s": round(time.perf_counter() - start, 1)}
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"error": (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"],
                "process_s": round(time.perf_counter() - start, 1)}
    return {**json.loads(lines[-1]), "process_s": round(time.perf_counter() - start, 1)}


def _demo(home: Path, timeout: float) -> dict[str, Any]:
    env = {**os.environ, "AUTOMETA_HOME": str(home)}
    env.pop("AUTOMETA_CACHE_DIR", None)
    start = time.perf_counter()
    proc = subprocess.run(["autometa", "demo", "--json"], env=env, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - start
    try:
        out = json.loads(proc.stdout)
    except ValueError:
        return {"error": proc.stderr.strip()[-300:], "process_s": round(wall, 1)}
    return {"process_s": round(wall, 1), "leaderboard_rows": len(out.get("leaderboard", [])),
            "trials": out.get("trials"), "validated": out.get("validated"), "rc": proc.returncode}


def _plan(cases: list[str], budgets: list[float]) -> list[dict[str, Any]]:
    plan: list[dict[str, Any]] = []
    small = _small_datasets()
    for case in cases:
        if case == "learner":
            plan += [{"case": "learner", "budget": 0.0, "data": "-", "i": i} for i in range(3)]
        elif case == "demo":
            plan += [{"case": "demo", "budget": 20.0, "data": "breast_cancer", "i": i} for i in range(5)]
        elif case == "first":
            plan += [{"case": "first", "budget": b, "data": small[0], "i": 0} for b in budgets]
        elif case == "recorded":
            plan += [{"case": "recorded", "budget": b, "data": d, "i": i} for b in budgets
                     for i, d in enumerate(small)]
        elif case == "cv":
            plan += [{"case": "cv", "budget": b, "data": "sklearn:breast_cancer", "i": 0} for b in budgets]
        else:
            plan += [{"case": case, "budget": b, "data": case, "i": 0} for b in budgets]
    return plan


def _key(case: dict[str, Any]) -> str:
    return f"{case['case']}|{case['budget']}|{case['data']}|{case['i']}"


def run(args: argparse.Namespace) -> None:
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    done = set()
    if out.exists():
        done = {json.loads(ln)["key"] for ln in out.read_text().splitlines() if ln.strip()}
    burner = None
    if args.load:
        burner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    homes: dict[str, Path] = {}
    root = Path(tempfile.mkdtemp(prefix="autometa-budget-"))
    try:
        for case in _plan(args.cases, args.budgets):
            key = _key(case)
            if key in done:
                continue
            # first: a fresh home per run; recorded: one home per budget, shared by its 20 runs;
            # demo: one home shared by its 5 runs; learner and the rest: a fresh home each
            group = f"{case['case']}-{case['budget']}" if case["case"] in ("recorded", "demo") else key
            home = homes.setdefault(group, root / f"home{len(homes)}")
            timeout = 10 * max(case["budget"], 10.0) + 120
            result = _demo(home, timeout) if case["case"] == "demo" else _run_child(case, home, timeout)
            row = {"key": key, **case, "load": bool(args.load), **result}
            with out.open("a") as fh:
                fh.write(json.dumps(row) + "\n")
            print(json.dumps(row), flush=True)
    finally:
        if burner is not None:
            burner.kill()


def report(files: list[str]) -> None:
    import numpy as np
    import pandas as pd

    rows = [json.loads(ln) for f in files for ln in Path(f).read_text().splitlines() if ln.strip()]
    frame = pd.DataFrame(rows)
    print(f"{'case':<10}{'load':<6}{'budget':>7}{'runs':>6}{'wall/budget med':>17}{'max':>7}"
          f"{'over 1.1B+1':>12}{'validated>=1':>14}{'errors':>8}")
    for (case, load, budget), g in frame.groupby(["case", "load", "budget"], sort=False):
        errors = int(g["error"].notna().sum()) if "error" in g else 0
        ok = g[g["error"].isna()] if "error" in g else g
        if case == "learner":
            print(f"{case:<10}{str(load):<6}{'-':>7}{len(g):>6}   load {ok['wall_s'].median():.3f} s "
                  f"(max {ok['wall_s'].max():.3f}), ready {int(ok['ready'].sum())}/{len(ok)}, "
                  f"import {ok['import_s'].median():.2f} s")
            continue
        if case == "demo":
            print(f"{case:<10}{str(load):<6}{budget:>7.0f}{len(g):>6}   leaderboard in "
                  f"{int((ok['leaderboard_rows'] > 0).sum())}/{len(g)} runs, process "
                  f"{ok['process_s'].min():.1f}-{ok['process_s'].max():.1f} s")
            continue
        if case == "cv":
            walls = np.array([s for v in ok["fold_s"] for s in v])
            valid = np.array([v for vs in ok["validated"] for v in vs])
        else:
            walls = ok["wall_s"].to_numpy(dtype=float)
            valid = ok["validated"].to_numpy(dtype=float)
        ratio = walls / budget
        over = int(np.sum(walls > 1.1 * budget + 1.0))
        print(f"{case:<10}{str(load):<6}{budget:>7.0f}{len(walls):>6}{np.median(ratio):>17.2f}{ratio.max():>7.2f}"
              f"{over:>12}{int(np.sum(valid >= 1)):>8}/{len(valid):<5}{errors:>8}")
    print("\nwall: from the fit call to its return (process start and import excluded); "
          "cv: each fold's fit; over 1.1B+1: runs past 1.1 x budget + 1 s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="runs/budget.jsonl", help="JSON lines, one per run (resumable)")
    ap.add_argument("--cases", nargs="+", default=list(CASES), choices=CASES)
    ap.add_argument("--budgets", nargs="+", type=float, default=list(BUDGETS))
    ap.add_argument("--load", action="store_true", help="run a CPU-bound process beside the runs")
    ap.add_argument("--report", nargs="+", metavar="JSONL", help="only print the table of these files")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(_worker(json.loads(args.worker))))
        return 0
    if args.report:
        report(args.report)
        return 0
    run(args)
    report([args.out])
    print(f"\ncommand: python benchmarks/budget.py --out {args.out}{' --load' if args.load else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
