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
from . import math_ops
from .concat_ops import concat
from .constant_value import known_value
from .core import apply_op, convert_to_tensor, deprecated_argument_lookup
from .logging_ops import STRING_FORMAT
from .packing import build
from .shape_ops import expand_dims, reshape, shape
from .shape_util import merge_shapes, with_rank, with_rank_at_least

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


# -- hash buckets and fingerprints ---------------------------------------------------------


def _hash_bucket_op(op_type: str, input_name: str, extra_attrs: tuple = ()) -> OpDef:
    return register_op(
        OpDef(
            op_type,
            (f"{input_name}: string",),
            ("output: int64",),
            ("num_buckets: int >= 1", *extra_attrs),
            lambda input, **_: [TensorSpec(dtypes.int64, input.shape)],
        )
    )


STRING_TO_HASH_BUCKET = _hash_bucket_op("StringToHashBucket", "string_tensor")
STRING_TO_HASH_BUCKET_FAST = _hash_bucket_op("StringToHashBucketFast", "input")
STRING_TO_HASH_BUCKET_STRONG = _hash_bucket_op(
    "StringToHashBucketStrong", "input", ("key: list(int)",)
)


def string_to_hash_bucket_fast(input, num_buckets, name=None) -> Tensor:
    """Each string's bucket in ``[0, num_buckets)``: FarmHash's ``Fingerprint64`` modulo
    ``num_buckets``, the very numbers TF gives (``tf.strings.to_hash_bucket_fast``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     b = string_to_hash_bucket_fast(["Hello", "TensorFlow", "2.x"], 3)
    ...     print(tf.compat.v1.Session().run(b))
    [0 2 2]
    """
    return build(STRING_TO_HASH_BUCKET_FAST, [input], name, num_buckets=num_buckets).outputs[0]


def string_to_hash_bucket_v1(string_tensor=None, num_buckets=None, name=None, input=None):
    """TF1's ``tf.string_to_hash_bucket``: buckets by TF's legacy ``Hash64`` (prefer
    :func:`string_to_hash_bucket_fast`; ``input`` is the new name of ``string_tensor``)."""
    string_tensor = deprecated_argument_lookup("input", input, "string_tensor", string_tensor)
    return build(STRING_TO_HASH_BUCKET, [string_tensor], name, num_buckets=num_buckets).outputs[0]


def string_to_hash_bucket(input, num_buckets, name=None) -> Tensor:
    """TF2's ``tf.strings.to_hash_bucket``: buckets by TF's legacy ``Hash64``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     b = string_to_hash_bucket(["Hello", "TensorFlow", "2.x"], 3)
    ...     print(tf.compat.v1.Session().run(b))
    [2 0 1]
    """
    return string_to_hash_bucket_v1(input, num_buckets, name)


def string_to_hash_bucket_strong(input, num_buckets, key, name=None) -> Tensor:
    """Each string's bucket by SipHash-2-4 under the secret ``key`` (two ints): buckets
    an adversary cannot aim at (``tf.strings.to_hash_bucket_strong``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     b = string_to_hash_bucket_strong(["Hello", "TensorFlow", "2.x"], 3, [1, 2])
    ...     print(tf.compat.v1.Session().run(b))
    [2 2 1]
    """
    return build(
        STRING_TO_HASH_BUCKET_STRONG, [input], name, num_buckets=num_buckets, key=list(key)
    ).outputs[0]


def _fingerprint_shape(data: TensorSpec, method: TensorSpec, *, T):
    dims = with_rank_at_least(data.shape, 1)
    with_rank(method.shape, 0)
    known = known_value(method)
    if known is not None:
        name = np.asarray(known, dtype=object).item()
        name = name.decode(errors="replace") if isinstance(name, bytes) else name
        if name != "farmhash64":
            raise ValueError(f"Unsupported method: {name}")
    return [TensorSpec(dtypes.uint8, TensorShape([dims.dim_value(0) if dims.rank else None, 8]))]


FINGERPRINT = register_op(
    OpDef(
        "Fingerprint",
        ("data: T", "method: string"),
        ("fingerprint: uint8",),
        ("T: type",),
        _fingerprint_shape,
    )
)


def fingerprint(data, method="farmhash64", name=None) -> Tensor:
    """A 64-bit fingerprint (8 little-endian bytes) of each row ``data[i]``: FarmHash's
    ``Fingerprint64`` of its bytes, the same on every machine and in TF.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     f = fingerprint(["a", "b"])
    ...     print(tf.compat.v1.Session().run(f).shape)
    (2, 8)
    """
    return build(FINGERPRINT, [data, method], name).outputs[0]


# -- base64 --------------------------------------------------------------------------------

ENCODE_BASE64 = register_op(
    OpDef(
        "EncodeBase64",
        ("input: string",),
        ("output: string",),
        ("pad: bool = false",),
        _unchanged_string,
    )
)
DECODE_BASE64 = register_op(
    OpDef("DecodeBase64", ("input: string",), ("output: string",), (), _unchanged_string)
)


def encode_base64(input, pad=False, name=None) -> Tensor:
    """Each string in web-safe base64 (``-`` and ``_`` for ``+`` and ``/``), padded with
    ``=`` only if ``pad``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     s = encode_base64(["ab", "\xff"])
    ...     print(tf.compat.v1.Session().run(s).tolist())
    [b'YWI', b'w78']
    """
    return build(ENCODE_BASE64, [input], name, pad=bool(pad)).outputs[0]


def decode_base64(input, name=None) -> Tensor:
    """Each web-safe base64 string decoded (padded or not).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(decode_base64(["YWI", "YWI="])).tolist())
    [b'ab', b'ab']
    """
    return build(DECODE_BASE64, [input], name).outputs[0]


# -- format, n-grams, segment joins --------------------------------------------------------


def string_format(template, inputs, placeholder="{}", summarize=3, name=None) -> Tensor:
    """``template`` with each ``placeholder`` replaced by the next tensor of ``inputs``,
    shown numpy-style with ``summarize`` elements at each end of a dimension (-1: all).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     s = string_format("x = {}", tf.range(8), summarize=2)
    ...     print(tf.compat.v1.Session().run(s).decode())
    x = [0 1 ... 6 7]
    """
    if isinstance(inputs, Tensor):
        inputs = [inputs]
    if template.count(placeholder) != len(inputs):
        raise ValueError(
            f"The template expects {template.count(placeholder)} tensors, but the inputs only "
            f"has {len(inputs)}. Please ensure the number of placeholders in template matches "
            "inputs length."
        )
    with name_scope(name, "StringFormat", list(inputs)) as scope:
        tensors = [convert_to_tensor(value) for value in inputs]
        return apply_op(
            STRING_FORMAT,
            [tensors],
            scope,
            template=template,
            placeholder=placeholder,
            summarize=int(summarize),
        ).outputs[0]


def _ngrams_shape(data: TensorSpec, data_splits: TensorSpec, **_attrs):
    with_rank(data.shape, 1)
    with_rank(data_splits.shape, 1)
    return [
        TensorSpec(dtypes.string, TensorShape([None])),
        TensorSpec(_attrs["Tsplits"], data_splits.shape),
    ]


STRING_NGRAMS = register_op(
    OpDef(
        "StringNGrams",
        ("data: string", "data_splits: Tsplits"),
        ("ngrams: string", "ngrams_splits: Tsplits"),
        (
            "separator: string",
            "ngram_widths: list(int) >= 0",
            "left_pad: string",
            "right_pad: string",
            "pad_width: int",
            "preserve_short_sequences: bool",
            "Tsplits: {int32, int64} = DT_INT64",
        ),
        _ngrams_shape,
    )
)


def _pad_strings(pad_values, padding_width) -> tuple:
    """``(left_pad, right_pad, pad_width)`` as TF's ``ngrams`` reads its arguments."""
    text = (str, bytes)
    if pad_values is None:
        left = right = ""
    elif isinstance(pad_values, list | tuple):
        if not all(isinstance(value, text) for value in pad_values[:2]):
            raise TypeError("pad_values must be a string, tuple of strings, or None.")
        left, right = pad_values[0], pad_values[1]
    elif isinstance(pad_values, text):
        left = right = pad_values
    else:
        raise TypeError("pad_values must be a string, tuple of strings, or None.")
    if padding_width is not None and padding_width < 1:
        raise ValueError("padding_width must be greater than 0.")
    if padding_width is not None and pad_values is None:
        raise ValueError("pad_values must be provided if padding_width is set.")
    if pad_values is None:
        return left, right, 0
    return left, right, -1 if padding_width is None else int(padding_width)


def ngrams(
    data,
    ngram_width,
    separator=" ",
    pad_values=None,
    padding_width=None,
    preserve_short_sequences=False,
    name=None,
) -> Tensor:
    """The n-grams of each row (the last axis) of the string tensor ``data``, for each
    width of ``ngram_width``, joined by ``separator``; ``pad_values`` (a string, or the
    left and right pads) pads each row by ``padding_width`` (default: width - 1).

    A row too short for any n-gram gives none (or, with ``preserve_short_sequences``,
    itself padded). TF returns a ``RaggedTensor`` for a ``RaggedTensor`` input; this
    runtime's inputs are dense, and so are its results, as TF's for dense inputs.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     grams = ngrams(["a", "b", "c"], 2, separator="+")
    ...     print(tf.compat.v1.Session().run(grams).tolist())
    [b'a+b', b'b+c']
    """
    with name_scope(name, "StringNGrams", [data]):
        left, right, pad_width = _pad_strings(pad_values, padding_width)
        data = convert_to_tensor(data, dtype=dtypes.string, name="data")
        if data.shape.rank is None:
            raise ValueError("Rank of data must be known.")
        if data.shape.rank == 0:
            raise ValueError("Data must have rank>0")
        widths = list(ngram_width) if isinstance(ngram_width, list | tuple) else [ngram_width]
        for width in widths:
            if width < 1:
                raise ValueError(f"All ngram_widths must be greater than 0. Got {ngram_width}")
        dims = shape(data, out_type=dtypes.int64)
        # One row per vector of the last axis: splits 0, n, 2n, ...
        splits = math_ops.range(0, math_ops.reduce_prod(dims[:-1]) + 1) * dims[-1]
        grams = build(
            STRING_NGRAMS,
            [reshape(data, [-1]), splits],
            None,
            separator=separator,
            ngram_widths=[int(w) for w in widths],
            left_pad=left,
            right_pad=right,
            pad_width=pad_width,
            preserve_short_sequences=bool(preserve_short_sequences),
        ).outputs[0]
        if data.shape.rank == 1:
            return grams
        return reshape(grams, concat([shape(data)[:-1], [-1]], 0))


def _segment_join_shape(inputs: TensorSpec, segment_ids: TensorSpec, num_segments: TensorSpec, **_):
    count = known_value(num_segments)
    if inputs.shape.rank is None or segment_ids.shape.rank is None:
        return [TensorSpec(dtypes.string, TensorShape(None))]
    inner = inputs.shape.as_tuple()[segment_ids.shape.rank :]
    return [TensorSpec(dtypes.string, TensorShape([None if count is None else int(count), *inner]))]


UNSORTED_SEGMENT_JOIN = register_op(
    OpDef(
        "UnsortedSegmentJoin",
        ("inputs: string", "segment_ids: Tindices", "num_segments: Tnumsegments"),
        ("output: string",),
        (
            "separator: string = ''",
            "Tindices: {int32, int64}",
            "Tnumsegments: {int32, int64} = DT_INT32",
        ),
        _segment_join_shape,
    )
)


def unsorted_segment_join(inputs, segment_ids, num_segments, separator="", name=None) -> Tensor:
    """The strings of ``inputs`` joined per segment (``segment_ids`` a prefix of its
    shape), in order, with ``separator``; a segment with none is empty.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     s = unsorted_segment_join(["a", "b", "c"], [1, 0, 1], 2, separator=",")
    ...     print(tf.compat.v1.Session().run(s).tolist())
    [b'b', b'a,c']
    """
    return build(
        UNSORTED_SEGMENT_JOIN, [inputs, segment_ids, num_segments], name, separator=separator
    ).outputs[0]


# tf.compat.v1's top-level string names.
V1_OVERRIDES = {
    "as_string": as_string,
    "decode_base64": decode_base64,
    "encode_base64": encode_base64,
    "fingerprint": fingerprint,
    "string_to_hash_bucket": string_to_hash_bucket_v1,
    "string_to_hash_bucket_fast": string_to_hash_bucket_fast,
    "string_to_hash_bucket_strong": string_to_hash_bucket_strong,
    "regex_replace": regex_replace,
    "string_join": string_join,
    "string_split": string_split,
    "string_to_number": string_to_number,
    "reduce_join": reduce_join,
    "string_strip": strip,
    "substr": substr,
}
