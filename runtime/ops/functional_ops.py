"""Calling a function body as one op: ``PartitionedCall`` and ``StatefulPartitionedCall``.

TF 2.x writes every ``tf.function`` called from a graph as one of these ops, its body a
``FunctionDef`` of the ``GraphDef``'s library; :func:`runtime.importer.import_graph_def`
rebuilds that body as a :class:`runtime.functional.FuncGraph`, and the kernel runs it
inside the caller's step, as ``If`` and ``While`` run theirs.
"""

from __future__ import annotations

from ..functional import FuncGraph, call_function
from ..registry import Cost, OpDef, TensorSpec, register_kernel, register_op
from .core import apply_op, convert_to_tensor

__all__ = ["partitioned_call"]

_CALL_ATTRS = (
    "Tin: list(type) >= 0",
    "Tout: list(type) >= 0",
    "f: func",
    "config: string = ''",
    "config_proto: string = ''",
    "executor_type: string = ''",
)


def _call_shape(*args, Tin, Tout, f, config, config_proto, executor_type):
    given = [spec.dtype.base_dtype for spec in args]
    if given != list(Tin) or len(args) != len(f.inputs):
        raise TypeError(
            f"Function '{f.name}' takes {[t.dtype.name for t in f.inputs]}; Tin is "
            f"{[t.name for t in Tin]} and the inputs are {[t.name for t in given]}."
        )
    returned = [t.dtype.base_dtype for t in f.outputs]
    if returned != list(Tout):
        raise TypeError(
            f"Function '{f.name}' returns {[t.name for t in returned]}, but Tout is "
            f"{[t.name for t in Tout]}."
        )
    return [TensorSpec(t.dtype.base_dtype, t.shape) for t in f.outputs]


def _call_op(op_type: str, stateful: bool) -> OpDef:
    op_def = OpDef(
        op_type,
        ("args: Tin",),
        ("output: Tout",),
        _CALL_ATTRS,
        _call_shape,
        stateful,
        Cost.EXPENSIVE,
    )
    return register_op(op_def)


PARTITIONED_CALL = _call_op("PartitionedCall", stateful=False)
STATEFUL_PARTITIONED_CALL = _call_op("StatefulPartitionedCall", stateful=True)


@register_kernel("PartitionedCall", context=True)
@register_kernel("StatefulPartitionedCall", context=True)
def _partitioned_call(ctx, *args, Tin, Tout, f, config, config_proto, executor_type):
    return tuple(call_function(ctx, f, args))


def partitioned_call(args, f: FuncGraph, name=None):
    """Call the function body ``f`` on ``args``; returns its outputs (the op when none).

    The op is ``StatefulPartitionedCall`` when ``f`` holds a stateful op.

    Examples
    --------
    >>> import runtime as tf
    >>> from runtime.functional import set_outputs, trace_function
    >>> with tf.Graph().as_default() as g:
    ...     body = trace_function("double", g, lambda x: x * 2.0, [(tf.float32, None)])
    ...     _ = set_outputs(body, body.structured_outputs, tf.convert_to_tensor)
    ...     _ = body.seal([])
    ...     [y] = partitioned_call([tf.constant(3.0)], body)
    ...     print(y.op.type, tf.compat.v1.Session().run(y))
    PartitionedCall 6.0
    """
    tensors = [convert_to_tensor(value) for value in args]
    op = apply_op(
        STATEFUL_PARTITIONED_CALL if f.is_stateful() else PARTITIONED_CALL,
        [tensors],
        name or "PartitionedCall",
        Tin=[t.dtype.base_dtype for t in tensors],
        Tout=[t.dtype.base_dtype for t in f.outputs],
        f=f,
    )
    return op.outputs if op.outputs else op
