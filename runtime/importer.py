"""``import_graph_def``: rebuild the ops of a ``GraphDef`` in the default graph.

TF's semantics: the nodes go under a name scope (``"import"`` unless ``name`` says
otherwise, ``name=""`` for none) and their names are made unique there; ``input_map``
replaces inputs the ``GraphDef`` names (``"x:0"``, ``"x"`` for output 0, ``"^x"`` for a
control input) with tensors or ops of the current graph; ``return_elements`` picks what
to hand back. Nodes may come in any order; every node is checked as if built by hand,
so a malformed node fails with ``ValueError`` naming it before it enters the graph (the
nodes before it stay: import into a new graph, as ``graph_io.load_graph`` does, to keep
nothing of a file that fails).

Beyond plain ops, a ``GraphDef`` may hold TF1 loops (the one cycle allowed runs through
a ``NextIteration``: its edge into the loop's ``Merge`` is made once both exist) and
function bodies (``func`` attrs of ``If``/``While``/``PartitionedCall``, rebuilt as
:class:`runtime.functional.FuncGraph` objects). Imported ops remember where they came from:
the user's line that imported them and, for a ``GraphDef`` read from a file, the file.
"""

from __future__ import annotations

import re

from . import dtypes
from .devices import merge_device
from .errors import capture_frames, imported_from, resolve_frames
from .functional import FuncGraph
from .graph import Graph, Operation, Tensor, get_default_graph
from .graph_def import AttrValue, FunctionDef, python_value
from .op_binding import bind_node, check_attr_values
from .ops import functional_ops  # noqa: F401  (registers PartitionedCall: TF 2.x files call it)
from .ops.array_ops import placeholder
from .ops.core import convert_to_tensor, infer_specs
from .protobuf import as_internal
from .registry import TensorSpec, get_op_def, is_registered
from .scopes import name_scope
from .shapes import TensorShape

__all__ = ["import_graph_def"]


def import_graph_def(
    graph_def, input_map=None, return_elements=None, name=None, op_dict=None, producer_op_list=None
):
    """Import the ops of ``graph_def`` into the default graph.

    Parameters
    ----------
    graph_def : GraphDef
        TF's message (``tf.compat.v1.GraphDef``) or the runtime's form.
    input_map : dict, optional
        ``{name in graph_def: Tensor}`` for data inputs (``"x:0"`` or ``"x"``) and
        ``{"^x": Operation}`` for control inputs; the mapped nodes are still imported.
    return_elements : list of str, optional
        Names in ``graph_def`` of ops (``"x"``) or tensors (``"x:0"``) to return.
    name : str, optional
        Prefix of the imported names (default ``"import"``; ``""`` for none).
    op_dict, producer_op_list : ignored
        Accepted for TF1 code; this runtime's registry is the only op source.

    Returns
    -------
    list or None
        The elements named by ``return_elements``, in order.

    Raises
    ------
    ValueError
        For unknown op types, inputs that name no node or output, unused
        ``input_map`` keys, cycles, and nodes whose shapes or dtypes do not fit.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, name="x")
    ...     y = tf.multiply(x, 2.0, name="y")
    ...     graph_def = tf.compat.v1.get_default_graph().as_graph_def()
    >>> with tf.Graph().as_default():
    ...     three = tf.constant(3.0, name="three")
    ...     [out] = import_graph_def(graph_def, input_map={"x:0": three}, return_elements=["y:0"])
    ...     print(out.name, tf.compat.v1.Session().run(out))
    import/y:0 6.0
    """
    del op_dict, producer_op_list  # TF1 arguments with no meaning here
    graph_def = as_internal(graph_def)
    input_map = _check_input_map(input_map)
    if return_elements is not None and (
        isinstance(return_elements, str) or not all(isinstance(e, str) for e in return_elements)
    ):
        raise TypeError("return_elements must be a list of strings.")
    graph = get_default_graph()
    nodes = _in_dependency_order(graph_def.node)
    tensors = [value for value in input_map.values() if isinstance(value, Tensor | Operation)]
    with graph._all_or_nothing(), name_scope(name, "import", tensors) as scope:
        input_map = _converted(input_map, scope)
        importer = _Importer(graph, scope, input_map, nodes, _origin(graph_def.source))
        importer.add_all(nodes)
        unused = sorted(set(input_map) - importer.used_inputs)
        if unused:
            raise ValueError(
                f"Attempted to map inputs that were not found in graph_def: [{', '.join(unused)}]"
            )
    if return_elements is None:
        return None
    return [importer.element(name) for name in return_elements]


def _origin(source: str | None) -> tuple:
    """Where the imported ops were created: the user's line that imported them, then
    the file they came from (shown as "imported from FILE")."""
    frames = resolve_frames(capture_frames())
    return (*frames, imported_from(source)) if source else frames


def _check_input_map(input_map) -> dict:
    """``input_map`` with its keys in canonical form (``"x"`` means ``"x:0"``)."""
    checked = {}
    for key, value in dict(input_map or {}).items():
        if not isinstance(key, str):
            raise TypeError(f"input_map keys must be strings, got {key!r}.")
        if key.startswith("^") and not isinstance(value, Operation):
            raise TypeError(f"input_map[{key!r}] must be an Operation, got {type(value).__name__}.")
        checked[_canonical(key)] = value
    return checked


def _converted(input_map: dict, scope: str) -> dict:
    """TF's rule: values that are not tensors become constants in ``<scope>/_inputs``."""
    values = {key: value for key, value in input_map.items() if not isinstance(value, Tensor)}
    values = {key: value for key, value in values.items() if not key.startswith("^")}
    if not values:
        return input_map
    if not scope:
        raise ValueError(
            "import_graph_def() requires a non-empty `name` if `input_map` contains non-Tensor "
            "values. Try calling tf.convert_to_tensor() on `input_map` values first."
        )
    with name_scope("_inputs"):
        converted = {key: convert_to_tensor(value) for key, value in values.items()}
    return {**input_map, **converted}


def _canonical(input_name: str) -> str:
    if input_name.startswith("^") or ":" in input_name:
        return input_name
    return f"{input_name}:0"


def _source(input_name: str) -> str:
    """The node an input string refers to: ``"^x"``, ``"x"`` and ``"x:1"`` all name x."""
    return input_name.lstrip("^").split(":")[0]


def _colocation_names(node) -> list[str]:
    attr = node.attr.get("_class")
    if attr is None or attr.kind != "list":
        return []
    return [
        item.value[5:].decode(errors="replace")
        for item in attr.value
        if item.kind == "s" and item.value.startswith(b"loc:@")
    ]


# TF1 loops: a loop's Merge reads its NextIteration, which is computed from the Merge.
# That edge (a *back edge*) is the one cycle a GraphDef may hold.
_NEXT_ITERATION_OPS = {"NextIteration", "RefNextIteration"}


def _dependencies(node, loops: set) -> list[str]:
    """Names of the nodes ``node`` needs first: its inputs (less back edges from the
    ``NextIteration`` nodes in ``loops``) and the ops it is colocated with."""
    names = [_source(name) for name in node.input] + _colocation_names(node)
    return [name for name in names if name != node.name and name not in loops]


def _in_dependency_order(nodes) -> list:
    """``nodes`` sorted so every node follows its inputs (a GraphDef may be in any order);
    ``ValueError`` naming a node for a cycle that does not pass through a ``NextIteration``."""
    by_name = {}
    for node in nodes:
        if node.name in by_name:
            raise ValueError(f"Node '{node.name}' is not unique in the GraphDef.")
        by_name[node.name] = node
    loops = {node.name for node in nodes if node.op in _NEXT_ITERATION_OPS}
    ordered, state = [], {}  # state: 1 = being visited, 2 = done
    for node in nodes:
        if node.name in state:
            continue
        state[node.name] = 1
        stack = [(node, iter(_dependencies(node, loops)))]
        while stack:
            current, dependencies = stack[-1]
            for dependency in dependencies:
                source = by_name.get(dependency)
                if source is None or state.get(source.name) == 2:
                    continue  # a missing source is reported with the node, below
                if state.get(source.name) == 1:
                    raise ValueError(
                        f"GraphDef has a cycle through node '{source.name}' (an input of "
                        f"'{current.name}'); only cycles through a loop's NextIteration can "
                        "be imported."
                    )
                state[source.name] = 1
                stack.append((source, iter(_dependencies(source, loops))))
                break
            else:
                stack.pop()
                state[current.name] = 2
                ordered.append(current)
    return ordered


# Attrs TensorFlow writes that carry nothing for a numpy kernel; any other attr an
# OpDef lacks is refused rather than ignored, so a graph never runs with a meaning lost.
_INERT_ATTRS = {"use_cudnn_on_gpu", "grad_a", "grad_b"}


def _meaningful(op_def, node, key: str) -> bool:
    """Keep ``key`` for ``op_def``; drop TF's inert and type-restating attrs."""
    if key in op_def.attr_defaults or key.startswith("_"):
        return True
    value = node.attr[key]
    if key in _INERT_ATTRS or value.kind == "type":
        return False  # a type attr restates an input's dtype
    if key == "explicit_paddings" and not value.value:
        return False
    raise ValueError(
        f"Node '{node.name}': attr '{key}' of {node.op} is not supported by this runtime "
        f"(it knows {sorted(op_def.attr_defaults)})."
    )


def _output_counts(nodes) -> dict:
    """How many outputs of each node the GraphDef's inputs read (at least one)."""
    counts: dict = {}
    for node in nodes:
        for input_name in node.input:
            if input_name.startswith("^"):
                continue
            source, _, index = input_name.partition(":")
            if index.isdigit():
                counts[source] = max(counts.get(source, 1), int(index) + 1)
    return counts


# Attrs that name an op's output dtypes, in TF's naming, the most telling first: ShapeN
# has T (its inputs' type) and out_type (its outputs').
_OUTPUT_TYPE_ATTRS = ("Tout", "out_type", "output_type", "dtype", "DstT", "T")


def _all_kind(items, kind: str) -> bool:
    return all(item.kind == kind for item in items)


def _output_types(node, count: int) -> list:
    """The dtypes of an unsupported op's ``count`` outputs, from its type attrs."""
    named = [node.attr[key] for key in _OUTPUT_TYPE_ATTRS if key in node.attr]
    others = [value for key, value in sorted(node.attr.items()) if key not in _OUTPUT_TYPE_ATTRS]
    for attr in named + others:
        if attr.kind == "type":
            return [attr.value] * count
        if attr.kind == "list" and attr.value and _all_kind(attr.value, "type"):
            types = [item.value for item in attr.value]
            return (types + types[-1:] * count)[:count]
    return [dtypes.float32] * count


# Private attrs the runtime reads, and the kind of their items.
_PRIVATE_ATTR_ITEMS = {"_class": "s", "_output_shapes": "shape"}


def _check_private_attrs(node) -> None:
    """``ValueError`` naming the node for a private attr the runtime reads that holds
    something else than TF writes there (colocation names, output shapes)."""
    for key, kind in _PRIVATE_ATTR_ITEMS.items():
        attr = node.attr.get(key)
        if attr is not None and (attr.kind != "list" or not _all_kind(attr.value, kind)):
            raise ValueError(
                f"Node '{node.name}': attr '{key}' must be a list of {kind} values, "
                f"got {attr.kind} {attr.value!r:.80}."
            )


def _unknown_tensor(dtype) -> Tensor:
    """A tensor of ``dtype`` and unknown shape, in a graph of its own: what a shape
    function sees for an input that is not made yet."""
    scratch = Graph()
    with scratch.as_default():
        return placeholder(dtype)


def _function_graph(function: FunctionDef, outer_graph, parent) -> FuncGraph:
    """Rebuild a ``FunctionDef`` (graph form) as the body of an op of ``outer_graph``."""
    body = FuncGraph(function.name, outer_graph)
    nodes = _in_dependency_order(function.node)
    importer = _Importer(body, "", {}, nodes, parent.origin)
    importer.add_all(nodes)
    where = f"function '{function.name}'"
    body.inputs = body.arguments = [importer.tensor(name, where) for name in function.input_arg]
    for tensor in body.inputs:
        if tensor.op.type != "Placeholder":
            raise ValueError(f"The parameter {tensor.name} of {where} is not a Placeholder.")
    body.outputs = [importer.tensor(name, where) for name in function.output_arg]
    body.control_outputs = [importer.element(name) for name in function.control_output]
    body.seal([])
    return body


# TF's rule for node names (graph names may also hold the import scope's "/").
_VALID_NAME = re.compile(r"[A-Za-z0-9.][A-Za-z0-9_.\-/>]*\Z")
_FUNCTIONAL_OPS = {"If", "StatelessIf", "While", "StatelessWhile"}
_WHILE_OPS = {"While", "StatelessWhile"}


class _Importer:
    """Adds nodes one by one, remembering what each GraphDef name became."""

    def __init__(self, graph, scope: str, input_map: dict, nodes=(), origin=()):
        self.output_counts = _output_counts(nodes)
        self.graph = graph
        self.scope = scope
        self.input_map = input_map
        self.origin = origin
        self.used_inputs: set = set()
        self.ops: dict[str, Operation] = {}
        self.functions: dict[str, FuncGraph] = {}  # bodies already rebuilt, by name
        self.loops = {node.name for node in nodes if node.op in _NEXT_ITERATION_OPS}
        self.back_edges: list = []  # (node, input position or None for control, input name)

    def add_all(self, nodes) -> None:
        """Add ``nodes`` (in dependency order), then the back edges of their loops."""
        for node in nodes:
            self.add(node)
        for node, position, input_name in self.back_edges:
            op = self.ops[node.name]
            if position is None:
                op._add_control_inputs([self._control_input(node, input_name)])
            else:
                op._update_input(position, self._data_input(node, input_name))

    def add(self, node) -> None:
        _check_private_attrs(node)
        data, controls = [], []
        for input_name in node.input:
            if _source(input_name) in self.loops and _source(input_name) not in self.ops:
                # A back edge: its source comes later; the edge is made when it exists.
                position = None if input_name.startswith("^") else len(data)
                self.back_edges.append((node, position, input_name))
                if position is not None:
                    data.append(None)
            elif input_name.startswith("^"):
                controls.append(self._control_input(node, input_name))
            else:
                data.append(self._data_input(node, input_name))
        if not _VALID_NAME.match(node.name):
            raise ValueError(f"Node '{node.name}': Node name contains invalid characters")
        op_name = self.graph.unique_name(node.name)  # inside the import scope
        data, spec_inputs = self._back_edge_stand_ins(node, data)
        if is_registered(node.op):
            data = spec_inputs = self._functional_inputs(node, data, op_name)
            op_type, attrs, specs = self._checked(node, spec_inputs, op_name)
        else:
            op_type, attrs, specs = self._unsupported(node)
        # The node's own control inputs, not those of a block around the import.
        with self.graph.control_dependencies(None), self.graph.control_dependencies(controls):
            op = self.graph.create_op_unchecked(op_type, data, attrs, specs, op_name, self.origin)
        if node.device:
            op._set_device(merge_device(op.device, node.device))
        self.ops[node.name] = op

    def _back_edge_stand_ins(self, node, data: list) -> tuple[list, list]:
        """Inputs for a node whose back edges (``None`` in ``data``) are not made yet.

        The op is created with another of its inputs in their place, replaced once the
        ``NextIteration`` exists; its shapes are inferred as TF's importer does, with
        each back edge an input of unknown shape.
        """
        if None not in data:
            return data, data
        present = [tensor for tensor in data if tensor is not None]
        if not present:
            raise ValueError(
                f"Node '{node.name}': every input comes from a NextIteration of its own loop."
            )
        unknown = _unknown_tensor(present[0].dtype.base_dtype)
        specs = [unknown if tensor is None else tensor for tensor in data]
        return [present[0] if tensor is None else tensor for tensor in data], specs

    def _functional_inputs(self, node, data: list, op_name: str) -> list:
        """TF's ``While`` takes only the loop variables; this runtime's takes a
        ``maximum_iterations`` first (TF 2.x keeps that count in the loop's condition)."""
        types = node.attr.get("T")
        if node.op in _WHILE_OPS and types is not None and len(data) == len(types.value):
            with self.graph.control_dependencies(None):
                unlimited = convert_to_tensor(
                    -1, dtype=dtypes.int32, name=f"{op_name}/maximum_iterations"
                )
            return [unlimited, *data]
        return data

    def _checked(self, node, data, op_name):
        """Attrs and output specs of a node whose op type the registry knows."""
        op_def = get_op_def(node.op)
        attrs = {
            key: self._attr(node, value)
            for key, value in node.attr.items()
            if key != "_output_shapes" and _meaningful(op_def, node, key)
        }
        check_attr_values(op_def, node.name, node.attr)  # TF's NodeDef checks, naming the node
        attrs = bind_node(op_def, node.name, data, attrs)
        if node.op in _FUNCTIONAL_OPS and not attrs.get("output_shapes"):
            # TF often leaves output_shapes empty: every output's shape is then unknown.
            count = len(attrs["T" if node.op in _WHILE_OPS else "Tout"])
            attrs["output_shapes"] = [TensorShape(None)] * count
        try:
            specs = infer_specs(op_def, data, attrs, op_name)
        except ValueError:
            raise
        except TypeError as err:  # TF reports any node that does not fit as ValueError
            raise ValueError(f"Node '{node.name}': {err}") from None
        except Exception as err:
            raise ValueError(
                f"Node '{node.name}': its attrs do not fit op {node.op} "
                f"({type(err).__name__}: {err})."
            ) from None
        for spec in specs:  # an attr of the wrong kind can slip through a shape function
            if not isinstance(spec.dtype, dtypes.DType) or not isinstance(spec.shape, TensorShape):
                raise ValueError(
                    f"Node '{node.name}': its attrs do not fit op {node.op} (they give an output "
                    f"of dtype {spec.dtype!r} and shape {spec.shape!r})."
                )
        return op_def.name, attrs, specs

    def _unsupported(self, node):
        """A node of an op type the runtime lacks: kept for drawing, refused at run time.

        Its outputs are the ones ``_output_shapes`` lists, else as many as the GraphDef's
        other nodes read; their dtype comes from the node's type attr (``T``, ``dtype``).
        """
        attrs = {
            key: self._attr(node, value)
            for key, value in node.attr.items()
            if key != "_output_shapes"
        }
        shapes = node.attr.get("_output_shapes")
        if shapes is not None and shapes.kind == "list" and _all_kind(shapes.value, "shape"):
            shapes = [item.value for item in shapes.value]
        else:
            shapes = [TensorShape(None)] * self.output_counts.get(node.name, 1)
        types = _output_types(node, len(shapes))
        return node.op, attrs, [TensorSpec(dtype, shape) for dtype, shape in zip(types, shapes)]

    def _data_input(self, node, input_name: str) -> Tensor:
        key = _canonical(input_name)
        if key in self.input_map:
            self.used_inputs.add(key)
            return self.input_map[key]
        source, _, index = key.partition(":")
        op = self._op(node, source)
        if not index.isdigit():
            raise ValueError(f"Node '{node.name}': malformed input '{input_name}'.")
        if int(index) >= len(op.outputs):
            raise ValueError(
                f"Node '{node.name}': input '{input_name}' asks for output {index} of "
                f"'{source}', which has {len(op.outputs)} output(s)."
            )
        return op.outputs[int(index)]

    def _control_input(self, node, input_name: str) -> Operation:
        if input_name in self.input_map:
            self.used_inputs.add(input_name)
            return self.input_map[input_name]
        return self._op(node, input_name[1:])

    def _op(self, node, source: str) -> Operation:
        op = self.ops.get(source)
        if op is None:
            raise ValueError(f"Node '{node.name}': input '{source}' is not a node of the GraphDef.")
        return op

    def _attr(self, node, value: AttrValue):
        if value.kind == "func":
            return self._function(node, value.value)
        if value.kind == "list" and any(item.kind == "func" for item in value.value):
            return [self._attr(node, item) for item in value.value]
        # Colocation names point at GraphDef nodes; inside the scope they get its prefix.
        if (
            value.kind == "list"
            and value.value
            and all(item.kind == "s" and item.value.startswith(b"loc:@") for item in value.value)
        ):
            return [
                b"loc:@" + self._renamed(item.value[5:].decode()).encode() for item in value.value
            ]
        return python_value(value)

    def _function(self, node, function) -> FuncGraph:
        """The body a ``func`` attr names, rebuilt as a graph (once per import)."""
        if not isinstance(function, FunctionDef):
            raise ValueError(
                f"Node '{node.name}': function '{function}' is not in the GraphDef's library."
            )
        body = self.functions.get(function.name)
        if body is None:
            body = self.functions[function.name] = _function_graph(function, self.graph, self)
        return body

    def _renamed(self, name: str) -> str:
        op = self.ops.get(name)
        return op.name if op is not None else self.scope + name

    def tensor(self, name: str, where: str) -> Tensor:
        element = self.element(name if ":" in name else f"{name}:0")
        if not isinstance(element, Tensor):
            raise ValueError(f"{where}: '{name}' is not a tensor.")
        return element

    def element(self, name: str):
        if name.startswith("^"):
            name = name[1:]
        source, _, index = name.partition(":")
        op = self.ops.get(source)
        if op is None or (index and (not index.isdigit() or int(index) >= len(op.outputs))):
            raise ValueError(f"Requested return_element '{name}' not found in graph_def.")
        return op.outputs[int(index)] if index else op
