"""Every tf.metrics case of cases.py against TF 2.21's recording: the update op's result
and the value after each of three batches, the names of the value, the update op and
the local variables, and the collections they join."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import runtime as tf

from .cases import CASES, record

FIXTURES = Path(__file__).parents[2] / "fixtures" / "tf_metrics"
VALUES = np.load(FIXTURES / "metrics.npz")
NAMES = json.loads((FIXTURES / "metrics.json").read_text())


@pytest.mark.parametrize("key", sorted(CASES))
def test_metric_matches_tensorflow(key):
    values, names = record(tf, CASES[key])
    assert names == NAMES[key]
    for name, value in values.items():
        np.testing.assert_allclose(
            value, VALUES[f"{key}/{name}"], rtol=1e-5, atol=1e-6, err_msg=f"{key}: {name}"
        )
