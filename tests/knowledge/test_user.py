"""The user knowledge base: sparse records, stable ids, concurrent writers, crashes mid-write."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.trial import TrialState, create_trial

from autometa.knowledge import KnowledgeBase
from autometa.knowledge.user import (
    UserKnowledgeBase,
    autometa_home,
    config_id_of,
    user_knowledge_path,
)
from autometa.tasks import load_task

optuna.logging.set_verbosity(optuna.logging.WARNING)

_SPACE = {"family": CategoricalDistribution(["linear", "knn"]),
          "linear_C": FloatDistribution(1e-3, 1e3, log=True),
          "knn_n_neighbors": IntDistribution(1, 50)}


def _trial(number: int, family: str, value: float | None, state: TrialState = TrialState.COMPLETE,
           **params: float) -> optuna.trial.FrozenTrial:
    names = {"family": family, **{f"{family}_{k}": v for k, v in params.items()}}
    trial = create_trial(params=names, distributions={k: _SPACE[k] for k in names}, value=value, state=state,
                         user_attrs={"autometa_fit_seconds": 0.01})
    trial.number = number
    return trial


def _trials(seed: int = 0, n: int = 6) -> list[optuna.trial.FrozenTrial]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        if i % 2:
            out.append(_trial(i, "knn", float(rng.uniform(0.5, 0.9)), n_neighbors=int(rng.integers(1, 50))))
        else:
            out.append(_trial(i, "linear", float(rng.uniform(0.5, 0.9)), C=float(rng.uniform(0.01, 100))))
    return out


def _frame(seed: int, rows: int = 40) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(rows, 3)), columns=["a", "b", "c"])
    return X, pd.Series((X["a"] > 0).astype(int), name="y")


@pytest.fixture(scope="module")
def mf() -> pd.Series:
    """Precomputed meta-features: these tests are about storage, not extraction."""
    X, y = _frame(0)
    return load_task(X, y=y).metafeatures(groups="general")


def test_default_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AUTOMETA_HOME", str(tmp_path / "home"))
    assert autometa_home() == tmp_path / "home"
    assert UserKnowledgeBase().path == tmp_path / "home" / "knowledge"
    monkeypatch.delenv("AUTOMETA_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    if os.name == "posix" and not str(user_knowledge_path()).startswith(str(Path.home() / "Library")):
        assert user_knowledge_path() == tmp_path / "xdg" / "autometa" / "knowledge"


def test_config_ids_are_stable() -> None:
    a = config_id_of("knn", {"n_neighbors": 7, "p": 2, "weights": "distance"})
    b = config_id_of("knn", {"weights": "distance", "p": 2, "n_neighbors": np.int64(7)})
    assert a == b and a.startswith("user-knn-")
    assert config_id_of("knn", {"n_neighbors": 8, "p": 2, "weights": "distance"}) != a


def test_record_is_sparse_idempotent_and_in_schema(tmp_path: Path, mf: pd.Series) -> None:
    user = UserKnowledgeBase(tmp_path / "kb")
    assert not user.exists() and len(user.load().datasets) == 0
    X, y = _frame(0)
    trials = [*_trials(0), _trial(6, "linear", None, TrialState.FAIL, C=5.0),
              _trial(7, "knn", None, TrialState.PRUNED, n_neighbors=3)]
    report = user.record(X, trials, y=y, name="mine", metafeatures=mf)
    assert report.n_evaluations == 7 and report.skipped == {"pruned": 1}
    assert report.dataset.startswith("user-mine-")
    kb = KnowledgeBase.load(tmp_path / "kb")  # the same schema: the ordinary loader reads it
    assert list(kb.datasets.index) == [report.dataset]
    assert kb.datasets.loc[report.dataset, "kind"] == "binary"
    ev = kb.evaluations
    assert (ev["status"] == "error").sum() == 1
    assert ev.loc[ev["status"] == "ok", "balanced_accuracy"].notna().all()
    cfg = kb.configurations
    user_cfgs = cfg[cfg["origin"] == "user"]
    assert len(user_cfgs) >= 5 and all(i.startswith("user-") for i in user_cfgs.index)
    # sparse: only tried configurations, far fewer cells than the portfolio would need
    assert kb.coverage()["evaluated_cells"] == ev.groupby("config_id").ngroups
    # recording the same study again replaces its rows
    user.record(X, trials, y=y, name="mine", metafeatures=mf)
    assert len(user.load().evaluations) == 7
    # another study on the same data adds to the same dataset
    user.record(X, _trials(1), y=y, name="mine", metafeatures=mf)
    again = user.load()
    assert len(again.datasets) == 1 and len(again.evaluations) == 13


def test_portfolio_configurations_keep_their_ids(tmp_path: Path, mf: pd.Series) -> None:
    import json

    from autometa.pipelines import portfolio

    row = portfolio("linear").iloc[3]
    params = json.loads(row["params"])
    trial = _trial(0, "linear", 0.8, **params)
    X, y = _frame(0)
    user = UserKnowledgeBase(tmp_path / "kb")
    report = user.record(X, [trial], y=y, metafeatures=mf)
    assert report.n_new_configurations == 0
    assert user.load().evaluations["config_id"].tolist() == [row["config_id"]]


def test_metric_must_match_the_study_direction(tmp_path: Path, mf: pd.Series) -> None:
    from autometa.exceptions import DataError

    study = optuna.create_study(direction="minimize")
    X, y = _frame(0)
    with pytest.raises(DataError, match="minimized"):
        UserKnowledgeBase(tmp_path / "kb").record(X, study, y=y, metafeatures=mf)


# -- concurrency and crashes ------------------------------------------------------------------
def _writer(path: str, worker: int, n: int, mf: pd.Series) -> None:
    user = UserKnowledgeBase(path)
    for i in range(n):
        X, y = _frame(100 * worker + i)  # a dataset of its own per record
        user.record(X, _trials(100 * worker + i, n=4), y=y, name=f"w{worker}", metafeatures=mf)
        X, y = _frame(0)  # and one dataset every writer adds studies to
        trials = _trials(1000 * worker + i, n=2)
        for t in trials:
            t.number += 10 * i
        user.record(X, trials, y=y, name="shared", metafeatures=mf)


def test_concurrent_writers_never_corrupt(tmp_path: Path, mf: pd.Series) -> None:
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(str(tmp_path / "kb"), w, 4, mf)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    kb = KnowledgeBase.load(tmp_path / "kb")
    assert len(kb.datasets) == 4 * 4 + 1
    ev = kb.evaluations
    # every record of every writer is there: 16 datasets x 4 trials, and 4 x 4 studies x 2 on the shared one
    shared = [d for d in kb.datasets.index if d.startswith("user-shared-")]
    assert len(shared) == 1
    assert (ev["dataset"] != shared[0]).sum() == 16 * 4
    assert (ev["dataset"] == shared[0]).sum() == 4 * 4 * 2
    assert set(ev["config_id"]) <= set(kb.configurations.index)


def _crash_in_evaluations(path: str, mf: pd.Series) -> None:
    """Record, dying while writing evaluations.parquet (half a temporary file on disk)."""
    import autometa.knowledge.user as user_module

    real = user_module.atomic_write_parquet

    def dying(frame: pd.DataFrame, target: os.PathLike[str]) -> None:
        if Path(target).name == "evaluations.parquet":
            tmp = Path(target).with_name(".evaluations.parquet.crash.tmp")
            tmp.write_bytes(b"PAR1 half a file")
            os._exit(3)
        real(frame, target)

    user_module.atomic_write_parquet = dying
    X, y = _frame(7)
    UserKnowledgeBase(path).record(X, _trials(7), y=y, name="lost", metafeatures=mf)


def _crash_before_datasets(path: str, mf: pd.Series) -> None:
    import autometa.knowledge.user as user_module

    real = user_module.atomic_write_parquet

    def dying(frame: pd.DataFrame, target: os.PathLike[str]) -> None:
        if Path(target).name == "datasets.parquet":
            os._exit(3)
        real(frame, target)

    user_module.atomic_write_parquet = dying
    X, y = _frame(8)
    UserKnowledgeBase(path).record(X, _trials(8), y=y, name="half", metafeatures=mf)


@pytest.mark.parametrize("crash", [_crash_in_evaluations, _crash_before_datasets])
def test_crash_mid_write_loses_nothing_recorded(tmp_path: Path, mf: pd.Series, crash) -> None:
    path = tmp_path / "kb"
    user = UserKnowledgeBase(path)
    X, y = _frame(0)
    user.record(X, _trials(0), y=y, name="kept", metafeatures=mf)
    before = user.load()
    proc = multiprocessing.get_context("fork").Process(target=crash, args=(str(path), mf))
    proc.start()
    proc.join(timeout=60)
    assert proc.exitcode == 3  # it died mid-write
    after = KnowledgeBase.load(path)
    assert list(after.datasets.index) == list(before.datasets.index)
    kept = after.evaluations[after.evaluations["dataset"].isin(before.datasets.index)]
    pd.testing.assert_frame_equal(kept.reset_index(drop=True), before.evaluations.reset_index(drop=True))
    # the lock died with the process: the next writer goes on
    X2, y2 = _frame(9)
    user.record(X2, _trials(9), y=y2, name="next", metafeatures=mf)
    assert len(user.load().datasets) == 2
