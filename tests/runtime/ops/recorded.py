"""Running the recorded array, sparse, string and image cases under the runtime, and
comparing with what real TF 2.21 computed (``tests/fixtures/tf_array`` and
``tests/fixtures/tf_image``; see ``recording.py`` there).

Each check is a plain function of a case and its fixture directory, so the test
modules parametrize over their cases with one line each.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest

import runtime as tf
from runtime.indexed_slices import IndexedSlices
from tests.fixtures.tf_array.recording import flat_outputs, load, placeholders

FIXTURES = Path(__file__).parents[2] / "fixtures"
v1 = tf.compat.v1


@cache
def fixture(which: str) -> tuple:
    """``(values, meta)`` of ``tests/fixtures/tf_<which>``."""
    directory = FIXTURES / f"tf_{which}"
    return np.load(directory / "values.npz"), json.loads((directory / "meta.json").read_text())


def inputs_of(case, values) -> list:
    return [load(values, f"{case.name}:input{i}") for i in range(len(case.inputs))]


def build(case, values):
    """The case's graph under the runtime: (placeholders, tensors, kinds, feed)."""
    fed = inputs_of(case, values)
    made = placeholders(tf, case, fed)
    tensors, kinds = flat_outputs(tf, case.build(tf, *made))
    return made, tensors, kinds, dict(zip(made, fed))


def _check_value(case, i, value, expected) -> None:
    value = np.asarray(value)
    if expected.dtype == object:
        assert value.tolist() == expected.tolist(), (case.name, i)
        return
    assert value.dtype == expected.dtype, (case.name, i, value.dtype, expected.dtype)
    assert value.shape == expected.shape, (case.name, i, value.shape, expected.shape)
    if expected.dtype.kind in "fc" or case.atol >= 1:  # integers within atol: JPEG's IDCTs
        np.testing.assert_allclose(
            value.astype(expected.dtype if expected.dtype.kind in "fc" else float),
            expected,
            rtol=case.rtol,
            atol=case.atol,
            err_msg=case.name,
        )
    else:
        np.testing.assert_array_equal(value, expected, err_msg=case.name)


def _check_static_shapes(case, tensors, described) -> None:
    """Ours equals TF's static shape where TF's is known, and is never more specific."""
    shapes = [s for output in described for s in output["shapes"]]
    for tensor, theirs in zip(tensors, shapes):
        theirs = tf.TensorShape(theirs)
        assert tensor.shape.rank == theirs.rank, (case.name, tensor.shape, theirs)
        if theirs.rank is not None:
            for ours_dim, their_dim in zip(tensor.shape.as_list(), theirs.as_list()):
                assert ours_dim == their_dim or their_dim is None, (case.name, tensor.shape, theirs)


def check_outputs(case, which: str) -> None:
    values, meta = fixture(which)
    entry = meta[case.name]
    with tf.Graph().as_default():
        _, tensors, kinds, feed = build(case, values)
        assert [o["kind"] for o in entry["outputs"]] == kinds, case.name
        with v1.Session() as sess:
            if case.stateful:
                sess.run(v1.global_variables_initializer(), feed)
                results = [sess.run(t, feed) for t in tensors]
            else:
                results = sess.run(tensors, feed)
        for output, described in zip(_group(tensors, kinds), entry["outputs"]):
            assert output[-2 if len(output) == 3 else 0].dtype.name == described["dtype"]
        _check_static_shapes(case, tensors, entry["outputs"])
    for i, value in enumerate(results):
        _check_value(case, i, value, load(values, f"{case.name}:output{i}"))


def _group(tensors, kinds) -> list:
    grouped, i = [], 0
    for kind in kinds:
        size = 3 if kind == "sparse" else 1
        grouped.append(tensors[i : i + size])
        i += size
    return grouped


def check_gradients(case, which: str) -> None:
    """TF's gradients of ``sum(output * cotangent)``; an ``IndexedSlices`` where TF's is."""
    values, meta = fixture(which)
    entry = meta[case.name]
    with tf.Graph().as_default():
        made, tensors, _, feed = build(case, values)
        terms = [
            tf.reduce_sum(
                tf.reshape(t, [-1]) * load(values, f"{case.name}:cotangent{i}").reshape(-1)
            )
            for i, t in enumerate(tensors)
            if load(values, f"{case.name}:cotangent{i}") is not None
        ]
        ours = tf.gradients(tf.add_n(terms), [made[i] for i in entry["grads"]])
        for i, grad in zip(entry["grads"], ours):
            assert grad is not None, (case.name, i)
            assert isinstance(grad, IndexedSlices) == (i in entry["indexed_slices"]), (case.name, i)
        with v1.Session() as sess:
            results = sess.run([tf.convert_to_tensor(g) for g in ours], feed)
    for i, value in zip(entry["grads"], results):
        expected = load(values, f"{case.name}:grad{i}")
        np.testing.assert_allclose(
            value, expected, rtol=case.rtol * 10, atol=max(case.atol, 1e-5) * 10, err_msg=case.name
        )


def gradient_cases(cases, which: str) -> list:
    _, meta = fixture(which)
    return [case for case in cases if meta[case.name]["grads"]]


def error_class(name: str) -> type:
    builtin = {"ValueError": ValueError, "TypeError": TypeError, "AttributeError": AttributeError}
    return builtin.get(name) or getattr(tf.errors, name)


def check_error(case, which: str) -> None:
    """TF's error class, at the stage TF raised it, with the case's phrase."""
    values, meta = fixture(which)
    recorded = meta[case.name]
    with tf.Graph().as_default():
        fed = inputs_of(case, values)
        made = placeholders(tf, case, fed)
        with pytest.raises(error_class(recorded["error"])) as raised:
            built = case.build(tf, *made)
            assert recorded["stage"] == "run", f"{case.name}: TF refused it at build time"
            tensors, _ = flat_outputs(tf, built)
            with v1.Session() as sess:
                sess.run(tensors, dict(zip(made, fed)))
    assert case.match in str(raised.value), (case.name, str(raised.value))
