"""Shapes and the ops that only rearrange them: ``shape``/``size``/``rank``, ``reshape``,
``expand_dims``, ``squeeze``, ``transpose`` and ``broadcast_to``.

Shape functions read value-dependent arguments (``Reshape``'s ``shape``, ``Transpose``'s
``perm``) with :func:`~runtime.ops.constant_value.known_value` when they are known at
build time, as TF's do.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..graph import Tensor
from ..registry import OpDef, TensorSpec, register_op
from ..shapes import TensorShape, broadcast_shapes
from . import math_ops
from .constant_value import known_shape, known_value
from .core import constant, convert_to_tensor, deprecated_argument_lookup, format_shape
from .packing import build
from .shape_util import merge_shapes, with_rank

__all__ = [
    "bitcast",
    "broadcast_dynamic_shape",
    "broadcast_gradient_args",
    "broadcast_static_shape",
    "broadcast_to",
    "ensure_shape",
    "expand_dims",
    "guarantee_const",
    "invert_permutation",
    "rank",
    "reshape",
    "shape",
    "shape_n",
    "size",
    "squeeze",
    "transpose",
    "unravel_index",
]

_INDEX = "{int32, int64} = DT_INT32"


# -- shape, size, rank ------------------------------------------------------------------


def _shape_shape(input: TensorSpec, *, T, out_type):
    return [TensorSpec(out_type, TensorShape([input.shape.rank]))]


def _shape_n_shape(*inputs: TensorSpec, N, T, out_type):
    return [TensorSpec(out_type, TensorShape([spec.shape.rank])) for spec in inputs]


SHAPE = register_op(
    OpDef(
        "Shape",
        ("input: T",),
        ("output: out_type",),
        ("T: type", f"out_type: {_INDEX}"),
        _shape_shape,
    )
)
SHAPE_N = register_op(
    OpDef(
        "ShapeN",
        ("input: N * T",),
        ("output: N * out_type",),
        ("N: int >= 1", "T: type", f"out_type: {_INDEX}"),
        _shape_n_shape,
    )
)
SIZE = register_op(
    OpDef(
        "Size",
        ("input: T",),
        ("output: out_type",),
        ("T: type", f"out_type: {_INDEX}"),
        lambda input, T, out_type: [TensorSpec(out_type, TensorShape([]))],
    )
)
RANK = register_op(
    OpDef(
        "Rank",
        ("input: T",),
        ("output: int32",),
        ("T: type",),
        lambda input, T: [TensorSpec(dtypes.int32, TensorShape([]))],
    )
)


def _static_or_op(op_def, input, known, name, **attrs) -> Tensor:
    """TF's graph-mode shortcut: a ``Const`` when the answer is static, else the op."""
    tensor = convert_to_tensor(input)
    value = known(tensor.shape)
    if value is not None:
        return constant(value, dtype=attrs.get("out_type", dtypes.int32), name=name or op_def.name)
    return build(op_def, [tensor], name, **attrs).outputs[0]


def shape(input, out_type=dtypes.int32, name=None) -> Tensor:
    """The shape of ``input`` as a 1-D tensor (a ``Const`` when statically known, as TF).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 3])
    ...     print(shape(x).op.type, shape(tf.zeros([2, 3])).op.type, shape(x).shape)
    Shape Const (2,)
    """
    return _static_or_op(
        SHAPE,
        input,
        lambda s: s.as_list() if s.is_fully_defined() else None,
        name,
        out_type=dtypes.as_dtype(out_type),
    )


def shape_v1(input, name=None, out_type=dtypes.int32) -> Tensor:
    """TF1's argument order of :func:`shape`."""
    return shape(input, out_type, name)


def shape_n(input, out_type=dtypes.int32, name=None) -> list:
    """The shapes of the tensors ``input``, one ``ShapeN`` op.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a, b = shape_n([tf.zeros([2, 3]), tf.zeros([4])])
    ...     print(tf.compat.v1.Session().run([a, b]))
    [array([2, 3], dtype=int32), array([4], dtype=int32)]
    """
    return build(SHAPE_N, [list(input)], name, out_type=dtypes.as_dtype(out_type)).outputs


def size(input, out_type=dtypes.int32, name=None) -> Tensor:
    """The number of elements of ``input`` as a scalar."""
    return _static_or_op(
        SIZE, input, lambda s: s.num_elements(), name, out_type=dtypes.as_dtype(out_type)
    )


def size_v1(input, name=None, out_type=dtypes.int32) -> Tensor:
    """TF1's argument order of :func:`size`."""
    return size(input, out_type, name)


def rank(input, name=None) -> Tensor:
    """The number of dimensions of ``input`` as a scalar int32."""
    return _static_or_op(RANK, input, lambda s: s.rank, name)


# -- reshape -----------------------------------------------------------------------------


def _reshape_shape(tensor: TensorSpec, shape: TensorSpec, *, T, Tshape):
    with_rank(shape.shape, 1)
    target = known_shape(shape)
    if target.rank is None:
        return [TensorSpec(T, TensorShape(None))]
    dims = list(target.as_tuple())
    known = int(np.prod([d for d in dims if d is not None], dtype=np.int64))
    missing = dims.count(None)
    count = tensor.shape.num_elements()
    if count is not None and missing == 0 and known != count:
        raise ValueError(
            f"Cannot reshape a tensor with {count} elements to shape {format_shape(target)} "
            f"({known} elements)"
        )
    if count is not None and missing == 1 and known:
        if count % known:
            raise ValueError(f"Dimension size must be evenly divisible by {known} but is {count}")
        dims[dims.index(None)] = count // known
    return [TensorSpec(T, TensorShape(dims))]


RESHAPE = register_op(
    OpDef(
        "Reshape",
        ("tensor: T", "shape: Tshape"),
        ("output: T",),
        ("T: type", f"Tshape: {_INDEX}"),
        _reshape_shape,
    )
)


def reshape(tensor, shape, name=None) -> Tensor:
    """``tensor`` with the same values in a new ``shape``; one dim may be ``-1`` (inferred).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     r = reshape(tf.zeros([2, 3, 4]), [-1, 4])
    >>> r.shape
    TensorShape([Dimension(6), Dimension(4)])
    >>> with tf.Graph().as_default():
    ...     reshape(tf.zeros([2, 3]), [4, 5])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Cannot reshape a tensor with 6 elements to shape [4,5] (20 elements) for '{{node Reshape}} = Reshape[T=DT_FLOAT, Tshape=DT_INT32](zeros, Reshape/shape)' with input shapes: [2,3], [2]...
    """
    return build(RESHAPE, [tensor, shape], name).outputs[0]


# -- transpose ---------------------------------------------------------------------------


def _transpose_shape(x: TensorSpec, perm: TensorSpec, *, T, Tperm):
    with_rank(perm.shape, 1)
    length = perm.shape.dim_value(0)
    rank = x.shape.rank if x.shape.rank is not None else length
    if rank is None:
        return [TensorSpec(T, TensorShape(None))]
    if length is not None and length != rank:
        raise ValueError(f"Dimension must be {rank} but is {length}")
    value = known_value(perm)
    if value is None:
        return [TensorSpec(T, TensorShape([None] * rank))]
    if rank and sorted(int(p) % rank for p in value) != list(range(rank)):
        raise ValueError(f"{list(value)} is not a valid permutation of [0, {rank})")
    dims = x.shape.as_tuple() or (None,) * rank
    return [TensorSpec(T, TensorShape([dims[int(p)] for p in value]))]


TRANSPOSE = register_op(
    OpDef(
        "Transpose",
        ("x: T", "perm: Tperm"),
        ("y: T",),
        ("T: type", f"Tperm: {_INDEX}"),
        _transpose_shape,
    )
)
INVERT_PERMUTATION = register_op(
    OpDef(
        "InvertPermutation",
        ("x: T",),
        ("y: T",),
        (f"T: {_INDEX}",),
        lambda x, T: [TensorSpec(T, with_rank(x.shape, 1))],
    )
)


def invert_permutation(x, name=None) -> Tensor:
    """The inverse of the permutation ``x``: ``y[x[i]] = i``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(invert_permutation([2, 0, 1])))
    [1 2 0]
    """
    return build(INVERT_PERMUTATION, [x], name).outputs[0]


def transpose(a, perm=None, conjugate=False, name="transpose") -> Tensor:
    """``a`` with its dimensions permuted by ``perm`` (default: reversed).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(transpose(tf.zeros([2, 3, 4])).shape, transpose(tf.zeros([2, 3, 4]), [1, 0, 2]).shape)
    (4, 3, 2) (3, 2, 4)
    """
    a = convert_to_tensor(a, name="a")
    if perm is None:
        if a.shape.rank is None:
            rank_t = rank(a)
            perm = math_ops.subtract(math_ops.subtract(rank_t, 1), math_ops.range(0, rank_t))
        else:
            perm = np.arange(a.shape.rank - 1, -1, -1, dtype=np.int32)
    if conjugate and a.dtype.is_complex:
        a = math_ops.conj(a)
    return build(TRANSPOSE, [a, perm], name or "transpose").outputs[0]


def transpose_v1(a, perm=None, name="transpose", conjugate=False) -> Tensor:
    """TF1's argument order of :func:`transpose`."""
    return transpose(a, perm, conjugate, name)


# -- expand_dims, squeeze ----------------------------------------------------------------


def _expand_dims_shape(input: TensorSpec, dim: TensorSpec, *, T, Tdim):
    if dim.shape.num_elements() not in (None, 1):
        raise ValueError(
            f"'dim' input must be a tensor with a single value, got shape {format_shape(dim.shape)}"
        )
    rank = input.shape.rank
    value = known_value(dim)
    if rank is None:
        return [TensorSpec(T, TensorShape(None))]
    if value is None:
        return [TensorSpec(T, TensorShape([None] * (rank + 1)))]
    axis = int(value.reshape(-1)[0])
    if not -rank - 1 <= axis <= rank:
        raise ValueError(f"dim {axis} not in the interval [{-rank - 1}, {rank}].")
    dims = list(input.shape.as_tuple())
    dims.insert(axis % (rank + 1), 1)
    return [TensorSpec(T, TensorShape(dims))]


EXPAND_DIMS = register_op(
    OpDef(
        "ExpandDims",
        ("input: T", "dim: Tdim"),
        ("output: T",),
        ("T: type", f"Tdim: {_INDEX}"),
        _expand_dims_shape,
    )
)


def expand_dims(input, axis, name=None) -> Tensor:
    """``input`` with a new dimension of size 1 inserted at ``axis``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(expand_dims(tf.zeros([2, 3]), -1).shape)
    (2, 3, 1)
    """
    return build(EXPAND_DIMS, [input, axis], name).outputs[0]


def expand_dims_v1(input, axis=None, name=None, dim=None) -> Tensor:
    """TF1's :func:`expand_dims`: ``dim`` is the old name of ``axis``."""
    axis = deprecated_argument_lookup("axis", axis, "dim", dim)
    if axis is None:
        raise ValueError("Must specify an axis argument to tf.expand_dims()")
    return expand_dims(input, axis, name)


def _squeeze_shape(input: TensorSpec, *, T, squeeze_dims):
    shape = input.shape
    if shape.rank is None:
        return [TensorSpec(T, TensorShape(None))]
    rank = shape.rank
    wanted = set()
    for axis in squeeze_dims:
        if not -rank <= axis < rank:
            raise ValueError(
                f"Tried to squeeze dim index {axis} for tensor with {rank} dimensions."
            )
        axis %= rank
        size = shape.dim_value(axis)
        if size is not None and size != 1:
            raise ValueError(f"Can not squeeze dim[{axis}], expected a dimension of 1, got {size}")
        wanted.add(axis)
    if not squeeze_dims and None in shape.as_tuple():
        return [TensorSpec(T, TensorShape(None))]  # which dims are 1 is not known yet
    dims = [
        d
        for i, d in enumerate(shape.as_tuple())
        if not (i in wanted or (not squeeze_dims and d == 1))
    ]
    return [TensorSpec(T, TensorShape(dims))]


SQUEEZE = register_op(
    OpDef(
        "Squeeze",
        ("input: T",),
        ("output: T",),
        ("T: type", "squeeze_dims: list(int) >= 0 = []"),
        _squeeze_shape,
    )
)


def squeeze(input, axis=None, name=None) -> Tensor:
    """``input`` without its size-1 dimensions (only those in ``axis`` if given).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(squeeze(tf.zeros([1, 2, 1])).shape, squeeze(tf.zeros([1, 2, 1]), [0]).shape)
    (2,) (2, 1)
    """
    if isinstance(axis, int):
        axis = [axis]
    dims = tuple(int(a) for a in (axis or ()))
    return build(SQUEEZE, [input], name, squeeze_dims=dims).outputs[0]


def squeeze_v1(input, axis=None, name=None, squeeze_dims=None) -> Tensor:
    """TF1's :func:`squeeze`: ``squeeze_dims`` is the old name of ``axis``."""
    return squeeze(
        input, deprecated_argument_lookup("axis", axis, "squeeze_dims", squeeze_dims), name
    )


# -- broadcasting ------------------------------------------------------------------------


def _broadcast_to_shape(input: TensorSpec, shape: TensorSpec, *, T, Tidx):
    with_rank(shape.shape, 1)
    target = known_shape(shape)
    if target.rank is not None and input.shape.rank is not None:
        if input.shape.rank > target.rank:
            raise ValueError(
                f"Rank of input ({input.shape.rank}) must be no greater than rank of output "
                f"shape ({target.rank})."
            )
        try:
            broadcast_shapes(input.shape, target)
        except ValueError:
            raise ValueError(
                f"Incompatible shapes: {format_shape(input.shape)} vs. {format_shape(target)}"
            ) from None
    return [TensorSpec(T, target)]


BROADCAST_TO = register_op(
    OpDef(
        "BroadcastTo",
        ("input: T", "shape: Tidx"),
        ("output: T",),
        ("T: type", f"Tidx: {_INDEX}"),
        _broadcast_to_shape,
    )
)


def broadcast_to(input, shape, name=None) -> Tensor:
    """``input`` broadcast (numpy rules) to ``shape``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(broadcast_to([1, 2], [3, 2]).shape)
    (3, 2)
    """
    return build(BROADCAST_TO, [input, shape], name).outputs[0]


def _broadcast_gradient_args_shape(s0: TensorSpec, s1: TensorSpec, *, T):
    with_rank(s0.shape, 1)
    with_rank(s1.shape, 1)
    return [TensorSpec(T, TensorShape([None]))] * 2


BROADCAST_GRADIENT_ARGS = register_op(
    OpDef(
        "BroadcastGradientArgs",
        ("s0: T", "s1: T"),
        ("r0: T", "r1: T"),
        (f"T: {_INDEX}",),
        _broadcast_gradient_args_shape,
    )
)


def broadcast_gradient_args(s0, s1, name=None) -> list:
    """The axes to sum the gradients of two broadcast operands of shapes ``s0``, ``s1`` over.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     r0, r1 = broadcast_gradient_args([2, 1, 3], [3])
    ...     print(tf.compat.v1.Session().run([r0, r1]))
    [array([1], dtype=int32), array([0, 1], dtype=int32)]
    """
    return build(BROADCAST_GRADIENT_ARGS, [s0, s1], name).outputs


def _broadcast_args_shape(s0: TensorSpec, s1: TensorSpec, *, T):
    with_rank(s0.shape, 1)
    with_rank(s1.shape, 1)
    lengths = (s0.shape.dim_value(0), s1.shape.dim_value(0))
    return [TensorSpec(T, TensorShape([None if None in lengths else max(lengths)]))]


BROADCAST_ARGS = register_op(
    OpDef(
        "BroadcastArgs",
        ("s0: T", "s1: T"),
        ("r0: T",),
        (f"T: {_INDEX}",),
        _broadcast_args_shape,
    )
)


def broadcast_dynamic_shape(shape_x, shape_y) -> Tensor:
    """The shape two tensors of shapes ``shape_x`` and ``shape_y`` broadcast to.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(broadcast_dynamic_shape([2, 1, 3], [4, 1])))
    [2 4 3]
    """
    return build(BROADCAST_ARGS, [shape_x, shape_y], None).outputs[0]


def broadcast_static_shape(shape_x, shape_y) -> TensorShape:
    """The static shape two tensors of ``TensorShape`` ``shape_x`` and ``shape_y``
    broadcast to; ``ValueError`` if they cannot.

    Examples
    --------
    >>> broadcast_static_shape(TensorShape([2, 1, None]), TensorShape([4, 1]))
    TensorShape([Dimension(2), Dimension(4), Dimension(None)])
    """
    try:
        return broadcast_shapes(shape_x, shape_y)
    except ValueError:
        raise ValueError(
            f"Incompatible shapes for broadcasting. Two shapes are compatible if for each dimension pair they are either equal or one of them is 1. Received: {shape_x} and {shape_y}."
        ) from None


def _unravel_index_shape(indices: TensorSpec, dims: TensorSpec, *, Tidx):
    with_rank(dims.shape, 1)
    if indices.shape.rank == 0:
        return [TensorSpec(Tidx, dims.shape)]
    if indices.shape.rank is None:
        return [TensorSpec(Tidx, TensorShape(None))]
    return [TensorSpec(Tidx, TensorShape([dims.shape.dim_value(0), indices.shape.num_elements()]))]


UNRAVEL_INDEX = register_op(
    OpDef(
        "UnravelIndex",
        ("indices: Tidx", "dims: Tidx"),
        ("output: Tidx",),
        (f"Tidx: {_INDEX}",),
        _unravel_index_shape,
    )
)


def unravel_index(indices, dims, name=None) -> Tensor:
    """The coordinates in an array of shape ``dims`` of each flat index in ``indices``
    (one row per dimension).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(unravel_index([1, 5, 7], [3, 3])).tolist())
    [[0, 1, 2], [1, 2, 1]]
    """
    return build(UNRAVEL_INDEX, [indices, dims], name).outputs[0]


# -- bitcast, ensure_shape, guarantee_const ----------------------------------------------

_BITCAST_TYPES = (
    "{bfloat16, float16, float32, float64, int64, int32, uint8, uint16, uint32, uint64, int8, "
    "int16, complex64, complex128, qint8, quint8, qint16, quint16, qint32}"
)


def _bitcast_shape(input: TensorSpec, *, T, type):
    """TF's: a wider input gains a last axis, a narrower one loses its last axis (which
    must hold exactly the bytes of one output element)."""
    dims = input.shape
    if T.size == type.size or dims.rank is None:
        return [TensorSpec(type, dims if T.size == type.size else TensorShape(None))]
    if T.size > type.size:
        return [TensorSpec(type, dims.concatenate([T.size // type.size]))]
    last = dims.dim_value(-1) if dims.rank else None
    if dims.rank == 0 or (last is not None and last != type.size // T.size):
        shown = "[]" if dims.rank == 0 else f"{last} does not match {type.size // T.size}"
        raise ValueError(
            f"Cannot bitcast from {T.as_datatype_enum} to {type.as_datatype_enum} due to "
            f"shape. {shown}"
        )
    return [TensorSpec(type, dims[:-1])]


BITCAST = register_op(
    OpDef(
        "Bitcast",
        ("input: T",),
        ("output: type",),
        (f"T: {_BITCAST_TYPES}", f"type: {_BITCAST_TYPES}"),
        _bitcast_shape,
    )
)


def bitcast(input, type, name=None) -> Tensor:
    """``input``'s bytes read as ``type``: no copy, no conversion. A wider input gets a
    last axis (``int32`` to ``uint8``: 4 bytes each); a narrower one's last axis must
    hold one output element's bytes, and goes.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     bits = bitcast(tf.constant([1.0], tf.float32), tf.int32)
    ...     print(tf.compat.v1.Session().run(bits))
    [1065353216]
    """
    return build(BITCAST, [input], name, type=dtypes.as_dtype(type)).outputs[0]


def _ensure_shape_shape(input: TensorSpec, *, shape, T):
    return [TensorSpec(T, merge_shapes(shape, input.shape))]


ENSURE_SHAPE = register_op(
    OpDef(
        "EnsureShape",
        ("input: T",),
        ("output: T",),
        ("shape: shape", "T: type"),
        _ensure_shape_shape,
    )
)


def ensure_shape(x, shape, name=None) -> Tensor:
    """``x``, checked to have a shape compatible with ``shape`` (``None`` for any size):
    now where the static shape says, else when the graph runs. The result has the
    more specific of the two shapes.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, None])
    ...     print(ensure_shape(x, [None, 3]).shape)
    (?, 3)
    """
    return build(ENSURE_SHAPE, [x], name, shape=TensorShape(shape)).outputs[0]


GUARANTEE_CONST = register_op(
    OpDef(
        "GuaranteeConst",
        ("input: T",),
        ("output: T",),
        ("T: type",),
        lambda input, *, T: [input],
        is_stateful=True,
    )
)


def guarantee_const(input, name=None) -> Tensor:
    """``input``, with the promise that its value never changes between runs (TF may
    then fold it; here it is ``input`` as it is). No gradient goes through it, as TF's.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(guarantee_const([1, 2])))
    [1 2]
    """
    return build(GUARANTEE_CONST, [input], name).outputs[0]
