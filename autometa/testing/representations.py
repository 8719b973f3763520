"""Conformance suite for task encoders: subclass, override one fixture, get every common check.

Example, in ``tests/representations/test_my_encoder.py``::

    class TestMyEncoder(TaskEncoderConformance):
        @pytest.fixture
        def encoder(self):
            return MyEncoder(steps=20)

The suite fits the encoder on :func:`synthetic_tasks` (small raw tables for the
datasets of :func:`~autometa.metalearn.synthetic_knowledge_base`, whose two
clusters differ in how the target depends on the features) and checks: the
vector's shape and type, determinism for a fixed seed, invariance to row and
column order (exact when nothing is sampled, close when rows are sampled), tables
of any size, save/load, the error before fit, and that it plugs into
:class:`~autometa.metalearn.LightGBMRanker`.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest

from autometa.exceptions import AutometaError

__all__ = ["FAST_GROUPS", "TaskEncoderConformance", "make_task", "synthetic_tasks", "task_registry",
           "with_extracted_metafeatures"]


def make_task(name: str, *, rows: int, features: int, kind: str = "binary", cluster: str = "a",
              seed: int = 0, categorical: int = 0) -> Any:
    """A small raw table: in cluster ``a`` the target is linear in the features, in ``b`` a product of two."""
    from autometa.tasks import Task

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, features))
    signal = X[:, 0] + 0.5 * X[:, min(1, features - 1)] if cluster == "a" else X[:, 0] * X[:, -1]
    signal = signal + 0.1 * rng.normal(size=rows)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(features)])
    flags = [False] * features
    for j in range(min(categorical, features)):
        frame[f"x{j}"] = pd.Series(np.where(X[:, j] > 0, "hi", "lo"), dtype="object")
        flags[j] = True
    if kind == "regression":
        y = pd.Series(signal)
    elif kind == "binary":
        y = pd.Series((signal > np.median(signal)).astype(int))
    else:
        y = pd.Series(np.digitize(signal, np.quantile(signal, [1 / 3, 2 / 3])))
    return Task(name=name, X=frame, y=y, kind=kind, categorical=flags, source="synthetic")


def synthetic_tasks(knowledge_base: Any, seed: int = 0) -> list[Any]:
    """A raw :class:`~autometa.tasks.Task` for every dataset of a synthetic knowledge base (names ``*_a_*``/``*_b_*``)."""
    rng = np.random.default_rng(seed)
    tasks = []
    for name, row in knowledge_base.datasets.iterrows():
        cluster = "a" if "_a_" in str(name) else "b"
        tasks.append(make_task(str(name), rows=int(rng.integers(40, 120)), features=int(rng.integers(2, 9)),
                               kind=str(row["kind"]), cluster=cluster, seed=int(rng.integers(1 << 30))))
    return tasks


#: the meta-feature groups of :func:`with_extracted_metafeatures` (fast ones)
FAST_GROUPS = ["general", "statistical"]


def with_extracted_metafeatures(knowledge_base: Any, seed: int = 0) -> Any:
    """The base with meta-features extracted (:data:`FAST_GROUPS`) from its :func:`synthetic_tasks`.

    So that a Task's meta-features and the base's agree, as they do on a real base.
    """
    from autometa.knowledge import KnowledgeBase

    rows = [t.metafeatures(groups=FAST_GROUPS).rename(t.name) for t in synthetic_tasks(knowledge_base, seed)]
    mf = pd.DataFrame(rows).rename_axis("dataset").reset_index()
    kb = knowledge_base
    return KnowledgeBase(kb.datasets.reset_index(), mf, kb.configurations.reset_index(), kb.evaluations,
                         kb.manifest, kb.path)


def _constant(task: Any) -> Any:
    return lambda: task


def task_registry(tasks: list[Any]) -> Any:
    """A :class:`~autometa.tasks.TaskRegistry` holding ``tasks`` (what an encoder's ``data_dir`` may be)."""
    from autometa.tasks import TaskRegistry

    registry = TaskRegistry()
    for task in tasks:
        registry.register_lazy(task.name, _constant(task), {"name": task.name, "kind": task.kind,
                                                               "family": task.family})
    return registry


def _shuffled(task: Any, *, rows: bool = True, columns: bool = True, seed: int = 1) -> Any:
    from autometa.tasks import Task

    rng = np.random.default_rng(seed)
    r = rng.permutation(task.X.shape[0]) if rows else np.arange(task.X.shape[0])
    c = rng.permutation(task.X.shape[1]) if columns else np.arange(task.X.shape[1])
    X = task.X.iloc[r, c].reset_index(drop=True)
    y = task.y.iloc[r].reset_index(drop=True)
    return Task(name=task.name + "_shuffled", X=X, y=y, kind=task.kind,
                categorical=[task.categorical[j] for j in c], source="dataframe")


_SHARED: dict[str, Any] = {}


class TaskEncoderConformance:
    """Checks every :class:`~autometa.representations.TaskEncoder` must pass. Override ``encoder``."""

    #: whether transform is exactly invariant to row order when nothing is sampled
    exact_row_invariance: ClassVar[bool] = True
    _fitted: ClassVar[dict[str, Any]] = {}

    @pytest.fixture
    def encoder(self) -> Any:
        raise NotImplementedError("Override the `encoder` fixture with an unfitted TaskEncoder.")

    @pytest.fixture(scope="class")
    @staticmethod
    def knowledge_base() -> Any:
        if "kb" not in _SHARED:  # the same base for every encoder: extracted once per session
            from autometa.metalearn import synthetic_knowledge_base

            _SHARED["kb"] = with_extracted_metafeatures(synthetic_knowledge_base(3))
        return _SHARED["kb"]

    @pytest.fixture(scope="class")
    @staticmethod
    def tasks(knowledge_base: Any) -> list[Any]:
        return synthetic_tasks(knowledge_base)

    @pytest.fixture
    def fitted(self, encoder: Any, tasks: list[Any], knowledge_base: Any) -> Any:
        key = f"{type(self).__name__}:{encoder!r}"
        if key not in self._fitted:
            self._fitted[key] = copy.deepcopy(encoder).fit(tasks, knowledge_base)
        return self._fitted[key]

    # -- interface ---------------------------------------------------------------------
    def test_vector(self, fitted: Any, tasks: list[Any]) -> None:
        v = fitted.transform(tasks[0])
        assert isinstance(v, np.ndarray) and v.dtype == float and v.shape == (fitted.dim,)
        assert np.isfinite(v).all()

    def test_transform_knowledge_base(self, fitted: Any, tasks: list[Any], knowledge_base: Any) -> None:
        fitted.data_dir = task_registry(tasks)
        frame = fitted.transform_knowledge_base(knowledge_base)
        assert frame.shape == (len(knowledge_base.datasets), fitted.dim)
        np.testing.assert_allclose(frame.iloc[0].to_numpy(), fitted.transform(tasks[0]), atol=1e-6)

    def test_unfitted_raises(self, encoder: Any, tasks: list[Any]) -> None:
        with pytest.raises(AutometaError, match="not fitted"):
            encoder.transform(tasks[0])

    def test_deterministic(self, encoder: Any, fitted: Any, tasks: list[Any], knowledge_base: Any) -> None:
        again = copy.deepcopy(encoder).fit(tasks, knowledge_base)
        for task in tasks[:3]:
            np.testing.assert_allclose(again.transform(task), fitted.transform(task), atol=1e-6)

    # -- invariances -------------------------------------------------------------------
    def test_column_order(self, fitted: Any, tasks: list[Any]) -> None:
        task = tasks[1]
        np.testing.assert_allclose(fitted.transform(_shuffled(task, rows=False)), fitted.transform(task),
                                   atol=1e-5, rtol=1e-5)

    def test_row_order(self, fitted: Any, tasks: list[Any]) -> None:
        task = tasks[2]
        a, b = fitted.transform(_shuffled(task, columns=False)), fitted.transform(task)
        if self.exact_row_invariance:
            np.testing.assert_allclose(a, b, atol=1e-5, rtol=1e-5)
        else:
            assert np.linalg.norm(a - b) <= 0.1 * (np.linalg.norm(b) + 1e-9)

    def test_row_order_with_sampling_is_close(self, fitted: Any) -> None:
        if not hasattr(fitted, "max_rows"):
            pytest.skip("this encoder samples no rows")
        enc = copy.deepcopy(fitted)
        enc.max_rows = 400
        task = make_task("big", rows=2000, features=6, seed=3)
        a, b = enc.transform(_shuffled(task, columns=True)), enc.transform(task)
        others = [enc.transform(make_task(f"o{i}", rows=2000, features=6, cluster="b", kind="regression",
                                          seed=10 + i)) for i in range(2)]
        assert not np.allclose(a, b, atol=1e-9)  # the sample did change...
        gap = np.linalg.norm(a - b)
        assert gap < 0.2 * (np.linalg.norm(b) + 1e-9) or gap < min(np.linalg.norm(b - o) for o in others)

    def test_any_size(self, fitted: Any) -> None:
        for rows, features, cats in ((5, 1, 0), (30, 3, 2), (600, 40, 5)):
            v = fitted.transform(make_task(f"s{rows}", rows=rows, features=features, categorical=cats))
            assert v.shape == (fitted.dim,) and np.isfinite(v).all()

    # -- persistence and use -----------------------------------------------------------
    def test_save_load(self, fitted: Any, tasks: list[Any], tmp_path: Any) -> None:
        from autometa.representations import load_encoder

        path = fitted.save(tmp_path / "enc.pt")
        assert path.stat().st_size < 1_000_000
        back = load_encoder(path)
        assert type(back) is type(fitted) and back.dim == fitted.dim
        np.testing.assert_allclose(back.transform(tasks[3]), fitted.transform(tasks[3]), atol=1e-7)

    def test_plugs_into_ranker(self, encoder: Any, tasks: list[Any], knowledge_base: Any) -> None:
        from autometa.metalearn import LightGBMRanker

        enc = copy.deepcopy(encoder)
        enc.data_dir = task_registry(tasks)
        learner = LightGBMRanker(n_estimators=20, encoder=enc).fit(knowledge_base)
        name = str(knowledge_base.datasets.index[0])
        ranked = learner.rank(knowledge_base.metafeatures.loc[name].rename(name),
                              kind=knowledge_base.kind_of(name), top=3)
        assert len(ranked) == 3
