"""autometa: learn from past machine-learning experiments to get good models fast.

The public API is re-exported here and imported lazily, so that ``import autometa``
(and the command line) starts fast and torch is only loaded where it is needed.

>>> import autometa
>>> sorted(autometa.__all__)[:3]
['AutoMetaClassifier', 'AutoMetaRegressor', 'AutometaError']
"""

from __future__ import annotations

import importlib
import logging
import time
from typing import TYPE_CHECKING, Any

from autometa._startup import LAZY_IMPORTS
from autometa._version import __version__

# a library logs, an application decides where it goes: quiet unless the caller configures logging
# (``logging.basicConfig(level=logging.INFO)`` shows one line per improvement of a search)
logging.getLogger("autometa").addHandler(logging.NullHandler())

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "AutometaError": "autometa.exceptions",
    "DataError": "autometa.exceptions",
    "KnowledgeBaseError": "autometa.exceptions",
    "Task": "autometa.tasks",
    "TaskRegistry": "autometa.tasks",
    "load_task": "autometa.tasks",
    "extract_metafeatures": "autometa.metafeatures",
    "KnowledgeBase": "autometa.knowledge",
    "recommend": "autometa.metalearn",
    "plot_neighbours": "autometa.metalearn.plots",
    "warm_start": "autometa.search",
    "fit": "autometa.estimators",
    "AutoMetaClassifier": "autometa.estimators",
    "AutoMetaRegressor": "autometa.estimators",
}

__all__ = sorted([*_EXPORTS, "__version__"])

if TYPE_CHECKING:  # pragma: no cover
    from autometa.estimators import AutoMetaClassifier, AutoMetaRegressor, fit
    from autometa.exceptions import AutometaError, DataError, KnowledgeBaseError
    from autometa.knowledge import KnowledgeBase
    from autometa.metafeatures import extract_metafeatures
    from autometa.metalearn import recommend  # noqa: F811
    from autometa.metalearn.plots import plot_neighbours
    from autometa.search import warm_start  # noqa: F811
    from autometa.tasks import Task, TaskRegistry, load_task


_LAZY_IMPORTS = LAZY_IMPORTS  # (the clock lives in autometa._startup, which fit reads)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'autometa' has no attribute {name!r}")
    start = time.perf_counter()
    value = getattr(importlib.import_module(module), name)
    _LAZY_IMPORTS[name] = (start, time.perf_counter())
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
