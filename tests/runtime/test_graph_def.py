"""GraphDef structure, JSON round trips, and import_graph_def with TF's semantics."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runtime as tf
from runtime.graph_def import (
    AttrValue,
    GraphDef,
    NodeDef,
    VersionDef,
    attr_value,
    graph_def_of,
    python_value,
)

tf1 = tf.compat.v1


def _sample_graph():
    g = tf.Graph()
    with g.as_default():
        a = tf.constant([1.0, 2.0], name="a")
        with tf.device("/cpu:0"):
            b = tf.identity(a, name="b")
        with tf.control_dependencies([b]):
            tf.constant(1, name="c")
        p = tf1.placeholder(tf.float32, [None, 2], name="p")
        tf.add(p, b, name="sum")
    return g


def test_structure_mirrors_tf():
    gd = graph_def_of(_sample_graph())  # the runtime's form; as_graph_def gives TF's message
    assert [n.name for n in gd.node] == ["a", "b", "c", "p", "sum"]
    b, c, p, total = gd.node[1:]
    assert (b.op, b.input, b.device) == ("Identity", ["a"], "/device:CPU:0")
    assert c.input == ["^b"]
    assert total.input == ["p", "b"]
    assert p.attr["dtype"] == AttrValue("type", tf.float32)
    assert p.attr["shape"] == AttrValue("shape", tf.TensorShape([None, 2]))
    assert gd.versions == VersionDef() and gd.versions.producer > 0


def test_output_index_and_from_version():
    g = tf.Graph()
    with g.as_default():
        x = tf1.placeholder(tf.float32, name="x")
        version = g.version
        tf.identity(x, name="y")
    assert [n.name for n in g.as_graph_def(from_version=version).node] == ["y"]


def test_add_shapes():
    gd = graph_def_of(_sample_graph(), add_shapes=True)
    assert gd.node[0].attr["_output_shapes"] == attr_value([tf.TensorShape([2])])
    assert "_output_shapes" not in graph_def_of(_sample_graph()).node[0].attr


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (tf.float32, "type"),
        (True, "b"),
        (3, "i"),
        (1.5, "f"),
        ("text", "s"),
        (b"bytes", "s"),
        (tf.TensorShape([1, None]), "shape"),
        (None, "shape"),
        (np.array([1, 2], np.int64), "tensor"),
        ([1, 2], "list"),
    ],
)
def test_attr_values_are_typed(value, kind):
    attr = attr_value(value)
    assert attr.kind == kind
    assert attr_value(attr) is attr
    back = python_value(attr)
    if kind == "s":  # ops keep text attrs as str
        assert back == (value if isinstance(value, str) else value.decode())
    elif kind == "tensor":
        np.testing.assert_array_equal(back, value)
    elif kind == "list":
        assert back == value
    else:
        assert back == value


def test_unstorable_attr():
    with pytest.raises(TypeError, match="Cannot store an attr of type dict"):
        attr_value({"a": 1})


def test_json_round_trip_keeps_every_field():
    gd = graph_def_of(_sample_graph(), add_shapes=True)
    again = GraphDef.from_json(gd.to_json())
    assert again == gd
    assert GraphDef.from_dict(gd.to_dict()) == gd


@pytest.mark.parametrize(
    "value",
    [
        np.array([b"a\x00b", "é".encode()], dtype=object),
        np.array([[1 + 2j]], np.complex64),
        np.array([np.nan, np.inf, -0.0], np.float32),
        np.zeros((2, 0, 3), np.int8),
        np.array(True),
    ],
    ids=["strings", "complex", "special-floats", "empty", "bool"],
)
def test_tensor_attrs_round_trip_through_json(value):
    node = NodeDef("c", "Const", attr={"value": attr_value(value)})
    back = GraphDef.from_json(GraphDef([node]).to_json()).node[0].attr["value"].value
    assert back.dtype == value.dtype and back.shape == value.shape
    assert back.tolist() == value.tolist() or np.array_equal(back, value, equal_nan=True)


# -- import_graph_def ------------------------------------------------------------------


def test_import_into_an_empty_graph_rebuilds_an_equal_graph():
    gd = _sample_graph().as_graph_def()
    with tf.Graph().as_default() as g:
        assert tf.graph_util.import_graph_def(gd, name="") is None
    assert g.as_graph_def() == gd


def test_import_prefixes_names_and_uniquifies_the_scope():
    gd = _sample_graph().as_graph_def()
    with tf.Graph().as_default() as g:
        tf1.import_graph_def(gd)
        tf1.import_graph_def(gd)
        with tf.name_scope("outer"):
            tf1.import_graph_def(gd, name="mine")
    names = [op.name for op in g.get_operations()]
    assert names[:5] == ["import/a", "import/b", "import/c", "import/p", "import/sum"]
    assert names[5:7] == ["import_1/a", "import_1/b"]
    assert names[10] == "outer/mine/a"
    assert g.get_operation_by_name("import_1/sum").inputs[1].name == "import_1/b:0"
    assert g.get_operation_by_name("import/c").control_inputs[0].name == "import/b"


def test_imported_ops_run():
    gd = _sample_graph().as_graph_def()
    with tf.Graph().as_default():
        total, b = tf1.import_graph_def(gd, return_elements=["sum:0", "b"])
        with tf1.Session() as sess:
            out = sess.run(total, {"import/p:0": [[1.0, 1.0]]})
    assert out.tolist() == [[2.0, 3.0]]
    assert b.type == "Identity"


def test_name_conflicts_without_a_prefix_are_uniquified():
    gd = _sample_graph().as_graph_def()
    with tf.Graph().as_default() as g:
        tf.constant(0.0, name="a")
        tf1.import_graph_def(gd, name="")
    assert [op.name for op in g.get_operations()][:3] == ["a", "a_1", "b"]
    assert g.get_operation_by_name("b").inputs[0].name == "a_1:0"


def test_input_map_replaces_inputs():
    gd = _sample_graph().as_graph_def()
    with tf.Graph().as_default() as g:
        fed = tf.constant([[10.0, 20.0]], name="fed")
        ctrl = tf.no_op(name="ctrl")
        [total, c] = tf1.import_graph_def(
            gd, input_map={"p": fed, "^b": ctrl}, return_elements=["sum:0", "c"]
        )
        with tf1.Session() as sess:
            assert sess.run(total).tolist() == [[11.0, 22.0]]
    assert total.op.inputs[0] is fed
    assert c.control_inputs == [ctrl]
    assert "import/p" in [op.name for op in g.get_operations()]  # mapped nodes still come


def test_input_map_output_index_form():
    with tf.Graph().as_default() as g:
        x = tf1.placeholder(tf.float32, name="x")
        tf.negative(x, name="y")
    with tf.Graph().as_default():
        two = tf.constant(2.0)
        [y] = tf1.import_graph_def(g.as_graph_def(), {"x:0": two}, ["y:0"])
        assert tf1.Session().run(y) == -2.0


def test_import_keeps_devices_under_the_current_device_scope():
    gd = _sample_graph().as_graph_def()
    with tf.Graph().as_default() as g, tf.device("/job:ps"):
        tf1.import_graph_def(gd, name="")
    assert g.get_operation_by_name("b").device == "/job:ps/device:CPU:0"
    assert g.get_operation_by_name("a").device == "/job:ps"


def test_import_ignores_surrounding_control_dependencies():
    gd = _sample_graph().as_graph_def()
    with tf.Graph().as_default() as g:
        outer = tf.no_op(name="outer")
        with tf.control_dependencies([outer]):
            tf1.import_graph_def(gd, name="")
    assert g.get_operation_by_name("a").control_inputs == []


def test_nodes_in_any_order_and_colocation_names_are_remapped():
    g = tf.Graph()
    with g.as_default():
        v = tf.constant(1.0, name="v")
        with g.colocate_with(v.op):
            tf.identity(v, name="read")
    gd = g.as_graph_def()
    gd.node.reverse()
    with tf.Graph().as_default() as h:
        tf1.import_graph_def(gd, name="imp")
    read = h.get_operation_by_name("imp/read")
    assert read.get_attr("_class") == [b"loc:@imp/v"]
    assert read.inputs[0].op.name == "imp/v"


def _node(name, op, inputs=(), **attrs):
    return NodeDef(name, op, list(inputs), "", {k: attr_value(v) for k, v in attrs.items()})


_const = dict(value=np.float32(1.0), dtype=tf.float32)


@pytest.mark.parametrize(
    ("nodes", "kwargs", "error", "message"),
    [
        (
            [_node("x", "Identity", ["nope"], T=tf.float32)],
            {},
            ValueError,
            "Node 'x': input 'nope' is not a node of the GraphDef",
        ),
        (
            [_node("c", "Const", **_const), _node("x", "Identity", ["c:3"], T=tf.float32)],
            {},
            ValueError,
            "asks for output 3 of 'c', which has 1 output",
        ),
        (
            [_node("c", "Const", **_const), _node("x", "Identity", ["c:z"], T=tf.float32)],
            {},
            ValueError,
            "malformed input 'c:z'",
        ),
        (
            [_node("c", "Const", **_const), _node("c", "Const", **_const)],
            {},
            ValueError,
            "Node 'c' is not unique",
        ),
        (
            [
                _node("a", "Identity", ["b"], T=tf.float32),
                _node("b", "Identity", ["a"], T=tf.float32),
            ],
            {},
            ValueError,
            "GraphDef has a cycle",
        ),
        (
            [_node("c", "Const", value=np.float32(1.0))],
            {},
            ValueError,
            "NodeDef missing attr 'dtype' from Op<name=Const; signature= -> output:dtype",
        ),
        (
            [_node("c", "Const", **_const)],
            {"input_map": {"zz:0": None}},  # converted as TF converts it: None is no value
            ValueError,
            "None values not supported",
        ),
        (
            [_node("c", "Const", **_const)],
            {"input_map": {1: None}},
            TypeError,
            "input_map keys must be strings",
        ),
        (
            [_node("c", "Const", **_const)],
            {"return_elements": ["q"]},
            ValueError,
            "Requested return_element 'q' not found in graph_def",
        ),
        (
            [_node("c", "Const", **_const)],
            {"return_elements": ["c:1"]},
            ValueError,
            "Requested return_element 'c:1' not found",
        ),
        (
            [_node("c", "Const", **_const)],
            {"return_elements": "c"},
            TypeError,
            "return_elements must be a list of strings",
        ),
        (
            [_node("c", "Const", **_const), _node("d", "MatMul", ["c", "c"], T=tf.float32)],
            {},
            ValueError,
            "Shape must be rank 2|must have rank 2",
        ),
    ],
)
def test_import_errors(nodes, kwargs, error, message):
    with tf.Graph().as_default():
        with pytest.raises(error, match=message):
            tf1.import_graph_def(GraphDef(nodes), **kwargs)


def test_unknown_op_types_import_but_do_not_run():
    gd = GraphDef([_node("x", "Bogus"), _node("c", "Const", **_const)])
    with tf.Graph().as_default() as g:
        tf1.import_graph_def(gd, name="")
        assert g.get_operation_by_name("x").type == "Bogus"
        with tf1.Session() as sess:
            with pytest.raises(tf.errors.UnimplementedError, match=r"Bogus \(ops: x\)"):
                sess.run("x")


def test_unused_input_map_keys_are_an_error():
    gd = GraphDef([_node("c", "Const", **_const)])
    with tf.Graph().as_default():
        t = tf.constant(1.0)
        with pytest.raises(
            ValueError, match=r"Attempted to map inputs that were not found in graph_def: \[zz:0\]"
        ):
            tf1.import_graph_def(gd, input_map={"zz": t})


def test_not_a_graph_def():
    with tf.Graph().as_default(), pytest.raises(TypeError, match="graph_def must be a GraphDef"):
        tf1.import_graph_def({"node": []})


# -- random graphs round trip ------------------------------------------------------------

_dtypes = st.sampled_from([tf.float32, tf.float64, tf.int32, tf.int64, tf.bool, tf.string])
_shapes = st.lists(st.integers(0, 3), max_size=3)


@st.composite
def _values(draw):
    dtype = draw(_dtypes)
    shape = tuple(draw(_shapes))
    size = int(np.prod(shape))
    if dtype is tf.string:
        items = draw(st.lists(st.binary(max_size=4), min_size=size, max_size=size))
        array = np.empty(size, dtype=object)
        array[:] = items
        return array.reshape(shape)
    if dtype is tf.bool:
        return np.array(draw(st.lists(st.booleans(), min_size=size, max_size=size)), bool).reshape(
            shape
        )
    if dtype.is_integer:
        items = draw(st.lists(st.integers(-1000, 1000), min_size=size, max_size=size))
    else:
        items = draw(st.lists(st.floats(width=32), min_size=size, max_size=size))
    return np.array(items, dtype.as_numpy_dtype).reshape(shape)


_steps = st.lists(
    st.one_of(
        st.tuples(st.just("const"), _values()),
        st.tuples(
            st.just("placeholder"), st.lists(st.one_of(st.none(), st.integers(0, 3)), max_size=2)
        ),
        st.tuples(st.just("identity"), st.integers(0, 100)),
        st.tuples(st.just("add"), st.integers(0, 100)),
        st.tuples(st.just("noop"), st.lists(st.integers(0, 100), max_size=3)),
        st.tuples(
            st.just("device"), st.sampled_from(["/cpu:0", "/job:ps/task:1", "/device:GPU:1"])
        ),
        st.tuples(st.just("scope"), st.sampled_from(["s", "t/u"])),
        st.tuples(st.just("colocate"), st.integers(0, 100)),
    ),
    min_size=1,
    max_size=25,
)


def _build_random_graph(steps) -> tf.Graph:
    g = tf.Graph()
    with g.as_default():
        tensors = []
        for kind, arg in steps:
            if kind == "const":
                tensors.append(tf.constant(arg))
            elif kind == "placeholder":
                tensors.append(tf1.placeholder(tf.float32, shape=arg))
            elif kind == "device" and tensors:
                with tf.device(arg):
                    tensors.append(tf.identity(tensors[-1]))
            elif kind == "scope" and tensors:
                with tf.name_scope(arg):
                    tensors.append(tf.identity(tensors[-1], name="in_scope"))
            elif kind == "colocate" and tensors:
                source = tensors[arg % len(tensors)]
                with g.colocate_with(source.op):
                    tensors.append(tf.identity(source))
            elif kind == "identity" and tensors:
                tensors.append(tf.identity(tensors[arg % len(tensors)]))
            elif kind == "add" and tensors:
                x = tensors[arg % len(tensors)]
                if x.dtype in (tf.float32, tf.float64, tf.int32, tf.int64):
                    tensors.append(tf.add(x, x))
            elif kind == "noop" and tensors:
                with tf.control_dependencies([tensors[i % len(tensors)] for i in arg]):
                    tf.no_op()
    return g


@settings(deadline=None, max_examples=60)
@given(_steps)
def test_random_graphs_round_trip_through_json_and_import(steps):
    original = _build_random_graph(steps)
    gd = graph_def_of(original)
    text = gd.to_json()
    with tf.Graph().as_default() as rebuilt:
        tf1.import_graph_def(GraphDef.from_json(text), name="")
    assert graph_def_of(rebuilt) == gd
    assert [op.name for op in rebuilt.get_operations()] == [
        op.name for op in original.get_operations()
    ]
    for a, b in zip(original.get_operations(), rebuilt.get_operations()):
        assert [t.shape for t in a.outputs] == [t.shape for t in b.outputs]
        assert [t.dtype for t in a.outputs] == [t.dtype for t in b.outputs]
        assert a.device == b.device
