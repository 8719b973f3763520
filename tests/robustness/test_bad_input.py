"""Bad input, table-driven: each case names its input and the exact kind of outcome a user gets.

Outcomes: ``error`` (a DataError, one line, matching the text), ``ok`` (a result that
passes the check), ``warn`` (a result with an AutometaWarning matching the text).
The rest of issue 18's list is in docs/reliability.md, with what covers each item.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest

import autometa
from autometa.exceptions import AutometaWarning, DataError

FAST = {"time_budget": 4, "families": ["linear"], "n_trials": 2, "warm_start": False, "record": False}


def _X(n: int = 80, seed: int = 0) -> pd.DataFrame:
    return pd.DataFrame(np.random.default_rng(seed).normal(size=(n, 3)), columns=["a", "b", "c"])


def _y(n: int = 80) -> np.ndarray:
    return (_X(n)["a"] > 0).astype(int).to_numpy()


@dataclass
class Case:
    name: str
    run: Callable[[], Any]
    outcome: str  # "error", "ok", "warn"
    match: str = ""
    check: Callable[[Any], bool] = lambda result: True


def _with(column: str, values: Any, n: int = 80) -> pd.DataFrame:
    X = _X(n)
    X[column] = values
    return X


CASES = [
    Case("regression target of whole numbers stored as floats", lambda: autometa.fit(
        _X(300), np.random.default_rng(1).integers(100, 1000, 300).astype(float), **FAST), "ok",
        check=lambda m: isinstance(m, autometa.AutoMetaRegressor)),
    Case("few whole numbers stored as floats", lambda: autometa.fit(_X(), np.tile([1.0, 2.0, 3.0, 4.0], 20), **FAST),
         "warn", "whole numbers stored as floats: read as regression",
         check=lambda m: isinstance(m, autometa.AutoMetaRegressor)),
    Case("constant regression target in fit", lambda: autometa.fit(_X(), np.full(80, 2.5), **FAST), "error",
         "single value"),
    Case("constant regression target in recommend", lambda: autometa.recommend(_X(), np.full(80, 2.5)), "error",
         "single value"),
    Case("one class", lambda: autometa.fit(_X(), np.zeros(80, dtype=int), **FAST), "error", "single class"),
    Case("NaN in y", lambda: autometa.fit(_X(), np.r_[_y(79).astype(float), np.nan], **FAST), "error",
         "missing value"),
    Case("inf in y", lambda: autometa.fit(_X(), np.r_[np.arange(79.0) * 1.5, np.inf], **FAST), "error",
         "infinite values"),
    Case("inf and 1e300 in X: no trial fails", lambda: autometa.fit(
        _with("b", np.where(np.arange(80) % 5 == 0, np.inf, 1e300 * (np.arange(80) % 3 == 0))), _y(), **FAST),
        "ok", check=lambda m: m.n_validated_ == 2 and not any(t.state.name == "FAIL" for t in m.study_.trials)),
    Case("inf in X at predict time", lambda: autometa.fit(_X(), _y(), **FAST).predict(
        _with("a", np.full(80, np.inf))), "ok", check=lambda p: len(p) == 80),
    Case("numbers stored as text in X", lambda: autometa.fit(
        _with("n", [str(v) for v in np.arange(80) % 7]), _y(), **FAST), "warn", "numbers stored as text"),
    Case("numbers stored as text in y", lambda: autometa.fit(
        _X(), pd.Series([str(v) for v in np.round(np.linspace(0, 10, 80), 3)], name="t"), **FAST), "warn",
        "numbers stored as text", check=lambda m: isinstance(m, autometa.AutoMetaRegressor)),
    Case("dates stored as text", lambda: autometa.fit(
        _with("when", [f"2021-01-{1 + i % 28:02d}" for i in range(80)]), _y(), **FAST), "error",
        "dates or times stored as text"),
    Case("decimal commas", lambda: autometa.fit(_with("p", [f"{i},5" for i in range(80)]), _y(), **FAST),
         "warn", "decimal-comma numbers"),
    Case("duplicate column names", lambda: autometa.fit(
        pd.DataFrame(np.ones((80, 2)) * np.arange(80)[:, None], columns=["a", "a"]), _y(), **FAST), "error",
        "Duplicate column names"),
    Case("lengths differ", lambda: autometa.fit(_X(), _y(79), **FAST), "error", "inconsistent numbers|same length"),
    Case("list cells", lambda: autometa.extract_metafeatures(_with("l", [[1, 2]] * 80), _y()), "error",
         "holds list values"),
    Case("1e300 in meta-features (was an IndexError in sklearn's LDA)", lambda: autometa.extract_metafeatures(
        _with("b", np.where(np.arange(80) % 3 == 0, 1e300, 1.0) * np.arange(80)), _y(), groups="all"), "ok",
        check=lambda mf: mf["nr_inst"] == 80 and mf.notna().sum() > 50),
    Case("a categorical column that is not in X", lambda: autometa.extract_metafeatures(
        _X(), _y(), categorical=["zz"]), "error", "'categorical' entry 'zz' is not a column of X"),
    Case("a constant column, dropped in training, given again at predict time", lambda: autometa.fit(
        _with("k", 1.0), _y(), **FAST).predict(_with("k", 1.0)), "warn", "Dropping 1 constant",
        check=lambda p: len(p) == 80),
    Case("unknown kind", lambda: autometa.fit(_X(), _y(), kind="ordinal", **FAST), "error",
         "'kind' parameter of fit"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("AUTOMETA_HOME", str(tmp_path / "home"))
    if case.outcome == "error":
        with pytest.raises(DataError) as info:
            case.run()
        message = str(info.value)
        assert re.search(case.match, message), message
        assert "\n" not in message.strip()
        return
    if case.outcome == "warn":
        with pytest.warns(AutometaWarning, match=case.match):
            result = case.run()
    else:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("error", AutometaWarning)
            result = case.run()
    assert case.check(result)
