"""Top-k selection and sorting: ``tf.nn.top_k`` (``tf.math.top_k``), ``tf.nn.in_top_k``,
``tf.sort`` and ``tf.argsort``.

``TopKV2`` picks the ``k`` largest entries of each last-axis row (the lower index first
among equal values, as TF's stable sort); its gradient scatters the values' gradient
back to where they were taken from. Sorting is a ``top_k`` of the whole axis, moved
last and back, of the values negated for an ascending order, as TF builds it.
Kernels: :mod:`runtime.kernels.segment`.
"""

from __future__ import annotations

from .. import dtypes
from ..graph import Tensor, graph_of
from ..registry import OpDef, TensorSpec, not_differentiable, register_gradient, register_op
from ..scopes import name_scope
from ..shapes import TensorShape
from . import array_ops, math_ops
from .constant_value import known_value
from .core import apply_op, convert_to_tensor, op_outputs
from .shape_util import merge_dim, with_rank, with_rank_at_least

__all__ = ["in_top_k", "top_k"]  # tf.nn's; sort and argsort are top-level names only


def _top_k_shape(input: TensorSpec, k: TensorSpec, *, sorted, T, Tk, index_type):
    with_rank(k.shape, 0)
    shape = with_rank_at_least(input.shape, 1)
    value = known_value(k)
    if value is not None and value < 0:
        raise ValueError(f"Need k >= 0, got {int(value)}")
    if shape.rank is None:
        return [TensorSpec(T, shape), TensorSpec(index_type, shape)]
    last = shape.dim_value(-1)
    if value is not None and last is not None and last < value:
        raise ValueError(f"input must have last dimension >= k = {int(value)} but is {last}")
    out = TensorShape([*shape.as_tuple()[:-1], None if value is None else int(value)])
    return [TensorSpec(T, out), TensorSpec(index_type, out)]


TOP_K = register_op(
    OpDef(
        "TopKV2",
        ("input: T", "k: Tk"),
        ("values: T", "indices: index_type"),
        (
            "sorted: bool = true",
            "T: realnumbertype",
            "Tk: {int16, int32, int64} = DT_INT32",
            "index_type: {int16, int32, int64} = DT_INT32",
        ),
        shape_fn=_top_k_shape,
    )
)


def top_k(input, k=1, sorted=True, index_type=dtypes.int32, name=None):
    """The ``k`` largest entries of each row (last axis) of ``input`` and their indices:
    TF's namedtuple ``TopKV2(values, indices)``, largest first; among equal entries the
    lower index first.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     values, indices = top_k([[1.0, 5.0, 3.0], [4.0, 4.0, 0.0]], k=2)
    ...     print(tf.compat.v1.Session().run([values, indices]))
    [array([[5., 3.],
           [4., 4.]], dtype=float32), array([[1, 2],
           [0, 1]], dtype=int32)]
    """
    op = apply_op(
        TOP_K,
        [input, k],
        name or "TopKV2",
        sorted=bool(sorted),
        index_type=dtypes.as_dtype(index_type),
    )
    return op_outputs(op)  # TF's TopKV2(values, indices)


@register_gradient("TopKV2")
def _top_k_grad(op, grad, _indices_grad):
    # Scatter each row's gradient to the positions its values came from, in the
    # input flattened to rows.
    x, indices = op.inputs[0], op.outputs[1]
    in_shape = array_ops.shape(x)
    columns = array_ops.gather(in_shape, math_ops.subtract(array_ops.size(in_shape), 1))
    k = array_ops.gather(array_ops.shape(indices), math_ops.subtract(array_ops.rank(indices), 1))
    rows = array_ops.reshape(math_ops.cast(indices, dtypes.int32), array_ops.stack([-1, k]))
    row_starts = math_ops.range(0, math_ops.multiply(array_ops.shape(rows)[0], columns), columns)
    flat = array_ops.reshape(math_ops.add(rows, array_ops.expand_dims(row_starts, -1)), [-1])
    total = math_ops.reduce_prod(in_shape)
    scattered = array_ops.scatter_nd(
        array_ops.expand_dims(flat, -1),
        array_ops.reshape(grad, [-1]),
        array_ops.reshape(total, [1]),
    )
    return [array_ops.reshape(scattered, in_shape), None]


def _in_top_k_shape(predictions: TensorSpec, targets: TensorSpec, k: TensorSpec, *, T):
    shape = with_rank(predictions.shape, 2)
    target_shape = with_rank(targets.shape, 1)
    with_rank(k.shape, 0)
    return [
        TensorSpec(
            dtypes.bool, TensorShape([merge_dim(shape.dim_value(0), target_shape.dim_value(0))])
        )
    ]


IN_TOP_K = register_op(
    OpDef(
        "InTopKV2",
        ("predictions: float32", "targets: T", "k: T"),
        ("precision: bool",),
        ("T: {int32, int64} = DT_INT32",),
        shape_fn=_in_top_k_shape,
    )
)
not_differentiable("InTopKV2")


def in_top_k(targets, predictions, k, name=None) -> Tensor:
    """Whether each row's ``targets`` entry is among the ``k`` largest ``predictions`` of
    its row (ties count in its favour; a row with inf or NaN gives False). TF1's
    ``tf.compat.v1.nn.in_top_k`` takes ``predictions`` first (:func:`in_top_k_v1`).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     hit = in_top_k([1, 1], [[0.1, 0.8, 0.1], [0.6, 0.3, 0.1]], 1)
    ...     print(tf.compat.v1.Session().run(hit))
    [ True False]
    """
    return apply_op(IN_TOP_K, [predictions, targets, k], name or "in_top_k").outputs[0]


def in_top_k_v1(predictions, targets, k, name=None) -> Tensor:
    """TF1's ``tf.nn.in_top_k``: :func:`in_top_k` with ``predictions`` first."""
    return in_top_k(targets, predictions, k, name)


V1_OVERRIDES = {"in_top_k": in_top_k_v1}


def _sort(values, axis, direction: str, return_argsort: bool, name: str):
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(
            f"Argument `direction` should be one of {{'ASCENDING', 'DESCENDING'}}. "
            f"Received: direction={direction}"
        )
    with name_scope(name, "sort" if not return_argsort else "argsort", [values]):
        values = convert_to_tensor(values, name="values", graph=graph_of([values]))
        rank = values.shape.rank
        if rank is None:
            raise ValueError("sort needs a tensor of known rank.")
        if not isinstance(axis, int) or not -rank <= axis < max(rank, 1):
            raise ValueError(f"`axis` must be an int in [{-rank}, {rank}), got {axis}.")
        axis %= max(rank, 1)
        dtype = values.dtype.base_dtype
        ascending = direction == "ASCENDING"
        if ascending and dtype.is_unsigned:
            keys = math_ops.subtract(convert_to_tensor(dtype.max, dtype), values)
        else:
            keys = math_ops.negative(values) if ascending else values
        perm = (
            None if axis == rank - 1 else [*range(axis), rank - 1, *range(axis + 1, rank - 1), axis]
        )
        moved = keys if perm is None else array_ops.transpose(keys, perm)
        count = array_ops.shape(moved)[-1]
        top, indices = top_k(moved, count)
        result = indices if return_argsort else top
        if not return_argsort and ascending:
            result = values_from_keys(result, dtype)
        return result if perm is None else array_ops.transpose(result, perm)


def values_from_keys(keys: Tensor, dtype) -> Tensor:
    """The values an ascending sort's keys stand for (the keys' negation or complement)."""
    if dtype.is_unsigned:
        return math_ops.subtract(convert_to_tensor(dtype.max, dtype), keys)
    return math_ops.negative(keys)


def sort(values, axis=-1, direction="ASCENDING", name=None) -> Tensor:
    """``values`` sorted along ``axis``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     s = sort([[3, 1, 2], [0, 5, 4]], direction="DESCENDING")
    ...     print(tf.compat.v1.Session().run(s))
    [[3 2 1]
     [5 4 0]]
    """
    return _sort(values, axis, direction, False, name)


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None) -> Tensor:
    """The int32 indices that sort ``values`` along ``axis`` (equal values keep their
    order, so every sort here is stable).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(argsort([3.0, 1.0, 2.0, 1.0])))
    [1 3 2 0]
    """
    return _sort(values, axis, direction, True, name)


# -- approximate top k (exact here) ---------------------------------------------------------


def _approx_top_k_shape(input: TensorSpec, *, k, reduction_dimension, **attrs):
    shape = input.shape
    if shape.rank is None:
        return [TensorSpec(input.dtype, shape), TensorSpec(dtypes.int32, shape)]
    axis = reduction_dimension % shape.rank if shape.rank else 0
    dims = list(shape.as_tuple())
    if dims[axis] is not None and dims[axis] < k:
        raise ValueError(f"k ({k}) must be at most the reduced dimension ({dims[axis]})")
    dims[axis] = k
    return [TensorSpec(input.dtype, TensorShape(dims)), TensorSpec(dtypes.int32, TensorShape(dims))]


APPROX_TOP_K = register_op(
    OpDef(
        "ApproxTopK",
        ("input: T",),
        ("values: T", "indices: int32"),
        (
            "k: int >= 0",
            "reduction_dimension: int = -1",
            "recall_target: float = 0.95",
            "is_max_k: bool = true",
            "reduction_input_size_override: int = -1",
            "aggregate_to_topk: bool = true",
            "T: {float16, bfloat16, float32}",
        ),
        shape_fn=_approx_top_k_shape,
    )
)


@register_gradient("ApproxTopK")
def _approx_top_k_grad(op, grad, _indices_grad):
    # Each value's gradient goes back to where it was taken from along the reduced axis.
    x, indices = op.inputs[0], op.outputs[1]
    rank = x.shape.rank
    axis = op.get_attr("reduction_dimension") % rank
    depth = x.shape.dim_value(axis)
    if depth is None:
        depth = array_ops.shape(x)[axis]
    chosen = array_ops.one_hot(indices, depth, axis=axis + 1, dtype=grad.dtype.base_dtype)
    spread = math_ops.multiply(array_ops.expand_dims(grad, axis + 1), chosen)
    return [math_ops.reduce_sum(spread, axis=axis)]


def _approx_k(
    operand,
    k,
    reduction_dimension,
    recall_target,
    reduction_input_size_override,
    aggregate_to_topk,
    name,
    is_max_k,
):
    op = apply_op(
        APPROX_TOP_K,
        [operand],
        name or "ApproxTopK",
        k=int(k),
        reduction_dimension=int(reduction_dimension),
        recall_target=float(recall_target),
        is_max_k=is_max_k,
        reduction_input_size_override=int(reduction_input_size_override),
        aggregate_to_topk=bool(aggregate_to_topk),
    )
    return op_outputs(op)  # TF's ApproxTopK(values, indices)


def approx_max_k(
    operand,
    k,
    reduction_dimension=-1,
    recall_target=0.95,
    reduction_input_size_override=-1,
    aggregate_to_topk=True,
    name=None,
):
    """The ``k`` largest values along ``reduction_dimension`` and their int32 indices.
    TF's accelerators may trade recall for speed; here the answer is exact (a recall of
    1 satisfies every ``recall_target``), on any axis and for ``approx_min_k`` too,
    where TF's CPU kernel takes the largest along the last axis only.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     values, indices = approx_max_k(tf.constant([[1.0, 5.0, 3.0]]), 2)
    ...     print(tf.compat.v1.Session().run(indices))
    [[1 2]]
    """
    return _approx_k(
        operand,
        k,
        reduction_dimension,
        recall_target,
        reduction_input_size_override,
        aggregate_to_topk,
        name,
        True,
    )


def approx_min_k(
    operand,
    k,
    reduction_dimension=-1,
    recall_target=0.95,
    reduction_input_size_override=-1,
    aggregate_to_topk=True,
    name=None,
):
    """The ``k`` smallest values along ``reduction_dimension`` (see :func:`approx_max_k`)."""
    return _approx_k(
        operand,
        k,
        reduction_dimension,
        recall_target,
        reduction_input_size_override,
        aggregate_to_topk,
        name,
        False,
    )
