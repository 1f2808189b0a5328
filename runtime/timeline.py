"""Chrome trace (``chrome://tracing`` / Perfetto) from a run's ``StepStats``."""

from __future__ import annotations

import json


class Timeline:
    """TF's ``timeline.Timeline``: turn step stats into a Chrome trace.

    Each device gets a process ``"<device> Compute"``; ops are complete events (``X``)
    laid into lanes so that ops overlapping in time never share a lane; data flowing
    between lanes is drawn as flow arrows (``s``/``t``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     c = tf.constant(2.0) * 3.0
    ...     meta = tf.compat.v1.RunMetadata()
    ...     with tf.compat.v1.Session() as sess:
    ...         _ = sess.run(c, options=tf.compat.v1.RunOptions(trace_level=3), run_metadata=meta)
    >>> trace = json.loads(Timeline(meta.step_stats).generate_chrome_trace_format())
    >>> [e["args"]["name"] for e in trace["traceEvents"] if e["ph"] == "X"]
    ['Const', 'mul/y', 'mul']
    """

    def __init__(self, step_stats, graph=None):
        self._step_stats = step_stats
        self._graph = graph

    def generate_chrome_trace_format(
        self, show_dataflow: bool = True, show_memory: bool = False, op_time: str = "schedule"
    ) -> str:
        """The trace as pretty JSON text: ``{"traceEvents": [...]}``."""
        events: list = []
        placed: dict = {}  # node name -> (pid, tid, end time)
        for pid, dev_stats in enumerate(self._step_stats.dev_stats):
            events.append(_meta("process_name", pid, None, f"{dev_stats.device} Compute"))
            events.append(_meta("process_sort_index", pid, None, pid))
            lanes: list[int] = []  # end time of the last op in each lane
            for node in sorted(dev_stats.node_stats, key=lambda n: n.all_start_micros):
                start = _start(node, op_time)
                end = node.all_start_micros + node.all_end_rel_micros
                tid = _lane(lanes, start, end)
                name, op_type, inputs = _parse_label(node)
                args = {"name": node.node_name, "op": op_type}
                args.update({f"input{i}": x for i, x in enumerate(inputs)})
                events.append(
                    {
                        "ph": "X",
                        "cat": "Op",
                        "name": op_type,
                        "pid": pid,
                        "tid": tid,
                        "ts": start,
                        "dur": max(end - start, 0),
                        "args": args,
                    }
                )
                placed[name] = (pid, tid, end)
        if show_dataflow:
            events += _flows(self._step_stats, placed)
        return json.dumps({"traceEvents": events}, indent=1)


def _meta(kind, pid, tid, value) -> dict:
    key = "name" if kind.endswith("name") else "sort_index"
    event = {"ph": "M", "name": kind, "pid": pid, "args": {key: value}}
    if tid is not None:
        event["tid"] = tid
    return event


def _start(node, op_time: str) -> int:
    if op_time == "schedule" and node.scheduled_micros:
        return min(node.scheduled_micros, node.all_start_micros)
    return node.all_start_micros + (node.op_start_rel_micros if op_time == "gpu" else 0)


def _lane(lanes: list, start: int, end: int) -> int:
    for tid, lane_end in enumerate(lanes):
        if lane_end <= start:
            lanes[tid] = end
            return tid
    lanes.append(end)
    return len(lanes) - 1


def _parse_label(node):
    """``"name = Op(in1, in2)"`` -> (name, Op, [in1, in2])."""
    label = node.timeline_label
    if " = " not in label:
        return node.node_name, node.node_name, []
    name, _, rest = label.partition(" = ")
    op_type, _, args = rest.partition("(")
    inputs = [a.strip() for a in args.rstrip(")").split(",") if a.strip()]
    return name, op_type, inputs


def _flows(step_stats, placed: dict) -> list:
    events, flow_id = [], 0
    for dev_stats in step_stats.dev_stats:
        for node in dev_stats.node_stats:
            name, _, inputs = _parse_label(node)
            for source in inputs:
                source_name = source.lstrip("^").split(":")[0]
                if source_name not in placed or name not in placed:
                    continue
                (spid, stid, send), (dpid, dtid, _) = placed[source_name], placed[name]
                if (spid, stid) == (dpid, dtid):
                    continue
                flow_id += 1
                events.append(
                    {
                        "ph": "s",
                        "cat": "DataFlow",
                        "name": "dataflow",
                        "pid": spid,
                        "tid": stid,
                        "ts": send,
                        "id": flow_id,
                    }
                )
                events.append(
                    {
                        "ph": "t",
                        "cat": "DataFlow",
                        "name": "dataflow",
                        "pid": dpid,
                        "tid": dtid,
                        "ts": node.all_start_micros,
                        "id": flow_id,
                    }
                )
    return events
