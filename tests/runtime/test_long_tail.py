"""TF1's long tail against TF 2.21 (recorded by ``tests/fixtures/tf_long_tail/generate.py``):
``Operation.from_node_def``, ``Dimension``, ``make_tensor_proto``, ``is_tensor``,
``tf.compat``'s conversions, ``tf.logging``, the old variable helpers, ``make_template``."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import numpy as np
import pytest

import runtime as tf
from runtime import errors

RECORDED = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "tf_long_tail" / "cases.json").read_text()
)


def outcome(function) -> dict:
    try:
        value = function()
    except Exception as err:
        return {"error": type(err).__name__, "message": str(err).split("\n")[0]}
    return {"value": value}


# -- Operation.from_node_def ------------------------------------------------------------


def _node(name, op, T=None):
    node = tf.NodeDef(name=name, op=op)
    if T is not None:
        node.attr["T"].CopyFrom(tf.AttrValue(type=T.as_datatype_enum))
    return node


def test_from_node_def_builds_what_tf_builds():
    expected = RECORDED["from_node_def"]["built"]
    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [2], name="x")
        c = tf.constant(1.0, name="c")
        make = tf.Operation.from_node_def
        with tf.name_scope("scope"), tf.control_dependencies([c]), g.device("/cpu:1"):
            op = make(_node("neg", "Neg", tf.float32), g, inputs=[x])
        made = make(_node("neg2", "Neg"), g, inputs=[x], control_inputs=[c])
        with tf.Session() as sess:
            value = sess.run(op.outputs[0], {x: [1.0, 2.0]}).tolist()
    assert {
        "name": op.name,
        "type": op.type,
        "shape": op.outputs[0].shape.as_list(),
        "dtype": op.outputs[0].dtype.name,
        "control_inputs": [o.name for o in op.control_inputs],
        "value": value,
        "inferred_T": made.get_attr("T").name,
        "explicit_controls": [o.name for o in made.control_inputs],
    } == expected
    assert op.device == ""  # TF: the device scope does not apply either


def test_from_node_def_takes_tfs_protobuf_message_and_its_device():
    from runtime.proto import graph_pb2

    message = graph_pb2.NodeDef(name="n", op="Neg", device="/cpu:0")
    with tf.Graph().as_default() as g:
        op = tf.Operation.from_node_def(message, g, inputs=[tf.constant([3])])
    assert (op.name, op.device, op.get_attr("T")) == ("n", "/device:CPU:0", tf.int32)


@pytest.mark.parametrize("case", sorted(RECORDED["from_node_def"]["errors"]))
def test_from_node_def_refuses_what_tf_refuses(case):
    expected = RECORDED["from_node_def"]["errors"][case]
    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [2], name="x")
        make = tf.Operation.from_node_def
        make(_node("neg", "Neg"), g, inputs=[x])
        calls = {
            "duplicate": lambda: make(_node("neg", "Neg"), g, inputs=[x]),
            "bad_name": lambda: make(_node("-bad", "Neg"), g, inputs=[x]),
            "not_node_def": lambda: make("neg", g, inputs=[x]),
            "not_graph": lambda: make(_node("k", "Neg"), "g", inputs=[x]),
            "inputs_not_list": lambda: make(_node("k", "Neg"), g, inputs=x),
            "input_not_tensor": lambda: make(_node("k", "Neg"), g, inputs=[1.0]),
            "unknown_op": lambda: make(_node("k", "NoSuchOp"), g, inputs=[x]),
            "wrong_type_attr": lambda: make(_node("k3", "Neg", tf.int32), g, inputs=[x]),
            "bad_control": lambda: make(_node("k4", "Neg"), g, inputs=[x], control_inputs=[3]),
            "input_types": lambda: make(_node("k5", "Neg"), g, inputs=[x], input_types=[tf.int32]),
        }
        got = outcome(calls[case])
    assert got.get("error") == expected["error"], got
    # TF's words, up to where TF names its own classes and binary.
    ours = got["message"].split(" Did you mean")[0].split("<class")[0].rstrip(".")
    assert len(ours) > 20 and expected["message"].startswith(ours), (ours, expected["message"])


# -- Dimension ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(RECORDED["dimensions"]))
def test_dimension_matches_tf(case):
    D = tf.Dimension
    a, b, u = D(3), D(4), D(None)
    table = {
        "a+b": lambda: a + b, "a+1": lambda: a + 1, "1+a": lambda: 1 + a, "a*u": lambda: a * u,
        "a-1": lambda: a - 1, "a//2": lambda: a // 2, "a%2": lambda: a % 2, "7-a": lambda: 7 - a,
        "a==3": lambda: a == 3, "a==u": lambda: a == u, "u==u": lambda: u == u,
        "a!=4": lambda: a != 4, "a<b": lambda: a < b, "a<u": lambda: a < u, "a>=3": lambda: a >= 3,
        "merge(a,u)": lambda: a.merge_with(u), "merge(u,5)": lambda: u.merge_with(5),
        "merge(a,4)": lambda: a.merge_with(4), "compatible(a,u)": lambda: a.is_compatible_with(u),
        "compatible(a,4)": lambda: a.is_compatible_with(4), "negative": lambda: D(-1),
        "float": lambda: D(1.5), "int(u)": lambda: int(u), "str(u)": lambda: str(u),
        "repr(u)": lambda: repr(u), "str(a)": lambda: str(a), "value(D(D(2)))": lambda: D(D(2)).value,
    }  # fmt: skip
    got = outcome(table[case])
    if isinstance(got.get("value"), D):
        got["value"] = {"Dimension": got["value"].value}
    assert got == RECORDED["dimensions"][case]


def test_tensor_shapes_take_dimensions():
    shape = tf.TensorShape([tf.Dimension(2), tf.Dimension(None)])
    assert shape.as_list() == [2, None]
    assert tf.dimension_value(tf.dimension_at_index(shape, 0)) == 2


# -- TensorProtos, is_tensor, tf.compat ---------------------------------------------------


@pytest.mark.parametrize("case", sorted(RECORDED["tensor_protos"]))
def test_make_tensor_proto_matches_tf(case):
    table = {
        "ints": ([1, 2, 3], {}),
        "scalar_fills_shape": (5.0, {"shape": [2, 2]}),
        "short_list_pads_with_last": ([1, 2], {"shape": [4]}),
        "too_many": ([1, 2, 3], {"shape": [2]}),
        "verify_shape": ([1, 2], {"shape": [4], "verify_shape": True}),
        "strings": (["a", b"b"], {}),
        "float64": ([1.5], {"dtype": tf.float64}),
        "float_to_int": ([1.5], {"dtype": tf.int32}),
        "nested": ([[1.0, 2.0], [3.0, 4.0]], {}),
        "bools": ([True, False], {}),
    }
    values, kwargs = table[case]

    def made():
        proto = tf.make_tensor_proto(values, **kwargs)
        array = tf.make_ndarray(proto)
        items = [x.decode() if isinstance(x, bytes) else x for x in array.reshape(-1).tolist()]
        return {"dtype": tf.as_dtype(proto.dtype).name, "shape": list(array.shape), "values": items}

    expected = RECORDED["tensor_protos"][case]
    got = outcome(made)
    if "error" in expected:
        assert got.get("error") == expected["error"], got
        if case != "float_to_int":  # TF shows the value, the runtime the list it came in
            assert got["message"] == expected["message"]
    else:
        assert got == expected


def test_is_tensor_matches_tf():
    with tf.Graph().as_default():
        things = {
            "tensor": tf.constant(1),
            "variable": tf.Variable(1.0),
            "sparse": tf.SparseTensor([[0]], [1.0], [2]),
            "indexed_slices": tf.IndexedSlices(tf.constant([1.0]), tf.constant([0])),
            "numpy": np.ones(2),
            "list": [1, 2],
            "float": 1.0,
        }
        assert {name: tf.is_tensor(thing) for name, thing in things.items()} == RECORDED[
            "is_tensor"
        ]


@pytest.mark.parametrize("case", sorted(RECORDED["conversions"]))
def test_compat_conversions_match_tf(case):
    c = tf.compat
    table = {
        "as_bytes(text)": lambda: list(c.as_bytes("héllo")),
        "as_bytes(bytearray)": lambda: list(c.as_bytes(bytearray(b"ab"))),
        "as_bytes(int)": lambda: c.as_bytes(3),
        "as_text(bytes)": lambda: c.as_text("héllo".encode()),
        "as_text(int)": lambda: c.as_text(3),
        "as_str_any(bytes)": lambda: c.as_str_any(b"x"),
        "as_str_any(int)": lambda: c.as_str_any(7),
        "forward_compatible(2019)": lambda: c.forward_compatible(2019, 1, 1),
        "forward_compatible(2100)": lambda: c.forward_compatible(2100, 1, 1),
        "dimension_value(None)": lambda: c.dimension_value(None),
        "dimension_value(5)": lambda: c.dimension_value(5),
    }
    assert outcome(table[case]) == RECORDED["conversions"][case]


# -- tf.logging ----------------------------------------------------------------------------


def test_logging_writes_tfs_lines():
    logger = tf.get_logger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.handlers[0].formatter)
    logger.addHandler(handler)
    old = tf.logging.get_verbosity()
    try:
        tf.logging.set_verbosity(tf.logging.INFO)
        tf.logging.info("hello %s", "x")
        tf.logging.warning("careful %d", 3)
        tf.logging.debug("hidden")
        tf.logging.error("bad")
        tf.logging.log(tf.logging.WARN, "log %s", "call")
        tf.logging.log_if(tf.logging.INFO, "shown", True)
        tf.logging.log_if(tf.logging.INFO, "not shown", False)
        tf.logging.TaskLevelStatusMessage("status")
    finally:
        tf.logging.set_verbosity(old)
        logger.removeHandler(handler)
    assert stream.getvalue().splitlines() == RECORDED["logging"]


def test_log_first_n_counts_per_line():
    logger = tf.get_logger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    try:
        for i in range(4):
            tf.logging.log_first_n(tf.logging.ERROR, "first %d", 2, i)
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue().split() == ["first", "0", "first", "1"]


# -- variables -----------------------------------------------------------------------------


def test_variable_helpers_match_tf():
    expected = RECORDED["variables"]
    with tf.Graph().as_default():
        count = tf.get_local_variable("count", [], initializer=tf.zeros_initializer())
        none_yet = tf.assert_variables_initialized([])
        w = tf.Variable(1.0, name="w")
        check = tf.assert_variables_initialized()
        with tf.Session() as sess:
            with pytest.raises(getattr(errors, expected["assert_before_init"])):
                sess.run(check)
            sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
            assert sess.run(check).tolist() == expected["assert_after_init"]

        def scale(x):
            w = tf.get_variable("w", [], initializer=tf.ones_initializer())
            return tf.multiply(x, w, name="y")

        template = tf.make_template("scale", scale)
        template(tf.constant(2.0))
        template(tf.constant(3.0))
        tf.make_template("scale", scale)(tf.constant(1.0))

        def grows(x):
            return tf.get_variable(f"z{len(tf.global_variables())}", [])

        growing = tf.make_template("grows", grows)
        growing(1.0)
        assert {
            "name": count.name,
            "local": [v.name for v in tf.local_variables()],
            "trainable": [v.name for v in tf.trainable_variables()],
        } == expected["local"]
        assert (none_yet is None) == expected["assert_without_variables_is_none"]
        assert [v.name for v in tf.all_variables()] == expected["all_variables"]
        assert template.variable_scope_name == expected["template_scope"]
        assert [v.name for v in template.trainable_variables] == expected["template_trainable"]
        assert outcome(lambda: growing(1.0)).get("error") == expected["template_new_variable_later"]
        assert tf.tables_initializer().type == expected["tables_initializer"]
        assert w.name == expected["w"]


# -- the rest ------------------------------------------------------------------------------


def test_default_graph_functions():
    with tf.Graph().as_default() as g:
        tf.add_to_collections(["a", "b"], 1)
        tf.get_collection_ref("a").append(2)
        assert tf.get_collection("a") == [1, 2] and g.get_collection("b") == [1]
        with tf.device("/cpu:1"):
            w = tf.Variable(1.0, name="w")
        with tf.colocate_with(w), tf.device("/cpu:0"):
            y = tf.identity(w)
        assert y.device == "/device:CPU:1" and y.op.colocation_groups() == [b"loc:@w"]
        a = tf.constant(1.0)
        with tf.control_dependencies([a]), tf.name_scope("outer"), tf.init_scope():
            b = tf.constant(2.0, name="b")
        assert b.op.control_inputs == [] and b.op.name == "outer/b"
        with tf.op_scope([a], None, "legacy") as scope:
            assert scope == "legacy/"


def test_version_resource_loader_and_sysconfig():
    assert tf.VERSION == tf.version.VERSION == "2.21.0"
    with tf.Graph().as_default() as g:
        assert g.as_graph_def().versions.producer == tf.GRAPH_DEF_VERSION
    here = Path(__file__).parent
    assert tf.resource_loader.get_data_files_path() == str(here)
    assert tf.resource_loader.get_path_to_datafile("x.json") == str(here / "x.json")
    assert tf.sysconfig.get_build_info()["is_cuda_build"] is False


def test_mode_switches():
    tf.disable_eager_execution()
    tf.disable_v2_behavior()
    assert tf.executing_eagerly() is False and tf.executing_eagerly_outside_functions() is False
    with pytest.raises(RuntimeError, match="eager execution is not available"):
        tf.enable_eager_execution()


# -- initializers --------------------------------------------------------------------------


def test_initializers_match_tf():
    expected = RECORDED["initializers"]
    i = tf.initializers
    made = {
        "he_normal": i.he_normal(seed=3),
        "he_uniform": i.he_uniform(),
        "lecun_normal": i.lecun_normal(),
        "lecun_uniform": i.lecun_uniform(),
        "orthogonal": i.orthogonal(gain=2.0),
        "identity": i.identity(gain=3.0),
        "uniform_unit_scaling": i.uniform_unit_scaling(factor=1.5),
    }
    for name, initializer in made.items():
        assert type(initializer).__name__ == expected[name]["class"], name
        assert initializer.get_config() == expected[name]["config"], name
    with tf.Graph().as_default(), tf.Session() as sess:
        assert sess.run(made["identity"]([2, 3])).tolist() == expected["identity"]["value"]
        q = sess.run(made["orthogonal"]([2, 3, 4]))
        flat = q.reshape(6, 4) / 2.0
        assert list(q.shape) == expected["orthogonal"]["shape"]
        assert np.allclose(flat.T @ flat, np.eye(4), atol=1e-5)
        u = sess.run(made["uniform_unit_scaling"]([50, 8]))
        assert np.abs(u).max() <= 1.5 * (3 / 50) ** 0.5
        for name, init, shape in (
            ("orthogonal_1d", "orthogonal", [3]),
            ("identity_3d", "identity", [2, 2, 2]),
        ):
            assert outcome(lambda: made[init](shape)) == expected["errors"][name]  # noqa: B023
    assert tf.orthogonal_initializer is tf.initializers.orthogonal
    assert tf.uniform_unit_scaling_initializer is tf.initializers.uniform_unit_scaling


# -- graph_util ----------------------------------------------------------------------------


def _listing(graph_def) -> list:
    return [[n.name, n.op, list(n.input)] for n in graph_def.node]


def test_graph_util_matches_tf():
    import base64

    expected = RECORDED["graph_util"]
    graph_def = tf.GraphDef.FromString(base64.b64decode(expected["graph_def"]))
    gu = tf.graph_util
    with tf.Graph().as_default():
        tf.import_graph_def(graph_def, name="")
        with tf.Session() as sess:
            sess.run(["w/Assign", "b/Assign"])
            frozen = gu.convert_variables_to_constants(sess, graph_def, ["z"])
            kept = gu.convert_variables_to_constants(
                sess, graph_def, ["z"], variable_names_blacklist=["b"]
            )
    assert _listing(frozen) == expected["frozen"]
    assert _listing(kept) == expected["blacklisted"]
    constants = {
        n.name: tf.make_ndarray(n.attr["value"].tensor).tolist()
        for n in frozen.node
        if n.name in "wb"
    }
    assert constants == expected["frozen_values"]
    assert _listing(gu.extract_sub_graph(graph_def, ["y"])) == expected["sub_graph"]
    assert _listing(gu.remove_training_nodes(graph_def)) == expected["without_training_nodes"]
    assert _listing(gu.remove_training_nodes(graph_def, ["y"])) == expected["protected"]
    assert {n.name: gu.must_run_on_cpu(n) for n in graph_def.node} == expected["on_cpu"]
    pinned = {n.name: gu.must_run_on_cpu(n, True) for n in graph_def.node}
    assert pinned == expected["on_cpu_pinned"]
    got = outcome(lambda: gu.extract_sub_graph(graph_def, ["nope"]))
    assert got == expected["missing_destination"]


def test_a_frozen_graph_runs_to_the_variables_values():
    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        w = tf.Variable([[1.0], [2.0]], name="w")
        tf.identity(tf.matmul(x, w), name="y")
        assert tf.graph_util.tensor_shape_from_node_def_name(g, "x").as_list() == [None, 2]
        with tf.Session() as sess:
            sess.run(w.initializer)
            frozen = tf.graph_util.convert_variables_to_constants(sess, g.as_graph_def(), ["y"])
    with tf.Graph().as_default():
        (y,) = tf.import_graph_def(frozen, return_elements=["y:0"], name="")
        assert tf.Session().run(y, {"x:0": [[1.0, 1.0]]}).tolist() == [[3.0]]


def test_hessians_match_tf():
    expected = RECORDED["hessians"]
    with tf.Graph().as_default(), tf.Session() as sess:
        x = tf.constant([1.0, 2.0, 3.0])
        m = tf.constant([[1.0, -1.0], [0.5, 2.0]], tf.float64)
        (hx,) = tf.hessians(tf.reduce_sum(x * x * x) + x[0] * x[1], x)
        (hm,) = tf.hessians(tf.reduce_sum(tf.sin(m) * m[0, 0]), m)
        p = tf.placeholder(tf.float32, None)
        (hp,) = tf.compat.v2.hessians(tf.reduce_sum(tf.exp(p)), p)
        np.testing.assert_allclose(sess.run(hx), expected["x"], rtol=1e-6)
        np.testing.assert_allclose(sess.run(hm), expected["m"], rtol=1e-12)
        fed = sess.run(hp, {p: [0.0, 1.0]})
        np.testing.assert_allclose(fed, expected["fed_unknown_shape"], rtol=1e-6)
