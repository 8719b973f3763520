"""Pipeline families: Optuna search spaces, scikit-learn pipeline builders, the portfolio.

Each family (LightGBM, random forest, extra trees, histogram gradient boosting,
linear, RBF SVM, k-NN, MLP) owns a search space (:meth:`PipelineFamily.space`, and the
same space define-by-run in :meth:`PipelineFamily.suggest`), its library defaults, a
builder that returns a ``Pipeline`` with the preprocessing it needs, and aliases for
the parameter names people use in their own studies. One configuration is valid for
classification and regression alike. :func:`portfolio` is the fixed set of
configurations the knowledge base scores on every dataset.

>>> from autometa.pipelines import FAMILIES, get_configuration
>>> len(FAMILIES)
8
>>> get_configuration("lightgbm-000")[0]
'lightgbm'
"""

from __future__ import annotations

from autometa.pipelines._base import KINDS, PipelineFamily
from autometa.pipelines._registry import FAMILIES, canonical_param, family_of_choice, get_family
from autometa.pipelines.portfolio import get_configuration, portfolio

__all__ = [
    "FAMILIES",
    "KINDS",
    "PipelineFamily",
    "canonical_param",
    "family_of_choice",
    "get_configuration",
    "get_family",
    "portfolio",
]
