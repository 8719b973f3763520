"""Information-theoretic meta-features of the discrete view ``C`` (see :mod:`._shared`).

Entropies are in bits. Contingency tables of every column with the target come
from one ``bincount`` over the whole matrix. Names and definitions are pymfe's,
including its smoothing: ``joint_ent``, ``class_conc`` and ``attr_conc`` add 1e-8
to every cell of the normalised contingency table (over the levels present in
each variable), so that a table with empty cells gives pymfe's value to the last
digits.

``attr_conc`` uses at most 12 columns, drawn as pymfe draws them
(``numpy.random.RandomState(random_state).choice(columns, 12, replace=False)``),
and every ordered pair of them.

For regression, the target is discretised like a numeric attribute (equal
frequency, ``int(n ** (1/3))`` bins); ``joint_ent``, ``mut_inf``, ``eq_num_attr``
and ``ns_ratio`` use those bins, and ``class_ent``/``class_conc`` become
``target_ent``/``target_conc``.
"""

from __future__ import annotations

import numpy as np

from autometa.metafeatures._engine import intermediate, metafeature
from autometa.metafeatures._shared import discretise

__all__: list[str] = []

_GROUP = "info_theory"
_SMOOTH = 1e-8
_MAX_CONC_ATTRS = 12


def _xlog2x(x: np.ndarray) -> np.ndarray:
    return x * np.log2(x)


def _entropy(counts: np.ndarray) -> float:
    """Entropy in bits of the distribution given by ``counts`` (zeros ignored), as scipy computes it."""
    p = counts[counts > 0] / counts.sum()
    return float(np.sum(-p * np.log(p)) / np.log(2))


# --------------------------------------------------------------------- intermediates
@intermediate
def C_offsets(C_levels: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(C_levels)]).astype(np.intp)


@intermediate
def attr_counts(joint_counts: np.ndarray) -> np.ndarray:
    """Counts of every level of every column of ``C``, stacked (split by ``C_offsets``)."""
    return joint_counts.sum(axis=1)


@intermediate
def attr_entropies(attr_counts: np.ndarray, C_offsets: np.ndarray, C: np.ndarray) -> np.ndarray:
    n = C.shape[0]
    p = attr_counts / n
    terms = np.zeros_like(p)
    nz = p > 0
    terms[nz] = -p[nz] * np.log(p[nz])
    return np.add.reduceat(terms, C_offsets[:-1]) / np.log(2) if C.shape[1] else np.zeros(0)


@intermediate
def target_codes(kind: str | None, y: np.ndarray | None) -> np.ndarray | None:
    """Class codes; the discretised target for regression; None without a target."""
    if y is None:
        return None
    if kind == "regression":
        col = y[:, None]
        codes, _ = discretise(col, np.sort(col, axis=0))
        return np.unique(codes[:, 0], return_inverse=True)[1].astype(np.intp)
    return y


@intermediate
def target_freqs(target_codes: np.ndarray) -> np.ndarray:
    return np.bincount(target_codes)


@intermediate
def target_entropy(target_freqs: np.ndarray) -> float:
    return _entropy(target_freqs)


@intermediate
def joint_counts(C: np.ndarray, C_offsets: np.ndarray, target_codes: np.ndarray | None) -> np.ndarray:
    """Contingency tables of every column of ``C`` with the target, in one ``bincount``.

    Shape ``(sum of the columns' levels, target levels)``; one target level when
    there is no target, so that the row sums are the level counts either way.
    """
    k = 1 if target_codes is None else int(target_codes.max()) + 1
    out = np.empty((int(C_offsets[-1]), k), dtype=np.intp)
    idx = np.empty(C.shape[0], dtype=np.intp)
    for j in range(C.shape[1]):  # column by column: the temporaries stay in cache
        np.multiply(C[:, j], k, out=idx)
        if target_codes is not None:
            idx += target_codes
        lo, hi = C_offsets[j], C_offsets[j + 1]
        out[lo:hi] = np.bincount(idx, minlength=int(hi - lo) * k).reshape(-1, k)
    return out


@intermediate
def joint_entropies(joint_counts: np.ndarray, attr_counts: np.ndarray, C_offsets: np.ndarray,
                    C: np.ndarray, target_freqs: np.ndarray) -> np.ndarray:
    n = C.shape[0]
    m = C.shape[1]
    if m == 0:
        return np.zeros(0)
    p = joint_counts / n
    cell = np.where(p > 0, _xlog2x(p + _SMOOTH), 0.0).sum(axis=1)
    per_col = np.add.reduceat(cell, C_offsets[:-1])
    # empty cells inside the grid of levels present: each contributes f(1e-8)
    levels_present = np.add.reduceat((attr_counts > 0).astype(np.intp), C_offsets[:-1])
    nonzero = np.add.reduceat(np.count_nonzero(joint_counts, axis=1), C_offsets[:-1])
    empty = levels_present * np.count_nonzero(target_freqs) - nonzero
    return -(per_col + empty * _xlog2x(np.asarray(_SMOOTH)))


@intermediate
def mutual_information(attr_entropies: np.ndarray, target_entropy: float,
                       joint_entropies: np.ndarray) -> np.ndarray:
    return attr_entropies + target_entropy - joint_entropies


@intermediate
def target_concentrations(joint_counts: np.ndarray, attr_counts: np.ndarray, C_offsets: np.ndarray,
                          C: np.ndarray) -> np.ndarray:
    n = C.shape[0]
    out = np.empty(C.shape[1])
    for j in range(C.shape[1]):
        lo, hi = C_offsets[j], C_offsets[j + 1]
        table = joint_counts[lo:hi][attr_counts[lo:hi] > 0]
        out[j] = _concentration(table[:, table.sum(axis=0) > 0], n)
    return out


def _concentration(table: np.ndarray, n: int) -> float:
    """Goodman and Kruskal's concentration of the column variable given the row variable (pymfe's)."""
    pij = table / n + _SMOOTH
    isum = pij.sum(axis=0)
    jsum2 = np.sum(pij.sum(axis=1) ** 2)
    return float((np.sum(pij**2 / isum) - jsum2) / (1.0 - jsum2))


# ----------------------------------------------------------------------- features
@metafeature(_GROUP, summarised=True)
def attr_conc(C: np.ndarray, C_levels: np.ndarray, random_state: int) -> np.ndarray:
    n, m = C.shape
    cols = np.arange(m)
    if m > _MAX_CONC_ATTRS:
        cols = np.random.RandomState(random_state).choice(cols, size=_MAX_CONC_ATTRS, replace=False)
    out: dict[tuple[int, int], float] = {}
    pairs = [int(c) for c in cols]
    idx = np.empty(n, dtype=np.intp)
    for ia, a in enumerate(pairs):
        for b in pairs[ia + 1:]:
            lb = int(C_levels[b])
            np.multiply(C[:, a], lb, out=idx)
            idx += C[:, b]
            table = np.bincount(idx, minlength=int(C_levels[a]) * lb).reshape(-1, lb)
            table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
            out[a, b] = _concentration(table, n)
            out[b, a] = _concentration(table.T, n)
    # pymfe's order: every ordered pair of the drawn columns
    return np.array([out[a, b] for a in pairs for b in pairs if a != b])


@metafeature(_GROUP, summarised=True)
def attr_ent(attr_entropies: np.ndarray) -> np.ndarray:
    return attr_entropies


@metafeature(_GROUP, target="class", summarised=True)
def class_conc(target_concentrations: np.ndarray) -> np.ndarray:
    return target_concentrations


@metafeature(_GROUP, target="class")
def class_ent(target_entropy: float) -> float:
    return target_entropy


@metafeature(_GROUP, target="supervised")
def eq_num_attr(mutual_information: np.ndarray, target_entropy: float) -> float:
    total = np.sum(mutual_information)
    return float(mutual_information.size * target_entropy / total) if total else np.nan


@metafeature(_GROUP, target="supervised", summarised=True)
def joint_ent(joint_entropies: np.ndarray) -> np.ndarray:
    return joint_entropies


@metafeature(_GROUP, target="supervised", summarised=True)
def mut_inf(mutual_information: np.ndarray) -> np.ndarray:
    return mutual_information


@metafeature(_GROUP, target="supervised")
def ns_ratio(attr_entropies: np.ndarray, mutual_information: np.ndarray) -> float:
    total = np.sum(mutual_information)
    return float((np.sum(attr_entropies) - total) / total) if total else np.nan


@metafeature(_GROUP, target="regression", summarised=True)
def target_conc(target_concentrations: np.ndarray) -> np.ndarray:
    return target_concentrations


@metafeature(_GROUP, target="regression")
def target_ent(target_entropy: float) -> float:
    return target_entropy
