"""Time limits that wait for a safe point inside library code that must not be interrupted anywhere.

A time limit raises its error from a ``SIGALRM`` handler, which Python runs between
any two bytecodes of the main thread. Most estimators do not mind: their state is
thrown away with the trial. LightGBM does: its Python code frees C handles
(``Booster.model_from_string`` frees the booster, then forgets the handle a few
calls later), and an error raised in between leaves a handle that is freed twice
when the object is collected, which aborts the process. So such code runs
:func:`shielded`: an alarm inside only marks the limit as passed; the code checks
:func:`check_deadline` at its own safe points (LightGBM: a training callback), and
the error is raised at the latest when the shielded block ends.

The state is per thread; the alarm handlers run in the main thread, where the limits are.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["alarm", "check_deadline", "on_alarm", "shielded", "stop_if_next_step_overruns"]


class _State(threading.local):
    depth = 0  # nesting of shielded blocks
    pending: BaseException | None = None  # the error of an alarm that went off inside one
    deadline: float | None = None  # when the innermost alarm goes off (time.perf_counter())
    error: Callable[[], BaseException] | None = None  # what it raises


_STATE = _State()


def on_alarm(error: BaseException) -> None:
    """What a time limit's alarm handler calls: raise ``error`` now, or when the shielded block ends.

    Examples
    --------
    >>> with shielded():
    ...     on_alarm(TimeoutError("late"))   # inside: nothing raised yet
    ...     inside = True
    Traceback (most recent call last):
    TimeoutError: late
    >>> inside
    True
    """
    if _STATE.depth > 0:
        _STATE.pending = error
        return
    raise error


def check_deadline() -> None:
    """Raise the error of an alarm that went off inside shielded code: call it where interrupting is safe.

    Examples
    --------
    >>> with shielded():
    ...     on_alarm(TimeoutError("past"))
    ...     check_deadline()
    Traceback (most recent call last):
    TimeoutError: past
    >>> check_deadline()          # no alarm went off: nothing happens
    """
    if _STATE.pending is not None:
        error, _STATE.pending = _STATE.pending, None
        raise error


def stop_if_next_step_overruns(step_seconds: float) -> None:
    """At a safe point: raise the alarm's error now when a next step as long as the last would end after it.

    Shielded code stops at its safe points only, so without this a limit is overrun
    by up to one step (one LightGBM boosting round: 1,000 trees with 1,000 classes,
    about 2 s on 20,000 rows). Call it where :func:`check_deadline` is called.

    Examples
    --------
    >>> with alarm(60.0, lambda: TimeoutError("late")):
    ...     stop_if_next_step_overruns(120.0)
    Traceback (most recent call last):
    TimeoutError: late
    """
    check_deadline()
    if _STATE.deadline is not None and _STATE.error is not None:
        if time.perf_counter() + step_seconds > _STATE.deadline:
            raise _STATE.error()


@contextmanager
def shielded() -> Iterator[None]:
    """Run code that must not be interrupted at an arbitrary point; a limit that passed raises at the end."""
    _STATE.depth += 1
    try:
        yield
    finally:
        _STATE.depth -= 1
    if _STATE.depth == 0:
        check_deadline()


def _in_finaliser(frame: Any, depth: int = 8) -> bool:
    """Whether ``frame`` (or one of its few callers) is an object's ``__del__``: no place to raise."""
    while frame is not None and depth > 0:
        if frame.f_code.co_name == "__del__":
            return True
        frame, depth = frame.f_back, depth - 1
    return False


@contextmanager
def alarm(seconds: float, error: Callable[[], BaseException]) -> Iterator[None]:
    """Raise ``error()`` in this thread after ``seconds`` (at a safe point inside :func:`shielded` code).

    Uses ``SIGALRM`` in the main thread of a POSIX process; elsewhere (worker
    threads, Windows) the code runs to its end and the caller checks the clock.
    An outer alarm is restored (shortened if it is due first) afterwards. The
    search's ``time_limit`` and the knowledge build's fit timeout are this alarm.

    Examples
    --------
    >>> with alarm(5.0, lambda: TimeoutError("late")):
    ...     total = sum(range(10))
    """
    if not (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()):
        yield
        return
    seconds = max(float(seconds), 1e-3)

    def handler(signum: int, frame: Any) -> None:
        if _in_finaliser(frame):  # e.g. a LightGBM Booster collected here: raising would skip its free
            signal.setitimer(signal.ITIMER_REAL, 0.005)  # try again in a moment
            return
        on_alarm(error())

    previous = signal.signal(signal.SIGALRM, handler)
    outer_left, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    start = time.perf_counter()
    outer = (_STATE.deadline, _STATE.error)
    if outer[0] is None or start + seconds < outer[0]:
        _STATE.deadline, _STATE.error = start + seconds, error
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        _STATE.deadline, _STATE.error = outer
        _STATE.pending = None  # an alarm that went off in a block that then failed otherwise
        if outer_left > 0:  # an enclosing limit keeps running
            signal.setitimer(signal.ITIMER_REAL, max(outer_left - (time.perf_counter() - start), 1e-3))
