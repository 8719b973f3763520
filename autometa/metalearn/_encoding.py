"""Vectors for meta-learners: tasks (pluggable encoders) and configurations.

A *task encoder* turns a task into a fixed-length vector. The one base class is
:class:`autometa.representations.TaskEncoder` (``autometa.metalearn.TaskEncoder`` is
the same class, imported on first access): the learned representations derive from it.
The meta-learners duck-type: anything with a ``transform(task) -> vector`` method
plugs in; two optional methods are used when present:

- ``fit(knowledge_base)``: learn from the training datasets (called on the
  training part only, so leave-one-family-out evaluation stays honest);
- ``transform_knowledge_base(knowledge_base) -> DataFrame``: vectors of every
  dataset of a base at once (dataset x dimension). Without it, ``transform`` is
  called on each dataset's meta-feature Series, whose ``name`` is the dataset name.

``transform`` receives a :class:`~autometa.tasks.Task` or a meta-feature Series.
The default is :class:`MetafeatureEncoder`; :class:`ConcatEncoder` joins several.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from autometa.metafeatures.vector import MetafeatureEncoder, metafeature_series

__all__ = ["MetafeatureEncoder", "ConcatEncoder", "encode_configurations",
           "metafeature_series", "encode_knowledge_base"]


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
