"""Fractional max and average pooling (Graham, 2014): pools whose windows shrink the
rows and columns by a non-integer ratio (ops ``FractionalMaxPool``/``FractionalAvgPool``
and their gradient ops).

Each op draws its row and column *pooling sequences* (window boundaries, from 0 to the
input size, each step ``floor(ratio)`` or ``ceil(ratio)`` wide) and returns them with
the pooled value; the gradient ops take them back, so a gradient pools exactly the
windows the forward pass did. The sequences are random as TF's are, not TF's own
draws: given the same sequences the outputs and gradients are TF's. Their static shape
is their true length, ``[rows + 1]``, where TF's shape function says ``[rows]``.
"""

from __future__ import annotations

import math

from .. import dtypes
from ..registry import Cost, OpDef, TensorSpec, register_gradient, register_op
from ..shapes import TensorShape
from . import array_ops, random_ops
from .core import apply_op, convert_to_tensor, op_outputs
from .shape_util import with_rank

__all__ = ["fractional_avg_pool", "fractional_max_pool"]

_T = "T: {float32, float64, int32, int64}"
_FORWARD_ATTRS = (
    "pooling_ratio: list(float) >= 4",
    "pseudo_random: bool = false",
    "overlapping: bool = false",
    "deterministic: bool = false",
    "seed: int = 0",
    "seed2: int = 0",
    _T,
)
_OUTPUTS = ("output: T", "row_pooling_sequence: int64", "col_pooling_sequence: int64")


def _pool_shape(value: TensorSpec, *, pooling_ratio, **attrs) -> list:
    dims = with_rank(value.shape, 4).as_list()
    for ratio in pooling_ratio:
        if ratio < 1:
            raise ValueError(f"pooling_ratio cannot be smaller than 1, got: {ratio}")
    out = [None if d is None else math.floor(d / r) for d, r in zip(dims, pooling_ratio)]
    rows, cols = (None if n is None else n + 1 for n in out[1:3])
    return [
        TensorSpec(value.dtype, TensorShape(out)),
        TensorSpec(dtypes.int64, TensorShape([rows])),
        TensorSpec(dtypes.int64, TensorShape([cols])),
    ]


def _max_grad_shape(orig_input, orig_output, out_backprop, rows, cols, **attrs) -> list:
    return [TensorSpec(orig_input.dtype, with_rank(orig_input.shape, 4))]


def _avg_grad_shape(orig_input_tensor_shape, out_backprop, rows, cols, **attrs) -> list:
    with_rank(orig_input_tensor_shape.shape, 1)
    return [TensorSpec(out_backprop.dtype, TensorShape([None] * 4))]


FRACTIONAL_MAX_POOL = register_op(
    OpDef(
        "FractionalMaxPool",
        ("value: T",),
        _OUTPUTS,
        _FORWARD_ATTRS,
        shape_fn=_pool_shape,
        cost=Cost.EXPENSIVE,
    )
)
FRACTIONAL_AVG_POOL = register_op(
    OpDef(
        "FractionalAvgPool",
        ("value: T",),
        _OUTPUTS,
        _FORWARD_ATTRS,
        shape_fn=_pool_shape,
        cost=Cost.EXPENSIVE,
    )
)
_SEQUENCES = ("row_pooling_sequence: int64", "col_pooling_sequence: int64")
FRACTIONAL_MAX_POOL_GRAD = register_op(
    OpDef(
        "FractionalMaxPoolGrad",
        ("orig_input: T", "orig_output: T", "out_backprop: T", *_SEQUENCES),
        ("output: T",),
        ("overlapping: bool = false", _T),
        shape_fn=_max_grad_shape,
        cost=Cost.EXPENSIVE,
    )
)
FRACTIONAL_AVG_POOL_GRAD = register_op(
    OpDef(
        "FractionalAvgPoolGrad",
        ("orig_input_tensor_shape: int64", "out_backprop: T", *_SEQUENCES),
        ("output: T",),
        ("overlapping: bool = false", _T),
        shape_fn=_avg_grad_shape,
        cost=Cost.EXPENSIVE,
    )
)


@register_gradient("FractionalMaxPool")
def _fractional_max_pool_grad(op, grad, _rows_grad, _cols_grad):
    inputs = [op.inputs[0], op.outputs[0], grad, op.outputs[1], op.outputs[2]]
    overlapping = op.get_attr("overlapping")
    return [
        apply_op(
            FRACTIONAL_MAX_POOL_GRAD, inputs, "FractionalMaxPoolGrad", overlapping=overlapping
        ).outputs[0]
    ]


@register_gradient("FractionalAvgPool")
def _fractional_avg_pool_grad(op, grad, _rows_grad, _cols_grad):
    shape = array_ops.shape(op.inputs[0], out_type=dtypes.int64)
    inputs = [shape, grad, op.outputs[1], op.outputs[2]]
    overlapping = op.get_attr("overlapping")
    return [
        apply_op(
            FRACTIONAL_AVG_POOL_GRAD, inputs, "FractionalAvgPoolGrad", overlapping=overlapping
        ).outputs[0]
    ]


# -- builders -----------------------------------------------------------------------------


def _pool_v1(
    op_def, value, pooling_ratio, pseudo_random, overlapping, deterministic, seed, seed2, name
) -> tuple:
    """TF's namedtuple, e.g. ``FractionalMaxPool(output, row_pooling_sequence,
    col_pooling_sequence)``."""
    op = apply_op(
        op_def,
        [convert_to_tensor(value, name="value")],
        name or op_def.name,
        pooling_ratio=[float(r) for r in pooling_ratio],
        pseudo_random=pseudo_random,
        overlapping=overlapping,
        deterministic=deterministic,
        seed=seed,
        seed2=seed2,
    )
    return op_outputs(op)


def _ratio_list(pooling_ratio) -> list:
    """TF2's ``pooling_ratio``: a number for both spatial axes, or a list of 2 or 4."""
    if isinstance(pooling_ratio, (list, tuple)):
        if len(pooling_ratio) == 4 and (pooling_ratio[0] != 1.0 or pooling_ratio[-1] != 1.0):
            raise ValueError(
                "`pooling_ratio` should have first and last elements with value 1.0. "
                f"Received: pooling_ratio={pooling_ratio}"
            )
        if any(ratio < 1.0 for ratio in pooling_ratio):
            raise ValueError(
                f"`pooling_ratio` elements should be >= 1.0. Received: pooling_ratio={pooling_ratio}"
            )
        ratios = list(pooling_ratio)
    elif isinstance(pooling_ratio, (int, float)):
        if pooling_ratio < 1.0:
            raise ValueError(
                f"`pooling_ratio` should be >= 1.0. Received: pooling_ratio={pooling_ratio}"
            )
        ratios = [pooling_ratio] * 2
    else:
        raise ValueError(
            f"`pooling_ratio` should be an int or a list of ints. Received: "
            f"pooling_ratio={pooling_ratio}"
        )
    if len(ratios) == 2:
        return [1.0, *ratios, 1.0]
    if len(ratios) != 4:
        raise ValueError(f"pooling_ratio should be of length 1, 2 or 4 but was {len(ratios)}")
    return ratios


def _pool_v2(op_def, value, pooling_ratio, pseudo_random, overlapping, seed, name) -> tuple:
    ratios = _ratio_list(pooling_ratio)
    if seed == 0:
        return _pool_v1(op_def, value, ratios, pseudo_random, overlapping, False, 0, 0, name)
    seed1, seed2 = random_ops.get_seed(seed)
    return _pool_v1(op_def, value, ratios, pseudo_random, overlapping, True, seed1, seed2, name)


def fractional_max_pool_v1(
    value,
    pooling_ratio,
    pseudo_random=False,
    overlapping=False,
    deterministic=False,
    seed=0,
    seed2=0,
    name=None,
) -> tuple:
    """TF1's fractional max pool (op ``FractionalMaxPool``).

    Parameters
    ----------
    value : Tensor ``[batch, height, width, channels]``
    pooling_ratio : list of 4 floats
        ``[1.0, rows, cols, 1.0]``: the output has ``floor(height / rows)`` rows ...
    pseudo_random : bool
        Pseudo-random pooling sequences instead of random ones.
    overlapping : bool
        Adjacent windows share their boundary cell.
    deterministic, seed, seed2
        The same sequences at every run (``seed``/``seed2`` need ``deterministic``).

    Returns
    -------
    FractionalMaxPool
        TF's namedtuple ``(output, row_pooling_sequence, col_pooling_sequence)``.

    Examples
    --------
    >>> import runtime as tf, numpy as np
    >>> x = np.arange(16.0).reshape(1, 4, 4, 1)
    >>> with tf.Graph().as_default():
    ...     out, rows, cols = tf.nn.fractional_max_pool(x, [1.0, 2.0, 2.0, 1.0])
    ...     tf.compat.v1.Session().run([out[0, :, :, 0], rows])
    [array([[ 5.,  7.],
           [13., 15.]]), array([0, 2, 4])]
    """
    return _pool_v1(
        FRACTIONAL_MAX_POOL,
        value,
        pooling_ratio,
        pseudo_random,
        overlapping,
        deterministic,
        seed,
        seed2,
        name,
    )


def fractional_avg_pool_v1(
    value,
    pooling_ratio,
    pseudo_random=False,
    overlapping=False,
    deterministic=False,
    seed=0,
    seed2=0,
    name=None,
) -> tuple:
    """TF1's fractional average pool (op ``FractionalAvgPool``); see
    :func:`fractional_max_pool_v1`. Integer averages truncate toward zero, as TF's.

    Examples
    --------
    >>> import runtime as tf, numpy as np
    >>> x = np.arange(16.0).reshape(1, 4, 4, 1)
    >>> with tf.Graph().as_default():
    ...     out, _, _ = tf.nn.fractional_avg_pool(x, [1.0, 2.0, 2.0, 1.0])
    ...     tf.compat.v1.Session().run(out[0, :, :, 0])
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    return _pool_v1(
        FRACTIONAL_AVG_POOL,
        value,
        pooling_ratio,
        pseudo_random,
        overlapping,
        deterministic,
        seed,
        seed2,
        name,
    )


def fractional_max_pool(
    value, pooling_ratio, pseudo_random=False, overlapping=False, seed=0, name=None
) -> tuple:
    """TF2's fractional max pool: ``pooling_ratio`` may be one number or two, and a
    nonzero ``seed`` makes the sequences deterministic.

    Examples
    --------
    >>> import runtime as tf, numpy as np
    >>> x = np.arange(16.0).reshape(1, 4, 4, 1)
    >>> with tf.Graph().as_default():
    ...     out, _, _ = tf.compat.v2.nn.fractional_max_pool(x, 2.0, seed=1)
    ...     tf.compat.v1.Session().run(out[0, :, :, 0])
    array([[ 5.,  7.],
           [13., 15.]])
    """
    return _pool_v2(
        FRACTIONAL_MAX_POOL, value, pooling_ratio, pseudo_random, overlapping, seed, name
    )


def fractional_avg_pool(
    value, pooling_ratio, pseudo_random=False, overlapping=False, seed=0, name=None
) -> tuple:
    """TF2's fractional average pool (see :func:`fractional_max_pool`).

    Examples
    --------
    >>> import runtime as tf, numpy as np
    >>> x = np.arange(16.0).reshape(1, 4, 4, 1)
    >>> with tf.Graph().as_default():
    ...     out, _, _ = tf.compat.v2.nn.fractional_avg_pool(x, [2.0, 2.0])
    ...     tf.compat.v1.Session().run(out[0, :, :, 0])
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    return _pool_v2(
        FRACTIONAL_AVG_POOL, value, pooling_ratio, pseudo_random, overlapping, seed, name
    )


V1_OVERRIDES = {
    "fractional_avg_pool": fractional_avg_pool_v1,
    "fractional_max_pool": fractional_max_pool_v1,
}
