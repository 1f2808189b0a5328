"""Fusion: the graph before and after, equal results, and errors naming the user's op.

``test_tf_remapping.py`` checks the patterns against TF's recorded choices; these
tests cover what a recording cannot: what blocks a fusion, the fused kernels' stages,
and their errors.
"""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf

from .compare import any_size_config, assert_same, both, ops, types

v1 = tf.compat.v1


def _dense(x, units=3, transpose_b=False, name="dense"):
    rng = np.random.default_rng(len(name))
    shape = (units, 4) if transpose_b else (4, units)
    with tf.name_scope(name):
        w = tf.constant(rng.standard_normal(shape).astype(np.float32), name="w")
        product = tf.matmul(x, w, transpose_b=transpose_b, name="MatMul")
        return tf.nn.relu(
            tf.nn.bias_add(product, tf.constant(np.ones(units, np.float32))), name="Relu"
        )


def test_matmul_bias_relu_becomes_one_fused_op_named_as_the_relu():
    x = v1.placeholder(tf.float32, [None, 4], name="x")
    y = tf.negative(_dense(x, transpose_b=True), name="y")
    value = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    before, after, written, ran = both(y, {x: value})
    assert {"MatMul", "BiasAdd", "Relu"} <= set(types(before))
    assert ("dense/Relu", "_FusedMatMul") in ops(after)
    fused = after.graph.get_operation_by_name("dense/Relu")
    assert fused.get_attr("transpose_b") is True and fused.get_attr("num_args") == 1
    assert [op.name for op in after.origin(fused)] == [
        "dense/MatMul",
        "dense/BiasAdd",
        "dense/Relu",
    ]
    assert_same(written, ran, rtol=1e-6)


def test_a_fetched_intermediate_blocks_the_fusion():
    x = v1.placeholder(tf.float32, [None, 4], name="x")
    y = _dense(x)
    product = y.graph.get_tensor_by_name("dense/MatMul:0")
    _, after, written, ran = both([y, product], {x: np.ones((2, 4), np.float32)})
    assert "_FusedMatMul" not in types(after)
    assert_same(written, ran)


def test_a_batch_norm_of_fed_vectors_runs_in_the_fused_kernel():
    x = v1.placeholder(tf.float32, [1, 5, 5, 2], name="x")
    vectors = [v1.placeholder(tf.float32, [3], name=n) for n in ("scale", "offset", "mean", "var")]
    w = tf.constant(np.random.default_rng(1).standard_normal((3, 3, 2, 3)).astype(np.float32))
    conv = tf.nn.conv2d(x, w, [1, 1, 1, 1], "VALID")
    y, _, _ = v1.nn.fused_batch_norm(
        conv, *vectors[:2], mean=vectors[2], variance=vectors[3], is_training=False
    )
    z = tf.nn.leaky_relu(y, alpha=0.1, name="z")
    rng = np.random.default_rng(2)
    feeds = {x: rng.standard_normal((1, 5, 5, 2)).astype(np.float32)}
    feeds.update({v: rng.uniform(0.5, 1.5, 3).astype(np.float32) for v in vectors})
    _, after, written, ran = both(z, feeds)
    fused = after.graph.get_operation_by_name("z")
    assert fused.type == "_FusedConv2D"
    assert fused.get_attr("fused_ops") == ["FusedBatchNorm", "LeakyRelu"]
    assert fused.get_attr("leakyrelu_alpha") == pytest.approx(0.1)
    assert_same(written, ran, rtol=1e-5, atol=1e-5)


def test_a_batch_norm_in_training_is_not_fused():
    x = v1.placeholder(tf.float32, [2, 4, 4, 2], name="x")
    conv = tf.nn.conv2d(x, tf.ones([1, 1, 2, 2]), [1, 1, 1, 1], "SAME")
    y, _, _ = v1.nn.fused_batch_norm(conv, tf.ones([2]), tf.zeros([2]), is_training=True)
    _, after, written, ran = both(
        tf.nn.relu(y), {x: np.arange(64.0, dtype=np.float32).reshape(2, 4, 4, 2)}
    )
    assert "_FusedConv2D" not in types(after)
    assert_same(written, ran, rtol=1e-5)


def test_a_failing_stage_names_the_users_op_at_fault():
    x = v1.placeholder(tf.float32, name="x")  # unknown shape: nothing is checked at build time
    w = v1.placeholder(tf.float32, [None, 3], name="w")
    b = v1.placeholder(tf.float32, name="b")
    product = tf.matmul(tf.reshape(x, [-1, 4]), w, name="product")
    y = tf.nn.relu(tf.nn.bias_add(product, tf.reshape(b, [-1]), name="biased"), name="y")
    z = tf.negative(y, name="z")
    ones = np.ones((4, 3), np.float32)
    with v1.Session() as sess:
        assert "_FusedMatMul" in types(sess.optimized_graph(z, [x, w, b]))
        with pytest.raises(tf.errors.InvalidArgumentError) as caught:
            sess.run(z, {x: np.ones((2, 4)), w: ones, b: np.ones(5)})
        assert caught.value.op is y.op.inputs[0].op  # the BiasAdd
        assert "biases" in caught.value.message and "_FusedMatMul 'y'" in caught.value.message
        with pytest.raises(tf.errors.InvalidArgumentError) as caught:
            sess.run(z, {x: np.ones((2, 4)), w: np.ones((3, 3)), b: np.ones(3)})
        assert caught.value.op is product.op
        assert "Matrix size-incompatible" in caught.value.message


def test_a_conv_with_a_bias_then_a_constant_batch_norm_folds_into_one_op():
    # A Keras convolution with use_bias, then batch norm (ResNet50's blocks): beyond TF,
    # the bias and the batch norm both fold into the filter and one bias.
    rng = np.random.default_rng(3)
    x = v1.placeholder(tf.float32, [2, 6, 6, 3], name="x")
    w = tf.constant(rng.standard_normal((3, 3, 3, 4)).astype(np.float32), name="w")
    biased = tf.nn.bias_add(
        tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME"),
        tf.constant(rng.standard_normal(4).astype(np.float32)),
    )
    vectors = [
        tf.constant(v.astype(np.float32))
        for v in (
            rng.uniform(0.5, 2, 4),
            rng.standard_normal(4),
            rng.standard_normal(4),
            rng.uniform(0.5, 2, 4),
        )
    ]
    y, _, _ = v1.nn.fused_batch_norm(
        biased, vectors[0], vectors[1], mean=vectors[2], variance=vectors[3], is_training=False
    )
    z = tf.nn.relu(y, name="z")
    before, after, written, ran = both(z, {x: rng.standard_normal((2, 6, 6, 3)).astype(np.float32)})
    assert {"Conv2D", "BiasAdd", "FusedBatchNormV3", "Relu"} <= set(types(before))
    assert [kind for kind in types(after) if kind not in ("Const", "Placeholder")] == [
        "_FusedConv2D"
    ]
    fused = after.graph.get_operation_by_name("z")
    assert fused.get_attr("fused_ops") == ["BiasAdd", "Relu"]
    assert [op.type for op in after.origin(fused)] == [
        "Conv2D",
        "BiasAdd",
        "FusedBatchNormV3",
        "Relu",
    ]
    assert_same(written, ran, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("ksize", [1, 3])
def test_a_fused_convolution_finishes_each_block_of_rows_on_the_intra_op_threads(
    monkeypatch, ksize
):
    # The bias and activation run on each block of output rows as its product is made:
    # with small tiles and two intra-op threads the output comes in many blocks, split
    # across both threads, and must equal the unfused run. Elu is not computed in
    # place, so its values are copied back into each block.
    from runtime import intra_op
    from runtime.kernels.nn import conv

    monkeypatch.setattr(conv, "TILE_BYTES", 4096)
    monkeypatch.setattr(intra_op, "PARALLEL_WORK", 1)
    rng = np.random.default_rng(4)
    x = v1.placeholder(tf.float32, [3, 9, 7, 4], name="x")
    w = tf.constant(rng.standard_normal((ksize, ksize, 4, 5)).astype(np.float32))
    biased = tf.nn.bias_add(
        tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME"), tf.constant(rng.standard_normal(5), tf.float32)
    )
    y = tf.nn.elu(biased, name="y")
    config = any_size_config()
    config.intra_op_parallelism_threads = 2
    value = rng.standard_normal((3, 9, 7, 4)).astype(np.float32)
    _, after, written, ran = both(y, {x: value}, config)
    fused = after.graph.get_operation_by_name("y")
    assert fused.type == "_FusedConv2D" and fused.get_attr("fused_ops") == ["BiasAdd", "Elu"]
    assert (ran < 0).any() and (ran > 0).any()  # both branches of the activation ran
    assert_same(written, ran, rtol=1e-5, atol=1e-5)


def test_a_fused_convolutions_bad_bias_names_the_users_bias_add():
    x = v1.placeholder(tf.float32, [1, 4, 4, 2], name="x")
    b = v1.placeholder(tf.float32, name="b")
    conv = tf.nn.conv2d(x, tf.ones([3, 3, 2, 3]), [1, 1, 1, 1], "SAME", name="conv")
    y = tf.nn.relu(tf.nn.bias_add(conv, tf.reshape(b, [-1]), name="biased"), name="y")
    z = tf.negative(y, name="z")
    with v1.Session(config=any_size_config()) as sess:
        assert "_FusedConv2D" in types(sess.optimized_graph(z, [x, b]))
        with pytest.raises(tf.errors.InvalidArgumentError) as caught:
            sess.run(z, {x: np.ones((1, 4, 4, 2)), b: np.ones(5)})
        assert caught.value.op is y.op.inputs[0].op  # the BiasAdd
        assert "[5] vs. 3" in caught.value.message
        assert sess.run(z, {x: np.ones((1, 4, 4, 2)), b: -np.ones(3)}).max() <= 0


def _depthwise(x, rng, multiplier=2):
    w = tf.constant(rng.standard_normal((3, 3, 3, multiplier)).astype(np.float32), name="dw")
    return tf.nn.depthwise_conv2d(x, w, [1, 2, 2, 1], "SAME", name="depthwise")


def test_a_depthwise_convolution_folds_a_constant_batch_norm_and_its_relu6():
    # MobileNet's block, beyond TF's CPU rules: depthwise, inference batch norm of
    # constants, ReLU6 become one op whose filter holds the batch norm's scale.
    rng = np.random.default_rng(6)
    x = v1.placeholder(tf.float32, [2, 7, 7, 3], name="x")
    conv = _depthwise(x, rng)
    vectors = [
        tf.constant(v.astype(np.float32))
        for v in (rng.uniform(0.5, 2, 6), rng.standard_normal(6), rng.standard_normal(6))
    ]
    variance = tf.constant(rng.uniform(0.5, 2, 6).astype(np.float32))
    y, _, _ = v1.nn.fused_batch_norm(
        conv, vectors[0], vectors[1], mean=vectors[2], variance=variance, is_training=False
    )
    z = tf.nn.relu6(y, name="z6")
    before, after, written, ran = both(z, {x: rng.standard_normal((2, 7, 7, 3)).astype(np.float32)})
    assert {"DepthwiseConv2dNative", "FusedBatchNormV3", "Relu6"} <= set(types(before))
    fused = after.graph.get_operation_by_name("z6")
    assert fused.type == "_FusedDepthwiseConv2dNative"
    assert fused.get_attr("fused_ops") == ["BiasAdd", "Relu6"]
    assert [op.type for op in after.origin(fused)] == [
        "DepthwiseConv2dNative",
        "FusedBatchNormV3",
        "Relu6",
    ]
    assert (ran == 0).any() and (ran > 0).any()
    assert_same(written, ran, rtol=1e-5, atol=1e-5)


def test_a_depthwise_convolution_with_a_bias_or_a_fed_batch_norm_stays_apart():
    # TF's CPU remapper leaves a depthwise convolution and its bias apart (recorded in
    # test_tf_remapping); a batch norm of fed vectors cannot be folded into the filter.
    rng = np.random.default_rng(7)
    x = v1.placeholder(tf.float32, [1, 6, 6, 3], name="x")
    biased = tf.nn.bias_add(_depthwise(x, rng), tf.constant(rng.standard_normal(6), tf.float32))
    y = tf.nn.relu(biased, name="y")
    mean = v1.placeholder(tf.float32, [6], name="mean")
    normed, _, _ = v1.nn.fused_batch_norm(
        _depthwise(x, rng),
        tf.ones([6]),
        tf.zeros([6]),
        mean=mean,
        variance=tf.ones([6]),
        is_training=False,
    )
    feeds = {x: rng.standard_normal((1, 6, 6, 3)).astype(np.float32), mean: np.ones(6, np.float32)}
    _, after, written, ran = both([y, normed], feeds)
    assert "_FusedDepthwiseConv2dNative" not in types(after)
    assert {"BiasAdd", "FusedBatchNormV3"} <= set(types(after))
    assert_same(written, ran, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("bias_first", [False, True])
def test_an_add_of_a_bias_vector_fuses_as_a_bias_add(bias_first):
    """``tf.matmul(x, w) + b`` (or ``b + ...``): TF's oneDNN remapper rule."""
    x = v1.placeholder(tf.float32, [None, 4], name="x")
    w = tf.constant(np.random.default_rng(2).standard_normal((4, 3)).astype(np.float32))
    b = tf.constant(np.arange(3, dtype=np.float32))
    product = tf.matmul(x, w)
    y = tf.nn.relu6((b + product) if bias_first else (product + b), name="y")
    value = np.random.default_rng(3).standard_normal((5, 4)).astype(np.float32) * 4
    before, after, written, ran = both(y, {x: value})
    assert "AddV2" in types(before)
    fused = after.graph.get_operation_by_name("y")
    assert fused.type == "_FusedMatMul" and fused.get_attr("fused_ops") in (
        ["BiasAdd", "Relu6"],
        [b"BiasAdd", b"Relu6"],
    )
    assert_same(written, ran, rtol=1e-6)


@pytest.mark.parametrize(
    "other",
    ["matrix", "scalar", "short vector", "the product", "float64"],
)
def test_an_add_of_anything_but_a_bias_vector_stays_apart(other):
    dtype = tf.float64 if other == "float64" else tf.float32
    x = v1.placeholder(dtype, [5, 4], name="x")
    w = tf.constant(np.ones((4, 3)), dtype=dtype)
    product = tf.matmul(x, w)
    addend = {
        "matrix": tf.constant(np.ones((5, 3), np.float32)),
        "scalar": tf.constant(2.0),
        "short vector": tf.constant(np.ones(1, np.float32)),
        "the product": product,
        "float64": tf.constant(np.ones(3), dtype=tf.float64),
    }[other]
    y = tf.nn.relu(product + addend, name="y")
    _, after, written, ran = both(y, {x: np.ones((5, 4), dtype.as_numpy_dtype)})
    assert "_FusedMatMul" not in types(after)
    assert_same(written, ran)


def _padded_depthwise(x, paddings, padding="VALID", fill=None):
    rng = np.random.default_rng(8)
    padded = tf.pad(x, paddings, name="pad", constant_values=fill or 0)
    channels = padded.shape.as_list()[-1]
    w = tf.constant(rng.standard_normal((3, 3, channels, 1)).astype(np.float32), name="dw")
    return tf.nn.depthwise_conv2d(padded, w, [1, 2, 2, 1], padding, name="depthwise")


def test_a_zero_pad_before_a_depthwise_convolution_becomes_its_explicit_padding():
    # Keras' ZeroPadding2D before MobileNetV2's stride-2 depthwise layers: the pad, the
    # convolution, its batch norm and ReLU6 run as one op that never makes the padded copy.
    x = v1.placeholder(tf.float32, [1, 8, 8, 3], name="x")
    conv = _padded_depthwise(x, [[0, 0], [0, 1], [2, 1], [0, 0]])
    ones = tf.constant(np.ones(3, np.float32))
    y, _, _ = v1.nn.fused_batch_norm(conv, ones, ones, mean=ones, variance=ones, is_training=False)
    z = tf.nn.relu6(y, name="z6")
    feeds = {x: np.random.default_rng(9).standard_normal((1, 8, 8, 3)).astype(np.float32)}
    before, after, written, ran = both(z, feeds)
    assert "Pad" in types(before) and "Pad" not in types(after)
    fused = after.graph.get_operation_by_name("z6")
    assert fused.type == "_FusedDepthwiseConv2dNative"
    assert fused.get_attr("padding") in ("EXPLICIT", b"EXPLICIT")
    assert list(fused.get_attr("explicit_paddings")) == [0, 0, 0, 1, 2, 1, 0, 0]
    assert after.origin(fused)[0].type == "DepthwiseConv2dNative"
    assert_same(written, ran, rtol=1e-5, atol=1e-5)
    assert after.report.by_kind("fused")[0].ops == ("pad", "depthwise")


@pytest.mark.parametrize(
    "paddings, padding, fill, fetch_pad",
    [
        ([[0, 0], [1, 1], [1, 1], [0, 1]], "VALID", None, False),  # the channels padded
        ([[1, 0], [1, 1], [1, 1], [0, 0]], "VALID", None, False),  # the batch padded
        ([[0, 0], [1, 1], [1, 1], [0, 0]], "SAME", None, False),
        ([[0, 0], [1, 1], [1, 1], [0, 0]], "VALID", 2.0, False),  # PadV2 of twos
        ([[0, 0], [1, 1], [1, 1], [0, 0]], "VALID", None, True),
    ],
)
def test_a_pad_the_convolution_cannot_take_stays(paddings, padding, fill, fetch_pad):
    x = v1.placeholder(tf.float32, [1, 6, 6, 3], name="x")
    conv = _padded_depthwise(x, paddings, padding, fill)
    fetches = [conv, conv.op.inputs[0]] if fetch_pad else conv
    feeds = {x: np.random.default_rng(10).standard_normal((1, 6, 6, 3)).astype(np.float32)}
    _, after, written, ran = both(fetches, feeds)
    assert {"Pad", "PadV2"} & set(types(after))
    assert_same(written, ran, rtol=1e-5, atol=1e-5)
