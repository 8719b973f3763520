"""Regret, first-pick rank and NDCG against hand-computed values; the leave-one-family-out loop."""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import pytest

from autometa.exceptions import DataError
from autometa.metalearn import evaluate, random_metrics, ranking_metrics, synthetic_knowledge_base

SCORES = [0.9, 0.8, 0.7, 0.6, 0.5]  # best 0.9, median 0.7: regret = (0.9 - x) / 0.2


def test_regret_by_hand():
    m = ranking_metrics(SCORES, [3, 1, 0], ks=(1, 2, 3, 10))
    assert m["regret@1"] == pytest.approx(1.5)  # (0.9 - 0.6) / 0.2
    assert m["regret@2"] == pytest.approx(0.5)  # (0.9 - 0.8) / 0.2
    assert m["regret@3"] == 0.0
    assert m["regret@10"] == 0.0  # k beyond the list: the whole list
    assert m["first_rank"] == 4.0


def test_ndcg_by_hand():
    # gains: normalised scores clipped to [0, 1] = [1, 0.5, 0, 0, 0]
    m = ranking_metrics(SCORES, [3, 1, 0], ks=(1,), ndcg_at=3)
    dcg = 0 / math.log2(2) + 0.5 / math.log2(3) + 1 / math.log2(4)
    idcg = 1 / math.log2(2) + 0.5 / math.log2(3)
    assert m["ndcg@3"] == pytest.approx(dcg / idcg)
    assert ranking_metrics(SCORES, [0, 1, 2, 3, 4], ndcg_at=10)["ndcg@10"] == pytest.approx(1.0)


def test_failed_configuration_counts_as_worst():
    scores = [0.9, np.nan, 0.7, 0.6, 0.5]  # finite: best 0.9, median 0.65
    m = ranking_metrics(scores, [1, 2], ks=(1, 2))
    assert m["regret@1"] == pytest.approx((0.9 - 0.5) / 0.25)
    assert m["regret@2"] == pytest.approx((0.9 - 0.7) / 0.25)
    assert m["first_rank"] == 4.0  # tied with the worst: three configurations are strictly better


def test_flat_dataset_has_no_regret():
    assert ranking_metrics([0.5, 0.5, 0.5], [2], ks=(1,))["regret@1"] == 0.0
    with pytest.raises(DataError, match="Every configuration failed"):
        ranking_metrics([np.nan, np.nan], [0])


def test_random_by_hand_and_by_enumeration():
    scores = np.array([1.0, 0.0, 0.5, 0.25])  # best 1, median 0.375
    m = random_metrics(scores, ks=(1, 2, 4))
    assert m["regret@1"] == pytest.approx((1 - scores.mean()) / 0.625)
    pairs = [max(scores[list(c)]) for c in combinations(range(4), 2)]
    assert m["regret@2"] == pytest.approx((1 - np.mean(pairs)) / 0.625)
    assert m["regret@4"] == 0.0
    assert m["first_rank"] == pytest.approx(2.5)
    # NDCG of random order: the mean over all orders
    from itertools import permutations

    ndcgs = [ranking_metrics(scores, list(p), ks=(1,), ndcg_at=2)["ndcg@2"] for p in permutations(range(4))]
    assert random_metrics(scores, ks=(1,), ndcg_at=2)["ndcg@2"] == pytest.approx(np.mean(ndcgs))


@pytest.fixture(scope="module")
def result():
    from autometa.metalearn import NearestDatasets

    return evaluate(synthetic_knowledge_base(6), {"neighbors": NearestDatasets(n_neighbors=3)},
                    groups=["classification", "regression"])


def test_evaluate_on_the_two_cluster_base(result):
    s = result.summary().set_index(["group", "learner"])
    for group in ("classification", "regression"):
        assert s.loc[(group, "neighbors"), "regret@1"] < 0.02  # alpha-000 or its near-copy alpha-001
        # average rank always tries gamma first: 0.85 against best 0.93/0.92 and median 0.73/0.72
        assert s.loc[(group, "average_rank"), "regret@1"] == pytest.approx(0.4, abs=0.05)
        assert s.loc[(group, "oracle"), "regret@1"] == 0.0 and s.loc[(group, "oracle"), "ndcg@10"] == 1.0
        assert s.loc[(group, "random"), "regret@1"] > s.loc[(group, "average_rank"), "regret@1"]
        assert s.loc[(group, "neighbors"), "w/t/l@1"] == "12/0/0"
        assert s.loc[(group, "neighbors"), "datasets"] == 12
    assert result.meta["folds"] == 12  # 3 families per cluster, 2 clusters, 2 groups
    curve = result.curve()
    assert set(curve["k"]) == {1, 3, 5, 10, 25}
    assert set(result.records["learner"]) == {"neighbors", "average_rank", "random", "oracle"}


def test_evaluate_holds_the_whole_family_out(monkeypatch):
    from autometa.metalearn import NearestDatasets

    kb = synthetic_knowledge_base(4, kinds=("binary",))
    seen = []
    original = NearestDatasets.fit

    def spy(self, knowledge_base):
        seen.append(set(knowledge_base.datasets.index))
        return original(self, knowledge_base)

    monkeypatch.setattr(NearestDatasets, "fit", spy)
    evaluate(kb, {"nn": NearestDatasets()})
    families = kb.datasets["family"]
    assert len(seen) == families.nunique()
    for train in seen:
        held = set(kb.datasets.index) - train
        assert families[list(held)].nunique() == 1 and set(families[list(train)]).isdisjoint(families[list(held)])


def test_evaluate_rejects_unknown_group():
    with pytest.raises(DataError, match="Unknown group"):
        evaluate(synthetic_knowledge_base(2), [], groups=["clustering"])
