"""recommend's expected scores: the neighbours' real scores, weighted as the learner weighs them."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from autometa.metalearn._expected import EXPECTED_COLUMNS, weighted_quantile, with_expected_scores


def test_weighted_quantile_is_hazens_rule_with_equal_weights():
    values = np.random.default_rng(0).normal(size=37)
    for q in (0.1, 0.5, 0.9):
        assert weighted_quantile(values, np.ones(37), q) == pytest.approx(np.quantile(values, q, method="hazen"))


def _fitted(metric: str, raw: np.ndarray, group: str = "classification") -> SimpleNamespace:
    datasets = ["a", "b", "c"]
    data = SimpleNamespace(metric=metric, datasets=datasets, config_ids=np.array(["x", "y", "z"]), raw=raw,
                           tried=np.ones(raw.shape, dtype=bool),
                           rows_of=lambda names: [datasets.index(n) for n in names])
    return SimpleNamespace(data_={group: data})


def _table(neighbours: list[dict]) -> pd.DataFrame:
    table = pd.DataFrame({"rank": [1, 2, 3], "config_id": ["x", "y", "z"]})
    table.attrs["neighbours"] = neighbours
    return table


def test_expected_score_by_hand():
    # x: 0.9 on a (weight 3), 0.5 on b (weight 1); c has weight 0 and does not count
    raw = np.array([[0.9, np.nan, 0.7], [0.5, np.nan, 0.7], [0.0, 0.1, 0.0]])
    table = _table([{"dataset": "a", "weight": 3.0}, {"dataset": "b", "weight": 1.0},
                    {"dataset": "c", "weight": 0.0}])
    out = with_expected_scores(table, _fitted("balanced_accuracy", raw), "binary")
    # Hazen positions of 0.5 and 0.9: 1/8 and 5/8; the median lies 3/4 of the way from 0.5 to 0.9
    assert out.loc[0, EXPECTED_COLUMNS].tolist() == pytest.approx([0.8, 0.5, 0.9])
    assert out.loc[1, EXPECTED_COLUMNS].isna().all()  # failed on every neighbour
    assert out.loc[2, EXPECTED_COLUMNS].tolist() == pytest.approx([0.7, 0.7, 0.7])
    assert out.attrs["neighbours"] == table.attrs["neighbours"]


def test_a_loss_comes_back_with_its_sign_and_regression_gets_none():
    raw = -np.array([[0.3, 0.2, 0.1], [0.5, 0.2, 0.1], [0.0, 0.0, 0.0]])  # the base stores losses negated
    table = _table([{"dataset": "a", "weight": 1.0}, {"dataset": "b", "weight": 1.0}])
    out = with_expected_scores(table, _fitted("log_loss", raw), "multiclass")
    assert out.loc[0, "expected_score"] == pytest.approx(0.4)
    assert out.loc[0, "expected_low"] <= out.loc[0, "expected_score"] <= out.loc[0, "expected_high"]
    out = with_expected_scores(table, _fitted("r2", -raw, "regression"), "regression")
    assert out[EXPECTED_COLUMNS].isna().all().all()


def test_recommend_shows_the_expected_score_of_each_configuration():
    from sklearn.datasets import load_breast_cancer

    import autometa

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    recs = autometa.recommend(X, y, top=5, user_runs=False)
    assert recs[EXPECTED_COLUMNS].notna().all().all()
    assert ((recs["expected_low"] <= recs["expected_score"]) & (recs["expected_score"] <= recs["expected_high"])).all()
    assert recs["expected_score"].between(0.5, 1.0).all()  # balanced accuracy of good configurations


def test_why_does_not_cite_a_dataset_on_which_much_of_the_portfolio_ties_with_the_best():
    import re

    from sklearn.datasets import load_breast_cancer

    import autometa
    from autometa.knowledge import KnowledgeBase
    from autometa.metalearn._base import TRIVIAL_TIE_SHARE

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    recs = autometa.recommend(X, y, top=20, user_runs=False)
    scores = KnowledgeBase.load().scores("balanced_accuracy")
    cited = {m for why in recs["why"] for m in re.findall(r"on (\S+) \(", why)}
    assert cited
    for dataset in cited:
        row = scores.loc[dataset]
        assert (row >= row.max() - 1e-6).mean() < TRIVIAL_TIE_SHARE, dataset
    assert (scores.loc["irish"] >= 1.0 - 1e-6).mean() >= TRIVIAL_TIE_SHARE  # the case that was cited before


def test_warm_start_reports_the_expected_scores_of_what_it_enqueued():
    import optuna
    from sklearn.datasets import load_breast_cancer

    import autometa

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    study = optuna.create_study(direction="maximize")
    space = {"lgbm_num_leaves": optuna.distributions.IntDistribution(4, 64),
             "eta": optuna.distributions.FloatDistribution(1e-3, 0.3, log=True)}
    enqueued = autometa.warm_start(study, X, y, n_trials=3, search_space=space)
    recs = autometa.recommend(X, y, top=40, families=["lightgbm"])
    merged = enqueued.merge(recs[["config_id", *EXPECTED_COLUMNS]], on="config_id", suffixes=("", "_rec"))
    assert len(merged) == 3
    for col in EXPECTED_COLUMNS:
        assert merged[col].tolist() == pytest.approx(merged[f"{col}_rec"].tolist())
