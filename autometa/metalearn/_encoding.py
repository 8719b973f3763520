"""Vectors for meta-learners: tasks (pluggable encoders) and configurations.

A *task encoder* turns a task into a fixed-length vector. Anything with a
``transform(task) -> vector`` method plugs in (the learned representations of
:mod:`autometa.representations` do); two optional methods are used when present:

- ``fit(knowledge_base)``: learn from the training datasets (called on the
  training part only, so leave-one-family-out evaluation stays honest);
- ``transform_knowledge_base(knowledge_base) -> DataFrame``: vectors of every
  dataset of a base at once (dataset x dimension). Without it, ``transform`` is
  called on each dataset's meta-feature Series, whose ``name`` is the dataset name.

``transform`` receives a :class:`~autometa.tasks.Task` or a meta-feature Series.
The default is :class:`MetafeatureEncoder`; :class:`ConcatEncoder` joins several.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from autometa.exceptions import DataError
from autometa.metafeatures import TASK_VECTOR_GROUPS

__all__ = ["TaskEncoder", "MetafeatureEncoder", "ConcatEncoder", "encode_configurations",
           "metafeature_series", "encode_knowledge_base"]


@runtime_checkable
class TaskEncoder(Protocol):
    """What a task encoder must offer: ``transform(task) -> vector``."""

    def transform(self, task: Any) -> Any:  # pragma: no cover - protocol
        ...


def metafeature_series(task: Any, **extraction: Any) -> pd.Series:
    """The meta-feature vector of a Task (computed once, cached by the task) or a Series as given.

    ``extraction`` goes to :meth:`Task.metafeatures <autometa.tasks.Task.metafeatures>`.
    """
    if isinstance(task, pd.Series):
        return task
    if hasattr(task, "metafeatures"):
        return task.metafeatures(**extraction)
    raise DataError(f"Expected a Task or a pandas Series of meta-features; got {type(task).__name__}.")


#: meta-feature groups of the default task vector
DEFAULT_GROUPS: list[str] = list(TASK_VECTOR_GROUPS)


class MetafeatureEncoder:
    """Meta-features, robustly scaled and imputed: the default task vector.

    ``fit`` keeps the numeric meta-features (not the bookkeeping columns whose
    names start with ``_``) that are present on at least
    ``1 - max_missing`` of the training datasets and not constant; heavy-tailed
    ones (largest magnitude over ``log_above``) get a signed ``log1p``; all are
    centred on their median, divided by their inter-quartile range, clipped to
    ``±clip`` and missing values set to 0 (the median).

    Parameters
    ----------
    max_missing : float
        Largest share of training datasets on which a meta-feature may be NaN.
    log_above : float
        Meta-features whose largest magnitude exceeds this are log-transformed.
    clip : float
        Bound on the scaled values.
    columns : list of str, optional
        Use only these meta-features (default: all usable ones).
    groups : str or list of str
        Meta-feature groups extracted from a Task (a Series is used as given);
        ``fit`` drops the meta-features of the other groups. The default leaves
        landmarking out: on the PMLB base its features got little weight, nearest
        datasets ranked as well without them, and they are most of the extraction
        time of a large table (docs/benchmarks.md).
    max_rows, model_max_rows : int
        Row samples for extraction from a Task (see
        :func:`~autometa.metafeatures.extract_metafeatures`): every meta-feature on
        at most ``max_rows`` rows, the model-based and landmarking ones on at most
        ``model_max_rows``; row counts stay exact. Smaller than the extractor's
        defaults so that a recommendation for a large table takes seconds.

    Examples
    --------
    >>> import pandas as pd
    >>> mf = pd.DataFrame({"nr_inst": [100, 1000, 10000], "cor.mean": [0.1, 0.5, 0.3]},
    ...                   index=["a", "b", "c"])
    >>> enc = MetafeatureEncoder(groups="all").fit(mf)
    >>> enc.transform(mf.loc["b"]).round(2).tolist()
    [0.0, 1.0]
    """

    def __init__(self, *, max_missing: float = 0.5, log_above: float = 100.0, clip: float = 5.0,
                 columns: list[str] | None = None, groups: str | list[str] = DEFAULT_GROUPS, max_rows: int = 10_000,
                 model_max_rows: int = 2_000) -> None:
        self.max_missing = max_missing
        self.log_above = log_above
        self.clip = clip
        self.columns = columns
        self.groups = groups
        self.max_rows = max_rows
        self.model_max_rows = model_max_rows

    def fit(self, knowledge_base: Any) -> MetafeatureEncoder:
        """Learn columns, transforms and scales from a knowledge base (or a meta-feature DataFrame)."""
        mf = knowledge_base if isinstance(knowledge_base, pd.DataFrame) else knowledge_base.metafeatures
        mf = mf[[c for c in mf.columns if not str(c).startswith("_")]]  # bookkeeping, e.g. "_seconds"
        mf = mf.apply(pd.to_numeric, errors="coerce").astype(float).replace([np.inf, -np.inf], np.nan)
        if self.columns is not None:
            missing = [c for c in self.columns if c not in mf.columns]
            if missing:
                raise DataError(f"MetafeatureEncoder columns not in the meta-features: {missing[:5]}.")
            mf = mf[list(self.columns)]
        if self.groups != "all":  # leave out the other groups' meta-features (unknown names stay)
            from autometa.metafeatures import feature_names

            def names(groups: str | list[str]) -> set[str]:
                return {n for kind in ("binary", "regression") for n in feature_names(groups, kind=kind)}

            excluded = names("all") - names(self.groups)
            mf = mf[[c for c in mf.columns if c not in excluded]]
        keep = mf.columns[(mf.isna().mean() <= self.max_missing) & (mf.nunique() > 1)] if len(mf) else mf.columns[:0]
        values = mf[keep].to_numpy(dtype=float).reshape(len(mf), len(keep))
        p = len(keep)
        if p == 0 or len(values) == 0:  # nothing to learn a scale from: identity on what is kept
            self.log_ = np.zeros(p, dtype=bool)
            self.center_, scale = np.zeros(p), np.ones(p)
        else:
            with np.errstate(invalid="ignore"):
                magnitude = np.nanmax(np.abs(values), axis=0)
            self.log_ = np.nan_to_num(magnitude, nan=0.0) > self.log_above
            values = self._warp(values)
            self.center_ = np.nan_to_num(np.nanmedian(values, axis=0))
            q75, q25 = np.nanpercentile(values, [75, 25], axis=0)
            scale = np.nan_to_num(q75 - q25)
            std = np.nan_to_num(np.nanstd(values, axis=0))
            scale = np.where(scale > 1e-12, scale, np.where(std > 1e-12, std, 1.0))
        self.scale_ = scale
        self.columns_ = [str(c) for c in keep]
        return self

    def _warp(self, values: np.ndarray) -> np.ndarray:
        out = values.copy()
        out[:, self.log_] = np.sign(out[:, self.log_]) * np.log1p(np.abs(out[:, self.log_]))
        return out

    def _scale(self, frame: pd.DataFrame) -> np.ndarray:
        values = (frame.reindex(columns=self.columns_).apply(pd.to_numeric, errors="coerce")
                  .to_numpy(dtype=float).reshape(len(frame), len(self.columns_)))
        values = np.where(np.isfinite(values), values, np.nan)
        z = (self._warp(values) - self.center_) / self.scale_
        return np.nan_to_num(np.clip(z, -self.clip, self.clip), nan=0.0)

    def transform(self, task: Any) -> pd.Series:
        """The scaled vector of a Task or a meta-feature Series (missing meta-features count as typical)."""
        if not hasattr(self, "columns_"):
            raise DataError("MetafeatureEncoder is not fitted: call fit(knowledge_base) first.")
        series = metafeature_series(task, groups=self.groups, max_rows=self.max_rows,
                                    model_max_rows=self.model_max_rows)
        frame = series.to_frame().T
        return pd.Series(self._scale(frame)[0], index=self.columns_, name=series.name)

    def transform_knowledge_base(self, knowledge_base: Any) -> pd.DataFrame:
        """Vectors of every dataset of a knowledge base (or a meta-feature DataFrame)."""
        mf = knowledge_base if isinstance(knowledge_base, pd.DataFrame) else knowledge_base.metafeatures
        return pd.DataFrame(self._scale(mf), index=mf.index, columns=self.columns_)

    def __repr__(self) -> str:
        return "MetafeatureEncoder()"


class ConcatEncoder:
    """Several encoders side by side: their vectors are concatenated (prefixed by position).

    Examples
    --------
    >>> enc = ConcatEncoder([MetafeatureEncoder(), MetafeatureEncoder(columns=["nr_inst"])])
    """

    def __init__(self, encoders: list[Any]) -> None:
        self.encoders = encoders

    def fit(self, knowledge_base: Any) -> ConcatEncoder:
        for enc in self.encoders:
            if hasattr(enc, "fit"):
                enc.fit(knowledge_base)
        return self

    def transform(self, task: Any) -> pd.Series:
        parts = [pd.Series(np.asarray(_as_vector(enc.transform(task)), dtype=float)).add_prefix(f"{i}:")
                 for i, enc in enumerate(self.encoders)]
        return pd.concat(parts)

    def transform_knowledge_base(self, knowledge_base: Any) -> pd.DataFrame:
        parts = []
        for i, enc in enumerate(self.encoders):
            frame = encode_knowledge_base(enc, knowledge_base)
            frame.columns = [f"{i}:{j}" for j in range(frame.shape[1])]
            parts.append(frame)
        return pd.concat(parts, axis=1)


def _as_vector(value: Any) -> np.ndarray:
    arr = np.asarray(value.to_numpy() if isinstance(value, pd.Series) else value, dtype=float).ravel()
    return arr


def encode_knowledge_base(encoder: Any, knowledge_base: Any) -> pd.DataFrame:
    """Vectors (dataset x dimension) of every dataset of ``knowledge_base`` with any encoder."""
    if hasattr(encoder, "transform_knowledge_base"):
        frame = encoder.transform_knowledge_base(knowledge_base)
        return pd.DataFrame(np.asarray(frame, dtype=float), index=knowledge_base.metafeatures.index
                            if not isinstance(frame, pd.DataFrame) else frame.index)
    mf = knowledge_base.metafeatures
    rows = [_as_vector(encoder.transform(mf.loc[name].rename(name))) for name in mf.index]
    return pd.DataFrame(np.vstack(rows) if rows else np.zeros((0, 0)), index=mf.index)


def encode_query(encoder: Any, task: Any) -> np.ndarray:
    """The vector of one task (or meta-feature Series) with any encoder."""
    return _as_vector(encoder.transform(task))


def encode_configurations(configurations: pd.DataFrame, params: list[dict[str, Any]] | None = None) -> pd.DataFrame:
    """A numeric encoding of configurations for a model: family and every parameter.

    Columns: ``family`` (integer code, categorical), one column per parameter name
    (shared between families that use the name; log10 for positive parameters
    spanning more than a factor of 20; booleans as 0/1; NaN where the family has no
    such parameter), and ``<name>=<value>`` codes for parameters that take strings.

    Examples
    --------
    >>> cfg = pd.DataFrame({"family": ["knn", "linear"], "params": ['{"n_neighbors": 5}', '{"C": 1.0}']},
    ...                    index=["knn-000", "linear-000"])
    >>> encode_configurations(cfg).columns.tolist()
    ['family', 'C', 'n_neighbors']
    """
    from autometa.metalearn._data import configuration_params

    params = configuration_params(configurations) if params is None else params
    families = sorted(configurations["family"].astype(str).unique())
    out: dict[str, Any] = {"family": [families.index(f) for f in configurations["family"].astype(str)]}
    names = sorted({k for p in params for k in p})
    for name in names:
        raw = [p.get(name) for p in params]
        numeric = np.array([float(v) if isinstance(v, (int, float, bool, np.number)) and v is not None else np.nan
                            for v in raw])
        strings = sorted({str(v) for v in raw if isinstance(v, str)})
        if np.isfinite(numeric).any():
            finite = numeric[np.isfinite(numeric)]
            if finite.min() > 0 and finite.max() / finite.min() > 20:
                numeric = np.log10(numeric)
            out[name] = numeric
        if strings:
            out[f"{name}="] = [float(strings.index(v)) if isinstance(v, str) else np.nan for v in raw]
    frame = pd.DataFrame(out, index=configurations.index)
    return frame
