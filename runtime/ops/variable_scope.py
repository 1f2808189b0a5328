"""``variable_scope`` and ``get_variable``: TF1's named, shareable variables.

Each graph keeps one variable store (``name -> Variable`` for variables made by
``get_variable``) and the current ``VariableScope``, in graph collections as TF
does. A variable's name depends only on the variable scope, never on name scopes:
``get_variable`` creates its ops from the root name scope.

Sharing is explicit: in a scope with ``reuse=True`` ``get_variable`` returns the
existing variable (and fails if there is none); without reuse, asking for an
existing name fails; ``AUTO_REUSE`` creates or returns.
"""

from __future__ import annotations

import contextlib
import enum

from .. import dtypes
from ..errors import format_traceback
from ..graph import get_default_graph, graph_of
from ..graph_keys import GraphKeys
from ..shapes import TensorShape, as_shape
from . import init_ops
from .variables import Variable, init_scope

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
    initializer, regularizer, dtype
        Defaults for variables created in the scope.
    """

    def __init__(
        self,
        reuse,
        name="",
        initializer=None,
        regularizer=None,
        dtype=dtypes.float32,
        name_scope="",
    ):
        self.name = name
        self.original_name_scope = name_scope
        self._reuse = reuse
        self.initializer = initializer
        self.regularizer = regularizer
        self.dtype = dtypes.as_dtype(dtype)

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
    ) -> Variable:
        """``get_variable`` with this scope's defaults."""
        graph = get_default_graph()
        full_name = f"{self.name}/{name}" if self.name and name else (name or self.name)
        return _store(graph).get_variable(
            graph,
            full_name,
            shape=shape,
            dtype=self.dtype if dtype is None else dtypes.as_dtype(dtype),
            initializer=self.initializer if initializer is None else initializer,
            regularizer=self.regularizer if regularizer is None else regularizer,
            reuse=self._reuse,
            # A slot's name is its scope's: that name scope is already open, re-enter it.
            op_name=full_name if name else f"{full_name}/",
            trainable=trainable,
            collections=collections,
            validate_shape=validate_shape,
            constraint=constraint,
        )

    def __repr__(self):
        return f"<VariableScope name={self.name!r} reuse={self._reuse!r}>"


class _VariableStore:
    """The variables ``get_variable`` made, and how often each scope name was opened."""

    def __init__(self):
        self.variables: dict[str, Variable] = {}
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

    def get_variable(self, graph, name, *, shape, dtype, initializer, reuse, op_name, **kwargs):
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
    if dtype is not None and dtype.base_dtype != found.dtype.base_dtype:
        raise ValueError(
            f"Trying to share variable {name}, but specified dtype {dtype.base_dtype.name} and "
            f"found dtype {found.dtype.base_dtype.name}."
        )
    return found


def _default_initializer(name, dtype):
    if dtype.is_floating:
        return init_ops.GlorotUniform()
    if dtype.is_integer or dtype.is_bool:
        return init_ops.Zeros()
    raise ValueError(f"An initializer for variable {name} of {dtype.base_dtype!r} is required")


def _new_variable(
    graph,
    name,
    shape,
    dtype,
    initializer,
    op_name,
    regularizer=None,
    trainable=None,
    collections=None,
    validate_shape=True,
    constraint=None,
) -> Variable:
    if initializer is None:
        initializer = _default_initializer(name, dtype)
    if isinstance(initializer, type):  # a class, e.g. tf.zeros_initializer
        initializer = initializer(dtype=dtype)
    if callable(initializer):
        if shape is None or not shape.is_fully_defined():
            raise ValueError(
                f"Shape of a new variable ({name}) must be fully defined, but instead was "
                f"{TensorShape(None) if shape is None else shape}."
            )
        dims = shape.as_list()

        def initial_value():
            return initializer(dims, dtype=dtype, partition_info=None)

        value_dtype = dtype.base_dtype
    else:
        if shape is not None:
            raise ValueError("If initializer is a constant, do not specify shape.")
        initial_value, value_dtype = initializer, None
    with graph.name_scope(None):
        variable = Variable(
            initial_value,
            trainable=trainable,
            collections=collections,
            validate_shape=validate_shape,
            name=op_name,
            dtype=value_dtype,
            constraint=constraint,
        )
        if regularizer is not None:
            _regularize(graph, variable, regularizer, name)
    return variable


def _regularize(graph, variable, regularizer, name) -> None:
    with graph.colocate_with(variable.op), graph.name_scope(f"{name}/Regularizer/"):
        loss = regularizer(variable)
    if loss is not None:
        graph.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)


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
    initializer, regularizer, dtype : optional
        Defaults for ``get_variable`` inside (inherited by nested scopes).
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
        )
        holder[:] = [scope]
        try:
            yield scope
        finally:
            holder[:] = [old]
            store.close_subscopes(name, counts)


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
    primary's.
    """
    graph = primary.graph
    with graph.as_default(), init_scope(graph):
        with variable_scope(None, default_name=f"{primary.op.name}/{slot_name}"):
            with graph.colocate_with(primary.op):
                return get_variable(
                    "",
                    shape=primary.shape if shape is None else shape,
                    dtype=primary.dtype.base_dtype if dtype is None else dtype,
                    initializer=initializer,
                    trainable=False,
                )
