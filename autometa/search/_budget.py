"""Wall-clock budgets: a deadline, and a bound on one call inside it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

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
    :func:`~autometa._interrupt.shielded` and is stopped at its own
    safe points.

    Examples
    --------
    >>> with time_limit(5.0):
    ...     total = sum(range(10))
    """
    from autometa.scoring import time_limit as limit

    with limit(max(float(seconds), 1e-3), BudgetExceeded):
        yield


class Budget:
    """A wall-clock budget that starts when created.

    Parameters
    ----------
    seconds : float
        The budget.
    start : float, optional
        When it started (a ``time.perf_counter()`` reading; default: now).

    Examples
    --------
    >>> budget = Budget(60.0)
    >>> 59.0 < budget.remaining() <= 60.0
    True
    """

    def __init__(self, seconds: float, start: float | None = None) -> None:
        self.seconds = float(seconds)
        self.start = time.perf_counter() if start is None else float(start)

    def elapsed(self) -> float:
        """Seconds since the budget started."""
        return time.perf_counter() - self.start

    def remaining(self, reserve: float = 0.0) -> float:
        """Seconds left, keeping ``reserve`` seconds back."""
        return self.seconds - self.elapsed() - reserve
