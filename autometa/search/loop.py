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


def _claim_warm_start(study: optuna.Study, storage: Any) -> bool:
    """Whether this call warm-starts ``study``: once per study, however many workers share it.

    Workers started with the same storage and study name race here. The claim is
    creating the study ``"<name>.autometa-warm-start"`` in the same storage: study
    names are unique there (a database constraint, or the journal's lock), so exactly
    one worker gets it and enqueues; the others go straight to the shared queue. A
    study warm-started before (user attribute ``autometa_warm_start``) is not again.
    """
    if study.user_attrs.get(_ATTR + "warm_start"):
        return False
    if storage is None:  # an in-memory study of this call only
        return True
    try:
        optuna.create_study(storage=storage, study_name=f"{study.study_name}.autometa-warm-start")
    except optuna.exceptions.DuplicatedStudyError:
        return False
    return True


def _recommend(task: Any, *, families: list[str], n: int, metric: str, learner: Any, knowledge_base: Any,
               time_budget: float) -> tuple[pd.DataFrame, list[str]]:
    """Recommendations, falling back to average rank, then to each family's defaults."""
    from autometa.metalearn import recommend

    notes: list[str] = []
    tried = [learner] if learner != "average_rank" else []
    for name in [*tried, "average_rank"]:
        try:
            recs = recommend(task, top=n, metric=metric, learner=name, knowledge_base=knowledge_base,
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
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(y), n, replace=False)
    if classification:
        missing = np.setdiff1d(np.unique(y), y[rows])
        rows = np.concatenate([rows, [int(np.flatnonzero(y == c)[0]) for c in missing]]).astype(int)
    rows = np.sort(rows)
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
               knowledge_base: Any = None, progress: bool = False, owner: str = "fit") -> SearchResult:
    """Search pipelines for ``task`` within ``time_budget`` seconds and refit the best.

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
    from autometa.knowledge import GREATER_IS_BETTER
    from autometa.knowledge._evaluate import score_predictions
    from autometa.pipelines import get_family

    budget = Budget(time_budget)
    families = check_families(families, owner)
    metric = _check_metric(metric, task.kind, owner)
    kind = task.kind
    direction = "maximize" if GREATER_IS_BETTER[metric] else "minimize"
    sign = 1.0 if direction == "maximize" else -1.0
    if n_jobs == -1:
        n_jobs = os.cpu_count() or 1
    seed = 0 if random_state is None else int(random_state)
    notes: list[str] = []
    X = task.X
    y, n_classes = _encode_target(task)
    categorical = list(task.categorical)
    from autometa.knowledge import Protocol
    from autometa.knowledge._evaluate import make_folds

    folds = make_folds(y, n_classes is not None, Protocol(n_folds=n_folds, seed=seed))
    space = conditional_space(kind, families)

    with _optuna_quiet(True):  # the progress bar, not per-trial log lines, shows the search
        study = _open_study(storage, study_name, direction, random_state, kind, metric)
        n_before = len(study.get_trials(deepcopy=False))
        recs = pd.DataFrame()
        if warm_start and _claim_warm_start(study, storage):
            from autometa.search.warm_start import warm_start as enqueue

            recs, rec_notes = _recommend(task, families=families, n=max(3 * n_warm, 30), metric=metric,
                                         learner=learner, knowledge_base=knowledge_base,
                                         time_budget=max(time_budget / (2 * (n_folds + 1)), 0.01))
            notes += rec_notes
            enqueue(study, task, n_trials=n_warm, search_space=space, recommendations=recs)
            study.set_user_attr(_ATTR + "warm_start", {"enqueued": int(min(n_warm, len(recs))),
                                                       "by": f"{socket.gethostname()}:{os.getpid()}"})

        durations: list[float] = []
        state: dict[str, Any] = {"best": None, "family": None, "fold_fit": 0.0}

        def reserve() -> float:
            return refit_reserve(state["family"], state["fold_fit"], len(folds[0][0]), len(y), budget.seconds)

        def objective(trial: optuna.Trial) -> float:
            family, params = suggest_pipeline(trial, kind, families)
            scores: list[float] = []
            fit_seconds: list[float] = []
            if family in UNINTERRUPTIBLE:  # the time limit cannot stop it: time a sample first
                probe = get_family(family).build(params, kind, categorical=categorical, random_state=seed)
                expected = probe_fold_seconds(probe, family, X, y, folds[0][0], seed=seed)
                if expected is not None:
                    trial.set_user_attr(_ATTR + "expected_fit_seconds", float(expected))
                    if expected * len(folds) > budget.remaining(reserve()):
                        trial.set_user_attr(_ATTR + "status", "too slow")
                        raise optuna.TrialPruned(f"{family} is expected to take {expected:.3g} s per fold, "
                                                 "more than the time budget left")
            for step, (train, test) in enumerate(folds):
                left = budget.remaining(reserve())
                if left <= 0:
                    trial.set_user_attr(_ATTR + "status", "budget")
                    raise optuna.TrialPruned("time budget spent")
                model = get_family(family).build(params, kind, categorical=categorical, random_state=seed)
                start = time.perf_counter()
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        with time_limit(left):
                            model.fit(X.iloc[train], y[train])
                            fit_seconds.append(time.perf_counter() - start)
                            value = score_predictions(model, X.iloc[test], y[test], n_classes)[metric]
                except BudgetExceeded:
                    trial.set_user_attr(_ATTR + "status", "budget")
                    raise optuna.TrialPruned("time budget spent") from None
                except Exception as exc:  # a failing configuration is a failed trial, not a crash
                    last = traceback.format_exception_only(type(exc), exc)[-1].strip()
                    trial.set_user_attr(_ATTR + "error", last[:300])
                    raise
                if not math.isfinite(value):
                    trial.set_user_attr(_ATTR + "error", f"non-finite {metric}")
                    raise ValueError(f"non-finite {metric}")
                scores.append(value)
                trial.report(float(np.mean(scores)), step)
                if trial.should_prune():
                    raise optuna.TrialPruned()
            trial.set_user_attr(_ATTR + "score_std", float(np.std(scores)))
            trial.set_user_attr(_ATTR + "fit_seconds", float(np.mean(fit_seconds)))
            return float(np.mean(scores))

        with SearchProgress(budget.seconds, enabled=progress, metric=metric) as bar:
            def callback(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
                if trial.datetime_start and trial.datetime_complete:
                    durations.append((trial.datetime_complete - trial.datetime_start).total_seconds())
                if trial.state == TrialState.COMPLETE and trial.value is not None:
                    if state["best"] is None or sign * trial.value > sign * state["best"]:
                        state.update(best=trial.value, family=trial.params.get(FAMILY_PARAM),
                                     fold_fit=trial.user_attrs.get(_ATTR + "fit_seconds", 0.0))
                bar.update(elapsed=budget.elapsed(), trials=len(durations), best=state["best"],
                           family=state["family"])
                expected = float(np.median(durations)) if durations else 0.0
                if budget.remaining(reserve()) < max(0.5 * expected, 0.01 * budget.seconds):
                    study.stop()

            for _attempt in range(5):
                left = None if n_trials is None else n_trials - len(durations)
                if budget.remaining(reserve()) <= 0 or (left is not None and left <= 0):
                    break
                try:
                    study.optimize(objective, n_trials=left, timeout=max(budget.remaining(reserve()), 1e-3),
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
            board = leaderboard(study)
            bar.update(elapsed=budget.elapsed(), trials=len(durations), best=state["best"],
                       family=state["family"], note="refitting the best")
            fold_seconds = None
            if len(board):
                family, params = str(board["family"].iloc[0]), dict(board["params"].iloc[0])
                fold_seconds = float(pd.to_numeric(board["fit_seconds"], errors="coerce").iloc[0])
            else:
                first = recs.iloc[0] if len(recs) else None
                family = str(first["family"]) if first is not None else families[0]
                params = dict(first["params"]) if first is not None else get_family(family).defaults(kind)
                msg = (f"No trial finished within the time budget of {time_budget:g} s; the "
                       f"{'first recommended' if first is not None else 'default'} {family} configuration "
                       f"is refitted without validation. Give a larger time_budget.")
                notes.append(msg)
                warnings.warn(msg, AutometaWarning, stacklevel=3)
            pipeline = get_family(family).build(params, kind, categorical=categorical, random_state=seed)
            rows = _refit_rows(pipeline, family, X, y, budget.remaining(), seed, n_classes is not None, notes,
                               fold_seconds=fold_seconds, fold_rows=len(folds[0][0]))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pipeline.fit(X if rows is None else X.iloc[rows], y if rows is None else y[rows])
            bar.update(elapsed=budget.elapsed(), trials=len(durations), best=state["best"],
                       family=state["family"], note="done")
    n_run = sum(t.number >= n_before and t.state != TrialState.WAITING
                for t in study.get_trials(deepcopy=False))
    return SearchResult(study=study, family=family, params=params, pipeline=pipeline, leaderboard=board,
                        recommendations=recs, metric=metric, kind=kind, elapsed=budget.elapsed(),
                        n_trials=max(n_run, 0), notes=notes)
