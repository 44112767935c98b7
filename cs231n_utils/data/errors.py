"""Exceptions raised by the data loaders.

Every problem with a data file is a :class:`DataError` whose message names the file and
what is wrong with it, so a loader never hands back a silently wrong array.
"""

__all__ = ["DataError", "DataNotFoundError", "DownloadError"]


class DataError(ValueError):
    """A data file exists but is not what it should be (corrupt, wrong format, bad checksum)."""


class DataNotFoundError(DataError, FileNotFoundError):
    """The data set's files are not in the data directory and could not be downloaded.

    Also a ``FileNotFoundError``, so ``except FileNotFoundError`` catches it too.
    """


class DownloadError(OSError):
    """Every URL of a file failed for network reasons (offline, HTTP error, timeout).

    Not a :class:`DataError`: nothing is wrong with any file. The loaders turn it into a
    :class:`DataNotFoundError` that says how to provide the files by hand.
    """
