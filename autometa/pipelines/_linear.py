"""L2-regularised linear models: logistic regression and ridge."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from optuna.distributions import BaseDistribution, FloatDistribution
from sklearn.linear_model import LogisticRegression, Ridge

from autometa.pipelines._base import AliasTransform, PipelineFamily, check_kind
from autometa.pipelines._threads import single_threaded

__all__ = ["LinearFamily", "LogisticRegression1", "Ridge1"]

# the solvers' matrix products go through BLAS threads
LogisticRegression1 = single_threaded(LogisticRegression, "LogisticRegression1", __name__)
Ridge1 = single_threaded(Ridge, "Ridge1", __name__)


def _alpha_from_c(params: Mapping[str, Any], X: Any = None) -> float | None:
    c = params.get("C")
    return None if c is None else 1.0 / (2.0 * float(c))


def _c_from_alpha(value: Any) -> dict[str, Any] | None:
    try:
        alpha = float(value)
    except (TypeError, ValueError):
        return None
    return {"C": 1.0 / (2.0 * alpha)} if alpha > 0 else None


class LinearFamily(PipelineFamily):
    """``LogisticRegression`` (lbfgs, L2) for classification, ``Ridge`` for regression.

    One parameter, the inverse regularisation strength ``C``; the ridge penalty is
    ``alpha = 1 / (2 C)``, which makes the two objectives agree up to the loss
    (``C * sum(loss) + ||w||^2 / 2``). Users' ``alpha`` converts both ways. Numeric
    features are median-imputed (with missing indicators) and standardised,
    categoricals one-hot encoded.

    Examples
    --------
    >>> from autometa.pipelines import get_family
    >>> get_family("linear").from_user_params({"alpha": 1.0})
    {'C': 0.5}
    """

    name = "linear"
    preprocessing = {"encoding": "onehot", "impute_numeric": True, "scale": True}
    choice_aliases = ("linear", "logreg", "logistic", "logisticregression", "ridge", "linearmodel")
    name_prefixes = ("logreg_", "logistic_", "ridge_")
    aliases = {
        "c": "C",
        "inverse_regularization": "C",
        "max_iter": "max_iter",
        "tol": "tol",
        "fit_intercept": "fit_intercept",
    }
    alias_transforms = {
        "alpha": AliasTransform("C", _alpha_from_c, _c_from_alpha),
        "ridge_alpha": AliasTransform("C", _alpha_from_c, _c_from_alpha),
    }
    extra_params = frozenset({"max_iter", "tol", "fit_intercept"})

    def space(self, kind: str) -> dict[str, BaseDistribution]:
        check_kind(kind)
        # up to nearly unregularised: Hill_Valley's test balanced accuracy is 0.87 at C = 1e4, 0.97 at 1e6
        return {"C": FloatDistribution(1e-4, 1e6, log=True)}

    def portfolio_space(self, kind: str) -> dict[str, BaseDistribution]:
        check_kind(kind)
        return {"C": FloatDistribution(1e-4, 1e4, log=True)}  # the space the shipped portfolio was drawn from

    def defaults(self, kind: str) -> dict[str, Any]:
        check_kind(kind)
        # LogisticRegression(C=1.0); Ridge(alpha=1.0) is C=0.5
        return {"C": 0.5 if kind == "regression" else 1.0}

    def model(self, p: dict[str, Any], kind: str, random_state: int | None) -> Any:
        """Linear pipeline; see :meth:`PipelineFamily.build`.

        Examples
        --------
        >>> from autometa.pipelines import get_family
        >>> get_family("linear").build({"C": 2.0}, "regression")[-1].alpha
        0.25
        """
        c = float(p.pop("C"))
        if kind == "regression":
            p.pop("max_iter", None)
            p.pop("tol", None)
            model: Any = Ridge1(alpha=1.0 / (2.0 * c), **p)
        else:
            p.setdefault("max_iter", 500)
            model = LogisticRegression1(C=c, random_state=random_state, **p)
        return model
