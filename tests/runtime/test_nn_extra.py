"""Saturating casts, TF1's complex casts, decode_compressed, tf.nn's approximate top-k and
the fractional pools, against what TF 2.21 computed
(``tests/fixtures/tf_nn_extra/generate.py``)."""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path

import numpy as np
import pytest

import runtime as tf
from runtime import errors
from runtime.limits import size_limits

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tf_nn_extra"
VALUES = np.load(FIXTURES / "values.npz")
META = json.loads((FIXTURES / "meta.json").read_text())


def run(fetches, feed_dict=None):
    with tf.compat.v1.Session() as sess:
        return sess.run(fetches, feed_dict)


def cases(prefix: str) -> list:
    return sorted(case for case in META if case.startswith(prefix) and "error" not in META[case])


# -- casts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case", cases("sat_"))
def test_saturate_cast_matches_tf(case):
    value = VALUES[f"{case}:value"]
    expected = VALUES[f"{case}:output"]
    with tf.Graph().as_default():
        out = tf.saturate_cast(tf.constant(value), META[case]["output"]["dtype"])
        assert out.dtype.name == META[case]["output"]["dtype"]
        assert out.shape.as_list() == META[case]["output"]["shape"]
        assert out.op.type == "Cast"
        got = run(out)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


def test_saturate_cast_is_clamp_then_cast_as_in_tf():
    with tf.Graph().as_default():
        out = tf.dtypes.saturate_cast([1.0, 2.0], tf.int8, name="sat")
        clamp = out.op.inputs[0].op
    assert (out.op.name, clamp.type, clamp.name) == ("sat", "ClipByValue", "sat/clamp")


@pytest.mark.parametrize("case", ["to_complex64", "to_complex128"])
def test_to_complex_matches_tf(case):
    value, expected = VALUES[f"{case}:value"], VALUES[f"{case}:output"]
    with tf.Graph().as_default():
        out = getattr(tf, case)(tf.constant(value))
        assert out.op.name == {"to_complex64": "ToComplex64", "to_complex128": "ToComplex128"}[case]
        got = run(out)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


# -- decode_compressed ---------------------------------------------------------------------


def _strings(entry: dict) -> list:
    return [bytes.fromhex(item) for item in entry["hex"]]


@pytest.mark.parametrize("case", cases("decode_compressed_"))
def test_decode_compressed_matches_tf(case):
    kind = {"none": "", "ZLIB": "ZLIB", "GZIP": "GZIP", "truncated": "ZLIB"}[case.split("_")[-1]]
    blobs = _strings(META[case]["bytes"])
    expected = _strings(META[case]["output"])
    with tf.Graph().as_default():
        shaped = np.array(blobs, dtype=object).reshape(META[case]["output"]["hex_shape"])
        out = tf.io.decode_compressed(tf.constant(shaped), compression_type=kind)
        assert out.op.type == "DecodeCompressed"
        assert out.shape.as_list() == META[case]["output"]["shape"]
        got = run(out)
    assert list(np.ravel(got)) == expected


@pytest.mark.parametrize(
    ("case", "blob", "kind"),
    [
        ("decode_compressed_bad_zlib", b"not zlib at all", "ZLIB"),
        ("decode_compressed_bad_gzip", zlib.compress(b"zlib, not gzip"), "GZIP"),
        ("decode_compressed_bad_type", b"x", "BZIP2"),
    ],
)
def test_decode_compressed_bad_input_raises_tfs_error(case, blob, kind):
    error = getattr(errors, META[case]["error"])
    assert META[case]["stage"] == "run"
    with tf.Graph().as_default():
        out = tf.decode_compressed([blob], kind)
        with pytest.raises(error, match="DecodeCompressed"):
            run(out)


def test_decode_compressed_of_numbers_is_refused_when_built():
    assert META["decode_compressed_int"] == {"error": "TypeError", "stage": "build"}
    with tf.Graph().as_default(), pytest.raises(TypeError):
        tf.io.decode_compressed(tf.constant([1]), "ZLIB")


def test_a_decompression_bomb_stops_at_the_size_limits():
    bomb = gzip.compress(bytes(8 << 20))  # 8 MiB of zeros in about 8 KiB
    with tf.Graph().as_default():
        out = tf.io.decode_compressed([bomb], "GZIP")
        with size_limits(total_bytes=1 << 20), pytest.raises(errors.ResourceExhaustedError):
            run(out)
        assert len(run(out)[0]) == 8 << 20  # within the default limits it inflates


# -- approximate top k ---------------------------------------------------------------------


@pytest.mark.parametrize("case", cases("approx_"))
def test_nn_approx_top_k_matches_tf(case):
    operand = VALUES[f"{case}:operand"]
    fn = tf.nn.approx_max_k if "_max_" in case else tf.nn.approx_min_k
    with tf.Graph().as_default():
        values, indices = fn(operand, **META[case]["kwargs"])
        assert indices.dtype.name == META[case]["indices"]["dtype"]
        got_values, got_indices = run([values, indices])
    np.testing.assert_array_equal(got_values, VALUES[f"{case}:values"])
    np.testing.assert_array_equal(got_indices, VALUES[f"{case}:indices"])
