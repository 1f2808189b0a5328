"""Ops with several outputs return TF's namedtuples (``tf.nn.top_k(x, 2).indices``).

TF's generated wrappers return ``collections.namedtuple(op_type, output_arg_names)`` for
every op with more than one output arg; the public functions below pass it on, or build
their own plain tuple or list. Each type name and field list is TF 2.21's.
"""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import runtime as tf
from runtime.ops.core import apply_op, op_outputs, output_tuple

v1 = tf.compat.v1


def _matrix():
    return tf.constant([[2.0, 1.0], [1.0, 3.0]])


def _image():
    return tf.ones([1, 4, 4, 1])


def _classes():
    return tf.constant([[1]], tf.int64)


_SAMPLED = ("sampled_candidates", "true_expected_count", "sampled_expected_count")
_POOLED = ("output", "row_pooling_sequence", "col_pooling_sequence")

# (TF 2.21): name -> (builder, namedtuple type name, fields)
NAMED = {
    "nn.top_k": (lambda: tf.nn.top_k([1.0, 2.0, 3.0], 2), "TopKV2", ("values", "indices")),
    "math.top_k": (lambda: tf.math.top_k([1.0, 2.0, 3.0], 2), "TopKV2", ("values", "indices")),
    "v1.nn.top_k": (lambda: v1.nn.top_k([1.0, 2.0, 3.0], 2), "TopKV2", ("values", "indices")),
    "unique": (lambda: tf.unique([1, 2, 1]), "Unique", ("y", "idx")),
    "unique_with_counts": (
        lambda: tf.unique_with_counts([1, 2, 1]),
        "UniqueWithCounts",
        ("y", "idx", "count"),
    ),
    "v1.qr": (lambda: v1.qr(_matrix()), "Qr", ("q", "r")),
    "linalg.qr": (lambda: tf.linalg.qr(_matrix()), "Qr", ("q", "r")),
    "linalg.lu": (lambda: tf.linalg.lu(_matrix()), "Lu", ("lu", "p")),
    "linalg.slogdet": (
        lambda: tf.linalg.slogdet(_matrix()),
        "LogMatrixDeterminant",
        ("sign", "log_abs_determinant"),
    ),
    "v1.setdiff1d": (lambda: v1.setdiff1d([1, 2], [1]), "ListDiff", ("out", "idx")),
    "audio.decode_wav": (
        lambda: tf.audio.decode_wav(tf.audio.encode_wav(tf.zeros([2, 1]), 8000)),
        "DecodeWav",
        ("audio", "sample_rate"),
    ),
    "v1.nn.max_pool_with_argmax": (
        lambda: v1.nn.max_pool_with_argmax(_image(), [1, 2, 2, 1], [1, 2, 2, 1], "VALID"),
        "MaxPoolWithArgmax",
        ("output", "argmax"),
    ),
    "nn.max_pool_with_argmax": (
        lambda: tf.nn.max_pool_with_argmax(_image(), 2, 2, "VALID"),
        "MaxPoolWithArgmax",
        ("output", "argmax"),
    ),
    "v1.nn.fractional_max_pool": (
        lambda: v1.nn.fractional_max_pool(_image(), [1.0, 1.5, 1.5, 1.0]),
        "FractionalMaxPool",
        _POOLED,
    ),
    "nn.fractional_max_pool": (
        lambda: tf.nn.fractional_max_pool(_image(), [1.0, 1.5, 1.5, 1.0]),
        "FractionalMaxPool",
        _POOLED,
    ),
    "v1.nn.fractional_avg_pool": (
        lambda: v1.nn.fractional_avg_pool(_image(), [1.0, 1.5, 1.5, 1.0]),
        "FractionalAvgPool",
        _POOLED,
    ),
    "nn.fractional_avg_pool": (
        lambda: tf.nn.fractional_avg_pool(_image(), [1.0, 1.5, 1.5, 1.0]),
        "FractionalAvgPool",
        _POOLED,
    ),
    "v1.image.sample_distorted_bounding_box": (
        lambda: v1.image.sample_distorted_bounding_box(
            [4, 4, 1], tf.zeros([1, 1, 4]), min_object_covered=0.1
        ),
        "SampleDistortedBoundingBoxV2",
        ("begin", "size", "bboxes"),
    ),
    "image.combined_non_max_suppression": (
        lambda: tf.image.combined_non_max_suppression(
            tf.zeros([1, 2, 1, 4]), tf.zeros([1, 2, 1]), 2, 2
        ),
        "CombinedNonMaxSuppression",
        ("nmsed_boxes", "nmsed_scores", "nmsed_classes", "valid_detections"),
    ),
    "v1.nn.uniform_candidate_sampler": (
        lambda: v1.nn.uniform_candidate_sampler(_classes(), 1, 2, True, 5),
        "UniformCandidateSampler",
        _SAMPLED,
    ),
    "nn.learned_unigram_candidate_sampler": (
        lambda: tf.nn.learned_unigram_candidate_sampler(_classes(), 1, 2, True, 5),
        "LearnedUnigramCandidateSampler",
        _SAMPLED,
    ),
    "nn.fixed_unigram_candidate_sampler": (
        lambda: tf.nn.fixed_unigram_candidate_sampler(
            _classes(), 1, 2, True, 5, unigrams=[1.0] * 5
        ),
        "FixedUnigramCandidateSampler",
        _SAMPLED,
    ),
    "random.all_candidate_sampler": (
        lambda: tf.random.all_candidate_sampler(_classes(), 1, 2, True),
        "AllCandidateSampler",
        _SAMPLED,
    ),
    "nn.compute_accidental_hits": (
        lambda: tf.nn.compute_accidental_hits(_classes(), tf.constant([1, 2], tf.int64), 1),
        "ComputeAccidentalHits",
        ("indices", "ids", "weights"),
    ),
    "math.approx_max_k": (
        lambda: tf.math.approx_max_k([[1.0, 2.0]], 1),
        "ApproxTopK",
        ("values", "indices"),
    ),
    "math.approx_min_k": (
        lambda: tf.math.approx_min_k([[1.0, 2.0]], 1),
        "ApproxTopK",
        ("values", "indices"),
    ),
    "WholeFileReader.read": (
        lambda: v1.WholeFileReader().read(v1.FIFOQueue(2, tf.string)),
        "ReaderReadV2",
        ("key", "value"),
    ),
    "WholeFileReader.read_up_to": (
        lambda: v1.WholeFileReader().read_up_to(v1.FIFOQueue(2, tf.string), 2),
        "ReaderReadUpToV2",
        ("keys", "values"),
    ),
}

# (TF 2.21): public functions whose Python code builds a plain tuple or a list.
PLAIN = {
    "linalg.eigh": (lambda: tf.linalg.eigh(_matrix()), tuple),
    "v1.self_adjoint_eig": (lambda: v1.self_adjoint_eig(_matrix()), tuple),
    "linalg.eig": (lambda: tf.linalg.eig(_matrix()), tuple),
    "linalg.svd": (lambda: tf.linalg.svd(_matrix()), tuple),
    "v1.nn.fused_batch_norm": (lambda: v1.nn.fused_batch_norm(_image(), [1.0], [0.0]), tuple),
    "nn.moments": (lambda: tf.nn.moments(_image(), [0]), tuple),
    "nn.ctc_greedy_decoder": (lambda: tf.nn.ctc_greedy_decoder(tf.zeros([2, 1, 3]), [2]), tuple),
    "image.non_max_suppression_padded": (
        lambda: tf.image.non_max_suppression_padded(
            tf.zeros([2, 4]), tf.zeros([2]), 2, pad_to_max_output_size=True
        ),
        tuple,
    ),
    "image.non_max_suppression_with_scores": (
        lambda: tf.image.non_max_suppression_with_scores(tf.zeros([2, 4]), tf.zeros([2]), 2),
        tuple,
    ),
    "split": (lambda: tf.split(_image(), 2, axis=1), list),
    "unstack": (lambda: tf.unstack(_matrix()), list),
    "dynamic_partition": (lambda: tf.dynamic_partition([1, 2], [0, 1], 2), list),
    "shape_n": (lambda: tf.shape_n([_image(), _image()]), list),
}


@pytest.mark.parametrize("name", sorted(NAMED))
def test_multi_output_ops_return_tfs_namedtuple(graph, name):
    build, type_name, fields = NAMED[name]
    result = build()
    assert type(result).__name__ == type_name
    assert type(result)._fields == fields
    for index, field in enumerate(fields):
        assert getattr(result, field) is result[index]


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_functions_that_build_their_own_result_keep_it(graph, name):
    build, kind = PLAIN[name]
    assert type(build()) is kind


def test_fields_are_the_ops_outputs_in_order(graph):
    result = tf.unique_with_counts([3, 1, 3])
    # A field, not tuple.count: TF's UniqueWithCounts has one named count.
    assert [t.name for t in result] == [f"UniqueWithCounts:{i}" for i in range(3)]
    assert result.count is result[2]
    _y, _idx, count = result  # unpacking still works
    assert count.dtype == tf.int32


def test_repr_is_tfs(graph):
    result = tf.nn.top_k([1.0, 3.0, 2.0], 2)
    # (TF 2.21)
    assert repr(result) == (
        "TopKV2(values=<tf.Tensor 'TopKV2:0' shape=(2,) dtype=float32>, "
        "indices=<tf.Tensor 'TopKV2:1' shape=(2,) dtype=int32>)"
    )


def test_session_run_returns_the_same_namedtuple_and_it_pickles(sess):
    result = tf.nn.top_k([1.0, 3.0, 2.0], 2)
    fetched = sess.run(result)
    # (TF 2.21): the fetch keeps its type. TF's own cannot be pickled; this one can.
    assert type(fetched) is type(result)
    np.testing.assert_array_equal(fetched.indices, [1, 2])
    for copied in (pickle.loads(pickle.dumps(fetched)), copy.deepcopy(fetched)):
        assert type(copied) is type(result)
        np.testing.assert_array_equal(copied.values, [3.0, 2.0])


def test_one_class_per_op_type():
    assert output_tuple("TopKV2") is output_tuple("TopKV2")
    assert output_tuple("Qr")._fields == ("q", "r")


def test_op_outputs_follows_tfs_generated_wrappers(graph):
    # Several args with list ones: a list per list arg, as TF's wrappers group them.
    sp = tf.SparseTensor([[0, 0], [1, 1]], [1.0, 2.0], [2, 2])
    axis = tf.constant(0, tf.int64)
    parts = [sp.indices, sp.values, sp.dense_shape]
    op = apply_op("SparseSplit", [axis, *parts], "SparseSplit", num_split=2)
    result = op_outputs(op)
    assert type(result).__name__ == "SparseSplit"
    assert [len(field) for field in result] == [2, 2, 2]
    assert result.output_values == list(op.outputs[2:4])
    # One list arg: a list; one plain arg: the tensor; no outputs: the op.
    split = apply_op("Split", [tf.constant(0), tf.ones([2])], "Split", num_split=2)
    assert op_outputs(split) == list(split.outputs)
    neg = apply_op("Neg", [tf.constant(1.0)], "Neg")
    assert op_outputs(neg) is neg.outputs[0]
    no_op = apply_op("NoOp", [], "NoOp")
    assert op_outputs(no_op) is no_op
