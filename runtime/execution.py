"""The execution state of one run: what is ready, what each op produced, which frames live.

Every way of running a plan drives one :class:`ExecutionState`: the sequential loop and
the threaded scheduler (:mod:`runtime.executor`), the stepper, and each partition of a
distributed run. The state knows nothing of threads or kernels; it offers the
transitions of a dataflow run, in the spirit of CPython's ``graphlib.TopologicalSorter``
(``get_ready``/``done``) and dask's ``finish_task``:

    ``pop_ready()``              a task whose inputs are all there (``None`` if none)
    ``inputs(task)``             the values its kernel receives
    ``finish(task, outputs)``    store the outputs, make readers ready, end iterations
                                 and frames that are done
    ``undo(task)``               (stepping) take a finished task back, exactly

A *task* is ``(step, iteration, dead)``: one plan step in one iteration of one frame.
A dead task (an input it waits on is dead) does not run; ``finish(task, None)`` passes
its deadness on.

State
    ``ready``       a LIFO stack of tasks; a driver picks from it (the stepper takes the
                    task that comes first in plan order, the others the newest).
    iterations      each :class:`Iteration` of each live frame has its own ``values``
                    (the frame's slot list), ``pending`` in-edge counts per step,
                    ``dead`` counts per step, and ``outstanding`` tasks. The root frame
                    has one iteration, whose values are the run's slot list.
    frames          a :class:`FrameState` per live loop instance: one per (loop, parent
                    iteration), with its iterations, loop invariants, deferred next
                    iterations (``parallel_iterations``) and dead exits.

Control flow, as TF's executor does it
    A ``Switch`` makes one output dead; an op with a dead input is dead and passes
    deadness on without running; a ``Merge`` runs on its first live input (or is dead
    when all its inputs are); ``ControlTrigger`` is never dead. An ``Enter`` passes its
    value into iteration 0 of its loop's frame (a constant ``Enter`` into every
    iteration), ``NextIteration`` into the next iteration (at most
    ``parallel_iterations`` at once), ``Exit`` into the parent frame when live. An
    iteration is done when nothing in it is outstanding and the one before it is done;
    a frame when its last iteration is; a wholly dead loop then passes its dead exits on.

Plans without loops or conditionals (almost all of them) take
:meth:`ExecutionState.run_in_order`, which follows plan order in the caller's thread with
no per-op bookkeeping at all: the benchmark ``bench/bench_session.py`` shows this fast
path is what keeps a cheap op at about two microseconds. Other runs nobody watches
(every plan with loops) take :meth:`ExecutionState.run_ready` in the caller's thread
(with a thread pool, for their cheap ops), the same transitions with the common task (a
live op staying in its iteration) finished in the loop itself, and a simple loop run
whole as its generated program (:mod:`runtime.loop_program`) once its ``Enter`` ops have
delivered (``bench/bench_control_flow.py``, ``bench/bench_rnn.py``).
"""

from __future__ import annotations

from .deadness import DEAD
from .loop_program import program_for
from .plan import CONTROL_TRIGGER, ENTER, EXIT, MERGE, NEXT_ITERATION
from .registry import Cost

# Step kinds that move values between iterations or frames (see ``finish``).
_MOVES = frozenset({ENTER, EXIT, NEXT_ITERATION})
_TICK_MASK = 255  # run_ready calls its tick every 256 tasks


class Iteration:
    """One iteration of one frame instance: its values, pending counts and progress."""

    __slots__ = (
        "children",
        "dead",
        "done",
        "frame_state",
        "number",
        "order",
        "outstanding",
        "pending",
        "values",
    )

    def __init__(self, frame_state, number: int, order: int, values=None, seed=None):
        frame = frame_state.frame
        self.frame_state = frame_state
        self.number = number
        self.order = order  # creation sequence of the run: orders iterations for stepping
        if seed is not None:  # the frame's loop invariants already in (FrameState.seed)
            self.values = seed.values.copy()
            self.pending = seed.pending.copy()
            self.dead = seed.dead.copy()
        else:
            self.values = [None] * frame.num_slots if values is None else values
            self.pending = list(frame.initial_pending)
            self.dead = [0] * len(frame.steps)
        self.outstanding = 0  # tasks made ready here and not finished
        self.children = 0  # live child frames started in this iteration
        self.done = False

    @property
    def frame(self):
        """The static frame (``runtime.plan.Frame``) this iteration belongs to."""
        return self.frame_state.frame

    @property
    def path(self) -> tuple:
        """``((frame name, iteration), ...)`` from the outermost loop in: where this is.

        The root frame's iteration has the empty path.
        """
        if self.frame_state.parent is None:
            return ()
        return (*self.frame_state.parent.path, (self.frame.name, self.number))

    def __repr__(self) -> str:
        return f"<Iteration {self.number} of frame {self.frame.name or '(root)'}>"


class FrameState:
    """One live instance of a loop frame, started by an ``Enter`` in ``parent``."""

    __slots__ = (
        "dead_exits",
        "deferred",
        "frame",
        "invariants",
        "iterations",
        "newest",
        "outstanding_iterations",
        "parent",
        "pending_inputs",
        "seed",
    )

    def __init__(self, frame, parent: Iteration | None):
        self.frame = frame
        self.parent = parent
        self.iterations: dict[int, Iteration] = {}
        self.newest = 0
        self.outstanding_iterations = 1
        self.pending_inputs = frame.num_enters  # Enters that have not delivered yet
        self.invariants: list = []  # (Enter step, outputs) of constant Enters
        self.deferred: list = []  # (NextIteration step, outputs) beyond parallel_iterations
        self.dead_exits: list = []
        # A run nobody steps starts each new iteration from a copy of this: an
        # Iteration holding what the invariants deliver, and the steps they alone make
        # ready, as ``(iteration, [(step, dead), ...])`` (see ExecutionState._seed).
        self.seed = None


class ExecutionState:
    """The state of one run of ``plan`` over the root slot list ``values``.

    Parameters
    ----------
    plan : runtime.plan.Plan
    values : list
        The root frame's slot list, feeds already in their slots (``plan.initial_values``).
    keep : bool
        Keep every iteration's values and never drop a finished frame (the stepper
        inspects them afterwards, and :meth:`undo` needs them).

    Examples
    --------
    >>> import runtime as tf
    >>> from runtime.plan import build_plan
    >>> with tf.Graph().as_default():
    ...     a = tf.constant(2.0, name="a")
    ...     b = tf.negative(a, name="b")
    >>> plan = build_plan([b], [], [], {a.op: "/cpu:0", b.op: "/cpu:0"})
    >>> state = ExecutionState(plan, plan.initial_values({}))
    >>> task = state.pop_ready(); task[0].op.name
    'a'
    >>> state.finish(task, (task[0].kernel.fn(**task[0].attrs)[0],))
    >>> task = state.pop_ready(); task[0].op.name, state.inputs(task)
    ('b', [array(2., dtype=float32)])
    >>> state.finish(task, (-2.0,)); state.pop_ready() is None, state.results()
    (True, [-2.0])
    """

    def __init__(self, plan, values: list, keep: bool = False):
        self.plan = plan
        self.keep = keep
        self._order = 0
        self.root = Iteration(FrameState(plan.root, None), 0, 0, values)
        if keep:  # for iterations_of; without a stepper, the root's frame needs no record
            self.root.frame_state.iterations[0] = self.root  # (a cycle the collector frees)
        self.frames: dict = {}  # (static frame, parent Iteration) -> FrameState
        self.ready = [(step, self.root, False) for step in reversed(plan.roots)]
        self.root.outstanding = len(self.ready)
        # Stepping: per finished task, how to take it back (see undo), and the tasks
        # its outputs went to (``readers``).
        self._undo: dict | None = {} if keep else None
        self._readers: dict | None = {} if keep else None
        self._delivering = None  # the key of the task whose outputs are being delivered
        # Injected values, ``(frame path, slot) -> value``: they replace what a
        # producer delivers to that slot (stepping).
        self.overrides: dict = {}
        # Without control flow a value goes once its last reader has finished (the
        # counts are copied on the first finish: run_in_order never needs them).
        self._release = not keep and not plan.control_flow
        self._remaining: list | None = None
        # In run_ready: its (here, fail, tick, pooled), for loops it runs as programs
        # (runtime.loop_program); their Enters' outputs gathered per frame instance.
        self._lean: tuple | None = None
        self._gathering: dict = {}

    # -- the transitions ---------------------------------------------------------------

    def pop_ready(self):
        """The newest ready task, or ``None`` when no task is ready."""
        return self.ready.pop() if self.ready else None

    @staticmethod
    def inputs(task) -> list:
        """The inputs ``task``'s kernel receives: its slots' values, references read."""
        return step_inputs(task[0], task[1].values)

    def finish(self, task, outputs) -> None:
        """Record that ``task`` ran and produced ``outputs`` (``None`` for a dead task)."""
        step, iteration, dead = task
        if dead or outputs is None:
            outputs = (DEAD,) * len(step.output_slots)
            dead = True
        kind = step.kind
        if self._undo is None:
            if kind not in _MOVES:  # the hot path of a run: the value stays in its iteration
                self._activate_plain(step, iteration, outputs, dead)
                if self._release:
                    self._release_inputs(step)
                iteration.outstanding -= 1
                if not iteration.outstanding and iteration.frame_state.parent is not None:
                    self._cleanup(iteration, None)
                return
            log = None
        else:
            log = []
            self._delivering = _key(task)
        if kind == ENTER:
            self._enter(step, iteration, outputs, dead, log)
        elif kind == EXIT:
            if dead:
                frame_state = iteration.frame_state
                if iteration.number == frame_state.newest:
                    frame_state.dead_exits.append(step)
                    if log is not None:
                        log.append((frame_state.dead_exits.remove, step))
            else:
                self._activate(step, iteration.frame_state.parent, outputs, False, log)
        elif kind == NEXT_ITERATION:
            if not dead:
                self._next_iteration(step, iteration, outputs, log)
        else:
            self._activate(step, iteration, outputs, dead, log)
            if self._release:
                self._release_inputs(step)
        iteration.outstanding -= 1
        if log is not None:
            log.append((_add_outstanding, iteration, 1))
        if iteration.outstanding == 0 and iteration.frame_state.parent is not None:
            self._cleanup(iteration, log)
        if log is not None:
            self._undo[_key(task)] = (task, log)

    def undo(self, task) -> None:
        """Take back ``finish(task, ...)``: its outputs go, its readers wait for it again,
        and ``task`` is ready again. Only a task whose readers have not run (or were
        undone first) can be undone, and only in a state made with ``keep=True``.
        """
        _, log = self._undo.pop(_key(task))
        for action in reversed(log):
            action[0](*action[1:])
        self._readers.pop(_key(task), None)
        self.ready.append(task)

    def readers(self, task) -> list:
        """(Stepping) the ``(step, iteration)`` keys ``task``'s outputs were delivered to."""
        return self._readers.get(_key(task), [])

    def results(self) -> list:
        """The fetched values (root slots of ``plan.fetch_slots``)."""
        values = self.root.values
        return [values[s] for s in self.plan.fetch_slots]

    # -- the fast path -------------------------------------------------------------------

    def run_in_order(self, execute) -> None:
        """Run a plan without control flow in plan order: ``execute(step, values)``
        returns a step's outputs. Values are released after their last reader."""
        values = self.root.values
        for step in self.plan.steps:
            outputs = execute(step, values)
            for s, value in zip(step.output_slots, outputs):
                values[s] = value
            for s in step.release:
                values[s] = None
        self.ready = []

    def run_ready(self, execute, fail, tick, pooled: bool = False, here=None) -> None:
        """Run ready tasks in the caller's thread until none is left: :meth:`pop_ready`
        and :meth:`finish` in one loop, for a run nobody steps or watches.

        Every op of a loop comes through here, so the common cases cost no call:

        - a ``fast`` step's kernel is called right here on its slots' values (an op
          that only forwards its input, ``step.forwards``, not even that); any other
          step goes to ``execute(task)``, which returns its outputs, or ``None`` when
          it took the task elsewhere (to a thread pool: ``pooled``, where only cheap
          steps are called here). Such a task is finished later, with :meth:`finish`;
        - a live task that stays in its iteration (not an ``Enter``, ``Exit`` or
          ``NextIteration``) is finished right here: its outputs stored, its readers'
          pending counts lowered, as :meth:`_activate_plain` does. Dead tasks and
          moves between iterations and frames go through :meth:`finish`.

        A simple loop runs whole as its program (:mod:`runtime.loop_program`) once its
        ``Enter`` ops have delivered, in this thread: its ops' kernels called right
        there, ``here(step, values)`` running any other (it returns the outputs).

        A kernel's error ends the run as ``fail(step, error)`` raises it; ``tick()``
        is called every so many tasks (it raises to stop the run: a deadline, a
        cancellation from another thread).
        """
        ready = self.ready
        finish = self.finish
        inline = self._undo is None and not self._release
        if inline and here is not None:
            self._lean = (here, fail, tick, pooled)
        merge_edge = self._merge_edge
        cheap = Cost.CHEAP
        taken = 0
        while ready:
            taken += 1
            if not taken & _TICK_MASK:
                tick()
            task = ready.pop()
            step, iteration, dead = task
            if dead:
                if inline and step.kind == EXIT:
                    # Every loop ends with its Exits dead in the last iteration: the
                    # frame only remembers them (as finish does), nothing is delivered.
                    frame_state = iteration.frame_state
                    if iteration.number == frame_state.newest:
                        frame_state.dead_exits.append(step)
                    iteration.outstanding -= 1
                    if not iteration.outstanding and frame_state.parent is not None:
                        self._cleanup(iteration, None)
                    continue
                finish(task, None)
                continue
            values = iteration.values
            slots = step.input_slots
            if step.forwards:
                outputs = (values[slots[0]],)
            elif step.fast and (not pooled or step.cost is cheap):
                # One and two inputs spelled out: a list comprehension costs more than
                # a cheap kernel (Python 3.11 makes it a function call).
                try:
                    if len(slots) == 1:
                        outputs = step.kernel.fn(values[slots[0]], **step.attrs)
                    elif len(slots) == 2:
                        outputs = step.kernel.fn(values[slots[0]], values[slots[1]], **step.attrs)
                    else:
                        outputs = step.kernel.fn(*[values[s] for s in slots], **step.attrs)
                except BaseException as err:
                    fail(step, err)
                if len(outputs) != len(step.output_slots):
                    fail(step, None, outputs)
            else:
                outputs = execute(task)
                if outputs is None:  # on the pool: finished when it comes back
                    continue
            if not inline or step.kind in _MOVES:
                finish(task, outputs)
                continue
            slots = step.output_slots
            if len(slots) == 1:
                values[slots[0]] = outputs[0]
            else:
                for s, value in zip(slots, outputs):
                    values[s] = value
            pending = iteration.pending
            activated = -1  # this task is done
            for dst, local, index, kind in step.fanout:
                if kind == MERGE:
                    is_ready, dst_dead = merge_edge(
                        step, dst, index, outputs, False, iteration, None
                    )
                    if not is_ready:
                        continue
                else:
                    if index >= 0 and outputs[index] is DEAD:  # a Switch's untaken side
                        iteration.dead[local] += 1
                    left = pending[local] = pending[local] - 1
                    if left:
                        continue
                    dst_dead = iteration.dead[local] > 0 and kind != CONTROL_TRIGGER
                ready.append((dst, iteration, dst_dead))
                activated += 1
            if activated:
                iteration.outstanding += activated
                if not iteration.outstanding and iteration.frame_state.parent is not None:
                    self._cleanup(iteration, None)

    def _release_inputs(self, step) -> None:
        remaining = self._remaining
        if remaining is None:  # this run's copy of the plan's reader counts
            remaining = self._remaining = self.plan.readers.copy()
        values = self.root.values
        for s in step.input_slots:
            remaining[s] -= 1
            if remaining[s] == 0:
                values[s] = None

    # -- propagation -----------------------------------------------------------------------

    def _activate_plain(self, step, iteration: Iteration, outputs, dead: bool, log=None) -> None:
        """:meth:`_activate` without undo logs (``log`` is always ``None``), overrides or
        reader records: a run that is not stepped delivers every value through here."""
        values = iteration.values
        for s, value in zip(step.output_slots, outputs):
            values[s] = value
        pending = iteration.pending
        dead_counts = iteration.dead
        ready = self.ready
        activated = 0
        for dst, local, index, kind in step.fanout:
            if kind == MERGE:
                is_ready, dst_dead = self._merge_edge(
                    step, dst, index, outputs, dead, iteration, None
                )
                if not is_ready:
                    continue
            else:
                if dead or (index >= 0 and outputs[index] is DEAD):
                    dead_counts[local] += 1
                left = pending[local] = pending[local] - 1
                if left:
                    continue
                dst_dead = dead_counts[local] > 0 and kind != CONTROL_TRIGGER
            ready.append((dst, iteration, dst_dead))
            activated += 1
        iteration.outstanding += activated

    def _activate(self, step, iteration: Iteration, outputs, dead: bool, log) -> None:
        """Deliver ``step``'s outputs into ``iteration`` and make its readers there ready
        (a state made with ``keep``; the others deliver with :meth:`_activate_plain`)."""
        if self._undo is None:  # nothing is logged: every delivery is the lean one
            self._activate_plain(step, iteration, outputs, dead)
            return
        values = iteration.values
        if self.overrides:
            path = iteration.path
            outputs = [self.overrides.get((path, s), v) for s, v in zip(step.output_slots, outputs)]
        for s, value in zip(step.output_slots, outputs):
            if log is not None:
                log.append((values.__setitem__, s, values[s]))
            values[s] = value
        if self._readers is not None:
            self._readers.setdefault(self._delivering, []).extend(
                (dst, iteration) for dst, *_ in step.fanout
            )
        pending = iteration.pending
        dead_counts = iteration.dead
        activated = 0
        for dst, local, index, kind in step.fanout:
            if kind == MERGE:
                ready, dst_dead = self._merge_edge(step, dst, index, outputs, dead, iteration, log)
            else:
                if dead or (index >= 0 and outputs[index] is DEAD):
                    dead_counts[local] += 1
                    _log(log, _add_at, dead_counts, local, -1)
                pending[local] -= 1
                _log(log, _add_at, pending, local, 1)
                ready = pending[local] == 0
                dst_dead = dead_counts[local] > 0
            if ready:
                if kind == CONTROL_TRIGGER:
                    dst_dead = False
                self.ready.append((dst, iteration, dst_dead))
                _log(log, _unready, self.ready, (dst, iteration, dst_dead))
                activated += 1
        iteration.outstanding += activated
        _log(log, _add_outstanding, iteration, -activated)

    @staticmethod
    def _merge_edge(step, merge, index, outputs, dead, iteration, log) -> tuple:
        """TF's Merge rule: ready once its control inputs are in and one data input is
        live (bit 0 of ``pending`` marks "no live input yet"), or all data inputs dead."""
        local = merge.local
        pending = iteration.pending
        if index < 0:  # a control edge
            pending[local] -= 2
            _log(log, _add_at, pending, local, 2)
            count = pending[local]
            merge_dead = iteration.dead[local] == len(merge.input_slots)
            return count == 0 or (count == 1 and merge_dead), merge_dead
        if not dead and outputs[index] is not DEAD:
            count = pending[local]
            pending[local] = count & ~1  # a live input has arrived
            _log(log, pending.__setitem__, local, count)
            return count == 1, False
        iteration.dead[local] += 1
        _log(log, _add_at, iteration.dead, local, -1)
        # A dead Enter makes its loop's Merge dead: a loop on the untaken side of a cond.
        merge_dead = iteration.dead[local] == len(merge.input_slots) or step.kind == ENTER
        return pending[local] == 1 and merge_dead, merge_dead

    def _enter(self, step, iteration: Iteration, outputs, dead: bool, log) -> None:
        if self._lean is not None and log is None:
            program = program_for(step.out_frame, self.plan)
            # With a pool, a loop that waits on another op (a queue) stays dataflow.
            if program is not None and not (program.blocking and self._lean[3]):
                self._gather(program, step, iteration, outputs, dead)
                return
        self._deliver_enter(step, iteration, outputs, dead, log)

    def _gather(self, program, step, iteration: Iteration, outputs, dead: bool) -> None:
        """Keep an Enter's outputs until all the frame's Enters delivered, then run the
        loop as its program (all live) or as dataflow (a dead Enter: a loop on the
        untaken side of a cond)."""
        key = (step.out_frame, iteration)
        gathered = self._gathering.setdefault(key, [])
        gathered.append((step, outputs, dead))
        if len(gathered) < step.out_frame.num_enters:
            return
        del self._gathering[key]
        if any(dead for _, _, dead in gathered):
            for enter, outputs, dead in gathered:
                self._deliver_enter(enter, iteration, outputs, dead, None)
            return
        values = [None] * step.out_frame.num_slots
        for enter, outputs, _ in gathered:
            values[enter.output_slots[0]] = outputs[0]
        here, fail, tick, _ = self._lean
        exits = program.run(values, here, tick, fail)
        for exit_step, value in zip(program.exits, exits):
            self._activate_plain(exit_step, iteration, (value,), False)

    def _deliver_enter(self, step, iteration: Iteration, outputs, dead: bool, log) -> None:
        child = self._child_frame(step.out_frame, iteration, log)
        if step.attrs.get("is_constant"):
            child.invariants.append((step, outputs))
            child.seed = None  # made again with this invariant in
            _log(log, child.invariants.pop)
            for number in range(child.newest + 1):
                self._activate(step, child.iterations[number], outputs, dead, log)
        else:
            self._activate(step, child.iterations[0], outputs, dead, log)
        child.pending_inputs -= 1
        _log(log, _add_attr, child, "pending_inputs", 1)
        first = child.iterations[0]
        if first.outstanding == 0 and not first.done:
            self._cleanup(first, log)

    def _child_frame(self, frame, iteration: Iteration, log) -> FrameState:
        key = (frame, iteration)
        child = self.frames.get(key)
        if child is None:
            child = FrameState(frame, iteration)
            child.iterations[0] = self._new_iteration_state(child, 0)
            self.frames[key] = child
            iteration.children += 1
            _log(log, self._drop_frame, key, iteration)
        return child

    def _drop_frame(self, key, iteration: Iteration) -> None:
        del self.frames[key]
        iteration.children -= 1

    def _new_iteration_state(self, frame_state: FrameState, number: int) -> Iteration:
        self._order += 1
        return Iteration(frame_state, number, self._order)

    def _next_iteration(self, step, iteration: Iteration, outputs, log) -> None:
        frame_state = iteration.frame_state
        if iteration.number < frame_state.newest:
            self._activate(step, frame_state.iterations[iteration.number + 1], outputs, False, log)
        elif frame_state.outstanding_iterations >= frame_state.frame.parallel_iterations:
            frame_state.deferred.append((step, outputs))
            if log is not None:
                log.append((frame_state.deferred.remove, (step, outputs)))
        else:
            nxt = self._increment_iteration(frame_state, log)
            self._activate(step, nxt, outputs, False, log)

    def _increment_iteration(self, frame_state: FrameState, log) -> Iteration:
        frame_state.newest += 1
        if log is None and frame_state.invariants:
            seed, starts = frame_state.seed or self._seed(frame_state)
            self._order += 1
            nxt = Iteration(frame_state, frame_state.newest, self._order, seed=seed)
        else:
            starts = None
            nxt = self._new_iteration_state(frame_state, frame_state.newest)
        frame_state.iterations[nxt.number] = nxt
        frame_state.outstanding_iterations += 1
        exits, frame_state.dead_exits = frame_state.dead_exits, []
        deferred, frame_state.deferred = frame_state.deferred, []
        if log is not None:
            log.append((_forget_iteration, frame_state, nxt.number, exits))
            log.append((setattr, frame_state, "deferred", deferred))
        for step, outputs in deferred:
            self._activate(step, nxt, outputs, False, log)
        if starts is None:
            for step, outputs in frame_state.invariants:
                self._activate(step, nxt, outputs, outputs[0] is DEAD, log)
        else:
            self.ready.extend([(step, nxt, dead) for step, dead in starts])
            nxt.outstanding += len(starts)
        return nxt

    def _seed(self, frame_state: FrameState) -> tuple:
        """``frame_state.seed``, made: the invariants delivered into a scratch iteration,
        as :meth:`_increment_iteration` would deliver them into each new one."""
        scratch = Iteration(frame_state, -1, 0)
        ready, self.ready = self.ready, []  # to see what the invariants make ready
        try:
            for step, outputs in frame_state.invariants:
                self._activate_plain(step, scratch, outputs, outputs[0] is DEAD)
            starts = [(step, dead) for step, _, dead in self.ready]
        finally:
            self.ready = ready
        frame_state.seed = (scratch, starts)
        return frame_state.seed

    # -- the end of iterations and frames --------------------------------------------------

    def _cleanup(self, iteration: Iteration, log) -> None:
        """Mark done the iterations of ``iteration``'s frame that are, from it on; end the
        frame when its last iteration is done, then look at the parent iteration."""
        frame_state = iteration.frame_state
        iterations = frame_state.iterations
        number = iteration.number
        while number <= frame_state.newest:
            # Done: nothing outstanding or running in it, and the one before it done
            # (iteration 0: every Enter has delivered).
            done = iterations[number]
            if done.done or done.outstanding or done.children:
                break
            if not (iterations[number - 1].done if number else frame_state.pending_inputs == 0):
                break
            done.done = True
            frame_state.outstanding_iterations -= 1
            if log is not None:
                log.append((setattr, done, "done", False))
                log.append((_add_attr, frame_state, "outstanding_iterations", 1))
            if not self.keep:
                done.values = done.pending = done.dead = None
            number += 1
            if frame_state.deferred:
                self._increment_iteration(frame_state, log)
        if frame_state.pending_inputs == 0 and frame_state.outstanding_iterations == 0:
            self._end_frame(frame_state, log)

    def _end_frame(self, frame_state: FrameState, log) -> None:
        parent = frame_state.parent
        for exit_step in frame_state.dead_exits:
            self._activate(exit_step, parent, (DEAD,) * len(exit_step.output_slots), True, log)
        if not self.keep:
            del self.frames[(frame_state.frame, parent)]
            # The frame's iterations point back at it: let refcounts free them now,
            # not the cyclic collector some runs later (with whatever they hold).
            frame_state.iterations.clear()
            frame_state.seed = None
        parent.children -= 1
        _log(log, _add_attr, parent, "children", 1)
        if parent.outstanding == 0 and parent.frame_state.parent is not None:
            self._cleanup(parent, log)

    # -- looking around (stepper, views) ---------------------------------------------------

    def iterations_of(self, frame) -> list:
        """The iterations of ``frame`` (a static frame) the run has made, in order."""
        found = [
            iteration
            for (static, _), frame_state in self.frames.items()
            if static is frame
            for iteration in frame_state.iterations.values()
        ]
        return sorted(found, key=lambda iteration: iteration.order)


def step_inputs(step, values) -> list:
    """The inputs ``step``'s kernel receives from ``values``: references read, except an
    input the OpDef marks ``"&"``, which stays the reference itself."""
    inputs = [values[s] for s in step.input_slots]
    for i in step.deref:
        if hasattr(inputs[i], "read"):  # a fed ``*_ref`` tensor (``v:0``) holds a value
            inputs[i] = inputs[i].read()
    return inputs


def _key(task) -> tuple:
    return (task[0], task[1])


def _log(log, *action) -> None:
    if log is not None:
        log.append(action)


def _add_at(counts: list, index: int, delta: int) -> None:
    counts[index] += delta


def _add_attr(obj, name: str, delta: int) -> None:
    setattr(obj, name, getattr(obj, name) + delta)


def _add_outstanding(iteration: Iteration, delta: int) -> None:
    iteration.outstanding += delta


def _unready(ready: list, task) -> None:
    ready.remove(task)


def _forget_iteration(frame_state: FrameState, number: int, dead_exits: list) -> None:
    del frame_state.iterations[number]
    frame_state.newest -= 1
    frame_state.outstanding_iterations -= 1
    frame_state.dead_exits = dead_exits
