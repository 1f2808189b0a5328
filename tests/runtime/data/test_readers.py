"""Readers, file ops, gfile and the parsing ops: counts, resets, and TF's error messages."""

from __future__ import annotations

import numpy as np
import pytest

import runtime as tf
from runtime.errors import (
    AlreadyExistsError,
    DataLossError,
    InvalidArgumentError,
    NotFoundError,
    OutOfRangeError,
)

v1 = tf.compat.v1


@pytest.fixture
def two_files(tmp_path):
    (tmp_path / "a.txt").write_text("x\ny\n")
    (tmp_path / "b.txt").write_text("z\n")
    return [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]


def _start(sess):
    sess.run(v1.local_variables_initializer())
    coord = v1.train.Coordinator()
    return coord, v1.train.start_queue_runners(sess, coord)


def test_reader_counts_and_reset_as_tf(graph, two_files):
    files = v1.train.string_input_producer(two_files, num_epochs=1, shuffle=False)
    reader = v1.TextLineReader()
    _, line = reader.read(files)
    counts = [reader.num_records_produced(), reader.num_work_units_completed()]
    with v1.Session() as sess:
        coord, threads = _start(sess)
        seen = []
        for _ in range(3):
            seen.append((sess.run(line), *sess.run(counts)))
        # A file counts as done when a read finds its end (TF 2.21's numbers).
        assert seen == [(b"x", 1, 0), (b"y", 2, 0), (b"z", 3, 1)]
        sess.run(reader.reset())
        assert sess.run(counts) == [0, 0]
        with pytest.raises(OutOfRangeError, match=r"ReaderReadV2.*is closed"):
            sess.run(line)
        coord.request_stop()
        coord.join(threads)


def test_reader_ops_are_tfs(graph, two_files):
    files = v1.train.string_input_producer(two_files)
    key, _ = v1.TFRecordReader(name="records").read_up_to(files, 4)
    assert key.op.type == "ReaderReadUpToV2" and key.shape == tf.TensorShape([None])
    assert [t.op.type for t in key.op.inputs] == ["TFRecordReaderV2", "FIFOQueueV2", "Const"]
    assert graph.get_operation_by_name("records").get_attr("compression_type") == ""
    producer = [op.type for op in graph.get_operations() if op.name.startswith("input_producer")]
    assert {"FIFOQueueV2", "QueueEnqueueManyV2", "RandomShuffle"} <= set(producer)


def test_a_corrupt_record_fails_its_read_and_the_reader_moves_on(graph, tmp_path):
    good, bad = tmp_path / "good.tfrecord", tmp_path / "bad.tfrecord"
    with tf.io.TFRecordWriter(str(bad)) as writer:
        writer.write(b"first")
    bad.write_bytes(bad.read_bytes()[:-2])
    with tf.io.TFRecordWriter(str(good)) as writer:
        writer.write(b"second")
    files = v1.train.string_input_producer([str(bad), str(good)], num_epochs=1, shuffle=False)
    _, value = v1.TFRecordReader().read(files)
    with v1.Session() as sess:
        coord, threads = _start(sess)
        with pytest.raises(DataLossError, match=r"bad.tfrecord: truncated record at 0"):
            sess.run(value)
        assert sess.run(value) == b"second"
        coord.request_stop()
        coord.join(threads)


def test_whole_file_reader_of_a_missing_file_is_not_found(graph, tmp_path):
    files = v1.train.string_input_producer([str(tmp_path / "gone.txt")], shuffle=False)
    _, contents = v1.WholeFileReader().read(files)
    with v1.Session() as sess:
        coord, threads = _start(sess)
        with pytest.raises(NotFoundError, match=r"gone.txt; No such file"):
            sess.run(contents)
        coord.request_stop()
        coord.join(threads)


def test_read_write_and_match_files(graph, tmp_path):
    target = tmp_path / "sub" / "dir" / "out.txt"
    write = tf.io.write_file(str(target), "hello")
    contents = tf.io.read_file(str(target))
    matches = tf.io.matching_files(str(tmp_path / "sub" / "*" / "*.txt"))
    nothing = tf.io.matching_files(str(tmp_path / "*.none"))
    missing = tf.io.read_file(str(tmp_path / "missing.txt"))
    with v1.Session() as sess:
        sess.run(write)  # missing directories are made, as TF's WriteFile does
        assert sess.run(contents) == b"hello"
        assert sess.run(matches).tolist() == [str(target).encode()]
        assert sess.run(nothing).shape == (0,)
        with pytest.raises(NotFoundError, match=r"ReadFile.*missing.txt; No such file"):
            sess.run(missing)


def test_gfile_basics(tmp_path):
    gfile = tf.io.gfile
    root = str(tmp_path / "g")
    gfile.makedirs(root + "/inner")
    with gfile.GFile(root + "/a.txt", "w") as f:
        f.write("text")
    assert gfile.exists(root + "/a.txt") and gfile.isdir(root + "/inner")
    assert gfile.listdir(root) == ["a.txt", "inner"]
    assert gfile.glob(root + "/*.txt") == [root + "/a.txt"]
    gfile.copy(root + "/a.txt", root + "/b.txt")
    with pytest.raises(AlreadyExistsError, match=r"b.txt"):
        gfile.rename(root + "/a.txt", root + "/b.txt")
    gfile.rename(root + "/a.txt", root + "/b.txt", overwrite=True)
    assert gfile.GFile(root + "/b.txt", "rb").read() == b"text"
    assert gfile.stat(root + "/b.txt").length == 4
    assert [sorted(files) for _, _, files in gfile.walk(root)] == [["b.txt"], []]
    gfile.remove(root + "/b.txt")
    with pytest.raises(NotFoundError, match=r"b.txt; No such file"):
        gfile.GFile(root + "/b.txt").read()
    gfile.rmtree(root)
    assert not gfile.exists(root)


@pytest.mark.parametrize(
    "build, message",
    [
        (
            lambda: tf.io.decode_raw([b"abc"], tf.int16),
            "Input to DecodeRaw has length 3 that is not a multiple of 2, the size of int16",
        ),
        (
            lambda: tf.io.decode_raw([b"ab", b"abcd"], tf.int16),
            "DecodeRaw requires input strings to all be the same size, but element 1 has size 2 != 4",
        ),
        (
            lambda: tf.io.decode_csv(["1,2"], [[0], [0], [0]]),
            "Expect 3 fields but have 2 in record 0",
        ),
        (
            lambda: tf.io.decode_csv(["1,"], [[0], tf.constant([], tf.int32)]),
            "Field 1 is required but missing in record 0!",
        ),
        (
            lambda: tf.io.decode_csv(["1,x"], [[0], [0]]),
            "Field 1 in record 0 is not a valid int32: x",
        ),
    ],
    ids=["raw-length", "raw-sizes", "csv-fields", "csv-required", "csv-number"],
)
def test_decode_errors_are_tfs(graph, build, message):
    with (
        v1.Session() as sess,
        pytest.raises(InvalidArgumentError, match=message.replace("(", r"\(")),
    ):
        sess.run(build())


def _example_of(values) -> bytes:
    feature = tf.train.Feature(float_list=tf.train.FloatList(value=values))
    return tf.train.Example(features=tf.train.Features(feature={"x": feature})).SerializeToString()


@pytest.mark.parametrize(
    "features, message",
    [
        (
            {"x": tf.io.FixedLenFeature([2], tf.float32)},
            "Name: <unknown>, Key: x, Index: 0.  Number of float values != expected.  Values size: 3 but output shape: [2]",
        ),
        (
            {"x": tf.io.FixedLenFeature([2], tf.int64)},
            "Name: <unknown>, Key: x, Index: 0.  Data types don't match. Data type: float but expected type: int64",
        ),
        (
            {"y": tf.io.FixedLenFeature([2], tf.float32)},
            "Name: <unknown>, Feature: y (data type: float) is required but could not be found.",
        ),
    ],
    ids=["size", "type", "missing"],
)
def test_parse_errors_are_tfs(graph, features, message):
    parsed = tf.io.parse_example([_example_of([1.0, 2.0, 3.0])], features)
    escaped = (
        message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[").replace("]", r"\]")
    )
    with (
        v1.Session() as sess,
        pytest.raises(InvalidArgumentError, match=escaped.replace(".", r"\.")),
    ):
        sess.run(parsed)


def test_parse_example_shapes_and_a_fed_batch(graph):
    serialized = v1.placeholder(tf.string, [None])
    parsed = tf.io.parse_example(
        serialized,
        {
            "x": tf.io.FixedLenFeature([3], tf.float32),
            "rows": tf.io.FixedLenSequenceFeature(
                [], tf.float32, allow_missing=True, default_value=-1.0
            ),
        },
    )
    assert parsed["x"].shape == tf.TensorShape([None, 3])
    assert parsed["rows"].shape == tf.TensorShape([None, None])
    with v1.Session() as sess:
        out = sess.run(parsed, {serialized: [_example_of([1, 2, 3]), _example_of([4, 5, 6])]})
    np.testing.assert_array_equal(out["x"], [[1, 2, 3], [4, 5, 6]])
    assert out["rows"].shape == (2, 0)
    with pytest.raises(ValueError, match=r"Unsupported dtype int32"):
        tf.io.parse_example(serialized, {"n": tf.io.FixedLenFeature([], tf.int32)})


def test_sparse_tensor_values_feed_and_fetch(graph):
    sparse = tf.SparseTensor(indices=[[0, 1]], values=[2.5], dense_shape=[2, 2])
    fetched = v1.Session().run(sparse)
    assert isinstance(fetched, v1.SparseTensorValue)
    assert fetched.indices.tolist() == [[0, 1]] and fetched.dense_shape.tolist() == [2, 2]


def test_input_producer_checks(graph):
    with pytest.raises(ValueError, match=r"requires a non-null input tensor"):
        v1.train.string_input_producer([])
    with pytest.raises(ValueError, match=r"num_epochs must be > 0"):
        v1.train.limit_epochs(tf.constant(1), num_epochs=0)
    with pytest.raises(ValueError, match=r"fully defined shape or `element_shape`"):
        v1.train.input_producer(v1.placeholder(tf.int32, [None, None]))


def test_queues_report_how_full_they_are(graph):
    x = v1.train.range_input_producer(4, num_epochs=1, shuffle=False).dequeue()
    v1.train.batch([x], 2, capacity=8)
    v1.train.shuffle_batch([x], 2, capacity=10, min_after_dequeue=4)
    tags = [t.op.name for t in graph.get_collection(v1.GraphKeys.SUMMARIES)]
    # TF 2.21's names and scopes
    assert tags == [
        "input_producer/fraction_of_32_full",
        "batch/fraction_of_8_full",
        "shuffle_batch/fraction_over_4_of_6_full",
    ]
    merged = v1.summary.merge_all()
    with v1.Session() as sess:
        sess.run(v1.local_variables_initializer())
        values = v1.Summary.FromString(sess.run(merged)).value
    assert [v.tag for v in values] == tags and all(0.0 <= v.simple_value <= 1.0 for v in values)


def test_batches_are_named_after_their_scope(graph):
    # TF 2.21's names: code fetches "batch:0", or finds it after import_meta_graph.
    x = tf.constant(1)
    batches = [
        v1.train.batch([x], 2, dynamic_pad=True),
        v1.train.batch_join([[x]], 2),
        v1.train.shuffle_batch_join([[x]], 2, 10, 1),
        v1.train.shuffle_batch([x], 2, 10, 1),
        v1.train.batch([x], 2, allow_smaller_final_batch=True),
    ]
    assert [b.name for b in batches] == [
        "batch:0",
        "batch_join:0",
        "shuffle_batch_join:0",
        "shuffle_batch:0",
        "batch_1:0",
    ]


def test_a_sequence_feature_needs_allow_missing_and_pads_with_its_default(graph):
    serialized = [_example_of([1.0, 2.0]), _example_of([3.0])]
    with pytest.raises(ValueError, match=r"FixedLenSequenceFeature requires allow_missing"):
        tf.io.parse_example(serialized, {"x": tf.io.FixedLenSequenceFeature([], tf.float32)})
    feature = tf.io.FixedLenSequenceFeature([], tf.float32, allow_missing=True, default_value=-1.0)
    parsed = tf.io.parse_example(serialized, {"x": feature})
    with v1.Session() as sess:
        np.testing.assert_array_equal(sess.run(parsed)["x"], [[1.0, 2.0], [3.0, -1.0]])
