"""The :class:`TaskEncoder` interface: a task in, a fixed-length float vector out.

Every encoder of :mod:`autometa.representations` derives from it and plugs into
the meta-learners' ``encoder=`` hook (:class:`~autometa.metalearn.LightGBMRanker`):

- ``fit(tasks, knowledge_base)`` learns from training tasks and their portfolio
  scores. ``fit(knowledge_base)`` alone (what the meta-learners call) takes the
  base's datasets as the tasks, loaded by name from ``data_dir``;
- ``transform(task)`` returns a 1-D float vector, deterministic for a fixed
  ``seed``. ``task`` is a :class:`~autometa.tasks.Task`, a dataset name, or a
  meta-feature Series named by its dataset (what the leave-family-out evaluation
  passes): names are looked up in ``data_dir``;
- ``transform_knowledge_base(kb)``: every dataset of a base at once;
- ``save(path)`` / ``TaskEncoder.load(path)``: one small file (torch's format,
  loaded with ``weights_only=True``), ``dim``: the vector's length.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from autometa.exceptions import AutometaError, DataError

__all__ = ["TaskEncoder", "ENCODER_FORMAT", "resolve_task", "profile_matrix"]

#: version of the saved-encoder format; bumped when a saved file can no longer be read
ENCODER_FORMAT = 1

_REGISTRIES: dict[str, Any] = {}


def _registry(data_dir: Any) -> Any:
    from autometa.tasks import TaskRegistry

    if isinstance(data_dir, TaskRegistry):
        return data_dir
    key = str(data_dir)
    if key not in _REGISTRIES:
        _REGISTRIES[key] = TaskRegistry.from_data_dir(data_dir)
    return _REGISTRIES[key]


def resolve_task(task: Any, data_dir: Any = None) -> Any:
    """A Task from a Task, a dataset name, or a meta-feature Series named by its dataset.

    Names are looked up in ``data_dir``: a PMLB-style folder (default
    ``$AUTOMETA_DATA_DIR``) or a :class:`~autometa.tasks.TaskRegistry`.
    """
    if isinstance(task, _LazyTask) or (hasattr(task, "X") and hasattr(task, "kind")):
        return task
    if isinstance(task, pd.Series):
        if task.name is None:
            raise DataError("A meta-feature Series given to a learned encoder must be named by its dataset.")
        task = str(task.name)
    if isinstance(task, str):
        registry = _registry(data_dir)
        if task not in registry:
            raise DataError(f"Dataset {task!r} is not in the data directory {data_dir or '$AUTOMETA_DATA_DIR'}; "
                            "pass the Task itself.")
        if not isinstance(data_dir, (str, os.PathLike, type(None))):
            return registry.get(task)  # an in-memory registry: nothing to save by waiting
        return _LazyTask(task, registry, str(data_dir))
    raise DataError(f"Expected a Task, a dataset name or a named meta-feature Series; got {type(task).__name__}.")


class _LazyTask:
    """A registered task loaded on first use of its data (a cached prepared table needs no loading)."""

    def __init__(self, name: str, registry: Any, data_dir: str) -> None:
        self.name = name
        self.source = f"registry:{data_dir}:{name}"
        self._registry = registry
        self._task: Any = None

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        if self._task is None:
            import warnings

            with warnings.catch_warnings():  # the loader's notes on dropped columns, once per dataset
                warnings.simplefilter("ignore")
                self._task = self._registry.get(self.name)
        return getattr(self._task, attr)


def profile_matrix(knowledge_base: Any, names: list[str]) -> np.ndarray:
    """Normalised portfolio scores (datasets ``names`` x configurations) in [-1, 1].

    1 is a dataset's best configuration, 0 its median one (each dataset on its
    primary metric); failures are -1. What the learned encoders are trained to agree with.
    """
    from autometa.metrics import normalise_scores

    scores = knowledge_base.scores().reindex(index=names, columns=list(knowledge_base.configurations.index))
    return np.clip(normalise_scores(scores.to_numpy(dtype=float)), -1.0, 1.0).astype(np.float32)


#: every encoder class by its class name, filled as the classes are defined (what :meth:`TaskEncoder.load` reads)
_CLASSES: dict[str, type[TaskEncoder]] = {}


def encoder_class(name: str) -> type[TaskEncoder] | None:
    """The encoder class called ``name`` (``"Dataset2VecEncoder"``), or None."""
    return _CLASSES.get(name)


class TaskEncoder(ABC):
    """Base class of task encoders (see the module docstring).

    Subclasses store their constructor arguments only (scikit-learn style),
    implement ``_fit(tasks, knowledge_base)``, ``_encode(task)``, ``_get_state()``
    and ``_set_state(state)``, and set ``dim_`` when fitted.
    """

    name: ClassVar[str] = "encoder"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _CLASSES[cls.__name__] = cls
    #: whether fit needs portfolio scores (a knowledge base) or only tasks
    needs_scores: ClassVar[bool] = True

    data_dir: Any
    seed: int
    dim_: int

    # -- interface ---------------------------------------------------------------------
    def fit(self, tasks: Any, knowledge_base: Any = None) -> TaskEncoder:
        """Learn from training ``tasks`` and their scores in ``knowledge_base``.

        Parameters
        ----------
        tasks : list of Task or str, or KnowledgeBase
            Training tasks (or dataset names). A knowledge base alone stands for
            its own datasets, loaded from ``data_dir``.
        knowledge_base : KnowledgeBase, optional
            Portfolio scores of the tasks (by task name).

        Returns
        -------
        self
        """
        if knowledge_base is None and hasattr(tasks, "scores") and hasattr(tasks, "datasets"):
            knowledge_base, tasks = tasks, [str(n) for n in tasks.datasets.index]
        if self.needs_scores and knowledge_base is None:
            raise AutometaError(f"{type(self).__name__}.fit needs a knowledge base with the tasks' scores.")
        resolved = [resolve_task(t, self.data_dir) for t in tasks]
        if not resolved:
            raise DataError(f"{type(self).__name__}.fit got no training task.")
        self._fit(resolved, knowledge_base)
        return self

    def transform(self, task: Any) -> np.ndarray:
        """The vector of ``task`` (a Task, a dataset name or a named meta-feature Series)."""
        self._check_fitted()
        return np.asarray(self._encode(resolve_task(task, self.data_dir)), dtype=float).ravel()

    def transform_knowledge_base(self, knowledge_base: Any) -> pd.DataFrame:
        """Vectors (dataset x dimension) of every dataset of ``knowledge_base``."""
        names = [str(n) for n in knowledge_base.datasets.index]
        rows = [self.transform(n) for n in names]
        return pd.DataFrame(np.vstack(rows) if rows else np.zeros((0, self.dim)), index=names)

    @property
    def dim(self) -> int:
        """Length of the vectors ``transform`` returns."""
        self._check_fitted()
        return int(self.dim_)

    def get_params(self) -> dict[str, Any]:
        """Constructor arguments (what ``__init__`` stored)."""
        import inspect

        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {n: getattr(self, n) for n in names}

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the fitted encoder to ``path`` (a small file in torch's format)."""
        import torch

        self._check_fitted()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"format": ENCODER_FORMAT, "class": type(self).__name__,
                   "params": {k: v for k, v in self.get_params().items() if k != "data_dir"},
                   "dim": int(self.dim_), "state": self._get_state()}
        torch.save(payload, path)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, data_dir: str | None = None) -> TaskEncoder:
        """Read an encoder written by :meth:`save` (any encoder class when called on the base)."""
        import torch

        payload = torch.load(Path(path), weights_only=True)
        if payload.get("format") != ENCODER_FORMAT:
            raise AutometaError(f"{path} holds encoder format {payload.get('format')}; "
                                f"this autometa reads format {ENCODER_FORMAT}.")
        klass: Any = encoder_class(payload["class"])
        if klass is None or not issubclass(klass, cls):
            raise AutometaError(f"{path} holds a {payload['class']}, not a {cls.__name__}.")
        enc = klass(**payload["params"], data_dir=data_dir)
        enc._set_state(payload["state"])
        enc.dim_ = int(payload["dim"])
        return enc

    # -- for subclasses ----------------------------------------------------------------
    @abstractmethod
    def _fit(self, tasks: list[Any], knowledge_base: Any) -> None: ...

    @abstractmethod
    def _encode(self, task: Any) -> np.ndarray: ...

    @abstractmethod
    def _get_state(self) -> dict[str, Any]: ...

    @abstractmethod
    def _set_state(self, state: dict[str, Any]) -> None: ...

    def _check_fitted(self) -> None:
        if not hasattr(self, "dim_"):
            raise AutometaError(f"This {type(self).__name__} is not fitted yet: call fit(tasks, knowledge_base).")

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items() if k != "data_dir")
        return f"{type(self).__name__}({params})"
