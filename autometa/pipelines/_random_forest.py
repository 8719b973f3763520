"""Random forests (and the shared forest space used by extra trees)."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
from optuna.distributions import BaseDistribution, CategoricalDistribution, IntDistribution

from autometa.pipelines._base import PipelineFamily, check_kind

__all__ = ["ForestFamily", "RandomForestFamily"]

#: ``max_features`` choices: scikit-learn's named rules and fractions of the features.
MAX_FEATURES_CHOICES: tuple[str | float, ...] = ("sqrt", "log2", 0.1, 0.25, 0.5, 0.75, 1.0)


class ForestFamily(PipelineFamily):
    """Shared space and builder of the scikit-learn forests.

    Numeric features are median-imputed with missing indicators, categoricals get
    ordinal codes with missing and unseen categories coded -1.
    """

    preprocessing = {"encoding": "ordinal", "impute_numeric": True, "scale": False, "ordinal_missing": -1}

    aliases: ClassVar[dict[str, str]] = {
        "n_estimators": "n_estimators",
        "num_trees": "n_estimators",
        "n_trees": "n_estimators",
        "ntree": "n_estimators",
        "max_features": "max_features",
        "mtry": "max_features",
        "min_samples_leaf": "min_samples_leaf",
        "min_data_in_leaf": "min_samples_leaf",
        "min_child_samples": "min_samples_leaf",
        "nodesize": "min_samples_leaf",
        "min_samples_split": "min_samples_split",
        "bootstrap": "bootstrap",
        "max_depth": "max_depth",
        "max_leaf_nodes": "max_leaf_nodes",
        "max_samples": "max_samples",
        "min_impurity_decrease": "min_impurity_decrease",
        "ccp_alpha": "ccp_alpha",
    }
    extra_params = frozenset(
        {"max_depth", "max_leaf_nodes", "max_samples", "min_impurity_decrease", "ccp_alpha"}
    )
    _bootstrap_default: ClassVar[bool] = True
    #: Seconds per tree on 1,300 x 50 with all features and bootstrap (cost model).
    _seconds_per_tree: ClassVar[float] = 0.042

    def space(self, kind: str) -> dict[str, BaseDistribution]:
        check_kind(kind)
        return {
            "n_estimators": IntDistribution(16, 256, log=True),
            "max_features": CategoricalDistribution(MAX_FEATURES_CHOICES),
            "min_samples_leaf": IntDistribution(1, 32, log=True),
            "min_samples_split": IntDistribution(2, 32, log=True),
            "bootstrap": CategoricalDistribution((True, False)),
        }

    def defaults(self, kind: str) -> dict[str, Any]:
        check_kind(kind)
        return {
            "n_estimators": 100,
            # scikit-learn's default differs by kind: "sqrt" for classifiers, all for regressors
            "max_features": 1.0 if kind == "regression" else "sqrt",
            "min_samples_leaf": 1,
            "min_samples_split": 2,
            "bootstrap": self._bootstrap_default,
        }

    def estimated_cost(self, params: Mapping[str, Any]) -> float:
        p = {**self.defaults("binary"), **params}
        mf = p["max_features"]
        n_features = 50
        if mf == "sqrt":
            frac = n_features**0.5 / n_features
        elif mf == "log2":
            frac = np.log2(n_features) / n_features
        else:
            frac = float(mf)
        per_tree = self._seconds_per_tree * (0.08 + frac) * (1.0 if p["bootstrap"] else 1.45)
        return 0.05 + p["n_estimators"] * per_tree

    @abc.abstractmethod
    def _model_classes(self) -> tuple[type, type]:
        """The (classifier, regressor) classes."""

    def model(self, p: dict[str, Any], kind: str, random_state: int | None) -> Any:
        """Forest pipeline; see :meth:`PipelineFamily.build`.

        Examples
        --------
        >>> from autometa.pipelines import get_family
        >>> pipe = get_family("random_forest").build({"n_estimators": 10}, "regression")
        >>> type(pipe[-1]).__name__
        'RandomForestRegressor'
        """
        clf_cls, reg_cls = self._model_classes()
        model_cls = reg_cls if kind == "regression" else clf_cls
        if not p["bootstrap"]:
            p.pop("max_samples", None)  # only valid with bootstrap
        model = model_cls(**p, random_state=random_state, n_jobs=1)
        return model


class RandomForestFamily(ForestFamily):
    """Random forest (``RandomForestClassifier`` / ``RandomForestRegressor``)."""

    name = "random_forest"
    choice_aliases = ("randomforest", "rf", "randomforestclassifier", "randomforestregressor", "forest")
    name_prefixes = ("rf_",)
    _bootstrap_default = True

    def _model_classes(self) -> tuple[type, type]:
        from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

        return RandomForestClassifier, RandomForestRegressor
