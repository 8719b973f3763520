"""scikit-learn estimators that search pipelines, and ``autometa.fit``.

:class:`AutoMetaClassifier` and :class:`AutoMetaRegressor` run
:func:`autometa.search.run_search` in ``fit``: a time-budgeted Optuna search over
every pipeline family, warm-started from the meta-learner's recommendations, then
the best pipeline refitted on all the data. :func:`fit` picks the right one for the
target and fits it.

Both follow scikit-learn's conventions (parameters stored as given in ``__init__``
and checked in ``fit``, fitted attributes ending in ``_``, ``clone``-able,
``NotFittedError`` before ``fit``) and pass ``check_estimator`` with a short
budget, except for the checks listed in :data:`SKIPPED_CHECKS`.
"""

from __future__ import annotations

import inspect
import os
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_is_fitted, column_or_1d, validate_data

from autometa.exceptions import AutometaWarning, DataError

__all__ = ["SKIPPED_CHECKS", "AutoMetaClassifier", "AutoMetaRegressor", "fit"]

#: ``check_estimator`` checks the estimators are not expected to pass, and why
SKIPPED_CHECKS: dict[str, str] = {
    "check_sample_weight_equivalence_on_dense_data": (
        "integer weights are not the same search as repeated rows: the repeated rows change the folds, the "
        "preprocessing (fitted unweighted) and the trials; k-NN cannot take weights at all"),
    "check_sample_weight_equivalence_on_sparse_data": "as on dense data",
}


def _is_int(low: int) -> Callable[[Any], bool]:
    return lambda v: bool(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= low)


def _valid_cv(cv: Any) -> bool:
    from autometa.search import check_cv

    try:
        check_cv(cv, "")
    except DataError:
        return False
    return True


_RULES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "time_budget": (lambda v: bool(isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
                                   and np.isfinite(v) and v > 0), "a float > 0"),
    "metric": (lambda v: v is None or isinstance(v, str) or callable(v),
               "None, a metric name, a scikit-learn scorer name or a scorer callable"),
    "study_name": (lambda v: v is None or isinstance(v, str), "None or a str"),
    "n_jobs": (lambda v: v == -1 or _is_int(1)(v), "an int >= 1 or -1"),
    "warm_start": (lambda v: isinstance(v, (bool, np.bool_)), "a bool"),
    "random_state": (lambda v: v is None or _is_int(0)(v), "None or an int >= 0"),
    "families": (lambda v: v is None or (isinstance(v, (list, tuple)) and len(v) > 0
                                         and all(isinstance(f, str) for f in v)),
                 "None or a non-empty list of family names"),
    "n_trials": (lambda v: v is None or _is_int(1)(v), "None or an int >= 1"),
    "n_folds": (lambda v: v is None or _is_int(2)(v), "None or an int >= 2"),
    "cv": (lambda v: _valid_cv(v), "None, 'auto', 'holdout', an int >= 2, a scikit-learn splitter or a list of "
                                   "(train, test) index pairs"),
    "verbose": (lambda v: bool(isinstance(v, (bool, int, np.integer)) and v >= 0), "a bool or an int >= 0"),
    "record": (lambda v: v is None or isinstance(v, (bool, np.bool_)), "None or a bool"),
    "ensemble": (lambda v: isinstance(v, (bool, np.bool_)), "a bool"),
    "log_file": (lambda v: v is None or isinstance(v, (str, os.PathLike)), "None or a file path"),
}


def _recording(record: bool | None) -> bool:
    """``record``, or by default on unless ``$AUTOMETA_RECORD`` is ``0`` / ``false`` / ``no``."""
    if record is not None:
        return bool(record)
    return os.environ.get("AUTOMETA_RECORD", "1").strip().lower() not in ("0", "false", "no", "off")


#: first line of a model file written by ``save``; the signature follows on the second
MODEL_MAGIC = b"AUTOMETA-MODEL 1\n"

#: seconds kept back at the end of the budget to record the run (a few small Parquet files)
RECORD_RESERVE = 0.3


def _record_run(task: Any, study: Any, metric: str, seconds: float | None = None) -> str | None:
    """Record the task and its trials in the user knowledge base; a note when it could not.

    The meta-features are those the recommendation computed (the default task
    vector's groups on the same row sample), so recording computes none in the
    usual case.
    """
    try:
        from autometa.knowledge.user import RECORD_EXTRACTION, UserKnowledgeBase

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # within what is left of the budget (what the extractor does not reach is recorded as missing)
            mf = task.metafeatures(**RECORD_EXTRACTION, **({} if seconds is None else {"time_budget": max(seconds, 0.05)}))
        UserKnowledgeBase().record(task, study, metric=metric, metafeatures=mf)
    except Exception as exc:  # recording helps later runs; it must never fail this one
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else f"{type(exc).__name__}: {exc}"
        return f"not recorded in your knowledge base ({reason}); record=False skips recording"
    return None


class _AutoMetaBase(BaseEstimator):
    """Shared parameters, validation, fit and predict of the two estimators."""

    _kind_group: ClassVar[str]
    #: parameter -> (check, description of the allowed values)
    _parameter_rules: ClassVar[dict[str, tuple[Callable[[Any], bool], str]]] = _RULES

    def __init__(self, time_budget: float = 60.0, *, metric: str | None = None, storage: Any = None,
                 study_name: str | None = None, n_jobs: int = 1, warm_start: bool = True,
                 random_state: int | None = None, families: list[str] | None = None,
                 n_trials: int | None = None, n_folds: int | None = None, cv: Any = None, verbose: int = 0,
                 record: bool | None = None, ensemble: bool = True, log_file: str | None = None) -> None:
        self.time_budget = time_budget
        self.metric = metric
        self.storage = storage
        self.study_name = study_name
        self.n_jobs = n_jobs
        self.warm_start = warm_start
        self.random_state = random_state
        self.families = families
        self.n_trials = n_trials
        self.n_folds = n_folds
        self.cv = cv
        self.verbose = verbose
        self.record = record
        self.ensemble = ensemble
        self.log_file = log_file

    # ----------------------------------------------------------------- checks
    def _check_params(self) -> None:
        name = type(self).__name__
        for param, (check, allowed) in self._parameter_rules.items():
            value = getattr(self, param)
            if not check(value):
                raise DataError(f"The {param!r} parameter of {name} must be {allowed}. Got {value!r}.")

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = True  # made dense (autometa.tasks.densify)
        return tags

    def _check_X(self, X: Any, y: Any = None, *, reset: bool) -> tuple[pd.DataFrame, Any]:
        """A DataFrame keeps its dtypes (categorical columns); anything else becomes numeric (sparse: dense)."""
        from autometa.tasks import densify

        X = densify(X, type(self).__name__)
        if isinstance(X, pd.DataFrame):
            validate_data(self, X, skip_check_array=True, reset=reset)
            if reset and X.shape[1] == 0:
                raise ValueError(f"0 feature(s) (shape={X.shape}) while a minimum of 1 is required.")
            frame = X
            if not all(isinstance(c, str) for c in X.columns):  # the pipelines select columns by name
                frame = X.set_axis([str(c) for c in X.columns], axis=1)
            if y is not None:
                y = column_or_1d(y, warn=True)
                if len(y) != len(X):
                    raise ValueError(f"Found input variables with inconsistent numbers of samples: "
                                     f"[{len(X)}, {len(y)}]")
                if self._kind_group == "regression":
                    y = check_array(y, ensure_2d=False, dtype="numeric", input_name="y")
        else:
            if y is not None:
                X, y = validate_data(self, X, y, reset=reset, ensure_all_finite=False, dtype="numeric",
                                     y_numeric=self._kind_group == "regression")
            else:
                X = validate_data(self, X, reset=reset, ensure_all_finite=False, dtype="numeric")
            frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
        return frame, y

    # -------------------------------------------------------------------- fit
    def fit(self, X: Any, y: Any, sample_weight: Any = None, groups: Any = None) -> _AutoMetaBase:
        """Search pipelines within ``time_budget`` seconds and refit the best on ``(X, y)``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Features; a DataFrame's categorical columns (object, string, category,
            bool) are encoded by each pipeline.
        y : array-like of shape (n_samples,)
            Target.
        sample_weight : array-like of shape (n_samples,), optional
            Row weights, used in every fit whose model takes them (k-NN does not),
            in every validation score and in the ensemble's selection.
        groups : array-like of shape (n_samples,), optional
            Group labels for grouped data: no group is on both sides of a validation
            split (``GroupKFold`` unless ``cv`` is a splitter, which gets them).

        Returns
        -------
        self
        """
        # the budget covers everything fit does, its first imports included (and, through
        # autometa.fit, what that function did before calling this)
        start = getattr(self, "_started_at", None) or time.perf_counter()
        self.__dict__.pop("_started_at", None)
        from autometa.search import Budget, run_search
        from autometa.tasks import load_task

        self._check_params()
        budget = Budget(float(self.time_budget), start=start)
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
        frame, y = self._check_X(X, y, reset=True)
        self._numeric_columns = [str(c) for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
        if len(frame) < 2:
            raise ValueError(f"{type(self).__name__} needs at least 2 samples; got n_samples = {len(frame)}.")
        if self._kind_group == "classification":
            check_classification_targets(y)
            self.classes_, encoded = np.unique(y, return_inverse=True)
            if len(self.classes_) < 2:
                raise ValueError(f"{type(self).__name__} needs samples of at least 2 classes in the data, but "
                                 f"the data contains only one class: {self.classes_[0]!r}.")
            kind = "binary" if len(self.classes_) == 2 else "multiclass"
            target = pd.Series(encoded, index=frame.index, name="target")
        else:
            kind = "regression"
            target = pd.Series(np.asarray(y, dtype=float), index=frame.index, name="target")
        task = load_task(frame, y=target, kind=kind, name="fit")
        recording = _recording(self.record)
        forwarded = {name: getattr(self, name) for name in SEARCH_PARAMETERS if name not in _NOT_SEARCH}
        from autometa.search.loop import check_sample_weight

        weight = check_sample_weight(sample_weight, len(frame), type(self).__name__)
        result = run_search(task, **forwarded, progress=bool(self.verbose), owner=type(self).__name__,
                            budget=budget, final_reserve=RECORD_RESERVE if recording else 0.0,
                            sample_weight=weight, classes=getattr(self, "classes_", None), groups=groups)
        self._keep(result)
        if recording:
            self._record(task, result, budget)
        self.search_seconds_ = budget.elapsed()
        return self

    def _keep(self, result: Any) -> None:
        """The fitted attributes, from the search's result."""
        self.best_pipeline_ = result.pipeline
        self.best_family_ = result.family
        self.best_params_ = result.params
        board = result.leaderboard
        chosen = board[board["chosen"]] if "chosen" in board and board["chosen"].any() else board.head(1)
        self.best_score_ = float(chosen["score"].iloc[0]) if len(chosen) else np.nan
        self.leaderboard_ = result.leaderboard
        self.study_ = result.study
        self.recommendations_ = result.recommendations
        self.metric_ = result.metric
        self.greater_is_better_ = result.study.direction.name == "MAXIMIZE"
        self.kind_ = result.kind
        self.n_trials_ = result.n_trials
        self.n_validated_ = result.n_validated
        self.final_model_ = result.final_model
        self.validation_ = result.validation
        self.validated_ = result.final_model in ("refit", "refit on a sample", "fold model", "ensemble")
        self.notes_ = result.notes

    def _record(self, task: Any, result: Any, budget: Any) -> None:
        """Record the run in the user's knowledge base (which holds autometa's metrics only); a note when not."""
        from autometa.metrics import GREATER_IS_BETTER

        if result.metric not in GREATER_IS_BETTER:
            self.notes_ = [*self.notes_, f"not recorded in your knowledge base: it holds autometa's metrics "
                                         f"({', '.join(GREATER_IS_BETTER)}), not {result.metric}"]
            return
        note = _record_run(task, result.study, result.metric, seconds=budget.remaining() - RECORD_RESERVE / 2)
        if note:  # the model is fine; the user should still know their run taught autometa nothing
            self.notes_ = [*self.notes_, note]
            warnings.warn(f"This run was {note}.", AutometaWarning, stacklevel=4)

    def _frame(self, X: Any) -> pd.DataFrame:
        check_is_fitted(self, "best_pipeline_")
        frame, _ = self._check_X(X, reset=False)
        return _numeric_as_fitted(frame, getattr(self, "_numeric_columns", []))

    def plot_search(self, ax: Any = None) -> Any:
        """The best score so far against seconds, each trial a dot, the warm start's marked (matplotlib axes;
        ``pip install 'autometa[plot]'``)."""
        from autometa.search.plots import plot_search

        check_is_fitted(self, "study_")
        return plot_search(self.study_, metric=self.metric_, greater_is_better=self.greater_is_better_,
                           ax=ax)

    def plot_leaderboard(self, top: int = 15, ax: Any = None) -> Any:
        """The ``top`` trials' scores, the chosen trial and the ensemble's members with their weights."""
        from autometa.search.plots import plot_leaderboard

        check_is_fitted(self, "leaderboard_")
        return plot_leaderboard(self.leaderboard_, top=top, metric=self.metric_, ax=ax)

    def save_report(self, path: str | os.PathLike[str], title: str | None = None) -> Path:
        """Write one self-contained HTML page about this search (summary, plots, leaderboard, notes)."""
        from autometa.search.report import write_report

        check_is_fitted(self, "study_")
        return write_report(self, path, title=title)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Save the fitted estimator to ``path``: a signed pickle, written atomically.

        The file is a pickle, and loading a pickle runs code named in it; so it is
        signed with a key private to your account (:mod:`autometa._signing`), and
        :meth:`load` refuses a file that this account's autometa did not write, or
        that changed since, unless told to trust it. Read it back with :meth:`load`
        (not ``joblib.load``).
        """
        import io

        import joblib

        from autometa._io import atomic_write_bytes
        from autometa._signing import sign

        buffer = io.BytesIO()
        joblib.dump(self, buffer, compress=3)
        payload = buffer.getvalue()
        atomic_write_bytes(MODEL_MAGIC + sign(payload).encode() + b"\n" + payload, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, trust: bool = False) -> Any:
        """Load an estimator saved with :meth:`save`.

        Parameters
        ----------
        path : path
            The model file.
        trust : bool, default=False
            Load a file this account's autometa did not sign (written elsewhere,
            by ``joblib.dump``, or changed since). Loading runs code from the file:
            only for files whose source you trust.

        Raises
        ------
        DataError
            The file is missing, not a model file, truncated, or not signed by this
            account (without ``trust``); or it holds something other than an
            autometa estimator.
        """
        import io

        import joblib

        from autometa._signing import verify

        name = os.fspath(path)
        try:
            data = open(path, "rb").read()
        except OSError as exc:
            raise DataError(f"Cannot read model file {name!r}: {exc.strerror or exc}.") from None
        signed = data.startswith(MODEL_MAGIC)
        payload = data
        if signed:
            head, _, payload = data[len(MODEL_MAGIC):].partition(b"\n")
            signed = verify(payload, head.decode("ascii", "replace"))
        if not signed and not trust:
            what = ("was not written by autometa under this account, or was changed since"
                    if data.startswith(MODEL_MAGIC) else "is not a model file signed by autometa")
            raise DataError(f"{name!r} {what}: loading it would run code from it. If you trust its source, "
                            "load it with trust=True (command line: --trust).")
        try:
            model = joblib.load(io.BytesIO(payload))
        except Exception as exc:
            raise DataError(f"{name!r} is not a readable autometa model (truncated or damaged: "
                            f"{type(exc).__name__}).") from None
        if not isinstance(model, _AutoMetaBase):
            raise DataError(f"{name!r} does not hold an autometa model (found {type(model).__name__}).")
        return model


class AutoMetaClassifier(ClassifierMixin, _AutoMetaBase):
    """A classifier that finds its own pipeline: meta-learned warm start, then an Optuna search.

    Parameters
    ----------
    time_budget : float, default=60
        Wall-clock seconds for the whole ``fit``: input checks, meta-features, the
        meta-learner, the search, the final model and recording the run in your
        knowledge base (``record``). A step that does not fit in what is left is
        replaced by a cheaper one: a meta-learner that is not ready by average rank,
        a refit on all rows by the best trial's own model from cross-validation
        (``final_model_``), nothing validated by the first recommendation fitted
        unvalidated, or, when not even that fits, the class prior or the mean.
        SVM fits and k-NN predictions cannot be interrupted: on more than 4,000
        training rows an SVM or k-NN trial is first timed on a 2,000-row sample and
        skipped when it would overrun, and a final SVM refit that would overrun uses
        a random sample (with a warning).
    metric : str or callable, optional
        ``"balanced_accuracy"`` (default), ``"accuracy"``, ``"roc_auc"`` or
        ``"log_loss"``; any scikit-learn scorer name (``"f1"``, ``"roc_auc_ovr"``...)
        or a scorer callable (``make_scorer(...)``, called as ``scorer(estimator, X,
        y)``). See docs/search.md, "Metrics and weights".
    storage : str or optuna storage, optional
        Where the study lives (``"sqlite:///s.db"``, a ``JournalStorage``...).
    study_name : str, optional
        Name of the study in ``storage``; an existing one is resumed.
    n_jobs : int, default=1
        Trials run in parallel threads (-1: one per CPU).
    warm_start : bool, default=True
        Start from the configurations the meta-learner recommends.
    random_state : int, optional
        Seed of the sampler, the folds and the models.
    families : list of str, optional
        Pipeline families to search (default: all eight).
    n_trials : int, optional
        At most this many trials (with a fixed ``random_state``, fits are then
        repeatable while the budget is not hit).
    n_folds : int, optional
        Cross-validation folds per trial (once); each is reported to the pruner.
        Default: chosen by the data's size and the budget: 5 folds twice on up to
        1,000 rows, 5 folds on up to 5,000, one 20 % holdout where 3 folds would
        leave room for few trials, else 3 folds (``validation_`` says which).
    cv : int, str, splitter or list of (train, test), optional
        The validation by name or object instead of ``n_folds``: ``"auto"`` (the
        plan above), ``"holdout"`` (one stratified 20 % holdout), an int (that many
        folds), a scikit-learn splitter (``GroupKFold``, ``TimeSeriesSplit``...; it
        gets ``fit``'s ``groups``) or the splits themselves.
    verbose : int, default=0
        ``> 0`` shows a progress bar with the best score so far on stderr.
    record : bool, optional
        Record the task's meta-features and the study's trials in your knowledge
        base (:class:`~autometa.knowledge.user.UserKnowledgeBase`), so later
        recommendations learn from this run. Default: yes, unless the environment
        variable ``AUTOMETA_RECORD`` is ``0``.
    ensemble : bool, default=True
        The final model is a weighted average of trials chosen by greedy ensemble
        selection with replacement over their out-of-fold predictions (Caruana et
        al. 2004), refitted on all rows within the budget; ``False``: the best trial
        alone. The leaderboard's ``ensemble_weight`` column gives the weights.
    log_file : str or path, optional
        Append one JSON line per finished trial to this file (trial number, state,
        family, parameters, score, split scores, seconds since the start, fit
        seconds), as it finishes: a record of the search that survives an
        interruption (FLAML's ``log_file_name``).

    Attributes
    ----------
    classes_ : ndarray
        The class labels.
    best_pipeline_ : sklearn.pipeline.Pipeline or Ensemble
        The final model (on labels ``0..n_classes-1``): the best configuration
        refitted on all the data, or an :class:`~autometa.search.ensemble.Ensemble`
        of refitted trials.
    best_family_, best_params_, best_score_ : str, dict, float
        The chosen configuration and its mean cross-validated score: of the trials
        within one standard error of the best score, the one the meta-learner
        ranked first (``chosen`` in ``leaderboard_``; a near tie is noise, and the
        knowledge base breaks it).
    leaderboard_ : DataFrame
        Finished trials, best first.
    study_ : optuna.Study
        The study.
    recommendations_ : DataFrame
        What the meta-learner recommended.
    metric_, greater_is_better_ : str, bool
        The metric the search optimised (autometa's name, the scorer's name or the
        callable's repr) and its direction.
    n_trials_, n_validated_ : int
        Trials run in this ``fit``, and those of them cross-validated to the end.
    validated_ : bool
        Whether the final model is a cross-validated configuration (False: no trial
        finished in the budget, see ``final_model_`` and ``notes_``).
    final_model_ : str
        How the final model was made: ``"refit"`` (on all rows), ``"refit on a
        sample"`` (an SVM whose refit on all rows would overrun), ``"fold model"``
        (the best trial's model from its last fold, when a refit would not finish in
        time), ``"ensemble"`` (several refitted trials, weights in ``leaderboard_``),
        ``"unvalidated"`` or ``"fallback"``.
    validation_ : str
        How each trial was validated (``"5-fold x 2"``, ``"3-fold"``, ``"holdout 20 %"``).
    notes_ : list of str
        Everything that went differently from the plan, in words.
    n_features_in_, feature_names_in_ : int, ndarray
        As in scikit-learn.

    Notes
    -----
    ``predict`` is the arg-max of ``predict_proba``. When the best pipeline has no
    probabilities (the RBF SVM), ``predict_proba`` is a softmax of its decision
    function: it ranks like the SVM but is not calibrated.

    ``check_estimator`` passes with ``AutoMetaClassifier(time_budget=30, n_trials=2,
    families=["linear"], warm_start=False, random_state=0)``; no check is skipped
    (:data:`SKIPPED_CHECKS`). A time-budgeted search without ``n_trials`` is not
    repeatable (how many trials run depends on the machine's speed), so the
    idempotence checks need ``n_trials``.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from autometa import AutoMetaClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> model = AutoMetaClassifier(time_budget=10, families=["linear", "knn"], n_trials=4,
    ...                            warm_start=False, random_state=0).fit(X, y)
    >>> model.predict(X[:3]).tolist()
    [0, 0, 0]
    """

    _kind_group = "classification"

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``."""
        frame = self._frame(X)
        pipe = self.best_pipeline_
        if hasattr(pipe, "predict_proba"):
            proba = np.asarray(pipe.predict_proba(frame), dtype=float)
        else:
            raw = np.asarray(pipe.decision_function(frame), dtype=float)
            if raw.ndim == 1:
                raw = np.column_stack([-raw, raw])
            raw = np.exp(raw - raw.max(axis=1, keepdims=True))
            proba = raw / raw.sum(axis=1, keepdims=True)
        full = np.zeros((len(frame), len(self.classes_)))
        full[:, np.asarray(pipe.classes_, dtype=int)] = proba
        return full

    def predict(self, X: Any) -> np.ndarray:
        """Predicted class labels."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


def _numeric_as_fitted(frame: pd.DataFrame, numeric: list[str]) -> pd.DataFrame:
    """Columns that were numbers at fit time, as numbers: text that reads as a number is one; other
    text is a one-line DataError naming the column, the value and the fix."""
    changed = {}
    for column in numeric:
        if column not in frame.columns or pd.api.types.is_numeric_dtype(frame[column]):
            continue
        values = frame[column]
        text = values.astype("string").str.strip()
        numbers = pd.to_numeric(text.replace("", pd.NA), errors="coerce")
        bad = values.notna() & (text != "") & numbers.isna()
        if bad.any():
            row = bad.to_numpy().nonzero()[0][0]
            raise DataError(f"Column {column!r} held numbers when the model was fitted, but row {row} holds "
                            f"{values.iloc[row]!r}. Give numbers there (or leave the cell empty: missing values "
                            "are allowed).")
        changed[column] = numbers.astype(float)
    return frame.assign(**changed) if changed else frame


class AutoMetaRegressor(RegressorMixin, _AutoMetaBase):
    """A regressor that finds its own pipeline: meta-learned warm start, then an Optuna search.

    Parameters are those of :class:`AutoMetaClassifier`; ``metric`` is ``"r2"``
    (default), ``"rmse"`` or ``"mae"``.

    Notes
    -----
    ``check_estimator`` passes with ``AutoMetaRegressor(time_budget=30, n_trials=2,
    families=["linear"], warm_start=False, random_state=0)``; no check is skipped.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from autometa import AutoMetaRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = AutoMetaRegressor(time_budget=10, families=["linear"], n_trials=3,
    ...                           warm_start=False, random_state=0).fit(X, y)
    >>> round(model.score(X, y), 1)
    0.5
    """

    _kind_group = "regression"

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets."""
        frame = self._frame(X)
        return np.asarray(self.best_pipeline_.predict(frame), dtype=float)


#: the parameters of the estimators and of :func:`fit`, in the order of the estimators' signature: the one list
#: (``tests/test_estimators.py`` checks that :func:`fit`, the search and the CLI follow it)
SEARCH_PARAMETERS: tuple[str, ...] = tuple(p for p in inspect.signature(_AutoMetaBase.__init__).parameters
                                           if p != "self")
#: of those, the ones the estimator keeps for itself instead of forwarding to the search
_NOT_SEARCH = frozenset({"verbose", "record", "time_budget"})


def fit(X: Any, y: Any, *, time_budget: float = 60.0, kind: str | None = None, metric: str | None = None,
        storage: Any = None, study_name: str | None = None, n_jobs: int = 1, warm_start: bool = True,
        random_state: int | None = None, families: list[str] | None = None, n_trials: int | None = None,
        n_folds: int | None = None, cv: Any = None, verbose: int = 0, record: bool | None = None,
        ensemble: bool = True, log_file: str | None = None,
        sample_weight: Any = None, groups: Any = None) -> AutoMetaClassifier | AutoMetaRegressor:
    """Find and fit a good pipeline for ``(X, y)`` within ``time_budget`` seconds.

    Parameters
    ----------
    X : DataFrame, array-like, path or loader spec
        Features, or a table / file holding the target column named by ``y``.
    y : array-like or str
        Target, or the name of the target column of ``X``.
    time_budget : float, default=60
        Wall-clock seconds for everything, from this call to its return.
    kind : {"binary", "multiclass", "regression"}, optional
        The task's kind. By default it is inferred by the rule every entry point
        shares (:func:`autometa.tasks.infer_kind`): text, booleans and integer labels
        (up to 30 distinct values) are classes; fractional numbers, whole numbers
        stored as floats and integers with more distinct values are regression. The
        rule warns when it is close to its threshold.
    metric, storage, study_name, n_jobs, warm_start, random_state, families, n_trials, n_folds, cv, verbose, \
record, ensemble, log_file
        See :class:`AutoMetaClassifier` (``record=False``: do not record this run in your
        knowledge base).
    sample_weight, groups : array-like or str, optional
        Row weights and group labels (see :meth:`AutoMetaClassifier.fit`), or names of
        columns of ``X`` holding them (taken out of the features).

    Returns
    -------
    AutoMetaClassifier or AutoMetaRegressor
        Fitted: a regressor for a regression task, a classifier otherwise; with
        ``leaderboard_``, ``study_``, ``recommendations_``, ``best_pipeline_``,
        ``n_validated_`` and ``final_model_``.

    Examples
    --------
    >>> import autometa
    >>> from sklearn.datasets import load_breast_cancer
    >>> X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    >>> model = autometa.fit(X, y, time_budget=20)                  # doctest: +SKIP
    >>> model.leaderboard_.head()                                   # doctest: +SKIP
    """
    started = time.perf_counter()
    from autometa._startup import LAZY_IMPORTS

    lookup = LAZY_IMPORTS.pop("fit", None)
    if lookup is not None and started - lookup[1] < 0.5:  # this call's lookup of autometa.fit imported us
        started = lookup[0]
    from autometa.tasks import KINDS, densify, load_task

    if kind is not None and kind not in KINDS:
        raise DataError(f"The 'kind' parameter of fit must be None or one of {', '.join(KINDS)}. Got {kind!r}.")
    X = densify(X, "fit")
    if isinstance(y, str):
        task = load_task(X, target=y, kind=kind)
        X, y = task.X, task.y
        kind = task.kind
    if isinstance(sample_weight, str):
        X, values = _take_column(X, sample_weight, "sample_weight")
        sample_weight = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    if isinstance(groups, str):
        X, values = _take_column(X, groups, "groups")
        groups = values.to_numpy()
    else:
        if y is None:
            raise DataError("fit requires y: the target values, or the name of the target column of X.")
        # the same checks and kind rule as every entry point (DataError naming what is wrong)
        task = load_task(X, y=y, kind=kind)
        kind = task.kind
        if kind == "regression":
            y = task.y.to_numpy()  # a target of numbers stored as text, converted (X stays as given: the
            # model's feature names are the caller's columns, constant ones included)
    cls = AutoMetaRegressor if kind == "regression" else AutoMetaClassifier
    given = locals()
    model = cls(**{name: given[name] for name in SEARCH_PARAMETERS})  # every parameter, by the one list
    model._started_at = started
    return model.fit(X, y, sample_weight=sample_weight, groups=groups)


def _take_column(X: Any, name: str, what: str) -> tuple[pd.DataFrame, pd.Series]:
    """``X`` without its column ``name``, and that column (named by the ``what`` parameter)."""
    from autometa.tasks import load_task

    if not isinstance(X, pd.DataFrame):
        X = load_task(X).X if isinstance(X, (str, os.PathLike)) else pd.DataFrame(X)
    if name not in X.columns:
        raise DataError(f"{what} names the column {name!r}, which X does not have; pass one of "
                        f"{', '.join(map(str, list(X.columns)[:10]))}{', ...' if X.shape[1] > 10 else ''} "
                        "or the values themselves.")
    return X.drop(columns=[name]), X[name]
