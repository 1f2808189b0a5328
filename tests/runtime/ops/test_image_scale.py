"""``ScaleAndTranslate`` (TF2's ``tf.image.resize`` with the Lanczos, Gaussian and
Mitchell methods and with ``antialias``, and the op for every sampling kernel) against
what real TF 2.21 computed (``tests/fixtures/tf_image_scale``), and its gradient
against finite differences."""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf
from runtime.ops.image_ops import scale_and_translate
from tests.fixtures.tf_image_scale.cases import CASES, ERRORS, KERNEL_TYPES
from tests.runtime.gradcheck import check_gradients as check_finite_differences
from tests.runtime.ops.recorded import check_error, check_gradients, check_outputs, gradient_cases

v1 = tf.compat.v1
RNG = np.random.default_rng(9)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_outputs_match_tf(case):
    check_outputs(case, "image_scale")


@pytest.mark.parametrize("case", gradient_cases(CASES, "image_scale"), ids=lambda case: case.name)
def test_gradients_match_tf(case):
    check_gradients(case, "image_scale")


@pytest.mark.parametrize("case", ERRORS, ids=lambda case: case.name)
def test_errors_match_tf(case):
    check_error(case, "image_scale")


@pytest.mark.parametrize("antialias", [True, False], ids=["antialias", "plain"])
@pytest.mark.parametrize("kernel_type", KERNEL_TYPES)
def test_gradients_match_finite_differences(kernel_type, antialias):
    # TF's gradient op takes float32 only, so the float64 point is cast: a coarse step
    # and tolerance.
    def build(x):
        x = tf.cast(x, tf.float32)
        down = scale_and_translate(x, [3, 2], [0.6, 0.4], [0.2, -0.3], kernel_type, antialias)
        up = scale_and_translate(x, [7, 8], [1.4, 1.6], [0.0, 0.5], kernel_type, antialias)
        return [down, up]

    check_finite_differences(
        build, [RNG.uniform(0.2, 0.8, (1, 5, 5, 2))], delta=1e-3, rtol=2e-2, atol=2e-3
    )


def test_resize_builds_tf_ops(graph):
    x = v1.placeholder(tf.float32, [1, 5, 4, 2])
    y = tf.compat.v2.image.resize(x, [3, 3], "lanczos3", antialias=True)
    (grad,) = tf.gradients(y, x)
    op = graph.get_operation_by_name("resize/ScaleAndTranslate")
    # TF 2.21 gives these names, and the kernel and antialias as attrs.
    assert [t.name for t in op.inputs] == [
        "Placeholder:0",
        "resize/size:0",
        "resize/truediv:0",
        "resize/zeros:0",
    ]
    assert y.name == "resize/ScaleAndTranslate:0"
    assert grad.op.name == "gradients/resize/ScaleAndTranslate_grad/ScaleAndTranslateGrad"
    assert op.get_attr("kernel_type") in ("lanczos3", b"lanczos3")  # TF's is bytes
    assert op.get_attr("antialias") is True
