"""The budget contract of the search: recorded runs refit nothing, the final model is bounded, a claim recovers."""

from __future__ import annotations

import time
from types import SimpleNamespace

import numpy as np
import optuna
import pandas as pd
import pytest

import autometa
from autometa.exceptions import AutometaWarning
from autometa.search import run_search
from autometa.search._budget import Budget
from autometa.search._final import final_model as _final_model
from autometa.search._study import claim_warm_start as _claim_warm_start
from autometa.tasks import load_task

optuna.logging.set_verbosity(optuna.logging.WARNING)


@pytest.fixture
def home(tmp_path, monkeypatch):
    import importlib

    monkeypatch.setenv("AUTOMETA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("AUTOMETA_CACHE_DIR", raising=False)
    monkeypatch.delenv("AUTOMETA_RECORD", raising=False)
    monkeypatch.setattr(importlib.import_module("autometa.metalearn.recommend"), "_MEMORY", {})
    return tmp_path / "home"


def test_recorded_runs_never_refit_the_learner_inside_a_budget(home, monkeypatch, small_table):
    from autometa.metalearn import AverageRank, LightGBMRanker, NearestDatasets

    fits: list[str] = []
    for cls in (AverageRank, NearestDatasets, LightGBMRanker):
        original = cls.fit
        monkeypatch.setattr(cls, "fit", lambda self, kb, _o=original: fits.append(type(self).__name__) or _o(self, kb))
    X, y = small_table
    for seed in range(3):  # each run is recorded (the default); the next one must not refit anything
        model = autometa.fit(X.iloc[seed:], y.iloc[seed:], time_budget=4, random_state=seed)
        assert model.n_validated_ >= 1 and model.validated_
    assert fits == []
    assert (home / "knowledge" / "datasets.parquet").exists()
    assert len(pd.read_parquet(home / "knowledge" / "datasets.parquet")) == 3


class _Slow:
    """A model whose fit takes ``seconds`` (interruptible)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def fit(self, X, y):
        end = time.perf_counter() + self.seconds
        while time.perf_counter() < end:
            time.sleep(0.01)
        return self


def _objective(kept, rows=100):
    train = np.arange(int(rows * 2 / 3))
    return SimpleNamespace(kept=kept, weight=None, folds=[(train, np.arange(len(train), rows))])


def _board(fit_seconds: float) -> pd.DataFrame:
    return pd.DataFrame({"trial": [0], "family": ["linear"], "params": [{"C": 1.0}], "score": [0.9],
                         "fit_seconds": [fit_seconds]})


def test_a_refit_that_would_overrun_returns_the_best_trials_fold_model(small_table):
    X, y = small_table
    task = load_task(X, y=y)
    fold_model = object()
    notes: list[str] = []
    family, params, model, how = _final_model(task, y.to_numpy(), 2, _board(50.0), pd.DataFrame(),
                                              _objective((0, 0.9, fold_model)), ["linear"], Budget(5.0), 0,
                                              notes, 0.0, 5.0)
    assert how == "fold model" and model is fold_model and family == "linear"
    assert "more than the" in notes[0]


def test_a_refit_that_runs_out_of_time_is_stopped(small_table, monkeypatch):
    import autometa.pipelines as pipelines

    X, y = small_table
    task = load_task(X, y=y)
    monkeypatch.setattr(pipelines, "get_family", lambda name: SimpleNamespace(
        build=lambda *a, **k: _Slow(30), defaults=lambda kind: {}))
    fold_model = object()
    start = time.perf_counter()
    _, _, model, how = _final_model(task, y.to_numpy(), 2, _board(0.01), pd.DataFrame(),
                                    _objective((0, 0.9, fold_model)), ["linear"], Budget(1.0), 0, [], 0.0, 1.0)
    assert time.perf_counter() - start < 2.0
    assert how == "fold model" and model is fold_model
    # nothing validated and nothing fits in time: the class prior, said in a warning and the notes
    notes: list[str] = []
    with pytest.warns(AutometaWarning, match="class prior"):
        _, _, model, how = _final_model(task, y.to_numpy(), 2, _board(0.01).iloc[0:0], pd.DataFrame(),
                                        _objective(None), ["linear"], Budget(0.5), 0, notes, 0.0, 0.5)
    assert how == "fallback" and model.predict(X).shape == (len(X),)
    assert "class prior" in notes[-1]


def test_a_chosen_trial_whose_refit_does_not_finish_yields_the_best_trials_fold_model(small_table, monkeypatch):
    # 218_house_8L, 30 s: the one-SE rule chose a trial whose refit ran out of time; the best trial's fold
    # model was kept but belonged to another trial, and the returned model predicted the mean (R2 0.000)
    import autometa.pipelines as pipelines

    X, y = small_table
    task = load_task(X, y=y)
    monkeypatch.setattr(pipelines, "get_family", lambda name: SimpleNamespace(
        build=lambda *a, **k: _Slow(30), defaults=lambda kind: {}))
    board = pd.DataFrame({"trial": [0, 1], "family": ["lightgbm", "random_forest"],
                          "params": [{"n_estimators": 50}, {"n_estimators": 300}], "score": [0.9, 0.89],
                          "fit_seconds": [0.01, 0.01]})
    fold_model = object()
    notes: list[str] = []
    start = time.perf_counter()
    family, params, model, how = _final_model(task, y.to_numpy(), 2, board, pd.DataFrame(),
                                              _objective((0, 0.9, fold_model)), ["lightgbm", "random_forest"],
                                              Budget(1.0), 0, notes, 0.0, 1.0, chosen=1)
    assert time.perf_counter() - start < 2.0
    assert how == "fold model" and model is fold_model
    assert (family, params) == ("lightgbm", {"n_estimators": 50})
    assert "best-scoring trial's (0, lightgbm)" in notes[-1]


def test_a_refit_that_breaks_on_all_rows_is_not_returned(small_table, monkeypatch):
    # LightGBM's defaults on shuttle: 0.9999 on the holdout, 0.42 on its own rows once refitted on all of them
    from sklearn.dummy import DummyClassifier

    import autometa.pipelines as pipelines
    from autometa.search._final import refit_is_sound
    from autometa.search._metric import resolve_metric

    X, y = small_table
    task = load_task(X, y=y)
    codes = pd.factorize(y)[0]
    monkeypatch.setattr(pipelines, "get_family", lambda name: SimpleNamespace(
        build=lambda *a, **k: DummyClassifier(strategy="most_frequent"), defaults=lambda kind: {}))
    fold_model = object()
    objective = _objective((0, 0.95, fold_model), rows=len(y))
    objective.validation = SimpleNamespace(rows=np.arange(len(y)))
    objective.metric, objective.n_classes = resolve_metric("balanced_accuracy", "binary", "test"), 2
    notes: list[str] = []
    _, _, model, how = _final_model(task, codes, 2, _board(0.001).assign(score=0.95), pd.DataFrame(), objective,
                                    ["linear"], Budget(5.0), 0, notes, 0.0, 5.0)
    assert how == "fold model" and model is fold_model
    assert "broke" in notes[0]
    # a sound refit passes: it scores its own rows above its validation score
    good = DummyClassifier(strategy="most_frequent").fit(X, codes)
    assert refit_is_sound(good, objective, X, codes, 0.52)
    assert not refit_is_sound(good, objective, X, codes, 0.56)


def test_an_unvalidated_fit_says_so_in_its_attributes(home, small_table):
    X, y = small_table
    with pytest.warns(AutometaWarning):
        model = autometa.fit(X, y, time_budget=0.05, record=False)
    assert model.n_validated_ == 0 and not model.validated_
    assert model.final_model_ in ("unvalidated", "fallback")
    assert any("No " in n for n in model.notes_)
    assert model.predict(X).shape == (len(X),)


def _claim(storage: str, name: str, **attrs) -> None:
    claim = optuna.create_study(storage=storage, study_name=f"{name}.autometa-warm-start")
    for k, v in attrs.items():
        claim.set_user_attr(k, v)


def test_a_claim_without_its_trials_is_taken_over(tmp_path):
    storage = f"sqlite:///{tmp_path / 's.db'}"
    # a claimer killed after claiming, before enqueueing: the claim is old, the study never warm-started
    study = optuna.create_study(storage=storage, study_name="dead", direction="maximize")
    _claim(storage, "dead", claimed_at=time.time() - 600)
    assert _claim_warm_start(study, storage, timeout=60)
    assert not _claim_warm_start(study, storage, timeout=60)  # taken over: the next worker waits again
    # a claimer still at work (a fresh claim) is left alone
    busy = optuna.create_study(storage=storage, study_name="busy", direction="maximize")
    _claim(storage, "busy", claimed_at=time.time())
    assert not _claim_warm_start(busy, storage, timeout=60)
    # killed between creating the claim and dating it: dated by the first worker that sees it
    undated = optuna.create_study(storage=storage, study_name="undated", direction="maximize")
    _claim(storage, "undated")
    assert not _claim_warm_start(undated, storage, timeout=0.2)
    time.sleep(0.3)
    assert _claim_warm_start(undated, storage, timeout=0.2)


def test_the_next_worker_warm_starts_a_study_whose_claimer_died(tmp_path, small_table, fake_recommend,
                                                                monkeypatch):
    import autometa.search._study as loop

    monkeypatch.setattr(loop, "CLAIM_TIMEOUT", 0.0)
    X, y = small_table
    task = load_task(X, y=y)
    storage = f"sqlite:///{tmp_path / 's.db'}"
    optuna.create_study(storage=storage, study_name="s", direction="maximize")
    _claim(storage, "s", claimed_at=time.time() - 1)
    result = run_search(task, time_budget=20, storage=storage, study_name="s", families=["linear", "knn"],
                        n_trials=3, n_warm=2, random_state=0)
    warm = [t for t in result.study.trials if t.user_attrs.get("autometa_config_id")]
    assert len(warm) == 2
    assert result.study.user_attrs["autometa_warm_start"]["enqueued"] == 2
