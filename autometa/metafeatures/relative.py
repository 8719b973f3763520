"""Relative landmarking (pymfe's ``relative``): each landmarker's rank among the landmarkers.

For every summary (``mean``, ``sd``...), the landmarking values with that summary are
ranked against each other (``scipy.stats.rankdata``, ties averaged; a NaN among them
makes that summary's ranks NaN, as in pymfe), and ``best_node.mean`` gets
``best_node.mean.relative``. As in pymfe, asking for ``relative`` without
``landmarking`` gives the ranks in place of the landmarking values; asking for both
gives both. The landmarkers are run once either way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

__all__ = ["relative_names", "relative_values"]

SUFFIX = ".relative"


def relative_names(landmarking_names: Sequence[str]) -> list[str]:
    """The relative features' names, in the landmarking names' order.

    >>> relative_names(["best_node.mean", "one_nn.mean"])
    ['best_node.mean.relative', 'one_nn.mean.relative']
    """
    return [n + SUFFIX for n in landmarking_names]


def relative_values(values: Mapping[str, float], landmarking_names: Sequence[str]) -> dict[str, float]:
    """The ranks of the landmarking ``values``, summary by summary.

    >>> relative_values({"a.mean": 0.9, "b.mean": 0.7, "a.sd": 0.1, "b.sd": 0.1}, ["a.mean", "b.mean", "a.sd", "b.sd"])
    {'a.mean.relative': 2.0, 'b.mean.relative': 1.0, 'a.sd.relative': 1.5, 'b.sd.relative': 1.5}
    """
    from scipy.stats import rankdata

    by_summary: dict[str, list[str]] = {}
    for name in landmarking_names:
        by_summary.setdefault(name.split(".", 1)[1] if "." in name else "", []).append(name)
    out: dict[str, float] = {}
    for names in by_summary.values():
        ranks = rankdata(np.array([values[n] for n in names], dtype=float), method="average")
        out.update({n + SUFFIX: float(r) for n, r in zip(names, ranks)})
    return {n + SUFFIX: out[n + SUFFIX] for n in landmarking_names}
