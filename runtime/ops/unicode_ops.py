"""Unicode strings: ``tf.strings.unicode_decode``/``_encode``/``_split``/``_transcode``/
``_script`` and ``bytes_split``.

TF returns a ``RaggedTensor`` for the characters of each string of a tensor of strings;
this runtime has no RaggedTensors, so the decoding and splitting builders take one
string (a scalar, for which TF's result is a plain tensor too) and say so for more.
``unicode_encode`` takes code points as a dense tensor, one string per vector of its
last axis, as TF does for dense inputs.
"""

from __future__ import annotations

from .. import dtypes
from ..graph import Tensor
from ..registry import OpDef, TensorSpec, not_differentiable, register_op
from ..scopes import name_scope
from ..shapes import TensorShape
from . import math_ops
from .core import convert_to_tensor
from .packing import build
from .shape_ops import reshape, shape
from .shape_util import with_rank
from .string_ops import STRING_SPLIT

__all__: list = []  # tf.strings names: see runtime.strings

_DECODE_ATTRS = (
    "input_encoding: string",
    "errors: {'strict', 'replace', 'ignore'} = 'replace'",
    "replacement_char: int = 65533",
    "replace_control_characters: bool = false",
    "Tsplits: {int32, int64} = DT_INT64",
)
_OUTPUT_ENCODING = "output_encoding: {'UTF-8', 'UTF-16-BE', 'UTF-32-BE'}"


def _decode_shape(input: TensorSpec, *, Tsplits, **_attrs):
    rows = input.shape.num_elements()
    splits = TensorSpec(Tsplits, TensorShape([None if rows is None else rows + 1]))
    return [splits, TensorSpec(dtypes.int32, TensorShape([None]))]


UNICODE_DECODE = register_op(
    OpDef(
        "UnicodeDecode",
        ("input: string",),
        ("row_splits: Tsplits", "char_values: int32"),
        _DECODE_ATTRS,
        _decode_shape,
    )
)
UNICODE_DECODE_WITH_OFFSETS = register_op(
    OpDef(
        "UnicodeDecodeWithOffsets",
        ("input: string",),
        ("row_splits: Tsplits", "char_values: int32", "char_to_byte_starts: int64"),
        _DECODE_ATTRS,
        lambda input, **attrs: [
            *_decode_shape(input, **attrs),
            TensorSpec(dtypes.int64, TensorShape([None])),
        ],
    )
)


def _encode_shape(input_values: TensorSpec, input_splits: TensorSpec, **_attrs):
    with_rank(input_values.shape, 1)
    count = with_rank(input_splits.shape, 1).dim_value(0)
    rows = None if count is None else count - 1
    return [TensorSpec(dtypes.string, TensorShape([rows]))]


UNICODE_ENCODE = register_op(
    OpDef(
        "UnicodeEncode",
        ("input_values: int32", "input_splits: Tsplits"),
        ("output: string",),
        (
            "errors: {'ignore', 'replace', 'strict'} = 'replace'",
            _OUTPUT_ENCODING,
            "replacement_char: int = 65533",
            "Tsplits: {int32, int64} = DT_INT64",
        ),
        _encode_shape,
    )
)
UNICODE_TRANSCODE = register_op(
    OpDef(
        "UnicodeTranscode",
        ("input: string",),
        ("output: string",),
        (
            "input_encoding: string",
            _OUTPUT_ENCODING,
            "errors: {'strict', 'replace', 'ignore'} = 'replace'",
            "replacement_char: int = 65533",
            "replace_control_characters: bool = false",
        ),
        lambda input, **_attrs: [TensorSpec(dtypes.string, input.shape)],
    )
)
UNICODE_SCRIPT = register_op(
    OpDef(
        "UnicodeScript",
        ("input: int32",),
        ("output: int32",),
        (),
        lambda input: [TensorSpec(dtypes.int32, input.shape)],
    )
)
for _op_type in ("UnicodeDecode", "UnicodeDecodeWithOffsets", "UnicodeEncode"):
    not_differentiable(_op_type)
not_differentiable("UnicodeTranscode")
not_differentiable("UnicodeScript")


def _one_string(input, builder: str) -> Tensor:
    """``input`` as a scalar string tensor; a RaggedTensor's worth of strings is refused."""
    input = convert_to_tensor(input, dtype=dtypes.string, name="input")
    if input.shape.rank != 0:
        raise ValueError(
            f"tf.strings.{builder} of a tensor of shape {input.shape} returns a RaggedTensor "
            "in TF, which this runtime does not have: give it one string (a scalar), or "
            "use tf.strings.unicode_transcode/unicode_script on whole tensors."
        )
    return input


def _decode(input, input_encoding, errors, replacement_char, controls, with_offsets, builder):
    input = _one_string(input, builder)
    op_def = UNICODE_DECODE_WITH_OFFSETS if with_offsets else UNICODE_DECODE
    return build(
        op_def,
        [input],
        None,
        input_encoding=input_encoding,
        errors=errors,
        replacement_char=int(replacement_char),
        replace_control_characters=bool(controls),
    ).outputs[1:]


def unicode_decode(
    input,
    input_encoding,
    errors="replace",
    replacement_char=0xFFFD,
    replace_control_characters=False,
    name=None,
) -> Tensor:
    """The code points (int32) of the string ``input`` in ``input_encoding``; a
    malformed sequence is one ``replacement_char`` (``errors="replace"``), nothing
    (``"ignore"``) or an error (``"strict"``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     points = unicode_decode("h\\u00e9!", "UTF-8")
    ...     print(tf.compat.v1.Session().run(points).tolist())
    [104, 233, 33]
    """
    with name_scope(name, "UnicodeDecode", [input]):
        (points,) = _decode(
            input,
            input_encoding,
            errors,
            replacement_char,
            replace_control_characters,
            False,
            "unicode_decode",
        )
        return points


def unicode_decode_with_offsets(
    input,
    input_encoding,
    errors="replace",
    replacement_char=0xFFFD,
    replace_control_characters=False,
    name=None,
) -> tuple:
    """:func:`unicode_decode` and the byte offset (int64) at which each character starts.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     points, starts = unicode_decode_with_offsets("h\\u00e9!", "UTF-8")
    ...     print(tf.compat.v1.Session().run(starts).tolist())
    [0, 1, 3]
    """
    with name_scope(name, "UnicodeDecodeWithOffsets", [input]):
        points, starts = _decode(
            input,
            input_encoding,
            errors,
            replacement_char,
            replace_control_characters,
            True,
            "unicode_decode_with_offsets",
        )
        return points, starts


def _encode_rows(points: Tensor, encoding, errors, replacement_char) -> Tensor:
    """One string per row of the 2-D ``points``."""
    dims = shape(points, out_type=dtypes.int64)
    splits = math_ops.range(0, dims[0] + 1) * dims[1]
    return build(
        UNICODE_ENCODE,
        [reshape(points, [-1]), splits],
        None,
        output_encoding=encoding,
        errors=errors,
        replacement_char=int(replacement_char),
    ).outputs[0]


def unicode_encode(input, output_encoding, errors="replace", replacement_char=65533, name=None):
    """The code points ``input`` (int32, one string per vector of the last axis) encoded
    in ``output_encoding`` (``"UTF-8"``, ``"UTF-16-BE"`` or ``"UTF-32-BE"``); an invalid
    code point is ``replacement_char``, dropped or an error, as ``errors`` says.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     s = unicode_encode([[104, 105], [233, 33]], "UTF-8")
    ...     print(tf.compat.v1.Session().run(s).tolist())
    [b'hi', b'\\xc3\\xa9!']
    """
    with name_scope(name, "UnicodeEncode", [input]):
        points = convert_to_tensor(input, dtype=dtypes.int32, name="input")
        rank = points.shape.rank
        if rank is None:
            raise ValueError("input_tensor's rank must be known.")
        if rank == 0:
            raise ValueError("input_tensor's rank must be at least 1.")
        if rank == 1:
            return reshape(
                _encode_rows(reshape(points, [1, -1]), output_encoding, errors, replacement_char),
                [],
            )
        rows = reshape(points, [-1, shape(points)[-1]])
        encoded = _encode_rows(rows, output_encoding, errors, replacement_char)
        return reshape(encoded, shape(points)[:-1]) if rank > 2 else encoded


def _split(input, input_encoding, errors, replacement_char, with_offsets, builder):
    points, *starts = _decode(
        input, input_encoding, errors, replacement_char, False, with_offsets, builder
    )
    chars = _encode_rows(reshape(points, [-1, 1]), input_encoding, errors, replacement_char)
    return (chars, *starts)


def unicode_split(input, input_encoding, errors="replace", replacement_char=65533, name=None):
    """The characters of the string ``input``, each a string in ``input_encoding``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     chars = unicode_split("h\\u00e9", "UTF-8")
    ...     print(tf.compat.v1.Session().run(chars).tolist())
    [b'h', b'\\xc3\\xa9']
    """
    with name_scope(name, "UnicodeSplit", [input]):
        (chars,) = _split(input, input_encoding, errors, replacement_char, False, "unicode_split")
        return chars


def unicode_split_with_offsets(
    input, input_encoding, errors="replace", replacement_char=65533, name=None
) -> tuple:
    """:func:`unicode_split` and the byte offset at which each character starts."""
    with name_scope(name, "UnicodeSplitWithOffsets", [input]):
        return _split(
            input, input_encoding, errors, replacement_char, True, "unicode_split_with_offsets"
        )


def unicode_transcode(
    input,
    input_encoding,
    output_encoding,
    errors="replace",
    replacement_char=65533,
    replace_control_characters=False,
    name=None,
) -> Tensor:
    """Each string of ``input`` re-encoded from ``input_encoding`` to ``output_encoding``
    (malformed input handled as ``errors`` says).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     s = unicode_transcode([b"caf\\xe9"], "ISO-8859-1", "UTF-8")
    ...     print(tf.compat.v1.Session().run(s).tolist())
    [b'caf\\xc3\\xa9']
    """
    return build(
        UNICODE_TRANSCODE,
        [input],
        name,
        input_encoding=input_encoding,
        output_encoding=output_encoding,
        errors=errors,
        replacement_char=int(replacement_char),
        replace_control_characters=bool(replace_control_characters),
    ).outputs[0]


def unicode_script(input, name=None) -> Tensor:
    """The Unicode script of each code point, as ICU numbers scripts (0 Common,
    17 Han, 25 Latin ...; -1 for what is no code point).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(unicode_script([65, 0x4F60, 32])).tolist())
    [25, 17, 0]
    """
    return build(UNICODE_SCRIPT, [input], name).outputs[0]


def bytes_split(input, name=None) -> Tensor:
    """The bytes of the string ``input``, each a string.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(bytes_split("ab")).tolist())
    [b'a', b'b']
    """
    with name_scope(name, "StringsByteSplit", [input]):
        input = reshape(_one_string(input, "bytes_split"), [1])
        return build(STRING_SPLIT, [input, ""], None, skip_empty=False).outputs[1]
