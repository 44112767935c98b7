"""Data augmentation for training minibatches: random horizontal flips and crops.

Each factory returns a function ``augment(X, rng) -> X_aug`` for
:class:`cs231n_utils.solver.Solver` (``augment=random_flip_crop()``), which calls it on
every training batch with its own generator, so a run stays reproducible from its seed.

    X: (N, C, H, W) images, any dtype; returned as a new array of the same shape and
       dtype; X itself is never modified.

A random crop of the zero-padded image is a random translation by up to ``pad`` pixels
in each direction, the gaps filled with zeros (the mean image, after the usual mean
subtraction). Every image draws its own offset and its own flip. The work is done for the
whole batch at once: a strided view of all (2 pad + 1)^2 windows of every padded image,
indexed with one offset per image (no Python loop over images). On the 2-core development
machine a (128, 3, 32, 32) float32 batch takes about 0.4 ms with pad=4 (numpy 2.3).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["random_flip_crop", "random_flip"]

Augment = Callable[[np.ndarray, np.random.Generator], np.ndarray]


def _check_batch(X, rng) -> np.ndarray:
    if not isinstance(X, np.ndarray) or X.ndim != 4:
        raise ValueError(f"augment needs images X of shape (N, C, H, W), got {getattr(X, 'shape', type(X).__name__)}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"augment needs a numpy Generator (np.random.default_rng(seed)), got {rng!r}")
    return X


def _flip_some(out: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Mirror a random half (on average) of the images of ``out`` left-right, in place."""
    flip = rng.random(len(out)) < 0.5
    out[flip] = out[flip, :, :, ::-1]
    return out


def random_flip_crop(pad: int = 4, flip: bool = True) -> Augment:
    """Random crops of the zero-padded images (offsets 0..2 pad in each direction, so
    shifts of -pad..pad pixels), then random horizontal flips (if ``flip``).

    pad: integer >= 0 (0: no crop); flip: bool. ``pad=0, flip=False`` returns a copy.
    """
    if isinstance(pad, bool) or not isinstance(pad, numbers.Integral) or pad < 0:
        raise ValueError(f"pad must be an integer >= 0, got {pad!r}")
    if not isinstance(flip, (bool, np.bool_)):
        raise ValueError(f"flip must be True or False, got {flip!r}")
    pad, flip = int(pad), bool(flip)

    def augment(X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        X = _check_batch(X, rng)
        n, c, h, w = X.shape
        if pad == 0:
            out = X.copy()
        else:
            padded = np.zeros((n, c, h + 2 * pad, w + 2 * pad), dtype=X.dtype)
            padded[:, :, pad:pad + h, pad:pad + w] = X
            top = rng.integers(0, 2 * pad + 1, size=n)
            left = rng.integers(0, 2 * pad + 1, size=n)
            # windows[i, :, y, x] is the (C, H, W) crop of image i at offset (y, x): a view
            windows = sliding_window_view(padded, (h, w), axis=(2, 3))  # (N, C, 2p+1, 2p+1, H, W)
            # The index arrays are split by the slice, so numpy puts their axis first: (N, C, H, W).
            out = windows[np.arange(n), :, top, left]
        return _flip_some(out, rng) if flip else out

    augment.__name__ = augment.__qualname__ = f"random_flip_crop(pad={pad}, flip={flip})"
    return augment


def random_flip() -> Augment:
    """Random horizontal flips only (each image mirrored with probability 1/2)."""
    def augment(X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return _flip_some(_check_batch(X, rng).copy(), rng)

    augment.__name__ = augment.__qualname__ = "random_flip()"
    return augment
