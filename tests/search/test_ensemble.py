"""Greedy ensemble selection, out-of-fold predictions, and the ensemble as the final model of ``fit``."""

from __future__ import annotations

import pickle

import numpy as np
import optuna
import pandas as pd
import pytest

from autometa.search.ensemble import Ensemble, OutOfFold, ensemble_selection, fast_score

optuna.logging.set_verbosity(optuna.logging.WARNING)


def test_selection_finds_the_pair_no_single_model_matches() -> None:
    # probabilities of class 1 for rows with labels 0, 1, 0, 1: each model alone is right on two rows;
    # A and B averaged are right on all four (worked by hand: (0.4 + 0.55) / 2 = 0.475 < 0.5, ...)
    y = np.array([0, 1, 0, 1])
    p1 = {"A": [0.4, 0.9, 0.6, 0.4], "B": [0.55, 0.4, 0.1, 0.9], "C": [0.45, 0.55, 0.55, 0.45]}
    preds = [np.column_stack([1 - np.array(v), np.array(v)]) for v in p1.values()]
    weights, best = ensemble_selection(preds, lambda p: fast_score("balanced_accuracy", y, p, 2), size=10)
    assert weights.tolist() == [0.5, 0.5, 0.0]
    assert best == 1.0


def test_selection_minimises_a_loss_and_never_ends_below_the_best_single() -> None:
    rng = np.random.default_rng(0)
    y = rng.normal(size=200)
    preds = [y + rng.normal(scale=s, size=200) for s in (0.3, 0.5, 1.0, 3.0)]
    weights, best = ensemble_selection(preds, lambda p: fast_score("rmse", y, p, None), greater_is_better=False)
    single = min(fast_score("rmse", y, p, None) for p in preds)
    assert best <= single and abs(weights.sum() - 1) < 1e-12
    assert weights[0] == weights.max() and weights[3] < weights[0]  # the best model weighs most
    assert fast_score("rmse", y, sum(w * p for w, p in zip(weights, preds, strict=True)), None) == pytest.approx(best)


def test_fast_score_agrees_with_scikit_learn() -> None:
    from sklearn import metrics

    rng = np.random.default_rng(1)
    y = rng.integers(0, 3, 300)
    proba = rng.dirichlet(np.ones(3), size=300)
    labels = proba.argmax(axis=1)
    assert fast_score("balanced_accuracy", y, proba, 3) == pytest.approx(metrics.balanced_accuracy_score(y, labels))
    assert fast_score("accuracy", y, proba, 3) == pytest.approx(metrics.accuracy_score(y, labels))
    t, p = rng.normal(size=50), rng.normal(size=50)
    assert fast_score("r2", t, p, None) == pytest.approx(metrics.r2_score(t, p))
    assert fast_score("mae", t, p, None) == pytest.approx(metrics.mean_absolute_error(t, p))


def test_out_of_fold_keeps_the_best_within_its_cap() -> None:
    oof = OutOfFold(10, 2, max_trials=2)
    full = np.full((10, 2), 0.5, dtype=np.float32)
    partial = full.copy()
    partial[3] = np.nan  # a fold that never ran: not kept
    oof.add(0, 0.7, full)
    oof.add(1, 0.9, partial)
    oof.add(2, 0.8, full)
    oof.add(3, 0.6, full)  # worse than the two kept: dropped at once
    assert [t for t, _, _ in oof.best_first()] == [2, 0]
    small = OutOfFold(1000, 10, max_bytes=4 * 1000 * 10 * 3)
    assert small.capacity == 3


def test_out_of_fold_predictions_line_up_with_rows() -> None:
    from autometa.knowledge import Protocol
    from autometa.knowledge._evaluate import make_folds
    from autometa.pipelines import get_family
    from autometa.search._budget import Budget
    from autometa.search._objective import Objective as _Objective
    from autometa.search.loop import _encode_target
    from autometa.tasks import load_task

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(90, 3)), columns=["a", "b", "c"])
    task = load_task(X, y=np.where(X["a"] + rng.normal(scale=0.5, size=90) > 0, "yes", "no"))
    y, classes = _encode_target(task)
    n_classes = len(classes)
    folds = make_folds(y, True, Protocol(n_folds=3, seed=0))
    objective = _Objective(task, y, n_classes, folds, ["linear"], "balanced_accuracy", 0, Budget(60), ensemble=True)
    study = optuna.create_study(direction="maximize")
    study.enqueue_trial({"family": "linear", "linear_C": 0.3})
    study.optimize(objective, n_trials=1)
    (trial, score, oof), = objective.oof.best_first()
    assert trial == 0 and score == study.best_value
    expected = np.empty((90, 2))
    for train, test in folds:  # each row predicted by the fold model that did not see it
        model = get_family("linear").build({"C": 0.3}, task.kind, categorical=list(task.categorical), random_state=0)
        expected[test] = model.fit(X.iloc[train], y[train]).predict_proba(X.iloc[test])
    np.testing.assert_allclose(oof, expected, atol=1e-6)


def _noisy_blobs(seed: int = 0, rows: int = 300) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(rows, 6)), columns=[f"x{i}" for i in range(6)])
    signal = X["x0"] + np.sin(3 * X["x1"]) + 0.5 * X["x2"] * X["x3"]
    return X, np.where(signal + rng.normal(scale=0.8, size=rows) > 0, "a", "b")


def test_fit_returns_an_ensemble_that_pickles_and_predicts_probabilities() -> None:
    from autometa import AutoMetaClassifier

    X, y = _noisy_blobs()
    model = AutoMetaClassifier(time_budget=20, families=["linear", "knn", "random_forest"], n_trials=12,
                               warm_start=False, random_state=0, record=False).fit(X, y)
    assert model.final_model_ == "ensemble" and model.validated_
    ens = model.best_pipeline_
    assert isinstance(ens, Ensemble) and len(ens.members) >= 2
    weights = model.leaderboard_["ensemble_weight"]
    assert weights.sum() == pytest.approx(1.0) and (weights > 0).sum() == len(ens.members)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(model.predict(X)) <= {"a", "b"}
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_allclose(again.predict_proba(X), proba)
    assert model.search_seconds_ <= 1.1 * 20 + 1


def test_ensemble_false_is_the_best_trial_alone() -> None:
    from autometa import AutoMetaClassifier

    X, y = _noisy_blobs()
    model = AutoMetaClassifier(time_budget=20, families=["linear", "knn", "random_forest"], n_trials=12,
                               warm_start=False, random_state=0, record=False, ensemble=False).fit(X, y)
    assert model.final_model_ == "refit" and not isinstance(model.best_pipeline_, Ensemble)
    assert "ensemble_weight" not in model.leaderboard_


def test_a_regression_ensemble_averages_predictions() -> None:
    from sklearn.linear_model import LinearRegression
    from sklearn.neighbors import KNeighborsRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 2))
    y = X[:, 0] * 2 + rng.normal(size=50)
    a, b = LinearRegression().fit(X, y), KNeighborsRegressor(3).fit(X, y)
    ens = Ensemble([a, b], [3, 1], n_classes=None)
    np.testing.assert_allclose(ens.predict(X), 0.75 * a.predict(X) + 0.25 * b.predict(X))
    with pytest.raises(ValueError, match="non-negative weights"):
        Ensemble([a, b], [1.0], n_classes=None)
