"""``tf.image`` against what real TF 2.21 computed for the same TF1 code
(``tests/fixtures/tf_image``): resizes in every pixel mapping, crops and pads,
``crop_and_resize`` (image and box gradients), flips and rotations, colour and dtype
conversions, PNG/JPEG decoding of TF-encoded files, and TF's errors."""

from __future__ import annotations

import pytest

from tests.fixtures.tf_image.cases import CASES, ERRORS
from tests.runtime.ops.recorded import check_error, check_gradients, check_outputs, gradient_cases


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_outputs_match_tf(case):
    check_outputs(case, "image")


@pytest.mark.parametrize("case", gradient_cases(CASES, "image"), ids=lambda case: case.name)
def test_gradients_match_tf(case):
    check_gradients(case, "image")


@pytest.mark.parametrize("case", ERRORS, ids=lambda case: case.name)
def test_errors_match_tf(case):
    check_error(case, "image")
