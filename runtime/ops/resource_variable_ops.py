"""Resource variables as TensorFlow 2 writes them: ``VarHandleOp`` and friends
(``ReadVariableOp``, ``ResourceGather``, the ``Assign*VariableOp`` writes).

Graphs saved by TF2-era code (``tf.compat.v1`` included) hold their variables as
a ``VarHandleOp`` producing a resource handle, read by ``ReadVariableOp`` and written
by ``AssignVariableOp``. These ops let such graphs load, run and be stepped; the
variable's state is the same session-owned object the TF1 ``VariableV2`` uses.
"""

from __future__ import annotations

from .. import dtypes
from ..registry import OpDef, TensorSpec, register_op
from ..shapes import TensorShape

__all__: list = []


def _handle_shape(*, container, shared_name, dtype, shape, **_ignored):
    return [TensorSpec(dtypes.resource, TensorShape([]))]


def _read_shape(handle, *, dtype):
    # The value has the shape its VarHandleOp declares (InputSpec keeps the tensor).
    tensor = getattr(handle, "_tensor", None)
    shape = None
    if tensor is not None and tensor.op.type == "VarHandleOp":
        shape = tensor.op.get_attr("shape")
    return [TensorSpec(dtype, shape if shape is not None else TensorShape(None))]


def _gather_shape(handle, indices, *, batch_dims, validate_indices, dtype, Tindices):
    """TF's: the indices' shape, then the variable's rows' (when its VarHandleOp says)."""
    rows = _read_shape(handle, dtype=dtype)[0].shape
    if batch_dims or rows.rank is None or indices.shape.rank is None:
        return [TensorSpec(dtype, TensorShape(None))]
    return [TensorSpec(dtype, TensorShape([*indices.shape.as_list(), *rows.as_list()[1:]]))]


def _no_outputs(handle, value, **_attrs):
    return []


def _is_initialized_shape(handle):
    return [TensorSpec(dtypes.bool, TensorShape([]))]


register_op(
    OpDef(
        "VarHandleOp",
        (),
        ("resource: resource",),
        (
            "container: string = ''",
            "shared_name: string = ''",
            "debug_name: string = ''",
            "dtype: type",
            "shape: shape",
            "allowed_devices: list(string) = []",
        ),
        shape_fn=_handle_shape,
        is_stateful=True,
    )
)
register_op(
    OpDef(
        "ReadVariableOp",
        ("resource: resource",),
        ("value: dtype",),
        ("dtype: type",),
        shape_fn=_read_shape,
        is_stateful=True,
    )
)
register_op(  # embedding lookups on a resource variable (tf.gather of one)
    OpDef(
        "ResourceGather",
        ("resource: resource", "indices: Tindices"),
        ("output: dtype",),
        (
            "batch_dims: int = 0",
            "validate_indices: bool = true",
            "dtype: type",
            "Tindices: {int32, int64}",
        ),
        shape_fn=_gather_shape,
        is_stateful=True,
    )
)
# The writes: a handle and a value in, nothing out.
for op_type, extra in (
    ("AssignVariableOp", ("validate_shape: bool = false",)),
    ("AssignAddVariableOp", ()),
    ("AssignSubVariableOp", ()),
):
    register_op(
        OpDef(
            op_type,
            ("resource: resource", "value: dtype"),
            (),
            ("dtype: type", *extra),
            shape_fn=_no_outputs,
            is_stateful=True,
        )
    )
register_op(
    OpDef(
        "VarIsInitializedOp",
        ("resource: resource",),
        ("is_initialized: bool",),
        (),
        shape_fn=_is_initialized_shape,
        is_stateful=True,
    )
)
