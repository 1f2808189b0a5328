"""Symbolic differentiation: ``tf.gradients`` adds the ops that compute gradients.

Reverse-mode, as TF1 does it: find the ops between ``xs`` and ``ys``, walk them from
``ys`` back toward ``xs`` (an op runs once every consumer of its outputs has given
it a gradient), and call each op's registered gradient function
``fn(op, *output_grads) -> input_grads`` (``runtime.registry.register_gradient``).
Gradients flowing into one tensor are summed with ``AddN``. New ops go under the name
scope ``gradients/<op name>_grad/``.

Any op type with a registered gradient function takes part, control-flow ops included.
An output that received no gradient gets ``zeros_like`` of itself.

TF1 while loops on the path (their ``Exit`` ops) make a ``ControlFlowState``
(:mod:`runtime.ops.control_flow_grad`): an op of a loop gets its gradient built in the
loop's gradient loop, the loop's ``Switch`` ops are visited twice (from the ``Exit``
side, then from the body side), and a loop's ``Exit`` gradients wait until all of its
exits have theirs, as in TF's ``_GradientsHelper``.
"""

from __future__ import annotations

import collections
import contextlib
import enum

from .graph import Operation, Tensor, graph_of
from .indexed_slices import PASSES_INDEXED_SLICES, IndexedSlices, densify_quietly
from .registry import get_gradient_function

__all__ = ["AggregationMethod", "UnconnectedGradients", "gradients", "gradients_v2"]


class UnconnectedGradients(enum.Enum):
    """What :func:`gradients` returns for an ``x`` that ``ys`` do not depend on."""

    NONE = "none"
    ZERO = "zero"


class AggregationMethod:
    """How gradients flowing into one tensor are combined (all are summed with ``AddN``)."""

    ADD_N = 0
    DEFAULT = ADD_N
    EXPERIMENTAL_TREE = 1
    EXPERIMENTAL_ACCUMULATE_N = 2


def gradients_v2(
    ys,
    xs,
    grad_ys=None,
    name="gradients",
    gate_gradients=False,
    aggregation_method=None,
    stop_gradients=None,
    unconnected_gradients=UnconnectedGradients.NONE,
) -> list:
    """``tf.gradients``: TF2's signature of :func:`gradients` (no colocation flag)."""
    return gradients(
        ys,
        xs,
        grad_ys,
        name,
        False,
        gate_gradients,
        aggregation_method,
        stop_gradients,
        unconnected_gradients,
    )


def gradients(
    ys,
    xs,
    grad_ys=None,
    name="gradients",
    colocate_gradients_with_ops=False,
    gate_gradients=False,
    aggregation_method=None,
    stop_gradients=None,
    unconnected_gradients=UnconnectedGradients.NONE,
) -> list:
    """The symbolic partial derivatives of ``sum(ys)`` with respect to each of ``xs``.

    Parameters
    ----------
    ys, xs : Tensor or list of Tensor
        ``xs`` may also be variables (their reference tensor is differentiated).
    grad_ys : list, optional
        The gradients flowing into each ``y`` (default: ones of ``y``'s shape).
    name : str
        Name scope of the gradient ops.
    colocate_gradients_with_ops : bool
        Place each gradient op with the op it differentiates.
    gate_gradients : bool
        Make all input gradients of one op ready together.
    aggregation_method : optional
        Accepted for TF1 code; gradients are summed with ``AddN``.
    stop_gradients : Tensor or list of Tensor, optional
        Tensors held constant: no gradient flows through the ops that produce them.
    unconnected_gradients : ``"none"`` or ``"zero"``
        What an ``x`` that ``ys`` do not depend on gets: ``None`` or zeros.

    Returns
    -------
    list
        One gradient (a Tensor, or ``None``) per ``x``.

    Raises
    ------
    LookupError
        An op between ``xs`` and ``ys`` has no registered gradient function.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.constant([1.0, 2.0])
    ...     w = tf.constant([[3.0], [4.0]])
    ...     y = tf.reduce_sum(tf.matmul(tf.reshape(x, [1, 2]), w) ** 2)
    ...     gx, gw = gradients(y, [x, w])
    ...     print(gx.name, tf.compat.v1.Session().run([gx, gw]))
    gradients/Reshape_grad/Reshape:0 [array([66., 88.], dtype=float32), array([[22.],
           [44.]], dtype=float32)]
    """
    ys, xs = _as_list(ys), _as_list(xs)
    grad_ys = [None] * len(ys) if grad_ys is None else _as_list(grad_ys)
    if len(grad_ys) != len(ys):
        raise ValueError(f"Passed {len(grad_ys)} grad_ys for {len(ys)} ys")
    unconnected = UnconnectedGradients(
        unconnected_gradients.value
        if isinstance(unconnected_gradients, UnconnectedGradients)
        else unconnected_gradients
    )
    graph = graph_of(ys + xs + [g for g in grad_ys if g is not None])
    ys = [_as_tensor(graph, y, "ys") for y in ys]
    from .ops.variables import Variable  # ops build on this module

    # As TF: a variable is its reference: its gradient sums over all its reads, and
    # holding it constant stops at the variable, not at one read.
    def as_reference(value, what):
        return value._ref() if isinstance(value, Variable) else _as_tensor(graph, value, what)

    xs = [as_reference(x, "xs") for x in xs]
    stop_ops = {as_reference(t, "stop_gradients").op for t in _as_list(stop_gradients or [])}
    with graph.name_scope(name or "gradients"):
        walk = _Backprop(graph, ys, xs, stop_ops, colocate_gradients_with_ops, gate_gradients)
        walk.seed(grad_ys)
        walk.run()
        results = [walk.aggregate(x) for x in xs]
    if unconnected is UnconnectedGradients.ZERO:
        from .ops.array_ops import zeros_like

        results = [zeros_like(x) if g is None else g for x, g in zip(xs, results)]
    return results


def _as_list(value) -> list:
    return list(value) if isinstance(value, list | tuple) else [value]


def _as_tensor(graph, value, what: str) -> Tensor:
    element = graph.as_graph_element(value, allow_tensor=True, allow_operation=False)
    if not isinstance(element, Tensor):
        raise TypeError(f"Expected a Tensor in {what}, got {value!r}")
    return element


def _trainable(tensor: Tensor) -> bool:
    dtype = tensor.dtype.base_dtype
    return dtype.is_floating or dtype.is_complex


def _backpropagatable(tensor: Tensor) -> bool:
    return _trainable(tensor) or tensor.dtype.base_dtype.name in ("resource", "variant")


class _Backprop:
    """One ``gradients()`` call: the ops between ``xs`` and ``ys`` and their pending counts."""

    def __init__(self, graph, ys, xs, stop_ops, colocate, gate):
        self.graph = graph
        self.ys = ys
        self.stop_ops = stop_ops
        self.colocate = colocate
        self.gate = gate
        between_list = _between(ys, xs)
        self.between = set(between_list)
        self.loops = _loop_state(between_list, self.between)
        self.pending = collections.Counter(
            t.op for op in self.between for t in op.inputs if t.op in self.between
        )
        self.grads: dict[Tensor, list] = {}

    def seed(self, grad_ys) -> None:
        """Record ``grad_ys`` (default: ones) as the gradients flowing into ``ys``."""
        from .ops.array_ops import ones, shape
        from .ops.core import convert_to_tensor

        for i, (y, grad_y) in enumerate(zip(self.ys, grad_ys)):
            dtype = y.dtype.base_dtype
            if grad_y is None:
                grad_y = ones(shape(y), dtype=dtype, name=f"grad_ys_{i}")
            else:
                grad_y = convert_to_tensor(grad_y, dtype=dtype, name=f"grad_ys_{i}")
            self.grads.setdefault(y, []).append(grad_y)

    def aggregate(self, tensor: Tensor):
        """The sum of the gradients that reached ``tensor`` (``None`` if none did)."""
        found = [g for g in self.grads.get(tensor, []) if g is not None]
        if not found:
            return None
        if len(found) == 1:
            return found[0]
        from .indexed_slices import aggregate_gradients

        total = aggregate_gradients(found)
        self.grads[tensor] = [total]  # asked again (for an x), the same sum
        return total

    def run(self) -> None:
        queue = collections.deque()
        for y in self.ys:
            if y.op in self.between and self.pending[y.op] == 0 and y.op not in queue:
                queue.append(y.op)
        if self.loops is not None:
            for y in self.loops.process_unused_exits(self.pending, set(queue)):
                if _trainable(y):
                    self.grads.setdefault(y, []).append(self.loops.zeros_for_exit(y))
                queue.append(y.op)
        while queue:
            op = queue.popleft()
            self._backprop(op)
            for tensor in op.inputs:
                if tensor.op in self.between:
                    self._input_done(tensor.op, queue)
        if self.loops is not None:
            self.loops.post_process()

    def _input_done(self, op: Operation, queue) -> None:
        """One reader of ``op`` has given its gradient: queue ``op`` if it is ready."""
        from .ops.control_flow_grad import is_loop_switch
        from .ops.control_flow_v1 import is_loop_exit

        self.pending[op] -= 1
        ready = self.pending[op] == 0
        if self.loops is not None and not ready:
            ready = is_loop_switch(op)  # visited from each side of the loop
        if not ready:
            return
        if self.loops is None or not is_loop_exit(op):
            queue.append(op)
            return
        # A loop's exits go back into it together, once all of them are known.
        state = self.loops.grad_state(op, before=False)
        state.deferred_exits.append(op.outputs[0])
        state.pending_exits_count -= 1
        if state.pending_exits_count:
            return
        used = [y for y in state.deferred_exits if self.grads.get(y)]
        unused = [y for y in state.deferred_exits if not self.grads.get(y)]
        state.unused_exits.extend(unused)
        queue.extend(y.op for y in used)
        for y in state.unused_exits:
            if used and _trainable(y):
                self.grads.setdefault(y, []).append(self.loops.zeros_for_exit(y))
            queue.append(y.op)

    def _backprop(self, op: Operation) -> None:
        with self._loop_context(op, before=True):
            out_grads = [self.aggregate(t) for t in op.outputs]
            if op.type not in PASSES_INDEXED_SLICES:
                out_grads = [densify_quietly(g) for g in out_grads]
        with self._loop_context(op, before=False):
            self._build_gradient(op, out_grads)

    def _loop_context(self, op: Operation, before: bool):
        if self.loops is None:
            return contextlib.nullcontext()
        return self.loops.grad_context(op, before)

    def _build_gradient(self, op: Operation, out_grads: list) -> None:
        wanted = any(t.op in self.between for t in op.inputs)
        if op in self.stop_ops or not wanted or all(g is None for g in out_grads):
            return
        try:
            grad_fn = get_gradient_function(_gradient_op_type(op))
        except LookupError:
            raise LookupError(
                f"No gradient defined for operation '{op.name}' (op type: {op.type}). In "
                "general every operation must have an associated `@tf.RegisterGradient` for "
                "correct autodiff, which this op is lacking. If you want to pretend this "
                "operation is a constant in your program, you may insert `tf.stop_gradient`."
            ) from None
        if grad_fn is None:
            return
        with self.graph.name_scope(f"{op.name}_grad"), self._placement(op):
            out_grads = [
                self._zeros_for(op, i) if g is None and _trainable(op.outputs[i]) else g
                for i, g in enumerate(out_grads)
            ]
            in_grads = _as_list(grad_fn(op, *out_grads))
            if self.gate and len(in_grads) == len(op.inputs):
                # Gate only what flows on: a gradient for an input off every path to the
                # xs (a fed batch) is then pruned from runs instead of held by the gate.
                wanted_grads = [
                    g if t.op in self.between else None for t, g in zip(op.inputs, in_grads)
                ]
                in_grads = _gated(self.graph, wanted_grads)
        if len(in_grads) != len(op.inputs):
            raise ValueError(
                f"Num gradients {len(in_grads)} generated for op {op.name} ({op.type}) do not "
                f"match num inputs {len(op.inputs)}"
            )
        for index, (tensor, grad) in enumerate(zip(op.inputs, in_grads)):
            if grad is None:
                continue
            if isinstance(grad, IndexedSlices):  # shapes are checked on dense gradients only
                self.grads.setdefault(tensor, []).append(grad)
                continue
            _check_shape(op, index, tensor, grad)
            grad.set_shape(tensor.shape)  # refine, as TF does
            self.grads.setdefault(tensor, []).append(grad)

    def _placement(self, op):
        if self.colocate:
            return self.graph.colocate_with(op)
        return contextlib.nullcontext()

    def _zeros_for(self, op: Operation, index: int):
        from .ops.control_flow_grad import zeros_like_outside_loops

        if self.loops is not None:
            return self.loops.zeros_like(op, index)
        return zeros_like_outside_loops(op, index)


def _gradient_op_type(op: Operation) -> str:
    """The op type whose gradient ``op`` takes: its own, or the one a
    ``gradient_override_map`` (or ``tf.custom_gradient``) gave it."""
    override = op._attrs.get("_gradient_op_type")
    if override is None:
        return op.type
    return override.decode() if isinstance(override, bytes) else override


def _loop_state(between_list: list, between: set):
    if not any(op.type in ("Exit", "RefExit") for op in between):
        return None
    from .ops.control_flow_grad import ControlFlowState

    return ControlFlowState.maybe_create(between_list, between)


def _between(ys, xs) -> list:
    """The ops on some path from an op of ``xs`` to an op of ``ys`` (both included), in
    the order a walk back from ``ys`` meets them."""
    reached = set()
    frontier = [x.op for x in xs]
    while frontier:
        op = frontier.pop()
        if op in reached:
            continue
        reached.add(op)
        # As TF's: only tensors a gradient can flow through lead on.
        frontier.extend(c for t in op.outputs if _backpropagatable(t) for c in t.consumers())
    between: dict = {}
    frontier = collections.deque(y.op for y in ys)
    while frontier:
        op = frontier.popleft()
        if op in between or op not in reached:
            continue
        between[op] = None
        frontier.extend(t.op for t in op.inputs)
    return list(between)


def _check_shape(op: Operation, index: int, tensor: Tensor, grad: Tensor) -> None:
    if not isinstance(grad, Tensor):
        raise TypeError(
            f"The gradient function of {op.type} returned {grad!r} for input {index}; "
            "expected a Tensor or None."
        )
    if not grad.shape.is_compatible_with(tensor.shape):
        raise ValueError(
            "Incompatible shapes between op input and calculated input gradient. Forward "
            f"operation: {op.name}. Input index: {index}. Original input shape: "
            f"{tensor.shape}. Calculated input gradient shape: {grad.shape}"
        )


def _gated(graph, grads: list) -> list:
    """``grads`` that all become ready together (TF's ``gate_gradients``)."""
    present = [g for g in grads if g is not None]
    if len(present) < 2:
        return grads
    from .ops.array_ops import identity

    with graph.name_scope("tuple"), graph.control_dependencies(present):
        return [None if g is None else identity(g) for g in grads]
