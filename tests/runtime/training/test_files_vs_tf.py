"""The files TF1 programs write and read, as TF 2.21 writes and reads them: meta graphs'
collections and savers, checkpoints of partitioned variables and their optimizer slots,
``init_from_checkpoint``. TF's answers are in tests/fixtures/tf_files (its generate.py) or
written here as literals recorded by running the same program with TF."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import runtime as tf
from tests.fixtures.tf_files import programs

v1 = tf.compat.v1
train = v1.train
FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "tf_files")
with open(os.path.join(FIXTURES, "recorded.json")) as _file:
    RECORDED = json.load(_file)


# -- savers and meta graphs --------------------------------------------------------------


def test_a_saver_does_not_join_the_savers_collection(graph, tmp_path):
    """TF 2.21: two Savers leave ``savers`` empty, and MonitoredTrainingSession makes (and
    collects) its own; the runtime collected both and refused ("More than one item")."""
    v = tf.Variable(1.0, name="v")
    step = train.get_or_create_global_step()
    increment = v1.assign_add(step, 1)
    train.Saver([v])
    train.Saver()
    assert graph.get_collection("savers") == []
    with train.MonitoredTrainingSession(
        checkpoint_dir=str(tmp_path), save_checkpoint_steps=1
    ) as sess:
        sess.run(increment)
    assert len(graph.get_collection("savers")) == 1
    assert train.latest_checkpoint(str(tmp_path)).endswith("model.ckpt-1")


def test_export_meta_graph_takes_no_saver_from_the_graph(graph):
    """TF 2.21: ``tf.train.export_meta_graph()`` writes no ``saver_def`` even with a saver in
    the ``savers`` collection; importing under a scope then makes a new ``save/``
    Saver. Only ``Saver.export_meta_graph`` writes its own."""
    tf.Variable(1.0, name="v")
    saver = train.Saver()
    graph.add_to_collection("savers", saver)
    meta = train.export_meta_graph()
    assert not meta.HasField("saver_def")
    assert sorted(meta.collection_def) == ["savers", "trainable_variables", "variables"]
    assert saver.export_meta_graph().saver_def.restore_op_name == "save/restore_all"
    with tf.Graph().as_default() as imported:
        new_saver = train.import_meta_graph(meta, import_scope="copy")
        assert new_saver.saver_def.restore_op_name == "save/restore_all"
        (collected,) = imported.get_collection("savers")
        assert collected.saver_def.restore_op_name == "copy/save/restore_all"


def test_import_scope_prefixes_the_strings_of_collections(graph):
    """TF 2.21 reads a ``bytes_list`` collection's strings as names under an import scope:
    ``b"hello"`` comes back as ``"imp/hello"`` (``^``/``loc:@`` kept first); numbers and
    an import without a scope are left as they were."""
    graph.add_to_collection("notes", "hello")
    graph.add_to_collection("notes", b"^dep")
    graph.add_to_collection("notes", "loc:@w")
    graph.add_to_collection("rates", 2.5)
    meta = train.export_meta_graph()
    with tf.Graph().as_default() as scoped:
        train.import_meta_graph(meta, import_scope="imp")
        assert scoped.get_collection("notes") == ["imp/hello", "^imp/dep", "loc:@imp/w"]
        assert scoped.get_collection("rates") == [2.5]
    with tf.Graph().as_default() as plain:
        train.import_meta_graph(meta)
        assert plain.get_collection("notes") == [b"hello", b"^dep", b"loc:@w"]


# -- partitioned variables and their slots ---------------------------------------------


def test_slots_of_a_partitioned_variable_are_saved_whole_as_tf_saves_them(graph, tmp_path):
    """TF 2.21 saves the Adam slots of ``m/emb`` (3 parts) as ``m/emb/Adam``; the runtime
    saved ``m/emb/part_0/Adam`` ..., which TF could not restore (nor the runtime TF's)."""
    model = programs.partitioned_adam(v1)
    saver = train.Saver()
    with v1.Session() as sess:
        sess.run(v1.global_variables_initializer())
        for _ in range(2):
            sess.run(model["train_op"])
        prefix = saver.save(sess, str(tmp_path / "model"))
    assert [[n, s] for n, s in train.list_variables(prefix)] == RECORDED["list_variables"]


def test_tf_checkpoint_of_partitioned_slots_restores_and_trains_on(graph):
    model = programs.partitioned_adam(v1)
    saver = train.Saver()
    with v1.Session() as sess:
        saver.restore(sess, os.path.join(FIXTURES, "partitioned", "model"))
        assert sess.run(model["step"]) == 2
        sess.run(model["train_op"])
        for key in ("emb", "w"):
            np.testing.assert_allclose(sess.run(model[key]), RECORDED["after_step"][key], 1e-6)


# -- init_from_checkpoint -------------------------------------------------------------------


def test_init_from_checkpoint_maps_a_scope_onto_partitioned_variables(graph):
    """TF 2.21 loads ``m/emb`` into the parts of ``new/emb`` (2 parts, each its slice); the
    runtime skipped partitioned variables of a mapped scope, leaving them random."""
    with v1.variable_scope("new"):
        emb = v1.get_variable("emb", [10, 4], partitioner=v1.fixed_size_partitioner(2))
        w = v1.get_variable("w", [4, 2])
    tf.Variable([1.0, 2.0], name="new/z")  # not get_variable's: TF leaves it alone
    prefix = os.path.join(FIXTURES, "partitioned", "model")
    train.init_from_checkpoint(prefix, {"m/": "new/"})
    reader = train.NewCheckpointReader(prefix)
    with v1.Session() as sess:
        sess.run(v1.global_variables_initializer())
        np.testing.assert_array_equal(
            sess.run(tf.convert_to_tensor(emb)), reader.get_tensor("m/emb")
        )
        np.testing.assert_array_equal(sess.run(w), reader.get_tensor("m/w"))


def test_init_from_checkpoint_refuses_a_scope_variable_the_checkpoint_lacks(graph):
    with v1.variable_scope("new"):
        v1.get_variable("w", [4, 2])
        v1.get_variable("z", [3])
    prefix = os.path.join(FIXTURES, "partitioned", "model")
    # TF 2.21: ValueError "Tensor m/z (z in m/) is not found in <prefix> checkpoint".
    with pytest.raises(
        ValueError, match=r"^Tensor m/z \(z in m/\) is not found in .*model checkpoint$"
    ):
        train.init_from_checkpoint(prefix, {"m/": "new/"})


# -- frozen graphs ----------------------------------------------------------------------


def test_placeholder_with_default_names_its_python_default_after_itself(graph):
    """TF 2.21 names the constant of a Python default ``<name>/input`` (frozen graphs and
    their node lists show it); the runtime made a top-level ``Const``."""
    v1.placeholder_with_default(False, [], name="is_training")
    v1.placeholder_with_default([1.0, 2.0], [None], name="q")
    assert [op.name for op in graph.get_operations()] == [
        "is_training/input",
        "is_training",
        "q/input",
        "q",
    ]


def test_a_tensor_array_handle_has_tf_static_shape(graph):
    """TF 2.21's shape functions give TensorArrayV3/TensorArrayGradV3 handles the shape
    [2]; a graph written with [] (``_output_shapes``) failed TF's import ("Node
    'rnn/TensorArray' has an _output_shapes attribute inconsistent with the GraphDef"),
    so TF could not load a meta graph of a ``dynamic_rnn`` written here."""
    array = tf.TensorArray(tf.float32, size=3).write(0, 1.0)
    grad = array.grad("gradients")
    assert array.handle.shape.as_list() == [2] and grad.handle.shape.as_list() == [2]
    assert array.flow.shape.as_list() == []
    shapes = {
        node.op: [[d.size for d in s.dim] for s in node.attr["_output_shapes"].list.shape]
        for node in graph.as_graph_def(add_shapes=True).node
    }
    assert shapes["TensorArrayV3"] == [[2], []]
    assert shapes["TensorArrayGradV3"] == [[2], []]


@pytest.mark.parametrize("scope", [None, "imp"])
def test_tf_meta_graph_with_cond_and_loop_contexts_imports_and_runs(scope):
    """TF's ``cond_context``/``while_context`` collections (context protos, not names)
    come back as the contexts they describe, named under an import scope as TF's
    ``from_proto`` names them, and the imported cond and loop run to TF's values."""
    prefix = os.path.join(FIXTURES, "cond_loop", "model")
    names = f"{scope}/" if scope else ""
    with tf.Graph().as_default() as graph:
        saver = train.import_meta_graph(prefix + ".meta", import_scope=scope)
        contexts = graph.get_collection("cond_context") + graph.get_collection("while_context")
        assert [c.name for c in contexts] == [
            f"{names}mycond/cond_text",
            f"{names}mycond/cond_text_1",
            f"{names}loop/while_context",
        ]
        with v1.Session() as sess:
            saver.restore(sess, prefix)
            losses = [
                sess.run(f"{names}loss:0", {f"{names}x:0": programs.X, f"{names}train:0": t})
                for t in (True, False)
            ]
    np.testing.assert_allclose(losses, RECORDED["cond_loop_loss"], rtol=1e-6)


def test_import_meta_graph_maps_inputs_and_picks_collections():
    """TF 2.21's ``import_meta_graph(input_map=, restore_collections_predicate=)``: the
    runtime ignored both (its ``x`` stayed a placeholder to feed, every collection came
    back). TF gives loss 3793.078125 for ``programs.X`` (recorded.json); fed through
    ``z * 1`` the same."""
    prefix = os.path.join(FIXTURES, "cond_loop", "model")
    with tf.Graph().as_default() as graph:
        z = v1.placeholder(tf.float32, [None, 2], name="z")
        saver = train.import_meta_graph(
            prefix + ".meta",
            input_map={"x:0": z * 1.0},
            restore_collections_predicate=lambda key: key != "loss",
        )
        assert graph.get_collection("loss") == []
        assert graph.get_collection("variables")
        with v1.Session() as sess:
            saver.restore(sess, prefix)
            got = sess.run("loss:0", {z: programs.X})
    np.testing.assert_allclose(got, RECORDED["cond_loop_loss"][0], rtol=1e-6)


def test_tf_text_meta_graph_imports():
    """TF's text meta graph names ``OpDef`` fields (``attr``...) in its stripped op list;
    the runtime refused it ("has no field named attr") though it reads the binary one."""
    prefix = os.path.join(FIXTURES, "cond_loop", "model")
    with tf.Graph().as_default():
        saver = train.import_meta_graph(os.path.join(FIXTURES, "cond_loop", "text.meta"))
        with v1.Session() as sess:
            saver.restore(sess, prefix)
            got = sess.run("loss:0", {"x:0": programs.X, "train:0": False})
    np.testing.assert_allclose(got, RECORDED["cond_loop_loss"][1], rtol=1e-6)


def test_export_scope_renames_colocation_groups(graph):
    """TF 2.21 writes ``loc:@w`` (scope taken off) for ``tower/w/read``'s group under
    ``export_scope="tower"``; the runtime kept ``loc:@tower/w``, and TF refused the file
    ("Node 'w/read' expects to be colocated with unknown node 'tower/w'")."""
    with v1.variable_scope("tower"):
        w = v1.get_variable("w", initializer=tf.constant([[1.0], [2.0]]))
    meta = train.export_meta_graph(export_scope="tower")
    groups = {
        node.name: list(node.attr["_class"].list.s)
        for node in meta.graph_def.node
        if "_class" in node.attr
    }
    assert groups["w/read"] == [b"loc:@w"]
    with tf.Graph().as_default() as imported:
        train.import_meta_graph(meta, import_scope="t2")
        assert imported.get_operation_by_name("t2/w/read").colocation_groups() == [b"loc:@t2/w"]
    assert w.name == "tower/w:0"


def test_a_deferred_saver_saves_the_variables_there_are_when_built(graph, tmp_path):
    """TF 2.21: ``Saver(defer_build=True)`` then ``build()`` saves ``u`` (made after the
    Saver) and ``v``: list_variables [('u', []), ('v', [2])]; a save before ``build()`` is
    a RuntimeError. The runtime had no ``build()`` and saved only ``v``."""
    v = tf.Variable([1.0, 2.0], name="v")
    saver = train.Saver(defer_build=True)
    u = tf.Variable(3.0, name="u")
    with v1.Session() as sess:
        sess.run([v.initializer, u.initializer])
        with pytest.raises(RuntimeError, match="`build\\(\\)` should be called before save"):
            saver.save(sess, str(tmp_path / "early"))
    saver.build()
    with v1.Session() as sess:
        sess.run([v.initializer, u.initializer])
        prefix = saver.save(sess, str(tmp_path / "m"), write_state=False)
    assert [[n, s] for n, s in train.list_variables(prefix)] == [["u", []], ["v", [2]]]


# -- tf.train.Example parsing --------------------------------------------------------------


def test_a_sequence_feature_off_its_stride_gives_tf_message(graph):
    """TF 2.21's words when a FixedLenSequenceFeature([2]) holds 3 values."""
    feature = train.Feature(int64_list=train.Int64List(value=[1, 2, 3]))
    record = train.Example(features=train.Features(feature={"seq": feature}))
    spec = {"seq": v1.io.FixedLenSequenceFeature([2], tf.int64, allow_missing=True)}
    parsed = v1.io.parse_example(tf.constant([record.SerializeToString()]), spec)
    with v1.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as caught:
            sess.run(parsed["seq"])
    assert (
        "Key: seq, Index: 0.  Number of int64 values is not a multiple of stride length. Saw 3 "
        "values but output shape is: [?,2]" in str(caught.value)
    )


def test_saver_reshape_restores_a_tensor_saved_in_another_shape(graph, tmp_path):
    """TF 2.21: ``Saver(reshape=True)`` restores ``b`` saved as [2, 3] into a [3, 2]
    variable (values in order); without it, InvalidArgumentError. The runtime ignored
    ``reshape``."""
    b = tf.Variable(np.arange(6, dtype=np.int32).reshape(2, 3), name="b")
    with v1.Session() as sess:
        sess.run(b.initializer)
        prefix = train.Saver().save(sess, str(tmp_path / "m"), write_meta_graph=False)
    with tf.Graph().as_default():
        other = v1.get_variable("bb", [3, 2], dtype=tf.int32)
        reshaping = train.Saver({"b": other}, reshape=True)
        strict = train.Saver({"b": other})
        with v1.Session() as sess:
            reshaping.restore(sess, prefix)
            np.testing.assert_array_equal(sess.run(other), np.arange(6).reshape(3, 2))
            with pytest.raises(tf.errors.InvalidArgumentError):
                strict.restore(sess, prefix)


# -- graphs of resource variables -----------------------------------------------------------


def _resource_lookup_graph():
    graph_def = v1.GraphDef()
    with open(os.path.join(FIXTURES, "resource_lookup.pb"), "rb") as f:
        graph_def.ParseFromString(f.read())
    v1.import_graph_def(graph_def, name="")


def test_tf_graph_gathering_from_a_resource_variable_runs(graph):
    """TF 2.21's ``tf.gather`` of a resource variable is a ``ResourceGather``; the runtime
    had no such op ("This run needs op types the runtime does not implement")."""
    _resource_lookup_graph()
    rows = graph.get_tensor_by_name("rows:0")
    assert rows.shape.as_list() == [None, 2]
    with v1.Session() as sess:
        with pytest.raises(
            tf.errors.NotFoundError, match="Could not find resource: localhost/r/emb"
        ):
            sess.run(rows, {"ids:0": [0]})  # TF 2.21 before init: NotFoundError
        sess.run("init")
        np.testing.assert_array_equal(
            sess.run(rows, {"ids:0": [3, 0, 3]}), RECORDED["resource_lookup_rows"]
        )
        with pytest.raises(
            tf.errors.InvalidArgumentError, match=r"indices\[1\] = 7 is not in \[0, 4\)"
        ):
            sess.run(rows, {"ids:0": [0, 7]})


def test_restoring_from_a_directory_is_tf_data_loss(graph, tmp_path):
    """TF 2.21: ``saver.restore(sess, a_directory)`` (the usual mistake for
    ``latest_checkpoint(directory)``) is a DataLossError; the runtime's was ValueError."""
    v = tf.Variable(1.0, name="v")
    saver = train.Saver()
    with v1.Session() as sess:
        sess.run(v.initializer)
        saver.save(sess, str(tmp_path / "m"))
        with pytest.raises(tf.errors.DataLossError, match="Is a directory: perhaps your file"):
            saver.restore(sess, str(tmp_path))


def test_importing_twice_under_one_scope_names_the_second_copy_scope_1(graph):
    """TF 2.21: a second ``import_meta_graph(..., import_scope="imp")`` (here inside
    ``outer``) lands under ``outer/imp_1`` and its collections and Saver name that copy;
    the runtime's pointed at the first copy (``imp/...``, or ``imp`` without ``outer``)."""
    meta = os.path.join(FIXTURES, "cond_loop", "model.meta")
    with tf.name_scope("outer"):
        first = train.import_meta_graph(meta, import_scope="imp")
        second = train.import_meta_graph(meta, import_scope="imp")
    assert [t.name for t in graph.get_collection("loss")] == [
        "outer/imp/loss:0",
        "outer/imp_1/loss:0",
    ]
    assert [v.name for v in v1.global_variables()] == ["outer/imp/w:0", "outer/imp_1/w:0"]
    assert first.saver_def.restore_op_name == "outer/imp/save/restore_all"
    assert second.saver_def.restore_op_name == "outer/imp_1/save/restore_all"
