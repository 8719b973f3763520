"""Several worker processes running ``autometa.fit`` on one stored study: nothing lost, warm start once."""

from __future__ import annotations

import importlib
import multiprocessing
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest
from optuna.trial import TrialState

N_WORKERS = 2
N_TRIALS = 4  # per worker
N_WARM = 30  # fit's default n_warm


def _data() -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(120, 4)), columns=["a", "b", "c", "d"])
    return X, pd.Series((X["a"] + 0.5 * X["b"] > 0).astype(int), name="y")


def _portfolio_order(families: list[str] | None, top: int) -> pd.DataFrame:
    """The portfolio in a fixed order, shaped like ``recommend``'s table."""
    import json

    from autometa.metalearn import RANK_COLUMNS
    from autometa.pipelines import portfolio

    table = portfolio()
    table = table[table["family"].isin(families)] if families is not None else table
    rows = [{"rank": i + 1, "config_id": c.config_id, "family": c.family, "params": json.loads(c.params),
             "predicted_score": 1.0 - 0.01 * i, "expected_fit_seconds": 0.1, "why": "portfolio order"}
            for i, c in enumerate(table.head(top).itertuples(index=False))]
    return pd.DataFrame(rows, columns=RANK_COLUMNS)


def _worker(storage: str, worker: int, barrier: multiprocessing.synchronize.Barrier,
            results: multiprocessing.queues.Queue) -> None:
    """One worker as a user starts it on each machine: the same storage URL and study name."""
    import autometa

    # no knowledge base needed: recommendations are the portfolio in order (as in the other search tests)
    importlib.import_module("autometa.metalearn").recommend = (
        lambda X, y=None, *, top=10, families=None, **kw: _portfolio_order(families, top))
    X, y = _data()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    barrier.wait(timeout=60)  # both start at once: the warm-start claim is really raced
    model = autometa.fit(X, y, time_budget=60, storage=storage, study_name="shared", n_trials=N_TRIALS,
                         families=["linear", "knn"], random_state=worker, record=False)
    results.put((worker, model.n_trials_))


@pytest.mark.slow  # two processes importing autometa and fitting: ~15 s on a busy 2-core machine
def test_two_workers_share_one_sqlite_study(tmp_path: Path) -> None:
    storage = f"sqlite:///{tmp_path / 'shared.db'}"
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(N_WORKERS), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(storage, w, barrier, results)) for w in range(N_WORKERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=240)
    assert [p.exitcode for p in procs] == [0] * N_WORKERS
    ran = dict(results.get(timeout=5) for _ in range(N_WORKERS))

    study = optuna.load_study(study_name="shared", storage=storage)
    trials = study.get_trials(deepcopy=False)
    finished = [t for t in trials if t.state in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)]
    # nothing lost: each worker ran its N_TRIALS (optimize's n_trials counts a worker's own trials),
    # and every one of them is in the study; n_trials_ of a worker counts the shared study's new trials
    assert len(finished) == N_WORKERS * N_TRIALS
    assert all(n >= N_TRIALS for n in ran.values()), ran
    assert not [t for t in trials if t.state == TrialState.RUNNING]
    # nothing duplicated: distinct numbers, and no enqueued configuration ran twice
    assert sorted(t.number for t in trials) == list(range(len(trials)))
    warm = [t.user_attrs["autometa_config_id"] for t in trials if t.user_attrs.get("autometa_config_id")]
    assert len(warm) == len(set(warm))
    # the warm start was enqueued once, by one worker, not once per worker
    assert len(warm) == N_WARM
    assert study.user_attrs["autometa_warm_start"]["enqueued"] == N_WARM
    names = [s.study_name for s in optuna.get_all_study_summaries(storage)]
    assert sorted(names) == ["shared", "shared.autometa-warm-start"]
    # the shared queue was used by the workers (the other worker may sample a first trial or two while
    # the claimant is still enqueueing: those are ordinary trials, not lost nor duplicated)
    assert sum(bool(t.user_attrs.get("autometa_config_id")) for t in finished) >= N_TRIALS


N_RACERS = 8


def _racer(storage: str, worker: int, barrier: multiprocessing.synchronize.Barrier,
           results: multiprocessing.queues.Queue) -> None:
    """A worker started at the same instant as seven others on a database that does not exist yet."""
    from autometa.search import run_search
    from autometa.tasks import load_task

    X, y = _data()
    task = load_task(X, y=y)
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    barrier.wait(timeout=120)
    result = run_search(task, time_budget=120, storage=storage, study_name="race", n_trials=2,
                        families=["linear"], warm_start=False, random_state=worker)
    results.put((worker, result.n_trials))


@pytest.mark.slow  # eight processes importing autometa at once: ~30 s on two cores (PostgreSQL: ~40 s)
@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_eight_workers_started_at_once_on_a_new_database(database: str, tmp_path: Path,
                                                         request: pytest.FixtureRequest) -> None:
    # no schema made beforehand: the workers race to make it
    storage = (f"sqlite:///{tmp_path / 'new.db'}" if database == "sqlite"
               else request.getfixturevalue("postgres_url"))
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(N_RACERS), ctx.Queue()
    procs = [ctx.Process(target=_racer, args=(storage, w, barrier, results)) for w in range(N_RACERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
    assert [p.exitcode for p in procs] == [0] * N_RACERS
    ran = dict(results.get(timeout=5) for _ in range(N_RACERS))
    assert sorted(ran) == list(range(N_RACERS))
    trials = optuna.load_study(study_name="race", storage=storage).get_trials(deepcopy=False)
    assert len(trials) == 2 * N_RACERS  # none lost
    assert sorted(t.number for t in trials) == list(range(2 * N_RACERS))  # none duplicated
    assert {t.state for t in trials} <= {TrialState.COMPLETE, TrialState.PRUNED}, [t.state for t in trials]


def test_a_killed_workers_running_trial_is_failed_by_the_next(tmp_path: Path, monkeypatch) -> None:
    import autometa.search._storage as storage_module
    from autometa.search._storage import open_storage

    monkeypatch.setattr(storage_module, "_OPENED", {})
    monkeypatch.setattr(storage_module, "HEARTBEAT_INTERVAL", 1)
    monkeypatch.setattr(storage_module, "GRACE_PERIOD", 1)
    url = f"sqlite:///{tmp_path / 'hb.db'}"
    storage = open_storage(url)
    assert storage.heartbeat_interval == 1 and storage.grace_period == 1
    study = optuna.create_study(storage=storage, study_name="hb")
    dead = study.ask()  # a worker that started a trial, beat once, then was killed
    storage.record_heartbeat(dead._trial_id)
    import time

    time.sleep(2.5)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)  # the next worker's trial
    assert study.trials[dead.number].state == TrialState.FAIL
