"""Time limits wait for safe points inside code that must not be interrupted anywhere (LightGBM's)."""

from __future__ import annotations

import pickle
import time

import numpy as np
import pytest
from sklearn.base import clone

from autometa._interrupt import shielded
from autometa.pipelines import get_family
from autometa.search._budget import BudgetExceeded, time_limit


def _busy(seconds: float) -> int:
    end, n = time.perf_counter() + seconds, 0
    while time.perf_counter() < end:  # Python bytecode: an alarm can land anywhere in here
        n += 1
    return n


def test_an_alarm_inside_a_shielded_block_raises_when_the_block_ends():
    reached_end = False
    with pytest.raises(BudgetExceeded):
        with time_limit(0.05):
            with shielded():
                _busy(0.3)
                reached_end = True
    assert reached_end


def test_without_a_shield_the_alarm_raises_at_once():
    reached_end = False
    with pytest.raises(BudgetExceeded):
        with time_limit(0.05):
            _busy(0.3)
            reached_end = True
    assert not reached_end


def test_a_shielded_block_that_ends_in_time_raises_nothing():
    with time_limit(5.0):
        with shielded():
            assert _busy(0.01) > 0
    with shielded():  # no limit in force
        _busy(0.01)


@pytest.mark.parametrize("kind", ["regression", "binary"])
def test_lightgbm_stops_between_boosting_rounds(kind):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 10))
    y = X[:, 0] + rng.normal(size=2000) if kind == "regression" else (X[:, 0] > 0).astype(int)
    family = get_family("lightgbm")
    pipeline = family.build({**family.defaults(kind), "n_estimators": 100_000, "learning_rate": 0.001}, kind)
    model = pipeline.steps[-1][1]
    assert type(model).__name__.startswith("Timed")
    rounds = []
    with pytest.raises(BudgetExceeded):
        with time_limit(0.3):
            pipeline.fit(X, y, model__callbacks=[lambda env: rounds.append(env.iteration)])
    assert 0 < len(rounds) < 100_000  # stopped by the callback between rounds, not by the alarm mid-call
    # a model that finishes in time is an ordinary, picklable, clonable LightGBM model
    small = family.build({**family.defaults(kind), "n_estimators": 5}, kind)
    with time_limit(30.0):
        small.fit(X, y)
    again = pickle.loads(pickle.dumps(small))
    np.testing.assert_allclose(again.predict(X), small.predict(X))
    assert clone(small.steps[-1][1]).get_params()["n_estimators"] == 5
