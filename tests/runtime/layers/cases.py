"""TF1 programs using ``tf.layers``, each runnable by real TensorFlow and by the runtime.

Every case is written against the module it is given (``tf``), so the same code runs in
``tests/fixtures/tf_layers/generate.py`` (real TensorFlow 2.21, recording) and in
``test_layers_tf.py`` (the runtime, checking). :func:`record` runs a case: it builds
the layer on placeholders, runs it ``runs`` times (with the graph's update ops, as a
training step does) and returns the outputs, every variable after each run, the
gradients of a fixed random projection of the output with respect to the inputs and the
trainable variables, and the names of what was built.

This module imports neither TensorFlow nor the runtime.
"""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Callable

import numpy as np


def array(key: str, shape, low=-1.0, high=1.0, dtype=np.float32) -> np.ndarray:
    """A fixed random array, the same on every machine for the same ``key``."""
    rng = np.random.default_rng(zlib.crc32(key.encode()))
    return rng.uniform(low, high, size=shape).astype(dtype)


@dataclasses.dataclass
class Input:
    name: str
    placeholder_shape: list
    values: list  # one array (or bool) per run
    dtype: str = "float32"


@dataclasses.dataclass
class Case:
    inputs: list
    build: Callable  # build(tf, *placeholders) -> output tensor
    runs: int = 1
    random: bool = False  # outputs are random: record names only


def _x(key, batch_shape, runs=1):
    return [array(f"{key}/{run}", batch_shape) for run in range(runs)]


def _init(tf, key, shape):
    return tf.compat.v1.constant_initializer(array(key, shape, -0.5, 0.5))


def _l2(tf):
    return lambda w: tf.nn.l2_loss(w)


def _dense_relu(tf, x):
    return tf.compat.v1.layers.dense(
        x,
        3,
        activation=tf.nn.relu,
        kernel_initializer=_init(tf, "dense/kernel", [4, 3]),
        bias_initializer=_init(tf, "dense/bias", [3]),
        kernel_regularizer=_l2(tf),
    )


def _dense_stack(tf, x):
    layers = tf.compat.v1.layers
    h = layers.dense(x, 5, activation=tf.nn.tanh, kernel_initializer=_init(tf, "s/k1", [4, 5]))
    h = layers.dense(h, 3, kernel_initializer=_init(tf, "s/k2", [5, 3]), use_bias=False)
    return layers.dense(h, 2, kernel_initializer=_init(tf, "s/k3", [3, 2]), trainable=False)


def _dense_rank3(tf, x):
    return tf.compat.v1.layers.dense(x, 2, kernel_initializer=_init(tf, "r3/kernel", [4, 2]))


def _dense_shared(tf, x):
    v1 = tf.compat.v1
    with v1.variable_scope("net"):
        a = v1.layers.dense(x, 2, name="fc", kernel_initializer=_init(tf, "sh/kernel", [4, 2]))
    with v1.variable_scope("net", reuse=True):
        b = v1.layers.dense(x * 2.0, 2, name="fc")
    layer = v1.layers.Dense(2, kernel_initializer=_init(tf, "sh/k2", [2, 2]))
    return layer(a) + layer(b)


def _conv2d(**kwargs):
    def build(tf, x):
        options = dict(kwargs)
        filters, size = options.pop("filters", 4), options.pop("kernel_size", 3)
        kernel = _init(tf, f"conv2d/{size}/{filters}", [size, size, x.shape[-1], filters])
        bias = _init(tf, "conv2d/bias", [filters])
        return tf.compat.v1.layers.conv2d(
            x, filters, size, kernel_initializer=kernel, bias_initializer=bias, **options
        )

    return build


def _conv1d(**kwargs):
    def build(tf, x):
        kernel = _init(tf, "conv1d/kernel", [3, x.shape[-1], 4])
        return tf.compat.v1.layers.conv1d(x, 4, 3, kernel_initializer=kernel, **kwargs)

    return build


def _conv3d(tf, x):
    kernel = _init(tf, "conv3d/kernel", [2, 3, 3, x.shape[-1], 2])
    return tf.compat.v1.layers.conv3d(
        x, 2, (2, 3, 3), strides=(1, 2, 1), padding="same", kernel_initializer=kernel
    )


def _conv2d_transpose(**kwargs):
    def build(tf, x):
        kernel = _init(tf, "deconv/kernel", [3, 3, 2, x.shape[-1]])
        return tf.compat.v1.layers.conv2d_transpose(
            x, 2, 3, kernel_initializer=kernel, bias_initializer=_init(tf, "db", [2]), **kwargs
        )

    return build


def _conv3d_transpose(tf, x):
    kernel = _init(tf, "deconv3d/kernel", [2, 2, 2, 2, x.shape[-1]])
    return tf.compat.v1.layers.conv3d_transpose(
        x, 2, 2, strides=2, padding="same", kernel_initializer=kernel
    )


def _separable2d(tf, x):
    channels = x.shape[-1]
    return tf.compat.v1.layers.separable_conv2d(
        x,
        4,
        3,
        depth_multiplier=2,
        padding="same",
        depthwise_initializer=_init(tf, "sep/dw", [3, 3, channels, 2]),
        pointwise_initializer=_init(tf, "sep/pw", [1, 1, 2 * channels, 4]),
    )


def _separable1d(tf, x):
    channels = x.shape[-1]
    return tf.compat.v1.layers.separable_conv1d(
        x,
        3,
        3,
        strides=2,
        depthwise_initializer=_init(tf, "sep1/dw", [3, channels, 1]),
        pointwise_initializer=_init(tf, "sep1/pw", [1, channels, 3]),
        bias_initializer=_init(tf, "sep1/b", [3]),
    )


def _pool(function, *args, **kwargs):
    return lambda tf, x: getattr(tf.compat.v1.layers, function)(x, *args, **kwargs)


def _batch_norm(**kwargs):
    def build(tf, x, *training):
        options = dict(kwargs)
        channels = x.shape[options.get("axis", -1)]
        return tf.compat.v1.layers.batch_normalization(
            x,
            training=training[0] if training else options.pop("training"),
            gamma_initializer=_init(tf, "bn/gamma", [channels]),
            beta_initializer=_init(tf, "bn/beta", [channels]),
            **options,
        )

    return build


def _cnn(tf, images, training):
    """A small CNN as TF1 tutorials write it: conv, batch norm, pool, dropout, dense."""
    layers = tf.compat.v1.layers
    h = layers.conv2d(
        images, 4, 3, padding="same", kernel_initializer=_init(tf, "cnn/c1", [3, 3, 1, 4])
    )
    h = layers.batch_normalization(h, training=training)
    h = tf.nn.relu(h)
    h = layers.max_pooling2d(h, 2, 2)
    h = layers.flatten(h)
    h = layers.dropout(h, 0.0, training=training)
    return layers.dense(h, 3, kernel_initializer=_init(tf, "cnn/d", [16 * 4, 3]))


CASES = {
    "dense_relu_l2": Case([Input("x", [None, 4], _x("x", [5, 4]))], _dense_relu),
    "dense_stack": Case([Input("x", [None, 4], _x("x", [6, 4]))], _dense_stack),
    "dense_rank3": Case([Input("x", [None, 5, 4], _x("x3", [2, 5, 4]))], _dense_rank3),
    "dense_shared": Case([Input("x", [None, 4], _x("xs", [3, 4]))], _dense_shared),
    "conv2d_valid": Case([Input("x", [None, 7, 6, 3], _x("img", [2, 7, 6, 3]))], _conv2d()),
    "conv2d_same_strided_relu": Case(
        [Input("x", [None, 7, 6, 3], _x("img", [2, 7, 6, 3]))],
        _conv2d(strides=2, padding="same", activation="relu"),
    ),
    "conv2d_dilated": Case(
        [Input("x", [None, 9, 9, 2], _x("img9", [2, 9, 9, 2]))],
        _conv2d(dilation_rate=2, filters=3, kernel_size=2),
    ),
    "conv1d_valid": Case([Input("x", [None, 10, 3], _x("seq", [2, 10, 3]))], _conv1d()),
    "conv1d_causal_dilated": Case(
        [Input("x", [None, 10, 3], _x("seq", [2, 10, 3]))],
        _conv1d(padding="causal", dilation_rate=2),
    ),
    "conv1d_same_strided": Case(
        [Input("x", [None, 10, 3], _x("seq", [2, 10, 3]))], _conv1d(padding="same", strides=2)
    ),
    "conv3d": Case([Input("x", [None, 4, 5, 4, 2], _x("vol", [2, 4, 5, 4, 2]))], _conv3d),
    "conv2d_transpose_same": Case(
        [Input("x", [None, 3, 4, 3], _x("small", [2, 3, 4, 3]))],
        _conv2d_transpose(strides=2, padding="same"),
    ),
    "conv2d_transpose_valid": Case(
        [Input("x", [None, 3, 4, 3], _x("small", [2, 3, 4, 3]))],
        _conv2d_transpose(strides=(2, 1)),
    ),
    "conv3d_transpose": Case(
        [Input("x", [None, 2, 3, 2, 3], _x("vol3", [2, 2, 3, 2, 3]))], _conv3d_transpose
    ),
    "separable_conv2d": Case([Input("x", [None, 6, 6, 3], _x("img6", [2, 6, 6, 3]))], _separable2d),
    "separable_conv1d": Case([Input("x", [None, 9, 2], _x("seq9", [2, 9, 2]))], _separable1d),
    "max_pooling1d": Case(
        [Input("x", [None, 9, 3], _x("seq9p", [2, 9, 3]))], _pool("max_pooling1d", 3, 2)
    ),
    "average_pooling1d_same": Case(
        [Input("x", [None, 9, 3], _x("seq9p", [2, 9, 3]))],
        _pool("average_pooling1d", 2, 2, padding="same"),
    ),
    "max_pooling2d": Case(
        [Input("x", [None, 7, 6, 3], _x("img", [2, 7, 6, 3]))], _pool("max_pooling2d", 2, 2)
    ),
    "average_pooling2d_same": Case(
        [Input("x", [None, 7, 6, 3], _x("img", [2, 7, 6, 3]))],
        _pool("average_pooling2d", (3, 2), (2, 2), padding="same"),
    ),
    "max_pooling3d": Case(
        [Input("x", [None, 4, 5, 4, 2], _x("vol", [2, 4, 5, 4, 2]))], _pool("max_pooling3d", 2, 2)
    ),
    "average_pooling3d_same": Case(
        [Input("x", [None, 4, 5, 4, 2], _x("vol", [2, 4, 5, 4, 2]))],
        _pool("average_pooling3d", 2, (1, 2, 2), padding="same"),
    ),
    "flatten": Case(
        [Input("x", [None, 3, 2, 4], _x("f", [2, 3, 2, 4]))],
        lambda tf, x: tf.compat.v1.layers.flatten(x),
    ),
    "flatten_unknown": Case(
        [Input("x", [None, None, 4], _x("fu", [2, 3, 4]))],
        lambda tf, x: tf.compat.v1.layers.flatten(x),
    ),
    "dropout": Case(
        [Input("x", [None, 100], [np.ones([20, 100], np.float32)])],
        lambda tf, x: tf.compat.v1.layers.dropout(x, 0.3, training=True),
        random=True,
    ),
    "dropout_inference": Case(
        [Input("x", [None, 4], _x("d", [3, 4]))],
        lambda tf, x: tf.compat.v1.layers.dropout(x, 0.3, training=False),
    ),
    "batch_norm_training": Case(
        [Input("x", [None, 3], _x("bn", [8, 3], runs=3))], _batch_norm(training=True), runs=3
    ),
    "batch_norm_inference": Case(
        [Input("x", [None, 3], _x("bn", [8, 3], runs=2))], _batch_norm(training=False), runs=2
    ),
    "batch_norm_fused_training": Case(
        [Input("x", [None, 4, 4, 3], _x("bnf", [2, 4, 4, 3], runs=3))],
        _batch_norm(training=True, momentum=0.9),
        runs=3,
    ),
    "batch_norm_switch": Case(
        [
            Input("x", [None, 3], _x("bns", [6, 3], runs=3)),
            Input("training", [], [True, True, False], dtype="bool"),
        ],
        _batch_norm(momentum=0.5, epsilon=0.01),
        runs=3,
    ),
    "batch_norm_channels_first_plain": Case(
        [Input("x", [None, 3, 4], _x("bnc", [4, 3, 4], runs=2))],
        _batch_norm(training=True, axis=1, center=False, scale=False),
        runs=2,
    ),
    "cnn": Case(
        [
            Input("images", [None, 8, 8, 1], _x("cnn", [4, 8, 8, 1], runs=2)),
            Input("training", [], [True, False], dtype="bool"),
        ],
        _cnn,
        runs=2,
    ),
}


def record(tf, case: Case) -> tuple[dict, dict]:
    """Run ``case`` with ``tf``; returns ``(values, names)`` (see the module docstring)."""
    v1 = tf.compat.v1
    values, names = {}, {}
    with tf.Graph().as_default() as graph:
        v1.set_random_seed(0)
        placeholders = [
            v1.placeholder(getattr(tf, item.dtype), item.placeholder_shape, name=item.name)
            for item in case.inputs
        ]
        before = {op.name for op in graph.get_operations()}
        output = case.build(tf, *placeholders)
        names["created"] = [op.name for op in graph.get_operations() if op.name not in before]
        names["output"] = output.name
        names["output_shape"] = output.shape.as_list() if output.shape.rank is not None else None
        names["variables"] = [[v.name, v.shape.as_list()] for v in v1.global_variables()]
        names["trainable"] = [v.name for v in v1.trainable_variables()]
        names["update_ops"] = [op.name for op in graph.get_collection(v1.GraphKeys.UPDATE_OPS)]
        names["regularization_losses"] = [
            t.name for t in graph.get_collection(v1.GraphKeys.REGULARIZATION_LOSSES)
        ]
        updates = graph.get_collection(v1.GraphKeys.UPDATE_OPS)
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            for run in range(case.runs):
                feed = {p: item.values[run] for p, item in zip(placeholders, case.inputs)}
                out, _ = sess.run([output, updates], feed)
                values[f"output/{run}"] = out
                for v in v1.global_variables():
                    values[f"after/{run}/{v.op.name}"] = sess.run(v)
                if case.random:
                    return values, names
            projection = array("projection", out.shape)
            loss = tf.reduce_sum(output * projection)
            wrt = [p for p in placeholders if p.dtype == tf.float32] + v1.trainable_variables()
            grads = tf.gradients(loss, wrt)
            first = {p: item.values[0] for p, item in zip(placeholders, case.inputs)}
            for target, grad in zip(wrt, grads):
                if grad is not None:
                    values[f"grad/{target.name}"] = sess.run(grad, first)
    return values, names
