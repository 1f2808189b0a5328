"""``tf.train.Example`` and friends, and the kernel of ``ParseExampleV2`` that reads them.

The messages are protocol buffers compiled from ``runtime/proto/example.proto`` and
``feature.proto`` with TF's field numbers, so an ``Example`` serialized here is the
bytes TF writes and one TF wrote parses here.

Parsing a batch of serialized examples: each *dense* key (``FixedLenFeature``,
``FixedLenSequenceFeature``) gives one tensor ``[batch, *shape]`` (a missing feature
takes its default; a sequence feature is padded to the batch's longest), each
*sparse* key (``VarLenFeature``) three: the ``indices``, ``values`` and
``dense_shape`` of a ``SparseTensor``. A scalar ``serialized`` parses one example
with no batch dimension. Malformed input is ``InvalidArgumentError`` with TF's message
naming the key and the example.
"""

from __future__ import annotations

import numpy as np
from google.protobuf import json_format
from google.protobuf.message import DecodeError

from . import dtypes
from .errors import InvalidArgumentError
from .proto.example_pb2 import Example, SequenceExample
from .proto.feature_pb2 import (
    BytesList,
    Feature,
    FeatureList,
    FeatureLists,
    Features,
    FloatList,
    Int64List,
)
from .registry import register_kernel

__all__ = [
    "BytesList",
    "Example",
    "Feature",
    "FeatureList",
    "FeatureLists",
    "Features",
    "FloatList",
    "Int64List",
    "SequenceExample",
]

_KIND = {dtypes.float32: "float_list", dtypes.int64: "int64_list", dtypes.string: "bytes_list"}
_TYPE_NAME = {"float_list": "float", "int64_list": "int64", "bytes_list": "string"}


def _example(serialized: bytes, index: int, message_type=Example):
    example = message_type()
    try:
        example.ParseFromString(serialized)
    except DecodeError:
        raise InvalidArgumentError(
            None,
            None,
            f"Could not parse example input, value: '{serialized[:40]!r}' (example {index})",
        ) from None
    return example


def _values(features: Features, key: str, dtype, index: int):
    """The values of feature ``key`` of ``features`` (``None`` when absent), checked
    against ``dtype``."""
    if key not in features.feature:
        return None
    return _feature_values(features.feature[key], key, dtype, index)


def _feature_values(feature: Feature, key: str, dtype, index: int) -> np.ndarray:
    kind = feature.WhichOneof("kind")
    if kind is None:
        return np.zeros(0, dtype=dtype.as_numpy_dtype)
    if kind != _KIND[dtype]:
        raise InvalidArgumentError(
            None,
            None,
            f"Name: <unknown>, Key: {key}, Index: {index}.  Data types don't match. Data type: "
            f"{_TYPE_NAME[kind]} but expected type: {_TYPE_NAME[_KIND[dtype]]}",
        )
    values = getattr(feature, kind).value
    if dtype is dtypes.string:
        array = np.empty(len(values), dtype=object)
        array[:] = list(values)
        return array
    return np.asarray(values, dtype=dtype.as_numpy_dtype)


def _dense(examples, key: str, dtype, shape, default) -> np.ndarray:
    """One dense key over ``examples`` (their ``Features``): ``[batch, *shape]``; a leading
    -1 (a sequence feature) is padded to the longest with ``default`` (the padding scalar)."""
    dims = [-1 if d is None else int(d) for d in shape.as_list()]
    variable = bool(dims) and dims[0] == -1
    rows = [
        _dense_values(example, index, key, dtype, dims, default)
        for index, example in enumerate(examples)
    ]
    if not variable:
        if not rows:
            return np.zeros((0, *dims), dtype.as_numpy_dtype)
        return np.stack(rows).reshape(len(rows), *dims)
    inner = int(np.prod(dims[1:], dtype=np.int64))
    length = max((r.size // max(inner, 1) for r in rows), default=0)
    pad = default.reshape(-1)[0]  # a sequence feature's default is its padding scalar
    out = np.full((len(rows), length * inner), pad, dtype=dtype.as_numpy_dtype)
    for row, values in zip(out, rows):
        row[: values.size] = values
    return out.reshape(len(rows), length, *dims[1:])


def _dense_values(example, index: int, key: str, dtype, dims: list, default) -> np.ndarray:
    """The flat values of dense ``key`` in one example, its default when it has none."""
    variable = bool(dims) and dims[0] == -1
    values = _values(example, key, dtype, index)
    if values is None:
        if not default.size:  # no default: required
            raise InvalidArgumentError(
                None,
                None,
                f"Name: <unknown>, Feature: {key} (data type: "
                f"{_TYPE_NAME[_KIND[dtype]]}) is required but could not be found.",
            )
        values = np.zeros(0, default.dtype) if variable else default.reshape(-1)
    inner = int(np.prod(dims[1:] if variable else dims, dtype=np.int64))
    prefix = f"Name: <unknown>, Key: {key}, Index: {index}.  Number of {_TYPE_NAME[_KIND[dtype]]}"
    if variable and inner and values.size % inner:
        shape = ",".join("?" if d == -1 else str(d) for d in dims)
        raise InvalidArgumentError(
            None,
            None,
            f"{prefix} values is not a multiple of stride length. Saw {values.size} values but "
            f"output shape is: [{shape}]",
        )
    if not variable and values.size != inner:
        raise InvalidArgumentError(
            None,
            None,
            f"{prefix} values != expected.  Values size: {values.size} but output shape: "
            f"[{','.join(str(d) for d in dims)}]",
        )
    return values


def _sparse(examples, key: str, dtype) -> tuple:
    """One sparse key over ``examples`` (their ``Features``): ``(indices [N, 2], values
    [N], dense_shape [2])``."""
    per_example = [_values(example, key, dtype, i) for i, example in enumerate(examples)]
    per_example = [np.zeros(0, dtype.as_numpy_dtype) if v is None else v for v in per_example]
    indices = [(b, j) for b, values in enumerate(per_example) for j in range(values.size)]
    values = np.concatenate(per_example) if per_example else np.zeros(0, dtype.as_numpy_dtype)
    longest = max((v.size for v in per_example), default=0)
    return (
        np.array(indices, dtype=np.int64).reshape(-1, 2),
        values,
        np.array([len(per_example), longest], dtype=np.int64),
    )


@register_kernel("ParseExampleV2")
def parse_example_v2(
    serialized,
    names,
    sparse_keys,
    dense_keys,
    ragged_keys,
    *dense_defaults,
    Tdense,
    num_sparse,
    sparse_types,
    ragged_value_types,
    ragged_split_types,
    dense_shapes,
):
    single = np.ndim(serialized) == 0
    examples = [_example(bytes(s), i).features for i, s in enumerate(np.ravel(serialized))]
    texts = [k.decode() if isinstance(k, bytes) else k for k in np.ravel(sparse_keys)]
    sparse = [_sparse(examples, key, dtype) for key, dtype in zip(texts, sparse_types)]
    dense = [
        _dense(examples, _key(key), dtype, shape, np.asarray(default))
        for key, dtype, shape, default in zip(
            np.ravel(dense_keys), Tdense, dense_shapes, dense_defaults
        )
    ]
    if single:  # one example: no batch dimension
        sparse = [(i[:, 1:], v, s[1:]) for i, v, s in sparse]
        dense = [d[0] for d in dense]
    indices, values, shapes = zip(*sparse) if sparse else ((), (), ())
    return (*indices, *values, *shapes, *dense)


def _key(key) -> str:
    return key.decode() if isinstance(key, bytes) else str(key)


# -- ParseSequenceExampleV2 -------------------------------------------------------------


def _feature_list_dense(lists, key: str, dtype, shape, assumed_empty: bool) -> tuple:
    """One dense feature-list key over ``lists`` (``FeatureLists``): ``([batch, steps,
    *shape] padded with zeros, [batch] lengths)``."""
    dims = [int(d) for d in shape.as_list()]
    inner = int(np.prod(dims, dtype=np.int64))
    rows = []
    for index, feature_lists in enumerate(lists):
        if key not in feature_lists.feature_list:
            if not assumed_empty:
                raise InvalidArgumentError(
                    None,
                    None,
                    f"Name: <unknown>, Feature list '{key}' is required but could not be "
                    "found.  Did you mean to include it in "
                    "feature_list_dense_missing_assumed_empty or feature_list_dense_defaults?",
                )
            rows.append([])
            continue
        steps = []
        for feature in feature_lists.feature_list[key].feature:
            values = _feature_values(feature, key, dtype, index)
            if values.size != inner:
                raise InvalidArgumentError(
                    None,
                    None,
                    f"Name: <unknown>, Key: {key}, Index: {index}.  Number of "
                    f"{_TYPE_NAME[_KIND[dtype]]} values != expected.  values size: "
                    f"{values.size} but output shape: [{','.join(map(str, dims))}]",
                )
            steps.append(values)
        rows.append(steps)
    lengths = np.array([len(steps) for steps in rows], dtype=np.int64)
    longest = int(lengths.max(initial=0))
    numpy_type = dtype.as_numpy_dtype
    out = np.full((len(rows), longest, inner), b"" if dtype == dtypes.string else 0, numpy_type)
    for row, steps in zip(out, rows):
        for step, values in zip(row, steps):
            step[:] = values
    return out.reshape(len(rows), longest, *dims), lengths


def _feature_list_sparse(lists, key: str, dtype) -> tuple:
    """One sparse feature-list key: ``(indices [N, 3], values [N], dense_shape [3])``."""
    indices, values, steps_most, longest = [], [], 0, 0
    for b, feature_lists in enumerate(lists):
        steps = feature_lists.feature_list[key].feature if key in feature_lists.feature_list else []
        steps_most = max(steps_most, len(steps))
        for t, feature in enumerate(steps):
            row = _feature_values(feature, key, dtype, b)
            longest = max(longest, row.size)
            indices.extend((b, t, j) for j in range(row.size))
            values.append(row)
    flat = np.concatenate(values) if values else np.zeros(0, dtype.as_numpy_dtype)
    return (
        np.array(indices, dtype=np.int64).reshape(-1, 3),
        flat,
        np.array([len(lists), steps_most, longest], dtype=np.int64),
    )


def _texts(keys) -> list:
    return [_key(key) for key in np.ravel(keys)]


@register_kernel("ParseSequenceExampleV2")
def parse_sequence_example_v2(
    serialized,
    debug_name,
    context_sparse_keys,
    context_dense_keys,
    context_ragged_keys,
    feature_list_sparse_keys,
    feature_list_dense_keys,
    feature_list_ragged_keys,
    feature_list_dense_missing_assumed_empty,
    *context_dense_defaults,
    Tcontext_dense,
    context_sparse_types,
    context_dense_shapes,
    feature_list_dense_types,
    feature_list_sparse_types,
    feature_list_dense_shapes,
    **_counts_and_ragged_types,
):
    single = np.ndim(serialized) == 0
    examples = [_example(bytes(s), i, SequenceExample) for i, s in enumerate(np.ravel(serialized))]
    contexts = [example.context for example in examples]
    lists = [example.feature_lists for example in examples]
    context_sparse = [
        _sparse(contexts, key, dtype)
        for key, dtype in zip(_texts(context_sparse_keys), context_sparse_types)
    ]
    context_dense = [
        _dense(contexts, key, dtype, shape, np.asarray(default))
        for key, dtype, shape, default in zip(
            _texts(context_dense_keys), Tcontext_dense, context_dense_shapes, context_dense_defaults
        )
    ]
    list_sparse = [
        _feature_list_sparse(lists, key, dtype)
        for key, dtype in zip(_texts(feature_list_sparse_keys), feature_list_sparse_types)
    ]
    list_dense = [
        _feature_list_dense(lists, key, dtype, shape, bool(empty))
        for key, dtype, shape, empty in zip(
            _texts(feature_list_dense_keys),
            feature_list_dense_types,
            feature_list_dense_shapes,
            np.ravel(feature_list_dense_missing_assumed_empty),
        )
    ]
    if single:  # one example: no batch dimension
        context_sparse = [(i[:, 1:], v, s[1:]) for i, v, s in context_sparse]
        context_dense = [d[0] for d in context_dense]
        list_sparse = [(i[:, 1:], v, s[1:]) for i, v, s in list_sparse]
        list_dense = [(d[0], n[0]) for d, n in list_dense]
    return (
        *_columns(context_sparse, 3),
        *context_dense,
        *_columns(list_sparse, 3),
        *_columns(list_dense, 2),
    )


def _columns(rows, count: int) -> list:
    """``[(a, b, c), ...]`` as ``[a..., b..., c...]`` (the op's output lists)."""
    return [row[i] for i in range(count) for row in rows]


# -- DecodeJSONExample ------------------------------------------------------------------


# The binary examples are the canonical serialization (repeated numbers packed); TF's JSON
# converter writes them unpacked. Both parse to the same Example.
@register_kernel("DecodeJSONExample")
def decode_json_example(json_examples):
    out = np.empty(np.shape(json_examples), dtype=object)
    for index, text in np.ndenumerate(np.asarray(json_examples, dtype=object)):
        example = Example()
        try:
            json_format.Parse(bytes(text).decode("utf-8"), example)
        except (json_format.ParseError, UnicodeDecodeError) as err:
            raise InvalidArgumentError(None, None, f"Error while parsing JSON: {err}") from None
        out[index] = example.SerializeToString(deterministic=True)
    return (out,)
