"""TensorFlow's error tree, and the one formatter every error message goes through.

Run-time failures are :class:`OpError` subclasses carrying the failing op (``.op``),
its ``NodeDef`` (``.node_def``) and TF's canonical code (``.error_code``). Build-time
mistakes are ``ValueError``/``TypeError`` raised where the op is created. Either way the
message leads with the op type and name, says what was expected and what came, and
shows where in the user's code the op was created -- never by parsing strings later.
"""

from __future__ import annotations

import functools
import linecache
import os
import sys
import sysconfig
import types

OK = 0
CANCELLED = 1
UNKNOWN = 2
INVALID_ARGUMENT = 3
DEADLINE_EXCEEDED = 4
NOT_FOUND = 5
ALREADY_EXISTS = 6
PERMISSION_DENIED = 7
RESOURCE_EXHAUSTED = 8
FAILED_PRECONDITION = 9
ABORTED = 10
OUT_OF_RANGE = 11
UNIMPLEMENTED = 12
INTERNAL = 13
UNAVAILABLE = 14
DATA_LOSS = 15
UNAUTHENTICATED = 16

# Frames from these folders are the engine's own, not the user's code.
_OWN_DIRS = tuple(
    os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), pkg) + os.sep
    for pkg in ("runtime", "workbench")
)
_MAX_FRAMES = 30
# Frames of Python itself and of installed packages (Jupyter's kernel, pytest): the
# machinery that ran the user's code, not part of it.
_LIBRARY_DIRS = tuple(
    {sysconfig.get_path(name) + os.sep for name in ("stdlib", "platstdlib", "purelib", "platlib")}
)
_OWN, _LIBRARY, _USER = 0, 1, 2
_file_kinds: dict = {}  # filename -> _OWN, _LIBRARY or _USER (a str caches its hash)


def _kind(filename: str) -> int:
    kind = _file_kinds.get(filename)
    if kind is None:
        if filename.startswith(_OWN_DIRS):
            kind = _OWN
        elif filename.startswith(_LIBRARY_DIRS) or filename.startswith("<frozen"):
            kind = _LIBRARY
        else:
            kind = _USER
        _file_kinds[filename] = kind
    return kind


def capture_traceback(skip: int = 1) -> tuple:
    """Return the user's frames at this point, outermost first.

    Frames inside ``runtime/`` and ``workbench/`` are dropped, so an op's traceback
    points at the line of user code that created it. Each frame is a
    ``(filename, lineno, function)`` tuple; source lines are read only when printed.

    Examples
    --------
    >>> frames = capture_traceback()
    >>> all(len(frame) == 3 for frame in frames)
    True
    """
    return resolve_frames(capture_frames(skip + 1))


def capture_frames(skip: int = 1) -> tuple:
    """The user's frames, raw and flat: ``(code, offset, code, offset, ...)``, innermost first.

    This is what building an op records, as cheaply as possible: one tuple (not one per
    frame: every object that outlives the call makes the garbage collector work harder
    as the graph grows), and no line numbers -- asking a frame for one decodes its
    code's line table. :func:`resolve_frames` does that when a traceback is shown.

    The engine's own frames are skipped, and the walk stops at the first library frame
    outside the user's code (Jupyter's kernel around a cell, pytest around a test).
    """
    raw = []
    frame = sys._getframe(skip)
    kinds = _file_kinds
    limit = 2 * _MAX_FRAMES
    seen_user = False
    while frame is not None and len(raw) < limit:
        code = frame.f_code
        kind = kinds.get(code.co_filename)
        if kind is None:
            kind = _kind(code.co_filename)
        if kind != _OWN:
            if kind == _LIBRARY and seen_user:
                break
            seen_user = seen_user or kind == _USER
            raw.append(code)
            raw.append(frame.f_lasti)
        frame = frame.f_back
    return tuple(raw)


def resolve_frames(frames) -> tuple:
    """``(filename, lineno, function)`` frames, outermost first, from :func:`capture_frames`.

    Frames that are already resolved pass through unchanged.

    Examples
    --------
    >>> resolve_frames(capture_frames())[-1][2]
    '<module>'
    """
    if not frames or not isinstance(frames[0], types.CodeType):
        return tuple(frames)
    codes, offsets = frames[0::2], frames[1::2]
    resolved = [(c.co_filename, _line_of(c, i), c.co_name) for c, i in zip(codes, offsets)]
    resolved.reverse()
    return tuple(resolved)


# Graphs built in a loop make the same (code, offset) pairs again and again; scanning a
# code object's line table for each op cost ~45 µs per op when a 10k-op view read them.
@functools.lru_cache(maxsize=8192)
def _line_of(code: types.CodeType, offset: int) -> int:
    for start, end, line in code.co_lines():
        if start <= offset < end:
            return line or code.co_firstlineno
    return code.co_firstlineno


# The workbench installs a nicer name for notebook cells (``<cell 3>``); the runtime
# itself knows nothing of IPython.
_filename_formatters: list = []


def register_filename_formatter(formatter) -> None:
    """Install ``formatter(filename) -> str | None`` used when printing tracebacks.

    Examples
    --------
    >>> register_filename_formatter(lambda name: None)
    >>> unregister_filename_formatter(_filename_formatters[-1])
    """
    _filename_formatters.append(formatter)


def unregister_filename_formatter(formatter) -> None:
    """Remove a formatter installed by :func:`register_filename_formatter`."""
    _filename_formatters.remove(formatter)


def display_filename(filename: str) -> str:
    """``filename`` as tracebacks show it (a notebook cell as ``<cell 3>`` once the
    workbench is loaded).

    Examples
    --------
    >>> display_filename("model.py")
    'model.py'
    """
    for formatter in reversed(_filename_formatters):
        shown = formatter(filename)
        if shown:
            return shown
    return filename


# The function name of the last frame of an op imported from a file (see imported_from).
IMPORTED = "<imported>"


def imported_from(path: str) -> tuple:
    """The traceback frame saying an op came from the graph file ``path``.

    Examples
    --------
    >>> print(format_traceback([("<cell 2>", 1, "<module>"), imported_from("model.pb")]))
      File "<cell 2>", line 1, in <module>
      imported from "model.pb"
    """
    return (path, 0, IMPORTED)


def format_traceback(frames) -> str:
    """Format frames from :func:`capture_traceback` like Python's own tracebacks.

    Examples
    --------
    >>> print(format_traceback([("<demo>", 3, "<module>")]))
      File "<demo>", line 3, in <module>
    """
    lines = []
    for filename, lineno, function in frames:
        if function == IMPORTED:
            lines.append(f'  imported from "{display_filename(filename)}"')
            continue
        lines.append(f'  File "{display_filename(filename)}", line {lineno}, in {function}')
        source = linecache.getline(filename, lineno).strip()
        if source:
            lines.append(f"    {source}")
    return "\n".join(lines)


def _user_frames(frames) -> tuple:
    """``frames`` without library machinery, unless that would leave nothing.

    Examples
    --------
    >>> lib = os.path.join(sysconfig.get_path("purelib"), "ipykernel", "kernelapp.py")
    >>> _user_frames([(lib, 1, "start"), ("<cell 3>", 2, "<module>")])
    (('<cell 3>', 2, '<module>'),)
    """
    mine = tuple(frame for frame in frames if _kind(frame[0]) != _LIBRARY)
    return mine or tuple(frames)


def creation_note(op) -> str:
    """The "where was this op made" paragraph appended to messages about ``op``.

    An op made by rewriting another (``Graph._original_op``) also shows where each
    op it was made from was created, as TF does.
    """
    parts = []
    frames = _user_frames(getattr(op, "traceback", ()))
    if frames:
        parts.append(
            f"\n\nOp '{op.name}' was created at (most recent call last):\n"
            + format_traceback(frames)
        )
    original = getattr(op, "_original_op", None)
    while original is not None:
        parts.append(
            f"\n\n...which was originally created as op '{original.name}', defined at:\n"
            + format_traceback(_user_frames(getattr(original, "traceback", ())))
        )
        original = getattr(original, "_original_op", None)
    return "".join(parts)


def op_message(op, text: str, device: str | None = None) -> str:
    """The one formatter: ``"<OpType> '<name>'[ on <device>]: <text>"``.

    Examples
    --------
    >>> class Op:
    ...     type, name, traceback = "MatMul", "dense/MatMul", ()
    >>> op_message(Op(), "inner dimensions must agree", "/device:CPU:0")
    "MatMul 'dense/MatMul' on /device:CPU:0: inner dimensions must agree"
    """
    where = f" on {device}" if device else ""
    return f"{op.type} '{op.name}'{where}: {text}"


class OpError(Exception):
    """A failure while running an op: TF's ``tf.errors.OpError``.

    Parameters
    ----------
    node_def : NodeDef or None
        The failing op's definition.
    op : Operation or None
        The failing op.
    message : str
        What went wrong.
    error_code : int
        One of TF's canonical codes (``INVALID_ARGUMENT`` ...).

    Examples
    --------
    >>> err = InvalidArgumentError(None, None, "bad value")
    >>> err.error_code, err.message
    (3, 'bad value')
    """

    error_code = UNKNOWN

    def __init__(self, node_def, op, message, error_code=None, *args):
        super().__init__(message, *args)
        self._node_def = node_def
        self._op = op
        self._message = message
        if error_code is not None:
            self.error_code = error_code

    @property
    def message(self) -> str:
        return self._message

    @property
    def op(self):
        return self._op

    @property
    def node_def(self):
        return self._node_def

    def __str__(self) -> str:
        if self._op is None:
            return self._message
        return self._message + creation_note(self._op)

    def __reduce__(self):
        # Errors cross process boundaries (Dask workers); ops do not, their names do.
        name = self._op.name if self._op is not None else getattr(self, "remote_op_name", None)
        return (_rebuild_error, (type(self), self._message, self.error_code, name))


def _rebuild_error(cls, message, error_code, op_name):
    error = cls.__new__(cls)
    OpError.__init__(error, None, None, message, error_code)
    error.remote_op_name = op_name
    return error


def _subclass(name: str, code: int, doc: str) -> type:
    def __init__(self, node_def, op, message, *args):
        OpError.__init__(self, node_def, op, message, code, *args)

    return type(name, (OpError,), {"__init__": __init__, "__doc__": doc, "error_code": code})


CancelledError = _subclass("CancelledError", CANCELLED, "An operation or step was cancelled.")
UnknownError = _subclass("UnknownError", UNKNOWN, "An error of unknown kind.")
InvalidArgumentError = _subclass(
    "InvalidArgumentError", INVALID_ARGUMENT, "An op received an invalid argument."
)
DeadlineExceededError = _subclass(
    "DeadlineExceededError", DEADLINE_EXCEEDED, "A deadline expired before the op finished."
)
NotFoundError = _subclass("NotFoundError", NOT_FOUND, "A requested entity was not found.")
AlreadyExistsError = _subclass(
    "AlreadyExistsError", ALREADY_EXISTS, "An entity that was to be created already exists."
)
PermissionDeniedError = _subclass(
    "PermissionDeniedError", PERMISSION_DENIED, "The caller may not run the operation."
)
ResourceExhaustedError = _subclass(
    "ResourceExhaustedError", RESOURCE_EXHAUSTED, "Some resource has been exhausted."
)
FailedPreconditionError = _subclass(
    "FailedPreconditionError",
    FAILED_PRECONDITION,
    "The system is not in a state to run the op (e.g. an uninitialized variable).",
)
AbortedError = _subclass("AbortedError", ABORTED, "The operation was aborted.")
OutOfRangeError = _subclass(
    "OutOfRangeError", OUT_OF_RANGE, "An op iterated past the valid range (e.g. a closed queue)."
)
UnimplementedError = _subclass(
    "UnimplementedError", UNIMPLEMENTED, "The operation is not implemented or supported."
)
InternalError = _subclass("InternalError", INTERNAL, "An internal invariant was broken.")
UnavailableError = _subclass("UnavailableError", UNAVAILABLE, "The runtime is unavailable.")
DataLossError = _subclass("DataLossError", DATA_LOSS, "Unrecoverable data loss or corruption.")
UnauthenticatedError = _subclass(
    "UnauthenticatedError", UNAUTHENTICATED, "The request lacks valid credentials."
)

_CODE_TO_CLASS = {
    cls.error_code: cls
    for cls in (
        CancelledError,
        UnknownError,
        InvalidArgumentError,
        DeadlineExceededError,
        NotFoundError,
        AlreadyExistsError,
        PermissionDeniedError,
        ResourceExhaustedError,
        FailedPreconditionError,
        AbortedError,
        OutOfRangeError,
        UnimplementedError,
        InternalError,
        UnavailableError,
        DataLossError,
        UnauthenticatedError,
    )
}


_CLASS_TO_CODE = {cls: code for code, cls in _CODE_TO_CLASS.items()}


def exception_type_from_error_code(error_code: int) -> type:
    """The ``OpError`` subclass for a canonical code.

    Examples
    --------
    >>> exception_type_from_error_code(NOT_FOUND).__name__
    'NotFoundError'
    """
    return _CODE_TO_CLASS[error_code]


def error_code_from_exception_type(cls: type) -> int:
    """The canonical code of an ``OpError`` subclass.

    Examples
    --------
    >>> error_code_from_exception_type(OutOfRangeError)
    11
    """
    for klass in getattr(cls, "__mro__", ()):
        if klass in _CLASS_TO_CODE:
            return _CLASS_TO_CODE[klass]
    raise KeyError(f"{cls!r} is not a tf.errors.OpError subclass with a canonical code")


class InaccessibleTensorError(ValueError):
    """A tensor cannot be reached from where it is used (e.g. fetching a loop's inside)."""


class OperatorNotAllowedInGraphError(TypeError):
    """A Python operator that needs a value (``bool``, iteration) was used on a symbolic tensor."""


def op_error(cls: type, op, text: str, device: str | None = None) -> OpError:
    """Build ``cls`` for ``op`` with the standard message.

    Examples
    --------
    >>> op_error(InvalidArgumentError, None, "no op").message
    'no op'
    """
    if op is None:
        return cls(None, None, text)
    return cls(op.node_def, op, op_message(op, text, device))
