"""Kernels of TF1 reference variables: ``VariableV2``, ``Assign*``, ``IsVariableInitialized``.

A ``VariableV2`` op outputs a :class:`VariableRef`, the session-owned reference
object (TF1's ``float32_ref``). Ops whose OpDef input is marked ``"&"`` receive the
reference itself; every other consumer gets ``ref.read()`` from the executor.

Invariants that keep variables safe to share:

- a stored value is never written in place: each update stores a new array, so a
  reader holding the old one sees a consistent snapshot;
- stored arrays are read-only, and ``Assign`` copies its input, so a user mutating a
  fed or fetched array never changes a variable;
- every update records its undo in the step's journal, so a failed step leaves
  variables as they were.
"""

from __future__ import annotations

import threading

import numpy as np

from ..errors import FailedPreconditionError, InvalidArgumentError
from ..registry import register_kernel
from ..resources import check_resource_names
from .math import shape_text


class VariableRef:
    """The state of one variable in one session.

    Examples
    --------
    >>> ref = VariableRef("v", np.float32, None)
    >>> ref.read()
    Traceback (most recent call last):
    ...
    runtime.errors.FailedPreconditionError: Attempting to use uninitialized value v
    >>> _ = ref.store(np.ones(2, np.float32), journal=None)
    >>> ref.read()
    array([1., 1.], dtype=float32)
    """

    __slots__ = ("dtype", "lock", "name", "shape", "value")

    def __init__(self, name: str, dtype, shape):
        self.name = name
        self.dtype = np.dtype(dtype)
        self.shape = shape  # the declared TensorShape (or None): what Assign validates
        self.value: np.ndarray | None = None
        self.lock = threading.Lock()  # serialises read-modify-write updates

    @property
    def initialized(self) -> bool:
        return self.value is not None

    def read(self) -> np.ndarray:
        """The current value; ``FailedPreconditionError`` naming the variable if unset."""
        value = self.value
        if value is None:
            raise FailedPreconditionError(
                None, None, f"Attempting to use uninitialized value {self.name}"
            )
        return value

    def store(self, value: np.ndarray, journal, compensate=None) -> np.ndarray:
        """Make ``value`` (a fresh array this variable now owns) the current value.

        The undo restores the previous value unless another step has replaced it since;
        then ``compensate(current)`` (if given) takes this update back out of the newer
        value, so concurrent additive updates roll back exactly (``AssignAdd``).
        """
        value.flags.writeable = False
        old, self.value = self.value, value
        if journal is not None:
            journal.record(lambda: self._undo(value, old, compensate))
        return value

    def _undo(self, new, old, compensate) -> None:
        with self.lock:
            if self.value is new:
                self.value = old
            elif compensate is not None and self.value is not None:
                undone = np.asarray(compensate(self.value), dtype=self.dtype)
                undone.flags.writeable = False
                self.value = undone


def owned_copy(value, dtype) -> np.ndarray:
    """A fresh, contiguous copy of ``value`` as ``dtype``, safe to store."""
    return np.array(value, dtype=dtype, copy=True)


def session_variable(ctx, container, shared_name, dtype, shape) -> VariableRef:
    """The session's variable ``shared_name`` (default: the op's name), made on first use.

    Only a fully defined ``shape`` is kept: it is what ``Assign`` validates against.
    """
    name = shared_name or ctx.op.name
    dims = shape if shape is not None and shape.is_fully_defined() else None
    return ctx.resources.get_or_create(
        container, name, lambda: VariableRef(name, dtype.as_numpy_dtype, dims)
    )


@register_kernel("VariableV2", context=True)
def variable_v2(ctx, *, shape, dtype, container, shared_name):
    check_resource_names(container, shared_name)  # TF's VarHandleOp does not check them
    return (session_variable(ctx, container, shared_name, dtype, shape),)


@register_kernel("Assign", context=True)
def assign(ctx, ref, value, *, T, validate_shape, use_locking):
    value = np.asarray(value)
    if validate_shape and ref.shape is not None and tuple(ref.shape.as_tuple()) != value.shape:
        raise InvalidArgumentError(
            None,
            None,
            "Assign requires shapes of both tensors to match. lhs shape= "
            f"{shape_text(ref.shape.as_tuple())} rhs shape= {shape_text(value.shape)}",
        )
    with ref.lock:
        ref.store(owned_copy(value, ref.dtype), ctx.journal)
    return (ref,)


def update_variable(ctx, ref, value, combine, op_type: str, inverse=None):
    """``ref = combine(ref, value)`` under the variable's lock, journaled (AssignAdd & co).

    ``inverse(ref, value)`` undoes the update on a value other steps changed since.
    """
    with ref.lock:
        current = ref.read()
        value = np.asarray(value)
        if value.shape != current.shape:
            raise InvalidArgumentError(
                None,
                None,
                f"{op_type} requires shapes of both tensors to match. lhs shape= "
                f"{shape_text(current.shape)} rhs shape= {shape_text(value.shape)}",
            )
        compensate = None if inverse is None else (lambda now: inverse(now, value))
        ref.store(np.asarray(combine(current, value), dtype=ref.dtype), ctx.journal, compensate)
    return (ref,)


@register_kernel("AssignAdd", context=True)
def assign_add(ctx, ref, value, *, T, use_locking):
    return update_variable(ctx, ref, value, np.add, "AssignAdd", np.subtract)


@register_kernel("AssignSub", context=True)
def assign_sub(ctx, ref, value, *, T, use_locking):
    return update_variable(ctx, ref, value, np.subtract, "AssignSub", np.add)


@register_kernel("IsVariableInitialized")
def is_variable_initialized(ref, *, dtype):
    return (np.asarray(ref.initialized),)
