"""Several encoders side by side: their vectors concatenated."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd

from autometa.exceptions import DataError
from autometa.representations._base import TaskEncoder, encoder_class

__all__ = ["ConcatTaskEncoder"]


class ConcatTaskEncoder(TaskEncoder):
    """Concatenate the vectors of several :class:`TaskEncoder` (e.g. meta-features + a learned one).

    Parameters
    ----------
    encoders : list of TaskEncoder
        Fitted together by :meth:`fit`, in order (None only when loading a saved one).
    data_dir : str, optional
        Passed on to the parts that have none.
    seed : int
        Unused (each part has its own); kept for a uniform interface.

    Examples
    --------
    >>> from autometa.representations import Dataset2VecEncoder, MetafeatureVectorEncoder
    >>> enc = ConcatTaskEncoder([MetafeatureVectorEncoder(), Dataset2VecEncoder()])
    """

    name: ClassVar[str] = "concat"

    def __init__(self, encoders: list[TaskEncoder] | None = None, *, data_dir: str | None = None, seed: int = 0) -> None:
        self.encoders = encoders
        if data_dir is not None:
            self.data_dir = data_dir
        self.seed = seed

    @property
    def data_dir(self) -> Any:
        """Where names are looked up; setting it sets it on every part too."""
        return self.__dict__.get("_data_dir")

    @data_dir.setter
    def data_dir(self, value: Any) -> None:
        self.__dict__["_data_dir"] = value
        for enc in self.__dict__.get("encoders") or []:
            enc.data_dir = value

    @property
    def needs_scores(self) -> bool:  # type: ignore[override]
        return any(e.needs_scores for e in (self.encoders or []))

    def fit(self, tasks: Any, knowledge_base: Any = None) -> ConcatTaskEncoder:
        if not self.encoders:
            raise DataError("ConcatTaskEncoder needs at least one encoder.")
        for enc in self.encoders or []:
            if enc.data_dir is None:
                enc.data_dir = self.data_dir
        for enc in self.encoders or []:
            enc.fit(tasks, knowledge_base)
        self.dim_ = sum(e.dim for e in (self.encoders or []))
        return self

    def _fit(self, tasks: list[Any], knowledge_base: Any) -> None:  # pragma: no cover - fit is overridden
        raise NotImplementedError

    def transform(self, task: Any) -> np.ndarray:
        self._check_fitted()
        return np.concatenate([e.transform(task) for e in self.encoders or []])

    def transform_knowledge_base(self, knowledge_base: Any) -> pd.DataFrame:
        self._check_fitted()
        parts = [e.transform_knowledge_base(knowledge_base) for e in self.encoders or []]
        frame = pd.concat([p.set_axis(range(p.shape[1]), axis=1) for p in parts], axis=1)
        frame.columns = range(frame.shape[1])
        return frame

    def _encode(self, task: Any) -> np.ndarray:  # pragma: no cover - transform is overridden
        return self.transform(task)

    def get_params(self) -> dict[str, Any]:
        return {"encoders": self.encoders, "data_dir": self.data_dir, "seed": self.seed}

    def save(self, path: Any) -> Any:
        import torch

        from autometa.representations._base import ENCODER_FORMAT

        self._check_fitted()
        parts = [{"class": type(e).__name__,
                  "params": {k: v for k, v in e.get_params().items() if k != "data_dir"},
                  "dim": int(e.dim), "state": e._get_state()} for e in self.encoders or []]
        payload = {"format": ENCODER_FORMAT, "class": type(self).__name__, "params": {"seed": self.seed},
                   "dim": int(self.dim_), "state": {"parts": parts}}
        from pathlib import Path

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save(payload, path)
        return path

    def _get_state(self) -> dict[str, Any]:  # pragma: no cover - save is overridden
        raise NotImplementedError

    def _set_state(self, state: dict[str, Any]) -> None:
        encoders = []
        for part in state["parts"]:
            klass: Any = encoder_class(part["class"])
            enc = klass(**part["params"], data_dir=self.data_dir)
            enc._set_state(part["state"])
            enc.dim_ = int(part["dim"])
            encoders.append(enc)
        self.encoders = encoders
