"""Bad input on the command line, table-driven: a one-line ``autometa: error:`` and exit code 2, or a result.

One model is fitted for the module; each case damages a copy of the data, the model
file or a knowledge base passed with ``--kb``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from autometa.cli import main

METADATA = Path(__file__).resolve().parents[2] / "metadata"


@pytest.fixture(scope="module")
def fitted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    rng = np.random.default_rng(0)
    data = pd.DataFrame(rng.normal(size=(80, 3)), columns=["a", "b", "c"])
    data["y"] = (data["a"] > 0).astype(int)
    data.to_csv(folder / "d.csv", index=False)
    mp = pytest.MonkeyPatch()
    mp.setenv("AUTOMETA_HOME", str(folder / "home"))
    mp.setenv("AUTOMETA_RECORD", "0")
    try:
        assert main(["fit", str(folder / "d.csv"), "--target", "y", "--time-budget", "5", "--families", "linear",
                     "--no-warm-start", "--quiet", "--out", str(folder / "m.joblib")]) == 0
    finally:
        mp.undo()
    return folder


def _data(folder: Path, change: Callable[[pd.DataFrame], None]) -> str:
    frame = pd.read_csv(folder / "d.csv")
    change(frame)
    frame.to_csv(folder / "case.csv", index=False)
    return str(folder / "case.csv")


def _set(column: str, row: int, value: object) -> Callable[[pd.DataFrame], None]:
    def change(frame: pd.DataFrame) -> None:
        frame[column] = frame[column].astype(object)
        frame.loc[row, column] = value
    return change


def _model(folder: Path, damage: Callable[[bytes], bytes]) -> str:
    (folder / "case.joblib").write_bytes(damage((folder / "m.joblib").read_bytes()))
    return str(folder / "case.joblib")


def _kb(folder: Path, damage: Callable[[Path], None]) -> str:
    kb = folder / "kb"
    if kb.exists():
        shutil.rmtree(kb)
    shutil.copytree(METADATA, kb, ignore=shutil.ignore_patterns("*.pt", "learner-*", "__init__.py"))
    damage(kb)
    return str(kb)


def _garbage_manifest(kb: Path) -> None:
    (kb / "manifest.json").write_text("{garbage")


def _wrong_schema(kb: Path) -> None:
    pd.read_parquet(kb / "evaluations.parquet").drop(columns=["config_id"]).to_parquet(kb / "evaluations.parquet")


def _kind_foo(kb: Path) -> None:
    datasets = pd.read_parquet(kb / "datasets.parquet")
    datasets.loc[datasets.index[0], "kind"] = "foo"
    datasets.to_parquet(kb / "datasets.parquet")


@dataclass
class Case:
    name: str
    argv: Callable[[Path], list[str]]
    code: int
    match: str


CASES = [
    Case("predict: text in a numeric column", lambda f: ["predict", str(f / "m.joblib"), _data(f, _set("a", 3, "oops"))],
         2, "Column 'a' held numbers when the model was fitted, but row 3 holds 'oops'"),
    Case("predict: numbers as text in a numeric column", lambda f: [
        "predict", str(f / "m.joblib"), _data(f, _set("a", 3, "1.5"))], 0, "prediction"),
    Case("predict: inf in X", lambda f: ["predict", str(f / "m.joblib"), _data(f, _set("b", 2, np.inf))], 0,
         "prediction"),
    Case("predict: a missing column", lambda f: [
        "predict", str(f / "m.joblib"), _data(f, lambda d: d.pop("c"))], 2, r"lacks the model's feature column\(s\) \['c'\]"),
    Case("predict: a truncated model file", lambda f: ["predict", _model(f, lambda b: b[: len(b) // 2]),
                                                       str(f / "d.csv")], 2, "was changed since"),
    Case("predict: random bytes as a model file", lambda f: ["predict", _model(f, lambda b: os.urandom(3000)),
                                                              str(f / "d.csv")], 2, "not a model file signed"),
    Case("predict: a missing --out folder", lambda f: ["predict", str(f / "m.joblib"), str(f / "d.csv"), "--out",
                                                       str(f / "no" / "p.csv")], 2, "does not exist"),
    Case("recommend --kb: a garbage manifest.json", lambda f: [
        "recommend", str(f / "d.csv"), "--target", "y", "--kb", _kb(f, _garbage_manifest)], 2, "is not valid JSON"),
    Case("recommend --kb: evaluations of the wrong schema", lambda f: [
        "recommend", str(f / "d.csv"), "--target", "y", "--kb", _kb(f, _wrong_schema)], 2,
        r"lacks column\(s\) \['config_id'\]"),
    Case("recommend --kb: kind 'foo'", lambda f: [
        "recommend", str(f / "d.csv"), "--target", "y", "--kb", _kb(f, _kind_foo)], 2,
        "has kind 'foo'; a kind is one of binary, multiclass, regression"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_cli_bad_input(case: Case, fitted: Path, capsys: pytest.CaptureFixture[str],
                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOMETA_HOME", str(fitted / "home"))
    argv = case.argv(fitted)
    capsys.readouterr()
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == case.code, err
    if case.code == 0:
        assert case.match in out
        return
    assert err.startswith("autometa: error:") and err.strip().count("\n") == 0, err
    import re

    assert re.search(case.match, err), err
