"""Control flow: cond, case, while_loop, tuple, Assert, Print/print, py_func/numpy_function."""

from __future__ import annotations

import collections
import sys
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runtime as tf
from runtime import nest
from runtime.errors import (
    CancelledError,
    InvalidArgumentError,
    OutOfRangeError,
    UnimplementedError,
    UnknownError,
)
from runtime.functional import FuncGraph
from runtime.graph_def import GraphDef, graph_def_of
from tests.runtime.gradcheck import check_gradients

v1, v2 = tf.compat.v1, tf.compat.v2  # the tests call TF2's cond and while_loop
Point = collections.namedtuple("Point", "x y")


def run(fetches, feed_dict=None):
    with v1.Session() as session:
        return session.run(fetches, feed_dict)


@pytest.fixture
def functional():
    """Control flow v2 (functional If/While ops) for one test, as
    ``tf.compat.v1.enable_control_flow_v2()`` gives."""
    v1.enable_control_flow_v2()
    yield
    v1.disable_control_flow_v2()


class TestCond:
    @settings(deadline=None, max_examples=25)
    @given(x=st.floats(-10, 10, width=32), threshold=st.floats(-10, 10, width=32))
    def test_matches_python(self, x, threshold):
        with tf.Graph().as_default():
            px = v1.placeholder(tf.float32, [])
            y = v2.cond(px > threshold, lambda: px * 2.0, lambda: px - 1.0)
            got = run(y, {px: x})
        expected = np.float32(x) * 2 if np.float32(x) > np.float32(threshold) else np.float32(x) - 1
        assert got == pytest.approx(expected)

    def test_graph_structure(self, graph, functional):
        x = tf.constant(1.0, name="x")
        y = v2.cond(x > 0.0, lambda: x + 1.0, lambda: x)
        op = y.op.inputs[0].op
        assert (y.op.name, y.op.type) == ("cond/Identity", "Identity")
        assert (op.name, op.type) == ("cond", "StatelessIf")
        then_branch = op.get_attr("then_branch")
        assert isinstance(then_branch, FuncGraph)
        assert [o.type for o in then_branch.get_operations()] == ["Const", "Placeholder", "AddV2"]
        # x is captured once and passed to both branches.
        assert op.inputs[1] is x and op.get_attr("Tin") == [tf.float32]

    def test_nested_structures_and_shapes(self, graph):
        p = v1.placeholder(tf.bool, [])
        a = v1.placeholder(tf.float32, [2, 3])
        b = v1.placeholder(tf.float32, [2, None])

        def branch(u, w):
            return {"pair": (u, w), "point": Point(tf.constant(1), [tf.constant("s")])}

        out = v2.cond(p, lambda: branch(a, b), lambda: branch(b, a))
        assert set(out) == {"pair", "point"} and isinstance(out["point"], Point)
        assert out["pair"][0].shape == tf.TensorShape([2, None])
        feeds = {a: np.ones((2, 3)), b: np.zeros((2, 3))}
        got = run(out, {p: False, **feeds})
        np.testing.assert_array_equal(got["pair"][0], np.zeros((2, 3)))
        assert got["point"].x == 1 and got["point"].y == [b"s"]

    def test_most_specific_shape(self, graph):
        p = v1.placeholder(tf.bool, [])
        out = v2.cond(p, lambda: tf.zeros([2, 3]), lambda: tf.zeros([2, 4]))
        assert out.shape == tf.TensorShape([2, None])
        ranked = v2.cond(p, lambda: tf.zeros([2]), lambda: tf.zeros([2, 2]))
        assert ranked.shape.rank is None

    def test_only_the_taken_branch_runs(self, graph):
        v = tf.Variable(0.0, name="v")
        p = v1.placeholder(tf.bool, [])
        out = v2.cond(p, lambda: v1.assign_add(v, 1.0), lambda: v1.assign_sub(v, 10.0))
        with v1.Session() as sess:
            sess.run(v.initializer)
            assert sess.run(out, {p: True}) == 1.0
            assert sess.run(out, {p: True}) == 2.0
            assert sess.run(out, {p: False}) == -8.0
            assert sess.run(v) == -8.0

    def test_branch_side_effect_rolls_back_with_the_step(self, graph):
        v = tf.Variable(5.0)
        p = v1.placeholder(tf.bool, [])

        def failing():
            with tf.control_dependencies([v1.assign(v, 100.0)]):
                return tf.numpy_function(_raise_value_error, [v.read_value()], tf.float32)

        out = v2.cond(p, failing, lambda: tf.identity(v))
        with v1.Session() as sess:
            sess.run(v.initializer)
            with pytest.raises(InvalidArgumentError, match="bad value"):
                sess.run(out, {p: True})
            assert sess.run(v) == 5.0

    def test_control_dependencies_inside_a_branch(self, graph, capsys):
        x = tf.constant([1, 2])

        def noisy():
            with tf.control_dependencies([tf.print("in branch", x)]):
                return tf.identity(x)

        out = v2.cond(tf.constant(True), noisy, lambda: x)
        assert list(run(out)) == [1, 2]
        assert capsys.readouterr().err == "in branch [1 2]\n"

    def test_outer_control_dependency_becomes_the_ops(self, graph, capsys):
        printed = tf.print("before")
        x = tf.constant(1)

        def branch():
            with tf.control_dependencies([printed]):
                return tf.identity(x)

        out = v2.cond(tf.constant(False), lambda: x, branch)
        assert out.op.inputs[0].op.control_inputs == [printed]
        run(out)
        assert capsys.readouterr().err == "before\n"

    def test_operation_output_becomes_pred(self, graph):
        out = v2.cond(tf.constant(True), tf.no_op, tf.no_op)
        assert out.dtype == tf.bool and run(out)

    def test_nested_cond_captures_through_levels(self, graph):
        x = v1.placeholder(tf.float32, [])
        y = tf.constant(10.0)
        out = v2.cond(
            x > 0.0,
            lambda: v2.cond(x > 5.0, lambda: x * y, lambda: x + y),
            lambda: -x,
        )
        assert [run(out, {x: value}) for value in (7.0, 2.0, -3.0)] == [70.0, 12.0, 3.0]

    def test_v1_strict_and_fn_names(self, graph):
        p = tf.constant(True)
        assert isinstance(v1.cond(p, lambda: [tf.constant(1)], lambda: [tf.constant(2)]), tf.Tensor)
        assert isinstance(v2.cond(p, lambda: [tf.constant(1)], lambda: [tf.constant(2)]), list)
        strict = v1.cond(p, lambda: [tf.constant(1)], lambda: [tf.constant(2)], strict=True)
        assert isinstance(strict, list)
        assert run(v1.cond(p, fn1=lambda: tf.constant(3), fn2=lambda: tf.constant(4))) == 3
        with pytest.raises(TypeError, match='"true_fn" and "fn1" may not be set'):
            v1.cond(p, lambda: 1, lambda: 2, fn1=lambda: 1)

    def test_build_errors(self, graph):
        # TF 1.x's classes and messages (recorded from TF 2.21 with v2 behaviour off).
        p = tf.constant(True)
        with pytest.raises(TypeError, match=r"'pred' must not be a Python bool\."):
            v2.cond(True, lambda: 1, lambda: 2)
        with pytest.raises(TypeError, match="'false_fn' must be callable"):
            v2.cond(p, lambda: 1, 2)
        with pytest.raises(
            ValueError,
            match=r"Outputs of 'true_fn' and 'false_fn' must have the same type\(s\)\. "
            r"Received int32 from 'true_fn' and float32 from 'false_fn'\.",
        ):
            v2.cond(p, lambda: tf.constant(1), lambda: tf.constant(1.0))
        with pytest.raises(ValueError, match="don't have the same nested structure"):
            v2.cond(p, lambda: [tf.constant(1)], lambda: [tf.constant(1)] * 2)
        with pytest.raises(ValueError, match="Shape must be rank 0 but is rank 1"):
            v2.cond(tf.constant([True, False]), lambda: 1, lambda: 2)
        with pytest.raises(
            TypeError,
            match=r"Input 'pred' of 'Switch' Op has type int32 that does not match expected "
            r"type of bool\.",
        ):
            v2.cond(tf.constant(1), lambda: 1, lambda: 2)

    def test_build_errors_of_the_functional_form(self, graph, functional):
        p = tf.constant(True)
        with pytest.raises(
            TypeError, match=r"(?s)must have the same number, type.*have different types"
        ):
            v2.cond(p, lambda: tf.constant(1), lambda: tf.constant(1.0))
        with pytest.raises(
            TypeError, match=r"(?s)true_fn output.*don't have the same nested structure"
        ):
            v2.cond(p, lambda: [tf.constant(1)], lambda: [tf.constant(1)] * 2)
        with pytest.raises(TypeError, match="pred must be a bool tensor, got int32"):
            v2.cond(tf.constant(1), lambda: 1, lambda: 2)

    def test_run_time_error_inside_a_branch_names_the_inner_op(self, graph):
        x = tf.constant([1.0, -1.0])

        def checked():
            check = tf.Assert(tf.reduce_all(x > 0.0), ["negative:", x], name="positive")
            with tf.control_dependencies([check]):
                return tf.identity(x)

        out = v2.cond(tf.constant(True), checked, lambda: x)
        # TF 2.21 fails at 'cond/positive/AssertGuard/Assert' (float data: a guarded Assert).
        with pytest.raises(
            InvalidArgumentError,
            match=r"'cond/positive/AssertGuard/Assert'.*\[negative:\] \[1 -1\]",
        ):
            run(out)

    def test_graph_def_carries_the_branches(self, graph, functional):
        x = tf.constant(1.0, name="x")
        v2.cond(x > 0.0, lambda: x * 2.0, lambda: x)
        graph_def = graph_def_of(graph)  # the internal form: a branch's graph in its attr
        node = next(n for n in graph_def.node if n.op == "StatelessIf")
        then_branch = node.attr["then_branch"]
        assert then_branch.kind == "func"
        assert [n.op for n in then_branch.value.node] == ["Const", "Placeholder", "Mul"]
        assert then_branch.value.output_arg == ["mul:0"]
        assert GraphDef.from_json(graph_def.to_json()) == graph_def

    def test_stateful_branches_make_an_if(self, graph, functional):
        v = tf.Variable(1.0)
        out = v2.cond(tf.constant(True), lambda: v1.assign(v, 2.0), lambda: tf.identity(v))
        assert out.op.inputs[0].op.type == "If"


def _raise_value_error(value):
    raise ValueError("bad value")


class TestCase:
    def test_first_true_predicate_wins(self, graph):
        x = v1.placeholder(tf.int32, [])
        out = tf.case(
            [(x < 0, lambda: tf.constant(-1)), (x < 10, lambda: tf.constant(1))],
            default=lambda: tf.constant(100),
        )
        assert [run(out, {x: value}) for value in (-5, 5, 50)] == [-1, 1, 100]

    def test_dict_and_exclusive(self, graph):
        x = v1.placeholder(tf.int32, [])
        out = tf.case(
            {x < 0: lambda: tf.constant(-1), x < 10: lambda: tf.constant(1)},
            default=lambda: tf.constant(0),
            exclusive=True,
        )
        assert run(out, {x: 5}) == 1
        with pytest.raises(InvalidArgumentError, match="exclusive=True: more than 1 conditions"):
            run(out, {x: -5})

    def test_without_default_the_last_pair_is_checked(self, graph):
        x = v1.placeholder(tf.int32, [])
        out = tf.case([(x < 0, lambda: tf.constant(-1)), (x > 0, lambda: tf.constant(1))])
        assert run(out, {x: 3}) == 1
        with pytest.raises(InvalidArgumentError, match="None of conditions evaluated as True"):
            run(out, {x: 0})

    def test_bad_pairs(self, graph):
        with pytest.raises(TypeError, match="pred must be Tensor of type bool"):
            tf.case([(True, lambda: 1)])
        with pytest.raises(TypeError, match="must be a 2-tuple"):
            tf.case([tf.constant(True)])


class TestWhileLoop:
    @settings(deadline=None, max_examples=20)
    @given(n=st.integers(0, 12), step=st.integers(1, 4), limit=st.none() | st.integers(0, 6))
    def test_matches_python(self, n, step, limit):
        with tf.Graph().as_default():
            pn = v1.placeholder(tf.int32, [])
            i, total = v2.while_loop(
                lambda i, s: i < pn,
                lambda i, s: (i + step, s + i * i),
                [0, 0],
                maximum_iterations=limit,
            )
            got = run([i, total], {pn: n})
        i_ref, total_ref, count = 0, 0, 0
        while i_ref < n and (limit is None or count < limit):
            i_ref, total_ref, count = i_ref + step, total_ref + i_ref * i_ref, count + 1
        assert list(got) == [i_ref, total_ref]

    def test_nested_structures(self, graph):
        loop_vars = (tf.constant(0), Point(tf.constant(1.0), {"a": [tf.constant(2.0)]}))

        def body(i, p):
            return i + 1, Point(p.x * 2.0, {"a": [p.y["a"][0] + p.x]})

        i, p = v2.while_loop(lambda i, p: i < 3, body, loop_vars)
        assert isinstance(p, Point) and isinstance(p.y["a"], list)
        got = run((i, p))
        assert got[0] == 3 and got[1].x == 8.0 and got[1].y["a"][0] == 2.0 + 1 + 2 + 4

    def test_single_tensor_and_v1_unpacking(self, graph):
        single = v2.while_loop(lambda x: x < 10, lambda x: x * 2, tf.constant(1))
        assert isinstance(single, tf.Tensor) and run(single) == 16
        as_list = v2.while_loop(lambda x: x < 10, lambda x: [x * 2], [tf.constant(1)])
        assert isinstance(as_list, list) and len(as_list) == 1 and run(as_list) == [16]
        bare = v1.while_loop(lambda x: x < 10, lambda x: [x * 2], [tf.constant(1)])
        assert isinstance(bare, tf.Tensor) and run(bare) == 16
        kept = v1.while_loop(
            lambda x: x < 10, lambda x: [x * 2], [tf.constant(1)], return_same_structure=True
        )
        assert isinstance(kept, list) and len(kept) == 1 and run(kept) == [16]

    def test_shape_invariants(self, graph):
        def body(i, x):
            return i + 1, tf.concat([x, x], axis=0)

        i0, x0 = tf.constant(0), tf.ones([1, 2])
        with pytest.raises(
            ValueError,
            match=r"Input tensor 'ones:0' enters the loop with shape \(1, 2\), but has shape "
            r"\(2, 2\) after one iteration",
        ):
            v2.while_loop(lambda i, x: i < 3, body, [i0, x0])
        _, x = v2.while_loop(
            lambda i, x: i < 3,
            body,
            [i0, x0],
            shape_invariants=[i0.shape, tf.TensorShape([None, 2])],
        )
        assert x.shape == tf.TensorShape([None, 2])
        assert run(x).shape == (8, 2)

    def test_incompatible_invariant(self, graph):
        with pytest.raises(ValueError, match="shape invariant specified for Const:0 is not compat"):
            v2.while_loop(
                lambda x: x < 3,
                lambda x: x + 1,
                [tf.constant(0)],
                shape_invariants=[tf.TensorShape([2])],
            )

    def test_build_errors(self, graph):
        with pytest.raises(
            TypeError, match="enters the loop with type int32, but has type float32"
        ):
            v2.while_loop(lambda x: x < 3, lambda x: tf.cast(x, tf.float32), [tf.constant(0)])
        with pytest.raises(ValueError, match="don't have the same nested structure"):
            v2.while_loop(lambda x, y: x < 3, lambda x, y: [x], [tf.constant(0), tf.constant(1)])
        with pytest.raises(TypeError, match="'body' must be callable"):
            v2.while_loop(lambda x: x < 3, None, [tf.constant(0)])
        with pytest.raises(ValueError, match="'loop_vars' must be provided"):
            v2.while_loop(lambda: True, lambda: (), [])
        with pytest.raises(ValueError, match="'maximum_iterations' must be a scalar"):
            v2.while_loop(lambda x: x < 3, lambda x: x + 1, [0], maximum_iterations=[1, 2])

    def test_captures_and_control_dependencies_in_the_body(self, graph, capsys):
        scale = v1.placeholder(tf.float32, [])

        def body(i, x):
            with tf.control_dependencies([tf.print("step", i)]):
                return i + 1, x * scale

        _, x = v2.while_loop(lambda i, x: i < 3, body, [0, tf.constant(1.0)])
        assert run(x, {scale: 2.0}) == 8.0
        assert capsys.readouterr().err == "step 0\nstep 1\nstep 2\n"

    def test_variable_updated_in_the_body(self, graph):
        v = tf.Variable(0)

        def body(i):
            with tf.control_dependencies([v1.assign_add(v, i)]):
                return i + 1

        loop = v2.while_loop(lambda i: i < 5, body, [tf.constant(0)])
        with v1.Session() as sess:
            sess.run(v.initializer)
            sess.run(loop)
            assert sess.run(v) == 0 + 1 + 2 + 3 + 4

    def test_nested_loops(self, graph):
        def outer(i, total):
            inner = v2.while_loop(lambda j, s: j < i, lambda j, s: (j + 1, s + j), [0, 0])
            return i + 1, total + inner[1]

        _, total = v2.while_loop(lambda i, t: i < 5, outer, [0, 0])
        assert run(total) == sum(sum(range(i)) for i in range(5))

    def test_close_cancels_a_running_loop(self, graph):
        running = threading.Event()

        def body(i):
            # Signals that the loop really runs, so close() cancels it rather than
            # racing the start of sess.run (a closed session refuses with RuntimeError).
            with tf.control_dependencies([tf.numpy_function(running.set, [], [])]):
                return i + 1

        forever = v2.while_loop(lambda i: tf.constant(True), body, [tf.constant(0)])
        sess = v1.Session()
        errors = []

        def target():
            try:
                sess.run(forever)
            except Exception as err:  # the test inspects it
                errors.append(err)

        thread = threading.Thread(target=target)
        thread.start()
        assert running.wait(10)
        sess.close()
        thread.join(10)
        assert not thread.is_alive()
        assert len(errors) == 1 and isinstance(errors[0], CancelledError), errors
        assert errors[0].message == "Session has been closed."

    def test_loops_and_conds_on_the_thread_pool(self, graph):
        x = v1.placeholder(tf.float32, [])

        def branchy(k: int):
            _, total = v2.while_loop(lambda i, s: i < k, lambda i, s: (i + 1, s + x), [0, 0.0])
            return total + v2.cond(x > float(k), lambda: x, lambda: -x)

        results = [branchy(k) for k in range(8)]
        config = v1.ConfigProto(inter_op_parallelism_threads=4, intra_op_parallelism_threads=1)
        with v1.Session(config=config) as sess:
            got = sess.run(results, {x: 2.0})
        assert got == [2.0 * k + (2.0 if k < 2 else -2.0) for k in range(8)]

    def test_deadline_stops_a_loop(self, graph):
        forever = v2.while_loop(lambda i: tf.constant(True), lambda i: i + 1, [tf.constant(0)])
        options = v1.RunOptions(timeout_in_ms=200)
        with (
            v1.Session() as sess,
            pytest.raises(tf.errors.DeadlineExceededError, match="Timed out waiting"),
        ):
            sess.run(forever, options=options)

    @pytest.mark.parametrize("functional_loop", [False, True])
    def test_sparse_tensor_loop_variables(self, graph, functional_loop, request):
        # TF 2.21's values: the loop doubles the values, and another adds one a trip.
        if functional_loop:
            request.getfixturevalue("functional")
        start = tf.SparseTensor([[0, 0]], [1.0], [2, 2])

        def grow(i, sp):
            indices = tf.concat([sp.indices, [[1, 1]]], 0)
            return i + 1, tf.SparseTensor(indices, tf.concat([sp.values, [5.0]], 0), sp.dense_shape)

        _, doubled = v1.while_loop(
            lambda i, sp: i < 3,
            lambda i, sp: (i + 1, tf.SparseTensor(sp.indices, sp.values * 2, sp.dense_shape)),
            [0, start],
        )
        _, grown = v1.while_loop(lambda i, sp: i < 2, grow, [0, start])
        assert isinstance(doubled, tf.SparseTensor) and isinstance(grown, tf.SparseTensor)
        (gradient,) = tf.gradients(tf.reduce_sum(doubled.values), start.values)
        with v1.Session() as sess:
            doubled, grown, gradient = sess.run([doubled, grown, gradient])
        np.testing.assert_array_equal(doubled.values, [8.0])
        np.testing.assert_array_equal(grown.values, [1.0, 5.0, 5.0])
        assert grown.indices.tolist() == [[0, 0], [1, 1], [1, 1]]
        np.testing.assert_array_equal(gradient, [8.0])

    def test_stateless_and_graph_def(self, graph, functional):
        (loop,) = v2.while_loop(lambda i: i < 3, lambda i: i + 1, [tf.constant(0)])
        op = loop.op.inputs[0].op
        assert op.type == "StatelessWhile" and op.name == "while"
        node = next(n for n in graph_def_of(graph).node if n.name == "while")
        assert {node.attr["cond"].kind, node.attr["body"].kind} == {"func"}


class TestTupleAndGroup:
    def test_tuple_gates_all_values(self, graph, capsys):
        a = tf.constant(1.0)
        printed = tf.print("gate")
        x, none, op = tf.tuple([a, None, tf.no_op(name="n")], control_inputs=[printed])
        assert none is None and op.type == "NoOp"
        gate = x.op.control_inputs[0]
        assert gate.type == "NoOp" and printed in gate.control_inputs
        assert run(x) == 1.0 and capsys.readouterr().err == "gate\n"

    def test_tuple_errors(self, graph):
        with pytest.raises(ValueError, match="must have at least one Tensor"):
            tf.tuple([None])
        with pytest.raises(TypeError, match="'control_inputs' must only contain"):
            tf.tuple([tf.constant(1)], control_inputs=[3])


class TestLogging:
    def test_assert_passes_and_fails(self, graph):
        x = v1.placeholder(tf.float32, [None])
        check = tf.Assert(tf.reduce_all(x < 10.0), ["too big:", x], summarize=2)
        run(check, {x: [1.0, 2.0]})
        # TF 2.21 guards an Assert of float data in a cond: the failing op is AssertGuard's.
        with pytest.raises(
            InvalidArgumentError,
            match=r"Assert 'Assert/AssertGuard/Assert' .*failed: \[too big:\] \[1 20\.5\.\.\.\]",
        ):
            run(check, {x: [1.0, 20.5, 3.0]})

    def test_assert_errors(self, graph):
        with pytest.raises(TypeError, match="condition must be a bool tensor"):
            tf.Assert(tf.constant(1), ["x"])
        with pytest.raises(TypeError, match="data must be a list or tuple"):
            tf.Assert(tf.constant(True), "x")

    def test_print_passes_gradients_through(self, graph):
        x = tf.constant([1.0, 2.0])
        (grad,) = tf.gradients(tf.reduce_sum(v1.Print(x, [x]) * 3.0), [x])
        np.testing.assert_array_equal(run(grad), [3.0, 3.0])

    def test_v1_print_is_an_identity_that_prints(self, graph, capsys):
        x = tf.constant([[1, 2], [3, 4]])
        y = v1.Print(x, [x, tf.constant(2.5)], message="values: ", first_n=2)
        with v1.Session() as sess:
            for _ in range(3):
                np.testing.assert_array_equal(sess.run(y), [[1, 2], [3, 4]])
        assert capsys.readouterr().err == "values: [[1 2][3...]...][2.5]\n" * 2

    def test_print_streams_and_format(self, graph, capsys, tmp_path):
        x = tf.constant(np.arange(10))
        run(tf.print("x:", x, {"k": 1}, output_stream=sys.stdout, sep="|", end="!\n"))
        assert capsys.readouterr().out == "x:|[0 1 2 ... 7 8 9]|{'k': 1}!\n"
        path = tmp_path / "log.txt"
        run(tf.print(tf.constant([["a", "b"]]), output_stream=f"file://{path}", summarize=1))
        assert path.read_text() == '[["a" "b"]]\n'
        with pytest.raises(ValueError, match="Unsupported output stream"):
            tf.print(x, output_stream=42)

    def test_print_shows_tensors_inside_structures(self, graph, capsys):
        # TF 2.21's output: each tensor formatted in place, dict keys sorted.
        a = tf.constant([1, 2])
        run(tf.print("d:", {"k": a}, "l:", [a, 3], "t:", (a,), output_stream=sys.stdout))
        run(tf.print("{}", a, {"x": "s"}, [1, "q"], output_stream=sys.stdout))
        run(tf.print({"b": a, "a": [a, a + 1]}, output_stream=sys.stdout))
        assert capsys.readouterr().out.splitlines() == [
            "d: {'k': [1 2]} l: [[1 2], 3] t: ([1 2],)",
            "{} [1 2] {'x': 's'} [1, 'q']",
            "{'a': [[1 2], [2 3]], 'b': [1 2]}",
        ]


class TestPyFunc:
    def test_numpy_function_values_and_types(self, graph):
        x = tf.constant([1.0, 2.0])
        y = tf.numpy_function(lambda a: (a * 2).astype(np.float32), [x], tf.float32)
        assert y.op.type == "PyFunc" and y.shape.rank is None
        n, s = v1.py_func(
            lambda a: (np.int64(a.size), np.array([b"x", b"y"])),
            [x],
            [tf.int64, tf.string],
            stateful=False,
        )
        assert n.op.type == "PyFuncStateless"
        got = run([y, n, s])
        np.testing.assert_array_equal(got[0], [2.0, 4.0])
        assert got[1] == 2 and list(got[2]) == [b"x", b"y"]

    def test_function_without_outputs_returns_the_op(self, graph):
        seen = []
        op = tf.numpy_function(lambda a: seen.append(int(a)), [tf.constant(7)], [])
        run(op)
        assert seen == [7]

    def test_result_checks(self, graph):
        x = tf.constant(1.0)
        wrong_type = tf.numpy_function(lambda a: a.astype(np.float64), [x], tf.float32)
        with pytest.raises(
            InvalidArgumentError,
            match=r"0-th value returned by pyfunc_\d+ is "
            r"float64, but expects float32",
        ):
            run(wrong_type)
        wrong_count = tf.numpy_function(lambda a: (a, a), [x], [tf.float32])
        with pytest.raises(InvalidArgumentError, match="returns 2 values, but expects to see 1"):
            run(wrong_count)

    @pytest.mark.parametrize(
        "exception, error",
        [
            (ValueError("no"), InvalidArgumentError),
            (StopIteration(), OutOfRangeError),
            (NotImplementedError("later"), UnimplementedError),
            (KeyError("k"), UnknownError),
        ],
    )
    def test_python_exceptions_become_op_errors(self, graph, exception, error):
        def fail(a):
            raise exception

        y = tf.numpy_function(fail, [tf.constant(1)], tf.int32, name="failing")
        with pytest.raises(error, match=f"PyFunc 'failing'.*{type(exception).__name__}") as info:
            run(y)
        assert info.value.__cause__ is exception

    def test_not_differentiable(self, graph):
        from runtime.registry import get_gradient_function

        assert get_gradient_function("PyFunc") is None


class TestNest:
    def test_flatten_and_pack_round_trip(self):
        structure = {"b": [1, (2, Point(3, None))], "a": 0}
        flat = nest.flatten(structure)
        assert flat == [0, 1, 2, 3, None]
        assert nest.pack_sequence_as(structure, flat) == structure

    def test_structure_errors(self):
        with pytest.raises(TypeError, match="same sequence type"):
            nest.assert_same_structure([1], (1,))
        nest.assert_same_structure([1], (1,), check_types=False)
        with pytest.raises(ValueError, match="same set of keys"):
            nest.assert_same_structure({"a": 1}, {"b": 1})
        with pytest.raises(ValueError, match="Structure had 2 elements"):
            nest.pack_sequence_as([0, 0], [1])


class TestGradients:
    @settings(deadline=None, max_examples=15)
    @given(
        values=st.lists(st.floats(-2, 2), min_size=3, max_size=3),
        taken=st.booleans(),
    )
    def test_cond_matches_finite_differences(self, values, taken):
        def build(x):
            w = tf.constant([0.5, -1.0, 2.0], tf.float64)
            return v2.cond(tf.constant(taken), lambda: tf.sin(x) * w, lambda: x * x + w)

        check_gradients(build, [np.array(values)])

    @settings(deadline=None, max_examples=10)
    @given(value=st.floats(0.1, 1.5), trips=st.integers(0, 5))
    def test_while_matches_finite_differences(self, value, trips):
        def build(x):
            def body(i, z):
                return i + 1, tf.sin(z) * x + z * x[0]

            return v2.while_loop(lambda i, z: i < trips, body, [0, x * 2.0])[1]

        # Five trips compound the curvature: a smaller step keeps the differences exact.
        check_gradients(build, [np.array([value, value / 2])], delta=1e-6, atol=1e-5)

    def test_gradient_graph_is_an_if_over_branch_gradients(self, graph, functional):
        x = tf.constant(1.0)
        y = v2.cond(x > 0.0, lambda: x * x, lambda: x)
        (grad,) = tf.gradients(y, [x])
        grad_if = grad.op.inputs[0].op
        assert grad_if.type == "StatelessIf" and grad.name.startswith("gradients/cond_grad/")
        assert grad_if.inputs[0] is y.op.inputs[0].op.inputs[0]  # the same predicate
        assert run(grad) == 2.0

    def test_variable_in_a_branch(self, graph):
        w = tf.Variable(np.array([1.0, 2.0]), name="w")
        x = v1.placeholder(tf.float64, [2])
        p = v1.placeholder(tf.bool, [])
        y = tf.reduce_sum(v2.cond(p, lambda: w * x, lambda: x * x))
        grad_x, grad_w = tf.gradients(y, [x, w])
        with v1.Session() as sess:
            sess.run(w.initializer)
            feed = {x: [3.0, 4.0]}
            np.testing.assert_array_equal(
                sess.run([grad_x, grad_w], {**feed, p: True}), [[1, 2], [3, 4]]
            )
            np.testing.assert_array_equal(
                sess.run([grad_x, grad_w], {**feed, p: False}), [[6, 8], [0, 0]]
            )

    def test_backward_pass_sees_the_forward_random_draw(self, graph):
        x = tf.constant(np.ones(5))
        y = v2.cond(
            tf.constant(True),
            lambda: x * tf.random.uniform([5], dtype=tf.float64, seed=1),
            lambda: x,
        )
        (grad,) = tf.gradients(tf.reduce_sum(y), [x])
        with v1.Session() as sess:
            forward, backward = sess.run([y, grad])
        np.testing.assert_array_equal(forward, backward)  # d(x * noise)/dx = noise

    def test_nested_control_flow(self):
        def cond_in_while(x):
            def body(i, z):
                return i + 1, v2.cond(z > 1.0, lambda: z * 0.5 * x, lambda: z * 3.0)

            return v2.while_loop(lambda i, z: i < 4, body, [0, x])[1]

        def while_in_cond(x):
            def grow():
                return v2.while_loop(lambda r: r < 50.0, lambda r: r * x, [x])[0]

            return v2.cond(x > 0.0, grow, lambda: x)

        for build in (cond_in_while, while_in_cond):
            check_gradients(build, [np.array(1.7)])

    def test_loop_invariant_capture_accumulates(self, graph):
        a = v1.placeholder(tf.float64, [])
        _, total = v2.while_loop(
            lambda i, t: i < 4, lambda i, t: (i + 1, t + a * a), [0, tf.constant(0.0, tf.float64)]
        )
        (grad,) = tf.gradients(total, [a])
        assert run(grad, {a: 3.0}) == pytest.approx(4 * 2 * 3.0)

    def test_back_prop_false_stops_gradients(self, graph):
        x = tf.constant(2.0)
        (y,) = v2.while_loop(lambda v: v < 10.0, lambda v: [v * x], [x], back_prop=False)
        assert tf.gradients(y, [x]) == [None]

    def test_gradient_of_integer_loop_is_none(self, graph):
        n = tf.constant(3)
        i = v2.while_loop(lambda i: i < 10, lambda i: i + n, n)
        assert tf.gradients(i, [n]) == [None]
