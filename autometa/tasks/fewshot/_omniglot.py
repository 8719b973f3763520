"""The ``omniglot`` family, read straight from the Omniglot zip files, and the 20-way benchmark."""

from __future__ import annotations

import functools
import os
import re
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from autometa.exceptions import DataError
from autometa.tasks.fewshot._base import Episode, FewShotFamily, n_way_k_shot_indices, split_items
from autometa.tasks.fewshot._png import decode_png

__all__ = ["OmniglotFamily", "load_all_runs", "resolve_omniglot_dir", "load_characters"]

_RUN_LABEL = re.compile(r"(run\d+)/test/(item\d+)\.png\s+(?:run\d+/)?training/class(\d+)\.png")


def resolve_omniglot_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The folder holding the Omniglot zips (or their extracted folders).

    Looks at ``data_dir``, then ``$AUTOMETA_DATA_DIR`` (the folder itself, its
    ``omniglot`` child or sibling), then ``../shared/data/omniglot`` next to the
    repository.

    Raises
    ------
    DataError
        When none of them holds Omniglot.
    """
    from autometa.tasks._datadir import ENV_DATA_DIR, resolve_data_dir

    if data_dir is not None or os.environ.get(ENV_DATA_DIR):
        try:
            return resolve_data_dir(data_dir, collection="omniglot")
        except DataError:
            if data_dir is not None and Path(data_dir).is_dir() and _sources(Path(data_dir)):
                return Path(data_dir).resolve()
            raise
    fallback = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "omniglot"
    if fallback.is_dir():
        return fallback
    raise DataError(f"No Omniglot data: pass data_dir=... (--data-dir) or set {ENV_DATA_DIR}; "
                    f"looked for {fallback}.")


def _sources(root: Path) -> list[Path]:
    """Zip files and extracted folders of character images under ``root`` (not all_runs)."""
    found = sorted(p for p in root.glob("images_*.zip"))
    zipped = {p.stem for p in found}
    found += sorted(p for p in root.glob("images_*") if p.is_dir() and p.name not in zipped)
    return found


def _iter_pngs(source: Path) -> Iterator[tuple[str, bytes]]:
    if source.suffix == ".zip":
        with zipfile.ZipFile(source) as zf:
            for name in sorted(zf.namelist()):
                if name.endswith(".png"):
                    yield name, zf.read(name)
    else:
        for path in sorted(source.rglob("*.png")):
            yield path.relative_to(source.parent).as_posix(), path.read_bytes()


def _to_tensor(images: list[np.ndarray], image_size: int) -> torch.Tensor:
    """Strokes as 1 on a 0 background, area-resized to ``image_size`` squared."""
    out = []
    for start in range(0, len(images), 512):
        chunk = torch.from_numpy(1.0 - np.stack(images[start:start + 512]))[:, None]
        if chunk.shape[-1] != image_size:
            chunk = torch.nn.functional.interpolate(chunk, size=(image_size, image_size), mode="area")
        out.append(chunk)
    return torch.cat(out)


@functools.lru_cache(maxsize=4)
def load_characters(root: str, image_size: int = 28,
                    archives: tuple[str, ...] | None = None) -> tuple[torch.Tensor, tuple[str, ...]]:
    """Every character drawing under ``root``: ``(images, names)``.

    Parameters
    ----------
    root : str
        Folder with ``images_background*.zip`` (or ``images_*`` folders).
    image_size : int
        Side of the resized square images.
    archives : tuple of str, optional
        File or folder names to read; all ``images_*`` ones by default.

    Returns
    -------
    images : torch.Tensor
        ``(n_characters, n_drawings, 1, image_size, image_size)`` float32 in ``[0, 1]``
        (ink is 1).
    names : tuple of str
        ``"archive/alphabet/character"`` for each character.
    """
    sources = _sources(Path(root))
    if archives is not None:
        sources = [s for s in sources if s.name in archives or s.stem in archives]
    if not sources:
        raise DataError(f"No Omniglot images (images_*.zip) in {root}.")
    by_character: dict[str, list[np.ndarray]] = {}
    for source in sources:
        for name, data in _iter_pngs(source):
            parts = name.split("/")
            key = "/".join([source.stem, *parts[-3:-1]])
            by_character.setdefault(key, []).append(decode_png(data))
    names = tuple(sorted(by_character))
    counts = {len(by_character[n]) for n in names}
    per = min(counts)
    flat = [img for n in names for img in by_character[n][:per]]
    images = _to_tensor(flat, image_size).reshape(len(names), per, 1, image_size, image_size)
    return images, names


class OmniglotFamily(FewShotFamily):
    """N-way K-shot classification of handwritten characters (Omniglot).

    Characters are the classes; each rotation by 90 degrees of a character is a
    class of its own, as is customary. Characters (not drawings) are split into
    meta-train, meta-validation and meta-test by a seeded permutation, so the test
    split holds characters never seen in training.

    Parameters
    ----------
    ways, shots, queries : int
        Classes per task, support and query drawings per class.
    data_dir : str or path, optional
        Folder with the zips; see :func:`resolve_omniglot_dir`.
    image_size : int
        Images are resized from 105 to ``image_size`` pixels square (28 by default).
    rotations : bool
        Add the 90, 180 and 270 degree rotations as extra classes.
    fractions : tuple of 3 floats
        Shares of characters in train / val / test.
    split_seed : int
        Seed of the character split.
    archives : tuple of str, optional
        Which ``images_*`` archives to read (all by default).
    device : torch.device or str, optional
        Keep the images there, so that episodes are gathered on the device.

    Examples
    --------
    >>> family = OmniglotFamily(ways=5, shots=1, queries=15)  # doctest: +SKIP
    >>> family.sample(32, seed=0).support_x.shape  # doctest: +SKIP
    torch.Size([32, 5, 1, 28, 28])
    """

    name = "omniglot"
    kind = "classification"

    def __init__(self, *, ways: int = 5, shots: int = 1, queries: int = 15,
                 data_dir: str | os.PathLike[str] | None = None, image_size: int = 28,
                 rotations: bool = True, fractions: Sequence[float] = (0.7, 0.1, 0.2),
                 split_seed: int = 0, archives: Sequence[str] | None = None,
                 device: torch.device | str | None = None) -> None:
        super().__init__(ways=ways, shots=shots, queries=queries)
        self.data_dir = data_dir
        self.image_size = int(image_size)
        self.rotations = bool(rotations)
        self.fractions = tuple(float(f) for f in fractions)
        self.split_seed = int(split_seed)
        self.archives = None if archives is None else tuple(archives)
        self.device = device
        root = resolve_omniglot_dir(data_dir)
        images, names = load_characters(str(root), self.image_size, self.archives)
        self.root = root
        self.characters = split_items(list(range(len(names))), self.fractions, self.split_seed)
        self.character_names = names
        self._data = {}
        for split, idx in self.characters.items():
            x = images[idx]
            if self.rotations:
                x = torch.cat([torch.rot90(x, k, dims=(-2, -1)) for k in range(4)])
            self._data[split] = x.to(device) if device is not None else x
        self.drawings_per_class = int(images.shape[1])

    @property
    def input_shape(self) -> tuple[int, ...]:
        return (1, self.image_size, self.image_size)

    def n_classes(self, split: str) -> int:
        """Classes (characters times rotations) in ``split``."""
        return int(self._data[split].shape[0])

    def _spec_kwargs(self) -> dict[str, Any]:
        return {**super()._spec_kwargs(), "data_dir": None if self.data_dir is None else str(self.data_dir),
                "image_size": self.image_size, "rotations": self.rotations, "fractions": list(self.fractions),
                "split_seed": self.split_seed, "archives": None if self.archives is None else list(self.archives)}

    def with_options(self, **changes: Any) -> OmniglotFamily:
        kwargs = {**self._spec_kwargs(), "device": self.device, **changes}
        return type(self)(**kwargs)

    def _sample(self, n_tasks: int, split: str, generator: torch.Generator) -> Episode:
        data = self._data[split]
        ways, shots = int(self.ways or 0), self.shots
        classes, examples = n_way_k_shot_indices(data.shape[0], self.drawings_per_class, n_tasks, ways,
                                                 shots + self.queries, generator)
        classes, examples = classes.to(data.device), examples.to(data.device)
        x = data[classes[..., None], examples]  # (T, ways, shots + queries, 1, H, W)
        labels = torch.arange(ways, device=data.device)
        support_y = labels.repeat_interleave(shots).expand(n_tasks, -1)
        query_y = labels.repeat_interleave(self.queries).expand(n_tasks, -1)
        return Episode(support_x=x[:, :, :shots].flatten(1, 2), support_y=support_y.contiguous(),
                       query_x=x[:, :, shots:].flatten(1, 2), query_y=query_y.contiguous(),
                       ways=ways, shots=shots)


def load_all_runs(data_dir: str | os.PathLike[str] | None = None, *, image_size: int = 28) -> Episode:
    """The 20-way one-shot benchmark of Lake et al. (``all_runs.zip``) as 20 tasks.

    Each run is one task: a support set of 20 drawings (one per class, labels 0-19
    in the order ``class01`` ... ``class20``) and a query set of 20 test drawings
    labelled by ``class_labels.txt``.

    Parameters
    ----------
    data_dir : str or path, optional
        Folder with ``all_runs.zip`` (or an extracted ``all_runs`` folder).
    image_size : int
        Side of the resized images.

    Returns
    -------
    Episode
        ``T = 20`` tasks, ``ways = 20``, ``shots = 1``.
    """
    root = resolve_omniglot_dir(data_dir)
    path = root / "all_runs.zip"
    if path.exists():
        with zipfile.ZipFile(path) as zf:
            files = {n: zf.read(n) for n in zf.namelist() if not n.endswith("/")}
    elif (root / "all_runs").is_dir():
        base = root / "all_runs"
        files = {p.relative_to(base).as_posix(): p.read_bytes() for p in base.rglob("*") if p.is_file()}
    else:
        raise DataError(f"No all_runs.zip in {root}.")
    files = {re.sub(r"^all_runs/", "", n): b for n, b in files.items()}
    runs = sorted({n.split("/")[0] for n in files if re.match(r"run\d+/", n)})
    sx, sy, qx, qy = [], [], [], []
    for run in runs:
        train = [decode_png(files[f"{run}/training/class{c:02d}.png"]) for c in range(1, 21)]
        items, labels = [], []
        for line in files[f"{run}/class_labels.txt"].decode().splitlines():
            match = _RUN_LABEL.search(line)
            if match:
                items.append(decode_png(files[f"{run}/test/{match.group(2)}.png"]))
                labels.append(int(match.group(3)) - 1)
        sx.append(_to_tensor(train, image_size))
        sy.append(torch.arange(20))
        qx.append(_to_tensor(items, image_size))
        qy.append(torch.tensor(labels))
    if not runs:
        raise DataError(f"No runs in {path}.")
    return Episode(support_x=torch.stack(sx), support_y=torch.stack(sy), query_x=torch.stack(qx),
                   query_y=torch.stack(qy), ways=20, shots=1)
