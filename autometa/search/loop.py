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

import contextlib
import math
import os
import socket
import time
import traceback
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import optuna
import pandas as pd
from optuna.trial import TrialState

from autometa.exceptions import AutometaError, AutometaWarning, DataError
from autometa.search._budget import Budget, BudgetExceeded, time_limit
from autometa.search._progress import SearchProgress
from autometa.search._space import (
    FAMILY_PARAM,
    check_families,
    conditional_space,
    split_params,
    suggest_pipeline,
)

__all__ = ["LEADERBOARD_COLUMNS", "SearchResult", "run_search"]

#: columns of :attr:`SearchResult.leaderboard`
LEADERBOARD_COLUMNS = ["rank", "trial", "family", "score", "score_std", "fit_seconds", "source",
                       "config_id", "params"]

_ATTR = "autometa_"


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
        ``"fold model"``, ``"unvalidated"`` or ``"fallback"`` (see ``_final_model``).
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


@contextlib.contextmanager
def _optuna_quiet(quiet: bool) -> Iterator[None]:
    """Optuna's per-trial log lines off for the duration (restored after)."""
    before = optuna.logging.get_verbosity()
    if quiet:
        optuna.logging.set_verbosity(optuna.logging.ERROR)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(before)


def _check_metric(metric: str | None, kind: str, owner: str) -> str:
    from autometa.knowledge._schema import (
        CLASSIFICATION_METRICS,
        PRIMARY_METRIC,
        REGRESSION_METRICS,
    )

    if metric is None:
        return PRIMARY_METRIC[kind]
    own = REGRESSION_METRICS if kind == "regression" else CLASSIFICATION_METRICS
    if metric not in own:
        raise DataError(f"The 'metric' parameter of {owner} must be None or one of {', '.join(own)} for a "
                        f"{kind} task. Got {metric!r}.")
    return metric


def _open_study(storage: Any, study_name: str | None, direction: str, seed: int | None,
                kind: str, metric: str) -> optuna.Study:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        sampler = optuna.samplers.TPESampler(seed=seed, multivariate=True, group=True)
    pruner = optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=0)
    from autometa.search._storage import open_storage

    storage = open_storage(storage)
    try:
        study = optuna.create_study(storage=storage, study_name=study_name,
                                    direction="maximize" if direction == "maximize" else "minimize",
                                    sampler=sampler, pruner=pruner, load_if_exists=True)
    except ValueError as exc:  # e.g. an existing study with another direction
        raise DataError(f"Cannot open study {study_name!r}: {exc}") from exc
    if study.direction.name.lower() != direction:
        raise DataError(f"Study {study_name!r} exists with direction {study.direction.name.lower()}, but the "
                        f"metric {metric!r} needs {direction}.")
    saved = study.user_attrs
    for key, value in (("kind", kind), ("metric", metric)):
        old = saved.get(_ATTR + key)
        if old is not None and old != value:
            raise DataError(f"Study {study_name!r} was run with {key} {old!r}; this search has {key} "
                            f"{value!r}. Use another study_name.")
        if old is None:
            study.set_user_attr(_ATTR + key, value)
    return study


#: seconds after which a warm-start claim whose trials never reached the study is taken over
CLAIM_TIMEOUT = 60.0


def _claim_warm_start(study: optuna.Study, storage: Any, *, timeout: float | None = None) -> bool:
    """Whether this call warm-starts ``study``: once per study, however many workers share it.

    Workers started with the same storage and study name race here. The claim is
    creating the study ``"<name>.autometa-warm-start"`` in the same storage: study
    names are unique there (a database constraint, or the journal's lock), so exactly
    one worker gets it and enqueues; the others go straight to the shared queue. A
    study warm-started before (user attribute ``autometa_warm_start``) is not again.

    A claimer killed between its claim and its enqueue leaves a claim without trials:
    the claim records when it was made, and a worker that finds it older than
    ``timeout`` seconds (default :data:`CLAIM_TIMEOUT`) with the study still not
    warm-started takes it over (the
    enqueue skips configurations already in the study, so a slow claimer that does
    finish after all adds nothing twice).
    """
    if study.user_attrs.get(_ATTR + "warm_start"):
        return False
    if storage is None:  # an in-memory study of this call only
        return True
    name = f"{study.study_name}.autometa-warm-start"
    timeout = CLAIM_TIMEOUT if timeout is None else timeout
    now = time.time()
    try:
        claim = optuna.create_study(storage=storage, study_name=name)
    except optuna.exceptions.DuplicatedStudyError:
        try:
            claim = optuna.load_study(study_name=name, storage=storage)
        except KeyError:
            return False
        claimed = claim.user_attrs.get("claimed_at")
        if claimed is None:  # killed between creating the claim and dating it: date it now
            claimed = claim.user_attrs.get("first_seen_undated")
            if claimed is None:
                claim.set_user_attr("first_seen_undated", now)
                return False
        if now - float(claimed) < timeout or study.user_attrs.get(_ATTR + "warm_start"):
            return False
        claim.set_user_attr("claimed_at", now)  # taken over: the next worker waits again
        claim.set_user_attr("taken_over_by", f"{socket.gethostname()}:{os.getpid()}")
        return True
    claim.set_user_attr("claimed_at", now)
    return True


#: a learner that is not ready (not shipped, cached or in memory) is fitted inside a search only when
#: at least this many seconds, and half the budget, are left; else the search falls back to average rank
LEARNER_FIT_SECONDS = 20.0
#: average rank, fitted in a fraction of a second, needs at least this many seconds left
CHEAP_LEARNER_SECONDS = 3.0


def _ready_learner(learner: Any, knowledge_base: Any, budget: Budget, n_jobs: int,
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


def _recommend(task: Any, *, families: list[str], n: int, metric: str, learner: Any, knowledge_base: Any,
               time_budget: float, budget: Budget | None = None, n_jobs: int = 1
               ) -> tuple[pd.DataFrame, list[str]]:
    """Recommendations, falling back to average rank, then to each family's defaults.

    With a ``budget``, a learner that would have to be fitted first is replaced by a
    cheaper one when its fit does not fit in what is left (:func:`_ready_learner`).
    """
    from autometa.knowledge._schema import PRIMARY_METRIC
    from autometa.metalearn import recommend

    notes: list[str] = []
    tried = [learner] if learner != "average_rank" else []
    for name in [*tried, "average_rank"]:
        try:
            model: Any = name
            if budget is not None:
                primary = PRIMARY_METRIC[task.kind]
                model = _ready_learner(name, knowledge_base, budget, n_jobs, notes,
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


def _encode_target(task: Any) -> tuple[np.ndarray, int | None]:
    if task.kind == "regression":
        return task.y.to_numpy(dtype=float), None
    classes, y = np.unique(task.y.to_numpy(), return_inverse=True)
    return y, len(classes)


def leaderboard(study: optuna.Study) -> pd.DataFrame:
    """The study's finished trials, best first (:data:`LEADERBOARD_COLUMNS`).

    Examples
    --------
    >>> import optuna
    >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
    >>> study = optuna.create_study(direction="maximize")
    >>> study.optimize(lambda t: t.suggest_float("linear_C", 1, 2) + 0 * len(
    ...     t.suggest_categorical("family", ["linear"])), n_trials=2)
    >>> leaderboard(study)["family"].tolist()
    ['linear', 'linear']
    """
    rows = []
    for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        if FAMILY_PARAM not in t.params or t.value is None:
            continue
        family, params = split_params(t.params)
        warm = t.user_attrs.get(_ATTR + "config_id")
        rows.append({"trial": t.number, "family": family, "score": float(t.value),
                     "score_std": t.user_attrs.get(_ATTR + "score_std", np.nan),
                     "fit_seconds": t.user_attrs.get(_ATTR + "fit_seconds", np.nan),
                     "source": "warm start" if warm else "sampler", "config_id": warm, "params": params})
    frame = pd.DataFrame(rows, columns=[c for c in LEADERBOARD_COLUMNS if c != "rank"])
    ascending = study.direction == optuna.study.StudyDirection.MINIMIZE
    frame = frame.sort_values(["score", "trial"], ascending=[ascending, True], kind="stable")
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame.reset_index(drop=True)


#: families whose fit or prediction runs in compiled code that never returns to Python, so the
#: SIGALRM time limit cannot stop it (libsvm's fit and predict; k-NN's neighbour search, which
#: is all of its cost: a k-NN trial on 80,000 x 50 rows ran 69 s of a 30 s budget), with the
#: growth of a fold's fit and prediction in the rows (kernel SVM fit: about n^2, measured 1.9
#: between 4,000 and 8,000 rows; k-NN: training rows x predicted rows; docs/benchmarks.md)
UNINTERRUPTIBLE: dict[str, float] = {"svm": 2.0, "knn": 2.0}
#: of those, the families whose *fit* cannot be stopped (the final refit only fits)
UNSTOPPABLE_FIT = frozenset({"svm"})
#: rows of the sample on which such a fit is timed first
PROBE_ROWS = 2000
#: least growth of the SVM's fit from a fold's training rows ((folds - 1) / folds of them) to all rows, for
#: the final refit: measured n^1.5-2.6 up to 32,000 rows and n^3.4-3.7 from 32,000 to 48,000
#: (benchmarks/svm_refit_estimate.py), so the refit takes the larger of this and the family's measured
#: curve (steeper past 16,000 rows), erring on the side of the budget
REFIT_EXPONENT: dict[str, float] = {"svm": 2.5}


def refit_growth(family: str, fold_rows: float, rows: float) -> float:
    """How many times longer ``family``'s refit on ``rows`` takes than its fit on a fold of ``fold_rows``.

    Examples
    --------
    >>> round(refit_growth("svm", 8000, 12000), 2)  # 1.5 ** 2.5: the curve is flatter here
    2.76
    >>> round(refit_growth("svm", 32000, 48000), 2)  # the curve's last slope, 3.2
    3.7
    """
    from autometa.metalearn._data import LARGE_DATA_GROWTH, large_data_growth

    ratio = max(rows / max(fold_rows, 1.0), 1.0)
    growth = ratio ** REFIT_EXPONENT.get(family, UNINTERRUPTIBLE.get(family, 1.0))
    if family in LARGE_DATA_GROWTH and rows > fold_rows:
        growth = max(growth, large_data_growth(family, fold_rows, rows))
    return growth


def refit_reserve(family: str | None, fold_fit: float, fold_rows: int, rows: int, budget_seconds: float) -> float:
    """Seconds the search leaves for refitting its best pipeline (``family``, a fold's fit ``fold_fit`` s) on all rows.

    1.3 x the fold's fit grown to all rows, linearly, or by :func:`refit_growth`
    for a family whose fit cannot be stopped (an SVM's refit would otherwise be
    sampled down); plus 2 % of the budget.

    Examples
    --------
    >>> round(refit_reserve("lightgbm", 10.0, 8000, 12000, 100.0), 2)  # 1.3 x 10 x 1.5 + 2
    21.5
    >>> round(refit_reserve("svm", 10.0, 8000, 12000, 100.0), 2)  # 1.3 x 10 x 1.5 ** 2.5 + 2
    37.82
    """
    ratio = max(rows / max(fold_rows, 1), 1.0)
    growth = refit_growth(family, fold_rows, rows) if family in UNSTOPPABLE_FIT else ratio
    fold_fit = fold_fit if math.isfinite(fold_fit) and fold_fit > 0 else 0.0
    return 1.3 * growth * fold_fit + 0.02 * budget_seconds


def probe_fold_seconds(model: Any, family: str, X: pd.DataFrame, y: np.ndarray, train: np.ndarray,
                       seed: int = 0, probe_rows: int = PROBE_ROWS, predict: bool = True) -> float | None:
    """Expected seconds of fitting ``model`` on the ``train`` rows and predicting a fold, from a sample.

    ``model`` is fitted on ``probe_rows`` of the ``train`` rows and predicts them
    (fitted only, with ``predict=False``: a refit does not predict); that time
    grows as (rows / ``probe_rows``) to the family's exponent in
    :data:`UNINTERRUPTIBLE`. Only for those families, and only when ``train`` has
    more than twice ``probe_rows`` rows; None otherwise, or when the sample fit fails
    (the real fit then says why).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.dummy import DummyClassifier
    >>> X, y = pd.DataFrame({"a": np.arange(10_000.0)}), np.arange(10_000) % 2
    >>> probe_fold_seconds(DummyClassifier(), "svm", X, y, np.arange(10_000)) >= 0
    True
    >>> probe_fold_seconds(DummyClassifier(), "lightgbm", X, y, np.arange(10_000)) is None
    True
    """
    exponent = UNINTERRUPTIBLE.get(family)
    if exponent is None or len(train) <= 2 * probe_rows:
        return None
    sample = np.random.default_rng(seed).choice(np.asarray(train), probe_rows, replace=False)
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X.iloc[sample], y[sample])
            if predict:
                model.predict(X.iloc[sample])
    except Exception:
        return None
    return (time.perf_counter() - start) * (len(train) / probe_rows) ** exponent


def _sample_rows(y: np.ndarray, n: int, seed: int, classification: bool) -> np.ndarray:
    """``n`` random rows, sorted; a classification sample keeps at least one row of every class."""
    rows = np.random.default_rng(seed).choice(len(y), n, replace=False)
    if classification:
        missing = np.setdiff1d(np.unique(y), y[rows])
        rows = np.concatenate([rows, [int(np.flatnonzero(y == c)[0]) for c in missing]]).astype(int)
    return np.sort(rows)


def _refit_rows(model: Any, family: str, X: pd.DataFrame, y: np.ndarray, left: float, seed: int,
                classification: bool, notes: list[str], fold_seconds: float | None = None,
                fold_rows: int | None = None) -> np.ndarray | None:
    """Rows for the final refit: all (None), or a random sample when ``family``'s fit cannot be stopped
    and would not finish in the ``left`` seconds of the budget (a warning and a note say so).

    The refit's time is the configuration's measured fit on a fold (``fold_seconds``
    on ``fold_rows`` rows) grown to all rows (:func:`refit_growth`), when the
    search measured it; else a fit of a sample is timed. The sample's size assumes
    the :data:`UNINTERRUPTIBLE` growth, which shrinks the rows more. A
    classification sample keeps at least one row of every class.
    """
    if family not in UNSTOPPABLE_FIT:  # the budget's time limit stops the others
        return None
    exponent = UNINTERRUPTIBLE[family]
    if fold_seconds is not None and fold_rows and math.isfinite(fold_seconds) and fold_seconds > 0:
        expected: float | None = fold_seconds * refit_growth(family, fold_rows, len(y))
    else:
        expected = probe_fold_seconds(model, family, X, y, np.arange(len(y)), seed=seed, predict=False)
    if expected is None or expected <= left:
        return None
    share = (max(left, 0.0) / expected) ** (1.0 / exponent)
    n = min(len(y), max(PROBE_ROWS, int(share * len(y))))
    rows = _sample_rows(y, n, seed, classification)
    msg = (f"Refitting the {family} pipeline on all {len(y)} rows was expected to take {expected:.3g} s, more "
           f"than the {max(left, 0.0):.3g} s left of the time budget, and {family} fits cannot be stopped: it "
           f"was refitted on a random {len(rows)} of the rows. Give a larger time_budget to use them all.")
    notes.append(msg)
    warnings.warn(msg, AutometaWarning, stacklevel=4)
    return rows


def _is_double_tell(exc: BaseException) -> bool:
    """Whether ``exc`` is Optuna refusing to tell a trial that is already finished."""
    return "Cannot tell a" in str(exc)


def run_search(task: Any, *, time_budget: float = 60.0, metric: str | None = None, storage: Any = None,
               study_name: str | None = None, n_jobs: int = 1, warm_start: bool = True,
               random_state: int | None = None, families: Sequence[str] | None = None,
               n_trials: int | None = None, n_folds: int = 3, n_warm: int = 10, learner: Any = "default",
               knowledge_base: Any = None, progress: bool = False, owner: str = "fit",
               budget: Budget | None = None, final_reserve: float = 0.0, ensemble: bool = True) -> SearchResult:
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
    metric : str, optional
        A metric of the task's kind (default: balanced accuracy / R²).
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
    n_folds : int, default=3
        Cross-validation folds; each is an intermediate value for the pruner.
    n_warm : int, default=10
        Recommended configurations enqueued first.
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
    from autometa.knowledge import GREATER_IS_BETTER, Protocol
    from autometa.knowledge._evaluate import make_folds

    budget = budget if budget is not None else Budget(time_budget)
    families = check_families(families, owner)
    metric = _check_metric(metric, task.kind, owner)
    kind = task.kind
    direction = "maximize" if GREATER_IS_BETTER[metric] else "minimize"
    if n_jobs == -1:
        n_jobs = os.cpu_count() or 1
    seed = 0 if random_state is None else int(random_state)
    notes: list[str] = []
    y, n_classes = _encode_target(task)
    folds = make_folds(y, n_classes is not None, Protocol(n_folds=n_folds, seed=seed))
    space = conditional_space(kind, families)

    with _optuna_quiet(True):  # the progress bar, not per-trial log lines, shows the search
        from autometa.search._storage import open_storage

        storage = open_storage(storage)
        study = _open_study(storage, study_name, direction, random_state, kind, metric)
        recs = pd.DataFrame()
        if warm_start and _claim_warm_start(study, storage):
            from autometa.search.warm_start import warm_start as enqueue

            _describe(task, budget)

            recs, rec_notes = _recommend(task, families=families, n=max(3 * n_warm, 30), metric=metric,
                                         learner=learner, knowledge_base=knowledge_base,
                                         time_budget=max(budget.remaining() / (2 * (n_folds + 1)), 0.01),
                                         budget=budget, n_jobs=n_jobs)
            notes += rec_notes
            enqueue(study, task, n_trials=n_warm, search_space=space, recommendations=recs)
            study.set_user_attr(_ATTR + "warm_start", {"enqueued": int(min(n_warm, len(recs))),
                                                       "by": f"{socket.gethostname()}:{os.getpid()}"})
        objective = _Objective(task, y, n_classes, folds, families, metric, seed, budget,
                               reserve=final_reserve, ensemble=ensemble)
        with SearchProgress(budget.seconds, enabled=progress, metric=metric) as bar:
            _optimize(study, objective, budget, n_trials, n_jobs, bar)
            board = leaderboard(study)
            bar.update(elapsed=budget.elapsed(), trials=len(objective.durations), best=objective.best,
                       family=objective.family, note="refitting the best")
            family, params, pipeline, how = _final_model(task, y, n_classes, board, recs, objective, families,
                                                         budget, seed, notes, final_reserve, time_budget)
            if ensemble and how == "refit":
                pipeline, board, how = _ensemble(task, y, n_classes, board, objective, pipeline, budget, seed,
                                                 notes, final_reserve)
            bar.update(elapsed=budget.elapsed(), trials=len(objective.durations), best=objective.best,
                       family=objective.family, note="done")
    # this call's own trials (on a shared study, other workers' trials and numbers interleave with them)
    n_run, n_valid = len(objective.durations), objective.n_complete
    return SearchResult(study=study, family=family, params=params, pipeline=pipeline, leaderboard=board,
                        recommendations=recs, metric=metric, kind=kind, elapsed=budget.elapsed(),
                        n_trials=max(n_run, 0), notes=notes, n_validated=n_valid, final_model=how)


#: share of the budget the task's meta-features may take (at least ``METAFEATURE_SECONDS``)
METAFEATURE_SHARE = 0.1
METAFEATURE_SECONDS = 0.5


def _describe(task: Any, budget: Budget) -> None:
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


#: cells (rows x columns) a second of the unstoppable step before a boosting family's first round can be
#: stopped: LightGBM's Dataset binning (133,000 x 100 took 2.8-3.2 s on one core), HistGradientBoosting's
#: binning and first iteration (1.6 s); a fold that would start it with less time left is not started
SETUP_CELLS_PER_SECOND: dict[str, float] = {"lightgbm": 4e6, "hist_gradient_boosting": 8e6}
SETUP_MARGIN = 1.5


def setup_seconds(family: str, rows: int, columns: int) -> float:
    """Seconds (with :data:`SETUP_MARGIN`) of the step before ``family``'s fit can be stopped; 0 for the others."""
    return SETUP_MARGIN * rows * columns / SETUP_CELLS_PER_SECOND.get(family, math.inf)

#: the search keeps back this much more than the best's refit for the other members of an ensemble
ENSEMBLE_REFIT_SHARE = 1.0
#: share of what is left that ensemble selection itself may take
ENSEMBLE_SELECTION_SHARE = 0.1


class _Objective:
    """Cross-validates one suggested pipeline per call, within the budget; keeps the best trial's last fold model.

    The kept model (trained on all rows but one fold's) is the final model when a
    refit on all rows would not fit in what is left of the budget.
    """

    def __init__(self, task: Any, y: np.ndarray, n_classes: int | None, folds: list[Any], families: list[str],
                 metric: str, seed: int, budget: Budget, reserve: float = 0.0, ensemble: bool = False) -> None:
        import threading

        from autometa.knowledge import GREATER_IS_BETTER
        from autometa.search.ensemble import OutOfFold

        self.task, self.X, self.y, self.n_classes, self.folds = task, task.X, y, n_classes, folds
        self.families, self.metric, self.seed, self.budget = families, metric, seed, budget
        self.categorical = list(task.categorical)
        self.sign = 1.0 if GREATER_IS_BETTER[metric] else -1.0
        self.extra_reserve = reserve
        self.durations: list[float] = []
        self.n_complete = 0
        self.best: float | None = None
        self.family: str | None = None
        self.fold_fit = 0.0
        self.kept: tuple[int, float, Any] | None = None  # (trial number, score, last fold's fitted model)
        self._lock = threading.Lock()
        self.oof = (OutOfFold(len(y), n_classes, greater_is_better=bool(GREATER_IS_BETTER[metric]))
                    if ensemble else None)

    def reserve(self) -> float:
        """Seconds kept back for the final refit (and the caller's ``final_reserve``).

        With an ensemble, twice the best's refit: time for other members' refits.
        """
        refit = refit_reserve(self.family, self.fold_fit, len(self.folds[0][0]), len(self.y), self.budget.seconds)
        return self.extra_reserve + refit * (1.0 + ENSEMBLE_REFIT_SHARE * (self.oof is not None))

    def __call__(self, trial: optuna.Trial) -> float:
        from autometa.knowledge._evaluate import (
            class_probabilities,
            predict_for_scoring,
            score_arrays,
        )
        from autometa.pipelines import get_family

        X, y, budget, seed = self.X, self.y, self.budget, self.seed
        family, params = suggest_pipeline(trial, self.task.kind, self.families)
        scores: list[float] = []
        fit_seconds: list[float] = []
        if family in UNINTERRUPTIBLE:  # the time limit cannot stop it: time a sample first
            probe = get_family(family).build(params, self.task.kind, categorical=self.categorical,
                                             random_state=seed)
            expected = probe_fold_seconds(probe, family, X, y, self.folds[0][0], seed=seed)
            if expected is not None:
                trial.set_user_attr(_ATTR + "expected_fit_seconds", float(expected))
                if expected * len(self.folds) > budget.remaining(self.reserve()):
                    trial.set_user_attr(_ATTR + "status", "too slow")
                    raise optuna.TrialPruned(f"{family} is expected to take {expected:.3g} s per fold, "
                                             "more than the time budget left")
        model = None
        oof = self.oof.new() if self.oof is not None else None
        for step, (train, test) in enumerate(self.folds):
            left = budget.remaining(self.reserve())
            if left <= 0 or setup_seconds(family, len(train), X.shape[1]) > left:  # a fit whose first, unstoppable step would end past the budget
                trial.set_user_attr(_ATTR + "status", "budget")
                raise optuna.TrialPruned("time budget spent")
            model = get_family(family).build(params, self.task.kind, categorical=self.categorical,
                                             random_state=seed)
            start = time.perf_counter()
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    with time_limit(left):
                        model.fit(X.iloc[train], y[train])
                        fit_seconds.append(time.perf_counter() - start)
                        pred, proba, is_proba = predict_for_scoring(model, X.iloc[test], self.n_classes)
                        value = score_arrays(y[test], pred, proba, is_proba, self.n_classes)[self.metric]
                        if oof is not None:  # the same predictions, kept for the ensemble
                            oof[test] = pred if self.n_classes is None else class_probabilities(
                                pred, proba, self.n_classes)
            except BudgetExceeded:
                trial.set_user_attr(_ATTR + "status", "budget")
                raise optuna.TrialPruned("time budget spent") from None
            except Exception as exc:  # a failing configuration is a failed trial, not a crash
                last = traceback.format_exception_only(type(exc), exc)[-1].strip()
                trial.set_user_attr(_ATTR + "error", last[:300])
                raise
            if not math.isfinite(value):
                trial.set_user_attr(_ATTR + "error", f"non-finite {self.metric}")
                raise ValueError(f"non-finite {self.metric}")
            scores.append(value)
            trial.report(float(np.mean(scores)), step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        mean = float(np.mean(scores))
        trial.set_user_attr(_ATTR + "score_std", float(np.std(scores)))
        trial.set_user_attr(_ATTR + "fit_seconds", float(np.mean(fit_seconds)))
        with self._lock:
            if self.kept is None or self.sign * mean > self.sign * self.kept[1]:
                self.kept = (trial.number, mean, model)
        if oof is not None and self.oof is not None:
            self.oof.add(trial.number, mean, oof)
        return mean

    def callback(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        if trial.datetime_start and trial.datetime_complete:
            self.durations.append((trial.datetime_complete - trial.datetime_start).total_seconds())
        self.n_complete += trial.state == TrialState.COMPLETE
        if trial.state == TrialState.COMPLETE and trial.value is not None:
            if self.best is None or self.sign * trial.value > self.sign * self.best:
                self.best, self.family = trial.value, trial.params.get(FAMILY_PARAM)
                self.fold_fit = trial.user_attrs.get(_ATTR + "fit_seconds", 0.0)
        expected = float(np.median(self.durations)) if self.durations else 0.0
        if self.budget.remaining(self.reserve()) < max(0.5 * expected, 0.01 * self.budget.seconds):
            study.stop()


def _optimize(study: optuna.Study, objective: _Objective, budget: Budget, n_trials: int | None, n_jobs: int,
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
            if isinstance(exc, ValueError) and not _is_double_tell(exc):
                raise


def _fallback_model(kind: str) -> Any:
    """The model of last resort, fitted in milliseconds: the class prior or the mean."""
    from sklearn.dummy import DummyClassifier, DummyRegressor

    return DummyRegressor() if kind == "regression" else DummyClassifier(strategy="prior")


#: with no trial finished, the first recommendation is fitted when its expected fit takes at most this share
#: of what is left (else on a sample of the rows that does, of at least this many rows; the time limit still
#: applies, and the fallback follows when even that does not finish)
UNVALIDATED_SHARE = 0.5
UNVALIDATED_MIN_ROWS = 200


def _fallback(task: Any, y: np.ndarray, classification: bool, budget: Budget, family: str, params: dict[str, Any],
              notes: list[str], validated: bool) -> tuple[str, dict[str, Any], Any, str]:
    """The class prior or the mean, said in a note and a warning."""
    model = _fallback_model(task.kind)
    model.fit(task.X, y)
    msg = (f"No configuration could be {'refitted' if validated else 'validated or fitted'} within the time "
           f"budget of {budget.seconds:g} s; the model predicts the "
           f"{'class prior' if classification else 'mean'}. Give a larger time_budget.")
    notes.append(msg)
    warnings.warn(msg, AutometaWarning, stacklevel=5)
    return family, params, model, "fallback"


def _final_model(task: Any, y: np.ndarray, n_classes: int | None, board: pd.DataFrame, recs: pd.DataFrame,
                 objective: _Objective, families: list[str], budget: Budget, seed: int, notes: list[str],
                 final_reserve: float, time_budget: float) -> tuple[str, dict[str, Any], Any, str]:
    """The model returned: the best configuration refitted on all rows, within what is left of the budget.

    Returns ``(family, params, fitted pipeline, how)``; ``how`` is ``"refit"`` (all
    rows), ``"refit on a sample"``, ``"fold model"`` (the best trial's model from its
    last fold, when a refit would not finish in time), ``"unvalidated"`` (no trial
    finished: the first recommendation, or each family's defaults, fitted without
    validation) or ``"fallback"`` (not even that fitted in time: the class prior or
    the mean).
    """
    from autometa.pipelines import get_family

    X, kind = task.X, task.kind
    classification = n_classes is not None
    kept = objective.kept
    fold_seconds = None
    validated = len(board) > 0
    if validated:
        family, params = str(board["family"].iloc[0]), dict(board["params"].iloc[0])
        fold_seconds = float(pd.to_numeric(board["fit_seconds"], errors="coerce").iloc[0])
        if kept is not None and kept[0] != int(board["trial"].iloc[0]):
            kept = None  # the kept model is another trial's (a worker elsewhere found the best)
    else:
        first = recs.iloc[0] if len(recs) else None
        family = str(first["family"]) if first is not None else families[0]
        params = dict(first["params"]) if first is not None else get_family(family).defaults(kind)
        kept = None
    left = budget.remaining(final_reserve)
    pipeline = get_family(family).build(params, kind, categorical=list(task.categorical), random_state=seed)
    sample = None
    if not validated:  # nothing measured its fit here: the meta-learner's estimate decides the rows
        estimate = float(recs["expected_fit_seconds"].iloc[0]) if len(recs) and "expected_fit_seconds" in recs else 0.0
        # the meta-learner's estimate, or the unstoppable setup's when that is longer
        expected = max(estimate if math.isfinite(estimate) else 0.0, setup_seconds(family, len(y), X.shape[1]))
        n = len(y)
        if expected > UNVALIDATED_SHARE * left:
            # a few hundred rows fit in milliseconds: tried under the time limit even when little is left
            n = max(int(len(y) * UNVALIDATED_SHARE * max(left, 0.0) / expected), UNVALIDATED_MIN_ROWS)
        if n < len(y):
            sample = _sample_rows(y, n, seed, classification)
            notes.append(f"The {family} configuration's fit on all {len(y)} rows was expected to take {expected:.3g} "
                         f"s, more than half the {max(left, 0):.3g} s left: it was fitted on a random {len(sample)} "
                         "rows.")
    if kept is not None and fold_seconds is not None and math.isfinite(fold_seconds):
        ratio = len(y) / max(len(objective.folds[0][0]), 1)
        growth = refit_growth(family, len(objective.folds[0][0]), len(y)) if family in UNSTOPPABLE_FIT else ratio
        if fold_seconds * growth > left:
            notes.append(f"Refitting the best {family} pipeline on all {len(y)} rows was expected to take "
                         f"{fold_seconds * growth:.3g} s, more than the {max(left, 0):.3g} s left of the time "
                         "budget: the model is the best trial's own, fitted during cross-validation on all rows "
                         "but one fold's.")
            return family, params, kept[2], "fold model"
    rows = sample if sample is not None else _refit_rows(
        pipeline, family, X, y, left, seed, classification, notes, fold_seconds=fold_seconds if validated else None,
        fold_rows=len(objective.folds[0][0]))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with time_limit(max(left, 0.05)):
                pipeline.fit(X if rows is None else X.iloc[rows], y if rows is None else y[rows])
    except BudgetExceeded:
        if kept is not None:
            notes.append(f"Refitting the best {family} pipeline on all rows ran out of time budget: the model "
                         "is the best trial's own, fitted during cross-validation on all rows but one fold's.")
            return family, params, kept[2], "fold model"
        pipeline = None
    except Exception as exc:  # a configuration that fails on all rows: say so, and return something
        notes.append(f"Refitting the {family} pipeline failed ({type(exc).__name__}: {exc}).")
        if kept is not None:
            return family, params, kept[2], "fold model"
        pipeline = None
    if pipeline is None:
        return _fallback(task, y, classification, budget, family, params, notes, validated)
    if not validated:
        msg = (f"No trial finished within the time budget of {budget.seconds:g} s; the "
               f"{'first recommended' if len(recs) else 'default'} {family} configuration was fitted without "
               "validation. Give a larger time_budget.")
        notes.append(msg)
        warnings.warn(msg, AutometaWarning, stacklevel=4)
        return family, params, pipeline, "unvalidated"
    return family, params, pipeline, "refit" if rows is None else "refit on a sample"


def _ensemble(task: Any, y: np.ndarray, n_classes: int | None, board: pd.DataFrame, objective: _Objective,
              best: Any, budget: Budget, seed: int, notes: list[str],
              final_reserve: float) -> tuple[Any, pd.DataFrame, str]:
    """The refitted best (``best``) joined by the trials greedy ensemble selection picks, within the budget.

    Returns ``(model, leaderboard with an ensemble_weight column, how)``; ``how`` is
    ``"ensemble"`` when at least two members were refitted, else ``"refit"`` with
    ``best`` unchanged. A member whose refit is expected not to finish in what is left
    is dropped (and the weights renormalised); so is one whose refit fails.
    """
    from autometa.knowledge import GREATER_IS_BETTER
    from autometa.pipelines import get_family
    from autometa.search.ensemble import Ensemble, ensemble_selection, fast_score

    board = board.assign(ensemble_weight=0.0)
    if objective.oof is None or not len(board):
        return best, board, "refit"

    def alone() -> tuple[Any, pd.DataFrame, str]:
        board.loc[board.index[0], "ensemble_weight"] = 1.0
        return best, board, "refit"

    candidates = objective.oof.best_first()
    best_trial = int(board["trial"].iloc[0])
    if len(candidates) < 2 or candidates[0][0] != best_trial:
        return alone()
    deadline = time.perf_counter() + ENSEMBLE_SELECTION_SHARE * max(budget.remaining(final_reserve), 0.0)
    metric = objective.metric
    try:
        weights, _ = ensemble_selection([p.astype(float) for _, _, p in candidates],
                                        lambda pred: fast_score(metric, y, pred, n_classes),
                                        greater_is_better=bool(GREATER_IS_BETTER[metric]), deadline=deadline)
    except Exception as exc:  # the single best is a fine answer
        notes.append(f"Ensemble selection failed ({type(exc).__name__}: {exc}); the best trial is the model.")
        return alone()
    rows = {int(t): i for i, t in enumerate(board["trial"])}
    members, kept_weights, trials, dropped = [], [], [], 0
    ratio = len(y) / max(len(objective.folds[0][0]), 1)
    order = sorted((i for i in range(len(candidates)) if weights[i] > 0), key=lambda i: (-weights[i], i))
    for i in order:
        trial = candidates[i][0]
        if trial == best_trial:
            members.append(best)
        else:
            row = board.iloc[rows[trial]]
            family, params = str(row["family"]), dict(row["params"])
            fold_seconds = float(row["fit_seconds"]) if pd.notna(row["fit_seconds"]) else 0.0
            growth = refit_growth(family, len(objective.folds[0][0]), len(y)) if family in UNSTOPPABLE_FIT else ratio
            left = budget.remaining(final_reserve)
            if 1.3 * fold_seconds * growth > left:
                dropped += 1
                continue
            model = get_family(family).build(params, task.kind, categorical=list(task.categorical),
                                             random_state=seed)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    with time_limit(max(left, 0.05)):
                        model.fit(task.X, y)
            except Exception:  # out of time (BudgetExceeded) or failing on all rows: leave it out
                dropped += 1
                continue
            members.append(model)
        kept_weights.append(weights[i])
        trials.append(trial)
    if dropped:
        notes.append(f"{dropped} ensemble member(s) could not be refitted within the time budget and were left "
                     "out; the weights of the others were renormalised.")
    if len(members) < 2:
        return alone()
    ensemble = Ensemble(members, kept_weights, n_classes=n_classes, names=[f"trial {t}" for t in trials])
    board.loc[board.index[[rows[t] for t in trials]], "ensemble_weight"] = ensemble.weights
    return ensemble, board, "ensemble"
