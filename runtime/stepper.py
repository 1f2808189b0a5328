"""Step through a run op by op: a debugger over the session's own executor.

The model is torch.fx's ``Interpreter``. The stepper is not a second executor: it
takes the run's ``Plan`` from the session (:meth:`Session.prepare_run`: the same feed
checks, pruning, placement and plan cache as ``Session.run``), and runs the plan's
steps with the executor's own ``execute_step`` in the session's ``RunContext``, in
plan order (the order the sequential executor follows), one op per :meth:`step`.

State of a stepped run
    ``values``     the plan's slot list, feeds first. Nothing is released while
                   stepping, so every value computed so far can be inspected.
    ``done``       the steps that have run, in the order they ran, each with its own
                   undo ``Journal`` (the run's context gets a fresh one per op), so
                   one op's effects can be undone on their own.
    ``overrides``  injected values by slot; they replace what the producing op
                   computes (or the feed).
    The next op is the first step of the plan that has not run. Pending ops stay
    closed under "depends on", so the next op's inputs are always computed.
Stateful ops
    Variables and queues change as in a real run, through the session's resources.
    :meth:`finish` commits (the journals are dropped), leaving the state
    ``Session.run`` leaves. :meth:`restore` undoes every change made so far, newest
    first, and makes the stateful ops that ran, and all that depends on them, pending
    again. When :meth:`inject` makes a stateful op run again, its earlier effects are
    undone first, so they apply once, never twice. (Undoing one op restores the old
    values it recorded, so a write to the same resource by an op that does not depend
    on it is lost; TF1 gives such unordered ops no order either.)
Failures
    A failing op's own changes are rolled back, its ``OpError`` is raised, and it
    stays next: fix the cause (for instance with :meth:`inject`) and step again. A
    blocking op waits in the caller's thread until it can go on, the session closes,
    ``operation_timeout_in_ms`` passes (per op here) or the user interrupts.

Methods in terms of call hierarchy; override them to customise stepping, as with
fx's ``Interpreter``::

    cont() / step_to(op) / finish()
        +-- step()
            +-- run_op(step)            one plan step: execute_step() in the run's context
        +-- breakpoint_hit(event)       (cont, step_to) the breakpoint that stops here
    inject(tensor, value) / remove_override(tensor) / restore()
        +-- (invalidation)              undo effects; the ops and their dependents pend
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import numpy as np

from .errors import OpError
from .execution import step_inputs
from .executor import run_kernel
from .fetching import convert_feed
from .graph import Operation, Tensor
from .registry import get_op_def
from .resources import Journal

__all__ = ["Breakpoint", "StepEvent", "Stepper", "has_inf_or_nan"]


def has_inf_or_nan(outputs) -> bool:
    """True when a floating-point or complex value in ``outputs`` holds a NaN or an Inf.

    Examples
    --------
    >>> has_inf_or_nan((np.array([1.0, np.nan]),))
    True
    >>> has_inf_or_nan((np.array([1, 2]), np.float32(3.0), b"text"))
    False
    """
    return any(
        isinstance(value, np.ndarray | np.generic)
        and value.dtype.kind in "fc"
        and not np.all(np.isfinite(value))
        for value in outputs
    )


CONDITIONS = {"has_inf_or_nan": has_inf_or_nan}


@dataclasses.dataclass(frozen=True)
class StepEvent:
    """What one step did: the op, the inputs its kernel got, its outputs, where, how long.

    ``outputs`` are the values downstream ops see (an injected value where there is
    one), a reference output (a variable) as its value right after the op ran;
    ``elapsed`` is the kernel's time in seconds.
    """

    op: Operation
    inputs: tuple
    outputs: tuple
    device: str
    elapsed: float


@dataclasses.dataclass(frozen=True)
class Breakpoint:
    """Stops :meth:`Stepper.cont` after an op that matches every criterion given.

    Parameters
    ----------
    op : str, optional
        The op's name.
    op_type : str, optional
        The op's type, e.g. ``"MatMul"``.
    scope : str, optional
        A name scope: the op's name is the scope or starts with ``scope + "/"``.
    condition : str or callable, optional
        ``"has_inf_or_nan"``, or ``predicate(outputs) -> bool`` on the op's output
        values.

    Examples
    --------
    >>> Breakpoint(scope="loss", condition="has_inf_or_nan").describe()
    "scope 'loss' if has_inf_or_nan"
    """

    op: str | None = None
    op_type: str | None = None
    scope: str | None = None
    condition: str | Callable | None = None

    def matches(self, event: StepEvent) -> bool:
        """Whether the op of ``event`` (which has run) stops here."""
        op = event.op
        if self.op is not None and op.name != self.op:
            return False
        if self.op_type is not None and op.type != self.op_type:
            return False
        if self.scope is not None and not _in_scope(op.name, self.scope):
            return False
        if self.condition is None:
            return True
        predicate = CONDITIONS.get(self.condition, self.condition)
        return bool(predicate(event.outputs))

    def describe(self) -> str:
        """A one-line description, e.g. ``"type 'Log' if has_inf_or_nan"``."""
        parts = []
        if self.op is not None:
            parts.append(f"op {self.op!r}")
        if self.op_type is not None:
            parts.append(f"type {self.op_type!r}")
        if self.scope is not None:
            parts.append(f"scope {self.scope!r}")
        if self.condition is not None:
            name = (
                self.condition
                if isinstance(self.condition, str)
                else _callable_name(self.condition)
            )
            parts.append(f"if {name}")
        return " ".join(parts)


def _in_scope(name: str, scope: str) -> bool:
    scope = scope.rstrip("/")
    return name == scope or name.startswith(scope + "/")


def _callable_name(fn) -> str:
    return getattr(fn, "__name__", type(fn).__name__)


def _observed(tensor, value):
    """``value`` as a person or a breakpoint sees it: a reference is read now."""
    if not tensor.dtype.is_ref_dtype:
        return value
    try:
        return value.read()
    except OpError:  # an uninitialized variable has no value to show yet
        return value


def _is_stateful(step) -> bool:
    """Whether ``step`` may change session state (and so record undo actions)."""
    return step.op.op_def.is_stateful or step.kernel.needs_context


class Stepper:
    """Run ``fetches`` op by op, as ``session.run(fetches, feed_dict)`` would.

    Parameters
    ----------
    session : Session
        The session whose plan, placement and resources the stepped run uses.
    fetches, feed_dict
        As for ``Session.run``, checked the same way.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, name="x")
    ...     y = tf.multiply(x, 2.0, name="y")
    ...     z = tf.negative(y, name="z")
    ...     sess = tf.compat.v1.Session()
    >>> stepper = Stepper(sess, z, {x: 3.0})
    >>> [op.name for op in stepper.pending]
    ['y/y', 'y', 'z']
    >>> [event.op.name for event in stepper.step_to("y")]
    ['y/y', 'y']
    >>> print(stepper.value(y), stepper.next.name)
    6.0 z
    >>> stepper.inject(y, 10.0)  # z has not run yet: nothing to recompute
    []
    >>> print(stepper.finish())
    -10.0
    >>> sess.close()
    """

    def __init__(self, session, fetches, feed_dict=None):
        self._session = session
        self._fetches = fetches
        self._feed_dict = feed_dict
        self._breakpoints: list[Breakpoint] = []
        self._begin()

    def _begin(self) -> None:
        prepared = self._session.prepare_run(self._fetches, self._feed_dict)
        plan = prepared.plan
        self._prepared = prepared
        self._plan = plan
        self._run = prepared.context
        # A stepped run is a run in flight: the session's close() cancels it.
        self._run.__enter__()
        self._values = prepared.initial_values()
        self._step_of = {step.op: step for step in plan.steps}
        self._producer = {slot: step for step in plan.steps for slot in step.output_slots}
        self._readers: dict = {}
        for step in plan.steps:
            for slot in step.input_slots:
                self._readers.setdefault(slot, []).append(step)
        self._fed = set(plan.feed_slots.values())
        self._done: dict = {}  # step -> its undo Journal, in the order the steps ran
        self._cursor = 0  # no step of the plan before this index is pending
        self._overrides: dict = {}  # slot -> injected value
        self._finished = False
        self.events: list[StepEvent] = []
        self.error: BaseException | None = None
        self.stopped_at: Breakpoint | None = None

    # -- where the run is -----------------------------------------------------------

    @property
    def done(self) -> list:
        """The ops that have run, in the order they ran."""
        return [step.op for step in self._done]

    @property
    def pending(self) -> list:
        """The ops still to run, in the order they will run (``next`` first)."""
        return [s.op for s in self._plan.steps[self._cursor :] if s not in self._done]

    @property
    def next(self) -> Operation | None:
        """The op the next :meth:`step` runs, or ``None`` when every op has run."""
        step = self._next_step()
        return None if step is None else step.op

    @property
    def unused(self) -> list:
        """The graph's ops this run does not need (pruned), in creation order."""
        return [op for op in self._session.graph.get_operations() if op not in self._step_of]

    @property
    def finished(self) -> bool:
        """Whether :meth:`finish` has committed this stepped run."""
        return self._finished

    @property
    def fetches(self):
        """The fetch structure this stepper runs."""
        return self._fetches

    @property
    def last_event(self) -> StepEvent | None:
        """The event of the op that ran last, or ``None``."""
        return self.events[-1] if self.events else None

    def state(self, op) -> str:
        """``"done"``, ``"next"``, ``"pending"`` or ``"unused"`` for ``op`` (or its name)."""
        step = self._step_of.get(self._op(op))
        if step is None:
            return "unused"
        if step in self._done:
            return "done"
        return "next" if step is self._next_step() else "pending"

    def states(self) -> dict:
        """``{op name: state}`` for every op of the graph (see :meth:`state`)."""
        nxt = self._next_step()
        states = {}
        for op in self._session.graph.get_operations():
            step = self._step_of.get(op)
            if step is None:
                states[op.name] = "unused"
            elif step in self._done:
                states[op.name] = "done"
            else:
                states[op.name] = "next" if step is nxt else "pending"
        return states

    # -- running ----------------------------------------------------------------------

    def step(self) -> StepEvent:
        """Run the next op and return its event.

        Raises
        ------
        OpError
            The op failed. Its changes are undone and it stays next.
        RuntimeError
            Every op has run, or the run has finished.
        """
        self._check_active()
        step = self._next_step()
        if step is None:
            raise RuntimeError("Every op of this stepped run has run; call finish() or reset().")
        if self._run.cancellation.cancelled:
            raise self._run.cancellation.error
        journal = self._run.journal = Journal()  # this op's own undo log
        self._run.cancellation.deadline = self._op_deadline()
        start = time.perf_counter()
        try:
            outputs = self.run_op(step)
        except BaseException as err:
            journal.rollback()
            self.error = err
            raise
        elapsed = time.perf_counter() - start
        self._done[step] = journal
        self._store(step, outputs)
        self.error = None
        inputs = tuple(step_inputs(step, self._values))
        outputs = tuple(
            _observed(tensor, self._values[s])
            for tensor, s in zip(step.op.outputs, step.output_slots)
        )
        event = StepEvent(step.op, inputs, outputs, step.device, elapsed)
        self.events.append(event)
        return event

    def run_op(self, step) -> tuple:
        """Execute one plan step; the default is the executor's ``execute_step``.

        Override to observe or replace kernels; return the step's outputs.
        """
        return run_kernel(step, self._values, self._run)

    def cont(self) -> list:
        """Run ops until one matches a breakpoint (it has run), or until every op has run.

        Returns the events of the ops run; :attr:`stopped_at` is the breakpoint hit
        (``None`` at the end).
        """
        return self._run_until(None)

    def step_to(self, op) -> list:
        """Run ops until ``op`` (an op, tensor or name) has run, or a breakpoint stops first.

        Raises
        ------
        ValueError
            ``op`` is not part of this run, or has already run.
        """
        target = self._step_of.get(self._op(op))
        if target is None:
            raise ValueError(
                f"Op {self._op(op).name!r} does not run in this stepped run: "
                "the fetches do not need it."
            )
        if target in self._done:
            raise ValueError(
                f"Op {target.op.name!r} has already run; inject a value upstream of it, "
                "restore() or reset() to run it again."
            )
        return self._run_until(target.op)

    def _run_until(self, target) -> list:
        self._check_active()
        self.stopped_at = None
        events = []
        while self._next_step() is not None:
            event = self.step()
            events.append(event)
            self.stopped_at = self.breakpoint_hit(event)
            if self.stopped_at is not None or event.op is target:
                break
        return events

    def breakpoint_hit(self, event: StepEvent) -> Breakpoint | None:
        """The first breakpoint that stops after ``event``'s op, or ``None``."""
        return next((bp for bp in self._breakpoints if bp.matches(event)), None)

    def finish(self):
        """Run the remaining ops (breakpoints do not stop it) and commit the run.

        Returns
        -------
        The fetch structure with its values, exactly as ``Session.run`` returns it.
        Variables and queues are left as ``Session.run`` leaves them; the stepped run
        can no longer be restored. If an op fails, its error is raised and the run
        stays open (that op is next).
        """
        self._check_active()
        while self._next_step() is not None:
            self.step()
        self._done = dict.fromkeys(self._done)  # committed: the undo journals go
        self._finished = True
        self._run.__exit__(None, None, None)
        return self._prepared.results(self._values)

    # -- breakpoints ------------------------------------------------------------------

    @property
    def breakpoints(self) -> tuple:
        """The breakpoints, in the order they were added."""
        return tuple(self._breakpoints)

    def add_breakpoint(self, op=None, *, op_type=None, scope=None, condition=None) -> Breakpoint:
        """Stop :meth:`cont` after an op matching all of the criteria given.

        Parameters
        ----------
        op : Operation, Tensor or str, optional
            Stop after this op.
        op_type : str, optional
            Stop after an op of this registered type.
        scope : str, optional
            Stop after an op in this name scope.
        condition : str or callable, optional
            ``"has_inf_or_nan"``, or ``predicate(outputs) -> bool``.

        Examples
        --------
        >>> import runtime as tf
        >>> with tf.Graph().as_default():
        ...     x = tf.constant([1.0, 0.0], name="x")
        ...     y = tf.divide(x, x, name="y")
        ...     z = tf.negative(y, name="z")
        ...     sess = tf.compat.v1.Session()
        >>> stepper = sess.stepper(z)
        >>> stepper.add_breakpoint(condition="has_inf_or_nan")
        Breakpoint(op=None, op_type=None, scope=None, condition='has_inf_or_nan')
        >>> [event.op.name for event in stepper.cont()]
        ['x', 'y']
        >>> sess.close()
        """
        breakpoint = Breakpoint(
            op=None if op is None else self._op(op).name,
            op_type=self._check_op_type(op_type),
            scope=self._check_scope(scope),
            condition=self._check_condition(condition),
        )
        if breakpoint == Breakpoint():
            raise ValueError("A breakpoint needs an op, an op_type, a scope or a condition.")
        self._breakpoints.append(breakpoint)
        return breakpoint

    def remove_breakpoint(self, breakpoint: Breakpoint) -> None:
        """Remove ``breakpoint`` (as returned by :meth:`add_breakpoint`)."""
        try:
            self._breakpoints.remove(breakpoint)
        except ValueError:
            raise ValueError(f"No such breakpoint: {breakpoint.describe()}.") from None

    def clear_breakpoints(self) -> None:
        """Remove every breakpoint."""
        self._breakpoints.clear()

    @staticmethod
    def _check_op_type(op_type):
        if op_type is not None:
            get_op_def(op_type)  # ValueError with a did-you-mean for an unknown type
        return op_type

    def _check_scope(self, scope):
        if scope is None:
            return None
        ops = self._session.graph.get_operations()
        if not any(_in_scope(op.name, scope) for op in ops):
            raise ValueError(f"No op of the graph is in the name scope {scope!r}.")
        return scope.rstrip("/")

    @staticmethod
    def _check_condition(condition):
        if condition is None or callable(condition) or condition in CONDITIONS:
            return condition
        raise ValueError(
            f"Unknown breakpoint condition {condition!r}; use a callable on the op's outputs "
            f"or one of {sorted(CONDITIONS)}."
        )

    # -- values -------------------------------------------------------------------------

    def value(self, tensor):
        """The value of ``tensor`` (a tensor, its name, or a one-output op) computed so far.

        It is what fetching the tensor would give at this point: an injected value
        where there is one.

        Raises
        ------
        ValueError
            The tensor is not part of this run, or has not been computed yet.
        """
        tensor = self._tensor(tensor)
        slot = self._slot(tensor)
        if not self._available(slot):
            raise ValueError(
                f"Tensor {tensor.name!r} has not been computed yet: op {tensor.op.name!r} is "
                f"{self.state(tensor.op)}."
            )
        return self._prepared.fetched(self._values[slot])

    @property
    def overrides(self) -> dict:
        """``{tensor name: injected value}``."""
        tensor_of = {slot: tensor for tensor, slot in self._plan.slot_of.items()}
        return {tensor_of[slot].name: value for slot, value in self._overrides.items()}

    def inject(self, tensor, value) -> list:
        """Override ``tensor``'s value with ``value``, and recompute what depends on it.

        ``value`` is checked and converted like a feed (dtype and shape). The ops that
        ran and read the tensor, and everything downstream of them, become pending
        again (a stateful one has its earlier effects undone first). The producing op
        is not re-run; if it has not run yet, it runs as usual and its output is
        replaced by ``value``.

        Returns
        -------
        list of Operation
            The ops made pending again, in plan order.
        """
        self._check_active()
        tensor = self._tensor(tensor)
        slot = self._slot(tensor)
        if tensor.dtype.is_ref_dtype:
            raise TypeError(
                f"Cannot inject a value into {tensor.name!r}: it is a reference (the variable "
                "itself); inject into a tensor that reads it instead."
            )
        self._overrides[slot] = self._values[slot] = convert_feed(tensor, value)
        return self._invalidate(self._readers.get(slot, ()))

    def remove_override(self, tensor) -> list:
        """Drop the value injected into ``tensor``; what used it is recomputed.

        Returns the ops made pending again (the producer, if it had run, and its
        dependents), in plan order.
        """
        self._check_active()
        tensor = self._tensor(tensor)
        slot = self._slot(tensor)
        if self._overrides.pop(slot, None) is None:
            raise ValueError(f"Tensor {tensor.name!r} has no injected value.")
        if slot in self._fed:
            self._values[slot] = self._prepared.feeds[tensor]
            return self._invalidate(self._readers.get(slot, ()))
        self._values[slot] = None
        return self._invalidate([self._producer[slot]])

    def restore(self) -> list:
        """Put variables and queues back as they were before this stepped run.

        Every change made so far is undone, newest first; the stateful ops that ran,
        and everything that depends on them, become pending again, so the run can go
        on (or :meth:`finish`) from the restored state. Injected values stay.

        Returns the ops made pending again, in plan order.
        """
        self._check_active()
        return self._invalidate([step for step in self._done if _is_stateful(step)])

    def reset(self) -> None:
        """Start the stepped run over; breakpoints stay.

        Changes not yet committed by :meth:`finish` are undone, computed and injected
        values are dropped, and every op is pending again. After ``finish()`` the new
        run starts from the state the finished one left.
        """
        if not self._finished:
            for journal in reversed(self._done.values()):
                journal.rollback()
            self._run.__exit__(None, None, None)
        self._begin()

    # -- internals --------------------------------------------------------------------

    def _next_step(self):
        steps = self._plan.steps
        while self._cursor < len(steps) and steps[self._cursor] in self._done:
            self._cursor += 1
        return steps[self._cursor] if self._cursor < len(steps) else None

    def _store(self, step, outputs) -> None:
        for slot, value in zip(step.output_slots, outputs):
            self._values[slot] = self._overrides.get(slot, value)

    def _available(self, slot) -> bool:
        producer = self._producer.get(slot)
        return slot in self._overrides or slot in self._fed or producer in self._done

    def _invalidate(self, roots) -> list:
        """Make ``roots`` that ran, and what ran downstream of them, pending again."""
        dirty = set()
        stack = list(roots)
        while stack:
            step = stack.pop()
            # Dependents of a pending step are pending, so the walk can stop there.
            if step in dirty or step not in self._done:
                continue
            dirty.add(step)
            stack.extend(step.dependents)
        for step in reversed(list(self._done)):
            if step in dirty:
                self._done.pop(step).rollback()
                for slot in step.output_slots:
                    if slot not in self._overrides and slot not in self._fed:
                        self._values[slot] = None
        if dirty:
            self._cursor = min(self._cursor, min(step.index for step in dirty))
        return [step.op for step in sorted(dirty, key=lambda step: step.index)]

    def _op_deadline(self) -> float | None:
        millis = self._session.config.operation_timeout_in_ms
        return time.monotonic() + millis / 1000 if millis > 0 else None

    def _check_active(self) -> None:
        if self._finished:
            raise RuntimeError(
                "This stepped run has finished; call reset() to step through it again."
            )

    def _element(self, obj):
        return self._session.graph.as_graph_element(obj, allow_tensor=True, allow_operation=True)

    def _op(self, obj) -> Operation:
        element = self._element(obj)
        return element.op if isinstance(element, Tensor) else element

    def _tensor(self, obj) -> Tensor:
        element = self._element(obj)
        if isinstance(element, Tensor):
            return element
        if len(element.outputs) != 1:
            names = ", ".join(t.name for t in element.outputs) or "none"
            raise ValueError(
                f"Op {element.name!r} has {len(element.outputs)} outputs ({names}); name the "
                "tensor."
            )
        return element.outputs[0]

    def _slot(self, tensor: Tensor) -> int:
        slot = self._plan.slot_of.get(tensor)
        if slot is None:
            raise ValueError(
                f"Tensor {tensor.name!r} is not part of this stepped run: op {tensor.op.name!r} "
                "is unused (the fetches do not need it)."
            )
        return slot

    def __repr__(self) -> str:
        nxt = self.next
        where = "finished" if self._finished else f"next {nxt.name!r}" if nxt else "all done"
        return f"<Stepper: {len(self._done)}/{len(self._plan.steps)} ops done, {where}>"

    def __str__(self) -> str:
        """The plan as a listing: state, op name and type; ``-->`` marks the next op."""
        nxt = self._next_step()
        lines = []
        for step in self._plan.steps:
            mark = "-->" if step is nxt else "   "
            state = "done" if step in self._done else "pending"
            lines.append(f"{mark} {state:<8}{step.op.name}  ({step.op.type})")
        return "\n".join(lines)
