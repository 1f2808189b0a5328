"""Errors of notebook cells shown as TensorFlow shows them, and cells named ``<cell N>``.

IPython prints an exception's ``_render_traceback_()`` lines instead of its own
traceback; :func:`tidy` sets those lines to the cell's own frames and TF's message,
so a failing ``%%tfgraph`` cell shows no IPython or workbench frames.
"""

from __future__ import annotations

import re
import sysconfig
from types import SimpleNamespace

from runtime.errors import OpError, creation_note, format_traceback

# Frames from these folders (IPython, ipykernel, the standard library) are not the user's.
_LIBRARY_DIRS = tuple({sysconfig.get_paths()[key] for key in ("stdlib", "purelib", "platlib")})


class CellSyntaxError(Exception):
    """The cell is not valid Python; ``__cause__`` is the ``SyntaxError``.

    A separate type because IPython prints any ``SyntaxError`` with its own frames.
    """


def tidy(err: BaseException, filename: str | None = None) -> BaseException:
    """Make IPython show ``err`` as TensorFlow would: the cell's lines, then the message.

    Only frames of the cell's own code (``filename``) are kept, and an ``OpError``'s
    "created at" note keeps only the user's frames (no IPython or library frames).

    Examples
    --------
    >>> err = tidy(ValueError("Dimensions must be equal, but are 3 and 4"))
    >>> err._render_traceback_()
    ['ValueError: Dimensions must be equal, but are 3 and 4']
    """
    if isinstance(err, SyntaxError):
        wrapped = CellSyntaxError(err.msg)
        wrapped.__cause__ = err
        rendered = [*_syntax_lines(err), f"SyntaxError: {err.msg}"]
        wrapped._render_traceback_ = lambda: rendered
        return wrapped
    frames = []
    tb = err.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename == filename:
            frames.append((code.co_filename, tb.tb_lineno, code.co_name))
        tb = tb.tb_next
    lines = format_traceback(frames).splitlines() if frames else []
    rendered = [*lines, *f"{type(err).__name__}: {_message(err, filename)}".splitlines()]
    err._render_traceback_ = lambda: rendered
    return err


def reraise(err: BaseException, filename: str | None = None):
    """Raise ``err`` tidied (see :func:`tidy`), keeping an explicit cause."""
    tidied = tidy(err, filename)
    raise tidied from tidied.__cause__


def _message(err: BaseException, filename: str | None) -> str:
    if not isinstance(err, OpError) or err.op is None:
        return str(err)
    frames = list(err.op.traceback)
    cell = [i for i, frame in enumerate(frames) if frame[0] == filename]
    # From the cell's own code on: what ran it (IPython, the magic's caller) is noise.
    mine = [f for f in frames[cell[0] if cell else 0 :] if not f[0].startswith(_LIBRARY_DIRS)]
    return err.message + creation_note(SimpleNamespace(name=err.op.name, traceback=mine))


def _syntax_lines(err: SyntaxError) -> list:
    lines = format_traceback([(err.filename, err.lineno or 0, "<module>")]).splitlines()[:1]
    source = (err.text or "").rstrip("\n")
    if source:
        stripped = source.lstrip()
        caret = max((err.offset or 1) - 1 - (len(source) - len(stripped)), 0)
        lines += [f"    {stripped}", "    " + " " * caret + "^"]
    return lines


def cell_number(shell, filename: str) -> int | None:
    """The number of the IPython cell compiled under ``filename`` (``None`` if not a cell)."""
    named = shell.compile.format_code_name(filename)
    match = re.fullmatch(r"In\[(\d+)\]", named[1]) if named else None
    return int(match.group(1)) if match else None


def cell_name_formatter(shell):
    """A ``runtime.errors`` filename formatter naming IPython cells ``<cell N>``."""

    def formatter(filename: str):
        number = cell_number(shell, filename)
        return None if number is None else f"<cell {number}>"

    return formatter
