"""Eight workers started at once on a fresh PostgreSQL database: all run, no trial lost or duplicated.

The test starts its own PostgreSQL server (Debian's ``postgresql`` package:
``apt-get install postgresql``; ``pip install psycopg2-binary``) on 127.0.0.1 with a
data directory in a temporary folder, and stops it afterwards. It is skipped, with
the reason, where either is missing. As root, the server runs as the ``postgres``
account (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import glob
import multiprocessing
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

N_RACERS = 8


def _racer(storage: str, worker: int, barrier: multiprocessing.synchronize.Barrier,
           results: multiprocessing.queues.Queue) -> None:
    """A worker started at the same instant as seven others on a database with no schema yet."""
    import numpy as np
    import pandas as pd

    from autometa.search import run_search
    from autometa.tasks import load_task

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(120, 4)), columns=["a", "b", "c", "d"])
    task = load_task(X, y=(X["a"] + 0.5 * X["b"] > 0).astype(int))
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    barrier.wait(timeout=120)
    result = run_search(task, time_budget=120, storage=storage, study_name="race", n_trials=2,
                        families=["linear"], warm_start=False, random_state=worker)
    results.put((worker, result.n_trials))


def _pg_bin() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def postgres_url() -> Iterator[str]:
    pg_bin = _pg_bin()
    if pg_bin is None:
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    pytest.importorskip("psycopg2", reason="the PostgreSQL driver is not installed (pip install psycopg2-binary)")
    as_user: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="autometa-pg-"))
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser: PostgreSQL cannot be started as root")
        import pwd

        account = pwd.getpwnam("postgres") if "postgres" in {p.pw_name for p in pwd.getpwall()} else None
        if account is None:
            pytest.skip("running as root and there is no 'postgres' account to run the server as")
        os.chown(root, account.pw_uid, account.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", _free_port()

    def run(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, timeout=120)

    run(str(pg_bin / "initdb"), "-D", str(data), "-U", "autometa", "--auth=trust", "-E", "UTF8")
    run(str(pg_bin / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-t", "60", "-o",
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=100", "start")
    try:
        run(str(pg_bin / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "autometa", "fresh")
        yield f"postgresql+psycopg2://autometa@127.0.0.1:{port}/fresh"
    finally:
        subprocess.run([*as_user, str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.slow  # a server start and eight processes importing autometa at once: ~40 s on two cores
def test_eight_workers_started_at_once_on_a_new_postgresql_database(postgres_url: str) -> None:
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(N_RACERS), ctx.Queue()
    procs = [ctx.Process(target=_racer, args=(postgres_url, w, barrier, results)) for w in range(N_RACERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
    assert [p.exitcode for p in procs] == [0] * N_RACERS
    ran = dict(results.get(timeout=5) for _ in range(N_RACERS))
    assert sorted(ran) == list(range(N_RACERS))
    trials = optuna.load_study(study_name="race", storage=postgres_url).get_trials(deepcopy=False)
    assert len(trials) == 2 * N_RACERS  # none lost
    assert sorted(t.number for t in trials) == list(range(2 * N_RACERS))  # none duplicated
    assert {t.state for t in trials} <= {TrialState.COMPLETE, TrialState.PRUNED}, [t.state for t in trials]
