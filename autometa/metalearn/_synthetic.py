"""A small synthetic knowledge base where the right recommendation is known.

Datasets fall in two clusters, told apart by three meta-features
(``signal_0..2``: about -3 in cluster A, +3 in cluster B) among five that are
noise (``nr_inst``, ``nr_attr``, ``attr_to_inst``, ``noise_0..1``) and one mostly
missing.
Configurations: ``alpha-000``/``alpha-001`` (near-copies, best on cluster A, bad
on B), ``beta-000``/``beta-001`` (the reverse), ``gamma-000`` (third everywhere,
so best on *average rank* while never best on any dataset), and six mediocre
``delta`` configurations. Alphas are slow to fit, betas fast. Used by the tests,
the docstring examples and the conformance suite.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["synthetic_knowledge_base"]

#: (family, params) of the synthetic portfolio, in order
_CONFIGS: list[tuple[str, str, dict[str, Any]]] = [
    ("alpha-000", "alpha", {"depth": 3, "rate": 0.1}),
    ("alpha-001", "alpha", {"depth": 3, "rate": 0.11}),
    ("beta-000", "beta", {"C": 1.0, "kernel": "rbf"}),
    ("beta-001", "beta", {"C": 10.0, "kernel": "linear"}),
    ("gamma-000", "gamma", {"k": 5}),
    *[(f"delta-{i:03d}", "delta", {"width": 2 ** i}) for i in range(6)],
]


def _score_table(cluster: str, rng: np.random.Generator) -> dict[str, float]:
    """Mean normalisable scores of every configuration on one dataset of ``cluster``."""
    own, other = ("alpha", "beta") if cluster == "a" else ("beta", "alpha")
    top = 0.93 if cluster == "a" else 0.92
    scores = {f"{own}-000": top, f"{own}-001": top - 0.001,
              f"{other}-000": 0.50, f"{other}-001": 0.49, "gamma-000": 0.85}
    for i in range(6):
        scores[f"delta-{i:03d}"] = 0.70 + 0.01 * i
    return {k: v + float(rng.normal(0, 0.002)) for k, v in scores.items()}


def _fit_seconds(config_id: str, rows: int) -> float:
    base = {"alpha": 5.0, "beta": 0.05, "gamma": 0.5, "delta": 0.2}[config_id.split("-")[0]]
    return base * rows / 1000.0


def synthetic_knowledge_base(n_per_cluster: int = 12, *, kinds: tuple[str, ...] = ("binary", "regression"),
                             seed: int = 0) -> Any:
    """Build the two-cluster :class:`~autometa.knowledge.KnowledgeBase` in memory.

    Parameters
    ----------
    n_per_cluster : int
        Datasets per cluster and kind; names look like ``cls_a_00`` / ``reg_b_03``.
    kinds : tuple of str
        Kinds of datasets to make (``"binary"``, ``"multiclass"``, ``"regression"``).
    seed : int
        Seed of the noise.

    Returns
    -------
    KnowledgeBase

    Examples
    --------
    >>> kb = synthetic_knowledge_base(4)
    >>> kb.scores(kind="classification").shape
    (8, 11)
    """
    from autometa.knowledge import KnowledgeBase, Protocol

    rng = np.random.default_rng(seed)
    datasets, metafeatures, evaluations = [], [], []
    prefixes = {"binary": "cls", "multiclass": "mc", "regression": "reg"}
    for kind in kinds:
        for cluster in ("a", "b"):
            for i in range(n_per_cluster):
                name = f"{prefixes[kind]}_{cluster}_{i:02d}"
                rows = int(rng.integers(200, 2000))
                features = int(rng.integers(3, 40))
                datasets.append({"dataset": name, "source": "synthetic", "kind": kind, "rows": rows,
                                 "features": features, "rows_used": rows,
                                 "n_classes": None if kind == "regression" else (2 if kind == "binary" else 3),
                                 "family": f"{prefixes[kind]}_{cluster}{i // 2}", "checksum": f"{i:016d}"})
                centre = -3.0 if cluster == "a" else 3.0
                metafeatures.append({"dataset": name, "nr_inst": float(rows), "nr_attr": float(features),
                                     "attr_to_inst": features / rows,
                                     **{f"signal_{j}": centre + float(rng.normal(0, 0.5)) for j in range(3)},
                                     **{f"noise_{j}": float(rng.normal()) for j in range(2)},
                                     "mostly_nan": float(rng.normal()) if rng.random() < 0.2 else np.nan})
                means = _score_table(cluster, rng)
                for config_id, mean in means.items():
                    for fold in range(3):
                        value = mean + float(rng.normal(0, 0.001))
                        failed = config_id == "delta-005" and i == 0
                        rec: dict[str, Any] = {"dataset": name, "config_id": config_id, "fold": fold,
                                               "status": "error" if failed else "ok",
                                               "error": "synthetic failure" if failed else "",
                                               "accuracy": np.nan, "balanced_accuracy": np.nan,
                                               "roc_auc": np.nan, "log_loss": np.nan, "r2": np.nan,
                                               "rmse": np.nan, "mae": np.nan,
                                               "fit_seconds": _fit_seconds(config_id, rows) * (1 + 0.05 * fold),
                                               "predict_seconds": 0.01}
                        if not failed and kind == "regression":
                            rec.update(r2=value, rmse=1.0 - value, mae=0.8 * (1.0 - value))
                        elif not failed:
                            rec.update(accuracy=value, balanced_accuracy=value, roc_auc=min(value + 0.03, 1.0),
                                       log_loss=1.0 - value)
                        evaluations.append(rec)
    configurations = pd.DataFrame([{"config_id": cid, "family": fam, "params": json.dumps(p, sort_keys=True),
                                    "origin": "synthetic"} for cid, fam, p in _CONFIGS])
    manifest = {"schema_version": 1, "protocol": Protocol().to_dict(), "updated": f"synthetic-{seed}",
                "datasets": {"n": len(datasets)}}
    return KnowledgeBase(pd.DataFrame(datasets), pd.DataFrame(metafeatures), configurations,
                         pd.DataFrame(evaluations), manifest)
