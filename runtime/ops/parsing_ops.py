"""Parsing ops: ``decode_csv``, ``decode_raw``, ``parse_example``/``parse_single_example``,
``parse_sequence_example``/``parse_single_sequence_example``, ``decode_json_example``,
``serialize_tensor``/``parse_tensor`` and ``decode_proto``/``encode_proto``.

``parse_example`` takes a feature spec, a dict from feature key to
``FixedLenFeature`` (a dense tensor of a fixed shape, with an optional default),
``FixedLenSequenceFeature`` (a dense tensor whose first dimension varies: padded
across the batch), ``VarLenFeature`` (a ``SparseTensor``) or ``SparseFeature`` (a
``SparseTensor`` whose indices are features too), and builds one ``ParseExampleV2`` op,
as TF does; ``SequenceExample``s are parsed by one ``ParseSequenceExampleV2``. Kernels:
:mod:`runtime.example` (examples), :mod:`runtime.protos` (tensors and protos as bytes)
and :mod:`runtime.kernels.parsing` (CSV, raw bytes).
"""

from __future__ import annotations

import collections

import numpy as np

from .. import dtypes
from .. import example as _example_kernels  # noqa: F401 - registers ParseExampleV2
from .. import protos as _proto_kernels  # noqa: F401 - registers SerializeTensor & co
from ..kernels import parsing as _parsing_kernels  # noqa: F401 - registers DecodeCSV, DecodeRaw
from ..registry import OpDef, TensorSpec, not_differentiable, register_op
from ..shapes import TensorShape, as_shape
from ..sparse_tensor import SparseTensor
from .core import apply_op, convert_to_tensor

__all__ = [
    "FixedLenFeature",
    "FixedLenSequenceFeature",
    "SparseFeature",
    "VarLenFeature",
    "decode_csv",
    "decode_json_example",
    "decode_proto",
    "decode_raw",
    "encode_proto",
    "parse_example",
    "parse_sequence_example",
    "parse_single_example",
    "parse_single_sequence_example",
    "parse_tensor",
    "serialize_tensor",
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
            _add_sparse_key(sparse, key, dtypes.as_dtype(spec.dtype))
        elif isinstance(spec, SparseFeature):
            for part, dtype in _sparse_keys_of(key, spec):
                _add_sparse_key(sparse, part, dtype)
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


def _add_sparse_key(sparse: list, key: str, dtype) -> None:
    """Add ``(key, dtype)`` to the sparse keys (a key a ``SparseFeature`` shares, once)."""
    for known, known_type in sparse:
        if known == key:
            if known_type != dtype:
                raise ValueError(f"Conflicting type {known_type} vs {dtype} for feature {key}.")
            return
    sparse.append((key, dtype))


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
    for key, spec in features.items():
        if isinstance(spec, SparseFeature):
            result[key] = _merged_sparse(spec, result)
    return {key: result[key] for key in features}


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


# -- SparseFeature ----------------------------------------------------------------------


class SparseFeature(
    collections.namedtuple("SparseFeature", "index_key value_key dtype size already_sorted")
):
    """A ``SparseTensor`` assembled from an example's index feature(s) and value feature:
    value ``i`` of ``value_key`` sits at ``index_key``'s value ``i`` (one key per dimension,
    each of ``size``). Sorted by index unless ``already_sorted``.

    Examples
    --------
    >>> import runtime as tf
    >>> ints = lambda v: tf.train.Feature(int64_list=tf.train.Int64List(value=v))
    >>> floats = lambda v: tf.train.Feature(float_list=tf.train.FloatList(value=v))
    >>> example = tf.train.Example(features=tf.train.Features(feature={
    ...     "ix": ints([4, 1]), "val": floats([0.5, 2.5])}))
    >>> with tf.Graph().as_default():
    ...     sp = tf.io.parse_single_example(example.SerializeToString(),
    ...                                     {"s": SparseFeature("ix", "val", tf.float32, 6)})["s"]
    ...     value = tf.compat.v1.Session().run(sp)
    >>> value.indices.tolist(), value.values.tolist(), value.dense_shape.tolist()
    ([[1], [4]], [2.5, 0.5], [6])
    """

    def __new__(cls, index_key, value_key, dtype, size, already_sorted=False):
        return super().__new__(cls, index_key, value_key, dtype, size, already_sorted)


def _sparse_keys_of(key: str, spec: SparseFeature) -> list:
    """``(key, dtype)`` of the features a ``SparseFeature`` is made of (indices first)."""
    for part in ("index_key", "value_key", "dtype"):
        if not getattr(spec, part):
            raise ValueError(f"Missing {part} for SparseFeature {spec}.")
    index_keys = [spec.index_key] if isinstance(spec.index_key, str) else list(spec.index_key)
    return [(k, dtypes.int64) for k in sorted(index_keys)] + [
        (spec.value_key, dtypes.as_dtype(spec.dtype))
    ]


def _merged_sparse(spec: SparseFeature, parsed: dict) -> SparseTensor:
    """The ``SparseTensor`` of ``spec`` from its parsed parts (TF's ``sparse_merge``): the
    batch index columns of the first index feature, then each index feature's values."""
    from .array_ops import concat, expand_dims, stack
    from .array_ops import slice as slice_
    from .math_ops import cast
    from .shape_ops import shape
    from .sparse_ops import sparse_reorder

    index_keys = [spec.index_key] if isinstance(spec.index_key, str) else list(spec.index_key)
    sizes = [spec.size] if isinstance(spec.index_key, str) else list(spec.size)
    ids = [parsed[k] for k in index_keys]
    values = parsed[spec.value_key]
    indices_shape = shape(ids[0].indices)
    rank = indices_shape[1]
    leading = slice_(ids[0].indices, [0, 0], stack([indices_shape[0], rank - 1]))
    columns = [expand_dims(cast(sp.values, dtypes.int64), 1) for sp in ids]
    indices = concat([leading, *columns], 1)
    batch = slice_(ids[0].dense_shape, [0], expand_dims(rank - 1, 0))
    dense_shape = concat([batch, cast(stack(sizes), dtypes.int64)], 0)
    merged = SparseTensor(indices, values.values, dense_shape)
    if spec.already_sorted:
        return merged
    ordered = sparse_reorder(merged)
    return SparseTensor(ordered.indices, ordered.values, dense_shape)


# -- ParseSequenceExampleV2 -----------------------------------------------------------------


def _sequence_shapes(serialized, *_inputs, **attrs):
    """Static shapes of ``ParseSequenceExampleV2``'s outputs (no ragged features here)."""
    rank = serialized.shape.rank
    batch = [] if rank == 0 else [serialized.shape.dim_value(0) if rank == 1 else None]

    def sparse(types, columns) -> list:
        return (
            [TensorSpec(dtypes.int64, TensorShape([None, columns]))] * len(types)
            + [TensorSpec(t, TensorShape([None])) for t in types]
            + [TensorSpec(dtypes.int64, TensorShape([columns]))] * len(types)
        )

    context_dense = [
        TensorSpec(t, TensorShape(batch + [None if d == -1 else d for d in _dims(shape)]))
        for t, shape in zip(attrs["Tcontext_dense"], attrs["context_dense_shapes"])
    ]
    list_types = attrs["feature_list_dense_types"]
    list_dense = [
        TensorSpec(t, TensorShape([*batch, None, *_dims(shape)]))
        for t, shape in zip(list_types, attrs["feature_list_dense_shapes"])
    ]
    lengths = [TensorSpec(dtypes.int64, TensorShape(batch))] * len(list_types)
    return (
        sparse(attrs["context_sparse_types"], len(batch) + 1)
        + context_dense
        + sparse(attrs["feature_list_sparse_types"], len(batch) + 2)
        + list_dense
        + lengths
    )


_FEATURE_TYPES = "list({float32, int64, string}) >= 0 = []"
PARSE_SEQUENCE_EXAMPLE = register_op(
    OpDef(
        "ParseSequenceExampleV2",
        (
            "serialized: string",
            "debug_name: string",
            "context_sparse_keys: string",
            "context_dense_keys: string",
            "context_ragged_keys: string",
            "feature_list_sparse_keys: string",
            "feature_list_dense_keys: string",
            "feature_list_ragged_keys: string",
            "feature_list_dense_missing_assumed_empty: bool",
            "context_dense_defaults: Tcontext_dense",
        ),
        (
            "context_sparse_indices: Ncontext_sparse * int64",
            "context_sparse_values: context_sparse_types",
            "context_sparse_shapes: Ncontext_sparse * int64",
            "context_dense_values: Tcontext_dense",
            "context_ragged_values: context_ragged_value_types",
            "context_ragged_row_splits: context_ragged_split_types",
            "feature_list_sparse_indices: Nfeature_list_sparse * int64",
            "feature_list_sparse_values: feature_list_sparse_types",
            "feature_list_sparse_shapes: Nfeature_list_sparse * int64",
            "feature_list_dense_values: feature_list_dense_types",
            "feature_list_dense_lengths: Nfeature_list_dense * int64",
            "feature_list_ragged_values: feature_list_ragged_value_types",
            "feature_list_ragged_outer_splits: feature_list_ragged_split_types",
            "feature_list_ragged_inner_splits: feature_list_ragged_split_types",
        ),
        (
            "Ncontext_sparse: int >= 0 = 0",
            f"Tcontext_dense: {_FEATURE_TYPES}",
            f"context_sparse_types: {_FEATURE_TYPES}",
            f"context_ragged_value_types: {_FEATURE_TYPES}",
            "context_ragged_split_types: list({int32, int64}) >= 0 = []",
            "context_dense_shapes: list(shape) >= 0 = []",
            "Nfeature_list_sparse: int >= 0 = 0",
            "Nfeature_list_dense: int >= 0 = 0",
            f"feature_list_dense_types: {_FEATURE_TYPES}",
            f"feature_list_sparse_types: {_FEATURE_TYPES}",
            f"feature_list_ragged_value_types: {_FEATURE_TYPES}",
            "feature_list_ragged_split_types: list({int32, int64}) >= 0 = []",
            "feature_list_dense_shapes: list(shape) >= 0 = []",
        ),
        shape_fn=_sequence_shapes,
    )
)
not_differentiable("ParseSequenceExampleV2")


def _split_sequence_features(features, allowed: tuple, what: str):
    """``(sparse [(key, dtype)], dense [(key, spec)])`` of context or sequence features."""
    sparse, dense = [], []
    for key in sorted(features or {}):
        spec = features[key]
        if not isinstance(spec, allowed):
            names = " or ".join(kind.__name__ for kind in allowed)
            raise ValueError(f"Unsupported {what} feature for key '{key}': {spec!r} (use {names}).")
        dtype = dtypes.as_dtype(spec.dtype)
        if dtype not in (dtypes.float32, dtypes.int64, dtypes.string):
            raise ValueError(
                f"Unsupported dtype {dtype.name} for feature '{key}': features are float32, "
                "int64 or string."
            )
        (sparse if isinstance(spec, VarLenFeature) else dense).append((key, spec))
    return [(k, dtypes.as_dtype(s.dtype)) for k, s in sparse], dense


def parse_sequence_example(
    serialized, context_features=None, sequence_features=None, example_names=None, name=None
):
    """Parse a batch of serialized ``SequenceExample`` protos.

    Returns ``(context, feature_lists, lengths)``: dicts by key of the context features
    (``FixedLenFeature`` -> ``[batch, *shape]``, ``VarLenFeature`` -> ``SparseTensor``), of
    the feature lists (``FixedLenSequenceFeature`` -> ``[batch, steps, *shape]`` padded
    with zeros, ``VarLenFeature`` -> a 3-D ``SparseTensor``) and of the number of steps of
    each dense feature list.

    Examples
    --------
    >>> import runtime as tf
    >>> steps = [tf.train.Feature(int64_list=tf.train.Int64List(value=[v])) for v in (5, 6)]
    >>> example = tf.train.SequenceExample(feature_lists=tf.train.FeatureLists(
    ...     feature_list={"tok": tf.train.FeatureList(feature=steps)}))
    >>> with tf.Graph().as_default():
    ...     _, lists, lengths = parse_sequence_example(
    ...         [example.SerializeToString()],
    ...         sequence_features={"tok": FixedLenSequenceFeature([], tf.int64)})
    ...     print(tf.compat.v1.Session().run([lists["tok"], lengths["tok"]]))
    [array([[5, 6]]), array([2])]
    """
    if not (context_features or sequence_features):
        raise ValueError(
            "Both `context_features` and `sequence_features` argument are None, but at least "
            "one should have values."
        )
    return _parse_sequence(
        serialized, context_features, sequence_features, name, "ParseSequenceExample"
    )


def parse_single_sequence_example(
    serialized, context_features=None, sequence_features=None, example_name=None, name=None
):
    """Parse one serialized ``SequenceExample`` (a string scalar): ``(context,
    feature_lists)`` as :func:`parse_sequence_example`'s, without the batch dimension."""
    if not (context_features or sequence_features):
        raise ValueError(
            "Both context_features and sequence_features are None, but at least one should "
            "have values."
        )
    from ..graph import get_default_graph

    with get_default_graph().name_scope(name or "ParseSingleSequenceExample"):
        serialized = convert_to_tensor(serialized, dtype=dtypes.string, name="serialized")
        if serialized.shape.rank not in (None, 0):
            raise ValueError(f"Input serialized must be a scalar, got shape {serialized.shape}.")
        context, lists, _ = _parse_sequence(
            serialized, context_features, sequence_features, None, "ParseSequenceExample"
        )
    return context, lists


def _parse_sequence(serialized, context_features, sequence_features, name, default_name):
    context_sparse, context_dense = _split_sequence_features(
        context_features, (VarLenFeature, FixedLenFeature), "context"
    )
    list_sparse, list_dense = _split_sequence_features(
        sequence_features, (VarLenFeature, FixedLenSequenceFeature), "sequence"
    )
    for key, spec in list_dense:
        if spec.default_value is not None:
            raise ValueError(f"Value feature_list.dense_defaults[{key}] must be None")
    from ..graph import get_default_graph

    with get_default_graph().name_scope(name or default_name):
        serialized = convert_to_tensor(serialized, dtype=dtypes.string, name="serialized")
        defaults = [_dense_default(key, spec)[0] for key, spec in context_dense]
        inputs = [
            serialized,
            _strings([], "debug_name"),
            _strings([k for k, _ in context_sparse], "context_sparse_keys"),
            _strings([k for k, _ in context_dense], "context_dense_keys"),
            _strings([], "context_ragged_keys"),
            _strings([k for k, _ in list_sparse], "feature_list_sparse_keys"),
            _strings([k for k, _ in list_dense], "feature_list_dense_keys"),
            _strings([], "feature_list_ragged_keys"),
            convert_to_tensor(
                np.array([bool(spec.allow_missing) for _, spec in list_dense], dtype=bool),
                name="feature_list_dense_missing_assumed_empty",
            ),
            defaults,
        ]
        op = apply_op(
            PARSE_SEQUENCE_EXAMPLE,
            inputs,
            "ParseSequenceExampleV2",
            Ncontext_sparse=len(context_sparse),
            context_sparse_types=[t for _, t in context_sparse],
            context_dense_shapes=[as_shape(spec.shape) for _, spec in context_dense],
            Nfeature_list_sparse=len(list_sparse),
            Nfeature_list_dense=len(list_dense),
            feature_list_sparse_types=[t for _, t in list_sparse],
            feature_list_dense_types=[dtypes.as_dtype(spec.dtype) for _, spec in list_dense],
            feature_list_dense_shapes=[as_shape(spec.shape) for _, spec in list_dense],
        )
    outputs = list(op.outputs)

    def take(count):
        taken = outputs[:count]
        del outputs[:count]
        return taken

    def sparse_dict(keys):
        n = len(keys)
        indices, values, shapes = take(n), take(n), take(n)
        return {k: SparseTensor(i, v, s) for (k, _), i, v, s in zip(keys, indices, values, shapes)}

    context = sparse_dict(context_sparse)
    context.update(zip((k for k, _ in context_dense), take(len(context_dense))))
    lists = sparse_dict(list_sparse)
    lists.update(zip((k for k, _ in list_dense), take(len(list_dense))))
    lengths = dict(zip((k for k, _ in list_dense), take(len(list_dense))))
    return context, lists, lengths


# -- JSON examples, serialized tensors, protos -------------------------------------------

DECODE_JSON_EXAMPLE = register_op(
    OpDef(
        "DecodeJSONExample",
        ("json_examples: string",),
        ("binary_examples: string",),
        (),
        shape_fn=lambda json: [TensorSpec(dtypes.string, json.shape)],
    )
)
SERIALIZE_TENSOR = register_op(
    OpDef(
        "SerializeTensor",
        ("tensor: T",),
        ("serialized: string",),
        ("T: type",),
        shape_fn=lambda tensor, *, T: [TensorSpec(dtypes.string, TensorShape([]))],
    )
)
PARSE_TENSOR = register_op(
    OpDef(
        "ParseTensor",
        ("serialized: string",),
        ("output: out_type",),
        ("out_type: type",),
        shape_fn=lambda serialized, *, out_type: [TensorSpec(out_type, TensorShape(None))],
    )
)
DECODE_PROTO = register_op(
    OpDef(
        "DecodeProtoV2",
        ("bytes: string",),
        ("sizes: int32", "values: output_types"),
        (
            "message_type: string",
            "field_names: list(string)",
            "output_types: list(type) >= 0",
            "descriptor_source: string = 'local://'",
            "message_format: string = 'binary'",
            "sanitize: bool = false",
        ),
        shape_fn=lambda data, *, field_names, output_types, **_: [
            TensorSpec(dtypes.int32, data.shape.concatenate([len(field_names)])),
            *(TensorSpec(t, data.shape.concatenate([None])) for t in output_types),
        ],
    )
)
ENCODE_PROTO = register_op(
    OpDef(
        "EncodeProto",
        ("sizes: int32", "values: Tinput_types"),
        ("bytes: string",),
        (
            "field_names: list(string)",
            "message_type: string",
            "descriptor_source: string = 'local://'",
            "Tinput_types: list(type) >= 1",
        ),
        shape_fn=lambda sizes, *values, **_: [
            TensorSpec(
                dtypes.string,
                TensorShape(None)
                if sizes.shape.rank is None
                else TensorShape(sizes.shape.as_list()[:-1]),
            )
        ],
    )
)
for _op_type in (
    "DecodeJSONExample",
    "SerializeTensor",
    "ParseTensor",
    "DecodeProtoV2",
    "EncodeProto",
):
    not_differentiable(_op_type)


def decode_json_example(json_examples, name=None):
    """``Example`` protos in JSON (protobuf's JSON mapping) as serialized binary protos.

    Examples
    --------
    >>> import runtime as tf
    >>> text = '{"features": {"feature": {"n": {"int64List": {"value": ["3"]}}}}}'
    >>> with tf.Graph().as_default():
    ...     binary = tf.compat.v1.Session().run(decode_json_example([text]))
    >>> tf.train.Example.FromString(binary[0]).features.feature["n"].int64_list.value[0]
    3
    """
    json_examples = convert_to_tensor(json_examples, dtype=dtypes.string, name="json_examples")
    return apply_op(DECODE_JSON_EXAMPLE, [json_examples], name or "DecodeJSONExample").outputs[0]


def serialize_tensor(tensor, name=None):
    """``tensor`` as the bytes of its ``TensorProto`` (a string scalar), as TF writes it.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     data = serialize_tensor(tf.constant([1.5, 2.5]))
    ...     back = parse_tensor(data, tf.float32)
    ...     print(tf.compat.v1.Session().run(back))
    [1.5 2.5]
    """
    tensor = convert_to_tensor(tensor, name="tensor")
    return apply_op(SERIALIZE_TENSOR, [tensor], name or "SerializeTensor").outputs[0]


def parse_tensor(serialized, out_type, name=None):
    """The tensor a serialized ``TensorProto`` holds; it must be of ``out_type``."""
    serialized = convert_to_tensor(serialized, dtype=dtypes.string, name="serialized")
    return apply_op(PARSE_TENSOR, [serialized], name or "ParseTensor", out_type=out_type).outputs[0]


DecodeProtoOutput = collections.namedtuple("DecodeProtoV2", "sizes values")


def decode_proto(
    bytes,
    message_type,
    field_names,
    output_types,
    descriptor_source="local://",
    message_format="binary",
    sanitize=False,
    name=None,
):
    """Fields of serialized protos of ``message_type`` as tensors: ``(sizes, values)``,
    ``sizes[..., i]`` the number of values of field ``i`` in each message and
    ``values[i]`` those values padded with the field's default (see :mod:`runtime.protos`).

    Examples
    --------
    >>> import runtime as tf
    >>> state = tf.train.CheckpointState(all_model_checkpoint_paths=["a", "b"])
    >>> with tf.Graph().as_default():
    ...     sizes, (paths,) = decode_proto([state.SerializeToString()],
    ...         "tensorflow.CheckpointState", ["all_model_checkpoint_paths"], [tf.string])
    ...     print(tf.compat.v1.Session().run([sizes, paths]))
    [array([[2]], dtype=int32), array([[b'a', b'b']], dtype=object)]
    """
    data = convert_to_tensor(bytes, dtype=dtypes.string, name="bytes")
    op = apply_op(
        DECODE_PROTO,
        [data],
        name or "DecodeProtoV2",
        message_type=message_type,
        field_names=list(field_names),
        output_types=[dtypes.as_dtype(t) for t in output_types],
        descriptor_source=descriptor_source,
        message_format=message_format,
        sanitize=bool(sanitize),
    )
    return DecodeProtoOutput(op.outputs[0], list(op.outputs[1:]))


def encode_proto(sizes, values, field_names, message_type, descriptor_source="local://", name=None):
    """Serialized protos of ``message_type`` whose field ``i`` holds the first
    ``sizes[..., i]`` values of ``values[i]`` (the inverse of :func:`decode_proto`)."""
    from ..graph import get_default_graph

    with get_default_graph().name_scope(name or "EncodeProto") as scope:
        sizes = convert_to_tensor(sizes, dtype=dtypes.int32, name="sizes")
        values = [convert_to_tensor(v, name="values") for v in values]
    return apply_op(
        ENCODE_PROTO,
        [sizes, values],
        scope,
        field_names=list(field_names),
        message_type=message_type,
        descriptor_source=descriptor_source,
    ).outputs[0]
