"""Chrome traces from step stats (runtime.timeline.Timeline), as TF's timeline_test."""

from __future__ import annotations

import json

import numpy as np

import runtime as tf
from runtime.config import DeviceStepStats, NodeExecStats, StepStats
from runtime.timeline import Timeline

tf1 = tf.compat.v1


def _traced_run(fetch, config=None):
    meta = tf1.RunMetadata()
    with tf1.Session(config=config) as sess:
        sess.run(
            fetch, options=tf1.RunOptions(trace_level=tf1.RunOptions.FULL_TRACE), run_metadata=meta
        )
    return meta.step_stats


def test_every_event_has_a_phase_and_ops_are_complete_events(graph):
    a = tf.constant(1.0, name="num1")
    b = tf.constant(2.0, name="num2")
    step_stats = _traced_run(tf.add(a, b, name="result"))
    assert "/job:localhost/replica:0/task:0/device:CPU:0" in [
        d.device for d in step_stats.dev_stats
    ]
    trace = json.loads(Timeline(step_stats).generate_chrome_trace_format())
    events = trace["traceEvents"]
    assert all("ph" in e for e in events)
    ops = [e for e in events if e["ph"] == "X"]
    assert [e["args"]["name"] for e in ops] == ["num1", "num2", "result"]
    result = ops[-1]
    assert result["cat"] == "Op" and result["name"] == "AddV2"
    assert result["args"] == {"name": "result", "op": "AddV2", "input0": "num1", "input1": "num2"}
    assert all(e["dur"] >= 0 and e["ts"] > 0 for e in ops)
    names = [e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "process_name"]
    assert names == ["/job:localhost/replica:0/task:0/device:CPU:0 Compute"]


def test_three_cpu_devices_appear():
    config = tf1.ConfigProto(device_count={"CPU": 3})
    with tf.Graph().as_default():
        outputs = []
        for i in range(3):
            with tf.device(f"/cpu:{i}"):
                outputs.append(tf.constant(float(i)) * 2.0)
        step_stats = _traced_run(outputs, config)
    devices = {d.device for d in step_stats.dev_stats}
    assert {f"/job:localhost/replica:0/task:0/device:CPU:{i}" for i in range(3)} <= devices
    trace = json.loads(Timeline(step_stats).generate_chrome_trace_format())
    processes = [e for e in trace["traceEvents"] if e["ph"] == "M" and e["name"] == "process_name"]
    assert len(processes) == len(devices)


def _stats(*nodes, device="/cpu:0"):
    return StepStats(dev_stats=[DeviceStepStats(device=device, node_stats=list(nodes))])


def _node(name, start, duration, label):
    return NodeExecStats(
        node_name=name,
        all_start_micros=start,
        op_end_rel_micros=duration,
        all_end_rel_micros=duration,
        timeline_label=label,
    )


def test_overlapping_ops_get_different_lanes_and_flows_cross_them():
    stats = _stats(
        _node("a", 100, 50, "a = Const()"),
        _node("b", 120, 50, "b = Const()"),
        _node("c", 200, 10, "c = AddV2(a, b)"),
    )
    trace = json.loads(Timeline(stats).generate_chrome_trace_format())
    ops = {e["args"]["name"]: e for e in trace["traceEvents"] if e["ph"] == "X"}
    assert ops["a"]["tid"] != ops["b"]["tid"]
    assert ops["c"]["tid"] == ops["a"]["tid"]  # reuses a free lane
    flows = [e for e in trace["traceEvents"] if e["ph"] in "st"]
    assert [e["ph"] for e in flows] == ["s", "t"]  # only b -> c crosses lanes
    start, end = flows
    assert start["id"] == end["id"] and start["cat"] == "DataFlow"
    assert (start["tid"], end["tid"]) == (ops["b"]["tid"], ops["c"]["tid"])
    assert start["ts"] == 170 and end["ts"] == 200


def test_no_dataflow_when_disabled():
    stats = _stats(_node("a", 100, 50, "a = Const()"), _node("b", 120, 5, "b = Neg(a)"))

    def phases(show_dataflow):
        text = Timeline(stats).generate_chrome_trace_format(show_dataflow=show_dataflow)
        return [(e["ph"], e["name"]) for e in json.loads(text)["traceEvents"] if e["ph"] != "M"]

    ops = [("X", "Const"), ("X", "Neg")]
    assert phases(True) == [*ops, ("s", "dataflow"), ("t", "dataflow")]  # a -> b crosses lanes
    assert phases(False) == ops


def test_label_without_the_name_equals_form():
    stats = _stats(_node("weird", 1, 1, ""))
    (op,) = [
        e
        for e in json.loads(Timeline(stats).generate_chrome_trace_format())["traceEvents"]
        if e["ph"] == "X"
    ]
    assert op["name"] == "weird" and op["args"] == {"name": "weird", "op": "weird"}


def test_trace_of_a_parallel_run_is_valid_json_with_thread_lanes():
    config = tf1.ConfigProto(inter_op_parallelism_threads=2, intra_op_parallelism_threads=1)
    # The graph as written: the optimizer would fold the four equal products into one.
    config.graph_options.rewrite_options.disable_meta_optimizer = True
    config.graph_options.optimizer_options.opt_level = tf1.OptimizerOptions.L0
    with tf.Graph().as_default():
        x = tf.constant(np.ones((64, 64), np.float32))
        branches = [tf.matmul(x, x) for _ in range(4)]
        step_stats = _traced_run(branches, config)
    text = Timeline(step_stats).generate_chrome_trace_format()
    trace = json.loads(text)
    assert len([e for e in trace["traceEvents"] if e["ph"] == "X"]) == 5
    threads = {n.thread_id for d in step_stats.dev_stats for n in d.node_stats}
    assert len(threads) >= 1
