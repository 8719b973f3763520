"""Faults: a damaged user knowledge base never blocks a recommendation; files are written as the umask says."""

from __future__ import annotations

import importlib
import os
import stat

import numpy as np
import pandas as pd
import pytest

import autometa
from autometa.exceptions import AutometaWarning
from autometa.knowledge import load_knowledge
from autometa.knowledge.user import UserKnowledgeBase


def _record(home) -> None:
    from optuna.distributions import CategoricalDistribution, FloatDistribution
    from optuna.trial import create_trial

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(60, 3)), columns=["a", "b", "c"])
    y = pd.Series((X["a"] > 0).astype(int), name="y")
    dist = {"family": CategoricalDistribution(["linear"]), "linear_C": FloatDistribution(1e-4, 1e4, log=True)}
    trial = create_trial(params={"family": "linear", "linear_C": 0.5}, distributions=dist, value=0.9)
    UserKnowledgeBase().record(X, [trial], y=y, name="A")


def _truncate(path):
    path.write_bytes(path.read_bytes()[:40])


def _random(path):
    path.write_bytes(os.urandom(500))


def _garbage_manifest(path):
    (path.parent / "manifest.json").write_text("{not json")


def _drop_column(path):
    frame = pd.read_parquet(path)
    frame.drop(columns=["config_id"]).to_parquet(path)


CORRUPTIONS = {
    "truncated evaluations": ("evaluations.parquet", _truncate),
    "random bytes in configurations": ("configurations.parquet", _random),
    "truncated metafeatures": ("metafeatures.parquet", _truncate),
    "random bytes in datasets": ("datasets.parquet", _random),
    "garbage manifest": ("datasets.parquet", _garbage_manifest),
    "evaluations without config_id": ("evaluations.parquet", _drop_column),
}


@pytest.mark.parametrize("corruption", list(CORRUPTIONS))
def test_a_damaged_user_base_falls_back_to_the_shipped_one(corruption, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("AUTOMETA_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(importlib.import_module("autometa.metalearn._user_runs"), "_LOADED", {})
    _record(tmp_path / "home")
    file, damage = CORRUPTIONS[corruption]
    damage(tmp_path / "home" / "knowledge" / file)
    X, y = pd.DataFrame(np.random.default_rng(1).normal(size=(60, 3)), columns=["a", "b", "c"]), np.arange(60) % 2
    with pytest.warns(AutometaWarning, match="left out: .*move .* away to start a new one|left out: .*Move"):
        recs = autometa.recommend(X, y, top=3)
    assert len(recs) == 3
    with pytest.warns(AutometaWarning, match="Your knowledge base was left out"):
        kb = load_knowledge()
    assert len(kb.datasets) == 233 and "combined" not in kb.manifest


def test_files_follow_the_umask(tmp_path) -> None:
    from autometa._io import atomic_write_bytes

    old = os.umask(0o077)
    try:
        atomic_write_bytes(b"x", tmp_path / "private")
    finally:
        os.umask(old)
    atomic_write_bytes(b"x", tmp_path / "shared")
    assert stat.S_IMODE(os.stat(tmp_path / "private").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "shared").st_mode) == 0o666 & ~old
