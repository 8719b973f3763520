"""``autometa.fit`` against its own cold search, its first recommendation, LightGBM, FLAML and AutoGluon.

Held out, leave-one-family-out: on each dataset the meta-learner behind ``autometa``
is fitted on the shipped knowledge base without every dataset of the held-out
dataset's family (``KnowledgeBase.subset``), outside the timed call (it stands in for
the learner shipped with the package). One 75/25 split per dataset (stratified for
classification, seed 0), scored on the 25 % by balanced accuracy or R²; regression
runs are told the kind. Every system runs in its own process with one thread
(``OMP_NUM_THREADS=1``, ``n_jobs=1``, ``num_cpus=1``), an empty ``AUTOMETA_HOME`` and a
hard time-out of 3 x budget + 120 s (a time-out or a crash is recorded as a failure
and scored as the constant predictor: 1 / classes, or R² 0).

Systems: ``autometa`` (``autometa.fit``), ``autometa-cold`` (``warm_start=False``),
``autometa-single`` (``ensemble=False``), ``first-rec`` (the first recommendation
fitted), ``lgbm`` (LightGBM's defaults), ``flaml`` (FLAML 2.7.0 ``AutoML`` optimising
the same metric), ``flaml-zeroshot`` (``flaml.default.LGBMClassifier/Regressor``),
``autogluon`` (AutoGluon 1.6.3 ``TabularPredictor(presets="medium_quality")``).

Datasets (fixed; one per family, the median-sized dataset of each family, then
evenly spaced by rows): 40 classification of the 82 classification families, all 22
regression families. The peers live in their own virtual environments, never in the
package's dependencies::

    python -m venv /tmp/venv-flaml && /tmp/venv-flaml/bin/pip install "flaml[automl]==2.7.0" packaging
    python -m venv /tmp/venv-ag && /tmp/venv-ag/bin/pip install "autogluon.tabular[lightgbm]==1.6.3"
    AUTOMETA_DATA_DIR=../shared/data/pmlb python benchmarks/fit_vs_peers.py --budgets 30 60 \\
        --flaml-python /tmp/venv-flaml/bin/python --autogluon-python /tmp/venv-ag/bin/python \\
        --out runs/fit_vs_peers.jsonl
    python benchmarks/fit_vs_peers.py --report runs/fit_vs_peers.jsonl

Resumable: one JSON line per dataset x system x budget; done ones are skipped.
``--datasets`` / ``--systems`` run a part. Systems whose interpreter is not given are
skipped (and say so).
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

import numpy as np

CLASSIFICATION = [
    "postoperative_patient_data", "appendicitis", "cloud", "tae", "corral", "wine_recognition", "auto", "biomed",
    "cleve", "solar_flare_1", "bupa", "ionosphere", "colic", "cars", "calendarDOW", "saheart", "collins",
    "threeOf9", "wdbc", "crx", "tokyo1", "credit_g", "solar_flare_2", "Hill_Valley_without_noise", "contraceptive",
    "GAMETES_Epistasis_3_Way_20atts_0.2H_EDM_1_1", "car_evaluation", "kr_vs_kp", "allbp", "churn", "banana",
    "page_blocks", "optdigits", "ring", "agaricus_lepiota", "nursery", "letter", "shuttle", "fars", "kddcup"]
REGRESSION = [
    "1089_USCrime", "1096_FacultySalaries", "542_pollution", "706_sleuth_case1202", "523_analcatdata_neavote",
    "210_cloud", "207_autoPrice", "230_machine_cpu", "695_chatfield_4", "560_bodyfat", "690_visualizing_galaxy",
    "1027_ESL", "627_fri_c2_500_10", "666_rmftsa_ladata", "4544_GeographicalOriginalofMusic", "529_pollen",
    "225_puma8NH", "227_cpu_small", "537_houses", "218_house_8L", "564_fried", "1201_BNG_breastTumor"]
SYSTEMS = ("autometa", "autometa-cold", "autometa-single", "first-rec", "lgbm", "flaml", "flaml-zeroshot",
           "autogluon")
PEER_PYTHON = {"flaml": "flaml", "flaml-zeroshot": "flaml", "autogluon": "autogluon"}
TIE = 0.005
ONE_THREAD = {v: "1" for v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")}


# ------------------------------------------------------------------------------------ data
def prepare(name: str, folder: Path) -> dict[str, Any]:
    """The split, written once as .npy files every environment reads (no autometa needed there)."""
    meta_file = folder / name / "meta.json"
    if meta_file.exists():
        return json.loads(meta_file.read_text())
    from sklearn.model_selection import train_test_split

    from autometa.knowledge import KnowledgeBase, default_path
    from autometa.tasks import load_task

    task = load_task(f"pmlb:{name}")
    X = task.X.to_numpy(dtype=float)
    if task.kind == "regression":
        y, n_classes = task.y.to_numpy(dtype=float), None
    else:
        classes, y = np.unique(task.y.to_numpy(), return_inverse=True)
        n_classes = len(classes)
    strat = y if n_classes is not None else None
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0, stratify=strat)
    (folder / name).mkdir(parents=True, exist_ok=True)
    for key, value in {"X_train": X_tr, "X_test": X_te, "y_train": y_tr, "y_test": y_te}.items():
        np.save(folder / name / f"{key}.npy", value)
    family = str(KnowledgeBase.load(default_path()).datasets.loc[name, "family"])
    meta = {"dataset": name, "kind": task.kind, "n_classes": n_classes, "family": family,
            "rows": int(len(y)), "features": int(X.shape[1])}
    meta_file.write_text(json.dumps(meta))
    return meta


def _load(folder: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    return tuple(np.load(folder / f"{k}.npy") for k in ("X_train", "X_test", "y_train", "y_test"))  # type: ignore


def _score(meta: dict[str, Any], y_true: np.ndarray, pred: np.ndarray) -> float:
    from sklearn.metrics import balanced_accuracy_score, r2_score

    if meta["kind"] == "regression":
        return float(r2_score(y_true, np.asarray(pred, dtype=float)))
    return float(balanced_accuracy_score(y_true, np.asarray(pred).astype(int)))


# ---------------------------------------------------------------------------------- workers
def _autometa(meta: dict[str, Any], folder: Path, budget: float, system: str) -> dict[str, Any]:
    import warnings

    import pandas as pd

    import autometa
    import autometa.metalearn as ml
    from autometa.knowledge import KnowledgeBase, default_path
    from autometa.metalearn import recommend as _recommend

    warnings.simplefilter("ignore")
    X_tr, X_te, y_tr, y_te = _load(folder)
    cols = [f"x{i}" for i in range(X_tr.shape[1])]
    X_tr, X_te = pd.DataFrame(X_tr, columns=cols), pd.DataFrame(X_te, columns=cols)
    kb = KnowledgeBase.load(default_path())
    keep = kb.datasets.index[kb.datasets["family"] != meta["family"]].tolist()
    learner = ml.get_learner("default").fit(kb.subset(keep))  # as shipped, but blind to the held-out family

    def recommend_without_family(X: Any, y: Any = None, **kwargs: Any) -> pd.DataFrame:
        kwargs.pop("knowledge_base", None)
        kwargs.pop("learner", None)
        return _recommend(X, y, learner=learner, **kwargs)

    ml.recommend = recommend_without_family  # autometa.search looks it up at call time
    if system == "first-rec":
        from autometa.pipelines import get_family

        start = time.perf_counter()
        first = recommend_without_family(X_tr, y_tr, top=1).iloc[0]
        pipe = get_family(first["family"]).build(dict(first["params"]), meta["kind"], random_state=0)
        pipe.fit(X_tr, y_tr)
        wall = time.perf_counter() - start
        return {"wall_s": wall, "score": _score(meta, y_te, pipe.predict(X_te)), "family": first["family"]}
    start = time.perf_counter()
    model = autometa.fit(X_tr, y_tr, time_budget=budget, kind=meta["kind"], n_jobs=1, random_state=0,
                         record=False, warm_start=system != "autometa-cold", ensemble=system != "autometa-single")
    wall = time.perf_counter() - start
    return {"wall_s": wall, "score": _score(meta, y_te, model.predict(X_te)), "trials": model.n_trials_,
            "validated": model.n_validated_, "final": model.final_model_, "cv": model.best_score_,
            "validation": getattr(model, "validation_", None), "notes": list(getattr(model, "notes_", []))}


def _lgbm(meta: dict[str, Any], folder: Path, budget: float, system: str) -> dict[str, Any]:
    import lightgbm as lgb

    X_tr, X_te, y_tr, y_te = _load(folder)
    cls = lgb.LGBMRegressor if meta["kind"] == "regression" else lgb.LGBMClassifier
    start = time.perf_counter()
    model = cls(n_jobs=1, verbose=-1, random_state=0).fit(X_tr, y_tr)
    return {"wall_s": time.perf_counter() - start, "score": _score(meta, y_te, model.predict(X_te))}


def _flaml(meta: dict[str, Any], folder: Path, budget: float, system: str) -> dict[str, Any]:
    X_tr, X_te, y_tr, y_te = _load(folder)
    regression = meta["kind"] == "regression"
    start = time.perf_counter()
    if system == "flaml-zeroshot":
        from flaml.default import LGBMClassifier, LGBMRegressor

        model = (LGBMRegressor if regression else LGBMClassifier)(n_jobs=1).fit(X_tr, y_tr)
        return {"wall_s": time.perf_counter() - start, "score": _score(meta, y_te, model.predict(X_te))}
    from flaml import AutoML

    def balanced_accuracy(X_val: Any, y_val: Any, estimator: Any, labels: Any, X_train: Any, y_train: Any,
                          *args: Any, **kwargs: Any) -> tuple[float, dict[str, float]]:
        from sklearn.metrics import balanced_accuracy_score

        value = balanced_accuracy_score(y_val, estimator.predict(X_val))
        return 1.0 - value, {"balanced_accuracy": value}

    automl = AutoML()
    automl.fit(X_tr, y_tr, task="regression" if regression else "classification", time_budget=budget, n_jobs=1,
               metric="r2" if regression else balanced_accuracy, verbose=0, seed=0)
    return {"wall_s": time.perf_counter() - start, "score": _score(meta, y_te, automl.predict(X_te)),
            "best": str(automl.best_estimator)}


def _autogluon(meta: dict[str, Any], folder: Path, budget: float, system: str) -> dict[str, Any]:
    import pandas as pd
    from autogluon.tabular import TabularPredictor

    X_tr, X_te, y_tr, y_te = _load(folder)
    cols = [f"x{i}" for i in range(X_tr.shape[1])]
    train = pd.DataFrame(X_tr, columns=cols).assign(target=y_tr)
    regression = meta["kind"] == "regression"
    with tempfile.TemporaryDirectory() as path:
        start = time.perf_counter()
        predictor = TabularPredictor(label="target", eval_metric="r2" if regression else "balanced_accuracy",
                                     problem_type="regression" if regression else
                                     ("binary" if meta["n_classes"] == 2 else "multiclass"),
                                     path=path, verbosity=0)
        predictor.fit(train, time_limit=budget, presets="medium_quality", num_cpus=1, num_gpus=0)
        wall = time.perf_counter() - start
        pred = predictor.predict(pd.DataFrame(X_te, columns=cols)).to_numpy()
    return {"wall_s": wall, "score": _score(meta, y_te, pred)}


WORKERS = {"autometa": _autometa, "autometa-cold": _autometa, "autometa-single": _autometa,
           "first-rec": _autometa, "lgbm": _lgbm, "flaml": _flaml, "flaml-zeroshot": _flaml,
           "autogluon": _autogluon}


def _worker(spec: str) -> None:
    job = json.loads(spec)
    folder = Path(job["folder"])
    meta = json.loads((folder / "meta.json").read_text())
    result = WORKERS[job["system"]](meta, folder, float(job["budget"]), job["system"])
    print("RESULT " + json.dumps(result))


# ----------------------------------------------------------------------------------- parent
def run(args: argparse.Namespace) -> None:
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    done = set()
    if out.exists():
        done = {json.loads(line)["key"] for line in out.read_text().splitlines() if line.strip()}
    pythons = {"autometa": sys.executable, "flaml": args.flaml_python, "autogluon": args.autogluon_python}
    data = Path(args.data_cache)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=Path(__file__).parent).stdout.strip() or None
    datasets = args.datasets or [*CLASSIFICATION, *REGRESSION]
    skipped = sorted({s for s in args.systems if not pythons[PEER_PYTHON.get(s, "autometa")]})
    if skipped:
        print(f"skipped (no interpreter given): {', '.join(skipped)}", flush=True)
    for budget in args.budgets:
        for name in datasets:
            meta = prepare(name, data)
            for system in args.systems:
                python = pythons[PEER_PYTHON.get(system, "autometa")]
                label = system + args.label
                key = f"{name}|{label}|{budget:g}"
                if key in done or not python:
                    continue
                with tempfile.TemporaryDirectory() as home:
                    env = {**os.environ, **ONE_THREAD, "AUTOMETA_HOME": home, "AUTOMETA_RECORD": "0"}
                    job = json.dumps({"folder": str(data / name), "system": system, "budget": budget})
                    start = time.perf_counter()
                    try:
                        done_proc = subprocess.run([python, __file__, "--worker", job], env=env, text=True,
                                                   capture_output=True, timeout=3 * budget + 120)
                        lines = [ln for ln in done_proc.stdout.splitlines() if ln.startswith("RESULT ")]
                        result = json.loads(lines[-1][7:]) if lines else {
                            "error": (done_proc.stderr.strip().splitlines() or ["no output"])[-1][:300]}
                    except subprocess.TimeoutExpired:
                        result = {"error": f"timed out after {3 * budget + 120:g} s"}
                row = {"key": key, "commit": commit, "dataset": name, "system": label, "budget": budget,
                       "kind": meta["kind"],
                       "family": meta["family"], "rows": meta["rows"], "n_classes": meta["n_classes"],
                       "process_s": round(time.perf_counter() - start, 1), **result}
                with out.open("a") as fh:
                    fh.write(json.dumps(row) + "\n")
                shown = f"{row['score']:.4f}" if "score" in row else row.get("error", "?")
                print(f"{key}: {shown} ({row.get('wall_s', float('nan')):.1f} s)", flush=True)


def report(files: list[str], baseline: str = "autometa") -> None:
    import pandas as pd

    rows = [json.loads(line) for f in files for line in Path(f).read_text().splitlines() if line.strip()]
    frame = pd.DataFrame(rows)
    frame["group"] = np.where(frame["kind"] == "regression", "regression", "classification")
    constant = np.where(frame["group"] == "regression", 0.0, 1.0 / frame["n_classes"].fillna(2).clip(lower=2))
    frame["failed"] = frame["score"].isna() if "score" in frame else True
    frame["score"] = frame.get("score", pd.Series(np.nan, index=frame.index)).fillna(pd.Series(constant))
    for (group, budget), part in frame.groupby(["group", "budget"]):
        table = part.pivot_table(index="dataset", columns="system", values="score")
        table = table.dropna()  # datasets every system in this file has a result for
        families = part.drop_duplicates("dataset").set_index("dataset")["family"].reindex(table.index)
        print(f"\n{group}, budget {budget:g} s: {len(table)} datasets "
              f"(commands and list: benchmarks/fit_vs_peers.py)")
        ranks = table.rank(axis=1, ascending=False).mean()
        lines = []
        for system in table.columns:
            sub = part[part["system"] == system]
            wall = sub["wall_s"] / budget if "wall_s" in sub else pd.Series(dtype=float)
            line = {"system": system, "mean": table[system].mean(), "mean rank": ranks[system],
                    "failed": int(sub["failed"].sum()), "wall/budget med": wall.median(), "max": wall.max()}
            if system != baseline and baseline in table:
                diff = table[baseline] - table[system]
                line[f"{baseline} w/t/l"] = f"{(diff > TIE).sum()}/{(diff.abs() <= TIE).sum()}/{(diff < -TIE).sum()}"
                by_family = diff.groupby(families).mean()
                rng = np.random.default_rng(0)
                boot = [by_family.sample(len(by_family), replace=True, random_state=rng).mean() for _ in range(2000)]
                line["mean diff [95% CI]"] = (f"{diff.mean():+.4f} [{np.percentile(boot, 2.5):+.4f}, "
                                              f"{np.percentile(boot, 97.5):+.4f}]")
            lines.append(line)
        print(pd.DataFrame(lines).sort_values("mean rank").to_string(index=False, float_format="{:.4f}".format))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="runs/fit_vs_peers.jsonl")
    ap.add_argument("--budgets", nargs="+", type=float, default=[30.0, 60.0])
    ap.add_argument("--systems", nargs="+", default=list(SYSTEMS), choices=SYSTEMS)
    ap.add_argument("--datasets", nargs="+")
    ap.add_argument("--flaml-python", help="python of a venv with flaml[automl]==2.7.0")
    ap.add_argument("--autogluon-python", help="python of a venv with autogluon.tabular[lightgbm]==1.6.3")
    ap.add_argument("--data-cache", default="runs/fit_vs_peers-data", help="the splits, as .npy files")
    ap.add_argument("--label", default="", help="suffix of the systems' names in the rows (another commit's run "
                    "beside the first: --label @abc123)")
    ap.add_argument("--report", nargs="+", metavar="JSONL")
    ap.add_argument("--baseline", default="autometa", help="the system the report compares the others with")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        _worker(args.worker)
    elif args.report:
        report(args.report, baseline=args.baseline)
    else:
        run(args)


if __name__ == "__main__":
    main()
