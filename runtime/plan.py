"""Execution plans: which ops a run needs, where their values live, and in which frame.

A ``Plan`` is built once per (fetches, feeds, targets) and cached by the session.

Pruning
    Walk back from the fetched tensors' ops and the target ops through data and
    control inputs, stopping at fed tensors: a fed tensor's producer runs only if
    something else needs it. Ops outside the walk never run.
Order
    Ops are created after their inputs, so creation order is a topological order of a
    graph without loops; the plan keeps it. The sequential executor follows it exactly,
    which makes runs (and the stepper) deterministic. A graph with TF1 loops has cycles
    (``NextIteration`` feeds its loop's ``Merge``, made before it); its plan is run by
    readiness alone (:mod:`runtime.execution`).
Frames
    TF1 control flow runs ops in *frames*: the root frame, and one frame per
    ``while_loop`` (nested loops nest frames). ``Enter`` ops pass values into their
    loop's frame, ``Exit`` ops out to the parent frame, and ``NextIteration`` on to the
    next iteration of the same frame. Every step belongs to one static :class:`Frame`
    (found as TF's executor does, walking the edges from the plan's roots), and every
    tensor has a slot in the frame of its readers: the child frame for an ``Enter``'s
    output, the parent frame for an ``Exit``'s, the step's own frame otherwise.
Slots
    Each frame numbers its tensors' slots from 0; a run keeps one value list per frame
    iteration. Feeds fill the root frame's slots before the first op. In a plan without
    loops, ``release`` lists, per step, the slots whose last reader that step is, so
    values are dropped as soon as nothing needs them.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
from collections import deque

from .devices import DeviceSpec
from .errors import InvalidArgumentError, NotFoundError, UnimplementedError, op_error
from .registry import Cost, Kernel, get_op_def, is_registered, lookup_kernel

# What a step does to the frames and iterations of a run (see runtime.execution).
NORMAL, ENTER, EXIT, NEXT_ITERATION, MERGE, CONTROL_TRIGGER = range(6)

_KIND_OF_TYPE = {
    "Enter": ENTER,
    "RefEnter": ENTER,
    "Exit": EXIT,
    "RefExit": EXIT,
    "NextIteration": NEXT_ITERATION,
    "RefNextIteration": NEXT_ITERATION,
    "Merge": MERGE,
    "RefMerge": MERGE,
    "ControlTrigger": CONTROL_TRIGGER,
}


@dataclasses.dataclass(eq=False)
class Frame:
    """A static frame: the root, or the body of one ``while_loop``.

    ``steps`` are the plan's steps that run in the frame (``Step.local`` indexes
    them), ``num_slots`` the size of each iteration's value list, ``initial_pending``
    each step's in-edge count at the start of an iteration, and ``num_enters`` the
    ``Enter`` steps that feed the frame (iteration 0 is not done before they all ran).
    """

    name: str
    parent: Frame | None = None
    steps: list = dataclasses.field(default_factory=list)
    num_slots: int = 0
    initial_pending: list = dataclasses.field(default_factory=list)
    num_enters: int = 0
    parallel_iterations: int = 10
    # A loop frame's straight-line program (runtime.loop_program), once looked for:
    # ``None`` before, ``False`` when the frame is not a simple loop.
    program: object = None

    def new_slot(self) -> int:
        self.num_slots += 1
        return self.num_slots - 1

    @property
    def depth(self) -> int:
        return 0 if self.parent is None else self.parent.depth + 1

    def __repr__(self) -> str:
        return f"<Frame {self.name or '(root)'}: {len(self.steps)} steps>"


# Ops whose kernel returns its one input as it is.
_FORWARDING = frozenset(
    {
        "Identity",
        "Enter",
        "RefEnter",
        "Exit",
        "RefExit",
        "NextIteration",
        "RefNextIteration",
        "LoopCond",
    }
)


# Slots: a big graph's first run makes one Step per op, and objects without a __dict__
# are quicker to make and leave the garbage collector less to scan.
@dataclasses.dataclass(eq=False, slots=True)
class Step:
    """One op of a plan, with everything the executor needs pre-resolved.

    ``input_slots`` are slots of the step's own frame, ``output_slots`` slots of the
    frame its outputs go to. ``fanout`` lists ``(reader step, reader.local, output
    index, reader.kind)`` for each data edge, with -1 for the index of a control edge,
    in plan order: delivering an output looks nothing up. ``pending`` counts the
    in-edges from steps of the plan (a ``Merge`` counts ``1 + 2 × control in-edges``,
    as TF's executor does: it needs one live input).
    """

    index: int
    op: object
    device: str
    kernel: Kernel
    attrs: dict
    input_slots: tuple
    deref: tuple  # positions of inputs that are references to read
    output_slots: tuple
    cost: Cost
    kind: int = NORMAL
    frame: Frame | None = None
    local: int = 0  # position in frame.steps
    out_frame: Frame | None = None  # where the outputs go (an Enter's loop frame)
    fanout: tuple = ()
    pending: int = 0
    release: tuple = ()  # slots freed after this step in sequential order
    # The kernel takes its slots' values as they are (no references, no context):
    # the executor calls it directly. Set from ``deref`` and ``kernel``.
    fast: bool = dataclasses.field(init=False)
    # A fast op that hands its one input on unchanged (``Identity``, a loop's ``Enter``,
    # ``NextIteration``...): a loop of ready tasks passes the value without a kernel call.
    forwards: bool = dataclasses.field(init=False)

    def __post_init__(self):
        self.fast = not self.deref and not self.kernel.needs_context
        self.forwards = self.fast and self.op.type in _FORWARDING

    @property
    def dependents(self) -> list:
        """The steps reading this one's outputs or waiting on it, once each, in plan order."""
        return list(dict.fromkeys(dst for dst, *_ in self.fanout))


@dataclasses.dataclass(eq=False)
class Plan:
    """An ordered, pruned program for one kind of run."""

    steps: list
    root: Frame
    frames: list  # every static frame, the root first
    feed_slots: dict  # Tensor -> root slot
    fetch_slots: list  # root slot of each fetched tensor, in fetch order
    fetched_variables: list  # (fetch index, the variable's slot) of each fetched read of one
    slot_of: dict  # Tensor -> slot in the frame of its readers
    frame_of_tensor: dict  # Tensor -> that frame
    roots: list  # steps with no in-edge in the plan: ready when a run starts, in plan order
    sequential_only: bool  # no op would gain from the thread pool
    has_blocking: bool
    user_python: bool = False  # py_funcs: their Python may wait for one another
    arithmetic: bool = True  # False when every op only passes values on (see build_plan)
    control_flow: bool = False  # TF1 loops or conditionals: frames and dead tensors
    runs: int = 0  # how often the plan ran in order, before its straight-line code
    run_seconds: float = 0.0  # how long those runs took in all
    straight_line: object = None  # its generated code (runtime.straight_line), once made
    rewrite: object = None  # the graph optimizer's graph as run, when it rewrote the run
    # Without control flow: per root slot, how many steps read it (see _count_readers).
    readers: list | None = None

    @property
    def ops(self) -> list:
        return [step.op for step in self.steps]

    @property
    def num_slots(self) -> int:
        """The root frame's slot count (the whole plan's without loops)."""
        return self.root.num_slots

    def initial_values(self, feeds: dict) -> list:
        """The root slot list a run starts from: each fed value (``Tensor -> value``) in
        its slot, every other slot empty."""
        values = [None] * self.root.num_slots
        for tensor, value in feeds.items():
            slot = self.feed_slots.get(tensor)
            if slot is not None:
                values[slot] = value
        return values

    @property
    def kept_slots(self) -> set:
        """Slots whose values outlive the steps that read them: fetches (and the variables
        whose reads are fetched) and feeds."""
        variables = {slot for _, slot in self.fetched_variables}
        return set(self.fetch_slots) | variables | set(self.feed_slots.values())

    def fetched(self, values: list) -> list:
        """The fetched values in the slot list ``values`` of a finished run: each fetch's
        slot, but for a fetched read of a variable the variable itself where this process
        holds it, read as the run ends (:func:`_variable_read`).

        Examples
        --------
        >>> import runtime as tf
        >>> with tf.Graph().as_default():
        ...     v = tf.Variable(1.0)
        ...     inc = tf.compat.v1.assign_add(v, 1.0)
        ...     with tf.compat.v1.Session() as sess:
        ...         sess.run(v.initializer)
        ...         print(sess.run([inc, v]))
        [np.float32(2.0), np.float32(2.0)]
        """
        results = [values[slot] for slot in self.fetch_slots]
        for index, slot in self.fetched_variables:
            if hasattr(values[slot], "read"):  # (a Dask worker's variable stays there)
                results[index] = values[slot]
        return results


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
    >>> with a.graph.as_default(), tf.control_dependencies([a]):
    ...     e = tf.negative(b, name="e")
    >>> [op.name for op in prune([e], [], {a})]  # a is fed: its control edge is met
    ['b', 'e']
    """
    needed = set()
    stack = [t.op for t in fetch_tensors if t not in feed_tensors] + list(target_ops)
    # The op's own tuples, not its list-copying properties: a first run prunes every op.
    while stack:
        op = stack.pop()
        if op in needed:
            continue
        needed.add(op)
        stack.extend([t._op for t in op._inputs if t not in feed_tensors])
        if op._control_inputs:
            # A control input whose every output is fed is satisfied by the feed (TF
            # moves such an edge to the fed value): the op itself need not run.
            stack.extend([c for c in op._control_inputs if not _all_fed(c, feed_tensors)])
    return sorted(needed, key=_CREATION_ORDER)


def _all_fed(op, feed_tensors) -> bool:
    outputs = op.values()
    return bool(outputs) and all(t in feed_tensors for t in outputs)


_CREATION_ORDER = operator.attrgetter("_id")  # ops sort by creation, the key in C


def build_plan(fetch_tensors, target_ops, feed_tensors, placement: dict, ops=None) -> Plan:
    """Build the plan of a run; ``placement`` maps each op to its assigned device.

    ``ops`` replaces pruning with an explicit op list (a partition of a distributed
    run): inputs produced outside it must be fed, control inputs outside it are
    ordered by the caller.
    """
    feed_tensors = list(feed_tensors)
    fed = set(feed_tensors)
    ops = prune(fetch_tensors, target_ops, fed) if ops is None else sorted(ops, key=_CREATION_ORDER)
    _check_implemented(ops)
    steps = _make_steps(ops, placement)
    out_edges, roots = _link(steps, ops, fed)
    root = Frame("")
    frames = _assign_frames(steps, out_edges, roots, root)
    for step, edges in zip(steps, out_edges):
        step.fanout = tuple([(dst, dst.local, index, dst.kind) for dst, index in edges])
    del out_edges  # in each fanout now: fewer objects for the collector to scan
    slot_of, frame_of_tensor = _assign_slots(steps, frames, feed_tensors)
    feed_slots = {tensor: slot_of[tensor] for tensor in feed_tensors}
    fetch_slots = [_fetch_slot(tensor, slot_of, frame_of_tensor, root) for tensor in fetch_tensors]
    fetched_variables = [
        (index, slot_of[variable])
        for index, (tensor, variable) in enumerate(
            zip(fetch_tensors, map(_variable_read, fetch_tensors))
        )
        # A fed read is the fed value, as in TF (its variable need not even be in the run).
        if variable is not None and tensor not in fed
    ]
    # What the flags below ask of the steps, in three quick passes (not one per flag).
    costs = {step.cost for step in steps}
    kinds = {step.kind for step in steps}
    types = {step.op._type for step in steps}
    plan = Plan(
        steps=steps,
        root=root,
        frames=list(frames.values()),
        feed_slots=feed_slots,
        fetch_slots=fetch_slots,
        fetched_variables=fetched_variables,
        slot_of=slot_of,
        frame_of_tensor=frame_of_tensor,
        roots=roots,
        sequential_only=costs <= {Cost.CHEAP},
        has_blocking=Cost.BLOCKING in costs,
        user_python=not types.isdisjoint(_USER_PYTHON),
        arithmetic=not types <= _VALUE_PASSING,
        control_flow=len(frames) > 1
        or bool(kinds - {NORMAL})
        or not types.isdisjoint(_DEAD_MAKERS),
    )
    if not plan.control_flow:
        _set_releases(steps, plan.kept_slots)
        plan.readers = _count_readers(steps, plan)
    return plan


# Ops whose kernels compute nothing, so they cannot raise numpy floating-point warnings:
# a run of only these needs no np.errstate (see runtime.executor.run_plan).
_VALUE_PASSING = frozenset({"Const", "Identity", "NoOp", "Placeholder", "PlaceholderWithDefault"})
# Ops that run the user's Python (tf.py_func, tf.py_function).
_USER_PYTHON = frozenset({"PyFunc", "PyFuncStateless", "EagerPyFunc"})
# Ops that make dead tensors outside any loop (a TF1 cond's Switch).
_DEAD_MAKERS = frozenset({"Switch", "RefSwitch"})


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


def _make_steps(ops, placement: dict) -> list:
    """A step per op. What a step takes from its op's type and device (OpDef, kernel,
    cost, kind) is found once per pair: a big graph has many ops and few pairs."""
    of_pair: dict = {}
    steps = []
    for index, op in enumerate(ops):
        device = placement[op]
        found = of_pair.get((op._type, device))
        if found is None:
            found = of_pair[op._type, device] = (
                get_op_def(op._type),
                kernel_for(op, device),
                _KIND_OF_TYPE.get(op._type, NORMAL),
            )
        op_def, kernel, kind = found
        attrs = op_def.public_attrs(op._attrs)  # unpacked into each kernel call, never changed
        steps.append(
            Step(index, op, device, kernel, attrs, (), _deref(op, op_def), (), op_def.cost, kind)
        )
    return steps


def _deref(op, op_def) -> tuple:
    """Positions of the reference inputs whose values ``op`` reads (not takes as refs)."""
    for tensor in op._inputs:
        if tensor._dtype.is_ref_dtype:
            refs = op_def.flat_ref_inputs
            return tuple(
                i for i, t in enumerate(op._inputs) if t._dtype.is_ref_dtype and i not in refs
            )
    return ()


def kernel_for(op, device: str) -> Kernel:
    """The kernel that runs ``op`` on ``device``; ``NotFoundError`` if there is none."""
    device_type = _device_type(device)
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


@functools.cache
def _device_type(device: str) -> str:
    return DeviceSpec.from_string(device).device_type or "CPU"


def _link(steps, ops, fed: set) -> tuple[list, list]:
    """Each step's out-edges, ``(reader step, output index)`` (-1 for a control edge),
    and the roots; fills each step's ``pending`` count."""
    position = {op: step for op, step in zip(ops, steps)}
    out_edges = [[] for _ in steps]
    roots = []
    for step in steps:
        control_edges = 0
        data_edges = 0
        for tensor in step.op._inputs:
            producer = position.get(tensor._op)
            if producer is not None and tensor not in fed:
                out_edges[producer.index].append((step, tensor.value_index))
                data_edges += 1
        for control in step.op._control_inputs:
            producer = position.get(control)
            if producer is not None:
                out_edges[producer.index].append((step, -1))
                control_edges += 1
        if step.kind == MERGE:
            step.pending = 1 + 2 * control_edges
        else:
            step.pending = data_edges + control_edges
        if data_edges + control_edges == 0:
            roots.append(step)
    return out_edges, roots


def _assign_frames(steps, out_edges: list, roots, root: Frame) -> dict:
    """Put every step in its static frame, walking out-edges from the roots (as TF's
    ``BuildControlFlowInfo``); ``InvalidArgumentError`` for inconsistent frames.
    Returns the frames by name, the root (``""``) first."""
    frames = {"": root}
    if not any(step.kind in _CROSSING for step in steps):
        # No loop: one frame, and a step's place in it is its place in the plan.
        for step in steps:
            step.frame = root
            step.local = step.index
        root.steps = list(steps)
        root.initial_pending = [step.pending for step in steps]
        return frames
    frame_of = dict.fromkeys(roots, root)
    queue = deque(roots)
    while queue:
        step = queue.popleft()
        out_frame = _output_frame(step, frame_of[step], frames)
        for dst, _ in out_edges[step.index]:
            known = frame_of.get(dst)
            if known is None:
                frame_of[dst] = out_frame
                queue.append(dst)
            elif known is not out_frame:
                raise op_error(
                    InvalidArgumentError,
                    dst.op,
                    f"{dst.op.type} '{dst.op.name}' has inputs from different frames: "
                    f"'{step.op.name}' is in frame '{out_frame.name}', other inputs in frame "
                    f"'{known.name}'.",
                )
    for step in steps:
        frame = frame_of.setdefault(step, root)  # e.g. a loop cut off by feeds
        step.frame = frame
        step.local = len(frame.steps)
        frame.steps.append(step)
        frame.initial_pending.append(step.pending)
        if step.kind == ENTER:
            frames[_enter_name(step)].num_enters += 1
    return frames


def _enter_name(step) -> str:
    name = step.op._attrs["frame_name"]
    return name.decode() if isinstance(name, bytes) else name


def _output_frame(step, frame: Frame, frames: dict) -> Frame:
    if step.kind == ENTER:
        name = _enter_name(step)
        child = frames.get(name)
        if child is None:
            child = frames[name] = Frame(name, frame)
            child.parallel_iterations = int(step.op._attrs.get("parallel_iterations", 10))
        elif child.parent is not frame:
            raise op_error(
                InvalidArgumentError,
                step.op,
                f"Enter '{step.op.name}' enters frame '{name}' from frame '{frame.name}', but "
                f"the frame's other Enter ops are in frame '{child.parent.name}'.",
            )
        return child
    if step.kind == EXIT:
        if frame.parent is None:
            raise op_error(
                InvalidArgumentError,
                step.op,
                f"Exit '{step.op.name}' is not inside a loop frame.",
            )
        return frame.parent
    return frame


def _assign_slots(steps, frames: dict, feed_tensors) -> tuple[dict, dict]:
    root = frames[""]
    slot_of: dict = {}
    frame_of_tensor: dict = {}
    for tensor in feed_tensors:
        slot_of[tensor] = root.new_slot()
        frame_of_tensor[tensor] = root
    for step in steps:
        out_frame = step.out_frame = (
            _output_frame(step, step.frame, frames) if step.kind in _CROSSING else step.frame
        )
        outputs = step.op._outputs
        first = out_frame.num_slots
        out_frame.num_slots += len(outputs)
        step.output_slots = tuple(range(first, out_frame.num_slots))
        for slot, tensor in enumerate(outputs, first):
            if tensor not in slot_of:  # else fed: the op's output goes to a slot nothing reads
                slot_of[tensor] = slot
                frame_of_tensor[tensor] = out_frame
    one_frame = len(frames) == 1
    for step in steps:
        for tensor in step.op._inputs:
            if tensor not in slot_of:  # produced outside an explicit op list: fed
                slot_of[tensor] = step.frame.new_slot()
                frame_of_tensor[tensor] = step.frame
            elif not one_frame and frame_of_tensor[tensor] is not step.frame:
                raise op_error(
                    InvalidArgumentError,
                    step.op,
                    f"{step.op.type} '{step.op.name}' in frame '{step.frame.name}' reads "
                    f"'{tensor.name}' of frame '{frame_of_tensor[tensor].name}'.",
                )
        step.input_slots = tuple([slot_of[t] for t in step.op._inputs])
    return slot_of, frame_of_tensor


# Kinds of steps whose outputs go to another frame than their own.
_CROSSING = frozenset({ENTER, EXIT})


_VARIABLE_OPS = frozenset({"VariableV2", "Variable"})


def _variable_read(tensor):
    """The variable whose read ``tensor`` is (``v/read``, what fetching ``v`` fetches), else
    ``None``. TF's read aliases the variable's buffer, so the value a fetch of it returns
    shows what the run's later updates did: ``sess.run([train_op, global_step])`` gives
    the new step. So the session reads the variable as the run ends instead; the read
    still runs (an uninitialized variable fails there). A read inside a cond or loop keeps
    its own value (it may be dead, or one of many)."""
    op = tensor.op
    if op._type != "Identity" or op._control_flow_context is not None:
        return None
    source = op.inputs[0]
    return source if source.op._type in _VARIABLE_OPS else None


def _fetch_slot(tensor, slot_of: dict, frame_of_tensor: dict, root: Frame) -> int:
    frame = frame_of_tensor.get(tensor, root)
    if frame is not root:
        raise InvalidArgumentError(
            None,
            None,
            f"Cannot fetch '{tensor.name}': it is computed inside the while loop frame "
            f"'{frame.name}', once per iteration. Fetch the loop's output (an Exit) instead.",
        )
    return slot_of[tensor]


def _count_readers(steps, plan: Plan) -> list:
    """Per root slot, how many steps read it; a kept slot (a fetch, a feed) one more,
    so that a run out of plan order (``ExecutionState.finish``) never frees it."""
    counts = [0] * plan.root.num_slots
    for step in steps:
        for s in step.input_slots:
            counts[s] += 1
    for s in plan.kept_slots:
        counts[s] += 1
    return counts


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
