"""The rules on targets and cells that every entry point shares, below the layers that use them.

:func:`infer_kind` decides a task's kind (:mod:`autometa.tasks` and :mod:`autometa.metafeatures`
both ask it; ``autometa.tasks`` re-exports it); :func:`check_cells` refuses cells that are
neither numbers nor category labels.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from autometa.exceptions import AutometaWarning, DataError

__all__ = ["KINDS", "MAX_CLASSES_FOR_INT_TARGET", "WARN_CLASSES_ABOVE", "check_cells", "infer_kind"]

#: the task kinds, everywhere: a classification with two classes, with more, or a regression
KINDS: tuple[str, ...] = ("binary", "multiclass", "regression")

#: an integer-typed target with at most this many distinct values is a classification target
#: unless the kind is given (PMLB's classification tables have up to 26 classes, letter)
MAX_CLASSES_FOR_INT_TARGET = 30
#: above this many distinct integer labels, or below it for whole numbers stored as floats, the
#: inference warns: it is close to its threshold
WARN_CLASSES_ABOVE = 10


def infer_kind(y: Any, *, warn: bool = True) -> str:
    """Infer ``"binary"``, ``"multiclass"`` or ``"regression"`` from a target: the one rule of every entry point.

    - Text, boolean and categorical targets are classification.
    - Numbers with a fractional part are regression.
    - Whole numbers: two distinct values are binary; otherwise an *integer* dtype
      with at most :data:`MAX_CLASSES_FOR_INT_TARGET` distinct values is
      multiclass, and whole numbers stored as *floats* (``3.0``, ``457.0``) are
      regression, whatever their count.

    On the 233 PMLB datasets of the shipped base this rule agrees with every
    dataset's kind (the former rule, "whole numbers with at most 20 distinct values
    are classes", was wrong on 5: three float ordinal targets such as
    1027_ESL, and letter and kddcup with 26 and 23 integer labels). Where it is
    close to its threshold (more than :data:`WARN_CLASSES_ABOVE` distinct integer
    labels, or a few whole numbers stored as floats) it warns, naming ``kind=``.

    Examples
    --------
    >>> import pandas as pd
    >>> infer_kind(pd.Series([1, 2, 3, 1])), infer_kind(pd.Series([1.0, 2.0, 3.0, 1.0]), warn=False)
    ('multiclass', 'regression')
    >>> infer_kind(pd.Series([0.0, 1.0, 1.0])), infer_kind(pd.Series(["a", "b", "c"]))
    ('binary', 'multiclass')
    """
    if not isinstance(y, pd.Series):
        arr = np.asarray(y)
        y = pd.Series(arr.ravel() if arr.ndim == 2 and arr.shape[1] == 1 else arr)
    values = y.dropna()
    n_unique = int(values.nunique())
    numeric = (pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
               and not isinstance(values.dtype, pd.CategoricalDtype))
    if not numeric:
        return "binary" if n_unique <= 2 else "multiclass"
    as_float = values.to_numpy(dtype=float)
    if not (np.all(np.isfinite(as_float)) and np.all(as_float == np.round(as_float))):
        return "regression"
    if n_unique <= 2:
        return "binary"
    name = f"The target {str(y.name)!r}" if y.name is not None else "The target"
    if pd.api.types.is_integer_dtype(values):
        if n_unique > MAX_CLASSES_FOR_INT_TARGET:
            return "regression"
        if warn and n_unique > WARN_CLASSES_ABOVE:
            warnings.warn(f"{name} holds {n_unique} distinct integers: read as {n_unique} classes "
                          f"(integers with up to {MAX_CLASSES_FOR_INT_TARGET} distinct values are labels). Pass "
                          "kind='regression' if they are quantities.", AutometaWarning, stacklevel=3)
        return "multiclass"
    if warn and n_unique <= MAX_CLASSES_FOR_INT_TARGET:
        warnings.warn(f"{name} holds {n_unique} distinct whole numbers stored as floats: read as regression. "
                      "Pass kind='multiclass' if they are class labels.", AutometaWarning, stacklevel=3)
    return "regression"


def check_cells(col: pd.Series, name: Any) -> None:
    """DataError when an object column holds lists, dicts, sets, tuples or bytes (naming the column and a value)."""
    if not pd.api.types.is_object_dtype(col.dtype):
        return
    cells = col.dropna()
    odd = cells.map(lambda v: isinstance(v, (list, dict, set, tuple, bytes)))
    if bool(odd.any()):
        value = cells[odd].iloc[0]
        raise DataError(f"Column {name!r} holds {type(value).__name__} values such as {value!r}; "
                        "each cell must be a number or a category label.")
