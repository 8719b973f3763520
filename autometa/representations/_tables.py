"""Raw-table preparation shared by the learned encoders.

A table is turned into small float arrays an encoder can read, by one rule:

- rows and then columns are sampled (``max_rows``, ``max_features``) with a
  fixed seed *before* anything else is converted, so a 100k x 50 table costs no
  more than a 1000 x 50 one;
- categorical columns get integer codes ordered by frequency (most frequent 0;
  ties by the value's text), which do not depend on row order or label names;
- every column is standardised (mean 0, sd 1, clipped to ±``clip``) and missing
  values become 0 (the mean) once their share is recorded;
- the target becomes two channels: classification, the frequency-ordered class
  code (standardised) and the share of the row's class; regression, the
  standardised target and 0.

Prepared tables of registered datasets are cached in memory by name and
preparation parameters, because the leave-family-out evaluation encodes the
same datasets many times.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from autometa.exceptions import DataError

__all__ = ["PreparedTable", "prepare_table", "prepared", "frequency_codes"]

#: standardised values are clipped to this bound, so that one outlier cannot dominate a mean
CLIP = 5.0


@dataclass
class PreparedTable:
    """A sampled, encoded and standardised table.

    Attributes
    ----------
    X : ndarray of shape (n, p), float32
        Standardised features of the sampled rows and columns (missing = 0).
    y : ndarray of shape (n, 2), float32
        The two target channels (see the module docstring).
    categorical : ndarray of shape (p,), bool
        Which sampled columns were categorical.
    missing : ndarray of shape (p,), float
        Share of missing values of each sampled column (on the sampled rows).
    n_unique : ndarray of shape (p,), float
        Distinct non-missing values of each sampled column (on the sampled rows).
    kind : str
        ``"binary"``, ``"multiclass"`` or ``"regression"``.
    n_rows, n_features : int
        Size of the whole table (before sampling).
    n_classes : int
        Classes of the target (0 for regression).
    """

    X: np.ndarray
    y: np.ndarray
    categorical: np.ndarray
    missing: np.ndarray
    n_unique: np.ndarray
    kind: str
    n_rows: int
    n_features: int
    n_classes: int

    def size_features(self) -> np.ndarray:
        """Four scalars about the whole table: log rows, log features, classification flag, log classes."""
        return np.array([np.log1p(self.n_rows) / 10.0, np.log1p(self.n_features) / 5.0,
                         float(self.kind != "regression"), np.log1p(self.n_classes) / 3.0], dtype=np.float32)


def frequency_codes(values: pd.Series) -> np.ndarray:
    """Integer codes ordered by frequency (most frequent first, ties by text); NaN stays NaN.

    Examples
    --------
    >>> frequency_codes(pd.Series(["b", "a", "b", None, "c", "a", "b"])).tolist()
    [0.0, 1.0, 0.0, nan, 2.0, 1.0, 0.0]
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if len(uniques) == 0:
        return np.full(len(values), np.nan)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    labels = np.array([str(u) for u in uniques], dtype=object)
    order = sorted(range(len(uniques)), key=lambda i: (-counts[i], labels[i]))
    rank = np.empty(len(uniques), dtype=float)
    rank[order] = np.arange(len(uniques), dtype=float)
    out = np.full(len(values), np.nan)
    out[codes >= 0] = rank[codes[codes >= 0]]
    return out


def _standardise(values: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nanmean(values, axis=0) if values.shape[0] else np.zeros(values.shape[1])
        sd = np.nanstd(values, axis=0) if values.shape[0] else np.ones(values.shape[1])
    mean = np.nan_to_num(mean)
    sd = np.where(np.nan_to_num(sd) > 1e-12, np.nan_to_num(sd), 1.0)
    z = np.clip((values - mean) / sd, -CLIP, CLIP)
    return np.nan_to_num(z, nan=0.0)


def _sample(n: int, cap: int | None, rng: np.random.Generator) -> np.ndarray:
    if cap is None or n <= cap:
        return np.arange(n)
    return np.sort(rng.choice(n, size=cap, replace=False))


def prepare_table(task: Any, *, max_rows: int | None = 1000, max_features: int | None = 64,
                  seed: int = 0) -> PreparedTable:
    """Sample, encode and standardise a task's table (see the module docstring).

    Parameters
    ----------
    task : Task
        Anything with ``X`` (DataFrame), ``y``, ``kind`` and ``categorical``.
    max_rows, max_features : int or None
        Sample at most this many rows / columns (``None``: all, no sampling).
    seed : int
        Seed of the row and column samples.

    Returns
    -------
    PreparedTable

    Examples
    --------
    >>> from autometa.tasks import load_task
    >>> t = prepare_table(load_task("sklearn:iris"), max_rows=100)
    >>> t.X.shape, t.y.shape, t.n_rows
    ((100, 4), (100, 2), 150)
    """
    X, y = task.X, task.y
    if not isinstance(X, pd.DataFrame):
        X = pd.DataFrame(np.asarray(X))
    if X.shape[0] == 0:
        raise DataError("Cannot encode an empty table.")
    kind = str(task.kind)
    rng = np.random.default_rng(seed)
    rows = _sample(X.shape[0], max_rows, rng)
    cols = _sample(X.shape[1], max_features, rng)
    categorical = np.asarray(getattr(task, "categorical", None) or [False] * X.shape[1], dtype=bool)[cols]
    sub = X.iloc[rows, cols]
    values = np.empty(sub.shape, dtype=float)
    n_unique = np.empty(sub.shape[1], dtype=float)
    for j in range(sub.shape[1]):
        col = sub.iloc[:, j]
        if categorical[j] or not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)):
            categorical[j] = True
            values[:, j] = frequency_codes(col)
        else:
            values[:, j] = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    finite = np.isfinite(values)
    values[~finite] = np.nan
    missing = 1.0 - finite.mean(axis=0) if len(rows) else np.zeros(len(cols))
    for j in range(values.shape[1]):
        n_unique[j] = len(np.unique(values[finite[:, j], j]))
    target = pd.Series(np.asarray(y)[rows])
    if kind == "regression":
        t0 = _standardise(pd.to_numeric(target, errors="coerce").to_numpy(dtype=float)[:, None])[:, 0]
        t1 = np.zeros_like(t0)
        n_classes = 0
    else:
        codes = frequency_codes(target)
        counts = np.bincount(np.nan_to_num(codes, nan=0).astype(int))
        n_classes = int(pd.Series(np.asarray(y)).nunique())
        t1 = counts[np.nan_to_num(codes, nan=0).astype(int)] / max(len(codes), 1)
        t0 = _standardise(codes[:, None])[:, 0]
    return PreparedTable(X=_standardise(values).astype(np.float32),
                         y=np.column_stack([t0, t1]).astype(np.float32), categorical=categorical,
                         missing=np.asarray(missing, dtype=float), n_unique=n_unique, kind=kind,
                         n_rows=int(X.shape[0]), n_features=int(X.shape[1]), n_classes=n_classes)


_CACHE: dict[tuple[Any, ...], PreparedTable] = {}
_CACHE_LIMIT = 512


def prepared(task: Any, *, max_rows: int | None, max_features: int | None, seed: int) -> PreparedTable:
    """:func:`prepare_table`, cached in memory for tasks loaded from a registry (by name and source).

    Tasks built from a user's DataFrame (source ``"dataframe"``) are never cached.
    """
    source = str(getattr(task, "source", "dataframe"))
    if source == "dataframe":
        return prepare_table(task, max_rows=max_rows, max_features=max_features, seed=seed)
    # a task from a registry is known by its source; another one also by its shape
    shape = () if source.startswith("registry:") else tuple(task.X.shape)
    key = (str(task.name), source, shape, max_rows, max_features, seed)
    if key not in _CACHE:
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = prepare_table(task, max_rows=max_rows, max_features=max_features, seed=seed)
    return _CACHE[key]
