"""TensorShape: unknown dims and ranks, merging, compatibility, broadcasting; TF1's
``Dimension`` objects where users read shapes (checked against TF 2.21 with v2 behaviour
disabled: ``tests/fixtures/tf1_compat/shapes.json``), plain ints where the runtime does."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runtime as tf
from runtime.dimension import Dimension
from runtime.shapes import TensorShape, as_shape, broadcast_shapes, scalar, unknown_shape
from tests.fixtures.tf1_compat import shape_cases

RECORDED = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "tf1_compat" / "shapes.json").read_text()
)

dims = st.one_of(st.none(), st.integers(0, 5))
shapes = st.one_of(st.none(), st.lists(dims, max_size=4)).map(TensorShape)


def test_construction_forms():
    assert TensorShape([2, None]).as_list() == [2, None]
    assert TensorShape(3).as_list() == [3]
    assert TensorShape(None).dims is None and TensorShape(None).rank is None
    assert TensorShape(TensorShape([1])) == TensorShape([1])
    assert TensorShape(()).rank == 0 and scalar() == TensorShape([])
    assert as_shape((3, None)) == TensorShape([3, None])
    assert unknown_shape() == TensorShape(None) and unknown_shape(2).as_list() == [None, None]
    assert TensorShape([np.int64(2), Dimension(None)]).as_tuple() == (2, None)


def test_dimension_objects_with_a_value_attribute_are_accepted():
    class Dimension:
        def __init__(self, value):
            self.value = value

    assert TensorShape([Dimension(4), Dimension(None)]).as_list() == [4, None]


@pytest.mark.parametrize(
    ("dims", "error", "message"),
    [
        ([-1], ValueError, "Dimension -1 must be >= 0"),
        ([1.5], TypeError, "Dimension value must be an integer or None, got 1.5"),
        (["a"], TypeError, "Dimension value must be an integer or None, got 'a'"),
    ],
)
def test_bad_dimensions(dims, error, message):
    with pytest.raises(error, match=message):
        TensorShape(dims)


def test_accessors():
    s = TensorShape([2, None, 4])
    assert (s.rank, s.ndims, s[0].value, s[1].value, s[-1].value) == (3, 3, 2, None, 4)
    assert s[1:] == TensorShape([None, 4])
    assert s.as_list() == [2, None, 4] and s.as_tuple() == (2, None, 4)
    assert [d.value for d in s] == [2, None, 4] and len(s) == 3
    assert not s.is_fully_defined() and s.num_elements() is None
    assert TensorShape([2, 3]).num_elements() == 6 and TensorShape([]).num_elements() == 1
    assert TensorShape(None)[0].value is None and TensorShape(None)[1:] == TensorShape(None)
    assert bool(TensorShape([])) and not bool(TensorShape(None))


def test_the_runtime_reads_plain_values():
    s = TensorShape([2, None, 4])
    assert [s.dim_value(i) for i in (0, 1, -1)] == [2, None, 4]
    assert all(type(d) is int or d is None for d in (*s.as_tuple(), *s.as_list()))
    assert TensorShape(None).dim_value(5) is None and TensorShape(None).as_tuple() is None
    with pytest.raises(IndexError):
        s.dim_value(3)


def test_users_read_dimension_objects():
    s = TensorShape([2, None])
    assert all(type(d) is Dimension for d in (s[0], s[-1], *s, *s.dims))
    assert [d.value for d in s.dims] == [2, None] and s[0] == 2 and (s[1] == 2) is None


@pytest.mark.parametrize("case", sorted(shape_cases.CASES))
def test_user_code_reading_shapes_sees_what_tf1_shows(case):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3, 4])
        got = shape_cases.outcome(tf, case, x)
    expected = RECORDED[case]
    if "error" in expected:  # the class is TF's; the text is ours where TF's names its internals
        assert got.get("error") == expected["error"], got
    else:
        assert got == expected


def test_every_case_was_recorded():
    assert sorted(RECORDED) == sorted(shape_cases.CASES)


def _count_dimensions(monkeypatch) -> list:
    made = []
    original = Dimension.__init__

    def counting(self, value):
        made.append(value)
        original(self, value)

    monkeypatch.setattr(Dimension, "__init__", counting)
    return made


def test_building_graphs_makes_no_dimension_objects(monkeypatch):
    made = _count_dimensions(monkeypatch)
    with tf.Graph().as_default():
        images = tf.placeholder(tf.float32, [None, 8, 8, 3])
        labels = tf.placeholder(tf.int64, [None])
        net = tf.layers.conv2d(images, 4, 3, padding="same", activation=tf.nn.relu)
        net = tf.layers.max_pooling2d(net, 2, 2)
        net = tf.layers.batch_normalization(tf.layers.flatten(net), training=True)
        logits = tf.layers.dense(tf.nn.dropout(net, keep_prob=0.5), 10)
        loss = tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
        )
        tf.train.AdamOptimizer().minimize(loss)
        sequence = tf.placeholder(tf.float32, [None, 5, 3])
        cell = tf.nn.rnn_cell.LSTMCell(4)
        outputs, _ = tf.nn.dynamic_rnn(cell, sequence, dtype=tf.float32)
        tf.gradients(tf.reduce_sum(outputs), sequence)
        x = tf.constant(1.0)
        for _ in range(10):
            x = x + x
    assert made == []


def test_unknown_rank_errors():
    unknown = TensorShape(None)
    with pytest.raises(ValueError, match=r"as_list\(\) is not defined on an unknown TensorShape"):
        unknown.as_list()
    with pytest.raises(ValueError, match="Cannot iterate over a shape with unknown rank"):
        iter(unknown)
    with pytest.raises(ValueError, match="Cannot take the length of shape with unknown rank"):
        len(unknown)


def test_merge_with():
    assert TensorShape([2, None]).merge_with([None, 3]) == TensorShape([2, 3])
    assert TensorShape(None).merge_with([1]) == TensorShape([1])
    assert TensorShape([1]).merge_with(None) == TensorShape([1])
    with pytest.raises(ValueError, match=r"Shapes \(2, \?\) and \(3, 4\) are not compatible"):
        TensorShape([2, None]).merge_with([3, 4])


def test_rank_checks():
    assert TensorShape(None).with_rank(2) == TensorShape([None, None])
    assert TensorShape([1, 2]).with_rank_at_least(1) == TensorShape([1, 2])
    with pytest.raises(ValueError, match=r"Shape \(2, \?\) must have rank 3"):
        TensorShape([2, None]).with_rank(3)
    with pytest.raises(ValueError, match=r"Shape \(2,\) must have rank at least 2"):
        TensorShape([2]).with_rank_at_least(2)


def test_compatibility():
    assert TensorShape([2, None]).is_compatible_with([2, 5])
    assert TensorShape(None).is_compatible_with([1, 2, 3])
    assert not TensorShape([2]).is_compatible_with([2, 1])
    assert not TensorShape([2]).is_compatible_with([3])
    TensorShape([None]).assert_is_compatible_with([7])
    with pytest.raises(ValueError, match=r"Shapes \(2, \?\) and \(1,\) are incompatible"):
        TensorShape([2, None]).assert_is_compatible_with([1])


def test_most_specific_compatible_shape_and_concatenate():
    a, b = TensorShape([1, 2]), TensorShape([1, 3])
    assert a.most_specific_compatible_shape(b) == TensorShape([1, None])
    assert a.most_specific_compatible_shape([1]) == TensorShape(None)
    assert a.concatenate([3]) == TensorShape([1, 2, 3])
    assert a.concatenate(None) == TensorShape(None)


def test_str_repr_eq_hash_pickle():
    assert str(TensorShape([])) == "()" and str(TensorShape([1])) == "(1,)"
    assert str(TensorShape([1, None])) == "(1, ?)" and str(TensorShape(None)) == "<unknown>"
    assert repr(TensorShape([1, None])) == "TensorShape([Dimension(1), Dimension(None)])"
    assert TensorShape([1]) == [1] and TensorShape([1]) != [2]
    assert TensorShape([1]) != "not a shape"
    assert hash(TensorShape([1, 2])) == hash(TensorShape((1, 2)))
    assert pickle.loads(pickle.dumps(TensorShape([1, None]))) == TensorShape([1, None])


def test_broadcast_shapes():
    assert broadcast_shapes([2, 1], [3]) == TensorShape([2, 3])
    assert broadcast_shapes([None, 1], [4]) == TensorShape([None, 4])
    assert broadcast_shapes(None, [4]) == TensorShape(None)
    assert broadcast_shapes([], [2, 2]) == TensorShape([2, 2])
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 2 and 3"):
        broadcast_shapes([2], [3])


@settings(deadline=None, max_examples=200)
@given(shapes, shapes)
def test_merge_is_symmetric_and_compatible_with_both(a, b):
    if a.is_compatible_with(b):
        merged = a.merge_with(b)
        assert merged == b.merge_with(a)
        assert merged.is_compatible_with(a) and merged.is_compatible_with(b)
    else:
        with pytest.raises(ValueError, match="are not compatible"):
            a.merge_with(b)


@settings(deadline=None, max_examples=200)
@given(st.lists(st.integers(1, 3), max_size=3), st.lists(st.integers(1, 3), max_size=3))
def test_broadcast_matches_numpy(a, b):
    import numpy as np

    try:
        expected = np.broadcast_shapes(tuple(a), tuple(b))
    except ValueError:
        with pytest.raises(ValueError, match="Dimensions must be equal"):
            broadcast_shapes(a, b)
    else:
        assert broadcast_shapes(a, b) == TensorShape(expected)
