"""``tf.custom_gradient`` and ``Graph.gradient_override_map`` in TF1 graphs, and
``tf.py_function``: what the recorded TF cases (``test_functional_control.py``) do not
cover: variables, structures, the errors, GraphDefs, and the function's arguments."""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf
from tests.runtime.gradcheck import check_gradients

v1 = tf.compat.v1


def _session_run(fetches, feed=None):
    with v1.Session() as sess:
        sess.run(v1.global_variables_initializer())
        return sess.run(fetches, feed)


# -- custom_gradient ---------------------------------------------------------------------


def test_the_gradient_is_grad_fns_and_the_value_fs():
    @tf.custom_gradient
    def cube_with_a_doubled_gradient(x):
        return x**3, lambda dy: dy * 6.0 * x * x

    with tf.Graph().as_default():
        x = tf.constant([1.0, -2.0])
        y = cube_with_a_doubled_gradient(x)
        value, grad = _session_run([y, tf.gradients(y, x)[0]])
    np.testing.assert_allclose(value, [1.0, -8.0])
    np.testing.assert_allclose(grad, [6.0, 24.0])


def test_a_correct_custom_gradient_passes_finite_differences():
    @tf.custom_gradient
    def softplus(x):
        return tf.math.log1p(tf.exp(x)), lambda dy: dy * tf.sigmoid(x)

    check_gradients(lambda x: softplus(x) * x, [np.array([-1.5, 0.2, 3.0])])


def test_variables_read_by_f_get_the_gradients_grad_fn_gives_them():
    with tf.Graph().as_default():
        w = tf.Variable(3.0, name="w")
        unused = tf.Variable(5.0, name="unused")
        del unused
        seen = []

        @tf.custom_gradient
        def scaled(x):
            def grad(dy, variables=None):
                seen.extend(variables)
                return dy * w, [tf.reduce_sum(dy * x) * 10.0]

            return x * w, grad

        x = tf.constant([1.0, 2.0])
        y = scaled(x)
        dx, dw = tf.gradients(y, [x, w])
        values = _session_run([y, dx, dw])
    assert [v.op.name for v in seen] == ["w"]  # only what f reads, as TF finds them
    np.testing.assert_allclose(values[0], [3.0, 6.0])
    np.testing.assert_allclose(values[1], [3.0, 3.0])
    assert values[2] == pytest.approx(30.0)


def test_a_grad_fn_that_takes_no_variables_is_refused_when_f_reads_one():
    with tf.Graph().as_default():
        w = tf.Variable(2.0)

        @tf.custom_gradient
        def scaled(x):
            return x * w, lambda dy: dy

        with pytest.raises(TypeError, match="grad_fn must accept keyword argument 'variables'"):
            scaled(tf.constant(1.0))


def test_variables_created_inside_f_are_refused_as_tf1_graphs_refuse_them():
    @tf.custom_gradient
    def makes_a_variable(x):
        w = v1.get_variable("inside", [], initializer=v1.ones_initializer())
        return x * w, lambda dy, variables=None: (dy, [dy])

    with tf.Graph().as_default():
        with pytest.raises(TypeError, match="must be `ResourceVariable`s"):
            makes_a_variable(tf.constant(1.0))


def test_a_wrong_number_of_variable_gradients_fails_when_differentiated():
    with tf.Graph().as_default():
        w = tf.Variable(2.0)

        @tf.custom_gradient
        def scaled(x):
            return x * w, lambda dy, variables=None: (dy, [dy, dy])

        y = scaled(tf.constant(1.0))
        with pytest.raises(ValueError, match="Must return gradient for each variable"):
            tf.gradients(y, w)


def test_structured_results_and_the_decorator_called_without_f():
    @tf.custom_gradient()
    def stats(x):
        def grad(d_mean, d_total):
            return tf.ones_like(x) * (d_mean / 4.0 + d_total)

        return {"mean": tf.reduce_mean(x), "total": tf.reduce_sum(x)}, grad

    with tf.Graph().as_default():
        x = tf.constant([1.0, 2.0, 3.0, 6.0])
        result = stats(x)
        assert sorted(result) == ["mean", "total"]
        grad = tf.gradients(result["mean"] * 8.0 + result["total"], x)[0]
        values = _session_run([result, grad])
    assert values[0] == {"mean": 3.0, "total": 12.0}
    np.testing.assert_allclose(values[1], [3.0, 3.0, 3.0, 3.0])


def _scaling_gradient(factor: float):
    @tf.custom_gradient
    def scaled_gradient(x):
        return tf.identity(x), lambda dy: dy * factor

    return scaled_gradient


def test_each_call_has_its_own_gradient_and_survives_a_graph_def_round_trip():
    with tf.Graph().as_default() as graph:
        x = tf.constant(1.0, name="x")
        y = _scaling_gradient(2.0)(x) + _scaling_gradient(5.0)(x)
        assert _session_run(tf.gradients(y, x)) == [7.0]
        graph_def = graph.as_graph_def()
    with tf.Graph().as_default():
        v1.import_graph_def(graph_def, name="")
        graph = v1.get_default_graph()
        x, y = graph.get_tensor_by_name("x:0"), graph.get_tensor_by_name(y.name)
        assert _session_run(tf.gradients(y, x)) == [7.0]


# -- gradient_override_map ---------------------------------------------------------------


@v1.RegisterGradient("TestTripledGradient")
def _tripled(op, grad):
    return [3.0 * grad]


def test_only_ops_made_inside_take_the_overriding_gradient_and_maps_nest():
    with tf.Graph().as_default() as graph:
        x = tf.constant(2.0)
        plain = tf.identity(x)
        with graph.gradient_override_map({"Identity": "TestTripledGradient"}):
            tripled = tf.identity(x)
            with graph.gradient_override_map({"Identity": "StopGradient"}):
                stopped = tf.identity(x)
            tripled_again = tf.identity(x)
        plain_again = tf.identity(x)
        assert tripled.op.get_attr("_gradient_op_type") == b"TestTripledGradient"
        assert tf.gradients(stopped, x) == [None]
        grads = [tf.gradients(t, x)[0] for t in (plain, tripled, tripled_again, plain_again)]
        assert _session_run(grads) == [1.0, 3.0, 3.0, 1.0]


def test_an_override_with_no_gradient_registered_names_the_op():
    with tf.Graph().as_default() as graph:
        x = tf.constant(1.0)
        with graph.gradient_override_map({"Identity": "NoSuchGradient"}):
            y = tf.identity(x, name="overridden")
        with pytest.raises(LookupError, match="overridden"):
            tf.gradients(y, x)


# -- py_function -------------------------------------------------------------------------


def test_py_function_arguments_answer_numpy_and_results_convert_like_tensors():
    seen = []

    def describe(values, flag):
        seen.append((type(values.numpy()), type(flag.numpy())))
        return values * 2, np.bool_(flag.numpy()), [1, 2]

    with tf.Graph().as_default():
        x = tf.constant([1.0, 2.0])
        doubled, flag, listed = tf.py_function(
            describe, [x, tf.constant(True)], [tf.float64, tf.float32, tf.int64]
        )
        assert doubled.shape.rank is None and doubled.op.type == "EagerPyFunc"
        values = _session_run([doubled, flag, listed])
    assert seen == [(np.ndarray, np.bool_)]
    assert values[0].dtype == np.float64 and values[0].tolist() == [2.0, 4.0]
    assert values[1].dtype == np.float32 and values[1] == 1.0
    assert values[2].dtype == np.int64 and values[2].tolist() == [1, 2]


def test_py_function_as_a_decorator_and_with_no_results():
    calls = []

    with tf.Graph().as_default():

        @tf.py_function(inp=[tf.constant(3)], Tout=[])
        def record(value):
            calls.append(int(value.numpy()))

        assert isinstance(record, tf.Operation)
        v1.Session().run(record)
        v1.Session().run(record)
    assert calls == [3, 3]


def test_py_function_runs_each_time_and_has_no_gradient():
    count = []

    def tick(x):
        count.append(1)
        return x

    with tf.Graph().as_default():
        x = tf.constant(1.0)
        a = tf.py_function(tick, [x], tf.float32)
        b = tf.py_function(tick, [x], tf.float32)  # stateful: never merged with a
        assert tf.gradients(a, x) == [None]
        _session_run([a, b])
    assert len(count) == 2


def test_py_function_result_count_and_errors_are_tfs():
    with tf.Graph().as_default():
        x = tf.constant(1.0)
        two = tf.py_function(lambda v: (v,), [x], [tf.float32, tf.float32])
        with pytest.raises(tf.errors.InvalidArgumentError, match="returns 1 values"):
            _session_run(two)
        stop = tf.py_function(_stop, [x], tf.float32)
        with pytest.raises(tf.errors.OutOfRangeError):
            _session_run(stop)


def _stop(value):
    raise StopIteration
