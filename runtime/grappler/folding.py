"""Constant folding: ops whose inputs are all constants become constants.

Rules, as TF's ``ConstantFolding``:

- an op folds when every data input is a ``Const``, it is not stateful (variables,
  random ops, queues, ``Assert``), not control flow, not a run's target, its kernel is
  a plain function of its inputs, and each output fits in ``max_constant_bytes``
  (10 MiB) and is a numpy value of the declared dtype and static shape;
- the new constant keeps the control inputs of the op and of the constants it read,
  so it still runs in its frame and is still dead on the untaken side of a cond;
- a single-output op's constant takes its name (a fetch of it is a fetch of the
  constant); a multi-output op's outputs become ``ConstantFolding/<name>-<i>``;
- an op whose kernel fails on the constants is left alone: the run raises the error,
  naming the op;
- ``Shape``, ``Size`` and ``Rank`` of a tensor whose static shape is fully known
  become constants too (TF's shape materialization), after the tensor's op through a
  control edge, so deadness still flows.
"""

from __future__ import annotations

import numpy as np

from ..dtypes import resource, string, variant
from ..registry import get_op_def, lookup_kernel
from ..shapes import TensorShape
from .mutable import CONTROL_FLOW, MutableGraph, Node, value_of
from .report import Change, Report

NAME = "constant_folding"
# Not stateful by declaration, but user code with effects of its own.
_NEVER_FOLDED = frozenset({"PyFuncStateless"})
_NO_VALUE_TYPES = (resource, variant)
_SHAPE_OPS = frozenset({"Shape", "Size", "Rank"})


def fold_constants(graph: MutableGraph, report: Report, max_constant_bytes: int) -> int:
    """Fold what can be folded, in dependency order; returns how many ops were folded.

    Examples
    --------
    >>> import runtime as tf
    >>> from runtime.plan import prune
    >>> with tf.Graph().as_default():
    ...     a = tf.constant(2.0, name="a")
    ...     y = tf.square(a + 1.0, name="y")
    >>> ops = prune([y], [], set())
    >>> graph = MutableGraph.from_ops(ops, [y], [], [], {op: "/cpu:0" for op in ops})
    >>> report = Report()
    >>> fold_constants(graph, report, 1 << 20), graph.nodes["y"].attrs["value"]
    (2, array(9., dtype=float32))
    """
    folded = 0
    foldable_types: dict = {}  # op type -> whether its kernel may be called at all
    targets = set(graph.targets)
    with np.errstate(all="ignore"):  # kernels make inf and nan quietly, as in a run
        for node in graph.topological():
            if graph.nodes.get(node.name) is node and node not in targets:
                folded += _fold(graph, node, report, max_constant_bytes, foldable_types)
    return folded


def may_fold(ops) -> bool:
    """Whether one of ``ops`` (a run's, as written) could fold: all its inputs
    constants, or a shape op. ``False`` means the pass folds nothing (the optimizer's
    quick scan); ``True`` may be wrong, never the other way.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default() as g:
    ...     x = tf.compat.v1.placeholder(tf.float32, name="x")
    ...     y, z = tf.negative(x), tf.negative(tf.constant(1.0))
    >>> may_fold([x.op, y.op]), may_fold([z.op])
    (False, True)
    """
    for op in ops:
        inputs = op._inputs
        if op.type in _SHAPE_OPS:
            return True
        # The first input first: a generator per op would cost more than the rest.
        if inputs and inputs[0]._op._type == "Const" and all(_from_const(t) for t in inputs):
            return True
    return False


def _from_const(tensor) -> bool:
    return tensor._op._type == "Const"


def _fold(graph: MutableGraph, node: Node, report: Report, max_bytes: int, types: dict) -> int:
    """Replace ``node`` by constants if it folds; returns 1 if it did, else 0."""
    if node.type in _SHAPE_OPS and value_of(node.inputs[0]) is None:
        outputs = _materialized_shape(node)
        after = [] if outputs is None or _from_feed(graph, node) else [node.inputs[0][0]]
    else:
        outputs = _evaluated(node, max_bytes) if _foldable(node, types) else None
        after = [c for ref in node.inputs for c in ref[0].control]
    if outputs is None:
        return 0
    read = [ref[0].name for ref in node.inputs]
    kind = "from" if all(value_of(ref) is not None for ref in node.inputs) else "shape of"
    constants = _replace_by_constants(graph, node, outputs, [*node.control, *after])
    report.add(
        Change(
            NAME,
            "folded",
            (node.name,),
            tuple(c.name for c in constants),
            f"{kind} {', '.join(read)}",
        )
    )
    return 1


def _foldable(node: Node, types: dict) -> bool:
    if not node.inputs or any(value_of(ref) is None for ref in node.inputs):
        return False
    if any(dtype in _NO_VALUE_TYPES or dtype.is_ref_dtype for dtype, _ in node.specs):
        return False
    known = types.get(node.type)
    if known is None:
        known = types[node.type] = _foldable_type(node.type)
    return known


def _foldable_type(op_type: str) -> bool:
    """Whether ops of ``op_type`` may be folded: a plain kernel, no state, no control flow."""
    if op_type in CONTROL_FLOW or op_type in _NEVER_FOLDED:
        return False
    kernel = lookup_kernel(op_type, "CPU")
    return kernel is not None and not kernel.needs_context and not get_op_def(op_type).is_stateful


def _evaluated(node: Node, max_bytes: int) -> list | None:
    """The op's outputs on its constant inputs, as frozen arrays; ``None`` when they do
    not make constants (the kernel fails, a value is too big or not what the op declares)."""
    op_def = get_op_def(node.type)
    kernel = lookup_kernel(node.type, "CPU")
    try:
        outputs = kernel.fn(
            *[value_of(ref) for ref in node.inputs], **op_def.public_attrs(node.attrs)
        )
    except Exception:  # the run raises it, naming the op
        return None
    if len(outputs) != len(node.specs):
        return None
    frozen = []
    for value, (dtype, shape) in zip(outputs, node.specs):
        if not isinstance(value, np.ndarray | np.generic):
            return None
        array = np.asarray(value)
        expected = np.dtype(object) if dtype == string else np.dtype(dtype.as_numpy_dtype)
        if array.dtype != expected or array.nbytes > max_bytes:
            return None
        if not _fits(shape, array.shape):
            return None
        frozen.append(_frozen(array))
    return frozen


def _fits(shape: TensorShape, dims: tuple) -> bool:
    """Whether a value of shape ``dims`` is one the static ``shape`` allows."""
    known = shape.as_tuple()
    if known is None:
        return True
    return len(known) == len(dims) and all(k is None or k == d for k, d in zip(known, dims))


def _frozen(array: np.ndarray) -> np.ndarray:
    """``array`` as a constant's value: read-only, sharing storage with nothing writable."""
    if array.flags.writeable:
        array = array.copy() if array.base is not None else array
        array.setflags(write=False)
    return array


def _materialized_shape(node: Node) -> list | None:
    """``Shape``/``Size``/``Rank`` of a statically known shape, as a constant."""
    (dtype, shape), out = node.inputs[0][0].specs[node.inputs[0][1]], node.specs[0][0]
    if dtype in _NO_VALUE_TYPES or dtype.is_ref_dtype:
        return None  # a variable's shape may change (assign with validate_shape=False)
    numpy_type = out.as_numpy_dtype
    if node.type == "Rank":
        return None if shape.rank is None else [_frozen(np.array(shape.rank, numpy_type))]
    if not shape.is_fully_defined():
        return None
    dims = shape.as_list()
    value = (
        np.array(dims, numpy_type)
        if node.type == "Shape"
        else np.array(np.prod(dims, dtype=np.int64), numpy_type)
    )
    return [_frozen(value)]


def _from_feed(graph: MutableGraph, node: Node) -> bool:
    """True when ``node`` reads a feed: always live, and waiting on it would run it."""
    return node.inputs[0] in graph.feeds.values()


def _replace_by_constants(graph: MutableGraph, node: Node, values: list, control: list) -> list:
    control = list(dict.fromkeys(c for c in control if c is not node))
    if len(values) == 1:
        constant = _constant(node, node.name, values[0], node.specs[0][0], control)
        graph.replace(node, constant)
        return [constant]
    constants = []
    for index, value in enumerate(values):
        name = graph.unique_name(f"ConstantFolding/{node.name}-{index}")
        constant = graph.add(_constant(node, name, value, node.specs[index][0], control))
        graph.forward((node, index), (constant, 0))
        constants.append(constant)
    graph.move_control_readers(node, constants[:1])
    graph.preserved.discard(node)
    graph.remove(node)
    return constants


def _constant(node: Node, name: str, value: np.ndarray, dtype, control: list) -> Node:
    """A ``Const`` holding ``value`` in ``node``'s place."""
    attrs = {"value": value, "dtype": dtype}
    return node.derived(
        name, "Const", [], list(control), attrs, [(dtype, TensorShape(value.shape))]
    )
