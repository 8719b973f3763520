"""Tests of :func:`autometa.tasks._openml.load_openml` against a real on-disk OpenML cache.

The cache is written here in openml's own layout (``ROOT/org/openml/www/datasets/ID/``
with ``description.xml`` and ``dataset_ID.pq`` or ``dataset.arff``: what
``openml.datasets.get_dataset(ID, download_data=True)`` reads before it goes online), and
openml's network functions are replaced by ones that fail the test, so a layout
mistake shows up as a failure rather than as a download.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from autometa.exceptions import DataError
from autometa.tasks._openml import load_openml

openml = pytest.importorskip("openml")

DATASET_ID = 424242
UNREACHABLE = "http://127.0.0.1:9"  # discard port: connection refused at once

FRAME = pd.DataFrame(
    {
        "row_id": [10, 11, 12, 13, 14, 15],
        "age": [22.5, 31.0, 47.25, 19.0, 56.5, 38.0],
        "colour": pd.Categorical(
            ["red", "green", "red", "blue", "green", "red"], categories=["blue", "green", "red"]
        ),
        "count": [1.0, 4.0, 2.0, 8.0, 5.0, 3.0],
        "class": pd.Categorical(
            ["good", "bad", "good", "good", "bad", "good"], categories=["bad", "good"]
        ),
    }
)

ARFF = """@RELATION tiny-credit

@ATTRIBUTE row_id NUMERIC
@ATTRIBUTE age NUMERIC
@ATTRIBUTE colour {blue,green,red}
@ATTRIBUTE count NUMERIC
@ATTRIBUTE class {bad,good}

@DATA
10,22.5,red,1,good
11,31.0,green,4,bad
12,47.25,red,2,good
13,19.0,blue,8,good
14,56.5,green,5,bad
15,38.0,red,3,good
"""


def _description(dataset_id: int, *, parquet: bool, default_target: str | None) -> str:
    fields = {
        "id": str(dataset_id),
        "name": "tiny-credit",
        "version": "3",
        "description": "A few rows written by the autometa test-suite.",
        "format": "ARFF",
        "upload_date": "2024-01-01T00:00:00",
        "licence": "Public",
        "url": f"{UNREACHABLE}/data/v1/download/{dataset_id}/tiny-credit.arff",
        "file_id": str(dataset_id),
        "row_id_attribute": "row_id",
        "visibility": "public",
        "status": "active",
    }
    if parquet:
        fields["parquet_url"] = f"{UNREACHABLE}/datasets/0000/{dataset_id}/dataset_{dataset_id}.pq"
    if default_target is not None:
        fields["default_target_attribute"] = default_target
    body = "".join(f"  <oml:{k}>{v}</oml:{k}>\n" for k, v in fields.items())
    return (
        '<oml:data_set_description xmlns:oml="http://openml.org/openml">\n'
        f"{body}</oml:data_set_description>\n"
    )


def write_cached_dataset(
    root: Path,
    dataset_id: int = DATASET_ID,
    *,
    parquet: bool = True,
    default_target: str | None = "class",
    frame: pd.DataFrame = FRAME,
) -> Path:
    """Write a dataset into an OpenML cache rooted at ``root``, as openml would have."""
    folder = root / "org" / "openml" / "www" / "datasets" / str(dataset_id)
    folder.mkdir(parents=True)
    description = _description(dataset_id, parquet=parquet, default_target=default_target)
    (folder / "description.xml").write_text(description, encoding="utf8")
    if parquet:
        frame.to_parquet(folder / f"dataset_{dataset_id}.pq")
    else:
        (folder / "dataset.arff").write_text(ARFF, encoding="utf8")
    return folder


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly if openml tries to download anything in the cache tests."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"openml went online: {args} {kwargs}")

    monkeypatch.setattr(openml._api_calls, "_download_minio_file", refuse)
    monkeypatch.setattr(openml._api_calls, "_download_minio_bucket", refuse)


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Point openml at a server that refuses connections, whatever the machine's network."""
    monkeypatch.setattr(openml.config, "server", f"{UNREACHABLE}/api/v1/xml")


@pytest.fixture
def no_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"openml went online: {args} {kwargs}")

    monkeypatch.setattr(openml._api_calls, "_send_request", refuse)


@pytest.mark.usefixtures("no_requests")
@pytest.mark.parametrize("parquet", [True, False], ids=["parquet", "arff"])
def test_loads_cached_dataset(tmp_path: Path, parquet: bool) -> None:
    write_cached_dataset(tmp_path, parquet=parquet)

    X, y, info = load_openml(DATASET_ID, cache_dir=tmp_path)

    assert list(X.columns) == ["age", "colour", "count"]  # row-id attribute dropped
    assert info == {
        "name": "tiny-credit",
        "source": f"openml:{DATASET_ID}",
        "categorical": [False, True, False],
        "default_target": "class",
        "version": 3,
    }
    np.testing.assert_allclose(X["age"].to_numpy(dtype=float), FRAME["age"].to_numpy())
    np.testing.assert_allclose(X["count"].to_numpy(dtype=float), FRAME["count"].to_numpy())
    assert pd.api.types.is_numeric_dtype(X["age"]) and pd.api.types.is_numeric_dtype(X["count"])
    assert isinstance(X["colour"].dtype, pd.CategoricalDtype)
    assert list(X["colour"].astype(str)) == list(FRAME["colour"].astype(str))
    assert set(X["colour"].cat.categories) == {"blue", "green", "red"}
    assert isinstance(y, pd.Series) and y.name == "class"
    assert isinstance(y.dtype, pd.CategoricalDtype)
    assert list(y.astype(str)) == ["good", "bad", "good", "good", "bad", "good"]
    assert len(X) == len(y) == 6


@pytest.mark.usefixtures("no_requests")
def test_text_columns_become_categorical(tmp_path: Path) -> None:
    # A parquet file may hold labels as plain strings; openml would flag them numeric.
    write_cached_dataset(tmp_path, frame=FRAME.assign(colour=FRAME["colour"].astype(str)))

    X, _, info = load_openml(DATASET_ID, cache_dir=tmp_path)

    assert info["categorical"] == [False, True, False]
    assert isinstance(X["colour"].dtype, pd.CategoricalDtype)
    assert list(X["colour"].astype(str)) == list(FRAME["colour"].astype(str))


@pytest.mark.usefixtures("no_requests")
def test_target_overrides_default(tmp_path: Path) -> None:
    write_cached_dataset(tmp_path)

    X, y, info = load_openml(DATASET_ID, cache_dir=tmp_path, target="colour")

    assert y.name == "colour" and list(X.columns) == ["age", "count", "class"]
    assert info["categorical"] == [False, False, True]
    assert info["default_target"] == "class"


@pytest.mark.usefixtures("no_requests")
def test_cache_dir_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_cached_dataset(tmp_path)
    monkeypatch.setenv("AUTOMETA_OPENML_CACHE", str(tmp_path))

    _, y, info = load_openml(DATASET_ID)

    assert info["name"] == "tiny-credit" and y.name == "class"


@pytest.mark.usefixtures("no_requests")
@pytest.mark.parametrize(
    ("target", "default_target", "match"),
    [
        (None, None, "has no default target"),
        ("income", "class", "'income' is not a column"),
        ("age,class", "class", "single column"),
    ],
)
def test_bad_target(
    tmp_path: Path, target: str | None, default_target: str | None, match: str
) -> None:
    write_cached_dataset(tmp_path, default_target=default_target)

    with pytest.raises(DataError, match=match):
        load_openml(DATASET_ID, cache_dir=tmp_path, target=target)


@pytest.mark.parametrize("dataset_id", [0, -31, 31.0, "31", True, None])
def test_bad_dataset_id(dataset_id: Any) -> None:
    with pytest.raises(DataError, match="'dataset_id' parameter of load_openml must be a positive"):
        load_openml(dataset_id)


@pytest.mark.usefixtures("offline")
def test_offline_and_not_cached_fails_fast_with_advice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The slowest policy openml has: 50 attempts with sleeps of up to a minute between them.
    monkeypatch.setattr(openml.config, "retry_policy", "robot")
    monkeypatch.setattr(openml.config, "connection_n_retries", 50)
    cache = tmp_path / "cache"

    start = time.perf_counter()
    with pytest.raises(DataError) as caught:
        load_openml(31, cache_dir=cache)
    elapsed = time.perf_counter() - start

    message = str(caught.value)
    assert message.startswith(
        f"OpenML dataset 31 is not in the OpenML cache at {cache.resolve()} and the server "
        "cannot be reached ("
    )
    assert "Connection refused" in message or "ConnectionError" in message
    assert message.endswith(
        "Connect to the internet once to download it, or point AUTOMETA_OPENML_CACHE / "
        "cache_dir at a cache that has it."
    )
    assert elapsed < 5.0, f"the offline failure took {elapsed:.1f} s"


@pytest.mark.usefixtures("offline")
def test_restores_openml_config(tmp_path: Path) -> None:
    before = openml.config.get_config_as_dict()
    write_cached_dataset(tmp_path)

    with pytest.raises(DataError):
        load_openml(31, cache_dir=tmp_path / "elsewhere")
    assert openml.config.get_config_as_dict() == before


@pytest.mark.usefixtures("no_requests")
def test_restores_openml_config_after_success(tmp_path: Path) -> None:
    before = openml.config.get_config_as_dict()
    write_cached_dataset(tmp_path)

    load_openml(DATASET_ID, cache_dir=tmp_path)

    assert openml.config.get_config_as_dict() == before


@pytest.fixture
def silent_server(monkeypatch: pytest.MonkeyPatch):
    """A server that accepts connections and never answers."""
    import socket
    import threading

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(sock.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    monkeypatch.setattr(openml.config, "server", f"http://127.0.0.1:{sock.getsockname()[1]}/api/v1/xml")
    yield
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    sock.close()


@pytest.mark.usefixtures("silent_server")
@pytest.mark.parametrize("how", ["argument", "environment"])
def test_a_server_that_never_answers_is_given_up_within_the_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    kwargs: dict[str, Any] = {"cache_dir": tmp_path / "cache"}
    if how == "argument":
        kwargs["timeout"] = 1.5
    else:
        monkeypatch.setenv("AUTOMETA_OPENML_TIMEOUT", "1.5")
    start = time.perf_counter()
    with pytest.raises(DataError) as caught:
        load_openml(31, **kwargs)
    elapsed = time.perf_counter() - start
    assert elapsed < 5.0, f"gave up after {elapsed:.1f} s"
    assert "OpenML dataset 31" in str(caught.value) and "\n" not in str(caught.value)


def test_a_transfer_that_outlasts_the_timeout_is_given_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a download that keeps going (each request answered, the whole too slow) is bounded as a whole
    monkeypatch.setattr(openml.datasets, "get_dataset", lambda *a, **k: time.sleep(30))
    start = time.perf_counter()
    with pytest.raises(DataError, match="took more than 1 s and was given up.*AUTOMETA_OPENML_TIMEOUT"):
        load_openml(31, cache_dir=tmp_path, timeout=1)
    assert time.perf_counter() - start < 3.0


@pytest.mark.parametrize("timeout", [0, -1, float("nan")])
def test_bad_timeout(timeout: float) -> None:
    with pytest.raises(DataError, match="'timeout' parameter of load_openml"):
        load_openml(31, timeout=timeout)
