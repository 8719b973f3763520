"""Fixtures for the search tests: a small table (``fake_recommend`` is in tests/conftest.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="session")
def small_table() -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(120, 4)), columns=["a", "b", "c", "d"])
    X["colour"] = rng.choice(["red", "green", "blue"], size=len(X))
    y = pd.Series((X["a"] + (X["colour"] == "red") > 0.3).astype(int), name="label")
    return X, y


