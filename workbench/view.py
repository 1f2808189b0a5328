"""``GraphView``: what the workbench draws, as plain data.

A view is built from a ``runtime.Graph`` and, when given, a session's placement
(computed without running), a traced run's ``RunMetadata`` (compute times) and a
stepper's status map. It knows nothing about pixels: ``render`` draws it and
``to_json()`` is the ``application/vnd.tfgraph.v2+json`` payload the lab extension
draws (schema: ``workbench/schema/tfgraph.v2.schema.json``). Which ops fold
together, and which sit in the side area, is :mod:`workbench.grouping`'s to say.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import functools
import re
from collections import Counter

import numpy as np

from runtime.control_flow_util import frame_name
from runtime.devices import DeviceSpec
from runtime.dtypes import as_dtype
from runtime.errors import IMPORTED, display_filename

from . import palette
from .grouping import Grouping
from .labels import attr_text, device_label

PAYLOAD_VERSION = 2
MIME_TYPE = f"application/vnd.tfgraph.v{PAYLOAD_VERSION}+json"
COLOR_BYS = ("op", "device", "scope", "time", "status")
STATUSES = ("done", "current", "next", "pending", "unused", "error")
FIRST_SIGHT_BOXES = 25  # most boxes the first picture of a graph shows
# Above this many ops, nodes leave out their attrs and where they were made: reading
# 10,000 tracebacks takes longer than drawing, and a notebook should stay small.
DETAILS_MAX_OPS = 2_000


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

    @property
    def category(self) -> str:
        """The op's category (``palette.op_category``): what colours it by default."""
        return palette.op_category(self.op)


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
class Device:
    name: str
    label: str
    op_count: int


class GraphView:
    """A graph as data: nodes, edges, groups, devices, colours and the groups shown open.

    Parameters
    ----------
    graph : runtime.Graph
    session : Session, optional
        Its ``placement()`` gives each op's assigned device (nothing runs).
    run_metadata : RunMetadata, optional
        A traced run's step stats give each op's compute time and each while
        frame's iteration count.
    status : dict, optional
        ``{op name: "done" | "current" | "next" | "pending" | "unused" | "error"}``.
    color_by : {"auto", "op", "device", "scope", "time", "status"}
        ``"op"`` colours by op category; ``"auto"`` by device when a session places
        the ops on more than one, else by op category.
    collapse : "auto", None, int or list of str
        Which groups show open: ``"auto"`` opens whole levels while the picture keeps
        at most ``FIRST_SIGHT_BOXES`` boxes; ``None`` opens every group; an int
        ``n`` opens the groups above depth ``n`` (1 = every top-level group closed);
        a list names scopes to keep closed (the rest open).
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
    >>> [(g.kind, g.name) for g in view.groups], [d.label for d in view.devices], view.color_by
    ([('scope', 'layer')], ['CPU:0', 'CPU:1'], 'device')
    >>> sess.close()
    """

    def __init__(
        self,
        graph,
        session=None,
        *,
        run_metadata=None,
        status=None,
        color_by="auto",
        collapse="auto",
        name="",
    ):
        placement = session.placement() if session is not None else {}
        times = compute_times(run_metadata)
        status = _check_status(status or {})
        ops = graph.get_operations()
        details = len(ops) <= DETAILS_MAX_OPS
        nodes = [
            _node(op, placement.get(op.name), times.get(op.name), status.get(op.name), details)
            for op in ops
        ]
        frames = {frame.rpartition("/")[0] for frame in map(frame_name, ops) if frame}
        self._init(nodes, edges_between(nodes), color_by, name, bool(placement), frames)
        self._count_iterations(run_counts(run_metadata))
        self.expanded = self._resolve_collapse(collapse)

    @classmethod
    def from_parts(cls, nodes, edges, *, color_by="auto", collapse="auto", name="") -> GraphView:
        """A view of ready-made ``Node`` and ``Edge`` lists (e.g. from networkx)."""
        view = cls.__new__(cls)
        nodes = list(nodes)
        view._init(nodes, list(edges), color_by, name, any(n.assigned_device for n in nodes))
        view.expanded = view._resolve_collapse(collapse)
        return view

    @classmethod
    def from_payload(cls, payload: dict) -> GraphView:
        """The view a payload was made from (e.g. a saved ``.tfgraph.json``): the same
        ops, edges, groups, open groups and colouring.

        Examples
        --------
        >>> import runtime as tf
        >>> with tf.Graph().as_default() as g, tf.name_scope("s"):
        ...     b = tf.negative(tf.constant(1.0, name="a"), name="b")
        >>> again = GraphView.from_payload(GraphView(g).to_json())
        >>> again.to_json() == GraphView(g).to_json()
        True
        """
        nodes = _nodes_of_json(payload)
        groups = _filled(payload["groups"], _GROUP_DEFAULTS, len(payload["groups"]["kind"]))
        frames = {
            name for name, kind in zip(_group_names(groups), groups["kind"]) if kind == "frame"
        }
        view = cls.__new__(cls)
        view._init(nodes, edges_between(nodes), payload["color_by"], payload.get("name", ""),
                   payload["placed"], frames)  # fmt: skip
        for group, iterations in zip(view.groups, groups["iterations"]):
            group.iterations = iterations
        view.expanded = [view.groups[i].id for i in payload["expanded"]]
        return view

    def _init(self, nodes, edges, color_by, name, placed, frames=None) -> None:
        if color_by not in ("auto", *COLOR_BYS):
            raise ValueError(
                f"unknown color_by: {color_by!r} (must be one of {['auto', *COLOR_BYS]})"
            )
        self.name, self.nodes, self.edges, self.placed = name, nodes, edges, placed
        self.devices = _devices(nodes)
        if color_by == "auto":
            color_by = "device" if placed and len(self.devices) > 1 else "op"
        self.color_by = color_by
        index = {node.name: i for i, node in enumerate(nodes)}
        self.grouping = Grouping(
            [(n.name, n.op) for n in nodes],
            [(index[e.source], index[e.target]) for e in edges],
            frames,
        )
        self.groups = self.grouping.groups
        self.colors = _color_maps(nodes, self.devices)

    def _count_iterations(self, runs: dict) -> None:
        """Each while frame's iterations in the traced run: how often its NextIteration ran."""
        for i, node in enumerate(self.nodes):
            if node.op in ("NextIteration", "RefNextIteration") and node.name in runs:
                for group_id in self.grouping.chain(i):
                    group = self.grouping.by_id[group_id]
                    if group.kind == "frame":
                        group.iterations = max(group.iterations or 0, runs[node.name])

    def with_options(self, color_by=None, collapse=None) -> GraphView:
        """The same data coloured or opened differently (``None`` keeps the current)."""
        view = copy.copy(self)
        if color_by is not None:
            if color_by not in ("auto", *COLOR_BYS):
                raise ValueError(
                    f"unknown color_by: {color_by!r} (must be one of {['auto', *COLOR_BYS]})"
                )
            multi = self.placed and len(self.devices) > 1
            view.color_by = ("device" if multi else "op") if color_by == "auto" else color_by
        if collapse is not None:
            view.expanded = view._resolve_collapse(collapse)
        return view

    # -- which groups show open --------------------------------------------------------

    def _resolve_collapse(self, collapse) -> list:
        if collapse == "auto":
            return first_sight(self.grouping)
        if collapse is None or collapse is False or collapse == "none":
            return [g.id for g in self.groups]
        if isinstance(collapse, int) and not isinstance(collapse, bool):
            depths: dict = {}
            for group in self.groups:  # parents come first
                depths[group.id] = depths[group.parent] + 1 if group.parent else 0
            return [g.id for g in self.groups if depths[g.id] < collapse - 1]
        names = [collapse] if isinstance(collapse, str) else list(collapse)
        scopes = [g.name for g in self.groups if g.kind in ("scope", "frame")]
        for name in names:
            if name not in scopes:
                close = difflib.get_close_matches(name, scopes, n=1)
                hint = f" Did you mean '{close[0]}'?" if close else ""
                raise ValueError(f"Cannot collapse scope '{name}': no such scope.{hint}")
        return [g.id for g in self.groups if g.name not in names]

    # -- colours and payload ---------------------------------------------------------

    def color_key(self, node: Node):
        """The key of ``node`` in ``colors[color_by]`` (``None`` if it has no colour there)."""
        return {
            "device": node.device,
            "op": node.category,
            "scope": node.scope,
            "time": node.name,
            "status": node.status,
        }[self.color_by]

    def node_color(self, node: Node) -> str:
        """The fill colour of ``node`` under the current ``color_by``."""
        return self.colors[self.color_by].get(self.color_key(node), palette.NEUTRAL)

    def to_json(self) -> dict:
        """The ``application/vnd.tfgraph.v2+json`` payload (plain JSON types).

        Ops and groups go as columns (one list per field), ops and groups referred to
        by position; scopes and tensor types are listed once and referred to by index,
        and a column whose every entry is its default is left out (see the schema).

        Examples
        --------
        >>> import runtime as tf
        >>> with tf.Graph().as_default() as g:
        ...     a = tf.constant(1.0, name="a")
        ...     with tf.name_scope("s"):
        ...         b = tf.negative(a, name="b")
        >>> payload = GraphView(g).to_json()
        >>> {key: payload["nodes"][key] for key in ("name", "scope", "op", "inputs", "outputs")}
        {'name': ['a', 'b'], 'scope': [-1, 0], 'op': ['Const', 'Neg'], 'inputs': [[], [0]], \
'outputs': [[0], [0]]}
        >>> payload["scopes"], payload["tensor_types"], "device" in payload["nodes"]
        (['s'], [['float32', []]], False)
        """
        group_index = {g.id: i for i, g in enumerate(self.groups)}
        nodes, scopes, tensor_types = self._node_columns(group_index)
        payload = {
            "version": PAYLOAD_VERSION,
            "name": self.name,
            "color_by": self.color_by,
            "placed": self.placed,
            "nodes": nodes,
            "scopes": scopes,
            "tensor_types": tensor_types,
            "groups": _group_columns(self.groups, group_index),
            "expanded": [group_index[g] for g in self.expanded],
            "devices": [dataclasses.asdict(d) for d in self.devices],
            "categories": {
                op: palette.op_category(op) for op in sorted({n.op for n in self.nodes})
            },
            "dtype_sizes": {d: dtype_size(d) for d in sorted(_dtypes(self.nodes))},
            "colors": self.colors,
        }
        if len(self.nodes) > DETAILS_MAX_OPS:
            payload["note"] = (
                f"Attributes and creation sites are left out of graphs over {DETAILS_MAX_OPS:,} ops."
            )
        return payload

    def _node_columns(self, group_index: dict) -> tuple:
        """``(columns, scopes, tensor types)`` of the payload's ``nodes``."""
        nodes, grouping = self.nodes, self.grouping
        position = {node.name: i for i, node in enumerate(nodes)}
        device_index = {d.name: i for i, d in enumerate(self.devices)}
        scopes, types = _Interned(), _Interned()
        names = [node.name.rpartition("/") for node in nodes]
        columns = {
            "name": [leaf for _, _, leaf in names],
            "op": [node.op for node in nodes],
            "scope": [scopes.index(scope) if slash else -1 for scope, slash, _ in names],
            "group": [group_index.get(group, -1) for group in grouping.group_of],
            "device": [device_index[node.device] for node in nodes],
            "inputs": [[_tensor_ref(t, position) for t in node.inputs] for node in nodes],
            "outputs": [[types.index(_tensor_type(t)) for t in node.outputs] for node in nodes],
            "control_inputs": [[position.get(c, c) for c in node.control_inputs] for node in nodes],
            "requested_device": [
                node.requested_device if node.assigned_device is not None else "" for node in nodes
            ],
            "status": [node.status for node in nodes],
            "time_us": [node.time_us for node in nodes],
            "attrs": [node.attrs for node in nodes],
            "created_at": [node.created_at for node in nodes],
            "soft_placed": [i for i, node in enumerate(nodes) if node.soft_placed],
            "auxiliary": [i for i, aux in enumerate(grouping.auxiliary) if aux],
        }
        return (
            _leave_out_defaults(columns, _NODE_DEFAULTS),
            scopes.values,
            [[dtype, shape if shape is None else list(shape)] for dtype, shape in types.values],
        )

    def __repr__(self):
        return (
            f"<GraphView {len(self.nodes)} ops, {len(self.edges)} edges, "
            f"{len(self.devices)} devices, color_by={self.color_by!r}>"
        )


def first_sight(grouping: Grouping) -> list:
    """The groups open at first sight: whole levels, top first, while the picture keeps
    at most ``FIRST_SIGHT_BOXES`` boxes. Auxiliary groups stay closed in the side area.

    Examples
    --------
    >>> grouping = Grouping([("a/x", "Neg"), ("a/y", "Neg"), ("b/z", "Neg")], edges=[])
    >>> first_sight(grouping)
    ['g0', 'g1']
    """
    groups = grouping.groups
    children: Counter = Counter(g.parent for g in groups)
    children.update(grouping.group_of)
    boxes, expanded = children[""], []
    level = [g for g in groups if not g.parent]
    while level:
        opening = [g for g in level if not g.auxiliary]
        more = sum(children[g.id] - 1 for g in opening)
        if not opening or boxes + more > FIRST_SIGHT_BOXES:
            break
        boxes += more
        expanded += [g.id for g in opening]
        ids = {g.id for g in opening}
        level = [g for g in groups if g.parent in ids]
    return expanded


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


def run_counts(run_metadata) -> dict:
    """``{op name: how many times it ran}`` in a traced run (empty without one).

    Examples
    --------
    >>> run_counts(None)
    {}
    """
    if run_metadata is None:
        return {}
    return Counter(
        stats.node_name
        for dev_stats in run_metadata.step_stats.dev_stats
        for stats in dev_stats.node_stats
    )


def dtype_size(dtype: str) -> int:
    """Bytes per element of a dtype (8 for handles and strings, whose size varies).

    Examples
    --------
    >>> dtype_size("float32"), dtype_size("bool"), dtype_size("string")
    (4, 1, 8)
    """
    try:
        return np.dtype(as_dtype(dtype).as_numpy_dtype).itemsize if dtype != "string" else 8
    except (TypeError, ValueError):
        return 8


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


def _node(op, assigned, time_us, status, details: bool = True) -> Node:
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
        attrs={key: attr_text(value) for key, value in op.attrs.items()} if details else {},
        status=status,
        soft_placed=_soft_placed(requested, assigned),
        time_us=time_us,
        created_at=created_at(op.traceback) if details else None,
    )


def created_at(traceback) -> str | None:
    """Where an op was made, as ``<cell 3>, line 9``: the innermost frame of its traceback;
    for an op imported from a graph file, ``imported from FILE`` and where that happened.

    Examples
    --------
    >>> created_at([("model.py", 3, "<module>"), ("<cell 3>", 9, "build")])
    '<cell 3>, line 9'
    >>> from runtime.errors import imported_from
    >>> created_at([("<cell 2>", 1, "<module>"), imported_from("model.pb")])
    'imported from model.pb (<cell 2>, line 1)'
    >>> created_at(()) is None
    True
    """
    if not traceback:
        return None
    filename, line, function = traceback[-1]
    if function != IMPORTED:
        return f"{display_filename(filename)}, line {line}"
    where = created_at(traceback[:-1])
    return f"imported from {filename}" + (f" ({where})" if where else "")


def _tensor(tensor) -> dict:
    # ``dims`` is already the payload's shape: None for an unknown rank, None for unknown dims.
    return {"name": tensor.name, "dtype": tensor.dtype.name, "shape": None if tensor.shape.rank is None else tensor.shape.as_list()}


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


def _devices(nodes) -> list:
    counts = Counter(node.device for node in nodes)
    return [Device(name, device_label(name), counts[name]) for name in sorted(counts)]


def _dtypes(nodes) -> set:
    return {t["dtype"] for node in nodes for t in node.outputs}


def _color_maps(nodes, devices) -> dict:
    times = {n.name: n.time_us for n in nodes if n.time_us is not None}
    statuses = {n.status for n in nodes if n.status is not None}
    scopes = sorted({n.scope for n in nodes})
    categories = {n.category for n in nodes}
    return {
        # In the palette's order (math, array, nn ...): the legends list them so.
        "op": {c: palette.CATEGORY_COLORS[c] for c in palette.CATEGORY_COLORS if c in categories},
        "device": {d.name: palette.device_color(d.name) for d in devices},
        "scope": {s: palette.name_color(s) for s in scopes},
        "time": palette.time_colors(times),
        "status": {s: palette.STATUS[s] for s in STATUSES if s in statuses},
    }


# Each column's default (a column of nothing else is left out). The flags list the
# positions where they are true.
_NODE_DEFAULTS = {
    "scope": -1,  # the name has no "/"
    "group": -1,  # at the top level
    "device": 0,
    "inputs": [],
    "outputs": [],
    "control_inputs": [],
    "requested_device": "",
    "status": None,
    "time_us": None,  # not measured (a measured 0 µs is not the default)
    "attrs": {},
    "created_at": None,
}
_GROUP_DEFAULTS = {"parent": -1, "iterations": None}
_FLAGS = ("soft_placed", "auxiliary")
_OUTPUT_INDEX = re.compile(r"0|[1-9][0-9]*")


class _Interned:
    """Distinct values in first-appearance order; ``index`` adds one if it is new."""

    def __init__(self):
        self._index: dict = {}

    def index(self, value) -> int:
        return self._index.setdefault(value, len(self._index))

    @property
    def values(self) -> list:
        return list(self._index)


def _leave_out_defaults(columns: dict, defaults: dict) -> dict:
    """``columns`` less those of nothing but their default (and flags marking nothing)."""
    return {
        key: column
        for key, column in columns.items()
        if key not in defaults or any(value != defaults[key] for value in column)
        if key not in _FLAGS or column
    }


def _filled(columns: dict, defaults: dict, count: int) -> dict:
    """Every column of a payload's ``nodes`` or ``groups``: defaults filled in, flags
    as booleans."""
    filled = dict(columns)
    for key, default in defaults.items():
        if key not in columns:
            filled[key] = [copy.copy(default) for _ in range(count)]
    for key in _FLAGS:
        marked = set(columns.get(key, ()))
        filled[key] = [i in marked for i in range(count)]
    return filled


def _tensor_type(tensor: dict) -> tuple:
    shape = tensor["shape"]
    return tensor["dtype"], None if shape is None else tuple(shape)


def _tensor_ref(tensor: str, position: dict):
    """An input in the payload: the producer's position for its output 0, ``[position,
    output]`` for another output, the name itself for a tensor of no op in the view."""
    op, _, output = tensor.rpartition(":")
    if op not in position or not _OUTPUT_INDEX.fullmatch(output):
        return tensor
    return position[op] if output == "0" else [position[op], int(output)]


def _nodes_of_json(payload: dict) -> list:
    nodes = _filled(payload["nodes"], _NODE_DEFAULTS, len(payload["nodes"]["name"]))
    scopes, types = payload["scopes"], payload["tensor_types"]
    devices = [payload["devices"][d]["name"] for d in nodes["device"]]
    placed = payload["placed"]
    names = [
        leaf if scope < 0 else f"{scopes[scope]}/{leaf}"
        for leaf, scope in zip(nodes["name"], nodes["scope"])
    ]

    def tensor_name(ref) -> str:
        if isinstance(ref, str):
            return ref
        op, output = (ref, 0) if isinstance(ref, int) else ref
        return f"{names[op]}:{output}"

    return [
        Node(
            name=name,
            op=nodes["op"][i],
            scope=name.rpartition("/")[0],
            requested_device=nodes["requested_device"][i] if placed else devices[i],
            assigned_device=devices[i] if placed else None,
            inputs=[tensor_name(ref) for ref in nodes["inputs"][i]],
            control_inputs=[
                c if isinstance(c, str) else names[c] for c in nodes["control_inputs"][i]
            ],
            outputs=[
                {"name": f"{name}:{k}", "dtype": types[t][0], "shape": types[t][1]}
                for k, t in enumerate(nodes["outputs"][i])
            ],
            attrs=nodes["attrs"][i],
            status=nodes["status"][i],
            soft_placed=nodes["soft_placed"][i],
            time_us=nodes["time_us"][i],
            created_at=nodes["created_at"][i],
        )
        for i, name in enumerate(names)
    ]


def _group_columns(groups: list, group_index: dict) -> dict:
    """The payload's ``groups``: a group's id is ``g`` and its position, its name its
    enclosing scope's and its label, its op count that of the ops inside."""
    columns = {
        "kind": [g.kind for g in groups],
        "label": [g.label for g in groups],
        "parent": [group_index.get(g.parent, -1) for g in groups],
        "iterations": [g.iterations for g in groups],
        "auxiliary": [i for i, g in enumerate(groups) if g.auxiliary],
    }
    return _leave_out_defaults(columns, _GROUP_DEFAULTS)


def _group_names(groups: dict) -> list:
    """Each group's name (``groups``: filled columns): a scope's path, or a series' or
    chunk's label in its scope."""
    names, paths = [], []  # paths: the scope each group's children are named in
    for kind, label, parent in zip(groups["kind"], groups["label"], groups["parent"]):
        path = paths[parent] if parent >= 0 else ""
        names.append(f"{path}/{label}" if path else label)
        paths.append(names[-1] if kind in ("scope", "frame") else path)
    return names
