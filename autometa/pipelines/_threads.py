"""Single-threaded estimators: every family fits on one core.

Some scikit-learn models ignore ``n_jobs`` and use OpenMP or BLAS threads
(histogram gradient boosting, the k-NN distance kernels, MLP matrix products). On a
busy machine, OpenMP threads that wait on each other slow a small fit down by
orders of magnitude, and parallel evaluation (the knowledge-base build) already
uses every core, so the families run their models inside a one-thread limit.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from threadpoolctl import ThreadpoolController

__all__ = ["run_within", "single_threaded"]

_METHODS = ("fit", "predict", "predict_proba", "decision_function", "kneighbors")


@functools.lru_cache(maxsize=1)
def _controller() -> ThreadpoolController:
    # created once: inspecting the loaded libraries costs milliseconds per call
    return ThreadpoolController()


def run_within(method: Callable[..., Any], context: Callable[[], AbstractContextManager[Any]]) -> Callable[..., Any]:
    """``method`` run inside a fresh ``context()`` on every call (for estimator subclasses)."""
    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        with context():
            return method(self, *args, **kwargs)

    return wrapper


def _limited(method: Callable[..., Any]) -> Callable[..., Any]:
    return run_within(method, lambda: _controller().limit(limits=1))


def single_threaded(cls: type, name: str, module: str) -> type:
    """A subclass of estimator ``cls`` whose fit and predict methods run on one thread.

    The subclass has the same constructor (so ``clone`` and ``get_params`` work) and is
    picklable when assigned to ``module.name``.

    Examples
    --------
    >>> from sklearn.ensemble import HistGradientBoostingRegressor
    >>> HGB = single_threaded(HistGradientBoostingRegressor, "HGB", __name__)
    >>> HGB(max_iter=5).get_params()["max_iter"]
    5
    """
    methods = {m: _limited(getattr(cls, m)) for m in _METHODS if hasattr(cls, m)}
    doc = f"``{cls.__name__}`` whose fit and predictions run on a single thread."
    return type(
        name, (cls,), {**methods, "__module__": module, "__qualname__": name, "__doc__": doc}
    )
