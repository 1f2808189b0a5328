"""TF1's GraphDef idioms: ``tf.compat.v1.GraphDef``, ``NodeDef`` and ``AttrValue`` are
TF's protobuf messages, so text_format, attr edits and freezing scripts work on them.

The values are TF 2.21's, recorded by running the same programs under TensorFlow
(``TF_USE_LEGACY_KERAS=1``, ``tf.compat.v1.disable_v2_behavior()``).
"""

from __future__ import annotations

import numpy as np
import pytest
from google.protobuf import text_format

import runtime as tf
from runtime.proto import graph_pb2

v1 = tf.compat.v1


def _matmul_graph() -> tf.Graph:
    with tf.Graph().as_default() as g:
        x = v1.placeholder(tf.float32, [None, 2], name="x")
        c = tf.constant([[1.0, 2.0], [3.0, 4.0]], name="c")
        tf.matmul(x, c, name="y")
    return g


def test_the_public_names_are_tfs_messages():
    assert v1.GraphDef is graph_pb2.GraphDef and tf.GraphDef is graph_pb2.GraphDef
    assert v1.NodeDef is graph_pb2.NodeDef and v1.AttrValue is graph_pb2.AttrValue
    g = _matmul_graph()
    assert isinstance(g.as_graph_def(), graph_pb2.GraphDef)
    assert isinstance(g.get_operation_by_name("c").node_def, graph_pb2.NodeDef)
    assert g.graph_def_versions.producer > 0


def test_text_format_round_trip_of_a_graph_with_a_constant():
    gd = _matmul_graph().as_graph_def()
    again = v1.GraphDef()
    text_format.Merge(text_format.MessageToString(gd), again)
    # TF 2.21: the same names, the constant back through make_ndarray, the shape's dims.
    assert [n.name for n in again.node] == ["x", "c", "y"]
    assert again == gd and len(again.node) == 3 and again.ByteSize() > 0
    assert again.versions.producer > 0
    assert tf.make_ndarray(again.node[1].attr["value"].tensor).tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert again.node[1].attr["dtype"].type == 1
    assert [d.size for d in again.node[0].attr["shape"].shape.dim] == [-1, 2]
    assert v1.GraphDef.FromString(gd.SerializeToString()) == again


def test_edited_attrs_and_added_nodes_import():
    gd = _matmul_graph().as_graph_def()
    identity = np.array([[2.0, 0.0], [0.0, 2.0]], np.float32)
    gd.node[1].attr["value"].tensor.CopyFrom(tf.make_tensor_proto(identity))
    z = gd.node.add()
    z.name, z.op = "z", "Identity"
    z.input.append("y")
    z.attr["T"].CopyFrom(v1.AttrValue(type=tf.float32.as_datatype_enum))
    w = v1.NodeDef(name="w", op="Neg")
    w.input.extend(["z"])
    w.attr["T"].type = tf.float32.as_datatype_enum
    gd.node.extend([w])
    with tf.Graph().as_default():
        [out] = tf.import_graph_def(gd, return_elements=["w:0"], name="")
        with v1.Session() as sess:
            assert sess.run(out, {"x:0": [[1.0, 1.0]]}).tolist() == [[-2.0, -2.0]]  # TF 2.21


def test_changing_a_type_and_a_shape_attr_changes_the_imported_op():
    with tf.Graph().as_default() as g:
        p = v1.placeholder(tf.float32, [2], name="p")
        tf.cast(p * 2.5, tf.int32, name="c")
    gd = g.as_graph_def()
    for node in gd.node:
        if node.op == "Cast":
            node.attr["DstT"].CopyFrom(v1.AttrValue(type=tf.int64.as_datatype_enum))
        if node.op == "Placeholder":
            assert [d.size for d in node.attr["shape"].shape.dim] == [2]
            assert node.attr["dtype"].type == 1
            node.attr["shape"].shape.dim[0].size = 3
    with tf.Graph().as_default():
        [c] = tf.import_graph_def(gd, return_elements=["c:0"], name="")
        with v1.Session() as sess:
            value = sess.run(c, {"p:0": [1.0, 2.0, 3.0]}).tolist()
    # TF 2.21: int64, [3], [2, 5, 7]
    assert (c.dtype.name, c.shape.as_list(), value) == ("int64", [3], [2, 5, 7])


def test_a_freezing_script_rewrites_refswitch_and_assignsub():
    with tf.Graph().as_default():
        x = v1.placeholder(tf.float32, [None], name="x")
        training = v1.placeholder_with_default(False, [], name="training")
        mean = v1.Variable(1.0, name="moving_mean")

        def update():
            delta = 0.5 * (mean - tf.reduce_mean(x))
            with tf.control_dependencies([v1.assign_sub(mean, delta)]):
                return tf.identity(mean)

        tf.subtract(x, tf.cond(training, update, lambda: tf.identity(mean)), name="out")
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            sess.run("out:0", {x: [3.0, 5.0], training: True})
            gd = sess.graph.as_graph_def()
            for node in gd.node:  # the well-known fix-up of batch-norm graphs
                if node.op == "RefSwitch":
                    node.op = "Switch"
                    for index in range(len(node.input)):
                        if "moving_" in node.input[index]:
                            node.input[index] = node.input[index] + "/read"
                elif node.op == "AssignSub":
                    node.op = "Sub"
                    if "use_locking" in node.attr:
                        del node.attr["use_locking"]
            frozen = v1.graph_util.convert_variables_to_constants(sess, gd, ["out"])
    assert isinstance(frozen, graph_pb2.GraphDef)
    # TF 2.21's ops and values.
    assert sorted({n.op for n in frozen.node}) == [
        "Const", "Identity", "Mean", "Merge", "Mul", "Placeholder", "PlaceholderWithDefault",
        "Sub", "Switch",
    ]  # fmt: skip
    [moving_mean] = [n for n in frozen.node if n.name == "moving_mean"]
    assert tf.make_ndarray(moving_mean.attr["value"].tensor).tolist() == 2.5
    again = text_format.Parse(text_format.MessageToString(frozen), v1.GraphDef())
    with tf.Graph().as_default():
        tf.import_graph_def(again, name="")
        with v1.Session() as sess:
            assert sess.run("out:0", {"x:0": [3.0, 5.0]}).tolist() == [0.5, 2.5]
            feeds = {"x:0": [3.0, 5.0], "training:0": True}
            assert sess.run("out:0", feeds).tolist() == [0.5, 2.5]


def test_a_graph_def_built_by_hand():
    gd = v1.GraphDef()
    a = gd.node.add()
    a.name, a.op = "a", "Const"
    a.attr["dtype"].type = tf.int32.as_datatype_enum
    a.attr["value"].tensor.CopyFrom(tf.make_tensor_proto([1, 2, 3], tf.int32))
    b = v1.NodeDef(name="b", op="Neg", input=["a"])
    b.attr["T"].type = tf.int32.as_datatype_enum
    gd.node.extend([b])
    parsed = v1.GraphDef()
    parsed.ParseFromString(gd.SerializeToString())
    assert parsed == gd and len(parsed.node) == 2
    with tf.Graph().as_default():
        [out] = tf.import_graph_def(parsed, return_elements=["b:0"])
        with v1.Session() as sess:
            assert (out.name, sess.run(out).tolist()) == ("import/b:0", [-1, -2, -3])  # TF 2.21


def test_create_op_takes_attr_value_messages():
    with tf.Graph().as_default() as g:
        x = tf.constant([1.5, -2.0])
        attrs = {"T": v1.AttrValue(type=tf.float32.as_datatype_enum)}
        op = g.create_op("Neg", [x], attrs=attrs, name="neg")
        with v1.Session() as sess:
            assert sess.run(op.outputs[0]).tolist() == [-1.5, 2.0]


def test_a_message_claiming_a_huge_tensor_is_refused_before_allocating():
    gd = v1.GraphDef()
    node = gd.node.add(name="c", op="Const")
    node.attr["dtype"].type = tf.float32.as_datatype_enum
    tensor = node.attr["value"].tensor
    tensor.dtype = tf.float32.as_datatype_enum
    tensor.tensor_shape.dim.add().size = 2**40
    tensor.float_val.extend([1.0, 2.0])  # two values: filling out would take 4 TiB
    with tf.Graph().as_default(), pytest.raises(tf.errors.ResourceExhaustedError):
        tf.import_graph_def(gd)
    tensor.ClearField("float_val")
    tensor.tensor_shape.dim[0].size = 1000
    tensor.tensor_content = b"\x00" * 8  # 8 bytes for 1000 floats
    with tf.Graph().as_default(), pytest.raises(tf.errors.InvalidArgumentError):
        tf.import_graph_def(gd)


def test_write_graph_takes_the_message(tmp_path):
    gd = _matmul_graph().as_graph_def()
    path = tf.io.write_graph(gd, str(tmp_path), "g.pb", as_text=False)
    with open(path, "rb") as f:
        assert v1.GraphDef.FromString(f.read()) == gd
    path = v1.train.write_graph(gd, str(tmp_path), "g.pbtxt")
    with open(path) as f:
        assert text_format.Parse(f.read(), v1.GraphDef()) == gd
