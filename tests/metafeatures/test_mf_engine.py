"""The machinery: arguments by name, intermediates computed once, failures as NaN, the result's record."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from autometa.metafeatures import GROUPS, _engine, extract_metafeatures, feature_names
from autometa.metafeatures._engine import Context, Intermediate


def test_intermediates_are_computed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    original = _engine._INTERMEDIATES["cov_mat"]

    def counting(**kw: object) -> np.ndarray:
        calls.append(1)
        return original.func(**kw)

    monkeypatch.setitem(_engine._INTERMEDIATES, "cov_mat", Intermediate("cov_mat", counting, original.needs))
    rng = np.random.default_rng(0)
    extract_metafeatures(rng.normal(size=(50, 4)), np.tile([0, 1], 25), groups="statistical")
    assert len(calls) == 1  # cov, cor, eigenvalues, nr_cor_attr, can_cor... share it


def test_a_failing_intermediate_fails_its_features_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def broken(**kw: object) -> np.ndarray:
        calls.append(1)
        raise np.linalg.LinAlgError("singular")

    needs = _engine._INTERMEDIATES["cov_mat"].needs
    monkeypatch.setitem(_engine._INTERMEDIATES, "cov_mat", Intermediate("cov_mat", broken, needs))
    rng = np.random.default_rng(0)
    mf = extract_metafeatures(rng.normal(size=(50, 4)), np.tile([0, 1], 25), groups="statistical")
    assert len(calls) == 1
    assert np.isnan(mf[["cov.mean", "cor.mean", "eigenvalues.sd", "nr_cor_attr"]]).all()
    assert np.isfinite(mf[["mean.mean", "sd.mean", "skewness.mean"]]).all()
    assert mf.attrs["failed"]["cov"] == "LinAlgError: singular"


def test_programming_errors_are_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    def buggy(**kw: object) -> np.ndarray:
        raise TypeError("a bug")

    needs = _engine._INTERMEDIATES["cov_mat"].needs
    monkeypatch.setitem(_engine._INTERMEDIATES, "cov_mat", Intermediate("cov_mat", buggy, needs))
    with pytest.raises(TypeError, match="a bug"):
        extract_metafeatures(np.ones((10, 2)) * np.arange(10)[:, None], np.tile([0, 1], 5), groups="statistical")


def test_context_resolves_names_lazily() -> None:
    ctx = Context({"X_num": np.array([[3.0], [1.0], [2.0]])})
    assert "X_num_sorted" not in ctx
    np.testing.assert_array_equal(ctx["X_num_sorted"], [[1.0], [2.0], [3.0]])
    assert "X_num_sorted" in ctx
    with pytest.raises(KeyError, match="nothing_like_this"):
        ctx["nothing_like_this"]


def test_registration_guards() -> None:
    with pytest.raises(ValueError, match="already registered"):
        _engine.metafeature("general", name="nr_inst")(lambda n_rows: n_rows)
    with pytest.raises(ValueError, match="already registered"):
        _engine.intermediate(_engine._INTERMEDIATES["cov_mat"].func)
    with pytest.raises(ValueError, match="Unknown meta-feature group"):
        _engine.metafeature("astrology")
    with pytest.raises(ValueError, match="Unknown target"):
        _engine.metafeature("general", target="ordinal")


def test_order_is_groups_then_names() -> None:
    names = feature_names("all", ["mean"], "binary")
    groups = ["relative" if n.endswith(".relative") else next(g for g in GROUPS if n.split(".")[0] in
                                                               _engine._FEATURES[g]) for n in names]
    assert groups == sorted(groups, key=GROUPS.index)
    for g in GROUPS:
        within = [n for n, gg in zip(names, groups) if gg == g]
        assert within == sorted(within)


def test_attrs_record_the_rules_and_are_json() -> None:
    frame = pd.DataFrame({"a": [1.0, np.nan, 3.0, 4.0, 5.0, 6.0], "c": ["x", "y", None, "x", "y", "x"]})
    mf = extract_metafeatures(frame, [0, 1, 0, 1, 0, 1], groups=["general", "info_theory"])
    attrs = json.loads(json.dumps(mf.attrs))
    for key in ("kind", "n_rows", "n_rows_used", "rows_sampled", "random_state", "numeric", "categorical",
                "missing", "categorical_encoding", "discretisation", "timed_out", "failed", "groups", "summary"):
        assert key in attrs, key
    assert attrs["numeric"] == ["a"] and attrs["categorical"] == ["c"]
    assert attrs["missing"]["missing_cells"] == 2


def test_pymfe_group_names_are_accepted() -> None:
    assert feature_names(["info-theory", "model-based"], kind="binary") == feature_names(
        ["info_theory", "model_based"], kind="binary")
    assert feature_names("default") == feature_names("all")
