"""Reader for the IDX files of MNIST, plain or gzip-compressed.

IDX layout, big-endian: two zero bytes, a type byte (0x08 = unsigned byte), a byte with
the number of dimensions d, then d uint32 sizes, then the values in C order. So the
4-byte magic is 0x00000803 for (N, 28, 28) images and 0x00000801 for (N,) labels.
"""

import gzip
import os
import zlib
from pathlib import Path

import numpy as np

from .errors import DataError

__all__ = ["IDX_IMAGES_MAGIC", "IDX_LABELS_MAGIC", "read_idx", "parse_idx"]

IDX_IMAGES_MAGIC = 0x00000803
IDX_LABELS_MAGIC = 0x00000801


def _read_bytes(path: Path) -> bytes:
    raw = path.read_bytes()
    if path.suffix != ".gz":
        return raw
    try:
        return gzip.decompress(raw)
    # BadGzipFile (an OSError) for a wrong header, EOFError when cut short, zlib.error for
    # damaged data.
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{path}: not a valid gzip file ({exc})") from exc


def parse_idx(data: bytes, *, expected_magic: int, name: str) -> np.ndarray:
    """Decode IDX bytes into a uint8 array of the shape the header gives.

    Args:
        data: the uncompressed file contents.
        expected_magic: IDX_IMAGES_MAGIC or IDX_LABELS_MAGIC.
        name: the file, for error messages.

    Raises:
        DataError: wrong magic, or a length that does not match the header (truncated or
            extra bytes).
    """
    if len(data) < 4:
        raise DataError(f"{name}: {len(data)} bytes, too short for an IDX header")
    magic = int.from_bytes(data[:4], "big")
    if magic != expected_magic:
        raise DataError(
            f"{name}: IDX magic number is 0x{magic:08X}, expected 0x{expected_magic:08X} "
            "(wrong file, or a compressed file without the .gz suffix?)"
        )
    ndim = magic & 0xFF
    header_len = 4 + 4 * ndim
    if len(data) < header_len:
        raise DataError(f"{name}: truncated IDX header ({len(data)} bytes, need {header_len})")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected_len = header_len + int(np.prod(shape, dtype=np.int64))
    if len(data) != expected_len:
        what = "truncated" if len(data) < expected_len else "has extra bytes"
        raise DataError(
            f"{name}: {what}: header says shape {shape} ({expected_len} bytes in all), "
            f"file has {len(data)} bytes"
        )
    # copy(): frombuffer over bytes is read-only, and users modify arrays in place.
    return np.frombuffer(data, dtype=np.uint8, offset=header_len).reshape(shape).copy()


def read_idx(path: str | os.PathLike[str], *, expected_magic: int) -> np.ndarray:
    """Read an IDX file (gzip-compressed when its name ends in ``.gz``) as a uint8 array.

    Raises:
        DataError: bad gzip data, wrong magic, or a size that does not match the header.
    """
    path = Path(path)
    return parse_idx(_read_bytes(path), expected_magic=expected_magic, name=str(path))
