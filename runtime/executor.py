"""The executor: drives a run's :class:`~runtime.execution.ExecutionState`, in the
caller's thread or with a thread pool.

Policy
    A plan without control flow whose ops are all cheap, or a session with one
    inter-op thread and no blocking ops, runs *sequentially* in plan order in the
    caller's thread (no scheduling cost at all: ``ExecutionState.run_in_order``).
    Otherwise the scheduler loop takes ready tasks from the state: cheap ops run inline
    in the caller's thread, expensive and blocking ops go to the inter-op pool. The
    caller's thread alone changes the state and calls the hooks, so listeners never
    race. Plans with TF1 loops and conditionals always go through the loop (with or
    without a pool): frames and iterations exist only there.
Failure
    The first failing op cancels the step: nothing new starts, blocked kernels wake up
    and give up, the step's journal is rolled back (variables and queues are left as
    they were) and the error is raised in the caller's thread with ``.op`` set. Ops
    still running on the pool are not waited for: they are abandoned, and whatever they
    change after the rollback is undone as they record it (the journal is closed). A
    ``KeyboardInterrupt`` does the same at once and is re-raised, so a notebook
    interrupt always wins and the session stays usable.
Hooks
    Listeners (step stats, progress displays, the stepper's view) subclass
    :class:`Hooks`; every engine calls them and knows nothing else about them.
"""

from __future__ import annotations

import functools
import itertools
import queue
import threading
import time

import numpy as np

from .errors import (
    CancelledError,
    InternalError,
    InvalidArgumentError,
    OpError,
    ResourceExhaustedError,
    UnknownError,
    op_error,
    op_message,
)
from .execution import DEAD, ExecutionState, step_inputs
from .intra_op import quiet_numpy
from .registry import Cost, get_op_def
from .resources import Cancellation, Journal, OpContext
from .straight_line import compile_plan, worth_compiling

_step_ids = itertools.count(1)
_WAIT_SECONDS = 0.05  # the caller's thread wakes this often to notice interrupts
_DEADLINE_CHECK_EVERY = 256  # inline tasks between two looks at the clock


class Hooks:
    """Listeners of a run: subclass and override what you need; the defaults do nothing.

    Attach one to a session with :meth:`runtime.session.BaseSession.add_hook`; every run
    of that session then calls it, in-process or on a cluster. The methods run in the
    thread that called ``Session.run``, one at a time, so a hook needs no lock.

    ``iteration`` is where the op ran (a :class:`runtime.execution.Iteration`): its
    ``path`` is ``()`` in the root frame and ``(("rnn/while/while_context", 3),)`` in
    iteration 3 of a loop.

    Examples
    --------
    >>> import runtime as tf
    >>> class Names(Hooks):
    ...     def __init__(self):
    ...         self.names = []
    ...     def after_op(self, step, iteration, outputs, record):
    ...         self.names.append(step.op.name)
    >>> with tf.Graph().as_default():
    ...     y = tf.negative(tf.constant(1.0, name="x"), name="y")
    ...     with tf.compat.v1.Session() as sess:
    ...         names = sess.add_hook(Names())
    ...         _ = sess.run(y)
    >>> names.names
    ['x', 'y']
    """

    def on_start(self, plan) -> None:
        """Called once before the first op runs."""

    def before_op(self, step, iteration) -> None:
        """Called before ``step`` runs in ``iteration``."""

    def after_op(self, step, iteration, outputs, record) -> None:
        """Called after ``step`` ran; ``record`` is its ``OpRecord`` (timing, thread)."""

    def on_finish(self, plan, error) -> None:
        """Called once at the end; ``error`` is the failure or ``None``."""


class OpRecord:
    """When and where one op ran (nanoseconds from ``time.time_ns``)."""

    __slots__ = ("end_ns", "scheduled_ns", "start_ns", "thread_id")

    def __init__(self, scheduled_ns, start_ns, end_ns, thread_id):
        self.scheduled_ns = scheduled_ns
        self.start_ns = start_ns
        self.end_ns = end_ns
        self.thread_id = thread_id


class RunContext:
    """Everything a run shares: resources, journal, cancellation, pool and hooks."""

    def __init__(
        self, resources, pool=None, hooks=(), deadline=None, cancellations=None, threads=1
    ):
        self.resources = resources
        self.pool = pool
        self.threads = threads  # the pool's size: how many ops may run at once
        self.hooks = hooks  # only iterated
        self.journal = Journal()
        self.cancellation = Cancellation(deadline)
        self.step_id = next(_step_ids)
        self._cancellations = cancellations  # the session's live set, for close()

    def context_for(self, step) -> OpContext:
        return OpContext(
            step.op, step.device, self.resources, self.journal, self.cancellation, self.step_id
        )

    def __enter__(self):
        if self._cancellations is not None:
            self._cancellations.add(self.cancellation)
        return self

    def __exit__(self, *exc):
        if self._cancellations is not None:
            self._cancellations.discard(self.cancellation)


def run_kernel(step, values, run: RunContext) -> tuple:
    """Run ``step``'s kernel on its inputs from ``values`` (its frame iteration's slot
    list); errors carry the op.

    Kernels run with numpy's floating-point warnings off: like TF's, ops make inf and
    nan quietly. :func:`run_plan` turns them off once for a whole run, and the run's
    own thread calls :func:`call_kernel` under it; this covers pool threads and
    op-by-op drivers (the stepper).
    """
    with np.errstate(all="ignore"):
        return call_kernel(step, values, run)


def call_kernel(step, values, run: RunContext) -> tuple:
    """:func:`run_kernel` in a run's own thread, where :func:`run_plan`'s errstate holds:
    entering one per op cost about a microsecond, for the thirty ops of a training step
    that read variables or take a context."""
    try:
        inputs = step_inputs(step, values)
        fn, needs_context, _ = step.kernel
        if needs_context:
            outputs = fn(run.context_for(step), *inputs, **step.attrs)
        else:
            outputs = fn(*inputs, **step.attrs)
    except BaseException as err:
        _raise_for(step, err)
    if len(outputs) != len(step.output_slots):
        _raise_wrong_outputs(step, outputs)
    return outputs


def _raise_for(step, err: BaseException):
    """Raise ``err`` as the failure of ``step``: TF's error class, with the op attached.

    Interrupts and exits pass through unchanged, as does an error that already has its op.
    """
    if isinstance(err, OpError):
        if err.op is not None:
            raise err
        failure = type(err)(
            step.op.node_def, step.op, op_message(step.op, err.message, step.device)
        )
    elif isinstance(err, ValueError | TypeError | IndexError | ArithmeticError):
        failure = op_error(InvalidArgumentError, step.op, str(err), step.device)
    elif isinstance(err, MemoryError):
        failure = op_error(ResourceExhaustedError, step.op, f"Out of memory: {err}", step.device)
    elif isinstance(err, Exception):
        failure = op_error(UnknownError, step.op, f"{type(err).__name__}: {err}", step.device)
    else:  # KeyboardInterrupt, SystemExit
        raise err
    raise failure from err


def _fail(step, err: BaseException | None, outputs=None):
    """Raise the failure of ``step``: ``err`` from its kernel, or (``err`` None) the
    ``outputs`` it returned, of the wrong count."""
    if err is None:
        _raise_wrong_outputs(step, outputs)
    _raise_for(step, err)


def _as_failure(step, err: BaseException) -> BaseException:
    """``err`` as :func:`_raise_for` would raise it for ``step``."""
    try:
        _raise_for(step, err)
    except BaseException as failure:  # the wrapped error, or err itself
        return failure
    return err


def _raise_wrong_outputs(step, outputs):
    raise op_error(
        InternalError,
        step.op,
        f"kernel returned {len(outputs)} outputs, the op has {len(step.output_slots)}",
        step.device,
    )


def in_order(plan, threads: int, kernel_threads: int) -> bool:
    """Whether a run of ``plan`` on ``threads`` inter-op threads runs its ops in order
    in the caller's thread (``run_plan``'s ``sequential``), its kernels splitting
    their own work across ``kernel_threads`` intra-op threads.

    In order: a plan of cheap ops only; or one without blocking ops (queues, which wait
    for other ops) on one thread, or on no more threads than each kernel may use.
    Running ops side by side then gains little over running each on every thread, and
    costs a hand-off an op (a wake-up, two cores sharing caches): at 2 / 2 threads every
    model of ``bench/bench_models.py`` ran as fast or faster in order (the CNN training
    step 19.6 -> 17.7 ms, ResNet50 71 -> 69 ms, the MLP step 3.83 -> 3.66 ms). Side by
    side: fewer intra-op than inter-op threads (``intra_op_parallelism_threads=1``
    asks for it), or py_funcs, whose Python may wait for one another as under TF.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> plan = SimpleNamespace(sequential_only=False, has_blocking=False, user_python=False)
    >>> in_order(plan, 2, kernel_threads=2), in_order(plan, 2, kernel_threads=1)
    (True, False)
    """
    if plan.sequential_only:
        return True
    if plan.has_blocking:
        return False
    return threads <= 1 or (kernel_threads >= threads and not plan.user_python)


def run_plan(plan, values: list, run: RunContext, sequential: bool) -> None:
    """Execute ``plan`` over ``values`` (the root slot list, feeds already in their slots).

    On failure the journal is rolled back and the error re-raised.
    """
    with run:
        if plan.arithmetic:
            with np.errstate(all="ignore"):  # ops make inf and nan quietly, as in TF
                _execute(plan, values, run, sequential)
        else:  # entering errstate would cost more than a run of constants itself
            _execute(plan, values, run, sequential)


def _execute(plan, values, run: RunContext, sequential: bool) -> None:
    for hook in run.hooks:
        hook.on_start(plan)
    error = None
    try:
        if plan.control_flow or not (sequential or run.pool is None):
            state = ExecutionState(plan, values)
            _Scheduler(state, run, None if sequential else run.pool).loop()
            check_fetches(state)
        elif run.hooks:
            state = ExecutionState(plan, values)
            root = state.root
            state.run_in_order(lambda step, values: _hooked(step, root, values, run))
        elif plan.straight_line is not None:  # no state at all: a run costs its kernels
            plan.straight_line(values, run)
        else:
            start = time.perf_counter()
            ExecutionState(plan, values).run_in_order(_in_order(run))
            _count_run(plan, time.perf_counter() - start)
    except BaseException as err:
        error = err
        run.journal.rollback()
        raise
    finally:
        for hook in run.hooks:
            hook.on_finish(plan, error)


def _count_run(plan, seconds: float) -> None:
    """Once its runs in order have paid for it, a plan runs as straight-line code."""
    plan.runs += 1
    plan.run_seconds += seconds
    if worth_compiling(plan):
        plan.straight_line = compile_plan(
            plan,
            _raise_for,
            lambda index, outputs: _raise_wrong_outputs(plan.steps[index], outputs),
            call_kernel,
        )


def _in_order(run: RunContext):
    """The fast path's per-op call: the kernel straight on its slots' values."""
    cancellation = run.cancellation
    timed = cancellation.deadline is not None

    def call(step, values):
        if step.fast:
            try:
                outputs = step.kernel.fn(*[values[s] for s in step.input_slots], **step.attrs)
            except BaseException as err:
                _raise_for(step, err)
            if len(outputs) != len(step.output_slots):
                _raise_wrong_outputs(step, outputs)
        else:
            outputs = call_kernel(step, values, run)
        if cancellation.cancelled or timed:
            cancellation.raise_if_stopped()
        return outputs

    return call


def _hooked(step, iteration, values, run) -> tuple:
    for hook in run.hooks:
        hook.before_op(step, iteration)
    scheduled = start = time.time_ns()
    outputs = call_kernel(step, values, run)
    record = OpRecord(scheduled, start, time.time_ns(), threading.get_ident())
    for hook in run.hooks:
        hook.after_op(step, iteration, outputs, record)
    return outputs


# Handing an op to a pool thread costs a wake-up (0.1-0.2 ms measured on this project's
# machines), and two cores then share caches and memory: an expensive numpy kernel whose
# inputs are smaller than this runs in the caller's thread. From 256 KiB to 1 MiB the
# MLP step at 2 threads (its backward products of 0.4-0.8 MiB inputs, 0.3 ms each, and
# a 512 KiB update) ran 7 % faster (median of 14 alternating runs, 10 of them faster);
# the CNN step and ResNet50, whose overlapping ops are larger, did not change.
_HANDOFF_BYTES = 1 << 20


def _small(step, values) -> bool:
    """Whether ``step`` is an expensive op quicker run here: a plain kernel of its
    inputs (``fast``: no references, no context, so it cannot wait on another op, as a
    py_func or a queue may) or an update of variables (references, as an optimizer's
    ``Apply*``: its time grows with the gradient it takes), whose inputs are small."""
    if step.cost is not Cost.EXPENSIVE or not (step.fast or _updates(step.op.type)):
        return False
    total = 0
    for s in step.input_slots:
        total += getattr(values[s], "nbytes", 0)
    return total < _HANDOFF_BYTES


@functools.cache
def _updates(op_type: str) -> bool:
    """Whether ops of ``op_type`` take variables (references or resource handles)."""
    return bool(get_op_def(op_type).ref_inputs)


def _tail(step) -> bool:
    """Whether only control edges leave ``step``, as an optimizer's update (grouped into
    the train op): while the pool runs another op, such a step goes to the pool too,
    and this thread stays free to hand out the readers of what the pool finishes (the
    critical path, as a backward pass's next product, never waits behind an update).
    A fetched op, which nothing in the plan reads, is not one: its value ends the run."""
    return bool(step.fanout) and all(index < 0 for _, _, index, _ in step.fanout)


def check_fetches(state) -> None:
    """A fetched tensor that is dead (the untaken side of a cond) has no value: TF's error."""
    if not state.plan.control_flow:
        return
    for position, value in enumerate(state.results()):
        if value is None:
            raise InternalError(
                None,
                None,
                f"Retval[{position}] was never computed: the run ended with nothing ready "
                "(a loop or cond in the graph is malformed).",
            )
        if value is DEAD:
            raise InvalidArgumentError(
                None,
                None,
                f"Retval[{position}] does not have value: the fetched tensor is on the side of "
                "a conditional (Switch) that was not taken.",
            )


class _Scheduler:
    """The dynamic loop over the state's ready tasks: inline cheap ops, pool the rest."""

    def __init__(self, state, run, pool):
        self.state = state
        self.run = run
        self.pool = pool
        self.running = 0
        self.inline = 0  # tasks taken so far: the deadline is checked every so many
        self.kept = None  # (the lean loop) the expensive task to run here next
        self._here = _in_order(run)  # an op run in this thread, nothing listening
        self.done = queue.SimpleQueue()

    def loop(self) -> None:
        if not self.run.hooks:
            self._loop_lean()
            return
        state = self.state
        ready = state.ready
        cancellation = self.run.cancellation
        while ready or self.running:
            # Cheap ops run here, and small expensive ones (_small). So does one expensive
            # op, once the cheap ones are done, if the pool has a thread to spare: handing
            # it over would only add a thread switch while this thread waits. Other
            # expensive ops, and every blocking one, go to the pool (and that one too
            # when the pool is full: running it here as well would put more ops at once
            # on the cores than the session allows).
            kept = None
            while ready and not cancellation.cancelled:
                self.inline += 1
                if not self.inline % _DEADLINE_CHECK_EVERY and cancellation.expired():
                    cancellation.time_out()  # a long loop of cheap ops meets its deadline
                    break
                task = ready.pop()
                step = task[0]
                if task[2]:  # dead: passes its deadness on without running
                    state.finish(task, None)
                elif step.cost is Cost.CHEAP or self.pool is None or _small(step, task[1].values):
                    self._run_here(task)
                elif step.cost is Cost.EXPENSIVE and kept is None:
                    kept = task
                else:
                    self._submit(task)
            if kept is not None and not cancellation.cancelled:
                if self.running >= self.run.threads:
                    self._submit(kept)
                else:
                    self._run_here(kept)
                    self._collect()  # what the pool finished meanwhile goes on at once
                    continue
            if cancellation.cancelled:
                raise cancellation.error  # ops still on the pool are abandoned
            if self.running:
                self._wait_one()
        # The last pooled step may have failed after the check above.
        if cancellation.cancelled:
            raise cancellation.error

    def _loop_lean(self) -> None:
        """The loop with nothing listening: the state runs its ready tasks itself
        (``ExecutionState.run_ready``), cheap ops right there in this thread, the others
        through :meth:`_take`. When nothing is ready, the expensive op kept back runs
        here (if the pool has a thread to spare) or this thread waits for the pool;
        what comes back is finished in the state, and the state runs again. A
        cancellation from another thread or the deadline is noticed every so many
        tasks."""
        state = self.state
        run = self.run
        cancellation = run.cancellation
        pooled = self.pool is not None

        # A loop program's op: its errors come as the op's, cancellation from the tick.
        here = functools.partial(call_kernel, run=run)
        tick = cancellation.raise_if_stopped
        try:
            while not cancellation.cancelled:
                state.run_ready(self._take, _fail, tick, pooled, here)
                if self._collect():
                    continue  # what the pool finished first: its readers may be the ones to run
                kept, self.kept = self.kept, None
                if kept is not None:
                    if self.running < run.threads and not (self.running and _tail(kept[0])):
                        state.finish(kept, self._here(kept[0], kept[1].values))
                        self._collect()  # what the pool finished meanwhile goes on at once
                        continue
                    self._submit(kept)
                if not self.running:
                    break
                self._wait_one()
                self._collect()
        except BaseException as err:
            # Blocked kernels wake and give up; ops still on the pool are abandoned.
            cancellation.cancel(err)
            raise
        if cancellation.cancelled:
            raise cancellation.error

    def _take(self, task):
        """``run_ready``'s ``execute``: a cheap op (without a pool, any op) runs here and
        its outputs are returned; one expensive op is kept back for :meth:`_loop_lean`
        to run here once nothing else is ready; every other op goes to the pool
        (``None``)."""
        step = task[0]
        if step.cost is Cost.CHEAP or self.pool is None or _small(step, task[1].values):
            return self._here(step, task[1].values)
        if step.cost is Cost.EXPENSIVE and self.kept is None:
            self.kept = task
        else:
            self._submit(task)
        return None

    def _run_here(self, task) -> None:
        step, iteration, _ = task
        if self.run.hooks:
            for hook in self.run.hooks:
                hook.before_op(step, iteration)
            self._finish(task, *self._execute(task, time.time_ns()))
            return
        # No listener: no clock and no record. In the caller's thread the run's own
        # errstate already holds (run_plan), so a plain kernel is called right here.
        try:
            if step.fast:
                values = iteration.values
                outputs = step.kernel.fn(*[values[s] for s in step.input_slots], **step.attrs)
                if len(outputs) != len(step.output_slots):
                    _raise_wrong_outputs(step, outputs)
            else:
                outputs = call_kernel(step, iteration.values, self.run)
        except BaseException as err:
            self.run.cancellation.cancel(_as_failure(step, err))
            return
        self.state.finish(task, outputs)

    def _execute(self, task, scheduled_ns):
        """``(outputs, error, record)`` of running ``task`` (in a pool or blocking thread,
        whose numpy warnings are off for good: ``intra_op.quiet_numpy``; or in the run's
        own thread, under its errstate).

        ``scheduled_ns`` is ``None`` when nothing listens: then no clock and no record.
        """
        if scheduled_ns is None:
            try:
                return call_kernel(task[0], task[1].values, self.run), None, None
            except BaseException as err:
                return None, err, None
        start = time.time_ns()
        try:
            outputs = call_kernel(task[0], task[1].values, self.run)
        except BaseException as err:
            return None, err, OpRecord(scheduled_ns, start, time.time_ns(), threading.get_ident())
        return outputs, None, OpRecord(scheduled_ns, start, time.time_ns(), threading.get_ident())

    def _submit(self, task) -> None:
        step, iteration, _ = task
        scheduled = None
        if self.run.hooks:
            for hook in self.run.hooks:
                hook.before_op(step, iteration)
            scheduled = time.time_ns()
        if step.cost is Cost.BLOCKING:
            # A waiting op (a dequeue, an enqueue on a full queue) gets its own thread:
            # on the bounded pool, enough waiters (queue runners) would starve the very
            # ops that end their wait. TF's blocking kernels are asynchronous for this.
            self.running += 1

            def wait() -> None:
                quiet_numpy()
                self.done.put((task, *self._execute(task, scheduled)))

            threading.Thread(
                target=wait,
                name="tfgraph-blocking",
                daemon=True,
            ).start()
            return
        try:
            future = self.pool.submit(self._execute, task, scheduled)
        except RuntimeError:  # the session closed and shut its pool down
            self.run.cancellation.cancel(CancelledError(None, None, "Session has been closed."))
            return
        self.running += 1
        # Report through a callback: it also fires for a step cancelled while queued
        # (the session closed), so the loop never waits for a step that will not run.
        future.add_done_callback(lambda done: self.done.put((task, *_result(done, scheduled))))

    def _collect(self) -> bool:
        """Finish, without waiting, every op the pool has finished, so their readers are
        ready (and handed to the pool) before this thread runs the next op itself.
        Returns whether any had finished."""
        collected = False
        while self.running and not self.done.empty():
            self.running -= 1
            self._finish(*self.done.get_nowait())
            collected = True
        return collected

    def _wait_one(self) -> None:
        cancellation = self.run.cancellation
        while True:
            try:
                item = self.done.get(timeout=_WAIT_SECONDS)
                break
            except queue.Empty:
                if cancellation.expired() and not cancellation.cancelled:
                    cancellation.time_out()
                    return
            except KeyboardInterrupt as interrupt:
                cancellation.cancel(interrupt)
                return
        self.running -= 1
        self._finish(*item)

    def _finish(self, task, outputs, error, record) -> None:
        if error is not None:
            self.run.cancellation.cancel(error)
            return
        self.state.finish(task, outputs)
        step, iteration, _ = task
        for hook in self.run.hooks:
            hook.after_op(step, iteration, outputs, record)


def _result(future, scheduled_ns):
    """``(outputs, error, record)`` of a finished or cancelled pool future."""
    if future.cancelled():
        now = time.time_ns()
        cancelled = CancelledError(None, None, "Session has been closed.")
        return None, cancelled, OpRecord(scheduled_ns, now, now, threading.get_ident())
    return future.result()
