"""Arithmetic simplification: ops that give back their input, and pairs that cancel.

- ``x * 1``, ``1 * x``, ``x / 1``, ``x + 0``, ``0 + x``, ``x - 0``, ``BiasAdd(x, 0)``
  are ``x`` when the constant does not broadcast ``x`` to a bigger shape;
- ``Transpose`` by the identity permutation, ``Reshape`` to ``x``'s own (static)
  shape, ``Cast`` to ``x``'s own type and ``Tile`` by ones are ``x``;
- ``Transpose(Transpose(x, p), q)`` is ``x`` when the permutations cancel;
  ``Neg(Neg(x))`` and ``LogicalNot(LogicalNot(x))`` are ``x``;
- ``Reshape(Reshape(x, s1), s2)`` is ``Reshape(x, s2)`` (a reshape depends only on the
  element count, checked here against ``x``'s static shape);
- beyond TF: ``ReluGrad(MaxPoolGrad(x, MaxPool(x), g), x)`` is ``MaxPoolGrad(x,
  MaxPool(x), ReluGrad(g, MaxPool(x)))``. The max-pool gradient routes each window's
  gradient to the cell holding the window's maximum, and the ReLU gradient's mask
  ``x > 0`` at that cell is ``MaxPool(x) > 0`` for the window: so the mask is applied
  to the pooled gradient, a quarter of the values for a 2x2 pool, with the same result
  to the bit (a cell several windows route to gets the sum of their masked gradients,
  each mask the same). A CNN's backward pass through ReLU and max pool.

An op is replaced only when nothing is lost with it: it has no control inputs, it is
not fetched or a target (TF keeps those by name), and the constants it drops carry no
control inputs (their frame and deadness would go with them).
"""

from __future__ import annotations

import numpy as np

from .mutable import MutableGraph, Node, attr_text, value_of
from .report import Change, Report

NAME = "arithmetic_optimization"
_NEUTRAL = {  # op type -> (value that leaves x unchanged, the positions x may take)
    "Mul": (1, (0, 1)),
    "RealDiv": (1, (0,)),
    "Div": (1, (0,)),
    "Add": (0, (0, 1)),
    "AddV2": (0, (0, 1)),
    "Sub": (0, (0,)),
    "BiasAdd": (0, (0,)),
}
_INVOLUTIONS = frozenset({"Neg", "LogicalNot"})


def simplify_arithmetic(graph: MutableGraph, report: Report) -> int:
    """Apply the rules above in dependency order; returns how many ops they changed.

    Examples
    --------
    >>> import runtime as tf
    >>> from runtime.plan import prune
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [2, 3], name="x")
    ...     t = tf.transpose(tf.transpose(x * 1.0, name="t1"), name="t2")
    ...     y = tf.negative(t, name="y")
    >>> ops = prune([y], [], {x})
    >>> graph = MutableGraph.from_ops(ops, [y], [], [x], {op: "/cpu:0" for op in ops})
    >>> simplify_arithmetic(graph, Report())
    2
    >>> graph.nodes["y"].inputs[0][0].name
    'x'
    """
    changed = 0
    for node in graph.topological():
        if graph.nodes.get(node.name) is not node or node in graph.preserved or node.control:
            continue
        if node.type == "ReluGrad" and _mask_before_pool_gradient(graph, node, report):
            changed += 1
            continue
        if node.type == "Reshape" and _merge_reshapes(graph, node):
            report.add(
                Change(
                    NAME,
                    "simplified",
                    (node.inputs[0][0].name,),
                    (node.name,),
                    "reshape of a reshape",
                )
            )
            changed += 1
            continue
        found = _same_value(graph, node)
        if found is None:
            continue
        source, why = found
        if not _forward(graph, node, source):
            continue
        report.add(Change(NAME, "simplified", (node.name,), (source[0].name,), why))
        changed += 1
    return changed


def may_simplify(ops) -> bool:
    """Whether a rule above could apply to one of ``ops`` (a run's, as written): an op
    of a rule's type, with a constant beside it where the rule needs one. ``False``
    means the pass changes nothing (the optimizer's quick scan, ``runtime.grappler.
    optimizer``); ``True`` may be wrong, never the other way.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default() as g:
    ...     x = tf.compat.v1.placeholder(tf.float32, name="x")
    ...     y = tf.add(x, x, name="y")
    ...     z = tf.multiply(y, 1.0, name="z")
    >>> may_simplify([x.op, y.op]), may_simplify([z.op])
    (False, True)
    """
    return any(map(_may_apply, ops))


def _may_apply(op) -> bool:
    kind, inputs = op._type, op._inputs
    if kind in _NEUTRAL:  # two operands
        return inputs[0]._op._type == "Const" or inputs[-1]._op._type == "Const"
    if kind in _FIRST_READS:
        return inputs[0]._op._type == _FIRST_READS[kind]
    return kind in _SHAPED or (kind == "Cast" and op._attrs["SrcT"] == op._attrs["DstT"])


_SHAPED = frozenset({"Transpose", "Reshape", "Tile"})  # rules that read constant shapes
# A rule's op type -> the type of op its first input must come from.
_FIRST_READS = {**{kind: kind for kind in _INVOLUTIONS}, "ReluGrad": "MaxPoolGrad"}


def _same_value(graph: MutableGraph, node: Node):
    """``(ref, why)`` when ``node`` outputs exactly the value of ``ref``."""
    kind = node.type
    if kind in _NEUTRAL and len(node.inputs) == 2:
        neutral, positions = _NEUTRAL[kind]
        for position in positions:
            x, other = node.inputs[position], node.inputs[1 - position]
            constant = _plain_constant(other)
            if constant is not None and _leaves(x, node, constant, neutral):
                return x, f"{kind} by {neutral}"
        return None
    if kind in _INVOLUTIONS:
        inner = node.inputs[0][0]
        if inner.type == kind and not inner.control:
            return inner.inputs[0], f"{kind} of {kind}"
        return None
    if kind == "Transpose":
        return _transpose(node)
    if kind == "Reshape":
        shape = _plain_constant(node.inputs[1])
        static = _static_shape(node.inputs[0])
        if shape is not None and static is not None and tuple(shape.tolist()) == static:
            return node.inputs[0], "reshape to its own shape"
        return None
    if kind == "Cast" and node.attrs["SrcT"] == node.attrs["DstT"]:
        return node.inputs[0], "cast to its own type"
    if kind == "Tile":
        multiples = _plain_constant(node.inputs[1])
        if multiples is not None and np.all(multiples == 1):
            return node.inputs[0], "tile by ones"
    return None


def _plain_constant(ref):
    """The value of a constant with no control inputs, else ``None``."""
    value = value_of(ref)
    return value if value is not None and not ref[0].control else None


def _leaves(x, node: Node, constant: np.ndarray, neutral: int) -> bool:
    """True when ``x (op) constant`` is ``x``: the constant is neutral everywhere and does
    not broadcast ``x`` to another shape or type."""
    x_dtype, x_shape = x[0].specs[x[1]]
    if node.specs[0][0] != x_dtype or constant.dtype.kind not in "biufc":
        return False
    if not np.all(constant == neutral):
        return False
    if constant.ndim == 0 or (node.type == "BiasAdd" and x_shape.rank is not None):
        return True
    static = _static_shape(x)
    if static is None:
        return False
    try:
        return np.broadcast_shapes(static, constant.shape) == static
    except ValueError:
        return False


def _static_shape(ref):
    shape = ref[0].specs[ref[1]][1]
    return tuple(shape.as_list()) if shape.is_fully_defined() else None


def _transpose(node: Node):
    perm = _plain_constant(node.inputs[1])
    if perm is None:
        return None
    if np.array_equal(perm, np.arange(perm.size)):
        return node.inputs[0], "transpose by the identity"
    inner = node.inputs[0][0]
    if inner.type != "Transpose" or inner.control:
        return None
    inner_perm = _plain_constant(inner.inputs[1])
    if inner_perm is None or inner_perm.size != perm.size:
        return None
    if np.array_equal(inner_perm[perm], np.arange(perm.size)):
        return inner.inputs[0], "transposes that cancel"
    return None


def _merge_reshapes(graph: MutableGraph, node: Node) -> bool:
    """Make ``Reshape(Reshape(x, s1), s2)`` read ``x``; True if it did."""
    inner = node.inputs[0][0]
    if inner.type != "Reshape" or inner.control:
        return False
    x = inner.inputs[0]
    shape, static = _plain_constant(inner.inputs[1]), _static_shape(x)
    if shape is None or static is None or not _fits(shape, int(np.prod(static, dtype=np.int64))):
        return False  # the inner reshape may fail at run time: keep its error
    graph.set_inputs(node, [x, node.inputs[1]], node.control)
    return True


def _fits(shape: np.ndarray, size: int) -> bool:
    """True when reshaping ``size`` elements to ``shape`` (one ``-1`` allowed) works."""
    dims = [int(d) for d in shape.ravel()]
    known = int(np.prod([d for d in dims if d != -1], dtype=np.int64))
    if dims.count(-1) == 0:
        return known == size
    return dims.count(-1) == 1 and known > 0 and size % known == 0


def _forward(graph: MutableGraph, node: Node, source) -> bool:
    """Make ``node``'s readers read ``source`` instead, and drop ``node``."""
    if graph.control_readers_of(node) and source in graph.feeds.values():
        return False  # waiting on a feed's placeholder would run it
    graph.forward((node, 0), source)
    graph.move_control_readers(node, [source[0]])
    graph.remove(node)
    return True


_POOL_ATTRS = ("ksize", "strides", "padding", "explicit_paddings", "data_format")


def _mask_before_pool_gradient(graph: MutableGraph, node: Node, report: Report) -> bool:
    """Rewrite ``ReluGrad(MaxPoolGrad(x, MaxPool(x), g), x)`` (the rule above); True if it
    did. The max-pool gradient must be read by the ReLU gradient alone, and its pooled
    values must be the max pool of the same ``x`` with the same windows."""
    (pool_grad, index), features = node.inputs
    if pool_grad.type != "MaxPoolGrad" or index != 0 or pool_grad.control:
        return False
    if graph.sole_reader(pool_grad) is not node:
        return False
    x, pooled, gradient = pool_grad.inputs
    pool = pooled[0]
    if x != features or pooled[1] != 0 or pool.type != "MaxPool" or pool.inputs[0] != x:
        return False
    if any(
        attr_text(pool.attrs.get(key)) != attr_text(pool_grad.attrs.get(key)) for key in _POOL_ATTRS
    ):
        return False
    masked = node.derived(
        graph.unique_name(f"{node.name}/pooled"),
        "ReluGrad",
        [gradient, pooled],
        [],
        node.attrs,
        [gradient[0].specs[gradient[1]]],
        rank=pool_grad.rank,  # after its inputs (the pool gradient's), before the routing
    )
    graph.add(masked)
    routed = node.derived(
        node.name,
        "MaxPoolGrad",
        [x, pooled, (masked, 0)],
        list(node.control),
        pool_grad.attrs,
        node.specs,
        origin=(pool_grad.origin[-1], node.origin[-1]),
    )
    graph.replace(node, routed)
    graph.remove(pool_grad)
    why = "ReLU gradient's mask applied to the pooled gradient, before the max-pool gradient"
    report.add(
        Change(NAME, "simplified", (pool_grad.name, node.name), (masked.name, routed.name), why)
    )
    return True
