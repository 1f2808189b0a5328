"""TF's auto-packing: ``convert_to_tensor`` turns a list holding tensors into ``Pack`` ops.

The graphs (op names, types, inputs) and errors are TF 2.21's for the same programs in
``tf.compat.v1`` graph mode; values are checked by running the graphs.
"""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf
from runtime.ops import core
from runtime.ops.core import register_tensor_conversion_function

v1 = tf.compat.v1


def _ops(graph) -> list:
    return [(op.name, op.type, [t.name for t in op.inputs]) for op in graph.get_operations()]


@pytest.fixture
def n(graph):
    return v1.placeholder(tf.int32, [], name="n")


@pytest.fixture
def x(graph):
    return v1.placeholder(tf.float32, [], name="x")


# -- the graph TF builds --------------------------------------------------------------


def test_a_list_holding_a_tensor_is_a_pack_named_packed(graph, n):
    t = tf.convert_to_tensor([n, 1])
    # (TF 2.21)
    assert str(t) == 'Tensor("packed:0", shape=(2,), dtype=int32)'
    assert _ops(graph) == [
        ("n", "Placeholder", []),
        ("packed/1", "Const", []),
        ("packed", "Pack", ["n:0", "packed/1:0"]),
    ]
    assert graph.get_operation_by_name("packed/1").get_attr("dtype") == tf.int32


def test_a_tuple_packs_and_a_name_names_the_pack(graph, n):
    assert tf.convert_to_tensor((n, 1)).op.name == "packed"
    t = tf.convert_to_tensor([n, 1], name="foo")
    # (TF 2.21)
    assert [t.op.name for t in t.op.inputs] == ["n", "foo/1"]
    assert t.name == "foo:0"


def test_nested_lists_pack_level_by_level(graph, n):
    t = tf.convert_to_tensor([[1, 2], [n, 3]])
    # (TF 2.21): the plain row's scope takes packed/0, so its Const is packed/0_1.
    assert t.shape.as_list() == [2, 2]
    assert _ops(graph) == [
        ("n", "Placeholder", []),
        ("packed/1/1", "Const", []),
        ("packed/1", "Pack", ["n:0", "packed/1/1:0"]),
        ("packed/0_1", "Const", []),
        ("packed", "Pack", ["packed/0_1:0", "packed/1:0"]),
    ]


def test_a_list_without_tensors_stays_one_const(graph):
    t = tf.convert_to_tensor([[1, 2], [3, 4]])
    assert (t.op.type, t.dtype) == ("Const", tf.int32)


def test_numpy_entries_become_consts_of_the_tensors_dtype(graph):
    c = tf.constant([3, 4])
    t = tf.convert_to_tensor([np.array([1, 2]), c])  # an int64 array beside int32
    # (TF 2.21)
    assert t.dtype == tf.int32 and t.shape.as_list() == [2, 2]
    assert [i.op.name for i in t.op.inputs] == ["packed/0", "Const"]


def test_variables_pack_by_their_value(graph):
    v = v1.Variable(1.0, name="v")
    t = tf.convert_to_tensor([[v], [2.0]])
    # (TF 2.21)
    assert [op.name for op in graph.get_operations()][-3:] == ["packed/0", "packed/1_1", "packed"]
    assert graph.get_operation_by_name("packed/0").inputs[0].name == "v/read:0"
    with v1.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(t), [[1.0], [2.0]])


def test_op_inputs_pack_inside_the_op_scope_named_after_the_argument(graph, n, x):
    out = tf.add(x, [n, 1])
    # (TF 2.21): y's dtype is bound by x, so n is cast first, as TF's conversion does.
    assert out.dtype == tf.float32
    assert _ops(graph)[2:] == [
        ("Add/Cast", "Cast", ["n:0"]),
        ("Add/y/1", "Const", []),
        ("Add/y", "Pack", ["Add/Cast:0", "Add/y/1:0"]),
        ("Add", "AddV2", ["x:0", "Add/y:0"]),
    ]


def test_shape_arguments_pack(graph, n):
    # (TF 2.21)
    t = tf.reshape(tf.ones([4]), [n, 2])
    assert [i.op.name for i in t.op.inputs] == ["ones", "Reshape/shape"]
    t = tf.fill([n, 2], 1.0)
    assert [i.op.name for i in t.op.inputs] == ["Fill/dims", "Fill/value"]
    assert v1.random_normal([n, 2]).shape.as_list() == [None, 2]


# -- dtypes ---------------------------------------------------------------------------


def test_plain_entries_take_the_first_tensors_dtype(graph, n):
    # (TF 2.21): 1.5 does not fit the list's int32, wherever it stands.
    for value in ([n, 1.5], [1.5, n]):
        with pytest.raises(TypeError, match=r"^Expected int32, but got 1.5 of type 'float'.$"):
            tf.convert_to_tensor(value)


def test_tensors_of_two_dtypes_are_a_type_error(graph, n, x):
    # (TF 2.21)
    message = (
        "Cannot convert a list containing a tensor of dtype <dtype: 'float32'> to "
        "<dtype: 'int32'> (Tensor is: <tf.Tensor 'x:0' shape=() dtype=float32>)"
    )
    with pytest.raises(TypeError) as err:
        tf.convert_to_tensor([n, x])
    assert str(err.value) == message
    # Even with a dtype: only when the first tensor differs from it are the others cast.
    with pytest.raises(TypeError, match="tensor of dtype <dtype: 'int32'> to <dtype: 'float32'>"):
        tf.convert_to_tensor([x, n], dtype=tf.float32)


def test_a_variable_of_another_dtype_is_named_by_its_ref_dtype(graph, n):
    v = v1.Variable(1.0, name="v")
    # (TF 2.21)
    with pytest.raises(TypeError, match=r"dtype <dtype: 'float32_ref'> to <dtype: 'int32'>"):
        tf.convert_to_tensor([n, v])


def test_a_requested_dtype_casts_the_tensors_before_the_packed_scope(graph, n):
    t = tf.convert_to_tensor([n, 1], dtype=tf.float32)
    # (TF 2.21)
    assert t.dtype == tf.float32
    assert _ops(graph)[1:] == [
        ("Cast", "Cast", ["n:0"]),
        ("packed/1", "Const", []),
        ("packed", "Pack", ["Cast:0", "packed/1:0"]),
    ]
    with pytest.raises(TypeError, match=r"^Expected int64, but got 1.5 of type 'float'.$"):
        tf.convert_to_tensor([n, 1.5], dtype=tf.int64)


def test_a_preferred_dtype_is_tried_first(graph, n):
    # (TF 2.21): float32 works (a cast); string does not, so the list keeps int32. The
    # failed try leaves its Cast and has taken the name "packed".
    t = v1.convert_to_tensor([n, 1], preferred_dtype=tf.string)
    assert (t.name, t.dtype) == ("packed_1:0", tf.int32)
    assert v1.convert_to_tensor([n, 1], preferred_dtype=tf.float32).dtype == tf.float32
    assert tf.convert_to_tensor([n, 1], dtype_hint=tf.float32).dtype == tf.float32


# -- errors -----------------------------------------------------------------------------


def test_ragged_lists_fail_in_packs_shape_function(graph, n):
    # (TF 2.21)
    with pytest.raises(ValueError, match=r"Shapes must be equal rank, but are 0 and 1"):
        tf.convert_to_tensor([n, [1, 2]])
    with pytest.raises(ValueError, match=r"Dimension 0 in both shapes must be equal"):
        tf.convert_to_tensor([[], [n]])


def test_an_operation_in_a_list_is_not_packed(graph):
    # (TF 2.21): a TypeError; an Operation is not a tensor.
    with pytest.raises(TypeError):
        tf.convert_to_tensor([tf.no_op(), 1])


def test_constant_refuses_tensors(graph, n):
    # (TF 2.21)
    for value in (n, [n, 1]):
        with pytest.raises(TypeError, match=r"^Expected any non-tensor type, but got a tensor"):
            tf.constant(value)


def test_a_conversion_function_may_decline(graph, monkeypatch):
    monkeypatch.setattr(core, "_conversion_functions", list(core._conversion_functions))

    class Maybe(list):
        pass

    def decline(value, dtype=None, name=None, as_ref=False):
        return NotImplemented  # TF's protocol: the next conversion function takes it

    register_tensor_conversion_function(Maybe, decline, priority=1)
    assert tf.convert_to_tensor(Maybe([1, 2])).op.type == "Const"


# -- what users write -----------------------------------------------------------------------


def test_tf1_programs_that_pack(graph, n, x):
    line = v1.placeholder(tf.string, [], name="line")
    m = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    fetches = {
        "sum": tf.reduce_sum([n, n]),
        "normal": tf.shape(v1.random_normal([n, 2])),
        "sparse": tf.sparse.to_dense(tf.SparseTensor([[0]], [x], [3])),
        "split": v1.string_split([line]).values,
        "lookup": tf.nn.embedding_lookup(m, [n]),
        "cast": tf.cast([x, x], tf.int32),
        "maximum": tf.maximum([x, 1.0], 0.0),
        "matmul": tf.matmul([[x, x]], tf.ones([2, 2])),
        "one_hot": tf.one_hot([n], 3),
        "radd": [x, x] + tf.constant(1.0),  # noqa: RUF005 - a list plus a tensor is the case
        "nested": tf.convert_to_tensor([[n, 1], [2, n]]),
    }
    with v1.Session() as sess:
        got = sess.run(fetches, {n: 1, x: -2.5, line: "a b"})
    # (TF 2.21)
    expected = {
        "sum": 2,
        "normal": [1, 2],
        "sparse": [-2.5, 0.0, 0.0],
        "split": [b"a", b"b"],
        "lookup": [[3.0, 4.0]],
        "cast": [-2, -2],
        "maximum": [0.0, 1.0],
        "matmul": [[-5.0, -5.0]],
        "one_hot": [[0.0, 1.0, 0.0]],
        "radd": [-1.5, -1.5],
        "nested": [[1, 1], [2, 1]],
    }
    for key, value in expected.items():
        np.testing.assert_array_equal(got[key], value, err_msg=key)


def test_a_loop_body_packs_its_loop_variable(graph):
    out = tf.while_loop(lambda i: i < 3, lambda i: tf.reduce_sum([i, 1]), [0])
    with v1.Session() as sess:
        assert sess.run(out) == 3
