"""Cache of decoded arrays as uncompressed ``.npz`` files.

Decoding CIFAR-10 from 60,000 JPEGs takes seconds. The decoded arrays are stored in an
uncompressed ``.npz`` and mapped back copy-on-write: a notebook that uses 50 images reads
only their pages. A cache file's name carries a hash of every source file's absolute
path, size and mtime, so replacing or touching a source makes the loader decode it
again; the stale file of the same sources is removed then.
"""

import contextlib
import hashlib
import os
import warnings
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import numpy as np

from ..files import atomic_write
from .paths import resolve_cache_dir

__all__ = ["fingerprint", "load_or_build"]

# Bump when the decoders change what they produce, so old caches are not reused.
CACHE_FORMAT = 1


def _files(path: Path) -> list[Path]:
    if not path.is_dir():
        return [path]
    found = []
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames.sort()
        found.extend(Path(dirpath) / f for f in sorted(filenames))
    return found


def fingerprint(kind: str, sources: Iterable[Path]) -> tuple[str, str]:
    """Hashes identifying the sources: (which files, which versions of them).

    Args:
        kind: the decoder (e.g. ``"cifar10-images-tar"``), as one file may be read two ways.
        sources: files or directories (every file below a directory counts).

    Returns:
        ``(slot, key)``: ``slot`` depends on the absolute paths only, ``key`` also on the
        size and mtime_ns of every file.
    """
    slot = hashlib.sha256(f"{CACHE_FORMAT}\0{kind}".encode())
    key = slot.copy()
    for source in sorted(Path(s).resolve() for s in sources):
        slot.update(f"\0{source}".encode())
        for file in _files(source):
            st = file.stat()
            key.update(f"\0{file}\0{st.st_size}\0{st.st_mtime_ns}".encode())
    return slot.hexdigest()[:12], key.hexdigest()[:20]


def _mapped_member(path: Path, f, member: zipfile.ZipInfo) -> np.ndarray | None:
    """One stored (uncompressed) ``.npy`` member of an ``.npz``, mapped copy-on-write:
    pages are read when used, and writing to the array never touches the file. None for
    a member that cannot be mapped (compressed, or of an object dtype)."""
    if member.compress_type != zipfile.ZIP_STORED:
        return None
    f.seek(member.header_offset)
    local_header = f.read(30)  # the zip local file header; name and extra field follow
    if len(local_header) != 30 or local_header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"bad local header of {member.filename}")
    name_length = int.from_bytes(local_header[26:28], "little")
    extra_length = int.from_bytes(local_header[28:30], "little")
    data_start = member.header_offset + 30 + name_length + extra_length
    f.seek(data_start)
    read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                   (2, 0): np.lib.format.read_array_header_2_0}.get(np.lib.format.read_magic(f))
    if read_header is None:  # a newer .npy format: let np.load read it
        return None
    shape, fortran_order, dtype = read_header(f)
    if dtype.hasobject:
        return None
    offset = f.tell()
    if offset + dtype.itemsize * int(np.prod(shape)) > data_start + member.file_size:
        raise ValueError(f"{member.filename} is shorter than its header says")
    if 0 in shape:
        return np.empty(shape, dtype=dtype, order="F" if fortran_order else "C")
    mapped = np.memmap(path, dtype=dtype, mode="c", offset=offset, shape=shape, order="F" if fortran_order else "C")
    return mapped.view(np.ndarray)  # a plain array (it keeps the mapping alive)


def _read(path: Path, keys: tuple[str, ...]) -> dict[str, np.ndarray] | None:
    """The arrays of a cache file, or None when it is missing, damaged or lacks a key."""
    try:
        # Open the file here: np.load leaks its own handle when the zip is damaged.
        with open(path, "rb") as f, zipfile.ZipFile(f) as archive:
            members = {m.filename.removesuffix(".npy"): m for m in archive.infolist()}
            if set(members) != set(keys):
                raise KeyError(f"keys {sorted(members)}")
            arrays = {k: _mapped_member(path, f, members[k]) for k in keys}
            if any(a is None for a in arrays.values()):  # not written by _write: read it whole
                with np.load(f, allow_pickle=False) as npz:
                    return {k: npz[k] for k in keys}
            return arrays
    except FileNotFoundError:
        return None
    # A damaged file (or one from other code): rebuild it rather than fail.
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        return None


def _write(path: Path, arrays: Mapping[str, np.ndarray]) -> None:
    # Atomic: a concurrent reader sees the old file or the whole new one.
    atomic_write(path, lambda handle: np.savez(handle, **arrays))


def load_or_build(
    kind: str,
    sources: Iterable[Path],
    build: Callable[[], Mapping[str, np.ndarray]],
    keys: tuple[str, ...],
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    enabled: bool = True,
) -> dict[str, np.ndarray]:
    """Return the cached arrays of ``sources``, or ``build()`` them and cache the result.

    Args:
        kind: decoder name, part of the cache file name.
        sources: the files or directories ``build`` reads.
        build: decodes the sources into named arrays.
        keys: the names ``build`` returns; a cache file with other names is rebuilt.
        cache_dir: defaults to :func:`resolve_cache_dir`.
        enabled: False skips the cache entirely (read nothing, write nothing).

    A cache that cannot be written costs speed, not correctness: it gives a
    ``RuntimeWarning`` and the freshly built arrays are returned.
    """
    if not enabled:
        return dict(build())
    slot, key = fingerprint(kind, list(sources))
    directory = resolve_cache_dir(cache_dir)
    path = directory / f"{kind}-{slot}-{key}.npz"

    arrays = _read(path, keys)
    if arrays is not None:
        return arrays

    arrays = dict(build())
    try:
        directory.mkdir(parents=True, exist_ok=True)
        _write(path, arrays)
    except OSError as exc:
        warnings.warn(
            f"could not cache decoded arrays in {directory}: {exc}", RuntimeWarning, stacklevel=3
        )
        return arrays
    # Drop caches of older versions of the same sources; they would never be read again.
    for stale in directory.glob(f"{kind}-{slot}-*.npz"):
        if stale != path:
            with contextlib.suppress(OSError):
                stale.unlink(missing_ok=True)
    return arrays
