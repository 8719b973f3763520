"""A tiny PMLB-layout data folder built from scikit-learn's bundled sets, and a small portfolio."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest


def _write(root: Path, name: str, frame: pd.DataFrame, task: str, family: str) -> dict[str, object]:
    folder = root / name
    folder.mkdir(parents=True)
    frame.to_csv(folder / f"{name}.tsv.gz", sep="\t", index=False)
    return {"name": name, "task": task, "n_rows": len(frame), "n_features": frame.shape[1] - 1,
            "n_target_values": int(frame["target"].nunique()), "bytes": 0, "family": family}


@pytest.fixture(scope="session")
def tiny_pmlb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three small datasets (binary, multiclass, regression) in PMLB's layout."""
    from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris

    root = tmp_path_factory.mktemp("pmlb")
    rows = []
    bc = load_breast_cancer(as_frame=True).frame.rename(columns={"target": "target"}).iloc[::5, [0, 1, 2, 3, -1]]
    rows.append(_write(root, "cancer_small", bc.reset_index(drop=True), "classification", "cancer"))
    iris = load_iris(as_frame=True).frame
    rows.append(_write(root, "iris_small", iris, "classification", "iris"))
    diab = load_diabetes(as_frame=True).frame.iloc[::3, [0, 2, 3, 8, -1]]
    rows.append(_write(root, "diabetes_small", diab.reset_index(drop=True), "regression", "diabetes"))
    index = pd.DataFrame(rows)
    index.drop(columns=["family"]).to_csv(root / "index.tsv", sep="\t", index=False)
    index[["name", "family"]].to_csv(root / "families.tsv", sep="\t", index=False)
    return root


@pytest.fixture(scope="session")
def small_portfolio() -> pd.DataFrame:
    """The first configuration of each family: every family is exercised, quickly."""
    from autometa.pipelines import portfolio

    return portfolio().groupby("family", sort=False).head(1).reset_index(drop=True)


@pytest.fixture(scope="session")
def cheap_portfolio(small_portfolio: pd.DataFrame) -> pd.DataFrame:
    """Two fast configurations, for tests that build several times."""
    return small_portfolio[small_portfolio["family"].isin(["linear", "knn"])].reset_index(drop=True)


@pytest.fixture(scope="session")
def built_kb(tiny_pmlb: Path, small_portfolio: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete base: the three tiny datasets x one configuration per family, 2 folds."""
    from autometa.knowledge import Protocol, build_knowledge_base

    out = tmp_path_factory.mktemp("kb") / "kb"
    report = build_knowledge_base(out, data_dir=tiny_pmlb, protocol=Protocol(n_folds=2, max_rows=120),
                                  configurations=small_portfolio)
    assert len(report.done) == 3
    return out
