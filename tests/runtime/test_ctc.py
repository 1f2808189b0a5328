"""CTC: the loss (op CTCLoss) and its gradient, TF2's dense-label loss, the greedy and
beam search decoders, and the label utilities, against what TF 2.21 computed
(``tests/fixtures/tf_nn_extra/generate.py``)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import runtime as tf
from runtime import errors
from tests.runtime.gradcheck import check_gradients

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tf_nn_extra"
VALUES = np.load(FIXTURES / "values.npz")
META = json.loads((FIXTURES / "meta.json").read_text())
v1 = tf.compat.v1


def fixture(case: str, key: str) -> np.ndarray:
    return VALUES[f"{case}:{key}"]


def run(fetches):
    with v1.Session() as sess:
        return sess.run(fetches)


def labels_of(case: str) -> tf.SparseTensor:
    return tf.SparseTensor(
        fixture(case, "indices"), fixture(case, "values"), fixture(case, "shape")
    )


LOSS_CASES = sorted(c for c in META if c.startswith("ctc_loss") and "kwargs" in META[c])


@pytest.mark.parametrize("case", LOSS_CASES)
def test_ctc_loss_and_its_gradient_match_tf(case):
    logits = fixture(case, "logits")
    with tf.Graph().as_default():
        x = tf.constant(logits)
        loss = v1.nn.ctc_loss(labels_of(case), x, fixture(case, "seq_len"), **META[case]["kwargs"])
        cotangent = fixture(case, "cotangent").astype(logits.dtype)
        (grad,) = tf.gradients(tf.reduce_sum(loss * cotangent), [x])
        assert loss.dtype.name == META[case]["loss"]["dtype"]
        assert loss.shape.as_list() == META[case]["loss"]["shape"]
        assert grad.shape.as_list() == META[case]["grad"]["shape"]
        got_loss, got_grad = run([loss, grad])
    rtol = 1e-5 if logits.dtype == np.float32 else 1e-7
    np.testing.assert_allclose(got_loss, fixture(case, "loss"), rtol=rtol)
    np.testing.assert_allclose(got_grad, fixture(case, "grad"), rtol=rtol, atol=rtol)


def test_ctc_loss_gradient_matches_finite_differences():
    case = "ctc_loss_f64"
    check_gradients(
        lambda x: v1.nn.ctc_loss(labels_of(case), x, fixture(case, "seq_len")),
        [fixture(case, "logits")],
        rtol=1e-5,
        atol=1e-7,
    )


def test_ctc_loss_graph_is_tfs_and_a_second_derivative_is_refused():
    case = "ctc_loss"
    with tf.Graph().as_default():
        x = tf.constant(fixture(case, "logits"))
        loss = v1.nn.ctc_loss(labels_of(case), x, fixture(case, "seq_len"))
        assert (loss.op.type, loss.op.name) == ("CTCLoss", "CTCLoss")
        assert [t.dtype.name for t in loss.op.inputs] == ["float32", "int64", "int32", "int32"]
        (grad,) = tf.gradients(loss, [x])
        with pytest.raises(LookupError, match="second derivative of ctc_loss"):
            tf.gradients(grad, [x])


@pytest.mark.parametrize(
    "case", ["ctc_loss_too_long", "ctc_loss_label_is_blank", "ctc_loss_seq_len_too_big"]
)
def test_ctc_loss_bad_labels_raise_tfs_error(case):
    rows = {
        "ctc_loss_too_long": ([[1, 2, 1, 2, 1], [3], [2]], [3, 4, 5]),
        "ctc_loss_label_is_blank": ([[4, 1], [3], [2]], [6, 4, 5]),
        "ctc_loss_seq_len_too_big": ([[1], [3], [2]], [7, 4, 5]),
    }[case]
    indices = [[b, i] for b, row in enumerate(rows[0]) for i in range(len(row))]
    values = [v for row in rows[0] for v in row]
    error = getattr(errors, META[case]["error"])
    with tf.Graph().as_default():
        labels = tf.SparseTensor(indices, np.array(values, np.int32), [3, 5])
        loss = v1.nn.ctc_loss(labels, fixture("ctc_loss", "logits"), rows[1])
        with pytest.raises(error, match="CTCLoss"):
            run(loss)


def test_ctc_loss_wants_sparse_labels():
    with tf.Graph().as_default(), pytest.raises(TypeError, match="SparseTensor"):
        v1.nn.ctc_loss([[1]], tf.zeros([2, 1, 3]), [2])


@pytest.mark.parametrize("case", sorted(c for c in META if c.startswith("ctc_loss_v2")))
def test_dense_ctc_loss_and_its_gradient_match_tf(case):
    logits = fixture(case, "logits")
    with tf.Graph().as_default():
        x = tf.constant(logits)
        loss = v1.nn.ctc_loss_v2(
            fixture(case, "labels"),
            x,
            fixture(case, "label_length"),
            fixture(case, "logit_length"),
            META[case]["time_major"],
            blank_index=META[case]["blank_index"],
        )
        cotangent = fixture(case, "cotangent").astype(np.float32)
        (grad,) = tf.gradients(tf.reduce_sum(loss * cotangent), [x])
        got_loss, got_grad = run([loss, grad])
    np.testing.assert_allclose(got_loss, fixture(case, "loss"), rtol=1e-5)
    np.testing.assert_allclose(got_grad, fixture(case, "grad"), rtol=1e-5, atol=1e-6)


def test_tf2s_ctc_loss_is_the_dense_one():
    assert tf.compat.v2.nn.ctc_loss is v1.nn.ctc_loss_v2
    assert tf.compat.v2.nn.ctc_beam_search_decoder is v1.nn.ctc_beam_search_decoder_v2


DECODERS = {
    "greedy": v1.nn.ctc_greedy_decoder,
    "greedy_no_merge": v1.nn.ctc_greedy_decoder,
    "greedy_blank_0": v1.nn.ctc_greedy_decoder,
    "beam": v1.nn.ctc_beam_search_decoder,
    "beam_no_merge": v1.nn.ctc_beam_search_decoder,
    "beam_v2": v1.nn.ctc_beam_search_decoder_v2,
    "beam_raw_logits": v1.nn.ctc_beam_search_decoder,
}


@pytest.mark.parametrize("case", sorted(DECODERS))
def test_decoders_match_tf(case):
    with tf.Graph().as_default():
        decoded, log_prob = DECODERS[case](
            fixture(case, "logits"), fixture(case, "seq_len"), **META[case]["kwargs"]
        )
        assert log_prob.shape.as_list() == META[case]["log_prob"]["shape"]
        assert decoded[0].indices.shape.as_list() == META[case]["indices0"]["shape"]
        got_decoded, got_log_prob = run([decoded, log_prob])
    np.testing.assert_allclose(got_log_prob, fixture(case, "log_prob"), rtol=1e-5)
    for i, path in enumerate(got_decoded):
        assert path.values.dtype == np.int64
        np.testing.assert_array_equal(path.indices, fixture(case, f"indices{i}"))
        np.testing.assert_array_equal(path.values, fixture(case, f"values{i}"))
        np.testing.assert_array_equal(path.dense_shape, fixture(case, f"shape{i}"))


def test_more_top_paths_than_the_beam_is_tfs_error():
    error = getattr(errors, META["beam_top_paths_over_width"]["error"])
    with tf.Graph().as_default():
        _, log_prob = v1.nn.ctc_beam_search_decoder(
            fixture("beam", "logits"), fixture("beam", "seq_len"), beam_width=2, top_paths=3
        )
        with pytest.raises(error, match="CTCBeamSearchDecoder"):
            run(log_prob)


def test_unique_labels_and_collapse_repeated_match_tf():
    with tf.Graph().as_default():
        unique, idx = v1.nn.ctc_unique_labels(fixture("unique_labels", "labels"))
        collapsed, lengths = v1.nn.collapse_repeated(
            fixture("collapse_repeated", "labels"), fixture("collapse_repeated", "seq_length")
        )
        assert (unique.dtype, idx.dtype) == (tf.int64, tf.int32)
        got = run([unique, idx, collapsed, lengths])
    np.testing.assert_array_equal(got[0], fixture("unique_labels", "unique"))
    np.testing.assert_array_equal(got[1], fixture("unique_labels", "idx"))
    np.testing.assert_array_equal(got[2], fixture("collapse_repeated", "labels"))
    np.testing.assert_array_equal(got[3], fixture("collapse_repeated", "seq_length"))


def test_float16_logits_are_computed_in_float32_as_tf_does():
    case = "ctc_loss"
    with tf.Graph().as_default():
        loss = v1.nn.ctc_loss(
            labels_of(case), fixture(case, "logits").astype(np.float16), fixture(case, "seq_len")
        )
        assert loss.dtype == tf.float16
        assert (loss.op.type, loss.op.inputs[0].op.type) == ("Cast", "CTCLoss")
        got = run(loss)
    np.testing.assert_allclose(got, fixture(case, "loss"), rtol=2e-3)


def test_labels_of_a_batch_entry_that_does_not_exist_are_refused():
    with tf.Graph().as_default():
        labels = tf.SparseTensor([[-1, 0]], np.array([0], np.int32), [1, 1])
        loss = v1.nn.ctc_loss(labels, tf.zeros([2, 1, 3]), [2])
        with pytest.raises(errors.InvalidArgumentError, match="batches in"):
            run(loss)
