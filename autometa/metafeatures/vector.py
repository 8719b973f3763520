"""The meta-feature vector of a task, scaled for learning: what the meta-learners and the baseline encoder read.

:class:`MetafeatureEncoder` keeps the columns present in enough training datasets,
log-compresses heavy-tailed ones, standardises robustly and clips; a task's vector
comes from :meth:`Task.metafeatures <autometa.tasks.Task.metafeatures>` (computed once,
cached). ``autometa.metalearn`` ranks with it and ``autometa.representations`` wraps it
as the baseline :class:`~autometa.representations.MetafeatureVectorEncoder`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from autometa.exceptions import DataError
from autometa.metafeatures._engine import TASK_VECTOR_GROUPS

__all__ = ["DEFAULT_GROUPS", "MetafeatureEncoder", "metafeature_series"]


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
