"""Time every portfolio configuration (fit + predict) on 1,300 x 50 synthetic tables.

Single-threaded (every estimator has n_jobs=1; set OMP_NUM_THREADS=1 to pin BLAS and
OpenMP too). Prints median / p95 / max seconds per family and kind, the slowest
configurations, and the total.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/portfolio_cost.py
    python benchmarks/portfolio_cost.py --family svm --rows 1300 --features 50
"""

from __future__ import annotations

import argparse
import json
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.datasets import make_classification, make_regression

from autometa.pipelines import get_family, portfolio


def make_tables(
    rows: int, features: int, seed: int = 0
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """A binary classification and a regression table, ``rows`` x ``features``."""
    Xc, yc = make_classification(
        n_samples=rows, n_features=features, n_informative=min(10, features // 2), random_state=seed
    )
    Xr, yr = make_regression(
        n_samples=rows,
        n_features=features,
        n_informative=min(10, features // 2),
        noise=10.0,
        random_state=seed,
    )
    return {"binary": (Xc, yc), "regression": (Xr, yr)}


def time_configuration(
    family: str, params: dict, kind: str, X: np.ndarray, y: np.ndarray
) -> tuple[float, float]:
    """Wall-clock and CPU seconds to build, fit and predict once.

    CPU time is what a fit costs on a shared, busy machine (wall time grows with the
    load of other processes); on an idle core the two agree.
    """
    fam = get_family(family)
    start, cpu_start = time.perf_counter(), time.process_time()
    pipe = fam.build(params, kind)
    pipe.fit(X, y)
    pipe.predict(X)
    if kind != "regression":
        model = pipe
        if hasattr(model, "predict_proba") and family != "svm":
            model.predict_proba(X)
        else:
            model.decision_function(X)
    return time.perf_counter() - start, time.process_time() - cpu_start


def _stats(seconds: pd.Series) -> pd.Series:
    return pd.Series(
        {
            "n": len(seconds),
            "median": seconds.median(),
            "p95": seconds.quantile(0.95),
            "max": seconds.max(),
            "sum": seconds.sum(),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1300)
    parser.add_argument("--features", type=int, default=50)
    parser.add_argument("--family", default=None, help="only this family")
    parser.add_argument("--slowest", type=int, default=10, help="list the N slowest fits")
    parser.add_argument("--verbose", action="store_true", help="print each configuration")
    args = parser.parse_args()

    tables = make_tables(args.rows, args.features)
    configs = portfolio(args.family)
    rows = []
    total_start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence warnings of capped SVM / MLP fits
        for cfg in configs.itertuples(index=False):
            params = json.loads(cfg.params)
            for kind, (X, y) in tables.items():
                wall, cpu = time_configuration(cfg.family, params, kind, X, y)
                rows.append(
                    {
                        "config_id": cfg.config_id,
                        "family": cfg.family,
                        "kind": kind,
                        "wall": wall,
                        "cpu": cpu,
                    }
                )
                if args.verbose:
                    print(
                        f"{cfg.config_id:28s} {kind:10s} wall {wall:6.3f} cpu {cpu:6.3f}",
                        flush=True,
                    )
    total = time.perf_counter() - total_start
    df = pd.DataFrame(rows)
    pd.set_option("display.width", 140)
    print(
        f"{len(configs)} configurations x {len(tables)} kinds on {args.rows} x {args.features}"
        " (build + fit + predict, seconds; one thread)"
    )
    for clock in ("cpu", "wall"):
        print(f"\n{clock} seconds by family and kind")
        print(df.groupby(["family", "kind"])[clock].apply(_stats).unstack().round(3).to_string())
        print(f"\n{clock} seconds by family")
        print(df.groupby("family")[clock].apply(_stats).unstack().round(3).to_string())
    print(f"\nslowest {args.slowest} (by cpu):")
    print(df.nlargest(args.slowest, "cpu").round(3).to_string(index=False))
    print()
    for clock in ("cpu", "wall"):
        s = df[clock]
        print(
            f"all fits ({clock}): median {s.median():.3f} s, p95 {s.quantile(0.95):.3f} s, "
            f"max {s.max():.3f} s, sum {s.sum():.1f} s"
        )
    print(f"benchmark wall time {total:.1f} s; load average at the end {_loadavg()}")


def _loadavg() -> str:
    try:
        import os

        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not on every platform
        return "n/a"


if __name__ == "__main__":
    main()
