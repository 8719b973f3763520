"""Task representations: a task in, a fixed-length vector out, for the meta-learners.

- :class:`TaskEncoder`: the interface (``fit(tasks, knowledge_base)``,
  ``transform(task)``, ``save``/``load``, ``dim``);
- :class:`MetafeatureVectorEncoder`: scaled hand-made meta-features (the baseline);
- :class:`Dataset2VecEncoder`: a permutation-invariant set encoder of the raw table;
- :class:`FeatureGraphEncoder`: a graph neural network over the feature graph;
- :class:`ConcatTaskEncoder`: several side by side;
- :func:`load_encoder`: read a saved one (the shipped ones live in ``metadata/``).

Any encoder plugs into :class:`autometa.metalearn.LightGBMRanker` (``encoder=``).
torch is imported only when a learned encoder is fitted, used or loaded.

>>> from autometa.representations import ENCODERS
>>> sorted(ENCODERS)
['concat', 'dataset2vec', 'graph', 'metafeatures']
"""

from __future__ import annotations

from typing import Any

from autometa.representations._base import ENCODER_FORMAT, TaskEncoder
from autometa.representations._tables import PreparedTable, prepare_table
from autometa.representations.concat import ConcatTaskEncoder
from autometa.representations.dataset2vec import Dataset2VecEncoder
from autometa.representations.graph import FeatureGraphEncoder
from autometa.representations.metafeature import MetafeatureVectorEncoder

__all__ = [
    "ENCODERS",
    "ENCODER_FORMAT",
    "ConcatTaskEncoder",
    "Dataset2VecEncoder",
    "FeatureGraphEncoder",
    "MetafeatureVectorEncoder",
    "PreparedTable",
    "TaskEncoder",
    "load_encoder",
    "prepare_table",
]

#: encoder name -> class
ENCODERS: dict[str, type[TaskEncoder]] = {
    "metafeatures": MetafeatureVectorEncoder,
    "dataset2vec": Dataset2VecEncoder,
    "graph": FeatureGraphEncoder,
    "concat": ConcatTaskEncoder,
}


def load_encoder(path: Any, *, data_dir: str | None = None) -> TaskEncoder:
    """Read any encoder written by :meth:`TaskEncoder.save`.

    Examples
    --------
    >>> enc = load_encoder("metadata/encoder-dataset2vec.pt")     # doctest: +SKIP
    """
    return TaskEncoder.load(path, data_dir=data_dir)
