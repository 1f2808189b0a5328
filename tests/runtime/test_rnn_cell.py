"""RNN cells and the RNN functions on their own: finite-difference gradients, scopes and
variables, zero states, the wrappers' behaviour, and the errors for bad input. (Values
and gradients against real TensorFlow are in ``test_rnn.py``.)"""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf

v1 = tf.compat.v1
rnn_cell = v1.nn.rnn_cell


def _numeric_gradient(f, x: np.ndarray, delta: float = 1e-6) -> np.ndarray:
    grad = np.zeros_like(x)
    for position in np.ndindex(*x.shape):
        up, down = x.copy(), x.copy()
        up[position] += delta
        down[position] -= delta
        grad[position] = (f(up) - f(down)) / (2 * delta)
    return grad


def _check_input_gradients(build, shapes, seed=0):
    """``tf.gradients`` of a weighted sum of ``build``'s outputs, with respect to float64
    placeholders of ``shapes``, equals central differences (weights at their initial,
    seeded values)."""
    rng = np.random.default_rng(seed)
    values = [rng.uniform(-1, 1, shape) for shape in shapes]
    with tf.Graph().as_default():
        v1.set_random_seed(seed)
        xs = [v1.placeholder(tf.float64, shape) for shape in shapes]
        outputs = [t for t in tf.nest.flatten(build(*xs)) if t.dtype.base_dtype == tf.float64]
        weights = [rng.standard_normal(t.shape.as_list()) for t in outputs]
        loss = tf.add_n([tf.reduce_sum(t * w) for t, w in zip(outputs, weights)])
        grads = tf.gradients(loss, xs)
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            feed = dict(zip(xs, values))
            analytic = sess.run(grads, feed)
            for i, got in enumerate(analytic):

                def loss_at(x, i=i):
                    return sess.run(loss, {**feed, xs[i]: x})

                np.testing.assert_allclose(
                    got, _numeric_gradient(loss_at, values[i]), rtol=1e-6, atol=1e-8
                )


# -- gradients ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: rnn_cell.BasicRNNCell(3),
        lambda: rnn_cell.GRUCell(3),
        lambda: rnn_cell.BasicLSTMCell(3, state_is_tuple=False),
        lambda: rnn_cell.LSTMCell(
            3, use_peepholes=True, num_proj=3, cell_clip=50.0, proj_clip=50.0, state_is_tuple=False
        ),
    ],
    ids=["basic_rnn", "gru", "basic_lstm", "lstm_peepholes_projection"],
)
def test_one_step_gradients_match_finite_differences(make):
    def build(x, state):
        cell = make()
        width = cell.state_size
        return cell(x, state[:, :width] if state.shape[1] != width else state)

    cell = make()
    _check_input_gradients(build, [[2, 4], [2, cell.state_size]])


def test_dynamic_rnn_gradients_match_finite_differences():
    def build(x):
        lengths = tf.constant([3, 1])
        cell = rnn_cell.LSTMCell(3, use_peepholes=True)
        return v1.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=tf.float64)

    _check_input_gradients(build, [[2, 3, 2]])


def test_static_rnn_gradients_match_finite_differences():
    def build(x):
        steps = tf.unstack(x, axis=1)
        cell = rnn_cell.GRUCell(3)
        return v1.nn.static_rnn(cell, steps, sequence_length=[2, 3], dtype=tf.float64)

    _check_input_gradients(build, [[2, 3, 2]])


def test_bidirectional_gradients_match_finite_differences():
    def build(x):
        cells = rnn_cell.BasicRNNCell(2), rnn_cell.BasicRNNCell(3)
        return v1.nn.bidirectional_dynamic_rnn(
            *cells, x, sequence_length=[3, 2], dtype=tf.float64, time_major=True
        )

    _check_input_gradients(build, [[3, 2, 2]])


# -- variables and scopes ---------------------------------------------------------------------


def test_weights_made_in_a_loop_are_plain_variables_outside_it(graph, sess):
    x = tf.ones([2, 4, 3])
    cell = rnn_cell.GRUCell(5)
    outputs, _ = v1.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    names = [v.name for v in v1.global_variables()]
    assert (
        names
        == [v.name for v in cell.variables]
        == [
            "rnn/gru_cell/gates/kernel:0",
            "rnn/gru_cell/gates/bias:0",
            "rnn/gru_cell/candidate/kernel:0",
            "rnn/gru_cell/candidate/bias:0",
        ]
    )
    assert all(v.graph is graph for v in v1.global_variables())
    sess.run(v1.global_variables_initializer())
    np.testing.assert_array_equal(sess.run(cell.variables[1]), np.ones(10))  # gates bias: 1
    assert sess.run(outputs).shape == (2, 4, 5)


def test_a_second_cell_in_the_same_scope_gets_a_unique_name(graph):
    x = tf.ones([2, 3])
    first, second = rnn_cell.BasicLSTMCell(2), rnn_cell.BasicLSTMCell(2)
    first(x, first.zero_state(2, tf.float32))
    second(x, second.zero_state(2, tf.float32))
    assert first.scope_name == "basic_lstm_cell" and second.scope_name == "basic_lstm_cell_1"
    assert second.trainable_variables[0].name == "basic_lstm_cell_1/kernel:0"


def test_a_cell_reuses_its_weights_on_every_call(graph):
    cell = rnn_cell.BasicRNNCell(3)
    state = cell.zero_state(1, tf.float32)
    for _ in range(3):
        _, state = cell(tf.ones([1, 2]), state)
    assert len(v1.global_variables()) == 2 and cell.built


def test_reuse_true_without_existing_weights_fails_as_tensorflow(graph):
    cell = rnn_cell.BasicRNNCell(3, reuse=True)
    with pytest.raises(ValueError, match="Variable basic_rnn_cell/kernel does not exist"):
        cell(tf.ones([1, 2]), cell.zero_state(1, tf.float32))


def test_weights_follow_the_inputs_dtype(graph):
    cell = rnn_cell.BasicLSTMCell(2)
    cell(tf.ones([1, 3], tf.float64), cell.zero_state(1, tf.float64))
    assert {v.dtype.base_dtype for v in cell.variables} == {tf.float64}


def test_an_unknown_input_depth_is_refused(graph):
    cell = rnn_cell.GRUCell(2)
    x = v1.placeholder(tf.float32, [1, None])
    with pytest.raises(ValueError, match=r"Expected inputs.shape\[-1\] to be known"):
        cell(x, cell.zero_state(1, tf.float32))


# -- states ------------------------------------------------------------------------------


def test_zero_state_takes_a_dynamic_batch_size(graph, sess):
    x = v1.placeholder(tf.float32, [None, 3])
    cell = rnn_cell.MultiRNNCell([rnn_cell.BasicLSTMCell(4), rnn_cell.GRUCell(2)])
    (lstm, gru) = cell.zero_state(tf.shape(x)[0], tf.float32)
    assert lstm.c.shape.as_list() == [None, 4] and gru.shape.as_list() == [None, 2]
    assert gru.op.name.startswith("MultiRNNCellZeroState/GRUCellZeroState/")
    assert sess.run(gru, {x: np.ones([5, 3])}).shape == (5, 2)


def test_get_initial_state_from_inputs_and_its_errors(graph):
    cell = rnn_cell.GRUCell(3)
    state = cell.get_initial_state(inputs=tf.ones([4, 2]))
    assert state.shape.as_list() == [4, 3] and state.dtype == tf.float32
    with pytest.raises(ValueError, match="batch size from input tensor is different"):
        cell.get_initial_state(inputs=tf.ones([4, 2]), batch_size=5)
    with pytest.raises(ValueError, match="batch_size and dtype cannot be None"):
        cell.get_initial_state()


def test_lstm_state_tuple_checks_its_dtypes(graph):
    state = rnn_cell.LSTMStateTuple(tf.zeros([1, 2]), tf.zeros([1, 2], tf.float64))
    with pytest.raises(TypeError, match="Inconsistent internal state"):
        state.dtype  # noqa: B018


def test_sizes_of_the_cells():
    assert rnn_cell.LSTMCell(4, num_proj=2).state_size == (4, 2)
    assert rnn_cell.LSTMCell(4, num_proj=2, state_is_tuple=False).state_size == 6
    assert rnn_cell.LSTMCell(4, num_proj=2).output_size == 2
    multi = rnn_cell.MultiRNNCell([rnn_cell.GRUCell(3), rnn_cell.BasicRNNCell(2)], False)
    assert (multi.state_size, multi.output_size) == (5, 2)


# -- wrappers ------------------------------------------------------------------------------


def test_output_dropout_keeps_about_keep_prob_and_rescales(graph, sess):
    cell = rnn_cell.DropoutWrapper(_Identity(2000), output_keep_prob=0.25, seed=3)
    out, state = cell(tf.ones([1, 2000]), tf.zeros([1, 2000]))
    kept, passed_state = sess.run([out, state])
    assert set(np.unique(kept)) == {0.0, 4.0}
    assert abs((kept > 0).mean() - 0.25) < 0.04
    np.testing.assert_array_equal(passed_state, np.ones([1, 2000]))  # state untouched


def test_state_dropout_spares_an_lstms_memory(graph, sess):
    inner = rnn_cell.BasicLSTMCell(500)
    cell = rnn_cell.DropoutWrapper(inner, state_keep_prob=0.5, seed=1)
    _, state = cell(tf.ones([1, 3]), inner.zero_state(1, tf.float32))
    sess.run(v1.global_variables_initializer())
    c, h = sess.run(state)
    assert not np.any(c == 0) and 0.3 < np.mean(h == 0) < 0.7


def test_variational_dropout_uses_one_mask_for_every_step(graph, sess):
    cell = rnn_cell.DropoutWrapper(
        _Identity(300), output_keep_prob=0.5, variational_recurrent=True, dtype=tf.float32, seed=2
    )
    outputs, _ = v1.nn.dynamic_rnn(cell, tf.ones([1, 4, 300]), dtype=tf.float32)
    steps = sess.run(outputs)[0]
    assert all(np.array_equal(steps[0] == 0, step == 0) for step in steps[1:])
    assert 0.3 < np.mean(steps[0] == 0) < 0.7


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"output_keep_prob": 1.5}, ValueError, "output_keep_prob must be between 0 and 1"),
        ({"variational_recurrent": True}, ValueError, "dtype must be provided"),
        (
            {"variational_recurrent": True, "dtype": tf.float32, "input_keep_prob": 0.5},
            ValueError,
            "input_size must be provided",
        ),
        ({"dropout_state_filter_visitor": 3}, TypeError, "must be callable"),
    ],
)
def test_dropout_wrapper_arguments_are_checked(graph, kwargs, error, message):
    with pytest.raises(error, match=message):
        rnn_cell.DropoutWrapper(rnn_cell.GRUCell(2), **kwargs)


def test_residual_wrapper_adds_the_input(graph, sess):
    cell = rnn_cell.ResidualWrapper(_Identity(3))
    out, _ = cell(tf.constant([[1.0, 2.0, 3.0]]), tf.constant([[10.0, 20.0, 30.0]]))
    np.testing.assert_array_equal(sess.run(out), [[2.0, 4.0, 6.0]])
    mixed = rnn_cell.ResidualWrapper(_Identity(3), residual_fn=lambda i, o: o - i)
    out, _ = mixed(tf.constant([[1.0, 2.0, 3.0]]), tf.zeros([1, 3]))
    np.testing.assert_array_equal(sess.run(out), [[0.0, 0.0, 0.0]])


def test_device_wrapper_places_the_cell_and_its_zero_state(graph):
    cell = rnn_cell.DeviceWrapper(rnn_cell.BasicRNNCell(2), "/cpu:1")
    state = cell.zero_state(1, tf.float32)
    out, _ = cell(tf.ones([1, 2]), state)
    assert state.device == out.device == "/device:CPU:1"


# -- bad input -----------------------------------------------------------------------------


def test_not_a_cell_is_refused(graph):
    with pytest.raises(TypeError, match=r"The argument 'cell' .* is not an RNNCell"):
        v1.nn.dynamic_rnn(lambda x, s: (x, s), tf.ones([1, 2, 3]), dtype=tf.float32)


def test_dynamic_rnn_needs_a_dtype_or_a_state(graph):
    with pytest.raises(ValueError, match="If there is no initial_state, you must give a dtype"):
        v1.nn.dynamic_rnn(rnn_cell.GRUCell(2), tf.ones([1, 2, 3]))


def test_dynamic_rnn_needs_a_known_depth(graph):
    x = v1.placeholder(tf.float32, [1, 2, None])
    with pytest.raises(ValueError, match=r"Input size .* must be accessible via shape inference"):
        v1.nn.dynamic_rnn(rnn_cell.GRUCell(2), x, dtype=tf.float32)


def test_sequence_length_must_be_a_vector_of_the_batch_size(graph, sess):
    with pytest.raises(ValueError, match="sequence_length must be a vector"):
        v1.nn.dynamic_rnn(
            rnn_cell.GRUCell(2), tf.ones([2, 2, 3]), sequence_length=[[1]], dtype=tf.float32
        )
    lengths = v1.placeholder(tf.int32, [None])
    outputs, _ = v1.nn.dynamic_rnn(
        rnn_cell.GRUCell(2), tf.ones([2, 2, 3]), sequence_length=lengths, dtype=tf.float32
    )
    sess.run(v1.global_variables_initializer())
    with pytest.raises(tf.errors.InvalidArgumentError, match="Expected shape for Tensor"):
        sess.run(outputs, {lengths: [1, 2, 2]})


def test_static_rnn_and_raw_rnn_check_their_arguments(graph):
    with pytest.raises(TypeError, match="inputs must be a sequence"):
        v1.nn.static_rnn(rnn_cell.GRUCell(2), tf.ones([2, 3]), dtype=tf.float32)
    with pytest.raises(ValueError, match="inputs must not be empty"):
        v1.nn.static_rnn(rnn_cell.GRUCell(2), [], dtype=tf.float32)
    with pytest.raises(TypeError, match="`loop_fn` must be a callable"):
        v1.nn.raw_rnn(rnn_cell.GRUCell(2), None)


def test_multi_rnn_cell_checks_its_cells(graph):
    with pytest.raises(ValueError, match="Must specify at least one cell"):
        rnn_cell.MultiRNNCell([])
    with pytest.raises(ValueError, match="state_is_tuple is not set"):
        rnn_cell.MultiRNNCell([rnn_cell.BasicLSTMCell(2)], state_is_tuple=False)
    cell = rnn_cell.MultiRNNCell([rnn_cell.GRUCell(2), rnn_cell.GRUCell(2)])
    with pytest.raises(ValueError, match="Expected state to be a tuple of length 2"):
        cell(tf.ones([1, 2]), tf.zeros([1, 4]))


def test_partitioned_lstm_weights_are_refused_with_a_reason():
    with pytest.raises(ValueError, match="num_unit_shards and num_proj_shards"):
        rnn_cell.LSTMCell(4, num_unit_shards=2)


class _Identity(rnn_cell.RNNCell):
    """A cell whose output is its input and whose state is ones: wrappers show plainly."""

    def __init__(self, units):
        super().__init__()
        self.units = units

    state_size = property(lambda self: self.units)
    output_size = property(lambda self: self.units)

    def call(self, inputs, state):
        return inputs, tf.ones_like(state)
