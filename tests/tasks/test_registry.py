"""The :class:`TaskRegistry`: lazy listing, loading and caching, filters, names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from autometa.exceptions import DataError
from autometa.tasks import Task, TaskRegistry, load_task

N_PMLB = 233


@pytest.fixture
def pmlb_registry(pmlb_dir: Path) -> TaskRegistry:
    return TaskRegistry.from_data_dir(pmlb_dir)


def _toy(n: int = 8, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), "label": np.arange(n) % 2})


# -- the PMLB data directory ---------------------------------------------------

def test_lists_pmlb_without_loading_data(pmlb_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_reading(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("listing must not read any dataset")

    monkeypatch.setattr(pd, "read_csv", no_reading)
    monkeypatch.setattr("autometa.tasks._pmlb.read_pmlb", no_reading)
    registry = TaskRegistry.from_data_dir(pmlb_dir)
    assert len(registry) == N_PMLB
    table = registry.table()
    assert list(table.columns) == ["name", "kind", "rows", "features", "family", "source"]
    assert len(table) == N_PMLB and table["name"].is_unique
    assert set(table["kind"]) == {"binary", "multiclass", "regression"}
    assert table[["rows", "features"]].notna().all().all()
    assert registry.info("mux6") == {"name": "mux6", "kind": "binary", "rows": 128, "features": 6,
                                     "family": "mux6", "source": "pmlb:mux6"}
    assert registry.info("analcatdata_happiness")["family"] == "analcatdata"


def test_list_filters(pmlb_registry: TaskRegistry) -> None:
    reg = pmlb_registry
    binary, multi, regr = (reg.list(kind=k) for k in ("binary", "multiclass", "regression"))
    assert len(binary) + len(multi) + len(regr) == N_PMLB
    assert all(len(names) > 10 for names in (binary, multi, regr))
    assert reg.list(kind="classification") == sorted(binary + multi)
    assert reg.list(kind=("binary", "regression")) == sorted(binary + regr)
    assert "mux6" in binary and "1096_FacultySalaries" in regr and "analcatdata_happiness" in multi

    fried = reg.list(pattern="*_fri_c*")
    assert fried and all("_fri_c" in n for n in fried)
    assert fried == reg.list(family="fri")
    assert reg.list(pattern="mux6") == ["mux6"]

    small = reg.list(max_rows=60)
    assert small and all(reg.info(n)["rows"] <= 60 for n in small)
    assert "analcatdata_happiness" in small and "mux6" not in small
    big = reg.list(min_rows=10_000)
    assert big and all(reg.info(n)["rows"] >= 10_000 for n in big)
    assert sorted(small + big + reg.list(min_rows=61, max_rows=9_999)) == reg.list()
    assert reg.list(kind="regression", max_rows=60) == sorted(set(regr) & set(small))


def test_list_unknown_kind(pmlb_registry: TaskRegistry) -> None:
    with pytest.raises(DataError, match="Unknown kind\\(s\\) 'regresion'; use one of binary, multiclass, regression"):
        pmlb_registry.list(kind="regresion")


def test_get_loads_once_and_caches(pmlb_registry: TaskRegistry, monkeypatch: pytest.MonkeyPatch) -> None:
    import autometa.tasks._pmlb as pmlb

    calls: list[str] = []
    real = pmlb.read_pmlb

    def counting(root: Path, name: str) -> Any:
        calls.append(name)
        return real(root, name)

    monkeypatch.setattr(pmlb, "read_pmlb", counting)
    task = pmlb_registry.get("mux6")
    assert isinstance(task, Task) and (task.kind, task.n_rows, task.family) == ("binary", 128, "mux6")
    assert pmlb_registry.get("mux6") is task
    assert calls == ["mux6"]


def test_filter_makes_a_lazy_subregistry(pmlb_registry: TaskRegistry) -> None:
    loaded = pmlb_registry.get("mux6")
    sub = pmlb_registry.filter(kind="binary", max_rows=200)
    assert isinstance(sub, TaskRegistry)
    assert list(sub) == pmlb_registry.list(kind="binary", max_rows=200)
    assert "mux6" in sub and "1096_FacultySalaries" not in sub
    assert sub.get("mux6") is loaded
    assert sub.get("corral").n_rows == 160


def test_unknown_name_suggests(pmlb_registry: TaskRegistry) -> None:
    with pytest.raises(DataError, match=r"No task named 'mux7' in the registry\. Did you mean mux6\?"):
        pmlb_registry.get("mux7")
    with pytest.raises(DataError, match="No task named 'nothing_like_it' in the registry.$"):
        pmlb_registry.info("nothing_like_it")


def test_data_dir_from_environment(pmlb_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOMETA_DATA_DIR", str(pmlb_dir.parent))
    assert len(TaskRegistry.from_data_dir()) == N_PMLB


# -- registering ---------------------------------------------------------------

def test_register_and_get() -> None:
    reg = TaskRegistry()
    assert reg.register(_toy(), target="label", name="toy") == "toy"
    assert reg.register("sklearn:iris") == "iris"
    assert list(reg) == ["iris", "toy"] and len(reg) == 2 and "toy" in reg and "nope" not in reg
    assert reg.list(kind="multiclass") == ["iris"]
    assert reg.info("toy")["rows"] == 8 and reg.info("toy")["source"] == "dataframe"
    assert reg.get("iris").n_rows == 150
    assert repr(reg) == "TaskRegistry(2 tasks)"


def test_duplicate_name() -> None:
    reg = TaskRegistry()
    reg.register(_toy(), target="label", name="toy")
    with pytest.raises(DataError, match="A task named 'toy' is already registered; pass replace=True or another name"):
        reg.register(_toy(n=12), target="label", name="toy")
    assert reg.get("toy").n_rows == 8
    reg.register(_toy(n=12), target="label", name="toy", replace=True)
    assert reg.get("toy").n_rows == 12
    with pytest.raises(DataError, match="already registered"):
        reg.register_lazy("toy", lambda: load_task(_toy(), target="label"), {"kind": "binary"})


def test_register_lazy() -> None:
    reg = TaskRegistry()
    calls: list[int] = []

    def loader() -> Task:
        calls.append(1)
        return load_task(_toy(n=10), target="label", name="later")

    reg.register_lazy("later", loader, {"kind": "binary"})
    assert calls == []
    assert reg.info("later") == {"name": "later", "kind": "binary", "rows": None, "features": None,
                                 "family": None, "source": None}
    assert reg.list(min_rows=1) == [] and reg.list(kind="binary") == ["later"]
    assert reg.get("later").n_rows == 10 and reg.get("later").n_rows == 10
    assert calls == [1]
    assert reg.info("later")["rows"] == 10 and reg.list(min_rows=1) == ["later"]


def test_failing_loader_fails_again_on_retry() -> None:
    reg = TaskRegistry()
    reg.register_lazy("broken", lambda: load_task(_toy().iloc[:0], target="label"), {})
    for _ in range(2):
        with pytest.raises(DataError, match="The table is empty"):
            reg.get("broken")


def test_pmlb_folder_without_index(tmp_path: Path) -> None:
    root = tmp_path / "pmlb"
    for name in ("one", "two"):
        (root / name).mkdir(parents=True)
        _toy(n=20).rename(columns={"label": "target"}).to_csv(root / name / f"{name}.tsv.gz", sep="\t", index=False)
    (root / "families.tsv").write_text("name\tfamily\none\tpair\ntwo\tpair\n")
    (root / "not_a_dataset").mkdir()
    reg = TaskRegistry.from_data_dir(root)
    assert list(reg) == ["one", "two"]
    assert reg.info("one")["rows"] is None and reg.info("one")["kind"] is None
    assert reg.list(family="pair") == ["one", "two"]
    assert reg.get("one").kind == "binary"
    assert reg.info("one")["rows"] == 20
