"""Kernels of control ops.

The dataflow control-flow ops only pass values on: what they mean for a run (dead
outputs, frames, iterations) is the execution state's business (``runtime.execution``).
"""

from __future__ import annotations

import numpy as np

from ..deadness import DEAD
from ..errors import InvalidArgumentError
from ..registry import register_kernel


@register_kernel("NoOp")
def no_op():
    return ()


@register_kernel("ControlTrigger")
def control_trigger():
    return ()


@register_kernel("Switch")
@register_kernel("RefSwitch")
def switch(data, pred, *, T):
    return (DEAD, data) if pred else (data, DEAD)


@register_kernel("Merge")
@register_kernel("RefMerge")
def merge(*inputs, T, N):
    # The state runs a Merge once one input is live; the others are missing or dead.
    for index, value in enumerate(inputs):
        if value is not None and value is not DEAD:
            return value, np.int32(index)
    raise AssertionError("a Merge ran without a live input")


def _forward(data, **_attrs):
    return (data,)


for _op_type in ("Enter", "RefEnter", "Exit", "RefExit", "NextIteration", "RefNextIteration"):
    register_kernel(_op_type)(_forward)


@register_kernel("LoopCond")
def loop_cond(input):
    return (input,)


class Stack:
    """A run's stack (``StackV2``): values pushed by one loop, popped by another."""

    __slots__ = ("closed", "items", "max_size", "name")

    def __init__(self, name: str, max_size: int):
        self.name = name
        self.max_size = max_size
        self.items: list = []
        self.closed = False

    def __repr__(self):
        return f"<Stack {self.name}: {len(self.items)} items>"


@register_kernel("StackV2", context=True)
def stack_v2(ctx, max_size, *, elem_type, stack_name):
    return (Stack(stack_name or ctx.op.name, int(max_size)),)


@register_kernel("StackPushV2")
def stack_push_v2(handle, elem, *, T, swap_memory):
    if handle.closed:
        raise InvalidArgumentError(None, None, f"Stack[{handle.name}] has already been closed.")
    if 0 <= handle.max_size <= len(handle.items):
        raise InvalidArgumentError(
            None, None, f"Stack[{handle.name}] overflowed its max_size ({handle.max_size})"
        )
    handle.items.append(elem)
    return (elem,)


@register_kernel("StackPopV2")
def stack_pop_v2(handle, *, elem_type):
    if not handle.items:
        raise InvalidArgumentError(None, None, f"Stack[{handle.name}] is empty.")
    return (handle.items.pop(),)


@register_kernel("StackCloseV2")
def stack_close_v2(handle):
    handle.closed = True
    return ()
