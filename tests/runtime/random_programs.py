"""Random TF1 programs with loops and conds, and their plain-Python meaning.

A program is a tree of plain tuples drawn by :func:`programs`; :func:`build` turns it
into graph ops (``tf.while_loop``/``tf.cond`` as TF1 builds them) and :func:`evaluate`
computes the same thing with numpy. Every executor (sequential, threaded, stepped,
Dask) must agree with :func:`evaluate`.

Grammar (values are float64 vectors of length 2)::

    ("input", k)                        feed k
    ("var",)                            the innermost loop variable
    ("const", c)
    ("unary", op, child)                neg, sin, tanh, square, pooled (an identity
                                        the threaded executor runs on its pool)
    ("binary", op, a, b)                add, sub, mul
    ("cond", pred, then, else)          then if sum(pred) > 0
    ("loop", n, init, body)             v = init; n times: v = tanh(body(v))
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from runtime.ops.core import apply_op, unchanged
from runtime.registry import (
    Cost,
    OpDef,
    is_registered,
    register_gradient,
    register_kernel,
    register_op,
)

INPUTS = 2
UNARY = ("neg", "sin", "tanh", "square", "pooled")
BINARY = ("add", "sub", "mul")


def programs(max_depth: int = 3, in_loop: bool = False):
    """A hypothesis strategy of program trees."""
    leaves = [st.tuples(st.just("input"), st.integers(0, INPUTS - 1))]
    leaves.append(st.tuples(st.just("const"), st.floats(-1.5, 1.5)))
    if in_loop:
        leaves.append(st.just(("var",)))
    leaf = st.one_of(*leaves)
    if max_depth == 0:
        return leaf
    child = programs(max_depth - 1, in_loop)
    body = programs(max_depth - 1, in_loop=True)
    return st.one_of(
        leaf,
        st.tuples(st.just("unary"), st.sampled_from(UNARY), child),
        st.tuples(st.just("binary"), st.sampled_from(BINARY), child, child),
        st.tuples(st.just("cond"), child, child, child),
        st.tuples(st.just("loop"), st.integers(0, 4), child, body),
    )


def build(program, tf, inputs, var=None):
    """The graph of ``program``: ``tf`` is ``runtime`` (or TF's ``compat.v1``)."""
    kind = program[0]
    if kind == "input":
        return inputs[program[1]]
    if kind == "var":
        return var
    if kind == "const":
        return tf.constant(np.full(2, program[1]), dtype=tf.float64)
    if kind == "unary":
        x = build(program[2], tf, inputs, var)
        return {
            "neg": tf.negative,
            "sin": tf.sin,
            "tanh": tf.tanh,
            "square": tf.square,
            "pooled": _pooled,
        }[program[1]](x)
    if kind == "binary":
        a = build(program[2], tf, inputs, var)
        b = build(program[3], tf, inputs, var)
        return {"add": tf.add, "sub": tf.subtract, "mul": tf.multiply}[program[1]](a, b)
    if kind == "cond":
        pred = tf.reduce_sum(build(program[1], tf, inputs, var)) > 0.0
        return tf.compat.v1.cond(
            pred,
            lambda: build(program[2], tf, inputs, var),
            lambda: build(program[3], tf, inputs, var),
        )
    n, init, body = program[1:]
    start = build(init, tf, inputs, var)
    _, out = tf.compat.v1.while_loop(
        lambda i, v: i < n,
        lambda i, v: (i + 1, tf.tanh(build(body, tf, inputs, v))),
        [tf.constant(0), start],
    )
    return out


def evaluate(program, inputs, var=None) -> np.ndarray:
    """What ``program`` computes, in plain numpy."""
    kind = program[0]
    if kind == "input":
        return inputs[program[1]]
    if kind == "var":
        return var
    if kind == "const":
        return np.full(2, program[1])
    if kind == "unary":
        x = evaluate(program[2], inputs, var)
        return {
            "neg": np.negative,
            "sin": np.sin,
            "tanh": np.tanh,
            "square": np.square,
            "pooled": np.asarray,
        }[program[1]](x)
    if kind == "binary":
        a = evaluate(program[2], inputs, var)
        b = evaluate(program[3], inputs, var)
        return {"add": np.add, "sub": np.subtract, "mul": np.multiply}[program[1]](a, b)
    if kind == "cond":
        taken = evaluate(program[1], inputs, var).sum() > 0.0
        return evaluate(program[2] if taken else program[3], inputs, var)
    n, init, body = program[1:]
    value = evaluate(init, inputs, var)
    for _ in range(n):
        value = np.tanh(evaluate(body, inputs, value))
    return value


POOLED = "_RandomProgramPooled"  # an identity with the cost that sends it to the pool
if not is_registered(POOLED):
    register_op(
        OpDef(POOLED, ("x: T",), ("y: T",), ("T: type",), shape_fn=unchanged, cost=Cost.EXPENSIVE)
    )
    register_kernel(POOLED)(lambda x, T: (x,))
    register_gradient(POOLED)(lambda op, grad: [grad])


def _pooled(x):
    return apply_op(POOLED, [x], "pooled").outputs[0]


def has_control_flow(program) -> bool:
    return isinstance(program, tuple) and (
        program[0] in ("cond", "loop") or any(has_control_flow(p) for p in program[1:])
    )
