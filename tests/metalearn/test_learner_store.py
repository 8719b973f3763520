"""Fitted learners on disk: the shipped one, the signed cache, one key for every caller, threads."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import numpy as np
import pytest

from autometa.knowledge import default_path
from autometa.metalearn import NearestDatasets, _cache, synthetic_knowledge_base

rec = importlib.import_module("autometa.metalearn.recommend")  # the module, not the function


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty AUTOMETA_HOME (so an empty cache under it) and an empty in-process cache."""
    monkeypatch.setenv("AUTOMETA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("AUTOMETA_CACHE_DIR", raising=False)
    monkeypatch.setattr(rec, "_MEMORY", {})
    return tmp_path / "home"


def test_the_shipped_default_learner_belongs_to_this_code_and_base() -> None:
    status = _cache.shipped_status(default_path())
    hint = "run `autometa metadata refit --ship` and commit metadata/learner-default.*"
    assert status["present"], hint
    assert status["learner"] == repr(rec.get_learner("default")), hint
    assert status["code_matches"], f"the learner code changed since the shipped learner was fitted: {hint}"
    assert status["base_matches"], f"the shipped base changed since the shipped learner was fitted: {hint}"


def test_the_default_learner_is_ready_at_install_without_a_fit(fresh: Path, monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(NearestDatasets, "fit", lambda self, kb: calls.append(1) or self)
    learner = rec.fitted_learner("default", fit=False)
    assert learner is not None and calls == []
    assert set(learner.groups_) == {"classification", "regression"}
    assert not (fresh / "cache").exists()  # nothing was written either


def test_cache_lives_under_autometa_home(fresh: Path, monkeypatch) -> None:
    assert rec.cache_dir() == fresh / "cache" / "metalearn"
    monkeypatch.setenv("AUTOMETA_CACHE_DIR", str(fresh.parent / "elsewhere"))
    assert rec.cache_dir() == fresh.parent / "elsewhere" / "metalearn"


def test_cache_entries_are_signed_and_a_planted_file_is_never_unpickled(fresh: Path) -> None:
    import joblib

    assert _cache.write("k1", {"a": 1}) is not None
    assert _cache.read("k1") == {"a": 1}
    assert oct(os.stat(fresh / ".cache-key").st_mode & 0o777) == "0o600"

    class Boom:
        def __reduce__(self):
            return (os.system, ("touch " + str(fresh / "pwned"),))

    planted = _cache.learner_dir() / "k2.joblib"
    joblib.dump(Boom(), planted)
    (planted.with_suffix(".sig")).write_text("0" * 64)
    assert _cache.read("k2") is None
    entry = _cache.learner_dir() / "k1.joblib"  # a signed entry whose bytes were replaced
    joblib.dump(Boom(), entry)
    assert _cache.read("k1") is None
    assert not (fresh / "pwned").exists()


def test_cache_is_pruned_to_its_cap_least_recently_used_first(fresh: Path, monkeypatch) -> None:
    payload = np.random.default_rng(0).bytes(300_000)  # incompressible: about 0.3 MB an entry
    monkeypatch.setenv("AUTOMETA_CACHE_MAX_MB", "1")
    for i in range(6):
        _cache.write(f"e{i}", payload)
        os.utime(_cache.learner_dir() / f"e{i}.joblib", (1000 + i, 1000 + i))
    left = sorted(p.stem for p in _cache.learner_dir().glob("*.joblib"))
    assert left == ["e3", "e4", "e5"]
    assert sum(p.stat().st_size for p in _cache.learner_dir().glob("*.joblib")) <= 1e6
    assert sorted(p.stem for p in _cache.learner_dir().glob("*.sig")) == left


def test_recommend_and_fit_share_one_cache_entry(fresh: Path, monkeypatch) -> None:
    from autometa.metalearn import AverageRank
    from autometa.search._budget import Budget
    from autometa.search._recommend import recommend_for as _recommend
    from autometa.tasks import load_task

    calls = []
    original = AverageRank.fit
    monkeypatch.setattr(AverageRank, "fit", lambda self, kb: calls.append(1) or original(self, kb))
    task = load_task("sklearn:breast_cancer")
    first = rec.recommend(task, top=3, learner="average_rank")
    assert calls == [1]
    monkeypatch.setattr(rec, "_MEMORY", {})  # a new process: from the disk cache
    recs, notes = _recommend(task, families=["linear", "lightgbm"], n=3, metric="balanced_accuracy",
                             learner="average_rank", knowledge_base=None, time_budget=60.0,
                             budget=Budget(30.0))
    assert calls == [1] and notes == []
    assert rec.recommend(task, top=3, learner="average_rank", metric="balanced_accuracy").equals(first)
    assert calls == [1]
    assert len(list(rec.cache_dir().glob("*.joblib"))) == 1


def test_n_jobs_sets_the_meta_learners_threads() -> None:
    kb = synthetic_knowledge_base(4)
    learner = NearestDatasets(n_neighbors=3, follow="model").fit(kb)
    for state in learner.groups_.values():
        model = state["model"][0]
        assert model.n_jobs == 1
        assert state["model"][1]["model"].get_params()["n_jobs"] == 1
    two = rec._fit(NearestDatasets(n_neighbors=3, follow="model"), kb, n_jobs=2)
    assert two.n_jobs == 1  # the instance keeps its parameters: one cache key whatever the threads
    assert rec._learner_key(NearestDatasets(n_jobs=2)) == rec._learner_key(NearestDatasets())


def test_a_learner_that_is_not_ready_is_not_fitted_inside_a_small_budget(fresh: Path, monkeypatch) -> None:
    from autometa.search._budget import Budget
    from autometa.search._recommend import ready_learner as _ready_learner

    calls = []
    original = NearestDatasets.fit
    monkeypatch.setattr(NearestDatasets, "fit", lambda self, kb: calls.append(1) or original(self, kb))
    notes: list[str] = []
    stale = NearestDatasets(n_neighbors=7)  # not shipped, not cached
    learner = _ready_learner(stale, None, Budget(10.0), 1, notes)
    assert calls == [] and type(learner).__name__ == "AverageRank"
    assert "not fitted yet" in notes[0] and "autometa metadata refit" in notes[0]
    learner = _ready_learner(stale, None, Budget(600.0), 1, [])  # plenty of time: fitted, then cached
    assert calls == [1] and isinstance(learner, NearestDatasets)
    assert rec.fitted_learner(stale, fit=False) is learner
