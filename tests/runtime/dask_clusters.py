"""Dask clusters for the distributed tests.

:func:`shared_cluster` is one LocalCluster of two worker processes on 127.0.0.1, made
on first use and kept for the whole test session (Dask closes it at exit): the test
modules that leave its workers as they found them share it, so the workers start
and import the runtime once. Tests that kill or retire workers make their own with
:func:`local_cluster`.
"""

from __future__ import annotations

import distributed

import runtime as tf

_shared: list = []


def local_cluster(**options) -> distributed.LocalCluster:
    """Two single-threaded worker processes on loopback, 1 GiB each, with the runtime
    imported on them."""
    settings = dict(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=":0",
        memory_limit="1GiB",
        preload=["runtime"],  # imported before a worker joins, also when its nanny restarts it
    )
    settings.update(options)
    cluster = distributed.LocalCluster(**settings)
    cluster.wait_for_workers(settings["n_workers"], timeout=120)
    return cluster


def shared_cluster() -> distributed.LocalCluster:
    """The session's shared two-worker cluster."""
    if not _shared or _shared[0].status.name != "running":
        _shared[:] = [local_cluster()]
    return _shared[0]


def target_of(cluster) -> str:
    return "dask://" + cluster.scheduler_address.split("://", 1)[1]


def run_in_process(fetches: list, feeds: dict | None = None) -> list:
    """What the client's graph of ``fetches`` computes in this process, with every device
    request dropped: TF's soft placement keeps an op on its job and task, so a graph
    pinned to a cluster's tasks runs here only as a copy without them."""
    graph = fetches[0].graph
    graph_def = graph.as_graph_def()
    for node in graph_def.node:
        node.device = ""
    with tf.Graph().as_default() as copy:
        tf.import_graph_def(graph_def, name="")
        named = {copy.get_tensor_by_name(k.name): v for k, v in (feeds or {}).items()}
        with tf.compat.v1.Session() as sess:
            return sess.run([copy.get_tensor_by_name(t.name) for t in fetches], named)
