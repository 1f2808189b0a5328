"""Graph files: ``write_graph`` and ``read_graph_def`` for ``.pb`` and ``.pbtxt``."""

from __future__ import annotations

import os

from .errors import FailedPreconditionError, NotFoundError, PermissionDeniedError
from .files import atomic_write
from .graph_def import GraphDef
from .proto import graph_pb2
from .protobuf import as_internal, from_text, parse, to_proto

_TEXT_SUFFIXES = (".pbtxt", ".txt", ".prototxt")


def write_graph(graph_or_graph_def, logdir: str, name: str, as_text: bool = True) -> str:
    """Write a graph to ``logdir/name`` (text or binary GraphDef); returns the path.

    ``graph_or_graph_def`` is a ``Graph`` or a ``GraphDef`` (TF's message, or the
    runtime's form).

    The file is written to a temporary name and renamed, so a reader never sees half
    a graph.

    Examples
    --------
    >>> import runtime as tf, tempfile
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     _ = tf.constant(1.0, name="c")
    >>> path = write_graph(g, tempfile.mkdtemp(), "g.pbtxt")
    >>> [node.name for node in read_graph_def(path).node]
    ['c']
    """
    graph_def = graph_or_graph_def
    if hasattr(graph_def, "as_graph_def"):  # a Graph
        graph_def = graph_def.as_graph_def()
    elif not isinstance(graph_def, graph_pb2.GraphDef):
        graph_def = to_proto(as_internal(graph_def))
    os.makedirs(logdir, exist_ok=True)
    path = os.path.join(logdir, name)
    data = str(graph_def).encode() if as_text else graph_def.SerializeToString(deterministic=True)
    atomic_write(path, data)
    return path


def load_graph(path: str):
    """A new ``Graph`` holding the ops of a ``.pb``/``.pbtxt`` file, names unchanged.

    Op types the runtime lacks load too (they draw, and a run that needs them fails
    with one ``UnimplementedError`` listing them). Nothing from the file is executed
    except the graph's own ops, when a session runs them.

    Examples
    --------
    >>> import runtime as tf, tempfile
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     _ = tf.constant(2.0, name="two") * 3.0
    >>> path = write_graph(g, tempfile.mkdtemp(), "g.pb", as_text=False)
    >>> [op.name for op in load_graph(path).get_operations()]
    ['two', 'mul/y', 'mul']
    """
    from .graph import Graph
    from .importer import import_graph_def

    graph = Graph()
    with graph.as_default():
        import_graph_def(read_graph_def(path), name="")
    return graph


def read_graph_def(path: str) -> GraphDef:
    """Read a ``.pb`` (binary) or ``.pbtxt`` (text) GraphDef file.

    Raises ``NotFoundError`` for a missing file, ``FailedPreconditionError`` for a
    directory, ``PermissionDeniedError`` for a file that cannot be read,
    ``DataLossError`` for bytes that are not a GraphDef, ``InvalidArgumentError`` for
    text that does not parse and ``ResourceExhaustedError`` for a file claiming more
    than :mod:`runtime.limits` allows. The ``GraphDef`` remembers ``path`` (its
    ``source``), so the ops it is imported as say where they came from.

    Examples
    --------
    >>> read_graph_def("no/such/graph.pb")
    Traceback (most recent call last):
    ...
    runtime.errors.NotFoundError: no/such/graph.pb; No such file or directory
    """
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise NotFoundError(None, None, f"{path}; No such file or directory") from None
    except IsADirectoryError:
        raise FailedPreconditionError(None, None, f"{path}; Is a directory") from None
    except PermissionError:
        raise PermissionDeniedError(None, None, f"{path}; Permission denied") from None
    if path.endswith(_TEXT_SUFFIXES):
        graph_def = from_text(data.decode("utf-8", errors="replace"), source=path)
    else:
        graph_def = parse(data, source=path)
    graph_def.source = path
    return graph_def
