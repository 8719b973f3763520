"""Where the data collections (PMLB, Omniglot) live on disk.

A data directory is given as an argument or by the ``AUTOMETA_DATA_DIR`` variable.
It may point at a collection itself (``.../data/pmlb``) or at its parent
(``.../data``); a sibling collection is found next to the one named, so
``AUTOMETA_DATA_DIR=../shared/data/pmlb`` also finds ``../shared/data/omniglot``.
"""

from __future__ import annotations

import os
from pathlib import Path

from autometa.exceptions import DataError

__all__ = ["resolve_data_dir", "ENV_DATA_DIR"]

ENV_DATA_DIR = "AUTOMETA_DATA_DIR"

# a file that tells a collection's folder apart from any other
_MARKERS = {"pmlb": "index.tsv", "omniglot": "images_background_small1.zip"}


def _looks_like(path: Path, collection: str) -> bool:
    marker = _MARKERS.get(collection)
    return path.is_dir() and (marker is None or (path / marker).exists() or path.name == collection)


def resolve_data_dir(data_dir: str | os.PathLike[str] | None = None, *, collection: str = "pmlb") -> Path:
    """Return the folder of ``collection`` from ``data_dir`` or ``$AUTOMETA_DATA_DIR``.

    Raises
    ------
    DataError
        When neither is set or the folder has no such collection.
    """
    given = data_dir if data_dir is not None else os.environ.get(ENV_DATA_DIR)
    if not given:
        raise DataError(f"No data directory for {collection!r}: pass data_dir=... (--data-dir on the command "
                        f"line) or set {ENV_DATA_DIR}, e.g. {ENV_DATA_DIR}=../shared/data/pmlb.")
    base = Path(given).expanduser()
    for candidate in (base, base / collection, base.parent / collection):
        if _looks_like(candidate, collection):
            return candidate.resolve()
    source = "data_dir" if data_dir is not None else ENV_DATA_DIR
    raise DataError(f"No {collection!r} collection at {base} (from {source}): expected {base}/{collection} "
                    f"or a folder holding {_MARKERS.get(collection, 'its files')}.")
