"""k-nearest neighbours."""

from __future__ import annotations

from typing import Any

from optuna.distributions import BaseDistribution, CategoricalDistribution, IntDistribution
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

from autometa.pipelines._base import PipelineFamily, check_kind
from autometa.pipelines._threads import single_threaded

__all__ = ["KNNClassifier", "KNNFamily", "KNNRegressor"]


class _ClampedNeighbors:
    """Use at most as many neighbours as there are training rows (small CV folds)."""

    def kneighbors(
        self, X: Any = None, n_neighbors: int | None = None, return_distance: bool = True
    ) -> Any:
        if n_neighbors is None:
            n_neighbors = min(self.n_neighbors, self.n_samples_fit_ - (X is None))  # type: ignore[attr-defined]
        return super().kneighbors(X, n_neighbors, return_distance)  # type: ignore[misc]


class _KNNClassifier(_ClampedNeighbors, KNeighborsClassifier):
    """``KNeighborsClassifier`` that clamps ``n_neighbors`` to the training-set size."""


class _KNNRegressor(_ClampedNeighbors, KNeighborsRegressor):
    """``KNeighborsRegressor`` that clamps ``n_neighbors`` to the training-set size."""


# the distance kernels use OpenMP threads whatever n_jobs says
KNNClassifier = single_threaded(_KNNClassifier, "KNNClassifier", __name__)
KNNRegressor = single_threaded(_KNNRegressor, "KNNRegressor", __name__)


class KNNFamily(PipelineFamily):
    """k-nearest neighbours on standardised numeric and one-hot categorical features.

    Examples
    --------
    >>> from autometa.pipelines import get_family
    >>> get_family("knn").canonical_param("K")
    'n_neighbors'
    """

    name = "knn"
    preprocessing = {"encoding": "onehot", "impute_numeric": True, "scale": True}
    choice_aliases = ("knn", "kneighbors", "kneighborsclassifier", "kneighborsregressor", "nearestneighbors")
    uninterruptible_growth = 2.0
    name_prefixes = ("kneighbors_", "neighbors_")
    aliases = {
        "n_neighbors": "n_neighbors",
        "k": "n_neighbors",
        "n_neighbours": "n_neighbors",
        "neighbors": "n_neighbors",
        "num_neighbors": "n_neighbors",
        "weights": "weights",
        "weighting": "weights",
        "p": "p",
        "minkowski_p": "p",
        "leaf_size": "leaf_size",
        "algorithm": "algorithm",
    }
    extra_params = frozenset({"leaf_size", "algorithm"})

    def space(self, kind: str) -> dict[str, BaseDistribution]:
        check_kind(kind)
        return {
            "n_neighbors": IntDistribution(1, 64, log=True),
            "weights": CategoricalDistribution(("uniform", "distance")),
            "p": CategoricalDistribution((1, 2)),
        }

    def defaults(self, kind: str) -> dict[str, Any]:
        check_kind(kind)
        return {"n_neighbors": 5, "weights": "uniform", "p": 2}

    def model(self, p: dict[str, Any], kind: str, random_state: int | None) -> Any:
        """k-NN pipeline; see :meth:`PipelineFamily.build` (``random_state`` is unused).

        Examples
        --------
        >>> from autometa.pipelines import get_family
        >>> get_family("knn").build({"n_neighbors": 3}, "binary")[-1].n_neighbors
        3
        """
        model_cls = KNNRegressor if kind == "regression" else KNNClassifier
        model = model_cls(**p, n_jobs=1)
        return model
