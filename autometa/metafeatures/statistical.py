"""Statistical meta-features of the numeric view ``N`` (see :mod:`._shared`).

Per-attribute statistics are computed for all columns at once from one sorted copy
and one centred copy of ``N``; pairwise ones from one covariance matrix. Names and
definitions are pymfe's, with these differences (all where pymfe returns NaN, an
error, or a value that depends on a bug):

* ``cor``: pairs with a constant column are undefined and left out of the
  summaries (pymfe's ``cor.mean`` is then NaN). ``nr_cor_attr`` counts them as not
  correlated, like pymfe.
* ``can_cor`` (and ``nr_disc``, ``w_lambda``, ``p_trace``, ``lh_trace``,
  ``roy_root``): exact canonical correlations between ``N`` (constant columns left
  out) and the one-hot class matrix; there are ``min(rank(N), classes - 1)`` of
  them. On rank-deficient or near-collinear ``N`` they are computed from the data
  (a QR decomposition), with NumPy's ``matrix_rank`` rule for a direction that is
  absent (a singular value at most ``max(rows, columns) * eps`` times the largest):
  a near-dependent direction that is not exactly dependent is kept, and its
  canonical correlations are the exact ones (checked against 50-digit arithmetic
  in tests/metafeatures/test_mf_exact.py). pymfe runs scikit-learn's iterative
  ``CCA`` (tolerance 1e-6) for ``min(columns, classes - 1)`` components, so the two
  agree to about 1e-6 on full-rank, well-conditioned data only.
* ``sd_ratio``: Box's M statistic with log-determinants from ``slogdet`` and each
  class's covariance matrix weighted by its own ``n_i - 1``. pymfe 0.4.4 flips the
  stack of class matrices (``np.flip(axis=(0, 1))``), which pairs the matrices with
  the weights of the classes in reverse order and reverses their rows, so its
  determinants change sign when ``columns mod 4`` is 2 or 3 (then it returns
  NaN); the two agree when classes have equal sizes and ``columns mod 4`` is 0 or 1.
* ``eigenvalues`` of a single column is its variance (pymfe fails).
* ``g_mean`` and ``h_mean`` are undefined for a column with a negative value; that
  column is left out of their summaries (a zero makes a column's means 0, as in
  pymfe). pymfe 0.4.4 returns NaN for every summary when any column has a negative
  value, which on most real tables leaves the two features empty. Which columns
  enter is pymfe's rule otherwise: numeric columns and the encoded categoricals.

For regression, the class-based features (``can_cor`` and the four statistics
built on it, ``gravity``, ``nr_disc``, ``sd_ratio``) are replaced by statistics of
the target: ``target_mean``, ``target_sd``, ``target_skewness``,
``target_kurtosis`` and ``target_cor`` (absolute Pearson correlation of each
column of ``N`` with the target, summarised).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.stats

from autometa.metafeatures._engine import intermediate, metafeature
from autometa.metafeatures._shared import linear_quantiles_sorted

__all__: list[str] = []

_GROUP = "statistical"
_EPS = np.finfo(float).eps
# the correlation matrix's smallest eigenvalue over its largest above which canonical correlations come from it
# (condition number at most 1e6: about 1e-10 accurate); below it, from the data (see can_cors)
_WELL_CONDITIONED = 1e-6
# rows shapiro-wilk is run on (scipy's approximation is meant for at most 5,000)
_NORMALITY_ROWS = 5000


# --------------------------------------------------------------------- intermediates
@intermediate
def N_centered(N: np.ndarray) -> dict[str, np.ndarray]:
    """Column means and the column-centred ``N``."""
    mean = N.mean(axis=0)
    dev = np.empty(N.shape, order="F")
    for j in range(N.shape[1]):  # column by column: each stays in cache
        np.subtract(N[:, j], mean[j], out=dev[:, j])
    return {"mean": mean, "dev": dev}


@intermediate
def N_moments(N_centered: dict[str, np.ndarray]) -> dict[str, Any]:
    """Biased central moments 2-4 of every column, and which columns are constant."""
    dev = N_centered["dev"]
    n = dev.shape[0]
    sq = dev * dev
    ss = sq.sum(axis=0)
    m2 = ss / n
    m3 = np.einsum("ij,ij->j", sq, dev) / n
    m4 = np.einsum("ij,ij->j", sq, sq) / n
    mean = N_centered["mean"]
    # scipy's test for "too close to constant for a moment ratio to mean anything"
    constant = m2 <= (_EPS * mean) ** 2
    return {"m2": m2, "m3": m3, "m4": m4, "constant": constant, "ss": ss, "n": n}


@intermediate
def cov_mat(N_centered: dict[str, np.ndarray]) -> np.ndarray:
    dev = N_centered["dev"]
    if dev.shape[0] < 2:
        raise ValueError("a covariance needs at least two rows")
    return (dev.T @ dev) / (dev.shape[0] - 1)


@intermediate
def cor_mat(cov_mat: np.ndarray) -> np.ndarray:
    # the same operations as numpy.corrcoef
    sd = np.sqrt(np.diag(cov_mat))
    c = cov_mat / sd[:, None]
    c /= sd[None, :]
    return np.clip(c, -1, 1)


@intermediate
def abs_cor_pairs(cor_mat: np.ndarray) -> np.ndarray:
    return np.abs(cor_mat[np.tril_indices(cor_mat.shape[0], k=-1)])


@intermediate
def class_stats(N: np.ndarray, y: np.ndarray, class_freqs: np.ndarray,
                class_onehot: np.ndarray) -> dict[str, np.ndarray]:
    """Per-class sums and means of ``N``."""
    sums = class_onehot.T @ N
    return {"sums": sums, "means": sums / class_freqs[:, None]}


@intermediate
def can_cors(N_centered: dict[str, np.ndarray], cov_mat: np.ndarray, class_freqs: np.ndarray,
             class_onehot: np.ndarray) -> np.ndarray:
    """Canonical correlations between ``N`` and the classes, largest first.

    Well-conditioned ``N`` (the correlation matrix's smallest eigenvalue at least
    :data:`_WELL_CONDITIONED` of its largest): from the eigen-decomposition of the
    correlation matrix, accurate to about 1e-10 there. Otherwise the correlation
    matrix has squared away the small directions, so the canonical correlations
    come from the data: an orthonormal basis of the standardised columns (a QR
    decomposition, then the SVD of its triangle), a direction counting as absent
    when its singular value is at most ``max(rows, columns) * eps`` times the
    largest (NumPy's ``matrix_rank`` rule), then the singular values of that basis
    against one of the centred class indicators (Bjorck and Golub, 1973).
    """
    n = N_centered["dev"].shape[0]
    sd = np.sqrt(np.diag(cov_mat))
    keep = sd > 0
    if not keep.any():
        return np.zeros(0)
    f = class_freqs[1:].astype(float)
    syy = (np.diag(f) - np.outer(f, f) / n) / (n - 1)
    wy, Vy = np.linalg.eigh(syy)
    if wy.min() <= 0:
        raise ValueError("class indicator covariance is singular")
    corr = cov_mat[np.ix_(keep, keep)] / np.outer(sd[keep], sd[keep])
    w, V = np.linalg.eigh(corr)
    if w.min() >= _WELL_CONDITIONED * w.max():
        Wx = V / np.sqrt(w)
        # cross-covariance of the standardised columns with the one-hot classes (first dropped)
        cross = (class_onehot[:, 1:].T @ N_centered["dev"]).T[keep] / sd[keep][:, None] / (n - 1)
        r = np.linalg.svd(Wx.T @ cross @ (Vy / np.sqrt(wy)), compute_uv=False)
        return np.clip(r, 0.0, 1.0)
    X = N_centered["dev"][:, keep] / sd[keep]
    Q, R = np.linalg.qr(X)
    Ur, s, _ = np.linalg.svd(R)
    basis = Q @ Ur[:, s > max(X.shape) * _EPS * s[0]]
    Qy, _ = np.linalg.qr(class_onehot[:, 1:] - f / n)
    return np.clip(np.linalg.svd(basis.T @ Qy, compute_uv=False), 0.0, 1.0)


@intermediate
def can_cor_eigvals(can_cors: np.ndarray) -> np.ndarray:
    sq = np.square(can_cors)
    return sq / (1 - sq)


# ------------------------------------------------------------------ features on N
@metafeature(_GROUP, target="class", summarised=True)
def can_cor(can_cors: np.ndarray) -> np.ndarray:
    return can_cors


@metafeature(_GROUP, summarised=True)
def cor(abs_cor_pairs: np.ndarray) -> np.ndarray:
    return abs_cor_pairs


@metafeature(_GROUP, summarised=True)
def cov(cov_mat: np.ndarray) -> np.ndarray:
    return np.abs(cov_mat[np.tril_indices(cov_mat.shape[0], k=-1)])


@metafeature(_GROUP, summarised=True)
def eigenvalues(cov_mat: np.ndarray) -> np.ndarray:
    return np.linalg.eigvalsh(cov_mat)


@metafeature(_GROUP, summarised=True)
def g_mean(N: np.ndarray, N_sorted: np.ndarray) -> np.ndarray:
    mins = N_sorted[0]
    out = np.full(N.shape[1], np.nan)
    out[(mins >= 0) & (mins < 1e-10)] = 0.0  # pymfe: a zero makes the geometric mean 0
    valid = mins >= 1e-10
    if valid.any():
        out[valid] = np.exp(np.mean(np.log(N[:, valid]), axis=0))
    return out


@metafeature(_GROUP, summarised=True)
def h_mean(N: np.ndarray, N_sorted: np.ndarray) -> np.ndarray:
    mins = N_sorted[0]
    out = np.where(mins < 0, np.nan, 0.0)  # undefined with negative values; a zero makes it 0
    valid = mins > 0
    if valid.any():
        out[valid] = 1.0 / np.mean(1.0 / (N if valid.all() else N[:, valid]), axis=0)
    return out


@metafeature(_GROUP, summarised=True)
def iq_range(N_sorted: np.ndarray) -> np.ndarray:
    q1, q3 = linear_quantiles_sorted(N_sorted, np.array([0.25, 0.75]))
    return q3 - q1


@metafeature(_GROUP, summarised=True)
def kurtosis(N_moments: dict[str, np.ndarray]) -> np.ndarray:
    return _kurtosis(N_moments)


@metafeature(_GROUP, summarised=True)
def mad(N: np.ndarray, N_sorted: np.ndarray) -> np.ndarray:
    """Median absolute deviation times 1.4826, as scipy's ``median_abs_deviation(scale=1/1.4826)``."""
    med = _median_sorted(N_sorted)
    out = np.array([_median_abs_dev_sorted(N_sorted[:, j], med[j]) for j in range(N.shape[1])])
    return out / (1.0 / 1.4826)


@metafeature(_GROUP, summarised=True, name="max")
def max_(N_sorted: np.ndarray) -> np.ndarray:
    return N_sorted[-1].copy()


@metafeature(_GROUP, summarised=True)
def mean(N_centered: dict[str, np.ndarray]) -> np.ndarray:
    return N_centered["mean"]


@metafeature(_GROUP, summarised=True)
def median(N_sorted: np.ndarray) -> np.ndarray:
    return _median_sorted(N_sorted)


@metafeature(_GROUP, summarised=True, name="min")
def min_(N_sorted: np.ndarray) -> np.ndarray:
    return N_sorted[0].copy()


@metafeature(_GROUP)
def nr_cor_attr(abs_cor_pairs: np.ndarray, cov_mat: np.ndarray) -> float:
    p = cov_mat.shape[0]
    if p < 2:
        return np.nan
    return np.count_nonzero(abs_cor_pairs >= 0.5) * 2.0 / (p * (p - 1.0))


@metafeature(_GROUP, target="class")
def nr_disc(can_cors: np.ndarray) -> float:
    return can_cors.size


@metafeature(_GROUP)
def nr_norm(N: np.ndarray) -> float:
    """Columns whose Shapiro-Wilk p-value on the first 5,000 rows exceeds 0.05."""
    _, p = scipy.stats.shapiro(N[:_NORMALITY_ROWS], axis=0)
    return float(np.count_nonzero(np.asarray(p) > 0.05))


@metafeature(_GROUP)
def nr_outliers(N_sorted: np.ndarray) -> float:
    q1, q3 = linear_quantiles_sorted(N_sorted, np.array([0.25, 0.75]))
    whis = 1.5 * (q3 - q1)
    return int(np.count_nonzero((q1 - whis > N_sorted[0]) | (q3 + whis < N_sorted[-1])))


@metafeature(_GROUP, summarised=True, name="range")
def range_(N_sorted: np.ndarray) -> np.ndarray:
    return N_sorted[-1] - N_sorted[0]


@metafeature(_GROUP, summarised=True)
def sd(N_moments: dict[str, np.ndarray]) -> np.ndarray:
    return np.sqrt(_var(N_moments))


@metafeature(_GROUP, target="class")
def sd_ratio(N: np.ndarray, y: np.ndarray, class_freqs: np.ndarray) -> float:
    """SD ratio from Box's M test of equal class covariance matrices."""
    n, p = N.shape
    k = class_freqs.size
    weights = class_freqs - 1.0
    if np.any(weights <= 0) or n <= k:
        return np.nan
    pooled = np.zeros((p, p))
    logdets = np.empty(k)
    for c in range(k):
        Xc = N[y == c]
        Xc = Xc - Xc.mean(axis=0)
        S = (Xc.T @ Xc) / weights[c]
        pooled += Xc.T @ Xc
        sign, logdets[c] = np.linalg.slogdet(S)
        if sign <= 0:
            return np.nan
    pooled /= n - k
    sign, logdet_pooled = np.linalg.slogdet(pooled)
    if sign <= 0:
        return np.nan
    gamma = 1.0 - (2.0 * p**2 + 3.0 * p - 1.0) / (6.0 * (p + 1.0) * (k - 1.0)) * (
        np.sum(1.0 / weights) - 1.0 / (n - k))
    m_stat = gamma * ((n - k) * logdet_pooled - np.dot(weights, logdets))
    if not np.isfinite(m_stat):
        return np.nan
    return float(np.exp(m_stat / (p * (n - k))))


@metafeature(_GROUP, summarised=True)
def skewness(N_moments: dict[str, np.ndarray]) -> np.ndarray:
    return _skewness(N_moments)


@metafeature(_GROUP, summarised=True)
def sparsity(attr_nunique: np.ndarray, N: np.ndarray) -> np.ndarray:
    n = N.shape[0]
    return (n / attr_nunique - 1.0) / (n - 1.0)


@metafeature(_GROUP, summarised=True)
def t_mean(N_sorted: np.ndarray) -> np.ndarray:
    n = N_sorted.shape[0]
    cut = int(0.2 * n)
    return N_sorted[cut:n - cut].mean(axis=0)


@metafeature(_GROUP, summarised=True)
def var(N_moments: dict[str, np.ndarray]) -> np.ndarray:
    return _var(N_moments)


@metafeature(_GROUP, target="class")
def gravity(class_stats: dict[str, np.ndarray], class_freqs: np.ndarray) -> float:
    """Distance between the mean of the majority class and that of the smallest other class."""
    if class_freqs.size < 2:
        return np.nan
    major = int(np.argmax(class_freqs))
    others = np.delete(np.arange(class_freqs.size), major)
    minor = int(others[np.argmin(class_freqs[others])])
    return float(np.linalg.norm(class_stats["means"][major] - class_stats["means"][minor]))


@metafeature(_GROUP, target="class")
def w_lambda(can_cor_eigvals: np.ndarray) -> float:
    if can_cor_eigvals.size == 0:
        return np.nan
    return float(np.exp(-np.sum(np.log1p(can_cor_eigvals))))


@metafeature(_GROUP, target="class")
def p_trace(can_cors: np.ndarray) -> float:
    if can_cors.size == 0:
        return np.nan
    return float(np.sum(np.square(can_cors)))


@metafeature(_GROUP, target="class")
def lh_trace(can_cor_eigvals: np.ndarray) -> float:
    if can_cor_eigvals.size == 0:
        return np.nan
    return float(np.sum(can_cor_eigvals))


@metafeature(_GROUP, target="class")
def roy_root(can_cor_eigvals: np.ndarray) -> float:
    if can_cor_eigvals.size == 0:
        return np.nan
    return float(np.max(can_cor_eigvals))


# -------------------------------------------------------------- regression target
@metafeature(_GROUP, target="regression")
def target_mean(y: np.ndarray) -> float:
    return float(np.mean(y))


@metafeature(_GROUP, target="regression")
def target_sd(y: np.ndarray) -> float:
    return float(np.std(y, ddof=1))


@metafeature(_GROUP, target="regression")
def target_skewness(y: np.ndarray) -> float:
    return float(_skewness(_moments_1d(y))[0])


@metafeature(_GROUP, target="regression")
def target_kurtosis(y: np.ndarray) -> float:
    return float(_kurtosis(_moments_1d(y))[0])


@metafeature(_GROUP, target="regression", summarised=True)
def target_cor(N_centered: dict[str, np.ndarray], N_moments: dict[str, np.ndarray], y: np.ndarray) -> np.ndarray:
    yc = y - y.mean()
    denom = np.sqrt(N_moments["ss"] * np.dot(yc, yc))
    out = np.abs(yc @ N_centered["dev"]) / denom
    out[N_moments["constant"] | (denom == 0)] = np.nan
    return np.minimum(out, 1.0)


# -------------------------------------------------------------------------- helpers
def _median_sorted(S: np.ndarray) -> np.ndarray:
    n = S.shape[0]
    if n % 2:
        return S[n // 2].copy()
    return (S[n // 2 - 1] + S[n // 2]) / 2


def _median_abs_dev_sorted(s: np.ndarray, med: float) -> float:
    """Median of ``|s - med|`` for a sorted ``s``, in O(log n).

    The deviations are two sorted runs, ``med - s[h-1], med - s[h-2], ...`` and
    ``s[h] - med, s[h+1] - med, ...`` (``h``: the values below ``med``); the
    middle order statistics of their union are found by binary search, and each
    deviation is computed as ``numpy.abs(s - med)`` computes it.
    """
    n = s.size
    h = int(np.searchsorted(s, med, side="left"))

    def left(i: int) -> float:
        return float(med - s[h - 1 - i])

    def right(i: int) -> float:
        return float(s[h + i] - med)

    def kth(k: int) -> float:
        # the (k+1) smallest take i from the left run and k+1-i from the right run
        lo, hi = max(0, k + 1 - (n - h)), min(k + 1, h)
        while lo < hi:
            i = (lo + hi) // 2
            if i < h and k - i >= 0 and left(i) < right(k - i):
                lo = i + 1
            else:
                hi = i
        i = lo
        candidates = []
        if i > 0:
            candidates.append(left(i - 1))
        if k + 1 - i > 0:
            candidates.append(right(k - i))
        return max(candidates)

    if n % 2:
        return kth(n // 2)
    return (kth(n // 2 - 1) + kth(n // 2)) / 2


def _var(m: dict[str, np.ndarray]) -> np.ndarray:
    n = _n_rows(m)
    if n < 2:
        return np.full(m["ss"].shape, np.nan)
    return m["ss"] / (n - 1)


def _n_rows(m: dict[str, Any]) -> int:
    return int(m["n"])


def _skewness(m: dict[str, np.ndarray]) -> np.ndarray:
    n = _n_rows(m)
    out = m["m3"] / m["m2"] ** 1.5 * ((n - 1.0) / n) ** 1.5
    return np.where(m["constant"], np.nan, out)


def _kurtosis(m: dict[str, np.ndarray]) -> np.ndarray:
    n = _n_rows(m)
    out = (m["m4"] / m["m2"] ** 2) * (1.0 - 1.0 / n) ** 2 - 3.0
    return np.where(m["constant"], np.nan, out)


def _moments_1d(y: np.ndarray) -> dict[str, Any]:
    mean_ = y.mean()
    dev = y - mean_
    sq = dev * dev
    m2 = np.atleast_1d(sq.mean())
    return {"m2": m2, "m3": np.atleast_1d((sq * dev).mean()), "m4": np.atleast_1d((sq * sq).mean()),
            "constant": m2 <= (_EPS * mean_) ** 2, "ss": np.atleast_1d(sq.sum()), "n": y.size}
