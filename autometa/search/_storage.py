"""Optuna storages that N workers started at once can open, and that notice a worker killed mid-trial.

Opening a database URL makes Optuna create its tables when they are missing. Workers
started together on a new database race there (SQLite: "table studies already
exists"; PostgreSQL: a unique violation on ``pg_type``), and all but one crash. Here
the first opening is serialised on one machine (a file lock beside a SQLite file)
and retried with jittered back-off everywhere (the schema check is idempotent once
the tables exist). Database storages also get Optuna's heartbeat: a running trial
whose worker stops beating for ``GRACE_PERIOD`` seconds is marked failed by the next
worker that starts a trial, instead of staying RUNNING forever.
"""

from __future__ import annotations

import contextlib
import random
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["GRACE_PERIOD", "HEARTBEAT_INTERVAL", "open_storage"]

#: seconds between a running trial's heartbeats, and silence after which it counts as dead
HEARTBEAT_INTERVAL = 30
GRACE_PERIOD = 120
#: attempts at opening a database whose schema another worker is creating
ATTEMPTS = 8

_OPENED: dict[str, Any] = {}


def _sqlite_file(url: str) -> Path | None:
    if not url.startswith("sqlite:///"):
        return None
    name = url[len("sqlite:///"):].split("?", 1)[0]
    return None if name in ("", ":memory:") else Path(name)


@contextlib.contextmanager
def _creation_lock(url: str) -> Iterator[None]:
    file = _sqlite_file(url)
    if file is None:
        yield
        return
    from autometa._io import file_lock

    with file_lock(file.with_name(file.name + ".autometa-lock")):
        yield


def open_storage(storage: Any) -> Any:
    """``storage`` as an Optuna storage: a database URL opened safely (see the module), anything else as given.

    Examples
    --------
    >>> open_storage(None) is None
    True
    """
    if not isinstance(storage, str) or "://" not in storage or storage.startswith("journal"):
        return storage
    if storage in _OPENED:
        return _OPENED[storage]
    import optuna
    import sqlalchemy.exc

    kwargs: dict[str, Any] = {"heartbeat_interval": HEARTBEAT_INTERVAL, "grace_period": GRACE_PERIOD}
    if storage.startswith("sqlite"):
        kwargs["engine_kwargs"] = {"connect_args": {"timeout": 60}}  # wait for a writer, do not fail
    last: BaseException | None = None
    for attempt in range(ATTEMPTS):
        try:
            with _creation_lock(storage), warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)  # the heartbeat's
                opened = optuna.storages.RDBStorage(storage, **kwargs)
            _OPENED[storage] = opened
            return opened
        except (sqlalchemy.exc.OperationalError, sqlalchemy.exc.IntegrityError,
                sqlalchemy.exc.ProgrammingError) as exc:  # another worker is creating the schema
            last = exc
            time.sleep(random.uniform(0.05, 0.2) * 2 ** min(attempt, 4))
    assert last is not None
    raise last
