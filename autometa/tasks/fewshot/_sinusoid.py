"""The ``sinusoid`` family: the few-shot regression problem of the MAML paper."""

from __future__ import annotations

import math
from typing import Any

import torch

from autometa.tasks.fewshot._base import Episode, FewShotFamily

__all__ = ["SinusoidFamily"]


class SinusoidFamily(FewShotFamily):
    """Regress ``y = A sin(x - phase)`` from ``shots`` points (Finn et al., 2017).

    Each task draws an amplitude in ``amplitude_range``, a phase in
    ``phase_range``, and inputs uniformly in ``x_range``. All splits share one
    distribution; they differ only in the random draws.

    Parameters
    ----------
    shots : int
        Support points per task.
    queries : int
        Query points per task.
    amplitude_range, phase_range, x_range : tuple of 2 floats
        Uniform ranges (defaults: ``(0.1, 5)``, ``(0, pi)``, ``(-5, 5)``).

    Examples
    --------
    >>> family = SinusoidFamily(shots=10)
    >>> episode = family.sample(2, seed=0)
    >>> tuple(episode.support_x.shape), tuple(episode.support_y.shape)
    ((2, 10, 1), (2, 10))
    """

    name = "sinusoid"
    kind = "regression"

    def __init__(self, *, shots: int = 10, queries: int = 10, ways: None = None,
                 amplitude_range: tuple[float, float] = (0.1, 5.0),
                 phase_range: tuple[float, float] = (0.0, math.pi),
                 x_range: tuple[float, float] = (-5.0, 5.0)) -> None:
        super().__init__(ways=None, shots=shots, queries=queries)
        self.amplitude_range = tuple(float(v) for v in amplitude_range)
        self.phase_range = tuple(float(v) for v in phase_range)
        self.x_range = tuple(float(v) for v in x_range)

    @property
    def input_shape(self) -> tuple[int, ...]:
        return (1,)

    def _spec_kwargs(self) -> dict[str, Any]:
        return {"shots": self.shots, "queries": self.queries, "amplitude_range": list(self.amplitude_range),
                "phase_range": list(self.phase_range), "x_range": list(self.x_range)}

    def _sample(self, n_tasks: int, split: str, generator: torch.Generator) -> Episode:
        def uniform(shape: tuple[int, ...], low_high: tuple[float, ...]) -> torch.Tensor:
            low, high = low_high
            return low + (high - low) * torch.rand(shape, generator=generator)

        amplitude = uniform((n_tasks, 1), self.amplitude_range)
        phase = uniform((n_tasks, 1), self.phase_range)
        x = uniform((n_tasks, self.shots + self.queries), self.x_range)
        y = amplitude * torch.sin(x - phase)
        x = x[..., None]
        return Episode(support_x=x[:, :self.shots], support_y=y[:, :self.shots],
                       query_x=x[:, self.shots:], query_y=y[:, self.shots:], ways=None, shots=self.shots)
