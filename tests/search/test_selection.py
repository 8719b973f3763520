"""The validation plan, the noise-aware choice of the returned trial, and near copies not run twice."""

from __future__ import annotations

import numpy as np
import optuna
import pandas as pd
import pytest

from autometa.search import run_search
from autometa.search._objective import near_key
from autometa.search._select import Candidate, choose, paired_se
from autometa.search._validation import plan_validation
from autometa.search.ensemble import ensemble_selection
from autometa.tasks import load_task


@pytest.mark.parametrize(("rows", "columns", "budget", "method", "splits"), [
    (300, 10, 30.0, "5-fold x 2", 10),
    (1000, 10, 30.0, "5-fold x 2", 10),
    (1001, 10, 30.0, "5-fold", 5),
    (5000, 10, 30.0, "5-fold", 5),
    (5001, 10, 60.0, "3-fold", 3),
    # 3 classes: 1.5 x the cells; 1.2 million > 20,000 x 30; trials on 10,000 x 30 / (20 x 1.5) rows
    (40_000, 20, 30.0, "holdout 20 %, trials on 10,000 rows", 1),
    (20_000, 16, 30.0, "3-fold", 3),                                # 480,000 work cells
    (20_000, 25, 30.0, "holdout 20 %, trials on 8,000 rows", 1),    # 750,000
    (40_000, 20, 60.0, "3-fold", 3),           # ... < 20,000 x 60
    (4000, 500, 30.0, "5-fold", 5),            # many cells, but too few rows for a holdout
])
def test_the_plan_follows_rows_cells_and_budget(rows, columns, budget, method, splits):
    y = np.arange(rows) % 3
    plan = plan_validation(y, True, columns, budget)
    assert plan.method == method and len(plan.splits) == splits
    # every validated row is predicted once per repeat, and never from a model that saw it
    counts = np.zeros(rows, dtype=int)
    for train, test in plan.splits:
        assert not np.intersect1d(train, test).size
        counts[test] += 1
    assert (counts[plan.rows] == plan.repeats).all()
    if plan.repeats == 1 and len(plan.splits) == 1:  # the trials' training sample: the rest, or the cap
        assert len(plan.splits[0][0]) == int(method.split("on ")[1].split(" rows")[0].replace(",", ""))
    assert counts.sum() == plan.repeats * len(plan.rows)


def test_a_holdout_is_stratified_and_an_explicit_n_folds_wins():
    y = np.r_[np.zeros(45_000, int), np.ones(5_000, int)]
    plan = plan_validation(y, True, 20, 30.0)
    (train, test), = plan.splits
    assert len(test) == 10_000 and y[test].mean() == pytest.approx(0.1)
    # the trials train on a sample of 10,000 x 30 / 20 = 15,000 of the other 40,000 rows, stratified
    assert len(train) == 15_000 and not np.intersect1d(train, test).size
    assert y[train].mean() == pytest.approx(0.1, abs=0.01)
    assert plan.method == "holdout 20 %, trials on 15,000 rows"
    assert plan_validation(y, True, 20, 30.0, n_folds=4).method == "4-fold"


def test_the_repeats_are_different_splits():
    plan = plan_validation(np.arange(200) % 2, True, 5, 30.0)
    first = {tuple(t) for _, t in plan.splits[:5]}
    second = {tuple(t) for _, t in plan.splits[5:]}
    assert not first & second


def test_a_near_tie_goes_to_the_first_recommendation_and_a_clear_win_to_the_winner():
    rng = np.random.default_rng(0)
    first = rng.normal(0.80, 0.03, 10)
    # one point better on average, three points of noise per split
    noisy = first + 0.01 + 0.03 * np.array([1, -1, 1, -1, 1, -1, 1, -1, 1, -1.0])
    cands = [Candidate(0, float(first.mean()), list(first), rank=1),
             Candidate(7, float(noisy.mean()), list(noisy))]
    assert noisy.mean() > first.mean()
    assert choose(cands, greater_is_better=True, test_share=0.25) == 0
    clear = first + 0.05 + rng.normal(0, 0.005, 10)
    cands.append(Candidate(9, float(clear.mean()), list(clear)))
    assert choose(cands, greater_is_better=True, test_share=0.25) == 9
    # a loss (RMSE): lower is better, the same rule
    losses = [Candidate(0, 1.00, [1.0, 1.1, 0.9], rank=1), Candidate(3, 0.98, [0.9, 1.2, 0.84])]
    assert choose(losses, greater_is_better=False, test_share=0.5) == 0
    assert choose([Candidate(3, 0.5, [0.5, 0.5])], greater_is_better=True, test_share=0.5) == 3
    assert choose([], greater_is_better=True, test_share=0.5) is None


def test_among_ties_the_better_ranked_recommendation_then_the_better_score_is_chosen():
    base = [0.8, 0.82, 0.78, 0.81]
    cands = [Candidate(1, 0.8025, base, rank=5), Candidate(2, 0.80, [0.79, 0.81, 0.79, 0.81], rank=2),
             Candidate(3, 0.79, [0.8, 0.8, 0.77, 0.79])]
    assert choose(cands, greater_is_better=True, test_share=0.5) == 2
    sampled = [Candidate(4, 0.80, [0.8, 0.81, 0.79, 0.8]), Candidate(5, 0.801, [0.8, 0.81, 0.79, 0.803])]
    assert choose(sampled, greater_is_better=True, test_share=0.5) == 5


def test_unpaired_or_single_split_trials_are_compared_by_mean_alone():
    best = Candidate(4, 0.9, [0.9])  # a holdout: no spread
    first = Candidate(0, 0.89, [0.89], rank=1)
    assert choose([best, first], greater_is_better=True, test_share=0.25) == 4
    old = Candidate(1, 0.95, [0.95, 0.95, 0.95], rank=1)  # from an earlier call with 3 folds
    assert choose([Candidate(2, 0.96, [0.96] * 10), old], greater_is_better=True, test_share=0.25) == 2
    assert np.isnan(paired_se([0.9], [0.8], 0.25))


def test_ensemble_selection_starts_from_the_chosen_candidate():
    y = np.array([0.0, 1.0, 2.0, 3.0])
    good, worse = y + 0.1, y + 1.0
    weights, _ = ensemble_selection([good, worse], lambda p: -float(np.mean((p - y) ** 2)), size=1, first=1)
    assert weights.tolist() == [0.0, 1.0]
    weights, _ = ensemble_selection([good, worse], lambda p: -float(np.mean((p - y) ** 2)), size=20, first=1)
    assert weights[0] > weights[1] > 0  # later rounds still add what helps


def test_near_copies_share_a_key():
    assert near_key("lightgbm", {"learning_rate": 0.1003, "num_leaves": 31}) == \
        near_key("lightgbm", {"learning_rate": 0.0998, "num_leaves": 31})
    assert near_key("lightgbm", {"learning_rate": 0.1, "num_leaves": 31}) != \
        near_key("lightgbm", {"learning_rate": 0.1, "num_leaves": 63})
    assert near_key("svm", {"kernel": "rbf"}) != near_key("svm", {"kernel": "linear"})


def _task(rows: int, seed: int = 0, name: str = "sel"):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(rows, 4)), columns=list("abcd"))
    y = (X["a"] + 0.5 * rng.normal(size=rows) > 0).astype(int)
    return load_task(X, y=y, name=name)


def test_a_small_search_repeats_its_folds_and_marks_its_choice():
    result = run_search(_task(300), time_budget=30, n_trials=6, random_state=0, warm_start=False,
                        families=["linear", "knn"])
    assert result.validation == "5-fold x 2"
    done = [t for t in result.study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert done and all(len(t.user_attrs["autometa_split_scores"]) == 10 for t in done)
    assert all(t.value == pytest.approx(np.mean(t.user_attrs["autometa_split_scores"])) for t in done)
    board = result.leaderboard
    assert board["chosen"].sum() == 1 and int(board.loc[board["chosen"], "trial"].iloc[0]) == result.chosen
    assert result.family == board.loc[board["chosen"], "family"].iloc[0]


def test_a_near_copy_is_not_run_again(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    study = optuna.create_study(direction="maximize", storage=url, study_name="copies")
    study.enqueue_trial({"family": "linear", "linear_C": 1.0})
    study.enqueue_trial({"family": "linear", "linear_C": 1.004})  # the same to two digits
    study.enqueue_trial({"family": "linear", "linear_C": 3.0})
    result = run_search(_task(200), time_budget=30, n_trials=3, random_state=0, warm_start=False,
                        families=["linear"], storage=url, study_name="copies")
    states = [t.state for t in result.study.trials[:3]]
    assert states == [optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED,
                      optuna.trial.TrialState.COMPLETE]
    assert result.study.trials[1].user_attrs["autometa_duplicate_of"] == 0


def test_a_holdout_search_ensembles_on_the_holdout_rows(monkeypatch):
    from autometa.search import loop

    # the globals of the function the search calls (the doctest run may import the module a second time)
    rules = loop.plan_validation.__globals__
    monkeypatch.setitem(rules, "HOLDOUT_MIN_ROWS", 500)
    monkeypatch.setitem(rules, "HOLDOUT_CELLS_PER_SECOND", 1.0)
    task = _task(1500, name="holdout")
    result = run_search(task, time_budget=30, n_trials=5, random_state=0, warm_start=False,
                        families=["linear", "knn", "extra_trees"])
    assert result.validation == "holdout 20 %"
    done = [t for t in result.study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert all(len(t.user_attrs["autometa_split_scores"]) == 1 for t in done)
    pred = result.pipeline.predict(task.X)
    assert pred.shape == (1500,) and (pred == task.y.to_numpy()).mean() > 0.7


def test_a_regression_splits_r2_is_taken_against_the_whole_targets_variance():
    """On 40 rows a fold's own variance is noise: each split's R² is 1 - MSE / Var(all y)."""
    from autometa.pipelines import get_family
    from autometa.search._space import split_params

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(40, 3)), columns=list("abc"))
    y = X["a"] * 2 + rng.normal(size=40)
    task = load_task(X, y=y, kind="regression", name="r2")
    result = run_search(task, time_budget=20, n_trials=1, random_state=0, warm_start=False, families=["linear"])
    trial = result.study.trials[0]
    plan = plan_validation(task.y.to_numpy(), False, 3, 20.0, seed=0)
    family, params = split_params(trial.params)
    expected = []
    for train, test in plan.splits:
        model = get_family(family).build(params, "regression", categorical=[False] * 3, random_state=0)
        model.fit(task.X.iloc[train], task.y.iloc[train])
        mse = float(np.mean((task.y.to_numpy()[test] - model.predict(task.X.iloc[test])) ** 2))
        expected.append(1.0 - mse / float(np.var(task.y.to_numpy())))
    assert trial.user_attrs["autometa_split_scores"] == pytest.approx(expected)
    assert trial.value == pytest.approx(np.mean(expected))


def test_a_knn_chosen_on_a_sample_keeps_the_samples_rows(monkeypatch):
    """Its prediction grows with its training rows: refitted on all of them it predicted for minutes (kddcup)."""
    from autometa.search import loop

    rules = loop.plan_validation.__globals__
    monkeypatch.setitem(rules, "HOLDOUT_MIN_ROWS", 500)
    monkeypatch.setitem(rules, "HOLDOUT_CELLS_PER_SECOND", 1.0)
    monkeypatch.setitem(rules, "TRIAL_CELLS_PER_SECOND", 1.0)
    monkeypatch.setitem(rules, "TRIAL_MIN_ROWS", 300)
    task = _task(3000, name="knn-sample")
    result = run_search(task, time_budget=30, n_trials=2, random_state=0, warm_start=False, families=["knn"],
                        ensemble=False)
    assert result.validation == "holdout 20 %, trials on 300 rows"
    assert result.final_model == "refit on a sample"
    assert result.pipeline[-1].n_samples_fit_ == 4 * 300  # PREDICTION_GROWTH x its trial's rows, not 3000
    assert any("its trial trained on 300" in note for note in result.notes)


def test_a_knn_or_svm_refit_on_a_sample_grows_only_as_far_as_the_time_left():
    from types import SimpleNamespace

    from autometa.search._final import _prediction_rows

    y = np.arange(10_000, dtype=float)
    train, test = np.arange(1000), np.arange(1000, 1250)
    objective = SimpleNamespace(folds=[(train, test)], n_classes=None)
    # 0.1 s on 1,000 rows: 4,000 rows fit in 60 s (linear in the rows for k-NN)
    assert len(_prediction_rows(objective, "knn", y, 0.1, 60.0, 0)) == 4000
    # 4 s on 1,000 rows: 4,000 rows would take 1.3 x 16 s > 0.7 x 25 s; 3,200 take 1.3 x 12.8 <= 17.5
    assert len(_prediction_rows(objective, "knn", y, 4.0, 25.0, 0)) == 3200
    # nothing left, or the trial's fit unknown: the trial's own rows
    assert np.array_equal(_prediction_rows(objective, "svm", y, 1.0, 0.0, 0), train)
    assert np.array_equal(_prediction_rows(objective, "svm", y, float("nan"), 60.0, 0), train)
    # trials on all rows, or a family whose prediction does not grow with its rows: all rows
    assert _prediction_rows(SimpleNamespace(folds=[(np.arange(8000), np.arange(8000, 10_000))], n_classes=None),
                            "svm", y, 1.0, 60.0, 0) is None
    assert _prediction_rows(objective, "lightgbm", y, 1.0, 60.0, 0) is None


def test_a_regression_search_returns_its_best_score_and_a_classification_search_the_first_recommended_tie():
    """In regression the meta-learner's first pick measured weaker than the best score (REGRESSION_SE_RULE)."""
    from autometa.search._select import REGRESSION_SE_RULE, SE_RULE

    assert REGRESSION_SE_RULE == 0.0 and SE_RULE == 1.0
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(120, 4)), columns=list("abcd"))
    y = X["a"] + 0.3 * rng.normal(size=120)
    result = run_search(load_task(X, y=y, kind="regression", name="reg-sel"), time_budget=30, n_trials=12,
                        random_state=0, families=["linear", "knn", "extra_trees"])
    board = result.leaderboard
    assert result.chosen == int(board.sort_values("score", ascending=False)["trial"].iloc[0])
    # the same candidates under the classification rule: a recommended trial within the noise wins the tie
    best = Candidate(5, 0.80, [0.9, 0.7, 0.8, 0.8])
    first = Candidate(0, 0.79, [0.88, 0.72, 0.79, 0.77], rank=1)
    assert choose([best, first], greater_is_better=True, test_share=0.25, c=SE_RULE) == 0
    assert choose([best, first], greater_is_better=True, test_share=0.25, c=REGRESSION_SE_RULE) == 5
