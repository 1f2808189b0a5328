"""``tf.bitwise`` and the ``&``, ``|``, ``^``, ``~`` operators against TF 2.21's values.

Fixture: ``tests/fixtures/tf_ops/bitwise.npz`` (``generate_bitwise.py``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import runtime as tf

FIXTURE = np.load(Path(__file__).parents[2] / "fixtures" / "tf_ops" / "bitwise.npz")
DTYPES = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
BINARY = ["bitwise_and", "bitwise_or", "bitwise_xor", "left_shift", "right_shift"]


def expect(got, key):
    want = FIXTURE[key]
    assert got.dtype == want.dtype and got.shape == want.shape, key
    np.testing.assert_array_equal(got, want, err_msg=key)


@pytest.mark.parametrize("dtype", DTYPES)
def test_values_dtypes_and_shapes_match_tensorflow(dtype, sess):
    x, y = FIXTURE[f"{dtype}/x"], FIXTURE[f"{dtype}/y"]
    scalar, empty, shift = (FIXTURE[f"{dtype}/{k}"] for k in ("scalar", "empty", "shift"))
    fetch = {}
    for name in BINARY:
        fn = getattr(tf.bitwise, name)
        fetch[f"{name}/matrix_row"] = fn(x, y)
        fetch[f"{name}/scalar"] = fn(scalar, scalar)
        fetch[f"{name}/empty"] = fn(empty, y)
    row = np.broadcast_to(x[0, :1], shift.shape).copy()
    fetch["left_shift/shifts"] = tf.bitwise.left_shift(row, shift)
    fetch["right_shift/shifts"] = tf.bitwise.right_shift(row, shift)
    fetch["invert/matrix"] = tf.bitwise.invert(x)
    fetch["invert/scalar"] = tf.bitwise.invert(scalar)
    static = {key: tensor.shape for key, tensor in fetch.items()}
    for key, value in sess.run(fetch).items():
        expect(value, f"{dtype}/{key}")
        assert static[key] == tf.TensorShape(value.shape), key


def test_operators_are_bitwise_on_integers_and_logical_on_bools(sess):
    a = tf.constant([6, -3, 12], tf.int32)
    b = tf.constant([3, 5, -1], tf.int32)
    p = tf.constant([True, True, False])
    q = tf.constant([True, False, False])
    operators = {
        "and": a & b,
        "or": a | b,
        "xor": a ^ b,
        "invert": ~a,
        "and_python": a & 5,
        "rand_python": 5 & a,
        "bool_and": p & q,
        "bool_or": p | q,
        "bool_xor": p ^ q,
        "bool_invert": ~p,
    }
    for key, tensor in operators.items():
        assert tensor.op.type == str(FIXTURE[f"operators/{key}/op"]), key
    for key, value in sess.run(operators).items():
        expect(value, f"operators/{key}")


def test_names_follow_tensorflow(graph):
    a = tf.constant([6, -3])
    assert (a & a).name == "and/BitwiseAnd:0"
    assert (5 ^ a).op.inputs[0].name == "xor/x:0"
    assert (~a).name == "Invert:0"


def test_float_operands_are_refused_in_tf_words(graph):
    with pytest.raises(
        TypeError,
        match=r"^Value passed to parameter 'x' has DataType float32 not in list of allowed "
        r"values: int8, int16, int32, int64, uint8, uint16, uint32, uint64$",
    ):
        tf.constant(1.0) & tf.constant(2.0)
    with pytest.raises(
        TypeError, match=r"^Expected int32 passed to parameter 'y' of op 'BitwiseAnd'"
    ):
        tf.constant(1) & 2.5


def test_no_gradient(graph):
    x = tf.constant(3)
    assert tf.gradients(tf.bitwise.invert(x), x) == [None]
