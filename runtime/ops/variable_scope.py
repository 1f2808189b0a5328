"""``variable_scope`` and ``get_variable``: TF1's named, shareable variables.

Each graph keeps one variable store (``name -> Variable`` for variables made by
``get_variable``) and the current ``VariableScope``, in graph collections as TF
does. A variable's name depends only on the variable scope, never on name scopes:
``get_variable`` creates its ops from the root name scope.

Sharing is explicit: in a scope with ``reuse=True`` ``get_variable`` returns the
existing variable (and fails if there is none); without reuse, asking for an
existing name fails; ``AUTO_REUSE`` creates or returns.

With a ``partitioner`` (given to ``get_variable`` or to the scope) a variable of rank
1 or more is made of parts along one axis, ``<name>/part_<i>``, returned as one
``PartitionedVariable`` (:mod:`runtime.ops.partitioned_variables` has TF's partitioners).

A ``custom_getter`` (given to ``get_variable`` or to the scope) stands between the
caller and the store, as TF's: it is called with the store's getter and every argument
of the request, its full name included, and what it returns is what ``get_variable``
returns (a variable it renamed, or a tensor made from one: a cast, an average). Scopes'
getters nest: the innermost is called first and its ``getter`` calls the enclosing
scope's. ``use_resource`` is accepted and makes a reference variable, and
``caching_device`` places the variable's read (see :mod:`runtime.ops.variables`).
"""

from __future__ import annotations

import contextlib
import enum
import functools
import inspect

from .. import dtypes
from ..errors import format_traceback
from ..graph import Tensor, get_default_graph, graph_of
from ..graph_keys import GraphKeys
from ..shapes import as_shape
from . import init_ops
from .array_ops import slice as slice_
from .core import constant, convert_to_tensor
from .variables import (
    PartitionedVariable,
    Variable,
    init_scope,
    is_variable_initialized,
    validate_synchronization_aggregation_trainable,
)

__all__: list[str] = []  # all TF1-only: see runtime.compat.v1

_STORE_KEY = ("__variable_store",)
_SCOPE_KEY = ("__varscope",)


class _ReuseMode(enum.Enum):
    """Reuse modes beyond ``True``: ``AUTO_REUSE`` creates or returns."""

    AUTO_REUSE = 1


AUTO_REUSE = _ReuseMode.AUTO_REUSE


class VariableScope:
    """A variable scope: a name prefix plus defaults for ``get_variable``.

    Attributes
    ----------
    name : str
        The prefix of variable names (``""`` at the root).
    original_name_scope : str
        The name scope opened when this scope was first entered (``"foo/"``).
    reuse : bool or AUTO_REUSE
    initializer, regularizer, dtype, partitioner, caching_device, use_resource, constraint
        Defaults for variables created in the scope.
    custom_getter : callable or None
        ``custom_getter(getter, name, *args, **kwargs)`` called by ``get_variable`` in
        the scope (an enclosing scope's wrapped inside it).
    """

    def __init__(
        self,
        reuse,
        name="",
        initializer=None,
        regularizer=None,
        dtype=dtypes.float32,
        name_scope="",
        partitioner=None,
        caching_device=None,
        custom_getter=None,
        use_resource=None,
        constraint=None,
    ):
        self.name = name
        self.original_name_scope = name_scope
        self._reuse = reuse
        self.initializer = initializer
        self.regularizer = regularizer
        self.dtype = dtypes.as_dtype(dtype)
        self.partitioner = partitioner
        self.caching_device = caching_device
        self.custom_getter = custom_getter
        self.use_resource = use_resource
        self.constraint = constraint

    @property
    def reuse(self):
        return self._reuse

    def reuse_variables(self) -> None:
        """Make ``get_variable`` in this scope return existing variables from now on."""
        self._reuse = True

    def set_initializer(self, initializer) -> None:
        self.initializer = initializer

    def set_regularizer(self, regularizer) -> None:
        self.regularizer = regularizer

    def set_dtype(self, dtype) -> None:
        self.dtype = dtypes.as_dtype(dtype)

    def set_partitioner(self, partitioner) -> None:
        self.partitioner = partitioner

    def set_caching_device(self, caching_device) -> None:
        self.caching_device = caching_device

    def set_custom_getter(self, custom_getter) -> None:
        self.custom_getter = custom_getter

    def set_use_resource(self, use_resource) -> None:
        self.use_resource = use_resource

    def get_variable(
        self,
        name,
        shape=None,
        dtype=None,
        initializer=None,
        regularizer=None,
        trainable=None,
        collections=None,
        validate_shape=True,
        constraint=None,
        partitioner=None,
        caching_device=None,
        use_resource=None,
        custom_getter=None,
        synchronization=None,
        aggregation=None,
    ) -> Variable:
        """``get_variable`` with this scope's defaults, through its custom getter."""
        graph = get_default_graph()
        full_name = f"{self.name}/{name}" if self.name and name else (name or self.name)
        custom_getter = self.custom_getter if custom_getter is None else custom_getter
        if custom_getter is not None and not callable(custom_getter):
            raise ValueError(f"Passed a custom_getter which is not callable: {custom_getter}")
        synchronization, aggregation, trainable = validate_synchronization_aggregation_trainable(
            synchronization, aggregation, trainable, full_name
        )
        request = {
            "name": full_name,
            "shape": shape,
            "dtype": self.dtype if dtype is None else dtypes.as_dtype(dtype).base_dtype,
            "initializer": self.initializer if initializer is None else initializer,
            "regularizer": self.regularizer if regularizer is None else regularizer,
            "reuse": self._reuse,
            "trainable": trainable,
            "collections": collections,
            "caching_device": self.caching_device if caching_device is None else caching_device,
            "partitioner": self.partitioner if partitioner is None else partitioner,
            "validate_shape": validate_shape,
            "use_resource": self.use_resource if use_resource is None else use_resource,
            "synchronization": synchronization,
            "aggregation": aggregation,
        }
        constraint = self.constraint if constraint is None else constraint
        # A slot's name is its scope's (``name`` is empty): that name scope is open already.
        getter = functools.partial(_true_getter, _store(graph), graph, None if name else full_name)
        with graph.name_scope(None):  # as TF: names depend on the variable scope only
            if custom_getter is None:
                return getter(**request, constraint=constraint)
            if _takes_constraint(custom_getter):
                request["constraint"] = constraint
            return custom_getter(getter=getter, **request)

    def __repr__(self):
        return f"<VariableScope name={self.name!r} reuse={self._reuse!r}>"


def _true_getter(
    store,
    graph,
    slot_name,
    name,
    shape=None,
    dtype=dtypes.float32,
    initializer=None,
    regularizer=None,
    reuse=None,
    trainable=None,
    collections=None,
    caching_device=None,
    partitioner=None,
    validate_shape=True,
    use_resource=None,
    constraint=None,
    synchronization=None,
    aggregation=None,
):
    """The getter custom getters are handed (``functools.partial`` over the first three):
    get or create ``name`` in ``store``, its arguments in TF's order, so a getter may pass
    them on by position or by keyword."""
    return store.get_variable(
        graph,
        name,
        shape=shape,
        dtype=dtypes.as_dtype(dtype),
        initializer=initializer,
        reuse=reuse,
        partitioner=partitioner,
        op_name=f"{name}/" if name == slot_name else name,
        regularizer=regularizer,
        trainable=trainable,
        collections=collections,
        caching_device=caching_device,
        validate_shape=validate_shape,
        use_resource=use_resource,
        constraint=constraint,
        synchronization=synchronization,
        aggregation=aggregation,
    )


def _takes_constraint(custom_getter) -> bool:
    """TF passes ``constraint`` only to getters that can take it (it came later)."""
    try:
        parameters = inspect.signature(custom_getter).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "constraint" or p.kind is p.VAR_KEYWORD for p in parameters)


def _nested_getter(custom_getter, enclosing):
    """``custom_getter`` calling ``enclosing`` (an outer scope's getter) as its getter."""
    if enclosing is None:
        return custom_getter

    def nested(getter, *args, **kwargs):
        return custom_getter(functools.partial(enclosing, getter), *args, **kwargs)

    return nested


class _VariableStore:
    """The variables ``get_variable`` made, and how often each scope name was opened."""

    def __init__(self):
        self.variables: dict[str, Variable] = {}
        self.partitioned: dict[str, PartitionedVariable] = {}
        self.scope_counts: dict[str, int] = {}

    def unique_scope(self, name: str) -> str:
        """``name``, or ``name_1``, ``name_2`` ... if scopes by those names were opened."""
        if not self.scope_counts.get(name):
            return name
        index = 1
        while self.scope_counts.get(f"{name}_{index}"):
            index += 1
        return f"{name}_{index}"

    def close_subscopes(self, name: str, counts: dict | None) -> None:
        """Leaving scope ``name``: restore ``counts`` (a re-entered scope's), else forget
        the scopes opened under ``name``."""
        if counts is not None:
            self.scope_counts = counts
            return
        for key in self.scope_counts:
            if key.startswith(f"{name}/"):
                self.scope_counts[key] = 0

    def get_variable(
        self, graph, name, *, shape, dtype, initializer, reuse, op_name, partitioner, **kwargs
    ):
        scalar = isinstance(shape, list | tuple) and not shape
        if (partitioner is not None and not scalar) or (
            reuse is True and partitioner is None and name in self.partitioned
        ):
            return self._partitioned_variable(
                graph, name, shape, dtype, initializer, reuse, partitioner, kwargs
            )
        shape = None if shape is None else as_shape(shape)
        found = self.variables.get(name)
        if found is not None:
            return _check_shared(found, name, shape, dtype, reuse)
        if reuse is True:
            raise ValueError(
                f"Variable {name} does not exist, or was not created with tf.get_variable(). "
                "Did you mean to set reuse=tf.AUTO_REUSE in VarScope?"
            )
        variable = _new_variable(graph, name, shape, dtype, initializer, op_name, **kwargs)
        self.variables[name] = variable
        return variable

    def _partitioned_variable(
        self, graph, name, shape, dtype, initializer, reuse, partitioner, kwargs
    ) -> PartitionedVariable:
        """TF's ``_get_partitioned_variable``: the parts ``<name>/part_<i>`` along the one
        axis the partitioner splits, each a slice of the whole (its ``SaveSliceInfo``)."""
        if name in self.variables:
            raise ValueError(
                f"A partitioner was provided, but an unpartitioned version of the variable was "
                f"found: {name}.  Perhaps a variable of the same name was already created "
                "without partitioning?"
            )
        shape = as_shape(shape)
        if isinstance(initializer, Tensor):
            shape = shape.merge_with(initializer.shape)
        partitions = None
        if not reuse or partitioner:  # as TF: asked with the dtype given, not the tensor's
            partitions = _call_partitioner(partitioner, shape, dtype)
        if isinstance(initializer, Tensor):
            dtype = initializer.dtype.base_dtype
        found = self.partitioned.get(name)
        if found is not None:
            return _check_shared_partitioned(found, name, shape, dtype, partitions, reuse)
        if reuse is True:
            raise ValueError(
                f"PartitionedVariable {name} does not exist, or was not created with "
                "tf.get_variable(). Did you mean to set reuse=False or reuse=tf.AUTO_REUSE "
                "in VarScope?"
            )
        axis, count = _slice_dim_and_num_slices(partitions)
        self._check_existing_parts(name, count)
        with graph.name_scope(None):  # names depend on the variable scope only, as TF's
            parts = self._parts(graph, name, shape, dtype, initializer, axis, count, kwargs)
        variable = PartitionedVariable(name, shape, dtype, parts, partitions)
        self.partitioned[name] = variable
        return variable

    def _parts(self, graph, name, shape, dtype, initializer, axis, count, kwargs) -> list:
        parts = []
        for i, (offset, part_shape) in enumerate(_slices(shape.as_list(), count, axis)):
            part_name = f"{name}/part_{i}"
            init, init_shape = initializer, as_shape(part_shape)
            with graph.name_scope(f"{part_name}/PartitionedInitializer"):
                if initializer is None:
                    init = _default_initializer(name, dtype)
                elif not callable(initializer):  # a value: this part's slice of it
                    init = slice_(convert_to_tensor(initializer, dtype=dtype), offset, part_shape)
                    init_shape = None
            part = _new_variable(
                graph,
                part_name,
                init_shape,
                dtype,
                init,
                part_name,
                partition_info=_PartitionInfo(shape.as_list(), offset),
                **kwargs,
            )
            part._set_save_slice_info(
                Variable.SaveSliceInfo(name, shape.as_list(), offset, part_shape)
            )
            self.variables[part_name] = part
            parts.append(part)
        return parts

    def _check_existing_parts(self, name: str, count: int) -> None:
        if f"{name}/part_0" not in self.variables:
            return
        if f"{name}/part_{count - 1}" not in self.variables:
            raise ValueError(
                f"Partitioner returned a different partitioning than what was already found.  "
                f"Partitioner returned {count} shards, and shard {name}/part_0 was found, but "
                f"{name}/part_{count - 1} was not."
            )
        if f"{name}/part_{count}" in self.variables:
            raise ValueError(
                f"Partitioner returned a different partitioning than what was already found.  "
                f"Partitioner returned {count} shards, and shard {name}/part_0 was found, but "
                f"so was the extra shard {name}/part_{count}."
            )


class _PartitionInfo:
    """Where a part sits in its partitioned variable (what initializers are given)."""

    def __init__(self, full_shape, var_offset):
        self.full_shape = list(full_shape)
        self.var_offset = list(var_offset)

    def single_offset(self, shape) -> int:
        """The offset of the part along the axis it is sliced on."""
        axis = self.single_slice_dim(shape)
        return 0 if axis is None else self.var_offset[axis]

    def single_slice_dim(self, shape):
        """The one axis the part is a slice of (``None`` if it is the whole)."""
        axes = [i for i, (n, full) in enumerate(zip(shape, self.full_shape)) if n != full]
        if len(axes) > 1:
            raise ValueError(
                f"Cannot use single_slice_dim() with shape: {shape} and full_shape: "
                f"{self.full_shape} since the slice dimension is not unique."
            )
        return axes[0] if axes else None


def _call_partitioner(partitioner, shape, dtype) -> list:
    if not shape.is_fully_defined():
        raise ValueError(
            f"Shape of a new partitioned variable must be fully defined, but instead was {shape}."
        )
    if shape.rank < 1:
        raise ValueError(f"A partitioned Variable must have rank at least 1, shape: {shape}")
    slicing = partitioner(shape=shape, dtype=dtype)
    if not isinstance(slicing, list | tuple):
        raise ValueError(f"Partitioner must return a sequence, but saw: {slicing}")
    if len(slicing) != shape.rank:
        raise ValueError(
            f"Partitioner returned a partition list that does not match the Variable's rank: "
            f"{slicing} vs. {shape}"
        )
    if any(p < 1 for p in slicing):
        raise ValueError(f"Partitioner returned zero partitions for some axes: {slicing}")
    if sum(p > 1 for p in slicing) > 1:
        raise ValueError(
            f"Can only slice a variable along one dimension: shape: {shape}, partitioning: "
            f"{slicing}"
        )
    return list(slicing)


def _slice_dim_and_num_slices(slicing) -> tuple:
    for axis, count in enumerate(slicing):
        if count > 1:
            return axis, count
    return 0, 1


def _slices(full_shape: list, count: int, axis: int):
    """``(offset, shape)`` of each of ``count`` parts along ``axis``; the first ones one
    longer when the size does not divide evenly (TF's rule)."""
    longer = full_shape[axis] % count
    offset = [0] * len(full_shape)
    for i in range(count):
        shape = list(full_shape)
        shape[axis] = full_shape[axis] // count + (1 if i < longer else 0)
        yield list(offset), shape
        offset[axis] += shape[axis]


def _check_shared_partitioned(found, name, shape, dtype, partitions, reuse):
    if reuse is False or reuse is None:
        raise ValueError(
            f"Partitioned variable with name {name} already exists. Did you mean to set "
            "reuse=True or reuse=tf.AUTO_REUSE in VarScope?"
        )
    if not shape.is_compatible_with(found.get_shape()):
        raise ValueError(
            f"Trying to reuse partitioned variable {name}, but specified shape {shape} and "
            f"found shape {found.get_shape()}."
        )
    if not dtype.is_compatible_with(found.dtype):
        raise ValueError(
            f"Trying to reuse partitioned variable {name}, but specified dtype {dtype.name} and "
            f"found dtype {found.dtype.name}."
        )
    if partitions is not None and found._get_partitions() != list(partitions):
        raise ValueError(
            f"Trying to reuse partitioned variable {name}, but specified partitions "
            f"{partitions} and found partitions {found._get_partitions()}."
        )
    return found


def _check_shared(found: Variable, name, shape, dtype, reuse) -> Variable:
    if reuse is not True and reuse is not AUTO_REUSE:
        # As TF: the five innermost user frames, innermost first.
        where = format_traceback(found.op.traceback[::-1][:5])
        raise ValueError(
            f"Variable {name} already exists, disallowed. Did you mean to set reuse=True or "
            f"reuse=tf.AUTO_REUSE in VarScope? Originally defined at:\n\n{where}"
        )
    if shape is not None and not shape.is_compatible_with(found.shape):
        raise ValueError(
            f"Trying to share variable {name}, but specified shape {shape} and found shape "
            f"{found.shape}."
        )
    if dtype is not None and not dtype.is_compatible_with(found.dtype):
        # As TF: the found variable's dtype is named as it is, ``float32_ref``.
        raise ValueError(
            f"Trying to share variable {name}, but specified dtype {dtype.name} and found dtype "
            f"{found.dtype.name}."
        )
    return found


def _default_initializer(name, dtype):
    if dtype.is_floating:
        return init_ops.GlorotUniform()
    if dtype.is_integer or dtype.is_bool:
        return init_ops.Zeros()
    if dtype.base_dtype == dtypes.string:
        return _empty_strings
    raise ValueError(f"An initializer for variable {name} of {dtype.base_dtype} is required")


def _empty_strings(shape, dtype=None, partition_info=None) -> Tensor:
    """TF's default for a string variable: its "zeros", empty strings."""
    return constant("", dtype=dtypes.string, shape=shape, name="zeros")


_INVALID_INITIALIZER = (
    "The initializer passed is not valid. It should be a callable with no arguments and the "
    "shape should not be provided or an instance of `tf.keras.initializers.*' and `shape` "
    "should be fully defined."
)


def _needs_no_arguments(function) -> bool:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return False
    unfilled = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    return all(p.kind in unfilled or p.default is not p.empty for p in parameters)


def _takes_partition_info(initializer) -> bool:
    try:
        return "partition_info" in inspect.signature(initializer).parameters
    except (TypeError, ValueError):
        return False


def _initial_value(name, shape, dtype, initializer, partition_info) -> tuple:
    """TF's choice of what a new variable starts from: ``(initial value, its dtype)``.

    A value is used as is (its dtype); a callable is called with the shape and dtype
    when the shape is fully defined, else it must take no arguments.
    """
    if initializer is None:
        if shape is None:
            raise ValueError(
                f"Variable {name} did not get an initializer, so its `shape` argument must be "
                "specified."
            )
        initializer = _default_initializer(name, dtype)
    if not callable(initializer):
        if shape is not None:
            raise ValueError("If initializer is a constant, do not specify shape.")
        return initializer, None
    if isinstance(initializer, type):  # a class, e.g. tf.zeros_initializer
        initializer = initializer(dtype=dtype)
    if shape is not None and shape.is_fully_defined():
        extra = {"partition_info": partition_info} if _takes_partition_info(initializer) else {}
        dims = shape.as_list()
        return (lambda: initializer(dims, dtype=dtype, **extra)), dtype.base_dtype
    if _needs_no_arguments(initializer):
        return initializer, None
    raise ValueError(_INVALID_INITIALIZER)


def _new_variable(
    graph,
    name,
    shape,
    dtype,
    initializer,
    op_name,
    partition_info=None,
    regularizer=None,
    **kwargs,
) -> Variable:
    """The variable ``get_variable`` creates; ``kwargs`` are ``Variable``'s arguments."""
    initial_value, value_dtype = _initial_value(name, shape, dtype, initializer, partition_info)
    with graph.name_scope(None):
        variable = Variable(initial_value, name=op_name, dtype=value_dtype, **kwargs)
        if regularizer is not None:
            _regularize(graph, variable, regularizer, name)
    return variable


def _regularize(graph, variable, regularizer, name) -> None:
    with graph.colocate_with(variable.op), graph.name_scope(f"{name}/Regularizer/"):
        loss = regularizer(variable)
    if loss is not None:
        graph.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)


def stored_variables(graph=None) -> dict:
    """The variables ``get_variable`` made in ``graph`` (default: the default graph), by
    name; a partitioned variable's parts as ``<name>/part_<i>``. TF's variable store,
    which ``init_from_checkpoint`` maps scopes over (a ``tf.Variable`` is not in it).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     w = tf.compat.v1.get_variable("w", [2])
    ...     v = tf.Variable(1.0, name="v")
    ...     sorted(stored_variables())
    ['w']
    """
    return dict(_store(graph if graph is not None else get_default_graph()).variables)


def _store(graph) -> _VariableStore:
    holder = graph.get_collection_ref(_STORE_KEY)
    if not holder:
        holder.append(_VariableStore())
    return holder[0]


def get_variable_scope() -> VariableScope:
    """The current variable scope of the default graph.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     with tf.compat.v1.variable_scope("layer"):
    ...         print(repr(get_variable_scope()))
    <VariableScope name='layer' reuse=False>
    """
    return _current_scope(get_default_graph())


def _current_scope(graph) -> VariableScope:
    holder = graph.get_collection_ref(_SCOPE_KEY)
    if not holder:
        holder.append(VariableScope(False))
    return holder[0]


def get_variable(
    name,
    shape=None,
    dtype=None,
    initializer=None,
    regularizer=None,
    trainable=None,
    collections=None,
    validate_shape=True,
    constraint=None,
    partitioner=None,
    caching_device=None,
    use_resource=None,
    custom_getter=None,
    synchronization=None,
    aggregation=None,
) -> Variable:
    """Get an existing variable of the current scope, or create a new one.

    Parameters
    ----------
    name : str
        Prefixed with the variable scope's name.
    shape : list of int or TensorShape, optional
        Required (and fully defined) unless ``initializer`` is a value.
    dtype : DType, optional
        Default: the scope's dtype (float32).
    initializer : initializer, callable, tensor or value, optional
        Default: the scope's, else ``glorot_uniform`` (floats) or zeros (ints, bools).
    regularizer : callable, optional
        ``regularizer(variable)``; a returned loss joins ``REGULARIZATION_LOSSES``.
    trainable, collections, validate_shape, constraint
        As for ``Variable``.
    partitioner : callable, optional
        ``partitioner(shape=..., dtype=...) -> partitions per axis``: make the variable of
        parts along one axis, a ``PartitionedVariable`` (default: the scope's).
    caching_device, use_resource, synchronization, aggregation : optional
        As for ``Variable`` (the first two default to the scope's).
    custom_getter : callable, optional
        ``custom_getter(getter, name, *args, **kwargs)`` is called instead, with the
        store's ``getter`` and this request's arguments (the full name, the scope's
        defaults filled in); it returns what ``get_variable`` returns. It replaces the
        scope's getter, as in TF (scopes' own getters nest: see ``variable_scope``).

    Raises
    ------
    ValueError
        Creating a variable that exists without reuse, or reusing one that does not.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     with tf.compat.v1.variable_scope("dense"):
    ...         w = tf.compat.v1.get_variable("w", [3, 2])
    ...     with tf.compat.v1.variable_scope("dense", reuse=True):
    ...         same = tf.compat.v1.get_variable("w")
    >>> w.name, same is w
    ('dense/w:0', True)

    A custom getter sees the request and may return a tensor made from the variable:

    >>> def half_precision(getter, name, *args, **kwargs):
    ...     return tf.cast(getter(name, *args, **kwargs), tf.float16)
    >>> with tf.Graph().as_default():
    ...     with tf.compat.v1.variable_scope("fp16", custom_getter=half_precision):
    ...         w = tf.compat.v1.get_variable("w", [2])
    ...     print(w.dtype, [v.name for v in tf.compat.v1.global_variables()])
    <dtype: 'float16'> ['fp16/w:0']
    """
    return get_variable_scope().get_variable(
        name,
        shape=shape,
        dtype=dtype,
        initializer=initializer,
        regularizer=regularizer,
        trainable=trainable,
        collections=collections,
        validate_shape=validate_shape,
        constraint=constraint,
        partitioner=partitioner,
        caching_device=caching_device,
        use_resource=use_resource,
        custom_getter=custom_getter,
        synchronization=synchronization,
        aggregation=aggregation,
    )


@contextlib.contextmanager
def variable_scope(
    name_or_scope,
    default_name=None,
    values=None,
    initializer=None,
    regularizer=None,
    reuse=None,
    dtype=None,
    auxiliary_name_scope=True,
    partitioner=None,
    caching_device=None,
    custom_getter=None,
    use_resource=None,
    constraint=None,
):
    """Open a variable scope (and a name scope) for ``get_variable``.

    Parameters
    ----------
    name_or_scope : str or VariableScope or None
        A name nests under the current scope; a ``VariableScope`` is re-entered as is
        (its variables), under a new name scope (its ops: ``s_1/y`` the second time).
    default_name : str, optional
        Used, made unique, when ``name_or_scope`` is ``None``.
    values : list, optional
        Tensors the scope's ops use (they pick the graph).
    initializer, regularizer, dtype, partitioner, caching_device, use_resource : optional
        Defaults for ``get_variable`` inside (inherited by nested scopes).
    constraint : callable, optional
        The default constraint inside; as TF's, nested scopes do not inherit it.
    custom_getter : callable, optional
        Called by ``get_variable`` inside (see there); an enclosing scope's getter (or a
        re-entered scope's own) becomes the ``getter`` it is handed.
    reuse : True, AUTO_REUSE or None
        ``None`` (or ``False``) inherits the enclosing scope's; reuse cannot be turned off.
    auxiliary_name_scope : bool
        Also open a name scope (default).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     for _ in range(2):
    ...         with tf.compat.v1.variable_scope("net", reuse=tf.compat.v1.AUTO_REUSE):
    ...             w = tf.compat.v1.get_variable("w", [1])
    ...             y = tf.identity(w)
    >>> w.name, y.name
    ('net/w:0', 'net_1/Identity:0')
    """
    if name_or_scope is None and default_name is None:
        raise TypeError("If default_name is None then name_or_scope is required")
    if name_or_scope is None and reuse is True:
        raise ValueError("reuse=True cannot be used without a name_or_scope")
    graph = graph_of(values or [])
    old = _current_scope(graph)
    holder = graph.get_collection_ref(_SCOPE_KEY)
    store = _store(graph)
    with contextlib.ExitStack() as stack:
        name, opened, template = _open_scope(
            graph, stack, store, old, name_or_scope, default_name, auxiliary_name_scope
        )
        reuse = reuse or template.reuse
        store.scope_counts[name] = store.scope_counts.get(name, 0) + 1
        # As TF: leaving a scope forgets the scopes opened inside it (so a scope entered
        # again, e.g. with reuse, names its default-named subscopes as the first time).
        counts = dict(store.scope_counts) if isinstance(name_or_scope, VariableScope) else None
        scope = VariableScope(
            reuse,
            name=name,
            initializer=template.initializer if initializer is None else initializer,
            regularizer=template.regularizer if regularizer is None else regularizer,
            dtype=template.dtype if dtype is None else dtype,
            name_scope=opened,
            partitioner=template.partitioner if partitioner is None else partitioner,
            caching_device=template.caching_device if caching_device is None else caching_device,
            custom_getter=_scope_getter(custom_getter, template.custom_getter),
            use_resource=template.use_resource if use_resource is None else use_resource,
            constraint=constraint,
        )
        holder[:] = [scope]
        try:
            yield scope
        finally:
            holder[:] = [old]
            store.close_subscopes(name, counts)


def _scope_getter(custom_getter, enclosing):
    """The getter of a new scope: its own around the enclosing one's, or the enclosing."""
    return enclosing if custom_getter is None else _nested_getter(custom_getter, enclosing)


def _open_scope(graph, stack, store, old, name_or_scope, default_name, auxiliary):
    """Name a variable scope and enter its name scope; returns (name, name scope, template).

    The template is the scope whose defaults (reuse, initializer ...) the new one starts
    from: a re-entered ``VariableScope`` itself, else the enclosing scope.
    """
    if isinstance(name_or_scope, VariableScope):
        # As TF: a new name scope named after the scope's last part, made unique where
        # the scope is entered (``s_1``), so each entry's ops are told apart while its
        # variables stay shared; the root scope opens none.
        last = name_or_scope.name.rpartition("/")[2]
        if auxiliary and last:
            stack.enter_context(graph.name_scope(last))
        return name_or_scope.name, name_or_scope.original_name_scope, name_or_scope
    relative = name_or_scope
    if relative is None:
        prefix = f"{old.name}/" if old.name else ""
        relative = store.unique_scope(prefix + default_name)[len(prefix) :]
    opened = ""
    if auxiliary:
        scope_name = name_or_scope if name_or_scope is not None else default_name
        opened = stack.enter_context(graph.name_scope(scope_name))
    return (f"{old.name}/{relative}" if old.name else relative), opened, old


def create_slot_variable(
    primary: Variable, initializer, slot_name: str, shape=None, dtype=None
) -> Variable:
    """A variable shaped like ``primary``, named ``<primary>/<slot_name>`` (made unique).

    Optimizers keep their accumulators in slots (``w/Adam``, ``w/Adam_1``). A slot is not
    trainable and is placed with its primary. ``shape`` and ``dtype`` default to the
    primary's. ``initializer`` may be a tensor, the slot's initial value (TF's
    ``create_slot``): its shape is the slot's, checked only when fully known.
    """
    graph = primary.graph
    if isinstance(initializer, Tensor):
        shaped = {"validate_shape": initializer.shape.is_fully_defined()}
    else:
        shaped = {"shape": primary.shape if shape is None else shape}
    with graph.as_default(), init_scope(graph):
        with variable_scope(None, default_name=f"{primary.op.name}/{slot_name}"):
            with graph.colocate_with(primary.op):
                slot = get_variable(
                    "",
                    dtype=primary.dtype.base_dtype if dtype is None else dtype,
                    initializer=initializer,
                    trainable=False,
                    **shaped,
                )
    _slice_slot_like_primary(primary, slot)
    return slot


def slot_value_filled(primary, value, dtype) -> Tensor:
    """A slot's initial value for a ``primary`` whose shape is not fully known (TF's
    ``slot_creator``): ``value`` in the shape the primary has when the initializers
    run, its initial value's until it is initialized.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     fed = tf.compat.v1.placeholder(tf.float32, [None, 3])
    ...     w = tf.compat.v1.Variable(fed, validate_shape=False)
    ...     zeros = slot_value_filled(w, 0, tf.float32)
    ...     print(tf.compat.v1.Session().run(zeros, {fed: [[1, 2, 3]]}))
    [[0. 0. 0.]]
    """
    from .array_ops import fill, shape
    from .control_flow_ops import cond

    current = primary
    if isinstance(primary, Variable):
        initialized = is_variable_initialized(primary)
        current = cond(initialized, primary.read_value, lambda: primary.initial_value)
    return fill(shape(current), convert_to_tensor(value, dtype))


def _slice_slot_like_primary(primary, slot: Variable) -> None:
    """A slot of a part of a partitioned variable is the same part of one whole slot,
    saved as TF saves it: ``emb/part_1/Adam`` is a slice of ``emb/Adam``. (The primary
    may be a tensor: a moving average's.)"""
    info = primary._get_save_slice_info() if isinstance(primary, Variable) else None
    ndims = slot.shape.ndims
    if info is None or ndims == 0:
        return  # a scalar slot (TF's rule too) stays a variable of its own
    real_slot_name = slot.op.name[len(primary.op.name) + 1 :]
    slot._set_save_slice_info(
        Variable.SaveSliceInfo(
            f"{info.full_name}/{real_slot_name}",
            info.full_shape[:ndims],
            info.var_offset[:ndims],
            info.var_shape[:ndims],
        )
    )
