"""Multi-layer perceptrons."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
from optuna.distributions import BaseDistribution, FloatDistribution, IntDistribution
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

from autometa.pipelines._base import AliasTransform, PipelineFamily, check_kind
from autometa.pipelines._threads import single_threaded

__all__ = ["MLPFamily", "MLPRegressor1", "SafeMLPClassifier"]

#: Epoch cap; with early stopping most fits stop well before it.
MLP_MAX_ITER = 200


class _SafeMLPClassifier(MLPClassifier):
    """``MLPClassifier`` that trains without early stopping when a class has one row.

    Early stopping holds out a stratified validation split, which scikit-learn
    refuses when the least populated class has a single member (common in the
    training folds of small multiclass datasets).
    """

    def fit(self, X: Any, y: Any, **kwargs: Any) -> _SafeMLPClassifier:
        if bool(self.get_params()["early_stopping"]):
            _, counts = np.unique(np.asarray(y), return_counts=True)
            n_val = int(np.ceil(self.validation_fraction * len(y)))
            if counts.min() < 2 or n_val < len(counts):
                self.early_stopping = False
                try:
                    return super().fit(X, y, **kwargs)
                finally:
                    self.early_stopping = True
        return super().fit(X, y, **kwargs)


# matrix products go through BLAS threads whatever the estimator says
SafeMLPClassifier = single_threaded(_SafeMLPClassifier, "SafeMLPClassifier", __name__)
MLPRegressor1 = single_threaded(MLPRegressor, "MLPRegressor1", __name__)


def _sizes_to_user(params: Mapping[str, Any], X: Any = None) -> tuple[int, ...] | None:
    if "hidden_layer_size" not in params or "n_layers" not in params:
        return None
    return (int(params["hidden_layer_size"]),) * int(params["n_layers"])


def _sizes_from_user(value: Any) -> dict[str, Any] | None:
    if isinstance(value, str):
        value = [int(v) for v in re.findall(r"\d+", value)]
    if isinstance(value, (int, np.integer)):
        value = [int(value)]
    try:
        sizes = [int(v) for v in value]
    except (TypeError, ValueError):
        return None
    if not sizes:
        return None
    return {"hidden_layer_size": int(round(float(np.mean(sizes)))), "n_layers": len(sizes)}


class MLPFamily(PipelineFamily):
    """``MLPClassifier`` / ``MLPRegressor`` (ReLU, Adam) with early stopping.

    The network has ``n_layers`` hidden layers of ``hidden_layer_size`` units; a
    user's ``hidden_layer_sizes`` tuple converts both ways (the mean width is used
    for uneven layers). At most ``MLP_MAX_ITER`` epochs, early stopping on a 10%
    validation split (the library default is no early stopping). The regressor
    learns a standardised target.

    Examples
    --------
    >>> from autometa.pipelines import get_family
    >>> get_family("mlp").from_user_params({"hidden_layer_sizes": (64, 64), "lr": 0.01})
    {'hidden_layer_size': 64, 'n_layers': 2, 'learning_rate_init': 0.01}
    """

    name = "mlp"
    preprocessing = {"encoding": "onehot", "impute_numeric": True, "scale": True}
    choice_aliases = ("mlp", "mlpclassifier", "mlpregressor", "neuralnet", "neuralnetwork", "nn")
    name_prefixes = ("nn_",)
    aliases = {
        "hidden_layer_size": "hidden_layer_size",
        "n_units": "hidden_layer_size",
        "units": "hidden_layer_size",
        "hidden_units": "hidden_layer_size",
        "hidden_size": "hidden_layer_size",
        "hidden_dim": "hidden_layer_size",
        "width": "hidden_layer_size",
        "n_neurons": "hidden_layer_size",
        "n_layers": "n_layers",
        "num_layers": "n_layers",
        "n_hidden_layers": "n_layers",
        "depth": "n_layers",
        "alpha": "alpha",
        "weight_decay": "alpha",
        "l2": "alpha",
        "learning_rate_init": "learning_rate_init",
        "learning_rate": "learning_rate_init",
        "lr": "learning_rate_init",
        "max_iter": "max_iter",
        "epochs": "max_iter",
        "n_epochs": "max_iter",
        "batch_size": "batch_size",
        "activation": "activation",
    }
    alias_transforms = {
        "hidden_layer_sizes": AliasTransform("hidden_layer_size", _sizes_to_user, _sizes_from_user),
    }
    extra_params = frozenset({"max_iter", "batch_size", "activation"})

    def space(self, kind: str) -> dict[str, BaseDistribution]:
        check_kind(kind)
        return {
            "hidden_layer_size": IntDistribution(16, 128, log=True),
            "n_layers": IntDistribution(1, 2),
            "alpha": FloatDistribution(1e-6, 1e-1, log=True),
            "learning_rate_init": FloatDistribution(3e-4, 3e-2, log=True),
        }

    def defaults(self, kind: str) -> dict[str, Any]:
        check_kind(kind)
        return {"hidden_layer_size": 100, "n_layers": 1, "alpha": 1e-4, "learning_rate_init": 1e-3}

    def model(self, p: dict[str, Any], kind: str, random_state: int | None) -> Any:
        """MLP pipeline; see :meth:`PipelineFamily.build`.

        Examples
        --------
        >>> from autometa.pipelines import get_family
        >>> get_family("mlp").build({"n_layers": 2, "hidden_layer_size": 32}, "binary")[-1].hidden_layer_sizes
        (32, 32)
        """
        from sklearn.compose import TransformedTargetRegressor

        sizes = (int(p.pop("hidden_layer_size")),) * int(p.pop("n_layers"))
        p.setdefault("max_iter", MLP_MAX_ITER)
        common = dict(hidden_layer_sizes=sizes, early_stopping=True, random_state=random_state, **p)
        model: Any
        if kind == "regression":
            model = TransformedTargetRegressor(
                regressor=MLPRegressor1(**common), transformer=StandardScaler()
            )
        else:
            model = SafeMLPClassifier(**common)
        return model
