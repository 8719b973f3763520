"""Complexity meta-features: how hard the classes are to separate (pymfe's ``complexity``; Lorena et al. 2019).

Names, definitions and constants are pymfe 0.4.4's. Class pairs are every pair of
classes in order (one-versus-one); per-pair and per-row values are summarised.

================  ==========  ============================================================================
name              data        definition
================  ==========  ============================================================================
c1                all rows    entropy of the class shares over log(classes)
c2                all rows    1 - 1 / imbalance ratio
f1                all rows    per attribute: 1 / (1 + Fisher's discriminant ratio)
f1v               all rows    per class pair: 1 / (1 + the directional-vector Fisher ratio)
f2                all rows    per class pair: volume of the overlap of the two classes' bounding boxes
f3                all rows    per class pair: share of rows in the overlap of the most separating attribute
f4                all rows    per class pair: share of rows left after removing, attribute by attribute,
                              those outside the overlap
t2, t3, t4        all rows    attributes / rows; PCA components for 95 % variance / rows; ... / attributes
l1, l2, l3        sample      per class pair, a linear SVM (standardised, hinge loss, C = 2): the sum of its
                              errors' distances; its training error; its error on interpolated rows
n1                sample      share of rows on an edge of the minimum spanning tree joining two classes
n2                sample      per row: 1 - 1 / (1 + nearest same-class distance / nearest other-class distance)
n3                sample      per row: whether its nearest neighbour is of another class
n4                sample      per interpolated row: whether the 1-NN of the rows misclassifies it
t1                sample      share of hyperspheres (grown to the nearest enemy, merged by mass) left
lsc               sample      1 - mean size of the local sets (rows closer than the nearest enemy) / rows
density           sample      1 - density of the graph joining each row to its 15 % nearest same-class rows
cls_coef          sample      1 - the graph's transitivity
hubs              sample      per row: 1 - its hub score in the graph
================  ==========  ============================================================================

Distances are pymfe's default, Gower's, on the columns of ``N`` scaled to [0, 1]: the
mean absolute difference over the columns, as the ``gower`` package computes it (in
float32). "Sample": the measures that compare every pair of rows, and the linear SVMs,
use the sample of at most ``model_max_rows`` rows (5,000 by default) of the model-based
and landmarking groups; pymfe uses every row, so the two agree up to there. The graph
measures are computed with SciPy (sparse matrices, ARPACK for the hub scores) instead
of igraph. Only for classification.

Where pymfe 0.4.4 differs: its ``f1v`` fails under NumPy 2 (it assigns a 1 x 1 matrix to
an array element) and reports NaN; this module computes the definition. Its ``n4``
measures the interpolated rows against the rows with the ``gower`` package, which takes
two tables with as many rows as one table against itself (it computes the upper
triangle and mirrors it); ``_gower`` does the same, so ``n4`` is pymfe's value.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autometa.metafeatures._engine import intermediate, metafeature

__all__: list[str] = []

_GROUP = "complexity"
#: pymfe's linear SVM and graph constants
_SVM_C, _SVM_TOL, _SVM_MAX_ITER = 2.0, 10e-3, int(1e5)
_RADIUS_FRAC = 0.15
_PCA_VARIANCE = 0.95
#: rows of the distance matrix computed at once (memory: rows x n x columns floats)
_BLOCK_CELLS = 4_000_000


# ----------------------------------------------------------------------------- shared values
def _pairs(k: int) -> list[tuple[int, int]]:
    return [(a, b) for a in range(k) for b in range(a + 1, k)]


@intermediate
def cx_scaled(N_model: np.ndarray) -> np.ndarray:
    """pymfe's ``_scale_N``: min-max scaled, unless every column already spans [0, 1]."""
    from sklearn.preprocessing import MinMaxScaler

    if not np.allclose(1.0, np.max(N_model, axis=0)) or not np.allclose(0.0, np.min(N_model, axis=0)):
        return np.atleast_2d(MinMaxScaler(feature_range=(0, 1)).fit_transform(N_model))
    return np.atleast_2d(N_model)


def _gower(X: np.ndarray, Y: np.ndarray | None = None) -> np.ndarray:
    """The ``gower`` package's ``gower_matrix`` for numeric data (float32 result).

    On min-max scaled columns (every range 1) the sum of absolute differences runs in
    SciPy's ``cdist``, in another order than the package's NumPy sum: the float64 sums
    agree to about 1e-16, and their float32 roundings almost always to the bit.
    """
    Z = X if Y is None else np.concatenate((X, Y))
    maxes = np.zeros(Z.shape[1])
    ranges = np.zeros(Z.shape[1])
    for col in range(Z.shape[1]):
        column = Z[:, col].astype(np.float32)
        hi, lo = np.nanmax(column), np.nanmin(column)
        hi = np.float32(0.0) if np.isnan(hi) else hi
        lo = np.float32(0.0) if np.isnan(lo) else lo
        maxes[col] = hi
        ranges[col] = np.abs(1 - lo / hi) if hi != 0 else 0.0
    Z = np.divide(Z, maxes, out=np.zeros_like(Z), where=maxes != 0)
    A = Z[: len(X)]
    B = A if Y is None else Z[len(X):]
    m = Z.shape[1]
    if np.all(ranges == 1.0):  # min-max scaled columns: the mean absolute difference, summed in C
        from scipy.spatial.distance import cdist

        out = (cdist(A, B, metric="cityblock") / float(m)).astype(np.float32)
    else:
        out = np.zeros((len(A), len(B)), dtype=np.float32)
        block = max(1, _BLOCK_CELLS // max(1, len(B) * m))
        for start in range(0, len(A), block):
            rows = slice(start, min(start + block, len(A)))
            delta = np.abs(A[rows, None, :] - B[None, :, :])
            per = np.divide(delta, ranges, out=np.zeros_like(delta), where=ranges != 0)
            out[rows] = np.multiply(np.ones(m), per).sum(axis=2) / float(m)
    if Y is not None and len(X) == len(Y):
        # the package takes two tables of as many rows as one table against itself: it computes the upper
        # triangle and mirrors it (pymfe's n4 compares n interpolated rows with the n rows this way)
        upper = np.triu(out)
        out = upper + np.triu(out, k=1).T
    return out


@intermediate
def cx_dist(cx_scaled: np.ndarray) -> np.ndarray:
    return _gower(cx_scaled)


@intermediate
def cx_enemies(cx_dist: np.ndarray, class_masks_model: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distance to, and index of, each row's nearest row of another class (pymfe's ``_calc_nearest_enemies``)."""
    n = cx_dist.shape[0]
    dist = np.full(n, np.inf)
    index = np.full(n, -1, dtype=int)
    for mask in class_masks_model:
        others, own = np.flatnonzero(~mask), np.flatnonzero(mask)
        sub = cx_dist[others][:, own]
        nearest = others[np.argmin(sub, axis=0)]
        index[own] = nearest
        dist[own] = cx_dist[nearest, own]
    return dist, index


@intermediate
def cx_graph(cx_dist: np.ndarray, class_masks_model: np.ndarray) -> Any:
    """pymfe's adjacency graph: each row to its ``round(0.15 n)`` nearest rows, same-class edges only, symmetric;
    a sparse matrix of the edge weights (zero-weight edges, between identical rows, are no edges, as in igraph)."""
    import scipy.sparse as sp
    from sklearn.neighbors import kneighbors_graph

    n = cx_dist.shape[0]
    k = int(round(n * _RADIUS_FRAC) if 0 < _RADIUS_FRAC < 1.0 else _RADIUS_FRAC)
    graph = kneighbors_graph(cx_dist, n_neighbors=max(k, 1), mode="distance", include_self=False,
                             metric="precomputed").tocoo()
    same = np.zeros(n, dtype=int)
    for c, mask in enumerate(class_masks_model):
        same[mask] = c
    keep = same[graph.row] == same[graph.col]
    adj = sp.csr_matrix((graph.data[keep], (graph.row[keep], graph.col[keep])), shape=(n, n))
    adj = adj.maximum(adj.T).tocsr()
    adj.eliminate_zeros()
    return adj


@intermediate
def cx_svm_fits(N_model: np.ndarray, class_masks_model: np.ndarray, random_state: int) -> list[tuple[Any, Any, Any]]:
    """For each class pair: (the fitted pipeline, the pair's rows, their labels: True for the first class)."""
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import LinearSVC

    out = []
    for a, b in _pairs(len(class_masks_model)):
        union = class_masks_model[a] | class_masks_model[b]
        X, labels = N_model[union], class_masks_model[a, union]
        pipe = Pipeline([("scaler", StandardScaler()),
                         ("svc", LinearSVC(penalty="l2", loss="hinge", C=_SVM_C, tol=_SVM_TOL,
                                           max_iter=_SVM_MAX_ITER, random_state=random_state))])
        out.append((pipe.fit(X, labels), union, labels))
    return out


def _pair_rows(N: np.ndarray, masks: np.ndarray) -> Any:
    """``(a, b, rows of class a, rows of class b)`` for every class pair, in pymfe's order."""
    for a, b in _pairs(len(masks)):
        yield a, b, N[masks[a], :], N[masks[b], :]


def _interpolate(X: np.ndarray, y: np.ndarray, masks: np.ndarray, seed: int | None) -> tuple[np.ndarray, np.ndarray]:
    """pymfe's ``_interpolate``: per class, rows between two random rows of the class (NumPy's global generator,
    seeded as pymfe seeds it)."""
    rng = np.random.RandomState(seed) if seed is not None else np.random.mtrand._rand
    X_out = np.atleast_2d(np.zeros(X.shape, dtype=X.dtype))
    y_out = np.zeros(y.shape, dtype=y.dtype)
    at = 0
    for mask in masks:
        part = X[mask, :]
        size = part.shape[0]
        a = part[rng.choice(size, size), :]
        b = part[rng.choice(size, size), :]
        delta = rng.random_sample(part.shape)
        X_out[at:at + size] = a + (b - a) * delta
        y_out[at:at + size] = y[mask]
        at += size
    return X_out, y_out


def _overlap(X: np.ndarray, minmax: np.ndarray, maxmin: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    region = np.logical_and(X >= maxmin, X <= minmax)
    counts = np.sum(region, axis=0)
    return int(np.argmin(counts)), np.asarray(counts, dtype=int), np.asarray(region, dtype=bool)


def _minmax(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.size == 0 or b.size == 0:
        return np.full(a.shape[1], -np.inf)
    return np.minimum(np.max(a, axis=0), np.max(b, axis=0))


def _maxmin(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.size == 0 or b.size == 0:
        return np.full(a.shape[1], np.inf)
    return np.maximum(np.min(a, axis=0), np.min(b, axis=0))


@intermediate
def cx_pca_components(N: np.ndarray, random_state: int) -> int:
    from sklearn.decomposition import PCA

    return int(PCA(n_components=_PCA_VARIANCE, random_state=random_state).fit(N).explained_variance_ratio_.shape[0])


# ----------------------------------------------------------------------------- feature-based
@metafeature(_GROUP, target="class", summarised=True)
def f1(N: np.ndarray, class_masks: np.ndarray, class_freqs: np.ndarray) -> np.ndarray:
    mean = np.mean(N, axis=0)
    centroids = np.asarray([np.mean(N[mask, :], axis=0) for mask in class_masks], dtype=float)
    numer = np.sum(np.square(centroids - mean).T * class_freqs[class_freqs > 0], axis=1)
    denom = np.sum([sum(np.square(N[mask, :] - centroids[i, :])) for i, mask in enumerate(class_masks)], axis=0)
    return 1.0 / (1.0 + numer / denom)


@metafeature(_GROUP, target="class", summarised=True)
def f1v(N: np.ndarray, class_masks: np.ndarray, class_freqs: np.ndarray) -> np.ndarray:
    from scipy.linalg import pinv

    freqs = class_freqs[class_freqs > 0].astype(int)
    within, centroids = [], np.zeros((len(class_masks), N.shape[1]))
    for i, mask in enumerate(class_masks):
        rows = N[mask, :]
        within.append(np.cov(rows, rowvar=False, ddof=1))
        centroids[i] = rows.mean(axis=0)
    out = []
    for a, b in _pairs(len(class_masks)):
        diff = (centroids[a] - centroids[b]).reshape(-1, 1)
        W = (freqs[a] * within[a] + freqs[b] * within[b]) / (freqs[a] + freqs[b])
        direction = np.matmul(pinv(W), diff)
        between = np.outer(diff, diff)
        ratio = np.matmul(direction.T, np.matmul(between, direction)) / np.matmul(direction.T,
                                                                                 np.matmul(W, direction))
        out.append(float(np.asarray(ratio).ravel()[0]))
    return 1.0 / (1.0 + np.array(out))


@metafeature(_GROUP, target="class", summarised=True)
def f2(N: np.ndarray, class_masks: np.ndarray) -> np.ndarray:
    out = []
    for _, _, A, B in _pair_rows(N, class_masks):
        maxmax = np.maximum(np.max(A, axis=0), np.max(B, axis=0))
        minmin = np.minimum(np.min(A, axis=0), np.min(B, axis=0))
        out.append(np.prod(np.maximum(0.0, _minmax(A, B) - _maxmin(A, B)) / (maxmax - minmin)))
    return np.array(out, dtype=float)


@metafeature(_GROUP, target="class", summarised=True)
def f3(N: np.ndarray, class_masks: np.ndarray, class_freqs: np.ndarray) -> np.ndarray:
    freqs = class_freqs[class_freqs > 0]
    out = []
    for a, b, A, B in _pair_rows(N, class_masks):
        least, counts, _ = _overlap(np.vstack((A, B)), _minmax(A, B), _maxmin(A, B))
        out.append(counts[least] / (freqs[a] + freqs[b]))
    return np.array(out, dtype=float)


@metafeature(_GROUP, target="class", summarised=True)
def f4(N: np.ndarray, class_masks: np.ndarray, class_freqs: np.ndarray) -> np.ndarray:
    freqs = class_freqs[class_freqs > 0]
    out = []
    for a, b in _pairs(len(class_masks)):
        union = class_masks[a] | class_masks[b]
        first, second = class_masks[a, union], class_masks[b, union]
        rows = N[union, :]
        attrs = np.arange(rows.shape[1])
        view = rows[:, attrs]
        while view.size > 0:
            least, _, region = _overlap(view, _minmax(view[first, :], view[second, :]),
                                        _maxmin(view[first, :], view[second, :]))
            inside = region[:, least]
            rows, first, second = rows[inside, :], first[inside], second[inside]
            attrs = np.delete(attrs, least)
            view = rows[:, attrs]
        out.append(rows.shape[0] / (freqs[a] + freqs[b]))
    return np.array(out, dtype=float)


@metafeature(_GROUP, target="class")
def c1(class_freqs: np.ndarray) -> float:
    freqs = class_freqs[class_freqs > 0]
    p = freqs / freqs.sum()
    return float(-np.sum(p * np.log(p)) / np.log(freqs.size))


@metafeature(_GROUP, target="class")
def c2(class_freqs: np.ndarray) -> float:
    freqs = class_freqs[class_freqs > 0]
    n, k = freqs.sum(), freqs.size
    imbalance = (k - 1) / k * np.sum(freqs / (n - freqs))
    return float(1 - 1 / imbalance)


@metafeature(_GROUP, target="class")
def t2(N: np.ndarray) -> float:
    return N.shape[1] / N.shape[0]


@metafeature(_GROUP, target="class")
def t3(N: np.ndarray, cx_pca_components: int) -> float:
    return cx_pca_components / N.shape[0]


@metafeature(_GROUP, target="class")
def t4(N: np.ndarray, cx_pca_components: int) -> float:
    return cx_pca_components / N.shape[1]


# ----------------------------------------------------------------------------- linearity
@metafeature(_GROUP, target="class", summarised=True)
def l1(cx_svm_fits: list[tuple[Any, Any, Any]], N_model: np.ndarray, class_masks_model: np.ndarray) -> np.ndarray:
    freqs = class_masks_model.sum(axis=1)
    out = []
    for (pipe, union, labels), (a, b) in zip(cx_svm_fits, _pairs(len(class_masks_model))):
        X = N_model[union]
        wrong = X[pipe.predict(X) != labels, :]
        dists = pipe.decision_function(wrong) if wrong.size else np.array([0.0])
        out.append(np.linalg.norm(dists, ord=1) / (freqs[a] + freqs[b]))
    return 1.0 - 1.0 / (1.0 + np.array(out, dtype=float))


@metafeature(_GROUP, target="class", summarised=True)
def l2(cx_svm_fits: list[tuple[Any, Any, Any]], N_model: np.ndarray) -> np.ndarray:
    return np.array([np.mean(pipe.predict(N_model[union]) != labels) for pipe, union, labels in cx_svm_fits],
                    dtype=float)


@metafeature(_GROUP, target="class", summarised=True)
def l3(cx_svm_fits: list[tuple[Any, Any, Any]], N_model: np.ndarray, class_masks_model: np.ndarray,
       random_state: int) -> np.ndarray:
    out = []
    seed = random_state
    for pipe, union, labels in cx_svm_fits:
        seed = None if seed is None else seed + 1  # pymfe moves the seed on before each pair
        X, y = _interpolate(N_model[union], labels, class_masks_model[:, union], seed)
        out.append(np.mean(pipe.predict(X) != y))
    return np.array(out, dtype=float)


# ----------------------------------------------------------------------------- neighbourhood
@metafeature(_GROUP, target="class")
def n1(cx_dist: np.ndarray, y_model: np.ndarray) -> float:
    from scipy.sparse.csgraph import minimum_spanning_tree

    tree = minimum_spanning_tree(csgraph=np.triu(cx_dist, k=1), overwrite=True)
    i, j = np.nonzero(tree)
    crossing = y_model[i] != y_model[j]
    return float(np.unique(np.concatenate([i[crossing], j[crossing]])).size / y_model.size)


@metafeature(_GROUP, target="class", summarised=True)
def n2(cx_dist: np.ndarray, class_masks_model: np.ndarray) -> np.ndarray:
    parts = []
    for mask in class_masks_model:
        intra = cx_dist[mask, :][:, mask]
        extra = cx_dist[~mask, :][:, mask]
        intra[np.diag_indices_from(intra)] = np.inf
        cols = np.arange(intra.shape[1])
        parts.append(intra[np.argmin(intra, axis=0), cols] / extra[np.argmin(extra, axis=0), cols])
    ratio = np.concatenate(parts).astype(float)  # pymfe stores the float32 ratios in a float64 array first
    return 1.0 - 1.0 / (1.0 + ratio)


@metafeature(_GROUP, target="class", summarised=True)
def n3(cx_dist: np.ndarray, y_model: np.ndarray) -> np.ndarray:
    from sklearn.neighbors import KNeighborsClassifier

    knn = KNeighborsClassifier(n_neighbors=1, metric="precomputed").fit(cx_dist, y_model)
    nearest = knn.kneighbors(return_distance=False).ravel()
    return np.not_equal(y_model[nearest], y_model).astype(int)


@metafeature(_GROUP, target="class", summarised=True)
def n4(cx_dist: np.ndarray, cx_scaled: np.ndarray, y_model: np.ndarray, class_masks_model: np.ndarray,
       random_state: int) -> np.ndarray:
    from sklearn.neighbors import KNeighborsClassifier

    X, y = _interpolate(cx_scaled, y_model, class_masks_model, random_state)
    knn = KNeighborsClassifier(n_neighbors=1, metric="precomputed").fit(cx_dist, y_model)
    return np.not_equal(y, knn.predict(_gower(X, cx_scaled))).astype(int)


@metafeature(_GROUP, target="class")
def t1(cx_dist: np.ndarray, cx_enemies: tuple[np.ndarray, np.ndarray]) -> float:
    dist = cx_dist * 1.0 + 0.0  # pymfe's "original" distances: Gower's need no rescaling
    enemy_dist, enemy = _enemies_of(dist, cx_enemies)
    radius = _hypersphere_radii(enemy, enemy_dist)
    within = dist <= radius
    mass = np.sum(within, axis=0)
    count = np.ones(radius.size, dtype=int)
    for i in np.argsort(-mass):
        if count[i] <= 0:
            continue
        inside = np.flatnonzero(within[:, i])
        total = int(np.sum(count[inside]))
        count[inside] = 0
        count[i] = total
    return float(int(np.sum(count > 0)) / radius.size)


def _enemies_of(dist: np.ndarray, enemies: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    enemy = enemies[1]
    return dist[enemy, np.arange(len(enemy))].astype(float), enemy


def _hypersphere_radii(enemy: np.ndarray, enemy_dist: np.ndarray) -> np.ndarray:
    """pymfe's recursive radius rule, as a loop (a chain of nearest enemies can be longer than Python's stack)."""
    radius = np.full(enemy.size, -1.0)
    for start in range(radius.size):
        if radius[start] >= 0.0:
            continue
        chain = []
        i = start
        while True:
            if radius[i] >= 0.0:
                value = radius[i]
                break
            e = enemy[i]
            if i == enemy[e]:  # mutual nearest enemies: half their distance each
                radius[e] = radius[i] = 0.5 * enemy_dist[i]
                value = radius[i]
                break
            radius[i] = 0.0  # pymfe marks it before recursing (a cycle then reads 0)
            chain.append(i)
            i = e
        for j in reversed(chain):
            value = abs(enemy_dist[j] - value)
            radius[j] = value
    return radius


@metafeature(_GROUP, target="class")
def lsc(cx_dist: np.ndarray, cx_enemies: tuple[np.ndarray, np.ndarray], y_model: np.ndarray) -> float:
    return float(1.0 - np.sum(cx_dist < cx_enemies[0]) / (y_model.size ** 2))


# ----------------------------------------------------------------------------- graph
@metafeature(_GROUP, target="class")
def density(cx_graph: Any) -> float:
    n = cx_graph.shape[0]
    edges = cx_graph.nnz / 2
    return float(1.0 - edges / (n * (n - 1) / 2.0)) if n > 1 else float("nan")


@metafeature(_GROUP, target="class")
def cls_coef(cx_graph: Any) -> float:
    A = (cx_graph != 0).astype(np.float32).toarray()  # counts below 2 ** 24 are exact in float32 (BLAS)
    degree = A.sum(axis=1, dtype=float)
    triples = float(np.sum(degree * (degree - 1)))
    if triples == 0:
        return 1.0  # igraph's mode="zero": a graph without triples has transitivity 0
    closed = float(np.sum((A @ A) * A, dtype=float))  # 6 x triangles
    return 1.0 - closed / triples


@metafeature(_GROUP, target="class", summarised=True)
def hubs(cx_graph: Any) -> np.ndarray:
    from scipy.sparse.linalg import LinearOperator, eigsh

    A = (cx_graph != 0).astype(float).tocsr()
    n = A.shape[0]
    if A.nnz == 0:
        return np.ones(n)  # igraph: every hub score 0 on a graph without edges
    if n <= 2:
        vector = np.linalg.eigh((A @ A.T).toarray())[1][:, -1]
    else:  # Kleinberg's hub scores: the leading eigenvector of A A^T, as igraph asks ARPACK for it
        AT = A.T.tocsr()
        operator = LinearOperator((n, n), matvec=lambda v: A @ (AT @ v), dtype=float)
        vector = eigsh(operator, k=1, which="LA", tol=0, v0=np.ones(n))[1][:, 0]
    vector = np.abs(vector)
    return 1.0 - vector / vector.max()
