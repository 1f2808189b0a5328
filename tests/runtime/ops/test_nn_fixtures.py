"""Neural-network ops against what real TF 2.21 computed for the same TF1 code.

Each case of ``tests/fixtures/tf_nn/cases.py`` is a few lines of TF1 code run by
``generate.py`` under real TensorFlow and here under the runtime: the outputs'
values, dtypes and static shapes, and the gradients, must be TF's. TF's own GraphDef
of each case (forward and gradient ops) is also imported and run, so the ops TF
builds (``FusedBatchNormGradV3``, ``Conv2DBackpropFilter`` ...) are checked as TF
wrote them.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import runtime as tf
from runtime.graph_def import GraphDef
from runtime.indexed_slices import IndexedSlices
from runtime.ops.core import convert_to_tensor
from runtime.registry import is_registered
from tests.fixtures.tf_nn.cases import CASES, ERRORS

FIXTURES = Path(__file__).parents[2] / "fixtures" / "tf_nn"
VALUES = np.load(FIXTURES / "values.npz")
META = json.loads((FIXTURES / "meta.json").read_text())
v1 = tf.compat.v1


def inputs_of(case) -> list:
    return [VALUES[f"{case.name}:input{i}"] for i in range(len(case.inputs))]


def build(case):
    """The case's graph under the runtime: (placeholders, outputs, feed)."""
    values = inputs_of(case)
    placeholders = []
    for i, spec in enumerate(case.inputs):
        static = spec.shape if spec.static is None else spec.static
        shape = None if static == "unknown" else static
        placeholders.append(v1.placeholder(tf.as_dtype(spec.dtype), shape, name=f"input{i}"))
    built = case.build(tf.compat.v2, *placeholders)
    outputs = list(built) if isinstance(built, list | tuple) else [built]
    return placeholders, outputs, dict(zip(placeholders, values))


def check_static_shape(case, i, tensor, value) -> None:
    """Ours fits the value, and equals TF's wherever TF's fits TF's value."""
    ours = tensor.shape
    assert ours.is_compatible_with(value.shape), (case.name, i, ours, value.shape)
    theirs = tf.TensorShape(META[case.name]["outputs"][i]["shape"])
    if theirs.is_compatible_with(value.shape):  # TF's Conv3D shape ignores dilations
        assert ours.is_compatible_with(theirs), (case.name, i, ours, theirs)
        assert ours.rank == theirs.rank
        if theirs.is_fully_defined():
            assert ours.as_list() == theirs.as_list(), (case.name, i)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_outputs_match_tf(case):
    with tf.Graph().as_default():
        _, outputs, feed = build(case)
        with v1.Session() as sess:
            results = sess.run(outputs, feed)
    for i, (tensor, value) in enumerate(zip(outputs, results)):
        expected = VALUES[f"{case.name}:output{i}"]
        assert tensor.dtype.name == META[case.name]["outputs"][i]["dtype"]
        assert np.asarray(value).dtype == expected.dtype
        np.testing.assert_allclose(value, expected, rtol=case.rtol, atol=case.atol)
        check_static_shape(case, i, tensor, expected)


GRADIENT_CASES = [case for case in CASES if META[case.name]["grads"]]


@pytest.mark.parametrize("case", GRADIENT_CASES, ids=lambda case: case.name)
def test_gradients_match_tf(case):
    grads = META[case.name]["grads"]
    with tf.Graph().as_default():
        placeholders, outputs, feed = build(case)
        terms = [
            tf.reduce_sum(tf.reshape(t, [-1]) * VALUES[f"{case.name}:cotangent{i}"].reshape(-1))
            for i, t in enumerate(outputs)
            if f"{case.name}:cotangent{i}" in VALUES
        ]
        wrt = [placeholders[int(i)] for i in grads]
        ours = tf.gradients(tf.add_n(terms), wrt)
        assert all(g is not None for g in ours), case.name
        # The rows of a table come back as IndexedSlices, as TF's do, and nothing TF gives
        # dense does (TF's safe lookup also gives its weights' gradient as slices).
        sparse = {i for i, g in zip(grads, ours) if isinstance(g, IndexedSlices)}
        theirs = set(META[case.name]["indexed_slices"])
        assert sparse <= theirs and bool(sparse) == bool(theirs), (case.name, sparse, theirs)
        with v1.Session() as sess:
            results = sess.run([convert_to_tensor(g) for g in ours], feed)
    for i, value in zip(grads, results):
        expected = VALUES[f"{case.name}:grad{i}"]
        np.testing.assert_allclose(
            value,
            expected,
            rtol=case.rtol * 10,
            atol=max(case.atol, 1e-5) * 10,
            err_msg=f"gradient of input {i}",
        )


def run_tf_graph(case, fetches: list) -> list:
    """Import the case's GraphDef as TF wrote it and run ``fetches`` (tensor names)."""
    graph_def = GraphDef.FromString(VALUES[f"{case.name}:graph_def"].tobytes())
    with tf.Graph().as_default():
        v1.import_graph_def(graph_def, name="")
        feed = {f"input{i}:0": value for i, value in enumerate(inputs_of(case))}
        with v1.Session() as sess:
            return sess.run(fetches, feed)


def missing_op_types(case, fetches: list) -> list:
    """The op types the runtime lacks among those ``fetches`` depend on in TF's graph."""
    graph_def = GraphDef.FromString(VALUES[f"{case.name}:graph_def"].tobytes())
    nodes = {node.name: node for node in graph_def.node}
    pending = [name.split(":")[0] for name in fetches]
    seen: set = set()
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            pending.extend(source.lstrip("^").split(":")[0] for source in nodes[name].input)
    return sorted({nodes[name].op for name in seen if not is_registered(nodes[name].op)})


def skip_if_other_families_missing(case, fetches: list) -> None:
    missing = missing_op_types(case, fetches)
    if missing:
        pytest.skip(f"TF's graph also needs {missing}, which other op families add")


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_tf_graph_def_runs_to_tf_outputs(case):
    fetches = [output["name"] for output in META[case.name]["outputs"]]
    skip_if_other_families_missing(case, fetches)
    for i, value in enumerate(run_tf_graph(case, fetches)):
        expected = VALUES[f"{case.name}:output{i}"]
        np.testing.assert_allclose(value, expected, rtol=case.rtol, atol=case.atol)


@pytest.mark.parametrize("case", GRADIENT_CASES, ids=lambda case: case.name)
def test_tf_gradient_graph_runs_to_tf_gradients(case):
    """TF's gradient ops (FusedBatchNormGradV3, MaxPoolGrad ...) as TF wired them."""
    grads = META[case.name]["grads"]
    skip_if_other_families_missing(case, list(grads.values()))
    results = run_tf_graph(case, list(grads.values()))
    for i, value in zip(grads, results):
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
        placeholders = [
            v1.placeholder(
                tf.as_dtype(spec.dtype), None if spec.static == "unknown" else spec.shape
            )
            for spec in case.inputs
        ]
        feed = dict(zip(placeholders, inputs_of(case)))
        with pytest.raises(error_class(recorded["error"])) as raised:
            built = case.build(tf.compat.v2, *placeholders)
            assert recorded["stage"] == "run", f"{case.name}: TF refused it at build time"
            with v1.Session() as sess:
                sess.run(built, feed)
    assert case.match in str(raised.value)
