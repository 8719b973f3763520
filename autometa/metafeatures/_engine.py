"""The machinery every group uses: registration by decorator, arguments by name.

A meta-feature is a small function whose parameter names say what it needs::

    @metafeature("statistical", summarised=True)
    def cor(abs_cor_pairs: np.ndarray) -> np.ndarray:
        return abs_cor_pairs

Each name is looked up in one dict of values: the prepared data (``N``, ``C``,
``y``... see :mod:`autometa.metafeatures._prepare`) and the *intermediates*,
functions registered with :func:`intermediate` whose own parameters are resolved the
same way. An intermediate is computed the first time something asks for it and
kept, so ``cov_mat`` is computed once however many features use it; if it fails,
every feature that needs it is NaN and the failure is recorded once.

:class:`Context` does the lookup; :func:`run` evaluates a list of features under a
deadline and turns failures into NaN.
"""

from __future__ import annotations

import inspect
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from autometa.metafeatures._summary import Summary, summarise

__all__ = [
    "GROUPS",
    "TARGETS",
    "MetaFeature",
    "Intermediate",
    "Context",
    "metafeature",
    "intermediate",
    "features_of",
    "run",
    "RunResult",
]

#: the meta-feature groups, in the order they are computed and listed (cheap first)
GROUPS: tuple[str, ...] = ("general", "statistical", "info_theory", "itemset", "model_based", "landmarking",
                           "clustering", "concept", "complexity", "relative")

#: the groups of the default task vector (what ``recommend`` computes for a new task and
#: ``fit`` records): landmarking is left out, being most of the extraction time on large tables
#: while nearest datasets ranked as well without it (docs/benchmarks.md)
TASK_VECTOR_GROUPS: tuple[str, ...] = ("general", "statistical", "info_theory", "model_based")

#: what a feature needs of the target: nothing, classes, or a numeric target
TARGETS: tuple[str, ...] = ("any", "class", "regression", "supervised")

_TARGETS_BY_KIND: dict[str | None, frozenset[str]] = {
    None: frozenset({"any"}),
    "binary": frozenset({"any", "class", "supervised"}),
    "multiclass": frozenset({"any", "class", "supervised"}),
    "regression": frozenset({"any", "regression", "supervised"}),
}

#: errors that mean "this feature is not defined on this data"; anything else is a bug
_UNDEFINED = (ValueError, ArithmeticError, np.linalg.LinAlgError, MemoryError)


def _needs(func: Callable[..., Any]) -> tuple[str, ...]:
    return tuple(inspect.signature(func).parameters)


@dataclass(frozen=True)
class MetaFeature:
    """One registered meta-feature.

    Attributes
    ----------
    name : str
        pymfe's name where the feature is pymfe's (``cor``, ``attr_ent``...).
    group : str
        One of :data:`GROUPS`.
    func : callable
        Returns a float, or a 1-D array when ``summarised``.
    needs : tuple of str
        Parameter names of ``func``: values it takes from the :class:`Context`.
    target : str
        One of :data:`TARGETS`: which task kinds the feature exists for.
    summarised : bool
        Whether ``func`` returns many values, reported through summary functions.
    """

    name: str
    group: str
    func: Callable[..., Any]
    needs: tuple[str, ...]
    target: str
    summarised: bool

    def applies_to(self, kind: str | None) -> bool:
        """Whether this feature exists for tasks of ``kind`` (``None``: no target)."""
        return self.target in _TARGETS_BY_KIND[kind]

    def output_names(self, summaries: list[Summary]) -> list[str]:
        """The names this feature contributes to the result."""
        if not self.summarised:
            return [self.name]
        return [n for s in summaries for n in s.names(self.name)]


@dataclass(frozen=True)
class Intermediate:
    """A shared value computed once per extraction, on demand."""

    name: str
    func: Callable[..., Any]
    needs: tuple[str, ...]


_FEATURES: dict[str, dict[str, MetaFeature]] = {g: {} for g in GROUPS}
_INTERMEDIATES: dict[str, Intermediate] = {}


def metafeature(group: str, *, target: str = "any", summarised: bool = False,
                name: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as a meta-feature of ``group``.

    The feature's name is ``name`` or the function's name without a trailing
    underscore (``max_`` -> ``max``). The function is returned unchanged, so it can
    be called directly in tests.
    """
    if group not in _FEATURES:
        raise ValueError(f"Unknown meta-feature group {group!r}; expected one of {GROUPS}.")
    if target not in TARGETS:
        raise ValueError(f"Unknown target {target!r}; expected one of {TARGETS}.")

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        fname = name or func.__name__.rstrip("_")
        if any(fname in feats for feats in _FEATURES.values()):
            raise ValueError(f"A meta-feature named {fname!r} is already registered.")
        _FEATURES[group][fname] = MetaFeature(fname, group, func, _needs(func), target, summarised)
        return func

    return register


def intermediate(func: Callable[..., Any]) -> Callable[..., Any]:
    """Register the decorated function as the intermediate value named after it."""
    if func.__name__ in _INTERMEDIATES:
        raise ValueError(f"An intermediate named {func.__name__!r} is already registered.")
    _INTERMEDIATES[func.__name__] = Intermediate(func.__name__, func, _needs(func))
    return func


def features_of(groups: Iterable[str], kind: str | None) -> list[MetaFeature]:
    """The features of ``groups`` that exist for ``kind``, in group order then by name."""
    wanted = set(groups)
    return [f for g in GROUPS if g in wanted for _, f in sorted(_FEATURES[g].items()) if f.applies_to(kind)]


class Context:
    """Values by name: the prepared data plus intermediates computed on demand."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values: dict[str, Any] = dict(values)
        self._errors: dict[str, BaseException] = {}

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def __getitem__(self, name: str) -> Any:
        if name in self._values:
            return self._values[name]
        if name in self._errors:
            raise self._errors[name]
        item = _INTERMEDIATES.get(name)
        if item is None:
            raise KeyError(f"No value or intermediate named {name!r}")
        try:
            value = item.func(**{n: self[n] for n in item.needs})
        except _UNDEFINED as exc:
            self._errors[name] = exc
            raise
        self._values[name] = value
        return value

    def call(self, func: Callable[..., Any], needs: tuple[str, ...]) -> Any:
        """Call ``func`` with the values its parameters name."""
        return func(**{n: self[n] for n in needs})


@dataclass
class RunResult:
    """Values by output name, and what could not be computed."""

    values: dict[str, float]
    timed_out: list[str]
    failed: dict[str, str]


def run(features: list[MetaFeature], ctx: Context, summaries: list[Summary],
        deadline: float | None = None) -> RunResult:
    """Compute ``features`` in order; NaN for those undefined or past ``deadline``.

    ``deadline`` is a :func:`time.perf_counter` value, checked before each feature
    (a feature already running is not interrupted).
    """
    values: dict[str, float] = {}
    timed_out: list[str] = []
    failed: dict[str, str] = {}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        # sklearn/scipy warnings about degenerate data; the outcome is recorded as NaN
        warnings.simplefilter("ignore")
        for feat in features:
            names = feat.output_names(summaries)
            if deadline is not None and time.perf_counter() > deadline:
                timed_out.append(feat.name)
                values.update(dict.fromkeys(names, np.nan))
                continue
            try:
                raw = ctx.call(feat.func, feat.needs)
                if feat.summarised:
                    out = summarise(np.asarray(raw, dtype=float), summaries)
                else:
                    out = [float(raw)]
            except _UNDEFINED as exc:
                failed[feat.name] = f"{type(exc).__name__}: {exc}"[:200]
                out = [np.nan] * len(names)
            values.update(zip(names, out))
    return RunResult(values, timed_out, failed)
