"""map_fn, scan, foldl, foldr, vectorized_map, custom_gradient, gradient_override_map and
py_function: against what real TF 2.21 computed for the same TF1 code
(``tests/fixtures/tf_functional``), finite differences, and the loop's semantics."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

import runtime as tf
from tests.fixtures.tf_functional.cases import CASES, ERRORS
from tests.fixtures.tf_functional.graphs import BUILDERS
from tests.runtime.gradcheck import check_gradients
from tests.runtime.ops import recorded

v1 = tf.compat.v1


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_outputs_match_tf(case):
    recorded.check_outputs(case, "functional")


@pytest.mark.parametrize(
    "case", recorded.gradient_cases(CASES, "functional"), ids=lambda case: case.name
)
def test_gradients_match_tf(case):
    recorded.check_gradients(case, "functional")


@pytest.mark.parametrize("case", ERRORS, ids=lambda case: case.name)
def test_errors_match_tf(case):
    recorded.check_error(case, "functional")


# -- the graphs TF builds ----------------------------------------------------------------------

GRAPHS = json.loads((Path(__file__).parents[2] / "fixtures/tf_functional/graphs.json").read_text())


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_built_as_tf_builds_it_and_zero_elements_as_tf(name):
    recorded = GRAPHS[name]
    with tf.Graph().as_default() as graph:
        x = v1.placeholder(tf.float32, [None, 3], name="x")
        result = BUILDERS[name](tf, x)
        ops = graph.get_operations()
        assert sorted({op.type for op in ops}) == recorded["op_types"]
        enters = {op.get_attr("parallel_iterations") for op in ops if op.type == "Enter"}
        assert sorted(enters) == recorded["parallel_iterations"]
        with v1.Session() as sess:
            if "empty_shape" in recorded:
                assert (
                    list(sess.run(result, {x: np.zeros((0, 3))}).shape) == recorded["empty_shape"]
                )
            else:
                error, message = recorded["empty_error"]
                with pytest.raises(getattr(tf.errors, error), match=re.escape(message)):
                    sess.run(result, {x: np.zeros((0, 3))})


# -- gradients by finite differences --------------------------------------------------------------

RNG = np.random.default_rng(14)


@pytest.mark.parametrize(
    "build, shapes",
    [
        (lambda x: v1.map_fn(lambda r: tf.sin(r) * r, x), [(4, 3)]),
        (lambda x, w: v1.map_fn(lambda r: tf.reduce_sum(r * w), x), [(3, 2), (2,)]),
        (lambda x: v1.scan(lambda a, r: a * r + tf.sin(a), x), [(5, 2)]),
        (lambda x: v1.scan(lambda a, r: tf.tanh(a + r), x, reverse=True), [(4, 3)]),
        (
            lambda x, h: v1.scan(lambda a, r: (a[0] * r, a[1] + a[0]), x, initializer=(h, h))[1],
            [(4, 2), (2,)],
        ),
        (lambda x: v1.foldl(lambda a, r: a * tf.cos(r), x), [(4, 2)]),
        (lambda x, h: v1.foldr(lambda a, r: a * r + 1.0, x, initializer=h), [(5, 2), (2,)]),
        (lambda x: v1.vectorized_map(lambda r: tf.reduce_prod(r), x), [(3, 4)]),
    ],
    ids=[
        "map_fn",
        "map_fn_captured",
        "scan",
        "scan_reverse",
        "scan_nested",
        "foldl",
        "foldr",
        "vectorized_map",
    ],
)
def test_gradients_match_finite_differences(build, shapes):
    check_gradients(build, [RNG.standard_normal(shape) for shape in shapes])


def test_unknown_lengths_differentiate_too():
    def build(x):
        fed = tf.placeholder_with_default(x, [None, None])
        return v1.scan(lambda a, r: a * r, fed) + v1.map_fn(tf.exp, fed)

    check_gradients(build, [RNG.standard_normal((3, 2))])


def test_back_prop_false_stops_the_gradient():
    with tf.Graph().as_default():
        x = v1.placeholder(tf.float64, [3, 2])
        stopped = v1.map_fn(lambda r: r * r, x, back_prop=False)
        kept = v1.map_fn(lambda r: r * r, x)
        assert tf.gradients(stopped, x) == [None]
        assert tf.gradients(kept, x)[0] is not None


def test_fn_is_traced_once_and_runs_per_element():
    calls = []

    def fn(row):
        calls.append(row)
        return tf.py_function(lambda r: r.numpy() * 2, [row], tf.float32)

    with tf.Graph().as_default():
        x = v1.placeholder(tf.float32, [None, 2])
        doubled = v1.map_fn(fn, x)
        values = v1.Session().run(doubled, {x: np.arange(8.0).reshape(4, 2)})
    assert len(calls) == 1 and calls[0].shape == (2,)
    np.testing.assert_array_equal(values, np.arange(8.0).reshape(4, 2) * 2)


def test_a_fn_that_is_not_callable_is_a_type_error():
    # TF 2.21 formats fn.__name__ into its message first and raises AttributeError for
    # anything but a function; the runtime says what is wrong.
    with tf.Graph().as_default():
        x = tf.constant([1.0, 2.0])
        for higher_order in (v1.map_fn, v1.foldl, v1.foldr, v1.scan, v1.vectorized_map):
            with pytest.raises(TypeError, match="is not callable"):
                higher_order(3, x)


def test_vectorized_map_learns_its_signature_without_leaving_ops_behind():
    with tf.Graph().as_default() as graph:
        x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
        before = len(graph.get_operations())
        total, positive = v1.vectorized_map(lambda r: (tf.reduce_sum(r), r > 2.0), x)
        made = graph.get_operations()[before:]
        assert total.dtype == tf.float32 and positive.dtype == tf.bool
        assert sum(op.type == "Sum" for op in made) == 1  # the traced copy stays apart
        values = v1.Session().run([total, positive])
    np.testing.assert_array_equal(values[0], [3.0, 7.0])
    np.testing.assert_array_equal(values[1], [[False, False], [True, True]])


def test_under_control_flow_v2_the_loops_are_functional_whiles_with_the_same_results():
    def build(x):
        return [
            v1.map_fn(lambda r: r * r, x),
            v1.scan(lambda a, r: a + r, x),
            v1.foldl(lambda a, r: a * r, x),
        ]

    rows = RNG.standard_normal((3, 2))
    results = {}
    for functional in (False, True):
        (v1.enable_control_flow_v2 if functional else v1.disable_control_flow_v2)()
        try:
            with tf.Graph().as_default() as graph:
                x = v1.placeholder(tf.float64, [None, 2])
                outputs = build(x)
                grad = tf.gradients(tf.add_n([tf.reduce_sum(t) for t in outputs]), x)[0]
                types = {op.type for op in graph.get_operations()}
                assert ("While" in types) == functional and ("Merge" in types) != functional
                results[functional] = v1.Session().run([outputs, grad], {x: rows})
        finally:
            v1.disable_control_flow_v2()
    for ours, theirs in zip(results[False][0], results[True][0]):
        np.testing.assert_allclose(ours, theirs)
    np.testing.assert_allclose(results[False][1], results[True][1])
