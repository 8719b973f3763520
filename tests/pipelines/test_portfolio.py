"""The fixed portfolio: size, ids, stability, JSON."""

from __future__ import annotations

import hashlib
import json
import re

import numpy as np
import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

from autometa.pipelines import FAMILIES, get_configuration, get_family, portfolio
from autometa.pipelines.portfolio import MAX_SECONDS, N_SOBOL, sample_to_params

# Pinned once from the generated portfolio. If a change to a space, the seed or the
# mapping alters them, every knowledge base built on the old portfolio is stale:
# change them on purpose only, together with a rebuild of metadata/.
PINNED_SIZE = 203
PINNED_SHA256 = "45eeea51b09b3d0e930556854df408e178522cb75bb32cfa5610c88bda865edc"
PINNED = {
    "lightgbm-000": {
        "colsample_bytree": 1.0,
        "learning_rate": 0.1,
        "min_child_samples": 20,
        "n_estimators": 100,
        "num_leaves": 31,
        "reg_alpha": 1e-08,
        "reg_lambda": 1e-08,
        "subsample": 1.0,
    },
    "lightgbm-001": {
        "colsample_bytree": 0.319,
        "learning_rate": 0.03023,
        "min_child_samples": 5,
        "n_estimators": 58,
        "num_leaves": 82,
        "reg_alpha": 0.003083,
        "reg_lambda": 4.235e-07,
        "subsample": 0.6235,
    },
    "random_forest-001": {
        "bootstrap": True,
        "max_features": 1.0,
        "min_samples_leaf": 1,
        "min_samples_split": 2,
        "n_estimators": 100,
    },
    "random_forest-025": {
        "bootstrap": False,
        "max_features": 0.5,
        "min_samples_leaf": 18,
        "min_samples_split": 30,
        "n_estimators": 24,
    },
    "svm-013": {"C": 113.1, "gamma_scale": 0.5898},
    "mlp-024": {
        "alpha": 3.829e-05,
        "hidden_layer_size": 36,
        "learning_rate_init": 0.0004656,
        "n_layers": 2,
    },
    "knn-007": {"n_neighbors": 3, "p": 1, "weights": "uniform"},
    "linear-025": {"C": 0.0003251},
}


def _digest(df) -> str:  # noqa: ANN001
    text = "\n".join(f"{r.config_id}\t{r.family}\t{r.origin}\t{r.params}" for r in df.itertuples())
    return hashlib.sha256(text.encode()).hexdigest()


def test_portfolio_is_large_and_covers_every_family() -> None:
    df = portfolio()
    assert list(df.columns) == ["config_id", "family", "params", "origin"]
    assert len(df) >= 200
    counts = df["family"].value_counts()
    assert set(counts.index) == set(FAMILIES)
    assert (counts >= 25).all()
    assert set(df["origin"]) == {"default", "sobol"}
    assert (df.groupby("family")["origin"].apply(lambda s: (s == "sobol").sum()) == N_SOBOL).all()


def test_ids_are_unique_and_numbered_per_family() -> None:
    df = portfolio()
    assert df["config_id"].is_unique
    for family, group in df.groupby("family", sort=False):
        expected = [f"{family}-{i:03d}" for i in range(len(group))]
        assert group["config_id"].tolist() == expected
        assert group["origin"].iloc[0] == "default"
        first_sobol = group["origin"].tolist().index("sobol")
        assert (group["origin"].iloc[:first_sobol] == "default").all()
        assert (group["origin"].iloc[first_sobol:] == "sobol").all()
    assert all(re.fullmatch(r"[a-z_]+-\d{3}", cid) for cid in df["config_id"])


def test_defaults_are_the_families_defaults() -> None:
    for name, family in FAMILIES.items():
        assert get_configuration(f"{name}-000") == (name, family.defaults("binary"))
        defaults = portfolio(name).query("origin == 'default'")["params"].map(json.loads).tolist()
        assert family.defaults("regression") in defaults


def test_params_are_sorted_json_that_round_trips_into_the_space() -> None:
    for row in portfolio().itertuples():
        params = json.loads(row.params)
        assert json.dumps(params, sort_keys=True) == row.params
        assert list(params) == sorted(params)
        assert FAMILIES[row.family].contains(params), row.config_id
        assert get_configuration(row.config_id) == (row.family, params)


def test_portfolio_is_stable() -> None:
    df = portfolio()
    assert len(df) == PINNED_SIZE
    for config_id, params in PINNED.items():
        assert get_configuration(config_id)[1] == params
    assert _digest(df) == PINNED_SHA256


def test_portfolio_returns_a_fresh_frame() -> None:
    df = portfolio()
    df.loc[0, "params"] = "{}"
    assert portfolio().loc[0, "params"] != "{}"


def test_family_filter_and_unknown_names() -> None:
    assert set(portfolio("knn")["family"]) == {"knn"}
    with pytest.raises(ValueError, match="Unknown pipeline family"):
        portfolio("xgboost")
    with pytest.raises(ValueError, match="Unknown configuration id"):
        get_configuration("lightgbm-999")


def test_sobol_samples_are_spread_over_each_dimension() -> None:
    for name, family in FAMILIES.items():
        space = family.space("binary")
        sobol = portfolio(name).query("origin == 'sobol'")["params"].map(json.loads).tolist()
        for param, dist in space.items():
            values = [cfg[param] for cfg in sobol]
            if isinstance(dist, CategoricalDistribution):
                # the cost budget may exclude a costly choice (all features in a big forest)
                assert len(set(values)) >= len(dist.choices) - 1, (name, param)
            elif isinstance(dist, IntDistribution) and dist.high - dist.low < 8:
                assert set(values) == set(range(dist.low, dist.high + 1)), (name, param)
            else:
                lo, hi = dist.low, dist.high
                if dist.log:
                    lo, hi, values = np.log(lo), np.log(hi), np.log(values)
                span = hi - lo
                # space-filling points leave no gap wider than 40% of the range (the cost
                # budget thins out the top of the costly dimensions)
                edges = np.sort(np.concatenate([[lo, hi], values]))
                assert np.diff(edges).max() < 0.4 * span, (name, param)


def test_sample_to_params_maps_the_unit_cube_onto_the_space() -> None:
    space = {
        "a": FloatDistribution(1e-3, 1.0, log=True),
        "b": IntDistribution(2, 9),
        "c": IntDistribution(1, 100, log=True),
        "d": CategoricalDistribution(("x", "y", "z")),
        "e": FloatDistribution(0.0, 1.0, step=0.25),
    }
    low = sample_to_params(np.zeros(5), space)
    assert low == {"a": 1e-3, "b": 2, "c": 1, "d": "x", "e": 0.0}
    high = sample_to_params(np.full(5, 1 - 1e-12), space)
    assert high == {"a": 1.0, "b": 9, "c": 100, "d": "z", "e": 1.0}
    mid = sample_to_params(np.full(5, 0.5), space)
    assert mid["a"] == pytest.approx(10**-1.5, rel=1e-3)
    assert mid["d"] == "y"


def test_every_family_space_maps_to_valid_configurations() -> None:
    rng = np.random.default_rng(0)
    for family in FAMILIES.values():
        space = family.space("binary")
        for u in rng.random((50, len(space))):
            assert family.contains(sample_to_params(u, space))


def test_sobol_samples_are_within_the_cost_budget() -> None:
    df = portfolio().query("origin == 'sobol'")
    for row in df.itertuples():
        assert FAMILIES[row.family].estimated_cost(json.loads(row.params)) <= MAX_SECONDS


def test_get_family_is_the_registry() -> None:
    assert get_family("svm") is FAMILIES["svm"]
