"""``recommend(X, y)``: the portfolio ranked for your data, from a fitted meta-learner.

Fitting a learner on the shipped knowledge base is done once and cached on disk,
keyed by the base's manifest and files (so a rebuilt or extended base refits),
the learner's parameters, the autometa version and this package's module files. The cache lives in
``$AUTOMETA_CACHE_DIR`` or ``~/.cache/autometa``.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from autometa.exceptions import DataError

__all__ = ["LEARNERS", "DEFAULT_LEARNER", "cache_dir", "describe", "fitted_learner", "get_learner", "recommend"]

#: learner name -> ("module:class or factory", constructor arguments). Modules are imported only
#: when the learner is made: the ``ranker_*`` entries with a learned task vector (issue 7: compare
#: the ranker on meta-features alone, each learned representation, and both) bring in
#: autometa.representations, and torch once their encoders are fitted.
LEARNERS: dict[str, tuple[str, dict[str, Any]]] = {
    "average_rank": ("autometa.metalearn.average_rank:AverageRank", {}),
    "portfolio": ("autometa.metalearn.average_rank:AverageRank", {"selection": "coverage"}),
    "neighbors": ("autometa.metalearn.neighbors:NearestDatasets", {}),
    "ranker": ("autometa.metalearn.ranker:LightGBMRanker", {}),
    "ranker_regression": ("autometa.metalearn.ranker:LightGBMRanker", {"objective": "regression"}),
    "ranker_dataset2vec": ("autometa.representations.learners:dataset2vec_ranker", {}),
    "ranker_graph": ("autometa.representations.learners:graph_ranker", {}),
    "ranker_mf_dataset2vec": ("autometa.representations.learners:metafeatures_dataset2vec_ranker", {}),
    "ranker_mf_graph": ("autometa.representations.learners:metafeatures_graph_ranker", {}),
}

#: the learner ``learner="default"`` means. Chosen by ``autometa metadata evaluate`` on the
#: shipped base (docs/benchmarks.md, "Meta-learners"): the nearest datasets' first pick, without
#: the rankers' poor first picks and explained by its neighbours; after it, coverage of the
#: neighbours' best configurations for classification and a LightGBM model's order for
#: regression (``NearestDatasets(follow="auto")``).
DEFAULT_LEARNER = "neighbors"

#: in-process cache of fitted learners: key -> learner
_MEMORY: dict[str, Any] = {}


def get_learner(name: str, **params: Any) -> Any:
    """A new, unfitted meta-learner by name (``"default"`` included).

    Examples
    --------
    >>> get_learner("neighbors", n_neighbors=5)
    NearestDatasets(n_neighbors=5)
    """
    import importlib

    key = DEFAULT_LEARNER if name == "default" else name
    if key not in LEARNERS:
        raise DataError(f"Unknown learner {name!r}; choose one of default, {', '.join(LEARNERS)}.")
    path, defaults = LEARNERS[key]
    module, _, factory = path.partition(":")
    return getattr(importlib.import_module(module), factory)(**{**defaults, **params})


def cache_dir() -> Path:
    """Where fitted learners are cached: ``$AUTOMETA_CACHE_DIR`` or ``~/.cache/autometa``, + ``/metalearn``."""
    root = os.environ.get("AUTOMETA_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "autometa")
    return Path(root) / "metalearn"


def _base_fingerprint(path: Path) -> str:
    """A hash of the manifest and of the size and mtime of every table file (no table is read)."""
    h = hashlib.sha256()
    for entry in sorted(path.iterdir()):
        if entry.is_file() and (entry.suffix in (".parquet", ".json")):
            st = entry.stat()
            h.update(f"{entry.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    manifest = path / "manifest.json"
    if manifest.exists():
        h.update(manifest.read_bytes())
    return h.hexdigest()[:16]


def _code_fingerprint() -> str:
    """Size and mtime of this package's modules: an edited learner never loads a stale pickle."""
    here = Path(__file__).resolve().parent
    parts = [f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in sorted(here.glob("*.py"))]
    return "|".join(parts)


def _learner_key(learner: Any) -> str:
    from autometa import __version__

    return hashlib.sha256(f"{__version__}|{learner!r}|{_code_fingerprint()}".encode()).hexdigest()[:12]


def fitted_learner(learner: Any = "default", knowledge_base: Any = None, *, cache: bool = True) -> Any:
    """A meta-learner fitted on ``knowledge_base``, from the cache when possible.

    Parameters
    ----------
    learner : str or MetaLearner
        A name of :data:`LEARNERS`, ``"default"``, or an (unfitted or fitted) instance.
        A fitted instance is returned as it is.
    knowledge_base : KnowledgeBase, path or None
        The base (default: the one shipped with autometa). Only bases loaded from
        disk (a path, or ``KnowledgeBase.load``) are cached on disk.
    cache : bool
        Read and write the on-disk cache.

    Examples
    --------
    >>> learner = fitted_learner("neighbors")                     # doctest: +SKIP
    """
    from autometa.knowledge import KnowledgeBase, default_path
    from autometa.metalearn._base import MetaLearner

    if isinstance(learner, MetaLearner) and hasattr(learner, "groups_"):
        return learner
    instance = get_learner(learner) if isinstance(learner, str) else learner
    if not isinstance(instance, MetaLearner):
        raise DataError(f"learner must be a name or a MetaLearner; got {type(learner).__name__}.")
    kb = knowledge_base
    path: Path | None
    # by default the user's recorded runs are learned from too (autometa.knowledge.user)
    user_path = _user_base_path() if knowledge_base is None else None
    if kb is None or isinstance(kb, (str, os.PathLike)):
        path = Path(kb) if kb is not None else default_path()
        kb = None
    else:
        path = Path(kb.path) if getattr(kb, "path", None) else None
    key = None
    if path is not None and path.is_dir():
        user_key = "" if user_path is None else f"+{_base_fingerprint(user_path)}"
        key = f"{_base_fingerprint(path)}{user_key}-{type(instance).__name__}-{_learner_key(instance)}"
        if key in _MEMORY:
            return _MEMORY[key]
        file = cache_dir() / f"{key}.joblib"
        if cache and file.exists():
            try:
                loaded = MetaLearner.load(file)
            except Exception:  # a stale or damaged cache entry is refitted, not fatal
                loaded = None
            if loaded is not None:
                _MEMORY[key] = loaded
                return loaded
    if kb is None:
        kb = KnowledgeBase.load() if user_path is not None else KnowledgeBase.load(path)
    fitted = instance.clone().fit(kb)
    if key is not None:
        _MEMORY[key] = fitted
        if cache:
            try:
                fitted.save(cache_dir() / f"{key}.joblib")
            except OSError:  # a read-only home must not stop a recommendation
                pass
    return fitted


def _user_base_path() -> Path | None:
    """The user knowledge base's folder when it holds recorded runs, else ``None``."""
    from autometa.knowledge.user import UserKnowledgeBase

    user = UserKnowledgeBase()
    return user.path if user.exists() else None


def _as_task(X: Any, y: Any, kind: str | None, categorical: Any) -> Any:
    from autometa.tasks import Task, load_task

    if isinstance(X, Task):
        return X
    if isinstance(y, str) and (isinstance(X, (str, os.PathLike, pd.DataFrame))):
        return load_task(X, target=y, kind=kind, categorical=categorical)
    if isinstance(X, (str, os.PathLike)) and y is None:
        return load_task(X, kind=kind, categorical=categorical)
    if y is None and not isinstance(X, pd.DataFrame):
        raise DataError("Pass the target: recommend(X, y), recommend(df, 'target_column') or a Task.")
    return load_task(X, y=y, kind=kind, categorical=categorical)


def recommend(X: Any, y: Any = None, *, top: int = 10, metric: str | None = None, learner: Any = "default",
              knowledge_base: Any = None, families: list[str] | None = None, time_budget: float | None = None,
              kind: str | None = None, categorical: Any = None) -> pd.DataFrame:
    """Recommend pipeline configurations for a dataset, best first.

    Parameters
    ----------
    X : Task, DataFrame, ndarray, path or str
        The data: a :class:`~autometa.tasks.Task`, features (with ``y``), a table
        holding the target column (name it in ``y``), or a loader spec
        (``"data.csv"``, ``"pmlb:adult"``, ``"sklearn:iris"``, ``"openml:31"``).
    y : array-like or str, optional
        The target, or the name of the target column of ``X``.
    top : int
        How many configurations to return.
    metric : str, optional
        Metric to rank on (default: balanced accuracy for classification, R² for
        regression); must suit the task's kind.
    learner : str or MetaLearner
        ``"default"``, a name of :data:`LEARNERS`, or a (fitted) instance.
    knowledge_base : KnowledgeBase or path, optional
        The base to learn from (default: the shipped one).
    families : list of str, optional
        Only these pipeline families.
    time_budget : float, optional
        Only configurations expected to fit within this many seconds.
    kind : {"binary", "multiclass", "regression"}, optional
        Overrides the inferred kind.
    categorical : sequence, optional
        Categorical columns (flags or names).

    Returns
    -------
    pandas.DataFrame
        ``rank``, ``config_id``, ``family``, ``params``, ``predicted_score``,
        ``expected_fit_seconds``, ``why``; ``attrs["neighbours"]`` holds the
        datasets the ranking leans on.

    Examples
    --------
    >>> import autometa
    >>> recs = autometa.recommend("sklearn:iris", top=3)            # doctest: +SKIP
    >>> recs[["rank", "family", "predicted_score"]]                 # doctest: +SKIP
    """
    from autometa.knowledge._schema import CLASSIFICATION_METRICS, REGRESSION_METRICS
    from autometa.metalearn._data import group_of

    task = _as_task(X, y, kind, categorical)
    if metric is not None:
        own = REGRESSION_METRICS if group_of(task.kind) == "regression" else CLASSIFICATION_METRICS
        if metric not in own:
            raise DataError(f"The 'metric' parameter of recommend must be one of {', '.join(own)} for a "
                            f"{task.kind} task. Got {metric!r}.")
    model = learner
    if metric is not None:
        from autometa.metalearn._base import MetaLearner

        model = get_learner(learner) if isinstance(learner, str) else learner
        if isinstance(model, MetaLearner) and model.get_params().get("metric") != metric:
            model = model.clone().set_params(metric=metric)
    fitted = fitted_learner(model, knowledge_base)
    return fitted.rank(task, top=top, families=families, time_budget=time_budget)


def describe(table: pd.DataFrame) -> dict[str, Any]:
    """A JSON-ready dict of a recommendation table and its neighbours."""
    return {"learner": table.attrs.get("learner"), "metric": table.attrs.get("metric"),
            "recommendations": json.loads(table.to_json(orient="records")),
            "neighbours": list(table.attrs.get("neighbours", []))}
