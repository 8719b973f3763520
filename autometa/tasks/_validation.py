"""Validation of user data, in one place.

Every check raises :class:`~autometa.exceptions.DataError` with a message that names
what is wrong (the column, the value) and how to fix it. Constant feature columns
(all-NaN included) are dropped with a warning instead of failing.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from autometa._rules import MAX_CLASSES_FOR_INT_TARGET, check_cells, infer_kind
from autometa.exceptions import AutometaWarning, DataError

__all__ = ["validate", "infer_kind", "infer_categorical", "split_target", "MAX_CLASSES_FOR_INT_TARGET"]



def _as_frame(X: Any) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X
    if isinstance(X, pd.Series):
        return X.to_frame()
    arr = np.asarray(X)
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2:
        raise DataError(f"X must be a 2-D table (rows x features); got an array with shape {arr.shape}.")
    return pd.DataFrame(arr, columns=[f"x{i}" for i in range(arr.shape[1])])


def split_target(frame: pd.DataFrame, target: str | None, *, where: str = "the table") -> tuple[pd.DataFrame, pd.Series]:
    """Split ``frame`` into features and the column ``target``, with a helpful error."""
    _check_unique_columns(frame.columns)
    if target is None:
        raise DataError(f"No target column given for {where}: pass target=NAME "
                        f"(columns are: {_preview(frame.columns)}).")
    if target not in frame.columns:
        close = difflib.get_close_matches(str(target), [str(c) for c in frame.columns], n=3)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise DataError(f"Target column {target!r} is not in {where}.{hint} "
                        f"Columns are: {_preview(frame.columns)}.")
    return frame.drop(columns=[target]), frame[target]


def _check_unique_columns(columns: pd.Index) -> None:
    dup = columns[columns.duplicated()].unique().tolist()
    if dup:
        raise DataError(f"Duplicate column names: {_preview(dup)}. Rename them so each column has one "
                        "name, e.g. df.columns = pd.io.common.dedup_names(df.columns, False) or by hand.")


def _preview(columns: Sequence[Any], n: int = 12) -> str:
    names = [repr(str(c)) for c in list(columns)[:n]]
    more = len(columns) - n
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")




_DATE_LIKE = r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?$|^\d{1,2}:\d{2}(:\d{2})?$"
_DECIMAL_COMMA = r"^[-+]?(\d{1,3}(\.\d{3})+|\d+),\d+$|^[-+]?\d+$"


def _numbers_in_text(col: pd.Series, what: str, sample: int = 1000) -> pd.Series | None:
    """``col`` as numbers when its text cells all hold numbers (a warning says so), else None.

    Decimal-comma numbers (``"1,5"``, ``"1.234,5"``) are read as such, also with a
    warning; dates and times stored as text raise :class:`DataError` (autometa models
    numbers and categories, not dates). Columns that are not text are left alone.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     _numbers_in_text(pd.Series(["1.5", "2", None]), "x").tolist()
    [1.5, 2.0, nan]
    >>> _numbers_in_text(pd.Series(["a", "2"]), "x") is None
    True
    """
    if not (pd.api.types.is_object_dtype(col.dtype) or pd.api.types.is_string_dtype(col.dtype)):
        return None
    values = col.dropna()
    if not len(values) or not values.map(lambda v: isinstance(v, str)).all():
        return None
    text = values.astype(str).str.strip()
    head = text.iloc[:sample]
    if pd.to_numeric(head, errors="coerce").notna().all():
        numbers = pd.to_numeric(text, errors="coerce")
        if numbers.notna().all():
            warnings.warn(f"{what} holds numbers stored as text (such as {values.iloc[0]!r}): read as numbers.",
                          AutometaWarning, stacklevel=4)
            return pd.to_numeric(col.astype(object).where(col.notna(), None).map(
                lambda v: v.strip() if isinstance(v, str) else v), errors="coerce")
        return None
    if head.str.contains(",").any() and head.str.fullmatch(_DECIMAL_COMMA).all() \
            and text.str.fullmatch(_DECIMAL_COMMA).all():
        numbers = pd.to_numeric(text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
        warnings.warn(f"{what} holds decimal-comma numbers (such as {values.iloc[0]!r}): read as numbers "
                      f"({values.iloc[0]!r} = {float(numbers.iloc[0]):g}). Convert them yourself if they are something "
                      "else.", AutometaWarning, stacklevel=4)
        return numbers.reindex(col.index)
    if head.str.fullmatch(_DATE_LIKE).all():
        raise DataError(f"{what} holds dates or times stored as text (such as {values.iloc[0]!r}); autometa "
                        "models numbers and categories. Convert it to numbers (e.g. days since a date, or year, "
                        "month and weekday columns) or drop it.")
    return None


def infer_categorical(X: pd.DataFrame) -> list[bool]:
    """A column is categorical when its dtype is category, object, string or bool."""
    out = []
    for _, col in X.items():
        dtype = col.dtype
        out.append(bool(isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(dtype)
                        or pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)))
    return out


def validate(X: Any, y: Any, *, kind: str | None = None, categorical: Sequence[bool] | None = None,
             drop_constant: bool = True) -> tuple[pd.DataFrame, pd.Series, str, list[bool], list[str]]:
    """Check a feature table and a target, and return them cleaned.

    Returns ``(X, y, kind, categorical, dropped_columns)``. ``X`` keeps its dtypes;
    constant columns (all-NaN included) are dropped with an
    :class:`~autometa.exceptions.AutometaWarning` when ``drop_constant``.

    Raises
    ------
    DataError
        Empty table, lengths that differ, duplicate column names, unsupported
        dtypes, NaN/inf in the target, a single class, a non-numeric target for
        regression, or a feature matrix with nothing but constant columns.
    """
    from autometa.tasks._task import KINDS

    X = _as_frame(X)
    if X.shape[0] == 0:
        raise DataError("The table is empty: it has no rows. Pass at least a few labelled rows.")
    if X.shape[1] == 0:
        raise DataError("The table has no feature columns besides the target. Pass at least one feature.")
    _check_unique_columns(X.columns)
    X = X.copy()
    X.columns = [str(c) for c in X.columns]

    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise DataError(f"y must be one column; got a table with {y.shape[1]} columns.")
        y = y.iloc[:, 0]
    if not isinstance(y, pd.Series):
        arr = np.asarray(y)
        if arr.ndim != 1:
            if arr.ndim == 2 and arr.shape[1] == 1:
                arr = arr.ravel()
            else:
                raise DataError(f"y must be one-dimensional; got shape {arr.shape}.")
        y = pd.Series(arr, name="target")
    if len(y) != len(X):
        raise DataError(f"X has {len(X)} rows but y has {len(y)} values; they must have the same length.")
    y = y.reset_index(drop=True)
    X = X.reset_index(drop=True)
    if y.name is None:
        y = y.rename("target")

    missing = y.isna().to_numpy()
    if missing.any():
        first = np.flatnonzero(missing)[:5].tolist()
        raise DataError(f"The target {y.name!r} has {int(missing.sum())} missing value(s) (rows {first}"
                        f"{'...' if missing.sum() > 5 else ''}). Drop those rows first, "
                        f"e.g. df = df.dropna(subset=[{str(y.name)!r}]).")

    for name, col in X.items():
        dtype = col.dtype
        if (pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype)
                or pd.api.types.is_complex_dtype(dtype) or isinstance(dtype, pd.IntervalDtype)
                or isinstance(dtype, pd.PeriodDtype)):
            raise DataError(f"Column {name!r} has dtype {dtype}, which autometa does not model. Convert it "
                            "to numbers (e.g. days since a date) or drop it.")
        check_cells(col, name)
        converted = _numbers_in_text(col, f"Column {str(name)!r}")
        if converted is not None:
            X[name] = converted
    converted = _numbers_in_text(y, f"The target {str(y.name)!r}")
    if converted is not None:
        y = converted

    if kind is None:
        kind = infer_kind(y)
    elif kind not in KINDS:
        raise DataError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}.")

    if kind == "regression":
        if not pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
            sample = y.iloc[0]
            converted = pd.to_numeric(y, errors="coerce")
            if converted.isna().any():
                bad = y[converted.isna()].iloc[0]
                raise DataError(f"The target {y.name!r} must be numeric for regression; it holds values like "
                                f"{bad!r}. Use kind='binary'/'multiclass' for labels, or convert it.")
            y = converted.astype(float) if sample is not None else converted
        y = y.astype(float)
        if not np.all(np.isfinite(y.to_numpy())):
            raise DataError(f"The target {y.name!r} has infinite values; drop or clip those rows.")
        if y.nunique() < 2:
            raise DataError(f"The target {y.name!r} has a single value ({float(y.iloc[0])!r}): there is nothing "
                            "to predict. Check the target column.")
    else:
        n_classes = int(y.nunique())
        if n_classes < 2:
            only = y.iloc[0].item() if isinstance(y.iloc[0], np.generic) else y.iloc[0]
            raise DataError(f"The target {y.name!r} has a single class ({only!r}); a classifier needs at "
                            "least two. Check the target column, or use kind='regression' for a numeric target.")
        expected = "binary" if n_classes == 2 else "multiclass"
        if kind != expected:
            raise DataError(f"kind={kind!r} but the target {y.name!r} has {n_classes} classes; use kind={expected!r}.")

    if categorical is None:
        categorical = infer_categorical(X)
    else:
        categorical = [bool(c) for c in categorical]
        if len(categorical) != X.shape[1]:
            raise DataError(f"categorical has {len(categorical)} flags but X has {X.shape[1]} columns.")
        # a non-numeric column is categorical whatever the caller says
        categorical = [c or f for c, f in zip(categorical, infer_categorical(X))]

    dropped: list[str] = []
    if drop_constant:
        constant = _constant_columns(X)
        if constant and len(constant) == X.shape[1]:
            raise DataError("Every feature column is constant or entirely missing "
                            f"({_preview(constant)}): there is nothing to learn from.")
        if constant:
            warnings.warn(f"Dropping {len(constant)} constant or all-missing column(s): {_preview(constant)}.",
                          AutometaWarning, stacklevel=3)
            keep = [c not in set(constant) for c in X.columns]
            categorical = [c for c, k in zip(categorical, keep) if k]
            X = X.loc[:, keep]
            dropped = constant
    return X, y, kind, categorical, dropped


def _constant_columns(X: pd.DataFrame) -> list[str]:
    """Names of the columns with at most one distinct non-missing value.

    Numeric columns are compared by their minimum and maximum (no hashing: 200,000 x
    100 numbers take a fraction of ``DataFrame.nunique``'s time); others by their
    first non-missing value.

    Examples
    --------
    >>> _constant_columns(pd.DataFrame({"a": [1.0, 1.0], "b": [1.0, 2.0], "c": ["x", None], "d": [None, None]}))
    ['a', 'c', 'd']
    """
    constant: list[str] = []
    numeric = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c]) and not pd.api.types.is_bool_dtype(X[c])]
    if numeric:
        values = X[numeric].to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing column
            low, high = np.nanmin(values, axis=0), np.nanmax(values, axis=0)
        flat = set(np.asarray(numeric, dtype=object)[~(low < high)].tolist())
    else:
        flat = set()
    for column in X.columns:
        if column in flat:
            constant.append(str(column))
        elif column not in numeric:
            present = X[column].dropna()
            if len(present) == 0 or bool((present == present.iloc[0]).all()):
                constant.append(str(column))
    return constant
