"""Expected fit seconds of the recommendations against measured ones, on data larger than the base's.

The knowledge base records fit times on at most a few hundred training rows; a
recommendation's ``expected_fit_seconds`` (and ``rank(time_budget=...)``, which
filters on it) extrapolate them to the task's size. This fits each family's
default configuration on ``make_classification`` / ``make_regression`` data of
growing size and prints the expected and measured seconds and their ratio, for
the model with the families' growth curves and for the rule it replaced (at least
linear growth beyond the recorded sizes).

    python benchmarks/fit_time_model.py [--rows 1000 4000 16000] [--kind binary]
    python benchmarks/fit_time_model.py --configs lightgbm-010 svm-010 ...  # other configurations

The default configurations' measured times at 1,000-64,000 rows are the growth
curves of ``autometa.metalearn._data.LARGE_DATA_GROWTH``; check other
configurations (``--configs``) for an out-of-sample figure.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np
from sklearn.datasets import make_classification, make_regression

from autometa.knowledge import KnowledgeBase
from autometa.metalearn import AverageRank
from autometa.pipelines import get_family


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, nargs="+", default=[1000, 4000, 16000])
    ap.add_argument("--features", type=int, default=20)
    ap.add_argument("--kind", choices=["binary", "regression"], default="binary")
    ap.add_argument("--families", nargs="+", default=None)
    ap.add_argument("--configs", nargs="+", default=None, help="configuration ids (default: the defaults)")
    args = ap.parse_args(argv)
    kb = KnowledgeBase.load()
    learner = AverageRank().fit(kb)
    data = learner.data_["regression" if args.kind == "regression" else "classification"]
    configs = kb.configurations.loc[list(data.config_ids)]
    defaults = configs.loc[args.configs] if args.configs else configs[configs["origin"] == "default"]
    import copy

    linear_rule = copy.copy(data.fit_time)
    linear_rule.families = None  # the rule before the growth curves
    families = args.families or list(dict.fromkeys(defaults["family"]))
    print(f"knowledge base: {len(kb.datasets)} datasets; recorded fit times up to "
          f"{data.fit_time.max_rows:.0f} training rows")
    print(f"{'configuration':<28}{'rows':>8}{'measured s':>12}{'expected s':>12}{'ratio':>8}"
          f"{'linear rule s':>15}{'ratio':>8}")
    ratios, old_ratios = [], []
    for n in args.rows:
        if args.kind == "regression":
            X, y = make_regression(n_samples=n, n_features=args.features, noise=10.0, random_state=0)
        else:
            X, y = make_classification(n_samples=n, n_features=args.features, random_state=0)
        expected = data.fit_time.predict(n, args.features)
        old = linear_rule.predict(n, args.features)
        for config_id, row in defaults.iterrows():
            if row["family"] not in families:
                continue
            j = list(data.config_ids).index(config_id)
            params = learner.params_[j]
            model = get_family(row["family"]).build(params, args.kind, random_state=0)
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(X, y)
            took = time.perf_counter() - start
            ratios.append(expected[j] / took)
            old_ratios.append(old[j] / took)
            print(f"{config_id:<28}{n:>8}{took:>12.3f}{expected[j]:>12.3f}{expected[j] / took:>8.2f}"
                  f"{old[j]:>15.3f}{old[j] / took:>8.2f}")
    for name, values in (("growth curves", ratios), ("linear rule", old_ratios)):
        r = np.asarray(values)
        spread = np.exp(np.median(np.abs(np.log(r))))
        print(f"{name}: expected / measured median {np.median(r):.2f}, range {r.min():.2f}-{r.max():.2f}, "
              f"median factor off {spread:.2f}; within 3x either way: "
              f"{int(((r >= 1 / 3) & (r <= 3)).sum())} of {len(r)}")
    print("command: python benchmarks/fit_time_model.py " + " ".join(sys.argv[1:]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
