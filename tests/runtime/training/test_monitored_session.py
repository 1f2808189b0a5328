"""MonitoredSession, MonitoredTrainingSession, SingularMonitoredSession, Scaffold and
SessionManager: initialization or restore, the hooks' lifecycle and requests, stopping,
recovery from preemption, and restarting a killed training job from its checkpoint."""

from __future__ import annotations

import pytest

import runtime as tf
from runtime.errors import AbortedError, DeadlineExceededError, OutOfRangeError
from runtime.summary import summary_iterator

v1 = tf.compat.v1
train = v1.train


class Recorder(train.SessionRunHook):
    """Records each call, and optionally asks for fetches and feeds."""

    def __init__(self, fetches=None, feed_dict=None):
        self.calls, self.results = [], []
        self._fetches, self._feed_dict = fetches, feed_dict

    def begin(self):
        self.calls.append("begin")

    def after_create_session(self, session, coord):
        self.calls.append("after_create_session")

    def before_run(self, run_context):
        self.calls.append("before_run")
        if self._fetches is None and self._feed_dict is None:
            return None
        return train.SessionRunArgs(self._fetches, self._feed_dict)

    def after_run(self, run_context, run_values):
        self.calls.append("after_run")
        self.results.append(run_values.results)

    def end(self, session):
        self.calls.append("end")


@pytest.fixture
def counter(graph):
    """A global step and a train op that advances it."""
    step = train.get_or_create_global_step()
    return step, v1.assign_add(step, 1)


def test_hooks_see_the_lifecycle_in_order_and_get_what_they_fetch(graph, counter):
    step, advance = counter
    hook = Recorder(fetches={"step": step})
    with train.MonitoredSession(hooks=[hook]) as sess:
        assert graph.finalized
        assert sess.run(advance) == 1
        assert sess.run(advance) == 2
    assert hook.calls == [
        "begin",
        "after_create_session",
        *["before_run", "after_run"] * 2,
        "end",
    ]
    assert [r["step"] for r in hook.results] in ([0, 1], [1, 2])  # the stale or the new value
    assert not graph.finalized  # the session unfinalizes what it finalized


def test_hook_feeds_merge_with_the_callers_and_conflicts_are_refused(graph):
    x = v1.placeholder(tf.float32, [])
    y = v1.placeholder(tf.float32, [])
    total = x + y
    with train.MonitoredSession(hooks=[Recorder(feed_dict={x: 1.0})]) as sess:
        assert sess.run(total, {y: 2.0}) == 3.0
        with pytest.raises(RuntimeError, match="Same tensor is fed by a SessionRunHook and user"):
            sess.run(total, {x: 5.0, y: 2.0})
    hooks = [Recorder(feed_dict={x: 1.0}), Recorder(feed_dict={x: 2.0})]
    with train.MonitoredSession(hooks=hooks) as sess:
        with pytest.raises(RuntimeError, match="Same tensor is fed by two hooks"):
            sess.run(total, {y: 0.0})


def test_stop_requests_end_the_loop_and_a_later_run_is_refused(graph, counter):
    _, advance = counter
    with train.MonitoredSession(hooks=[train.StopAtStepHook(last_step=3)]) as sess:
        while not sess.should_stop():
            sess.run(advance)
        with pytest.raises(RuntimeError, match="Run called even after should_stop requested"):
            sess.run(advance)
    assert sess.should_stop()


def test_end_of_input_ends_the_session_quietly(graph):
    queue = v1.FIFOQueue(2, tf.float32)
    fill = queue.enqueue_many([[1.0, 2.0]])
    close = queue.close()
    item = queue.dequeue()
    hook = Recorder()
    seen = []
    with train.MonitoredSession(hooks=[hook]) as sess:
        sess.run(fill)
        sess.run(close)
        while not sess.should_stop():
            seen.append(sess.run(item))
    assert seen == [1.0, 2.0]
    assert hook.calls[-1] == "end"  # the end of the input is the normal end
    with pytest.raises(RuntimeError, match="Session is already closed"):
        sess.close()


def test_a_preempted_run_is_retried_on_a_new_session(graph, counter):
    _, advance = counter
    calls = []

    def flaky(value):
        calls.append(value)
        if len(calls) == 2:
            raise AbortedError(None, None, "the parameter server went away")
        return value

    guarded = v1.py_func(flaky, [tf.constant(1.0)], tf.float32)
    hook = Recorder()
    with train.MonitoredSession(hooks=[hook]) as sess:
        sess.run([advance, guarded])
        assert sess.run([guarded])[0] == 1.0  # failed once, recreated, run again
    assert hook.calls.count("after_create_session") == 2
    assert len(calls) == 3


def test_singular_session_does_not_recover(graph):
    def preempted(value):
        raise AbortedError(None, None, "preempted")

    failing = v1.py_func(preempted, [tf.constant(1.0)], tf.float32)
    with pytest.raises(AbortedError, match="preempted"):
        with train.SingularMonitoredSession() as sess:
            sess.run(failing)


def test_run_step_fn_runs_with_and_without_hooks_and_can_stop(graph, counter):
    step, advance = counter
    hook = Recorder()

    def step_fn(step_context):
        raw = step_context.session.run(step)
        hooked = step_context.run_with_hooks(advance)
        if hooked >= 2:
            step_context.request_stop()
        return raw, hooked

    with train.MonitoredSession(hooks=[hook]) as sess:
        assert sess.run_step_fn(step_fn) == (0, 1)
        sess.run_step_fn(step_fn)  # raises StopIteration, which the with block swallows
    assert hook.calls.count("before_run") == 2
    with pytest.raises(ValueError, match="`step_fn` may either have one `step_context` argument"):
        with train.MonitoredSession() as sess:
            sess.run_step_fn(lambda ctx, extra: None)


def test_queue_runner_errors_surface_in_the_caller(graph):
    queue = v1.FIFOQueue(4, tf.float32)

    def broken():
        raise ValueError("the producer broke")

    bad = v1.py_func(broken, [], tf.float32)
    train.add_queue_runner(train.QueueRunner(queue, [queue.enqueue(bad)]))
    item = queue.dequeue()
    with pytest.raises(Exception, match="the producer broke"):
        with train.MonitoredSession(stop_grace_period_secs=1) as sess:
            while not sess.should_stop():
                sess.run(item)


def test_scaffold_defaults_come_from_the_graph_and_init_fn_runs(graph):
    w = tf.Variable(1.0, name="w")
    local = tf.Variable(5.0, name="local", collections=[v1.GraphKeys.LOCAL_VARIABLES])
    set_w = w.assign(7.0)  # the graph is finalized before init_fn runs
    scaffold = train.Scaffold(init_fn=lambda scaffold, sess: sess.run(set_w))
    with train.MonitoredSession(train.ChiefSessionCreator(scaffold=scaffold)) as sess:
        assert sess.run([w, local]) == [7.0, 5.0]
    assert graph.get_collection("init_op") == [scaffold.init_op]
    assert graph.get_collection("local_init_op") == [scaffold.local_init_op]
    assert graph.get_collection("savers") == [scaffold.saver]
    assert train.Scaffold(copy_from_scaffold=scaffold).init_op is scaffold.init_op
    with pytest.raises(TypeError, match="copy_from_scaffold is not a Scaffold instance"):
        train.Scaffold(copy_from_scaffold=object())


def test_an_init_op_that_leaves_variables_uninitialized_is_reported(graph):
    tf.Variable(1.0, name="a")
    tf.Variable(2.0, name="forgotten")
    scaffold = train.Scaffold(init_op=tf.no_op(name="nothing"))
    with pytest.raises(
        RuntimeError, match=r"did not make model ready.*Variables not initialized: a, forgotten"
    ):
        train.MonitoredSession(train.ChiefSessionCreator(scaffold=scaffold))


def test_session_manager_recovers_or_reports_and_a_worker_times_out(graph, tmp_path):
    w = tf.Variable(3.0, name="w")
    saver = train.Saver()
    ready = v1.report_uninitialized_variables()
    manager = train.SessionManager(ready_op=ready, recovery_wait_secs=0.01)
    sess, restored = manager.recover_session("", saver=saver, checkpoint_dir=str(tmp_path))
    assert not restored
    sess.run(w.initializer)
    sess.run(w.assign(9.0))
    saver.save(sess, str(tmp_path / "model"))
    again, restored = manager.recover_session("", saver=saver, checkpoint_dir=str(tmp_path))
    assert restored and again.run(w) == 9.0
    with pytest.raises(
        DeadlineExceededError, match=r"Session was not ready after waiting 0\.05 secs"
    ):
        manager.wait_for_session("", max_wait_secs=0.05)
    with pytest.raises(ValueError, match="Can not provide both checkpoint_dir and"):
        manager.prepare_session(
            "", saver=saver, checkpoint_dir="a", checkpoint_filename_with_path="b"
        )


def _program(checkpoint_dir, stop_at, save_steps, fail_at=None):
    """A TF1 training loop under MonitoredTrainingSession; returns the step values seen."""
    seen = []
    with tf.Graph().as_default():
        step = train.get_or_create_global_step()
        w = tf.Variable(0.0, name="w")
        loss = tf.square(w - 10.0)
        v1.summary.scalar("loss", loss)
        op = train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
        hooks = [train.StopAtStepHook(last_step=stop_at)]
        with train.MonitoredTrainingSession(
            checkpoint_dir=checkpoint_dir,
            hooks=hooks,
            save_checkpoint_steps=save_steps,
            save_summaries_steps=2,
            log_step_count_steps=1,
        ) as sess:
            while not sess.should_stop():
                _, value = sess.run([op, step])
                seen.append(int(value))
                if fail_at is not None and value >= fail_at:
                    raise KeyboardInterrupt  # the job is killed
    return seen


def test_training_killed_midway_resumes_from_its_last_checkpoint(tmp_path):
    ckpt = str(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        _program(ckpt, stop_at=20, save_steps=5, fail_at=7)
    assert train.latest_checkpoint(ckpt).endswith("model.ckpt-5")
    seen = _program(ckpt, stop_at=20, save_steps=5)
    assert seen[0] in (5, 6) and seen[-1] in (19, 20)  # resumed at step 5, not 0
    assert train.latest_checkpoint(ckpt).endswith("model.ckpt-20")
    assert train.load_variable(ckpt, "global_step") == 20
    tags = set()
    for path in tmp_path.glob("events.out.tfevents.*"):
        for event in summary_iterator(str(path)):
            tags.update(value.tag for value in event.summary.value)
    assert {"loss", "global_step/sec"} <= tags
    assert (tmp_path / "graph.pbtxt").exists()


def test_non_chief_waits_for_the_chief(graph):
    tf.Variable(1.0, name="w")
    with pytest.raises(DeadlineExceededError):
        train.MonitoredTrainingSession(is_chief=False, max_wait_secs=0.0)


def test_out_of_range_is_not_swallowed_outside_a_with_block(graph):
    def exhausted():
        raise OutOfRangeError(None, None, "End of sequence")

    done = v1.py_func(exhausted, [], tf.float32)
    sess = train.MonitoredSession()
    with pytest.raises(OutOfRangeError):
        sess.run(done)
    sess.close()
    assert sess.should_stop()
