"""`autometa tasks list|show`, called in-process through :func:`autometa.cli.main`."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from autometa.cli import _COMMAND_MODULES, main
from autometa.tasks import TaskRegistry

N_PMLB = 233


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("autometa: error: ")
    return lines[0]


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    existing = [m for m in _COMMAND_MODULES if importlib.util.find_spec(m) is not None]
    assert "autometa.cli.tasks" in existing
    for module in existing:
        assert re.search(rf"^    {module.rsplit('.', 1)[1].replace('_', '-')}\b", out, re.MULTILINE), module
    assert main([]) == 0 and "usage: autometa" in capsys.readouterr().out
    assert main(["tasks"]) == 0 and "list" in capsys.readouterr().out


def test_list_json(capsys: pytest.CaptureFixture[str], pmlb_dir: Path) -> None:
    code, out, err = _run(capsys, "tasks", "list", "--data-dir", str(pmlb_dir), "--json")
    assert (code, err) == (0, "")
    rows = json.loads(out)
    assert len(rows) == N_PMLB
    assert set(rows[0]) == {"name", "kind", "rows", "features", "family"}
    assert {r["kind"] for r in rows} == {"binary", "multiclass", "regression"}
    mux6 = next(r for r in rows if r["name"] == "mux6")
    assert mux6 == {"name": "mux6", "kind": "binary", "rows": 128, "features": 6, "family": "mux6"}


def test_list_filters(capsys: pytest.CaptureFixture[str], pmlb_dir: Path) -> None:
    code, out, _ = _run(capsys, "tasks", "list", "--data-dir", str(pmlb_dir), "--json", "--kind", "regression")
    rows = json.loads(out)
    assert code == 0 and 0 < len(rows) < N_PMLB and {r["kind"] for r in rows} == {"regression"}
    code, out, _ = _run(capsys, "tasks", "list", "--data-dir", str(pmlb_dir), "--json", "--pattern", "mux*")
    assert [r["name"] for r in json.loads(out)] == ["mux6"]


def test_list_table(capsys: pytest.CaptureFixture[str], pmlb_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOMETA_DATA_DIR", str(pmlb_dir))
    code, out, err = _run(capsys, "tasks", "list")
    assert (code, err) == (0, "")
    assert f"{N_PMLB} tasks" in out
    for word in ("name", "kind", "rows", "features", "family", "regression", "multiclass"):
        assert word in out
    # piped output is not cut to 80 columns: every name is there whole, one row per line
    names = TaskRegistry.from_data_dir(pmlb_dir).list()
    assert all(f"│ {name} " in out for name in names)
    assert sum(line.startswith("│ ") for line in out.splitlines()) == N_PMLB


def test_list_without_data_dir(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUTOMETA_DATA_DIR", raising=False)
    code, out, err = _run(capsys, "tasks", "list")
    assert code == 2 and out == ""
    assert "No data directory for 'pmlb'" in _one_line_error(err)


def test_show_pmlb(capsys: pytest.CaptureFixture[str], pmlb_dir: Path) -> None:
    code, out, err = _run(capsys, "tasks", "show", "pmlb:mux6", "--data-dir", str(pmlb_dir), "--json")
    assert (code, err) == (0, "")
    summary = json.loads(out)
    assert summary["name"] == "mux6" and summary["kind"] == "binary"
    assert (summary["rows"], summary["features"], summary["classes"]) == (128, 6, 2)
    # a bare name with --data-dir means a PMLB dataset
    code, out, _ = _run(capsys, "tasks", "show", "analcatdata_happiness", "--data-dir", str(pmlb_dir))
    assert code == 0 and "analcatdata_happiness" in out and "multiclass" in out


def test_show_file_and_kind(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "toy.csv"
    pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": ["x", "y", "x", "z"], "label": [0, 1, 2, 1]}).to_csv(path, index=False)
    code, out, _ = _run(capsys, "tasks", "show", str(path), "--target", "label", "--json")
    summary = json.loads(out)
    assert code == 0
    assert (summary["name"], summary["kind"], summary["categorical"], summary["classes"]) == ("toy", "multiclass", 1, 3)
    code, out, _ = _run(capsys, "tasks", "show", str(path), "--target", "label", "--kind", "regression", "--json")
    assert code == 0 and json.loads(out)["kind"] == "regression"


def test_show_sklearn_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "tasks", "show", "sklearn:iris")
    assert code == 0
    assert "iris" in out and "multiclass" in out and "150" in out


@pytest.mark.parametrize(
    ("content", "args", "fragment"),
    [
        (b"\x00\xff\xfe binary \x89PNG" * 50, ["--target", "label"], "could not be read as a table"),
        (b"just some words\nin one column\n", ["--target", "label"], "is not a table of features and a target"),
        (b"a,b,label\n1,2,0\n3,4,1\n", ["--target", "lable"], "Did you mean 'label'?"),
        (b"a,b,label\n1,2,0\n3,4,0\n", ["--target", "label"], "single class"),
    ],
    ids=["binary", "one-column", "misspelt-target", "single-class"],
)
def test_show_bad_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes,
                               args: list[str], fragment: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    code, out, err = _run(capsys, "tasks", "show", str(path), *args)
    assert code == 2 and out == ""
    assert fragment in _one_line_error(err)


def test_console_script(pmlb_dir: Path) -> None:
    exe = shutil.which("autometa")
    if exe is None:
        pytest.skip("the autometa console script is not on PATH: pip install -e .")
    start = time.perf_counter()
    done = subprocess.run([exe, "tasks", "list", "--data-dir", str(pmlb_dir), "--json"],
                          capture_output=True, text=True, timeout=60, check=False)
    elapsed = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == N_PMLB
    assert elapsed < 10, f"listing took {elapsed:.1f} s; the target is under 10 s"
    bad = subprocess.run([exe, "tasks", "show", str(pmlb_dir / "SOURCE.md"), "--target", "x"],
                         capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode == 2 and bad.stderr.startswith("autometa: error: ")
