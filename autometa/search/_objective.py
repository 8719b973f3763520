"""The cross-validation objective a search's trials run, and the loop that runs them within the budget."""

from __future__ import annotations

import logging
import math
import time
import traceback
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import optuna
from optuna.trial import TrialState

from autometa.search import _cost
from autometa.search._budget import Budget, BudgetExceeded, time_limit
from autometa.search._cost import UNINTERRUPTIBLE, refit_reserve, setup_seconds
from autometa.search._progress import SearchProgress
from autometa.search._space import FAMILY_PARAM, suggest_pipeline
from autometa.search._study import ATTR, is_double_tell
from autometa.search._validation import Validation

if TYPE_CHECKING:
    from autometa.search._metric import SearchMetric

log = logging.getLogger(__name__)

#: the search keeps back this much more than the best's refit for the other members of an ensemble
ENSEMBLE_REFIT_SHARE = 1.0
#: and never more than this share of the budget for refits: on big data a refit on all rows can cost more than
#: the whole search; past the cap the final model is refitted on a sample (``_final.REFIT_SAMPLE_SHARE``)
REFIT_RESERVE_CAP = 0.35


def _rounded(value: Any) -> Any:
    """``value`` to two significant digits when it is a number (bools and strings as they are)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return value
    value = float(value)
    if value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.2g}")


def near_key(family: str, params: dict[str, Any]) -> tuple[Any, ...]:
    """What two configurations share when they are near copies: the family and every parameter to 2 digits.

    Examples
    --------
    >>> near_key("svm", {"C": 1.012, "gamma": 0.0503}) == near_key("svm", {"C": 1.0, "gamma": 0.0498})
    True
    >>> near_key("svm", {"C": 1.0, "gamma": 0.05}) == near_key("svm", {"C": 1.2, "gamma": 0.05})
    False
    """
    return (family, *sorted((name, _rounded(v)) for name, v in params.items()))


class Objective:
    """Cross-validates one suggested pipeline per call, within the budget; keeps the best trial's last fold model.

    The kept model (trained on all rows but one fold's) is the final model when a
    refit on all rows would not fit in what is left of the budget.
    """

    def __init__(self, task: Any, y: np.ndarray, n_classes: int | None, validation: Validation | list[Any],
                 families: list[str], metric: SearchMetric | str, seed: int, budget: Budget, reserve: float = 0.0,
                 ensemble: bool = False, log_file: Any = None, sample_weight: np.ndarray | None = None) -> None:
        import threading

        from autometa.search._metric import resolve_metric
        from autometa.search.ensemble import OutOfFold

        if isinstance(metric, str):
            metric = resolve_metric(metric, task.kind, "the search")

        if not isinstance(validation, Validation):  # plain (train, test) folds
            validation = Validation(list(validation), 1, np.arange(len(y)), f"{len(validation)}-fold")
        self.validation = validation
        self.task, self.X, self.y, self.n_classes = task, task.X, y, n_classes
        self.folds = validation.splits
        #: position of each validated row in the out-of-fold arrays (-1: not validated)
        self.position = np.full(len(y), -1)
        self.position[validation.rows] = np.arange(len(validation.rows))
        self.oof_y = y[validation.rows]
        #: how many splits predict each row (out-of-fold predictions are their mean)
        self.row_repeats = np.zeros(len(y))
        self.row_repeats[validation.rows] = validation.row_repeats
        #: R² of a split is taken against the variance of the whole target, not of the split's few rows: on
        #: 50 rows a 5-fold split's own variance is so noisy that its R² ranged over [-5, 1] (heavy-tailed
        #: means, and standard errors that called everything a tie); the mean over equal splits is then the
        #: pooled out-of-fold R²
        #: the rows' weights (None: unweighted), in every fit that takes them and in every score
        self.weight = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        self.y_variance = float(np.cov(y, aweights=self.weight, bias=True)) if n_classes is None and len(y) > 1 else 0.0
        self.seen: dict[tuple[Any, ...], int] = {}  # near-duplicate key -> trial number
        self.families, self.metric, self.seed, self.budget = families, metric, seed, budget
        self.categorical = list(task.categorical)
        self.sign = 1.0 if metric.greater_is_better else -1.0
        self.extra_reserve = reserve
        self.durations: list[float] = []
        self.n_complete = 0
        self.best: float | None = None
        self.family: str | None = None
        self.fold_fit = 0.0
        self.kept: tuple[int, float, Any] | None = None  # (trial number, score, last fold's fitted model)
        self.log_file = log_file
        self._lock = threading.Lock()
        self.oof = (OutOfFold(len(validation.rows), n_classes, greater_is_better=metric.greater_is_better)
                    if ensemble else None)

    def remember(self, trials: Any) -> None:
        """Count the configurations of ``trials`` (earlier ones of a resumed study) as run."""
        from autometa.search._space import split_params

        for t in trials:
            if t.state == TrialState.COMPLETE and FAMILY_PARAM in t.params:
                family, params = split_params(t.params)
                self.seen.setdefault(near_key(family, params), t.number)

    def reserve(self) -> float:
        """Seconds kept back for the final refit (and the caller's ``final_reserve``).

        With an ensemble (once two trials are complete), twice the best's refit: time
        for other members' refits.
        """
        refit = refit_reserve(self.family, self.fold_fit, self.validation.train_rows, len(self.y), self.budget.seconds)
        ensemble = self.oof is not None and self.n_complete >= 2  # an ensemble needs two trials
        refits = refit * (1.0 + ENSEMBLE_REFIT_SHARE * ensemble)
        return self.extra_reserve + min(refits, REFIT_RESERVE_CAP * self.budget.seconds)

    def __call__(self, trial: optuna.Trial) -> float:
        from autometa.pipelines import get_family
        from autometa.scoring import class_probabilities, fit_model, predict_for_scoring

        X, y, budget, seed = self.X, self.y, self.budget, self.seed
        family, params = suggest_pipeline(trial, self.task.kind, self.families)
        key = near_key(family, params)
        with self._lock:
            twin = self.seen.get(key)
            if twin is None:
                self.seen[key] = trial.number
        if twin is not None:  # a near copy of a trial already run: no new information, no time spent
            trial.set_user_attr(ATTR + "duplicate_of", int(twin))
            raise optuna.TrialPruned(f"a near duplicate of trial {twin}")
        scores: list[float] = []
        fit_seconds: list[float] = []
        if family in UNINTERRUPTIBLE:  # the time limit cannot stop it: time a sample first
            probe = get_family(family).build(params, self.task.kind, categorical=self.categorical,
                                             random_state=seed)
            expected = _cost.probe_fold_seconds(probe, family, X, y, self.folds[0][0], seed=seed,
                                                test_rows=len(self.folds[0][1]))
            if expected is not None:
                trial.set_user_attr(ATTR + "expected_fit_seconds", float(expected))
                if expected * len(self.folds) > budget.remaining(self.reserve()):
                    trial.set_user_attr(ATTR + "status", "too slow")
                    raise optuna.TrialPruned(f"{family} is expected to take {expected:.3g} s per fold, "
                                             "more than the time budget left")
        model = None
        oof = np.zeros(self.oof.shape) if self.oof is not None else None
        for step, (train, test) in enumerate(self.folds):
            left = budget.remaining(self.reserve())
            if left <= 0 or setup_seconds(family, len(train), X.shape[1]) > left:  # a fit whose first, unstoppable step would end past the budget
                trial.set_user_attr(ATTR + "status", "budget")
                raise optuna.TrialPruned("time budget spent")
            model = get_family(family).build(params, self.task.kind, categorical=self.categorical,
                                             random_state=seed)
            start = time.perf_counter()
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    with time_limit(left):
                        fit_model(model, X, y, self.weight, rows=train)
                        fit_seconds.append(time.perf_counter() - start)
                        pred, proba, is_proba = predict_for_scoring(model, X.iloc[test], self.n_classes)
                        w = None if self.weight is None else self.weight[test]
                        if self.metric.name == "r2" and self.y_variance > 0:  # against the whole target's variance
                            value = 1.0 - float(np.average((y[test] - pred) ** 2, weights=w)) / self.y_variance
                        else:
                            value = self.metric.score(y[test], pred, proba, is_proba, self.n_classes, w)
                        if oof is not None:  # the same predictions, kept for the ensemble (mean of repeats)
                            kept = pred if self.n_classes is None else class_probabilities(pred, proba,
                                                                                           self.n_classes)
                            share = 1.0 / self.row_repeats[test]
                            oof[self.position[test]] += kept * (share if kept.ndim == 1 else share[:, None])
            except BudgetExceeded:
                trial.set_user_attr(ATTR + "status", "budget")
                raise optuna.TrialPruned("time budget spent") from None
            except Exception as exc:  # a failing configuration is a failed trial, not a crash
                last = traceback.format_exception_only(type(exc), exc)[-1].strip()
                trial.set_user_attr(ATTR + "error", last[:300])
                raise
            if not math.isfinite(value):
                trial.set_user_attr(ATTR + "error", f"non-finite {self.metric.name}")
                raise ValueError(f"non-finite {self.metric.name}")
            scores.append(value)
            trial.report(float(np.mean(scores)), step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        mean = float(np.mean(scores))
        trial.set_user_attr(ATTR + "score_std", float(np.std(scores)))
        trial.set_user_attr(ATTR + "split_scores", [float(v) for v in scores])
        trial.set_user_attr(ATTR + "fit_seconds", float(np.mean(fit_seconds)))
        with self._lock:
            if self.kept is None or self.sign * mean > self.sign * self.kept[1]:
                self.kept = (trial.number, mean, model)
        if oof is not None and self.oof is not None:
            self.oof.add(trial.number, mean, oof.astype(np.float32))
        return mean

    def callback(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        if trial.datetime_start and trial.datetime_complete:
            self.durations.append((trial.datetime_complete - trial.datetime_start).total_seconds())
        self.n_complete += trial.state == TrialState.COMPLETE
        if trial.state == TrialState.COMPLETE and trial.value is not None:
            if self.best is None or self.sign * trial.value > self.sign * self.best:
                self.best, self.family = trial.value, trial.params.get(FAMILY_PARAM)
                self.fold_fit = trial.user_attrs.get(ATTR + "fit_seconds", 0.0)
                source = "recommended" if trial.user_attrs.get(ATTR + "config_id") else "sampled"
                log.info("%.1f s: trial %d (%s, %s) is the best so far: %s %.4f", self.budget.elapsed(),
                         trial.number, self.family, source, self.metric.name, trial.value)
        log.debug("%.1f s: trial %d %s (%s)", self.budget.elapsed(), trial.number, trial.state.name,
                  trial.params.get(FAMILY_PARAM))
        if self.log_file is not None:
            self._log_trial(trial)
        expected = float(np.median(self.durations)) if self.durations else 0.0
        if self.budget.remaining(self.reserve()) < max(0.5 * expected, 0.01 * self.budget.seconds):
            study.stop()


    def _log_trial(self, trial: optuna.trial.FrozenTrial) -> None:
        """One JSON line for a finished trial, appended to ``log_file`` (a write that fails is said once)."""
        import json

        from autometa.search._space import split_params

        family: str | None = None
        params: dict[str, Any] = dict(trial.params)
        if FAMILY_PARAM in trial.params:
            family, params = split_params(trial.params)
        attrs = {k[len(ATTR):]: v for k, v in trial.user_attrs.items() if k.startswith(ATTR)}
        line: dict[str, Any] = {"trial": trial.number, "state": trial.state.name.lower(), "family": family, "params": params,
                "score": trial.value, "metric": self.metric.name, "split_scores": attrs.get("split_scores"),
                "fit_seconds": attrs.get("fit_seconds"), "elapsed": round(self.budget.elapsed(), 3),
                "source": "warm start" if attrs.get("config_id") else "sampler",
                **{k: attrs[k] for k in ("status", "error", "duplicate_of") if k in attrs}}
        try:
            with self._lock, open(self.log_file, "a", encoding="utf-8") as f:
                f.write(json.dumps(line, default=str) + "\n")
        except OSError as exc:
            warnings.warn(f"Cannot write the trial log {self.log_file}: {exc}; the search goes on without it.",
                          stacklevel=2)
            self.log_file = None


def optimize(study: optuna.Study, objective: Objective, budget: Budget, n_trials: int | None, n_jobs: int,
              bar: SearchProgress) -> None:
    """Run trials until the budget (less the refit's reserve) or ``n_trials`` is spent."""
    def callback(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        objective.callback(study, trial)
        bar.update(elapsed=budget.elapsed(), trials=len(objective.durations), best=objective.best,
                   family=objective.family)

    for _attempt in range(5):
        left = None if n_trials is None else n_trials - len(objective.durations)
        if budget.remaining(objective.reserve()) <= 0 or (left is not None and left <= 0):
            break
        try:
            study.optimize(objective, n_trials=left, timeout=max(budget.remaining(objective.reserve()), 1e-3),
                           n_jobs=n_jobs, catch=(Exception,), callbacks=[callback])
            break
        except (ValueError, optuna.exceptions.UpdateFinishedTrialError) as exc:
            # Two workers on one SQLite study can both pop the same enqueued trial (SQLite has no
            # row lock); the other one finished it first, so nothing is lost: go on searching.
            # Optuna says so with a ValueError "Cannot tell a COMPLETE trial." (checked against
            # the installed Optuna by tests/search/test_loop.py) or, when the two writes
            # interleave, UpdateFinishedTrialError.
            if isinstance(exc, ValueError) and not is_double_tell(exc):
                raise
