"""The worker side: what a Dask worker keeps for the sessions that run on it.

Containers
    Each worker holds one ``ResourceManager``: its task's resource containers
    (variables, queues, random streams) keyed by ``(container, name)`` as TF's
    ``ResourceMgr`` is, shared by every session on the cluster, until
    ``Session.reset`` clears them or the worker ends. A new session sees the variables
    an earlier one left, as on TF servers. A session with ``isolate_session_state``
    gets containers of its own, dropped with it.
Sessions
    Per session: the client graph's ``NodeDef``\\ s (installed once per graph version),
    its ``py_func`` callables, the partitions of the stages it has run, the local store
    of each run in flight, and a lease. The client renews its sessions' leases every
    :data:`LEASE_RENEW_SECONDS`; a session whose lease ran out (its client died) and
    that runs nothing is dropped by a sweeper thread within :data:`SWEEP_SECONDS`.
    ``Session.close`` drops it at once; ``Session.reset`` drops every session and
    remembers them, so their later runs fail with TF's ``AbortedError``.
Runs
    :func:`run_stage` is the Dask task of one stage: it installs the graph if it is
    new, delivers the stage's inputs (the client's feeds, other stages' results, its
    worker's local store) to the partition's receive ops and runs the partition plan
    with :func:`runtime.executor.run_plan`. With hooks on the client it records, per
    op that ran, what ``after_op`` receives, for the client to replay.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
import weakref

import numpy as np

from .. import errors, heap
from ..deadness import DEAD
from ..errors import AbortedError, CancelledError, InvalidArgumentError
from ..executor import Hooks, RunContext, run_plan
from ..resources import ResourceManager
from .partition_graph import _INBOXES, build_partition

LEASE_SECONDS = 6.0  # a session unrenewed this long is its dead client's
LEASE_RENEW_SECONDS = 2.0
SWEEP_SECONDS = 1.0
_PARTITION_CACHE_SIZE = 256
STAGE_KEY_PREFIX = "tfgraph-"  # the Dask key of every stage starts so
_OP_ERROR_NAMES = frozenset(
    name
    for name, value in vars(errors).items()
    if isinstance(value, type) and issubclass(value, errors.OpError)
)


@dataclasses.dataclass(frozen=True)
class RunHeader:
    """What every stage of a run is told about the run."""

    session_id: str
    version: int  # the client graph's version the run was planned on
    run_id: str
    timeout: float | None  # seconds left of the run's deadline when submitted
    record: bool  # record each op for the client's hooks
    isolate: bool  # the session has containers of its own


class WorkerState:
    """One worker's containers and the sessions that run on it."""

    def __init__(self):
        self.resources = ResourceManager()
        self.sessions: dict = {}
        self.closed: set = set()  # sessions Session.reset closed
        self._lock = threading.Lock()

    def session(self, session_id: str, isolate: bool) -> WorkerSession:
        """The session's state here (made on first use), its lease renewed."""
        with self._lock:
            if session_id in self.closed:
                raise AbortedError(None, None, f"Session {session_id} is not found.")
            session = self.sessions.get(session_id)
            if session is None:
                resources = ResourceManager() if isolate else self.resources
                session = self.sessions[session_id] = WorkerSession(resources, isolate)
        session.renew()
        return session

    def renew(self, session_ids) -> None:
        with self._lock:
            for session_id in session_ids:
                session = self.sessions.get(session_id)
                if session is not None:
                    session.renew()

    def drop(self, session_id: str) -> None:
        with self._lock:
            session = self.sessions.pop(session_id, None)
        if session is not None:
            session.close()

    def sweep(self, now: float) -> None:
        """Drop the sessions whose lease ran out and that run nothing."""
        with self._lock:
            expired = [sid for sid, s in self.sessions.items() if s.expires < now and s.busy == 0]
        for session_id in expired:
            self.drop(session_id)

    def reset(self, containers) -> None:
        """``Session.reset``: clear ``containers`` (all when ``None``), close every session."""
        with self._lock:
            doomed = list(self.sessions)
            self.closed.update(doomed)
        for session_id in doomed:
            self.drop(session_id)
        self.resources.clear(containers)


class WorkerSession:
    """A session's graph, partitions, run stores and lease on one worker."""

    def __init__(self, resources: ResourceManager, isolated: bool):
        self.resources = resources
        self.isolated = isolated
        self.version = -1
        self.nodes: dict = {}
        self.functions: dict = {}
        self.partitions: dict = {}
        self.stores: dict = {}  # run id -> {name: [value, readers left]}
        self.runs: dict = {}  # run id -> the RunContexts of its stages running here
        self.busy = 0
        self.expires = 0.0
        self._lock = threading.Lock()

    def renew(self) -> None:
        self.expires = time.monotonic() + LEASE_SECONDS

    def install(self, version: int, payload) -> None:
        """Take the client graph at ``version`` unless a newer one is installed (graphs
        only grow, so a stage of an older version runs on the newer graph too)."""
        with self._lock:
            if version <= self.version:
                return
            graph_def, functions = payload
            self.nodes = {node.name: node for node in graph_def.node}
            self.functions = functions
            self.partitions = {}
            self.version = version

    def partition(self, stage):
        partition = self.partitions.get(stage)
        if partition is None:
            partition = build_partition(self.nodes, self.functions, stage)
            with self._lock:
                if len(self.partitions) >= _PARTITION_CACHE_SIZE:
                    self.partitions.clear()
                self.partitions[stage] = partition
        return partition

    def keep(self, run_id: str, keep, values: dict) -> None:
        """Hold values for later stages of the run on this worker."""
        if keep:
            with self._lock:
                store = self.stores.setdefault(run_id, {})
                for name, readers in keep:
                    store[name] = [values[name], readers]

    def take(self, run_id: str, name: str):
        """A value held for this run; the last reader releases it."""
        with self._lock:
            store = self.stores.get(run_id)
            entry = None if store is None else store.get(name)
            if entry is None:
                raise AbortedError(
                    None,
                    None,
                    f"The worker no longer holds {name} for this run (its session expired "
                    "or was reset while the run was in flight); run it again.",
                )
            entry[1] -= 1
            if entry[1] == 0:
                del store[name]
                if not store:
                    del self.stores[run_id]
            return entry[0]

    def started(self, run_id: str, run: RunContext) -> None:
        with self._lock:
            self.busy += 1
            self.runs.setdefault(run_id, []).append(run)

    def finished(self, run_id: str, run: RunContext) -> None:
        with self._lock:
            self.busy -= 1
            running = self.runs.get(run_id, [])
            if run in running:
                running.remove(run)
            if not running:
                self.runs.pop(run_id, None)

    def cancel(self, run_id: str) -> None:
        """End the run's stages still running here and drop what it held."""
        with self._lock:
            running = list(self.runs.get(run_id, ()))
            self.stores.pop(run_id, None)
        for run in running:
            run.cancellation.cancel(CancelledError(None, None, "The run was cancelled."))

    def close(self) -> None:
        with self._lock:
            run_ids = list(self.runs)
            self.stores.clear()
        for run_id in run_ids:
            self.cancel(run_id)
        if self.isolated:
            self.resources.clear()


_states: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_states_lock = threading.Lock()
_sweeper: list = []


def state_of(worker) -> WorkerState:
    """The ``WorkerState`` of a Dask worker (one per worker, also in one process)."""
    with _states_lock:
        state = _states.get(worker)
        if state is None:
            state = _states[worker] = WorkerState()
            if not _sweeper:
                heap.keep_large_blocks()  # a worker's kernels reuse memory as a session's do
                thread = threading.Thread(target=_sweep_forever, name="tfgraph-leases", daemon=True)
                thread.start()
                _sweeper.append(thread)
                logging.getLogger("distributed.worker").addFilter(_quiet_op_errors)
        return state


def _quiet_op_errors(record: logging.LogRecord) -> bool:
    """Keep a stage's ``OpError`` (an uninitialized variable, a bad feed) out of the
    worker's log: it is the run's outcome, raised on the client, not a worker fault.
    Dask logs a failed task as ``"Compute Failed"`` with its key and exception text."""
    args = record.args if isinstance(record.args, tuple) else ()
    if len(args) < 4 or not str(args[0]).startswith(STAGE_KEY_PREFIX):
        return True
    return str(args[3]).split("(", 1)[0] not in _OP_ERROR_NAMES


def _sweep_forever() -> None:
    while True:
        time.sleep(SWEEP_SECONDS)
        now = time.monotonic()
        with _states_lock:
            states = list(_states.values())
        for state in states:
            state.sweep(now)


# -- what the client calls --------------------------------------------------------------


def run_stage(header: RunHeader, payload, stage, feeds: dict, *upstream):
    """Run one stage on this worker: ``(sent values, records)``."""
    from distributed import get_worker, secede

    session = state_of(get_worker()).session(header.session_id, header.isolate)
    session.install(header.version, payload)
    partition = session.partition(stage)
    if partition.plan.has_blocking:
        secede()  # a waiting op must not hold one of the worker's threads
    inbox = _deliveries(session, header.run_id, stage, feeds, upstream)
    recorder = _Recorder(stage.ops) if header.record else None
    deadline = None if header.timeout is None else time.monotonic() + header.timeout
    run = RunContext(
        session.resources, hooks=() if recorder is None else (recorder,), deadline=deadline
    )
    values = partition.plan.initial_values({})
    _INBOXES[run.step_id] = inbox
    session.started(header.run_id, run)
    try:
        run_plan(partition.plan, values, run, sequential=True)
    finally:
        del _INBOXES[run.step_id]
        session.finished(header.run_id, run)
    sent = partition.values_sent(values)
    session.keep(header.run_id, stage.keep, sent)
    out = {name: portable(sent[name], name) for name in stage.outputs}
    return out, () if recorder is None else recorder.records


def _deliveries(session, run_id, stage, feeds: dict, upstream) -> dict:
    remote: dict = {}
    for values, _ in upstream:
        remote.update(values)
    inbox = {}
    for item in (*stage.inputs, *stage.control_inputs):
        if item.name in feeds:
            inbox[item.name] = feeds[item.name]
        elif item.local:
            inbox[item.name] = session.take(run_id, item.name)
        else:
            inbox[item.name] = remote[item.name]
    return inbox


def portable(value, name: str):
    """A value that can leave its worker: a reference goes as the value it holds.

    Examples
    --------
    >>> portable(np.float32(2.0), "x:0")
    np.float32(2.0)
    """
    if hasattr(value, "read"):
        value = value.read()
    if value is DEAD or isinstance(value, np.ndarray | np.generic | bytes):
        return value
    raise InvalidArgumentError(
        None,
        None,
        f"Tensor {name} holds a {type(value).__name__}, which cannot leave its worker; "
        "place the ops that use it on the same task.",
    )


@dataclasses.dataclass(frozen=True)
class RemoteValue:
    """What a hook on the client sees of an output that cannot leave its worker."""

    type_name: str
    text: str

    def __repr__(self) -> str:
        return f"<{self.type_name} on a worker: {self.text}>"


class _Recorder(Hooks):
    """Records what ``after_op`` receives for each of the stage's ops that ran."""

    def __init__(self, ops):
        self.ops = frozenset(ops)
        self.records: list = []

    def after_op(self, step, iteration, outputs, record) -> None:
        if step.op.name in self.ops:
            times = (record.scheduled_ns, record.start_ns, record.end_ns, record.thread_id)
            shipped = tuple(_shippable(value, step, i) for i, value in enumerate(outputs))
            self.records.append((step.op.name, iteration.path, shipped, times))


def _shippable(value, step, index: int):
    try:
        return portable(value, f"{step.op.name}:{index}")
    except InvalidArgumentError:
        return RemoteValue(type(value).__name__, repr(value)[:200])


def renew(session_ids, dask_worker=None) -> None:
    """Renew the leases of ``session_ids`` on this worker."""
    state_of(dask_worker).renew(session_ids)


def drop_session(session_id: str, dask_worker=None) -> None:
    """``Session.close``: drop the session's state on this worker."""
    state_of(dask_worker).drop(session_id)


def cancel_run(session_id: str, run_id: str, dask_worker=None) -> None:
    """End a failed run's stages still running on this worker; drop what it held."""
    session = state_of(dask_worker).sessions.get(session_id)
    if session is not None:
        session.cancel(run_id)


def reset(containers, dask_worker=None) -> None:
    """``Session.reset`` on this worker."""
    state_of(dask_worker).reset(containers)


def describe(dask_worker=None) -> dict:
    """What this worker holds: its sessions (with how many stages each runs now, and
    the seconds left of each lease), its containers' resources ``(container, name)``,
    and isolated sessions' resources."""
    state = state_of(dask_worker)
    sessions = list(state.sessions.items())
    now = time.monotonic()
    return {
        "sessions": {sid: s.busy for sid, s in sessions},
        "leases": {sid: s.expires - now for sid, s in sessions},
        "resources": sorted(key for key, _ in state.resources.items()),
        "isolated": {
            sid: sorted(key for key, _ in s.resources.items()) for sid, s in sessions if s.isolated
        },
    }
