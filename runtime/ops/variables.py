"""TF1 reference variables: ``Variable``, the state ops, initializers of variables.

A ``Variable`` is the group of ops TF1 draws for it::

    v/initial_value (Const) ──> v/Assign <──& v (VariableV2) &──> v/read (Identity)

``v`` outputs a reference (dtype ``float32_ref``); ``v/Assign`` is the initializer;
``v/read`` is what every use of the variable as a tensor consumes. The value lives in
the session (``runtime.kernels.state``), so one graph can run in several sessions, each
with its own variable values.

Reference variables are the only kind here: ``use_resource=True`` (and
``tf.enable_resource_variables()``) is accepted and still makes one, so its ``dtype`` is
``float32_ref`` and its ops ``VariableV2``/``Assign``/``Identity`` where TF's resource
variable has ``float32`` and ``VarHandleOp``/``AssignVariableOp``/``ReadVariableOp``.
Its values are the same: a read made after an update (in a ``control_dependencies``
block) sees the update, as a resource variable's does.
"""

from __future__ import annotations

import contextlib

from .. import dtypes
from ..graph import Operation, Tensor, get_default_graph, graph_of
from ..graph_keys import GraphKeys
from ..object_identity import Reference
from ..registry import OpDef, TensorSpec, register_op
from ..shapes import TensorShape, as_shape
from .array_ops import boolean_mask, concat, identity, split, stack
from .control_flow_ops import cond, group, no_op
from .core import apply_op, constant, convert_to_tensor, register_tensor_conversion_function
from .math_ops import logical_not
from .shape_util import merge_shapes

__all__ = ["Variable"]  # PartitionedVariable is TF1-only: see runtime.compat.v1


# -- op definitions -------------------------------------------------------------------


def _variable_shape(*, shape, dtype, container, shared_name):
    return [TensorSpec(dtype._as_ref, shape)]


def _assign_shape(ref, value, *, T, validate_shape, use_locking):
    shape = merge_shapes(ref.shape, value.shape) if validate_shape else value.shape
    return [TensorSpec(T._as_ref, shape)]


def _update_shape(ref, value, *, T, use_locking):
    return [TensorSpec(T._as_ref, merge_shapes(ref.shape, value.shape))]


VARIABLE_V2 = register_op(
    OpDef(
        "VariableV2",
        (),
        ("ref: Ref(dtype)",),
        ("shape: shape", "dtype: type", "container: string = ''", "shared_name: string = ''"),
        shape_fn=_variable_shape,
        is_stateful=True,
    )
)
ASSIGN = register_op(
    OpDef(
        "Assign",
        ("ref: Ref(T)", "value: T"),
        ("output_ref: Ref(T)",),
        ("T: type", "validate_shape: bool = true", "use_locking: bool = true"),
        shape_fn=_assign_shape,
        is_stateful=True,
    )
)


def _update_op(op_type: str) -> OpDef:
    """``AssignAdd``/``AssignSub``: a reference and a value in, the reference out."""
    return register_op(
        OpDef(
            op_type,
            ("ref: Ref(T)", "value: T"),
            ("output_ref: Ref(T)",),
            ("T: numbertype", "use_locking: bool = false"),
            shape_fn=_update_shape,
            is_stateful=True,
        )
    )


ASSIGN_ADD = _update_op("AssignAdd")
ASSIGN_SUB = _update_op("AssignSub")
IS_VARIABLE_INITIALIZED = register_op(
    OpDef(
        "IsVariableInitialized",
        ("ref: Ref(dtype)",),
        ("is_initialized: bool",),
        ("dtype: type",),
        shape_fn=lambda ref, *, dtype: [TensorSpec(dtypes.bool, TensorShape([]))],
        is_stateful=True,
    )
)


# -- builders of the state ops ----------------------------------------------------------


def ref_tensor(ref, op_type: str, input_name: str = "ref") -> Tensor:
    """The reference tensor behind ``ref`` (a ``Variable`` or a ``*_ref`` tensor).

    Raises TF's ``TypeError`` when ``ref`` is not mutable.
    """
    if isinstance(ref, Variable):
        return ref._ref()
    if isinstance(ref, Tensor) and ref.dtype.is_ref_dtype:
        return ref
    raise TypeError(
        f"'{op_type}' Op requires that input '{input_name}' be a mutable tensor "
        f"(e.g.: a tf.Variable), got {ref!r}."
    )


def _state_update(op_def: OpDef, ref, value, name, **attrs) -> Tensor:
    ref = ref_tensor(ref, op_def.name)
    dtype = ref.dtype.base_dtype
    with contextlib.ExitStack() as stack:
        if not isinstance(value, Tensor):
            scope = stack.enter_context(ref.graph.name_scope(name or op_def.name))
            value = convert_to_tensor(value, dtype=dtype, name="value")
            name = scope
        elif value.dtype.base_dtype != dtype:
            raise TypeError(
                f"Input 'value' of '{op_def.name}' Op has type {value.dtype.base_dtype.name} "
                f"that does not match type {dtype.name} of argument 'ref'."
            )
        return apply_op(op_def, [ref, value], name or op_def.name, T=dtype, **attrs).outputs[0]


def assign(ref, value, validate_shape=None, use_locking=None, name=None):
    """Store ``value`` in the variable ``ref``; returns ``ref`` after the assignment.

    Parameters
    ----------
    ref : Variable or reference tensor
    value : tensor or value of ``ref``'s dtype
    validate_shape : bool, optional
        Require ``value``'s shape to equal the variable's (default ``True``).
    use_locking : bool, optional
    name : str, optional

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     v = tf.Variable([1.0, 2.0], name="v")
    ...     a = tf.compat.v1.assign(v, [5.0, 6.0])
    ...     with tf.compat.v1.Session() as sess:
    ...         print(sess.run(a), sess.run(v))
    [5. 6.] [5. 6.]
    >>> a.op.name, a.dtype
    ('Assign', tf.float32_ref)
    """
    return _state_update(
        ASSIGN,
        ref,
        value,
        name,
        validate_shape=True if validate_shape is None else bool(validate_shape),
        use_locking=True if use_locking is None else bool(use_locking),
    )


def assign_add(ref, value, use_locking=None, name=None):
    """Add ``value`` to the variable ``ref``; returns ``ref`` after the update.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     v = tf.Variable(1.0)
    ...     inc = tf.compat.v1.assign_add(v, 2.0)
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(v.initializer)
    ...         print(sess.run(inc), sess.run(inc))
    3.0 5.0
    """
    return _state_update(ASSIGN_ADD, ref, value, name, use_locking=bool(use_locking))


def assign_sub(ref, value, use_locking=None, name=None):
    """Subtract ``value`` from the variable ``ref``; returns ``ref`` after the update.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     v = tf.Variable(10, name="v")
    ...     dec = tf.compat.v1.assign_sub(v, 3)
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(v.initializer)
    ...         print(sess.run(dec))
    7
    """
    return _state_update(ASSIGN_SUB, ref, value, name, use_locking=bool(use_locking))


def is_variable_initialized(variable) -> Tensor:
    """A boolean scalar: has ``variable`` been initialized in the session?

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     v = tf.Variable(0.0)
    ...     done = tf.compat.v1.is_variable_initialized(v)
    ...     with tf.compat.v1.Session() as sess:
    ...         before = sess.run(done)
    ...         sess.run(v.initializer)
    ...         print(before, sess.run(done))
    False True
    """
    ref = ref_tensor(variable, "IsVariableInitialized")
    return apply_op(
        IS_VARIABLE_INITIALIZED, [ref], "IsVariableInitialized", dtype=ref.dtype.base_dtype
    ).outputs[0]


# -- the Variable class -----------------------------------------------------------------


def validate_synchronization_aggregation_trainable(synchronization, aggregation, trainable, name):
    """TF's defaults and checks of a variable's distribution properties.

    Returns ``(synchronization, aggregation, trainable)``: ``AUTO`` and ``NONE`` for
    ``None``, a value given as its number turned into the enum, and ``trainable``
    defaulting to ``False`` only for an ``ON_READ`` variable (one whose copies are
    summed when read, such as a metric's count).

    Raises
    ------
    ValueError
        A value that is not one of the enums' (TF's message, naming ``name``).

    Examples
    --------
    >>> validate_synchronization_aggregation_trainable(3, 1, None, "v")
    (<VariableSynchronization.ON_READ: 3>, <VariableAggregation.SUM: 1>, False)
    >>> validate_synchronization_aggregation_trainable(None, "sum", None, "v")
    Traceback (most recent call last):
    ...
    ValueError: Invalid variable aggregation mode: sum for variable: v
    """
    # The enums live with TF1's other variable names, which import this module.
    from ..variables_v1 import VariableAggregation, VariableSynchronization

    aggregation = _enum_member(
        VariableAggregation, aggregation, VariableAggregation.NONE, "aggregation", name
    )
    synchronization = _enum_member(
        VariableSynchronization,
        synchronization,
        VariableSynchronization.AUTO,
        "synchronization",
        name,
    )
    if trainable is None:
        trainable = synchronization != VariableSynchronization.ON_READ
    return synchronization, aggregation, trainable


def _enum_member(enum_class, value, default, what: str, name):
    if value is None:
        return default
    try:
        return enum_class(value)
    except ValueError:
        raise ValueError(f"Invalid variable {what} mode: {value} for variable: {name}") from None


@contextlib.contextmanager
def init_scope(graph):
    """Build outside any control-dependency context, as TF's ``init_scope`` does.

    A variable's ops are created once and must not wait on whatever ops happen to be
    in a ``control_dependencies`` block around the line that made it.
    """
    with graph.control_dependencies(None):
        yield


class Variable:
    """A TF1 reference variable (``tf.compat.v1.Variable``; also ``tf.Variable`` here).

    Parameters
    ----------
    initial_value : tensor, value, or callable returning one
        The value the initializer assigns; its shape is the variable's shape.
    trainable : bool, optional
        Add to ``TRAINABLE_VARIABLES`` (default ``True``).
    collections : list of str, optional
        Graph collections to add to (default ``[GraphKeys.GLOBAL_VARIABLES]``).
    validate_shape : bool
        When ``False`` the variable's shape is unknown and may change on assignment.
    name : str, optional
        Default ``"Variable"``.
    dtype : DType, optional
        Converts ``initial_value`` to this type.
    shape : TensorShape, optional
        The static shape (default: that of ``initial_value``).
    constraint : callable, optional
        ``constraint(variable) -> tensor``: optimizers assign it to the variable after
        each update (e.g. a norm bound from ``tf.layers``' ``kernel_constraint``).
    caching_device : str or function, optional
        Where the variable's read (``v/read``) is placed, instead of with the variable:
        as TF's, a copy of the value on the device that uses it.
    use_resource : bool, optional
        Accepted; the variable is a reference variable either way (see the module's
        notes).
    synchronization : VariableSynchronization, optional
    aggregation : VariableAggregation, optional
        How a distributed variable's copies agree and combine updates; recorded (as
        ``v.synchronization`` and ``v.aggregation``, validated as TF does) for code that
        reads them. There is one copy here. An ``ON_READ`` variable is not trainable
        unless ``trainable`` says so.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default() as g:
    ...     w = tf.Variable([[1.0, 2.0]], name="w")
    ...     y = w * 2.0
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.global_variables_initializer())
    ...         print(sess.run(y))
    [[2. 4.]]
    >>> w
    <tf.Variable 'w:0' shape=(1, 2) dtype=float32_ref>
    >>> [op.name for op in g.get_operations()][:4]
    ['w/initial_value', 'w', 'w/Assign', 'w/read']
    """

    __array_priority__ = 100  # numpy defers to the reflected operators
    _save_slice_info = None  # set on the parts of a PartitionedVariable

    class SaveSliceInfo:
        """Where a variable sits in the full variable it is a part of, for checkpoints:
        the full variable's name and shape, this part's offset and shape.

        Examples
        --------
        >>> info = Variable.SaveSliceInfo("emb", [10, 4], [5, 0], [5, 4])
        >>> info.spec
        '10 4 5,5:0,4'
        """

        def __init__(self, full_name=None, full_shape=None, var_offset=None, var_shape=None):
            self.full_name = full_name
            self.full_shape = list(full_shape) if full_shape is not None else None
            self.var_offset = list(var_offset) if var_offset is not None else None
            self.var_shape = list(var_shape) if var_shape is not None else None

        @property
        def spec(self) -> str:
            """TF's ``shape_and_slice`` text: the full shape, then ``offset,size`` per
            dimension."""
            full = " ".join(str(d) for d in self.full_shape)
            part = ":".join(f"{o},{n}" for o, n in zip(self.var_offset, self.var_shape))
            return f"{full} {part}"

    def _set_save_slice_info(self, save_slice_info) -> None:
        self._save_slice_info = save_slice_info

    def _get_save_slice_info(self):
        return self._save_slice_info

    def __init__(
        self,
        initial_value=None,
        trainable=None,
        collections=None,
        validate_shape=True,
        name=None,
        dtype=None,
        shape=None,
        constraint=None,
        caching_device=None,
        use_resource=None,
        synchronization=None,
        aggregation=None,
    ):
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        if constraint is not None and not callable(constraint):
            raise ValueError(f"The `constraint` argument must be a callable. Got: {constraint}")
        self._constraint = constraint
        self._synchronization, self._aggregation, trainable = (
            validate_synchronization_aggregation_trainable(
                synchronization, aggregation, trainable, name
            )
        )
        graph = graph_of([initial_value]) if not callable(initial_value) else get_default_graph()
        dtype = None if dtype is None else dtypes.as_dtype(dtype)
        self._trainable = bool(trainable)
        with init_scope(graph), graph.name_scope(name or "Variable") as scope:
            self._initial_value = _initial_tensor(initial_value, dtype, graph)
            if not callable(initial_value):
                _check_outside_control_flow(scope, self._initial_value)
            if shape is not None:
                static = as_shape(shape)
            elif validate_shape:
                static = self._initial_value.shape
                if not static.is_fully_defined():  # TF's check: say validate_shape=False
                    raise ValueError(
                        f"initial_value must have a shape specified: {self._initial_value}"
                    )
            else:
                static = TensorShape(None)
            self._variable = apply_op(
                VARIABLE_V2,
                [],
                scope,
                graph=graph,
                shape=static,
                dtype=self._initial_value.dtype.base_dtype,
                container=graph._container,
                shared_name="",
            ).outputs[0]
            self._initializer_op = assign(
                self._variable,
                _guard_initial_value(scope, self._initial_value),
                validate_shape=validate_shape,
                name="Assign",
            ).op
            self._snapshot = _first_read(graph, self._variable, caching_device)
        if collections is None:
            collections = [GraphKeys.GLOBAL_VARIABLES]
        if self._trainable and GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections = [*collections, GraphKeys.TRAINABLE_VARIABLES]
        graph.add_to_collections(collections, self)

    @classmethod
    def _from_existing_ops(cls, variable, initializer, snapshot, initial_value, trainable=True):
        """A ``Variable`` over ops already in a graph (those of an imported meta graph):
        the ``VariableV2`` output, its ``Assign`` initializer, its ``read`` snapshot."""
        self = cls.__new__(cls)
        self._variable, self._initializer_op, self._snapshot = variable, initializer, snapshot
        self._initial_value, self._trainable, self._constraint = initial_value, trainable, None
        self._synchronization, self._aggregation, _ = (
            validate_synchronization_aggregation_trainable(None, None, trainable, None)
        )
        return self

    # -- what the variable is made of -----------------------------------------------

    name = property(lambda self: self._variable.name, doc="``'v:0'``")
    op = property(lambda self: self._variable.op, doc="The ``VariableV2`` op.")
    graph = property(lambda self: self._variable.graph)
    device = property(lambda self: self._variable.device)
    dtype = property(lambda self: self._variable.dtype, doc="The reference dtype (float32_ref).")
    shape = property(lambda self: self._variable.shape)
    trainable = property(lambda self: self._trainable)
    initial_value = property(lambda self: self._initial_value)
    initializer = property(lambda self: self._initializer_op, doc="The ``Assign`` op.")
    constraint = property(lambda self: self._constraint, doc="Applied after optimizer updates.")
    synchronization = property(
        lambda self: self._synchronization, doc="``VariableSynchronization.AUTO`` by default."
    )
    aggregation = property(
        lambda self: self._aggregation, doc="``VariableAggregation.NONE`` by default."
    )

    def get_shape(self) -> TensorShape:
        return self.shape

    def value(self) -> Tensor:
        """The tensor a use of the variable reads here: ``v/read``, or, inside a
        ``control_dependencies`` block that orders a reader of the variable, a new read
        made under the block's control inputs.

        TF's ``v/read`` aliases the variable's buffer, so a reader ordered after an
        update sees the update through it (``tf.identity(v)`` after an ``assign_add``,
        ``ema.apply([w])`` after the train op); here a read holds the value it saw, so
        the read itself goes after the block's control inputs.

        Examples
        --------
        >>> import runtime as tf
        >>> with tf.Graph().as_default():
        ...     v = tf.Variable(1.0)
        ...     inc = tf.compat.v1.assign_add(v, 10.0)
        ...     with tf.control_dependencies([inc]):
        ...         y = tf.identity(v)
        ...     with tf.compat.v1.Session() as sess:
        ...         sess.run(v.initializer)
        ...         print(sess.run(y))
        11.0
        """
        graph = self.graph
        if get_default_graph() is graph and graph._current_control_inputs([self._variable]):
            return self.read_value()
        return self._snapshot

    def read_value(self) -> Tensor:
        """A new read of the variable (an ``Identity`` named ``read``)."""
        return identity(self._variable, name="read")

    def initialized_value(self) -> Tensor:
        """The value once initialized: the initial value while the variable is not.

        Use it to initialize another variable from this one in any order.

        Examples
        --------
        >>> import runtime as tf
        >>> with tf.Graph().as_default():
        ...     a = tf.Variable(2.0, name="a")
        ...     b = tf.Variable(a.initialized_value() * 3.0, name="b")
        ...     with tf.compat.v1.Session() as sess:
        ...         sess.run(b.initializer)  # a itself is still uninitialized
        ...         print(sess.run(b))
        6.0
        """
        with init_scope(self.graph), self.graph.as_default():
            return cond(is_variable_initialized(self), self.read_value, lambda: self._initial_value)

    def _ref(self) -> Tensor:
        """The reference tensor (``v:0``) that state ops update."""
        return self._variable

    def ref(self):
        """A hashable reference to this variable, equal only to references to it (TF's)."""
        return Reference(self)

    experimental_ref = ref  # TF's deprecated name

    def _as_graph_element(self):
        # Fetching, feeding and converting a variable all go through its read tensor,
        # so ``matmul(x, w)`` consumes ``w/read`` as in TF's graphs.
        return self._snapshot

    # -- updates ------------------------------------------------------------------------

    def assign(self, value, use_locking=False, name=None, read_value=True):
        """``assign(self, value)``; returns the updated reference, or the op."""
        result = assign(self, value, use_locking=use_locking, name=name)
        return result if read_value else result.op

    def assign_add(self, delta, use_locking=False, name=None, read_value=True):
        """``assign_add(self, delta)``; returns the updated reference, or the op."""
        result = assign_add(self, delta, use_locking=use_locking, name=name)
        return result if read_value else result.op

    def assign_sub(self, delta, use_locking=False, name=None, read_value=True):
        """``assign_sub(self, delta)``; returns the updated reference, or the op."""
        result = assign_sub(self, delta, use_locking=use_locking, name=name)
        return result if read_value else result.op

    def load(self, value, session=None) -> None:
        """Write ``value`` into the variable by running its initializer with it fed.

        Examples
        --------
        >>> import runtime as tf
        >>> with tf.Graph().as_default():
        ...     v = tf.Variable([0, 0])
        ...     with tf.compat.v1.Session() as sess:
        ...         v.load([3, 4], sess)
        ...         print(v.eval(sess))
        [3 4]
        """
        from ..session import get_default_session

        session = session if session is not None else get_default_session()
        if session is None:
            raise ValueError(
                "Either session argument should be provided or default session should be "
                "established"
            )
        session.run(self._initializer_op, {self._initializer_op.inputs[1]: value})

    def eval(self, session=None):
        """The variable's value in ``session`` (default: the default session)."""
        return self._snapshot.eval(session=session)

    # -- display --------------------------------------------------------------------------

    def __repr__(self):
        dims = "<unknown>" if self.shape.rank is None else self.shape.as_tuple()
        return f"<tf.Variable '{self.name}' shape={dims} dtype={self.dtype.name}>"


class PartitionedVariable:
    """A variable stored as parts along one axis (``tf.compat.v1.PartitionedVariable``):
    what ``get_variable`` returns under a ``partitioner``.

    The parts are variables named ``<name>/part_<i>``, each knowing its place in the
    whole (``SaveSliceInfo``), so a ``Saver`` writes them as slices of one tensor
    ``<name>``, as TF does. Used as a tensor, the variable is the concatenation of its
    parts (an ``Identity`` named ``<name>`` of a ``ConcatV2`` under
    ``<name>/ConcatPartitions``); iterating it gives the parts, in order.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     w = tf.compat.v1.get_variable("w", initializer=tf.constant([[1.0], [2.0], [3.0]]),
    ...         partitioner=tf.compat.v1.fixed_size_partitioner(2))
    ...     total = tf.reduce_sum(w)
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.global_variables_initializer())
    ...         print([v.op.name for v in w], w.get_shape(), sess.run(total))
    ['w/part_0', 'w/part_1'] (3, 1) 6.0
    """

    def __init__(self, name, shape, dtype, variable_list, partitions):
        if not isinstance(variable_list, list | tuple):
            raise TypeError(f"variable_list is not a list or tuple: {variable_list}")
        if not isinstance(partitions, list | tuple):
            raise TypeError(f"partitions is not a list or tuple: {partitions}")
        if not all(p >= 1 for p in partitions):
            raise ValueError(f"partition values must be positive: {partitions}")
        if not variable_list:
            raise ValueError("variable_list may not be empty")
        shape = as_shape(shape)
        for variable in variable_list:
            info = variable._get_save_slice_info()
            if info is None:
                raise ValueError(
                    "All variables must have a save_slice_info available: "
                    f"{[v.name for v in variable_list]}"
                )
            if len(shape) != len(partitions):
                raise ValueError(f"len(shape) != len(partitions): {shape} vs. {partitions}")
            if info.full_shape != shape.as_list():
                raise ValueError(
                    f"All variables' full shapes must match shape: {shape}; but full shapes "
                    f"were: {info.full_shape}"
                )
        self._variable_list = sorted(
            variable_list, key=lambda v: v._get_save_slice_info().var_offset
        )
        self._name = name
        self._shape = shape
        self._dtype = dtypes.as_dtype(dtype)
        self._partitions = list(partitions)

    def __iter__(self):
        return iter(self._variable_list)

    def __len__(self):
        axes = self._partition_axes()
        if len(axes) > 1:
            raise ValueError(f"Cannot get a length for {len(axes)} > 1 partition axes")
        return len(self._variable_list)

    def _partition_axes(self) -> list:
        if all(p == 1 for p in self._partitions):
            return [0]
        return [i for i, p in enumerate(self._partitions) if p > 1]

    def _concat(self) -> Tensor:
        graph = self._variable_list[0].graph
        if len(self._variable_list) == 1:
            with graph.name_scope(None):
                return identity(self._variable_list[0], name=self._name)
        axes = self._partition_axes()
        if len(axes) > 1:
            raise NotImplementedError(
                f"Cannot concatenate along more than one dimension: {axes}.  Multi-axis "
                "partition concat is not supported"
            )
        with graph.name_scope(f"{self._name}/ConcatPartitions/"):
            joined = concat([v.value() for v in self._variable_list], axes[0])
        with graph.name_scope(None):
            return identity(joined, name=self._name)

    def as_tensor(self) -> Tensor:
        """The parts concatenated (built outside any control dependencies)."""
        with init_scope(self._variable_list[0].graph):
            return self._concat()

    name = property(lambda self: self._name)
    dtype = property(lambda self: self._dtype)
    shape = property(lambda self: self._shape)

    def get_shape(self) -> TensorShape:
        return self._shape

    def _get_variable_list(self) -> list:
        return self._variable_list

    def _get_partitions(self) -> list:
        return self._partitions

    def _assigned(self, update, value) -> list:
        """``update(part, value of the part)`` for each part: ``value`` split as the parts
        are, or given per part (a list, or another partitioned variable)."""
        axes = self._partition_axes()
        if len(axes) > 1:
            raise NotImplementedError(
                f"Cannot do assign action along more than one dimension: {axes}.  Multi-axis "
                "partition assign action is not supported "
            )
        if isinstance(value, list):
            values = value
        elif isinstance(value, PartitionedVariable):
            values = list(value)
        else:
            sizes = [v.shape.dim_value(axes[0]) for v in self._variable_list]
            values = split(value, sizes, axis=axes[0])
        return [update(part, part_value) for part, part_value in zip(self._variable_list, values)]

    def assign(self, value, use_locking=False, name=None, read_value=True) -> list:
        """Assign ``value`` part by part; the list of updates (ops with ``read_value=False``)."""
        return self._assigned(
            lambda v, x: v.assign(x, use_locking, name, read_value=read_value), value
        )

    def assign_add(self, value, use_locking=False, name=None, read_value=True) -> list:
        """Add ``value`` part by part."""
        return self._assigned(
            lambda v, x: v.assign_add(x, use_locking, name, read_value=read_value), value
        )

    def assign_sub(self, value, use_locking=False, name=None, read_value=True) -> list:
        """Subtract ``value`` part by part."""
        return self._assigned(
            lambda v, x: v.assign_sub(x, use_locking, name, read_value=read_value), value
        )

    def __repr__(self):
        return (
            f"<PartitionedVariable '{self._name}' shape={self._shape.as_tuple()} "
            f"parts={len(self._variable_list)} dtype={self._dtype.name}>"
        )


def _partitioned_as_tensor(value, dtype=None, name=None, as_ref=False) -> Tensor:
    if dtype is not None and not dtypes.as_dtype(dtype).is_compatible_with(value.dtype):
        raise ValueError(
            f"Incompatible type conversion requested to type '{dtypes.as_dtype(dtype).name}' "
            f"for variable of type '{value.dtype.name}'"
        )
    if as_ref:
        raise NotImplementedError("PartitionedVariable doesn't support being used as a reference.")
    return value.as_tensor()


register_tensor_conversion_function(PartitionedVariable, _partitioned_as_tensor)


def _variable_as_tensor(value, dtype=None, name=None, as_ref=False) -> Tensor:
    return value._ref() if as_ref else value.value()


register_tensor_conversion_function(Variable, _variable_as_tensor)


def _first_read(graph, variable: Tensor, caching_device) -> Tensor:
    """``v/read``: placed with the variable, or, as TF's, on ``caching_device`` instead."""
    if caching_device is None:
        placement = graph.colocate_with(variable.op)
    else:
        placement = graph.device(caching_device)
    with placement:
        return identity(variable, name="read")


# -- TF's guard on an initial value that reads variables ------------------------------
# ``U = tf.Variable(W * 2)`` reads ``W`` while the one ``global_variables_initializer()``
# op may not have set it yet. TF 1 therefore rebuilds the initial value before assigning
# it: every variable it reads (found in the global or local variables) is read through
# that variable's ``initialized_value()``, and every op on the way is copied as
# ``<op>_<variable>`` with the new inputs. An initial value whose ops form a cycle (a
# loop) is left as it is, and so are the reads behind ``IsVariableInitialized``,
# resource reads and functional ``If`` ops.

_KEPT = frozenset({"IsVariableInitialized", "VarIsInitializedOp", "ReadVariableOp", "If"})
_VARIABLES = frozenset({"Variable", "VariableV2", "VarHandleOp"})


def _guard_initial_value(scope: str, value: Tensor) -> Tensor:
    """``value`` with the variables it reads replaced by their ``initialized_value()``.

    Parameters
    ----------
    scope : str
        The new variable's name scope (``"U/"``): copies are named ``<op>_U``.
    value : Tensor
        The initial value.

    Returns
    -------
    Tensor
        ``value`` itself when it reads no variable (or its ops form a cycle).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     w = tf.Variable(1.0, name="W")
    ...     u = tf.Variable(w * 2.0, name="U")
    >>> u.initializer.inputs[1].op.name
    'mul_U'
    """
    order = _ancestors(value.op)
    if order is None:
        return value
    replaced: dict[Operation, Operation] = {}
    for op in order:
        replaced[op] = _safe_op(scope, op, replaced)
    return replaced[value.op].outputs[value.value_index]


def _ancestors(root: Operation) -> list | None:
    """The ops ``root`` reads, inputs first; ``None`` when they form a cycle (a loop).

    The walk follows data inputs and stops at the ops the guard keeps as they are (a
    variable, a kept type), as TF's recursion does.
    """
    order, state, stack = [], {root: False}, [(root, iter(_followed(root)))]
    while stack:
        op, pending = stack[-1]
        child = next(pending, None)
        if child is None:
            stack.pop()
            state[op] = True  # finished
            order.append(op)
        elif child not in state:
            state[child] = False  # started
            stack.append((child, iter(_followed(child))))
        elif not state[child]:
            return None  # a started op reached again: a cycle
    return order


def _followed(op: Operation) -> list:
    if op.type in _KEPT or op.type in _VARIABLES:
        return []
    return [t.op for t in op.inputs]


def _safe_op(scope: str, op: Operation, replaced: dict) -> Operation:
    if op.type in _KEPT:
        return op
    if op.type in _VARIABLES:
        initialized = _initialized_value(op)
        return op if initialized is None else initialized.op
    inputs = [replaced[t.op].outputs[t.value_index] for t in op.inputs]
    if all(new is old for new, old in zip(inputs, op.inputs)):
        return op
    op_type = "Switch" if op.type == "RefSwitch" else op.type  # a copy reads no reference
    name = f"{op.name}_{scope}".replace(":", "_")
    return op.graph.create_op(op_type, inputs, name=name, attrs=op.node_def.attr)


def _initialized_value(variable_op: Operation) -> Tensor | None:
    names = (variable_op.name, f"{variable_op.name}:0")
    for key in (GraphKeys.GLOBAL_VARIABLES, GraphKeys.LOCAL_VARIABLES):
        for variable in variable_op.graph.get_collection(key):
            if getattr(variable, "name", None) in names:
                return variable.initialized_value()
    return None


def _check_outside_control_flow(scope: str, value: Tensor) -> None:
    # TF's rule: the initializer op would run outside the loop or branch that makes the
    # value, so a value made there is refused (a callable is run outside it instead).
    if value.op._get_control_flow_context() is not None:
        raise ValueError(
            f"Initializer for variable {scope} is from inside a control-flow construct, "
            "such as a loop or conditional. When creating a variable inside a loop or "
            "conditional, use a lambda as the initializer."
        )


def _initial_tensor(initial_value, dtype, graph) -> Tensor:
    if callable(initial_value):
        # As TF: initializers built from a function get their own scope.
        with graph.name_scope("Initializer"):
            initial_value = initial_value()
    return convert_to_tensor(initial_value, dtype=dtype, name="initial_value", graph=graph)


def _forward_to_tensor(name: str):
    def method(self, *args):
        return getattr(self.value(), name)(*args)

    method.__name__ = name
    method.__doc__ = f"``Tensor.{name}`` on the variable's value."
    return method


# A variable works wherever a tensor does: its operators are its value's.
for _name in [
    "__add__",
    "__radd__",
    "__sub__",
    "__rsub__",
    "__mul__",
    "__rmul__",
    "__truediv__",
    "__rtruediv__",
    "__floordiv__",
    "__rfloordiv__",
    "__mod__",
    "__rmod__",
    "__pow__",
    "__rpow__",
    "__matmul__",
    "__rmatmul__",
    "__neg__",
    "__abs__",
    "__lt__",
    "__le__",
    "__gt__",
    "__ge__",
    "__and__",
    "__rand__",
    "__or__",
    "__ror__",
    "__xor__",
    "__rxor__",
    "__invert__",
    "__getitem__",
    "__bool__",
]:
    setattr(Variable, _name, _forward_to_tensor(_name))


# -- collections and initializers ---------------------------------------------------------


def global_variables(scope=None) -> list:
    """The variables in ``GraphKeys.GLOBAL_VARIABLES`` (names matching ``scope``)."""
    return get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


def trainable_variables(scope=None) -> list:
    """The variables in ``GraphKeys.TRAINABLE_VARIABLES`` (names matching ``scope``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a = tf.Variable(1.0, name="a")
    ...     b = tf.Variable(2.0, name="b", trainable=False)
    ...     print([v.name for v in trainable_variables()], len(global_variables()))
    ['a:0'] 2
    """
    return get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def local_variables(scope=None) -> list:
    """The variables in ``GraphKeys.LOCAL_VARIABLES`` (names matching ``scope``)."""
    return get_default_graph().get_collection(GraphKeys.LOCAL_VARIABLES, scope)


def variables_initializer(var_list, name="init") -> Operation:
    """An op running the initializers of ``var_list`` (a ``NoOp`` when it is empty).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     init = variables_initializer([tf.Variable(1.0, name="a")])
    >>> init.type, [op.name for op in init.control_inputs]
    ('NoOp', ['a/Assign'])
    """
    if var_list:
        return group(*[v.initializer for v in var_list], name=name)
    return no_op(name=name)


def report_uninitialized_variables(var_list=None, name="report_uninitialized_variables"):
    """A 1-D string tensor: the names of the variables of ``var_list`` not initialized.

    ``var_list`` defaults to the global and local variables.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a, b = tf.Variable(1.0, name="a"), tf.Variable(2.0, name="b")
    ...     missing = report_uninitialized_variables()
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(a.initializer)
    ...         print(sess.run(missing))
    [b'b']
    """
    if var_list is None:
        var_list = global_variables() + local_variables()
    graph = get_default_graph()
    with graph.name_scope(name):
        if not var_list:
            return constant([], dtype=dtypes.string)
        missing = logical_not(stack([is_variable_initialized(v) for v in var_list]))
        names = constant([v.op.name for v in var_list], dtype=dtypes.string)
        return boolean_mask(names, missing)


def global_variables_initializer() -> Operation:
    """The op initializing every global variable (named ``init``)."""
    return variables_initializer(global_variables())


def initialize_all_variables() -> Operation:
    """TF1's old name of :func:`global_variables_initializer`."""
    return global_variables_initializer()


def local_variables_initializer() -> Operation:
    """The op initializing every local variable (named ``init``)."""
    return variables_initializer(local_variables())
