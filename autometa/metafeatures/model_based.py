"""Model-based meta-features: the shape of one decision tree fit on ``N_model``.

The tree is pymfe's: ``DecisionTreeClassifier(random_state=random_state)`` with
scikit-learn's defaults (grown until its leaves are pure). For regression it is a
``DecisionTreeRegressor`` with ``min_samples_leaf=5`` (a fully grown regression
tree has one leaf per distinct target value, which describes nothing), and
``leaves_per_class`` does not exist. Node depths are computed level by level.

=================  ============================================================
leaves             number of leaves
leaves_branch      depth of each leaf (summarised)
leaves_corrob      share of the training rows reaching each leaf
leaves_homo        leaves / tree_shape of each leaf
leaves_per_class   share of the leaves predicting each class (class only)
nodes              number of internal nodes
nodes_per_attr     nodes / columns of ``N``
nodes_per_inst     nodes / training rows
nodes_per_level    internal nodes at each depth that has any
nodes_repeated     times each column used in a split is used
tree_depth         depth of every node
tree_imbalance     pymfe's imbalance of the leaf-depth distribution
tree_shape         -p log2 p with p = 2**-depth, for each leaf
var_importance     impurity-based importance of each column
=================  ============================================================
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autometa.metafeatures._engine import intermediate, metafeature

__all__: list[str] = []

_GROUP = "model_based"


#: cells x classes a decision tree fits per second here (2,000 x 20 x 1,000 classes: 2.1 s), for
#: telling in advance that the tree will not fit in an extraction's time budget
TREE_UNITS_PER_SECOND = 2e7


@intermediate
def dt_model(kind: str, N_model: np.ndarray, y_model: np.ndarray, random_state: int,
             deadline: float | None) -> Any:
    import time

    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    # the tree's fit cannot be interrupted: with a deadline, one that would end past it is not started
    classes = 1 if kind == "regression" else len(np.unique(y_model))
    expected = N_model.shape[0] * max(N_model.shape[1], 1) * classes / TREE_UNITS_PER_SECOND
    if deadline is not None and time.perf_counter() + expected > deadline:
        raise ValueError(f"the decision tree is expected to take {expected:.2g} s, past the time budget")

    if kind == "regression":
        model: Any = DecisionTreeRegressor(random_state=random_state, min_samples_leaf=5)
    else:
        model = DecisionTreeClassifier(random_state=random_state)
    return model.fit(N_model, y_model)


@intermediate
def dt_info(dt_model: Any) -> dict[str, np.ndarray]:
    """Per node: depth, whether it is a leaf, split column, training rows."""
    tree = dt_model.tree_
    left, right = tree.children_left, tree.children_right
    depth = np.zeros(tree.node_count, dtype=np.intp)
    frontier = np.array([0])
    level = 0
    while frontier.size:
        depth[frontier] = level
        children = np.concatenate([left[frontier], right[frontier]])
        frontier = children[children >= 0]
        level += 1
    leaf = tree.feature < 0
    return {"depth": depth, "leaf": leaf, "feature": tree.feature, "samples": tree.n_node_samples}


@intermediate
def leaf_shape(dt_info: dict[str, np.ndarray]) -> np.ndarray:
    p = np.power(2.0, -dt_info["depth"][dt_info["leaf"]])
    return -p * np.log2(p)


@metafeature(_GROUP, target="supervised")
def leaves(dt_model: Any) -> float:
    return dt_model.tree_.n_leaves


@metafeature(_GROUP, target="supervised", summarised=True)
def leaves_branch(dt_info: dict[str, np.ndarray]) -> np.ndarray:
    return dt_info["depth"][dt_info["leaf"]]


@metafeature(_GROUP, target="supervised", summarised=True)
def leaves_corrob(dt_info: dict[str, np.ndarray]) -> np.ndarray:
    return dt_info["samples"][dt_info["leaf"]] / dt_info["samples"][0]


@metafeature(_GROUP, target="supervised", summarised=True)
def leaves_homo(dt_model: Any, leaf_shape: np.ndarray) -> np.ndarray:
    return dt_model.tree_.n_leaves / leaf_shape


@metafeature(_GROUP, target="class", summarised=True)
def leaves_per_class(dt_model: Any, dt_info: dict[str, np.ndarray]) -> np.ndarray:
    values = dt_model.tree_.value[dt_info["leaf"]]
    leaf_class = np.argmax(values.reshape(values.shape[0], -1), axis=1)
    _, counts = np.unique(leaf_class, return_counts=True)
    return counts / dt_model.tree_.n_leaves


@metafeature(_GROUP, target="supervised")
def nodes(dt_model: Any) -> float:
    return dt_model.tree_.node_count - dt_model.tree_.n_leaves


@metafeature(_GROUP, target="supervised")
def nodes_per_attr(dt_model: Any) -> float:
    return (dt_model.tree_.node_count - dt_model.tree_.n_leaves) / dt_model.tree_.n_features


@metafeature(_GROUP, target="supervised")
def nodes_per_inst(dt_model: Any) -> float:
    return (dt_model.tree_.node_count - dt_model.tree_.n_leaves) / dt_model.tree_.n_node_samples[0]


@metafeature(_GROUP, target="supervised", summarised=True)
def nodes_per_level(dt_info: dict[str, np.ndarray]) -> np.ndarray:
    return np.unique(dt_info["depth"][~dt_info["leaf"]], return_counts=True)[1]


@metafeature(_GROUP, target="supervised", summarised=True)
def nodes_repeated(dt_info: dict[str, np.ndarray]) -> np.ndarray:
    return np.unique(dt_info["feature"][~dt_info["leaf"]], return_counts=True)[1]


@metafeature(_GROUP, target="supervised", summarised=True)
def tree_depth(dt_info: dict[str, np.ndarray]) -> np.ndarray:
    return dt_info["depth"]


@metafeature(_GROUP, target="supervised", summarised=True)
def tree_imbalance(dt_info: dict[str, np.ndarray]) -> np.ndarray:
    p = np.power(2.0, -dt_info["depth"][dt_info["leaf"]])
    values, counts = np.unique(p, return_counts=True)
    aux = np.power(2.0, -values * counts)
    return -aux * np.log2(aux)


@metafeature(_GROUP, target="supervised", summarised=True)
def tree_shape(leaf_shape: np.ndarray) -> np.ndarray:
    return leaf_shape


@metafeature(_GROUP, target="supervised", summarised=True)
def var_importance(dt_model: Any) -> np.ndarray:
    return dt_model.feature_importances_
