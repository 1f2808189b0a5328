"""Gradients through the conds and loops of an imported meta graph, as TF 2.21's.

A meta graph carries the contexts of its TF1 conds and loops (``cond_context`` and
``while_context`` collections of ``CondContextDef``/``WhileContextDef`` bytes);
``import_meta_graph`` rebuilds them, so that a new loss on an imported model's output
is differentiated and trained through its conds and loops. The models, and the
fine-tuning, are ``control_flow_meta_programs``'s; the values TF 2.21 gave for them
(from TF's files and from the runtime's, of the models alone and with a train op) are in
``tests/fixtures/tf_control_flow_meta/expected.npz`` (see its ``generate.py``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import runtime as tf
from runtime.proto.meta_graph_pb2 import CondContextDef, WhileContextDef
from runtime.training.meta_graph import read_meta_graph_file

from .control_flow_meta_programs import (
    CASES,
    DIRECTORIES,
    MODELS,
    build,
    case_name,
    fine_tune,
    save,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "tf_control_flow_meta"
EXPECTED = np.load(FIXTURES / "expected.npz")
CASE_IDS = [case_name(name, scope) for name, scope in CASES]


def _check(got: dict, prefix: str) -> None:
    wanted = {k[len(prefix) :]: EXPECTED[k] for k in EXPECTED.files if k.startswith(prefix)}
    assert sorted(got) == sorted(wanted)
    for key, value in got.items():
        np.testing.assert_allclose(value, wanted[key], rtol=1e-4, atol=1e-5, err_msg=key)


@pytest.mark.parametrize("engine", ["tf", "runtime"])
@pytest.mark.parametrize("kind", DIRECTORIES)
@pytest.mark.parametrize(("name", "scope"), CASES, ids=CASE_IDS)
def test_fine_tuning_an_imported_model_matches_tf(engine, kind, name, scope):
    # TF's files (and the runtime's) imported, differentiated and trained by the runtime.
    directory = f"{kind}_{engine}"
    got = fine_tune(tf, str(FIXTURES / directory / name), name, scope)
    _check(got, f"{directory}/{case_name(name, scope)}/")


def test_tf_fine_tunes_the_runtimes_meta_graphs():
    # TF 2.21 imported every runtime-made file and took its gradients (TF's values on them
    # are those the test above checks); without the contexts it failed for the loops.
    wanted = [f"{kind}_runtime/{case}" for kind in DIRECTORIES for case in CASE_IDS]
    assert list(EXPECTED["tf_imports_runtime"]) == wanted


@pytest.mark.parametrize("kind", DIRECTORIES)
def test_a_fresh_save_fine_tunes_to_tfs_values(tmp_path, kind):
    save(tf, tmp_path, trained=kind == "trained")
    for name, scope in CASES:
        # The models start from constants, so TF gave its own files' values for them.
        got = fine_tune(tf, str(tmp_path / name), name, scope)
        _check(got, f"{kind}_tf/{case_name(name, scope)}/")


def _contexts(meta) -> list:
    """The meta graph's contexts, each as its kind, name, pivots, loop names and nested
    contexts (outermost first)."""
    found = []
    for key, kind in (("cond_context", CondContextDef), ("while_context", WhileContextDef)):
        if key in meta.collection_def:
            found += [_shape(kind.FromString(b)) for b in meta.collection_def[key].bytes_list.value]
    return found


def _shape(proto) -> tuple:
    nested = tuple(_shape(getattr(n, n.WhichOneof("ctxt"))) for n in proto.nested_contexts)
    if isinstance(proto, CondContextDef):
        return ("cond", proto.context_name, proto.pred_name, proto.pivot_name, proto.branch, nested)
    return (
        "while",
        proto.context_name,
        proto.pivot_name,
        proto.pivot_for_pred_name,
        proto.pivot_for_body_name,
        tuple(proto.loop_enter_names),
        tuple(proto.loop_exit_names),
        proto.maximum_iterations_name,
        proto.parallel_iterations,
        proto.back_prop,
        nested,
    )


@pytest.mark.parametrize("kind", DIRECTORIES)
@pytest.mark.parametrize("name", MODELS)
def test_exported_contexts_are_tfs(name, kind):
    with tf.Graph().as_default():
        _, out = build(tf, name)
        if kind == "trained":
            tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_sum(out))
        meta = tf.compat.v1.train.export_meta_graph()
    tf_meta = read_meta_graph_file(FIXTURES / f"{kind}_tf" / f"{name}.meta")
    assert _contexts(meta) == _contexts(tf_meta)


def test_imported_ops_are_back_in_their_contexts():
    with tf.Graph().as_default() as graph:
        tf.compat.v1.train.import_meta_graph(str(FIXTURES / "model_tf" / "nested.meta"))
        (loop,) = graph.get_collection("while_context")
        inner_cond_true, inner_cond_false, inner_loop = loop.nested_contexts
        assert graph.get_operation_by_name("while/Exit_1")._get_control_flow_context() is loop
        assert graph.get_operation_by_name("while/cond/Tanh")._get_control_flow_context() is (
            inner_cond_true
        )
        assert inner_cond_false.branch == 0 and inner_cond_false.outer_context is loop
        assert graph.get_operation_by_name("while/while/Tanh")._get_control_flow_context() is (
            inner_loop
        )
        assert graph.get_operation_by_name("x")._get_control_flow_context() is None


def test_an_import_scope_renames_the_loop_frames():
    with tf.Graph().as_default() as graph:
        tf.compat.v1.train.import_meta_graph(
            str(FIXTURES / "model_tf" / "while.meta"), import_scope="imp"
        )
        (loop,) = graph.get_collection("while_context")
        enter = graph.get_operation_by_name("imp/while/Enter")
    assert loop.name == "imp/while/while_context"
    assert enter.get_attr("frame_name") == "imp/while/while_context"
