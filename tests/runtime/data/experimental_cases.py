"""``tf.data.experimental`` and the later ``Dataset`` methods, written once, run by real
TensorFlow (to record) and by the runtime.

The cases follow ``cases.py`` (each is ``case(tf, data)`` returning what to run, recorded
by :func:`cases.record`); ``tests/fixtures/tf_data_experimental/generate.py`` stores TF's
records and ``test_experimental_recorded.py`` compares the runtime's with them.
"""

from __future__ import annotations

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


def _it(tf, dataset):
    return tf.compat.v1.data.make_one_shot_iterator(dataset).get_next()


# -- stateful and ordering transformations ---------------------------------------------------


@case()
def scan_running_sum(tf, data):
    ds = tf.data.Dataset.range(6)
    return "dataset", ds.apply(
        tf.data.experimental.scan(tf.constant(0, tf.int64), lambda s, x: (s + x, s * 10))
    )


@case()
def scan_tuple_state_growing(tf, data):
    def step(state, x):
        total, seen = state
        return (total + x, tf.concat([seen, [x]], 0)), (total, tf.size(seen))

    initial = (tf.constant(0, tf.int64), tf.zeros([0], tf.int64))
    return "dataset", tf.data.Dataset.range(1, 5).scan(initial, step)


@case()
def take_while_below(tf, data):
    ds = tf.data.Dataset.from_tensor_slices([1, 3, 5, 2, 7])
    return "dataset", ds.apply(tf.data.experimental.take_while(lambda x: x < 5))


@case()
def unique_ints(tf, data):
    ds = tf.data.Dataset.from_tensor_slices([3, 1, 3, 2, 1, 4, 2])
    return "dataset", ds.apply(tf.data.experimental.unique())


@case()
def unique_strings(tf, data):
    ds = tf.data.Dataset.from_tensor_slices([b"b", b"a", b"b", b"c", b"a"])
    return "dataset", ds.unique()


@case()
def ignore_errors_bad_numbers(tf, data):
    ds = tf.data.Dataset.from_tensor_slices([1.0, 2.0, 0.0, 4.0])
    ds = ds.map(lambda x: tf.debugging.check_numerics(1.0 / x, "inf"))
    return "dataset", ds.apply(tf.data.experimental.ignore_errors())


@case()
def ignore_errors_bad_strings(tf, data):
    ds = tf.data.Dataset.from_tensor_slices(["1", "x", "3", "4.5", "5"])
    return "dataset", ds.map(lambda s: tf.strings.to_number(s, tf.int32)).ignore_errors()


@case()
def shard_second_of_three(tf, data):
    return "dataset", tf.data.Dataset.range(11).shard(3, 1)


@case()
def assert_cardinality_holds(tf, data):
    ds = tf.data.Dataset.range(4).filter(lambda x: x >= 0)
    return "dataset", ds.apply(tf.data.experimental.assert_cardinality(4))


@case()
def assert_cardinality_too_many(tf, data):
    ds = tf.data.Dataset.range(5).apply(tf.data.experimental.assert_cardinality(3))
    return "error", _it(tf, ds.batch(10))


@case()
def assert_cardinality_too_few(tf, data):
    ds = tf.data.Dataset.range(2).apply(tf.data.experimental.assert_cardinality(3))
    return "error", _it(tf, ds.batch(10))


def _cardinalities(tf):
    Dataset = tf.data.Dataset
    card = tf.data.experimental.cardinality
    r = Dataset.range(10)
    pipelines = [
        r,
        r.map(lambda x: x + 1),
        r.batch(3),
        r.batch(3, drop_remainder=True),
        r.repeat(2),
        r.repeat(),
        r.repeat().take(7),
        r.take(20),
        r.skip(4),
        r.skip(20),
        r.filter(lambda x: x > 2),
        r.shuffle(3),
        r.prefetch(1),
        r.cache(),
        Dataset.zip((r, r.take(4))),
        r.concatenate(r.take(3)),
        r.flat_map(lambda x: Dataset.from_tensors(x)),
        r.batch(2).unbatch(),
        Dataset.from_tensors([1, 2]),
        Dataset.from_tensor_slices([1, 2, 3]),
        r.apply(tf.data.experimental.assert_cardinality(10)),
        r.filter(lambda x: x > 2).apply(tf.data.experimental.assert_cardinality(7)),
        tf.data.experimental.Counter(),
        r.shard(3, 0),
        r.shard(3, 2),
        r.repeat(0),
        Dataset.range(0).repeat(),
        r.padded_batch(4, padded_shapes=[]),
        r.scan(tf.constant(0, tf.int64), lambda s, x: (s, x)),
        r.enumerate(),
        r.window(3),
        r.window(3, drop_remainder=True),
        r.take_while(lambda x: x < 3),
        r.unique(),
        r.ignore_errors(),
        r.apply(tf.data.experimental.map_and_batch(lambda x: x, 4)),
        r.apply(tf.data.experimental.map_and_batch(lambda x: x, 4, drop_remainder=True)),
    ]
    return [card(p) for p in pipelines]


@case()
def cardinality_of_pipelines(tf, data):
    return "value", _cardinalities(tf)


@case()
def cardinality_method(tf, data):
    return "value", tf.data.Dataset.range(7).batch(2).cardinality()


@case()
def get_single_element_tuple(tf, data):
    ds = tf.data.Dataset.from_tensors((tf.constant([1, 2]), tf.constant("x")))
    return "value", tf.data.experimental.get_single_element(ds)


@case()
def get_single_element_empty(tf, data):
    return "error", tf.data.experimental.get_single_element(tf.data.Dataset.range(0))


@case()
def get_single_element_two(tf, data):
    return "error", tf.data.Dataset.range(2).get_single_element()


@case()
def map_and_batch_remainder(tf, data):
    ds = tf.data.Dataset.range(7).apply(
        tf.data.experimental.map_and_batch(lambda x: (x, x * x), 3, num_parallel_calls=2)
    )
    return "dataset", ds


@case()
def map_and_batch_drop(tf, data):
    ds = tf.data.Dataset.range(7).apply(
        tf.data.experimental.map_and_batch(
            lambda x: {"v": tf.fill([2], x)}, 3, num_parallel_batches=2, drop_remainder=True
        )
    )
    return "dataset", ds


@case()
def parallel_interleave_blocks(tf, data):
    Dataset = tf.data.Dataset
    ds = Dataset.range(1, 5).apply(
        tf.data.experimental.parallel_interleave(
            lambda x: Dataset.from_tensors(x).repeat(x), cycle_length=2, block_length=2
        )
    )
    return "dataset", ds


@case("multiset")
def parallel_interleave_sloppy(tf, data):
    Dataset = tf.data.Dataset
    ds = Dataset.range(1, 4).apply(
        tf.data.experimental.parallel_interleave(
            lambda x: Dataset.range(x * 10, x * 10 + 3), cycle_length=3, sloppy=True
        )
    )
    return "dataset", ds


@case()
def choose_round_robin(tf, data):
    Dataset = tf.data.Dataset
    sources = [Dataset.from_tensors("a").repeat(), Dataset.from_tensors("b").repeat(2)]
    choices = Dataset.from_tensor_slices(tf.constant([0, 1, 1, 0, 1, 0], tf.int64))
    return "dataset", tf.data.experimental.choose_from_datasets(sources, choices)


@case()
def choose_stop_on_empty(tf, data):
    Dataset = tf.data.Dataset
    sources = [Dataset.range(3), Dataset.range(100, 101)]
    choices = Dataset.from_tensor_slices(tf.constant([1, 0, 1, 0, 0, 0], tf.int64))
    return "dataset", tf.data.experimental.choose_from_datasets(
        sources, choices, stop_on_empty_dataset=True
    )


@case()
def choose_out_of_range(tf, data):
    Dataset = tf.data.Dataset
    choices = Dataset.from_tensor_slices(tf.constant([0, 2], tf.int64))
    ds = tf.data.experimental.choose_from_datasets([Dataset.range(3), Dataset.range(3)], choices)
    return "error", _it(tf, ds.batch(5))


@case("multiset")
def sample_two_sources(tf, data):
    Dataset = tf.data.Dataset
    ds = tf.data.experimental.sample_from_datasets(
        [Dataset.range(5), Dataset.range(100, 103)], weights=[0.5, 0.5], seed=11
    )
    return "dataset", ds


@case()
def group_by_window_pairs(tf, data):
    ds = tf.data.Dataset.range(10).apply(
        tf.data.experimental.group_by_window(
            lambda x: x % 3, lambda key, window: window.batch(2), window_size=2
        )
    )
    return "dataset", ds


@case()
def group_by_window_size_func(tf, data):
    ds = tf.data.Dataset.range(12).group_by_window(
        key_func=lambda x: x % 2,
        reduce_func=lambda key, window: window.batch(10).map(lambda b: (key, b)),
        window_size_func=lambda key: key + 2,
    )
    return "dataset", ds


@case()
def group_by_reducer_sums(tf, data):
    reducer = tf.data.experimental.Reducer(
        init_func=lambda key: (tf.constant(0, tf.int64), tf.constant(0, tf.int64)),
        reduce_func=lambda state, x: (state[0] + x, state[1] + 1),
        finalize_func=lambda total, count: (total, count),
    )
    ds = tf.data.Dataset.range(10).apply(
        tf.data.experimental.group_by_reducer(lambda x: x % 3, reducer)
    )
    return "dataset", ds


@case()
def group_by_window_flush_order(tf, data):
    ds = tf.data.Dataset.from_tensor_slices(tf.constant([5, 4, 1, 5, 2, 4], tf.int64))
    return "dataset", ds.group_by_window(lambda x: x, lambda k, w: w.batch(3), window_size=3)


@case()
def group_by_reducer_key_order(tf, data):
    reducer = tf.data.experimental.Reducer(
        init_func=lambda key: tf.constant(0, tf.int64),
        reduce_func=lambda state, x: state * 10 + x,
        finalize_func=lambda state: state,
    )
    ds = tf.data.Dataset.from_tensor_slices(tf.constant([5, 4, 1, 5, 2, 4], tf.int64))
    return "dataset", ds.apply(tf.data.experimental.group_by_reducer(lambda x: x, reducer))


@case()
def bucket_by_length(tf, data):
    lengths = [1, 5, 2, 7, 3, 3, 8, 1, 4]
    ds = tf.data.Dataset.from_tensor_slices(tf.constant(lengths, tf.int64))
    ds = ds.map(lambda n: tf.fill([n], n))
    return "dataset", ds.apply(
        tf.data.experimental.bucket_by_sequence_length(
            lambda x: tf.shape(x)[0], [3, 6], [2, 2, 3], padding_values=tf.constant(-1, tf.int64)
        )
    )


@case()
def bucket_to_boundary(tf, data):
    ds = tf.data.Dataset.from_tensor_slices(tf.constant([1, 4, 2, 5, 1], tf.int64))
    ds = ds.map(lambda n: {"x": tf.fill([n], n), "n": n})
    return "dataset", ds.bucket_by_sequence_length(
        lambda d: tf.cast(d["n"], tf.int32),
        [3, 6],
        [2, 2, 2],
        pad_to_bucket_boundary=True,
        drop_remainder=True,
    )


@case()
def dense_to_sparse(tf, data):
    ds = tf.data.Dataset.range(1, 6).map(lambda n: tf.fill([n], tf.cast(n, tf.int32)))
    return "dataset", ds.apply(tf.data.experimental.dense_to_sparse_batch(2, [6]))


@case()
def counter_default(tf, data):
    return "dataset", tf.data.experimental.Counter().take(4)


@case()
def counter_down_int32(tf, data):
    return "dataset", tf.data.experimental.Counter(start=3, step=-2, dtype=tf.int32).take(4)


@case()
def enumerate_transform(tf, data):
    ds = tf.data.Dataset.from_tensor_slices(["p", "q"])
    return "dataset", ds.apply(tf.data.experimental.enumerate_dataset(start=3))


@case()
def unbatch_transform(tf, data):
    ds = tf.data.Dataset.from_tensor_slices([[1, 2], [3, 4]])
    return "dataset", ds.apply(tf.data.experimental.unbatch())


@case("epochs")
def shuffle_and_repeat_two(tf, data):
    ds = tf.data.Dataset.range(6)
    return "dataset", ds.apply(tf.data.experimental.shuffle_and_repeat(6, count=2, seed=4))


@case()
def from_list_tuples(tf, data):
    return "dataset", tf.data.experimental.from_list([(1, "a"), (2, "b"), (3, "c")])


@case()
def copy_to_cpu(tf, data):
    ds = tf.data.Dataset.range(4).apply(tf.data.experimental.copy_to_device("/cpu:0"))
    return "dataset", ds


@case()
def prefetch_to_cpu(tf, data):
    ds = tf.data.Dataset.range(5).apply(tf.data.experimental.prefetch_to_device("/cpu:0", 2))
    return "dataset", ds


@case()
def optional_next(tf, data):
    it = tf.compat.v1.data.make_one_shot_iterator(tf.data.Dataset.range(1))
    first = tf.data.experimental.get_next_as_optional(it)
    return "value", (first.has_value(), first.get_value())


@case()
def optional_from_value(tf, data):
    optional = tf.data.experimental.Optional.from_value(({"a": tf.constant(1.5)}, "s"))
    return "value", (optional.has_value(), optional.get_value())


@case()
def optional_empty_get(tf, data):
    it = tf.compat.v1.data.make_one_shot_iterator(tf.data.Dataset.range(0))
    return "error", tf.data.experimental.get_next_as_optional(it).get_value()


# -- readers ---------------------------------------------------------------------------------


@case()
def csv_dataset_header(tf, data):
    ds = tf.data.experimental.CsvDataset(
        f"{data}/table.csv", [tf.int32, "?", tf.float64, tf.constant([0], tf.int64)], header=True
    )
    return "dataset", ds


@case()
def csv_dataset_select_cols(tf, data):
    ds = tf.data.experimental.CsvDataset(
        [f"{data}/table.csv", f"{data}/table_more.csv"],
        [tf.constant([0], tf.int32), tf.constant([-1.0], tf.float32)],
        header=True,
        select_cols=[0, 2],
    )
    return "dataset", ds


@case()
def csv_dataset_exclude_na(tf, data):
    ds = tf.data.experimental.CsvDataset(
        f"{data}/table.csv",
        [tf.constant(["?"]), tf.constant([0], tf.int64)],
        header=True,
        exclude_cols=[0, 2],
        na_value="NA",
    )
    return "dataset", ds


@case()
def csv_dataset_missing_required(tf, data):
    ds = tf.data.experimental.CsvDataset(
        f"{data}/table.csv", [tf.int32, tf.string, tf.float64, tf.int64], header=True
    )
    return "error", _it(tf, ds.batch(4))


@case()
def csv_dataset_pipe_no_quotes(tf, data):
    ds = tf.data.experimental.CsvDataset(
        f"{data}/pipes.txt", [tf.string, tf.string], field_delim="|", use_quote_delim=False
    )
    return "dataset", ds


@case()
def make_csv_inferred(tf, data):
    ds = tf.data.experimental.make_csv_dataset(
        f"{data}/table.csv", batch_size=2, num_epochs=1, shuffle=False, na_value="NA"
    )
    return "dataset", ds


@case()
def make_csv_label_select(tf, data):
    ds = tf.data.experimental.make_csv_dataset(
        [f"{data}/table.csv"],
        batch_size=3,
        label_name="score",
        select_columns=["id", "score"],
        column_defaults=[0, 0.0],
        num_epochs=2,
        shuffle=False,
    )
    return "dataset", ds


@case()
def make_csv_named_no_header(tf, data):
    ds = tf.data.experimental.make_csv_dataset(
        f"{data}/pipes.txt",
        batch_size=4,
        column_names=["left", "right"],
        field_delim="|",
        use_quote_delim=False,
        header=False,
        num_epochs=1,
        shuffle=False,
    )
    return "dataset", ds


@case()
def sql_rows(tf, data):
    ds = tf.data.experimental.SqlDataset(
        "sqlite",
        f"{data}/people.sqlite",
        "SELECT name, age, height FROM people ORDER BY age",
        (tf.string, tf.int32, tf.float64),
    )
    return "dataset", ds


@case()
def sql_bad_query(tf, data):
    ds = tf.data.experimental.SqlDataset(
        "sqlite", f"{data}/people.sqlite", "SELECT nope FROM people", (tf.string,)
    )
    return "error", _it(tf, ds)


def _features(tf):
    return {
        "x": tf.io.FixedLenFeature([2], tf.float32),
        "label": tf.io.FixedLenFeature([], tf.int64),
        "tokens": tf.io.VarLenFeature(tf.int64),
    }


@case()
def parse_example_dataset_batches(tf, data):
    ds = tf.data.TFRecordDataset(f"{data}/../tf_data/examples.tfrecord").batch(2)
    return "dataset", ds.apply(tf.data.experimental.parse_example_dataset(_features(tf)))


@case()
def batched_features(tf, data):
    ds = tf.data.experimental.make_batched_features_dataset(
        f"{data}/../tf_data/examples.tfrecord",
        batch_size=4,
        features={
            "x": tf.io.FixedLenFeature([2], tf.float32),
            "label": tf.io.FixedLenFeature([], tf.int64),
        },
        reader=tf.data.TFRecordDataset,
        label_key="label",
        num_epochs=1,
        shuffle=False,
    )
    return "dataset", ds


@case()
def batched_features_gzip(tf, data):
    ds = tf.data.experimental.make_batched_features_dataset(
        [f"{data}/../tf_data/examples.tfrecord.gz"],
        batch_size=2,
        features={"name": tf.io.FixedLenFeature([], tf.string, default_value="-")},
        reader_args=["GZIP"],
        num_epochs=1,
        shuffle=False,
        drop_final_batch=True,
    )
    return "dataset", ds


@case()
def list_files_sorted(tf, data):
    return "dataset", tf.data.Dataset.list_files(f"{data}/table*.csv", shuffle=False)


@case()
def random_dataset_shape(tf, data):
    ds = tf.data.experimental.RandomDataset(seed=5).take(3).map(lambda x: tf.shape(x))
    return "dataset", ds


# -- options ---------------------------------------------------------------------------------
# Each scenario returns a JSON-ready record of what TF's (or the runtime's) Options did.

OPTIONS: dict = {}


def scenario(fn):
    OPTIONS[fn.__name__] = fn
    return fn


def _outcome(action) -> str:
    """The value of ``action()`` as text, or the class of the error it raised."""
    try:
        value = action()
    except Exception as err:  # the class is what is recorded
        return f"raises {type(err).__name__}"
    return getattr(value, "name", None) or repr(value)


@scenario
def option_defaults(tf):
    options = tf.data.Options()
    read = {
        "deterministic": lambda: options.deterministic,
        "experimental_deterministic": lambda: options.experimental_deterministic,
        "slack": lambda: options.experimental_slack,
        "external_state_policy": lambda: options.experimental_external_state_policy,
        "private_threadpool_size": lambda: options.threading.private_threadpool_size,
        "max_intra_op_parallelism": lambda: options.threading.max_intra_op_parallelism,
        "map_parallelization": lambda: options.experimental_optimization.map_parallelization,
        "apply_default_optimizations": (
            lambda: options.experimental_optimization.apply_default_optimizations
        ),
        "auto_shard_policy": lambda: options.experimental_distribute.auto_shard_policy,
        "num_devices": lambda: options.experimental_distribute.num_devices,
        "autotune_enabled": lambda: options.autotune.enabled,
        "autotune_algorithm": lambda: options.autotune.autotune_algorithm,
        "service_pinned": lambda: options.experimental_service.pinned,
        "equal_to_fresh": lambda: options == tf.data.Options(),
    }
    return {key: _outcome(action) for key, action in read.items()}


@scenario
def option_errors(tf):
    options = tf.data.Options()

    def unknown():
        options.no_such_option = 1

    def wrong_type():
        options.deterministic = "yes"

    def wrong_nested_type():
        options.threading = tf.data.experimental.OptimizationOptions()

    def mutate_read_back():
        ds = tf.data.Dataset.range(3).with_options(tf.data.Options())
        ds.options().deterministic = False

    def enum_policy():
        options.experimental_distribute.auto_shard_policy = 1

    actions = [unknown, wrong_type, wrong_nested_type, mutate_read_back, enum_policy]
    return {action.__name__: _outcome(action) for action in actions}


@scenario
def option_through_pipelines(tf):
    first = tf.data.Options()
    first.deterministic = False
    first.threading.private_threadpool_size = 3
    second = tf.data.Options()
    second.experimental_slack = True
    second.threading.private_threadpool_size = 5
    second.experimental_optimization.map_fusion = True
    ds = tf.data.Dataset.range(4).with_options(first)
    merged = ds.map(lambda x: x + 1).with_options(second).batch(2).options()
    other = tf.data.Dataset.range(2).with_options(second)
    zipped = tf.data.Dataset.zip((ds, other)).options()
    return {
        "merged": [
            merged.deterministic,
            merged.experimental_slack,
            merged.threading.private_threadpool_size,
            merged.experimental_optimization.map_fusion,
        ],
        "zipped": [
            zipped.deterministic,
            zipped.experimental_slack,
            zipped.threading.private_threadpool_size,
        ],
        "untouched": tf.data.Dataset.range(1).options() == tf.data.Options(),
        "first_unchanged": first.threading.private_threadpool_size,
    }


@scenario
def option_enums(tf):
    experimental = tf.data.experimental
    return {
        "shard_policies": sorted((p.name, int(p.value)) for p in experimental.AutoShardPolicy),
        "algorithms": sorted(a.name for a in experimental.AutotuneAlgorithm),
        "state_policies": sorted(p.name for p in experimental.ExternalStatePolicy),
        "constants": [
            experimental.INFINITE_CARDINALITY,
            experimental.UNKNOWN_CARDINALITY,
            experimental.SHARD_HINT,
            tf.data.INFINITE_CARDINALITY,
            tf.data.UNKNOWN_CARDINALITY,
            experimental.AUTOTUNE,
        ],
    }
