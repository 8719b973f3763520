"""Optuna trials as rows of a knowledge base: what :meth:`UserKnowledgeBase.record` stores of a study.

Which trials count (complete and failed; pruned, running and waiting ones are
skipped and counted), which family each belongs to, its parameters under the
family's names (a name that maps to none is refused, never dropped), and the
evaluation row (the metric the study's values are, the fit time). The storage
itself (locks, atomic writes, the tables) is :mod:`autometa.knowledge.user`'s.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autometa.exceptions import DataError
from autometa.knowledge._configs import _canonical, _family_of, unmapped_params
from autometa.knowledge._schema import CLASSIFICATION_METRICS, GREATER_IS_BETTER, REGRESSION_METRICS
from autometa.metrics import check_metric

#: origin of configurations, datasets and evaluations recorded from a user's runs
USER_ORIGIN = "user"


# -- trials -------------------------------------------------------------------------------
@dataclass
class RecordReport:
    """What one :meth:`UserKnowledgeBase.record` call stored.

    Attributes
    ----------
    dataset : str
        The dataset's name in the user base.
    n_evaluations : int
        Trials stored (new or replaced).
    n_new_configurations : int
        Configurations not in the portfolio, added with origin ``"user"``.
    skipped : dict
        Reason -> count of trials not stored (pruned, running, no family...).
    """

    dataset: str
    n_evaluations: int = 0
    n_new_configurations: int = 0
    skipped: dict[str, int] = field(default_factory=dict)


def study_key(study: Any) -> str:
    """A study's name and where it lives: studies of one name in two storages are two studies.

    The storage is named by a hash of its URL (which may hold a password); an
    in-memory study by its name alone (autometa's are unique).

    Examples
    --------
    >>> import optuna
    >>> study_key(optuna.create_study(study_name="s"))
    's'
    """
    storage = getattr(study, "_storage", None)
    storage = getattr(storage, "_backend", storage)  # a cache around a database; a journal's file
    url = getattr(storage, "url", None) or getattr(storage, "_file_path", None)
    if url is None:
        return str(study.study_name)
    return f"{study.study_name}@{hashlib.sha256(str(url).encode()).hexdigest()[:8]}"


def as_trials(study_or_trials: Any) -> tuple[list[Any], str, dict[str, Any], str | None]:
    """``(trials, study key, study user attrs, direction)`` of a Study or a list of FrozenTrials."""
    import optuna

    if isinstance(study_or_trials, optuna.Study):
        study = study_or_trials
        return (list(study.get_trials(deepcopy=False)), study_key(study), dict(study.user_attrs),
                study.direction.name.lower())
    if isinstance(study_or_trials, Iterable) and not isinstance(study_or_trials, (str, bytes, Mapping)):
        trials = list(study_or_trials)
        if not all(isinstance(t, optuna.trial.FrozenTrial) for t in trials):
            raise DataError("record() takes an optuna.Study or a list of optuna.trial.FrozenTrial.")
        # a list has no name: its key is a hash of its trials, so recording it again is idempotent
        digest = hashlib.sha256(repr([(t.number, sorted(t.params.items()), t.value, str(t.datetime_start))
                                      for t in trials]).encode()).hexdigest()[:12]
        return trials, f"trials-{digest}", {}, None
    raise DataError(f"record() takes an optuna.Study or a list of FrozenTrial; got {type(study_or_trials).__name__}.")


def check_record_metric(metric: str | None, kind: str, attrs: Mapping[str, Any], direction: str | None) -> str:
    metric = check_metric(metric or attrs.get("autometa_metric"), kind, "record")
    if direction is not None and (direction == "maximize") != GREATER_IS_BETTER[metric]:
        raise DataError(f"The study is {direction}d, but {metric!r} is "
                        f"{'greater' if GREATER_IS_BETTER[metric] else 'lower'}-is-better: name the metric the "
                        "study's values are (metric=..., --metric).")
    return metric


def trial_records(trials: list[Any], *, dataset: str, kind: str, metric: str, study_key: str, now: str,
                  report: RecordReport, family: str | None = None,
                  param_map: Mapping[str, str] | None = None) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """``(family, canonical params, evaluation row)`` of each complete or failed trial; the others are counted in
    ``report.skipped``. A study parameter that is no parameter of its trial's family (after ``param_map``) is a
    :class:`DataError` naming it and the mapping to pass."""
    rename = dict(param_map or {})
    unmapped: set[str] = set()
    pending: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    for trial in trials:
        state = trial.state.name.lower()
        if state not in ("complete", "fail"):
            report.skipped[state] = report.skipped.get(state, 0) + 1
            continue
        given = {rename.get(k, k): v for k, v in trial.params.items()}
        fam = _family_of(given, family)
        if fam is None:
            report.skipped["no family"] = report.skipped.get("no family", 0) + 1
            continue
        unmapped.update(unmapped_params(given, fam, family is not None))
        params = _canonical(fam, given, kind)
        value = trial.value if state == "complete" else None
        ok = value is not None and math.isfinite(float(value))
        seconds = trial.user_attrs.get("autometa_fit_seconds")
        if seconds is None and trial.datetime_start and trial.datetime_complete:
            seconds = (trial.datetime_complete - trial.datetime_start).total_seconds()
        record = {"dataset": dataset, "status": "ok" if ok else "error",
                  **{m: np.nan for m in (*CLASSIFICATION_METRICS, *REGRESSION_METRICS)},
                  "fit_seconds": float(seconds) if seconds is not None else np.nan,
                  "predict_seconds": np.nan, "study": study_key, "trial": int(trial.number),
                  "origin": USER_ORIGIN, "recorded": now}
        if ok:
            record[metric] = float(value)  # type: ignore[arg-type]
        pending.append((fam, params, record))

    if unmapped:
        names = sorted(unmapped)
        raise DataError(f"Study parameter(s) {names} are not parameters of the trials' pipeline family "
                        f"({family or 'read from each trial'}): map each to one, e.g. --map "
                        f"{names[0]}=NAME (param_map={{{names[0]!r}: 'NAME'}}), so nothing is stored as if it "
                        "were the library default.")
    return pending
