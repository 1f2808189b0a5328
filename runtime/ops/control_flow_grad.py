"""Gradients through TF1's dataflow control flow, as TF 1.x builds them.

The gradient of a cond is a cond: a ``Merge``'s gradient is a ``Switch`` on the same
predicate, a ``Switch``'s a ``Merge``. The gradient of a while loop is a while loop
that runs as many iterations backwards (TF's ``GradLoopState``):

- the forward loop gets an iteration counter (``f_count``), and the gradient loop
  counts it down (``b_count``);
- a forward value the gradient loop needs is pushed on a stack (``f_acc``) in every
  forward iteration and popped (``StackPopV2``) in the matching backward one;
- ``Exit`` becomes an ``Enter`` (``b_exit``), ``Enter`` an ``Exit``, ``NextIteration``
  passes the gradient on, and a loop ``Switch`` a ``Merge`` whose back edge is
  added when the gradient of the loop body reaches it (the ``Switch`` is visited
  twice: from its ``Exit`` side, then from its body side);
- a loop invariant's gradient is summed over the iterations in an accumulator loop
  (``b_acc``).

:class:`ControlFlowState` holds a :class:`GradLoopState` per forward loop of one
``gradients()`` call; :mod:`runtime.gradients` calls it where TF's
``_GradientsHelper`` does.
"""

from __future__ import annotations

from .. import dtypes
from ..graph import Operation, Tensor
from ..indexed_slices import IndexedSlices, densify_quietly
from ..registry import not_differentiable, register_gradient
from ..shapes import TensorShape
from . import control_flow_primitives as primitives
from . import stack_ops
from .control_flow_v1 import CondContext, WhileContext, is_loop_exit, output_context

# -- where ops are ------------------------------------------------------------------


def while_context_of(op: Operation):
    """The innermost while loop ``op`` was built in (an ``Exit``'s is its own loop)."""
    context = op._get_control_flow_context()
    return None if context is None else context.while_context


def is_switch(op: Operation) -> bool:
    return op.type in ("Switch", "RefSwitch")


def is_cond_switch(op: Operation) -> bool:
    """A ``Switch`` whose readers are all in conds (the switch of a cond's value)."""
    if not is_switch(op) or not op.outputs:
        return False
    for tensor in op.outputs:
        for consumer in tensor.consumers():
            context = consumer._get_control_flow_context()
            if consumer.type in ("Enter", "RefEnter") and context is not None:
                context = context.outer_context
            if not isinstance(context, CondContext):
                return False
    return True


def is_loop_switch(op: Operation) -> bool:
    """The ``Switch`` of a loop variable (built by the loop itself)."""
    return (
        is_switch(op)
        and isinstance(op._get_control_flow_context(), WhileContext)
        and not is_cond_switch(op)
    )


def loop_constant_enter(value: Tensor):
    """The constant ``Enter`` ``value`` passes through unchanged, or ``None``."""
    op = value.op
    while op.type in ("Switch", "RefSwitch", "Identity", "RefIdentity"):
        op = op.inputs[0].op
    if op.type in ("Enter", "RefEnter") and op.get_attr("is_constant"):
        return op
    return None


# -- the state of one gradient loop -------------------------------------------------


class GradLoopState:
    """A forward while loop and the loop that computes its gradient."""

    def __init__(self, forward: WhileContext, outer: GradLoopState | None):
        self.forward_context = forward
        self.outer = outer
        self.history: dict = {}  # forward tensor -> its value in the gradient loop
        self.switch_map: dict = {}  # loop Switch -> its gradient Merge
        self.unused_exits: list = []
        self.deferred_exits: list = []
        self.forward_exits = list(forward.loop_exits)
        self.pending_exits_count = len(forward.loop_exits)
        self._forward_sync = None
        self._grad_sync = None
        graph = forward.graph
        outer_forward = outer.forward_context if outer else forward.outer_context
        with _maybe_entered(outer_forward):
            count, self.forward_index = _add_forward_counter(forward, outer)
        if outer is not None:
            # A nested loop: remember its iteration count in each outer iteration.
            outer_forward.values.add(count)
            history_count = outer.add_forward_accumulator(count)
            with outer.grad_context.entered():
                self.grad_context = self._new_grad_context(graph)
                real_count = outer.add_backprop_accumulated_value(history_count, count)
                self.grad_index = _add_backprop_counter(self.grad_context, real_count, outer)
        else:
            with _maybe_entered(outer_forward):
                self.grad_context = self._new_grad_context(graph)
                self.grad_index = _add_backprop_counter(self.grad_context, count, None)

    def _new_grad_context(self, graph) -> WhileContext:
        forward = self.forward_context
        return WhileContext(
            graph,
            forward.parallel_iterations,
            forward.back_prop,
            forward.maximum_iterations,
            name=forward.name,
            grad_state=self,
        )

    @property
    def forward_sync(self) -> Operation:
        """A trigger that keeps the forward loop's stack pushes in iteration order."""
        if self._forward_sync is None:
            graph = self.forward_context.graph
            with graph.control_dependencies(None):
                self._forward_sync = primitives.control_trigger(name="f_sync")
            self._forward_sync._set_control_flow_context(self.forward_context)
            self.forward_index.op._add_control_input(self._forward_sync)
        return self._forward_sync

    @property
    def grad_sync(self) -> Operation:
        """A trigger that keeps the gradient loop's stack pops in iteration order."""
        if self._grad_sync is None:
            graph = self.grad_context.graph
            with graph.control_dependencies(None):
                self._grad_sync = primitives.control_trigger(name="b_sync")
            self._grad_sync._set_control_flow_context(self.grad_context)
            self.grad_index.op._add_control_input(self._grad_sync)
            if self.grad_context.outer_context is not None:
                self.grad_context.outer_context.add_inner_op(self._grad_sync)
        return self._grad_sync

    def is_forward_value(self, value: Tensor) -> bool:
        """Whether ``value`` is computed by this state's forward loop (per iteration)."""
        forward = while_context_of(value.op)
        if is_loop_exit(value.op) and forward is not None:
            outer = forward.outer_context
            forward = None if outer is None else outer.while_context
        return forward is self.forward_context

    def add_forward_accumulator(self, value: Tensor, dead_branch: bool = False) -> Tensor:
        """Push ``value`` on a stack in every forward iteration; returns the stack."""
        graph = value.graph
        forward = self.forward_context
        with graph.control_dependencies(None):
            with graph.colocate_with(value.op):
                acc = stack_ops.stack(value.dtype.base_dtype, name="f_acc")
            entered_acc = forward.add_value(acc)
            value_context = output_context(value.op)
            if value_context is forward:
                with forward.entered():
                    push = stack_ops.stack_push(entered_acc, value)
                self.forward_index.op._add_control_input(push.op)
            else:
                if not isinstance(value_context, CondContext):
                    raise TypeError(f"value_ctxt is not a CondContext: {value_context}")
                if dead_branch:
                    # The zeros of a dead branch: pushed outside the cond, seen in it.
                    with value_context.outer_context.entered():
                        push = stack_ops.stack_push(entered_acc, value)
                    push.op._set_control_flow_context(value_context)
                else:
                    with value_context.entered():
                        push = stack_ops.stack_push(entered_acc, value)
                self.forward_sync._add_control_input(push.op)
            # Order the push after this iteration's step of the counter.
            push.op._add_control_input(self.forward_index.op.inputs[0].op)
        return acc

    def add_backprop_accumulated_value(self, history: Tensor, value: Tensor, dead_branch=False):
        """Pop ``value``'s history in the gradient loop (guarded by its cond, if any)."""
        graph = value.graph
        history_context = history.op._get_control_flow_context()
        cond_context = None
        context = value.op._get_control_flow_context()
        while context is not None and context is not history_context:
            if isinstance(context, CondContext):
                cond_context = context
                break
            context = context.outer_context
        with graph.control_dependencies(None), self.grad_context.entered():
            if cond_context is not None:
                pred = None
                state = self
                while pred is None and state is not None:
                    pred = state.history.get(cond_context.pred)
                    state = state.outer
                pred = cond_context.pred if pred is None else pred
                branch = (1 - cond_context.branch) if dead_branch else cond_context.branch
                history = _switch(history, pred)[branch]
            pop = stack_ops.stack_pop(history, value.dtype.base_dtype)
            pop.set_shape(value.shape)
        if self.grad_context.parallel_iterations > 1:
            self.grad_sync._add_control_input(pop.op)
        return pop

    def real_value(self, value: Tensor) -> Tensor:
        """``value`` (of the forward loop) as the gradient loop sees it: from its history."""
        real = self.history.get(value)
        if real is not None:
            return real
        current, state = value, self
        history = None
        while True:
            enter = loop_constant_enter(current)
            if enter is not None:
                # A loop invariant: no history needed once outside every loop.
                current = enter.inputs[0]
                state = state.outer
                if state is None:
                    real = self.grad_context.add_value(current)
                    break
            elif current.op.type == "Const":
                from .core import constant

                with self.grad_context.entered():
                    real = constant(current.op.get_attr("value"), dtype=current.dtype.base_dtype)
                break
            else:
                with self.grad_context.exited():
                    history = state.add_forward_accumulator(current)
                break
        if real is None:
            real = state.add_backprop_accumulated_value(history, current)
            if state is not self:
                real = self.grad_context.add_value(real)
        self.history[value] = real
        return real


def _maybe_entered(context):
    import contextlib

    return contextlib.nullcontext() if context is None else context.entered()


def _switch(data: Tensor, pred: Tensor):
    with data.graph.colocate_with(data.op, ignore_existing=True):
        return primitives.switch(data, pred, name="Switch")


def _add_forward_counter(forward: WhileContext, outer: GradLoopState | None):
    """TF's ``AddForwardLoopCounter``: ``n = 0; while (pivot) n++``; returns
    ``(total iterations, the counter's NextIteration)``."""
    from .core import constant
    from .math_ops import add

    graph = forward.graph
    count = constant(0, name="f_count")
    if outer is not None:
        # Order the pushes of one run of an inner loop before those of the next.
        count.op._add_control_input(outer.forward_index.op.inputs[0].op)
    with forward.entered():
        forward.values.add(count)
        entered = primitives.enter(
            count, forward.name, parallel_iterations=forward.parallel_iterations, name="f_count"
        )
        forward.loop_enters.append(entered)
        merge = primitives.merge([entered, entered])[0]
        false, true = primitives.switch(merge, forward.pivot)
        index = add(true, 1)
        following = primitives.next_iteration(index)
        merge.op._update_input(1, following)
        total = primitives.exit(false, name="f_count")
        forward.loop_exits.append(total)
    forward._exit_result([total])
    del graph
    return total, following


def _add_backprop_counter(grad: WhileContext, count: Tensor, outer: GradLoopState | None):
    """TF's ``AddBackpropLoopCounter``: ``n = count; while (n >= 1) n--``; returns the
    counter's NextIteration (the gradient loop's index)."""
    from .core import constant
    from .math_ops import greater_equal, subtract

    one = constant(1, name="b_count")
    with grad.entered():
        grad.values.add(count)
        entered = primitives.enter(
            count, grad.name, parallel_iterations=grad.parallel_iterations, name="b_count"
        )
        grad.loop_enters.append(entered)
        merge = primitives.merge([entered, entered])[0]
        grad.pivot_for_pred = merge
        grad.pivot = primitives.loop_cond(greater_equal(merge, one), name="b_count")
        false, true = primitives.switch(merge, grad.pivot)
        index = subtract(true, one)
        grad.pivot_for_body = index
        following = primitives.next_iteration(index)
        merge.op._update_input(1, following)
        final_zero = primitives.exit(false, name="b_count")
        grad.loop_exits.append(final_zero)
        if outer is not None:
            # Order the pops of one run of an inner loop before those of the next.
            outer.grad_sync._add_control_input(final_zero.op)
    grad._exit_result([final_zero])
    return following


def _add_backprop_accumulator(grad: WhileContext, enter: Operation, value: Tensor) -> Tensor:
    """TF's ``AddBackpropAccumulator``: a loop invariant's gradient, summed over the
    iterations (``acc = 0; while (pivot) acc += grad``)."""
    from .array_ops import shape, zeros
    from .core import constant
    from .math_ops import add

    with grad.exited():
        if value.shape.is_fully_defined():
            with _maybe_entered(grad.outer_context):
                acc = constant(0, value.dtype.base_dtype, shape=value.shape.as_list(), name="b_acc")
        elif isinstance(grad.outer_context, WhileContext) and grad.outer_context.grad_state:
            forward = grad.grad_state.forward_context
            with forward.outer_context.entered():
                zeros_shape = shape(enter.inputs[0])
            outer_state = grad.grad_state.outer
            history = outer_state.add_forward_accumulator(zeros_shape)
            with grad.outer_context.entered():
                real_shape = outer_state.add_backprop_accumulated_value(history, zeros_shape)
                acc = zeros(real_shape, value.dtype.base_dtype)
        else:
            with _maybe_entered(grad.outer_context):
                acc = zeros(shape(enter.inputs[0]), value.dtype.base_dtype)
    grad.values.add(acc)
    entered = primitives.enter(
        acc, grad.name, parallel_iterations=grad.parallel_iterations, name="b_acc"
    )
    grad.loop_enters.append(entered)
    merge = primitives.merge([entered, entered], name="b_acc")[0]
    false, true = primitives.switch(merge, grad.pivot)
    following = primitives.next_iteration(add(true, value))
    merge.op._update_input(1, following)
    result = primitives.exit(false, name="b_acc")
    grad.loop_exits.append(result)
    grad._exit_result([result])
    return result


def _add_backprop_indexed_slices_accumulator(
    grad: WhileContext, enter: Operation, value: IndexedSlices
) -> IndexedSlices:
    """TF's ``AddBackpropIndexedSlicesAccumulator``: a loop invariant's sparse gradient
    (a ``gather``'s, say) kept sparse over the iterations: each iteration's indices and
    values are concatenated to those before (from one zero row at index 0, as TF's), and
    the dense shape is the largest seen. An optimizer then applies it as TF's does, to
    the rows it names."""
    from .array_ops import concat, shape, zeros, zeros_like
    from .core import constant
    from .math_ops import maximum

    values, indices, dense_shape = value.values, value.indices, value.dense_shape
    with grad.exited(), _maybe_entered(grad.outer_context):
        if values.shape.is_fully_defined():
            row = [1, *values.shape.as_list()[1:]]
            values_acc = constant(0, values.dtype.base_dtype, shape=row, name="b_acc")
        else:
            row = concat([[1], shape(enter.inputs[0])[1:]], 0)
            values_acc = zeros(row, values.dtype.base_dtype)
        accumulators = [constant([0], indices.dtype.base_dtype), values_acc]
        if dense_shape is not None:
            if dense_shape.shape.is_fully_defined():
                dense_dtype, length = dense_shape.dtype.base_dtype, dense_shape.shape.as_list()
                accumulators.append(constant(0, dense_dtype, shape=length))
            else:
                whole = shape(enter.inputs[0], out_type=dense_shape.dtype.base_dtype)
                accumulators.append(zeros_like(whole))
    grad.values.update(accumulators)
    switches = []
    for accumulator, update in zip(accumulators, (indices, values, dense_shape)):
        grows = TensorShape(None)  # TF's: the rows grow, the dense shape is not known
        if update is not dense_shape and accumulator.shape.rank is not None:
            grows = TensorShape([None]).concatenate(accumulator.shape[1:])
        entered = primitives.enter(
            accumulator,
            grad.name,
            parallel_iterations=grad.parallel_iterations,
            name="b_acc",
            shape=grows,
        )
        grad.loop_enters.append(entered)
        merge = primitives.merge([entered, entered], name="b_acc")[0]
        false, true = primitives.switch(merge, grad.pivot)
        grown = maximum(update, true) if update is dense_shape else concat([true, update], 0)
        merge.op._update_input(1, primitives.next_iteration(grown))
        switches.append(false)
    results = [primitives.exit(false, name="b_acc") for false in switches]
    grad.loop_exits.extend(results)
    grad._exit_result(results)
    return IndexedSlices(results[1], results[0], results[2] if len(results) > 2 else None)


# -- the state of one gradients() call ------------------------------------------------


class ControlFlowState:
    """The gradient loops of one ``gradients()`` call, by forward loop."""

    def __init__(self):
        self.states: dict = {}  # forward WhileContext -> GradLoopState

    @classmethod
    def maybe_create(cls, between_list: list, between: set):
        """A state when the ops between ``xs`` and ``ys`` pass through a loop (its exits
        are added to ``between``), else ``None``."""
        state = None
        for op in list(between_list):
            if is_loop_exit(op) and op._get_control_flow_context() is not None:
                state = state or cls()
                state._add_loop(op, between_list, between)
        return state

    def _add_loop(self, exit_op, between_list, between) -> None:
        forward = while_context_of(exit_op)
        if forward in self.states:
            return
        outer_forward = forward.outer_context
        outer_forward = None if outer_forward is None else outer_forward.while_context
        outer = self.states.get(outer_forward) if outer_forward else None
        grad_state = GradLoopState(forward, outer)
        self.states[forward] = grad_state
        for loop_exit in grad_state.forward_exits:  # every exit takes part in backprop
            if loop_exit.op not in between:
                between.add(loop_exit.op)
                between_list.append(loop_exit.op)

    def grad_state(self, op: Operation, before: bool) -> GradLoopState | None:
        """The gradient loop ``op``'s gradient is built in (``before``: its aggregation)."""
        if before and is_loop_exit(op):
            forward = op._get_control_flow_context().outer_context
            forward = None if forward is None else forward.while_context
        else:
            forward = while_context_of(op)
        return None if forward is None else self.states.get(forward)

    def grad_context(self, op: Operation, before: bool):
        """A context manager building in ``op``'s gradient loop (or doing nothing)."""
        state = self.grad_state(op, before)
        return _maybe_entered(None if state is None else state.grad_context)

    def process_unused_exits(self, pending: dict, to_ops: set) -> list:
        """Exits no ``y`` reads: zero gradients for them once all of a loop's are known."""
        exits = []
        for state in self.states.values():
            for y in state.forward_exits:
                if pending[y.op] == 0:
                    state.pending_exits_count -= 1
                    if y.op not in to_ops:
                        state.unused_exits.append(y)
                    if state.pending_exits_count == 0:
                        exits.extend(state.unused_exits)
            for y in state.forward_context.loop_enters:
                if pending[y.op] == 0:
                    pending[y.op] = 1
        return exits

    def zeros_for_exit(self, value: Tensor) -> Tensor:
        """Zeros for an unused loop result that a used one depends on."""
        from .array_ops import shape, zeros, zeros_like

        forward = value.op._get_control_flow_context()
        outer_forward = forward.outer_context
        outer_forward = None if outer_forward is None else outer_forward.while_context
        outer = self.states.get(outer_forward) if outer_forward else None
        dtype = value.dtype.base_dtype
        if outer is None:
            if value.shape.is_fully_defined():
                return zeros(value.shape.as_list(), dtype)
            return zeros_like(value)
        if value.shape.is_fully_defined():
            with outer.grad_context.entered():
                return zeros(value.shape.as_list(), dtype)
        with forward.outer_context.entered():
            value_shape = shape(value)
        history = outer.add_forward_accumulator(value_shape)
        with outer.grad_context.entered():
            real_shape = outer.add_backprop_accumulated_value(history, value_shape)
            return zeros(real_shape, dtype)

    def zeros_like(self, op: Operation, index: int):
        """Zeros for an output of ``op`` that got no gradient, inside its gradient loop."""
        from .array_ops import shape, zeros
        from .core import constant

        if is_loop_switch(op):
            return None
        state = self.states.get(while_context_of(op))
        if state is None:
            return zeros_like_outside_loops(op, index)
        dead_branch = is_switch(op)
        context = op._get_control_flow_context()
        value = op.outputs[index]
        dtype = value.dtype.base_dtype
        if value.shape.is_fully_defined():
            result = constant(0, dtype, shape=value.shape.as_list())
            if dead_branch:
                pred = state.history.get(context.pred)
                result = _switch(result, pred)[1 - context.branch]
            return result
        if dead_branch:
            with context.outer_context.entered():
                switched = _switch(op.inputs[0], context.pred)[1 - context.branch]
                zeros_shape = shape(switched)
            switched.op._set_control_flow_context(context)
            zeros_shape.op._set_control_flow_context(context)
        else:
            with context.entered():
                zeros_shape = shape(value)
        with state.grad_context.exited():
            history = state.add_forward_accumulator(zeros_shape, dead_branch=dead_branch)
        real_shape = state.add_backprop_accumulated_value(history, zeros_shape, dead_branch)
        return zeros(real_shape, dtype)

    def post_process(self) -> None:
        """Loop variables whose next value does not depend on their value: zeros flow
        back into earlier iterations."""
        from .array_ops import shape, zeros
        from .core import constant

        for state in self.states.values():
            for merge in state.switch_map.values():
                first, second = merge.op.inputs
                if first is not second:
                    continue
                dtype = first.dtype.base_dtype
                if first.shape.is_fully_defined():
                    with state.grad_context.entered():
                        following = primitives.next_iteration(
                            constant(0, dtype, shape=first.shape.as_list())
                        )
                else:
                    with _maybe_entered(state.grad_context.outer_context):
                        value = zeros(shape(first.op.inputs[0]), dtype)
                    with state.grad_context.entered():
                        following = primitives.next_iteration(value)
                merge.op._update_input(1, following)


def zeros_like_outside_loops(op: Operation, index: int) -> Tensor:
    """Zeros for an output of ``op`` that got no gradient; a cond's ``Switch`` makes
    them only on the side not taken (TF's ``ZerosLike``)."""
    from .array_ops import identity, shape, zeros, zeros_like

    value = op.outputs[index]
    context = op._get_control_flow_context()
    if not is_switch(op) or not isinstance(context, CondContext):
        return zeros_like(value)
    switched = primitives.switch(op.inputs[0], context.pred)[1 - context.branch]
    pivot = identity(switched)
    zeros_shape = shape(switched)
    with op.graph.control_dependencies([pivot]):
        return zeros(zeros_shape, value.dtype.base_dtype)


# -- the gradients of the control-flow ops --------------------------------------------


def _current_context(op: Operation):
    return op.graph._get_control_flow_context()


@register_gradient("Switch")
def _switch_grad(op: Operation, *grads):
    grad_context = _current_context(op)
    op_context = op._get_control_flow_context()
    if isinstance(op_context, WhileContext):
        state = grad_context.grad_state
        merge = state.switch_map.get(op)
        if merge is not None:
            # Second visit, from the body side: close the gradient loop's back edge.
            if grads[1] is not None:
                merge.op._update_input(1, primitives.next_iteration(grads[1]))
            return None, None
        if grads[0] is not None:
            # First visit, from the Exit side: its gradient for both inputs, for now.
            merge = primitives.merge([grads[0], grads[0]], name="b_switch")[0]
            state.switch_map[op] = merge
            return merge, None
        return None, None
    if isinstance(op_context, CondContext):
        zero_grad = grads[1 - op_context.branch]
        if zero_grad is None:
            if op.inputs[0].dtype.base_dtype == dtypes.resource:
                return primitives.merge([grads[op_context.branch]] * 2, name="cond_resource_grad")[
                    0
                ], None
            return None, None
        return primitives.merge(list(grads), name="cond_grad")[0], None
    false_grad = primitives.switch(grads[0], op.inputs[1])[0]
    true_grad = primitives.switch(grads[1], op.inputs[1])[1]
    return primitives.merge([false_grad, true_grad])[0], None


register_gradient("RefSwitch")(_switch_grad)


@register_gradient("Merge")
def _merge_grad(op: Operation, grad, _index_grad):
    from .math_ops import equal

    input_context = output_context(op.inputs[0].op)
    grad_context = _current_context(op)
    if isinstance(input_context, WhileContext):
        return list(_switch(grad, grad_context.pivot))
    if isinstance(input_context, CondContext):
        pred = input_context.pred
        state = None if grad_context is None else grad_context.while_context
        state = None if state is None else state.grad_state
        if state is not None:
            # A cond inside a loop: the predicate of each forward iteration, from a stack.
            real_pred = state.history.get(pred)
            if real_pred is None:
                with state.grad_context.exited():
                    history = state.add_forward_accumulator(pred)
                real_pred = state.add_backprop_accumulated_value(history, pred)
                state.history[pred] = real_pred
            pred = real_pred
        with op.graph.colocate_with(grad.op, ignore_existing=True):
            return list(primitives.switch(grad, pred, name="cond_grad"))
    conditions = [equal(op.outputs[1], i) for i in range(len(op.inputs))]
    return [_switch(grad, condition)[1] for condition in conditions]


register_gradient("RefMerge")(_merge_grad)


@register_gradient("Exit")
def _exit_grad(op: Operation, grad):
    grad_context = _current_context(op)
    if not grad_context.back_prop:
        return None
    if op._get_control_flow_context().grad_state is not None:
        raise TypeError("Second-order gradient for while loops not supported.")
    grad_context.values.add(grad)
    with grad_context.entered():
        result = primitives.enter(
            grad,
            grad_context.name,
            parallel_iterations=grad_context.parallel_iterations,
            name="b_exit",
        )
    grad_context.loop_enters.append(result)
    return result


register_gradient("RefExit")(_exit_grad)


@register_gradient("NextIteration")
def _next_iteration_grad(op: Operation, grad):
    # The gradient loop's own NextIteration comes with the Switch's second visit.
    return grad


register_gradient("RefNextIteration")(_next_iteration_grad)


@register_gradient("Enter")
def _enter_grad(op: Operation, grad):
    grad_context = _current_context(op)
    if grad_context is None or not isinstance(grad_context, WhileContext):
        return grad
    if not grad_context.back_prop or grad_context.grad_state is None:
        return grad
    if op.get_attr("is_constant"):
        if isinstance(grad, IndexedSlices):
            return _add_backprop_indexed_slices_accumulator(grad_context, op, grad)
        return _add_backprop_accumulator(grad_context, op, grad)
    result = primitives.exit(densify_quietly(grad))
    grad_context.loop_exits.append(result)
    grad_context._exit_result([result])
    return result


register_gradient("RefEnter")(_enter_grad)
not_differentiable("LoopCond")
not_differentiable("ControlTrigger")
