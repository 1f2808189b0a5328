"""Where ``Saver.save`` may write, and what it refuses to save.

TF 2.21's ``SaveV2`` creates the checkpoint's own directory (one level): a save into a
new directory under an existing one works, and writes the ``checkpoint`` state file and
the meta graph there; with the grandparent missing too, or with a sharded saver (TF
writes its shards to ``<prefix>_temp/`` first), the save fails with a ``ValueError``
naming the path passed in, without the step. The outcomes here are TF 2.21's.
"""

from __future__ import annotations

import os

import pytest

import runtime as tf

v1 = tf.compat.v1
train = v1.train

_FILES = [".data-00000-of-00001", ".index", ".meta"]


@pytest.fixture
def saved(graph):
    v = tf.Variable(1.0, name="v")
    with v1.Session(graph=graph) as sess:
        sess.run(v.initializer)
        yield sess


def test_a_missing_last_directory_is_created(saved, tmp_path):
    path = str(tmp_path / "newdir" / "model.ckpt")
    prefix = train.Saver().save(saved, path, global_step=0)
    assert prefix == f"{path}-0"
    assert sorted(os.listdir(tmp_path / "newdir")) == ["checkpoint"] + [
        f"model.ckpt-0{suffix}" for suffix in _FILES
    ]
    state = train.get_checkpoint_state(str(tmp_path / "newdir"))
    assert state.model_checkpoint_path == prefix
    assert list(state.all_model_checkpoint_paths) == [prefix]
    assert train.latest_checkpoint(str(tmp_path / "newdir")) == prefix


def test_a_relative_path_and_no_meta_graph_or_state(saved, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    saver = train.Saver()
    assert saver.save(saved, "rel/model.ckpt") == "rel/model.ckpt"
    assert "checkpoint" in os.listdir("rel")
    saver.save(saved, str(tmp_path / "bare" / "m"), write_meta_graph=False, write_state=False)
    assert sorted(os.listdir(tmp_path / "bare")) == ["m.data-00000-of-00001", "m.index"]


def test_the_saved_checkpoint_restores(saved, tmp_path):
    saver = train.Saver()
    prefix = saver.save(saved, str(tmp_path / "newdir" / "model"), global_step=3)
    v = v1.global_variables()[0]
    saved.run(v.assign(5.0))
    saver.restore(saved, prefix)
    assert saved.run(v) == 1.0


@pytest.mark.parametrize("step", [None, 3])
def test_two_missing_levels_fail_naming_the_path_without_the_step(saved, tmp_path, step):
    path = str(tmp_path / "c" / "d" / "model.ckpt")
    with pytest.raises(ValueError) as raised:
        train.Saver().save(saved, path, global_step=step)
    assert str(raised.value) == f"Parent directory of {path} doesn't exist, can't save."
    assert not (tmp_path / "c").exists()


def test_a_parent_that_is_a_file_fails(saved, tmp_path):
    (tmp_path / "afile").write_text("")
    path = str(tmp_path / "afile" / "model.ckpt")
    with pytest.raises(ValueError) as raised:
        train.Saver().save(saved, path, global_step=2)
    assert str(raised.value) == f"Parent directory of {path} doesn't exist, can't save."


def test_a_sharded_save_does_not_create_the_directory(saved, tmp_path):
    path = str(tmp_path / "m" / "model.ckpt")
    with pytest.raises(ValueError) as raised:
        train.Saver(sharded=True).save(saved, path, global_step=0)
    assert str(raised.value) == f"Parent directory of {path} doesn't exist, can't save."


class TestWhatIsSaved:
    """TF's errors for a ``var_list`` naming something that is not a variable."""

    def test_a_value_is_named_by_the_const_it_became(self, graph):
        tf.Variable(1.0, name="v")
        with pytest.raises(TypeError) as raised:
            train.Saver({"a": 1.0})
        assert str(raised.value) == (
            "names_to_saveables must be a dict mapping string names to Tensors/Variables. "
            'Not a variable: Tensor("Const:0", shape=(), dtype=float32)'
        )  # (TF 2.21)

    def test_a_read_of_a_variable_is_not_a_variable(self, graph):
        v = tf.Variable(1.0, name="v")
        with pytest.raises(TypeError, match=r'Not a variable: Tensor\("v/read:0"'):
            train.Saver({"a": v.value()})

    def test_a_variables_reference_tensor_is_its_variable(self, graph):
        v = tf.Variable(1.0, name="v")
        saver = train.Saver({"a": graph.get_tensor_by_name("v:0")})
        assert [s.variable for s in saver._saved] == [v]

    def test_names_must_be_strings(self, graph):
        v = tf.Variable(1.0, name="v")
        with pytest.raises(TypeError) as raised:
            train.Saver({1: v})
        assert str(raised.value) == (
            "names_to_saveables must be a dict mapping string names to trackable operations. "
            "Name is not a string: 1"
        )  # (TF 2.21)

    @pytest.mark.parametrize("var_list", [5, "v"])
    def test_var_list_must_be_a_dict_or_a_list(self, graph, var_list):
        tf.Variable(1.0, name="v")
        with pytest.raises(TypeError) as raised:
            train.Saver(var_list)
        assert str(raised.value) == (
            f"Variables to save should be passed in a dict or a list. Got {var_list}"
        )  # (TF 2.21)

    def test_a_tensor_in_a_list_is_named_as_tf_prints_it(self, graph):
        with pytest.raises(TypeError) as raised:
            train.Saver([tf.constant(1.0)])
        assert str(raised.value) == (
            'Variable to save is not a Variable: Tensor("Const:0", shape=(), dtype=float32)'
        )  # (TF 2.21)
