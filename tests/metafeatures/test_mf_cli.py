"""`autometa metafeatures FILE --target COL [--groups ...] [--json]`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from autometa.cli import main
from autometa.metafeatures import feature_names


@pytest.fixture()
def csv(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=60), "b": rng.choice(["x", "y"], 60), "label": np.tile([0, 1], 30)})
    path = tmp_path / "toy.csv"
    frame.to_csv(path, index=False)
    return path


def test_json(csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["metafeatures", str(csv), "--target", "label", "--groups", "general,statistical", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == "binary"
    assert list(out["metafeatures"]) == feature_names(["general", "statistical"], kind="binary")
    assert out["metafeatures"]["nr_inst"] == 60
    assert out["rules"]["categorical"] == ["b"]


def test_table(csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["metafeatures", str(csv), "--target", "label", "--groups", "general"]) == 0
    out = capsys.readouterr().out
    assert "nr_inst" in out and "general" in out


def test_bad_input_exits_2_with_one_line(csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["metafeatures", str(csv), "--target", "nope"]) == 2
    assert main(["metafeatures", str(csv), "--target", "label", "--groups", "astrology"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("autometa: error:") for line in err)
    assert "astrology" in err[1]
