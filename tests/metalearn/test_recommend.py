"""`recommend`: inputs, metric checks, and the on-disk cache of fitted learners."""

from __future__ import annotations

import importlib
import json

import numpy as np
import pandas as pd
import pytest

from autometa.exceptions import DataError
from autometa.metalearn import NearestDatasets, get_learner, recommend, synthetic_knowledge_base
from autometa.testing.metalearn import task_with_metafeatures, write_knowledge_base

# the module, not the function the package exports under the same name
recommend_module = importlib.import_module("autometa.metalearn.recommend")


@pytest.fixture(scope="module")
def kb():
    return synthetic_knowledge_base(6)


@pytest.fixture
def kb_path(kb, tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOMETA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(recommend_module, "_MEMORY", {})
    return write_knowledge_base(kb, tmp_path / "kb")


def test_recommend_a_task(kb):
    task = task_with_metafeatures(kb.metafeatures.loc["reg_b_01"], "regression")
    table = recommend(task, top=3, knowledge_base=kb, learner=NearestDatasets(n_neighbors=3))
    assert table["family"].iloc[0] == "beta" and len(table) == 3
    assert table.attrs["metric"] == "r2"


def test_metric_must_suit_the_task(kb):
    task = task_with_metafeatures(kb.metafeatures.loc["cls_a_01"], "binary")
    with pytest.raises(DataError, match="'metric' parameter of recommend must be None or one of accuracy"):
        recommend(task, metric="r2", knowledge_base=kb)
    table = recommend(task, metric="roc_auc", knowledge_base=kb, learner="neighbors")
    assert table.attrs["metric"] == "roc_auc"
    assert recommend(task, metric="log_loss", knowledge_base=kb).attrs["metric"] == "log_loss"


def test_unknown_learner():
    with pytest.raises(DataError, match="Unknown learner 'nope'; choose one of default"):
        get_learner("nope")
    assert repr(get_learner("ranker_regression")) == "LightGBMRanker(objective='regression')"
    assert repr(get_learner("default")) == "NearestDatasets()"


def test_fitted_learner_is_cached_on_disk(kb, kb_path, monkeypatch, tmp_path):
    task = task_with_metafeatures(kb.metafeatures.loc["cls_a_01"], "binary")
    first = recommend(task, knowledge_base=kb_path, learner="neighbors")
    files = list((tmp_path / "cache" / "metalearn").glob("*.joblib"))
    assert len(files) == 1
    monkeypatch.setattr(recommend_module, "_MEMORY", {})
    calls = []
    original = NearestDatasets.fit

    def counting_fit(self, knowledge_base):
        calls.append(1)
        return original(self, knowledge_base)

    monkeypatch.setattr(NearestDatasets, "fit", counting_fit)
    again = recommend(task, knowledge_base=kb_path, learner="neighbors")
    pd.testing.assert_frame_equal(first, again)
    assert calls == []  # loaded, not refitted
    manifest = kb_path / "manifest.json"  # the base changes: the cache key changes
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "updated": "later"}))
    recommend(task, knowledge_base=kb_path, learner="neighbors")
    assert calls == [1]
    assert len(list((tmp_path / "cache" / "metalearn").glob("*.joblib"))) == 2


def test_recommend_a_dataframe_end_to_end(kb_path):
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(120, 4)), columns=list("abcd"))
    df["label"] = np.where(df["a"] + rng.normal(size=120) > 0, "yes", "no")
    table = recommend(df, "label", top=4, knowledge_base=kb_path, learner="average_rank")
    assert table["config_id"].tolist()[0] == "gamma-000" and len(table) == 4
    X, y = df.drop(columns="label").to_numpy(), df["label"].to_numpy()
    assert recommend(X, y, top=4, knowledge_base=kb_path, learner="average_rank")["config_id"].tolist() == \
        table["config_id"].tolist()
    with pytest.raises(DataError, match="Pass the target"):
        recommend(X, knowledge_base=kb_path)


#: issue 7: the ranker on meta-features alone, on each learned representation, and on both
REPRESENTATION_RANKERS = {"ranker_dataset2vec": ["Dataset2VecEncoder"], "ranker_graph": ["FeatureGraphEncoder"],
                          "ranker_mf_dataset2vec": ["MetafeatureVectorEncoder", "Dataset2VecEncoder"],
                          "ranker_mf_graph": ["MetafeatureVectorEncoder", "FeatureGraphEncoder"]}


@pytest.mark.parametrize("name", sorted(REPRESENTATION_RANKERS))
def test_representation_rankers_resolve(name):
    from autometa.metalearn import LightGBMRanker

    learner = get_learner(name, n_estimators=7)
    assert isinstance(learner, LightGBMRanker) and learner.n_estimators == 7
    encoder = learner.encoder
    parts = getattr(encoder, "encoders", [encoder])
    assert [type(p).__name__ for p in parts] == REPRESENTATION_RANKERS[name]
    assert repr(learner.clone()) == repr(learner)


def test_learner_registry_does_not_load_torch(runs_without_torch):
    runs_without_torch("import sys\n"
                       "from autometa.cli import main\n"
                       "from autometa.metalearn import get_learner\n"
                       "get_learner('default')\n"
                       "assert 'autometa.representations' not in sys.modules\n"
                       "get_learner('ranker_mf_graph')  # made, not fitted: no torch yet\n")
