"""MNIST from the four official IDX files.

The files (``train-images-idx3-ubyte`` and so on, each plain or ``.gz``) are looked for in
``<data_dir>/mnist/`` and then in ``<data_dir>/`` itself, and downloaded into
``<data_dir>/mnist/`` when missing.
"""

import os
from pathlib import Path

import numpy as np

from . import download as _download
from .cache import load_or_build
from .dataset import Dataset
from .errors import DataError, DataNotFoundError, DownloadError
from .idx import IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, read_idx
from .paths import DATA_ENV_VAR, describe_data_dir, resolve_data_dir

__all__ = ["MNIST_CLASSES", "MNIST_FILES", "find_mnist_files", "load_mnist"]

MNIST_CLASSES = tuple(str(d) for d in range(10))
IMAGE_SHAPE = (28, 28)
# Dataset field -> official file name (without .gz).
MNIST_FILES = {
    "X_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "X_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


def _search_dirs(root: Path) -> list[Path]:
    return [root / "mnist", root]


def find_mnist_files(data_dir: str | os.PathLike[str] | None = None) -> dict[str, Path]:
    """The MNIST files present, as ``{official name: path}``; missing names are absent.

    Per file, ``<data_dir>/mnist/`` wins over ``<data_dir>/`` and the plain file over ``.gz``.
    """
    root = resolve_data_dir(data_dir)
    found = {}
    for name in MNIST_FILES.values():
        for directory in _search_dirs(root):
            candidates = [directory / name, directory / f"{name}.gz"]
            hit = next((c for c in candidates if c.is_file()), None)
            if hit is not None:
                found[name] = hit
                break
    return found


def _not_found(root: Path, data_dir, missing: list[str], reason: str | None) -> DataNotFoundError:
    remotes = {r.filename.removesuffix(".gz"): r for r in _download.REMOTE_FILES["mnist"]}
    urls = "\n".join(f"  {remotes[m].urls[0]}" for m in missing if m in remotes)
    searched = "\n".join(f"  {d}" for d in _search_dirs(root))
    lines = [
        "MNIST files not found: " + ", ".join(f"{m}[.gz]" for m in missing),
        f"Searched:\n{searched}",
        f"Data directory: {describe_data_dir(data_dir)}; choose another with the data_dir "
        f"argument or the {DATA_ENV_VAR} environment variable.",
        f"To provide them, download\n{urls}\ninto {root / 'mnist'}.",
    ]
    if reason is None:
        lines.append("No download was tried: download=False.")
    else:
        lines.append(f"Download failed: {reason}")
    return DataNotFoundError("\n".join(lines))


def _decode(files: dict[str, Path]) -> dict[str, np.ndarray]:
    arrays = {}
    for split in ("train", "test"):
        images_path = files[MNIST_FILES[f"X_{split}"]]
        labels_path = files[MNIST_FILES[f"y_{split}"]]
        X = read_idx(images_path, expected_magic=IDX_IMAGES_MAGIC)
        y = read_idx(labels_path, expected_magic=IDX_LABELS_MAGIC)
        if X.ndim != 3 or X.shape[1:] != IMAGE_SHAPE:
            raise DataError(f"{images_path}: images have shape {X.shape}, expected (N, 28, 28)")
        if y.ndim != 1:
            raise DataError(f"{labels_path}: labels have shape {y.shape}, expected (N,)")
        if len(X) != len(y):
            raise DataError(
                f"{images_path} holds {len(X)} images but {labels_path} holds {len(y)} labels"
            )
        if y.size and y.max() >= len(MNIST_CLASSES):
            raise DataError(f"{labels_path}: label {int(y.max())} out of range 0..9")
        arrays[f"X_{split}"] = X
        arrays[f"y_{split}"] = y.astype(np.int64)
    return arrays


def load_mnist(
    data_dir: str | os.PathLike[str] | None = None,
    download: bool = True,
    *,
    cache: bool = True,
) -> Dataset:
    """Load MNIST.

    Args:
        data_dir: directory holding the files (see :func:`resolve_data_dir`).
        download: fetch missing files from the official mirrors into ``<data_dir>/mnist/``.
        cache: reuse / store the decoded arrays in the array cache.

    Returns:
        ``Dataset`` with X_train (60000, 28, 28) uint8, y_train (60000,) int64,
        X_test (10000, 28, 28) uint8, y_test (10000,) int64.

    Raises:
        DataNotFoundError: files missing and not downloadable.
        DataError: a file is corrupt, or images and labels disagree.
    """
    root = resolve_data_dir(data_dir)
    found = find_mnist_files(root)
    missing = [n for n in MNIST_FILES.values() if n not in found]
    if missing:
        reason, cause = None, None
        if download:
            remotes = {r.filename.removesuffix(".gz"): r for r in _download.REMOTE_FILES["mnist"]}
            try:
                for name in missing:
                    _download.download_file(remotes[name], root / "mnist")
            except DownloadError as exc:
                reason, cause = str(exc), exc
            found = find_mnist_files(root)
            missing = [n for n in MNIST_FILES.values() if n not in found]
        if missing:
            raise _not_found(root, data_dir, missing, reason) from cause

    sources = [found[n] for n in MNIST_FILES.values()]
    arrays = load_or_build("mnist", sources, lambda: _decode(found), Dataset._fields, enabled=cache)
    return Dataset(**{k: arrays[k] for k in Dataset._fields})
