"""``tf.strings`` hashes, base64, Unicode, ``format``, n-grams and segment joins against
what real TF 2.21 computed for the same TF1 code (``tests/fixtures/tf_strings``): TF's
exact bucket numbers and fingerprints, its replacement of malformed text, its errors."""

from __future__ import annotations

import pytest

from tests.fixtures.tf_strings.cases import CASES, ERRORS
from tests.runtime.ops.recorded import check_error, check_outputs


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_outputs_match_tf(case):
    check_outputs(case, "strings")


@pytest.mark.parametrize("case", ERRORS, ids=lambda case: case.name)
def test_errors_match_tf(case):
    check_error(case, "strings")
