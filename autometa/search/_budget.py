"""Wall-clock budgets: a deadline, and a bound on one call inside it."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["Budget", "BudgetExceeded", "time_limit"]


class BudgetExceeded(Exception):
    """A bounded call ran past its time limit."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`BudgetExceeded` in this thread after ``seconds``.

    Uses ``SIGALRM`` in the main thread of a POSIX process; elsewhere (worker
    threads, Windows) the call runs to its end and the caller checks the clock.
    An outer alarm is restored (shortened if it is due first) afterwards. Code
    that must not be interrupted anywhere (LightGBM's) runs
    :func:`~autometa.pipelines._interrupt.shielded` and is stopped at its own
    safe points.

    Examples
    --------
    >>> with time_limit(5.0):
    ...     total = sum(range(10))
    """
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return
    seconds = max(float(seconds), 1e-3)

    from autometa.pipelines._interrupt import deadline, on_alarm

    def error() -> BudgetExceeded:
        return BudgetExceeded(f"ran past its limit of {seconds:.3g} s")

    def handler(signum: int, frame: Any) -> None:
        on_alarm(error())

    previous = signal.signal(signal.SIGALRM, handler)
    outer_left, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    start = time.perf_counter()
    try:
        with deadline(seconds, error):
            yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_left > 0:  # an enclosing limit keeps running
            signal.setitimer(signal.ITIMER_REAL, max(outer_left - (time.perf_counter() - start), 1e-3))


class Budget:
    """A wall-clock budget that starts when created.

    Parameters
    ----------
    seconds : float
        The budget.

    Examples
    --------
    >>> budget = Budget(60.0)
    >>> 59.0 < budget.remaining() <= 60.0
    True
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = float(seconds)
        self.start = time.perf_counter()

    def elapsed(self) -> float:
        """Seconds since the budget started."""
        return time.perf_counter() - self.start

    def remaining(self, reserve: float = 0.0) -> float:
        """Seconds left, keeping ``reserve`` seconds back."""
        return self.seconds - self.elapsed() - reserve
