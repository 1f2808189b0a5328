"""TFRecord files and tf.train.Example: interchangeable with TensorFlow's, safe on bad input.

The fixtures ``examples.tfrecord{,.gz,.zlib}`` were written by TF's own
``TFRecordWriter`` (``tests/fixtures/tf_data/generate.py``); ``examples.json`` holds
what went into them.
"""

from __future__ import annotations

import json
import struct
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import runtime as tf
from runtime import records
from runtime.errors import DataLossError, InvalidArgumentError, NotFoundError

DATA = Path(__file__).resolve().parents[2] / "fixtures" / "tf_data"
ROWS = json.loads((DATA / "examples.json").read_text())
SUFFIX = {"": "", "GZIP": ".gz", "ZLIB": ".zlib"}


def _row(example) -> dict:
    row = {}
    for key, feature in example.features.feature.items():
        values = list(getattr(feature, feature.WhichOneof("kind")).value)
        row[key] = [v.decode() if isinstance(v, bytes) else v for v in values]
    return row


def _example(row: dict):
    feature = {}
    for key, values in row.items():
        if key in ("x", "seq"):
            feature[key] = tf.train.Feature(float_list=tf.train.FloatList(value=values))
        elif key == "name":
            strings = [v.encode() for v in values]
            feature[key] = tf.train.Feature(bytes_list=tf.train.BytesList(value=strings))
        else:
            feature[key] = tf.train.Feature(int64_list=tf.train.Int64List(value=values))
    return tf.train.Example(features=tf.train.Features(feature=feature))


@pytest.mark.parametrize("compression", ["", "GZIP", "ZLIB"])
def test_reads_the_examples_tensorflow_wrote(compression):
    path = DATA / f"examples.tfrecord{SUFFIX[compression]}"
    options = tf.io.TFRecordOptions(compression)
    examples = [tf.train.Example.FromString(r) for r in tf.io.tf_record_iterator(path, options)]
    assert [_row(e) for e in examples] == ROWS


@pytest.mark.parametrize("compression", ["", "GZIP", "ZLIB"])
def test_writes_tensorflows_bytes(tmp_path, compression):
    """Same records in, TF's file out: byte for byte, compressed or not."""
    name = f"examples.tfrecord{SUFFIX[compression]}"
    payloads = list(records.iter_records(str(DATA / name), compression))
    with tf.io.TFRecordWriter(str(tmp_path / name), compression) as writer:
        for payload in payloads:
            writer.write(payload)
    assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes()


def test_example_messages_parse_tensorflows_bytes_and_hold_its_fields():
    payload = next(records.iter_records(str(DATA / "examples.tfrecord")))
    example = tf.train.Example.FromString(payload)
    assert _row(example) == ROWS[0]
    assert tf.train.Example.FromString(_example(ROWS[0]).SerializeToString()) == example
    # TF's field numbers: features = 1, feature map = 1, float_list = 2, int64_list = 3.
    single = tf.train.Example(
        features=tf.train.Features(
            feature={"a": tf.train.Feature(int64_list=tf.train.Int64List(value=[1, 2]))}
        )
    )
    assert single.SerializeToString() == b"\n\r\n\x0b\n\x01a\x12\x06\x1a\x04\n\x02\x01\x02"


def test_sequence_example_round_trips():
    seq = tf.train.SequenceExample()
    seq.context.feature["id"].bytes_list.value.append(b"s1")
    frames = seq.feature_lists.feature_list["frames"].feature
    frames.add().float_list.value.extend([1.0, 2.0])
    parsed = tf.train.SequenceExample.FromString(seq.SerializeToString())
    assert parsed.feature_lists.feature_list["frames"].feature[0].float_list.value == [1.0, 2.0]


def test_masked_crc32c_matches_tensorflows_record_headers():
    data = (DATA / "examples.tfrecord").read_bytes()
    assert struct.unpack("<I", data[8:12])[0] == records.masked_crc32c(data[:8])


def test_python_io_names():
    path = DATA / "examples.tfrecord.zlib"
    options = tf.compat.v1.python_io.TFRecordOptions(
        tf.compat.v1.python_io.TFRecordCompressionType.ZLIB
    )
    assert len(list(tf.compat.v1.python_io.tf_record_iterator(str(path), options))) == 5


# -- bad files --------------------------------------------------------------------------------


def _copy_with(tmp_path, change) -> str:
    data = bytearray((DATA / "examples.tfrecord").read_bytes())
    change(data)
    path = tmp_path / "bad.tfrecord"
    path.write_bytes(bytes(data))
    return str(path)


@pytest.mark.parametrize(
    "change, what",
    [
        (lambda d: d.__setitem__(20, d[20] ^ 1), "corrupted record at 0"),
        (lambda d: d.__setitem__(3, d[3] ^ 1), "corrupted record at 0"),
        (lambda d: d.__delitem__(slice(-3, None)), r"truncated record at \d+"),
        (lambda d: d.__delitem__(slice(-(len(d) - 6), None)), "truncated record at 0"),
    ],
    ids=["data", "length", "cut-footer", "cut-header"],
)
def test_corrupt_files_are_data_loss_naming_the_file(tmp_path, change, what):
    path = _copy_with(tmp_path, change)
    with pytest.raises(DataLossError, match=f"{path}: {what}"):
        list(tf.io.tf_record_iterator(path))


def test_a_forged_length_allocates_only_what_the_file_holds(tmp_path):
    length = struct.pack("<Q", 2**40)  # a terabyte claimed, with a valid CRC
    path = tmp_path / "forged.tfrecord"
    path.write_bytes(length + struct.pack("<I", records.masked_crc32c(length)) + b"x" * 100)
    tracemalloc.start()
    try:
        with pytest.raises(DataLossError, match=r"truncated record at 0"):
            list(tf.io.tf_record_iterator(str(path)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * records.CHUNK


def test_a_corrupt_gzip_stream_is_data_loss(tmp_path):
    data = bytearray((DATA / "examples.tfrecord.gz").read_bytes())
    data[30:40] = b"\xff" * 10
    path = tmp_path / "bad.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(DataLossError, match=r"bad.gz"):
        list(tf.io.tf_record_iterator(str(path), "GZIP"))


def test_missing_file_and_unknown_compression():
    with pytest.raises(NotFoundError, match=r"nowhere.tfrecord"):
        list(tf.io.tf_record_iterator("/nowhere.tfrecord"))
    with pytest.raises(InvalidArgumentError, match=r"Unsupported compression_type: 'BZIP2'"):
        tf.io.TFRecordOptions("BZIP2")


def test_dataset_of_a_corrupt_file_fails_with_data_loss(tmp_path):
    path = _copy_with(tmp_path, lambda d: d.__setitem__(20, d[20] ^ 1))
    with tf.Graph().as_default():
        record = tf.compat.v1.data.make_one_shot_iterator(tf.data.TFRecordDataset(path)).get_next()
        with tf.compat.v1.Session() as sess, pytest.raises(DataLossError, match=r"bad.tfrecord"):
            sess.run(record)


def test_text_and_fixed_length_files_read_in_bounded_chunks(tmp_path):
    path = tmp_path / "big.bin"
    path.write_bytes(bytes(range(256)) * 8192)  # 2 MiB: more than one chunk
    got = list(records.fixed_length_records(str(path), 0, 256, 0, 0))
    assert len(got) == 8192 and got[-1] == (8191, bytes(range(256)))
    path.write_bytes(b"a\r\nb\n" * 300_000)
    lines = [line for _, line in records.text_lines(str(path))]
    assert len(lines) == 600_000 and set(lines) == {b"a", b"b"}
    assert np.all(np.array(lines[:4], dtype=object) == np.array([b"a", b"b", b"a", b"b"], object))
