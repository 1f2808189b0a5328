"""``tf.logging`` (``tf.compat.v1.logging``): TF1's log functions on Python's ``logging``.

Messages go to the ``"tensorflow"`` logger, which writes ``LEVEL:tensorflow:message`` to
standard error as TF's does, from ``WARN`` up until :func:`set_verbosity` says otherwise.

Examples
--------
>>> import runtime as tf
>>> tf.logging.set_verbosity(tf.logging.INFO)
>>> tf.logging.get_verbosity() == tf.logging.INFO
True
>>> tf.logging.set_verbosity(tf.logging.WARN)
"""

from __future__ import annotations

import logging
import sys
import threading

__all__ = [
    "DEBUG",
    "ERROR",
    "FATAL",
    "INFO",
    "WARN",
    "TaskLevelStatusMessage",
    "debug",
    "error",
    "fatal",
    "flush",
    "get_logger",
    "get_verbosity",
    "info",
    "log",
    "log_every_n",
    "log_first_n",
    "log_if",
    "set_verbosity",
    "vlog",
    "warn",
    "warning",
]

DEBUG = logging.DEBUG
INFO = logging.INFO
WARN = logging.WARN
ERROR = logging.ERROR
FATAL = logging.FATAL

_logger_lock = threading.Lock()


def get_logger() -> logging.Logger:
    """The ``"tensorflow"`` logger, with TF's handler on standard error (``tf.get_logger``).

    Examples
    --------
    >>> get_logger().name
    'tensorflow'
    """
    logger = logging.getLogger("tensorflow")
    with _logger_lock:
        if not any(getattr(h, "_tf_handler", False) for h in logger.handlers):
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter(logging.BASIC_FORMAT))
            handler._tf_handler = True
            logger.addHandler(handler)
            if logger.level == logging.NOTSET:
                logger.setLevel(WARN)
    return logger


def log(level: int, msg, *args, **kwargs) -> None:
    """Log ``msg % args`` at ``level``."""
    get_logger().log(level, msg, *args, **kwargs)


def debug(msg, *args, **kwargs) -> None:
    """Log at ``DEBUG``."""
    get_logger().debug(msg, *args, **kwargs)


def info(msg, *args, **kwargs) -> None:
    """Log at ``INFO``."""
    get_logger().info(msg, *args, **kwargs)


def warning(msg, *args, **kwargs) -> None:
    """Log at ``WARN``."""
    get_logger().warning(msg, *args, **kwargs)


warn = warning


def error(msg, *args, **kwargs) -> None:
    """Log at ``ERROR``."""
    get_logger().error(msg, *args, **kwargs)


def fatal(msg, *args, **kwargs) -> None:
    """Log at ``FATAL`` (TF logs; it does not exit)."""
    get_logger().fatal(msg, *args, **kwargs)


def vlog(level: int, msg, *args, **kwargs) -> None:
    """Log at ``level`` (TF's verbose log is the plain one in Python)."""
    get_logger().log(level, msg, *args, **kwargs)


def log_if(level: int, msg, condition, *args) -> None:
    """Log ``msg % args`` at ``level`` if ``condition`` holds."""
    if condition:
        get_logger().log(level, msg, *args)


# Calls counted per call site (file and line), as TF counts them.
_counts: dict = {}


def _next_count() -> int:
    caller = sys._getframe(2)
    site = (caller.f_code.co_filename, caller.f_lineno)
    with _logger_lock:
        count = _counts[site] = _counts.get(site, -1) + 1
    return count


def log_every_n(level: int, msg, n: int, *args) -> None:
    """Log the 1st, (n+1)st, (2n+1)st ... call from the same line.

    Examples
    --------
    >>> import io, logging
    >>> stream = io.StringIO()
    >>> handler = logging.StreamHandler(stream)
    >>> get_logger().addHandler(handler)
    >>> for i in range(5):
    ...     log_every_n(ERROR, "step %d", 2, i)
    >>> get_logger().removeHandler(handler)
    >>> stream.getvalue().split()
    ['step', '0', 'step', '2', 'step', '4']
    """
    log_if(level, msg, _next_count() % n == 0, *args)


def log_first_n(level: int, msg, n: int, *args) -> None:
    """Log the first ``n`` calls from the same line."""
    log_if(level, msg, _next_count() < n, *args)


def get_verbosity() -> int:
    """The logger's level: messages below it are dropped."""
    return get_logger().getEffectiveLevel()


def set_verbosity(v: int) -> None:
    """Drop messages below level ``v``."""
    get_logger().setLevel(v)


def flush() -> None:
    """Flush the logger's handlers."""
    for handler in get_logger().handlers:
        handler.flush()


def TaskLevelStatusMessage(msg) -> None:
    """Log ``msg`` at ``ERROR``, as TF does with task status messages."""
    error(msg)
