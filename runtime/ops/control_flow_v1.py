"""``tf.cond`` and ``tf.while_loop`` as TF 1.x builds them: dataflow, in the caller's graph.

A cond is a ``Switch`` per value its branches read from outside, each branch's ops
built in a :class:`CondContext`, and a ``Merge`` per result. A while loop is, per loop
variable, ``Enter → Merge → Switch → (body) → NextIteration → Merge`` and
``Switch → Exit``, with the condition in a ``LoopCond``, built in a
:class:`WhileContext` whose frame the executor runs iteration by iteration
(:mod:`runtime.execution`). Op names and structure are TF 1.x's (``cond/switch_t``,
``while/Merge``, ``while/while_context`` as the frame name), so graphs read as TF's
do and GraphDefs go both ways.

Contexts wire ops into their frame as they are built (``Graph.create_op_unchecked``
calls :meth:`ControlFlowContext.add_op`): a value from outside a branch is switched
by the branch's predicate, a value from outside a loop enters it once as a loop
invariant, and an op with no inputs is tied to the context's pivot so that it runs
in the right branch or iteration.
"""

from __future__ import annotations

import contextlib

from .. import dtypes, nest
from ..graph import Operation, Tensor, get_default_graph
from ..shapes import TensorShape, as_shape
from . import control_flow_primitives as primitives
from .core import convert_to_tensor

# -- contexts ------------------------------------------------------------------------


class ControlFlowContext:
    """What a cond branch and a while loop have in common: the values they know, the
    context around them, entering and leaving."""

    def __init__(self, graph):
        self.graph = graph
        self.outer_context = graph._get_control_flow_context()
        self.values: set = set()  # tensors this context knows (its own, and brought in)
        self.external_values: dict = {}  # outside tensor -> its stand-in here
        self._entered_from: list = []  # the contexts this one was entered from
        # The contexts built inside this one: a meta graph saves them with it (TF's).
        self.nested_contexts: list = []
        if self.outer_context is not None:
            self.outer_context.nested_contexts.append(self)

    @contextlib.contextmanager
    def entered(self):
        """Build ops inside this context."""
        previous = self.graph._get_control_flow_context()
        self._entered_from.append(previous)
        self.graph._set_control_flow_context(self)
        try:
            yield self
        finally:
            self._entered_from.pop()
            self.graph._set_control_flow_context(previous)

    @contextlib.contextmanager
    def exited(self):
        """Build ops, for a moment, in the context this one was last entered from."""
        previous = self.graph._get_control_flow_context()
        self.graph._set_control_flow_context(self._entered_from[-1])
        try:
            yield
        finally:
            self.graph._set_control_flow_context(previous)

    @property
    def while_context(self):
        """The innermost ``WhileContext`` around (or being) this context, or ``None``."""
        return self.outer_context.while_context if self.outer_context else None

    def control_pivot(self):
        return None

    def restore_values(self, values, external_values: dict) -> None:
        """Take the values of this context as a meta graph saved them (TF's
        ``_init_values_from_proto``): the ops of its own values are put back in it, so
        that an imported graph's conds and loops are differentiable again."""
        self.values = set(values)
        self.external_values = dict(external_values)
        for tensor in self.values - set(self.external_values):
            tensor.op._set_control_flow_context(self)

    def add_inner_op(self, op: Operation) -> None:
        """Note an op of an inner context: every enclosing context sees its outputs."""
        self.values.update(op.outputs)
        if self.outer_context is not None:
            self.outer_context.add_inner_op(op)

    def _mark_outputs(self, op: Operation) -> None:
        context = self
        while context is not None:
            context.values.update(op.outputs)
            context = context.outer_context

    def _external_control_inputs(self, op: Operation) -> list:
        """Drop ``op``'s control inputs from outside the enclosing while loop (TF's
        ``_RemoveExternalControlEdges``); returns them."""
        loop = self.while_context
        if loop is None:
            return []
        inside, outside = [], []
        for control in op.control_inputs:
            context = output_context(control)
            same_loop = context is not None and context.while_context is loop
            (inside if same_loop else outside).append(control)
        if outside:
            op._remove_all_control_inputs()
            op._add_control_inputs(inside)
        return outside


def output_context(op: Operation):
    """The context ``op``'s outputs are seen in (an ``Exit``'s: around its loop)."""
    context = op._get_control_flow_context()
    if context is not None and is_loop_exit(op):
        context = context.outer_context
    return context


@contextlib.contextmanager
def building_in(graph, context):
    """Build ops in ``context`` (``None``: outside any cond or loop) for a moment."""
    previous = graph._get_control_flow_context()
    graph._set_control_flow_context(context)
    try:
        yield
    finally:
        graph._set_control_flow_context(previous)


def _in_context(op: Operation, context) -> bool:
    """Whether ``op`` was built in ``context`` or a context nested in it."""
    inner = op._get_control_flow_context()
    while inner is not None:
        if inner is context:
            return True
        inner = inner.outer_context
    return False


def is_loop_exit(op: Operation) -> bool:
    return op.type in ("Exit", "RefExit")


def is_loop_constant_enter(op: Operation) -> bool:
    return op.type in ("Enter", "RefEnter") and bool(op.get_attr("is_constant"))


def _in_op_scope(op: Operation):
    """The name scope TF is in when a context takes in a new op's inputs: the op's own,
    so the Switch or Enter an outside input needs is ``cond/FusedBatchNormV3/Switch``,
    ``while/TensorArrayReadV3/Enter``, as in TF's frozen graphs."""
    return op.graph.name_scope(op.name + "/")


class CondContext(ControlFlowContext):
    """One branch of a TF1 cond: ops built here run only when ``pred`` is ``branch``."""

    def __init__(self, pred: Tensor, pivot: Tensor, branch: int, name: str = "cond_text"):
        super().__init__(pred.graph)
        self.name = name
        self.pred = pred
        self.pivot = pivot
        self.branch = branch
        self.values.update([pred, pivot])
        self.external_values[pred] = pred  # the predicate stays outside (TF's)

    def control_pivot(self):
        return self.pivot

    def add_value(self, value: Tensor) -> Tensor:
        """``value`` as seen in this branch: switched by the predicate if from outside."""
        if value in self.values:
            return self.external_values.get(value, value)
        self.values.add(value)
        source = value
        if self.outer_context is not None:
            source = self.outer_context.add_value(value)
            self.values.add(source)
            self.external_values[source] = source
        # The Switch stands where the value comes from: it is built in the outer
        # context (a loop around the cond wires it into its frame), then joins this one.
        with self.graph.control_dependencies(None), building_in(self.graph, self.outer_context):
            switched = _switch(source, self.pred)[self.branch]
        if self.outer_context is not None:
            self.outer_context.add_inner_op(switched.op)
        switched.op._set_control_flow_context(self)
        self.graph.prevent_fetching(switched.op)
        self._mark_outputs(switched.op)
        self.external_values[value] = switched
        return switched

    def add_op(self, op: Operation) -> None:
        if not op.inputs:
            self._external_control_inputs(op)
            if not any(_in_context(c, self) for c in op.control_inputs):
                op._add_control_input(self.pivot.op)
        else:
            with _in_op_scope(op):
                for index, tensor in enumerate(op.inputs):
                    if op.type in ("Merge", "RefMerge") and tensor.op.type == "NextIteration":
                        continue  # the back edge of a loop being built inside this branch
                    real = self.add_value(tensor)
                    if real is not tensor:
                        op._update_input(index, real)
            self._external_control_inputs(op)
        self._mark_outputs(op)
        if self.outer_context is not None or not is_loop_exit(op):
            self.graph.prevent_fetching(op)
        if self.outer_context is not None:
            self.outer_context.add_inner_op(op)

    def build_branch(self, fn):
        """Call ``fn`` in this context; returns its structure and the flat results as
        tensors of this branch."""
        with self.entered():
            original = fn()
            if original is None:
                raise ValueError("A branch of tf.cond returned None; it must return a value.")
            flat = [self._branch_output(value) for value in nest.flatten(original)]
        return original, flat

    def _branch_output(self, value) -> Tensor:
        if isinstance(value, Operation):
            # An op as a result: the pivot stands in for it, after it.
            with self.graph.control_dependencies([value]):
                from .array_ops import identity

                return identity(self.pivot, name="control_dependency")  # TF's with_dependencies
        flow = loop_flow(value)
        tensor = convert_to_tensor(value if flow is None else flow)
        if tensor in self.values:
            return self.external_values.get(tensor, tensor)
        # ``lambda: x`` for an outside x: the value itself, switched into this branch.
        return self.add_value(tensor)


class WhileContext(ControlFlowContext):
    """A TF1 while loop: its frame name, pivots and the ``Enter``/``Exit`` ops."""

    def __init__(
        self,
        graph,
        parallel_iterations: int,
        back_prop: bool,
        maximum_iterations,
        name: str = "while_context",
        grad_state=None,
    ):
        super().__init__(graph)
        self.name = graph.unique_name(name)
        self.parallel_iterations = parallel_iterations
        self.back_prop = back_prop
        self.maximum_iterations = maximum_iterations
        self.pivot = None  # the LoopCond
        self.pivot_for_pred = None  # the first Merge
        self.pivot_for_body = None  # the first Identity of the body
        self.loop_enters: list = []
        self.loop_exits: list = []
        self.grad_state = grad_state  # a gradient loop's state (runtime.ops.control_flow_grad)

    @property
    def while_context(self):
        return self

    def control_pivot(self):
        return self.pivot_for_body if self.pivot_for_body is not None else self.pivot_for_pred

    def add_value(self, value: Tensor) -> Tensor:
        """``value`` as seen in the loop: an outside value enters once, as a constant."""
        if value in self.values or value.op._get_control_flow_context() is self:
            return self.external_values.get(value, value)
        self.values.add(value)
        if self.grad_state is not None and self.grad_state.is_forward_value(value):
            # A forward loop's value read by its gradient loop: its history, popped.
            real = self.grad_state.real_value(value)
            self.external_values[value] = real
            return real
        source = value
        if self.outer_context is not None:
            source = self.outer_context.add_value(value)
        # Built as this loop's own op, whatever context asked for the value.
        with self.graph.control_dependencies(None), building_in(self.graph, self):
            entered = primitives.enter(
                source, self.name, is_constant=True, parallel_iterations=self.parallel_iterations
            )
        self.graph.prevent_feeding(entered)
        if self.outer_context is not None:
            self.outer_context.add_inner_op(entered.op)
        self._fix_context([entered])
        self.values.add(entered)
        self.external_values[value] = entered
        return entered

    def add_op(self, op: Operation) -> None:
        if op.type in ("Enter", "RefEnter"):
            # An Enter is wired by whoever makes it (a loop variable, an outside
            # value, an accumulator): it stands between frames, not in one.
            self.values.update(op.outputs)
            return
        if not op.inputs:
            outside = self._external_control_inputs(op)
            if not op.control_inputs:
                op._add_control_input(self.control_pivot().op)
        else:
            with _in_op_scope(op):
                for index, tensor in enumerate(op.inputs):
                    real = self.add_value(tensor)
                    if real is not tensor:
                        op._update_input(index, real)
            outside = self._external_control_inputs(op)
            if not op.control_inputs and all(is_loop_constant_enter(t.op) for t in op.inputs):
                # Loop invariants alone would let the op run ahead of its iteration.
                op._add_control_input(self.control_pivot().op)
        self.values.update(op.outputs)
        if outside:
            # Outside ops to wait for come in through identities of their outputs.
            from .array_ops import identity

            with self.graph.control_dependencies(None), self.entered():
                proxies = [identity(c.outputs[0]).op for c in outside if c.outputs]
            op._add_control_inputs(proxies)
        if self.outer_context is not None or not is_loop_exit(op):
            self.graph.prevent_fetching(op)
            for tensor in op.outputs:
                self.graph.prevent_feeding(tensor)
        if self.outer_context is not None:
            self.outer_context.add_inner_op(op)

    def _fix_context(self, tensors) -> None:
        for tensor in tensors:
            op = tensor.op
            op._set_control_flow_context(self)
            outside = [c for c in op.control_inputs if not _in_context(c, self)]
            if self.outer_context is None and outside:
                op._remove_all_control_inputs()

    def build_loop(self, cond, body, loop_vars, shape_invariants):
        """Add the loop to the graph; returns ``(body structure, exit tensors)``."""
        flat_vars = [loop_input(value) for value in nest.flatten(loop_vars)]
        invariants = shape_invariants_of(flat_vars, loop_vars, shape_invariants)
        self.values = set(flat_vars)
        with self.entered():
            real_vars = (
                [self.outer_context.add_value(v) for v in flat_vars]
                if self.outer_context is not None
                else flat_vars
            )
            enters = self._enter_vars(real_vars, invariants)
            merges = [primitives.merge([e, e])[0] for e in enters]
            self.pivot_for_pred = merges[0]
            packed = repack(loop_vars, merges)
            condition = convert_to_tensor(call_with(cond, packed))
            if condition.dtype.base_dtype != dtypes.bool:
                raise TypeError(
                    f"The loop condition must be a bool tensor, got {condition.dtype.name}."
                )
            self.pivot = primitives.loop_cond(condition, name="LoopCond")
            switches = [_switch(m, self.pivot) for m in merges]
            from .array_ops import identity

            body_vars = [identity(s[1]) for s in switches]
            self.pivot_for_body = body_vars[0]
            result = call_with(body, repack(loop_vars, body_vars))
            if nest.is_nested(loop_vars) and not nest.is_nested(result):
                result = [result]
            original = result
            nest.assert_same_structure(
                list(loop_vars) if isinstance(loop_vars, tuple) else loop_vars,
                list(result) if isinstance(result, tuple) else result,
                check_types=False,
            )
            flat_result = [_loop_output(v, var) for v, var in zip(nest.flatten(result), flat_vars)]
            if len(flat_result) != len(merges):
                raise ValueError(
                    "Number of inputs and outputs of 'body' must match 'loop_vars'. Got "
                    f"{len(merges)} for the number of inputs/outputs, and {len(flat_result)} "
                    "for the number of outputs."
                )
            for merge, value, invariant, var in zip(merges, flat_result, invariants, flat_vars):
                self._close_loop(merge, value, invariant, var)
            exits = [primitives.exit(s[0]) for s in switches]
            self.loop_exits = exits
        self._exit_result(exits)
        return original, exits

    def _enter_vars(self, real_vars, invariants) -> list:
        enters = []
        with self.graph.control_dependencies(None):
            for var, invariant in zip(real_vars, invariants):
                entered = primitives.enter(
                    var,
                    self.name,
                    is_constant=False,
                    parallel_iterations=self.parallel_iterations,
                    shape=invariant,
                )
                self.graph.prevent_feeding(entered)
                if self.outer_context is not None:
                    self.outer_context.add_inner_op(entered.op)
                enters.append(entered)
        pivot = _outer_control_pivot(self)
        if pivot is not None:
            for entered in enters:
                if is_loop_constant_enter(entered.op.inputs[0].op):
                    entered.op._add_control_input(pivot.op)
        self._fix_context(enters)
        # From here the loop knows its Enters, not the values they carry in (TF's
        # _InitializeValues): a body reading a loop variable's initial value gets an Enter.
        self.values = set(enters)
        self.loop_enters = enters
        return enters

    def _close_loop(self, merge: Tensor, value: Tensor, invariant: TensorShape, var) -> None:
        if value.dtype.base_dtype != var.dtype.base_dtype:
            raise TypeError(
                f"Loop var {var.name} enters the loop with type {var.dtype.base_dtype.name}, "
                f"but has type {value.dtype.base_dtype.name} after 1 iteration. All loop "
                "vars returned from body_fn must have the same dtype as the loop vars passed in."
            )
        if not shape_within(value.shape, invariant):
            raise ValueError(
                f"Input tensor '{var.name}' enters the loop with shape {invariant}, but has "
                f"shape {value.shape} after one iteration. To allow the shape to vary across "
                "iterations, use the `shape_invariants` argument of tf.while_loop to specify "
                "a less-specific shape."
            )
        following = primitives.next_iteration(value)
        merge.op._update_input(1, following)

    def _exit_result(self, exits) -> None:
        if self.outer_context is not None:
            for tensor in exits:
                self.outer_context.add_inner_op(tensor.op)
            self.outer_context.values.update(exits)


def _outer_control_pivot(context):
    outer = context.outer_context
    while outer is not None:
        pivot = outer.control_pivot()
        if pivot is not None:
            return pivot
        outer = outer.outer_context
    return None


def _switch(data: Tensor, pred: Tensor):
    """TF's ``_SwitchRefOrTensor``: a Switch placed with ``data``."""
    with data.graph.colocate_with(data.op, ignore_existing=True):
        return primitives.switch(data, pred, name="Switch")


def loop_flow(value):
    """A TensorArray travels through control flow as its ``flow`` tensor (``None`` for
    anything else)."""
    to_flow = getattr(value, "_loop_flow", None)
    return None if to_flow is None else to_flow()


def loop_input(value) -> Tensor:
    flow = loop_flow(value)
    tensor = convert_to_tensor(value if flow is None else flow)
    if tensor.dtype.is_ref_dtype:
        from .array_ops import identity

        tensor = identity(tensor)
    return tensor


def _loop_output(value, var: Tensor) -> Tensor:
    flow = loop_flow(value)
    return convert_to_tensor(value if flow is None else flow, dtype_hint=var.dtype.base_dtype)


def repack(loop_vars, flat: list):
    """``flat`` tensors in the structure of ``loop_vars`` (TensorArrays rebuilt)."""
    rebuilt = [
        original._with_loop_flow(tensor) if loop_flow(original) is not None else tensor
        for original, tensor in zip(nest.flatten(loop_vars), flat)
    ]
    return nest.pack_sequence_as(loop_vars, rebuilt)


def call_with(fn, packed):
    return fn(*packed) if isinstance(packed, list | tuple) else fn(packed)


def shape_invariants_of(flat, loop_vars, shape_invariants) -> list[TensorShape]:
    """The shape each of the ``flat`` loop variables keeps through the loop: its
    ``shape_invariants`` entry (``None``, or no invariants at all: its own shape),
    checked to hold for the shape it enters with.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     i, rows = tf.constant(0), tf.zeros([2, 3])
    ...     shape_invariants_of([i, rows], [i, rows], [None, tf.TensorShape([None, 3])])
    [TensorShape([]), TensorShape([Dimension(None), Dimension(3)])]
    """
    if shape_invariants is None:
        return [t.shape for t in flat]
    nest.assert_same_structure(loop_vars, shape_invariants, check_types=False)
    invariants = [
        tensor.shape if shape is None else as_shape(shape)
        for tensor, shape in zip(flat, nest.flatten(shape_invariants))
    ]
    for tensor, shape in zip(flat, invariants):
        if not shape_within(tensor.shape, shape):
            raise ValueError(
                f"The shape invariant specified for {tensor.name} is not compatible with the "
                f"initial shape of the loop variable. It enters the loop with shape "
                f"{tensor.shape}, but the specified shape invariant is {shape}."
            )
    return invariants


def shape_within(shape: TensorShape, invariant: TensorShape) -> bool:
    """TF's ``_ShapeLessThanOrEqual``: ``shape`` is at least as specific as ``invariant``.

    Examples
    --------
    >>> shape_within(TensorShape([2, 3]), TensorShape([None, 3]))
    True
    >>> shape_within(TensorShape([2, 3]), TensorShape([None]))
    False
    """
    if invariant.rank is None:
        return True
    if shape.rank != invariant.rank:
        return False
    return all(b is None or a == b for a, b in zip(shape.as_tuple(), invariant.as_tuple()))


# -- the builders ---------------------------------------------------------------------


def cond(pred: Tensor, true_fn, false_fn, name=None):
    """Build a TF1 cond; returns the branches' structure with ``Merge`` outputs.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [])
    ...     y = cond(x > 0.0, lambda: x * 2.0, lambda: -x)
    ...     with tf.compat.v1.Session() as sess:
    ...         print(sess.run(y, {x: 3.0}), sess.run(y, {x: -4.0}))
    6.0 4.0
    >>> y.op.type, y.op.name
    ('Merge', 'cond/Merge')
    """
    from .array_ops import identity

    graph = pred.graph
    with graph.name_scope(name or "cond"):
        p_false, p_true = _switch(pred, pred)
        pivot_true = identity(p_true, name="switch_t")
        pivot_false = identity(p_false, name="switch_f")
        pred = identity(pred, name="pred_id")
        for tensor in (p_true, p_false, pivot_true, pivot_false, pred):
            graph.prevent_fetching(tensor.op)
        true_context = CondContext(pred, pivot_true, 1, graph.unique_name("cond_text"))
        original_true, results_true = true_context.build_branch(true_fn)
        false_context = CondContext(pred, pivot_false, 0, graph.unique_name("cond_text"))
        original_false, results_false = false_context.build_branch(false_fn)
        _check_branches(original_true, original_false, results_true, results_false)
        merges = [primitives.merge([f, t])[0] for f, t in zip(results_false, results_true)]
        outer = graph._get_control_flow_context()
        if outer is not None:
            for merge in merges:
                outer.add_inner_op(merge.op)
        else:
            # As TF's: a cond in a cond or loop is saved with the outermost context.
            graph.add_to_collection("cond_context", true_context)
            graph.add_to_collection("cond_context", false_context)
    flat_original = nest.flatten(original_true)
    merged = [
        original._with_loop_flow(merge) if loop_flow(original) is not None else merge
        for original, merge in zip(flat_original, merges)
    ]
    return nest.pack_sequence_as(original_true, merged)


def _check_branches(original_true, original_false, results_true, results_false) -> None:
    try:
        nest.assert_same_structure(original_true, original_false)
    except (ValueError, TypeError) as err:
        raise ValueError(f"true_fn and false_fn must return the same structure: {err}") from None
    for t, f in zip(results_true, results_false):
        if t.dtype.base_dtype != f.dtype.base_dtype:
            raise ValueError(
                "Outputs of 'true_fn' and 'false_fn' must have the same type(s). Received "
                f"{t.dtype.base_dtype.name} from 'true_fn' and {f.dtype.base_dtype.name} from "
                "'false_fn'."
            )


def while_loop(
    cond,
    body,
    loop_vars,
    shape_invariants,
    parallel_iterations,
    back_prop,
    maximum_iterations,
    name,
):
    """Build a TF1 while loop; returns the exit values in the structure of ``loop_vars``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     i, total = while_loop(
    ...         lambda i, s: i < 5, lambda i, s: (i + 1, s + i), [0, 0], None, 10, True, None, None
    ...     )
    ...     print(*tf.compat.v1.Session().run([i, total]), i.op.name)
    5 10 while/Exit
    """
    from .math_ops import logical_and

    graph = get_default_graph()
    with graph.name_scope(name or "while"):
        if maximum_iterations is not None:
            maximum_iterations = convert_to_tensor(maximum_iterations, name="maximum_iterations")
            if maximum_iterations.shape.rank not in (None, 0):
                raise ValueError(
                    "'maximum_iterations' must be a scalar. Received shape: "
                    f"{maximum_iterations.shape}"
                )
            counter = convert_to_tensor(
                0, dtype=maximum_iterations.dtype.base_dtype, name="iteration_counter"
            )
            inner_cond, inner_body, limit = cond, body, maximum_iterations
            # As TF: one loop variable in a list travels bare beside the counter.
            single = isinstance(loop_vars, list | tuple) and len(loop_vars) == 1
            outer_vars = loop_vars
            call = (lambda fn, lv: fn(lv)) if single else call_with
            loop_vars = (counter, loop_vars[0] if single else loop_vars)
            cond = lambda i, lv: logical_and(i < limit, call(inner_cond, lv))  # noqa: E731
            body = lambda i, lv: (i + 1, call(inner_body, lv))  # noqa: E731
            if shape_invariants is not None:
                if single:
                    shape_invariants = shape_invariants[0]
                shape_invariants = (TensorShape([]), shape_invariants)
        context = WhileContext(graph, parallel_iterations, back_prop, maximum_iterations)
        if context.outer_context is None:
            graph.add_to_collection("while_context", context)
        original, exits = context.build_loop(cond, body, loop_vars, shape_invariants)
        if not back_prop:
            from .array_ops import stop_gradient

            exits = [stop_gradient(t) for t in exits]
    flat_original = nest.flatten(original)
    rebuilt = [
        item._with_loop_flow(tensor) if loop_flow(item) is not None else tensor
        for item, tensor in zip(flat_original, exits)
    ]
    result = nest.pack_sequence_as(original, rebuilt)
    if maximum_iterations is None:
        return result
    return type(outer_vars)([result[1]]) if single else result[1]
