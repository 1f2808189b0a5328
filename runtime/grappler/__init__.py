"""The graph optimizer: what a session runs ("as run") in place of the graph as written.

TF's Grappler rewrites a run's graph before executing it; this package does the same
for the in-process engine, once per plan (the session caches the result with the
plan), and keeps the user's graph untouched:

    Session._plan(fetches, feeds, targets)
      └─ optimize (optimizer.py)     the run's pruned ops → MutableGraph (mutable.py)
           ├─ cse.py                  equal ops run once
           ├─ folding.py              constant subgraphs become constants
           ├─ arithmetic.py           x * 1, x + 0, transposes that cancel, reshape chains
           ├─ remapper.py + fused.py  MatMul/Conv2D + BiasAdd/batch norm + activation
           │                          → _FusedMatMul/_FusedConv2D (kernels in fused.py)
           ├─ loops.py                constants hoisted out of while loops
           ├─ dependency.py           Identity and NoOp ops that only pass things on
           └─ pruning                 what no fetch or target needs
      └─ materialize (as_run.py)     → OptimizedGraph: a new Graph, the report
                                       (report.py), the mapping to the user's graph

Which passes run follows ``ConfigProto.graph_options`` as TF's (options.py):
``rewrite_options`` toggles (``constant_folding``, ``arithmetic_optimization``,
``remapping``, ``dependency_optimization``, ``loop_optimization``,
``common_subgraph_elimination``), ``disable_meta_optimizer``, ``min_graph_nodes``
(default 4), and ``optimizer_options.opt_level`` (TF's classic folding and CSE).

Results equal the run as written within float rounding (fusion and folding reorder
no sums, but a batch norm folded into a filter rounds differently). Errors name the
user's op. Stateful ops (variables, random ops, queues), feeds, fetches and TF1
control flow (frames, ``Switch``/``Merge``) keep their meaning: no pass rewrites a
control-flow op, merges across frames or drops the control edges that carry
deadness. A session on a Dask cluster runs the graph as written.

See it with ``Session.optimized_graph(fetches, feeds)``,
``RunMetadata.partition_graphs`` (``RunOptions(output_partition_graphs=True)``) or
``workbench.show_optimized``.
"""

from . import fused  # registers the fused ops and their kernels
from .as_run import OptimizedGraph
from .optimizer import optimize
from .options import Passes
from .report import Change, Report

__all__ = ["Change", "OptimizedGraph", "Passes", "Report", "optimize"]
