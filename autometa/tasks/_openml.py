"""OpenML datasets loaded through the ``openml`` package and its local cache.

The cache is the one ``openml`` itself keeps (``ROOT/org/openml/www/datasets/ID/``
with ``description.xml`` and ``dataset_ID.pq`` or ``dataset.arff``), so a dataset
downloaded once, by autometa or by plain ``openml``, loads offline afterwards.
Where a dataset is missing and the server cannot be reached the call fails within
seconds with a :class:`~autometa.exceptions.DataError` that says what to do.
"""

from __future__ import annotations

import os
import threading
from numbers import Integral
from pathlib import Path
from typing import Any

import pandas as pd

from autometa.exceptions import DataError, require

__all__ = ["OPENML_CACHE_ENV", "OPENML_TIMEOUT_ENV", "load_openml"]

OPENML_CACHE_ENV = "AUTOMETA_OPENML_CACHE"
OPENML_TIMEOUT_ENV = "AUTOMETA_OPENML_TIMEOUT"
DEFAULT_TIMEOUT = 120.0  # seconds for the whole download; each request waits at most 30 s for an answer
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0

# openml's configuration is module-global; calls that change and restore it must not interleave.
_CONFIG_LOCK = threading.Lock()


def _check_dataset_id(dataset_id: object) -> int:
    if isinstance(dataset_id, bool) or not isinstance(dataset_id, Integral) or int(dataset_id) <= 0:
        raise DataError(
            f"The 'dataset_id' parameter of load_openml must be a positive integer. Got {dataset_id!r}."
        )
    return int(dataset_id)


def _resolve_cache_dir(cache_dir: str | os.PathLike[str] | None) -> Path | None:
    if cache_dir is None:
        cache_dir = os.environ.get(OPENML_CACHE_ENV) or None
    if cache_dir is None:
        return None
    return Path(cache_dir).expanduser().resolve()


def _root_cause(exc: BaseException) -> str:
    """Short reason for a network failure: the innermost urllib3 reason where there is one."""
    inner: BaseException = exc
    if exc.args and isinstance(exc.args[0], BaseException):
        inner = exc.args[0]  # requests wraps urllib3's MaxRetryError
    reason = getattr(inner, "reason", None)
    if isinstance(reason, BaseException):
        inner = reason
    return f"{type(inner).__name__}: {inner}"


def _network_errors(openml: Any) -> tuple[type[BaseException], ...]:
    """Exceptions that mean "the server could not be reached or answered garbage"."""
    from xml.parsers.expat import ExpatError

    import requests
    import urllib3

    return (
        requests.exceptions.RequestException,
        urllib3.exceptions.HTTPError,
        ExpatError,
        openml.exceptions.OpenMLServerError,
        openml.exceptions.OpenMLHashException,
    )


def _resolve_timeout(timeout: float | None) -> float:
    if timeout is None:
        raw = os.environ.get(OPENML_TIMEOUT_ENV) or DEFAULT_TIMEOUT
        try:
            timeout = float(raw)
        except ValueError:
            raise DataError(f"{OPENML_TIMEOUT_ENV} must be a number of seconds. Got {raw!r}.") from None
    if not timeout > 0:
        raise DataError(f"The 'timeout' parameter of load_openml must be a positive number of seconds. "
                        f"Got {timeout!r}.")
    return float(timeout)


class _RequestTimeouts:
    """Give every ``requests`` call without a time-out one (openml sets none: a server that
    accepts the connection and never answers would hold the call for ever)."""

    def __init__(self, timeout: float) -> None:
        self.timeout = (min(CONNECT_TIMEOUT, timeout), min(READ_TIMEOUT, timeout))

    def __enter__(self) -> None:
        import requests

        self._saved = requests.Session.request
        saved, default = self._saved, self.timeout

        def request(session: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            if kwargs.get("timeout") is None:
                kwargs["timeout"] = default
            return saved(session, method, url, *args, **kwargs)

        requests.Session.request = request  # type: ignore[method-assign,assignment]

    def __exit__(self, *exc: object) -> None:
        import requests

        requests.Session.request = self._saved  # type: ignore[method-assign]


def _within(seconds: float, what: str, call: Any) -> Any:
    """``call()`` in a daemon thread, given up on (DataError) after ``seconds``.

    A transfer that keeps trickling bytes defeats per-request time-outs; the whole
    download is bounded here. The abandoned thread ends with its socket.
    """
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=run, name="autometa-openml", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise DataError(f"{what} took more than {seconds:g} s and was given up. Try again later, or raise "
                        f"{OPENML_TIMEOUT_ENV} (seconds).")
    if "error" in box:
        raise box["error"]
    return box["value"]


def _fetch(openml: Any, dataset_id: int, cache_root: str, timeout: float = DEFAULT_TIMEOUT) -> Any:
    """``openml.datasets.get_dataset`` with data, mapping openml's failures to :class:`DataError`."""
    try:
        with _RequestTimeouts(timeout):
            return _within(timeout, f"Downloading OpenML dataset {dataset_id}", lambda: openml.datasets.get_dataset(
                dataset_id,
                download_data=True,
                download_qualities=False,
                download_features_meta_data=False,
            ))
    except openml.exceptions.OpenMLPrivateDatasetError as exc:
        raise DataError(f"OpenML dataset {dataset_id} is private: {exc}") from exc
    except openml.exceptions.OpenMLServerException as exc:
        # The server answered, with an OpenML error (e.g. code 111: unknown dataset).
        raise DataError(
            f"The OpenML server refused dataset {dataset_id}: {exc.message} (code {exc.code})."
        ) from exc
    except _network_errors(openml) as exc:
        raise DataError(
            f"OpenML dataset {dataset_id} is not in the OpenML cache at {cache_root} and the "
            f"server cannot be reached ({_root_cause(exc)}). Connect to the internet once to "
            f"download it, or point {OPENML_CACHE_ENV} / cache_dir at a cache that has it."
        ) from exc


def _as_categories(X: pd.DataFrame, categorical: list[bool]) -> tuple[pd.DataFrame, list[bool]]:
    """Give every nominal column the ``category`` dtype; text columns count as nominal.

    openml decides "nominal" from the ARFF header or, for parquet files, from the
    ``category`` dtype; a parquet file that stores labels as plain strings would
    otherwise yield text columns flagged numeric.
    """
    flags = []
    to_convert = []
    for position, flag in enumerate(categorical):
        dtype = X.dtypes.iloc[position]
        numeric = pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
        flags.append(bool(flag) or not numeric)
        if flags[-1] and not isinstance(dtype, pd.CategoricalDtype):
            to_convert.append(position)
    if to_convert:
        X = X.copy()
        for position in to_convert:
            X.isetitem(position, X.iloc[:, position].astype("category"))
    return X, flags


def load_openml(
    dataset_id: int,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    target: str | None = None,
    timeout: float | None = None,
) -> tuple[pd.DataFrame, pd.Series, dict[str, Any]]:
    """Load OpenML dataset ``dataset_id`` through the ``openml`` package and its local cache.

    Parameters
    ----------
    dataset_id : int
        The OpenML dataset id (a positive integer), e.g. 31 for ``credit-g``.
    cache_dir : str or os.PathLike, optional
        Root of the OpenML cache (the folder that holds ``org/openml/www``). Defaults to
        the environment variable ``AUTOMETA_OPENML_CACHE``, else to the cache ``openml``
        is configured with. openml's global configuration is restored before returning.
    target : str, optional
        Column to predict; defaults to the dataset's default target attribute.
    timeout : float, optional
        Seconds the download may take in all (default: ``AUTOMETA_OPENML_TIMEOUT``, else
        120); each request waits at most 10 s to connect and 30 s for an answer. A
        dataset already in the cache is read without going online.

    Returns
    -------
    X : pandas.DataFrame
        The features; nominal columns have the ``category`` dtype. Row-id and ignored
        attributes are left out, as OpenML prescribes.
    y : pandas.Series
        The target column, named after it.
    info : dict
        ``name``, ``source`` (``"openml:ID"``), ``categorical`` (one bool per column of
        ``X``), ``default_target`` (the dataset's default target, possibly None) and
        ``version``.

    Raises
    ------
    DataError
        If the id is not a positive integer; the dataset is neither cached nor
        downloadable (fails within seconds when offline, within ``timeout`` when the
        server does not answer); the server refuses it; or
        the target is missing or not a single column.
    NotInstalledError
        If ``openml`` is not installed (``pip install 'autometa[openml]'``).

    Examples
    --------
    >>> X, y, info = load_openml(31)  # doctest: +SKIP
    >>> info["name"], X.shape  # doctest: +SKIP
    ('credit-g', (1000, 20))
    """
    dataset_id = _check_dataset_id(dataset_id)
    timeout = _resolve_timeout(timeout)
    root = _resolve_cache_dir(cache_dir)
    openml = require("openml", extra="openml")
    config = openml.config

    with _CONFIG_LOCK:
        saved = config.get_config_as_dict()
        try:
            if root is not None:
                config.set_root_cache_directory(root)
            # Offline, openml's default policy retries 5 times with growing sleeps (10 s in
            # all; "robot" would be minutes); one attempt is enough to know.
            config.set_retry_policy(saved["retry_policy"], 1)
            cache_root = str(config.get_config_as_dict()["cachedir"])
            dataset = _fetch(openml, dataset_id, cache_root, timeout)

            default_target = dataset.default_target_attribute or None
            chosen = target if target is not None else default_target
            if chosen is None:
                raise DataError(
                    f"OpenML dataset {dataset_id} ({dataset.name}) has no default target "
                    "attribute; pass target=COLUMN."
                )
            data, _, categorical, columns = dataset.get_data()
        finally:
            config.set_root_cache_directory(saved["cachedir"])
            config.set_retry_policy(saved["retry_policy"], saved["connection_n_retries"])

    if not isinstance(data, pd.DataFrame):
        raise DataError(
            f"OpenML dataset {dataset_id} ({dataset.name}) is stored as a sparse matrix; "
            "autometa loads dense datasets only."
        )
    if chosen not in columns:
        hint = "; pass target=COLUMN with a single column" if "," in chosen else ""
        raise DataError(
            f"The target {chosen!r} is not a column of OpenML dataset {dataset_id} "
            f"({dataset.name}){hint}. Columns: {columns}."
        )
    is_target = [column == chosen for column in columns]
    X = data.loc[:, [not t for t in is_target]]
    y = data[chosen].rename(chosen)
    X, categorical = _as_categories(
        X, [c for c, t in zip(categorical, is_target, strict=True) if not t]
    )
    info: dict[str, Any] = {
        "name": dataset.name,
        "source": f"openml:{dataset_id}",
        "categorical": categorical,
        "default_target": default_target,
        "version": dataset.version,
    }
    return X, y, info
