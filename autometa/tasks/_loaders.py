"""Turn whatever the user has into a validated :class:`~autometa.tasks.Task`.

Specs understood by :func:`load_task`:

- a :class:`Task` (returned as is);
- a pandas DataFrame with ``target=`` naming the target column, or ``X`` with ``y``;
- numpy arrays ``X`` with ``y``;
- a path to a CSV/TSV (optionally gzipped) or Parquet file, with ``target=``;
- ``"pmlb:NAME"``: a PMLB dataset from the data directory;
- ``"sklearn:NAME"``: one of scikit-learn's bundled datasets (iris, wine,
  breast_cancer, digits, diabetes);
- ``"openml:ID"``: an OpenML dataset through the ``openml`` package and its cache.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
import os
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from autometa.exceptions import DataError
from autometa.tasks._datadir import resolve_data_dir
from autometa.tasks._task import Task
from autometa.tasks._validation import split_target, validate

__all__ = ["load_task", "read_table", "SKLEARN_DATASETS"]

SKLEARN_DATASETS = ("iris", "wine", "breast_cancer", "digits", "diabetes")
_TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq")
_SNIFF_CHARS = 65_536  # how much of a text file the separator is guessed from


def read_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a CSV, TSV (optionally ``.gz``) or Parquet file into a DataFrame.

    Raises
    ------
    DataError
        When the file does not exist or is not a table.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"No such file: {path}.")
    if path.is_dir():
        raise DataError(f"{path} is a folder; pass a CSV, TSV or Parquet file.")
    suffixes = [s.lower() for s in path.suffixes]
    base = suffixes[-2] if suffixes and suffixes[-1] in (".gz", ".bz2", ".zip", ".xz") and len(suffixes) > 1 else (
        suffixes[-1] if suffixes else "")
    try:
        if base in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
        elif base in (".csv", ".tsv", ".txt", ""):
            sep = "\t" if base == ".tsv" else _sniff_separator(path)
            frame = pd.read_csv(path, sep=sep)
            # pandas renames a repeated header name (a, a.1) without a word: read the header as written
            header = pd.read_csv(path, sep=sep, header=None, nrows=1, dtype=str).iloc[0].dropna()
            repeated = header[header.duplicated()].unique().tolist()
            if repeated:
                raise DataError(f"{path} repeats the column name(s) {', '.join(map(repr, repeated))} in its "
                                "header; give each column its own name.")
        else:
            raise DataError(f"{path} is not a table autometa can read: use {', '.join(_TABLE_SUFFIXES)} "
                            "(optionally gzipped).")
    except DataError:
        raise
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, OSError,
            EOFError, csv.Error, zipfile.BadZipFile, lzma.LZMAError) as exc:
        reason = " ".join(str(exc).split())[:200]  # one line: the CLI prints it as its one-line reason
        raise DataError(f"{path} could not be read as a table ({type(exc).__name__}: {reason}).") from exc
    if frame.shape[1] < 2:
        raise DataError(f"{path} is not a table of features and a target: it has {frame.shape[1]} column(s) "
                        f"after parsing. Is it a CSV/TSV with a header row?")
    return frame


def _text_sample(path: Path, n_chars: int = _SNIFF_CHARS) -> str:
    """The first ``n_chars`` characters of a text file, decompressed by its suffix."""
    suffix = path.suffix.lower()
    if suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if not m.endswith("/")]
            if not members:
                return ""
            with archive.open(members[0]) as raw:
                return io.TextIOWrapper(raw, encoding="utf-8").read(n_chars)
    openers: dict[str, Callable[..., Any]] = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
    opener = openers.get(suffix, open)
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        return fh.read(n_chars)


def _sniff_separator(path: Path) -> str:
    """The separator of a delimited text file: whichever of , tab ; | splits its first lines evenly.

    pandas' own sniffing (``sep=None``) may pick any character, letters included, so a
    one-column text file would come back as a table split on its letters.
    """
    sample = _text_sample(path)
    if not sample.strip():
        raise DataError(f"{path} is empty; pass a CSV/TSV with a header row and one row per example.")
    lines = sample.splitlines()[:50]
    if len(sample) >= _SNIFF_CHARS and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut short
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=",\t;|").delimiter
    except csv.Error:
        return ","


def _from_sklearn(name: str) -> tuple[pd.DataFrame, pd.Series]:
    if name not in SKLEARN_DATASETS:
        raise DataError(f"Unknown scikit-learn dataset {name!r}; choose one of {', '.join(SKLEARN_DATASETS)}.")
    import sklearn.datasets

    bunch = getattr(sklearn.datasets, f"load_{name}")(as_frame=True)
    return bunch.data, bunch.target


#: a scipy sparse X is made dense up to this many cells (8 bytes each: 800 MB); the pipelines work on dense tables
MAX_DENSE_CELLS = 100_000_000


def densify(X: Any, owner: str) -> Any:
    """A scipy sparse ``X`` as a dense array (every pipeline works on dense tables); anything else as it is.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> densify(sp.eye(2, format="csr"), "fit")
    array([[1., 0.],
           [0., 1.]])
    """
    import scipy.sparse as sp

    if not sp.issparse(X):
        return X
    cells = int(X.shape[0]) * int(X.shape[1])
    if cells > MAX_DENSE_CELLS:
        raise DataError(f"{owner} makes a sparse X dense, and this one has {X.shape[0]:,} x {X.shape[1]:,} = "
                        f"{cells:,} cells (at most {MAX_DENSE_CELLS:,}); select or reduce its columns first "
                        "(e.g. sklearn.feature_selection or TruncatedSVD).")
    return X.toarray()


def _dense(spec: Any) -> np.ndarray:
    """An array-like (a scipy sparse matrix made dense by :func:`densify`) as an array."""
    return np.asarray(densify(spec, "load_task"))


def load_task(spec: Any, target: str | None = None, *, y: Any = None, name: str | None = None,
              kind: str | None = None, categorical: Any = None, data_dir: str | os.PathLike[str] | None = None,
              family: str | None = None) -> Task:
    """Load and validate a task.

    Parameters
    ----------
    spec : Task, DataFrame, ndarray, path or str
        What to load; see the module docstring for the schemes.
    target : str, optional
        Name of the target column for tables and files (PMLB's is ``"target"``).
    y : array-like, optional
        The target, when ``spec`` holds the features only.
    name : str, optional
        Name of the task (default: from the spec).
    kind : {"binary", "multiclass", "regression"}, optional
        Overrides the inferred kind.
    categorical : sequence of bool or of column names, optional
        Which columns are categorical (default: category/object/string/bool dtypes,
        and PMLB's feature types).
    data_dir : path, optional
        Data directory for ``pmlb:`` specs (default: ``$AUTOMETA_DATA_DIR``).
    family : str, optional
        Family name for leave-one-family-out evaluation (default: the name).

    Returns
    -------
    Task

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4], "b": ["x", "y", "x", "y"], "label": [0, 1, 0, 1]})
    >>> task = load_task(df, target="label", name="toy")
    >>> task.kind, task.categorical
    ('binary', [False, True])
    """
    if isinstance(spec, Task):
        return spec
    source = "dataframe"
    metadata: dict[str, Any] = {}
    cat_given = categorical
    if isinstance(spec, (str, os.PathLike)) and not isinstance(spec, pd.DataFrame):
        text = str(spec)
        scheme, _, rest = text.partition(":")
        if scheme == "pmlb" and rest:
            from autometa.tasks._pmlb import pmlb_index, read_pmlb

            root = resolve_data_dir(data_dir, collection="pmlb")
            X, y, pmlb_cat, metadata = read_pmlb(root, rest)
            cat_given = pmlb_cat if categorical is None else categorical
            name = name or rest
            info = pmlb_index(root).get(rest, {})
            family = family or info.get("family")
            kind = kind or info.get("kind")
            source = f"pmlb:{rest}"
        elif scheme == "sklearn" and rest:
            X, y = _from_sklearn(rest)
            name, source = name or rest, f"sklearn:{rest}"
        elif scheme == "openml" and rest:
            from autometa.tasks._openml import load_openml

            try:
                dataset_id = int(rest)
            except ValueError:
                raise DataError(f"OpenML ids are integers; got {rest!r} in {text!r}.") from None
            X, y, info = load_openml(dataset_id, target=target)
            cat_given = info.get("categorical") if categorical is None else categorical
            name, source = name or str(info.get("name", f"openml_{dataset_id}")), f"openml:{dataset_id}"
        else:
            path = Path(text)
            frame = read_table(path)
            X, y = split_target(frame, target, where=str(path))
            name, source = name or path.name.split(".")[0], f"file:{path}"
    elif isinstance(spec, pd.DataFrame):
        if y is None:
            X, y = split_target(spec, target, where="the DataFrame")
        else:
            X = spec
    else:
        if y is None:
            raise DataError("Pass the target too: load_task(X, y=y), or a DataFrame with target='column'.")
        X = spec if isinstance(spec, np.ndarray) else _dense(spec)
    if cat_given is not None and len(cat_given) and isinstance(next(iter(cat_given)), str):
        columns = [str(c) for c in (X.columns if isinstance(X, pd.DataFrame) else [])]
        unknown = [c for c in cat_given if c not in columns]
        if unknown:
            raise DataError(f"categorical names column(s) not in the table: {unknown}.")
        cat_given = [c in set(cat_given) for c in columns]
    X, y, kind, cat, dropped = validate(X, y, kind=kind, categorical=cat_given)
    if dropped:
        metadata["dropped_columns"] = dropped
    return Task(name=name or "task", X=X, y=y, kind=kind, categorical=cat, source=source,
                family=family or "", metadata=metadata)
