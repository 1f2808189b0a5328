"""Execution plans: which ops a run needs, in which order, and where values live.

A ``Plan`` is built once per (fetches, feeds, targets) and cached by the session.

Pruning
    Walk back from the fetched tensors' ops and the target ops through data and
    control inputs, stopping at fed tensors: a fed tensor's producer runs only if
    something else needs it. Ops outside the walk never run.
Order
    Ops are created after their inputs, so creation order is a topological order;
    the plan keeps it. The sequential executor follows it exactly, which makes runs
    (and the stepper) deterministic.
Slots
    Every tensor the run touches gets an index into one flat value list. Feeds fill
    their slots before the first op; ``release`` lists, per step, the slots whose last
    reader that step is, so values are dropped as soon as nothing needs them.
"""

from __future__ import annotations

import dataclasses
import itertools
import operator

from .devices import DeviceSpec
from .errors import NotFoundError, UnimplementedError, op_error
from .registry import Kernel, get_op_def, is_registered, lookup_kernel


# Slots: a big graph's first run makes one Step per op, and objects without a __dict__
# are quicker to make and leave the garbage collector less to scan.
@dataclasses.dataclass(eq=False, slots=True)
class Step:
    """One op of a plan, with everything the executor needs pre-resolved."""

    index: int
    op: object
    device: str
    kernel: Kernel
    attrs: dict
    input_slots: tuple
    deref: tuple  # positions of inputs that are references to read
    output_slots: tuple
    cost: str
    dependents: list = dataclasses.field(default_factory=list)
    pending: int = 0  # data and control inputs produced inside the plan
    release: tuple = ()  # slots freed after this step in sequential order
    # The kernel takes its slots' values as they are (no references, no context):
    # the executor calls it directly. Set from ``deref`` and ``kernel``.
    fast: bool = dataclasses.field(init=False)

    def __post_init__(self):
        self.fast = not self.deref and not self.kernel.needs_context


@dataclasses.dataclass(eq=False)
class Plan:
    """An ordered, pruned program for one kind of run."""

    steps: list
    num_slots: int
    feed_slots: dict  # Tensor -> slot
    fetch_slots: list  # slot of each fetched tensor, in fetch order
    slot_of: dict  # Tensor -> slot
    sequential_only: bool  # no op would gain from the thread pool
    has_blocking: bool
    arithmetic: bool = True  # False when every op only passes values on (see build_plan)

    @property
    def ops(self) -> list:
        return [step.op for step in self.steps]

    def initial_values(self, feeds: dict) -> list:
        """The slot list a run starts from: each fed value (``Tensor -> value``) in its
        slot, every other slot empty."""
        values = [None] * self.num_slots
        for tensor, value in feeds.items():
            slot = self.feed_slots.get(tensor)
            if slot is not None:
                values[slot] = value
        return values

    @property
    def kept_slots(self) -> set:
        """Slots whose values outlive the steps that read them: fetches and feeds."""
        return set(self.fetch_slots) | set(self.feed_slots.values())


def prune(fetch_tensors, target_ops, feed_tensors) -> list:
    """The ops a run needs, in creation order.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a = tf.constant(1.0, name="a")
    ...     b = tf.constant(2.0, name="b")
    ...     c = tf.add(a, b, name="c")
    ...     d = tf.negative(a, name="d")
    >>> [op.name for op in prune([c], [], set())]
    ['a', 'b', 'c']
    >>> [op.name for op in prune([c], [], {a})]
    ['b', 'c']
    """
    needed = set()
    stack = [t.op for t in fetch_tensors if t not in feed_tensors] + list(target_ops)
    while stack:
        op = stack.pop()
        if op in needed:
            continue
        needed.add(op)
        stack.extend(t.op for t in op.inputs if t not in feed_tensors)
        stack.extend(op.control_inputs)
    return sorted(needed, key=_CREATION_ORDER)


_CREATION_ORDER = operator.attrgetter("_id")  # ops sort by creation, the key in C


def build_plan(fetch_tensors, target_ops, feed_tensors, placement: dict, ops=None) -> Plan:
    """Build the plan of a run; ``placement`` maps each op to its assigned device.

    ``ops`` replaces pruning with an explicit op list (a partition of a distributed
    run): inputs produced outside it must be fed, control inputs outside it are
    ordered by the caller.
    """
    if ops is None:
        ops = prune(fetch_tensors, target_ops, set(feed_tensors))
    else:
        ops = sorted(ops, key=_CREATION_ORDER)
    _check_implemented(ops)
    slot_of: dict = {}
    counter = itertools.count()

    def slot(tensor) -> int:
        if tensor not in slot_of:
            slot_of[tensor] = next(counter)
        return slot_of[tensor]

    feed_slots = {tensor: slot(tensor) for tensor in feed_tensors}

    def output_slot(tensor) -> int:
        # A fed tensor keeps its fed value even when its op runs for another reason:
        # the op's own output goes to a slot nothing reads.
        return next(counter) if tensor in feed_slots else slot(tensor)

    steps = [_make_step(i, op, placement[op], slot, output_slot) for i, op in enumerate(ops)]
    _link(steps, ops)
    fetch_slots = [slot(tensor) for tensor in fetch_tensors]
    plan = Plan(
        steps=steps,
        num_slots=next(counter),
        feed_slots=feed_slots,
        fetch_slots=fetch_slots,
        slot_of=slot_of,
        sequential_only=all(step.cost == "cheap" for step in steps),
        has_blocking=any(step.cost == "blocking" for step in steps),
        arithmetic=any(step.op.type not in _VALUE_PASSING for step in steps),
    )
    _set_releases(steps, plan.kept_slots)
    return plan


# Ops whose kernels compute nothing, so they cannot raise numpy floating-point warnings:
# a run of only these needs no np.errstate (see runtime.executor.run_plan).
_VALUE_PASSING = frozenset({"Const", "Identity", "NoOp", "Placeholder", "PlaceholderWithDefault"})


def _check_implemented(ops) -> None:
    """One clear error for ops of types this runtime lacks (graphs loaded from TF files)."""
    missing: dict = {}
    for op in ops:
        if not is_registered(op.type):
            missing.setdefault(op.type, []).append(op.name)
    if missing:
        listing = "; ".join(
            f"{kind} (ops: {', '.join(names)})" for kind, names in sorted(missing.items())
        )
        raise UnimplementedError(
            None,
            None,
            f"This run needs op types the runtime does not implement: {listing}. The graph can "
            "be drawn and inspected, and the parts that do not need these ops can run.",
        )


def _make_step(index, op, device: str, slot, output_slot) -> Step:
    op_def = get_op_def(op.type)
    inputs = op.inputs
    deref = ()
    if any(t.dtype.is_ref_dtype for t in inputs):
        refs = _reference_inputs(op_def, len(inputs))
        deref = tuple(i for i, t in enumerate(inputs) if t.dtype.is_ref_dtype and i not in refs)
    attrs = op_def.public_attrs(op._attrs)  # unpacked into each kernel call, never changed
    return Step(
        index,
        op,
        device,
        kernel_for(op, device),
        attrs,
        tuple([slot(t) for t in inputs]),
        deref,
        tuple([output_slot(t) for t in op.values()]),
        op_def.cost,
    )


def _reference_inputs(op_def, count: int) -> set:
    """Input positions that take references: ``"&x"`` args, and a trailing ``"*&xs"`` list
    (function calls such as ``If`` pass variables through to their bodies)."""
    if op_def.input_arity is not None:
        return set(op_def.ref_inputs)
    for position, arg in enumerate(op_def.inputs):
        if arg.startswith("*&"):
            return set(range(position, count))
    return set()


def kernel_for(op, device: str) -> Kernel:
    """The kernel that runs ``op`` on ``device``; ``NotFoundError`` if there is none."""
    device_type = DeviceSpec.from_string(device).device_type or "CPU"
    kernel = lookup_kernel(op.type, device_type)
    if kernel is None:
        raise op_error(
            NotFoundError,
            op,
            f"No registered '{op.type}' OpKernel for '{device_type}' devices compatible with "
            f"node {op.name}",
            device,
        )
    return kernel


def _link(steps, ops) -> None:
    position = {op: step for op, step in zip(ops, steps)}
    for step in steps:
        producers = {position[t.op] for t in step.op.inputs if t.op in position}
        producers |= {position[c] for c in step.op.control_inputs if c in position}
        # Steps are visited in plan order, so each dependents list comes out sorted.
        for producer in producers:
            producer.dependents.append(step)
        step.pending = len(producers)


def _set_releases(steps, keep: set) -> None:
    last_reader: dict[int, Step] = {}
    for step in steps:
        for s in step.input_slots:
            last_reader[s] = step
        for s in step.output_slots:
            last_reader.setdefault(s, step)  # an unread output is dropped at once
    freed: dict[Step, list] = {}
    for s, step in last_reader.items():
        if s not in keep:
            freed.setdefault(step, []).append(s)
    for step, slots in freed.items():
        step.release = tuple(slots)
