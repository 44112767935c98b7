"""The real MNIST and CIFAR-10 in ``$CS231N_DATA``: counts, label histograms, cache speed.

Skipped unless ``CS231N_DATA`` names a directory holding the files (e.g. the shared copy:
``mnist/*.gz`` and ``cifar10-jpg.tar.gz``). Decoded arrays go to a fresh cache in
``tmp_path``, so the first CIFAR-10 load really decodes.
"""

import time

import numpy as np
import pytest

from cs231n_utils.data.cifar10 import CifarSource
from cs231n_utils.data import find_cifar10_source, find_mnist_files, load_cifar10, load_mnist

pytestmark = pytest.mark.realdata


@pytest.fixture
def real_env(real_data_dir, tmp_path, monkeypatch):
    if not real_data_dir:
        pytest.skip("CS231N_DATA is not set: no real data sets to test")
    monkeypatch.setenv("CS231N_DATA", real_data_dir)
    monkeypatch.setenv("CS231N_CACHE", str(tmp_path / "cache"))
    return real_data_dir


def test_real_mnist(real_env):
    if len(find_mnist_files()) < 4:
        pytest.skip(f"the four MNIST files are not in CS231N_DATA={real_env}")
    X_train, y_train, X_test, y_test = load_mnist(download=False)
    assert X_train.shape == (60000, 28, 28) and X_test.shape == (10000, 28, 28)
    assert X_train.dtype == np.uint8 and y_train.dtype == np.int64
    # The published class counts of MNIST.
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_real_cifar10(real_env, record_property, monkeypatch):
    if find_cifar10_source() is None:
        pytest.skip(f"no CIFAR-10 copy in CS231N_DATA={real_env}")
    start = time.perf_counter()
    first = load_cifar10(download=False)
    decode_s = time.perf_counter() - start
    # The second load must come from the cache: decoding again would be a bug.
    monkeypatch.setattr(CifarSource, "decode", lambda self: pytest.fail("decoded twice"))
    start = time.perf_counter()
    second = load_cifar10(download=False)
    cached_s = time.perf_counter() - start
    record_property("cifar10_first_load_s", round(decode_s, 2))
    record_property("cifar10_cached_load_s", round(cached_s, 2))
    print(f"CIFAR-10 first load {decode_s:.2f} s, cached load {cached_s:.2f} s")

    X_train, y_train, X_test, y_test = second
    assert X_train.shape == (50000, 32, 32, 3) and X_test.shape == (10000, 32, 32, 3)
    assert X_train.dtype == np.uint8 and y_train.dtype == np.int64
    assert np.bincount(y_train, minlength=10).tolist() == [5000] * 10
    assert np.bincount(y_test, minlength=10).tolist() == [1000] * 10
    # CS231n's validation split (the last 1,000 training images) must mix the classes.
    assert np.bincount(y_train[49000:], minlength=10).min() > 50
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    # Timings are reported (pytest -rP, or the junit properties), not asserted: a loaded
    # CI machine must not turn a speed figure into a failure.
