"""Clipping: by value, by a tensor's L2 norm, by the global norm of many tensors.

Built from other ops as TF builds them (``clip_by_value`` is a ``Minimum`` then a
``Maximum``, so its gradient passes where the value was not clipped). The
``ClipByValue`` op TF also registers (graphs written by other tools contain it) is
here too, with its kernel and TF's gradient.

As TF's, the clips take an ``IndexedSlices`` (a gradient of ``embedding_lookup`` or
``gather``) as its slices: norms are those of the slices (a row looked up twice counts
twice) and the result is an ``IndexedSlices`` at the same indices, so the gradient stays
sparse for the optimizer. ``clip_by_average_norm`` alone densifies, as TF's does.
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import dtypes
from ..graph import Tensor, graph_of
from ..indexed_slices import IndexedSlices
from ..registry import OpDef, TensorSpec, register_gradient, register_op
from ..scopes import name_scope
from ..shapes import broadcast_shapes
from . import array_ops, math_ops
from .core import convert_to_tensor
from .loss_ops import l2_loss

__all__ = [
    "clip_by_average_norm",
    "clip_by_global_norm",
    "clip_by_norm",
    "clip_by_value",
    "global_norm",
]


def _clip_shape(t: TensorSpec, clip_value_min: TensorSpec, clip_value_max: TensorSpec, *, T):
    broadcast_shapes(t.shape, broadcast_shapes(clip_value_min.shape, clip_value_max.shape))
    return [t]


CLIP_BY_VALUE = register_op(
    OpDef(
        "ClipByValue",
        ("t: T", "clip_value_min: T", "clip_value_max: T"),
        ("output: T",),
        ("T: numbertype",),
        shape_fn=_clip_shape,
    )
)


@register_gradient("ClipByValue")
def _clip_by_value_grad(op, grad):
    x, low, high = op.inputs
    zeros = array_ops.zeros_like(grad)
    below, above = math_ops.less(x, low), math_ops.greater(x, high)
    x_grad = math_ops.where(math_ops.logical_or(below, above), zeros, grad)
    low_grad = math_ops.where(below, grad, zeros)
    high_grad = math_ops.where(above, grad, zeros)
    return [
        x_grad,
        math_ops.reduce_to_shape(low_grad, low),
        math_ops.reduce_to_shape(high_grad, high),
    ]


def _checked_shape(values: Tensor, result: Tensor) -> None:
    """TF refuses a clip bound that would broadcast ``values`` to a larger shape."""
    if not values.shape.is_compatible_with(result.shape):
        raise ValueError(f"Shapes {values.shape} and {result.shape} are incompatible")


def _slices_values(t):
    """What a clip works on: an ``IndexedSlices``' slices, anything else as is."""
    return t.values if isinstance(t, IndexedSlices) else t


def _like(t, clipped: Tensor):
    """``clipped`` (values of ``t``'s slices) at ``t``'s indices when ``t`` is sparse."""
    if isinstance(t, IndexedSlices):
        return IndexedSlices(clipped, t.indices, t.dense_shape)
    return clipped


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """``t`` with its values limited to ``[clip_value_min, clip_value_max]``.

    An ``IndexedSlices`` comes back as one, its slices clipped.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     c = clip_by_value(tf.constant([-2.0, 0.5, 3.0]), -1.0, 1.0)
    ...     print(tf.compat.v1.Session().run(c))
    [-1.   0.5  1. ]
    """
    with name_scope(name, "clip_by_value", [t, clip_value_min, clip_value_max]) as scope:
        values = convert_to_tensor(_slices_values(t), name="t", graph=graph_of([t]))
        t_min = math_ops.minimum(values, clip_value_max)
        _checked_shape(values, t_min)
        t_max = math_ops.maximum(t_min, clip_value_min, name=scope)
        _checked_shape(values, t_max)
        return _like(t, t_max)


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """``t`` scaled down so that its L2 norm (over ``axes``; all by default) is at most
    ``clip_norm``; a ``t`` within the norm comes back unchanged.

    An ``IndexedSlices`` is clipped by the norm of its slices (``axes`` index the
    slices' dimensions) and comes back as one.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     c = clip_by_norm(tf.constant([3.0, 4.0]), 1.0)
    ...     print(tf.compat.v1.Session().run(c))
    [0.6 0.8]
    """
    with name_scope(name, "clip_by_norm", [t, clip_norm]) as scope:
        values = convert_to_tensor(_slices_values(t), name="t", graph=graph_of([t]))
        # TF's operators and v1 where (Select), so the ops carry TF's names.
        l2sum = math_ops.reduce_sum(values * values, axes, keepdims=True)
        positive = math_ops.greater(l2sum, 0)
        # sqrt of 0 has an infinite gradient: take it only where the sum is positive.
        safe = math_ops.where_v1(positive, l2sum, array_ops.ones_like(l2sum))
        l2norm = math_ops.where_v1(positive, math_ops.sqrt(safe), l2sum)
        scaled = values * clip_norm
        _checked_shape(values, scaled)
        clipped = math_ops.truediv(scaled, math_ops.maximum(l2norm, clip_norm))
        return _like(t, array_ops.identity(clipped, name=scope))


def _tensor_list(t_list, what: str) -> list:
    if isinstance(t_list, Tensor) or not isinstance(t_list, Sequence):
        raise TypeError(f"`{what}` should be a sequence of tensors. Received {type(t_list)}.")
    return list(t_list)


def _values_list(t_list: list) -> list:
    """Each entry as the tensor a norm is taken of (``t_<i>``; ``None`` stays ``None``)."""
    return [
        None
        if t is None
        else convert_to_tensor(_slices_values(t), name=f"t_{i}", graph=graph_of([t]))
        for i, t in enumerate(t_list)
    ]


def global_norm(t_list, name=None) -> Tensor:
    """``sqrt(sum(l2_norm(t) ** 2 for t in t_list))``; ``None`` entries are skipped.

    An ``IndexedSlices`` counts by its slices: a row looked up twice counts twice.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     n = global_norm([tf.constant([3.0]), None, tf.constant([[4.0]])])
    ...     print(tf.compat.v1.Session().run(n))
    5.0
    """
    t_list = _tensor_list(t_list, "t_list")
    present = [t for t in t_list if t is not None]
    with name_scope(name, "global_norm", present):
        values = [v for v in _values_list(t_list) if v is not None]
        half_squared = [l2_loss(v) for v in values]
        total = math_ops.reduce_sum(array_ops.stack(half_squared))
        two = convert_to_tensor(2.0, dtype=total.dtype.base_dtype)
        # TF's name inside the scope: the norm is ``global_norm/global_norm:0``.
        return math_ops.sqrt(total * two, name="global_norm")


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """Every tensor of ``t_list`` scaled by ``clip_norm / max(global_norm, clip_norm)``.

    Returns ``(clipped_list, global_norm)``; ``None`` entries stay ``None`` and an
    ``IndexedSlices`` comes back as one, its slices scaled. An infinite or NaN global
    norm makes every clipped value NaN, as in TF.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     (a, b), norm = clip_by_global_norm([tf.constant([3.0]), tf.constant([4.0])], 1.0)
    ...     print(tf.compat.v1.Session().run([a, b, norm]))
    [array([0.6], dtype=float32), array([0.8], dtype=float32), np.float32(5.0)]
    """
    t_list = _tensor_list(t_list, "t_list")
    if use_norm is None:
        use_norm = global_norm(t_list, name)
    present = [t for t in t_list if t is not None]
    with name_scope(name, "clip_by_global_norm", [*present, clip_norm]) as scope:
        use_norm = convert_to_tensor(use_norm)
        # TF's expression, operator for operator (its op names: truediv, mul, sub, add).
        dtype = use_norm.dtype.base_dtype
        scale_for_finite = clip_norm * math_ops.minimum(
            1.0 / use_norm, convert_to_tensor(1.0, dtype=dtype) / clip_norm
        )
        # use_norm - use_norm is NaN when the norm is not finite: so is every value then.
        scale = scale_for_finite + (use_norm - use_norm)
        clipped = []
        for i, (t, value) in enumerate(zip(t_list, _values_list(t_list))):
            if value is None:
                clipped.append(None)
                continue
            product = value * math_ops.cast(scale, value.dtype.base_dtype)
            clipped.append(_like(t, array_ops.identity(product, name=f"{scope}_{i}")))
        return clipped, use_norm


def clip_by_average_norm(t, clip_norm, name=None) -> Tensor:
    """``t`` scaled so that its L2 norm divided by its number of elements is at most
    ``clip_norm`` (TF1's ``tf.clip_by_average_norm``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     c = clip_by_average_norm(tf.constant([3.0, 4.0]), 1.0)
    ...     print(tf.compat.v1.Session().run(c))
    [1.2 1.6]
    """
    with name_scope(name, "clip_by_average_norm", [t, clip_norm]) as scope:
        t = convert_to_tensor(t, name="t", graph=graph_of([t]))
        count = math_ops.cast(array_ops.size(t), dtypes.float32)
        axes = math_ops.range(0, array_ops.rank(t))
        inverse_norm = math_ops.rsqrt(math_ops.reduce_sum(math_ops.multiply(t, t), axes))
        one = convert_to_tensor(1.0, dtype=t.dtype.base_dtype)
        factor = math_ops.minimum(
            math_ops.multiply(inverse_norm, math_ops.cast(count, t.dtype.base_dtype)),
            math_ops.truediv(one, clip_norm),
        )
        return array_ops.identity(
            math_ops.multiply(math_ops.multiply(t, clip_norm), factor), name=scope
        )
