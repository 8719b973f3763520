"""`build_knowledge_base(..., scheduler=...)` on a real Dask cluster (loopback) equals the local build."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from autometa.knowledge import KnowledgeBase, Protocol, build_knowledge_base

distributed = pytest.importorskip("distributed", reason="dask is not installed: pip install 'autometa[dask]'")

#: what may differ between two builds of the same base: timings and the machine
_VOLATILE = ["fit_seconds", "predict_seconds", "build_seconds", "machine"]


@pytest.mark.slow  # starting two worker processes takes ~20 s on a busy 2-core machine
def test_dask_build_equals_local_build(tiny_pmlb: Path, cheap_portfolio: pd.DataFrame, tmp_path: Path) -> None:
    protocol = Protocol(n_folds=2, max_rows=120)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=":0", worker_dashboard_address=":0") as cluster:
        report = build_knowledge_base(tmp_path / "dask", data_dir=tiny_pmlb, protocol=protocol,
                                      configurations=cheap_portfolio, scheduler=cluster.scheduler_address,
                                      metafeatures=False)
        with distributed.Client(cluster) as client:  # the work ran on the workers, not here
            ran = client.run(lambda: __import__("sys").modules.get("autometa.knowledge._evaluate") is not None)
    assert sorted(report.done) == ["cancer_small", "diabetes_small", "iris_small"]
    assert all(ran.values()) and len(ran) == 2
    build_knowledge_base(tmp_path / "local", data_dir=tiny_pmlb, protocol=protocol,
                         configurations=cheap_portfolio, metafeatures=False)
    remote, local = KnowledgeBase.load(tmp_path / "dask"), KnowledgeBase.load(tmp_path / "local")
    for table in ("datasets", "configurations", "evaluations"):
        a, b = getattr(remote, table), getattr(local, table)
        pd.testing.assert_frame_equal(a.drop(columns=[c for c in _VOLATILE if c in a]),
                                      b.drop(columns=[c for c in _VOLATILE if c in b]))
    assert remote.coverage() == local.coverage()


def test_unreachable_scheduler_is_a_clear_error() -> None:
    from autometa.exceptions import KnowledgeBaseError
    from autometa.knowledge.build import _dask_client

    with pytest.raises(KnowledgeBaseError, match="Dask scheduler at tcp://127.0.0.1:9"):
        _dask_client("tcp://127.0.0.1:9", timeout=1)
