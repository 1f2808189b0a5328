"""Real models the picture tests draw: a CNN trained with Adam (300+ ops).

Kept as cell source, so the browser tests run the very same code in a notebook
kernel; :func:`cnn_graph` runs it here.
"""

import runtime as tf

# Three conv layers and two dense ones in variable scopes, as tf.layers would name
# them, a loss, an accuracy, Adam with a global step, an initializer and a saver.
CNN = """\
import runtime as tf

graph = tf.Graph()
with graph.as_default():
    images = tf.compat.v1.placeholder(tf.float32, [None, 28, 28, 1], name="images")
    labels = tf.compat.v1.placeholder(tf.int64, [None], name="labels")
    hidden = images
    for i, channels in enumerate([8, 16, 32]):
        with tf.compat.v1.variable_scope(f"conv{i + 1}"):
            shape = [3, 3, hidden.shape[-1], channels]
            init = tf.compat.v1.truncated_normal_initializer(stddev=0.1)
            w = tf.compat.v1.get_variable("weights", shape, initializer=init)
            b = tf.compat.v1.get_variable("biases", [channels], initializer=tf.compat.v1.zeros_initializer())
            conv = tf.nn.conv2d(hidden, w, [1, 1, 1, 1], "SAME")
            hidden = tf.nn.max_pool2d(tf.nn.relu(tf.nn.bias_add(conv, b)), 2, 2, "SAME")
    hidden = tf.reshape(hidden, [-1, 4 * 4 * 32])
    for name, units in [("dense1", 64), ("dense2", 10)]:
        with tf.compat.v1.variable_scope(name):
            w = tf.compat.v1.get_variable("weights", [hidden.shape[-1], units])
            b = tf.compat.v1.get_variable("biases", [units], initializer=tf.compat.v1.zeros_initializer())
            hidden = tf.matmul(hidden, w) + b
            if name == "dense1":
                hidden = tf.nn.relu(hidden)
    logits = hidden
    with tf.name_scope("loss"):
        per_example = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
        loss = tf.reduce_mean(per_example)
    with tf.name_scope("accuracy"):
        correct = tf.equal(tf.argmax(logits, 1), labels)
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    step = tf.compat.v1.train.get_or_create_global_step()
    train = tf.compat.v1.train.AdamOptimizer(1e-3).minimize(loss, global_step=step)
    init = tf.compat.v1.global_variables_initializer()
    saver = tf.compat.v1.train.Saver()
"""


def cnn_graph():
    """The CNN's graph (built by running :data:`CNN` as ``<cell 1>``)."""
    namespace: dict = {}
    exec(compile(CNN, "<cell 1>", "exec"), namespace)
    return namespace["graph"]


def chain_graph(ops: int, scoped: bool = False):
    """``ops`` chained ``Neg`` ops: flat (``Neg``, ``Neg_1`` ...), or in ten-op blocks
    of hundred-op stages (``stage3/block7/Neg_4``) when ``scoped``."""
    graph = tf.Graph()
    with graph.as_default():
        value = tf.compat.v1.placeholder(tf.float32, [None, 8], name="input")
        for i in range(ops - 1):
            if scoped:
                with tf.name_scope(f"stage{i // 100}/block{i // 10 % 10}/"):
                    value = tf.negative(value)
            else:
                value = tf.negative(value)
    return graph


# The same network written with tf.compat.v1.layers.
LAYERS_CNN = """\
import runtime as tf

layers = tf.compat.v1.layers
graph = tf.Graph()
with graph.as_default():
    images = tf.compat.v1.placeholder(tf.float32, [None, 28, 28, 1], name="images")
    labels = tf.compat.v1.placeholder(tf.int64, [None], name="labels")
    hidden = images
    for channels in [8, 16, 32]:
        hidden = layers.conv2d(hidden, channels, 3, padding="same", activation=tf.nn.relu)
        hidden = layers.max_pooling2d(hidden, 2, 2, padding="same")
    hidden = layers.dense(layers.flatten(hidden), 64, activation=tf.nn.relu)
    logits = layers.dense(hidden, 10)
    loss = tf.compat.v1.losses.sparse_softmax_cross_entropy(labels, logits)
    train = tf.compat.v1.train.AdamOptimizer(1e-3).minimize(loss)
    init = tf.compat.v1.global_variables_initializer()
"""
