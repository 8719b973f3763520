"""PMLB datasets read from a data directory (``NAME/NAME.tsv.gz`` + ``metadata.yaml``).

Categorical columns come from ``metadata.yaml``: ``binary`` features are
categorical, ``discrete`` features are categorical when they have at most
:data:`MAX_DISCRETE_LEVELS` distinct values (PMLB integer-codes categories but also
calls counts "discrete"), ``continuous`` and ``ordinal`` features are numeric.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pandas as pd

from autometa.exceptions import DataError

__all__ = ["pmlb_index", "read_pmlb", "MAX_DISCRETE_LEVELS"]

MAX_DISCRETE_LEVELS = 16


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


_SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]*$")


def check_dataset_name(name: str, where: str = "a PMLB dataset name") -> str:
    """``name`` when it names one folder (letters, digits, ``_ . + -``; no ``/``, no ``..``), else DataError.

    Dataset names become paths (the data directory's folders, a knowledge build's
    files): a name such as ``../../x`` would read or write outside them.

    Examples
    --------
    >>> check_dataset_name("1027_ESL")
    '1027_ESL'
    >>> check_dataset_name("../../etc")
    Traceback (most recent call last):
    autometa.exceptions.DataError: '../../etc' is not a valid PMLB dataset name: ...
    """
    if not isinstance(name, str) or not _SAFE_NAME.match(name) or ".." in name:
        raise DataError(f"{name!r} is not a valid {where.replace('a ', '', 1)}: names are one folder's name "
                        "(letters, digits, '_', '.', '+', '-'), never a path such as '../x'.")
    return name


def pmlb_index(root: Path) -> dict[str, dict[str, Any]]:
    """Name -> info (kind, rows, features, family, source) for every dataset under ``root``.

    Reads ``index.tsv`` and ``families.tsv`` when present (fast: no data is read);
    otherwise lists the dataset folders and leaves the sizes unknown.
    """
    families = {}
    if (root / "families.tsv").exists():
        families = {r["name"]: r["family"] for r in _read_tsv(root / "families.tsv")}
    out: dict[str, dict[str, Any]] = {}
    if (root / "index.tsv").exists():
        for r in _read_tsv(root / "index.tsv"):
            check_dataset_name(r["name"], f"dataset name in {root / 'index.tsv'}")
            n_values = int(r["n_target_values"])
            kind = "regression" if r["task"] == "regression" else ("binary" if n_values == 2 else "multiclass")
            out[r["name"]] = {"name": r["name"], "kind": kind, "rows": int(r["n_rows"]),
                              "features": int(r["n_features"]), "family": families.get(r["name"], r["name"]),
                              "source": f"pmlb:{r['name']}"}
    else:
        for folder in sorted(p for p in root.iterdir() if (p / f"{p.name}.tsv.gz").exists()):
            out[folder.name] = {"name": folder.name, "kind": None, "rows": None, "features": None,
                                "family": families.get(folder.name, folder.name), "source": f"pmlb:{folder.name}"}
    return out


def _feature_types(meta_path: Path) -> tuple[dict[str, str], str | None]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with meta_path.open() as fh:
        meta = yaml.load(fh, Loader=loader) or {}
    types = {str(f["name"]): str(f.get("type", "")) for f in meta.get("features") or [] if "name" in f}
    return types, meta.get("task")


def read_pmlb(root: Path, name: str) -> tuple[pd.DataFrame, pd.Series, list[bool], dict[str, Any]]:
    """Read dataset ``name``: ``(X, y, categorical, metadata)``."""
    path = root / check_dataset_name(name) / f"{name}.tsv.gz"
    if not path.exists():
        import difflib

        names = sorted(p.name for p in root.iterdir() if p.is_dir())
        close = difflib.get_close_matches(name, names, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise DataError(f"PMLB dataset {name!r} is not in {root}.{hint} `autometa tasks list` shows them all.")
    frame = pd.read_csv(path, sep="\t")
    if "target" not in frame.columns:
        raise DataError(f"{path} has no 'target' column, as every PMLB file should; is the file damaged?")
    X, y = frame.drop(columns=["target"]), frame["target"]
    types: dict[str, str] = {}
    meta_path = root / name / "metadata.yaml"
    if meta_path.exists():
        types, _ = _feature_types(meta_path)
    nunique = X.nunique()
    categorical = []
    for col in X.columns:
        t = types.get(str(col), "")
        categorical.append(t in ("binary", "categorical", "nominal")
                           or (t == "discrete" and int(nunique[col]) <= MAX_DISCRETE_LEVELS))
    return X, y, categorical, {"feature_types": types, "path": str(path)}
