"""``Graph``, ``Operation`` and ``Tensor``: the dataflow graph as plain data.

A graph holds its ops in creation order, hands out unique names, and keeps the
context stacks TF1 code builds with: name scopes, control dependencies, device
functions and colocation. The stacks are per thread (as in TF), so threads can build
into one graph at the same time. Nothing here does math; ops are added through
``runtime.ops.core.apply_op``, which runs shape inference first.
"""

from __future__ import annotations

import contextlib
import operator
import re
import threading

from .devices import canonical_name, merge_device
from .errors import OperatorNotAllowedInGraphError, capture_frames, resolve_frames
from .object_identity import Reference
from .shapes import TensorShape, as_shape

_VALID_OP_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\\/>-]*$")
_VALID_SCOPE_NAME = re.compile(r"^[A-Za-z0-9_.\\/>-]*$")


class Tensor:
    """A symbolic handle to one output of an ``Operation``.

    Examples
    --------
    >>> import runtime as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     c = tf.constant([1.0, 2.0], name="c")
    >>> c.name, c.dtype, c.shape
    ('c:0', tf.float32, TensorShape([Dimension(2)]))
    """

    __slots__ = ("__weakref__", "_consumers", "_dtype", "_op", "_shape", "_value_index")
    __array_priority__ = 100  # numpy defers to Tensor's reflected operators

    def __init__(self, op: Operation, value_index: int, dtype, shape: TensorShape):
        self._op = op
        self._value_index = value_index
        self._dtype = dtype
        self._shape = shape
        self._consumers: list[Operation] | tuple = ()  # a list once there is a consumer

    # attrgetter properties run in C: builders and the executor read these constantly.
    op = property(operator.attrgetter("_op"))
    value_index = property(operator.attrgetter("_value_index"))
    dtype = property(operator.attrgetter("_dtype"))
    graph = property(operator.attrgetter("_op._graph"))
    device = property(operator.attrgetter("_op._device"))
    shape = property(operator.attrgetter("_shape"), doc="The static shape (a ``TensorShape``).")

    @property
    def name(self) -> str:
        return f"{self._op.name}:{self._value_index}"

    def get_shape(self) -> TensorShape:
        """The static shape (same as :attr:`shape`)."""
        return self._shape

    def set_shape(self, shape) -> None:
        """Refine the static shape; ``ValueError`` if ``shape`` is incompatible."""
        try:
            self._shape = self._shape.merge_with(as_shape(shape))
        except ValueError:
            raise ValueError(
                f"Tensor's shape {self._shape} is not compatible with supplied shape "
                f"{as_shape(shape)}."
            ) from None

    def consumers(self) -> list[Operation]:
        """The ops that take this tensor as an input."""
        return list(self._consumers)

    def eval(self, feed_dict=None, session=None):
        """Evaluate in ``session`` (default: the default session)."""
        from .session import eval_in_session

        return eval_in_session(self, feed_dict, session)

    def _as_graph_element(self):
        return self

    def __repr__(self):
        return f"<tf.Tensor '{self.name}' shape={self._shape} dtype={self._dtype.name}>"

    def __str__(self):
        # TF's: no shape when even the rank is unknown, and the device when one is set
        shape = "" if self._shape.rank is None else f", shape={self._shape}"
        device = f", device={self.device}" if self.device else ""
        return f'Tensor("{self.name}"{shape}, dtype={self._dtype.name}{device})'

    __hash__ = object.__hash__

    def __eq__(self, other):
        return self is other  # TF1 graph mode: identity, so tensors work as dict keys

    def __ne__(self, other):
        return self is not other

    def __bool__(self):
        raise OperatorNotAllowedInGraphError(
            "Using a symbolic `tf.Tensor` as a Python `bool` is not allowed in Graph "
            "execution. Use `if t is not None:` instead of `if t:` to test if a tensor is "
            "defined, and use TensorFlow ops such as tf.cond to execute subgraphs "
            "conditioned on the value of a tensor."
        )

    def __iter__(self):
        raise OperatorNotAllowedInGraphError(
            f"Iterating over a symbolic `tf.Tensor` ({self.name}) is not allowed in Graph "
            "execution. Use tf.unstack or tf.while_loop instead."
        )

    def __len__(self):
        raise TypeError(
            f"len is not well defined for a symbolic Tensor ({self.name}). Please call "
            "`x.shape` rather than `len(x)` for shape information."
        )

    def __array__(self, dtype=None, copy=None):
        raise NotImplementedError(
            f"Cannot convert a symbolic tf.Tensor ({self.name}) to a numpy array. Run it "
            "in a Session to get its value."
        )

    def __index__(self):
        raise TypeError(f"Symbolic tensor {self.name} cannot be used as an index.")

    # Operators build ops through the public builders, as TF's do.
    def __add__(self, other):
        return _math().add(self, other, name="add")

    def __radd__(self, other):
        return _math().add(other, self, name="add")

    def __sub__(self, other):
        return _math().subtract(self, other, name="sub")

    def __rsub__(self, other):
        return _math().subtract(other, self, name="sub")

    def __mul__(self, other):
        return _math().multiply(self, other, name="mul")

    def __rmul__(self, other):
        return _math().multiply(other, self, name="mul")

    def __truediv__(self, other):
        return _math().truediv(self, other, name="truediv")

    def __rtruediv__(self, other):
        return _math().truediv(other, self, name="truediv")

    def __floordiv__(self, other):
        return _math().floordiv(self, other, name="floordiv")

    def __rfloordiv__(self, other):
        return _math().floordiv(other, self, name="floordiv")

    def __mod__(self, other):
        return _math().floormod(self, other, name="mod")

    def __rmod__(self, other):
        return _math().floormod(other, self, name="mod")

    def __pow__(self, other):
        return _math().pow(self, other, name="pow")

    def __rpow__(self, other):
        return _math().pow(other, self, name="pow")

    def __matmul__(self, other):
        return _math().matmul(self, other, name="matmul")

    def __rmatmul__(self, other):
        return _math().matmul(other, self, name="matmul")

    def __neg__(self):
        return _math().negative(self, name="Neg")

    def __abs__(self):
        return _math().abs(self, name="Abs")

    def __lt__(self, other):
        return _math().less(self, other, name="Less")

    def __le__(self, other):
        return _math().less_equal(self, other, name="LessEqual")

    def __gt__(self, other):
        return _math().greater(self, other, name="Greater")

    def __ge__(self, other):
        return _math().greater_equal(self, other, name="GreaterEqual")

    # Logical on bool tensors, bitwise on integer ones, as in TF.
    def __and__(self, other):
        return _bitwise().and_(self, other)

    def __rand__(self, other):
        return _bitwise().and_(other, self)

    def __or__(self, other):
        return _bitwise().or_(self, other)

    def __ror__(self, other):
        return _bitwise().or_(other, self)

    def __xor__(self, other):
        return _bitwise().xor_(self, other)

    def __rxor__(self, other):
        return _bitwise().xor_(other, self)

    def __invert__(self):
        return _bitwise().invert_(self)

    def ref(self):
        """A hashable reference to this tensor, equal only to references to it (TF's).

        Examples
        --------
        >>> import runtime as tf
        >>> with tf.Graph().as_default():
        ...     t = tf.constant(1.0)
        >>> t.ref() == t.ref(), t.ref().deref() is t
        (True, True)
        """
        return Reference(self)

    experimental_ref = ref  # TF's deprecated name

    def __getitem__(self, slice_spec):
        from .ops import array_ops

        return array_ops.slice_helper(self, slice_spec)


def _math():
    # Imported lazily (the op library builds on this module, not the other way round),
    # then kept: every operator on a tensor goes through here.
    global _math_ops
    if _math_ops is None:
        from .ops import math_ops as _math_ops
    return _math_ops


_math_ops = None


def _bitwise():
    from .ops import bitwise_ops  # lazily, as _math()

    return bitwise_ops


class Operation:
    """A node of the graph: an op type applied to input tensors, with attrs.

    Operations are created by builder functions (``tf.add``, ``tf.constant`` ...), never
    directly. ``device`` is the requested device; the placer records the assigned one.
    """

    __slots__ = (
        "__weakref__",
        "_attrs",
        "_control_flow_context",
        "_control_inputs",
        "_control_outputs",
        "_device",
        "_graph",
        "_id",
        "_inputs",
        "_name",
        "_original_op",
        "_outputs",
        "_traceback",
        "_type",
    )

    def __init__(self, graph, name, op_type, inputs, attrs, device, control_inputs, traceback):
        self._graph = graph
        self._name = name
        self._type = op_type
        self._inputs = tuple(inputs)
        self._attrs = attrs
        self._device = device
        self._control_inputs = control_inputs
        self._traceback = traceback
        self._outputs: tuple = ()
        self._original_op = None
        self._control_outputs: list[Operation] | tuple = ()  # a list once there is one
        self._control_flow_context = None  # the TF1 cond/while context it was built in
        self._id = 0

    name = property(operator.attrgetter("_name"))
    type = property(operator.attrgetter("_type"))
    graph = property(operator.attrgetter("_graph"))
    inputs = property(operator.attrgetter("_inputs"))
    outputs = property(lambda self: list(self._outputs))
    control_inputs = property(lambda self: list(self._control_inputs))
    device = property(operator.attrgetter("_device"))

    @property
    def traceback(self) -> tuple:
        """Where the op was created: ``(filename, lineno, function)`` frames, outermost first."""
        frames = self._traceback
        if frames and not isinstance(frames[0], tuple):  # raw frames, resolved on first use
            frames = self._traceback = resolve_frames(frames)
        return frames

    @property
    def node_def(self):
        """This op as TF's ``NodeDef`` message (name, op, inputs, device, typed attrs)."""
        from .graph_def import node_def_of
        from .protobuf import node_to_proto

        return node_to_proto(node_def_of(self))

    @property
    def op_def(self):
        from .registry import get_op_def

        return get_op_def(self._type)

    @property
    def attrs(self) -> dict:
        """All attrs as a new dict (the op's own stays immutable)."""
        return dict(self._attrs)

    def get_attr(self, name: str):
        """The value of attr ``name``; ``ValueError`` if the op has no such attr."""
        try:
            value = self._attrs[name]
        except KeyError:
            raise ValueError(
                f"Operation '{self._name}' has no attr named '{name}'. "
                f"It has: {sorted(self._attrs) or 'no attrs'}."
            ) from None
        # TF hands a list attr out as a list: a copy, the op's own value stays immutable.
        return list(value) if isinstance(value, tuple) else value

    def colocation_groups(self) -> list[bytes]:
        """``[b"loc:@name"]`` entries: the ops this one must be placed with."""
        return list(self._attrs.get("_class", [f"loc:@{self._name}".encode()]))

    def values(self) -> tuple:
        return self._outputs

    def run(self, feed_dict=None, session=None):
        """Run this op in ``session`` (default: the default session)."""
        from .session import eval_in_session

        eval_in_session(self, feed_dict, session)

    @classmethod
    def from_node_def(
        cls,
        node_def,
        g,
        inputs=None,
        output_types=None,
        control_inputs=None,
        input_types=None,
        original_op=None,
        op_def=None,
    ) -> Operation:
        """An op of ``node_def``'s type, name, device and attrs on ``inputs``: TF's
        ``Operation.from_node_def`` (TF 1.x wrote ``tf.Operation(node_def, g, ...)``).

        As TF's, the name is taken as it is (no name scope, never made unique), the
        graph's control-dependency and device scopes do not apply, missing type attrs
        come from the inputs, and ``output_types`` and ``op_def`` are not needed (the
        registered op says). ``node_def`` is TF's ``NodeDef`` message (``tf.NodeDef``) or
        the runtime's form.

        Raises
        ------
        TypeError
            ``g`` is no graph, ``node_def`` no NodeDef, ``inputs`` no list of tensors,
            ``input_types`` not the inputs' types, a control input no op or tensor.
        ValueError
            A name that is invalid or taken, or attrs that do not fit the op.

        Examples
        --------
        >>> import runtime as tf
        >>> g = tf.Graph()
        >>> with g.as_default():
        ...     x = tf.constant([1.0, 2.0], name="x")
        ...     op = tf.Operation.from_node_def(tf.NodeDef(name="neg", op="Neg"), g, inputs=[x])
        >>> op.name, op.get_attr("T"), tf.Session(graph=g).run(op.outputs[0]).tolist()
        ('neg', tf.float32, [-1.0, -2.0])
        """
        del output_types, op_def  # as TF's: the OpDef registered for the type decides
        from .graph_def import as_node_def
        from .ops.core import create_node_op

        if not isinstance(g, Graph):
            raise TypeError(f"Argument g must be a Graph. Received an instance of type {type(g)}")
        node_def = as_node_def(node_def)
        inputs = _node_def_inputs(node_def.name, inputs, input_types)
        controls = [_node_def_control(g, c) for c in control_inputs or ()]
        if not _VALID_OP_NAME.match(node_def.name):
            raise ValueError(f"`{node_def.name}` is not a valid node name.")
        if node_def.name in g._ops_by_name:
            raise ValueError(f"Duplicate node name in graph: '{node_def.name}'")
        state = g._thread
        scopes = state.control_stack, state.device_stack, state.merged_device
        state.control_stack, state.device_stack, state.merged_device = [], [], ""
        try:
            op = create_node_op(g, node_def.op, inputs, node_def.name + "/", dict(node_def.attr))
        finally:
            state.control_stack, state.device_stack, state.merged_device = scopes
        if node_def.device:
            op._set_device(node_def.device)
        op._add_control_inputs(controls)
        op._original_op = original_op
        return op

    def _update_input(self, index: int, tensor: Tensor) -> None:
        """Replace input ``index`` by ``tensor`` (TF1 control flow: a loop's ``Merge``
        gets its back edge, an outside value its ``Enter`` or ``Switch``)."""
        old = self._inputs[index]
        if tensor.dtype.base_dtype != old.dtype.base_dtype:
            raise TypeError(
                f"Cannot update input {index} of '{self._name}': {tensor.name} is "
                f"{tensor.dtype.name}, the input is {old.dtype.name}."
            )
        with self._graph._lock:
            self._inputs = (*self._inputs[:index], tensor, *self._inputs[index + 1 :])
            if self not in self._inputs and self in old._consumers:
                old._consumers.remove(self)
            if tensor._consumers:
                tensor._consumers.append(self)
            else:
                tensor._consumers = [self]

    def _add_control_inputs(self, ops) -> None:
        """Make this op also wait for ``ops`` (TF1 control flow pivots)."""
        with self._graph._lock:
            for op in ops:
                if op in self._control_inputs:
                    continue
                self._control_inputs = [*self._control_inputs, op]
                if op._control_outputs:
                    op._control_outputs.append(self)
                else:
                    op._control_outputs = [self]

    def _add_control_input(self, op) -> None:
        self._add_control_inputs([op])

    def _remove_all_control_inputs(self) -> None:
        with self._graph._lock:
            for op in self._control_inputs:
                op._control_outputs.remove(self)
            self._control_inputs = []

    def _get_control_flow_context(self):
        """The TF1 ``CondContext``/``WhileContext`` this op was built in, or ``None``."""
        return self._control_flow_context

    def _set_control_flow_context(self, context) -> None:
        self._control_flow_context = context

    def _set_device(self, device) -> None:
        self._device = canonical_name(device)

    def _as_graph_element(self):
        return self

    def __repr__(self):
        return f"<tf.Operation '{self._name}' type={self._type}>"

    def __str__(self):
        # TF prints an op as its NodeDef in text format (``print(train_op)``)
        return str(self.node_def)


class _ControlScope:
    """One ``control_dependencies`` block: its control ops and the ops made inside it."""

    __slots__ = ("created", "ops")

    def __init__(self, ops: list):
        self.ops = ops
        self.created: set = set()


class _ThreadState(threading.local):
    """The per-thread context stacks of one graph."""

    def __init__(self):
        self.name_stack = ""
        self.control_stack: list[_ControlScope] = []
        self.device_stack: list = []
        self.colocation_stack: list[Operation] = []
        self.merged_device: str | None = ""  # cache: result of a stack of strings only
        self.original_op: Operation | None = None
        self.control_flow_context = None  # the TF1 cond/while context being built


class Graph:
    """A TensorFlow dataflow graph.

    Examples
    --------
    >>> import runtime as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     a = tf.constant(1.0)
    ...     b = tf.constant(2.0)
    ...     c = tf.add(a, b)
    >>> [op.name for op in g.get_operations()]
    ['Const', 'Const_1', 'Add']
    >>> g.get_tensor_by_name("Add:0") is c
    True
    """

    # A function body being traced (``runtime.functional.FuncGraph``) sets these: ops
    # built while it is the default graph may use tensors of the graphs around it.
    outer_graph = None

    def captures_from(self, graph) -> bool:
        """True when ops of this graph may take tensors of ``graph`` as inputs.

        A plain graph only uses its own tensors; a function body also captures
        tensors of the graphs it is nested in.
        """
        return graph is self

    def __init__(self):
        self._ops: list[Operation] = []
        self._ops_by_name: dict[str, Operation] = {}
        self._names_in_use: dict[str, int] = {}
        self._collections: dict[str, list] = {}
        self._finalized = False
        self._lock = threading.RLock()
        self._thread = _ThreadState()
        self._unfeedable: set = set()
        self._unfetchable: set = set()
        self.seed = None
        self._container = ""
        self._gradient_override_map: dict[str, str] = {}  # op type -> gradient's op type

    # -- construction -------------------------------------------------------------

    @property
    def version(self) -> int:
        """Grows by one for every op added (0 means empty): ops are never removed."""
        return len(self._ops)

    @property
    def finalized(self) -> bool:
        return self._finalized

    @property
    def building_function(self) -> bool:
        """Whether this graph is a function's body (TF's ``FuncGraph``); ``False`` here."""
        return False

    @property
    def collections(self) -> list:
        """The names of this graph's collections, empty ones too, in the order made.

        Examples
        --------
        >>> g = Graph()
        >>> g.add_to_collection("mine", 3)
        >>> g.collections
        ['mine']
        """
        with self._lock:
            return list(self._collections)

    def finalize(self) -> None:
        """Make the graph read-only: adding ops then raises ``RuntimeError``."""
        self._finalized = True

    def _check_not_finalized(self) -> None:
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")

    def _unsafe_unfinalize(self) -> None:
        self._finalized = False

    def create_op(
        self,
        op_type,
        inputs,
        dtypes=None,
        input_types=None,
        name=None,
        attrs=None,
        op_def=None,
        compute_shapes=True,
        compute_device=True,
    ) -> Operation:
        """Add an op of ``op_type`` to this graph: TF's low-level builder.

        Parameters
        ----------
        op_type : str
            A registered op type.
        inputs : list of Tensor
        dtypes, input_types, op_def, compute_shapes, compute_device : ignored
            As in TF 2.x: output types follow from the OpDef, shapes and devices are
            always computed.
        name : str, optional
            Made unique in the graph (default: ``op_type``); a name ending in ``/`` is
            taken as is.
        attrs : dict, optional
            ``AttrValue``s (or plain Python values); missing type and length attrs are
            set from the inputs, missing others take their defaults.

        Returns
        -------
        Operation

        Raises
        ------
        ValueError
            Attrs or inputs that do not fit the OpDef, in TF's NodeDef words.

        Examples
        --------
        >>> import runtime as tf
        >>> g = tf.Graph()
        >>> with g.as_default():
        ...     x = tf.constant([6, 3])
        ...     op = g.create_op("BitwiseAnd", [x, x], name="both")
        >>> op.name, op.get_attr("T"), op.outputs[0].shape
        ('both', tf.int32, TensorShape([Dimension(2)]))
        """
        del dtypes, input_types, op_def, compute_shapes, compute_device  # as TF 2.x
        from .ops.core import create_node_op

        return create_node_op(self, op_type, list(inputs), name, attrs or {})

    def create_op_unchecked(self, op_type, inputs, attrs, specs, name, traceback=None):
        """Add an op whose inputs and output specs were already validated.

        ``runtime.ops.core.apply_op`` is the one caller: it converts inputs and runs
        shape inference before the graph changes, so a bad op never enters the graph.
        """
        state = self._thread
        with self._lock:
            self._check_not_finalized()
            control_inputs = self._current_control_inputs(inputs) if state.control_stack else ()
            colocation = state.colocation_stack
            if colocation:
                attrs = dict(attrs)
                groups = {g for c in colocation for g in c.colocation_groups()}
                attrs["_class"] = sorted(groups)
            if self._gradient_override_map and op_type in self._gradient_override_map:
                gradient_type = self._gradient_override_map[op_type].encode()
                attrs = {**attrs, "_gradient_op_type": gradient_type}
            op = Operation(
                self,
                name,
                op_type,
                inputs,
                attrs,
                "",
                control_inputs,
                capture_frames() if traceback is None else traceback,
            )
            # A loop, not a comprehension: a comprehension is one more call per op built.
            outputs = []
            for i, (dtype, shape) in enumerate(specs):
                outputs.append(Tensor(op, i, dtype, shape))
            op._outputs = tuple(outputs)
            if state.device_stack or colocation:  # the call is skipped for the common plain op
                self._apply_device(op, colocation)
            op._original_op = state.original_op
            for scope in state.control_stack:
                scope.created.add(op)
            # Lists are made on first use: a graph's many leaf tensors then hold no empty
            # list each, and the garbage collector has fewer objects to scan.
            for tensor in op._inputs:
                if tensor._consumers:
                    tensor._consumers.append(op)
                else:
                    tensor._consumers = [op]
            for control in control_inputs:
                if control._control_outputs:
                    control._control_outputs.append(op)
                else:
                    control._control_outputs = [op]
            op._id = len(self._ops) + 1  # the graph's version once this op is in
            self._ops.append(op)
            self._ops_by_name[name] = op
        context = state.control_flow_context
        if context is not None:
            # A TF1 cond or while body: the context wires the op into its frame.
            op._control_flow_context = context
            context.add_op(op)
        return op

    def _apply_device(self, op: Operation, colocation) -> None:
        state = self._thread
        if state.device_stack:
            if state.merged_device is not None:
                op._device = state.merged_device
            else:
                op._device = _resolve_device(state.device_stack, op)
        # As in TF, colocation is stronger than device scopes: the innermost colocated
        # op that has a device gives it.
        for target in reversed(colocation):
            if target.device:
                op._device = target.device
                return

    def _current_control_inputs(self, inputs) -> list[Operation]:
        # TF's rule: an op with an input made inside a control_dependencies block
        # already runs after that block's control ops, so it gets no copy of them.
        input_ops = {tensor.op for tensor in inputs}
        seen: list[Operation] = []
        for scope in self._thread.control_stack:
            if not scope.created.isdisjoint(input_ops):
                continue
            for op in scope.ops:
                if op not in input_ops and op not in seen:
                    seen.append(op)
        return seen

    def unique_name(self, name: str, mark_as_used: bool = True) -> str:
        """Prefix ``name`` with the current name scope and make it unique.

        Examples
        --------
        >>> g = Graph()
        >>> g.unique_name("foo"), g.unique_name("foo"), g.unique_name("foo_1")
        ('foo', 'foo_1', 'foo_1_1')
        """
        prefix = self._thread.name_stack
        if prefix:
            name = f"{prefix}/{name}"
        key = name.lower()
        with self._lock:
            count = self._names_in_use.get(key, 0)
            if mark_as_used:
                self._names_in_use[key] = count + 1
            if count > 0:
                base = key
                while key in self._names_in_use:
                    key = f"{base}_{count}"
                    count += 1
                if mark_as_used:
                    self._names_in_use[key] = 1
                name = f"{name}_{count - 1}"
        return name

    def get_name_scope(self) -> str:
        """The current name scope (``''`` at top level)."""
        return self._thread.name_stack

    @contextlib.contextmanager
    def name_scope(self, name):
        """Open a name scope; yields the scope's name with a trailing ``/``.

        ``None`` or ``''`` resets to the top level; a name ending in ``/`` is used as
        is (re-entering an existing scope); any other name is made unique.

        Examples
        --------
        >>> g = Graph()
        >>> with g.name_scope("layer") as scope:
        ...     print(scope, g.unique_name("w"))
        layer/ layer/w
        >>> with g.name_scope("layer") as scope:
        ...     print(scope)
        layer_1/
        """
        state = self._thread
        old = state.name_stack
        if isinstance(name, bytes):
            name = name.decode()
        if name:
            _check_scope_name(name, nested=bool(old))
        if not name:
            new = ""
        elif name.endswith("/"):
            new = name[:-1]
        else:
            new = self.unique_name(name)
        state.name_stack = new
        try:
            yield f"{new}/" if new else ""
        finally:
            state.name_stack = old

    @contextlib.contextmanager
    def control_dependencies(self, control_inputs):
        """Ops created inside run only after ``control_inputs``; ``None`` clears them (and,
        as in TF, the TF1 cond or while context being built).

        Examples
        --------
        >>> import runtime as tf
        >>> g = tf.Graph()
        >>> with g.as_default():
        ...     a = tf.constant(1)
        ...     with g.control_dependencies([a]):
        ...         b = tf.constant(2)
        >>> b.op.control_inputs == [a.op]
        True
        """
        state = self._thread
        old = state.control_stack
        old_context = state.control_flow_context
        if control_inputs is None:
            # As TF's: also outside any TF1 cond or while context being built.
            state.control_stack = []
            state.control_flow_context = None
        else:
            ops = [self._control_op(c) for c in control_inputs]
            state.control_stack = [*old, _ControlScope(ops)]
        try:
            yield
        finally:
            state.control_stack = old
            state.control_flow_context = old_context

    def _control_op(self, item) -> Operation:
        element = self.as_graph_element(item, allow_tensor=True, allow_operation=True)
        return element.op if isinstance(element, Tensor) else element

    @contextlib.contextmanager
    def device(self, device_name_or_function):
        """Request a device for ops created inside (a string, a function or ``None``).

        Inner scopes set fields; outer ones fill only what inner ones left unset.
        ``None`` ignores every enclosing scope.

        Examples
        --------
        >>> import runtime as tf
        >>> g = tf.Graph()
        >>> with g.as_default(), g.device("/job:ps"), g.device("/cpu:1"):
        ...     c = tf.constant(1.0)
        >>> c.device
        '/job:ps/device:CPU:1'
        """
        entry = device_name_or_function
        if isinstance(entry, str) or entry is None or hasattr(entry, "to_string"):
            entry = None if entry is None else canonical_name(entry)
        elif not callable(entry):
            raise TypeError(
                f"tf.device() expects a device string, DeviceSpec, function or None, got {entry!r}"
            )
        state = self._thread
        old_stack, old_merged = state.device_stack, state.merged_device
        pushed = state.device_stack = [*old_stack, entry]
        state.merged_device = _resolve_device(state.device_stack, None)
        try:
            yield
        finally:
            if state.device_stack is not pushed:  # an inner scope is still open: as TF
                raise RuntimeError("Exiting device scope without proper scope nesting.")
            state.device_stack, state.merged_device = old_stack, old_merged

    @contextlib.contextmanager
    def colocate_with(self, op, ignore_existing: bool = False):
        """Place ops created inside with ``op``; device scopes are ignored inside.

        Examples
        --------
        >>> import runtime as tf
        >>> g = tf.Graph()
        >>> with g.as_default():
        ...     with g.device("/cpu:1"):
        ...         a = tf.constant(1.0, name="a")
        ...     with g.colocate_with(a.op), g.device("/cpu:0"):
        ...         b = tf.identity(a)
        >>> b.device, b.op.colocation_groups()
        ('/device:CPU:1', [b'loc:@a'])
        """
        if op is None and not ignore_existing:
            raise ValueError(
                "Trying to reset colocation (op is None) but ignore_existing is not True"
            )
        state = self._thread
        old = (state.colocation_stack, state.device_stack, state.merged_device)
        target = [] if op is None else [self._control_op(op)]
        state.colocation_stack = target if ignore_existing else [*state.colocation_stack, *target]
        state.device_stack, state.merged_device = [], ""
        try:
            yield
        finally:
            state.colocation_stack, state.device_stack, state.merged_device = old

    @contextlib.contextmanager
    def gradient_override_map(self, op_type_map: dict):
        """Ops of the mapped types created inside take their gradient from the gradient
        registered under the mapped name (their ``_gradient_op_type`` attr), as TF's.

        Examples
        --------
        >>> import runtime as tf
        >>> @tf.RegisterGradient("DoctestDoubledIdentity")
        ... def _doubled(op, grad):
        ...     return 2.0 * grad
        >>> g = tf.Graph()
        >>> with g.as_default():
        ...     x = tf.constant(3.0)
        ...     with g.gradient_override_map({"Identity": "DoctestDoubledIdentity"}):
        ...         y = tf.identity(x)
        ...     print(tf.Session().run(tf.gradients(y, x)))
        [np.float32(2.0)]
        """
        if not isinstance(op_type_map, dict):
            raise TypeError("op_type_map must be a dictionary mapping strings to strings")
        for op_type, mapped in op_type_map.items():
            if not (isinstance(op_type, str) and isinstance(mapped, str)):
                raise TypeError("op_type_map must be a dictionary mapping strings to strings")
        saved = dict(self._gradient_override_map)
        self._gradient_override_map.update(op_type_map)
        try:
            yield
        finally:
            for op_type in op_type_map:
                if op_type in saved:
                    self._gradient_override_map[op_type] = saved[op_type]
                else:
                    del self._gradient_override_map[op_type]

    @contextlib.contextmanager
    def _original_op(self, op: Operation):
        """Ops created inside record ``op`` as the op they were made from (for errors).

        Examples
        --------
        >>> import runtime as tf
        >>> g = tf.Graph()
        >>> with g.as_default():
        ...     a = tf.constant(1.0, name="a")
        ...     with g._original_op(a.op):
        ...         b = tf.identity(a, name="b")
        >>> b.op._original_op is a.op
        True
        """
        state = self._thread
        old, state.original_op = state.original_op, op
        try:
            yield
        finally:
            state.original_op = old

    @contextlib.contextmanager
    def container(self, container_name: str):
        """Resources (variables, queues) created inside live in ``container_name``."""
        old, self._container = self._container, container_name
        try:
            yield container_name
        finally:
            self._container = old

    # -- default graph ------------------------------------------------------------

    def as_default(self):
        """Make this graph the default graph of the current thread (a context manager)."""
        return _default_graph_stack.get_controller(self)

    # -- lookup -------------------------------------------------------------------

    def get_operations(self) -> list[Operation]:
        """Every op, in creation order."""
        with self._lock:
            return list(self._ops)

    def operations_since(self, version: int) -> list[Operation]:
        """The ops added after the graph was at ``version``, in creation order.

        Examples
        --------
        >>> import runtime as tf
        >>> g = tf.Graph()
        >>> with g.as_default():
        ...     _ = tf.constant(1.0, name="a")
        ...     version = g.version
        ...     _ = tf.constant(2.0, name="b")
        >>> [op.name for op in g.operations_since(version)]
        ['b']
        """
        with self._lock:
            return [op for op in self._ops if op._id > version]

    def get_operation_by_name(self, name: str) -> Operation:
        """The op called ``name``; ``KeyError`` (with a hint) if there is none."""
        if not isinstance(name, str):
            raise TypeError(f"Operation names are strings (or similar), not {type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=False, allow_operation=True)

    def get_tensor_by_name(self, name: str) -> Tensor:
        """The tensor called ``name`` (``"op:0"``)."""
        if not isinstance(name, str):
            raise TypeError(f"Tensor names are strings (or similar), not {type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=True, allow_operation=False)

    def as_graph_element(self, obj, allow_tensor: bool = True, allow_operation: bool = True):
        """Resolve ``obj`` (a Tensor, Operation, name or variable) to an element of this graph.

        Examples
        --------
        >>> import runtime as tf
        >>> g = tf.Graph()
        >>> with g.as_default():
        ...     c = tf.constant(1.0, name="c")
        >>> g.as_graph_element("c:0") is c, g.as_graph_element("c") is c.op
        (True, True)
        >>> g.as_graph_element("c:1")
        Traceback (most recent call last):
        ...
        KeyError: "The name 'c:1' refers to a Tensor which does not exist. The operation, 'c', exists but only has 1 outputs."
        """
        if allow_tensor and allow_operation:
            kinds = "Tensor or Operation"
        elif allow_tensor:
            kinds = "Tensor"
        else:
            kinds = "Operation"
        if isinstance(obj, bytes):
            obj = obj.decode()
        convert = getattr(obj, "_as_graph_element", None)
        if convert is not None and not isinstance(obj, str):
            element = convert()
            return self._check_element(element, obj, allow_tensor, allow_operation, kinds)
        if isinstance(obj, str):
            return self._element_by_name(obj, allow_tensor, allow_operation, kinds)
        raise TypeError(f"Can not convert a {type(obj).__name__} into a {kinds}.")

    def _check_element(self, element, obj, allow_tensor, allow_operation, kinds):
        if (isinstance(element, Tensor) and allow_tensor) or (
            isinstance(element, Operation) and allow_operation
        ):
            owner = element.graph
        else:
            raise TypeError(f"Can not convert a {type(obj).__name__} into a {kinds}.")
        if owner is not self:
            raise ValueError(f"{element} is not an element of this graph.")
        return element

    def _element_by_name(self, name, allow_tensor, allow_operation, kinds):
        if ":" in name:
            if not allow_tensor:
                raise ValueError(f"Name '{name}' appears to refer to a Tensor, not a {kinds}.")
            op_name, _, index = name.rpartition(":")
            if not index.isdigit():
                raise ValueError(
                    f"The name '{name}' looks a like a Tensor name, but is not a valid one."
                )
            op = self._ops_by_name.get(op_name)
            if op is None:
                raise KeyError(
                    f"The name '{name}' refers to a Tensor which does not exist. The "
                    f"operation, '{op_name}', does not exist in the graph.{self._hint(op_name)}"
                )
            if int(index) >= len(op._outputs):
                raise KeyError(
                    f"The name '{name}' refers to a Tensor which does not exist. The "
                    f"operation, '{op_name}', exists but only has {len(op._outputs)} outputs."
                )
            return op._outputs[int(index)]
        op = self._ops_by_name.get(name)
        if op is None:
            raise KeyError(
                f"The name '{name}' refers to an Operation not in the graph.{self._hint(name)}"
            )
        if not allow_operation:
            raise ValueError(
                f"The name '{name}' refers to an Operation, not a {kinds}. Tensor names must "
                f'be of the form "<op_name>:<output_index>".'
            )
        return op

    def _hint(self, name: str) -> str:
        import difflib

        # Names are unique regardless of case, so compare them in lower case.
        by_lower = {known.lower(): known for known in self._ops_by_name}
        close = difflib.get_close_matches(name.lower(), list(by_lower), n=1)
        return f" Did you mean '{by_lower[close[0]]}'?" if close else ""

    # -- collections --------------------------------------------------------------

    def add_to_collection(self, name: str, value) -> None:
        """Append ``value`` to collection ``name``."""
        self._check_not_finalized()
        with self._lock:
            self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names, value) -> None:
        """Append ``value`` to each of ``names`` (a name or a list of them)."""
        for name in [names] if isinstance(names, str) else set(names):
            self.add_to_collection(name, value)

    def get_collection(self, name: str, scope: str | None = None) -> list:
        """A copy of collection ``name``, filtered to items whose name matches ``scope``."""
        with self._lock:
            items = list(self._collections.get(name, []))
        if scope is None:
            return items
        pattern = re.compile(scope)
        return [item for item in items if pattern.match(getattr(item, "name", "") or "")]

    def get_collection_ref(self, name: str) -> list:
        """The collection list itself (created if missing)."""
        with self._lock:
            return self._collections.setdefault(name, [])

    def clear_collection(self, name: str) -> None:
        self._check_not_finalized()
        with self._lock:
            self._collections.pop(name, None)

    def get_all_collection_keys(self) -> list[str]:
        with self._lock:
            return [key for key, items in self._collections.items() if items]

    # -- feeding and fetching rules -----------------------------------------------

    @contextlib.contextmanager
    def _all_or_nothing(self):
        """Ops added inside are taken out again if the block fails (``import_graph_def``
        is all or nothing, as TF's): the graph is left as it was, names included."""
        with self._lock:
            version = len(self._ops)
            names = dict(self._names_in_use)
            try:
                yield
            except BaseException:
                self._remove_ops_since(version)
                self._names_in_use = names
                raise

    def _remove_ops_since(self, version: int) -> None:
        removed = self._ops[version:]
        gone = set(removed)
        del self._ops[version:]
        for op in removed:
            self._ops_by_name.pop(op._name, None)
            for tensor in op._inputs:
                if tensor._consumers and tensor.op not in gone:
                    tensor._consumers = [c for c in tensor._consumers if c not in gone]
            for control in op._control_inputs:
                if control._control_outputs and control not in gone:
                    control._control_outputs = [
                        c for c in control._control_outputs if c not in gone
                    ]
        for names in self._collections.values():
            names[:] = [item for item in names if getattr(item, "op", item) not in gone]

    def _get_control_flow_context(self):
        """The TF1 cond/while context ops built in this thread join, or ``None``."""
        return self._thread.control_flow_context

    def _set_control_flow_context(self, context) -> None:
        self._thread.control_flow_context = context

    def prevent_feeding(self, tensor: Tensor) -> None:
        self._unfeedable.add(tensor)

    def prevent_fetching(self, op: Operation) -> None:
        self._unfetchable.add(op)

    def is_feedable(self, tensor: Tensor) -> bool:
        return tensor not in self._unfeedable

    def is_fetchable(self, element) -> bool:
        op = element.op if isinstance(element, Tensor) else element
        return op not in self._unfetchable

    # -- serialisation ------------------------------------------------------------

    def as_graph_def(self, from_version=None, add_shapes: bool = False):
        """The graph as TF's ``GraphDef`` message (``runtime.graph_def.graph_def_of``
        gives the runtime's own form)."""
        from .graph_def import graph_def_of
        from .protobuf import to_proto

        return to_proto(graph_def_of(self, from_version=from_version, add_shapes=add_shapes))

    @property
    def graph_def_versions(self):
        from .graph_def import MIN_CONSUMER, PRODUCER
        from .proto import graph_pb2

        return graph_pb2.VersionDef(producer=PRODUCER, min_consumer=MIN_CONSUMER)

    def __repr__(self):
        return f"<tf.Graph with {len(self._ops)} ops>"


def _resolve_device(stack, op: Operation | None) -> str | None:
    """Apply a device stack innermost first, TF's rule; ``None`` stops the walk.

    Without an ``op`` the result is the device every op gets, or ``None`` when a
    device function must see the op to decide.
    """
    device = ""
    for entry in reversed(stack):
        if entry is None:
            break
        if callable(entry):
            if op is None:
                return None
            op._device = device
            device = _function_device(entry(op))
        else:
            device = merge_device(entry, device)
    return device


def _function_device(device) -> str:
    """What a device function returned, as TF keeps it: a string as written ("/cpu:0").

    A ``DeviceSpec`` becomes its canonical string. The string is still parsed here, so a
    malformed one fails where the op is made.
    """
    if hasattr(device, "to_string"):
        return device.to_string()
    canonical_name(device)
    return device or ""


def _check_scope_name(name: str, nested: bool) -> None:
    # TF's rule: a scope opened at the top level must also be a valid op name; inside
    # another scope it may start with '_', '-', '/' or '\\'.
    pattern = _VALID_SCOPE_NAME if nested else _VALID_OP_NAME
    if not isinstance(name, str) or not pattern.match(name):
        raise ValueError(
            f"'{name}' is not a valid scope name. A scope name has to match the following "
            f"pattern: {pattern.pattern}"
        )


def _node_def_inputs(name: str, inputs, input_types) -> list:
    """``Operation.from_node_def``'s inputs, checked as TF checks them."""
    if inputs is None:
        return []
    if not isinstance(inputs, list):
        raise TypeError(
            f"Argument inputs shall be a list of Tensors. Received an instance of type {type(inputs)}"
        )
    for tensor in inputs:
        if not isinstance(tensor, Tensor):
            raise TypeError(
                f"Items of argument inputs shall be Tensor. Received an instance of type {type(tensor)}."
            )
    if input_types is not None:
        given = [tensor.dtype for tensor in inputs]
        if len(given) != len(input_types) or any(
            t.base_dtype is not g.base_dtype for t, g in zip(input_types, given)
        ):
            raise TypeError(
                f"In op '{name}', input types ({given}) are not compatible with expected "
                f"types ({list(input_types)})"
            )
    return inputs


def _node_def_control(graph, control) -> Operation:
    if not isinstance(getattr(control, "op", control), Operation):
        raise TypeError(
            "Control input must be an Operation, a Tensor, or IndexedSlices. "
            f"Received an instance of type {type(control)}."
        )
    return graph._control_op(control)


def check_op_name(name: str) -> None:
    """``ValueError`` unless ``name`` is a valid TF op name."""
    if name in _valid_names:  # builders pass the same few names ("add", "MatMul") again and again
        return
    if not _VALID_OP_NAME.match(name):
        raise ValueError(f"'{name}' is not a valid node name")
    if len(_valid_names) < 10_000:
        _valid_names.add(name)


_valid_names: set = set()


class _DefaultGraphStack(threading.local):
    """Per-thread stack of default graphs over one process-wide global default."""

    global_default: Graph | None = None

    def __init__(self):
        self.stack: list[Graph] = []

    def get_default(self) -> Graph:
        if self.stack:
            return self.stack[-1]
        if _DefaultGraphStack.global_default is None:
            _DefaultGraphStack.global_default = Graph()
        return _DefaultGraphStack.global_default

    def reset(self) -> None:
        if self.stack:
            raise AssertionError(
                "Do not use tf.reset_default_graph() to clear nested graphs. If you need a "
                "cleared graph, exit the nesting and create a new graph."
            )
        _DefaultGraphStack.global_default = None

    @contextlib.contextmanager
    def get_controller(self, graph: Graph):
        self.stack.append(graph)
        try:
            yield graph
        finally:
            if not self.stack or self.stack[-1] is not graph:
                raise AssertionError("Nesting violated for default stack of Graph objects")
            self.stack.pop()


_default_graph_stack = _DefaultGraphStack()


def get_default_graph() -> Graph:
    """The default graph of the current thread.

    Examples
    --------
    >>> g = Graph()
    >>> with g.as_default():
    ...     get_default_graph() is g
    True
    """
    return _default_graph_stack.get_default()


def reset_default_graph() -> None:
    """Replace the global default graph with a new, empty one."""
    _default_graph_stack.reset()


def graph_of(values, default: Graph | None = None) -> Graph:
    """The graph the tensors/ops among ``values`` belong to; ``ValueError`` on a mix.

    Examples
    --------
    >>> graph_of([1.0, 2]) is get_default_graph()
    True
    """
    found = None
    for value in values:
        element = value
        if not isinstance(value, (Tensor, Operation)):
            convert = getattr(value, "_as_graph_element", None)
            if convert is None or isinstance(value, str):
                continue
            element = convert()
            if not isinstance(element, (Tensor, Operation)):
                continue
        if found is None:
            found = element
        elif element.graph is not found.graph and _building_graph(
            element.graph
        ) is not _building_graph(found.graph):
            raise ValueError(f"{element} must be from the same graph as {found}.")
    if found is not None:
        return _building_graph(found.graph)
    return default if default is not None else get_default_graph()


def _building_graph(graph: Graph) -> Graph:
    """``graph``, or the function body being traced, which captures from ``graph``."""
    current = get_default_graph()
    return current if current is not graph and current.captures_from(graph) else graph
