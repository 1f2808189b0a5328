"""Function bodies: graphs that ``cond`` and ``while_loop`` build and run as one op.

Control flow here is *functional*, as TF2's ``If`` and ``While`` ops are: each branch
and loop body is traced from a Python function into its own :class:`FuncGraph`,
stored as an attr of the op that calls it. The renderer can show a body as one
collapsible node and a ``GraphDef`` carries it as a ``func`` attr.

Tracing
    While a ``FuncGraph`` is the default graph, builders add their ops to it. A tensor
    of an enclosing graph used inside is *captured*: the body gets a placeholder for
    it and the calling op gets the outer tensor as an extra input (nested bodies
    capture through every level). Control dependencies on outer ops become control
    inputs of the calling op. Variables are captured as references, so an
    ``assign`` inside a branch updates the session's variable.
Running
    A body runs through the same machinery as a session step: a plan built by
    :func:`runtime.plan.build_plan` (cached per device and fetch list) and
    :func:`runtime.executor.run_plan` with a nested ``RunContext`` that shares the
    step's resources, undo journal and cancellation. So a variable assigned in a
    branch is rolled back if the step fails, and ``Session.close()`` or a deadline
    stops a loop between iterations. A body runs sequentially in the thread of its
    calling op, and every op in it runs on the calling op's device.
Gradients
    Each ``If``/``While`` op has a last output, a ``variant`` *trace*. When something
    consumes it (a gradient), the kernel records the values of the body tensors that
    the gradient needs (``FuncGraph.recorded``): once for ``If``, once per iteration
    for ``While``. Gradient bodies read them with ``TraceValue`` ops instead of
    recomputing, so the backward pass sees exactly the forward pass's values (the
    same dropout mask, the same variable reads); the gradient functions are in
    :mod:`runtime.ops.control_flow_ops`.
"""

from __future__ import annotations

import contextlib
import itertools
import threading

import numpy as np

from . import dtypes, nest
from .errors import InvalidArgumentError, op_error
from .executor import RunContext, run_plan
from .graph import Graph, Operation, Tensor
from .kernels.tensor_array import TensorArrayResource
from .ops.array_ops import PLACEHOLDER
from .ops.core import apply_op, convert_to_tensor
from .plan import build_plan
from .registry import (
    OpDef,
    TensorSpec,
    get_op_def,
    not_differentiable,
    register_kernel,
    register_op,
)
from .shapes import TensorShape

__all__ = ["FuncGraph", "Trace", "call_function", "trace_function"]

_function_ids = itertools.count(1)


def unique_function_name(scope: str, suffix: str) -> str:
    """A graph-wide unique function name from an op's scope, TF style (``cond_true_3``).

    Examples
    --------
    >>> unique_function_name("outer/cond/", "true").startswith("outer_cond_true_")
    True
    """
    return f"{scope.replace('/', '_')}{suffix}_{next(_function_ids)}"


class FuncGraph(Graph):
    """The graph of a function body: explicit inputs and outputs, captured outer tensors.

    Parameters
    ----------
    name : str
        The function's name (unique in the process).
    outer_graph : Graph
        The graph the calling op is built in; tensors of it (and of the graphs
        around it) used inside are captured.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default() as g:
    ...     x = tf.constant(2.0, name="x")
    ...     body = trace_function("double", g, lambda: x * 2.0)
    >>> body.structured_outputs.op.type, list(body.captures) == [x]
    ('Mul', True)
    >>> body.captures[x].op.type
    'Placeholder'
    """

    def __init__(self, name: str, outer_graph: Graph):
        super().__init__()
        self.name = name
        self.outer_graph = outer_graph
        self.seed = outer_graph.seed
        self.arguments: list[Tensor] = []  # placeholders of the function's parameters
        self.inputs: list[Tensor] = []  # arguments, then one placeholder per capture
        self.outputs: list[Tensor] = []
        self.control_outputs: list[Operation] = []
        self.structured_outputs = None
        # The caller's input (a tensor of outer_graph) -> its placeholder, in order.
        self.captures: dict[Tensor, Tensor] = {}
        self._stand_ins: dict[Tensor, Tensor] = {}  # any captured tensor -> placeholder
        self.control_captures: list[Operation] = []
        self.recorded: list[Tensor] = []  # tensors a gradient reads from the trace
        self.trace_reader = None  # set while a gradient body reads a forward body
        self._sealed = False
        self._plans: dict = {}
        self._plans_lock = threading.Lock()

    def captures_from(self, graph) -> bool:
        if graph is self:
            return True
        if self.trace_reader is not None and graph is self.trace_reader.source:
            return True
        return self.outer_graph.captures_from(graph)

    # -- building -----------------------------------------------------------------

    def add_argument(self, dtype, shape, name: str = "arg") -> Tensor:
        """A new parameter placeholder."""
        tensor = self._placeholder(dtype, shape, name)
        self.arguments.append(tensor)
        return tensor

    def _placeholder(self, dtype, shape, name: str) -> Tensor:
        with self.name_scope(None), self.control_dependencies(None):
            return apply_op(PLACEHOLDER, [], name, graph=self, dtype=dtype, shape=shape).outputs[0]

    def capture(self, tensor: Tensor) -> Tensor:
        """This body's stand-in for ``tensor`` of an enclosing graph (made once)."""
        if tensor.graph is self:
            return tensor
        if tensor in self._stand_ins:
            return self._stand_ins[tensor]
        if self.trace_reader is not None and tensor.graph is self.trace_reader.source:
            return self.trace_reader.read(tensor)
        if not self.outer_graph.captures_from(tensor.graph):
            return tensor  # apply_op reports the tensor of a foreign graph
        # In a nested body the caller's input is the enclosing body's own capture.
        outer = tensor if tensor.graph is self.outer_graph else self.outer_graph.capture(tensor)
        if outer not in self.captures:
            if self._sealed:
                raise ValueError(
                    f"Function '{self.name}' is already called by an op; it cannot capture "
                    f"{tensor.name} any more."
                )
            name = tensor.op.name.split("/")[-1]
            self.captures[outer] = self._placeholder(tensor.dtype, tensor.shape, name)
        self._stand_ins[tensor] = self.captures[outer]
        return self.captures[outer]

    def as_graph_element(self, obj, allow_tensor: bool = True, allow_operation: bool = True):
        """As ``Graph.as_graph_element``; tensors and ops of the graphs this body captures
        from are elements too (an op taking one captures it)."""
        element = obj if isinstance(obj, Tensor | Operation) else None
        wanted = (allow_tensor and isinstance(element, Tensor)) or (
            allow_operation and isinstance(element, Operation)
        )
        if wanted and element.graph is not self and self.captures_from(element.graph):
            return element
        return super().as_graph_element(obj, allow_tensor, allow_operation)

    @contextlib.contextmanager
    def control_dependencies(self, control_inputs):
        """As ``Graph.control_dependencies``; outer ops become the caller's control inputs."""
        if control_inputs is None:
            with super().control_dependencies(None):
                yield
            return
        own = []
        for item in control_inputs:
            op = _op_of(item)
            if isinstance(op, Operation) and op.graph is not self:
                if op not in self.control_captures:
                    self.control_captures.append(op)
            else:
                own.append(item)
        with super().control_dependencies(own):
            yield

    def seal(self, outer_inputs) -> list[Tensor]:
        """Fix the signature: arguments, then a placeholder per tensor of ``outer_inputs``.

        A body that did not use one of them gets an unused placeholder, so every body
        of one op takes the same inputs.
        """
        self.inputs = self.arguments + [self.capture(t) for t in outer_inputs]
        self._sealed = True
        return self.inputs

    def is_stateful(self) -> bool:
        """True when any op inside reads or changes state (variables, random, I/O)."""
        return any(get_op_def(op.type).is_stateful for op in self.get_operations())

    # -- running ------------------------------------------------------------------

    def plan(self, device: str, fetches: tuple):
        """The plan that computes ``fetches`` from the inputs, with every op on ``device``."""
        key = (device, fetches)
        plan = self._plans.get(key)
        if plan is None:
            with self._plans_lock:
                placement = dict.fromkeys(self.get_operations(), device)
                plan = build_plan(list(fetches), list(self.control_outputs), self.inputs, placement)
                self._plans[key] = plan
        return plan

    def __repr__(self):
        return f"<FuncGraph '{self.name}' with {len(self.get_operations())} ops>"


def _op_of(item):
    if isinstance(item, Tensor):
        return item.op
    convert = getattr(item, "_as_graph_element", None)
    if convert is not None and not isinstance(item, str | Operation):
        return _op_of(convert())
    return item


def trace_function(name: str, outer_graph: Graph, fn, arg_specs=(), arg_structure=None):
    """Trace ``fn`` into a new :class:`FuncGraph`; ``structured_outputs`` is what it returned.

    ``arg_specs`` (``TensorSpec``-like ``(dtype, shape)`` pairs) become the parameters;
    with ``arg_structure`` they are packed into it and spread as positional
    arguments when it is a list or tuple. Outputs are left for the caller to convert
    (see :meth:`FuncGraph.set_outputs`).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default() as g:
    ...     body = trace_function("inc", g, lambda i: i + 1, [(tf.int32, TensorShape([]))])
    >>> body.structured_outputs.op.type, [t.dtype for t in body.arguments]
    ('AddV2', [tf.int32])
    """
    graph = FuncGraph(name, outer_graph)
    with graph.as_default():
        args = [graph.add_argument(dtype, shape) for dtype, shape in arg_specs]
        if arg_structure is None:
            result = fn(*args)
        else:
            packed = nest.pack_sequence_as(arg_structure, args)
            result = fn(*packed) if isinstance(packed, list | tuple) else fn(packed)
    graph.structured_outputs = result
    return graph


def set_outputs(graph: FuncGraph, structure, convert) -> list[Tensor]:
    """Convert the leaves of ``structure`` with ``convert`` inside ``graph`` and make the
    non-``None`` ones its outputs; returns the converted structure."""
    with graph.as_default():
        converted = nest.map_structure(lambda x: None if x is None else convert(x), structure)
        graph.outputs = [graph.capture(t) for t in nest.flatten(converted) if t is not None]
    graph.structured_outputs = converted
    return converted


def as_output_tensor(value, dtype_hint=None) -> Tensor:
    """A body output: a tensor of the default (body) graph, never a reference."""
    tensor = convert_to_tensor(value, dtype_hint=dtype_hint)
    if tensor.dtype.is_ref_dtype:
        from .ops.array_ops import identity

        tensor = identity(tensor)
    return tensor


# -- running bodies ---------------------------------------------------------------------


class Trace:
    """What a forward ``If``/``While`` kept for its gradient: per call of a body, the
    values of the body's recorded tensors by name."""

    __slots__ = ("records",)

    def __init__(self):
        self.records: list[dict] = []

    @property
    def iterations(self) -> int:
        return len(self.records)

    def __repr__(self):
        return f"<Trace of {len(self.records)} call(s)>"


def _nested_run(ctx) -> RunContext:
    """The run context of a function called by the op of ``ctx``: part of its step."""
    run = RunContext(ctx.resources)
    # The body is part of the caller's step: same undo journal, same cancellation.
    run.journal = ctx.journal
    run.cancellation = ctx.cancellation
    run.step_id = ctx.step_id
    return run


def call_function(ctx, graph: FuncGraph, args, trace: Trace | None = None, run=None) -> list:
    """Run ``graph`` on ``args`` inside the step of ``ctx``; returns its outputs' values.

    With a ``trace``, the values of ``graph.recorded`` are appended to it. ``run`` is
    the nested run context (``_nested_run``) when the caller calls many times (a
    loop); by default one is made.
    """
    recorded = tuple(graph.recorded) if trace is not None else ()
    outputs = tuple(graph.outputs)
    plan = graph.plan(ctx.device, outputs + recorded)
    values = plan.initial_values(dict(zip(graph.inputs, args)))
    run_plan(plan, values, run or _nested_run(ctx), sequential=True)
    results = [values[slot] for slot in plan.fetch_slots]
    if trace is not None:
        # A reference is read now: the gradient needs the value the forward pass saw.
        kept = [
            value.read() if tensor.dtype.is_ref_dtype else value
            for tensor, value in zip(recorded, results[len(outputs) :])
        ]
        trace.records.append(dict(zip([t.name for t in recorded], kept)))
    return results[: len(outputs)]


def wants_trace(ctx) -> Trace | None:
    """A new ``Trace`` when the op's trace output (its last) feeds a gradient: an op
    takes it, or (in a body) the enclosing op's trace records it."""
    output = ctx.op.outputs[-1]
    graph = ctx.op.graph
    recorded = isinstance(graph, FuncGraph) and output in graph.recorded
    return Trace() if recorded or output.consumers() else None


def truth(value, ctx, what: str = "pred") -> bool:
    """TF's ``If`` rule: a scalar is true when non-zero (non-empty for strings)."""
    array = np.asarray(value)
    if array.size != 1:
        raise op_error(
            InvalidArgumentError,
            ctx.op,
            f"The {what} must be a scalar, but has shape {list(array.shape)}",
            ctx.device,
        )
    item = array.reshape(()).item()
    return bool(len(item)) if isinstance(item, bytes | str) else bool(item)


# -- reading a forward body's values from a trace ------------------------------------


def _trace_value_shape(trace, iteration, *, key, dtype, shape):
    return [TensorSpec(dtype, shape)]


TRACE_VALUE = register_op(
    OpDef(
        "TraceValue",
        ("trace: variant", "iteration: int32"),
        ("value: dtype",),
        ("key: string = ''", "dtype: type = DT_FLOAT", "shape: shape = { unknown_rank: true }"),
        shape_fn=_trace_value_shape,
    )
)
TRACE_LENGTH = register_op(
    OpDef(
        "TraceLength",
        ("trace: variant",),
        ("iterations: int32",),
        (),
        shape_fn=lambda trace: [TensorSpec(dtypes.int32, TensorShape([]))],
    )
)

not_differentiable("TraceValue")
not_differentiable("TraceLength")


@register_kernel("TraceValue")
def trace_value(trace, iteration, *, key, dtype, shape):
    return (trace.records[int(iteration)][key],)


@register_kernel("TraceLength")
def trace_length(trace):
    return (np.int32(trace.iterations),)


class TraceReader:
    """While a gradient body is traced: turns each use of a tensor of the forward body
    ``source`` into a ``TraceValue`` op reading it from ``trace`` at ``iteration``."""

    def __init__(self, graph: FuncGraph, source: FuncGraph, trace: Tensor, iteration: Tensor):
        self.graph = graph
        self.source = source
        self.trace = trace
        self.iteration = iteration
        self._read: dict[Tensor, Tensor] = {}

    def read(self, tensor: Tensor) -> Tensor:
        if tensor not in self._read:
            if tensor not in self.source.recorded:
                self.source.recorded.append(tensor)
            base = tensor.dtype.base_dtype
            with self.graph.name_scope(None), self.graph.control_dependencies(None):
                self._read[tensor] = apply_op(
                    TRACE_VALUE,
                    [self.trace, self.iteration],
                    "TraceValue",
                    graph=self.graph,
                    key=tensor.name,
                    dtype=base,
                    shape=tensor.shape,
                ).outputs[0]
        return self._read[tensor]


@contextlib.contextmanager
def reading_trace(source: FuncGraph, trace: Tensor, iteration: Tensor):
    """Inside the body being traced, read tensors of ``source`` from ``trace``."""
    from .graph import get_default_graph

    graph = get_default_graph()
    if not isinstance(graph, FuncGraph):
        raise TypeError("reading_trace() is for the body of a function being traced.")
    old = graph.trace_reader
    graph.trace_reader = TraceReader(graph, source, graph.capture(trace), iteration)
    try:
        yield
    finally:
        graph.trace_reader = old


# -- the kernels of the functional ops ----------------------------------------------------


@register_kernel("If", context=True)
@register_kernel("StatelessIf", context=True)
def if_kernel(ctx, cond, *inputs, Tcond, Tin, Tout, then_branch, else_branch, output_shapes):
    trace = wants_trace(ctx)
    branch = then_branch if truth(cond, ctx) else else_branch
    return (*call_function(ctx, branch, inputs, trace), trace)


@register_kernel("While", context=True)
@register_kernel("StatelessWhile", context=True)
def while_kernel(
    ctx, maximum_iterations, *inputs, T, cond, body, output_shapes, parallel_iterations
):
    trace = wants_trace(ctx)
    limit = int(maximum_iterations)
    carry = list(inputs)
    iterations = 0
    run = _nested_run(ctx)  # one for every call of the loop: they share the step
    invariants = [(shape, shape.as_tuple()) for shape in output_shapes]
    while limit < 0 or iterations < limit:
        ctx.check()  # session close, a failure elsewhere or the deadline ends the loop
        (pred,) = call_function(ctx, cond, carry, run=run)
        if not truth(pred, ctx, "loop condition"):
            break
        carry = call_function(ctx, body, carry, trace, run)
        _check_invariants(ctx, carry, invariants)
        iterations += 1
    return (*carry, trace)


def _check_invariants(ctx, carry, invariants) -> None:
    """Each loop variable's shape within its ``(shape invariant, its dims)``."""
    for index, (value, (shape, dims)) in enumerate(zip(carry, invariants)):
        # A handle (a TensorArray's, a resource with ``read``) is an object, not an array:
        # its static shape (a TensorArray's is TF's [2]) is not the object's to check.
        opaque = hasattr(value, "read") or isinstance(value, TensorArrayResource)
        actual = dims if opaque else np.shape(value)
        if dims is not None and (
            len(dims) != len(actual) or any(d is not None and d != a for d, a in zip(dims, actual))
        ):
            raise op_error(
                InvalidArgumentError,
                ctx.op,
                f"Loop variable {index} has shape {list(actual)} after an iteration, which "
                f"does not match its shape invariant {shape}",
                ctx.device,
            )
