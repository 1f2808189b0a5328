"""The executor: one scheduler over a plan, sequential or with a thread pool.

State of a run
    ``values``    the flat slot list of the plan (feeds filled in first);
    ``pending``   per step, how many of its producers have not finished;
    ``ready``     a LIFO stack of runnable steps, ties broken by plan order;
    ``running``   how many steps are on the pool;
    ``remaining`` per slot, how many of its readers have not finished: the pool
                  loop frees a value at zero (the sequential loop follows the
                  plan's ``release`` lists instead).
Policy
    A plan whose ops are all cheap, or a session with one inter-op thread and no
    blocking ops, runs *sequentially* in plan order in the caller's thread (no
    scheduling cost at all). Otherwise cheap ops still run inline in the caller's
    thread, while expensive and blocking ops go to the inter-op pool; the caller's
    thread alone changes the state and calls the hooks, so listeners never race.
Failure
    The first failing op cancels the step: nothing new starts, blocked kernels wake
    up and give up, running ones are waited for, the step's journal is rolled back
    (variables and queues are left as they were), and the error is raised in the
    caller's thread with ``.op`` set. A ``KeyboardInterrupt`` does the same and is
    re-raised, so the session stays usable after a notebook interrupt.
Hooks
    Listeners (step stats, the stepper's view, progress displays) subclass ``Hooks``;
    the executor calls them and knows nothing else about them.
"""

from __future__ import annotations

import itertools
import queue
import threading
import time

import numpy as np

from .errors import (
    CancelledError,
    DeadlineExceededError,
    InternalError,
    InvalidArgumentError,
    OpError,
    ResourceExhaustedError,
    UnknownError,
    op_error,
    op_message,
)
from .resources import Cancellation, Journal, OpContext

_step_ids = itertools.count(1)
_WAIT_SECONDS = 0.05  # the caller's thread wakes this often to notice interrupts


class Hooks:
    """Listeners of a run. Every method is optional; the defaults do nothing."""

    def on_start(self, plan) -> None:
        """Called once before the first op runs."""

    def before_op(self, step) -> None:
        """Called before ``step`` runs (in the caller's thread)."""

    def after_op(self, step, outputs, record) -> None:
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


def step_inputs(step, values) -> list:
    """The inputs ``step``'s kernel receives: its slots' values, references read.

    An input the OpDef marks ``"&"`` stays the reference itself.
    """
    inputs = [values[s] for s in step.input_slots]
    for i in step.deref:
        if hasattr(inputs[i], "read"):  # a fed ``*_ref`` tensor (``v:0``) holds a value
            inputs[i] = inputs[i].read()
    return inputs


def execute_step(step, values, run: RunContext) -> tuple:
    """Run one step's kernel on its inputs from ``values``; errors carry the op.

    Kernels run with numpy's floating-point warnings off: like TF's, ops make inf and
    nan quietly. (:func:`run_plan` does this once for a whole run; here it covers
    pool threads and op-by-op drivers.)
    """
    try:
        inputs = step_inputs(step, values)
        fn, needs_context, _ = step.kernel
        with np.errstate(all="ignore"):
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


def _raise_wrong_outputs(step, outputs):
    raise op_error(
        InternalError,
        step.op,
        f"kernel returned {len(outputs)} outputs, the op has {len(step.output_slots)}",
        step.device,
    )


def run_plan(plan, values: list, run: RunContext, sequential: bool) -> None:
    """Execute ``plan`` over ``values`` (feeds already in their slots).

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
        if sequential or run.pool is None:
            _run_sequential(plan, values, run)
        else:
            _run_parallel(plan, values, run)
    except BaseException as err:
        error = err
        run.journal.rollback()
        raise
    finally:
        for hook in run.hooks:
            hook.on_finish(plan, error)


def _run_sequential(plan, values, run) -> None:
    if run.hooks:
        for step in plan.steps:
            _timed_step(step, values, run, time.time_ns())
        return
    cancellation = run.cancellation
    for step in plan.steps:
        if step.fast:
            # The hot path (most ops): the kernel is called right here, with no list of
            # inputs to patch; execute_step does the same for the others.
            try:
                outputs = step.kernel.fn(*[values[s] for s in step.input_slots], **step.attrs)
            except BaseException as err:
                _raise_for(step, err)
            if len(outputs) != len(step.output_slots):
                _raise_wrong_outputs(step, outputs)
        else:
            outputs = execute_step(step, values, run)
        for s, value in zip(step.output_slots, outputs):
            values[s] = value
        for s in step.release:
            values[s] = None
        if cancellation.cancelled:
            raise cancellation.error


def _timed_step(step, values, run, scheduled_ns) -> None:
    for hook in run.hooks:
        hook.before_op(step)
    start = time.time_ns()
    outputs = execute_step(step, values, run)
    record = OpRecord(scheduled_ns, start, time.time_ns(), threading.get_ident())
    _store(step, values, outputs)
    for hook in run.hooks:
        hook.after_op(step, outputs, record)
    for s in step.release:
        values[s] = None


def _store(step, values, outputs) -> None:
    for s, value in zip(step.output_slots, outputs):
        values[s] = value


class _Scheduler:
    """The dynamic loop: inline cheap ops, pool the rest, react to completions."""

    def __init__(self, plan, values, run):
        self.values = values
        self.run = run
        self.pending = {step: step.pending for step in plan.steps}
        self.remaining = {}  # slot -> readers left, for release
        for step in plan.steps:
            for s in step.input_slots:
                self.remaining[s] = self.remaining.get(s, 0) + 1
        self.keep = plan.kept_slots
        self.ready = [s for s in reversed(plan.steps) if s.pending == 0]
        self.running = 0
        self.done = queue.SimpleQueue()

    def loop(self) -> None:
        cancellation = self.run.cancellation
        while self.ready or self.running:
            # Cheap ops run here. So does one expensive op, once the cheap ones are done, if
            # the pool has a thread to spare: handing it over would only add a thread
            # switch while this thread waits. Other expensive ops, and every blocking one,
            # go to the pool (and that one too when the pool is full: running it here as
            # well would put more ops at once on the cores than the session allows).
            kept = None
            while self.ready and not cancellation.cancelled:
                step = self.ready.pop()
                if step.cost == "cheap":
                    self._run_here(step)
                elif step.cost == "expensive" and kept is None:
                    kept = step
                else:
                    self._submit(step)
            if kept is not None and not cancellation.cancelled:
                if self.running >= self.run.threads:
                    self._submit(kept)
                else:
                    self._run_here(kept)
                    continue
            if cancellation.cancelled:
                self._drain()
                raise cancellation.error
            if self.running:
                self._wait_one()
        # The last pooled step may have failed after the check above.
        if cancellation.cancelled:
            raise cancellation.error

    def _run_here(self, step) -> None:
        for hook in self.run.hooks:
            hook.before_op(step)
        self._finish(step, *self._execute(step, time.time_ns()))

    def _execute(self, step, scheduled_ns):
        start = time.time_ns()
        try:
            outputs = execute_step(step, self.values, self.run)
        except BaseException as err:
            return None, err, OpRecord(scheduled_ns, start, time.time_ns(), threading.get_ident())
        return outputs, None, OpRecord(scheduled_ns, start, time.time_ns(), threading.get_ident())

    def _submit(self, step) -> None:
        for hook in self.run.hooks:
            hook.before_op(step)
        scheduled = time.time_ns()
        if step.cost == "blocking":
            # A waiting op (a dequeue, an enqueue on a full queue) gets its own thread:
            # on the bounded pool, enough waiters (queue runners) would starve the very
            # ops that end their wait. TF's blocking kernels are asynchronous for this.
            self.running += 1
            threading.Thread(
                target=lambda: self.done.put((step, *self._execute(step, scheduled))),
                name="tfgraph-blocking",
                daemon=True,
            ).start()
            return
        try:
            future = self.run.pool.submit(self._execute, step, scheduled)
        except RuntimeError:  # the session closed and shut its pool down
            self.run.cancellation.cancel(CancelledError(None, None, "Session has been closed."))
            return
        self.running += 1
        # Report through a callback: it also fires for a step cancelled while queued
        # (the session closed), so the loop never waits for a step that will not run.
        future.add_done_callback(lambda done: self.done.put((step, *_result(done, scheduled))))

    def _wait_one(self) -> None:
        cancellation = self.run.cancellation
        while True:
            try:
                item = self.done.get(timeout=_WAIT_SECONDS)
                break
            except queue.Empty:
                if cancellation.expired() and not cancellation.cancelled:
                    cancellation.cancel(
                        DeadlineExceededError(None, None, "Timed out waiting for the run to finish")
                    )
                    return
            except KeyboardInterrupt as interrupt:
                cancellation.cancel(interrupt)
                return
        self.running -= 1
        self._finish(*item)

    def _finish(self, step, outputs, error, record) -> None:
        if error is not None:
            self.run.cancellation.cancel(error)
            return
        _store(step, self.values, outputs)
        for hook in self.run.hooks:
            hook.after_op(step, outputs, record)
        for s in step.input_slots:
            self.remaining[s] -= 1
            if self.remaining[s] == 0 and s not in self.keep:
                self.values[s] = None
        for dependent in reversed(step.dependents):
            self.pending[dependent] -= 1
            if self.pending[dependent] == 0:
                self.ready.append(dependent)

    def _drain(self) -> None:
        """Wait for the steps still on the pool; blocked ones see the cancellation."""
        while self.running:
            try:
                self.done.get()
            except KeyboardInterrupt:
                continue
            self.running -= 1


def _result(future, scheduled_ns):
    """``(outputs, error, record)`` of a finished or cancelled pool future."""
    if future.cancelled():
        now = time.time_ns()
        cancelled = CancelledError(None, None, "Session has been closed.")
        return None, cancelled, OpRecord(scheduled_ns, now, now, threading.get_ident())
    return future.result()


def _run_parallel(plan, values, run) -> None:
    _Scheduler(plan, values, run).loop()
