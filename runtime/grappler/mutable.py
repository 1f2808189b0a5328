"""The graph the passes rewrite: light nodes over a run's pruned ops, cheap to change.

A user's ``Operation`` is immutable once built and knows its graph; the passes need
to replace, forward and delete freely. So the optimizer copies the run's pruned ops
into :class:`Node`\\ s (the attrs dicts shared, not copied), rewrites those, and
:mod:`runtime.grappler.as_run` builds the "as run" ``Graph`` from what is left, as
TF's Grappler works on a ``GraphDef`` copy through its ``MutableGraphView``.

An output is a :data:`Ref`, ``(node, index)``. The graph keeps each node's readers
(data and control) up to date through its mutators, so a pass asks "who reads this"
in constant time.

Fed tensors are read from a ``Placeholder`` node of their own (the value comes from
the feed, never from the op that would compute it); the run's fetches are refs, its
targets nodes. Fetched, fed and target nodes are *preserved*: a pass may replace one
by a node of the same name (a folded constant, a fused op), never remove it.
"""

from __future__ import annotations

import dataclasses
import operator

Ref = tuple  # (Node, output index)

# Ops whose semantics are frames and deadness: no pass rewrites them or looks through them.
CONTROL_FLOW = frozenset(
    {
        "Enter",
        "RefEnter",
        "Exit",
        "RefExit",
        "NextIteration",
        "RefNextIteration",
        "Merge",
        "RefMerge",
        "Switch",
        "RefSwitch",
        "LoopCond",
        "ControlTrigger",
    }
)
_ENTERS = frozenset({"Enter", "RefEnter"})
_EXITS = frozenset({"Exit", "RefExit"})


@dataclasses.dataclass(eq=False, slots=True)
class Node:
    """One op of the graph being rewritten.

    ``op`` is the user's ``Operation`` this node copies unchanged (``None`` for a node
    a pass made); ``origin`` the user's ops it stands for (itself for a copy, the
    pattern's ops for a fused op): errors and the report name them. ``specs`` are the
    outputs' ``(dtype, shape)``; ``device`` the assigned device, ``requested_device``
    the one asked for; ``frame`` the name of the while loop frame it runs in (``""``:
    the root). ``rank`` orders nodes inputs first: a copy's is ``(position, 0)`` in
    the user's creation order made topological (a loop's back edge aside); a node a
    pass makes takes the rank of the node whose place it takes, and every rewrite gives
    a node only inputs of lower rank.
    """

    name: str
    type: str
    inputs: list
    control: list
    attrs: dict
    specs: list
    device: str
    requested_device: str = ""
    op: object = None
    origin: tuple = ()
    frame: str = ""
    traceback: tuple = ()
    context: object = None  # the user op's TF1 cond/while context, kept for drawing
    rank: tuple = (0, 0)

    def derived(self, name, type, inputs, control, attrs, specs, origin=None, rank=None) -> Node:
        """A node a pass makes in this one's place: its device, frame, traceback and
        context (and its origin and rank unless given)."""
        return Node(
            name,
            type,
            inputs,
            control,
            attrs,
            specs,
            self.device,
            self.requested_device,
            None,
            self.origin if origin is None else origin,
            self.frame,
            self.traceback,
            self.context,
            self.rank if rank is None else rank,
        )

    def __repr__(self) -> str:
        return f"<Node {self.name!r} {self.type}>"


class MutableGraph:
    """Nodes by name, the run's fetches, targets and feeds, and who reads what.

    Examples
    --------
    >>> import runtime as tf
    >>> from runtime.plan import prune
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, name="x")
    ...     y = tf.identity(x, name="y")
    ...     z = tf.negative(y, name="z")
    >>> ops = prune([z], [], {x})
    >>> graph = MutableGraph.from_ops(ops, [z], [], [x], {op: "/cpu:0" for op in ops})
    >>> sorted(graph.nodes), [n.name for n in graph.readers_of(graph.nodes["y"])]
    (['x', 'y', 'z'], ['z'])
    >>> graph.forward((graph.nodes["y"], 0), graph.nodes["z"].inputs[0][0].inputs[0])
    >>> graph.nodes["z"].inputs[0][0].name
    'x'
    """

    def __init__(self):
        self.nodes: dict[str, Node] = {}
        self.fetches: list = []  # a Ref per fetched tensor, in fetch order
        self.targets: list = []  # a Node per target op
        self.feeds: dict = {}  # user's Tensor -> Ref of its feed node
        self.preserved: set = set()
        self._readers: dict = {}  # Node -> data readers, once per input read
        self._control_readers: dict = {}  # Node -> nodes waiting on it
        self.has_loops = False

    # -- building ------------------------------------------------------------------

    @classmethod
    def from_ops(cls, ops, fetches, targets, feeds, placement: dict) -> MutableGraph:
        """The graph of ``ops`` (a run's pruned ops, in creation order)."""
        graph = cls()
        node_of = {}
        for op in ops:
            node = Node(
                op.name,
                op.type,
                [],
                [],
                op._attrs,
                [(t.dtype, t.shape) for t in op._outputs],
                placement[op],
                op.device,
                op,
                (op,),
                "",
                op._traceback,
                op._control_flow_context,
            )
            graph.nodes[op.name] = node
            node_of[op] = node
            graph.has_loops = graph.has_loops or op.type in _ENTERS
        for tensor in feeds:
            graph.feeds[tensor] = (graph._feed_node(tensor, placement), 0)
        for position, op in enumerate(_inputs_first(ops, node_of), 1):
            node_of[op].rank = (position, 0)
        for op in ops:
            node = node_of[op]
            node.inputs = [graph.feeds.get(t) or (node_of[t.op], t.value_index) for t in op._inputs]
            # A control input left out of the run is met by a feed (see runtime.plan.prune).
            node.control = [node_of[c] for c in op._control_inputs if c in node_of]
            graph._index(node)
        graph.fetches = [graph.feeds.get(t) or (node_of[t.op], t.value_index) for t in fetches]
        graph.targets = [node_of[op] for op in targets]
        graph.preserved = {ref[0] for ref in graph.fetches}
        graph.preserved.update(graph.targets)
        graph.preserved.update(ref[0] for ref in graph.feeds.values())
        if graph.has_loops:
            graph._assign_frames()
        return graph

    def _feed_node(self, tensor, placement: dict) -> Node:
        op = tensor.op
        name = op.name if tensor.value_index == 0 else f"{op.name}_{tensor.value_index}"
        node = Node(
            self.unique_name(name),
            "Placeholder",
            [],
            [],
            {"dtype": tensor.dtype.base_dtype, "shape": tensor.shape},
            [(tensor.dtype.base_dtype, tensor.shape)],
            placement.get(op, op.device),
            op.device,
            None,
            (op,),
            "",
            op._traceback,
        )
        self.add(node)
        return node

    def _assign_frames(self) -> None:
        """Each node's while-loop frame, found as the plan finds it: walking out-edges
        from the nodes without inputs, an ``Enter`` leading into its frame and an
        ``Exit`` out of it."""
        parents: dict = {}
        seen = set()
        stack = [n for n in self.nodes.values() if not n.inputs and not n.control]
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            out = node.frame
            if node.type in _ENTERS:
                out = attr_text(node.attrs["frame_name"])
                parents.setdefault(out, node.frame)
            elif node.type in _EXITS:
                out = parents.get(node.frame, "")
            for reader in self.readers_of(node) + self.control_readers_of(node):
                if reader not in seen:
                    reader.frame = out
                    stack.append(reader)

    # -- names and readers ---------------------------------------------------------

    def unique_name(self, name: str) -> str:
        """``name``, or ``name_1``, ``name_2`` ... when taken."""
        if name not in self.nodes:
            return name
        count = 1
        while f"{name}_{count}" in self.nodes:
            count += 1
        return f"{name}_{count}"

    def _index(self, node: Node) -> None:
        for source, _ in node.inputs:
            self._readers.setdefault(source, []).append(node)
        for source in node.control:
            self._control_readers.setdefault(source, []).append(node)

    def _unindex(self, node: Node) -> None:
        for source, _ in node.inputs:
            self._readers[source].remove(node)
        for source in node.control:
            self._control_readers[source].remove(node)

    def readers_of(self, node: Node) -> list:
        """Nodes reading an output of ``node``, once per input they read."""
        return list(self._readers.get(node, ()))

    def control_readers_of(self, node: Node) -> list:
        """Nodes that wait on ``node`` through a control edge."""
        return list(self._control_readers.get(node, ()))

    def fetched(self, node: Node) -> bool:
        return any(ref[0] is node for ref in self.fetches)

    def sole_reader(self, node: Node) -> Node | None:
        """The one node reading ``node``'s outputs, when exactly one input reads it, no
        control edge leaves it and it is not preserved; else ``None``."""
        readers = self._readers.get(node, ())
        if len(readers) != 1 or self._control_readers.get(node) or node in self.preserved:
            return None
        return readers[0]

    # -- mutators ------------------------------------------------------------------

    def add(self, node: Node) -> Node:
        """Add ``node`` (its name must be free) and index its edges."""
        if node.name in self.nodes:
            raise ValueError(f"A node named {node.name!r} is already in the graph.")
        self.nodes[node.name] = node
        self._index(node)
        return node

    def set_inputs(self, node: Node, inputs: list, control: list) -> None:
        """Give ``node`` new data and control inputs."""
        self._unindex(node)
        node.inputs = list(inputs)
        node.control = list(dict.fromkeys(control))
        self._index(node)

    def forward(self, old: Ref, new: Ref) -> None:
        """Make every reader of output ``old`` (and a fetch of it) read ``new``."""
        source = old[0]
        for reader in dict.fromkeys(self._readers.get(source, ())):
            if old in reader.inputs:
                self.set_inputs(
                    reader, [new if ref == old else ref for ref in reader.inputs], reader.control
                )
        self.fetches = [new if ref == old else ref for ref in self.fetches]
        for tensor, ref in self.feeds.items():
            if ref == old:
                self.feeds[tensor] = new

    def move_control_readers(self, old: Node, to: list) -> None:
        """Make the nodes waiting on ``old`` wait on each of ``to`` instead."""
        for reader in dict.fromkeys(self._control_readers.get(old, ())):
            control = []
            for source in reader.control:
                control.extend(to if source is old else [source])
            self.set_inputs(reader, reader.inputs, [c for c in control if c is not reader])

    def replace(self, old: Node, new: Node) -> None:
        """Put ``new`` in ``old``'s place: output ``i`` of ``old`` becomes output ``i``
        of ``new``, control edges and the preserved mark move, and ``old`` is removed
        (``new`` may take its name)."""
        for index in range(len(old.specs)):
            self.forward((old, index), (new, index))
        self.move_control_readers(old, [new])
        self.targets = [new if node is old else node for node in self.targets]
        if old in self.preserved:
            self.preserved.discard(old)
            self.preserved.add(new)
        self.remove(old)
        self.add(new)

    def remove(self, node: Node) -> None:
        """Delete ``node``; nothing may read it any more."""
        if self._readers.get(node) or self._control_readers.get(node):
            raise ValueError(f"{node!r} still has readers.")
        self._unindex(node)
        del self.nodes[node.name]
        self._readers.pop(node, None)
        self._control_readers.pop(node, None)

    def prune(self) -> list:
        """Delete the nodes no fetch or target needs; returns them."""
        needed = set()
        stack = [ref[0] for ref in self.fetches] + list(self.targets)
        stack += [ref[0] for ref in self.feeds.values()]
        while stack:
            node = stack.pop()
            if node in needed:
                continue
            needed.add(node)
            stack.extend(ref[0] for ref in node.inputs)
            stack.extend(node.control)
        dropped = [node for node in self.nodes.values() if node not in needed]
        for node in dropped:
            self._unindex(node)
        for node in dropped:
            del self.nodes[node.name]
            self._readers.pop(node, None)
            self._control_readers.pop(node, None)
        return dropped

    # -- order ---------------------------------------------------------------------

    def topological(self) -> list:
        """The nodes, inputs before readers (a loop's back edge, ``NextIteration`` into
        ``Merge``, does not count): by rank."""
        return sorted(self.nodes.values(), key=_RANK)


_RANK = operator.attrgetter("rank")
_BACK_EDGE_SOURCES = frozenset({"NextIteration", "RefNextIteration"})


def _inputs_first(ops, node_of: dict) -> list:
    """``ops`` in creation order, each moved after its inputs (data and control; a loop's
    back edge, from a ``NextIteration``, does not count).

    Ops mostly come after their inputs, so little moves: a TF1 cond's ``Switch`` of an
    outside value is made after the op that reads it. So the order is first checked as
    it is, which is several times quicker than walking it.
    """
    position = {op: index for index, op in enumerate(ops)}
    if all(_after_inputs(op, index, position) for index, op in enumerate(ops)):
        return list(ops)
    placed: dict = {}  # op -> True once in the order (a dict: ordered and quick)
    for op in ops:
        stack = [(op, False)]
        while stack:
            top, expanded = stack.pop()
            if top in placed:
                continue
            if expanded:
                placed[top] = True
                continue
            stack.append((top, True))
            sources = [t.op for t in top._inputs if t.op.type not in _BACK_EDGE_SOURCES]
            sources += top._control_inputs
            stack.extend((s, False) for s in reversed(sources) if s in node_of and s not in placed)
    return list(placed)


def _after_inputs(op, index: int, position: dict) -> bool:
    """Whether ``op`` (at ``index``) comes after every input of the run that it reads."""
    for tensor in op._inputs:
        if position.get(tensor.op, -1) > index and tensor.op.type not in _BACK_EDGE_SOURCES:
            return False
    return all(position.get(c, -1) < index for c in op._control_inputs)


def attr_text(value) -> str:
    """A string attr as text, whether the op holds it as bytes (imported) or as text.

    Examples
    --------
    >>> attr_text(b"NHWC"), attr_text("NHWC")
    ('NHWC', 'NHWC')
    """
    return value.decode() if isinstance(value, bytes) else value


def value_of(ref: Ref):
    """The numpy value of ``ref`` when its node is a ``Const``, else ``None``."""
    node = ref[0]
    if node.type != "Const":
        return None
    return node.attrs["value"]
