"""Straight-line code for a simple loop: one generated function runs a whole ``while_loop``.

TF1's ``while_loop`` is dataflow: each iteration's ops become ready one by one, and the
execution state (:mod:`runtime.execution`) moves values through ``Merge``, ``Switch``,
``NextIteration`` and ``Exit`` with per-iteration bookkeeping. For the loops almost
every program builds (an RNN, a counter loop, a gradient loop popping its stacks) that
bookkeeping is most of an iteration's cost, and its outcome is known in advance: every
op of an iteration runs, in one order, until the condition is false. So, as
:mod:`runtime.straight_line` does for a plan, a *simple* loop frame is compiled once
into a Python function that runs the iterations in a ``while`` loop:

    def run_loop(v, here, tick, fail):
        ...                                  # iteration 0: the Merges take the Enters
        while True:
            if not n & 7: tick()             # deadline, cancellation
            try:
                <the steps every iteration runs: the condition, LoopCond>
                if not v[pred]:              # the Switches send their data to the Exits
                    <what is not dead in the last iteration>
                    break
                v[t0] = v[d0]; ...           # the Switches' true sides
                <the body: the steps behind the Switches' true sides>
            except BaseException as err:
                fail(steps[i], err)
            v[m0] = v[n0]; ...               # NextIteration: the Merges' next values
            n += 1
        return (v[d0], ...)                  # what each Exit passes on

A frame is *simple* when its only control flow is the loop's own: one ``LoopCond``; each
``Merge`` joins one (non-constant) ``Enter`` and one ``NextIteration``; each ``Switch``
is steered by the ``LoopCond`` and sends its false side only to ``Exit`` ops; no nested
loop, no other ``Switch``/``Merge``; every value read comes from
the frame or its ``Enter`` ops. Which ops are dead in the last iteration is then known
statically (those behind a ``Switch``'s true side, as TF's executor propagates
deadness).

The execution state runs a frame this way only in a run nobody steps or watches
(:meth:`ExecutionState.run_ready`), once all the frame's ``Enter`` ops have delivered and
all are live; otherwise the frame runs as dataflow. The program runs in the caller's
thread, also in a run with an inter-op pool: on this project's machines that beat
handing the loop's ops to the pool even for a bidirectional RNN, whose two loops the
pool could overlap (``bench/bench_rnn.py``). Results are the same: the conformance
suite runs random loops both ways (run, and stepped as dataflow).
"""

from __future__ import annotations

import graphlib

import numpy as np

from .plan import CONTROL_TRIGGER, ENTER, EXIT, MERGE, NEXT_ITERATION
from .registry import Cost
from .straight_line import step_lines

_STEPS_PER_TICK = 256  # steps between two ticks, as in ExecutionState.run_ready


class LoopProgram:
    """A simple loop frame compiled: ``run(values, here, tick, fail)`` runs it.

    ``values`` is a new slot list of the frame with the ``Enter`` values in their slots;
    ``here(step, values)`` runs a step whose kernel is not called directly (it reads
    references or takes a context) and returns its outputs; ``tick()`` raises to stop
    the loop (it is called every so many steps); ``fail(step, error)`` raises a
    kernel's error as the step's. ``run`` returns the value each of ``exits`` (the
    frame's ``Exit`` steps) passes on. ``blocking`` says an op of the loop may wait on
    another op (a queue): a run with a thread pool leaves such a loop to dataflow.
    """

    __slots__ = ("blocking", "exits", "run")

    def __init__(self, run, exits: list, blocking: bool):
        self.run = run
        self.exits = exits
        self.blocking = blocking


def program_for(frame, plan) -> LoopProgram | None:
    """``frame``'s :class:`LoopProgram` when the frame is simple (module docstring),
    else ``None``; made on the first call and kept on the frame.

    Examples
    --------
    >>> import runtime as tf
    >>> from runtime.plan import build_plan
    >>> with tf.Graph().as_default():
    ...     tf.compat.v1.disable_control_flow_v2()
    ...     n = tf.compat.v1.while_loop(lambda i: i < 5, lambda i: i + 2, [0])
    ...     ops = tf.compat.v1.get_default_graph().get_operations()
    >>> plan = build_plan([n], [], [], {op: "/cpu:0" for op in ops})
    >>> program = program_for(plan.frames[1], plan)
    >>> values = [None] * plan.frames[1].num_slots
    >>> for step in plan.steps:
    ...     if step.kind == ENTER:
    ...         values[step.output_slots[0]] = step.op.inputs[0].op.get_attr("value")
    >>> program.run(values, None, lambda: None, None)
    (array(6, dtype=int32),)
    """
    if frame.program is None:
        frame.program = _compile(frame, plan) or False
    return frame.program or None


def _compile(frame, plan) -> LoopProgram | None:
    shape = _LoopShape.of(frame, plan)
    if shape is None:
        return None
    namespace = {"steps": plan.steps, "np": np}

    def run(steps, indent):
        return [f"{indent}{line}" for step in steps for line in _lines(step, namespace)]

    source = [
        "def run_loop(v, here, tick, fail):",
        "    wrong = lambda k, o: fail(steps[k], None, o)",
        *(f"    {merge.takes(merge.entered, merge.enter_index)}" for merge in shape.merges),
        "    n = i = 0",
        "    while True:",
        f"        if not n & {shape.tick_mask}: tick()",
        "        try:",
        *run(shape.before, " " * 12),
        f"            i = {shape.loop_cond}",
        f"            if not v[{shape.pred}]:",
        *run(shape.tail, " " * 16),
        "                break",
        *(f"            v[{true}] = v[{data}]" for data, true in shape.switches),
        *run(shape.after, " " * 12),
        "        except BaseException as err:",
        "            fail(steps[i], err)",
        *(f"        {merge.takes(merge.next, 1 - merge.enter_index)}" for merge in shape.merges),
        "        n += 1",
        f"    return ({''.join(f'v[{slot}], ' for slot in shape.exit_slots)})",
    ]
    exec(compile("\n".join(source), f"<loop {frame.name}>", "exec"), namespace)
    blocking = any(step.cost is Cost.BLOCKING for step in frame.steps)
    return LoopProgram(namespace["run_loop"], shape.exits, blocking)


def _lines(step, namespace: dict) -> list[str]:
    if step.forwards:  # Identity, LoopCond: no call at all
        return [f"v[{step.output_slots[0]}] = v[{step.input_slots[0]}]"]
    return step_lines(step, namespace, slow="here(steps[{k}], v)")


class _LoopShape:
    """What a simple loop frame's program is made of (``None`` from :meth:`of` when the
    frame is not simple).

    The frame's other steps run in a topological order, in two parts: ``before``, the
    steps that do not wait on a Switch (the condition: every iteration runs them);
    then, when the condition holds, the Switches' true sides and the steps ``after``;
    in the last iteration only those of ``after`` not dead there (``tail``: a
    ``ControlTrigger``, never dead, and what waits only on it and on ``before``).
    """

    @classmethod
    def of(cls, frame, plan):
        try:
            return cls(frame, plan)
        except _NotSimple:
            return None

    def __init__(self, frame, plan):
        by_role: dict = {}
        for step in frame.steps:
            by_role.setdefault(_role(step, frame), []).append(step)
        _require(set(by_role) <= {"merge", "switch", "loop_cond", "next", "exit", "op"})
        _require(len(by_role.get("loop_cond", ())) == 1 and "switch" in by_role)
        (loop_cond,) = by_role["loop_cond"]
        self.pred = loop_cond.output_slots[0]
        self.loop_cond = loop_cond.index  # a pred that is no boolean fails as its op
        producer = _producers(frame, plan)
        _require(all(step.pending > 0 for step in frame.steps))
        self.merges = [_Merge(step, producer) for step in by_role["merge"]]
        switches = by_role["switch"]
        self.switches = [_switch(step, self.pred) for step in switches]
        self.exits = by_role.get("exit", [])
        self.exit_slots = [_exit_input(step, producer) for step in self.exits]
        ordered = _topological(
            [s for s in frame.steps if s.kind not in (MERGE, EXIT) and not _is_switch(s)]
        )
        for step in ordered:
            _require(all(slot in producer for slot in step.input_slots))
        behind = _reached(switches, set(ordered))
        self.before = [s for s in ordered if s not in behind]
        after = [s for s in ordered if s in behind]
        # What the Switches and the LoopCond read is computed before the Switches.
        computed = set(self.before) | {merge.step for merge in self.merges}
        for slot in [data for data, _ in self.switches] + [loop_cond.input_slots[0]]:
            source = producer[slot][0]
            _require(source in computed or source.kind == ENTER)
        dead = _dead_at_end(switches, after)
        # Each NextIteration waits on a true side: dead in the last iteration, it starts
        # no further one (a live one there would, in TF's executor).
        _require(all(s in dead for s in ordered if s.kind == NEXT_ITERATION))
        self.after = [s for s in after if s.kind != NEXT_ITERATION]
        self.tail = [s for s in after if s not in dead]
        # A tick every so many steps, as run_ready's (a power of two, less one).
        per_tick = max(1, _STEPS_PER_TICK // max(1, len(ordered)))
        self.tick_mask = (1 << (per_tick.bit_length() - 1)) - 1


class _Merge:
    """A loop Merge: it takes an Enter's value in iteration 0, a NextIteration's later."""

    def __init__(self, step, producer: dict):
        _require(len(step.input_slots) == 2 and step.pending == 1)  # no control inputs
        sources = [producer.get(slot, (None,))[0] for slot in step.input_slots]
        kinds = [getattr(source, "kind", None) for source in sources]
        _require(set(kinds) == {ENTER, NEXT_ITERATION})
        self.step = step
        self.enter_index = kinds.index(ENTER)
        _require(not sources[self.enter_index].attrs.get("is_constant"))
        self.entered = step.input_slots[self.enter_index]
        self.next = sources[1 - self.enter_index].input_slots[0]
        self.value, self.index_slot = step.output_slots

    def takes(self, slot: int, index: int) -> str:
        """The line giving the Merge's outputs: ``slot``'s value, taken from input ``index``."""
        return f"v[{self.value}] = v[{slot}]; v[{self.index_slot}] = np.int32({index})"


class _NotSimple(Exception):
    """The frame is not a simple loop."""


def _require(condition: bool) -> None:
    if not condition:
        raise _NotSimple


def _role(step, frame) -> str:
    if step.out_frame is not frame and step.kind != EXIT:
        return "nested"  # an Enter into an inner loop
    if step.kind == MERGE:
        return "merge"
    if step.kind == NEXT_ITERATION:
        return "next"
    if step.kind == EXIT:
        return "exit"
    if _is_switch(step):
        return "switch"
    if step.op.type == "LoopCond":
        return "loop_cond" if step.forwards else "other"
    return "op" if step.kind != ENTER else "nested"


def _is_switch(step) -> bool:
    return step.op.type in ("Switch", "RefSwitch")


def _producers(frame, plan) -> dict:
    """Slot -> (producing step, output index), for the values of ``frame``'s iterations."""
    producer = {}
    for step in plan.steps:
        if step.out_frame is frame:  # the frame's steps and its Enters
            for index, slot in enumerate(step.output_slots):
                producer[slot] = (step, index)
    return producer


def _switch(step, pred: int) -> tuple:
    """``(data slot, true slot)``; the false side may only go to Exits."""
    _require(step.input_slots[1] == pred)
    _require(all(kind == EXIT for _, _, index, kind in step.fanout if index == 0))
    _require(all(index != -1 for _, _, index, _ in step.fanout))
    return step.input_slots[0], step.output_slots[1]


def _exit_input(step, producer) -> int:
    source, index = producer.get(step.input_slots[0], (None, None))
    _require(source is not None and _is_switch(source) and index == 0 and step.pending == 1)
    return source.input_slots[0]


def _dead_at_end(switches: list, after: list) -> set:
    """The steps dead in the last iteration: those reading a Switch's true side, and
    on, as TF's executor propagates deadness (a ``ControlTrigger`` is never dead)."""
    dead = {dst for switch in switches for dst, _, index, _ in switch.fanout if index == 1}
    for step in after:  # in topological order: a step's producers come first
        if step in dead and step.kind == CONTROL_TRIGGER:
            dead.discard(step)
        if step in dead and step.kind != NEXT_ITERATION:  # its edges: the next iteration
            dead.update(dst for dst, *_ in step.fanout)
    _require(not any(step.kind in (MERGE, EXIT) for step in dead))
    return dead


def _topological(steps: list) -> list:
    """``steps`` in an order that runs each after the steps it waits on in an
    iteration (plan order need not: a gradient adds control inputs to earlier ops)."""
    sorter = graphlib.TopologicalSorter({step: () for step in steps})
    members = set(steps)
    for step in steps:
        if step.kind != NEXT_ITERATION:  # its edges go to the next iteration's Merges
            for dst, *_ in step.fanout:
                if dst in members:
                    sorter.add(dst, step)
    try:
        return list(sorter.static_order())
    except graphlib.CycleError:
        raise _NotSimple from None


def _reached(switches: list, members: set) -> set:
    """The steps of ``members`` that wait, directly or not, on a Switch."""
    reached = set()
    todo = [dst for switch in switches for dst, *_ in switch.fanout if dst in members]
    while todo:
        step = todo.pop()
        if step not in reached:
            reached.add(step)
            if step.kind != NEXT_ITERATION:
                todo.extend(dst for dst, *_ in step.fanout if dst in members)
    return reached
