"""A rich progress bar for a time-budgeted search: time used, trials, best score so far."""

from __future__ import annotations

from typing import Any

__all__ = ["SearchProgress"]


class SearchProgress:
    """Progress of a search against its time budget; does nothing when ``enabled`` is false.

    Examples
    --------
    >>> with SearchProgress(10.0, enabled=False) as bar:
    ...     bar.update(elapsed=1.0, trials=1, best=0.9, family="knn")
    """

    def __init__(self, budget: float, *, enabled: bool = False, metric: str = "score") -> None:
        self.budget = budget
        self.enabled = enabled
        self.metric = metric
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> SearchProgress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn

            self._progress = Progress(
                TextColumn("[bold]search[/bold]"), BarColumn(),
                TextColumn("{task.completed:.0f}/{task.total:.0f} s"),
                TextColumn("{task.description}"), console=Console(stderr=True), transient=False)
            self._progress.__enter__()
            self._task = self._progress.add_task("starting", total=self.budget)
        return self

    def update(self, *, elapsed: float, trials: int, best: float | None, family: str | None,
               note: str = "") -> None:
        """Show the time used, the trial count and the best score so far."""
        if self._progress is None:
            return
        best_text = "-" if best is None else f"{best:.4f} ({family})"
        text = f"trials {trials} · best {self.metric} {best_text}" + (f" · {note}" if note else "")
        self._progress.update(self._task, completed=min(elapsed, self.budget), description=text)

    def __exit__(self, *exc: Any) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)
            self._progress = None
