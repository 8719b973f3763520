"""Few-shot task families: episodes (N-way K-shot support and query sets) for meta-learning.

Offers :func:`make_family` (what :meth:`autometa.tasks.TaskRegistry.family` calls),
:data:`FAMILY_NAMES`, the :class:`Episode` container, the :class:`FewShotFamily` base
class and the families themselves:

- ``omniglot``: handwritten characters read straight from the Omniglot zip files,
  28x28, rotations by 90 degrees as extra classes, characters split into
  meta-train / meta-validation / meta-test; :func:`load_all_runs` gives the
  original 20-way one-shot benchmark.
- ``sinusoid``: the regression family of the MAML paper.
- ``tabular``: few-shot classification episodes drawn from the classification
  tasks of a :class:`~autometa.tasks.TaskRegistry`.
- ``bandit``: multi-armed Bernoulli bandits (arm probabilities uniform in
  ``[0, 1]``), the tasks of RL² (:class:`autometa.maml.RL2`); a task is its arms'
  probabilities, not an episode of support and query sets.

Importing this package does not import torch; building a family does.

Examples
--------
>>> from autometa.tasks.fewshot import make_family
>>> family = make_family("sinusoid", shots=5)
>>> episode = family.sample(4, seed=0)
>>> tuple(episode.support_x.shape), tuple(episode.query_x.shape)
((4, 5, 1), (4, 10, 1))
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = [
    "FAMILY_NAMES",
    "BanditFamily",
    "Episode",
    "FewShotFamily",
    "OmniglotFamily",
    "SinusoidFamily",
    "TabularFamily",
    "load_all_runs",
    "make_family",
]

FAMILY_NAMES: tuple[str, ...] = ("omniglot", "sinusoid", "tabular", "bandit")

# public name -> private module; loaded on first use so that torch stays unimported
_EXPORTS: dict[str, str] = {
    "BanditFamily": "autometa.tasks.fewshot._bandit",
    "Episode": "autometa.tasks.fewshot._base",
    "FewShotFamily": "autometa.tasks.fewshot._base",
    "OmniglotFamily": "autometa.tasks.fewshot._omniglot",
    "load_all_runs": "autometa.tasks.fewshot._omniglot",
    "SinusoidFamily": "autometa.tasks.fewshot._sinusoid",
    "TabularFamily": "autometa.tasks.fewshot._tabular",
}

_FAMILY_CLASSES = {"omniglot": "OmniglotFamily", "sinusoid": "SinusoidFamily", "tabular": "TabularFamily",
                   "bandit": "BanditFamily"}

if TYPE_CHECKING:  # pragma: no cover
    from autometa.tasks._registry import TaskRegistry
    from autometa.tasks.fewshot._bandit import BanditFamily
    from autometa.tasks.fewshot._base import Episode, FewShotFamily
    from autometa.tasks.fewshot._omniglot import OmniglotFamily, load_all_runs
    from autometa.tasks.fewshot._sinusoid import SinusoidFamily
    from autometa.tasks.fewshot._tabular import TabularFamily


def make_family(name: str, *, registry: TaskRegistry | None = None, **kwargs: Any) -> FewShotFamily | BanditFamily:
    """Build the few-shot family ``name`` with its keyword arguments.

    Parameters
    ----------
    name : {"omniglot", "sinusoid", "tabular", "bandit"}
        The family.
    registry : TaskRegistry, optional
        Source of the tabular tasks (``tabular``; built from ``$AUTOMETA_DATA_DIR``
        when not given).
    **kwargs
        Passed to the family's class (``ways``, ``shots``, ``queries``, ``data_dir``...).

    Returns
    -------
    FewShotFamily

    Raises
    ------
    DataError
        For an unknown family name.

    Examples
    --------
    >>> make_family("sinusoid", shots=10).shots
    10
    """
    from autometa.exceptions import DataError

    if name not in _FAMILY_CLASSES:
        raise DataError(f"Unknown few-shot family {name!r}; choose one of {', '.join(FAMILY_NAMES)}.")
    cls = __getattr__(_FAMILY_CLASSES[name])
    if name == "tabular":
        kwargs["registry"] = registry
    return cls(**kwargs)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'autometa.tasks.fewshot' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
