"""Kernels of the Unicode ops: ``UnicodeDecode`` (with offsets), ``UnicodeEncode``,
``UnicodeTranscode`` and ``UnicodeScript``.

Decoding is Python's codecs under the names ICU knows (``UTF-8``, ``UTF-16-BE``,
``ISO-8859-1`` ...). A malformed sequence counts as one character, as ICU's: the
*maximal subpart* Unicode's conformance rules cut (what Python's ``"replace"`` marks
too), replaced by ``replacement_char``, dropped (``errors="ignore"``) or an error
(``"strict"``). ``replace_control_characters`` replaces C0 controls (U+0000-U+001F).
"""

from __future__ import annotations

import bisect
import codecs
import functools
import itertools

import numpy as np

from ..registry import register_kernel
from .array import fail
from .strings import _strings
from .unicode_scripts import RUNS

# A malformed sequence decodes to this lone surrogate (never the result of decoding valid
# text) followed by one carrying the sequence's byte length: the handler keeps no state.
_INVALID = "\ud800"
_UNKNOWN_SCRIPT = -1  # TF's answer for what is not a code point
_ENCODINGS = {"UTF-8": "utf-8", "UTF-16-BE": "utf-16-be", "UTF-32-BE": "utf-32-be"}


def _mark_invalid(error: UnicodeDecodeError):
    return _INVALID + chr(0xDC00 + error.end - error.start), error.end


codecs.register_error("tfgraph.mark_invalid", _mark_invalid)


@functools.lru_cache(maxsize=64)
def _codec(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        fail(f"Could not create converter for input encoding: {encoding}")


def _decode(value: bytes, encoding: str, errors: str, replacement: int, controls: bool):
    """The code points of ``value`` and the byte offset at which each starts."""
    codec = _codec(encoding)
    chars = iter(value.decode(codec, "tfgraph.mark_invalid"))
    points, offsets, at = [], [], 0
    for char in chars:
        if char == _INVALID:
            width = ord(next(chars)) - 0xDC00
            if errors == "strict":
                fail("Invalid formatting on input string")
            if errors == "replace":
                points.append(replacement)
                offsets.append(at)
        else:
            width = len(char.encode(codec))
            point = ord(char)
            points.append(replacement if controls and point < 0x20 else point)
            offsets.append(at)
        at += width
    return points, offsets


def _decoded(input, input_encoding, errors, replacement_char, replace_control_characters, Tsplits):
    rows = [
        _decode(value, input_encoding, errors, replacement_char, replace_control_characters)
        for value in _strings(input).reshape(-1)
    ]
    splits = np.cumsum([0] + [len(points) for points, _ in rows])
    points = np.array([p for row, _ in rows for p in row], dtype=np.int32)
    offsets = np.array([o for _, row in rows for o in row], dtype=np.int64)
    return splits.astype(Tsplits.as_numpy_dtype), points, offsets


@register_kernel("UnicodeDecode")
def unicode_decode(input, **attrs):
    splits, points, _ = _decoded(input, **attrs)
    return splits, points


@register_kernel("UnicodeDecodeWithOffsets")
def unicode_decode_with_offsets(input, **attrs):
    return _decoded(input, **attrs)


def _is_code_point(point: int) -> bool:
    return 0 <= point <= 0x10FFFF and not 0xD800 <= point <= 0xDFFF


def _encode(points, encoding: str, errors: str, replacement: int) -> bytes:
    chars = []
    for point in points:
        if not _is_code_point(point):
            if errors == "strict":
                fail("Code point is out of range for Unicode, or is a surrogate.")
            if errors == "ignore":
                continue
            point = replacement
        chars.append(chr(point))
    return "".join(chars).encode(_ENCODINGS[encoding])


@register_kernel("UnicodeEncode")
def unicode_encode(
    input_values, input_splits, *, errors, output_encoding, replacement_char, Tsplits
):
    splits = np.asarray(input_splits).tolist()
    values = np.asarray(input_values).tolist()
    if not splits or splits[0] != 0 or splits[-1] != len(values) or splits != sorted(splits):
        fail(f"Invalid input_splits {splits} for {len(values)} input_values")
    out = np.empty(len(splits) - 1, dtype=object)
    for i, (begin, end) in enumerate(itertools.pairwise(splits)):
        out[i] = _encode(values[begin:end], output_encoding, errors, replacement_char)
    return (out,)


@register_kernel("UnicodeTranscode")
def unicode_transcode(
    input, *, input_encoding, output_encoding, errors, replacement_char, replace_control_characters
):
    strings = _strings(input)
    out = np.empty(strings.shape, dtype=object)
    for index, value in np.ndenumerate(strings):
        points, _ = _decode(
            value, input_encoding, errors, replacement_char, replace_control_characters
        )
        out[index] = _encode(points, output_encoding, "replace", 0xFFFD)
    return (out,)


@functools.cache
def _script_runs() -> tuple:
    pairs = [entry.split(":") for entry in RUNS.split()]
    return [int(start, 16) for start, _ in pairs], [int(script) for _, script in pairs]


@register_kernel("UnicodeScript")
def unicode_script(input):
    starts, scripts = _script_runs()

    def script(point: int) -> int:
        if not 0 <= point <= 0x10FFFF:
            return _UNKNOWN_SCRIPT
        return scripts[bisect.bisect_right(starts, point) - 1]

    points = np.asarray(input)
    out = np.array([script(p) for p in points.reshape(-1).tolist()], dtype=np.int32)
    return (out.reshape(points.shape),)
