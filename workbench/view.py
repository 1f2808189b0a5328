"""``GraphView``: what the workbench draws, as plain data.

A view is built from a ``runtime.Graph`` and, when given, a session's placement
(computed without running), a traced run's ``RunMetadata`` (compute times) and a
stepper's status map. It knows nothing about pixels: ``render`` draws it and
``to_json()`` is the ``application/vnd.tfgraph.v1+json`` payload the lab extension
draws (schema: ``workbench/schema/tfgraph.v1.schema.json``).
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
from collections import Counter

from runtime.devices import DeviceSpec
from runtime.errors import format_traceback

from . import palette
from .labels import attr_text, device_label

MIME_TYPE = "application/vnd.tfgraph.v1+json"
COLOR_BYS = ("device", "op", "scope", "time", "status")
STATUSES = ("done", "current", "next", "pending", "unused", "error")
AUTO_COLLAPSE_OPS = 300  # above this many ops, scopes collapse until about this many units show


@dataclasses.dataclass
class Node:
    """One op as drawn (field names are the payload's)."""

    name: str
    op: str
    scope: str
    requested_device: str
    assigned_device: str | None
    inputs: list
    control_inputs: list
    outputs: list  # [{"name", "dtype", "shape"}]
    attrs: dict
    status: str | None = None
    soft_placed: bool = False
    time_us: float | None = None
    created_at: str | None = None

    @property
    def device(self) -> str:
        """Where the op runs if known, else where it asked to run."""
        return self.assigned_device if self.assigned_device is not None else self.requested_device


@dataclasses.dataclass
class Edge:
    """A data edge (one tensor) or a control edge between two ops."""

    source: str
    target: str
    kind: str  # "data" | "control"
    tensor: str | None = None
    dtype: str | None = None
    shape: list | None = None


@dataclasses.dataclass
class Scope:
    name: str
    parent: str
    op_count: int  # ops anywhere inside, nested scopes included


@dataclasses.dataclass
class Device:
    name: str
    label: str
    op_count: int


class GraphView:
    """A graph as data: nodes, edges, scopes, devices, colours and collapsed scopes.

    Parameters
    ----------
    graph : runtime.Graph
    session : Session, optional
        Its ``placement()`` gives each op's assigned device (nothing runs).
    run_metadata : RunMetadata, optional
        A traced run's step stats give each op's compute time.
    status : dict, optional
        ``{op name: "done" | "current" | "next" | "pending" | "unused" | "error"}``.
    color_by : {"device", "op", "scope", "time", "status"}
    collapse : "auto", None, int or list of str
        Scopes drawn as one node: automatic above ``AUTO_COLLAPSE_OPS`` ops, none,
        every scope at that depth (1 = top-level scopes), or these scopes.
    name : str
        A title.

    Examples
    --------
    >>> import runtime as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
    ...     with tf.name_scope("layer"), tf.device("/cpu:1"):
    ...         y = tf.negative(x, name="y")
    >>> sess = tf.compat.v1.Session(graph=g, config=tf.compat.v1.ConfigProto(device_count={"CPU": 2}))
    >>> view = GraphView(g, sess)
    >>> [(n.name, n.assigned_device[-5:]) for n in view.nodes]
    [('x', 'CPU:0'), ('layer/y', 'CPU:1')]
    >>> [s.name for s in view.scopes], [d.label for d in view.devices]
    (['layer'], ['CPU:0', 'CPU:1'])
    >>> sess.close()
    """

    def __init__(
        self,
        graph,
        session=None,
        *,
        run_metadata=None,
        status=None,
        color_by="device",
        collapse="auto",
        name="",
    ):
        placement = session.placement() if session is not None else {}
        times = compute_times(run_metadata)
        status = _check_status(status or {})
        nodes = [
            _node(op, placement.get(op.name), times.get(op.name), status.get(op.name))
            for op in graph.get_operations()
        ]
        self._init(nodes, edges_between(nodes), color_by, collapse, name)

    @classmethod
    def from_parts(cls, nodes, edges, *, color_by="device", collapse="auto", name="") -> GraphView:
        """A view of ready-made ``Node`` and ``Edge`` lists (e.g. from networkx)."""
        view = cls.__new__(cls)
        view._init(list(nodes), list(edges), color_by, collapse, name)
        return view

    def _init(self, nodes, edges, color_by, collapse, name) -> None:
        if color_by not in COLOR_BYS:
            raise ValueError(f"unknown color_by: {color_by!r} (must be one of {list(COLOR_BYS)})")
        self.name, self.color_by = name, color_by
        self.nodes, self.edges = nodes, edges
        self.scopes = _scopes(nodes)
        self.devices = _devices(nodes)
        self.colors = _color_maps(nodes, self.scopes, self.devices)
        self.collapsed = self._resolve_collapse(collapse)
        self._unit_cache: dict = {}

    def with_options(self, color_by=None, collapse=None) -> GraphView:
        """The same data coloured or collapsed differently (``None`` keeps the current)."""
        return GraphView.from_parts(
            self.nodes,
            self.edges,
            color_by=color_by or self.color_by,
            collapse=self.collapsed if collapse is None else collapse,
            name=self.name,
        )

    # -- collapsing ------------------------------------------------------------------

    def _resolve_collapse(self, collapse) -> list:
        known = [s.name for s in self.scopes]
        if collapse == "auto":
            return self._auto_collapse(known)
        if collapse is None or collapse is False or collapse == "none":
            return []
        if isinstance(collapse, int) and not isinstance(collapse, bool):
            return [s for s in known if s.count("/") + 1 == collapse]
        names = [collapse] if isinstance(collapse, str) else list(collapse)
        for name in names:
            if name not in known:
                close = difflib.get_close_matches(name, known, n=1)
                hint = f" Did you mean '{close[0]}'?" if close else ""
                raise ValueError(f"Cannot collapse scope '{name}': no such scope.{hint}")
        return sorted(set(names))

    def _auto_collapse(self, known) -> list:
        if len(self.nodes) <= AUTO_COLLAPSE_OPS:
            return []
        depth_of = {s: s.count("/") + 1 for s in known}
        deepest = max(depth_of.values(), default=0)
        for depth in range(deepest, 1, -1):
            units = {_unit_at_depth(n.name, depth) for n in self.nodes}
            if len(units) <= AUTO_COLLAPSE_OPS:
                return [s for s in known if depth_of[s] == depth]
        return [s for s in known if depth_of[s] == 1]

    def unit_of(self, node_name: str) -> str | None:
        """The outermost collapsed scope holding ``node_name``, or ``None`` if it shows alone.

        Examples
        --------
        >>> import runtime as tf
        >>> g = tf.Graph()
        >>> with g.as_default(), tf.name_scope("a"), tf.name_scope("b"):
        ...     c = tf.constant(1.0, name="c")
        >>> GraphView(g, collapse=["a"]).unit_of("a/b/c"), GraphView(g, collapse=None).unit_of("a/b/c")
        ('a', None)
        """
        if not self.collapsed:
            return None
        if not self._unit_cache:
            collapsed = set(self.collapsed)
            for node in self.nodes:
                parts = node.name.split("/")[:-1]
                prefixes = ("/".join(parts[:i]) for i in range(1, len(parts) + 1))
                self._unit_cache[node.name] = next((p for p in prefixes if p in collapsed), None)
        return self._unit_cache[node_name]

    # -- colours and payload ---------------------------------------------------------

    def color_key(self, node: Node):
        """The key of ``node`` in ``colors[color_by]`` (``None`` if it has no colour there)."""
        return {
            "device": node.device,
            "op": node.op,
            "scope": node.scope,
            "time": node.name,
            "status": node.status,
        }[self.color_by]

    def node_color(self, node: Node) -> str:
        """The fill colour of ``node`` under the current ``color_by``."""
        return self.colors[self.color_by].get(self.color_key(node), palette.NEUTRAL)

    def to_json(self) -> dict:
        """The ``application/vnd.tfgraph.v1+json`` payload (plain JSON types)."""
        return {
            "version": 1,
            "name": self.name,
            "color_by": self.color_by,
            "collapsed": list(self.collapsed),
            "nodes": [_without_none(dataclasses.asdict(n), "created_at") for n in self.nodes],
            "edges": [_edge_json(e) for e in self.edges],
            "scopes": [dataclasses.asdict(s) for s in self.scopes],
            "devices": [dataclasses.asdict(d) for d in self.devices],
            "colors": self.colors,
        }

    def __repr__(self):
        return (
            f"<GraphView {len(self.nodes)} ops, {len(self.edges)} edges, "
            f"{len(self.devices)} devices, color_by={self.color_by!r}>"
        )


def _unit_at_depth(name: str, depth: int) -> tuple:
    """What op ``name`` shows as when every scope at ``depth`` is collapsed."""
    parts = name.split("/")
    return ("scope", "/".join(parts[:depth])) if len(parts) > depth else ("op", name)


def compute_times(run_metadata) -> dict:
    """``{op name: compute microseconds}`` from a traced run (empty without one).

    Examples
    --------
    >>> compute_times(None)
    {}
    """
    times: dict = {}
    if run_metadata is None:
        return times
    for dev_stats in run_metadata.step_stats.dev_stats:
        for stats in dev_stats.node_stats:
            micros = stats.op_end_rel_micros - stats.op_start_rel_micros
            times[stats.node_name] = times.get(stats.node_name, 0.0) + float(micros)
    return times


def _check_status(status: dict) -> dict:
    for name, value in status.items():
        if value not in STATUSES:
            raise ValueError(
                f"unknown status {value!r} for op '{name}' (must be one of {list(STATUSES)})"
            )
    return status


@functools.lru_cache(maxsize=1024)
def _soft_placed(requested: str, assigned: str | None) -> bool:
    """Whether ``assigned`` fails the request (an empty request is met by any device)."""
    if not requested or assigned is None:
        return False
    return not DeviceSpec.from_string(requested).matches(DeviceSpec.from_string(assigned))


def _node(op, assigned, time_us, status) -> Node:
    requested = op.device
    return Node(
        name=op.name,
        op=op.type,
        scope=op.name.rpartition("/")[0],
        requested_device=requested,
        assigned_device=assigned,
        inputs=[t.name for t in op.inputs],
        control_inputs=[c.name for c in op.control_inputs],
        outputs=[_tensor(t) for t in op.outputs],
        attrs={key: attr_text(value) for key, value in op.attrs.items()},
        status=status,
        soft_placed=_soft_placed(requested, assigned),
        time_us=time_us,
        created_at=format_traceback(op.traceback[-1:]).strip().splitlines()[0]
        if op.traceback
        else None,
    )


def _tensor(tensor) -> dict:
    # ``dims`` is already the payload's shape: None for an unknown rank, None for unknown dims.
    return {"name": tensor.name, "dtype": tensor.dtype.name, "shape": tensor.shape.dims}


def edges_between(nodes) -> list:
    """The data and control edges among ``nodes``, from their inputs (others are left out).

    Examples
    --------
    >>> a = Node("a", "Const", "", "", None, [], [], [{"name": "a:0", "dtype": "int32", "shape": []}], {})
    >>> b = Node("b", "Neg", "", "", None, ["a:0", "gone:0"], ["a"], [], {})
    >>> [(e.source, e.target, e.kind, e.tensor) for e in edges_between([a, b])]
    [('a', 'b', 'data', 'a:0'), ('a', 'b', 'control', None)]
    """
    outputs = {t["name"]: t for node in nodes for t in node.outputs}
    names = {node.name for node in nodes}
    edges = []
    for node in nodes:
        for name in node.inputs:
            t = outputs.get(name)
            if t is not None:
                edges.append(
                    Edge(name.rpartition(":")[0], node.name, "data", name, t["dtype"], t["shape"])
                )
        edges.extend(Edge(c, node.name, "control") for c in node.control_inputs if c in names)
    return edges


def _scopes(nodes) -> list:
    counts: Counter = Counter()
    for node in nodes:
        parts = node.name.split("/")[:-1]
        counts.update("/".join(parts[:i]) for i in range(1, len(parts) + 1))
    return [Scope(name, name.rpartition("/")[0], counts[name]) for name in sorted(counts)]


def _devices(nodes) -> list:
    counts = Counter(node.device for node in nodes)
    return [Device(name, device_label(name), counts[name]) for name in sorted(counts)]


def _color_maps(nodes, scopes, devices) -> dict:
    times = {n.name: n.time_us for n in nodes if n.time_us is not None}
    statuses = {n.status for n in nodes if n.status is not None}
    return {
        "device": {d.name: palette.device_color(d.name) for d in devices},
        "op": {op: palette.name_color(op) for op in sorted({n.op for n in nodes})},
        "scope": {s: palette.name_color(s) for s in ["", *(s.name for s in scopes)]},
        "time": palette.time_colors(times),
        "status": {s: palette.STATUS[s] for s in STATUSES if s in statuses},
    }


def _edge_json(edge: Edge) -> dict:
    record = dataclasses.asdict(edge)
    if edge.kind == "control":
        del record["tensor"], record["dtype"], record["shape"]
    return record


def _without_none(record: dict, *keys) -> dict:
    for key in keys:
        if record.get(key) is None:
            record.pop(key, None)
    return record
