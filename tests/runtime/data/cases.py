"""Input pipelines written once, run by real TensorFlow (to record) and by the runtime.

Each case is a function ``case(tf, data)`` of a TensorFlow-like module (real
``tensorflow`` with v2 behaviour off, or ``runtime``) and the folder of the fixture
files; it builds its graph in the default graph and returns what to run:

- ``("dataset", dataset)``: the elements of ``dataset`` until ``OutOfRangeError``;
- ``("queue", fetches)``: ``fetches`` run with queue runners until ``OutOfRangeError``;
- ``("value", fetches)``: ``fetches`` run once;
- ``("error", fetches)``: running ``fetches`` fails; the error's class is recorded.

:func:`record` runs a case and returns a JSON-ready record of what came out;
``tests/fixtures/tf_data/generate.py`` stores TF's records and
``test_recorded.py`` compares the runtime's with them. Paths under the data folder
are written as ``<data>`` so that records do not depend on where the files are.
How a case is compared is in ``COMPARE`` (default: the exact sequence).
"""

from __future__ import annotations

import numpy as np

CASES = {}
# How a case is compared: "sequence" (exactly), "seeded" (a seeded shuffle: TF's order may
# differ; the multiset, and the same order on each run), "epochs" (a seeded shuffle
# repeated: each pass its own order), "multiset" (several threads: the order varies).
COMPARE = {}
LIMIT = 200  # no case yields more elements; a runaway pipeline stops here


def case(compare="sequence"):
    def register(fn):
        CASES[fn.__name__] = fn
        COMPARE[fn.__name__] = compare
        return fn

    return register


# -- tf.data ---------------------------------------------------------------------------------


@case()
def slices_tuple(tf, data):
    ds = tf.data.Dataset.from_tensor_slices(
        (np.arange(5, dtype=np.int32), np.arange(10, dtype=np.float32).reshape(5, 2))
    )
    return "dataset", ds


@case()
def slices_dict(tf, data):
    return "dataset", tf.data.Dataset.from_tensor_slices({"a": [1, 2, 3], "b": ["x", "y", "z"]})


@case()
def tensors_repeat(tf, data):
    return "dataset", tf.data.Dataset.from_tensors(([1, 2], 3.0)).repeat(3)


@case()
def ranges_concatenated(tf, data):
    Dataset = tf.data.Dataset
    ds = Dataset.range(5).concatenate(Dataset.range(2, 10, 3)).concatenate(Dataset.range(10, 0, -3))
    return "dataset", ds


@case()
def zip_nested(tf, data):
    Dataset = tf.data.Dataset
    letters = Dataset.from_tensor_slices([b"a", b"b", b"c", b"d"])
    return "dataset", Dataset.zip((Dataset.range(3), (letters, Dataset.range(10, 20))))


@case()
def map_square(tf, data):
    return "dataset", tf.data.Dataset.range(6).map(lambda x: x * x)


@case()
def map_to_dict(tf, data):
    ds = tf.data.Dataset.from_tensor_slices(([1, 2, 3], [4.0, 5.0, 6.0]))
    return "dataset", ds.map(lambda a, b: {"sum": tf.cast(a, tf.float32) + b, "a": a})


@case()
def map_parallel(tf, data):
    return "dataset", tf.data.Dataset.range(20).map(lambda x: x * 3 + 1, num_parallel_calls=2)


@case()
def map_captured(tf, data):
    offset = tf.constant(10, tf.int64)
    return "dataset", tf.data.Dataset.range(4).map(lambda x: x + offset)


@case()
def filter_multiples(tf, data):
    return "dataset", tf.data.Dataset.range(20).filter(lambda x: tf.equal(x % 3, 0))


@case()
def flat_map_repeat(tf, data):
    Dataset = tf.data.Dataset
    return "dataset", Dataset.range(4).flat_map(lambda x: Dataset.from_tensors(x).repeat(x))


@case()
def interleave_blocks(tf, data):
    Dataset = tf.data.Dataset
    ds = Dataset.range(1, 4).interleave(
        lambda x: Dataset.from_tensors(x).repeat(4), cycle_length=2, block_length=2
    )
    return "dataset", ds


@case()
def batch_remainder(tf, data):
    return "dataset", tf.data.Dataset.range(10).batch(3)


@case()
def batch_drop_remainder(tf, data):
    return "dataset", tf.data.Dataset.range(10).batch(3, drop_remainder=True)


@case()
def batch_tuple(tf, data):
    ds = tf.data.Dataset.from_tensor_slices((np.arange(6).reshape(3, 2), ["a", "b", "c"]))
    return "dataset", ds.batch(2)


@case()
def padded_batch_longest(tf, data):
    ds = tf.data.Dataset.range(1, 6).map(lambda x: tf.fill([x], x))
    return "dataset", ds.padded_batch(2, padded_shapes=[None])


@case()
def padded_batch_fixed(tf, data):
    ds = tf.data.Dataset.range(1, 4).map(lambda x: tf.fill([x], x))
    return "dataset", ds.padded_batch(
        2, padded_shapes=[5], padding_values=tf.constant(-1, tf.int64)
    )


@case()
def repeat_skip_take(tf, data):
    return "dataset", tf.data.Dataset.range(3).repeat(2).skip(1).take(4)


@case()
def repeat_forever_take(tf, data):
    return "dataset", tf.data.Dataset.range(2).repeat().take(5)


@case()
def take_all_skip_none(tf, data):
    return "dataset", tf.data.Dataset.range(3).take(-1).skip(0)


@case()
def unbatch_batches(tf, data):
    return "dataset", tf.data.Dataset.range(6).batch(4).unbatch()


@case()
def window_batches(tf, data):
    ds = tf.data.Dataset.range(7).window(3, shift=2, drop_remainder=True)
    return "dataset", ds.flat_map(lambda w: w.batch(3))


@case()
def window_stride_remainder(tf, data):
    ds = tf.data.Dataset.range(8).window(2, shift=3, stride=2)
    return "dataset", ds.flat_map(lambda w: w.batch(2))


@case()
def enumerate_from(tf, data):
    return "dataset", tf.data.Dataset.from_tensor_slices([b"a", b"b", b"c"]).enumerate(start=5)


@case()
def cache_repeat(tf, data):
    return "dataset", tf.data.Dataset.range(4).map(lambda x: x * 2).cache().repeat(2)


@case()
def prefetch_batches(tf, data):
    return "dataset", tf.data.Dataset.range(10).batch(4).prefetch(2)


@case()
def apply_map(tf, data):
    return "dataset", tf.data.Dataset.range(5).apply(lambda ds: ds.map(lambda x: x + 100))


def _generator():
    for i in range(4):
        yield i, str(i) * i


@case()
def from_generator(tf, data):
    ds = tf.data.Dataset.from_generator(
        _generator, output_types=(tf.int64, tf.string), output_shapes=((), ())
    )
    return "dataset", ds


@case()
def text_lines(tf, data):
    return "dataset", tf.data.TextLineDataset([f"{data}/lines_a.txt", f"{data}/lines_b.txt"])


@case()
def text_lines_parallel_reads(tf, data):
    files = [f"{data}/lines_a.txt", f"{data}/lines_b.txt"]
    return "dataset", tf.data.TextLineDataset(files, num_parallel_reads=2)


def _dense_features(tf):
    return {
        "x": tf.io.FixedLenFeature([2], tf.float32),
        "label": tf.io.FixedLenFeature([], tf.int64),
        "name": tf.io.FixedLenFeature([], tf.string, default_value="?"),
    }


def _all_features(tf):
    return {
        **_dense_features(tf),
        "tokens": tf.io.VarLenFeature(tf.int64),
        "seq": tf.io.FixedLenSequenceFeature([2], tf.float32, allow_missing=True),
    }


@case()
def tfrecord_plain(tf, data):
    return "dataset", tf.data.TFRecordDataset(f"{data}/examples.tfrecord")


@case()
def tfrecord_gzip_parsed(tf, data):
    ds = tf.data.TFRecordDataset([f"{data}/examples.tfrecord.gz"], compression_type="GZIP")
    return "dataset", ds.map(lambda s: tf.io.parse_single_example(s, _dense_features(tf)))


@case()
def tfrecord_sparse_batched(tf, data):
    features = {
        "tokens": tf.io.VarLenFeature(tf.int64),
        "label": tf.io.FixedLenFeature([], tf.int64),
    }
    ds = tf.data.TFRecordDataset(f"{data}/examples.tfrecord")
    return "dataset", ds.map(lambda s: tf.io.parse_single_example(s, features)).batch(2)


@case()
def sparse_unbatched(tf, data):
    features = {"tokens": tf.io.VarLenFeature(tf.int64)}
    ds = tf.data.TFRecordDataset(f"{data}/examples.tfrecord").batch(3)
    ds = ds.map(lambda s: tf.io.parse_example(s, features)["tokens"]).unbatch()
    return "dataset", ds.map(lambda sparse: sparse.values)


@case()
def fixed_length_decoded(tf, data):
    ds = tf.data.FixedLengthRecordDataset([f"{data}/fixed.bin"], 3, header_bytes=4, footer_bytes=2)
    return "dataset", ds.map(lambda r: tf.io.decode_raw(r, tf.uint8))


@case("seeded")
def shuffle_seeded(tf, data):
    return "dataset", tf.data.Dataset.range(20).shuffle(5, seed=7)


@case("epochs")
def shuffle_each_epoch(tf, data):
    return "dataset", tf.data.Dataset.range(6).shuffle(6, seed=3).repeat(2)


@case()
def reduce_sum(tf, data):
    return "value", tf.data.Dataset.range(5).reduce(tf.constant(0, tf.int64), lambda s, x: s + x)


@case()
def reduce_tuple_state(tf, data):
    initial = (tf.constant(0, tf.int64), tf.constant(1, tf.int64))
    ds = tf.data.Dataset.range(1, 5)
    return "value", ds.reduce(initial, lambda s, x: (s[0] + x, s[1] * x))


@case()
def batch_mismatched_shapes(tf, data):
    ds = tf.data.Dataset.range(1, 4).map(lambda x: tf.fill([x], x)).batch(2)
    return "error", tf.compat.v1.data.make_one_shot_iterator(ds).get_next()


# -- queues and readers ----------------------------------------------------------------------


def _files(tf, names, num_epochs=1):
    return tf.compat.v1.train.string_input_producer(names, num_epochs=num_epochs, shuffle=False)


@case()
def text_reader_two_epochs(tf, data):
    files = _files(tf, [f"{data}/lines_a.txt", f"{data}/lines_b.txt"], num_epochs=2)
    return "queue", tf.compat.v1.TextLineReader().read(files)


@case()
def text_reader_up_to(tf, data):
    files = _files(tf, [f"{data}/lines_a.txt", f"{data}/lines_b.txt"])
    return "queue", tf.compat.v1.TextLineReader().read_up_to(files, 2)


@case()
def tfrecord_reader_parsed(tf, data):
    _, serialized = tf.compat.v1.TFRecordReader().read(_files(tf, [f"{data}/examples.tfrecord"]))
    return "queue", tf.io.parse_single_example(serialized, _all_features(tf))


@case()
def tfrecord_gzip_reader_batch_parsed(tf, data):
    options = tf.io.TFRecordOptions("GZIP")
    reader = tf.compat.v1.TFRecordReader(options=options)
    keys, serialized = reader.read_up_to(_files(tf, [f"{data}/examples.tfrecord.gz"]), 3)
    return "queue", (keys, tf.io.parse_example(serialized, _all_features(tf)))


@case()
def tfrecord_reader_sparse_batch(tf, data):
    _, serialized = tf.compat.v1.TFRecordReader().read(_files(tf, [f"{data}/examples.tfrecord"]))
    features = {
        "tokens": tf.io.VarLenFeature(tf.int64),
        "label": tf.io.FixedLenFeature([], tf.int64),
    }
    parsed = tf.io.parse_single_example(serialized, features)
    return "queue", tf.compat.v1.train.batch(parsed, 2, allow_smaller_final_batch=True)


@case()
def whole_file_reader(tf, data):
    files = _files(tf, [f"{data}/lines_a.txt", f"{data}/lines_b.txt"])
    return "queue", tf.compat.v1.WholeFileReader().read(files)


@case()
def fixed_length_reader(tf, data):
    reader = tf.compat.v1.FixedLengthRecordReader(3, header_bytes=4, footer_bytes=2)
    key, value = reader.read(_files(tf, [f"{data}/fixed.bin"]))
    return "queue", (key, tf.io.decode_raw(value, tf.uint8))


@case()
def fixed_length_reader_hop(tf, data):
    reader = tf.compat.v1.FixedLengthRecordReader(4, hop_bytes=2)
    key, value = reader.read(_files(tf, [f"{data}/hop.bin"]))
    return "queue", (key, value)


@case()
def identity_reader(tf, data):
    return "queue", tf.compat.v1.IdentityReader().read(_files(tf, ["w1", "w2", "w3"]))


@case()
def csv_rows_batched(tf, data):
    reader = tf.compat.v1.TextLineReader(skip_header_lines=1)
    _, line = reader.read(_files(tf, [f"{data}/rows.csv"]))
    columns = tf.io.decode_csv(line, [[0], [""], [0.5]])
    return "queue", tf.compat.v1.train.batch(columns, 3, allow_smaller_final_batch=True)


@case()
def slices_batched(tf, data):
    x, y = tf.compat.v1.train.slice_input_producer(
        [tf.constant(np.arange(7, dtype=np.int32)), tf.constant([f"s{i}" for i in range(7)])],
        num_epochs=1,
        shuffle=False,
    )
    return "queue", tf.compat.v1.train.batch([x, y], 3, allow_smaller_final_batch=True)


@case()
def range_producer_two_epochs(tf, data):
    queue = tf.compat.v1.train.range_input_producer(5, num_epochs=2, shuffle=False)
    return "queue", queue.dequeue()


@case()
def input_producer_rows(tf, data):
    rows = tf.constant([[1, 2], [3, 4], [5, 6]])
    queue = tf.compat.v1.train.input_producer(rows, num_epochs=1, shuffle=False)
    return "queue", queue.dequeue()


@case()
def batch_dict_enqueue_many(tf, data):
    x = tf.compat.v1.train.limit_epochs(tf.constant([[1], [2], [3], [4], [5]]), num_epochs=1)
    batched = tf.compat.v1.train.batch(
        {"x": x, "y": x * 10}, 2, enqueue_many=True, allow_smaller_final_batch=True
    )
    return "queue", batched


@case()
def batch_dynamic_pad(tf, data):
    (n,) = tf.compat.v1.train.slice_input_producer(
        [tf.constant([3, 1, 2], tf.int32)], num_epochs=1, shuffle=False
    )
    filled = tf.fill([n], n)
    return "queue", tf.compat.v1.train.batch(
        [filled], 2, dynamic_pad=True, allow_smaller_final_batch=True
    )


@case("multiset")
def batch_join_two(tf, data):
    a = tf.compat.v1.train.range_input_producer(4, num_epochs=1, shuffle=False).dequeue()
    b = tf.compat.v1.train.range_input_producer(3, num_epochs=1, shuffle=False).dequeue() + 100
    batched = tf.compat.v1.train.batch_join([[a], [b]], 1)
    return "queue", batched


@case("multiset")
def shuffle_batch_seeded(tf, data):
    x = tf.compat.v1.train.range_input_producer(12, num_epochs=1, shuffle=False).dequeue()
    batched = tf.compat.v1.train.shuffle_batch(
        [x], 1, capacity=10, min_after_dequeue=4, seed=5, allow_smaller_final_batch=True
    )
    return "queue", batched


@case()
def maybe_batch_even(tf, data):
    x = tf.compat.v1.train.range_input_producer(9, num_epochs=1, shuffle=False).dequeue()
    batched = tf.compat.v1.train.maybe_batch(
        [x], tf.equal(x % 2, 0), 2, allow_smaller_final_batch=True
    )
    return "queue", batched


# -- parsing ---------------------------------------------------------------------------------


def _serialized(tf, data):
    return list(tf.compat.v1.io.tf_record_iterator(f"{data}/examples.tfrecord"))


@case()
def parse_example_batch(tf, data):
    return "value", tf.io.parse_example(_serialized(tf, data), _all_features(tf))


@case()
def parse_single_example_third(tf, data):
    return "value", tf.io.parse_single_example(_serialized(tf, data)[2], _all_features(tf))


@case()
def parse_example_missing_required(tf, data):
    features = {"absent": tf.io.FixedLenFeature([1], tf.float32)}
    return "error", tf.io.parse_example(_serialized(tf, data), features)


@case()
def parse_example_wrong_type(tf, data):
    features = {"x": tf.io.FixedLenFeature([2], tf.int64)}
    return "error", tf.io.parse_example(_serialized(tf, data), features)


@case()
def decode_csv_quoted(tf, data):
    records = ['1,"a,b",2.5', "7,,", '3,"say ""hi""",-1e3', "na,x,0"]
    return "value", tf.io.decode_csv(records, [[0], ["dflt"], [9.0]], na_value="na")


@case()
def decode_csv_select_cols(tf, data):
    return "value", tf.io.decode_csv(["1,2,3,4", "5,6,7,8"], [[0], [0.0]], select_cols=[1, 3])


@case()
def decode_csv_bad_number(tf, data):
    return "error", tf.io.decode_csv(["1,x"], [[0], [0]])


@case()
def decode_raw_endianness(tf, data):
    values = [b"\x00\x00\x80\x3f\x00\x00\x00\x40", b"\x00\x00\x40\x40\x00\x00\x80\x40"]
    little = tf.io.decode_raw(values, tf.float32)
    big = tf.io.decode_raw(values, tf.int32, little_endian=False)
    return "value", (little, big)


# -- running and recording ---------------------------------------------------------------------


def _is_sparse(value) -> bool:
    return type(value).__name__ == "SparseTensorValue"


def encode(value, data: str):
    """A JSON-ready form of a fetched value: containers kept, arrays as dtype/shape/values."""
    if _is_sparse(value):
        return {"sparse": [encode(part, data) for part in value]}
    if isinstance(value, dict):
        return {"dict": {key: encode(v, data) for key, v in sorted(value.items())}}
    if isinstance(value, tuple | list):  # a namedtuple (TF's reader.read) is a tuple
        kind = "list" if isinstance(value, list) else "tuple"
        return {kind: [encode(v, data) for v in value]}
    array = np.asarray(value)
    if array.dtype.kind in "OSU":
        flat = [_text(item, data) for item in array.reshape(-1)]
        return {"dtype": "string", "shape": list(array.shape), "values": flat}
    return {
        "dtype": array.dtype.name,
        "shape": list(array.shape),
        "values": array.reshape(-1).tolist(),
    }


def _text(item, data: str) -> str:
    raw = item if isinstance(item, bytes) else str(item).encode()
    return raw.replace(data.encode(), b"<data>").decode("latin-1")


def _structure(value):
    """Nested names of types, shapes and classes (``None`` for an unknown dimension)."""
    if isinstance(value, dict):
        return {key: _structure(v) for key, v in sorted(value.items())}
    if isinstance(value, tuple | list):
        return [_structure(v) for v in value]
    if hasattr(value, "as_list") or type(value).__name__ == "TensorShape":
        return None if value.rank is None else list(value.as_list())
    if hasattr(value, "base_dtype"):
        return value.base_dtype.name
    name = value.__name__ if isinstance(value, type) else type(value).__name__
    return "Dataset" if "Dataset" in name else name


def record(tf, name: str, data: str, table: dict = CASES) -> dict:
    """Run case ``name`` of ``table`` (default: this module's) with module ``tf``; what
    came out, JSON-ready."""
    v1 = tf.compat.v1
    with tf.Graph().as_default():
        kind, target = table[name](tf, data)
        result = {"kind": kind}
        if kind == "dataset":
            result["types"] = _structure(v1.data.get_output_types(target))
            result["shapes"] = _structure(v1.data.get_output_shapes(target))
            result["classes"] = _structure(v1.data.get_output_classes(target))
            target = v1.data.make_one_shot_iterator(target).get_next()
        with v1.Session() as sess:
            sess.run([v1.global_variables_initializer(), v1.local_variables_initializer()])
            if kind == "error":
                try:
                    sess.run(target)
                except tf.errors.OpError as err:
                    result["error"] = type(err).__name__
                return result
            if kind == "value":
                result["value"] = encode(sess.run(target), data)
                return result
            result["elements"] = _drain(tf, sess, target, data)
    return result


def _drain(tf, sess, target, data) -> list:
    v1 = tf.compat.v1
    coord = v1.train.Coordinator()
    threads = v1.train.start_queue_runners(sess, coord)
    elements = []
    try:
        while len(elements) < LIMIT:
            elements.append(encode(sess.run(target), data))
    except tf.errors.OutOfRangeError:
        elements.append("end")
        try:  # the end stays the end
            sess.run(target)
            elements.append("not the end")
        except tf.errors.OutOfRangeError:
            pass
    coord.request_stop()
    coord.join(threads)
    return elements
