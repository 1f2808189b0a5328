"""String ops: ``tf.strings`` basics (``join``, ``as_string``, ``to_number``, ``substr``,
``regex_replace``, ``split``, ``length``) and TF1's top-level spellings
(``string_join``, ``string_to_number``, ``substr``, ``regex_replace``,
``string_split``).

Splitting gives a ``SparseTensor`` (TF1's ``result_type="SparseTensor"``): row ``i``
holds the tokens of string ``i``. RaggedTensors are not part of this runtime.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..graph import Tensor
from ..registry import OpDef, TensorSpec, register_op
from ..scopes import name_scope
from ..shapes import TensorShape
from ..sparse_tensor import SparseTensor
from .constant_value import known_value
from .core import convert_to_tensor, deprecated_argument_lookup
from .packing import build
from .shape_ops import expand_dims
from .shape_util import merge_shapes, with_rank

__all__ = [
    "as_string",
    "regex_replace",
    "string_join",
    "string_length",
    "string_to_number",
    "substr",
]


def _same_shape_or_scalar(*inputs: TensorSpec) -> TensorShape:
    shape = TensorShape([])
    for spec in inputs:
        if spec.shape.rank != 0:
            shape = spec.shape if shape.rank == 0 else merge_shapes(shape, spec.shape)
    return shape


STRING_JOIN = register_op(
    OpDef(
        "StringJoin",
        ("inputs: N * string",),
        ("output: string",),
        ("N: int >= 0", "separator: string = ''"),
        lambda *inputs, N, separator: [TensorSpec(dtypes.string, _same_shape_or_scalar(*inputs))],
    )
)


def string_join(inputs, separator="", name=None) -> Tensor:
    """The strings of ``inputs`` (tensors of one shape, or scalars) joined elementwise
    with ``separator`` (``tf.strings.join``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     s = string_join(["a", ["b", "c"]], separator="-")
    ...     print(tf.compat.v1.Session().run(s).tolist())
    [b'a-b', b'a-c']
    """
    return build(STRING_JOIN, [list(inputs)], name, separator=separator).outputs[0]


def _unchanged_string(input: TensorSpec, **_attrs):
    return [TensorSpec(dtypes.string, input.shape)]


STRING_LENGTH = register_op(
    OpDef(
        "StringLength",
        ("input: string",),
        ("output: int32",),
        ("unit: {'BYTE', 'UTF8_CHAR'} = 'BYTE'",),
        lambda input, unit: [TensorSpec(dtypes.int32, input.shape)],
    )
)


def string_length(input, name=None, unit="BYTE") -> Tensor:
    """The length of each string, in bytes or (``unit="UTF8_CHAR"``) in characters.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     n = string_length(["abc", "héllo"], unit="UTF8_CHAR")
    ...     print(tf.compat.v1.Session().run(n))
    [3 5]
    """
    return build(STRING_LENGTH, [input], name, unit=unit).outputs[0]


def string_length_v2(input, unit="BYTE", name=None) -> Tensor:
    """TF2's argument order of :func:`string_length`."""
    return string_length(input, name, unit)


def _substr_shape(input: TensorSpec, pos: TensorSpec, len: TensorSpec, *, T, unit):
    merge_shapes(pos.shape, len.shape)
    if pos.shape.rank == 0:
        return [TensorSpec(dtypes.string, input.shape)]
    return [TensorSpec(dtypes.string, _same_shape_or_scalar(input, pos))]


SUBSTR = register_op(
    OpDef(
        "Substr",
        ("input: string", "pos: T", "len: T"),
        ("output: string",),
        ("T: {int32, int64}", "unit: {'BYTE', 'UTF8_CHAR'} = 'BYTE'"),
        _substr_shape,
    )
)


def substr(input, pos, len, name=None, unit="BYTE") -> Tensor:
    """The ``len`` bytes (or characters) of each string from ``pos`` (negative: from the
    end); past the end is cut short, a ``pos`` beyond it is an error.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     s = substr(["hello", "ab"], -2, 3)
    ...     print(tf.compat.v1.Session().run(s).tolist())
    [b'lo', b'ab']
    """
    return build(SUBSTR, [input, pos, len], name, unit=unit).outputs[0]


def substr_v2(input, pos, len, unit="BYTE", name=None) -> Tensor:
    """TF2's argument order of :func:`substr`."""
    return substr(input, pos, len, name, unit)


def _regex_replace_shape(
    input: TensorSpec, pattern: TensorSpec, rewrite: TensorSpec, *, replace_global
):
    with_rank(pattern.shape, 0)
    with_rank(rewrite.shape, 0)
    return [TensorSpec(dtypes.string, input.shape)]


REGEX_REPLACE = register_op(
    OpDef(
        "RegexReplace",
        ("input: string", "pattern: string", "rewrite: string"),
        ("output: string",),
        ("replace_global: bool = true",),
        _regex_replace_shape,
    )
)
STATIC_REGEX_REPLACE = register_op(
    OpDef(
        "StaticRegexReplace",
        ("input: string",),
        ("output: string",),
        ("pattern: string", "rewrite: string", "replace_global: bool = true"),
        _unchanged_string,
    )
)


def regex_replace(input, pattern, rewrite, replace_global=True, name=None) -> Tensor:
    """Each string with the matches of the RE2 ``pattern`` replaced by ``rewrite``
    (``\\0`` the match, ``\\1`` ... its groups); only the first unless ``replace_global``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     s = regex_replace(["aab", "b"], "a+", r"<\\0>")
    ...     print(tf.compat.v1.Session().run(s).tolist())
    [b'<aa>b', b'b']
    """
    if isinstance(pattern, str | bytes) and isinstance(rewrite, str | bytes):
        return build(
            STATIC_REGEX_REPLACE,
            [input],
            name,
            pattern=pattern,
            rewrite=rewrite,
            replace_global=bool(replace_global),
        ).outputs[0]
    return build(
        REGEX_REPLACE, [input, pattern, rewrite], name, replace_global=bool(replace_global)
    ).outputs[0]


_FORMATTED = (
    "{float32, float64, int32, uint8, int16, int8, int64, bfloat16, uint16, float16, uint32, "
    "uint64, complex64, complex128, bool, variant, string}"
)
AS_STRING = register_op(
    OpDef(
        "AsString",
        ("input: T",),
        ("output: string",),
        (
            f"T: {_FORMATTED}",
            "precision: int = -1",
            "scientific: bool = false",
            "shortest: bool = false",
            "width: int = -1",
            "fill: string = ''",
        ),
        _unchanged_string,
    )
)


def as_string(
    input, precision=-1, scientific=False, shortest=False, width=-1, fill="", name=None
) -> Tensor:
    """Each element as text, as C's ``printf`` writes it (``%f`` for floats: 6 decimals
    unless ``precision``; ``scientific``, ``shortest``; ``width`` padded with ``fill``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     s = as_string([3, 12], width=3, fill="0")
    ...     print(tf.compat.v1.Session().run(s).tolist())
    [b'003', b'012']
    """
    return build(
        AS_STRING,
        [input],
        name,
        precision=int(precision),
        scientific=bool(scientific),
        shortest=bool(shortest),
        width=int(width),
        fill=fill,
    ).outputs[0]


STRING_TO_NUMBER = register_op(
    OpDef(
        "StringToNumber",
        ("string_tensor: string",),
        ("output: out_type",),
        ("out_type: {float32, float64, int32, int64, uint32, uint64} = DT_FLOAT",),
        lambda string_tensor, *, out_type: [TensorSpec(out_type, string_tensor.shape)],
    )
)


def string_to_number(string_tensor=None, out_type=dtypes.float32, name=None, input=None) -> Tensor:
    """Each string parsed as a number of ``out_type`` (TF1's signature; ``input`` is
    the new name of ``string_tensor``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     n = string_to_number([" 12", "1e3", "inf"])
    ...     print(tf.compat.v1.Session().run(n))
    [  12. 1000.   inf]
    """
    string_tensor = deprecated_argument_lookup("input", input, "string_tensor", string_tensor)
    return build(
        STRING_TO_NUMBER, [string_tensor], name, out_type=dtypes.as_dtype(out_type)
    ).outputs[0]


def string_to_number_v2(input, out_type=dtypes.float32, name=None) -> Tensor:
    """TF2's ``tf.strings.to_number``."""
    return string_to_number(input, out_type, name)


# -- split ---------------------------------------------------------------------------------


def _split_shape(input: TensorSpec, separator: TensorSpec, **_attrs):
    with_rank(input.shape, 1)
    with_rank(separator.shape, 0)
    return [
        TensorSpec(dtypes.int64, TensorShape([None, 2])),
        TensorSpec(dtypes.string, TensorShape([None])),
        TensorSpec(dtypes.int64, TensorShape([2])),
    ]


_SPLIT_OUTPUTS = ("indices: int64", "values: string", "shape: int64")
STRING_SPLIT = register_op(
    OpDef(
        "StringSplit",
        ("input: string", "delimiter: string"),
        _SPLIT_OUTPUTS,
        ("skip_empty: bool = true",),
        _split_shape,
    )
)
STRING_SPLIT_V2 = register_op(
    OpDef(
        "StringSplitV2",
        ("input: string", "sep: string"),
        _SPLIT_OUTPUTS,
        ("maxsplit: int = -1",),
        _split_shape,
    )
)


def string_split(
    source, sep=None, skip_empty=True, delimiter=None, result_type="SparseTensor", name=None
) -> SparseTensor:
    """TF1's ``tf.string_split``: each string of the vector ``source`` cut at any of the
    characters of ``sep`` (default a space; empty: into single bytes), empty tokens
    dropped unless ``skip_empty`` is false.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     st = string_split(["a b", " c  d"])
    ...     print(tf.compat.v1.Session().run(st).values.tolist())
    [b'a', b'b', b'c', b'd']
    """
    _check_result_type(result_type)
    with name_scope(name, "StringSplit", [source]):
        separator = deprecated_argument_lookup("sep", sep, "delimiter", delimiter)
        separator = convert_to_tensor(" " if separator is None else separator, dtype=dtypes.string)
        source = convert_to_tensor(source, dtype=dtypes.string)
        parts = build(STRING_SPLIT, [source, separator], None, skip_empty=bool(skip_empty)).outputs
        return SparseTensor(*parts)


def split(
    input=None, sep=None, maxsplit=-1, result_type="SparseTensor", source=None, name=None
) -> SparseTensor:
    """TF1's ``tf.strings.split``: each string split at ``sep`` (None: runs of
    whitespace), at most ``maxsplit`` times, into a ``SparseTensor`` row; a scalar is
    one row.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     st = split(["a,,b", "c"], sep=",")
    ...     print(tf.compat.v1.Session().run(st).values.tolist())
    [b'a', b'', b'b', b'c']
    """
    _check_result_type(result_type)
    input = deprecated_argument_lookup("input", input, "source", source)
    with name_scope(name, "StringSplit", [input]):
        input = convert_to_tensor(input, dtype=dtypes.string, name="input")
        if input.shape.rank == 0:
            input = expand_dims(input, 0)
        separator = convert_to_tensor("" if sep is None else sep, dtype=dtypes.string)
        parts = build(STRING_SPLIT_V2, [input, separator], None, maxsplit=int(maxsplit)).outputs
        return SparseTensor(*parts)


def _check_result_type(result_type: str) -> None:
    if result_type == "RaggedTensor":
        raise NotImplementedError(
            "RaggedTensors are not part of this runtime: use result_type='SparseTensor'."
        )
    if result_type != "SparseTensor":
        raise ValueError("result_type must be 'RaggedTensor' or 'SparseTensor'.")


# -- strip, case, full match, reduce_join --------------------------------------------------

STRING_STRIP = register_op(
    OpDef("StringStrip", ("input: string",), ("output: string",), (), _unchanged_string)
)
STRING_LOWER = register_op(
    OpDef(
        "StringLower",
        ("input: string",),
        ("output: string",),
        ("encoding: string = ''",),
        _unchanged_string,
    )
)
STRING_UPPER = register_op(
    OpDef(
        "StringUpper",
        ("input: string",),
        ("output: string",),
        ("encoding: string = ''",),
        _unchanged_string,
    )
)


def strip(input, name=None) -> Tensor:
    """Each string without its leading and trailing whitespace (``tf.strings.strip``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(strip([" a b\\n", "c"])).tolist())
    [b'a b', b'c']
    """
    return build(STRING_STRIP, [input], name).outputs[0]


def lower(input, encoding="", name=None) -> Tensor:
    """Each string in lower case: ASCII letters, or with ``encoding="utf-8"`` all."""
    return build(STRING_LOWER, [input], name, encoding=encoding).outputs[0]


def upper(input, encoding="", name=None) -> Tensor:
    """Each string in upper case: ASCII letters, or with ``encoding="utf-8"`` all.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(upper(["abc", "h\\u00e9"], "utf-8")).tolist())
    [b'ABC', b'H\\xc3\\x89']
    """
    return build(STRING_UPPER, [input], name, encoding=encoding).outputs[0]


def _full_match_shape(input: TensorSpec, *pattern: TensorSpec, **_attrs):
    for spec in pattern:
        with_rank(spec.shape, 0)
    return [TensorSpec(dtypes.bool, input.shape)]


REGEX_FULL_MATCH = register_op(
    OpDef(
        "RegexFullMatch",
        ("input: string", "pattern: string"),
        ("output: bool",),
        (),
        _full_match_shape,
    )
)
STATIC_REGEX_FULL_MATCH = register_op(
    OpDef(
        "StaticRegexFullMatch",
        ("input: string",),
        ("output: bool",),
        ("pattern: string",),
        _full_match_shape,
    )
)


def regex_full_match(input, pattern, name=None) -> Tensor:
    """Whether each whole string matches the RE2 ``pattern``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(regex_full_match(["ab", "abc"], "a.")).tolist())
    [True, False]
    """
    if isinstance(pattern, str | bytes):
        return build(STATIC_REGEX_FULL_MATCH, [input], name, pattern=pattern).outputs[0]
    return build(REGEX_FULL_MATCH, [input, pattern], name).outputs[0]


def _reduce_join_shape(inputs: TensorSpec, reduction_indices: TensorSpec, *, keep_dims, separator):
    axes = known_value(reduction_indices)
    rank = inputs.shape.rank
    if rank is None or axes is None:
        return [TensorSpec(dtypes.string, TensorShape(None))]
    axes = {int(a) % rank for a in np.reshape(axes, -1)} if rank else set()
    dims = [1 if i in axes else d for i, d in enumerate(inputs.shape.as_tuple())]
    kept = [d for i, d in enumerate(dims) if keep_dims or i not in axes]
    return [TensorSpec(dtypes.string, TensorShape(kept))]


REDUCE_JOIN = register_op(
    OpDef(
        "ReduceJoin",
        ("inputs: string", "reduction_indices: int32"),
        ("output: string",),
        ("keep_dims: bool = false", "separator: string = ''"),
        _reduce_join_shape,
    )
)


def reduce_join_v2(inputs, axis=None, keepdims=False, separator="", name=None) -> Tensor:
    """The strings of ``inputs`` joined with ``separator`` along ``axis`` (default: all,
    last axis first), as ``reduce_sum`` adds numbers (``tf.strings.reduce_join``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     s = reduce_join_v2([["a", "b"], ["c", "d"]], axis=1, separator="-")
    ...     print(tf.compat.v1.Session().run(s).tolist())
    [b'a-b', b'c-d']
    """
    with name_scope(None, "ReduceJoin", [inputs, axis]):
        inputs = convert_to_tensor(inputs)
        if axis is None:
            rank = inputs.shape.rank
            if rank is None:
                raise ValueError("reduce_join of a tensor of unknown rank needs an axis.")
            axis = np.arange(rank - 1, -1, -1, dtype=np.int32)
        return build(
            REDUCE_JOIN, [inputs, axis], name, keep_dims=bool(keepdims), separator=separator
        ).outputs[0]


def reduce_join(
    inputs,
    axis=None,
    keep_dims=None,
    separator="",
    name=None,
    reduction_indices=None,
    keepdims=None,
) -> Tensor:
    """TF1's :func:`reduce_join_v2` (``reduction_indices``/``keep_dims`` spellings)."""
    keepdims = deprecated_argument_lookup("keepdims", keepdims, "keep_dims", keep_dims)
    axis = deprecated_argument_lookup("axis", axis, "reduction_indices", reduction_indices)
    return reduce_join_v2(inputs, axis, bool(keepdims), separator, name)


# tf.compat.v1's top-level string names.
V1_OVERRIDES = {
    "as_string": as_string,
    "regex_replace": regex_replace,
    "string_join": string_join,
    "string_split": string_split,
    "string_to_number": string_to_number,
    "reduce_join": reduce_join,
    "string_strip": strip,
    "substr": substr,
}
