"""Kernels of control ops.

The dataflow control-flow ops only pass values on: what they mean for a run (dead
outputs, frames, iterations) is the execution state's business (``runtime.execution``).
"""

from __future__ import annotations

import numpy as np

from ..deadness import DEAD
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
