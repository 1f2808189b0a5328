"""TF1's ``tf.string_split`` (op ``StringSplit``): an empty string has no tokens whatever
``skip_empty`` says. Expected values are TF 2.21's."""

from __future__ import annotations

import pytest

import runtime as tf

v1 = tf.compat.v1


def _split(source, delimiter, skip_empty):
    with tf.Graph().as_default():
        parts = v1.string_split(source, delimiter=delimiter, skip_empty=skip_empty)
        with v1.Session() as sess:
            value = sess.run(parts)
    return value.indices.tolist(), value.values.tolist(), value.dense_shape.tolist()


@pytest.mark.parametrize(
    ("source", "delimiter", "skip_empty", "expected"),
    [  # (indices, values, dense_shape) (TF 2.21)
        ([""], ",", False, ([], [], [1, 0])),
        ([""], ",", True, ([], [], [1, 0])),
        ([""], " ", False, ([], [], [1, 0])),
        ([""], "", False, ([], [], [1, 0])),
        (["", ""], ",", False, ([], [], [2, 0])),
        (["a", "", "b,c"], ",", False, ([[0, 0], [2, 0], [2, 1]], [b"a", b"b", b"c"], [3, 2])),
        (["x", ""], ", ", False, ([[0, 0]], [b"x"], [2, 1])),
        (["ab", ""], "", False, ([[0, 0], [0, 1]], [b"a", b"b"], [2, 2])),
        # A string of delimiters alone still gives its empty tokens.
        ([","], ",", False, ([[0, 0], [0, 1]], [b"", b""], [1, 2])),
        ([",;"], ",;", False, ([[0, 0], [0, 1], [0, 2]], [b"", b"", b""], [1, 3])),
        (["a,"], ",", False, ([[0, 0], [0, 1]], [b"a", b""], [1, 2])),
        (["é"], "", False, ([[0, 0], [0, 1]], [b"\xc3", b"\xa9"], [1, 2])),
    ],
)
def test_string_split_of_empty_strings_and_empty_tokens(source, delimiter, skip_empty, expected):
    assert _split(source, delimiter, skip_empty) == expected
