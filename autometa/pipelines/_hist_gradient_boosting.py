"""scikit-learn's histogram gradient boosting."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from optuna.distributions import BaseDistribution, FloatDistribution, IntDistribution
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

from autometa.pipelines._base import PipelineFamily, check_kind
from autometa.pipelines._threads import single_threaded

__all__ = ["HGBClassifier", "HGBRegressor", "HistGradientBoostingFamily"]

HGBClassifier = single_threaded(HistGradientBoostingClassifier, "HGBClassifier", __name__)
HGBRegressor = single_threaded(HistGradientBoostingRegressor, "HGBRegressor", __name__)


class HistGradientBoostingFamily(PipelineFamily):
    """``HistGradientBoostingClassifier`` / ``Regressor`` on ordinal-encoded categoricals.

    Missing values are left to the model. ``l2_regularization`` is searched on a log
    scale from 1e-8, which stands for scikit-learn's default of 0.
    """

    name = "hist_gradient_boosting"
    preprocessing = {"encoding": "ordinal", "impute_numeric": False, "scale": False}
    choice_aliases = ("histgradientboosting", "hgb", "hgbt", "histgb", "histgradientboostingclassifier", "histgradientboostingregressor")
    setup_cells_per_second = 8e6
    name_prefixes = ("hgb_", "histgb_")
    aliases = {
        "max_iter": "max_iter",
        "n_estimators": "max_iter",
        "num_boost_round": "max_iter",
        "num_iterations": "max_iter",
        "n_iter": "max_iter",
        "learning_rate": "learning_rate",
        "eta": "learning_rate",
        "lr": "learning_rate",
        "max_leaf_nodes": "max_leaf_nodes",
        "num_leaves": "max_leaf_nodes",
        "max_leaves": "max_leaf_nodes",
        "min_samples_leaf": "min_samples_leaf",
        "min_child_samples": "min_samples_leaf",
        "min_data_in_leaf": "min_samples_leaf",
        "l2_regularization": "l2_regularization",
        "reg_lambda": "l2_regularization",
        "lambda_l2": "l2_regularization",
        "max_features": "max_features",
        "colsample_bytree": "max_features",
        "feature_fraction": "max_features",
        "max_depth": "max_depth",
        "max_bins": "max_bins",
        "max_bin": "max_bins",
        "early_stopping": "early_stopping",
    }
    extra_params = frozenset({"max_depth", "max_bins", "early_stopping"})

    def space(self, kind: str) -> dict[str, BaseDistribution]:
        check_kind(kind)
        return {
            "max_iter": IntDistribution(32, 400, log=True),
            "learning_rate": FloatDistribution(0.01, 0.3, log=True),
            "max_leaf_nodes": IntDistribution(4, 128, log=True),
            "min_samples_leaf": IntDistribution(2, 100, log=True),
            "l2_regularization": FloatDistribution(1e-8, 10.0, log=True),
            "max_features": FloatDistribution(0.3, 1.0),
        }

    def defaults(self, kind: str) -> dict[str, Any]:
        check_kind(kind)
        return {
            "max_iter": 100,
            "learning_rate": 0.1,
            "max_leaf_nodes": 31,
            "min_samples_leaf": 20,
            "l2_regularization": 1e-8,
            "max_features": 1.0,
        }

    def estimated_cost(self, params: Mapping[str, Any]) -> float:
        p = {**self.defaults("binary"), **params}
        leaves = min(p["max_leaf_nodes"], 650 / p["min_samples_leaf"])
        return 0.05 + 2.2e-4 * p["max_iter"] * leaves

    def model(self, p: dict[str, Any], kind: str, random_state: int | None) -> Any:
        """Histogram gradient boosting pipeline; see :meth:`PipelineFamily.build`.

        Examples
        --------
        >>> from autometa.pipelines import get_family
        >>> from sklearn.ensemble import HistGradientBoostingClassifier
        >>> pipe = get_family("hist_gradient_boosting").build({}, "multiclass")
        >>> isinstance(pipe[-1], HistGradientBoostingClassifier)
        True
        """
        model_cls = HGBRegressor if kind == "regression" else HGBClassifier
        # the input is a plain array after preprocessing: codes are treated as ordered numbers
        model = model_cls(**p, categorical_features=None, random_state=random_state)
        return model
