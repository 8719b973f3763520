"""Conformance suite for meta-learners: subclass, override one fixture, get every common check.

Example, in ``tests/metalearn/test_my_learner.py``::

    class TestMyLearner(MetaLearnerConformance):
        @pytest.fixture
        def learner(self):
            return MyLearner(alpha=1.0)

The suite fits the learner on :func:`~autometa.metalearn.synthetic_knowledge_base`
(two clusters of datasets, binary and regression) and checks the interface:
the table :meth:`~autometa.metalearn.MetaLearner.rank` returns, ``top``,
``families``, ``time_budget``, Series and Task inputs, errors, persistence,
parameters, determinism, and that the learner's first pick beats a random one on a base where
the answer is known.
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest

from autometa.exceptions import AutometaError, AutometaWarning, DataError

__all__ = ["MetaLearnerConformance", "task_with_metafeatures", "write_knowledge_base"]


def task_with_metafeatures(metafeatures: pd.Series, kind: str, n_rows: int | None = None) -> Any:
    """A :class:`~autometa.tasks.Task` whose meta-features are ``metafeatures`` (no extraction runs)."""
    from autometa.tasks import Task

    rows = int(n_rows if n_rows is not None else metafeatures.get("nr_inst", 50))
    n_feat = int(metafeatures.get("nr_attr", 3))
    X = pd.DataFrame(np.zeros((rows, n_feat)), columns=[f"x{i}" for i in range(n_feat)])
    y = pd.Series(np.arange(rows) % 2 if kind != "regression" else np.linspace(0, 1, rows))
    task = Task(name=str(metafeatures.name or "task"), X=X, y=y, kind=kind, categorical=[False] * n_feat)
    task.metafeatures = lambda *args, **kwargs: metafeatures  # type: ignore[method-assign]
    return task


class MetaLearnerConformance:
    """Checks every :class:`~autometa.metalearn.MetaLearner` must pass. Override ``learner``."""

    _fitted: ClassVar[dict[str, Any]] = {}

    @pytest.fixture
    def learner(self) -> Any:
        raise NotImplementedError("Override the `learner` fixture with an unfitted MetaLearner.")

    @pytest.fixture(scope="class")
    @staticmethod
    def knowledge_base() -> Any:
        from autometa.metalearn import synthetic_knowledge_base

        return synthetic_knowledge_base(6)

    @pytest.fixture
    def fitted(self, learner: Any, knowledge_base: Any) -> Any:
        key = f"{type(self).__name__}:{learner!r}"
        if key not in self._fitted:
            self._fitted[key] = learner.clone().fit(knowledge_base)
        return self._fitted[key]

    @staticmethod
    def query(knowledge_base: Any, name: str = "cls_a_01") -> pd.Series:
        return knowledge_base.metafeatures.loc[name].rename(name)

    # -- interface -------------------------------------------------------------
    def test_fit_returns_self(self, learner: Any, knowledge_base: Any) -> None:
        assert learner.fit(knowledge_base) is learner

    def test_constructor_stores_arguments_only(self, learner: Any) -> None:
        assert not [k for k in vars(learner) if k.endswith("_") and not k.startswith("_")]
        assert learner.clone().get_params().keys() == learner.get_params().keys()

    def test_rank_table(self, fitted: Any, knowledge_base: Any) -> None:
        from autometa.metalearn import RANK_COLUMNS

        table = fitted.rank(self.query(knowledge_base), kind="binary")
        assert table.columns.tolist() == RANK_COLUMNS
        assert table["rank"].tolist() == list(range(1, len(knowledge_base.configurations) + 1))
        assert set(table["config_id"]) == set(knowledge_base.configurations.index)
        assert all(isinstance(p, dict) for p in table["params"])
        assert table["predicted_score"].dtype == float and np.isfinite(table["predicted_score"]).all()
        assert (table["expected_fit_seconds"] > 0).all()
        assert all(isinstance(w, str) for w in table["why"])
        family, params = knowledge_base.configuration(table["config_id"].iloc[0])
        assert (table["family"].iloc[0], table["params"].iloc[0]) == (family, params)

    def test_top(self, fitted: Any, knowledge_base: Any) -> None:
        full = fitted.rank(self.query(knowledge_base), kind="binary")
        top = fitted.rank(self.query(knowledge_base), kind="binary", top=3)
        assert top["config_id"].tolist() == full["config_id"].tolist()[:3]
        with pytest.raises(DataError, match="'top'"):
            fitted.rank(self.query(knowledge_base), kind="binary", top=0)

    def test_families(self, fitted: Any, knowledge_base: Any) -> None:
        table = fitted.rank(self.query(knowledge_base), kind="binary", families=["beta", "gamma"])
        assert set(table["family"]) == {"beta", "gamma"} and len(table) == 3
        with pytest.raises(DataError, match="Unknown pipeline family 'nope'"):
            fitted.rank(self.query(knowledge_base), kind="binary", families=["nope"])

    def test_time_budget(self, fitted: Any, knowledge_base: Any) -> None:
        query = self.query(knowledge_base)
        free = fitted.rank(query, kind="binary")
        budget = float(np.median(free["expected_fit_seconds"]))
        table = fitted.rank(query, kind="binary", time_budget=budget)
        assert 0 < len(table) < len(free)
        assert (table["expected_fit_seconds"] <= budget).all()
        with pytest.warns(AutometaWarning, match="No configuration is expected"):
            fastest = fitted.rank(query, kind="binary", time_budget=1e-9, top=2)
        assert fastest["expected_fit_seconds"].max() <= free["expected_fit_seconds"].nsmallest(2).max()
        with pytest.raises(DataError, match="'time_budget'"):
            fitted.rank(query, kind="binary", time_budget=-5)

    def test_series_needs_kind(self, fitted: Any, knowledge_base: Any) -> None:
        with pytest.raises(DataError, match="kind="):
            fitted.rank(self.query(knowledge_base))

    def test_task_and_series_agree(self, fitted: Any, knowledge_base: Any) -> None:
        query = self.query(knowledge_base, "reg_b_02")
        task = task_with_metafeatures(query, "regression")
        by_task = fitted.rank(task, top=5)
        by_series = fitted.rank(query, kind="regression", top=5)
        assert by_task["config_id"].tolist() == by_series["config_id"].tolist()

    def test_rank_leaves_input_alone(self, fitted: Any, knowledge_base: Any) -> None:
        query = self.query(knowledge_base)
        before = query.copy()
        fitted.rank(query, kind="binary")
        pd.testing.assert_series_equal(query, before)

    def test_deterministic(self, learner: Any, knowledge_base: Any) -> None:
        query = self.query(knowledge_base, "cls_b_03")
        a = learner.clone().fit(knowledge_base).rank(query, kind="binary")
        b = learner.clone().fit(knowledge_base).rank(query, kind="binary")
        pd.testing.assert_frame_equal(a, b)

    # -- errors ----------------------------------------------------------------
    def test_unfitted_raises(self, learner: Any, knowledge_base: Any) -> None:
        with pytest.raises(AutometaError, match="not fitted"):
            learner.rank(self.query(knowledge_base), kind="binary")

    def test_unknown_kind_group(self, learner: Any) -> None:
        from autometa.metalearn import synthetic_knowledge_base

        kb = synthetic_knowledge_base(3, kinds=("binary",))
        fitted = learner.clone().fit(kb)
        with pytest.raises(AutometaError, match="without regression"):
            fitted.rank(kb.metafeatures.iloc[0], kind="regression")
        assert len(fitted.rank(kb.metafeatures.iloc[0])) == len(kb.configurations)  # one group: kind optional

    def test_invalid_parameter(self, learner: Any, knowledge_base: Any) -> None:
        bad = learner.clone().set_params(selection="sideways")
        with pytest.raises(DataError, match="'selection' parameter of .* must be"):
            bad.fit(knowledge_base)
        with pytest.raises(DataError, match="no parameter 'nope'"):
            learner.clone().set_params(nope=1)

    # -- persistence -----------------------------------------------------------
    def test_save_load(self, fitted: Any, knowledge_base: Any, tmp_path: Any) -> None:
        from autometa.metalearn import MetaLearner

        path = fitted.save(tmp_path / "learner.joblib")
        loaded = MetaLearner.load(path)
        query = self.query(knowledge_base)
        pd.testing.assert_frame_equal(loaded.rank(query, kind="binary"), fitted.rank(query, kind="binary"))

    # -- quality -----------------------------------------------------------------
    def test_better_than_random_on_known_base(self, learner: Any, knowledge_base: Any) -> None:
        from autometa.metalearn import random_metrics, ranking_metrics

        held = "cls_a_02"
        train = [d for d in knowledge_base.datasets.index if d != held]
        with warnings.catch_warnings():
            warnings.simplefilter("error", AutometaWarning)
            fitted = learner.clone().fit(knowledge_base.subset(train))
        table = fitted.rank(self.query(knowledge_base, held), kind="binary")
        truth = knowledge_base.scores(kind="classification").loc[held]
        order = [truth.index.get_loc(c) for c in table["config_id"]]
        mine = ranking_metrics(truth.to_numpy(), order, ks=(1,))
        assert mine["regret@1"] < random_metrics(truth.to_numpy(), ks=(1,))["regret@1"]


def write_knowledge_base(knowledge_base: Any, path: Any) -> Any:
    """Write an in-memory knowledge base (e.g. the synthetic one) to ``path`` in the on-disk format."""
    from pathlib import Path

    from autometa._io import atomic_write_json, atomic_write_parquet
    from autometa.knowledge import FILES

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    atomic_write_parquet(knowledge_base.datasets.reset_index(), path / FILES["datasets"])
    atomic_write_parquet(knowledge_base.metafeatures.reset_index(), path / FILES["metafeatures"])
    atomic_write_parquet(knowledge_base.configurations.reset_index(), path / FILES["configurations"])
    atomic_write_parquet(knowledge_base.evaluations, path / FILES["evaluations"])
    atomic_write_json(knowledge_base.manifest, path / FILES["manifest"])
    return path
