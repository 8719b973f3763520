"""Checks every meta-feature group must pass; a new group plugs in with one subclass.

Subclass :class:`GroupConformance` and set ``group`` (the name it registers its
features under); every check below then runs for it.
"""

from __future__ import annotations

import importlib
import inspect
import warnings

import numpy as np
import pandas as pd
import pytest

from autometa.exceptions import AutometaWarning
from autometa.metafeatures import GROUPS, MetaFeatureExtractor, extract_metafeatures, feature_names
from autometa.metafeatures._engine import _FEATURES, _INTERMEDIATES, TARGETS

RNG = np.random.default_rng(11)
KINDS = ("binary", "multiclass", "regression", None)


def _table(n: int, seed: int, *, categorical: bool = True, missing: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"a": rng.normal(size=n), "b": rng.exponential(size=n), "i": rng.integers(0, 4, size=n)})
    if categorical:
        frame["c"] = rng.choice(["x", "y", "z"], size=n)
    if missing:
        frame.loc[::4, "a"] = np.nan
        if categorical:
            frame.loc[::3, "c"] = None
    return frame


def _target(kind: str | None, n: int, seed: int) -> np.ndarray | None:
    rng = np.random.default_rng(seed)
    return {"binary": np.tile([0, 1], n // 2), "multiclass": np.tile([0, 1, 2], n // 3 + 1)[:n],
            "regression": rng.normal(size=n), None: None}[kind]


class GroupConformance:
    """Common checks for one group; subclasses set ``group``."""

    group: str = ""

    def _extract(self, X: object, y: object, kind: str | None, **kw: object) -> pd.Series:
        with warnings.catch_warnings():
            warnings.simplefilter("error", AutometaWarning)
            return extract_metafeatures(X, y, groups=self.group, kind=kind, **kw)

    def test_registered(self) -> None:
        assert self.group in GROUPS
        assert _FEATURES[self.group], f"group {self.group!r} registers no feature"

    @pytest.mark.parametrize("kind", KINDS)
    def test_names_are_fixed_and_data_independent(self, kind: str | None) -> None:
        expected = feature_names(self.group, "default", kind)
        for n, seed, cat, miss in ((60, 1, True, False), (90, 2, False, True), (12, 3, True, True)):
            mf = self._extract(_table(n, seed, categorical=cat, missing=miss), _target(kind, n, seed), kind)
            assert list(mf.index) == expected
            assert mf.dtype == np.float64
            assert not np.isinf(mf.to_numpy()).any()
            assert set(mf.attrs["groups"]) == {self.group}

    def test_summaries_name_every_output(self) -> None:
        mf = self._extract(_table(60, 4), _target("multiclass", 60, 4), "multiclass", summary="all")
        assert list(mf.index) == feature_names(self.group, "all", "multiclass")
        assert mf.index.is_unique

    def test_deterministic(self) -> None:
        X, y = _table(80, 5, missing=True), _target("binary", 80, 5)
        one, two = self._extract(X, y, "binary"), self._extract(X, y, "binary")
        pd.testing.assert_series_equal(one, two)

    def test_degenerate_data_gives_nan_not_errors(self) -> None:
        X = pd.DataFrame({"k": np.ones(10), "e": np.full(10, np.nan), "c": ["x"] * 10, "a": np.arange(10.0)})
        for kind in ("binary", "regression", None):
            mf = self._extract(X, _target(kind, 10, 6), kind)
            assert list(mf.index) == feature_names(self.group, "default", kind)

    def test_every_function_takes_named_values_only(self) -> None:
        for feat in _FEATURES[self.group].values():
            params = inspect.signature(feat.func).parameters.values()
            assert all(p.kind is p.POSITIONAL_OR_KEYWORD and p.default is p.empty for p in params), feat.name
            assert feat.target in TARGETS
            # each need is a base value or a registered intermediate
            base = {"kind", "random_state", "n_rows", "n_attr", "n_num", "n_cat", "X_num", "X_cat", "cat_levels",
                    "missing_frac", "inst_missing_frac", "model_max_rows", "y", "class_freqs_all", "class_freqs",
                    "model_rows"}
            assert set(feat.needs) <= base | set(_INTERMEDIATES), feat.name

    def test_documented_in_its_module(self) -> None:
        module = importlib.import_module(f"autometa.metafeatures.{self.group}")
        doc = module.__doc__ or ""
        assert len(doc) > 200, f"{module.__name__} needs a docstring that states its rules"

    def test_time_budget(self) -> None:
        with pytest.warns(AutometaWarning, match="time budget"):
            mf = extract_metafeatures(_table(40, 7), _target("binary", 40, 7), groups=self.group,
                                      time_budget=1e-9)
        assert mf.isna().all()
        assert len(mf.attrs["timed_out"]) == len({n.split(".")[0] for n in mf.index})

    def test_extractor_object_matches_function(self) -> None:
        X, y = _table(50, 8), _target("multiclass", 50, 8)
        a = MetaFeatureExtractor(self.group).extract(X, y)
        b = extract_metafeatures(X, y, groups=self.group)
        pd.testing.assert_series_equal(a, b)


class TestGeneral(GroupConformance):
    group = "general"


class TestStatistical(GroupConformance):
    group = "statistical"


class TestInfoTheory(GroupConformance):
    group = "info_theory"


class TestModelBased(GroupConformance):
    group = "model_based"


class TestLandmarking(GroupConformance):
    group = "landmarking"


class TestItemset(GroupConformance):
    group = "itemset"


class TestClustering(GroupConformance):
    group = "clustering"


class TestComplexity(GroupConformance):
    group = "complexity"


class TestConcept(GroupConformance):
    group = "concept"


class TestRelative(GroupConformance):
    group = "relative"

    def test_registered(self) -> None:  # no features of its own: it ranks the landmarkers' (relative.py)
        names = feature_names(["relative"], kind="binary")
        assert names and all(n.endswith(".relative") for n in names)
        assert not _FEATURES[self.group]


def test_every_group_has_a_conformance_class() -> None:
    covered = {cls.group for cls in GroupConformance.__subclasses__()}
    assert covered == set(GROUPS)
