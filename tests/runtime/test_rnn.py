"""RNNs against real TensorFlow: the programs of ``rnn_cases.py`` (every cell, every way
of running one, with sequence lengths and initial states) give TF's outputs, final
states and gradients, and make TF's variables, by name and shape."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import runtime as tf
from tests.fixtures.tf_rnn.rnn_cases import CASES, run_case

FIXTURES = Path(__file__).parent.parent / "fixtures" / "tf_rnn"
RECORDS = json.loads((FIXTURES / "rnn.json").read_text())
ARRAYS = np.load(FIXTURES / "rnn.npz")


def _recorded_data(case: str):
    def data(name, shape):
        value = ARRAYS[f"{case}/data/{name}"]
        assert list(value.shape) == list(shape), name
        return value

    return data


@pytest.fixture(scope="module")
def outcomes():
    """Each case run once; the tests below look at different parts of the result."""
    return {}


def _outcome(outcomes, name):
    if name not in outcomes:
        outcomes[name] = run_case(tf.compat.v1, CASES[name], _recorded_data(name))
    return outcomes[name]


@pytest.mark.parametrize("name", sorted(CASES))
def test_variables_have_tensorflows_names_and_shapes(outcomes, name):
    made = [[v, shape] for v, shape in _outcome(outcomes, name)["variables"]]
    assert made == RECORDS[name]["variables"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_outputs_and_states_match_tensorflow(outcomes, name):
    outcome = _outcome(outcomes, name)
    assert outcome["shapes"] == RECORDS[name]["shapes"]
    for fetch, value in outcome["values"].items():
        if fetch.startswith("grad/"):
            continue
        want = ARRAYS[f"{name}/out/{fetch}"]
        np.testing.assert_allclose(value, want, rtol=1e-5, atol=1e-6, err_msg=fetch)


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradients_match_tensorflow(outcomes, name):
    grads = {k: v for k, v in _outcome(outcomes, name)["values"].items() if k.startswith("grad/")}
    assert grads
    for fetch, value in grads.items():
        want = ARRAYS[f"{name}/out/{fetch}"]
        np.testing.assert_allclose(value, want, rtol=1e-4, atol=1e-5, err_msg=fetch)


def test_every_case_has_a_recorded_answer():
    assert sorted(CASES) == sorted(RECORDS)
