"""Tensors made from a shape and a value: ``fill``, ``zeros``/``ones`` (and ``_like``),
``one_hot``, ``sequence_mask`` and ``meshgrid``."""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..dimension import Dimension
from ..graph import Tensor
from ..registry import OpDef, TensorSpec, register_op
from ..scopes import name_scope
from ..shapes import TensorShape
from . import math_ops
from .constant_value import known_shape, known_value
from .core import constant, convert_to_tensor, unchanged
from .packing import build, convert_or_pack, has_tensor
from .shape_ops import expand_dims, reshape, shape, size
from .shape_util import with_rank

__all__ = [
    "fill",
    "meshgrid",
    "one_hot",
    "ones",
    "ones_like",
    "sequence_mask",
    "zeros",
    "zeros_like",
]


def _fill_shape(dims: TensorSpec, value: TensorSpec, *, T, index_type):
    with_rank(dims.shape, 1)
    with_rank(value.shape, 0)
    values = known_value(dims)
    if values is not None and (values < 0).any():
        raise ValueError(f"Fill dimensions must be >= 0: {values.tolist()}")
    return [TensorSpec(T, known_shape(dims))]


FILL = register_op(
    OpDef(
        "Fill",
        ("dims: index_type", "value: T"),
        ("output: T",),
        ("T: type", "index_type: {int32, int64} = DT_INT32"),
        _fill_shape,
    )
)


def fill(dims, value, name=None) -> Tensor:
    """A tensor of shape ``dims`` filled with the scalar ``value``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     f = fill([2, 3], 9)
    >>> f.shape, f.dtype
    (TensorShape([Dimension(2), Dimension(3)]), tf.int32)
    """
    return build(FILL, [dims, value], name).outputs[0]


def _filled(value, shape, dtype, name: str) -> Tensor:
    """TF's ``zeros``/``ones``: a ``Const`` for a small static shape, else ``Fill``."""
    dtype = dtypes.as_dtype(dtype).base_dtype
    with name_scope(name, values=[shape]) as scope:
        scalar = "" if dtype == dtypes.string else np.asarray(value).astype(dtype.as_numpy_dtype)
        if isinstance(shape, TensorShape):
            shape = shape.as_list()
        if not has_tensor(shape):
            dims = _static_dims(shape)
            if int(np.prod(dims, dtype=np.int64)) < 1000:
                return constant(scalar, dtype=dtype, shape=dims, name=scope)
        # TF's names: a large static shape's constant, a list with tensors packed, a
        # scalar reshaped to a vector (shape inference sees the size through it)
        shape = convert_or_pack(shape, "packed" if has_tensor(shape) else "shape_as_tensor")
        if shape.shape.rank == 0:
            shape = reshape(shape, [-1])
        return fill(shape, constant(scalar, dtype=dtype), name=scope)


def _static_dims(shape) -> list[int]:
    """The dims of a shape given as Python values, checked as TF converts them to int32."""
    dims = []
    for dim in np.asarray(shape, dtype=object).reshape(-1):
        value = dim.value if isinstance(dim, Dimension) else dim
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise TypeError(f"Expected int32, but got {dim} of type '{type(dim).__name__}'.")
        dims.append(int(value))
    return dims


def zeros(shape, dtype=dtypes.float32, name=None) -> Tensor:
    """A tensor of ``shape`` filled with zeros.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     z, big = zeros([2, 3]), zeros([100, 100], tf.int32)
    >>> z.op.type, z.op.name, big.op.type, big.shape
    ('Const', 'zeros', 'Fill', TensorShape([Dimension(100), Dimension(100)]))
    """
    return _filled(0, shape, dtype, name or "zeros")


def ones(shape, dtype=dtypes.float32, name=None) -> Tensor:
    """A tensor of ``shape`` filled with ones."""
    return _filled(1, shape, dtype, name or "ones")


ZEROS_LIKE = register_op(OpDef("ZerosLike", ("x: T",), ("y: T",), ("T: type",), unchanged))
ONES_LIKE = register_op(
    OpDef(
        "OnesLike",
        ("x: T",),
        ("y: T",),
        (
            "T: {bfloat16, float16, float32, float64, int8, uint8, int16, uint16, int32, "
            "uint32, int64, uint64, complex64, complex128, bool}",
        ),
        unchanged,
    )
)


def _filled_like(op_def, value, input, dtype, name, optimize=True) -> Tensor:
    with name_scope(name, values=[input]) as scope:
        tensor = convert_to_tensor(input, name="input")
        target = tensor.dtype.base_dtype if dtype is None else dtypes.as_dtype(dtype).base_dtype
        if optimize and tensor.shape.is_fully_defined():
            return _filled(value, tensor.shape.as_list(), target, scope)
        if target != tensor.dtype.base_dtype:
            return _filled(value, shape(tensor), target, scope)
        return build(op_def, [tensor], scope).outputs[0]


def zeros_like(input, dtype=None, name=None) -> Tensor:
    """Zeros of ``input``'s shape (and dtype, unless ``dtype`` is given).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 2])
    ...     z = zeros_like(x)
    >>> z.op.type, z.shape
    ('ZerosLike', TensorShape([Dimension(None), Dimension(2)]))
    """
    return _filled_like(ZEROS_LIKE, 0, input, dtype, name or "zeros_like")


def ones_like(input, dtype=None, name=None) -> Tensor:
    """Ones of ``input``'s shape (and dtype, unless ``dtype`` is given)."""
    return _filled_like(ONES_LIKE, 1, input, dtype, name or "ones_like")


def zeros_like_v1(tensor, dtype=None, name=None, optimize=True) -> Tensor:
    """TF1's :func:`zeros_like` (``optimize=False`` always adds a ``ZerosLike`` op)."""
    return _filled_like(ZEROS_LIKE, 0, tensor, dtype, name or "zeros_like", optimize)


def ones_like_v1(tensor, dtype=None, name=None, optimize=True) -> Tensor:
    """TF1's :func:`ones_like`."""
    return _filled_like(ONES_LIKE, 1, tensor, dtype, name or "ones_like", optimize)


# -- one_hot -----------------------------------------------------------------------------


def _one_hot_shape(
    indices: TensorSpec,
    depth: TensorSpec,
    on_value: TensorSpec,
    off_value: TensorSpec,
    *,
    T,
    TI,
    axis,
):
    with_rank(depth.shape, 0)
    with_rank(on_value.shape, 0)
    with_rank(off_value.shape, 0)
    if axis < -1:
        raise ValueError(
            f"Expected axis to be -1 or between [0, {indices.shape.rank}).  But received: {axis}"
        )
    if indices.shape.rank is None:
        return [TensorSpec(T, TensorShape(None))]
    value = known_value(depth)
    if value is not None and value < 0:
        raise ValueError(f"depth must be non-negative, got: {int(value)}")
    dims = list(indices.shape.as_tuple())
    position = len(dims) if axis == -1 else axis
    if position > len(dims):
        raise ValueError(
            f"Expected axis to be -1 or between [0, {len(dims) + 1}).  But received: {axis}"
        )
    dims.insert(position, None if value is None else int(value))
    return [TensorSpec(T, TensorShape(dims))]


ONE_HOT = register_op(
    OpDef(
        "OneHot",
        ("indices: TI", "depth: int32", "on_value: T", "off_value: T"),
        ("output: T",),
        ("axis: int = -1", "T: type", "TI: {uint8, int8, int32, int64} = DT_INT64"),
        _one_hot_shape,
    )
)


def one_hot(
    indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None
) -> Tensor:
    """One-hot vectors: ``on_value`` at each index in ``indices``, ``off_value`` elsewhere,
    along a new ``axis`` (default last) of size ``depth``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     h = one_hot([0, 2, -1], 3)
    ...     print(h.dtype, tf.compat.v1.Session().run(h).tolist())
    <dtype: 'float32'> [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]]
    """
    with name_scope(name, "one_hot", [indices, depth, on_value, off_value]) as scope:
        dtype = None if dtype is None else dtypes.as_dtype(dtype).base_dtype
        on = off = None
        if on_value is not None:
            on = convert_to_tensor(on_value, dtype=dtype, name="on_value")
            dtype = on.dtype.base_dtype
        if off_value is not None:
            off = convert_to_tensor(off_value, dtype=dtype, name="off_value")
            dtype = off.dtype.base_dtype
        dtype = dtype or dtypes.float32
        on = on if on is not None else convert_to_tensor(1, dtype, name="on_value")
        off = off if off is not None else convert_to_tensor(0, dtype, name="off_value")
        indices = convert_to_tensor(indices, name="indices")
        depth = convert_to_tensor(depth, dtype=dtypes.int32, name="depth")
        axis = -1 if axis is None else int(axis)
        return build(ONE_HOT, [indices, depth, on, off], scope, axis=axis).outputs[0]


# -- sequence_mask, meshgrid -------------------------------------------------------------


def sequence_mask(lengths, maxlen=None, dtype=dtypes.bool, name=None) -> Tensor:
    """``mask[..., j] = j < lengths[...]`` for ``j`` below ``maxlen`` (default:
    the longest length), as ``dtype``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     m = sequence_mask([1, 3, 2], 4)
    ...     print(m.shape, tf.compat.v1.Session().run(m).astype(int).tolist())
    (3, 4) [[1, 0, 0, 0], [1, 1, 1, 0], [1, 1, 0, 0]]
    """
    with name_scope(name, "SequenceMask", [lengths, maxlen]):
        lengths = convert_to_tensor(lengths)
        if maxlen is None:
            longest = math_ops.reduce_max(lengths)
            maxlen = math_ops.maximum(constant(0, longest.dtype), longest)
        else:
            maxlen = convert_to_tensor(maxlen)
        if maxlen.shape.rank not in (None, 0):
            raise ValueError(
                "Argument `maxlen` must be scalar for sequence_mask, received `maxlen` = "
                f"{maxlen} with shape '{maxlen.shape}' instead"
            )
        positions = math_ops.range(constant(0, maxlen.dtype), maxlen, constant(1, maxlen.dtype))
        matrix = math_ops.cast(expand_dims(lengths, -1), maxlen.dtype)
        result = math_ops.less(positions, matrix)
        dtype = dtypes.as_dtype(dtype)
        if result.dtype.is_compatible_with(dtype):
            return result
        return math_ops.cast(result, dtype)


def meshgrid(*args, **kwargs) -> list:
    """Coordinate grids of the 1-D ``args``: ``indexing="xy"`` (default, Cartesian: the
    first two axes swapped) or ``"ij"`` (matrix indexing).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x, y = meshgrid([1, 2, 3], [4, 5])
    ...     print(x.shape, tf.compat.v1.Session().run(y).tolist())
    (2, 3) [[4, 4, 4], [5, 5, 5]]
    """
    indexing = kwargs.pop("indexing", "xy")
    name = kwargs.pop("name", "meshgrid")
    if kwargs:
        raise TypeError(f"'{next(iter(kwargs))}' is an invalid keyword argument for this function")
    if indexing not in ("xy", "ij"):
        raise ValueError(
            f"Argument `indexing` parameter must be either 'xy' or 'ij', got '{indexing}'"
        )
    with name_scope(name, "meshgrid", list(args)):
        count = len(args)
        if not count:
            return []
        lone = (1,) * count
        grids = [reshape(x, (*lone[:i], -1, *lone[i + 1 :])) for i, x in enumerate(args)]
        sizes = [size(x) for x in args]
        dtype = convert_to_tensor(args[0]).dtype.base_dtype
        if indexing == "xy" and count > 1:
            grids[0] = reshape(grids[0], (1, -1) + (1,) * (count - 2))
            grids[1] = reshape(grids[1], (-1, 1) + (1,) * (count - 2))
            sizes[0], sizes[1] = sizes[1], sizes[0]
        spread = ones(sizes, dtype)
        return [math_ops.multiply(grid, spread) for grid in grids]
