"""The container every loader returns."""

from typing import NamedTuple

import numpy as np

__all__ = ["Dataset"]


class Dataset(NamedTuple):
    """Train and test arrays of a data set, in the order of CS231n's ``load_CIFAR10``.

    A tuple, so ``X_train, y_train, X_test, y_test = load_cifar10()`` works.

    Attributes:
        X_train: (N_train, H, W[, C]) uint8 images.
        y_train: (N_train,) int64 labels in 0..9.
        X_test: (N_test, H, W[, C]) uint8 images.
        y_test: (N_test,) int64 labels in 0..9.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
