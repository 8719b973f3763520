"""The public API of autometa.pipelines, parameter aliases and user-name mapping."""

from __future__ import annotations

import numpy as np
import optuna
import pandas as pd
import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

import autometa.pipelines as pipelines
from autometa.pipelines import (
    FAMILIES,
    PipelineFamily,
    canonical_param,
    get_configuration,
    get_family,
)
from autometa.pipelines._preprocessing import infer_categorical


def test_public_api() -> None:
    assert set(pipelines.__all__) >= {
        "PipelineFamily",
        "FAMILIES",
        "get_family",
        "portfolio",
        "get_configuration",
        "canonical_param",
    }
    for name in pipelines.__all__:
        assert hasattr(pipelines, name)
    assert all(isinstance(f, PipelineFamily) for f in FAMILIES.values())
    assert len(FAMILIES) >= 8


def test_unknown_family() -> None:
    with pytest.raises(ValueError, match="Unknown pipeline family 'xgb'"):
        get_family("xgb")
    with pytest.raises(ValueError):
        canonical_param("xgb", "eta")


@pytest.mark.parametrize(
    ("family", "user", "canonical"),
    [
        ("lightgbm", "num_leaves", "num_leaves"),
        ("lightgbm", "eta", "learning_rate"),
        ("lightgbm", "num_boost_round", "n_estimators"),
        ("lightgbm", "num_iterations", "n_estimators"),
        ("lightgbm", "min_data_in_leaf", "min_child_samples"),
        ("lightgbm", "bagging_fraction", "subsample"),
        ("lightgbm", "feature_fraction", "colsample_bytree"),
        ("lightgbm", "lambda_l1", "reg_alpha"),
        ("lightgbm", "lambda_l2", "reg_lambda"),
        ("lightgbm", "max_depth", "max_depth"),
        ("lightgbm", "min_split_gain", "min_split_gain"),
        ("lightgbm", "lgbm_eta", "learning_rate"),
        ("lightgbm", "lightgbm_num_leaves", "num_leaves"),
        ("lightgbm", "classifier__Learning-Rate", "learning_rate"),
        ("hist_gradient_boosting", "n_estimators", "max_iter"),
        ("hist_gradient_boosting", "num_leaves", "max_leaf_nodes"),
        ("random_forest", "max_features", "max_features"),
        ("extra_trees", "n_estimators", "n_estimators"),
        ("linear", "C", "C"),
        ("linear", "alpha", "C"),
        ("svm", "C", "C"),
        ("svm", "gamma", "gamma_scale"),
        ("svm", "svc__C", "C"),
        ("knn", "n_neighbors", "n_neighbors"),
        ("knn", "k", "n_neighbors"),
        ("mlp", "hidden_layer_sizes", "hidden_layer_size"),
        ("mlp", "alpha", "alpha"),
        ("mlp", "max_iter", "max_iter"),
        ("mlp", "lr", "learning_rate_init"),
    ],
)
def test_canonical_param(family: str, user: str, canonical: str) -> None:
    assert canonical_param(family, user) == canonical


def test_unknown_names_are_none() -> None:
    assert canonical_param("lightgbm", "n_neighbors") is None
    assert canonical_param("knn", "eta") is None


def test_to_user_params_clips_rounds_and_skips() -> None:
    fam = get_family("lightgbm")
    params = get_configuration("lightgbm-000")[1]
    user_space = {
        "eta": FloatDistribution(0.2, 0.5, log=True),  # 0.1 clipped up
        "num_leaves": IntDistribution(8, 64, step=8),  # 31 snapped to 32
        "lambda_l1": FloatDistribution(0.0, 1.0),
        "boosting": CategoricalDistribution(["gbdt", "dart"]),  # not ours
        "min_data_in_leaf": CategoricalDistribution([5, 10]),  # 20 not a choice
    }
    user = fam.to_user_params(params, user_space)
    assert user == {"eta": 0.2, "num_leaves": 32, "lambda_l1": pytest.approx(1e-8)}
    for name, value in user.items():
        assert user_space[name]._contains(user_space[name].to_internal_repr(value))


def test_to_user_params_can_be_enqueued() -> None:
    fam = get_family("knn")

    def objective(trial: optuna.Trial) -> float:
        trial.suggest_int("K", 1, 30)
        trial.suggest_categorical("weights", ["uniform", "distance"])
        return 0.0

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(objective, n_trials=1)
    user = fam.to_user_params(get_configuration("knn-000")[1], study.best_trial.distributions)
    study.enqueue_trial(user)
    study.optimize(objective, n_trials=1)
    assert study.trials[-1].params == {"K": 5, "weights": "uniform"}


def test_linear_alpha_converts_both_ways() -> None:
    fam = get_family("linear")
    assert fam.to_user_params({"C": 0.5}, ["alpha", "C"]) == {"alpha": 1.0, "C": 0.5}
    assert fam.from_user_params({"ridge__alpha": 2.0}) == {"C": 0.25}
    pipe = fam.build({"C": 0.25}, "regression")
    assert pipe[-1].alpha == 2.0


def test_svm_gamma_needs_the_data() -> None:
    fam = get_family("svm")
    params = {"C": 1.0, "gamma_scale": 2.0}
    assert fam.to_user_params(params, ["C", "gamma"]) == {"C": 1.0}
    X = pd.DataFrame({"a": np.arange(10.0), "b": np.arange(10.0) ** 2})
    gamma = fam.to_user_params(params, ["gamma"], X=X)["gamma"]
    assert gamma == pytest.approx(2.0 / 2)  # standardised: var 1, two features
    assert fam.from_user_params({"gamma": 0.1, "C": 3.0}) == {"C": 3.0}


def test_svm_gamma_scale_matches_sklearn_scale() -> None:
    from sklearn.svm import SVC

    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 4))
    y = (X[:, 0] + X[:, 1] ** 2 > 1).astype(int)
    ours = get_family("svm").build({"C": 1.0, "gamma_scale": 1.0}, "binary").fit(X, y)
    Z = ours[:-2].transform(X)
    ref = SVC(gamma="scale").fit(Z, y)
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(Z), rtol=1e-6)


def test_mlp_hidden_layer_sizes_convert_both_ways() -> None:
    fam = get_family("mlp")
    params = {"hidden_layer_size": 32, "n_layers": 2, "alpha": 1e-3, "learning_rate_init": 1e-3}
    assert fam.to_user_params(params, ["hidden_layer_sizes"]) == {"hidden_layer_sizes": (32, 32)}
    assert fam.from_user_params({"hidden_layer_sizes": "64-64-64"}) == {
        "hidden_layer_size": 64,
        "n_layers": 3,
    }
    assert fam.from_user_params({"hidden_layer_sizes": 50}) == {
        "hidden_layer_size": 50,
        "n_layers": 1,
    }


def test_infer_categorical() -> None:
    X = pd.DataFrame(
        {
            "f": [1.0, np.nan],
            "i": pd.array([1, None], dtype="Int64"),
            "s": pd.Series(["a", None], dtype="str"),
            "o": ["a", None],
            "c": pd.Categorical(["x", "y"]),
            "b": [True, False],
        }
    )
    assert infer_categorical(X) == [False, False, True, True, True, True]
    assert infer_categorical(np.zeros((2, 3))) == [False] * 3
    assert infer_categorical(np.array([[1, "a"], ["2.5", None]], dtype=object)) == [False, True]


def test_nullable_integer_columns_are_numeric() -> None:
    X = pd.DataFrame({"i": pd.array([1, None, 3, 4] * 5, dtype="Int64"), "f": np.arange(20.0)})
    y = np.arange(20.0)
    for name in ("lightgbm", "linear", "knn"):
        pipe = get_family(name).build({}, "regression").fit(X, y)
        assert pipe.predict(X).shape == (20,)
