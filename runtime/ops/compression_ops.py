"""``tf.io.decode_compressed``: ZLIB and GZIP strings inflated (op ``DecodeCompressed``)."""

from __future__ import annotations

from .. import dtypes
from ..graph import Tensor
from ..registry import Cost, OpDef, TensorSpec, register_op
from .core import apply_op

__all__ = ["decode_compressed"]

DECODE_COMPRESSED = register_op(
    OpDef(
        "DecodeCompressed",
        ("bytes: string",),
        ("output: string",),
        ("compression_type: string = ''",),
        shape_fn=lambda b, *, compression_type: [TensorSpec(dtypes.string, b.shape)],
        cost=Cost.EXPENSIVE,
    )
)


def decode_compressed(bytes, compression_type="", name=None) -> Tensor:
    """Each string of ``bytes`` decompressed: ``compression_type`` is ``""`` (as is),
    ``"ZLIB"`` or ``"GZIP"``.

    What a string inflates to counts against :mod:`runtime.limits` (a decompression
    bomb fails with ``ResourceExhaustedError``); bytes that are not of the type fail
    with ``DataLossError``, as in TF. A truncated stream gives what it holds.

    Examples
    --------
    >>> import runtime as tf, zlib
    >>> with tf.Graph().as_default():
    ...     text = tf.io.decode_compressed([zlib.compress(b"hello")], "ZLIB")
    ...     print(tf.compat.v1.Session().run(text))
    [b'hello']
    """
    op = apply_op(
        DECODE_COMPRESSED, [bytes], name or "DecodeCompressed", compression_type=compression_type
    )
    return op.outputs[0]
