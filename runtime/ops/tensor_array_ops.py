"""``tf.TensorArray``: a list of tensors written and read by index while a graph runs.

TF1's graph-mode class over TF's ops: ``TensorArrayV3`` makes the array (a resource
``handle``) and a float scalar ``flow``; every write returns a new ``flow`` and a new
``TensorArray`` object sharing the handle, and every read takes the flow it is given,
so the flow orders the operations on one array (a write before the reads that use its
flow). In a ``while_loop`` an array is carried as its flow: pass ``TensorArray``
objects among the loop variables and the body receives and returns them as arrays.
The kernels and the runtime semantics are in :mod:`runtime.kernels.tensor_array`.

Shape inference (``infer_shape=True``, the default) keeps one element shape for an
array and every array derived from it, merged with each value written, and gives it
to the results of ``read``, ``stack`` and ``gather``.

Gradients are TF's: the gradient of a write reads the gradient array, the gradient of
a read writes (adds) to it, and so on, where the gradient array is the one that
``TensorArrayGradV3`` finds for the ``tf.gradients`` call the op belongs to.
"""

from __future__ import annotations

import contextlib

from .. import dtypes
from ..graph import Tensor, get_default_graph
from ..registry import (
    OpDef,
    TensorSpec,
    not_differentiable,
    register_gradient,
    register_op,
)
from ..shapes import TensorShape, as_shape
from . import list_ops  # noqa: F401 (registers the TensorList ops TF2 builds TensorArrays from)
from .array_ops import identity
from .constant_value import constant_value
from .core import apply_op, convert_to_tensor
from .shape_util import with_rank, with_rank_at_least

__all__ = ["TensorArray"]

_SCALAR = TensorShape([])
_FLOW = TensorSpec(dtypes.float32, _SCALAR)
# TF's shape functions give a TensorArray's handle the shape [2] (the shape of the string
# handle of the first TensorArray op): graphs written with [] fail TF's import.
_HANDLE = TensorSpec(dtypes.resource, TensorShape([2]))


def _scalar(spec: TensorSpec, what: str) -> None:
    try:
        with_rank(spec.shape, 0)
    except ValueError as err:
        raise ValueError(f"{err} (the {what})") from None


def _create_shape(size, **_attrs):
    _scalar(size, "size")
    return [_HANDLE, _FLOW]


def _grad_shape(handle, flow_in, *, source):
    return [_HANDLE, _FLOW]


def _write_shape(handle, index, value, flow_in, *, T):
    _scalar(index, "index")
    return [_FLOW]


def _read_shape(handle, index, flow_in, *, dtype):
    _scalar(index, "index")
    return [TensorSpec(dtype, TensorShape(None))]


def _gather_shape(handle, indices, flow_in, *, dtype, element_shape):
    with_rank(indices.shape, 1)
    if element_shape is None or element_shape.rank is None:
        return [TensorSpec(dtype, TensorShape(None))]
    # As TF's: the number of indices is not carried into the static shape.
    return [TensorSpec(dtype, TensorShape([None, *element_shape.as_tuple()]))]


def _scatter_shape(handle, indices, value, flow_in, *, T):
    count = with_rank(indices.shape, 1).dim_value(0)
    first = with_rank_at_least(value.shape, 1).dim_value(0)
    if count is not None and first is not None and count != first:
        raise ValueError(f"Dimensions must be equal, but are {first} and {count}")
    return [_FLOW]


def _concat_shape(handle, flow_in, *, dtype, element_shape_except0):
    return [TensorSpec(dtype, TensorShape(None)), TensorSpec(dtypes.int64, TensorShape([None]))]


def _split_shape(handle, value, lengths, flow_in, *, T):
    with_rank(lengths.shape, 1)
    with_rank_at_least(value.shape, 1)
    return [_FLOW]


def _register(name, inputs, outputs, attrs, shape_fn) -> OpDef:
    return register_op(OpDef(name, inputs, outputs, attrs, shape_fn, is_stateful=True))


_UNKNOWN = "{ unknown_rank: true }"
TENSOR_ARRAY = _register(
    "TensorArrayV3",
    ("size: int32",),
    ("handle: resource", "flow: float32"),
    (
        "dtype: type",
        f"element_shape: shape = {_UNKNOWN}",
        "dynamic_size: bool = false",
        "clear_after_read: bool = true",
        "identical_element_shapes: bool = false",
        "tensor_array_name: string = ''",
    ),
    _create_shape,
)
GRAD = _register(
    "TensorArrayGradV3",
    ("handle: resource", "flow_in: float32"),
    ("grad_handle: resource", "flow_out: float32"),
    ("source: string",),
    _grad_shape,
)
WRITE = _register(
    "TensorArrayWriteV3",
    ("handle: resource", "index: int32", "value: T", "flow_in: float32"),
    ("flow_out: float32",),
    ("T: type",),
    _write_shape,
)
READ = _register(
    "TensorArrayReadV3",
    ("handle: resource", "index: int32", "flow_in: float32"),
    ("value: dtype",),
    ("dtype: type",),
    _read_shape,
)
GATHER = _register(
    "TensorArrayGatherV3",
    ("handle: resource", "indices: int32", "flow_in: float32"),
    ("value: dtype",),
    ("dtype: type", f"element_shape: shape = {_UNKNOWN}"),
    _gather_shape,
)
SCATTER = _register(
    "TensorArrayScatterV3",
    ("handle: resource", "indices: int32", "value: T", "flow_in: float32"),
    ("flow_out: float32",),
    ("T: type",),
    _scatter_shape,
)
CONCAT = _register(
    "TensorArrayConcatV3",
    ("handle: resource", "flow_in: float32"),
    ("value: dtype", "lengths: int64"),
    ("dtype: type", f"element_shape_except0: shape = {_UNKNOWN}"),
    _concat_shape,
)
SPLIT = _register(
    "TensorArraySplitV3",
    ("handle: resource", "value: T", "lengths: int64", "flow_in: float32"),
    ("flow_out: float32",),
    ("T: type",),
    _split_shape,
)
SIZE = _register(
    "TensorArraySizeV3",
    ("handle: resource", "flow_in: float32"),
    ("size: int32",),
    (),
    lambda handle, flow_in: [TensorSpec(dtypes.int32, _SCALAR)],
)
CLOSE = _register("TensorArrayCloseV3", ("handle: resource",), (), (), lambda handle: [])


class TensorArray:
    """A list of tensors of one dtype, written and read by index when the graph runs.

    Parameters
    ----------
    dtype : DType
        The elements' dtype.
    size : int or int32 scalar Tensor, optional
        The number of elements; required unless ``handle`` is given.
    dynamic_size : bool, optional
        Writes past the end grow the array (default ``False``).
    clear_after_read : bool, optional
        An element can be read once (default ``True``), which frees it early.
    tensor_array_name : str, optional
        The array's name in runtime messages (default: the op's name).
    handle, flow : Tensor, optional
        Wrap an existing array (as ``TensorArray.grad`` and the loop machinery do).
    infer_shape : bool
        All elements have one shape, learnt from the writes (default ``True``).
    element_shape : TensorShape, optional
        What is known of every element's shape.
    colocate_with_first_write_call : bool
        Place the writing ops with the first value written.
    name : str, optional

    Raises
    ------
    ValueError
        ``size`` missing without a handle, or given with one (likewise
        ``element_shape``, ``dynamic_size``, ``clear_after_read``); a handle without
        ``flow``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     ta = TensorArray(tf.float32, size=3)
    ...     ta = ta.write(0, 1.0).write(1, 2.0).write(2, 3.0)
    ...     stacked = ta.stack()
    ...     print(stacked.shape, tf.compat.v1.Session().run(stacked))
    (3,) [1. 2. 3.]
    """

    def __init__(
        self,
        dtype,
        size=None,
        dynamic_size=None,
        clear_after_read=None,
        tensor_array_name=None,
        handle=None,
        flow=None,
        infer_shape=True,
        element_shape=None,
        colocate_with_first_write_call=True,
        name=None,
    ):
        _check_constructor(
            size, dynamic_size, clear_after_read, tensor_array_name, handle, flow, element_shape
        )
        self._dtype = dtypes.as_dtype(dtype).base_dtype
        self._dynamic_size = bool(dynamic_size)
        self._infer_shape = infer_shape
        self._colocate_with_first_write_call = colocate_with_first_write_call
        self._colocate_with: list = []  # the first value written, shared like the shape
        # One element shape shared by every array derived from this one (a write returns
        # a new object): a list, so merging a write's shape updates them all.
        self._element_shape = [as_shape(element_shape)] if element_shape is not None else []
        if handle is not None:
            self._handle, self._flow, self._size = handle, flow, None
            return
        graph = get_default_graph()
        with graph.name_scope(name or "TensorArray") as scope:
            self._size = convert_to_tensor(size, dtype=dtypes.int32, name="size")
            placement = (
                graph.colocate_with(None, ignore_existing=True)
                if colocate_with_first_write_call
                else contextlib.nullcontext()
            )
            with placement:
                op = apply_op(
                    TENSOR_ARRAY,
                    [self._size],
                    scope,
                    dtype=self._dtype,
                    element_shape=as_shape(element_shape),
                    dynamic_size=self._dynamic_size,
                    clear_after_read=True if clear_after_read is None else bool(clear_after_read),
                    identical_element_shapes=bool(infer_shape),
                    tensor_array_name=tensor_array_name or "",
                )
        self._handle, self._flow = op.outputs

    # -- what it is ----------------------------------------------------------------------

    dtype = property(lambda self: self._dtype, doc="The elements' dtype.")
    handle = property(lambda self: self._handle, doc="The resource handle tensor.")
    flow = property(lambda self: self._flow, doc="The float scalar that orders the ops.")
    dynamic_size = property(lambda self: self._dynamic_size)

    @property
    def element_shape(self) -> TensorShape:
        """What is known of every element's shape (unknown when nothing is)."""
        return self._element_shape[0] if self._element_shape else TensorShape(None)

    def __repr__(self):
        return f"<TensorArray {self._handle.op.name} dtype={self._dtype.name}>"

    def _with_flow(self, flow: Tensor) -> TensorArray:
        """The same array after the op that made ``flow`` (TF's ``build_ta_with_new_flow``)."""
        new = TensorArray(
            self._dtype,
            handle=self._handle,
            flow=flow,
            infer_shape=self._infer_shape,
            colocate_with_first_write_call=self._colocate_with_first_write_call,
        )
        new._dynamic_size = self._dynamic_size
        new._size = self._size
        new._colocate_with = self._colocate_with
        new._element_shape = self._element_shape
        return new

    # Control flow carries an array as its flow: a loop variable or a branch result that
    # is a TensorArray becomes its flow, and the same array again on the other side.
    def _loop_flow(self) -> Tensor:
        return self._flow

    def _with_loop_flow(self, flow: Tensor) -> TensorArray:
        return self._with_flow(flow)

    def _merge_element_shape(self, shape: TensorShape) -> None:
        if not self._infer_shape:
            return
        if not self._element_shape:
            self._element_shape.append(shape)
            return
        if not shape.is_compatible_with(self._element_shape[0]):
            raise ValueError(
                f"Inconsistent shapes: saw {shape} but expected {self._element_shape[0]}"
            )
        self._element_shape[0] = self._element_shape[0].merge_with(shape)

    @contextlib.contextmanager
    def _placed_with(self, value: Tensor):
        """Writes go with the first value written, when the array was made so."""
        if not self._colocate_with_first_write_call:
            yield
            return
        if not self._colocate_with:
            self._colocate_with.append(value)
        graph = get_default_graph()
        first = self._colocate_with[0]
        # A first write inside a function body (a loop) cannot place ops outside it.
        placement = graph.colocate_with(first) if first.graph is graph else contextlib.nullcontext()
        with placement:
            yield

    def _value(self, value, dtype_strict: bool) -> Tensor:
        if dtype_strict:
            tensor = convert_to_tensor(value, dtype=self._dtype, name="value")
        else:
            tensor = convert_to_tensor(value, preferred_dtype=self._dtype, name="value")
        if tensor.dtype.base_dtype != self._dtype:
            raise TypeError(
                f"TensorArray has dtype {self._dtype.name}, but the value written "
                f"({tensor.name}) has dtype {tensor.dtype.base_dtype.name}."
            )
        return tensor

    # -- the operations --------------------------------------------------------------------

    def identity(self) -> TensorArray:
        """This array with a new flow (an ``Identity``), e.g. to add control dependencies."""
        return self._with_flow(identity(self._flow))

    def grad(self, source, flow=None, name=None) -> TensorArray:
        """The gradient array of this one for gradient computation ``source``."""
        graph = get_default_graph()
        flow = self._flow if flow is None else flow
        with graph.name_scope(name or "TensorArrayGrad"), graph.colocate_with(self._handle):
            op = apply_op(GRAD, [self._handle, flow], name or "TensorArrayGradV3", source=source)
            with graph.control_dependencies([op]):
                flow = identity(flow, name="gradient_flow")
        grad = TensorArray(
            self._dtype,
            handle=op.outputs[0],
            flow=flow,
            infer_shape=self._infer_shape,
            colocate_with_first_write_call=False,
        )
        grad._element_shape = self._element_shape
        return grad

    def read(self, index, name=None) -> Tensor:
        """The element at ``index`` (an int32 scalar)."""
        value = apply_op(
            READ,
            [self._handle, _index(index), self._flow],
            name or "TensorArrayReadV3",
            dtype=self._dtype,
        ).outputs[0]
        if self._element_shape:
            value.set_shape(self._element_shape[0])
        return value

    def write(self, index, value, name=None) -> TensorArray:
        """The array with ``value`` written at ``index``."""
        graph = get_default_graph()
        with graph.name_scope(name or "TensorArrayWrite"):
            value = self._value(value, dtype_strict=False)
            self._merge_element_shape(value.shape)
            with self._placed_with(value):
                flow = apply_op(
                    WRITE,
                    [self._handle, _index(index), value, self._flow],
                    name or "TensorArrayWriteV3",
                    T=self._dtype,
                ).outputs[0]
        return self._with_flow(flow)

    def stack(self, name=None) -> Tensor:
        """All elements stacked along a new first dimension."""
        from .math_ops import range as range_

        graph = get_default_graph()
        with graph.colocate_with(self._handle), graph.name_scope(name or "TensorArrayStack"):
            value = self.gather(range_(0, self.size()), name=name)
            size = self._static_size()
            if self._element_shape and size is not None:
                value.set_shape([int(size), *self.element_shape.as_list()])
            return value

    def gather(self, indices, name=None) -> Tensor:
        """The elements at ``indices``, stacked."""
        indices = convert_to_tensor(indices, dtype=dtypes.int32, name="indices")
        value = apply_op(
            GATHER,
            [self._handle, indices, self._flow],
            name or "TensorArrayGatherV3",
            dtype=self._dtype,
            element_shape=self.element_shape,
        ).outputs[0]
        if self.element_shape.rank is not None:
            value.set_shape([None, *self.element_shape.as_list()])
        return value

    def concat(self, name=None) -> Tensor:
        """All elements concatenated along their first dimension."""
        shape = self.element_shape
        if shape.rank == 0:
            raise ValueError(
                "TensorArray.concat needs elements of rank 1 or more, but the elements are scalars."
            )
        rest = TensorShape(None) if shape.rank is None else TensorShape(shape.as_list()[1:])
        value = apply_op(
            CONCAT,
            [self._handle, self._flow],
            name or "TensorArrayConcatV3",
            dtype=self._dtype,
            element_shape_except0=rest,
        ).outputs[0]
        if shape.rank is not None:
            size = self._static_size() if self._infer_shape else None
            dim0 = None
            if size is not None and shape.dim_value(0) is not None:
                dim0 = int(size) * shape.dim_value(0)
            value.set_shape([dim0, *shape.as_list()[1:]])
        return value

    def unstack(self, value, name=None) -> TensorArray:
        """The array with the slices of ``value`` along its first dimension written."""
        from .array_ops import shape
        from .math_ops import range as range_

        graph = get_default_graph()
        with graph.name_scope(name or "TensorArrayUnstack"):
            value = convert_to_tensor(value, preferred_dtype=self._dtype, name="value")
            count = shape(value)[0]
            return self.scatter(range_(0, count), value, name=name)

    def scatter(self, indices, value, name=None) -> TensorArray:
        """The array with ``value[i]`` written at ``indices[i]``."""
        graph = get_default_graph()
        with graph.name_scope(name or "TensorArrayScatter"):
            value = self._value(value, dtype_strict=False)
            if value.shape.rank is not None:
                self._merge_element_shape(TensorShape(value.shape.as_list()[1:]))
            indices = convert_to_tensor(indices, dtype=dtypes.int32, name="indices")
            with self._placed_with(value):
                flow = apply_op(
                    SCATTER,
                    [self._handle, indices, value, self._flow],
                    name or "TensorArrayScatterV3",
                    T=self._dtype,
                ).outputs[0]
        return self._with_flow(flow)

    def split(self, value, lengths, name=None) -> TensorArray:
        """The array with consecutive pieces of ``value`` (``lengths`` rows each) written."""
        from .math_ops import cast

        graph = get_default_graph()
        with graph.name_scope(name or "TensorArraySplit"):
            value = self._value(value, dtype_strict=True)
            with self._placed_with(value):
                lengths = cast(lengths, dtypes.int64)
                known = constant_value(lengths)
                if (
                    value.shape.rank is not None
                    and known is not None
                    and known.size
                    and known.max() == known.min()
                ):
                    rest = value.shape.as_list()[1:]
                    self._merge_element_shape(TensorShape([int(known[0]), *rest]))
                flow = apply_op(
                    SPLIT,
                    [self._handle, value, lengths, self._flow],
                    name or "TensorArraySplitV3",
                    T=self._dtype,
                ).outputs[0]
        return self._with_flow(flow)

    def _static_size(self):
        if self._dynamic_size or self._size is None:
            return None
        return constant_value(self._size)

    def size(self, name=None) -> Tensor:
        """The number of elements (the static size unless the array grows)."""
        if not self._dynamic_size and self._size is not None:
            return self._size
        return apply_op(SIZE, [self._handle, self._flow], name or "TensorArraySizeV3").outputs[0]

    def close(self, name=None):
        """Free the array: later operations on it fail."""
        return apply_op(CLOSE, [self._handle], name or "TensorArrayCloseV3")


def _index(index) -> Tensor:
    return convert_to_tensor(index, dtype=dtypes.int32, name="index")


def _check_constructor(
    size, dynamic_size, clear_after_read, name, handle, flow, element_shape
) -> None:
    if handle is None:
        if size is None:
            raise ValueError("Argument `size` must be provided if handle is not provided.")
        return
    if name:
        raise ValueError("Cannot construct with both handle and tensor_array_name")
    if not isinstance(handle, Tensor):
        raise TypeError(f"Handle must be a Tensor, got {handle!r}")
    if flow is None:
        raise ValueError("flow must not be None if handle is not None.")
    given = {
        "size": size,
        "element_shape": element_shape,
        "dynamic_size": dynamic_size,
        "clear_after_read": clear_after_read,
    }
    for what, value in given.items():
        if value is not None:
            raise ValueError(f"Cannot provide both a handle and {what} at the same time")


# -- gradients ---------------------------------------------------------------------------


def gradient_source(tensor: Tensor) -> str:
    """The ``tf.gradients`` call ``tensor`` belongs to: its name up to the last ``gradients``
    scope (TF's ``_GetGradSource``), e.g. ``gradients_1`` for ``gradients_1/a/b:0``.

    Inside a function body traced for a gradient (the functional ``While``'s), the
    gradient call is the one whose scope the enclosing graphs are in, so arrays written
    inside a loop and read outside it meet in one gradient array.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     with tf.name_scope("gradients_1"), tf.name_scope("rnn"):
    ...         g = tf.constant(1.0, name="g")
    >>> gradient_source(g)
    'gradients_1'
    """
    names = [tensor.name]
    graph = tensor.graph
    while getattr(graph, "outer_graph", None) is not None:
        graph = graph.outer_graph
        names.append(graph.get_name_scope())
    for name in reversed(names):
        tokens = name.split("/")
        found = [i for i, token in enumerate(tokens) if token.startswith("gradients")]
        if found:
            return "/".join(tokens[: found[-1] + 1])
    raise ValueError(
        f"Expected op/tensor name to start with gradients (excluding scope), got: {tensor.name}"
    )


def _grad_array(op, flow: Tensor, source: str) -> TensorArray:
    """The gradient array, for ``source``, of the array ``op`` works on."""
    dtype = op.get_attr("T") if "T" in op.attrs else op.get_attr("dtype")
    forward = TensorArray(
        dtype, handle=op.inputs[0], flow=flow, colocate_with_first_write_call=False
    )
    return forward.grad(source=source, flow=flow)


def _after_write(op, flow_grad: Tensor) -> Tensor:
    """``flow_grad``, available only once ``op`` (a write) has run: the gradient array,
    made from it, then knows every element the forward array holds."""
    flow_out = identity(op.outputs[0], name="flow_out")
    with get_default_graph().control_dependencies([flow_out]):
        return identity(flow_grad, name="write_barrier")


@register_gradient("TensorArrayReadV3")
def _read_grad(op, grad):
    index, flow = op.inputs[1], op.inputs[2]
    written = _grad_array(op, flow, gradient_source(grad)).write(index, grad)
    return [None, None, written.flow]


@register_gradient("TensorArrayWriteV3")
def _write_grad(op, flow_grad):
    flow = _after_write(op, flow_grad)
    grad = _grad_array(op, flow, gradient_source(flow_grad)).read(op.inputs[1])
    return [None, None, grad, flow]


@register_gradient("TensorArrayGatherV3")
def _gather_grad(op, grad):
    indices, flow = op.inputs[1], op.inputs[2]
    written = _grad_array(op, flow, gradient_source(grad)).scatter(indices, grad)
    return [None, None, written.flow]


@register_gradient("TensorArrayScatterV3")
def _scatter_grad(op, flow_grad):
    flow = _after_write(op, flow_grad)
    grad = _grad_array(op, flow, gradient_source(flow_grad)).gather(op.inputs[1])
    return [None, None, grad, flow]


@register_gradient("TensorArrayConcatV3")
def _concat_grad(op, grad, unused_lengths_grad):
    flow, lengths = op.inputs[1], op.outputs[1]
    written = _grad_array(op, flow, gradient_source(grad)).split(grad, lengths=lengths)
    return [None, written.flow]


@register_gradient("TensorArraySplitV3")
def _split_grad(op, flow_grad):
    flow = _after_write(op, flow_grad)
    grad = _grad_array(op, flow, gradient_source(flow_grad)).concat()
    return [None, grad, None, flow]


for _op_type in ("TensorArrayV3", "TensorArrayGradV3", "TensorArraySizeV3", "TensorArrayCloseV3"):
    not_differentiable(_op_type)
