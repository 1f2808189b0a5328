"""Partitioned variables against TF 2.21 (``tests/fixtures/tf_partitioned/generate.py``): the
parts (names, shapes, slice specs), the graph, the values, ``embedding_lookup`` over the
parts, the partitioners' choices, the misuses TF refuses, and checkpoints: a ``Saver``
writes TF's very bytes (sliced tensors under TF's keys), restores TF's checkpoint, and
moves values between partitioned and whole variables as TF does.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import runtime as tf
from runtime import checkpoint

from . import partitioned_cases as cases

DATA = Path(__file__).resolve().parents[2] / "fixtures" / "tf_partitioned"
RECORDED = json.loads((DATA / "recorded.json").read_text())
v1 = tf.compat.v1


@pytest.fixture
def model():
    with tf.Graph().as_default() as graph:
        yield cases.build(tf), graph


def test_parts_are_named_shaped_and_sliced_as_tensorflows(model):
    variables, _ = model
    assert {name: cases.describe(v) for name, v in variables.items()} == RECORDED["variables"]
    assert [v.op.name for v in v1.global_variables()] == RECORDED["global_variables"]
    assert [v.op.name for v in v1.trainable_variables()] == RECORDED["trainable_variables"]


def test_the_graph_holds_tensorflows_ops(model):
    variables, graph = model
    ids = tf.constant([0, 3, 4, 7, 9, 1], tf.int64)
    for strategy in ("mod", "div"):
        v1.nn.embedding_lookup(variables["emb"], ids, partition_strategy=strategy)
    for name, var in variables.items():
        if name != "legacy":
            tf.convert_to_tensor(var)
    ours = [op.name for op in graph.get_operations()]
    variable_ops = [n for n in RECORDED["ops"] if not n.startswith("embedding_lookup")]
    assert [n for n in ours if not n.startswith("embedding_lookup")] == variable_ops


def test_values_and_lookups_are_tensorflows(model):
    variables, _ = model
    emb = variables["emb"]
    ids = tf.constant([0, 3, 4, 7, 9, 1], tf.int64)
    lookups = {s: v1.nn.embedding_lookup(emb, ids, partition_strategy=s) for s in ("mod", "div")}
    whole = {n: tf.convert_to_tensor(v) for n, v in variables.items() if n != "legacy"}
    with v1.Session() as sess:
        sess.run(v1.global_variables_initializer())
        assert {n: sess.run(t).tolist() for n, t in whole.items()} == RECORDED["values"]
        assert {k: sess.run(t).tolist() for k, t in lookups.items()} == RECORDED["lookups"]


def test_a_saver_writes_tensorflows_bytes(model, tmp_path):
    prefix = str(tmp_path / "model")
    with v1.Session() as sess:
        sess.run(v1.global_variables_initializer())
        v1.train.Saver().save(sess, prefix, write_meta_graph=False, write_state=False)
    for suffix in (".index", ".data-00000-of-00001"):
        assert Path(prefix + suffix).read_bytes() == (DATA / f"model{suffix}").read_bytes()


def test_tensorflows_checkpoint_restores_into_the_parts(model):
    variables, _ = model
    whole = {n: tf.convert_to_tensor(v) for n, v in variables.items() if n != "legacy"}
    with v1.Session() as sess:  # never initialized: every value comes from the checkpoint
        v1.train.Saver().restore(sess, str(DATA / "model"))
        assert {n: sess.run(t).tolist() for n, t in whole.items()} == RECORDED["values"]
        legacy = [sess.run(part) for part in variables["legacy"]]
        assert np.concatenate(legacy).tolist() == [[1.5, 1.5]] * 7


def test_a_sliced_checkpoint_lists_and_loads_whole_tensors():
    prefix = str(DATA / "model")
    listed = [[name, shape] for name, shape in v1.train.list_variables(prefix)]
    assert listed == RECORDED["list_variables"]
    assert v1.train.load_variable(prefix, "emb").tolist() == RECORDED["load_emb"]


@pytest.mark.parametrize("label", sorted(RECORDED["partitioners"]))
def test_partitioners_choose_tensorflows_partitions(label):
    partitioner, shape, dtype = cases.partitioners(tf)[label]
    chosen = partitioner(shape=tf.TensorShape(shape), dtype=dtype)
    assert list(chosen) == RECORDED["partitioners"][label]


@pytest.mark.parametrize("name", sorted(RECORDED["errors"]))
def test_misuses_fail_as_tensorflows_do(name):
    assert cases.outcome(tf, cases.misuses(tf)[name]) == RECORDED["errors"][name]


def test_sharded_saves_merge_the_slices_of_one_tensor(tmp_path):
    """Parts on two devices are written by two shards; the merge joins their slices."""
    prefix = str(tmp_path / "sharded")
    config = v1.ConfigProto(device_count={"CPU": 2})
    with tf.Graph().as_default():
        with tf.device(lambda op: f"/cpu:{1 if op.name.startswith('v/part_1') else 0}"):
            v = v1.get_variable(
                "v",
                initializer=tf.constant(np.arange(12.0).reshape(6, 2)),
                partitioner=v1.fixed_size_partitioner(2),
            )
        saver = v1.train.Saver(sharded=True)
        with v1.Session(config=config) as sess:
            sess.run(v1.global_variables_initializer())
            saver.save(sess, prefix, write_meta_graph=False)
            sess.run([part.assign(part * 0) for part in v])
            saver.restore(sess, prefix)
            assert sess.run(tf.convert_to_tensor(v)).ravel().tolist() == list(range(12))
    assert sorted(p.name for p in tmp_path.iterdir() if "sharded" in p.name) == [
        "sharded.data-00000-of-00002",
        "sharded.data-00001-of-00002",
        "sharded.index",
    ]
    assert v1.train.load_variable(prefix, "v").ravel().tolist() == list(range(12))


def test_values_move_between_whole_and_partitioned_variables(tmp_path):
    whole_prefix, parts_prefix = str(tmp_path / "whole"), str(tmp_path / "parts")
    values = np.arange(10.0).reshape(5, 2)
    with tf.Graph().as_default():
        v1.get_variable("v", initializer=tf.constant(values))
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            v1.train.Saver().save(sess, whole_prefix, write_meta_graph=False)
    with tf.Graph().as_default():
        parts = v1.get_variable("v", [5, 2], tf.float64, partitioner=v1.fixed_size_partitioner(3))
        saver = v1.train.Saver()
        with v1.Session() as sess:
            saver.restore(sess, whole_prefix)  # slices cut from the whole tensor
            assert sess.run(tf.convert_to_tensor(parts)).tolist() == values.tolist()
            saver.save(sess, parts_prefix, write_meta_graph=False)
    with tf.Graph().as_default():
        whole = v1.get_variable("v", [5, 2], tf.float64)
        with v1.Session() as sess:
            v1.train.Saver().restore(sess, parts_prefix)  # the whole assembled from slices
            assert sess.run(whole).tolist() == values.tolist()


def test_a_saver_takes_partitioned_variables_by_name(tmp_path):
    prefix = str(tmp_path / "renamed")
    with tf.Graph().as_default():
        v = v1.get_variable(
            "v",
            [4],
            initializer=tf.constant([1.0, 2.0, 3.0, 4.0]),
            partitioner=v1.fixed_size_partitioner(2),
        )
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            v1.train.Saver({"renamed": v}).save(sess, prefix, write_meta_graph=False)
    assert [n for n, _ in v1.train.list_variables(prefix)] == ["renamed"]
    assert v1.train.load_variable(prefix, "renamed").tolist() == [1.0, 2.0, 3.0, 4.0]
    with pytest.raises(ValueError, match="Slices must all be from the same tensor"):
        with tf.Graph().as_default():
            a = v1.get_variable("a", [2], partitioner=v1.fixed_size_partitioner(2))
            b = v1.get_variable("b", [2], partitioner=v1.fixed_size_partitioner(2))
            v1.train.Saver({"mixed": [*list(a)[:1], *list(b)[1:]]})


def test_missing_slices_are_not_found(tmp_path):
    """A checkpoint holding only some slices of a tensor cannot restore the whole."""
    prefix = str(tmp_path / "half")
    part = checkpoint.slices.parse_shape_and_slice("4 2,2")
    checkpoint.save(prefix, ["t"], [np.ones(2, np.float32)], slices=[part])
    with pytest.raises(tf.errors.NotFoundError, match="sufficient slices"):
        v1.train.load_variable(prefix, "t")


def test_partitioned_variables_assign_by_parts(model):
    variables, _ = model
    w = variables["layer/w"]
    updates = w.assign(np.ones((5, 3), np.float32) * 2)
    with v1.Session() as sess:
        sess.run(v1.global_variables_initializer())
        sess.run(updates)
        assert sess.run(tf.convert_to_tensor(w)).tolist() == [[2.0] * 3] * 5
    assert len(w) == 2 and [p.op.name for p in w] == ["layer/w/part_0", "layer/w/part_1"]
