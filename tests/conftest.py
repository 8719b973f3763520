"""Shared fixtures: where the shared data collections are.

Tests that need a collection take its fixture and skip, with the fix in the reason,
when it is not on this machine.
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from autometa.exceptions import DataError
from autometa.tasks import ENV_DATA_DIR, resolve_data_dir

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


def _find_collection(collection: str) -> Path | None:
    """The folder of ``collection`` from ``$AUTOMETA_DATA_DIR``, else ``<repo>/../shared/data``."""
    for given in (os.environ.get(ENV_DATA_DIR), SHARED_DATA / collection):
        if not given:
            continue
        try:
            return resolve_data_dir(given, collection=collection)
        except DataError:
            continue
    return None


@pytest.fixture(scope="session")
def pmlb_dir() -> Path:
    """The PMLB folder (``NAME/NAME.tsv.gz``, ``index.tsv``, ``families.tsv``)."""
    found = _find_collection("pmlb")
    if found is None:
        pytest.skip("PMLB data not found: set AUTOMETA_DATA_DIR to the PMLB folder (../shared/data/pmlb)")
    return found


@pytest.fixture(scope="session")
def omniglot_dir() -> Path:
    """The Omniglot folder (``images_background_small1.zip``...), found beside the PMLB one."""
    found = _find_collection("omniglot")
    if found is None:
        pytest.skip("Omniglot data not found: set AUTOMETA_DATA_DIR to the PMLB folder (../shared/data/pmlb); "
                    "../shared/data/omniglot is found beside it")
    return found


def fake_recommendations(families=None, top=10) -> pd.DataFrame:
    """The portfolio in a fixed order, shaped like ``recommend``'s table."""
    from autometa.metalearn import RANK_COLUMNS
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


@pytest.fixture
def make_recommendations():
    """``make_recommendations(families, top)``: a recommendation table without a knowledge base."""
    return fake_recommendations


def _runs_without_torch(code: str) -> None:
    """Run ``code`` in a fresh interpreter and assert that it imported no torch module."""
    import subprocess
    import sys

    code += ("\nimport sys\n"
             "loaded = sorted(m for m in sys.modules if m == 'torch' or m.startswith('torch.'))\n"
             "assert not loaded, loaded[:5]\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr


@pytest.fixture
def runs_without_torch():
    """``runs_without_torch(code)``: run the code in a fresh interpreter; fail if it loaded torch."""
    return _runs_without_torch
