"""Row updates of TF1 variables: ``scatter_update``/``add``/``sub``/``mul``/``div``/
``min``/``max``, ``scatter_nd_update``/``add``/``sub`` and ``batch_scatter_update``.

Each takes a reference variable and returns its reference after the update; the
kernels (:mod:`runtime.kernels.scatter`) journal the update, so a failed step leaves
the variable as it was.
"""

from __future__ import annotations

from ..graph import Tensor
from ..registry import OpDef, TensorSpec, register_op
from ..scopes import name_scope
from . import math_ops
from .concat_ops import concat, stack
from .core import convert_to_tensor
from .fill_ops import meshgrid
from .gather_scatter_ops import _scatter_nd_update_shape
from .packing import build
from .shape_ops import reshape, shape
from .shape_util import merge_shapes, with_rank_at_least
from .variables import ref_tensor

# TF1-only names: tf.compat.v1.scatter_update ... (V1_OVERRIDES, at the end).
__all__: list = []

_NUMBERS = (
    "{float32, float64, int32, uint8, int16, int8, complex64, int64, qint8, quint8, qint32, "
    "bfloat16, qint16, quint16, uint16, complex128, float16, uint32, uint64}"
)


def _scatter_ref_shape(
    ref: TensorSpec, indices: TensorSpec, updates: TensorSpec, *, T, Tindices, use_locking
):
    """TF's ``ScatterUpdateShape``: ``updates`` is a scalar or
    ``indices.shape + ref.shape[1:]``."""
    if updates.shape.rank != 0 and ref.shape.rank is not None:
        with_rank_at_least(ref.shape, 1)
        merge_shapes(updates.shape, indices.shape.concatenate(ref.shape[1:]))
    return [TensorSpec(T._as_ref, ref.shape)]


def _scatter_nd_ref_shape(
    ref: TensorSpec,
    indices: TensorSpec,
    updates: TensorSpec,
    *,
    T,
    Tindices,
    use_locking,
    bad_indices_policy,
):
    _scatter_nd_update_shape(ref.shape, indices.shape, updates.shape)
    return [TensorSpec(T._as_ref, ref.shape)]


def _scatter_ref_op(op_type: str, types: str, locking: str = "false") -> OpDef:
    nd = op_type.startswith("ScatterNd")
    return register_op(
        OpDef(
            op_type,
            ("ref: Ref(T)", "indices: Tindices", "updates: T"),
            ("output_ref: Ref(T)",),
            (
                f"T: {types}",
                "Tindices: {int32, int64}",
                f"use_locking: bool = {locking}",
                *(("bad_indices_policy: string = ''",) if nd else ()),
            ),
            _scatter_nd_ref_shape if nd else _scatter_ref_shape,
            is_stateful=True,
        )
    )


SCATTER_UPDATE = _scatter_ref_op("ScatterUpdate", "type", "true")
SCATTER_ADD = _scatter_ref_op("ScatterAdd", _NUMBERS)
SCATTER_SUB = _scatter_ref_op("ScatterSub", _NUMBERS)
SCATTER_MUL = _scatter_ref_op("ScatterMul", _NUMBERS)
SCATTER_DIV = _scatter_ref_op("ScatterDiv", _NUMBERS)
SCATTER_MIN = _scatter_ref_op("ScatterMin", "{float16, bfloat16, float32, float64, int32, int64}")
SCATTER_MAX = _scatter_ref_op("ScatterMax", "{float16, bfloat16, float32, float64, int32, int64}")
SCATTER_ND_UPDATE = _scatter_ref_op("ScatterNdUpdate", "type", "true")
SCATTER_ND_ADD = _scatter_ref_op("ScatterNdAdd", _NUMBERS)
SCATTER_ND_SUB = _scatter_ref_op("ScatterNdSub", _NUMBERS)


def _scatter_ref(op_def: OpDef, ref, indices, updates, use_locking, name) -> Tensor:
    """``op_def`` on the variable ``ref``: updates converted to its dtype, as TF's."""
    tensor = ref_tensor(ref, op_def.name)
    attrs = {} if use_locking is None else {"use_locking": bool(use_locking)}
    return build(op_def, [tensor, indices, updates], name, **attrs).outputs[0]


def scatter_update(ref, indices, updates, use_locking=True, name=None) -> Tensor:
    """``ref[indices[i], ...] = updates[i, ...]`` on a TF1 variable; returns ``ref``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     v = tf.compat.v1.Variable([1.0, 2.0, 3.0])
    ...     up = scatter_update(v, [0, 2], [10.0, 30.0])
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(v.initializer)
    ...         print(sess.run(up))
    [10.  2. 30.]
    """
    return _scatter_ref(SCATTER_UPDATE, ref, indices, updates, use_locking, name)


def scatter_add(ref, indices, updates, use_locking=False, name=None) -> Tensor:
    """``ref[indices[i], ...] += updates[i, ...]`` (repeated indices add up); returns ``ref``."""
    return _scatter_ref(SCATTER_ADD, ref, indices, updates, use_locking, name)


def scatter_sub(ref, indices, updates, use_locking=False, name=None) -> Tensor:
    """``ref[indices[i], ...] -= updates[i, ...]``; returns ``ref``."""
    return _scatter_ref(SCATTER_SUB, ref, indices, updates, use_locking, name)


def scatter_mul(ref, indices, updates, use_locking=False, name=None) -> Tensor:
    """``ref[indices[i], ...] *= updates[i, ...]``; returns ``ref``."""
    return _scatter_ref(SCATTER_MUL, ref, indices, updates, use_locking, name)


def scatter_div(ref, indices, updates, use_locking=False, name=None) -> Tensor:
    """``ref[indices[i], ...] /= updates[i, ...]``; returns ``ref``."""
    return _scatter_ref(SCATTER_DIV, ref, indices, updates, use_locking, name)


def scatter_min(ref, indices, updates, use_locking=False, name=None) -> Tensor:
    """``ref[indices[i], ...] = min(ref[indices[i], ...], updates[i, ...])``."""
    return _scatter_ref(SCATTER_MIN, ref, indices, updates, use_locking, name)


def scatter_max(ref, indices, updates, use_locking=False, name=None) -> Tensor:
    """``ref[indices[i], ...] = max(ref[indices[i], ...], updates[i, ...])``."""
    return _scatter_ref(SCATTER_MAX, ref, indices, updates, use_locking, name)


def scatter_nd_update(ref, indices, updates, use_locking=True, name=None) -> Tensor:
    """``ref[indices[i]] = updates[i]`` with coordinates along ``indices``'s last axis.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     v = tf.compat.v1.Variable([[1, 2], [3, 4]])
    ...     up = scatter_nd_update(v, [[1, 0]], [9])
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(v.initializer)
    ...         print(sess.run(up).tolist())
    [[1, 2], [9, 4]]
    """
    return _scatter_ref(SCATTER_ND_UPDATE, ref, indices, updates, use_locking, name)


def scatter_nd_add(ref, indices, updates, use_locking=False, name=None) -> Tensor:
    """``ref[indices[i]] += updates[i]`` with coordinates along ``indices``'s last axis."""
    return _scatter_ref(SCATTER_ND_ADD, ref, indices, updates, use_locking, name)


def scatter_nd_sub(ref, indices, updates, use_locking=False, name=None) -> Tensor:
    """``ref[indices[i]] -= updates[i]`` with coordinates along ``indices``'s last axis."""
    return _scatter_ref(SCATTER_ND_SUB, ref, indices, updates, use_locking, name)


def batch_scatter_update(ref, indices, updates, use_locking=True, name=None) -> Tensor:
    """``scatter_update`` per batch entry: ``ref[b..., indices[b..., i]] = updates[b..., i]``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     v = tf.compat.v1.Variable([[1, 2, 3], [4, 5, 6]])
    ...     up = batch_scatter_update(v, [[0], [2]], [[7], [8]])
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(v.initializer)
    ...         print(sess.run(up).tolist())
    [[7, 2, 3], [4, 5, 8]]
    """
    with name_scope(name, "BatchScatterUpdate", [ref, indices, updates]):
        indices = convert_to_tensor(indices, name="indices")
        if indices.shape.rank is None:
            raise ValueError("batch_scatter_update needs indices of known rank.")
        batch = indices.shape.rank - 1
        grids = math_ops.cast(_batch_coordinates(indices, batch), indices.dtype.base_dtype)
        coordinates = concat([grids, reshape(indices, concat([shape(indices), [1]], 0))], -1)
        return scatter_nd_update(ref, coordinates, updates, use_locking=use_locking)


def _batch_coordinates(indices: Tensor, batch: int) -> Tensor:
    """For each entry of ``indices``, its batch coordinates ``[b0, ..., b(batch-1)]``."""
    dims = shape(indices)
    ranges = [math_ops.range(dims[i]) for i in range(indices.shape.rank)]
    grids = meshgrid(*ranges, indexing="ij")[:batch]
    return stack(grids, axis=-1)


V1_OVERRIDES = {
    "batch_scatter_update": batch_scatter_update,
    "scatter_add": scatter_add,
    "scatter_div": scatter_div,
    "scatter_max": scatter_max,
    "scatter_min": scatter_min,
    "scatter_mul": scatter_mul,
    "scatter_nd_add": scatter_nd_add,
    "scatter_nd_sub": scatter_nd_sub,
    "scatter_nd_update": scatter_nd_update,
    "scatter_sub": scatter_sub,
    "scatter_update": scatter_update,
}
