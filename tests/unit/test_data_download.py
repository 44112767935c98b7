"""Downloads, served from a local HTTP server: success, mirrors, checksum mismatch, offline."""

import hashlib

import numpy as np
import pytest

from cs231n_utils.data import (
    DataError,
    DataNotFoundError,
    DownloadError,
    RemoteFile,
    download_file,
    load_cifar10,
    load_mnist,
)
from cs231n_utils.data import download as download_module

pytestmark = pytest.mark.usefixtures("data_env")


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def serve(server, name: str, data: bytes) -> RemoteFile:
    (server.root / name).write_bytes(data)
    return RemoteFile(name, md5(data), (server.url + name,))


def test_download_verifies_and_renames(tmp_path, http_server):
    remote = serve(http_server, "file.bin", b"payload" * 1000)
    path = download_file(remote, tmp_path / "dest" / "sub")
    assert path == tmp_path / "dest" / "sub" / "file.bin"
    assert path.read_bytes() == b"payload" * 1000
    assert [p.name for p in path.parent.iterdir()] == ["file.bin"]  # no temporary left


def test_checksum_mismatch_deletes_the_file(tmp_path, http_server):
    remote = serve(http_server, "file.bin", b"payload")
    wrong = RemoteFile(remote.filename, md5(b"something else"), remote.urls)
    with pytest.raises(DataError, match="file.bin has the wrong checksum"):
        download_file(wrong, tmp_path / "dest")
    assert not (tmp_path / "dest").exists(), "a failed download left its folder behind"


def test_next_mirror_is_tried(tmp_path, http_server):
    remote = serve(http_server, "file.bin", b"payload")
    urls = (http_server.url + "missing/file.bin", *remote.urls)  # the first one gives 404
    mirrors = RemoteFile(remote.filename, remote.md5, urls)
    assert download_file(mirrors, tmp_path).read_bytes() == b"payload"


def test_every_mirror_failing_raises_download_error(tmp_path, http_server):
    urls = (http_server.url + "a/file.bin", "http://127.0.0.1:1/file.bin")  # 404, refused
    remote = RemoteFile("file.bin", md5(b""), urls)
    with pytest.raises(DownloadError, match="could not download file.bin") as info:
        download_file(remote, tmp_path / "dest")
    assert "404" in str(info.value)
    assert not (tmp_path / "dest").exists(), "a failed download left its folder behind"


def test_unwritable_destination_raises_download_error(tmp_path, http_server):
    remote = serve(http_server, "file.bin", b"payload")
    (tmp_path / "a-file").write_text("")
    with pytest.raises(DownloadError, match="cannot create"):
        download_file(remote, tmp_path / "a-file" / "sub")


def serve_mnist(server, build, monkeypatch, data, tamper=None):
    remotes = []
    for path in build.write_mnist(server.root, data, gz=True).values():
        checksum = md5(path.read_bytes())
        if tamper == path.name:
            path.write_bytes(path.read_bytes() + b"\0")
        remotes.append(RemoteFile(path.name, checksum, (server.url + path.name,)))
    monkeypatch.setitem(download_module.REMOTE_FILES, "mnist", tuple(remotes))


def test_load_mnist_downloads_missing_files(tmp_path, http_server, build, monkeypatch):
    data = build.mnist_arrays()
    serve_mnist(http_server, build, monkeypatch, data)
    loaded = load_mnist(tmp_path / "data")
    for got, want in zip(loaded, data):
        np.testing.assert_array_equal(got, want)
    assert sorted(p.name for p in (tmp_path / "data" / "mnist").iterdir()) == [
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
    ]


def test_load_mnist_checksum_mismatch(tmp_path, http_server, build, monkeypatch):
    tamper = "t10k-images-idx3-ubyte.gz"
    serve_mnist(http_server, build, monkeypatch, build.mnist_arrays(), tamper=tamper)
    with pytest.raises(DataError, match="t10k-images-idx3-ubyte.gz has the wrong checksum"):
        load_mnist(tmp_path / "data")
    assert not (tmp_path / "data" / "mnist" / "t10k-images-idx3-ubyte.gz").exists()
    assert not list((tmp_path / "data" / "mnist").glob(".*"))


def test_load_mnist_offline_raises_not_found(tmp_path, http_server, build, monkeypatch):
    # The server is up but has none of the files (404): like an offline machine.
    remotes = download_module.REMOTE_FILES["mnist"]
    served = tuple(RemoteFile(r.filename, r.md5, (http_server.url + r.filename,)) for r in remotes)
    monkeypatch.setitem(download_module.REMOTE_FILES, "mnist", served)
    with pytest.raises(DataNotFoundError, match="Download failed: could not download train") as info:
        load_mnist(tmp_path / "data")
    assert "CS231N_DATA" in str(info.value)


def test_load_cifar10_downloads_the_archive(tmp_path, http_server, build, monkeypatch):
    data = build.cifar_arrays()
    archive = build.write_cifar_archive(http_server.root, data)
    remote = RemoteFile(archive.name, md5(archive.read_bytes()), (http_server.url + archive.name,))
    monkeypatch.setitem(download_module.REMOTE_FILES, "cifar10", (remote,))
    loaded = load_cifar10(tmp_path / "data")
    for got, want in zip(loaded, data):
        np.testing.assert_array_equal(got, want)
    assert (tmp_path / "data" / "cifar-10-python.tar.gz").is_file()


def test_load_cifar10_checksum_mismatch_leaves_nothing(tmp_path, http_server, build, monkeypatch):
    archive = build.write_cifar_archive(http_server.root, build.cifar_arrays())
    remote = RemoteFile(archive.name, md5(b"not it"), (http_server.url + archive.name,))
    monkeypatch.setitem(download_module.REMOTE_FILES, "cifar10", (remote,))
    with pytest.raises(DataError, match="wrong checksum"):
        load_cifar10(tmp_path / "data")
    assert not (tmp_path / "data").exists(), "a failed download left its folder behind"


def test_load_cifar10_offline_raises_not_found(tmp_path):
    # data_env points the URL table at a closed local port.
    with pytest.raises(DataNotFoundError, match="Download failed") as info:
        load_cifar10(tmp_path / "data")
    assert str(tmp_path / "data") in str(info.value)


def test_official_table():
    # The real table (data_env patched only the URLs).
    names = {r.filename: r.md5 for rs in download_module.REMOTE_FILES.values() for r in rs}
    assert names == {
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
        "cifar-10-python.tar.gz": "c58f30108f718f92721af3b95e74349a",
    }
