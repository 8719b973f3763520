"""Optuna searches: warm starts from recommendations, and the loop behind ``autometa.fit``.

Offers :func:`warm_start` (enqueue recommended configurations into any
``optuna.Study``, matching its parameter names), :func:`run_search` (a
time-budgeted, pruned, resumable search over the conditional space of every
pipeline family, warm-started, with the best pipeline refitted) and the
:func:`conditional_space` it searches.

>>> from autometa.search import conditional_space
>>> sorted(conditional_space("binary", ["linear"]))
['family', 'linear_C']
"""

from __future__ import annotations

from autometa.search._budget import Budget
from autometa.search._space import FAMILY_PARAM, conditional_space, split_params, suggest_pipeline
from autometa.search._validation import check_cv
from autometa.search.loop import SearchResult, run_search
from autometa.search.warm_start import read_search_space, warm_start

__all__ = [
    "Budget",
    "FAMILY_PARAM",
    "SearchResult",
    "check_cv",
    "conditional_space",
    "read_search_space",
    "run_search",
    "split_params",
    "suggest_pipeline",
    "warm_start",
]
