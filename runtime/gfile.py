"""``tf.io.gfile``: files and directories on the local file system, with TF's errors.

A missing file raises ``NotFoundError`` and an existing target of a non-overwriting
copy or rename ``AlreadyExistsError``, as TF's file system layer does; ``GFile``
reads text in ``"r"`` mode and bytes in ``"rb"``.
"""

from __future__ import annotations

import contextlib
import glob as _glob
import os
import shutil

from .errors import AlreadyExistsError, FailedPreconditionError, NotFoundError

__all__ = [
    "GFile",
    "copy",
    "exists",
    "glob",
    "isdir",
    "join",
    "listdir",
    "makedirs",
    "mkdir",
    "remove",
    "rename",
    "rmtree",
    "stat",
    "walk",
]


def _path(path) -> str:
    return os.fspath(path.decode() if isinstance(path, bytes) else path)


@contextlib.contextmanager
def _errors(path: str):
    """TF's error classes for the OS errors of an operation on ``path``."""
    try:
        yield
    except FileNotFoundError:
        raise NotFoundError(None, None, f"{path}; No such file or directory") from None
    except FileExistsError:
        raise AlreadyExistsError(None, None, f"{path}; File exists") from None
    except (IsADirectoryError, NotADirectoryError) as err:
        raise FailedPreconditionError(None, None, f"{path}; {err.strerror}") from None


class GFile:
    """A file (``tf.io.gfile.GFile``): ``open`` with TF's errors, opened on first use.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "a.txt")
    >>> with GFile(path, "w") as f:
    ...     f.write("one\\ntwo\\n")
    >>> GFile(path).readlines(), GFile(path, "rb").read()
    (['one\\n', 'two\\n'], b'one\\ntwo\\n')
    """

    def __init__(self, name, mode: str = "r"):
        self.name = _path(name)
        self.mode = mode
        self._file = None

    def _handle(self):
        if self._file is None:
            with _errors(self.name):
                encoding = None if "b" in self.mode else "utf-8"
                self._file = open(self.name, self.mode, encoding=encoding)  # noqa: SIM115
        return self._file

    def read(self, n: int = -1):
        return self._handle().read(n)

    def readline(self):
        return self._handle().readline()

    def readlines(self) -> list:
        return self._handle().readlines()

    def write(self, data) -> None:
        self._handle().write(data)

    def seek(self, offset: int, whence: int = 0):
        return self._handle().seek(offset, whence)

    def tell(self) -> int:
        return self._handle().tell()

    def size(self) -> int:
        return stat(self.name).length

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()

    def __iter__(self):
        return iter(self._handle())

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def exists(path) -> bool:
    """True when ``path`` names a file or directory."""
    return os.path.exists(_path(path))


def isdir(path) -> bool:
    """True when ``path`` is a directory."""
    return os.path.isdir(_path(path))


def glob(pattern) -> list:
    """The paths matching ``pattern`` (``*``, ``?``, ``[...]``), sorted.

    Examples
    --------
    >>> import tempfile, os
    >>> root = tempfile.mkdtemp()
    >>> for name in ("b.txt", "a.txt", "c.csv"):
    ...     open(os.path.join(root, name), "w").close()
    >>> [os.path.basename(p) for p in glob(os.path.join(root, "*.txt"))]
    ['a.txt', 'b.txt']
    """
    return sorted(_glob.glob(_path(pattern)))


def listdir(path) -> list:
    """The entries of directory ``path`` (``NotFoundError`` when it is missing)."""
    path = _path(path)
    with _errors(path):
        return sorted(os.listdir(path))


def makedirs(path) -> None:
    """Create ``path`` and its missing parents (nothing if it exists)."""
    path = _path(path)
    with _errors(path):
        os.makedirs(path, exist_ok=True)


def mkdir(path) -> None:
    """Create directory ``path``; its parent must exist."""
    path = _path(path)
    with _errors(path):
        os.mkdir(path)


def remove(path) -> None:
    """Delete file ``path``."""
    path = _path(path)
    with _errors(path):
        os.remove(path)


def rmtree(path) -> None:
    """Delete directory ``path`` and everything in it."""
    path = _path(path)
    with _errors(path):
        shutil.rmtree(path)


def rename(src, dst, overwrite: bool = False) -> None:
    """Rename ``src`` to ``dst``; ``AlreadyExistsError`` if ``dst`` exists and not ``overwrite``."""
    src, dst = _path(src), _path(dst)
    if not overwrite and os.path.exists(dst):
        raise AlreadyExistsError(None, None, f"{dst}; File already exists")
    with _errors(src):
        os.replace(src, dst)


def copy(src, dst, overwrite: bool = False) -> None:
    """Copy file ``src`` to ``dst``; ``AlreadyExistsError`` if ``dst`` exists and not ``overwrite``."""
    src, dst = _path(src), _path(dst)
    if not overwrite and os.path.exists(dst):
        raise AlreadyExistsError(None, None, f"{dst}; File already exists")
    with _errors(src):
        shutil.copyfile(src, dst)


class FileStatistics:
    """What :func:`stat` tells: ``length`` in bytes, ``mtime_nsec``, ``is_directory``."""

    def __init__(self, length: int, mtime_nsec: int, is_directory: bool):
        self.length = length
        self.mtime_nsec = mtime_nsec
        self.is_directory = is_directory


def stat(path) -> FileStatistics:
    """Size, modification time and kind of ``path``."""
    path = _path(path)
    with _errors(path):
        info = os.stat(path)
    return FileStatistics(info.st_size, info.st_mtime_ns, os.path.isdir(path))


def walk(top, topdown: bool = True, onerror=None):
    """``(directory, subdirectories, files)`` for each directory under ``top``, as ``os.walk``."""
    for directory, subdirectories, files in os.walk(_path(top), topdown, onerror):
        yield directory, sorted(subdirectories), sorted(files)


def join(path, *paths) -> str:
    """``path`` and ``paths`` joined with ``/`` (``tf.io.gfile.join``).

    Examples
    --------
    >>> join("logs", "run1", "events")
    'logs/run1/events'
    """
    return os.path.join(_path(path), *map(_path, paths))
