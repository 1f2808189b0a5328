"""A stage's own graph on its worker: the stage's ops, with receives for what comes in.

As TF registers a partition graph on each worker, a worker builds, once per stage and
graph version, a graph holding the stage's ops (from the client's ``NodeDef``\\ s) in
which every tensor the stage receives is the output of a receive op:
``_DaskRecv`` (a value) or ``_DaskRefRecv`` (a reference from an earlier stage on the
same worker). A receive's kernel returns what the run delivered for it, and a
delivered dead value makes its readers dead, exactly as TF's ``_Recv`` does; so a
``Merge`` or any op after a ``Switch`` on another task sees deadness as in one
process. A control input from another stage becomes an ``Identity`` of a received
token, dead when the token is; a control output becomes a ``Const`` token made after
the op. The stage's plan is built once over that graph.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..graph import Graph
from ..graph_def import GraphDef
from ..importer import import_graph_def
from ..ops.core import apply_op, constant
from ..ops.placeholder_ops import identity
from ..plan import build_plan
from ..registry import OpDef, TensorSpec, register_kernel, register_op
from .partition import CONTROL

# step id -> {received name: value}: what each running stage has been delivered.
_INBOXES: dict = {}


def _recv_shape(*, T, tensor_name, shape):
    return [TensorSpec(T, shape)]


def _ref_recv_shape(*, T, tensor_name, shape):
    return [TensorSpec(T._as_ref, shape)]


RECV = register_op(
    OpDef(
        "_DaskRecv",
        (),
        ("tensor: T",),
        ("T: type", "tensor_name: string", "shape: shape = { unknown_rank: true }"),
        shape_fn=_recv_shape,
        is_stateful=True,
    )
)
REF_RECV = register_op(
    OpDef(
        "_DaskRefRecv",
        (),
        ("tensor: Ref(T)",),
        ("T: type", "tensor_name: string", "shape: shape = { unknown_rank: true }"),
        shape_fn=_ref_recv_shape,
        is_stateful=True,
    )
)


@register_kernel("_DaskRecv", context=True)
@register_kernel("_DaskRefRecv", context=True)
def _receive(ctx, *, T, tensor_name, shape):
    return (_INBOXES[ctx.step_id][tensor_name],)


@dataclasses.dataclass(eq=False)
class Partition:
    """A stage's graph and plan on its worker; ``slots`` are where its sent values land."""

    graph: Graph
    plan: object
    sent: tuple  # names: the stage's outputs, then its kept names
    slots: tuple

    def values_sent(self, values: list) -> dict:
        return {name: values[slot] for name, slot in zip(self.sent, self.slots)}


def build_partition(nodes: dict, functions: dict, stage) -> Partition:
    """The partition of ``stage`` from the client graph's ``nodes`` (name -> NodeDef).

    ``functions`` are the graph's ``py_func`` callables, by token.
    """
    graph = Graph()
    with graph.as_default():
        input_map = {}
        for item in stage.inputs:
            input_map[item.name] = _receive_op(item)
        for item in stage.control_inputs:
            token = _recv_op(item.name, item.dtype, item.shape)
            input_map[item.name] = identity(token, name=f"dask.recv_ctl/{item.name[1:]}").op
        nodes_def = GraphDef(node=[nodes[name] for name in stage.ops])
        import_graph_def(nodes_def, input_map=input_map, name="")
        sent = tuple(dict.fromkeys([*stage.outputs, *(name for name, _ in stage.keep)]))
        tensors = [_sent_tensor(graph, name) for name in sent]
    vars(graph)["_py_funcs"] = functions  # the py_func kernels find their callables here
    ops = graph.get_operations()
    placement = dict.fromkeys(ops, stage.device)
    if stage.dead_possible:
        # Values may arrive dead: every op goes through the dataflow state, and sent
        # values are read from their slots (a fetch may not be dead, a sent value may).
        plan = build_plan([], [], [], placement, ops=ops)
        plan = dataclasses.replace(plan, control_flow=True)
    else:
        plan = build_plan(tensors, [], [], placement, ops=ops)
    slots = tuple(plan.slot_of[t] for t in tensors)
    return Partition(graph, plan, sent, slots)


def _receive_op(item):
    dtype = item.dtype
    if dtype.is_ref_dtype and item.local:  # a reference kept on this worker
        return apply_op(
            REF_RECV,
            [],
            _recv_name(item.name),
            T=dtype.base_dtype,
            tensor_name=item.name,
            shape=item.shape,
        ).outputs[0]
    return _recv_op(item.name, dtype.base_dtype, item.shape)


def _recv_op(name: str, dtype, shape):
    return apply_op(RECV, [], _recv_name(name), T=dtype, tensor_name=name, shape=shape).outputs[0]


def _recv_name(name: str) -> str:
    return "dask.recv/" + name.replace(":", "_").replace(CONTROL, "ctl/")


def _sent_tensor(graph, name: str):
    if not name.startswith(CONTROL):
        return graph.get_tensor_by_name(name)
    op = graph.get_operation_by_name(name[len(CONTROL) :])
    with graph.control_dependencies([op]):
        return constant(np.int32(0), name=f"dask.send_ctl/{op.name}")
