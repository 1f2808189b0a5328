"""Step through a run op by op: a debugger over the session's own execution state.

The model is torch.fx's ``Interpreter``. The stepper is not a second executor: it
takes the run's ``Plan`` from the session (:meth:`Session.prepare_run`: the same feed
checks, pruning, placement and plan cache as ``Session.run``) and drives the same
:class:`~runtime.execution.ExecutionState` as every run, kernels called through the
executor's ``run_kernel`` in the session's ``RunContext``, one op per :meth:`step`.

State of a stepped run
    ``execution_state``  the run's execution state, made with ``keep=True``: every value of
                   every iteration stays for inspection, and each finished task can be
                   taken back (``ExecutionState.undo``).
    ``done``       the tasks that have run, in the order they ran, each with its own
                   undo ``Journal`` (the run's context gets a fresh one per op), so
                   one op's effects can be undone on their own.
    overrides      injected values (``state.overrides``): they replace what the
                   producing op delivers (or the feed), in one iteration of a loop or
                   in the root frame.
    The next op is the ready task that comes first: the oldest iteration, then plan
    order. Without loops that is plan order exactly. Dead tasks (the untaken side of a
    cond) pass without stopping.
Loops
    An op inside a ``tf.while_loop`` runs once per iteration; events, breakpoints
    (``iteration=3``), :meth:`value` and :meth:`inject` name the iteration, and
    :attr:`position` says where the run is ("``rnn/while/MatMul``, iteration 3 of
    ``rnn/while``").
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
            +-- run_op(step)            one step in running_iteration: run_kernel()
        +-- breakpoint_hit(event)       (cont, step_to) the breakpoint that stops here
    inject(tensor, value) / remove_override(tensor) / restore()
        +-- (invalidation)              undo effects; the tasks and their readers pend
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import numpy as np

from .deadness import DEAD
from .errors import OpError
from .execution import ExecutionState, step_inputs
from .executor import check_fetches, run_kernel
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
    ``elapsed`` is the kernel's time in seconds; ``iteration`` is the loop iterations the
    op ran in, ``(("while/while_context", 3),)`` for iteration 3 of a loop (``()`` outside
    loops).
    """

    op: Operation
    inputs: tuple
    outputs: tuple
    device: str
    elapsed: float
    iteration: tuple = ()

    @property
    def where(self) -> str:
        """The op and its iteration: ``"while/add, iteration 3 of while"``."""
        return describe_position(self.op, self.iteration)


def describe_position(op, path: tuple) -> str:
    """``"op"`` or ``"op, iteration k of loop"`` (innermost loop first).

    Examples
    --------
    >>> class Op: name = "rnn/while/MatMul"
    >>> describe_position(Op(), (("rnn/while/while_context", 3),))
    'rnn/while/MatMul, iteration 3 of rnn/while'
    """
    parts = [op.name]
    for frame, number in reversed(path):
        parts.append(f"iteration {number} of {loop_name(frame)}")
    return ", ".join(parts)


def loop_name(frame: str) -> str:
    """A loop's name from its frame name (``"rnn/while/while_context"`` -> ``"rnn/while"``)."""
    return frame.removesuffix("/while_context")


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
    iteration : int, optional
        Stop only in this iteration of the op's innermost loop.

    Examples
    --------
    >>> Breakpoint(scope="loss", condition="has_inf_or_nan").describe()
    "scope 'loss' if has_inf_or_nan"
    """

    op: str | None = None
    op_type: str | None = None
    scope: str | None = None
    condition: str | Callable | None = None
    iteration: int | None = None

    def matches(self, event: StepEvent) -> bool:
        """Whether the op of ``event`` (which has run) stops here."""
        op = event.op
        if self.iteration is not None and (
            not event.iteration or event.iteration[-1][1] != self.iteration
        ):
            return False
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
        if self.iteration is not None:
            parts.append(f"at iteration {self.iteration}")
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
    optimized : bool
        Step the graph as the session runs it, after the graph optimizer's rewrites
        (:mod:`runtime.grappler`), instead of the graph as written: its ops, names
        and breakpoints are the graph as run's (a user's tensor or op maps to the one
        computing it, if the optimizer kept it).

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

    def __init__(self, session, fetches, feed_dict=None, optimized: bool = False):
        self._session = session
        self._optimized = optimized
        self._fetches = fetches
        self._feed_dict = feed_dict
        self._breakpoints: list[Breakpoint] = []
        self._begin()

    def _begin(self) -> None:
        prepared = self._session.prepare_run(self._fetches, self._feed_dict, self._optimized)
        plan = prepared.plan
        self._prepared = prepared
        self._plan = plan
        self._run = prepared.context
        # A stepped run is a run in flight: the session's close() cancels it.
        self._run.__enter__()
        self._state = ExecutionState(plan, prepared.initial_values(), keep=True)
        self._step_of = {step.op: step for step in plan.steps}
        self._readers_of: dict = {}  # (frame, slot) -> steps reading it
        for step in plan.steps:
            for slot in step.input_slots:
                self._readers_of.setdefault((step.frame, slot), []).append(step)
        self._done: dict = {}  # (step, iteration) -> (task, Journal), in the order run
        self.running_iteration = self._state.root  # where the op being run runs
        self._finished = False
        self.events: list[StepEvent] = []
        self.error: BaseException | None = None
        self.stopped_at: Breakpoint | None = None

    # -- where the run is -----------------------------------------------------------

    @property
    def execution_state(self) -> ExecutionState:
        """The run's execution state (frames, iterations, values)."""
        return self._state

    @property
    def done(self) -> list:
        """The ops that have run, in the order they ran (an op in a loop once per
        iteration)."""
        return [task[0].op for task, _ in self._done.values() if not task[2]]

    @property
    def pending(self) -> list:
        """The ops still to run, in plan order with ``next`` first (an op in a loop that
        has run in some iteration is not listed again)."""
        nxt = self._next_task()
        ran = {key[0] for key in self._done}
        steps = [s for s in self._plan.steps if s not in ran]
        if nxt is not None and nxt[0] in steps:
            steps.remove(nxt[0])
        first = [] if nxt is None else [nxt[0]]
        return [s.op for s in first + steps]

    @property
    def next(self) -> Operation | None:
        """The op the next :meth:`step` runs, or ``None`` when every op has run."""
        task = self._next_task()
        return None if task is None else task[0].op

    @property
    def next_iteration(self) -> tuple:
        """The iterations the next op runs in (``()`` outside loops or at the end)."""
        task = self._next_task()
        return () if task is None else task[1].path

    @property
    def position(self) -> str:
        """Where the run is, in words: the next op and its iteration."""
        task = self._next_task()
        if task is None:
            return "finished" if self._finished else "every op has run"
        return "next: " + describe_position(task[0].op, task[1].path)

    @property
    def unused(self) -> list:
        """The graph's ops this run does not need (pruned), in creation order."""
        return [op for op in self._prepared.graph.get_operations() if op not in self._step_of]

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
        return self.states()[self._op(op).name]

    def states(self) -> dict:
        """``{op name: state}`` for every op of the graph: ``"next"``, ``"done"`` (ran,
        in some iteration), ``"pending"`` or ``"unused"``."""
        task = self._next_task()
        nxt = None if task is None else task[0]
        ran = {key[0] for key, (t, _) in self._done.items() if not t[2]}
        states = {}
        for op in self._prepared.graph.get_operations():
            step = self._step_of.get(op)
            if step is None:
                states[op.name] = "unused"
            elif step is nxt:
                states[op.name] = "next"
            else:
                states[op.name] = "done" if step in ran else "pending"
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
        task = self._next_task()
        if task is None:
            raise RuntimeError("Every op of this stepped run has run; call finish() or reset().")
        if self._run.cancellation.cancelled:
            raise self._run.cancellation.error
        journal = self._run.journal = Journal()  # this op's own undo log
        self._run.cancellation.deadline = self._op_deadline()
        start = time.perf_counter()
        self.running_iteration = task[1]
        try:
            outputs = self.run_op(task[0])
        except BaseException as err:
            journal.rollback()
            self.error = err
            raise
        elapsed = time.perf_counter() - start
        event = self._record(task, outputs, journal, elapsed)
        self.error = None
        return event

    def run_op(self, step) -> tuple:
        """Run one plan step in :attr:`running_iteration`: the executor's ``run_kernel``
        on that iteration's values. Override to observe or replace kernels; return the
        outputs.
        """
        return run_kernel(step, self.running_iteration.values, self._run)

    def _record(self, task, outputs, journal, elapsed) -> StepEvent:
        step, iteration, _ = task
        self._state.ready.remove(task)
        self._state.finish(task, outputs)
        self._done[(step, iteration)] = (task, journal)
        inputs = tuple(step_inputs(step, iteration.values))
        seen = self._state.overrides
        path = self._output_path(task)
        outputs = tuple(
            _observed(tensor, seen.get((path, s), value))
            for tensor, s, value in zip(step.op.outputs, step.output_slots, outputs)
        )
        event = StepEvent(step.op, inputs, outputs, step.device, elapsed, iteration.path)
        self.events.append(event)
        return event

    def _output_path(self, task) -> tuple:
        """The iteration path ``task``'s outputs go to (where overrides of them live)."""
        readers = self._state.readers(task)
        return readers[0][1].path if readers else task[1].path

    def cont(self) -> list:
        """Run ops until one matches a breakpoint (it has run), or until every op has run.

        Returns the events of the ops run; :attr:`stopped_at` is the breakpoint hit
        (``None`` at the end).
        """
        return self._run_until(None, None)

    def step_to(self, op, iteration=None) -> list:
        """Run ops until ``op`` (an op, tensor or name) has run (in ``iteration`` of its
        innermost loop, if given), or a breakpoint stops first.

        Raises
        ------
        ValueError
            ``op`` is not part of this run, or has already run (outside loops).
        """
        target = self._step_of.get(self._op(op))
        if target is None:
            raise ValueError(
                f"Op {self._op(op).name!r} does not run in this stepped run: "
                "the fetches do not need it."
            )
        if target.frame.parent is None and any(key[0] is target for key in self._done):
            raise ValueError(
                f"Op {target.op.name!r} has already run; inject a value upstream of it, "
                "restore() or reset() to run it again."
            )
        return self._run_until(target.op, iteration)

    def _run_until(self, target, iteration) -> list:
        self._check_active()
        self.stopped_at = None
        events = []
        while self._next_task() is not None:
            event = self.step()
            events.append(event)
            self.stopped_at = self.breakpoint_hit(event)
            if self.stopped_at is not None or _reached(event, target, iteration):
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
        while self._next_task() is not None:
            self.step()
        check_fetches(self._state)
        self._done = {key: (task, None) for key, (task, _) in self._done.items()}  # committed
        self._finished = True
        self._run.__exit__(None, None, None)
        return self._prepared.results(self._state.root.values)

    # -- breakpoints ------------------------------------------------------------------

    @property
    def breakpoints(self) -> tuple:
        """The breakpoints, in the order they were added."""
        return tuple(self._breakpoints)

    def add_breakpoint(
        self, op=None, *, op_type=None, scope=None, condition=None, iteration=None
    ) -> Breakpoint:
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
        iteration : int, optional
            Stop only in this iteration of the op's innermost loop.

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
        Breakpoint(op=None, op_type=None, scope=None, condition='has_inf_or_nan', iteration=None)
        >>> [event.op.name for event in stepper.cont()]
        ['x', 'y']
        >>> sess.close()
        """
        if iteration is not None and (not isinstance(iteration, int) or iteration < 0):
            raise ValueError(f"iteration must be a non-negative int, got {iteration!r}.")
        breakpoint = Breakpoint(
            op=None if op is None else self._op(op).name,
            op_type=self._check_op_type(op_type),
            scope=self._check_scope(scope),
            condition=self._check_condition(condition),
            iteration=iteration,
        )
        if breakpoint in (Breakpoint(), Breakpoint(iteration=iteration)):
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
        ops = self._prepared.graph.get_operations()
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

    def value(self, tensor, iteration=None):
        """The value of ``tensor`` (a tensor, its name, or a one-output op) computed so far.

        It is what fetching the tensor would give at this point: an injected value
        where there is one. For a tensor inside a loop, ``iteration`` picks the
        iteration (an int for the innermost loop, or a path as in
        :attr:`StepEvent.iteration`); by default the latest one that has it.

        Raises
        ------
        ValueError
            The tensor is not part of this run, has not been computed yet (in that
            iteration), or is dead (the untaken side of a cond).
        """
        tensor = self._tensor(tensor)
        slot = self._slot(tensor)
        candidates = self._iterations(tensor, iteration)
        found = [it for it in candidates if it.values[slot] is not None]
        if not found:
            where = "" if iteration is None else f" in iteration {iteration}"
            raise ValueError(
                f"Tensor {tensor.name!r} has not been computed yet{where}: op "
                f"{tensor.op.name!r} is {self.state(tensor.op)}."
            )
        value = found[-1].values[slot]
        if value is DEAD:
            raise ValueError(
                f"Tensor {tensor.name!r} is dead: it is on the side of a cond that was not taken."
            )
        return self._prepared.fetched(value)

    @property
    def overrides(self) -> dict:
        """``{tensor name: injected value}`` (``{(name, iteration path): value}`` for a
        value injected into a loop iteration)."""
        by_slot = {
            (self._plan.frame_of_tensor[t], slot): t for t, slot in self._plan.slot_of.items()
        }
        result = {}
        for (path, slot), value in self._state.overrides.items():
            frame = self._frame_at(path)
            name = by_slot[(frame, slot)].name
            result[(name, path) if path else name] = value
        return result

    def inject(self, tensor, value, iteration=None) -> list:
        """Override ``tensor``'s value with ``value``, and recompute what depends on it.

        ``value`` is checked and converted like a feed (dtype and shape). The ops that
        ran and read the tensor, and everything downstream of them, become pending
        again (a stateful one has its earlier effects undone first). The producing op
        is not re-run; if it has not run yet, it runs as usual and its output is
        replaced by ``value``. Inside a loop, ``iteration`` says which iteration's
        value to replace (default: the latest one that has the tensor).

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
        converted = convert_feed(tensor, value, feeding=False)
        target = self._target_iteration(tensor, iteration)
        self._state.overrides[(target.path, slot)] = converted
        target.values[slot] = converted
        return self._invalidate(self._reading_tasks(tensor, target))

    def remove_override(self, tensor, iteration=None) -> list:
        """Drop the value injected into ``tensor``; what used it is recomputed.

        Returns the ops made pending again (the producer, if it had run, and its
        dependents), in plan order.
        """
        self._check_active()
        tensor = self._tensor(tensor)
        slot = self._slot(tensor)
        target = self._target_iteration(tensor, iteration)
        if self._state.overrides.pop((target.path, slot), None) is None:
            raise ValueError(f"Tensor {tensor.name!r} has no injected value.")
        if tensor in self._plan.feed_slots:
            target.values[slot] = self._prepared.feeds[tensor]
            return self._invalidate(self._reading_tasks(tensor, target))
        target.values[slot] = None
        producer = [
            key
            for key, (task, _) in self._done.items()
            if key[0].op is tensor.op and self._output_path(task) == target.path
        ]
        return self._invalidate(producer + self._reading_tasks(tensor, target))

    def restore(self) -> list:
        """Put variables and queues back as they were before this stepped run.

        Every change made so far is undone, newest first; the stateful ops that ran,
        and everything that depends on them, become pending again, so the run can go
        on (or :meth:`finish`) from the restored state. Injected values stay.

        Returns the ops made pending again, in plan order.
        """
        self._check_active()
        return self._invalidate([key for key in self._done if _is_stateful(key[0])])

    def reset(self) -> None:
        """Start the stepped run over; breakpoints stay.

        Changes not yet committed by :meth:`finish` are undone, computed and injected
        values are dropped, and every op is pending again. After ``finish()`` the new
        run starts from the state the finished one left.
        """
        if not self._finished:
            for _, journal in reversed(self._done.values()):
                journal.rollback()
            self._run.__exit__(None, None, None)
        self._begin()

    # -- internals --------------------------------------------------------------------

    def _next_task(self):
        """The ready task that comes first (dead ones are passed on first)."""
        state = self._state
        while True:
            ready = state.ready
            if not ready:
                return None
            task = min(ready, key=_task_order)
            if not task[2]:
                return task
            ready.remove(task)
            state.finish(task, None)
            self._done[(task[0], task[1])] = (task, Journal())

    def _reading_tasks(self, tensor, iteration) -> list:
        readers = self._readers_of.get((self._plan.frame_of_tensor[tensor], self._slot(tensor)), ())
        return [(step, iteration) for step in readers if (step, iteration) in self._done]

    def _invalidate(self, roots) -> list:
        """Make ``roots`` (task keys) that ran, and the tasks their outputs reached, pending
        again, undoing them newest first."""
        dirty = set()
        stack = list(roots)
        while stack:
            key = stack.pop()
            if key in dirty or key not in self._done:
                continue
            dirty.add(key)
            stack.extend(self._state.readers(self._done[key][0]))
        for key in reversed(list(self._done)):
            if key in dirty:
                task, journal = self._done.pop(key)
                journal.rollback()
                self._state.undo(task)
        ops = {key[0] for key in dirty}
        return [step.op for step in sorted(ops, key=lambda step: step.index)]

    def _frame_at(self, path: tuple):
        return self._plan.frames[0] if not path else self._frame_named(path[-1][0])

    def _frame_named(self, name: str):
        return next(frame for frame in self._plan.frames if frame.name == name)

    def _iterations(self, tensor, iteration) -> list:
        """The iterations of ``tensor``'s frame that ``iteration`` selects, oldest first."""
        frame = self._plan.frame_of_tensor[tensor]
        if frame.parent is None:
            return [self._state.root]
        made = self._state.iterations_of(frame)
        if iteration is None:
            return made
        if isinstance(iteration, tuple):
            return [it for it in made if it.path == iteration]
        return [it for it in made if it.number == iteration]

    def _target_iteration(self, tensor, iteration):
        found = self._iterations(tensor, iteration)
        if not found:
            loop = loop_name(self._plan.frame_of_tensor[tensor].name)
            raise ValueError(
                f"Iteration {iteration} of {loop!r} has not started yet: step until it has, "
                "then inject."
            )
        return found[-1]

    def _op_deadline(self) -> float | None:
        millis = self._session.config.operation_timeout_in_ms
        return time.monotonic() + millis / 1000 if millis > 0 else None

    def _check_active(self) -> None:
        if self._finished:
            raise RuntimeError(
                "This stepped run has finished; call reset() to step through it again."
            )

    def _element(self, obj):
        return self._prepared.element(obj)

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
        task = None if self._finished else self._next_task()
        if self._finished:
            where = "finished"
        elif task is None:
            where = "all done"
        else:
            where = f"next {describe_position(task[0].op, task[1].path)!r}"
        return f"<Stepper: {len(self.done)}/{len(self._plan.steps)} ops done, {where}>"

    def __str__(self) -> str:
        """The plan as a listing: state, op name and type; ``-->`` marks the next op."""
        states = self.states()
        lines = []
        for step in self._plan.steps:
            state = states[step.op.name]
            mark = "-->" if state == "next" else "   "
            shown = "pending" if state == "next" else state
            lines.append(f"{mark} {shown:<8}{step.op.name}  ({step.op.type})")
        return "\n".join(lines)


def _task_order(task) -> tuple:
    return (task[1].order, task[0].index)


def _reached(event: StepEvent, target, iteration) -> bool:
    if event.op is not target:
        return False
    if iteration is None:
        return True
    if isinstance(iteration, tuple):
        return event.iteration == iteration
    return bool(event.iteration) and event.iteration[-1][1] == iteration
