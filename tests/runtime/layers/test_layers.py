"""tf.layers behaviour beyond the recorded cases: scopes and sharing, collections,
training switches, constraints and regularizers, channels-first, the Layer base class,
and Keras' errors for bad arguments and inputs."""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf

v1 = tf.compat.v1
layers = v1.layers


def test_layers_share_variables_through_variable_scope_reuse(graph):
    x = v1.placeholder(tf.float32, [None, 3])
    with v1.variable_scope("tower"):
        first = layers.dense(x, 2, name="fc")
    with v1.variable_scope("tower", reuse=True):
        second = layers.dense(x, 2, name="fc")
    for _ in range(2):  # re-entering the scope restarts its layer names: dense again
        with v1.variable_scope("auto", reuse=v1.AUTO_REUSE):
            layers.dense(x, 2)
    names = [v.name for v in v1.global_variables()]
    assert names == [
        "tower/fc/kernel:0",
        "tower/fc/bias:0",
        "auto/dense/kernel:0",
        "auto/dense/bias:0",
    ]
    assert first.name == "tower/fc/BiasAdd:0" and second.name == "tower_1/fc/BiasAdd:0"
    with pytest.raises(ValueError, match="Variable tower/fc/kernel already exists, disallowed"):
        with v1.variable_scope("tower"):
            layers.dense(x, 2, name="fc")


def test_a_layer_under_a_name_scope_keeps_its_variable_names(graph):
    x = v1.placeholder(tf.float32, [None, 3])
    with tf.name_scope("block"):
        y = layers.dense(x, 2)
    assert y.name == "block/dense/BiasAdd:0"
    assert [v.name for v in v1.trainable_variables()] == ["dense/kernel:0", "dense/bias:0"]


def test_layer_objects_track_weights_losses_and_updates(graph):
    x = v1.placeholder(tf.float32, [None, 3])
    dense = layers.Dense(4, kernel_regularizer=tf.nn.l2_loss, bias_regularizer=tf.nn.l2_loss)
    norm = layers.BatchNormalization()
    norm(dense(x), training=True)
    assert [w.name for w in dense.trainable_weights] == ["dense/kernel:0", "dense/bias:0"]
    assert [w.name for w in norm.non_trainable_weights] == [
        "batch_normalization/moving_mean:0",
        "batch_normalization/moving_variance:0",
    ]
    assert dense.scope_name == "dense" and dense.count_params() == 16
    assert [t.name for t in dense.losses] == [
        "dense/kernel/Regularizer/L2Loss:0",
        "dense/bias/Regularizer/L2Loss:0",
    ]
    assert graph.get_collection(v1.GraphKeys.REGULARIZATION_LOSSES) == dense.losses
    assert graph.get_collection(v1.GraphKeys.UPDATE_OPS) == norm.updates
    dense.trainable = False
    assert dense.trainable_weights == [] and len(dense.non_trainable_weights) == 2


def test_unbuilt_layers_say_so(graph):
    layer = layers.Dense(2)
    with pytest.raises(ValueError, match='layer "dense" has not been used yet'):
        _ = layer.scope_name
    with pytest.raises(ValueError, match="You tried to call `count_params` on layer dense"):
        layer.count_params()


def test_batch_norm_updates_run_with_the_train_op_as_tf1_programs_do(graph, sess):
    x = v1.placeholder(tf.float32, [None, 2])
    y = layers.batch_normalization(layers.dense(x, 2), training=True, momentum=0.5)
    loss = tf.reduce_sum(tf.square(y))
    with tf.control_dependencies(graph.get_collection(v1.GraphKeys.UPDATE_OPS)):
        train = v1.train.GradientDescentOptimizer(0.1).minimize(loss)
    sess.run(v1.global_variables_initializer())
    moving = graph.get_tensor_by_name("batch_normalization/moving_mean:0")
    before = sess.run(moving)
    sess.run(train, {x: [[1.0, 2.0], [3.0, 5.0]]})
    assert not np.allclose(sess.run(moving), before)


def test_training_as_a_tensor_decides_at_each_run(graph, sess):
    training = v1.placeholder_with_default(False, [])
    x = tf.constant(np.ones([4, 50], np.float32))
    dropped = layers.dropout(x, 0.5, training=training)
    normed = layers.batch_normalization(x * 3.0, training=training, momentum=0.0, epsilon=1e-3)
    sess.run(v1.global_variables_initializer())
    np.testing.assert_array_equal(sess.run(dropped), np.ones([4, 50]))
    values = sess.run(dropped, {training: True})
    assert set(np.unique(values)) <= {0.0, 2.0} and 50 < (values == 0).sum() < 150
    np.testing.assert_allclose(sess.run(normed), 3.0 / np.sqrt(1.001), rtol=1e-6)  # moving stats
    np.testing.assert_allclose(sess.run(normed, {training: True}), 0.0, atol=1e-6)  # batch stats


def test_dropout_keeps_the_rate_and_scales_what_it_keeps(graph, sess):
    x = tf.ones([200, 100])
    y = layers.dropout(x, 0.3, training=True, seed=3)
    values = sess.run(y)
    assert abs((values == 0).mean() - 0.3) < 0.02
    np.testing.assert_allclose(np.unique(values), [0.0, 1 / 0.7], rtol=1e-6)
    noise = layers.dropout(x, 0.5, noise_shape=[None, 1], training=True)
    rows = sess.run(noise)
    assert all(len(np.unique(row)) == 1 for row in rows)  # whole rows kept or dropped
    with pytest.raises(ValueError, match=r"expected a value between 0 and 1, got: 1\.5"):
        layers.Dropout(1.5)


def test_kernel_constraint_is_applied_after_each_update(graph, sess):
    x = tf.constant([[1.0, 1.0]])
    clip = lambda w: tf.minimum(w, 0.25)  # noqa: E731
    y = layers.dense(x, 1, kernel_initializer=tf.zeros_initializer(), kernel_constraint=clip)
    train = v1.train.GradientDescentOptimizer(1.0).minimize(-tf.reduce_sum(y))
    sess.run(v1.global_variables_initializer())
    sess.run(train)  # the step alone would make the kernel [[1], [1]]
    kernel = graph.get_tensor_by_name("dense/kernel:0")
    np.testing.assert_allclose(sess.run(kernel), [[0.25], [0.25]])


def test_activity_regularizer_adds_the_mean_over_the_batch(graph, sess):
    x = tf.constant([[1.0], [3.0]])
    layers.dense(
        x,
        1,
        kernel_initializer=tf.ones_initializer(),
        activity_regularizer=lambda out: tf.reduce_sum(out),
    )
    (loss,) = graph.get_collection(v1.GraphKeys.REGULARIZATION_LOSSES)
    assert loss.name.startswith("dense/ActivityRegularizer/")
    sess.run(v1.global_variables_initializer())
    assert sess.run(loss) == 2.0  # (1 + 3) / batch of 2


def test_channels_first_convolution_and_pooling_match_channels_last(graph, sess):
    images = np.random.default_rng(0).normal(size=(2, 6, 5, 3)).astype(np.float32)
    kernel = v1.constant_initializer(np.random.default_rng(1).normal(size=(3, 3, 3, 4)))
    last = layers.conv2d(images, 4, 3, padding="same", kernel_initializer=kernel, name="a")
    last = layers.max_pooling2d(last, 2, 2)
    first = layers.conv2d(
        np.transpose(images, [0, 3, 1, 2]),
        4,
        3,
        padding="same",
        data_format="channels_first",
        kernel_initializer=kernel,
        name="b",
    )
    first = layers.max_pooling2d(first, 2, 2, data_format="channels_first")
    flat_last, flat_first = (
        layers.flatten(last),
        layers.flatten(first, data_format="channels_first"),
    )
    sess.run(v1.global_variables_initializer())
    got_last, got_first = sess.run([last, first])
    np.testing.assert_allclose(np.transpose(got_first, [0, 2, 3, 1]), got_last, rtol=1e-5)
    np.testing.assert_allclose(*sess.run([flat_last, flat_first]), rtol=1e-5)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: layers.Dense(0), ValueError, "expected a positive integer. Received: units=0"),
        (lambda: layers.Conv2D(0, 3), ValueError, "Expected a strictly positive value"),
        (lambda: layers.Conv2D(2, (1, 2, 3)), ValueError, "must be a tuple of 2 integers"),
        (lambda: layers.Conv2D(2, 3, padding="full"), ValueError, "The `padding` argument"),
        (lambda: layers.Conv2D(2, 3, data_format="NHWC"), ValueError, "`data_format`"),
        (
            lambda: layers.Conv2D(2, 3, strides=2, dilation_rate=2),
            ValueError,
            "`strides > 1` not supported in conjunction with `dilation_rate > 1`",
        ),
        (lambda: layers.Conv2D(2, 3, padding="causal"), ValueError, "Causal padding"),
        (lambda: layers.BatchNormalization(renorm=True), NotImplementedError, "renorm"),
        (lambda: layers.Dense(2, activation="swishy"), ValueError, "Unknown activation"),
        (lambda: layers.Dense(2, foo=1), TypeError, "Keyword argument not understood"),
    ],
)
def test_bad_arguments_are_refused(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_inputs_that_do_not_fit_are_refused_with_keras_messages(graph):
    layer = layers.Dense(2)
    layer(v1.placeholder(tf.float32, [None, 4]))
    with pytest.raises(
        ValueError,
        match=r"expected axis -1 of input shape to have value 4, but received input with shape \(None, 5\)",
    ):
        layer(v1.placeholder(tf.float32, [None, 5]))
    with pytest.raises(ValueError, match="expected min_ndim=2, found ndim=1"):
        layers.dense(v1.placeholder(tf.float32, [4]), 2)
    with pytest.raises(
        ValueError, match="The last dimension of the inputs to a Dense layer should be defined"
    ):
        layers.dense(v1.placeholder(tf.float32, [None, None]), 2)
    with pytest.raises(ValueError, match="expected min_ndim=4, found ndim=3"):
        layers.conv2d(v1.placeholder(tf.float32, [None, 4, 4]), 2, 3)
    with pytest.raises(ValueError, match="The channel dimension of the inputs should be defined"):
        layers.conv2d(v1.placeholder(tf.float32, [None, 4, 4, None]), 2, 3)
    with pytest.raises(
        TypeError, match="A Dense layer can only be built with a floating-point dtype"
    ):
        layers.dense(v1.placeholder(tf.int32, [None, 3]), 2)
