"""The LightGBM ranker on a learned task vector (Dataset2Vec, the feature graph, or either beside the meta-features).

Issue 7 compared the ranker on meta-features alone, on each learned representation
and on both; these factories make those learners (``get_learner("ranker_graph")``).
The encoders are torch modules: they are imported when a learner is made, not when
``autometa.metalearn`` is. Tables are read from ``$AUTOMETA_DATA_DIR`` unless
``data_dir`` is given.
"""

from __future__ import annotations

from typing import Any

from autometa.metalearn.ranker import LightGBMRanker

__all__ = ["dataset2vec_ranker", "graph_ranker", "metafeatures_dataset2vec_ranker", "metafeatures_graph_ranker"]


def _ranker(encoder: Any, params: dict[str, Any]) -> Any:
    return LightGBMRanker(encoder=encoder, **params)


def dataset2vec_ranker(*, data_dir: Any = None, objective: str = "profile", encoder_params: dict | None = None,
                       **params: Any) -> Any:
    """LightGBMRanker(encoder=Dataset2VecEncoder(objective=..., **encoder_params)); ``params`` go to the ranker.

    Examples
    --------
    >>> dataset2vec_ranker(n_estimators=50)                 # doctest: +ELLIPSIS
    LightGBMRanker(...)
    """
    from autometa.representations import Dataset2VecEncoder

    return _ranker(Dataset2VecEncoder(objective=objective, data_dir=data_dir, **(encoder_params or {})), params)


def graph_ranker(*, data_dir: Any = None, encoder_params: dict | None = None, **params: Any) -> Any:
    """LightGBMRanker(encoder=FeatureGraphEncoder(**encoder_params)); ``params`` go to the ranker."""
    from autometa.representations import FeatureGraphEncoder

    return _ranker(FeatureGraphEncoder(data_dir=data_dir, **(encoder_params or {})), params)


def metafeatures_dataset2vec_ranker(*, data_dir: Any = None, **params: Any) -> Any:
    """The ranker on meta-features and Dataset2Vec (profile) side by side."""
    from autometa.representations import (
        ConcatTaskEncoder,
        Dataset2VecEncoder,
        MetafeatureVectorEncoder,
    )

    return _ranker(ConcatTaskEncoder([MetafeatureVectorEncoder(), Dataset2VecEncoder()], data_dir=data_dir),
                   params)


def metafeatures_graph_ranker(*, data_dir: Any = None, **params: Any) -> Any:
    """The ranker on meta-features and the feature-graph vector side by side."""
    from autometa.representations import (
        ConcatTaskEncoder,
        FeatureGraphEncoder,
        MetafeatureVectorEncoder,
    )

    return _ranker(ConcatTaskEncoder([MetafeatureVectorEncoder(), FeatureGraphEncoder()], data_dir=data_dir),
                   params)
