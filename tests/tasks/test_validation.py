"""Validation of user data: kind and categorical inference, and every bad input.

Each bad input must raise :class:`DataError` (also a ``ValueError``) whose message
names what is wrong (the column, the value) and how to fix it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from autometa.exceptions import AutometaError, AutometaWarning, DataError
from autometa.tasks import infer_categorical, infer_kind, load_task, validate


def _frame(**columns: Any) -> pd.DataFrame:
    base: dict[str, Any] = {"a": [1.0, 2.0, 3.0, 4.0], "b": ["x", "y", "x", "y"], "label": [0, 1, 0, 1]}
    return pd.DataFrame({**base, **columns})


def test_data_error_is_a_value_error() -> None:
    assert issubclass(DataError, ValueError)
    assert issubclass(DataError, AutometaError)


# -- kind ------------------------------------------------------------------

@pytest.mark.parametrize(
    ("y", "kind"),
    [
        ([0, 1, 0, 1], "binary"),
        (["yes", "no", "no", "yes"], "binary"),
        ([True, False, True, True], "binary"),
        (pd.Categorical(["a", "b", "c", "a"]), "multiclass"),
        ([0, 1, 2, 3], "multiclass"),
        (np.arange(40) % 10, "multiclass"),  # integer codes
        (np.arange(40), "regression"),  # too many distinct integers for classes (over 30)
        (np.arange(40) % 3 * 1.0, "regression"),  # whole numbers stored as floats: quantities (PMLB's rule)
        ([0.5, 1.0, 2.0, 3.0], "regression"),
        ([1.0, 2.0, 1.0, 2.0], "binary"),  # integral floats are class codes
    ],
)
def test_infer_kind(y: Any, kind: str) -> None:
    assert infer_kind(pd.Series(y), warn=False) == kind


def test_kind_override() -> None:
    df = _frame(label=[0, 1, 2, 3])
    assert load_task(df, target="label").kind == "multiclass"
    task = load_task(df, target="label", kind="regression")
    assert task.kind == "regression"
    assert task.y.dtype == np.float64


def test_regression_target_of_numeric_strings_is_converted() -> None:
    with pytest.warns(AutometaWarning, match="numbers stored as text"):
        task = load_task(_frame(label=["1.5", "2", "3", "4"]), target="label", kind="regression")
    assert task.y.tolist() == [1.5, 2.0, 3.0, 4.0]
    with pytest.warns(AutometaWarning, match="numbers stored as text"):
        assert load_task(_frame(label=["1.5", "2", "3", "4"]), target="label").kind == "regression"


def test_numbers_dates_and_decimal_commas_stored_as_text() -> None:
    with pytest.warns(AutometaWarning, match="Column 'n' holds numbers stored as text"):
        task = load_task(_frame(n=["1", "2.5", None, "4"]), target="label")
    assert task.X["n"].dtype == np.float64 and task.categorical == [False, True, False]
    with pytest.warns(AutometaWarning, match="decimal-comma numbers .*'1,5' = 1.5"):
        task = load_task(_frame(n=["1,5", "2", "1.234,5", "4"]), target="label")
    assert task.X["n"].tolist() == [1.5, 2.0, 1234.5, 4.0]
    with pytest.raises(DataError, match="Column 'd' holds dates or times stored as text .*'2021-03-04'"):
        load_task(_frame(d=["2021-03-04", "2021-03-05", "2021-04-01", "2022-01-01"]), target="label")
    assert load_task(_frame(c=["1", "x", "2", "3"]), target="label").categorical == [False, True, True]


# -- categorical -----------------------------------------------------------

def test_infer_categorical_by_dtype() -> None:
    X = pd.DataFrame({
        "num": [1.0, 2.0],
        "int": np.array([1, 2], dtype="int32"),
        "obj": pd.Series(["x", "y"], dtype=object),
        "str": pd.Series(["x", "y"], dtype="string"),
        "cat": pd.Categorical(["p", "q"]),
        "bool": [True, False],
    })
    assert infer_categorical(X) == [False, False, True, True, True, True]


def test_categorical_override_by_flags_and_names() -> None:
    df = _frame(c=[1, 2, 1, 2])
    assert load_task(df, target="label").categorical == [False, True, False]
    assert load_task(df, target="label", categorical=[False, False, True]).categorical == [False, True, True]
    # a non-numeric column stays categorical whatever the caller says
    assert load_task(df, target="label", categorical=["c"]).categorical == [False, True, True]


def test_categorical_override_errors() -> None:
    with pytest.raises(DataError, match=r"categorical names column\(s\) not in the table: \['zz'\]"):
        load_task(_frame(), target="label", categorical=["zz"])
    with pytest.raises(DataError, match="categorical has 1 flags but X has 2 columns"):
        load_task(_frame(), target="label", categorical=[True])


# -- constant columns ------------------------------------------------------

def test_constant_columns_dropped_with_warning() -> None:
    df = _frame(const=[7, 7, 7, 7], empty=[np.nan] * 4)
    with pytest.warns(AutometaWarning, match=r"Dropping 2 constant or all-missing column\(s\): 'const', 'empty'"):
        task = load_task(df, target="label")
    assert list(task.X.columns) == ["a", "b"]
    assert task.categorical == [False, True]
    assert task.metadata["dropped_columns"] == ["const", "empty"]
    assert task.summary()["dropped_columns"] == "const, empty"


def test_constant_warning_points_at_the_caller() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_task(_frame(const=[1, 1, 1, 1]), target="label")
    assert [w.filename for w in caught] == [__file__]


def test_drop_constant_off_keeps_columns() -> None:
    X, _, _, categorical, dropped = validate(_frame(const=[1, 1, 1, 1]).drop(columns="label"), [0, 1, 0, 1],
                                             drop_constant=False)
    assert list(X.columns) == ["a", "b", "const"]
    assert dropped == []
    assert categorical == [False, True, False]


def test_validate_keeps_dtypes_and_aligns_index() -> None:
    X = pd.DataFrame({"i": np.array([3, 1, 2], dtype="int16"), "c": pd.Categorical(["u", "v", "u"])},
                     index=[10, 20, 30])
    y = pd.Series(["p", "q", "p"], index=[10, 20, 30], name="cls")
    Xv, yv, kind, categorical, _ = validate(X, y)
    assert Xv.dtypes.tolist() == [np.dtype("int16"), X["c"].dtype]
    assert list(Xv.index) == [0, 1, 2] and list(yv.index) == [0, 1, 2]
    assert (kind, categorical, yv.name) == ("binary", [False, True], "cls")


# -- bad inputs --------------------------------------------------------------

def _dup_columns() -> None:
    df = pd.DataFrame([[1, 2, 0], [3, 4, 1], [5, 6, 0]], columns=["a", "a", "label"])
    load_task(df, target="label")


def _dup_target() -> None:
    df = pd.DataFrame([[1, 0, 0], [3, 1, 1], [5, 0, 0]], columns=["a", "label", "label"])
    load_task(df, target="label")


BAD_INPUTS: dict[str, tuple[Callable[[], Any], list[str]]] = {
    "empty table": (lambda: load_task(_frame().iloc[:0], target="label"), ["empty", "no rows"]),
    "no feature columns": (lambda: load_task(_frame()[["label"]], target="label"), ["no feature columns"]),
    "no target given": (lambda: load_task(_frame()), ["No target column", "target=NAME", "'label'"]),
    "target misspelt": (lambda: load_task(_frame(), target="lable"),
                        ["'lable' is not in the DataFrame", "Did you mean 'label'?", "Columns are: 'a', 'b'"]),
    "target missing": (lambda: load_task(_frame(), target="zzz"), ["'zzz' is not in", "Columns are:"]),
    "NaN in target": (lambda: load_task(_frame(label=[0, np.nan, 1, np.nan]), target="label"),
                      ["'label' has 2 missing value(s)", "rows [1, 3]", "dropna(subset=['label'])"]),
    "None in label target": (lambda: load_task(_frame(label=["p", None, "q", "p"]), target="label"),
                             ["'label' has 1 missing value(s)"]),
    "single class": (lambda: load_task(_frame(label=["yes"] * 4), target="label"),
                     ["'label' has a single class ('yes')", "at least two", "kind='regression'"]),
    "single numeric class": (lambda: load_task(_frame(label=[1, 1, 1, 1]), target="label"),
                             ["single class (1)"]),
    "different lengths": (lambda: load_task(np.zeros((4, 2)), y=[0, 1, 0]),
                          ["X has 4 rows but y has 3 values", "same length"]),
    "duplicate column names": (_dup_columns, ["Duplicate column names: 'a'", "Rename them"]),
    "duplicate target column": (_dup_target, ["Duplicate column names: 'label'", "Rename them"]),
    "all-NaN matrix": (lambda: load_task(pd.DataFrame({"a": [np.nan] * 4, "b": [None] * 4, "label": [0, 1, 0, 1]}),
                                         target="label"),
                       ["Every feature column is constant or entirely missing", "'a', 'b'", "nothing to learn"]),
    "constant-only matrix": (lambda: load_task(pd.DataFrame({"a": [3] * 4, "b": ["k"] * 4, "label": [0, 1, 0, 1]}),
                                               target="label"),
                             ["Every feature column is constant", "'a', 'b'"]),
    "non-numeric regression target": (lambda: load_task(_frame(label=["1.5", "low", "2", "3"]), target="label",
                                                        kind="regression"),
                                      ["'label' must be numeric for regression", "'low'", "kind='binary'/'multiclass'"]),
    "infinite regression target": (lambda: load_task(_frame(label=[0.5, np.inf, 1.0, 2.0]), target="label"),
                                   ["'label' has infinite values"]),
    "datetime column": (lambda: load_task(_frame(when=pd.date_range("2024-01-01", periods=4)), target="label"),
                        ["Column 'when' has dtype datetime64", "Convert it to numbers", "or drop it"]),
    "timedelta column": (lambda: load_task(_frame(dt=pd.to_timedelta([1, 2, 3, 4], unit="D")), target="label"),
                         ["Column 'dt' has dtype timedelta64"]),
    "list cells": (lambda: load_task(_frame(b=[[1], [2], [1], [2]]), target="label"),
                   ["Column 'b' holds list values such as [1]", "number or a category label"]),
    "unknown kind": (lambda: load_task(_frame(), target="label", kind="clustering"),
                     ["kind must be one of binary, multiclass, regression", "'clustering'"]),
    "kind contradicts classes": (lambda: load_task(_frame(), target="label", kind="multiclass"),
                                 ["kind='multiclass' but the target 'label' has 2 classes", "use kind='binary'"]),
    "3-D X": (lambda: load_task(np.zeros((2, 2, 2)), y=[0, 1]), ["2-D table", "(2, 2, 2)"]),
    "2-D y": (lambda: load_task(np.zeros((4, 2)), y=np.zeros((4, 2))), ["y must be one-dimensional", "(4, 2)"]),
    "arrays without y": (lambda: load_task(np.zeros((4, 2))), ["Pass the target too", "y=y"]),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_message(case: str) -> None:
    call, fragments = BAD_INPUTS[case]
    with pytest.raises(DataError) as info:
        call()
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
