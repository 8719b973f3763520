"""Support vector machines with an RBF kernel."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from optuna.distributions import BaseDistribution, FloatDistribution
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import StandardScaler

from autometa.pipelines._base import AliasTransform, PipelineFamily, check_kind
from autometa.pipelines._preprocessing import make_preprocessor

__all__ = ["GammaScaler", "SVMFamily"]

#: libsvm iteration cap, so a configuration with a huge ``C`` cannot run for ever.
SVM_MAX_ITER = 200_000


class GammaScaler(TransformerMixin, BaseEstimator):
    """Rescale ``X`` so that an RBF kernel with ``gamma="auto"`` equals ``gamma_scale`` x "scale".

    scikit-learn's ``gamma="scale"`` is ``1 / (n_features * X.var())``. Multiplying
    ``X`` by ``sqrt(gamma_scale / X.var())`` and using ``gamma="auto"``
    (``1 / n_features``) gives the kernel of ``gamma = gamma_scale / (n_features * X.var())``,
    so the searched value is relative to the data and transfers between datasets.

    Parameters
    ----------
    gamma_scale : float, default=1.0
        Multiplier of scikit-learn's ``"scale"`` heuristic.
    """

    def __init__(self, gamma_scale: float = 1.0) -> None:
        self.gamma_scale = gamma_scale

    def fit(self, X: Any, y: Any = None) -> GammaScaler:
        X = np.asarray(X, dtype=np.float64)
        var = float(X.var()) if X.size else 0.0
        self.var_ = var if var > 0 else 1.0
        self.n_features_in_ = X.shape[1]
        self.gamma_ = float(self.gamma_scale) / (self.n_features_in_ * self.var_)
        return self

    def transform(self, X: Any) -> np.ndarray:
        return np.asarray(X, dtype=np.float64) * np.sqrt(float(self.gamma_scale) / self.var_)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        if input_features is None:
            input_features = [f"x{i}" for i in range(self.n_features_in_)]
        return np.asarray(input_features, dtype=object)


def _absolute_gamma(params: Mapping[str, Any], X: Any) -> float | None:
    """The user's absolute ``gamma`` for a configuration: needs the training data."""
    if X is None or "gamma_scale" not in params:
        return None
    pre = make_preprocessor(None, encoding="onehot", impute_numeric=True, scale=True)
    scaler = GammaScaler(float(params["gamma_scale"])).fit(pre.fit_transform(X))
    return scaler.gamma_


class SVMFamily(PipelineFamily):
    """RBF ``SVC`` / ``SVR`` on standardised numeric and one-hot categorical features.

    ``gamma_scale`` multiplies scikit-learn's ``gamma="scale"`` (see
    :class:`GammaScaler`); 1.0 is the library default. A user's absolute ``gamma``
    can be expressed with :meth:`to_user_params` given ``X``. The regressor learns a
    standardised target (``epsilon=0.1`` in units of the target's standard
    deviation). ``probability`` is off: score ROC-AUC with ``decision_function``.
    libsvm stops after ``SVM_MAX_ITER`` iterations.

    Examples
    --------
    >>> import numpy as np
    >>> from autometa.pipelines import get_family
    >>> X = np.random.default_rng(0).normal(size=(50, 5))
    >>> g = get_family("svm").to_user_params({"C": 1.0, "gamma_scale": 1.0}, ["C", "gamma"], X=X)
    >>> round(g["gamma"] * 5 * 1.0, 1)  # 1 / (n_features * var) with standardised X
    1.0
    """

    name = "svm"
    preprocessing = {"encoding": "onehot", "impute_numeric": True, "scale": True}
    choice_aliases = ("svm", "svc", "svr", "rbfsvm", "kernelsvm")
    uninterruptible_growth = 2.0
    unstoppable_fit = True
    refit_exponent = 2.5
    name_prefixes = ("svc_", "svr_")
    aliases = {
        "c": "C",
        "gamma_scale": "gamma_scale",
        "max_iter": "max_iter",
        "tol": "tol",
        "cache_size": "cache_size",
    }
    alias_transforms = {
        "gamma": AliasTransform("gamma_scale", _absolute_gamma, lambda value: None),
    }
    extra_params = frozenset({"max_iter", "tol", "cache_size"})

    def space(self, kind: str) -> dict[str, BaseDistribution]:
        check_kind(kind)
        return {
            "C": FloatDistribution(1e-2, 1e3, log=True),
            "gamma_scale": FloatDistribution(1e-2, 1e2, log=True),
        }

    def defaults(self, kind: str) -> dict[str, Any]:
        check_kind(kind)
        return {"C": 1.0, "gamma_scale": 1.0}

    def steps(self, p: dict[str, Any], kind: str, random_state: int | None) -> list[tuple[str, Any]]:
        """SVM pipeline; see :meth:`PipelineFamily.build`.

        Examples
        --------
        >>> from autometa.pipelines import get_family
        >>> [name for name, _ in get_family("svm").build({}, "binary").steps]
        ['preprocess', 'gamma', 'model']
        """
        from sklearn.compose import TransformedTargetRegressor
        from sklearn.svm import SVC, SVR

        gamma_scale = float(p.pop("gamma_scale"))
        p.setdefault("max_iter", SVM_MAX_ITER)
        model: Any
        if kind == "regression":
            model = TransformedTargetRegressor(
                regressor=SVR(kernel="rbf", gamma="auto", **p), transformer=StandardScaler()
            )
        else:
            model = SVC(kernel="rbf", gamma="auto", random_state=random_state, **p)
        return [("gamma", GammaScaler(gamma_scale)), ("model", model)]
