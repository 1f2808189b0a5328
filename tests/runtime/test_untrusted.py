"""Untrusted files and strings: nothing is allocated because a file claims it, and
nothing from a file is ever run as code.

Bounded parsing (issue 19, item 1): a tensor's size is checked against
``runtime.limits`` before anything is allocated, and a repeated value stays a numpy
broadcast. Safe generated code (item 3): every string the builder writes into code
is a literal, so executing the code rebuilds exactly those strings and nothing else.
"""

from __future__ import annotations

import ast
import io
import os
import time
import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import runtime as tf
from runtime import limits
from runtime.errors import DataLossError, ResourceExhaustedError
from runtime.graph_def import GraphDef
from runtime.graph_io import load_graph, read_graph_def
from runtime.importer import import_graph_def
from runtime.proto import graph_pb2

tf1 = tf.compat.v1
FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures")


def const_bytes(elements: int, values=(1.0,), dtype: int = 1) -> bytes:
    """A GraphDef of one Const claiming ``elements`` elements and holding ``values``."""
    message = graph_pb2.GraphDef()
    node = message.node.add(name="c", op="Const")
    node.attr["dtype"].type = dtype
    tensor = node.attr["value"].tensor
    tensor.dtype = dtype
    tensor.tensor_shape.dim.add().size = elements
    tensor.float_val.extend(values)
    return message.SerializeToString()


def peak_bytes(function) -> tuple:
    tracemalloc.start()
    try:
        result = function()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


class TestBoundedParsing:
    def test_a_55_byte_file_claiming_2_27_floats_costs_nothing_to_open(self, tmp_path):
        data = const_bytes(2**27)
        assert len(data) == 55
        path = tmp_path / "bomb.pb"
        path.write_bytes(data)
        start = time.process_time()
        graph, peak = peak_bytes(lambda: load_graph(str(path)))
        assert peak < 2**20, f"opening took {peak} bytes"
        assert time.process_time() - start < 5  # the old parser spent 10 s here
        value = graph.get_operation_by_name("c").get_attr("value")
        assert value.shape == (2**27,) and value.strides == (0,)  # a broadcast view

    def test_the_claimed_tensor_is_made_when_a_run_needs_it(self):
        graph_def = GraphDef.FromString(const_bytes(1000, [3.0]))
        with tf.Graph().as_default() as g:
            import_graph_def(graph_def, name="")
            total = tf.reduce_sum(g.get_tensor_by_name("c:0"))
            with tf1.Session() as sess:
                assert sess.run(total) == 3000.0
                fetched = sess.run("c:0")
        assert fetched.flags.writeable and fetched.strides == (4,)  # a real array, owned

    def test_a_splat_is_written_back_as_one_value(self):
        graph_def = GraphDef.FromString(const_bytes(2**27))
        assert len(graph_def.SerializeToString()) < 100
        assert len(graph_def.to_json()) < 1000
        assert GraphDef.from_json(graph_def.to_json()) == graph_def

    def test_a_claim_over_the_tensor_limit_names_the_node_and_the_remedy(self):
        with pytest.raises(ResourceExhaustedError) as info:
            GraphDef.FromString(const_bytes(2**30))  # 4 GiB of float32
        message = str(info.value)
        assert "attr 'value' of node 'c'" in message and "4294967296 bytes" in message
        assert "runtime.limits.size_limits(tensor_bytes=" in message
        with limits.size_limits(tensor_bytes=2**33):
            assert GraphDef.FromString(const_bytes(2**30)).node[0].attr["value"].value.size == 2**30

    def test_claims_add_up_to_the_file_limit(self):
        message = graph_pb2.GraphDef.FromString(const_bytes(1000))
        message.node.add().CopyFrom(message.node[0])
        message.node[1].name = "d"
        with limits.size_limits(total_bytes=6000), pytest.raises(ResourceExhaustedError) as info:
            GraphDef.FromString(message.SerializeToString())
        assert "node 'd'" in str(info.value) and "8000 bytes in all" in str(info.value)

    def test_a_short_list_of_distinct_values_is_filled_within_its_own_limit(self):
        graph_def = GraphDef.FromString(const_bytes(5, [1.0, 2.0]))
        np.testing.assert_array_equal(graph_def.node[0].attr["value"].value, [1, 2, 2, 2, 2])
        with pytest.raises(ResourceExhaustedError, match="fill_bytes"):
            GraphDef.FromString(const_bytes(2**25, [1.0, 2.0]))  # 128 MiB to fill in

    def test_limits_are_checked_values(self):
        with pytest.raises(ValueError, match="non-negative int"):
            limits.set_size_limits(tensor_bytes=-1)
        with pytest.raises(TypeError, match="Unknown size limit"):
            limits.set_size_limits(tensors=1)

    def test_read_exact_refuses_a_length_the_file_does_not_hold(self):
        def read():
            with pytest.raises(DataLossError, match="claims 1099511627776 bytes, but only 10"):
                limits.read_exact(io.BytesIO(b"x" * 10), 2**40, "record 0")

        _, peak = peak_bytes(read)
        assert peak < 2**22

    @pytest.mark.parametrize(
        "name", ["tf/mlp_frozen.pb", "tf/convnet_frozen.pb", "tf_import/training.pb"]
    )
    def test_importing_a_fixture_takes_a_small_multiple_of_its_size(self, name):
        path = os.path.join(FIXTURES, name)
        size = os.path.getsize(path)
        load_graph(path)  # warm: the first import of an op family builds caches
        _, peak = peak_bytes(lambda: load_graph(path))
        assert peak < 40 * size + 2**20, f"{peak} bytes for a file of {size}"


# -- generated code -------------------------------------------------------------------------

HOSTILE = [
    '/job:x" if print("INJECTED") else "',
    "'); import os; os.system('echo INJECTED') #",
    "\\",
    '"""',
    "\n",
    "ﬁ",  # NFKC folds it to "fi"
]
text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=20))
# Op names TF accepts, with the punctuation it allows.
op_names = st.from_regex(r"\A[A-Za-z0-9.][A-Za-z0-9_.\->]{0,12}\Z")


def _calls_allowed(tree) -> bool:
    """Every call in the code is tf.*, np.*, graph.*, apply_op, float or complex, and no
    construct but names, literals, attributes and calls appears."""
    allowed = (
        ast.Module, ast.Import, ast.ImportFrom, ast.alias, ast.Assign, ast.With, ast.withitem,
        ast.Expr, ast.Call, ast.Attribute, ast.Name, ast.Load, ast.Store, ast.Constant,
        ast.List, ast.Tuple, ast.keyword, ast.Dict, ast.Subscript, ast.Pass, ast.UnaryOp,
        ast.USub,
    )  # fmt: skip
    for node in ast.walk(tree):
        if not isinstance(node, allowed):
            return False
        if isinstance(node, ast.Call):
            root = node.func
            while isinstance(root, ast.Attribute | ast.Call):
                root = root.value if isinstance(root, ast.Attribute) else root.func
            if not (
                isinstance(root, ast.Name)
                and root.id in {"tf", "np", "graph", "apply_op", "float", "complex", "a"}
            ):
                return False
    return True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=op_names,
    scope=op_names,
    device=text,
    value=st.one_of(text, st.binary(max_size=12)),
    key=text,
    private=text,
)
def test_exported_code_rebuilds_exactly_the_strings_and_runs_nothing_else(
    name, scope, device, value, key, private
):
    from workbench.builder_code import string_literal, to_code
    from workbench.builder_recipes import Recipe, build_graph

    device_spec = f"/job:{device}"
    recipes = [
        Recipe("tf.constant", attrs={"value": value}, name="a"),
        Recipe(
            "raw_ops.Identity",
            ("a:0",),
            attrs={"T": tf.string, f"_{key}": private},
            name=name,
            scope=scope,
            device=device_spec,
        ),
    ]
    try:
        graph = build_graph(recipes)
    except Exception:
        assume(False)  # names or devices TF itself refuses
    code = to_code(recipes, graph)
    tree = ast.parse(code)
    assert _calls_allowed(tree), code
    strings = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)}
    # The device as the recipe spells it ("/job:0/" is placed on "/job:0").
    expected = {value, "Identity", "a", name, scope + "/", device_spec}
    expected |= {f"_{key}", private}
    assert {s for s in strings if isinstance(s, str | bytes)} <= expected, code
    namespace: dict = {}
    exec(compile(code, "<exported>", "exec"), namespace)
    assert namespace["graph"].as_graph_def() == graph.as_graph_def()
    assert ast.literal_eval(string_literal(private)) == private


def test_hostile_device_from_a_file_is_a_literal_in_code(tmp_path, capsys):
    from workbench.builder import GraphBuilder

    g = tf.Graph()
    with g.as_default(), tf.device(HOSTILE[0]):
        tf.constant(1.0, name="c")
    path = tmp_path / "hostile.pb"
    path.write_bytes(g.as_graph_def().SerializeToString())
    code = GraphBuilder(load_graph(str(path))).to_code()
    namespace: dict = {}
    exec(compile(code, "<exported>", "exec"), namespace)
    assert "INJECTED" not in capsys.readouterr().out
    assert namespace["graph"].get_operation_by_name("c").device == HOSTILE[0]
    assert read_graph_def(str(path)).node[0].device == HOSTILE[0]
