"""Which form ``tf.cond`` and ``tf.while_loop`` build, and where an op sits in loops.

TF 1.x builds control flow as dataflow ops in the caller's graph (v1: ``Switch``,
``Merge``, ``Enter``, ...); TF 2.x as functional ops with function bodies (v2: ``If``,
``While``). ``import runtime as tf`` is TF1, so v1 is the default;
:func:`enable_control_flow_v2` switches to the functional form, and a function body
being traced (``FuncGraph``) always uses it, as in TF.
"""

from __future__ import annotations

_v2_enabled = False


def enable_control_flow_v2() -> None:
    """Make ``tf.cond`` and ``tf.while_loop`` build functional ``If``/``While`` ops.

    Examples
    --------
    >>> import runtime as tf
    >>> enable_control_flow_v2(); control_flow_v2_enabled()
    True
    >>> disable_control_flow_v2(); control_flow_v2_enabled()
    False
    """
    global _v2_enabled
    _v2_enabled = True


def disable_control_flow_v2() -> None:
    """Make ``tf.cond`` and ``tf.while_loop`` build TF1's dataflow ops (the default)."""
    global _v2_enabled
    _v2_enabled = False


def control_flow_v2_enabled() -> bool:
    """Whether ``tf.cond`` and ``tf.while_loop`` build functional ops."""
    return _v2_enabled


def builds_functional(graph) -> bool:
    """Whether control flow built in ``graph`` takes the functional (v2) form."""
    return _v2_enabled or graph.outer_graph is not None


def frame_name(op) -> str | None:
    """The name of the innermost TF1 while loop ``op`` runs in, or ``None``.

    An ``Enter`` belongs to the frame around its loop, an ``Exit`` to its loop, as in
    TF's executor.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     i = tf.compat.v1.while_loop(lambda i: i < 3, lambda i: i + 1, [0])
    ...     after = tf.identity(i)
    >>> frame_name(i.op), frame_name(after.op)
    ('while/while_context', None)
    """
    return frames_of(op.graph)[op]


def frames_of(graph) -> dict:
    """``{op: frame name or None}`` for every op of ``graph``, read off its edges as
    TF's executor does (so it holds for imported GraphDefs too); cached per version.

    The cache is an attribute of the graph: a module-level map keyed weakly by graph
    would hold the graph alive through the ops in its values.
    """
    cached = vars(graph).get("_frames_cache")
    if cached is not None and cached[0] == graph.version:
        return cached[1]
    frames: dict = {}
    parents: dict = {}  # frame name -> the frame its Enter ops run in
    for op in graph.get_operations():  # producers come first, but for loop back edges
        sources = [t.op for t in op.inputs if t.op.type not in _NEXT_ITERATION]
        sources += op.control_inputs
        frames[op] = next(
            (_frame_after(source, frames, parents) for source in sources if source in frames),
            None,
        )
    graph._frames_cache = (graph.version, frames)
    return frames


_NEXT_ITERATION = ("NextIteration", "RefNextIteration")


def _frame_after(producer, frames: dict, parents: dict):
    """The frame a reader of ``producer`` runs in."""
    if producer.type in ("Enter", "RefEnter"):
        name = producer.get_attr("frame_name")
        name = name.decode() if isinstance(name, bytes) else name
        parents[name] = frames[producer]
        return name
    if producer.type in ("Exit", "RefExit"):
        return parents.get(frames[producer])
    return frames[producer]
