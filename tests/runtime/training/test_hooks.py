"""The standard session-run hooks, each in a MonitoredSession: what they log, save,
write and stop, and TF's errors for bad arguments."""

from __future__ import annotations

import json
import logging

import pytest

import runtime as tf
from runtime.summary import FileWriterCache, SessionLog, summary_iterator

v1 = tf.compat.v1
train = v1.train


@pytest.fixture
def counter(graph):
    step = train.get_or_create_global_step()
    return step, v1.assign_add(step, 1)


@pytest.fixture(autouse=True)
def fresh_writers():
    yield
    FileWriterCache.clear()


def run_steps(hooks, op, steps):
    with train.MonitoredSession(hooks=hooks) as sess:
        for _ in range(steps):
            if sess.should_stop():
                break
            sess.run(op)


def events(logdir):
    found = []
    for path in sorted(logdir.glob("events.out.tfevents.*")):
        found.extend(summary_iterator(str(path)))
    return found


def test_second_or_step_timer():
    timer = train.SecondOrStepTimer(every_secs=3600)
    assert timer.should_trigger_for_step(5)
    assert timer.update_last_triggered_step(5) == (None, None)
    assert not timer.should_trigger_for_step(500)  # an hour has not passed
    seconds, steps = timer.update_last_triggered_step(9)
    assert seconds >= 0 and steps == 4 and timer.last_triggered_step() == 9
    with pytest.raises(ValueError, match="Either every_secs or every_steps should be provided"):
        train.SecondOrStepTimer()
    with pytest.raises(ValueError, match="Can not provide both every_secs and every_steps"):
        train.SecondOrStepTimer(every_secs=1, every_steps=1)


def test_logging_tensor_hook_logs_every_n_iterations_and_at_end(graph, counter, caplog):
    step, advance = counter
    loss = tf.cast(step, tf.float32) * 0.5
    hook = train.LoggingTensorHook({"loss": loss, "step": step}, every_n_iter=2, at_end=True)
    with caplog.at_level(logging.INFO, logger="runtime"):
        run_steps([hook], advance, 5)
    lines = [r.getMessage() for r in caplog.records if "loss = " in r.getMessage()]
    assert len(lines) == 4  # iterations 0, 2, 4, and the end
    assert lines[-1].startswith("loss = 2.5, step = 5 (")
    assert lines[1].endswith(" sec)")  # later lines give the time since the last


def test_logging_tensor_hook_by_name_with_a_formatter(graph, caplog):
    tf.constant([1.0, 2.0], name="weights")
    hook = train.LoggingTensorHook(["weights"], every_n_iter=1, formatter=lambda v: f"w={v}")
    with caplog.at_level(logging.INFO, logger="runtime"):
        run_steps([hook], tf.no_op(), 1)
    assert "w={'weights': array([1., 2.], dtype=float32)}" in caplog.text


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "either at_end and/or exactly one of every_n_iter and every_n_secs"),
        ({"every_n_iter": 1, "every_n_secs": 1}, "exactly one of every_n_iter"),
        ({"every_n_iter": 0}, "invalid every_n_iter=0"),
    ],
)
def test_logging_tensor_hook_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        train.LoggingTensorHook({"x": "x"}, **kwargs)


def test_stop_at_step_hook_counts_from_where_the_session_starts(graph, counter):
    step, advance = counter
    start = step.assign(10)
    seen = []
    scaffold = train.Scaffold(init_fn=lambda scaffold, sess: sess.run(start))
    hook = train.StopAtStepHook(num_steps=3)
    with train.MonitoredSession(train.ChiefSessionCreator(scaffold=scaffold), [hook]) as sess:
        while not sess.should_stop():
            seen.append(int(sess.run(advance)))
    assert seen == [11, 12, 13]
    with pytest.raises(ValueError, match="One of num_steps or last_step must be specified"):
        train.StopAtStepHook()
    with pytest.raises(ValueError, match="Only one of num_steps or last_step can be specified"):
        train.StopAtStepHook(1, 2)


def test_hooks_needing_a_global_step_say_so(graph):
    with pytest.raises(RuntimeError, match="Global step should be created to use StopAtStepHook"):
        train.MonitoredSession(hooks=[train.StopAtStepHook(last_step=1)])


def test_nan_tensor_hook_raises_or_stops(graph, counter):
    _, advance = counter
    x = v1.placeholder(tf.float32, [])
    with pytest.raises(train.NanLossDuringTrainingError, match="NaN loss during training"):
        with train.MonitoredSession(hooks=[train.NanTensorHook(x)]) as sess:
            sess.run(advance, {x: float("nan")})
    with train.MonitoredSession(hooks=[train.NanTensorHook(x, fail_on_nan_loss=False)]) as sess:
        sess.run(advance, {x: 1.0})
        assert not sess.should_stop()
        sess.run(advance, {x: float("nan")})
        assert sess.should_stop()


class Listener(train.CheckpointSaverListener):
    def __init__(self, stop_after=None):
        self.calls = []
        self._stop_after = stop_after

    def begin(self):
        self.calls.append("begin")

    def before_save(self, session, global_step_value):
        self.calls.append(("before_save", int(global_step_value)))

    def after_save(self, session, global_step_value):
        self.calls.append(("after_save", int(global_step_value)))
        return self._stop_after is not None and global_step_value >= self._stop_after

    def end(self, session, global_step_value):
        self.calls.append(("end", int(global_step_value)))


def test_checkpoint_saver_hook_saves_every_n_steps_and_at_end(graph, counter, tmp_path):
    _, advance = counter
    tf.Variable(1.0, name="w")
    listener = Listener()
    saver = train.Saver(max_to_keep=10)
    hook = train.CheckpointSaverHook(str(tmp_path), save_steps=3, saver=saver, listeners=[listener])
    run_steps([hook], advance, 7)
    assert [int(p.rsplit("-", 1)[1]) for p in saver.last_checkpoints] == [0, 3, 6, 7]
    assert listener.calls[0] == "begin" and listener.calls[-1] == ("end", 7)
    assert ("before_save", 3) in listener.calls and ("after_save", 6) in listener.calls
    assert (tmp_path / "graph.pbtxt").exists()
    found = events(tmp_path)
    logs = [e.session_log for e in found if e.HasField("session_log")]
    assert [log.status for log in logs] == [SessionLog.CHECKPOINT] * 4
    metas = [e.meta_graph_def for e in found if e.HasField("meta_graph_def")]
    assert any(b"save/restore_all" in meta for meta in metas)  # with its saver, for TensorBoard


def test_a_listener_can_stop_training(graph, counter, tmp_path):
    _, advance = counter
    tf.Variable(1.0, name="w")
    hook = train.CheckpointSaverHook(
        str(tmp_path), save_steps=2, listeners=[Listener(stop_after=4)]
    )
    with train.MonitoredSession(hooks=[hook]) as sess:
        steps = 0
        while not sess.should_stop():
            sess.run(advance)
            steps += 1
    assert steps == 4


def test_checkpoint_saver_hook_arguments(graph, tmp_path):
    with pytest.raises(ValueError, match="You cannot provide both saver and scaffold"):
        train.CheckpointSaverHook(str(tmp_path), save_steps=1, saver=object(), scaffold=object())
    with pytest.raises(ValueError, match="Either every_secs or every_steps should be provided"):
        train.CheckpointSaverHook(str(tmp_path))


def test_step_counter_and_summary_saver_hooks_write_events(graph, counter, tmp_path):
    step, advance = counter
    v1.summary.scalar("double_step", tf.cast(step, tf.float32) * 2.0)
    summary_op = v1.summary.merge_all()
    hooks = [
        train.StepCounterHook(every_n_steps=2, output_dir=str(tmp_path)),
        train.SummarySaverHook(save_steps=2, output_dir=str(tmp_path), summary_op=summary_op),
    ]
    run_steps(hooks, advance, 6)
    FileWriterCache.get(str(tmp_path)).flush()
    found = events(tmp_path)
    rates = [e for e in found for v in e.summary.value if v.tag == "global_step/sec"]
    doubled = {
        e.step: v.simple_value for e in found for v in e.summary.value if v.tag == "double_step"
    }
    assert len(rates) >= 2 and all(v.simple_value > 0 for e in rates for v in e.summary.value)
    assert sorted(doubled) == [1, 3, 5] and all(doubled[s] in (2 * s - 2, 2 * s) for s in doubled)
    with pytest.raises(ValueError, match="Exactly one of scaffold or summary_op must be provided"):
        train.SummarySaverHook(save_steps=1, output_dir=str(tmp_path))


def test_final_ops_and_feed_fn_hooks(graph):
    x = v1.placeholder(tf.float32, [])
    total = tf.Variable(0.0, name="total")
    add = total.assign_add(x)
    feeds = iter([1.0, 2.0, 3.0])
    final = train.FinalOpsHook(total)
    hooks = [train.FeedFnHook(lambda: {x: next(feeds)}), final]
    run_steps(hooks, add, 3)
    assert final.final_ops_values == 6.0


def test_profiler_hook_writes_chrome_traces(graph, counter, tmp_path):
    _, advance = counter
    # A variable operand: a product of constants would be folded before the run.
    work = tf.reduce_sum(tf.matmul(tf.ones([8, 8]), v1.Variable(tf.ones([8, 8]))))
    hook = train.ProfilerHook(save_steps=2, output_dir=str(tmp_path))
    run_steps([hook], [advance, work], 5)
    traces = sorted(p.name for p in tmp_path.glob("timeline-*.json"))
    assert traces == ["timeline-2.json", "timeline-4.json"]  # every 2 steps, from the first
    trace = json.loads((tmp_path / "timeline-2.json").read_text())
    assert any(event.get("args", {}).get("op") == "MatMul" for event in trace["traceEvents"])


def test_global_step_waiter_hook_waits_for_the_step(graph, counter):
    step, advance = counter
    set_ready = step.assign(5)
    scaffold = train.Scaffold(init_fn=lambda scaffold, sess: sess.run(set_ready))
    hook = train.GlobalStepWaiterHook(wait_until_step=5)
    creator = train.ChiefSessionCreator(scaffold=scaffold)
    with train.MonitoredSession(creator, [hook]) as sess:
        assert sess.run(advance) == 6


def test_step_counter_warns_five_times_when_the_step_stands_still(graph, caplog, tmp_path):
    train.get_or_create_global_step()
    hook = train.StepCounterHook(every_n_steps=1, output_dir=str(tmp_path))
    with caplog.at_level(logging.WARNING, logger="runtime"):
        run_steps([hook], tf.no_op(), 10)
    warnings = [r for r in caplog.records if "has not been increased" in r.getMessage()]
    assert len(warnings) == 5
