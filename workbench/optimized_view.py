"""``show_optimized``: a run's graph as written beside the graph as run, with what the
graph optimizer changed.

The session rewrites each run before executing it (:mod:`runtime.grappler`): constants
fold, equal ops merge, MatMul + BiasAdd + Relu fuse into one op ... This view puts the
two pictures side by side, each drawn by the workbench's usual machinery
(:class:`~workbench.view.GraphView`, :class:`~workbench.display.GraphDisplay`), and
under them the changes pass by pass, in the user's op names. It displays as HTML (the
two SVG pictures and the table) with the report as its text; ``.written`` and
``.as_run`` are the two pictures as ordinary graph displays (the lab extension's
interactive graph, PNG, ``save``).
"""

from __future__ import annotations

import html

from .display import GraphDisplay, mimebundle
from .view import GraphView


class _RunOps:
    """The ops a run needs, read by ``GraphView`` as a graph (it only lists them)."""

    def __init__(self, ops):
        self._ops = list(ops)

    def get_operations(self) -> list:
        return list(self._ops)


class OptimizedView:
    """The graph of a run as written and as run, and the optimizer's report.

    Parameters
    ----------
    session : Session
        Its ``ConfigProto`` decides the passes (as for its runs); its placement
        colours the pictures by device when it has several.
    fetches, feeds
        As for ``Session.optimized_graph``: what the run fetches and which tensors it
        feeds (a ``feed_dict``'s keys are enough).
    collapse : "auto", None, int or list of str
        Which name scopes show open in both pictures (see ``GraphView``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 2], name="x")
    ...     w = tf.constant([[1.0], [2.0]], name="w") * 2.0
    ...     y = tf.nn.relu(tf.nn.bias_add(tf.matmul(x, w), [0.5]), name="y")
    ...     sess = tf.compat.v1.Session()
    >>> view = OptimizedView(sess, y, [x])
    >>> [n.op for n in view.as_run.view.nodes]
    ['Placeholder', 'Const', 'Const', '_FusedMatMul']
    >>> [row[1] for row in view.rows()]
    ['folded', 'fused', 'pruned']
    >>> sess.close()
    """

    def __init__(self, session, fetches, feeds=None, collapse="auto"):
        self.optimized = session.optimized_graph(fetches, feeds)
        self.report = self.optimized.report
        written = GraphView(
            _RunOps(self.optimized.written_ops), session, collapse=collapse, name="as written"
        )
        run = GraphView(self.optimized.graph, session, collapse=collapse, name="as run")
        self.written = GraphDisplay(written)
        self.as_run = GraphDisplay(run)

    def rows(self) -> list:
        """``(pass, change, ops as written, ops as run, detail)`` per change, in order."""
        return [
            (c.optimizer, c.kind, ", ".join(c.ops), ", ".join(c.result), c.detail)
            for c in self.report.changes
        ]

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        makers = {"text/html": self._repr_html_, "text/plain": lambda: repr(self)}
        return mimebundle(makers, include, exclude)

    def _repr_html_(self) -> str:
        pictures = "".join(
            _figure(f"{title}: {len(shown.view.nodes)} ops", shown)
            for title, shown in (("As written", self.written), ("As run", self.as_run))
        )
        return (
            '<div class="tfgraph-optimized">'
            f'<div style="display:flex;gap:24px;align-items:flex-start;overflow-x:auto">{pictures}</div>'
            f"{self._table_html()}</div>"
        )

    def _table_html(self) -> str:
        if self.report.skipped or not self.report.changes:
            return f"<p>{html.escape(str(self.report))}</p>"
        head = "".join(
            f"<th style='text-align:left'>{name}</th>"
            for name in ("pass", "change", "as written", "as run", "detail")
        )
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>"
            for row in self.rows()
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def __repr__(self) -> str:
        return str(self.report)


def _figure(caption: str, shown: GraphDisplay) -> str:
    return (
        f"<figure style='margin:0'><figcaption><b>{html.escape(caption)}</b></figcaption>"
        f"{shown.svg()}</figure>"
    )


def show_optimized(session, fetches, feeds=None, collapse="auto") -> OptimizedView:
    """Show a run's graph as written beside the graph the session runs, with the
    graph optimizer's changes (folded, fused, merged, removed, hoisted, pruned).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a = tf.constant(2.0, name="a")
    ...     y = tf.negative(tf.square(a + 1.0), name="y")
    ...     sess = tf.compat.v1.Session()
    >>> print(show_optimized(sess, y))
    Graph optimizer: 5 ops as written, 1 as run.
      constant_folding: folded add -> add (from a, add/y)
      constant_folding: folded Square -> Square (from add)
      constant_folding: folded y -> y (from Square)
      pruning: pruned a, add/y, add, Square (no fetch or target needs them)
    >>> sess.close()
    """
    return OptimizedView(session, fetches, feeds, collapse)
