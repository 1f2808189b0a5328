"""Datasets of files and databases, and writing a dataset to a file:
``CsvDataset``/``make_csv_dataset``, ``SqlDataset``, ``make_batched_features_dataset``,
``parse_example_dataset`` and ``TFRecordWriter`` (``tf.data.experimental``'s readers).

CSV records are parsed as ``decode_csv`` parses them (the same field rules and
errors, :mod:`runtime.kernels.parsing`); a quoted field may span lines. ``make_csv_dataset``
and ``make_batched_features_dataset`` are composed of other datasets exactly as TF composes
them, including the column types ``make_csv_dataset`` infers from the first rows.
``SqlDataset`` runs a query with Python's ``sqlite3`` (the one driver TF has, ``sqlite``),
opening the database read-only.
"""

from __future__ import annotations

import collections
import contextlib
import csv
import glob
import io
import sqlite3

import numpy as np

from .. import dtypes, records
from ..errors import InvalidArgumentError, UnknownError
from ..graph import Tensor
from ..kernels.parsing import _parse_field
from ..ops.core import apply_op, constant, convert_to_tensor
from ..ops.parsing_ops import parse_example
from ..registry import Cost, OpDef, not_differentiable, register_kernel, register_op
from ..shapes import TensorShape
from .dataset_ops import _TYPES, AUTOTUNE, Dataset, TFRecordDataset, _int64, _source, _variant
from .kernels import _dataset_kernel, _file_names, _file_source, _scalar_text
from .pipeline import UNKNOWN, Pipeline, Source
from .structure import Structure
from .transformations import parallel_interleave

__all__ = [
    "CsvDataset",
    "SqlDataset",
    "TFRecordWriter",
    "make_batched_features_dataset",
    "make_csv_dataset",
    "parse_example_dataset",
]

_CSV_TYPES = (dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64, dtypes.string)

CSV = register_op(
    OpDef(
        "CSVDatasetV2",
        (
            "filenames: string",
            "compression_type: string",
            "buffer_size: int64",
            "header: bool",
            "field_delim: string",
            "use_quote_delim: bool",
            "na_value: string",
            "select_cols: int64",
            "record_defaults: output_types",
            "exclude_cols: int64",
        ),
        ("handle: variant",),
        (
            "output_types: list({float32, float64, int32, int64, string}) >= 1",
            "output_shapes: list(shape) >= 1",
        ),
        shape_fn=_variant,
        is_stateful=True,
    )
)
SQL = register_op(
    OpDef(
        "SqlDataset",
        ("driver_name: string", "data_source_name: string", "query: string"),
        ("handle: variant",),
        _TYPES,
        shape_fn=_variant,
        is_stateful=True,
    )
)
TO_TF_RECORD = register_op(
    OpDef(
        "DatasetToTFRecord",
        ("input_dataset: variant", "filename: string", "compression_type: string"),
        (),
        (),
        shape_fn=lambda *_inputs: [],
        is_stateful=True,
        cost=Cost.EXPENSIVE,
    )
)
for _op_type in ("CSVDatasetV2", "SqlDataset", "DatasetToTFRecord"):
    not_differentiable(_op_type)


# -- CSV --------------------------------------------------------------------------------


class CsvDataset(Dataset):
    """The records of CSV files (``tf.data.experimental.CsvDataset``), one tuple of scalars
    per line.

    Parameters
    ----------
    filenames : str or list of str, or a string tensor
    record_defaults : list
        One per column kept: a dtype (the field is required) or a value/tensor of one
        element (its default when the field is empty or ``na_value``).
    compression_type : str, optional
        ``""``, ``"ZLIB"`` or ``"GZIP"``.
    buffer_size : int, optional
        Unused here (TF's read buffer).
    header : bool
        Skip each file's first line.
    field_delim : str
    use_quote_delim : bool
        Fields may be quoted (``"a,b"``; ``""`` is a quote inside one).
    na_value : str
        A field that means "missing".
    select_cols, exclude_cols : list of int, optional
        The columns to keep (sorted), or to drop; not both.

    Examples
    --------
    >>> import os, tempfile
    >>> import runtime as tf
    >>> path = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> _ = open(path, "w").write('x,y\\n1,"a,b"\\n2,\\n')
    >>> with tf.Graph().as_default():
    ...     ds = CsvDataset(path, [tf.int32, "?"], header=True)
    ...     row = tf.compat.v1.data.make_one_shot_iterator(ds).get_next()
    ...     with tf.compat.v1.Session() as sess:
    ...         print(sess.run(row), sess.run(row))
    (np.int32(1), b'a,b') (np.int32(2), b'?')
    """

    def __init__(
        self,
        filenames,
        record_defaults,
        compression_type=None,
        buffer_size=None,
        header=False,
        field_delim=",",
        use_quote_delim=True,
        na_value="",
        select_cols=None,
        exclude_cols=None,
    ):
        defaults = [
            constant([], dtype=d)
            if _is_csv_type(d)
            else convert_to_tensor(d, name="record_defaults")
            for d in record_defaults
        ]
        for default in defaults:
            if default.dtype.base_dtype not in _CSV_TYPES:
                raise TypeError(
                    f"Unsupported type {default.dtype.name} in `record_defaults`: use float32, "
                    "float64, int32, int64 or string."
                )
        inputs = [
            convert_to_tensor(filenames, dtype=dtypes.string, name="filenames"),
            convert_to_tensor(compression_type or "", dtype=dtypes.string, name="compression_type"),
            _int64(buffer_size or 4 * 1024 * 1024, "buffer_size"),
            convert_to_tensor(header, dtype=dtypes.bool, name="header"),
            convert_to_tensor(field_delim, dtype=dtypes.string, name="field_delim"),
            convert_to_tensor(use_quote_delim, dtype=dtypes.bool, name="use_quote_delim"),
            convert_to_tensor(na_value, dtype=dtypes.string, name="na_value"),
            _int64(select_cols or [], "select_cols"),
            defaults,
            _int64(exclude_cols or [], "exclude_cols"),
        ]
        types = tuple(d.dtype.base_dtype for d in defaults)
        structure = Structure(types, tuple(TensorShape([]) for _ in types))
        dataset = _source(CSV, inputs, structure, None)
        super().__init__(dataset._variant_tensor, structure)


def _is_csv_type(value) -> bool:
    return (
        not isinstance(value, Tensor)
        and isinstance(value, dtypes.DType)
        and (value.base_dtype in _CSV_TYPES)
    )


def _csv_rows(stream, delimiter: str, quoted: bool, path: str):
    """The rows of a CSV text stream (a quoted field may span lines); empty lines skipped."""
    options = {"delimiter": delimiter, "strict": True}
    if not quoted:
        options["quoting"] = csv.QUOTE_NONE
    reader = csv.reader(stream, **options)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            raise InvalidArgumentError(
                None, None, f"{path}: quoted field has to end with quote followed by delim ({err})"
            ) from None
        if row:
            yield row


@_dataset_kernel("CSVDatasetV2")
def _csv(
    filenames,
    compression_type,
    buffer_size,
    header,
    field_delim,
    use_quote_delim,
    na_value,
    select_cols,
    *rest,
):
    defaults, exclude_cols = [np.asarray(d) for d in rest[:-1]], rest[-1]
    select, exclude = (
        [int(c) for c in np.ravel(select_cols)],
        [int(c) for c in np.ravel(exclude_cols)],
    )
    if select and exclude:
        raise InvalidArgumentError(None, None, "Either select_cols or exclude_cols should be empty")
    if select != sorted(set(select)) or exclude != sorted(set(exclude)):
        raise InvalidArgumentError(
            None, None, "select_cols and exclude_cols should be increasing indices"
        )
    compression, delimiter = _scalar_text(compression_type), _scalar_text(field_delim)
    na, quoted, skip = _scalar_text(na_value), bool(use_quote_delim), bool(header)

    def read_one(path):
        with records.open_compressed(path, compression) as raw:
            stream = io.TextIOWrapper(raw, encoding="latin-1", newline="")
            for number, row in enumerate(_csv_rows(stream, delimiter, quoted, path)):
                if number == 0 and skip:
                    continue
                yield _csv_record(row, defaults, select, exclude, na, number)

    return _file_source(filenames, read_one)


def _csv_record(row, defaults, select, exclude, na_value, number) -> tuple:
    if select:
        if select[-1] >= len(row):
            raise InvalidArgumentError(
                None, None, f"Expect {select[-1] + 1} fields but have {len(row)} in record {number}"
            )
        row = [row[c] for c in select]
    elif exclude:
        row = [field for c, field in enumerate(row) if c not in exclude]
    if len(row) != len(defaults):
        raise InvalidArgumentError(
            None, None, f"Expect {len(defaults)} fields but have {len(row)} in record {number}"
        )
    return tuple(
        np.asarray(_parse_field(text, default, column, number, na_value), dtype=default.dtype)
        for column, (text, default) in enumerate(zip(row, defaults))
    )


def _file_list(file_pattern, shuffle: bool) -> list:
    patterns = file_pattern if isinstance(file_pattern, list | tuple) else [file_pattern]
    if isinstance(file_pattern, list | tuple) and not file_pattern:
        raise ValueError("Argument `file_pattern` should not be empty.")
    names = [name for pattern in patterns for name in sorted(glob.glob(str(pattern)))]
    if not names:
        raise ValueError(f"No files match `file_pattern` {file_pattern}.")
    return names if shuffle else sorted(names)


def _csv_header_rows(names, delimiter, quoted, header):
    """The first rows of the files (after their headers), as Python's csv reads them."""
    for name in names:
        with open(name, encoding="latin-1", newline="") as stream:
            rows = _csv_rows(stream, delimiter, quoted, name)
            if header:
                next(rows, None)
            yield from rows


def _column_names(names, delimiter, quoted) -> list:
    headers = []
    for name in names:
        with open(name, encoding="latin-1", newline="") as stream:
            headers.append(next(_csv_rows(stream, delimiter, quoted, name), []))
    if any(header != headers[0] for header in headers):
        raise ValueError("Files have different column names in the header row.")
    return headers[0]


def _valid_int(text: str, dtype) -> bool:
    try:
        value = int(text)
    except ValueError:
        return False
    info = np.iinfo(dtype.as_numpy_dtype)
    return info.min <= value <= info.max


def _valid_float(text: str, dtype) -> bool:
    try:
        value = float(text)
    except ValueError:
        return False
    return abs(value) < np.finfo(dtype.as_numpy_dtype).max


_INFERENCE = (
    (dtypes.int32, lambda t: _valid_int(t, dtypes.int32)),
    (dtypes.int64, lambda t: _valid_int(t, dtypes.int64)),
    (dtypes.float32, lambda t: _valid_float(t, dtypes.float32)),
    (dtypes.float64, lambda t: _valid_float(t, dtypes.float64)),
    (dtypes.string, lambda t: True),
)


def _infer_type(text: str, na_value: str, previous):
    """TF's inference: the least permissive type that takes this field and every earlier
    one of its column (empty and NA fields say nothing)."""
    if text in ("", na_value):
        return previous
    kinds = [kind for kind, _ in _INFERENCE]
    for index, (kind, valid) in enumerate(_INFERENCE):
        if valid(text) and (previous is None or previous in kinds[: index + 1]):
            return kind
    return dtypes.string


def _inferred_defaults(names, count, delimiter, quoted, na_value, header, rows, columns):
    types = [None] * len(columns)
    for number, row in enumerate(_csv_header_rows(names, delimiter, quoted, header)):
        if rows is not None and number >= rows:
            break
        if len(row) != count:
            raise ValueError(
                f"Problem inferring types: CSV row {number} has {len(row)} number of fields. "
                f"Expected: {count}."
            )
        for j, column in enumerate(columns):
            types[j] = _infer_type(row[column], na_value, types[j])
    return [
        constant([0 if kind is not dtypes.string else ""], dtype=kind)
        for kind in (t or dtypes.string for t in types)
    ]


def _column_indices(select_columns, column_names) -> list:
    if all(isinstance(c, int) for c in select_columns):
        indices = list(select_columns)
        if any(c < 0 or c >= len(column_names) for c in indices):
            raise ValueError(
                f"Column index {max(indices)} specified in `select_columns` should be > 0  and "
                f"<= {len(column_names) - 1}, which is the number of columns."
            )
    elif all(isinstance(c, str) for c in select_columns):
        missing = [c for c in select_columns if c not in column_names]
        if missing:
            raise ValueError(
                f"Column {missing[0]} in `select_columns` not in the CSV columns {column_names}."
            )
        indices = [column_names.index(c) for c in select_columns]
    else:
        raise ValueError("`select_columns` must be all integers or all strings.")
    return sorted(indices)


def _shuffled_and_repeated(dataset, num_epochs, shuffle, buffer_size, seed) -> Dataset:
    if shuffle:
        dataset = dataset.shuffle(buffer_size, seed)
    if num_epochs != 1:
        dataset = dataset.repeat(num_epochs)
    return dataset


def make_csv_dataset(
    file_pattern,
    batch_size,
    column_names=None,
    column_defaults=None,
    label_name=None,
    select_columns=None,
    field_delim=",",
    use_quote_delim=True,
    na_value="",
    header=True,
    num_epochs=None,
    shuffle=True,
    shuffle_buffer_size=10000,
    shuffle_seed=None,
    prefetch_buffer_size=None,
    num_parallel_reads=None,
    sloppy=False,
    num_rows_for_inference=100,
    compression_type=None,
    ignore_errors=False,
    encoding="utf-8",
):
    """Batches of CSV rows as dicts of columns (with the label apart with ``label_name``),
    as TF's ``make_csv_dataset``: column names from the header, types inferred from the
    first ``num_rows_for_inference`` rows unless ``column_defaults`` gives them.

    Examples
    --------
    >>> import os, tempfile
    >>> import runtime as tf
    >>> path = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> _ = open(path, "w").write("size,label\\n1.5,0\\n2.5,1\\n")
    >>> with tf.Graph().as_default():
    ...     ds = make_csv_dataset(path, 2, label_name="label", num_epochs=1, shuffle=False)
    ...     features, label = tf.compat.v1.data.make_one_shot_iterator(ds).get_next()
    ...     with tf.compat.v1.Session() as sess:
    ...         print(sess.run([features["size"], label]))
    [array([1.5, 2.5], dtype=float32), array([0, 1], dtype=int32)]
    """
    names = _file_list(file_pattern, shuffle)
    files = Dataset.from_tensor_slices(names)
    if shuffle:
        files = files.shuffle(len(names), shuffle_seed)
    if column_names is None:
        if not header:
            raise ValueError("Expected `column_names` or `header` arguments to be provided.")
        column_names = _column_names(names, field_delim, use_quote_delim)
    column_names = list(column_names)
    if len(column_names) != len(set(column_names)):
        raise ValueError(f"Expected `column_names` to be unique, got {column_names}.")
    columns = None if select_columns is None else _column_indices(select_columns, column_names)
    if column_defaults is not None:
        column_defaults = [constant([], dtype=d) if _is_csv_type(d) else d for d in column_defaults]
    else:
        column_defaults = _inferred_defaults(
            names,
            len(column_names),
            field_delim,
            use_quote_delim,
            na_value,
            header,
            num_rows_for_inference,
            columns if columns is not None else range(len(column_names)),
        )
    if columns is not None and len(column_defaults) != len(columns):
        raise ValueError(
            f"If specified, `column_defaults` and `select_columns` must have the same length, "
            f"got {len(column_defaults)} and {len(columns)}."
        )
    if columns is not None and len(column_names) > len(columns):
        column_names = [column_names[i] for i in columns]
    if label_name is not None and label_name not in column_names:
        raise ValueError(f"`label_name` provided must be one of the columns: {column_names}.")

    def rows_of(filename):
        rows = CsvDataset(
            filename,
            column_defaults,
            compression_type,
            header=header,
            field_delim=field_delim,
            use_quote_delim=use_quote_delim,
            na_value=na_value,
            select_cols=columns,
        )
        return rows.ignore_errors() if ignore_errors else rows

    dataset = parallel_interleave(files, rows_of, num_parallel_reads or 1, 1, sloppy, None, None)
    dataset = _shuffled_and_repeated(
        dataset, num_epochs, shuffle, shuffle_buffer_size, shuffle_seed
    )
    dataset = dataset.batch(batch_size, drop_remainder=num_epochs is None)

    def to_dict(*values):
        features = collections.OrderedDict(zip(column_names, values))
        if label_name is None:
            return features
        label = features.pop(label_name)
        return features, label

    dataset = dataset.map(to_dict)
    return dataset.prefetch(AUTOTUNE if prefetch_buffer_size is None else prefetch_buffer_size)


# -- Example protos ---------------------------------------------------------------------


def parse_example_dataset(features, num_parallel_calls=1, deterministic=None):
    """A transformation parsing a dataset of serialized ``Example`` batches (string
    vectors) into dicts of tensors, ``SparseTensor``s for ``VarLenFeature``s."""
    if features is None:
        raise ValueError("Argument `features` is required, but not specified.")

    def apply(dataset: Dataset) -> Dataset:
        structure = dataset.structure
        if structure.flat_types != [dtypes.string] or structure.flat_shapes[0].rank not in (
            None,
            1,
        ):
            raise TypeError(
                "Input dataset should be a dataset of vectors of strings. Instead it is "
                f"`{dataset.output_types}` of shape {dataset.output_shapes}."
            )
        calls = None if num_parallel_calls == 1 else num_parallel_calls
        return dataset.map(
            lambda serialized: parse_example(serialized, features), calls, deterministic
        )

    return apply


def make_batched_features_dataset(
    file_pattern,
    batch_size,
    features,
    reader=None,
    label_key=None,
    reader_args=None,
    num_epochs=None,
    shuffle=True,
    shuffle_buffer_size=10000,
    shuffle_seed=None,
    prefetch_buffer_size=None,
    reader_num_threads=None,
    parser_num_threads=None,
    sloppy_ordering=False,
    drop_final_batch=False,
):
    """Batches of ``Example`` records from files, parsed into dicts of ``features`` (with
    the label apart with ``label_key``), as TF composes it: files listed, read by
    ``reader`` (default ``TFRecordDataset``), shuffled and repeated, batched, parsed."""
    reader = TFRecordDataset if reader is None else reader
    reader_args = list(reader_args or [])
    files = Dataset.list_files(file_pattern, shuffle=shuffle, seed=shuffle_seed)
    dataset = parallel_interleave(
        files,
        lambda filename: reader(filename, *reader_args),
        reader_num_threads or 1,
        1,
        sloppy_ordering,
        None,
        None,
    )
    if dataset.output_types == (dtypes.string, dtypes.string):  # (key, record) readers
        dataset = dataset.map(lambda _, value: value)
    dataset = _shuffled_and_repeated(
        dataset, num_epochs, shuffle, shuffle_buffer_size, shuffle_seed
    )
    dataset = dataset.batch(batch_size, drop_remainder=drop_final_batch or num_epochs is None)
    dataset = dataset.apply(parse_example_dataset(features, parser_num_threads or 2))
    if label_key:
        if label_key not in features:
            raise ValueError(
                f"The `label_key` provided ({label_key}) must be one of the `features` keys."
            )
        dataset = dataset.map(lambda x: (x, x.pop(label_key)))
    return dataset.prefetch(AUTOTUNE if prefetch_buffer_size is None else prefetch_buffer_size)


# -- SQL ----------------------------------------------------------------------------------


class SqlDataset(Dataset):
    """The rows a SQL query returns (``tf.data.experimental.SqlDataset``): one tuple per
    row, converted to ``output_types``. The driver is ``"sqlite"``; the database is opened
    read-only.

    Examples
    --------
    >>> import os, sqlite3, tempfile
    >>> import runtime as tf
    >>> path = os.path.join(tempfile.mkdtemp(), "db.sqlite")
    >>> with sqlite3.connect(path) as db:
    ...     _ = db.execute("CREATE TABLE t (name TEXT, n INTEGER)")
    ...     _ = db.execute("INSERT INTO t VALUES ('a', 1), ('b', 2)")
    >>> with tf.Graph().as_default():
    ...     ds = SqlDataset("sqlite", path, "SELECT name, n FROM t", (tf.string, tf.int64))
    ...     row = tf.compat.v1.data.make_one_shot_iterator(ds).get_next()
    ...     with tf.compat.v1.Session() as sess:
    ...         print(sess.run(row), sess.run(row))
    (b'a', np.int64(1)) (b'b', np.int64(2))
    """

    def __init__(self, driver_name, data_source_name, query, output_types):
        if isinstance(output_types, tuple):
            types = tuple(dtypes.as_dtype(t) for t in output_types)
            structure = Structure(types, tuple(TensorShape([]) for _ in types))
        else:  # one type: the elements are scalars, not tuples
            structure = Structure(dtypes.as_dtype(output_types), TensorShape([]))
        inputs = [
            convert_to_tensor(value, dtype=dtypes.string, name=name)
            for value, name in (
                (driver_name, "driver_name"),
                (data_source_name, "data_source_name"),
                (query, "query"),
            )
        ]
        super().__init__(_source(SQL, inputs, structure, None)._variant_tensor, structure)


def _sql_value(value, dtype):
    if value is None:  # SQL NULL reads as TF's sqlite reader reads it: zero, or empty
        value = b"" if dtype == dtypes.string else 0
    if dtype == dtypes.string:
        return np.array(value if isinstance(value, bytes) else str(value).encode(), dtype=object)
    return np.asarray(value, dtype=dtype.as_numpy_dtype)


@register_kernel("SqlDataset")
def _sql(driver_name, data_source_name, query, *, output_types, output_shapes):
    driver, path, text = (_scalar_text(v) for v in (driver_name, data_source_name, query))
    if driver != "sqlite":
        raise InvalidArgumentError(
            None, None, f"The database type, {driver}, is not supported by SqlDataset."
        )

    def produce(env):
        try:
            with contextlib.closing(
                sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            ) as db:
                cursor = db.execute(text)
                for row in cursor:
                    if len(row) != len(output_types):
                        raise InvalidArgumentError(
                            None,
                            None,
                            f"The query returned {len(row)} columns, but {len(output_types)} "
                            "output types were given.",
                        )
                    yield tuple(_sql_value(v, t) for v, t in zip(row, output_types))
        except sqlite3.Error as err:
            raise UnknownError(None, None, f"SQLite error in {path}: {err}") from None

    return (Source(produce, UNKNOWN).typed(output_types, output_shapes),)


# -- writing ----------------------------------------------------------------------------


class TFRecordWriter:
    """Writes a dataset of strings to a TFRecord file (``tf.data.experimental.TFRecordWriter``).

    Examples
    --------
    >>> import os, tempfile
    >>> import runtime as tf
    >>> path = os.path.join(tempfile.mkdtemp(), "out.tfrecord")
    >>> with tf.Graph().as_default():
    ...     write = TFRecordWriter(path).write(tf.data.Dataset.from_tensor_slices(["a", "bc"]))
    ...     tf.compat.v1.Session().run(write)
    >>> list(tf.compat.v1.io.tf_record_iterator(path))
    [b'a', b'bc']
    """

    def __init__(self, filename, compression_type=None):
        self._filename = convert_to_tensor(filename, dtype=dtypes.string, name="filename")
        self._compression_type = convert_to_tensor(
            compression_type or "", dtype=dtypes.string, name="compression_type"
        )

    def write(self, dataset: Dataset):
        """The op writing every element of ``dataset`` (scalar strings) as a record."""
        if not isinstance(dataset, Dataset):
            raise TypeError(
                f"Invalid `dataset.` Expected a `tf.data.Dataset` object but got {type(dataset)}."
            )
        structure = dataset.structure
        if structure.flat_types != [dtypes.string] or not structure.flat_shapes[
            0
        ].is_compatible_with([]):
            raise TypeError(
                "Invalid `dataset`. Expected a`dataset` that produces scalar `tf.string` "
                "elements, but got a dataset which produces elements with shapes "
                f"{dataset.output_shapes} and types {dataset.output_types}."
            )
        return apply_op(
            TO_TF_RECORD,
            [dataset._variant_tensor, self._filename, self._compression_type],
            "DatasetToTFRecord",
            graph=dataset.graph,
        )


@register_kernel("DatasetToTFRecord", context=True)
def _to_tf_record(ctx, input_dataset, filename, compression_type):
    pipeline = Pipeline(ctx)
    pipeline.cancellation = ctx.cancellation  # part of the step
    path = _file_names(filename)[0]
    with records.TFRecordWriter(path, _scalar_text(compression_type)) as writer:
        for (record,) in input_dataset.iterate(pipeline):
            writer.write(bytes(np.asarray(record).item()))
    return ()
