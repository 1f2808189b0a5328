"""Meta graphs: a .meta file written by TF 2.21 (tests/fixtures/tf_meta_graph/generate.py)
imported, restored and trained on here; export/import round trips (binary and text,
scopes, collections of every kind); the Saver's .meta next to each checkpoint, read back
in a fresh process."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import runtime as tf

v1 = tf.compat.v1
train = v1.train
FIXTURE = Path(__file__).parents[2] / "fixtures" / "tf_meta_graph"
EXPECTED = np.load(FIXTURE / "expected.npz")
PREFIX = str(FIXTURE / "model" / "model.ckpt-3")


def test_tensorflows_meta_graph_restores_evaluates_and_trains_on(graph, sess):
    saver = train.import_meta_graph(PREFIX + ".meta")
    saver.restore(sess, PREFIX)
    feed = {"x:0": EXPECTED["x"], "y:0": EXPECTED["y"]}
    logits = graph.get_collection("logits")[0]
    np.testing.assert_allclose(sess.run(logits, feed), EXPECTED["logits"], rtol=1e-6)
    np.testing.assert_allclose(sess.run("loss:0", feed), EXPECTED["loss"], rtol=1e-6)
    sess.run(graph.get_collection("train_op")[0], feed)
    np.testing.assert_allclose(sess.run("loss:0", feed), EXPECTED["loss_after_step"], rtol=1e-5)
    assert sess.run(train.get_global_step()) == 4
    assert graph.get_collection("inputs")[0] is graph.get_tensor_by_name("x:0")
    assert graph.get_collection("learning_rate") == [pytest.approx(0.05)]
    assert graph.get_collection("note") == [b"a classifier"]
    assert [v.name for v in v1.trainable_variables()] == [
        "dense/kernel:0",
        "dense/bias:0",
        "logits/kernel:0",
        "logits/bias:0",
    ]


def build_model():
    """A small model with variables, a saver, a queue runner and mixed collections."""
    graph = tf.get_default_graph()
    x = v1.placeholder(tf.float32, [None, 2], name="x")
    with v1.variable_scope("model"):
        w = v1.get_variable("w", initializer=tf.constant([[1.0], [2.0]]))
    y = tf.matmul(x, w, name="y")  # loss = sum(y): each step takes 0.1 * x off w
    step = train.get_or_create_global_step()
    train_op = train.GradientDescentOptimizer(0.1).minimize(tf.reduce_sum(y), global_step=step)
    queue = v1.FIFOQueue(4, tf.float32, name="queue")
    train.add_queue_runner(train.QueueRunner(queue, [queue.enqueue(1.0)]))
    graph.add_to_collection("counts", 3)
    graph.add_to_collection("scales", 0.5)
    graph.add_to_collection("mixed", object())  # cannot be encoded: left out
    saver = train.Saver(max_to_keep=2)
    graph.add_to_collection("savers", saver)  # as in TF, a Saver does not join it itself
    return x, train_op, saver


@pytest.mark.parametrize("as_text", [False, True], ids=["binary", "text"])
def test_round_trip_keeps_ops_collections_and_the_saver(tmp_path, as_text, caplog):
    path = tmp_path / ("model.pbtxt" if as_text else "model.meta")
    with tf.Graph().as_default():
        build_model()
        with caplog.at_level(logging.WARNING, logger="runtime"):
            train.export_meta_graph(str(path), as_text=as_text)
    assert "Issue encountered when serializing mixed" in caplog.text
    assert path.read_bytes().startswith(b"meta_info_def") == as_text
    with tf.Graph().as_default() as graph:
        saver = train.import_meta_graph(str(path))
        assert sorted(k for k in graph.get_all_collection_keys() if isinstance(k, str)) == [
            "counts",
            "global_step",
            "queue_runners",
            "savers",
            "scales",
            "train_op",
            "trainable_variables",
            "variables",
        ]
        assert graph.get_collection("counts") == [3]
        assert graph.get_collection("scales") == [0.5]
        (w,) = v1.trainable_variables()
        assert w.name == "model/w:0" and w.initializer.name == "model/w/Assign"
        assert graph.get_collection("variables")[0] is w  # one object per variable
        (runner,) = graph.get_collection("queue_runners")
        assert runner.queue.name == "queue" and runner.enqueue_ops[0].type == "QueueEnqueueV2"
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            sess.run(graph.get_collection("train_op")[0], {"x:0": [[1.0, 1.0]]})
            np.testing.assert_allclose(sess.run(w), [[0.9], [1.9]])
            prefix = saver.save(sess, str(tmp_path / "again"))
            assert Path(prefix + ".meta").exists()


def test_import_scope_prefixes_names_and_clear_devices(tmp_path):
    with tf.Graph().as_default():
        with tf.device("/cpu:0"):
            _, _, saver = build_model()
        meta = saver.export_meta_graph()
    assert any(node.device for node in meta.graph_def.node)
    with tf.Graph().as_default() as graph:
        saver = train.import_meta_graph(meta, import_scope="copy", clear_devices=True)
        assert not any(op.device for op in graph.get_operations())
        assert [v.name for v in v1.trainable_variables()] == ["copy/model/w:0"]
        assert saver.saver_def.restore_op_name == "copy/save/restore_all"
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            path = saver.save(sess, str(tmp_path / "scoped"))
            saver.restore(sess, path)


def test_export_scope_keeps_one_scope(graph):
    with tf.name_scope("tower"):
        a = tf.constant(2.0, name="a")
        tf.multiply(a, 3.0, name="b")
    tf.constant(0.0, name="outside")
    meta = train.export_meta_graph(export_scope="tower")
    assert sorted(n.name for n in meta.graph_def.node) == ["a", "b", "b/y"]
    with tf.Graph().as_default():
        train.import_meta_graph(meta)
        assert v1.Session().run("b:0") == 6.0
    with tf.name_scope("other"):
        tf.add(a, 1.0, name="c")
    with pytest.raises(ValueError, match="its op 'other/c' reads 'tower/a'"):
        train.export_meta_graph(export_scope="other")


def test_bad_meta_graph_files_are_refused(tmp_path):
    with pytest.raises(OSError, match="File does not exist"):
        train.read_meta_graph_file(str(tmp_path / "missing.meta"))
    garbage = tmp_path / "garbage.meta"
    garbage.write_bytes(b"\xff\xfe not a protocol buffer")
    with pytest.raises(OSError, match="Cannot parse file"):
        train.read_meta_graph_file(str(garbage))


def test_saver_meta_graph_restores_in_a_fresh_process(tmp_path):
    with tf.Graph().as_default():
        x, train_op, saver = build_model()
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            sess.run(train_op, {x: [[1.0, 0.0]]})
            prefix = saver.save(sess, str(tmp_path / "model"), global_step=1)
    program = textwrap.dedent(
        f"""
        import runtime as tf
        v1 = tf.compat.v1
        with tf.Graph().as_default() as graph:
            saver = v1.train.import_meta_graph({prefix + ".meta"!r})
            with v1.Session() as sess:
                saver.restore(sess, {prefix!r})
                print(sess.run("y:0", {{"x:0": [[1.0, 1.0]]}})[0, 0],
                      sess.run(v1.train.get_global_step()))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.split() == ["2.9", "1"]  # w = [[0.9], [2.0]] after one step
