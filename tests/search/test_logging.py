"""A search logs through Python's logging: quiet by default, one line per improvement at INFO."""

from __future__ import annotations

import logging
import re

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
