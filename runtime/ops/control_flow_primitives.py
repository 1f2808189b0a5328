"""TF1's dataflow control-flow ops: ``Switch``, ``Merge``, ``Enter``, ``Exit``,
``NextIteration``, ``LoopCond``, ``ControlTrigger`` and their ``Ref`` forms.

These are the ops ``tf.cond`` and ``tf.while_loop`` build in TF 1.x graphs (and that
frozen TF1 GraphDefs contain). What they *mean* lives in the execution state
(:mod:`runtime.execution`): a ``Switch`` makes one output dead, a ``Merge`` forwards its
first live input, ``Enter``/``Exit`` move values into and out of a loop's frame and
``NextIteration`` on to the next iteration. Their kernels only pass values on.

Builders here are TF's low-level ones (``tf.compat.v1.switch`` ...); ``tf.cond`` and
``tf.while_loop`` are in :mod:`runtime.ops.cond_v1` and :mod:`runtime.ops.while_v1`.
"""

from __future__ import annotations

from .. import dtypes
from ..graph import Operation, Tensor
from ..registry import OpDef, TensorSpec, register_op
from ..shapes import TensorShape
from .core import apply_op, convert_to_tensor

__all__ = ["switch", "merge", "ref_switch", "ref_merge"]


def _same(data: TensorSpec, **_attrs) -> list[TensorSpec]:
    return [data]


def _as_ref(spec: TensorSpec) -> TensorSpec:
    return TensorSpec(spec.dtype._as_ref, spec.shape)


def _same_ref(data: TensorSpec, **_attrs) -> list[TensorSpec]:
    return [_as_ref(data)]


def _switch_shape(data: TensorSpec, pred: TensorSpec, **_attrs) -> list[TensorSpec]:
    if pred.shape.rank not in (None, 0):
        raise ValueError(f"Shape must be rank 0 but is rank {pred.shape.rank}")
    return [data, data]


def _ref_switch_shape(data: TensorSpec, pred: TensorSpec, **attrs) -> list[TensorSpec]:
    return [_as_ref(spec) for spec in _switch_shape(data, pred, **attrs)]


def _merge_shape(*inputs: TensorSpec, **_attrs) -> list[TensorSpec]:
    shape = inputs[0].shape
    for other in inputs[1:]:
        shape = _most_specific_compatible(shape, other.shape)
    return [TensorSpec(inputs[0].dtype, shape), TensorSpec(dtypes.int32, TensorShape([]))]


def _ref_merge_shape(*inputs: TensorSpec, **attrs) -> list[TensorSpec]:
    output, index = _merge_shape(*inputs, **attrs)
    return [_as_ref(output), index]


def _most_specific_compatible(a: TensorShape, b: TensorShape) -> TensorShape:
    """TF's Merge shape: the dims both agree on, unknown elsewhere (unknown rank when
    the ranks differ)."""
    if a.rank is None or b.rank is None or a.rank != b.rank:
        return TensorShape(None)
    return TensorShape([x if x == y else None for x, y in zip(a.as_list(), b.as_list())])


def _loop_cond_shape(input: TensorSpec) -> list[TensorSpec]:
    if input.shape.rank not in (None, 0):
        raise ValueError(f"Shape must be rank 0 but is rank {input.shape.rank}")
    return [input]


def _register(name: str, inputs, outputs, attrs, shape_fn) -> OpDef:
    return register_op(OpDef(name, inputs, outputs, attrs=attrs, shape_fn=shape_fn))


SWITCH = _register(
    "Switch",
    ("data: T", "pred: bool"),
    ("output_false: T", "output_true: T"),
    ("T: type",),
    _switch_shape,
)
REF_SWITCH = _register(
    "RefSwitch",
    ("data: Ref(T)", "pred: bool"),
    ("output_false: Ref(T)", "output_true: Ref(T)"),
    ("T: type",),
    _ref_switch_shape,
)
_MERGE_ATTRS = ("T: type", "N: int >= 1")
MERGE = _register(
    "Merge", ("inputs: N * T",), ("output: T", "value_index: int32"), _MERGE_ATTRS, _merge_shape
)
REF_MERGE = _register(
    "RefMerge",
    ("inputs: Ref(N * T)",),
    ("output: Ref(T)", "value_index: int32"),
    _MERGE_ATTRS,
    _ref_merge_shape,
)
_ENTER_ATTRS = (
    "T: type",
    "frame_name: string",
    "is_constant: bool = false",
    "parallel_iterations: int = 10",
)
ENTER = _register("Enter", ("data: T",), ("output: T",), _ENTER_ATTRS, _same)
REF_ENTER = _register("RefEnter", ("data: Ref(T)",), ("output: Ref(T)",), _ENTER_ATTRS, _same_ref)
EXIT = _register("Exit", ("data: T",), ("output: T",), ("T: type",), _same)
REF_EXIT = _register("RefExit", ("data: Ref(T)",), ("output: Ref(T)",), ("T: type",), _same_ref)
NEXT_ITERATION = _register("NextIteration", ("data: T",), ("output: T",), ("T: type",), _same)
REF_NEXT_ITERATION = _register(
    "RefNextIteration", ("data: Ref(T)",), ("output: Ref(T)",), ("T: type",), _same_ref
)
LOOP_COND = _register("LoopCond", ("input: bool",), ("output: bool",), (), _loop_cond_shape)
CONTROL_TRIGGER = _register("ControlTrigger", (), (), (), lambda: [])


def _ref_or_value(op_def: OpDef, ref_def: OpDef, data: Tensor) -> OpDef:
    return ref_def if data.dtype.is_ref_dtype else op_def


def switch(data, pred, dtype=None, name=None):
    """Forward ``data`` to the output ``pred`` selects; the other output is dead.

    Returns ``(output_false, output_true)``: ops reading the untaken one do not run.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     f, t = switch(tf.constant(3.0), tf.constant(True))
    ...     with tf.compat.v1.Session() as sess:
    ...         print(sess.run(t))
    3.0
    """
    data = convert_to_tensor(data, dtype=dtype, name="data")
    pred = convert_to_tensor(pred, name="pred")  # the OpDef checks it is a bool
    op_def = _ref_or_value(SWITCH, REF_SWITCH, data)
    op = apply_op(op_def, [data, pred], name or "Switch")
    return op.outputs[0], op.outputs[1]


def ref_switch(data, pred, name=None):
    """:func:`switch` of a reference (a TF1 variable), keeping it a reference."""
    return switch(data, pred, name=name or "RefSwitch")


def merge(inputs, name=None):
    """Forward the first of ``inputs`` that is live; returns ``(output, value_index)``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     f, t = switch(tf.constant(3.0), tf.constant(False))
    ...     out, index = merge([f + 1.0, t * 10.0])
    ...     with tf.compat.v1.Session() as sess:
    ...         print(*sess.run([out, index]))
    4.0 0
    """
    if not inputs:
        raise ValueError("merge needs at least one input.")
    tensors = [convert_to_tensor(value) for value in inputs]
    op_def = REF_MERGE if all(t.dtype.is_ref_dtype for t in tensors) else MERGE
    op = apply_op(op_def, [tensors], name or "Merge", T=tensors[0].dtype.base_dtype, N=len(tensors))
    return op.outputs[0], op.outputs[1]


def ref_merge(inputs, name=None):
    """:func:`merge` of references."""
    return merge(inputs, name=name or "RefMerge")


def enter(
    data, frame_name, is_constant=False, parallel_iterations=10, use_ref=True, name=None, shape=None
):
    """Make ``data`` available in the loop frame ``frame_name`` (every iteration when
    ``is_constant``, else iteration 0). ``shape`` gives a loop variable's shape
    invariant, which may be less specific than ``data``'s shape."""
    data = convert_to_tensor(data, name="data")
    op_def = REF_ENTER if data.dtype.is_ref_dtype and use_ref else ENTER
    if op_def is ENTER and data.dtype.is_ref_dtype:
        from .array_ops import identity

        data = identity(data)
    op = apply_op(
        op_def,
        [data],
        name or "Enter",
        frame_name=frame_name,
        is_constant=bool(is_constant),
        parallel_iterations=int(parallel_iterations),
    )
    if shape is not None:
        op.outputs[0]._shape = shape  # the loop variable may change shape within it
    return op.outputs[0]


def exit(data, name=None):
    """Pass ``data`` from a loop's frame to its parent frame (when live)."""
    data = convert_to_tensor(data, name="data")
    op_def = REF_EXIT if data.dtype.is_ref_dtype else EXIT
    return apply_op(op_def, [data], name or "Exit").outputs[0]


def next_iteration(data, name=None):
    """Pass ``data`` on to the next iteration of its loop."""
    data = convert_to_tensor(data, name="data")
    op_def = REF_NEXT_ITERATION if data.dtype.is_ref_dtype else NEXT_ITERATION
    return apply_op(op_def, [data], name or "NextIteration").outputs[0]


def loop_cond(pred, name=None):
    """Mark ``pred`` as a loop's condition (the value its ``Switch``es test)."""
    pred = convert_to_tensor(pred, dtype=dtypes.bool, name="input")
    return apply_op(LOOP_COND, [pred], name or "LoopCond").outputs[0]


def control_trigger(name=None) -> Operation:
    """An op that is never dead: a control input that fires on either side of a cond."""
    return apply_op(CONTROL_TRIGGER, [], name or "ControlTrigger")
