"""``warm_start(study, X, y)``: enqueue recommended configurations into an Optuna study.

The study may live anywhere Optuna keeps studies (in memory, SQLite or another RDB,
a journal file): everything goes through ``study.enqueue_trial``, never through a
sampler's internals. The study's parameters are matched to autometa's pipeline
families by name (each family's aliases and name prefixes, or an explicit
``param_map``), values are clipped and rounded into the study's distributions, and
configurations the study already tried or holds in its queue are skipped.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from numbers import Real
from typing import Any

import optuna
import pandas as pd
from optuna.distributions import BaseDistribution, CategoricalDistribution
from optuna.trial import TrialState

from autometa.exceptions import DataError
from autometa.pipelines import family_of_choice

__all__ = ["WARM_START_COLUMNS", "family_of_choice", "read_search_space", "warm_start"]

#: columns of the table :func:`warm_start` returns
WARM_START_COLUMNS = ["rank", "config_id", "family", "params", "predicted_score", "expected_score",
                      "expected_low", "expected_high", "source_datasets"]

#: user attribute keys set on every enqueued trial
ATTR_PREFIX = "autometa_"

#: names of a categorical parameter that picks the model family
_SELECTOR_NAMES = frozenset({
    "family", "model", "model_type", "model_family", "estimator", "classifier", "regressor",
    "algorithm", "algo", "learner", "pipeline", "model_name",
})

def read_search_space(study: optuna.Study) -> dict[str, BaseDistribution]:
    """The union of the distributions of a study's trials (all states but waiting).

    Examples
    --------
    >>> import optuna
    >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
    >>> study = optuna.create_study()
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    >>> read_search_space(study)
    {'x': FloatDistribution(high=1.0, log=False, low=0.0, step=None)}
    """
    space: dict[str, BaseDistribution] = {}
    for trial in study.get_trials(deepcopy=False):
        if trial.state == TrialState.WAITING:
            continue
        for name, dist in trial.distributions.items():
            space.setdefault(name, dist)
    return space


def _families(kind: str) -> dict[str, Any]:
    from autometa.pipelines import FAMILIES

    return dict(FAMILIES)


def _check_param_map(param_map: Mapping[str, str] | None, space: Mapping[str, BaseDistribution],
                     kind: str) -> dict[str, str]:
    if param_map is None:
        return {}
    if not isinstance(param_map, Mapping):
        raise DataError(f"The 'param_map' parameter of warm_start must be a dict of your parameter name -> "
                        f"autometa name. Got {type(param_map).__name__}.")
    families = _families(kind)
    out: dict[str, str] = {}
    for user, target in param_map.items():
        if user not in space:
            raise DataError(f"param_map names {user!r}, which is not in the study's search space "
                            f"{sorted(space)}.")
        if not isinstance(target, str):
            raise DataError(f"param_map[{user!r}] must be a string such as 'learning_rate', "
                            f"'lightgbm.learning_rate' or 'family'. Got {target!r}.")
        if target == "family":
            out[user] = target
            continue
        fam_name, _, param = target.rpartition(".")
        candidates = [families[fam_name]] if fam_name in families else list(families.values())
        if fam_name and fam_name not in families:
            raise DataError(f"param_map[{user!r}] = {target!r} names an unknown family {fam_name!r}; "
                            f"known families: {sorted(families)}.")
        if not any(f.canonical_param(param) for f in candidates):
            raise DataError(f"param_map[{user!r}] = {target!r}: no pipeline family has a parameter "
                            f"{param!r}. {_known_parameters(kind)}")
        out[user] = target
    return out


def _known_parameters(kind: str) -> str:
    parts = [f"{name}: {', '.join(fam.space(kind))}" for name, fam in _families(kind).items()]
    return "autometa's parameters are " + "; ".join(parts) + "."


def _selector(space: Mapping[str, BaseDistribution], pmap: Mapping[str, str]) -> tuple[str | None, dict[str, Any]]:
    """The categorical parameter that picks the family and its choice for each family."""
    names = [u for u, t in pmap.items() if t == "family"]
    names += [u for u in space if u not in pmap and isinstance(space[u], CategoricalDistribution)
              and (u.lower() in _SELECTOR_NAMES
                   or sum(family_of_choice(c) is not None for c in space[u].choices) >= 2)]  # type: ignore[attr-defined]
    for name in names:
        dist = space[name]
        if not isinstance(dist, CategoricalDistribution):
            raise DataError(f"param_map marks {name!r} as the family choice, but its distribution is "
                            f"{type(dist).__name__}, not categorical.")
        choices: dict[str, Any] = {}
        for choice in dist.choices:
            fam = family_of_choice(choice)
            if fam is not None and fam not in choices:
                choices[fam] = choice
        if choices:
            return name, choices
        if pmap.get(name) == "family" or name.lower() in _SELECTOR_NAMES:
            raise DataError(f"None of the choices {list(dist.choices)} of {name!r} names an autometa pipeline "
                            f"family ({', '.join(_families('binary'))}); rename the choices or leave "
                            f"{name!r} out of the search space you pass.")
    return None, {}


def _target(user: str, family: Any, pmap: Mapping[str, str]) -> str | None:
    """The name ``family`` understands for the user's parameter, or ``None``."""
    if user in pmap:
        fam_name, _, param = pmap[user].rpartition(".")
        if pmap[user] == "family" or (fam_name and fam_name != family.name):
            return None
        return param if family.canonical_param(param) else None
    return user if family.canonical_param(user) else None


def _understood(space: Mapping[str, BaseDistribution], pmap: Mapping[str, str], kind: str,
                selector: str | None) -> dict[str, list[str]]:
    """Family -> the user parameters it fills (only parameters of the family's search space)."""
    out: dict[str, list[str]] = {}
    for name, fam in _families(kind).items():
        own = set(fam.space(kind))
        hits = [u for u in space if u != selector
                and (t := _target(u, fam, pmap)) is not None and fam.canonical_param(t) in own]
        out[name] = hits
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Real) and isinstance(b, Real) and not isinstance(a, bool) and not isinstance(b, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=0.0) or (a != a and b != b)
    return bool(a == b and type(a) is type(b))


def _is_duplicate(params: Mapping[str, Any], seen: Sequence[Mapping[str, Any]]) -> bool:
    return any(all(k in old and _same(v, old[k]) for k, v in params.items()) for old in seen)


def _as_task(X: Any, y: Any, kind: str | None, categorical: Any) -> Any:
    from autometa.tasks import Task, load_task

    if isinstance(X, Task):
        return X
    if isinstance(y, str):
        return load_task(X, target=y, kind=kind, categorical=categorical)
    if y is None:
        if isinstance(X, (str, os.PathLike)):
            return load_task(X, kind=kind, categorical=categorical)
        raise DataError("Pass the target: warm_start(study, X, y), warm_start(study, df, 'target_column') "
                        "or a Task.")
    return load_task(X, y=y, kind=kind, categorical=categorical)


def _sources(recs: pd.DataFrame, row: Any) -> list[str]:
    neighbours = recs.attrs.get("neighbours") or []
    names = [str(n.get("dataset")) for n in neighbours if isinstance(n, Mapping) and n.get("dataset")]
    if not names and "source_datasets" in recs.columns:
        value = row.get("source_datasets")
        names = [str(v) for v in value] if isinstance(value, (list, tuple)) else []
    return names[:5]


def _float(value: Any) -> float:
    """A recommendation's number, NaN when it has none."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def warm_start(study: optuna.Study, X: Any, y: Any = None, n_trials: int = 10,
               search_space: Mapping[str, BaseDistribution] | None = None,
               param_map: Mapping[str, str] | None = None, *, recommendations: pd.DataFrame | None = None,
               metric: str | None = None, learner: Any = "default", knowledge_base: Any = None,
               time_budget: float | None = None, kind: str | None = None,
               categorical: Any = None) -> pd.DataFrame:
    """Enqueue the configurations autometa recommends for ``(X, y)`` into ``study``.

    Parameters
    ----------
    study : optuna.Study
        Any study (in memory, RDB, journal storage...). Its next trials are the
        enqueued configurations, whatever its sampler.
    X : Task, DataFrame, ndarray, path or str
        The data the study tunes on (features, a table holding the target, or a
        loader spec); used for the recommendations and for parameters whose value
        depends on the data (an SVM's absolute ``gamma``). May be ``None`` when
        ``recommendations`` is given.
    y : array-like or str, optional
        The target, or the name of the target column of ``X``.
    n_trials : int, default=10
        How many new configurations to enqueue (fewer if fewer match).
    search_space : dict of name -> optuna distribution, optional
        The study's parameters. Default: read from the distributions of the
        study's trials (so the study needs at least one finished trial).
    param_map : dict of str -> str, optional
        Your parameter name -> autometa's: ``"learning_rate"`` (any family that has
        it), ``"lightgbm.learning_rate"`` (one family), or ``"family"`` for the
        categorical parameter that picks the model. Names not in it are matched
        through each family's aliases (``eta``, ``lambda_l1``, ``clf__C``,
        ``lgbm_num_leaves``...).
    recommendations : DataFrame, optional
        A table from :func:`autometa.recommend` to enqueue from, instead of
        asking for one.
    metric, learner, knowledge_base, time_budget, kind, categorical
        Passed to :func:`autometa.recommend`.

    Returns
    -------
    pandas.DataFrame
        One row per enqueued trial: ``rank`` (recommendation rank), ``config_id``,
        ``family``, ``params`` (in the study's names), ``predicted_score``,
        ``expected_score``, ``expected_low``, ``expected_high`` (see
        :func:`autometa.recommend`), ``source_datasets``. ``attrs["skipped"]`` counts configurations left out
        because the study already tried or queued them, ``attrs["unmatched"]`` lists
        the study's parameters no configuration fills.

    Raises
    ------
    DataError
        When no parameter of the search space can be matched; the message names
        the parameters and shows how to map them with ``param_map``.

    Notes
    -----
    Each enqueued trial carries user attributes ``autometa_config_id``,
    ``autometa_family``, ``autometa_predicted_score``, ``autometa_source_datasets``
    and ``autometa_rank``. Values are clipped into each distribution's range,
    rounded to integers and snapped to steps; a categorical value not among the
    choices is left to the sampler.

    Examples
    --------
    >>> import optuna, autometa
    >>> from sklearn.datasets import load_breast_cancer
    >>> X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    >>> study = optuna.create_study(direction="maximize")
    >>> space = {"lgbm_num_leaves": optuna.distributions.IntDistribution(4, 64),
    ...          "eta": optuna.distributions.FloatDistribution(1e-3, 0.3, log=True)}
    >>> enqueued = autometa.warm_start(study, X, y, n_trials=5, search_space=space)  # doctest: +SKIP
    >>> enqueued[["config_id", "params"]]                                            # doctest: +SKIP
    """
    if not isinstance(study, optuna.Study):
        raise DataError(f"The 'study' parameter of warm_start must be an optuna.Study. Got "
                        f"{type(study).__name__}.")
    if isinstance(n_trials, bool) or not isinstance(n_trials, int) or n_trials < 1:
        raise DataError(f"The 'n_trials' parameter of warm_start must be an int >= 1. Got {n_trials!r}.")
    if search_space is None:
        space = read_search_space(study)
        if not space:
            raise DataError("The study has no finished trial to read its search space from: pass "
                            "search_space={name: optuna distribution, ...}, or run one trial first.")
    else:
        if not isinstance(search_space, Mapping) or not all(
                isinstance(d, BaseDistribution) for d in search_space.values()):
            raise DataError("The 'search_space' parameter of warm_start must be a dict of parameter name -> "
                            "optuna.distributions.BaseDistribution.")
        space = dict(search_space)
    task = None
    if X is not None:
        task = _as_task(X, y, kind, categorical)
    elif recommendations is None:
        raise DataError("warm_start needs the data X (and y) to recommend configurations, or "
                        "recommendations=autometa.recommend(...).")
    task_kind = task.kind if task is not None else (kind or "binary")
    pmap = _check_param_map(param_map, space, task_kind)
    selector, choices = _selector(space, pmap)
    understood = _understood(space, pmap, task_kind, selector)
    if selector:
        understood = {f: hits for f, hits in understood.items() if f in choices}
    best = max((len(h) for h in understood.values()), default=0)
    if best == 0 and not selector:
        raise DataError(
            f"warm_start could not match any parameter of the study's search space to a pipeline family: "
            f"{sorted(space)} not understood. Map them with param_map, e.g. "
            f"param_map={{{next(iter(sorted(space)))!r}: 'lightgbm.learning_rate'}} (your name -> "
            f"'family.parameter', 'parameter', or 'family' for the parameter that picks the model). "
            + _known_parameters(task_kind))
    # without a family choice, the study tunes one model: the one family that fills the most parameters
    families = list(choices) if selector else [f for f, h in understood.items() if len(h) == best]
    if not selector and len(families) > 1:
        shared = sorted({u for f in families for u in understood[f]})
        raise DataError(
            f"The study's parameters {shared} fit several pipeline families equally ({', '.join(families)}); "
            "a study without a parameter choosing the model tunes one, so say which: param_map="
            f"{{{shared[0]!r}: '{families[0]}.{_target(shared[0], _families(task_kind)[families[0]], pmap)}'}} "
            f"(`--map {shared[0]}={families[0]}.{_target(shared[0], _families(task_kind)[families[0]], pmap)}`).")
    matched = {u for f in families for u in understood[f]} | ({selector} if selector else set())
    unmatched = sorted(set(space) - matched)

    seen: list[dict[str, Any]] = []
    for trial in study.get_trials(deepcopy=False):
        seen.append(dict(trial.system_attrs.get("fixed_params", trial.params)))
    if recommendations is None:
        from autometa.metalearn import recommend

        recommendations = recommend(task, top=min(3 * n_trials + len(seen), 1000), metric=metric,
                                    learner=learner, knowledge_base=knowledge_base, families=families,
                                    time_budget=time_budget)
    from autometa.pipelines import get_family

    rows: list[dict[str, Any]] = []
    skipped = 0
    X_data = task.X if task is not None else None
    for position, rec in enumerate(recommendations.to_dict(orient="records")):
        if len(rows) >= n_trials:
            break
        if rec["family"] not in families:
            continue
        fam = get_family(rec["family"])
        params: dict[str, Any] = {}
        for user in understood[fam.name]:
            target = _target(user, fam, pmap)
            value = fam.to_user_params(rec["params"], {target: space[user]}, X=X_data)  # type: ignore[dict-item]
            if target in value:
                params[user] = value[target]
        if not params and not selector:
            continue
        if selector:
            params = {selector: choices[fam.name], **params}
        if _is_duplicate(params, seen):
            skipped += 1
            continue
        sources = _sources(recommendations, rec)
        score = rec.get("predicted_score")
        rank = int(rec.get("rank", position + 1))
        attrs = {f"{ATTR_PREFIX}config_id": str(rec.get("config_id")), f"{ATTR_PREFIX}family": fam.name,
                 f"{ATTR_PREFIX}predicted_score": None if score is None or score != score else float(score),
                 f"{ATTR_PREFIX}source_datasets": sources, f"{ATTR_PREFIX}rank": rank}
        study.enqueue_trial(params, user_attrs=attrs, skip_if_exists=True)
        seen.append(params)
        rows.append({"rank": rank, "config_id": attrs[f"{ATTR_PREFIX}config_id"], "family": fam.name,
                     "params": params, "predicted_score": attrs[f"{ATTR_PREFIX}predicted_score"],
                     **{c: _float(rec.get(c)) for c in ("expected_score", "expected_low", "expected_high")},
                     "source_datasets": sources})
    out = pd.DataFrame(rows, columns=WARM_START_COLUMNS)
    out.attrs.update(skipped=skipped, unmatched=unmatched, families=families)
    return out
