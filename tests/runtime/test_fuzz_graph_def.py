"""Fuzzed GraphDefs: whatever a file holds, only documented errors escape, in bounded
time and memory.

Seeds are the fixture GraphDefs (TF-written and the runtime's own, with control flow,
functions and training ops), mutated by hypothesis in their wire form (bytes flipped,
cut, repeated), their message form (attr kinds swapped, sizes claimed, inputs rewired,
op types exchanged, names garbled) and their text form. Each mutant goes through what
opening a file does: parse, import, the workbench payload and built-in SVG, and a run
of a few ops when its placeholders can be fed, each within a CPU-time and a memory
budget. The documented errors are:

- parsing: ``DataLossError`` (not a protocol buffer), ``InvalidArgumentError`` (a
  protocol buffer that is no valid graph), ``ResourceExhaustedError`` (claims past
  ``runtime.limits``);
- importing: ``ValueError`` / ``TypeError`` (TF's import errors), and the parse errors;
- running: any ``tf.errors.OpError``, and ``ValueError`` / ``TypeError`` for a feed.
"""

from __future__ import annotations

import functools
import os
import time
import tracemalloc

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import runtime as tf
from runtime import errors
from runtime.graph_def import GraphDef
from runtime.importer import import_graph_def
from runtime.proto import graph_pb2

tf1 = tf.compat.v1
FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures")
SEED_FILES = [
    "tf/mlp_frozen.pb",
    "tf/convnet_frozen.pb",
    "tf/arith.pbtxt",
    "tf/unsupported.pbtxt",
    "tf/resource_variables.pb",
    "tf_import/functional.pb",
    "tf_import/lowered.pb",
    "tf_import/training.pb",
]
PARSE_ERRORS = (errors.DataLossError, errors.InvalidArgumentError, errors.ResourceExhaustedError)
IMPORT_ERRORS = (*PARSE_ERRORS, ValueError, TypeError)
RUN_ERRORS = (errors.OpError, ValueError, TypeError)
CPU_SECONDS_PER_EXAMPLE = 10  # CPU time, not wall clock (other work shares the cores); typical 0.05
PEAK_BYTES = 64 << 20


@functools.cache
def seeds() -> list[bytes]:
    """The fixtures in wire form (text fixtures converted)."""
    found = []
    for name in SEED_FILES:
        with open(os.path.join(FIXTURES, name), "rb") as f:
            data = f.read()
        if name.endswith(".pbtxt"):
            data = GraphDef.from_text(data.decode()).SerializeToString()
        found.append(data)
    return found


# -- mutations ---------------------------------------------------------------------------

BIG = st.sampled_from([0, 1, 2, -1, -2, 2**31 - 1, 2**31, 2**40, 2**62, 2**63 - 1])
TEXT = st.one_of(st.text(max_size=8), st.sampled_from(["", "x:0", "^x", ":", "a:b:c", "x:99"]))
OP_TYPES = st.sampled_from(
    ["Const", "Identity", "Placeholder", "MatMul", "Add", "NoOp", "Merge", "NextIteration",
     "Switch", "StatelessIf", "While", "PartitionedCall", "Reshape", "ConcatV2", "Bogus"]
)  # fmt: skip
ATTR_KINDS = st.sampled_from(["s", "i", "f", "b", "type", "shape", "tensor", "list", "func", None])


@st.composite
def attr_value(draw, attr):
    """Overwrite ``attr`` (an AttrValue message) with a value of a random kind."""
    kind = draw(ATTR_KINDS)
    attr.Clear()
    if kind == "s":
        attr.s = draw(st.binary(max_size=8))
    elif kind == "i":
        attr.i = draw(BIG)
    elif kind == "f":
        attr.f = draw(st.floats(allow_nan=True, width=32))
    elif kind == "b":
        attr.b = draw(st.booleans())
    elif kind == "type":
        attr.type = draw(st.sampled_from([0, 1, 3, 7, 9, 10, 20, 21, 22, 101, 999]))
    elif kind == "shape":
        for size in draw(st.lists(BIG, max_size=4)):
            attr.shape.dim.add().size = size
        attr.shape.unknown_rank = draw(st.booleans())
    elif kind == "tensor":
        tensor = attr.tensor
        tensor.dtype = draw(st.sampled_from([1, 2, 3, 7, 8, 9, 10, 19, 20, 21, 999]))
        for size in draw(st.lists(BIG, max_size=3)):
            tensor.tensor_shape.dim.add().size = size
        tensor.tensor_content = draw(st.binary(max_size=16))
        tensor.float_val.extend(draw(st.lists(st.floats(width=32), max_size=3)))
        tensor.int_val.extend(draw(st.lists(st.integers(-(2**31), 2**31 - 1), max_size=3)))
        tensor.string_val.extend(draw(st.lists(st.binary(max_size=4), max_size=2)))
    elif kind == "list":
        attr.list.SetInParent()
        attr.list.i.extend(draw(st.lists(BIG, max_size=3)))
        attr.list.type.extend(draw(st.lists(st.sampled_from([1, 3, 999]), max_size=2)))
        attr.list.s.extend(draw(st.lists(st.binary(max_size=4), max_size=2)))
    elif kind == "func":
        attr.func.name = draw(TEXT)
    return attr


@st.composite
def message_mutant(draw) -> bytes:
    """A seed parsed, changed in a few places, serialised again."""
    message = graph_pb2.GraphDef.FromString(draw(st.sampled_from(seeds())))
    functions = list(message.library.function)
    node_lists = [message.node] + [f.node_def for f in functions]
    for _ in range(draw(st.integers(1, 4))):
        nodes = draw(st.sampled_from(node_lists))
        if not nodes:
            continue
        node = nodes[draw(st.integers(0, len(nodes) - 1))]
        change = draw(st.sampled_from(["attr", "new_attr", "input", "op", "name", "device",
                                       "drop_attr", "drop_node", "copy_node", "cycle",
                                       "content", "content"]))  # fmt: skip
        if change == "attr" and node.attr:
            key = draw(st.sampled_from(sorted(node.attr)))
            draw(attr_value(node.attr[key]))
        elif change == "new_attr":
            draw(attr_value(node.attr[draw(st.sampled_from(["T", "dtype", "_class", "N", "x"]))]))
        elif change == "input":
            if node.input and draw(st.booleans()):
                node.input[draw(st.integers(0, len(node.input) - 1))] = draw(TEXT)
            else:
                other = nodes[draw(st.integers(0, len(nodes) - 1))].name
                node.input.append(draw(st.sampled_from([other, f"^{other}", f"{other}:3"])))
        elif change == "op":
            node.op = draw(OP_TYPES)
        elif change == "name":
            node.name = draw(TEXT)
        elif change == "device":
            node.device = draw(st.sampled_from(["", "/cpu:0", "/gpu:7", "/job:x", "garbage"]))
        elif change == "drop_attr" and node.attr:
            del node.attr[draw(st.sampled_from(sorted(node.attr)))]
        elif change == "drop_node":
            nodes.remove(node)
        elif change == "copy_node":
            nodes.add().CopyFrom(node)
        elif (
            change == "content"
            and "value" in node.attr
            and node.attr["value"].tensor.tensor_content
        ):
            # Same size, other bytes: the graph still imports, and runs on NaNs and extremes.
            content = bytearray(node.attr["value"].tensor.tensor_content)
            for _ in range(draw(st.integers(1, 8))):
                content[draw(st.integers(0, len(content) - 1))] = draw(st.integers(0, 255))
            node.attr["value"].tensor.tensor_content = bytes(content)
        elif change == "cycle" and len(nodes) > 1:
            node.input.append(nodes[-1].name)
            nodes[-1].input.append(node.name)
    return message.SerializeToString()


@st.composite
def wire_mutant(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(seeds())))
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, max(len(data) - 1, 0)))
        change = draw(st.sampled_from(["flip", "cut", "insert", "repeat"]))
        if change == "flip" and data:
            data[position] ^= draw(st.integers(1, 255))
        elif change == "cut":
            del data[position : position + draw(st.integers(1, 64))]
        elif change == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=8))
        elif change == "repeat":
            data[position:position] = data[position : position + draw(st.integers(1, 32))]
    return bytes(data)


@st.composite
def text_mutant(draw) -> str:
    text = str(GraphDef.FromString(draw(st.sampled_from(seeds()))))
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        change = draw(st.sampled_from(["drop", "number", "swap", "garble"]))
        if change == "drop":
            del lines[index]
        elif change == "number":
            lines[index] = lines[index].rstrip("0123456789") + str(draw(BIG))
        elif change == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        else:
            lines[index] = draw(st.text(max_size=12))
        if not lines:
            break
    return "\n".join(lines)


# -- what opening a file does -------------------------------------------------------------


def open_graph(parse) -> None:
    """Parse, import, view, draw and (where it can) run; only documented errors escape."""
    try:
        graph_def = parse()
    except PARSE_ERRORS:
        return
    graph = tf.Graph()
    try:
        with graph.as_default():
            import_graph_def(graph_def, name="")
    except IMPORT_ERRORS:
        return
    from workbench.drawing import drawing
    from workbench.svg import layered_svg
    from workbench.view import GraphView

    view = GraphView(graph)
    view.to_json()
    layered_svg(drawing(view))
    run_some(graph)


def run_some(graph) -> None:
    feeds = {}
    for op in graph.get_operations():
        if op.type == "Placeholder":
            shape = op.outputs[0].shape
            if not shape.is_fully_defined() or shape.num_elements() > 1000:
                return
            dtype = op.outputs[0].dtype
            if dtype in (tf.resource, tf.variant):
                return
            feeds[op.outputs[0]] = np.zeros(shape.as_tuple(), dtype.as_numpy_dtype)
    fetches = [
        t for op in graph.get_operations()[-3:] for t in op.outputs if t.dtype != tf.resource
    ]
    options = tf1.RunOptions(timeout_in_ms=2000)
    try:
        with tf1.Session(graph=graph) as sess:
            sess.run(fetches or [op for op in graph.get_operations()[-1:]], feeds, options=options)
    except RUN_ERRORS:
        pass


def bounded(parse) -> None:
    start = time.process_time()
    tracemalloc.start()
    try:
        open_graph(parse)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < PEAK_BYTES, f"opening took {peak} bytes"
    assert time.process_time() - start < CPU_SECONDS_PER_EXAMPLE


FUZZ = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,  # CI sees the same mutants each time; a failure reproduces
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(message_mutant())
def test_mutated_messages_open_or_fail_cleanly(data):
    bounded(lambda: GraphDef.FromString(data))


@FUZZ
@given(wire_mutant())
def test_mutated_bytes_open_or_fail_cleanly(data):
    bounded(lambda: GraphDef.FromString(data))


@FUZZ
@given(text_mutant())
def test_mutated_text_opens_or_fails_cleanly(text):
    bounded(lambda: GraphDef.from_text(text))


def test_every_seed_opens():
    for data in seeds():
        bounded(lambda data=data: GraphDef.FromString(data))
