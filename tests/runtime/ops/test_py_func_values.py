"""What ``py_func``/``numpy_function`` hand the Python function, and what a run fetches
from a string result: TF 2.21's values and classes, recorded as facts."""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf

v1 = tf.compat.v1


def _seen(value, dtype=None, wrap=v1.py_func):
    """The argument the function got for the tensor ``value``, and the run's result."""
    seen = []

    def keep(x):
        seen.append(x)
        return x

    with tf.Graph().as_default():
        tensor = tf.constant(value, dtype=dtype)
        out = wrap(keep, [tensor], tensor.dtype)
        with v1.Session() as sess:
            result = sess.run(out)
    return seen[0], result


@pytest.mark.parametrize("wrap", [v1.py_func, tf.numpy_function])
@pytest.mark.parametrize(
    ("value", "dtype", "expected_class"),
    [  # a 0-d tensor arrives as a numpy scalar (TF 2.21)
        (1.5, tf.float32, np.float32),
        (2.0, tf.float64, np.float64),
        (3, tf.int32, np.int32),
        (4, tf.int64, np.int64),
        (5, tf.uint8, np.uint8),
        (True, tf.bool, np.bool_),
        (1.0, tf.float16, np.float16),
        (1j, tf.complex64, np.complex64),
    ],
)
def test_a_scalar_arrives_as_a_numpy_scalar(wrap, value, dtype, expected_class):
    argument, result = _seen(value, dtype, wrap)
    assert type(argument) is expected_class
    assert type(result) is expected_class and result == value


@pytest.mark.parametrize("wrap", [v1.py_func, tf.numpy_function])
def test_a_scalar_string_arrives_as_bytes(wrap):
    argument, result = _seen(b"abc", wrap=wrap)
    assert type(argument) is bytes and argument == b"abc"  # (TF 2.21)
    assert type(result) is bytes


def test_the_function_can_decode_a_scalar_string(graph):
    out = v1.py_func(lambda s: s.decode().upper().encode(), [tf.constant(b"abc")], tf.string)
    with v1.Session() as sess:
        assert sess.run(out) == b"ABC"  # (TF 2.21)


@pytest.mark.parametrize(
    ("value", "dtype", "numpy_dtype"),
    [
        ([1.0, 2.0], tf.float32, np.float32),
        ([[1, 2]], tf.int32, np.int32),
        ([True], tf.bool, np.bool_),
        ([b"a", b"b\x00"], tf.string, object),
        ([[b"x"]], tf.string, object),
        (np.zeros(0, np.float32), tf.float32, np.float32),
    ],
)
def test_a_tensor_of_rank_one_or_more_arrives_as_an_array(value, dtype, numpy_dtype):
    argument, _ = _seen(value, dtype)
    assert type(argument) is np.ndarray and argument.dtype == numpy_dtype  # (TF 2.21)
    assert argument.tolist() == np.asarray(value, dtype=numpy_dtype).tolist()
    if numpy_dtype is object:  # strings as bytes objects, NUL bytes kept
        assert all(type(item) is bytes for item in argument.reshape(-1))


@pytest.mark.parametrize(
    ("returned", "fetched"),
    [  # a string result is fetched as bytes, never np.bytes_ (TF 2.21)
        (lambda: b"x", b"x"),
        (lambda: np.bytes_(b"y"), b"y"),
        (lambda: "z", b"z"),
        (lambda: np.array(b"q"), b"q"),
        (lambda: np.str_("w"), b"w"),
    ],
)
def test_a_returned_scalar_string_is_fetched_as_bytes(graph, returned, fetched):
    out = v1.py_func(returned, [], tf.string)
    with v1.Session() as sess:
        result = sess.run(out)
    assert type(result) is bytes and result == fetched


def test_a_returned_string_array_is_fetched_as_an_array_of_bytes(graph):
    # numpy's fixed-width array drops the trailing NUL itself (TF 2.21: [b'a', b'b']).
    out = v1.py_func(lambda: np.array([b"a", b"b\x00"]), [], tf.string)
    with v1.Session() as sess:
        result = sess.run(out)
    assert result.dtype == object and result.tolist() == [b"a", b"b"]
    assert all(type(item) is bytes for item in result)
