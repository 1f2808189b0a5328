"""Kernels of the WAV ops: ``DecodeWav`` (16-bit PCM to floats in [-1, 1)) and
``EncodeWav`` (floats to 16-bit PCM); and of ``Timestamp``, the clock.

A WAV file is untrusted input: every read is checked against the bytes there are, a
chunk's claimed size is checked before anything is allocated for it, and malformed
headers fail with TF's ``InvalidArgumentError`` messages.
"""

from __future__ import annotations

import struct
import time

import numpy as np

from ..errors import InvalidArgumentError
from ..registry import register_kernel

_INT32_MAX = 2**31 - 1
_SCALE = 32768.0  # 16-bit samples are fractions of 2**15


class _Reader:
    """Little-endian reads from the file's bytes, each checked against its length."""

    def __init__(self, data: bytes):
        self.data = data
        self.offset = 0

    def take(self, count: int, what: str = "string") -> bytes:
        end = self.offset + count
        if end > len(self.data):
            raise _invalid(f"Data too short when trying to read {what}")
        chunk = self.data[self.offset : end]
        self.offset = end
        return chunk

    def expect(self, text: bytes) -> None:
        found = self.take(len(text))
        if found != text:
            raise _invalid(
                f"Header mismatch: Expected {text.decode()} but found {found.decode('latin-1')}"
            )

    def value(self, fmt: str) -> int:
        return struct.unpack("<" + fmt, self.take(struct.calcsize(fmt)))[0]


def _invalid(message: str) -> InvalidArgumentError:
    return InvalidArgumentError(None, None, message)


def _format(reader: _Reader) -> tuple:
    """The ``fmt `` chunk: ``(channels, sample rate, bytes per frame)``."""
    reader.expect(b"fmt ")
    size = reader.value("I")
    if size not in (16, 18):
        raise _invalid(f"Bad format chunk size for WAV: Expected 16 or 18, but got{size}")
    audio_format = reader.value("H")
    if audio_format != 1:
        raise _invalid(f"Bad audio format for WAV: Expected 1 (PCM), but got{audio_format}")
    channels = reader.value("H")
    if channels < 1:
        raise _invalid(f"Bad number of channels for WAV: Expected at least 1, but got {channels}")
    sample_rate = reader.value("I")
    bytes_per_second = reader.value("I")
    bytes_per_frame = reader.value("H")
    bits = reader.value("H")
    if bits != 16:
        raise _invalid(f"Can only read 16-bit WAV files, but received {bits}")
    expected_frame = (bits * channels + 7) // 8
    if bytes_per_frame != expected_frame:
        raise _invalid(
            f"Bad bytes per sample in WAV header: Expected {expected_frame} but got "
            f"{bytes_per_frame}"
        )
    if bytes_per_second != bytes_per_frame * sample_rate:
        raise _invalid(
            f"Bad bytes per second in WAV header: Expected {bytes_per_frame * sample_rate} but "
            f"got {bytes_per_second} (sample_rate={sample_rate}, bytes_per_sample="
            f"{bytes_per_frame})"
        )
    if size == 18:
        reader.take(2)  # the unused extension size
    return channels, sample_rate, bytes_per_frame


def parse_wav(contents: bytes) -> tuple:
    """``(samples [frames, channels] as float32, sample rate)`` of a 16-bit PCM WAV file.

    Examples
    --------
    >>> header = b"RIFF" + struct.pack("<I", 40) + b"WAVEfmt " + struct.pack(
    ...     "<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16) + b"data" + struct.pack("<I", 4)
    >>> samples, rate = parse_wav(header + struct.pack("<hh", 16384, -32768))
    >>> samples.tolist(), rate
    ([[0.5], [-1.0]], 8000)
    """
    reader = _Reader(contents)
    reader.expect(b"RIFF")
    reader.value("I")  # the file's size, as the file claims it
    reader.expect(b"WAVE")
    channels, sample_rate, bytes_per_frame = _format(reader)
    samples = None
    while reader.offset < len(contents):
        chunk_id = reader.take(4)
        size = reader.value("I")
        if size > _INT32_MAX:
            raise _invalid(
                f"WAV data chunk '{chunk_id.decode('latin-1')}' is too large: {size} bytes, "
                f"but the limit is {_INT32_MAX}"
            )
        if chunk_id != b"data":
            reader.offset += size  # a chunk we do not read (LIST, fact ...)
            continue
        if samples is not None:
            raise _invalid("More than one data chunk found in WAV")
        frames = size // bytes_per_frame
        raw = reader.take(2 * frames * channels)  # checked before anything is allocated
        values = np.frombuffer(raw, dtype="<i2").astype(np.float32) / _SCALE
        samples = values.reshape(frames, channels)
    if samples is None:
        raise _invalid("No data chunk found in WAV")
    return samples, sample_rate


@register_kernel("DecodeWav")
def decode_wav(contents, *, desired_channels, desired_samples):
    if contents.ndim != 0:
        raise _invalid(f"contents must be scalar, got shape {list(contents.shape)}")
    samples, sample_rate = parse_wav(contents.item())
    frames, channels = samples.shape
    out_frames = frames if desired_samples == -1 else desired_samples
    out_channels = channels if desired_channels == -1 else desired_channels
    # As TF: extra channels repeat the file's last one; extra samples are silence.
    sources = np.minimum(np.arange(out_channels), channels - 1)
    audio = np.zeros((out_frames, out_channels), np.float32)
    kept = min(frames, out_frames)
    audio[:kept] = samples[:kept][:, sources]
    return audio, np.int32(sample_rate)


@register_kernel("EncodeWav")
def encode_wav(audio, sample_rate):
    if audio.ndim != 2:
        raise _invalid(f"audio must be 2-dimensional, got shape {list(audio.shape)}")
    if sample_rate.ndim != 0:
        raise _invalid(
            f"Input sample_rate should be a scalar tensor, got shape {list(sample_rate.shape)}"
        )
    frames, channels = audio.shape
    rate = int(sample_rate)
    if rate <= 0:
        raise _invalid("sample_rate must be > 0")
    if channels == 0:
        raise _invalid("num_channels must be > 0")
    if frames * channels > _INT32_MAX:
        raise _invalid("Provided channels and frames cannot be encoded as a WAV.")
    # C's roundf (halves away from zero) of the float32 product, as TF rounds.
    scaled = (audio.astype(np.float32) * np.float32(_SCALE)).astype(np.float64)
    pcm = np.clip(np.copysign(np.floor(np.abs(scaled) + 0.5), scaled), -32768, 32767)
    data = pcm.astype("<i2").tobytes()
    header = (
        b"RIFF"
        + struct.pack("<I", 36 + len(data))
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * channels * 2, channels * 2, 16)
    )
    contents = np.empty((), dtype=object)
    contents[()] = header + b"data" + struct.pack("<I", len(data)) + data
    return (contents,)


@register_kernel("Timestamp")
def timestamp():
    return (np.float64(time.time()),)
