"""The LightGBM ranker with a learned task vector, as factories a learner registry can name.

``autometa.metalearn.recommend.LEARNERS`` maps a name to ``("module:callable", kwargs)``;
these callables make the entries for the learned representations possible without
metalearn importing this package (``"autometa.representations.learners:dataset2vec_ranker"``).
Tables are read from ``$AUTOMETA_DATA_DIR`` unless ``data_dir`` is given.
"""

from __future__ import annotations

from typing import Any

from autometa.representations.concat import ConcatTaskEncoder
from autometa.representations.dataset2vec import Dataset2VecEncoder
from autometa.representations.graph import FeatureGraphEncoder
from autometa.representations.metafeature import MetafeatureVectorEncoder

__all__ = ["dataset2vec_ranker", "graph_ranker", "metafeatures_dataset2vec_ranker", "metafeatures_graph_ranker"]


def _ranker(encoder: Any, params: dict[str, Any]) -> Any:
    from autometa.metalearn import LightGBMRanker

    return LightGBMRanker(encoder=encoder, **params)


def dataset2vec_ranker(*, data_dir: Any = None, objective: str = "profile", encoder_params: dict | None = None,
                       **params: Any) -> Any:
    """LightGBMRanker(encoder=Dataset2VecEncoder(objective=..., **encoder_params)); ``params`` go to the ranker.

    Examples
    --------
    >>> dataset2vec_ranker(n_estimators=50)                 # doctest: +ELLIPSIS
    LightGBMRanker(...)
    """
    return _ranker(Dataset2VecEncoder(objective=objective, data_dir=data_dir, **(encoder_params or {})), params)


def graph_ranker(*, data_dir: Any = None, encoder_params: dict | None = None, **params: Any) -> Any:
    """LightGBMRanker(encoder=FeatureGraphEncoder(**encoder_params)); ``params`` go to the ranker."""
    return _ranker(FeatureGraphEncoder(data_dir=data_dir, **(encoder_params or {})), params)


def metafeatures_dataset2vec_ranker(*, data_dir: Any = None, **params: Any) -> Any:
    """The ranker on meta-features and Dataset2Vec (profile) side by side."""
    return _ranker(ConcatTaskEncoder([MetafeatureVectorEncoder(), Dataset2VecEncoder()], data_dir=data_dir),
                   params)


def metafeatures_graph_ranker(*, data_dir: Any = None, **params: Any) -> Any:
    """The ranker on meta-features and the feature-graph vector side by side."""
    return _ranker(ConcatTaskEncoder([MetafeatureVectorEncoder(), FeatureGraphEncoder()], data_dir=data_dir),
                   params)
