"""`autometa recommend` and `autometa metadata evaluate`, in-process, on a synthetic base on disk."""

from __future__ import annotations

import importlib
import json

import numpy as np
import pandas as pd
import pytest

from autometa.cli import main
from autometa.metalearn import synthetic_knowledge_base
from autometa.testing.metalearn import write_knowledge_base


@pytest.fixture(scope="module")
def kb_path(tmp_path_factory):
    return write_knowledge_base(synthetic_knowledge_base(6), tmp_path_factory.mktemp("kb"))


@pytest.fixture
def csv(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOMETA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(importlib.import_module("autometa.metalearn.recommend"), "_MEMORY", {})
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(150, 3)), columns=["a", "b", "c"])
    df["y"] = (df["a"] > 0).astype(int)
    path = tmp_path / "data.csv"
    df.to_csv(path, index=False)
    return path


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_recommend_json(capsys, kb_path, csv):
    code, out, err = run(capsys, "recommend", csv, "--target", "y", "--top", "3", "--json", "--kb", kb_path,
                         "--learner", "average_rank")
    assert code == 0, err
    doc = json.loads(out)
    recs = doc["recommendations"]
    assert [r["rank"] for r in recs] == [1, 2, 3]
    assert recs[0]["config_id"] == "gamma-000" and recs[0]["params"] == {"k": 5}
    assert set(recs[0]) == {"rank", "config_id", "family", "params", "predicted_score", "expected_fit_seconds",
                            "why", "expected_score", "expected_low", "expected_high"}
    assert recs[0]["expected_score"] is None  # average rank leans on no neighbours: no expected score
    assert doc["metric"] == "balanced_accuracy" and doc["warnings"] == []


def test_recommend_table(capsys, kb_path, csv):
    code, out, err = run(capsys, "recommend", csv, "--target", "y", "--kb", kb_path, "--families", "beta",
                         "delta", "--learner", "neighbors")
    assert code == 0, err
    assert "top 8 by balanced_accuracy" in out and "expected balanced_accuracy (10-90 %)" in out
    assert "beta" in out and "alpha" not in out and "gamma" not in out
    assert "predicted_score" not in out  # the learner's own scale stays in --json
    assert err.startswith("nearest datasets: cls_")


def test_recommend_time_budget_warns(capsys, kb_path, csv):
    code, out, err = run(capsys, "recommend", csv, "--target", "y", "--kb", kb_path, "--time-budget", "1e-6",
                         "--top", "2", "--json")
    assert code == 0
    assert "No configuration is expected" in json.loads(out)["warnings"][0]


@pytest.mark.parametrize("argv, message", [
    (["--top", "0"], "--top must be an integer >= 1"),
    (["--metric", "r2"], "'metric' parameter of recommend must be None or one of"),
    (["--families", "nope"], "Unknown pipeline family 'nope'"),
])
def test_recommend_bad_input_one_line(capsys, kb_path, csv, argv, message):
    code, out, err = run(capsys, "recommend", csv, "--target", "y", "--kb", kb_path, *argv)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("autometa: error: ") and message in lines[0]


def test_recommend_missing_base(capsys, csv, tmp_path):
    code, _, err = run(capsys, "recommend", csv, "--target", "y", "--kb", tmp_path / "nowhere")
    assert code == 2 and "No knowledge base" in err


def test_metadata_evaluate_json(capsys, kb_path):
    code, out, err = run(capsys, "metadata", "evaluate", "--path", kb_path, "--learner", "neighbors",
                         "--group", "regression", "--json")
    assert code == 0, err
    doc = json.loads(out)
    learners = [row["learner"] for row in doc["summary"]]
    assert learners == ["neighbors", "average_rank", "random", "oracle"]
    assert {row["group"] for row in doc["summary"]} == {"regression"}
    assert doc["meta"]["datasets"] == 12
    assert set(doc["summary"][0]) >= {"regret@1", "regret@25", "first_rank", "ndcg@10", "w/t/l@1", "w/t/l@5"}


def test_metadata_evaluate_table(capsys, kb_path):
    code, out, err = run(capsys, "metadata", "evaluate", "--path", kb_path, "--learner", "average_rank",
                         "--group", "classification", "--quiet")
    assert code == 0, err
    assert "classification: leave-one-family-out over 12 datasets" in out and "oracle" in out
