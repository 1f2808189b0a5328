"""Cutting a run's plan into stages: the partitions of a run on a Dask cluster.

Tasks
    Every op runs on the task of its device (``/job:ps/replica:0/task:0``), with two
    exceptions that keep a run possible:

    - a TF1 loop runs in one execution state, so every op of a loop frame (nested
      frames included) and the ``Enter`` ops feeding it form one *unit*, which one
      stage runs whole, on the task of the unit's first op (as TF's placer keeps a
      loop's control structure together);
    - a value that cannot leave its worker (a ``resource`` or ``variant`` tensor such as
      a stack or a TensorArray, or a reference its reader keeps as a reference) ties
      its producer's and its readers' units to one task: the task of the earliest op
      among them.
Stages
    Units are grouped into stages by ``(task, level)``. A unit's level is the highest
    level of the units it reads from, plus one when that unit is on another task, so
    an edge to another task always climbs a level and the stages form a DAG. Each stage
    runs as one Dask task on its worker, its ops in one execution state there.
Edges between stages
    A tensor read on another task (or fetched) travels in the producing stage's result;
    one read by a later stage of the same task stays on that worker, in the run's local
    store, references and handles included. A control edge travels as a token, a
    tensor named ``^op``: dead when its op was dead, so deadness crosses stages as TF's
    Send/Recv carries it.
"""

from __future__ import annotations

import dataclasses
import heapq

from .. import dtypes
from ..devices import DeviceSpec
from ..errors import InternalError
from ..plan import ENTER
from ..shapes import TensorShape

CONTROL = "^"  # the prefix of a control token's name: "^op"
_SCALAR = TensorShape([])


@dataclasses.dataclass(frozen=True)
class Input:
    """A tensor a stage receives: from the client's feeds, another task, or its own
    worker's local store (``local``)."""

    name: str
    dtype: object  # runtime.dtypes.DType
    shape: object  # runtime.shapes.TensorShape
    local: bool


@dataclasses.dataclass(frozen=True)
class Stage:
    """One partition of a run: ops of one task, run as one Dask task on its worker.

    ``outputs`` go into the stage's result (read on other tasks, or fetched);
    ``keep`` maps names read by later stages of the same task to how many such stages
    read them. Names of control tokens start with ``^``.
    """

    key: str
    task: str
    level: int
    ops: tuple
    inputs: tuple  # Input, in name order
    control_inputs: tuple  # Input of the control tokens ("^op") this stage waits for
    outputs: tuple
    keep: tuple  # (name, readers) pairs
    depends: tuple  # keys of the stages whose results or effects this one needs
    dead_possible: bool  # the run has conds or loops: values may be dead

    @property
    def device(self) -> str:
        return f"{self.task}/device:CPU:0"


def task_of(device: str) -> str:
    """The task a device belongs to.

    Examples
    --------
    >>> task_of("/job:ps/replica:0/task:1/device:CPU:0")
    '/job:ps/replica:0/task:1'
    """
    spec = DeviceSpec.from_string(device)
    return f"/job:{spec.job}/replica:{spec.replica or 0}/task:{spec.task or 0}"


def plan_stages(plan) -> list:
    """Cut ``plan`` into stages (see the module docstring), in dependency order.

    Examples
    --------
    >>> import runtime as tf
    >>> from runtime.plan import build_plan
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     a = tf.constant(1.0, name="a")
    ...     b = tf.negative(a, name="b")
    ...     c = tf.negative(b, name="c")
    >>> on = {"b": "/job:worker/replica:0/task:1/device:CPU:0"}
    >>> placement = {op: on.get(op.name, "/job:worker/replica:0/task:0/device:CPU:0")
    ...              for op in g.get_operations()}
    >>> plan = build_plan([c], [], [], placement)
    >>> [(s.task[-6:], s.ops, s.outputs) for s in plan_stages(plan)]
    [('task:0', ('a',), ('a:0',)), ('task:1', ('b',), ('b:0',)), ('task:0', ('c',), ('c:0',))]
    """
    unit_of = _units(plan)
    task = _unit_tasks(plan, unit_of)
    producers = _unit_producers(plan, unit_of)
    level: dict = {}
    for unit in _unit_order(plan, unit_of, producers):
        level[unit] = max(
            (level[p] + (task[p] != task[unit]) for p in producers.get(unit, ())), default=0
        )
    members: dict = {}
    for step in plan.steps:
        unit = unit_of[step]
        members.setdefault((level[unit], task[unit]), []).append(step)
    return _Cutter(plan, members).stages()


def fetched_tensors(plan) -> dict:
    """Tensor -> root slot, for each fetched tensor the run computes (not fed)."""
    slots = set(plan.fetch_slots) - set(plan.feed_slots.values())
    root = plan.root
    return {
        t: s
        for t, s in plan.slot_of.items()
        if s in slots and plan.frame_of_tensor[t] is root and t not in plan.feed_slots
    }


def _units(plan) -> dict:
    """Step -> its unit: its top-level loop frame, or the step itself."""
    root = plan.root
    unit_of = {}
    for step in plan.steps:
        frame = step.out_frame if step.kind == ENTER else step.frame
        while frame is not root and frame.parent is not root:
            frame = frame.parent
        unit_of[step] = step if frame is root else frame
    return unit_of


def _unit_tasks(plan, unit_of) -> dict:
    """Unit -> task: the task of its first step, then ties through values that cannot
    leave a worker (union-find; a tied group takes the task of its earliest step)."""
    first: dict = {}
    for step in plan.steps:
        first.setdefault(unit_of[step], step)
    parent = {unit: unit for unit in first}

    def find(unit):
        while parent[unit] is not unit:
            parent[unit] = parent[parent[unit]]
            unit = parent[unit]
        return unit

    for step in plan.steps:
        for dst, _, index, _ in step.fanout:
            if index >= 0 and _stays_on_worker(step.op.outputs[index], dst):
                a, b = find(unit_of[step]), find(unit_of[dst])
                if a is not b:
                    early, late = sorted((a, b), key=lambda u: first[u].index)
                    parent[late] = early
    return {unit: task_of(first[find(unit)].device) for unit in first}


def _stays_on_worker(tensor, reader) -> bool:
    """A handle, a variant, or a reference its reader keeps as a reference."""
    dtype = tensor.dtype
    if dtype.base_dtype in (dtypes.resource, dtypes.variant):
        return True
    if not dtype.is_ref_dtype:
        return False
    positions = [i for i, t in enumerate(reader.op.inputs) if t is tensor]
    return any(i not in reader.deref for i in positions)


def _unit_producers(plan, unit_of) -> dict:
    """Unit -> the other units it reads from (data or control)."""
    producers: dict = {}
    for step in plan.steps:
        for dst, *_ in step.fanout:
            if unit_of[dst] is not unit_of[step]:
                producers.setdefault(unit_of[dst], set()).add(unit_of[step])
    return producers


def _unit_order(plan, unit_of, producers: dict) -> list:
    """The units in a topological order (Kahn's), earliest step first among the ready."""
    first: dict = {}
    for step in plan.steps:
        first.setdefault(unit_of[step], step.index)
    waiting = {unit: len(producers.get(unit, ())) for unit in first}
    readers: dict = {}
    for unit, sources in producers.items():
        for source in sources:
            readers.setdefault(source, []).append(unit)
    ready = [(first[u], id(u), u) for u, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        _, _, unit = heapq.heappop(ready)
        order.append(unit)
        for reader in readers.get(unit, ()):
            waiting[reader] -= 1
            if waiting[reader] == 0:
                heapq.heappush(ready, (first[reader], id(reader), reader))
    if len(order) != len(first):
        raise InternalError(
            None, None, "The run's loops and ops form a cycle outside any loop frame."
        )
    return order


class _Cutter:
    """Turns ``(level, task) -> steps`` into :class:`Stage` objects."""

    def __init__(self, plan, members: dict):
        self.plan = plan
        self.keys = sorted(members)
        self.stage_of = {}
        for level, task in self.keys:
            for step in members[(level, task)]:
                self.stage_of[step.op] = (level, task)
        self.members = members
        feeds = set(plan.feed_slots)
        self.fed = feeds
        self.fetched = set(fetched_tensors(plan))

    def stages(self) -> list:
        # Who reads what, across stages: name -> the stages reading it.
        readers: dict = {}
        for key in self.keys:
            for step in self.members[key]:
                for tensor in step.op.inputs:
                    source = self.stage_of.get(tensor.op)
                    if tensor not in self.fed and source is not None and source != key:
                        readers.setdefault(tensor.name, set()).add(key)
                for control in step.op.control_inputs:
                    source = self.stage_of.get(control)
                    if source is not None and source != key:
                        readers.setdefault(CONTROL + control.name, set()).add(key)
        return [self._stage(key, readers) for key in self.keys]

    def _stage(self, key, readers: dict) -> Stage:
        level, task = key
        steps = self.members[key]
        inside = {step.op for step in steps}
        inputs: dict = {}
        controls: dict = {}
        depends: set = set()
        for step in steps:
            for tensor in step.op.inputs:
                source = self.stage_of.get(tensor.op)
                if tensor in self.fed or (tensor.op not in inside):
                    local = tensor not in self.fed and source[1] == task
                    inputs[tensor.name] = Input(tensor.name, tensor.dtype, tensor.shape, local)
                    if source is not None and tensor not in self.fed:
                        depends.add(source)
            for control in step.op.control_inputs:
                if control not in inside:
                    source = self.stage_of[control]
                    name = CONTROL + control.name
                    controls[name] = Input(name, dtypes.int32, _SCALAR, source[1] == task)
                    depends.add(source)
        outputs, keep = self._sent(steps, key, readers)
        return Stage(
            key=f"{task}@{level}",
            task=task,
            level=level,
            ops=tuple(step.op.name for step in steps),
            inputs=tuple(inputs[name] for name in sorted(inputs)),
            control_inputs=tuple(controls[name] for name in sorted(controls)),
            outputs=tuple(sorted(outputs)),
            keep=tuple(sorted(keep.items())),
            depends=tuple(f"{t}@{lvl}" for lvl, t in sorted(depends)),
            dead_possible=self.plan.control_flow,
        )

    def _sent(self, steps, key, readers: dict) -> tuple:
        task = key[1]
        outputs: set = set()
        keep: dict = {}
        for step in steps:
            names = [(t.name, t) for t in step.op.outputs] + [(CONTROL + step.op.name, None)]
            for name, tensor in names:
                for reader in readers.get(name, ()):
                    if reader[1] == task:
                        keep[name] = keep.get(name, 0) + 1
                    else:
                        outputs.add(name)
                if tensor is not None and tensor in self.fetched:
                    outputs.add(name)
        return outputs, keep
