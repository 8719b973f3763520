"""The on-disk format of a knowledge base: file names, columns, metrics, protocol."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from autometa.metrics import (
    CLASSIFICATION_METRICS,
    GREATER_IS_BETTER,
    PRIMARY_METRIC,
    REGRESSION_METRICS,
)

__all__ = [
    "SCHEMA_VERSION",
    "FILES",
    "COLUMNS",
    "CLASSIFICATION_METRICS",
    "REGRESSION_METRICS",
    "PRIMARY_METRIC",
    "GREATER_IS_BETTER",
    "Protocol",
]

SCHEMA_VERSION = 1

FILES = {
    "datasets": "datasets.parquet",
    "metafeatures": "metafeatures.parquet",
    "configurations": "configurations.parquet",
    "evaluations": "evaluations.parquet",
    "manifest": "manifest.json",
}

#: required columns of each table (more may be present)
COLUMNS = {
    "datasets": ["dataset", "source", "kind", "rows", "features", "rows_used", "n_classes", "family",
                 "checksum"],
    "configurations": ["config_id", "family", "params", "origin"],
    "evaluations": ["dataset", "config_id", "fold", "status", *CLASSIFICATION_METRICS, *REGRESSION_METRICS,
                    "fit_seconds", "predict_seconds"],
}


@dataclass(frozen=True)
class Protocol:
    """How every configuration is scored on every dataset.

    Attributes
    ----------
    n_folds : int
        Cross-validation folds (stratified for classification when every class
        has at least ``n_folds`` rows, shuffled K-fold otherwise).
    max_rows : int
        Row cap: larger datasets are subsampled (stratified for classification)
        with ``seed`` before cross-validation.
    fit_timeout : float
        Seconds one fit may take before it is stopped and recorded as ``timeout``.
    seed : int
        Seed of the row sample, the folds and every model's ``random_state``.
    """

    n_folds: int = 3
    max_rows: int = 1000
    fit_timeout: float = 30.0
    seed: int = 0
    metrics: dict[str, list[str]] = field(default_factory=lambda: {
        "classification": list(CLASSIFICATION_METRICS), "regression": list(REGRESSION_METRICS)})
    primary_metric: dict[str, str] = field(default_factory=lambda: dict(PRIMARY_METRIC))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Protocol:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)
