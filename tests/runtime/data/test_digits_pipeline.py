"""End to end: the digits MLP trained from a tf.data pipeline, evaluated through a
second iterator picked by string handle (the train/validation switch of TF1 code)."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_digits

import runtime as tf

v1 = tf.compat.v1


def _data():
    digits = load_digits()
    images = (digits.data / 16.0).astype(np.float32)
    labels = digits.target.astype(np.int32)
    order = np.random.default_rng(0).permutation(len(images))
    images, labels = images[order], labels[order]
    return (images[:1400], labels[:1400]), (images[1400:], labels[1400:])


def test_digits_mlp_trains_from_a_dataset():
    (train_x, train_y), (test_x, test_y) = _data()
    with tf.Graph().as_default():
        v1.set_random_seed(0)
        train = (
            tf.data.Dataset.from_tensor_slices((train_x, train_y))
            .shuffle(1400, seed=1)
            .repeat()
            .batch(64)
            .prefetch(2)
        )
        test = tf.data.Dataset.from_tensor_slices((test_x, test_y)).batch(len(test_x))
        train_iterator = v1.data.make_one_shot_iterator(train)
        test_iterator = v1.data.make_initializable_iterator(test)
        handle = v1.placeholder(tf.string, [])
        images, labels = v1.data.Iterator.from_string_handle(
            handle, train.output_types, train.output_shapes
        ).get_next()
        with v1.variable_scope("hidden"):
            w1 = v1.get_variable("w", [64, 64])
            b1 = v1.get_variable("b", [64], initializer=v1.zeros_initializer())
            hidden = tf.nn.relu(tf.matmul(images, w1) + b1)
        with v1.variable_scope("output"):
            w2 = v1.get_variable("w", [64, 10])
            b2 = v1.get_variable("b", [10], initializer=v1.zeros_initializer())
            logits = tf.matmul(hidden, w2) + b2
        loss = tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
        )
        step = v1.train.AdamOptimizer(0.01).minimize(loss)
        correct = tf.equal(tf.cast(tf.argmax(logits, 1), tf.int32), labels)
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            train_handle, test_handle = sess.run(
                [train_iterator.string_handle(), test_iterator.string_handle()]
            )
            losses = [sess.run([step, loss], {handle: train_handle})[1] for _ in range(300)]
            sess.run(test_iterator.initializer)
            test_accuracy = sess.run(accuracy, {handle: test_handle})
    assert np.mean(losses[-20:]) < 0.5 * np.mean(losses[:20])
    assert test_accuracy > 0.9
