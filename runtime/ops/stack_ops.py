"""TF's stacks (``StackV2``, ``StackPushV2``, ``StackPopV2``, ``StackCloseV2``).

A stack lives for one run. TF1's loop gradients use them: each forward iteration pushes
the values the backward loop needs, and the backward loop pops them, last first
(:mod:`runtime.ops.control_flow_grad`). Kernels: :mod:`runtime.kernels.control`.
"""

from __future__ import annotations

from .. import dtypes
from ..graph import Tensor
from ..registry import OpDef, TensorSpec, not_differentiable, register_op
from ..shapes import TensorShape
from .core import apply_op, convert_to_tensor

__all__: list[str] = []

STACK = register_op(
    OpDef(
        "StackV2",
        ("max_size: int32",),
        ("handle: resource",),
        ("elem_type: type", "stack_name: string = ''"),
        shape_fn=lambda max_size, **_: [TensorSpec(dtypes.resource, TensorShape([2]))],
        is_stateful=True,
    )
)
STACK_PUSH = register_op(
    OpDef(
        "StackPushV2",
        ("handle: resource", "elem: T"),
        ("output: T",),
        ("T: type", "swap_memory: bool = false"),
        shape_fn=lambda handle, elem, **_: [elem],
        is_stateful=True,
    )
)
STACK_POP = register_op(
    OpDef(
        "StackPopV2",
        ("handle: resource",),
        ("elem: elem_type",),
        ("elem_type: type",),
        shape_fn=lambda handle, *, elem_type: [TensorSpec(elem_type, TensorShape(None))],
        is_stateful=True,
    )
)
STACK_CLOSE = register_op(
    OpDef(
        "StackCloseV2",
        ("handle: resource",),
        (),
        (),
        shape_fn=lambda handle: [],
        is_stateful=True,
    )
)
for _op_type in ("StackV2", "StackPushV2", "StackPopV2", "StackCloseV2"):
    not_differentiable(_op_type)


def stack(elem_type, max_size=-1, stack_name="", name=None) -> Tensor:
    """A new, empty stack of ``elem_type`` values for this run (its handle).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     handle = stack(tf.float32)
    ...     push = stack_push(handle, tf.constant(3.0))
    ...     with tf.control_dependencies([push]):
    ...         top = stack_pop(handle, tf.float32)
    ...     print(tf.compat.v1.Session().run(top))
    3.0
    """
    max_size = convert_to_tensor(max_size, dtype=dtypes.int32, name="max_size")
    op = apply_op(
        STACK,
        [max_size],
        name or "Stack",
        elem_type=dtypes.as_dtype(elem_type),
        stack_name=stack_name,
    )
    return op.outputs[0]


def stack_push(handle, elem, swap_memory=False, name=None) -> Tensor:
    """Push ``elem`` onto the stack; returns ``elem``."""
    return apply_op(
        STACK_PUSH, [handle, elem], name or "StackPush", swap_memory=swap_memory
    ).outputs[0]


def stack_pop(handle, elem_type, name=None) -> Tensor:
    """Pop the value pushed last (``InvalidArgumentError`` when the stack is empty)."""
    op = apply_op(STACK_POP, [handle], name or "StackPop", elem_type=dtypes.as_dtype(elem_type))
    return op.outputs[0]
