"""``Session(target="dask://host:port")``: run graphs on a Dask distributed cluster.

Devices
    Each worker of the cluster is a task of the job ``worker``, in a stable order
    (sorted by worker name, then address): ``/job:worker/replica:0/task:N/device:CPU:0``,
    with the worker's memory limit. The session's ordinary placer assigns ops to them,
    so ``tf.device("/job:worker/task:1")``, soft placement and
    ``log_device_placement`` work as locally; unplaced ops go to task 0.
Partitions
    A run's plan is cut into *stages*: maximal runs of ops on one task that need no
    value from another task in between. Stage ``(task, level)`` holds the ops whose
    inputs come from its own task at the same level or from lower levels, so stages
    form a DAG. Each stage is a Dask task pinned to its worker; it runs its ops with
    the same plan builder and executor as the in-process engine. Tensors crossing
    tasks are handed over as Dask futures, so they move worker to worker; only
    fetched values come back to the client.
State
    Each worker keeps, per session, the graph (shipped once per graph version as a
    GraphDef) and a ``ResourceManager``: variables and queues live on their worker
    between runs. ``close()`` drops them.
Faults
    A worker that leaves the cluster fails the run with ``UnavailableError`` naming
    the task, within about a second, and every later run says so at once. A failing
    stage rolls back its own journal; stages that already finished on other workers
    keep their effects (there is no cross-worker transaction).
"""

from __future__ import annotations

import dataclasses
import time
import uuid

import numpy as np

from .devices import DeviceAttributes
from .engines import register_engine
from .errors import (
    CancelledError,
    DeadlineExceededError,
    InvalidArgumentError,
    OpError,
    UnavailableError,
)
from .executor import RunContext, run_plan
from .graph import Graph
from .graph_def import GraphDef
from .plan import build_plan
from .resources import ResourceManager
from .tracing import StepStatsCollector

_POLL_SECONDS = 0.2


@dataclasses.dataclass(frozen=True)
class Stage:
    """One partition of a run: ops on one task, run as one Dask task."""

    task: int
    level: int
    ops: tuple  # op names, in plan order
    inputs: tuple  # tensor names produced elsewhere (other stages or feeds)
    outputs: tuple  # tensor names needed by other stages or fetched


def plan_stages(plan, task_of_device) -> list:
    """Cut ``plan`` into stages (see the module docstring), in dependency order.

    Examples
    --------
    >>> import runtime as tf
    >>> from runtime.plan import build_plan
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     a = tf.constant(1.0, name="a")
    ...     b = tf.negative(a, name="b")
    ...     c = tf.negative(b, name="c")
    >>> where = {g.get_operation_by_name("b"): "/job:worker/replica:0/task:1/device:CPU:0"}
    >>> placement = {op: where.get(op, "/job:worker/replica:0/task:0/device:CPU:0")
    ...              for op in g.get_operations()}
    >>> plan = build_plan([c], [], [], placement)
    >>> [(s.task, s.ops) for s in plan_stages(plan, lambda d: int(d.split("task:")[1][0]))]
    [(0, ('a',)), (1, ('b',)), (0, ('c',))]
    """
    stage_of: dict = {}
    members: dict = {}
    for step in plan.steps:
        task = task_of_device(step.device)
        level = 0
        for producer in _producers(step, stage_of):
            p_task, p_level = stage_of[producer]
            level = max(level, p_level + (0 if p_task == task else 1))
        stage_of[step.op] = (task, level)
        members.setdefault((task, level), []).append(step.op)
    return [_stage(key, ops, stage_of, plan) for key, ops in _ordered(members)]


def _producers(step, stage_of) -> list:
    ops = [t.op for t in step.op.inputs] + list(step.op.control_inputs)
    return [op for op in ops if op in stage_of]


def _ordered(members: dict) -> list:
    return sorted(members.items(), key=lambda item: (item[0][1], item[0][0]))


def _stage(key, ops, stage_of, plan) -> Stage:
    inside = set(ops)
    inputs = {t.name for op in ops for t in op.inputs if t.op not in inside}
    fetched = set(plan.fetch_slots)
    outputs = set()
    for op in ops:
        for tensor in op.outputs:
            read_elsewhere = any(c in stage_of and c not in inside for c in tensor.consumers())
            if read_elsewhere or plan.slot_of.get(tensor) in fetched:
                outputs.add(tensor.name)
    return Stage(
        key[0], key[1], tuple(op.name for op in ops), tuple(sorted(inputs)), tuple(sorted(outputs))
    )


# -- the worker side ------------------------------------------------------------------

_worker_sessions: dict = {}


class _WorkerSession:
    """A session's state on one worker: its graph and its resources."""

    def __init__(self):
        self.version = None
        self.graph = None
        self.resources = ResourceManager()

    def graph_for(self, version: int, graph_json: str) -> Graph:
        if self.version != version:
            from .importer import import_graph_def

            graph = Graph()
            with graph.as_default():
                import_graph_def(GraphDef.from_json(graph_json), name="")
            self.graph, self.version = graph, version
        return self.graph


def run_stage(
    session_id, version, graph_json, stage: Stage, device, deadline_s, trace, feeds, *upstream
):
    """Run one stage on this worker; returns ``{"values": ..., "stats": ...}``."""
    state = _worker_sessions.setdefault(session_id, _WorkerSession())
    graph = state.graph_for(version, graph_json)
    available = dict(feeds)
    for result in upstream:
        available.update(result["values"])
    feed_tensors = {graph.get_tensor_by_name(name): available[name] for name in stage.inputs}
    ops = [graph.get_operation_by_name(name) for name in stage.ops]
    fetches = [graph.get_tensor_by_name(name) for name in stage.outputs]
    plan = build_plan(fetches, [], list(feed_tensors), {op: device for op in ops}, ops=ops)
    values = plan.initial_values(feed_tensors)
    collector = StepStatsCollector() if trace else None
    deadline = time.monotonic() + deadline_s if deadline_s is not None else None
    run = RunContext(
        state.resources, hooks=() if collector is None else (collector,), deadline=deadline
    )
    run_plan(plan, values, run, sequential=True)
    result = {name: values[plan.slot_of[t]] for name, t in zip(stage.outputs, fetches)}
    stats = collector.step_stats().dev_stats if collector is not None else []
    return {"values": result, "stats": stats}


def _portable(value, name: str):
    """A value that can leave this worker: references (variables) go as their value."""
    if hasattr(value, "read"):
        value = value.read()
    if not isinstance(value, np.ndarray | np.generic | bytes):
        raise InvalidArgumentError(
            None,
            None,
            f"Tensor {name} holds a {type(value).__name__}, which cannot leave its worker; "
            "place the ops that use it on the same task.",
        )
    return value


def _stats_of(result: dict) -> list:
    return result["stats"]


def _pick(result: dict, names: list) -> dict:
    """The fetched values of a stage's result, on its worker, ready to leave it."""
    return {
        "values": {name: _portable(result["values"][name], name) for name in names},
        "stats": [],
    }


def _drop_session(session_id: str) -> None:
    state = _worker_sessions.pop(session_id, None)
    if state is not None:
        state.resources.clear()


def _reset_containers(containers) -> None:
    for state in _worker_sessions.values():
        state.resources.clear(containers)


# -- the client side ------------------------------------------------------------------


class DaskEngine:
    """The engine of sessions whose target is ``dask://host:port`` or a ``Client``."""

    @staticmethod
    def accepts(target) -> bool:
        return type(target).__module__.startswith("distributed") and hasattr(target, "submit")

    def __init__(self, session):
        from distributed import Client

        target = session.target
        if isinstance(target, str):
            address = "tcp://" + target.split("://", 1)[1]
            try:
                self._client = Client(address, set_as_default=False, timeout="10s")
            except OSError as err:
                raise UnavailableError(
                    None, None, f"Cannot reach the Dask scheduler at {address}: {err}"
                ) from None
            self._owns_client = True
        else:
            self._client, self._owns_client = target, False
        self._session = session
        self._session_id = uuid.uuid4().hex
        self._workers = self._sorted_workers()
        self._lost: set = set()
        self._graph_future = None
        self._graph_version = None

    def _sorted_workers(self) -> list:
        info = self._client.scheduler_info()["workers"]
        ordered = sorted(info.items(), key=lambda item: (str(item[1].get("name", "")), item[0]))
        return [(address, details) for address, details in ordered]

    def devices(self) -> list:
        return [
            DeviceAttributes(
                f"/job:worker/replica:0/task:{task}/device:CPU:0",
                "CPU",
                int(details.get("memory_limit") or 0),
                abs(hash((self._session_id, address))) | 1,
            )
            for task, (address, details) in enumerate(self._workers)
        ]

    def _task_of(self, device: str) -> int:
        return int(device.split("/task:", 1)[1].split("/", 1)[0])

    def _live_addresses(self) -> set:
        return set(
            self._client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.workers))
        )

    def _check_alive(self, tasks, ask: bool = True) -> None:
        """Raise ``UnavailableError`` for a lost task; ``ask=False`` trusts what is known."""
        if ask:
            live = self._live_addresses()
            self._lost.update(task for task in tasks if self._workers[task][0] not in live)
        lost = sorted(self._lost & set(tasks)) or sorted(self._lost)
        if lost:
            task = lost[0]
            raise UnavailableError(
                None,
                None,
                f"Task /job:worker/replica:0/task:{task} (worker {self._workers[task][0]}) is "
                "unavailable: it has left the Dask cluster.",
            )

    def _graph(self):
        graph = self._session.graph
        if self._graph_version != graph.version:
            text = graph.as_graph_def().to_json()
            self._graph_future = self._client.scatter(text, broadcast=True, hash=False)
            self._graph_version = graph.version
        return self._graph_future

    def execute(self, plan, values, run, sequential) -> None:
        stages = plan_stages(plan, self._task_of)
        # A worker lost earlier fails the run at once; new losses show while waiting.
        self._check_alive({stage.task for stage in stages}, ask=False)
        collector = next((h for h in run.hooks if isinstance(h, StepStatsCollector)), None)
        futures = self._submit(plan, values, stages, run, collector is not None)
        fetch_futures = self._fetch_futures(plan, futures, stages)
        self._wait(
            list({f.key: f for f in [*futures.values(), *fetch_futures.values()]}.values()),
            run,
            stages,
        )
        graph = self._session.graph
        results = self._client.gather(list(fetch_futures.values()))
        for result in results:
            for name, value in result["values"].items():
                values[plan.slot_of[graph.get_tensor_by_name(name)]] = value
        if collector is not None:
            stats = [
                self._client.submit(
                    _stats_of,
                    future,
                    workers=[self._workers[stage.task][0]],
                    allow_other_workers=False,
                    pure=False,
                )
                for stage, future in futures.items()
            ]
            for dev_stats_list in self._client.gather(stats):
                for dev_stats in dev_stats_list:
                    collector.add_device_stats(dev_stats)

    def _submit(self, plan, values, stages, run, trace) -> dict:
        graph_future = self._graph()
        by_name = {t.name: slot for t, slot in plan.feed_slots.items()}
        producer = {}
        futures = {}
        deadline = run.cancellation.deadline
        for stage in stages:
            feeds = {n: values[by_name[n]] for n in stage.inputs if n in by_name}
            upstream = self._upstream(stage, futures, producer, by_name)
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            futures[stage] = self._client.submit(
                run_stage,
                self._session_id,
                self._graph_version,
                graph_future,
                stage,
                f"/job:worker/replica:0/task:{stage.task}/device:CPU:0",
                remaining,
                trace,
                feeds,
                *upstream,
                workers=[self._workers[stage.task][0]],
                allow_other_workers=False,
                pure=False,
            )
            for name in stage.outputs:
                producer[name] = stage
        return futures

    def _upstream(self, stage, futures, producer, by_name) -> list:
        """The results a stage reads: whole from its own worker (references included),
        picked down to the needed values from other workers."""
        needed: dict = {}
        for name in stage.inputs:
            if name not in by_name:
                needed.setdefault(producer[name], []).append(name)
        upstream = []
        for source, names in needed.items():
            if source.task == stage.task:
                upstream.append(futures[source])
            else:
                upstream.append(
                    self._client.submit(
                        _pick,
                        futures[source],
                        names,
                        workers=[self._workers[source.task][0]],
                        allow_other_workers=False,
                        pure=False,
                    )
                )
        return upstream

    def _fetch_futures(self, plan, futures, stages) -> dict:
        """Per stage holding fetched values, a future of just those values.

        A stage whose outputs are all fetched is gathered as is; otherwise a small task
        on its worker picks the fetched ones, so values only other workers need never
        travel through the client.
        """
        fetched = self._fetched_names(plan)
        out = {}
        for stage in stages:
            names = [name for name in stage.outputs if name in fetched]
            if not names:
                continue
            # References (variables) stay on their worker: those go through _pick.
            refs = any(name.rpartition(":")[0] in self._ref_producers(stage) for name in names)
            if len(names) == len(stage.outputs) and not refs:
                out[stage] = futures[stage]
            else:
                out[stage] = self._client.submit(
                    _pick,
                    futures[stage],
                    names,
                    workers=[self._workers[stage.task][0]],
                    allow_other_workers=False,
                    pure=False,
                )
        return out

    def _ref_producers(self, stage) -> set:
        graph = self._session.graph
        return {
            name
            for name in stage.ops
            if any(t.dtype.is_ref_dtype for t in graph.get_operation_by_name(name).outputs)
        }

    @staticmethod
    def _fetched_names(plan) -> set:
        feeds = set(plan.feed_slots.values())
        by_slot = {slot: tensor for tensor, slot in plan.slot_of.items()}
        return {by_slot[slot].name for slot in plan.fetch_slots if slot not in feeds}

    def _wait(self, futures, run, stages) -> None:
        from distributed import wait
        from distributed.client import FuturesCancelledError

        tasks = {stage.task for stage in stages}
        cancelled_at = None
        try:
            while True:
                failed = [f for f in futures if f.status == "error"]
                if failed:
                    raise self._local_error(failed[0].exception())
                if all(f.status == "finished" for f in futures):
                    return
                pending = [f for f in futures if f.status == "pending"]
                if not pending:
                    # Dependents of a failed stage are cancelled; the failure itself may
                    # reach this client a moment later.
                    cancelled_at = cancelled_at or time.monotonic()
                    if time.monotonic() - cancelled_at > 2.0:
                        self._check_alive(tasks)
                        raise UnavailableError(None, None, "The Dask cluster cancelled the run.")
                    time.sleep(0.01)
                    continue
                try:
                    with self._client.as_current():
                        wait(pending, timeout=_POLL_SECONDS, return_when="ALL_COMPLETED")
                    continue
                except (TimeoutError, FuturesCancelledError):
                    pass
                self._check_alive(tasks)
                if run.cancellation.cancelled:
                    raise run.cancellation.error
                if run.cancellation.expired():
                    raise DeadlineExceededError(
                        None, None, "Timed out waiting for the run to finish"
                    )
        except BaseException:
            # Only what still runs: cancelling settled futures upsets the scheduler.
            running = [f for f in futures if f.status == "pending"]
            if running:
                self._client.cancel(running)
            raise

    def _local_error(self, error):
        """Re-attach the failing op of this client's graph to a worker's error."""
        if not isinstance(error, OpError):
            return UnavailableError(
                None, None, f"A worker failed the run: {type(error).__name__}: {error}"
            )
        name = getattr(error, "remote_op_name", None)
        if name is None:
            return error
        op = self._session.graph.get_operation_by_name(name)
        return type(error)(op.node_def, op, error.message)

    def close(self) -> None:
        try:
            self._client.run(_drop_session, self._session_id)
        except (OSError, CancelledError, RuntimeError):
            pass  # a closed cluster holds no state to drop
        if self._owns_client:
            self._client.close()

    @classmethod
    def reset_target(cls, target, containers) -> None:
        """``Session.reset(target)``: clear ``containers`` on every worker of the cluster."""
        from distributed import Client

        client = (
            target
            if cls.accepts(target)
            else Client("tcp://" + target.split("://", 1)[1], set_as_default=False, timeout="10s")
        )
        try:
            client.run(_reset_containers, containers if containers is not None else [""])
        finally:
            if client is not target:
                client.close()


register_engine("dask", DaskEngine)
