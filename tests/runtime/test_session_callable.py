"""make_callable and _make_callable_from_options, with and without run options."""

from __future__ import annotations

import collections

import pytest

import runtime as tf

tf1 = tf.compat.v1


def test_callable_with_feed_list(graph, sess):
    x = tf1.placeholder(tf.float32, name="x")
    y = tf1.placeholder(tf.float32, name="y")
    f = sess.make_callable({"sum": x + y, "xs": [x]}, [x, "y:0"])
    assert f(1.0, 2.0) == {"sum": 3.0, "xs": [1.0]}
    f_tuple = sess.make_callable((x * 2.0,), feed_list=(x,))
    assert f_tuple(4.0) == (8.0,)


def test_callable_namedtuple(graph, sess):
    Pair = collections.namedtuple("Pair", "a b")
    a = tf.constant(1.0)
    assert sess.make_callable(Pair(a, a.op))() == Pair(1.0, None)


def test_feed_list_must_be_a_list_or_tuple(graph, sess):
    x = tf1.placeholder(tf.float32)
    with pytest.raises(TypeError, match=r"`feed_list` must be a list or tuple\."):
        sess.make_callable(x, x)


def test_wrong_number_of_feed_values(graph, sess):
    x = tf1.placeholder(tf.float32)
    f = sess.make_callable(x * 1.0, [x])
    with pytest.raises(
        TypeError, match=r"The callable takes 1 feed value\(s\) \(Placeholder:0\), got 2"
    ):
        f(1.0, 2.0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="takes 1 feed value"):
        f()  # TF's class: the placeholder is left unfed


def test_feed_values_are_checked(graph, sess):
    x = tf1.placeholder(tf.float32, shape=[2])
    f = sess.make_callable(x * 1.0, [x])
    with pytest.raises(ValueError, match="Cannot feed value of shape"):
        f([1.0])


def test_options_only_with_accept_options(graph, sess):
    x = tf.constant(1.0)
    with pytest.raises(TypeError, match="unexpected keyword argument 'options'"):
        sess.make_callable(x)(options=tf1.RunOptions())


def test_callable_on_tensor_with_run_options(graph, sess):  # 58
    a = tf.constant(42.0)
    b = a * 2.0
    f = sess.make_callable(b, accept_options=True)
    meta = tf1.RunMetadata()
    assert (
        f(options=tf1.RunOptions(trace_level=tf1.RunOptions.FULL_TRACE), run_metadata=meta) == 84.0
    )
    assert len(meta.step_stats.dev_stats) > 0
    assert f() == 84.0


def test_callable_on_operation_with_run_options(graph, sess):  # 59
    v = tf1.Variable(42.0)
    inc = v.assign_add(1.0)
    sess.run(v.initializer)
    f = sess.make_callable(inc.op, accept_options=True)
    meta = tf1.RunMetadata()
    assert (
        f(options=tf1.RunOptions(trace_level=tf1.RunOptions.FULL_TRACE), run_metadata=meta) is None
    )
    assert sess.run(v) == 43.0
    assert len(meta.step_stats.dev_stats) > 0


def test_callable_with_feed_list_and_run_options(graph, sess):  # 60
    ph = tf1.placeholder(tf.float32)
    a = ph + 1.0
    f = sess.make_callable(a, feed_list=[ph.name], accept_options=True)
    meta = tf1.RunMetadata()
    assert f(41.0, options=tf1.RunOptions(trace_level=3), run_metadata=meta) == 42.0
    assert len(meta.step_stats.dev_stats) > 0


def test_callable_from_options(graph, sess):  # 61
    ph = tf1.placeholder(tf.float32, name="ph")
    a = ph + 1.0
    options = tf1.CallableOptions(feed=[ph.name], fetch=[a.name])
    f = sess._make_callable_from_options(options)
    for _ in range(3):
        for _ in range(5):
            assert f(1.0) == [2.0]


def test_callable_from_options_with_targets_and_metadata(graph, sess):  # 62
    v = tf1.Variable(0.0, name="v")
    inc = v.assign_add(1.0)
    sess.run(v.initializer)
    options = tf1.CallableOptions(fetch=[v.name], target=[inc.op.name])
    options.run_options.trace_level = tf1.RunOptions.FULL_TRACE
    f = sess._make_callable_from_options(options)
    meta = tf1.RunMetadata()
    result = f(run_metadata=meta)
    assert isinstance(result, list) and len(result) == 1
    assert sess.run(v) == 1.0
    assert len(meta.step_stats.dev_stats) > 0


def test_callable_after_close(graph):
    c = tf.constant(1.0)
    sess = tf1.Session()
    f = sess.make_callable(c)
    sess.close()
    with pytest.raises(RuntimeError, match="Attempted to use a closed Session"):
        f()
