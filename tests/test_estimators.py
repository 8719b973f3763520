"""AutoMetaClassifier / AutoMetaRegressor: scikit-learn conventions, check_estimator, fit(), save/load."""

from __future__ import annotations

import gc
import importlib
import time

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

import autometa
from autometa import AutoMetaClassifier, AutoMetaRegressor
from autometa.estimators import SKIPPED_CHECKS
from autometa.exceptions import DataError

FAST = dict(time_budget=30, n_trials=1, n_folds=2, families=["knn"], warm_start=False, random_state=0)

#: cheap checks run in the default suite; the whole of check_estimator is marked slow
_QUICK = {"check_estimator_cloneable", "check_estimator_repr", "check_no_attributes_set_in_init",
          "check_estimators_unfitted", "check_fit_check_is_fitted", "check_estimators_fit_returns_self",
          "check_requires_y_none", "check_fit2d_1sample", "check_classifiers_one_label",
          "check_classifiers_regression_target", "check_get_params_invariance", "check_set_params"}


def _name(check) -> str:
    return getattr(check, "func", check).__name__


def _checks() -> list:
    mark = parametrize_with_checks([AutoMetaClassifier(**FAST), AutoMetaRegressor(**FAST)],
                                   expected_failed_checks=lambda est: SKIPPED_CHECKS)
    ids = mark.kwargs["ids"]
    out = []
    for item in mark.args[1]:  # (estimator, check), or a ParameterSet marked xfail (SKIPPED_CHECKS)
        (est, check), marks = (item.values, tuple(item.marks)) if hasattr(item, "values") else (item, ())
        speed = () if _name(check) in _QUICK else (pytest.mark.slow,)
        out.append(pytest.param(est, check, id=f"{ids(est)}-{ids(check)}", marks=marks + speed))
    return out


@pytest.mark.parametrize("estimator, check", _checks())
def test_sklearn_check(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def small_table() -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(120, 4)), columns=["a", "b", "c", "d"])
    X["colour"] = rng.choice(["red", "green", "blue"], size=len(X))
    y = pd.Series((X["a"] + (X["colour"] == "red") > 0.3).astype(int), name="label")
    return X, y


@pytest.fixture
def no_recommend(monkeypatch):
    def recommend(*args, **kwargs):
        raise AssertionError("recommend should not be called")

    monkeypatch.setattr(importlib.import_module("autometa.metalearn"), "recommend", recommend)


def test_not_fitted_and_clone():
    model = AutoMetaClassifier(time_budget=5)
    with pytest.raises(NotFittedError):
        model.predict(np.zeros((2, 2)))
    assert clone(model).get_params() == model.get_params()


@pytest.mark.parametrize("param, value, allowed", [
    ("time_budget", -5, "a float > 0. Got -5."),
    ("n_jobs", 0, "an int >= 1 or -1. Got 0."),
    ("families", [], "None or a non-empty list of family names. Got []."),
    ("n_folds", 1, "None or an int >= 2. Got 1."),
])
def test_parameter_errors(param, value, allowed):
    X, y = np.random.default_rng(0).normal(size=(20, 2)), np.arange(20) % 2
    with pytest.raises(DataError) as info:
        AutoMetaClassifier(**{param: value}).fit(X, y)
    assert str(info.value) == f"The {param!r} parameter of AutoMetaClassifier must be {allowed}"


def test_fit_dataframe_with_strings_and_save_load(tmp_path, small_table, fake_recommend):
    X, y = small_table
    labels = y.map({0: "no", 1: "yes"})
    gc.collect()  # late in the suite a full collection of its heap can take a good part of the 0.3 s allowed
    start = time.perf_counter()
    model = autometa.fit(X, labels, time_budget=3, families=["linear", "knn"], random_state=0)
    assert time.perf_counter() - start <= 3.3
    assert isinstance(model, AutoMetaClassifier)
    assert set(model.predict(X)) <= {"no", "yes"} and model.score(X, labels) > 0.7
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    for attr in ("leaderboard_", "study_", "recommendations_", "best_pipeline_"):
        assert hasattr(model, attr)
    assert len(model.recommendations_) > 0
    path = tmp_path / "model.joblib"
    model.save(path)
    loaded = AutoMetaClassifier.load(path)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert loaded.leaderboard_.equals(model.leaderboard_)


class _Planted:
    """A pickle that would run a command when unpickled."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_a_model_file_autometa_did_not_write_is_never_unpickled(tmp_path, small_table, monkeypatch):
    from autometa.exceptions import DataError

    monkeypatch.setenv("AUTOMETA_HOME", str(tmp_path / "home"))
    marker = tmp_path / "ran"
    evil = tmp_path / "evil.joblib"
    joblib.dump(_Planted(marker), evil)
    with pytest.raises(DataError, match="is not a model file signed by autometa: loading it would run code"):
        AutoMetaClassifier.load(evil)
    assert not marker.exists()
    X, y = small_table
    model = AutoMetaClassifier(time_budget=5, families=["linear"], n_trials=1, warm_start=False,
                               record=False).fit(X, y)
    path = tmp_path / "model.joblib"
    model.save(path)
    data = path.read_bytes()
    path.write_bytes(data[:-10] + b"0123456789")  # changed after signing
    with pytest.raises(DataError, match="was not written by autometa under this account, or was changed"):
        AutoMetaClassifier.load(path)
    path.write_bytes(data)
    monkeypatch.setenv("AUTOMETA_HOME", str(tmp_path / "someone-else"))
    with pytest.raises(DataError, match="was not written by autometa under this account"):
        AutoMetaClassifier.load(path)
    assert AutoMetaClassifier.load(path, trust=True).predict(X).shape == (len(X),)  # told to trust it
    joblib.dump(model, tmp_path / "plain.joblib")
    assert AutoMetaClassifier.load(tmp_path / "plain.joblib", trust=True).predict(X).shape == (len(X),)
    (tmp_path / "cut.joblib").write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match="was not written by autometa|truncated"):
        AutoMetaClassifier.load(tmp_path / "cut.joblib")
    with pytest.raises(DataError, match="truncated or damaged"):
        AutoMetaClassifier.load(tmp_path / "cut.joblib", trust=True)


def test_fit_regression_by_target_name(no_recommend):
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.normal(size=(80, 3)), columns=["a", "b", "c"])
    df["target"] = 2 * df["a"] - df["b"] + rng.normal(scale=0.1, size=len(df))
    model = autometa.fit(df, "target", time_budget=10, warm_start=False, families=["linear"], n_trials=2,
                         random_state=0)
    assert isinstance(model, AutoMetaRegressor) and model.metric_ == "r2"
    assert model.score(df.drop(columns="target"), df["target"]) > 0.9


@pytest.mark.slow
def test_svm_without_probabilities_still_gives_predict_proba(no_recommend):
    X, y = np.random.default_rng(2).normal(size=(60, 3)), np.arange(60) % 3
    model = AutoMetaClassifier(time_budget=10, families=["svm"], n_trials=1, warm_start=False,
                               random_state=0).fit(X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (60, 3)
    np.testing.assert_array_equal(model.classes_[proba.argmax(axis=1)], model.predict(X))


def test_the_time_budget_covers_the_work_before_the_search(monkeypatch, small_table, fake_recommend):
    """Time fit spends before the search starts (checks, the task) comes out of the search's budget."""
    import autometa.search
    import autometa.tasks

    budgets: list[float] = []
    real_run_search, real_load_task = autometa.search.run_search, autometa.tasks.load_task

    def spy(task, **kwargs):
        budgets.append(kwargs["budget"].remaining())
        return real_run_search(task, **kwargs)

    def slow_load_task(*args, **kwargs):
        time.sleep(0.5)
        return real_load_task(*args, **kwargs)

    monkeypatch.setattr(autometa.search, "run_search", spy)
    monkeypatch.setattr(autometa.tasks, "load_task", slow_load_task)
    X, y = small_table
    AutoMetaClassifier(time_budget=2, families=["linear"], n_trials=1, warm_start=False, record=False).fit(X, y)
    assert len(budgets) == 1 and 1.0 < budgets[0] <= 1.5  # 2 s less the 0.5 s spent making the task


def test_fit_the_estimators_the_search_and_the_cli_share_one_parameter_list():
    """A parameter added to the estimators reaches fit(), the search and `autometa fit`, or this fails."""
    import argparse
    import inspect

    from autometa.cli import fit as cli_fit
    from autometa.estimators import (
        _NOT_SEARCH,
        SEARCH_PARAMETERS,
        AutoMetaClassifier,
        AutoMetaRegressor,
    )
    from autometa.estimators import fit as fit_function
    from autometa.search import run_search

    def defaults(fn, names):
        params = inspect.signature(fn).parameters
        return {n: params[n].default for n in names}

    init = defaults(AutoMetaClassifier.__init__, SEARCH_PARAMETERS)
    assert defaults(AutoMetaRegressor.__init__, SEARCH_PARAMETERS) == init
    assert defaults(fit_function, SEARCH_PARAMETERS) == init  # same names, same defaults
    searched = [n for n in SEARCH_PARAMETERS if n not in _NOT_SEARCH]
    assert {n: v for n, v in defaults(run_search, searched).items()} == {n: init[n] for n in searched}
    # the CLI's options give every parameter, with the same defaults when the options are left out
    parser = argparse.ArgumentParser()
    cli_fit.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["fit", "data.csv"])
    given = cli_fit.fit_parameters(args, time_budget=args.time_budget)
    assert list(given) == list(SEARCH_PARAMETERS)
    assert {n: v for n, v in given.items() if n != "verbose"} == {n: v for n, v in init.items() if n != "verbose"}


def test_a_sparse_X_is_fitted_and_predicted_as_its_dense_copy():
    import scipy.sparse as sp

    rng = np.random.default_rng(0)
    dense = np.where(rng.random((150, 20)) < 0.2, rng.normal(size=(150, 20)), 0.0)
    y = (dense[:, 0] + dense[:, 1] > 0).astype(int)
    params = dict(time_budget=30, families=["linear"], n_trials=2, warm_start=False, record=False, random_state=0)
    on_sparse = autometa.fit(sp.csr_matrix(dense), y, **params)
    on_dense = autometa.fit(dense, y, **params)
    assert on_sparse.best_score_ == pytest.approx(on_dense.best_score_)
    np.testing.assert_allclose(on_sparse.predict_proba(sp.csc_matrix(dense)), on_dense.predict_proba(dense))


def test_a_sparse_X_too_large_to_make_dense_is_one_line(monkeypatch):
    import scipy.sparse as sp

    import autometa.tasks._loaders as loaders

    monkeypatch.setattr(loaders, "MAX_DENSE_CELLS", 1000)
    X = sp.random(100, 20, density=0.01, format="csr", random_state=0)
    with pytest.raises(DataError, match=r"100 x 20 = 2,000 cells \(at most 1,000\); select or reduce"):
        AutoMetaClassifier(5, record=False).fit(X, np.arange(100) % 2)
