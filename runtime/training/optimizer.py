"""``Optimizer``: TF1's base class of graph-mode optimizers.

``minimize(loss)`` is ``compute_gradients`` (``tf.gradients`` of the loss with
respect to each variable's reference) then ``apply_gradients``, which builds, for a
variable ``w`` and an optimizer named ``Adam``::

    w/Adam, w/Adam_1              slot variables (created once, outside control deps)
    Adam/update_w/ApplyAdam       the update op, placed with w
    Adam                          a NoOp grouping the updates (or the global step's
                                  AssignAdd, run after them, when one is given)

Subclasses implement ``_create_slots``, ``_prepare`` (hyperparameter tensors),
``_apply_dense``, ``_apply_sparse`` (an ``IndexedSlices`` gradient, e.g. of an
``embedding_lookup``: only its rows change; repeated rows are summed first) and, when
they keep extra state, ``_finish``.
"""

from __future__ import annotations

from .. import dtypes
from ..gradients import gradients
from ..graph import Tensor, get_default_graph
from ..graph_keys import GraphKeys
from ..indexed_slices import IndexedSlices
from ..ops import array_ops, control_flow_ops, math_ops
from ..ops.core import convert_to_tensor
from ..ops.init_ops import Constant, Zeros
from ..ops.segment_ops import unique
from ..ops.variable_scope import create_slot_variable, slot_value_filled
from ..ops.variables import Variable, assign_add, init_scope, trainable_variables

_VALID_DTYPES = (
    dtypes.float16,
    dtypes.float32,
    dtypes.float64,
    dtypes.complex64,
    dtypes.complex128,
)


def cast_to(value, dtype) -> Tensor:
    """``value`` as a tensor of ``dtype`` (a ``Cast`` op only when the type differs)."""
    tensor = convert_to_tensor(value)
    if tensor.dtype.base_dtype == dtype:
        return tensor
    return math_ops.cast(tensor, dtype)


def _var_key(var: Variable) -> tuple:
    return (var.op.graph, var.op.name)


class Optimizer:
    """Base class of optimizers (``tf.compat.v1.train.Optimizer``).

    Parameters
    ----------
    use_locking : bool
        Passed to the update ops.
    name : str
        Names the optimizer's ops and slots.
    """

    GATE_NONE = 0
    GATE_OP = 1
    GATE_GRAPH = 2

    def __init__(self, use_locking, name):
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._use_locking = use_locking
        self._name = name
        self._slots: dict[str, dict] = {}
        self._non_slot_dict: dict = {}

    def get_name(self) -> str:
        return self._name

    # -- the three public steps -----------------------------------------------------

    def minimize(
        self,
        loss,
        global_step=None,
        var_list=None,
        gate_gradients=GATE_OP,
        aggregation_method=None,
        colocate_gradients_with_ops=False,
        name=None,
        grad_loss=None,
    ):
        """Add ops that update ``var_list`` to decrease ``loss``; returns the train op.

        Increments ``global_step`` (a variable) after the updates when given.
        """
        grads_and_vars = self.compute_gradients(
            loss,
            var_list=var_list,
            gate_gradients=gate_gradients,
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops,
            grad_loss=grad_loss,
        )
        if not [v for g, v in grads_and_vars if g is not None]:
            raise ValueError(
                "No gradients provided for any variable, check your graph for ops that do "
                f"not support gradients, between variables {[str(v) for _, v in grads_and_vars]} "
                f"and loss {loss}."
            )
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def compute_gradients(
        self,
        loss,
        var_list=None,
        gate_gradients=GATE_OP,
        aggregation_method=None,
        colocate_gradients_with_ops=False,
        grad_loss=None,
    ) -> list:
        """``[(gradient or None, variable)]`` for ``var_list`` (default: trainable ones)."""
        if gate_gradients not in (self.GATE_NONE, self.GATE_OP, self.GATE_GRAPH):
            raise ValueError(
                "gate_gradients must be one of: Optimizer.GATE_NONE, Optimizer.GATE_OP, "
                f"Optimizer.GATE_GRAPH.  Not {gate_gradients}"
            )
        loss = convert_to_tensor(loss)
        self._assert_valid_dtypes([loss])
        var_list = trainable_variables() if var_list is None else list(var_list)
        if not var_list:
            raise ValueError("No variables to optimize.")
        grads = gradients(
            loss,
            [_gradient_target(v) for v in var_list],
            grad_ys=grad_loss,
            gate_gradients=gate_gradients == self.GATE_OP,
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops,
        )
        if gate_gradients == self.GATE_GRAPH:
            grads = control_flow_ops.tuple(grads)
        return list(zip(grads, var_list))

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """Add the update ops for ``grads_and_vars``; returns the train op."""
        pairs = self._checked_pairs(grads_and_vars)
        var_list = [v for g, v in pairs if g is not None]
        if not var_list:
            raise ValueError(
                f"No gradients provided for any variable: {[str(v) for _, v in pairs]}."
            )
        graph = var_list[0].graph
        with graph.as_default():
            with init_scope(graph):
                self._create_slots(var_list)
            with graph.name_scope(name or self._name) as scope:
                self._prepare()
                update_ops = [self._update(grad, var) for grad, var in pairs if grad is not None]
                train_op = self._finish_step(update_ops, scope, global_step)
        collection = graph.get_collection_ref(GraphKeys.TRAIN_OP)
        if train_op not in collection:
            collection.append(train_op)
        return train_op

    def _checked_pairs(self, grads_and_vars) -> list:
        pairs = list(grads_and_vars)
        if not pairs:
            raise ValueError("No variables provided.")
        checked = []
        for grad, var in pairs:
            _gradient_target(var)  # TF's refusal of what is neither variable nor tensor
            if grad is not None and not isinstance(grad, IndexedSlices):
                try:
                    grad = convert_to_tensor(grad)
                except TypeError:
                    raise TypeError(
                        f"Gradient must be convertible to a Tensor or None: {grad}"
                    ) from None
            checked.append((grad, var))
        return checked

    def _update(self, grad, var):
        if not isinstance(var, Variable):
            # As TF: a tensor in var_list has a gradient, but nothing to assign it to.
            raise NotImplementedError("Trying to update a Tensor ", var)
        graph = var.graph
        with graph.name_scope(f"update_{var.op.name}"), graph.colocate_with(var.op):
            if isinstance(grad, IndexedSlices):
                if var.constraint is not None:
                    raise RuntimeError("Cannot use a constraint function on a sparse variable.")
                return self._apply_sparse_duplicate_indices(grad, var)
            update = self._apply_dense(grad, var)
            if var.constraint is None:
                return update
            # A constrained variable (a layer's kernel_constraint) is projected after the step,
            # from a read made after it (TF's ref reads alias the buffer; ours are values).
            with graph.control_dependencies([update]):
                return var.assign(var.constraint(var.read_value())).op

    def _finish_step(self, update_ops, scope: str, global_step):
        if global_step is None:
            return self._finish(update_ops, scope)
        graph = get_default_graph()
        with graph.control_dependencies([self._finish(update_ops, "update")]):
            with graph.colocate_with(global_step.op):
                return assign_add(global_step, 1, name=scope).op

    # -- hooks for subclasses -------------------------------------------------------

    def _create_slots(self, var_list) -> None:
        """Create the slot variables the optimizer needs (none by default)."""

    def _prepare(self) -> None:
        """Convert hyperparameters to tensors, inside the optimizer's name scope."""

    def _apply_dense(self, grad, var):
        raise NotImplementedError(f"{type(self).__name__} does not implement _apply_dense.")

    def _apply_sparse_duplicate_indices(self, grad, var):
        """``_apply_sparse`` with the rows of a repeated index summed into one."""
        values, indices = _deduplicate(grad.values, grad.indices)
        return self._apply_sparse(IndexedSlices(values, indices, grad.dense_shape), var)

    def _apply_sparse(self, grad, var):
        raise NotImplementedError(f"{type(self).__name__} does not implement _apply_sparse.")

    def _finish(self, update_ops, name_scope):
        """The op that completes a step: by default a ``NoOp`` grouping the updates."""
        return control_flow_ops.group(*update_ops, name=name_scope)

    # -- slots ----------------------------------------------------------------------

    def get_slot(self, var, name):
        """The slot variable ``name`` of ``var`` (``None`` if there is none)."""
        return self._slots.get(name, {}).get(_var_key(var))

    def get_slot_names(self) -> list:
        return sorted(self._slots)

    def variables(self) -> list:
        """The optimizer's own variables (slots and accumulators) in the default graph."""
        graph = get_default_graph()
        found = [v for (_, g), v in self._non_slot_dict.items() if g is graph]
        for slots in self._slots.values():
            found.extend(v for v in slots.values() if v.graph is graph)
        return sorted(found, key=lambda v: v.name)

    def _slot_dict(self, slot_name) -> dict:
        return self._slots.setdefault(slot_name, {})

    def _zeros_slot(self, var, slot_name, op_name):
        """The slot ``slot_name`` of ``var``, made of zeros shaped like it if new."""
        return self._filled_slot(var, Zeros(), 0, slot_name, op_name)

    def _constant_slot(self, var, value, slot_name, op_name):
        """The slot ``slot_name`` of ``var``, filled with ``value`` if new (Adagrad's start)."""
        return self._filled_slot(var, Constant(value), value, slot_name, op_name)

    def _filled_slot(self, var, initializer, value, slot_name, op_name):
        dtype = var.dtype.base_dtype
        if var.shape.is_fully_defined() or _var_key(var) in self._slot_dict(slot_name):
            return self._get_or_make_slot_with_initializer(
                var, initializer, var.shape, dtype, slot_name, op_name
            )
        # TF's: a variable of unknown shape gets a slot of its shape at run time
        return self._get_or_make_slot(
            var, slot_value_filled(var, value, dtype), slot_name, op_name
        )

    def _get_or_make_slot(self, var, val, slot_name, op_name):
        """The slot ``slot_name`` of ``var``, made with the initial value ``val`` if new."""
        value = convert_to_tensor(val)
        return self._get_or_make_slot_with_initializer(
            var, value, value.shape, value.dtype.base_dtype, slot_name, op_name
        )

    def _get_or_make_slot_with_initializer(
        self, var, initializer, shape, dtype, slot_name, op_name
    ):
        """The slot ``slot_name`` of ``var``, made as ``<var>/<op_name>`` if new."""
        slots = self._slot_dict(slot_name)
        key = _var_key(var)
        if key not in slots:
            slots[key] = create_slot_variable(var, initializer, op_name, shape=shape, dtype=dtype)
        return slots[key]

    def _create_non_slot_variable(self, initial_value, name, colocate_with):
        """A per-graph variable (e.g. Adam's ``beta1_power``) placed with ``colocate_with``."""
        graph = colocate_with.graph
        key = (name, graph)
        if key not in self._non_slot_dict:
            with graph.as_default(), graph.colocate_with(colocate_with.op):
                self._non_slot_dict[key] = Variable(initial_value, name=name, trainable=False)
        return self._non_slot_dict[key]

    def _get_non_slot_variable(self, name, graph=None):
        return self._non_slot_dict.get((name, graph or get_default_graph()))

    @staticmethod
    def _call_if_callable(param):
        return param() if callable(param) else param

    def _hyper_tensor(self, value, name: str) -> Tensor:
        """A hyperparameter (a number, a tensor, or a callable giving one) as a tensor."""
        return convert_to_tensor(self._call_if_callable(value), name=name)

    def _assert_valid_dtypes(self, tensors) -> None:
        for tensor in tensors:
            dtype = tensor.dtype.base_dtype
            if dtype not in _VALID_DTYPES:
                raise ValueError(
                    f"Invalid type {dtype!r} for {tensor.name}, expected: {list(_VALID_DTYPES)}."
                )


def _gradient_target(var) -> Tensor:
    """What ``var`` is differentiated by: a variable's reference, or a tensor itself
    (TF takes the gradient of a tensor in ``var_list`` and refuses to update it)."""
    if isinstance(var, Variable):
        return var._ref()
    if isinstance(var, Tensor):
        return var
    raise NotImplementedError("Trying to optimize unsupported type ", var)


def _deduplicate(values: Tensor, indices: Tensor) -> tuple:
    """One row per distinct index, the rows of a repeated index added up."""
    distinct, positions = unique(indices)
    summed = math_ops.unsorted_segment_sum(values, positions, array_ops.shape(distinct)[0])
    return summed, distinct
