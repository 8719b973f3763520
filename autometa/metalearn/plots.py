"""A picture of where a new dataset sits among the knowledge base's datasets."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from autometa.exceptions import DataError

__all__ = ["neighbour_map", "plot_neighbours"]


def neighbour_map(X: Any, y: Any = None, *, knowledge_base: Any = None, top: int = 5,
                  kind: str | None = None) -> pd.DataFrame:
    """The knowledge base's datasets and the new one on two principal components of the meta-feature vectors.

    Returns one row per dataset (``dataset``, ``x``, ``y``, ``kind``, ``neighbour``:
    the rank among the ``top`` nearest the default meta-learner weighs, or 0), the
    new dataset last with ``dataset = "(yours)"``.
    """
    from autometa.knowledge import KnowledgeBase
    from autometa.metafeatures.vector import MetafeatureEncoder
    from autometa.metalearn._encoding import encode_knowledge_base, encode_query
    from autometa.metalearn.recommend import recommend
    from autometa.tasks import Task, load_task

    task = X if isinstance(X, Task) else (load_task(X, target=y, kind=kind) if isinstance(y, str)
                                          else load_task(X, y=y, kind=kind))
    kb = knowledge_base if knowledge_base is not None else KnowledgeBase.load()
    encoder = MetafeatureEncoder().fit(kb.metafeatures)
    vectors = encode_knowledge_base(encoder, kb)
    query = encode_query(encoder, task)
    matrix = np.vstack([vectors.to_numpy(dtype=float), query[None, :]])
    centred = matrix - matrix[:-1].mean(axis=0)
    _, _, vt = np.linalg.svd(centred[:-1], full_matrices=False)
    xy = centred @ vt[:2].T
    recs = recommend(task, top=1, knowledge_base=knowledge_base)
    near = [str(n["dataset"]) for n in recs.attrs.get("neighbours", [])][:top]
    names = [*map(str, vectors.index), "(yours)"]
    kinds = [str(kb.datasets.at[d, "kind"]) if d in kb.datasets.index else "" for d in vectors.index]
    return pd.DataFrame({"dataset": names, "x": xy[:, 0], "y": xy[:, 1], "kind": [*kinds, task.kind],
                         "neighbour": [near.index(n) + 1 if n in near else 0 for n in names]})


def plot_neighbours(X: Any, y: Any = None, *, knowledge_base: Any = None, top: int = 5, kind: str | None = None,
                    ax: Any = None) -> Any:
    """Your dataset (a star) among the knowledge base's (dots, by kind), its ``top`` nearest named.

    The plane is the first two principal components of the meta-feature vectors
    (:class:`~autometa.metafeatures.vector.MetafeatureEncoder`, the default
    meta-learner's); the nearest are the ones the default meta-learner weighs for
    the recommendation, which measures distance in all dimensions, so a neighbour
    may look farther on the plane than a dataset that is not one.
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - the extra is installed in the tests
        raise DataError("Plots need matplotlib: pip install 'autometa[plot]'.") from exc
    frame = neighbour_map(X, y, knowledge_base=knowledge_base, top=top, kind=kind)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 5))
    base = frame.iloc[:-1]
    for i, (name, part) in enumerate(base.groupby("kind", sort=True)):
        ax.scatter(part["x"], part["y"], s=12, alpha=0.5, color=f"C{i}", label=name)
    near = base[base["neighbour"] > 0].sort_values("neighbour")
    ax.scatter(near["x"], near["y"], s=40, facecolors="none", edgecolors="black", label=f"{len(near)} nearest")
    for _, row in near.iterrows():
        ax.annotate(f"{int(row['neighbour'])}. {row['dataset']}", (row["x"], row["y"]), fontsize="small",
                    xytext=(4, 4), textcoords="offset points")
    yours = frame.iloc[-1]
    ax.scatter([yours["x"]], [yours["y"]], marker="*", s=250, color="red", label="your dataset", zorder=5)
    ax.set_xlabel("first principal component")
    ax.set_ylabel("second principal component")
    ax.set_title("your dataset among the knowledge base's")
    ax.legend(fontsize="small", loc="best")
    return ax
