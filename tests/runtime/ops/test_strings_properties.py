"""String ops beyond TF's recorded values (``test_strings_fixtures.py``): SipHash's
published test vector, base64, Unicode and n-grams against Python's own handling of
random text, segment joins against a plain loop, and what TF1 programs do with them."""

from __future__ import annotations

import base64
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runtime as tf
from runtime.kernels import hashing

v1 = tf.compat.v1


def _run(tensor, feed=None):
    with v1.Session() as session:
        return session.run(tensor, feed)


def test_siphash_matches_the_papers_test_vector():
    # Aumasson and Bernstein's SipHash-2-4 example: key 00..0f, message 00..0e.
    key = (int.from_bytes(bytes(range(8)), "little"), int.from_bytes(bytes(range(8, 16)), "little"))
    assert hashing.siphash(key, bytes(range(15))) == 0xA129CA6149BE45E5


def test_hash_buckets_spread_and_stay_in_range(graph):
    words = [f"word{i}".encode() for i in range(2000)]
    fast, legacy, strong = _run(
        [
            tf.strings.to_hash_bucket_fast(words, 10),
            v1.string_to_hash_bucket(words, 10),
            tf.strings.to_hash_bucket_strong(words, 10, [3, 5]),
        ]
    )
    for buckets in (fast, legacy, strong):
        counts = np.bincount(buckets, minlength=10)
        assert buckets.dtype == np.int64 and counts.min() > 150  # about 200 each


@settings(max_examples=40, deadline=None)
@given(st.lists(st.binary(max_size=40), min_size=1, max_size=5), st.booleans())
def test_base64_is_pythons_web_safe_base64(blobs, pad):
    with tf.Graph().as_default():
        encoded = tf.io.encode_base64(np.array(blobs, object), pad=pad)
        text, back = _run([encoded, tf.io.decode_base64(encoded)])
    expected = [base64.urlsafe_b64encode(b) for b in blobs]
    assert text.tolist() == (expected if pad else [e.rstrip(b"=") for e in expected])
    assert back.tolist() == blobs


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=12), st.sampled_from(["UTF-8", "UTF-16-BE", "UTF-32-BE"]))
def test_unicode_decode_encode_round_trip(text, encoding):
    data = text.encode(encoding.lower())
    with tf.Graph().as_default():
        points, starts = tf.strings.unicode_decode_with_offsets(data, encoding)
        chars = tf.strings.unicode_split(data, encoding)
        again = tf.strings.unicode_encode(points, "UTF-8")
        points, starts, chars, again = _run([points, starts, chars, again])
    assert points.tolist() == [ord(c) for c in text]
    widths = [len(c.encode(encoding.lower())) for c in text]
    assert starts.tolist() == list(itertools.accumulate([0, *widths[:-1]]))[: len(text)]
    assert chars.tolist() == [c.encode(encoding.lower()) for c in text]
    assert again == text.encode()


def test_unicode_decoding_of_many_strings_says_why_not(graph):
    with pytest.raises(ValueError, match="RaggedTensor"):
        tf.strings.unicode_decode(["ab", "c"], "UTF-8")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from("abcde"), min_size=0, max_size=6),
    st.lists(st.integers(1, 4), min_size=1, max_size=2, unique=True),
    st.booleans(),
)
def test_ngrams_are_pythons_sliding_windows(tokens, widths, padded):
    with tf.Graph().as_default():
        grams = _run(
            tf.strings.ngrams(
                np.array(tokens, object).astype("S"), widths, "_", ("<", ">") if padded else None
            )
        )
    expected = []
    for width in widths:
        row = (["<"] * (width - 1) + tokens + [">"] * (width - 1)) if padded else tokens
        expected += ["_".join(row[i : i + width]) for i in range(len(row) - width + 1)]
    assert [g.decode() for g in grams] == expected


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.text("xyz", max_size=3), st.integers(0, 3)), max_size=8))
def test_unsorted_segment_join_joins_in_order(pairs):
    texts = [t.encode() for t, _ in pairs]
    ids = [i for _, i in pairs]
    with tf.Graph().as_default():
        joined = _run(
            tf.strings.unsorted_segment_join(
                np.array(texts, object).reshape(-1), np.array(ids, np.int32).reshape(-1), 4, "|"
            )
        )
    assert joined.tolist() == [b"|".join(t for t, i in zip(texts, ids) if i == k) for k in range(4)]


def test_format_prints_tensors_inside_a_graph(graph):
    x = v1.placeholder(tf.int32, [None])
    text = tf.strings.format("x={} last={}", [x, x[-1]])
    assert _run(text, {x: [1, 2, 3, 4, 5, 6, 7]}) == b"x=[1 2 3 ... 5 6 7] last=7"


def test_fingerprints_are_stable_per_row(graph):
    rows = np.arange(12, dtype=np.int32).reshape(3, 4)
    first, again, other = _run(
        [tf.fingerprint(rows), tf.fingerprint(tf.constant(rows)), tf.fingerprint(rows + 1)]
    )
    assert first.shape == (3, 8) and first.dtype == np.uint8
    assert first.tolist() == again.tolist() and first.tolist() != other.tolist()
    assert bytes(first[0]) == hashing.fingerprint64(rows[0].tobytes()).to_bytes(8, "little")
