"""Control flow: ``cond``, ``case``, ``while_loop``, ``group``, ``tuple`` and ``no_op``.

By default ``cond`` and ``while_loop`` build TF 1.x's dataflow ops in the caller's
graph (:mod:`runtime.ops.control_flow_v1`). With control flow v2 enabled
(``tf.compat.v1.enable_control_flow_v2()``), and always inside a function body, they
build TF2's functional ops: an ``If`` (``StatelessIf``
when neither branch touches state) holding both branches, and a ``While``
(``StatelessWhile``) holding the loop's condition and body, each traced into a
:class:`runtime.functional.FuncGraph` (see :mod:`runtime.functional` for capturing,
running and placement). As in TF2, results pass through ``Identity`` ops named
``cond/Identity``, ``while/Identity_1`` ..., and ``case`` is a chain of ``cond``s.

Gradients (registered at the end of this module): the gradient of an ``If`` is an
``If`` on the same predicate over the two branches' gradient bodies; the gradient of
a ``While`` is a ``While`` that runs the body's gradient once per forward iteration,
last first, carrying the gradients of all loop variables (captured tensors are loop
variables the body passes through, so their gradients accumulate). Gradient bodies
read the forward values they need from the forward op's trace, call by call.
"""

from __future__ import annotations

import builtins
import collections

from .. import dtypes, nest
from ..control_flow_util import builds_functional
from ..functional import as_output_tensor, set_outputs, trace_function, unique_function_name
from ..graph import Operation, Tensor, get_default_graph, graph_of
from ..registry import Cost, OpDef, TensorSpec, register_gradient, register_op
from ..shapes import TensorShape, as_shape
from ..sparse_tensor import SparseTensor
from . import (
    control_flow_grad,  # noqa: F401 - registers the TF1 control-flow gradients
    control_flow_v1,
    math_ops,
)
from .array_ops import identity
from .core import apply_op, convert_to_tensor

__all__ = ["case", "cond", "group", "no_op", "switch_case", "tuple", "while_loop"]

NO_OP = register_op(OpDef("NoOp", (), (), (), shape_fn=lambda: []))


def no_op(name=None) -> Operation:
    """An op that does nothing; useful as a target of control dependencies.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     op = no_op()
    >>> op.type, op.outputs
    ('NoOp', [])
    """
    return apply_op(NO_OP, [], name or "NoOp", graph=get_default_graph())


def group(*inputs, name=None) -> Operation:
    """An op that runs once all of ``inputs`` (ops or tensors) have run.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a, b = tf.constant(1), tf.constant(2)
    ...     g = group(a, b)
    >>> sorted(op.name for op in g.control_inputs)
    ['Const', 'Const_1']

    As in TF, ``inputs`` may nest lists and tuples (BERT's optimizer writes
    ``tf.group(train_op, [global_step.assign(step)])``).
    """
    inputs = nest.flatten(inputs)
    for item in inputs:
        if not hasattr(item, "device"):
            raise TypeError(
                "'inputs' should be zero or more (nested) Tensors. "
                f"Received '{item}' with type '{type(item)}'."
            )
    graph = graph_of(inputs)
    with graph.control_dependencies(inputs):
        return apply_op(NO_OP, [], name or "group_deps", graph=graph)


def tuple(tensors, name=None, control_inputs=None) -> list:
    """The same tensors, each available only once all of them (and ``control_inputs``) are.

    Parameters
    ----------
    tensors : list of Tensor, Operation or None
    name : str, optional
    control_inputs : list of Operation or Tensor, optional
        More ops to wait for.

    Returns
    -------
    list
        ``Identity`` of each tensor (a ``NoOp`` for each op, ``None`` stays ``None``),
        all depending on one gate.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a, b = tf.constant(1.0), tf.constant(2.0)
    ...     x, y = tuple([a, b])
    >>> x.op.type, [op.type for op in x.op.control_inputs]
    ('Identity', ['NoOp'])
    """
    graph = graph_of(list(tensors) + list(control_inputs or []))
    with graph.name_scope(name or "tuple"):
        tensors = [
            t if t is None or isinstance(t, Operation | Tensor) else convert_to_tensor(t)
            for t in tensors
        ]
        gating = [t if isinstance(t, Operation) else t.op for t in tensors if t is not None]
        for control in control_inputs or []:
            if not isinstance(control, Operation | Tensor):
                raise TypeError(
                    "'control_inputs' must only contain Operation or Tensor. Received: "
                    f"{type(control)}"
                )
            gating.append(control.op if isinstance(control, Tensor) else control)
        if not gating:
            raise ValueError(f"'tensors' must have at least one Tensor. Received: {tensors}.")
        gate = group(*dict.fromkeys(gating))
        with graph.control_dependencies([gate]):
            return [_gated(t) for t in tensors]


def _gated(item):
    if item is None:
        return None
    if isinstance(item, Operation):
        return group(item)
    return identity(item, name="control_dependency")


# -- If --------------------------------------------------------------------------------


def _functional_op(op_type: str, inputs: tuple, attrs: tuple, types_attr: str, stateful: bool):
    """Register an If or While op: TF's declaration plus a last scalar ``variant``
    output, the trace its gradient reads (TF's gradient reruns a rewritten body
    instead). The outputs have the dtypes in attr ``types_attr`` and the
    ``output_shapes``."""

    def shape_fn(*inputs, output_shapes, **op_attrs) -> list[TensorSpec]:
        types = op_attrs[types_attr]
        shapes = output_shapes or [TensorShape(None)] * len(types)
        specs = [TensorSpec(dtype, shape) for dtype, shape in zip(types, shapes)]
        return [*specs, TensorSpec(dtypes.variant, TensorShape([]))]

    outputs = (f"output: {types_attr}", "trace: variant")
    op_def = OpDef(op_type, inputs, outputs, attrs, shape_fn, stateful, Cost.EXPENSIVE)
    return register_op(op_def)


_IF_INPUTS = ("cond: Tcond", "input: Tin")
_IF_ATTRS = (
    "Tcond: type",
    "Tin: list(type) >= 0",
    "Tout: list(type) >= 0",
    "then_branch: func",
    "else_branch: func",
    "output_shapes: list(shape) = []",
)
IF = _functional_op("If", _IF_INPUTS, _IF_ATTRS, "Tout", stateful=True)
STATELESS_IF = _functional_op("StatelessIf", _IF_INPUTS, _IF_ATTRS, "Tout", stateful=False)


def cond(pred, true_fn=None, false_fn=None, name=None):
    """``true_fn()`` if ``pred`` else ``false_fn()``, decided when the graph runs.

    Only the taken branch runs: its side effects (assignments, prints) happen, the
    other branch's do not. Both branches must return the same structure of tensors
    with the same dtypes; each result's static shape is the most specific shape
    compatible with both branches'.

    Parameters
    ----------
    pred : scalar bool Tensor
    true_fn, false_fn : callable
        Functions of no arguments returning a (possibly nested) structure of tensors;
        an ``Operation`` in it becomes ``pred`` with a control dependency on the op.
    name : str, optional

    Returns
    -------
    The structure the branches return (TF2's ``tf.cond``: a single-element list
    stays a list).

    Raises
    ------
    TypeError
        ``pred`` is a Python bool, a function is not callable, or the branches'
        structures or dtypes differ.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [])
    ...     y = cond(x > 0.0, lambda: x * 2.0, lambda: -x)
    ...     with tf.compat.v1.Session() as sess:
    ...         print(sess.run(y, {x: 3.0}), sess.run(y, {x: -4.0}))
    6.0 4.0
    >>> y.op.type, y.op.name  # TF1's dataflow form; a StatelessIf with control flow v2
    ('Merge', 'cond/Merge')
    """
    return build_cond(pred, true_fn, false_fn, name, strict=True)


def cond_v1(pred, true_fn=None, false_fn=None, strict=False, name=None, fn1=None, fn2=None):
    """``tf.compat.v1.cond``: as :func:`cond`, with ``strict`` and the old ``fn1``/``fn2``.

    Unless ``strict``, a branch result that is a list or tuple of one element is
    returned as that element.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     y = cond_v1(tf.constant(True), lambda: [tf.constant(1)], lambda: [tf.constant(2)])
    ...     print(tf.compat.v1.Session().run(y))
    1
    """
    true_fn = _renamed(true_fn, fn1, "true_fn", "fn1")
    false_fn = _renamed(false_fn, fn2, "false_fn", "fn2")
    return build_cond(pred, true_fn, false_fn, name, strict)


def _renamed(new, old, new_name: str, old_name: str):
    if old is None:
        return new
    if new is not None:
        raise TypeError(f'cond(): "{new_name}" and "{old_name}" may not be set simultaneously.')
    return old


def build_cond(pred, true_fn, false_fn, name, strict: bool):
    """The ``If`` op of ``cond``; returns the packed results."""
    for fn, what in ((true_fn, "true_fn"), (false_fn, "false_fn")):
        if not callable(fn):
            raise TypeError(f"'{what}' must be callable.")
    if isinstance(pred, builtins.bool):
        raise TypeError("'pred' must not be a Python bool.")
    graph = graph_of([pred])
    if not builds_functional(graph):
        with graph.name_scope(name or "cond") as scope:
            pred = convert_to_tensor(pred, name="pred")  # its Switch checks it, as TF's
        result = control_flow_v1.cond(pred, true_fn, false_fn, scope)
        return _unwrapped(result, strict)
    with graph.name_scope(name or "cond") as scope:
        pred = _predicate(pred, "pred")
        branches = [
            _trace_branch(unique_function_name(scope, suffix), graph, fn, pred)
            for fn, suffix in ((true_fn, "true"), (false_fn, "false"))
        ]
        check_same_outputs(branches, ("true_fn", "false_fn"), "tf.cond")
        outputs = _call_if(pred, branches, scope, graph)
    result = nest.pack_sequence_as(branches[0].structured_outputs, outputs)
    return _unwrapped(result, strict)


def _unwrapped(result, strict: bool):
    """Unless ``strict``, a one-element list or tuple result is that element (TF1)."""
    if not strict and isinstance(result, list | builtins.tuple) and len(result) == 1:
        return result[0]
    return result


def _predicate(value, what: str) -> Tensor:
    pred = convert_to_tensor(value, name=what)
    if pred.dtype.base_dtype != dtypes.bool:
        raise TypeError(f"{what} must be a bool tensor, got {pred.dtype.base_dtype.name}: {pred}")
    if pred.shape.num_elements() not in (None, 1):
        raise ValueError(
            f"Shape must be rank 0 but is rank {pred.shape.rank} for {what} {pred.name} "
            f"with shape {pred.shape}."
        )
    return identity(pred) if pred.dtype.is_ref_dtype else pred


def _trace_branch(name: str, graph, fn, pred: Tensor):
    branch = trace_function(name, graph, fn)

    def convert(value):
        if isinstance(value, Operation):
            # TF2: an op returned by a branch becomes the predicate, run after the op.
            with get_default_graph().control_dependencies([value]):
                return identity(pred)
        return as_output_tensor(value)

    set_outputs(branch, branch.structured_outputs, convert)
    return branch


def check_same_outputs(branches, names, op_name: str) -> None:
    """TF's ``TypeError`` unless the branches return the same structure and dtypes."""
    first, other = branches

    def error(detail: str):
        raise TypeError(
            f"{names[0]} and {names[1]} arguments to {op_name} must have the same number, "
            f"type, and overall structure of return values.\n\n"
            f"{names[0]} output: {first.structured_outputs}\n"
            f"{names[1]} output: {other.structured_outputs}\n\nError details:\n{detail}"
        )

    try:
        nest.assert_same_structure(first.structured_outputs, other.structured_outputs)
    except (ValueError, TypeError) as err:
        error(str(err))
    if len(first.outputs) != len(other.outputs):
        raise ValueError(
            f"Lengths of branch outputs of {op_name} must match.\n"
            f"len(graphs[0].outputs): {len(first.outputs)}\n"
            f"len(graphs[1].outputs): {len(other.outputs)}\n"
        )
    for a, b in zip(first.outputs, other.outputs):
        if a.dtype != b.dtype:
            error(f"{a} and {b} have different types")


def _call_if(pred: Tensor, branches, scope: str, graph) -> list[Tensor]:
    captured = list(dict.fromkeys(t for branch in branches for t in branch.captures))
    for branch in branches:
        branch.seal(captured)
    stateful = any(branch.is_stateful() for branch in branches)
    shapes = [
        a.shape.most_specific_compatible_shape(b.shape)
        for a, b in zip(branches[0].outputs, branches[1].outputs)
    ]
    with graph.control_dependencies(_control_captures(branches)):
        op = apply_op(
            IF if stateful else STATELESS_IF,
            [pred, captured],
            scope,
            graph=graph,
            Tin=[t.dtype for t in captured],
            Tout=[t.dtype for t in branches[0].outputs],
            then_branch=branches[0],
            else_branch=branches[1],
            output_shapes=shapes,
        )
    return [identity(t) for t in op.outputs[:-1]]


def _control_captures(bodies) -> list[Operation]:
    return list(dict.fromkeys(op for body in bodies for op in body.control_captures))


# -- case ------------------------------------------------------------------------------


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """The result of the first ``fn`` whose ``pred`` is true, else of ``default()``.

    A chain of :func:`cond` ops, as in TF. Without ``default`` the last pair's
    function is the default, and the run fails with ``InvalidArgumentError`` when no
    predicate is true. With ``exclusive=True`` the run fails when more than one is.

    Parameters
    ----------
    pred_fn_pairs : list of (bool Tensor, callable) pairs, or a dict of them
    default : callable, optional
    exclusive : bool
    strict : bool
        As in :func:`cond_v1`.
    name : str

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.constant(5)
    ...     y = case([(x < 0, lambda: tf.constant(-1)), (x > 3, lambda: tf.constant(1))],
    ...              default=lambda: tf.constant(0))
    ...     print(tf.compat.v1.Session().run(y))
    1
    """
    from .logging_ops import Assert

    preds, fns = _case_pairs(pred_fn_pairs)
    graph = graph_of(preds)
    with graph.name_scope(name):
        if default is None:
            default, preds, fns = _last_as_default(preds, fns, Assert)
        chain = default
        for pred, fn in reversed(list(zip(preds, fns))):
            chain = _link(pred, fn, chain, strict)
        if not exclusive:
            return chain()
        checks = [_assert_at_most_n_true(preds, 1, "Input error: exclusive=True", Assert)]
        with graph.control_dependencies(checks):
            return chain()


def switch_case(branch_index, branch_fns, default=None, name="switch_case"):
    """The result of ``branch_fns[branch_index]()``; ``default()`` (or the last branch)
    for an index out of range.

    A chain of :func:`cond` ops on ``branch_index == k`` (TF builds one ``Case`` op; the
    values, gradients and errors are the same).

    Parameters
    ----------
    branch_index : int32 scalar Tensor
    branch_fns : list of callables, list of ``(int, callable)`` pairs, or a dict of them
    default : callable, optional
    name : str

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     k = tf.constant(1)
    ...     y = switch_case(k, [lambda: tf.constant(10), lambda: tf.constant(20)])
    ...     print(tf.compat.v1.Session().run(y))
    20
    """
    from .math_ops import equal

    keys, fns = _switch_branches(branch_fns)
    index = convert_to_tensor(branch_index, name="branch_index")
    if index.dtype.base_dtype != dtypes.int32:
        raise TypeError(f"branch_index must be an int32 Tensor, got {index.dtype.base_dtype.name}.")
    if index.shape.rank not in (None, 0):
        raise ValueError(f"branch_index must be a scalar, got shape {index.shape}.")
    if default is None:
        keys, fns, default = keys[:-1], fns[:-1], fns[-1]
    with index.graph.name_scope(name):
        chain = default
        for key, fn in reversed(list(zip(keys, fns))):
            chain = _link(equal(index, key), fn, chain, strict=True)
        return chain()


def _switch_branches(branch_fns) -> tuple[list, list]:
    items = branch_fns.items() if isinstance(branch_fns, dict) else branch_fns
    pairs = [item if isinstance(item, builtins.tuple) else None for item in items]
    if all(pair is None for pair in pairs):
        pairs = list(enumerate(items))
    if not pairs or any(pair is None or not callable(pair[1]) for pair in pairs):
        raise TypeError("branch_fns must be a list of callables, or of (int, callable) pairs.")
    return [int(key) for key, _ in pairs], [fn for _, fn in pairs]


def _link(pred, fn, otherwise, strict: bool):
    return lambda: build_cond(pred, fn, otherwise, "case", strict)


def _case_pairs(pred_fn_pairs):
    if isinstance(pred_fn_pairs, dict):
        pred_fn_pairs = list(pred_fn_pairs.items())
    if not isinstance(pred_fn_pairs, list | builtins.tuple):
        raise TypeError(
            f"pred_fn_pairs must be a list, tuple, or dict. Received: {type(pred_fn_pairs)}"
        )
    preds, fns = [], []
    for pair in pred_fn_pairs:
        if not isinstance(pair, builtins.tuple) or len(pair) != 2:
            raise TypeError(f"Each entry in pred_fn_pairs must be a 2-tuple. Received {pair}.")
        pred, fn = pair
        if not isinstance(pred, Tensor) or pred.dtype.base_dtype != dtypes.bool:
            raise TypeError(f"pred must be Tensor of type bool: {getattr(pred, 'name', pred)}")
        if not callable(fn):
            raise TypeError(f"fn for pred {pred.name} must be callable.")
        preds.append(pred)
        fns.append(fn)
    return preds, fns


def _last_as_default(preds, fns, assert_fn):
    if not preds:
        raise ValueError("pred_fn_pairs must not be empty when there is no default.")
    *others, last = preds
    last_fn = fns[-1]

    def default():
        from .array_ops import stack

        checks = [
            _assert_at_most_n_true(
                others,
                0,
                f"Implementation error: selected default action #{len(others)} was called, "
                "but some of other predicates are True: ",
                assert_fn,
            ),
            assert_fn(last, ["Input error: None of conditions evaluated as True:", stack(preds)]),
        ]
        with get_default_graph().control_dependencies([c for c in checks if c is not None]):
            return last_fn()

    return default, others, fns[:-1]


def _assert_at_most_n_true(preds, n: int, message: str, assert_fn):
    if not preds:
        return None
    from .array_ops import stack
    from .math_ops import cast, less_equal, reduce_sum

    stacked = stack(preds, name="preds_c")
    count = reduce_sum(cast(stacked, dtypes.int32))
    names = ", ".join(getattr(p, "name", "?") for p in preds)
    text = f"{message}: more than {n} conditions ({names}) evaluated as True:"
    return assert_fn(less_equal(count, n), [text, stacked], summarize=len(preds))


# -- While -----------------------------------------------------------------------------


# Unlike TF's, the op takes the iteration limit as its first input (TF 2.x keeps the
# count in the loop's condition): the kernel stops the loop itself.
_WHILE_INPUTS = ("maximum_iterations: int32", "input: T")
_WHILE_ATTRS = (
    "T: list(type) >= 0",
    "cond: func",
    "body: func",
    "output_shapes: list(shape) = []",
    "parallel_iterations: int = 10",
)
WHILE = _functional_op("While", _WHILE_INPUTS, _WHILE_ATTRS, "T", stateful=True)
STATELESS_WHILE = _functional_op("StatelessWhile", _WHILE_INPUTS, _WHILE_ATTRS, "T", stateful=False)


def while_loop(
    cond,
    body,
    loop_vars,
    shape_invariants=None,
    parallel_iterations=10,
    back_prop=True,
    swap_memory=False,
    maximum_iterations=None,
    name=None,
):
    """Repeat ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)`` is true.

    Parameters
    ----------
    cond : callable
        Takes the loop variables, returns a scalar bool tensor.
    body : callable
        Takes the loop variables, returns new values in the same structure, dtypes and
        shapes (or shapes compatible with ``shape_invariants``).
    loop_vars : tensor or (nested) list, tuple, namedtuple or dict of tensors
        A list or tuple is spread into positional arguments of ``cond`` and ``body``.
    shape_invariants : same structure as ``loop_vars``, optional
        Shapes the variables may take across iterations (``None`` dims vary).
    parallel_iterations : int
        Kept as an attr; iterations run one after another.
    back_prop : bool
        ``False`` stops gradients at the loop's results.
    swap_memory : bool
        Accepted for TF1 code; values stay in memory.
    maximum_iterations : int or scalar int Tensor, optional
        Stop after this many iterations even if ``cond`` still holds.
    name : str, optional

    Returns
    -------
    The final loop variables in the structure of ``loop_vars``.

    Raises
    ------
    ValueError
        A variable's shape changes without a shape invariant allowing it (the message
        names the variable and both shapes), or the body returns another structure.
    TypeError
        A variable's dtype changes, or ``cond``/``body`` is not callable.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     i, total = while_loop(lambda i, s: i < 5, lambda i, s: (i + 1, s + i), [0, 0])
    ...     print(*tf.compat.v1.Session().run([i, total]))
    5 10
    """
    del swap_memory  # values stay in memory
    return build_while(
        cond,
        body,
        loop_vars,
        shape_invariants,
        parallel_iterations,
        back_prop,
        maximum_iterations,
        name,
    )


def while_loop_v1(
    cond,
    body,
    loop_vars,
    shape_invariants=None,
    parallel_iterations=10,
    back_prop=True,
    swap_memory=False,
    name=None,
    maximum_iterations=None,
    return_same_structure=False,
):
    """``tf.compat.v1.while_loop``: TF1's argument order; one loop variable is returned
    bare unless ``return_same_structure``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     r = while_loop_v1(lambda i: i < 10, lambda i: [i + 3], [tf.constant(0)])
    ...     print(tf.compat.v1.Session().run(r))
    12
    """
    del swap_memory
    result = build_while(
        cond,
        body,
        loop_vars,
        shape_invariants,
        parallel_iterations,
        back_prop,
        maximum_iterations,
        name,
    )
    flat = nest.flatten(result)
    return flat[0] if not return_same_structure and len(flat) == 1 else result


def build_while(
    cond, body, loop_vars, shape_invariants, parallel_iterations, back_prop, limit, name
):
    """The ``While`` op of ``while_loop``; returns the packed results."""
    _check_loop_args(cond, body, loop_vars, parallel_iterations)
    if any(isinstance(value, SparseTensor) for value in nest.flatten(loop_vars)):
        return _while_of_sparse_parts(
            cond, body, loop_vars, shape_invariants, parallel_iterations, back_prop, limit, name
        )
    graph = graph_of([*nest.flatten(loop_vars), limit])
    if not builds_functional(graph):
        with graph.as_default():
            return control_flow_v1.while_loop(
                cond, body, loop_vars, shape_invariants, parallel_iterations, back_prop, limit, name
            )
    with graph.name_scope(name or "while") as scope:
        flat = [control_flow_v1.loop_input(value) for value in nest.flatten(loop_vars)]
        invariants = control_flow_v1.shape_invariants_of(flat, loop_vars, shape_invariants)
        specs = [(t.dtype, shape) for t, shape in zip(flat, invariants)]
        cond_graph = trace_function(
            unique_function_name(scope, "cond"),
            graph,
            _with_arrays(cond, loop_vars),
            specs,
            loop_vars,
        )
        set_outputs(cond_graph, cond_graph.structured_outputs, _loop_condition)
        body_graph = trace_function(
            unique_function_name(scope, "body"),
            graph,
            _with_arrays(body, loop_vars),
            specs,
            loop_vars,
        )
        _set_body_outputs(body_graph, loop_vars, flat, invariants)
        outputs = _call_while(cond_graph, body_graph, flat, invariants, limit, scope, graph)
        outputs = [identity(t) for t in outputs]
        if not back_prop:
            from .array_ops import stop_gradient

            outputs = [stop_gradient(t) for t in outputs]
    return control_flow_v1.repack(loop_vars, outputs)


def _flow_or_value(value):
    flow = control_flow_v1.loop_flow(value)
    return value if flow is None else flow


def _with_arrays(fn, loop_vars):
    """``fn`` of loop variables that are TensorArrays: they travel as their flows and
    are rebuilt around them for ``fn``; arrays it returns become flows again."""

    def call(*args):
        rebuilt = control_flow_v1.repack(loop_vars, nest.flatten(list(args)))
        result = control_flow_v1.call_with(fn, rebuilt)
        return nest.map_structure(_flow_or_value, result)

    return call


def _check_loop_args(cond, body, loop_vars, parallel_iterations) -> None:
    if not callable(cond):
        raise TypeError("'cond' must be callable.")
    if not callable(body):
        raise TypeError("'body' must be callable.")
    if parallel_iterations < 1:
        raise TypeError("'parallel_iterations' must be a positive integer.")
    if loop_vars is None or not nest.flatten(loop_vars):
        raise ValueError("'loop_vars' must be provided.")


class _SparseParts(collections.namedtuple("_SparseParts", "indices values dense_shape")):
    """A ``SparseTensor`` loop variable as the three tensors that travel the loop."""


def _while_of_sparse_parts(cond, body, loop_vars, shape_invariants, *options):
    """``build_while`` with each ``SparseTensor`` loop variable carried as its three parts
    (TF's ``expand_composites``), ``cond`` and ``body`` seeing it whole. As in TF, the
    number of its values may change from one iteration to the next."""
    parts = _as_parts(loop_vars)
    if shape_invariants is None:
        shape_invariants = nest.map_structure(lambda _: None, loop_vars)
    invariants = nest.map_structure(_parts_invariant, loop_vars, shape_invariants)

    def seeing_whole(fn, returns_loop_vars: bool):
        def call(*args):
            # What the loop passes (each variable, or the one) holds the parts in order.
            result = control_flow_v1.call_with(fn, _as_whole(loop_vars, args))
            return _as_parts(result) if returns_loop_vars else result

        return call

    cond, body = seeing_whole(cond, False), seeing_whole(body, True)
    return _as_whole(loop_vars, build_while(cond, body, parts, invariants, *options))


def _as_parts(structure):
    """``structure`` with each ``SparseTensor`` as its :class:`_SparseParts`."""
    return nest.map_structure(
        lambda v: (
            _SparseParts(v.indices, v.values, v.dense_shape) if isinstance(v, SparseTensor) else v
        ),
        structure,
    )


def _as_whole(loop_vars, parts):
    """The loop variables ``loop_vars`` stand for, from ``parts`` (any nesting of their
    tensors in order): each ``SparseTensor`` of ``loop_vars`` rebuilt from its three."""
    flat = iter(nest.flatten(parts))
    leaves = [
        SparseTensor(next(flat), next(flat), next(flat))
        if isinstance(leaf, SparseTensor)
        else next(flat)
        for leaf in nest.flatten(loop_vars)
    ]
    return nest.pack_sequence_as(loop_vars, leaves)


def _parts_invariant(value, invariant):
    """A loop variable's shape invariant; a ``SparseTensor``'s as its parts': any number of
    values, of its rank."""
    if not isinstance(value, SparseTensor):
        return invariant
    rank = None if invariant is None else as_shape(invariant).rank
    if rank is None:
        rank = value.dense_shape.shape.dim_value(0)
    return _SparseParts(TensorShape([None, rank]), TensorShape([None]), TensorShape([rank]))


def _loop_condition(value) -> Tensor:
    return _predicate(as_output_tensor(value), "the loop condition")


def _set_body_outputs(graph, loop_vars, flat, invariants) -> None:
    result = graph.structured_outputs
    if nest.is_nested(loop_vars) and not nest.is_nested(result):
        result = [result]
    nest.assert_same_structure(result, loop_vars, check_types=False)
    hints = iter([t.dtype for t in flat])
    converted = set_outputs(graph, result, lambda x: as_output_tensor(x, next(hints)))
    for var, out, shape in zip(flat, nest.flatten(converted), invariants):
        if out.dtype != var.dtype:
            raise TypeError(
                f"Loop var {var.name} enters the loop with type {var.dtype.name}, but has "
                f"type {out.dtype.name} after 1 iteration. All loop vars returned from "
                "body_fn must have the same dtype as the loop vars passed in."
            )
        if not control_flow_v1.shape_within(out.shape, shape):
            raise ValueError(
                f"Input tensor `{var.name}` enters the loop with shape {shape}, but has "
                f"shape {out.shape} after one iteration. To allow the shape to vary across "
                "iterations, use the `shape_invariants` argument of tf.while_loop to specify "
                "a less-specific shape."
            )


def _maximum_iterations(limit) -> Tensor:
    if limit is None:
        return convert_to_tensor(-1, dtype=dtypes.int32, name="maximum_iterations")
    tensor = convert_to_tensor(limit, name="maximum_iterations")
    if not tensor.dtype.base_dtype.is_integer:
        raise TypeError(f"maximum_iterations must be an integer, got {tensor.dtype.name}")
    if tensor.shape.rank not in (None, 0):
        raise ValueError(f"maximum_iterations must be a scalar, saw shape: {tensor.shape}")
    if tensor.dtype.base_dtype != dtypes.int32:  # the op counts in int32
        tensor = math_ops.cast(tensor, dtypes.int32)
    return tensor


def _call_while(cond_graph, body_graph, flat, invariants, limit, scope, graph) -> list[Tensor]:
    captured = list(dict.fromkeys([*cond_graph.captures, *body_graph.captures]))
    cond_graph.seal(captured)
    # Captured values are loop variables the body passes through unchanged.
    body_graph.outputs = body_graph.outputs + body_graph.seal(captured)[len(flat) :]
    inputs = flat + captured
    stateful = cond_graph.is_stateful() or body_graph.is_stateful()
    with graph.control_dependencies(_control_captures([cond_graph, body_graph])):
        op = apply_op(
            WHILE if stateful else STATELESS_WHILE,
            [_maximum_iterations(limit), inputs],
            scope,
            graph=graph,
            T=[t.dtype for t in inputs],
            cond=cond_graph,
            body=body_graph,
            output_shapes=invariants + [t.shape for t in captured],
        )
    return op.outputs[: len(flat)]


# -- gradients ---------------------------------------------------------------------------
#
# The gradient of an If is an If over the branches' gradient bodies; the gradient of a
# While is a While that walks the forward iterations backwards. Gradient bodies read the
# forward body's values from the forward op's trace (see runtime.functional), so nothing
# is recomputed: stateful ops (random draws, variable reads) are seen exactly as they ran.


def _trainable(tensor: Tensor) -> builtins.bool:
    dtype = tensor.dtype.base_dtype
    return dtype.is_floating or dtype.is_complex


def _body_gradients(body, trace: Tensor, output_grads: dict, wanted: list, iteration) -> list:
    """Inside a gradient body being traced: the gradients of ``body``'s inputs at
    positions ``wanted``, given gradients of its outputs by position (zeros where none),
    reading the forward values from call ``iteration`` of ``trace``."""
    from ..functional import reading_trace
    from ..gradients import gradients
    from .array_ops import zeros_like

    ys = [body.outputs[k] for k in output_grads]
    xs = [body.inputs[k] for k in wanted]
    with reading_trace(body, trace, iteration):
        grads = gradients(ys, xs, grad_ys=list(output_grads.values()))
        return [zeros_like(x) if g is None else g for x, g in zip(xs, grads)]


def _if_gradient(op: Operation, *grads) -> list:
    pred, inputs = op.inputs[0], op.inputs[1:]
    wanted = [k for k, t in enumerate(inputs) if _trainable(t)]
    output_grads = {k: g for k, g in enumerate(grads[:-1]) if g is not None}
    if not wanted or not output_grads:
        return [None] * len(op.inputs)

    def branch_gradient(branch):
        return lambda: _body_gradients(branch, op.outputs[-1], output_grads, wanted, 0)

    results = build_cond(
        pred,
        branch_gradient(op.get_attr("then_branch")),
        branch_gradient(op.get_attr("else_branch")),
        "If",
        strict=True,
    )
    by_position = dict(zip(wanted, results))
    return [None] + [by_position.get(k) for k in range(len(inputs))]


def _while_gradient(op: Operation, *grads) -> list:
    from ..functional import TRACE_LENGTH
    from .array_ops import zeros_like
    from .math_ops import greater

    carry, outputs = op.inputs[1:], op.outputs[:-1]
    wanted = [k for k, t in enumerate(carry) if _trainable(t)]
    if not wanted or all(grads[k] is None for k in wanted):
        return [None] * len(op.inputs)
    body = op.get_attr("body")
    start = [zeros_like(outputs[k]) if grads[k] is None else grads[k] for k in wanted]
    iterations = apply_op(TRACE_LENGTH, [op.outputs[-1]], "TraceLength").outputs[0]

    def backward_step(i, *gs):
        step = i - 1  # the forward iterations, last first
        grads = _body_gradients(body, op.outputs[-1], dict(zip(wanted, gs)), wanted, step)
        return (step, *grads)

    invariants = [TensorShape([]), *(op.get_attr("output_shapes")[k] for k in wanted)]
    _, *results = build_while(
        lambda i, *gs: greater(i, 0),
        backward_step,
        [iterations, *start],
        invariants,
        op.get_attr("parallel_iterations"),
        True,
        None,
        "While",
    )
    by_position = dict(zip(wanted, results))
    return [None] + [by_position.get(k) for k in range(len(carry))]


for _op_type in ("If", "StatelessIf"):
    register_gradient(_op_type)(_if_gradient)
for _op_type in ("While", "StatelessWhile"):
    register_gradient(_op_type)(_while_gradient)
