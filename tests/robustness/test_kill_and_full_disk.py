"""kill -9 at each write step and a full disk (an injected ``OSError(ENOSPC)``): nothing recorded is
lost, no half-written file is left where a reader looks, and the user gets one line saying what failed.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from autometa.cli import main
from autometa.knowledge.user import UserKnowledgeBase

RECORD = textwrap.dedent("""
    import sys
    import numpy as np, pandas as pd
    from optuna.distributions import CategoricalDistribution, FloatDistribution
    from optuna.trial import create_trial
    from autometa.knowledge.user import UserKnowledgeBase
    from autometa.testing.faults import kill_at_rename

    name, C, kill_at = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    calls = kill_at_rename(kill_at)  # the moment of greatest risk: the new file written, not yet in place
    rng = np.random.default_rng(len(name))
    X = pd.DataFrame(rng.normal(size=(60, 3)), columns=["a", "b", "c"])
    y = pd.Series((X["a"] > 0).astype(int), name="y")
    dist = {"family": CategoricalDistribution(["linear"]), "linear_C": FloatDistribution(1e-4, 1e4, log=True)}
    trial = create_trial(params={"family": "linear", "linear_C": C}, distributions=dist, value=0.9)
    UserKnowledgeBase().record(X, [trial], y=y, name=name)
    print(calls[0])
""")


def _record(home: Path, name: str, C: float, kill_at: int = 0) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AUTOMETA_HOME": str(home)}
    return subprocess.run([sys.executable, "-c", RECORD, name, str(C), str(kill_at)], env=env, text=True,
                          capture_output=True, timeout=120)


def _consistent(home: Path) -> pd.DataFrame:
    kb = UserKnowledgeBase(home / "knowledge").load()
    assert set(kb.evaluations["dataset"]) <= set(kb.metafeatures.index)
    assert set(kb.evaluations["config_id"]) <= set(kb.configurations.index)
    assert set(kb.datasets.index) <= set(kb.metafeatures.index)
    return kb.evaluations


@pytest.mark.slow  # a dozen subprocesses importing autometa: ~40 s
def test_kill_9_at_each_write_step_loses_nothing(tmp_path: Path) -> None:
    base = tmp_path / "base"
    first = _record(base, "A", 0.5)
    assert first.returncode == 0, first.stderr
    n_writes = _record(tmp_path / "probe", "A", 0.5).stdout  # writes of a first record
    second = _record(tmp_path / "count", "A", 0.5)
    n_steps = int(_record(tmp_path / "count", "B", 0.0123).stdout)  # writes of a second record, new config
    assert int(n_writes) >= 5 and second.returncode == 0 and n_steps >= 5
    for step in range(1, n_steps + 1):
        home = tmp_path / f"kill{step}"
        subprocess.run(["cp", "-a", str(base), str(home)], check=True)
        killed = _record(home, "B", 0.0123, kill_at=step)
        assert killed.returncode == -signal.SIGKILL, (step, killed.stderr)
        # what was recorded before is all there, and the base reads without a complaint
        ev = _consistent(home)
        assert (ev["dataset"].str.startswith("user-A-")).sum() == 1, step
        # the interrupted one is there in full (killed after its datasets row) or not at all
        assert (ev["dataset"].str.startswith("user-B-")).sum() == (1 if step == n_steps else 0), step
        # the interrupted record, done again, lands in full; no temporary file is left behind
        again = _record(home, "B", 0.0123)
        assert again.returncode == 0, (step, again.stderr)
        ev = _consistent(home)
        # (after a kill past its datasets row, B was recorded: the second record is a second study of it)
        expected = ["A", "B", "B"] if step == n_steps else ["A", "B"]
        assert sorted(d.split("-")[1] for d in ev["dataset"]) == expected, step
        assert not list((home / "knowledge").glob(".*.tmp")), step


def _full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every atomic write fails as on a full disk, after writing part of its temporary file."""
    import autometa._io as io

    def no_space(path: Path, write) -> None:  # noqa: ANN001
        def partial(tmp: str) -> None:
            with open(tmp, "wb") as fh:
                fh.write(b"PAR1 half")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), tmp)

        original(path, partial)

    original = io._atomic
    monkeypatch.setattr(io, "_atomic", no_space)


def _data(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(80, 3)), columns=["a", "b", "c"])
    X["y"] = (X["a"] > 0).astype(int)
    X.to_csv(tmp_path / "d.csv", index=False)
    return tmp_path / "d.csv"


FAST = ["--time-budget", "5", "--families", "linear", "--no-warm-start", "--quiet"]


def test_a_full_disk_in_fit_out_is_one_line_and_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("AUTOMETA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("AUTOMETA_RECORD", "0")
    data = _data(tmp_path)
    _full_disk(monkeypatch)
    out = tmp_path / "model.joblib"
    assert main(["fit", str(data), "--target", "y", *FAST, "--out", str(out)]) != 0
    err = capsys.readouterr().err.strip()
    assert err.startswith("autometa: error:") and "No space left on device" in err and "\n" not in err
    assert str(out) in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.csv", "home"]  # no model, no temporary file


def test_a_full_disk_in_predict_out_is_one_line_and_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("AUTOMETA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("AUTOMETA_RECORD", "0")
    data = _data(tmp_path)
    model = tmp_path / "m" / "model.joblib"
    model.parent.mkdir()
    assert main(["fit", str(data), "--target", "y", *FAST, "--out", str(model)]) == 0
    capsys.readouterr()
    _full_disk(monkeypatch)
    out = tmp_path / "p" / "pred.csv"
    out.parent.mkdir()
    assert main(["predict", str(model), str(data), "--out", str(out)]) != 0
    err = capsys.readouterr().err.strip()
    assert "No space left on device" in err and str(out) in err and "\n" not in err
    assert list(out.parent.iterdir()) == []


def test_a_full_disk_while_recording_keeps_the_model_and_the_base(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import autometa

    monkeypatch.setenv("AUTOMETA_HOME", str(tmp_path / "home"))
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(80, 3)), columns=["a", "b", "c"])
    y = (X["a"] > 0).astype(int)
    fast = {"time_budget": 6, "families": ["linear"], "n_trials": 2, "warm_start": False, "record": True}
    autometa.fit(X, y, **fast)  # recorded
    before = UserKnowledgeBase().load().evaluations
    _full_disk(monkeypatch)
    from autometa.exceptions import AutometaWarning

    with pytest.warns(AutometaWarning, match="not recorded.*No space left on device"):
        model = autometa.fit(X + 1, y, **fast)
    assert model.n_validated_ >= 1 and len(model.predict(X)) == 80
    assert len(before) == 2
    pd.testing.assert_frame_equal(UserKnowledgeBase().load().evaluations, before)
    assert not list((tmp_path / "home" / "knowledge").glob(".*.tmp"))


def test_a_full_disk_in_ingest_is_one_line_and_keeps_the_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    import optuna
    from optuna.distributions import CategoricalDistribution, FloatDistribution
    from optuna.trial import create_trial

    monkeypatch.setenv("AUTOMETA_HOME", str(tmp_path / "home"))
    data = _data(tmp_path)
    storage = f"sqlite:///{tmp_path / 's.db'}"
    study = optuna.create_study(storage=storage, study_name="s", direction="maximize")
    dist = {"classifier": CategoricalDistribution(["SVC"]), "C": FloatDistribution(1e-3, 1e3, log=True)}
    study.add_trial(create_trial(params={"classifier": "SVC", "C": 2.0}, distributions=dist, value=0.7))
    _full_disk(monkeypatch)
    capsys.readouterr()
    assert main(["metadata", "ingest", str(data), "--target", "y", "--storage", storage, "--study-name", "s"]) != 0
    err = capsys.readouterr().err.strip()
    assert "No space left on device" in err and "\n" not in err
    knowledge = tmp_path / "home" / "knowledge"
    assert not knowledge.exists() or not [p for p in knowledge.iterdir() if p.suffix in (".tmp", ".parquet")]
    assert json.loads(json.dumps(UserKnowledgeBase().info()))["evaluations"] == 0
