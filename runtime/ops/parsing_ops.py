"""Parsing ops: ``decode_csv``, ``decode_raw``, ``parse_example`` and ``parse_single_example``.

``parse_example`` takes a feature spec, a dict from feature key to
``FixedLenFeature`` (a dense tensor of a fixed shape, with an optional default),
``FixedLenSequenceFeature`` (a dense tensor whose first dimension varies: padded
across the batch) or ``VarLenFeature`` (a ``SparseTensor``), and builds one
``ParseExampleV2`` op, as TF does. Kernels: :mod:`runtime.example` (examples) and
:mod:`runtime.kernels.parsing` (CSV, raw bytes).
"""

from __future__ import annotations

import collections

import numpy as np

from .. import dtypes
from .. import example as _example_kernels  # noqa: F401 - registers ParseExampleV2
from ..kernels import parsing as _parsing_kernels  # noqa: F401 - registers DecodeCSV, DecodeRaw
from ..registry import OpDef, TensorSpec, not_differentiable, register_op
from ..shapes import TensorShape, as_shape
from ..sparse_tensor import SparseTensor
from .core import apply_op, convert_to_tensor

__all__ = [
    "FixedLenFeature",
    "FixedLenSequenceFeature",
    "VarLenFeature",
    "decode_csv",
    "decode_raw",
    "parse_example",
    "parse_single_example",
]


class FixedLenFeature(collections.namedtuple("FixedLenFeature", "shape dtype default_value")):
    """A dense feature of a fixed ``shape``; without a ``default_value`` it is required."""

    def __new__(cls, shape, dtype, default_value=None):
        return super().__new__(cls, shape, dtype, default_value)


class FixedLenSequenceFeature(
    collections.namedtuple("FixedLenSequenceFeature", "shape dtype allow_missing default_value")
):
    """A dense feature of ``[None, *shape]``: rows of ``shape``, as many as an example has."""

    def __new__(cls, shape, dtype, allow_missing=False, default_value=None):
        return super().__new__(cls, shape, dtype, allow_missing, default_value)


class VarLenFeature(collections.namedtuple("VarLenFeature", "dtype")):
    """A feature of any length, parsed into a ``SparseTensor``."""


# -- ParseExampleV2 -------------------------------------------------------------------------


def _parse_shapes(
    serialized,
    names,
    sparse_keys,
    dense_keys,
    ragged_keys,
    *defaults,
    Tdense,
    num_sparse,
    sparse_types,
    ragged_value_types,
    ragged_split_types,
    dense_shapes,
):
    rank = serialized.shape.rank
    batch = [] if rank == 0 else [serialized.shape.dim_value(0) if rank == 1 else None]
    index_columns = 1 + len(batch)
    specs = [TensorSpec(dtypes.int64, TensorShape([None, index_columns]))] * num_sparse
    specs += [TensorSpec(t, TensorShape([None])) for t in sparse_types]
    specs += [TensorSpec(dtypes.int64, TensorShape([index_columns]))] * num_sparse
    specs += [
        TensorSpec(t, TensorShape(batch + [None if d == -1 else d for d in _dims(s)]))
        for t, s in zip(Tdense, dense_shapes)
    ]
    return specs


def _dims(shape) -> list:
    return [-1 if d is None else d for d in as_shape(shape).as_list()]


PARSE_EXAMPLE = register_op(
    OpDef(
        "ParseExampleV2",
        (
            "serialized: string",
            "names: string",
            "sparse_keys: string",
            "dense_keys: string",
            "ragged_keys: string",
            "dense_defaults: Tdense",
        ),
        (
            "sparse_indices: num_sparse * int64",
            "sparse_values: sparse_types",
            "sparse_shapes: num_sparse * int64",
            "dense_values: Tdense",
            "ragged_values: ragged_value_types",
            "ragged_row_splits: ragged_split_types",
        ),
        (
            "Tdense: list({float32, int64, string}) >= 0",
            "num_sparse: int >= 0",
            "sparse_types: list({float32, int64, string}) >= 0",
            "ragged_value_types: list({float32, int64, string}) >= 0",
            "ragged_split_types: list({int32, int64}) >= 0",
            "dense_shapes: list(shape) >= 0",
        ),
        shape_fn=_parse_shapes,
    )
)
not_differentiable("ParseExampleV2")


def _strings(values, name):
    return convert_to_tensor(
        np.array(list(values), dtype=object).reshape(-1) if values else np.zeros(0, dtype=object),
        dtype=dtypes.string,
        name=name,
    )


def _split_features(features: dict):
    if not isinstance(features, dict) or not features:
        raise ValueError(f"Invalid `features`: must be a non-empty dict, got {features!r}.")
    sparse, dense = [], []
    for key in sorted(features):
        spec = features[key]
        if isinstance(spec, VarLenFeature):
            sparse.append((key, dtypes.as_dtype(spec.dtype)))
        elif isinstance(spec, FixedLenFeature | FixedLenSequenceFeature):
            dense.append((key, spec))
        else:
            raise ValueError(f"Unsupported feature spec for key '{key}': {spec!r}.")
        dtype = dtypes.as_dtype(spec.dtype)
        if dtype not in (dtypes.float32, dtypes.int64, dtypes.string):
            raise ValueError(
                f"Unsupported dtype {dtype.name} for feature '{key}': features are float32, "
                "int64 or string."
            )
    return sparse, dense


def _dense_default(key, spec):
    """The ``dense_defaults`` input of a dense feature (empty: required) and its shape."""
    dtype = dtypes.as_dtype(spec.dtype)
    numpy_type = object if dtype == dtypes.string else dtype.as_numpy_dtype
    if isinstance(spec, FixedLenSequenceFeature):
        shape = TensorShape([None]).concatenate(as_shape(spec.shape))
        if not spec.allow_missing:
            raise ValueError(
                "Unsupported: FixedLenSequenceFeature requires allow_missing to be True."
            )
        pad = spec.default_value
        if pad is None:
            pad = b"" if dtype == dtypes.string else 0
        return convert_to_tensor(pad, dtype, f"key_{key}"), shape
    shape = as_shape(spec.shape)
    if not shape.is_fully_defined():
        raise ValueError(f"All dimensions of shape for feature {key} need to be known.")
    if spec.default_value is None:
        value = np.zeros(0, numpy_type)
    else:
        value = np.empty(shape.as_tuple(), numpy_type)
        value[...] = np.array(spec.default_value, dtype=numpy_type)
    return convert_to_tensor(value, dtype=dtype, name=f"key_{key}"), shape


def parse_example(serialized, features, name=None, example_names=None):
    """Parse a batch of serialized ``Example`` protos into a dict of tensors by key.

    Examples
    --------
    >>> import runtime as tf
    >>> example = tf.train.Example(features=tf.train.Features(feature={
    ...     "x": tf.train.Feature(float_list=tf.train.FloatList(value=[1.0, 2.0])),
    ...     "ids": tf.train.Feature(int64_list=tf.train.Int64List(value=[7, 8, 9]))}))
    >>> with tf.Graph().as_default():
    ...     parsed = parse_example([example.SerializeToString()], {
    ...         "x": FixedLenFeature([2], tf.float32),
    ...         "ids": VarLenFeature(tf.int64)})
    ...     with tf.compat.v1.Session() as sess:
    ...         out = sess.run(parsed)
    >>> out["x"], out["ids"].values, out["ids"].dense_shape
    (array([[1., 2.]], dtype=float32), array([7, 8, 9]), array([1, 3]))
    """
    return _parse(serialized, features, name or "ParseExample")


def parse_single_example(serialized, features, name=None, example_names=None):
    """Parse one serialized ``Example`` (a string scalar): tensors without a batch dimension."""
    return _parse(serialized, features, name or "ParseSingleExample")


def _parse(serialized, features, name):
    sparse, dense = _split_features(features)
    from ..graph import get_default_graph

    graph = get_default_graph()
    with graph.name_scope(name):
        serialized = convert_to_tensor(serialized, dtype=dtypes.string, name="serialized")
        defaults, shapes = [], []
        for key, spec in dense:
            default, shape = _dense_default(key, spec)
            defaults.append(default)
            shapes.append(shape)
        inputs = [
            serialized,
            _strings([], "names"),
            _strings([k for k, _ in sparse], "sparse_keys"),
            _strings([k for k, _ in dense], "dense_keys"),
            _strings([], "ragged_keys"),
            defaults,
        ]
        op = apply_op(
            PARSE_EXAMPLE,
            inputs,
            "ParseExampleV2",
            Tdense=[dtypes.as_dtype(spec.dtype) for _, spec in dense],
            num_sparse=len(sparse),
            sparse_types=[dtype for _, dtype in sparse],
            ragged_value_types=[],
            ragged_split_types=[],
            dense_shapes=shapes,
        )
    outputs = op.outputs
    count = len(sparse)
    result = {}
    for i, (key, _) in enumerate(sparse):
        result[key] = SparseTensor(outputs[i], outputs[count + i], outputs[2 * count + i])
    for i, (key, _) in enumerate(dense):
        result[key] = outputs[3 * count + i]
    return result


# -- DecodeCSV, DecodeRaw -------------------------------------------------------------------


def _decode_csv_shapes(records, *defaults, OUT_TYPE, **_attrs):
    return [TensorSpec(t, records.shape) for t in OUT_TYPE]


DECODE_CSV = register_op(
    OpDef(
        "DecodeCSV",
        ("records: string", "record_defaults: OUT_TYPE"),
        ("output: OUT_TYPE",),
        (
            "OUT_TYPE: list({float32, float64, int32, int64, string}) >= 1",
            "field_delim: string = ','",
            "use_quote_delim: bool = true",
            "na_value: string = ''",
            "select_cols: list(int) = []",
        ),
        shape_fn=_decode_csv_shapes,
    )
)
DECODE_RAW = register_op(
    OpDef(
        "DecodeRaw",
        ("bytes: string",),
        ("output: out_type",),
        (
            "out_type: {float16, float32, float64, int32, uint16, uint8, int16, int8, int64, "
            "complex64, complex128, bool, bfloat16}",
            "little_endian: bool = true",
        ),
        shape_fn=lambda b, *, out_type, little_endian: [
            TensorSpec(out_type, b.shape.concatenate([None]))
        ],
    )
)
not_differentiable("DecodeCSV")
not_differentiable("DecodeRaw")


def decode_csv(
    records,
    record_defaults,
    field_delim=",",
    use_quote_delim=True,
    name=None,
    na_value="",
    select_cols=None,
):
    """The columns of CSV ``records``, typed by ``record_defaults`` (one per column).

    A column whose default is ``[]`` (an empty list) is required.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a, b, c = decode_csv(["1,x,2.5", '7,"y,z",'], [[0], ["?"], [0.0]])
    ...     print(tf.compat.v1.Session().run([a, b, c]))
    [array([1, 7], dtype=int32), array([b'x', b'y,z'], dtype=object), array([2.5, 0. ], dtype=float32)]
    """
    from ..graph import get_default_graph

    graph = get_default_graph()
    with graph.name_scope(name or "DecodeCSV") as scope:
        records = convert_to_tensor(records, dtype=dtypes.string, name="records")
        defaults = [
            convert_to_tensor(d, name=f"record_defaults_{i}") for i, d in enumerate(record_defaults)
        ]
        for i, default in enumerate(defaults):
            if default.shape.rank not in (None, 1) or (
                default.shape.rank == 1 and (default.shape.dim_value(0) or 0) > 1
            ):
                raise ValueError(f"record_defaults[{i}] must be a list of at most one value.")
        op = apply_op(
            DECODE_CSV,
            [records, defaults],
            scope,
            field_delim=field_delim,
            use_quote_delim=bool(use_quote_delim),
            na_value=na_value,
            select_cols=list(select_cols or ()),
        )
    return op.outputs


def decode_raw(input_bytes=None, out_type=None, little_endian=True, name=None, bytes=None):
    """The bytes of each string reinterpreted as numbers of ``out_type`` (a new last axis).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     values = decode_raw([b"\\x01\\x00\\x02\\x00"], tf.int16)
    ...     print(tf.compat.v1.Session().run(values))
    [[1 2]]
    """
    value = input_bytes if input_bytes is not None else bytes
    tensor = convert_to_tensor(value, dtype=dtypes.string, name="bytes")
    return apply_op(
        DECODE_RAW, [tensor], name or "DecodeRaw", out_type=out_type, little_endian=little_endian
    ).outputs[0]
