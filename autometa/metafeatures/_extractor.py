"""The public entry points: :class:`MetaFeatureExtractor` and :func:`extract_metafeatures`."""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from autometa.exceptions import AutometaWarning, DataError
from autometa.metafeatures._engine import GROUPS, Context, features_of, run
from autometa.metafeatures._prepare import KINDS, prepare
from autometa.metafeatures._summary import DEFAULT_SUMMARY, SUMMARIES, Summary

__all__ = ["MetaFeatureExtractor", "extract_metafeatures", "feature_names"]

_GROUP_ALIASES = {"info-theory": "info_theory", "model-based": "model_based", "infotheory": "info_theory"}

_RULES = {
    "categorical_encoding": "numeric view N: numeric attributes, then one-hot levels of categorical ones "
                            "(all levels of the first, all but the first level of the others; pymfe 'gray')",
    "discretisation": "discrete view C: categorical codes, then numeric attributes in int(n ** (1/3)) "
                      "equal-frequency bins (pymfe's rule)",
    "summaries": "summary functions ignore NaN values",
    "non_finite": "infinite results are reported as NaN and listed under 'non_finite'",
}


def _positive_int(minimum: int) -> tuple[str, Any]:
    return (f"an int >= {minimum}",
            lambda v: isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= minimum)


# parameter rules as data: the checks and the error messages come from here
_PARAMETERS: dict[str, tuple[str, Any]] = {
    "max_rows": _positive_int(2),
    "max_cols": _positive_int(1),
    "max_levels": _positive_int(2),
    "model_max_rows": _positive_int(2),
    "random_state": _positive_int(0),
    "time_budget": ("a float > 0 or None",
                    lambda v: v is None or (isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
                                            and np.isfinite(v) and v > 0)),
}


def _groups(groups: str | Sequence[str]) -> tuple[str, ...]:
    items = [groups] if isinstance(groups, str) else list(groups)
    chosen: set[str] = set()
    for g in items:
        key = _GROUP_ALIASES.get(str(g).lower(), str(g).lower())
        if key in ("all", "default"):
            chosen.update(GROUPS)
        elif key in GROUPS:
            chosen.add(key)
        else:
            raise DataError(f"The 'groups' parameter got an unknown group {g!r}; choose among "
                            f"{', '.join(map(repr, GROUPS))} or 'all'.")
    if not chosen:
        raise DataError("The 'groups' parameter is empty; choose at least one group or 'all'.")
    return tuple(g for g in GROUPS if g in chosen)


def _summaries(summary: str | Sequence[str]) -> list[Summary]:
    if isinstance(summary, str):
        names: Sequence[str] = {"default": DEFAULT_SUMMARY, "all": tuple(SUMMARIES)}.get(summary, (summary,))
    else:
        names = list(summary)
    unknown = [s for s in names if s not in SUMMARIES]
    if unknown:
        raise DataError(f"The 'summary' parameter got unknown summary function(s) {unknown}; choose among "
                        f"{', '.join(map(repr, SUMMARIES))}, 'default' ({', '.join(DEFAULT_SUMMARY)}) or 'all'.")
    if not names:
        raise DataError("The 'summary' parameter is empty; choose at least one summary function.")
    seen: dict[str, None] = dict.fromkeys(names)
    return [SUMMARIES[s] for s in seen]


def feature_names(groups: str | Sequence[str] = "all", summary: str | Sequence[str] = "default",
                  kind: str | None = "binary") -> list[str]:
    """The names, in order, of the Series :func:`extract_metafeatures` returns.

    The set depends only on ``groups``, ``summary`` and ``kind`` (``"binary"`` and
    ``"multiclass"`` give the same names; ``None`` means no target), never on the
    data: a feature that cannot be computed is NaN, not missing.

    Examples
    --------
    >>> from autometa.metafeatures import feature_names
    >>> feature_names("general", kind="regression")[:4]
    ['attr_to_inst', 'cat_to_num', 'inst_missing_frac', 'inst_to_attr']
    """
    if kind is not None and kind not in KINDS:
        raise DataError(f"The 'kind' parameter must be one of {', '.join(map(repr, KINDS))} or None; got {kind!r}.")
    sums = _summaries(summary)
    return _names(features_of(_run_groups(_groups(groups)), kind), _groups(groups), sums)


def _run_groups(groups: tuple[str, ...]) -> tuple[str, ...]:
    """The groups whose features run: ``relative`` ranks the landmarkers, so it runs them."""
    if "relative" in groups and "landmarking" not in groups:
        return tuple(g for g in GROUPS if g in {*groups, "landmarking"})
    return groups


def _names(features: list[Any], groups: tuple[str, ...], sums: list[Summary]) -> list[str]:
    """Output names: the features', landmarking's left out when only ``relative`` asked for them, then the ranks."""
    from autometa.metafeatures.relative import relative_names

    names = [n for f in features for n in f.output_names(sums)
             if f.group != "landmarking" or "landmarking" in groups]
    if "relative" in groups:
        names += relative_names([n for f in features if f.group == "landmarking" for n in f.output_names(sums)])
    return names


class MetaFeatureExtractor:
    """Describe a tabular task by a vector of meta-features, pymfe-compatible and fast.

    Parameters
    ----------
    groups : str or list of str, default "all"
        Any of ``"general"``, ``"statistical"``, ``"info_theory"``,
        ``"model_based"``, ``"landmarking"`` (pymfe's hyphenated names work too),
        or ``"all"``.
    summary : str or list of str, default "default"
        Summary functions for features with many values (``"default"`` is
        ``["mean", "sd"]``, pymfe's default; ``"all"`` is every function in
        :data:`autometa.metafeatures.SUMMARIES`).
    max_rows : int, default 100_000
        Larger data is sampled to this many rows (seeded; counts of rows and
        classes still use all rows).
    max_cols : int, default 1000
        More attributes than this: a seeded random subset of this many is used
        (attribute counts still use all).
    max_levels : int, default 100
        A categorical attribute with more levels keeps its ``max_levels - 1`` most
        frequent and merges the rest.
    model_max_rows : int, default 5000
        Landmarking and model-based features fit on at most this many rows.
    time_budget : float or None, default None
        Seconds for one extraction; features not started in time are NaN and an
        :class:`~autometa.exceptions.AutometaWarning` names them.
    random_state : int, default 0
        Seed of every sample and model; the same seed gives the same result.

    Notes
    -----
    BLAS runs single-threaded during an extraction (parallelise across datasets
    instead, as ``autometa metadata build`` does).

    The rules (column types, missing values, encodings, sampling) are in
    :mod:`autometa.metafeatures._prepare` and :mod:`autometa.metafeatures._shared`,
    and each group's differences from pymfe in its module docstring. Every
    extraction records the rules it applied in ``result.attrs``.

    Examples
    --------
    >>> import numpy as np
    >>> from autometa.metafeatures import MetaFeatureExtractor
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(60, 3)), np.repeat([0, 1], 30)
    >>> mf = MetaFeatureExtractor(groups=["general", "statistical"]).extract(X, y)
    >>> float(mf["nr_inst"]), float(mf["nr_class"])
    (60.0, 2.0)
    """

    def __init__(self, groups: str | Sequence[str] = "all", summary: str | Sequence[str] = "default", *,
                 max_rows: int = 100_000, max_cols: int = 1000, max_levels: int = 100,
                 model_max_rows: int = 5000, time_budget: float | None = None, random_state: int = 0) -> None:
        self.groups = groups
        self.summary = summary
        self.max_rows = max_rows
        self.max_cols = max_cols
        self.max_levels = max_levels
        self.model_max_rows = model_max_rows
        self.time_budget = time_budget
        self.random_state = random_state

    def _validate(self) -> tuple[tuple[str, ...], list[Summary]]:
        for name, (allowed, ok) in _PARAMETERS.items():
            value = getattr(self, name)
            if not ok(value):
                raise DataError(f"The {name!r} parameter of {type(self).__name__} must be {allowed}. Got {value!r}.")
        return _groups(self.groups), _summaries(self.summary)

    def feature_names(self, kind: str | None = "binary") -> list[str]:
        """The names :meth:`extract` returns for tasks of ``kind``."""
        return feature_names(self.groups, self.summary, kind)

    def extract(self, X: Any, y: Any = None, *, categorical: Any = None, kind: str | None = None) -> pd.Series:
        """Meta-features of ``(X, y)`` as a float Series named like pymfe's.

        Parameters
        ----------
        X : DataFrame, 2-D array, or Task-like
            The attributes; or an object with ``.X``, ``.y``, ``.kind`` and
            ``.categorical`` (such as :class:`autometa.tasks.Task`) when ``y`` is None.
        y : array-like or None
            The target; None computes only the features that need none.
        categorical : bool mask or list of column labels, optional
            Which columns are categorical; inferred from dtypes when omitted.
        kind : {"binary", "multiclass", "regression"}, optional
            Inferred from ``y`` when omitted (an integer target with at most 20
            values is a class label).

        Returns
        -------
        pandas.Series
            Index :meth:`feature_names` ``(kind)``; ``attrs`` records the rules applied,
            the rows and columns used, the seed, the features that failed
            (``failed``), timed out (``timed_out``) or were infinite (``non_finite``).

        Raises
        ------
        DataError
            Unusable input (fewer than 2 rows, no columns, one class, a constant
            or non-finite target, unsupported dtypes, mismatched lengths) or a bad
            parameter value.
        """
        start = time.perf_counter()
        groups, summaries = self._validate()
        prepared = prepare(X, y, categorical=categorical, kind=kind, max_rows=self.max_rows,
                           max_cols=self.max_cols, max_levels=self.max_levels,
                           model_max_rows=self.model_max_rows, random_state=self.random_state)
        features = features_of(_run_groups(groups), prepared.kind)
        deadline = None if self.time_budget is None else start + float(self.time_budget)
        # one BLAS thread: extractions run in parallel across datasets, and on a busy
        # machine a multi-threaded BLAS makes small products hundreds of times slower
        with threadpool_limits(limits=1, user_api="blas"):
            result = run(features, Context({**prepared.values, "deadline": deadline}), summaries, deadline)

        if "relative" in groups:
            from autometa.metafeatures.relative import relative_values

            landmarks = [n for f in features if f.group == "landmarking" for n in f.output_names(summaries)]
            result.values.update(relative_values(result.values, landmarks))
        names = _names(features, groups, summaries)
        values = np.array([result.values[n] for n in names], dtype=float)
        non_finite = [n for n, v in zip(names, values) if np.isinf(v)]
        values[np.isinf(values)] = np.nan
        series = pd.Series(values, index=pd.Index(names, dtype=object), dtype=float, name=prepared.name)

        attrs = dict(prepared.record)
        attrs.update(_RULES)
        attrs.update({
            "groups": list(groups),
            "summary": [s.name for s in summaries],
            "time_budget": self.time_budget,
            "timed_out": result.timed_out,
            "failed": result.failed,
            "non_finite": non_finite,
            "elapsed_s": round(time.perf_counter() - start, 4),
        })
        series.attrs = attrs
        if result.timed_out:
            shown = ", ".join(result.timed_out[:20]) + (" ..." if len(result.timed_out) > 20 else "")
            warnings.warn(f"Meta-feature extraction used up its time budget of {self.time_budget} s; "
                          f"{len(result.timed_out)} feature(s) not computed are NaN: {shown}.",
                          AutometaWarning, stacklevel=2)
        return series


def extract_metafeatures(X: Any, y: Any = None, *, groups: str | Sequence[str] = "all",
                         summary: str | Sequence[str] = "default", categorical: Any = None,
                         kind: str | None = None, max_rows: int = 100_000, max_cols: int = 1000,
                         max_levels: int = 100, model_max_rows: int = 5000, time_budget: float | None = None,
                         random_state: int = 0) -> pd.Series:
    """Meta-features of a tabular task: a float Series with pymfe-compatible names.

    A shortcut for ``MetaFeatureExtractor(...).extract(X, y, categorical=...,
    kind=...)``; see :class:`MetaFeatureExtractor` for the parameters and the
    rules.

    Examples
    --------
    >>> import pandas as pd
    >>> from autometa.metafeatures import extract_metafeatures
    >>> X = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": ["x", "y", "x", "y"]})
    >>> mf = extract_metafeatures(X, [0, 0, 1, 1], groups="general")
    >>> mf[["nr_inst", "nr_num", "nr_cat", "nr_bin"]].tolist()
    [4.0, 1.0, 1.0, 1.0]
    """
    extractor = MetaFeatureExtractor(groups, summary, max_rows=max_rows, max_cols=max_cols, max_levels=max_levels,
                                     model_max_rows=model_max_rows, time_budget=time_budget,
                                     random_state=random_state)
    return extractor.extract(X, y, categorical=categorical, kind=kind)
