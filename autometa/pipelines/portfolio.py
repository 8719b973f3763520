"""The fixed portfolio: every family's defaults plus scrambled-Sobol samples of its space.

Ids are ``"<family>-<nnn>"``: the defaults first (``-000``; a second default when the
library's defaults differ between classification and regression), then the Sobol
samples in sequence order. Everything is derived from the family spaces, sorted
parameter names and a seed per family (``PORTFOLIO_SEED`` + CRC32 of the family
name), so the ids and parameters are the same on every machine and do not depend on
the order in which families or parameters are declared.
"""

from __future__ import annotations

import functools
import json
import math
import zlib
from typing import Any

import numpy as np
import pandas as pd
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from scipy.stats import qmc

from autometa.pipelines._base import KINDS
from autometa.pipelines._registry import FAMILIES, get_family

__all__ = [
    "MAX_SECONDS",
    "N_SOBOL",
    "PORTFOLIO_SEED",
    "get_configuration",
    "portfolio",
    "sample_to_params",
]

#: Sobol samples per family: the first points of a scrambled sequence within the budget.
N_SOBOL = 24
#: Base seed of the Sobol scrambling.
PORTFOLIO_SEED = 20240601
#: Budget of a Sobol sample: at most this many seconds, as estimated by
#: ``PipelineFamily.estimated_cost``, to fit and predict on 1,300 rows x 50 features.
MAX_SECONDS = 1.5
#: Sobol points drawn per family (2**m) to find ``N_SOBOL`` samples within budget.
SOBOL_POOL_LOG2 = 8
#: Significant digits kept for sampled floats (readable JSON, stable across platforms).
FLOAT_DIGITS = 4

COLUMNS = ["config_id", "family", "params", "origin"]


def _round_sig(value: float, digits: int = FLOAT_DIGITS) -> float:
    return float(f"{value:.{digits}g}")


def _map_unit(u: float, dist: BaseDistribution) -> Any:
    """Map ``u`` in [0, 1) onto ``dist`` (log scales, integer steps and choices respected)."""
    u = min(max(float(u), 0.0), math.nextafter(1.0, 0.0))
    if isinstance(dist, CategoricalDistribution):
        return dist.choices[min(int(u * len(dist.choices)), len(dist.choices) - 1)]
    if isinstance(dist, IntDistribution):
        if dist.log:
            lo, hi = math.log(dist.low), math.log(dist.high + 1)
            ivalue = int(math.floor(math.exp(lo + u * (hi - lo))))
        else:
            n_steps = (dist.high - dist.low) // dist.step + 1
            ivalue = dist.low + min(int(u * n_steps), n_steps - 1) * dist.step
        return int(min(max(ivalue, dist.low), dist.high))
    if isinstance(dist, FloatDistribution):
        if dist.log:
            lo, hi = math.log(dist.low), math.log(dist.high)
            value = math.exp(lo + u * (hi - lo))
        else:
            value = dist.low + u * (dist.high - dist.low)
        if dist.step is not None:
            value = dist.low + round((value - dist.low) / dist.step) * dist.step
        else:
            value = _round_sig(value)
        return float(min(max(value, dist.low), dist.high))
    raise TypeError(f"Unsupported distribution {dist!r}.")


def sample_to_params(u: np.ndarray, space: dict[str, BaseDistribution]) -> dict[str, Any]:
    """Map one point of the unit cube onto a space; dimension ``i`` is the ``i``-th sorted name.

    Examples
    --------
    >>> from optuna.distributions import IntDistribution, FloatDistribution
    >>> space = {"b": IntDistribution(1, 10), "a": FloatDistribution(1e-3, 1.0, log=True)}
    >>> sample_to_params([0.5, 0.0], space)
    {'a': 0.03162, 'b': 1}
    """
    names = sorted(space)
    return {name: _map_unit(u[i], space[name]) for i, name in enumerate(names)}


def _family_seed(family: str) -> int:
    return PORTFOLIO_SEED + zlib.crc32(family.encode())


def _family_configurations(family: str) -> list[tuple[dict[str, Any], str]]:
    fam = get_family(family)
    configs: list[tuple[dict[str, Any], str]] = []
    seen: list[dict[str, Any]] = []
    for kind in KINDS:
        params = fam.defaults(kind)
        if params not in seen:
            seen.append(params)
            configs.append((params, "default"))
    space = fam.portfolio_space("binary")
    sobol = qmc.Sobol(d=len(space), scramble=True, rng=_family_seed(family))
    n_sampled = 0
    # the Sobol sequence in order, skipping points over the cost budget
    for u in sobol.random_base2(m=SOBOL_POOL_LOG2):
        params = sample_to_params(u, space)
        if fam.estimated_cost(params) > MAX_SECONDS:
            continue
        configs.append((params, "sobol"))
        n_sampled += 1
        if n_sampled == N_SOBOL:
            return configs
    raise RuntimeError(f"Too few Sobol samples of {family!r} within the cost budget.")


def _dumps(params: dict[str, Any]) -> str:
    return json.dumps(params, sort_keys=True)


@functools.lru_cache(maxsize=1)
def _portfolio_records() -> tuple[tuple[str, str, str, str], ...]:
    records = []
    for family in FAMILIES:
        for i, (params, origin) in enumerate(_family_configurations(family)):
            records.append((f"{family}-{i:03d}", family, _dumps(params), origin))
    return tuple(records)


def portfolio(family: str | None = None) -> pd.DataFrame:
    """The fixed portfolio of configurations.

    Parameters
    ----------
    family : str, optional
        Only this family's configurations.

    Returns
    -------
    pandas.DataFrame
        Columns ``config_id``, ``family``, ``params`` (JSON, sorted keys, canonical
        parameter names) and ``origin`` (``"default"`` or ``"sobol"``).

    Examples
    --------
    >>> df = portfolio()
    >>> len(df) >= 200
    True
    >>> df.iloc[0].to_dict()["config_id"], df.iloc[0].to_dict()["origin"]
    ('lightgbm-000', 'default')
    """
    df = pd.DataFrame(list(_portfolio_records()), columns=COLUMNS)
    if family is not None:
        get_family(family)
        df = df[df["family"] == family].reset_index(drop=True)
    return df


def get_configuration(config_id: str) -> tuple[str, dict[str, Any]]:
    """The family and parameters of one portfolio configuration.

    Parameters
    ----------
    config_id : str
        An id from :func:`portfolio`, e.g. ``"lightgbm-000"``.

    Returns
    -------
    (str, dict)
        The family name and its canonical parameters, ready for ``build``.

    Examples
    --------
    >>> family, params = get_configuration("knn-000")
    >>> family, params
    ('knn', {'n_neighbors': 5, 'p': 2, 'weights': 'uniform'})
    """
    for cid, family, params, _ in _portfolio_records():
        if cid == config_id:
            return family, json.loads(params)
    raise ValueError(
        f"Unknown configuration id {config_id!r}; ids look like 'lightgbm-000' "
        f"(see autometa.pipelines.portfolio())."
    )
