"""FFTs, ``tf.signal`` and ``tf.audio`` against what real TF 2.21 computed for the same
TF1 code (``tests/fixtures/tf_signal``): values, dtypes, static shapes, gradients and
error classes at TF's stage."""

from __future__ import annotations

import pytest

from tests.fixtures.tf_signal.cases import CASES, ERRORS
from tests.runtime.ops.recorded import check_error, check_gradients, check_outputs, gradient_cases


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_outputs_match_tf(case):
    check_outputs(case, "signal")


@pytest.mark.parametrize("case", gradient_cases(CASES, "signal"), ids=lambda case: case.name)
def test_gradients_match_tf(case):
    check_gradients(case, "signal")


@pytest.mark.parametrize("case", ERRORS, ids=lambda case: case.name)
def test_errors_match_tf(case):
    check_error(case, "signal")
