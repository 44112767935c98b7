"""CIFAR-10 as an image-folder tree, as a directory or a tar.gz of one.

Layout: ``train/<class>/<name>.jpg|.jpeg|.png`` and ``test/<class>/...``, where the class
folder names are ``CIFAR10_CLASSES`` and the label is the position in that tuple. A
tarball may wrap the layout in one top folder. Hidden files (``.DS_Store``, macOS ``._*``)
are skipped; any other unexpected file is an error.

Folders list images class by class, so taken in that order the last 1,000 training
images (CS231n's validation split) would all be trucks. Images are therefore ordered by
the md5 of their relative path ``split/class/name``: a fixed shuffle that depends neither on
the file system's listing order nor on numpy's random generators.
"""

import hashlib
import io
import tarfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

import numpy as np

from .errors import DataError

__all__ = ["SPLITS", "IMAGE_SUFFIXES", "read_image_tree", "read_image_tarball"]

SPLITS = ("train", "test")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
IMAGE_SIZE = (32, 32)

# One image: (split, class folder, file name, bytes, name for error messages).
_Entry = tuple[str, str, str, bytes, str]


def _hidden(name: str) -> bool:
    return name.startswith(".") and name not in (".", "..")


def _check_name(classes: tuple[str, ...], class_name: str, filename: str, where: str) -> None:
    if class_name not in classes:
        raise DataError(
            f"{where}: unknown class folder {class_name!r}; expected one of {', '.join(classes)}"
        )
    if not filename.lower().endswith(IMAGE_SUFFIXES):
        raise DataError(f"{where}: unexpected file (expected {', '.join(IMAGE_SUFFIXES)} images)")


def _decode_image(data: bytes, where: str) -> np.ndarray:
    from PIL import Image  # imported here: only image folders need Pillow

    try:
        with Image.open(io.BytesIO(data)) as img:
            rgb = img.convert("RGB")  # grayscale / palette / RGBA files become RGB too
            size = rgb.size
            pixels = np.asarray(rgb)
    # Pillow reports bad data through several types (UnidentifiedImageError, OSError for
    # truncation, SyntaxError, ValueError, ...); all mean "not a readable image".
    except Exception as exc:
        raise DataError(f"{where}: unreadable image ({type(exc).__name__}: {exc})") from exc
    if size != IMAGE_SIZE:
        raise DataError(f"{where}: image is {size[0]}x{size[1]}, expected 32x32")
    return pixels


def _order_key(entry: _Entry) -> bytes:
    split, class_name, filename = entry[:3]
    return hashlib.md5(f"{split}/{class_name}/{filename}".encode(), usedforsecurity=False).digest()


def _assemble(
    entries: Iterable[_Entry], classes: tuple[str, ...], source: Path
) -> dict[str, np.ndarray]:
    by_split: dict[str, list[_Entry]] = {s: [] for s in SPLITS}
    for entry in entries:
        by_split[entry[0]].append(entry)
    arrays = {}
    for split, items in by_split.items():
        if not items:
            raise DataError(f"{source}: no images under {split}/")
        items.sort(key=_order_key)
        X = np.empty((len(items), *IMAGE_SIZE, 3), dtype=np.uint8)
        for i, (_, _, _, data, where) in enumerate(items):
            X[i] = _decode_image(data, where)
        arrays[f"X_{split}"] = X
        arrays[f"y_{split}"] = np.array([classes.index(e[1]) for e in items], dtype=np.int64)
    return arrays


def _tree_entries(root: Path, classes: tuple[str, ...]) -> Iterator[_Entry]:
    for split in SPLITS:
        split_dir = root / split
        if not split_dir.is_dir():
            raise DataError(f"{root}: image folder lacks {split}/")
        for class_dir in sorted(split_dir.iterdir()):
            if _hidden(class_dir.name):
                continue
            if not class_dir.is_dir():
                raise DataError(
                    f"{class_dir}: unexpected file; {split}/ should hold only class folders"
                )
            for file in sorted(class_dir.iterdir()):
                if _hidden(file.name):
                    continue
                _check_name(classes, class_dir.name, file.name, str(file))
                yield split, class_dir.name, file.name, file.read_bytes(), str(file)


def read_image_tree(root: Path, classes: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Decode an image-folder directory.

    Args:
        root: the folder holding ``train/`` and ``test/``.
        classes: class folder names in label order.

    Returns:
        X_train (N, 32, 32, 3) uint8, y_train (N,) int64, X_test, y_test.

    Raises:
        DataError: a missing split, an unknown class folder, an unexpected file, or an
            image that does not decode to 32x32.
    """
    # Check the whole layout before decoding anything, so a stray folder fails fast.
    return _assemble(list(_tree_entries(root, classes)), classes, root)


def _split_member(name: str) -> list[str] | None:
    """Path parts of a tar member from its split on (``train/<class>/<file>`` when well
    formed), or None when it lies outside train/ and test/."""
    parts = [p for p in PurePosixPath(name).parts if p not in (".", "/")]
    if len(parts) >= 3 and parts[0] not in SPLITS and parts[1] in SPLITS:
        parts = parts[1:]  # one top folder wrapping the layout
    if len(parts) < 2 or parts[0] not in SPLITS:
        return None
    return parts


def read_image_tarball(path: Path, classes: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Decode a tar.gz of the image-folder layout, without extracting it.

    Same arrays and errors as :func:`read_image_tree`, plus DataError for a corrupt archive.
    """
    entries: list[_Entry] = []
    try:
        with tarfile.open(path, "r|gz") as tar:  # stream: one pass over the archive
            for member in tar:
                if not member.isfile() or any(_hidden(p) for p in PurePosixPath(member.name).parts):
                    continue
                parts = _split_member(member.name)
                if parts is None:
                    continue  # e.g. a README next to train/ and test/
                where = f"{path}:{member.name}"
                if len(parts) != 3:
                    raise DataError(f"{where}: expected {parts[0]}/<class>/<image>")
                split, class_name, filename = parts
                _check_name(classes, class_name, filename, where)
                entries.append((split, class_name, filename, tar.extractfile(member).read(), where))
    # ReadError/CompressionError, gzip's BadGzipFile (an OSError), EOFError when cut short.
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{path}: corrupt or unreadable tar.gz archive ({exc})") from exc
    return _assemble(entries, classes, path)
