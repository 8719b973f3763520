"""Meta-features: describe a tabular task as a vector, pymfe-compatible and fast.

:func:`extract_metafeatures` (or :class:`MetaFeatureExtractor`) returns a float
Series named as pymfe names its features (``nr_inst``, ``cor.mean``,
``attr_ent.sd``, ``best_node.mean``...); :func:`feature_names` lists the names for
given groups, summaries and task kind without data. The groups, one module each:

- :mod:`~autometa.metafeatures.general` - sizes, ratios, types, class counts
- :mod:`~autometa.metafeatures.statistical` - moments, correlations, canonical correlations
- :mod:`~autometa.metafeatures.info_theory` - entropies, mutual information, concentration
- :mod:`~autometa.metafeatures.model_based` - the shape of a decision tree
- :mod:`~autometa.metafeatures.itemset` - frequencies of values and value pairs of the discrete view
- :mod:`~autometa.metafeatures.landmarking` - cross-validated scores of small models
- :mod:`~autometa.metafeatures.clustering` - how well the classes separate as clusters
- :mod:`~autometa.metafeatures.concept` - how the target varies between close rows
- :mod:`~autometa.metafeatures.complexity` - how hard the classes are to separate
- :mod:`~autometa.metafeatures.relative` - the landmarkers' ranks

A feature is a small function registered with
:func:`~autometa.metafeatures._engine.metafeature`; its parameter names say what it
needs, and shared intermediate values are computed once per extraction.

>>> from autometa.metafeatures import GROUPS
>>> GROUPS
('general', 'statistical', 'info_theory', 'itemset', 'model_based', 'landmarking', 'clustering', 'concept', 'complexity', 'relative')
"""

from __future__ import annotations

# importing the group modules registers their features
from autometa.metafeatures import (  # noqa: F401
    _shared,
    clustering,
    complexity,
    concept,
    general,
    info_theory,
    itemset,
    landmarking,
    model_based,
    statistical,
)
from autometa.metafeatures._engine import GROUPS, TASK_VECTOR_GROUPS
from autometa.metafeatures._extractor import (
    MetaFeatureExtractor,
    extract_metafeatures,
    feature_names,
)
from autometa.metafeatures._summary import DEFAULT_SUMMARY, SUMMARIES

__all__ = [
    "DEFAULT_SUMMARY",
    "GROUPS",
    "SUMMARIES",
    "TASK_VECTOR_GROUPS",
    "MetaFeatureExtractor",
    "extract_metafeatures",
    "feature_names",
]
