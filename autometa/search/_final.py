"""The model a search returns: the best configuration refitted (or a fallback), then an ensemble around it."""

from __future__ import annotations

import math
import time
import warnings
from typing import Any

import numpy as np
import pandas as pd

from autometa.exceptions import AutometaWarning
from autometa.scoring import fit_model
from autometa.search import _cost
from autometa.search._budget import Budget, BudgetExceeded, time_limit
from autometa.search._cost import (
    PROBE_ROWS,
    UNINTERRUPTIBLE,
    UNSTOPPABLE_FIT,
    refit_growth,
    refit_seconds,
    sample_rows,
    setup_seconds,
)
from autometa.search._objective import Objective

#: share of what is left that ensemble selection itself may take
ENSEMBLE_SELECTION_SHARE = 0.1
#: a refitted model that scores its own training rows this much below its trial's validation score (on a
#: greater-is-better metric; a loss this many times higher) broke on all rows, and is not returned: LightGBM
#: on shuttle validated at 0.9999 (trained on a 9,577-row sample) and, refitted on 43,500 rows, scored 0.42 on
#: them (its multiclass boosting diverges there)
REFIT_SOUND_DROP = 0.05
REFIT_SOUND_LOSS_RATIO = 1.5
#: the soundness check predicts at most this many of the validated rows
SOUND_ROWS = 2000


def refit_is_sound(model: Any, objective: Objective, X: pd.DataFrame, y: np.ndarray, trial_score: float) -> bool:
    """Whether a refitted ``model`` scores the validated rows about as well as its trial did.

    Refitted on all rows, a model scores rows it trained on, at least as well as unseen
    ones up to noise; refitted on a sample, it scores the holdout much as its trial
    did. One that falls far below its trial's validation score
    (:data:`REFIT_SOUND_DROP`) broke when refitted. ``X`` and ``y`` are all rows;
    checked on at most :data:`SOUND_ROWS` of the validated ones; a check that cannot
    run passes.
    """
    from autometa.scoring import predict_for_scoring

    rows = np.asarray(objective.validation.rows)
    if len(rows) > SOUND_ROWS:
        rows = np.sort(np.random.default_rng(0).choice(rows, SOUND_ROWS, replace=False))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pred, proba, is_proba = predict_for_scoring(model, X.iloc[rows], objective.n_classes)
            weight = None if objective.weight is None else objective.weight[rows]
            value = objective.metric.score(y[rows], pred, proba, is_proba, objective.n_classes, weight)
    except Exception:  # the check must never cost the model
        return True
    if not (math.isfinite(value) and math.isfinite(trial_score)):
        return True
    if objective.metric.greater_is_better:
        return bool(value >= trial_score - REFIT_SOUND_DROP)
    return bool(value <= REFIT_SOUND_LOSS_RATIO * trial_score + 1e-12)


def refit_rows(model: Any, family: str, X: pd.DataFrame, y: np.ndarray, left: float, seed: int,
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
        expected = _cost.probe_fold_seconds(model, family, X, y, np.arange(len(y)), seed=seed, predict=False)
    if expected is None or expected <= left:
        return None
    share = (max(left, 0.0) / expected) ** (1.0 / exponent)
    n = min(len(y), max(PROBE_ROWS, int(share * len(y))))
    rows = sample_rows(y, n, seed, classification)
    msg = (f"Refitting the {family} pipeline on all {len(y)} rows was expected to take {expected:.3g} s, more "
           f"than the {max(left, 0.0):.3g} s left of the time budget, and {family} fits cannot be stopped: it "
           f"was refitted on a random {len(rows)} of the rows. Give a larger time_budget to use them all.")
    notes.append(msg)
    warnings.warn(msg, AutometaWarning, stacklevel=4)
    return rows


def fallback_model(kind: str) -> Any:
    """The model of last resort, fitted in milliseconds: the class prior or the mean."""
    from sklearn.dummy import DummyClassifier, DummyRegressor

    return DummyRegressor() if kind == "regression" else DummyClassifier(strategy="prior")


#: a refit that does not fit in what is left, of a pipeline whose trials trained on fewer rows, uses a sample
#: expected to take this share of what is left (linear in the rows from the trial's fit)
REFIT_SAMPLE_SHARE = 0.7
#: with no trial finished, the first recommendation is fitted when its expected fit takes at most this share
#: of what is left (else on a sample of the rows that does, of at least this many rows; the time limit still
#: applies, and the fallback follows when even that does not finish)
UNVALIDATED_SHARE = 0.5
UNVALIDATED_MIN_ROWS = 200


def fallback(task: Any, y: np.ndarray, classification: bool, budget: Budget, family: str, params: dict[str, Any],
              notes: list[str], validated: bool, sample_weight: np.ndarray | None = None) -> tuple[str, dict[str, Any], Any, str]:
    """The class prior or the mean (weighted by ``sample_weight``), said in a note and a warning."""
    model = fallback_model(task.kind)
    fit_model(model, task.X, y, sample_weight)
    msg = (f"No configuration could be {'refitted' if validated else 'validated or fitted'} within the time "
           f"budget of {budget.seconds:g} s; the model predicts the "
           f"{'class prior' if classification else 'mean'}. Give a larger time_budget.")
    notes.append(msg)
    warnings.warn(msg, AutometaWarning, stacklevel=5)
    return family, params, model, "fallback"


#: a k-NN or SVM pipeline whose trials trained on a sample is refitted on at most this many times its trial's
#: rows (its predictions' cost grows with them), and only on as many as its refit is expected to fit in
#: :data:`REFIT_SAMPLE_SHARE` of what is left
PREDICTION_GROWTH = 4.0


def _prediction_rows(objective: Objective, family: str, y: np.ndarray, fold_seconds: float, left: float,
                     seed: int) -> np.ndarray | None:
    """The rows a ``family`` pipeline is refitted on when its trials trained on a sample (a holdout plan's cheap
    fidelity) and its prediction grows with its training rows (k-NN, SVM): the most rows, up to
    :data:`PREDICTION_GROWTH` x the trial's, whose refit is expected to fit in what is left (``left`` s; its
    trial's fit took ``fold_seconds``), at least the trial's own; else None (all rows: no sample, or all fit).

    A 1-NN chosen on 5,009 rows and refitted on 370,515 took over 100 s to predict 123,505; an SVM kept on
    its trial's 5,000 of letter's 15,000 rows left 20 s of a 60 s budget unused.
    """
    train, test = objective.folds[0]
    rows = len(y)
    if family not in UNINTERRUPTIBLE or len(train) + len(test) >= rows:
        return None
    n = int(min(rows, PREDICTION_GROWTH * len(train)))
    if not (math.isfinite(fold_seconds) and fold_seconds > 0):
        n = len(train)
    while n > len(train) and 1.3 * refit_seconds(family, fold_seconds, len(train), n) > REFIT_SAMPLE_SHARE * left:
        n = int(n / 1.25)
    if n <= len(train):
        return np.sort(train)
    if n >= rows:
        return None
    return sample_rows(y, n, seed, objective.n_classes is not None)


def _prediction_sample(objective: Objective, family: str, y: np.ndarray, fold_seconds: float | None, left: float,
                       seed: int, notes: list[str]) -> np.ndarray | None:
    """:func:`_prediction_rows` for the chosen trial's refit, said in a note when it is a sample."""
    rows = _prediction_rows(objective, family, y, math.nan if fold_seconds is None else fold_seconds, left, seed)
    if rows is not None:
        notes.append(f"The {family} pipeline was refitted on {len(rows)} of the {len(y)} rows (its trial trained "
                     f"on {len(objective.folds[0][0])}): its predictions' cost grows with the training rows (at most "
                     f"{PREDICTION_GROWTH:g} x its trial's, and no more than its refit has time for).")
    return rows


def _row(board: pd.DataFrame, trial: int | None) -> int:
    """The position of ``trial`` on the leaderboard; the top's when it is not there (or None)."""
    if trial is None:
        return 0
    hits = np.flatnonzero(board["trial"].to_numpy() == trial)
    return int(hits[0]) if len(hits) else 0


def _unvalidated_sample(recs: pd.DataFrame, family: str, X: pd.DataFrame, y: np.ndarray, left: float, seed: int,
                        classification: bool, notes: list[str]) -> np.ndarray | None:
    """Rows for fitting an unvalidated configuration: the meta-learner's fit estimate (or the unstoppable
    setup's, when longer) decides; None for all."""
    estimate = float(recs["expected_fit_seconds"].iloc[0]) if len(recs) and "expected_fit_seconds" in recs else 0.0
    expected = max(estimate if math.isfinite(estimate) else 0.0, setup_seconds(family, len(y), X.shape[1]))
    n = len(y)
    if expected > UNVALIDATED_SHARE * left:
        # a few hundred rows fit in milliseconds: tried under the time limit even when little is left
        n = max(int(len(y) * UNVALIDATED_SHARE * max(left, 0.0) / expected), UNVALIDATED_MIN_ROWS)
    if n >= len(y):
        return None
    sample = sample_rows(y, n, seed, classification)
    notes.append(f"The {family} configuration's fit on all {len(y)} rows was expected to take {expected:.3g} "
                 f"s, more than half the {max(left, 0):.3g} s left: it was fitted on a random {len(sample)} rows.")
    return sample


#: what :func:`_refit_sample` returns when the trial's own model is the answer
FOLD_MODEL = np.array([], dtype=int)


def _refit_sample(objective: Objective, family: str, y: np.ndarray, fold_seconds: float, left: float, seed: int,
                  classification: bool, notes: list[str]) -> np.ndarray | None:
    """When the chosen trial's refit on all rows would overrun what is left: a larger sample than its trial
    saw that fits (stoppable fits), or :data:`FOLD_MODEL` (the trial's own model); else None (all rows)."""
    fold_rows = len(objective.folds[0][0])
    seconds = refit_seconds(family, fold_seconds, fold_rows, len(y))
    if seconds <= left:
        return None
    expected = (f"Refitting the best {family} pipeline on all {len(y)} rows was expected to take "
                f"{seconds:.3g} s, more than the {max(left, 0):.3g} s left of the time budget")
    # stoppable fits of trials on a sample (big data): a larger sample that fits beats the trial's own model
    n = int(fold_rows * REFIT_SAMPLE_SHARE * max(left, 0.0) / max(fold_seconds, 1e-6))
    if family not in UNSTOPPABLE_FIT and n >= 1.5 * fold_rows:
        sample = sample_rows(y, min(n, len(y)), seed, classification)
        notes.append(f"{expected}: it was refitted on a random {len(sample)} rows (its trial saw {fold_rows}).")
        return sample
    notes.append(f"{expected}: the model is the best trial's own, fitted during cross-validation on all rows but "
                 "one fold's.")
    return FOLD_MODEL


def _kept_fold_model(board: pd.DataFrame, objective: Objective, chosen: int | None,
                     notes: list[str]) -> tuple[str, dict[str, Any], Any, str] | None:
    """The kept trial's own model when the chosen trial's refit did not finish or broke and its own fold model
    was not kept: the best-scoring trial's is validated too (a tie or better), and far better than the class
    prior or the mean."""
    if objective.kept is None:
        return None
    trial, _, model = objective.kept
    row = _row(board, trial)
    if int(board["trial"].iloc[row]) != trial:
        return None
    family, params = str(board["family"].iloc[row]), dict(board["params"].iloc[row])
    whose = "chosen" if trial == chosen or chosen is None else "best-scoring"
    notes.append(f"The chosen pipeline's refit did not finish in time or broke: the model is the {whose} "
                 f"trial's ({trial}, {family}) own, fitted during validation on its training rows.")
    return family, params, model, "fold model"


def final_model(task: Any, y: np.ndarray, n_classes: int | None, board: pd.DataFrame, recs: pd.DataFrame,
                 objective: Objective, families: list[str], budget: Budget, seed: int, notes: list[str],
                 final_reserve: float, time_budget: float,
                 chosen: int | None = None) -> tuple[str, dict[str, Any], Any, str]:
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
        row = _row(board, chosen)
        family, params = str(board["family"].iloc[row]), dict(board["params"].iloc[row])
        fold_seconds = float(pd.to_numeric(board["fit_seconds"], errors="coerce").iloc[row])
        if kept is not None and kept[0] != int(board["trial"].iloc[row]):
            kept = None  # the kept model is another trial's (a worker elsewhere found the best)
    else:
        first = recs.iloc[0] if len(recs) else None
        family = str(first["family"]) if first is not None else families[0]
        params = dict(first["params"]) if first is not None else get_family(family).defaults(kind)
        kept = None
    left = budget.remaining(final_reserve)
    pipeline = get_family(family).build(params, kind, categorical=list(task.categorical), random_state=seed)
    sample = None if validated else _unvalidated_sample(recs, family, X, y, left, seed, classification, notes)
    if kept is not None and fold_seconds is not None and math.isfinite(fold_seconds):
        sample = _refit_sample(objective, family, y, fold_seconds, left, seed, classification, notes)
        if sample is FOLD_MODEL:
            return family, params, kept[2], "fold model"
    if validated and sample is None:
        sample = _prediction_sample(objective, family, y, fold_seconds, left, seed, notes)
    rows = sample if sample is not None else refit_rows(
        pipeline, family, X, y, left, seed, classification, notes, fold_seconds=fold_seconds if validated else None,
        fold_rows=len(objective.folds[0][0]))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with time_limit(max(left, 0.05)):
                fit_model(pipeline, X, y, objective.weight, rows)
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
    if (pipeline is not None and validated and objective.kept is not None
            and not refit_is_sound(pipeline, objective, X, y, float(board["score"].iloc[row]))):
        notes.append(f"The {family} pipeline refitted on {len(y) if rows is None else len(rows)} rows scored its "
                     "own training rows far below its validation score (it broke on more rows).")
        pipeline = None
    if pipeline is None and validated and (instead := _kept_fold_model(board, objective, chosen, notes)):
        return instead
    if pipeline is None:
        return fallback(task, y, classification, budget, family, params, notes, validated, objective.weight)
    if not validated:
        msg = (f"No trial finished within the time budget of {budget.seconds:g} s; the "
               f"{'first recommended' if len(recs) else 'default'} {family} configuration was fitted without "
               "validation. Give a larger time_budget.")
        notes.append(msg)
        warnings.warn(msg, AutometaWarning, stacklevel=4)
        return family, params, pipeline, "unvalidated"
    return family, params, pipeline, "refit" if rows is None else "refit on a sample"


def _refit_member(task: Any, y: np.ndarray, row: pd.Series, objective: Objective, budget: Budget, seed: int,
                  final_reserve: float) -> tuple[Any, str]:
    """An ensemble member (a leaderboard ``row``) refitted on all rows (or a sample, for k-NN/SVM whose trials
    trained on one: :func:`_prediction_rows`): ``(model, "")``, or ``(None, "time")`` when it would not finish
    or fails, ``(None, "broken")`` when it scores far below its validation."""
    from autometa.pipelines import get_family

    family, params = str(row["family"]), dict(row["params"])
    fold_rows = len(objective.folds[0][0])
    fold_seconds = float(row["fit_seconds"]) if pd.notna(row["fit_seconds"]) else 0.0
    left = budget.remaining(final_reserve)
    rows = _prediction_rows(objective, family, y, fold_seconds, left, seed)
    if 1.3 * refit_seconds(family, fold_seconds, fold_rows, len(y) if rows is None else len(rows)) > left:
        return None, "time"
    model = get_family(family).build(params, task.kind, categorical=list(task.categorical), random_state=seed)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with time_limit(max(left, 0.05)):
                fit_model(model, task.X, y, objective.weight, rows)
    except Exception:  # out of time (BudgetExceeded) or failing on all rows: leave it out
        return None, "time"
    if not refit_is_sound(model, objective, task.X, y, float(row["score"])):
        return None, "broken"
    return model, ""


def build_ensemble(task: Any, y: np.ndarray, n_classes: int | None, board: pd.DataFrame, objective: Objective,
              best: Any, budget: Budget, seed: int, notes: list[str],
              final_reserve: float, chosen: int | None = None) -> tuple[Any, pd.DataFrame, str]:
    """The refitted best (``best``) joined by the trials greedy ensemble selection picks, within the budget.

    Returns ``(model, leaderboard with an ensemble_weight column, how)``; ``how`` is
    ``"ensemble"`` when at least two members were refitted, else ``"refit"`` with
    ``best`` unchanged. A member whose refit is expected not to finish in what is left
    is dropped (and the weights renormalised); so is one whose refit fails.
    """
    from autometa.search.ensemble import Ensemble, ensemble_selection

    board = board.assign(ensemble_weight=0.0)
    if objective.oof is None or not len(board):
        return best, board, "refit"

    best_row = _row(board, chosen)

    def alone() -> tuple[Any, pd.DataFrame, str]:
        board.loc[board.index[best_row], "ensemble_weight"] = 1.0
        return best, board, "refit"

    candidates = objective.oof.best_first()
    best_trial = int(board["trial"].iloc[best_row])
    first = next((i for i, c in enumerate(candidates) if c[0] == best_trial), None)
    if len(candidates) < 2 or first is None:
        return alone()
    deadline = time.perf_counter() + ENSEMBLE_SELECTION_SHARE * max(budget.remaining(final_reserve), 0.0)
    metric = objective.metric
    weight = None if objective.weight is None else objective.weight[objective.validation.rows]
    try:
        weights, _ = ensemble_selection([p.astype(float) for _, _, p in candidates],
                                        lambda pred: metric.of_average(objective.oof_y, pred, n_classes, weight),
                                        greater_is_better=metric.greater_is_better, deadline=deadline,
                                        first=first)
    except Exception as exc:  # the single best is a fine answer
        notes.append(f"Ensemble selection failed ({type(exc).__name__}: {exc}); the best trial is the model.")
        return alone()
    rows = {int(t): i for i, t in enumerate(board["trial"])}
    members, kept_weights, trials, dropped, broken = [], [], [], 0, 0
    order = sorted((i for i in range(len(candidates)) if weights[i] > 0), key=lambda i: (-weights[i], i))
    for i in order:
        trial = candidates[i][0]
        if trial == best_trial:
            members.append(best)
        else:
            row = board.iloc[rows[trial]]
            model, why = _refit_member(task, y, row, objective, budget, seed, final_reserve)
            if model is None:
                dropped += why == "time"
                broken += why == "broken"
                continue
            members.append(model)
        kept_weights.append(weights[i])
        trials.append(trial)
    if dropped:
        notes.append(f"{dropped} ensemble member(s) could not be refitted within the time budget and were left "
                     "out; the weights of the others were renormalised.")
    if broken:
        notes.append(f"{broken} ensemble member(s) refitted on all rows scored far below their validation and were "
                     "left out; the weights of the others were renormalised.")
    if len(members) < 2:
        return alone()
    ensemble = Ensemble(members, kept_weights, n_classes=n_classes, names=[f"trial {t}" for t in trials])
    board.loc[board.index[[rows[t] for t in trials]], "ensemble_weight"] = ensemble.weights
    return ensemble, board, "ensemble"
