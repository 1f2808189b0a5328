"""apply_op, constants and conversion (runtime/ops/core.py): TF's build-time rules."""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf
from runtime.ops.core import apply_op, format_shape, to_numpy


@pytest.mark.parametrize(
    ("value", "dtype"),
    [
        (1.5, tf.float32),
        (1, tf.int32),
        (2**40, tf.int64),
        (-(2**31), tf.int32),
        (2**31, tf.int64),
        ([[1, 2], [3, 4.5]], tf.float32),
        (True, tf.bool),
        (1 + 2j, tf.complex128),
        ([], tf.float32),
        ("abc", tf.string),
        (np.arange(3, dtype=np.int64), tf.int64),
        (np.float16(1), tf.float16),
        (np.array([1.0]), tf.float64),
    ],
)
def test_dtype_inference_follows_tf(graph, value, dtype):
    assert tf.constant(value).dtype is dtype


def test_values_and_shapes(graph):
    c = tf.constant([[1, 2], [3, 4]])
    assert c.shape == tf.TensorShape([2, 2])
    np.testing.assert_array_equal(c.op.get_attr("value"), [[1, 2], [3, 4]])
    assert tf.constant(0.0, shape=[2, 3]).op.get_attr("value").shape == (2, 3)
    assert tf.constant([1, 2, 3, 4], shape=[2, 2]).shape == tf.TensorShape([2, 2])
    assert tf.constant([7], shape=[3]).op.get_attr("value").tolist() == [7, 7, 7]
    strings = tf.constant(["a", b"b"]).op.get_attr("value")
    assert strings.dtype == object and strings.tolist() == [b"a", b"b"]


def test_dtype_argument_casts(graph):
    assert tf.constant(1, dtype=tf.float32).op.get_attr("value").dtype == np.float32
    assert tf.constant([1, 2], dtype=tf.float64).dtype is tf.float64
    assert tf.constant(np.float64(1.5), dtype=tf.int32).op.get_attr("value") == 1  # numpy: astype
    assert tf.constant(1, dtype="int64").dtype is tf.int64


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            dict(value=300, dtype=tf.uint8),
            TypeError,
            r"Expected uint8, but 300 is out of its range \[0, 255\]",
        ),
        (dict(value=1.5, dtype=tf.int32), TypeError, "Expected int32, but got 1.5 of type 'float'"),
        (dict(value=[1.5], dtype=tf.bool), TypeError, "Expected bool, but got"),
        (
            dict(value="a", dtype=tf.float32),
            TypeError,
            "Expected float32, but got 'a' of type 'str'",
        ),
        (
            dict(value=np.array(["a"]), dtype=tf.float32),
            TypeError,
            "Expected float32, but got an array of <U1",
        ),
        (dict(value=[1], dtype=tf.string), TypeError, "Expected string, but got 1 of type 'int'"),
        (dict(value=2**70), TypeError, "Can't convert Python int 1180591620717411303424"),
        (dict(value=None), ValueError, r"None values not supported\."),  # TF's class
        (dict(value=[None]), TypeError, r"Failed to convert elements of \[None\] to Tensor"),
        (dict(value=[[1, 2], [3]]), ValueError, "Can't convert non-rectangular Python sequence"),
        (
            dict(value=[1, 2, 3], shape=[2, 2]),
            TypeError,
            r"Expected Tensor's shape: \(2, 2\), but got \(3,\)",
        ),
        (
            dict(value=1, shape=[None]),
            ValueError,
            r"A constant's shape must be fully defined, got \(\?,\)",
        ),
        (dict(value=1, dtype="float33"), TypeError, "Cannot convert the argument `type_value`"),
    ],
)
def test_constant_errors(graph, kwargs, error, message):
    with pytest.raises(error, match=message):
        tf.constant(**kwargs)
    assert graph.version == 0


def test_convert_to_tensor(graph):
    c = tf.constant(1)
    assert tf.convert_to_tensor(c) is c and tf.convert_to_tensor(c, dtype=tf.int32) is c
    assert tf.convert_to_tensor([1.0, 2.0]).dtype is tf.float32
    assert tf.convert_to_tensor(3, dtype_hint=tf.float32).dtype is tf.float32
    assert tf.convert_to_tensor(3.5, preferred_dtype=tf.int32).dtype is tf.float32  # hint ignored
    assert tf.convert_to_tensor(1.0, name="named").op.name == "named"
    with pytest.raises(
        ValueError, match="Tensor conversion requested dtype float32 for Tensor with dtype int32"
    ):
        tf.convert_to_tensor(c, dtype=tf.float32)
    with pytest.raises(TypeError, match=r"Can not convert an Operation \(Const\) to a Tensor"):
        tf.convert_to_tensor(c.op)


def test_convert_objects_that_stand_for_a_tensor(graph):
    c = tf.constant(1.0)

    class Wrapper:
        def _as_graph_element(self):
            return c

    assert tf.convert_to_tensor(Wrapper()) is c


def test_to_numpy_rules():
    assert to_numpy([1, 2]).dtype == np.int32
    assert to_numpy(1.5).dtype == np.float32
    assert to_numpy(np.float64(1)).dtype == np.float64
    assert to_numpy([], tf.int32).dtype == np.int32
    array = np.arange(3, dtype=np.float32)
    assert to_numpy(array, tf.float32) is array  # no copy when the dtype matches


def test_apply_op_converts_python_inputs_inside_the_op_scope(graph):
    op = apply_op("AddV2", [1.0, 2.0], "plus", T=tf.float32)
    assert op.name == "plus"
    assert [t.op.name for t in op.inputs] == ["plus/x", "plus/y"]


def test_apply_op_name_ending_in_slash_is_taken_as_is(graph):
    assert apply_op("NoOp", [], "exact/").name == "exact"
    with pytest.raises(ValueError, match="'bad name' is not a valid node name"):
        apply_op("NoOp", [], "bad name/")


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: apply_op("AddV2", [1.0], "x", T=tf.float32),
            TypeError,
            r"AddV2 takes 2 inputs \(x, y\), got 1",
        ),
        (
            lambda: apply_op("AddV2", [1.0, 2.0], "x", T=tf.float32, bogus=1),
            TypeError,
            "AddV2 got unexpected keyword arguments: bogus.",
        ),
        (
            lambda: apply_op("Cast", [1.0], "x"),
            TypeError,
            "No argument found for attr DstT for Cast",
        ),
        (lambda: apply_op("NoSuchOp", [], "x"), ValueError, "Op type not registered 'NoSuchOp'"),
    ],
)
def test_apply_op_errors(graph, call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_shape_function_errors_name_the_node_and_input_shapes(graph):
    a = tf.constant(np.ones((2, 3), np.float32), name="a")
    b = tf.constant(np.ones((4, 5), np.float32), name="b")
    with pytest.raises(ValueError) as info:
        tf.matmul(a, b)
    text = str(info.value)
    assert text.startswith(
        "Dimensions must be equal, but are 3 and 4 for '{{node MatMul}} = "
        "MatMul[T=DT_FLOAT, grad_a=false, grad_b=false, transpose_a=false, transpose_b=false]"
        "(a, b)' with input shapes: "
        "[2,3], [4,5]."
    )
    assert f'(op created at "{__file__}"' in text


def test_dtype_mismatch_is_a_type_error_naming_both(graph):
    with pytest.raises(
        TypeError,
        match=r"Input 'y' of 'AddV2' Op has type int32 that does not match type float32 of argument 'x'",
    ):
        tf.add(tf.constant(1.0), tf.constant(1))


def test_format_shape():
    assert format_shape(tf.TensorShape([2, None])) == "[2,?]"
    assert format_shape(tf.TensorShape([])) == "[]"
    assert format_shape(tf.TensorShape(None)) == "<unknown>"
