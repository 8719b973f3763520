"""Meta-feature extraction: autometa against pymfe, speed and agreement.

Extracts the same groups with autometa and, when it is installed, pymfe on
synthetic tables (1k x 20, 20k x 50, 100k x 50) and on a few PMLB datasets, and
prints markdown tables: wall and CPU seconds of each and their ratio; for every
feature the two share, the relative difference of the values (median and worst
over the cases where both computed it). Paste the output into docs/benchmarks.md.

Both libraries run with one BLAS thread (autometa always does; see
``MetaFeatureExtractor``). Relative difference: ``|a - b| / max(|a|, |b|)``, zero
when both are below 1e-12 in magnitude or both NaN; a NaN on one side only is
counted apart. Agreement leaves out features computed on different rows:
autometa fits landmarking/model-based models on at most ``model_max_rows`` rows
(5,000 by default), pymfe on all.

Usage::

    python benchmarks/metafeatures.py                    # everything (about 10 minutes)
    python benchmarks/metafeatures.py --quick            # 1k x 20 and two PMLB datasets
    python benchmarks/metafeatures.py --data-dir PATH --no-pymfe
    python benchmarks/metafeatures.py --sweep            # autometa on every PMLB dataset
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from autometa.metafeatures import extract_metafeatures  # noqa: E402
from autometa.metafeatures._engine import _FEATURES  # noqa: E402

BASIC = ["general", "statistical", "info_theory"]
ALL = ["general", "statistical", "info_theory", "model_based", "landmarking"]
PMLB = ["heart_c", "car_evaluation", "monk1", "wine_quality_red", "GAMETES_Epistasis_2_Way_20atts_0.1H_EDM_1_1",
        "1027_ESL", "529_pollen"]
PYMFE_GROUP = {"general": "general", "statistical": "statistical", "info_theory": "info-theory",
               "model_based": "model-based", "landmarking": "landmarking"}


@dataclass
class Case:
    name: str
    X: pd.DataFrame | np.ndarray
    y: np.ndarray
    kind: str
    categorical: list[bool]
    groups: list[str]
    repeats: int = 1
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def shape(self) -> str:
        n, d = self.X.shape
        return f"{n:,} x {d}"


def synthetic(n: int, d: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Correlated normal and skewed columns; three classes from a noisy linear score."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(n, 5))
    X = latent @ rng.normal(size=(5, d)) + rng.normal(size=(n, d))
    X[:, ::4] = np.exp(X[:, ::4] / 3)  # some positive, skewed columns
    X[:, 1::7] = np.round(X[:, 1::7])  # some discrete ones
    score = latent[:, 0] + 0.5 * latent[:, 1] + rng.normal(scale=0.7, size=n)
    y = np.digitize(score, np.quantile(score, [0.3, 0.7]))
    return X, y


def load_pmlb(name: str, data_dir: Path) -> Case:
    from autometa.tasks import load_task

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        task = load_task(f"pmlb:{name}", data_dir=data_dir)
    return Case(f"pmlb:{name}", task.X, task.y.to_numpy(), task.kind, list(task.categorical), ALL)


def timed(fn: Callable[[], Any], repeats: int) -> tuple[Any, float, float]:
    best_wall, best_cpu, out = np.inf, np.inf, None
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        out = fn()
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return out, best_wall, best_cpu


def run_autometa(case: Case) -> None:
    supervised = case.kind != "regression"
    y = case.y if supervised else None  # regression: only target-free features are comparable
    X = case.X
    mf, wall, cpu = timed(lambda: extract_metafeatures(X, y, groups=case.groups, categorical=case.categorical,
                                                        kind=case.kind if supervised else None),
                          case.repeats)
    case.results["autometa"] = {"values": mf, "wall": wall, "cpu": cpu, "rows_models": mf.attrs["model_rows_used"]}


def run_pymfe(case: Case) -> None:
    from pymfe.mfe import MFE
    from threadpoolctl import threadpool_limits

    X = case.X.to_numpy(dtype=object if any(case.categorical) and not _numeric(case.X) else float) \
        if isinstance(case.X, pd.DataFrame) else case.X
    y = case.y if case.kind != "regression" else None
    cat_cols = [i for i, c in enumerate(case.categorical) if c]

    def extract() -> dict[str, float]:
        with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
            warnings.simplefilter("ignore")
            mfe = MFE(groups=[PYMFE_GROUP[g] for g in case.groups], random_state=0, suppress_warnings=True)
            mfe.fit(X, y, cat_cols=cat_cols, suppress_warnings=True)
            names, values = mfe.extract(suppress_warnings=True)
        return {n: float(v) if v is not None else np.nan for n, v in zip(names, values)}

    values, wall, cpu = timed(extract, 1)
    case.results["pymfe"] = {"values": values, "wall": wall, "cpu": cpu}


def _numeric(frame: pd.DataFrame) -> bool:
    return all(pd.api.types.is_numeric_dtype(t) for t in frame.dtypes)


def rel_diff(a: float, b: float) -> float:
    """Relative difference; NaN when either side is NaN (counted apart)."""
    if np.isnan(a) or np.isnan(b):
        return np.nan
    scale = max(abs(a), abs(b))
    return 0.0 if scale < 1e-12 else abs(a - b) / scale


def group_of(name: str) -> str:
    base = name.split(".")[0]
    return next(g for g, feats in _FEATURES.items() if base in feats)


def comparable(case: Case, name: str) -> bool:
    """Same definition and same rows on both sides."""
    group = group_of(name)
    if group in ("landmarking", "model_based") and case.results["autometa"]["rows_models"] < case.X.shape[0]:
        return False
    return True


def agreement(cases: list[Case]) -> pd.DataFrame:
    rows = []
    for case in cases:
        if "pymfe" not in case.results:
            continue
        ours, ref = case.results["autometa"]["values"], case.results["pymfe"]["values"]
        for name, value in ours.items():
            if name in ref and comparable(case, name):
                a, b = float(value), ref[name]
                rows.append({"case": case.name, "feature": name, "group": group_of(name), "rel": rel_diff(a, b),
                             "one_nan": bool(np.isnan(a) != np.isnan(b)), "both_nan": bool(np.isnan(a) and np.isnan(b))})
    return pd.DataFrame(rows)


def fmt_rel(v: float) -> str:
    if np.isnan(v):
        return "-"
    return "0" if v == 0 else f"{v:.1e}"


def print_speed(cases: list[Case]) -> None:
    print("\n### Speed\n")
    print("| data | groups | autometa wall s | autometa CPU s | pymfe wall s | pymfe CPU s | ratio (wall) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for case in cases:
        a = case.results["autometa"]
        p = case.results.get("pymfe")
        groups = "all" if case.groups == ALL else "+".join(case.groups)
        if case.kind == "regression":
            groups += " (no target)"
        models = {"model_based", "landmarking"} & set(case.groups)
        extra = "" if not models or a["rows_models"] >= case.X.shape[0] else f" (models on {a['rows_models']:,} rows)"
        pw = f"{p['wall']:.2f}" if p else "-"
        pc = f"{p['cpu']:.2f}" if p else "-"
        ratio = f"{p['wall'] / a['wall']:.0f}x" if p else "-"
        name = f"{case.name} ({case.shape})"
        print(f"| {name}{extra} | {groups} | {a['wall']:.3f} | {a['cpu']:.3f} | {pw} | {pc} | {ratio} |")


def print_agreement(table: pd.DataFrame) -> None:
    if table.empty:
        return
    print("\n### Agreement with pymfe by group (relative difference over shared features and cases)\n")
    print("| group | values compared | median | 90th percentile | worst | worst feature | NaN on one side "
          "| NaN on both |")
    print("|---|---:|---:|---:|---:|---|---:|---:|")
    for group in ALL:
        sub = table[table.group == group]
        if sub.empty:
            continue
        finite = sub.dropna(subset=["rel"])
        worst = finite.loc[finite.rel.idxmax()]
        print(f"| {group} | {len(finite)} | {fmt_rel(finite.rel.median())} | {fmt_rel(finite.rel.quantile(0.9))} "
              f"| {fmt_rel(worst.rel)} | {worst.feature} ({worst.case}) | {int(sub.one_nan.sum())} "
              f"| {int(sub.both_nan.sum())} |")
    print("\n### Agreement by feature (median and worst over the cases; features above 1e-6 first)\n")
    print("| feature | cases | median | worst | worst case | NaN on one side | NaN on both |")
    print("|---|---:|---:|---:|---|---:|---:|")
    per = table.groupby("feature").agg(cases=("rel", "size"), median=("rel", "median"), worst=("rel", "max"),
                                       nan=("one_nan", "sum"), both=("both_nan", "sum"))
    per["worst_case"] = [table.loc[table[table.feature == f].rel.idxmax(), "case"]
                         if table[table.feature == f].rel.notna().any() else "-" for f in per.index]
    per = per.sort_values(["worst", "nan"], ascending=False)
    for feature, r in per.iterrows():
        print(f"| {feature} | {r.cases} | {fmt_rel(r['median'])} | {fmt_rel(r.worst)} | {r.worst_case} "
              f"| {int(r.nan)} | {int(r.both)} |")


def sweep(data_dir: Path) -> None:
    """autometa, all groups, on every dataset of ``data_dir``: time, failures, NaN rates."""
    from autometa.tasks import TaskRegistry

    registry = TaskRegistry.from_data_dir(data_dir)
    names = list(registry.table()["name"])
    rows, values, failures = [], {}, {}
    for name in names:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            task = registry.get(name)
            try:
                (mf, wall, cpu) = timed(lambda task=task: extract_metafeatures(task), 1)
            except Exception as exc:  # noqa: BLE001 - a sweep reports every failure and goes on
                failures[name] = f"{type(exc).__name__}: {exc}"
                continue
        values[name] = mf
        rows.append({"dataset": name, "kind": task.kind, "rows": task.n_rows, "features": task.n_features,
                     "wall": wall, "cpu": cpu})
        print(f"  {name}: {wall:.2f} s", file=sys.stderr, flush=True)
    table = pd.DataFrame(rows)
    print(f"\n### Every PMLB dataset ({len(names)}), all groups, autometa only\n")
    print(f"{len(table)} extracted, {len(failures)} failed; wall seconds: total {table.wall.sum():.1f}, "
          f"median {table.wall.median():.2f}, max {table.wall.max():.2f}; CPU seconds total {table.cpu.sum():.1f}.\n")
    print("| slowest | kind | rows x features | wall s |")
    print("|---|---|---|---:|")
    for _, r in table.sort_values("wall", ascending=False).head(5).iterrows():
        print(f"| {r.dataset} | {r.kind} | {r.rows:,} x {r.features} | {r.wall:.2f} |")
    for name, reason in failures.items():
        print(f"- failed: {name}: {reason}")
    for kind in ("binary", "multiclass", "regression"):
        frame = pd.DataFrame({n: v for n, v in values.items() if v.attrs["kind"] == kind}).T
        if frame.empty:
            continue
        rate = frame.isna().mean().sort_values(ascending=False)
        often = ", ".join(f"{n} {r:.0%}" for n, r in rate[rate > 0].head(12).items()) or "none"
        print(f"\n{kind} ({len(frame)} datasets, {frame.shape[1]} meta-features): NaN most often: {often}.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=os.environ.get("AUTOMETA_DATA_DIR") or str(REPO.parent / "shared" /
                                                                                       "data" / "pmlb"),
                        help="PMLB folder (default: $AUTOMETA_DATA_DIR, else ../shared/data/pmlb)")
    parser.add_argument("--no-pymfe", action="store_true", help="autometa only")
    parser.add_argument("--quick", action="store_true", help="1k x 20 and two PMLB datasets only")
    parser.add_argument("--datasets", nargs="*", default=None, help=f"PMLB datasets (default: {' '.join(PMLB)})")
    parser.add_argument("--sweep", action="store_true", help="autometa only, all groups, every PMLB dataset")
    args = parser.parse_args(argv)
    if args.sweep:
        print(f"Command: `{' '.join(shlex.quote(a) for a in ['python', 'benchmarks/metafeatures.py', *sys.argv[1:]])}`")
        sweep(Path(args.data_dir))
        return 0

    print("## Meta-features: autometa vs pymfe\n")
    print(f"Command: `{' '.join(shlex.quote(a) for a in ['python', 'benchmarks/metafeatures.py', *sys.argv[1:]])}`  ")
    versions = {m: _version(m) for m in ("numpy", "scipy", "scikit-learn", "pandas", "pymfe")}
    print(f"Python {platform.python_version()}, {', '.join(f'{k} {v}' for k, v in versions.items())}; "
          f"{os.cpu_count()} CPUs, load average at start {os.getloadavg()[0]:.1f}.")

    X1, y1 = synthetic(1_000, 20, 1)
    cases = [Case("synthetic", X1, y1, "multiclass", [False] * 20, ALL, repeats=3)]
    if not args.quick:
        X2, y2 = synthetic(20_000, 50, 2)
        X3, y3 = synthetic(100_000, 50, 3)
        cases += [Case("synthetic", X2, y2, "multiclass", [False] * 50, BASIC, repeats=3),
                  Case("synthetic", X2, y2, "multiclass", [False] * 50, ALL, repeats=1),
                  Case("synthetic", X3, y3, "multiclass", [False] * 50, BASIC, repeats=3)]
    names = args.datasets if args.datasets is not None else (PMLB[:2] if args.quick else PMLB)
    data_dir = Path(args.data_dir)
    for name in names:
        if (data_dir / name).exists():
            cases.append(load_pmlb(name, data_dir))
        else:
            print(f"(skipped pmlb:{name}: not in {data_dir})")

    use_pymfe = not args.no_pymfe
    if use_pymfe:
        try:
            import pymfe  # noqa: F401
        except ImportError:
            print("(pymfe is not installed: pip install 'autometa[bench]'; autometa only)")
            use_pymfe = False
    for case in cases:
        run_autometa(case)
        if use_pymfe:
            run_pymfe(case)
        a, p = case.results["autometa"], case.results.get("pymfe")
        print(f"  done {case.name} {case.shape} {'+'.join(case.groups)}: autometa {a['wall']:.2f} s"
              + (f", pymfe {p['wall']:.2f} s" if p else ""), file=sys.stderr, flush=True)

    print_speed(cases)
    print_agreement(agreement(cases))
    print(f"\nLoad average at the end: {os.getloadavg()[0]:.1f}. Regression datasets are compared without the "
          "target (pymfe treats any target as classes).")
    return 0


def _version(module: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(module)
    except metadata.PackageNotFoundError:
        return "not installed"


if __name__ == "__main__":
    raise SystemExit(main())
