"""Your recorded runs in a recommendation, without refitting the learner.

The learner behind ``recommend`` and ``fit`` is fitted on the shipped base (or
refreshed on request with ``autometa metadata refit``). A run recorded since then
joins at rank time: the recorded datasets are placed in the learner's task-vector
space (its own encoder and learned distance weights), and those that are near
copies of the task (closer than ``duplicate_distance`` times the median distance of
the learner's nearest shipped datasets) put their best distinct configurations
first, the closest copy first. That is the case recorded runs help most (the same or
nearly the same data again); other recorded datasets enter as ordinary neighbours
at the next ``autometa metadata refit``. The cost is reading the user base (memoised
while its files do not change) and a distance computation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["with_user_runs"]

#: (path, fingerprint) -> the user KnowledgeBase
_LOADED: dict[tuple[str, str], Any] = {}


def _user_base(path: Path) -> Any:
    from autometa.knowledge.user import UserKnowledgeBase

    files = sorted(p for p in path.glob("*.parquet"))
    stamp = "|".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files)
    memo = (str(path), stamp)
    if memo not in _LOADED:
        _LOADED.clear()
        _LOADED[memo] = UserKnowledgeBase(path).load()
    return _LOADED[memo]


def _near_copies(learner: Any, task: Any, user: Any, group: str) -> pd.Series:
    """Recorded datasets of ``group`` that are near copies of ``task``: name -> distance, closest first."""
    from autometa.metalearn._data import GROUPS
    from autometa.metalearn._encoding import MetafeatureEncoder, encode_query
    from autometa.metalearn.neighbors import nearest

    state = learner.groups_.get(group)
    if not isinstance(state, dict) or "vectors" not in state or "encoder" not in state:
        return pd.Series(dtype=float)
    encoder = state["encoder"]
    if not isinstance(encoder, MetafeatureEncoder):
        return pd.Series(dtype=float)
    kinds = GROUPS[group]
    names = [d for d, k in user.datasets["kind"].items() if k in kinds and d in user.metafeatures.index]
    if not names:
        return pd.Series(dtype=float)
    query = encode_query(encoder, task)
    weights = state.get("feature_weights")
    k = int(getattr(learner, "n_neighbors", 10))
    _, shipped = nearest(state["vectors"], query, k, getattr(learner, "distance", "l1"), weights)
    vectors = encoder.transform_knowledge_base(user.metafeatures.loc[names]).to_numpy(dtype=float)
    idx, dist = nearest(np.nan_to_num(vectors), query, len(names), getattr(learner, "distance", "l1"), weights)
    threshold = float(getattr(learner, "duplicate_distance", 0.1) or 0.1) * float(np.median(shipped))
    close = dist <= threshold
    return pd.Series(dist[close], index=[names[i] for i in idx[close]], dtype=float)


#: two configurations whose every numeric parameter is within this share of the other's are near copies
NEAR_SHARE = 0.1


def near_copy(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two parameter dicts of one family are near copies (same keys, numbers within :data:`NEAR_SHARE`).

    Examples
    --------
    >>> near_copy({"num_leaves": 31, "learning_rate": 0.1}, {"num_leaves": 32, "learning_rate": 0.105})
    True
    >>> near_copy({"num_leaves": 31, "learning_rate": 0.1}, {"num_leaves": 64, "learning_rate": 0.1})
    False
    """
    if set(a) != set(b):
        return False
    for key, x in a.items():
        y = b[key]
        if isinstance(x, (int, float)) and isinstance(y, (int, float)) and not isinstance(x, bool):
            if abs(x - y) > NEAR_SHARE * max(abs(x), abs(y)):
                return False
        elif x != y:
            return False
    return True


def with_user_runs(table: pd.DataFrame, learner: Any, task: Any, user_path: Path, *, top: int,
                   families: Any = None, lead: int = 3) -> pd.DataFrame:
    """``table`` (a ranking) with the best configurations of recorded near copies of ``task`` first.

    At most ``lead`` configurations come from recorded runs (never more than half
    of ``top``, at least one); the learner's ranking follows, without repeats.
    A table without near copies is returned unchanged.
    """
    from autometa.metalearn._data import group_of
    from autometa.metrics import GREATER_IS_BETTER

    if not hasattr(task, "kind") or not len(table):
        return table
    group = group_of(task.kind)
    try:
        user = _user_base(user_path)
    except Exception as exc:  # a damaged user base must not stop a recommendation
        import warnings

        from autometa.exceptions import AutometaWarning

        warnings.warn(f"Your recorded runs were left out: {exc} (the shipped knowledge base was used alone). "
                      f"Move {user_path} away to start a new one.", AutometaWarning, stacklevel=3)
        return table
    copies = _near_copies(learner, task, user, group)
    if copies.empty:
        return table
    metric = str(table.attrs.get("metric", ""))
    if metric not in GREATER_IS_BETTER:
        return table
    ev = user.evaluations
    ev = ev[ev["dataset"].isin(copies.index) & (ev["status"] == "ok") & ev[metric].notna()]
    if not len(ev):
        return table
    configs = user.configurations
    if families is not None:
        wanted = [families] if isinstance(families, str) else list(families)
        ev = ev[ev["config_id"].map(configs["family"]).isin(wanted)]
    sign = 1.0 if GREATER_IS_BETTER[metric] else -1.0
    n_lead = max(1, min(lead, top // 2))
    rows: list[dict[str, Any]] = []
    for dataset in copies.index:
        runs = ev[ev["dataset"] == dataset]
        per = runs.groupby("config_id").agg(score=(metric, "mean"), seconds=("fit_seconds", "mean"))
        if per.empty:
            continue
        median = float(per["score"].median())
        best = float((sign * per["score"]).max()) * sign
        spread = sign * (best - median)
        per = per.assign(key=sign * per["score"]).sort_values("key", ascending=False, kind="stable")
        for place, (cid, r) in enumerate(per.iterrows(), start=1):
            if len(rows) >= n_lead:
                break
            if cid in {row["config_id"] for row in rows} or cid not in configs.index:
                continue
            family, params = str(configs.at[cid, "family"]), dict(json.loads(configs.at[cid, "params"]))
            if any(row["family"] == family and near_copy(row["params"], params) for row in rows):
                continue  # a recorded study's trials cluster around its best: show distinct ones
            norm = 1.0 if spread <= 0 else float(sign * (r["score"] - median) / spread)
            rows.append({"config_id": str(cid), "family": family, "params": params, "predicted_score": norm,
                         "expected_fit_seconds": float(r["seconds"]),
                         "why": f"#{place} in your recorded run on {dataset} ({r['score']:.3g} {metric})"})
    if not rows:
        return table
    chosen = {r["config_id"] for r in rows}
    rest = table[~table["config_id"].isin(chosen)]
    out = pd.concat([pd.DataFrame(rows, columns=table.columns.drop("rank")),
                     rest.drop(columns="rank")], ignore_index=True).head(top)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out.attrs = dict(table.attrs)
    out.attrs["neighbours"] = ([{"dataset": str(d), "distance": float(v), "weight": 1.0, "recorded": True}
                                for d, v in copies.items()] + list(table.attrs.get("neighbours", [])))
    return out
