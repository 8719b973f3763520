"""The caller's validation: ``cv`` by name, number or splitter, and ``groups``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import KFold, ShuffleSplit, TimeSeriesSplit

import autometa
from autometa.exceptions import DataError
from autometa.search._validation import user_validation


def _grouped(groups: int = 40, per_group: int = 8, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Each group: near copies of one point with one random label. Rows of a group seen in training give the
    answer away; a new group's label cannot be predicted (balanced accuracy 0.5)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(groups, 4))
    labels = rng.permutation(np.arange(groups) % 2)
    g = np.repeat(np.arange(groups), per_group)
    X = pd.DataFrame(centres[g] + rng.normal(scale=0.01, size=(len(g), 4)), columns=list("abcd"))
    return X, labels[g], g


def test_groups_keep_every_group_on_one_side_of_each_split():
    X, y, g = _grouped()
    v = user_validation(None, X, y, g, True, 0, "fit")
    assert v.method == "GroupKFold, 5 splits" and v.rows.tolist() == list(range(len(y)))
    for train, test in v.splits:
        assert not set(g[train]) & set(g[test])


def test_groups_make_the_validation_honest_where_near_copies_leak():
    X, y, g = _grouped()
    common = dict(time_budget=60, families=["knn"], n_trials=4, warm_start=False, record=False, random_state=0,
                  ensemble=False)
    leaky = autometa.AutoMetaClassifier(**common).fit(X, y)
    honest = autometa.AutoMetaClassifier(**common).fit(X, y, groups=g)
    assert leaky.best_score_ > 0.95  # a near copy of every validation row was in training
    assert honest.best_score_ < 0.75 and honest.validation_ == "GroupKFold, 5 splits"


def test_a_time_series_splitter_validates_on_later_rows_and_the_ensemble_uses_them():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"t": np.arange(300.0), "x": rng.normal(size=300)})
    y = 0.01 * X["t"] + X["x"] + rng.normal(scale=0.1, size=300)
    model = autometa.fit(X, y, kind="regression", cv=TimeSeriesSplit(3), families=["linear", "knn"], n_trials=6,
                         warm_start=False, record=False, random_state=0, time_budget=60)
    assert model.validation_ == "TimeSeriesSplit, 3 splits" and model.n_validated_ >= 2
    assert np.isfinite(model.predict(X)).all()


@pytest.mark.parametrize("cv, method", [("holdout", "holdout 20 %"), (3, "3-fold"), (KFold(4), "KFold, 4 splits"),
                                        ([(np.arange(50, 100), np.arange(50)), (np.arange(50), np.arange(50, 100))],
                                         "given splits, 2 splits")])
def test_cv_by_name_number_splitter_or_splits(cv, method):
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(100, 3)), columns=list("abc"))
    y = (X["a"] > 0).astype(int)
    model = autometa.fit(X, y, cv=cv, families=["linear"], n_trials=2, warm_start=False, record=False,
                         random_state=0, time_budget=30)
    assert model.validation_ == method


def test_out_of_fold_predictions_average_rows_predicted_more_than_once():
    X = np.zeros((20, 1))
    v = user_validation(ShuffleSplit(n_splits=6, test_size=0.3, random_state=0), X, np.arange(20.0), None, False,
                        0, "fit")
    counts = np.zeros(20, dtype=int)
    for _, test in v.splits:
        counts[test] += 1
    assert v.row_repeats.tolist() == counts[v.rows].tolist() and counts[v.rows].max() > 1


@pytest.mark.parametrize("kwargs, says", [
    (dict(cv="kfold"), "The 'cv' parameter of AutoMetaClassifier must be None, 'auto', 'holdout'"),
    (dict(cv=3, n_folds=3), "takes 'n_folds' or 'cv', not both"),
    (dict(cv=[(np.arange(10), np.arange(5, 20))]), "Split 0 of the 'cv' of AutoMetaClassifier has rows on both sides"),
    (dict(cv=[(np.arange(10), np.arange(95, 120))]), "non-empty train and test row indices in 0..99"),
])
def test_a_validation_that_cannot_be_used_is_one_line(kwargs, says):
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(100, 3)), columns=list("abc"))
    y = (X["a"] > 0).astype(int)
    with pytest.raises(DataError, match=says.replace("(", r"\(").replace(")", r"\)")) as err:
        autometa.AutoMetaClassifier(5, record=False, **kwargs).fit(X, y)
    assert "\n" not in str(err.value)


def test_groups_can_name_a_column_and_one_group_is_refused():
    X, y, g = _grouped(groups=10)
    table = X.assign(g=g, y=y)
    model = autometa.fit(table, "y", groups="g", families=["knn"], n_trials=2, warm_start=False, record=False,
                         random_state=0, time_budget=30)
    assert list(model.feature_names_in_) == list("abcd") and model.validation_ == "GroupKFold, 5 splits"
    with pytest.raises(DataError, match="one group"):
        autometa.fit(X, y, groups=np.zeros(len(y)), time_budget=5, record=False)
