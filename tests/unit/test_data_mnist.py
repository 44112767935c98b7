"""MNIST from IDX files: round trip, file locations, and every kind of corrupt file."""

import gzip

import numpy as np
import pytest

from cs231n_utils.data import DataError, DataNotFoundError, Dataset, load_mnist
from cs231n_utils.data.idx import IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parse_idx, read_idx

pytestmark = pytest.mark.usefixtures("data_env")


def assert_same(loaded: Dataset, expected: Dataset):
    assert isinstance(loaded, Dataset)
    for name, got, want in zip(Dataset._fields, loaded, expected):
        assert got.dtype == (np.uint8 if name.startswith("X") else np.int64), name
        np.testing.assert_array_equal(got, want, err_msg=name)


@pytest.mark.parametrize("gz", [True, False], ids=["gz", "plain"])
@pytest.mark.parametrize("subdir", ["mnist", ""], ids=["in-mnist", "in-root"])
def test_round_trip(tmp_path, build, gz, subdir):
    data = build.mnist_arrays()
    build.write_mnist(tmp_path / subdir, data, gz=gz)
    loaded = load_mnist(tmp_path, download=False)
    assert_same(loaded, data)
    X_train, y_train, X_test, y_test = loaded  # unpacks like CS231n's load_CIFAR10
    assert X_train.shape == (7, 28, 28) and X_test.shape == (3, 28, 28)
    X_train[0, 0, 0] = 1  # arrays are writable


def test_mnist_subfolder_wins_over_root(tmp_path, build):
    build.write_mnist(tmp_path, build.mnist_arrays(seed=1))
    data = build.mnist_arrays(seed=2)
    build.write_mnist(tmp_path / "mnist", data)
    assert_same(load_mnist(tmp_path, download=False), data)


def test_without_cache(tmp_path, build, data_env):
    data = build.mnist_arrays()
    build.write_mnist(tmp_path / "mnist", data)
    assert_same(load_mnist(tmp_path, download=False, cache=False), data)
    assert not data_env.cache.exists()


def test_missing_files_raise_not_found(tmp_path):
    with pytest.raises(DataNotFoundError) as info:
        load_mnist(tmp_path / "nowhere", download=False)
    message = str(info.value)
    for name in (
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
    ):
        assert name in message
    assert str(tmp_path / "nowhere" / "mnist") in message
    assert "CS231N_DATA" in message
    assert "download=False" in message
    assert isinstance(info.value, FileNotFoundError)


def test_one_missing_file_is_named(tmp_path, build):
    paths = build.write_mnist(tmp_path / "mnist", build.mnist_arrays())
    paths["y_test"].unlink()
    with pytest.raises(DataNotFoundError, match="not found: t10k-labels-idx1-ubyte") as info:
        load_mnist(tmp_path, download=False)
    assert "train-images" not in str(info.value).splitlines()[0]


# --- corrupt files ---------------------------------------------------------------------

def write_with(tmp_path, build, field, data_bytes, gz=True):
    """Write a good data set, then replace the file of ``field`` with ``data_bytes``."""
    paths = build.write_mnist(tmp_path / "mnist", build.mnist_arrays(), gz=gz)
    paths[field].write_bytes(gzip.compress(data_bytes) if gz else data_bytes)
    return paths[field]


def test_bad_gzip(tmp_path, build):
    paths = build.write_mnist(tmp_path / "mnist", build.mnist_arrays())
    paths["X_train"].write_bytes(b"this is not gzip data")
    with pytest.raises(DataError, match="not a valid gzip") as info:
        load_mnist(tmp_path, download=False)
    assert str(paths["X_train"]) in str(info.value)


def test_truncated_gzip(tmp_path, build):
    paths = build.write_mnist(tmp_path / "mnist", build.mnist_arrays())
    blob = paths["X_test"].read_bytes()
    paths["X_test"].write_bytes(blob[: len(blob) // 2])
    with pytest.raises(DataError, match="gzip") as info:
        load_mnist(tmp_path, download=False)
    assert str(paths["X_test"]) in str(info.value)


@pytest.mark.parametrize("gz", [True, False])
def test_wrong_magic(tmp_path, build, gz):
    # A labels file where the images file should be.
    path = write_with(tmp_path, build, "X_train", build.idx_bytes(np.zeros(7, np.uint8)), gz)
    with pytest.raises(DataError, match="magic number is 0x00000801, expected 0x00000803") as info:
        load_mnist(tmp_path, download=False)
    assert str(path) in str(info.value)


def test_wrong_image_dims(tmp_path, build):
    path = write_with(tmp_path, build, "X_train", build.idx_bytes(np.zeros((7, 27, 28), np.uint8)))
    with pytest.raises(DataError, match=r"shape \(7, 27, 28\), expected \(N, 28, 28\)") as info:
        load_mnist(tmp_path, download=False)
    assert str(path) in str(info.value)


def test_wrong_label_dims(tmp_path, build):
    labels = build.idx_bytes(np.zeros((7, 2), np.uint8), magic=IDX_LABELS_MAGIC)
    path = write_with(tmp_path, build, "y_train", labels)
    with pytest.raises(DataError, match="header says shape") as info:
        load_mnist(tmp_path, download=False)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("cut, what", [(1, "truncated"), (-3, "has extra bytes")])
def test_truncated_or_extra_bytes(tmp_path, build, cut, what):
    good = build.idx_bytes(np.zeros((7, 28, 28), np.uint8))
    bad = good[:-cut] if cut > 0 else good + b"\0" * -cut
    path = write_with(tmp_path, build, "X_train", bad)
    with pytest.raises(DataError, match=what) as info:
        load_mnist(tmp_path, download=False)
    assert str(path) in str(info.value)


def test_truncated_header():
    with pytest.raises(DataError, match="f.idx: 2 bytes, too short"):
        parse_idx(b"\0\0", expected_magic=IDX_LABELS_MAGIC, name="f.idx")
    with pytest.raises(DataError, match="f.idx: truncated IDX header"):
        parse_idx(b"\0\0\x08\x03\0\0", expected_magic=IDX_IMAGES_MAGIC, name="f.idx")


def test_label_out_of_range(tmp_path, build):
    labels = np.array([0, 1, 2, 10, 4, 5, 6], np.uint8)
    path = write_with(tmp_path, build, "y_train", build.idx_bytes(labels))
    with pytest.raises(DataError, match="label 10 out of range") as info:
        load_mnist(tmp_path, download=False)
    assert str(path) in str(info.value)


def test_image_label_count_mismatch(tmp_path, build):
    path = write_with(tmp_path, build, "y_test", build.idx_bytes(np.zeros(4, np.uint8)))
    with pytest.raises(DataError, match="holds 3 images but .* holds 4 labels") as info:
        load_mnist(tmp_path, download=False)
    assert str(path) in str(info.value)


def test_read_idx_plain(tmp_path, build):
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    path = build.write_bytes(tmp_path / "x-idx3-ubyte", build.idx_bytes(array), gz=False)
    np.testing.assert_array_equal(read_idx(path, expected_magic=IDX_IMAGES_MAGIC), array)
