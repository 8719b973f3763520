"""The search behind ``autometa.fit``: warm-started, pruned, time-budgeted, resumable.

One Optuna study over the conditional space (family, then its parameters); the
first trials are the configurations the meta-learner recommends
(:func:`~autometa.search.warm_start`); each trial cross-validates its pipeline and
reports the running mean score after every fold, so a median pruner stops hopeless
trials early. The budget covers everything: recommending, searching and refitting
the best pipeline on all the data. No trial starts when the time left is short, and
every fold is bounded by the time left (``SIGALRM`` in the main thread).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import optuna
import pandas as pd

from autometa.exceptions import DataError
from autometa.search._budget import Budget
from autometa.search._final import build_ensemble, final_model
from autometa.search._metric import check_scorer_runs, resolve_metric
from autometa.search._objective import Objective, optimize
from autometa.search._progress import SearchProgress
from autometa.search._recommend import describe, recommend_for
from autometa.search._select import REGRESSION_SE_RULE, SE_RULE, choose
from autometa.search._space import check_families, conditional_space
from autometa.search._study import (
    ATTR,
    LEADERBOARD_COLUMNS,
    candidates,
    claim_warm_start,
    leaderboard,
    open_study,
    optuna_quiet,
)
from autometa.search._validation import check_cv, plan_validation, user_validation

log = logging.getLogger(__name__)

__all__ = ["LEADERBOARD_COLUMNS", "SearchResult", "leaderboard", "run_search"]


@dataclass
class SearchResult:
    """What :func:`run_search` found.

    Attributes
    ----------
    study : optuna.Study
        The study (all its trials, this session's and earlier ones).
    family, params : str, dict
        The best configuration (canonical parameter names).
    pipeline : sklearn.pipeline.Pipeline
        That configuration refitted on all the data.
    leaderboard : DataFrame
        Finished trials, best first (:data:`LEADERBOARD_COLUMNS`).
    recommendations : DataFrame
        What the meta-learner recommended (empty without warm start).
    metric : str
        The metric optimised (greater is better unless it is a loss or an error).
    kind : str
        The task kind.
    elapsed : float
        Wall-clock seconds of the whole call.
    n_trials : int
        Trials run in this call.
    notes : list of str
        What went differently from the plan, in words (fallbacks, samples, failures).
    n_validated : int
        Trials of this call that were cross-validated to the end.
    final_model : str
        How the returned pipeline was made: ``"refit"``, ``"refit on a sample"``,
        ``"fold model"``, ``"unvalidated"``, ``"fallback"`` (see
        :func:`~autometa.search._final.final_model`) or ``"ensemble"``.
    validation : str
        How each trial was validated, in words (``"5-fold x 2"``, ``"3-fold"``,
        ``"holdout 20 %"``).
    chosen : int or None
        The trial returned (or seeding the ensemble): the first-recommended of the
        trials within one standard error of the best score (in regression, the best score)
        (:mod:`autometa.search._select`); the leaderboard's ``chosen`` column marks it.
    """

    study: optuna.Study
    family: str
    params: dict[str, Any]
    pipeline: Any
    leaderboard: pd.DataFrame
    recommendations: pd.DataFrame
    metric: str
    kind: str
    elapsed: float
    n_trials: int
    notes: list[str] = field(default_factory=list)
    n_validated: int = 0
    final_model: str = "refit"
    validation: str = ""
    chosen: int | None = None


def _encode_target(task: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """The target as floats (regression) or as positions 0..k-1 into the sorted classes, and the classes."""
    if task.kind == "regression":
        return task.y.to_numpy(dtype=float), None
    classes, y = np.unique(task.y.to_numpy(), return_inverse=True)
    return y, classes


def check_sample_weight(sample_weight: Any, n_rows: int, owner: str) -> np.ndarray | None:
    """``sample_weight`` as floats, checked: one finite, non-negative weight per row, not all zero.

    Examples
    --------
    >>> check_sample_weight([1, 2, 0.5], 3, "fit")
    array([1. , 2. , 0.5])
    >>> check_sample_weight([1, -2, 0.5], 3, "fit")
    Traceback (most recent call last):
    ...
    autometa.exceptions.DataError: The 'sample_weight' of fit must be finite and >= 0; row 1 has -2.0.
    """
    if sample_weight is None:
        return None
    try:
        w = np.asarray(sample_weight, dtype=float)
    except (TypeError, ValueError):
        raise DataError(f"The 'sample_weight' of {owner} must be numbers, one per row. Got "
                        f"{type(sample_weight).__name__}.") from None
    if w.ndim != 1 or len(w) != n_rows:
        raise DataError(f"The 'sample_weight' of {owner} must have one weight per row: {n_rows} rows, "
                        f"{w.shape} weights.")
    bad = np.flatnonzero(~np.isfinite(w) | (w < 0))
    if len(bad):
        raise DataError(f"The 'sample_weight' of {owner} must be finite and >= 0; row {bad[0]} has {w[bad[0]]}.")
    if not w.sum() > 0:
        raise DataError(f"The 'sample_weight' of {owner} are all zero; give some rows a positive weight.")
    return w


def _validation(task: Any, y: np.ndarray, classification: bool, budget: Budget, n_folds: int | None, cv: Any,
                groups: Any, seed: int, owner: str) -> Any:
    """The caller's splits (``cv``, ``groups``), else the plan for the data's size and the budget."""
    check_cv(cv, owner)
    if n_folds is not None and cv is not None and cv != "auto":
        raise DataError(f"{owner} takes 'n_folds' or 'cv', not both; pass cv={n_folds} alone.")
    if groups is not None:
        groups = np.asarray(groups)
        if groups.ndim != 1 or len(groups) != len(y):
            raise DataError(f"The groups given to {owner} must hold one label per row: {len(y)} rows, "
                            f"{groups.shape} labels.")
    given = user_validation(cv, task.X, y, groups, classification, seed, owner)
    if given is not None:
        return given
    return plan_validation(y, classification, task.X.shape[1], budget.seconds, n_folds=n_folds, seed=seed)


def run_search(task: Any, *, time_budget: float = 60.0, metric: str | None = None, storage: Any = None,
               study_name: str | None = None, n_jobs: int = 1, warm_start: bool = True,
               random_state: int | None = None, families: Sequence[str] | None = None,
               n_trials: int | None = None, n_folds: int | None = None, cv: Any = None, n_warm: int = 30,
               learner: Any = "default",
               knowledge_base: Any = None, progress: bool = False, owner: str = "fit",
               budget: Budget | None = None, final_reserve: float = 0.0, ensemble: bool = True,
               log_file: Any = None, sample_weight: Any = None, classes: Any = None,
               groups: Any = None) -> SearchResult:
    """Search pipelines for ``task`` within ``time_budget`` seconds and refit the best (or an ensemble).

    Parameters
    ----------
    task : Task
        The data (see :func:`autometa.load_task`).
    time_budget : float, default=60
        Wall-clock seconds for everything (recommend, search, refit); kept within
        10 % on data where one fit takes well under the budget.
        SVM fits and k-NN predictions cannot be interrupted: on more than 4,000
        training rows an SVM or k-NN trial is first timed on a 2,000-row sample and
        skipped when it would overrun, and a final SVM refit that would overrun uses
        a random sample (with a warning).
    metric : str or callable, optional
        A metric of the task's kind (default: balanced accuracy / R²): one of
        autometa's (:mod:`autometa.metrics`), any scikit-learn scorer name (``"f1"``,
        ``"neg_median_absolute_error"``...) or a scorer callable
        (``make_scorer(...)``), see :mod:`autometa.search._metric`. The
        recommendations are ranked by the closest metric the knowledge base has.
    storage : str or optuna storage, optional
        Where the study lives (``"sqlite:///s.db"``, a ``JournalStorage``...); with
        ``study_name`` an existing study is resumed.
    study_name : str, optional
        Name of the study in ``storage``.
    n_jobs : int, default=1
        Trials run in parallel threads (-1: one per CPU).
    warm_start : bool, default=True
        Start from the meta-learner's recommendations.
    random_state : int, optional
        Seed of the sampler, the folds and the models.
    families : list of str, optional
        Pipeline families to search (default: all).
    n_trials : int, optional
        Stop after this many trials in this call (the budget still applies).
    n_folds : int, optional
        Cross-validation folds, once; each is an intermediate value for the pruner.
        Default: by the data's size and the budget
        (:func:`~autometa.search._validation.plan_validation`): 5 folds twice on up
        to 1,000 rows, 5 folds on up to 5,000, one 20 % holdout where 3 folds
        would leave room for few trials, else 3 folds.
    cv : int, str, splitter or list of (train, test), optional
        The validation by name or object, instead of ``n_folds``: ``"auto"`` (the
        plan above), ``"holdout"`` (one stratified 20 % holdout), an int (that many
        folds), a scikit-learn splitter (``GroupKFold``, ``TimeSeriesSplit``...; it
        gets ``groups``) or the splits themselves.
    n_warm : int, default=30
        Recommended configurations enqueued first (the meta-learner's diverse
        list, near copies left out), before the sampler takes over.
    learner, knowledge_base
        The meta-learner and knowledge base for the recommendations.
    progress : bool, default=False
        Show a progress bar with the best score so far (on stderr).
    budget : Budget, optional
        A budget that started earlier (the caller's), instead of one of
        ``time_budget`` seconds starting now.
    final_reserve : float, default=0
        Seconds kept back at the end for the caller (recording the run).
    ensemble : bool, default=True
        Build the final model by greedy ensemble selection with replacement over
        the completed trials' out-of-fold predictions (:mod:`autometa.search.ensemble`),
        its members refitted on all rows within the budget; ``False``, or when the
        selection keeps one trial, the best trial alone.
    log_file : str or path, optional
        Append one JSON line per finished trial to this file, as it finishes.
    groups : array-like of shape (n_rows,), optional
        Group labels: no group is on both sides of a split (``GroupKFold`` over up
        to 5 groups unless ``cv`` is a splitter, which gets them).
    sample_weight : array-like of shape (n_rows,), optional
        Row weights: passed to every fit whose model takes them (k-NN does not) and
        used in every score (each split's, the ensemble's, the refit's check).
    classes : array-like, optional
        The class labels ``task.y`` holds positions of (a scorer sees these labels);
        default: ``task.y``'s own sorted values.

    Returns
    -------
    SearchResult

    Examples
    --------
    >>> from autometa.tasks import load_task
    >>> from autometa.search import run_search
    >>> task = load_task("sklearn:iris")
    >>> result = run_search(task, time_budget=5, warm_start=False, families=["linear"],
    ...                     n_trials=3, random_state=0)
    >>> result.family
    'linear'
    """
    budget = budget if budget is not None else Budget(time_budget)
    families = check_families(families, owner)
    kind = task.kind
    y, labels = _encode_target(task)
    n_classes = None if labels is None else len(labels)
    if classes is not None and labels is not None:
        labels = np.asarray(classes)[labels]  # task.y holds positions into the caller's classes
    goal = resolve_metric(metric, kind, owner, classes=labels)
    weight = check_sample_weight(sample_weight, len(y), owner)
    check_scorer_runs(goal, y, n_classes, owner, weight)
    metric = goal.name
    notes: list[str] = []
    if not goal.builtin and warm_start:
        notes.append(f"The knowledge base holds no {metric} scores: the recommendations are ranked by "
                     f"{goal.knowledge}, the search by {metric}.")
    direction = "maximize" if goal.greater_is_better else "minimize"
    if n_jobs == -1:
        n_jobs = os.cpu_count() or 1
    seed = 0 if random_state is None else int(random_state)
    validation = _validation(task, y, n_classes is not None, budget, n_folds, cv, groups, seed, owner)
    n_splits = len(validation.splits)
    space = conditional_space(kind, families)
    log.info("searching %s (%d rows x %d columns, %s) for %g s by %s; validation: %s", task.name, len(y),
             task.X.shape[1], kind, budget.seconds, metric, validation.method)

    with optuna_quiet(True):  # the progress bar, not per-trial log lines, shows the search
        from autometa.search._storage import open_storage

        storage = open_storage(storage)
        study = open_study(storage, study_name, direction, random_state, kind, metric)
        recs = pd.DataFrame()
        if warm_start and claim_warm_start(study, storage):
            from autometa.search.warm_start import warm_start as enqueue

            describe(task, budget)

            recs, rec_notes = recommend_for(task, families=families, n=max(n_warm + 10, 30), metric=goal.knowledge,
                                            learner=learner, knowledge_base=knowledge_base,
                                            time_budget=max(budget.remaining() / (2 * (n_splits + 1)), 0.01),
                                            budget=budget, n_jobs=n_jobs)
            notes += rec_notes
            enqueue(study, task, n_trials=n_warm, search_space=space, recommendations=recs)
            log.info("%.1f s: %d recommended configurations enqueued", budget.elapsed(), min(n_warm, len(recs)))
            study.set_user_attr(ATTR + "warm_start", {"enqueued": int(min(n_warm, len(recs))),
                                                       "by": f"{socket.gethostname()}:{os.getpid()}"})
        objective = Objective(task, y, n_classes, validation, families, goal, seed, budget,
                              reserve=final_reserve, ensemble=ensemble, log_file=log_file, sample_weight=weight)
        objective.remember(study.get_trials(deepcopy=False))
        with SearchProgress(budget.seconds, enabled=progress, metric=metric) as bar:
            optimize(study, objective, budget, n_trials, n_jobs, bar)
            board = leaderboard(study)
            bar.update(elapsed=budget.elapsed(), trials=len(objective.durations), best=objective.best,
                       family=objective.family, note="refitting the best")
            chosen = choose(candidates(study, validation.train_rows, len(y)),
                            greater_is_better=goal.greater_is_better, test_share=validation.test_share,
                            c=REGRESSION_SE_RULE if kind == "regression" else SE_RULE,
                            seconds_left=budget.remaining(final_reserve))
            board = board.assign(chosen=board["trial"] == chosen)
            family, params, pipeline, how = final_model(task, y, n_classes, board, recs, objective, families,
                                                        budget, seed, notes, final_reserve, time_budget,
                                                        chosen=chosen)
            if how == "fold model" and objective.kept is not None and objective.kept[0] != chosen:
                chosen = objective.kept[0]  # the chosen trial's refit did not finish: the best's fold model
                board = board.assign(chosen=board["trial"] == chosen)
            if ensemble and how in ("refit", "refit on a sample"):
                pipeline, board, how = build_ensemble(task, y, n_classes, board, objective, pipeline, budget,
                                                      seed, notes, final_reserve, chosen=chosen)
            bar.update(elapsed=budget.elapsed(), trials=len(objective.durations), best=objective.best,
                       family=objective.family, note="done")
    # this call's own trials (on a shared study, other workers' trials and numbers interleave with them)
    n_run, n_valid = len(objective.durations), objective.n_complete
    log.info("%.1f s: %d trials (%d validated); chose trial %s (%s); final model: %s", budget.elapsed(), n_run,
             n_valid, chosen, family, how)
    for note in notes:
        log.info("note: %s", note)
    return SearchResult(study=study, family=family, params=params, pipeline=pipeline, leaderboard=board,
                        recommendations=recs, metric=metric, kind=kind, elapsed=budget.elapsed(),
                        n_trials=max(n_run, 0), notes=notes, n_validated=n_valid, final_model=how,
                        validation=validation.method, chosen=chosen)
