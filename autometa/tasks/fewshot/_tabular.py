"""The ``tabular`` family: few-shot classification episodes drawn from the registry's datasets."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import torch

from autometa.exceptions import DataError
from autometa.tasks.fewshot._base import Episode, FewShotFamily, split_items

if TYPE_CHECKING:  # pragma: no cover
    from autometa.tasks._registry import TaskRegistry
    from autometa.tasks._task import Task

__all__ = ["TabularFamily", "encode_table"]


def encode_table(X: pd.DataFrame, categorical: Sequence[bool]) -> np.ndarray:
    """Numbers for a table: categories as ordinal codes, missing values as the median, z-scores.

    Returns a float32 array; constant columns become zeros.
    """
    columns = []
    for col, is_cat in zip(X.columns, categorical, strict=True):
        s = X[col]
        if is_cat or not pd.api.types.is_numeric_dtype(s):
            codes = pd.Categorical(s).codes.astype(np.float64)
            codes[codes < 0] = np.nan
            values = codes
        else:
            values = pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64)
        columns.append(values)
    M = np.column_stack(columns) if columns else np.zeros((len(X), 0))
    median = np.nanmedian(np.where(np.isnan(M).all(axis=0), 0.0, M), axis=0) if M.size else np.zeros(0)
    M = np.where(np.isnan(M), median, M)
    sd = M.std(axis=0)
    M = (M - M.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    return M.astype(np.float32)


class _Pool:
    """One dataset ready for sampling: encoded features and row indices per usable class."""

    def __init__(self, task: Task, min_per_class: int, max_rows: int, seed: int) -> None:
        self.X = torch.from_numpy(encode_table(task.X, task.categorical))
        codes = pd.Categorical(task.y).codes
        rng = np.random.default_rng(seed)
        self.classes = []
        for c in np.unique(codes[codes >= 0]):
            rows = np.flatnonzero(codes == c)
            if len(rows) >= min_per_class:
                if len(rows) > max_rows:
                    rows = np.sort(rng.choice(rows, max_rows, replace=False))
                self.classes.append(torch.from_numpy(rows))


class TabularFamily(FewShotFamily):
    """N-way K-shot classification episodes from the classification tasks of a registry.

    A task of an episode is one dataset: ``ways`` of its classes, ``shots`` +
    ``queries`` rows of each. Datasets differ in their columns, so every episode
    shows ``n_features`` columns drawn at random (standardised, categories as
    codes, zero-padded when a dataset has fewer). Datasets are split into
    meta-train / val / test by their registry ``family`` (related datasets, such as
    the ``fri_c*`` generators, stay on one side), and loaded on first use.

    Parameters
    ----------
    ways, shots, queries : int
        Classes per task, support and query rows per class.
    registry : TaskRegistry, optional
        Where the datasets come from; ``TaskRegistry.from_data_dir(data_dir)`` by default.
    data_dir : str or path, optional
        PMLB folder when no registry is given.
    tasks : sequence of str, optional
        Dataset names to use; every binary and multiclass task of the registry by default.
    n_features : int
        Columns per episode.
    max_dataset_rows : int, optional
        Skip datasets with more rows than this (from the registry's info, without loading).
    rows_per_class : int
        At most this many rows of a class are kept for sampling.
    fractions : tuple of 3 floats
        Shares of dataset families in train / val / test.
    split_seed : int
        Seed of that split.

    Examples
    --------
    >>> from autometa.tasks import TaskRegistry
    >>> reg = TaskRegistry(); reg.register("sklearn:iris")  # doctest: +SKIP
    >>> fam = TabularFamily(registry=reg, ways=3, shots=2, fractions=(1, 0, 0))  # doctest: +SKIP
    """

    name = "tabular"
    kind = "classification"

    def __init__(self, *, ways: int = 2, shots: int = 5, queries: int = 15,
                 registry: TaskRegistry | None = None, data_dir: str | os.PathLike[str] | None = None,
                 tasks: Sequence[str] | None = None, n_features: int = 16,
                 max_dataset_rows: int | None = 100_000, rows_per_class: int = 2000,
                 fractions: Sequence[float] = (0.7, 0.1, 0.2), split_seed: int = 0) -> None:
        super().__init__(ways=ways, shots=shots, queries=queries)
        if registry is None:
            from autometa.tasks import TaskRegistry

            registry = TaskRegistry.from_data_dir(data_dir)
        self.registry = registry
        self.data_dir = data_dir
        self.n_features = int(n_features)
        self.max_dataset_rows = max_dataset_rows
        self.rows_per_class = int(rows_per_class)
        self.fractions = tuple(float(f) for f in fractions)
        self.split_seed = int(split_seed)
        names = list(tasks) if tasks is not None else registry.list(kind="classification")
        if max_dataset_rows is not None:
            names = [n for n in names if (registry.info(n).get("rows") or 0) <= max_dataset_rows]
        if not names:
            raise DataError("No classification tasks in the registry for the tabular few-shot family.")
        self.task_names = tuple(names)
        families = sorted({registry.info(n).get("family") or n for n in names})
        parts = split_items(families, self.fractions, self.split_seed)
        self.datasets = {s: [n for n in names if (registry.info(n).get("family") or n) in set(fams)]
                         for s, fams in parts.items()}
        self._pools: dict[str, _Pool | None] = {}

    @property
    def input_shape(self) -> tuple[int, ...]:
        return (self.n_features,)

    def _spec_kwargs(self) -> dict[str, Any]:
        return {**super()._spec_kwargs(), "data_dir": None if self.data_dir is None else str(self.data_dir),
                "tasks": list(self.task_names), "n_features": self.n_features,
                "max_dataset_rows": self.max_dataset_rows, "rows_per_class": self.rows_per_class,
                "fractions": list(self.fractions), "split_seed": self.split_seed}

    def with_options(self, **changes: Any) -> TabularFamily:
        kwargs = {**self._spec_kwargs(), "registry": self.registry, **changes}
        return type(self)(**kwargs)

    def _pool(self, name: str) -> _Pool | None:
        if name not in self._pools:
            pool = _Pool(self.registry.get(name), self.shots + self.queries, self.rows_per_class,
                         self.split_seed)
            self._pools[name] = pool if len(pool.classes) >= int(self.ways or 0) else None
        return self._pools[name]

    def _sample(self, n_tasks: int, split: str, generator: torch.Generator) -> Episode:
        ways, shots, n = int(self.ways or 0), self.shots, self.shots + self.queries
        names = list(self.datasets[split])
        xs: list[torch.Tensor] = []
        while len(xs) < n_tasks:
            if not names:
                raise DataError(f"No dataset of the {split!r} split has {ways} classes with at least "
                                f"{n} rows each.")
            pick = int(torch.randint(len(names), (1,), generator=generator))
            pool = self._pool(names[pick])
            if pool is None:
                names.pop(pick)
                continue
            classes = torch.randperm(len(pool.classes), generator=generator)[:ways]
            rows = torch.stack([pool.classes[c][torch.randperm(len(pool.classes[c]), generator=generator)[:n]]
                                for c in classes.tolist()])
            cols = torch.randperm(pool.X.shape[1], generator=generator)[:self.n_features]
            x = torch.zeros(ways, n, self.n_features)
            x[..., :len(cols)] = pool.X[rows][..., cols]
            xs.append(x)
        x = torch.stack(xs)
        labels = torch.arange(ways)
        return Episode(support_x=x[:, :, :shots].flatten(1, 2),
                       support_y=labels.repeat_interleave(shots).expand(n_tasks, -1).contiguous(),
                       query_x=x[:, :, shots:].flatten(1, 2),
                       query_y=labels.repeat_interleave(self.queries).expand(n_tasks, -1).contiguous(),
                       ways=ways, shots=shots)
