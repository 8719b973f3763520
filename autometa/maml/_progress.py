"""A rich progress bar for meta-training: loss, accuracy (or MSE), tasks per second."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

__all__ = ["training_progress"]


class _Quiet:
    def update(self, **kwargs: Any) -> None:
        pass


class _Bar:
    def __init__(self, progress: Any, task: Any) -> None:
        self._progress, self._task = progress, task

    def update(self, **kwargs: Any) -> None:
        self._progress.update(self._task, **kwargs)


@contextlib.contextmanager
def training_progress(total: int, *, start: int = 0, enabled: bool = True,
                      description: str = "meta-train") -> Iterator[_Bar | _Quiet]:
    """A progress bar over ``total`` steps; ``update(completed=..., loss=..., metric=..., rate=...)``."""
    if not enabled:
        yield _Quiet()
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = [TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("loss {task.fields[loss]:.4f}  {task.fields[metric_name]} {task.fields[metric]:.4f}"
                          "  {task.fields[rate]:.1f} tasks/s"),
               TimeRemainingColumn()]
    from rich.console import Console

    # progress on stderr: stdout is for results (`--json` must parse)
    with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
        task = progress.add_task(description, total=total, completed=start, loss=float("nan"),
                                 metric=float("nan"), metric_name="acc", rate=0.0)
        yield _Bar(progress, task)
