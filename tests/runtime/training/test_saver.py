"""Saver: round trips, the checkpoint state file, max_to_keep, restore errors, and
atomic writes (a writer that fails half-way leaves the previous checkpoint intact)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import runtime as tf
from runtime.errors import InvalidArgumentError, NotFoundError
from runtime.kernels import checkpoint as checkpoint_files

v1 = tf.compat.v1
train = v1.train


def _model(graph):
    w = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="w")
    n = tf.Variable(np.array([1, 2], np.int64), name="layer/n")
    s = tf.Variable(["a", "bc"], name="s")
    return w, n, s


class TestRoundTrip:
    def test_save_and_restore_every_dtype(self, graph, tmp_path):
        w, n, s = _model(graph)
        saver = train.Saver()
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            prefix = saver.save(sess, str(tmp_path / "model"))
            assert prefix == str(tmp_path / "model")
            sess.run([w.assign(tf.zeros([2, 3])), n.assign([0, 0]), s.assign(["", ""])])
            saver.restore(sess, prefix)
            got = sess.run([w, n, s])
        np.testing.assert_array_equal(got[0], np.arange(6).reshape(2, 3))
        np.testing.assert_array_equal(got[1], [1, 2])
        assert got[2].tolist() == [b"a", b"bc"]

    def test_restore_into_a_fresh_session_and_graph(self, tmp_path):
        with tf.Graph().as_default() as g:
            w, _, _ = _model(g)
            saver = train.Saver()
            with v1.Session(graph=g) as sess:
                sess.run(v1.global_variables_initializer())
                sess.run(w.assign_add(tf.ones([2, 3])))
                prefix = saver.save(sess, str(tmp_path / "model"), global_step=7)
        assert prefix.endswith("model-7")
        with tf.Graph().as_default() as g:
            w, _, _ = _model(g)
            saver = train.Saver()
            with v1.Session(graph=g) as sess:
                saver.restore(sess, train.latest_checkpoint(str(tmp_path)))
                np.testing.assert_array_equal(sess.run(w), np.arange(1, 7).reshape(2, 3))

    def test_graph_ops(self, graph):
        tf.Variable(1.0, name="v")
        train.Saver()
        names = {op.name: op.type for op in graph.get_operations()}
        assert names["save/Const"] == "PlaceholderWithDefault"
        assert names["save/SaveV2"] == "SaveV2"
        assert names["save/control_dependency"] == "Identity"
        assert names["save/RestoreV2"] == "RestoreV2"
        assert names["save/Assign"] == "Assign"
        assert names["save/restore_all"] == "NoOp"
        save_op = graph.get_operation_by_name("save/SaveV2")
        assert save_op.inputs[3].op.name == "v"  # the variable itself, as TF draws it

    def test_var_list_as_dict_and_subset(self, graph, tmp_path):
        a = tf.Variable(1.0, name="a")
        b = tf.Variable(2.0, name="b")
        saver = train.Saver({"renamed": a})
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            prefix = saver.save(sess, str(tmp_path / "m"))
        assert checkpoint_files.list_tensors(prefix) == [("renamed", [])]
        with pytest.raises(ValueError, match="At least two variables have the same name"):
            train.Saver([a, a])
        assert b.name == "b:0"

    def test_global_step_variable_names_the_checkpoint(self, graph, tmp_path):
        step = train.get_or_create_global_step()
        saver = train.Saver()
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            sess.run(step.assign(42))
            assert saver.save(sess, str(tmp_path / "m"), global_step=step).endswith("m-42")

    def test_empty(self, graph, tmp_path):
        with pytest.raises(ValueError, match="No variables to save"):
            train.Saver()
        saver = train.Saver(allow_empty=True)
        with v1.Session(graph=graph) as sess:
            assert saver.save(sess, str(tmp_path / "m")) is None


class TestStateFile:
    def test_latest_and_max_to_keep(self, graph, tmp_path):
        v = tf.Variable(0, name="v")
        inc = v.assign_add(1)
        saver = train.Saver(max_to_keep=2)
        directory = str(tmp_path)
        with v1.Session(graph=graph) as sess:
            sess.run(v.initializer)
            paths = []
            for step in range(4):
                sess.run(inc)
                paths.append(saver.save(sess, os.path.join(directory, "model"), global_step=step))
        assert saver.last_checkpoints == paths[2:]
        assert train.latest_checkpoint(directory) == paths[3]
        assert not train.checkpoint_exists(paths[0]) and not train.checkpoint_exists(paths[1])
        state = train.get_checkpoint_state(directory)
        assert state.all_model_checkpoint_paths == paths[2:]
        text = (tmp_path / "checkpoint").read_text()
        assert 'model_checkpoint_path: "model-3"' in text  # relative to the directory
        leftovers = sorted(f for f in os.listdir(directory) if f != "checkpoint")
        assert len(leftovers) == 4  # two checkpoints of two files each
        assert tf.train.latest_checkpoint is train.latest_checkpoint

    def test_list_and_load_variables(self, graph, tmp_path):
        _model(graph)
        saver = train.Saver()
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            prefix = saver.save(sess, str(tmp_path / "model"), global_step=1)
        listing = [("layer/n", [2]), ("s", [2]), ("w", [2, 3])]
        assert tf.train.list_variables(str(tmp_path)) == listing
        assert train.list_variables(prefix) == listing
        np.testing.assert_array_equal(tf.train.load_variable(prefix, "layer/n"), [1, 2])
        assert tf.train.load_variable(str(tmp_path), "s").tolist() == [b"a", b"bc"]
        with pytest.raises(NotFoundError, match="Key nope not found in checkpoint"):
            tf.train.load_variable(prefix, "nope")
        (tmp_path / "empty").mkdir()
        with pytest.raises(ValueError, match="Couldn't find 'checkpoint' file"):
            tf.train.list_variables(str(tmp_path / "empty"))

    def test_no_checkpoint(self, tmp_path):
        assert train.latest_checkpoint(str(tmp_path)) is None
        assert train.get_checkpoint_state(str(tmp_path)) is None

    def test_missing_parent_directory(self, graph, tmp_path):
        v = tf.Variable(1.0, name="v")
        saver = train.Saver()
        with v1.Session(graph=graph) as sess:
            sess.run(v.initializer)
            with pytest.raises(
                ValueError, match=r"Parent directory of .* doesn't exist, can't save\."
            ):
                saver.save(sess, str(tmp_path / "nowhere" / "model"))


class TestRestoreErrors:
    def _save(self, tmp_path, **variables):
        with tf.Graph().as_default() as g:
            made = [tf.Variable(value, name=name) for name, value in variables.items()]
            saver = train.Saver()
            with v1.Session(graph=g) as sess:
                sess.run(v1.variables_initializer(made))
                return saver.save(sess, str(tmp_path / "model"))

    def test_missing_variable_names_it_and_changes_nothing(self, graph, tmp_path):
        prefix = self._save(tmp_path, a=[1.0, 2.0])
        a = tf.Variable([5.0, 5.0], name="a")
        extra = tf.Variable(3.0, name="extra")
        saver = train.Saver()
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            with pytest.raises(
                NotFoundError,
                match=r"(?s)Restoring from checkpoint failed.*Key extra not found in checkpoint",
            ):
                saver.restore(sess, prefix)
            np.testing.assert_array_equal(sess.run(a), [5.0, 5.0])
            assert sess.run(extra) == 3.0

    def test_shape_mismatch_names_the_variable(self, graph, tmp_path):
        prefix = self._save(tmp_path, w=[1.0, 2.0])
        tf.Variable([1.0, 2.0, 3.0], name="w")
        saver = train.Saver()
        with v1.Session(graph=graph) as sess:
            with pytest.raises(
                InvalidArgumentError,
                match=r"(?s)failed \(variable 'w'\).*lhs shape= \[3\] rhs shape= \[2\]",
            ):
                saver.restore(sess, prefix)

    def test_dtype_mismatch(self, graph, tmp_path):
        prefix = self._save(tmp_path, w=[1.0, 2.0])
        tf.Variable([1, 2], name="w")
        saver = train.Saver()
        with v1.Session(graph=graph) as sess:
            with pytest.raises(
                InvalidArgumentError,
                match="expected dtype int32 does not equal original dtype float32",
            ):
                saver.restore(sess, prefix)

    def test_not_a_checkpoint(self, graph, tmp_path):
        tf.Variable(1.0, name="w")
        saver = train.Saver()
        with v1.Session(graph=graph) as sess:
            with pytest.raises(ValueError, match="The passed save_path is not a valid checkpoint"):
                saver.restore(sess, str(tmp_path / "missing"))


class TestAtomicity:
    def _setup(self, graph, tmp_path):
        v = tf.Variable([1.0, 2.0], name="v")
        saver = train.Saver()
        sess = v1.Session(graph=graph)
        sess.run(v.initializer)
        first = saver.save(sess, str(tmp_path / "model"))
        sess.run(v.assign([9.0, 9.0]))
        return v, saver, sess, first

    def _restored(self, graph, v, saver, sess, prefix):
        sess.run(v.assign([0.0, 0.0]))
        saver.restore(sess, prefix)
        return sess.run(v)

    def test_crash_while_writing_data_keeps_the_previous_checkpoint(
        self, graph, tmp_path, monkeypatch
    ):
        v, saver, sess, first = self._setup(graph, tmp_path)

        def broken_savez(file, **arrays):
            file.write(b"PK\x03\x04 half a zip")
            raise OSError("disk full")

        monkeypatch.setattr(np, "savez", broken_savez)
        with pytest.raises(Exception, match="disk full"):
            saver.save(sess, str(tmp_path / "model"))
        monkeypatch.undo()
        np.testing.assert_array_equal(self._restored(graph, v, saver, sess, first), [1.0, 2.0])
        assert not [f for f in os.listdir(tmp_path) if ".tmp" in f]  # temp files cleaned up
        assert train.latest_checkpoint(str(tmp_path)) == first
        sess.close()

    def test_crash_before_the_index_is_replaced(self, graph, tmp_path, monkeypatch):
        v, saver, sess, first = self._setup(graph, tmp_path)
        real_replace = os.replace

        def failing_replace(src, dst):
            if dst.endswith(".index"):
                raise OSError("power cut")
            real_replace(src, dst)

        monkeypatch.setattr(os, "replace", failing_replace)
        with pytest.raises(Exception, match="power cut"):
            saver.save(sess, str(tmp_path / "model"))
        monkeypatch.undo()
        # The old index still points at the old data: the checkpoint is the first one.
        np.testing.assert_array_equal(self._restored(graph, v, saver, sess, first), [1.0, 2.0])
        # A later save succeeds and replaces it.
        sess.run(v.assign([4.0, 4.0]))
        saver.save(sess, first)
        np.testing.assert_array_equal(self._restored(graph, v, saver, sess, first), [4.0, 4.0])
        sess.close()

    def test_index_format(self, graph, tmp_path):
        _, _, sess, _ = self._setup(graph, tmp_path)
        index = json.loads((tmp_path / "model.index").read_text())
        assert index["format"] == "tfgraph-checkpoint" and index["version"] == 1
        assert index["tensors"] == {"v": {"dtype": "float32", "shape": [2]}}
        assert (tmp_path / index["data"]).is_file()
        sess.close()
