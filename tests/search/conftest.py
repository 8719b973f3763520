"""Fixtures for the search tests: a small table, and a PostgreSQL server of the test's own
(``fake_recommend`` is in tests/conftest.py).

``postgres_url`` starts PostgreSQL (Debian's ``postgresql`` package: ``apt-get install
postgresql``; the driver ``psycopg2-binary`` is in the ``test`` extra) on 127.0.0.1 with a
data directory in a temporary folder, and stops it afterwards; it skips, with the reason,
where either is missing. As root, the server runs as the ``postgres`` account
(PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="session")
def small_table() -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(120, 4)), columns=["a", "b", "c", "d"])
    X["colour"] = rng.choice(["red", "green", "blue"], size=len(X))
    y = pd.Series((X["a"] + (X["colour"] == "red") > 0.3).astype(int), name="label")
    return X, y


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
