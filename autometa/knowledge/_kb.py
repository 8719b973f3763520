"""The :class:`KnowledgeBase`: past results, loaded, checked and queried."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from autometa._paths import shipped_metadata_path
from autometa.exceptions import KnowledgeBaseError
from autometa.knowledge._schema import (
    COLUMNS,
    FILES,
    GREATER_IS_BETTER,
    PRIMARY_METRIC,
    SCHEMA_VERSION,
    Protocol,
)

__all__ = ["KnowledgeBase", "default_path"]


def default_path() -> Path:
    """Folder of the knowledge base shipped with the package (:func:`autometa._paths.shipped_metadata_path`)."""
    return shipped_metadata_path()


class KnowledgeBase:
    """Meta-features, a portfolio of configurations and their scores on many datasets.

    Use :meth:`load`; the constructor takes tables already in memory.

    Attributes
    ----------
    datasets : DataFrame
        One row per dataset, indexed by name (source, kind, rows, features, family...).
    metafeatures : DataFrame
        Dataset x meta-feature matrix, indexed by dataset name.
    configurations : DataFrame
        The portfolio, indexed by ``config_id`` (family, params as JSON, origin).
    evaluations : DataFrame
        One row per dataset x configuration x fold with every metric, fit and
        predict seconds, and a ``status`` (``ok``, ``error``, ``timeout``).
    manifest : dict
        Versions, protocol, portfolio hash, build time.

    Examples
    --------
    >>> kb = KnowledgeBase.load()                         # doctest: +SKIP
    >>> kb.scores().shape                                 # doctest: +SKIP
    (233, 208)
    """

    def __init__(self, datasets: pd.DataFrame, metafeatures: pd.DataFrame, configurations: pd.DataFrame,
                 evaluations: pd.DataFrame, manifest: dict[str, Any] | None = None,
                 path: Path | None = None) -> None:
        self.datasets = datasets.set_index("dataset") if "dataset" in datasets.columns else datasets
        self.metafeatures = (metafeatures.set_index("dataset") if "dataset" in metafeatures.columns
                             else metafeatures)
        self.configurations = (configurations.set_index("config_id") if "config_id" in configurations.columns
                               else configurations)
        self.evaluations = evaluations
        self.manifest = manifest or {}
        self.path = path
        self._cache: dict[tuple[Any, ...], pd.DataFrame] = {}

    # -- loading -----------------------------------------------------------
    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None, *, strict: bool = False) -> KnowledgeBase:
        """Load the knowledge base in the folder ``path`` (default: the one shipped with autometa).

        One folder, always: :func:`autometa.knowledge.load_knowledge` is the shipped base
        joined with your recorded runs (what ``recommend`` and ``fit`` rank with).

        Raises
        ------
        KnowledgeBaseError
            When a file is missing or unreadable, a column is missing, or the schema
            version is not this autometa's; with ``strict``, also when any
            dataset x configuration cell has no evaluation.
        """
        path = Path(path) if path is not None else default_path()
        if not path.is_dir():
            raise KnowledgeBaseError(f"No knowledge base at {path}: the folder does not exist. Build one with "
                                     "`autometa metadata build --out PATH`.")
        # meta-features are computed after the evaluations; a base without them yet still loads
        missing = [f for k, f in FILES.items() if k != "metafeatures" and not (path / f).exists()]
        if missing:
            hint = ("it is empty: build it with `autometa metadata build`" if len(missing) == len(FILES)
                    else "the base is partial or damaged; re-run `autometa metadata build` on it to finish it")
            raise KnowledgeBaseError(f"Knowledge base at {path} lacks {', '.join(missing)}: {hint}.")
        try:
            manifest = json.loads((path / FILES["manifest"]).read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise KnowledgeBaseError(f"{path / FILES['manifest']} is not valid JSON ({exc}).") from exc
        version = manifest.get("schema_version")
        if version != SCHEMA_VERSION:
            raise KnowledgeBaseError(f"Knowledge base at {path} has schema version {version!r}; this autometa "
                                     f"reads version {SCHEMA_VERSION}. Rebuild it with this version.")
        tables = {}
        for key in ("datasets", "metafeatures", "configurations", "evaluations"):
            if not (path / FILES[key]).exists():
                tables[key] = pd.DataFrame({"dataset": pd.Series([], dtype=str)})
                continue
            try:
                tables[key] = pd.read_parquet(path / FILES[key])
            except Exception as exc:
                raise KnowledgeBaseError(f"{path / FILES[key]} cannot be read ({type(exc).__name__}: {exc}); "
                                         "the file is damaged. Rebuild or restore it.") from exc
            required = COLUMNS.get(key, ["dataset"])
            absent = [c for c in required if c not in tables[key].columns]
            if absent:
                raise KnowledgeBaseError(f"{path / FILES[key]} lacks column(s) {absent}; it is not a knowledge "
                                         "base table of this schema.")
        kb = cls(**tables, manifest=manifest, path=path)
        kb.check(strict=strict)
        return kb

    def check(self, *, strict: bool = False) -> dict[str, Any]:
        """Check references and coverage; returns :meth:`coverage`, raises on inconsistency."""
        ev = self.evaluations
        unknown_ds = sorted(set(ev["dataset"]) - set(self.datasets.index))
        unknown_cfg = sorted(set(ev["config_id"]) - set(self.configurations.index))
        if unknown_cfg:
            raise KnowledgeBaseError(f"evaluations name configuration(s) not in the portfolio: {unknown_cfg[:5]}.")
        if "kind" in self.datasets.columns:
            kinds = self.datasets["kind"]
            bad = kinds[~kinds.isin(list(PRIMARY_METRIC))]
            if len(bad):
                where = f"{self.path / FILES['datasets']}: " if self.path is not None else ""
                raise KnowledgeBaseError(f"{where}dataset {bad.index[0]!r} has kind {bad.iloc[0]!r}; a kind is one "
                                         f"of {', '.join(PRIMARY_METRIC)}. Rebuild or repair the table.")
        cov = self.coverage()
        if unknown_ds:
            cov["unfinished_datasets"] = unknown_ds
        no_mf = sorted(set(self.datasets.index) - set(self.metafeatures.index))
        if no_mf:
            cov["datasets_without_metafeatures"] = no_mf
        if strict and no_mf:
            raise KnowledgeBaseError(f"dataset(s) without meta-features: {no_mf[:5]}; run "
                                     "`autometa metadata build` again to compute them.")
        if strict and cov["missing_cells"]:
            raise KnowledgeBaseError(f"{cov['missing_cells']} dataset x configuration cells have no evaluation "
                                     f"(e.g. {cov['missing_examples'][:3]}); finish the build.")
        return cov

    # -- queries -------------------------------------------------------------
    @property
    def protocol(self) -> Protocol:
        return Protocol.from_dict(self.manifest.get("protocol", {}))

    def primary_metric(self, kind: str) -> str:
        """The metric that ranks configurations for tasks of ``kind``."""
        return self.manifest.get("protocol", {}).get("primary_metric", PRIMARY_METRIC).get(kind, PRIMARY_METRIC[kind])

    def kind_of(self, dataset: str) -> str:
        return str(self.datasets.at[dataset, "kind"])

    def dataset_names(self, kind: str | None = None) -> list[str]:
        """Finished datasets, optionally of one kind (``"classification"`` = binary + multiclass)."""
        ds = self.datasets
        if kind == "classification":
            ds = ds[ds["kind"] != "regression"]
        elif kind is not None:
            ds = ds[ds["kind"] == kind]
        return sorted(ds.index)

    def _mean_over_folds(self, column: str) -> pd.DataFrame:
        key = ("mean", column)
        if key not in self._cache:
            ev = self.evaluations
            ok = ev[ev["status"] == "ok"] if column not in ("fit_seconds", "predict_seconds") else ev
            table = ok.pivot_table(index="dataset", columns="config_id", values=column, aggfunc="mean",
                                   observed=True)
            table = table.reindex(index=[d for d in self.datasets.index], columns=list(self.configurations.index))
            self._cache[key] = table
        return self._cache[key]

    def scores(self, metric: str | None = None, *, kind: str | None = None,
               greater_is_better: bool = True) -> pd.DataFrame:
        """Dataset x configuration matrix of mean cross-validated scores.

        ``metric=None`` takes each dataset's primary metric. Loss metrics (log-loss,
        RMSE, MAE) are negated when ``greater_is_better`` so that larger is always
        better. Failed or timed-out configurations are NaN.
        """
        names = self.dataset_names(kind)
        if metric is None:
            parts = []
            for k in ("binary", "multiclass", "regression"):
                sub = [n for n in names if self.kind_of(n) == k]
                if sub:
                    parts.append(self._mean_over_folds(self.primary_metric(k)).loc[sub])
            table = pd.concat(parts) if parts else pd.DataFrame(columns=self.configurations.index)
            table = table.loc[names]
        else:
            if metric not in GREATER_IS_BETTER:
                raise KnowledgeBaseError(f"Unknown metric {metric!r}; choose one of {', '.join(GREATER_IS_BETTER)}.")
            table = self._mean_over_folds(metric).loc[names]
            if greater_is_better and not GREATER_IS_BETTER[metric]:
                table = -table
        return table

    def fit_seconds(self) -> pd.DataFrame:
        """Dataset x configuration matrix of mean fit seconds (failures included)."""
        return self._mean_over_folds("fit_seconds")

    def coverage(self) -> dict[str, Any]:
        """How complete the base is: cells expected, evaluated, failed, timed out."""
        ev = self.evaluations
        ev = ev[ev["dataset"].isin(self.datasets.index)]
        # a cell is ok when every fold is, timed out when any fold did, failed otherwise
        severity = ev["status"].map({"ok": 0, "error": 1, "timeout": 2}).fillna(1).astype(int)
        worst = severity.groupby([ev["dataset"], ev["config_id"]], observed=True).max()
        cells = worst.map({0: "ok", 1: "error", 2: "timeout"})
        expected = len(self.datasets) * len(self.configurations)
        full = pd.MultiIndex.from_product([self.datasets.index, self.configurations.index])
        missing = full.difference(cells.index)
        counts = cells.value_counts()
        return {"datasets": int(len(self.datasets)), "configurations": int(len(self.configurations)),
                "expected_cells": int(expected), "evaluated_cells": int(len(cells)),
                "ok_cells": int(counts.get("ok", 0)), "error_cells": int(counts.get("error", 0)),
                "timeout_cells": int(counts.get("timeout", 0)), "missing_cells": int(len(missing)),
                "datasets_without_metafeatures": int(len(self.datasets.index.difference(self.metafeatures.index))),
                "missing_examples": [f"{d}/{c}" for d, c in missing[:5]]}

    def info(self) -> dict[str, Any]:
        """A summary: datasets by kind, configurations by family, coverage, protocol, build."""
        return {
            "path": str(self.path) if self.path else None,
            "datasets_by_kind": {str(k): int(v) for k, v in self.datasets["kind"].value_counts().sort_index().items()},
            "configurations_by_family": {str(k): int(v) for k, v in
                                         self.configurations["family"].value_counts().sort_index().items()},
            "metafeatures": int(self.metafeatures.shape[1]),
            "coverage": self.coverage(),
            "protocol": self.manifest.get("protocol"),
            "build": self.manifest.get("build"),
            "versions": self.manifest.get("versions"),
            "combined": self.manifest.get("combined"),
        }

    def subset(self, datasets: list[str]) -> KnowledgeBase:
        """A knowledge base restricted to ``datasets`` (for leave-one-out evaluation).

        The subset has no ``path``: it is not the base on disk, and nothing keyed by
        the path (a cached learner) may take one for the other.
        """
        keep = [d for d in datasets if d in self.datasets.index]
        return KnowledgeBase(self.datasets.loc[keep].reset_index(), self.metafeatures.loc[
            self.metafeatures.index.intersection(keep)].reset_index(), self.configurations.reset_index(),
            self.evaluations[self.evaluations["dataset"].isin(keep)], self.manifest, path=None)

    def configuration(self, config_id: str) -> tuple[str, dict[str, Any]]:
        """``(family, params)`` of one configuration."""
        row = self.configurations.loc[config_id]
        return str(row["family"]), json.loads(row["params"])

    def __repr__(self) -> str:
        return (f"KnowledgeBase({len(self.datasets)} datasets, {len(self.configurations)} configurations, "
                f"path={str(self.path) if self.path else None!r})")

