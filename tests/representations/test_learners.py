"""The learned representations through metalearn's own leave-one-family-out evaluation."""

from __future__ import annotations

from autometa.metalearn import evaluate, synthetic_knowledge_base
from autometa.metalearn.encoded import dataset2vec_ranker, graph_ranker
from autometa.testing.representations import synthetic_tasks, task_registry


def test_learned_rankers_in_metalearn_evaluate() -> None:
    kb = synthetic_knowledge_base(2, kinds=("binary",))
    registry = task_registry(synthetic_tasks(kb))
    learners = {"d2v": dataset2vec_ranker(data_dir=registry, encoder_params={"steps": 5, "hidden": 8},
                                          n_estimators=10, min_child_samples=2),
                "graph": graph_ranker(data_dir=registry, encoder_params={"epochs": 5, "hidden": 8},
                                      n_estimators=10, min_child_samples=2)}
    result = evaluate(kb, learners)
    summary = result.summary()
    assert {"d2v", "graph"} <= set(summary["learner"])
    assert summary.loc[summary["learner"] == "d2v", "datasets"].iloc[0] == len(kb.datasets)
