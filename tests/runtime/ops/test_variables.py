"""TF1 reference variables: graph shape, session state, updates, rollback, placement."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runtime as tf
from runtime.errors import FailedPreconditionError, InvalidArgumentError

v1 = tf.compat.v1


class TestGraphShape:
    def test_ops_names_and_dtypes(self, graph):
        v = tf.Variable([1.0, 2.0], name="v")
        ops = {op.name: op for op in graph.get_operations()}
        assert [op.name for op in graph.get_operations()] == [
            "v/initial_value",
            "v",
            "v/Assign",
            "v/read",
        ]
        assert ops["v"].type == "VariableV2"
        assert ops["v"].outputs[0].dtype == tf.float32._as_ref
        assert ops["v/Assign"].inputs[0] is ops["v"].outputs[0]
        assert ops["v/read"].type == "Identity" and ops["v/read"].outputs[0].dtype == tf.float32
        assert v.name == "v:0" and v.op is ops["v"]
        assert v.dtype == tf.float32._as_ref and v.dtype.name == "float32_ref"
        assert v.shape == tf.TensorShape([2]) and v.get_shape() == tf.TensorShape([2])
        assert v.initializer is ops["v/Assign"]
        assert v.value() is ops["v/read"].outputs[0]
        assert repr(v) == "<tf.Variable 'v:0' shape=(2,) dtype=float32_ref>"

    def test_uses_read_the_snapshot(self, graph):
        v = tf.Variable([[1.0, 2.0]], name="w")
        y = tf.matmul(tf.constant([[1.0], [1.0]]), v)
        assert y.op.inputs[1].op.name == "w/read"

    def test_unique_names_and_default_name(self, graph):
        a = tf.Variable(1.0)
        b = tf.Variable(1.0)
        c = tf.Variable(1.0, name="v")
        d = tf.Variable(1.0, name="v")
        assert [x.op.name for x in (a, b, c, d)] == ["Variable", "Variable_1", "v", "v_1"]

    def test_callable_initial_value_gets_initializer_scope(self, graph):
        v = tf.Variable(lambda: tf.constant([3.0]), name="v")
        assert v.initial_value.op.name == "v/Initializer/Const"

    def test_created_outside_control_dependencies(self, graph):
        c = tf.constant(1.0)
        with tf.control_dependencies([c]):
            tf.Variable(1.0, name="v")
        assert all(not op.control_inputs for op in graph.get_operations() if op.name[0] == "v")

    def test_collections(self, graph):
        a = tf.Variable(1.0, name="a")
        b = tf.Variable(1.0, name="b", trainable=False)
        loc = tf.Variable(
            1.0, name="loc", trainable=False, collections=[v1.GraphKeys.LOCAL_VARIABLES]
        )
        assert v1.global_variables() == [a, b]
        assert v1.trainable_variables() == [a]
        assert v1.local_variables() == [loc]
        assert v1.global_variables(scope="b") == [b]
        assert graph.get_collection(v1.GraphKeys.TRAINABLE_VARIABLES) == [a]

    def test_initializers_group(self, graph):
        tf.Variable(1.0, name="a")
        tf.Variable(1.0, name="b")
        init = v1.global_variables_initializer()
        assert init.name == "init" and init.type == "NoOp"
        assert [op.name for op in init.control_inputs] == ["a/Assign", "b/Assign"]
        assert v1.local_variables_initializer().type == "NoOp"
        assert v1.variables_initializer([]).control_inputs == []

    def test_assign_needs_a_reference(self, graph):
        with pytest.raises(TypeError, match="'Assign' Op requires that input 'ref' be a mutable"):
            v1.assign(tf.constant(1.0), 2.0)

    def test_assign_checks_shape_when_built(self, graph):
        v = tf.Variable([1.0, 2.0, 3.0], name="v")
        with pytest.raises(
            ValueError,
            match=r"Dimension 0 in both shapes must be equal, but are 3 and 2.*node Assign",
        ):
            v.assign([1.0, 2.0])
        ints = tf.Variable([1, 2], name="ints")
        with pytest.raises(TypeError, match="Expected int32, but got"):
            ints.assign([1.5, 2.5])
        with pytest.raises(TypeError, match="type float32 that does not match type int32"):
            ints.assign(tf.constant([1.5, 2.5]))

    def test_assign_names(self, graph):
        v = tf.Variable(1.0, name="v")
        a = v.assign(2.0)
        assert a.op.name == "Assign" and a.op.inputs[1].op.name == "Assign/value"
        assert v.assign_add(1.0, read_value=False).type == "AssignAdd"
        assert v.assign_sub(1.0, name="dec").op.name == "dec"


class TestSessionState:
    def test_uninitialized_read_names_the_variable(self, graph, sess):
        v = tf.Variable([1.0], name="weights")
        y = v * 2.0
        with pytest.raises(FailedPreconditionError) as info:
            sess.run(y)
        assert "Attempting to use uninitialized value weights" in info.value.message
        assert info.value.op.name == "weights/read"

    def test_initialize_and_fetch(self, graph, sess):
        v = tf.Variable([[1.0, 2.0]], name="v")
        sess.run(v1.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(v), [[1.0, 2.0]])
        np.testing.assert_array_equal(sess.run("v:0"), [[1.0, 2.0]])
        np.testing.assert_array_equal(sess.run(v * 2.0), [[2.0, 4.0]])
        with sess.as_default():
            np.testing.assert_array_equal(v.eval(), [[1.0, 2.0]])

    def test_assign_ops_return_new_values(self, graph, sess):
        v = tf.Variable(10, name="v")
        sess.run(v.initializer)
        assert sess.run(v.assign_add(5)) == 15
        assert sess.run(v1.assign_sub(v, 3)) == 12
        assert sess.run(v.assign(7)) == 7
        assert sess.run(v.read_value()) == 7
        assert sess.run(v) == 7

    def test_uses_under_control_dependencies_read_after_them(self, graph, sess):
        # TF's v/read aliases the buffer, so these see the update (values from TF 2.21).
        v = tf.Variable(1.0, name="v")
        w = tf.Variable(0.0, name="w")
        inc = v.assign_add(10.0)
        with tf.control_dependencies([inc]):
            through_identity = tf.identity(v)
            through_operator = v * 1.0
            copied = v1.assign(w, v)
        assert through_identity.op.inputs[0].op.control_inputs == [inc.op]
        sess.run(v1.global_variables_initializer())
        assert sess.run([through_identity, through_operator, copied]) == [11.0, 11.0, 11.0]
        assert sess.run(tf.identity(v)) == 11.0  # outside the block: v/read

    def test_moving_average_applied_after_the_train_op_averages_its_result(self, graph, sess):
        w = tf.Variable(0.0, name="w")
        train = v1.train.GradientDescentOptimizer(1.0).minimize(-w)  # w += 1 a step
        ema = v1.train.ExponentialMovingAverage(0.5)
        with tf.control_dependencies([train]):
            train = ema.apply([w])
        sess.run(v1.global_variables_initializer())
        for _ in range(3):
            sess.run(train)
        assert sess.run([w, ema.average(w)]) == [3.0, 2.125]  # TF 2.21

    def test_a_variable_fetched_with_its_update_shows_the_update(self, graph, sess):
        # TF's v/read aliases the buffer: the fetch shows the run's updates (TF 2.21).
        v = tf.Variable(0, name="v")
        inc = v1.assign_add(v, 1)
        w = tf.Variable(0.0, name="w")
        step = v1.train.get_or_create_global_step()
        train = v1.train.GradientDescentOptimizer(0.1).minimize(tf.square(w - 1), global_step=step)
        sess.run(v1.global_variables_initializer())
        assert sess.run([inc, v]) == [1, 1] and sess.run([v, inc]) == [2, 2]
        _, fetched_step, fetched_w = sess.run([train, step, w])
        assert fetched_step == 1 and fetched_w == np.float32(0.2)
        assert sess.run({"v": v, "read": v.read_value()}) == {"v": 2, "read": 2}
        assert sess.run(v.value() * 1) == 2  # a value computed from the read: as it was

    def test_each_session_has_its_own_values(self, graph):
        v = tf.Variable(1.0, name="v")
        inc = v.assign_add(1.0)
        with v1.Session(graph=graph) as a, v1.Session(graph=graph) as b:
            a.run(v.initializer)
            b.run(v.initializer)
            a.run(inc)
            assert (a.run(v), b.run(v)) == (2.0, 1.0)

    def test_load_and_feed(self, graph, sess):
        v = tf.Variable([0.0, 0.0], name="v")
        v.load([3.0, 4.0], sess)
        np.testing.assert_array_equal(sess.run(v), [3.0, 4.0])
        # Feeding a variable overrides its reads for one run only.
        np.testing.assert_array_equal(sess.run(v * 1.0, {v: [9.0, 9.0]}), [9.0, 9.0])
        np.testing.assert_array_equal(sess.run(v), [3.0, 4.0])

    def test_feed_the_reference_tensor_by_name(self, graph, sess):
        v = tf.Variable([1.0, 2.0], name="v")
        y = v * 2.0
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(y, {"v:0": [3.0, 3.0]}), [6.0, 6.0])
        np.testing.assert_array_equal(sess.run(y), [2.0, 4.0])

    def test_report_uninitialized_variables(self, graph, sess):
        a = tf.Variable(1.0, name="a")
        tf.Variable(2.0, name="scope/b")
        tf.Variable(3.0, name="c", trainable=False, collections=[v1.GraphKeys.LOCAL_VARIABLES])
        report = v1.report_uninitialized_variables()
        assert report.dtype == tf.string and report.op.name.startswith("report_uninitialized")
        assert sess.run(report).tolist() == [b"a", b"scope/b", b"c"]
        sess.run(a.initializer)
        assert sess.run(report).tolist() == [b"scope/b", b"c"]
        sess.run(v1.global_variables_initializer())
        sess.run(v1.local_variables_initializer())
        assert sess.run(report).shape == (0,)
        assert sess.run(v1.report_uninitialized_variables([])).shape == (0,)

    def test_initialized_value(self, graph, sess):
        a = tf.Variable(2.0, name="a")
        b = tf.Variable(a.initialized_value() * 3.0, name="b")
        sess.run(b.initializer)  # before a's: the initial value is used
        assert sess.run(b) == 6.0
        sess.run(a.initializer)
        sess.run(a.assign(5.0))
        sess.run(b.initializer)
        assert sess.run(b) == 15.0

    def test_is_variable_initialized(self, graph, sess):
        v = tf.Variable(0.0, name="v")
        done = v1.is_variable_initialized(v)
        assert done.dtype == tf.bool and done.shape == tf.TensorShape([])
        assert not sess.run(done)
        sess.run(v.initializer)
        assert sess.run(done)

    def test_fetched_and_fed_arrays_do_not_alias_the_variable(self, graph, sess):
        v = tf.Variable([1.0, 2.0], name="v")
        p = v1.placeholder(tf.float32, [2])
        load = v.assign(p)
        fed = np.array([5.0, 6.0], np.float32)
        sess.run(load, {p: fed})
        fed[0] = -1.0
        fetched = sess.run(v)
        fetched[1] = -1.0
        np.testing.assert_array_equal(sess.run(v), [5.0, 6.0])

    def test_failed_step_rolls_back(self, graph, sess):
        v = tf.Variable(1.0, name="v")
        never = tf.Variable(0.0, name="never")
        inc = v.assign_add(1.0)
        with tf.control_dependencies([inc]):
            bad = never.read_value()
        sess.run(v.initializer)
        with pytest.raises(FailedPreconditionError, match="uninitialized value never"):
            sess.run(bad)
        assert sess.run(v) == 1.0
        sess.run(inc)
        assert sess.run(v) == 2.0

    def test_failed_step_rolls_back_every_update_in_order(self, graph, sess):
        v = tf.Variable([1, 1], name="v")
        never = tf.Variable(0, name="never")
        first = v.assign([5, 5])
        with tf.control_dependencies([first]):
            second = v.assign_add([1, 2])
        with tf.control_dependencies([second]):
            bad = never.read_value()
        sess.run(v.initializer)
        with pytest.raises(FailedPreconditionError, match="uninitialized value never"):
            sess.run(bad)
        np.testing.assert_array_equal(sess.run(v), [1, 1])

    def test_runtime_shape_check(self, graph, sess):
        v = tf.Variable([1.0, 2.0, 3.0], name="v")
        p = v1.placeholder(tf.float32)
        with pytest.raises(InvalidArgumentError, match=r"lhs shape= \[3\] rhs shape= \[2\]"):
            sess.run(v.assign(p), {p: [1.0, 2.0]})

    def test_validate_shape_false_lets_the_shape_change(self, graph, sess):
        v = tf.Variable([1.0], name="v", validate_shape=False)
        assert v.shape.rank is None
        p = v1.placeholder(tf.float32)
        grow = v1.assign(v, p, validate_shape=False)
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(grow, {p: [1.0, 2.0, 3.0]}), [1.0, 2.0, 3.0])

    def test_operators(self, graph, sess):
        v = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="v")
        sess.run(v.initializer)
        m = np.eye(2, dtype=np.float32)
        np.testing.assert_array_equal(sess.run(v + 1.0), [[2.0, 3.0], [4.0, 5.0]])
        np.testing.assert_array_equal(sess.run(1.0 - v), [[0.0, -1.0], [-2.0, -3.0]])
        np.testing.assert_array_equal(sess.run(v @ m), [[1.0, 2.0], [3.0, 4.0]])
        np.testing.assert_array_equal(sess.run(-v), [[-1.0, -2.0], [-3.0, -4.0]])
        with pytest.raises(TypeError, match="as a Python `bool` is not allowed"):
            bool(v)

    def test_initial_value_from_another_variable(self, graph, sess):
        a = tf.Variable(2.0, name="a")
        b = tf.Variable(a * 3.0, name="b")
        sess.run(a.initializer)
        sess.run(b.initializer)
        assert sess.run(b) == 6.0

    def test_runs_on_the_thread_pool(self, graph):
        config = v1.ConfigProto(inter_op_parallelism_threads=4)
        vs = [tf.Variable([[float(i)]], name=f"v{i}") for i in range(8)]
        incs = [v.assign_add(tf.matmul([[1.0]], [[1.0]])) for v in vs]
        with v1.Session(graph=graph, config=config) as sess:
            sess.run(v1.global_variables_initializer())
            sess.run(incs)
            assert [x[0, 0] for x in sess.run(vs)] == [float(i + 1) for i in range(8)]


class TestPlacement:
    def test_assign_is_placed_with_its_variable(self, graph):
        config = v1.ConfigProto(device_count={"CPU": 2})
        with tf.device("/cpu:1"):
            v = tf.Variable(1.0, name="v")
        inc = v.assign_add(1.0)  # built outside the device scope
        with v1.Session(graph=graph, config=config) as sess:
            placement = sess.placement()
            sess.run(v.initializer)
            assert sess.run(inc) == 2.0
        cpu1 = "/job:localhost/replica:0/task:0/device:CPU:1"
        assert {placement[name] for name in ("v", "v/Assign", "v/read", "AssignAdd")} == {cpu1}
        assert v.value().op.colocation_groups() == [b"loc:@v"]


@settings(deadline=None, max_examples=25)
@given(
    st.lists(st.tuples(st.sampled_from(["assign", "add", "sub"]), st.integers(-5, 5)), max_size=8)
)
def test_updates_match_a_numpy_model(updates):
    with tf.Graph().as_default() as g:
        v = tf.Variable(np.zeros(3, np.int64), name="v")
        p = v1.placeholder(tf.int64, [3])
        ops = {"assign": v.assign(p), "add": v.assign_add(p), "sub": v.assign_sub(p)}
        model = np.zeros(3, np.int64)
        with v1.Session(graph=g) as sess:
            sess.run(v.initializer)
            for kind, k in updates:
                delta = np.arange(3, dtype=np.int64) * k
                got = sess.run(ops[kind], {p: delta})
                model = {"assign": delta, "add": model + delta, "sub": model - delta}[kind]
                np.testing.assert_array_equal(got, model)
            np.testing.assert_array_equal(sess.run(v), model)
