"""The study of a search: opened or resumed, claimed for its warm start once, read back as a leaderboard."""

from __future__ import annotations

import contextlib
import os
import socket
import time
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import optuna
import pandas as pd
from optuna.trial import TrialState

from autometa.exceptions import DataError
from autometa.search._select import Candidate
from autometa.search._space import FAMILY_PARAM, split_params

#: prefix of the user attributes the search sets on studies and trials
ATTR = "autometa_"
#: columns of :attr:`SearchResult.leaderboard`
#: ``params``: canonical names (what ``get_family(family).build`` takes, as in ``best_params_``);
#: ``study_params``: the same values under the study's own names (``linear_C``), as ``study.trials`` shows them
LEADERBOARD_COLUMNS = ["rank", "trial", "family", "score", "score_std", "fit_seconds", "source",
                       "config_id", "params", "study_params"]


@contextlib.contextmanager
def optuna_quiet(quiet: bool) -> Iterator[None]:
    """Optuna's per-trial log lines off for the duration (restored after)."""
    before = optuna.logging.get_verbosity()
    if quiet:
        optuna.logging.set_verbosity(optuna.logging.ERROR)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(before)


def open_study(storage: Any, study_name: str | None, direction: str, seed: int | None,
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
        old = saved.get(ATTR + key)
        if old is not None and old != value:
            raise DataError(f"Study {study_name!r} was run with {key} {old!r}; this search has {key} "
                            f"{value!r}. Use another study_name.")
        if old is None:
            study.set_user_attr(ATTR + key, value)
    return study


#: seconds after which a warm-start claim whose trials never reached the study is taken over
CLAIM_TIMEOUT = 60.0


def claim_warm_start(study: optuna.Study, storage: Any, *, timeout: float | None = None) -> bool:
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
    if study.user_attrs.get(ATTR + "warm_start"):
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
        if now - float(claimed) < timeout or study.user_attrs.get(ATTR + "warm_start"):
            return False
        claim.set_user_attr("claimed_at", now)  # taken over: the next worker waits again
        claim.set_user_attr("taken_over_by", f"{socket.gethostname()}:{os.getpid()}")
        return True
    claim.set_user_attr("claimed_at", now)
    return True


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
        warm = t.user_attrs.get(ATTR + "config_id")
        rows.append({"trial": t.number, "family": family, "score": float(t.value),
                     "score_std": t.user_attrs.get(ATTR + "score_std", np.nan),
                     "fit_seconds": t.user_attrs.get(ATTR + "fit_seconds", np.nan),
                     "source": "warm start" if warm else "sampler", "config_id": warm, "params": params,
                     "study_params": dict(t.params)})
    frame = pd.DataFrame(rows, columns=[c for c in LEADERBOARD_COLUMNS if c != "rank"])
    ascending = study.direction == optuna.study.StudyDirection.MINIMIZE
    frame = frame.sort_values(["score", "trial"], ascending=[ascending, True], kind="stable")
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame.reset_index(drop=True)


def is_double_tell(exc: BaseException) -> bool:
    """Whether ``exc`` is Optuna refusing to tell a trial that is already finished."""
    return "Cannot tell a" in str(exc)


def candidates(study: optuna.Study, fold_rows: int | None = None, rows: int | None = None) -> list[Candidate]:
    """The study's completed trials as :func:`~autometa.search._select.choose` sees them (with their expected
    refit seconds on ``rows`` rows when the trials' training rows, ``fold_rows``, are given)."""
    from autometa.search._cost import refit_seconds

    out = []
    for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        if FAMILY_PARAM not in t.params or t.value is None:
            continue
        rank = t.user_attrs.get(ATTR + "rank")
        fit = float(t.user_attrs.get(ATTR + "fit_seconds", float("nan")))
        refit = (refit_seconds(str(t.params[FAMILY_PARAM]), fit, fold_rows, rows)
                 if fold_rows is not None and rows is not None else float("nan"))
        out.append(Candidate(t.number, float(t.value), list(t.user_attrs.get(ATTR + "split_scores", [])),
                             int(rank) if rank is not None else None, refit))
    return out
