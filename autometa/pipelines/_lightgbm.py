"""LightGBM gradient-boosted trees."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from optuna.distributions import BaseDistribution, FloatDistribution, IntDistribution

from autometa.pipelines._base import PipelineFamily, check_kind

__all__ = ["LightGBMFamily"]

#: the time-limit-safe subclasses, made on first use (importing lightgbm is slow)
_TIMED: dict[str, type] = {}


class _StopAtDeadline:
    """LightGBM callback: stop between boosting rounds once the time limit has passed, or when the next
    round, as long as the last one, would end after it."""

    def __init__(self) -> None:
        self.last = time.perf_counter()

    def __call__(self, env: Any) -> None:
        from autometa._interrupt import stop_if_next_step_overruns

        now = time.perf_counter()
        step, self.last = now - self.last, now
        stop_if_next_step_overruns(step)


def _timed(base: str) -> type:
    """``lightgbm.<base>`` whose fit and predictions a time limit stops only at safe points.

    A time limit's alarm can otherwise raise inside LightGBM's Python code between
    freeing a C handle and forgetting it, and the process aborts when the model is
    collected (:mod:`autometa._interrupt`). Here the alarm waits; training
    stops at the next boosting round, and predictions run to their end. Picklable
    as ``autometa.pipelines._lightgbm.Timed<base>``; same constructor as ``base``.

    Examples
    --------
    >>> cls = _timed("LGBMRegressor")
    >>> cls.__name__, cls(n_estimators=5).get_params()["n_estimators"]
    ('TimedLGBMRegressor', 5)
    """
    name = f"Timed{base}"
    if name not in _TIMED:
        import lightgbm as lgb

        from autometa._interrupt import shielded
        from autometa.pipelines._threads import run_within

        parent = getattr(lgb, base)

        def fit(self: Any, X: Any, y: Any, **kwargs: Any) -> Any:
            kwargs["callbacks"] = [*(kwargs.get("callbacks") or []), _StopAtDeadline()]
            with shielded():
                return parent.fit(self, X, y, **kwargs)

        methods = {m: run_within(getattr(parent, m), shielded) for m in ("predict", "predict_proba")
                   if hasattr(parent, m)}
        doc = f"``lightgbm.{base}`` that a time limit stops only at safe points (between boosting rounds)."
        _TIMED[name] = type(name, (parent,), {"fit": fit, **methods, "__module__": __name__,
                                              "__qualname__": name, "__doc__": doc})
    return _TIMED[name]


def __getattr__(name: str) -> Any:
    """Unpickling finds the timed classes here (they are made on first use)."""
    if name in ("TimedLGBMRegressor", "TimedLGBMClassifier"):
        return _timed(name[len("Timed"):])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class LightGBMFamily(PipelineFamily):
    """LightGBM (``LGBMClassifier`` / ``LGBMRegressor``) on ordinal-encoded categoricals.

    Missing values are left to LightGBM. Bagging is active whenever ``subsample < 1``
    (``subsample_freq=1``). ``reg_alpha`` and ``reg_lambda`` are searched on a log
    scale from 1e-8, which stands for LightGBM's default of 0.
    """

    name = "lightgbm"
    preprocessing = {"encoding": "ordinal", "impute_numeric": False, "scale": False}
    choice_aliases = ("lightgbm", "lgbm", "lgb", "lgbmclassifier", "lgbmregressor")
    setup_cells_per_second = 4e6
    name_prefixes = ("lgbm_", "lgb_")
    aliases = {
        "n_estimators": "n_estimators",
        "num_boost_round": "n_estimators",
        "num_iterations": "n_estimators",
        "num_iteration": "n_estimators",
        "n_iter": "n_estimators",
        "num_trees": "n_estimators",
        "num_round": "n_estimators",
        "num_rounds": "n_estimators",
        "n_trees": "n_estimators",
        "learning_rate": "learning_rate",
        "eta": "learning_rate",
        "shrinkage_rate": "learning_rate",
        "lr": "learning_rate",
        "num_leaves": "num_leaves",
        "num_leaf": "num_leaves",
        "max_leaves": "num_leaves",
        "max_leaf": "num_leaves",
        "max_leaf_nodes": "num_leaves",
        "min_child_samples": "min_child_samples",
        "min_data_in_leaf": "min_child_samples",
        "min_data_per_leaf": "min_child_samples",
        "min_data": "min_child_samples",
        "min_samples_leaf": "min_child_samples",
        "subsample": "subsample",
        "bagging_fraction": "subsample",
        "bagging": "subsample",
        "sub_row": "subsample",
        "colsample_bytree": "colsample_bytree",
        "feature_fraction": "colsample_bytree",
        "sub_feature": "colsample_bytree",
        "reg_alpha": "reg_alpha",
        "lambda_l1": "reg_alpha",
        "l1_regularization": "reg_alpha",
        "reg_lambda": "reg_lambda",
        "lambda_l2": "reg_lambda",
        "l2_regularization": "reg_lambda",
        "lambda": "reg_lambda",
        "max_depth": "max_depth",
        "min_split_gain": "min_split_gain",
        "min_gain_to_split": "min_split_gain",
        "gamma": "min_split_gain",
        "min_child_weight": "min_child_weight",
        "min_sum_hessian_in_leaf": "min_child_weight",
        "subsample_freq": "subsample_freq",
        "bagging_freq": "subsample_freq",
        "max_bin": "max_bin",
    }
    extra_params = frozenset(
        {"max_depth", "min_split_gain", "min_child_weight", "subsample_freq", "max_bin"}
    )

    def space(self, kind: str) -> dict[str, BaseDistribution]:
        check_kind(kind)
        return {
            "n_estimators": IntDistribution(32, 400, log=True),
            "learning_rate": FloatDistribution(0.01, 0.3, log=True),
            "num_leaves": IntDistribution(4, 128, log=True),
            "min_child_samples": IntDistribution(2, 100, log=True),
            "subsample": FloatDistribution(0.5, 1.0),
            "colsample_bytree": FloatDistribution(0.3, 1.0),
            "reg_alpha": FloatDistribution(1e-8, 10.0, log=True),
            "reg_lambda": FloatDistribution(1e-8, 10.0, log=True),
        }

    def defaults(self, kind: str) -> dict[str, Any]:
        check_kind(kind)
        return {
            "n_estimators": 100,
            "learning_rate": 0.1,
            "num_leaves": 31,
            "min_child_samples": 20,
            "subsample": 1.0,
            "colsample_bytree": 1.0,
            "reg_alpha": 1e-8,
            "reg_lambda": 1e-8,
        }

    def estimated_cost(self, params: Mapping[str, Any]) -> float:
        p = {**self.defaults("binary"), **params}
        # leaves are capped by the rows: 1,300 rows hold at most ~650 / min_child_samples
        leaves = min(p["num_leaves"], 650 / p["min_child_samples"])
        return 0.05 + 2.7e-4 * p["n_estimators"] * leaves

    def model(self, p: dict[str, Any], kind: str, random_state: int | None) -> Any:
        """LightGBM pipeline; see :meth:`PipelineFamily.build`.

        Examples
        --------
        >>> from autometa.pipelines import get_family
        >>> fam = get_family("lightgbm")
        >>> fam.build(fam.defaults("binary"), "binary").steps[-1][0]
        'model'
        """

        p.setdefault("subsample_freq", 1)
        model_cls = _timed("LGBMRegressor" if kind == "regression" else "LGBMClassifier")
        model = model_cls(**p, random_state=random_state, n_jobs=1, verbose=-1)
        return model
