"""Fault injection for tests: a process that kills itself with SIGKILL at the N-th atomic write.

Every atomic write of autometa (:mod:`autometa._io`) writes a temporary file
in full, then renames it into place; the rename is the moment a kill hurts most. A
test runs the writing code in a subprocess that calls :func:`kill_at_rename` first.
"""

from __future__ import annotations

import os
import signal

__all__ = ["kill_at_rename"]


def kill_at_rename(kill_at: int) -> list[int]:
    """Make this process SIGKILL itself just before its ``kill_at``-th atomic rename (0: never).

    Returns a one-item list that counts the renames (read it at the end to learn how
    many writes a run makes).
    """
    import autometa._io as io

    real, calls = os.replace, [0]

    def replace(src: str, dst: str, *args: object, **kwargs: object) -> None:
        calls[0] += 1
        if calls[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        real(src, dst, *args, **kwargs)  # type: ignore[arg-type]

    patched = type(os)("os_with_a_kill")
    patched.__dict__.update(os.__dict__)
    patched.replace = replace  # type: ignore[attr-defined]
    io.os = patched
    return calls
