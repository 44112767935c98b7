"""CIFAR-10 from whichever official or image-folder copy the data directory holds.

Sources, by preference, each looked for in ``<data_dir>/`` and then ``<data_dir>/cifar10/``:

1. ``cifar-10-batches-py/``: the extracted official python batches;
2. ``cifar-10-python.tar.gz``: the official archive (downloaded when nothing is found);
3. ``cifar10-jpg/`` or ``cifar10/``: an image-folder tree ``train/<class>/*.jpg|png``, ``test/...``;
4. ``cifar10-jpg.tar.gz``: a tarball of that tree.

The official batches are pickles, and unpickling runs code: load only official files.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import download as _download
from .cache import load_or_build
from .cifar_batches import (
    BATCHES_DIR,
    TEST_BATCH,
    TRAIN_BATCHES,
    read_batches_archive,
    read_batches_dir,
)
from .dataset import Dataset
from .errors import DataNotFoundError, DownloadError
from .image_folder import read_image_tarball, read_image_tree
from .paths import DATA_ENV_VAR, describe_data_dir, resolve_data_dir

__all__ = ["CIFAR10_CLASSES", "CifarSource", "find_cifar10_source", "load_cifar10"]

# Label i is CIFAR10_CLASSES[i], as in the official batches.meta.
CIFAR10_CLASSES = (
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
)
ARCHIVE = "cifar-10-python.tar.gz"
IMAGE_TREES = ("cifar10-jpg", "cifar10")
IMAGE_TARBALL = "cifar10-jpg.tar.gz"


@dataclass(frozen=True)
class CifarSource:
    """A CIFAR-10 copy found on disk.

    kind: ``"batches"``, ``"archive"``, ``"tree"`` or ``"tarball"``; path: the directory or file.
    """

    kind: str
    path: Path

    def files(self) -> list[Path]:
        """What the decoder reads, for the cache key (a directory counts with every file in it)."""
        return [self.path]

    def decode(self) -> dict[str, np.ndarray]:
        if self.kind == "batches":
            return read_batches_dir(self.path)
        if self.kind == "archive":
            return read_batches_archive(self.path)
        if self.kind == "tree":
            return read_image_tree(self.path, CIFAR10_CLASSES)
        return read_image_tarball(self.path, CIFAR10_CLASSES)


def _search_dirs(root: Path) -> list[Path]:
    return [root, root / "cifar10"]


def find_cifar10_source(data_dir: str | os.PathLike[str] | None = None) -> CifarSource | None:
    """The preferred CIFAR-10 copy in the data directory, or None when there is none."""
    dirs = _search_dirs(resolve_data_dir(data_dir))
    for d in dirs:
        if (d / BATCHES_DIR).is_dir():
            return CifarSource("batches", d / BATCHES_DIR)
    for d in dirs:
        if (d / ARCHIVE).is_file():
            return CifarSource("archive", d / ARCHIVE)
    for d in dirs:
        for name in IMAGE_TREES:
            tree = d / name
            if (tree / "train").is_dir() or (tree / "test").is_dir():
                return CifarSource("tree", tree)
    for d in dirs:
        if (d / IMAGE_TARBALL).is_file():
            return CifarSource("tarball", d / IMAGE_TARBALL)
    return None


def _not_found(root: Path, data_dir, reason: str | None) -> DataNotFoundError:
    url = _download.REMOTE_FILES["cifar10"][0].urls[0]
    searched = "\n".join(f"  {d}" for d in _search_dirs(root))
    lines = [
        "CIFAR-10 not found. Looked for any of",
        f"  {BATCHES_DIR}/ ({', '.join(TRAIN_BATCHES)}, {TEST_BATCH})",
        f"  {ARCHIVE}",
        f"  {' or '.join(n + '/' for n in IMAGE_TREES)}"
        " (train/<class>/*.jpg|png and test/<class>/...)",
        f"  {IMAGE_TARBALL}",
        f"in:\n{searched}",
        f"Data directory: {describe_data_dir(data_dir)}; choose another with the data_dir "
        f"argument or the {DATA_ENV_VAR} environment variable.",
        f"To provide it, download {url} into {root}.",
    ]
    if reason is None:
        lines.append("No download was tried: download=False.")
    else:
        lines.append(f"Download failed: {reason}")
    return DataNotFoundError("\n".join(lines))


def load_cifar10(
    data_dir: str | os.PathLike[str] | None = None,
    download: bool = True,
    *,
    cache: bool = True,
) -> Dataset:
    """Load CIFAR-10, decoding it once and reading the array cache afterwards.

    Args:
        data_dir: directory holding a copy (see :func:`resolve_data_dir` and the module doc).
        download: fetch the official archive into ``data_dir`` when no copy is found.
        cache: reuse / store the decoded arrays in the array cache.

    Returns:
        ``Dataset`` with X_train (50000, 32, 32, 3) uint8, y_train (50000,) int64,
        X_test (10000, 32, 32, 3) uint8, y_test (10000,) int64; labels index
        ``CIFAR10_CLASSES``.

    Raises:
        DataNotFoundError: no copy found and none downloadable.
        DataError: the copy found is corrupt or not CIFAR-10.

    Security: the official batches are pickles, and unpickling can run arbitrary code.
    Only a downloaded archive has its md5 checked; put nothing but the official files in
    the data directory.
    """
    root = resolve_data_dir(data_dir)
    source = find_cifar10_source(root)
    if source is None:
        reason, cause = None, None
        if download:
            try:
                _download.download_file(_download.REMOTE_FILES["cifar10"][0], root)
            except DownloadError as exc:
                reason, cause = str(exc), exc
            source = find_cifar10_source(root)
        if source is None:
            raise _not_found(root, data_dir, reason) from cause

    arrays = load_or_build(
        f"cifar10-{source.kind}", source.files(), source.decode, Dataset._fields, enabled=cache
    )
    return Dataset(**{k: arrays[k] for k in Dataset._fields})
