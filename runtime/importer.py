"""``import_graph_def``: rebuild the ops of a ``GraphDef`` in the default graph.

TF's semantics: the nodes go under a name scope (``"import"`` unless ``name`` says
otherwise, ``name=""`` for none) and their names are made unique there; ``input_map``
replaces inputs the ``GraphDef`` names (``"x:0"``, ``"x"`` for output 0, ``"^x"`` for a
control input) with tensors or ops of the current graph; ``return_elements`` picks what
to hand back. Nodes may come in any order; every node is shape-checked as if built by
hand, so a malformed ``GraphDef`` fails with ``ValueError`` before the graph changes.
"""

from __future__ import annotations

from . import dtypes
from .devices import merge_device
from .graph import Operation, Tensor, get_default_graph
from .graph_def import AttrValue, GraphDef, python_value
from .ops.core import _complete_attrs, infer_specs
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
    if not isinstance(graph_def, GraphDef):
        raise TypeError(f"graph_def must be a GraphDef proto, got {type(graph_def).__name__}.")
    input_map = _check_input_map(input_map)
    if return_elements is not None and (
        isinstance(return_elements, str) or not all(isinstance(e, str) for e in return_elements)
    ):
        raise TypeError("return_elements must be a list of strings.")
    graph = get_default_graph()
    nodes = _in_dependency_order(graph_def.node)
    with name_scope(name, "import", list(input_map.values())) as scope:
        importer = _Importer(graph, scope, input_map, nodes)
        for node in nodes:
            importer.add(node)
    unused = sorted(set(input_map) - importer.used_inputs)
    if unused:
        raise ValueError(
            f"Attempted to map inputs that were not found in graph_def: [{', '.join(unused)}]"
        )
    if return_elements is None:
        return None
    return [importer.element(name) for name in return_elements]


def _check_input_map(input_map) -> dict:
    """``input_map`` with its keys in canonical form (``"x"`` means ``"x:0"``)."""
    checked = {}
    for key, value in dict(input_map or {}).items():
        if not isinstance(key, str):
            raise TypeError(f"input_map keys must be strings, got {key!r}.")
        wanted = Operation if key.startswith("^") else Tensor
        if not isinstance(value, wanted):
            raise TypeError(
                f"input_map[{key!r}] must be a {wanted.__name__}, got {type(value).__name__}."
            )
        checked[_canonical(key)] = value
    return checked


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
    return [item.value[5:].decode() for item in attr.value if item.value.startswith(b"loc:@")]


def _dependencies(node) -> list[str]:
    """Names of the nodes ``node`` needs first: its inputs and the ops it is colocated with."""
    names = [_source(name) for name in node.input] + _colocation_names(node)
    return [name for name in names if name != node.name]


def _in_dependency_order(nodes) -> list:
    """``nodes`` sorted so every node follows its inputs (a GraphDef may be in any order)."""
    by_name = {}
    for node in nodes:
        if node.name in by_name:
            raise ValueError(f"Node '{node.name}' is not unique in the GraphDef.")
        by_name[node.name] = node
    ordered, state = [], {}  # state: 1 = being visited, 2 = done
    for node in nodes:
        stack = [(node, iter(_dependencies(node)))]
        while stack:
            current, dependencies = stack[-1]
            state[current.name] = 1
            for dependency in dependencies:
                source = by_name.get(dependency)
                if source is None or state.get(source.name) == 2:
                    continue  # a missing source is reported with the node, below
                if state.get(source.name) == 1:
                    raise ValueError(
                        f"GraphDef has a cycle through node '{source.name}' (an input of "
                        f"'{current.name}'); only acyclic graphs can be imported."
                    )
                stack.append((source, iter(_dependencies(source))))
                break
            else:
                stack.pop()
                if state.get(current.name) != 2:
                    state[current.name] = 2
                    ordered.append(current)
    return ordered


# Attrs TensorFlow writes that carry nothing for a numpy kernel; any other attr an
# OpDef lacks is refused rather than ignored, so a graph never runs with a meaning lost.
_INERT_ATTRS = {"use_cudnn_on_gpu", "grad_a", "grad_b"}


def _meaningful(op_def, node, key: str) -> bool:
    """Keep ``key`` for ``op_def``; drop TF's inert and type-restating attrs."""
    if key in op_def.attrs or key.startswith("_"):
        return True
    value = node.attr[key]
    if key in _INERT_ATTRS or value.kind == "type":
        return False  # a type attr restates an input's dtype
    if key == "explicit_paddings" and not value.value:
        return False
    raise ValueError(
        f"Node '{node.name}': attr '{key}' of {node.op} is not supported by this runtime "
        f"(it knows {sorted(op_def.attrs)})."
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


class _Importer:
    """Adds nodes one by one, remembering what each GraphDef name became."""

    def __init__(self, graph, scope: str, input_map: dict, nodes=()):
        self.output_counts = _output_counts(nodes)
        self.graph = graph
        self.scope = scope
        self.input_map = input_map
        self.used_inputs: set = set()
        self.ops: dict[str, Operation] = {}

    def add(self, node) -> None:
        data, controls = [], []
        for input_name in node.input:
            if input_name.startswith("^"):
                controls.append(self._control_input(node, input_name))
            else:
                data.append(self._data_input(node, input_name))
        op_name = self.graph.unique_name(node.name)  # inside the import scope
        if is_registered(node.op):
            op_type, attrs, specs = self._checked(node, data, op_name)
        else:
            op_type, attrs, specs = self._unsupported(node)
        # The node's own control inputs, not those of a block around the import.
        with self.graph.control_dependencies(None), self.graph.control_dependencies(controls):
            op = self.graph.create_op_unchecked(op_type, data, attrs, specs, op_name)
        if node.device:
            op._set_device(merge_device(op.device, node.device))
        self.ops[node.name] = op

    def _checked(self, node, data, op_name):
        """Attrs and output specs of a node whose op type the registry knows."""
        op_def = get_op_def(node.op)
        attrs = {
            key: self._attr(value)
            for key, value in node.attr.items()
            if key != "_output_shapes" and _meaningful(op_def, node, key)
        }
        try:
            attrs = _complete_attrs(op_def, attrs)
        except TypeError as err:
            raise ValueError(f"Node '{node.name}': {err}") from None
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
        return op_def.name, attrs, specs

    def _unsupported(self, node):
        """A node of an op type the runtime lacks: kept for drawing, refused at run time.

        Its outputs are the ones ``_output_shapes`` lists, else as many as the GraphDef's
        other nodes read; their dtype comes from the node's type attr (``T``, ``dtype``).
        """
        attrs = {
            key: self._attr(value) for key, value in node.attr.items() if key != "_output_shapes"
        }
        shapes = node.attr.get("_output_shapes")
        if shapes is not None and shapes.kind == "list":
            shapes = [item.value for item in shapes.value]
        else:
            shapes = [TensorShape(None)] * self.output_counts.get(node.name, 1)
        types = [value.value for key, value in sorted(node.attr.items()) if value.kind == "type"]
        dtype = types[0] if types else dtypes.float32
        return node.op, attrs, [TensorSpec(dtype, shape) for shape in shapes]

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

    def _attr(self, value: AttrValue):
        if value.kind == "func":
            raise ValueError(
                f"Importing function-valued attrs ({value.value.name}) is not supported."
            )
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

    def _renamed(self, name: str) -> str:
        op = self.ops.get(name)
        return op.name if op is not None else self.scope + name

    def element(self, name: str):
        if name.startswith("^"):
            name = name[1:]
        source, _, index = name.partition(":")
        op = self.ops.get(source)
        if op is None or (index and (not index.isdigit() or int(index) >= len(op.outputs))):
            raise ValueError(f"Requested return_element '{name}' not found in graph_def.")
        return op.outputs[int(index)] if index else op
