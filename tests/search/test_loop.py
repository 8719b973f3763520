"""run_search: budget, warm start, pruning, resuming a stored study, refit."""

from __future__ import annotations

import time

import optuna
import pytest

from autometa.exceptions import AutometaWarning, DataError
from autometa.search import run_search
from autometa.tasks import load_task


@pytest.fixture(scope="module")
def task(small_table):
    X, y = small_table
    return load_task(X, y=y, name="small")


def test_fit_respects_its_budget(task, fake_recommend):
    # a cold import of the model libraries (seconds under load) is start-up, not the search loop timed here
    import lightgbm  # noqa: F401

    import autometa.pipelines  # noqa: F401
    budget = 3.0
    start = time.perf_counter()
    result = run_search(task, time_budget=budget, random_state=0, families=["linear", "knn", "lightgbm"])
    wall = time.perf_counter() - start
    assert wall <= 1.1 * budget, wall
    assert wall >= 0.7 * budget, wall  # the budget is used, not abandoned
    assert result.n_trials >= 2  # more than the first trial (few under heavy CPU contention)
    board = result.leaderboard
    assert board["score"].is_monotonic_decreasing
    assert (board["source"] == "warm start").sum() >= 1
    assert hasattr(result.pipeline, "predict") and result.family == board["family"].iloc[0]


@pytest.mark.slow
def test_warm_start_goes_first_and_folds_are_intermediate_values(task, fake_recommend):
    result = run_search(task, time_budget=30, random_state=0, families=["linear", "knn"], n_trials=6,
                        n_warm=3, n_folds=3)
    trials = result.study.trials
    assert [t.user_attrs.get("autometa_rank") for t in trials[:3]] == [1, 2, 3]
    done = [t for t in trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert all(sorted(t.intermediate_values) == [0, 1, 2] for t in done)
    assert isinstance(result.study.pruner, optuna.pruners.MedianPruner)


def test_resume_a_sqlite_study(tmp_path, task, fake_recommend):
    storage = f"sqlite:///{tmp_path / 'fit.db'}"
    kwargs = dict(storage=storage, study_name="fit", random_state=0, families=["linear"], n_warm=2)
    first = run_search(task, time_budget=20, n_trials=3, **kwargs)
    n_first = len(first.study.trials)
    assert n_first == 3
    second = run_search(task, time_budget=20, n_trials=2, **kwargs)
    assert len(second.study.trials) == n_first + 2
    ids = [t.user_attrs.get("autometa_config_id") for t in second.study.trials]
    assert len([i for i in ids if i]) == len({i for i in ids if i})  # no configuration enqueued twice
    with pytest.raises(DataError, match="metric"):
        run_search(task, time_budget=5, metric="accuracy", **kwargs)


def test_no_trial_in_budget_refits_the_first_recommendation(task, fake_recommend):
    with pytest.warns(AutometaWarning, match="No trial finished"):
        result = run_search(task, time_budget=1e-3, families=["knn"])
    assert result.family == "knn" and len(result.leaderboard) == 0


def test_bad_metric_and_families(task):
    with pytest.raises(DataError, match="'metric' parameter of fit must be None or one of"):
        run_search(task, metric="r2", warm_start=False)
    with pytest.raises(DataError, match="'families' parameter of fit"):
        run_search(task, families=["xgboost"], warm_start=False)


def test_a_trial_another_worker_finished_first_does_not_stop_the_search(task, fake_recommend, monkeypatch):
    """SQLite cannot lock an enqueued trial: two workers may run it, and the second tell raises."""
    calls = []
    original = optuna.Study.optimize

    def optimize(self, *args, **kwargs):
        calls.append(kwargs.get("n_trials"))
        if len(calls) == 1:
            original(self, *args, **{**kwargs, "n_trials": 1})
            raise ValueError("Cannot tell a COMPLETE trial.")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(optuna.Study, "optimize", optimize)
    result = run_search(task, time_budget=30, n_trials=4, random_state=0, families=["linear"])
    assert len(calls) == 2 and calls[1] == 3  # resumed, with the trials this worker has not run yet
    assert result.n_trials == 4


def test_optuna_still_words_a_double_tell_as_the_search_expects():
    """The retry above recognises the SQLite race by Optuna's message: pin it to the installed Optuna."""
    from autometa.search._study import is_double_tell as _is_double_tell

    study = optuna.create_study()
    trial = study.ask()
    study.tell(trial, 1.0)
    with pytest.raises(ValueError) as info:
        study.tell(trial.number, 2.0)
    assert _is_double_tell(info.value)
    assert not _is_double_tell(ValueError("The 'metric' parameter of fit must be ..."))


def test_a_fit_the_time_limit_cannot_stop_is_timed_on_a_sample_first(monkeypatch):
    """libsvm and k-NN's neighbour search never return to Python, so SIGALRM cannot end them:
    run_search times a sample's fit and prediction instead."""
    import numpy as np
    import pandas as pd

    from autometa.search import _cost as loop

    seen: list[tuple[str, np.ndarray]] = []

    class Model:
        def fit(self, X, y):
            seen.append(("fit", X.index.to_numpy()))
            return self

        def predict(self, X):
            seen.append(("predict", X.index.to_numpy()))
            return np.zeros(len(X))

    X = pd.DataFrame({"a": np.arange(8000.0)})
    y = np.arange(8000) % 2
    train = np.arange(1000, 9000) - 1000
    for family in ("svm", "knn"):
        seen.clear()
        clock = iter([10.0, 11.0])  # the sample's fit and prediction take 1 s
        with monkeypatch.context() as m:
            m.setattr(loop.time, "perf_counter", lambda c=clock: next(c))
            expected = loop.probe_fold_seconds(Model(), family, X, y, train)
        assert expected == pytest.approx(16.0)  # 1 s x (8000 / 2000) ** 2
        assert [step for step, _ in seen] == ["fit", "predict"]
        assert len(seen[0][1]) == loop.PROBE_ROWS and set(seen[0][1]) <= set(train)
    seen.clear()
    clock = iter([10.0, 11.0])
    with monkeypatch.context() as m:  # the final refit only fits: its timing does not predict
        m.setattr(loop.time, "perf_counter", lambda c=clock: next(c))
        assert loop.probe_fold_seconds(Model(), "svm", X, y, train, predict=False) == pytest.approx(16.0)
    assert [step for step, _ in seen] == ["fit"]
    assert loop.probe_fold_seconds(Model(), "svm", X.iloc[:4000], y[:4000], np.arange(4000)) is None  # small
    # a holdout of 32,000 rows after training on 8,000: the prediction (training x predicted rows) dominates
    for test_rows, growth in ((32_000, 4.0 * 16.0), (2_000, 16.0)):
        clock = iter([10.0, 11.0])
        with monkeypatch.context() as m:
            m.setattr(loop.time, "perf_counter", lambda c=clock: next(c))
            assert loop.probe_fold_seconds(Model(), "knn", X, y, train, test_rows=test_rows) == pytest.approx(growth)
    assert loop.probe_fold_seconds(Model(), "lightgbm", X, y, train) is None  # the time limit stops it


@pytest.mark.parametrize("family", ["svm", "knn"])
def test_a_trial_expected_over_the_budget_is_skipped_unfitted(monkeypatch, family):
    import numpy as np
    import pandas as pd

    from autometa.search import _cost as loop

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(6500, 3)), columns=["a", "b", "c"])
    task = load_task(X, y=(X["a"] > 0).astype(int), name="wide")
    monkeypatch.setattr(loop, "probe_fold_seconds", lambda *a, **k: 1e6)
    result = run_search(task, time_budget=20, n_trials=6, random_state=0, warm_start=False,
                        families=[family, "linear"])
    slow = [t for t in result.study.trials if t.params.get("family") == family]
    assert slow and all(t.state == optuna.trial.TrialState.PRUNED for t in slow)
    assert all(t.user_attrs["autometa_status"] == "too slow" for t in slow)
    assert all(t.user_attrs["autometa_expected_fit_seconds"] == 1e6 for t in slow)
    assert result.family == "linear"


def test_only_a_fit_that_cannot_be_stopped_is_refitted_on_a_sample(monkeypatch):
    """k-NN's cost is its prediction: its final refit (a fit only) keeps every row."""
    import numpy as np
    import pandas as pd

    from autometa.search import _cost as loop
    from autometa.search import _final

    X = pd.DataFrame({"a": np.arange(6500.0)})
    y = np.arange(6500) % 2
    calls: list[dict] = []
    monkeypatch.setattr(loop, "probe_fold_seconds", lambda *a, **k: calls.append(k) or 1e6)
    with pytest.warns(AutometaWarning):
        rows = _final.refit_rows(None, "svm", X, y, 10.0, 0, True, [])
    assert rows is not None and len(rows) < len(y)
    assert calls and calls[0]["predict"] is False  # the refit is timed on a fit alone
    assert _final.refit_rows(None, "knn", X, y, 10.0, 0, True, []) is None


def test_the_refit_is_timed_from_the_measured_fold_fit_when_there_is_one(monkeypatch):
    """A fold's fit of 4 s on 5,200 rows grows to 4 x (6,500 / 5,200) ** 2.5 = 6.99 s on all rows."""
    import numpy as np
    import pandas as pd

    from autometa.search import _cost as loop
    from autometa.search import _final

    X = pd.DataFrame({"a": np.arange(6500.0)})
    y = np.arange(6500) % 2
    calls: list[dict] = []
    monkeypatch.setattr(loop, "probe_fold_seconds", lambda *a, **k: calls.append(k) or 1e6)
    assert loop.REFIT_EXPONENT["svm"] == 2.5
    assert _final.refit_rows(None, "svm", X, y, 7.0, 0, True, [], fold_seconds=4.0, fold_rows=5200) is None
    notes: list[str] = []
    with pytest.warns(AutometaWarning, match="expected to take 6.99 s"):
        rows = _final.refit_rows(None, "svm", X, y, 3.0, 0, True, notes, fold_seconds=4.0, fold_rows=5200)
    # the share of rows whose fit takes the 3 s left, shrunk by the (safer) n^2 growth
    assert len(rows) == int((3.0 / (4.0 * 1.25 ** 2.5)) ** 0.5 * 6500)
    assert not calls  # nothing was timed: the search had measured it
    # unknown fold time (NaN: a trial from elsewhere): a sample is timed
    with pytest.warns(AutometaWarning):
        _final.refit_rows(None, "svm", X, y, 3.0, 0, True, [], fold_seconds=float("nan"), fold_rows=5200)
    assert len(calls) == 1


def test_the_search_leaves_an_svm_refit_the_time_it_grows_into():
    from autometa.search import _cost as loop

    # 3 folds: a fold trains on 8,000 of 12,000 rows; a 10 s fold fit, a 100 s budget
    assert loop.refit_reserve("lightgbm", 10.0, 8000, 12000, 100.0) == pytest.approx(1.3 * 10 * 1.5 + 2)
    svm = loop.refit_reserve("svm", 10.0, 8000, 12000, 100.0)
    assert svm == pytest.approx(1.3 * 10 * loop.refit_growth("svm", 8000, 12000) + 2)
    assert svm == pytest.approx(1.3 * 10 * 1.5 ** 2.5 + 2)  # above the linear reserve: n^2.5 here
    assert loop.refit_growth("svm", 32000, 48000) > 1.5 ** 3  # past 16,000 rows the SVM curve is steeper
    assert loop.refit_reserve(None, float("nan"), 8000, 12000, 100.0) == pytest.approx(2.0)  # nothing finished


def test_a_search_refits_its_best_svm_without_timing_a_sample(monkeypatch):
    import numpy as np
    import pandas as pd

    from autometa.search import _cost as loop

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(6500, 3)), columns=["a", "b", "c"])
    task = load_task(X, y=(X["a"] > 0).astype(int), name="svm_refit")
    probe = loop.probe_fold_seconds
    calls: list[bool] = []
    monkeypatch.setattr(loop, "probe_fold_seconds",
                        lambda *a, **k: calls.append(k.get("predict", True)) or probe(*a, **k))
    result = run_search(task, time_budget=60, n_trials=1, random_state=0, warm_start=False, families=["svm"])
    assert result.family == "svm" and result.pipeline[-1].shape_fit_[0] == 6500
    assert calls == [True]  # the trial's sample timing only; the refit used the trial's fold fits


def test_a_refit_that_cannot_finish_in_the_budget_uses_a_sample(monkeypatch):
    import numpy as np
    import pandas as pd

    from autometa.search import _cost as loop

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(6500, 3)), columns=["a", "b", "c"])
    y = (X["a"] > 0).astype(int)
    y.iloc[-1] = 2  # a class of one row must survive the sample
    task = load_task(X, y=y, name="wide3")
    monkeypatch.setattr(loop, "probe_fold_seconds", lambda *a, **k: 1e6)
    with pytest.warns(AutometaWarning) as caught:
        result = run_search(task, time_budget=10, n_trials=3, random_state=0, warm_start=False, families=["svm"])
    messages = " ".join(str(w.message) for w in caught)
    assert "No trial finished" in messages and "svm fits cannot be stopped" in messages
    svc = result.pipeline[-1]
    n = svc.shape_fit_[0]
    assert n in (2000, 2001) and set(svc.classes_) == {0, 1, 2}  # + the one-row class, if not drawn
    assert any(f"refitted on a random {n} of the rows" in note for note in result.notes)


def test_the_refit_reserve_is_capped_by_a_share_of_the_budget():
    """On big data the refit of the best (and an ensemble's members) can outgrow the budget: at most 35 % is kept."""
    import numpy as np
    import pandas as pd

    from autometa.search._budget import Budget
    from autometa.search._objective import REFIT_RESERVE_CAP, Objective

    X = pd.DataFrame({"a": np.arange(2000.0)})
    task = load_task(X, y=(X["a"] > 1000).astype(int), name="reserve")
    y = task.y.to_numpy()
    folds = [(np.arange(100), np.arange(100, 200))]  # trials trained on 100 of 2,000 rows: refits grow 20x
    objective = Objective(task, y, 2, folds, ["lightgbm"], "balanced_accuracy", 0, Budget(30.0), reserve=1.0,
                          ensemble=True)
    objective.family, objective.fold_fit = "lightgbm", 0.1
    assert objective.reserve() == pytest.approx(1.0 + 1.3 * 20 * 0.1 + 0.6)  # one trial: no ensemble share
    objective.n_complete = 2
    assert objective.reserve() == pytest.approx(1.0 + 2 * (1.3 * 20 * 0.1 + 0.6))
    objective.fold_fit = 10.0
    assert objective.reserve() == pytest.approx(1.0 + REFIT_RESERVE_CAP * 30.0)
