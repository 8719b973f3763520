"""Preprocessing shared by the pipeline families: column typing, imputation, encoding, scaling."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, OrdinalEncoder, StandardScaler

__all__ = ["infer_categorical", "make_preprocessor"]

#: One-hot encoders keep at most this many categories per column (the rest: "infrequent").
MAX_ONEHOT_CATEGORIES = 20
#: Ordinal encoders keep at most this many categories per column.
MAX_ORDINAL_CATEGORIES = 64


def infer_categorical(X: Any) -> list[bool]:
    """Which columns of ``X`` are categorical.

    DataFrame columns of object, string, category or bool dtype are categorical. A
    numpy array of a numeric dtype is all numeric; in an object array a column is
    categorical when its non-missing values do not all convert to float.

    Examples
    --------
    >>> import pandas as pd
    >>> infer_categorical(pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"], "c": [True, False]}))
    [False, True, True]
    """
    if isinstance(X, pd.DataFrame):
        return [_is_categorical_dtype(X[c].dtype) for c in X.columns]
    arr = np.asarray(X)
    if arr.ndim != 2:
        raise ValueError(f"X must be 2-dimensional. Got an array of shape {arr.shape}.")
    if arr.dtype.kind != "O":
        return [arr.dtype.kind not in "biufc"] * arr.shape[1]
    out = []
    for j in range(arr.shape[1]):
        try:
            pd.to_numeric(pd.Series(arr[:, j]), errors="raise")
            out.append(False)
        except (ValueError, TypeError):
            out.append(True)
    return out


def _is_categorical_dtype(dtype: Any) -> bool:
    if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(dtype):
        return True
    return not pd.api.types.is_numeric_dtype(dtype)


class ColumnsOfType:
    """Column selector for a ``ColumnTransformer``: the categorical or the numeric columns.

    Parameters
    ----------
    mask : sequence of bool or None
        The categorical mask given to ``build``; ``None`` infers it from the data.
    categorical : bool
        Select the categorical columns (``True``) or the numeric ones (``False``).
    """

    def __init__(self, mask: Sequence[bool] | None, categorical: bool) -> None:
        self.mask = None if mask is None else [bool(m) for m in mask]
        self.categorical = categorical

    def __call__(self, X: Any) -> list[bool]:
        mask = self.mask if self.mask is not None else infer_categorical(X)
        n_columns = X.shape[1]
        if len(mask) != n_columns:
            raise ValueError(
                f"The 'categorical' mask has {len(mask)} entries but X has {n_columns} columns."
            )
        return [m == self.categorical for m in mask]


#: numeric values are clipped to +-this (1e300 squared overflows to inf in scalers and models)
MAX_ABS_VALUE = 1e15


def to_float(X: Any) -> np.ndarray:
    """Numeric columns as a float64 array: pandas missing values (``pd.NA``) and +-inf as NaN (missing),
    magnitudes clipped to :data:`MAX_ABS_VALUE`.

    Examples
    --------
    >>> to_float(np.array([[1.0, np.inf], [-1e300, 2.0]])).tolist()
    [[1.0, nan], [-1000000000000000.0, 2.0]]
    """
    if isinstance(X, pd.DataFrame):
        out = X.astype("float64").to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        out = np.asarray(X, dtype=np.float64)
    if np.isfinite(out).all() and (out.size == 0 or np.abs(out).max() <= MAX_ABS_VALUE):
        return out
    with np.errstate(invalid="ignore"):
        return np.clip(np.where(np.isinf(out), np.nan, out), -MAX_ABS_VALUE, MAX_ABS_VALUE)


def to_str_object(X: Any) -> np.ndarray:
    """Categorical columns as an object array of ``str``, missing values as ``np.nan``.

    Strings, categories, booleans and numbers then encode uniformly (scikit-learn's
    encoders refuse columns that mix ``str`` and ``bool``).
    """
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X, dtype=object))
    values = frame.astype(object).to_numpy(dtype=object)
    missing = pd.isna(frame).to_numpy()
    out = np.empty(values.shape, dtype=object)
    out[missing] = np.nan
    out[~missing] = [str(v) for v in values[~missing]]
    return out


class DropEmptyColumns(TransformerMixin, BaseEstimator):
    """Drop the columns with no observed value at fit time.

    For models that take NaN natively: histogram binning fails on a column with
    nothing to bin. (The imputing branches keep such a column as zeros plus a
    missing indicator instead.)
    """

    def fit(self, X: Any, y: Any = None) -> DropEmptyColumns:
        X = np.asarray(X, dtype=np.float64)
        self.n_features_in_ = X.shape[1]
        self.keep_ = ~np.isnan(X).all(axis=0)
        return self

    def transform(self, X: Any) -> np.ndarray:
        return np.asarray(X, dtype=np.float64)[:, self.keep_]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        if input_features is None:
            input_features = [f"x{i}" for i in range(self.n_features_in_)]
        return np.asarray(input_features, dtype=object)[self.keep_]


def make_preprocessor(
    categorical: Sequence[bool] | None,
    *,
    encoding: Literal["onehot", "ordinal"],
    impute_numeric: bool,
    scale: bool,
    ordinal_missing: float | int = np.nan,
) -> ColumnTransformer:
    """The preprocessing step of a family's pipeline.

    Parameters
    ----------
    categorical : sequence of bool or None
        Categorical mask, or ``None`` to infer it from the data at fit time.
    encoding : {"onehot", "ordinal"}
        ``"onehot"``: most-frequent imputation then one-hot encoding with at most
        ``MAX_ONEHOT_CATEGORIES`` per column (rarer and unseen ones go to an
        "infrequent" column). ``"ordinal"``: integer codes (at most
        ``MAX_ORDINAL_CATEGORIES``), missing and unseen categories coded
        ``ordinal_missing`` (NaN for models that handle missing values natively).
    impute_numeric : bool
        Median imputation plus missing-indicator columns for numeric features;
        ``False`` keeps NaN for models that handle them natively.
    scale : bool
        Standardise the numeric features (after imputation).
    ordinal_missing : float, default=nan
        Code for missing / unseen categories with ``encoding="ordinal"``.

    Returns
    -------
    sklearn.compose.ColumnTransformer

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [1.0, None, 3.0], "b": ["x", None, "y"]})
    >>> make_preprocessor(None, encoding="onehot", impute_numeric=True, scale=False).fit_transform(X)
    array([[1., 0., 1., 0.],
           [2., 1., 1., 0.],
           [3., 0., 0., 1.]])
    """
    num_steps: list[tuple[str, Any]] = [
        ("to_float", FunctionTransformer(to_float, feature_names_out="one-to-one"))
    ]
    if impute_numeric:
        num_steps.append(
            (
                "impute",
                SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
            )
        )
    else:
        num_steps.append(("drop_empty", DropEmptyColumns()))
    if scale:
        num_steps.append(("scale", StandardScaler()))

    cat_steps: list[tuple[str, Any]] = [
        ("to_str", FunctionTransformer(to_str_object, feature_names_out="one-to-one"))
    ]
    if encoding == "onehot":
        cat_steps.append(
            ("impute", SimpleImputer(strategy="most_frequent", keep_empty_features=True))
        )
        cat_steps.append(
            (
                "encode",
                OneHotEncoder(
                    handle_unknown="infrequent_if_exist",
                    max_categories=MAX_ONEHOT_CATEGORIES,
                    sparse_output=False,
                ),
            )
        )
    elif encoding == "ordinal":
        cat_steps.append(
            (
                "encode",
                OrdinalEncoder(
                    handle_unknown="use_encoded_value",
                    unknown_value=ordinal_missing,
                    encoded_missing_value=ordinal_missing,
                    max_categories=MAX_ORDINAL_CATEGORIES,
                ),
            )
        )
        if np.isnan(ordinal_missing):
            cat_steps.append(("drop_empty", DropEmptyColumns()))
    else:
        raise ValueError(
            f"The 'encoding' parameter must be 'onehot' or 'ordinal'. Got {encoding!r}."
        )

    return ColumnTransformer(
        [
            ("num", Pipeline(num_steps), ColumnsOfType(categorical, categorical=False)),
            ("cat", Pipeline(cat_steps), ColumnsOfType(categorical, categorical=True)),
        ],
        remainder="drop",
        sparse_threshold=0.0,
    )
