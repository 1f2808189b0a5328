"""Kernels of TF 2.x's ``TensorList`` ops, the lists TF2 builds TensorArrays from.

Unlike a TensorArray (a resource that ops change), a list is a *value*: a ``variant``
tensor holding a :class:`TensorList`. An op that "changes" a list returns a new one
and leaves its input as it was, so a list flows through a functional ``While`` like
any loop variable. An element may be unset (``TensorListReserve`` makes a list of
unset elements); reading one gives zeros of the element shape, when that is known.

Element shapes are given as tensors, as TF's ops take them: ``-1`` for an unknown
rank, else a vector with ``-1`` for each unknown dimension.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgumentError
from ..registry import register_kernel
from .math import shape_text


def _fail(text: str):
    raise InvalidArgumentError(None, None, text)


def as_dims(element_shape) -> tuple | None:
    """An element-shape tensor as a tuple of dims (``None`` unknown), or ``None`` for an
    unknown rank.

    Examples
    --------
    >>> as_dims(np.int32(-1)), as_dims(np.array([-1, 3]))
    (None, (None, 3))
    """
    value = np.asarray(element_shape)
    if value.ndim == 0:
        return None
    return tuple(None if d < 0 else int(d) for d in value)


def _merge(first, second):
    """The shape both describe; ``InvalidArgumentError`` when they disagree."""
    if first is None:
        return second
    if second is None:
        return first
    if len(first) != len(second) or any(
        a is not None and b is not None and a != b for a, b in zip(first, second)
    ):
        _fail(f"Incompatible shapes during merge: {_text(first)} vs. {_text(second)}")
    return tuple(a if a is not None else b for a, b in zip(first, second))


def _text(dims) -> str:
    return "<unknown>" if dims is None else shape_text(dims)


def _fits(dims, shape: tuple) -> bool:
    return dims is None or (
        len(dims) == len(shape) and all(d is None or d == s for d, s in zip(dims, shape))
    )


class TensorList:
    """An immutable list of arrays (``None`` for an unset element).

    Examples
    --------
    >>> lst = TensorList((None, np.ones(2, np.float32)), np.float32, (2,))
    >>> lst.set(0, np.zeros(2, np.float32)).items[0], lst.items[0] is None
    (array([0., 0.], dtype=float32), True)
    """

    __slots__ = ("dtype", "element_shape", "items", "max_num_elements")

    def __init__(self, items, dtype, element_shape, max_num_elements=-1):
        self.items = tuple(items)
        self.dtype = np.dtype(dtype)
        self.element_shape = element_shape
        self.max_num_elements = max_num_elements

    def __repr__(self):
        return f"<TensorList of {len(self.items)} {self.dtype} {_text(self.element_shape)}>"

    def with_items(self, items) -> TensorList:
        return TensorList(items, self.dtype, self.element_shape, self.max_num_elements)

    def set(self, index: int, value) -> TensorList:
        items = list(self.items)
        items[index] = value
        return self.with_items(items)

    def check_item(self, value: np.ndarray, what: str) -> None:
        if value.dtype != self.dtype:
            _fail(f"Invalid data types; op elements {value.dtype} but list elements {self.dtype}")
        if not _fits(self.element_shape, value.shape):
            _fail(
                f"{what} Item element shape: {shape_text(value.shape)} list shape: "
                f"{_text(self.element_shape)}"
            )

    def element(self, index: int, element_shape) -> np.ndarray:
        """Element ``index``; zeros of the known element shape if it is unset.

        (Not named ``read``: fetching takes an object with ``read`` for a variable.)
        """
        value = self.items[index]
        if value is not None:
            return value
        dims = _merge(self.element_shape, element_shape)
        if dims is None or None in dims:
            dims = self._shape_from_set_items(dims)
        return np.zeros(dims, self.dtype)

    def _shape_from_set_items(self, dims):
        for value in self.items:
            if value is not None:
                return _merge(dims, value.shape)
        _fail(
            "Trying to read an uninitialized tensor but element_shape is not fully defined: "
            f"{_text(dims)} and no list element is set."
        )


def _check_dtype(lst: TensorList, element_dtype) -> None:
    wanted = np.dtype(element_dtype.as_numpy_dtype)
    if lst.dtype != wanted:
        _fail(f"Invalid data types; op elements {wanted} but list elements {lst.dtype}")


def _check_index(lst: TensorList, index: int, verb: str) -> None:
    if not 0 <= index < len(lst.items):
        _fail(f"Trying to {verb} element {index} in a list with {len(lst.items)} elements.")


@register_kernel("EmptyTensorList")
def empty_tensor_list(element_shape, max_num_elements, *, element_dtype, shape_type):
    limit = int(max_num_elements)
    return (TensorList((), element_dtype.as_numpy_dtype, as_dims(element_shape), limit),)


@register_kernel("TensorListReserve")
def tensor_list_reserve(element_shape, num_elements, *, element_dtype, shape_type):
    count = int(num_elements)
    if count < 0:
        _fail(f"The num_elements to reserve must be a non negative number, but got {count}")
    dtype = element_dtype.as_numpy_dtype
    return (TensorList((None,) * count, dtype, as_dims(element_shape)),)


@register_kernel("TensorListFromTensor")
def tensor_list_from_tensor(tensor, element_shape, *, element_dtype, shape_type):
    tensor = np.asarray(tensor)
    if tensor.ndim < 1:
        _fail(f"Tensor must be at least a vector, but saw shape: {shape_text(tensor.shape)}")
    dims = as_dims(element_shape)
    if not _fits(dims, tensor.shape[1:]):
        _fail(
            f"Specified a list with shape {_text(dims)} from a tensor with shape "
            f"{shape_text(tensor.shape)}"
        )
    return (TensorList(list(tensor), tensor.dtype, dims),)


@register_kernel("TensorListLength")
def tensor_list_length(input_handle):
    return (np.int32(len(input_handle.items)),)


@register_kernel("TensorListElementShape")
def tensor_list_element_shape(input_handle, *, shape_type):
    dims = input_handle.element_shape
    dtype = shape_type.as_numpy_dtype
    if dims is None:
        return (np.asarray(-1, dtype),)
    return (np.array([-1 if d is None else d for d in dims], dtype),)


@register_kernel("TensorListGetItem")
def tensor_list_get_item(input_handle, index, element_shape, *, element_dtype, Tshape):
    _check_dtype(input_handle, element_dtype)
    _check_index(input_handle, int(index), "access")
    return (input_handle.element(int(index), as_dims(element_shape)),)


@register_kernel("TensorListSetItem")
def tensor_list_set_item(
    input_handle, index, item, *, element_dtype, resize_if_index_out_of_bounds
):
    index, item = int(index), np.asarray(item)
    lst = input_handle
    if resize_if_index_out_of_bounds and index >= len(lst.items):
        lst = lst.with_items(lst.items + (None,) * (index + 1 - len(lst.items)))
    _check_index(lst, index, "modify")
    lst.check_item(item, "Tried to set a tensor with incompatible shape at a list index.")
    return (lst.set(index, item),)


@register_kernel("TensorListPushBack")
def tensor_list_push_back(input_handle, tensor, *, element_dtype):
    lst, tensor = input_handle, np.asarray(tensor)
    lst.check_item(tensor, "Tried to push item with incompatible shape to list.")
    if 0 <= lst.max_num_elements <= len(lst.items):
        _fail(
            f"Tried to push item into a full list list size: {len(lst.items)} "
            f"max_num_elements: {lst.max_num_elements}"
        )
    return (lst.with_items((*lst.items, tensor)),)


@register_kernel("TensorListPopBack")
def tensor_list_pop_back(input_handle, element_shape, *, element_dtype):
    lst = input_handle
    _check_dtype(lst, element_dtype)
    if not lst.items:
        _fail("Trying to pop from an empty list.")
    last = lst.element(len(lst.items) - 1, as_dims(element_shape))
    return lst.with_items(lst.items[:-1]), last


def _stacked(lst: TensorList, indices, element_shape) -> np.ndarray:
    dims = _merge(lst.element_shape, as_dims(element_shape))
    if not indices:
        if dims is None or None in dims:
            _fail(
                "Tried to stack elements of an empty list with non-fully-defined "
                f"element_shape: {_text(dims)}"
            )
        return np.zeros((0, *dims), lst.dtype)
    if (dims is None or None in dims) and all(value is None for value in lst.items):
        _fail(
            "Tried to stack list which only contains uninitialized tensors and has a "
            f"non-fully-defined element_shape: {_text(dims)}"
        )
    return np.stack([lst.element(i, dims) for i in indices])


@register_kernel("TensorListStack")
def tensor_list_stack(input_handle, element_shape, *, element_dtype, num_elements):
    lst = input_handle
    _check_dtype(lst, element_dtype)
    if num_elements != -1 and num_elements != len(lst.items):
        _fail(
            f"Operation expected a list with {num_elements} elements but got a list with "
            f"{len(lst.items)} elements."
        )
    return (_stacked(lst, range(len(lst.items)), element_shape),)


@register_kernel("TensorListGather")
def tensor_list_gather(input_handle, indices, element_shape, *, element_dtype):
    lst = input_handle
    _check_dtype(lst, element_dtype)
    indices = [int(i) for i in np.asarray(indices).reshape(-1)]
    for i in indices:
        _check_index(lst, i, "access")
    return (_stacked(lst, indices, element_shape),)


@register_kernel("TensorListScatterIntoExistingList")
def tensor_list_scatter(input_handle, tensor, indices, *, element_dtype):
    lst, tensor = input_handle, np.asarray(tensor)
    indices = [int(i) for i in np.asarray(indices).reshape(-1)]
    if tensor.ndim < 1 or tensor.shape[0] != len(indices):
        _fail(
            "Invalid number of rows in input tensor. Expected: "
            f"{len(indices)} Actual: {tensor.shape[0] if tensor.ndim else 0}"
        )
    items = list(lst.items)
    for i, value in zip(indices, tensor):
        if i < 0:
            _fail(f"Indices in TensorListScatter must all be non-negative. Found {i}")
        items.extend([None] * (i + 1 - len(items)))
        lst.check_item(value, "Tried to scatter a tensor with incompatible shape into a list.")
        items[i] = value
    return (lst.with_items(items),)
