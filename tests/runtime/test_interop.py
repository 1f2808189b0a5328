"""TensorFlow's files: GraphDef wire/text formats, TF-made fixtures, event files, fuzzing."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runtime as tf
from runtime import summary
from runtime.graph_def import GraphDef, graph_def_of
from runtime.graph_io import read_graph_def, write_graph
from runtime.proto import graph_pb2
from runtime.protobuf import tensor_from_proto

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tf")
EXPECTED = np.load(os.path.join(FIXTURES, "expected.npz"))
CLEAR_ERRORS = (tf.errors.DataLossError, tf.errors.InvalidArgumentError)


def fixture(name: str) -> str:
    return os.path.join(FIXTURES, name)


def sample_graph() -> tf.Graph:
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
        w = tf.constant(np.arange(6, dtype=np.float32).reshape(3, 2), name="w")
        with tf.name_scope("layer"):
            y = tf.matmul(x, w)
        with tf.control_dependencies([y]):
            tf.constant(["a", "bé"], name="labels")
        tf.constant(np.array([1, 2], np.int64), name="big")
        tf.constant(True, name="flag")
    return graph


def test_our_bytes_round_trip_byte_for_byte():
    data = sample_graph().as_graph_def().SerializeToString(deterministic=True)
    again = GraphDef.FromString(data)
    assert again == graph_def_of(sample_graph())
    assert again.SerializeToString() == data


def test_bytes_parse_with_the_same_proto_definition():
    message = graph_pb2.GraphDef.FromString(sample_graph().as_graph_def().SerializeToString())
    names = [node.name for node in message.node]
    assert names == ["x", "w", "layer/MatMul", "labels", "big", "flag"]
    matmul = message.node[2]
    assert list(matmul.input) == ["x", "w"]
    assert matmul.attr["T"].type == tf.float32.as_datatype_enum
    assert list(message.node[3].input) == ["^layer/MatMul"]
    w = tensor_from_proto(message.node[1].attr["value"].tensor)
    np.testing.assert_array_equal(w, np.arange(6, dtype=np.float32).reshape(3, 2))
    assert [d.size for d in message.node[0].attr["shape"].shape.dim] == [-1, 3]


def test_text_format_round_trip():
    graph_def = graph_def_of(sample_graph())
    text = str(graph_def)
    assert 'op: "MatMul"' in text and "DT_FLOAT" in text
    assert GraphDef.from_text(text) == graph_def


def test_typed_value_lists_are_read_and_short_lists_filled():
    proto = graph_pb2.TensorProto(dtype=tf.int32.as_datatype_enum, int_val=[1, 2])
    for size in (2, 2):
        proto.tensor_shape.dim.add().size = size
    np.testing.assert_array_equal(tensor_from_proto(proto), [[1, 2], [2, 2]])
    half = graph_pb2.TensorProto(dtype=tf.float16.as_datatype_enum, half_val=[0x3C00])
    assert tensor_from_proto(half) == np.float16(1.0)
    strings = graph_pb2.TensorProto(dtype=tf.string.as_datatype_enum, string_val=[b"x"])
    assert tensor_from_proto(strings) == b"x"


def test_tensor_content_size_mismatch_is_invalid_argument():
    proto = graph_pb2.TensorProto(dtype=tf.float32.as_datatype_enum, tensor_content=b"\0" * 6)
    proto.tensor_shape.dim.add().size = 2
    with pytest.raises(tf.errors.InvalidArgumentError, match="tensor_content has 6 bytes"):
        tensor_from_proto(proto)


def test_write_graph_text_and_binary(tmp_path):
    graph = sample_graph()
    text_path = write_graph(graph, str(tmp_path), "g.pbtxt", as_text=True)
    binary_path = tf.io.write_graph(graph, str(tmp_path), "g.pb", as_text=False)
    assert read_graph_def(text_path) == read_graph_def(binary_path) == graph_def_of(graph)
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".tmp-")]


def test_missing_file_is_not_found(tmp_path):
    with pytest.raises(tf.errors.NotFoundError, match="No such file"):
        read_graph_def(str(tmp_path / "nope.pb"))


@pytest.mark.parametrize("name", ["mlp_frozen.pb", "convnet_frozen.pb", "arith.pbtxt"])
def test_tensorflow_files_load_and_re_serialise(name):
    graph_def = read_graph_def(fixture(name))
    assert graph_def.node
    assert GraphDef.FromString(graph_def.SerializeToString()) == graph_def


def run_fixture(name, feed, fetch):
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(read_graph_def(fixture(name)), name="")
    with tf.compat.v1.Session(graph=graph) as sess:
        return sess.run(fetch, feed)


def test_frozen_mlp_runs_to_tensorflows_outputs():
    probs = run_fixture("mlp_frozen.pb", {"x:0": EXPECTED["mlp_x"]}, "probs:0")
    np.testing.assert_allclose(probs, EXPECTED["mlp_probs"], rtol=1e-5, atol=1e-6)


def test_frozen_convnet_runs_to_tensorflows_outputs():
    scores = run_fixture("convnet_frozen.pb", {"image:0": EXPECTED["conv_image"]}, "scores:0")
    np.testing.assert_allclose(scores, EXPECTED["conv_scores"], rtol=1e-4, atol=1e-5)


def test_text_graph_runs_to_tensorflows_outputs():
    out = run_fixture("arith.pbtxt", {"a:0": EXPECTED["arith_a"]}, "out:0")
    np.testing.assert_allclose(out, EXPECTED["arith_out"])


def test_unsupported_op_types_load_and_fail_clearly_only_when_needed():
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(read_graph_def(fixture("unsupported.pbtxt")), name="")
    # An XLA op: TF's TPU graphs hold them; the runtime has no kernel for them.
    assert graph.get_operation_by_name("xla/XlaSharding").type == "XlaSharding"
    with tf.compat.v1.Session(graph=graph) as sess:
        np.testing.assert_allclose(sess.run("fine:0", {"x:0": [1.0, 2.0]}), [2.0, 3.0])
        with pytest.raises(
            tf.errors.UnimplementedError, match=r"XlaSharding \(ops: xla/XlaSharding\)"
        ):
            sess.run("out:0", {"x:0": [1.0, 2.0]})


def test_file_writer_writes_an_event_file_tensorboard_reads(tmp_path):
    graph = sample_graph()
    with tf.compat.v1.summary.FileWriter(str(tmp_path), graph) as writer:
        path = os.path.join(writer.get_logdir(), writer.filename)
    events = summary.read_events(path)
    assert events[0].file_version == "brain.Event:2"
    assert graph_pb2.GraphDef.FromString(events[1].graph_def) == graph.as_graph_def(add_shapes=True)


def test_a_corrupted_event_file_is_data_loss(tmp_path):
    with summary.FileWriter(str(tmp_path), sample_graph()) as writer:
        path = os.path.join(writer.get_logdir(), writer.filename)
    data = bytearray(Path(path).read_bytes())
    data[-6] ^= 0xFF
    Path(path).write_bytes(bytes(data))
    with pytest.raises(tf.errors.DataLossError, match="corrupted record"):
        summary.read_events(path)
    Path(path).write_bytes(bytes(data[:-3]))
    with pytest.raises(tf.errors.DataLossError, match="truncated"):
        summary.read_events(path)


MLP_BYTES = Path(fixture("mlp_frozen.pb")).read_bytes()


def _load_everything(data: bytes) -> None:
    graph_def = GraphDef.FromString(data)
    graph = tf.Graph()
    with graph.as_default():
        try:
            tf.compat.v1.import_graph_def(graph_def, name="")
        except ValueError as error:
            assert str(error), "a build-time error must say what is wrong"
            return
    assert len(graph.get_operations()) == len(graph_def.node)


@settings(deadline=None, max_examples=60)
@given(cut=st.integers(0, len(MLP_BYTES) - 1))
def test_truncated_bytes_give_clear_errors(cut):
    try:
        _load_everything(MLP_BYTES[:cut])
    except CLEAR_ERRORS as error:
        assert error.message


@settings(deadline=None, max_examples=60)
@given(
    flips=st.lists(
        st.tuples(st.integers(0, len(MLP_BYTES) - 1), st.integers(1, 255)), min_size=1, max_size=4
    )
)
def test_corrupted_bytes_give_clear_errors(flips):
    data = bytearray(MLP_BYTES)
    for position, mask in flips:
        data[position] ^= mask
    try:
        _load_everything(bytes(data))
    except CLEAR_ERRORS as error:
        assert error.message


def test_record_header_struct_is_tfrecords():
    record = summary.encode_record(b"abc")
    (length,) = struct.unpack("<Q", record[:8])
    assert length == 3 and record[12:15] == b"abc"


def test_tf2_resource_variables_load_initialise_and_update():
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(read_graph_def(fixture("resource_variables.pb")), name="")
    feed = {"x:0": EXPECTED["resvar_x"]}
    with tf.compat.v1.Session(graph=graph) as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value w"):
            sess.run("y:0", feed)
        sess.run(str(EXPECTED["resvar_initializer"]))
        np.testing.assert_allclose(sess.run("y:0", feed), EXPECTED["resvar_y0"])
        sess.run(str(EXPECTED["resvar_step"]))
        np.testing.assert_allclose(sess.run("y:0", feed), EXPECTED["resvar_y1"])
        placement = sess.placement()
        assert len(set(placement.values())) == 1
