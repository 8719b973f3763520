"""The :class:`MetaLearner` interface every recommender implements.

``fit(knowledge_base)`` learns one model per group of task kinds
(classification, regression); ``rank(task)`` ranks the portfolio for a new task.
Subclasses implement :meth:`MetaLearner._fit_group` and
:meth:`MetaLearner._predict`; the base class does the rest the same way for all:
parameter checks, filtering by family and time budget, diverse selection,
expected fit seconds, the output table, save and load.
"""

from __future__ import annotations

import copy
import inspect
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from autometa.exceptions import AutometaError, AutometaWarning, DataError
from autometa.metalearn._data import GROUPS, GroupData, configuration_params, group_data, group_of
from autometa.metalearn._selection import order_by_coverage, order_by_lead_then, order_by_score

__all__ = ["MetaLearner", "Prediction", "RANK_COLUMNS"]

#: columns of the table :meth:`MetaLearner.rank` returns
RANK_COLUMNS = ["rank", "config_id", "family", "params", "predicted_score", "expected_fit_seconds", "why"]

#: metrics a learner may be fitted on
_METRICS = ("accuracy", "balanced_accuracy", "roc_auc", "log_loss", "r2", "rmse", "mae")


@dataclass
class Prediction:
    """What a learner predicts for one task, before selection.

    Attributes
    ----------
    scores : ndarray of shape (n_configs,)
        Predicted normalised score of every configuration (1 = best, 0 = median).
    scenarios : ndarray of shape (n_scenarios, n_configs)
        Observed normalised scores on the datasets the coverage selection covers.
    weights : ndarray of shape (n_scenarios,)
        Weight of each scenario.
    neighbours : DataFrame
        The scenario datasets (index) with ``distance`` and ``weight``; shown in
        explanations and returned, as a list of dicts, in ``rank(...).attrs["neighbours"]``.
    why : callable
        ``why(config_index) -> str``: a one-line explanation.
    key : ndarray, optional
        What orders the configurations when it is not ``scores`` (larger first),
        e.g. minus the average rank.
    """

    scores: np.ndarray
    scenarios: np.ndarray
    weights: np.ndarray
    neighbours: pd.DataFrame
    why: Callable[[int], str]
    key: np.ndarray | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _is_int_at_least(low: int) -> Callable[[Any], bool]:
    return lambda v: bool(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= low)


def _is_real(test: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """A parameter rule: an int or float (not a bool) for which ``test`` holds."""
    return lambda v: bool(isinstance(v, (int, float)) and not isinstance(v, bool) and test(v))


class MetaLearner(ABC):
    """A recommender of configurations, trained on a knowledge base.

    Parameters common to all learners (keyword-only in every subclass):

    metric : str, optional
        Metric to rank on (default: each kind's primary metric: balanced accuracy
        for classification, R² for regression). A metric of the other group
        (e.g. ``"r2"`` when ranking for a classification task) is ignored there.
    selection : {"coverage", "score"}
        ``"coverage"`` orders greedily for coverage of the nearest datasets
        (diverse lists); ``"score"`` by predicted score alone.

    Examples
    --------
    >>> from autometa.metalearn import AverageRank, synthetic_knowledge_base
    >>> kb = synthetic_knowledge_base()
    >>> ranking = AverageRank().fit(kb).rank(kb.metafeatures.iloc[0], kind="binary", top=3)
    >>> ranking.columns.tolist()
    ['rank', 'config_id', 'family', 'params', 'predicted_score', 'expected_fit_seconds', 'why']
    """

    #: name in :func:`autometa.metalearn.get_learner`
    name: ClassVar[str] = ""
    #: how candidates are ordered: by the prediction, or greedily for coverage of the scenarios.
    #: These three are class defaults; a learner that exposes them takes them in its constructor.
    selection: str = "score"
    #: coverage selection: how many first picks go by the ordering alone
    lead: int = 1
    #: coverage selection: weight of a candidate's place in the ordering next to its coverage gain
    exploitation: float = 1e-3
    #: parameter -> (check, description of the allowed values)
    _parameter_rules: ClassVar[dict[str, tuple[Callable[[Any], bool], str]]] = {
        "metric": (lambda v: v is None or v in _METRICS, f"None or one of {', '.join(_METRICS)}"),
        "selection": (lambda v: v in ("coverage", "score"), "'coverage' or 'score'"),
    }

    # -- parameters ----------------------------------------------------------
    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return [p.name for p in sig.parameters.values() if p.name != "self" and p.kind != p.VAR_KEYWORD]

    def get_params(self) -> dict[str, Any]:
        """The constructor arguments (as scikit-learn's ``get_params(deep=False)``)."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> MetaLearner:
        """Set constructor arguments; unknown names raise."""
        valid = self._param_names()
        for key, value in params.items():
            if key not in valid:
                raise DataError(f"{type(self).__name__} has no parameter {key!r}; parameters: {', '.join(valid)}.")
            setattr(self, key, value)
        return self

    def clone(self) -> MetaLearner:
        """An unfitted copy with the same parameters (encoders are copied too)."""
        return type(self)(**copy.deepcopy(self.get_params()))

    def _validate_params(self) -> None:
        rules: dict[str, tuple[Callable[[Any], bool], str]] = {}
        for klass in reversed(type(self).__mro__):
            rules.update(getattr(klass, "_parameter_rules", {}))
        for name, value in self.get_params().items():
            if name in rules:
                check, allowed = rules[name]
                if not check(value):
                    raise DataError(f"The {name!r} parameter of {type(self).__name__} must be {allowed}. "
                                    f"Got {value!r}.")

    def __repr__(self) -> str:
        sig = inspect.signature(type(self).__init__)
        parts = []
        for name, value in self.get_params().items():
            default = sig.parameters[name].default
            if default is inspect.Parameter.empty or not _same(value, default):
                parts.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    # -- fitting ---------------------------------------------------------------
    def fit(self, knowledge_base: Any) -> MetaLearner:
        """Learn from every finished dataset of ``knowledge_base``.

        Parameters
        ----------
        knowledge_base : KnowledgeBase
            Past results. One model is fitted per group of kinds present in it.

        Returns
        -------
        self
        """
        self._validate_params()
        groups: dict[str, Any] = {}
        data: dict[str, GroupData] = {}
        for group in GROUPS:
            gd = group_data(knowledge_base, group, getattr(self, "metric", None))
            if gd is None:
                continue
            data[group] = gd
            groups[group] = self._fit_group(gd, knowledge_base)
        if not groups:
            raise AutometaError("The knowledge base has no dataset with a successful evaluation: nothing to learn.")
        configs = knowledge_base.configurations
        self.configurations_ = pd.DataFrame({"family": configs["family"].astype(str).to_numpy(),
                                             "params": configs["params"].to_numpy()},
                                            index=pd.Index([str(c) for c in configs.index], name="config_id"))
        self.params_ = configuration_params(self.configurations_)
        self.data_ = data
        self.groups_ = groups
        self.manifest_ = dict(getattr(knowledge_base, "manifest", {}) or {})
        return self

    @abstractmethod
    def _fit_group(self, data: GroupData, knowledge_base: Any) -> Any:
        """Fit the model of one group; returns its fitted state."""

    @abstractmethod
    def _predict(self, state: Any, data: GroupData, task: Any) -> Prediction:
        """Predict for one task (a Task or a meta-feature Series)."""

    # -- ranking ---------------------------------------------------------------
    def rank(self, task: Any, *, top: int | None = None, families: Sequence[str] | None = None,
             time_budget: float | None = None, kind: str | None = None) -> pd.DataFrame:
        """Rank the portfolio for ``task``, best first.

        Parameters
        ----------
        task : Task or pandas.Series
            The task, or its precomputed meta-feature vector (named by the dataset;
            then ``kind`` is needed, unless the learner knows one group only).
        top : int, optional
            Return the first ``top`` configurations (default: all).
        families : sequence of str, optional
            Only configurations of these pipeline families.
        time_budget : float, optional
            Only configurations expected to fit within this many seconds each
            (from the recorded fit times, scaled to the task's size). When none
            is, the fastest ones are returned, with a warning.
        kind : {"binary", "multiclass", "regression"}, optional
            The task's kind when ``task`` is a Series (a Task knows its own).

        Returns
        -------
        pandas.DataFrame
            Columns ``rank`` (1 = first to try), ``config_id``, ``family``,
            ``params`` (dict), ``predicted_score`` (normalised: 1 = as good as the
            best configuration, 0 = as the median one), ``expected_fit_seconds`` and
            ``why``. ``attrs["neighbours"]`` lists the datasets the ranking leans on
            (dicts of ``dataset``, ``distance``, ``weight``).
        """
        data, pred, order, seconds, note = self._select(task, top=top, families=families,
                                                        time_budget=time_budget, kind=kind)
        table = pd.DataFrame({
            "rank": np.arange(1, len(order) + 1),
            "config_id": data.config_ids[order].astype(str),
            "family": data.families[order].astype(str),
            "params": [dict(self.params_[i]) for i in order],
            "predicted_score": pred.scores[order].astype(float),
            "expected_fit_seconds": seconds[order].astype(float),
            "why": [pred.why(int(i)) + note for i in order],
        })
        table.attrs["neighbours"] = [{"dataset": str(d), "distance": float(r["distance"]), "weight": float(r["weight"])}
                                     for d, r in pred.neighbours.iterrows()]
        table.attrs["metric"] = data.metric
        table.attrs["learner"] = repr(self)
        return table

    def _select(self, task: Any, *, top: int | None = None, families: Sequence[str] | None = None,
                time_budget: float | None = None, kind: str | None = None
                ) -> tuple[GroupData, Prediction, np.ndarray, np.ndarray, str]:
        """Predict, filter and order: ``(data, prediction, order, expected seconds, note)``."""
        from autometa.metalearn._data import require_fitted

        require_fitted(self)
        if top is not None and not _is_int_at_least(1)(top):
            raise DataError(f"The 'top' parameter of rank must be an int >= 1 or None. Got {top!r}.")
        if time_budget is not None and (isinstance(time_budget, bool) or not isinstance(
                time_budget, (int, float, np.number)) or not time_budget > 0):
            raise DataError(f"The 'time_budget' parameter of rank must be a float > 0 or None. Got {time_budget!r}.")
        group = self._group_for(task, kind)
        data, state = self.data_[group], self.groups_[group]
        pred = self._predict(state, data, task)
        rows, features = _task_size(task)
        seconds = data.fit_time.predict(rows, features)
        candidates = np.arange(data.n_configs)
        if families is not None:
            families = [families] if isinstance(families, str) else list(families)
            known = sorted(set(data.families))
            unknown = [f for f in families if f not in known]
            if unknown:
                raise DataError(f"Unknown pipeline family {unknown[0]!r}; the portfolio has {', '.join(known)}.")
            candidates = candidates[np.isin(data.families[candidates], families)]
        budget_note = ""
        if time_budget is not None:
            within = candidates[np.nan_to_num(seconds[candidates], nan=np.inf) <= time_budget]
            if len(within) == 0:
                import warnings

                fastest = candidates[np.argsort(np.nan_to_num(seconds[candidates], nan=np.inf), kind="stable")]
                candidates = fastest[: (top or len(fastest))]
                warnings.warn(f"No configuration is expected to fit within {time_budget:g} s on this task; "
                              f"returning the fastest (from {np.nanmin(seconds):.3g} s).", AutometaWarning,
                              stacklevel=3)
                budget_note = "; fastest available (over the time budget)"
            else:
                candidates = within
        key = pred.scores if pred.key is None else pred.key
        if pred.extra.get("follow") is not None:  # lead picks by key, then another order (NearestDatasets)
            order = order_by_lead_then(key, pred.extra["follow"], candidates, top, redundancy=data.redundancy,
                                       lead=self.lead)
        elif self.selection == "coverage" and len(pred.weights):
            order = order_by_coverage(key, pred.scenarios, pred.weights, candidates, top,
                                      redundancy=data.redundancy, lead=self.lead, tie_break=self.exploitation)
        else:
            order = order_by_score(key, candidates, top)
        return data, pred, order, seconds, budget_note

    def _group_for(self, task: Any, kind: str | None) -> str:
        task_kind = getattr(task, "kind", None) if not isinstance(task, pd.Series) else None
        kind = kind or task_kind
        if kind is None:
            if len(self.groups_) == 1:
                return next(iter(self.groups_))
            raise DataError("Pass kind= ('binary', 'multiclass' or 'regression') when ranking for a "
                            "meta-feature Series: this learner knows both classification and regression.")
        group = group_of(kind)
        if group not in self.groups_:
            raise AutometaError(f"This {type(self).__name__} was fitted on a knowledge base without {group} "
                                f"datasets; it cannot rank for a {kind} task.")
        return group

    # -- persistence -------------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Save the (fitted) learner with joblib; returns the path.

        Examples
        --------
        >>> learner.save("learner.joblib")                      # doctest: +SKIP
        >>> MetaLearner.load("learner.joblib")                  # doctest: +SKIP
        """
        import joblib

        from autometa._io import atomic_write_bytes

        path = Path(path)
        import io

        buffer = io.BytesIO()
        joblib.dump(self, buffer, compress=3)
        atomic_write_bytes(buffer.getvalue(), path)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> MetaLearner:
        """Load a learner saved by :meth:`save` (it must be an instance of ``cls``)."""
        import joblib

        try:
            obj = joblib.load(Path(path))
        except FileNotFoundError:
            raise DataError(f"No saved meta-learner at {path}.") from None
        except Exception as exc:
            raise AutometaError(f"{path} is not a readable saved meta-learner ({type(exc).__name__}: {exc}).") \
                from exc
        if not isinstance(obj, cls):
            raise AutometaError(f"{path} holds a {type(obj).__name__}, not a {cls.__name__}.")
        return obj


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) if not isinstance(a, np.ndarray) else False
    except Exception:
        return a is b


def _task_size(task: Any) -> tuple[float | None, float | None]:
    """Rows and features of a Task, or ``nr_inst``/``nr_attr`` of a meta-feature Series."""
    if isinstance(task, pd.Series):
        rows, feats = task.get("nr_inst"), task.get("nr_attr")
        try:
            return (None if rows is None else float(rows)), (None if feats is None else float(feats))
        except (TypeError, ValueError):
            return None, None
    rows = getattr(task, "n_rows", None)
    feats = getattr(task, "n_features", None)
    return (None if rows is None else float(rows)), (None if feats is None else float(feats))


#: a neighbour where at least this share of the portfolio ties with the best is not cited in ``why``
TRIVIAL_TIE_SHARE = 0.2


def neighbour_why(data: GroupData, neighbours: pd.DataFrame, index: int, limit: int = 2) -> str:
    """'best on X (0.93); 2nd on Y (0.88)': how configuration ``index`` did on the nearest datasets."""
    if neighbours.empty:
        return ""
    rows = data.rows_of([d for d in neighbours.index if d in set(data.datasets)])
    rows = [r for r in rows if data.tried[r, index]]  # sparse bases: only where it was evaluated
    # a dataset on which many configurations tie with the best says little about this one: "best on irish
    # (1)" is true of 41 % of the portfolio
    rows = [r for r in rows if np.mean(data.raw[r] >= np.nanmax(data.raw[r]) - 1e-6) < TRIVIAL_TIE_SHARE]
    if not rows:
        return ""
    raw = data.raw[rows]
    z = data.norm[rows, index]
    ranks = 1 + np.sum(np.nan_to_num(raw, nan=-np.inf) > np.nan_to_num(raw[:, [index]], nan=-np.inf), axis=1)
    order = np.argsort(-z, kind="stable")[:limit]
    parts = []
    for k in order:
        value = raw[k, index]
        shown = "failed" if not np.isfinite(value) else f"{value:.3g}"
        place = "best" if ranks[k] == 1 else f"#{ranks[k]}"
        parts.append(f"{place} on {data.datasets[rows[k]]} ({shown})")
    return "; ".join(parts)
