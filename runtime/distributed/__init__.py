"""``Session(target="dask://host:port")``: run graphs on a Dask distributed cluster.

The modules, client to worker:

- :mod:`.cluster`: what a target names, and which Dask worker is which TF task
  (``/job:ps/replica:0/task:0``) and device;
- :mod:`.local`: :func:`local_cluster`, a Dask cluster on this machine with one worker
  process per TF task;
- :mod:`.engine`: the session's engine, :class:`DaskEngine`: a run's stages go to the
  scheduler as one task graph; waiting, worker loss, hooks, leases;
- :mod:`.partition`: cutting a plan into stages (loops whole on one task);
- :mod:`.partition_graph`: a stage's own graph and plan on its worker, receives and all;
- :mod:`.worker`: what a worker keeps: containers shared by sessions, each session's
  graph, partitions and lease.
"""

from ..engines import register_engine
from .engine import DaskEngine
from .local import local_cluster

register_engine("dask", DaskEngine)

__all__ = ["DaskEngine", "local_cluster"]
