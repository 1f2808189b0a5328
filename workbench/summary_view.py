"""``SummaryView``: a log directory's summaries as pictures in the notebook, live.

Scalars are curves (one chart per tag, runs overlaid, TensorBoard's smoothing),
histograms are distributions over steps (bands between TensorBoard's percentiles),
images the latest of each tag. The view follows the directory while a training loop
in the same kernel (or another program) writes it: a background thread polls the
event files (:class:`runtime.summary.LogdirWatcher`) and redraws when something new
arrived, so no TensorBoard server is involved. Plots are matplotlib figures rendered
to SVG; each curve is an SVG group with a stable id (``scalar|<run>|<tag>|smoothed``).

The model (:class:`SummaryData`) and the pure helpers (:func:`smooth`,
:func:`distribution`, :func:`scalars_svg`) are what the tests check; the widget is a
thin shell over them.
"""

from __future__ import annotations

import base64
import html
import io
import threading
import time
import weakref
from dataclasses import dataclass, field

import ipywidgets as widgets
import numpy as np

from runtime.summary import LogdirWatcher

from .widget_view import WidgetView

NORMAL_BPS = (0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000)  # TensorBoard's percentiles
MAX_POINTS = 1000  # per curve drawn; the model keeps every point
_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2")


def smooth(values, weight: float) -> np.ndarray:
    """TensorBoard's smoothing: a debiased exponential moving average.

    Non-finite values pass through unsmoothed; so does a constant series.

    Examples
    --------
    >>> smooth([1.0, 3.0], 0.5).tolist()  # 1, then (0.5 * 0.5 + 0.5 * 3) / (1 - 0.25)
    [1.0, 2.3333333333333335]
    >>> smooth([2.0, 2.0, 2.0], 0.9).tolist()
    [2.0, 2.0, 2.0]
    """
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0 or np.all(values == values[0]):
        return values.copy()
    out, last, count = np.empty_like(values), 0.0, 0
    for i, value in enumerate(values):
        if not np.isfinite(value):
            out[i] = value
            continue
        last = last * weight + (1 - weight) * value
        count += 1
        out[i] = last / (1 - weight**count) if weight != 1 else last
    return out


def distribution(histo, bps=NORMAL_BPS) -> list:
    """The values at basis points ``bps`` (1/100 of a percent) of a ``HistogramProto``,
    interpolated within buckets as TensorBoard's distribution dashboard does.

    Examples
    --------
    >>> from runtime.summary import HistogramProto
    >>> h = HistogramProto(min=0, max=10, num=10, bucket_limit=[5, 10], bucket=[5, 5])
    >>> distribution(h, (0, 5000, 10000))
    [0.0, 5.0, 10.0]
    """
    if not histo.num:
        return [0.0] * len(bps)
    counts = np.asarray(histo.bucket, dtype=np.float64)
    limits = list(histo.bucket_limit)
    cumulative = (counts * bps[-1] / (counts.sum() or 1.0)).cumsum()
    values = []
    for bp in bps:
        i = int(np.searchsorted(cumulative, bp, side="right"))
        while i < len(cumulative) and cumulative[i] == (cumulative[i - 1] if i else 0.0):
            i += 1  # an empty bucket: nothing to interpolate in
        if i >= len(cumulative):
            break
        before = cumulative[i - 1] if i else 0.0
        low = histo.min if not i or not before else max(limits[i - 1], histo.min)
        high = min(limits[i], histo.max)
        values.append(float(low + (bp - before) * (high - low) / (cumulative[i] - before)))
    return values + [histo.max] * (len(bps) - len(values))


@dataclass
class Series:
    """One tag of one run: its steps and values (scalars, histograms or images)."""

    steps: list = field(default_factory=list)
    values: list = field(default_factory=list)

    def add(self, step: int, value) -> None:
        self.steps.append(step)
        self.values.append(value)

    def drop_from(self, step: int) -> None:
        """Forget the values at ``step`` and later (a run restarted from there)."""
        kept = [i for i, s in enumerate(self.steps) if s < step]
        self.steps = [self.steps[i] for i in kept]
        self.values = [self.values[i] for i in kept]


class SummaryData:
    """What a log directory's summaries hold, by kind, then ``(run, tag)``.

    Examples
    --------
    >>> import tempfile
    >>> from runtime.summary import FileWriter, Summary
    >>> logdir = tempfile.mkdtemp()
    >>> with FileWriter(logdir + "/train") as writer:
    ...     for step in range(3):
    ...         writer.add_summary(Summary(value=[Summary.Value(tag="loss", simple_value=step)]), step)
    >>> data = SummaryData(logdir)
    >>> data.update(), data.scalars[("train", "loss")].steps
    (True, [0, 1, 2])
    """

    def __init__(self, logdir):
        self.watcher = LogdirWatcher(logdir)
        self.scalars: dict[tuple, Series] = {}
        self.histograms: dict[tuple, Series] = {}
        self.images: dict[tuple, Series] = {}

    def update(self) -> bool:
        """Read what was written since the last update; True when anything was new.

        A ``SessionLog.START`` at step ``s`` (a run restarted from a checkpoint) drops
        the run's values from step ``s`` on, as TensorBoard purges orphaned data.
        """
        events = self.watcher.poll()
        for run, event in events:
            if event.session_log.status == event.session_log.START:
                self._restart(run, event.step)
            for value in event.summary.value:
                self._add(run, event.step, value)
        return any(e.HasField("summary") or e.HasField("session_log") for _, e in events)

    def _restart(self, run: str, step: int) -> None:
        for table in (self.scalars, self.histograms, self.images):
            for (series_run, _), series in table.items():
                if series_run == run:
                    series.drop_from(step)

    def _add(self, run: str, step: int, value) -> None:
        kind = value.WhichOneof("value")
        key = (run, value.tag)
        if kind == "simple_value":
            self.scalars.setdefault(key, Series()).add(step, value.simple_value)
        elif kind == "histo":
            self.histograms.setdefault(key, Series()).add(step, value.histo)
        elif kind == "image":
            self.images.setdefault(key, Series()).add(step, value.image)

    @property
    def runs(self) -> list:
        keys = [*self.scalars, *self.histograms, *self.images]
        return sorted({run for run, _ in keys})


def _figure(count: int, columns: int = 2, height: float = 2.6):
    from matplotlib.figure import Figure  # matplotlib loads only when a view draws

    rows = -(-count // columns)
    figure = Figure(figsize=(4.4 * min(count, columns), height * rows))
    # Fixed margins: matplotlib's automatic layouts cost twice the drawing itself.
    spacing = {"left": 0.1, "right": 0.97, "top": 1 - 0.3 / rows, "bottom": 0.45 / (rows * height)}
    axes = figure.subplots(
        rows,
        min(count, columns),
        squeeze=False,
        gridspec_kw={**spacing, "hspace": 0.6, "wspace": 0.3},
    ).reshape(-1)
    for extra in axes[count:]:
        extra.set_visible(False)
    return figure, axes


def _style():
    import matplotlib

    # Every point drawn (paths made while it holds are never simplified), text as text.
    return matplotlib.rc_context({"path.simplify": False, "svg.fonttype": "none"})


def _svg(figure) -> str:
    out = io.StringIO()
    with _style():
        figure.savefig(out, format="svg")
    text = out.getvalue()
    return text[text.index("<svg") :]


def _thinned(steps: list, values: list) -> tuple:
    """At most ``MAX_POINTS`` evenly spaced points, the last one always kept."""
    if len(steps) <= MAX_POINTS:
        return np.asarray(steps), np.asarray(values)
    keep = np.unique(np.linspace(0, len(steps) - 1, MAX_POINTS).round().astype(int))
    return np.asarray(steps)[keep], np.asarray(values)[keep]


def scalars_svg(data: SummaryData, smoothing: float = 0.6) -> str:
    """The scalar charts: one per tag, each run a faint raw curve and a smoothed one.

    Examples
    --------
    >>> data = SummaryData(".")
    >>> data.scalars[("train", "loss")] = Series([0, 1, 2], [3.0, 2.0, 1.0])
    >>> svg = scalars_svg(data)
    >>> 'id="scalar|train|loss|smoothed"' in svg, svg.startswith("<svg")
    (True, True)
    """
    tags = sorted({tag for _, tag in data.scalars})
    if not tags:
        return ""
    runs = data.runs
    with _style():
        figure, axes = _figure(len(tags))
        for ax, tag in zip(axes, tags):
            _scalar_chart(ax, tag, data, runs, smoothing)
    return _svg(figure)


def _scalar_chart(ax, tag: str, data: SummaryData, runs: list, smoothing: float) -> None:
    for run in runs:
        series = data.scalars.get((run, tag))
        if series is None:
            continue
        color = _COLORS[runs.index(run) % len(_COLORS)]
        steps, values = _thinned(series.steps, series.values)
        raw = ax.plot(steps, values, color=color, alpha=0.25, linewidth=1)[0]
        raw.set_gid(f"scalar|{run}|{tag}|raw")
        smoothed = ax.plot(steps, smooth(values, smoothing), color=color, linewidth=1.6)[0]
        smoothed.set_gid(f"scalar|{run}|{tag}|smoothed")
        smoothed.set_label(run)
    _label(ax, tag)
    ax.grid(alpha=0.3)
    if len(runs) > 1:
        ax.legend(fontsize=7)


def _label(ax, title: str) -> None:
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("step", fontsize=8)
    ax.tick_params(labelsize=8)


def histograms_svg(data: SummaryData) -> str:
    """Distributions over steps: one chart per run and tag, bands between the
    percentiles of :data:`NORMAL_BPS` (min-max, ±1.5σ, ±1σ, ±0.5σ) and the median."""
    keys = sorted(data.histograms)
    if not keys:
        return ""
    runs = data.runs
    with _style():
        figure, axes = _figure(len(keys))
        for ax, (run, tag) in zip(axes, keys):
            color = _COLORS[runs.index(run) % len(_COLORS)]
            _distribution_chart(ax, data.histograms[(run, tag)], color, f"histogram|{run}|{tag}")
            _label(ax, tag if len(runs) == 1 else f"{tag} ({run})")
    return _svg(figure)


def _distribution_chart(ax, series: Series, color: str, gid: str) -> None:
    bands = np.array([distribution(h) for h in series.values]).reshape(-1, len(NORMAL_BPS))
    middle = len(NORMAL_BPS) // 2
    for i in range(middle):
        ax.fill_between(
            series.steps, bands[:, i], bands[:, -1 - i], color=color, alpha=0.15, linewidth=0
        )
    median = ax.plot(series.steps, bands[:, middle], color=color, linewidth=1.2)[0]
    median.set_gid(f"{gid}|median")


def images_html(data: SummaryData) -> str:
    """The latest image of each run and tag, captioned with its step."""
    figures = []
    for (run, tag), series in sorted(data.images.items()):
        image = series.values[-1]
        source = base64.b64encode(image.encoded_image_string).decode()
        caption = html.escape(f"{tag} · {run} · step {series.steps[-1]}")
        figures.append(
            f'<figure class="tfgraph-summary-image"><img src="data:image/png;base64,{source}" '
            f'width="{max(image.width, 64)}" style="image-rendering: pixelated"/>'
            f"<figcaption>{caption}</figcaption></figure>"
        )
    return "".join(figures)


def _poll(view_ref, stop: threading.Event, interval: float) -> None:
    # Holds the view weakly: a view nobody references any more stops its thread. Waits
    # at least four times as long as a drawing took, so drawing (which holds the GIL)
    # never takes more than a fifth of the time of the training loop beside it.
    wait = interval
    while not stop.wait(wait):
        view = view_ref()
        if view is None:
            return
        if view.closed:  # the box was closed: the view goes with it
            view.close()
            return
        view.refresh()
        wait = max(interval, 4 * view.draw_seconds)
        del view


class SummaryView(WidgetView):
    """The summaries of ``logdir`` as charts in the notebook, following it live.

    Parameters
    ----------
    logdir : str
        A log directory (its subdirectories with event files are runs).
    smoothing : float
        TensorBoard's smoothing weight, in ``[0, 1)``; a slider changes it.
    interval : float
        Seconds between two looks at the files; ``None`` for no background updates
        (call :meth:`refresh`).

    ``close()`` stops the updates and closes the widgets; in a notebook, so does
    running again (or deleting) the cell that made the view (see
    :mod:`workbench.widget_view`).

    Examples
    --------
    >>> import tempfile
    >>> view = SummaryView(tempfile.mkdtemp(), interval=None)
    >>> view.status.value
    'no summaries yet'
    >>> view.close()
    """

    def __init__(self, logdir, smoothing: float = 0.6, interval: float | None = 1.0):
        self.logdir = str(logdir)
        self.data = SummaryData(self.logdir)
        self._lock = threading.Lock()  # the polling thread and slider callbacks both redraw
        self.status = widgets.HTML().add_class("tfgraph-summary-status")
        self.smoothing = widgets.FloatSlider(
            value=smoothing, min=0.0, max=0.99, step=0.01, description="Smoothing"
        )
        self.smoothing.observe(lambda change: self.redraw(), names="value")
        self.scalars = widgets.HTML().add_class("tfgraph-summary-scalars")
        self.histograms = widgets.HTML().add_class("tfgraph-summary-histograms")
        self.images = widgets.HTML().add_class("tfgraph-summary-images")
        self.widget = widgets.VBox(
            [self.status, self.smoothing, self.scalars, self.histograms, self.images]
        ).add_class("tfgraph-summary-view")
        # The displayed widget keeps its view (and so the updates) alive until closed,
        # also when the view itself was never assigned (``display(SummaryView(d))``).
        self.widget._tfgraph_view = self
        self._stop = threading.Event()
        self.draw_seconds = 0.0  # how long the last drawing took
        self.refresh()
        self._thread = None
        if interval is not None:
            self._thread = threading.Thread(
                target=_poll,
                args=(weakref.ref(self), self._stop, interval),
                name=f"SummaryView({self.logdir})",
                daemon=True,
            )
            self._thread.start()
        self._close_with_cell()

    def refresh(self) -> bool:
        """Read what is new in the log directory and redraw if anything was."""
        with self._lock:
            try:
                changed = self.data.update()
            except Exception as err:  # a damaged file: say so in the view, keep the thread
                self.status.value = html.escape(f"{type(err).__name__}: {err}")
                return False
        if changed:
            self.redraw()
        elif not self.data.runs:
            self.status.value = "no summaries yet"
        return changed

    def redraw(self) -> None:
        """Draw the charts from the data read so far."""
        start = time.perf_counter()
        with self._lock:
            self.scalars.value = scalars_svg(self.data, self.smoothing.value)
            self.histograms.value = histograms_svg(self.data)
            self.images.value = images_html(self.data)
            steps = [s.steps[-1] for s in self.data.scalars.values() if s.steps]
            latest = f", last step {max(steps)}" if steps else ""
            runs = ", ".join(self.data.runs)
            self.status.value = html.escape(f"{self.logdir}: runs {runs}{latest}")
        self.draw_seconds = time.perf_counter() - start

    def close(self) -> None:
        """Stop following the directory and close the widgets."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        super().close()
