"""TF1 dataflow control flow: graphs as TF 1.x builds them, run by every executor.

Values and gradients of the programs in ``control_flow_programs`` are compared with
what real TensorFlow computed (``tests/fixtures/tf_control_flow``); random programs
with loops and conds (``random_programs``) are run sequentially, threaded and stepped
and compared with a plain Python evaluation.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import runtime as tf
from runtime.errors import InvalidArgumentError
from tests.runtime import random_programs
from tests.runtime.control_flow_programs import PROGRAMS
from tests.runtime.gradcheck import check_gradients

v1 = tf.compat.v1
FIXTURES = Path(__file__).parent.parent / "fixtures" / "tf_control_flow"
EXPECTED = np.load(FIXTURES / "expected.npz")
TF_OP_TYPES = json.loads((FIXTURES / "op_types.json").read_text())


# -- against TensorFlow ----------------------------------------------------------------


@pytest.mark.parametrize("threads", [1, 4])
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_values_and_gradients_match_tensorflow(name, threads):
    with tf.Graph().as_default():
        fetches, feeds = PROGRAMS[name](v1)
        config = v1.ConfigProto(
            inter_op_parallelism_threads=threads, intra_op_parallelism_threads=1
        )
        with v1.Session(config=config) as sess:
            got = sess.run(fetches, feeds)
    for i, value in enumerate(got):
        np.testing.assert_allclose(value, EXPECTED[f"{name}/{i}"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["nested_loops", "cond_in_loop", "loop_invariant_matmul"])
def test_graphs_use_tensorflows_op_types(name):
    with tf.Graph().as_default() as graph:
        PROGRAMS[name](v1)
        built = {op.type for op in graph.get_operations()}
    loop_ops = {
        "Enter",
        "Exit",
        "Merge",
        "Switch",
        "NextIteration",
        "LoopCond",
        "StackV2",
        "StackPushV2",
        "StackPopV2",
    }
    assert loop_ops <= built
    assert loop_ops <= set(TF_OP_TYPES[name])


def test_while_loop_names_its_ops_as_tf1_does(graph):
    i = v1.while_loop(lambda i: i < 3, lambda i: i + 1, [tf.constant(0)])
    names = {op.name: op.type for op in graph.get_operations()}
    assert names["while/Enter"] == "Enter" and names["while/Merge"] == "Merge"
    assert names["while/LoopCond"] == "LoopCond" and names["while/Switch"] == "Switch"
    assert names["while/Identity"] == "Identity" and names["while/NextIteration"] == "NextIteration"
    assert i.op.name == "while/Exit" and i.op.type == "Exit"
    enter = graph.get_operation_by_name("while/Enter")
    assert enter.get_attr("frame_name") == "while/while_context"
    assert enter.get_attr("is_constant") is False and enter.get_attr("parallel_iterations") == 10
    merge = graph.get_operation_by_name("while/Merge")
    assert [t.op.name for t in merge.inputs] == ["while/Enter", "while/NextIteration"]


def test_cond_names_its_ops_as_tf1_does(graph):
    x = tf.constant(2.0, name="x")
    y = v1.cond(x > 0.0, lambda: x * 3.0, lambda: -x)
    names = [op.name for op in graph.get_operations()]
    for name in ["cond/Switch", "cond/switch_t", "cond/switch_f", "cond/pred_id", "cond/Merge"]:
        assert name in names
    assert y.op.name == "cond/Merge"
    # x comes into each branch through its own Switch on the predicate.
    switched = [op for op in graph.get_operations() if op.type == "Switch" and op.inputs[0] is x]
    assert len(switched) == 2 and all(op.inputs[1].op.name == "cond/pred_id" for op in switched)


def test_functional_form_on_request(graph):
    v1.enable_control_flow_v2()
    try:
        i = v1.while_loop(lambda i: i < 3, lambda i: i + 1, [tf.constant(0)])
        y = v1.cond(tf.constant(True), lambda: 1.0, lambda: 2.0)
    finally:
        v1.disable_control_flow_v2()
    types = {op.type for op in graph.get_operations()}
    assert {"StatelessWhile", "StatelessIf"} <= types and "Enter" not in types
    assert v1.Session().run([i, y]) == [3, 1.0]


# -- semantics ----------------------------------------------------------------------


def test_only_the_taken_branch_runs_its_stateful_ops(graph):
    counter = v1.Variable(0, name="counter")
    p = v1.placeholder(tf.bool, [])
    out = v1.cond(p, lambda: v1.assign_add(counter, 1), lambda: tf.identity(counter))
    with v1.Session() as sess:
        sess.run(counter.initializer)
        sess.run(out, {p: False})
        sess.run(out, {p: False})
        assert sess.run(counter) == 0
        sess.run(out, {p: True})
        assert sess.run(counter) == 1


def test_a_loop_on_the_untaken_side_does_not_run(graph):
    counter = v1.Variable(0, name="counter")
    p = v1.placeholder(tf.bool, [])

    def looped():
        def body(i):
            with tf.control_dependencies([v1.assign_add(counter, 1)]):
                return i + 1

        return v1.while_loop(lambda i: i < 5, body, [tf.constant(0)])

    out = v1.cond(p, looped, lambda: tf.constant(-1))
    with v1.Session() as sess:
        sess.run(counter.initializer)
        assert sess.run(out, {p: False}) == -1 and sess.run(counter) == 0
        assert sess.run(out, {p: True}) == 5 and sess.run(counter) == 5


@pytest.mark.parametrize("parallel_iterations", [1, 3, 10])
def test_parallel_iterations_keep_the_result(graph, parallel_iterations):
    values = []

    def body(i, acc):
        noted = v1.py_func(lambda k: values.append(int(k)) or k, [i], tf.int32)
        noted.set_shape([])
        return i + 1, acc + noted

    _, total = v1.while_loop(
        lambda i, acc: i < 20, body, [0, 0], parallel_iterations=parallel_iterations
    )
    with v1.Session(
        config=v1.ConfigProto(inter_op_parallelism_threads=4, intra_op_parallelism_threads=1)
    ) as sess:
        assert sess.run(total) == sum(range(20))
    assert sorted(values) == list(range(20))


def test_fetching_a_tensor_inside_a_loop_is_refused(graph):
    captured = []
    v1.while_loop(lambda i: i < 3, lambda i: captured.append(i * 2) or i + 1, [0])
    with pytest.raises(ValueError, match="has been marked as not fetchable"):
        v1.Session().run(captured[0])


def test_fetching_the_untaken_side_of_a_switch_fails_with_tfs_error(graph):
    from runtime.ops.control_flow_primitives import switch

    false, true = switch(tf.constant(1.0), tf.constant(True))
    with pytest.raises(InvalidArgumentError, match=r"Retval\[0\] does not have value"):
        v1.Session().run(false)
    assert v1.Session().run(true) == 1.0


def test_an_error_inside_a_loop_names_the_op_and_rolls_back(graph):
    counter = v1.Variable(0, name="counter")

    def body(i):
        with tf.control_dependencies([v1.assign_add(counter, 1)]):
            check = (
                tf.debugging.Assert(i < 3, [i], name="small")
                if hasattr(tf, "debugging")
                else tf.Assert(i < 3, [i], name="small")
            )
            with tf.control_dependencies([check]):
                return i + 1

    out = v1.while_loop(lambda i: i < 10, body, [tf.constant(0)])
    with v1.Session() as sess:
        sess.run(counter.initializer)
        with pytest.raises(InvalidArgumentError, match=r"while/small/Assert.*\[3\]"):
            sess.run(out)
        assert sess.run(counter) == 0  # every iteration's increment was rolled back


def test_deadline_and_close_stop_an_endless_loop(graph):
    forever = v1.while_loop(lambda i: tf.constant(True), lambda i: i + 1, [tf.constant(0)])
    with v1.Session() as sess, pytest.raises(tf.errors.DeadlineExceededError):
        sess.run(forever, options=v1.RunOptions(timeout_in_ms=100))


def test_a_malformed_frame_is_refused_with_the_op_named(graph):
    from runtime.ops import control_flow_primitives as cf

    inside = cf.enter(tf.constant(1.0), "loop_a")
    with pytest.raises(InvalidArgumentError, match=r"Exit 'bad' is not inside a loop frame"):
        v1.Session().run(cf.exit(tf.constant(2.0), name="bad"))
    mixed = tf.add(inside, tf.constant(3.0), name="mixed")
    with pytest.raises(
        InvalidArgumentError, match="'mixed' has inputs from different frames: 'Enter' is in"
    ):
        v1.Session().run(cf.exit(mixed))


# -- gradients -------------------------------------------------------------------------


@pytest.mark.parametrize("x, trips", [(0.7, 0), (-1.2, 1), (0.4, 4)])
def test_loop_gradient_matches_finite_differences(x, trips):
    def build(start):
        loop = v1.while_loop(
            lambda i, v: i < trips, lambda i, v: (i + 1, tf.sin(v) * v + 0.5), [0, start]
        )
        return loop[1]

    check_gradients(build, [np.array([x, 0.3])])


def test_second_order_loop_gradient_is_refused_clearly(graph):
    x = tf.constant(1.0)
    _, out = v1.while_loop(lambda i, v: i < 2, lambda i, v: (i + 1, v * x), [0, x])
    (grad,) = tf.gradients(out, [x])
    with pytest.raises(TypeError, match="Second-order gradient for while loops not supported"):
        tf.gradients(grad, [x])


# -- every executor over random programs -----------------------------------------------

MODES = ["sequential", "threads2", "threads8", "stepped"]


def _run(mode, fetch, feeds):
    if mode == "stepped":
        with v1.Session() as sess:
            stepper = sess.stepper(fetch, feeds)
            stepper.cont()
            return stepper.finish()
    threads = {"sequential": 1, "threads2": 2, "threads8": 8}[mode]
    with v1.Session(
        config=v1.ConfigProto(inter_op_parallelism_threads=threads, intra_op_parallelism_threads=1)
    ) as sess:
        return sess.run(fetch, feeds)


@pytest.mark.parametrize("mode", MODES)
@settings(deadline=None, max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(program=random_programs.programs(), data=st.data())
def test_random_programs_match_python(mode, program, data):
    inputs = [
        np.array(data.draw(st.lists(st.floats(-2, 2), min_size=2, max_size=2)))
        for _ in range(random_programs.INPUTS)
    ]
    with tf.Graph().as_default():
        placeholders = [v1.placeholder(tf.float64, [2]) for _ in inputs]
        out = tf.identity(random_programs.build(program, tf, placeholders))
        got = _run(mode, out, dict(zip(placeholders, inputs)))
    np.testing.assert_allclose(
        got, random_programs.evaluate(program, inputs), rtol=1e-9, atol=1e-12
    )


@settings(deadline=None, max_examples=15, suppress_health_check=[HealthCheck.too_slow])
@given(program=random_programs.programs(max_depth=2))
def test_random_program_gradients_match_finite_differences(program):
    inputs = [np.array([0.3 + k, -0.2 * k - 0.1]) for k in range(random_programs.INPUTS)]
    check_gradients(
        lambda *xs: tf.reduce_sum(tf.square(random_programs.build(program, tf, list(xs)))),
        inputs,
        rtol=1e-4,
        atol=1e-5,
    )


# -- GraphDefs TensorFlow wrote --------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["nested_loops", "cond_in_loop", "loop_in_cond", "maximum_iterations"]
)
def test_tensorflows_graphs_with_loops_and_their_gradients_import_and_run(name):
    names = json.loads((FIXTURES / "graphs" / f"{name}.json").read_text())
    graph_def = tf.GraphDef.FromString((FIXTURES / "graphs" / f"{name}.pb").read_bytes())
    with tf.Graph().as_default() as graph:
        v1.import_graph_def(graph_def, name="")
        feeds = {graph.get_tensor_by_name(k): np.asarray(v) for k, v in names["feeds"].items()}
        fetches = [graph.get_tensor_by_name(n) for n in names["fetches"]]
        got = v1.Session().run(fetches, feeds)
    for i, value in enumerate(got):
        np.testing.assert_allclose(value, EXPECTED[f"{name}/{i}"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("functional", [False, True])
def test_loops_carry_tensor_arrays_in_both_forms(graph, functional):
    if functional:
        v1.enable_control_flow_v2()
    try:
        array = tf.TensorArray(tf.float32, size=4)
        _, array = v1.while_loop(
            lambda i, a: i < 4,
            lambda i, a: (i + 1, a.write(i, tf.cast(i, tf.float32) * 2.0)),
            [0, array],
        )
        stacked = array.stack()
    finally:
        v1.disable_control_flow_v2()
    assert isinstance(array, tf.TensorArray)
    np.testing.assert_array_equal(v1.Session().run(stacked), [0.0, 2.0, 4.0, 6.0])


def test_traced_runs_record_each_iteration_of_a_loop_op(graph):
    i = v1.while_loop(lambda i: i < 3, lambda i: i + 1, [tf.constant(0)], name="loop")
    meta = v1.RunMetadata()
    with v1.Session() as sess:
        sess.run(i, options=v1.RunOptions(trace_level=3), run_metadata=meta)
    names = [n.node_name for d in meta.step_stats.dev_stats for n in d.node_stats]
    assert names.count("loop/add") == 3  # once per iteration, as TF's step stats
    assert names.count("loop/Merge") == 4 and names.count("loop/Exit") == 1
