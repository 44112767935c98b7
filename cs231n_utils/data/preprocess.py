"""CS231n-style train / validation / test splits, as float arrays ready for a model."""

import operator
import os

import numpy as np

from .cifar10 import CIFAR10_CLASSES, load_cifar10
from .dataset import Dataset
from .mnist import MNIST_CLASSES, load_mnist

__all__ = ["get_cifar10_data", "get_mnist_data", "split_and_preprocess"]


def _check_sizes(
    num_training, num_validation, num_test, n_train: int, n_test: int
) -> tuple[int, int, int]:
    """The three sizes as ints; ValueError naming them unless 0 <= each and they fit."""
    try:
        sizes = tuple(operator.index(n) for n in (num_training, num_validation, num_test))
    except TypeError as exc:
        raise ValueError(
            f"sizes must be integers, got num_training={num_training!r}, "
            f"num_validation={num_validation!r}, num_test={num_test!r}"
        ) from exc
    num_training, num_validation, num_test = sizes
    if min(sizes) < 0:
        raise ValueError(
            f"sizes must be >= 0, got num_training={num_training}, "
            f"num_validation={num_validation}, num_test={num_test}"
        )
    if num_training + num_validation > n_train:
        raise ValueError(
            f"num_training + num_validation = {num_training} + {num_validation} = "
            f"{num_training + num_validation} exceeds the {n_train} training images"
        )
    if num_test > n_test:
        raise ValueError(f"num_test = {num_test} exceeds the {n_test} test images")
    return sizes


def _float_dtype(dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"dtype must be a floating type, got {dtype}")
    return dtype


def _to_float(X: np.ndarray, dtype, channels_first: bool) -> np.ndarray:
    """(N, H, W, C) uint8 -> (N, C, H, W) or (N, H, W, C) ``dtype``, C-contiguous."""
    if channels_first:
        X = X.transpose(0, 3, 1, 2)
    out = np.empty(X.shape, dtype=dtype)
    out[...] = X  # converts and makes the transposed copy contiguous in one pass
    return out


def split_and_preprocess(
    data: Dataset,
    classes: tuple[str, ...],
    num_training: int,
    num_validation: int,
    num_test: int,
    subtract_mean: bool = True,
    channels_first: bool = True,
    dtype=np.float32,
    subsample_seed: int | None = None,
) -> dict:
    """Split and convert a loaded data set; see :func:`get_cifar10_data`.

    ``data`` images are (N, H, W, C) uint8 (a (N, H, W) set gets C = 1).
    """
    dtype = _float_dtype(dtype)
    X_train_all, y_train_all, X_test_all, y_test_all = data
    num_training, num_validation, num_test = _check_sizes(
        num_training, num_validation, num_test, len(X_train_all), len(X_test_all)
    )
    if subtract_mean and num_training == 0:
        raise ValueError(
            "subtract_mean needs num_training >= 1: the mean comes from the training split"
        )

    if subsample_seed is None:
        # CS231n: validation is the block right after the training block.
        train_idx = np.arange(num_training)
        val_idx = np.arange(num_training, num_training + num_validation)
        test_idx = np.arange(num_test)
    else:
        rng = np.random.default_rng(subsample_seed)
        perm = rng.permutation(len(X_train_all))[: num_training + num_validation]
        train_idx, val_idx = perm[:num_training], perm[num_training:]
        test_idx = rng.choice(len(X_test_all), size=num_test, replace=False)

    def images(X, idx):
        X = X[idx]
        return X[..., None] if X.ndim == 3 else X  # grayscale: add the channel axis

    out = {
        "X_train": _to_float(images(X_train_all, train_idx), dtype, channels_first),
        "y_train": y_train_all[train_idx],
        "X_val": _to_float(images(X_train_all, val_idx), dtype, channels_first),
        "y_val": y_train_all[val_idx],
        "X_test": _to_float(images(X_test_all, test_idx), dtype, channels_first),
        "y_test": y_test_all[test_idx],
    }
    # Mean from the training split only, accumulated in float64 for accuracy.
    shape = out["X_train"].shape[1:]
    if num_training:
        mean_image = out["X_train"].mean(axis=0, dtype=np.float64).astype(dtype)
    else:
        mean_image = np.zeros(shape, dtype=dtype)
    if subtract_mean:
        for key in ("X_train", "X_val", "X_test"):
            out[key] -= mean_image
    out["mean_image"] = mean_image
    out["classes"] = classes
    return out


def get_cifar10_data(
    num_training: int = 49000,
    num_validation: int = 1000,
    num_test: int = 1000,
    subtract_mean: bool = True,
    channels_first: bool = True,
    dtype=np.float32,
    data_dir: str | os.PathLike[str] | None = None,
    subsample_seed: int | None = None,
    download: bool = True,
) -> dict:
    """CIFAR-10 split and preprocessed as in CS231n's ``get_CIFAR10_data``.

    Training images ``[0, num_training)`` form the training split and the next
    ``num_validation`` the validation split; the test split is the first ``num_test``
    test images. With ``subsample_seed``, the three are instead random subsets drawn
    without replacement (train and validation disjoint), reproducible from the seed.

    Args:
        num_training, num_validation, num_test: split sizes, >= 0, with
            num_training + num_validation <= 50000 and num_test <= 10000.
        subtract_mean: subtract the mean training image from every split.
        channels_first: (N, 3, 32, 32) when True, else (N, 32, 32, 3).
        dtype: a floating dtype.
        data_dir, download: as for :func:`load_cifar10`.
        subsample_seed: draw random subsets with this seed (for quick runs).

    Returns:
        dict with X_train (num_training, 3, 32, 32) ``dtype``, y_train (num_training,)
        int64, X_val, y_val, X_test, y_test likewise; mean_image (3, 32, 32) (or
        (32, 32, 3)), the per-pixel mean of the training split, whether or not it was
        subtracted; classes, ``CIFAR10_CLASSES``.

    Raises:
        ValueError: bad sizes or dtype (checked before loading anything).
    """
    # Check against the real sizes first: a typo should not cost a 10 s decode.
    _check_sizes(num_training, num_validation, num_test, 50000, 10000)
    _float_dtype(dtype)
    data = load_cifar10(data_dir, download=download)
    return split_and_preprocess(
        data, CIFAR10_CLASSES, num_training, num_validation, num_test,
        subtract_mean, channels_first, dtype, subsample_seed,
    )


def get_mnist_data(
    num_training: int = 55000,
    num_validation: int = 5000,
    num_test: int = 10000,
    subtract_mean: bool = True,
    channels_first: bool = True,
    dtype=np.float32,
    data_dir: str | os.PathLike[str] | None = None,
    subsample_seed: int | None = None,
    download: bool = True,
) -> dict:
    """MNIST split and preprocessed like :func:`get_cifar10_data`.

    Returns:
        dict with X_train (num_training, 1, 28, 28) ``dtype`` (or (N, 28, 28, 1) when not
        ``channels_first``), y_train (num_training,) int64, X_val, y_val, X_test, y_test,
        mean_image (1, 28, 28), classes ``MNIST_CLASSES``.

    Raises:
        ValueError: bad sizes (num_training + num_validation > 60000, num_test > 10000,
            negatives) or dtype.
    """
    _check_sizes(num_training, num_validation, num_test, 60000, 10000)
    _float_dtype(dtype)
    data = load_mnist(data_dir, download=download)
    return split_and_preprocess(
        data, MNIST_CLASSES, num_training, num_validation, num_test,
        subtract_mean, channels_first, dtype, subsample_seed,
    )
