"""The official CIFAR-10 python batches, as a directory or inside the official archive.

Each batch (``data_batch_1`` .. ``data_batch_5``, ``test_batch``) is a Python 2 pickle of a
dict with ``b'data'``: (10000, 3072) uint8, each row the red, green then blue 32x32 plane
in row-major order, and ``b'labels'``: 10000 ints in 0..9.

Security: unpickling runs whatever code the pickle names, so load only the official files
(the archive's md5 is checked when this package downloads it) and never batches from an
untrusted source.
"""

import pickle
import tarfile
import zlib
from pathlib import Path, PurePosixPath

import numpy as np

from .errors import DataError

__all__ = [
    "BATCHES_DIR",
    "TRAIN_BATCHES",
    "TEST_BATCH",
    "parse_batch",
    "read_batches_dir",
    "read_batches_archive",
]

BATCHES_DIR = "cifar-10-batches-py"
TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_BATCH = "test_batch"
_NUM_CLASSES = 10


def parse_batch(data: bytes, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Decode one pickled batch.

    Args:
        data: the file's bytes.
        name: the file, for error messages.

    Returns:
        X: (n, 32, 32, 3) uint8 channels-last; y: (n,) int64.

    Raises:
        DataError: not a pickle, or not a CIFAR-10 batch.
    """
    try:
        # encoding='bytes': the batches were pickled by Python 2; their numpy arrays only
        # unpickle this way, and dict keys come back as bytes (b'data').
        batch = pickle.loads(data, encoding="bytes")
    # Unpickling garbage can raise almost anything (UnpicklingError, EOFError, KeyError,
    # ImportError, ...); all mean "not a batch".
    except Exception as exc:
        raise DataError(f"{name}: not a readable pickle ({type(exc).__name__}: {exc})") from exc
    if not isinstance(batch, dict):
        kind = type(batch).__name__
        raise DataError(f"{name}: not a CIFAR-10 batch (a pickled {kind}, expected dict)")
    missing = [k for k in (b"data", b"labels") if k not in batch]
    if missing:
        keys = sorted(map(repr, batch))
        raise DataError(f"{name}: not a CIFAR-10 batch: keys {keys} lack {missing}")
    X, labels = batch[b"data"], batch[b"labels"]
    if not isinstance(X, np.ndarray) or X.dtype != np.uint8 or X.ndim != 2 or X.shape[1] != 3072:
        if isinstance(X, np.ndarray):
            desc = f"{X.dtype} array of shape {X.shape}"
        else:
            desc = type(X).__name__
        raise DataError(f"{name}: b'data' is {desc}, expected a uint8 array of shape (N, 3072)")
    try:
        y = np.asarray(labels)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name}: b'labels' is not a list of ints") from exc
    if y.ndim != 1 or len(y) != len(X) or (y.size and y.dtype.kind not in "iu"):
        raise DataError(
            f"{name}: b'labels' has shape {y.shape} and dtype {y.dtype}, expected {len(X)} ints"
        )
    if y.size and (y.min() < 0 or y.max() >= _NUM_CLASSES):
        raise DataError(f"{name}: labels out of range 0..9 (min {y.min()}, max {y.max()})")
    # Rows are channels-first (3, 32, 32); the course uses (32, 32, 3) like CS231n.
    X = np.ascontiguousarray(X.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
    return X, y.astype(np.int64)


def _assemble(batches: dict[str, tuple[np.ndarray, np.ndarray]]) -> dict[str, np.ndarray]:
    train = [batches[n] for n in TRAIN_BATCHES]
    X_test, y_test = batches[TEST_BATCH]
    return {
        "X_train": np.concatenate([X for X, _ in train]),
        "y_train": np.concatenate([y for _, y in train]),
        "X_test": X_test,
        "y_test": y_test,
    }


def read_batches_dir(directory: Path) -> dict[str, np.ndarray]:
    """Decode ``cifar-10-batches-py/``: X_train (50000, 32, 32, 3) uint8, y_train (50000,)
    int64, X_test (10000, 32, 32, 3), y_test (10000,), in the official order.

    Raises:
        DataError: a batch is missing or is not a CIFAR-10 batch.
    """
    names = (*TRAIN_BATCHES, TEST_BATCH)
    missing = [n for n in names if not (directory / n).is_file()]
    if missing:
        raise DataError(
            f"{directory}: incomplete CIFAR-10 batches directory, missing {', '.join(missing)}"
        )
    batches = {n: parse_batch((directory / n).read_bytes(), str(directory / n)) for n in names}
    return _assemble(batches)


def read_batches_archive(path: Path) -> dict[str, np.ndarray]:
    """Decode the batches inside the official ``cifar-10-python.tar.gz`` without extracting it.

    Same arrays as :func:`read_batches_dir`.

    Raises:
        DataError: the archive is corrupt, lacks a batch, or holds a non-batch.
    """
    wanted = {*TRAIN_BATCHES, TEST_BATCH}
    batches = {}
    try:
        # Stream mode ("r|gz") reads the archive once, front to back.
        with tarfile.open(path, "r|gz") as tar:
            for member in tar:
                name = PurePosixPath(member.name)
                if member.isfile() and name.name in wanted and name.parent.name == BATCHES_DIR:
                    data = tar.extractfile(member).read()
                    batches[name.name] = parse_batch(data, f"{path}:{member.name}")
    # ReadError/CompressionError, gzip's BadGzipFile (an OSError), EOFError when cut short.
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{path}: corrupt or unreadable tar.gz archive ({exc})") from exc
    missing = sorted(wanted - batches.keys())
    if missing:
        raise DataError(f"{path}: archive lacks {BATCHES_DIR}/{', '.join(missing)}")
    return _assemble(batches)


