"""Fixtures of the unit tests: small data sets written in each official format.

Builders write into ``tmp_path``; nothing here reads the real data sets or the network.
Data tests opt in to ``data_env`` (``pytestmark = pytest.mark.usefixtures("data_env")``)
so that no test sees the caller's ``CS231N_DATA``, cache or home directory.
"""

import functools
import gzip
import http.server
import io
import os
import pickle
import tarfile
import threading
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from cs231n_utils.data import CIFAR10_CLASSES, Dataset, RemoteFile
from cs231n_utils.data import download as download_module

# Read before any fixture clears it: the real-data tests use the caller's setting.
REAL_DATA_DIR = os.environ.get("CS231N_DATA", "")

MNIST_NAMES = {
    "X_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "X_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


# --- MNIST -----------------------------------------------------------------------------

def idx_bytes(array: np.ndarray, magic: int | None = None) -> bytes:
    """IDX encoding of a uint8 array; ``magic`` overrides the header's magic number."""
    magic = 0x0800 | array.ndim if magic is None else magic
    header = magic.to_bytes(4, "big") + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def write_bytes(path: Path, data: bytes, gz: bool) -> Path:
    """Write ``data`` to ``path`` (``path + '.gz'``, gzip-compressed, when ``gz``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if gz:
        path = path.with_name(path.name + ".gz")
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def mnist_arrays(n_train: int = 7, n_test: int = 3, seed: int = 0) -> Dataset:
    """Dataset with X (n, 28, 28) uint8 and y (n,) int64."""
    rng = np.random.default_rng(seed)
    return Dataset(
        rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        rng.integers(0, 10, n_train).astype(np.int64),
        rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        rng.integers(0, 10, n_test).astype(np.int64),
    )


def write_mnist(directory: Path, data: Dataset, gz: bool = True) -> dict[str, Path]:
    """The four IDX files of ``data`` in ``directory``; returns {Dataset field: path}."""
    return {
        field: write_bytes(directory / name, idx_bytes(getattr(data, field)), gz)
        for field, name in MNIST_NAMES.items()
    }


# --- CIFAR-10 --------------------------------------------------------------------------

def cifar_arrays(n_train: int = 20, n_test: int = 10, seed: int = 0) -> Dataset:
    """Dataset with X (n, 32, 32, 3) uint8, y (n,) int64 cycling through the classes.

    Images are smooth (8x8 random blocks) so JPEG keeps them close, and all distinct.
    """
    rng = np.random.default_rng(seed)

    def images(n):
        blocks = rng.integers(0, 256, (n, 8, 8, 3), dtype=np.uint8)
        return np.ascontiguousarray(blocks.repeat(4, axis=1).repeat(4, axis=2))

    return Dataset(
        images(n_train),
        (np.arange(n_train) % 10).astype(np.int64),
        images(n_test),
        (np.arange(n_test) * 3 % 10).astype(np.int64),
    )


def batch_bytes(X: np.ndarray, y: np.ndarray) -> bytes:
    """A pickled batch as in the official files: rows are channels-first 3072 values."""
    batch = {
        b"batch_label": b"testing batch",
        b"labels": [int(v) for v in y],
        b"data": np.ascontiguousarray(X.transpose(0, 3, 1, 2).reshape(len(X), 3072)),
        b"filenames": [b"x.png"] * len(X),
    }
    return pickle.dumps(batch, protocol=2)


def cifar_batch_files(data: Dataset) -> dict[str, bytes]:
    """{batch name: bytes}: the training set split into 5 batches, and the test batch."""
    files = {}
    X_parts, y_parts = np.array_split(data.X_train, 5), np.array_split(data.y_train, 5)
    for i, (X, y) in enumerate(zip(X_parts, y_parts), 1):
        files[f"data_batch_{i}"] = batch_bytes(X, y)
    files["test_batch"] = batch_bytes(data.X_test, data.y_test)
    return files


def write_cifar_batches(root: Path, data: Dataset) -> Path:
    """``root/cifar-10-batches-py/`` holding the batches of ``data``."""
    directory = root / "cifar-10-batches-py"
    directory.mkdir(parents=True, exist_ok=True)
    for name, blob in cifar_batch_files(data).items():
        (directory / name).write_bytes(blob)
    meta = {b"label_names": [c.encode() for c in CIFAR10_CLASSES]}
    (directory / "batches.meta").write_bytes(pickle.dumps(meta))
    return directory


def write_tar_gz(path: Path, members: dict[str, bytes], dirs: tuple[str, ...] = ()) -> Path:
    """A tar.gz of ``members`` ({name: bytes}), with directory entries ``dirs`` first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tar:
        for name in dirs:
            info = tarfile.TarInfo(name)
            info.type = tarfile.DIRTYPE
            info.mode = 0o755
            tar.addfile(info)
        for name, blob in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    return path


def write_cifar_archive(root: Path, data: Dataset) -> Path:
    """``root/cifar-10-python.tar.gz`` laid out like the official archive."""
    members = {f"cifar-10-batches-py/{n}": b for n, b in cifar_batch_files(data).items()}
    members["cifar-10-batches-py/readme.html"] = b"<html></html>"
    return write_tar_gz(root / "cifar-10-python.tar.gz", members, dirs=("cifar-10-batches-py",))


def image_bytes(pixels: np.ndarray, fmt: str = "png") -> bytes:
    """Encode (H, W, 3) or (H, W) uint8 pixels as PNG or JPEG."""
    from PIL import Image

    buf = io.BytesIO()
    if fmt == "jpg":
        Image.fromarray(pixels).save(buf, format="JPEG", quality=95, subsampling=0)
    else:
        Image.fromarray(pixels).save(buf, format="PNG")
    return buf.getvalue()


def image_tree_files(data: Dataset, fmt: str = "png") -> dict[str, bytes]:
    """{``split/class/NNNN.fmt``: bytes} of the image-folder layout of ``data``."""
    files = {}
    for split, X, y in (("train", data.X_train, data.y_train), ("test", data.X_test, data.y_test)):
        for i, (pixels, label) in enumerate(zip(X, y)):
            files[f"{split}/{CIFAR10_CLASSES[label]}/{i:04d}.{fmt}"] = image_bytes(pixels, fmt)
    return files


def write_image_tree(tree: Path, data: Dataset, fmt: str = "png") -> Path:
    """The image-folder layout of ``data`` under ``tree`` (e.g. ``<root>/cifar10-jpg``)."""
    for name, blob in image_tree_files(data, fmt).items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_bytes(blob)
    return tree


def write_image_tarball(path: Path, data: Dataset, fmt: str = "png", prefix: str = "") -> Path:
    """A tar.gz of the image-folder layout; ``prefix`` (e.g. ``"top/"`` or ``"./"``) wraps it."""
    files = image_tree_files(data, fmt)
    dirs = sorted({prefix + n.rsplit("/", 1)[0] for n in files})
    return write_tar_gz(path, {prefix + n: b for n, b in files.items()}, dirs=tuple(dirs))


def match_images(X, y, expected, tol: float = 0.0):
    """Assert (X, y) holds the images and labels of ``expected`` in some order.

    Each image is paired with the expected image nearest to it; their mean absolute
    difference must be <= ``tol`` (0: exact) and their labels equal. Returns the order.
    """
    X_exp, y_exp = expected
    assert X.shape == X_exp.shape and X.dtype == np.uint8
    assert y.shape == y_exp.shape and y.dtype == np.int64
    diff = X.reshape(len(X), 1, -1).astype(np.int16) - X_exp.reshape(1, len(X_exp), -1)
    dist = np.abs(diff).mean(axis=2)
    order = dist.argmin(axis=1)
    assert sorted(order) == list(range(len(X_exp))), "images do not pair up one to one"
    assert dist[np.arange(len(X)), order].max() <= tol
    np.testing.assert_array_equal(y, y_exp[order])
    return order


# --- fixtures --------------------------------------------------------------------------

@pytest.fixture
def build():
    """The builders above, as ``build.write_mnist(...)`` and so on."""
    return SimpleNamespace(
        idx_bytes=idx_bytes,
        write_bytes=write_bytes,
        mnist_arrays=mnist_arrays,
        write_mnist=write_mnist,
        cifar_arrays=cifar_arrays,
        batch_bytes=batch_bytes,
        write_cifar_batches=write_cifar_batches,
        write_cifar_archive=write_cifar_archive,
        write_tar_gz=write_tar_gz,
        image_bytes=image_bytes,
        write_image_tree=write_image_tree,
        write_image_tarball=write_image_tarball,
        match_images=match_images,
    )


@pytest.fixture
def real_data_dir():
    """The caller's ``CS231N_DATA`` as it was when the tests started ("" when unset)."""
    return REAL_DATA_DIR


@pytest.fixture
def data_env(tmp_path, monkeypatch):
    """Isolate a test from the caller's data settings and from the internet.

    Clears ``CS231N_DATA``, points ``CS231N_CACHE``, ``XDG_CACHE_HOME`` and ``HOME`` into
    ``tmp_path``, and points every download URL at a closed local port.
    """
    monkeypatch.delenv("CS231N_DATA", raising=False)
    cache = tmp_path / "array-cache"
    monkeypatch.setenv("CS231N_CACHE", str(cache))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name, remotes in list(download_module.REMOTE_FILES.items()):
        # Port 1 on the loopback: nothing listens, so a connection is refused at once.
        offline = tuple(
            RemoteFile(r.filename, r.md5, (f"http://127.0.0.1:1/{r.filename}",)) for r in remotes
        )
        monkeypatch.setitem(download_module.REMOTE_FILES, name, offline)
    return SimpleNamespace(tmp=tmp_path, cache=cache)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep test output clean
        pass


@pytest.fixture
def http_server(tmp_path):
    """A local HTTP server on 127.0.0.1 serving ``server.root``; base URL ``server.url``."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield SimpleNamespace(root=root, url=f"http://127.0.0.1:{server.server_port}/")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
