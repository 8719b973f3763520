"""Every loader of :func:`autometa.tasks.load_task`, and the files that are not tables.

The ``openml:`` loader has its own tests (``test_openml.py``). PMLB tests read the
shared data through the ``pmlb_dir`` fixture and use its smallest datasets; the
metadata rules are also tested on a PMLB-layout folder written here.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from autometa.exceptions import AutometaWarning, DataError
from autometa.tasks import (
    ENV_DATA_DIR,
    SKLEARN_DATASETS,
    Task,
    load_task,
    read_table,
    resolve_data_dir,
)

FRAME = pd.DataFrame({
    "num": [1.5, 2.0, 3.25, 4.0, 5.5, 6.0],
    "count": np.array([3, 1, 4, 1, 5, 9], dtype="int64"),
    "colour": ["red", "blue", "red", "green", "blue", "red"],
    "label": [0, 1, 0, 1, 1, 0],
})


# -- in-memory data --------------------------------------------------------

def test_dataframe_with_target() -> None:
    task = load_task(FRAME, target="label", name="toy")
    assert isinstance(task, Task)
    assert (task.name, task.kind, task.n_rows, task.n_features) == ("toy", "binary", 6, 3)
    assert task.source == "dataframe" and task.family == "toy"
    assert task.categorical == [False, False, True]
    assert task.categorical_columns == ["colour"]
    assert task.X.dtypes.tolist() == FRAME.drop(columns="label").dtypes.tolist()
    assert task.y.name == "label" and task.y.tolist() == FRAME["label"].tolist()
    assert task.n_classes == 2 and task.is_classification


def test_dataframe_with_separate_y_and_family() -> None:
    task = load_task(FRAME.drop(columns="label"), y=FRAME["label"], name="toy", family="toys")
    assert task.n_features == 3 and task.family == "toys"


def test_dataframe_dtypes_kept() -> None:
    df = pd.DataFrame({
        "i8": np.array([1, 2, 3, 4], dtype="int8"),
        "f32": np.array([0.5, 1.5, 2.5, 3.5], dtype="float32"),
        "cat": pd.Categorical(["a", "b", "a", "c"]),
        "flag": [True, False, True, False],
        "obj": pd.Series(["u", "v", "w", "u"], dtype=object),
        "nullable": pd.array([1, None, 3, 4], dtype="Int64"),
        "y": ["p", "q", "r", "p"],
    })
    task = load_task(df, target="y")
    assert task.X.dtypes.to_dict() == df.drop(columns="y").dtypes.to_dict()
    assert task.categorical == [False, False, True, True, True, False]
    assert task.kind == "multiclass" and task.n_classes == 3
    assert task.summary()["missing_cells"] == 1


def test_numpy_arrays() -> None:
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 3)), rng.normal(size=20)
    task = load_task(X, y=y)
    assert (task.kind, task.n_rows, task.n_features, task.name) == ("regression", 20, 3, "task")
    assert list(task.X.columns) == ["x0", "x1", "x2"]
    assert task.categorical == [False] * 3
    assert task.n_classes is None and not task.is_classification
    summary = task.summary()
    assert summary["target_mean"] == pytest.approx(float(y.mean()))
    assert "classes" not in summary


def test_list_inputs_and_kind_override() -> None:
    task = load_task([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 1.0]], y=[0, 1, 2, 3], kind="regression")
    assert task.kind == "regression"


def test_task_passes_through() -> None:
    task = load_task(FRAME, target="label")
    assert load_task(task) is task


# -- files -----------------------------------------------------------------

def _write(frame: pd.DataFrame, path: Path) -> Path:
    name = path.name
    if name.endswith((".parquet", ".pq")):
        frame.to_parquet(path, index=False)
    else:
        sep = "\t" if ".tsv" in name else (";" if name.startswith("semicolon") else ",")
        frame.to_csv(path, sep=sep, index=False)  # pandas gzips by the .gz suffix
    return path


@pytest.mark.parametrize("filename", ["data.csv", "data.tsv", "data.csv.gz", "data.tsv.gz", "data.txt",
                                      "semicolon.csv", "data.parquet", "data.pq", "noext"])
def test_table_files(tmp_path: Path, filename: str) -> None:
    path = _write(FRAME, tmp_path / filename)
    task = load_task(path, target="label")
    assert (task.kind, task.n_rows, task.n_features) == ("binary", 6, 3)
    assert task.name == filename.split(".")[0]
    assert task.source == f"file:{path}"
    assert task.categorical == [False, False, True]
    assert task.X["num"].tolist() == FRAME["num"].tolist()
    assert task.X["colour"].tolist() == FRAME["colour"].tolist()
    # a path given as a string works the same
    assert load_task(str(path), target="label").n_rows == 6


def test_parquet_keeps_dtypes(tmp_path: Path) -> None:
    df = pd.DataFrame({"i": np.array([1, 2, 3], dtype="int32"), "c": pd.Categorical(["a", "b", "a"]),
                       "b": [True, False, True], "t": [0.5, 1.5, 2.5]})
    task = load_task(_write(df, tmp_path / "typed.parquet"), target="t", kind="regression")
    assert task.X["i"].dtype == np.int32
    assert isinstance(task.X["c"].dtype, pd.CategoricalDtype)
    assert task.categorical == [False, True, True]


def test_file_target_misspelt(tmp_path: Path) -> None:
    path = _write(FRAME, tmp_path / "data.csv")
    with pytest.raises(DataError, match=r"'lable' is not in .*data\.csv\. Did you mean 'label'\?"):
        load_task(path, target="lable")
    with pytest.raises(DataError, match=r"No target column given for .*data\.csv: pass target=NAME"):
        load_task(path)


def _junk(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 8)


NOT_TABLES = {
    "binary junk .csv": ("junk.csv", _junk, ["junk.csv", "could not be read as a table", "UnicodeDecodeError"]),
    "binary junk .parquet": ("junk.parquet", _junk, ["junk.parquet", "could not be read as a table"]),
    "junk .csv.gz": ("junk.csv.gz", _junk, ["junk.csv.gz", "could not be read as a table"]),
    "one-column text": ("words.txt", lambda p: p.write_text("hello\nworld\nfoo bar\n"),
                        ["words.txt", "is not a table of features and a target", "1 column(s)", "header row"]),
    "one-column csv": ("values.csv", lambda p: p.write_text("x\n1\n2\n3\n"), ["values.csv", "1 column(s)"]),
    "empty file": ("empty.csv", lambda p: p.write_text(""), ["empty.csv", "is empty"]),
    "blank lines": ("blank.csv", lambda p: p.write_text("\n\n  \n"), ["blank.csv", "is empty"]),
    "header only": ("header.csv", lambda p: p.write_text("a,b,label\n"), ["The table is empty", "no rows"]),
    "ragged rows": ("ragged.csv", lambda p: p.write_text("a,b\n1,2\n3,4,5\n"),
                    ["ragged.csv", "could not be read as a table", "Expected 2 fields in line 3"]),
    "repeated header name": ("dup.csv", lambda p: p.write_text("a,b,a,label\n1,2,3,0\n4,5,6,1\n"),
                             ["dup.csv", "repeats the column name(s) 'a'", "give each column its own name"]),
    "unknown suffix": ("data.json", lambda p: p.write_text("{}"), ["data.json", "is not a table autometa can read", ".csv"]),
    "gzipped junk text": ("junk.tsv.gz", lambda p: p.write_bytes(gzip.compress(os.urandom(64))),
                          ["junk.tsv.gz", "could not be read as a table"]),
}


@pytest.mark.parametrize("case", list(NOT_TABLES))
def test_file_that_is_not_a_table(tmp_path: Path, case: str) -> None:
    filename, write, fragments = NOT_TABLES[case]
    path = tmp_path / filename
    write(path)
    with pytest.raises(DataError) as info:
        load_task(path, target="label")
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="No such file: .*nope.csv"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="is a folder; pass a CSV, TSV or Parquet file"):
        read_table(tmp_path)


# -- sklearn ---------------------------------------------------------------

SKLEARN_SHAPES = {"iris": ("multiclass", 150, 4), "wine": ("multiclass", 178, 13),
                  "breast_cancer": ("binary", 569, 30), "digits": ("multiclass", 1797, 61),
                  "diabetes": ("regression", 442, 10)}


@pytest.mark.parametrize("name", SKLEARN_DATASETS)
def test_sklearn(name: str) -> None:
    if name == "digits":  # three pixels are always blank
        with pytest.warns(AutometaWarning, match="Dropping 3 constant"):
            task = load_task(f"sklearn:{name}")
    else:
        task = load_task(f"sklearn:{name}")
    assert (task.kind, task.n_rows, task.n_features) == SKLEARN_SHAPES[name]
    assert (task.name, task.source) == (name, f"sklearn:{name}")


def test_sklearn_unknown() -> None:
    with pytest.raises(DataError, match="Unknown scikit-learn dataset 'irsi'; choose one of iris, wine"):
        load_task("sklearn:irsi")


def test_openml_id_must_be_an_integer() -> None:
    with pytest.raises(DataError, match="OpenML ids are integers; got 'iris'"):
        load_task("openml:iris")


# -- PMLB (shared data) ----------------------------------------------------

def test_pmlb_via_data_dir(pmlb_dir: Path) -> None:
    task = load_task("pmlb:analcatdata_happiness", data_dir=pmlb_dir)
    assert (task.name, task.kind, task.n_rows, task.n_features) == ("analcatdata_happiness", "multiclass", 60, 3)
    assert task.source == "pmlb:analcatdata_happiness"
    assert task.family == "analcatdata"  # from families.tsv
    # metadata.yaml: two discrete features with few levels, one continuous
    assert task.categorical == [True, True, False]
    assert task.metadata["feature_types"] == {"Years_of_schooling": "discrete", "Siblings": "discrete",
                                              "Count": "continuous"}
    assert task.X.dtypes.tolist() == [np.dtype("int64"), np.dtype("int64"), np.dtype("float64")]


def test_pmlb_via_environment(pmlb_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_DATA_DIR, str(pmlb_dir))
    task = load_task("pmlb:mux6")
    assert (task.kind, task.n_rows, task.n_features) == ("binary", 128, 6)
    assert task.categorical == [True] * 6  # all binary in metadata.yaml


def test_pmlb_data_dir_is_the_parent(pmlb_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_task("pmlb:mux6", data_dir=pmlb_dir.parent).n_rows == 128
    monkeypatch.setenv(ENV_DATA_DIR, str(pmlb_dir.parent))
    assert resolve_data_dir() == pmlb_dir


def test_pmlb_regression_and_kind_override(pmlb_dir: Path) -> None:
    task = load_task("pmlb:1096_FacultySalaries", data_dir=pmlb_dir)
    assert (task.kind, task.family) == ("regression", "FacultySalaries")
    assert task.categorical == [False] * 4
    override = load_task("pmlb:analcatdata_happiness", data_dir=pmlb_dir, kind="regression", name="happy")
    assert (override.kind, override.name) == ("regression", "happy")


def test_pmlb_unknown_name_suggests(pmlb_dir: Path) -> None:
    with pytest.raises(DataError, match=r"PMLB dataset 'mux7' is not in .*Did you mean mux6\?"):
        load_task("pmlb:mux7", data_dir=pmlb_dir)


def test_no_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(ENV_DATA_DIR, raising=False)
    with pytest.raises(DataError, match=f"No data directory for 'pmlb': pass data_dir=.*or set {ENV_DATA_DIR}"):
        load_task("pmlb:mux6")
    with pytest.raises(DataError, match=f"No 'pmlb' collection at {tmp_path}"):
        load_task("pmlb:mux6", data_dir=tmp_path)


# -- PMLB layout written here ------------------------------------------------

METADATA = """dataset: tiny
task: classification
target:
  type: binary
features:
  - name: flag
    type: binary
  - name: code
    type: discrete
  - name: many
    type: discrete
  - name: size
    type: continuous
"""


@pytest.fixture
def tiny_pmlb(tmp_path: Path) -> Path:
    """A ``pmlb`` folder with one dataset and no index.tsv."""
    root = tmp_path / "pmlb"
    (root / "tiny").mkdir(parents=True)
    n = 40
    frame = pd.DataFrame({"flag": np.arange(n) % 2, "code": np.arange(n) % 5, "many": np.arange(n),
                          "size": np.linspace(0.0, 1.0, n), "target": (np.arange(n) // 3) % 2})
    frame.to_csv(root / "tiny" / "tiny.tsv.gz", sep="\t", index=False)
    (root / "tiny" / "metadata.yaml").write_text(METADATA)
    return root


def test_pmlb_metadata_types(tiny_pmlb: Path) -> None:
    task = load_task("pmlb:tiny", data_dir=tiny_pmlb)
    # binary -> categorical; discrete with few levels -> categorical; discrete counts and continuous -> numeric
    assert task.categorical == [True, True, False, False]
    assert (task.kind, task.family) == ("binary", "tiny")


def test_pmlb_without_metadata(tiny_pmlb: Path) -> None:
    (tiny_pmlb / "tiny" / "metadata.yaml").unlink()
    task = load_task("pmlb:tiny", data_dir=tiny_pmlb)
    assert task.categorical == [False] * 4
