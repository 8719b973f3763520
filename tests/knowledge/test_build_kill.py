"""kill -9 at each write step of ``autometa metadata build``: the build resumed afterwards equals an uninterrupted one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

BUILD = textwrap.dedent("""
    import sys
    import pandas as pd
    from autometa.knowledge import Protocol, build_knowledge_base
    from autometa.testing.faults import kill_at_rename

    out, data, configs, kill_at = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    calls = kill_at_rename(kill_at)
    build_knowledge_base(out, data_dir=data, protocol=Protocol(n_folds=2, max_rows=120),
                         configurations=pd.read_parquet(configs), n_jobs=1)
    print(calls[0])
""")


def _build(out: Path, data: Path, configs: Path, kill_at: int = 0) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AUTOMETA_HOME": str(out.parent / "home")}
    return subprocess.run([sys.executable, "-c", BUILD, str(out), str(data), str(configs), str(kill_at)],
                          env=env, text=True, capture_output=True, timeout=300)


def _scores(folder: Path) -> pd.DataFrame:
    ev = pd.read_parquet(folder / "evaluations.parquet")
    keep = [c for c in ("dataset", "config_id", "fold", "status", "balanced_accuracy", "r2") if c in ev]
    return ev[keep].sort_values(["dataset", "config_id", "fold"]).reset_index(drop=True)


@pytest.mark.slow  # a dozen builds of three tiny datasets in subprocesses: ~1-2 min
def test_a_build_killed_at_any_write_resumes_to_the_same_base(tiny_pmlb: Path, cheap_portfolio: pd.DataFrame,
                                                              tmp_path: Path) -> None:
    configs = tmp_path / "configs.parquet"
    cheap_portfolio.to_parquet(configs)
    clean = _build(tmp_path / "clean" / "kb", tiny_pmlb, configs)
    assert clean.returncode == 0, clean.stderr
    n_writes = int(clean.stdout.strip().splitlines()[-1])
    assert n_writes >= 5
    expected = _scores(tmp_path / "clean" / "kb")
    for step in range(1, n_writes + 1):
        out = tmp_path / f"kill{step}" / "kb"
        killed = _build(out, tiny_pmlb, configs, kill_at=step)
        assert killed.returncode == -signal.SIGKILL, (step, killed.stderr[-500:])
        resumed = _build(out, tiny_pmlb, configs)
        assert resumed.returncode == 0, (step, resumed.stderr[-500:])
        pd.testing.assert_frame_equal(_scores(out), expected, obj=f"killed at write {step}")
        assert not list(out.rglob(".*.tmp")), step
