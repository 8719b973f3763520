"""On a base where the answer is known, nearest datasets and the ranker get it; average rank cannot."""

from __future__ import annotations

from typing import Any

import pytest

from autometa.knowledge import KnowledgeBase
from autometa.metalearn import (
    AverageRank,
    LightGBMRanker,
    NearestDatasets,
    synthetic_knowledge_base,
)


@pytest.fixture(scope="module")
def kb():
    return synthetic_knowledge_base(6)


def first_picks(learner, kb, group):
    """First pick of ``learner`` on every dataset of ``group``, each held out with its family."""
    picks = {}
    names = kb.dataset_names(group)
    families = kb.datasets.loc[names, "family"]
    for family in families.unique():
        fitted = learner.clone().fit(kb.subset(list(families.index[families != family])))
        for name in families.index[families == family]:
            query = kb.metafeatures.loc[name].rename(name)
            picks[name] = fitted.rank(query, kind=kb.kind_of(name), top=1)["family"].iloc[0]
    return picks


def expected(name):
    return "alpha" if "_a_" in name else "beta"


@pytest.mark.parametrize("group", ["classification", "regression"])
@pytest.mark.parametrize("learner", [NearestDatasets(n_neighbors=3),
                                     LightGBMRanker(n_estimators=100, min_child_samples=5)],
                         ids=["neighbors", "ranker"])
def test_task_aware_learners_recommend_the_cluster_best(kb, learner, group):
    picks = first_picks(learner, kb, group)
    assert picks == {name: expected(name) for name in picks}


@pytest.mark.parametrize("group", ["classification", "regression"])
def test_average_rank_recommends_the_generalist_everywhere(kb, group):
    picks = first_picks(AverageRank(), kb, group)
    assert set(picks.values()) == {"gamma"}


def test_explanations_name_the_neighbours(kb):
    learner = NearestDatasets(n_neighbors=3).fit(kb.subset([d for d in kb.datasets.index if d != "cls_a_00"]))
    table = learner.rank(kb.metafeatures.loc["cls_a_00"], kind="binary", top=1)
    neighbours = table.attrs["neighbours"]
    assert len(neighbours) == 3 and all("_a_" in n["dataset"] for n in neighbours)
    assert sum(n["weight"] for n in neighbours) == pytest.approx(1.0)
    assert table["why"].iloc[0].startswith("best on cls_a_")
    assert table.attrs["metric"] == "balanced_accuracy"


@pytest.mark.parametrize("group", ["classification", "regression"])
def test_rank_aggregate_also_recommends_the_cluster_best(kb, group):
    picks = first_picks(NearestDatasets(n_neighbors=3, aggregate="rank"), kb, group)
    assert picks and all(pick == expected(name) for name, pick in picks.items()), picks


@pytest.mark.parametrize("shrinkage", [0.0, 1.0])
def test_rank_aggregate_over_every_dataset_is_average_rank(kb, shrinkage):
    """With every training dataset as a neighbour (or full shrinkage) and raw ranks it orders as average rank does."""
    names = kb.dataset_names("classification")
    query = kb.metafeatures.loc[names[0]]
    n = len(names) if shrinkage == 0.0 else 2
    ours = NearestDatasets(n_neighbors=n, aggregate="rank", shrinkage=shrinkage, selection="score",
                           duplicate_distance=0.0,  # the query is in the base: no near-copy rule
                           rank_tolerance=0.0).fit(kb)  # average rank ranks by the raw scores
    base = AverageRank().fit(kb)
    top = 10
    assert (ours.rank(query, kind="binary", top=top)["config_id"].tolist()
            == base.rank(query, kind="binary", top=top)["config_id"].tolist())


def test_a_near_copy_of_a_known_dataset_gets_its_winner_first(kb):
    """With every dataset as a neighbour, a query equal to one of them ranks (a near-copy of) its best first."""
    names = kb.dataset_names("classification")
    scores = kb.scores("balanced_accuracy", kind="classification")
    learner = NearestDatasets(n_neighbors=len(names)).fit(kb)
    plain = NearestDatasets(n_neighbors=len(names), duplicate_distance=0.0).fit(kb)
    gaps, plain_gaps = [], []
    for name in names:
        query = kb.metafeatures.loc[name]
        first = learner.rank(query, kind=kb.kind_of(name), top=1)["config_id"].iloc[0]
        gaps.append(scores.loc[name].max() - scores.loc[name, first])
        first = plain.rank(query, kind=kb.kind_of(name), top=1)["config_id"].iloc[0]
        plain_gaps.append(scores.loc[name].max() - scores.loc[name, first])
    assert max(gaps) < 0.01, gaps
    assert max(plain_gaps) > 0.05  # without the rule, the other cluster's datasets outvote it


def _hair_and_clear_base() -> Any:
    """Cluster A where alpha-000 edges alpha-001 by 0.001 on five datasets and loses by 0.13 on the sixth."""
    kb = synthetic_knowledge_base(6, kinds=("binary",))
    ev = kb.evaluations.copy()
    a_sets = sorted(d for d in kb.datasets.index if "_a_" in d)
    for i, name in enumerate(a_sets):
        first, second = (0.930, 0.929) if i < 5 else (0.800, 0.930)
        for config_id, value in (("alpha-000", first), ("alpha-001", second)):
            rows = (ev["dataset"] == name) & (ev["config_id"] == config_id)
            ev.loc[rows, ["accuracy", "balanced_accuracy"]] = value
    return KnowledgeBase(kb.datasets.reset_index(), kb.metafeatures.reset_index(), kb.configurations.reset_index(),
                         ev, kb.manifest)


def test_rank_tolerance_ties_differences_within_noise():
    """Mean raw rank prefers the hair's-breadth winner; with ties within 0.05 the clear winner comes first."""
    kb = _hair_and_clear_base()
    query = kb.metafeatures.loc["cls_a_00"]
    firsts = {}
    for tolerance in (0.0, 0.05):
        learner = NearestDatasets(n_neighbors=6, duplicate_distance=0.0, rank_tolerance=tolerance).fit(kb)
        firsts[tolerance] = learner.rank(query, kind="binary", top=1)["config_id"].iloc[0]
    # raw mean ranks over the six: alpha-000 (5 x 1 + 3) / 6 = 1.33, alpha-001 (5 x 2 + 1) / 6 = 1.83
    assert firsts == {0.0: "alpha-000", 0.05: "alpha-001"}
    assert NearestDatasets().rank_tolerance == 0.05
