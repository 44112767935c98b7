"""The decoded-array cache: reuse, invalidation, corruption, atomic writes."""

import os

import numpy as np
import pytest

from cs231n_utils.data import load_cifar10, load_mnist
from cs231n_utils.data import cifar10 as cifar10_module
from cs231n_utils.data import mnist as mnist_module
from cs231n_utils.data.cache import fingerprint

pytestmark = pytest.mark.usefixtures("data_env")


def fail(*args, **kwargs):
    raise AssertionError("decoded again instead of reading the cache")


def cache_files(data_env):
    return sorted(p.name for p in data_env.cache.iterdir())


def assert_equal(a, b):
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("source", ["batches", "tarball"])
def test_second_load_reads_the_cache(tmp_path, build, data_env, monkeypatch, source):
    data = build.cifar_arrays()
    if source == "batches":
        build.write_cifar_batches(tmp_path / "data", data)
    else:
        build.write_image_tarball(tmp_path / "data" / "cifar10-jpg.tar.gz", data)
    first = load_cifar10(tmp_path / "data", download=False)
    [name] = cache_files(data_env)
    assert name.startswith(f"cifar10-{source}-") and name.endswith(".npz")

    monkeypatch.setattr(cifar10_module, "read_batches_dir", fail)
    monkeypatch.setattr(cifar10_module, "read_image_tarball", fail)
    second = load_cifar10(tmp_path / "data", download=False)
    assert_equal(second, first)
    assert second.X_train.dtype == np.uint8 and second.y_train.dtype == np.int64
    second.X_train[0] = 0  # cached arrays are ordinary writable arrays
    assert_equal(load_cifar10(tmp_path / "data", download=False), first)


def test_mnist_is_cached_too(tmp_path, build, monkeypatch):
    data = build.mnist_arrays()
    build.write_mnist(tmp_path / "mnist", data)
    load_mnist(tmp_path, download=False)
    monkeypatch.setattr(mnist_module, "read_idx", fail)
    assert_equal(load_mnist(tmp_path, download=False), data)


def test_modified_source_is_decoded_again(tmp_path, build, data_env):
    old, new = build.cifar_arrays(seed=1), build.cifar_arrays(seed=2)
    directory = build.write_cifar_batches(tmp_path, old)
    assert_equal(load_cifar10(tmp_path, download=False), old)
    stale = cache_files(data_env)

    # Same sizes: only the contents and the mtime differ.
    build.write_cifar_batches(tmp_path, new)
    batch = directory / "test_batch"
    st = batch.stat()
    os.utime(batch, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert_equal(load_cifar10(tmp_path, download=False), new)
    assert len(cache_files(data_env)) == 1 and cache_files(data_env) != stale  # old one removed


def test_other_data_dirs_keep_their_caches(tmp_path, build, data_env):
    build.write_cifar_batches(tmp_path / "a", build.cifar_arrays(seed=1))
    build.write_cifar_batches(tmp_path / "b", build.cifar_arrays(seed=2))
    load_cifar10(tmp_path / "a", download=False)
    load_cifar10(tmp_path / "b", download=False)
    assert len(cache_files(data_env)) == 2


@pytest.mark.parametrize("damage", [b"", b"garbage", "truncate"])
def test_corrupt_cache_is_rebuilt(tmp_path, build, data_env, damage):
    data = build.cifar_arrays()
    build.write_cifar_batches(tmp_path, data)
    load_cifar10(tmp_path, download=False)
    [name] = cache_files(data_env)
    path = data_env.cache / name
    path.write_bytes(path.read_bytes()[:5000] if damage == "truncate" else damage)
    assert_equal(load_cifar10(tmp_path, download=False), data)
    assert path.stat().st_size > 5000  # rewritten


def test_cache_with_other_keys_is_rebuilt(tmp_path, build, data_env):
    data = build.cifar_arrays()
    build.write_cifar_batches(tmp_path, data)
    load_cifar10(tmp_path, download=False)
    [name] = cache_files(data_env)
    np.savez(data_env.cache / name, X_train=np.zeros(1))
    assert_equal(load_cifar10(tmp_path, download=False), data)


def test_no_temporary_files_left(tmp_path, build, data_env):
    build.write_cifar_batches(tmp_path, build.cifar_arrays())
    load_cifar10(tmp_path, download=False)
    assert all(not n.startswith(".") for n in cache_files(data_env))


def test_cache_false_writes_nothing(tmp_path, build, data_env):
    build.write_cifar_batches(tmp_path, build.cifar_arrays())
    load_cifar10(tmp_path, download=False, cache=False)
    assert not data_env.cache.exists()


def test_unwritable_cache_warns_and_still_loads(tmp_path, build, monkeypatch):
    data = build.cifar_arrays()
    build.write_cifar_batches(tmp_path / "data", data)
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("CS231N_CACHE", str(tmp_path / "a-file" / "cache"))
    with pytest.warns(RuntimeWarning, match="could not cache"):
        assert_equal(load_cifar10(tmp_path / "data", download=False), data)


def test_default_cache_location(tmp_path, build, monkeypatch):
    monkeypatch.delenv("CS231N_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    build.write_cifar_batches(tmp_path / "data", build.cifar_arrays())
    load_cifar10(tmp_path / "data", download=False)
    assert len(list((tmp_path / "xdg" / "cs231n" / "arrays").glob("cifar10-batches-*.npz"))) == 1


def test_fingerprint(tmp_path):
    f = tmp_path / "f"
    f.write_bytes(b"abc")
    slot, key = fingerprint("kind", [f])
    assert fingerprint("kind", [f]) == (slot, key)
    assert fingerprint("other", [f])[1] != key
    f.write_bytes(b"abcd")  # size changes: same slot, new key
    new_slot, new_key = fingerprint("kind", [f])
    assert new_slot == slot and new_key != key
    d = tmp_path / "d"
    (d / "sub").mkdir(parents=True)
    (d / "sub" / "x").write_bytes(b"1")
    _, before = fingerprint("kind", [d])
    (d / "sub" / "y").write_bytes(b"2")  # a file added deep in a directory source
    assert fingerprint("kind", [d])[1] != before


def test_cache_members_are_mapped_and_other_npz_files_still_read(tmp_path):
    """_read maps stored members copy-on-write; a compressed .npz (not written by the
    cache) is read whole; a member cut short is damage, never a short array."""
    from cs231n_utils.data.cache import _read

    arrays = {"X": np.arange(24, dtype=np.float32).reshape(2, 3, 4), "y": np.array([3, 1]), "e": np.zeros((0, 5))}
    stored, compressed = tmp_path / "stored.npz", tmp_path / "compressed.npz"
    np.savez(stored, **arrays)
    np.savez_compressed(compressed, **arrays)
    for path in (stored, compressed):
        loaded = _read(path, ("X", "y", "e"))
        for key, value in arrays.items():
            assert type(loaded[key]) is np.ndarray and loaded[key].dtype == value.dtype
            np.testing.assert_array_equal(loaded[key], value)
    loaded = _read(stored, ("X", "y", "e"))
    loaded["X"][:] = -1
    np.testing.assert_array_equal(_read(stored, ("X", "y", "e"))["X"], arrays["X"])
    assert _read(stored, ("X",)) is None and not stored.exists()  # other keys: removed, rebuilt

    np.savez(stored, **arrays)
    data = stored.read_bytes()
    cut = data.index(b"PK\x03\x04", 1)  # the second member's header: cut the first one short
    (tmp_path / "short.npz").write_bytes(data[:cut - 8] + data[cut:])
    assert _read(tmp_path / "short.npz", ("X", "y", "e")) is None
