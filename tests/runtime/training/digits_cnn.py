"""A TF1 training program, as TF1 tutorials write one, for the end-to-end tests.

A ``tf.layers`` CNN (convolutions, batch normalization, max pooling, dropout, a dense
classifier) learns scikit-learn's 8x8 digits, read through ``tf.data``, with Adam on an
exponentially decaying learning rate; ``MonitoredTrainingSession`` restores the latest
checkpoint of its directory, saves every 50 steps and stops at ``last_step``. Run::

    python -m tests.runtime.training.digits_cnn CHECKPOINT_DIR LAST_STEP

Evaluation (``evaluate``) is another program: it imports the latest checkpoint's meta
graph into a fresh graph and measures the test accuracy with ``tf.metrics``.
"""

from __future__ import annotations

import sys

import numpy as np
from sklearn.datasets import load_digits

import runtime as tf

v1 = tf.compat.v1
BATCH = 64


def digits():
    """(train images, train labels), (test images, test labels): a fixed 3:1 split."""
    data = load_digits()
    images = (data.images / 16.0).astype(np.float32)[..., None]  # [n, 8, 8, 1]
    labels = data.target.astype(np.int64)
    order = np.random.default_rng(0).permutation(len(labels))
    images, labels = images[order], labels[order]
    cut = len(labels) * 3 // 4
    return (images[:cut], labels[:cut]), (images[cut:], labels[cut:])


def model(images, training):
    """Logits for ``images`` [batch, 8, 8, 1]."""
    layers = v1.layers
    h = layers.conv2d(images, 16, 3, padding="same", use_bias=False, name="conv1")
    h = tf.nn.relu(layers.batch_normalization(h, training=training, name="norm1"))
    h = layers.max_pooling2d(h, 2, 2, name="pool1")
    h = layers.conv2d(h, 32, 3, padding="same", activation=tf.nn.relu, name="conv2")
    h = layers.max_pooling2d(h, 2, 2, name="pool2")
    h = layers.flatten(h)
    h = layers.dropout(h, 0.25, training=training)
    return layers.dense(h, 10, name="logits")


def train(checkpoint_dir: str, last_step: int) -> None:
    (train_images, train_labels), _ = digits()
    v1.set_random_seed(0)
    dataset = (
        tf.data.Dataset.from_tensor_slices((train_images, train_labels))
        .shuffle(len(train_labels), seed=0)
        .repeat()
        .batch(BATCH)
    )
    next_images, next_labels = v1.data.make_one_shot_iterator(dataset).get_next()
    # Evaluation feeds these; training reads the dataset.
    images = v1.placeholder_with_default(next_images, [None, 8, 8, 1], name="images")
    labels = v1.placeholder_with_default(next_labels, [None], name="labels")
    training = v1.placeholder_with_default(True, [], name="training")
    logits = model(images, training)
    loss = v1.losses.sparse_softmax_cross_entropy(labels, logits)
    step = v1.train.get_or_create_global_step()
    rate = v1.train.exponential_decay(0.01, step, decay_steps=100, decay_rate=0.7)
    with tf.control_dependencies(v1.get_default_graph().get_collection(v1.GraphKeys.UPDATE_OPS)):
        train_op = v1.train.AdamOptimizer(rate).minimize(loss, global_step=step)
    graph = v1.get_default_graph()
    for name, value in (("images", images), ("labels", labels), ("training", training)):
        graph.add_to_collection(name, value)
    graph.add_to_collection("logits", logits)
    hooks = [
        v1.train.StopAtStepHook(last_step=last_step),
        v1.train.NanTensorHook(loss),
        v1.train.LoggingTensorHook({"loss": loss, "step": step}, every_n_iter=50),
    ]
    # One thread: the steps are small, and the test machine has two cores to share.
    config = v1.ConfigProto(inter_op_parallelism_threads=1, intra_op_parallelism_threads=1)
    with v1.train.MonitoredTrainingSession(
        checkpoint_dir=checkpoint_dir,
        hooks=hooks,
        save_checkpoint_steps=50,
        save_summaries_steps=None,
        log_step_count_steps=None,
        config=config,
    ) as sess:
        while not sess.should_stop():
            sess.run(train_op)


def evaluate(checkpoint_dir: str) -> float:
    """Test accuracy of the latest checkpoint, from its meta graph, with tf.metrics."""
    _, (test_images, test_labels) = digits()
    prefix = v1.train.latest_checkpoint(checkpoint_dir)
    with tf.Graph().as_default() as graph:
        saver = v1.train.import_meta_graph(prefix + ".meta")
        images, labels = graph.get_collection("images")[0], graph.get_collection("labels")[0]
        training, logits = graph.get_collection("training")[0], graph.get_collection("logits")[0]
        predicted = tf.argmax(logits, axis=1)
        accuracy, update = v1.metrics.accuracy(labels, predicted)
        with v1.Session() as sess:
            saver.restore(sess, prefix)
            sess.run(v1.local_variables_initializer())
            for start in range(0, len(test_labels), 100):
                batch = slice(start, start + 100)
                feed = {images: test_images[batch], labels: test_labels[batch], training: False}
                sess.run(update, feed)
            return float(sess.run(accuracy))


if __name__ == "__main__":
    if sys.argv[1] == "evaluate":
        print(f"accuracy {evaluate(sys.argv[2]):.4f}")
    else:
        train(sys.argv[1], int(sys.argv[2]))
