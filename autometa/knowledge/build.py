"""Build a knowledge base: every portfolio configuration scored on every dataset (the files: ``_parts.py``).

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
from autometa.knowledge._parts import (  # noqa: F401 (the build's names, kept importable from here)
    CHUNKS,
    PARTS,
    _chunk_dir,
    _chunks,
    _consolidate,
    _machine,
    _read_table,
    assemble_dataset,
    chunked_configs,
    consolidate,
    evaluate_chunk,
    finished_datasets,
    merge_builds,
    score_chunk,
    write_chunk,
    write_part,
)
from autometa.knowledge._schema import FILES, SCHEMA_VERSION, Protocol

__all__ = ["build_knowledge_base", "build_portfolio", "BuildReport", "score_chunk", "consolidate", "portfolio_hash",
           "update_metafeatures", "finished_datasets", "chunked_configs"]


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


def _dask_client(scheduler: str, timeout: float = 30.0) -> Any:
    """A ``distributed.Client`` connected to ``scheduler`` (``tcp://host:8786``)."""
    from autometa.exceptions import require

    distributed = require("distributed", "dask")
    try:
        return distributed.Client(scheduler, timeout=timeout, set_as_default=False)
    except OSError as exc:
        raise KnowledgeBaseError(f"Cannot connect to the Dask scheduler at {scheduler}: {exc}.") from exc


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
