"""Writing files so that a crash never leaves half of one: write aside, then rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable


def atomic_write(path: str, data: bytes | Callable) -> None:
    """Write ``data`` (bytes, or ``write(file)``) to ``path`` through a temporary file.

    The temporary file sits next to ``path``, is flushed to disk, then renamed over
    ``path``: readers see the old file or the new one, never a partial one.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "out.txt")
    >>> atomic_write(path, b"hello")
    >>> open(path, "rb").read()
    b'hello'
    """
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            if callable(data):
                data(file)
            else:
                file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        raise
