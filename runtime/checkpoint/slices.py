"""Slices of tensors in checkpoints: how a partitioned variable is saved, as TF saves it.

``SaveV2`` and ``RestoreV2`` name a slice by its ``shape_and_slice`` text: the full shape,
then per dimension ``start,length`` or ``-`` (all of it)::

    "10 4 4,3:0,4"      rows 4..6 of a [10, 4] tensor

In a bundle, a sliced tensor ``name`` has an entry with its dtype, full shape and the
list of its slices (no data), and each slice is a tensor of its own under a binary key:
TF's ``EncodeTensorNameSlice``, the name and the extents in TF's ``OrderedCode``.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgumentError
from ..proto import tensor_bundle_pb2

__all__ = ["Slice", "parse_shape_and_slice", "slice_key"]

FULL = -1  # TF's kFullExtent: a dimension taken whole


class Slice:
    """A slice of a tensor of ``full_shape``: ``extents``, one ``(start, length)`` per
    dimension (``length`` :data:`FULL` for the whole dimension).

    Examples
    --------
    >>> part = parse_shape_and_slice("10 4 4,3:-")
    >>> part.full_shape, part.extents, part.shape, part.region()
    ([10, 4], [(4, 3), (0, -1)], [3, 4], (slice(4, 7, None), slice(0, 4, None)))
    """

    def __init__(self, full_shape, extents):
        self.full_shape = list(full_shape)
        self.extents = list(extents)

    @classmethod
    def whole(cls, shape) -> Slice:
        return cls(shape, [(0, FULL)] * len(shape))

    @classmethod
    def from_proto(cls, proto, full_shape) -> Slice:
        extents = [
            (e.start, e.length if e.WhichOneof("has_length") else FULL) for e in proto.extent
        ]
        return cls(full_shape, extents)

    def to_proto(self):
        """The ``TensorSliceProto`` (a whole dimension's extent left empty, as TF writes it)."""
        proto = tensor_bundle_pb2.TensorSliceProto()
        for start, length in self.extents:
            extent = proto.extent.add()
            if length != FULL:
                extent.start = start
                extent.length = length
        return proto

    @property
    def shape(self) -> list:
        """The slice's own shape."""
        return [
            full if length == FULL else length
            for (_, length), full in zip(self.extents, self.full_shape)
        ]

    def region(self) -> tuple:
        """The numpy index of the slice in the full tensor."""
        return tuple(
            slice(start, start + size) for (start, _), size in zip(self.extents, self.shape)
        )

    def is_whole(self) -> bool:
        return self.shape == self.full_shape

    def cut(self, name: str, full: np.ndarray) -> np.ndarray:
        """This slice of ``full``, the stored value of tensor ``name`` (whose shape must be
        the full shape the slice names)."""
        if list(full.shape) != self.full_shape:
            raise InvalidArgumentError(
                None,
                None,
                f"tensor_name = {name}; shape in shape_and_slice spec {self.full_shape} does "
                f"not match the shape stored in checkpoint: {list(full.shape)}",
            )
        return full[self.region()]


def parse_shape_and_slice(text: str) -> Slice | None:
    """The :class:`Slice` a ``shape_and_slice`` text names (``None`` for ``""``: the whole
    tensor); ``InvalidArgumentError`` for a malformed one."""
    text = text.strip()
    if not text:
        return None
    parts = text.split(" ")
    try:
        full_shape = [int(d) for d in parts[:-1]]
        specs = parts[-1].split(":")
        extents = []
        for spec in specs:
            if spec == "-":
                extents.append((0, FULL))
            else:
                start, length = (int(n) for n in spec.split(","))
                extents.append((start, length))
    except ValueError:
        raise InvalidArgumentError(None, None, f"Invalid shape_and_slice: {text!r}") from None
    if len(extents) != len(full_shape) or any(d < 0 for d in full_shape):
        raise InvalidArgumentError(
            None, None, f"Invalid shape_and_slice {text!r}: the slice's rank is not the shape's"
        )
    for (start, length), size in zip(extents, full_shape):
        if length != FULL and (start < 0 or length < 0 or start + length > size):
            raise InvalidArgumentError(
                None, None, f"Invalid shape_and_slice {text!r}: an extent outside the shape"
            )
    return Slice(full_shape, extents)


# -- TF's OrderedCode, for slice keys ------------------------------------------------------


def _num_increasing(value: int) -> bytes:
    """OrderedCode's ``WriteNumIncreasing``: a length byte, then big-endian bytes."""
    body = value.to_bytes((value.bit_length() + 7) // 8, "big") if value else b""
    return bytes([len(body)]) + body


# OrderedCode's header bits of a signed number of n bytes (its first two bytes).
_SIGNED_HEADERS = [
    (0x00, 0x00),
    (0x80, 0x00),
    (0xC0, 0x00),
    (0xE0, 0x00),
    (0xF0, 0x00),
    (0xF8, 0x00),
    (0xFC, 0x00),
    (0xFE, 0x00),
    (0xFF, 0x00),
    (0xFF, 0x80),
    (0xFF, 0xC0),
]


def _signed_num_increasing(value: int) -> bytes:
    """OrderedCode's ``WriteSignedNumIncreasing``: length and sign in the leading bits."""
    magnitude = ~value if value < 0 else value
    length = magnitude.bit_length() // 7 + 1  # TF's kBitsToLength
    body = bytearray((value & ((1 << (8 * 10)) - 1)).to_bytes(10, "big")[10 - length :])
    body[0] ^= _SIGNED_HEADERS[length][0]
    if length > 1:
        body[1] ^= _SIGNED_HEADERS[length][1]
    return bytes(body)


_ESCAPES = {0x00: b"\x00\xff", 0xFF: b"\xff\x00"}


def _string(text: bytes) -> bytes:
    """OrderedCode's ``WriteString``: 0x00 and 0xff escaped, then ``00 01``."""
    escaped = (_ESCAPES.get(byte, bytes([byte])) for byte in text)
    return b"".join(escaped) + b"\x00\x01"


def slice_key(name: str, part: Slice) -> bytes:
    """The bundle key of slice ``part`` of tensor ``name`` (TF's ``EncodeTensorNameSlice``).

    Examples
    --------
    >>> slice_key("counts", parse_shape_and_slice("6 3,3")).hex()
    '00636f756e7473000101018383'
    """
    key = _num_increasing(0) + _string(name.encode()) + _num_increasing(len(part.extents))
    for start, length in part.extents:
        key += _signed_num_increasing(start) + _signed_num_increasing(length)
    return key
