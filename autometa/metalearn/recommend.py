"""``recommend(X, y)``: the portfolio ranked for your data, from a fitted meta-learner.

The default learner fitted on the shipped base ships with the package; any other
learner, or any other base, is fitted once and cached on disk, keyed by the base's
files, the learner's parameters, the autometa version and the code that fits it
(:mod:`autometa.metalearn._cache`). Recording runs never refits a learner: they join
at rank time, and ``autometa metadata refit`` refreshes the learner with them.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from autometa.exceptions import DataError
from autometa.metalearn import encoded
from autometa.metalearn.average_rank import AverageRank
from autometa.metalearn.neighbors import NearestDatasets
from autometa.metalearn.ranker import LightGBMRanker

__all__ = ["LEARNERS", "DEFAULT_LEARNER", "cache_dir", "describe", "fitted_learner", "get_learner", "recommend",
           "refit"]

#: learner name -> (class or factory, constructor arguments). The ``ranker_*`` entries with a learned
#: task vector (issue 7: the ranker on meta-features alone, each learned representation, and both)
#: import autometa.representations, and torch, only when such a learner is made.
LEARNERS: dict[str, tuple[Callable[..., Any], dict[str, Any]]] = {
    "average_rank": (AverageRank, {}),
    "portfolio": (AverageRank, {"selection": "coverage"}),
    "neighbors": (NearestDatasets, {}),
    "ranker": (LightGBMRanker, {}),
    "ranker_regression": (LightGBMRanker, {"objective": "regression"}),
    "ranker_dataset2vec": (encoded.dataset2vec_ranker, {}),
    "ranker_graph": (encoded.graph_ranker, {}),
    "ranker_mf_dataset2vec": (encoded.metafeatures_dataset2vec_ranker, {}),
    "ranker_mf_graph": (encoded.metafeatures_graph_ranker, {}),
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
    key = DEFAULT_LEARNER if name == "default" else name
    if key not in LEARNERS:
        raise DataError(f"Unknown learner {name!r}; choose one of default, {', '.join(LEARNERS)}.")
    make, defaults = LEARNERS[key]
    return make(**{**defaults, **params})


def cache_dir() -> Path:
    """Where fitted learners are cached (:func:`autometa.metalearn._cache.learner_dir`).

    ``$AUTOMETA_CACHE_DIR/metalearn``, else ``$AUTOMETA_HOME/cache/metalearn``, else
    ``~/.cache/autometa/metalearn``.
    """
    from autometa.metalearn._cache import learner_dir

    return learner_dir()


def _learner_key(learner: Any) -> str:
    """The learner's version, parameters (threads left out) and the code that fits it."""
    from autometa._version import __version__
    from autometa.metalearn._cache import code_fingerprint

    params = learner.get_params()
    if "n_jobs" in params:  # threads do not change what is learned
        learner = learner.clone().set_params(n_jobs=1)
    extra = ("representations",) if type(learner).__module__.startswith("autometa.representations") else ()
    text = f"{__version__}|{learner!r}|{code_fingerprint(extra)}"
    return hashlib.sha256(text.encode()).hexdigest()[:12]


#: suffix of the cache key of a default learner refitted with the user's runs (`autometa metadata refit`)
REFIT_SUFFIX = "-with-user-runs"


def _disk_key(path: Path, instance: Any) -> str:
    from autometa.metalearn._cache import base_fingerprint

    return f"{base_fingerprint(path)}-{type(instance).__name__}-{_learner_key(instance)}"


def fitted_learner(learner: Any = "default", knowledge_base: Any = None, *, cache: bool = True,
                   fit: bool = True, n_jobs: int = 1) -> Any:
    """A meta-learner fitted on ``knowledge_base``, from memory, the package or the cache when possible.

    With ``knowledge_base=None`` the learner is the one fitted on the shipped base:
    the default learner ships with the package, ready at install
    (:mod:`autometa.metalearn._cache`); other learners are fitted once and cached.
    Your recorded runs do not make it refit: :func:`recommend` adds them at rank
    time (:func:`with_user_runs`), and ``autometa metadata refit`` (:func:`refit`)
    fits the learner on the shipped base and your runs together, which is then
    used until the next refit.

    Parameters
    ----------
    learner : str or MetaLearner
        A name of :data:`LEARNERS`, ``"default"``, or an (unfitted or fitted) instance.
        A fitted instance is returned as it is.
    knowledge_base : KnowledgeBase, path or None
        The base (default: the one shipped with autometa). Only bases loaded from
        a folder (a path, or ``KnowledgeBase.load(path)``) are cached on disk.
    cache : bool
        Read and write the on-disk cache.
    fit : bool
        Fit the learner when no fitted copy is at hand; with ``False``, return None
        instead (callers with a time budget decide whether a fit fits in it).
    n_jobs : int
        Threads for a fit (BLAS and LightGBM).

    Examples
    --------
    >>> learner = fitted_learner("neighbors")                     # doctest: +SKIP
    """
    from autometa.knowledge import KnowledgeBase, default_path
    from autometa.metalearn import _cache
    from autometa.metalearn._base import MetaLearner

    if isinstance(learner, MetaLearner) and hasattr(learner, "groups_"):
        return learner
    instance = get_learner(learner) if isinstance(learner, str) else learner
    if not isinstance(instance, MetaLearner):
        raise DataError(f"learner must be a name or a MetaLearner; got {type(learner).__name__}.")
    kb = knowledge_base
    shipped = knowledge_base is None
    path: Path | None
    if kb is None or isinstance(kb, (str, os.PathLike)):
        path = Path(kb) if kb is not None else default_path()
        kb = None
    elif "combined" in getattr(kb, "manifest", {}):  # in memory only: its path is its first part's
        path = None
    else:
        path = Path(kb.path) if getattr(kb, "path", None) else None
    key = None
    if path is not None and path.is_dir():
        key = _disk_key(path, instance)
        keys = [key]
        if shipped and _user_base_path() is not None:
            keys.insert(0, key + REFIT_SUFFIX)  # refreshed with the user's runs: preferred
        for k in keys:
            if k in _MEMORY:
                return _MEMORY[k]
            loaded = _cache.read(k) if cache else None
            if loaded is not None and isinstance(loaded, MetaLearner):
                _MEMORY[k] = loaded
                return loaded
        if path == default_path():
            loaded = _cache.read_shipped(path, repr(instance))
            if loaded is not None:
                _MEMORY[key] = loaded
                return loaded
    if not fit:
        return None
    if kb is None:
        kb = KnowledgeBase.load(path)
    fitted = _fit(instance, kb, n_jobs)
    if key is not None:
        _MEMORY[key] = fitted
        if cache:
            _cache.write(key, fitted)
    return fitted


def _fit(instance: Any, kb: Any, n_jobs: int) -> Any:
    from threadpoolctl import threadpool_limits

    model = instance.clone()
    if "n_jobs" in model.get_params():
        model.set_params(n_jobs=max(int(n_jobs), 1))
    with threadpool_limits(max(int(n_jobs), 1)):
        fitted = model.fit(kb)
    if "n_jobs" in fitted.get_params():
        fitted.set_params(n_jobs=instance.get_params()["n_jobs"])
    return fitted


def refit(learner: Any = "default", *, n_jobs: int = 1) -> dict[str, Any]:
    """Fit ``learner`` on the shipped base and your recorded runs together, and cache it.

    Until the next refit, :func:`fitted_learner` (and so ``recommend`` and ``fit``)
    uses it instead of the shipped-only learner; runs recorded after it join at rank
    time as before. This is ``autometa metadata refit``; it runs outside anyone's
    time budget.

    Returns
    -------
    dict
        ``learner``, ``datasets`` (shipped and user), ``seconds``, ``path`` of the entry.

    Examples
    --------
    >>> refit()                                                    # doctest: +SKIP
    {'learner': 'NearestDatasets()', 'datasets': {'shipped': 233, 'user': 4}, ...}
    """
    import time

    from autometa.knowledge import default_path, load_knowledge
    from autometa.metalearn import _cache

    instance = get_learner(learner) if isinstance(learner, str) else learner.clone()
    start = time.perf_counter()
    kb = load_knowledge()
    fitted = _fit(instance, kb, n_jobs)
    key = _disk_key(default_path(), instance) + REFIT_SUFFIX
    _MEMORY[key] = fitted
    file = _cache.write(key, fitted)
    user = [d for d in kb.datasets.index if str(d).startswith("user-")]
    return {"learner": repr(instance), "datasets": {"shipped": int(len(kb.datasets) - len(user)),
                                                    "user": int(len(user))},
            "seconds": round(time.perf_counter() - start, 3), "path": None if file is None else str(file)}


def ship_default_learner(folder: str | os.PathLike[str] | None = None, *, n_jobs: int = 1) -> dict[str, Any]:
    """Fit the default learner on the base in ``folder`` (the shipped one) and save it there, for packaging.

    Run after changing the shipped base or the code in
    :data:`autometa.metalearn._cache.FINGERPRINTED` (``autometa metadata refit
    --ship``); ``tests/metalearn/test_shipped_learner.py`` fails until it is.
    """
    import time

    from autometa.knowledge import KnowledgeBase, default_path
    from autometa.metalearn import _cache

    path = Path(folder) if folder is not None else default_path()
    instance = get_learner("default")
    kb = KnowledgeBase.load(path)
    start = time.perf_counter()
    fitted = _fit(instance, kb, n_jobs)
    seconds = time.perf_counter() - start
    file = _cache.write_shipped(path, fitted, seconds)
    return {"learner": repr(instance), "path": str(file), "fit_seconds": round(seconds, 3),
            "bytes": file.stat().st_size, "code": _cache.code_fingerprint(), "base": _cache.base_fingerprint(path)}


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
              kind: str | None = None, categorical: Any = None, user_runs: bool = True) -> pd.DataFrame:
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
    user_runs : bool
        With the default knowledge base, put the best configurations of your
        recorded runs on near copies of this data first (no refit; see
        :mod:`autometa.metalearn._user_runs`).

    Returns
    -------
    pandas.DataFrame
        ``rank``, ``config_id``, ``family``, ``params``, ``predicted_score`` (the
        learner's order, on its own scale), ``expected_fit_seconds``, ``why``, and
        ``expected_score`` with ``expected_low`` / ``expected_high``: the
        configuration's score on the neighbouring datasets the ranking leans on
        (weighted median, 10th-90th percentile, on the metric; classification
        only, NaN in regression: :mod:`autometa.metalearn._expected`);
        ``attrs["neighbours"]`` holds those datasets.

    Examples
    --------
    >>> import autometa
    >>> recs = autometa.recommend("sklearn:iris", top=3)            # doctest: +SKIP
    >>> recs[["rank", "family", "predicted_score"]]                 # doctest: +SKIP
    """
    from autometa.metrics import PRIMARY_METRIC, check_metric

    task = _as_task(X, y, kind, categorical)
    if metric is not None:
        check_metric(metric, task.kind, "recommend")
        if metric == PRIMARY_METRIC[task.kind]:
            metric = None  # the learner's default: one fitted learner (and cache entry) for both spellings
    model = learner
    if metric is not None:
        from autometa.metalearn._base import MetaLearner

        model = get_learner(learner) if isinstance(learner, str) else learner
        if isinstance(model, MetaLearner) and model.get_params().get("metric") != metric:
            model = model.clone().set_params(metric=metric)
    from autometa.metalearn._expected import with_expected_scores

    fitted = fitted_learner(model, knowledge_base)
    table = with_expected_scores(fitted.rank(task, top=top, families=families, time_budget=time_budget), fitted,
                                 task.kind)
    user_path = _user_base_path() if knowledge_base is None and user_runs else None
    if user_path is not None:
        from autometa.metalearn._user_runs import with_user_runs

        table = with_user_runs(table, fitted, task, user_path, top=top, families=families)
    return table


def describe(table: pd.DataFrame) -> dict[str, Any]:
    """A JSON-ready dict of a recommendation table and its neighbours."""
    return {"learner": table.attrs.get("learner"), "metric": table.attrs.get("metric"),
            "recommendations": json.loads(table.to_json(orient="records")),
            "neighbours": list(table.attrs.get("neighbours", []))}
