"""Kernels of TF1's conditional accumulators: gradients summed until enough have come.

An accumulator op outputs an :class:`Accumulator` (dense gradients) or a
:class:`SparseAccumulator` (``IndexedSlices`` gradients) living in the session's
resources. A gradient whose ``local_step`` is below the accumulator's global step is
stale and silently dropped; ``take`` waits until ``num_required`` gradients are in, then
returns their mean (``reduction_type="MEAN"``; a sparse accumulator averages each row by
the gradients that had it) or sum, empties the accumulator and advances its global step.
Waits end with the step (``ctx.wait_until``); every change records its undo in the
step's journal, as the queues' do.
"""

from __future__ import annotations

import itertools
import threading

import numpy as np

from ..errors import InvalidArgumentError
from ..registry import register_kernel
from ..resources import check_resource_names
from ..tf_logging import warning
from .math import shape_text

_resource_ids = itertools.count()


def _divided(total: np.ndarray, count) -> np.ndarray:
    """``total / count`` in ``total``'s dtype (integers truncated toward zero, as C++)."""
    if total.dtype.kind in "iu":
        return (np.sign(total) * (np.abs(total) // count)).astype(total.dtype)
    return (total / count).astype(total.dtype)


class _AccumulatorBase:
    """The state both accumulators share: the global step, the count, the waiters."""

    kind = "ConditionalAccumulator"

    def __init__(self, name, dtype, shape, reduction_type):
        self.name = name
        self.dtype = np.dtype(dtype)
        self.shape = shape  # the declared TensorShape
        self.mean = reduction_type in ("MEAN", b"MEAN")
        self.global_step = 0
        self.count = 0
        self.generation = 0  # bumped by every take: an undo older than a take is void
        self.cond = threading.Condition()

    def set_global_step(self, ctx, step: int) -> None:
        with self.cond:
            if step < self.global_step:
                warning(
                    "Attempt to set current_global_step_ to smaller value: "
                    "current_global_step_ = %d >= %d = new_global_step.",
                    self.global_step,
                    step,
                )
            before, self.global_step = self.global_step, step
        ctx.journal.record(lambda: self._restore_step(before, step))

    def _restore_step(self, before, after) -> None:
        with self.cond:
            if self.global_step == after:
                self.global_step = before

    def _stale(self, local_step: int) -> bool:
        return local_step < self.global_step

    def take(self, ctx, num_required):
        if np.ndim(num_required) != 0 or int(num_required) < 1:
            raise InvalidArgumentError(
                None, None, f"Argument num_required must be positive, but was {num_required}"
            )
        with self.cond:
            ctx.wait_until(self.cond, lambda: self.count >= int(num_required))
            state = self._state()
            result = self._result()
            self._reset()
            self.global_step += 1
            self.generation += 1
            generation = self.generation
            self.cond.notify_all()
        ctx.journal.record(lambda: self._untake(state, generation))
        return result

    def _untake(self, state, generation) -> None:
        with self.cond:
            if self.generation == generation and self.count == 0:
                self._set_state(state)
                self.global_step -= 1
                self.generation -= 1
                self.cond.notify_all()

    def _unapply(self, state, generation) -> None:
        """Take back one applied gradient, if nothing changed the accumulator since."""
        with self.cond:
            if self.generation == generation and self.count == state[0] + 1:
                self._set_state(state)
                self.cond.notify_all()

    def close_resource(self) -> None:
        with self.cond:
            self.cond.notify_all()


class Accumulator(_AccumulatorBase):
    """Dense gradients of one shape, summed."""

    def __init__(self, name, dtype, shape, reduction_type):
        super().__init__(name, dtype, shape, reduction_type)
        self.total: np.ndarray | None = None

    def _state(self):
        return (self.count, self.total)

    def _set_state(self, state) -> None:
        self.count, self.total = state

    def _reset(self) -> None:
        self.count, self.total = 0, None

    def _result(self) -> np.ndarray:
        return _divided(self.total, self.count) if self.mean else self.total.copy()

    def apply(self, ctx, local_step: int, gradient) -> None:
        gradient = np.asarray(gradient, dtype=self.dtype)
        if self.shape is not None and not self.shape.is_compatible_with(gradient.shape):
            raise InvalidArgumentError(
                None,
                None,
                f"Shape mismatch: expected {self.shape}, got {shape_text(gradient.shape)}",
            )
        with self.cond:
            if self._stale(local_step):
                return
            if self.total is not None and self.total.shape != gradient.shape:
                raise InvalidArgumentError(
                    None,
                    None,
                    f"Shape mismatch: expected {shape_text(self.total.shape)}, got "
                    f"{shape_text(gradient.shape)}",
                )
            state = self._state()
            self.total = gradient.copy() if self.total is None else self.total + gradient
            self.count += 1
            generation = self.generation
            self.cond.notify_all()
        ctx.journal.record(lambda: self._unapply(state, generation))


class SparseAccumulator(_AccumulatorBase):
    """``IndexedSlices`` gradients summed row by row; each row counts the gradients that
    had it (for the mean)."""

    kind = "SparseConditionalAccumulator"

    def __init__(self, name, dtype, shape, reduction_type):
        super().__init__(name, dtype, shape, reduction_type)
        self.rows: dict = {}  # index -> [summed values, gradients that had the row]
        self.dense_shape: np.ndarray | None = None

    def _state(self):
        return (self.count, {k: list(v) for k, v in self.rows.items()}, self.dense_shape)

    def _set_state(self, state) -> None:
        self.count, rows, self.dense_shape = state
        self.rows = {k: list(v) for k, v in rows.items()}

    def _reset(self) -> None:
        self.count, self.rows, self.dense_shape = 0, {}, None

    def _check_declared(self, shape, values) -> None:
        """TF's check of a sparse gradient against the declared shape: a known leading
        part of it (a scalar declared shape accepts any)."""
        declared = [] if self.shape is None or self.shape.rank is None else self.shape.as_list()
        given = None if shape is None else shape.tolist()
        value_dims = [None, *values.shape[1:]]
        for what, dims in (("shape", given), ("values", value_dims)):
            if dims is None:
                continue
            if len(declared) > len(dims) or any(
                d is not None and g is not None and d != g for d, g in zip(declared, dims)
            ):
                raise InvalidArgumentError(
                    None,
                    None,
                    f"Shape mismatch: the accumulator's shape is {self.shape}, the gradient's "
                    f"{what} has shape {shape_text(dims)}",
                )

    def _result(self) -> tuple:
        indices = np.array(sorted(self.rows), dtype=np.int64)
        if len(indices):
            values = np.stack(
                [
                    _divided(self.rows[i][0], self.rows[i][1]) if self.mean else self.rows[i][0]
                    for i in indices
                ]
            )
        else:
            values = np.zeros((0,), self.dtype)
        shape = self.dense_shape if self.dense_shape is not None else np.zeros(0, np.int64)
        return indices, values, shape

    def apply(self, ctx, local_step, indices, values, shape, has_known_shape) -> None:
        indices = np.asarray(indices, dtype=np.int64).reshape(-1)
        values = np.asarray(values, dtype=self.dtype)
        if values.ndim == 0 or values.shape[0] != len(indices):
            raise InvalidArgumentError(
                None,
                None,
                f"Shape of indices {shape_text(indices.shape)} does not match the first "
                f"dimension of values {shape_text(values.shape)}",
            )
        shape = np.asarray(shape, dtype=np.int64).reshape(-1) if has_known_shape else None
        self._check_declared(shape, values)
        with self.cond:
            if self._stale(local_step):
                return
            if (
                shape is not None
                and self.dense_shape is not None
                and list(shape) != list(self.dense_shape)
            ):
                raise InvalidArgumentError(
                    None,
                    None,
                    f"Shape mismatch: expected {shape_text(self.dense_shape.tolist())}, got "
                    f"{shape_text(shape.tolist())}",
                )
            state = self._state()
            for index, row in zip(indices.tolist(), values):
                held = self.rows.get(index)
                if held is None:
                    self.rows[index] = [row.copy(), 1]
                else:
                    held[0], held[1] = held[0] + row, held[1] + 1
            if shape is not None:
                self.dense_shape = shape
            self.count += 1
            generation = self.generation
            self.cond.notify_all()
        ctx.journal.record(lambda: self._unapply(state, generation))


# -- kernels --------------------------------------------------------------------------


def _create(ctx, kind, container, shared_name, dtype, shape, reduction_type):
    check_resource_names(container, shared_name)
    key = shared_name or ctx.op.name
    name = shared_name or f"_{next(_resource_ids)}_{ctx.op.name}"
    known = shape if shape.rank is not None else None
    return (
        ctx.resources.get_or_create(
            container, key, lambda: kind(name, dtype.as_numpy_dtype, known, reduction_type)
        ),
    )


@register_kernel("ResourceConditionalAccumulator", context=True)
def conditional_accumulator(ctx, *, dtype, shape, container, shared_name, reduction_type):
    return _create(ctx, Accumulator, container, shared_name, dtype, shape, reduction_type)


@register_kernel("SparseConditionalAccumulator", context=True)
def sparse_conditional_accumulator(ctx, *, dtype, shape, container, shared_name, reduction_type):
    return _create(ctx, SparseAccumulator, container, shared_name, dtype, shape, reduction_type)


@register_kernel("ResourceAccumulatorApplyGradient", context=True)
def accumulator_apply_gradient(ctx, accumulator, local_step, gradient, *, dtype):
    accumulator.apply(ctx, int(local_step), gradient)
    return ()


@register_kernel("SparseAccumulatorApplyGradient", context=True)
def sparse_accumulator_apply_gradient(
    ctx, accumulator, local_step, indices, values, shape, *, dtype, has_known_shape
):
    accumulator.apply(ctx, int(local_step), indices, values, shape, has_known_shape)
    return ()


@register_kernel("ResourceAccumulatorTakeGradient", context=True)
def accumulator_take_gradient(ctx, accumulator, num_required, *, dtype):
    return (accumulator.take(ctx, num_required),)


@register_kernel("SparseAccumulatorTakeGradient", context=True)
def sparse_accumulator_take_gradient(ctx, accumulator, num_required, *, dtype):
    return accumulator.take(ctx, num_required)


def _num_accumulated(accumulator):
    with accumulator.cond:
        return (np.int32(accumulator.count),)


def _set_global_step(ctx, accumulator, new_global_step):
    accumulator.set_global_step(ctx, int(new_global_step))
    return ()


for _op_type in ("ResourceAccumulatorNumAccumulated", "AccumulatorNumAccumulated"):
    register_kernel(_op_type)(_num_accumulated)
for _op_type in ("ResourceAccumulatorSetGlobalStep", "AccumulatorSetGlobalStep"):
    register_kernel(_op_type, context=True)(_set_global_step)
