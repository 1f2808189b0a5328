"""Run tracing: an executor hook that fills ``RunMetadata``'s step stats and cost graph."""

from __future__ import annotations

import numpy as np

from .config import (
    AllocationDescription,
    AllocatorMemoryUsed,
    CostGraphDef,
    CostNode,
    DeviceStepStats,
    NodeExecStats,
    NodeOutput,
    StepStats,
    TensorDescription,
)
from .executor import Hooks


class StepStatsCollector(Hooks):
    """Records, per device and per op, when it ran, on which thread and what it made.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     c = tf.constant(2.0) * 3.0
    ...     meta = tf.compat.v1.RunMetadata()
    ...     with tf.compat.v1.Session() as sess:
    ...         _ = sess.run(c, options=tf.compat.v1.RunOptions(trace_level=3), run_metadata=meta)
    >>> [n.node_name for n in meta.step_stats.dev_stats[0].node_stats]
    ['Const', 'mul/y', 'mul']
    """

    def __init__(self):
        self._by_device: dict[str, list] = {}
        self._costs: list = []

    def after_op(self, step, iteration, outputs, record) -> None:
        start_us = record.start_ns // 1000
        end_us = record.end_ns // 1000
        stats = NodeExecStats(
            node_name=step.op.name,
            all_start_micros=start_us,
            op_start_rel_micros=0,
            op_end_rel_micros=end_us - start_us,
            all_end_rel_micros=end_us - start_us,
            scheduled_micros=record.scheduled_ns // 1000,
            thread_id=record.thread_id,
            timeline_label=_label(step.op),
            output=_outputs(step.op, outputs),
            memory=[AllocatorMemoryUsed(total_bytes=sum(_nbytes(v) for v in outputs))],
        )
        self._by_device.setdefault(step.device, []).append(stats)
        self._costs.append((step, outputs, end_us - start_us))

    def step_stats(self) -> StepStats:
        return StepStats(
            dev_stats=[DeviceStepStats(device, nodes) for device, nodes in self._by_device.items()]
        )

    def cost_graph(self) -> CostGraphDef:
        return CostGraphDef(
            node=[
                CostNode(
                    name=step.op.name,
                    device=step.device,
                    id=step.index,
                    output_info=_outputs(step.op, outputs),
                    compute_cost=micros,
                    control_input=[c.name for c in step.op.control_inputs],
                )
                for step, outputs, micros in self._costs
            ]
        )


def _label(op) -> str:
    inputs = ", ".join(t.op.name if t.value_index == 0 else t.name for t in op.inputs)
    return f"{op.name} = {op.type}({inputs})"


def _nbytes(value) -> int:
    return int(getattr(value, "nbytes", 0) or 0)


def _outputs(op, values) -> list:
    return [
        _output(slot, value, tensor.dtype)
        for slot, (tensor, value) in enumerate(zip(op.outputs, values))
    ]


def _output(slot: int, value, dtype) -> NodeOutput:
    # The dtype is TF's ``DataType`` enum, as TF records it: the value's numpy dtype
    # says nothing for strings (``object``) or resource handles.
    array = value if isinstance(value, np.ndarray | np.generic) else None
    return NodeOutput(
        slot=slot,
        tensor_description=TensorDescription(
            dtype=dtype.base_dtype.as_datatype_enum,
            shape=[] if array is None else list(np.shape(array)),
            allocation_description=AllocationDescription(
                requested_bytes=_nbytes(value), allocated_bytes=_nbytes(value)
            ),
        ),
    )
