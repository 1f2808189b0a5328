"""The client side of a session on a Dask cluster: :class:`DaskEngine`.

A run
    The plan is cut into stages (:mod:`.partition`), once per plan. All the run's
    stages go to the scheduler in one message, a task graph whose tasks are pinned to
    their workers (one scheduler round trip for the whole run; Dask moves the values
    crossing workers between the workers). The client waits, gathers only the stages
    holding fetched values, and puts those in the run's slots. A fetched tensor that is
    dead fails the run as in one process.
Hooks
    A session's hooks (:class:`runtime.executor.Hooks`: step stats, progress, the
    stepper's view) see a run on the cluster as they see one in process:
    ``on_start`` before the stages go, then, once all have finished, ``before_op`` and
    ``after_op`` for every op that ran on a worker, replayed in the order the ops ran
    within each stage and stage by stage in dependency order, with the op's outputs,
    its timing on the worker and its place in the loops (``iteration.path``); then
    ``on_finish``. The worker records this only when the session has hooks, and the
    outputs travel to the client then (a value that cannot leave its worker arrives as
    a :class:`~.worker.RemoteValue`). An op moved with its loop to the loop's task
    reports that task's device.
Worker loss
    A run waiting on a worker that left fails with ``UnavailableError`` naming the task
    within :data:`POLL_SECONDS` of the scheduler noticing; runs that need that task
    then fail at once, others go on. A worker joining under the lost one's name
    replaces it: the next run uses it, its containers empty, as after a TF server
    restart. A task once seen in this process stays the cluster's while it is down: a
    new session waits up to :data:`DEVICE_WAIT_SECONDS` for it (as TF's session
    creation waits for its workers; a monitored session recovering from a lost task
    retries without spinning), then lists its device and places ops on it, runs
    needing it failing at once until it is back. A failed run cancels its futures and
    ends its stages still running.
Leases
    A background thread renews the session's leases on the workers it has used every
    :data:`~.worker.LEASE_RENEW_SECONDS`; ``close()`` drops the session's state there.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
import uuid
import weakref

from ..errors import (
    DeadlineExceededError,
    InternalError,
    InvalidArgumentError,
    OpError,
    UnavailableError,
)
from ..execution import ExecutionState
from ..executor import OpRecord, check_fetches
from ..graph_def import graph_def_of
from ..ops.script_ops import _functions
from .cluster import devices_of, parse_target, tasks_of, unavailable
from .partition import fetched_tensors, plan_stages
from .worker import (
    LEASE_RENEW_SECONDS,
    STAGE_KEY_PREFIX,
    RunHeader,
    cancel_run,
    drop_session,
    renew,
    run_stage,
)

POLL_SECONDS = 0.2  # how often a waiting run looks at the cluster and its deadline
DEVICE_WAIT_SECONDS = 60.0  # how long a new session waits for its cluster's tasks
_logger = logging.getLogger("runtime")
_expected_tasks: dict = {}  # target -> the tasks its cluster has (registered by servers)
_seen_tasks: dict = {}  # scheduler id -> {task: (address, details)} ever seen in this process
_clients: dict = {}  # scheduler address -> (the Client its sessions share, their number)
_clients_lock = threading.Lock()


def expect_tasks(target: str, tasks) -> None:
    """Make sessions on ``target`` wait for ``tasks`` to join (``tf.train.Server``)."""
    _expected_tasks[target] = frozenset(tasks)


def connect(target, timeout: str = "10s"):
    """``(client, master task)`` for a ``dask://`` target or a ``Client``.

    Sessions on one scheduler share one ``Client`` (a session costs no connection);
    each :func:`connect` is matched by a :func:`release`, and the last one closes it.
    """
    if not isinstance(target, str):
        return target, None
    from distributed import Client

    address, master = parse_target(target)
    with _clients_lock:
        client, users = _clients.get(address, (None, 0))
        if client is None or client.status not in ("running", "connecting"):
            try:
                client = Client(address, set_as_default=False, timeout=timeout)
            except OSError as err:
                raise UnavailableError(
                    None, None, f"Cannot reach the Dask scheduler at {address}: {err}"
                ) from None
        _clients[address] = (client, users + 1)
    return client, master


def release(client) -> None:
    """Let go of a client :func:`connect` gave; the last user closes it."""
    with _clients_lock:
        for address, (shared, users) in list(_clients.items()):
            if shared is client:
                if users > 1:
                    _clients[address] = (shared, users - 1)
                    return
                del _clients[address]
                break
        else:
            return  # a Client the user passed as the target: theirs to close
    client.close()


@dataclasses.dataclass(eq=False)
class _Cut:
    """A plan's stages and what the client does with their results."""

    stages: list
    gathered: list  # stages holding fetched values (all of them when hooks listen)
    fetched: dict  # name -> root slot of each fetched tensor
    feeds: dict  # name -> root slot of each fed tensor
    steps: dict  # op name -> the step hooks see (with the device it ran on)


@dataclasses.dataclass(frozen=True)
class RemoteIteration:
    """Where an op ran on a worker, as a hook sees it (``runtime.execution.Iteration``'s
    ``path``, ``number`` and ``frame``)."""

    path: tuple
    frame: object

    @property
    def number(self) -> int:
        return self.path[-1][1] if self.path else 0


class DaskEngine:
    """The engine of sessions whose target is ``dask://...`` or a ``distributed.Client``."""

    @staticmethod
    def accepts(target) -> bool:
        return type(target).__module__.startswith("distributed") and hasattr(target, "submit")

    def __init__(self, session):
        self._client, self._master = connect(session.target)
        self._session = session
        self._session_id = uuid.uuid4().hex[:16]  # as TF prints a session handle
        self._isolate = session.config.isolate_session_state
        self._lock = threading.Lock()
        # Tasks seen here before stay the cluster's while they are down (as a TF cluster
        # spec names a task that is down): a new session waits a while for them, as
        # TF's session creation waits for its workers, then places ops on them anyway;
        # runs needing them fail with UnavailableError until they are back.
        try:
            seen = _seen_tasks.setdefault(self._client.scheduler_info()["id"], {})
            current = self._wait_for_tasks(session.target, set(seen))
        except BaseException:
            release(self._client)
            raise
        seen.update(current)
        self._tasks = dict(seen)
        self._lost: set = set(seen) - set(current)
        self._used: set = set()  # addresses holding this session's state
        self._payloads: dict = {}  # worker address -> future of the graph's payload
        self._payload_data = None
        self._payload_version = None
        self._cuts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._closed = threading.Event()
        self._renewer = None
        self._active = threading.Condition(self._lock)  # runs waiting on the cluster
        self._running = 0

    # -- the cluster ----------------------------------------------------------------

    def _scheduler_tasks(self) -> dict:
        return tasks_of(self._client.scheduler_info()["workers"])

    def _wait_for_tasks(self, target, seen: set) -> dict:
        """The cluster's tasks, once those a local server expects and those seen before
        have joined (or :data:`DEVICE_WAIT_SECONDS` have passed: a task a server expects
        and never seen is then an error, a task seen before is lost for now)."""
        expected = _expected_tasks.get(target, frozenset()) if isinstance(target, str) else ()
        deadline = time.monotonic() + DEVICE_WAIT_SECONDS
        while True:
            tasks = self._scheduler_tasks()
            missing = sorted((set(expected) | seen) - set(tasks))
            if not missing:
                return tasks
            if time.monotonic() > deadline:
                never_seen = sorted(set(missing) - seen)
                if never_seen:
                    raise UnavailableError(
                        None, None, f"The cluster's tasks {never_seen} did not join in time."
                    )
                return tasks
            _logger.info("Session waiting for tasks %s to join the cluster", missing)
            time.sleep(0.1)

    def devices(self) -> list:
        return devices_of(self._tasks, self._master)

    def _addresses(self, tasks) -> dict:
        """The worker of each task; ``UnavailableError`` for a task with none."""
        with self._lock:
            known = self._tasks
            doubtful = (tasks & self._lost) or (tasks - set(known))
        if doubtful:  # a replacement may have joined since
            known = self._scheduler_tasks()
            with self._lock:
                self._tasks = {**self._tasks, **known}
                self._lost -= set(known)
            for task in sorted(tasks):
                if task not in known:
                    raise unavailable(task, self._tasks.get(task, ("?",))[0])
        return {task: known[task][0] for task in tasks}

    def _check_alive(self, addresses: dict) -> None:
        """``UnavailableError`` if a worker of this run has left the cluster."""
        live = {address for address, _ in self._scheduler_tasks().values()}
        for task, address in sorted(addresses.items()):
            if address not in live:
                with self._lock:
                    self._lost.add(task)
                raise unavailable(task, address)

    # -- a run ----------------------------------------------------------------------

    def execute(self, plan, values, run, sequential) -> None:
        cut = self._cut(plan, bool(run.hooks))
        addresses = self._addresses({stage.task for stage in cut.stages})
        for hook in run.hooks:
            hook.on_start(plan)
        error = None
        try:
            with run:  # the session's close() cancels it
                results = self._run(cut, addresses, values, run)
            for (sent, _), stage in zip(results, cut.gathered):
                for name in stage.outputs:
                    if name in cut.fetched:
                        values[cut.fetched[name]] = sent[name]
            if plan.control_flow:
                check_fetches(ExecutionState(plan, values))
            if run.hooks:
                self._replay(plan, cut, results, run.hooks)
        except BaseException as err:
            error = err
            raise
        finally:
            for hook in run.hooks:
                hook.on_finish(plan, error)

    def _cut(self, plan, hooked: bool) -> _Cut:
        cut = self._cuts.get(plan)
        if cut is None:
            stages = plan_stages(plan)
            fetched = {t.name: s for t, s in fetched_tensors(plan).items()}
            steps = {}
            device = {op: stage.device for stage in stages for op in stage.ops}
            for step in plan.steps:
                name = step.op.name
                moved = device[name] != step.device
                steps[name] = dataclasses.replace(step, device=device[name]) if moved else step
            gathered = [s for s in stages if any(n in fetched for n in s.outputs)]
            feeds = {t.name: s for t, s in plan.feed_slots.items()}
            cut = self._cuts[plan] = _Cut(stages, gathered, fetched, feeds, steps)
        if hooked and len(cut.gathered) != len(cut.stages):
            return dataclasses.replace(cut, gathered=cut.stages)
        return cut

    def _run(self, cut: _Cut, addresses: dict, values: list, run) -> list:
        import dask
        from dask._expr import LLGExpr
        from dask._task_spec import Task, TaskRef, parse_input

        plan_feeds = {name: values[slot] for name, slot in cut.feeds.items()}
        run_id = uuid.uuid4().hex
        deadline = run.cancellation.deadline
        timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
        payloads, version = self._graph_payloads(set(addresses.values()))
        header = RunHeader(
            self._session_id, version, run_id, timeout, bool(run.hooks), self._isolate
        )
        keys: dict = {}
        graph: dict = {}
        where: dict = {}
        for stage in cut.stages:
            key = keys[stage.key] = f"{STAGE_KEY_PREFIX}{run_id}-{stage.key}"
            feeds = {i.name: plan_feeds[i.name] for i in stage.inputs if i.name in plan_feeds}
            upstream = [TaskRef(keys[k]) for k in stage.depends]
            payload = payloads[addresses[stage.task]]
            graph[key] = Task(key, run_stage, header, payload, stage, parse_input(feeds), *upstream)
            where[key] = [addresses[stage.task]]
        with self._lock:
            self._used.update(addresses.values())
        self._start_renewing()
        with dask.annotate(workers=where.get, allow_other_workers=False):
            # A run's graph is new every time: name it by the run, not by hashing it.
            expr = LLGExpr(graph, _determ_token=run_id)
            futures = self._client.get(expr, list(graph), sync=False)
        with self._lock:
            self._running += 1
        try:
            self._wait(futures, cut, addresses, run)
            by_key = dict(zip(graph, futures))
            return self._client.gather([by_key[keys[s.key]] for s in cut.gathered])
        except BaseException:
            self._abandon(futures, run_id, addresses)
            raise
        finally:
            with self._lock:
                self._running -= 1
                self._active.notify_all()

    def _wait(self, futures, cut, addresses, run) -> None:
        from distributed import wait
        from distributed.client import FuturesCancelledError

        stage_of = dict(zip((f.key for f in futures), cut.stages))
        while True:
            try:
                with self._client.as_current():
                    wait(futures, timeout=POLL_SECONDS)
            except (TimeoutError, FuturesCancelledError):
                pass
            failed = [f for f in futures if f.status == "error"]
            if failed:
                raise self._local_error(failed[0].exception(), stage_of[failed[0].key])
            if all(f.status == "finished" for f in futures):
                return
            if run.cancellation.cancelled:  # an interrupt, or the session is closing
                raise run.cancellation.error
            self._check_alive(addresses)
            dropped = [f for f in futures if f.status in ("cancelled", "lost")]
            if dropped:  # the cluster let the run go (a lost dependency, a restart)
                raise UnavailableError(
                    None,
                    None,
                    f"The Dask cluster dropped the run's stage on task "
                    f"{stage_of[dropped[0].key].task} ({dropped[0].status}).",
                )
            if run.cancellation.expired():
                raise DeadlineExceededError(None, None, "Timed out waiting for the run to finish")

    def _abandon(self, futures, run_id, addresses) -> None:
        """Cancel what of a failed run is still pending; end its stages still running."""
        pending = [f for f in futures if f.status == "pending"]
        try:
            if pending:
                self._client.cancel(pending)
            live = {a for a, _ in self._scheduler_tasks().values()}
            workers = sorted(set(addresses.values()) & live)
            if workers:
                self._client.run(
                    cancel_run, self._session_id, run_id, workers=workers, on_error="ignore"
                )
        except Exception:  # the cluster is going: nothing is left to end
            _logger.debug("Could not cancel run %s", run_id, exc_info=True)

    def _local_error(self, error, stage) -> BaseException:
        """A worker's error as this client's: its op re-attached, or the task named."""
        if not isinstance(error, OpError):
            from distributed.scheduler import KilledWorker

            kind = UnavailableError if isinstance(error, KilledWorker | OSError) else InternalError
            return kind(
                None, None, f"Task {stage.task} failed the run: {type(error).__name__}: {error}"
            )
        name = getattr(error, "remote_op_name", None)
        graph = self._session.graph
        try:
            op = graph.get_operation_by_name(name) if name else None
        except KeyError:
            op = None
        if op is None:
            return error
        return type(error)(op.node_def, op, error.message)

    def _replay(self, plan, cut, results, hooks) -> None:
        frames = {frame.name: frame for frame in plan.frames}
        for _, records in results:
            for name, path, outputs, times in records:
                step = cut.steps[name]
                iteration = RemoteIteration(path, frames[path[-1][0]] if path else plan.root)
                record = OpRecord(*times)
                for hook in hooks:
                    hook.before_op(step, iteration)
                for hook in hooks:
                    hook.after_op(step, iteration, outputs, record)

    # -- the graph on the workers -----------------------------------------------------

    def _graph_payloads(self, addresses) -> tuple:
        """``({worker: future of (GraphDef, py_func callables)}, version)`` of the graph
        as it is now. Each worker holds its own copy (the one replica of its key, which
        Dask never moves or drops), so a stage never waits for the graph to travel."""
        graph = self._session.graph
        with self._lock:
            if self._payload_version != graph.version:
                self._payloads = {}
                self._payload_data = (graph_def_of(graph), dict(_functions(graph)))
                self._payload_version = graph.version
            for address in addresses:
                future = self._payloads.get(address)
                if future is None or future.status != "finished":
                    self._payloads[address] = self._scatter(self._payload_data, address)
            return {a: self._payloads[a] for a in addresses}, self._payload_version

    def _scatter(self, payload, address):
        try:
            [future] = self._client.scatter([payload], workers=[address], hash=False)
        except Exception as err:  # pickling a py_func, say
            raise InvalidArgumentError(
                None,
                None,
                f"The graph cannot be sent to the Dask workers: {type(err).__name__}: {err}",
            ) from err
        return future

    # -- leases and closing ------------------------------------------------------------

    def _start_renewing(self) -> None:
        if self._renewer is None:
            with self._lock:
                if self._renewer is None:
                    self._renewer = threading.Thread(
                        target=_renew_leases,
                        args=(weakref.ref(self), self._closed),
                        name="tfgraph-lease",
                        daemon=True,
                    )
                    self._renewer.start()

    def _used_workers(self) -> list:
        """The live workers holding this session's state (a call to a dead worker would
        wait for the connection timeout)."""
        live = {address for address, _ in self._scheduler_tasks().values()}
        with self._lock:
            self._used &= live
            return sorted(self._used)

    def renew_leases(self) -> None:
        workers = self._used_workers()
        if workers:
            self._client.run(renew, [self._session_id], workers=workers, on_error="ignore")

    def close(self) -> None:
        self._closed.set()
        with self._lock:  # runs cancelled by the session's close end within a poll
            self._active.wait_for(lambda: self._running == 0, timeout=10 * POLL_SECONDS)
        try:
            if self._client.status == "running":  # else the cluster is gone, or going
                workers = self._used_workers()
                if workers:
                    self._client.run(
                        drop_session, self._session_id, workers=workers, on_error="ignore"
                    )
        except Exception:  # a closed cluster holds no state to drop
            _logger.debug("Could not drop session %s", self._session_id, exc_info=True)
        release(self._client)

    @classmethod
    def reset_target(cls, target, containers) -> None:
        """``Session.reset(target, containers)``: clear ``containers`` (every container when
        ``None``) on every worker of the cluster, and close every session on it."""
        from .worker import reset

        client, _ = connect(target)
        try:
            client.run(reset, None if containers is None else list(containers))
        finally:
            release(client)


def _renew_leases(engine_ref, closed: threading.Event) -> None:
    while not closed.wait(LEASE_RENEW_SECONDS):
        engine = engine_ref()
        if engine is None:
            return
        try:
            engine.renew_leases()
        except Exception:  # the cluster may be going away; the next round tries again
            _logger.debug("Lease renewal failed", exc_info=True)
        del engine
