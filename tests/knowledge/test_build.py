"""The knowledge-base build: complete, resumable, never recomputing finished work."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from autometa.exceptions import KnowledgeBaseError
from autometa.knowledge import KnowledgeBase, Protocol, build_knowledge_base
from autometa.knowledge import build as build_module
from autometa.knowledge.build import consolidate, finished_datasets, merge_builds

PROTOCOL = Protocol(n_folds=2, max_rows=120, fit_timeout=30.0)
NAMES = ["cancer_small", "iris_small", "diabetes_small"]
METRIC_COLUMNS = ["accuracy", "balanced_accuracy", "roc_auc", "log_loss", "r2", "rmse", "mae"]


def _evals(path: Path) -> pd.DataFrame:
    ev = pd.read_parquet(path / "evaluations.parquet")
    return ev[["dataset", "config_id", "fold", "status", *METRIC_COLUMNS]].sort_values(
        ["dataset", "config_id", "fold"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def built(built_kb: Path) -> Path:
    return built_kb


@pytest.fixture(scope="module")
def cheap_built(tiny_pmlb: Path, cheap_portfolio: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("kb") / "cheap"
    build_knowledge_base(out, data_dir=tiny_pmlb, datasets=NAMES, protocol=PROTOCOL,
                         configurations=cheap_portfolio, metafeatures=False)
    return out


def test_build_writes_a_complete_base(built: Path, small_portfolio: pd.DataFrame) -> None:
    kb = KnowledgeBase.load(built, strict=True)
    assert sorted(kb.datasets.index) == sorted(NAMES)
    assert kb.datasets.loc["iris_small", "kind"] == "multiclass"
    assert kb.datasets.loc["diabetes_small", "kind"] == "regression"
    assert kb.datasets.loc["cancer_small", "family"] == "cancer"
    cov = kb.coverage()
    assert cov["expected_cells"] == 3 * len(small_portfolio) == cov["evaluated_cells"]
    assert cov["missing_cells"] == 0
    # every dataset x configuration x fold, with the metrics of its kind
    ev = kb.evaluations
    assert len(ev) == 3 * len(small_portfolio) * PROTOCOL.n_folds
    ok = ev[ev["status"] == "ok"]
    clf = ok[ok["dataset"] != "diabetes_small"]
    reg = ok[ok["dataset"] == "diabetes_small"]
    assert clf["balanced_accuracy"].between(0, 1).all() and clf["r2"].isna().all()
    assert reg["rmse"].gt(0).all() and reg["accuracy"].isna().all()
    assert (ok["fit_seconds"] > 0).all()
    # iris is easy: the best configuration is near perfect
    assert kb.scores().loc["iris_small"].max() > 0.9
    # meta-features were computed for every dataset
    assert sorted(kb.metafeatures.index) == sorted(NAMES)
    assert kb.metafeatures.loc["iris_small", "nr_inst"] == 150


def test_manifest_describes_the_build(built: Path, small_portfolio: pd.DataFrame) -> None:
    manifest = json.loads((built / "manifest.json").read_text())
    assert manifest["protocol"]["n_folds"] == 2 and manifest["protocol"]["max_rows"] == 120
    assert manifest["portfolio"]["n_configurations"] == len(small_portfolio)
    assert manifest["datasets"]["n"] == 3
    assert manifest["build"]["wall_seconds"] > 0
    assert "scikit-learn" in manifest["versions"]


def test_rerun_recomputes_nothing(built: Path, tiny_pmlb: Path, small_portfolio: pd.DataFrame,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("a finished dataset was recomputed")

    monkeypatch.setattr("autometa.knowledge._evaluate.evaluate_task", fail)
    report = build_knowledge_base(built, data_dir=tiny_pmlb, datasets=NAMES, protocol=PROTOCOL,
                                  configurations=small_portfolio)
    assert report.done == [] and sorted(report.skipped) == sorted(NAMES)


def test_interrupted_build_resumes_to_the_same_result(cheap_built: Path, tiny_pmlb: Path, tmp_path: Path,
                                                      cheap_portfolio: pd.DataFrame,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from autometa.knowledge import _evaluate

    real = _evaluate.evaluate_task
    calls: list[str] = []

    def interrupt_second(task, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(task.name)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(task, *args, **kwargs)

    out = tmp_path / "kb"
    monkeypatch.setattr(_evaluate, "evaluate_task", interrupt_second)
    with pytest.raises(KeyboardInterrupt):
        build_knowledge_base(out, data_dir=tiny_pmlb, datasets=NAMES, protocol=PROTOCOL,
                             configurations=cheap_portfolio, metafeatures=False)
    # the dataset finished before the interruption is kept, and only that one
    assert finished_datasets(out) == {calls[0]}
    monkeypatch.setattr(_evaluate, "evaluate_task", real)
    report = build_knowledge_base(out, data_dir=tiny_pmlb, datasets=NAMES, protocol=PROTOCOL,
                                  configurations=cheap_portfolio, metafeatures=False)
    assert calls[0] in report.skipped and len(report.done) == 2
    pd.testing.assert_frame_equal(_evals(out), _evals(cheap_built))


def test_chunks_shared_by_two_workers_give_the_same_base(cheap_built: Path, tiny_pmlb: Path, tmp_path: Path,
                                                          cheap_portfolio: pd.DataFrame) -> None:
    out = tmp_path / "kb"
    report = build_knowledge_base(out, data_dir=tiny_pmlb, datasets=NAMES, protocol=PROTOCOL, n_jobs=2,
                                  configurations=cheap_portfolio, metafeatures=False, chunk_size=1)
    assert sorted(report.done) == sorted(NAMES)
    pd.testing.assert_frame_equal(_evals(out), _evals(cheap_built))
    rows = pd.read_parquet(out / "datasets.parquet").set_index("dataset")
    assert (rows["build_seconds"] > 0).all() and rows.loc["iris_small", "kind"] == "multiclass"
    assert not (out / build_module.PARTS).exists() or not list((out / build_module.PARTS).rglob("*"))


def test_a_build_killed_inside_a_dataset_keeps_its_finished_chunks(cheap_built: Path, tiny_pmlb: Path,
                                                                   tmp_path: Path, cheap_portfolio: pd.DataFrame,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from autometa.knowledge import _evaluate

    real = _evaluate.evaluate_task
    calls: list[tuple[str, list[str]]] = []

    def interrupt_second(task, configurations, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append((task.name, list(configurations["config_id"])))
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(task, configurations, *args, **kwargs)

    out = tmp_path / "kb"
    monkeypatch.setattr(_evaluate, "evaluate_task", interrupt_second)
    with pytest.raises(KeyboardInterrupt):
        build_knowledge_base(out, data_dir=tiny_pmlb, datasets=NAMES, protocol=PROTOCOL,
                             configurations=cheap_portfolio, metafeatures=False, chunk_size=1)
    first, done_chunk = calls[0][0], calls[0][1]
    assert calls[1][0] == first  # killed in the middle of the first dataset
    assert finished_datasets(out) == set()
    assert build_module.chunked_configs(out, first) == set(done_chunk)
    calls.clear()
    monkeypatch.setattr(_evaluate, "evaluate_task", lambda task, configurations, *a, **k: (
        calls.append((task.name, list(configurations["config_id"]))) or real(task, configurations, *a, **k)))
    report = build_knowledge_base(out, data_dir=tiny_pmlb, datasets=NAMES, protocol=PROTOCOL,
                                  configurations=cheap_portfolio, metafeatures=False, chunk_size=1)
    # the finished chunk is not scored again; everything else is, once
    assert (first, done_chunk) not in calls and len(calls) == len(NAMES) * len(cheap_portfolio) - 1
    assert sorted(report.done) == sorted(NAMES)
    pd.testing.assert_frame_equal(_evals(out), _evals(cheap_built))


def test_chunk_size_is_checked(tiny_pmlb: Path, tmp_path: Path, cheap_portfolio: pd.DataFrame) -> None:
    with pytest.raises(KnowledgeBaseError, match="chunk_size must be an int >= 1; got 0"):
        build_knowledge_base(tmp_path / "kb", data_dir=tiny_pmlb, datasets=NAMES, protocol=PROTOCOL,
                             configurations=cheap_portfolio, metafeatures=False, chunk_size=0)


def test_a_killed_worker_leaves_a_part_that_the_next_run_merges(built: Path, tmp_path: Path) -> None:
    # simulate a build killed after a dataset's part was written but before consolidation
    out = tmp_path / "kb"
    out.mkdir()
    for name in ("configurations.parquet", "manifest.json"):
        (out / name).write_bytes((built / name).read_bytes())
    ev = pd.read_parquet(built / "evaluations.parquet")
    row = pd.read_parquet(built / "datasets.parquet").iloc[0].to_dict()
    build_module.write_part(out, row, ev[ev["dataset"] == row["dataset"]])
    assert finished_datasets(out) == {row["dataset"]}
    assert consolidate(out) == 1
    assert not list((out / build_module.PARTS).glob("*"))
    assert list(pd.read_parquet(out / "datasets.parquet")["dataset"]) == [row["dataset"]]


def test_merge_builds_from_another_machine(cheap_built: Path, tiny_pmlb: Path, tmp_path: Path,
                                           cheap_portfolio: pd.DataFrame) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    build_knowledge_base(a, data_dir=tiny_pmlb, datasets=NAMES[:1], protocol=PROTOCOL,
                         configurations=cheap_portfolio, metafeatures=False)
    build_knowledge_base(b, data_dir=tiny_pmlb, datasets=NAMES[1:], protocol=PROTOCOL,
                         configurations=cheap_portfolio, metafeatures=False)
    assert merge_builds([b], a) == 2
    pd.testing.assert_frame_equal(_evals(a), _evals(cheap_built))
    c = tmp_path / "c"
    build_knowledge_base(c, data_dir=tiny_pmlb, datasets=NAMES[:1], protocol=Protocol(n_folds=3, max_rows=120),
                         configurations=cheap_portfolio, metafeatures=False)
    with pytest.raises(KnowledgeBaseError, match="another protocol"):
        merge_builds([c], a)


def test_resume_with_other_settings_is_refused(built: Path, tiny_pmlb: Path, small_portfolio: pd.DataFrame) -> None:
    with pytest.raises(KnowledgeBaseError, match="protocol"):
        build_knowledge_base(built, data_dir=tiny_pmlb, datasets=NAMES, protocol=Protocol(n_folds=5),
                             configurations=small_portfolio)
    other = small_portfolio.copy()
    other.loc[0, "params"] = json.dumps({"n_estimators": 7})
    with pytest.raises(KnowledgeBaseError, match="another portfolio"):
        build_knowledge_base(built, data_dir=tiny_pmlb, datasets=NAMES, protocol=PROTOCOL, configurations=other)


def test_failures_are_recorded_not_dropped(tiny_pmlb: Path, tmp_path: Path, small_portfolio: pd.DataFrame) -> None:
    broken = small_portfolio.head(2).copy()  # lightgbm-000 and the next family
    broken.loc[0, "params"] = json.dumps({"num_leaves": -5})  # LightGBM refuses this
    out = tmp_path / "kb"
    build_knowledge_base(out, data_dir=tiny_pmlb, datasets=["iris_small"], protocol=PROTOCOL,
                         configurations=broken, metafeatures=False)
    ev = pd.read_parquet(out / "evaluations.parquet")
    bad = ev[ev["config_id"] == broken.loc[0, "config_id"]]
    assert len(bad) == PROTOCOL.n_folds and (bad["status"] == "error").all()
    assert bad["error"].str.len().gt(0).all() and bad["balanced_accuracy"].isna().all()
    kb = KnowledgeBase.load(out)
    assert kb.coverage()["error_cells"] == 1
    assert np.isnan(kb.scores().loc["iris_small", broken.loc[0, "config_id"]])


def test_timeouts_are_recorded(tiny_pmlb: Path, tmp_path: Path, small_portfolio: pd.DataFrame,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    from autometa.knowledge import _evaluate

    def slow(*args: object) -> float:
        raise _evaluate.FitTimeout("fit exceeded 0.001 s")

    monkeypatch.setattr(_evaluate, "score_predictions", slow)
    out = tmp_path / "kb"
    build_knowledge_base(out, data_dir=tiny_pmlb, datasets=["iris_small"], protocol=PROTOCOL,
                         configurations=small_portfolio.head(2), metafeatures=False)
    ev = pd.read_parquet(out / "evaluations.parquet")
    assert (ev["status"] == "timeout").all() and len(ev) == 2 * PROTOCOL.n_folds


def test_the_command_line_builds_in_chunks(tiny_pmlb: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    from autometa.cli import main

    out = tmp_path / "kb"
    argv = ["metadata", "build", "--data-dir", str(tiny_pmlb), "--out", str(out), "--datasets", "iris_small",
            "--configs", "1", "--folds", "2", "--max-rows", "120", "--no-metafeatures", "--quiet"]
    assert main([*argv, "--chunk-size", "3"]) == 0
    assert "built 1 dataset(s)" in capsys.readouterr().out
    ev = pd.read_parquet(out / "evaluations.parquet")
    assert ev["config_id"].nunique() == 8 and len(ev) == 8 * 2 and (ev["status"] == "ok").all()
    assert main([*argv, "--out", str(tmp_path / "other"), "--chunk-size", "0"]) != 0
    assert "chunk_size must be an int >= 1; got 0" in capsys.readouterr().err


def test_a_chunk_of_a_dataset_another_build_finished_is_dropped(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "kb"
    out.mkdir()
    for name in ("configurations.parquet", "manifest.json", "datasets.parquet", "evaluations.parquet"):
        (out / name).write_bytes((built / name).read_bytes())
    ev = pd.read_parquet(out / "evaluations.parquet")
    chunk = {"dataset": "iris_small", "configs": ["knn-000"], "seconds": 1.0, "meta": {"dataset": "iris_small"},
             "evaluations": ev[(ev["dataset"] == "iris_small") & (ev["config_id"] == "knn-000")]}
    build_module.write_chunk(out, chunk)  # iris_small is finished: nothing is kept
    assert build_module.chunked_configs(out, "iris_small") == set()
    build_module.write_chunk(out, {**chunk, "dataset": "not_finished"})
    assert build_module.chunked_configs(out, "not_finished") == {"knn-000"}
