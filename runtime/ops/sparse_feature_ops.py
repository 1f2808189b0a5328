"""Sparse features, as TF1's input pipelines and linear models use them: ids and weights
merged into one sparse tensor (``tf.sparse.merge``), an id tensor as a dense
indicator (``to_indicator``), feature crosses (``tf.sparse.cross``, hashed with TF's
own fingerprints by ``cross_hashed``) and bag-of-ids counts (``tf.sparse.bincount``).
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable

from .. import dtypes
from ..graph import Tensor
from ..registry import OpDef, TensorSpec, not_differentiable, register_op
from ..scopes import name_scope
from ..shapes import TensorShape
from ..sparse_tensor import SparseTensor, SparseTensorValue
from . import math_ops
from .concat_ops import concat
from .core import convert_to_tensor
from .fill_ops import fill
from .packing import build
from .shape_ops import expand_dims, reshape, shape
from .shape_util import with_rank
from .sparse_ops import sparse_reorder, sparse_tensor_to_dense

__all__: list = []  # tf.sparse's names: runtime.sparse; TF1's top-level ones below

_DEFAULT_HASH_KEY = 0xDECAFCAFFE  # TF's default key of hashed crosses


def _sparse(value, what: str = "Input") -> SparseTensor:
    if isinstance(value, SparseTensorValue):
        return SparseTensor.from_value(value)
    if not isinstance(value, SparseTensor):
        raise TypeError(f"{what} must be a SparseTensor.")
    return value


# -- merge, to_indicator -------------------------------------------------------------------


def _vocab_sizes(sp_ids, vocab_size) -> tuple[list, list]:
    """``(sp_ids, vocab_size)`` as lists of one length, with TF's type checks."""
    if isinstance(sp_ids, SparseTensor | SparseTensorValue):
        if not isinstance(vocab_size, Tensor | numbers.Integral):
            raise TypeError(
                f"vocab_size has to be a Tensor or Python int. Found {type(vocab_size)}"
            )
        return [sp_ids], [vocab_size]
    if not isinstance(sp_ids, Iterable):
        raise TypeError(f"sp_ids has to be a SparseTensor or list thereof. Found {type(sp_ids)}")
    if not isinstance(vocab_size, Iterable):
        raise TypeError(
            f"vocab_size has to be a list of Tensors or Python ints. Found {type(vocab_size)}"
        )
    for size in vocab_size:
        if not isinstance(size, Tensor | numbers.Integral):
            raise TypeError(
                f"vocab_size has to be a list of Tensors or Python ints. Found {type(size)}"
            )
    sp_ids, vocab_size = list(sp_ids), list(vocab_size)
    if len(sp_ids) != len(vocab_size):
        raise ValueError("sp_ids and vocab_size have to have equal lengths.")
    return sp_ids, vocab_size


def _merge(sp_ids, sp_values, vocab_size, name, already_sorted=False) -> SparseTensor:
    sp_ids, vocab_size = _vocab_sizes(sp_ids, vocab_size)
    with name_scope(name, "SparseMerge", [*sp_ids, sp_values]):
        sp_ids = [_sparse(ids) for ids in sp_ids]
        sp_values = _sparse(sp_values)
        columns = [expand_dims(math_ops.cast(ids.values, dtypes.int64), axis=1) for ids in sp_ids]
        sizes = [math_ops.cast(size, dtypes.int64) for size in vocab_size]
        indices = concat([sp_ids[0].indices[:, :-1], *columns], 1)
        dense_shape = concat([sp_ids[0].dense_shape[:-1], sizes], 0)
        merged = SparseTensor(indices, sp_values.values, dense_shape)
        if already_sorted:
            return merged
        ordered = sparse_reorder(merged)
        return SparseTensor(ordered.indices, ordered.values, dense_shape)


def sparse_merge(sp_ids, sp_values, vocab_size, name=None, already_sorted=False) -> SparseTensor:
    """The weights ``sp_values`` placed at their ids: each id of ``sp_ids`` (one sparse
    tensor, or a list of them for several id axes) replaces the last index of its entry,
    and the last axis becomes ``vocab_size`` long.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     ids = tf.SparseTensor([[0, 0], [0, 1]], tf.constant([4, 1], tf.int64), [1, 2])
    ...     weights = tf.SparseTensor([[0, 0], [0, 1]], [0.5, 2.0], [1, 2])
    ...     merged = sparse_merge(ids, weights, 5)
    ...     print(tf.compat.v1.Session().run(tf.sparse.to_dense(merged)).tolist())
    [[0.0, 2.0, 0.0, 0.0, 0.5]]
    """
    return _merge(sp_ids, sp_values, vocab_size, name, already_sorted)


def sparse_to_indicator(sp_input, vocab_size, name=None) -> Tensor:
    """A bool tensor whose last axis, ``vocab_size`` long, marks the ids each row of the
    sparse id tensor ``sp_input`` holds.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     ids = tf.SparseTensor([[0, 0], [0, 1], [1, 0]], tf.constant([3, 0, 1], tf.int64), [2, 2])
    ...     print(tf.compat.v1.Session().run(sparse_to_indicator(ids, 4)).tolist())
    [[True, False, False, True], [False, True, False, False]]
    """
    sp_input = _sparse(sp_input)
    with name_scope(name, "SparseToIndicator", [sp_input]) as scope:
        count = shape(sp_input.indices)[0]
        present = SparseTensor(
            sp_input.indices, fill(expand_dims(count, 0), True), sp_input.dense_shape
        )
        merged = _merge(sp_input, present, vocab_size, scope)
        return sparse_tensor_to_dense(
            merged, default_value=False, validate_indices=False, name=scope
        )


# -- crosses -------------------------------------------------------------------------------


def _cross_shape(*specs, N, **_attrs):
    for spec in specs[N : 2 * N]:
        with_rank(spec.shape, 1)
    out_type = _attrs.get("out_type", dtypes.string)
    return [
        TensorSpec(dtypes.int64, TensorShape([None, 2])),
        TensorSpec(out_type, TensorShape([None])),
        TensorSpec(dtypes.int64, TensorShape([2])),
    ]


_CROSS_INPUTS = (
    "indices: N * int64",
    "values: sparse_types",
    "shapes: N * int64",
    "dense_inputs: dense_types",
)
_CROSS_TYPES = (
    "sparse_types: list({int64, string}) >= 0",
    "dense_types: list({int64, string}) >= 0",
)
SPARSE_CROSS = register_op(
    OpDef(
        "SparseCross",
        _CROSS_INPUTS,
        ("output_indices: int64", "output_values: out_type", "output_shape: int64"),
        (
            "N: int >= 0",
            "hashed_output: bool",
            "num_buckets: int >= 0",
            "hash_key: int",
            *_CROSS_TYPES,
            "out_type: {int64, string}",
            "internal_type: {int64, string}",
        ),
        _cross_shape,
    )
)
SPARSE_CROSS_V2 = register_op(
    OpDef(
        "SparseCrossV2",
        (*_CROSS_INPUTS, "sep: string"),
        ("output_indices: int64", "output_values: string", "output_shape: int64"),
        ("N: int >= 0", *_CROSS_TYPES),
        lambda *specs, N, **attrs: _cross_shape(*specs[:-1], N=N, **attrs),
    )
)
not_differentiable("SparseCross")
not_differentiable("SparseCrossV2")


def _cross_columns(inputs) -> tuple:
    """The sparse inputs' parts and the dense inputs, non-strings cast to int64, and
    whether any is an int64 (TF's ``internal_type``)."""
    if not isinstance(inputs, list | tuple):
        raise TypeError("Inputs must be a list")
    inputs = [SparseTensor.from_value(x) if isinstance(x, SparseTensorValue) else x for x in inputs]
    if not all(isinstance(x, SparseTensor | Tensor) for x in inputs):
        raise TypeError("All inputs must be Tensor or SparseTensor.")
    sparse = [x for x in inputs if isinstance(x, SparseTensor)]
    dense = [x for x in inputs if not isinstance(x, SparseTensor)]

    def as_feature(value):
        return value if value.dtype == dtypes.string else math_ops.cast(value, dtypes.int64)

    values = [as_feature(x.values) for x in sparse]
    dense = [as_feature(x) for x in dense]
    has_ints = any(x.dtype == dtypes.int64 for x in values + dense)
    parts = [[x.indices for x in sparse], values, [x.dense_shape for x in sparse], dense]
    attrs = {
        "N": len(sparse),
        "sparse_types": [x.dtype for x in values],
        "dense_types": [x.dtype for x in dense],
    }
    return parts, attrs, has_ints


def sparse_cross(inputs, name=None, separator=None) -> SparseTensor:
    """The feature crosses of ``inputs`` (sparse and dense 2-D tensors of strings or
    ints, one row per example): per row, every combination of one feature from each
    input, joined by ``separator`` (``"_X_"``), sparse inputs first.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a = tf.SparseTensor([[0, 0], [0, 1]], ["a", "b"], [1, 2])
    ...     crossed = sparse_cross([a, tf.constant([["x"]])])
    ...     print(tf.compat.v1.Session().run(crossed).values.tolist())
    [b'a_X_x', b'b_X_x']
    """
    parts, attrs, _ = _cross_columns(inputs)
    separator = convert_to_tensor("_X_" if separator is None else separator, dtypes.string)
    return SparseTensor(*build(SPARSE_CROSS_V2, [*parts, separator], name, **attrs).outputs)


def sparse_cross_hashed(inputs, num_buckets=0, hash_key=None, name=None) -> SparseTensor:
    """:func:`sparse_cross`, each cross a 64-bit hash (TF's ``FingerprintCat64`` of the
    features' ``Fingerprint64``, from ``hash_key``), modulo ``num_buckets`` when it is
    positive: the numbers TF gives.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a = tf.SparseTensor([[0, 0]], ["a"], [1, 1])
    ...     crossed = sparse_cross_hashed([a, tf.constant([["x"]])], num_buckets=10)
    ...     print(tf.compat.v1.Session().run(crossed).values.tolist())
    [2]
    """
    parts, attrs, has_ints = _cross_columns(inputs)
    return SparseTensor(
        *build(
            SPARSE_CROSS,
            parts,
            name,
            **attrs,
            hashed_output=True,
            num_buckets=int(num_buckets),
            hash_key=int(hash_key or _DEFAULT_HASH_KEY),
            out_type=dtypes.int64,
            internal_type=dtypes.int64 if has_ints else dtypes.string,
        ).outputs
    )


# -- bincount ------------------------------------------------------------------------------


def _count_shape(*specs, T, output_type, **_attrs):
    # Sparse input (indices, values, dense_shape, weights): the rank is the shape's length.
    rank = with_rank(specs[2].shape, 1).dim_value(0) if len(specs) == 4 else specs[0].shape.rank
    return [
        TensorSpec(dtypes.int64, TensorShape([None, rank])),
        TensorSpec(output_type, TensorShape([None])),
        TensorSpec(dtypes.int64, TensorShape([rank])),
    ]


_COUNT_ATTRS = (
    "T: {int32, int64}",
    "minlength: int >= -1 = -1",
    "maxlength: int >= -1 = -1",
    "binary_output: bool",
    "output_type: {int32, int64, float32, float64}",
)
_COUNT_OUTPUTS = (
    "output_indices: int64",
    "output_values: output_type",
    "output_dense_shape: int64",
)
DENSE_COUNT_SPARSE_OUTPUT = register_op(
    OpDef(
        "DenseCountSparseOutput",
        ("values: T", "weights: output_type"),
        _COUNT_OUTPUTS,
        _COUNT_ATTRS,
        _count_shape,
    )
)
SPARSE_COUNT_SPARSE_OUTPUT = register_op(
    OpDef(
        "SparseCountSparseOutput",
        ("indices: int64", "values: T", "dense_shape: int64", "weights: output_type"),
        _COUNT_OUTPUTS,
        _COUNT_ATTRS,
        _count_shape,
    )
)
not_differentiable("DenseCountSparseOutput")
not_differentiable("SparseCountSparseOutput")


def _count_weights(values, weights) -> Tensor:
    """``weights`` as a tensor, or an empty one of ``values``' type (counts)."""
    if weights is None:
        return convert_to_tensor([], dtype=values.dtype)
    return convert_to_tensor(weights, name="weights")


def sparse_bincount(
    values, weights=None, axis=0, minlength=None, maxlength=None, binary_output=False, name=None
) -> SparseTensor:
    """How often each integer occurs in ``values`` (dense or sparse), as a sparse tensor:
    over all of it (``axis=0``) or per row (``axis=-1``); ``weights`` add up instead of
    ones, ``binary_output`` only marks presence. The last axis is ``maxlength`` long
    (larger values dropped) or at least ``minlength``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     counts = sparse_bincount(tf.constant([[1, 3, 1], [2, 2, 2]], tf.int64), axis=-1)
    ...     value = tf.compat.v1.Session().run(counts)
    >>> value.indices.tolist(), value.values.tolist()
    ([[0, 1], [0, 3], [1, 2]], [2, 1, 3])
    """
    with name_scope(name, "count", [values, weights]):
        if not isinstance(values, SparseTensor):
            values = convert_to_tensor(values, name="values")
        if weights is not None and binary_output:
            raise ValueError(
                "Arguments `binary_output` and `weights` are mutually exclusive. Please "
                "specify only one."
            )
        axis = 0 if axis is None else axis
        if axis not in (0, -1):
            raise ValueError(
                f"Unsupported value for argument axis={axis}. Only 0 and -1 are currently "
                "supported."
            )
        attrs = {
            "minlength": -1 if minlength is None else int(minlength),
            "maxlength": -1 if maxlength is None else int(maxlength),
            "binary_output": bool(binary_output),
        }
        if axis == 0:
            if isinstance(values, SparseTensor):
                weights = None if weights is None else _sparse(weights).values
                values = values.values
            else:
                weights = None if weights is None else reshape(weights, [-1])
                values = reshape(values, [-1])
        if isinstance(values, SparseTensor):
            weights = _count_weights(
                values.values, None if weights is None else _sparse(weights).values
            )
            parts = [values.indices, values.values, values.dense_shape, weights]
            return SparseTensor(*build(SPARSE_COUNT_SPARSE_OUTPUT, parts, None, **attrs).outputs)
        weights = _count_weights(values, weights)
        return SparseTensor(
            *build(DENSE_COUNT_SPARSE_OUTPUT, [values, weights], None, **attrs).outputs
        )


# tf.compat.v1's top-level names.
V1_OVERRIDES = {"sparse_merge": sparse_merge, "sparse_to_indicator": sparse_to_indicator}
