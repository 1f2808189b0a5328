"""Every ``tf.layers`` case of cases.py against TF 2.21's recording: outputs across runs,
variables after each run (batch norm's moving averages), gradients, and the names of
the variables, trainable variables, update ops, regularization losses, the output and
the layer scopes the ops fold into."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import runtime as tf

from .cases import CASES, record

FIXTURES = Path(__file__).parents[2] / "fixtures" / "tf_layers"
VALUES = np.load(FIXTURES / "layers.npz")
NAMES = json.loads((FIXTURES / "layers.json").read_text())


# Outputs made inside tf.nn's composite functions (dropout, batch_normalization): the names
# of their inner ops are those functions' to match (tests/runtime/ops); a layer's output
# must lie in the layer's scope.
COMPOSITE_OUTPUTS = {
    "dropout",
    "batch_norm_training",
    "batch_norm_inference",
    "batch_norm_switch",
    "batch_norm_channels_first_plain",
}


def top_scopes(op_names) -> set:
    """The first component of each op's name: the boxes a drawing folds the layers into."""
    return {name.split("/")[0] for name in op_names}


@pytest.mark.parametrize("key", sorted(CASES))
def test_layer_matches_tensorflow(key):
    values, names = record(tf, CASES[key])
    expected = NAMES[key]
    for field in ("output_shape", "variables", "trainable", "regularization_losses"):
        assert names[field] == expected[field], field
    if key in COMPOSITE_OUTPUTS:
        assert top_scopes([names["output"]]) == top_scopes([expected["output"]])
    else:
        assert names["output"] == expected["output"]
    assert len(names["update_ops"]) == len(expected["update_ops"])
    assert top_scopes(names["created"]) == top_scopes(expected["created"])
    recorded = {name[len(key) + 1 :] for name in VALUES.files if name.startswith(f"{key}/")}
    assert set(values) == recorded
    for name, value in values.items():
        if CASES[key].random and name.startswith("output/"):
            continue  # random: checked by test_dropout_keeps_the_rate
        np.testing.assert_allclose(
            value, VALUES[f"{key}/{name}"], rtol=2e-5, atol=2e-5, err_msg=f"{key}: {name}"
        )
