"""TF1's functions of the default graph: its collections, colocation and ``init_scope``.

Each is its ``Graph`` method (or context) applied to ``tf.get_default_graph()``.

Examples
--------
>>> import runtime as tf
>>> with tf.Graph().as_default():
...     tf.add_to_collection("losses", 1.5)
...     tf.add_to_collections(["losses", "extra"], 2.5)
...     tf.get_collection("losses"), tf.get_collection("extra")
([1.5, 2.5], [2.5])
"""

from __future__ import annotations

import contextlib

from .graph import get_default_graph
from .scopes import name_scope

__all__ = [
    "add_to_collection",
    "add_to_collections",
    "colocate_with",
    "get_collection",
    "get_collection_ref",
    "init_scope",
    "op_scope",
]


def add_to_collection(name: str, value) -> None:
    """Append ``value`` to the default graph's collection ``name``."""
    get_default_graph().add_to_collection(name, value)


def add_to_collections(names, value) -> None:
    """Append ``value`` to each of the default graph's collections ``names``."""
    get_default_graph().add_to_collections(names, value)


def get_collection(key: str, scope: str | None = None) -> list:
    """A copy of the default graph's collection ``key`` (the items whose name
    matches ``scope``, when given)."""
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key: str) -> list:
    """The default graph's collection ``key`` itself: changing the list changes it.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     get_collection_ref("queue").append("q")
    ...     get_collection("queue")
    ['q']
    """
    return get_default_graph().get_collection_ref(key)


def colocate_with(op, ignore_existing: bool = False):
    """Place the ops created inside with ``op`` (an op, tensor or variable).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     w = tf.Variable(1.0, name="w")
    ...     with tf.colocate_with(w):
    ...         y = tf.identity(w)
    >>> y.op.colocation_groups()
    [b'loc:@w']
    """
    graph = get_default_graph()
    target = getattr(op, "op", op) if op is not None else None  # a variable's op
    return graph.colocate_with(target, ignore_existing)


@contextlib.contextmanager
def init_scope():
    """Build as if at the top of the program: in the outermost graph (outside function
    bodies), outside control dependencies and TF1 cond/while contexts, keeping the name
    scope -- where TF creates variables and their initializers.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a = tf.constant(1.0, name="a")
    ...     with tf.control_dependencies([a]), tf.name_scope("layer"):
    ...         with tf.init_scope():
    ...             b = tf.constant(2.0, name="b")
    >>> b.op.name, b.op.control_inputs
    ('layer/b', [])
    """
    graph = get_default_graph()
    scope = graph.get_name_scope()
    outer = graph
    while outer.outer_graph is not None:
        outer = outer.outer_graph
    with outer.as_default(), outer.control_dependencies(None):
        with outer.name_scope(f"{scope}/" if scope else ""):
            yield


def op_scope(values, name, default_name=None):
    """TF 0.x's ``name_scope`` with the values first (``tf.op_scope``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     with op_scope([], None, "block") as scope:
    ...         scope
    'block/'
    """
    return name_scope(name, default_name, values)
