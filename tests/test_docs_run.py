"""The commands and snippets of README.md and docs/ run as written, in a fresh folder (issue 20).

docs/benchmarks.md and docs/history.md are the pages not run: their commands are the
benchmarks themselves (minutes to hours each), and each benchmark prints the command
that made its figures. docs/changelog.md, docs/index.md and docs/api.md hold no
commands.

Every ```bash and ```python block of README.md runs here, in order, in an empty
folder holding the files the text names as the user's own: ``data.csv`` (target
column ``y``), ``new.csv`` and ``tuned.db`` (a finished Optuna study of LightGBM,
``my-lightgbm``), with a private ``AUTOMETA_HOME``. The Python blocks run as one session, as a reader
pastes them into one interpreter. Budgets the text sets to a minute run at a few
seconds ("small budgets where the text allows"); ``../shared/data/pmlb`` is
``AUTOMETA_DATA_DIR``. A command is left out only for a reason named in
:data:`NOT_RUN`; a README command that matches none of them and fails, fails here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: the pages whose blocks run here, besides README.md (each its own Python session)
DOCS = ["docs/getting-started.md", "docs/search.md", "docs/recommend.md", "docs/warm-start.md",
        "docs/metafeatures.md", "docs/knowledge.md", "docs/fewshot.md", "docs/scaling.md", "docs/architecture.md",
        "docs/reliability.md"]
BLOCK = re.compile(r"^```(python|bash)\n(.*?)^```", re.S | re.M)

#: the start of a command -> why this test does not run it
NOT_RUN = {
    "pip install": "the set-up itself: CI runs it on a clean clone",
    "AUTOMETA_DATA_DIR=../shared/data/pmlb python -m pytest": "the test suite itself",
    "autometa metadata build": "builds a whole knowledge base (hours); tests/knowledge build a tiny one",
    "autometa metadata evaluate": "leave-one-family-out over 233 datasets (minutes); tests/metalearn run it small",
    "autometa maml": "meta-training (minutes to hours on a CPU); tests/maml train a few steps",
    "dask ": "a Dask cluster",
    "python -c \"import autometa, pandas as pd; df = pd.read_csv('data.csv');":
        "a PostgreSQL server; tests/robustness run the same workers on one",
}
#: (as written, as run): budgets the text allows to shrink, and the data folder
SMALLER = [("time_budget=60", "time_budget=5"), ("--time-budget 60", "--time-budget 5"),
           ("time_budget=20", "time_budget=5"), ("--time-budget 20", "--time-budget 5"),
           ("time_budget=10", "time_budget=5")]


def blocks(text: str) -> list[tuple[str, str]]:
    """The README's fenced blocks, ``(language, code)``, in order.

    >>> blocks("x\\n```bash\\nautometa demo\\n```\\n")
    [('bash', 'autometa demo\\n')]
    """
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(text)]


def commands(code: str) -> list[str]:
    """The shell commands of a bash block: continuation lines joined, comments and blank lines dropped.

    >>> commands("a --x 1   # note\\n# only a comment\\nb \\\\\\n  --y 2\\n")
    ['a --x 1', 'b --y 2']
    """
    joined = re.sub(r"\\\n\s*", "", code)
    out = []
    for line in joined.splitlines():
        line = re.sub(r"\s+#.*$", "", line).strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def not_run(command: str) -> str | None:
    return next((why for start, why in NOT_RUN.items() if command.startswith(start)), None)


def as_run(code: str, data_dir: str) -> str:
    for written, run in SMALLER:
        code = code.replace(written, run)
    return code.replace("../shared/data/pmlb", data_dir)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X = X.iloc[:, :8].rename(columns=lambda c: c.replace(" ", "_"))
    X.assign(y=y.map({0: "malignant", 1: "benign"})).to_csv(tmp_path / "data.csv", index=False)
    X.iloc[:20].to_csv(tmp_path / "new.csv", index=False)
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(storage=f"sqlite:///{tmp_path / 'tuned.db'}", study_name="my-lightgbm",
                                direction="maximize")
    study.optimize(lambda t: 0.9 - abs(t.suggest_int("num_leaves", 4, 64) - 20) / 1000
                   + t.suggest_float("learning_rate", 0.01, 0.3, log=True) / 10, n_trials=5)
    return tmp_path


def test_every_readme_command_and_snippet_runs_as_written(folder: Path) -> None:
    data_dir = os.environ.get("AUTOMETA_DATA_DIR")
    if not data_dir or not Path(data_dir).is_dir():
        pytest.skip("AUTOMETA_DATA_DIR is not set: the README's task commands read ../shared/data/pmlb")
    data_dir = str(Path(data_dir).resolve())
    env = {**os.environ, "AUTOMETA_HOME": str(folder / "home"), "AUTOMETA_CACHE_DIR": str(folder / "cache"),
           "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    env.pop("AUTOMETA_RECORD", None)  # recording on, as a new user has it
    ran, skipped, python = [], [], []
    for language, code in blocks((ROOT / "README.md").read_text()):
        if language == "python":
            python.append(as_run(code, data_dir))
            continue
        for command in commands(code):
            why = not_run(command)
            if why:
                skipped.append((command, why))
                continue
            done = subprocess.run(as_run(command, data_dir), shell=True, cwd=folder, env=env, text=True,
                                  capture_output=True, timeout=300)
            assert done.returncode == 0, f"README command failed: {command}\n{done.stderr[-2000:]}"
            ran.append(command)
    script = folder / "readme_session.py"
    script.write_text("\n".join(python))
    done = subprocess.run([sys.executable, str(script)], cwd=folder, env=env, text=True, capture_output=True,
                          timeout=600)
    assert done.returncode == 0, f"README Python snippets failed:\n{done.stderr[-3000:]}"
    # what ran is what the README shows: the commands a newcomer meets first are among them
    assert any(c.startswith("autometa fit data.csv") for c in ran)
    assert any(c.startswith("autometa warm-start") for c in ran)
    assert any(c.startswith("autometa predict model.joblib") for c in ran)
    assert len(ran) >= 10 and len(python) >= 5
    for page in DOCS:  # the guide's pages, each in the same folder
        ran_here, python_here = [], []
        for language, code in blocks((ROOT / page).read_text()):
            if language == "python":
                python_here.append(as_run(code, data_dir))
                continue
            for command in commands(code):
                if not_run(command):
                    skipped.append((command, not_run(command)))
                    continue
                done = subprocess.run(as_run(command, data_dir), shell=True, cwd=folder, env=env, text=True,
                                      capture_output=True, timeout=300)
                assert done.returncode == 0, f"{page} command failed: {command}\n{done.stderr[-2000:]}"
                ran_here.append(command)
        if python_here:
            script.write_text("\n".join(python_here))
            done = subprocess.run([sys.executable, str(script)], cwd=folder, env=env, text=True,
                                  capture_output=True, timeout=600)
            assert done.returncode == 0, f"{page} Python snippets failed:\n{done.stderr[-3000:]}"
        ran += ran_here
    assert "python -m autometa.testing.imports -v" in ran  # docs/architecture.md's
    assert {c.split()[0] + " " + c.split()[1] for c, _ in skipped} <= {
        "pip install", "AUTOMETA_DATA_DIR=../shared/data/pmlb python", "autometa metadata", "autometa maml",
        "dask scheduler", "dask worker", "python -c"}
