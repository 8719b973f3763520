"""A search logs through Python's logging: quiet by default, one line per improvement at INFO."""

from __future__ import annotations

import logging
import re

import pytest

import autometa


def test_a_search_is_quiet_unless_logging_is_configured(capsys, small_table):
    X, y = small_table
    autometa.fit(X, y, time_budget=4, families=["linear"], warm_start=False, record=False)
    out, err = capsys.readouterr()
    assert out == "" and "best so far" not in err


def test_info_lines_name_the_plan_each_improvement_and_the_end(caplog, small_table):
    X, y = small_table
    with caplog.at_level(logging.INFO, logger="autometa"):
        model = autometa.fit(X, y, time_budget=3, families=["linear", "knn"], warm_start=False, record=False,
                             random_state=0)
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("autometa.search")]
    assert re.match(r"searching .* \(\d+ rows x \d+ columns, binary\) for 3 s by balanced_accuracy; validation: ",
                    lines[0])
    improvements = [m for m in lines if "is the best so far" in m]
    assert improvements, lines
    scores = [float(m.rsplit(" ", 1)[1]) for m in improvements]
    assert scores == sorted(scores)  # each line a strict improvement
    assert len(improvements) <= model.n_validated_
    end = [m for m in lines if "chose trial" in m]
    assert len(end) == 1 and f"{model.n_trials_} trials ({model.n_validated_} validated)" in end[0]
    assert end[0].endswith(f"final model: {model.final_model_}")


def test_log_file_gets_one_json_line_per_finished_trial(tmp_path, small_table):
    import json

    X, y = small_table
    path = tmp_path / "trials.jsonl"
    model = autometa.fit(X, y, time_budget=4, families=["linear", "knn"], record=False, random_state=0,
                         log_file=str(path))
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(lines) == model.n_trials_
    assert [r["trial"] for r in lines] == sorted(r["trial"] for r in lines)
    done = [r for r in lines if r["state"] == "complete"]
    assert len(done) == model.n_validated_ >= 1
    board = model.leaderboard_.set_index("trial")
    for r in done:  # the same scores and parameters as the leaderboard, in autometa's names
        assert r["family"] in {"linear", "knn"} and r["metric"] == "balanced_accuracy"
        assert r["score"] == board.loc[r["trial"], "score"] and r["params"] == board.loc[r["trial"], "params"]
        k, repeats = int(model.validation_.split("-")[0]), 2 if model.validation_.endswith("x 2") else 1
        assert len(r["split_scores"]) == k * repeats
        assert sum(r["split_scores"]) / (k * repeats) == pytest.approx(r["score"], rel=1e-12)
    assert {r["source"] for r in lines} <= {"warm start", "sampler"} and lines[0]["source"] == "warm start"
    assert all(b["elapsed"] >= a["elapsed"] for a, b in zip(lines, lines[1:]))
