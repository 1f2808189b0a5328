"""partial_run_setup / partial_run: TF's session_partial_run_test.py behaviours."""

from __future__ import annotations

import pytest

import runtime as tf

tf1 = tf.compat.v1


@pytest.fixture
def chain(sess):
    a = tf1.placeholder(tf.float32, shape=[])
    b = tf1.placeholder(tf.float32, shape=[])
    c = tf1.placeholder(tf.float32, shape=[])
    r1 = tf.add(a, b)
    r2 = tf.multiply(r1, c)
    return sess, a, b, c, r1, r2


def test_partial_run(chain):
    sess, a, b, c, r1, r2 = chain
    for factor, expected in ((17, 153), (18, 162)):  # a second handle on the same graph
        h = sess.partial_run_setup([r1, r2], [a, b, c])
        res = sess.partial_run(h, r1, feed_dict={a: 1, b: 2})
        assert res == 3
        assert sess.partial_run(h, r2, feed_dict={c: res * factor}) == expected


def test_incomplete_partial_run_may_be_abandoned(chain):
    sess, a, b, c, r1, r2 = chain
    h = sess.partial_run_setup([r1, r2], [a, b, c])
    assert sess.partial_run(h, r1, feed_dict={a: 1, b: 2}) == 3
    assert sess.run(r2, {a: 1, b: 1, c: 2}) == 4


def test_concurrent_partial_runs(chain):
    sess, a, b, c, r1, r2 = chain
    h1 = sess.partial_run_setup([r1], [a, b, c])
    h2 = sess.partial_run_setup([r1, r2], [a, b, c])
    res = sess.partial_run(h1, r1, feed_dict={a: 1, b: 2})
    assert res == 3
    res = sess.partial_run(h2, r1, feed_dict={a: res * 19, b: 9})
    assert res == 66
    assert sess.partial_run(h2, r2, feed_dict={c: 7}) == 462


def test_many_partial_runs(graph, sess):
    steps = 200
    inputs, outputs = [], []
    a = tf.constant(2.0)
    for _ in range(steps):
        inputs.append(tf1.placeholder(tf.float32, shape=[]))
        a = tf.multiply(a, inputs[-1])
        outputs.append(a)
    h = sess.partial_run_setup(outputs, inputs)
    for i in range(steps):
        res = sess.partial_run(h, outputs[i], feed_dict={inputs[i]: 1.0})
    assert res == 2.0
    res = sess.run(outputs, {t: 1.0 for t in inputs})
    assert len(res) == steps and res[-1] == 2.0


def test_run_and_partial_run_agree(graph, sess):
    a = tf.constant(2.0)
    b = a * 2
    c = b * 3
    h = sess.partial_run_setup([b, c], [])
    assert sess.run([b, c]) == sess.partial_run(h, [b, c]) == [4.0, 12.0]


def test_fetch_structures(graph, sess):
    a = tf1.placeholder(tf.float32)
    b = a * 2.0
    c = a * 3.0
    h = sess.partial_run_setup({"b": b, "c": c}, [a])
    assert sess.partial_run(h, {"x": (b,)}, {a: 1.0}) == {"x": (2.0,)}
    assert sess.partial_run(h, [c]) == [3.0]


def test_missing_placeholder_feed(chain):
    sess, a, b, c, r1, r2 = chain
    h = sess.partial_run_setup([r1, r2], [a, b, c])
    with pytest.raises(
        tf.errors.InvalidArgumentError, match="You must feed a value for placeholder"
    ):
        sess.partial_run(h, r2, feed_dict={a: 1, b: 2})


def test_unspecified_feed(chain):
    sess, a, b, c, r1, _ = chain
    h = sess.partial_run_setup([r1], [a, b])
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"was not specified in partial_run_setup\.$"
    ):
        sess.partial_run(h, r1, feed_dict={a: 1, b: 2, c: 3})


def test_unspecified_fetch(chain):
    sess, a, b, c, r1, r2 = chain
    h = sess.partial_run_setup([r1], [a, b, c])
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"was not specified in partial_run_setup\.$"
    ):
        sess.partial_run(h, r2, feed_dict={a: 1, c: 3})


def test_already_fed(chain):
    sess, a, b, c, r1, r2 = chain
    h = sess.partial_run_setup([r1, r2], [a, b, c])
    sess.partial_run(h, r1, feed_dict={a: 1, b: 2})
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"has already been fed\.$"):
        sess.partial_run(h, r2, feed_dict={a: 1, c: 3})


def test_already_fetched(chain):
    sess, a, b, c, r1, r2 = chain
    h = sess.partial_run_setup([r1, r2], [a, b, c])
    sess.partial_run(h, r1, feed_dict={a: 1, b: 2})
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"has already been fetched\.$"):
        sess.partial_run(h, r1, feed_dict={c: 3})


def test_empty_fetches(graph, sess):
    a = tf1.placeholder(tf.float32)
    b = a * 2.0
    h = sess.partial_run_setup(fetches=[b], feeds=[a])
    assert sess.partial_run(h, [], {a: 3.0}) == []
    assert sess.partial_run(h, [b], {}) == [6.0]


def test_invalid_setup(graph, sess):
    x = tf1.placeholder(tf.float32, shape=[])
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"specify at least one target to fetch or execute\."
    ):
        sess.partial_run_setup(fetches=[], feeds=[x])


def test_setup_without_feeds(graph, sess):
    r1 = tf.constant([6.0])
    h = sess.partial_run_setup([r1])
    assert sess.partial_run(h, r1).tolist() == [6.0]


def test_bogus_handle_is_an_op_error_without_an_op(graph, sess):
    tf.constant(1.0)
    with pytest.raises(tf.errors.OpError, match="Partial run handle 'foo' is not valid") as info:
        sess.partial_run("foo", [])
    err = info.value
    assert err.op is None and err.node_def is None
    assert err.error_code == tf.errors.INVALID_ARGUMENT


def test_ops_cannot_be_fetched(graph, sess):
    a = tf1.placeholder(tf.float32)
    op = tf.identity(a).op
    h = sess.partial_run_setup([op], [a])
    with pytest.raises(RuntimeError, match="partial_run\\(\\) requires empty `target_list`"):
        sess.partial_run(h, op, {a: 1.0})


def test_feed_keys_must_be_tensors(graph, sess):
    a = tf1.placeholder(tf.float32, name="a")
    with pytest.raises(TypeError, match="Cannot interpret feed_list key as Tensor"):
        sess.partial_run_setup([a], ["a"])


def test_closed_session(graph):
    a = tf1.placeholder(tf.float32)
    sess = tf1.Session()
    h = sess.partial_run_setup([a * 2.0], [a])
    sess.close()
    with pytest.raises(RuntimeError, match="Attempted to use a closed Session"):
        sess.partial_run(h, [], {a: 1.0})
    with pytest.raises(RuntimeError, match="Attempted to use a closed Session"):
        sess.partial_run_setup([a])
