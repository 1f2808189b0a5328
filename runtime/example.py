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


def _example(serialized: bytes, index: int) -> Example:
    example = Example()
    try:
        example.ParseFromString(serialized)
    except DecodeError:
        raise InvalidArgumentError(
            None,
            None,
            f"Could not parse example input, value: '{serialized[:40]!r}' (example {index})",
        ) from None
    return example


def _values(example: Example, key: str, dtype, index: int):
    """The values of feature ``key`` (``None`` when absent), checked against ``dtype``."""
    if key not in example.features.feature:
        return None
    feature = example.features.feature[key]
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
    """One dense key over ``examples``: ``[batch, *shape]``; a leading -1 (a sequence
    feature) is padded to the longest with ``default`` (the padding scalar)."""
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
    if (variable and inner and values.size % inner) or (not variable and values.size != inner):
        raise InvalidArgumentError(
            None,
            None,
            f"Name: <unknown>, Key: {key}, Index: {index}.  Number of "
            f"{_TYPE_NAME[_KIND[dtype]]} values != expected.  Values size: {values.size} "
            f"but output shape: [{','.join(str(d) for d in dims)}]",
        )
    return values


def _sparse(examples, key: str, dtype) -> tuple:
    """One sparse key over ``examples``: ``(indices [N, 2], values [N], dense_shape [2])``."""
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
    examples = [_example(bytes(s), i) for i, s in enumerate(np.ravel(serialized))]
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
