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
from runtime.kernels.nn import fractional_pooling
from runtime.limits import size_limits
from runtime.ops import fractional_pool_ops
from runtime.ops.core import apply_op
from tests.runtime.gradcheck import check_gradients

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


# -- fractional pools ----------------------------------------------------------------------

FRACTIONAL = cases("frac_")


def _pool_builder(case: str):
    return tf.nn.fractional_max_pool if case.startswith("frac_max") else tf.nn.fractional_avg_pool


@pytest.mark.parametrize("case", FRACTIONAL)
def test_fractional_pool_over_tfs_sequences_matches_tf(case):
    value, rows, cols = (VALUES[f"{case}:{key}"] for key in ("value", "rows", "cols"))
    overlapping = META[case]["kwargs"].get("overlapping", False)
    kind = "max" if case.startswith("frac_max") else "avg"
    out = fractional_pooling.pool_with_sequences(value, rows, cols, overlapping, kind)
    assert out.dtype == VALUES[f"{case}:output"].dtype
    np.testing.assert_allclose(out, VALUES[f"{case}:output"], rtol=1e-6)


@pytest.mark.parametrize("case", [case for case in FRACTIONAL if f"{case}:grad" in VALUES])
def test_fractional_pool_gradient_ops_over_tfs_sequences_match_tf(case):
    value, rows, cols = (VALUES[f"{case}:{key}"] for key in ("value", "rows", "cols"))
    cotangent = VALUES[f"{case}:cotangent"]
    overlapping = META[case]["kwargs"].get("overlapping", False)
    with tf.Graph().as_default():
        if case.startswith("frac_max"):
            output = VALUES[f"{case}:output"]
            inputs = [value, output, cotangent, rows, cols]
            op_def = fractional_pool_ops.FRACTIONAL_MAX_POOL_GRAD
        else:
            inputs = [np.array(value.shape, np.int64), cotangent, rows, cols]
            op_def = fractional_pool_ops.FRACTIONAL_AVG_POOL_GRAD
        grad = apply_op(op_def, inputs, "grad", overlapping=overlapping).outputs[0]
        got = run(grad)
    np.testing.assert_allclose(got, VALUES[f"{case}:grad"], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("case", FRACTIONAL)
def test_fractional_pool_builds_and_draws_sequences_as_tf(case):
    value = VALUES[f"{case}:value"]
    ratio = META[case]["ratio"]
    with tf.Graph().as_default():
        out, rows, cols = _pool_builder(case)(value, ratio, **META[case]["kwargs"])
        assert out.op.type == ("FractionalMaxPool" if "max" in case else "FractionalAvgPool")
        assert out.dtype.name == META[case]["output"]["dtype"]
        assert out.shape.as_list() == META[case]["output"]["shape"]
        assert (rows.dtype, cols.dtype) == (tf.int64, tf.int64)
        first, second = run([rows, cols]), run([rows, cols])
        pooled = run(out)
    out_sizes = out.shape.as_list()[1:3]
    for seq, size, out_size, again in zip(first, value.shape[1:3], out_sizes, second):
        # What TF guarantees: out + 1 boundaries from 0 to the size, each step
        # floor(ratio) or ceil(ratio) cells; deterministic means the same every run.
        assert (seq.size, seq[0], seq[-1]) == (out_size + 1, 0, size)
        assert set(np.diff(seq).tolist()) <= {size // out_size, -(-size // out_size)}
        np.testing.assert_array_equal(seq, again)
    overlapping = META[case]["kwargs"].get("overlapping", False)
    kind = "max" if "max" in case else "avg"
    expected = fractional_pooling.pool_with_sequences(value, *first, overlapping, kind)
    np.testing.assert_array_equal(pooled, expected)


@pytest.mark.parametrize("pool", [tf.nn.fractional_max_pool, tf.nn.fractional_avg_pool])
@pytest.mark.parametrize("overlapping", [False, True])
def test_fractional_pool_gradients_match_finite_differences(pool, overlapping):
    value = np.random.default_rng(3).standard_normal((2, 7, 5, 2))

    def build(x):
        return pool(x, [1.0, 1.6, 1.4, 1.0], True, overlapping, True, seed=4, seed2=2)[0]

    check_gradients(build, [value])


@pytest.mark.parametrize("pool", ["max", "avg"])
def test_fractional_pool_bad_input_raises_tfs_errors(pool):
    builder = getattr(tf.nn, f"fractional_{pool}_pool")
    value = VALUES[f"frac_{pool}:value"]
    for case, kwargs in (
        (f"frac_{pool}_batch_ratio", {"pooling_ratio": [1.5, 1.44, 1.73, 1.0]}),
        (f"frac_{pool}_seed_not_deterministic", {"pooling_ratio": [1, 1.44, 1.73, 1], "seed": 1}),
    ):
        assert META[case]["stage"] == "run"
        with tf.Graph().as_default():
            out = builder(value, **kwargs)[0]
            with pytest.raises(getattr(errors, META[case]["error"]), match="Fractional"):
                run(out)
    case = f"frac_{pool}_ratio_below_one"
    assert META[case] == {"error": "ValueError", "stage": "build"}
    with tf.Graph().as_default(), pytest.raises(ValueError, match="smaller than 1"):
        builder(value, [1.0, 0.5, 1.73, 1.0])


def test_tf2s_fractional_pools_take_tf2s_arguments():
    value = np.arange(32.0).reshape(2, 4, 4, 1)
    with tf.Graph().as_default():
        out, rows, _ = tf.compat.v2.nn.fractional_max_pool(value, 2.0)
        assert out.op.get_attr("pooling_ratio") == [1.0, 2.0, 2.0, 1.0]
        seeded = tf.compat.v2.nn.fractional_avg_pool(value, [1.5, 2.0], seed=3)[0]
        assert seeded.op.get_attr("deterministic")
        np.testing.assert_array_equal(run(rows), [0, 2, 4])
        with pytest.raises(ValueError, match="first and last"):
            tf.compat.v2.nn.fractional_max_pool(value, [2.0, 2.0, 2.0, 1.0])


# -- TF's own graph ------------------------------------------------------------------------


def test_tfs_graph_of_the_new_ops_imports_and_runs_to_tfs_values():
    graph_def = tf.GraphDef.FromString(VALUES["graph:graph_def"].tobytes())
    fetches = META["graph"]["fetches"]
    with tf.Graph().as_default() as graph:
        tf.import_graph_def(graph_def, name="")
        tensors = {key: graph.get_tensor_by_name(name) for key, name in fetches.items()}
        text = graph.get_tensor_by_name(META["graph"]["text"]["name"])
        got, got_text = run([tensors, text])
    for key in ("loss", "ctc_grad", "decoded_values", "log_prob", "clamped"):
        np.testing.assert_allclose(got[key], VALUES[f"graph:{key}"], rtol=1e-5, atol=1e-6)
    assert list(got_text) == _strings(META["graph"]["text"])
    # The pooling sequences are this runtime's draws: the pool and its gradient follow them.
    value = graph_def_constant(graph_def, "pool_in")
    expected = fractional_pooling.pool_with_sequences(value, got["rows"], got["cols"], True, "avg")
    np.testing.assert_allclose(got["pooled"], expected, rtol=1e-6)
    assert got["pool_grad"].shape == value.shape
    np.testing.assert_allclose(got["pool_grad"].sum(), got["pooled"].size, rtol=1e-6)


def graph_def_constant(graph_def, name: str) -> np.ndarray:
    with tf.Graph().as_default() as graph:
        tf.import_graph_def(graph_def, name="")
        return run(graph.get_tensor_by_name(f"{name}:0"))
