"""What a search starts from: the task's meta-features and the meta-learner's recommendations, within the budget."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from autometa.exceptions import AutometaError
from autometa.search._budget import Budget

#: a learner that is not ready (not shipped, cached or in memory) is fitted inside a search only when
#: at least this many seconds, and half the budget, are left; else the search falls back to average rank
LEARNER_FIT_SECONDS = 20.0
#: average rank, fitted in a fraction of a second, needs at least this many seconds left
CHEAP_LEARNER_SECONDS = 3.0


def ready_learner(learner: Any, knowledge_base: Any, budget: Budget, n_jobs: int,
                   notes: list[str], metric: str | None = None) -> Any:
    """A fitted learner that fits in what is left of ``budget``: ``learner``, else average rank, else None.

    ``metric``: a metric other than the kind's primary one, which the learner is fitted on.
    """
    from autometa.metalearn import fitted_learner, get_learner

    if metric is not None:
        learner = get_learner(learner) if isinstance(learner, str) else learner
        if learner.get_params().get("metric") != metric and not hasattr(learner, "groups_"):
            learner = learner.clone().set_params(metric=metric)
    fitted = fitted_learner(learner, knowledge_base, fit=False)
    if fitted is not None:
        return fitted
    if budget.remaining() >= max(LEARNER_FIT_SECONDS, 0.5 * budget.seconds):
        return fitted_learner(learner, knowledge_base, n_jobs=n_jobs)
    cheap = get_learner("average_rank", **({} if metric is None else {"metric": metric}))
    fallback = fitted_learner(cheap, knowledge_base, fit=False)
    if fallback is None and budget.remaining() >= CHEAP_LEARNER_SECONDS:
        fallback = fitted_learner(cheap, knowledge_base, n_jobs=n_jobs)
    notes.append(f"the meta-learner {learner!r} was not fitted yet and its fit does not fit in the time budget: "
                 + ("average rank recommended instead" if fallback is not None else
                    "each family's defaults were tried instead")
                 + " (`autometa metadata refit` prepares it outside any budget)")
    return fallback


def recommend_for(task: Any, *, families: list[str], n: int, metric: str, learner: Any, knowledge_base: Any,
               time_budget: float, budget: Budget | None = None, n_jobs: int = 1
               ) -> tuple[pd.DataFrame, list[str]]:
    """Recommendations, falling back to average rank, then to each family's defaults.

    With a ``budget``, a learner that would have to be fitted first is replaced by a
    cheaper one when its fit does not fit in what is left (:func:`ready_learner`).
    """
    from autometa.metalearn import recommend
    from autometa.metrics import PRIMARY_METRIC

    notes: list[str] = []
    tried = [learner] if learner != "average_rank" else []
    for name in [*tried, "average_rank"]:
        try:
            model: Any = name
            if budget is not None:
                primary = PRIMARY_METRIC[task.kind]
                model = ready_learner(name, knowledge_base, budget, n_jobs, notes,
                                       metric=None if metric in (None, primary) else metric)
                if model is None:
                    break
            recs = recommend(task, top=n, metric=metric, learner=model, knowledge_base=knowledge_base,
                             families=families, time_budget=time_budget)
        except (AutometaError, ValueError, OSError, KeyError) as exc:
            notes.append(f"recommend(learner={name!r}) failed ({type(exc).__name__}: {exc})")
            continue
        if len(recs):
            return recs, notes
        notes.append(f"recommend(learner={name!r}) returned nothing")
    from autometa.pipelines import get_family

    rows = [{"rank": i + 1, "config_id": f"{f}-defaults", "family": f, "params": get_family(f).defaults(task.kind),
             "predicted_score": np.nan, "expected_fit_seconds": np.nan, "why": "library defaults"}
            for i, f in enumerate(families)]
    return pd.DataFrame(rows), notes


#: share of the budget the task's meta-features may take (at least ``METAFEATURE_SECONDS``)
METAFEATURE_SHARE = 0.1
METAFEATURE_SECONDS = 0.5


def describe(task: Any, budget: Budget) -> None:
    """Compute the task's meta-features (what the recommendation and the recording read) within a share of the budget.

    The extractor stops at the deadline and leaves what it did not reach as NaN
    (counted as typical by the task encoder); the result is cached on the task.
    """
    from autometa.knowledge.user import RECORD_EXTRACTION

    seconds = max(METAFEATURE_SHARE * budget.remaining(), min(METAFEATURE_SECONDS, budget.remaining() / 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            task.metafeatures(**RECORD_EXTRACTION, time_budget=max(seconds, 0.05))
        except Exception:  # the recommendation then says what failed, or falls back
            pass
