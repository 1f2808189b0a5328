"""``tf.nn.static_state_saving_rnn``: a sequence cut in two chunks, with the state carried
between ``run``s by a state saver, gives ``static_rnn``'s values over the whole sequence."""

import numpy as np
import pytest

import runtime as tf

BATCH, DEPTH, UNITS, STEPS = 2, 3, 4, 3


class VariableStateSaver:
    """Keeps each named state in a variable: ``state`` reads it, ``save_state`` assigns."""

    def __init__(self, names):
        self.variables = {
            name: tf.Variable(tf.zeros([BATCH, UNITS]), name=f"saved_{name}") for name in names
        }

    def state(self, name):
        return self.variables[name].value()

    def save_state(self, name, value):
        return tf.compat.v1.assign(self.variables[name], value).op


def _chunks():
    values = np.random.default_rng(0).normal(size=(2 * STEPS, BATCH, DEPTH)).astype(np.float32)
    return values[:STEPS], values[STEPS:]


@pytest.mark.parametrize(
    ("make_cell", "state_name"),
    [
        (lambda: tf.compat.v1.nn.rnn_cell.GRUCell(UNITS), "h"),
        (lambda: tf.compat.v1.nn.rnn_cell.BasicLSTMCell(UNITS), ("c", "h")),
    ],
)
def test_chunks_carried_by_the_saver_match_static_rnn_over_the_whole_sequence(
    make_cell, state_name
):
    first, second = _chunks()
    with tf.Graph().as_default():
        inputs = [tf.compat.v1.placeholder(tf.float32, [BATCH, DEPTH]) for _ in range(STEPS)]
        saver = VariableStateSaver(tf.nest.flatten(state_name))
        outputs, state = tf.compat.v1.nn.static_state_saving_rnn(
            make_cell(), inputs, saver, state_name, scope="chunked"
        )
        whole = [tf.constant(step) for step in np.concatenate([first, second])]
        expected_outputs, expected_state = tf.compat.v1.nn.static_rnn(
            make_cell(), whole, dtype=tf.float32, scope="whole"
        )
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            # Both RNNs use the same weights.
            pairs = zip(
                tf.compat.v1.trainable_variables("chunked"),
                tf.compat.v1.trainable_variables("whole"),
                strict=True,
            )
            sess.run([tf.compat.v1.assign(w, c) for c, w in pairs])
            got = [
                sess.run([outputs, state], dict(zip(inputs, chunk))) for chunk in (first, second)
            ]
            want_outputs, want_state = sess.run([expected_outputs, expected_state])
            saved = sess.run(saver.variables)
    got_outputs = got[0][0] + got[1][0]
    np.testing.assert_allclose(got_outputs, want_outputs, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        tf.nest.flatten(got[1][1]), tf.nest.flatten(want_state), rtol=1e-5, atol=1e-6
    )
    for name, value in zip(tf.nest.flatten(state_name), tf.nest.flatten(want_state)):
        np.testing.assert_allclose(saved[name], value, rtol=1e-5, atol=1e-6)


def test_state_name_must_match_the_state_structure():
    with tf.Graph().as_default():
        saver = VariableStateSaver(["c", "h"])
        steps = [tf.zeros([BATCH, DEPTH])]
        lstm = tf.compat.v1.nn.rnn_cell.BasicLSTMCell(UNITS)
        with pytest.raises(ValueError, match="state_name should be the same type"):
            tf.compat.v1.nn.static_state_saving_rnn(lstm, steps, saver, "h")
        with pytest.raises(ValueError, match=r"#elems\(state_name\) != #elems\(state_size\)"):
            tf.compat.v1.nn.static_state_saving_rnn(lstm, steps, saver, ("c", "h", "x"))
