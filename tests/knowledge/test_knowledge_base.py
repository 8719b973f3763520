"""Loading, checking and querying a knowledge base; clear errors for damaged ones."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from autometa.cli import main
from autometa.exceptions import KnowledgeBaseError
from autometa.knowledge import KnowledgeBase


@pytest.fixture(scope="module")
def kb_path(built_kb: Path) -> Path:
    return built_kb


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_scores_and_queries(kb_path: Path, small_portfolio: pd.DataFrame) -> None:
    kb = KnowledgeBase.load(kb_path)
    scores = kb.scores()
    assert scores.shape == (3, len(small_portfolio))
    ev = kb.evaluations
    one = ev[(ev["dataset"] == "iris_small") & (ev["config_id"] == "knn-000")]
    assert scores.loc["iris_small", "knn-000"] == pytest.approx(one["balanced_accuracy"].mean())
    # losses are negated so that larger is better
    rmse = kb.scores("rmse")
    assert (rmse.loc["diabetes_small"].dropna() < 0).all()
    assert kb.scores("rmse", greater_is_better=False).loc["diabetes_small"].gt(0).all()
    assert kb.dataset_names("classification") == ["cancer_small", "iris_small"]
    assert kb.primary_metric("regression") == "r2"
    family, params = kb.configuration("knn-000")
    assert family == "knn" and isinstance(params, dict)
    sub = kb.subset(["iris_small"])
    assert list(sub.scores().index) == ["iris_small"]
    assert kb.fit_seconds().gt(0).all().all()


def test_info_summarises(kb_path: Path, small_portfolio: pd.DataFrame) -> None:
    info = KnowledgeBase.load(kb_path).info()
    assert info["datasets_by_kind"] == {"binary": 1, "multiclass": 1, "regression": 1}
    assert sum(info["configurations_by_family"].values()) == len(small_portfolio)
    assert info["coverage"]["missing_cells"] == 0


def test_metadata_info_cli(kb_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["metadata", "info", str(kb_path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["coverage"]["datasets"] == 3
    assert main(["metadata", "info", str(kb_path)]) == 0
    out = capsys.readouterr().out
    assert "multiclass" in out and "lightgbm" in out


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="does not exist"):
        KnowledgeBase.load(tmp_path / "nope")


def test_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="empty"):
        KnowledgeBase.load(tmp_path)


def test_missing_file(kb_path: Path, tmp_path: Path) -> None:
    path = _copy(kb_path, tmp_path / "kb")
    (path / "evaluations.parquet").unlink()
    with pytest.raises(KnowledgeBaseError, match="evaluations.parquet.*partial or damaged"):
        KnowledgeBase.load(path)


def test_corrupt_file(kb_path: Path, tmp_path: Path) -> None:
    path = _copy(kb_path, tmp_path / "kb")
    (path / "datasets.parquet").write_bytes(b"not parquet")
    with pytest.raises(KnowledgeBaseError, match="datasets.parquet cannot be read"):
        KnowledgeBase.load(path)


def test_bad_manifest(kb_path: Path, tmp_path: Path) -> None:
    path = _copy(kb_path, tmp_path / "kb")
    (path / "manifest.json").write_text("{")
    with pytest.raises(KnowledgeBaseError, match="not valid JSON"):
        KnowledgeBase.load(path)
    (path / "manifest.json").write_text(json.dumps({"schema_version": 99}))
    with pytest.raises(KnowledgeBaseError, match="schema version 99"):
        KnowledgeBase.load(path)


def test_missing_column(kb_path: Path, tmp_path: Path) -> None:
    path = _copy(kb_path, tmp_path / "kb")
    ev = pd.read_parquet(path / "evaluations.parquet").drop(columns=["status"])
    ev.to_parquet(path / "evaluations.parquet")
    with pytest.raises(KnowledgeBaseError, match=r"lacks column\(s\) \['status'\]"):
        KnowledgeBase.load(path)


def test_partial_base_loads_but_strict_refuses(kb_path: Path, tmp_path: Path) -> None:
    path = _copy(kb_path, tmp_path / "kb")
    ev = pd.read_parquet(path / "evaluations.parquet")
    ev[ev["config_id"] != "knn-000"].to_parquet(path / "evaluations.parquet")
    kb = KnowledgeBase.load(path)
    assert kb.coverage()["missing_cells"] == 3
    with pytest.raises(KnowledgeBaseError, match="3 dataset x configuration cells have no evaluation"):
        KnowledgeBase.load(path, strict=True)


def test_unknown_configuration_is_damage(kb_path: Path, tmp_path: Path) -> None:
    path = _copy(kb_path, tmp_path / "kb")
    ev = pd.read_parquet(path / "evaluations.parquet")
    ev.loc[0, "config_id"] = "ghost-999"
    ev.to_parquet(path / "evaluations.parquet")
    with pytest.raises(KnowledgeBaseError, match="ghost-999"):
        KnowledgeBase.load(path)
