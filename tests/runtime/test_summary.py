"""Summary ops against TensorFlow: every case of tests/fixtures/tf_summaries/generate.py
is built again here, and the op names, tags, collections and serialized ``Summary``
bytes (PNG images: their pixels) must be TF's; so must the errors."""

from __future__ import annotations

import io
import json
import os

import numpy as np
import pytest
from PIL import Image

import runtime as tf
from runtime.errors import InvalidArgumentError
from runtime.proto import summary_pb2
from runtime.summary.kernels import BUCKET_LIMITS, histogram_proto, to_uint8

v1 = tf.compat.v1
HERE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tf_summaries")
with open(os.path.join(HERE, "summaries.json")) as _file:
    RECORDED = json.load(_file)
INPUTS = np.load(os.path.join(HERE, "inputs.npz"))


def _in_scope(build):
    with tf.name_scope("outer"):
        return build()


def _twice(summary):
    return [v1.summary.merge([summary, summary])]


# The generator's cases, word for word with ``tf`` being this runtime.
c = v1.summary
CASES = {
    "scalar_float": lambda: [c.scalar("loss", tf.constant(1.5))],
    "scalar_int_family": lambda: [c.scalar("acc", tf.constant(3), family="train")],
    "scalar_repeated_name": lambda: [c.scalar("loss", 1.0), c.scalar("loss", 2.0)],
    "scalar_in_scope": lambda: _in_scope(lambda: [c.scalar("x", 2.5, family="fam")]),
    "scalar_bad_name": lambda: [c.scalar("bad name!", 1.0)],
    "scalar_not_scalar": lambda: [c.scalar("v", tf.constant([1.0, 2.0]))],
    "histogram_normal": lambda: [c.histogram("w", tf.constant(INPUTS["normal"]))],
    "histogram_wide": lambda: [c.histogram("wide", tf.constant(INPUTS["wide"]))],
    "histogram_ints": lambda: [c.histogram("ints", tf.constant(INPUTS["ints"]))],
    "histogram_empty": lambda: [c.histogram("empty", tf.zeros([0]))],
    "histogram_constant": lambda: [c.histogram("zeros", tf.zeros([3]))],
    "histogram_nan": lambda: [c.histogram("bad", tf.constant([1.0, np.nan]))],
    "histogram_in_scope": lambda: _in_scope(lambda: [c.histogram("h", [1.0], family="f")]),
    "image_rgb": lambda: [c.image("img", tf.constant(INPUTS["image_rgb"]))],
    "image_signed": lambda: [c.image("signed", tf.constant(INPUTS["image_signed"]))],
    "image_rgba_u8": lambda: [c.image("rgba", tf.constant(INPUTS["image_rgba_u8"]), max_outputs=2)],
    "image_one": lambda: [c.image("one", tf.constant(INPUTS["image_rgb"]), max_outputs=1)],
    "image_nonfinite": lambda: [c.image("nf", tf.constant(INPUTS["image_nonfinite"]))],
    "image_bad_rank": lambda: [c.image("bad", tf.zeros([2, 3, 4]))],
    "image_bad_depth": lambda: [c.image("bad", tf.zeros([1, 3, 4, 2]))],
    "audio_mono": lambda: [c.audio("mono", tf.constant(INPUTS["audio_mono"]), 8000)],
    "audio_stereo": lambda: [
        c.audio("stereo", tf.constant(INPUTS["audio_stereo"]), 44100.0, max_outputs=2)
    ],
    "text_scalar": lambda: [c.text("note", tf.constant("hello"))],
    "text_matrix": lambda: [c.text("table", tf.constant([["a", "b"], ["c", "d"]]))],
    "tensor_summary": lambda: [
        c.tensor_summary(
            "t", tf.constant(INPUTS["ints"]), summary_description="desc", display_name="T"
        )
    ],
    "tensor_summary_float": lambda: [c.tensor_summary("f", tf.constant([1.5, -2.0]))],
    "merge": lambda: [c.merge([c.scalar("a", 1.0), c.histogram("b", [1.0, 2.0])])],
    "merge_duplicate": lambda: _twice(c.scalar("a", 1.0)),
}


def test_every_recorded_case_is_here():
    assert sorted(CASES) == sorted(RECORDED)


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)))


def _assert_same_summary(ours: bytes, theirs: bytes) -> None:
    mine, tfs = summary_pb2.Summary.FromString(ours), summary_pb2.Summary.FromString(theirs)
    if not any(v.HasField("image") for v in tfs.value):
        assert ours == theirs  # byte for byte
        return
    assert [v.tag for v in mine.value] == [v.tag for v in tfs.value]
    for a, b in zip(mine.value, tfs.value):
        assert (a.image.height, a.image.width, a.image.colorspace) == (
            b.image.height,
            b.image.width,
            b.image.colorspace,
        )
        np.testing.assert_array_equal(
            _pixels(a.image.encoded_image_string), _pixels(b.image.encoded_image_string)
        )


@pytest.mark.parametrize("case", sorted(CASES))
def test_names_tags_values_and_errors_are_tfs(case):
    recorded = RECORDED[case]
    with tf.Graph().as_default() as graph:
        ops = CASES[case]()
        assert [[t.op.name, t.op.type] for t in ops] == recorded["ops"]
        collection = [t.op.name for t in graph.get_collection(v1.GraphKeys.SUMMARIES)]
        assert collection == recorded["collection"]
        merged = v1.summary.merge_all()
        assert merged.op.name == recorded["merge_all"]
        with v1.Session() as sess:
            if "error" in recorded:
                assert recorded["error"]["class"] == "InvalidArgumentError"
                with pytest.raises(InvalidArgumentError) as caught:
                    sess.run(ops)
                assert recorded["error"]["message"] in caught.value.message
                return
            values = sess.run(ops)
    tags = [[v.tag for v in summary_pb2.Summary.FromString(b).value] for b in values]
    assert tags == recorded["tags"]
    for ours, theirs in zip(values, recorded["summaries"]):
        _assert_same_summary(ours, bytes.fromhex(theirs))


class TestHistogram:
    def test_buckets_are_tfs_exponential_limits(self):
        positive = BUCKET_LIMITS[BUCKET_LIMITS > 0]
        assert positive[0] == 1e-12 and positive[-1] == np.finfo(np.float64).max
        np.testing.assert_allclose(positive[1:-1] / positive[:-2], 1.1)
        np.testing.assert_array_equal(BUCKET_LIMITS[BUCKET_LIMITS < 0], -positive[::-1])

    def test_each_value_lands_in_the_bucket_whose_limit_is_the_first_above_it(self):
        values = np.random.default_rng(3).normal(scale=100, size=500)
        histo = histogram_proto(values)
        limits = np.array(histo.bucket_limit)
        assert sum(histo.bucket) == 500
        for lower, upper, count in zip([-np.inf, *limits[:-1]], limits, histo.bucket):
            assert count == ((values >= lower) & (values < upper)).sum()

    def test_the_text_summary_needs_strings(self, graph):
        with pytest.raises(ValueError, match="to have dtype string, got float32"):
            v1.summary.text("t", tf.constant(1.0))


class TestImages:
    def test_float_scaling_rule(self):
        positive = np.array([[[0.0], [2.0], [4.0]]], np.float32)
        np.testing.assert_array_equal(
            to_uint8(positive, np.zeros(4, np.uint8))[0, :, 0], [0, 127, 255]
        )
        signed = np.array([[[-2.0], [0.0], [1.0]]], np.float32)
        np.testing.assert_array_equal(
            to_uint8(signed, np.zeros(4, np.uint8))[0, :, 0], [1, 128, 191]
        )

    def test_at_most_max_outputs_images(self, graph):
        summary = v1.summary.image("i", tf.zeros([5, 2, 2, 3]), max_outputs=2)
        with v1.Session() as sess:
            values = summary_pb2.Summary.FromString(sess.run(summary)).value
        assert [v.tag for v in values] == ["i/image/0", "i/image/1"]
        assert _pixels(values[0].image.encoded_image_string).shape == (2, 2, 3)


class TestMerge:
    def test_named_merge_and_explicit_collections(self, graph):
        a = v1.summary.scalar("a", 1.0, collections=["mine"])
        assert graph.get_collection(v1.GraphKeys.SUMMARIES) == []
        merged = v1.summary.merge([a], collections=["merged"], name="all")
        assert merged.op.name == "all/all" and graph.get_collection("merged") == [merged]
        assert v1.summary.merge_all() is None
        assert v1.summary.merge_all("mine").op.name == "Merge/MergeSummary"
