"""``tf.app``: ``run`` a program's ``main`` with its flags parsed.

Examples
--------
>>> import runtime as tf
>>> def main(argv):
...     return len(argv)
>>> try:
...     tf.app.run(main, argv=["prog", "input.txt"])
... except SystemExit as done:
...     print(done.code)
2
"""

from __future__ import annotations

import sys

from . import flags

__all__ = ["flags", "run"]


def run(main=None, argv=None):
    """Parse the flags in ``argv`` (default ``sys.argv``), call ``main`` with the other
    arguments, and exit with what it returns. As TF's, an argument that names no flag is
    not an error: it is one of the arguments ``main`` gets.

    ``main`` defaults to the ``main`` function of the ``__main__`` module, as in TF.

    Raises
    ------
    SystemExit
        Always, with ``main``'s return value as the exit code.
    """
    argv = sys.argv if argv is None else argv
    rest = flags.FLAGS(argv, known_only=True)
    main = main or sys.modules["__main__"].main
    sys.exit(main(rest))
