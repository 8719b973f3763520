"""The meta-feature vector, imputed and robustly scaled: the baseline representation."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd

from autometa.representations._base import TaskEncoder, resolve_task

__all__ = ["MetafeatureVectorEncoder"]


class MetafeatureVectorEncoder(TaskEncoder):
    """Hand-made meta-features as a task vector.

    The scaling is :class:`autometa.metalearn.MetafeatureEncoder`'s (signed log for
    heavy tails, median / inter-quartile range, clipping, missing = typical); this
    class gives it the :class:`TaskEncoder` interface (tasks, save/load, ``dim``).
    A meta-feature Series is used as given; a Task's meta-features are extracted
    (on row samples, cached by the task).

    Parameters
    ----------
    max_missing, log_above, clip : float
        See :class:`~autometa.metalearn.MetafeatureEncoder`.
    groups : str or list of str
        Meta-feature groups extracted from a Task (a Series is used as given).
    data_dir : str, optional
        Where dataset names are looked up (default ``$AUTOMETA_DATA_DIR``).
    seed : int
        Unused (the vector is deterministic); kept for a uniform interface.

    Examples
    --------
    >>> from autometa.metalearn import synthetic_knowledge_base
    >>> kb = synthetic_knowledge_base()
    >>> enc = MetafeatureVectorEncoder().fit(kb.metafeatures)
    >>> enc.transform(kb.metafeatures.iloc[0]).shape == (enc.dim,)
    True
    """

    name: ClassVar[str] = "metafeatures"
    needs_scores: ClassVar[bool] = False

    def __init__(self, *, max_missing: float = 0.5, log_above: float = 100.0, clip: float = 5.0,
                 groups: str | list[str] = "all", data_dir: str | None = None, seed: int = 0) -> None:
        self.max_missing = max_missing
        self.groups = groups
        self.log_above = log_above
        self.clip = clip
        self.data_dir = data_dir
        self.seed = seed

    def _inner(self) -> Any:
        from autometa.metafeatures.vector import MetafeatureEncoder

        return MetafeatureEncoder(max_missing=self.max_missing, log_above=self.log_above, clip=self.clip,
                                  groups=self.groups)

    def fit(self, tasks: Any, knowledge_base: Any = None) -> MetafeatureVectorEncoder:
        """Learn the scaling from a meta-feature DataFrame, a knowledge base, or tasks (extracted)."""
        if isinstance(tasks, pd.DataFrame):
            self._fit_frame(tasks)
            return self
        if knowledge_base is None and hasattr(tasks, "metafeatures") and hasattr(tasks, "datasets"):
            if len(tasks.metafeatures):
                self._fit_frame(tasks.metafeatures)
                return self
        super().fit(tasks, knowledge_base)
        return self

    def _fit_frame(self, frame: pd.DataFrame) -> None:
        self.encoder_ = self._inner().fit(frame)
        self.dim_ = len(self.encoder_.columns_)

    def _fit(self, tasks: list[Any], knowledge_base: Any) -> None:
        mf = getattr(knowledge_base, "metafeatures", None)
        names = [t.name for t in tasks]
        if mf is not None and len(mf) and set(names) <= set(mf.index):
            frame = mf.loc[names]
        else:
            frame = pd.DataFrame([t.metafeatures(groups=self.groups).rename(t.name) for t in tasks])
        self._fit_frame(frame)

    def transform(self, task: Any) -> np.ndarray:
        """The scaled meta-feature vector of a Task, a dataset name or a meta-feature Series."""
        self._check_fitted()
        if not isinstance(task, pd.Series):
            task = resolve_task(task, self.data_dir)
        return self.encoder_.transform(task).to_numpy(dtype=float)

    def transform_knowledge_base(self, knowledge_base: Any) -> pd.DataFrame:
        """Vectors of every dataset of a knowledge base, from its meta-feature table."""
        self._check_fitted()
        return self.encoder_.transform_knowledge_base(knowledge_base)

    def _encode(self, task: Any) -> np.ndarray:  # pragma: no cover - transform is overridden
        return self.transform(task)

    def _get_state(self) -> dict[str, Any]:
        enc = self.encoder_
        return {"columns": list(enc.columns_), "log": [bool(v) for v in enc.log_],
                "center": [float(v) for v in enc.center_], "scale": [float(v) for v in enc.scale_]}

    def _set_state(self, state: dict[str, Any]) -> None:
        enc = self._inner()
        enc.columns_ = list(state["columns"])
        enc.log_ = np.asarray(state["log"], dtype=bool)
        enc.center_ = np.asarray(state["center"], dtype=float)
        enc.scale_ = np.asarray(state["scale"], dtype=float)
        self.encoder_ = enc
