"""TF1 control-flow programs run both by real TensorFlow (the fixture generator) and by
the runtime (the tests): each builds a graph with ``tf`` = ``tensorflow.compat.v1`` or
``runtime.compat.v1`` and returns ``(fetches, feeds)``.

Values and gradients the generator records are in
``tests/fixtures/tf_control_flow/expected.npz``.
"""

from __future__ import annotations

import numpy as np

X = np.array([0.5, -1.25, 2.0], dtype=np.float32)


def nested_loops(tf):
    x = tf.placeholder(tf.float32, [3], name="x")

    def outer(i, acc):
        _, inner = tf.while_loop(
            lambda j, a: j < i, lambda j, a: (j + 1, a * 0.5 + tf.sin(x)), [0, acc]
        )
        return i + 1, inner

    _, out = tf.while_loop(lambda i, a: i < 4, outer, [0, x])
    (grad,) = tf.gradients(tf.reduce_sum(out * out), [x])
    return [out, grad], {x: X}


def cond_in_loop(tf):
    x = tf.placeholder(tf.float32, [3], name="x")

    def body(i, s):
        odd = tf.equal(tf.math.floormod(i, 2), 1)
        return i + 1, tf.cond(odd, lambda: s * x, lambda: s + tf.exp(x))

    _, out = tf.while_loop(lambda i, s: i < 5, body, [0, x])
    (grad,) = tf.gradients(tf.reduce_sum(out), [x])
    return [out, grad], {x: X}


def loop_in_cond(tf):
    x = tf.placeholder(tf.float32, [3], name="x")
    p = tf.placeholder(tf.bool, [], name="p")

    def looped():
        return tf.while_loop(lambda k, v: k < 3, lambda k, v: (k + 1, v * x + 1.0), [0, x])[1]

    out = tf.cond(p, looped, lambda: x * 2.0)
    (grad,) = tf.gradients(tf.reduce_sum(out), [x])
    taken = [out, grad]
    return taken, {x: X, p: True}


def loop_in_cond_untaken(tf):
    fetches, feeds = loop_in_cond(tf)
    feeds = {key: (False if value is True else value) for key, value in feeds.items()}
    return fetches, feeds


def maximum_iterations(tf):
    x = tf.placeholder(tf.float32, [None], name="x")
    _, out = tf.while_loop(
        lambda i, v: i < 100, lambda i, v: (i + 1, tf.tanh(v) * 1.5), (0, x), maximum_iterations=4
    )
    (grad,) = tf.gradients(tf.reduce_sum(out), [x])
    return [out, grad], {x: X}


def loop_invariant_matmul(tf):
    x = tf.placeholder(tf.float32, [1, 3], name="x")
    w = tf.constant(np.linspace(-0.5, 0.5, 9, dtype=np.float32).reshape(3, 3), name="w")

    def body(i, h):
        return i + 1, tf.tanh(tf.matmul(h, w) + x)

    _, h = tf.while_loop(lambda i, h: i < 6, body, [0, x])
    gx, gw = tf.gradients(tf.reduce_sum(h), [x, w])
    return [h, gx, gw], {x: X.reshape(1, 3)}


def parallel_iterations_one(tf):
    x = tf.placeholder(tf.float32, [3], name="x")
    _, out = tf.while_loop(
        lambda i, v: i < 7,
        lambda i, v: (i + 1, v + tf.cast(i, tf.float32) * x),
        [0, x],
        parallel_iterations=1,
    )
    (grad,) = tf.gradients(tf.reduce_sum(out * out), [x])
    return [out, grad], {x: X}


def nested_cond(tf):
    x = tf.placeholder(tf.float32, [], name="x")
    out = tf.cond(
        x > 0.0,
        lambda: tf.cond(x > 1.0, lambda: x * x, lambda: x + 10.0),
        lambda: -x,
    )
    (grad,) = tf.gradients(out, [x])
    return [out, grad], {x: np.float32(1.5)}


def case_and_switch_case(tf):
    x = tf.placeholder(tf.float32, [], name="x")
    k = tf.placeholder(tf.int32, [], name="k")
    a = tf.case([(x < 0.0, lambda: x * 3.0), (x < 1.0, lambda: x * 5.0)], default=lambda: x)
    b = tf.switch_case(k, [lambda: x + 1.0, lambda: x + 2.0, lambda: x + 3.0])
    ga, _ = tf.gradients([a, b], [x, x])
    return [a, b, ga], {x: np.float32(0.5), k: 2}


PROGRAMS = {
    "nested_loops": nested_loops,
    "cond_in_loop": cond_in_loop,
    "loop_in_cond": loop_in_cond,
    "loop_in_cond_untaken": loop_in_cond_untaken,
    "maximum_iterations": maximum_iterations,
    "loop_invariant_matmul": loop_invariant_matmul,
    "parallel_iterations_one": parallel_iterations_one,
    "nested_cond": nested_cond,
    "case_and_switch_case": case_and_switch_case,
}
