"""Download the official data files and check their md5 sums.

``REMOTE_FILES`` is the only place that knows URLs and checksums; the loaders look it up
at call time, so tests can point it at a local server with ``monkeypatch``.
"""

import contextlib
import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .errors import DataError, DownloadError

__all__ = ["RemoteFile", "REMOTE_FILES", "CONNECT_TIMEOUT_S", "md5sum", "download_file"]

# Seconds to wait for a connection or for any one read: short, so an offline machine gives
# up within seconds instead of hanging a notebook.
CONNECT_TIMEOUT_S = 10.0
_CHUNK = 1 << 20


@dataclass(frozen=True)
class RemoteFile:
    """One official file: its name on disk, the md5 of its bytes, and mirrors to try in order."""

    filename: str
    md5: str
    urls: tuple[str, ...]


_MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)


def _mnist(filename: str, md5: str) -> RemoteFile:
    return RemoteFile(filename, md5, tuple(m + filename for m in _MNIST_MIRRORS))


REMOTE_FILES: dict[str, tuple[RemoteFile, ...]] = {
    "mnist": (
        _mnist("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        _mnist("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        _mnist("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        _mnist("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ),
    "cifar10": (
        RemoteFile(
            "cifar-10-python.tar.gz",
            "c58f30108f718f92721af3b95e74349a",
            ("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",),
        ),
    ),
}


def md5sum(path: str | os.PathLike[str]) -> str:
    """Hex md5 of a file's bytes."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _fetch(url: str, out, *, timeout: float, progress: bool | None, desc: str) -> str:
    """Stream ``url`` into the open binary file ``out``; return the md5 of what was written."""
    from tqdm import tqdm  # imported here: only downloads need it

    digest = hashlib.md5(usedforsecurity=False)
    with urllib.request.urlopen(url, timeout=timeout) as response:
        total = response.headers.get("Content-Length")
        # disable=None hides the bar when stderr is not a terminal (CI logs, tests).
        with tqdm(
            total=int(total) if total and total.isdigit() else None,
            unit="B",
            unit_scale=True,
            desc=desc,
            disable=None if progress is None else not progress,
        ) as bar:
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                digest.update(chunk)
                bar.update(len(chunk))
    return digest.hexdigest()


def download_file(
    remote: RemoteFile,
    dest_dir: str | os.PathLike[str],
    *,
    timeout: float = CONNECT_TIMEOUT_S,
    progress: bool | None = None,
) -> Path:
    """Download ``remote`` into ``dest_dir/remote.filename`` and verify its md5.

    Each mirror is tried in turn. The bytes go to a temporary file in ``dest_dir`` that is
    renamed only once its checksum matches, so an interrupted or corrupt download never
    leaves a file the loaders would pick up.

    Args:
        remote: what to fetch.
        dest_dir: created if missing.
        timeout: seconds for the connection and for each read.
        progress: show a tqdm bar; None shows it only when stderr is a terminal.

    Returns:
        The path of the verified file.

    Raises:
        DataError: a mirror served bytes with the wrong md5 (and no other mirror worked).
        DownloadError: every mirror failed for network reasons, or ``dest_dir`` is not writable.
    """
    dest_dir = Path(dest_dir)
    target = dest_dir / remote.filename
    created = not dest_dir.exists()
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(f"cannot create {dest_dir} for {remote.filename}: {exc}") from exc

    failures: list[str] = []
    bad_checksum: list[str] = []
    for url in remote.urls:
        try:
            fd, tmp_name = tempfile.mkstemp(
                dir=dest_dir, prefix=f".{remote.filename}.", suffix=".part"
            )
        except OSError as exc:
            raise DownloadError(f"cannot write {remote.filename} to {dest_dir}: {exc}") from exc
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                got = _fetch(url, out, timeout=timeout, progress=progress, desc=remote.filename)
            if got != remote.md5:
                bad_checksum.append(f"{url}: md5 {got}, expected {remote.md5}")
                continue
            os.replace(tmp, target)
            return target
        # URLError and timeouts are OSErrors; a connection cut mid-body is an HTTPException.
        except (OSError, http.client.HTTPException) as exc:
            failures.append(f"{url}: {exc}")
        finally:
            tmp.unlink(missing_ok=True)

    if created:  # leave no empty folder behind an offline attempt
        with contextlib.suppress(OSError):
            dest_dir.rmdir()
    if bad_checksum:
        raise DataError(
            f"downloaded {remote.filename} has the wrong checksum (file deleted): "
            + "; ".join(bad_checksum + failures)
        )
    raise DownloadError(f"could not download {remote.filename}: " + "; ".join(failures))
