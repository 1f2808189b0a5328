"""Record files: TFRecord framing (shared by ``tf.python_io``, ``tf.data``, readers and
summaries), text lines and fixed-length records.

A TFRecord file is a sequence of records, each::

    uint64  length              (little endian)
    uint32  masked CRC32C of the 8 length bytes
    bytes   data[length]
    uint32  masked CRC32C of data

optionally compressed as a whole (``ZLIB``: a zlib stream; ``GZIP``: a gzip member),
byte for byte as TensorFlow writes and reads them.

Reading untrusted files
    A length field is only a claim: the reader takes the bytes in bounded chunks and
    stops with ``DataLossError`` (naming the file and the record's offset) as soon as
    the file has fewer bytes than claimed, so a forged length never makes it
    allocate more than the file holds.
"""

from __future__ import annotations

import gzip
import io
import struct
import zlib

import google_crc32c

from .errors import DataLossError, InvalidArgumentError, NotFoundError
from .limits import CHUNK, read_up_to

__all__ = [
    "TFRecordCompressionType",
    "TFRecordOptions",
    "TFRecordWriter",
    "tf_record_iterator",
]

_MASK_DELTA = 0xA282EAD8
_HEADER = 12  # length + its CRC
_MEM_LEVEL = 9  # TF's zlib memory level: its compressed bytes and ours agree


def masked_crc32c(data: bytes) -> int:
    """TFRecord's masked CRC32C of ``data``.

    Examples
    --------
    >>> hex(masked_crc32c(b"hello"))
    '0x191c1fbb'
    """
    crc = google_crc32c.value(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def encode_record(data: bytes) -> bytes:
    """One TFRecord holding ``data``.

    Examples
    --------
    >>> encode_record(b"hi").hex()
    '020000000000000078270b34686913d60856'
    """
    length = struct.pack("<Q", len(data))
    return (
        length
        + struct.pack("<I", masked_crc32c(length))
        + data
        + struct.pack("<I", masked_crc32c(data))
    )


# -- compression ----------------------------------------------------------------------


class TFRecordCompressionType:
    """The compression of a TFRecord file (``tf.compat.v1.python_io.TFRecordCompressionType``)."""

    NONE = 0
    ZLIB = 1
    GZIP = 2


_NAMES = {TFRecordCompressionType.NONE: "", "": "", "ZLIB": "ZLIB", "GZIP": "GZIP"}
_NAMES[TFRecordCompressionType.ZLIB] = "ZLIB"
_NAMES[TFRecordCompressionType.GZIP] = "GZIP"


class TFRecordOptions:
    """Options of a TFRecord writer or reader (``tf.io.TFRecordOptions``).

    Parameters
    ----------
    compression_type : str or int, optional
        ``""``/``None``/``NONE``, ``"ZLIB"`` or ``"GZIP"`` (or a ``TFRecordCompressionType``).
    compression_level : int, optional
        zlib's level, 0-9 (default: zlib's default).

    Examples
    --------
    >>> TFRecordOptions("GZIP").compression_type, TFRecordOptions.get_compression_type_string(None)
    ('GZIP', '')
    """

    compression_type_map = {
        TFRecordCompressionType.ZLIB: "ZLIB",
        TFRecordCompressionType.GZIP: "GZIP",
        TFRecordCompressionType.NONE: "",
    }

    def __init__(
        self,
        compression_type=None,
        flush_mode=None,
        input_buffer_size=None,
        output_buffer_size=None,
        window_bits=None,
        compression_level=None,
        compression_method=None,
        mem_level=None,
        compression_strategy=None,
    ):
        self.compression_type = compression_name(compression_type)
        self.compression_level = -1 if compression_level is None else int(compression_level)

    @classmethod
    def get_compression_type_string(cls, options) -> str:
        """``""``, ``"ZLIB"`` or ``"GZIP"`` for options, a type or a name."""
        if isinstance(options, TFRecordOptions):
            return options.compression_type
        return compression_name(options)


def compression_name(compression) -> str:
    """The canonical name of a compression: ``""``, ``"ZLIB"`` or ``"GZIP"``.

    Examples
    --------
    >>> compression_name(b"GZIP"), compression_name(TFRecordCompressionType.ZLIB)
    ('GZIP', 'ZLIB')
    """
    if compression is None:
        return ""
    if isinstance(compression, bytes):
        compression = compression.decode()
    if isinstance(compression, TFRecordOptions):
        return compression.compression_type
    if isinstance(compression, str):
        compression = compression.upper() if compression.upper() != "NONE" else ""
    if compression not in _NAMES:
        raise InvalidArgumentError(
            None, None, f"Unsupported compression_type: {compression!r} (use '', 'ZLIB' or 'GZIP')."
        )
    return _NAMES[compression]


def open_compressed(path: str, compression="") -> io.IOBase:
    """``path`` opened for binary reading through its decompressor.

    ``NotFoundError`` when the file does not exist.
    """
    try:
        raw = open(path, "rb")  # noqa: SIM115 - the caller closes the stream
    except FileNotFoundError:
        raise NotFoundError(None, None, f"{path}; No such file or directory") from None
    except IsADirectoryError:
        raise InvalidArgumentError(None, None, f"{path}: is a directory, not a file") from None
    name = compression_name(compression)
    if name == "GZIP":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if name == "ZLIB":
        return io.BufferedReader(_Inflating(raw))
    return raw


class _Inflating(io.RawIOBase):
    """A readable stream of a zlib-compressed file, inflated as it is read."""

    def __init__(self, raw):
        self._raw = raw
        self._inflate = zlib.decompressobj()
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            if self._inflate.eof:
                return 0
            data = self._inflate.unconsumed_tail or self._raw.read(CHUNK)
            if not data:
                return 0  # cut short: the record reader reports the truncation
            self._pending = memoryview(self._inflate.decompress(data, CHUNK))
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count

    def close(self) -> None:
        self._raw.close()
        super().close()


# -- reading ----------------------------------------------------------------------------


def iter_records(path: str, compression="", with_offsets: bool = False):
    """Yield the payload of every record in ``path`` (``(offset, payload)`` with offsets).

    Offsets count bytes of the uncompressed stream, as the keys of TF's
    ``TFRecordReader`` do. Raises ``DataLossError`` naming the file on a corrupt
    or truncated record, ``NotFoundError`` when the file is missing.
    """
    with open_compressed(path, compression) as stream:
        offset = 0
        while True:
            try:
                payload = _next_record(stream, path, offset)
            except (OSError, EOFError, zlib.error) as err:  # a corrupt compressed stream
                raise DataLossError(None, None, f"{path}: {err}") from err
            if payload is None:
                return
            yield (offset, payload) if with_offsets else payload
            offset += _HEADER + len(payload) + 4


def _next_record(stream, path: str, offset: int) -> bytes | None:
    header = read_up_to(stream, _HEADER)
    if not header:
        return None
    if len(header) < _HEADER:
        raise DataLossError(None, None, f"{path}: truncated record at {offset}")
    (length,) = struct.unpack("<Q", header[:8])
    if struct.unpack("<I", header[8:])[0] != masked_crc32c(header[:8]):
        raise DataLossError(None, None, f"{path}: corrupted record at {offset}")
    payload = read_up_to(stream, length)
    footer = read_up_to(stream, 4)
    if len(payload) < length or len(footer) < 4:
        raise DataLossError(None, None, f"{path}: truncated record at {offset}")
    if struct.unpack("<I", footer)[0] != masked_crc32c(payload):
        raise DataLossError(None, None, f"{path}: corrupted record at {offset}")
    return payload


def tf_record_iterator(path, options=None):
    """An iterator over the records of a TFRecord file (``tf.compat.v1.io.tf_record_iterator``).

    Parameters
    ----------
    path : str
    options : TFRecordOptions, str or None
        The file's compression.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "r.tfrecord")
    >>> with TFRecordWriter(path, "GZIP") as writer:
    ...     writer.write(b"first")
    ...     writer.write(b"second")
    >>> list(tf_record_iterator(path, TFRecordOptions("GZIP")))
    [b'first', b'second']
    """
    return iter_records(_text(path), TFRecordOptions.get_compression_type_string(options))


def _text(path) -> str:
    return path.decode() if isinstance(path, bytes) else str(path)


# -- text lines and fixed-length records ----------------------------------------------


def text_lines(path: str, compression="", skip: int = 0):
    """``(line number, line)`` of a text file, line ends (``\\n``, ``\\r\\n``) removed."""
    with open_compressed(path, compression) as stream:
        for number, line in enumerate(stream, 1):
            if number > skip:
                yield number, line.rstrip(b"\n").removesuffix(b"\r")


def fixed_length_records(path: str, header: int, size: int, footer: int, hop: int, compression=""):
    """``(index, record)`` of a file of fixed-length records between a header and footer.

    Records start ``hop`` bytes apart (``0``: one after another). A body that is not a
    whole number of records is ``DataLossError``, as TF's ``FixedLengthRecordDataset``.
    """
    hop = hop or size
    with open_compressed(path, compression) as stream:
        if len(read_up_to(stream, header)) < header:
            return
        data, start, index = b"", 0, 0
        while True:
            chunk = stream.read(CHUNK)
            data, start = data[start:] + chunk, 0
            # A record is taken once the bytes after it can still hold the footer.
            while len(data) - start >= size + footer:
                yield index, data[start : start + size]
                index += 1
                start += hop
            if not chunk:
                break
    if hop == size and len(data) - start != footer:
        raise DataLossError(
            None,
            None,
            f"Excluding the header ({header} bytes) and footer ({footer} bytes), input file "
            f'"{path}" has a body that is not an exact multiple of the record length '
            f"({size} bytes).",
        )


# -- writing ----------------------------------------------------------------------------


class TFRecordWriter:
    """Write records to a TFRecord file (``tf.io.TFRecordWriter``).

    Parameters
    ----------
    path : str
    options : TFRecordOptions, str or None
        Compression: ``""``, ``"ZLIB"`` or ``"GZIP"``.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "r.tfrecord")
    >>> with TFRecordWriter(path) as writer:
    ...     writer.write(b"abc")
    >>> open(path, "rb").read() == encode_record(b"abc")
    True
    """

    def __init__(self, path, options=None):
        if not isinstance(options, TFRecordOptions):
            options = TFRecordOptions(compression_name(options))
        self._path = _text(path)
        try:
            self._file = open(self._path, "wb")  # noqa: SIM115 - closed in close()
        except FileNotFoundError:
            raise NotFoundError(None, None, f"{self._path}; No such file or directory") from None
        self._compress = _compressor(options)

    def write(self, record) -> None:
        """Append one record (bytes, or text encoded as UTF-8)."""
        if isinstance(record, str):
            record = record.encode()
        data = encode_record(bytes(record))
        self._file.write(self._compress.compress(data) if self._compress else data)

    def flush(self) -> None:
        """Push what was written to the file (a sync point of the compressed stream)."""
        if self._compress is not None:
            self._file.write(self._compress.flush(zlib.Z_SYNC_FLUSH))
        self._file.flush()

    def close(self) -> None:
        if self._file.closed:
            return
        if self._compress is not None:
            self._file.write(self._compress.flush())
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _compressor(options: TFRecordOptions):
    name = options.compression_type
    if not name:
        return None
    wbits = 31 if name == "GZIP" else 15  # 16 + 15: a gzip header and trailer
    return zlib.compressobj(options.compression_level, zlib.DEFLATED, wbits, _MEM_LEVEL)
