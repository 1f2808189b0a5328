"""``tf.resource_loader``: data files that sit next to a program's code.

Paths are taken relative to the file of the code that asks, as TF's are (TF's own
resources live next to its Python files; a program's live next to the program).

Examples
--------
>>> import os
>>> os.path.isabs(get_data_files_path())
True
"""

from __future__ import annotations

import os
import sys

__all__ = [
    "get_data_files_path",
    "get_path_to_datafile",
    "get_root_dir_with_all_resources",
    "load_resource",
    "readahead_file_path",
]


def get_data_files_path() -> str:
    """The directory of the caller's source file."""
    return os.path.dirname(os.path.abspath(sys._getframe(1).f_code.co_filename))


def get_path_to_datafile(path: str) -> str:
    """``path`` relative to the directory of the caller's source file.

    Examples
    --------
    >>> get_path_to_datafile("x.txt") == os.path.join(get_data_files_path(), "x.txt")
    True
    """
    here = os.path.dirname(os.path.abspath(sys._getframe(1).f_code.co_filename))
    return os.path.join(here, path)


def get_root_dir_with_all_resources() -> str:
    """The directory the runtime's package sits in (TF: the one with all its data files)."""
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_resource(path: str) -> bytes:
    """The bytes of ``path`` under :func:`get_root_dir_with_all_resources`.

    Raises
    ------
    OSError
        If there is no such file.
    """
    with open(os.path.join(get_root_dir_with_all_resources(), path), "rb") as f:
        return f.read()


def readahead_file_path(path: str, readahead: str = "128M") -> str:
    """``path`` itself: local files need no readahead (TF's is for remote ones)."""
    return path
