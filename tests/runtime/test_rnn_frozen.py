"""Frozen RNN GraphDefs made by real TensorFlow import and run to TF's outputs.

``dynamic_rnn`` LSTM and GRU graphs with TF1's dataflow loops (``Enter``, ``Merge``,
``Switch``, ``NextIteration``, ``Exit``, TensorArrays), and the LSTM with TF2's
functional loop (``StatelessWhile`` and its FunctionDef library, ``TensorList`` ops);
see ``tests/fixtures/tf_rnn/generate_frozen.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import runtime as tf
from runtime.graph_io import read_graph_def

FIXTURES = Path(__file__).parent.parent / "fixtures" / "tf_rnn"
EXPECTED = np.load(FIXTURES / "frozen.npz")
GRAPHS = {
    "lstm_v1_frozen": (("inputs",), ("outputs", "final_c", "final_h")),
    "gru_v1_frozen": (("inputs", "lengths"), ("outputs", "final_state")),
    "lstm_v2_frozen": (("inputs",), ("outputs", "final_c", "final_h")),
}


def _run(name: str, feeds: dict, outputs) -> list:
    with tf.Graph().as_default() as graph:
        tf.compat.v1.import_graph_def(read_graph_def(str(FIXTURES / f"{name}.pb")), name="")
        with tf.compat.v1.Session(graph=graph) as sess:
            return sess.run([f"{o}:0" for o in outputs], {f"{k}:0": v for k, v in feeds.items()})


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_frozen_rnn_runs_to_tensorflows_outputs(name):
    inputs, outputs = GRAPHS[name]
    feeds = {key: EXPECTED[f"{name}/{key}"] for key in inputs}
    for output, value in zip(outputs, _run(name, feeds, outputs)):
        np.testing.assert_allclose(value, EXPECTED[f"{name}/{output}"], atol=1e-5, err_msg=output)


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_frozen_rnn_takes_any_batch_size(name):
    # The batch dimension is unknown in the graph: a batch of one runs too, and each
    # entry's result does not depend on the others.
    inputs, outputs = GRAPHS[name]
    feeds = {key: EXPECTED[f"{name}/{key}"][1:2] for key in inputs}
    for output, value in zip(outputs, _run(name, feeds, outputs)):
        np.testing.assert_allclose(
            value, EXPECTED[f"{name}/{output}"][1:2], atol=1e-5, err_msg=output
        )
