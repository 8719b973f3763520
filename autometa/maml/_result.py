"""What evaluating a few-shot learner returns, and the error of one not meta-trained yet."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autometa.exceptions import AutometaError

__all__ = ["FewShotResult", "NotFittedError"]


class NotFittedError(AutometaError, ValueError):
    """The learner has not been meta-trained (or loaded from a checkpoint) yet."""


@dataclass(frozen=True)
class FewShotResult:
    """Mean of a per-task metric over evaluation tasks, with a normal 95% interval.

    Attributes
    ----------
    metric : {"accuracy", "mse"}
        Query accuracy (classification) or query mean squared error (regression).
    mean : float
        Mean over tasks.
    ci95 : float
        Half-width of the 95% interval of the mean (1.96 standard errors).
    n_episodes : int
        Tasks evaluated.
    values : numpy.ndarray
        The metric of each task.
    """

    metric: str
    mean: float
    ci95: float
    n_episodes: int
    values: np.ndarray = field(repr=False)

    @classmethod
    def from_values(cls, metric: str, values: np.ndarray) -> FewShotResult:
        values = np.asarray(values, dtype=np.float64)
        n = len(values)
        half = float(1.96 * values.std(ddof=1) / math.sqrt(n)) if n > 1 else float("nan")
        return cls(metric=metric, mean=float(values.mean()), ci95=half, n_episodes=n, values=values)

    def to_dict(self) -> dict[str, Any]:
        """Metric, mean, ci95 and n_episodes (JSON-friendly)."""
        return {"metric": self.metric, "mean": self.mean, "ci95": self.ci95, "n_episodes": self.n_episodes}

    def __str__(self) -> str:
        return f"{self.metric} {self.mean:.4f} ± {self.ci95:.4f} (95% interval, {self.n_episodes} tasks)"
