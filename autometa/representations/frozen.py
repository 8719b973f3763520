"""A fitted encoder whose ``fit`` does nothing: pretrained weights inside a meta-learner."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["FrozenEncoder"]


class FrozenEncoder:
    """Wrap a fitted encoder so that a meta-learner's ``fit`` keeps its weights.

    :class:`~autometa.metalearn.LightGBMRanker` fits (a copy of) its encoder on its
    training datasets; wrapping the shipped, pretrained encoder stops that.

    Parameters
    ----------
    encoder : TaskEncoder
        A fitted encoder (e.g. from :func:`~autometa.representations.load_encoder`).

    Examples
    --------
    >>> from autometa.metalearn import LightGBMRanker                      # doctest: +SKIP
    >>> LightGBMRanker(encoder=FrozenEncoder(load_encoder("dataset2vec")))   # doctest: +SKIP
    """

    def __init__(self, encoder: Any) -> None:
        self.encoder = encoder

    def fit(self, *args: Any, **kwargs: Any) -> FrozenEncoder:
        """Nothing to learn: the wrapped encoder is already fitted."""
        return self

    def transform(self, task: Any) -> np.ndarray:
        return self.encoder.transform(task)

    def transform_knowledge_base(self, knowledge_base: Any) -> pd.DataFrame:
        return self.encoder.transform_knowledge_base(knowledge_base)

    @property
    def dim(self) -> int:
        return int(self.encoder.dim)

    def __repr__(self) -> str:
        return f"FrozenEncoder({self.encoder!r})"
