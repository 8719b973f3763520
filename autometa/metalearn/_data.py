"""What every meta-learner learns from: per-kind score matrices, normalised, and fit times.

A knowledge base mixes classification and regression datasets, scored on different
metrics. Meta-learners therefore learn one model per *group* of kinds
(``"classification"`` = binary + multiclass, ``"regression"``), each from a
:class:`GroupData`: the raw scores, the same scores normalised per dataset
(1 = the best configuration, 0 = the median one), the datasets' meta-features and
sizes, and a model of fit seconds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from autometa.exceptions import AutometaError, DataError
from autometa.metrics import normalise_scores

__all__ = ["GROUPS", "GroupData", "FitTimeModel", "group_of", "normalise_scores", "group_data", "tried_mean"]

#: the groups meta-learners fit one model for, and the task kinds in each
GROUPS: dict[str, tuple[str, ...]] = {"classification": ("binary", "multiclass"), "regression": ("regression",)}


#: weight of an untried cell, relative to an evaluated one, in the means the learners take:
#: it counts as the dataset's median (normalised score 0). Sparse bases (a user's recorded
#: studies) evaluate a few configurations per dataset; a configuration seen on one dataset
#: is shrunk towards "unknown" rather than trusted alone, or penalised as a failure.
UNKNOWN_WEIGHT = 0.1


def group_of(kind: str) -> str:
    """The group (``"classification"`` or ``"regression"``) of a task kind.

    Examples
    --------
    >>> group_of("multiclass")
    'classification'
    """
    for group, kinds in GROUPS.items():
        if kind in kinds or kind == group:
            return group
    raise DataError(f"Unknown task kind {kind!r}; expected one of binary, multiclass, regression.")


@dataclass
class FitTimeModel:
    """Expected fit seconds of each configuration from the size of the data.

    ``log t = a_c + b_f log(rows) + d_f log(features)``: an intercept per
    configuration ``c`` and slopes per family ``f``, fitted by least squares on the
    recorded fit times (training rows of a fold). Slopes are clipped to plausible
    ranges. Beyond the largest recorded size (a knowledge base records a few hundred
    rows per fold), fixed overheads flatten the fitted slope there while the
    per-row cost dominates on large data; so a family with a measured curve in
    :data:`LARGE_DATA_GROWTH` grows as that curve does from the largest recorded
    size, and any other family at least linearly in the rows.
    """

    intercept: np.ndarray
    row_slope: np.ndarray
    feature_slope: np.ndarray
    median_seconds: np.ndarray
    max_rows: float = np.inf
    #: family of each configuration (None: learners saved before the growth curves)
    families: np.ndarray | None = None

    @classmethod
    def fit(cls, seconds: np.ndarray, rows: np.ndarray, features: np.ndarray,
            families: np.ndarray) -> FitTimeModel:
        """Fit from a (datasets x configurations) matrix of mean fit seconds."""
        seconds = np.asarray(seconds, dtype=float)
        n_cfg = seconds.shape[1]
        log_t = np.log(np.clip(seconds, 1e-4, None))
        log_n = np.log(np.clip(np.asarray(rows, dtype=float), 1.0, None))
        log_p = np.log(np.clip(np.asarray(features, dtype=float), 1.0, None))
        ok = np.isfinite(log_t) & np.isfinite(log_n)[:, None] & np.isfinite(log_p)[:, None]
        intercept = np.zeros(n_cfg)
        row_slope = np.full(n_cfg, 1.0)
        feature_slope = np.full(n_cfg, 0.5)
        median_seconds = np.array([np.median(seconds[ok[:, j], j]) if ok[:, j].any() else np.nan
                                   for j in range(n_cfg)])
        for family in np.unique(families):
            cols = np.flatnonzero(families == family)
            # within-configuration centring leaves the shared slopes to estimate
            xs, ts = [], []
            for j in cols:
                m = ok[:, j]
                if m.sum() < 2:
                    continue
                xs.append(np.column_stack([log_n[m] - log_n[m].mean(), log_p[m] - log_p[m].mean()]))
                ts.append(log_t[m, j] - log_t[m, j].mean())
            if xs:
                X, t = np.vstack(xs), np.concatenate(ts)
                coef = np.linalg.lstsq(X.T @ X + 1e-3 * np.eye(2), X.T @ t, rcond=None)[0]
                row_slope[cols] = np.clip(coef[0], 0.0, 2.5)
                feature_slope[cols] = np.clip(coef[1], 0.0, 2.0)
            for j in cols:
                m = ok[:, j]
                if m.any():
                    intercept[j] = np.mean(log_t[m, j] - row_slope[j] * log_n[m] - feature_slope[j] * log_p[m])
                else:
                    intercept[j] = np.nan
        seen = np.asarray(rows, dtype=float)[np.isfinite(rows)] if np.isfinite(rows).any() else np.array([np.inf])
        return cls(intercept, row_slope, feature_slope, median_seconds, float(seen.max()),
                   np.asarray(families, dtype=object))

    def predict(self, rows: float | None, features: float | None) -> np.ndarray:
        """Expected fit seconds of every configuration on data of this size.

        Unknown sizes give each configuration's median recorded time.
        """
        if rows is None or features is None or not np.isfinite([rows, features]).all():
            return self.median_seconds.copy()
        rows = max(float(rows), 1.0)
        within = min(rows, self.max_rows)
        out = np.exp(self.intercept + self.row_slope * np.log(within)
                     + self.feature_slope * np.log(max(float(features), 1.0)))
        if rows > within:
            growth = (rows / within) ** np.maximum(self.row_slope, 1.0)
            if self.families is not None:
                for family in np.unique(self.families):
                    if family in LARGE_DATA_GROWTH:
                        growth[self.families == family] = large_data_growth(family, within, rows)
            out = out * growth
        return np.where(np.isfinite(out), out, self.median_seconds)


#: Fit seconds of each family's first default configuration (``FAMILY-000``) on
#: ``make_classification`` data with 20 features, by training rows, on the project's 2-core
#: machine: ``python benchmarks/fit_time_model.py`` (1,000-16,000 rows), then ``--rows 64000``
#: (svm: ``--rows 32000``), docs/benchmarks.md. Only ratios are used, to extrapolate a configuration's
#: recorded time beyond the knowledge base's largest dataset: a knowledge base records a few
#: hundred rows per fold, where fixed overheads hide how each family grows (histogram
#: boosters barely grow to 16,000 rows; kernel SVMs grow faster than n^2 once the kernel
#: cache is full).
LARGE_DATA_GROWTH: dict[str, tuple[tuple[float, float], ...]] = {
    "lightgbm": ((1000, 0.257), (4000, 0.408), (16000, 0.590), (64000, 1.262)),
    "random_forest": ((1000, 0.410), (4000, 1.631), (16000, 7.535), (64000, 40.105)),
    "extra_trees": ((1000, 0.233), (4000, 0.618), (16000, 1.603), (64000, 8.338)),
    "hist_gradient_boosting": ((1000, 0.364), (4000, 0.551), (16000, 0.522), (64000, 1.367)),
    "linear": ((1000, 0.031), (4000, 0.024), (16000, 0.072), (64000, 0.411)),
    "svm": ((1000, 0.037), (4000, 0.401), (16000, 2.793), (32000, 26.201)),
    "knn": ((1000, 0.012), (4000, 0.017), (16000, 0.054), (64000, 0.284)),
    "mlp": ((1000, 0.188), (4000, 0.538), (16000, 1.843), (64000, 19.607)),
}


def large_data_growth(family: str, rows_from: float, rows_to: float) -> float:
    """How many times longer a ``family`` fit takes on ``rows_to`` rows than on ``rows_from``.

    Log-log interpolation of the family's curve in :data:`LARGE_DATA_GROWTH`; before
    its first point the first segment's slope continues, and after its last point the
    last segment's, at least linear.

    Examples
    --------
    >>> round(large_data_growth("random_forest", 1000, 16000), 1)
    18.4
    >>> large_data_growth("knn", 64000, 128000) >= 2.0
    True
    """
    points = np.asarray(LARGE_DATA_GROWTH[family], dtype=float)
    log_n = np.log(points[:, 0])
    log_t = np.maximum.accumulate(np.log(points[:, 1]))  # a larger fit never takes less time
    first = max((log_t[1] - log_t[0]) / (log_n[1] - log_n[0]), 0.0)
    last = max((log_t[-1] - log_t[-2]) / (log_n[-1] - log_n[-2]), 1.0)

    def log_time(rows: float) -> float:
        x = float(np.log(max(rows, 1.0)))
        if x <= log_n[0]:
            return float(log_t[0] + first * (x - log_n[0]))
        if x >= log_n[-1]:
            return float(log_t[-1] + last * (x - log_n[-1]))
        return float(np.interp(x, log_n, log_t))

    return float(np.exp(log_time(rows_to) - log_time(rows_from)))


@dataclass
class GroupData:
    """The training data of one group of kinds, as arrays aligned on datasets and configurations.

    Attributes
    ----------
    group : str
        ``"classification"`` or ``"regression"``.
    metric : str
        The metric the scores are on (larger is better; losses are negated).
    datasets : list of str
        Training datasets (rows of the matrices).
    config_ids : ndarray of str
        Every configuration of the portfolio (columns of the matrices).
    raw : ndarray
        Mean cross-validated scores; NaN where a configuration failed or was not tried.
    norm : ndarray
        Normalised scores (:func:`normalise_scores`), failures at the floor, untried
        cells 0 (the median: unknown, not a failure).
    metafeatures : DataFrame
        The training datasets' meta-features.
    fit_time : FitTimeModel
        Expected fit seconds from the data size.
    families : ndarray of str
        Pipeline family of each configuration.
    tried : ndarray of bool, optional
        Whether each cell was evaluated (failures included); user bases are sparse.
        Default: every cell.
    """

    group: str
    metric: str
    datasets: list[str]
    config_ids: np.ndarray
    raw: np.ndarray
    norm: np.ndarray
    metafeatures: pd.DataFrame
    fit_time: FitTimeModel
    families: np.ndarray
    tried: np.ndarray = field(default_factory=lambda: np.ones((0, 0), dtype=bool))
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.tried.shape != self.norm.shape:  # not given: a dense base
            self.tried = np.ones(self.norm.shape, dtype=bool)

    @property
    def n_configs(self) -> int:
        return int(len(self.config_ids))

    def rows_of(self, names: list[str]) -> list[int]:
        """Row positions of datasets ``names``."""
        if "positions" not in self.extra:
            self.extra["positions"] = {d: i for i, d in enumerate(self.datasets)}
        pos = self.extra["positions"]
        return [pos[d] for d in names]

    @property
    def redundancy(self) -> np.ndarray:
        """Configuration x configuration similarity in [0, 1]: correlation of normalised scores."""
        if "redundancy" not in self.extra:
            with np.errstate(invalid="ignore", divide="ignore"):
                corr = np.corrcoef(self.norm.T) if len(self.datasets) > 1 else np.eye(self.n_configs)
            corr = np.clip(np.nan_to_num(np.atleast_2d(corr), nan=0.0), 0.0, 1.0)
            np.fill_diagonal(corr, 1.0)
            self.extra["redundancy"] = corr
        return self.extra["redundancy"]


def _metric_for(kb: Any, group: str, metric: str | None) -> str | None:
    """The metric of ``group``: ``metric`` if it belongs to the group, else the primary one (None)."""
    if metric is None:
        return None
    from autometa.metrics import CLASSIFICATION_METRICS, REGRESSION_METRICS

    own = CLASSIFICATION_METRICS if group == "classification" else REGRESSION_METRICS
    return metric if metric in own else None


def group_data(kb: Any, group: str, metric: str | None = None) -> GroupData | None:
    """The :class:`GroupData` of ``group`` in knowledge base ``kb`` (None when it has no usable dataset).

    ``metric`` is used when it is a metric of this group; otherwise the group's
    primary metric is. Datasets on which every configuration failed are left out.
    """
    names = kb.dataset_names(group)
    if not names:
        return None
    own = _metric_for(kb, group, metric)
    scores = kb.scores(own, kind=group)
    scores = scores.loc[:, list(kb.configurations.index)]
    usable = scores.notna().any(axis=1)
    scores = scores.loc[usable]
    if scores.empty:
        return None
    datasets = [str(d) for d in scores.index]
    if own is None:
        kinds = kb.datasets.loc[datasets, "kind"].astype(str)
        metrics = sorted({kb.primary_metric(k) for k in kinds})
        metric_name = metrics[0] if len(metrics) == 1 else "/".join(metrics)
    else:
        metric_name = own
    seconds = kb.fit_seconds().reindex(index=datasets, columns=scores.columns).to_numpy(dtype=float)
    info = kb.datasets.loc[datasets]
    n_folds = int(kb.manifest.get("protocol", {}).get("n_folds", 3) or 3)
    rows_col = "rows_used" if "rows_used" in info.columns else "rows"
    rows = pd.to_numeric(info[rows_col], errors="coerce").to_numpy(dtype=float)
    if rows_col == "rows_used" and "rows" in info.columns:  # rows_used may be missing for some datasets
        rows = np.where(np.isfinite(rows), rows, pd.to_numeric(info["rows"], errors="coerce").to_numpy(float))
    rows = rows * (n_folds - 1) / max(n_folds, 1)  # a fold's training rows
    features = pd.to_numeric(info["features"], errors="coerce").to_numpy(dtype=float)
    families = kb.configurations.loc[scores.columns, "family"].astype(str).to_numpy()
    raw = scores.to_numpy(dtype=float)
    tried = _tried(kb, datasets, list(scores.columns))
    norm = normalise_scores(raw)
    norm[~tried] = 0.0  # never evaluated (sparse user rows): unknown, the median, not a failure
    mf = kb.metafeatures.reindex(datasets)
    return GroupData(group=group, metric=metric_name, datasets=datasets,
                     config_ids=np.asarray([str(c) for c in scores.columns], dtype=object), raw=raw,
                     norm=norm, metafeatures=mf,
                     fit_time=FitTimeModel.fit(seconds, rows, features, families), families=families,
                     tried=tried)


def _tried(kb: Any, datasets: list[str], config_ids: list[Any]) -> np.ndarray:
    """(datasets x configurations) mask of the cells with at least one evaluation row, failed or not."""
    ev = kb.evaluations
    pairs = pd.MultiIndex.from_arrays([ev["dataset"].astype(str), ev["config_id"].astype(str)]).unique()
    grid = pd.MultiIndex.from_product([datasets, [str(c) for c in config_ids]])
    return np.asarray(grid.isin(pairs)).reshape(len(datasets), len(config_ids))


def tried_mean(values: np.ndarray, tried: np.ndarray, weights: np.ndarray | None = None, *,
               unknown: float = 0.0, unknown_weight: float = UNKNOWN_WEIGHT) -> np.ndarray:
    """Weighted column means of ``values`` over the rows that tried each column.

    An untried cell counts as ``unknown`` with ``unknown_weight`` times its row's
    weight: a column tried on few rows is shrunk towards ``unknown``, more so the
    less weight those rows carry. Dense columns get the plain weighted mean.

    Examples
    --------
    >>> Z = np.array([[1.0, 0.5], [0.0, 0.5]])
    >>> T = np.array([[True, True], [False, True]])
    >>> tried_mean(Z, T, unknown_weight=0.0).tolist()
    [1.0, 0.5]
    >>> tried_mean(Z, T, unknown_weight=1.0).tolist()
    [0.5, 0.5]
    """
    values = np.asarray(values, dtype=float)
    tried = np.asarray(tried, dtype=bool)
    w = np.ones(len(values)) if weights is None else np.asarray(weights, dtype=float)
    wt = w[:, None] * tried
    wu = unknown_weight * w[:, None] * ~tried
    total = wt.sum(axis=0) + wu.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = ((wt * np.where(tried, values, 0.0)).sum(axis=0) + unknown * wu.sum(axis=0)) / total
    return np.where(total > 0, mean, unknown)


def rank_matrix(raw: np.ndarray, tried: np.ndarray | None = None, tolerance: float = 0.0) -> np.ndarray:
    """Rank of every configuration (column) on every dataset (row): 1 = best, ties share the mean rank.

    With ``tolerance > 0``, scores closer than ``tolerance`` (in the units of
    ``raw``) count as tied: a configuration's rank is one plus the number of
    configurations better than it by more than ``tolerance`` (so tied ones share
    the best of their ranks). Differences within a dataset's measurement noise
    then no longer order configurations.

    Failures (NaN in ``raw``) rank last. Rows that evaluated only some
    configurations (``tried``) rank those, rescaled onto 1 to the number of
    columns (a row that evaluated a single configuration ranks it in the middle);
    untried cells are NaN.

    Examples
    --------
    >>> rank_matrix(np.array([[0.9, 0.5, np.nan], [0.1, 0.2, 0.3]])).tolist()
    [[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]]
    >>> rank_matrix(np.array([[0.9, 0.5, 0.7]]), np.array([[True, True, False]])).tolist()
    [[1.0, 3.0, nan]]
    >>> rank_matrix(np.array([[1.0, 0.97, 0.9, np.nan]]), tolerance=0.05).tolist()
    [[1.0, 1.0, 3.0, 4.0]]
    """
    raw = np.asarray(raw, dtype=float)
    tried = np.ones(raw.shape, dtype=bool) if tried is None else np.asarray(tried, dtype=bool)
    filled = np.where(tried, np.nan_to_num(raw, nan=-np.inf), np.nan)
    if tolerance > 0:
        ranks = np.full(raw.shape, np.nan)
        for i, row in enumerate(filled):
            m = tried[i]
            ordered = np.sort(row[m])
            ranks[i, m] = 1.0 + (len(ordered) - np.searchsorted(ordered, row[m] + tolerance, side="right"))
    else:
        ranks = pd.DataFrame(filled).rank(axis=1, ascending=False, method="average",
                                          na_option="keep").to_numpy(copy=True)
    n_tried = tried.sum(axis=1, keepdims=True)
    n_cfg = raw.shape[1]
    sparse = (n_tried < n_cfg)[:, 0]
    if sparse.any():
        k = n_tried[sparse]
        ranks[sparse] = np.where(k > 1, 1.0 + (ranks[sparse] - 1.0) * (n_cfg - 1) / np.maximum(k - 1, 1),
                                 (n_cfg + 1) / 2)
    return ranks


def mean_rank(ranks: np.ndarray, tried: np.ndarray, weights: np.ndarray | None = None, *,
              unknown_weight: float = UNKNOWN_WEIGHT) -> np.ndarray:
    """Weighted mean rank of every configuration (:func:`rank_matrix` rows), an untried cell counting
    as the middle rank with ``unknown_weight`` (:func:`tried_mean`).

    Examples
    --------
    >>> mean_rank(np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]]), np.ones((2, 3), dtype=bool)).tolist()
    [2.0, 2.0, 2.0]
    """
    return tried_mean(ranks, tried, weights, unknown=(ranks.shape[1] + 1) / 2, unknown_weight=unknown_weight)


def configuration_params(configurations: pd.DataFrame) -> list[dict[str, Any]]:
    """The params of every configuration as dicts (the table stores JSON)."""
    out = []
    for value in configurations["params"]:
        out.append(json.loads(value) if isinstance(value, str) else dict(value))
    return out


def require_fitted(learner: Any) -> None:
    if not hasattr(learner, "groups_"):
        raise AutometaError(f"This {type(learner).__name__} is not fitted yet: call fit(knowledge_base) first.")
