"""The :class:`Episode` container and the :class:`FewShotFamily` base class."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np
import torch

from autometa.exceptions import DataError

__all__ = ["Episode", "FewShotFamily", "split_items", "check_positive_int"]

SPLITS: tuple[str, ...] = ("train", "val", "test")


@dataclass(frozen=True)
class Episode:
    """A batch of few-shot tasks, each with a support set and a query set.

    Every tensor has a leading task dimension ``T`` (``T`` may be 1).

    Attributes
    ----------
    support_x : torch.Tensor
        ``(T, n_support, *input_shape)``.
    support_y : torch.Tensor
        ``(T, n_support)``: class indices in ``[0, ways)`` (int64) or regression
        targets (float).
    query_x, query_y : torch.Tensor
        The same for the query set, which the adapted model is judged on.
    ways : int or None
        Classes per task; ``None`` for regression.
    shots : int
        Support examples per class (per task for regression).

    Examples
    --------
    >>> import torch
    >>> ep = Episode(torch.zeros(2, 5, 1), torch.zeros(2, 5), torch.zeros(2, 3, 1),
    ...              torch.zeros(2, 3), ways=None, shots=5)
    >>> len(ep), len(ep[1])
    (2, 1)
    """

    support_x: torch.Tensor
    support_y: torch.Tensor
    query_x: torch.Tensor
    query_y: torch.Tensor
    ways: int | None
    shots: int

    def __len__(self) -> int:
        return int(self.support_x.shape[0])

    @property
    def n_tasks(self) -> int:
        """Number of tasks ``T`` in this batch."""
        return len(self)

    def __getitem__(self, index: int | slice) -> Episode:
        """Task ``index`` (keeping a task dimension of 1) or a slice of tasks."""
        if isinstance(index, int):
            index = slice(index, index + 1 if index != -1 else None)
        return replace(self, support_x=self.support_x[index], support_y=self.support_y[index],
                       query_x=self.query_x[index], query_y=self.query_y[index])

    def to(self, device: torch.device | str | None = None, dtype: torch.dtype | None = None) -> Episode:
        """Move to ``device``; ``dtype`` converts the inputs (and float targets)."""
        def move(t: torch.Tensor, is_x: bool) -> torch.Tensor:
            convert = dtype is not None and (is_x or t.is_floating_point())
            return t.to(device=device, dtype=dtype if convert else None, non_blocking=True)

        return replace(self, support_x=move(self.support_x, True), support_y=move(self.support_y, False),
                       query_x=move(self.query_x, True), query_y=move(self.query_y, False))

    def chunks(self, size: int) -> Iterator[Episode]:
        """Consecutive batches of at most ``size`` tasks."""
        for start in range(0, len(self), size):
            yield self[start:start + size]

    @staticmethod
    def concat(episodes: Sequence[Episode]) -> Episode:
        """Join batches of tasks of the same shape along the task dimension."""
        return replace(episodes[0], support_x=torch.cat([e.support_x for e in episodes]),
                       support_y=torch.cat([e.support_y for e in episodes]),
                       query_x=torch.cat([e.query_x for e in episodes]),
                       query_y=torch.cat([e.query_y for e in episodes]))


def check_positive_int(value: Any, name: str, owner: str, minimum: int = 1) -> int:
    """Return ``value`` as an int or raise a :class:`DataError` naming the parameter."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise DataError(f"The {name!r} parameter of {owner} must be an int >= {minimum}. Got {value!r}.")
    return int(value)


def split_items(items: Sequence[Any], fractions: Sequence[float], seed: int) -> dict[str, list[Any]]:
    """Split ``items`` into train / val / test by a seeded permutation.

    Parameters
    ----------
    items : sequence
        What to split (character names, dataset families...).
    fractions : sequence of 3 floats
        Shares of train, val and test; normalised to sum to 1.
    seed : int
        Seed of the permutation (the split is the same on every machine).

    Returns
    -------
    dict
        ``{"train": [...], "val": [...], "test": [...]}``, disjoint, covering ``items``.

    Examples
    --------
    >>> parts = split_items(list(range(10)), (0.6, 0.2, 0.2), seed=0)
    >>> [len(parts[s]) for s in ("train", "val", "test")]
    [6, 2, 2]
    """
    if len(fractions) != 3 or any(f < 0 for f in fractions) or sum(fractions) <= 0:
        raise DataError(f"The 'fractions' of a split must be three shares >= 0 with a positive sum. "
                        f"Got {tuple(fractions)!r}.")
    total = float(sum(fractions))
    order = np.random.default_rng(seed).permutation(len(items))
    n = len(items)
    n_train = int(round(n * fractions[0] / total))
    n_val = int(round(n * fractions[1] / total))
    if fractions[2] == 0:
        n_val = n - n_train
    n_val = min(n_val, n - n_train)
    cuts = {"train": order[:n_train], "val": order[n_train:n_train + n_val], "test": order[n_train + n_val:]}
    return {s: [items[i] for i in sorted(idx)] for s, idx in cuts.items()}


class FewShotFamily(ABC):
    """A source of few-shot tasks: samples batches of :class:`Episode`.

    Subclasses set :attr:`name`, :attr:`kind` and :attr:`input_shape`, and implement
    :meth:`_sample`. Sampling is driven by a :class:`torch.Generator` on the CPU, so
    a seed gives the same episodes on every device.

    Parameters
    ----------
    ways : int or None
        Classes per task (``None`` for regression).
    shots : int
        Support examples per class.
    queries : int
        Query examples per class.
    """

    name: ClassVar[str] = ""
    kind: ClassVar[str] = "classification"
    splits: ClassVar[tuple[str, ...]] = SPLITS

    def __init__(self, *, ways: int | None, shots: int, queries: int) -> None:
        owner = type(self).__name__
        self.ways = None if ways is None else check_positive_int(ways, "ways", owner, 2)
        self.shots = check_positive_int(shots, "shots", owner)
        self.queries = check_positive_int(queries, "queries", owner)

    # -- what a model needs to know -----------------------------------------
    @property
    @abstractmethod
    def input_shape(self) -> tuple[int, ...]:
        """Shape of one input (``(1, 28, 28)`` for Omniglot, ``(1,)`` for sinusoids)."""

    @property
    def n_outputs(self) -> int:
        """Outputs of a model for this family: ``ways`` for classification, 1 for regression."""
        return int(self.ways) if self.ways is not None else 1

    @property
    def spec(self) -> dict[str, Any]:
        """Name and arguments that rebuild this family with :func:`make_family` (checkpoints)."""
        return {"name": self.name, **self._spec_kwargs()}

    def _spec_kwargs(self) -> dict[str, Any]:
        return {"ways": self.ways, "shots": self.shots, "queries": self.queries}

    def with_options(self, **changes: Any) -> FewShotFamily:
        """A copy with some arguments changed, e.g. ``family.with_options(shots=5)``."""
        kwargs = {**self._spec_kwargs(), **changes}
        return type(self)(**kwargs)

    # -- sampling -------------------------------------------------------------
    def sample(self, n_tasks: int = 1, *, split: str = "train", seed: int | None = None,
               generator: torch.Generator | None = None,
               device: torch.device | str | None = None) -> Episode:
        """Draw ``n_tasks`` tasks from ``split``.

        Parameters
        ----------
        n_tasks : int
            Tasks in the batch.
        split : {"train", "val", "test"}
            Which classes (characters, datasets) the tasks come from.
        seed : int, optional
            Seed of a fresh generator; ignored when ``generator`` is given.
        generator : torch.Generator, optional
            A CPU generator to draw from (training loops keep one).
        device : torch.device or str, optional
            Where the returned tensors live.

        Returns
        -------
        Episode
        """
        n_tasks = check_positive_int(n_tasks, "n_tasks", f"{type(self).__name__}.sample")
        if split not in self.splits:
            raise DataError(f"The 'split' parameter of {type(self).__name__}.sample must be one of "
                            f"{', '.join(self.splits)}. Got {split!r}.")
        if generator is None:
            generator = torch.Generator().manual_seed(int(seed) if seed is not None else
                                                      int(torch.randint(0, 2**62, (1,)).item()))
        episode = self._sample(n_tasks, split, generator)
        return episode if device is None else episode.to(device)

    @abstractmethod
    def _sample(self, n_tasks: int, split: str, generator: torch.Generator) -> Episode:
        """Draw ``n_tasks`` tasks of ``split`` with ``generator`` (CPU tensors or the family's device)."""

    def episodes(self, n_episodes: int, *, split: str = "test", seed: int = 0, batch_size: int = 32,
                 device: torch.device | str | None = None) -> Iterator[Episode]:
        """``n_episodes`` tasks of ``split`` in batches of ``batch_size``, the same for the same seed."""
        generator = torch.Generator().manual_seed(int(seed))
        for start in range(0, n_episodes, batch_size):
            yield self.sample(min(batch_size, n_episodes - start), split=split, generator=generator,
                              device=device)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._spec_kwargs().items())
        return f"{type(self).__name__}({args})"


def n_way_k_shot_indices(n_classes: int, n_per_class: int, n_tasks: int, ways: int, n_examples: int,
                         generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Classes and examples for ``n_tasks`` N-way tasks from equally sized classes.

    Returns ``classes`` of shape ``(n_tasks, ways)``, distinct within a task, and
    ``examples`` of shape ``(n_tasks, ways, n_examples)``, distinct within a class
    (so support and query never share an example).
    """
    if ways > n_classes:
        raise DataError(f"Cannot draw {ways}-way tasks from {n_classes} classes.")
    if n_examples > n_per_class:
        raise DataError(f"Cannot draw {n_examples} examples per class (shots + queries) from classes "
                        f"of {n_per_class} examples.")
    classes = torch.rand(n_tasks, n_classes, generator=generator).argsort(dim=1)[:, :ways]
    examples = torch.rand(n_tasks, ways, n_per_class, generator=generator).argsort(dim=2)[..., :n_examples]
    return classes, examples

