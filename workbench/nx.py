"""networkx export: a graph (or view) as an ``nx.DiGraph`` for analysis, and back.

Each op is a node keyed by its name, with every field of the view's node plus the
first output's ``dtype`` and ``shape``. Each edge carries ``control`` and, for data,
the ``tensor``, ``dtype`` and ``shape`` it moves (a DiGraph keeps one edge per pair of
ops; the nodes' ``inputs`` keep them all, and :func:`from_networkx` rebuilds from those).
"""

from __future__ import annotations

import dataclasses

import networkx as nx

from .view import GraphView, Node, edges_between

_NODE_FIELDS = [f.name for f in dataclasses.fields(Node)]


def to_networkx(graph_or_view) -> nx.DiGraph:
    """The ops as an ``nx.DiGraph`` with node and edge attributes.

    Parameters
    ----------
    graph_or_view : runtime.Graph or GraphView
        A view brings its placement, times and statuses along.

    Examples
    --------
    >>> import runtime as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [2], name="x")
    ...     y = tf.negative(x, name="y")
    ...     z = tf.add(x, y, name="z")
    ...     done = tf.no_op(name="done")
    ...     with tf.control_dependencies([done]):
    ...         out = tf.identity(z, name="out")
    >>> G = to_networkx(g)
    >>> G.nodes["y"]["op"], G.nodes["y"]["dtype"], G.nodes["y"]["shape"]
    ('Neg', 'float32', [2])
    >>> G.edges["done", "out"]["control"], G.edges["x", "y"]["tensor"]
    (True, 'x:0')

    Ancestors: everything ``out`` depends on. Critical path: the longest chain, here
    by hops; weight edges with their source's ``time_us`` for a timed run.

    >>> sorted(nx.ancestors(G, "out"))
    ['done', 'x', 'y', 'z']
    >>> nx.dag_longest_path(G)
    ['x', 'y', 'z', 'out']
    """
    view = graph_or_view if isinstance(graph_or_view, GraphView) else GraphView(graph_or_view)
    graph = nx.DiGraph(name=view.name)
    for node in view.nodes:
        first = node.outputs[0] if node.outputs else {"dtype": None, "shape": None}
        graph.add_node(
            node.name, **dataclasses.asdict(node), dtype=first["dtype"], shape=first["shape"]
        )
    for edge in view.edges:
        data = graph.get_edge_data(edge.source, edge.target)
        if data is not None and not data["control"]:
            continue  # a data edge says more than a control edge between the same ops
        graph.add_edge(
            edge.source,
            edge.target,
            control=edge.kind == "control",
            tensor=edge.tensor,
            dtype=edge.dtype,
            shape=edge.shape,
        )
    return graph


def from_networkx(graph: nx.DiGraph, color_by: str = "device", collapse="auto") -> GraphView:
    """A ``GraphView`` of a DiGraph made by :func:`to_networkx` (or a subgraph of one).

    Edges come from the nodes' ``inputs`` and ``control_inputs``; those whose source
    is no longer in ``graph`` are left out.

    Examples
    --------
    >>> import runtime as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     a = tf.constant(1.0, name="a")
    ...     b = tf.negative(a, name="b")
    ...     c = tf.negative(b, name="c")
    >>> view = from_networkx(to_networkx(g).subgraph(["b", "c"]))
    >>> [n.name for n in view.nodes], [(e.source, e.target) for e in view.edges]
    (['b', 'c'], [('b', 'c')])
    """
    nodes = [Node(**{key: data[key] for key in _NODE_FIELDS}) for _, data in graph.nodes(data=True)]
    edges = edges_between(nodes)
    return GraphView.from_parts(
        nodes, edges, color_by=color_by, collapse=collapse, name=graph.graph.get("name", "")
    )
