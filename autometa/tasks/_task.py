"""The :class:`Task`: one supervised tabular problem, with its data kept as given."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from autometa._rules import KINDS

__all__ = ["Task", "KINDS"]



@dataclass(eq=False)
class Task:
    """A validated supervised learning problem.

    Build one with :func:`autometa.tasks.load_task`, which validates the data; the
    constructor trusts its arguments.

    Parameters
    ----------
    name : str
        Unique name in a registry (``"iris"``, ``"pmlb:adult"``, a file stem...).
    X : pandas.DataFrame
        Features with their original dtypes (numeric, category, object, bool).
    y : pandas.Series
        Target, aligned with ``X``.
    kind : {"binary", "multiclass", "regression"}
    categorical : list of bool
        One flag per column of ``X``: is the column categorical?
    source : str
        Where the data came from (``"pmlb:NAME"``, ``"file:PATH"``, ``"dataframe"``...).
    family : str
        Group of related datasets (generator, source); leave-one-family-out
        evaluation holds a whole family out at once. Defaults to ``name``.
    metadata : dict
        Anything else worth keeping (dropped columns, PMLB metadata...).

    Examples
    --------
    >>> from autometa.tasks import load_task
    >>> task = load_task("sklearn:iris")
    >>> task.kind, task.n_rows, task.n_features
    ('multiclass', 150, 4)
    """

    name: str
    X: pd.DataFrame
    y: pd.Series
    kind: str
    categorical: list[bool]
    source: str = "dataframe"
    family: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    _metafeatures: dict[tuple[Any, ...], pd.Series] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not self.family:
            self.family = self.name

    @property
    def n_rows(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.X.shape[1])

    @property
    def n_classes(self) -> int | None:
        """Number of distinct classes, ``None`` for regression."""
        return None if self.kind == "regression" else int(self.y.nunique())

    @property
    def is_classification(self) -> bool:
        return self.kind != "regression"

    @property
    def categorical_columns(self) -> list[str]:
        return [str(c) for c, is_cat in zip(self.X.columns, self.categorical) if is_cat]

    def metafeatures(self, groups: str | list[str] = "all", **kwargs: Any) -> pd.Series:
        """Meta-features of this task, computed once and cached.

        Keyword arguments go to :func:`autometa.metafeatures.extract_metafeatures`;
        ``time_budget`` is not part of what is cached under (a result cut short by
        its budget, with NaN for what did not fit, is what later calls get).
        """
        # a time budget bounds the work, not what is asked for: a budgeted result is reused by later calls
        key = (groups if isinstance(groups, str) else tuple(groups),
               tuple(sorted((k, v) for k, v in kwargs.items() if k != "time_budget")))
        if key not in self._metafeatures:
            from autometa.metafeatures import extract_metafeatures

            self._metafeatures[key] = extract_metafeatures(
                self.X, self.y, groups=groups, categorical=self.categorical, kind=self.kind, **kwargs
            )
        return self._metafeatures[key]

    def summary(self) -> dict[str, Any]:
        """A short description: name, kind, size, class balance or target range."""
        out: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "rows": self.n_rows,
            "features": self.n_features,
            "categorical": int(sum(self.categorical)),
            "missing_cells": int(self.X.isna().to_numpy().sum()),
            "source": self.source,
            "family": self.family,
        }
        if self.is_classification:
            counts = self.y.value_counts()
            out["classes"] = int(counts.size)
            out["majority_share"] = float(counts.iloc[0] / counts.sum())
        else:
            values = self.y.to_numpy(dtype=float)
            out["target_mean"] = float(np.mean(values))
            out["target_std"] = float(np.std(values))
        dropped = self.metadata.get("dropped_columns")
        if dropped:
            out["dropped_columns"] = ", ".join(map(str, dropped))
        return out

    def __repr__(self) -> str:
        return (f"Task(name={self.name!r}, kind={self.kind!r}, rows={self.n_rows}, "
                f"features={self.n_features}, source={self.source!r})")
