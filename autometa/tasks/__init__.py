"""Tasks: validated tabular problems, loaders for every source, and the registry.

Offers :class:`Task`, :class:`TaskRegistry`, :func:`load_task` (DataFrame, arrays,
CSV/TSV/Parquet files, ``pmlb:NAME``, ``sklearn:NAME``, ``openml:ID``),
:func:`read_table`, :func:`resolve_data_dir` and :func:`validate`. Few-shot task
families live in :mod:`autometa.tasks.fewshot`.
"""

from __future__ import annotations

from autometa.tasks._datadir import ENV_DATA_DIR, resolve_data_dir
from autometa.tasks._loaders import SKLEARN_DATASETS, densify, load_task, read_table
from autometa.tasks._registry import TaskRegistry
from autometa.tasks._task import KINDS, Task
from autometa.tasks._validation import infer_categorical, infer_kind, validate

__all__ = [
    "ENV_DATA_DIR",
    "KINDS",
    "SKLEARN_DATASETS",
    "Task",
    "TaskRegistry",
    "densify",
    "infer_categorical",
    "infer_kind",
    "load_task",
    "read_table",
    "resolve_data_dir",
    "validate",
]
