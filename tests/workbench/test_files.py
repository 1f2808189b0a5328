"""TensorFlow's graph files open in the workbench: drawn, placed and run."""

from __future__ import annotations

import json
import os

import jsonschema
import numpy as np

import runtime as tf
import workbench

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tf")
SCHEMA = os.path.join(os.path.dirname(workbench.__file__), "schema", "tfgraph.v2.schema.json")


def test_a_frozen_tensorflow_graph_draws_as_a_valid_payload():
    graph = workbench.load_graph(os.path.join(FIXTURES, "convnet_frozen.pb"))
    with tf.compat.v1.Session(graph=graph) as sess:
        view = workbench.GraphView(graph, sess)
        payload = view.to_json()
    with open(SCHEMA) as schema:
        jsonschema.validate(payload, json.load(schema))
    ops = set(payload["nodes"]["op"])
    assert {"Conv2D", "MaxPool", "BiasAdd", "Softmax"} <= ops
    assert [d["name"][-5:] for d in payload["devices"]] == ["CPU:0"] and payload["placed"]
    made = payload["nodes"]["created_at"][0]
    assert made.startswith(f"imported from {os.path.join(FIXTURES, 'convnet_frozen.pb')} (")


def test_a_graph_with_unknown_op_types_still_draws_and_runs_what_it_can():
    graph = workbench.load_graph(os.path.join(FIXTURES, "unsupported.pbtxt"))
    payload = workbench.GraphView(graph).to_json()
    assert "XlaSharding" in payload["nodes"]["op"]  # an op type with no kernel here
    with tf.compat.v1.Session(graph=graph) as sess:
        np.testing.assert_allclose(sess.run("fine:0", {"x:0": [0.0, 1.0]}), [1.0, 2.0])
