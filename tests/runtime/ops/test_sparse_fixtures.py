"""``tf.sparse`` arithmetic, crosses, counts and serialization, and ``tf.sets``, against
what real TF 2.21 computed for the same TF1 code (``tests/fixtures/tf_sparse``): values,
static shapes, gradients, TF's hashed crosses and serialized bytes, and its errors."""

from __future__ import annotations

import pytest

from tests.fixtures.tf_sparse.cases import CASES, ERRORS
from tests.runtime.ops.recorded import check_error, check_gradients, check_outputs, gradient_cases


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_outputs_match_tf(case):
    check_outputs(case, "sparse")


@pytest.mark.parametrize("case", ERRORS, ids=lambda case: case.name)
def test_errors_match_tf(case):
    check_error(case, "sparse")


@pytest.mark.parametrize("case", gradient_cases(CASES, "sparse"), ids=lambda case: case.name)
def test_gradients_match_tf(case):
    check_gradients(case, "sparse")
