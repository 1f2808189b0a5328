"""The graph as run: a new ``Graph`` built from the rewritten nodes, and its mapping
back to the graph as written.

:class:`OptimizedGraph` holds the as-run graph, the report, and what the session needs
to run it in place of the user's: the as-run fetches, targets and feeds, each op's
device, and for each as-run op the user's ops it stands for. A copied op keeps its
user's name, type, attrs, device and traceback; so do errors and step stats. The
user's graph is never changed.
"""

from __future__ import annotations

import operator

from ..errors import OpError, op_message
from ..graph import Graph, Operation, Tensor
from ..plan import Plan, build_plan
from .mutable import MutableGraph
from .report import Report

# What a graph owns for kernels that find it through their op's graph (py_func
# callables, from_generator functions): the graph as run shares the user's tables.
_OWNED_TABLES = ("_py_funcs", "_generator_functions")


class OptimizedGraph:
    """A run's graph as the optimizer rewrote it, with its mapping to the user's.

    Attributes
    ----------
    graph : Graph
        The graph as run (a new graph; the user's is untouched).
    report : Report
        What each pass changed.
    written : Graph
        The user's graph, as written.
    run_ops : tuple
        ``(ops, fed ops)``: the user's ops the run needs as written, and the ops of its
        fed tensors (see :attr:`written_ops`).
    fetches : list of Tensor
        The as-run tensor of each fetched tensor, in fetch order.
    targets : list of Operation
        The as-run op of each target.
    feeds : dict
        User's fed ``Tensor`` -> the as-run ``Placeholder`` output that takes its value.
    placement : dict
        As-run ``Operation`` -> its assigned device.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, name="x")
    ...     y = x * (tf.constant(2.0, name="a") + tf.constant(1.0, name="b"))
    ...     sess = tf.compat.v1.Session()
    >>> optimized = sess.optimized_graph(y, [x])
    >>> [op.name for op in optimized.graph.get_operations()]
    ['x', 'add', 'mul']
    >>> optimized.as_run(y).op.inputs[1].op.type
    'Const'
    >>> sess.close()
    """

    def __init__(self, graph, report, written, fetches, targets, feeds, placement, origin):
        self.graph = graph
        self.report = report
        self.written = written
        self.run_ops: tuple = ((), ())
        self.fetches = fetches
        self.targets = targets
        self.feeds = feeds
        self.placement = placement
        self._origin = origin

    @property
    def written_ops(self) -> list:
        """The user's ops the run needs as written, with its fed tensors' ops, in
        creation order: what "as written" shows beside the graph as run."""
        ops, fed = self.run_ops
        return sorted(set(ops).union(fed), key=operator.attrgetter("_id"))

    def build_plan(self) -> Plan:
        """The plan of the as-run graph; it takes the user's feeds as they are."""
        plan = build_plan(self.fetches, self.targets, list(self.feeds.values()), self.placement)
        plan.feed_slots = {user: plan.feed_slots[tensor] for user, tensor in self.feeds.items()}
        plan.rewrite = self
        return plan

    def origin(self, op: Operation) -> tuple:
        """The user's ops an as-run op stands for: itself copied, the ops folded into a
        constant, the pattern of a fused op (in pattern order)."""
        return self._origin.get(op, ())

    def as_run(self, element):
        """The as-run tensor or op computing ``element``: a user's tensor or op, or a
        name (of the graph as written, else of the graph as run).

        ``KeyError`` when the optimizer folded, fused or removed it.
        """
        if getattr(element, "graph", None) is self.graph:
            return element
        try:
            element = self.written.as_graph_element(element)
        except (KeyError, ValueError):
            if isinstance(element, str):
                return self.graph.as_graph_element(element)
            raise
        known = self.feeds.get(element) if isinstance(element, Tensor) else None
        if known is not None:
            return known
        try:
            found = self.graph.as_graph_element(element.name)
        except (KeyError, ValueError):
            found = None
        op = found.op if isinstance(found, Tensor) else found
        user = element.op if isinstance(element, Tensor) else element
        # A copy, a constant folded in its place or a fused op named after it.
        if op is None or self.origin(op)[-1:] != (user,):
            raise KeyError(
                f"'{element.name}' is not in the graph as run: the graph optimizer folded, "
                "fused or removed it (see the report)."
            )
        return found

    def user_error(self, err: OpError) -> OpError:
        """``err`` (raised by an as-run op) as the user's op's error.

        A copied op's error is the same, its op the user's. A fused op's names the user's
        op whose stage failed (the kernel marks it, see :mod:`runtime.grappler.fused`).
        """
        users = self.origin(err.op)
        if not users:
            return err
        op = err.op
        cause = err.__cause__
        stage = getattr(cause, "fused_stage", 0)
        user = users[stage] if -len(users) <= stage < len(users) else users[0]
        if len(users) == 1 and (user.name, user.type) == (op.name, op.type):
            message = err.message
        else:
            text = cause.message if isinstance(cause, OpError) else str(cause or err.message)
            message = op_message(user, text, self.placement.get(op)) + (
                f" (the graph optimizer ran it as {op.type} '{op.name}')"
            )
        return type(err)(user.node_def, user, message)


def materialize(graph: MutableGraph, report: Report, written) -> OptimizedGraph:
    """Build the as-run ``Graph`` of ``graph``'s nodes, inputs first (``written`` is the
    user's graph)."""
    result = Graph()
    for table in _OWNED_TABLES:
        if table in vars(written):  # a graph with py_funcs has made its table
            vars(result)[table] = vars(written)[table]
    created: dict = {}
    back_edges = []
    for node in graph.topological():
        inputs = []
        for position, (source, index) in enumerate(node.inputs):
            op = created.get(source)
            if op is not None:
                inputs.append(op._outputs[index])
                continue
            # A loop's back edge (NextIteration into Merge): a stand-in of the same
            # type until the source exists. A Merge's other inputs have its type.
            inputs.append(_stand_in(node, created, source.specs[index][0]))
            back_edges.append((node, position, source, index))
        op = result.create_op_unchecked(
            node.type, inputs, node.attrs, node.specs, node.name, node.traceback or ()
        )
        if node.control:
            op._add_control_inputs([created[c] for c in node.control])
        op._device = node.requested_device
        op._control_flow_context = node.context
        created[node] = op
    for node, position, source, index in back_edges:
        created[node]._update_input(position, created[source]._outputs[index])
    report.ops_after = len(created)
    return OptimizedGraph(
        result,
        report,
        written,
        [created[node]._outputs[index] for node, index in graph.fetches],
        [created[node] for node in graph.targets],
        {user: created[node]._outputs[index] for user, (node, index) in graph.feeds.items()},
        {op: node.device for node, op in created.items()},
        {op: node.origin for node, op in created.items()},
    )


def _stand_in(node, created: dict, dtype) -> Tensor:
    for source, index in node.inputs:
        op = created.get(source)
        if op is not None and op._outputs[index].dtype.base_dtype == dtype.base_dtype:
            return op._outputs[index]
    raise ValueError(f"{node!r} has an input from a later node and none to stand in for it.")
