"""Event files: what FileWriter writes, TensorBoard's own reader (the ``tensorboard``
package's EventAccumulator) reads back with the right tags, steps and values; TF's
event file (tests/fixtures/tf_summaries/events) reads here; LogdirWatcher follows
files as they grow."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from tensorboard.backend.event_processing import event_accumulator
from tensorboard.compat.proto import config_pb2 as tb_config_pb2

import runtime as tf
from runtime.errors import DataLossError
from runtime.records import encode_record
from runtime.summary import (
    FileWriter,
    FileWriterCache,
    LogdirWatcher,
    SessionLog,
    Summary,
    read_events,
    summary_iterator,
)
from runtime.summary.kernels import histogram_proto

v1 = tf.compat.v1
HERE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tf_summaries")
SIZES = {"scalars": 0, "histograms": 0, "images": 0, "audio": 0, "tensors": 0}


def _accumulate(logdir) -> event_accumulator.EventAccumulator:
    accumulator = event_accumulator.EventAccumulator(str(logdir), size_guidance=SIZES)
    accumulator.Reload()
    return accumulator


def _train(logdir, steps=5):
    """A training loop with every kind of summary; returns the histogram values per step."""
    written = []
    with tf.Graph().as_default() as graph:
        w = tf.Variable([1.0, -2.0, 3.0], name="w")
        loss = tf.reduce_sum(tf.square(w), name="loss_value")
        v1.summary.scalar("loss", loss)
        v1.summary.histogram("weights", w)
        v1.summary.image("picture", tf.reshape(tf.abs(w), [1, 1, 3, 1]))
        v1.summary.audio("sound", tf.reshape(w / 4.0, [1, 3]), 8000)
        v1.summary.text("note", tf.constant("hello"))
        merged = v1.summary.merge_all()
        step = w.assign(w * 0.5)
        writer = FileWriter(str(logdir), graph)
        writer.add_session_log(SessionLog(status=SessionLog.START), 0)
        with v1.Session() as sess:
            sess.run(w.initializer)
            for i in range(steps):
                written.append(sess.run(w))
                writer.add_summary(sess.run(merged), global_step=i)
                meta = v1.RunMetadata()
                options = v1.RunOptions(trace_level=v1.RunOptions.FULL_TRACE)
                sess.run(step, options=options, run_metadata=meta)
                if i == 2:
                    writer.add_run_metadata(meta, "step2", global_step=i)
        writer.close()
    return writer, written


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("logs")
    writer, written = _train(logdir)
    return logdir, writer, written, _accumulate(logdir)


class TestTensorBoardReadsWhatIsWritten:
    def test_tags_by_kind(self, run):
        tags = run[3].Tags()
        assert tags["scalars"] == ["loss"]
        assert tags["histograms"] == ["weights"]
        assert tags["images"] == ["picture/image/0"]
        assert tags["audio"] == ["sound/audio/0"]
        assert tags["tensors"] == ["note"]
        assert tags["graph"] is True and tags["run_metadata"] == ["step2"]

    def test_scalars_steps_and_values(self, run):
        _, _, written, accumulator = run
        scalars = accumulator.Scalars("loss")
        assert [s.step for s in scalars] == [0, 1, 2, 3, 4]
        np.testing.assert_allclose([s.value for s in scalars], [np.sum(w**2) for w in written])

    def test_histogram_buckets(self, run):
        _, _, written, accumulator = run
        histograms = accumulator.Histograms("weights")
        assert [h.step for h in histograms] == [0, 1, 2, 3, 4]
        for histogram, values in zip(histograms, written):
            expected = histogram_proto(values)
            got = histogram.histogram_value
            assert (got.min, got.max, got.num, got.sum) == (
                expected.min,
                expected.max,
                expected.num,
                expected.sum,
            )
            assert list(got.bucket_limit) == list(expected.bucket_limit)
            assert list(got.bucket) == list(expected.bucket)

    def test_images_audio_text_graph_and_run_metadata(self, run):
        _, _, _, accumulator = run
        image = accumulator.Images("picture/image/0")[0]
        assert (image.width, image.height) == (3, 1)
        assert image.encoded_image_string.startswith(b"\x89PNG")
        sound = accumulator.Audio("sound/audio/0")[0]
        assert (sound.content_type, sound.sample_rate, sound.length_frames) == (
            "audio/wav",
            8000,
            3,
        )
        note = accumulator.Tensors("note")[0]
        assert note.tensor_proto.string_val == [b"hello"]
        assert accumulator.SummaryMetadata("note").plugin_data.plugin_name == "text"
        assert "loss_value" in {node.name for node in accumulator.Graph().node}
        meta = tb_config_pb2.RunMetadata.FromString(
            accumulator.RunMetadata("step2").SerializeToString()
        )
        nodes = {n.node_name for d in meta.step_stats.dev_stats for n in d.node_stats}
        assert "Assign" in nodes or any(name.startswith("Assign") for name in nodes)

    def test_the_event_sequence_is_tfs(self, run):
        """The same program under TF (generate.py's event file) wrote the same kinds."""
        _, writer, _, accumulator = run
        kinds = [e.WhichOneof("what") for e in summary_iterator(writer.path)]
        with open(os.path.join(HERE, "events.json")) as file:
            recorded = [e["what"] for e in json.load(file)["events"]]
        assert kinds == recorded
        meta = accumulator.MetaGraph()
        assert "loss_value" in {node.name for node in meta.graph_def.node}


class TestTensorFlowsEventFile:
    def test_reads_as_tf_read_it(self):
        with open(os.path.join(HERE, "events.json")) as file:
            recorded = json.load(file)
        events = read_events(os.path.join(HERE, "events", recorded["file"]))
        assert len(events) == len(recorded["events"])
        for event, expected in zip(events, recorded["events"]):
            assert (event.step, event.WhichOneof("what")) == (expected["step"], expected["what"])
            for value, want in zip(event.summary.value, expected.get("values", [])):
                assert (value.tag, value.WhichOneof("value")) == (want["tag"], want["kind"])
                assert value.simple_value == pytest.approx(want["simple_value"])
            if "tag" in expected:
                assert event.tagged_run_metadata.tag == expected["tag"]


class TestFileWriter:
    def test_metadata_goes_with_a_tags_first_value_only(self, graph, tmp_path):
        note = v1.summary.text("note", tf.constant("hi"))
        with v1.Session() as sess, FileWriter(str(tmp_path)) as writer:
            value = sess.run(note)
            writer.add_summary(value, 1)
            writer.add_summary(value, 2)
        summaries = [e.summary for e in read_events(writer.path) if e.HasField("summary")]
        assert [s.value[0].HasField("metadata") for s in summaries] == [True, False]

    def test_a_summary_proto_is_accepted_and_left_unchanged(self, tmp_path):
        summary = Summary(value=[Summary.Value(tag="x", simple_value=1.0)])
        summary.value[0].metadata.display_name = "X"
        with FileWriter(str(tmp_path)) as writer:
            writer.add_summary(summary, 3)
            writer.add_summary(summary, 4)
        assert summary.value[0].metadata.display_name == "X"
        with pytest.raises(TypeError, match="Expected a Summary, got str"):
            writer.add_summary("not a summary")

    def test_run_metadata_tags_are_unique(self, tmp_path):
        with FileWriter(str(tmp_path)) as writer:
            writer.add_run_metadata(v1.RunMetadata(), "a")
            with pytest.raises(ValueError, match="tag was already used"):
                writer.add_run_metadata(v1.RunMetadata(), "a")

    def test_closed_writers_drop_events_until_reopened(self, tmp_path):
        writer = FileWriter(str(tmp_path / "run"), filename_suffix=".first")
        writer.close()
        writer.add_summary(Summary(value=[Summary.Value(tag="x", simple_value=1.0)]), 1)
        assert [e.WhichOneof("what") for e in read_events(writer.path)] == ["file_version"]
        first = writer.path
        os.rename(first, first + ".old")  # reopening within the same second reuses the name
        writer.reopen()
        writer.add_summary(Summary(value=[Summary.Value(tag="x", simple_value=2.0)]), 2)
        writer.close()
        assert [e.step for e in read_events(writer.path)] == [0, 2]

    def test_graph_or_graph_def_not_both(self, graph, tmp_path):
        with FileWriter(str(tmp_path)) as writer:
            with pytest.raises(ValueError, match="not both"):
                writer.add_graph(graph, graph_def=graph.as_graph_def())
            with pytest.raises(TypeError, match="must be a GraphDef"):
                writer.add_graph(None, graph_def="nope")

    def test_the_cache_shares_one_writer_per_directory(self, tmp_path):
        first = FileWriterCache.get(str(tmp_path / "a"))
        assert FileWriterCache.get(str(tmp_path / "a")) is first
        assert FileWriterCache.get(str(tmp_path / "b")) is not first
        FileWriterCache.clear()
        assert FileWriterCache.get(str(tmp_path / "a")) is not first
        FileWriterCache.clear()

    def test_a_truncated_file_is_data_loss_naming_it(self, tmp_path):
        with FileWriter(str(tmp_path)) as writer:
            writer.add_summary(Summary(value=[Summary.Value(tag="x", simple_value=1.0)]), 1)
        with open(writer.path, "r+b") as file:
            file.truncate(os.path.getsize(writer.path) - 3)
        with pytest.raises(DataLossError, match=os.path.basename(writer.path)):
            read_events(writer.path)


class TestLogdirWatcher:
    def test_follows_runs_as_they_grow_and_waits_for_half_written_records(self, tmp_path):
        watcher = LogdirWatcher(str(tmp_path))
        assert watcher.poll() == []
        train = FileWriter(str(tmp_path / "train"))
        evaluation = FileWriter(str(tmp_path / "eval"))
        for step in range(3):
            train.add_summary(Summary(value=[Summary.Value(tag="loss", simple_value=step)]), step)
        evaluation.add_summary(Summary(value=[Summary.Value(tag="acc", simple_value=0.5)]), 2)
        seen = [(run, e.step) for run, e in watcher.poll() if e.HasField("summary")]
        assert sorted(seen) == [("eval", 2), ("train", 0), ("train", 1), ("train", 2)]
        record = encode_record(
            tf.summary.Event(
                step=9, summary=Summary(value=[Summary.Value(tag="loss")])
            ).SerializeToString()
        )
        with open(train.path, "ab") as file:
            file.write(record[:10])  # a writer half-way through a record
        assert watcher.poll() == []
        with open(train.path, "ab") as file:
            file.write(record[10:])
        assert [(run, e.step) for run, e in watcher.poll()] == [("train", 9)]
        train.close()
        evaluation.close()

    def test_a_corrupt_record_names_the_file(self, tmp_path):
        writer = FileWriter(str(tmp_path))
        writer.close()
        with open(writer.path, "ab") as file:
            file.write(b"\xff" * 16)
        with pytest.raises(
            DataLossError, match=f"{os.path.basename(writer.path)}: corrupted record"
        ):
            LogdirWatcher(str(tmp_path)).poll()
