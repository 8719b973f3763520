"""Clustering meta-features: how well the classes, taken as clusters, are separated (pymfe's ``clustering``).

The classes of the target are the clusters; ``N`` (numeric attributes and one-hot
categoricals, unscaled, as pymfe's default) the space; distances Euclidean. Names and
definitions are pymfe's:

==========  ==============================================================================
name        definition
==========  ==============================================================================
ch          Calinski-Harabasz index (scikit-learn's)
int         mean over pairs of classes of the mean distance between their rows
nre         entropy (natural log) of the class shares
pb          point-biserial correlation of "same class" with the distance, over row pairs
sc          classes with fewer than 15 rows
sil         silhouette (scikit-learn's)
vdb         Davies-Bouldin index (scikit-learn's)
vdu         Dunn-like index: the smallest normalised distance between two classes (a
            distance over the number of row pairs of those classes, as pymfe divides it)
            over the largest distance within a class
==========  ==============================================================================

``ch``, ``nre``, ``sc`` and ``vdb`` use every row (they are linear in it). ``int``, ``pb``,
``sil`` and ``vdu`` compare every pair of rows: they use the same sample of at most
``model_max_rows`` rows (5,000 by default) as the model-based and landmarking groups
(``attrs["model_rows_used"]``); pymfe uses every row, so the two agree up to there.
"""

from __future__ import annotations

import numpy as np

from autometa.metafeatures._engine import intermediate, metafeature

__all__: list[str] = []

_GROUP = "clustering"
#: pymfe's ``sc`` threshold: a class with fewer rows is "small"
_SMALL_CLASS = 15


@intermediate
def class_rows_model(class_masks_model: np.ndarray) -> list[np.ndarray]:
    """Rows of each class present in the model sample, classes in order."""
    return [np.flatnonzero(mask) for mask in class_masks_model]


@intermediate
def intercls_mean_dists(N_model: np.ndarray, class_rows_model: list[np.ndarray]) -> np.ndarray:
    """For every pair of classes (in order), the mean distance between their rows."""
    from scipy.spatial.distance import cdist

    out = []
    for a in range(len(class_rows_model)):
        for b in range(a + 1, len(class_rows_model)):
            out.append(float(cdist(N_model[class_rows_model[a]], N_model[class_rows_model[b]]).mean()))
    return np.array(out)


@metafeature(_GROUP, target="class")
def ch(N: np.ndarray, y: np.ndarray) -> float:
    from sklearn.metrics import calinski_harabasz_score

    return float(calinski_harabasz_score(N, y))


@metafeature(_GROUP, target="class", name="int")
def int_(intercls_mean_dists: np.ndarray, class_rows_model: list[np.ndarray]) -> float:
    k = len(class_rows_model)
    if k < 2:
        return float("nan")
    # pymfe: the sum over pairs of (the sum of distances / their number), times 2 / (k (k - 1))
    return float(np.sum(intercls_mean_dists) * 2.0 / (k * (k - 1.0)))


@metafeature(_GROUP, target="class")
def nre(class_freqs: np.ndarray) -> float:
    p = class_freqs[class_freqs > 0] / class_freqs.sum()
    return float(-np.sum(p * np.log(p)))


@metafeature(_GROUP, target="class")
def pb(N_model: np.ndarray, y_model: np.ndarray) -> float:
    from scipy.spatial.distance import pdist
    from scipy.stats import pointbiserialr

    n = len(y_model)
    first, second = np.triu_indices(n, k=1)  # pdist's order
    same = y_model[first] == y_model[second]
    return float(pointbiserialr(same, pdist(N_model)).statistic)


@metafeature(_GROUP, target="class")
def sc(class_freqs: np.ndarray) -> float:
    return float(np.sum(class_freqs[class_freqs > 0] < _SMALL_CLASS))


@metafeature(_GROUP, target="class")
def sil(N_model: np.ndarray, y_model: np.ndarray, random_state: int) -> float:
    from sklearn.metrics import silhouette_score

    # pymfe passes sample_size = every row: scikit-learn then permutes them (the same value up to the order of the
    # sums); the same call gives pymfe's value to the last digit
    return float(silhouette_score(N_model, y_model, metric="euclidean", sample_size=len(y_model),
                                  random_state=random_state))


@metafeature(_GROUP, target="class")
def vdb(N: np.ndarray, y: np.ndarray) -> float:
    from sklearn.metrics import davies_bouldin_score

    return float(davies_bouldin_score(N, y))


@metafeature(_GROUP, target="class")
def vdu(N_model: np.ndarray, class_rows_model: list[np.ndarray]) -> float:
    from scipy.spatial.distance import cdist, pdist

    k = len(class_rows_model)
    smallest = np.inf
    for a in range(k):
        for b in range(a + 1, k):
            d = cdist(N_model[class_rows_model[a]], N_model[class_rows_model[b]])
            smallest = min(smallest, float(d.min() / d.size))
    within = [pdist(N_model[rows]).max() for rows in class_rows_model if len(rows) > 1]
    if not within:
        raise ValueError("every class has one row")
    return float(smallest / max(within))
