"""Data and cache directory resolution: argument > environment > per-user default."""

from pathlib import Path

import pytest

from cs231n_utils.data import (
    DataError,
    DataNotFoundError,
    load_mnist,
    resolve_cache_dir,
    resolve_data_dir,
    user_cache_dir,
)

pytestmark = pytest.mark.usefixtures("data_env")


def test_argument_wins_over_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CS231N_DATA", str(tmp_path / "from-env"))
    assert resolve_data_dir(tmp_path / "from-arg") == tmp_path / "from-arg"
    assert resolve_data_dir(str(tmp_path / "from-arg")) == tmp_path / "from-arg"


def test_environment_wins_over_default(tmp_path, monkeypatch):
    monkeypatch.setenv("CS231N_DATA", str(tmp_path / "from-env"))
    assert resolve_data_dir() == tmp_path / "from-env"


def test_default_is_xdg_cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert resolve_data_dir() == tmp_path / "xdg" / "cs231n"
    assert user_cache_dir() == tmp_path / "xdg" / "cs231n"


@pytest.mark.parametrize("xdg", [None, "", "relative/cache"])
def test_default_falls_back_to_home_cache(tmp_path, monkeypatch, xdg):
    # Unset, empty and relative XDG_CACHE_HOME are all ignored (relative: per the XDG spec).
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME")
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert resolve_data_dir() == tmp_path / "home" / ".cache" / "cs231n"


def test_empty_environment_variable_counts_as_unset(tmp_path, monkeypatch):
    monkeypatch.setenv("CS231N_DATA", "")
    assert resolve_data_dir() == user_cache_dir()


def test_paths_are_absolute_and_expanded(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert resolve_data_dir("rel") == tmp_path / "rel"
    assert resolve_data_dir("~/data") == tmp_path / "home" / "data"
    monkeypatch.setenv("CS231N_DATA", "~/env-data")
    assert resolve_data_dir() == tmp_path / "home" / "env-data"


def test_cache_dir_resolution(tmp_path, monkeypatch):
    monkeypatch.setenv("CS231N_CACHE", str(tmp_path / "c"))
    assert resolve_cache_dir() == tmp_path / "c"
    assert resolve_cache_dir(tmp_path / "arg") == tmp_path / "arg"
    monkeypatch.delenv("CS231N_CACHE")
    assert resolve_cache_dir() == user_cache_dir() / "arrays"


def test_loader_reads_the_environment_directory(tmp_path, monkeypatch, build):
    data = build.mnist_arrays()
    build.write_mnist(tmp_path / "env-data" / "mnist", data)
    monkeypatch.setenv("CS231N_DATA", str(tmp_path / "env-data"))
    loaded = load_mnist(download=False)
    assert all((a == b).all() for a, b in zip(loaded, data))
    # ... and the argument overrides it.
    with pytest.raises(DataNotFoundError):
        load_mnist(tmp_path / "elsewhere", download=False)


def test_error_classes():
    assert issubclass(DataError, ValueError)
    assert issubclass(DataNotFoundError, DataError)
    assert issubclass(DataNotFoundError, FileNotFoundError)
    assert str(DataNotFoundError("message")) == "message"
    assert isinstance(resolve_data_dir(), Path)
