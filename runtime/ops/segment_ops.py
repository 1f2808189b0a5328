"""Segment reductions, unique values and counts (``tf.math.segment_*``, ``tf.unique``,
``tf.math.bincount``, ``tf.math.confusion_matrix``), and the partitioning of rows into
lists and their stitching back (``tf.dynamic_partition``, ``tf.dynamic_stitch``, which
TF's own gradient graphs use).

Sorted segment ops (``segment_sum`` ...) take increasing ids, one per row of ``data``,
and output ``max(id) + 1`` rows; unsorted ones (``unsorted_segment_max`` ...) take any
ids and ``num_segments``, dropping negative ids. ``unsorted_segment_sum`` is in
:mod:`runtime.ops.math_ops` (other ops' gradients use it). Gradients are TF's.
Kernels: :mod:`runtime.kernels.segment`.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..graph import Tensor, graph_of
from ..registry import OpDef, TensorSpec, register_gradient, register_op
from ..scopes import control_dependencies, name_scope
from ..shapes import TensorShape
from . import array_ops, math_ops
from .check_ops import assert_less, assert_non_negative
from .constant_value import known_value
from .core import apply_op, convert_to_tensor, op_outputs
from .math_grad import gather_dropping_negative
from .math_ops import unsorted_segment_op, unsorted_segment_sum
from .shape_util import merge_dim, merge_shapes, with_rank, with_rank_at_least

__all__ = [
    "bincount",
    "confusion_matrix",
    "dynamic_partition",
    "dynamic_stitch",
    "segment_max",
    "segment_mean",
    "segment_min",
    "segment_prod",
    "segment_sum",
    "unique",
    "unique_with_counts",
    "unsorted_segment_max",
    "unsorted_segment_mean",
    "unsorted_segment_min",
    "unsorted_segment_prod",
    "unsorted_segment_sqrt_n",
    "unsorted_segment_sum",
]

_REAL = "realnumbertype"


def _segment_shape(data: TensorSpec, segment_ids: TensorSpec, *, T, Tindices):
    ids = with_rank(segment_ids.shape, 1)
    shape = with_rank_at_least(data.shape, 1)
    if shape.rank is None:
        return [TensorSpec(T, TensorShape(None))]
    merge_dim(shape.dim_value(0), ids.dim_value(0))
    return [TensorSpec(T, TensorShape([None, *shape.as_tuple()[1:]]))]


def _segment_op(kind: str, types: str) -> OpDef:
    return register_op(
        OpDef(
            f"Segment{kind}",
            ("data: T", "segment_ids: Tindices"),
            ("output: T",),
            (f"T: {types}", "Tindices: {int32, int64}"),
            shape_fn=_segment_shape,
        )
    )


SEGMENT_SUM = _segment_op("Sum", "numbertype")
SEGMENT_MEAN = _segment_op("Mean", "numbertype")
SEGMENT_PROD = _segment_op("Prod", "numbertype")
SEGMENT_MIN = _segment_op("Min", _REAL)
SEGMENT_MAX = _segment_op("Max", _REAL)
UNSORTED_SEGMENT_PROD = unsorted_segment_op("UnsortedSegmentProd", "numbertype", "{int32, int64}")
UNSORTED_SEGMENT_MIN = unsorted_segment_op("UnsortedSegmentMin", _REAL, "{int32, int64}")
UNSORTED_SEGMENT_MAX = unsorted_segment_op("UnsortedSegmentMax", _REAL, "{int32, int64}")


def _segment_builder(op_def: OpDef, doc: str):
    def build(data, segment_ids, name=None) -> Tensor:
        return apply_op(op_def, [data, segment_ids], name or op_def.name).outputs[0]

    build.__name__ = build.__qualname__ = "segment_" + op_def.name[len("Segment") :].lower()
    build.__doc__ = doc
    return build


def segment_sum(data, segment_ids, name=None) -> Tensor:
    """Sums of the rows of ``data`` in each segment; ``segment_ids`` increase and output
    ``max(segment_ids) + 1`` rows (empty segments are 0).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     s = segment_sum([[1, 2], [3, 4], [5, 6]], [0, 0, 2])
    ...     print(tf.compat.v1.Session().run(s))
    [[4 6]
     [0 0]
     [5 6]]
    """
    return apply_op(SEGMENT_SUM, [data, segment_ids], name or "SegmentSum").outputs[0]


segment_mean = _segment_builder(
    SEGMENT_MEAN, "Means of the rows in each segment (see segment_sum)."
)
segment_prod = _segment_builder(
    SEGMENT_PROD, "Products of the rows in each segment (empty segments are 1)."
)
segment_min = _segment_builder(SEGMENT_MIN, "Minima of the rows in each segment (empty: 0).")
segment_max = _segment_builder(SEGMENT_MAX, "Maxima of the rows in each segment (empty: 0).")


def _unsorted_builder(op_def: OpDef, doc: str):
    def build(data, segment_ids, num_segments, name=None) -> Tensor:
        inputs = [data, segment_ids, num_segments]
        return apply_op(op_def, inputs, name or op_def.name).outputs[0]

    build.__name__ = build.__qualname__ = (
        "unsorted_segment_" + op_def.name[len("UnsortedSegment") :].lower()
    )
    build.__doc__ = doc
    return build


def unsorted_segment_max(data, segment_ids, num_segments, name=None) -> Tensor:
    """Maxima of the rows of ``data`` sharing a segment id, in any order; ``num_segments``
    rows out, the lowest value of the dtype for an empty segment.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     m = unsorted_segment_max([4, 1, 7, 2], [1, 0, 1, 0], 2)
    ...     print(tf.compat.v1.Session().run(m))
    [2 7]
    """
    inputs = [data, segment_ids, num_segments]
    return apply_op(UNSORTED_SEGMENT_MAX, inputs, name or "UnsortedSegmentMax").outputs[0]


unsorted_segment_min = _unsorted_builder(
    UNSORTED_SEGMENT_MIN, "Minima by segment id (the highest value for an empty segment)."
)
unsorted_segment_prod = _unsorted_builder(
    UNSORTED_SEGMENT_PROD, "Products by segment id (1 for an empty segment)."
)


def _segment_sizes(data: Tensor, segment_ids: Tensor, num_segments) -> Tensor:
    """How many rows each segment has (at least 1), shaped to divide the segment sums."""
    num_segments = convert_to_tensor(num_segments)
    ones = array_ops.ones(array_ops.shape(segment_ids), dtype=data.dtype.base_dtype)
    sizes = unsorted_segment_sum(ones, segment_ids, num_segments)
    if data.shape.rank is not None and segment_ids.shape.rank is not None:
        for _ in range(data.shape.rank - segment_ids.shape.rank):
            sizes = array_ops.expand_dims(sizes, -1)
    else:
        extra = math_ops.subtract(array_ops.rank(data), array_ops.rank(segment_ids))
        trailing = array_ops.ones(array_ops.expand_dims(extra, 0), dtype=num_segments.dtype)
        shape = array_ops.concat([array_ops.reshape(num_segments, [1]), trailing], 0)
        sizes = array_ops.reshape(sizes, shape)
    return math_ops.maximum(sizes, 1)


def unsorted_segment_mean(data, segment_ids, num_segments, name=None) -> Tensor:
    """Means of the rows sharing a segment id (0 for an empty segment).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     m = unsorted_segment_mean([1.0, 2.0, 6.0], [1, 1, 0], 3)
    ...     print(tf.compat.v1.Session().run(m))
    [6.  1.5 0. ]
    """
    with name_scope(name, "UnsortedSegmentMean", [data, segment_ids, num_segments]):
        data = convert_to_tensor(data, name="data", graph=graph_of([data]))
        segment_ids = convert_to_tensor(segment_ids, name="segment_ids")
        sizes = _segment_sizes(data, segment_ids, num_segments)
        return math_ops.truediv(unsorted_segment_sum(data, segment_ids, num_segments), sizes)


def unsorted_segment_sqrt_n(data, segment_ids, num_segments, name=None) -> Tensor:
    """Sums of the rows sharing a segment id divided by the square root of their count."""
    with name_scope(name, "UnsortedSegmentSqrtN", [data, segment_ids, num_segments]):
        data = convert_to_tensor(data, name="data", graph=graph_of([data]))
        segment_ids = convert_to_tensor(segment_ids, name="segment_ids")
        sizes = _segment_sizes(data, segment_ids, num_segments)
        summed = unsorted_segment_sum(data, segment_ids, num_segments)
        return math_ops.truediv(summed, math_ops.sqrt(sizes))


# -- gradients ------------------------------------------------------------------------------


@register_gradient("SegmentSum")
def _segment_sum_grad(op, grad):
    return [array_ops.gather(grad, op.inputs[1]), None]


@register_gradient("SegmentMean")
def _segment_mean_grad(op, grad):
    data, ids = op.inputs
    extra = math_ops.subtract(array_ops.rank(data), 1)
    ones_shape = array_ops.concat(
        [array_ops.shape(ids), array_ops.ones(array_ops.expand_dims(extra, 0), dtypes.int32)], 0
    )
    ones = array_ops.ones(ones_shape, dtype=grad.dtype.base_dtype)
    scaled = math_ops.truediv(grad, segment_sum(ones, ids))
    return [array_ops.gather(scaled, ids), None]


def _min_or_max_grad(op, grad, gather, sum_by_segment):
    """TF's gradient of a segment minimum or maximum: shared equally among the rows that
    attain it."""
    data, ids = op.inputs[:2]
    is_selected = math_ops.equal(data, gather(op.outputs[0], ids))
    if len(op.inputs) == 3:  # unsorted: rows with negative ids (gathered as 0) get nothing
        kept = math_ops.greater(gather(array_ops.ones_like(op.outputs[0]), ids), 0)
        is_selected = math_ops.logical_and(is_selected, kept)
    count = sum_by_segment(math_ops.cast(is_selected, grad.dtype.base_dtype), op)
    shared = gather(math_ops.truediv(grad, count), ids)
    return math_ops.where(is_selected, shared, array_ops.zeros_like(shared))


def _sorted_sum(values, op):
    return segment_sum(values, op.inputs[1])


def _unsorted_sum(values, op):
    return unsorted_segment_sum(values, op.inputs[1], op.inputs[2])


for _op_type in ("SegmentMin", "SegmentMax"):
    register_gradient(_op_type)(
        lambda op, grad: [_min_or_max_grad(op, grad, array_ops.gather, _sorted_sum), None]
    )
for _op_type in ("UnsortedSegmentMin", "UnsortedSegmentMax"):
    register_gradient(_op_type)(
        lambda op, grad: [
            _min_or_max_grad(op, grad, gather_dropping_negative, _unsorted_sum),
            None,
            None,
        ]
    )


def _prod_grad(op, grad, gather, product_by_segment, sum_by_segment):
    """TF's gradient of a segment product: the product of the other rows, exact where a
    segment holds one zero, and 0 where it holds more."""
    data, ids = op.inputs[:2]
    is_zero = math_ops.equal(data, array_ops.zeros_like(data))
    zeros = sum_by_segment(math_ops.cast(is_zero, dtypes.int32), op)
    grad = math_ops.where(math_ops.greater(zeros, 1), array_ops.zeros_like(grad), grad)
    non_zero = math_ops.where(is_zero, array_ops.ones_like(data), data)
    non_zero_product = product_by_segment(non_zero, op)
    others = math_ops.where(
        is_zero,
        gather(non_zero_product, ids),
        math_ops.truediv(gather(op.outputs[0], ids), non_zero),
    )
    return math_ops.multiply(gather(grad, ids), others)


@register_gradient("SegmentProd")
def _segment_prod_grad(op, grad):
    return [
        _prod_grad(
            op, grad, array_ops.gather, lambda v, op: segment_prod(v, op.inputs[1]), _sorted_sum
        ),
        None,
    ]


@register_gradient("UnsortedSegmentProd")
def _unsorted_segment_prod_grad(op, grad):
    def product(values, op):
        return unsorted_segment_prod(values, op.inputs[1], op.inputs[2])

    return [_prod_grad(op, grad, gather_dropping_negative, product, _unsorted_sum), None, None]


# -- unique values --------------------------------------------------------------------------


def _unique_shape(x: TensorSpec, *, T, out_idx, counts: bool = False):
    shape = with_rank(x.shape, 1)
    specs = [TensorSpec(T, TensorShape([None])), TensorSpec(out_idx, shape)]
    return [*specs, TensorSpec(out_idx, TensorShape([None]))] if counts else specs


_UNIQUE_ATTRS = ("T: type", "out_idx: {int32, int64} = DT_INT32")
UNIQUE = register_op(
    OpDef("Unique", ("x: T",), ("y: T", "idx: out_idx"), _UNIQUE_ATTRS, shape_fn=_unique_shape)
)
UNIQUE_WITH_COUNTS = register_op(
    OpDef(
        "UniqueWithCounts",
        ("x: T",),
        ("y: T", "idx: out_idx", "count: out_idx"),
        _UNIQUE_ATTRS,
        shape_fn=lambda x, **attrs: _unique_shape(x, counts=True, **attrs),
    )
)


def unique(x, out_idx=dtypes.int32, name=None):
    """The distinct values of a vector in order of first appearance, and for each element
    the index of its value: TF's namedtuple ``Unique(y, idx)``, with ``y[idx] == x``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y, idx = unique([1, 1, 2, 4, 4, 4, 7, 8, 8])
    ...     print(tf.compat.v1.Session().run([y, idx]))
    [array([1, 2, 4, 7, 8], dtype=int32), array([0, 0, 1, 2, 2, 2, 3, 4, 4], dtype=int32)]
    """
    out_idx = dtypes.as_dtype(out_idx)
    return op_outputs(apply_op(UNIQUE, [x], name or "Unique", out_idx=out_idx))


def unique_with_counts(x, out_idx=dtypes.int32, name=None):
    """:func:`unique` and how often each distinct value occurs: TF's namedtuple
    ``UniqueWithCounts(y, idx, count)``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y, idx, count = unique_with_counts(["b", "a", "b"])
    ...     print(tf.compat.v1.Session().run(count))
    [2 1]
    """
    out_idx = dtypes.as_dtype(out_idx)
    op = apply_op(UNIQUE_WITH_COUNTS, [x], name or "UniqueWithCounts", out_idx=out_idx)
    return op_outputs(op)


# -- bin counts -------------------------------------------------------------------------------

_BIN_TYPES = "T: {int32, int64, float32, float64}"


def _bincount_shape(arr: TensorSpec, size: TensorSpec, weights: TensorSpec, *, T):
    with_rank(size.shape, 0)
    return [TensorSpec(T, TensorShape([None]))]


def _dense_bincount_shape(input: TensorSpec, size: TensorSpec, weights: TensorSpec, **attrs):
    with_rank(size.shape, 0)
    rank = input.shape.rank
    if rank is not None and rank > 2:
        raise ValueError(f"Shape must be at most rank 2 but is rank {rank}")
    dims = [None] if rank != 2 else [input.shape.dim_value(0), None]
    return [TensorSpec(attrs["T"], TensorShape(dims if rank is not None else None))]


BINCOUNT = register_op(
    OpDef(
        "Bincount",
        ("arr: int32", "size: int32", "weights: T"),
        ("bins: T",),
        (_BIN_TYPES,),
        shape_fn=_bincount_shape,
    )
)
DENSE_BINCOUNT = register_op(
    OpDef(
        "DenseBincount",
        ("input: Tidx", "size: Tidx", "weights: T"),
        ("output: T",),
        ("Tidx: {int32, int64}", _BIN_TYPES, "binary_output: bool = false"),
        shape_fn=_dense_bincount_shape,
    )
)


def bincount(
    arr,
    weights=None,
    minlength=None,
    maxlength=None,
    dtype=dtypes.int32,
    name=None,
    axis=None,
    binary_output=False,
) -> Tensor:
    """How often each value ``0, 1, ..., max(arr)`` occurs in ``arr`` (or the sum of the
    ``weights`` of its occurrences), at least ``minlength`` and at most ``maxlength``
    bins; ``axis=-1`` counts each row of a matrix on its own.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     b = bincount([1, 1, 2, 3, 2, 4, 4, 5])
    ...     print(tf.compat.v1.Session().run(b))
    [0 2 2 1 2 1]
    """
    with name_scope(name, "bincount", [arr, weights]):
        arr = convert_to_tensor(arr, name="arr", graph=graph_of([arr]))
        if weights is not None:
            weights = convert_to_tensor(weights, name="weights")
            if binary_output:
                raise ValueError(
                    "Arguments `binary_output` and `weights` are mutually exclusive. Please "
                    "specify only one."
                )
        if not arr.dtype.base_dtype.is_integer:
            arr = math_ops.cast(arr, dtypes.int32)
        axis = 0 if axis is None else axis
        if axis not in (0, -1):
            raise ValueError(
                f"Unsupported value for argument axis={axis}. Only 0 and -1 are currently "
                "supported."
            )
        nonempty = math_ops.cast(math_ops.greater(array_ops.size(arr), 0), arr.dtype.base_dtype)
        size = math_ops.multiply(nonempty, math_ops.add(math_ops.reduce_max(arr), 1))
        if minlength is not None:
            size = math_ops.maximum(convert_to_tensor(minlength, arr.dtype.base_dtype), size)
        if maxlength is not None:
            size = math_ops.minimum(convert_to_tensor(maxlength, arr.dtype.base_dtype), size)
        if axis == 0:
            arr = array_ops.reshape(arr, [-1])
            if weights is not None:
                weights = array_ops.reshape(weights, [-1])
        if weights is None:
            weights = convert_to_tensor([], dtype=dtypes.as_dtype(dtype))
        return apply_op(
            DENSE_BINCOUNT, [arr, size, weights], "DenseBincount", binary_output=binary_output
        ).outputs[0]


def bincount_v1(arr, weights=None, minlength=None, maxlength=None, dtype=dtypes.int32) -> Tensor:
    """TF1's ``tf.bincount``: :func:`bincount` of ``arr`` flattened."""
    return bincount(arr, weights, minlength, maxlength, dtype)


def confusion_matrix(
    labels, predictions, num_classes=None, weights=None, dtype=dtypes.int32, name=None
) -> Tensor:
    """The ``num_classes`` x ``num_classes`` matrix counting (or summing the ``weights``
    of) each pair ``(label, prediction)``; ``num_classes`` defaults to the largest
    class seen plus one. Labels or predictions outside ``[0, num_classes)`` fail the
    run, as in TF.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     m = confusion_matrix([1, 2, 4], [2, 2, 4])
    ...     print(tf.compat.v1.Session().run(m))
    [[0 0 0 0 0]
     [0 0 1 0 0]
     [0 0 1 0 0]
     [0 0 0 0 0]
     [0 0 0 0 1]]
    """
    dtype = dtypes.as_dtype(dtype)
    with name_scope(name, "confusion_matrix", [predictions, labels, num_classes, weights]):
        graph = graph_of([labels, predictions])
        labels = math_ops.cast(convert_to_tensor(labels, name="labels", graph=graph), dtypes.int64)
        predictions = math_ops.cast(
            convert_to_tensor(predictions, name="predictions", graph=graph), dtypes.int64
        )
        checks = [
            assert_non_negative(labels, message="`labels` contains negative values"),
            assert_non_negative(predictions, message="`predictions` contains negative values"),
        ]
        if num_classes is None:
            largest = math_ops.maximum(
                math_ops.reduce_max(predictions), math_ops.reduce_max(labels)
            )
            num_classes = math_ops.add(largest, 1)
        else:
            num_classes = math_ops.cast(num_classes, dtypes.int64)
            checks += [
                assert_less(labels, num_classes, message="`labels` out of bound"),
                assert_less(predictions, num_classes, message="`predictions` out of bound"),
            ]
        if weights is None:
            values = array_ops.ones_like(predictions, dtype)
        else:
            values = math_ops.cast(convert_to_tensor(weights, name="weights"), dtype)
        with control_dependencies(checks):
            indices = array_ops.stack([labels, predictions], axis=1)
        shape = array_ops.stack([num_classes, num_classes])
        return array_ops.scatter_nd(indices, values, shape)


# -- partitions and stitches -------------------------------------------------------------


def _stitch_shape(*specs: TensorSpec, N, T):
    indices, data = specs[:N], specs[N:]
    size = None
    values = [known_value(spec) for spec in indices]
    if all(value is not None for value in values):
        size = max((int(np.max(v)) + 1 for v in values if np.size(v)), default=0)
    tail = None
    for index, value in zip(indices, data):
        if index.shape.rank is not None and value.shape.rank is not None:
            rest = value.shape[index.shape.rank :]
            tail = rest if tail is None else merge_shapes(tail, rest)
    if tail is None:
        return [TensorSpec(T, TensorShape(None))]
    return [TensorSpec(T, TensorShape([size]).concatenate(tail))]


def _stitch_op(op_type: str) -> OpDef:
    return register_op(
        OpDef(
            op_type,
            ("indices: N * int32", "data: N * T"),
            ("merged: T",),
            ("N: int >= 1", "T: type"),
            shape_fn=_stitch_shape,
        )
    )


DYNAMIC_STITCH = _stitch_op("DynamicStitch")
PARALLEL_DYNAMIC_STITCH = _stitch_op("ParallelDynamicStitch")


def dynamic_stitch(indices, data, name=None) -> Tensor:
    """One tensor from lists of rows: row ``indices[i][j]`` of the result is
    ``data[i][j]`` (a later row wins where indices repeat); the inverse of
    :func:`dynamic_partition`.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     merged = dynamic_stitch([[0, 2], [1]], [[10, 30], [20]])
    ...     print(tf.compat.v1.Session().run(merged))
    [10 20 30]
    """
    indices, data = list(indices), list(data)
    # N given: with tensors only, apply_op could not tell where one list ends.
    op = apply_op(DYNAMIC_STITCH, [indices, data], name or "DynamicStitch", N=len(indices))
    return op.outputs[0]


def _partition_shape(data: TensorSpec, partitions: TensorSpec, *, num_partitions, T):
    shape = data.shape
    if shape.rank is not None and partitions.shape.rank is not None:
        merge_shapes(shape[: partitions.shape.rank], partitions.shape)
        rows = TensorShape([None]).concatenate(shape[partitions.shape.rank :])
    else:
        rows = TensorShape(None)
    return [TensorSpec(T, rows)] * num_partitions


DYNAMIC_PARTITION = register_op(
    OpDef(
        "DynamicPartition",
        ("data: T", "partitions: int32"),
        ("outputs: num_partitions * T",),
        ("num_partitions: int >= 1", "T: type"),
        shape_fn=_partition_shape,
    )
)


def dynamic_partition(data, partitions, num_partitions, name=None) -> list:
    """``data``'s rows split into ``num_partitions`` tensors: partition ``p`` holds the
    rows whose ``partitions`` entry is ``p``, in order.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     parts = dynamic_partition([10, 20, 30, 40], [0, 1, 0, 1], 2)
    ...     print(tf.compat.v1.Session().run(parts))
    [array([10, 30], dtype=int32), array([20, 40], dtype=int32)]
    """
    op = apply_op(
        DYNAMIC_PARTITION,
        [data, partitions],
        name or "DynamicPartition",
        num_partitions=int(num_partitions),
    )
    return list(op.outputs)


def _stitch_grad(op, grad):
    count = len(op.inputs) // 2
    indices = op.inputs[:count]
    return [None] * count + [array_ops.gather(grad, index) for index in indices]


register_gradient("DynamicStitch")(_stitch_grad)
register_gradient("ParallelDynamicStitch")(_stitch_grad)


@register_gradient("DynamicPartition")
def _dynamic_partition_grad(op, *grads):
    data, partitions = op.inputs
    shape = array_ops.shape(partitions)
    positions = array_ops.reshape(math_ops.range(math_ops.reduce_prod(shape)), shape)
    parts = dynamic_partition(positions, partitions, op.get_attr("num_partitions"))
    stitched = apply_op(
        PARALLEL_DYNAMIC_STITCH, [parts, list(grads)], "ParallelDynamicStitch", N=len(parts)
    )
    return [array_ops.reshape(stitched.outputs[0], array_ops.shape(data)), None]


def confusion_matrix_v1(
    labels, predictions, num_classes=None, dtype=dtypes.int32, name=None, weights=None
) -> Tensor:
    """TF1's ``tf.confusion_matrix``: :func:`confusion_matrix` with ``weights`` last."""
    return confusion_matrix(labels, predictions, num_classes, weights, dtype, name)


# -- sparse segment reductions: segments of gathered rows ------------------------------------


def _sparse_segment_shape(data, indices, segment_ids, *rest, **attrs):
    merge_dim(
        with_rank(indices.shape, 1).dim_value(0), with_rank(segment_ids.shape, 1).dim_value(0)
    )
    shape = with_rank_at_least(data.shape, 1)
    count = known_value(rest[0]) if rest else None
    if shape.rank is None:
        return [TensorSpec(attrs["T"], TensorShape(None))]
    rows = None if count is None else int(count)
    return [TensorSpec(attrs["T"], TensorShape([rows, *shape.as_tuple()[1:]]))]


def _sparse_segment_op(kind: str, types: str, with_count: bool) -> OpDef:
    inputs = ("data: T", "indices: Tidx", "segment_ids: Tsegmentids")
    attrs = [f"T: {types}", "Tidx: {int32, int64} = DT_INT32"]
    if with_count:
        inputs += ("num_segments: Tnumsegments",)
        attrs.append("Tnumsegments: {int32, int64} = DT_INT32")
    attrs += ["Tsegmentids: {int32, int64} = DT_INT32", "sparse_gradient: bool = false"]
    name = f"SparseSegment{kind}" + ("WithNumSegments" if with_count else "")
    return register_op(OpDef(name, inputs, ("output: T",), tuple(attrs), _sparse_segment_shape))


_SPARSE_KINDS = {
    "Sum": _REAL,
    "Mean": "{bfloat16, float16, float32, float64}",
    "SqrtN": "{bfloat16, float16, float32, float64}",
}
SPARSE_SEGMENT_OPS = {
    (kind, with_count): _sparse_segment_op(kind, types, with_count)
    for kind, types in _SPARSE_KINDS.items()
    for with_count in (False, True)
}


def _sparse_grad_shape(
    grad: TensorSpec, indices: TensorSpec, segment_ids: TensorSpec, output_dim0: TensorSpec, **attrs
):
    rows = known_value(output_dim0)
    shape = grad.shape
    if shape.rank is None:
        return [TensorSpec(attrs["T"], TensorShape(None))]
    return [
        TensorSpec(
            attrs["T"], TensorShape([None if rows is None else int(rows), *shape.as_tuple()[1:]])
        )
    ]


SPARSE_SEGMENT_GRADS = {
    kind: register_op(
        OpDef(
            f"SparseSegment{kind}Grad",
            ("grad: T", "indices: Tidx", "segment_ids: Tsegmentids", "output_dim0: int32"),
            ("output: T",),
            (
                "T: {bfloat16, float16, float32, float64}",
                "Tidx: {int32, int64} = DT_INT32",
                "Tsegmentids: {int32, int64} = DT_INT32",
            ),
            shape_fn=_sparse_grad_shape,
        )
    )
    for kind in _SPARSE_KINDS
}


def _sparse_grad_v2_shape(grad, indices, segment_ids, dense_output_dim0, **attrs):
    rest = grad.shape.as_tuple()[1:] if grad.shape.rank is not None else None
    shape = TensorShape(None) if rest is None else TensorShape([None, *rest])
    return [TensorSpec(attrs["T"], shape), TensorSpec(attrs["Tidx"], TensorShape([None]))]


# TF 2.x's sparse gradients: rows only for the indices used, and which those are.
SPARSE_SEGMENT_GRADS_V2 = {
    kind: register_op(
        OpDef(
            f"SparseSegment{kind}GradV2",
            ("grad: T", "indices: Tidx", "segment_ids: Tsegmentids", "dense_output_dim0: int32"),
            ("output: T", "sorted_unique_indices: Tidx"),
            (
                "T: {bfloat16, float16, float32, float64}",
                "Tidx: {int32, int64} = DT_INT32",
                "Tsegmentids: {int32, int64} = DT_INT32",
            ),
            shape_fn=_sparse_grad_v2_shape,
        )
    )
    for kind in _SPARSE_KINDS
}


def _sparse_segment(kind: str, data, indices, segment_ids, name, num_segments, sparse_gradient):
    with_count = num_segments is not None
    op_def = SPARSE_SEGMENT_OPS[kind, with_count]
    inputs = [data, indices, segment_ids] + ([num_segments] if with_count else [])
    op = apply_op(op_def, inputs, name or op_def.name, sparse_gradient=bool(sparse_gradient))
    return op.outputs[0]


def sparse_segment_sum(
    data, indices, segment_ids, name=None, num_segments=None, sparse_gradient=False
) -> Tensor:
    """Sums, by increasing ``segment_ids``, of the rows of ``data`` that ``indices``
    picks (TF1's ``tf.sparse_segment_sum``); ``num_segments`` fixes the row count. The
    gradient is always dense here (``sparse_gradient`` is kept on the op).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     s = sparse_segment_sum([[1, 2], [3, 4], [5, 6]], [0, 2, 1], [0, 0, 1])
    ...     print(tf.compat.v1.Session().run(s))
    [[6 8]
     [3 4]]
    """
    return _sparse_segment("Sum", data, indices, segment_ids, name, num_segments, sparse_gradient)


def sparse_segment_mean(
    data, indices, segment_ids, name=None, num_segments=None, sparse_gradient=False
) -> Tensor:
    """Means of the picked rows by segment (see :func:`sparse_segment_sum`)."""
    return _sparse_segment("Mean", data, indices, segment_ids, name, num_segments, sparse_gradient)


def sparse_segment_sqrt_n(
    data, indices, segment_ids, name=None, num_segments=None, sparse_gradient=False
) -> Tensor:
    """Sums of the picked rows by segment divided by the square root of their count."""
    return _sparse_segment("SqrtN", data, indices, segment_ids, name, num_segments, sparse_gradient)


def _sparse_segment_grad(kind: str):
    def grad_fn(op, grad):
        data, indices, segment_ids = op.inputs[:3]
        rows = array_ops.shape(data)[0]
        if kind == "Sum" and not grad.dtype.base_dtype.is_floating:
            dense = unsorted_segment_sum(array_ops.gather(grad, segment_ids), indices, rows)
        else:
            grad_op = SPARSE_SEGMENT_GRADS[kind]
            dense = apply_op(grad_op, [grad, indices, segment_ids, rows], grad_op.name).outputs[0]
        return [dense] + [None] * (len(op.inputs) - 1)

    return grad_fn


for (_kind, _with_count), _op_def in SPARSE_SEGMENT_OPS.items():
    register_gradient(_op_def.name)(_sparse_segment_grad(_kind))


def _v2_spelling(v1):
    def build(data, indices, segment_ids, num_segments=None, name=None, sparse_gradient=False):
        return v1(data, indices, segment_ids, name, num_segments, sparse_gradient)

    build.__name__ = build.__qualname__ = v1.__name__ + "_v2"
    build.__doc__ = f"TF2's ``tf.sparse.segment_*``: :func:`{v1.__name__}`, ``num_segments`` first."
    return build


sparse_segment_sum_v2 = _v2_spelling(sparse_segment_sum)
sparse_segment_mean_v2 = _v2_spelling(sparse_segment_mean)
sparse_segment_sqrt_n_v2 = _v2_spelling(sparse_segment_sqrt_n)
