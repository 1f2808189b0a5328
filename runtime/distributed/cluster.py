"""Where a session's target points, and which Dask worker is which TF task.

Targets
    ``dask://host:port`` reaches the scheduler at ``host:port`` the way
    ``distributed.Client("host:port")`` does: with the scheme and the security settings
    of Dask's configuration (``distributed.comm.default-scheme``, ``tcp`` unless
    configured). ``dask://tls://host:port`` and ``dask://inproc://...`` name the
    scheme. A suffix ``/job:J/task:T`` names the session's own task, as the
    ``grpc://`` target of one TF server does: ops with no device run there. A
    ``distributed.Client`` is a target too (its own security and scheme).
Tasks
    A worker named ``/job:J/task:T`` (as ``tf.train.Server`` and
    :func:`runtime.distributed.local_cluster` name theirs) is task ``T`` of job
    ``J``; a worker named by an integer ``N`` (a ``LocalCluster``'s) is
    ``/job:worker/task:N``; any other worker follows, in name order, as a further task
    of ``worker``. A worker that joins under the name of a lost one replaces it.
"""

from __future__ import annotations

import hashlib
import re

from ..devices import CPU_MEMORY_LIMIT_BYTES, DeviceAttributes
from ..errors import InvalidArgumentError, UnavailableError

SCHEME = "dask://"
_TASK_NAME = re.compile(r"^/job:([A-Za-z0-9_.-]+)(?:/replica:0)?/task:(\d+)$")


def parse_target(target: str) -> tuple:
    """``(scheduler address, master task or None)`` of a ``dask://`` target.

    Examples
    --------
    >>> parse_target("dask://127.0.0.1:8786")
    ('127.0.0.1:8786', None)
    >>> parse_target("dask://tls://10.0.0.5:8786/job:worker/task:1")
    ('tls://10.0.0.5:8786', '/job:worker/replica:0/task:1')
    """
    if not target.startswith(SCHEME):
        raise InvalidArgumentError(None, None, f"Not a Dask target: {target!r}.")
    address, sep, master = target[len(SCHEME) :].partition("/job:")
    if not address:
        raise InvalidArgumentError(
            None, None, f"The target {target!r} names no scheduler: expected dask://host:port."
        )
    return address, task_name("/job:" + master) if sep else None


def task_name(name) -> str | None:
    """The task a worker name or device prefix names, canonical; ``None`` if none.

    Examples
    --------
    >>> task_name("/job:ps/task:0"), task_name(3), task_name("alpha")
    ('/job:ps/replica:0/task:0', '/job:worker/replica:0/task:3', None)
    """
    if isinstance(name, int) or (isinstance(name, str) and name.isdigit()):
        return f"/job:worker/replica:0/task:{int(name)}"
    match = _TASK_NAME.match(name) if isinstance(name, str) else None
    if match is None:
        return None
    return f"/job:{match.group(1)}/replica:0/task:{int(match.group(2))}"


def tasks_of(workers: dict) -> dict:
    """``{task: (address, details)}`` for the scheduler's ``{address: details}``.

    Examples
    --------
    >>> tasks_of({"tcp://a:1": {"name": 1}, "tcp://b:2": {"name": "zeta"},
    ...           "tcp://c:3": {"name": "/job:ps/task:0"}})
    ... # doctest: +NORMALIZE_WHITESPACE
    {'/job:worker/replica:0/task:1': ('tcp://a:1', {'name': 1}),
     '/job:ps/replica:0/task:0': ('tcp://c:3', {'name': '/job:ps/task:0'}),
     '/job:worker/replica:0/task:2': ('tcp://b:2', {'name': 'zeta'})}
    """
    named: dict = {}
    others = []
    for address, details in sorted(workers.items()):
        task = task_name(details.get("name"))
        if task is None or task in named:
            others.append((str(details.get("name", "")), address, details))
        else:
            named[task] = (address, details)
    workers_job = [_index(t) for t in named if t.startswith("/job:worker/")]
    index = max(workers_job, default=-1) + 1
    for _, address, details in sorted(others, key=lambda item: item[:2]):
        named[f"/job:worker/replica:0/task:{index}"] = (address, details)
        index += 1
    return named


def _index(task: str) -> int:
    return int(task.rsplit(":", 1)[1])


def _order(task: str) -> tuple:
    job = task.split("/", 2)[1]
    return job, _index(task)


def devices_of(tasks: dict, master: str | None) -> list:
    """The session's devices: one CPU per task, the master's first (ops with no device
    go to the first device), then by job and task.

    Examples
    --------
    >>> tasks = tasks_of({"tcp://a:1": {"name": 0, "memory_limit": 2**30},
    ...                   "tcp://b:2": {"name": 1, "memory_limit": 2**30}})
    >>> [d.name for d in devices_of(tasks, "/job:worker/replica:0/task:1")]
    ['/job:worker/replica:0/task:1/device:CPU:0', '/job:worker/replica:0/task:0/device:CPU:0']
    """
    ordered = sorted(tasks, key=lambda t: (t != master, _order(t)))
    return [
        DeviceAttributes(
            f"{task}/device:CPU:0",
            "CPU",
            int(tasks[task][1].get("memory_limit") or 0) or CPU_MEMORY_LIMIT_BYTES,
            incarnation(tasks[task][0]),
        )
        for task in ordered
    ]


def incarnation(address: str) -> int:
    """A device's incarnation: the same for a worker's life, new for its replacement."""
    return int.from_bytes(hashlib.blake2b(address.encode(), digest_size=8).digest(), "little") | 1


def unavailable(task: str, address: str, why: str = "it has left the Dask cluster") -> Exception:
    return UnavailableError(None, None, f"Task {task} (worker {address}) is unavailable: {why}.")
