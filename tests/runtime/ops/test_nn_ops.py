"""Neural-network ops against simple numpy references: values, static shapes, errors.

The references here are written independently of the kernels and as plainly as
possible: convolution and pooling loop over every output pixel and window tap, so
they can serve as the oracle for the vectorised kernels.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runtime as tf
from runtime.errors import InvalidArgumentError
from tests.runtime.gradcheck import check_gradients

RNG = np.random.default_rng(0)


def run(fetches, feed_dict=None):
    with tf.compat.v1.Session() as sess:
        return sess.run(fetches, feed_dict)


def randn(*shape, dtype=np.float64):
    return RNG.standard_normal(shape).astype(dtype)


def check_shape(tensor, value):
    """The static shape is compatible with the value's, and equal where fully known."""
    assert tensor.shape.is_compatible_with(value.shape), (tensor.shape, value.shape)
    if tensor.shape.is_fully_defined():
        assert tuple(tensor.shape.as_list()) == value.shape


# -- references -----------------------------------------------------------------------


def out_size_and_pad(size, window, stride, padding):
    if padding == "VALID":
        return math.ceil((size - window + 1) / stride), 0
    out = math.ceil(size / stride)
    return out, max((out - 1) * stride + window - size, 0) // 2


def window_cells(x_shape, ksize, strides, padding):
    """Yield (row, col, [(r, c), ...]) for every output pixel: its in-bounds input cells."""
    (_, h, w, _), (kh, kw), (sh, sw) = x_shape, ksize, strides
    oh, top = out_size_and_pad(h, kh, sh, padding)
    ow, left = out_size_and_pad(w, kw, sw, padding)
    for i in range(oh):
        for j in range(ow):
            cells = [
                (i * sh + a - top, j * sw + b - left)
                for a in range(kh)
                for b in range(kw)
                if 0 <= i * sh + a - top < h and 0 <= j * sw + b - left < w
            ]
            yield i, j, cells
    return oh, ow


def naive_conv2d(x, w, strides, padding):
    kh, kw, _, out_channels = w.shape
    oh, _ = out_size_and_pad(x.shape[1], kh, strides[0], padding)
    ow, _ = out_size_and_pad(x.shape[2], kw, strides[1], padding)
    top = out_size_and_pad(x.shape[1], kh, strides[0], padding)[1]
    left = out_size_and_pad(x.shape[2], kw, strides[1], padding)[1]
    out = np.zeros((x.shape[0], oh, ow, out_channels))
    for i, j, cells in window_cells(x.shape, (kh, kw), strides, padding):
        for r, c in cells:
            tap = w[r - (i * strides[0] - top), c - (j * strides[1] - left)]
            out[:, i, j] += x[:, r, c] @ tap
    return out


def naive_pool(x, ksize, strides, padding, reduce):
    oh, _ = out_size_and_pad(x.shape[1], ksize[0], strides[0], padding)
    ow, _ = out_size_and_pad(x.shape[2], ksize[1], strides[1], padding)
    out = np.zeros((x.shape[0], oh, ow, x.shape[3]))
    for i, j, cells in window_cells(x.shape, ksize, strides, padding):
        values = np.stack([x[:, r, c] for r, c in cells])
        out[:, i, j] = reduce(values, axis=0)
    return out


def np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# -- activations ------------------------------------------------------------------------

ACTIVATIONS = [
    (tf.nn.relu, lambda x: np.maximum(x, 0)),
    (tf.nn.relu6, lambda x: np.minimum(np.maximum(x, 0), 6)),
    (tf.nn.elu, lambda x: np.where(x < 0, np.exp(x) - 1, x)),
    (tf.nn.leaky_relu, lambda x: np.where(x > 0, x, 0.2 * x)),
    (tf.nn.softplus, lambda x: np.log1p(np.exp(x))),
    (tf.nn.softmax, np_softmax),
    (tf.nn.log_softmax, lambda x: np.log(np_softmax(x))),
]


@pytest.mark.parametrize("fn, reference", ACTIVATIONS, ids=lambda v: getattr(v, "__name__", ""))
@pytest.mark.parametrize("shape", [(7,), (3, 4), (2, 3, 5)])
def test_activation_values_and_shapes(graph, fn, reference, shape):
    x = randn(*shape) * 4
    static = fn(tf.constant(x))
    placeholder = tf.compat.v1.placeholder(tf.float64, [None] * len(shape))
    dynamic = fn(placeholder)
    got, got_dynamic = run([static, dynamic], {placeholder: x})
    np.testing.assert_allclose(got, reference(x), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(got, got_dynamic)
    assert static.shape == shape and dynamic.shape.as_list() == [None] * len(shape)
    assert got.dtype == np.float64


@pytest.mark.parametrize("fn", [tf.nn.relu, tf.nn.relu6, tf.nn.elu, tf.nn.softplus, tf.nn.softmax])
def test_activations_keep_float32_and_unknown_rank(graph, fn):
    x = tf.compat.v1.placeholder(tf.float32)
    y = fn(x)
    assert y.dtype == tf.float32 and y.shape.rank is None
    value = run(y, {x: randn(2, 3, dtype=np.float32)})
    assert value.dtype == np.float32 and value.shape == (2, 3)


def test_relu_on_integers_and_leaky_alpha(graph):
    ints = run(tf.nn.relu(tf.constant([-3, 0, 4])))
    leaky = run(tf.nn.leaky_relu([-2.0, 3.0], alpha=0.1))
    assert ints.tolist() == [0, 0, 4] and ints.dtype == np.int32
    np.testing.assert_allclose(leaky, [-0.2, 3.0], rtol=1e-6)


def test_softmax_is_stable_for_huge_logits(graph):
    values = run([tf.nn.softmax([1000.0, 1000.0]), tf.nn.log_softmax([-1000.0, 0.0])])
    np.testing.assert_allclose(values[0], [0.5, 0.5])
    np.testing.assert_allclose(values[1], [-1000.0, 0.0])
    assert np.isfinite(run(tf.nn.softplus([-1000.0, 1000.0]))).all()


@pytest.mark.parametrize("axis", [0, 1, -2])
def test_softmax_along_other_axes(graph, axis):
    x = randn(3, 4, 2)
    got = run([tf.nn.softmax(x, axis=axis), tf.nn.log_softmax(x, axis=axis)])
    np.testing.assert_allclose(got[0], np_softmax(x, axis=axis), rtol=1e-12)
    np.testing.assert_allclose(got[1], np.log(np_softmax(x, axis=axis)), rtol=1e-12)


def test_softmax_errors(graph):
    with pytest.raises(ValueError, match=r"Shape must be at least rank 1 but is rank 0.*Softmax"):
        tf.nn.softmax(1.0)
    with pytest.raises(InvalidArgumentError, match=r"`dim` must be in the range \[-2, 2\).*dim=5"):
        tf.nn.softmax(tf.constant(randn(2, 3)), axis=5)
    with pytest.raises(TypeError, match=r"parameter 'logits' has DataType int32 not in list"):
        tf.nn.softmax([1, 2])
    with pytest.raises(TypeError, match=r"'features' has DataType string"):
        tf.nn.relu("a")


EMPTY = np.zeros((0, 3))
EMPTY_IMAGES = np.zeros((0, 4, 4, 2))
EMPTY_CASES = {
    "relu": lambda: tf.nn.relu(EMPTY),
    "softmax": lambda: tf.nn.softmax(EMPTY),
    "log_softmax": lambda: tf.nn.log_softmax(EMPTY),
    "bias_add": lambda: tf.nn.bias_add(EMPTY, [1.0, 2.0, 3.0]),
    "sparse_xent": lambda: tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=np.zeros(0, np.int32), logits=EMPTY
    ),
    "xent": lambda: tf.nn.softmax_cross_entropy_with_logits(labels=EMPTY, logits=EMPTY),
    "sigmoid_xent": lambda: tf.nn.sigmoid_cross_entropy_with_logits(labels=EMPTY, logits=EMPTY),
    "conv2d": lambda: tf.nn.conv2d(EMPTY_IMAGES, np.ones((2, 2, 2, 3)), 1, "SAME"),
    "max_pool": lambda: tf.nn.max_pool2d(EMPTY_IMAGES, 2, 2, "SAME"),
    "avg_pool": lambda: tf.nn.avg_pool2d(EMPTY_IMAGES, 2, 2, "SAME"),
    "dropout": lambda: tf.nn.dropout(EMPTY, 0.5),
}


@pytest.mark.parametrize("name", EMPTY_CASES)
def test_empty_inputs(graph, name):
    tensor = EMPTY_CASES[name]()
    value = run(tensor)
    assert value.size == 0
    check_shape(tensor, value)


def test_scalars(graph):
    values = run([tf.nn.relu(-2.0), tf.nn.elu(0.5), tf.nn.softplus(0.0), tf.nn.l2_loss(3.0)])
    np.testing.assert_allclose(values, [0.0, 0.5, np.log(2), 4.5], rtol=1e-6)
    assert run(tf.nn.l2_loss(EMPTY)) == 0


# -- bias_add and l2_loss ---------------------------------------------------------------


@pytest.mark.parametrize(
    "data_format, shape, bias_shape",
    [
        (None, (2, 3), (1, 3)),
        ("NHWC", (2, 4, 5, 3), (1, 1, 1, 3)),
        ("NCHW", (2, 3, 4, 5), (1, 3, 1, 1)),
        ("NCW", (2, 3, 4), (1, 3, 1)),
    ],
)
def test_bias_add(graph, data_format, shape, bias_shape):
    value, bias = randn(*shape), randn(3)
    out = tf.nn.bias_add(value, bias, data_format=data_format)
    assert out.shape == shape
    np.testing.assert_allclose(run(out), value + bias.reshape(bias_shape))


def test_bias_add_shapes_and_errors(graph):
    partial = tf.nn.bias_add(
        tf.compat.v1.placeholder(tf.float32, [None, None]),
        np.zeros(4, np.float32),
    )
    assert partial.shape.as_list() == [None, 4]
    with pytest.raises(ValueError, match=r"Dimensions must be equal, but are 3 and 4.*BiasAdd"):
        tf.nn.bias_add(tf.constant(randn(2, 3)), randn(4))
    with pytest.raises(ValueError, match=r"Shape must be at least rank 2 but is rank 1"):
        tf.nn.bias_add(tf.constant(randn(3)), randn(3))
    with pytest.raises(ValueError, match=r"Shape must be rank 1 but is rank 2"):
        tf.nn.bias_add(tf.constant(randn(2, 3)), randn(1, 3))
    with pytest.raises(ValueError, match=r"data_format must be of the form"):
        tf.nn.bias_add(tf.constant(randn(2, 3)), randn(3), data_format="HWCN")


def test_l2_loss(graph):
    x = randn(3, 4)
    loss = tf.nn.l2_loss(x)
    assert loss.shape == () and loss.op.type == "L2Loss"
    np.testing.assert_allclose(run(loss), (x**2).sum() / 2)


# -- sparse softmax cross-entropy -----------------------------------------------------------


def test_sparse_softmax_cross_entropy(graph):
    logits, labels = randn(5, 4), np.array([0, 3, 1, 1, 2])
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    expected = -np.log(np_softmax(logits))[np.arange(5), labels]
    assert loss.shape == (5,)
    np.testing.assert_allclose(run(loss), expected, rtol=1e-12)


def test_sparse_softmax_cross_entropy_int64_labels_and_unknown_batch(graph):
    logits = tf.compat.v1.placeholder(tf.float32, [None, 3])
    labels = tf.compat.v1.placeholder(tf.int64, [None])
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    assert loss.shape.as_list() == [None]
    value = run(loss, {logits: np.zeros((2, 3), np.float32), labels: [2, 0]})
    np.testing.assert_allclose(value, [np.log(3)] * 2, rtol=1e-6)


@pytest.mark.parametrize(
    "labels, bad", [([0, 5, 1], 5), ([-1, 2, 9], -1)], ids=["too-big", "negative"]
)
def test_sparse_softmax_cross_entropy_label_out_of_range(graph, labels, bad):
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=randn(3, 3))
    text = " ".join(str(v) for v in labels)
    with pytest.raises(
        InvalidArgumentError,
        match=rf"SparseSoftmaxCrossEntropyWithLogits.*Received a label value of {bad} which is "
        rf"outside the valid range of \[0, 3\)\.  Label values: {text}",
    ):
        run(loss)


def test_sparse_softmax_cross_entropy_static_errors(graph):
    with pytest.raises(ValueError, match=r"Rank mismatch: Rank of labels \(received 2\)"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[[0]], logits=randn(1, 2))
    with pytest.raises(
        ValueError, match=r"Shape mismatch: The shape of labels \(received \(3,\)\)"
    ):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 1, 0], logits=randn(2, 4))
    with pytest.raises(TypeError, match=r"'labels' has DataType float32"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0.0, 1.0], logits=randn(2, 4))


# -- convolution --------------------------------------------------------------------------

geometry = st.tuples(
    st.integers(1, 7),  # height
    st.integers(1, 7),  # width
    st.integers(1, 4),  # filter height
    st.integers(1, 4),  # filter width
    st.integers(1, 3),  # stride along height
    st.integers(1, 3),  # stride along width
    st.sampled_from(["SAME", "VALID"]),
)


def fits(h, w, kh, kw, padding):
    return padding == "SAME" or (h >= kh and w >= kw)


@settings(deadline=None, max_examples=40)
@given(geometry, st.integers(1, 3), st.integers(1, 3))
def test_conv2d_matches_naive_loops(geo, in_channels, out_channels):
    h, w, kh, kw, sh, sw, padding = geo
    x, f = randn(2, h, w, in_channels), randn(kh, kw, in_channels, out_channels)
    with tf.Graph().as_default():
        if not fits(h, w, kh, kw, padding):
            with pytest.raises(ValueError, match=r"Negative dimension size caused by subtracting"):
                tf.nn.conv2d(x, f, strides=[sh, sw], padding=padding)
            return
        y = tf.nn.conv2d(x, f, strides=[1, sh, sw, 1], padding=padding)
        unknown = tf.compat.v1.placeholder(tf.float64, [None, None, None, in_channels])
        y_unknown = tf.nn.conv2d(unknown, f, strides=[sh, sw], padding=padding)
        got, got_unknown = run([y, y_unknown], {unknown: x})
    np.testing.assert_allclose(got, naive_conv2d(x, f, (sh, sw), padding), atol=1e-12)
    np.testing.assert_array_equal(got, got_unknown)
    check_shape(y, got)
    check_shape(y_unknown, got_unknown)
    assert y_unknown.shape.as_list() == [None, None, None, out_channels]


@settings(deadline=None, max_examples=40)
@given(geometry, st.sampled_from(["max", "avg"]))
def test_pools_match_naive_loops(geo, kind):
    h, w, kh, kw, sh, sw, padding = geo
    x = randn(2, h, w, 3)
    pool, reduce = (tf.nn.max_pool2d, np.max) if kind == "max" else (tf.nn.avg_pool2d, np.mean)
    with tf.Graph().as_default():
        if not fits(h, w, kh, kw, padding):
            with pytest.raises(ValueError, match=r"Negative dimension size caused by subtracting"):
                pool(x, ksize=[kh, kw], strides=[sh, sw], padding=padding)
            return
        y = pool(x, ksize=[1, kh, kw, 1], strides=[1, sh, sw, 1], padding=padding)
        unknown = tf.compat.v1.placeholder(tf.float64, [None, h, None, 3])
        y_unknown = pool(unknown, ksize=[kh, kw], strides=[sh, sw], padding=padding)
        got, got_unknown = run([y, y_unknown], {unknown: x})
    np.testing.assert_allclose(got, naive_pool(x, (kh, kw), (sh, sw), padding, reduce), atol=1e-12)
    np.testing.assert_array_equal(got, got_unknown)
    check_shape(y, got)
    check_shape(y_unknown, got_unknown)


def test_same_padding_puts_the_odd_element_after(graph):
    # 4 wide, window 3, stride 2 -> 2 outputs, 1 padding column after the input only.
    x = np.arange(4.0).reshape(1, 1, 4, 1)
    ones = np.ones((1, 3, 1, 1))
    got = run(tf.nn.conv2d(x, ones, strides=2, padding="SAME"))
    assert got.ravel().tolist() == [0 + 1 + 2, 2 + 3]


def test_avg_pool_same_divides_by_valid_count(graph):
    x = np.ones((1, 3, 3, 1)) * 6.0
    got = run(tf.nn.avg_pool2d(x, ksize=3, strides=1, padding="SAME"))
    assert (got == 6.0).all()  # corner windows hold 4 real cells and divide by 4


def test_pool_on_integers_and_v1_signatures(graph):
    x = np.arange(16, dtype=np.int32).reshape(1, 4, 4, 1)
    got = run(
        tf.compat.v1.nn.max_pool(value=x, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID")
    )
    assert got[0, :, :, 0].tolist() == [[5, 7], [13, 15]]
    avg = tf.compat.v1.nn.avg_pool(x.astype(np.float32), [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
    assert run(avg)[0, :, :, 0].tolist() == [[2.5, 4.5], [10.5, 12.5]]
    conv = tf.compat.v1.nn.conv2d(
        x.astype(np.float32),
        filter=np.ones((2, 2, 1, 1), np.float32),
        strides=[1, 1, 1, 1],
        padding="VALID",
    )
    assert conv.shape == (1, 3, 3, 1)


def test_conv2d_build_errors(graph):
    x, f = tf.constant(randn(1, 5, 5, 3)), randn(3, 3, 2, 4)
    with pytest.raises(
        ValueError,
        match=r"Depth of input \(3\) is not a multiple of input depth of filter \(2\).*Conv2D",
    ):
        tf.nn.conv2d(x, f, strides=1, padding="SAME")
    with pytest.raises(
        ValueError,
        match=r"Negative dimension size caused by subtracting 3 from 2.*\[1,2,2,1\], \[3,3,1,1\]",
    ):
        tf.nn.conv2d(randn(1, 2, 2, 1), randn(3, 3, 1, 1), strides=1, padding="VALID")
    with pytest.raises(ValueError, match=r"Shape must be rank 4 but is rank 3"):
        tf.nn.conv2d(randn(5, 5, 3), randn(3, 3, 3, 1), strides=1, padding="SAME")
    with pytest.raises(ValueError, match=r"strides should be of length 1, 2 or 4. Received"):
        tf.nn.conv2d(x, randn(3, 3, 3, 1), strides=[1, 1, 1], padding="SAME")
    with pytest.raises(ValueError, match=r"Value for attr 'padding' of 'SAME_' is not in the list"):
        tf.nn.conv2d(x, randn(3, 3, 3, 1), strides=1, padding="same_")
    with pytest.raises(ValueError, match=r"Padding in the batch and depth dimensions must be 0"):
        tf.nn.conv2d(x, randn(3, 3, 3, 1), 1, [[1, 0], [0, 0], [0, 0], [0, 0]])


def test_strides_across_batch_or_depth_are_refused_at_run_time_as_tf_does(graph):
    y = tf.nn.conv2d(tf.constant(randn(1, 4, 4, 3)), randn(1, 1, 3, 1), [2, 1, 1, 1], "VALID")
    with pytest.raises(
        tf.errors.UnimplementedError,
        match=r"does not yet support strides in the batch and depth dimensions",
    ):
        run(y)


def test_conv2d_run_time_errors(graph):
    x = tf.compat.v1.placeholder(tf.float64)
    y = tf.nn.conv2d(x, randn(3, 3, 2, 1), strides=1, padding="VALID")
    with pytest.raises(
        InvalidArgumentError,
        match=r"Conv2D 'Conv2D'.*input depth must be evenly divisible by filter depth: 3 vs 2",
    ):
        run(y, {x: randn(1, 4, 4, 3)})
    with pytest.raises(
        InvalidArgumentError, match=r"input must be 4-dimensional, got shape \[4, 4\]"
    ):
        run(y, {x: randn(4, 4)})
    with pytest.raises(
        InvalidArgumentError,
        match=r"Computed output size would be negative: -1 \[input_size: 1, effective_filter_size: 3, stride: 1\]",
    ):
        run(y, {x: randn(1, 1, 4, 2)})


def test_pool_errors(graph):
    x = tf.constant(randn(1, 4, 4, 2))
    with pytest.raises(
        tf.errors.UnimplementedError, match=r"Pooling is not yet supported on the batch dimension"
    ):
        run(tf.nn.max_pool2d(x, ksize=[2, 2, 2, 1], strides=1, padding="SAME"))
    with pytest.raises(
        tf.errors.UnimplementedError,
        match=r"MaxPooling supports exactly one of pooling across depth or pooling across",
    ):
        run(tf.nn.max_pool2d(x, ksize=[1, 2, 2, 2], strides=1, padding="SAME"))
    with pytest.raises(TypeError, match=r"'value' has DataType int32 not in list"):
        tf.nn.avg_pool2d(np.zeros((1, 2, 2, 1), np.int32), ksize=1, strides=1, padding="SAME")
    with pytest.raises(ValueError, match=r"Cannot specify both 'value' and 'input'"):
        tf.compat.v1.nn.max_pool(x, 2, 2, "SAME", input=x)


def test_max_pool_across_depth_takes_each_group_of_channels(graph):
    x = randn(2, 3, 3, 6)
    y = tf.nn.max_pool2d(tf.constant(x), [1, 1, 1, 3], [1, 1, 1, 3], "VALID")
    np.testing.assert_array_equal(run(y), x.reshape(2, 3, 3, 2, 3).max(axis=-1))
    check_gradients(lambda t: tf.nn.max_pool2d(t, [1, 1, 1, 2], [1, 1, 1, 2], "VALID"), [x])


def test_backprop_ops_infer_their_shape_from_the_size_input(graph):
    x = tf.compat.v1.placeholder(tf.float32, [None, 8, 8, 3])
    dy = tf.compat.v1.placeholder(tf.float32, [None, 4, 4, 5])
    nn = tf.compat.v1.nn
    dx = nn.conv2d_backprop_input([2, 8, 8, 3], np.ones((3, 3, 3, 5), np.float32), dy, 2, "SAME")
    dw = nn.conv2d_backprop_filter(x, [3, 3, 3, 5], dy, 2, "SAME")
    # TF 2.21 gives (?, 8, 8, 3): Conv2DBackpropInput's batch is out_backprop's.
    assert dx.shape.as_list() == [None, 8, 8, 3] and dw.shape == (3, 3, 3, 5)
    with pytest.raises(ValueError, match=r"Shape must be rank 4 but is rank 3"):
        nn.conv2d_backprop_filter(x, [3, 3, 3], dy, 2, "SAME")


# -- dense and sigmoid cross-entropy ------------------------------------------------------


def np_xent(labels, logits, axis=-1):
    return -(labels * np.log(np_softmax(logits, axis=axis))).sum(axis=axis)


@pytest.mark.parametrize(
    "shape, axis", [((4, 5), -1), ((4, 5), 1), ((2, 3, 4), -1), ((3, 4, 2), 0)]
)
def test_softmax_cross_entropy(graph, shape, axis):
    logits = randn(*shape)
    labels = np_softmax(randn(*shape), axis=axis)
    loss = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits, axis=axis)
    expected = np_xent(labels, logits, axis)
    assert loss.shape == expected.shape
    np.testing.assert_allclose(run(loss), expected, rtol=1e-12)


def test_softmax_cross_entropy_unknown_dims_and_v1_forms(graph):
    logits = tf.compat.v1.placeholder(tf.float64, [None, None, 3])
    labels = np_softmax(randn(2, 4, 3))
    loss = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    v1 = tf.compat.v1.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    v2 = tf.compat.v1.nn.softmax_cross_entropy_with_logits_v2(labels, logits, dim=-1)
    assert loss.shape.as_list() == [None, None]
    x = randn(2, 4, 3)
    got = run([loss, v1, v2], {logits: x})
    for value in got:
        np.testing.assert_allclose(value, np_xent(labels, x), rtol=1e-12)
    # TF 2.21's tf.compat.v1 dropped TF 1.x's _sentinel: labels and logits by position.
    positional = tf.compat.v1.nn.softmax_cross_entropy_with_logits(labels, logits)
    np.testing.assert_allclose(run(positional, {logits: x}), np_xent(labels, x), rtol=1e-12)
    with pytest.raises(ValueError, match=r"Both `labels` and `logits` must be provided"):
        tf.compat.v1.nn.softmax_cross_entropy_with_logits(logits=logits)


def test_softmax_cross_entropy_op_shapes_and_errors(graph):
    logits = tf.constant(randn(3, 4))
    op = tf.nn.softmax_cross_entropy_with_logits(labels=np.eye(4)[:3], logits=logits).op
    assert op.type == "SoftmaxCrossEntropyWithLogits"
    assert op.outputs[0].shape == (3,) and op.outputs[1].shape == (3, 4)
    with pytest.raises(ValueError, match=r"Dimensions must be equal, but are 4 and 5"):
        tf.nn.softmax_cross_entropy_with_logits(labels=randn(3, 5), logits=logits)


def test_sparse_softmax_cross_entropy_higher_rank(graph):
    logits, labels = randn(2, 3, 4), RNG.integers(0, 4, (2, 3))
    unknown = tf.compat.v1.placeholder(tf.float64, [None, 3, 4])
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=unknown)
    v1 = tf.compat.v1.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    assert loss.shape == (2, 3) and v1.shape == (2, 3)
    expected = -np.take_along_axis(np.log(np_softmax(logits)), labels[..., None], -1)[..., 0]
    got = run([loss, v1], {unknown: logits})
    np.testing.assert_allclose(got[0], expected, rtol=1e-12)
    np.testing.assert_allclose(got[1], expected, rtol=1e-12)


def test_sigmoid_cross_entropy(graph):
    logits, labels = randn(3, 4) * 3, RNG.uniform(size=(3, 4))
    loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
    sigmoid = 1 / (1 + np.exp(-logits))
    expected = -(labels * np.log(sigmoid) + (1 - labels) * np.log(1 - sigmoid))
    assert loss.shape == (3, 4) and loss.op.name == "logistic_loss"
    np.testing.assert_allclose(run(loss), expected, rtol=1e-10)


def test_sigmoid_cross_entropy_is_stable_and_checks_shapes(graph):
    loss = tf.compat.v1.nn.sigmoid_cross_entropy_with_logits(
        labels=[0.0, 1.0, 0.0, 1.0], logits=[-800.0, 800.0, 800.0, -800.0]
    )
    np.testing.assert_allclose(run(loss), [0.0, 0.0, 800.0, 800.0])
    with pytest.raises(ValueError, match=r"`logits` and `labels` must have the same shape"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=[1.0, 0.0], logits=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"Both `labels` and `logits` must be provided"):
        tf.compat.v1.nn.sigmoid_cross_entropy_with_logits([1.0])
    positional = tf.compat.v1.nn.sigmoid_cross_entropy_with_logits([1.0], [800.0])
    np.testing.assert_allclose(run(positional), [0.0])  # TF 2.21 dropped TF 1.x's _sentinel


# -- dropout --------------------------------------------------------------------------------


def test_dropout_scales_kept_values_and_drops_at_rate(graph):
    x = RNG.uniform(1, 2, size=(400, 50))
    y = tf.nn.dropout(x, rate=0.3, seed=5)
    got = run(y)
    kept = got != 0
    assert y.shape == x.shape and abs(1 - kept.mean() - 0.3) < 0.01
    np.testing.assert_allclose(got[kept], x[kept] / 0.7, rtol=1e-12)


def test_dropout_is_repeatable_with_seeds_and_differs_between_runs():
    def masks():
        graph = tf.Graph()
        with graph.as_default():
            tf.random.set_seed(1)
            y = tf.nn.dropout(np.ones((20, 20)), rate=0.5)
            with tf.compat.v1.Session() as sess:
                return sess.run(y), sess.run(y)

    first, second = masks()
    assert not np.array_equal(first, second)
    again = masks()
    np.testing.assert_array_equal(again[0], first)
    np.testing.assert_array_equal(again[1], second)


def test_dropout_noise_shape_drops_whole_slices(graph):
    x = tf.compat.v1.placeholder(tf.float64, [None, 6])
    y = tf.nn.dropout(x, rate=0.5, noise_shape=[None, 1], seed=2)
    got = run(y, {x: np.ones((300, 6))})
    assert y.shape.as_list() == [None, 6]
    assert ((got == 0).all(axis=1) | (got == 2).all(axis=1)).all()
    assert 0.35 < (got[:, 0] == 0).mean() < 0.65


def test_dropout_rate_tensor_and_keep_prob(graph):
    rate = tf.compat.v1.placeholder(tf.float32, [])
    y = tf.nn.dropout(np.ones(10000, np.float32), rate=rate, seed=3)
    v1 = tf.compat.v1.nn.dropout(np.ones(10000, np.float32), keep_prob=0.8, seed=4)
    with tf.compat.v1.Session() as sess:
        got = sess.run(y, {rate: 0.75})
        assert set(np.unique(got).tolist()) == {0.0, 4.0} and abs((got == 0).mean() - 0.75) < 0.02
        got = sess.run(v1)
        assert set(np.unique(got).round(5).tolist()) == {0.0, 1.25}
        keep_prob = tf.compat.v1.placeholder(tf.float32)  # the TF1 idiom
        fed = tf.compat.v1.nn.dropout(np.ones(1000, np.float32), keep_prob)
        assert set(np.unique(sess.run(fed, {keep_prob: 0.5})).tolist()) == {0.0, 2.0}
        assert (sess.run(fed, {keep_prob: 1.0}) == 1).all()


def test_dropout_edge_cases_and_errors(graph):
    x = tf.constant(randn(3))
    assert tf.nn.dropout(x, rate=0.0) is x
    with pytest.raises(
        ValueError, match=r"`rate` must be a scalar tensor or a float in the range \[0, 1\)"
    ):
        tf.nn.dropout(x, rate=1.0)
    with pytest.raises(ValueError, match=r"`x.dtype` must be a floating point tensor"):
        tf.nn.dropout([1, 2], rate=0.5)
    with pytest.raises(ValueError, match=r"Cannot specify both 'rate' and 'keep_prob'"):
        tf.compat.v1.nn.dropout(x, keep_prob=0.5, rate=0.5)
    with pytest.raises(ValueError, match=r"`keep_prob` must be a float in the range \(0, 1\]"):
        tf.compat.v1.nn.dropout(x, keep_prob=0.0)


# -- gradients against finite differences ------------------------------------------------


def away_from_kinks(*shape, kinks=(0.0,)):
    """Random values at least 0.1 from every kink, so central differences are exact enough."""
    values = RNG.uniform(-3, 8, size=shape)
    for kink in kinks:
        near = np.abs(values - kink) < 0.1
        values[near] += 0.3
    return values


@pytest.mark.parametrize(
    "fn",
    [tf.nn.relu, tf.nn.relu6, tf.nn.elu, tf.nn.leaky_relu, tf.nn.softplus],
    ids=lambda fn: fn.__name__,
)
def test_activation_gradients(fn):
    check_gradients(fn, [away_from_kinks(3, 4, kinks=(0.0, 6.0))])
    # Second order: the gradient of (fn(x)^2)' exercises the gradient of XGrad.
    check_gradients(
        lambda x: tf.gradients(tf.reduce_sum(tf.square(fn(x))), x)[0],
        [away_from_kinks(3, 4, kinks=(0.0, 6.0))],
    )


@pytest.mark.parametrize("fn", [tf.nn.softmax, tf.nn.log_softmax], ids=lambda fn: fn.__name__)
@pytest.mark.parametrize("axis", [-1, 0])
def test_softmax_gradients(fn, axis):
    check_gradients(lambda x: fn(x, axis=axis), [randn(3, 4)])


@pytest.mark.parametrize("data_format, shape", [("NHWC", (2, 3, 4)), ("NCHW", (2, 4, 3))])
def test_bias_add_gradients(data_format, shape):
    inputs = [randn(*shape), randn(4)]
    check_gradients(lambda v, b: tf.nn.bias_add(v, b, data_format=data_format), inputs)
    check_gradients(
        lambda v, b: tf.gradients(tf.reduce_sum(tf.square(tf.nn.bias_add(v, b, data_format))), b),
        inputs,
    )


def test_l2_loss_gradient():
    check_gradients(tf.nn.l2_loss, [randn(2, 3)])


def test_softmax_cross_entropy_gradients():
    labels = np_softmax(randn(3, 4))
    check_gradients(
        lambda y, x: tf.compat.v2.nn.softmax_cross_entropy_with_logits(labels=y, logits=x),
        [labels, randn(3, 4)],
    )
    check_gradients(
        lambda y, x: tf.compat.v2.nn.softmax_cross_entropy_with_logits(labels=y, logits=x, axis=0),
        [np_softmax(randn(3, 4), axis=0), randn(3, 4)],
    )
    # Second order through the backprop output (softmax's Jacobian).
    check_gradients(
        lambda x: tf.gradients(
            tf.reduce_sum(tf.square(tf.compat.v2.nn.softmax_cross_entropy_with_logits(labels, x))),
            x,
        )[0],
        [randn(3, 4)],
    )


def test_v1_softmax_cross_entropy_stops_the_labels_gradient(graph):
    labels, logits = tf.constant(np_softmax(randn(2, 3))), tf.constant(randn(2, 3))
    v1 = tf.compat.v1.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    v2 = tf.compat.v2.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    assert tf.gradients(v1, labels) == [None]
    assert tf.gradients(v2, labels)[0] is not None
    check_gradients(
        lambda x: tf.compat.v1.nn.softmax_cross_entropy_with_logits(
            labels=np_softmax(np.ones((2, 3))), logits=x
        ),
        [randn(2, 3)],
    )


def test_sparse_softmax_cross_entropy_gradient():
    labels = np.array([[0, 2], [1, 1]])
    check_gradients(
        lambda x: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=x),
        [randn(2, 2, 3)],
    )


def test_sigmoid_cross_entropy_gradients():
    check_gradients(
        lambda z, x: tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x),
        [RNG.uniform(size=(2, 3)), away_from_kinks(2, 3)],
    )


@pytest.mark.parametrize("padding, strides", [("SAME", 2), ("VALID", 1), ("SAME", [1, 2])])
def test_conv2d_gradients(padding, strides):
    inputs = [randn(2, 4, 5, 2), randn(2, 3, 2, 3)]
    conv = lambda x, w: tf.nn.conv2d(x, w, strides=strides, padding=padding)  # noqa: E731
    check_gradients(conv, inputs)
    # Second order: the gradients of Conv2DBackpropInput and Conv2DBackpropFilter.
    check_gradients(lambda x, w: tf.gradients(tf.reduce_sum(tf.square(conv(x, w))), [x, w]), inputs)


@pytest.mark.parametrize("pool", [tf.nn.max_pool2d, tf.nn.avg_pool2d], ids=["max", "avg"])
@pytest.mark.parametrize(
    "padding, ksize, strides", [("SAME", 3, 2), ("VALID", 2, 1), ("SAME", [2, 3], [2, 1])]
)
def test_pool_gradients(pool, padding, ksize, strides):
    # Distinct, well-separated values: no ties inside a max-pool window.
    x = RNG.permutation(np.arange(2 * 5 * 4 * 2)).reshape(2, 5, 4, 2) * 0.1
    pooled = lambda x: pool(x, ksize=ksize, strides=strides, padding=padding)  # noqa: E731
    check_gradients(pooled, [x])
    check_gradients(lambda x: tf.gradients(tf.reduce_sum(tf.square(pooled(x))), x)[0], [x])


def test_max_pool_gradient_goes_to_the_first_maximum(graph):
    x = tf.constant(np.ones((1, 2, 2, 1)))
    grad = tf.gradients(tf.nn.max_pool2d(x, 2, 2, "VALID"), x)[0]
    assert run(grad)[0, :, :, 0].tolist() == [[1.0, 0.0], [0.0, 0.0]]


def test_dropout_gradient_is_the_scaled_mask(graph):
    x = tf.constant(randn(50, 20))
    y = tf.nn.dropout(x, rate=0.4, seed=1)
    (grad,) = tf.gradients(y, x)
    out, got = run([y, grad])  # one run: the same mask for both
    np.testing.assert_allclose(got, (out != 0) / 0.6)


def test_gradient_ops_infer_the_shapes_they_produce(graph):
    x = tf.compat.v1.placeholder(tf.float64, [None, 6, 6, 2])
    w = tf.constant(randn(3, 3, 2, 4))
    b = tf.constant(randn(4))
    hidden = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, w, 2, "SAME"), b))
    pooled = tf.nn.avg_pool2d(tf.nn.max_pool2d(hidden, 2, 1, "SAME"), 2, 2, "VALID")
    loss = tf.reduce_sum(tf.nn.log_softmax(tf.reshape(pooled, [-1, 4])))
    first = tf.gradients(loss, [x, w, b])
    second = tf.gradients(tf.add_n([tf.reduce_sum(tf.square(g)) for g in first]), [x, w, b])
    grads = [g for g in first + second if g is not None]
    values = run(grads, {x: randn(3, 6, 6, 2)})
    for tensor, value in zip(grads, values):
        check_shape(tensor, value)
    assert first[0].shape.as_list() == [None, 6, 6, 2] and first[1].shape == (3, 3, 2, 4)


def test_namespaces():
    v1, v2 = tf.compat.v1.nn, tf.compat.v2.nn
    for name in v2.__all__:
        if name != "rnn_cell":  # the one submodule
            assert callable(getattr(v2, name)) and callable(getattr(v1, name))
    assert tf.nn.sigmoid is tf.sigmoid and v2.relu is v1.relu
    assert v1.dropout is not v2.dropout and "keep_prob" in v1.dropout.__code__.co_varnames
    assert callable(v1.softmax_cross_entropy_with_logits_v2) and callable(v1.xw_plus_b)
    with tf.Graph().as_default():
        y = v1.xw_plus_b(randn(2, 3), randn(3, 4), randn(4))
        assert y.op.type == "BiasAdd" and y.op.name == "xw_plus_b" and y.shape == (2, 4)


def test_backward_kernels_check_the_gradient_shape(graph):
    dy = tf.compat.v1.placeholder(tf.float64)
    filters = randn(3, 3, 2, 4)
    nn = tf.compat.v1.nn
    dx = nn.conv2d_backprop_input([1, 5, 5, 2], filters, dy, strides=2, padding="SAME")
    dw = nn.conv2d_backprop_filter(randn(1, 5, 5, 2), [3, 3, 2, 4], dy, 2, "SAME")
    assert run(dx, {dy: randn(1, 3, 3, 4)}).shape == (1, 5, 5, 2)
    for tensor in (dx, dw):
        with pytest.raises(
            InvalidArgumentError,
            match=r"out_backprop has shape \[1, 2, 3, 4\], but the forward op's output has "
            r"shape \[1, 3, 3, 4\]",
        ):
            run(tensor, {dy: randn(1, 2, 3, 4)})
    x = tf.compat.v1.placeholder(tf.float64, [1, 4, 4, 1])
    grads = tf.gradients(tf.nn.max_pool2d(x, 2, 2, "VALID"), x, grad_ys=dy)
    with pytest.raises(InvalidArgumentError, match=r"MaxPoolGrad.*grad has shape \[1, 3, 2, 1\]"):
        run(grads, {x: randn(1, 4, 4, 1), dy: randn(1, 3, 2, 1)})


def test_compute_average_loss_divides_by_the_global_batch(graph):
    losses = tf.compat.v1.placeholder(tf.float32, [None])
    averaged = [
        tf.nn.compute_average_loss(losses),
        tf.nn.compute_average_loss(losses, global_batch_size=8),
        tf.nn.compute_average_loss(losses, sample_weight=2.0, global_batch_size=tf.constant(4)),
    ]
    values = run(averaged, {losses: np.array([1.0, 2.0, 3.0, 6.0], np.float32)})
    np.testing.assert_allclose(values, [3.0, 1.5, 6.0])
    with pytest.raises(ValueError, match="Expected a tensor with at least rank 1"):
        tf.nn.compute_average_loss(1.0)
    with pytest.raises(ValueError, match="global_batch_size must be positive"):
        tf.nn.compute_average_loss([1.0], global_batch_size=0)
