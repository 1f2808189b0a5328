"""``tf.linalg``'s LinearOperators and ``eigh_tridiagonal`` against TF 2.21's recorded values.

``tests/fixtures/tf_linear_operators/generate.py`` built each operator in real TF from a
spec (kept in ``cases.json``), ran its methods in a session and recorded the results
(``values.npz``), the static facts and which methods TF refuses with which error class;
the tests here rebuild the same operators from the same specs in the runtime.
"""

from __future__ import annotations

import builtins
import json
import pathlib

import numpy as np
import pytest

import runtime as tf
from tests.fixtures.tf_linear_operators.programs import ALGEBRA, bad_inputs, methods
from tests.runtime.gradcheck import check_gradients

FIXTURES = pathlib.Path(__file__).parents[1] / "fixtures" / "tf_linear_operators"
CASES = json.loads((FIXTURES / "cases.json").read_text())
OPERATORS = CASES["operators"]
ERRORS = json.loads((FIXTURES / "errors.json").read_text())
VALUES = dict(np.load(FIXTURES / "values.npz"))


def build(spec):
    """The runtime's object for a spec of ``generate.py`` (the same interpreter as there)."""
    if isinstance(spec, list):
        return [build(item) for item in spec]
    if isinstance(spec, dict) and "array" in spec:
        return tf.constant(VALUES[f"input/{spec['array']}"])
    if isinstance(spec, dict) and "class" in spec:
        args = [build(a) for a in spec["args"]]
        kwargs = {k: build(v) for k, v in spec["kwargs"].items()}
        return getattr(tf.compat.v1.linalg, spec["class"])(*args, **kwargs)
    if isinstance(spec, dict) and "dtype" in spec:
        return tf.as_dtype(spec["dtype"])
    return spec


def _methods(operator, name):
    """The calls ``generate.py`` recorded, by key, with the same inputs."""
    x, y, addend = (VALUES[f"{name}/{part}"] for part in ("x", "y", "addend"))
    return methods(tf, operator, x, y, addend)


@pytest.mark.parametrize("name", sorted(OPERATORS))
def test_operator_matches_tf(name):
    facts = OPERATORS[name]
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        operator = build(facts["spec"])
        assert operator.name == facts["name"]
        assert operator.dtype.name == facts["dtype"]
        assert operator.shape.as_list() == facts["shape"]
        assert operator.batch_shape.as_list() == facts["batch_shape"]
        assert tf.compat.dimension_value(operator.domain_dimension) == facts["domain_dimension"]
        assert tf.compat.dimension_value(operator.range_dimension) == facts["range_dimension"]
        assert operator.tensor_rank == facts["tensor_rank"]
        hints = [
            operator.is_non_singular,
            operator.is_self_adjoint,
            operator.is_positive_definite,
            operator.is_square,
        ]
        assert hints == facts["hints"]
        built, refused, messages = {}, {}, []
        for method, make in _methods(operator, name).items():
            try:
                built[method] = make()
            except Exception as error:
                refused[method] = type(error).__name__
                messages.append(f"{method}: {error}")
        assert refused == facts["refused"], messages
        results = sess.run(built)
    for method, value in results.items():
        expected = VALUES[f"{name}/{method}"]
        assert np.shape(value) == np.shape(expected), method
        if method == "eigvals":
            value, expected = np.sort(value), np.sort(expected)  # TF's order is its own
        np.testing.assert_allclose(value, expected, rtol=1e-6, atol=1e-9, err_msg=method)


def test_every_recorded_operator_class_is_covered():
    classes = set()

    def collect(spec):
        if isinstance(spec, dict):
            classes.add(spec.get("class"))
            for value in [*spec.get("args", []), *spec.get("kwargs", {}).values()]:
                collect(value)
        elif isinstance(spec, list):
            for item in spec:
                collect(item)

    for facts in OPERATORS.values():
        collect(facts["spec"])
    public = {name for name in dir(tf.linalg) if name.startswith("LinearOperator")}
    assert public - {"LinearOperator"} <= classes


BAD = bad_inputs(tf)


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_bad_input_raises_tfs_error_class(case):
    recorded = ERRORS[case]
    with tf.Graph().as_default():
        if recorded is None:  # TF accepts it while building: so does the runtime
            BAD[case]()
            return
        error_class, message = recorded
        with pytest.raises(
            getattr(tf.errors, error_class, None) or getattr(builtins, error_class)
        ) as raised:
            BAD[case]()
    assert type(raised.value).__name__ == error_class
    if error_class != "ValueError" or "Dimensions" not in message:
        assert message.split(".")[0].split(":")[0][:30] in str(raised.value)


@pytest.mark.parametrize("key", sorted(CASES["algebra"]))
def test_operator_algebra_returns_tfs_operator(key):
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        result = ALGEBRA[key](tf.linalg)
        assert [type(result).__name__, result.name] == CASES["algebra"][key]
        dense = sess.run(result.to_dense())
    np.testing.assert_allclose(dense, VALUES[f"algebra/{key}"], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize(
    "make",
    [
        lambda P: tf.linalg.LinearOperatorKronecker(
            [
                tf.linalg.LinearOperatorFullMatrix(P(tf.float64, [None, 3, 3])),
                tf.linalg.LinearOperatorDiag(P(tf.float64, [None, 2])),
            ]
        ),
        lambda P: tf.linalg.LinearOperatorCirculant2D(
            P(tf.complex128, [None, 2, 3]), input_output_dtype=tf.complex128
        ),
        lambda P: tf.linalg.LinearOperatorBlockLowerTriangular(
            [
                [tf.linalg.LinearOperatorFullMatrix(P(tf.float64, [None, 3, 3]))],
                [
                    tf.linalg.LinearOperatorFullMatrix(P(tf.float64, [None, 2, 3])),
                    tf.linalg.LinearOperatorDiag(P(tf.float64, [None, 2])),
                ],
            ]
        ),
        lambda P: tf.linalg.LinearOperatorPermutation(P(tf.int32, [None, 4]), dtype=tf.float64),
    ],
    ids=["kronecker", "circulant2d", "block_lower_triangular", "permutation"],
)
def test_batch_known_only_at_run_time(make):
    rng = np.random.default_rng(3)
    graph = tf.Graph()
    with graph.as_default(), tf.compat.v1.Session() as sess:
        operator = make(tf.compat.v1.placeholder)
        assert operator.batch_shape.as_list() == [None]
        feeds = {}
        for op in graph.get_operations():
            placeholder = op.outputs[0]
            shape = [2 if d is None else d for d in placeholder.shape.as_list()]
            if placeholder.dtype == tf.int32:
                feeds[placeholder] = np.array([rng.permutation(shape[-1]) for _ in range(2)])
            else:
                square = len(shape) == 3 and shape[-1] == shape[-2]
                value = rng.standard_normal(shape) + (3 * np.eye(shape[-1]) if square else 2)
                feeds[placeholder] = value.astype(placeholder.dtype.as_numpy_dtype)
        n = tf.compat.dimension_value(operator.domain_dimension)
        x = rng.standard_normal([n, 2]).astype(operator.dtype.as_numpy_dtype)
        dense, product, solved, det, shape = sess.run(
            [
                operator.to_dense(),
                operator.matmul(x, adjoint=True),
                operator.solve(x),
                operator.determinant(),
                operator.shape_tensor(),
            ],
            feeds,
        )
    assert list(shape) == [2, n, n]
    np.testing.assert_allclose(product, np.conj(np.swapaxes(dense, -1, -2)) @ x, atol=1e-9)
    np.testing.assert_allclose(dense @ solved, np.broadcast_to(x, (2, n, 2)), atol=1e-9)
    np.testing.assert_allclose(det, np.linalg.det(dense), rtol=1e-9)


def _aligned(vectors, reference):
    """``vectors`` with each column's phase turned to match ``reference``'s column."""
    phase = np.sum(vectors.conj() * reference, axis=0)
    return vectors * (phase / np.abs(phase))


@pytest.mark.parametrize("key", sorted(CASES["eigh"]))
def test_eigh_tridiagonal_matches_tf(key):
    kwargs = dict(CASES["eigh"][key])
    alpha, beta = VALUES["eigh/alpha"], VALUES["eigh/beta"]
    if kwargs.pop("complex", False):
        alpha, beta = alpha.astype(np.complex128), VALUES["eigh/beta_c"]
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        result = sess.run(
            tf.linalg.eigh_tridiagonal(tf.constant(alpha), tf.constant(beta), **kwargs)
        )
    w, v = result if isinstance(result, tuple) else (result, None)
    expected_w = VALUES[f"eigh/{key}/w"]
    assert w.dtype == expected_w.dtype
    np.testing.assert_allclose(w, expected_w, rtol=1e-8, atol=1e-10)
    if v is not None:
        expected_v = VALUES[f"eigh/{key}/v"]
        assert v.dtype == expected_v.dtype and v.shape == expected_v.shape
        np.testing.assert_allclose(_aligned(v, expected_v), expected_v, atol=1e-8)


def test_matmul_of_operators_composes_and_at_applies_to_tensors():
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        a = tf.linalg.LinearOperatorDiag([2.0, 3.0])
        b = tf.linalg.LinearOperatorFullMatrix([[1.0, 1.0], [0.0, 1.0]])
        product = a @ b
        assert isinstance(product, tf.linalg.LinearOperatorComposition)
        assert product.operators == [a, b]
        dense, applied = sess.run([product.to_dense(), a @ tf.ones([2, 1])])
    np.testing.assert_allclose(dense, [[2.0, 2.0], [0.0, 3.0]])
    np.testing.assert_allclose(applied, [[2.0], [3.0]])
    with pytest.raises(ValueError, match="Operators are incompatible"):
        a.matmul(tf.linalg.LinearOperatorIdentity(3))


def test_adjoint_of_self_adjoint_operator_is_itself_and_h_is_adjoint():
    with tf.Graph().as_default():
        diag = tf.linalg.LinearOperatorDiag([1.0, 2.0])
        full = tf.linalg.LinearOperatorFullMatrix([[1.0, 2.0], [3.0, 4.0]])
        assert diag.adjoint() is diag and diag.H is diag
        assert isinstance(full.H, tf.linalg.LinearOperatorAdjoint)
        assert full.H.adjoint() is full and full.inverse().inverse() is full


def test_gradient_through_lower_triangular_solve_and_log_determinant():
    tril = np.array([[2.0, 0.0, 0.0], [0.5, 3.0, 0.0], [-1.0, 0.25, 1.5]])
    rhs = np.array([[1.0, -2.0], [0.5, 1.0], [2.0, 0.0]])

    def build_graph(t, b):
        operator = tf.linalg.LinearOperatorLowerTriangular(t)
        return [operator.solve(b), operator.log_abs_determinant()]

    analytic, _ = check_gradients(build_graph, [tril, rhs])
    assert np.abs(analytic[0]).sum() > 0


def test_gradient_through_low_rank_update_solve():
    base = np.array([1.5, 2.0, 2.5])
    u = np.array([[1.0], [0.5], [-0.5]])
    rhs = np.array([[1.0], [2.0], [-1.0]])

    def build_graph(d, vectors, b):
        operator = tf.linalg.LinearOperatorLowRankUpdate(tf.linalg.LinearOperatorDiag(d), vectors)
        return [operator.solve(b), operator.determinant()]

    analytic, _ = check_gradients(build_graph, [base, u, rhs])
    assert all(np.abs(g).sum() > 0 for g in analytic)


def test_gradient_through_circulant_fft_products_and_kronecker_solve():
    spectrum = np.array([6.0, 2.0, 3.0, 2.0])  # Hermitian: a real operator
    x = np.array([[1.0, -1.0], [0.5, 2.0], [0.0, 1.0], [-2.0, 0.5]])
    a = np.array([[2.0, 0.5], [0.25, 3.0]])

    def build_graph(s, rhs, factor):
        circulant = tf.linalg.LinearOperatorCirculant(s, input_output_dtype=tf.float64)
        kronecker = tf.linalg.LinearOperatorKronecker(
            [tf.linalg.LinearOperatorFullMatrix(factor), tf.linalg.LinearOperatorFullMatrix(factor)]
        )
        return [circulant.matmul(rhs), kronecker.solve(rhs), kronecker.log_abs_determinant()]

    analytic, _ = check_gradients(build_graph, [spectrum, x, a])
    assert all(np.abs(g).sum() > 0 for g in analytic)


@pytest.mark.parametrize(
    ("make", "check", "passes"),
    [
        (
            lambda: tf.linalg.LinearOperatorFullMatrix([[1.0, 2.0], [2.0, 4.0]]),
            "assert_non_singular",
            False,
        ),
        (
            lambda: tf.linalg.LinearOperatorFullMatrix([[1.0, 2.0], [2.0, 5.0]]),
            "assert_non_singular",
            True,
        ),
        (lambda: tf.linalg.LinearOperatorDiag([1.0, 0.0]), "assert_non_singular", False),
        (lambda: tf.linalg.LinearOperatorDiag([1.0, -2.0]), "assert_positive_definite", False),
        (lambda: tf.linalg.LinearOperatorDiag([1.0, 2.0]), "assert_positive_definite", True),
        (
            lambda: tf.linalg.LinearOperatorFullMatrix(
                [[2.0, 1.0], [1.0, -3.0]], is_self_adjoint=True
            ),
            "assert_positive_definite",
            False,
        ),
        (
            lambda: tf.linalg.LinearOperatorFullMatrix([[1.0, 2.0], [3.0, 4.0]]),
            "assert_self_adjoint",
            False,
        ),
        (
            lambda: tf.linalg.LinearOperatorToeplitz([1.0, 2.0], [1.0, 2.0]),
            "assert_self_adjoint",
            True,
        ),
    ],
)
def test_run_time_assertions_fail_as_tf_when_the_fact_is_false(make, check, passes):
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        if passes:
            sess.run(getattr(make(), check)())
        else:  # known values fail while building, as TF's checks do; others when run
            with pytest.raises(tf.errors.InvalidArgumentError):
                sess.run(getattr(make(), check)())


def test_a_users_subclass_gets_every_method_from_shape_and_matmul():
    class Reverse(tf.linalg.LinearOperator):
        """Reverses a vector's entries (a permutation written the way TF's docs show)."""

        def __init__(self, n):
            self._n = n
            super().__init__(dtype=tf.float64, is_square=True, name="Reverse")

        def _shape(self):
            return tf.TensorShape([self._n, self._n])

        def _matmul(self, x, adjoint=False, adjoint_arg=False):
            x = tf.linalg.adjoint(x) if adjoint_arg else x
            return tf.reverse(x, [-2])

    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        op = Reverse(3)
        dense, solved, det, trace = sess.run(
            [
                op.to_dense(),
                op.solvevec(tf.constant([1.0, 2.0, 3.0], tf.float64)),
                op.determinant(),
                op.trace(),
            ]
        )
    np.testing.assert_array_equal(dense, np.eye(3)[::-1])
    np.testing.assert_allclose(solved, [3.0, 2.0, 1.0])
    assert (det, trace) == (-1.0, 1.0)
    with pytest.raises(TypeError):
        tf.linalg.LinearOperator(tf.float32)  # abstract: no shape, no product
