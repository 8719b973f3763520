"""One kind rule for every entry point: fit, the estimators' load_task, recommend, the CLI."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import autometa
from autometa.exceptions import AutometaWarning, DataError
from autometa.tasks import infer_kind, load_task


def _table(y: np.ndarray) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(rng.normal(size=(len(y), 3)), columns=["a", "b", "c"])


def _prices(n: int = 300) -> np.ndarray:
    """Integer prices stored as floats, 100-999: a regression target with many whole values."""
    return np.random.default_rng(1).integers(100, 1000, n).astype(float)


def test_whole_numbers_stored_as_floats_are_regression_everywhere(tmp_path: Path) -> None:
    y = _prices()
    X = _table(y)
    assert infer_kind(y) == "regression"
    assert load_task(X, y=y).kind == "regression"
    model = autometa.fit(X, y, time_budget=3, families=["linear"], n_trials=1, warm_start=False, record=False)
    assert isinstance(model, autometa.AutoMetaRegressor) and model.kind_ == "regression"
    data = tmp_path / "d.csv"
    X.assign(price=y).to_csv(data, index=False)
    assert load_task(str(data), target="price").kind == "regression"  # CSV: read back as floats


def test_few_whole_floats_warn_and_kind_overrides(recwarn) -> None:
    y = np.tile([1.0, 2.0, 3.0, 4.0, 5.0], 20)  # an ordinal 1-5 score stored as floats
    X = _table(y)
    with pytest.warns(AutometaWarning, match="5 distinct whole numbers stored as floats: read as regression"):
        assert infer_kind(pd.Series(y, name="score")) == "regression"
    model = autometa.fit(X, y, kind="multiclass", time_budget=3, families=["linear"], n_trials=1,
                         warm_start=False, record=False)
    assert isinstance(model, autometa.AutoMetaClassifier) and model.kind_ == "multiclass"
    with pytest.raises(DataError, match="'kind' parameter of fit must be None or one of"):
        autometa.fit(X, y, kind="ordinal")


def test_integer_labels_are_classes_and_many_of_them_warn() -> None:
    assert infer_kind(np.arange(100) % 7) == "multiclass"
    with pytest.warns(AutometaWarning, match="26 distinct integers: read as 26 classes"):
        assert infer_kind(pd.Series(np.arange(260) % 26)) == "multiclass"  # letter's 26 classes
    assert infer_kind(np.arange(100) % 31) == "regression"
    assert infer_kind(np.array([0.0, 1.0, 1.0, 0.0])) == "binary"
    assert infer_kind(np.array(["a", "b", "c"])) == "multiclass"


def test_fit_and_recommend_agree_on_the_kind(monkeypatch) -> None:
    y = _prices(200)
    X = _table(y)
    recs = autometa.recommend(X, y, top=3)
    assert recs.attrs["metric"] == "r2"


def test_a_constant_regression_target_is_rejected_by_every_entry_point() -> None:
    y = np.full(50, 3.5)
    X = _table(y)
    with pytest.raises(DataError, match="single value"):
        autometa.fit(X, y, time_budget=3, record=False)
    with pytest.raises(DataError, match="single value"):
        autometa.recommend(X, y)
    with pytest.raises(DataError, match="single value"):
        autometa.AutoMetaRegressor(time_budget=3, record=False).fit(X, y)


DATA_DIR = os.environ.get("AUTOMETA_DATA_DIR")


@pytest.mark.skipif(not DATA_DIR or not Path(DATA_DIR).is_dir(), reason="AUTOMETA_DATA_DIR (PMLB) is not set")
def test_the_rule_agrees_with_every_pmlb_kind() -> None:
    from autometa.knowledge import KnowledgeBase

    kinds = KnowledgeBase.load().datasets["kind"]
    root = Path(str(DATA_DIR))
    wrong = []
    for name, kind in kinds.items():
        files = list((root / str(name)).glob("*.tsv.gz"))
        if not files:
            continue
        y = pd.read_csv(files[0], sep="\t", usecols=["target"])["target"]
        if infer_kind(y, warn=False) != kind:
            wrong.append((name, kind))
    assert wrong == []
    assert len(kinds) == 233
