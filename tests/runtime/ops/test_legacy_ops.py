"""Op types of GraphDefs from TF 1.x (``Div``, ``Concat``, ``Gather``, ``BatchMatMul`` ...):
imported, run to TF 2.21's values, differentiated, and failing as TF does.

The expected values were recorded by running the same ops in TF 2.21 (``tf.raw_ops``;
``BatchNormWithGlobalNormalization`` from a GraphDef of producer version 5, since TF
builds it only for old graphs)."""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf
from runtime.graph_def import GraphDef, NodeDef, attr_value
from runtime.ops.core import apply_op
from tests.runtime.gradcheck import check_gradients

tf1 = tf.compat.v1


def _op(op_type, inputs, **attrs):
    outputs = apply_op(op_type, inputs, name=op_type, **attrs).outputs
    return outputs[0]


def _run(fetches, feed=None):
    with tf1.Session() as sess:
        return sess.run(fetches, feed)


@pytest.fixture
def graph():
    with tf.Graph().as_default() as g:
        yield g


X = np.array([-7, 7, 5, -5], np.int32)
Y = np.array([2, -2, 3, 3], np.int32)


@pytest.mark.parametrize(
    ("op_type", "x", "y", "expected"),
    [
        ("Div", X, Y, [-3, -3, 1, -1]),  # integers: C's truncating division
        (
            "Div",
            np.float32([-7.5, 7, 1, 0]),
            np.float32([2, -2, 0, 0]),
            [-3.75, -3.5, np.inf, np.nan],
        ),
        ("Div", np.uint8([7, 200]), np.uint8([2, 3]), [3, 66]),
        ("Mod", X, Y, [-1, 1, 2, -2]),  # the sign of x
        ("Mod", np.float32([-7.5, 7, 1, 0]), np.float32([2, -2, 3, 3]), [-1.5, 1, 1, 0]),
    ],
)
def test_division_ops_match_tf(graph, op_type, x, y, expected):
    z = _op(op_type, [tf.constant(x), tf.constant(y)])
    value = _run(z)
    assert value.dtype == x.dtype
    np.testing.assert_array_equal(value, np.asarray(expected, x.dtype))


@pytest.mark.parametrize("op_type", ["Div", "Mod"])
def test_integer_division_by_zero_fails_as_in_tf(graph, op_type):
    z = _op(op_type, [tf.constant([1]), tf.constant([0])])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Integer division by zero"):
        _run(z)


def test_inv_snapshot_concat_and_gather_match_tf(graph):
    values = _run(
        [
            _op("Inv", [tf.constant([2.0, -4.0])]),
            _op("InvGrad", [tf.constant([0.5]), tf.constant([3.0])]),
            _op("Snapshot", [tf.constant([1, 2])]),
            _op("Concat", [tf.constant(1), [tf.constant([[1, 2]]), tf.constant([[3]])]]),
            _op("Gather", [tf.constant([[1, 2], [3, 4], [5, 6]]), tf.constant([[2, 0]])]),
        ]
    )
    expected = [[0.5, -0.25], [-0.75], [1, 2], [[1, 2, 3]], [[[5, 6], [1, 2]]]]
    for value, want in zip(values, expected):
        np.testing.assert_array_equal(value, want)


def test_gather_out_of_range_fails_when_run(graph):
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"indices\[0\] = 5 is not in \[0, 2\)"
    ):
        _run(_op("Gather", [tf.constant([1, 2]), tf.constant([5])]))


def test_batch_matmul_multiplies_equal_batches_and_refuses_to_broadcast(graph):
    x = np.ones((2, 2, 3), np.float32)
    y = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    product = _run(_op("BatchMatMul", [tf.constant(x), tf.constant(y)]))
    np.testing.assert_array_equal(product, x @ y)  # TF 2.21: [[12 15 18 21] ...]
    with pytest.raises(ValueError, match="Dimension 0 in both shapes must be equal"):
        _op("BatchMatMul", [tf.constant(x), tf.constant(np.ones((1, 3, 4), np.float32))])
    unknown = tf1.placeholder(tf.float32, [None, 3, 4])
    with pytest.raises(tf.errors.InvalidArgumentError, match="compatible batch dimensions"):
        _run(_op("BatchMatMul", [tf.constant(x), unknown]), {unknown: np.ones((1, 3, 4))})


T = np.arange(24, dtype=np.float32).reshape(1, 2, 3, 4)
M, V = np.float32([1, 2, 3, 4]), np.float32([4, 1, 0.25, 9])
BETA, GAMMA = np.float32([0.5, 0, 0, -1]), np.float32([2, 1, 3, 1])


def _batch_norm(t, m, v, beta, gamma, scaled=True):
    return _op(
        "BatchNormWithGlobalNormalization",
        [t, m, v, beta, gamma],
        variance_epsilon=0.001,
        scale_after_normalization=scaled,
    )


@pytest.mark.parametrize("scaled", [True, False])
def test_batch_norm_with_global_normalization_matches_tf(graph, scaled):
    result = _run(_batch_norm(*map(tf.constant, (T, M, V, BETA, GAMMA)), scaled=scaled))
    first_pixel = {  # TF 2.21, result[0, 0, 0]
        True: [-4.9987507e-01, -9.9950039e-01, -5.9880362e00, -1.3333148e00],
        False: [6.2465668e-05, -9.9950039e-01, -1.9960121e00, -1.3333148e00],
    }[scaled]
    np.testing.assert_allclose(result[0, 0, 0], first_pixel, rtol=1e-5, atol=1e-7)
    assert result.shape == T.shape and result.dtype == np.float32


def test_batch_norm_gradients_match_tf(graph):
    inputs = [tf.constant(a) for a in (T, M, V, BETA, GAMMA)]
    result = _batch_norm(*inputs)
    grads = _run(tf.gradients(tf.reduce_sum(result * result), inputs))
    # TF 2.21, its BatchNormWithGlobalNormalizationGrad op
    np.testing.assert_allclose(
        grads[0][0, 0, 0], [-0.99963, -1.998, -71.71316, -0.88883], rtol=1e-4
    )
    np.testing.assert_allclose(grads[1], [-113.97227, -107.89211, -3872.5105, -7.99889], rtol=1e-4)
    np.testing.assert_allclose(grads[2], [-198.15178, -764.4702, -109426.86, -7.45502], rtol=1e-4)
    np.testing.assert_allclose(grads[3], [113.98651, 107.946037, 646.70789, 23.998], rtol=1e-4)
    np.testing.assert_allclose(grads[4], [792.80518, 1530.4696, 18310.76, 134.2053], rtol=1e-4)


RNG = np.random.default_rng(3)


def _batch_norm_inputs():
    """t, m, v (positive), beta and gamma of a 1x2x2x3 batch."""
    return [RNG.normal(size=(1, 2, 2, 3)), RNG.normal(size=3), RNG.uniform(1, 2, 3)] + [
        RNG.normal(size=3) for _ in range(2)
    ]


@pytest.mark.parametrize(
    ("build", "inputs"),
    [
        (lambda x, y: _op("Div", [x, y]), [RNG.normal(size=(2, 3)), RNG.uniform(1, 2, (3,))]),
        (lambda x: _op("Inv", [x]), [RNG.uniform(1, 2, (3,))]),
        (lambda x: _op("Snapshot", [x]), [RNG.normal(size=(3,))]),
        (
            lambda a, b: _op("Concat", [tf.constant(1), [a, b]]),
            [RNG.normal(size=(2, 2)), RNG.normal(size=(2, 3))],
        ),
        (lambda p: _op("Gather", [p, tf.constant([2, 0, 2])]), [RNG.normal(size=(3, 2))]),
        (
            lambda x, y: _op("BatchMatMul", [x, y], adj_y=True),
            [RNG.normal(size=(2, 2, 3)), RNG.normal(size=(2, 4, 3))],
        ),
        (
            lambda *args: _batch_norm(*args, scaled=True),
            _batch_norm_inputs(),
        ),
        (
            lambda *args: _batch_norm(*args, scaled=False),
            _batch_norm_inputs(),
        ),
    ],
    ids=[
        "Div",
        "Inv",
        "Snapshot",
        "Concat",
        "Gather",
        "BatchMatMul",
        "BatchNorm",
        "BatchNorm-unscaled",
    ],
)
def test_gradients_match_finite_differences(build, inputs):
    with tf.Graph().as_default():
        check_gradients(build, inputs)


def test_a_tf1_graph_with_old_op_types_imports_and_runs():
    def node(name, op, inputs=(), **attrs):
        return NodeDef(name, op, list(inputs), "", {k: attr_value(v) for k, v in attrs.items()})

    graph_def = GraphDef(
        [
            node("x", "PlaceholderV2", dtype=tf.float32, shape=tf.TensorShape([None, 2])),
            node("w", "Variable", dtype=tf.float32, shape=tf.TensorShape([2])),
            node("read", "Identity", ["w"], T=tf.float32),
            node("half", "Div", ["x", "read"], T=tf.float32),
            node("both", "Concat", ["axis", "half", "x"], N=2, T=tf.float32),
            node("axis", "Const", value=np.int32(1), dtype=tf.int32),
            node("first", "Gather", ["both", "index"], Tparams=tf.float32, Tindices=tf.int32),
            node("index", "Const", value=np.int32([0]), dtype=tf.int32),
            node("snap", "Snapshot", ["first"], T=tf.float32),
        ]
    )
    with tf.Graph().as_default() as graph:
        tf1.import_graph_def(graph_def, name="")
        with tf1.Session() as sess:
            sess.run(tf1.assign(graph.get_tensor_by_name("w:0"), [2.0, 4.0]))
            value = sess.run("snap:0", {"x:0": [[2.0, 4.0], [6.0, 8.0]]})
    np.testing.assert_array_equal(value, [[1.0, 1.0, 2.0, 4.0]])
