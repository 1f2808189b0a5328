"""TF1's cluster API on Dask: ``tf.train.ClusterSpec`` and ``tf.distribute.Server``.

A ``ClusterSpec`` names the tasks of a cluster by job (``{"ps": [...], "worker":
[...]}``), as in TF. A ``Server`` is one task of such a cluster, in this process, made
of Dask parts instead of gRPC ones:

- the server of the cluster's *first* task (the first job in name order, its lowest
  index) also hosts the cluster's Dask scheduler, listening at that task's address;
- every server runs a Dask worker named after its task (``/job:ps/task:0``), which
  joins the scheduler; the worker's address is the task's address, except for the
  first task's (the scheduler has it), whose worker takes a free port;
- ``server.target`` is ``dask://<scheduler>/job:<job>/task:<index>``: a session on it
  reaches the whole cluster, and ops with no device run on this server's task, as
  with the ``grpc://`` target of a TF server. Such a session waits (up to a minute)
  for every task of the spec to join.

``Server.create_local_server()`` is TF's: one task, ``/job:localhost/task:0``, on
loopback (scheduler and worker on free ports). ``join()`` blocks until the server
stops; ``stop()`` (not in TF, whose servers stop with their process) takes the task
out of the cluster. A task's state lives in its worker's containers: what a session
leaves there, the next session on the cluster sees (see :mod:`runtime.distributed`).
Protocols: ``"grpc"`` (TF's default) and ``"tcp"`` are Dask's ``tcp``; ``"tls"``
takes Dask's security configuration (``distributed.comm.tls.*``). A server's ``config``
is kept in its ``server_def`` (``default_session_config``); sessions on its target use
their own ``ConfigProto``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading

from ..config import ConfigProto

__all__ = ["ClusterDef", "ClusterSpec", "JobDef", "Server", "ServerDef"]

_SCHEMES = {"grpc": "tcp", "tcp": "tcp", "tls": "tls"}


def _block(name: str, text: str) -> list:
    """A text-format message field: ``name {``, ``text`` indented, ``}``."""
    return [f"{name} {{", *(f"  {line}" for line in text.splitlines()), "}"]


@dataclasses.dataclass
class JobDef:
    """One job of a ``ClusterDef``: its name and ``{task index: address}``.

    Prints as TF's text format, tasks by index.

    Examples
    --------
    >>> print(JobDef("ps", {0: "p:1"}), end="")
    name: "ps"
    tasks {
      key: 0
      value: "p:1"
    }
    """

    name: str = ""
    tasks: dict = dataclasses.field(default_factory=dict)

    def __str__(self) -> str:
        lines = [f'name: "{self.name}"'] if self.name else []
        for index, address in sorted(self.tasks.items()):
            lines += _block("tasks", f'key: {index}\nvalue: "{address}"')
        return "".join(f"{line}\n" for line in lines)


@dataclasses.dataclass
class ClusterDef:
    """A cluster as data (TF's ``tf.train.ClusterDef``): its jobs, by name order.

    Prints as TF's text format (an empty cluster as ``""``).

    Examples
    --------
    >>> print(ClusterDef([JobDef("ps", {0: "p:1"})]), end="")
    job {
      name: "ps"
      tasks {
        key: 0
        value: "p:1"
      }
    }
    """

    job: list = dataclasses.field(default_factory=list)

    def __str__(self) -> str:
        lines = [line for job in self.job for line in _block("job", str(job))]
        return "".join(f"{line}\n" for line in lines)


@dataclasses.dataclass
class ServerDef:
    """What a server is (TF's ``tf.train.ServerDef``); prints as TF's text format.

    Examples
    --------
    >>> print(ServerDef(ClusterSpec({"local": ["localhost:0"]}).as_cluster_def(), "local"))
    cluster {
      job {
        name: "local"
        tasks {
          key: 0
          value: "localhost:0"
        }
      }
    }
    job_name: "local"
    protocol: "grpc"
    <BLANKLINE>
    """

    cluster: ClusterDef = dataclasses.field(default_factory=ClusterDef)
    job_name: str = ""
    task_index: int = 0
    default_session_config: ConfigProto = dataclasses.field(default_factory=ConfigProto)
    protocol: str = "grpc"

    def __str__(self) -> str:
        lines = [*_block("cluster", str(self.cluster)), f'job_name: "{self.job_name}"']
        if self.task_index:
            lines.append(f"task_index: {self.task_index}")
        lines.append(f'protocol: "{self.protocol}"')
        return "\n".join(lines) + "\n"


class ClusterSpec:
    """A cluster as a set of tasks organised into jobs.

    Parameters
    ----------
    cluster : dict, ClusterDef or ClusterSpec
        ``{job: [address, ...]}`` (dense task indices) or ``{job: {index: address}}``
        (sparse).

    Examples
    --------
    >>> spec = ClusterSpec({"worker": ["w0:2222", "w1:2222"], "ps": {1: "ps1:2222"}})
    >>> spec.jobs, spec.num_tasks("worker"), spec.task_address("worker", 1)
    (['worker', 'ps'], 2, 'w1:2222')
    >>> spec.as_dict()
    {'worker': ['w0:2222', 'w1:2222'], 'ps': {1: 'ps1:2222'}}
    >>> spec.job_tasks("ps")
    [None, 'ps1:2222']
    """

    def __init__(self, cluster):
        if isinstance(cluster, dict):
            self._spec = {}
            for job, tasks in cluster.items():
                if isinstance(tasks, list | tuple):
                    self._spec[job] = dict(enumerate(tasks))
                elif isinstance(tasks, dict):
                    self._spec[job] = {int(i): address for i, address in tasks.items()}
                else:
                    raise TypeError(
                        f"The tasks for job {job!r} must be a list or a dictionary from "
                        "integers to strings."
                    )
        elif isinstance(cluster, ClusterDef):
            self._spec = {job.name: dict(job.tasks) for job in cluster.job}
        elif isinstance(cluster, ClusterSpec):
            self._spec = {job: dict(tasks) for job, tasks in cluster._spec.items()}
        else:
            raise TypeError(
                "`cluster` must be a dictionary mapping one or more job names to lists of "
                "network addresses, or a `ClusterDef` protocol buffer"
            )
        for job, tasks in self._spec.items():
            if not isinstance(job, str | bytes):
                raise TypeError(f"Job name {job!r} must be bytes or unicode")
            for address in tasks.values():
                if not isinstance(address, str | bytes):
                    raise TypeError(f"Task address {address!r} must be bytes or unicode")

    def __bool__(self) -> bool:
        return bool(self._spec)

    def __eq__(self, other) -> bool:
        return self._spec == (other._spec if isinstance(other, ClusterSpec) else other)

    def __ne__(self, other) -> bool:
        return not self == other

    __hash__ = None

    def __repr__(self) -> str:
        items = self.as_dict()
        return "ClusterSpec({" + ", ".join(f"{k!r}: {items[k]!r}" for k in sorted(items)) + "})"

    @property
    def jobs(self) -> list:
        """The job names, in the order they were given."""
        return list(self._spec)

    def _job(self, job_name: str) -> dict:
        try:
            return self._spec[job_name]
        except KeyError:
            raise ValueError(f"No such job in cluster: {job_name!r}") from None

    def num_tasks(self, job_name: str) -> int:
        return len(self._job(job_name))

    def task_indices(self, job_name: str) -> list:
        return sorted(self._job(job_name))

    def task_address(self, job_name: str, task_index: int) -> str:
        job = self._job(job_name)
        try:
            return job[task_index]
        except KeyError:
            raise ValueError(f"No task with index {task_index!r} in job {job_name!r}") from None

    def job_tasks(self, job_name: str) -> list:
        """Addresses by task index; ``None`` where a sparse job has no task."""
        job = self._job(job_name)
        tasks = [None] * (max(job) + 1)
        for index, address in job.items():
            tasks[index] = address
        return tasks

    def as_dict(self) -> dict:
        """Jobs to address lists (dense jobs) or ``{index: address}`` (sparse ones)."""
        out = {}
        for job in self.jobs:
            indices = self.task_indices(job)
            if not indices:
                out[job] = {}
            elif max(indices) + 1 == len(indices):
                out[job] = self.job_tasks(job)
            else:
                out[job] = {i: self.task_address(job, i) for i in indices}
        return out

    def as_cluster_def(self) -> ClusterDef:
        return ClusterDef(
            [JobDef(job, dict(sorted(self._spec[job].items()))) for job in sorted(self._spec)]
        )


def _server_def(server_or_cluster_def, job_name, task_index, protocol, config) -> ServerDef:
    if isinstance(server_or_cluster_def, ServerDef):
        server_def = dataclasses.replace(server_or_cluster_def)
        if job_name is not None:
            server_def.job_name = job_name
        if task_index is not None:
            server_def.task_index = task_index
        if protocol is not None:
            server_def.protocol = protocol
    else:
        try:
            spec = ClusterSpec(server_or_cluster_def)
        except TypeError:
            raise TypeError(
                "Could not convert `server_or_cluster_def` to a `tf.train.ServerDef` or "
                "`tf.train.ClusterSpec`."
            ) from None
        if job_name is None:
            if len(spec.jobs) != 1:
                raise ValueError("Must specify an explicit `job_name`.")
            job_name = spec.jobs[0]
        if task_index is None:
            indices = spec.task_indices(job_name)
            if len(indices) != 1:
                raise ValueError("Must specify an explicit `task_index`.")
            task_index = indices[0]
        server_def = ServerDef(
            spec.as_cluster_def(), job_name, task_index, protocol=protocol or "grpc"
        )
    if config is not None:
        server_def.default_session_config = config
    if server_def.protocol not in _SCHEMES:
        raise ValueError(
            f"Unknown protocol {server_def.protocol!r}: expected one of {sorted(_SCHEMES)}."
        )
    return server_def


class Server:
    """One task of a cluster, in this process: a Dask worker (and, for the cluster's
    first task, its scheduler). See the module docstring.

    Examples
    --------
    >>> import runtime as tf
    >>> server = tf.train.Server.create_local_server()
    >>> server.target.startswith("dask://") and server.target.endswith("/job:localhost/task:0")
    True
    >>> with tf.Graph().as_default():
    ...     total = tf.constant(2.0) + 3.0
    ...     with tf.Session(server.target) as sess:
    ...         print(sess.run(total), sess.list_devices()[0].name)
    5.0 /job:localhost/replica:0/task:0/device:CPU:0
    >>> server.stop()
    """

    def __init__(
        self,
        server_or_cluster_def,
        job_name=None,
        task_index=None,
        protocol=None,
        config=None,
        start=True,
    ):
        self._server_def = _server_def(
            server_or_cluster_def, job_name, task_index, protocol, config
        )
        self._loop = None
        self._worker = None
        self._scheduler = None
        self._target = None
        if start:
            self.start()

    @property
    def server_def(self) -> ServerDef:
        return self._server_def

    @property
    def target(self) -> str:
        """The target of a ``Session`` on this server (``dask://host:port/job:J/task:T``)."""
        if self._target is None:
            raise RuntimeError("The server has not been started: call start() first.")
        return self._target

    def _task(self) -> tuple:
        return self._server_def.job_name, self._server_def.task_index

    def start(self) -> None:
        """Start the task's worker (and the cluster's scheduler, on its first task)."""
        if self._worker is not None:
            return
        from ..distributed.engine import expect_tasks

        spec = ClusterSpec(self._server_def.cluster)
        job, index = self._task()
        first = min((j, i) for j in spec.jobs for i in spec.task_indices(j))
        scheme = _SCHEMES[self._server_def.protocol]
        host, port = _host_port(spec.task_address(job, index))
        self._loop = asyncio.new_event_loop()
        threading.Thread(
            target=self._loop.run_forever, name=f"tfgraph-server-{job}-{index}", daemon=True
        ).start()
        if (job, index) == first:
            scheduler_address = self._call(self._start_scheduler(scheme, host, port))
            port = 0
        else:
            first_host, first_port = _host_port(spec.task_address(*first))
            if not first_port:
                raise ValueError(
                    f"Task /job:{first[0]}/task:{first[1]} hosts the cluster's scheduler: its "
                    "address needs a port for the other tasks to reach it."
                )
            scheduler_address = f"{scheme}://{first_host}:{first_port}"
        self._worker = self._call(self._start_worker(scheduler_address, scheme, host, port))
        self._target = f"dask://{scheduler_address.split('://', 1)[1]}/job:{job}/task:{index}"
        expect_tasks(
            self._target,
            [f"/job:{j}/replica:0/task:{i}" for j in spec.jobs for i in spec.task_indices(j)],
        )

    async def _start_scheduler(self, scheme, host, port) -> str:
        from distributed import Scheduler

        self._scheduler = await Scheduler(
            host=host, port=port, protocol=scheme, dashboard=False, dashboard_address=":0"
        )
        return self._scheduler.address

    async def _start_worker(self, scheduler_address, scheme, host, port):
        from distributed import Worker

        job, index = self._task()
        return await Worker(
            scheduler_address,
            name=f"/job:{job}/task:{index}",
            nthreads=2,
            host=host,
            port=port or None,
            protocol=scheme,
            memory_limit=0,
        )

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def join(self) -> None:
        """Block until the server stops (TF's blocks forever)."""
        if self._worker is None:
            raise RuntimeError("The server has not been started: call start() first.")
        self._call(self._worker.finished())

    def stop(self) -> None:
        """Take this task out of the cluster (its worker, and the scheduler it hosts)."""
        if self._worker is None:
            return
        worker, scheduler, self._worker, self._scheduler = self._worker, self._scheduler, None, None
        self._call(worker.close())
        if scheduler is not None:
            self._call(scheduler.close())
        self._loop.call_soon_threadsafe(self._loop.stop)

    @staticmethod
    def create_local_server(config=None, start=True) -> Server:
        """A one-task cluster on this host: ``/job:localhost/task:0`` on loopback."""
        return Server({"localhost": ["localhost:0"]}, protocol="grpc", config=config, start=start)


def _host_port(address: str) -> tuple:
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"A task's address must be host:port, got {address!r}.")
    return ("127.0.0.1" if host == "localhost" else host), int(port)
