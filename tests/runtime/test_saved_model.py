"""TF1's SavedModel against TF 2.21, both ways.

The fixtures (``tests/fixtures/tf_saved_model/``, made by its ``generate.py`` with TF
2.21) hold SavedModels TF wrote from ``program.py``'s TF1 programs, what TF serves from
them, TF's errors, and what TF served from the SavedModels the runtime writes from the
same programs.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from google.protobuf import message as _message

import runtime as tf
from runtime.proto.meta_graph_pb2 import AssetFileDef
from runtime.proto.saved_model_pb2 import SavedModel

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tf_saved_model"
_spec = importlib.util.spec_from_file_location("saved_model_program", FIXTURES / "program.py")
program = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(program)

# TF 2.21's results (generate.py).
EXPECTED = json.loads((FIXTURES / "expected.json").read_text())
ERRORS = json.loads((FIXTURES / "errors.json").read_text())
RUNTIME_IN_TF = json.loads((FIXTURES / "runtime_in_tf.json").read_text())


def _served(export_dir, simple_dir) -> dict:
    served = {
        name: program.serve(tf, str(export_dir), *signature)
        for name, signature in program.SIGNATURES.items()
    }
    served["simple"] = program.serve(tf, str(simple_dir), ["serve"], "serving_default", "y")
    return served


def _same(served: dict, expected: dict) -> None:
    assert served.keys() == expected.keys()
    for name, (value, x_name, y_name) in served.items():
        np.testing.assert_allclose(value, expected[name][0], rtol=1e-6)
        assert [x_name, y_name] == expected[name][1:], name


@pytest.fixture
def runtime_export(tmp_path):
    """The runtime's SavedModels of program.py: ``(export dir, simple_save dir)``."""
    assets = tmp_path / "assets_source"
    assets.mkdir()
    program.export(tf, str(tmp_path / "model"), str(assets))
    program.export_simple(tf, str(tmp_path / "simple"))
    return tmp_path / "model", tmp_path / "simple"


def test_a_savedmodel_tf_wrote_serves_what_tf_serves():
    # Two meta graphs (serve; train+extra), trained variables, an asset read by the main
    # op, default attrs stripped; and simple_save's.
    _same(_served(FIXTURES / "tf_model", FIXTURES / "tf_simple"), EXPECTED["served"])


def test_a_savedmodel_of_resource_variables_serves_what_tf_serves():
    # The same program under enable_resource_variables() (VarHandleOp, AssignVariableOp).
    served = program.serve(tf, str(FIXTURES / "tf_resource"), *program.SIGNATURES["serve"])
    _same({"serve": served}, {"serve": EXPECTED["served_resource"]})


def test_the_loader_feeds_the_asset_path_under_the_exports_assets(tmp_path):
    # The graph's asset constant names a file of the exporting machine; load feeds it the
    # copy under assets/, so the value served follows that file (TF served 2.5 x).
    export_dir = tmp_path / "model"
    shutil.copytree(FIXTURES / "tf_model", export_dir)
    (export_dir / "assets" / "scale.txt").write_text("5")
    value, _, _ = program.serve(tf, str(export_dir), *program.SIGNATURES["serve"])
    np.testing.assert_allclose(value, np.array(EXPECTED["served"]["serve"][0]) * 2.0)


def test_tf_serves_from_the_runtimes_savedmodel_what_it_serves_from_its_own(runtime_export):
    # runtime_in_tf.json: TF 2.21's loader.load of the runtime's files, run in TF.
    assert EXPECTED["served"] == RUNTIME_IN_TF
    _same(_served(*runtime_export), RUNTIME_IN_TF)


def test_the_runtimes_savedmodel_is_laid_out_as_tfs(runtime_export):
    export_dir, simple_dir = runtime_export
    files = sorted(str(p.relative_to(export_dir)) for p in export_dir.rglob("*") if p.is_file())
    assert files == [
        "assets/scale.txt",
        "saved_model.pb",
        "variables/variables.data-00000-of-00001",
        "variables/variables.index",
    ]
    ours = SavedModel.FromString((export_dir / "saved_model.pb").read_bytes())
    theirs = SavedModel.FromString((FIXTURES / "tf_model" / "saved_model.pb").read_bytes())
    assert ours.saved_model_schema_version == theirs.saved_model_schema_version == 1
    for mine, tfs in zip(ours.meta_graphs, theirs.meta_graphs, strict=True):
        assert mine.meta_info_def.tags == tfs.meta_info_def.tags
        assert mine.signature_def == tfs.signature_def
        assert set(mine.collection_def) == set(tfs.collection_def)
        assert mine.meta_info_def.stripped_default_attrs == tfs.meta_info_def.stripped_default_attrs
        [asset] = mine.collection_def["saved_model_assets"].any_list.value
        [tf_asset] = tfs.collection_def["saved_model_assets"].any_list.value
        assert asset.type_url == tf_asset.type_url == "type.googleapis.com/tensorflow.AssetFileDef"
        assert AssetFileDef.FromString(asset.value) == AssetFileDef.FromString(tf_asset.value)
    assert sorted(os.listdir(simple_dir)) == sorted(os.listdir(FIXTURES / "tf_simple"))


def test_a_text_savedmodel_loads(tmp_path):
    export_dir = tmp_path / "model"
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        x = tf.compat.v1.placeholder(tf.float32, name="x")
        w = tf.Variable(4.0, name="w")
        sess.run(w.initializer)
        builder = tf.saved_model.Builder(str(export_dir))
        builder.add_meta_graph_and_variables(
            sess, ["serve"], {"s": tf.saved_model.predict_signature_def({"x": x}, {"y": x * w})}
        )
        assert builder.save(as_text=True) == str(export_dir / "saved_model.pbtxt").encode()
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        meta = tf.saved_model.load(sess, ["serve"], str(export_dir))
        assert sess.run(meta.signature_def["s"].outputs["y"].name, {"x:0": 2.0}) == 8.0


def test_import_scope_prefixes_the_graph_not_the_signatures():
    # TF 2.21: the MetaGraphDef returned keeps x:0/y:0; the graph has imp/x:0 ... and the
    # variables imp/b, imp/w (local: imp/scale).
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        meta = tf.compat.v1.saved_model.loader.load(
            sess, ["serve"], str(FIXTURES / "tf_model"), import_scope="imp"
        )
        signature = meta.signature_def["serving_default"]
        assert (signature.inputs["x"].name, signature.outputs["y"].name) == ("x:0", "y:0")
        y = tf.saved_model.utils.get_tensor_from_tensor_info(
            signature.outputs["y"], import_scope="imp"
        )
        assert y.name == "imp/y:0"
        assert sorted(v.name for v in tf.compat.v1.global_variables()) == ["imp/b:0", "imp/w:0"]
        value = sess.run(y, {"imp/x:0": program.X})
    np.testing.assert_allclose(value, EXPECTED["served"]["serve"][0])


def _message_of(err) -> str:
    # This project's messages live in the proto package tfgraph.tensorflow, TF's in
    # tensorflow: the DecodeError names the message by it.
    return str(err).replace("tfgraph.tensorflow.", "tensorflow.")


def test_a_missing_directory_is_tfs_oserror(tmp_path):
    missing = str(tmp_path / "missing")
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        with pytest.raises(OSError) as info:
            tf.saved_model.loader.load(sess, ["serve"], missing)
    assert ERRORS["missing_dir"] == ["OSError", str(info.value).replace(missing, "{dir}")]
    assert not tf.saved_model.maybe_saved_model_directory(missing)
    assert tf.saved_model.loader.maybe_saved_model_directory(str(FIXTURES / "tf_model"))


def test_a_missing_tag_set_is_tfs_runtimeerror():
    model = str(FIXTURES / "tf_model")
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        with pytest.raises(RuntimeError) as info:
            tf.saved_model.loader.load(sess, ["gpu"], model)
    # The available tag sets print as Python sets, whose order varies between processes.
    message = (
        str(info.value).replace(model, "{dir}").replace("{'train', 'extra'}", "{'extra', 'train'}")
    )
    assert ERRORS["missing_tags"] == ["RuntimeError", message]


def test_a_corrupt_saved_model_pb_is_tfs_oserror_from_the_decode_error(tmp_path):
    (tmp_path / "saved_model.pb").write_bytes(b"\x0a\xff\xff\xff")
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        with pytest.raises(OSError) as info:
            tf.saved_model.loader.load(sess, ["serve"], str(tmp_path))
    assert isinstance(info.value.__cause__, _message.DecodeError)
    assert ERRORS["corrupt"] == ["OSError", _message_of(info.value).replace(str(tmp_path), "{dir}")]


def test_is_valid_signature_as_tf():
    assert program.signature_validity(tf) == EXPECTED["valid"]


def test_the_builder_refuses_what_tfs_refuses(tmp_path):
    # TF 2.21's builder_impl: a non-empty directory, a second add_meta_graph_and_variables,
    # add_meta_graph first, a reserved signature key, a TensorInfo without a dtype.
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "file").write_text("x")
    with pytest.raises(AssertionError, match="already exists, and isn't empty"):
        tf.saved_model.builder.SavedModelBuilder(str(tmp_path / "full"))
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        x = tf.compat.v1.placeholder(tf.float32, name="x")
        builder = tf.saved_model.builder.SavedModelBuilder(str(tmp_path / "model"))
        with pytest.raises(AssertionError, match="has not been saved yet"):
            builder.add_meta_graph(["serve"])
        reserved = {
            "__saved_model_init_op": tf.saved_model.predict_signature_def({"x": x}, {"y": x})
        }
        with pytest.raises(KeyError, match="reserved for initialization"):
            builder.add_meta_graph_and_variables(sess, ["serve"], reserved)
        untyped = tf.saved_model.build_signature_def({"x": tf.compat.v1.TensorInfo(name="x:0")})
        with pytest.raises(AssertionError, match="must have the dtype field set"):
            builder.add_meta_graph_and_variables(sess, ["serve"], {"s": untyped})
        builder.add_meta_graph_and_variables(sess, ["serve"])
        with pytest.raises(AssertionError, match="Please invoke `add_meta_graph\\(\\)` instead"):
            builder.add_meta_graph_and_variables(sess, ["train"])


def test_main_op_with_restore_reinitialises_then_restores(tmp_path):
    # TF 2.21's main_op_impl: main_op() groups the global, local and table initializers;
    # main_op_with_restore runs the restore op after it.
    with tf.Graph().as_default() as graph, tf.compat.v1.Session() as sess:
        w = tf.Variable(1.0, name="w")
        sess.run(w.initializer)
        sess.run(w.assign(7.0))
        saver = tf.compat.v1.train.Saver()
        prefix = saver.save(sess, str(tmp_path / "ckpt"))
        restore = graph.get_operation_by_name(saver.saver_def.restore_op_name)
        with_restore = tf.saved_model.main_op_with_restore(restore)
        sess.run(w.assign(3.0))
        sess.run(with_restore, {saver.saver_def.filename_tensor_name: prefix})
        assert sess.run(w) == 7.0
        sess.run(tf.saved_model.main_op.main_op())
        assert sess.run(w) == 1.0
