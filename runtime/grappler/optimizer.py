"""The meta optimizer: runs the passes over a run's pruned ops, in TF's order.

Each iteration (two by default, as TF's ``meta_optimizer_iterations``) runs common
subexpression elimination, constant folding, arithmetic simplification, remapping
(fusion), loop optimization and dependency optimization, then prunes what no fetch
or target needs any more. A later pass often enables an earlier one (a fused op's
folded batch norm, an Identity removed between two constants), which the second
iteration catches.

Copying a run's ops into the rewritable graph and running the passes costs about
10 µs an op. So a run is first scanned for anything a pass could act on at all (each
pass's ``may_*`` test on the ops as written: a constant operand, an op type a rule
names, two ops of one type on the same inputs); where no pass may act, as in a graph
of fed values through plain ops, the run is run as written without a copy (the first
run of a 10,000-op chain: 205 -> 135 ms). Each test may say yes where its pass then
changes nothing, never the other way.
"""

from __future__ import annotations

from ..plan import prune
from .arithmetic import may_simplify, simplify_arithmetic
from .as_run import OptimizedGraph, materialize
from .cse import eliminate_common_subexpressions, may_merge
from .dependency import may_remove, optimize_dependencies
from .folding import fold_constants, may_fold
from .loops import hoist_loop_invariants, may_hoist
from .mutable import MutableGraph
from .options import Passes
from .remapper import fuse_patterns, may_fuse
from .report import Change, Report

# Each pass's option and its quick test on a run's ops as written (see above).
_MAY_ACT = (
    ("common_subgraph_elimination", may_merge),
    ("constant_folding", may_fold),
    ("arithmetic_optimization", may_simplify),
    ("remapping", may_fuse),
    ("loop_optimization", may_hoist),
    ("dependency_optimization", may_remove),
)


def optimize(
    graph, fetches, targets, feeds, placement: dict, passes: Passes, always: bool = False, ops=None
) -> OptimizedGraph | None:
    """The as-run graph of a run of ``fetches``/``targets`` fed ``feeds``.

    Parameters
    ----------
    graph : Graph
        The user's graph (left unchanged).
    fetches, targets, feeds
        The run's fetched tensors, target ops and fed tensors.
    placement : dict
        The assigned device of each op the run needs.
    passes : Passes
        Which passes run (:meth:`Passes.from_config`).
    always : bool
        Build the as-run graph even when nothing changes (to inspect it).
    ops : list, optional
        The run's pruned ops (``runtime.plan.prune``), when the caller has them already.

    Returns
    -------
    OptimizedGraph or None
        ``None`` when the run is best run as written: no pass is on, the graph is
        smaller than ``min_graph_nodes``, or nothing changed (unless ``always``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default() as g:
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 2], name="x")
    ...     y = tf.identity(tf.identity(x) * tf.constant(1.0), name="y")
    ...     z = tf.negative(y, name="z")
    >>> ops = g.get_operations()
    >>> optimized = optimize(g, [z], [], [x], {op: "/cpu:0" for op in ops}, Passes())
    >>> [op.name for op in optimized.graph.get_operations()]
    ['x', 'z']
    """
    if not passes.any and not always:
        return None  # not even a prune: a session with the optimizer off pays nothing
    if ops is None:
        ops = prune(fetches, targets, set(feeds))
    report = Report(ops_before=len(ops))
    if not passes.any:
        report.skipped = "every pass is off"
    elif 0 < len(ops) < passes.min_graph_nodes:
        report.skipped = f"{len(ops)} ops, fewer than min_graph_nodes={passes.min_graph_nodes}"
    if report.skipped and not always:
        return None
    if not always and not may_act(ops, passes):
        return None
    mutable = MutableGraph.from_ops(ops, fetches, targets, feeds, placement)
    if not report.skipped:
        for _ in range(passes.iterations):
            if not _iterate(mutable, report, passes):
                break
    if not report.changed and not always:
        return None
    optimized = materialize(mutable, report, graph)
    optimized.run_ops = (ops, [tensor.op for tensor in feeds])
    return optimized


def may_act(ops, passes: Passes) -> bool:
    """Whether a pass that is on could change a run of ``ops`` (its pruned ops, as
    written); ``False`` means the optimizer would leave the run as written.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default() as g:
    ...     x = tf.compat.v1.placeholder(tf.float32, name="x")
    ...     y = tf.negative(x + x)
    ...     z = tf.identity(y)
    >>> may_act([x.op, y.op, y.op.inputs[0].op], Passes()), may_act([z.op], Passes())
    (False, True)
    """
    return any(getattr(passes, name) and scan(ops) for name, scan in _MAY_ACT)


def _iterate(graph: MutableGraph, report: Report, passes: Passes) -> int:
    """One round of every pass that is on; returns how many changes it made."""
    changes = 0
    if passes.common_subgraph_elimination:
        changes += eliminate_common_subexpressions(graph, report)
    if passes.constant_folding:
        changes += fold_constants(graph, report, passes.max_constant_bytes)
    if passes.arithmetic_optimization:
        changes += simplify_arithmetic(graph, report)
    if passes.remapping:
        changes += fuse_patterns(graph, report)
    if passes.loop_optimization:
        changes += hoist_loop_invariants(graph, report)
    if passes.dependency_optimization:
        changes += optimize_dependencies(graph, report)
    pruned = [node.name for node in graph.prune()]
    if pruned:  # a plan never runs what its fetches do not need: pruning is not optional
        report.add(Change("pruning", "pruned", tuple(pruned), (), "no fetch or target needs them"))
    return changes
