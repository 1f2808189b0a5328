"""``tf.hessians``: second derivatives of a sum of ``ys`` by each tensor of ``xs``.

As TF builds them: the gradient, flattened, then a ``while_loop`` over its elements
writing each one's gradient into a ``TensorArray``, so shapes known only when the graph
runs work too.

Examples
--------
>>> import runtime as tf
>>> with tf.Graph().as_default():
...     x = tf.constant([1.0, 2.0])
...     (h,) = hessians(tf.reduce_sum(x * x * x), x)
...     tf.Session().run(h).tolist()
[[6.0, 0.0], [0.0, 12.0]]
"""

from __future__ import annotations

from .gradients import gradients
from .ops.array_ops import concat, reshape, shape, size
from .ops.control_flow_ops import while_loop
from .ops.core import constant
from .ops.tensor_array_ops import TensorArray
from .scopes import name_scope

__all__ = ["hessians", "hessians_v2"]


def hessians(ys, xs, name="hessians", colocate_gradients_with_ops=False, gate_gradients=False,
             aggregation_method=None) -> list:  # fmt: skip
    """For each ``x`` of ``xs``, the Hessian of ``sum(ys)``: shape ``x.shape + x.shape``."""
    xs = list(xs) if isinstance(xs, list | tuple) else [xs]
    options = {"gate_gradients": gate_gradients, "aggregation_method": aggregation_method}
    with name_scope(name):
        return [_hessian(g, x, options) for g, x in zip(gradients(ys, xs, **options), xs)]


def _hessian(gradient, x, options: dict):
    """The rows of ``x``'s Hessian, one gradient per element of ``gradient``, in a loop."""
    flat = reshape(gradient, [-1])
    count = size(x)

    def row(j, rows):
        (grad,) = gradients(flat[j], x, **options)
        return j + 1, rows.write(j, grad)

    loop = [constant(0), TensorArray(x.dtype.base_dtype, count)]
    _, rows = while_loop(lambda j, _: j < count, row, loop)
    x_shape = shape(x)
    return reshape(rows.stack(), concat([x_shape, x_shape], 0))


def hessians_v2(ys, xs, gate_gradients=False, aggregation_method=None, name="hessians") -> list:
    """TF2's ``tf.hessians``: TF1's, with the arguments in TF2's order."""
    return hessians(ys, xs, name, gate_gradients=gate_gradients,
                    aggregation_method=aggregation_method)  # fmt: skip
