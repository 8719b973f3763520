"""The user knowledge base: what autometa learns from your own runs.

Beside the shipped base (``metadata/``), every user has a knowledge base of their
own, in the same schema: the meta-features of the tasks they searched and the
trials of their Optuna studies, as *sparse* evaluations (only the configurations
that were tried, not the whole portfolio on every dataset). Configurations that are
not in the portfolio get a stable id from their family and parameters
(``user-<family>-<hash>``) and origin ``"user"``.

It lives in ``$AUTOMETA_HOME/knowledge`` (default: the platform's user data
folder, e.g. ``~/.local/share/autometa/knowledge``). Writes are safe:

- concurrent writers (processes of one machine) are serialised by an exclusive
  lock on ``.lock``: each record is one read-modify-write under it;
- every table file is replaced atomically (write a temporary file, fsync, rename),
  in an order that keeps the base consistent at every step (configurations, then
  meta-features, then evaluations, then ``datasets.parquet``, which names the
  datasets whose rows are complete). A crash mid-write leaves the previous
  version of each file: nothing already recorded is lost.

:func:`combine` joins it with the shipped base into one :class:`KnowledgeBase`;
:func:`load_knowledge` is that join (what ``recommend`` and ``fit`` rank with).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from autometa._io import (
    atomic_write_json,
    atomic_write_parquet,
    file_lock,
    remove_stale_temporaries,
)
from autometa._paths import autometa_home, user_knowledge_path
from autometa.exceptions import DataError, KnowledgeBaseError
from autometa.knowledge._configs import (
    _ConfigIndex,
    config_id_of,
)
from autometa.knowledge._kb import KnowledgeBase
from autometa.knowledge._schema import (
    COLUMNS,
    FILES,
    SCHEMA_VERSION,
)
from autometa.knowledge._trials import (
    USER_ORIGIN,
    RecordReport,
    as_trials,
    check_record_metric,
    trial_records,
)
from autometa.metafeatures import TASK_VECTOR_GROUPS

__all__ = ["RecordReport", "UserKnowledgeBase", "autometa_home", "combine", "config_id_of", "load_knowledge",
           "user_knowledge_path"]

#: meta-feature extraction of recorded tasks: the groups and row samples the default task
#: encoder uses for a query, so the vector of a recorded task is the one a re-run sees, and a
#: task that was just recommended for is recorded without computing anything again
RECORD_EXTRACTION: dict[str, Any] = {"groups": list(TASK_VECTOR_GROUPS), "max_rows": 10_000,
                                     "model_max_rows": 2_000}

#: extra columns of the user tables (the schema allows more than the required ones)
_EVAL_EXTRA = ["study", "trial", "origin", "recorded"]


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(name)).strip("_")[:60] or "task"


class UserKnowledgeBase:
    """The user's own knowledge base: recorded tasks and trials, beside the shipped base.

    Parameters
    ----------
    path : path, optional
        Its folder (default: :func:`user_knowledge_path`, i.e.
        ``$AUTOMETA_HOME/knowledge`` or the platform's user data folder).

    Examples
    --------
    >>> import autometa, optuna
    >>> from autometa.knowledge.user import UserKnowledgeBase
    >>> user = UserKnowledgeBase("/tmp/my-kb")                          # doctest: +SKIP
    >>> model = autometa.fit(X, y, time_budget=30, record=False)         # doctest: +SKIP
    >>> user.record(task, model.study_)                                  # doctest: +SKIP
    >>> kb = user.load()                                                 # doctest: +SKIP
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else user_knowledge_path()

    def __repr__(self) -> str:
        return f"UserKnowledgeBase({str(self.path)!r})"

    @property
    def lock_path(self) -> Path:
        return self.path / ".lock"

    def exists(self) -> bool:
        """Whether anything was recorded yet (a ``datasets.parquet`` exists)."""
        return (self.path / FILES["datasets"]).exists()

    # -- reading ---------------------------------------------------------------------
    def _read(self, key: str) -> pd.DataFrame | None:
        file = self.path / FILES[key]
        if not file.exists():
            return None
        try:
            return pd.read_parquet(file)
        except Exception as exc:
            raise KnowledgeBaseError(f"{file} cannot be read ({type(exc).__name__}: {exc}); the user knowledge "
                                     "base is damaged. Move it away to start a new one.") from exc

    def load(self) -> KnowledgeBase:
        """The user base as a :class:`KnowledgeBase` (sparse: only the tried configurations).

        An empty or missing user base loads as an empty knowledge base.
        """
        datasets = self._read("datasets")
        metafeatures = self._read("metafeatures")
        configurations = self._read("configurations")
        evaluations = self._read("evaluations")
        manifest_file = self.path / FILES["manifest"]
        manifest = json.loads(manifest_file.read_text()) if manifest_file.exists() else {}
        datasets = datasets if datasets is not None else _empty("datasets")
        configurations = configurations if configurations is not None else _empty("configurations")
        evaluations = evaluations if evaluations is not None else _empty("evaluations")
        metafeatures = metafeatures if metafeatures is not None else pd.DataFrame(
            {"dataset": pd.Series([], dtype=str)})
        # a writer killed between two files leaves rows that a later file does not name yet: the
        # datasets table is written last, so a run is recorded once its row is there, and not before
        committed = set(datasets["dataset"])
        evaluations = evaluations[evaluations["config_id"].isin(configurations["config_id"])
                                  & evaluations["dataset"].isin(committed)]
        metafeatures = metafeatures[metafeatures["dataset"].isin(committed)]
        manifest = {"schema_version": SCHEMA_VERSION, **manifest, "origin": USER_ORIGIN}
        return KnowledgeBase(datasets, metafeatures, configurations, evaluations.reset_index(drop=True),
                             manifest, self.path)

    def info(self) -> dict[str, Any]:
        """Datasets, configurations and evaluations recorded, and where."""
        kb = self.load()
        ev = kb.evaluations
        return {"path": str(self.path), "datasets": int(len(kb.datasets)),
                "datasets_by_kind": {str(k): int(v) for k, v in kb.datasets["kind"].value_counts().sort_index().items()}
                if len(kb.datasets) else {},
                "configurations": int(len(kb.configurations)),
                "evaluations": int(len(ev)), "ok_evaluations": int((ev["status"] == "ok").sum()) if len(ev) else 0,
                "studies": int(ev[["dataset", "study"]].drop_duplicates().shape[0]) if "study" in ev else 0,
                "updated": kb.manifest.get("updated")}

    # -- writing ---------------------------------------------------------------------
    def record(self, task: Any, study_or_trials: Any, *, y: Any = None, metric: str | None = None,
               family: str | None = None, name: str | None = None,
               metafeatures: pd.Series | None = None, param_map: Mapping[str, str] | None = None) -> RecordReport:
        """Store a task's meta-features and the finished trials of a study on it.

        Parameters
        ----------
        task : Task, DataFrame, ndarray, path or str
            The data the study tuned on (with ``y``, as :func:`autometa.load_task` takes it).
        study_or_trials : optuna.Study or list of FrozenTrial
            Completed trials are stored as ``ok`` evaluations, failed ones as
            ``error``; pruned, running and waiting trials are skipped. Recording the
            same study (same name; for a list, the same trials) again replaces
            its rows (idempotent).
        y : array-like or str, optional
            The target, or the name of its column in ``task``.
        metric : str, optional
            The metric the trials' values are (default: the study's
            ``autometa_metric`` attribute, else the kind's primary metric).
        family : str, optional
            The pipeline family of every trial, for studies that tune one model
            without a categorical choice of it.
        name : str, optional
            The dataset's name (default: the task's); the stored name is
            ``user-<name>-<data checksum>``, so the same data is one dataset.
        metafeatures : Series, optional
            Precomputed meta-features (default: computed here).
        param_map : dict, optional
            The study's parameter names -> the family's (``{"leaves": "num_leaves"}``).
            A name that maps to no parameter of its trial's family is refused (a
            :class:`DataError` naming it and the mapping to pass), never dropped: a
            configuration is stored only with the parameters the user set.

        Returns
        -------
        RecordReport
        """
        from autometa.knowledge._evaluate import data_checksum
        from autometa.pipelines import FAMILIES
        from autometa.tasks import Task, load_task

        if family is not None and family not in FAMILIES:
            raise DataError(f"The 'family' parameter must be None or one of {', '.join(FAMILIES)}. Got {family!r}.")
        if not isinstance(task, Task):
            task = load_task(task, target=y, kind=None) if isinstance(y, str) else load_task(task, y=y)
        trials, study_key, attrs, direction = as_trials(study_or_trials)
        metric = check_record_metric(metric, task.kind, attrs, direction)
        checksum = data_checksum(task.X, task.y)
        dataset = f"user-{_slug(name or task.name)}-{checksum[:8]}"
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        if metafeatures is None:
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                metafeatures = task.metafeatures(**RECORD_EXTRACTION)
        mf_row = {"dataset": dataset, **{str(k): float(v) for k, v in metafeatures.items()}}

        report = RecordReport(dataset=dataset)
        pending = trial_records(trials, dataset=dataset, kind=task.kind, metric=metric, study_key=study_key, now=now,
                                report=report, family=family, param_map=param_map)
        with file_lock(self.lock_path):
            old_cfg = self._read("configurations")
            if old_cfg is None:
                from autometa.pipelines import portfolio

                old_cfg = portfolio().iloc[0:0]
            rows, new_cfgs = _resolve_configs(pending, old_cfg, task.kind)
            report.n_new_configurations = sum(c["config_id"].startswith("user-") for c in new_cfgs)
            report.n_evaluations = len(rows)
            self._write(task, dataset, checksum, mf_row, old_cfg, new_cfgs, rows, study_key,
                        metric, now)
        return report

    def _write(self, task: Any, dataset: str, checksum: str, mf_row: dict[str, Any], old_cfg: pd.DataFrame,
               new_cfgs: list[dict[str, Any]], rows: list[dict[str, Any]], study_key: str, metric: str,
               now: str) -> None:
        """One consistent update, under the lock; each file replaced atomically, datasets last."""
        self.path.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(self.path)  # a writer killed mid-write leaves its temporary file
        old_ds = self._read("datasets")
        # rows of a writer killed before it wrote the datasets table were never recorded: drop them
        committed = set(old_ds["dataset"]) if old_ds is not None else set()
        if new_cfgs:
            configs = pd.concat([old_cfg, pd.DataFrame(new_cfgs)], ignore_index=True)
            atomic_write_parquet(configs.sort_values("config_id").reset_index(drop=True),
                                 self.path / FILES["configurations"])
        elif not (self.path / FILES["configurations"]).exists():
            atomic_write_parquet(old_cfg.reset_index(drop=True), self.path / FILES["configurations"])

        old_mf = self._read("metafeatures")
        mf = pd.DataFrame([mf_row])
        if old_mf is not None:
            old_mf = old_mf[old_mf["dataset"].isin(committed - {dataset})]
            mf = pd.concat([old_mf, mf], ignore_index=True)
        atomic_write_parquet(mf.sort_values("dataset").reset_index(drop=True), self.path / FILES["metafeatures"])

        old_ev = self._read("evaluations")
        new_ev = pd.DataFrame(rows, columns=[*COLUMNS["evaluations"], *_EVAL_EXTRA])
        if old_ev is not None:
            # recording a study again replaces its rows: the call is idempotent
            keep = ~((old_ev["dataset"] == dataset) & (old_ev["study"] == study_key)) & old_ev["dataset"].isin(
                committed)
            new_ev = pd.concat([old_ev[keep], new_ev], ignore_index=True) if len(new_ev) else old_ev[keep]
        new_ev = new_ev.sort_values(["dataset", "config_id", "study", "trial"], kind="stable")
        # repeated trials of one configuration are its "folds": the mean over them is its score
        new_ev["fold"] = new_ev.groupby(["dataset", "config_id"], sort=False).cumcount().astype("int64")
        new_ev["trial"] = new_ev["trial"].astype("int64")
        atomic_write_parquet(new_ev.reset_index(drop=True), self.path / FILES["evaluations"])

        studies = 1
        if old_ds is not None and dataset in set(old_ds["dataset"]):
            studies = int(new_ev.loc[new_ev["dataset"] == dataset, "study"].nunique())
        ds_row = {"dataset": dataset, "source": task.source, "kind": task.kind, "rows": task.n_rows,
                  "features": task.n_features, "rows_used": task.n_rows, "n_classes": task.n_classes,
                  "family": f"user-{_slug(task.family)}", "checksum": checksum, "origin": USER_ORIGIN,
                  "metric": metric, "studies": studies, "recorded": now}
        ds = pd.DataFrame([ds_row])
        if old_ds is not None:
            ds = pd.concat([old_ds[old_ds["dataset"] != dataset], ds], ignore_index=True)
        ds["n_classes"] = pd.to_numeric(ds["n_classes"], errors="coerce").astype("Int64")
        atomic_write_parquet(ds.sort_values("dataset").reset_index(drop=True), self.path / FILES["datasets"])
        old_manifest = self.path / FILES["manifest"]
        created = json.loads(old_manifest.read_text()).get("created") if old_manifest.exists() else now
        atomic_write_json({"schema_version": SCHEMA_VERSION, "origin": USER_ORIGIN, "created": created,
                           "updated": now, "datasets": {"n": int(len(ds))}}, self.path / FILES["manifest"])

    def ingest_study(self, storage: Any, study_name: str, X: Any, y: Any = None, *, metric: str | None = None,
                     family: str | None = None, name: str | None = None,
                     param_map: Mapping[str, str] | None = None) -> RecordReport:
        """Record a finished Optuna study from its storage (``"sqlite:///s.db"``, an RDB URL...).

        Parameters
        ----------
        storage : str or optuna storage
            Where the study lives.
        study_name : str
            The study's name there.
        X, y
            The data it tuned on (as :meth:`record` takes it).
        metric, family, name
            As in :meth:`record`.

        Examples
        --------
        >>> UserKnowledgeBase().ingest_study("sqlite:///s.db", "my-study", "data.csv", "y")  # doctest: +SKIP
        """
        import optuna

        try:
            study = optuna.load_study(study_name=study_name, storage=storage)
        except KeyError as exc:
            raise DataError(f"No study {study_name!r} in {storage!r}.") from exc
        return self.record(X, study, y=y, metric=metric, family=family, name=name or study_name, param_map=param_map)


def _resolve_configs(pending: list[tuple[str, dict[str, Any], dict[str, Any]]], old_cfg: pd.DataFrame,
                     kind: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The evaluation rows with their ``config_id`` (a portfolio's, a recorded one's, or a new ``user-`` id),
    and the configurations not stored yet."""
    index = _ConfigIndex(pd.concat([_portfolio_table(), old_cfg], ignore_index=True))
    known = set(old_cfg["config_id"])
    rows: list[dict[str, Any]] = []
    new_cfgs: dict[str, dict[str, Any]] = {}
    for fam, params, record in pending:
        cid, params_json, _ = index.resolve(fam, params, kind)
        record["config_id"] = cid
        if cid not in known and cid not in new_cfgs:
            origin = USER_ORIGIN if cid.startswith("user-") else "portfolio"
            new_cfgs[cid] = {"config_id": cid, "family": fam, "params": params_json, "origin": origin}
        rows.append(record)
    return rows, list(new_cfgs.values())


def _empty(key: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in COLUMNS[key]})


def _portfolio_table() -> pd.DataFrame:
    from autometa.pipelines import portfolio

    return portfolio()


# -- combining -------------------------------------------------------------------------
def load_knowledge(*, strict: bool = False) -> KnowledgeBase:
    """The shipped knowledge base joined with your recorded runs (:class:`UserKnowledgeBase`), when there are any.

    What ``recommend`` and ``fit`` rank with and ``autometa metadata info`` shows; a
    damaged user base is left out with a warning (the shipped one never is).
    :meth:`KnowledgeBase.load` loads one folder.

    Examples
    --------
    >>> from autometa.knowledge import load_knowledge
    >>> kb = load_knowledge()                     # doctest: +SKIP
    >>> kb.manifest.get("combined")               # doctest: +SKIP
    ['.../metadata', '~/.local/share/autometa/knowledge']
    """
    from autometa.knowledge import _kb

    shipped = KnowledgeBase.load(_kb.default_path(), strict=strict)
    user = UserKnowledgeBase()
    if not user.exists():
        return shipped
    try:
        return combine(shipped, user.load())
    except (KnowledgeBaseError, OSError, ValueError, KeyError) as exc:  # yours is damaged; ours is not
        import warnings

        from autometa.exceptions import AutometaWarning

        warnings.warn(f"Your knowledge base was left out: {exc} Loaded the shipped base alone; move "
                      f"{user.path} away to start a new one.", AutometaWarning, stacklevel=2)
        return shipped


def combine(*bases: KnowledgeBase) -> KnowledgeBase:
    """One knowledge base with every dataset, configuration and evaluation of ``bases``.

    The first base's manifest (protocol, versions) is kept, with a ``"combined"``
    entry listing the parts. Configurations with the same id are one (the first
    base's row wins); datasets with the same name keep the first base's rows.
    Evaluations may be sparse: learners see missing cells as not evaluated.

    Examples
    --------
    >>> kb = combine(KnowledgeBase.load(), UserKnowledgeBase().load())  # doctest: +SKIP
    """
    if not bases:
        raise KnowledgeBaseError("combine() needs at least one knowledge base.")
    if len(bases) == 1:
        return bases[0]
    seen: set[str] = set()
    ds_parts, mf_parts, ev_parts = [], [], []
    for kb in bases:
        names = [d for d in kb.datasets.index if d not in seen]
        seen.update(names)
        ds_parts.append(kb.datasets.loc[names].reset_index())
        mf_parts.append(kb.metafeatures.loc[kb.metafeatures.index.intersection(names)].reset_index())
        ev = kb.evaluations
        ev_parts.append(ev[ev["dataset"].isin(names) | ~ev["dataset"].isin(seen - set(names))])
    configs = pd.concat([kb.configurations.reset_index() for kb in bases], ignore_index=True)
    configs = configs.drop_duplicates("config_id", keep="first")
    frames = [f for f in ds_parts if len(f)]
    datasets = pd.concat(frames, ignore_index=True) if frames else ds_parts[0]
    frames = [f for f in mf_parts if len(f)]
    metafeatures = pd.concat(frames, ignore_index=True) if frames else mf_parts[0]
    frames = [f for f in ev_parts if len(f)]
    evaluations = pd.concat(frames, ignore_index=True) if frames else ev_parts[0]
    manifest = dict(bases[0].manifest)
    manifest["combined"] = [{"path": str(kb.path) if kb.path else None, "origin": kb.manifest.get("origin", "shipped"),
                             "datasets": int(len(kb.datasets)), "configurations": int(len(kb.configurations))}
                            for kb in bases]
    return KnowledgeBase(datasets, metafeatures, configs, evaluations.reset_index(drop=True), manifest,
                         bases[0].path)
