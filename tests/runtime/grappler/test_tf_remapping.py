"""The remapper fuses what TF 2.21's does, and the fused ops compute TF's values.

TF's choices and values are recorded by ``tests/fixtures/grappler/generate.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

import runtime as tf
from runtime.op_signature import Signature
from runtime.registry import get_op_def

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "grappler"
sys.path.insert(0, str(FIXTURES))
from cases import CASES, case_rng  # noqa: E402

RECORDED = json.loads((FIXTURES / "grappler.json").read_text())
VALUES = np.load(FIXTURES / "values.npz")
_NOT_RUN_OPS = ("Const", "Placeholder")


def _ran(optimized) -> list:
    """The as-run ops as TF's partition graph lists them: [name, type, fused_ops]."""
    return [
        [op.name, op.type, [_text(s) for s in op.attrs.get("fused_ops", [])]]
        for op in optimized.graph.get_operations()
        if op.type not in _NOT_RUN_OPS
    ]


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _as_tf_names_it(case, ran: list) -> list:
    """Ours, with a constant batch norm written as TF keeps it (see ``cases.Case``)."""
    if not case.folds_batch_norm:
        return ran
    return [
        [name, kind, ["FusedBatchNorm", *stages[1:]] if kind == "_FusedConv2D" else stages]
        for name, kind, stages in ran
    ]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_the_graph_as_run_fuses_what_tf_fuses_and_computes_its_values(case):
    with tf.Graph().as_default() as graph, tf.compat.v1.Session() as sess:
        fetch, feeds = case.build(tf, case_rng(case.name))
        recorded_feeds = {tensor: VALUES[f"{case.name}:feed{i}"] for i, tensor in enumerate(feeds)}
        optimized = sess.optimized_graph(fetch, recorded_feeds)
        result = sess.run(fetch, recorded_feeds)
        ops_as_written = len(graph.get_operations())
    if case.onednn:  # TF's oneDNN graph, whose partition lists its ops in another order
        assert sorted(_ran(optimized)) == sorted(RECORDED["ran_onednn"][case.name])
        assert _ran(optimized) != RECORDED["ran"][case.name]  # where TF's plain CPU rules differ
    else:
        assert _as_tf_names_it(case, _ran(optimized)) == RECORDED["ran"][case.name]
    np.testing.assert_allclose(result, VALUES[f"{case.name}:output"], rtol=1e-5, atol=1e-5)
    assert len(graph.get_operations()) == ops_as_written  # the user's graph is untouched


@pytest.mark.parametrize("name", sorted(RECORDED["op_defs"]))
def test_fused_op_defs_declare_what_tensorflow_declares(name):
    entry = RECORDED["op_defs"][name]
    theirs = Signature(entry["inputs"], entry["outputs"], entry["attrs"])
    ours = get_op_def(name).signature
    assert ours.inputs == theirs.inputs
    assert ours.outputs == theirs.outputs
    assert ours.attrs == theirs.attrs
