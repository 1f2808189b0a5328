"""TF 2.x's TensorList ops: a GraphDef of small programs built by real TF
(``tests/fixtures/tf_rnn/generate_list_ops.py``) imports and runs to TF's values and
errors, and list values are never changed in place."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import runtime as tf
from runtime.graph_io import read_graph_def
from runtime.kernels.tensor_list import TensorList

FIXTURES = Path(__file__).parent.parent / "fixtures" / "tf_rnn"
RECORDS = json.loads((FIXTURES / "list_ops.json").read_text())
VALUES = np.load(FIXTURES / "list_ops.npz")


@pytest.fixture(scope="module")
def session():
    with tf.Graph().as_default() as graph:
        tf.compat.v1.import_graph_def(read_graph_def(str(FIXTURES / "list_ops.pb")), name="")
    with tf.compat.v1.Session(graph=graph) as sess:
        yield sess


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_program_matches_tensorflow(session, name):
    record = RECORDS[name]
    if "error" in record:
        with pytest.raises(tf.errors.OpError) as caught:
            session.run(record["fetches"], record["feeds"])
        assert type(caught.value).__name__ == record["error"]["class"]
        assert record["error"]["message"] in caught.value.message
        return
    for i, value in enumerate(session.run(record["fetches"], record["feeds"])):
        want = VALUES[f"{name}/{i}"]
        assert np.asarray(value).dtype == want.dtype and np.shape(value) == want.shape
        np.testing.assert_array_equal(value, want)


def test_static_shapes_come_from_known_element_shapes(session):
    graph = session.graph
    assert graph.get_tensor_by_name("reserve_set_stack/TensorListStack:0").shape.as_list() == [
        None,
        2,
    ]
    gathered = graph.get_tensor_by_name("gather_and_scatter/TensorListGather:0")
    assert gathered.shape.as_list() == [3, 2]


def test_a_list_is_a_value_writes_make_new_lists(session):
    base = session.graph.get_tensor_by_name("reserve_set_stack/TensorListReserve:0")
    written = session.graph.get_tensor_by_name("reserve_set_stack/TensorListSetItem:0")
    before, after = session.run([base, written], RECORDS["reserve_set_stack"]["feeds"])
    assert isinstance(before, TensorList) and before.items == (None, None, None)
    np.testing.assert_array_equal(after.items[0], [1.0, 2.0])
