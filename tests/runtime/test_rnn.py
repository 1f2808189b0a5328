"""RNNs against real TensorFlow: the programs of ``rnn_cases.py`` (every cell, every way
of running one, with sequence lengths and initial states) give TF's outputs, final
states and gradients, and make TF's variables, by name and shape; with either form of
``while_loop`` and ``cond`` (TF1's dataflow ops, or the functional ops of control
flow v2)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import runtime as tf
from runtime import control_flow_util
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


_FORMS = {
    "dataflow": control_flow_util.disable_control_flow_v2,
    "functional": control_flow_util.enable_control_flow_v2,
}


@pytest.fixture(scope="module")
def outcomes():
    """Each case run once per form; the tests below look at parts of the result."""
    return {}


@pytest.fixture(params=sorted(_FORMS))
def form(request):
    """Build control flow in this form during the test."""
    was = control_flow_util.control_flow_v2_enabled()
    _FORMS[request.param]()
    yield request.param
    _FORMS["functional" if was else "dataflow"]()


def _outcome(outcomes, form, name):
    if (form, name) not in outcomes:
        outcomes[form, name] = run_case(tf.compat.v1, CASES[name], _recorded_data(name))
    return outcomes[form, name]


@pytest.mark.parametrize("name", sorted(CASES))
def test_variables_have_tensorflows_names_and_shapes(outcomes, form, name):
    made = [[v, shape] for v, shape in _outcome(outcomes, form, name)["variables"]]
    assert made == RECORDS[name]["variables"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_outputs_and_states_match_tensorflow(outcomes, form, name):
    outcome = _outcome(outcomes, form, name)
    assert outcome["shapes"] == RECORDS[name]["shapes"]
    for fetch, value in outcome["values"].items():
        if fetch.startswith("grad/"):
            continue
        want = ARRAYS[f"{name}/out/{fetch}"]
        np.testing.assert_allclose(value, want, rtol=1e-5, atol=1e-6, err_msg=fetch)


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradients_match_tensorflow(outcomes, form, name):
    values = _outcome(outcomes, form, name)["values"]
    grads = {k: v for k, v in values.items() if k.startswith("grad/")}
    assert grads
    for fetch, value in grads.items():
        want = ARRAYS[f"{name}/out/{fetch}"]
        np.testing.assert_allclose(value, want, rtol=1e-4, atol=1e-5, err_msg=fetch)


def test_every_case_has_a_recorded_answer():
    assert sorted(CASES) == sorted(RECORDS)
