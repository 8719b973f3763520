"""Leave-one-family-out evaluation of meta-learners on a knowledge base.

For each group of kinds (classification, regression) and each dataset family in
it, every learner is fitted on the other families' datasets and ranks the whole
portfolio for each held-out dataset, from its meta-features alone (no model is
re-run: the base already holds every configuration's score). Reported per
learner, against random order, average rank and the oracle:

- normalised regret@k = (best − best of the first k) / (best − median), on the
  primary metric (a failed configuration counts as the dataset's worst);
- the true rank of the first pick (1 = the best configuration);
- NDCG@10 with gains = normalised scores clipped to [0, 1];
- wins / ties / losses against average rank on regret@1 and regret@5.

Random is the exact expectation over random orders, not a sample.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from autometa.exceptions import AutometaError, DataError
from autometa.metalearn._data import GROUPS, normalise_scores

__all__ = ["DEFAULT_KS", "EvaluationResult", "evaluate", "ranking_metrics", "random_metrics"]

#: the k of regret@k reported by default
DEFAULT_KS: tuple[int, ...] = (1, 3, 5, 10, 25)

REFERENCES = ("random", "oracle")


def _prepare(scores: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Scores with failures set to the worst finite score, and (best, median) of the finite ones."""
    scores = np.asarray(scores, dtype=float)
    finite = np.isfinite(scores)
    if not finite.any():
        raise DataError("Every configuration failed on this dataset: it cannot be evaluated.")
    filled = np.where(finite, scores, np.nanmin(scores))
    return filled, float(np.nanmax(scores)), float(np.nanmedian(scores))


def _regret(best: float, median: float, value: float) -> float:
    gap = best - median
    if gap < 1e-12:
        return 0.0 if value >= best - 1e-12 else 1.0
    return float((best - value) / gap)


def _gains(scores: np.ndarray) -> np.ndarray:
    return np.clip(np.nan_to_num(normalise_scores(scores, floor=None), nan=0.0), 0.0, 1.0)


def _discounts(n: int) -> np.ndarray:
    return 1.0 / np.log2(np.arange(2, n + 2))


def ranking_metrics(scores: Sequence[float] | np.ndarray, order: Sequence[int] | np.ndarray,
                    ks: Sequence[int] = DEFAULT_KS, ndcg_at: int = 10) -> dict[str, float]:
    """Regret@k, rank of the first pick and NDCG of one ranking on one dataset.

    Parameters
    ----------
    scores : array of shape (n_configs,)
        True scores of every configuration (larger is better; NaN = failed).
    order : array of int
        Configuration indices, first pick first (may be shorter than ``scores``).
    ks : sequence of int
        The k of regret@k (a k beyond the ranking's length uses all of it).
    ndcg_at : int
        Cut-off of NDCG.

    Returns
    -------
    dict
        ``regret@k`` for each k, ``first_rank`` and ``ndcg@<ndcg_at>``.

    Examples
    --------
    Scores 0.9 (best), 0.8, 0.7 (median), 0.6, 0.5; the ranking tries 0.8 first:

    >>> m = ranking_metrics([0.9, 0.8, 0.7, 0.6, 0.5], [1, 0, 2], ks=(1, 2))
    >>> round(m["regret@1"], 6), m["regret@2"], m["first_rank"]
    (0.5, 0.0, 2.0)
    """
    filled, best, median = _prepare(np.asarray(scores, dtype=float))
    order = np.asarray(order, dtype=int)
    if len(order) == 0:
        raise DataError("The ranking is empty.")
    out: dict[str, float] = {}
    running = np.maximum.accumulate(filled[order])
    for k in ks:
        out[f"regret@{k}"] = _regret(best, median, float(running[min(k, len(order)) - 1]))
    out["first_rank"] = float(1 + np.sum(filled > filled[order[0]]))
    gains = _gains(np.asarray(scores, dtype=float))
    m = min(ndcg_at, len(order))
    ideal = np.sort(gains)[::-1][:ndcg_at]
    idcg = float(ideal @ _discounts(len(ideal)))
    dcg = float(gains[order[:m]] @ _discounts(m))
    out[f"ndcg@{ndcg_at}"] = dcg / idcg if idcg > 0 else 1.0
    return out


def random_metrics(scores: Sequence[float] | np.ndarray, ks: Sequence[int] = DEFAULT_KS,
                   ndcg_at: int = 10) -> dict[str, float]:
    """The same metrics in expectation over uniformly random orders (exact).

    Examples
    --------
    >>> m = random_metrics([0.9, 0.8, 0.7, 0.6, 0.5], ks=(1, 5))
    >>> round(m["regret@1"], 6), m["regret@5"], m["first_rank"]
    (1.0, 0.0, 3.0)
    """
    from scipy.special import comb

    filled, best, median = _prepare(np.asarray(scores, dtype=float))
    n = len(filled)
    ascending = np.sort(filled)
    out: dict[str, float] = {}
    for k in ks:
        kk = min(k, n)
        # P(the maximum of a random k-subset is the i-th smallest) = C(i-1, k-1) / C(n, k)
        p = comb(np.arange(n), kk - 1) / comb(n, kk)
        out[f"regret@{k}"] = _regret(best, median, float(p @ ascending))
    ranks = 1 + np.array([np.sum(filled > v) for v in filled], dtype=float)
    out["first_rank"] = float(ranks.mean())
    gains = _gains(np.asarray(scores, dtype=float))
    ideal = np.sort(gains)[::-1][:ndcg_at]
    idcg = float(ideal @ _discounts(len(ideal)))
    m = min(ndcg_at, n)
    out[f"ndcg@{ndcg_at}"] = float(gains.mean() * _discounts(m).sum() / idcg) if idcg > 0 else 1.0
    return out


@dataclass
class EvaluationResult:
    """Per-dataset results of :func:`evaluate`, and their summary.

    Attributes
    ----------
    records : DataFrame
        One row per (group, held-out dataset, learner or reference) with
        ``regret@k``, ``first_rank``, ``ndcg@10``.
    timings : DataFrame
        Mean fit and rank seconds of each learner, per group.
    ks : tuple of int
    baseline : str
        The learner wins, ties and losses are counted against.
    """

    records: pd.DataFrame
    timings: pd.DataFrame
    ks: tuple[int, ...] = DEFAULT_KS
    ndcg_at: int = 10
    baseline: str = "average_rank"
    meta: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        """Means per group and learner, with win/tie/loss against the baseline at k = 1 and 5.

        Examples
        --------
        >>> result.summary()                                     # doctest: +SKIP
        """
        rec = self.records
        metrics = [f"regret@{k}" for k in self.ks] + ["first_rank", f"ndcg@{self.ndcg_at}"]
        rows = []
        order = list(dict.fromkeys(rec["learner"]))
        for group in [g for g in GROUPS if g in set(rec["group"])]:
            sub = rec[rec["group"] == group]
            base = sub[sub["learner"] == self.baseline].set_index("dataset")
            for learner in order:
                mine = sub[sub["learner"] == learner].set_index("dataset")
                if mine.empty:
                    continue
                row: dict[str, Any] = {"group": group, "learner": learner, "datasets": int(len(mine))}
                row.update({m: float(mine[m].mean()) for m in metrics})
                for k in (1, 5):
                    col = f"regret@{k}"
                    if col not in mine or base.empty:
                        continue
                    diff = (mine[col] - base[col].reindex(mine.index)).dropna()
                    wins, ties = int((diff < -1e-9).sum()), int((diff.abs() <= 1e-9).sum())
                    row[f"w/t/l@{k}"] = f"{wins}/{ties}/{int((diff > 1e-9).sum())}"
                rows.append(row)
        return pd.DataFrame(rows)

    def curve(self) -> pd.DataFrame:
        """Mean regret@k per group, learner and k (long format, for plots)."""
        rec = self.records
        cols = [f"regret@{k}" for k in self.ks]
        mean = rec.groupby(["group", "learner"], sort=False)[cols].mean().reset_index()
        long = mean.melt(id_vars=["group", "learner"], value_vars=cols, var_name="k", value_name="regret")
        long["k"] = long["k"].str.removeprefix("regret@").astype(int)
        return long


def _default_learners() -> dict[str, Any]:
    from autometa.metalearn.average_rank import AverageRank
    from autometa.metalearn.neighbors import NearestDatasets
    from autometa.metalearn.ranker import LightGBMRanker

    return {"average_rank": AverageRank(), "neighbors": NearestDatasets(), "ranker": LightGBMRanker()}


def _resolve_learners(learners: Any) -> dict[str, Any]:
    from autometa.metalearn.recommend import get_learner

    if learners is None:
        return _default_learners()
    if isinstance(learners, Mapping):
        return dict(learners)
    if isinstance(learners, str):
        learners = [learners]
    out: dict[str, Any] = {}
    for item in learners:
        if isinstance(item, str):
            out[item] = get_learner(item)
        else:
            out[getattr(item, "name", type(item).__name__) or type(item).__name__] = item
    return out


def evaluate(knowledge_base: Any, learners: Any = None, *, groups: Sequence[str] | None = None,
             ks: Sequence[int] = DEFAULT_KS, ndcg_at: int = 10, metric: str | None = None,
             progress: bool = False) -> EvaluationResult:
    """Leave-one-family-out evaluation of ``learners`` on ``knowledge_base``.

    Parameters
    ----------
    knowledge_base : KnowledgeBase
        The base; only its finished datasets with at least one successful
        configuration are used.
    learners : dict, list or str, optional
        ``{name: MetaLearner}``, names of :func:`~autometa.metalearn.get_learner`,
        or learner instances (default: average rank, nearest datasets, ranker).
        Average rank is added when missing: it is the baseline of win/tie/loss.
    groups : sequence of {"classification", "regression"}, optional
        Groups to evaluate (default: every group present).
    ks : sequence of int
        The k of regret@k.
    ndcg_at : int
        Cut-off of NDCG.
    metric : str, optional
        Metric to rank and score on (default: each kind's primary metric).
    progress : bool
        Show a progress bar.

    Returns
    -------
    EvaluationResult

    Examples
    --------
    >>> from autometa.metalearn import NearestDatasets, evaluate, synthetic_knowledge_base
    >>> result = evaluate(synthetic_knowledge_base(6), {"neighbors": NearestDatasets(n_neighbors=3)},
    ...                   groups=["classification"])
    >>> summary = result.summary()
    >>> summary["learner"].tolist(), summary["regret@1"].round(2).tolist()
    (['neighbors', 'average_rank', 'random', 'oracle'], [0.0, 0.39, 1.02, 0.0])
    >>> summary["w/t/l@1"].tolist()
    ['12/0/0', '0/12/0', '0/0/12', '12/0/0']
    """
    from autometa.metalearn.average_rank import AverageRank

    named = _resolve_learners(learners)
    if "average_rank" not in named:
        named["average_rank"] = AverageRank()
    if metric is not None:
        named = {k: v.clone().set_params(metric=metric) for k, v in named.items()}
    kb = knowledge_base
    groups = [g for g in (groups or list(GROUPS))]
    unknown = [g for g in groups if g not in GROUPS]
    if unknown:
        raise DataError(f"Unknown group {unknown[0]!r}; choose classification and/or regression.")
    family_of = kb.datasets["family"].astype(str) if "family" in kb.datasets.columns else pd.Series(
        kb.datasets.index, index=kb.datasets.index)
    family_of = family_of.where(family_of.notna() & (family_of != ""), pd.Series(kb.datasets.index,
                                                                                   index=kb.datasets.index))
    plans = []
    for group in groups:
        from autometa.metalearn._data import _metric_for

        names = kb.dataset_names(group)
        if not names:
            continue
        truth = kb.scores(_metric_for(kb, group, metric), kind=group).loc[:, list(kb.configurations.index)]
        truth = truth[truth.notna().any(axis=1)]
        names = [str(n) for n in truth.index]
        fams = family_of.reindex(names)
        for fam in pd.unique(fams.to_numpy()):
            held = [n for n in names if fams[n] == fam]
            train = [n for n in names if fams[n] != fam]
            if train:
                plans.append((group, fam, held, train, truth))
    if not plans:
        raise AutometaError("Nothing to evaluate: the knowledge base needs datasets of at least two families "
                            "in a group.")
    records: list[dict[str, Any]] = []
    timing: list[dict[str, Any]] = []
    bar = _progress(progress, len(plans))
    try:
        for group, fam, held, train, truth in plans:
            sub = kb.subset(train)
            for name, learner in named.items():
                t0 = time.perf_counter()
                fitted = learner.clone().fit(sub)
                fit_s = time.perf_counter() - t0
                t1 = time.perf_counter()
                for dataset in held:
                    query = kb.metafeatures.loc[dataset].rename(dataset)
                    data, _, order, _, _ = fitted._select(query, kind=kb.kind_of(dataset))
                    true = truth.loc[dataset].reindex(list(data.config_ids)).to_numpy(dtype=float)
                    records.append({"group": group, "dataset": dataset, "family": fam, "learner": name,
                                    **ranking_metrics(true, order, ks, ndcg_at)})
                timing.append({"group": group, "learner": name, "fit_seconds": fit_s,
                               "rank_seconds": (time.perf_counter() - t1) / len(held)})
            for dataset in held:
                true = truth.loc[dataset].to_numpy(dtype=float)
                records.append({"group": group, "dataset": dataset, "family": fam, "learner": "random",
                                **random_metrics(true, ks, ndcg_at)})
                oracle = np.argsort(-np.nan_to_num(true, nan=-np.inf), kind="stable")
                records.append({"group": group, "dataset": dataset, "family": fam, "learner": "oracle",
                                **ranking_metrics(true, oracle, ks, ndcg_at)})
            if bar is not None:
                bar.advance(bar.task_ids[0])
    finally:
        if bar is not None:
            bar.stop()
    order = [*[n for n in named if n != "average_rank"], "average_rank", *REFERENCES]
    rec = pd.DataFrame(records)
    rec["learner"] = pd.Categorical(rec["learner"], categories=order, ordered=True)
    rec = rec.sort_values(["group", "learner", "dataset"], kind="stable").reset_index(drop=True)
    rec["learner"] = rec["learner"].astype(str)
    timings = (pd.DataFrame(timing).groupby(["group", "learner"], sort=False)[["fit_seconds", "rank_seconds"]]
               .mean().reset_index())
    return EvaluationResult(records=rec, timings=timings, ks=tuple(ks), ndcg_at=ndcg_at,
                            meta={"datasets": int(rec["dataset"].nunique()), "folds": len(plans),
                                  "learners": {k: repr(v) for k, v in named.items()}})


def _progress(show: bool, total: int) -> Any:
    if not show:
        return None
    from rich.console import Console
    from rich.progress import Progress

    bar = Progress(transient=True, console=Console(stderr=True))  # stdout is for results
    bar.add_task("leave-one-family-out", total=total)
    bar.start()
    return bar
