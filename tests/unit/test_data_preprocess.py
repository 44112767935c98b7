"""get_cifar10_data / get_mnist_data: split boundaries, shapes, dtype, mean subtraction."""

import numpy as np
import pytest

from cs231n_utils.data import CIFAR10_CLASSES, MNIST_CLASSES, get_cifar10_data, get_mnist_data

pytestmark = pytest.mark.usefixtures("data_env")

KEYS = {"X_train", "y_train", "X_val", "y_val", "X_test", "y_test", "mean_image", "classes"}


@pytest.fixture
def cifar(tmp_path, build):
    data = build.cifar_arrays(n_train=20, n_test=10)
    build.write_cifar_batches(tmp_path / "data", data)
    return data, tmp_path / "data"


def nchw(X):
    return X.transpose(0, 3, 1, 2).astype(np.float64)


def test_cs231n_splits(cifar):
    raw, data_dir = cifar
    out = get_cifar10_data(12, 5, 4, data_dir=data_dir)
    assert set(out) == KEYS and out["classes"] == CIFAR10_CLASSES
    assert out["X_train"].shape == (12, 3, 32, 32) and out["X_val"].shape == (5, 3, 32, 32)
    assert out["X_test"].shape == (4, 3, 32, 32) and out["mean_image"].shape == (3, 32, 32)
    for key in ("X_train", "X_val", "X_test", "mean_image"):
        assert out[key].dtype == np.float32 and out[key].flags.c_contiguous, key
    mean = nchw(raw.X_train[:12]).mean(axis=0)
    np.testing.assert_allclose(out["mean_image"], mean, rtol=1e-6)
    # Train = first 12, validation = the next 5, test = first 4 test images; mean removed.
    np.testing.assert_allclose(out["X_train"], nchw(raw.X_train[:12]) - mean, atol=1e-4)
    np.testing.assert_allclose(out["X_val"], nchw(raw.X_train[12:17]) - mean, atol=1e-4)
    np.testing.assert_allclose(out["X_test"], nchw(raw.X_test[:4]) - mean, atol=1e-4)
    np.testing.assert_array_equal(out["y_train"], raw.y_train[:12])
    np.testing.assert_array_equal(out["y_val"], raw.y_train[12:17])
    np.testing.assert_array_equal(out["y_test"], raw.y_test[:4])
    assert out["y_train"].dtype == np.int64
    np.testing.assert_allclose(out["X_train"].mean(axis=0), 0, atol=1e-3)


def test_no_mean_channels_last_float64(cifar):
    raw, data_dir = cifar
    out = get_cifar10_data(
        10, 10, 10, subtract_mean=False, channels_first=False, dtype=np.float64, data_dir=data_dir
    )
    assert out["X_train"].shape == (10, 32, 32, 3) and out["X_train"].dtype == np.float64
    assert out["mean_image"].shape == (32, 32, 3)
    np.testing.assert_array_equal(out["X_train"], raw.X_train[:10])
    np.testing.assert_array_equal(out["X_val"], raw.X_train[10:20])
    np.testing.assert_array_equal(out["X_test"], raw.X_test)
    np.testing.assert_allclose(out["mean_image"], raw.X_train[:10].mean(axis=0), rtol=1e-12)


def test_seeded_subsample(cifar):
    raw, data_dir = cifar
    def draw(seed):
        return get_cifar10_data(
            8, 4, 5, subtract_mean=False, channels_first=False, data_dir=data_dir, subsample_seed=seed
        )

    out, again, other = draw(3), draw(3), draw(4)
    for key in ("X_train", "X_val", "X_test"):
        np.testing.assert_array_equal(out[key], again[key])
    assert not np.array_equal(out["X_train"], other["X_train"])

    def indices(X, pool):
        flat = pool.reshape(len(pool), -1)
        return [int(np.flatnonzero((flat == x.reshape(-1)).all(axis=1))[0]) for x in X.astype(np.uint8)]

    train = indices(out["X_train"], raw.X_train)
    val = indices(out["X_val"], raw.X_train)
    test = indices(out["X_test"], raw.X_test)
    assert len(set(train)) == 8 and len(set(val)) == 4 and len(set(test)) == 5  # without replacement
    assert not set(train) & set(val)
    assert train != list(range(8))  # random, not the leading block
    np.testing.assert_array_equal(out["y_train"], raw.y_train[train])
    np.testing.assert_array_equal(out["y_test"], raw.y_test[test])


@pytest.mark.parametrize(
    "sizes, message",
    [
        ((-1, 1000, 1000), "num_training=-1"),
        ((49000, -5, 1000), "num_validation=-5"),
        ((49000, 1000, -1), "num_test=-1"),
        ((49500, 1000, 1000), "49500 \\+ 1000 = 50500 exceeds the 50000"),
        ((1000, 1000, 10001), "num_test = 10001 exceeds the 10000"),
        ((1.5, 1000, 1000), "integers"),
    ],
)
def test_bad_sizes_fail_before_loading(tmp_path, sizes, message):
    # No data anywhere: the ValueError must come first.
    with pytest.raises(ValueError, match=message) as info:
        get_cifar10_data(*sizes, data_dir=tmp_path / "nothing", download=False)
    assert not isinstance(info.value, FileNotFoundError)


def test_bad_dtype_fails_before_loading(tmp_path):
    with pytest.raises(ValueError, match="floating type, got int32"):
        get_cifar10_data(dtype=np.int32, data_dir=tmp_path / "nothing", download=False)


def test_sizes_checked_against_the_loaded_set(cifar):
    _, data_dir = cifar
    with pytest.raises(ValueError, match="15 \\+ 6 = 21 exceeds the 20 training images"):
        get_cifar10_data(15, 6, 1, data_dir=data_dir)
    with pytest.raises(ValueError, match="num_test = 11 exceeds the 10 test images"):
        get_cifar10_data(1, 1, 11, data_dir=data_dir)


def test_bad_dtype_and_empty_training(cifar):
    _, data_dir = cifar
    with pytest.raises(ValueError, match="floating"):
        get_cifar10_data(5, 1, 1, dtype=np.uint8, data_dir=data_dir)
    with pytest.raises(ValueError, match="num_training >= 1"):
        get_cifar10_data(0, 1, 1, data_dir=data_dir)
    out = get_cifar10_data(0, 2, 1, subtract_mean=False, data_dir=data_dir)
    assert out["X_train"].shape == (0, 3, 32, 32)


def test_mnist(tmp_path, build):
    raw = build.mnist_arrays(n_train=9, n_test=4)
    build.write_mnist(tmp_path / "mnist", raw)
    out = get_mnist_data(6, 3, 4, data_dir=tmp_path)
    assert set(out) == KEYS and out["classes"] == MNIST_CLASSES
    assert out["X_train"].shape == (6, 1, 28, 28) and out["X_val"].shape == (3, 1, 28, 28)
    assert out["X_test"].shape == (4, 1, 28, 28) and out["mean_image"].shape == (1, 28, 28)
    mean = raw.X_train[:6].mean(axis=0)
    np.testing.assert_allclose(out["X_val"][:, 0], raw.X_train[6:9] - mean, atol=1e-4)
    last = get_mnist_data(6, 3, 4, channels_first=False, subtract_mean=False, data_dir=tmp_path)
    assert last["X_test"].shape == (4, 28, 28, 1)
    np.testing.assert_array_equal(last["X_test"][..., 0], raw.X_test)
    with pytest.raises(ValueError, match="60000"):
        get_mnist_data(60000, 1, data_dir=tmp_path)
