"""Build a knowledge base: every portfolio configuration scored on every dataset.

The build is resumable and never loses finished work. A dataset's portfolio is
scored in chunks (``chunk_size`` configurations per job), so that the workers
share even the widest dataset; each finished chunk is written atomically under
``OUT/.parts/chunks/``. When a dataset's chunks cover the portfolio they are
joined into one part file under ``OUT/.parts/``, then merged into the main tables
(``datasets.parquet`` is written last, so it always names exactly the datasets
whose results are complete). A killed build loses only the chunks in flight; a
re-run skips every finished dataset and chunk and checks that the portfolio and
protocol are the ones the base was started with.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from autometa._io import (
    atomic_write_json,
    atomic_write_parquet,
    file_lock,
    remove_stale_temporaries,
)
from autometa.exceptions import KnowledgeBaseError
from autometa.knowledge._schema import FILES, SCHEMA_VERSION, Protocol

__all__ = ["build_knowledge_base", "build_portfolio", "BuildReport", "score_chunk", "consolidate", "portfolio_hash",
           "update_metafeatures", "finished_datasets", "chunked_configs"]

PARTS = ".parts"
#: finished chunks of datasets in flight, under PARTS
CHUNKS = "chunks"


@dataclass
class BuildReport:
    """What a build call did."""

    out: Path
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


def portfolio_hash(configurations: pd.DataFrame) -> str:
    """A short hash of the portfolio's ids, families and params."""
    payload = json.dumps(configurations[["config_id", "family", "params"]].astype(str).values.tolist())
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _library_versions() -> dict[str, str]:
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for lib in ("autometa", "scikit-learn", "lightgbm", "numpy", "pandas", "scipy", "optuna"):
        try:
            out[lib] = md.version(lib)
        except md.PackageNotFoundError:
            out[lib] = "not installed"
    return out


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


def _dask_client(scheduler: str, timeout: float = 30.0) -> Any:
    """A ``distributed.Client`` connected to ``scheduler`` (``tcp://host:8786``)."""
    from autometa.exceptions import require

    distributed = require("distributed", "dask")
    try:
        return distributed.Client(scheduler, timeout=timeout, set_as_default=False)
    except OSError as exc:
        raise KnowledgeBaseError(f"Cannot connect to the Dask scheduler at {scheduler}: {exc}.") from exc


def write_part(out: str | os.PathLike[str], dataset_row: dict[str, Any], evals: pd.DataFrame) -> None:
    """Write one finished dataset as a part file of ``out``, to be merged by :func:`consolidate`."""
    parts = Path(out) / PARTS
    name = dataset_row["dataset"]
    clean = {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in dataset_row.items()}
    atomic_write_parquet(evals.reset_index(drop=True), parts / f"{name}.evaluations.parquet")
    # the json is written last: its presence marks the part as complete
    atomic_write_json({"dataset": clean}, parts / f"{name}.json")


def update_metafeatures(out: str | os.PathLike[str], data_dir: str | os.PathLike[str] | None = None, *,
                        groups: str | list[str] = "all", refresh: bool = False, seed: int = 0,
                        progress: bool = False) -> int:
    """Compute meta-features of the finished datasets that lack them (all with ``refresh``).

    Meta-features are kept apart from the evaluations so that a better extractor
    never forces the (hours long) evaluations to be recomputed. Returns how many
    datasets were computed.
    """
    import warnings

    from autometa.metafeatures import extract_metafeatures
    from autometa.tasks import TaskRegistry

    out = Path(out)
    datasets = _read_table(out, "datasets")
    if datasets is None:
        return 0
    old = _read_table(out, "metafeatures")
    have = set() if old is None or refresh else set(old["dataset"])
    todo = [d for d in datasets["dataset"] if d not in have]
    if not todo:
        return 0
    registry = TaskRegistry.from_data_dir(data_dir)
    rows = []
    for i, name in enumerate(todo):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            task = registry.get(name)
            start = time.perf_counter()
            mf = extract_metafeatures(task.X, task.y, groups=groups, categorical=task.categorical, kind=task.kind,
                                      random_state=seed)
        rows.append({"dataset": name, **{str(k): float(v) for k, v in mf.items()},
                     "_seconds": time.perf_counter() - start})
        if progress:
            print(f"meta-features {i + 1}/{len(todo)} {name}", flush=True)
    new = pd.DataFrame(rows)
    with file_lock(out / ".lock"):
        old = _read_table(out, "metafeatures")  # again: another process may have added rows
        if old is not None and not refresh:
            new = pd.concat([old[~old["dataset"].isin(todo)], new], ignore_index=True)
        new = new[["dataset", *sorted(c for c in new.columns if c != "dataset")]].sort_values("dataset")
        atomic_write_parquet(new.reset_index(drop=True), out / FILES["metafeatures"])
    return len(todo)


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


def _write_manifest(out: Path, configurations: pd.DataFrame, protocol: Protocol,
                    groups: str | list[str], extra_seconds: float, started: str | None) -> None:
    path = out / FILES["manifest"]
    old = json.loads(path.read_text()) if path.exists() else {}
    datasets = _read_table(out, "datasets")
    by_kind = {} if datasets is None else {str(k): int(v) for k, v in datasets["kind"].value_counts().items()}
    cumulative = float(old.get("build", {}).get("wall_seconds", 0.0)) + extra_seconds
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "created": old.get("created") or started,
        "updated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": _library_versions(),
        "protocol": protocol.to_dict(),
        "portfolio": {"n_configurations": int(len(configurations)), "hash": portfolio_hash(configurations),
                      "families": {str(k): int(v) for k, v in configurations["family"].value_counts().sort_index().items()}},
        "metafeatures": {"groups": groups},
        "datasets": {"n": 0 if datasets is None else int(len(datasets)), "by_kind": by_kind},
        "build": {
            "wall_seconds": round(cumulative, 1),
            "dataset_seconds": None if datasets is None or "build_seconds" not in datasets
            else round(float(datasets["build_seconds"].sum()), 1),
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        },
    }
    atomic_write_json(manifest, path)


def _check_compatible(out: Path, configurations: pd.DataFrame, protocol: Protocol) -> None:
    path = out / FILES["manifest"]
    if not path.exists():
        return
    manifest = json.loads(path.read_text())
    old_protocol = Protocol.from_dict(manifest.get("protocol", {}))
    if old_protocol != protocol:
        raise KnowledgeBaseError(
            f"{out} was built with protocol {old_protocol.to_dict()} but this build asks for "
            f"{protocol.to_dict()}. Resume with the same settings, or build into a new folder.")
    old_hash = manifest.get("portfolio", {}).get("hash")
    if old_hash and old_hash != portfolio_hash(configurations):
        raise KnowledgeBaseError(
            f"{out} was built with another portfolio (hash {old_hash}); this build's portfolio hashes to "
            f"{portfolio_hash(configurations)}. Build into a new folder.")


def build_portfolio(out: str | os.PathLike[str]) -> pd.DataFrame:
    """The configurations a build into ``out`` scores: those it started with when it is resumed, else the
    package's portfolio (:func:`autometa.pipelines.portfolio`)."""
    stored = Path(out) / FILES["configurations"]
    if stored.exists():  # a resumed build goes on with the portfolio it started with
        return pd.read_parquet(stored)
    from autometa.pipelines import portfolio

    return portfolio()


def build_knowledge_base(out: str | os.PathLike[str], *, data_dir: str | os.PathLike[str] | None = None,
                         datasets: Sequence[str] | None = None, n_jobs: int = 1,
                         protocol: Protocol | None = None, configurations: pd.DataFrame | None = None,
                         metafeature_groups: str | list[str] = "all", progress: bool = False,
                         backend: str | None = None, consolidate_every: int = 5, order: str = "largest",
                         metafeatures: bool = True, scheduler: str | None = None,
                         chunk_size: int = 26) -> BuildReport:
    """Score the portfolio on datasets of ``data_dir`` and write a knowledge base to ``out``.

    Parameters
    ----------
    out : path
        Folder of the knowledge base; created, or resumed when it holds a partial build.
    data_dir : path, optional
        PMLB data directory (default: ``$AUTOMETA_DATA_DIR``).
    datasets : list of str, optional
        Dataset names to include (default: all of ``data_dir``).
    n_jobs : int
        Chunks scored in parallel (processes).
    protocol : Protocol, optional
        Folds, row cap, per-fit time limit and seed (default :class:`Protocol`).
    configurations : DataFrame, optional
        The portfolio (default :func:`autometa.pipelines.portfolio`).
    progress : bool
        Show a progress bar (datasets done, configurations per second, time left).
    backend : str, optional
        A joblib backend name, e.g. ``"dask"`` inside ``joblib.parallel_config`` with a
        Dask client.
    order : {"largest", "smallest"}
        Which datasets go first (by capped rows x features). Two builds into the same
        folder from opposite ends share the work: each skips what the other finished.
    metafeatures : bool
        Compute the meta-features of the finished datasets that lack them at the end.
    scheduler : str, optional
        Address of a Dask scheduler (``"tcp://host:8786"``): datasets are scored on
        its workers through joblib's Dask backend (``n_jobs`` at a time, all the
        workers' threads when ``n_jobs`` is 1 or -1). Workers must read ``data_dir``
        at the same path; their results come back here and are written to ``out``
        as in a local build, so the base is the same.
    chunk_size : int
        Configurations per job. A dataset's portfolio is scored in chunks of this
        many, so the workers share even the widest dataset, and a killed build
        loses only the chunks in flight: finished chunks wait under
        ``OUT/.parts/chunks/`` until their dataset is complete.

    Returns
    -------
    BuildReport

    Examples
    --------
    >>> build_knowledge_base("kb/", data_dir="../shared/data/pmlb",
    ...                      datasets=["iris"], n_jobs=1)  # doctest: +SKIP
    """
    from joblib import Parallel, delayed

    from autometa.tasks import TaskRegistry

    if not (isinstance(chunk_size, (int, np.integer)) and not isinstance(chunk_size, bool) and chunk_size >= 1):
        raise KnowledgeBaseError(f"chunk_size must be an int >= 1; got {chunk_size!r}.")
    out = Path(out)
    protocol = protocol or Protocol()
    configurations = (configurations if configurations is not None else build_portfolio(out)).reset_index(drop=True)
    from autometa.tasks import resolve_data_dir

    resolved = str(resolve_data_dir(data_dir, collection="pmlb"))
    registry = TaskRegistry.from_data_dir(resolved)
    names = list(datasets) if datasets is not None else registry.list()
    unknown = [n for n in names if n not in registry]
    if unknown:
        raise KnowledgeBaseError(f"Unknown dataset(s) {unknown[:5]} in {data_dir or '$AUTOMETA_DATA_DIR'}.")
    out.mkdir(parents=True, exist_ok=True)
    with file_lock(out / ".lock"):  # the temporary files of a run killed mid-write
        for folder in (out, out / PARTS, out / PARTS / CHUNKS):
            remove_stale_temporaries(folder)
    _check_compatible(out, configurations, protocol)
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    atomic_write_parquet(configurations, out / FILES["configurations"])
    consolidate(out)  # parts left by a killed run
    _write_manifest(out, configurations, protocol, metafeature_groups, 0.0, started)

    done = finished_datasets(out)
    report = BuildReport(out=out, skipped=[n for n in names if n in done])
    todo = [n for n in names if n not in done]
    if order not in ("largest", "smallest"):
        raise KnowledgeBaseError(f"order must be 'largest' or 'smallest'; got {order!r}.")

    def cost(n: str) -> int:
        info = registry.info(n)
        return min(info.get("rows") or 0, protocol.max_rows) * (info.get("features") or 1)

    # largest first keeps the workers busy to the end
    todo.sort(key=cost, reverse=order == "largest")
    config_ids = [str(c) for c in configurations["config_id"]]
    plan: list[tuple[str, pd.DataFrame]] = []
    remaining: dict[str, int] = {}
    for name in todo:
        have = chunked_configs(out, name)  # chunks left by a killed run are kept
        rows = [i for i, c in enumerate(config_ids) if c not in have]
        pieces = [configurations.iloc[rows[k:k + chunk_size]] for k in range(0, len(rows), chunk_size)]
        plan.extend((name, piece) for piece in pieces)
        remaining[name] = len(pieces)
    t0 = time.perf_counter()
    last_manifest = t0
    client = None
    if scheduler is not None:
        import joblib

        client = _dask_client(scheduler)
        backend_context: Any = joblib.parallel_config(backend="dask", client=client, wait_for_workers_timeout=60)
        n_jobs = -1 if n_jobs in (1, -1) else n_jobs
        jobs = (delayed(score_chunk)(n, resolved, piece, protocol) for n, piece in plan)
    else:
        import contextlib

        backend_context = contextlib.nullcontext()
        jobs = (delayed(evaluate_chunk)(n, resolved, piece, protocol, str(out)) for n, piece in plan)
    bar = _Progress(len(todo), sum(len(piece) for _, piece in plan), enabled=progress)
    pending = 0

    def finish(name: str) -> None:
        nonlocal pending, last_manifest
        summary = assemble_dataset(out, name, config_ids)
        if summary is None:
            report.skipped.append(name)
            return
        report.done.append(name)
        bar.advance(summary)
        pending += 1
        if pending >= consolidate_every:
            consolidate(out)
            pending = 0
            now = time.perf_counter()
            _write_manifest(out, configurations, protocol, metafeature_groups, now - last_manifest, started)
            last_manifest = now

    try:
        with bar, backend_context:
            for name in [n for n in todo if remaining[n] == 0]:  # every chunk was done by a killed run
                finish(name)
            parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered",
                                backend=None if client is not None else backend)
            for result in parallel(jobs):
                name = result["dataset"]
                if "evaluations" in result:  # scored on a cluster worker: kept here
                    write_chunk(out, result)
                bar.chunk(len(result["configs"]))
                remaining[name] -= 1
                if remaining[name] == 0:
                    finish(name)
    finally:
        if client is not None:
            client.close()
        consolidate(out)
        _write_manifest(out, configurations, protocol, metafeature_groups, time.perf_counter() - last_manifest,
                        started)
    if metafeatures:
        update_metafeatures(out, resolved, groups=metafeature_groups, seed=protocol.seed)
    report.seconds = time.perf_counter() - t0
    return report


class _Progress:
    """Datasets done, configurations per second and time left, on a rich progress bar.

    The bar counts configurations (so the time left is right when datasets differ
    in size, and moves while a wide dataset is in flight); the text counts datasets.
    """

    def __init__(self, total: int, n_configs: int, enabled: bool) -> None:
        self.total, self.n_configs, self.enabled = total, n_configs, enabled
        self.done = 0
        self.configs_done = 0
        self.start = time.perf_counter()
        self._progress: Any = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            self._progress = Progress(TextColumn("[bold]building[/]"), BarColumn(),
                                      TextColumn("{task.fields[datasets]} datasets  {task.fields[rate]}  "
                                                 "last: {task.fields[last]}"),
                                      TimeRemainingColumn(), console=Console(stderr=True))
            self._progress.start()
            self._task = self._progress.add_task("build", total=max(self.n_configs, 1), rate="", last="",
                                                 datasets=f"0/{self.total}")
        return self

    def _rate(self) -> str:
        return f"{self.configs_done / max(time.perf_counter() - self.start, 1e-9):.1f} configs/s"

    def chunk(self, n_configs: int) -> None:
        """A chunk of ``n_configs`` configurations finished."""
        self.configs_done += n_configs
        if self._progress is not None:
            self._progress.update(self._task, advance=n_configs, rate=self._rate())

    def advance(self, result: dict[str, Any]) -> None:
        """A dataset finished."""
        self.done += 1
        if self._progress is not None:
            self._progress.update(self._task, datasets=f"{self.done}/{self.total}", rate=self._rate(),
                                  last=f"{result['dataset']} ({result['seconds']:.0f}s)")

    def __exit__(self, *exc: Any) -> None:
        if self._progress is not None:
            self._progress.stop()
