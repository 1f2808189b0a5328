"""Kernels of the summary ops: each returns a serialized ``Summary`` (a string scalar).

They live with the summaries, not in :mod:`runtime.kernels` (pure numpy), because
they build protocol buffers and encode PNG and WAV files.

What they compute is TF's: histograms in TF's exponential buckets (limits growing by
10% from 1e-12 to 1e20, mirrored below zero, empty runs collapsed into one bucket),
float images scaled into ``[0, 255]`` by TF's rule and encoded as PNG (Pillow), audio
as 16-bit PCM WAV.
"""

from __future__ import annotations

import io
import struct
import sys

import numpy as np
from google.protobuf import message as _message

from ..errors import InvalidArgumentError
from ..proto import summary_pb2
from ..protobuf import _tensor_to_proto  # the TensorProto of an array, as GraphDefs hold it
from ..registry import register_kernel

_DBL_MAX = sys.float_info.max


def _bucket_limits() -> np.ndarray:
    positive, value = [], 1.0e-12
    while value < 1.0e20:
        positive.append(value)
        value *= 1.1  # the same doubles as TF's loop
    positive.append(_DBL_MAX)
    return np.array([-v for v in reversed(positive)] + [0.0] + positive)


BUCKET_LIMITS = _bucket_limits()


def _output(summary: summary_pb2.Summary):
    return (np.array(summary.SerializeToString(), dtype=object),)


def _text(value) -> str:
    value = np.asarray(value).item()
    return value.decode() if isinstance(value, bytes) else str(value)


def _shape_text(shape) -> str:
    return "[" + ",".join(str(d) for d in shape) + "]"


@register_kernel("ScalarSummary")
def scalar_summary(tags, values, *, T):
    tags, values = np.asarray(tags, dtype=object), np.asarray(values)
    if tags.shape != values.shape:
        raise InvalidArgumentError(
            None,
            None,
            f"tags and values are not the same shape: {_shape_text(tags.shape)} != "
            f"{_shape_text(values.shape)} (tag '{_text(tags.reshape(-1)[0]) if tags.size else ''}')",
        )
    summary = summary_pb2.Summary()
    for tag, value in zip(tags.reshape(-1), values.reshape(-1)):
        summary.value.add(tag=_text(tag), simple_value=float(value))
    return _output(summary)


def histogram_proto(values) -> summary_pb2.HistogramProto:
    """TF's ``HistogramProto`` of ``values`` (finite numbers).

    Examples
    --------
    >>> h = histogram_proto([0.0, 2.0, 2.0])
    >>> h.num, h.sum, list(h.bucket)
    (3.0, 4.0, [0.0, 1.0, 0.0, 2.0, 0.0])
    """
    flat = np.asarray(values, dtype=np.float64).reshape(-1)
    histo = summary_pb2.HistogramProto(
        min=flat.min() if flat.size else _DBL_MAX,
        max=flat.max() if flat.size else -_DBL_MAX,
        num=float(flat.size),
        # In order, one value at a time, as TF adds them (numpy's sum is pairwise).
        sum=np.cumsum(flat)[-1] if flat.size else 0.0,
        sum_squares=np.cumsum(flat * flat)[-1] if flat.size else 0.0,
    )
    counts = np.bincount(
        np.searchsorted(BUCKET_LIMITS, flat, side="right"), minlength=len(BUCKET_LIMITS)
    )
    i = 0
    while i < len(counts):
        if counts[i] == 0:  # a run of empty buckets is one bucket
            while i + 1 < len(counts) and counts[i + 1] == 0:
                i += 1
        histo.bucket_limit.append(BUCKET_LIMITS[i])
        histo.bucket.append(float(counts[i]))
        i += 1
    return histo


@register_kernel("HistogramSummary")
def histogram_summary(tag, values, *, T):
    tag = _text(tag)
    flat = np.asarray(values, dtype=np.float64).reshape(-1)
    if not np.isfinite(flat).all():
        raise InvalidArgumentError(None, None, f"Nan in summary histogram for: {tag}")
    summary = summary_pb2.Summary()
    summary.value.add(tag=tag, histo=histogram_proto(flat))
    return _output(summary)


def _outputs_tags(tag: str, kind: str, count: int, max_outputs: int) -> list:
    if max_outputs == 1:
        return [f"{tag}/{kind}"] * min(count, 1)
    return [f"{tag}/{kind}/{i}" for i in range(count)]


def to_uint8(image: np.ndarray, bad_color: np.ndarray) -> np.ndarray:
    """TF's rescaling of one float ``[height, width, depth]`` image into ``uint8``.

    All finite pixels non-negative: scaled by ``255 / max``; else by ``127 / max |v|``
    around 128. A pixel with any non-finite channel becomes ``bad_color``.

    Examples
    --------
    >>> to_uint8(np.array([[[0.0], [1.0], [np.nan]]], np.float32), np.array([9], np.uint8))[0, :, 0]
    array([  0, 255,   9], dtype=uint8)
    """
    finite = np.isfinite(image).all(axis=-1)
    good = image[finite]
    low = np.float32(good.min()) if good.size else np.float32(np.inf)
    high = np.float32(good.max()) if good.size else np.float32(-np.inf)
    kind = image.dtype.type
    if low < 0:
        largest = max(abs(low), abs(high))
        scale = kind(0.0 if largest < 1e-6 else np.float32(127.0) / largest)
        offset = kind(128.0)
    else:
        scale = kind(0.0 if high < 1e-6 else np.float32(255.0) / high)
        offset = kind(0.0)
    with np.errstate(invalid="ignore"):
        scaled = (image * scale + offset).astype(np.uint8)
    scaled[~finite] = bad_color[: image.shape[-1]]
    return scaled


def encode_png(pixels: np.ndarray) -> bytes:
    """PNG bytes of a ``uint8`` ``[height, width, 1|3|4]`` image (Pillow)."""
    from PIL import Image  # only image summaries need Pillow

    mode = {1: "L", 3: "RGB", 4: "RGBA"}[pixels.shape[-1]]
    data = pixels[..., 0] if mode == "L" else pixels
    out = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(data), mode).save(out, format="PNG")
    return out.getvalue()


@register_kernel("ImageSummary")
def image_summary(tag, tensor, *, max_images, T, bad_color):
    images = np.asarray(tensor)
    if images.ndim != 4 or images.shape[-1] not in (1, 3, 4):
        raise InvalidArgumentError(
            None,
            None,
            f"Tensor must be 4-D with last dim 1, 3, or 4, not {_shape_text(images.shape)}",
        )
    bad_color = np.asarray(bad_color, dtype=np.uint8).reshape(-1)
    if bad_color.size < images.shape[-1]:
        raise InvalidArgumentError(
            None,
            None,
            f"bad_color must have at least as many elements as the image has channels "
            f"({bad_color.size} < {images.shape[-1]})",
        )
    summary = summary_pb2.Summary()
    tags = _outputs_tags(_text(tag), "image", min(max_images, images.shape[0]), max_images)
    for name, image in zip(tags, images):
        pixels = image if image.dtype == np.uint8 else to_uint8(image, bad_color)
        height, width, depth = pixels.shape
        encoded = encode_png(pixels)
        summary.value.add(tag=name).image.CopyFrom(
            summary_pb2.Summary.Image(
                height=height, width=width, colorspace=depth, encoded_image_string=encoded
            )
        )
    return _output(summary)


def encode_wav(samples: np.ndarray, sample_rate: int) -> bytes:
    """16-bit PCM WAV bytes of float ``[frames, channels]`` samples in ``[-1, 1]``
    (TF's ``EncodeAudioAsS16LEWav``: scaled by 32768, rounded, clipped).

    Examples
    --------
    >>> data = encode_wav(np.array([[0.0], [0.5], [-2.0]], np.float32), 8000)
    >>> data[:4], len(data), data[44:].hex()
    (b'RIFF', 50, '000000400080')
    """
    channels = samples.shape[1]
    scaled = np.asarray(samples, np.float64) * 32768.0
    rounded = np.trunc(scaled + np.copysign(0.5, scaled))  # roundf: halves away from zero
    pcm = np.clip(rounded, -32768, 32767).astype("<i2").tobytes()
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + len(pcm),
        b"WAVE",
        b"fmt ",
        16,
        1,  # PCM
        channels,
        sample_rate,
        sample_rate * channels * 2,
        channels * 2,
        16,
        b"data",
        len(pcm),
    )
    return header + pcm


@register_kernel("AudioSummaryV2")
def audio_summary(tag, tensor, sample_rate, *, max_outputs):
    clips = np.asarray(tensor, dtype=np.float32)
    if np.ndim(sample_rate) != 0:
        raise InvalidArgumentError(
            None, None, f"sample_rate must be rank 0 (got {_shape_text(np.shape(sample_rate))})"
        )
    if clips.ndim not in (2, 3):
        raise InvalidArgumentError(
            None, None, f"Tensor must be 3-D or 2-D, got: {_shape_text(clips.shape)}"
        )
    if clips.ndim == 2:
        clips = clips[:, :, None]
    rate = float(sample_rate)
    summary = summary_pb2.Summary()
    tags = _outputs_tags(_text(tag), "audio", min(max_outputs, clips.shape[0]), max_outputs)
    for name, clip in zip(tags, clips):
        summary.value.add(tag=name).audio.CopyFrom(
            summary_pb2.Summary.Audio(
                sample_rate=rate,
                num_channels=clip.shape[1],
                length_frames=clip.shape[0],
                encoded_audio_string=encode_wav(clip, int(rate)),
                content_type="audio/wav",
            )
        )
    return _output(summary)


@register_kernel("TensorSummaryV2")
def tensor_summary_v2(tag, tensor, serialized_summary_metadata, *, T):
    metadata = summary_pb2.SummaryMetadata()
    try:
        metadata.ParseFromString(np.asarray(serialized_summary_metadata).item())
    except (_message.DecodeError, TypeError) as err:
        raise InvalidArgumentError(
            None, None, f"Could not parse the serialized_summary_metadata ({err})"
        ) from None
    summary = summary_pb2.Summary()
    value = summary.value.add(tag=_text(tag))
    value.metadata.CopyFrom(metadata)
    _tensor_to_proto(np.asarray(tensor), value.tensor)
    return _output(summary)


@register_kernel("MergeSummary")
def merge_summary(*inputs, N):
    merged = summary_pb2.Summary()
    seen = set()
    for serialized in inputs:
        part = summary_pb2.Summary()
        try:
            part.ParseFromString(np.asarray(serialized).item())
        except (_message.DecodeError, TypeError):
            raise InvalidArgumentError(
                None, None, "Could not parse one of the summary inputs"
            ) from None
        for value in part.value:
            if value.tag in seen:
                raise InvalidArgumentError(
                    None, None, f"Duplicate tag {value.tag} found in summary inputs "
                )
            seen.add(value.tag)
            merged.value.add().CopyFrom(value)
    return _output(merged)
