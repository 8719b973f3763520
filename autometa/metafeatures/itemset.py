"""Itemset meta-features of the discrete view ``C`` (pymfe's ``itemset``; Song et al. 2012).

Each attribute of ``C`` (categoricals, then the numeric attributes discretised as for
the information-theoretic group) is one-hot encoded over the values present:

- ``one_itemset``: the share of rows holding each value, attribute by attribute (summarised);
- ``two_itemset``: for every pair of attributes and every pair of their values (``a``
  of the first, ``b`` of the second), the share of rows where exactly one of the two
  holds: ``(n_a + n_b - 2 n_ab) / n`` (pymfe counts a logical XOR), in pymfe's order.

Both from contingency tables (one ``bincount`` per pair of attributes) instead of
pymfe's Python loops over value pairs.
"""

from __future__ import annotations

import numpy as np

from autometa.metafeatures._engine import metafeature

__all__: list[str] = []

_GROUP = "itemset"


@metafeature(_GROUP, summarised=True)
def one_itemset(attr_counts: np.ndarray, C: np.ndarray) -> np.ndarray:
    return attr_counts[attr_counts > 0] / C.shape[0]


@metafeature(_GROUP, summarised=True)
def two_itemset(C: np.ndarray, C_levels: np.ndarray, attr_counts: np.ndarray, C_offsets: np.ndarray) -> np.ndarray:
    n, m = C.shape
    parts = []
    idx = np.empty(n, dtype=np.intp)
    for a in range(m):
        count_a = attr_counts[C_offsets[a]:C_offsets[a + 1]]
        present_a = count_a > 0
        for b in range(a + 1, m):
            lb = int(C_levels[b])
            count_b = attr_counts[C_offsets[b]:C_offsets[b + 1]]
            present_b = count_b > 0
            np.multiply(C[:, a], lb, out=idx)
            idx += C[:, b]
            table = np.bincount(idx, minlength=int(C_levels[a]) * lb).reshape(-1, lb)
            xor = count_a[:, None] + count_b[None, :] - 2 * table
            parts.append(xor[present_a][:, present_b].ravel())
    return np.concatenate(parts) / n if parts else np.zeros(0)
