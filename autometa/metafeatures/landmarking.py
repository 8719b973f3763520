"""Landmarking: cross-validated scores of small, fast models on ``N_model``.

Every landmarker is scored on the same 10 folds (``StratifiedKFold`` without
shuffling for classes, as pymfe; ``KFold`` for regression; fewer folds when the
largest class, or the data, has fewer than 10 rows) and summarised over folds
(``one_nn.mean``, ``one_nn.sd``...). Classification scores are accuracies; the
models and their settings are pymfe's:

=============  ================================================================
best_node      decision stump (``max_depth=1``) on all columns
random_node    stump on one column drawn with ``RandomState(random_state)``
worst_node     stump on the least important column of a full tree fit on the fold
elite_nn       1-nearest neighbour on the most important column of that tree
linear_discr   linear discriminant analysis (class only)
naive_bayes    Gaussian naive Bayes (class only)
one_nn         1-nearest neighbour, Euclidean, on all columns
=============  ================================================================

``one_nn`` is computed for all folds in one pass over blocks of the distance
matrix (rows of the same fold masked), not by fitting ten models. Where training
rows tie for nearest (within rounding) and disagree on the target, the row is
settled by scikit-learn's k-d tree fit on the fold, the model pymfe uses, so the
scores are pymfe's even on data with duplicate rows.

For regression the same names are the regression analogues scored by R²: stumps
and trees are ``DecisionTreeRegressor`` (the importance tree with
``min_samples_leaf=5``), the neighbours are 1-NN regressors, ``linear_reg`` is
ordinary least squares, and ``linear_discr``/``naive_bayes`` do not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autometa.metafeatures._engine import intermediate, metafeature

__all__: list[str] = []

_GROUP = "landmarking"
_N_FOLDS = 10
# distance-matrix block size, in cells (about 64 MB of float64)
_BLOCK_CELLS = 1 << 23


# --------------------------------------------------------------------- intermediates
@intermediate
def folds(kind: str, y_model: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import KFold, StratifiedKFold

    if kind == "regression":
        k = min(_N_FOLDS, y_model.size)
        if k < 2:
            raise ValueError("cross-validation needs at least two rows")
        splitter: Any = KFold(n_splits=k)
    else:
        k = min(_N_FOLDS, int(np.bincount(y_model).max()))
        if k < 2:
            raise ValueError("cross-validation needs a class with at least two rows")
        splitter = StratifiedKFold(n_splits=k)
    return list(splitter.split(np.zeros((y_model.size, 1)), y_model))


@intermediate
def fold_ids(folds: list[tuple[np.ndarray, np.ndarray]], y_model: np.ndarray) -> np.ndarray:
    out = np.empty(y_model.size, dtype=np.intp)
    for i, (_, test) in enumerate(folds):
        out[test] = i
    return out


@intermediate
def score(kind: str) -> Callable[[np.ndarray, np.ndarray], float]:
    if kind == "regression":
        from sklearn.metrics import r2_score

        return r2_score
    return _accuracy


@intermediate
def fold_importance_ranks(kind: str, N_model: np.ndarray, y_model: np.ndarray,
                          folds: list[tuple[np.ndarray, np.ndarray]], random_state: int) -> np.ndarray:
    """Columns by increasing importance in a full tree fit on each training fold (pymfe's ranking)."""
    ranks = []
    for train, _ in folds:
        tree = _tree(kind, random_state, importance=True).fit(N_model[train], y_model[train])
        ranks.append(np.argsort(tree.feature_importances_))
    return np.asarray(ranks, dtype=np.intp)


def _accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean(y_true == y_pred))


def _tree(kind: str, random_state: int, *, max_depth: int | None = None, importance: bool = False) -> Any:
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    if kind == "regression":
        return DecisionTreeRegressor(max_depth=max_depth, random_state=random_state,
                                     min_samples_leaf=5 if importance else 1)
    return DecisionTreeClassifier(max_depth=max_depth, random_state=random_state)


def _cv(make_model: Callable[[], Any], X: np.ndarray, y: np.ndarray,
        folds: list[tuple[np.ndarray, np.ndarray]], score: Callable[[np.ndarray, np.ndarray], float],
        columns: np.ndarray | None = None) -> np.ndarray:
    """Score of a fresh model per fold; ``columns[i]``: the only column used in fold ``i``."""
    out = np.empty(len(folds))
    for i, (train, test) in enumerate(folds):
        if columns is None:
            Xtr, Xte = X[train], X[test]
        else:
            Xtr, Xte = X[train, columns[i], None], X[test, columns[i], None]
        model = make_model().fit(Xtr, y[train])
        out[i] = score(y[test], model.predict(Xte))
    return out


def _nearest_other_fold(X: np.ndarray, y: np.ndarray, fold_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's nearest row in another fold, and whether that choice is ambiguous.

    Rows are grouped by fold, so that a fold's own rows are one slice of columns of
    its block of the distance matrix; distances come from one matrix product per
    block. A row is ambiguous when rows within rounding of its smallest distance
    disagree on the target: the caller settles those with scikit-learn's k-d tree,
    as pymfe does.
    """
    n = X.shape[0]
    order = np.argsort(fold_ids, kind="stable")
    Xs = X[order]
    ys = y[order].astype(float)
    sq = np.einsum("ij,ij->i", Xs, Xs)
    bounds = np.concatenate([[0], np.cumsum(np.bincount(fold_ids))])
    best = np.empty(n, dtype=np.intp)
    ambiguous = np.zeros(n, dtype=bool)
    step = max(1, _BLOCK_CELLS // max(n, 1))
    scale = float(sq.max()) if n else 0.0
    for f in range(bounds.size - 1):
        for start in range(bounds[f], bounds[f + 1], step):
            stop = min(bounds[f + 1], start + step)
            D = Xs[start:stop] @ Xs.T
            D *= -2.0
            D += sq[start:stop, None]
            D += sq[None, :]
            D[:, bounds[f]:bounds[f + 1]] = np.inf  # the row's own fold
            b = np.argmin(D, axis=1)
            dmin = D[np.arange(stop - start), b]
            # the expanded form is exact only to rounding: every row that close is a candidate
            close = D <= (dmin + 1e-9 * (sq[start:stop] + scale) + 1e-12)[:, None]
            best[order[start:stop]] = order[b]
            tied = np.flatnonzero(np.count_nonzero(close, axis=1) > 1)
            if tied.size:
                sub = close[tied]
                lo = np.where(sub, ys[None, :], np.inf).min(axis=1)
                hi = np.where(sub, ys[None, :], -np.inf).max(axis=1)
                ambiguous[order[start + tied]] = lo != hi
    return best, ambiguous


def _one_nn_predict(kind: str, X: np.ndarray, y: np.ndarray, folds: list[tuple[np.ndarray, np.ndarray]],
                    fold_ids: np.ndarray) -> np.ndarray:
    """Cross-validated 1-NN predictions for every row."""
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

    best, ambiguous = _nearest_other_fold(X, y, fold_ids)
    pred = y[best]
    model = KNeighborsRegressor if kind == "regression" else KNeighborsClassifier
    for train, test in folds:
        rows = test[ambiguous[test]]
        if rows.size:
            knn = model(n_neighbors=1, algorithm="kd_tree").fit(X[train], y[train])
            pred[rows] = knn.predict(X[rows])
    return pred


# ----------------------------------------------------------------------- features
@metafeature(_GROUP, target="supervised", summarised=True)
def best_node(kind: str, N_model: np.ndarray, y_model: np.ndarray, folds: list, score: Callable,
              random_state: int) -> np.ndarray:
    return _cv(lambda: _tree(kind, random_state, max_depth=1), N_model, y_model, folds, score)


@metafeature(_GROUP, target="supervised", summarised=True)
def random_node(kind: str, N_model: np.ndarray, y_model: np.ndarray, folds: list, score: Callable,
                random_state: int) -> np.ndarray:
    col = np.random.RandomState(random_state).randint(0, N_model.shape[1], size=1)[0]
    return _cv(lambda: _tree(kind, random_state, max_depth=1), N_model, y_model, folds, score,
               columns=np.full(len(folds), col))


@metafeature(_GROUP, target="supervised", summarised=True)
def worst_node(kind: str, N_model: np.ndarray, y_model: np.ndarray, folds: list, score: Callable,
               random_state: int, fold_importance_ranks: np.ndarray) -> np.ndarray:
    return _cv(lambda: _tree(kind, random_state, max_depth=1), N_model, y_model, folds, score,
               columns=fold_importance_ranks[:, 0])


@metafeature(_GROUP, target="supervised", summarised=True)
def elite_nn(kind: str, N_model: np.ndarray, y_model: np.ndarray, folds: list, score: Callable,
             fold_importance_ranks: np.ndarray) -> np.ndarray:
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

    model = KNeighborsRegressor if kind == "regression" else KNeighborsClassifier
    return _cv(lambda: model(n_neighbors=1), N_model, y_model, folds, score,
               columns=fold_importance_ranks[:, -1])


@metafeature(_GROUP, target="class", summarised=True)
def linear_discr(N_model: np.ndarray, y_model: np.ndarray, folds: list, score: Callable) -> np.ndarray:
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

    return _cv(LinearDiscriminantAnalysis, N_model, y_model, folds, score)


@metafeature(_GROUP, target="regression", summarised=True)
def linear_reg(N_model: np.ndarray, y_model: np.ndarray, folds: list, score: Callable) -> np.ndarray:
    from sklearn.linear_model import LinearRegression

    return _cv(LinearRegression, N_model, y_model, folds, score)


@metafeature(_GROUP, target="class", summarised=True)
def naive_bayes(N_model: np.ndarray, y_model: np.ndarray, folds: list, score: Callable) -> np.ndarray:
    from sklearn.naive_bayes import GaussianNB

    return _cv(GaussianNB, N_model, y_model, folds, score)


@metafeature(_GROUP, target="supervised", summarised=True)
def one_nn(kind: str, N_model: np.ndarray, y_model: np.ndarray, folds: list, fold_ids: np.ndarray,
           score: Callable) -> np.ndarray:
    pred = _one_nn_predict(kind, N_model, y_model, folds, fold_ids)
    return np.array([score(y_model[test], pred[test]) for _, test in folds])
