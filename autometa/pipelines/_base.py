"""The abstract pipeline family: a search space, its defaults, a builder and aliases."""

from __future__ import annotations

import abc
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import optuna
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from sklearn.pipeline import Pipeline

from autometa._rules import KINDS

__all__ = ["KINDS", "AliasTransform", "PipelineFamily", "check_kind", "normalise_name"]



def check_kind(kind: str) -> str:
    """Return ``kind`` if it is a supported task kind, else raise ``ValueError``.

    Examples
    --------
    >>> check_kind("binary")
    'binary'
    """
    if kind not in KINDS:
        raise ValueError(f"The 'kind' parameter must be one of {list(KINDS)}. Got {kind!r}.")
    return kind


def normalise_name(name: str) -> str:
    """Lower-case a parameter name and turn dashes and dots into underscores.

    Examples
    --------
    >>> normalise_name("Learning-Rate")
    'learning_rate'
    """
    return name.strip().lower().replace("-", "_").replace(".", "_")


@dataclass(frozen=True)
class AliasTransform:
    """A user parameter whose *value* differs from the canonical one, not only its name.

    Parameters
    ----------
    canonical : str
        The canonical parameter the user parameter stands for.
    to_user : callable
        ``to_user(params, X)`` -> the user's value for a canonical configuration
        ``params``; ``X`` is the training data or ``None``. Returns ``None`` when the
        value cannot be expressed (for instance it needs the data and none was given).
    from_user : callable
        ``from_user(value)`` -> dict of canonical parameters, or ``None`` when the
        value cannot be mapped back without the data.
    """

    canonical: str
    to_user: Callable[[Mapping[str, Any], Any], Any]
    from_user: Callable[[Any], dict[str, Any] | None]


class PipelineFamily(abc.ABC):
    """A family of scikit-learn pipelines sharing one model type and one search space.

    One configuration (a dict of canonical parameters) is valid for every task kind:
    the family maps it onto a classifier or a regressor in :meth:`build`.

    Subclasses set :attr:`name`, :attr:`aliases`, and implement :meth:`space`,
    :meth:`defaults` and :meth:`build`. :meth:`suggest` samples the same space
    define-by-run and rarely needs overriding.
    """

    #: Canonical family name, e.g. ``"lightgbm"``.
    name: ClassVar[str]
    #: Names people use in their own studies -> canonical parameter name. Keys are
    #: normalised with :func:`normalise_name`; canonical names map to themselves.
    aliases: ClassVar[dict[str, str]]
    #: Aliases whose value needs a conversion, keyed by normalised user name.
    alias_transforms: ClassVar[dict[str, AliasTransform]] = {}
    #: Parameters :meth:`build` accepts beyond the space (fixed unless given).
    extra_params: ClassVar[frozenset[str]] = frozenset()
    #: Short names of the family people put before parameter names (``"lgbm_"``).
    name_prefixes: ClassVar[tuple[str, ...]] = ()
    #: Values of a study's model-choice parameter that name this family (``"lgbmclassifier"``),
    #: lower case, letters and digits only (see :func:`~autometa.pipelines.family_of_choice`).
    choice_aliases: ClassVar[tuple[str, ...]] = ()

    # ------------------------------------------------------------ fit costs
    #: When the family's fit or prediction runs in compiled code that never returns to Python
    #: (a time limit cannot stop it): the exponent of a fold's time in the rows (libsvm's kernel
    #: SVM fit about n^2; k-NN's neighbour search, training x predicted rows). None otherwise.
    uninterruptible_growth: ClassVar[float | None] = None
    #: Whether the *fit* itself cannot be stopped (a refit only fits: k-NN's refit can be).
    unstoppable_fit: ClassVar[bool] = False
    #: The least exponent of the refit's growth from a fold's rows to all rows, where measured
    #: steeper than :attr:`uninterruptible_growth` (the SVM: n^2.5; benchmarks/svm_refit_estimate.py).
    refit_exponent: ClassVar[float | None] = None
    #: Cells (rows x columns) a second of the unstoppable step before the first boosting round
    #: (LightGBM's binning: 133,000 x 100 took 2.8-3.2 s on one core); infinite when there is none.
    setup_cells_per_second: ClassVar[float] = math.inf

    # ------------------------------------------------------------------ space
    @abc.abstractmethod
    def space(self, kind: str) -> dict[str, BaseDistribution]:
        """The search space as a dict of Optuna distributions, keyed by canonical name."""

    def portfolio_space(self, kind: str) -> dict[str, BaseDistribution]:
        """The space the shipped portfolio was drawn from: :meth:`space`, unless the search space was widened
        after the knowledge base was built (the portfolio, and so the base, stays as built)."""
        return self.space(kind)

    @abc.abstractmethod
    def defaults(self, kind: str) -> dict[str, Any]:
        """The library's default hyperparameters, expressed in the space's parameters."""

    def suggest(self, trial: optuna.trial.BaseTrial, kind: str, prefix: str = "") -> dict[str, Any]:
        """Sample a configuration define-by-run; the same space as :meth:`space`.

        Parameters
        ----------
        trial : optuna.trial.BaseTrial
            The trial to ask.
        kind : {"binary", "multiclass", "regression"}
            The task kind.
        prefix : str, default=""
            Prepended to every parameter name in the trial (to keep several families
            apart in one study); the returned dict uses the canonical names.

        Returns
        -------
        dict
            Canonical parameter name -> value, ready for :meth:`build`.

        Examples
        --------
        >>> import optuna
        >>> from autometa.pipelines import get_family
        >>> trial = optuna.trial.FixedTrial({"knn_n_neighbors": 7, "knn_p": 1,
        ...                                  "knn_weights": "distance"})
        >>> get_family("knn").suggest(trial, "binary", prefix="knn_")["n_neighbors"]
        7
        """
        params: dict[str, Any] = {}
        for name, dist in self.space(kind).items():
            key = prefix + name
            if isinstance(dist, FloatDistribution):
                params[name] = trial.suggest_float(
                    key, dist.low, dist.high, step=dist.step, log=dist.log
                )
            elif isinstance(dist, IntDistribution):
                params[name] = trial.suggest_int(
                    key, dist.low, dist.high, step=dist.step, log=dist.log
                )
            elif isinstance(dist, CategoricalDistribution):
                params[name] = trial.suggest_categorical(key, dist.choices)
            else:  # pragma: no cover - our spaces only use the three above
                raise TypeError(f"Unsupported distribution {dist!r} for {name!r}.")
        return params

    def estimated_cost(self, params: Mapping[str, Any]) -> float:
        """Rough single-thread seconds to fit and predict ``params`` on 1,300 rows x 50 features.

        A cost model calibrated on the portfolio benchmark
        (``benchmarks/portfolio_cost.py``); the portfolio keeps only Sobol samples
        under its budget. Families with a cheap space keep this default.

        Examples
        --------
        >>> from autometa.pipelines import get_family
        >>> fam = get_family("lightgbm")
        >>> fam.estimated_cost({"n_estimators": 400, "num_leaves": 128, "min_child_samples": 2}) > 2
        True
        """
        return 0.5

    def contains(self, params: Mapping[str, Any], kind: str = "binary") -> bool:
        """Whether every space parameter is present in ``params`` and inside its distribution.

        Examples
        --------
        >>> from autometa.pipelines import get_family
        >>> fam = get_family("knn")
        >>> fam.contains(fam.defaults("binary"))
        True
        """
        space = self.space(kind)
        if set(params) - set(space) - self.extra_params:
            return False
        for name, dist in space.items():
            if name not in params:
                return False
            value = params[name]
            if isinstance(dist, CategoricalDistribution):
                if value not in dist.choices:
                    return False
            elif isinstance(value, bool) or not isinstance(value, (int, float)):
                return False
            elif isinstance(dist, IntDistribution) and float(value) != int(value):
                return False
            elif not dist._contains(dist.to_internal_repr(value)):
                return False
        return True

    # ------------------------------------------------------------------ build
    #: keyword arguments of :func:`~autometa.pipelines._preprocessing.make_preprocessor` for this family's inputs
    preprocessing: ClassVar[dict[str, Any]] = {}

    def build(
        self,
        params: Mapping[str, Any],
        kind: str,
        *,
        categorical: Sequence[bool] | None = None,
        random_state: int | None = 0,
    ) -> Pipeline:
        """A scikit-learn ``Pipeline`` (preprocessing + model) for one configuration.

        The preprocessing is the family's :attr:`preprocessing`; what follows it is
        :meth:`steps` (by default the one step ``"model"``, :meth:`model`).

        Parameters
        ----------
        params : mapping
            Canonical parameters; missing ones take :meth:`defaults`.
        kind : {"binary", "multiclass", "regression"}
            Classifier for ``"binary"``/``"multiclass"``, regressor for ``"regression"``.
        categorical : sequence of bool, optional
            Which input columns are categorical. ``None`` infers it at fit time from a
            DataFrame's dtypes (object, string, category, bool); numpy arrays are then
            taken as all numeric.
        random_state : int or None, default=0
            Seed of the model.
        """
        from autometa.pipelines._preprocessing import make_preprocessor

        resolved = self._resolve(params, kind)
        pre = make_preprocessor(categorical, **self.preprocessing)
        return Pipeline([("preprocess", pre), *self.steps(resolved, kind, random_state)])

    def steps(self, p: dict[str, Any], kind: str, random_state: int | None) -> list[tuple[str, Any]]:
        """The pipeline's steps after the preprocessing: ``[("model", self.model(...))]`` unless overridden."""
        return [("model", self.model(p, kind, random_state))]

    def model(self, p: dict[str, Any], kind: str, random_state: int | None) -> Any:
        """The estimator for the resolved parameters ``p`` (defaults filled in, names checked) and ``kind``."""
        raise NotImplementedError(f"{type(self).__name__} must define model() or steps()")

    def _resolve(self, params: Mapping[str, Any], kind: str) -> dict[str, Any]:
        """Defaults updated with ``params`` after checking the names are known."""
        check_kind(kind)
        known = set(self.space(kind)) | self.extra_params
        unknown = sorted(set(params) - known)
        if unknown:
            raise ValueError(
                f"Unknown parameter(s) {unknown} for pipeline family {self.name!r}; "
                f"allowed: {sorted(known)}."
            )
        return {**self.defaults(kind), **params}

    # ---------------------------------------------------------------- aliases
    def canonical_param(self, name: str) -> str | None:
        """The canonical parameter a user's parameter name stands for, or ``None``.

        Accepts the aliases in :attr:`aliases` case-insensitively, and names with a
        scikit-learn pipeline prefix (``"clf__C"``) or the family name as prefix
        (``"lightgbm_num_leaves"``, ``"lgbm.eta"``).

        Examples
        --------
        >>> from autometa.pipelines import get_family
        >>> get_family("lightgbm").canonical_param("model__eta")
        'learning_rate'
        """
        key = self._strip(name)
        if key in self.aliases:
            return self.aliases[key]
        if key in self.alias_transforms:
            return self.alias_transforms[key].canonical
        return None

    def _name_prefixes(self) -> list[str]:
        return [f"{self.name}_", f"{self.name.replace('_', '')}_", *self.name_prefixes]

    def from_user_params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Map a configuration in a user's parameter names onto canonical names.

        Names that do not resolve are dropped; values needing the data to convert
        (e.g. an absolute SVM ``gamma``) are dropped too.

        Examples
        --------
        >>> from autometa.pipelines import get_family
        >>> get_family("lightgbm").from_user_params({"eta": 0.05, "lambda_l1": 1.0, "foo": 3})
        {'learning_rate': 0.05, 'reg_alpha': 1.0}
        """
        out: dict[str, Any] = {}
        for name, value in params.items():
            key = self._strip(name)
            if key in self.alias_transforms:
                mapped = self.alias_transforms[key].from_user(value)
                if mapped:
                    out.update(mapped)
            elif key in self.aliases:
                out[self.aliases[key]] = value
        return out

    def _strip(self, name: str) -> str:
        """The normalised alias key a user name resolves through, or the name itself."""
        key = normalise_name(name)
        candidates = [key]
        if "__" in key:
            candidates.append(key.rsplit("__", 1)[1])
        for prefix in self._name_prefixes():
            for cand in list(candidates):
                if cand.startswith(prefix) and len(cand) > len(prefix):
                    candidates.append(cand[len(prefix) :])
        for cand in candidates:
            if cand in self.aliases or cand in self.alias_transforms:
                return cand
        return key

    def to_user_params(
        self,
        params: Mapping[str, Any],
        user_space: Mapping[str, BaseDistribution] | Iterable[str],
        *,
        X: Any = None,
    ) -> dict[str, Any]:
        """Express a canonical configuration in the names of a user's study.

        Parameters
        ----------
        params : mapping
            A canonical configuration (e.g. from :func:`get_configuration`).
        user_space : mapping of name -> distribution, or iterable of names
            The user's parameter names, optionally with their Optuna distributions.
            With distributions, numeric values are clipped into range (and rounded for
            integers, snapped to the step) and a categorical value that is not among
            the choices is left out.
        X : array-like, optional
            Training data, for aliases whose value depends on it (SVM ``gamma``).

        Returns
        -------
        dict
            User name -> value, for each user parameter this configuration can fill;
            the others are left for the user's sampler (e.g. ``study.enqueue_trial``).

        Examples
        --------
        >>> from autometa.pipelines import get_family
        >>> fam = get_family("lightgbm")
        >>> fam.to_user_params({"learning_rate": 0.05, "num_leaves": 31}, ["eta", "max_bin"])
        {'eta': 0.05}
        """
        dists: Mapping[str, BaseDistribution | None]
        if isinstance(user_space, Mapping):
            dists = user_space
        else:
            dists = {name: None for name in user_space}
        merged = {**params}
        out: dict[str, Any] = {}
        for user_name, dist in dists.items():
            key = self._strip(user_name)
            if key in self.alias_transforms:
                value = self.alias_transforms[key].to_user(merged, X)
            elif key in self.aliases and self.aliases[key] in merged:
                value = merged[self.aliases[key]]
            else:
                continue
            if value is None:
                continue
            if dist is not None:
                value = _fit_into(value, dist)
                if value is _MISSING:
                    continue
            out[user_name] = value
        return out


_MISSING = object()


def _fit_into(value: Any, dist: BaseDistribution) -> Any:
    """Clip / round ``value`` into ``dist``; ``_MISSING`` when it cannot be."""
    if isinstance(dist, CategoricalDistribution):
        for choice in dist.choices:
            if choice == value and type(choice) is type(value):
                return choice
        for choice in dist.choices:
            if choice == value:
                return choice
        return _MISSING
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return _MISSING
    if isinstance(dist, IntDistribution):
        iv = min(max(round(value), dist.low), dist.high)
        iv = dist.low + round((iv - dist.low) / dist.step) * dist.step
        return int(min(iv, dist.high))
    if not isinstance(dist, FloatDistribution):  # pragma: no cover - only the three kinds exist
        return _MISSING
    v = min(max(float(value), dist.low), dist.high)
    if dist.step is not None:
        v = dist.low + round((v - dist.low) / dist.step) * dist.step
        v = min(v, dist.high)
    if math.isnan(v):  # pragma: no cover - defensive
        return _MISSING
    return v
