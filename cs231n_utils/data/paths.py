"""Where data sets and decoded-array caches live.

The data directory is the ``data_dir`` argument, else ``$CS231N_DATA``, else a per-user
cache directory (``$XDG_CACHE_HOME/cs231n`` or ``~/.cache/cs231n``). The array cache is
``$CS231N_CACHE``, else ``<per-user cache>/arrays``: kept apart from the data directory
because that may be read-only (a shared copy of the data sets).
"""

import os
from pathlib import Path

__all__ = [
    "DATA_ENV_VAR",
    "CACHE_ENV_VAR",
    "user_cache_dir",
    "resolve_data_dir",
    "resolve_cache_dir",
    "describe_data_dir",
]

DATA_ENV_VAR = "CS231N_DATA"
CACHE_ENV_VAR = "CS231N_CACHE"


def _absolute(path: str | os.PathLike[str]) -> Path:
    return Path(path).expanduser().resolve()


def _env_path(name: str) -> Path | None:
    # An empty variable counts as unset: `CS231N_DATA= python ...` is a common way to clear it.
    value = os.environ.get(name, "")
    return _absolute(value) if value else None


def user_cache_dir() -> Path:
    """Per-user cache directory: ``$XDG_CACHE_HOME/cs231n`` or ``~/.cache/cs231n``."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    # The XDG spec says relative values are invalid and must be ignored.
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return _absolute(base / "cs231n")


def resolve_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Absolute data directory: ``data_dir``, else ``$CS231N_DATA``, else :func:`user_cache_dir`.

    The directory need not exist; nothing is created here.
    """
    if data_dir is not None:
        return _absolute(data_dir)
    return _env_path(DATA_ENV_VAR) or user_cache_dir()


def resolve_cache_dir(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Absolute array-cache directory: ``cache_dir``, else ``$CS231N_CACHE``, else
    ``<user_cache_dir()>/arrays``."""
    if cache_dir is not None:
        return _absolute(cache_dir)
    return _env_path(CACHE_ENV_VAR) or user_cache_dir() / "arrays"


def describe_data_dir(data_dir: str | os.PathLike[str] | None = None) -> str:
    """One line saying which data directory is used and why, for error messages."""
    path = resolve_data_dir(data_dir)
    if data_dir is not None:
        origin = "the data_dir argument"
    elif os.environ.get(DATA_ENV_VAR, ""):
        origin = f"${DATA_ENV_VAR}"
    else:
        origin = f"the default, as ${DATA_ENV_VAR} is unset"
    return f"{path} (from {origin})"
