"""A TF-shaped Dask cluster on this machine: one worker process per task.

:func:`local_cluster` starts a Dask ``SpecCluster`` whose workers are named after the
tasks of a cluster spec (``/job:ps/task:0``, ``/job:worker/task:1`` ...), each a
process under a nanny that restarts it when it dies, as a supervisor restarts a TF
server: the restarted worker comes back under its name and replaces its task.
"""

from __future__ import annotations

import logging


def local_cluster(jobs, *, threads_per_task: int = 1, memory_limit="1GiB", host="127.0.0.1"):
    """A local Dask cluster with one worker process per task of ``jobs``.

    Parameters
    ----------
    jobs : dict or ClusterSpec
        Tasks per job: ``{"ps": 1, "worker": 2}``, or a ``tf.train.ClusterSpec``
        (whose addresses are not used: Dask picks free ports).
    threads_per_task : int
        Threads of each worker.
    memory_limit : str or int
        Each worker's memory limit (its device's ``memory_limit_bytes``).
    host : str
        The interface the scheduler and workers listen on.

    Returns
    -------
    distributed.SpecCluster
        Use it as a context manager, or ``close()`` it. A session's target is
        ``"dask://" + <scheduler address without scheme>``, optionally followed by the
        task ops with no device should run on (``/job:worker/task:0``).
    """
    from distributed import Nanny, Scheduler, SpecCluster

    worker = {
        "nthreads": threads_per_task,
        "memory_limit": memory_limit,
        "host": host,
        "dashboard_address": ":0",
        "preload": ["runtime"],  # imported before the worker joins, also when restarted
        "silence_logs": logging.WARNING,  # Dask's INFO lines would fill a notebook
    }
    workers = {
        f"/job:{job}/task:{index}": {"cls": Nanny, "options": dict(worker)}
        for job, index in _tasks(jobs)
    }
    scheduler = {"cls": Scheduler, "options": {"host": host, "dashboard_address": ":0"}}
    cluster = SpecCluster(
        workers=workers, scheduler=scheduler, name="tfgraph", silence_logs=logging.WARNING
    )
    cluster.wait_for_workers(len(workers), timeout=120)
    return cluster


def _tasks(jobs) -> list:
    """``(job, index)`` of every task: a ClusterSpec's, or ``count`` per job."""
    if hasattr(jobs, "task_indices"):  # a ClusterSpec
        return [(job, index) for job in jobs.jobs for index in jobs.task_indices(job)]
    return [(job, index) for job, count in jobs.items() for index in range(count)]
