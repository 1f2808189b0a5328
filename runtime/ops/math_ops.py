"""Math ops: elementwise arithmetic with broadcasting, and matrix products."""

from __future__ import annotations

from ..graph import Tensor, graph_of
from ..registry import REQUIRED, OpDef, TensorSpec, register_op
from ..shapes import TensorShape
from .core import apply_op, broadcasting, convert_to_tensor, unchanged

__all__ = ["add", "divide", "matmul", "multiply", "negative", "subtract", "truediv"]


def _binary(op_type: str) -> OpDef:
    return register_op(
        OpDef(op_type, ("x", "y"), ("z",), attrs={"T": REQUIRED}, shape_fn=broadcasting(op_type))
    )


ADD = _binary("AddV2")
SUB = _binary("Sub")
MUL = _binary("Mul")
REAL_DIV = _binary("RealDiv")
NEG = register_op(OpDef("Neg", ("x",), ("y",), attrs={"T": REQUIRED}, shape_fn=unchanged))


def binary_operands(x, y, graph=None) -> tuple[Tensor, Tensor]:
    """Convert both operands, giving a Python value the dtype of the tensor beside it.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a, b = binary_operands(tf.constant(1.5), 2)
    >>> b.dtype
    tf.float32
    """
    graph = graph if graph is not None else graph_of([x, y])
    if isinstance(x, Tensor) or not isinstance(y, Tensor):
        x = convert_to_tensor(x, graph=graph, name="x")
        y = convert_to_tensor(y, dtype_hint=x.dtype.base_dtype, graph=graph, name="y")
    else:
        y = convert_to_tensor(y, graph=graph, name="y")
        x = convert_to_tensor(x, dtype_hint=y.dtype.base_dtype, graph=graph, name="x")
    return x, y


def _apply_binary(op_def: OpDef, x, y, name) -> Tensor:
    if isinstance(x, Tensor) and isinstance(y, Tensor):
        return apply_op(op_def, [x, y], name, T=x.dtype.base_dtype).outputs[0]
    graph = graph_of([x, y])
    # Python operands become Consts inside the op's scope ("mul/y"), as in TF.
    with graph.name_scope(name) as scope:
        x, y = binary_operands(x, y, graph)
    return apply_op(op_def, [x, y], scope, T=x.dtype.base_dtype).outputs[0]


def add(x, y, name=None) -> Tensor:
    """``x + y`` elementwise, with broadcasting (op type ``AddV2``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     z = add(tf.constant([1.0, 2.0]), 1.0)
    >>> z.op.type, z.op.name, z.shape
    ('AddV2', 'Add', TensorShape([2]))
    """
    return _apply_binary(ADD, x, y, name or "Add")


def subtract(x, y, name=None) -> Tensor:
    """``x - y`` elementwise, with broadcasting (op type ``Sub``)."""
    return _apply_binary(SUB, x, y, name or "Sub")


def multiply(x, y, name=None) -> Tensor:
    """``x * y`` elementwise, with broadcasting (op type ``Mul``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     z = tf.constant(5.0) * tf.constant(6.0)
    >>> z.op.name, z.op.type
    ('mul', 'Mul')
    """
    return _apply_binary(MUL, x, y, name or "Mul")


def truediv(x, y, name=None) -> Tensor:
    """``x / y`` elementwise, with broadcasting (op type ``RealDiv``)."""
    return _apply_binary(REAL_DIV, x, y, name or "truediv")


def divide(x, y, name=None) -> Tensor:
    """``x / y`` elementwise (TF's ``tf.divide``)."""
    return _apply_binary(REAL_DIV, x, y, name or "truediv")


def negative(x, name=None) -> Tensor:
    """``-x`` elementwise (op type ``Neg``)."""
    x = convert_to_tensor(x)
    return apply_op(NEG, [x], name or "Neg", T=x.dtype.base_dtype).outputs[0]


def _matmul_shape(a: TensorSpec, b: TensorSpec, *, T, transpose_a, transpose_b):
    if a.dtype != b.dtype:
        raise TypeError(
            f"Input dtypes of MatMul must match, but got {a.dtype.name} and {b.dtype.name}"
        )
    a_shape, b_shape = a.shape.with_rank(2), b.shape.with_rank(2)
    rows, inner_a = reversed(a_shape.as_tuple()) if transpose_a else a_shape.as_tuple()
    inner_b, cols = reversed(b_shape.as_tuple()) if transpose_b else b_shape.as_tuple()
    if inner_a is not None and inner_b is not None and inner_a != inner_b:
        raise ValueError(f"Dimensions must be equal, but are {inner_a} and {inner_b}")
    return [TensorSpec(a.dtype, TensorShape([rows, cols]))]


MATMUL = register_op(
    OpDef(
        "MatMul",
        ("a", "b"),
        ("product",),
        attrs={"T": REQUIRED, "transpose_a": False, "transpose_b": False},
        shape_fn=_matmul_shape,
        cost="expensive",
    )
)


def matmul(a, b, transpose_a=False, transpose_b=False, name=None) -> Tensor:
    """The matrix product of ``a`` and ``b`` (op type ``MatMul``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     p = matmul(tf.constant(0.0, shape=[2, 3]), tf.constant(0.0, shape=[4, 3]), transpose_b=True)
    >>> p.shape
    TensorShape([2, 4])
    """
    a, b = binary_operands(a, b)
    return apply_op(
        MATMUL,
        [a, b],
        name or "MatMul",
        T=a.dtype.base_dtype,
        transpose_a=bool(transpose_a),
        transpose_b=bool(transpose_b),
    ).outputs[0]
