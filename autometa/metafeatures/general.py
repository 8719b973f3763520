"""General meta-features: sizes, ratios, attribute types and class counts.

All are pymfe's (same names, same definitions) except ``missing_frac`` and
``inst_missing_frac``, which pymfe lacks (it refuses missing values). Counts of rows
and classes use every row, even when the rest of the extraction uses a sample;
counts of attributes use every column.

==================  =========  ====================================================
name                target     definition
==================  =========  ====================================================
attr_to_inst        any        attributes / rows
cat_to_num          any        categorical / numeric attributes (NaN: no numeric)
freq_class          class      share of each class (summarised)
inst_missing_frac   any        share of rows with at least one missing value
inst_to_attr        any        rows / attributes
missing_frac        any        share of missing cells
nr_attr             any        attributes
nr_bin              any        attributes with exactly two distinct values
nr_cat              any        categorical attributes
nr_class            class      classes
nr_inst             any        rows
nr_num              any        numeric attributes
num_to_cat          any        numeric / categorical attributes (NaN: no categorical)
==================  =========  ====================================================
"""

from __future__ import annotations

import numpy as np

from autometa.metafeatures._engine import intermediate, metafeature

__all__: list[str] = []

_GROUP = "general"


@intermediate
def attr_nunique(X_num_sorted: np.ndarray, X_cat: np.ndarray, cat_levels: np.ndarray) -> np.ndarray:
    """Distinct values of each attribute used (categorical first, as in ``C``)."""
    if X_num_sorted.shape[0]:
        num = 1 + np.count_nonzero(X_num_sorted[1:] != X_num_sorted[:-1], axis=0)
    else:
        num = np.zeros(X_num_sorted.shape[1], dtype=np.intp)
    if X_cat.shape[1]:
        present = np.zeros((int(cat_levels.max()), X_cat.shape[1]), dtype=bool)
        present[X_cat, np.arange(X_cat.shape[1])[None, :]] = True
        cat = present.sum(axis=0)
    else:
        cat = np.zeros(0, dtype=np.intp)
    return np.concatenate([cat, num]).astype(np.intp)


@metafeature(_GROUP)
def attr_to_inst(n_attr: int, n_rows: int) -> float:
    return n_attr / n_rows


@metafeature(_GROUP)
def cat_to_num(n_cat: int, n_num: int) -> float:
    return n_cat / n_num if n_num else np.nan


@metafeature(_GROUP, target="class", summarised=True)
def freq_class(class_freqs_all: np.ndarray) -> np.ndarray:
    return class_freqs_all / class_freqs_all.sum()


@metafeature(_GROUP)
def inst_missing_frac(inst_missing_frac: float) -> float:
    return inst_missing_frac


@metafeature(_GROUP)
def inst_to_attr(n_attr: int, n_rows: int) -> float:
    return n_rows / n_attr


@metafeature(_GROUP)
def missing_frac(missing_frac: float) -> float:
    return missing_frac


@metafeature(_GROUP)
def nr_attr(n_attr: int) -> float:
    return n_attr


@metafeature(_GROUP)
def nr_bin(attr_nunique: np.ndarray) -> float:
    return int(np.count_nonzero(attr_nunique == 2))


@metafeature(_GROUP)
def nr_cat(n_cat: int) -> float:
    return n_cat


@metafeature(_GROUP, target="class")
def nr_class(class_freqs_all: np.ndarray) -> float:
    return int(np.count_nonzero(class_freqs_all))


@metafeature(_GROUP)
def nr_inst(n_rows: int) -> float:
    return n_rows


@metafeature(_GROUP)
def nr_num(n_num: int) -> float:
    return n_num


@metafeature(_GROUP)
def num_to_cat(n_cat: int, n_num: int) -> float:
    return n_num / n_cat if n_cat else np.nan
