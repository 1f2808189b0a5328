"""ConfigProto / RunOptions / RunMetadata: TF's field names, and what a run fills in."""

from __future__ import annotations

import pytest

import runtime as tf

tf1 = tf.compat.v1


def test_config_fields_and_defaults():
    config = tf1.ConfigProto()
    assert config.device_count == {} and config.allow_soft_placement is False
    assert config.inter_op_parallelism_threads == 0 and config.operation_timeout_in_ms == 0
    assert config.graph_options.place_pruned_graph is False
    config.gpu_options.allow_growth = True
    config.gpu_options.per_process_gpu_memory_fraction = 0.5
    config.graph_options.build_cost_model = 5
    assert config.HasField("gpu_options") and not tf1.ConfigProto().HasField("gpu_options")


def test_nested_messages_from_dicts_and_objects():
    config = tf1.ConfigProto(
        graph_options={"infer_shapes": True}, gpu_options=tf1.GPUOptions(allow_growth=True)
    )
    assert config.graph_options.infer_shapes and config.gpu_options.allow_growth
    assert isinstance(config.graph_options, tf1.GraphOptions)


def test_unknown_fields_are_errors():
    with pytest.raises(
        ValueError, match='Protocol message ConfigProto has no "allow_soft_placment" field'
    ):
        tf1.ConfigProto(allow_soft_placment=True)
    with pytest.raises(
        AttributeError,
        match='Assignment not allowed \\(no field "bogus" in protocol message object\\)',
    ):
        tf1.RunOptions().bogus = 1
    with pytest.raises(ValueError, match='Protocol message has no non-repeated field "nope"'):
        tf1.RunOptions().HasField("nope")


def test_copy_from_and_clear():
    a = tf1.RunOptions(trace_level=3, timeout_in_ms=5)
    b = tf1.RunOptions()
    b.CopyFrom(a)
    assert (b.trace_level, b.timeout_in_ms) == (3, 5)
    b.Clear()
    assert b == tf1.RunOptions()


def test_run_options_constants():
    assert (tf1.RunOptions.NO_TRACE, tf1.RunOptions.SOFTWARE_TRACE) == (0, 1)
    assert (tf1.RunOptions.HARDWARE_TRACE, tf1.RunOptions.FULL_TRACE) == (2, 3)


def test_thread_pool_options():
    pool = tf1.ThreadPoolOptionProto(num_threads=2, global_name="g")
    config = tf1.ConfigProto(session_inter_op_thread_pool=[pool])
    assert config.session_inter_op_thread_pool[0].global_name == "g"


# -- what runs fill in -------------------------------------------------------------------


@pytest.fixture
def traced(sess):
    return sess, tf.constant(2.0, name="a") * 3.0


@pytest.mark.parametrize(
    ("options", "metadata", "stats"),
    [
        (None, None, None),
        (tf1.RunOptions(trace_level=tf1.RunOptions.SOFTWARE_TRACE), None, None),
        (None, tf1.RunMetadata(), 0),
        (tf1.RunOptions(trace_level=tf1.RunOptions.SOFTWARE_TRACE), tf1.RunMetadata(), 1),
        (tf1.RunOptions(trace_level=tf1.RunOptions.FULL_TRACE), tf1.RunMetadata(), 1),
    ],
)
def test_step_stats_only_when_tracing_and_asked(traced, options, metadata, stats):  # 73, 74
    sess, c = traced
    assert sess.run(c, options=options, run_metadata=metadata) == 6.0
    if metadata is not None:
        assert len(metadata.step_stats.dev_stats) == stats


def test_step_stats_content(traced):
    sess, c = traced
    meta = tf1.RunMetadata()
    sess.run(c, options=tf1.RunOptions(trace_level=3), run_metadata=meta)
    (dev,) = meta.step_stats.dev_stats
    assert dev.device == "/job:localhost/replica:0/task:0/device:CPU:0"
    names = [n.node_name for n in dev.node_stats]
    assert names == ["a", "mul/y", "mul"]
    mul = dev.node_stats[-1]
    assert mul.timeline_label == "mul = Mul(a, mul/y)"
    assert mul.all_start_micros > 0 and mul.all_end_rel_micros >= mul.op_end_rel_micros >= 0
    assert mul.thread_id != 0
    assert mul.output[0].tensor_description.shape == []
    assert mul.output[0].tensor_description.allocation_description.requested_bytes == 4
    assert mul.memory[0].total_bytes == 4


def test_metadata_is_overwritten_each_run(traced):
    sess, c = traced
    meta = tf1.RunMetadata()
    sess.run(c, options=tf1.RunOptions(trace_level=3), run_metadata=meta)
    assert len(meta.step_stats.dev_stats) == 1
    sess.run(c, run_metadata=meta)
    assert len(meta.step_stats.dev_stats) == 0


def test_partition_graphs_then_none(traced):  # 79
    sess, c = traced
    meta = tf1.RunMetadata()
    sess.run(c, options=tf1.RunOptions(output_partition_graphs=True), run_metadata=meta)
    assert len(meta.partition_graphs) == 1
    assert [n.name for n in meta.partition_graphs[0].node] == ["a", "mul/y", "mul"]
    sess.run(c, run_metadata=meta)
    assert len(meta.partition_graphs) == 0


def test_partition_graphs_per_device():
    config = tf1.ConfigProto(device_count={"CPU": 2})
    with tf.Graph().as_default():
        with tf.device("/cpu:0"):
            a = tf.constant(1.0)
        with tf.device("/cpu:1"):
            b = a + 1.0
        with tf1.Session(config=config) as sess:
            meta = tf1.RunMetadata()
            sess.run(b, options=tf1.RunOptions(output_partition_graphs=True), run_metadata=meta)
    assert len(meta.partition_graphs) == 2


def test_build_cost_model_at_the_hundredth_run():  # 78
    config = tf1.ConfigProto(
        allow_soft_placement=True, graph_options=tf1.GraphOptions(build_cost_model=100)
    )
    with tf.Graph().as_default():
        with tf.device("/device:GPU:0"):
            a = tf.constant(3.0, name="a") * 2.0
        with tf1.Session(config=config) as sess:
            hits = []
            for i in range(120):
                meta = tf1.RunMetadata()
                assert sess.run(a, run_metadata=meta) == 6.0
                if meta.HasField("cost_graph"):
                    hits.append(i)
                    assert [n.name for n in meta.cost_graph.node] == ["a", "mul/y", "mul"]
                    assert meta.cost_graph.node[0].device.endswith("device:CPU:0")
    assert hits == [99]


def test_build_cost_model_after():
    config = tf1.ConfigProto(
        graph_options=tf1.GraphOptions(build_cost_model=2, build_cost_model_after=3)
    )
    with tf.Graph().as_default():
        a = tf.constant(1.0)
        with tf1.Session(config=config) as sess:
            hits = []
            for i in range(8):
                meta = tf1.RunMetadata()
                sess.run(a, run_metadata=meta)
                if meta.HasField("cost_graph"):
                    hits.append(i)
    assert hits == [3, 5, 7]


def test_infer_shapes():  # 76, 77
    with tf.Graph().as_default():
        tf.constant([[1.0, 2.0]], name="a")
        with tf1.Session() as sess:
            assert "_output_shapes" not in sess.graph_def.node[0].attr
        config = tf1.ConfigProto(graph_options=tf1.GraphOptions(infer_shapes=True))
        with tf1.Session(config=config) as sess:
            shapes = sess.graph_def.node[0].attr["_output_shapes"]
    assert [d.size for d in shapes.list.shape[0].dim] == [1, 2]
