"""Reading and writing tensors at indices: ``gather``, ``gather_nd``, ``batch_gather``,
``scatter_nd`` and ``tensor_scatter_nd_*`` (the variable updates ``scatter_*`` are in
:mod:`~runtime.ops.variable_update_ops`)."""

from __future__ import annotations

from .. import dtypes
from ..graph import Tensor
from ..registry import OpDef, TensorSpec, register_op
from ..scopes import name_scope
from ..shapes import TensorShape
from . import math_ops
from .concat_ops import concat
from .constant_value import known_shape, known_value
from .core import convert_to_tensor, format_shape
from .packing import build
from .shape_ops import broadcast_to, reshape, shape
from .shape_util import merge_dim, merge_shapes, with_rank, with_rank_at_least

__all__ = [
    "gather",
    "gather_nd",
    "scatter_nd",
    "tensor_scatter_nd_add",
    "tensor_scatter_nd_max",
    "tensor_scatter_nd_min",
    "tensor_scatter_nd_sub",
    "tensor_scatter_nd_update",
]

_INDICES = "{int16, int32, int64}"


# -- gather --------------------------------------------------------------------------------


def _gather_shape(
    params: TensorSpec,
    indices: TensorSpec,
    axis: TensorSpec,
    *,
    Tparams,
    Tindices,
    Taxis,
    batch_dims,
):
    with_rank(axis.shape, 0)
    axis_value = known_value(axis)
    if axis_value is None or params.shape.rank is None or indices.shape.rank is None:
        return [TensorSpec(Tparams, TensorShape(None))]
    axis_value = int(axis_value)
    with_rank_at_least(params.shape, axis_value + 1 if axis_value >= 0 else -axis_value)
    axis_value %= params.shape.rank
    if batch_dims < 0:
        batch_dims += indices.shape.rank
    if batch_dims > axis_value:
        raise ValueError(
            f"batch_dims ({batch_dims}) must be less than or equal to axis ({axis_value})."
        )
    with_rank_at_least(indices.shape, batch_dims)
    p, i = params.shape.as_tuple(), indices.shape.as_tuple()
    batch = [merge_dim(a, b) for a, b in zip(p[:batch_dims], i[:batch_dims])]
    dims = batch + list(p[batch_dims:axis_value]) + list(i[batch_dims:]) + list(p[axis_value + 1 :])
    return [TensorSpec(Tparams, TensorShape(dims))]


GATHER = register_op(
    OpDef(
        "GatherV2",
        ("params: Tparams", "indices: Tindices", "axis: Taxis"),
        ("output: Tparams",),
        ("batch_dims: int = 0", "Tparams: type", f"Tindices: {_INDICES}", "Taxis: {int32, int64}"),
        _gather_shape,
    )
)


def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None) -> Tensor:
    """The slices of ``params`` at ``indices`` along ``axis`` (default 0).

    With ``batch_dims=b``, the first ``b`` dimensions of ``params`` and ``indices``
    are batch dimensions gathered pairwise. The gradient with respect to ``params``
    is an :class:`~runtime.indexed_slices.IndexedSlices` when ``axis`` is 0.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.reshape(tf.range(6), [2, 3])
    ...     print(tf.compat.v1.Session().run(gather(x, [[2, 0]], axis=1)).tolist())
    [[[2, 0]], [[5, 3]]]
    """
    if axis is None:
        axis = batch_dims
    return build(GATHER, [params, indices, axis], name, batch_dims=int(batch_dims)).outputs[0]


def gather_v1(params, indices, validate_indices=None, name=None, axis=None, batch_dims=0) -> Tensor:
    """TF1's argument order of :func:`gather`."""
    return gather(params, indices, validate_indices, axis, batch_dims, name)


def batch_gather(params, indices, name=None) -> Tensor:
    """``params[b..., indices[b..., i]]``: a gather per batch entry, the batch being
    every dimension of ``indices`` but its last (TF1's deprecated ``tf.batch_gather``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = [[1, 2, 3], [4, 5, 6]]
    ...     print(tf.compat.v1.Session().run(batch_gather(x, [[2, 0], [1, 1]])).tolist())
    [[3, 1], [5, 5]]
    """
    with name_scope(name, "BatchGather", [params, indices]) as scope:
        indices = convert_to_tensor(indices, name="indices")
        params = convert_to_tensor(params, name="params")
        if indices.shape.rank is None:
            raise ValueError("batch_gather does not allow indices with unknown shape.")
        batch_dims = indices.shape.rank - 1
        return gather(params, indices, axis=batch_dims, batch_dims=batch_dims, name=scope)


def _gather_nd_shape(
    params: TensorSpec, indices: TensorSpec, *, Tparams, Tindices, bad_indices_policy
):
    with_rank_at_least(indices.shape, 1)
    depth = indices.shape.dim_value(-1) if indices.shape.rank else None
    if params.shape.rank is None or indices.shape.rank is None or depth is None:
        return [TensorSpec(Tparams, TensorShape(None))]
    if depth > params.shape.rank:
        raise ValueError(
            f"indices.shape[-1] must be <= params.rank, but saw indices shape: "
            f"{format_shape(indices.shape)} and params shape: {format_shape(params.shape)}"
        )
    dims = list(indices.shape.as_tuple()[:-1]) + list(params.shape.as_tuple()[depth:])
    return [TensorSpec(Tparams, TensorShape(dims))]


GATHER_ND = register_op(
    OpDef(
        "GatherNd",
        ("params: Tparams", "indices: Tindices"),
        ("output: Tparams",),
        ("Tparams: type", f"Tindices: {_INDICES}", "bad_indices_policy: string = ''"),
        _gather_nd_shape,
    )
)


def gather_nd(params, indices, name=None, batch_dims=0) -> Tensor:
    """The elements (or slices) of ``params`` at the coordinates in ``indices``'s last axis.

    With ``batch_dims=b`` the first ``b`` dimensions of both are batch dimensions:
    each batch entry's coordinates index its own slice of ``params``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.reshape(tf.range(6), [2, 3])
    ...     print(tf.compat.v1.Session().run(gather_nd(x, [[1, 2], [0, 0]])).tolist())
    [5, 0]
    """
    if not isinstance(batch_dims, int):
        raise TypeError(
            f"Argument `batch_dims` must be an int. Received `batch_dims` = {batch_dims} instead"
        )
    if batch_dims == 0:
        return build(GATHER_ND, [params, indices], name).outputs[0]
    return _batch_gather_nd(params, indices, batch_dims, name)


def _batch_gather_nd(params, indices, batch_dims: int, name) -> Tensor:
    """``gather_nd`` per batch entry: the batch dimensions flattened into one, whose
    index is prepended to each coordinate."""
    with name_scope(name, "BatchGatherND", [params, indices]):
        indices = convert_to_tensor(indices, name="indices")
        params = convert_to_tensor(params, name="params")
        if batch_dims < 0:
            raise ValueError("tf.gather_nd does not allow negative batch_dims.")
        for what, tensor in (("indices", indices), ("params", params)):
            if tensor.shape.rank is not None and batch_dims >= tensor.shape.rank:
                raise ValueError(
                    f"Argument `batch_dims` = {batch_dims} must be less than rank(`{what}`) = "
                    f"{tensor.shape.rank}"
                )
        if indices.shape.rank is None:
            raise ValueError("gather_nd with batch_dims needs indices of known rank.")
        params_shape = shape(params, out_type=indices.dtype.base_dtype)
        indices_shape = shape(indices)
        batch_shape = params_shape[:batch_dims]
        batch_size = math_ops.reduce_prod(batch_shape, [0])
        flat_params = reshape(params, concat([[batch_size], params_shape[batch_dims:]], 0))
        flat_indices = reshape(indices, concat([[-1], indices_shape[batch_dims:]], 0))
        rank = indices.shape.rank - batch_dims + 1  # of flat_indices
        batch_ids = reshape(
            math_ops.range(batch_size, dtype=indices.dtype.base_dtype), [-1] + [1] * (rank - 1)
        )
        batch_ids = broadcast_to(batch_ids, concat([shape(flat_indices)[:-1], [1]], 0))
        gathered = gather_nd(params=flat_params, indices=concat([batch_ids, flat_indices], -1))
        result_shape = concat([math_ops.cast(batch_shape, dtypes.int32), shape(gathered)[1:]], 0)
        return reshape(gathered, result_shape)


# -- scatter_nd and tensor_scatter_nd_* ----------------------------------------------------


def _scatter_nd_update_shape(input: TensorShape, indices: TensorShape, updates: TensorShape):
    """TF's ``ScatterNdShapeHelper``: ``updates`` must be
    ``indices.shape[:-1] + input.shape[indices.shape[-1]:]``."""
    with_rank_at_least(indices, 1)
    if input.rank is None or indices.rank is None or updates.rank is None:
        return
    depth = indices.dim_value(-1)
    if depth is None:
        return
    outer = indices.rank - 1
    if depth > input.rank:
        raise ValueError(
            f"Index dimension {depth} is greater than the rank of the input {input.rank}"
        )
    try:
        merge_shapes(indices[:outer], updates[:outer])
    except ValueError as err:
        raise ValueError(
            f"Dimensions [0,{outer}) of indices[shape={format_shape(indices)}] = "
            f"{format_shape(indices[:outer])} must match dimensions [0,{outer}) of "
            f"updates[shape={format_shape(updates)}] = {format_shape(updates[:outer])}: {err}"
        ) from None
    try:
        merge_shapes(input[depth:], updates[outer:])
    except ValueError as err:
        raise ValueError(
            f"Dimensions [{depth},{input.rank}) of input[shape={format_shape(input)}] = "
            f"{format_shape(input[depth:])} must match dimensions [{outer},{updates.rank}) of "
            f"updates[shape={format_shape(updates)}] = {format_shape(updates[outer:])}: {err}"
        ) from None


def _scatter_nd_shape(
    indices: TensorSpec, updates: TensorSpec, shape: TensorSpec, *, T, Tindices, bad_indices_policy
):
    with_rank(shape.shape, 1)
    target = known_shape(shape)
    _scatter_nd_update_shape(target, indices.shape, updates.shape)
    return [TensorSpec(T, target)]


SCATTER_ND = register_op(
    OpDef(
        "ScatterNd",
        ("indices: Tindices", "updates: T", "shape: Tindices"),
        ("output: T",),
        ("T: type", f"Tindices: {_INDICES}", "bad_indices_policy: string = ''"),
        _scatter_nd_shape,
    )
)


def scatter_nd(indices, updates, shape, name=None) -> Tensor:
    """A zero tensor of ``shape`` with ``updates`` added at ``indices`` (duplicates sum).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     s = scatter_nd([[1], [3], [1]], [1.0, 2.0, 3.0], [5])
    ...     print(tf.compat.v1.Session().run(s))
    [0. 4. 0. 2. 0.]
    """
    return build(SCATTER_ND, [indices, updates, shape], name).outputs[0]


def _tensor_scatter_shape(
    tensor: TensorSpec, indices: TensorSpec, updates: TensorSpec, *, T, Tindices, bad_indices_policy
):
    _scatter_nd_update_shape(tensor.shape, indices.shape, updates.shape)
    return [TensorSpec(T, tensor.shape)]


def _tensor_scatter_op(op_type: str, indices: str) -> OpDef:
    return register_op(
        OpDef(
            op_type,
            ("tensor: T", "indices: Tindices", "updates: T"),
            ("output: T",),
            ("T: type", f"Tindices: {indices}", "bad_indices_policy: string = ''"),
            _tensor_scatter_shape,
        )
    )


TENSOR_SCATTER_UPDATE = _tensor_scatter_op("TensorScatterUpdate", "{int16, int32, int64, uint16}")
TENSOR_SCATTER_ADD = _tensor_scatter_op("TensorScatterAdd", "{int32, int64}")
TENSOR_SCATTER_SUB = _tensor_scatter_op("TensorScatterSub", "{int32, int64}")
TENSOR_SCATTER_MAX = _tensor_scatter_op("TensorScatterMax", "{int32, int64}")
TENSOR_SCATTER_MIN = _tensor_scatter_op("TensorScatterMin", "{int32, int64}")


def tensor_scatter_nd_update(tensor, indices, updates, name=None) -> Tensor:
    """``tensor`` with the elements (or slices) at ``indices`` replaced by ``updates``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     t = tensor_scatter_nd_update([1, 2, 3, 4], [[0], [2]], [9, 8])
    ...     print(tf.compat.v1.Session().run(t).tolist())
    [9, 2, 8, 4]
    """
    return build(TENSOR_SCATTER_UPDATE, [tensor, indices, updates], name).outputs[0]


def tensor_scatter_nd_add(tensor, indices, updates, name=None) -> Tensor:
    """``tensor`` with ``updates`` added at ``indices`` (duplicates add up)."""
    return build(TENSOR_SCATTER_ADD, [tensor, indices, updates], name).outputs[0]


def tensor_scatter_nd_sub(tensor, indices, updates, name=None) -> Tensor:
    """``tensor`` with ``updates`` subtracted at ``indices``."""
    return build(TENSOR_SCATTER_SUB, [tensor, indices, updates], name).outputs[0]


def tensor_scatter_nd_max(tensor, indices, updates, name=None) -> Tensor:
    """``tensor`` with each element (or slice) at ``indices`` the larger of it and the
    matching ``updates`` (duplicates: the largest of all).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     t = tensor_scatter_nd_max([1, 5, 3], [[0], [1]], [4, 4])
    ...     print(tf.compat.v1.Session().run(t).tolist())
    [4, 5, 3]
    """
    return build(TENSOR_SCATTER_MAX, [tensor, indices, updates], name).outputs[0]


def tensor_scatter_nd_min(tensor, indices, updates, name=None) -> Tensor:
    """``tensor`` with each element (or slice) at ``indices`` the smaller of it and the
    matching ``updates``."""
    return build(TENSOR_SCATTER_MIN, [tensor, indices, updates], name).outputs[0]
