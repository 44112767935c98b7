"""cs231n_utils.augment: every output is a flip/crop of its own input, fast and reproducible."""

import time

import numpy as np
import pytest

from cs231n_utils.augment import random_flip, random_flip_crop


def batch(n=16, c=3, h=8, w=10, dtype=np.float32, seed=0):
    # Strictly positive values, so zero padding is told apart from the image.
    return (1 + np.random.default_rng(seed).random((n, c, h, w))).astype(dtype)


def candidates(image, pad, flip):
    """Every crop (and its mirror, with ``flip``) of one zero-padded (C, H, W) image."""
    c, h, w = image.shape
    padded = np.pad(image, ((0, 0), (pad, pad), (pad, pad)))
    for top in range(2 * pad + 1):
        for left in range(2 * pad + 1):
            crop = padded[:, top:top + h, left:left + w]
            yield (top, left, False), crop
            if flip:
                yield (top, left, True), crop[:, :, ::-1]


def explain(X, out, pad, flip):
    """For each image, the (top, left, flipped) that produced it; fails if none did."""
    found = []
    for i, (image, result) in enumerate(zip(X, out)):
        matches = [how for how, crop in candidates(image, pad, flip) if np.array_equal(crop, result)]
        assert matches, f"output {i} is no crop/flip of input {i}"
        found.append(matches[0])
    return found


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_shape_and_dtype_are_kept(dtype):
    X = batch(dtype=dtype)
    for augment in (random_flip_crop(), random_flip_crop(pad=2, flip=False), random_flip()):
        out = augment(X, np.random.default_rng(0))
        assert out.shape == X.shape and out.dtype == X.dtype


def test_every_output_is_a_crop_or_flip_of_its_input():
    X = batch(n=64)
    out = random_flip_crop(pad=2)(X, np.random.default_rng(1))
    found = explain(X, out, pad=2, flip=True)
    offsets = {(top, left) for top, left, _ in found}
    assert len(offsets) > 10, "offsets are not drawn per image"
    flips = [flipped for *_, flipped in found]
    assert 10 < sum(flips) < 54, "flips are not drawn per image"


def test_crops_without_flips_and_flips_without_crops():
    X = batch(n=32)
    found = explain(X, random_flip_crop(pad=3, flip=False)(X, np.random.default_rng(2)), pad=3, flip=False)
    assert {f for *_, f in found} == {False}
    found = explain(X, random_flip()(X, np.random.default_rng(3)), pad=0, flip=True)
    assert {f for *_, f in found} == {False, True}


def test_no_padding_and_no_flip_is_the_identity():
    X = batch()
    out = random_flip_crop(pad=0, flip=False)(X, np.random.default_rng(0))
    np.testing.assert_array_equal(out, X)
    assert out is not X


def test_non_square_images_and_batch_of_one():
    X = batch(n=1, c=1, h=5, w=9)
    out = random_flip_crop(pad=4)(X, np.random.default_rng(5))
    explain(X, out, pad=4, flip=True)


def test_same_seed_same_result_and_input_untouched():
    X = batch()
    before = X.copy()
    augment = random_flip_crop()
    a = augment(X, np.random.default_rng(7))
    b = augment(X, np.random.default_rng(7))
    c = augment(X, np.random.default_rng(8))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    np.testing.assert_array_equal(X, before)


def test_read_only_input_is_fine():
    X = batch()
    X.flags.writeable = False
    out = random_flip_crop()(X, np.random.default_rng(0))
    out[0, 0, 0, 0] = 5.0  # the result is a new, writable array


@pytest.mark.parametrize("kwargs", [{"pad": -1}, {"pad": 1.5}, {"pad": True}, {"flip": "yes"}, {"flip": 1}])
def test_bad_settings_are_refused(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        random_flip_crop(**kwargs)


@pytest.mark.parametrize("augment", [random_flip_crop(), random_flip()])
def test_bad_batches_are_refused(augment):
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        augment(np.zeros((3, 32, 32)), np.random.default_rng(0))
    with pytest.raises(ValueError, match="Generator"):
        augment(batch(), 0)


def test_a_cifar_batch_takes_well_under_5_ms():
    X = np.random.default_rng(0).standard_normal((128, 3, 32, 32)).astype(np.float32)
    augment, rng = random_flip_crop(pad=4), np.random.default_rng(0)
    augment(X, rng)
    times = []
    for _ in range(20):
        start = time.perf_counter()
        augment(X, rng)
        times.append(time.perf_counter() - start)
    assert np.median(times) < 5e-3, f"median {1e3 * np.median(times):.2f} ms"
