"""The registry of pipeline families."""

from __future__ import annotations

import re
from typing import Any

from autometa.pipelines._base import PipelineFamily
from autometa.pipelines._extra_trees import ExtraTreesFamily
from autometa.pipelines._hist_gradient_boosting import HistGradientBoostingFamily
from autometa.pipelines._knn import KNNFamily
from autometa.pipelines._lightgbm import LightGBMFamily
from autometa.pipelines._linear import LinearFamily
from autometa.pipelines._mlp import MLPFamily
from autometa.pipelines._random_forest import RandomForestFamily
from autometa.pipelines._svm import SVMFamily

__all__ = ["FAMILIES", "canonical_param", "family_of_choice", "get_family"]

#: Family name -> family instance, in portfolio order.
FAMILIES: dict[str, PipelineFamily] = {
    fam.name: fam
    for fam in (
        LightGBMFamily(),
        RandomForestFamily(),
        ExtraTreesFamily(),
        HistGradientBoostingFamily(),
        LinearFamily(),
        SVMFamily(),
        KNNFamily(),
        MLPFamily(),
    )
}


def get_family(name: str) -> PipelineFamily:
    """The pipeline family called ``name``.

    Parameters
    ----------
    name : str
        A key of :data:`FAMILIES`.

    Examples
    --------
    >>> get_family("lightgbm").name
    'lightgbm'
    """
    try:
        return FAMILIES[name]
    except KeyError:
        raise ValueError(
            f"Unknown pipeline family {name!r}; known families: {sorted(FAMILIES)}."
        ) from None


def canonical_param(family: str, name: str) -> str | None:
    """The canonical parameter of ``family`` that a user's parameter ``name`` stands for.

    Case-insensitive; pipeline prefixes (``"clf__C"``) and the family name as prefix
    (``"lightgbm_eta"``) are accepted. ``None`` when the name is not known.

    Examples
    --------
    >>> canonical_param("lightgbm", "lambda_l1")
    'reg_alpha'
    >>> canonical_param("svm", "clf__C")
    'C'
    >>> canonical_param("knn", "colour") is None
    True
    """
    return get_family(family).canonical_param(name)


def family_of_choice(choice: Any) -> str | None:
    """The pipeline family a categorical choice names (``"LGBMClassifier"`` -> ``"lightgbm"``).

    Matched on the families' :attr:`~PipelineFamily.choice_aliases`, case and
    punctuation ignored.

    Examples
    --------
    >>> family_of_choice("RandomForest"), family_of_choice("xgboost")
    ('random_forest', None)
    """
    if not isinstance(choice, str):
        return None
    key = re.sub(r"[^a-z0-9]", "", choice.lower())
    return next((fam.name for fam in FAMILIES.values() if key in fam.choice_aliases), None)
