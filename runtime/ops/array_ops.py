"""Array ops: placeholders, identity, and shape manipulation (reshape, slicing, gather,
concat/split, padding, tiling, fills, shapes, one-hot ...).

Each op has its ``OpDef`` (with a shape function as precise as TF's: value-dependent
arguments such as ``Reshape``'s ``shape`` are read with
:func:`~runtime.ops.constant_value.known_value` when known at build time), a builder
with TF1's name and signature, and its gradient function next to it.
"""

from __future__ import annotations

import builtins
import numbers

import numpy as np

from .. import dtypes
from ..graph import Tensor, get_default_graph, graph_of
from ..kernels.array import UNKNOWN, slice_index, sliced_dims
from ..registry import (
    REQUIRED,
    OpDef,
    TensorSpec,
    not_differentiable,
    register_gradient,
    register_op,
)
from ..shapes import TensorShape, as_shape, broadcast_shapes
from . import math_ops
from .constant_value import constant_value, known_shape, known_value
from .core import (
    apply_op,
    constant,
    convert_to_tensor,
    deprecated_argument_lookup,
    format_shape,
    unchanged,
)
from .shape_util import canonical_axis, merge_dim, merge_shapes, with_rank, with_rank_at_least

__all__ = [
    "boolean_mask",
    "broadcast_to",
    "concat",
    "expand_dims",
    "fill",
    "gather",
    "gather_nd",
    "identity",
    "invert_permutation",
    "ones",
    "ones_like",
    "newaxis",
    "one_hot",
    "pad",
    "placeholder",
    "placeholder_with_default",
    "rank",
    "reshape",
    "reverse",
    "scatter_nd",
    "shape",
    "size",
    "slice",
    "split",
    "squeeze",
    "stack",
    "stop_gradient",
    "strided_slice",
    "tile",
    "transpose",
    "unstack",
    "zeros",
    "zeros_like",
]

newaxis = None


def _placeholder_shape(*, dtype, shape):
    return [TensorSpec(dtype, TensorShape(None) if shape is None else shape)]


def _placeholder_with_default_shape(value, *, dtype, shape):
    if not value.shape.is_compatible_with(shape):
        raise ValueError(
            f"Default value of shape {value.shape} is not compatible with shape {shape}"
        )
    return [TensorSpec(value.dtype, shape)]


PLACEHOLDER = register_op(
    OpDef(
        "Placeholder",
        (),
        attrs={"dtype": REQUIRED, "shape": None},
        shape_fn=_placeholder_shape,
    )
)
PLACEHOLDER_WITH_DEFAULT = register_op(
    OpDef(
        "PlaceholderWithDefault",
        ("input",),
        attrs={"dtype": REQUIRED, "shape": REQUIRED},
        shape_fn=_placeholder_with_default_shape,
    )
)
IDENTITY = register_op(OpDef("Identity", ("input",), attrs={"T": REQUIRED}, shape_fn=unchanged))


def placeholder(dtype, shape=None, name=None) -> Tensor:
    """A tensor whose value must be fed when the graph runs.

    Parameters
    ----------
    dtype : DType
    shape : sequence of int or None, optional
        ``None`` entries are unknown dimensions; ``shape=None`` is an unknown rank.
    name : str, optional

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = placeholder(tf.float32, shape=[None, 3], name="x")
    >>> x.name, x.shape
    ('x:0', TensorShape([None, 3]))
    """
    shape = None if shape is None else as_shape(shape)
    if shape is not None and shape.rank is None:
        shape = None
    return apply_op(
        PLACEHOLDER,
        [],
        name or "Placeholder",
        graph=get_default_graph(),
        dtype=dtypes.as_dtype(dtype),
        shape=shape,
    ).outputs[0]


def placeholder_with_default(input, shape, name=None) -> Tensor:
    """A placeholder that passes ``input`` through when it is not fed.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = placeholder_with_default([1.0, 2.0], shape=[None])
    >>> x.shape
    TensorShape([None])
    """
    value = convert_to_tensor(input)
    return apply_op(
        PLACEHOLDER_WITH_DEFAULT,
        [value],
        name or "PlaceholderWithDefault",
        dtype=value.dtype,
        shape=as_shape(shape),
    ).outputs[0]


def identity(input, name=None) -> Tensor:
    """A tensor with the same value as ``input``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = identity(tf.constant([1, 2]), name="y")
    >>> y.op.type, y.shape
    ('Identity', TensorShape([2]))
    """
    value = convert_to_tensor(input)
    return apply_op(IDENTITY, [value], name or "Identity", T=value.dtype.base_dtype).outputs[0]


# -- conversion helpers ---------------------------------------------------------------------


def _scope(name: str, values):
    """The name scope ``name`` in the graph of ``values`` (flattened one level)."""
    flat = []
    for value in values:
        flat.extend(value if isinstance(value, list | tuple) else [value])
    graph = graph_of(flat)
    return graph, graph.name_scope(name)


def _has_tensor(value) -> bool:
    if isinstance(value, list | tuple):
        return any(_has_tensor(item) for item in value)
    return isinstance(value, Tensor) or hasattr(value, "_as_graph_element")


def _tensor_dtype(value):
    """The dtype of the first tensor in ``value`` (nested lists allowed), else ``None``."""
    if isinstance(value, list | tuple):
        return next((d for d in map(_tensor_dtype, value) if d is not None), None)
    return convert_to_tensor(value).dtype.base_dtype if _has_tensor(value) else None


def convert_or_pack(value, name: str, graph=None, dtype=None) -> Tensor:
    """``convert_to_tensor``, also for a list holding tensors: TF's auto-packing makes it
    a ``Pack`` op (plain entries become Consts of the tensors' dtype), so a shape such as
    ``[tf.shape(x)[0], -1]`` works.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 3])
    ...     s = convert_or_pack([tf.shape(x)[0], -1], name="dims")
    >>> s.op.type, s.dtype, [t.op.name for t in s.op.inputs]
    ('Pack', tf.int32, ['strided_slice', 'dims/1'])
    """
    flat = value if isinstance(value, list | tuple) else [value]
    graph = graph if graph is not None else graph_of(flat)
    if not (isinstance(value, list | tuple) and _has_tensor(value)):
        # An index-like value: ``[]`` is an empty int32 vector, not float32.
        empty = isinstance(value, list | tuple) and not value
        hint = dtypes.int32 if dtype is None and empty else None
        return convert_to_tensor(value, dtype=dtype, dtype_hint=hint, graph=graph, name=name)
    with graph.name_scope(name) as scope:
        packed = {
            i: convert_or_pack(v, str(i), graph) for i, v in enumerate(value) if _has_tensor(v)
        }
        hint = dtype or next(iter(packed.values())).dtype.base_dtype
        items = [
            packed[i] if i in packed else convert_to_tensor(v, dtype=hint, graph=graph, name=str(i))
            for i, v in enumerate(value)
        ]
    _same_dtypes("Pack", "values", items)
    return apply_op(
        PACK, [items], scope, N=len(items), T=items[0].dtype.base_dtype, axis=0
    ).outputs[0]


def _index_dtype(*tensors: Tensor) -> dtypes.DType:
    for tensor in tensors:
        if tensor.dtype.base_dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError(
                f"Value passed to parameter '{tensor.op.name.rsplit('/', 1)[-1]}' has DataType "
                f"{tensor.dtype.base_dtype.name} not in list of allowed values: int32, int64"
            )
    return tensors[0].dtype.base_dtype


def _index_vector_op(
    op_type: str, inputs: tuple, vector_attr: str, shape_fn, outputs=("output",)
) -> OpDef:
    """Register an op of a tensor and an int vector: attrs ``T`` and the vector's dtype."""
    attrs = {"T": REQUIRED, vector_attr: dtypes.int32}
    return register_op(OpDef(op_type, inputs, outputs, attrs, shape_fn))


def _with_index_vector(op_def: OpDef, tensor, vector, name) -> Tensor:
    """``op_def`` of a tensor and an int vector (a shape, multiples or axes), its inputs
    converted under the OpDef's names; attrs ``T`` and the vector's dtype."""
    tensor_arg, vector_arg = op_def.input_names
    vector_attr = next(attr for attr in op_def.attrs if attr != "T")
    graph, scope = _scope(name or op_def.name, [tensor, vector])
    with scope as scope:
        tensor = convert_to_tensor(tensor, graph=graph, name=tensor_arg)
        vector = convert_or_pack(vector, vector_arg, graph)
    attrs = {"T": tensor.dtype.base_dtype, vector_attr: _index_dtype(vector)}
    return apply_op(op_def, [tensor, vector], scope, **attrs).outputs[0]


# -- reshape, transpose, expand_dims, squeeze ------------------------------------------------


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


RESHAPE = _index_vector_op("Reshape", ("tensor", "shape"), "Tshape", _reshape_shape)


def reshape(tensor, shape, name=None) -> Tensor:
    """``tensor`` with the same values in a new ``shape``; one dim may be ``-1`` (inferred).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     r = reshape(tf.zeros([2, 3, 4]), [-1, 4])
    >>> r.shape
    TensorShape([6, 4])
    >>> with tf.Graph().as_default():
    ...     reshape(tf.zeros([2, 3]), [4, 5])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Cannot reshape a tensor with 6 elements to shape [4,5] (20 elements) for '{{node Reshape}} = Reshape[T=DT_FLOAT, Tshape=DT_INT32](zeros, Reshape/shape)' with input shapes: [2,3], [2]...
    """
    return _with_index_vector(RESHAPE, tensor, shape, name)


def _transpose_shape(x: TensorSpec, perm: TensorSpec, *, T, Tperm):
    with_rank(perm.shape, 1)
    rank = x.shape.rank if x.shape.rank is not None else perm.shape[0]
    if rank is None:
        return [TensorSpec(T, TensorShape(None))]
    if perm.shape[0] is not None and perm.shape[0] != rank:
        raise ValueError(f"Dimension must be {rank} but is {perm.shape[0]}")
    value = known_value(perm)
    if value is None:
        return [TensorSpec(T, TensorShape([None] * rank))]
    if rank and sorted(int(p) % rank for p in value) != list(range(rank)):
        raise ValueError(f"{list(value)} is not a valid permutation of [0, {rank})")
    dims = x.shape.as_tuple() or (None,) * rank
    return [TensorSpec(T, TensorShape([dims[int(p)] for p in value]))]


TRANSPOSE = _index_vector_op("Transpose", ("x", "perm"), "Tperm", _transpose_shape, ("y",))
INVERT_PERMUTATION = register_op(
    OpDef("InvertPermutation", ("x",), ("y",), attrs={"T": dtypes.int32}, shape_fn=unchanged)
)


def invert_permutation(x, name=None) -> Tensor:
    """The inverse of the permutation ``x``: ``y[x[i]] = i``."""
    graph, scope = _scope(name or "InvertPermutation", [x])
    with scope as scope:
        x = convert_to_tensor(x, graph=graph, name="x")
    return apply_op(INVERT_PERMUTATION, [x], scope, T=_index_dtype(x)).outputs[0]


def transpose(a, perm=None, conjugate=False, name="transpose") -> Tensor:
    """``a`` with its dimensions permuted by ``perm`` (default: reversed).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(transpose(tf.zeros([2, 3, 4])).shape, transpose(tf.zeros([2, 3, 4]), [1, 0, 2]).shape)
    (4, 3, 2) (3, 2, 4)
    """
    graph, scope = _scope(name or "transpose", [a, perm])
    with scope as scope:
        a = convert_to_tensor(a, graph=graph, name="a")
        if perm is None:
            rank_a = a.shape.rank
            if rank_a is None:
                rank_t = rank(a)
                perm = math_ops.subtract(math_ops.subtract(rank_t, 1), math_ops.range(0, rank_t))
            else:
                perm = np.arange(rank_a - 1, -1, -1, dtype=np.int32)
        perm = convert_or_pack(perm, "perm", graph)
        if conjugate:
            a = math_ops.conj(a)
    return apply_op(
        TRANSPOSE, [a, perm], scope, T=a.dtype.base_dtype, Tperm=_index_dtype(perm)
    ).outputs[0]


def transpose_v1(a, perm=None, name="transpose", conjugate=False) -> Tensor:
    """TF1's argument order of :func:`transpose`."""
    return transpose(a, perm, conjugate, name)


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


EXPAND_DIMS = _index_vector_op("ExpandDims", ("input", "dim"), "Tdim", _expand_dims_shape)


def expand_dims(input, axis, name=None) -> Tensor:
    """``input`` with a new dimension of size 1 inserted at ``axis``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(expand_dims(tf.zeros([2, 3]), -1).shape)
    (2, 3, 1)
    """
    graph, scope = _scope(name or "ExpandDims", [input, axis])
    with scope as scope:
        input = convert_to_tensor(input, graph=graph, name="input")
        axis = convert_to_tensor(axis, graph=graph, name="dim")
    return apply_op(
        EXPAND_DIMS, [input, axis], scope, T=input.dtype.base_dtype, Tdim=_index_dtype(axis)
    ).outputs[0]


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
        if shape[axis] is not None and shape[axis] != 1:
            raise ValueError(
                f"Can not squeeze dim[{axis}], expected a dimension of 1, got {shape[axis]}"
            )
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
    OpDef("Squeeze", ("input",), attrs={"T": REQUIRED, "squeeze_dims": ()}, shape_fn=_squeeze_shape)
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
    graph, scope = _scope(name or "Squeeze", [input])
    with scope as scope:
        input = convert_to_tensor(input, graph=graph, name="input")
    dims = tuple(int(a) for a in (axis or ()))
    return apply_op(SQUEEZE, [input], scope, T=input.dtype.base_dtype, squeeze_dims=dims).outputs[0]


def squeeze_v1(input, axis=None, name=None, squeeze_dims=None) -> Tensor:
    """TF1's :func:`squeeze`: ``squeeze_dims`` is the old name of ``axis``."""
    return squeeze(
        input, deprecated_argument_lookup("axis", axis, "squeeze_dims", squeeze_dims), name
    )


# -- concat, stack, unstack, split ----------------------------------------------------------


def _concat_shape(*specs: TensorSpec, N, T, Tidx):
    *values, axis = specs
    with_rank(axis.shape, 0)
    rank = next((v.shape.rank for v in values if v.shape.rank is not None), None)
    if rank is None:
        return [TensorSpec(T, TensorShape(None))]
    for value in values:
        with_rank(value.shape, rank)
    axis_value = known_value(axis)
    if axis_value is None:
        return [TensorSpec(T, TensorShape([None] * rank))]
    axis_value = int(axis_value)
    if not -rank <= axis_value < rank:
        raise ValueError(
            f"ConcatOp : Expected concatenating dimensions in the range [{-rank}, {rank}), but "
            f"got {axis_value}"
        )
    axis_value %= rank
    others = TensorShape(None)
    total = 0
    for value in values:
        dims = list(value.shape.as_tuple() or [None] * rank)
        size = dims.pop(axis_value)
        total = None if total is None or size is None else total + size
        others = merge_shapes(others, TensorShape(dims))
    dims = list(others.as_tuple())
    dims.insert(axis_value, total)
    return [TensorSpec(T, TensorShape(dims))]


CONCAT = register_op(
    OpDef(
        "ConcatV2",
        ("*values", "axis"),
        attrs={"N": REQUIRED, "T": REQUIRED, "Tidx": dtypes.int32},
        shape_fn=_concat_shape,
    )
)


def concat(values, axis, name="concat") -> Tensor:
    """The tensors ``values`` joined along ``axis``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(concat([tf.zeros([2, 3]), tf.zeros([4, 3])], 0).shape)
    (6, 3)
    """
    if not isinstance(values, list | tuple):
        values = [values]
    graph, scope = _scope(name or "concat", [*values, axis])
    with scope as scope:
        axis = convert_to_tensor(axis, graph=graph, name="axis")
        if len(values) == 1:  # as TF: one value is passed through
            with_rank(axis.shape, 0)
            return identity(values[0], name=scope)
        tensors = [convert_or_pack(v, f"values_{i}", graph) for i, v in enumerate(values)]
    _same_dtypes("ConcatV2", "values", tensors)
    return apply_op(
        CONCAT,
        [tensors, axis],
        scope,
        N=len(tensors),
        T=tensors[0].dtype.base_dtype,
        Tidx=_index_dtype(axis),
    ).outputs[0]


def _same_dtypes(op_type: str, arg: str, tensors) -> None:
    first = tensors[0].dtype.base_dtype
    for tensor in tensors[1:]:
        if tensor.dtype.base_dtype != first:
            raise TypeError(
                f"Tensors in list passed to '{arg}' of '{op_type}' Op have types "
                f"[{', '.join(t.dtype.base_dtype.name for t in tensors)}] that don't all match."
            )


def _pack_shape(*values: TensorSpec, N, T, axis):
    shape = TensorShape(None)
    for value in values:
        try:
            shape = merge_shapes(shape, value.shape)
        except ValueError as err:
            raise ValueError(f"{err}\n\tFrom merging shape 0 with other shapes.") from None
    if shape.rank is None:
        return [TensorSpec(T, TensorShape(None))]
    rank = shape.rank + 1
    if not -rank <= axis < rank:
        raise ValueError(f"Invalid axis: {axis}; must be in [{-rank},{rank})")
    dims = list(shape.as_tuple())
    dims.insert(axis % rank, N)
    return [TensorSpec(T, TensorShape(dims))]


PACK = register_op(
    OpDef(
        "Pack", ("*values",), attrs={"N": REQUIRED, "T": REQUIRED, "axis": 0}, shape_fn=_pack_shape
    )
)


def stack(values, axis=0, name="stack") -> Tensor:
    """The tensors ``values`` (same shape) stacked along a new dimension ``axis``.

    A list of Python numbers becomes one ``Const``, as in TF.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     s = stack([tf.zeros([2, 3]), tf.ones([2, 3])], axis=1)
    >>> s.shape, s.op.type
    (TensorShape([2, 2, 3]), 'Pack')
    """
    if axis == 0 and not _has_tensor(values):
        return convert_to_tensor(values, name=name)
    graph, scope = _scope(name or "stack", list(values))
    with scope as scope:
        hint = _tensor_dtype(values)
        tensors = [
            convert_or_pack(v, f"values_{i}", graph, dtype=None if _has_tensor(v) else hint)
            for i, v in enumerate(values)
        ]
    _same_dtypes("Pack", "values", tensors)
    return apply_op(
        PACK, [tensors], scope, N=len(tensors), T=tensors[0].dtype.base_dtype, axis=int(axis)
    ).outputs[0]


def _unpack_shape(value: TensorSpec, *, num, T, axis):
    shape = value.shape
    if shape.rank is None:
        return [TensorSpec(T, TensorShape(None))] * num
    axis = canonical_axis(axis, shape.rank)
    merge_dim(shape[axis], num)
    dims = list(shape.as_tuple())
    del dims[axis]
    return [TensorSpec(T, TensorShape(dims))] * num


UNPACK = register_op(
    OpDef(
        "Unpack",
        ("value",),
        attrs={"num": REQUIRED, "T": REQUIRED, "axis": 0},
        shape_fn=_unpack_shape,
    )
)


def unstack(value, num=None, axis=0, name="unstack") -> list:
    """The slices of ``value`` along ``axis``, as a list of ``num`` tensors.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     parts = unstack(tf.zeros([2, 3]), axis=1)
    >>> len(parts), parts[0].shape
    (3, TensorShape([2]))
    """
    graph, scope = _scope(name or "unstack", [value])
    with scope as scope:
        value = convert_to_tensor(value, graph=graph, name="value")
    if num is None:
        shape = value.shape
        if shape.rank is None or shape[canonical_axis(axis, shape.rank)] is None:
            raise ValueError(f"Cannot infer argument `num` from shape {shape}")
        num = shape[axis]
    return apply_op(
        UNPACK, [value], scope, num=num, T=value.dtype.base_dtype, axis=int(axis)
    ).outputs


def _split_shape(split_dim: TensorSpec, value: TensorSpec, *, T, num_split):
    with_rank(split_dim.shape, 0)
    shape = value.shape
    axis = known_value(split_dim)
    if shape.rank is None:
        return [TensorSpec(T, TensorShape(None))] * num_split
    if axis is None:
        return [TensorSpec(T, TensorShape([None] * shape.rank))] * num_split
    axis = canonical_axis(int(axis), shape.rank, "split_dim")
    dims = list(shape.as_tuple())
    if dims[axis] is not None:
        if dims[axis] % num_split:
            raise ValueError(
                f"Dimension size must be evenly divisible by {num_split} but is {dims[axis]}\n"
                "\tNumber of ways to split should evenly divide the split dimension"
            )
        dims[axis] //= num_split
    return [TensorSpec(T, TensorShape(dims))] * num_split


def _split_v_shape(
    value: TensorSpec, size_splits: TensorSpec, split_dim: TensorSpec, *, T, Tlen, num_split
):
    with_rank(split_dim.shape, 0)
    shape = value.shape
    axis, sizes = known_value(split_dim), known_value(size_splits)
    if shape.rank is None or axis is None:
        rank_dims = None if shape.rank is None else [None] * shape.rank
        return [TensorSpec(T, TensorShape(rank_dims))] * num_split
    axis = canonical_axis(int(axis), shape.rank, "split_dim")
    size = shape[axis]
    if sizes is None:
        dims = list(shape.as_tuple())
        dims[axis] = None
        return [TensorSpec(T, TensorShape(dims))] * num_split
    sizes = [int(s) for s in sizes]
    if sizes.count(-1) > 1:
        raise ValueError("Only one dimensions can have a value of -1")
    if -1 in sizes and size is not None:
        sizes[sizes.index(-1)] = size - (sum(sizes) + 1)
    if size is not None and (sum(sizes) != size or min(sizes) < 0):
        raise ValueError(
            f"can't split axis of size {size} into pieces of size [{','.join(map(str, sizes))}]"
        )
    specs = []
    for piece in sizes:
        dims = list(shape.as_tuple())
        dims[axis] = None if piece < 0 else piece
        specs.append(TensorSpec(T, TensorShape(dims)))
    return specs


SPLIT = register_op(
    OpDef(
        "Split",
        ("split_dim", "value"),
        attrs={"T": REQUIRED, "num_split": REQUIRED},
        shape_fn=_split_shape,
    )
)
SPLIT_V = register_op(
    OpDef(
        "SplitV",
        ("value", "size_splits", "split_dim"),
        attrs={"T": REQUIRED, "Tlen": dtypes.int32, "num_split": REQUIRED},
        shape_fn=_split_v_shape,
    )
)


def split(value, num_or_size_splits, axis=0, num=None, name="split") -> list:
    """``value`` cut along ``axis`` into ``num_or_size_splits`` equal parts, or into
    parts of the listed sizes (one may be ``-1``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a, b = split(tf.zeros([2, 6]), 2, axis=1)
    ...     c, d = split(tf.zeros([2, 6]), [1, -1], axis=1)
    >>> a.shape, c.shape, d.shape
    (TensorShape([2, 3]), TensorShape([2, 1]), TensorShape([2, 5]))
    """
    if isinstance(num_or_size_splits, numbers.Integral) and not isinstance(
        num_or_size_splits, bool
    ):
        graph, scope = _scope(name or "split", [value, axis])
        with scope as scope:
            axis = convert_to_tensor(axis, graph=graph, name="split_dim")
            value = convert_to_tensor(value, graph=graph, name="value")
        count = int(num_or_size_splits)
        return apply_op(
            SPLIT, [axis, value], scope, T=value.dtype.base_dtype, num_split=count
        ).outputs
    sizes = convert_or_pack(num_or_size_splits, "Const")
    if num is None:
        num = sizes.shape[0] if sizes.shape.rank == 1 else None
        if num is None:
            raise ValueError(f"Cannot infer argument `num` from shape {sizes.shape}")
    graph, scope = _scope(name or "split", [value, sizes, axis])
    with scope as scope:
        value = convert_to_tensor(value, graph=graph, name="value")
        axis = convert_to_tensor(axis, graph=graph, name="split_dim")
    return apply_op(
        SPLIT_V,
        [value, sizes, axis],
        scope,
        T=value.dtype.base_dtype,
        Tlen=_index_dtype(sizes),
        num_split=int(num),
    ).outputs


# -- slicing ----------------------------------------------------------------------------------


def _slice_shape(input: TensorSpec, begin: TensorSpec, size: TensorSpec, *, T, Index):
    with_rank(begin.shape, 1)
    with_rank(size.shape, 1)
    rank = input.shape.rank
    for spec in (begin, size):
        if rank is None:
            rank = spec.shape[0]
        elif spec.shape[0] is not None and spec.shape[0] != rank:
            raise ValueError(f"Shape must be rank {spec.shape[0]} but is rank {rank}")
    if rank is None:
        return [TensorSpec(T, TensorShape(None))]
    begins, sizes = known_value(begin), known_shape(size)
    value_sizes = known_value(size)
    in_dims = input.shape.as_tuple() or (None,) * rank
    dims = []
    for i in range(rank):
        piece = None if value_sizes is None else int(value_sizes[i])
        if piece is None:
            piece = sizes[i] if sizes.rank is not None else None
        elif piece == -1:
            start = None if begins is None else int(begins[i])
            piece = None if start is None or in_dims[i] is None else in_dims[i] - start
        dims.append(piece)
    return [TensorSpec(T, TensorShape(dims))]


SLICE = register_op(
    OpDef(
        "Slice",
        ("input", "begin", "size"),
        attrs={"T": REQUIRED, "Index": dtypes.int32},
        shape_fn=_slice_shape,
    )
)


def slice(input_, begin, size, name=None) -> Tensor:
    """The block of ``input_`` starting at ``begin`` of extent ``size`` (``-1``: to the end).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.reshape(tf.range(12), [3, 4])
    ...     print(tf.compat.v1.Session().run(slice(x, [1, 1], [-1, 2])))
    [[ 5  6]
     [ 9 10]]
    """
    graph, scope = _scope(name or "Slice", [input_, begin, size])
    with scope as scope:
        input_ = convert_to_tensor(input_, graph=graph, name="input")
        begin = convert_or_pack(begin, "begin", graph)
        size = convert_or_pack(
            size, "size", graph, dtype=begin.dtype.base_dtype if not _has_tensor(size) else None
        )
    return apply_op(
        SLICE,
        [input_, begin, size],
        scope,
        T=input_.dtype.base_dtype,
        Index=_index_dtype(begin, size),
    ).outputs[0]


_MASKS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")


def _strided_index(begin: TensorSpec, end: TensorSpec, strides: TensorSpec, masks: dict):
    """The slice as a Python index, with ``UNKNOWN`` where a value is not known yet."""
    length = next(
        (s.shape[0] for s in (begin, end, strides) if s.shape.rank == 1 and s.shape[0] is not None),
        None,
    )
    if length is None:
        return None
    values = [known_value(s) for s in (begin, end, strides)]
    values = [[UNKNOWN] * length if v is None else v.tolist() for v in values]
    return slice_index(*values, **masks)


def _strided_slice_shape(
    input: TensorSpec, begin: TensorSpec, end: TensorSpec, strides: TensorSpec, *, T, Index, **masks
):
    for spec in (begin, end, strides):
        with_rank(spec.shape, 1)
    index = _strided_index(begin, end, strides, masks)
    if input.shape.rank is None or index is None:
        return [TensorSpec(T, TensorShape(None))]
    return [TensorSpec(T, TensorShape(sliced_dims(list(input.shape.as_tuple()), index)))]


_MASK_ATTRS = dict.fromkeys(_MASKS, 0)
STRIDED_SLICE = register_op(
    OpDef(
        "StridedSlice",
        ("input", "begin", "end", "strides"),
        attrs={"T": REQUIRED, "Index": REQUIRED, **_MASK_ATTRS},
        shape_fn=_strided_slice_shape,
    )
)


def _strided_slice_grad_shape(
    shape: TensorSpec, begin, end, strides, dy: TensorSpec, *, T, Index, **masks
):
    return [TensorSpec(T, known_shape(shape))]


STRIDED_SLICE_GRAD = register_op(
    OpDef(
        "StridedSliceGrad",
        ("shape", "begin", "end", "strides", "dy"),
        attrs={"T": REQUIRED, "Index": REQUIRED, **_MASK_ATTRS},
        shape_fn=_strided_slice_grad_shape,
    )
)


def strided_slice(
    input_,
    begin,
    end,
    strides=None,
    begin_mask=0,
    end_mask=0,
    ellipsis_mask=0,
    new_axis_mask=0,
    shrink_axis_mask=0,
    var=None,
    name=None,
) -> Tensor:
    """``input_[begin:end:strides]`` per dimension, with TF's bit masks (bit ``i`` of
    ``begin_mask`` ignores ``begin[i]``, ``shrink_axis_mask`` takes one index and drops
    the dimension, ...). ``tensor[...]`` builds one of these.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.reshape(tf.range(12), [3, 4])
    ...     y = strided_slice(x, [0, 3], [3, 0], [2, -1])
    ...     print(y.shape, tf.compat.v1.Session().run(y).tolist())
    (2, 3) [[3, 2, 1], [11, 10, 9]]
    """
    graph, scope = _scope(name or "StridedSlice", [input_, begin, end, strides])
    with scope as scope:
        input_ = convert_to_tensor(input_, graph=graph, name="input")
        begin = convert_or_pack(begin, "begin", graph)
        end = convert_or_pack(
            end, "end", graph, dtype=None if _has_tensor(end) else begin.dtype.base_dtype
        )
        if strides is None:
            strides = ones_like(begin)
        strides = convert_or_pack(
            strides,
            "strides",
            graph,
            dtype=None if _has_tensor(strides) else begin.dtype.base_dtype,
        )
    masks = {
        "begin_mask": int(begin_mask),
        "end_mask": int(end_mask),
        "ellipsis_mask": int(ellipsis_mask),
        "new_axis_mask": int(new_axis_mask),
        "shrink_axis_mask": int(shrink_axis_mask),
    }
    return apply_op(
        STRIDED_SLICE,
        [input_, begin, end, strides],
        scope,
        T=input_.dtype.base_dtype,
        Index=_index_dtype(begin, end, strides),
        **masks,
    ).outputs[0]


def _check_index(index) -> None:
    if isinstance(index, numbers.Integral) and not isinstance(index, bool):
        return
    if isinstance(index, Tensor) and index.dtype.base_dtype in (dtypes.int32, dtypes.int64):
        return
    raise TypeError(
        "Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
        f"tf.int32/tf.int64 tensors are valid indices, got {index!r}"
    )


def slice_helper(tensor, slice_spec, var=None) -> Tensor:
    """``tensor[slice_spec]``: ints, slices with steps, ``...``, ``None`` (new axis),
    negative indices and scalar int tensors, as one ``StridedSlice`` op.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.reshape(tf.range(24), [2, 3, 4])
    ...     y = x[-1, ::2, None, 1:]
    ...     print(y.shape, y.op.name, tf.compat.v1.Session().run(y).tolist())
    (2, 1, 3) strided_slice [[[13, 14, 15]], [[21, 22, 23]]]
    """
    if not isinstance(slice_spec, list | tuple):
        slice_spec = [slice_spec]
    begin, end, strides = [], [], []
    masks = dict.fromkeys(_MASKS, 0)
    for bit, item in enumerate(slice_spec):
        flag = 1 << bit
        if isinstance(item, builtins.slice):
            for value, bucket, mask in (
                (item.start, begin, "begin_mask"),
                (item.stop, end, "end_mask"),
            ):
                if value is None:
                    bucket.append(0)
                    masks[mask] |= flag
                else:
                    _check_index(value)
                    bucket.append(value)
            if item.step is not None:
                _check_index(item.step)
            strides.append(1 if item.step is None else item.step)
        elif item is Ellipsis or item is None:
            begin.append(0)
            end.append(0)
            strides.append(1)
            masks["ellipsis_mask" if item is Ellipsis else "new_axis_mask"] |= flag
        else:
            _check_index(item)
            begin.append(item)
            end.append(item + 1)
            strides.append(1)
            masks["shrink_axis_mask"] |= flag
    if masks["ellipsis_mask"] & (masks["ellipsis_mask"] - 1):
        raise ValueError("Multiple ellipses in slice spec not allowed")
    _, scope = _scope("strided_slice", [tensor, *begin, *end, *strides])
    with scope as scope:
        if begin:
            packed = [stack(part) for part in (begin, end, strides)]
            if any(p.dtype.base_dtype == dtypes.int64 for p in packed):
                packed = [math_ops.cast(p, dtypes.int64) for p in packed]
        else:
            packed = [constant([], dtype=dtypes.int32)] * 3
        return strided_slice(tensor, *packed, name=scope, **masks)


@register_gradient("StridedSlice")
def _strided_slice_grad(op, grad):
    begin, end, strides = op.inputs[1:]
    masks = {key: op.get_attr(key) for key in _MASKS}
    dx = apply_op(
        STRIDED_SLICE_GRAD,
        [shape(op.inputs[0], out_type=begin.dtype), begin, end, strides, grad],
        "StridedSliceGrad",
        T=grad.dtype.base_dtype,
        Index=begin.dtype.base_dtype,
        **masks,
    ).outputs[0]
    return [dx, None, None, None]


@register_gradient("StridedSliceGrad")
def _strided_slice_grad_grad(op, grad):
    masks = {key: op.get_attr(key) for key in _MASKS}
    return [None, None, None, None, strided_slice(grad, *op.inputs[1:4], **masks)]


# -- gather and scatter -----------------------------------------------------------------------


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
        ("params", "indices", "axis"),
        attrs={"Tparams": REQUIRED, "Tindices": REQUIRED, "Taxis": dtypes.int32, "batch_dims": 0},
        shape_fn=_gather_shape,
    )
)


def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None) -> Tensor:
    """The slices of ``params`` at ``indices`` along ``axis`` (default 0).

    With ``batch_dims=b``, the first ``b`` dimensions of ``params`` and ``indices``
    are batch dimensions gathered pairwise.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.reshape(tf.range(6), [2, 3])
    ...     print(tf.compat.v1.Session().run(gather(x, [[2, 0]], axis=1)).tolist())
    [[[2, 0]], [[5, 3]]]
    """
    graph, scope = _scope(name or "GatherV2", [params, indices, axis])
    with scope as scope:
        params = convert_to_tensor(params, graph=graph, name="params")
        indices = convert_or_pack(indices, "indices", graph)
        axis = convert_to_tensor(batch_dims if axis is None else axis, graph=graph, name="axis")
    return apply_op(
        GATHER,
        [params, indices, axis],
        scope,
        Tparams=params.dtype.base_dtype,
        Tindices=_index_dtype(indices),
        Taxis=_index_dtype(axis),
        batch_dims=int(batch_dims),
    ).outputs[0]


def gather_v1(params, indices, validate_indices=None, name=None, axis=None, batch_dims=0) -> Tensor:
    """TF1's argument order of :func:`gather`."""
    return gather(params, indices, validate_indices, axis, batch_dims, name)


def _gather_nd_shape(params: TensorSpec, indices: TensorSpec, *, Tparams, Tindices, batch_dims):
    if batch_dims:
        raise ValueError("GatherNd with batch_dims > 0 is not supported")
    with_rank_at_least(indices.shape, 1)
    depth = indices.shape[-1] if indices.shape.rank else None
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
        ("params", "indices"),
        attrs={"Tparams": REQUIRED, "Tindices": REQUIRED, "batch_dims": 0},
        shape_fn=_gather_nd_shape,
    )
)


def gather_nd(params, indices, name=None, batch_dims=0) -> Tensor:
    """The elements (or slices) of ``params`` at the coordinates in ``indices``'s last axis.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.reshape(tf.range(6), [2, 3])
    ...     print(tf.compat.v1.Session().run(gather_nd(x, [[1, 2], [0, 0]])).tolist())
    [5, 0]
    """
    graph, scope = _scope(name or "GatherNd", [params, indices])
    with scope as scope:
        params = convert_to_tensor(params, graph=graph, name="params")
        indices = convert_or_pack(indices, "indices", graph)
    return apply_op(
        GATHER_ND,
        [params, indices],
        scope,
        Tparams=params.dtype.base_dtype,
        Tindices=_index_dtype(indices),
        batch_dims=int(batch_dims),
    ).outputs[0]


def _scatter_nd_shape(indices: TensorSpec, updates: TensorSpec, shape: TensorSpec, *, T, Tindices):
    with_rank(shape.shape, 1)
    return [TensorSpec(T, known_shape(shape))]


SCATTER_ND = register_op(
    OpDef(
        "ScatterNd",
        ("indices", "updates", "shape"),
        attrs={"T": REQUIRED, "Tindices": REQUIRED},
        shape_fn=_scatter_nd_shape,
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
    graph, scope = _scope(name or "ScatterNd", [indices, updates, shape])
    with scope as scope:
        indices = convert_or_pack(indices, "indices", graph)
        updates = convert_to_tensor(updates, graph=graph, name="updates")
        shape = convert_or_pack(
            shape, "shape", graph, dtype=None if _has_tensor(shape) else indices.dtype.base_dtype
        )
    return apply_op(
        SCATTER_ND,
        [indices, updates, shape],
        scope,
        T=updates.dtype.base_dtype,
        Tindices=_index_dtype(indices, shape),
    ).outputs[0]


# -- tile, pad, reverse, broadcast ----------------------------------------------------------------


def _tile_shape(input: TensorSpec, multiples: TensorSpec, *, T, Tmultiples):
    with_rank(multiples.shape, 1)
    count = multiples.shape[0]
    shape = input.shape
    if count is not None and shape.rank is not None and shape.rank != count:
        raise ValueError(f"Shape must be rank {shape.rank} but is rank {count}")
    shape = shape if count is None else with_rank(shape, count)
    if shape.rank is None:
        return [TensorSpec(T, TensorShape(None))]
    factors = known_shape(multiples)
    factors = factors.as_tuple() if factors.rank is not None else (None,) * shape.rank
    dims = [None if d is None or m is None else d * m for d, m in zip(shape.as_tuple(), factors)]
    return [TensorSpec(T, TensorShape(dims))]


TILE = _index_vector_op("Tile", ("input", "multiples"), "Tmultiples", _tile_shape)


def tile(input, multiples, name=None) -> Tensor:
    """``input`` repeated ``multiples[i]`` times along each dimension ``i``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tile(tf.zeros([2, 3]), [2, 1]).shape)
    (4, 3)
    """
    return _with_index_vector(TILE, input, multiples, name)


def _padded_dims(input: TensorSpec, paddings: TensorSpec, shrink: bool = False):
    with_rank(paddings.shape, 2)
    merge_dim(paddings.shape[1], 2)
    count = paddings.shape[0]
    shape = input.shape if count is None else with_rank(input.shape, count)
    if shape.rank is None:
        return TensorShape(None)
    value = known_value(paddings)
    if value is None:
        return TensorShape([None] * shape.rank)
    if (value < 0).any():
        raise ValueError(f"Paddings must be non-negative: {value.tolist()}")
    sign = -1 if shrink else 1
    return TensorShape(
        [
            None if d is None else d + sign * int(before + after)
            for d, (before, after) in zip(shape.as_tuple(), value)
        ]
    )


def _pad_shape(input: TensorSpec, paddings: TensorSpec, *, T, Tpaddings):
    return [TensorSpec(T, _padded_dims(input, paddings))]


def _pad_v2_shape(
    input: TensorSpec, paddings: TensorSpec, constant_values: TensorSpec, *, T, Tpaddings
):
    with_rank(constant_values.shape, 0)
    return [TensorSpec(T, _padded_dims(input, paddings))]


def _mirror_pad_shape(input: TensorSpec, paddings: TensorSpec, *, T, Tpaddings, mode):
    shape = _padded_dims(input, paddings)
    value = known_value(paddings)
    if value is not None and input.shape.rank is not None:
        limit_offset = 0 if mode == "SYMMETRIC" else 1
        for dim, (before, after) in zip(input.shape.as_tuple(), value.tolist()):
            if dim is not None and max(before, after) > dim - limit_offset:
                word = "not greater than" if limit_offset == 0 else "less than"
                raise ValueError(
                    f"paddings must be {word} the dimension size: {before}, {after} "
                    f"{'greater than' if limit_offset == 0 else 'not less than'} {dim}"
                )
    return [TensorSpec(T, shape)]


def _mirror_pad_grad_shape(input: TensorSpec, paddings: TensorSpec, *, T, Tpaddings, mode):
    return [TensorSpec(T, _padded_dims(input, paddings, shrink=True))]


_PAD_ATTRS = {"T": REQUIRED, "Tpaddings": dtypes.int32}
PAD = register_op(OpDef("Pad", ("input", "paddings"), attrs=_PAD_ATTRS, shape_fn=_pad_shape))
PAD_V2 = register_op(
    OpDef(
        "PadV2", ("input", "paddings", "constant_values"), attrs=_PAD_ATTRS, shape_fn=_pad_v2_shape
    )
)
MIRROR_PAD = register_op(
    OpDef(
        "MirrorPad",
        ("input", "paddings"),
        attrs={**_PAD_ATTRS, "mode": REQUIRED},
        shape_fn=_mirror_pad_shape,
    )
)
MIRROR_PAD_GRAD = register_op(
    OpDef(
        "MirrorPadGrad",
        ("input", "paddings"),
        attrs={**_PAD_ATTRS, "mode": REQUIRED},
        shape_fn=_mirror_pad_grad_shape,
    )
)


def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None) -> Tensor:
    """``tensor`` padded by ``paddings[i] = [before, after]`` in each dimension ``i``;
    ``mode`` is ``"CONSTANT"`` (with ``constant_values``), ``"REFLECT"`` or ``"SYMMETRIC"``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     p = pad([1, 2, 3], [[2, 1]], "REFLECT")
    ...     print(p.op.type, tf.compat.v1.Session().run(p))
    MirrorPad [3 2 1 2 3 2]
    """
    mode = mode.upper()
    if mode not in ("CONSTANT", "REFLECT", "SYMMETRIC"):
        raise ValueError(f"Unknown padding mode: {mode}")
    is_zero = not _has_tensor(constant_values) and np.all(np.asarray(constant_values) == 0)
    default = (
        "Pad" if mode == "CONSTANT" and is_zero else "PadV2" if mode == "CONSTANT" else "MirrorPad"
    )
    graph, scope = _scope(name or default, [tensor, paddings, constant_values])
    with scope as scope:
        tensor = convert_to_tensor(tensor, graph=graph, name="input")
        paddings = convert_or_pack(paddings, "paddings", graph)
        attrs = {"T": tensor.dtype.base_dtype, "Tpaddings": _index_dtype(paddings)}
        if mode != "CONSTANT":
            return apply_op(MIRROR_PAD, [tensor, paddings], scope, mode=mode, **attrs).outputs[0]
        if is_zero:
            return apply_op(PAD, [tensor, paddings], scope, **attrs).outputs[0]
        value = convert_to_tensor(
            constant_values, dtype=tensor.dtype.base_dtype, graph=graph, name="constant_values"
        )
        return apply_op(PAD_V2, [tensor, paddings, value], scope, **attrs).outputs[0]


def pad_v1(tensor, paddings, mode="CONSTANT", name=None, constant_values=0) -> Tensor:
    """TF1's argument order of :func:`pad`."""
    return pad(tensor, paddings, mode, constant_values, name)


def _reverse_shape(tensor: TensorSpec, axis: TensorSpec, *, T, Tidx):
    with_rank(axis.shape, 1)
    value = known_value(axis)
    rank = tensor.shape.rank
    if value is not None and rank is not None:
        for a in value.tolist():
            canonical_axis(a, rank)
    return [TensorSpec(T, tensor.shape)]


REVERSE = _index_vector_op("ReverseV2", ("tensor", "axis"), "Tidx", _reverse_shape)


def reverse(tensor, axis, name=None) -> Tensor:
    """``tensor`` with the order of elements reversed along each of ``axis``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(reverse([[1, 2], [3, 4]], [1])).tolist())
    [[2, 1], [4, 3]]
    """
    return _with_index_vector(REVERSE, tensor, axis, name)


def _broadcast_to_shape(input: TensorSpec, shape: TensorSpec, *, T, Tidx):
    with_rank(shape.shape, 1)
    target = known_shape(shape)
    if target.rank is not None and input.shape.rank is not None:
        if input.shape.rank > target.rank:
            raise ValueError(
                f"Rank of input ({input.shape.rank}) must be no greater than rank of output shape ({target.rank})."
            )
        try:
            broadcast_shapes(input.shape, target)
        except ValueError:
            raise ValueError(
                f"Incompatible shapes: {format_shape(input.shape)} vs. {format_shape(target)}"
            ) from None
    return [TensorSpec(T, target)]


BROADCAST_TO = _index_vector_op("BroadcastTo", ("input", "shape"), "Tidx", _broadcast_to_shape)


def broadcast_to(input, shape, name=None) -> Tensor:
    """``input`` broadcast (numpy rules) to ``shape``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(broadcast_to([1, 2], [3, 2]).shape)
    (3, 2)
    """
    return _with_index_vector(BROADCAST_TO, input, shape, name)


def _broadcast_gradient_args_shape(s0: TensorSpec, s1: TensorSpec, *, T):
    with_rank(s0.shape, 1)
    with_rank(s1.shape, 1)
    return [TensorSpec(T, TensorShape([None]))] * 2


BROADCAST_GRADIENT_ARGS = register_op(
    OpDef(
        "BroadcastGradientArgs",
        ("s0", "s1"),
        ("r0", "r1"),
        attrs={"T": dtypes.int32},
        shape_fn=_broadcast_gradient_args_shape,
    )
)


def broadcast_gradient_args(s0, s1, name=None) -> list:
    """The axes to sum the gradients of two broadcast operands of shapes ``s0``, ``s1`` over."""
    graph, scope = _scope(name or "BroadcastGradientArgs", [s0, s1])
    with scope as scope:
        s0 = convert_to_tensor(s0, graph=graph, name="s0")
        s1 = convert_to_tensor(s1, dtype=s0.dtype.base_dtype, graph=graph, name="s1")
    return apply_op(BROADCAST_GRADIENT_ARGS, [s0, s1], scope, T=_index_dtype(s0)).outputs


# -- fill, zeros, ones, one_hot -------------------------------------------------------------------


def _fill_shape(dims: TensorSpec, value: TensorSpec, *, T, index_type):
    with_rank(dims.shape, 1)
    with_rank(value.shape, 0)
    target = known_shape(dims)
    values = known_value(dims)
    if values is not None and (values < 0).any():
        raise ValueError(f"Fill dimensions must be >= 0: {values.tolist()}")
    return [TensorSpec(T, target)]


FILL = register_op(
    OpDef(
        "Fill",
        ("dims", "value"),
        attrs={"T": REQUIRED, "index_type": dtypes.int32},
        shape_fn=_fill_shape,
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
    (TensorShape([2, 3]), tf.int32)
    """
    graph, scope = _scope(name or "Fill", [dims, value])
    with scope as scope:
        dims = convert_or_pack(dims, "dims", graph)
        value = convert_to_tensor(value, graph=graph, name="value")
    return apply_op(
        FILL, [dims, value], scope, T=value.dtype.base_dtype, index_type=_index_dtype(dims)
    ).outputs[0]


def _filled(value, shape, dtype, name: str) -> Tensor:
    """TF's ``zeros``/``ones``: a ``Const`` for a small static shape, else ``Fill``."""
    dtype = dtypes.as_dtype(dtype).base_dtype
    graph, scope = _scope(name, [shape])
    with scope as scope:
        scalar = "" if dtype == dtypes.string else np.asarray(value).astype(dtype.as_numpy_dtype)
        if isinstance(shape, TensorShape):
            shape = shape.as_list()
        if not _has_tensor(shape):
            dims = [int(d) for d in np.asarray(shape, dtype=np.int64).reshape(-1)]
            if int(np.prod(dims, dtype=np.int64)) < 1000:
                return constant(scalar, dtype=dtype, shape=dims, name=scope)
        shape = convert_or_pack(shape, "shape", graph)
        if shape.shape.rank == 0:
            shape = reshape(shape, [-1])
        return fill(shape, constant(scalar, dtype=dtype), name=scope)


def zeros(shape, dtype=dtypes.float32, name=None) -> Tensor:
    """A tensor of ``shape`` filled with zeros.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     z, big = zeros([2, 3]), zeros([100, 100], tf.int32)
    >>> z.op.type, z.op.name, big.op.type, big.shape
    ('Const', 'zeros', 'Fill', TensorShape([100, 100]))
    """
    return _filled(0, shape, dtype, name or "zeros")


def ones(shape, dtype=dtypes.float32, name=None) -> Tensor:
    """A tensor of ``shape`` filled with ones."""
    return _filled(1, shape, dtype, name or "ones")


ZEROS_LIKE = register_op(
    OpDef("ZerosLike", ("x",), ("y",), attrs={"T": REQUIRED}, shape_fn=unchanged)
)
ONES_LIKE = register_op(
    OpDef("OnesLike", ("x",), ("y",), attrs={"T": REQUIRED}, shape_fn=unchanged)
)


def _filled_like(op_def, value, input, dtype, name, optimize=True) -> Tensor:
    graph, scope = _scope(name, [input])
    with scope as scope:
        tensor = convert_to_tensor(input, graph=graph, name="input")
        target = tensor.dtype.base_dtype if dtype is None else dtypes.as_dtype(dtype).base_dtype
        if optimize and tensor.shape.is_fully_defined():
            return _filled(value, tensor.shape.as_list(), target, scope)
        if target != tensor.dtype.base_dtype:
            return _filled(value, shape(tensor), target, scope)
        return apply_op(op_def, [tensor], scope, T=target).outputs[0]


def zeros_like(input, dtype=None, name=None) -> Tensor:
    """Zeros of ``input``'s shape (and dtype, unless ``dtype`` is given).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 2])
    ...     z = zeros_like(x)
    >>> z.op.type, z.shape
    ('ZerosLike', TensorShape([None, 2]))
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
        ("indices", "depth", "on_value", "off_value"),
        attrs={"T": REQUIRED, "TI": dtypes.int64, "axis": -1},
        shape_fn=_one_hot_shape,
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
    graph, scope = _scope(name or "one_hot", [indices, depth, on_value, off_value])
    with scope as scope:
        dtype = None if dtype is None else dtypes.as_dtype(dtype).base_dtype
        on = off = None
        if on_value is not None:
            on = convert_to_tensor(on_value, dtype=dtype, graph=graph, name="on_value")
            dtype = on.dtype.base_dtype
        if off_value is not None:
            off = convert_to_tensor(off_value, dtype=dtype, graph=graph, name="off_value")
            dtype = off.dtype.base_dtype
        dtype = dtype or dtypes.float32
        on = on if on is not None else convert_to_tensor(1, dtype, graph=graph, name="on_value")
        off = off if off is not None else convert_to_tensor(0, dtype, graph=graph, name="off_value")
        indices = convert_to_tensor(indices, graph=graph, name="indices")
        depth = convert_to_tensor(depth, dtype=dtypes.int32, graph=graph, name="depth")
    return apply_op(
        ONE_HOT,
        [indices, depth, on, off],
        scope,
        T=dtype,
        TI=_index_dtype(indices),
        axis=-1 if axis is None else int(axis),
    ).outputs[0]


# -- shape, size, rank, stop_gradient --------------------------------------------------------------


def _shape_shape(input: TensorSpec, *, T, out_type):
    rank = input.shape.rank
    return [TensorSpec(out_type, TensorShape([rank]))]


def _size_shape(input: TensorSpec, *, T, out_type):
    return [TensorSpec(out_type, TensorShape([]))]


SHAPE = register_op(
    OpDef(
        "Shape", ("input",), attrs={"T": REQUIRED, "out_type": dtypes.int32}, shape_fn=_shape_shape
    )
)
SIZE = register_op(
    OpDef("Size", ("input",), attrs={"T": REQUIRED, "out_type": dtypes.int32}, shape_fn=_size_shape)
)
RANK = register_op(
    OpDef(
        "Rank",
        ("input",),
        attrs={"T": REQUIRED},
        shape_fn=lambda input, T: [TensorSpec(dtypes.int32, TensorShape([]))],
    )
)


def _static_or_op(op_def, input, value, name, out_type=None) -> Tensor:
    """TF's graph-mode shortcut: a ``Const`` when the answer is static, else the op."""
    graph, scope = _scope(name, [input])
    with scope as scope:
        tensor = convert_to_tensor(input, graph=graph, name="input")
        known = value(tensor.shape)
        attrs = {"T": tensor.dtype.base_dtype}
        if out_type is not None:
            out_type = dtypes.as_dtype(out_type).base_dtype
            if out_type not in (dtypes.int32, dtypes.int64):
                raise TypeError(f"out_type must be int32 or int64, got {out_type.name}")
            attrs["out_type"] = out_type
        if known is not None:
            return constant(known, dtype=out_type or dtypes.int32, name=scope)
        return apply_op(op_def, [tensor], scope, **attrs).outputs[0]


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
        name or "Shape",
        out_type,
    )


def shape_v1(input, name=None, out_type=dtypes.int32) -> Tensor:
    """TF1's argument order of :func:`shape`."""
    return shape(input, out_type, name)


def size(input, out_type=dtypes.int32, name=None) -> Tensor:
    """The number of elements of ``input`` as a scalar."""
    return _static_or_op(SIZE, input, lambda s: s.num_elements(), name or "Size", out_type)


def size_v1(input, name=None, out_type=dtypes.int32) -> Tensor:
    """TF1's argument order of :func:`size`."""
    return size(input, out_type, name)


def rank(input, name=None) -> Tensor:
    """The number of dimensions of ``input`` as a scalar int32."""
    return _static_or_op(RANK, input, lambda s: s.rank, name or "Rank")


STOP_GRADIENT = register_op(
    OpDef("StopGradient", ("input",), attrs={"T": REQUIRED}, shape_fn=unchanged)
)


def stop_gradient(input, name=None) -> Tensor:
    """``input`` unchanged, but :func:`runtime.gradients` treats it as a constant.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.constant(3.0)
    ...     print(tf.gradients(x * stop_gradient(x), [x]))
    [<tf.Tensor "gradients/mul_grad/Mul:0" shape=() dtype=float32>]
    """
    graph, scope = _scope(name or "StopGradient", [input])
    with scope as scope:
        input = convert_to_tensor(input, graph=graph, name="input")
    return apply_op(STOP_GRADIENT, [input], scope, T=input.dtype.base_dtype).outputs[0]


# -- boolean_mask ---------------------------------------------------------------------------------------


def boolean_mask(tensor, mask, axis=None, name="boolean_mask") -> Tensor:
    """The elements (or slices along ``axis``) of ``tensor`` where ``mask`` is true.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.reshape(tf.range(6), [3, 2])
    ...     m = boolean_mask(x, [True, False, True])
    ...     print(m.shape, tf.compat.v1.Session().run(m).tolist())
    (None, 2) [[0, 1], [4, 5]]
    """
    graph, scope = _scope(name or "boolean_mask", [tensor, mask])
    with scope:
        tensor = convert_to_tensor(tensor, graph=graph, name="tensor")
        mask = convert_to_tensor(mask, graph=graph, name="mask")
        mask_rank = mask.shape.rank
        if mask_rank == 0:
            raise ValueError("mask cannot be scalar.")
        if mask_rank is None:
            raise ValueError(
                "Number of mask dimensions must be specified, even if some dimensions are None.  "
                "E.g. shape=[None] is ok, but shape=None is not."
            )
        axis = 0 if axis is None else int(axis)
        static = tensor.shape
        if static.rank is not None:
            static[axis : axis + mask_rank].assert_is_compatible_with(mask.shape)
        dims = shape(tensor)
        leading = math_ops.reduce_prod(dims[axis : axis + mask_rank], [0])
        flat = reshape(tensor, concat([dims[:axis], [leading], dims[axis + mask_rank :]], 0))
        if static.rank is not None:
            masked = static[axis : axis + mask_rank].num_elements()
            flat.set_shape(
                static[:axis].concatenate([masked]).concatenate(static[axis + mask_rank :])
            )
        indices = squeeze(math_ops.where(reshape(mask, [-1])), axis=[1])
        return gather(flat, indices, axis=axis)


def boolean_mask_v1(tensor, mask, name="boolean_mask", axis=None) -> Tensor:
    """TF1's argument order of :func:`boolean_mask`."""
    return boolean_mask(tensor, mask, axis, name)


# -- gradients -------------------------------------------------------------------------------------------


def _reshape_to_input(op, grad):
    return [reshape(grad, shape(op.inputs[0])), None]


register_gradient("Reshape")(_reshape_to_input)
register_gradient("ExpandDims")(_reshape_to_input)
register_gradient("Squeeze")(lambda op, grad: [reshape(grad, shape(op.inputs[0]))])
register_gradient("Identity")(lambda op, grad: [grad])
register_gradient("PlaceholderWithDefault")(lambda op, grad: [grad])
register_gradient("ReverseV2")(lambda op, grad: [reverse(grad, op.inputs[1]), None])


@register_gradient("Transpose")
def _transpose_grad(op, grad):
    perm = op.inputs[1]
    value = constant_value(perm)
    inverse = (
        np.argsort(value).astype(value.dtype) if value is not None else invert_permutation(perm)
    )
    return [transpose(grad, inverse), None]


@register_gradient("ConcatV2")
def _concat_grad(op, grad):
    *values, axis = op.inputs
    axis_value = constant_value(axis)
    if axis_value is not None and all(v.shape.rank is not None for v in values):
        sizes = [v.shape[int(axis_value) % v.shape.rank] for v in values]
        if None not in sizes:
            return [*split(grad, sizes, axis), None]
    sizes = [gather(shape(v), math_ops.floormod(axis, rank(v))) for v in values]
    return [*split(grad, stack(sizes), axis, num=len(values)), None]


@register_gradient("Pack")
def _pack_grad(op, grad):
    return unstack(grad, num=op.get_attr("N"), axis=op.get_attr("axis"))


@register_gradient("Unpack")
def _unpack_grad(op, *grads):
    return [stack(list(grads), axis=op.get_attr("axis"))]


@register_gradient("Split")
def _split_grad(op, *grads):
    return [None, concat(list(grads), op.inputs[0])]


@register_gradient("SplitV")
def _split_v_grad(op, *grads):
    return [concat(list(grads), op.inputs[2]), None, None]


@register_gradient("Slice")
def _slice_grad(op, grad):
    x, begin, _ = op.inputs
    before = reshape(begin, [-1, 1])
    after = reshape(
        math_ops.subtract(
            math_ops.subtract(shape(x, out_type=begin.dtype), shape(grad, out_type=begin.dtype)),
            begin,
        ),
        [-1, 1],
    )
    return [pad(grad, concat([before, after], 1)), None, None]


@register_gradient("GatherV2")
def _gather_grad(op, grad):
    # Scatter-add the gradient back: move the gathered axis to the front, sum the rows
    # that share an index (UnsortedSegmentSum), move it back.
    params, indices, axis = op.inputs
    if op.get_attr("batch_dims"):
        raise LookupError("The gradient of GatherV2 with batch_dims > 0 is not supported.")
    axis_value = constant_value(axis)
    rank_p, rank_i = params.shape.rank, indices.shape.rank
    if axis_value is None or rank_p is None or rank_i is None:
        raise LookupError("The gradient of GatherV2 needs static ranks and a constant axis.")
    axis_value = int(axis_value) % rank_p
    grad_perm = (
        list(range(axis_value, axis_value + rank_i))
        + list(range(axis_value))
        + list(range(axis_value + rank_i, rank_p + rank_i - 1))
    )
    moved = transpose(grad, grad_perm) if grad_perm != sorted(grad_perm) else grad
    params_shape = shape(params, out_type=indices.dtype)
    summed = math_ops.unsorted_segment_sum(moved, indices, gather(params_shape, axis_value))
    back = [*range(1, axis_value + 1), 0, *range(axis_value + 1, rank_p)]
    return [transpose(summed, back) if back != sorted(back) else summed, None, None]


register_gradient("GatherNd")(
    lambda op, grad: [
        scatter_nd(op.inputs[1], grad, shape(op.inputs[0], out_type=op.inputs[1].dtype)),
        None,
    ]
)
register_gradient("ScatterNd")(lambda op, grad: [None, gather_nd(grad, op.inputs[0]), None])


@register_gradient("Tile")
def _tile_grad(op, grad):
    # Reshape to [m0, d0, m1, d1, ...] and sum over the copies (the even axes).
    x, multiples = op.inputs
    input_shape = shape(x, out_type=multiples.dtype)
    split_shape = reshape(transpose(stack([multiples, input_shape])), [-1])
    axes = math_ops.range(0, size(split_shape), 2)
    summed = math_ops.reduce_sum(reshape(grad, split_shape), axes)
    if x.shape.is_fully_defined():
        summed = reshape(summed, x.shape.as_list())
    return [summed, None]


def _pad_grad(op, grad):
    x, paddings = op.inputs[:2]
    begin = reshape(slice(paddings, [0, 0], stack([rank(x), 1])), [-1])
    return [slice(grad, begin, shape(x, out_type=paddings.dtype)), None] + [None] * (
        len(op.inputs) - 2
    )


register_gradient("Pad")(_pad_grad)
register_gradient("PadV2")(_pad_grad)


@register_gradient("MirrorPad")
def _mirror_pad_grad(op, grad):
    mode = op.get_attr("mode")
    dx = apply_op(
        MIRROR_PAD_GRAD,
        [grad, op.inputs[1]],
        "MirrorPadGrad",
        T=grad.dtype.base_dtype,
        Tpaddings=op.inputs[1].dtype.base_dtype,
        mode=mode,
    ).outputs[0]
    return [dx, None]


register_gradient("MirrorPadGrad")(
    lambda op, grad: [pad(grad, op.inputs[1], op.get_attr("mode")), None]
)
register_gradient("Fill")(lambda op, grad: [None, math_ops.reduce_sum(grad)])
register_gradient("BroadcastTo")(
    lambda op, grad: [math_ops.reduce_to_shape(grad, op.inputs[0]), None]
)

for _op_type in (
    "Shape",
    "Size",
    "Rank",
    "ZerosLike",
    "OnesLike",
    "OneHot",
    "StopGradient",
    "InvertPermutation",
    "BroadcastGradientArgs",
):
    not_differentiable(_op_type)
