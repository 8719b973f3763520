"""The :class:`TaskRegistry`: one place that knows every task, tabular or few-shot."""

from __future__ import annotations

import builtins
import fnmatch
import os
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pandas as pd

from autometa.exceptions import DataError
from autometa.tasks._task import KINDS, Task

__all__ = ["TaskRegistry"]

_INFO_COLUMNS = ["name", "kind", "rows", "features", "family", "source"]


class TaskRegistry:
    """Tasks by name, loaded lazily and cached.

    A registry holds tabular tasks (registered directly, or lazily from a data
    directory so that listing does not read any data) and hands out few-shot task
    families built on them.

    Examples
    --------
    >>> reg = TaskRegistry()
    >>> reg.register("sklearn:iris")
    'iris'
    >>> reg.list(kind="multiclass")
    ['iris']
    >>> reg.get("iris").n_rows
    150
    """

    def __init__(self) -> None:
        self._tasks: dict[str, Task] = {}
        self._loaders: dict[str, Callable[[], Task]] = {}
        self._info: dict[str, dict[str, Any]] = {}

    # -- registering -------------------------------------------------------
    def register(self, spec: Any, *, name: str | None = None, replace: bool = False, **kwargs: Any) -> str:
        """Load ``spec`` with :func:`~autometa.tasks.load_task` and register it; returns its name."""
        from autometa.tasks._loaders import load_task

        task = load_task(spec, name=name, **kwargs)
        self._check_free(task.name, replace)
        self._tasks[task.name] = task
        self._info[task.name] = {"name": task.name, "kind": task.kind, "rows": task.n_rows,
                                 "features": task.n_features, "family": task.family, "source": task.source}
        return task.name

    def register_lazy(self, name: str, loader: Callable[[], Task], info: dict[str, Any], *,
                      replace: bool = False) -> None:
        """Register a task that ``loader`` builds on first :meth:`get`; ``info`` describes it meanwhile."""
        self._check_free(name, replace)
        self._loaders[name] = loader
        self._info[name] = {**{c: None for c in _INFO_COLUMNS}, **info, "name": name}

    def _check_free(self, name: str, replace: bool) -> None:
        if name in self._info and not replace:
            raise DataError(f"A task named {name!r} is already registered; pass replace=True or another name.")
        self._tasks.pop(name, None)
        self._loaders.pop(name, None)

    @classmethod
    def from_data_dir(cls, data_dir: str | os.PathLike[str] | None = None) -> TaskRegistry:
        """A registry of every PMLB dataset in ``data_dir`` (or ``$AUTOMETA_DATA_DIR``), loaded lazily."""
        reg = cls()
        reg.add_data_dir(data_dir)
        return reg

    def add_data_dir(self, data_dir: str | os.PathLike[str] | None = None) -> list[str]:
        """Register every PMLB dataset of ``data_dir`` lazily; returns their names."""
        from autometa.tasks._datadir import resolve_data_dir
        from autometa.tasks._loaders import load_task
        from autometa.tasks._pmlb import pmlb_index

        root = resolve_data_dir(data_dir, collection="pmlb")
        names = []
        for name, info in pmlb_index(root).items():
            self.register_lazy(name, partial(load_task, f"pmlb:{name}", data_dir=root), info, replace=True)
            names.append(name)
        return names

    # -- reading -----------------------------------------------------------
    def get(self, name: str) -> Task:
        """The task called ``name``, loading it on first use."""
        if name not in self._info:
            import difflib

            close = difflib.get_close_matches(name, list(self._info), n=3)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise DataError(f"No task named {name!r} in the registry.{hint}")
        if name not in self._tasks:
            task = self._loaders[name]()  # a loader that fails stays, so a retry raises the same error
            self._tasks[name] = task
            del self._loaders[name]
            self._info[name].update(kind=task.kind, rows=task.n_rows, features=task.n_features)
        return self._tasks[name]

    def info(self, name: str) -> dict[str, Any]:
        """What is known of ``name`` without loading it (kind, rows, features, family, source)."""
        if name not in self._info:
            self.get(name)  # raises the helpful error
        return dict(self._info[name])

    def list(self, *, kind: str | tuple[str, ...] | None = None, family: str | None = None,
             pattern: str | None = None, min_rows: int | None = None, max_rows: int | None = None) -> list[str]:
        """Names of registered tasks, filtered.

        ``kind`` may be one kind, a tuple of kinds, or ``"classification"`` for both
        binary and multiclass; ``pattern`` is a shell-style glob on the name.
        """
        kinds: tuple[str, ...] | None
        if kind == "classification":
            kinds = ("binary", "multiclass")
        elif isinstance(kind, str):
            kinds = (kind,)
        else:
            kinds = kind
        unknown = sorted(set(kinds or ()) - set(KINDS))
        if unknown:
            raise DataError(f"Unknown kind(s) {', '.join(map(repr, unknown))}; use one of "
                            f"{', '.join(KINDS)} or 'classification'.")
        out = []
        for name, info in self._info.items():
            if kinds is not None and info.get("kind") not in kinds:
                continue
            if family is not None and info.get("family") != family:
                continue
            if pattern is not None and not fnmatch.fnmatch(name, pattern):
                continue
            rows = info.get("rows")
            if min_rows is not None and (rows is None or rows < min_rows):
                continue
            if max_rows is not None and (rows is None or rows > max_rows):
                continue
            out.append(name)
        return sorted(out)

    def filter(self, **criteria: Any) -> TaskRegistry:
        """A new registry with the tasks that :meth:`list` returns for ``criteria``."""
        sub = TaskRegistry()
        for name in self.list(**criteria):
            sub._info[name] = dict(self._info[name])
            if name in self._tasks:
                sub._tasks[name] = self._tasks[name]
            else:
                sub._loaders[name] = self._loaders[name]
        return sub

    def table(self, **criteria: Any) -> pd.DataFrame:
        """One row per task (name, kind, rows, features, family, source)."""
        rows = [self._info[n] for n in self.list(**criteria)]
        return pd.DataFrame(rows, columns=_INFO_COLUMNS)

    # -- few-shot families -------------------------------------------------
    def family_names(self) -> builtins.list[str]:  # `list` is a method here
        """Names of the few-shot task families this registry can build."""
        from autometa.tasks.fewshot import FAMILY_NAMES

        return list(FAMILY_NAMES)

    def family(self, name: str, **kwargs: Any) -> Any:
        """Build the few-shot family ``name`` (``omniglot``, ``sinusoid``, ``tabular``...)."""
        from autometa.tasks.fewshot import make_family

        return make_family(name, registry=self, **kwargs)

    # -- container protocol ------------------------------------------------
    def __contains__(self, name: object) -> bool:
        return name in self._info

    def __len__(self) -> int:
        return len(self._info)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._info))

    def __repr__(self) -> str:
        return f"TaskRegistry({len(self)} tasks)"
