"""Bad and awkward input: a clear DataError or a documented NaN, never a crash inside numpy."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from autometa.exceptions import AutometaWarning, DataError
from autometa.metafeatures import extract_metafeatures, feature_names

RNG = np.random.default_rng(0)
BASE = pd.DataFrame({"a": RNG.normal(size=60), "b": RNG.normal(size=60), "c": RNG.choice(["u", "v", "w"], 60)})
Y = np.tile([0, 1, 2], 20)


def _extract(X: object, y: object = Y, **kw: object) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing may leak out: numpy, scipy, sklearn or ours
        return extract_metafeatures(X, y, **kw)


def _complete(mf: pd.Series, kind: str | None = "multiclass") -> None:
    assert list(mf.index) == feature_names("all", "default", kind)
    assert mf.dtype == float
    assert not np.isinf(mf.to_numpy()).any()


def test_all_nan_column_becomes_constant() -> None:
    X = BASE.assign(empty=np.nan)
    mf = _extract(X)
    _complete(mf)
    assert mf.attrs["missing"]["all_missing_columns"] == 1
    assert mf["missing_frac"] == pytest.approx(60 / (60 * 4))
    assert mf["inst_missing_frac"] == 1.0
    # the constant column has no correlation: left out of cor, its skewness out of skewness
    assert np.isfinite(mf[["cor.mean", "skewness.mean", "kurtosis.mean", "mut_inf.mean"]]).all()


def test_constant_column() -> None:
    mf = _extract(BASE.assign(k=3.0))
    _complete(mf)
    assert np.isfinite(mf["cor.mean"])
    assert math.isnan(mf["sd_ratio"])  # a constant column makes every class covariance singular


def test_string_object_and_category_columns_are_categorical() -> None:
    X = BASE.assign(s=pd.array(RNG.choice(["p", "q"], 60), dtype="string"),
                    k=pd.Categorical(RNG.choice(["x", "y", "z"], 60)), t=RNG.random(60) > 0.5)
    mf = _extract(X)
    _complete(mf)
    assert mf["nr_cat"] == 4 and mf["nr_num"] == 2
    assert mf.attrs["categorical"] == ["c", "s", "k", "t"]


def test_missing_values_in_both_kinds_of_column() -> None:
    X = BASE.copy()
    X.loc[::7, "a"] = np.nan
    X.loc[::5, "c"] = None
    mf = _extract(X)
    _complete(mf)
    assert mf.attrs["missing"]["missing_cells"] == 9 + 12
    assert mf["nr_bin"] == 0  # the missing level makes c four-valued, not binary


def test_infinite_values_count_as_missing() -> None:
    X = BASE.copy()
    X.loc[3, "a"] = np.inf
    X.loc[4, "b"] = -np.inf
    mf = _extract(X)
    _complete(mf)
    assert mf.attrs["missing"]["infinite_cells"] == 2
    assert np.isfinite(mf["max.mean"])


def test_one_class_is_refused() -> None:
    with pytest.raises(DataError, match="single class"):
        _extract(BASE, np.zeros(60))
    with pytest.raises(DataError, match="single class"):
        _extract(BASE, np.zeros(60), kind="binary")


def test_three_rows() -> None:
    X = pd.DataFrame({"a": [1.0, 2.0, 4.0], "c": ["x", "y", "x"]})
    mf = _extract(X, [0, 1, 0])
    _complete(mf, "binary")
    assert mf["nr_inst"] == 3
    assert math.isnan(mf["sd_ratio"])  # a class of one row has no covariance


def test_two_rows_is_the_minimum() -> None:
    _complete(_extract(np.array([[1.0], [2.0]]), [0, 1]), "binary")
    with pytest.raises(DataError, match="at least 2"):
        _extract(np.array([[1.0]]), [0])


def test_five_thousand_columns() -> None:
    X = RNG.normal(size=(30, 5000))
    mf = _extract(X, np.tile([0, 1], 15))
    _complete(mf, "binary")
    assert mf["nr_attr"] == 5000
    assert mf.attrs["columns_sampled"] and mf.attrs["n_attributes_used"] == 1000


def test_many_levels_are_capped() -> None:
    X = pd.DataFrame({"id": [f"id{i}" for i in range(300)], "a": RNG.normal(size=300)})
    mf = extract_metafeatures(X, np.tile([0, 1], 150), groups=["general", "statistical"], max_levels=10)
    assert mf.attrs["categorical_levels"]["merged"] == {"id": 291}
    assert mf["nr_cat"] == 1


def test_regression_target_checks() -> None:
    with pytest.raises(DataError, match="constant"):
        _extract(BASE, np.ones(60), kind="regression")
    with pytest.raises(DataError, match="numeric target"):
        _extract(BASE, np.array(["a", "b"] * 30), kind="regression")
    with pytest.raises(DataError, match="infinite"):
        _extract(BASE, np.r_[np.inf, np.arange(59.0)], kind="regression")


@pytest.mark.parametrize(("X", "y", "match"), [
    (np.arange(10.0), np.arange(10) % 2, "2-D"),
    (np.zeros((0, 3)), np.zeros(0), "at least 2"),
    (np.zeros((5, 0)), np.arange(5) % 2, "no columns"),
    (np.ones((5, 2)), [0, 1, 0], "same length"),
    (np.ones((4, 2)), [0, 1, np.nan, 1], "missing"),
    (pd.DataFrame({"t": pd.date_range("2020", periods=4), "a": range(4)}), [0, 1, 0, 1], "datetime"),
    (pd.DataFrame([[1, 2], [3, 4]], columns=["a", "a"]), [0, 1], "duplicate"),
])
def test_refused_input(X: object, y: object, match: str) -> None:
    with pytest.raises(DataError, match=match):
        _extract(X, y)


@pytest.mark.parametrize(("params", "match"), [
    ({"groups": "nope"}, "'groups'"),
    ({"groups": []}, "'groups'"),
    ({"summary": ["mean", "mode"]}, "'summary'"),
    ({"max_rows": 1}, "'max_rows' parameter .* int >= 2. Got 1"),
    ({"time_budget": -5}, "'time_budget' parameter .* float > 0 or None. Got -5"),
    ({"random_state": -1}, "'random_state'"),
    ({"kind": "ordinal"}, "'kind'"),
])
def test_bad_parameters_name_parameter_and_value(params: dict, match: str) -> None:
    with pytest.raises(DataError, match=match):
        extract_metafeatures(BASE, Y, **params)


def test_kind_without_target() -> None:
    with pytest.raises(DataError, match="y is None"):
        extract_metafeatures(BASE, kind="binary")


def test_categorical_argument_forms() -> None:
    X = pd.DataFrame({"a": [1, 2, 1, 2] * 5, "b": np.arange(20.0), "s": ["x", "y"] * 10})
    by_mask = _extract(X, [0, 1] * 10, categorical=[True, False, False], groups="general")
    by_name = _extract(X, [0, 1] * 10, categorical=["a"], groups="general")
    assert by_mask.equals(by_name) and by_mask["nr_cat"] == 2  # "s" is categorical whatever is said
    arr = _extract(X[["a", "b"]].to_numpy(), [0, 1] * 10, categorical=[0], groups="general")
    assert arr["nr_cat"] == 1
    with pytest.raises(DataError, match="not a column"):
        _extract(X, [0, 1] * 10, categorical=["zz"])
    with pytest.raises(DataError, match="3 columns"):
        _extract(X, [0, 1] * 10, categorical=[True, False])


def test_input_is_not_modified() -> None:
    X = BASE.copy()
    X.loc[0, "a"] = np.nan
    arr = X[["a", "b"]].to_numpy()
    before_frame, before_arr = X.copy(), arr.copy()
    _extract(X, groups=["general", "statistical"])
    _extract(arr, groups=["general", "statistical"])
    pd.testing.assert_frame_equal(X, before_frame)
    np.testing.assert_array_equal(arr, before_arr)


def test_task_like_object() -> None:
    class FakeTask:
        name = "fake"
        X = BASE
        y = pd.Series(Y)
        kind = "multiclass"
        categorical = [False, False, True]

    mf = _extract(FakeTask(), None, groups="general")
    assert mf.name == "fake" and mf["nr_class"] == 3 and mf["nr_cat"] == 1


def test_no_target_gives_the_unsupervised_features() -> None:
    mf = _extract(BASE, None)
    _complete(mf, None)
    assert "nr_class" not in mf and "best_node.mean" not in mf


def test_sampling_rows_is_seeded_and_recorded() -> None:
    X = pd.DataFrame({"a": RNG.normal(size=500), "b": RNG.normal(size=500)})
    y = np.tile([0, 1], 250)
    one = extract_metafeatures(X, y, groups=["general", "statistical"], max_rows=100, random_state=3)
    two = extract_metafeatures(X, y, groups=["general", "statistical"], max_rows=100, random_state=3)
    other = extract_metafeatures(X, y, groups=["general", "statistical"], max_rows=100, random_state=4)
    assert one.equals(two) and not one.equals(other)
    assert one.attrs["rows_sampled"] and one.attrs["n_rows_used"] == 100
    assert one["nr_inst"] == 500  # counts use every row


def test_time_budget_warns_once_and_names_the_features() -> None:
    with pytest.warns(AutometaWarning, match="time budget") as record:
        mf = extract_metafeatures(BASE, Y, time_budget=1e-9)
    assert len(record) == 1
    assert "nr_inst" in str(record[0].message)
    assert mf.isna().all() and mf.attrs["timed_out"][0] == "attr_to_inst"
    _complete(mf)
