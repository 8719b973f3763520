"""Encoder-specific checks: table preparation, training lowers the loss, sampling, lazy torch."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from autometa.exceptions import AutometaError, DataError
from autometa.metalearn import synthetic_knowledge_base
from autometa.representations import Dataset2VecEncoder, FeatureGraphEncoder, prepare_table
from autometa.representations.graph import feature_graph
from autometa.testing.representations import _shuffled, make_task, synthetic_tasks


@pytest.fixture(scope="module")
def kb_and_tasks() -> tuple:
    kb = synthetic_knowledge_base(4)
    return kb, synthetic_tasks(kb)


def test_import_is_torch_free() -> None:
    code = "import sys, autometa, autometa.representations; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_prepare_table_sampling_and_encoding() -> None:
    task = make_task("t", rows=500, features=12, categorical=3, kind="multiclass")
    full = prepare_table(task, max_rows=None, max_features=None)
    assert full.X.shape == (500, 12) and full.categorical[:3].all() and not full.categorical[3:].any()
    np.testing.assert_allclose(full.X.mean(axis=0), 0.0, atol=1e-5)
    small = prepare_table(task, max_rows=100, max_features=5, seed=1)
    assert small.X.shape == (100, 5) and small.n_rows == 500 and small.n_features == 12
    again = prepare_table(task, max_rows=100, max_features=5, seed=1)
    np.testing.assert_array_equal(small.X, again.X)


@pytest.mark.parametrize("objective", ["profile", "same_dataset"])
def test_dataset2vec_training_lowers_loss(kb_and_tasks: tuple, objective: str) -> None:
    kb, tasks = kb_and_tasks
    enc = Dataset2VecEncoder(objective=objective, steps=30, batch_rows=16, hidden=8).fit(tasks, kb)
    h = np.asarray(enc.loss_history_)
    assert h[-10:].mean() < h[:10].mean()


def test_graph_training_lowers_loss(kb_and_tasks: tuple) -> None:
    kb, tasks = kb_and_tasks
    enc = FeatureGraphEncoder(epochs=40, hidden=16).fit(tasks, kb)
    assert enc.loss_history_[-1] < 0.8 * enc.loss_history_[0]


@pytest.mark.parametrize("make", [lambda: Dataset2VecEncoder(steps=5, max_rows=None, max_features=None),
                                  lambda: FeatureGraphEncoder(epochs=5, max_rows=None, max_features=None)])
def test_sampling_off_is_exactly_invariant(kb_and_tasks: tuple, make) -> None:
    kb, tasks = kb_and_tasks
    enc = make().fit(tasks, kb)
    task = make_task("wide", rows=3000, features=80, categorical=4)
    np.testing.assert_allclose(enc.transform(_shuffled(task)), enc.transform(task), atol=1e-5, rtol=1e-5)


def test_sampling_on_is_close(kb_and_tasks: tuple) -> None:
    kb, tasks = kb_and_tasks
    enc = Dataset2VecEncoder(steps=20, max_rows=500, max_features=20).fit(tasks, kb)
    task = make_task("wide", rows=3000, features=30)
    a, b = enc.transform(_shuffled(task)), enc.transform(task)
    other = enc.transform(make_task("other", rows=3000, features=30, kind="regression", cluster="b", seed=5))
    assert np.linalg.norm(a - b) < np.linalg.norm(b - other)


def test_feature_graph_shape_and_weights() -> None:
    g = feature_graph(prepare_table(make_task("t", rows=200, features=4)))
    assert g.nodes.shape == (5, 8) and g.adjacency.shape == (5, 5)
    np.testing.assert_allclose(g.adjacency.sum(axis=1), 1.0, atol=1e-5)
    assert g.nodes[-1, -1] == 1.0  # the target node is last


def test_errors(kb_and_tasks: tuple) -> None:
    kb, tasks = kb_and_tasks
    with pytest.raises(AutometaError, match="knowledge base"):
        Dataset2VecEncoder(steps=2).fit(tasks)
    with pytest.raises(DataError, match="objective"):
        Dataset2VecEncoder(objective="nope", steps=2).fit(tasks, kb)
    Dataset2VecEncoder(objective="same_dataset", steps=2).fit(tasks)  # needs no scores
    with pytest.raises(DataError, match="named by its dataset"):
        Dataset2VecEncoder(objective="same_dataset", steps=2).fit(tasks).transform(kb.metafeatures.iloc[0]
                                                                                   .rename(None))


def test_frozen_encoder_keeps_weights(kb_and_tasks: tuple) -> None:
    from autometa.representations import FrozenEncoder

    kb, tasks = kb_and_tasks
    enc = FeatureGraphEncoder(epochs=3, hidden=8).fit(tasks, kb)
    before = enc.transform(tasks[0])
    frozen = FrozenEncoder(enc).fit(kb)
    np.testing.assert_array_equal(frozen.transform(tasks[0]), before)
    assert frozen.dim == enc.dim
