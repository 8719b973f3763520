"""The build's files on disk: chunks of a dataset's portfolio, parts of finished datasets, the main tables.

A dataset's portfolio is scored in chunks, each written atomically under
``OUT/.parts/chunks/DATASET/``; when the chunks cover the portfolio they are joined
into one part file under ``OUT/.parts/``, then merged into the main tables
(``datasets.parquet`` last). :mod:`autometa.knowledge.build` drives this; the
functions here read and write the files, and ``score_chunk`` is what a worker runs.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from autometa._io import (
    atomic_write_json,
    atomic_write_parquet,
    file_lock,
)
from autometa.exceptions import KnowledgeBaseError
from autometa.knowledge._schema import FILES, Protocol

__all__ = ["CHUNKS", "PARTS", "assemble_dataset", "chunked_configs", "consolidate", "evaluate_chunk",
           "finished_datasets", "merge_builds", "score_chunk", "write_chunk", "write_part"]

PARTS = ".parts"
#: finished chunks of datasets in flight, under PARTS
CHUNKS = "chunks"


def _machine() -> str:
    import socket

    return f"{socket.gethostname()} ({os.cpu_count()} cpus)"


def score_chunk(name: str, data_dir: str | None, configurations: pd.DataFrame,
                protocol: Protocol) -> dict[str, Any]:
    """Score some configurations (a chunk of the portfolio) on one dataset; writes nothing.

    What a build's workers run: the worker needs to read ``data_dir`` only. The
    result holds the evaluations, the dataset's description (``meta``) and the
    seconds spent.
    """
    import warnings

    from autometa.knowledge._evaluate import evaluate_task
    from autometa.tasks import TaskRegistry

    start = time.perf_counter()
    registry = TaskRegistry.from_data_dir(data_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        task = registry.get(name)
    evals, info = evaluate_task(task, configurations, protocol)
    seconds = time.perf_counter() - start
    meta = {"dataset": name, "source": task.source, "kind": task.kind, "rows": task.n_rows,
            "features": task.n_features, "rows_used": info["rows_used"], "n_classes": info["n_classes"],
            "family": task.family, "checksum": info["checksum"], "n_folds": info["n_folds"], "machine": _machine()}
    return {"dataset": name, "configs": [str(c) for c in configurations["config_id"]], "seconds": seconds,
            "meta": meta, "evaluations": evals}


def _chunk_dir(out: Path, name: str) -> Path:
    return out / PARTS / CHUNKS / name


def write_chunk(out: str | os.PathLike[str], result: dict[str, Any]) -> None:
    """Keep a finished chunk of a dataset (from :func:`score_chunk`) under ``OUT/.parts/chunks/``.

    Under the base's lock, so that another build sharing the folder cannot remove the
    dataset's chunks (having finished it) while this one writes; a chunk of a dataset
    finished meanwhile is dropped.
    """
    out = Path(out)
    with file_lock(out / ".lock"):
        if result["dataset"] in finished_datasets(out):
            return
        folder = _chunk_dir(out, result["dataset"])
        stem = result["configs"][0]
        atomic_write_parquet(result["evaluations"].reset_index(drop=True), folder / f"{stem}.evaluations.parquet")
        # the json is written last: its presence marks the chunk as complete
        atomic_write_json({"configs": result["configs"], "seconds": result["seconds"], "meta": result["meta"]},
                          folder / f"{stem}.json")


def _chunks(out: Path, name: str) -> list[tuple[Path, dict[str, Any]]]:
    folder = _chunk_dir(out, name)
    if not folder.exists():
        return []
    return [(p, json.loads(p.read_text())) for p in sorted(folder.glob("*.json"))]


def chunked_configs(out: str | os.PathLike[str], name: str) -> set[str]:
    """Configurations of dataset ``name`` already scored in finished chunks of ``out``."""
    return {c for _, chunk in _chunks(Path(out), name) for c in chunk["configs"]}


def evaluate_chunk(name: str, data_dir: str | None, configurations: pd.DataFrame, protocol: Protocol,
                   out: str) -> dict[str, Any]:
    """Score a chunk of configurations on one dataset and keep it under ``out``; returns which chunk it was.

    Runs in a worker process: everything it needs comes in as arguments. A dataset
    that another worker or machine finished meanwhile is skipped.
    """
    if name not in finished_datasets(out):
        write_chunk(out, score_chunk(name, data_dir, configurations, protocol))
    return {"dataset": name, "configs": [str(c) for c in configurations["config_id"]]}


def assemble_dataset(out: str | os.PathLike[str], name: str, config_ids: Sequence[str]) -> dict[str, Any] | None:
    """Join the chunks of ``name`` into its part file once they cover ``config_ids``.

    Returns the dataset's summary, or None when chunks are missing or another build
    finished the dataset first (its chunks are then removed).
    """
    import shutil

    out = Path(out)
    with file_lock(out / ".lock"):
        folder = _chunk_dir(out, name)
        if name in finished_datasets(out):
            shutil.rmtree(folder, ignore_errors=True)
            return None
        chunks = _chunks(out, name)
        if not set(config_ids) <= {c for _, chunk in chunks for c in chunk["configs"]}:
            return None
        evals = pd.concat([pd.read_parquet(p.with_name(p.name[: -len(".json")] + ".evaluations.parquet"))
                           for p, _ in chunks], ignore_index=True)
        position = {c: i for i, c in enumerate(config_ids)}
        evals = evals[evals["config_id"].astype(str).isin(position)]
        evals = evals.drop_duplicates(["config_id", "fold"])  # two builds may have scored the same chunk
        evals = evals.iloc[np.lexsort((evals["fold"].to_numpy(),
                                       evals["config_id"].astype(str).map(position).to_numpy()))]
        seconds = float(sum(chunk["seconds"] for _, chunk in chunks))
        meta = chunks[0][1]["meta"]  # the dataset's row: its description, then build seconds and machine
        row = {**{k: v for k, v in meta.items() if k != "machine"}, "build_seconds": seconds,
               "machine": meta["machine"]}
        write_part(out, row, evals)
        shutil.rmtree(folder, ignore_errors=True)
        if folder.parent.exists() and not any(folder.parent.iterdir()):
            folder.parent.rmdir()
    n_bad = int((evals["status"] != "ok").sum())
    return {"dataset": name, "seconds": seconds, "n_evaluations": len(evals), "n_failed": n_bad}


def write_part(out: str | os.PathLike[str], dataset_row: dict[str, Any], evals: pd.DataFrame) -> None:
    """Write one finished dataset as a part file of ``out``, to be merged by :func:`consolidate`."""
    parts = Path(out) / PARTS
    name = dataset_row["dataset"]
    clean = {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in dataset_row.items()}
    atomic_write_parquet(evals.reset_index(drop=True), parts / f"{name}.evaluations.parquet")
    # the json is written last: its presence marks the part as complete
    atomic_write_json({"dataset": clean}, parts / f"{name}.json")


def _read_table(out: Path, key: str) -> pd.DataFrame | None:
    path = out / FILES[key]
    return pd.read_parquet(path) if path.exists() else None


def finished_datasets(out: str | os.PathLike[str]) -> set[str]:
    """Datasets already complete in ``out``: merged into the tables or waiting as a part."""
    out = Path(out)
    done: set[str] = set()
    table = _read_table(out, "datasets")
    if table is not None:
        done.update(table["dataset"].astype(str))
    parts = out / PARTS
    if parts.exists():
        done.update(p.name[: -len(".json")] for p in parts.glob("*.json"))
    return done


def consolidate(out: str | os.PathLike[str]) -> int:
    """Merge finished part files into the main tables; returns how many were merged.

    Holds ``OUT/.lock`` so that builds sharing a folder never lose each other's rows.
    """
    out = Path(out)
    with file_lock(out / ".lock"):
        return _consolidate(out)


def _consolidate(out: Path) -> int:
    parts_dir = out / PARTS
    metas = sorted(parts_dir.glob("*.json")) if parts_dir.exists() else []
    if not metas:
        return 0
    new_rows, new_evals = [], []
    for meta_path in metas:
        name = meta_path.name[: -len(".json")]
        data = json.loads(meta_path.read_text())
        new_rows.append(data["dataset"])
        new_evals.append(pd.read_parquet(parts_dir / f"{name}.evaluations.parquet"))
    names = {r["dataset"] for r in new_rows}

    def merged(key: str, new: pd.DataFrame) -> pd.DataFrame:
        old = _read_table(out, key)
        if old is None:
            return new
        return pd.concat([old[~old["dataset"].isin(names)], new], ignore_index=True)

    evals = merged("evaluations", pd.concat(new_evals, ignore_index=True))
    evals = evals.sort_values(["dataset", "config_id", "fold"], kind="stable").reset_index(drop=True)
    datasets = merged("datasets", pd.DataFrame(new_rows)).sort_values("dataset").reset_index(drop=True)
    # datasets.parquet goes last: it defines which datasets are complete
    atomic_write_parquet(evals, out / FILES["evaluations"])
    atomic_write_parquet(datasets, out / FILES["datasets"])
    for meta_path in metas:
        name = meta_path.name[: -len(".json")]
        (parts_dir / f"{name}.evaluations.parquet").unlink(missing_ok=True)
        meta_path.unlink()
    return len(metas)


def merge_builds(sources: Sequence[str | os.PathLike[str]], out: str | os.PathLike[str]) -> int:
    """Merge the finished datasets of other builds into ``out`` (e.g. built on other machines).

    Every source must use the same portfolio and protocol as ``out``; datasets
    ``out`` already has are kept. Returns how many datasets were merged.
    """
    out = Path(out)
    out_manifest = json.loads((out / FILES["manifest"]).read_text())
    merged = 0
    for src in map(Path, sources):
        consolidate(src)
        manifest = json.loads((src / FILES["manifest"]).read_text())
        for key in ("protocol",):
            if manifest.get(key) != out_manifest.get(key):
                raise KnowledgeBaseError(f"{src} was built with another {key} than {out}; cannot merge.")
        if manifest["portfolio"]["hash"] != out_manifest["portfolio"]["hash"]:
            raise KnowledgeBaseError(f"{src} was built with another portfolio than {out}; cannot merge.")
        done = finished_datasets(out)
        datasets = pd.read_parquet(src / FILES["datasets"])
        evals = pd.read_parquet(src / FILES["evaluations"])
        for row in datasets.to_dict(orient="records"):
            if row["dataset"] not in done:
                write_part(out, row, evals[evals["dataset"] == row["dataset"]])
                merged += 1
    consolidate(out)
    return merged
