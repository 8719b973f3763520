"""Every pipeline family against one conformance suite.

A new family gets every check by subclassing :class:`PipelineFamilyConformance` and
overriding the ``family`` fixture (see the classes at the bottom).
"""

from __future__ import annotations

import json
import pickle

import numpy as np
import optuna
import pandas as pd
import pytest
from optuna.distributions import CategoricalDistribution
from sklearn.base import clone

from autometa.pipelines import FAMILIES, KINDS, PipelineFamily, canonical_param, portfolio

N_ROWS = 60


def make_table(n: int = N_ROWS, seed: int = 0) -> pd.DataFrame:
    """Numeric columns with NaN; categoricals as object str, str dtype, category, bool."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "num": rng.normal(size=n),
            "int": rng.integers(0, 10, n),
            "obj": pd.Series(rng.choice(["a", "b", "c"], n), dtype=object),
            "str": pd.Series(rng.choice(["u", "v"], n), dtype="str"),
            "cat": pd.Categorical(rng.choice(["p", "q", "r"], n)),
            "flag": rng.choice([True, False], n),
        }
    )
    X.loc[::7, "num"] = np.nan
    X.loc[::5, "obj"] = None
    X.loc[::6, "str"] = None
    X.loc[::4, "cat"] = np.nan
    return X


def make_target(kind: str, X: pd.DataFrame, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    signal = np.nan_to_num(X["num"].to_numpy(dtype=float)) + (X["obj"] == "a").to_numpy()
    if kind == "regression":
        return signal + 0.1 * rng.normal(size=len(X))
    if kind == "binary":
        return np.where(signal > np.median(signal), "yes", "no")
    return np.digitize(signal, np.quantile(signal, [1 / 3, 2 / 3]))


def _distribution_contains(dist: optuna.distributions.BaseDistribution, value: object) -> bool:
    if isinstance(dist, CategoricalDistribution):
        return value in dist.choices
    return dist._contains(dist.to_internal_repr(value))


def _scores(pipe, X):  # noqa: ANN001, ANN202 - test helper
    model = pipe[-1]
    if hasattr(model, "predict_proba") and not type(model).__name__.startswith("SVC"):
        return pipe.predict_proba(X)
    return pipe.decision_function(X)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
class PipelineFamilyConformance:
    """The checks every :class:`PipelineFamily` passes. Override the ``family`` fixture.

    ``fast_params`` overrides the defaults in the fitting tests to keep them quick
    (fewer trees, fewer epochs); the defaults themselves are checked for validity.
    """

    fast_params: dict[str, object] = {}

    def params(self, family: PipelineFamily, kind: str) -> dict[str, object]:
        return {**family.defaults(kind), **self.fast_params}

    @pytest.fixture
    def family(self) -> PipelineFamily:
        raise NotImplementedError("override the 'family' fixture")

    @pytest.fixture(params=KINDS)
    def kind(self, request: pytest.FixtureRequest) -> str:
        return request.param

    # ----------------------------------------------------------------- space
    def test_is_registered(self, family: PipelineFamily) -> None:
        assert FAMILIES[family.name] is family

    def test_space_is_the_same_for_every_kind(self, family: PipelineFamily) -> None:
        spaces = [family.space(kind) for kind in KINDS]
        assert spaces[0] and all(space == spaces[0] for space in spaces)

    def test_defaults_are_in_the_space(self, family: PipelineFamily, kind: str) -> None:
        defaults = family.defaults(kind)
        assert set(defaults) == set(family.space(kind))
        assert family.contains(defaults, kind)

    def test_suggest_samples_the_space(self, family: PipelineFamily, kind: str) -> None:
        space = family.space(kind)
        prefix = f"{family.name}__"
        study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
        for _ in range(8):
            trial = study.ask()
            params = family.suggest(trial, kind, prefix=prefix)
            assert set(params) == set(space)
            assert set(trial.params) == {prefix + name for name in space}
            for name, dist in space.items():
                assert trial.distributions[prefix + name] == dist
                assert _distribution_contains(dist, params[name]), (name, params[name])
                assert trial.params[prefix + name] == params[name]
            assert family.contains(params, kind)
            study.tell(trial, 0.0)

    def test_suggest_agrees_with_fixed_trial(self, family: PipelineFamily) -> None:
        defaults = family.defaults("binary")
        trial = optuna.trial.FixedTrial(defaults)
        assert family.suggest(trial, "binary") == defaults

    def test_unknown_kind_and_parameter_are_refused(self, family: PipelineFamily) -> None:
        with pytest.raises(ValueError, match="kind"):
            family.space("ranking")
        with pytest.raises(ValueError, match="not_a_parameter"):
            family.build({"not_a_parameter": 1}, "binary")

    # ----------------------------------------------------------------- build
    def test_fits_a_table_with_categoricals_and_missing_values(
        self, family: PipelineFamily, kind: str
    ) -> None:
        X = make_table()
        y = make_target(kind, X)
        pipe = family.build(self.params(family, kind), kind).fit(X, y)
        pred = pipe.predict(X)
        assert pred.shape == (len(X),)
        if kind == "regression":
            assert np.isfinite(pred).all()
            return
        assert set(pred) <= set(y)
        scores = _scores(pipe, X)
        assert np.isfinite(scores).all()
        if kind == "multiclass":
            assert scores.shape == (len(X), 3)
        if hasattr(pipe[-1], "predict_proba") and scores.ndim == 2:
            np.testing.assert_allclose(scores.sum(axis=1), 1.0, rtol=1e-6)

    def test_unseen_categories_and_all_missing_rows_predict(
        self, family: PipelineFamily, kind: str
    ) -> None:
        X = make_table()
        pipe = family.build(self.params(family, kind), kind).fit(X, make_target(kind, X))
        new = make_table(4, seed=1)
        new["obj"] = pd.Series(["zzz", None, "a", "b"], dtype=object)
        new.loc[1, ["num", "str", "cat"]] = [np.nan, None, np.nan]
        assert pipe.predict(new).shape == (4,)

    def test_fits_numpy_arrays(self, family: PipelineFamily, kind: str) -> None:
        X = make_table()
        y = make_target(kind, X)
        numeric = X[["num", "int"]].to_numpy(dtype=float)
        pipe = family.build(self.params(family, kind), kind).fit(numeric, y)
        assert pipe.predict(numeric).shape == (len(X),)
        mixed = X.to_numpy(dtype=object)
        mask = [False, False, True, True, True, True]
        pipe = family.build(self.params(family, kind), kind, categorical=mask).fit(mixed, y)
        assert pipe.predict(mixed).shape == (len(X),)

    def test_fits_tiny_data_with_a_singleton_class(self, family: PipelineFamily) -> None:
        # the training folds of small multiclass datasets: a class with one row
        X = make_table(12)
        y = np.array([0, 1, 2] * 3 + [0, 1, 3])
        pipe = family.build(self.params(family, "multiclass"), "multiclass").fit(X, y)
        assert set(pipe.predict(X)) <= set(y)
        assert np.isfinite(_scores(pipe, X)).all()

    def test_fits_all_categorical_and_empty_columns(
        self, family: PipelineFamily, kind: str
    ) -> None:
        X = make_table()
        y = make_target(kind, X)
        categorical = X[["obj", "str", "cat", "flag"]]
        pipe = family.build(self.params(family, kind), kind).fit(categorical, y)
        assert pipe.predict(categorical).shape == (len(X),)
        X["empty"] = np.nan
        X["empty_cat"] = pd.Series([None] * len(X), dtype=object)
        X["constant"] = 1.0
        pipe = family.build(self.params(family, kind), kind).fit(X, y)
        assert pipe.predict(X).shape == (len(X),)

    def test_categorical_mask_of_wrong_length_is_refused(self, family: PipelineFamily) -> None:
        X = make_table()
        pipe = family.build(family.defaults("binary"), "binary", categorical=[True])
        with pytest.raises(ValueError, match="mask"):
            pipe.fit(X, make_target("binary", X))

    def test_pipelines_clone_and_pickle(self, family: PipelineFamily) -> None:
        X = make_table()
        y = make_target("regression", X)
        pipe = family.build(self.params(family, "regression"), "regression")
        fitted = clone(pipe).fit(X, y)
        again = pickle.loads(pickle.dumps(fitted))
        np.testing.assert_allclose(again.predict(X), fitted.predict(X))

    def test_fits_are_reproducible(self, family: PipelineFamily) -> None:
        X = make_table()
        y = make_target("binary", X)
        config = json.loads(portfolio(family.name)["params"].iloc[-1])
        config.update(self.fast_params)
        a = family.build(config, "binary", random_state=3).fit(X, y)
        b = family.build(config, "binary", random_state=3).fit(X, y)
        np.testing.assert_allclose(_scores(a, X), _scores(b, X))

    def test_every_portfolio_configuration_builds_for_every_kind(
        self, family: PipelineFamily
    ) -> None:
        for params in portfolio(family.name)["params"]:
            config = json.loads(params)
            assert family.contains(config)
            for kind in KINDS:
                family.build(config, kind)

    # --------------------------------------------------------------- aliases
    def test_aliases_resolve_to_known_parameters(self, family: PipelineFamily) -> None:
        known = set(family.space("binary")) | family.extra_params
        for alias, canonical in family.aliases.items():
            assert canonical in known, (alias, canonical)
            assert canonical_param(family.name, alias) == canonical
            assert canonical_param(family.name, alias.upper()) == canonical
            assert canonical_param(family.name, f"model__{alias}") == canonical
        for alias, transform in family.alias_transforms.items():
            assert transform.canonical in known
            assert canonical_param(family.name, alias) == transform.canonical
        for name in known:
            assert canonical_param(family.name, name) == name
        assert canonical_param(family.name, "surely_not_a_parameter") is None

    def test_configuration_round_trips_through_user_names(self, family: PipelineFamily) -> None:
        config = json.loads(portfolio(family.name)["params"].iloc[2])
        space = family.space("binary")
        user = family.to_user_params(config, {f"{family.name}_{k}": d for k, d in space.items()})
        assert set(user) == {f"{family.name}_{k}" for k in space}
        assert family.from_user_params(user) == config


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_every_registered_family_has_a_conformance_class(name: str) -> None:
    covered = {cls.family_name for cls in RegisteredFamily.__subclasses__()}
    assert name in covered


class RegisteredFamily(PipelineFamilyConformance):
    """A registered family, by name; an unregistered one overrides ``family`` instead."""

    family_name: str

    @pytest.fixture
    def family(self) -> PipelineFamily:
        return FAMILIES[self.family_name]


class TestLightGBM(RegisteredFamily):
    family_name = "lightgbm"
    fast_params = {"n_estimators": 20}


class TestRandomForest(RegisteredFamily):
    family_name = "random_forest"
    fast_params = {"n_estimators": 8}


class TestExtraTrees(RegisteredFamily):
    family_name = "extra_trees"
    fast_params = {"n_estimators": 8}


class TestHistGradientBoosting(RegisteredFamily):
    family_name = "hist_gradient_boosting"
    fast_params = {"max_iter": 20}


class TestLinear(RegisteredFamily):
    family_name = "linear"


class TestSVM(RegisteredFamily):
    family_name = "svm"


class TestKNN(RegisteredFamily):
    family_name = "knn"


class TestMLP(RegisteredFamily):
    family_name = "mlp"
    fast_params = {"max_iter": 30}
