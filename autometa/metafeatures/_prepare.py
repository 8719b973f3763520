"""From user input to the arrays meta-features are computed on, by written rules.

Input
    ``X``: a pandas DataFrame (numeric, category, object, string and bool columns,
    NaN allowed) or a 2-D array; or a Task-like object (``.X``, ``.y``, ``.kind``,
    ``.categorical``) with ``y=None``. ``y``: labels, a numeric target, or ``None``
    (then only features that need no target are computed).

Column types
    Unless ``categorical`` is given (a bool mask, or column labels; for arrays,
    positions), category, object, string and bool columns are categorical and the
    rest numeric; an array of dtype object is first converted column by column with
    :meth:`pandas.DataFrame.infer_objects`. A non-numeric column is categorical
    whatever ``categorical`` says. Datetime, timedelta, period, interval and
    complex columns are refused with :class:`~autometa.exceptions.DataError`.

Missing values
    ``+inf``/``-inf`` in a numeric column count as missing. A numeric missing
    value is replaced by the column's lower median (a value present in the
    column, so binary columns stay binary); an all-missing column becomes 0, hence
    constant. In a categorical column, missing is a level of its own. The fraction
    of missing cells is reported (``missing_frac``, ``inst_missing_frac``).

Categorical levels
    Levels are sorted by their string form (as pymfe/patsy do). A column with more
    than ``max_levels`` levels keeps its ``max_levels - 1`` most frequent levels
    and merges the rest into one.

Rows and columns
    With more than ``max_rows`` rows, a uniform random sample of ``max_rows`` rows
    (seeded by ``random_state``, row order kept) is used for every feature except
    the counts of rows and of classes (``nr_inst``, ``attr_to_inst``,
    ``inst_to_attr``, ``nr_class``, ``freq_class``), which use all rows. With more
    than ``max_cols`` attributes, a random subset of ``max_cols`` of them (seeded)
    is used for every feature except the attribute counts (``nr_attr``,
    ``nr_num``, ``nr_cat``, ``cat_to_num``, ``num_to_cat``, ``attr_to_inst``,
    ``inst_to_attr``). Landmarking and model-based features fit models on a further
    random sample of at most ``model_max_rows`` of those rows.

The encodings (numeric view ``N``, discretised view ``C``) are defined in
:mod:`autometa.metafeatures._shared`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from autometa._rules import KINDS, check_cells, infer_kind
from autometa.exceptions import DataError

__all__ = ["Prepared", "prepare", "KINDS", "MIN_ROWS", "is_task_like"]


#: fewer rows than this is refused: nothing statistical is defined on one row
MIN_ROWS = 2

@dataclass
class Prepared:
    """The base values of a :class:`~autometa.metafeatures._engine.Context`, and the rules applied."""

    values: dict[str, Any]
    record: dict[str, Any]
    kind: str | None
    name: str | None


def is_task_like(obj: Any) -> bool:
    """Duck-typed check for :class:`autometa.tasks.Task` (no import of that layer).

    Tables are never task-like, even a DataFrame with columns named ``X``, ``y``...
    """
    if isinstance(obj, (pd.DataFrame, pd.Series, np.ndarray)):
        return False
    return all(hasattr(obj, a) for a in ("X", "y", "kind", "categorical"))


def _seeded(random_state: int, purpose: int) -> np.random.Generator:
    # one independent stream per use, so that changing one sample leaves the others alone
    return np.random.default_rng([int(random_state), purpose])


def _as_table(X: Any) -> pd.DataFrame | np.ndarray:
    """A DataFrame, or a 2-D numeric ndarray kept as it is (no copy into a frame)."""
    if isinstance(X, pd.DataFrame):
        return X
    if isinstance(X, pd.Series):
        return X.to_frame()
    try:
        arr = np.asarray(X)
    except (ValueError, TypeError) as exc:
        raise DataError(f"X must be a 2-D table (DataFrame or array); could not read it as one: {exc}") from exc
    if arr.ndim != 2:
        raise DataError(f"X must be a 2-D table (rows x attributes); got an array with shape {arr.shape}. "
                        "For a single attribute pass X.reshape(-1, 1).")
    if arr.dtype.kind in "fiu":
        return arr
    frame = pd.DataFrame(arr)
    return frame.infer_objects() if arr.dtype == object else frame


def _labels(table: pd.DataFrame | np.ndarray) -> list[Any]:
    return list(table.columns) if isinstance(table, pd.DataFrame) else list(range(table.shape[1]))


def _numeric_block(table: pd.DataFrame | np.ndarray, rows: np.ndarray | None, cols: np.ndarray) -> np.ndarray:
    """The columns ``cols`` (rows ``rows``, all if None) as a Fortran float64 array with NaN."""
    if isinstance(table, np.ndarray):
        if rows is None and cols.size == table.shape[1] and np.array_equal(cols, np.arange(cols.size)):
            return np.array(table, dtype=float, order="F")  # one copy, never the caller's array
        block = table[:, cols] if rows is None else table[np.ix_(rows, cols)]
        return np.asfortranarray(block, dtype=float)
    sub = table.iloc[:, cols] if rows is None else table.iloc[rows, cols]
    try:
        return np.asfortranarray(sub.to_numpy(dtype=float, na_value=np.nan))
    except (TypeError, ValueError) as exc:
        raise DataError(f"Could not read the numeric columns as numbers: {exc}") from exc


def _column(table: pd.DataFrame | np.ndarray, rows: np.ndarray | None, j: int) -> pd.Series:
    if isinstance(table, np.ndarray):
        col = table[:, j] if rows is None else table[rows, j]
        return pd.Series(col)
    col = table.iloc[:, j]
    return col if rows is None else col.iloc[rows]


def _column_types(table: pd.DataFrame | np.ndarray, categorical: Any) -> np.ndarray:
    """Boolean mask of categorical columns, after checking the dtypes."""
    if isinstance(table, np.ndarray):
        dtypes = [(j, table.dtype) for j in range(table.shape[1])]
    else:
        dtypes = [(label, col.dtype) for label, col in table.items()]
    inferred = []
    for label, dtype in dtypes:
        if (pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype)
                or pd.api.types.is_complex_dtype(dtype) or isinstance(dtype, (pd.IntervalDtype, pd.PeriodDtype))):
            raise DataError(f"Column {label!r} has dtype {dtype}, which meta-features cannot describe; convert it "
                            "to numbers (e.g. days since a date) or drop it.")
        numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
        if not numeric and isinstance(table, pd.DataFrame):
            check_cells(table[label], label)
        inferred.append(not numeric)
    mask = np.asarray(inferred, dtype=bool)
    if categorical is None:
        return mask
    given = list(categorical)
    d = table.shape[1]
    if given and all(isinstance(v, (bool, np.bool_)) for v in given):
        if len(given) != d:
            raise DataError(f"The 'categorical' mask has {len(given)} flags but X has {d} columns.")
        return mask | np.asarray(given, dtype=bool)
    labels = _labels(table)
    out = mask.copy()
    for v in given:
        if v in labels:
            out[labels.index(v)] = True
        elif isinstance(v, (int, np.integer)) and not isinstance(v, bool) and 0 <= v < d and not any(
                isinstance(c, str) for c in labels):
            out[int(v)] = True
        else:
            raise DataError(f"The 'categorical' entry {v!r} is not a column of X (columns: "
                            f"{', '.join(map(repr, labels[:10]))}{'...' if d > 10 else ''}).")
    return out


def _target(y: Any, n: int, kind: str | None) -> tuple[np.ndarray, str]:
    """(values, kind): codes of the classes or a float target."""
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise DataError(f"y must be one column; got a table with {y.shape[1]} columns.")
        y = y.iloc[:, 0]
    series = y if isinstance(y, pd.Series) else None
    if series is None:
        arr = np.asarray(y)
        if arr.ndim == 2 and arr.shape[1] == 1:
            arr = arr.ravel()
        if arr.ndim != 1:
            raise DataError(f"y must be one-dimensional; got shape {arr.shape}.")
        series = pd.Series(arr)
    if len(series) != n:
        raise DataError(f"X has {n} rows but y has {len(series)} values; they must have the same length.")
    missing = series.isna().to_numpy()
    if missing.any():
        raise DataError(f"y has {int(missing.sum())} missing value(s) (first at row {int(np.argmax(missing))}); "
                        "drop those rows first.")
    numeric = pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)
    if kind is None:
        kind = infer_kind(series)  # the one rule of every entry point
    elif kind not in KINDS:
        raise DataError(f"The 'kind' parameter must be one of {', '.join(map(repr, KINDS))} or None; got {kind!r}.")
    if kind == "regression":
        if not numeric:
            raise DataError(f"kind='regression' needs a numeric target; y has dtype {series.dtype}.")
        values = series.to_numpy(dtype=float)
        if not np.all(np.isfinite(values)):
            raise DataError("y has infinite values; a regression target must be finite.")
        if np.ptp(values) == 0:
            raise DataError(f"y is constant ({values[0]!r}); there is nothing to describe about the target.")
        return values, kind
    codes, uniques = pd.factorize(series, sort=False)
    if len(uniques) < 2:
        raise DataError(f"y has a single class ({uniques[0]!r}); class-based meta-features need at least two. "
                        "Use kind='regression' for a numeric target.")
    if kind == "binary" and len(uniques) != 2:
        raise DataError(f"kind='binary' but y has {len(uniques)} classes; use kind='multiclass'.")
    # classes in sorted order (pymfe uses np.unique), by string form when types are mixed
    try:
        order = np.argsort(np.asarray(uniques), kind="stable")
    except TypeError:
        order = np.argsort(np.asarray([str(u) for u in uniques]), kind="stable")
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    return rank[codes], kind


def _encode_categorical(col: pd.Series, max_levels: int) -> tuple[np.ndarray, int, dict[str, Any]]:
    """Integer codes 0..L-1 of one categorical column (missing: its own, last level)."""
    codes, uniques = pd.factorize(col, sort=False, use_na_sentinel=True)
    info: dict[str, Any] = {}
    if len(uniques):
        order = np.argsort(np.asarray([str(u) for u in uniques]), kind="stable")
        rank = np.empty(len(order), dtype=np.intp)
        rank[order] = np.arange(len(order))
        present = codes >= 0
        codes = np.where(present, rank[np.maximum(codes, 0)], -1)
    n_levels = len(uniques)
    if n_levels > max_levels:
        counts = np.bincount(codes[codes >= 0], minlength=n_levels)
        keep = np.sort(np.argsort(-counts, kind="stable")[: max_levels - 1])
        remap = np.full(n_levels, max_levels - 1, dtype=np.intp)
        remap[keep] = np.arange(keep.size)
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
        info["merged_levels"] = int(n_levels - keep.size)
        n_levels = max_levels
    missing = codes < 0
    if missing.any():
        codes = np.where(missing, n_levels, codes)
        n_levels += 1
    return codes.astype(np.intp), max(n_levels, 1), info


def _impute_numeric(X_num: np.ndarray, missing: np.ndarray) -> tuple[np.ndarray, dict[str, int]]:
    """Replace the ``missing`` cells by the column's lower median (0 when all are missing), in place."""
    counts = {"missing_cells": 0, "all_missing_columns": 0}
    cols = np.flatnonzero(missing.any(axis=0))
    counts["missing_cells"] = int(missing.sum())
    for j in cols:
        col = X_num[:, j]
        present = np.sort(col[~missing[:, j]])
        if present.size == 0:
            fill = 0.0
            counts["all_missing_columns"] += 1
        else:
            fill = present[(present.size - 1) // 2]
        col[missing[:, j]] = fill
    return X_num, counts


def prepare(X: Any, y: Any = None, *, categorical: Any = None, kind: str | None = None,
            max_rows: int, max_cols: int, max_levels: int, model_max_rows: int,
            random_state: int) -> Prepared:
    """Validate the input and build the base values (see the module docstring for the rules)."""
    name = None
    if y is None and is_task_like(X):
        task = X
        name = getattr(task, "name", None)
        categorical = task.categorical if categorical is None else categorical
        kind = task.kind if kind is None else kind
        X, y = task.X, task.y
    if y is None and kind is not None:
        raise DataError(f"kind={kind!r} was given but y is None; pass the target too.")

    table = _as_table(X)
    n_rows, n_attr = table.shape
    if n_attr == 0:
        raise DataError("X has no columns; meta-features need at least one attribute.")
    if n_rows < MIN_ROWS:
        raise DataError(f"X has {n_rows} row(s); meta-features need at least {MIN_ROWS}.")
    if isinstance(table, pd.DataFrame) and table.columns.has_duplicates:
        dup = table.columns[table.columns.duplicated()].unique().tolist()
        raise DataError(f"X has duplicate column names: {dup[:5]}; give each column its own name.")
    is_cat_all = _column_types(table, categorical)

    y_codes_all: np.ndarray | None = None
    if y is not None:
        y_codes_all, kind = _target(y, n_rows, kind)

    record: dict[str, Any] = {
        "kind": kind,
        "n_rows": int(n_rows),
        "n_attributes": int(n_attr),
        "random_state": int(random_state),
        "max_rows": int(max_rows),
        "max_cols": int(max_cols),
        "model_max_rows": int(model_max_rows),
    }

    # --- columns
    col_idx = np.arange(n_attr)
    if n_attr > max_cols:
        col_idx = np.sort(_seeded(random_state, 1).choice(n_attr, size=max_cols, replace=False))
        record["columns_sampled"] = True
    else:
        record["columns_sampled"] = False
    record["n_attributes_used"] = int(col_idx.size)

    # --- rows
    if n_rows > max_rows:
        rows = np.sort(_seeded(random_state, 0).choice(n_rows, size=max_rows, replace=False))
        record["rows_sampled"] = True
    else:
        rows = None
        record["rows_sampled"] = False
    n = int(n_rows if rows is None else rows.size)
    record["n_rows_used"] = n

    is_cat = is_cat_all[col_idx]
    num_pos = col_idx[~is_cat]
    cat_pos = col_idx[is_cat]
    labels = _labels(table)
    record["numeric"] = [_jsonable_label(labels[j]) for j in num_pos]
    record["categorical"] = [_jsonable_label(labels[j]) for j in cat_pos]

    # --- numeric block
    if num_pos.size:
        X_num = _numeric_block(table, rows, num_pos)
        if not X_num.flags.owndata:
            X_num = X_num.copy(order="F")  # imputation writes into it: never into the caller's data
        infinite = np.isinf(X_num)
        n_inf = int(infinite.sum())
        if n_inf:
            X_num[infinite] = np.nan
        missing_num = np.isnan(X_num)
        X_num, counts = _impute_numeric(X_num, missing_num)
    else:
        X_num = np.empty((n, 0), order="F")
        missing_num = np.zeros((n, 0), dtype=bool)
        n_inf, counts = 0, {"missing_cells": 0, "all_missing_columns": 0}

    # --- categorical block
    X_cat = np.empty((n, cat_pos.size), dtype=np.intp, order="F")
    cat_levels = np.zeros(cat_pos.size, dtype=np.intp)
    missing_cat = np.zeros((n, cat_pos.size), dtype=bool)
    merged: dict[str, int] = {}
    for i, j in enumerate(cat_pos):
        col = _column(table, rows, int(j))
        missing_cat[:, i] = col.isna().to_numpy()
        codes, levels, info = _encode_categorical(col, max_levels)
        X_cat[:, i] = codes
        cat_levels[i] = levels
        if info:
            merged[str(labels[j])] = info["merged_levels"]

    n_missing = int(missing_num.sum() + missing_cat.sum())
    rows_missing = 0.0
    if n_missing:
        rows_missing = float((missing_num.any(axis=1) | missing_cat.any(axis=1)).mean())
    record["missing"] = {
        "rule": "numeric NaN/inf -> the column's lower median (all missing -> 0); categorical NaN -> its own level",
        "missing_cells": n_missing,
        "infinite_cells": n_inf,
        "all_missing_columns": counts["all_missing_columns"],
    }
    record["categorical_levels"] = {
        "rule": f"levels sorted by string form; more than {max_levels} levels -> the {max_levels - 1} most "
                "frequent kept, the rest merged into one",
        "merged": merged,
    }

    values: dict[str, Any] = {
        "kind": kind,
        "random_state": int(random_state),
        "n_rows": int(n_rows),
        "n_attr": int(n_attr),
        "n_num": int((~is_cat_all).sum()),
        "n_cat": int(is_cat_all.sum()),
        "X_num": X_num,
        "X_cat": X_cat,
        "cat_levels": cat_levels,
        "missing_frac": n_missing / (n * (missing_num.shape[1] + missing_cat.shape[1])),
        "inst_missing_frac": rows_missing,
        "model_max_rows": int(model_max_rows),
    }

    # --- target
    values["y"] = None
    if y_codes_all is not None:
        y_used = y_codes_all if rows is None else y_codes_all[rows]
        if kind == "regression":
            values["y"] = y_used
            if np.ptp(y_used) == 0:
                raise DataError("y is constant on the sampled rows; raise max_rows.")
        else:
            values["class_freqs_all"] = np.bincount(y_codes_all)
            _, y_codes = np.unique(y_used, return_inverse=True)
            values["y"] = y_codes.astype(np.intp)
            values["class_freqs"] = np.bincount(values["y"])
            record["n_classes"] = int(values["class_freqs_all"].size)

    # --- model sample
    if n > model_max_rows:
        values["model_rows"] = np.sort(_seeded(random_state, 2).choice(n, size=model_max_rows, replace=False))
        record["model_rows_used"] = int(model_max_rows)
    else:
        values["model_rows"] = None
        record["model_rows_used"] = n
    return Prepared(values, record, kind, name)


def _jsonable_label(label: Any) -> Any:
    if isinstance(label, (np.integer,)):
        return int(label)
    if isinstance(label, (str, int)):
        return label
    return str(label)

