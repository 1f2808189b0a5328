"""TF 2.x's ``TensorList`` ops, so that TF2 graphs holding TensorArrays import and run.

TF2 builds a ``tf.TensorArray`` inside functional control flow from these ops: a list
is a ``variant`` value (``TensorListReserve``, ``TensorListFromTensor``), each write
makes a new list (``TensorListSetItem``), and ``TensorListStack`` turns it back into a
tensor. A frozen TF2 RNN (``StatelessWhile`` over an LSTM) is full of them. The
kernels and their semantics are in :mod:`runtime.kernels.tensor_list`.

The OpDefs are TF's. Static shapes come from the ``element_shape`` inputs when they
are known while building (TF also follows shapes through the list values; here a
list's element shape is known only when it runs).
"""

from __future__ import annotations

from .. import dtypes
from ..registry import OpDef, TensorSpec, register_op
from ..shapes import TensorShape
from .constant_value import known_value

__all__: list = []

_LIST = TensorSpec(dtypes.variant, TensorShape([]))


def element_shape_of(spec) -> TensorShape:
    """The static shape an ``element_shape`` input says, when known while building.

    Examples
    --------
    >>> import runtime as tf
    >>> from runtime.ops.constant_value import InputSpec
    >>> with tf.Graph().as_default():
    ...     dims = element_shape_of(InputSpec(tf.constant([-1, 3])))
    ...     rank = element_shape_of(InputSpec(tf.constant(-1)))
    >>> dims, rank
    (TensorShape([Dimension(None), Dimension(3)]), TensorShape(None))
    """
    value = known_value(spec)
    if value is None or value.ndim == 0:
        return TensorShape(None)
    return TensorShape([None if d < 0 else int(d) for d in value])


def _list(*_specs, **_attrs):
    return [_LIST]


def _item(handle, index, element_shape, *, element_dtype, **_attrs):
    return [TensorSpec(element_dtype, element_shape_of(element_shape))]


def _stacked(handle, element_shape, *, element_dtype, num_elements):
    rows = None if num_elements < 0 else num_elements
    return [
        TensorSpec(element_dtype, TensorShape([rows]).concatenate(element_shape_of(element_shape)))
    ]


def _gathered(handle, indices, element_shape, *, element_dtype):
    rows = indices.shape.dim_value(0) if indices.shape.rank == 1 else None
    return [
        TensorSpec(element_dtype, TensorShape([rows]).concatenate(element_shape_of(element_shape)))
    ]


def _popped(handle, element_shape, *, element_dtype):
    return [_LIST, TensorSpec(element_dtype, element_shape_of(element_shape))]


def _register(name, inputs, outputs, attrs, shape_fn) -> OpDef:
    return register_op(OpDef(name, inputs, outputs, attrs, shape_fn))


_SHAPE_TYPE = "shape_type: {int32, int64}"
EMPTY = _register(
    "EmptyTensorList",
    ("element_shape: shape_type", "max_num_elements: int32"),
    ("handle: variant",),
    ("element_dtype: type", _SHAPE_TYPE),
    _list,
)
RESERVE = _register(
    "TensorListReserve",
    ("element_shape: shape_type", "num_elements: int32"),
    ("handle: variant",),
    ("element_dtype: type", _SHAPE_TYPE),
    _list,
)
FROM_TENSOR = _register(
    "TensorListFromTensor",
    ("tensor: element_dtype", "element_shape: shape_type"),
    ("output_handle: variant",),
    ("element_dtype: type", _SHAPE_TYPE),
    _list,
)
LENGTH = _register(
    "TensorListLength",
    ("input_handle: variant",),
    ("length: int32",),
    (),
    lambda handle: [TensorSpec(dtypes.int32, TensorShape([]))],
)
ELEMENT_SHAPE = _register(
    "TensorListElementShape",
    ("input_handle: variant",),
    ("element_shape: shape_type",),
    (_SHAPE_TYPE,),
    lambda handle, *, shape_type: [TensorSpec(shape_type, TensorShape(None))],
)
GET_ITEM = _register(
    "TensorListGetItem",
    ("input_handle: variant", "index: int32", "element_shape: Tshape"),
    ("item: element_dtype",),
    ("element_dtype: type", "Tshape: {int32, int64} = DT_INT32"),
    _item,
)
SET_ITEM = _register(
    "TensorListSetItem",
    ("input_handle: variant", "index: int32", "item: element_dtype"),
    ("output_handle: variant",),
    ("element_dtype: type", "resize_if_index_out_of_bounds: bool = false"),
    _list,
)
PUSH_BACK = _register(
    "TensorListPushBack",
    ("input_handle: variant", "tensor: element_dtype"),
    ("output_handle: variant",),
    ("element_dtype: type",),
    _list,
)
POP_BACK = _register(
    "TensorListPopBack",
    ("input_handle: variant", "element_shape: int32"),
    ("output_handle: variant", "tensor: element_dtype"),
    ("element_dtype: type",),
    _popped,
)
STACK = _register(
    "TensorListStack",
    ("input_handle: variant", "element_shape: int32"),
    ("tensor: element_dtype",),
    ("element_dtype: type", "num_elements: int = -1"),
    _stacked,
)
GATHER = _register(
    "TensorListGather",
    ("input_handle: variant", "indices: int32", "element_shape: int32"),
    ("values: element_dtype",),
    ("element_dtype: type",),
    _gathered,
)
SCATTER = _register(
    "TensorListScatterIntoExistingList",
    ("input_handle: variant", "tensor: element_dtype", "indices: int32"),
    ("output_handle: variant",),
    ("element_dtype: type",),
    _list,
)
