"""``tf.io``'s parsing of ``SequenceExample``s, ``SparseFeature``s, JSON examples, serialized
tensors and arbitrary protos, and the priority queue, written once, run by real
TensorFlow (to record) and by the runtime.

The cases follow ``cases.py`` (each ``case(tf, data)`` returns what to run, recorded by
:func:`cases.record`); ``tests/fixtures/tf_io/generate.py`` stores TF's records (and
writes ``point.desc``, a ``FileDescriptorSet`` of a message ``fixture.Point``), and
``test_io_recorded.py`` compares the runtime's with them.
"""

from __future__ import annotations

import numpy as np

from . import cases

CASES: dict = {}
COMPARE: dict = {}


def case(compare="sequence"):
    def register(fn):
        CASES[fn.__name__] = fn
        COMPARE[fn.__name__] = compare
        return fn

    return register


def record(tf, name: str, data: str) -> dict:
    """What case ``name`` produced with module ``tf`` (see :func:`cases.record`)."""
    return cases.record(tf, name, data, CASES)


# -- serialized tensors ------------------------------------------------------------------------


@case()
def serialize_tensors(tf, data):
    values = [
        tf.constant([[1.5, -2.0, 3.25], [0.0, 4.0, 5.5]]),
        tf.constant(7),
        tf.constant([b"a", b"", b"\xff\x00c"]),
        tf.constant([True, False]),
        tf.zeros([0, 3], tf.int64),
        tf.constant(np.arange(6, dtype=np.uint8).reshape(3, 2)),
        tf.constant([1.0, 2.5], tf.float64),
        tf.constant([0.5, -1.0], tf.float16),
        tf.constant([1 + 2j], tf.complex64),
        tf.fill([4], 3),
    ]
    return "value", [tf.io.serialize_tensor(v) for v in values]


@case()
def parse_tensor_round_trip(tf, data):
    value = tf.constant(np.arange(12, dtype=np.int32).reshape(3, 4))
    strings = tf.constant([[b"x", b"yz"]])
    return "value", (
        tf.io.parse_tensor(tf.io.serialize_tensor(value), tf.int32),
        tf.io.parse_tensor(tf.io.serialize_tensor(strings), tf.string),
    )


@case()
def parse_tensor_wrong_type(tf, data):
    return "error", tf.io.parse_tensor(tf.io.serialize_tensor(tf.constant([1.0])), tf.int32)


@case()
def parse_tensor_garbage(tf, data):
    return "error", tf.io.parse_tensor(b"\xff\xff\xff\x07garbage", tf.float32)


# -- SequenceExample -----------------------------------------------------------------------------


def _sequence_examples(tf):
    train = tf.train

    def ints(values):
        return train.Feature(int64_list=train.Int64List(value=values))

    def floats(values):
        return train.Feature(float_list=train.FloatList(value=values))

    def words(values):
        return train.Feature(bytes_list=train.BytesList(value=values))

    rows = [
        (
            {"label": ints([1]), "lang": words([b"en"])},
            {
                "tok": [ints([3]), ints([4]), ints([5])],
                "emb": [floats([0.5, 1.0]), floats([1.5, 2.0]), floats([2.5, 3.0])],
                "tags": [words([b"a", b"b"]), words([]), words([b"c"])],
            },
        ),
        (
            {"label": ints([2])},
            {"tok": [ints([7])], "emb": [floats([9.0, 8.0])], "tags": [words([b"d"])]},
        ),
        ({"label": ints([3]), "lang": words([b"fr", b"de"])}, {"tok": [], "emb": []}),
    ]
    serialized = []
    for context, lists in rows:
        example = train.SequenceExample(
            context=train.Features(feature=context),
            feature_lists=train.FeatureLists(
                feature_list={k: train.FeatureList(feature=v) for k, v in lists.items()}
            ),
        )
        serialized.append(example.SerializeToString())
    return serialized


def _sequence_features(tf):
    io = tf.io
    context = {
        "label": io.FixedLenFeature([], tf.int64),
        "lang": io.VarLenFeature(tf.string),
        "weight": io.FixedLenFeature([2], tf.float32, default_value=[0.5, 0.25]),
    }
    sequence = {
        "tok": io.FixedLenSequenceFeature([], tf.int64),
        "emb": io.FixedLenSequenceFeature([2], tf.float32),
        "tags": io.VarLenFeature(tf.string),
    }
    return context, sequence


@case()
def parse_sequence_batch(tf, data):
    context, sequence = _sequence_features(tf)
    return "value", tf.io.parse_sequence_example(_sequence_examples(tf), context, sequence)


@case()
def parse_single_sequence_each(tf, data):
    context, sequence = _sequence_features(tf)
    return "value", [
        tf.io.parse_single_sequence_example(s, context, sequence) for s in _sequence_examples(tf)
    ]


@case()
def parse_sequence_missing_list_allowed(tf, data):
    sequence = {"absent": tf.io.FixedLenSequenceFeature([3], tf.float32, allow_missing=True)}
    return "value", tf.io.parse_sequence_example(_sequence_examples(tf), None, sequence)


@case()
def parse_sequence_missing_list_required(tf, data):
    sequence = {"absent": tf.io.FixedLenSequenceFeature([3], tf.float32)}
    return "error", tf.io.parse_sequence_example(_sequence_examples(tf), None, sequence)


@case()
def parse_sequence_missing_context(tf, data):
    context = {"nope": tf.io.FixedLenFeature([], tf.int64)}
    return "error", tf.io.parse_single_sequence_example(_sequence_examples(tf)[0], context)


@case()
def parse_sequence_wrong_step_size(tf, data):
    sequence = {"emb": tf.io.FixedLenSequenceFeature([3], tf.float32)}
    return "error", tf.io.parse_sequence_example(_sequence_examples(tf), None, sequence)


# -- SparseFeature ---------------------------------------------------------------------------


def _sparse_examples(tf):
    train = tf.train

    def example(**features):
        feature = {}
        for key, values in features.items():
            kind = "float_list" if key.startswith("val") else "int64_list"
            lists = {"float_list": train.FloatList, "int64_list": train.Int64List}
            feature[key] = train.Feature(**{kind: lists[kind](value=values)})
        return train.Example(features=train.Features(feature=feature)).SerializeToString()

    return [
        example(ix=[3, 0, 5], iy=[1, 1, 0], val=[0.5, 1.5, 2.5]),
        example(ix=[], iy=[], val=[]),
        example(ix=[2], iy=[3], val=[9.0]),
    ]


@case()
def sparse_feature_batch(tf, data):
    features = {
        "s": tf.io.SparseFeature("ix", "val", tf.float32, 6),
        "grid": tf.io.SparseFeature(["ix", "iy"], "val", tf.float32, [6, 4]),
    }
    return "value", tf.io.parse_example(_sparse_examples(tf), features)


@case()
def sparse_feature_single_sorted(tf, data):
    features = {
        "s": tf.io.SparseFeature("ix", "val", tf.float32, 6, already_sorted=True),
        "ix": tf.io.VarLenFeature(tf.int64),
    }
    return "value", tf.io.parse_single_example(_sparse_examples(tf)[0], features)


# -- JSON examples ---------------------------------------------------------------------------


_JSON = [
    '{"features": {"feature": {"n": {"int64List": {"value": ["3", "-4"]}}}}}',
    '{"features": {"feature": {"x": {"floatList": {"value": [1.5]}}, '
    '"w": {"bytesList": {"value": ["aGk="]}}}}}',
    "{}",
]


@case()
def json_examples_parsed(tf, data):
    binary = tf.io.decode_json_example(_JSON)
    features = {
        "n": tf.io.VarLenFeature(tf.int64),
        "x": tf.io.VarLenFeature(tf.float32),
        "w": tf.io.VarLenFeature(tf.string),
    }
    return "value", tf.io.parse_example(binary, features)


@case()
def json_example_bad(tf, data):
    return "error", tf.io.decode_json_example(['{"features": 3}'])


# -- decode_proto, encode_proto ------------------------------------------------------------------


def _saver_defs(tf):
    saver_def = tf.compat.v1.train.SaverDef
    return [
        saver_def(
            filename_tensor_name="save/Const:0",
            max_to_keep=7,
            sharded=True,
            keep_checkpoint_every_n_hours=0.5,
            version=2,
        ).SerializeToString(),
        saver_def().SerializeToString(),
    ]


@case()
def decode_saver_defs(tf, data):
    decoded = tf.io.decode_proto(
        _saver_defs(tf),
        "tensorflow.SaverDef",
        [
            "filename_tensor_name",
            "max_to_keep",
            "sharded",
            "keep_checkpoint_every_n_hours",
            "version",
        ],
        [tf.string, tf.int32, tf.bool, tf.float32, tf.int32],
    )
    return "value", (decoded.sizes, decoded.values)


@case()
def decode_example_messages(tf, data):
    train = tf.train
    examples = [
        train.Example(
            features=train.Features(
                feature={"k": train.Feature(int64_list=train.Int64List(value=values))}
            )
        ).SerializeToString()
        for values in ([1, 2, 300], [])
    ] + [b""]
    sizes, (features,) = tf.io.decode_proto(
        examples, "tensorflow.Example", ["features"], [tf.string]
    )
    return "value", (sizes, features)


def _points(tf, data):
    # fixture.Point: int32 x = 1; repeated float y = 2; string name = 3; bool flag = 4;
    # uint64 big = 5; sint64 neg = 6; repeated Point child = 7.
    return f"{data}/point.desc"


@case()
def encode_decode_points(tf, data):
    source = _points(tf, data)
    fields = ["x", "y", "name", "flag", "big", "neg"]
    sizes = tf.constant([[1, 2, 1, 1, 1, 1], [0, 3, 0, 1, 0, 1]], tf.int32)
    values = [
        tf.constant([[5], [0]], tf.int32),
        tf.constant([[0.5, 1.5, 0.0], [2.5, 3.5, 4.5]], tf.float32),
        tf.constant([[b"p"], [b""]]),
        tf.constant([[True], [False]]),
        tf.constant([[2**40], [0]], tf.uint64),
        tf.constant([[-3], [-(2**40)]], tf.int64),
    ]
    encoded = tf.io.encode_proto(sizes, values, fields, "fixture.Point", source)
    decoded = tf.io.decode_proto(
        encoded,
        "fixture.Point",
        fields,
        [tf.int32, tf.float32, tf.string, tf.bool, tf.uint64, tf.int64],
        descriptor_source=source,
    )
    return "value", (encoded, decoded.sizes, decoded.values)


@case()
def decode_text_points(tf, data):
    text = [b'x: 4 name: "t" child { x: 1 } child { x: 2 y: 0.5 }', b"y: 1 y: 2"]
    decoded = tf.io.decode_proto(
        text,
        "fixture.Point",
        ["x", "y", "child"],
        [tf.int32, tf.float32, tf.string],
        descriptor_source=_points(tf, data),
        message_format="text",
    )
    return "value", (decoded.sizes, decoded.values)


@case()
def decode_unknown_field(tf, data):
    return "error", tf.io.decode_proto(
        _saver_defs(tf), "tensorflow.SaverDef", ["nope"], [tf.string]
    ).sizes


# -- queues and files ------------------------------------------------------------------------


@case()
def priority_queue_order(tf, data):
    q = tf.queue.PriorityQueue(10, [tf.string, tf.int32], shapes=[[], [2]])
    fill = q.enqueue_many(
        ([5, 1, 9, 3], [b"e", b"a", b"i", b"c"], [[5, 5], [1, 1], [9, 9], [3, 3]])
    )
    with tf.control_dependencies([fill]):
        one = q.enqueue((2, b"b", [2, 2]))
    with tf.control_dependencies([one]):
        return "value", q.dequeue_many(5)


@case()
def priority_queue_named(tf, data):
    q = tf.compat.v1.io.PriorityQueue(3, [tf.float32], shapes=[[]], names=["p", "x"])
    put = q.enqueue({"p": tf.constant(4, tf.int64), "x": 0.5})
    with tf.control_dependencies([put]):
        return "value", q.dequeue()


@case()
def priority_queue_bad_priority(tf, data):
    q = tf.compat.v1.PriorityQueue(3, [tf.float32], shapes=[[]])
    priority = tf.compat.v1.placeholder_with_default(tf.constant([1, 2], tf.int64), None)
    return "error", q.enqueue((priority, 0.5))


@case()
def filenames_once(tf, data):
    files = tf.compat.v1.train.match_filenames_once(f"{data}/*.desc")
    return "value", (files, tf.io.match_filenames_once([f"{data}/none*"]))


@case()
def count_up_to_limit(tf, data):
    n = tf.compat.v1.Variable(3, name="n")
    return "value", tf.compat.v1.count_up_to(n, 5)


@case()
def count_up_to_past_limit(tf, data):
    n = tf.compat.v1.Variable(5, name="n")
    return "error", tf.compat.v1.count_up_to(n, 5)
