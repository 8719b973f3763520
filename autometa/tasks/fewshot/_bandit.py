"""The ``bandit`` family: multi-armed Bernoulli bandits, the tasks of RL² (Duan et al., 2016).

A task is ``arms`` Bernoulli arms whose success probabilities are drawn
independently and uniformly from ``[0, 1]`` (the paper's distribution); an agent
plays it for ``pulls`` pulls. The train, validation and test splits draw from the
same distribution with separate random streams (the seed is offset by split).
"""

from __future__ import annotations

from typing import Any

import torch

from autometa.exceptions import DataError
from autometa.tasks.fewshot._base import check_positive_int

__all__ = ["BanditFamily"]

#: the random stream of each split starts from the seed plus this offset
_SPLIT_OFFSET = {"train": 0, "val": 1_000_003, "test": 2_000_003}


class BanditFamily:
    """Bernoulli bandits with ``arms`` arms, each task played for ``pulls`` pulls.

    Parameters
    ----------
    arms : int, default=5
        Arms per task (the paper: 5, 10, 50).
    pulls : int, default=10
        Pulls per task (the paper's episodes of a trial: 10, 100, 500).

    Examples
    --------
    >>> family = BanditFamily(arms=5, pulls=10)
    >>> probs = family.sample(3, split="test", seed=0)
    >>> tuple(probs.shape), bool(((probs >= 0) & (probs <= 1)).all())
    ((3, 5), True)
    >>> family.spec()
    {'name': 'bandit', 'arms': 5, 'pulls': 10}
    """

    name = "bandit"
    kind = "bandit"

    def __init__(self, *, arms: int = 5, pulls: int = 10) -> None:
        self.arms = check_positive_int(arms, "arms", "BanditFamily", minimum=2)
        self.pulls = check_positive_int(pulls, "pulls", "BanditFamily")

    def spec(self) -> dict[str, Any]:
        """What rebuilds this family (``make_family(**spec)``), stored in checkpoints."""
        return {"name": self.name, "arms": self.arms, "pulls": self.pulls}

    def sample(self, n_tasks: int = 1, *, split: str = "train", seed: int | None = None,
               generator: torch.Generator | None = None) -> torch.Tensor:
        """Success probabilities of ``n_tasks`` tasks, ``(n_tasks, arms)``, from ``generator`` or ``seed``."""
        if split not in _SPLIT_OFFSET:
            raise DataError(f"The 'split' parameter of BanditFamily.sample must be one of "
                            f"{', '.join(_SPLIT_OFFSET)}. Got {split!r}.")
        if generator is None:
            generator = torch.Generator().manual_seed((0 if seed is None else int(seed)) + _SPLIT_OFFSET[split])
        return torch.rand(n_tasks, self.arms, generator=generator)

    def __repr__(self) -> str:
        return f"BanditFamily(arms={self.arms}, pulls={self.pulls})"
