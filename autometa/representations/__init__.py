"""Task representations: a task in, a fixed-length vector out, for the meta-learners.

- :class:`TaskEncoder`: the interface (``fit(tasks, knowledge_base)``,
  ``transform(task)``, ``save``/``load``, ``dim``);
- :class:`MetafeatureVectorEncoder`: scaled hand-made meta-features (the baseline);
- :class:`Dataset2VecEncoder`: a permutation-invariant set encoder of the raw table;
- :class:`FeatureGraphEncoder`: a graph neural network over the feature graph;
- :class:`ConcatTaskEncoder`: several side by side;
- :class:`FrozenEncoder`: a pretrained encoder that a meta-learner uses without refitting;
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
from autometa.representations.frozen import FrozenEncoder
from autometa.representations.graph import FeatureGraphEncoder
from autometa.representations.metafeature import MetafeatureVectorEncoder

__all__ = [
    "ENCODERS",
    "ENCODER_FORMAT",
    "ConcatTaskEncoder",
    "Dataset2VecEncoder",
    "FeatureGraphEncoder",
    "FrozenEncoder",
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

    ``path`` is a file, or the name of a shipped one (``"dataset2vec"``,
    ``"dataset2vec-same"``, ``"graph"``, ``"metafeatures"``: the
    ``encoder-NAME.pt`` files ``autometa metadata train-encoders`` wrote into the
    shipped knowledge base, described by its ``encoders.json``).

    Examples
    --------
    >>> enc = load_encoder("dataset2vec")                         # doctest: +SKIP
    >>> enc.transform(task).shape                                 # doctest: +SKIP
    (16,)
    """
    from pathlib import Path

    if isinstance(path, str) and not path.endswith(".pt") and Path(path).name == path:
        from autometa._paths import shipped_metadata_path

        path = shipped_metadata_path() / f"encoder-{path}.pt"
    return TaskEncoder.load(path, data_dir=data_dir)
