"""The wheel carries every package and the shipped knowledge base."""

from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def setuptools_config() -> dict:
    tomllib = pytest.importorskip("tomllib", reason="tomllib needs Python 3.11")
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_package_is_listed(setuptools_config: dict) -> None:
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "autometa").rglob("__init__.py")}
    assert set(setuptools_config["packages"]) == found | {"autometa._metadata"}
    assert setuptools_config["package-dir"]["autometa._metadata"] == "metadata"


def test_every_file_of_the_shipped_base_is_package_data(setuptools_config: dict) -> None:
    patterns = setuptools_config["package-data"]["autometa._metadata"]
    tracked = [p for p in (ROOT / "metadata").iterdir() if p.is_file() and not p.name.startswith(".")
               and p.name != "__init__.py"]
    assert {"manifest.json", "evaluations.parquet", "datasets.parquet"} <= {p.name for p in tracked}
    missing = [p.name for p in tracked if not any(fnmatch.fnmatch(p.name, pat) for pat in patterns)]
    assert missing == []
