"""Every tf.losses case of cases.py against TF 2.21's recording: the loss under each
reduction and weight shape, its gradients, the result's name and the LOSSES collection."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import runtime as tf

from .cases import CASES, record

FIXTURES = Path(__file__).parents[2] / "fixtures" / "tf_losses"
VALUES = np.load(FIXTURES / "losses.npz")
NAMES = json.loads((FIXTURES / "losses.json").read_text())


@pytest.mark.parametrize("key", sorted(CASES))
def test_loss_matches_tensorflow(key):
    values, names = record(tf, CASES[key])
    assert names == NAMES[key]
    suffixes = [name[len(key) + 1 :] for name in VALUES.files if name.startswith(f"{key}/")]
    # "loss" and "grad/<input>" of this case (not of a case whose key extends this one).
    recorded = {s for s in suffixes if s == "loss" or (s.startswith("grad/") and s.count("/") == 1)}
    assert set(values) == recorded
    for name, value in values.items():
        np.testing.assert_allclose(
            value, VALUES[f"{key}/{name}"], rtol=1e-5, atol=1e-6, err_msg=f"{key}: {name}"
        )
