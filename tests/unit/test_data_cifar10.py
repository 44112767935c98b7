"""CIFAR-10 from each supported source, source preference, and corrupt sources."""

import pickle

import numpy as np
import pytest

from cs231n_utils.data import (
    CIFAR10_CLASSES,
    DataError,
    DataNotFoundError,
    Dataset,
    find_cifar10_source,
    load_cifar10,
)
from cs231n_utils.data.download import REMOTE_FILES

pytestmark = pytest.mark.usefixtures("data_env")


def assert_exact(loaded: Dataset, expected: Dataset):
    for name, got, want in zip(Dataset._fields, loaded, expected):
        assert got.dtype == (np.uint8 if name.startswith("X") else np.int64), name
        np.testing.assert_array_equal(got, want, err_msg=name)


def assert_same_images(build, loaded: Dataset, expected: Dataset, tol: float = 0.0):
    build.match_images(loaded.X_train, loaded.y_train, (expected.X_train, expected.y_train), tol)
    build.match_images(loaded.X_test, loaded.y_test, (expected.X_test, expected.y_test), tol)


def test_classes():
    assert CIFAR10_CLASSES == (
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"
    )


@pytest.mark.parametrize("subdir", ["", "cifar10"])
def test_batches_directory(tmp_path, build, subdir):
    data = build.cifar_arrays()
    build.write_cifar_batches(tmp_path / subdir, data)
    loaded = load_cifar10(tmp_path, download=False)
    assert_exact(loaded, data)  # official order kept
    assert loaded.X_train.shape == (20, 32, 32, 3) and loaded.X_train.flags.c_contiguous


@pytest.mark.parametrize("subdir", ["", "cifar10"])
def test_official_archive(tmp_path, build, subdir):
    data = build.cifar_arrays()
    build.write_cifar_archive(tmp_path / subdir, data)
    assert find_cifar10_source(tmp_path).kind == "archive"
    assert_exact(load_cifar10(tmp_path, download=False), data)


@pytest.mark.parametrize("tree", ["cifar10-jpg", "cifar10"])
def test_png_tree_round_trips_exactly(tmp_path, build, tree):
    data = build.cifar_arrays()
    build.write_image_tree(tmp_path / tree, data, fmt="png")
    assert find_cifar10_source(tmp_path).kind == "tree"
    assert_same_images(build, load_cifar10(tmp_path, download=False), data)


def test_jpeg_tree(tmp_path, build):
    data = build.cifar_arrays()
    build.write_image_tree(tmp_path / "cifar10-jpg", data, fmt="jpg")
    assert_same_images(build, load_cifar10(tmp_path, download=False), data, tol=6.0)


@pytest.mark.parametrize("prefix", ["", "./", "cifar10-jpg/"], ids=["flat", "dot", "top-folder"])
def test_tarball(tmp_path, build, prefix):
    data = build.cifar_arrays()
    build.write_image_tarball(tmp_path / "cifar10-jpg.tar.gz", data, fmt="png", prefix=prefix)
    assert find_cifar10_source(tmp_path).kind == "tarball"
    assert_same_images(build, load_cifar10(tmp_path, download=False), data)


def test_tarball_in_cifar10_subfolder_with_jpeg(tmp_path, build):
    data = build.cifar_arrays()
    build.write_image_tarball(tmp_path / "cifar10" / "cifar10-jpg.tar.gz", data, fmt="jpg")
    assert_same_images(build, load_cifar10(tmp_path, download=False), data, tol=6.0)


def test_image_folder_order_is_shuffled_and_fixed(tmp_path, build):
    # Class-sorted folders must not give a class-sorted array: CS231n's validation split
    # is a contiguous block of the training set.
    data = build.cifar_arrays(n_train=60, n_test=10)
    build.write_image_tree(tmp_path / "a" / "cifar10-jpg", data)
    build.write_image_tarball(tmp_path / "b" / "cifar10-jpg.tar.gz", data, prefix="top/")
    from_tree = load_cifar10(tmp_path / "a", download=False, cache=False)
    from_tar = load_cifar10(tmp_path / "b", download=False, cache=False)
    assert_exact(from_tar, from_tree)  # same order whatever the container
    assert not np.all(np.diff(from_tree.y_train) >= 0)
    assert len(set(from_tree.y_train[-10:])) >= 4


def test_grayscale_and_rgba_images_become_rgb(tmp_path, build):
    data = build.cifar_arrays(n_train=2, n_test=1)
    tree = build.write_image_tree(tmp_path / "cifar10-jpg", data)
    gray = np.arange(32 * 32, dtype=np.uint8).reshape(32, 32)
    (tree / "train" / "cat").mkdir()
    (tree / "test" / "dog").mkdir()
    (tree / "train" / "cat" / "gray.png").write_bytes(build.image_bytes(gray))
    rgba = np.dstack([data.X_test[0], np.full((32, 32), 7, np.uint8)])
    (tree / "test" / "dog" / "rgba.png").write_bytes(build.image_bytes(rgba))
    loaded = load_cifar10(tmp_path, download=False)
    i = list(loaded.y_train).index(CIFAR10_CLASSES.index("cat"))
    np.testing.assert_array_equal(loaded.X_train[i], np.dstack([gray] * 3))
    j = list(loaded.y_test).index(CIFAR10_CLASSES.index("dog"))
    np.testing.assert_array_equal(loaded.X_test[j], data.X_test[0])


def test_hidden_files_are_ignored(tmp_path, build):
    data = build.cifar_arrays(n_train=4, n_test=2)
    tree = build.write_image_tree(tmp_path / "cifar10-jpg", data)
    (tree / "train" / ".DS_Store").write_bytes(b"junk")
    (tree / "train" / "airplane" / "._0000.png").write_bytes(b"junk")
    (tree / "README.txt").write_text("not an image")
    assert_same_images(build, load_cifar10(tmp_path, download=False), data)


def test_source_preference(tmp_path, build):
    sets = [build.cifar_arrays(seed=s) for s in range(4)]
    build.write_image_tarball(tmp_path / "cifar10-jpg.tar.gz", sets[3])
    assert_same_images(build, load_cifar10(tmp_path, download=False, cache=False), sets[3])
    build.write_image_tree(tmp_path / "cifar10" / "cifar10-jpg", sets[2])
    assert_same_images(build, load_cifar10(tmp_path, download=False, cache=False), sets[2])
    build.write_cifar_archive(tmp_path / "cifar10", sets[1])
    assert_exact(load_cifar10(tmp_path, download=False, cache=False), sets[1])
    build.write_cifar_batches(tmp_path / "cifar10", sets[0])
    assert_exact(load_cifar10(tmp_path, download=False, cache=False), sets[0])


def test_missing_raises_not_found(tmp_path):
    with pytest.raises(DataNotFoundError) as info:
        load_cifar10(tmp_path / "empty", download=False)
    message = str(info.value)
    for expected in (
        "cifar-10-batches-py/", "data_batch_1", "test_batch", "cifar-10-python.tar.gz",
        "cifar10-jpg/", "cifar10-jpg.tar.gz",
        str(tmp_path / "empty"), str(tmp_path / "empty" / "cifar10"),
        "CS231N_DATA", REMOTE_FILES["cifar10"][0].urls[0],
    ):
        assert expected in message
    assert isinstance(info.value, FileNotFoundError)


# --- corrupt sources -------------------------------------------------------------------

def batches_with(tmp_path, build, blob: bytes, name: str = "data_batch_3"):
    directory = build.write_cifar_batches(tmp_path, build.cifar_arrays())
    (directory / name).write_bytes(blob)
    return directory / name


def good_batch(build, changes=None):
    data = build.cifar_arrays(n_train=4, n_test=1)
    batch = pickle.loads(build.batch_bytes(data.X_train, data.y_train))
    batch.update(changes or {})
    return batch


@pytest.mark.parametrize(
    "make_blob, message",
    [
        (lambda b: b"garbage, not a pickle", "not a readable pickle"),
        (lambda b: b.batch_bytes(np.zeros((2, 32, 32, 3), np.uint8), [0, 1])[:-40], "readable"),
        (lambda b: pickle.dumps([1, 2, 3]), "a pickled list, expected dict"),
        (lambda b: pickle.dumps({"data": 1, "labels": 2}), "lack"),
        (lambda b: pickle.dumps(good_batch(b, {b"data": np.zeros((4, 3000), np.uint8)})), "3000"),
        (lambda b: pickle.dumps(good_batch(b, {b"data": np.zeros((4, 3072), np.float32)})), "float32"),
        (lambda b: pickle.dumps(good_batch(b, {b"data": [[0] * 3072] * 4})), "is list"),
        (lambda b: pickle.dumps(good_batch(b, {b"labels": [0, 1, 2]})), "expected 4 ints"),
        (lambda b: pickle.dumps(good_batch(b, {b"labels": [0, 1, 2, 10]})), "out of range"),
        (lambda b: pickle.dumps(good_batch(b, {b"labels": ["a", "b", "c", "d"]})), "expected 4 ints"),
    ],
    ids=[
        "garbage", "truncated", "list", "str-keys", "shape", "dtype", "data-list", "count",
        "range", "label-type",
    ],
)
def test_not_a_cifar_batch(tmp_path, build, make_blob, message):
    path = batches_with(tmp_path, build, make_blob(build))
    with pytest.raises(DataError, match=message) as info:
        load_cifar10(tmp_path, download=False)
    assert str(path) in str(info.value)


def test_incomplete_batches_directory(tmp_path, build):
    directory = build.write_cifar_batches(tmp_path, build.cifar_arrays())
    (directory / "data_batch_5").unlink()
    with pytest.raises(DataError, match="missing data_batch_5") as info:
        load_cifar10(tmp_path, download=False)
    assert str(directory) in str(info.value)


@pytest.mark.parametrize("name", ["cifar-10-python.tar.gz", "cifar10-jpg.tar.gz"])
@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_corrupt_tar(tmp_path, build, name, damage):
    data = build.cifar_arrays()
    if name == "cifar-10-python.tar.gz":
        path = build.write_cifar_archive(tmp_path, data)
    else:
        path = build.write_image_tarball(tmp_path / name, data)
    blob = path.read_bytes()
    path.write_bytes(b"not a tar file at all" if damage == "garbage" else blob[: len(blob) // 2])
    with pytest.raises(DataError, match="corrupt or unreadable tar.gz") as info:
        load_cifar10(tmp_path, download=False)
    assert str(path) in str(info.value)


def test_archive_lacking_a_batch(tmp_path, build):
    path = tmp_path / "cifar-10-python.tar.gz"
    build.write_tar_gz(path, {"cifar-10-batches-py/data_batch_1": b"x"})
    with pytest.raises(DataError, match="data_batch_1: not a readable pickle"):
        load_cifar10(tmp_path, download=False)
    good = pickle.dumps(good_batch(build))
    build.write_tar_gz(path, {"cifar-10-batches-py/data_batch_1": good})
    with pytest.raises(DataError, match="lacks cifar-10-batches-py/data_batch_2") as info:
        load_cifar10(tmp_path, download=False)
    assert str(path) in str(info.value)


def test_unknown_class_folder_in_tree(tmp_path, build):
    tree = build.write_image_tree(tmp_path / "cifar10-jpg", build.cifar_arrays(n_train=3, n_test=1))
    (tree / "train" / "zebra").mkdir()
    (tree / "train" / "zebra" / "0.png").write_bytes(build.image_bytes(np.zeros((32, 32, 3), np.uint8)))
    with pytest.raises(DataError, match="unknown class folder 'zebra'") as info:
        load_cifar10(tmp_path, download=False)
    assert str(tree / "train" / "zebra" / "0.png") in str(info.value)


def test_unknown_class_folder_in_tarball(tmp_path, build):
    blob = build.image_bytes(np.zeros((32, 32, 3), np.uint8))
    path = build.write_tar_gz(
        tmp_path / "cifar10-jpg.tar.gz", {"top/train/cat/0.png": blob, "top/test/kitten/1.png": blob}
    )
    with pytest.raises(DataError, match="unknown class folder 'kitten'") as info:
        load_cifar10(tmp_path, download=False)
    assert f"{path}:top/test/kitten/1.png" in str(info.value)


@pytest.mark.parametrize(
    "filename, blob, message",
    [
        ("bad.png", b"\x89PNG not really", "unreadable image"),
        ("small.png", "small", "image is 16x16, expected 32x32"),
        ("notes.txt", b"hello", "unexpected file"),
    ],
)
def test_bad_file_in_tree(tmp_path, build, filename, blob, message):
    tree = build.write_image_tree(tmp_path / "cifar10-jpg", build.cifar_arrays(n_train=3, n_test=1))
    if blob == "small":
        blob = build.image_bytes(np.zeros((16, 16, 3), np.uint8))
    (tree / "test" / "ship" / filename).parent.mkdir(exist_ok=True)
    (tree / "test" / "ship" / filename).write_bytes(blob)
    with pytest.raises(DataError, match=message) as info:
        load_cifar10(tmp_path, download=False)
    assert str(tree / "test" / "ship" / filename) in str(info.value)


def test_bad_image_in_tarball(tmp_path, build):
    good = build.image_bytes(np.zeros((32, 32, 3), np.uint8))
    members = {"train/cat/0.png": good, "train/cat/1.jpg": b"\xff\xd8 broken", "test/dog/2.png": good}
    path = build.write_tar_gz(tmp_path / "cifar10-jpg.tar.gz", members)
    with pytest.raises(DataError, match="unreadable image") as info:
        load_cifar10(tmp_path, download=False)
    assert f"{path}:train/cat/1.jpg" in str(info.value)


@pytest.mark.parametrize(
    "members, message",
    [
        ({"train/cat/0.png": "img"}, "no images under test/"),
        ({"train/0.png": "img", "test/cat/1.png": "img"}, "expected train/<class>/<image>"),
        ({"other/cat/0.png": "img"}, "no images under train/"),
    ],
)
def test_tarball_layout_errors(tmp_path, build, members, message):
    img = build.image_bytes(np.zeros((32, 32, 3), np.uint8))
    path = build.write_tar_gz(tmp_path / "cifar10-jpg.tar.gz", {k: img for k in members})
    with pytest.raises(DataError, match=message) as info:
        load_cifar10(tmp_path, download=False)
    assert str(path) in str(info.value)


def test_tree_missing_split(tmp_path, build):
    tree = build.write_image_tree(tmp_path / "cifar10-jpg", build.cifar_arrays(n_train=3, n_test=1))
    for f in (tree / "test").rglob("*.png"):
        f.unlink()
    for d in sorted((tree / "test").iterdir()):
        d.rmdir()
    (tree / "test").rmdir()
    with pytest.raises(DataError, match="lacks test/") as info:
        load_cifar10(tmp_path, download=False)
    assert str(tree) in str(info.value)


def test_stray_file_among_class_folders(tmp_path, build):
    tree = build.write_image_tree(tmp_path / "cifar10-jpg", build.cifar_arrays(n_train=3, n_test=1))
    (tree / "train" / "0.png").write_bytes(b"x")
    with pytest.raises(DataError, match="should hold only class folders") as info:
        load_cifar10(tmp_path, download=False)
    assert str(tree / "train" / "0.png") in str(info.value)
