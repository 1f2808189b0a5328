"""Kernels of the string ops. A string tensor is a numpy object array of ``bytes``.

Regular expressions are TF's RE2 syntax run by Python's ``re`` (the same for the
common constructs); a rewrite's ``\\0``-``\\9`` are RE2's group references.
Formatting is C's ``printf``, as TF's ``AsString``.
"""

from __future__ import annotations

import base64
import functools
import itertools
import re

import numpy as np

from ..registry import register_kernel
from . import hashing
from .array import fail
from .math import shape_text


def _strings(array) -> np.ndarray:
    """``array`` as an object array of bytes (a scalar stays 0-d)."""
    out = np.empty(np.shape(array), dtype=object)
    flat = out.reshape(-1)
    for i, item in enumerate(np.asarray(array, dtype=object).reshape(-1)):
        flat[i] = item.encode() if isinstance(item, str) else bytes(item)
    return out


def _map(fn, *arrays, dtype=object) -> np.ndarray:
    """``fn`` over the broadcast elements of ``arrays`` (with their flat index)."""
    shapes = [np.shape(a) for a in arrays]
    try:
        shape = np.broadcast_shapes(*shapes)
    except ValueError:
        fail(f"Incompatible shapes: {' vs. '.join(shape_text(s) for s in shapes)}")
    views = [np.broadcast_to(np.asarray(a, dtype=object), shape).reshape(-1) for a in arrays]
    out = np.empty(len(views[0]) if views else 0, dtype=dtype)
    for i, items in enumerate(zip(*views)):
        out[i] = fn(i, *items)
    return out.reshape(shape)


# -- join, length, substr ----------------------------------------------------------------


@register_kernel("StringJoin")
def string_join(*inputs, N, separator):
    shapes = {np.shape(x) for x in inputs if np.ndim(x)}
    if len(shapes) > 1:
        fail(
            "Input shapes do not match: "
            + " vs. ".join(shape_text(s) for s in sorted(shapes, key=len))
        )
    sep = separator.encode() if isinstance(separator, str) else separator
    if not inputs:
        return (np.array(b"", dtype=object),)
    return (_map(lambda _, *parts: sep.join(parts), *map(_strings, inputs)),)


def _code_points(value: bytes, index: int) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        fail(f"Invalid UTF8 encoded string at index {index}: {value!r}")


@register_kernel("StringLength")
def string_length(input, *, unit):
    if unit == "UTF8_CHAR":
        return (_map(lambda i, s: len(_code_points(s, i)), _strings(input), dtype=np.int32),)
    return (_map(lambda _, s: len(s), _strings(input), dtype=np.int32),)


@register_kernel("Substr")
def substr(input, pos, length, *, T, unit):
    if np.shape(pos) != np.shape(length):
        fail(
            f"pos and len should have the same shape, got: {shape_text(np.shape(pos))} vs. "
            f"{shape_text(np.shape(length))}"
        )
    strings = _strings(input)

    def piece(i, value, start, count):
        text = _code_points(value, i) if unit == "UTF8_CHAR" else value
        size = len(text)
        start, count = int(start), int(count)
        if start > size or start < -size:
            fail(
                f"pos {start} out of range for string b'{value.decode(errors='replace')}' at index {i}"
            )
        start = start + size if start < 0 else start
        part = text[start : start + max(count, 0)]
        return part.encode() if unit == "UTF8_CHAR" else part

    return (_map(piece, strings, pos, length),)


# -- regex_replace -----------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _compile(pattern: bytes) -> re.Pattern:
    try:
        return re.compile(pattern)
    except re.error as err:
        fail(f"Invalid pattern: {pattern.decode(errors='replace')}, error: {err}")


def _rewrite(template: bytes, match: re.Match) -> bytes:
    """RE2's rewrite: ``\\N`` is group N, ``\\\\`` a backslash."""
    out, i = bytearray(), 0
    while i < len(template):
        char = template[i : i + 1]
        if char == b"\\" and i + 1 < len(template):
            following = template[i + 1 : i + 2]
            if following.isdigit():
                number = int(following)
                if number > match.re.groups:
                    fail(
                        f"Rewrite schema error: '\\{number}' is not a valid capture group for "
                        f"pattern with {match.re.groups} groups"
                    )
                out += match.group(number) or b""
            else:
                out += following
            i += 2
            continue
        out += char
        i += 1
    return bytes(out)


def _replace(value: bytes, pattern: bytes, rewrite: bytes, replace_global: bool) -> bytes:
    compiled = _compile(pattern)
    return compiled.sub(lambda m: _rewrite(rewrite, m), value, count=0 if replace_global else 1)


@register_kernel("RegexReplace")
def regex_replace(input, pattern, rewrite, *, replace_global):
    if np.ndim(pattern) or np.ndim(rewrite):
        fail("Pattern and rewrite must be scalars")
    pattern, rewrite = _strings(pattern).item(), _strings(rewrite).item()
    return (_map(lambda _, s: _replace(s, pattern, rewrite, replace_global), _strings(input)),)


@register_kernel("StaticRegexReplace")
def static_regex_replace(input, *, pattern, rewrite, replace_global):
    as_bytes = [p.encode() if isinstance(p, str) else p for p in (pattern, rewrite)]
    return (_map(lambda _, s: _replace(s, *as_bytes, replace_global), _strings(input)),)


# -- as_string, string_to_number ---------------------------------------------------------


def _number_format(dtype, precision, scientific, shortest, width, fill) -> str:
    if scientific and shortest:
        fail("Cannot select both scientific and shortest notation")
    if len(fill) > 1:
        fail("Fill string must be one or fewer characters")
    if fill and fill not in " +-0#":
        fail(f'Fill argument not supported: "{fill}"')
    spec = "%" + fill + (str(width) if width > -1 else "")
    kind = np.dtype(dtype).kind
    if kind in "iub":
        if precision > -1:
            fail(f"precision not supported for datatype {np.dtype(dtype).name}")
        if scientific or shortest:
            fail(
                f"scientific and shortest format not supported for datatype {np.dtype(dtype).name}"
            )
        return spec + "s" if kind == "b" else spec + "d"
    if kind == "O":
        return spec + "s"
    spec += f".{precision}" if precision > -1 else ""
    return spec + ("g" if shortest else "e" if scientific else "f")


@register_kernel("AsString")
def as_string(input, *, T, precision, scientific, shortest, width, fill):
    values = np.asarray(input)
    spec = _number_format(values.dtype, precision, scientific, shortest, width, fill)
    kind = values.dtype.kind

    def text(_, value):
        if kind == "b":
            return (spec % ("true" if value else "false")).encode()
        if kind == "O":
            return spec.encode() % (value.encode() if isinstance(value, str) else value)
        if kind == "c":
            return f"({spec % value.real},{spec % value.imag})".encode()
        return (spec % (int(value) if kind in "iu" else float(value))).encode()

    return (_map(text, values),)


def _parse_float(text: str) -> float:
    """C's ``strtod``: decimal, ``inf``/``nan`` and hexadecimal (``0x10``) numbers."""
    if text.lstrip("+-").lower().startswith("0x"):
        return float.fromhex(text)
    return float(text)


@register_kernel("StringToNumber")
def string_to_number(string_tensor, *, out_type):
    target = np.dtype(out_type.as_numpy_dtype)

    def parse(_, value):
        text = value.decode(errors="replace")
        try:
            number = _parse_float(text.strip()) if target.kind == "f" else int(text.strip())
        except ValueError:
            number = None
        if number is None or (
            target.kind != "f" and not np.iinfo(target).min <= number <= np.iinfo(target).max
        ):
            fail(f"StringToNumberOp could not correctly convert string: {text}")
        return number

    return (_map(parse, _strings(string_tensor), dtype=target),)


# -- split -------------------------------------------------------------------------------


def _as_sparse(rows: list) -> tuple:
    """Token lists as a SparseTensor's parts: indices ``[i, j]``, values, shape."""
    indices = [(i, j) for i, tokens in enumerate(rows) for j in range(len(tokens))]
    values = np.empty(len(indices), dtype=object)
    values[:] = [token for tokens in rows for token in tokens]
    width = max((len(tokens) for tokens in rows), default=0)
    return (
        np.asarray(indices, dtype=np.int64).reshape(-1, 2),
        values,
        np.array([len(rows), width], dtype=np.int64),
    )


def _vector(input) -> np.ndarray:
    if np.ndim(input) != 1:
        fail(f"input must be a vector, got shape: {shape_text(np.shape(input))}")
    return _strings(input)


@register_kernel("StringSplit")
def string_split(input, delimiter, *, skip_empty):
    if np.ndim(delimiter) != 0:
        fail(f"delimiter must be a scalar, got shape: {shape_text(np.shape(delimiter))}")
    separators = _strings(delimiter).item()
    rows = []
    for value in _vector(input):
        if not value or not separators:  # TF: an empty string has no tokens, not one ""
            tokens = [value[k : k + 1] for k in range(len(value))]
        else:
            tokens = re.split(b"[" + re.escape(separators) + b"]", value)
        rows.append([t for t in tokens if t] if skip_empty else tokens)
    return _as_sparse(rows)


@register_kernel("StringSplitV2")
def string_split_v2(input, sep, *, maxsplit):
    if np.ndim(sep) != 0:
        fail(f"sep must be a scalar, got shape: {shape_text(np.shape(sep))}")
    separator = _strings(sep).item() or None  # empty: runs of whitespace
    rows = [value.split(separator, maxsplit) for value in _vector(input)]
    return _as_sparse(rows)


# -- strip, case, full match, reduce_join ------------------------------------------------


@register_kernel("StringStrip")
def string_strip(input):
    return (_map(lambda _, s: s.strip(), _strings(input)),)


def _case(convert, encoding: str):
    if encoding not in ("", "utf-8"):
        fail(f"Unsupported encoding: {encoding}")
    if encoding:
        return lambda i, s: convert(_code_points(s, i)).encode()
    # ASCII letters only: bytes.lower/upper leave every other byte alone, as C's tolower.
    return lambda _, s: convert(s)


@register_kernel("StringLower")
def string_lower(input, *, encoding):
    return (_map(_case(lambda s: s.lower(), encoding), _strings(input)),)


@register_kernel("StringUpper")
def string_upper(input, *, encoding):
    return (_map(_case(lambda s: s.upper(), encoding), _strings(input)),)


def _full_match(input, pattern: bytes):
    compiled = _compile(pattern)
    return (_map(lambda _, s: compiled.fullmatch(s) is not None, _strings(input), dtype=bool),)


@register_kernel("RegexFullMatch")
def regex_full_match(input, pattern):
    if np.ndim(pattern):
        fail(f"Pattern must be scalar, but received {shape_text(np.shape(pattern))}")
    return _full_match(input, _strings(pattern).item())


@register_kernel("StaticRegexFullMatch")
def static_regex_full_match(input, *, pattern):
    return _full_match(input, pattern.encode() if isinstance(pattern, str) else pattern)


@register_kernel("ReduceJoin")
def reduce_join(inputs, reduction_indices, *, keep_dims, separator):
    strings = _strings(inputs)
    rank = strings.ndim
    axes = []
    for axis in np.reshape(reduction_indices, -1).tolist():
        if not -rank <= axis < rank:
            fail(f"Invalid reduction dimension {axis} for input with {rank} dimensions")
        if axis % rank in axes:
            fail(f"Duplicate reduction dimension {axis % rank}")
        axes.append(axis % rank)
    sep = separator.encode() if isinstance(separator, str) else separator
    kept = [d for d in range(rank) if d not in axes]
    # The reduced axes last, the first one given innermost (as TF joins them).
    moved = np.transpose(strings, kept + axes[::-1])
    flat = moved.reshape(*moved.shape[: len(kept)], -1)
    out = np.empty(flat.shape[:-1], dtype=object)
    for index in np.ndindex(*out.shape):
        out[index] = sep.join(flat[index])
    if keep_dims:
        out = out.reshape([1 if d in axes else strings.shape[d] for d in range(rank)])
    return (out,)


# -- hash buckets, fingerprints ----------------------------------------------------------


def _buckets(hash_fn, input, num_buckets: int) -> np.ndarray:
    return _map(lambda _, s: hash_fn(s) % num_buckets, _strings(input), dtype=np.int64)


@register_kernel("StringToHashBucketFast")
def string_to_hash_bucket_fast(input, *, num_buckets):
    return (_buckets(hashing.fingerprint64, input, num_buckets),)


@register_kernel("StringToHashBucket")
def string_to_hash_bucket(string_tensor, *, num_buckets):
    return (_buckets(hashing.hash64, string_tensor, num_buckets),)


@register_kernel("StringToHashBucketStrong")
def string_to_hash_bucket_strong(input, *, num_buckets, key):
    if len(key) != 2:
        fail(f"Key must have 2 elements, got {len(key)}")
    keyed = (int(key[0]), int(key[1]))
    return (_buckets(lambda s: hashing.siphash(keyed, s), input, num_buckets),)


def _fingerprint_bytes(value: int) -> bytes:
    return value.to_bytes(8, "little")


@register_kernel("Fingerprint")
def fingerprint(data, method, *, T):
    if np.ndim(method) != 0:
        fail(f"`method` should be a scalar string: {shape_text(np.shape(method))}")
    name = _strings(method).item()
    if name != b"farmhash64":
        fail(f"Unsupported fingerprint method: {name.decode(errors='replace')}")
    if np.ndim(data) < 1:
        fail(f"`data` should have at least one dimension: {shape_text(np.shape(data))}")
    rows = np.asarray(data).reshape(np.shape(data)[0], -1)
    out = np.empty((len(rows), 8), dtype=np.uint8)
    for i, row in enumerate(rows):
        if rows.dtype == object:
            strings = _strings(row)
            # A string alone is hashed; several are hashed as their fingerprints in a row.
            text = (
                strings[0]
                if np.ndim(data) == 1
                else b"".join(_fingerprint_bytes(hashing.fingerprint64(s)) for s in strings)
            )
        else:
            text = np.ascontiguousarray(row).tobytes()
        out[i] = np.frombuffer(_fingerprint_bytes(hashing.fingerprint64(text)), np.uint8)
    return (out,)


# -- base64 (web-safe, as TF's) ------------------------------------------------------------

_WEB_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@register_kernel("EncodeBase64")
def encode_base64(input, *, pad):
    def encode(_, value):
        text = base64.urlsafe_b64encode(value)
        return text if pad else text.rstrip(b"=")

    return (_map(encode, _strings(input)),)


@register_kernel("DecodeBase64")
def decode_base64(input):
    def decode(_, value):
        text = value.rstrip(b"=")
        if len(value) - len(text) > 2 or not _WEB_SAFE.issuperset(text):
            fail("Invalid character found in base64.")
        if len(text) % 4 == 1:
            fail("Base64 string length cannot be 1 modulo 4.")
        return base64.urlsafe_b64decode(text + b"=" * (-len(text) % 4))

    return (_map(decode, _strings(input)),)


# -- n-grams, segment joins ----------------------------------------------------------------


def _ngrams(tokens: list, width: int, count: int, pad: tuple, separator: bytes) -> list:
    """TF's ``CreateNgrams``: ``count`` n-grams of ``width`` over ``tokens``, padded by
    ``pad = (left, right, pad_width)``; a separator never doubles."""
    left, right, pad_width = pad
    pad_width = min(width - 1, pad_width) if pad_width >= 0 else width - 1
    grams = []
    for index in range(count):
        lead = max(0, pad_width - index)
        trail = max(0, pad_width - (count - index - 1))
        taken = width - lead - trail
        start = 0 if lead else index - pad_width
        parts = [left] * lead + tokens[start : start + taken] + [right] * trail
        grams.append(separator.join(parts))
    return grams


def _ngram_count(length: int, width: int, pad_width: int) -> int:
    pad_width = min(width - 1, pad_width) if pad_width >= 0 else width - 1
    return max(0, length + 2 * pad_width - width + 1)


@register_kernel("StringNGrams")
def string_ngrams(
    data,
    data_splits,
    *,
    separator,
    ngram_widths,
    left_pad,
    right_pad,
    pad_width,
    preserve_short_sequences,
    Tsplits,
):
    splits = np.asarray(data_splits).tolist()
    tokens = list(_strings(data).reshape(-1))
    if not splits or splits[0] != 0 or splits[-1] != len(tokens) or splits != sorted(splits):
        fail(
            "Invalid split value: splits must start at 0, end at the number of tokens "
            f"({len(tokens)}) and not decrease, got {splits}"
        )
    as_bytes = [(x.encode() if isinstance(x, str) else x) for x in (separator, left_pad, right_pad)]
    separator, pad = as_bytes[0], (as_bytes[1], as_bytes[2], pad_width)
    grams, out_splits = [], [0]
    for begin, end in itertools.pairwise(splits):
        row = tokens[begin:end]
        made = []
        for width in ngram_widths:
            made += _ngrams(row, width, _ngram_count(len(row), width, pad_width), pad, separator)
        if preserve_short_sequences and not made and row:
            # The whole (padded) row, once: the only n-gram of a too-short sequence.
            made = _ngrams(row, len(row) + 2 * max(pad_width, 0), 1, pad, separator)
        grams += made
        out_splits.append(len(grams))
    values = np.empty(len(grams), dtype=object)
    values[:] = grams
    return values, np.array(out_splits, dtype=Tsplits.as_numpy_dtype)


@register_kernel("UnsortedSegmentJoin")
def unsorted_segment_join(inputs, segment_ids, num_segments, *, separator, Tindices, Tnumsegments):
    strings, ids = _strings(inputs), np.asarray(segment_ids)
    if strings.shape[: ids.ndim] != ids.shape:
        fail(
            "segment_ids.shape = "
            + shape_text(ids.shape)
            + " is not a prefix of inputs.shape = "
            + shape_text(strings.shape)
        )
    count = int(num_segments)
    if ids.size and (ids.min() < 0 or ids.max() >= count):
        fail("segment_ids are not allowed to exceed num_segments or to have negative values.")
    sep = separator.encode() if isinstance(separator, str) else separator
    inner = strings.shape[ids.ndim :]
    pieces = strings.reshape(ids.size, int(np.prod(inner, dtype=np.int64)))
    joined = [[[] for _ in range(pieces.shape[1])] for _ in range(count)]
    for segment, row in zip(ids.reshape(-1).tolist(), pieces):
        for j, value in enumerate(row):
            joined[segment][j].append(value)
    out = np.empty((count, pieces.shape[1]), dtype=object)
    for index in np.ndindex(*out.shape):
        out[index] = sep.join(joined[index[0]][index[1]])
    return (out.reshape((count, *inner)),)
