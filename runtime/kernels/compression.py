"""The ``DecodeCompressed`` kernel: ZLIB and GZIP streams inflated a chunk at a time.

A few compressed bytes can claim gigabytes: each chunk inflated is claimed from a
:class:`~runtime.limits.SizeBudget` before the next is made, so a bomb stops at the
limits instead of exhausting memory.
"""

from __future__ import annotations

import zlib

import numpy as np

from ..errors import DataLossError, InvalidArgumentError
from ..limits import CHUNK, SizeBudget
from ..registry import register_kernel

_WINDOW_BITS = {"ZLIB": zlib.MAX_WBITS, "GZIP": 16 + zlib.MAX_WBITS}


def _inflate(data: bytes, wbits: int, budget: SizeBudget, where: str) -> bytes:
    inflater = zlib.decompressobj(wbits)
    pieces = []
    try:
        while True:
            piece = inflater.decompress(data, CHUNK)
            data = inflater.unconsumed_tail
            budget.claim(len(piece), where)
            pieces.append(piece)
            if inflater.eof or not (data or piece):
                return b"".join(pieces)
    except zlib.error as err:
        text = f"{where} is not a valid {_kind(wbits)} stream: {err}"
        raise DataLossError(None, None, text) from None


def _kind(wbits: int) -> str:
    return next(kind for kind, bits in _WINDOW_BITS.items() if bits == wbits)


@register_kernel("DecodeCompressed")
def decode_compressed(data, *, compression_type):
    compression_type = (
        compression_type.decode() if isinstance(compression_type, bytes) else compression_type
    )
    if compression_type == "":
        return (data,)
    if compression_type not in _WINDOW_BITS:
        raise InvalidArgumentError(
            None,
            None,
            f"Unsupported compression_type: {compression_type!r}; expected '', 'ZLIB' or 'GZIP'",
        )
    budget = SizeBudget("DecodeCompressed's input")
    out = np.empty(data.shape, dtype=object)
    for index, item in np.ndenumerate(data):
        out[index] = _inflate(
            bytes(item), _WINDOW_BITS[compression_type], budget, f"string {index}"
        )
    return (out,)
