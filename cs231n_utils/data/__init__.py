"""Find, download, verify, decode and cache MNIST and CIFAR-10.

Quick use::

    from cs231n_utils.data import load_cifar10, get_cifar10_data
    X_train, y_train, X_test, y_test = load_cifar10()   # uint8 (50000, 32, 32, 3), ...
    data = get_cifar10_data()                            # float32 (49000, 3, 32, 32), ...

Files are looked for in the data directory: the ``data_dir`` argument, else
``$CS231N_DATA``, else ``~/.cache/cs231n``; decoded arrays are cached in ``$CS231N_CACHE``,
else ``~/.cache/cs231n/arrays``. Problems raise :class:`DataError` (a ``ValueError``)
naming the file, or :class:`DataNotFoundError` saying where to put the files.
"""

from .cifar10 import CIFAR10_CLASSES, find_cifar10_source, load_cifar10
from .dataset import Dataset
from .download import REMOTE_FILES, RemoteFile, download_file
from .errors import DataError, DataNotFoundError, DownloadError
from .mnist import MNIST_CLASSES, find_mnist_files, load_mnist
from .paths import CACHE_ENV_VAR, DATA_ENV_VAR, resolve_cache_dir, resolve_data_dir, user_cache_dir
from .preprocess import get_cifar10_data, get_mnist_data

__all__ = [
    "CACHE_ENV_VAR",
    "CIFAR10_CLASSES",
    "DATA_ENV_VAR",
    "DataError",
    "DataNotFoundError",
    "Dataset",
    "DownloadError",
    "MNIST_CLASSES",
    "REMOTE_FILES",
    "RemoteFile",
    "download_file",
    "find_cifar10_source",
    "find_mnist_files",
    "get_cifar10_data",
    "get_mnist_data",
    "load_cifar10",
    "load_mnist",
    "resolve_cache_dir",
    "resolve_data_dir",
    "user_cache_dir",
]
