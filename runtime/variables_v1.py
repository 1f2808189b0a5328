"""TF1's smaller variable helpers: old names, model and local variables, templates.

``tf.all_variables`` and the ``initialize_*`` functions are TF 0.x's names of
``global_variables`` and the ``*_initializer`` functions; ``make_template`` shares a
function's variables between calls.

Examples
--------
>>> import runtime as tf
>>> with tf.Graph().as_default():
...     w = tf.Variable(1.0, name="w")
...     tf.all_variables() == tf.global_variables()
True
"""

from __future__ import annotations

import enum
import functools

from .graph import get_default_graph
from .graph_keys import GraphKeys
from .ops.array_ops import stack
from .ops.control_flow_ops import group
from .ops.core import apply_op
from .ops.shape_ops import RANK
from .ops.variable_scope import VariableScope, get_variable, variable_scope
from .ops.variables import (
    global_variables,
    local_variables_initializer,
    variables_initializer,
)

__all__ = [
    "Template",
    "VariableAggregation",
    "VariableSynchronization",
    "all_variables",
    "assert_variables_initialized",
    "get_local_variable",
    "initialize_all_tables",
    "initialize_local_variables",
    "initialize_variables",
    "make_template",
    "model_variables",
    "no_regularizer",
    "tables_initializer",
    "variable_op_scope",
]


class VariableSynchronization(enum.Enum):
    """When a distributed variable's copies agree (TF's values; one copy here)."""

    AUTO = 0
    NONE = 1
    ON_WRITE = 2
    ON_READ = 3


class VariableAggregation(enum.Enum):
    """How a distributed variable's copies combine updates (TF's values; one copy here)."""

    NONE = 0
    SUM = 1
    MEAN = 2
    ONLY_FIRST_REPLICA = 3


all_variables = global_variables
initialize_variables = variables_initializer
initialize_local_variables = local_variables_initializer


def model_variables(scope=None) -> list:
    """The variables of the ``MODEL_VARIABLES`` collection (those a model is made of)."""
    return get_default_graph().get_collection(GraphKeys.MODEL_VARIABLES, scope)


def get_local_variable(name, shape=None, dtype=None, initializer=None, regularizer=None,
                       trainable=False, collections=None, validate_shape=True, constraint=None):  # fmt: skip
    """``get_variable`` for a local variable: in ``LOCAL_VARIABLES``, not trainable.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     count = get_local_variable("count", [], initializer=tf.zeros_initializer())
    ...     tf.local_variables() == [count], tf.global_variables()
    (True, [])
    """
    collections = [*(collections or []), GraphKeys.LOCAL_VARIABLES]
    return get_variable(
        name, shape, dtype, initializer, regularizer, trainable, collections,
        validate_shape, constraint,
    )  # fmt: skip


def no_regularizer(_):
    """A regularizer that adds no loss (``None``)."""
    return None


def assert_variables_initialized(var_list=None):
    """A tensor whose run fails (``FailedPreconditionError``) while any variable of
    ``var_list`` (default: all global and local ones; else every variable op) is
    uninitialized, or ``None`` if there are none. As TF's, it reads each variable's rank.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     w = tf.Variable([1.0, 2.0])
    ...     check = assert_variables_initialized()
    ...     sess = tf.Session()
    ...     _ = sess.run(w.initializer)
    >>> sess.run(check).tolist()
    1
    """
    graph = get_default_graph()
    if var_list is None:
        var_list = [*global_variables(), *graph.get_collection(GraphKeys.LOCAL_VARIABLES)]
    if not var_list:  # TF's fallback for variables made without the collections
        var_list = [op.outputs[0] for op in graph.get_operations() if op.type == "VariableV2"]
    if not var_list:
        return None
    ranks = []
    for variable in var_list:
        with graph.colocate_with(variable.op):
            ranks.append(apply_op(RANK, [variable], "Rank").outputs[0])  # a read, not folded
    return ranks[0] if len(ranks) == 1 else stack(ranks)


def tables_initializer(name="init_all_tables"):
    """One op running the initializers of the ``TABLE_INITIALIZERS`` collection (the
    runtime has no lookup tables, so it is a no-op unless code adds its own there)."""
    initializers = get_default_graph().get_collection(GraphKeys.TABLE_INITIALIZERS)
    return group(*initializers, name=name)


initialize_all_tables = tables_initializer


def variable_op_scope(values, name_or_scope, default_name=None, initializer=None,
                      regularizer=None, reuse=None, dtype=None):  # fmt: skip
    """TF 0.x's ``variable_scope`` with the values first (``tf.variable_op_scope``)."""
    return variable_scope(
        name_or_scope, default_name, values, initializer, regularizer, reuse, dtype
    )


class Template:
    """A function whose variables are created on the first call and shared after.

    The first call opens a variable scope (named ``name``, made unique) in which
    ``func`` creates its variables with ``get_variable``; later calls re-enter that scope
    with ``reuse=True``, so creating a new variable then is an error, as in TF.
    """

    def __init__(self, name, func, create_scope_now=False, unique_name=None):
        self._name = name
        self._func = func
        self._unique_name = unique_name
        self._scope: VariableScope | None = None
        self._called = False
        if create_scope_now:  # the scope only: its name scope opens with the first call
            with variable_scope(unique_name, name, auxiliary_name_scope=False) as scope:
                self._scope = scope
        functools.update_wrapper(self, func, updated=())

    def __call__(self, *args, **kwargs):
        if self._scope is None:
            with variable_scope(self._unique_name, default_name=self._name) as scope:
                self._scope = scope
                result = self._func(*args, **kwargs)
        else:
            with variable_scope(self._scope, reuse=self._called or None):
                result = self._func(*args, **kwargs)
        self._called = True
        return result

    @property
    def name(self) -> str:
        return self._name

    @property
    def variable_scope(self) -> VariableScope | None:
        return self._scope

    @property
    def variable_scope_name(self) -> str | None:
        return None if self._scope is None else f"{self._scope.name}/"

    @property
    def global_variables(self) -> list:
        return self._variables(GraphKeys.GLOBAL_VARIABLES)

    variables = global_variables

    @property
    def trainable_variables(self) -> list:
        return self._variables(GraphKeys.TRAINABLE_VARIABLES)

    @property
    def local_variables(self) -> list:
        return self._variables(GraphKeys.LOCAL_VARIABLES)

    def _variables(self, key: str) -> list:
        if self._scope is None:
            return []
        return get_default_graph().get_collection(key, self.variable_scope_name)


def make_template(name_, func_, create_scope_now_=False, unique_name_=None, **kwargs):
    """``func_`` (with ``kwargs`` bound) as a :class:`Template`: its variables are made on
    the first call and shared by every later one.

    Examples
    --------
    >>> import runtime as tf
    >>> def scale(x):
    ...     w = tf.get_variable("w", [], initializer=tf.ones_initializer())
    ...     return tf.multiply(x, w, name="y")
    >>> with tf.Graph().as_default():
    ...     shared = make_template("scale", scale)
    ...     a, b = shared(tf.constant(2.0)), shared(tf.constant(3.0))
    ...     [v.name for v in tf.global_variables()], shared.variable_scope_name
    (['scale/w:0'], 'scale/')
    """
    func = functools.partial(func_, **kwargs) if kwargs else func_
    return Template(name_, func, create_scope_now_, unique_name_)
