"""Array, sparse-tensor and string ops against what real TF 2.21 computed for the same
TF1 code (``tests/fixtures/tf_array``): values, dtypes, static shapes, gradients
(``IndexedSlices`` where TF's are) and error classes at TF's stage."""

from __future__ import annotations

import pytest

from tests.fixtures.tf_array.cases import CASES, ERRORS
from tests.runtime.ops.recorded import check_error, check_gradients, check_outputs, gradient_cases


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_outputs_match_tf(case):
    check_outputs(case, "array")


@pytest.mark.parametrize("case", gradient_cases(CASES, "array"), ids=lambda case: case.name)
def test_gradients_match_tf(case):
    check_gradients(case, "array")


@pytest.mark.parametrize("case", ERRORS, ids=lambda case: case.name)
def test_errors_match_tf(case):
    check_error(case, "array")
