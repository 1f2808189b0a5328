"""SummaryView through its model: the data read from a log directory, TensorBoard's
smoothing and distributions, the SVG charts (one curve per run and tag, every point),
live updates from a background thread, closing, and ``%%tfgraph --summaries``."""

from __future__ import annotations

import gc
import re
import threading
import time

import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell
from tensorboard.plugins.distribution import compressor

import runtime as tf
from runtime.summary import FileWriter, HistogramProto, SessionLog, Summary
from runtime.summary.kernels import histogram_proto
from workbench.summary_view import (
    MAX_POINTS,
    Series,
    SummaryData,
    SummaryView,
    distribution,
    histograms_svg,
    images_html,
    scalars_svg,
    smooth,
)

v1 = tf.compat.v1


def curve_points(svg: str, gid: str) -> int:
    """How many points the path of the SVG group ``gid`` draws."""
    match = re.search(rf'<g id="{re.escape(gid)}">\s*<path d="([^"]*)"', svg)
    assert match, f"no curve {gid}"
    return len(re.findall(r"[ML]", match.group(1)))


def wait_for(condition, what: str, seconds: float = 60.0) -> None:
    """Wait until ``condition()`` holds (a bounded wait on a condition, not a sleep)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def _scalar(tag, value):
    return Summary(value=[Summary.Value(tag=tag, simple_value=value)])


def _train(logdir, steps: int, run: str = "."):
    """A small training loop writing a loss, a histogram and an image each step."""
    with tf.Graph().as_default() as graph:
        w = tf.Variable([2.0, -1.0, 0.5], name="weights")
        loss = tf.reduce_sum(tf.square(w))
        v1.summary.scalar("loss", loss)
        v1.summary.histogram("w", w)
        v1.summary.image("w_image", tf.reshape(tf.abs(w), [1, 1, 3, 1]))
        merged = v1.summary.merge_all()
        train = v1.train.GradientDescentOptimizer(0.1).minimize(loss)
        with v1.Session() as sess, FileWriter(f"{logdir}/{run}", graph) as writer:
            sess.run(w.initializer)
            for step in range(steps):
                writer.add_summary(sess.run(merged), step)
                sess.run(train)


class TestSmoothingAndDistributions:
    def test_smoothing_is_tensorboards_debiased_moving_average(self):
        values = [1.0, 4.0, 2.0, np.nan, 8.0]
        got = smooth(values, 0.5)
        last, count, expected = 0.0, 0, []
        for value in values:
            if np.isnan(value):
                expected.append(value)
                continue
            last, count = 0.5 * last + 0.5 * value, count + 1
            expected.append(last / (1 - 0.5**count))
        np.testing.assert_allclose(got, expected)
        np.testing.assert_array_equal(smooth(values, 0.0)[[0, 1, 2, 4]], [1.0, 4.0, 2.0, 8.0])

    @pytest.mark.parametrize("seed", range(5))
    def test_distributions_are_tensorboards(self, seed):
        rng = np.random.default_rng(seed)
        values = rng.normal(scale=10 ** rng.uniform(-3, 3), size=rng.integers(1, 300))
        histo = histogram_proto(values)
        expected = [value for _, value in compressor.compress_histogram_proto(histo)]
        np.testing.assert_allclose(distribution(histo), expected)
        assert distribution(HistogramProto()) == [0.0] * 9


class TestModel:
    def test_runs_tags_and_kinds(self, tmp_path):
        _train(tmp_path, 4, "train")
        _train(tmp_path, 2, "eval")
        data = SummaryData(str(tmp_path))
        assert data.update() is True
        assert data.runs == ["eval", "train"]
        assert data.scalars[("train", "loss")].steps == [0, 1, 2, 3]
        assert data.scalars[("eval", "loss")].steps == [0, 1]
        assert len(data.histograms[("train", "w")].values) == 4
        assert data.images[("train", "w_image/image/0")].values[-1].width == 3
        assert data.update() is False  # nothing new

    def test_charts_draw_every_point_of_every_run(self, tmp_path):
        _train(tmp_path, 50, "train")
        _train(tmp_path, 20, "eval")
        data = SummaryData(str(tmp_path))
        data.update()
        svg = scalars_svg(data)
        assert curve_points(svg, "scalar|train|loss|smoothed") == 50
        assert curve_points(svg, "scalar|train|loss|raw") == 50
        assert curve_points(svg, "scalar|eval|loss|smoothed") == 20
        assert curve_points(histograms_svg(data), "histogram|train|w|median") == 50
        html = images_html(data)
        assert html.count("<img") == 2 and "w_image/image/0 · train · step 49" in html

    def test_a_restarted_run_drops_the_steps_it_redoes(self, tmp_path):
        with FileWriter(str(tmp_path)) as writer:
            for step in range(5):
                writer.add_summary(_scalar("loss", 1.0), step)
            # Restored from the checkpoint of step 3 and trained on: TensorBoard purges 3, 4.
            writer.add_session_log(SessionLog(status=SessionLog.START), 3)
            for step in range(3, 6):
                writer.add_summary(_scalar("loss", 2.0), step)
        data = SummaryData(str(tmp_path))
        data.update()
        series = data.scalars[(".", "loss")]
        assert series.steps == [0, 1, 2, 3, 4, 5]
        assert series.values == [1.0, 1.0, 1.0, 2.0, 2.0, 2.0]

    def test_long_runs_are_thinned_for_drawing_keeping_the_last_point(self):
        data = SummaryData(".")
        steps = list(range(5000))
        data.scalars[(".", "loss")] = Series(steps, [float(s) for s in steps])
        svg = scalars_svg(data)
        assert curve_points(svg, "scalar|.|loss|raw") == MAX_POINTS

    def test_tags_are_escaped_in_images(self):
        data = SummaryData(".")
        image = Summary.Image(width=1, height=1, encoded_image_string=b"x")
        data.images[("run", "<script>")] = Series([1], [image])
        assert "<script>" not in images_html(data) and "&lt;script&gt;" in images_html(data)


class TestLiveView:
    def test_the_view_follows_a_training_loop_in_the_same_process(self, tmp_path):
        view = SummaryView(str(tmp_path), interval=0.02)
        try:
            assert view.status.value == "no summaries yet"
            trainer = threading.Thread(target=_train, args=(tmp_path, 50))
            trainer.start()
            trainer.join()
            wait_for(lambda: "last step 49" in view.status.value, "the view to read step 49")
            assert curve_points(view.scalars.value, "scalar|.|loss|smoothed") == 50
        finally:
            view.close()
        assert not view._thread.is_alive()

    def test_the_smoothing_slider_redraws(self, tmp_path):
        _train(tmp_path, 10)
        view = SummaryView(str(tmp_path), interval=None)
        before = view.scalars.value
        view.smoothing.value = 0.0
        assert view.scalars.value != before
        view.close()

    def test_a_damaged_file_is_reported_in_the_view(self, tmp_path):
        writer = FileWriter(str(tmp_path))
        writer.close()
        with open(writer.path, "ab") as file:
            file.write(b"\xff" * 16)
        view = SummaryView(str(tmp_path), interval=None)
        assert "DataLossError" in view.status.value and "corrupted record" in view.status.value
        view.close()

    def test_an_unassigned_view_lives_while_displayed_and_goes_with_its_widget(self, tmp_path):
        widget = SummaryView(str(tmp_path), interval=0.01).widget  # as display(SummaryView(d))
        thread = widget._tfgraph_view._thread
        gc.collect()
        assert thread.is_alive()
        widget.close()  # as the notebook's close does
        wait_for(lambda: not thread.is_alive(), "the thread to end")
        assert all(child.comm is None for child in widget.children)  # closed with it


def test_the_magic_shows_a_live_view_before_the_cell_trains(tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr("workbench.magic.display", shown.append)
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "workbench")
    cell = (
        "from runtime.summary import FileWriter, Summary\n"
        "assert len(_shown) == 1  # the view is on screen before the loop starts\n"
        f"with FileWriter({str(tmp_path)!r}) as writer:\n"
        "    for step in range(5):\n"
        "        writer.add_summary(Summary(value=[Summary.Value(tag='loss', simple_value=step)]), step)\n"
    )
    shell.user_ns["_shown"] = shown
    result = shell.run_cell(f"%%tfgraph --summaries {tmp_path} --no-render\n{cell}")
    assert result.success
    [view] = shown
    assert isinstance(view, SummaryView) and view.logdir == str(tmp_path)
    wait_for(lambda: "last step 4" in view.status.value, "the view to show the cell's steps")
    assert curve_points(view.scalars.value, "scalar|.|loss|smoothed") == 5
    view.close()
