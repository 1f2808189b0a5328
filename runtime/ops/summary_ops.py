"""TF1's summary ops (``tf.compat.v1.summary``): each returns a string tensor holding a
serialized ``Summary`` that ``FileWriter.add_summary`` writes for TensorBoard.

Names and tags follow TF exactly. ``scalar("loss", x)`` makes an op named like the
name scope ``loss`` opens (``loss_1`` the second time) whose tag is that name; with a
``family`` the op lives in ``family/name`` and the tag is prefixed again,
``family/<scope>/family/name``, so TensorBoard groups it under the family's tab. Each
op joins the ``summaries`` collection (or ``collections``), which ``merge_all``
merges. Kernels: :mod:`runtime.summary.kernels`.
"""

from __future__ import annotations

import logging
import re

import numpy as np

from .. import dtypes
from ..graph import get_default_graph
from ..graph_keys import GraphKeys
from ..proto import summary_pb2
from ..registry import OpDef, TensorSpec, not_differentiable, register_op
from ..shapes import TensorShape
from .core import apply_op, convert_to_tensor

__all__ = [
    "audio",
    "histogram",
    "image",
    "merge",
    "merge_all",
    "scalar",
    "tensor_summary",
    "text",
]

_SUMMARY = [TensorSpec(dtypes.string, TensorShape([]))]


def _summary_shape(*specs, **attrs):
    return _SUMMARY


def _summary_op(name: str, inputs: tuple, attrs: tuple = ()) -> OpDef:
    return register_op(OpDef(name, inputs, ("summary: string",), attrs, shape_fn=_summary_shape))


SCALAR_SUMMARY = _summary_op("ScalarSummary", ("tags: string", "values: T"), ("T: realnumbertype",))
HISTOGRAM_SUMMARY = _summary_op(
    "HistogramSummary", ("tag: string", "values: T"), ("T: realnumbertype = DT_FLOAT",)
)
IMAGE_SUMMARY = _summary_op(
    "ImageSummary",
    ("tag: string", "tensor: T"),
    (
        "max_images: int >= 1 = 3",
        "T: {uint8, float, half, float64} = DT_FLOAT",
        "bad_color: tensor",
    ),
)
AUDIO_SUMMARY = _summary_op(
    "AudioSummaryV2",
    ("tag: string", "tensor: float", "sample_rate: float"),
    ("max_outputs: int >= 1 = 3",),
)
TENSOR_SUMMARY = _summary_op(
    "TensorSummaryV2",
    ("tag: string", "tensor: T", "serialized_summary_metadata: string"),
    ("T: type",),
)
MERGE_SUMMARY = _summary_op("MergeSummary", ("inputs: N * string",), ("N: int >= 1",))
_ALL = [
    SCALAR_SUMMARY,
    HISTOGRAM_SUMMARY,
    IMAGE_SUMMARY,
    AUDIO_SUMMARY,
    TENSOR_SUMMARY,
    MERGE_SUMMARY,
]
for _op_def in _ALL:
    not_differentiable(_op_def.name)

_BAD_COLOR = np.array([255, 0, 0, 255], np.uint8)  # TF's default: opaque red
_INVALID_TAG_CHARACTERS = re.compile(r"[^-/\w\.]")
_log = logging.getLogger(__name__)


def clean_tag(name):
    """``name`` with characters TensorBoard's tags cannot hold replaced by ``_``.

    Examples
    --------
    >>> clean_tag("bad name!"), clean_tag("/ok/x-1.5")
    ('bad_name_', 'ok/x-1.5')
    """
    if name is None:
        return None
    cleaned = _INVALID_TAG_CHARACTERS.sub("_", name).lstrip("/")
    if cleaned != name:
        _log.info("Summary name %s is illegal; using %s instead.", name, cleaned)
    return cleaned


class _SummaryScope:
    """TF's ``summary_scope``: the name scope of a summary op and its tag."""

    def __init__(self, name: str, family=None):
        name, family = clean_tag(name), clean_tag(family)
        self._base = name if family is None else f"{family}/{name}"
        self._family = family
        self._scope = None

    def __enter__(self):
        self._scope = get_default_graph().name_scope(self._base)
        scope = self._scope.__enter__()
        tag = scope.rstrip("/")
        if self._family is not None:  # again, so the tag lands in the family's tab
            tag = f"{self._family}/{tag}"
        return tag, scope

    def __exit__(self, *exc):
        return self._scope.__exit__(*exc)


def _collect(summary, collections, default) -> None:
    graph = get_default_graph()
    for key in default if collections is None else collections:
        graph.add_to_collection(key, summary)


def _summary(op_def, name, family, collections, inputs, **attrs):
    with _SummaryScope(name, family) as (tag, scope):
        summary = apply_op(op_def, [tag, *inputs], scope, **attrs).outputs[0]
    _collect(summary, collections, [GraphKeys.SUMMARIES])
    return summary


def scalar(name, tensor, collections=None, family=None):
    """A summary of one real number (``tf.compat.v1.summary.scalar``).

    Parameters
    ----------
    name : str
        The op's name and the tag (characters a tag cannot hold become ``_``).
    tensor : real scalar tensor
    collections : list of str, optional
        Graph collections to add the op to (default ``["summaries"]``).
    family : str, optional
        A prefix grouping tags into one TensorBoard tab.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     loss = scalar("loss", tf.constant(0.25))
    ...     with tf.compat.v1.Session() as sess:
    ...         summary = summary_pb2.Summary.FromString(sess.run(loss))
    >>> loss.op.name, summary.value[0].tag, summary.value[0].simple_value
    ('loss', 'loss', 0.25)
    """
    return _summary(SCALAR_SUMMARY, name, family, collections, [tensor])


def histogram(name, values, collections=None, family=None):
    """A histogram of a tensor's values, in TF's exponential buckets.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     h = histogram("w", tf.constant([1.0, 2.0, 2.0]))
    ...     with tf.compat.v1.Session() as sess:
    ...         histo = summary_pb2.Summary.FromString(sess.run(h)).value[0].histo
    >>> histo.num, histo.min, histo.max, histo.sum
    (3.0, 1.0, 2.0, 5.0)
    """
    return _summary(HISTOGRAM_SUMMARY, name, family, collections, [values])


def image(name, tensor, max_outputs=3, collections=None, family=None):
    """PNG images of a ``[batch, height, width, channels]`` tensor (1, 3 or 4 channels).

    Float images are scaled to ``[0, 255]`` as TF does (by the largest value, or
    around 128 when some are negative); non-finite pixels turn red. The tags are
    ``name/image/0`` ... (``name/image`` when ``max_outputs`` is 1).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     pictures = image("pictures", tf.zeros([4, 8, 8, 3]), max_outputs=2)
    ...     with tf.compat.v1.Session() as sess:
    ...         values = summary_pb2.Summary.FromString(sess.run(pictures)).value
    >>> [(v.tag, v.image.height, v.image.width, v.image.colorspace) for v in values]
    [('pictures/image/0', 8, 8, 3), ('pictures/image/1', 8, 8, 3)]
    """
    return _summary(
        IMAGE_SUMMARY,
        name,
        family,
        collections,
        [tensor],
        max_images=max_outputs,
        bad_color=_BAD_COLOR,
    )


def audio(name, tensor, sample_rate, max_outputs=3, collections=None, family=None):
    """WAV clips of a ``[batch, frames]`` or ``[batch, frames, channels]`` float tensor
    in ``[-1, 1]``, at ``sample_rate`` Hz; tags ``name/audio/0`` ...

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     sound = audio("beep", tf.zeros([1, 800]), 8000, max_outputs=1)
    ...     with tf.compat.v1.Session() as sess:
    ...         value = summary_pb2.Summary.FromString(sess.run(sound)).value[0]
    >>> value.tag, value.audio.length_frames, value.audio.content_type
    ('beep/audio', 800, 'audio/wav')
    """
    with _SummaryScope(name, family) as (tag, scope):
        rate = convert_to_tensor(sample_rate, dtype=dtypes.float32, name="sample_rate")
        summary = apply_op(
            AUDIO_SUMMARY, [tag, tensor, rate], scope, max_outputs=max_outputs
        ).outputs[0]
    _collect(summary, collections, [GraphKeys.SUMMARIES])
    return summary


def tensor_summary(
    name,
    tensor,
    summary_description=None,
    collections=None,
    summary_metadata=None,
    family=None,
    display_name=None,
):
    """A summary holding a whole tensor, with its ``SummaryMetadata`` (plugin data).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     t = tensor_summary("counts", tf.constant([1, 2]), display_name="Counts")
    ...     with tf.compat.v1.Session() as sess:
    ...         value = summary_pb2.Summary.FromString(sess.run(t)).value[0]
    >>> value.metadata.display_name, value.tensor.tensor_shape.dim[0].size
    ('Counts', 2)
    """
    metadata = summary_pb2.SummaryMetadata()
    if summary_metadata is not None:
        metadata.CopyFrom(summary_metadata)
    if summary_description is not None:
        metadata.summary_description = summary_description
    if display_name is not None:
        metadata.display_name = display_name
    serialized = np.array(metadata.SerializeToString(), dtype=object)
    return _summary(TENSOR_SUMMARY, name, family, collections, [tensor, serialized])


def text(name, tensor, collections=None):
    """A string tensor for TensorBoard's text dashboard (a tensor summary for the
    ``text`` plugin).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     note = text("note", tf.constant("hello"))
    ...     with tf.compat.v1.Session() as sess:
    ...         value = summary_pb2.Summary.FromString(sess.run(note)).value[0]
    >>> value.metadata.plugin_data.plugin_name, value.tensor.string_val
    ('text', [b'hello'])
    """
    tensor = convert_to_tensor(tensor)
    if tensor.dtype.base_dtype != dtypes.string:
        raise ValueError(
            f"Expected tensor {tensor.name} to have dtype string, got {tensor.dtype.name}"
        )
    metadata = summary_pb2.SummaryMetadata()
    metadata.plugin_data.plugin_name = "text"
    return tensor_summary(name, tensor, summary_metadata=metadata, collections=collections)


def merge(inputs, collections=None, name=None):
    """One summary holding the values of every summary in ``inputs``.

    A tag found twice fails the run with ``InvalidArgumentError``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     merged = merge([scalar("a", 1.0), scalar("b", 2.0)], name="both")
    ...     with tf.compat.v1.Session() as sess:
    ...         summary = summary_pb2.Summary.FromString(sess.run(merged))
    >>> merged.op.name, [v.tag for v in summary.value]
    ('both/both', ['a', 'b'])
    """
    graph = get_default_graph()
    with graph.name_scope(name or "Merge"):
        summary = apply_op(MERGE_SUMMARY, [list(inputs)], name or "MergeSummary").outputs[0]
    _collect(summary, collections, [])
    return summary


def merge_all(key=GraphKeys.SUMMARIES, scope=None, name=None):
    """Merge every summary of collection ``key`` (under ``scope``); ``None`` when empty.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(merge_all())
    ...     _ = scalar("a", 1.0)
    ...     _ = histogram("b", [1.0])
    ...     merged = merge_all()
    ...     with tf.compat.v1.Session() as sess:
    ...         summary = summary_pb2.Summary.FromString(sess.run(merged))
    None
    >>> merged.op.name, [v.tag for v in summary.value]
    ('Merge/MergeSummary', ['a', 'b'])
    """
    summaries = get_default_graph().get_collection(key, scope=scope)
    if not summaries:
        return None
    return merge(summaries, name=name)
