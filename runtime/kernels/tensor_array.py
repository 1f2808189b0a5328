"""Kernels of TensorArrays: ``TensorArrayV3`` and the ops that read and write it.

A ``TensorArrayV3`` op makes a new :class:`TensorArrayResource` each time it runs and
outputs it as its handle; the other ops take the handle as their first input. So an
array lives exactly as long as the step that made it, as TF's arrays live in the
step's resource container: nothing is left behind in the session, and a loop that
runs the creating op again gets a new array. (TF declares the handle a vector of two
strings, a leftover of the older string handles; here it is a scalar resource.)

Semantics, as TF's ``tensor_array.h``
    An element is written once (a gradient array instead *adds* further writes) and
    read once unless ``clear_after_read`` is off. Reading an element never written
    gives zeros when its shape is known (the element shape of the array, or for a
    gradient array the shape of the forward element), else fails. An array with
    ``dynamic_size`` grows on writes past its end. ``identical_element_shapes`` makes
    the first written shape the element shape. A closed array refuses everything.
Gradients
    ``TensorArrayGradV3`` finds or makes the gradient array of an array for a
    ``source`` (one per ``tf.gradients`` call): same size, summing writes, knowing the
    shapes of the forward elements written so far.
Rollback
    Every change records its undo in the step's journal, so the stepper can undo one
    op and run it again, and a failed step's writes are undone with the rest.
"""

from __future__ import annotations

import itertools
import threading

import numpy as np

from ..errors import InvalidArgumentError, UnimplementedError
from ..registry import register_kernel
from .math import shape_text

_array_ids = itertools.count()  # TF names arrays "<name>_<n>", n counting in the process


def _partial_text(dims) -> str:
    """TF's text for a partially known shape: ``<unknown>`` or ``[?,2]``."""
    return "<unknown>" if dims is None else shape_text(dims)


def _compatible(dims, shape: tuple) -> bool:
    if dims is None:
        return True
    return len(dims) == len(shape) and all(d is None or d == s for d, s in zip(dims, shape))


class _Element:
    """One slot of an array. ``shape`` without ``value``: known zeros (a gradient's)."""

    __slots__ = ("cleared", "read", "shape", "value", "written")

    def __init__(self):
        self.value = None
        self.shape = None
        self.written = False
        self.read = False
        self.cleared = False

    def state(self) -> tuple:
        return (self.value, self.shape, self.written, self.read, self.cleared)

    def restore(self, state: tuple) -> None:
        self.value, self.shape, self.written, self.read, self.cleared = state


class TensorArrayResource:
    """The elements of one TensorArray, and the gradient arrays made from it.

    Parameters
    ----------
    name : str
        The name TF prints in messages (``TensorArray_0``).
    dtype : numpy dtype
    size : int
    element_shape : tuple or None
        The known part of every element's shape (``None`` dims unknown), ``None`` if
        nothing is known.
    dynamic_size, clear_after_read, identical_element_shapes : bool
    aggregate : bool
        Writes to a written element add to it (gradient arrays).

    Examples
    --------
    >>> from runtime.resources import Journal
    >>> ta = TensorArrayResource("ta_0", np.float32, 2, (2,), False, True, True)
    >>> ta.write_at(1, np.ones(2, np.float32), Journal())
    >>> ta.read_at(0, Journal()), ta.read_at(1, Journal())
    (array([0., 0.], dtype=float32), array([1., 1.], dtype=float32))
    """

    def __init__(
        self,
        name,
        dtype,
        size,
        element_shape,
        dynamic_size,
        clear_after_read,
        identical_element_shapes,
        aggregate=False,
    ):
        self.name = name
        self.dtype = np.dtype(dtype)
        self.elements = [_Element() for _ in range(size)]
        self.element_shape = element_shape
        self.dynamic_size = dynamic_size
        self.clear_after_read = clear_after_read
        self.identical_element_shapes = identical_element_shapes
        self.aggregate = aggregate
        self.closed = False
        self.grads: dict[str, TensorArrayResource] = {}
        self.lock = threading.RLock()

    def __repr__(self):
        return f"<TensorArray {self.name} of {len(self.elements)} {self.dtype}>"

    def _fail(self, text: str, error=InvalidArgumentError):
        raise error(None, None, f"TensorArray {self.name}: {text}")

    def check_open(self) -> None:
        if self.closed:
            raise InvalidArgumentError(
                None, None, f"TensorArray {self.name} has already been closed."
            )

    @property
    def size(self) -> int:
        with self.lock:
            self.check_open()
            return len(self.elements)

    # -- changes, each with its undo --------------------------------------------------

    def _changing(self, index: int):
        """Element ``index`` (the array grown to hold it) about to change, and how to undo
        the change: the caller records that in the journal after changing, as the
        journal asks (a plain function, not a context manager: this runs per element)."""
        size, element_shape = len(self.elements), self.element_shape
        if index >= size:
            self.elements.extend([_Element() for _ in range(index + 1 - size)])
        element = self.elements[index]
        state = element.state()

        def undo():
            element.restore(state)
            del self.elements[size:]
            self.element_shape = element_shape

        return element, undo

    def write_at(self, index: int, value, journal) -> None:
        """Store ``value`` at ``index`` (add it, for a gradient array)."""
        with self.lock:
            self.check_open()
            if index < 0 or (not self.dynamic_size and index >= len(self.elements)):
                self._fail(
                    f"Tried to write to index {index} but array is not resizeable and size "
                    f"is: {len(self.elements)}"
                )
            value = np.asarray(value)
            element, undo = self._changing(index)
            try:
                self._check_value(index, value)
                if element.read:
                    self._fail(
                        f"Could not write to TensorArray index {index} because it has "
                        "already been read."
                    )
                if element.written and not self.aggregate:
                    self._fail(
                        f"Could not write to TensorArray index {index} because it has "
                        "already been written to."
                    )
                if element.written:
                    self._add_to(index, element, value)
                else:
                    element.value, element.shape, element.written = value, value.shape, True
            finally:
                journal.record(undo)

    def _check_value(self, index: int, value: np.ndarray) -> None:
        if value.dtype != self.dtype:
            self._fail(
                f"Could not write to TensorArray index {index} because the value dtype is "
                f"{value.dtype} but TensorArray dtype is {self.dtype}."
            )
        if not _compatible(self.element_shape, value.shape):
            self._fail(
                f"Could not write to TensorArray index {index} because the value shape is "
                f"{shape_text(value.shape)} which is incompatible with the TensorArray's "
                f"inferred element shape: {_partial_text(self.element_shape)} (consider "
                "setting infer_shape=False)."
            )
        known = self.element_shape is not None and None not in self.element_shape
        if self.identical_element_shapes and not known:
            self.element_shape = value.shape

    def _add_to(self, index: int, element: _Element, value: np.ndarray) -> None:
        if value.shape != element.shape:
            self._fail(
                f"Could not aggregate to TensorArray index {index} because the existing "
                f"shape is {shape_text(element.shape)} but the new input shape is "
                f"{shape_text(value.shape)}."
            )
        element.value = value if element.value is None else element.value + value

    def read_at(self, index: int, journal) -> np.ndarray:
        """The value at ``index`` (zeros for an unwritten element of known shape)."""
        with self.lock:
            self.check_open()
            if index < 0 or index >= len(self.elements):
                raise InvalidArgumentError(
                    None,
                    None,
                    f"Tried to read from index {index} but array size is: {len(self.elements)}",
                )
            element, undo = self._changing(index)
            try:
                if element.cleared:
                    self._fail(
                        f"Could not read index {index} twice because it was cleared after a "
                        "previous read (perhaps try setting clear_after_read = false?)."
                    )
                value = element.value
                if value is None:
                    value = np.zeros(self._zeros_shape(index, element), self.dtype)
                if self.clear_after_read:
                    element.value, element.cleared = None, True
                element.read = True
                return value
            finally:
                journal.record(undo)

    def _zeros_shape(self, index: int, element: _Element) -> tuple:
        if element.shape is not None:
            return element.shape
        if self.element_shape is None or None in self.element_shape:
            self._fail(
                f"Could not read from TensorArray index {index}.  Furthermore, the element "
                f"shape is not fully defined: {_partial_text(self.element_shape)}.  It is "
                "possible you are working with a resizeable TensorArray and stop_gradients "
                "is not allowing the gradients to be written.  If you set the full "
                "element_shape property on the forward TensorArray, the proper all-zeros "
                "tensor will be returned instead of incurring this error."
            )
        return self.element_shape

    def close(self, journal) -> None:
        with self.lock:
            old = (self.elements, self.closed)
            self.elements, self.closed = [], True
            journal.record(lambda: self._reopen(old))

    def _reopen(self, old) -> None:
        self.elements, self.closed = old

    def gradient(self, source: str, journal) -> TensorArrayResource:
        """The gradient array for ``source``, made on first use."""
        with self.lock:
            self.check_open()
            grad = self.grads.get(source)
            if grad is None:
                grad = TensorArrayResource(
                    f"{self.name}@{source}",
                    self.dtype,
                    len(self.elements),
                    self.element_shape,
                    False,
                    self.clear_after_read,
                    self.identical_element_shapes,
                    aggregate=True,
                )
                for mine, forward in zip(grad.elements, self.elements):
                    if forward.written:
                        mine.shape, mine.written = forward.shape, True
                self.grads[source] = grad
                journal.record(lambda: self.grads.pop(source, None))
            return grad


def _stacked(ta: TensorArrayResource, values: list, element_shape) -> np.ndarray:
    """``values`` (all of one shape) stacked; the empty case needs a known element shape."""
    dims = element_shape.as_tuple() if element_shape is not None else None
    if not values:
        dims = dims if dims is not None and None not in dims else ta.element_shape
        if dims is None or None in dims:
            raise UnimplementedError(
                None,
                None,
                f"TensorArray has size zero, but element shape {_partial_text(dims)} is not "
                "fully defined. Currently only static shapes are supported when packing "
                "zero-size TensorArrays.",
            )
        return np.zeros((0, *dims), ta.dtype)
    first = values[0].shape
    if not _compatible(dims, first):
        raise InvalidArgumentError(
            None,
            None,
            f"TensorArray was passed element_shape {_partial_text(dims)} which does not "
            f"match the Tensor at index 0: {shape_text(first)}",
        )
    for i, value in enumerate(values[1:], 1):
        if value.shape != first:
            raise InvalidArgumentError(
                None,
                None,
                f"TensorArray has inconsistent shapes.  Index 0 has shape: {shape_text(first)} "
                f"but index {i} has shape: {shape_text(value.shape)}",
            )
    return np.stack(values)


@register_kernel("TensorArrayV3", context=True)
def tensor_array(
    ctx,
    size,
    *,
    dtype,
    element_shape,
    dynamic_size,
    clear_after_read,
    identical_element_shapes,
    tensor_array_name,
):
    size = int(size)
    if size < 0:
        raise InvalidArgumentError(None, None, "Size should be >= 0.")
    name = f"{tensor_array_name or ctx.op.name}_{next(_array_ids)}"
    array = TensorArrayResource(
        name,
        dtype.as_numpy_dtype,
        size,
        element_shape.as_tuple() if element_shape is not None else None,
        dynamic_size,
        clear_after_read,
        identical_element_shapes,
    )
    return array, np.float32(0.0)


@register_kernel("TensorArrayGradV3", context=True)
def tensor_array_grad(ctx, handle, flow_in, *, source):
    return handle.gradient(source, ctx.journal), flow_in


@register_kernel("TensorArrayWriteV3", context=True)
def tensor_array_write(ctx, handle, index, value, flow_in, *, T):
    handle.write_at(int(index), value, ctx.journal)
    return (flow_in,)


@register_kernel("TensorArrayReadV3", context=True)
def tensor_array_read(ctx, handle, index, flow_in, *, dtype):
    return (handle.read_at(int(index), ctx.journal),)


@register_kernel("TensorArrayGatherV3", context=True)
def tensor_array_gather(ctx, handle, indices, flow_in, *, dtype, element_shape):
    with handle.lock:
        values = [handle.read_at(int(i), ctx.journal) for i in np.asarray(indices).reshape(-1)]
        return (_stacked(handle, values, element_shape),)


@register_kernel("TensorArrayScatterV3", context=True)
def tensor_array_scatter(ctx, handle, indices, value, flow_in, *, T):
    indices = np.asarray(indices)
    value = np.asarray(value)
    if indices.ndim != 1:
        raise InvalidArgumentError(
            None,
            None,
            f"Expected indices to be a vector, but received shape: {shape_text(indices.shape)}",
        )
    if value.ndim < 1 or len(indices) != value.shape[0]:
        dim0 = value.shape[0] if value.ndim else "a scalar"
        raise InvalidArgumentError(
            None,
            None,
            f"Expected len(indices) == values.shape[0], but saw: {len(indices)} vs. {dim0}",
        )
    with handle.lock:
        size = handle.size
        if not handle.dynamic_size and len(indices) and indices.max() >= size:
            raise InvalidArgumentError(
                None,
                None,
                f"Max scatter index must be < array size ({indices.max()} vs. {size})",
            )
        for i, element in zip(indices, value):
            handle.write_at(int(i), element, ctx.journal)
    return (flow_in,)


@register_kernel("TensorArrayConcatV3", context=True)
def tensor_array_concat(ctx, handle, flow_in, *, dtype, element_shape_except0):
    with handle.lock:
        values = [handle.read_at(i, ctx.journal) for i in range(handle.size)]
    if not values:
        dims = element_shape_except0.as_tuple() if element_shape_except0 is not None else None
        if dims is None or None in dims:
            raise UnimplementedError(
                None,
                None,
                f"TensorArray has size zero, but element_shape_except0 {_partial_text(dims)} "
                "is not fully defined. Currently only static shapes are supported when "
                "concatenating zero-size TensorArrays.",
            )
        return np.zeros((0, *dims), handle.dtype), np.zeros(0, np.int64)
    for i, value in enumerate(values):
        if value.ndim == 0:
            raise InvalidArgumentError(
                None, None, f"Concat saw a scalar shape at index {i}: {shape_text(value.shape)}"
            )
        if value.shape[1:] != values[0].shape[1:]:
            raise InvalidArgumentError(
                None,
                None,
                "TensorArray has inconsistent shapes.  Index 0 has (excepting dimension 0) "
                f"shape: {shape_text(values[0].shape[1:])} but index {i} has (excepting "
                f"dimension 0) shape: {shape_text(value.shape[1:])}",
            )
    lengths = np.array([value.shape[0] for value in values], np.int64)
    return np.concatenate(values), lengths


@register_kernel("TensorArraySplitV3", context=True)
def tensor_array_split(ctx, handle, value, lengths, flow_in, *, T):
    value = np.asarray(value)
    lengths = np.asarray(lengths)
    if lengths.ndim != 1:
        raise InvalidArgumentError(
            None,
            None,
            f"Expected lengths to be a vector, received shape: {shape_text(lengths.shape)}",
        )
    if value.ndim < 1:
        raise InvalidArgumentError(
            None,
            None,
            f"Expected value to be at least a vector, but received shape: {shape_text(value.shape)}",
        )
    if lengths.sum() != value.shape[0]:
        raise InvalidArgumentError(
            None,
            None,
            "Expected sum of lengths to be equal to values.shape[0], but sum of lengths is "
            f"{lengths.sum()} and value's shape is: {shape_text(value.shape)}",
        )
    with handle.lock:
        size = handle.size
        if not handle.dynamic_size and size != len(lengths):
            raise InvalidArgumentError(
                None,
                None,
                f"TensorArray's size is not equal to the size of lengths ({size} vs. "
                f"{len(lengths)}), and the TensorArray is not marked as dynamically resizeable",
            )
        ends = np.cumsum(lengths)
        for i, (start, end) in enumerate(zip(ends - lengths, ends)):
            handle.write_at(i, value[start:end], ctx.journal)
    return (flow_in,)


@register_kernel("TensorArraySizeV3")
def tensor_array_size(handle, flow_in):
    return (np.int32(handle.size),)


@register_kernel("TensorArrayCloseV3", context=True)
def tensor_array_close(ctx, handle):
    handle.close(ctx.journal)
    return ()
