"""What a search optimises: scikit-learn scorer names and callables, and sample weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import get_scorer, make_scorer, recall_score

import autometa
from autometa.exceptions import DataError
from autometa.scoring import predict_for_scoring
from autometa.search._metric import check_scorer_runs, resolve_metric
from autometa.search._validation import plan_validation


def test_scikit_learn_names_of_autometas_metrics_are_autometas_metrics():
    m = resolve_metric("neg_log_loss", "multiclass", "fit")
    assert (m.name, m.greater_is_better, m.builtin, m.knowledge) == ("log_loss", False, True, "log_loss")
    m = resolve_metric("neg_root_mean_squared_error", "regression", "fit")
    assert (m.name, m.greater_is_better) == ("rmse", False)
    m = resolve_metric("precision_macro", "multiclass", "fit")
    assert (m.name, m.greater_is_better, m.builtin, m.knowledge) == ("precision_macro", True, False,
                                                                      "balanced_accuracy")
    assert resolve_metric("neg_median_absolute_error", "regression", "fit").knowledge == "r2"


@pytest.mark.parametrize("metric, kind, says", [
    ("f1", "regression", "classification scorer 'f1' for a regression task"),
    ("neg_mean_squared_error", "binary", "regression scorer 'neg_mean_squared_error' for a binary task"),
    ("f2", "binary", "scikit-learn scorer name"),
    (recall_score, "binary", "make_scorer(recall_score)"),
    (3, "binary", "Got 3"),
])
def test_a_metric_that_cannot_be_used_is_one_line(metric, kind, says):
    with pytest.raises(DataError, match=says.replace("(", r"\(").replace(")", r"\)")) as err:
        resolve_metric(metric, kind, "fit")
    assert "\n" not in str(err.value)


def _classification(n_classes: int, seed: int = 0, labels: tuple = ("cat", "dog", "eel")
                    ) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "b", "c"])
    labels = np.array(labels[:n_classes])
    y = labels[np.clip(((X["a"] + rng.normal(scale=0.7, size=200)) > 0).astype(int)
                       + (n_classes == 3) * (X["b"] > 0.5).astype(int), 0, n_classes - 1)]
    return X, y


@pytest.mark.parametrize("name, n_classes", [("roc_auc", 2), ("average_precision", 2), ("neg_brier_score", 2),
                                             ("f1_macro", 3), ("roc_auc_ovo", 3), ("jaccard_weighted", 3),
                                             ("matthews_corrcoef", 3)])
@pytest.mark.parametrize("weighted", [False, True])
def test_a_scorer_scores_replayed_predictions_as_it_scores_the_model(name, n_classes, weighted):
    # binary scorers without a pos_label need 0/1 labels, in scikit-learn as here
    X, y = _classification(n_classes, labels=(0, 1) if n_classes == 2 else ("cat", "dog", "eel"))
    weight = np.random.default_rng(1).uniform(0.2, 3.0, len(y)) if weighted else None
    if name == "roc_auc_ovo" and weighted:
        pytest.skip("scikit-learn's one-vs-one AUC takes no weights")
    model = LogisticRegression().fit(X, y)
    expected = get_scorer(name)(model, X, y, **({} if weight is None else {"sample_weight": weight}))
    classes, codes = np.unique(y, return_inverse=True)
    m = resolve_metric(name, "binary" if n_classes == 2 else "multiclass", "fit", classes=classes)
    on_codes = LogisticRegression().fit(X, codes)  # the search's models learn the codes 0 .. k-1
    pred, proba, is_proba = predict_for_scoring(on_codes, X, n_classes)
    assert m.score(codes, pred, proba, is_proba, n_classes, weight) == pytest.approx(expected, rel=1e-12)
    # ensemble selection scores averaged probabilities the same way
    assert m.of_average(codes, proba, n_classes, weight) == pytest.approx(expected, rel=1e-12)


def test_a_regression_scorer_and_a_weighted_builtin_metric_score_as_scikit_learn():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(100, 2)), columns=["a", "b"])
    y = X["a"].to_numpy() * 3 + rng.normal(size=100)
    w = rng.uniform(0.1, 2.0, 100)
    model = LinearRegression().fit(X, y)
    pred = model.predict(X)
    m = resolve_metric("neg_median_absolute_error", "regression", "fit")
    assert m.score(y, pred, None, False, None) == pytest.approx(get_scorer("neg_median_absolute_error")(model, X, y))
    for ours, theirs in (("r2", "r2"), ("mae", "neg_mean_absolute_error"), ("rmse", "neg_root_mean_squared_error")):
        m = resolve_metric(ours, "regression", "fit")
        sign = 1 if m.greater_is_better else -1
        assert sign * m.score(y, pred, None, False, None, w) == pytest.approx(
            get_scorer(theirs)(model, X, y, sample_weight=w))


def test_a_scorer_that_cannot_score_the_task_fails_once_before_the_search():
    metric = resolve_metric("f1", "binary", "fit", classes=np.array(["no", "yes"]))  # pos_label=1 is no label
    with pytest.raises(DataError, match=r"\(f1\) cannot score this task: ValueError: pos_label=1"):
        check_scorer_runs(metric, np.array([0, 1, 1, 0]), 2, "fit")


def test_fit_optimises_a_scorer_callable_on_the_callers_labels():
    # recall of the rare class "dog", as make_scorer would score the fitted model on the original labels
    X, y = _classification(2, seed=3)
    scorer = make_scorer(recall_score, pos_label="dog")
    model = autometa.fit(X, y, time_budget=60, metric=scorer, families=["linear"], n_trials=3, warm_start=False,
                         ensemble=False, record=False, random_state=0)
    assert model.metric_.startswith("make_scorer(recall_score") and model.greater_is_better_
    row = model.leaderboard_[model.leaderboard_["chosen"]].iloc[0]
    codes = np.unique(y, return_inverse=True)[1]
    splits = plan_validation(codes, True, X.shape[1], 60.0, seed=0).splits
    from autometa.pipelines import get_family

    recalls = []
    for train, test in splits:
        pipe = get_family("linear").build(row["params"], "binary", categorical=[False] * 3, random_state=0)
        fitted = pipe.fit(X.iloc[train], codes[train])
        recalls.append(recall_score(codes[test], fitted.predict(X.iloc[test]), pos_label=1))  # "dog" is 1
    assert row["score"] == pytest.approx(np.mean(recalls), abs=1e-9)
    assert model.best_score_ == pytest.approx(row["score"])


def test_fit_minimises_log_loss_named_as_scikit_learn_names_it():
    X, y = _classification(3)
    model = autometa.fit(X, y, time_budget=60, metric="neg_log_loss", families=["linear"], n_trials=2,
                         warm_start=False, record=False, random_state=0)
    assert model.metric_ == "log_loss" and not model.greater_is_better_
    assert model.study_.direction.name == "MINIMIZE" and 0 < model.best_score_ < np.log(3)


def _two_rules(rows: int = 400, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Half the rows say y = (x > 0), the other half the opposite, on the same x: only weights can choose."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"x": rng.normal(size=rows), "noise": rng.normal(size=rows)})
    group = np.arange(rows) % 2
    y = np.where(group == 0, X["x"] > 0, X["x"] <= 0).astype(int)
    return X, y, group


@pytest.mark.parametrize("family", ["linear", "random_forest"])
def test_sample_weights_decide_what_the_model_learns(family):
    X, y, group = _two_rules()
    truth = (X["x"] > 0).astype(int).to_numpy()  # group 0's rule
    weights = np.where(group == 0, 1.0, 0.0)
    weighted = autometa.AutoMetaClassifier(60, families=[family], n_trials=2, warm_start=False, record=False,
                                           random_state=0).fit(X, y, sample_weight=weights)
    assert (weighted.predict(X) == truth).mean() > 0.9
    assert weighted.best_score_ > 0.9  # the validation scores weigh the rows too (unweighted: about 0.5)
    flipped = autometa.AutoMetaClassifier(60, families=[family], n_trials=2, warm_start=False, record=False,
                                          random_state=0).fit(X, y, sample_weight=1.0 - weights)
    assert (flipped.predict(X) == 1 - truth).mean() > 0.9


def test_sample_weight_can_name_a_column_of_the_table():
    X, y, group = _two_rules()
    table = X.assign(w=np.where(group == 0, 1.0, 0.0), target=y)
    model = autometa.fit(table, "target", sample_weight="w", time_budget=60, families=["linear"], n_trials=2,
                         warm_start=False, record=False, random_state=0)
    assert list(model.feature_names_in_) == ["x", "noise"]
    assert (model.predict(X) == (X["x"] > 0)).mean() > 0.9
    with pytest.raises(DataError, match="names the column 'weight', which X does not have"):
        autometa.fit(table, "target", sample_weight="weight", time_budget=5, record=False)


@pytest.mark.parametrize("weights, says", [
    ([1.0, 2.0], "one weight per row: 400 rows, (2,) weights"),
    (np.r_[-1.0, np.ones(399)], "finite and >= 0; row 0 has -1.0"),
    (np.zeros(400), "all zero"),
])
def test_bad_sample_weights_are_one_line(weights, says):
    X, y, _ = _two_rules()
    with pytest.raises(DataError, match=says.replace("(", r"\(").replace(")", r"\)")) as err:
        autometa.AutoMetaClassifier(5, record=False).fit(X, y, sample_weight=weights)
    assert "\n" not in str(err.value)


def test_a_run_optimising_a_scorer_is_not_recorded_as_if_it_were_a_knowledge_base_metric(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOMETA_HOME", str(tmp_path / "home"))
    X, y = _classification(2)
    model = autometa.fit(X, y, time_budget=60, metric="f1_macro", families=["linear"], n_trials=2,
                         warm_start=False, record=True, random_state=0)
    assert any("not recorded in your knowledge base" in n and "f1_macro" in n for n in model.notes_)
    assert not (tmp_path / "home").exists() or not any((tmp_path / "home").rglob("*.parquet"))


def test_the_leaderboard_gives_each_trials_parameters_in_both_names():
    X, y = _classification(2)
    model = autometa.fit(X, y, time_budget=30, families=["linear", "knn"], n_trials=4, warm_start=False,
                         record=False, random_state=0)
    by_number = {t.number: t.params for t in model.study_.trials}
    for row in model.leaderboard_.itertuples():
        assert row.study_params == by_number[row.trial]  # as the study shows them
        assert row.study_params == {"family": row.family, **{f"{row.family}_{k}": v for k, v in row.params.items()}}
