"""Configuration identity for recorded runs: stable ids, parameter comparison, the family of a trial.

A configuration not in the portfolio gets a stable id from its family and parameters
(``user-<family>-<hash>``); parameters are compared with the family's defaults filled
in, so a run that states a default and one that leaves it out are one configuration.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["config_id_of", "unmapped_params"]


def _clean_value(value: Any) -> Any:
    """A JSON-stable value: numpy scalars to Python, floats to 10 significant digits."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isfinite(value):
        return float(f"{value:.10g}")
    return value


def _params_json(params: Mapping[str, Any]) -> str:
    return json.dumps({str(k): _clean_value(v) for k, v in params.items()}, sort_keys=True)


def config_id_of(family: str, params: Mapping[str, Any]) -> str:
    """The stable id of a configuration outside the portfolio: ``user-<family>-<12 hex>``.

    The hash covers the family and the parameters (sorted, floats to 10 significant
    digits), so the same configuration gets the same id on every machine and run.

    Examples
    --------
    >>> config_id_of("linear", {"C": 2.0}) == config_id_of("linear", {"C": 2.0000000000001})
    True
    >>> config_id_of("linear", {"C": 2.0})[:12]
    'user-linear-'
    """
    digest = hashlib.sha256(f"{family}|{_params_json(params)}".encode()).hexdigest()[:12]
    return f"user-{family}-{digest}"


def _same_params(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    if set(a) != set(b):
        return False
    for key, va in a.items():
        vb = b[key]
        if isinstance(va, (int, float)) and isinstance(vb, (int, float)) and not isinstance(va, bool) \
                and not isinstance(vb, bool):
            if not math.isclose(float(va), float(vb), rel_tol=1e-6, abs_tol=1e-12):
                return False
        elif va != vb:
            return False
    return True


class _ConfigIndex:
    """Finds a configuration's id: the portfolio's (or a base's) when the params match, else a new one."""

    def __init__(self, known: pd.DataFrame) -> None:
        self._by_family: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for row in known.reset_index().to_dict(orient="records"):
            params = json.loads(row["params"]) if isinstance(row["params"], str) else dict(row["params"])
            self._by_family.setdefault(str(row["family"]), []).append((str(row["config_id"]), params))

    def resolve(self, family: str, params: Mapping[str, Any], kind: str) -> tuple[str, str, bool]:
        """``(config_id, params_json, is_new)``; params are compared with the family's defaults filled in."""
        from autometa.pipelines import get_family

        defaults = get_family(family).defaults(kind)
        full = {**defaults, **params}
        for cid, known in self._by_family.get(family, []):
            if _same_params({**defaults, **known}, full):
                return cid, _params_json(known), False
        cid = config_id_of(family, full)
        self._by_family.setdefault(family, []).append((cid, dict(full)))
        return cid, _params_json(full), True


# -- trials -> evaluations -------------------------------------------------------------
_SELECTOR_NAMES = ("family", "model", "model_type", "model_family", "estimator", "classifier", "regressor",
                   "algorithm", "algo", "learner", "pipeline", "model_name")


def _family_of(params: Mapping[str, Any], family: str | None) -> str | None:
    """The pipeline family of a trial: ``family``, else the value of its family-like choice.

    Parameters named like a model choice (``family``, ``model``, ``classifier``...)
    are read first, then any other string parameter that is no family's parameter
    (so an SVM's ``kernel="linear"`` never reads as the linear family).
    """
    # the choice aliases ("LGBMClassifier", "rf", ...) live with warm_start, which maps the same
    # names the other way; imported in the function only (knowledge sits below search)
    from autometa.pipelines import FAMILIES, family_of_choice

    if family is not None:
        return family
    strings = {k: v for k, v in params.items() if isinstance(v, str)}
    first = [k for k in strings if k.lower() in _SELECTOR_NAMES]
    rest = [k for k in strings if k not in first
            and all(fam.canonical_param(k) is None for fam in FAMILIES.values())]
    for key in [*first, *rest]:
        value = strings[key]
        found = value if value in FAMILIES else family_of_choice(value)
        if found is not None:
            return found
    return None


def _canonical(family: str, params: Mapping[str, Any], kind: str) -> dict[str, Any]:
    """The canonical, in-space parameters of ``family`` in a trial's params (prefixed or aliased)."""
    from autometa.pipelines import get_family

    fam = get_family(family)
    space = fam.space(kind)
    mapped = fam.from_user_params(params)
    return {k: _clean_value(v) for k, v in mapped.items() if k in space or k in fam.extra_params}


def unmapped_params(params: Mapping[str, Any], family: str, family_given: bool) -> list[str]:
    """The names of a trial's ``params`` that no parameter of ``family`` takes (a family choice aside).

    With ``family_given`` (a study of one model), every other name is unmapped;
    otherwise (a study choosing among families) a name another family takes
    belongs to that family's trials and is not counted.
    """
    from autometa.pipelines import FAMILIES, family_of_choice, get_family

    fam = get_family(family)
    out = []
    for name, value in params.items():
        if fam.canonical_param(name) is not None or name.lower() in _SELECTOR_NAMES:
            continue
        if isinstance(value, str) and (value in FAMILIES or family_of_choice(value) is not None):
            continue  # the study's choice of family, under another name
        if family_given or all(other.canonical_param(name) is None for other in FAMILIES.values()):
            out.append(name)
    return out
