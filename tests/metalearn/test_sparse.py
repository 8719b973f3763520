"""Sparse bases (a user's recorded studies): untried cells are unknown, never failures."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from autometa.knowledge import KnowledgeBase
from autometa.metalearn import (
    AverageRank,
    LightGBMRanker,
    NearestDatasets,
    synthetic_knowledge_base,
)
from autometa.metalearn._data import group_data

#: the only configurations the sparse dataset evaluated (none of them alpha, the best on cluster A)
TRIED = ["gamma-000", "delta-000", "delta-001"]
SPARSE = "cls_a_sparse"


def _with_sparse_dataset(kb: Any) -> KnowledgeBase:
    """``kb`` plus one cluster-A dataset on which only :data:`TRIED` were evaluated."""
    template = "cls_a_00"
    datasets = kb.datasets.reset_index()
    row = datasets[datasets["dataset"] == template].assign(dataset=SPARSE, checksum="f" * 16, family="sparse")
    metafeatures = kb.metafeatures.reset_index()
    mf = metafeatures[metafeatures["dataset"] == template].assign(dataset=SPARSE)
    ev = kb.evaluations
    evals = ev[(ev["dataset"] == template) & ev["config_id"].isin(TRIED)].assign(dataset=SPARSE)
    return KnowledgeBase(pd.concat([datasets, row], ignore_index=True),
                         pd.concat([metafeatures, mf], ignore_index=True), kb.configurations.reset_index(),
                         pd.concat([ev, evals], ignore_index=True), kb.manifest)


@pytest.fixture(scope="module")
def dense() -> Any:
    return synthetic_knowledge_base(3, kinds=("binary",))


@pytest.fixture(scope="module")
def sparse(dense: Any) -> KnowledgeBase:
    return _with_sparse_dataset(dense)


def test_untried_cells_are_unknown_not_failures(sparse: KnowledgeBase) -> None:
    data = group_data(sparse, "classification")
    assert data is not None
    row = data.rows_of([SPARSE])[0]
    tried = data.tried[row]
    assert sorted(data.config_ids[tried]) == sorted(TRIED)
    assert np.all(data.norm[row, ~tried] == 0.0)  # the median, not the failure floor
    assert data.norm[row, list(data.config_ids).index("gamma-000")] == 1.0
    # the synthetic failure (delta-005 on cls_a_00) was evaluated: still a failure
    failed = data.rows_of(["cls_a_00"])[0], list(data.config_ids).index("delta-005")
    assert data.tried[failed] and data.norm[failed] == -10.0
    dense_rows = [r for r in range(len(data.datasets)) if r != row]
    assert data.tried[dense_rows].all()


def test_nearest_datasets_averages_over_the_neighbours_that_evaluated(sparse: KnowledgeBase) -> None:
    learner = NearestDatasets(n_neighbors=4, feature_weights="uniform").fit(sparse)
    query = sparse.metafeatures.loc[SPARSE]  # nearest: itself, then cluster A
    ranking = learner.rank(query, kind="binary", top=3)
    assert ranking["family"].iloc[0] == "alpha", ranking  # as a failure there, alpha would lose to gamma
    alpha = ranking.set_index("config_id").loc["alpha-000", "predicted_score"]
    assert 0.8 < alpha < 1.0  # shrunk a little: the nearest neighbour did not evaluate it
    assert "cls_a_sparse" not in ranking.set_index("config_id").loc["alpha-000", "why"]


def test_nearest_datasets_dense_unchanged_by_unknown_weight(dense: Any) -> None:
    query = dense.metafeatures.loc["cls_a_00"]
    a = NearestDatasets(n_neighbors=4).fit(dense).rank(query, kind="binary")
    b = NearestDatasets(n_neighbors=4, unknown_weight=5.0).fit(dense).rank(query, kind="binary")
    cols = ["config_id", "predicted_score", "why"]
    pd.testing.assert_frame_equal(a[cols], b[cols])


def test_average_rank_ignores_untried_cells(dense: Any, sparse: KnowledgeBase) -> None:
    before = AverageRank().fit(dense).groups_["classification"]
    after = AverageRank().fit(sparse).groups_["classification"]
    ids = list(AverageRank().fit(sparse).data_["classification"].config_ids)
    for config in ("alpha-000", "beta-000", "delta-005"):
        i = ids.index(config)
        # an untried cell would otherwise rank near the bottom and drag the mean by about 0.3
        assert abs(after["mean_rank"][i] - before["mean_rank"][i]) < 0.1
        assert abs(after["mean_score"][i] - before["mean_score"][i]) < 0.1
    # gamma ranked first of the three the sparse dataset tried: rank 1 there, not 3
    g = ids.index("gamma-000")
    assert after["mean_rank"][g] <= before["mean_rank"][g]


@pytest.mark.parametrize("objective", ["lambdarank", "regression"])
def test_ranker_leaves_untried_cells_out_of_training(sparse: KnowledgeBase, objective: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import lightgbm as lgb

    seen: dict[str, Any] = {}
    klass = lgb.LGBMRanker if objective == "lambdarank" else lgb.LGBMRegressor
    original = klass.fit

    def spy(self: Any, X: Any, y: Any, **kwargs: Any) -> Any:
        seen["rows"], seen["group"] = len(X), kwargs.get("group")
        return original(self, X, y, **kwargs)

    monkeypatch.setattr(klass, "fit", spy)
    learner = LightGBMRanker(objective=objective, n_estimators=10, min_child_samples=2).fit(sparse)
    n_dense = len(sparse.datasets) - 1
    n_cfg = len(sparse.configurations)
    assert seen["rows"] == n_dense * n_cfg + len(TRIED)
    if objective == "lambdarank":
        assert sorted(np.asarray(seen["group"]).tolist()) == [len(TRIED)] + [n_cfg] * n_dense
    assert len(learner.rank(sparse.metafeatures.loc[SPARSE], kind="binary")) == n_cfg
