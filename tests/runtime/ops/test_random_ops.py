"""Random ops: TF's seed rules, repeatable streams per session, distributions, shapes."""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf
from runtime.errors import InvalidArgumentError
from runtime.ops.random_ops import DEFAULT_GRAPH_SEED
from runtime.registry import get_gradient_function, get_op_def

N = 200_000  # samples for the moment checks: standard errors are ~0.002


def build(builder, graph_seed=None):
    """A fresh graph holding ``builder()``'s tensor, with an optional graph seed."""
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.set_random_seed(graph_seed)
        tensor = builder()
    return graph, tensor


def draws(graph, tensor, runs=2):
    with tf.compat.v1.Session(graph=graph) as sess:
        return [sess.run(tensor) for _ in range(runs)]


SAMPLERS = {
    "normal": lambda seed: tf.random.normal([4, 3], seed=seed),
    "uniform": lambda seed: tf.random.uniform([4, 3], seed=seed),
    "uniform_int": lambda seed: tf.random.uniform([12], maxval=1000, dtype=tf.int64, seed=seed),
    "truncated_normal": lambda seed: tf.random.truncated_normal([4, 3], seed=seed),
    "shuffle": lambda seed: tf.random.shuffle(np.arange(50), seed=seed),
}


# -- seeds --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SAMPLERS)
@pytest.mark.parametrize("graph_seed, op_seed", [(None, 7), (5, None), (5, 7)])
def test_seeded_streams_repeat_across_sessions_and_move_between_runs(name, graph_seed, op_seed):
    graph, tensor = build(lambda: SAMPLERS[name](op_seed), graph_seed)
    first, second = draws(graph, tensor)
    assert not np.array_equal(first, second)  # the stream moves on between runs
    again = draws(graph, tensor)
    np.testing.assert_array_equal(again[0], first)  # a new session starts it again
    np.testing.assert_array_equal(again[1], second)
    rebuilt_graph, rebuilt = build(lambda: SAMPLERS[name](op_seed), graph_seed)
    np.testing.assert_array_equal(draws(rebuilt_graph, rebuilt, runs=1)[0], first)


@pytest.mark.parametrize("name", SAMPLERS)
def test_unseeded_ops_differ_between_sessions(name):
    graph, tensor = build(lambda: SAMPLERS[name](None))
    assert not np.array_equal(draws(graph, tensor, 1)[0], draws(graph, tensor, 1)[0])


def test_graph_seed_gives_each_op_its_own_stream(graph):
    tf.random.set_seed(3)
    a = tf.random.normal([5])
    b = tf.random.normal([5])
    seeds = [t.op.inputs[0].op.inputs[0].op.get_attr("seed2") for t in (a, b)]
    assert seeds[0] != seeds[1]
    with tf.compat.v1.Session() as sess:
        first, second = sess.run([a, b])
    assert not np.array_equal(first, second)


def test_op_seed_changes_the_stream():
    graph, one = build(lambda: tf.random.normal([5], seed=1))
    other_graph, two = build(lambda: tf.random.normal([5], seed=2))
    assert not np.array_equal(draws(graph, one, 1)[0], draws(other_graph, two, 1)[0])


def test_get_seed_follows_tf_rules(graph):
    assert tf.compat.v1.get_seed(None) == (None, None)
    assert tf.compat.v1.get_seed(7) == (DEFAULT_GRAPH_SEED, 7)
    tf.compat.v1.set_random_seed(0)
    assert tf.compat.v1.get_seed(0) == (0, 2**31 - 1)  # (0, 0) would mean "unseeded"
    tf.random.set_seed(2**31 + 4)
    assert tf.random.get_seed(9) == (5, 9)  # seeds are taken modulo 2**31 - 1
    tf.constant(1.0)
    assert tf.random.get_seed(None) == (5, graph.version)
    assert graph.seed == 2**31 + 4


def test_seed_attrs_of_the_op(graph):
    sample = tf.random.uniform([2], seed=11)
    unseeded = tf.random.uniform([2])
    assert (sample.op.get_attr("seed"), sample.op.get_attr("seed2")) == (DEFAULT_GRAPH_SEED, 11)
    assert (unseeded.op.get_attr("seed"), unseeded.op.get_attr("seed2")) == (0, 0)


def test_failed_step_leaves_the_stream_where_it_was():
    def builder():
        sample = tf.random.normal([3], seed=4)
        with tf.control_dependencies([sample]):
            bad = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[7], logits=[[0.0, 1.0]])
        return sample, bad

    graph, (sample, bad) = build(builder)
    expected = draws(graph, sample, runs=2)
    with tf.compat.v1.Session(graph=graph) as sess:
        with pytest.raises(InvalidArgumentError, match="label value of 7"):
            sess.run([sample, bad])
        np.testing.assert_array_equal(sess.run(sample), expected[0])
        np.testing.assert_array_equal(sess.run(sample), expected[1])


# -- distributions ------------------------------------------------------------------------


def sample(tensor):
    with tf.compat.v1.Session() as sess:
        return sess.run(tensor)


@pytest.mark.parametrize("dtype", [tf.float16, tf.float32, tf.float64])
def test_normal_moments(graph, dtype):
    values = sample(tf.random.normal([N], mean=2.0, stddev=3.0, dtype=dtype, seed=1))
    assert values.dtype == dtype.as_numpy_dtype and values.shape == (N,)
    values = values.astype(np.float64)
    assert abs(values.mean() - 2.0) < 0.03 and abs(values.std() - 3.0) < 0.03


def test_uniform_float_range_and_moments(graph):
    unit = sample(tf.random.uniform([N], seed=1))
    ranged = sample(tf.random.uniform([N], minval=-2.0, maxval=6.0, dtype=tf.float64, seed=2))
    assert unit.min() >= 0 and unit.max() < 1 and abs(unit.mean() - 0.5) < 0.005
    assert ranged.min() >= -2 and ranged.max() < 6 and abs(ranged.mean() - 2.0) < 0.03
    assert abs(ranged.var() - 64 / 12) < 0.05


def test_uniform_float16_stays_below_one(graph):
    values = sample(tf.random.uniform([N], dtype=tf.float16, seed=3))
    assert values.dtype == np.float16 and values.max() < 1


@pytest.mark.parametrize("dtype", [tf.int32, tf.int64])
def test_uniform_int_range(graph, dtype):
    values = sample(tf.random.uniform([N], minval=-3, maxval=4, dtype=dtype, seed=5))
    assert values.dtype == dtype.as_numpy_dtype
    assert sorted(set(values.tolist())) == list(range(-3, 4))
    counts = np.bincount(values + 3)
    assert (abs(counts / N - 1 / 7) < 0.005).all()


def test_truncated_normal_within_two_stddev(graph):
    values = sample(tf.random.truncated_normal([N], mean=1.0, stddev=2.0, seed=6))
    assert np.abs(values - 1.0).max() <= 4.0
    # A standard normal cut at +-2 has standard deviation 0.8796.
    assert abs(values.mean() - 1.0) < 0.02 and abs(values.std() - 2 * 0.8796) < 0.02


def test_shuffle_permutes_the_first_dimension_only(graph):
    rows = np.arange(30).reshape(10, 3)
    out = sample(tf.random.shuffle(rows, seed=8))
    assert sorted(out[:, 0].tolist()) == rows[:, 0].tolist()
    np.testing.assert_array_equal(out[:, 1:], out[:, :1] + [1, 2])  # rows stay whole
    assert not np.array_equal(out, rows)
    assert sample(tf.random.shuffle(5, seed=1)) == 5


def test_shuffle_is_uniform_over_permutations(graph):
    shuffled = tf.random.shuffle([0, 1, 2], seed=9)
    with tf.compat.v1.Session() as sess:
        firsts = [int(sess.run(shuffled)[0]) for _ in range(600)]
    assert all(abs(firsts.count(i) - 200) < 50 for i in range(3))


# -- shapes, names, errors -----------------------------------------------------------------


def test_static_shapes(graph):
    dims = tf.compat.v1.placeholder(tf.int32, [2])
    unknown = tf.random.normal(dims)
    assert unknown.shape.as_list() == [None, None]
    assert tf.random.uniform([]).shape == ()
    assert tf.random.truncated_normal(tf.TensorShape([2, 5])).shape == (2, 5)
    assert tf.random.shuffle(tf.compat.v1.placeholder(tf.float32, [None, 4])).shape.as_list() == [
        None,
        4,
    ]
    assert tf.random.uniform(np.array([3, 1], np.int64), maxval=5, dtype=tf.int32).shape == (3, 1)
    partial = tf.compat.v1.placeholder(tf.float32, [None, 3])
    like_partial = tf.random.uniform(tf.shape(partial), seed=1)
    assert like_partial.shape.as_list() == [None, 3]
    assert sample_with(like_partial, {partial: np.zeros((5, 3))}).shape == (5, 3)
    value = sample_with(unknown, {dims: [3, 2]})
    assert value.shape == (3, 2)


def sample_with(tensor, feed):
    with tf.compat.v1.Session() as sess:
        return sess.run(tensor, feed)


def test_names_and_op_types(graph):
    normal = tf.compat.v1.random_normal([2], name="noise")
    unit = tf.compat.v1.random_uniform([2])
    scaled = tf.compat.v1.random_uniform([2], 1.0, 3.0)
    ints = tf.compat.v1.random_uniform([2], 0, 3, dtype=tf.int32)
    trunc = tf.compat.v1.truncated_normal([2])
    assert normal.op.name == "noise" and normal.op.type == "AddV2"
    assert normal.op.inputs[0].op.inputs[0].op.name == "noise/RandomStandardNormal"
    assert unit.op.type == "RandomUniform" and unit.op.name == "random_uniform/RandomUniform"
    assert scaled.op.name == "random_uniform_1" and ints.op.type == "RandomUniformInt"
    assert trunc.op.inputs[0].op.inputs[0].op.type == "TruncatedNormal"


def test_random_ops_are_stateful_and_not_differentiable():
    for op_type in ("RandomStandardNormal", "RandomUniform", "RandomUniformInt", "TruncatedNormal"):
        assert get_op_def(op_type).is_stateful
        assert get_gradient_function(op_type) is None
    assert get_op_def("RandomShuffle").is_stateful


def test_build_errors(graph):
    with pytest.raises(ValueError, match=r"Must specify maxval for integer dtype"):
        tf.random.uniform([2], dtype=tf.int32)
    with pytest.raises(ValueError, match=r"Argument `dtype` got invalid value"):
        tf.random.uniform([2], dtype=tf.bool)
    with pytest.raises(
        TypeError,
        match=r"^Value passed to parameter 'dtype' has DataType int32 not in list of allowed "
        r"values: float16, bfloat16, float32, float64$",
    ):
        tf.random.normal([2], mean=0, stddev=1, dtype=tf.int32)
    with pytest.raises(ValueError, match=r"Shape must be rank 1 but is rank 2"):
        tf.random.normal([[2, 3]])
    with pytest.raises(ValueError, match=r"Shape must be rank 0 but is rank 1.*RandomUniformInt"):
        tf.random.uniform([2], minval=[0, 1], maxval=5, dtype=tf.int32)


def test_run_time_errors(graph):
    dims = tf.compat.v1.placeholder(tf.int32, [None])
    low = tf.compat.v1.placeholder(tf.int32, [])
    normal = tf.random.normal(dims)
    ints = tf.random.uniform([3], minval=low, maxval=5, dtype=tf.int32)
    with tf.compat.v1.Session() as sess:
        with pytest.raises(
            InvalidArgumentError, match=r"RandomStandardNormal.*Dimension -2 must be >= 0"
        ):
            sess.run(normal, {dims: [3, -2]})
        with pytest.raises(
            InvalidArgumentError, match=r"RandomUniformInt.*Need minval < maxval: 5 >= 5"
        ):
            sess.run(ints, {low: 5})
