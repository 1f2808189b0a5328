"""Saver: round trips, the graph it builds, the checkpoint state file, max_to_keep and
keep_checkpoint_every_n_hours, sharding, restore errors, atomic writes and the clean-up
of what killed saves leave behind. (TF interop and damaged files: test_saver_interop.py.)"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import runtime as tf
from runtime import checkpoint
from runtime.errors import InvalidArgumentError, NotFoundError

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
        assert sorted(os.listdir(tmp_path)) == [
            "checkpoint",
            "model.data-00000-of-00001",
            "model.index",
            "model.meta",
        ]

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

    def test_graph_ops_and_saver_def(self, graph):
        tf.Variable(1.0, name="v")
        saver = train.Saver()
        names = {op.name: op.type for op in graph.get_operations()}
        assert names["save/Const"] == "PlaceholderWithDefault"
        assert names["save/SaveV2"] == "SaveV2"
        assert names["save/SaveV2/tensor_names"] == "Const"
        assert names["save/control_dependency"] == "Identity"
        assert names["save/RestoreV2"] == "RestoreV2"
        assert names["save/Assign"] == "Assign"
        assert names["save/restore_all"] == "NoOp"
        save_op = graph.get_operation_by_name("save/SaveV2")
        assert save_op.inputs[3].op.name == "v"  # the variable itself, as TF draws it
        saver_def = saver.as_saver_def()
        assert (saver_def.filename_tensor_name, saver_def.save_tensor_name) == (
            "save/Const:0",
            "save/control_dependency:0",
        )
        assert saver_def.restore_op_name == "save/restore_all" and saver_def.version == 2

    def test_var_list_as_dict_and_subset(self, graph, tmp_path):
        a = tf.Variable(1.0, name="a")
        b = tf.Variable(2.0, name="b")
        saver = train.Saver({"renamed": a})
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            prefix = saver.save(sess, str(tmp_path / "m"))
        assert train.list_variables(prefix) == [("renamed", [])]
        with pytest.raises(ValueError, match="At least two variables have the same name"):
            train.Saver([a, a])
        assert b.name == "b:0"

    def test_global_step_variable_names_the_checkpoint(self, graph, tmp_path):
        step = train.get_or_create_global_step()
        saver = train.Saver()
        padded = train.Saver(pad_step_number=True)
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            sess.run(step.assign(42))
            assert saver.save(sess, str(tmp_path / "m"), global_step=step).endswith("m-42")
            assert padded.save(sess, str(tmp_path / "m"), global_step=3).endswith("m-00000003")

    def test_empty(self, graph, tmp_path):
        with pytest.raises(ValueError, match="No variables to save"):
            train.Saver()
        saver = train.Saver(allow_empty=True)
        with v1.Session(graph=graph) as sess:
            assert saver.save(sess, str(tmp_path / "m")) is None


class TestStateFile:
    def _saves(self, graph, tmp_path, steps, **options):
        v = tf.Variable(0, name="v")
        inc = v.assign_add(1)
        saver = train.Saver(**options)
        with v1.Session(graph=graph) as sess:
            sess.run(v.initializer)
            paths = []
            for step in steps:
                sess.run(inc)
                paths.append(saver.save(sess, str(tmp_path / "model"), global_step=step))
        return saver, paths

    def test_latest_and_max_to_keep(self, graph, tmp_path):
        saver, paths = self._saves(graph, tmp_path, range(4), max_to_keep=2)
        assert saver.last_checkpoints == paths[2:]
        assert train.latest_checkpoint(str(tmp_path)) == paths[3]
        assert not train.checkpoint_exists(paths[0]) and not train.checkpoint_exists(paths[1])
        state = train.get_checkpoint_state(str(tmp_path))
        assert list(state.all_model_checkpoint_paths) == paths[2:]
        assert (tmp_path / "checkpoint").read_text() == (
            f'model_checkpoint_path: "{paths[3]}"\n'
            f'all_model_checkpoint_paths: "{paths[2]}"\n'
            f'all_model_checkpoint_paths: "{paths[3]}"\n'
        )  # absolute paths, as TF writes them for an absolute save path
        assert sorted(os.listdir(tmp_path)) == [
            "checkpoint",
            "model-2.data-00000-of-00001",
            "model-2.index",
            "model-2.meta",
            "model-3.data-00000-of-00001",
            "model-3.index",
            "model-3.meta",
        ]
        assert tf.train.latest_checkpoint is train.latest_checkpoint

    def test_save_relative_paths(self, graph, tmp_path):
        _, _paths = self._saves(graph, tmp_path, [1, 2], save_relative_paths=True)
        assert (tmp_path / "checkpoint").read_text() == (
            'model_checkpoint_path: "model-2"\n'
            'all_model_checkpoint_paths: "model-1"\n'
            'all_model_checkpoint_paths: "model-2"\n'
        )
        moved = tmp_path.parent / f"{tmp_path.name}-moved"
        os.rename(tmp_path, moved)
        assert train.latest_checkpoint(str(moved)) == str(moved / "model-2")

    def test_max_to_keep_none_keeps_every_checkpoint_and_records_only_the_latest(
        self, graph, tmp_path
    ):
        saver, paths = self._saves(graph, tmp_path, range(7), max_to_keep=None)
        assert saver.last_checkpoints == []
        assert all(train.checkpoint_exists(p) for p in paths)
        state = train.get_checkpoint_state(str(tmp_path))
        assert list(state.all_model_checkpoint_paths) == [paths[-1]]

    def test_keep_checkpoint_every_n_hours(self, graph, tmp_path, monkeypatch):
        clock = {"now": 1_000_000.0}
        monkeypatch.setattr("runtime.training.saver.time.time", lambda: clock["now"])
        v = tf.Variable(0, name="v")
        saver = train.Saver(max_to_keep=1, keep_checkpoint_every_n_hours=1.0)
        with v1.Session(graph=graph) as sess:
            sess.run(v.initializer)
            paths = []
            for minutes in [0, 30, 61, 70, 125, 130]:
                clock["now"] = 1_000_000.0 + 60 * minutes
                paths.append(saver.save(sess, str(tmp_path / "m"), global_step=minutes))
        # Kept: the first checkpoint saved past each hour mark, and the latest.
        kept = [p for p in paths if train.checkpoint_exists(p)]
        assert kept == [paths[2], paths[4], paths[5]]

    def test_recover_last_checkpoints(self, graph, tmp_path):
        _, paths = self._saves(graph, tmp_path, range(3))
        again = train.Saver()
        again.recover_last_checkpoints([*paths, str(tmp_path / "gone")])
        assert again.last_checkpoints == paths

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

    def test_no_or_unreadable_state_file(self, tmp_path):
        assert train.latest_checkpoint(str(tmp_path)) is None
        assert train.get_checkpoint_state(str(tmp_path)) is None
        (tmp_path / "checkpoint").write_text("this is { not a text proto")
        assert train.get_checkpoint_state(str(tmp_path)) is None
        (tmp_path / "checkpoint").write_text('all_model_checkpoint_paths: "m-1"\n')
        with pytest.raises(ValueError, match="Invalid checkpoint state loaded from"):
            train.get_checkpoint_state(str(tmp_path))

    def test_missing_parent_directory(self, graph, tmp_path):
        # (TF 2.21) only the checkpoint's own directory is made: two missing levels fail.
        v = tf.Variable(1.0, name="v")
        saver = train.Saver()
        with v1.Session(graph=graph) as sess:
            sess.run(v.initializer)
            with pytest.raises(
                ValueError, match=r"Parent directory of .* doesn't exist, can't save\."
            ):
                saver.save(sess, str(tmp_path / "no" / "where" / "model"))


class TestSharded:
    def test_one_data_file_per_device(self, tmp_path):
        with tf.Graph().as_default() as g:
            with tf.device("/cpu:0"):
                a = tf.Variable([1.0, 2.0], name="a")
                c = tf.Variable(["x", "yz"], name="c")
            with tf.device("/cpu:1"):
                b = tf.Variable(np.arange(6, dtype=np.int64).reshape(3, 2), name="b")
            saver = train.Saver(sharded=True)
            config = v1.ConfigProto(device_count={"CPU": 2})
            with v1.Session(graph=g, config=config) as sess:
                sess.run(v1.global_variables_initializer())
                prefix = saver.save(sess, str(tmp_path / "model"))
                sess.run([a.assign([0.0, 0.0]), b.assign(tf.zeros([3, 2], tf.int64))])
                saver.restore(sess, prefix)
                got = sess.run([a, b, c])
        assert sorted(os.listdir(tmp_path)) == [
            "checkpoint",
            "model.data-00000-of-00002",
            "model.data-00001-of-00002",
            "model.index",
            "model.meta",
        ]
        np.testing.assert_array_equal(got[0], [1.0, 2.0])
        np.testing.assert_array_equal(got[1], np.arange(6).reshape(3, 2))
        with checkpoint.open_reader(prefix) as reader:
            shards = {name: entry.shard_id for name, entry in reader.entries.items()}
        assert shards == {"a": 0, "c": 0, "b": 1}
        assert {op.type for op in g.get_operations()} >= {"ShardedFilename", "MergeV2Checkpoints"}


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

    def test_dtype_mismatch_in_tfs_words(self, graph, tmp_path):
        prefix = self._save(tmp_path, w=[1.0, 2.0])
        tf.Variable([1, 2], name="w")
        saver = train.Saver()
        with v1.Session(graph=graph) as sess:
            with pytest.raises(
                InvalidArgumentError,
                match="tensor_name = w; expected dtype int32 does not equal original dtype float",
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

    def _restored(self, v, saver, sess, prefix):
        sess.run(v.assign([0.0, 0.0]))
        saver.restore(sess, prefix)
        return sess.run(v)

    def test_crash_while_writing_keeps_the_previous_checkpoint(self, graph, tmp_path, monkeypatch):
        v, saver, sess, first = self._setup(graph, tmp_path)

        def broken_write_shard(file, tensors, shard=0):
            file.write(b"half a tensor")
            raise OSError("disk full")

        monkeypatch.setattr(checkpoint.bundle, "write_shard", broken_write_shard)
        with pytest.raises(Exception, match="disk full"):
            saver.save(sess, str(tmp_path / "model"))
        monkeypatch.undo()
        np.testing.assert_array_equal(self._restored(v, saver, sess, first), [1.0, 2.0])
        assert not [f for f in os.listdir(tmp_path) if "tempstate" in f]  # cleaned up
        assert train.latest_checkpoint(str(tmp_path)) == first
        sess.close()

    def test_the_index_is_renamed_last(self, graph, tmp_path, monkeypatch):
        v, saver, sess, first = self._setup(graph, tmp_path)
        renamed = []
        real_replace = os.replace
        monkeypatch.setattr(os, "replace", lambda a, b: (renamed.append(b), real_replace(a, b)))
        saver.save(sess, str(tmp_path / "model"))
        monkeypatch.undo()
        assert [os.path.basename(p) for p in renamed[:2]] == [
            "model.data-00000-of-00001",
            "model.index",
        ]
        np.testing.assert_array_equal(self._restored(v, saver, sess, first), [9.0, 9.0])
        sess.close()


KILLED_SAVE = """
import os, signal, sys
import numpy as np
from runtime import checkpoint

prefix = sys.argv[1]
real_replace = os.replace

def killed(src, dst):  # SIGKILL at the moment the first file would be renamed
    os.kill(os.getpid(), signal.SIGKILL)

os.replace = killed
checkpoint.save(prefix, ["w"], [np.zeros(1000, np.float32)])
"""


class TestKilledSaves:
    def test_the_next_save_of_the_prefix_removes_their_leftovers(self, graph, tmp_path):
        prefix = str(tmp_path / "model")
        result = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(KILLED_SAVE), prefix],
            capture_output=True,
            timeout=120,
        )
        assert result.returncode == -9, result.stderr.decode()
        leftovers = sorted(os.listdir(tmp_path))
        assert len(leftovers) == 2 and all(".tempstate" in name for name in leftovers)
        (tmp_path / "other.index.tempstate1-ab").write_bytes(b"not ours")  # another prefix
        # Old-format leftovers of the same prefix: a temporary and an orphaned data file.
        (tmp_path / ".model.index.tmpab12cd").write_bytes(b"{")
        (tmp_path / "model.data-1a2b3c4d.npz").write_bytes(b"PK")
        v = tf.Variable([1.0], name="v")
        saver = train.Saver()
        with v1.Session(graph=graph) as sess:
            sess.run(v.initializer)
            saver.save(sess, prefix)
        assert sorted(os.listdir(tmp_path)) == [
            "checkpoint",
            "model.data-00000-of-00001",
            "model.index",
            "model.meta",
            "other.index.tempstate1-ab",
        ]

    def test_a_sharded_save_removes_the_shards_a_killed_one_left(self, tmp_path):
        for shard in range(3):  # a killed 3-shard save: shards written, never merged
            checkpoint.save(
                checkpoint.shard_prefix(str(tmp_path / "model"), shard, 3), ["x"], [np.ones(1)]
            )
        with tf.Graph().as_default() as g:
            tf.Variable([1.0], name="v")
            saver = train.Saver(sharded=True)
            with v1.Session(graph=g) as sess:
                sess.run(v1.global_variables_initializer())
                saver.save(sess, str(tmp_path / "model"), write_meta_graph=False)
        assert sorted(os.listdir(tmp_path)) == [
            "checkpoint",
            "model.data-00000-of-00001",
            "model.index",
        ]

    def test_a_live_process_temporaries_are_left_alone(self, tmp_path):
        live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        try:
            name = f"model.data-00000-of-00001.tempstate{live.pid}-00ff"
            (tmp_path / name).write_bytes(b"in flight")
            checkpoint.save(str(tmp_path / "model"), ["w"], [np.ones(2)])
            assert (tmp_path / name).exists()
        finally:
            live.kill()
            live.wait()
        checkpoint.save(str(tmp_path / "model"), ["w"], [np.ones(2)])
        assert not (tmp_path / name).exists()


class TestInitFromCheckpoint:
    def _checkpoint(self, tmp_path):
        prefix = str(tmp_path / "pretrained")
        values = {
            "encoder/w": np.arange(4.0, dtype=np.float32).reshape(2, 2),
            "encoder/b": np.array([5.0, 6.0], np.float32),
            "head/w": np.array([7.0], np.float32),
        }
        checkpoint.save(prefix, list(values), list(values.values()))
        return prefix, values

    def _run(self, graph, variables):
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            return sess.run(variables)

    def test_scope_to_scope(self, graph, tmp_path):
        prefix, values = self._checkpoint(tmp_path)
        w = v1.get_variable("new/w", [2, 2])
        b = v1.get_variable("new/b", [2], initializer=v1.zeros_initializer())
        other = tf.Variable([1.0, 1.0, 1.0], name="new/other")  # not get_variable's: skipped
        train.init_from_checkpoint(prefix, {"encoder/": "new/"})
        got = self._run(graph, [w, b, other])
        np.testing.assert_array_equal(got[0], values["encoder/w"])
        np.testing.assert_array_equal(got[1], values["encoder/b"])
        np.testing.assert_array_equal(got[2], [1.0, 1.0, 1.0])

    def test_scope_to_scope_refuses_a_variable_the_checkpoint_lacks(self, graph, tmp_path):
        prefix, _ = self._checkpoint(tmp_path)
        v1.get_variable("new/w", [2, 2])
        v1.get_variable("new/other", [3])
        # TF 2.21: ValueError "Tensor encoder/other (other in encoder/) is not found in
        # <path> checkpoint" (the runtime skipped the variable, leaving it random).
        with pytest.raises(ValueError, match=r"Tensor encoder/other \(other in encoder/\) is not"):
            train.init_from_checkpoint(prefix, {"encoder/": "new/"})

    def test_root_into_a_scope_by_name_and_by_variable(self, graph, tmp_path):
        prefix, values = self._checkpoint(tmp_path)
        head = v1.get_variable("model/head/w", [1])
        renamed = v1.get_variable("elsewhere", [2])
        by_object = v1.get_variable("by_object", [2, 2])
        train.init_from_checkpoint(prefix, {"/": "model/"})
        train.init_from_checkpoint(prefix, {"encoder/b": "elsewhere", "encoder/w": by_object})
        got = self._run(graph, [head, renamed, by_object])
        np.testing.assert_array_equal(got[0], values["head/w"])
        np.testing.assert_array_equal(got[1], values["encoder/b"])
        np.testing.assert_array_equal(got[2], values["encoder/w"])

    def test_errors(self, graph, tmp_path):
        prefix, _ = self._checkpoint(tmp_path)
        v1.get_variable("w", [3])
        with pytest.raises(ValueError, match="Tensor nope is not found in"):
            train.init_from_checkpoint(prefix, {"nope": "w"})
        with pytest.raises(ValueError, match=r"Shape of variable w:0 \(\(3,\)\) doesn't match"):
            train.init_from_checkpoint(prefix, {"head/w": "w"})
        with pytest.raises(ValueError, match="Variable missing is not found"):
            train.init_from_checkpoint(prefix, {"head/w": "missing"})
