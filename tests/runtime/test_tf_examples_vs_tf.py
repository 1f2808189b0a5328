"""Differences found running public TF1 example programs under TF 2.21 and the runtime.

Each test is the minimal repro of one difference; the expected values are what TF 2.21
gave for the same code (recorded by running it, TF is not imported here).
"""

from __future__ import annotations

import numpy as np

import runtime as tf

v1 = tf.compat.v1


class TestQueueOpNames:
    def test_enqueue_many_and_is_closed_default_names(self, graph):
        # TF 2.21 gives "fifo_queue_EnqueueMany" and "fifo_queue_Is_Closed".
        q = v1.FIFOQueue(10, [tf.float32])
        assert q.enqueue_many([[1.0, 2.0]]).name == "fifo_queue_EnqueueMany"
        assert q.is_closed().op.name == "fifo_queue_Is_Closed"

    def test_input_producer_queue_runner_enqueue_op(self, graph):
        # TF 2.21 gives ['input_producer/input_producer/input_producer_EnqueueMany'].
        v1.train.slice_input_producer([tf.constant([1, 2])], shuffle=False)
        runners = v1.get_collection(v1.GraphKeys.QUEUE_RUNNERS)
        assert [op.name for qr in runners for op in qr.enqueue_ops] == [
            "input_producer/input_producer/input_producer_EnqueueMany"
        ]


class TestTracedRunMetadata:
    def test_string_outputs_are_described_and_written(self, graph, tmp_path):
        # mnist_with_summaries.py traces a run that fetches merged summaries (strings) and
        # writes its metadata; TF 2.21 describes the string output with dtype 7 (DT_STRING).
        strings = tf.constant(["x", "yz"], name="strs")
        meta = v1.RunMetadata()
        with v1.Session() as sess:
            sess.run(strings, options=v1.RunOptions(trace_level=3), run_metadata=meta)
        stats = [n for d in meta.step_stats.dev_stats for n in d.node_stats]
        (node,) = [n for n in stats if n.node_name == "strs"]
        assert node.output[0].tensor_description.dtype == 7
        writer = v1.summary.FileWriter(str(tmp_path))
        writer.add_run_metadata(meta, "step1")
        writer.close()
        events = list(v1.train.summary_iterator(str(next(tmp_path.glob("events.*")))))
        assert [e.tagged_run_metadata.tag for e in events[1:]] == ["step1"]


class TestHooksCountStepsAsTF:
    def test_summary_and_checkpoint_steps(self, graph, tmp_path):
        # cifar10_train.py's MonitoredTrainingSession: the hooks fetch a copy of the global
        # step made in the run (before the increment). TF 2.21 writes summaries at steps
        # [1, 5] and checkpoints 0, 3, 6, 8 for save_steps 4 and 3 over 8 runs.
        step = v1.train.get_or_create_global_step()
        advance = v1.assign_add(step, 1)
        one = v1.summary.scalar("one", tf.constant(1.0))
        hooks = [
            v1.train.SummarySaverHook(save_steps=4, output_dir=str(tmp_path), summary_op=one),
            v1.train.CheckpointSaverHook(str(tmp_path), save_steps=3),
        ]
        with v1.train.MonitoredSession(hooks=hooks) as sess:
            for _ in range(8):
                sess.run(advance)
        events = v1.train.summary_iterator(str(next(tmp_path.glob("events.*"))))
        assert [e.step for e in events if e.summary.value] == [1, 5]
        assert sorted(p.name for p in tmp_path.glob("*.index")) == [
            "model.ckpt-0.index",
            "model.ckpt-3.index",
            "model.ckpt-6.index",
            "model.ckpt-8.index",
        ]
        read = v1.get_collection("global_step_read_op_cache")
        assert [t.name for t in read] == ["global_step/add:0"]

    def test_step_counter_tag_names_the_global_step(self, graph, tmp_path):
        # TF 2.21 tags the rate "global_step/sec" (the variable's name, not the copy's).
        advance = v1.assign_add(v1.train.get_or_create_global_step(), 1)
        hook = v1.train.StepCounterHook(every_n_steps=1, output_dir=str(tmp_path))
        with v1.train.MonitoredSession(hooks=[hook]) as sess:
            for _ in range(3):
                sess.run(advance)
        v1.summary.FileWriterCache.get(str(tmp_path)).flush()
        events = v1.train.summary_iterator(str(next(tmp_path.glob("events.*"))))
        tags = {v.tag for e in events for v in e.summary.value}
        assert tags == {"global_step/sec"}


class TestFetchingAFedVariable:
    def test_fetch_a_fed_variable_with_what_reads_it(self, graph):
        # TF 2.21: sess.run([W, y], {W: [5., 6.]}) gives [[5., 6.], [10., 12.]] and leaves
        # W as it was (the runtime raised KeyError building the run's plan).
        w = v1.Variable(tf.zeros([2]), name="W")
        y = w * 2.0
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            fetched_w, fetched_y = sess.run([w, y], {w: np.array([5.0, 6.0], np.float32)})
            assert fetched_w.tolist() == [5.0, 6.0] and fetched_y.tolist() == [10.0, 12.0]
            assert sess.run(w).tolist() == [0.0, 0.0]
