"""The conditional search space of ``autometa.fit``: a family, then that family's parameters.

Parameters of family ``f`` are named ``f"{f}_{param}"`` in the study (``lightgbm_num_leaves``,
``svm_C``), which every family's :meth:`~autometa.pipelines.PipelineFamily.canonical_param`
reads back, so :func:`autometa.warm_start` fills this space like any user's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import optuna
from optuna.distributions import BaseDistribution, CategoricalDistribution

__all__ = ["FAMILY_PARAM", "check_families", "conditional_space", "split_params", "suggest_pipeline"]

#: name of the categorical parameter that picks the family
FAMILY_PARAM = "family"


def check_families(families: Sequence[str] | None, owner: str = "fit") -> list[str]:
    """The family names to search (all by default), checked.

    Examples
    --------
    >>> check_families(["knn", "linear"])
    ['knn', 'linear']
    """
    from autometa.exceptions import DataError
    from autometa.pipelines import FAMILIES

    if families is None:
        return list(FAMILIES)
    if isinstance(families, str) or not families or any(f not in FAMILIES for f in families):
        raise DataError(f"The 'families' parameter of {owner} must be None or a non-empty list of "
                        f"{', '.join(FAMILIES)}. Got {families!r}.")
    return list(dict.fromkeys(families))


def _prefix(family: str) -> str:
    return f"{family}_"


def conditional_space(kind: str, families: Sequence[str]) -> dict[str, BaseDistribution]:
    """Every parameter of the conditional space with its distribution.

    Examples
    --------
    >>> sorted(conditional_space("binary", ["linear", "knn"]))
    ['family', 'knn_n_neighbors', 'knn_p', 'knn_weights', 'linear_C']
    """
    from autometa.pipelines import get_family

    space: dict[str, BaseDistribution] = {FAMILY_PARAM: CategoricalDistribution(list(families))}
    for name in families:
        for param, dist in get_family(name).space(kind).items():
            space[_prefix(name) + param] = dist
    return space


def suggest_pipeline(trial: optuna.trial.BaseTrial, kind: str,
                     families: Sequence[str]) -> tuple[str, dict[str, Any]]:
    """Sample ``(family, canonical params)`` define-by-run.

    Examples
    --------
    >>> import optuna
    >>> trial = optuna.trial.FixedTrial({"family": "linear", "linear_C": 2.0})
    >>> suggest_pipeline(trial, "binary", ["linear", "knn"])
    ('linear', {'C': 2.0})
    """
    from autometa.pipelines import get_family

    family = str(trial.suggest_categorical(FAMILY_PARAM, list(families)))
    return family, get_family(family).suggest(trial, kind, prefix=_prefix(family))


def split_params(params: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """``(family, canonical params)`` of a finished trial's ``params``.

    Examples
    --------
    >>> split_params({"family": "linear", "linear_C": 2.0})
    ('linear', {'C': 2.0})
    """
    family = str(params[FAMILY_PARAM])
    prefix = _prefix(family)
    return family, {k[len(prefix):]: v for k, v in params.items() if k.startswith(prefix)}
