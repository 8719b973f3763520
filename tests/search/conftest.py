"""Fixtures for the search tests: a small table and a fake ``recommend`` (no knowledge base needed)."""

from __future__ import annotations

import importlib
import json

import numpy as np
import pandas as pd
import pytest

from autometa.metalearn import RANK_COLUMNS


def fake_recommendations(families=None, top=10) -> pd.DataFrame:
    """The portfolio in a fixed order, shaped like ``recommend``'s table."""
    from autometa.pipelines import portfolio

    table = portfolio()
    if families is not None:
        table = table[table["family"].isin(families)]
    rows = []
    for i, cfg in enumerate(table.head(top).itertuples(index=False)):
        params = json.loads(cfg.params) if isinstance(cfg.params, str) else dict(cfg.params)
        rows.append({"rank": i + 1, "config_id": cfg.config_id, "family": cfg.family, "params": params,
                     "predicted_score": 1.0 - 0.01 * i, "expected_fit_seconds": 0.1, "why": "fake"})
    out = pd.DataFrame(rows, columns=RANK_COLUMNS)
    out.attrs["neighbours"] = [{"dataset": "pmlb_a", "distance": 0.1}, {"dataset": "pmlb_b", "distance": 0.2}]
    return out


@pytest.fixture
def fake_recommend(monkeypatch):
    """Replace ``autometa.metalearn.recommend`` by the portfolio order; records its calls."""
    calls: list[dict] = []

    def recommend(X, y=None, *, top=10, families=None, **kwargs):
        calls.append({"top": top, "families": families, **kwargs})
        return fake_recommendations(families, top)

    monkeypatch.setattr(importlib.import_module("autometa.metalearn"), "recommend", recommend)
    return calls


@pytest.fixture(scope="session")
def small_table() -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(120, 4)), columns=["a", "b", "c", "d"])
    X["colour"] = rng.choice(["red", "green", "blue"], size=len(X))
    y = pd.Series((X["a"] + (X["colour"] == "red") > 0.3).astype(int), name="label")
    return X, y


@pytest.fixture
def make_recommendations():
    """``make_recommendations(families, top)``: a recommendation table without a knowledge base."""
    return fake_recommendations
