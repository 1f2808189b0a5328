"""tf.data iterators as session resources: initialisation, end of data, switching,
parallel map, prefetch, interrupts, errors, and the graph they make."""

from __future__ import annotations

import _thread
import threading
import time

import numpy as np
import pytest

import runtime as tf
from runtime.errors import (
    CancelledError,
    DataLossError,
    FailedPreconditionError,
    InvalidArgumentError,
    OutOfRangeError,
)

v1 = tf.compat.v1
Dataset = tf.data.Dataset
TWO_THREADS = v1.ConfigProto(inter_op_parallelism_threads=2)


def _drain(sess, element) -> list:
    values = []
    while True:
        try:
            values.append(sess.run(element))
        except OutOfRangeError:
            return values


class TestEndAndInitialisation:
    def test_end_of_data_is_out_of_range_each_time_naming_the_op(self, graph):
        x = v1.data.make_one_shot_iterator(Dataset.range(2)).get_next(name="next_x")
        with v1.Session() as sess:
            assert [sess.run(x), sess.run(x)] == [0, 1]
            for _ in range(2):
                with pytest.raises(
                    OutOfRangeError, match=r"IteratorGetNext 'next_x'.*End of sequence"
                ):
                    sess.run(x)

    def test_reinitialising_starts_over_with_new_feeds(self, graph):
        limit = v1.placeholder(tf.int64, [])
        it = v1.data.make_initializable_iterator(Dataset.range(limit).map(lambda x: x * 10))
        x = it.get_next()
        with v1.Session() as sess:
            sess.run(it.initializer, {limit: 5})
            assert [sess.run(x) for _ in range(2)] == [0, 10]
            sess.run(it.initializer, {limit: 3})
            assert _drain(sess, x) == [0, 10, 20]
            sess.run(it.initializer, {limit: 1})
            assert _drain(sess, x) == [0]

    def test_get_next_before_the_initializer_is_failed_precondition(self, graph):
        it = v1.data.make_initializable_iterator(Dataset.range(3))
        with (
            v1.Session() as sess,
            pytest.raises(FailedPreconditionError, match=r"not been initialized"),
        ):
            sess.run(it.get_next())

    def test_one_shot_iterator_has_no_initializer(self, graph):
        it = v1.data.make_one_shot_iterator(Dataset.range(3))
        with pytest.raises(ValueError, match=r"does not have an initializer"):
            it.initializer  # noqa: B018

    def test_a_one_shot_iterator_refuses_placeholders_and_state(self, graph):
        # TF 2.21's messages (checked): the pipeline is fixed when the graph is built.
        n = v1.placeholder(tf.int64, [], name="n")
        with pytest.raises(
            ValueError, match=r"Cannot capture a placeholder \(name:n, type:Placeholder\)"
        ):
            v1.data.make_one_shot_iterator(Dataset.range(n))
        limit = tf.Variable(3, dtype=tf.int64, name="limit")
        with pytest.raises(ValueError, match=r"Cannot capture a stateful node \(name:limit"):
            v1.data.make_one_shot_iterator(Dataset.range(limit).map(lambda x: x + 1))
        seeded = Dataset.range(5).map(lambda x: x + tf.cast(tf.random.uniform([], 0, 3), tf.int64))
        v1.data.make_one_shot_iterator(seeded)  # state inside a function is the pipeline's own

    def test_iterators_live_in_their_session(self, graph):
        x = v1.data.make_one_shot_iterator(Dataset.range(3)).get_next()
        with v1.Session() as first, v1.Session() as second:
            assert first.run(x) == 0 and first.run(x) == 1
            assert second.run(x) == 0  # its own iterator
        with v1.Session() as third:
            assert third.run(x) == 0  # the closed sessions' iterators are gone

    def test_a_variable_in_a_map_is_read_when_the_iterator_is_initialised(self, graph):
        # As TF 2.21's tf.compat.v1 (checked): the value is captured by the initializer.
        scale = tf.Variable(2, dtype=tf.int64)
        it = v1.data.make_initializable_iterator(Dataset.range(3).map(lambda x: x * scale))
        x = it.get_next()
        with v1.Session() as sess:
            sess.run([scale.initializer, it.initializer])
            assert sess.run(x) == 0 and sess.run(x) == 2
            sess.run(scale.assign(10))
            assert sess.run(x) == 4
            sess.run(it.initializer)
            assert sess.run(x) == 0 and sess.run(x) == 10


class TestSwitching:
    def test_from_structure_switches_between_datasets(self, graph):
        train = Dataset.range(100).batch(2)
        test = Dataset.range(50, 53).batch(2)
        it = v1.data.Iterator.from_structure(train.output_types, train.output_shapes)
        batch = it.get_next()
        use_train, use_test = it.make_initializer(train), it.make_initializer(test)
        with v1.Session() as sess:
            sess.run(use_train)
            assert sess.run(batch).tolist() == [0, 1]
            sess.run(use_test)
            assert [b.tolist() for b in _drain(sess, batch)] == [[50, 51], [52]]
            sess.run(use_train)
            assert sess.run(batch).tolist() == [0, 1]

    def test_from_structure_with_sparse_classes(self, graph):
        sparse = tf.SparseTensor(indices=[[1]], values=[5], dense_shape=[3])
        ds = Dataset.from_tensors(sparse).repeat(2)
        assert ds.output_classes is tf.SparseTensor and ds.output_shapes == tf.TensorShape([3])
        it = v1.data.Iterator.from_structure(
            ds.output_types, ds.output_shapes, output_classes=ds.output_classes
        )
        x = it.get_next()
        assert isinstance(x, tf.SparseTensor) and x.indices.shape == tf.TensorShape([None, 1])
        with v1.Session() as sess:
            sess.run(it.make_initializer(ds))
            values = _drain(sess, x)
        assert [v.values.tolist() for v in values] == [[5], [5]]
        assert values[0].dense_shape.tolist() == [3]

    def test_an_incompatible_dataset_is_refused_when_building(self, graph):
        it = v1.data.Iterator.from_structure(tf.int64, tf.TensorShape([]))
        with pytest.raises(TypeError, match=r"Expected output types"):
            it.make_initializer(Dataset.from_tensor_slices([1.0, 2.0]))

    def test_string_handles_switch_and_each_iterator_keeps_its_place(self, graph):
        train = v1.data.make_one_shot_iterator(Dataset.range(100))
        validation = v1.data.make_initializable_iterator(Dataset.range(1000, 1003))
        handle = v1.placeholder(tf.string, [])
        it = v1.data.Iterator.from_string_handle(handle, tf.int64, tf.TensorShape([]))
        x = it.get_next()
        with v1.Session() as sess:
            train_handle, validation_handle = sess.run(
                [train.string_handle(), validation.string_handle()]
            )
            sess.run(validation.initializer)
            assert [sess.run(x, {handle: train_handle}) for _ in range(3)] == [0, 1, 2]
            assert sess.run(x, {handle: validation_handle}) == 1000
            assert sess.run(x, {handle: train_handle}) == 3
            with pytest.raises(InvalidArgumentError, match=r"not the string handle of an iterator"):
                sess.run(x, {handle: b"iterator:nothing:here"})

    def test_a_handle_of_other_types_is_refused(self, graph):
        floats = v1.data.make_one_shot_iterator(Dataset.from_tensors(1.0))
        handle = v1.placeholder(tf.string, [])
        x = v1.data.Iterator.from_string_handle(handle, tf.int64).get_next()
        with v1.Session() as sess:
            text = sess.run(floats.string_handle())
            with pytest.raises(InvalidArgumentError, match=r"yields \(float32\).*\(int64\)"):
                sess.run(x, {handle: text})


class TestThreads:
    def test_parallel_map_runs_two_calls_at_once_and_keeps_the_order(self, graph):
        barrier = threading.Barrier(2, timeout=5)
        seen = []

        def slow_square(x):
            barrier.wait()  # returns only when two calls are running together
            seen.append(threading.get_ident())
            return x * x

        ds = Dataset.range(10).map(
            lambda x: tf.numpy_function(slow_square, [x], tf.int64), num_parallel_calls=2
        )
        x = v1.data.make_one_shot_iterator(ds).get_next()
        with v1.Session(config=TWO_THREADS) as sess:
            assert _drain(sess, x) == [n * n for n in range(10)]
        assert len(set(seen)) >= 2  # more than one data thread did the work

    def test_parallel_map_results_equal_the_sequential_ones(self, graph):
        numbers = np.random.default_rng(0).normal(size=(64, 3)).astype(np.float32)
        ds = Dataset.from_tensor_slices(numbers)

        def fn(v):
            return tf.reduce_sum(v * v) + tf.reduce_max(v)

        parallel = v1.data.make_one_shot_iterator(ds.map(fn, num_parallel_calls=2).batch(64))
        sequential = v1.data.make_one_shot_iterator(ds.map(fn).batch(64))
        with v1.Session(config=TWO_THREADS) as sess:
            a, b = sess.run([parallel.get_next(), sequential.get_next()])
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(a, (numbers**2).sum(1) + numbers.max(1), rtol=1e-6)

    def test_prefetch_produces_ahead_in_the_background(self, graph):
        produced = []

        def record(x):
            produced.append(int(x))
            return x

        ds = Dataset.range(10).map(lambda x: tf.numpy_function(record, [x], tf.int64))
        x = v1.data.make_one_shot_iterator(ds.prefetch(3)).get_next()
        with v1.Session() as sess:
            assert sess.run(x) == 0
            deadline = time.monotonic() + 5
            while len(produced) < 4 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert produced[:4] == [0, 1, 2, 3]  # one taken, three ready
            time.sleep(0.05)
            assert len(produced) == 4  # the buffer is full: the producer waits
            assert _drain(sess, x) == list(range(1, 10))

    def test_closing_the_session_stops_the_prefetch_thread(self, graph):
        x = v1.data.make_one_shot_iterator(Dataset.range(10**6).prefetch(2)).get_next()
        sess = v1.Session()
        sess.run(x)
        prefetchers = [t for t in threading.enumerate() if t.name == "tfgraph-prefetch"]
        assert prefetchers
        sess.close()
        for thread in prefetchers:
            thread.join(2)
            assert not thread.is_alive()


class TestInterrupts:
    """A notebook interrupt during ``sess.run(get_next)`` loses and duplicates nothing."""

    def _interrupt_at(self, started: threading.Event, release: threading.Event) -> threading.Thread:
        def interrupt():
            if started.wait(5):
                _thread.interrupt_main()
                time.sleep(0.2)
            release.set()

        thread = threading.Thread(target=interrupt, daemon=True)
        thread.start()
        return thread

    @pytest.mark.parametrize("prefetch", [False, True], ids=["map", "prefetch"])
    def test_an_interrupted_epoch_continues_where_it_was(self, graph, prefetch):
        started, release = threading.Event(), threading.Event()

        def slow_at_five(x):
            if x == 5 and not release.is_set():
                started.set()
                release.wait(5)
            return x

        ds = Dataset.range(12).map(lambda x: tf.numpy_function(slow_at_five, [x], tf.int64))
        if prefetch:
            ds = ds.prefetch(2)
        x = v1.data.make_one_shot_iterator(ds).get_next()
        with v1.Session(config=TWO_THREADS) as sess:
            seen = [sess.run(x) for _ in range(3)]
            thread = self._interrupt_at(started, release)
            with pytest.raises(KeyboardInterrupt):
                while True:
                    seen.append(sess.run(x))
            thread.join()
            seen += _drain(sess, x)
        assert seen == list(range(12))

    def test_an_interrupted_reader_pipeline_continues(self, graph, tmp_path):
        path = tmp_path / "lines.txt"
        path.write_text("".join(f"{i}\n" for i in range(6)))
        files = v1.train.string_input_producer([str(path)], num_epochs=1, shuffle=False)
        _, line = v1.TextLineReader().read(files)
        started, release = threading.Event(), threading.Event()

        def slow_at_three(text):
            if text == b"3" and not release.is_set():
                started.set()
                release.wait(5)
            return text

        value = tf.numpy_function(slow_at_three, [line], tf.string)
        with v1.Session(config=TWO_THREADS) as sess:
            sess.run(v1.local_variables_initializer())
            coord = v1.train.Coordinator()
            threads = v1.train.start_queue_runners(sess, coord)
            seen = [sess.run(value) for _ in range(3)]
            thread = self._interrupt_at(started, release)
            with pytest.raises(KeyboardInterrupt):
                sess.run(value)
            thread.join()
            seen += _drain(sess, value)
            coord.request_stop()
            coord.join(threads)
        # The interrupted run's line was read: like TF's, readers do not roll back.
        assert seen == [b"0", b"1", b"2", b"4", b"5"]


class TestErrors:
    def test_a_failing_map_call_fails_that_element_only(self, graph):
        def fail_on_two(x):
            if x == 2:
                raise ValueError("two is not allowed")
            return x

        ds = Dataset.range(5).map(lambda x: tf.numpy_function(fail_on_two, [x], tf.int64))
        x = v1.data.make_one_shot_iterator(ds).get_next()
        with v1.Session() as sess:
            assert [sess.run(x), sess.run(x)] == [0, 1]
            with pytest.raises(InvalidArgumentError, match=r"two is not allowed"):
                sess.run(x)
            assert _drain(sess, x) == [3, 4]

    def test_build_time_checks(self, graph):
        with pytest.raises(ValueError, match=r"rank >= 1"):
            Dataset.from_tensor_slices(1.0)
        with pytest.raises(ValueError, match=r"must return a `tf.bool` scalar"):
            Dataset.range(3).filter(lambda x: x)
        with pytest.raises(TypeError, match=r"must return a `tf.data.Dataset`"):
            Dataset.range(3).flat_map(lambda x: x)
        with pytest.raises(TypeError, match=r"structure of `tf.data.Dataset` objects"):
            Dataset.zip((Dataset.range(3), 4))
        with pytest.raises(TypeError, match=r"Incompatible dataset elements"):
            Dataset.range(3).concatenate(Dataset.from_tensors(1.0))
        with pytest.raises(RuntimeError, match=r"make_one_shot_iterator"):
            iter(Dataset.range(3))

    def test_run_time_argument_checks(self, graph):
        size = v1.placeholder(tf.int64, [])
        it = v1.data.make_initializable_iterator(Dataset.range(3).batch(size))
        with (
            v1.Session() as sess,
            pytest.raises(InvalidArgumentError, match=r"Batch size must be greater than zero"),
        ):
            sess.run(it.initializer, {size: 0})

    def test_padded_batch_to_a_smaller_size_fails(self, graph):
        ds = Dataset.range(1, 4).map(lambda x: tf.fill([x], x)).padded_batch(3, padded_shapes=[2])
        x = v1.data.make_one_shot_iterator(ds).get_next()
        with (
            v1.Session() as sess,
            # DataLossError, not InvalidArgumentError (TF 2.21)
            pytest.raises(DataLossError, match=r"pad to a smaller size"),
        ):
            sess.run(x)

    def test_a_generator_of_the_wrong_shape_fails(self, graph):
        ds = Dataset.from_generator(lambda: iter([[1, 2]]), tf.int64, tf.TensorShape([]))
        x = v1.data.make_one_shot_iterator(ds).get_next()
        with v1.Session() as sess, pytest.raises(InvalidArgumentError, match=r"shape"):
            sess.run(x)


class TestCache:
    def test_a_file_cache_is_read_by_the_next_session(self, graph, tmp_path):
        calls = []

        def counted(x):
            calls.append(int(x))
            return x

        prefix = str(tmp_path / "cache")
        ds = Dataset.range(4).map(lambda x: tf.numpy_function(counted, [x], tf.int64))
        x = v1.data.make_one_shot_iterator(ds.cache(prefix)).get_next()
        with v1.Session() as sess:
            assert _drain(sess, x) == [0, 1, 2, 3]
        with v1.Session() as sess:
            assert _drain(sess, x) == [0, 1, 2, 3]
        assert calls == [0, 1, 2, 3]  # the second pass came from the files

    def test_a_corrupt_cache_file_is_data_loss(self, graph, tmp_path):
        prefix = str(tmp_path / "cache")
        x = v1.data.make_one_shot_iterator(Dataset.range(3).cache(prefix)).get_next()
        with v1.Session() as sess:
            _drain(sess, x)
        data = tmp_path / "cache.data-00000-of-00001"
        data.write_bytes(data.read_bytes()[:-5])
        with v1.Session() as sess, pytest.raises(DataLossError, match=r"cache.data"):
            _drain(sess, x)

    def test_strings_survive_the_file_cache(self, graph, tmp_path):
        ds = Dataset.from_tensor_slices((["a", "bc", ""], [[1.5], [2.5], [3.5]]))
        x = v1.data.make_one_shot_iterator(ds.cache(str(tmp_path / "c")).repeat(2)).get_next()
        with v1.Session() as sess:
            values = _drain(sess, x)
        assert [s for s, _ in values] == [b"a", b"bc", b""] * 2
        assert [float(f[0]) for _, f in values] == [1.5, 2.5, 3.5] * 2


class TestGraph:
    def test_the_pipeline_is_tfs_ops_and_exports_its_functions(self, graph):
        offset = tf.constant(3, tf.int64, name="offset")
        ds = Dataset.range(8).map(lambda x: x + offset, num_parallel_calls=2).batch(2).prefetch(1)
        it = v1.data.make_initializable_iterator(ds)
        it.get_next()
        types = [op.type for op in graph.get_operations()]
        for expected in (
            "RangeDataset",
            "ParallelMapDatasetV2",
            "BatchDatasetV2",
            "PrefetchDataset",
            "IteratorV2",
            "MakeIterator",
            "IteratorGetNext",
        ):
            assert expected in types
        mapped = graph.get_operation_by_name("ParallelMapDatasetV2")
        assert [t.op.name for t in mapped.inputs] == [
            "RangeDataset",
            "offset",
            "num_parallel_calls",
        ]
        assert mapped.outputs[0].dtype == tf.variant
        graph_def = graph.as_graph_def()
        nodes = {node.name: node for node in graph_def.node}
        function = nodes["ParallelMapDatasetV2"].attr["f"]
        assert function.WhichOneof("value") == "func"
        library = {f.signature.name: f for f in graph_def.library.function}
        assert "AddV2" in [node.op for node in library[function.func.name].node_def]
        output_types = nodes["ParallelMapDatasetV2"].attr["output_types"].list.type
        assert output_types == [tf.int64.as_datatype_enum]

    def test_a_pipeline_graph_def_round_trips_and_runs_again(self, graph):
        from runtime.graph_def import GraphDef
        from runtime.importer import import_graph_def

        offset = tf.constant(3, tf.int64)
        ds = Dataset.range(8).map(lambda x: x + offset).batch(2).prefetch(1)
        v1.data.make_initializable_iterator(ds).get_next()
        wire = GraphDef.FromString(graph.as_graph_def().SerializeToString())
        with tf.Graph().as_default() as copy:
            import_graph_def(wire, name="")
            batch = copy.get_tensor_by_name("IteratorGetNext:0")
            with v1.Session() as sess:
                sess.run(copy.get_operation_by_name("MakeIterator"))
                assert [b.tolist() for b in _drain(sess, batch)] == [
                    [3, 4],
                    [5, 6],
                    [7, 8],
                    [9, 10],
                ]

    def test_output_structure_of_a_nested_dataset(self, graph):
        ds = Dataset.from_tensor_slices(({"a": [[1, 2]], "b": ["x"]}, [1.0]))
        assert ds.output_types == ({"a": tf.int32, "b": tf.string}, tf.float32)
        assert ds.output_shapes == (
            {"a": tf.TensorShape([2]), "b": tf.TensorShape([])},
            tf.TensorShape([]),
        )
        assert ds.output_classes == ({"a": tf.Tensor, "b": tf.Tensor}, tf.Tensor)
        first, second = v1.data.make_one_shot_iterator(ds).get_next()
        assert first["a"].shape == tf.TensorShape([2]) and second.dtype == tf.float32


def test_a_get_next_waiting_on_prefetch_is_cancelled_by_close(graph):
    gate = threading.Event()
    ds = Dataset.range(3).map(
        lambda x: tf.numpy_function(lambda v: gate.wait(5) and v, [x], tf.int64)
    )
    x = v1.data.make_one_shot_iterator(ds.prefetch(1)).get_next()
    sess = v1.Session(config=TWO_THREADS)
    outcome = {}

    def run():
        try:
            sess.run(x)
        except CancelledError as err:
            outcome["error"] = err

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    time.sleep(0.2)
    sess.close()
    thread.join(5)
    gate.set()
    assert isinstance(outcome.get("error"), CancelledError)
