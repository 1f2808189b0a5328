"""Size limits for reading untrusted files: nothing is allocated merely because a file claims it.

A file (a ``GraphDef``, a checkpoint, an event file, a TFRecord) says how big its tensors
and records are before the data comes. A reader asks a :class:`SizeBudget` before it
allocates by such a claim, so a 55-byte file that claims a tensor of 2^27 elements costs
nothing until something really needs those elements -- and a claim past the limits fails
with ``ResourceExhaustedError`` naming what claimed it and how to raise the limit.

Three limits, per file read (see :class:`SizeLimits`):

``tensor_bytes``
    the size one tensor (or record) may claim;
``total_bytes``
    the sum of what all tensors of one file may claim;
``fill_bytes``
    the bytes a file may make the reader allocate beyond the data it holds (TF's rule
    fills a short value list out with its last value; a single repeated value costs
    nothing -- it stays a numpy broadcast -- but a longer list must be expanded).

Raise them for one read with :func:`size_limits`, or for the process with
:func:`set_size_limits`::

    with runtime.limits.size_limits(tensor_bytes=8 << 30, total_bytes=16 << 30):
        graph = runtime.graph_io.load_graph("huge_frozen_model.pb")
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading

from .errors import DataLossError, ResourceExhaustedError

__all__ = [
    "SizeBudget",
    "SizeLimits",
    "get_size_limits",
    "read_exact",
    "set_size_limits",
    "size_limits",
]


@dataclasses.dataclass(frozen=True)
class SizeLimits:
    """The limits one file read works under (bytes).

    The defaults follow protocol buffers' own 2 GiB ceiling on a message: no tensor a
    TF-written ``GraphDef`` can hold is refused.

    Examples
    --------
    >>> SizeLimits().tensor_bytes == 2**31
    True
    """

    tensor_bytes: int = 2**31
    total_bytes: int = 2**33
    fill_bytes: int = 2**26


_process_limits = SizeLimits()
_local = threading.local()


def get_size_limits() -> SizeLimits:
    """The limits in force in this thread (:func:`size_limits`, else the process's).

    Examples
    --------
    >>> with size_limits(tensor_bytes=100):
    ...     get_size_limits().tensor_bytes
    100
    """
    return getattr(_local, "limits", None) or _process_limits


def set_size_limits(**limits) -> SizeLimits:
    """Change the process-wide limits (fields of :class:`SizeLimits`); returns the old ones.

    Examples
    --------
    >>> old = set_size_limits(total_bytes=2**34)
    >>> get_size_limits().total_bytes == 2**34
    True
    >>> _ = set_size_limits(**dataclasses.asdict(old))
    """
    global _process_limits
    old = _process_limits
    _process_limits = _checked(old, limits)
    return old


@contextlib.contextmanager
def size_limits(**limits):
    """Within the block, in this thread, read files under changed limits.

    Examples
    --------
    >>> with size_limits(fill_bytes=0) as limits:
    ...     limits.fill_bytes
    0
    """
    old = getattr(_local, "limits", None)
    _local.limits = _checked(get_size_limits(), limits)
    try:
        yield _local.limits
    finally:
        _local.limits = old


def _checked(base: SizeLimits, changes: dict) -> SizeLimits:
    for key, value in changes.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(
                f"Size limit {key} must be a non-negative int of bytes, got {value!r}."
            )
    try:
        return dataclasses.replace(base, **changes)
    except TypeError:
        fields = [f.name for f in dataclasses.fields(SizeLimits)]
        raise TypeError(
            f"Unknown size limit in {sorted(changes)}; the limits are {fields}."
        ) from None


class SizeBudget:
    """What one file read has claimed so far, checked against the limits.

    Parameters
    ----------
    source : str
        What is being read (``"GraphDef"``, a file name): messages name it.
    limits : SizeLimits, optional
        Defaults to :func:`get_size_limits` at creation.

    Examples
    --------
    >>> budget = SizeBudget("demo.pb", SizeLimits(tensor_bytes=8, total_bytes=12))
    >>> budget.claim(8, "node 'a'")
    >>> budget.claim(8, "node 'b'")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    runtime.errors.ResourceExhaustedError: node 'b' of demo.pb claims 8 bytes, and the file's tensors would then claim 16 bytes in all, over the limit of 12 bytes...
    """

    def __init__(self, source: str, limits: SizeLimits | None = None):
        self.source = source
        self.limits = limits or get_size_limits()
        self.claimed = 0
        self.filled = 0

    def claim(self, nbytes: int, where: str) -> None:
        """Account for a tensor or record of ``nbytes`` that ``where`` claims."""
        limits = self.limits
        if nbytes > limits.tensor_bytes:
            self._refuse(
                f"claims {nbytes} bytes, over the limit of {limits.tensor_bytes} "
                "bytes for one tensor",
                where,
                "tensor_bytes",
            )
        if self.claimed + nbytes > limits.total_bytes:
            self._refuse(
                f"claims {nbytes} bytes, and the file's tensors would then claim "
                f"{self.claimed + nbytes} bytes in all, over the limit of "
                f"{limits.total_bytes} bytes",
                where,
                "total_bytes",
            )
        self.claimed += nbytes

    def fill(self, nbytes: int, where: str) -> None:
        """Account for ``nbytes`` to be allocated beyond the data the file holds."""
        if self.filled + nbytes > self.limits.fill_bytes:
            self._refuse(
                f"asks for {nbytes} bytes to be filled in beyond the data it holds, "
                f"over the limit of {self.limits.fill_bytes} bytes",
                where,
                "fill_bytes",
            )
        self.filled += nbytes

    def _refuse(self, text: str, where: str, field: str):
        raise ResourceExhaustedError(
            None,
            None,
            f"{where} of {self.source} {text}. If the file is trusted, raise the limit: "
            f"`with runtime.limits.size_limits({field}=...):` around the read.",
        )


CHUNK = 1 << 20  # the most read at once: bounds what a forged length can make us allocate


def read_up_to(file, nbytes: int) -> bytes:
    """Up to ``nbytes`` of ``file``, fewer only at its end, read in bounded chunks: a
    length a file claims costs memory only as its bytes really arrive.

    Examples
    --------
    >>> import io
    >>> read_up_to(io.BytesIO(b"ab"), 2**40)
    b'ab'
    """
    parts, got = [], 0
    while got < nbytes:
        part = file.read(min(CHUNK, nbytes - got))
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def read_exact(file, nbytes: int, where: str) -> bytes:
    """Read exactly ``nbytes`` from ``file`` (see :func:`read_up_to`); ``DataLossError``
    naming ``where`` when the file holds fewer.

    Examples
    --------
    >>> import io
    >>> read_exact(io.BytesIO(b"abcdef"), 4, "record 0")
    b'abcd'
    >>> read_exact(io.BytesIO(b"ab"), 2**40, "record 0")
    Traceback (most recent call last):
    ...
    runtime.errors.DataLossError: record 0 claims 1099511627776 bytes, but only 2 follow: the file is truncated or corrupt.
    """
    data = read_up_to(file, nbytes)
    if len(data) < nbytes:
        raise DataLossError(
            None,
            None,
            f"{where} claims {nbytes} bytes, but only {len(data)} follow: the file is "
            "truncated or corrupt.",
        )
    return data
