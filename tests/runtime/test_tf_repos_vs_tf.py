"""Pieces of popular TF1 repositories' model code, checked against TF 2.21.

The programs (google-research/bert's optimizer, fast-style-transfer's and
DCGAN-tensorflow's transposed convolutions, layer norms built from
``tf.nn.moments``) were run under TF 2.21 (``tf.compat.v1`` with
``disable_v2_behavior``); the names, shapes and errors TF gave are written here
as literals.
"""

import pytest

import runtime as tf

v1 = tf.compat.v1


def _op_names(graph):
    return [op.name for op in graph.get_operations()]


def test_group_flattens_nested_inputs():
    # BERT's optimization.py: tf.group(train_op, [global_step.assign(new_global_step)]).
    with tf.Graph().as_default():
        a, b, c = v1.Variable(1.0), v1.Variable(2.0), v1.Variable(5.0)
        grouped = tf.group(a.assign(3.0), [b.assign(4.0), (c.assign_add(1.0),)])
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            sess.run(grouped)
            values = sess.run([a, b, c])
    # TF 2.21 gives these control inputs, and runs all three updates.
    assert grouped.name == "group_deps"
    assert sorted(op.name for op in grouped.control_inputs) == ["Assign", "AssignAdd", "Assign_1"]
    assert values == [3.0, 4.0, 6.0]


@pytest.mark.parametrize("inputs", [(None,), ([None],), (1.0,)])
def test_group_rejects_non_tensors_as_tf(inputs):
    with tf.Graph().as_default():
        with pytest.raises(TypeError, match="'inputs' should be zero or more \\(nested\\) Tensors"):
            tf.group(*inputs)


def test_batch_normalization_names_its_ops_as_tf():
    # A layer norm as BERT writes it without tf.contrib: moments + batch_normalization.
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [2, 4])
        mean, var = tf.nn.moments(x, [-1], keep_dims=True)
        y = tf.nn.batch_normalization(x, mean, var, tf.zeros([4]), tf.ones([4]), 1e-3)
        tf.nn.batch_normalization(tf.ones([2, 3]), 0.5, 2.0, None, None, 1e-3, name="bn")
        tf.nn.batch_normalization(tf.ones([2, 3]), 0.5, 2.0, 0.1, None, 1e-3, name="bn2")
        with v1.Session() as sess:
            out = sess.run(y, {x: [[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 8.0]]})
    names = _op_names(graph)
    # TF 2.21's ops for the three calls.
    assert [n for n in names if n.startswith("batchnorm/")] == [
        "batchnorm/add/y",
        "batchnorm/add",
        "batchnorm/Rsqrt",
        "batchnorm/mul",
        "batchnorm/mul_1",
        "batchnorm/mul_2",
        "batchnorm/sub",
        "batchnorm/add_1",
    ]
    assert [n for n in names if n.startswith("bn/")] == [
        "bn/Rsqrt/x",
        "bn/Rsqrt",
        "bn/mul",
        "bn/mul_1/x",
        "bn/mul_1",
        "bn/add",
    ]
    assert [n for n in names if n.startswith("bn2/")] == [
        "bn2/Rsqrt/x",
        "bn2/Rsqrt",
        "bn2/mul",
        "bn2/mul_1/x",
        "bn2/mul_1",
        "bn2/sub/x",
        "bn2/sub",
        "bn2/add",
    ]
    assert y.op.name == "batchnorm/add_1"
    assert out[1].tolist() == pytest.approx([-0.577, -0.577, -0.577, 1.732], abs=1e-3)


def test_dropout_and_random_scaling_are_named_as_tf():
    graph = tf.Graph()
    with graph.as_default():
        dropped = tf.nn.dropout(tf.ones([2, 4]), rate=0.1)
        tf.random.truncated_normal([3], stddev=0.1)
        v1.random_normal([2], stddev=2.0)
    names = _op_names(graph)
    # TF 2.21: dropout's SelectV2 keeps its own name; the samples are scaled by an
    # operator ``*`` (``mul``).
    assert dropped.op.name == "dropout/SelectV2"
    assert "truncated_normal/mul" in names and "random_normal/mul" in names


def test_reducing_a_scalar_builds_a_range_to_its_rank():
    graph = tf.Graph()
    with graph.as_default():
        total = tf.reduce_sum(tf.constant(1.0))
        tf.reduce_mean(tf.constant([1.0, 2.0]))
        v1.assert_less_equal(3, 5)
        with v1.Session() as sess:
            value = sess.run(total)
    types = {op.name: op.type for op in graph.get_operations()}
    # TF 2.21 (``if x_rank:`` is false for a scalar): Rank is a Const, then a Range.
    assert _op_names(graph)[:9] == [
        "Const",
        "Rank",
        "range/start",
        "range/delta",
        "range",
        "Sum",
        "Const_1",
        "Const_2",
        "Mean",
    ]
    assert (types["Rank"], types["range"]) == ("Const", "Range")
    assert types["assert_less_equal/range"] == "Range"
    assert value == 1.0


def test_conv2d_transpose_takes_its_batch_from_the_input():
    with tf.Graph().as_default():
        kernel = tf.ones([3, 3, 8, 16])
        unknown_batch = v1.placeholder(tf.float32, [None, 2, 2, 16])
        three = v1.placeholder(tf.float32, [3, None, 2, 16])
        n = v1.placeholder(tf.int32, [])
        strides = [1, 2, 2, 1]
        first = tf.nn.conv2d_transpose(unknown_batch, kernel, [4, 4, 4, 8], strides)
        stacked = tf.nn.conv2d_transpose(three, kernel, tf.stack([n, 4, 4, 8]), strides)
        one_d = tf.nn.conv1d_transpose(
            v1.placeholder(tf.float32, [None, 2, 16]), tf.ones([3, 8, 16]), [4, 4, 8], 2
        )
        # TF 2.21 gives (?, 4, 4, 8), (3, 4, 4, 8) and (?, 4, 8), so DCGAN's
        # tf.reshape(deconv, deconv.get_shape()) fails for a [None, z_dim] z, and
        # rejects a batch that disagrees with the input's.
        assert first.shape.as_list() == [None, 4, 4, 8]
        assert stacked.shape.as_list() == [3, 4, 4, 8]
        assert one_d.shape.as_list() == [None, 4, 8]
        # TF 2.21 names the converted output_shape after the op's input_sizes arg.
        assert first.op.inputs[0].op.name == "conv2d_transpose/input_sizes"
        with pytest.raises(ValueError, match="Dimensions must be equal, but are 4 and 3"):
            tf.nn.conv2d_transpose(three, kernel, [4, 4, 4, 8], strides)
        with pytest.raises(ValueError, match="Dimensions must be equal"):
            tf.nn.conv2d_transpose(unknown_batch, tf.ones([3, 3, 8, 5]), [4, 4, 4, 8], strides)


def test_conv2d_transpose_with_unknown_batch_runs():
    with tf.Graph().as_default():
        x = v1.placeholder(tf.float32, [None, 2, 2, 1])
        y = tf.nn.conv2d_transpose(x, tf.ones([2, 2, 1, 1]), [1, 4, 4, 1], [1, 2, 2, 1])
        with v1.Session() as sess:
            out = sess.run(y, {x: [[[[1.0], [2.0]], [[3.0], [4.0]]]]})
    # TF 2.21: each input pixel fills its own 2x2 block.
    assert out[0, :, :, 0].tolist() == [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]


def _stacked_cell_program():
    """char-rnn's shape of program: a MultiRNNCell called in a reopened scope."""
    cell = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.LSTMCell(2), tf.nn.rnn_cell.GRUCell(2)])
    state = cell.zero_state(1, tf.float32)
    x = v1.placeholder(tf.float32, [1, 2])
    with v1.variable_scope("dec"):
        v1.get_variable("w", [1])
    with v1.variable_scope("dec"):
        out, new_state = cell(x, state)
    return x, state, out, new_state


def test_feeding_a_cell_state_structure():
    # char-rnn's sample(): sess.run(..., {model.initial_state: state}), a tuple of
    # LSTMStateTuples (namedtuples) as one feed key.
    with tf.Graph().as_default():
        x, state, _, new_state = _stacked_cell_program()
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            for var in v1.global_variables():
                sess.run(var.assign(tf.fill(var.shape.as_list(), 0.1)))
            first = sess.run(new_state, {x: [[1.0, 2.0]]})
            second = sess.run(new_state, {x: [[1.0, 2.0]], state: first})
    # TF 2.21's values.
    assert type(first[0]).__name__ == "LSTMStateTuple"
    assert second[0].c[0].tolist() == pytest.approx([0.427061, 0.427061], abs=1e-6)
    assert second[0].h[0].tolist() == pytest.approx([0.243774, 0.243774], abs=1e-6)
    assert second[1][0].tolist() == pytest.approx([0.102681, 0.102681], abs=1e-6)


def test_cells_that_are_not_layers_reenter_the_variable_scope():
    class Twice(tf.nn.rnn_cell.RNNCell):
        state_size = output_size = 2

        def call(self, inputs, state):
            return inputs * 2.0 + state, state

    with tf.Graph().as_default():
        x, _, out, _ = _stacked_cell_program()
        with v1.variable_scope("outer"):
            twice, _ = Twice()(x, tf.zeros([1, 2]))
        names = [v.name for v in v1.global_variables()]
    # TF 2.21: RNNCell.__call__ re-enters the current variable scope (one more name
    # scope) for cells that are not LayerRNNCells; the variables keep their names.
    assert out.op.name == "dec_1/dec/multi_rnn_cell/cell_1/gru_cell/add"
    assert twice.op.name == "outer/outer/twice/add"
    assert names[1:3] == [
        "dec/multi_rnn_cell/cell_0/lstm_cell/kernel:0",
        "dec/multi_rnn_cell/cell_0/lstm_cell/bias:0",
    ]


def test_dynamic_rnn_of_stacked_cells_names_ops_as_tf():
    graph = tf.Graph()
    with graph.as_default():
        cell = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.LSTMCell(3)])
        v1.nn.dynamic_rnn(cell, tf.ones([2, 4, 3]), dtype=tf.float32)
        stacked = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.BasicRNNCell(3)])
        v1.nn.static_rnn(stacked, [tf.ones([2, 3])] * 2, dtype=tf.float32)
    matmuls = [op.name for op in graph.get_operations() if op.type == "MatMul"]
    # TF 2.21's names.
    assert matmuls == [
        "rnn/while/rnn/multi_rnn_cell/cell_0/lstm_cell/MatMul",
        "rnn_1/rnn/multi_rnn_cell/cell_0/basic_rnn_cell/MatMul",
        "rnn_1/rnn/multi_rnn_cell/cell_0/basic_rnn_cell/MatMul_1",
    ]


def test_embedding_lookup_names_its_gather_as_tf():
    with tf.Graph().as_default():
        table = v1.Variable([[1.0], [2.0]])
        looked_up = tf.nn.embedding_lookup(table, [1])
    # TF 2.21: the GatherV2 is "embedding_lookup", an Identity of it is returned.
    assert looked_up.name == "embedding_lookup/Identity:0"
    gather = looked_up.op.inputs[0].op
    assert (gather.name, gather.type) == ("embedding_lookup", "GatherV2")


def test_pad_keeps_the_dimensions_its_paddings_make_known():
    with tf.Graph().as_default():
        x = v1.placeholder(tf.float32, [None, 4])
        n = v1.placeholder(tf.int32, [])
        shapes = [
            tf.pad(x, [[0, n], [0, 0]]),
            tf.pad(x, [[0, n], [1, 2]]),
            tf.pad(x, tf.stack([[0, n], [1, 1]])),
            tf.pad(tf.ones([3, 4]), [[n, 1], [1, 1]], mode="REFLECT"),
            tf.pad(tf.ones([3, 4]), [[1, 1], [n, 1]], constant_values=2.0),
            tf.pad(x, v1.placeholder(tf.int32, [2, 2])),
        ]
    # TF 2.21 (object_detection pads its NMS results by max_total_size - n).
    assert [t.shape.as_list() for t in shapes] == [
        [None, 4],
        [None, 7],
        [None, 6],
        [None, 6],
        [5, None],
        [None, None],
    ]


def test_stack_autopacks_a_list_with_tensors():
    graph = tf.Graph()
    with graph.as_default():
        n = v1.placeholder(tf.int32, [], name="n")
        tf.stack([n, 1, 2])
        tf.stack([n, 4], axis=-1)
        nested = tf.stack([[n, 1], [2, 3]])
        with v1.Session() as sess:
            value = sess.run(nested, {n: 7})
    # TF 2.21's ops: with axis 0 the list is converted (autopacked) under the name.
    assert [(op.name, op.type) for op in graph.get_operations()][1:] == [
        ("stack/1", "Const"),
        ("stack/2", "Const"),
        ("stack", "Pack"),
        ("stack_1/values_1", "Const"),
        ("stack_1", "Pack"),
        ("stack_2/0/1", "Const"),
        ("stack_2/0", "Pack"),
        ("stack_2/1_1", "Const"),
        ("stack_2", "Pack"),
    ]
    assert value.tolist() == [[7, 1], [2, 3]]


def test_switches_and_enters_of_outside_values_are_named_by_their_consumer():
    # Frozen ResNets (layers.batch_normalization's cond over `training`) and
    # object_detection's map_fn loops refer to these names.
    graph = tf.Graph()
    with graph.as_default():
        x = tf.constant(1.0, name="x")
        p = v1.placeholder(tf.bool, [], name="p")
        c = tf.constant(2, name="c")
        y = v1.cond(p, lambda: x * 2.0, lambda: x)
        r = v1.while_loop(lambda i: i < 7, lambda i: i + c, [0])
        with v1.Session() as sess:
            values = sess.run([y, r], {p: True})
    # TF 2.21's names and values.
    assert [op.name for op in graph.get_operations() if op.type in ("Switch", "Enter")] == [
        "cond/Switch",
        "cond/mul/Switch",
        "cond/Switch_1",
        "while/Enter",
        "while/Switch",
        "while/add/Enter",
    ]
    assert values == [2.0, 8]


def test_assert_guards_float_data_with_a_cond_as_tf():
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [2], name="x")
        guarded = v1.Assert(tf.reduce_all(x > 0.0), ["x must be positive", x], name="chk")
        plain = v1.Assert(tf.constant(True), ["ok", tf.constant(3)], name="chk2")
        with v1.Session() as sess:
            sess.run(guarded, {x: [1.0, 2.0]})
            with pytest.raises(tf.errors.InvalidArgumentError) as failure:
                sess.run(guarded, {x: [1.0, -2.0]})
    names = [op.name for op in graph.get_operations()]
    # TF 2.21: only string and int32 data go straight to an Assert; the rest runs in an
    # AssertGuard cond (its Merge is the result), and list inputs are named data_<i>.
    assert (guarded.name, guarded.type) == ("chk/AssertGuard/Merge", "Merge")
    assert (plain.name, plain.type) == ("chk2/Assert", "Assert")
    assert names[names.index("chk/Const") :] == [
        "chk/Const",
        "chk/AssertGuard/Switch",
        "chk/AssertGuard/switch_t",
        "chk/AssertGuard/switch_f",
        "chk/AssertGuard/pred_id",
        "chk/AssertGuard/NoOp",
        "chk/AssertGuard/control_dependency",
        "chk/AssertGuard/Assert/data_0",
        "chk/AssertGuard/Assert",
        "chk/AssertGuard/Assert/Switch",
        "chk/AssertGuard/Assert/Switch_1",
        "chk/AssertGuard/control_dependency_1",
        "chk/AssertGuard/Merge",
        "Const_1",
        "Const_2",
        "chk2/Const",
        "chk2/Assert/data_0",
        "chk2/Assert",
    ]
    assert "chk/AssertGuard/Assert" in failure.value.message
    assert "[x must be positive] [1 -2]" in failure.value.message


def test_clip_by_global_norm_names_its_ops_as_tf():
    # BERT's and char-rnn's gradient clipping.
    graph = tf.Graph()
    with graph.as_default():
        (a, b), norm = tf.clip_by_global_norm([tf.constant([3.0, 4.0]), tf.constant([[1.0]])], 1.0)
        clipped = tf.clip_by_norm(tf.constant([3.0, 4.0]), 1.0)
        with v1.Session() as sess:
            values = sess.run([a, b, norm, clipped])
    names = {op.name: op.type for op in graph.get_operations()}
    # TF 2.21's ops (operators, and v1 where: Select).
    for name in (
        "global_norm/mul",
        "clip_by_global_norm/truediv/x",
        "clip_by_global_norm/truediv_1/y",
        "clip_by_global_norm/mul/x",
        "clip_by_global_norm/sub",
        "clip_by_global_norm/add",
        "clip_by_global_norm/mul_1",
        "clip_by_norm/mul",
        "clip_by_norm/mul_1/y",
    ):
        assert name in names
    assert names["clip_by_norm/Select"] == "Select"
    assert values[0].tolist() == pytest.approx([0.588348, 0.784465], abs=1e-6)
    assert values[1].ravel().tolist() == pytest.approx([0.196116], abs=1e-6)
    assert values[2] == pytest.approx(5.0990195)
    assert values[3].tolist() == pytest.approx([0.6, 0.8])
