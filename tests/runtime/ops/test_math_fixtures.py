"""Math, linear-algebra and check ops against what real TF 2.21 computed for the same
TF1 code (``tests/fixtures/tf_math``; regenerate with its ``generate.py``).

Each case's outputs (values, dtypes, static shapes) and gradients must be TF's; the
float64 cases' gradients must also match finite differences; TF's own GraphDef of each
case (forward and gradient ops as TF wrote them) is imported and run; and each error
case must raise TF's error class, at build or run time as TF does.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import runtime as tf
from runtime.graph_def import GraphDef
from runtime.registry import is_registered
from tests.fixtures.tf_math.cases import CASES, ERRORS
from tests.runtime.gradcheck import check_gradients

FIXTURES = Path(__file__).parents[2] / "fixtures" / "tf_math"
VALUES = np.load(FIXTURES / "values.npz")
META = json.loads((FIXTURES / "meta.json").read_text())
v1 = tf.compat.v1


def inputs_of(case) -> list:
    return [VALUES[f"{case.name}:input{i}"] for i in range(len(case.inputs))]


def placeholders_of(case) -> list:
    tensors = []
    for i, spec in enumerate(case.inputs):
        static = spec.shape if spec.static is None else spec.static
        shape = None if static == "unknown" else static
        tensors.append(v1.placeholder(tf.as_dtype(spec.dtype), shape, name=f"input{i}"))
    return tensors


def build(case):
    """The case's graph under the runtime: (placeholders, outputs, feed)."""
    placeholders = placeholders_of(case)
    built = case.build(tf.compat.v2, *placeholders)
    outputs = list(built) if isinstance(built, list | tuple) else [built]
    return placeholders, outputs, dict(zip(placeholders, inputs_of(case)))


def check_static_shape(case, i, tensor, value) -> None:
    """Ours fits the value and knows every dimension TF's static shape knows (it may know
    more: TF's matrix 2-norm, built with map_fn, loses its batch dimension)."""
    ours = tensor.shape
    assert ours.is_compatible_with(value.shape), (case.name, i, ours, value.shape)
    theirs = tf.TensorShape(META[case.name]["outputs"][i]["shape"])
    if theirs.rank is not None:
        assert ours.rank == theirs.rank, (case.name, i, ours, theirs)
        for mine, tfs in zip(ours.as_list(), theirs.as_list()):
            assert tfs is None or mine == tfs, (case.name, i, ours, theirs)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_outputs_match_tf(case):
    with tf.Graph().as_default():
        _, outputs, feed = build(case)
        with v1.Session() as sess:
            results = sess.run(outputs, feed)
    for i, (tensor, value) in enumerate(zip(outputs, results)):
        expected = VALUES[f"{case.name}:output{i}"]
        assert tensor.dtype.name == META[case.name]["outputs"][i]["dtype"], (case.name, i)
        assert np.asarray(value).dtype == expected.dtype, (case.name, i)
        if expected.dtype.kind in "OSU":
            assert np.asarray(value).tolist() == expected.tolist()
        else:
            np.testing.assert_allclose(
                value, expected, rtol=case.rtol, atol=case.atol, equal_nan=True
            )
        check_static_shape(case, i, tensor, expected)


GRADIENT_CASES = [case for case in CASES if META[case.name]["grads"]]


def _loss(case, outputs):
    return tf.add_n(
        [
            tf.reduce_sum(tf.reshape(t, [-1]) * VALUES[f"{case.name}:cotangent{i}"].reshape(-1))
            for i, t in enumerate(outputs)
            if f"{case.name}:cotangent{i}" in VALUES
        ]
    )


@pytest.mark.parametrize("case", GRADIENT_CASES, ids=lambda case: case.name)
def test_gradients_match_tf(case):
    grads = META[case.name]["grads"]
    with tf.Graph().as_default():
        placeholders, outputs, feed = build(case)
        ours = tf.gradients(_loss(case, outputs), [placeholders[int(i)] for i in grads])
        assert all(g is not None for g in ours), case.name
        with v1.Session() as sess:
            results = sess.run(ours, feed)
    for i, value in zip(grads, results):
        np.testing.assert_allclose(
            value,
            VALUES[f"{case.name}:grad{i}"],
            rtol=case.rtol * 10,
            atol=max(case.atol, 1e-5) * 10,
            err_msg=f"gradient of input {i}",
        )


# Where central differences cannot check the gradient (TF's gradient, checked above,
# still is): an argument TF defines no gradient for, a kink, or huge outputs.
NOT_BY_FINITE_DIFFERENCES = {
    "zeta": "TF defines no gradient for x, only for q",
    "polygamma": "TF defines no gradient for the order a",
    "betainc": "TF defines the gradient for x only",
    "dynamic_stitch": "TF's gradient also reaches the rows a later index overwrites",
    "top_k_ties_batch": "ties: top_k is not differentiable there",
    "reduce_std_scalar_unknown_shape": "the std of one value is 0, where sqrt has a kink",
    "unsorted_segment_min": "an empty segment holds the largest float",
    "unsorted_segment_max": "an empty segment holds the lowest float",
    "complex_f64_conj": "a complex intermediate (checked against TF's gradient)",
    "cumulative_logsumexp_exclusive_reverse": "an exclusive scan starts at log(0) = -inf",
}
SMALL_F64_CASES = [
    case
    for case in GRADIENT_CASES
    if all(spec.dtype == "float64" for spec in case.inputs)
    and sum(int(np.prod(spec.shape)) for spec in case.inputs) <= 40
    and case.name not in NOT_BY_FINITE_DIFFERENCES
]


@pytest.mark.parametrize("case", SMALL_F64_CASES, ids=lambda case: case.name)
def test_gradients_match_finite_differences(case):
    def loss(*xs):
        built = case.build(tf.compat.v2, *xs)
        outputs = list(built) if isinstance(built, list | tuple) else [built]
        return [t for t in outputs if t.dtype.is_floating]

    check_gradients(loss, inputs_of(case), rtol=1e-4, atol=1e-6)


def _graph_def(case) -> GraphDef:
    return GraphDef.FromString(VALUES[f"{case.name}:graph_def"].tobytes())


def _ops_needed(case, fetches: list) -> set:
    nodes = {node.name: node for node in _graph_def(case).node}
    pending, seen = [name.split(":")[0] for name in fetches], set()
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            pending.extend(source.lstrip("^").split(":")[0] for source in nodes[name].input)
    return {nodes[name].op for name in seen}


def run_tf_graph(case, fetches: list) -> list:
    """Import the case's GraphDef as TF wrote it and run ``fetches`` (tensor names)."""
    missing = sorted(op for op in _ops_needed(case, fetches) if not is_registered(op))
    if missing:
        pytest.skip(f"TF's graph also uses {missing}, which other op families add")
    with tf.Graph().as_default():
        v1.import_graph_def(_graph_def(case), name="")
        feed = {f"input{i}:0": value for i, value in enumerate(inputs_of(case))}
        with v1.Session() as sess:
            return sess.run(fetches, feed)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_tf_graph_def_runs_to_tf_outputs(case):
    fetches = [output["name"] for output in META[case.name]["outputs"]]
    for i, value in enumerate(run_tf_graph(case, fetches)):
        expected = VALUES[f"{case.name}:output{i}"]
        if expected.dtype.kind in "OSU":
            assert np.asarray(value).tolist() == expected.tolist()
        else:
            np.testing.assert_allclose(
                value, expected, rtol=case.rtol, atol=case.atol, equal_nan=True
            )


@pytest.mark.parametrize("case", GRADIENT_CASES, ids=lambda case: case.name)
def test_tf_gradient_graph_runs_to_tf_gradients(case):
    """TF's gradient ops (SqrtGrad, MatrixDiagPartV3, TopKV2's scatter ...) as TF wired them."""
    grads = META[case.name]["grads"]
    for i, value in zip(grads, run_tf_graph(case, list(grads.values()))):
        expected = VALUES[f"{case.name}:grad{i}"]
        np.testing.assert_allclose(
            value, expected, rtol=case.rtol * 10, atol=max(case.atol, 1e-5) * 10
        )


def error_class(name: str) -> type:
    return {"ValueError": ValueError, "TypeError": TypeError}.get(name) or getattr(tf.errors, name)


@pytest.mark.parametrize("case", ERRORS, ids=lambda case: case.name)
def test_errors_match_tf(case):
    recorded = META[case.name]
    with tf.Graph().as_default():
        placeholders = placeholders_of(case)
        feed = dict(zip(placeholders, inputs_of(case)))
        with pytest.raises(error_class(recorded["error"])) as raised:
            built = case.build(tf.compat.v2, *placeholders)
            assert recorded["stage"] == "run", f"{case.name}: TF refused it at build time"
            with v1.Session() as sess:
                sess.run(built, feed)
    assert case.match in str(raised.value)
