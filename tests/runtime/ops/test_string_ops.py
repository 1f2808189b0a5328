"""String ops against Python's own string handling on random inputs (TF's values are
in ``test_array_fixtures.py``), and what TF1 programs do with them: TF1's top-level
spellings, ``regex_replace`` picking the static op, the RaggedTensor-free split."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runtime as tf

v1 = tf.compat.v1
WORDS = st.lists(st.text(alphabet="ab ,", max_size=6), min_size=1, max_size=5)


def _run(tensor):
    with v1.Session() as sess:
        return sess.run(tensor)


@settings(max_examples=30, deadline=None)
@given(WORDS, st.sampled_from(["", "-", "::"]))
def test_join_is_pythons(words, separator):
    with tf.Graph().as_default():
        joined = _run(tf.strings.join([words, "!"], separator=separator))
    assert joined.tolist() == [(w + separator + "!").encode() for w in words]


@settings(max_examples=30, deadline=None)
@given(WORDS, st.sampled_from([None, ",", "a"]), st.integers(-1, 2))
def test_strings_split_is_pythons_str_split(words, sep, maxsplit):
    with tf.Graph().as_default():
        value = _run(v1.strings.split(words, sep=sep, maxsplit=maxsplit))
    rows = [w.encode().split(None if sep is None else sep.encode(), maxsplit) for w in words]
    assert value.values.tolist() == [token for row in rows for token in row]
    assert value.indices.tolist() == [[i, j] for i, row in enumerate(rows) for j in range(len(row))]
    assert value.dense_shape.tolist() == [len(rows), max(map(len, rows))]


@settings(max_examples=30, deadline=None)
@given(WORDS, st.booleans())
def test_string_split_cuts_at_any_delimiter_character(words, skip_empty):
    with tf.Graph().as_default():
        value = _run(v1.string_split(words, ", ", skip_empty=skip_empty))
    rows = [re.split("[, ]", w) if w else [] for w in words]  # "": no tokens (TF 2.21)
    rows = [[t for t in row if t] if skip_empty else row for row in rows]
    assert value.values.tolist() == [t.encode() for row in rows for t in row]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(max_size=8), min_size=1, max_size=4), st.integers(-3, 3), st.integers(0, 4))
def test_substr_and_length_count_characters(texts, pos, length):
    texts = [t for t in texts if len(t) >= abs(pos)] or ["abc"]
    pos = pos if all(len(t) >= abs(pos) for t in texts) else 0
    encoded = [t.encode() for t in texts]
    with tf.Graph().as_default():
        chars = _run(tf.strings.length(encoded, unit="UTF8_CHAR"))
        pieces = _run(tf.strings.substr(encoded, pos, length, unit="UTF8_CHAR"))
    assert chars.tolist() == [len(t) for t in texts]
    starts = [pos + len(t) if pos < 0 else pos for t in texts]
    assert pieces.tolist() == [t[s : s + length].encode() for t, s in zip(texts, starts)]


def test_regex_replace_static_and_dynamic_ops(graph):
    static = tf.strings.regex_replace(["abcabc"], "b", "X")
    dynamic = tf.strings.regex_replace(["abcabc"], tf.constant("b"), tf.constant(r"<\0\0>"))
    assert static.op.type == "StaticRegexReplace" and dynamic.op.type == "RegexReplace"
    with v1.Session() as sess:
        assert sess.run(static).tolist() == [b"aXcaXc"]
        assert sess.run(dynamic).tolist() == [b"a<bb>ca<bb>c"]
        with pytest.raises(tf.errors.InvalidArgumentError, match="not a valid capture group"):
            sess.run(tf.strings.regex_replace(["a"], "(a)", r"\2"))


def test_to_number_and_as_string_round_trip(sess):
    numbers = np.array([0.5, -3.25, 1e-3], np.float64)
    text = tf.strings.as_string(numbers, precision=6)
    back = tf.strings.to_number(text, out_type=tf.float64)
    np.testing.assert_allclose(sess.run(back), numbers)
    assert sess.run(v1.string_to_number(["42"], tf.int32)).tolist() == [42]


def test_tf1_spellings_and_shapes(graph):
    assert v1.string_join is tf.strings.join
    assert v1.substr(["abc"], 0, 1).shape == tf.TensorShape([1])
    assert tf.strings.length([["a", "bb"]]).shape == tf.TensorShape([1, 2])
    assert v1.string_split(["a b"]).dense_shape.shape == tf.TensorShape([2])
    with pytest.raises(NotImplementedError, match="RaggedTensors are not part of this runtime"):
        v1.string_split(["a"], result_type="RaggedTensor")
    with pytest.raises(ValueError, match="result_type must be 'RaggedTensor' or 'SparseTensor'"):
        v1.strings.split(["a"], result_type="list")
    with pytest.raises(TypeError, match="Expected string passed to parameter 'input' of op"):
        tf.strings.length([1, 2])
