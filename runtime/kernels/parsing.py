"""Kernels of ``DecodeCSV`` and ``DecodeRaw``: text and bytes records into numbers.

Messages are TF's: a missing required field, a field that is not a number, a record
with the wrong number of fields, a raw string of the wrong size each fail with
``InvalidArgumentError`` naming the field and the record.
"""

from __future__ import annotations

import csv

import numpy as np

from ..errors import InvalidArgumentError
from ..registry import register_kernel

_NUMBER_PARSERS = {"i": int, "u": int, "f": float}


def _fields(record: bytes, delimiter: str, quoted: bool, index: int) -> list:
    text = record.decode("latin-1")  # bytes in, bytes out: latin-1 maps each byte to itself
    options = {"delimiter": delimiter, "strict": True}
    if not quoted:
        options["quoting"] = csv.QUOTE_NONE
    try:
        (row,) = list(csv.reader([text], **options)) or [[""]]
    except csv.Error as err:
        raise InvalidArgumentError(
            None,
            None,
            f"Quoted field has to end with quote followed by delim or end: {err} (record {index})",
        ) from None
    return row


def _parse_field(text: str, default: np.ndarray, column: int, record: int, na_value: str):
    dtype = default.dtype
    if text == "" or text == na_value:
        if default.size == 0:
            raise InvalidArgumentError(
                None, None, f"Field {column} is required but missing in record {record}!"
            )
        return default.reshape(-1)[0]
    if dtype.kind == "O":
        return text.encode("latin-1")
    try:
        value = _NUMBER_PARSERS[dtype.kind](text)
        info = np.iinfo(dtype) if dtype.kind in "iu" else None
        if info is not None and not info.min <= value <= info.max:
            raise ValueError(text)
    except ValueError:
        kind = {"i": "int", "u": "int", "f": "float"}[dtype.kind]
        raise InvalidArgumentError(
            None,
            None,
            f"Field {column} in record {record} is not a valid {kind}{dtype.itemsize * 8}: {text}",
        ) from None
    return value


@register_kernel("DecodeCSV")
def decode_csv(
    records, *record_defaults, OUT_TYPE, field_delim, use_quote_delim, na_value, select_cols
):
    defaults = [np.asarray(d) for d in record_defaults]
    flat = np.ravel(records)
    columns = [np.empty(flat.shape, dtype=d.dtype) for d in defaults]
    wanted = list(select_cols) or list(range(len(defaults)))
    for index, record in enumerate(flat):
        fields = _fields(bytes(record), field_delim, use_quote_delim, index)
        if select_cols:
            if max(wanted) >= len(fields):
                raise InvalidArgumentError(
                    None,
                    None,
                    f"Expect {max(wanted) + 1} fields but have {len(fields)} in record {index}",
                )
            fields = [fields[c] for c in wanted]
        if len(fields) != len(defaults):
            raise InvalidArgumentError(
                None,
                None,
                f"Expect {len(defaults)} fields but have {len(fields)} in record {index}",
            )
        for column, (text, default) in enumerate(zip(fields, defaults)):
            columns[column][index] = _parse_field(text, default, column, index, na_value)
    shape = np.shape(records)
    return tuple(column.reshape(shape) for column in columns)


@register_kernel("DecodeRaw")
def decode_raw(data, *, out_type, little_endian):
    dtype = np.dtype(out_type.as_numpy_dtype).newbyteorder("<" if little_endian else ">")
    flat = [bytes(item) for item in np.ravel(data)]
    sizes = {len(item) for item in flat}
    if len(sizes) > 1:
        first = len(flat[0])
        odd = next(i for i, item in enumerate(flat) if len(item) != first)
        raise InvalidArgumentError(
            None,
            None,
            f"DecodeRaw requires input strings to all be the same size, but element {odd} "
            f"has size {first} != {len(flat[odd])}",  # TF's order of the two sizes
        )
    size = sizes.pop() if sizes else 0
    if size % dtype.itemsize:
        raise InvalidArgumentError(
            None,
            None,
            f"Input to DecodeRaw has length {size} that is not a multiple of "
            f"{dtype.itemsize}, the size of {out_type.name}",
        )
    count = size // dtype.itemsize
    values = np.frombuffer(b"".join(flat), dtype=dtype).astype(dtype.newbyteorder("="))
    return (values.reshape(*np.shape(data), count),)
