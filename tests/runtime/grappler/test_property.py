"""Property: on random graphs, the graph as run computes what the graph as written does.

Two generators: straight-line graphs over 4×4 float32 values (constants, a fed
placeholder, reshape chains, transposes, neutral arithmetic, Identity chains,
matmul + bias + relu and conv + bias + relu patterns, repeated subexpressions), and
the TF1 control-flow programs of ``tests/runtime/random_programs.py`` (loops and
conds with constants inside). Each graph runs in a session as written and in one
with every pass on (for graphs of any size); the fetched values must agree.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import runtime as tf
from tests.runtime import random_programs

from .compare import any_size_config, as_written_config, assert_same

v1 = tf.compat.v1
UNARY = ("neg", "tanh", "relu", "identity", "transpose2", "reshape_chain", "times_one", "plus_zero")
BINARY_OPS = {"add": tf.add, "mul": tf.multiply, "sub": tf.subtract, "matmul": tf.matmul}
PATTERNS = ("dense", "conv")


def _steps():
    """One step: an op kind and the positions (taken modulo the pool) of its operands."""
    index = st.integers(0, 50)
    return st.one_of(
        st.tuples(st.just("const"), st.floats(-1, 1, width=32)),
        st.tuples(st.sampled_from(UNARY), index),
        st.tuples(st.sampled_from(sorted(BINARY_OPS)), index, index),
        st.tuples(st.sampled_from(PATTERNS), index, index),
        st.tuples(st.just("repeat"), index),
    )


def _apply(step, pool: list, rng: np.random.Generator, made: list):
    kind = step[0]
    if kind == "const":
        return tf.constant(rng.uniform(-1, 1, (4, 4)).astype(np.float32) * step[1])
    if kind == "repeat":  # the same op on the same inputs again: CSE's case
        earlier = made[step[1] % len(made)] if made else ("neg", 0)
        return _apply(earlier, pool, rng, made)
    a = pool[step[1] % len(pool)]
    if kind in UNARY:
        return {
            "neg": tf.negative,
            "tanh": tf.tanh,
            "relu": tf.nn.relu,
            "identity": lambda x: tf.identity(tf.identity(x)),
            "transpose2": lambda x: tf.transpose(tf.transpose(x)),
            "reshape_chain": lambda x: tf.reshape(tf.reshape(tf.reshape(x, [16]), [2, 8]), [4, 4]),
            "times_one": lambda x: x * 1.0,
            "plus_zero": lambda x: 0.0 + x,
        }[kind](a)
    b = pool[step[2] % len(pool)]
    if kind in BINARY_OPS:
        return BINARY_OPS[kind](a, b)
    bias = tf.constant(rng.uniform(-1, 1, 4).astype(np.float32))
    if kind == "dense":
        return tf.nn.relu(tf.nn.bias_add(tf.matmul(a, tf.tanh(b)), bias))
    image = tf.reshape(a, [1, 4, 4, 1])
    conv = tf.nn.conv2d(image, tf.reshape(tf.tanh(b)[:3, :3], [3, 3, 1, 1]), [1, 1, 1, 1], "SAME")
    return tf.reshape(tf.nn.relu6(tf.nn.bias_add(conv, bias[:1])), [4, 4])


def _build(steps, seed: int):
    rng = np.random.default_rng(seed)
    x = v1.placeholder(tf.float32, [4, 4], name="x")
    pool, made = [x, tf.constant(rng.uniform(-1, 1, (4, 4)).astype(np.float32))], []
    for step in steps:
        pool.append(_apply(step, pool, rng, made))
        if step[0] != "repeat":
            made.append(step)
    return x, pool


def _run_both(fetches, feeds):
    with v1.Session(config=as_written_config()) as sess:
        written = sess.run(fetches, feeds)
    with v1.Session(config=any_size_config()) as sess:
        ran = sess.run(fetches, feeds)
    return written, ran


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(_steps(), min_size=1, max_size=12),
    fetched=st.lists(st.integers(0, 50), min_size=1, max_size=3),
    seed=st.integers(0, 2**16),
)
def test_random_graphs_run_as_written(steps, fetched, seed):
    with tf.Graph().as_default():
        x, pool = _build(steps, seed)
        fetches = [pool[-1], *(pool[i % len(pool)] for i in fetched)]
        value = np.random.default_rng(seed).uniform(-1, 1, (4, 4)).astype(np.float32)
        written, ran = _run_both(fetches, {x: value})
    assert_same(written, ran, rtol=1e-5, atol=1e-5)


@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(program=random_programs.programs(), data=st.data())
def test_random_control_flow_programs_run_as_written(program, data):
    inputs = [
        np.array(data.draw(st.lists(st.floats(-2, 2), min_size=2, max_size=2)))
        for _ in range(random_programs.INPUTS)
    ]
    with tf.Graph().as_default():
        placeholders = [v1.placeholder(tf.float64, [2]) for _ in inputs]
        out = tf.identity(random_programs.build(program, tf, placeholders) * 1.0 + 0.0)
        written, ran = _run_both(out, dict(zip(placeholders, inputs)))
    assert_same(written, ran, rtol=1e-12, atol=1e-12)
    expected = random_programs.evaluate(program, inputs)
    np.testing.assert_allclose(ran, expected, rtol=1e-9, atol=1e-12)


FED_OPS = {  # plain ops on fed values: no constants for a pass to act on
    "neg": (1, tf.negative),
    "tanh": (1, tf.tanh),
    "relu": (1, tf.nn.relu),
    "add": (2, tf.add),
    "mul": (2, tf.multiply),
    "sub": (2, tf.subtract),
    "matmul": (2, tf.matmul),
}


def _build_fed(kinds, operands):
    """A graph of ``kinds`` over a fed ``x`` (``"repeat"``: an earlier op made again on
    the same inputs, CSE's case)."""
    x = v1.placeholder(tf.float32, [4, 4], name="x")
    pool, made = [x], []
    for kind, a, b in zip(kinds, operands[::2], operands[1::2]):
        if kind == "repeat":
            if not made:
                continue
            kind, inputs = made[a % len(made)]
        else:
            arity = FED_OPS[kind][0]
            inputs = [pool[a % len(pool)], pool[b % len(pool)]][:arity]
            made.append((kind, inputs))
        pool.append(FED_OPS[kind][1](*inputs))
    return x, pool


def _changed_and_scanned(fetches, feeds) -> tuple:
    """Whether the optimizer changed a run of ``fetches``, and whether its quick scan
    (``may_act``) said a pass might."""
    from runtime.grappler.optimizer import may_act
    from runtime.grappler.options import Passes
    from runtime.plan import prune

    config = any_size_config()
    with v1.Session(config=config) as sess:
        changed = bool(sess.optimized_graph(fetches, feeds).report.changes)
    return changed, may_act(prune(fetches, [], set(feeds)), Passes.from_config(config))


@settings(deadline=None, max_examples=80, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(_steps(), min_size=1, max_size=12),
    kinds=st.lists(st.sampled_from([*FED_OPS, "repeat"]), min_size=1, max_size=12),
    operands=st.lists(st.integers(0, 50), min_size=24, max_size=24),
    seed=st.integers(0, 2**16),
)
def test_the_quick_scan_never_misses_a_change(steps, kinds, operands, seed):
    # The optimizer runs a run as written when its scan finds nothing a pass could act
    # on (runtime.grappler.optimizer.may_act): wherever a pass does change the graph,
    # the scan must have said it might. Graphs of fed values through plain ops, with
    # no constants, are where the scan says no.
    with tf.Graph().as_default():
        x, pool = _build(steps, seed)
        changed, scanned = _changed_and_scanned([pool[-1]], {x: None})
        assert scanned or not changed
    with tf.Graph().as_default():
        x, pool = _build_fed(kinds, operands)
        changed, scanned = _changed_and_scanned([pool[-1]], {x: None})
        assert scanned or not changed


def test_the_quick_scan_finds_nothing_in_plain_ops_on_fed_values():
    with tf.Graph().as_default():
        x, pool = _build_fed(["neg", "add", "matmul", "tanh"], [0, 0, 1, 0, 2, 1, 3, 0])
        assert _changed_and_scanned([pool[-1]], {x: None}) == (False, False)
        x, pool = _build_fed(["neg", "repeat", "add"], [0, 0, 0, 0, 1, 2, 0, 0])
        assert _changed_and_scanned([pool[-1]], {x: None}) == (True, True)  # CSE merges
