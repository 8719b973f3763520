"""Score portfolio configurations on one task by cross-validation.

Used by the knowledge-base build (every configuration on every dataset) and by
anything else that needs the same protocol (benchmarks, the user's own base).
"""

from __future__ import annotations

import hashlib
import json
import time
import traceback
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from autometa.knowledge._schema import CLASSIFICATION_METRICS, REGRESSION_METRICS, Protocol
from autometa.scoring import (
    FitTimeout,
    kfold,
    score_predictions,
    time_limit,
)
from autometa.tasks import Task

__all__ = ["prepare_task", "make_folds", "score_predictions", "evaluate_configuration",
           "evaluate_task", "data_checksum", "FitTimeout"]


def data_checksum(X: pd.DataFrame, y: pd.Series) -> str:
    """A stable SHA-256 (first 16 hex digits) of the rows a build used."""
    h = hashlib.sha256()
    h.update(pd.util.hash_pandas_object(X, index=False).to_numpy().tobytes())
    h.update(pd.util.hash_pandas_object(y, index=False).to_numpy().tobytes())
    h.update(json.dumps([str(c) for c in X.columns]).encode())
    return h.hexdigest()[:16]


def prepare_task(task: Task, protocol: Protocol) -> tuple[pd.DataFrame, np.ndarray, np.ndarray | None]:
    """The rows the protocol uses: ``(X, y_encoded, classes)``.

    Classification targets are label-encoded (``classes`` holds the labels);
    tasks above ``protocol.max_rows`` rows are subsampled, stratified by class
    when every class can keep a row.
    """
    X, y = task.X, task.y
    classes = None
    if task.is_classification:
        classes, y_enc = np.unique(y.astype(str) if y.dtype == object else y, return_inverse=True)
    else:
        y_enc = y.to_numpy(dtype=float)
    if len(X) > protocol.max_rows:
        rng = np.random.default_rng(protocol.seed)
        if classes is not None:
            from sklearn.model_selection import train_test_split

            counts = np.bincount(y_enc)
            stratify = y_enc if counts.min() >= 2 else None
            idx, _ = train_test_split(np.arange(len(X)), train_size=protocol.max_rows,
                                      random_state=protocol.seed, stratify=stratify)
            idx = np.sort(idx)
        else:
            idx = np.sort(rng.choice(len(X), size=protocol.max_rows, replace=False))
        X = X.iloc[idx].reset_index(drop=True)
        y_enc = y_enc[idx]
        if classes is not None:  # a class may have vanished from the sample
            present, y_enc = np.unique(y_enc, return_inverse=True)
            classes = classes[present]
    return X.reset_index(drop=True), y_enc, classes


def make_folds(y: np.ndarray, classification: bool, protocol: Protocol) -> list[tuple[np.ndarray, np.ndarray]]:
    """The protocol's cross-validation folds (:func:`autometa.scoring.kfold`)."""
    return kfold(y, classification, protocol.n_folds, protocol.seed)


def _rows(X: pd.DataFrame | np.ndarray, index: np.ndarray) -> pd.DataFrame | np.ndarray:
    return X[index] if isinstance(X, np.ndarray) else X.iloc[index]


def as_fast_matrix(X: pd.DataFrame) -> pd.DataFrame | np.ndarray:
    """``X`` as a float array when every column is numeric, else unchanged.

    scikit-learn's column transformers check a DataFrame column by column at every
    fit and predict; on small tables that overhead dominates (about 5x the fit time
    of a linear model on 32 rows). Numeric tables (all of PMLB: its categories are
    integer codes) lose nothing by being passed as an array: the categorical mask is
    positional.
    """
    numeric = all(pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t) for t in X.dtypes)
    return X.to_numpy(dtype=float) if numeric else X


def evaluate_configuration(family: str, params: dict[str, Any], X: pd.DataFrame | np.ndarray, y: np.ndarray,
                           classes: np.ndarray | None, kind: str, categorical: Sequence[bool],
                           folds: list[tuple[np.ndarray, np.ndarray]], protocol: Protocol) -> list[dict[str, Any]]:
    """Cross-validate one configuration: one record per fold, failures recorded, never raised."""
    from autometa.pipelines import get_family

    n_classes = None if classes is None else len(classes)
    metric_names = REGRESSION_METRICS if n_classes is None else CLASSIFICATION_METRICS
    records: list[dict[str, Any]] = []
    for fold, (train, test) in enumerate(folds):
        rec: dict[str, Any] = {"fold": fold, "status": "ok", "error": "",
                               **{m: np.nan for m in (*CLASSIFICATION_METRICS, *REGRESSION_METRICS)},
                               "fit_seconds": np.nan, "predict_seconds": np.nan}
        start = time.perf_counter()
        try:
            model = get_family(family).build(params, kind, categorical=list(categorical),
                                             random_state=protocol.seed)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with time_limit(protocol.fit_timeout,
                                lambda _: FitTimeout(f"fit exceeded {protocol.fit_timeout:g} s")):
                    model.fit(_rows(X, train), y[train])
                rec["fit_seconds"] = time.perf_counter() - start
                if rec["fit_seconds"] > protocol.fit_timeout:
                    raise FitTimeout(f"fit took {rec['fit_seconds']:.1f} s > {protocol.fit_timeout:g} s")
                t0 = time.perf_counter()
                rec.update(score_predictions(model, _rows(X, test), y[test], n_classes))
                rec["predict_seconds"] = time.perf_counter() - t0
        except FitTimeout as exc:
            rec.update(status="timeout", error=str(exc), fit_seconds=time.perf_counter() - start)
        except Exception as exc:  # a failing configuration is data, not a crash
            last = traceback.format_exception_only(type(exc), exc)[-1].strip()
            rec.update(status="error", error=last[:300], fit_seconds=time.perf_counter() - start)
        if rec["status"] == "ok" and not np.isfinite([rec[m] for m in metric_names[:1]]).all():
            rec.update(status="error", error="non-finite primary score")
        records.append(rec)
        if rec["status"] == "timeout":  # the other folds would time out too: record them so
            for f in range(fold + 1, len(folds)):
                records.append({**rec, "fold": f, "error": f"skipped after timeout in fold {fold}"})
            break
    return records


def evaluate_task(task: Task, configurations: pd.DataFrame, protocol: Protocol,
                  progress: Any = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Score every configuration (rows of ``config_id, family, params``) on ``task``.

    Returns the evaluation records and a description of the data used.
    ``progress``, if given, is called with the number of configurations done.
    """
    X, y, classes = prepare_task(task, protocol)
    folds = make_folds(y, task.is_classification, protocol)
    matrix = as_fast_matrix(X)
    rows: list[dict[str, Any]] = []
    for cfg in configurations.itertuples(index=False):
        params = json.loads(cfg.params) if isinstance(cfg.params, str) else dict(cfg.params)
        for rec in evaluate_configuration(cfg.family, params, matrix, y, classes, task.kind, task.categorical,
                                          folds, protocol):
            rows.append({"dataset": task.name, "config_id": cfg.config_id, **rec})
        if progress is not None:
            progress(1)
    info = {"rows_used": int(len(X)), "n_folds": len(folds), "checksum": data_checksum(X, pd.Series(y)),
            "n_classes": None if classes is None else int(len(classes))}
    return pd.DataFrame(rows), info
