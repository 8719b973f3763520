"""Task vectors (the default meta-feature encoder and the encoder hook) and configuration encoding."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from autometa.metalearn import (
    ConcatEncoder,
    LightGBMRanker,
    MetafeatureEncoder,
    NearestDatasets,
    encode_configurations,
    synthetic_knowledge_base,
)
from autometa.metalearn._data import normalise_scores


def test_normalise_scores():
    # finite scores -5, 0.5, 0.7, 0.8, 0.9: median 0.7, best 0.9
    z = normalise_scores(np.array([[0.5, 0.7, 0.9, np.nan, -5.0, 0.8], [1.0, 1.0, 1.0, 1.0, 0.0, 1.0]]))
    assert z[0].tolist() == pytest.approx([-1.0, 0.0, 1.0, -10.0, -10.0, 0.5])  # failure, disaster: the floor
    assert z[1].tolist() == [1.0, 1.0, 1.0, 1.0, -10.0, 1.0]  # best == median
    assert normalise_scores(np.array([0.5, 0.7, 0.9, np.nan, -5.0, 0.8]), floor=-1.0).min() == -1.0
    raw = normalise_scores(np.array([0.5, 0.7, 0.9, np.nan, -5.0, 0.8]), floor=None)
    assert raw[4] == pytest.approx(-28.5) and np.isnan(raw[3])


def test_metafeature_encoder():
    mf = pd.DataFrame({"nr_inst": [10.0, 100.0, 1000.0, 10000.0], "flat": [1.0, 1.0, 1.0, 1.0],
                       "gappy": [1.0, np.nan, np.nan, np.nan], "x": [0.0, 1.0, 2.0, 100.0],
                       "_seconds": [0.1, 0.2, 0.3, 0.4]},
                      index=list("abcd"))
    enc = MetafeatureEncoder(clip=3.0).fit(mf)
    assert enc.columns_ == ["nr_inst", "x"]  # constant, mostly missing and bookkeeping columns dropped
    assert enc.log_.tolist() == [True, False]
    vectors = enc.transform_knowledge_base(mf)
    assert np.abs(vectors.to_numpy()).max() <= 3.0  # x's outlier clipped
    query = pd.Series({"x": np.nan, "other": 5.0})  # nothing known: the typical dataset
    assert enc.transform(query).tolist() == [0.0, 0.0]
    with pytest.raises(ValueError, match="not fitted"):
        MetafeatureEncoder().transform(query)


def test_encode_configurations():
    cfg = pd.DataFrame({"family": ["rf", "rf", "svm"],
                        "params": [json.dumps({"max_features": "sqrt", "n_estimators": 10}),
                                   json.dumps({"max_features": 0.5, "n_estimators": 1000}),
                                   json.dumps({"C": 1.0, "shrinking": True})]})
    enc = encode_configurations(cfg)
    assert enc.columns.tolist() == ["family", "C", "max_features", "max_features=", "n_estimators", "shrinking"]
    assert enc["family"].tolist() == [0, 0, 1]
    assert enc["n_estimators"].tolist()[:2] == pytest.approx([1.0, 3.0])  # log10: spans a factor of 100
    assert np.isnan(enc.loc[0, "max_features"]) and enc.loc[1, "max_features"] == 0.5
    assert enc["max_features="].tolist()[0] == 0.0 and np.isnan(enc["max_features="].tolist()[1])
    assert enc["shrinking"].tolist()[2] == 1.0


class SignalEncoder:
    """A stand-in for a learned representation: the three informative meta-features, plus a fit log."""

    def __init__(self) -> None:
        self.seen: list[list[str]] = []

    def fit(self, knowledge_base):
        self.seen.append(sorted(knowledge_base.datasets.index))
        return self

    def transform(self, task):
        series = task if isinstance(task, pd.Series) else task.metafeatures()
        return series[["signal_0", "signal_1", "signal_2"]].to_numpy(dtype=float)


@pytest.mark.parametrize("make", [lambda enc: LightGBMRanker(encoder=enc, n_estimators=60, min_child_samples=5),
                                  lambda enc: NearestDatasets(encoder=enc, n_neighbors=3)],
                         ids=["ranker", "neighbors"])
def test_encoder_hook(make):
    kb = synthetic_knowledge_base(6, kinds=("binary",))
    held = "cls_b_04"
    encoder = SignalEncoder()
    learner = make(encoder).fit(kb.subset([d for d in kb.datasets.index if d != held]))
    assert encoder.seen == []  # the learner fits its own copy, on the training part only
    fitted_encoder = learner.groups_["classification"]["encoder"]
    assert fitted_encoder.seen == [sorted(d for d in kb.datasets.index if d != held)]
    assert learner.groups_["classification"]["vectors"].shape == (len(kb.datasets) - 1, 3)
    assert learner.rank(kb.metafeatures.loc[held].rename(held), top=1)["family"].iloc[0] == "beta"


def test_concat_encoder_joins_vectors():
    kb = synthetic_knowledge_base(4, kinds=("binary",))
    learner = LightGBMRanker(encoder=ConcatEncoder([MetafeatureEncoder(), SignalEncoder()]),
                             n_estimators=20, min_child_samples=5).fit(kb)
    vectors = learner.groups_["classification"]["vectors"]
    n_mf = len(learner.groups_["classification"]["encoder"].encoders[0].columns_)
    assert vectors.shape == (len(kb.datasets), n_mf + 3)
    assert len(learner.rank(kb.metafeatures.iloc[0], top=2)) == 2


@pytest.mark.parametrize("metafeatures", ["no columns", "all missing", "no rows"])
def test_learners_survive_a_base_without_metafeatures(metafeatures):
    from autometa.exceptions import AutometaWarning
    from autometa.knowledge import KnowledgeBase

    kb = synthetic_knowledge_base(4, kinds=("binary",))
    names = list(kb.datasets.index)
    mf = {"no columns": pd.DataFrame({"dataset": names}),
          "all missing": pd.DataFrame({"dataset": names, "x": np.nan}),
          "no rows": pd.DataFrame(columns=["dataset", "x"])}[metafeatures]
    bare = KnowledgeBase(kb.datasets.reset_index(), mf, kb.configurations.reset_index(), kb.evaluations, kb.manifest)
    for learner in (NearestDatasets(n_neighbors=2), LightGBMRanker(n_estimators=10, min_child_samples=5)):
        with pytest.warns(AutometaWarning, match="No usable task-vector dimension"):
            fitted = learner.fit(bare)
        table = fitted.rank(kb.metafeatures.iloc[0], top=3)
        assert len(table) == 3
        assert len(table.attrs["neighbours"]) == len(names)  # everyone is a neighbour
        assert table["config_id"].iloc[0] == "gamma-000"  # the best on average, as average rank says


def test_metafeature_encoder_groups():
    mf = pd.DataFrame({"nr_inst": [10.0, 20.0, 30.0], "one_nn.mean": [0.5, 0.6, 0.7], "custom": [1.0, 2.0, 4.0]})
    assert MetafeatureEncoder().fit(mf).columns_ == ["nr_inst", "custom"]  # landmarking left out by default
    assert MetafeatureEncoder(groups="all").fit(mf).columns_ == ["nr_inst", "one_nn.mean", "custom"]
