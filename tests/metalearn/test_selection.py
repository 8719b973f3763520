"""Diverse lists (coverage of the neighbours' best configurations) and time-aware ranking."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from autometa.metalearn import NearestDatasets, synthetic_knowledge_base
from autometa.metalearn._data import FitTimeModel
from autometa.metalearn._selection import order_by_coverage, order_by_lead_then, order_by_score
from autometa.testing.metalearn import task_with_metafeatures


@pytest.fixture(scope="module")
def kb():
    return synthetic_knowledge_base(6)


def test_coverage_by_hand():
    # three scenarios; 0 and 1 are copies good on the first two, 2 is the only good one on the third
    Z = np.array([[1.0, 1.0, 0.0, 0.5], [0.9, 0.9, 0.0, 0.5], [0.0, 0.0, 1.0, 0.5]])
    predicted = Z.mean(axis=0)
    assert order_by_score(predicted, np.arange(4)).tolist() == [0, 1, 3, 2]
    assert order_by_coverage(predicted, Z, np.ones(3), np.arange(4)).tolist()[:2] == [0, 2]
    # the third scenario counts for nothing: nothing adds coverage after 0, so the predicted score
    # decides (the copy 1), unless redundancy says 1 is a copy of 0
    no_third = np.array([1.0, 1.0, 0.0])
    assert order_by_coverage(predicted, Z, no_third, np.arange(4), top=2).tolist() == [0, 1]
    copies = np.eye(4)
    copies[0, 1] = copies[1, 0] = 1.0
    assert order_by_coverage(predicted, Z, no_third, np.arange(4), top=2, redundancy=copies).tolist() == [0, 3]
    assert order_by_coverage(predicted, Z, np.ones(3), np.array([1, 3]), top=5).tolist() == [1, 3]


def test_near_copies_are_not_stacked(kb):
    query = kb.metafeatures.loc["cls_a_00"]
    learner = NearestDatasets(n_neighbors=3, selection="score").fit(kb)
    by_score = learner.rank(query, kind="binary", top=3)
    assert by_score["config_id"].tolist()[:2] in (["alpha-000", "alpha-001"], ["alpha-001", "alpha-000"])
    diverse = learner.clone().set_params(selection="coverage").fit(kb).rank(query, kind="binary", top=3)
    redundancy = learner.data_["classification"].redundancy
    ids = list(learner.data_["classification"].config_ids)
    picked = [ids.index(c) for c in diverse["config_id"]]
    assert max(redundancy[a, b] for a in picked for b in picked if a != b) < 0.95
    assert diverse["config_id"].iloc[0] == by_score["config_id"].iloc[0]


def test_coverage_spans_both_clusters_for_an_ambiguous_task(kb):
    query = kb.metafeatures.loc["cls_a_00"].copy()
    query[["signal_0", "signal_1", "signal_2"]] = 0.0  # halfway between the clusters
    learner = NearestDatasets(n_neighbors=12, feature_weights="uniform", lead=1)
    diverse = learner.fit(kb).rank(query, kind="binary", top=3)
    assert {"alpha", "beta"} <= set(diverse["family"])  # the best of each cluster
    plain = learner.clone().set_params(selection="score").fit(kb).rank(query, kind="binary", top=3)
    assert not {"alpha", "beta"} <= set(plain["family"])


def test_time_budget_moves_to_fast_configurations(kb):
    task = task_with_metafeatures(kb.metafeatures.loc["cls_a_00"], "binary", n_rows=1000)
    learner = NearestDatasets(n_neighbors=3).fit(kb)
    free = learner.rank(task, top=3)
    assert free["family"].iloc[0] == "alpha" and free["expected_fit_seconds"].iloc[0] > 2
    fast = learner.rank(task, top=3, time_budget=2.0)
    assert fast["config_id"].iloc[0] == "gamma-000"  # the best of what fits
    assert (fast["expected_fit_seconds"] <= 2.0).all()
    # expected seconds grow with the data
    big = learner.rank(task_with_metafeatures(kb.metafeatures.loc["cls_a_00"], "binary", n_rows=10_000), top=1)
    assert big["expected_fit_seconds"].iloc[0] > 5 * free["expected_fit_seconds"].iloc[0]


def test_fit_time_model_recovers_the_scaling():
    rng = np.random.default_rng(0)
    rows = rng.integers(100, 5000, 60).astype(float)
    features = rng.integers(2, 100, 60).astype(float)
    base = np.array([1e-4, 1e-3])
    seconds = base * (rows[:, None] ** 1.2) * np.sqrt(features)[:, None] * np.exp(rng.normal(0, 0.05, (60, 2)))
    seconds[3, 1] = np.nan  # a missing record is skipped
    model = FitTimeModel.fit(seconds, rows, features, np.array(["f", "f"]))
    assert model.row_slope == pytest.approx([1.2, 1.2], abs=0.05)
    assert model.feature_slope == pytest.approx([0.5, 0.5], abs=0.05)
    expected = base * 2000 ** 1.2 * np.sqrt(10)
    assert model.predict(2000, 10) == pytest.approx(expected, rel=0.1)
    assert np.allclose(model.predict(None, 10), np.nanmedian(seconds, axis=0))


def test_fit_time_grows_at_least_linearly_beyond_the_recorded_sizes():
    rows = np.array([100.0, 200.0, 400.0, 800.0])
    seconds = np.array([[0.10], [0.11], [0.12], [0.13]])  # overhead-dominated: slope ~0.1
    model = FitTimeModel.fit(seconds, rows, np.full(4, 10.0), np.array(["f"]))
    assert model.row_slope[0] < 0.2 and model.max_rows == 800
    assert model.predict(8000, 10)[0] == pytest.approx(model.predict(800, 10)[0] * 10, rel=1e-6)


def test_fit_time_beyond_the_recorded_sizes_follows_the_family_growth_curve():
    from autometa.metalearn._data import LARGE_DATA_GROWTH, large_data_growth

    rows = np.array([100.0, 200.0, 400.0, 800.0])
    seconds = np.array([[0.10, 0.10, 0.10]]).repeat(4, axis=0) * (1 + rows[:, None] / 8000)
    families = np.array(["svm", "hist_gradient_boosting", "f"])
    model = FitTimeModel.fit(seconds, rows, np.full(4, 10.0), families)
    at_max, far = model.predict(800, 10), model.predict(32000, 10)
    # svm's curve: 0.037 s at 1,000 rows, 26.2 s at 32,000; 800 rows lie before it (first segment's slope)
    svm = dict(LARGE_DATA_GROWTH["svm"])
    step = (np.log(svm[4000]) - np.log(svm[1000])) / np.log(4)
    assert far[0] / at_max[0] == pytest.approx(svm[32000] / (svm[1000] * (800 / 1000) ** step), rel=1e-6)
    assert far[0] / at_max[0] > (32000 / 800) ** 1.5  # far more than the linear rule's 40x
    # histogram boosting barely grows: far less than linear
    assert far[1] / at_max[1] == pytest.approx(large_data_growth("hist_gradient_boosting", 800, 32000))
    assert far[1] / at_max[1] < 5
    # a family without a curve keeps the at-least-linear rule
    assert far[2] / at_max[2] == pytest.approx((32000 / 800) ** max(model.row_slope[2], 1.0), rel=1e-6)
    # within the recorded sizes the curves change nothing
    import copy

    plain = copy.copy(model)
    plain.families = None  # as a learner saved before the curves: the at-least-linear rule everywhere
    assert np.array_equal(model.predict(500, 10), plain.predict(500, 10))
    assert far[0] > plain.predict(32000, 10)[0] and far[1] < plain.predict(32000, 10)[1]


def test_large_data_growth_interpolates_and_extrapolates_the_curve():
    from autometa.metalearn._data import large_data_growth

    # on the curve: the measured ratio (random forest: 0.410 s at 1,000 rows, 40.105 s at 64,000)
    assert large_data_growth("random_forest", 1000, 64000) == pytest.approx(40.105 / 0.410)
    # between points: log-log interpolation, 2,000 rows halfway (in log) from 1,000 to 4,000
    assert large_data_growth("random_forest", 1000, 2000) == pytest.approx(np.sqrt(1.631 / 0.410))
    # beyond the last point: the last segment's slope, at least linear (knn 0.054 -> 0.284 over 4x)
    slope = np.log(0.284 / 0.054) / np.log(4)
    assert large_data_growth("knn", 64000, 256000) == pytest.approx(4 ** slope)
    assert large_data_growth("lightgbm", 64000, 128000) == pytest.approx(2.0)  # last slope 0.55 -> 1
    # a curve that dips (linear: 0.031 s at 1,000 rows, 0.024 at 4,000) never predicts a shorter fit
    assert large_data_growth("linear", 1000, 4000) == pytest.approx(1.0)
    assert large_data_growth("mlp", 1000, 1000) == pytest.approx(1.0)


def test_lead_picks_the_best_distinct_configurations_first(kb):
    query = kb.metafeatures.loc["cls_a_00"]
    learner = NearestDatasets(n_neighbors=6, lead=3).fit(kb)
    data = learner.data_["classification"]
    ids = list(data.config_ids)
    led = learner.rank(query, kind="binary", top=6)["config_id"].tolist()
    by_score = learner.clone().set_params(selection="score").fit(kb).rank(query, kind="binary")["config_id"].tolist()
    distinct = []
    for c in by_score:  # the score order without near-copies of those already taken
        if all(data.redundancy[ids.index(c), ids.index(d)] < 0.95 for d in distinct):
            distinct.append(c)
        if len(distinct) == 3:
            break
    assert led[:3] == distinct
    assert len(set(led)) == 6


def test_lead_then_follow_by_hand():
    key = np.array([0.1, 0.9, 0.5, 0.2, 0.3])
    follow = np.array([0.8, 0.0, 0.7, 0.9, 0.6])
    # lead 1: 1 by key, then 3, 0, 2, 4 by follow
    assert order_by_lead_then(key, follow, np.arange(5)).tolist() == [1, 3, 0, 2, 4]
    # lead 2: 1 and 2 by key, then by follow
    assert order_by_lead_then(key, follow, np.arange(5), lead=2).tolist() == [1, 2, 3, 0, 4]
    # 3 copies 1: it waits until the distinct candidates are used up
    copies = np.eye(5)
    copies[1, 3] = copies[3, 1] = 0.97
    assert order_by_lead_then(key, follow, np.arange(5), redundancy=copies).tolist() == [1, 0, 2, 4, 3]
    # top and a candidate subset
    assert order_by_lead_then(key, follow, np.array([0, 2, 4]), top=2).tolist() == [2, 0]


def test_nearest_datasets_follows_the_model_in_regression_only(kb):
    """follow="auto": after the neighbours' first pick, regression lists follow the LightGBM model."""
    learner = NearestDatasets(n_neighbors=3).fit(kb)
    assert "model" in learner.groups_["regression"] and "model" not in learner.groups_["classification"]
    query = kb.metafeatures.loc["reg_a_00"]
    table = learner.rank(query, kind="regression")
    model, state = learner.groups_["regression"]["model"]
    predicted = pd.Series(model._predict(state, learner.data_["regression"], query).scores,
                          index=learner.data_["regression"].config_ids)
    picks = table["config_id"].tolist()
    assert picks[0] in ("alpha-000", "alpha-001")  # the neighbours' cluster winner leads
    # then the model's order, near-copies of earlier picks (score correlation >= 0.95) waiting to the end
    data = learner.data_["regression"]
    at = {c: i for i, c in enumerate(data.config_ids)}
    rest = [c for c in predicted.sort_values(ascending=False, kind="stable").index if c != picks[0]]
    distinct = [picks[0]]
    for c in rest:
        if max(data.redundancy[at[c], at[d]] for d in distinct) < 0.95:
            distinct.append(c)
    assert 2 <= len(distinct) < len(picks)  # the other alpha copies the first pick, at least
    assert picks[:len(distinct)] == distinct
    assert {"alpha-000", "alpha-001"} - {picks[0]} <= set(picks[len(distinct):])
    assert table["why"].iloc[1].endswith(f"model {predicted[picks[1]]:.2f}")
    coverage = NearestDatasets(n_neighbors=3, follow="coverage").fit(kb)
    assert "model" not in coverage.groups_["regression"]
