"""The binder: typed OpDefs checked as TF checks them, with TF's errors and messages.

The cases and TF's answers come from ``tests/fixtures/tf_ops/binding_errors.json``
(recorded from TF 2.21 by ``generate_binding.py``). Builder cases run on OpDefs made
from TF's own signatures (``op_defs.json``), so they test the binder whatever the
runtime's op modules declare; import and ``Graph.create_op`` cases use registered ops.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

import runtime as tf
from runtime import op_binding
from runtime.graph_def import GraphDef
from runtime.op_binding import bind_inputs, bind_node, bind_tensors, output_dtypes
from runtime.ops.core import apply_op
from runtime.registry import OpDef, TensorSpec, get_op_def
from runtime.shapes import TensorShape

FIXTURES = Path(__file__).parent.parent / "fixtures" / "tf_ops"
CASES = json.loads((FIXTURES / "binding_errors.json").read_text())
TF_OPS = json.loads((FIXTURES / "op_defs.json").read_text())["ops"]


def tf_op_def(op_type: str) -> OpDef:
    """An OpDef with TF's signature for ``op_type`` and a shape function giving the
    declared output types (unknown shapes)."""
    entry = TF_OPS[op_type]

    def shape_fn(*specs, **attrs):
        return [TensorSpec(dtype, TensorShape(None)) for dtype in output_dtypes(op_def, attrs)]

    op_def = OpDef(
        op_type,
        tuple(entry["inputs"]),
        tuple(entry["outputs"]),
        tuple(entry["attrs"]),
        shape_fn=shape_fn,
        is_stateful=entry["is_stateful"],
    )
    return op_def


def make_input(spec):
    if spec == [] or isinstance(spec[0], list):
        return [make_input(item) for item in spec]
    kind, value = spec
    if kind == "tensor":
        return tf.constant("s") if value == "string" else tf.zeros([], dtype=value)
    if kind == "variable":
        return tf.compat.v1.Variable(tf.zeros([], dtype=value))._ref()
    return value


def attr_value(value):
    return tf.as_dtype(value["dtype"]) if isinstance(value, dict) else value


def lead(message: str) -> str:
    """A NodeDef message up to TF's OpDef summary (TF's lists attrs the runtime omits,
    such as ``is_commutative``)."""
    return re.split(r"\n\t|; Op<| from Op<| using Op<", message)[0]


@pytest.mark.parametrize("case", sorted(CASES["build"]))
def test_builders_bind_as_tf(case, graph):
    recorded = CASES["build"][case]
    op_def = tf_op_def(recorded["op"])
    inputs = [make_input(recorded["inputs"][name]) for name in op_def.input_names]
    attrs = {key: attr_value(value) for key, value in recorded["attrs"].items()}
    if "error" in recorded:
        with pytest.raises(Exception) as raised:
            apply_op(op_def, inputs, recorded["op"], **attrs)
        assert type(raised.value).__name__ == recorded["error"]
        assert str(raised.value) == recorded["message"]
    else:
        op = apply_op(op_def, inputs, recorded["op"], **attrs)
        assert [t.dtype.name for t in op.outputs] == recorded["dtypes"]


@pytest.mark.parametrize("case", sorted(CASES["import"]))
def test_import_graph_def_checks_nodes_as_tf(case, graph):
    recorded = CASES["import"][case]
    graph_def = GraphDef.from_text(recorded["graph_def"])
    with pytest.raises(ValueError) as raised:
        tf.compat.v1.import_graph_def(graph_def, name="")
    assert lead(str(raised.value)) == lead(recorded["message"])
    node = re.search(r"\{\{node (\w+)\}\}", recorded["message"])
    if node:  # the node is named where TF names it
        assert f"{{{{node {node.group(1)}}}}}" in str(raised.value)


@pytest.mark.parametrize("case", sorted(CASES["create_op"]))
def test_graph_create_op_as_tf(case, graph):
    recorded = CASES["create_op"][case]
    inputs = [make_input(spec) for spec in recorded["inputs"]]
    attrs = {key: attr_value(value) for key, value in recorded["attrs"].items()}
    if "error" in recorded:
        with pytest.raises(Exception) as raised:
            graph.create_op(recorded["op"], inputs, attrs=attrs)
        assert type(raised.value).__name__ == recorded["error"]
        assert lead(str(raised.value)) == lead(recorded["message"])
    else:
        op = graph.create_op(recorded["op"], inputs, attrs=attrs)
        assert [t.dtype.name for t in op.outputs] == recorded["dtypes"]


def test_create_op_takes_attr_values_names_and_runs(graph, sess):
    from runtime.graph_def import attr_value as to_attr

    x = tf.constant([12, 10], name="x")
    op = graph.create_op("BitwiseAnd", [x, x], name="both", attrs={"T": to_attr(tf.int32)})
    again = graph.create_op("BitwiseAnd", [x, op.outputs[0]], name="both")
    assert (op.name, again.name) == ("both", "both_1")
    np.testing.assert_array_equal(sess.run(again.outputs[0]), [12, 10])
    with pytest.raises(RuntimeError, match="Op type not registered 'BitwiseAndd'"):
        graph.create_op("BitwiseAndd", [x, x])
    with pytest.raises(ValueError, match="AttrValue had value with type 'int' when 'type'"):
        graph.create_op("BitwiseAnd", [x, x], attrs={"T": to_attr(3)})


def test_bind_node_needs_type_attrs_unless_it_may_infer(graph):
    x = tf.constant(1)
    op_def = get_op_def("BitwiseAnd")
    with pytest.raises(ValueError, match=r"NodeDef missing attr 'T' from Op<name=BitwiseAnd"):
        bind_node(op_def, "n", [x, x], {})
    assert bind_node(op_def, "n", [x, x], {}, infer=True) == {"T": tf.int32}


def test_node_attr_constraints_in_tf_words(graph):
    x = tf.constant(1.0)
    unpack, conv = tf_op_def("Unpack"), tf_op_def("Conv2D")
    with pytest.raises(
        ValueError, match=r"^Value for attr 'num' of -1 must be at least minimum 0\n"
    ):
        bind_node(unpack, "u", [x], {"T": tf.float32, "num": -1})
    with pytest.raises(
        ValueError,
        match=r"""^Value for attr 'padding' of "FOO" is not in the list of allowed values: "SAME", "VALID", "EXPLICIT"\n\t; NodeDef: \{\{node c\}\}""",
    ):
        bind_node(conv, "c", [x, x], {"T": tf.float32, "strides": [1] * 4, "padding": "FOO"})


def test_fast_path_takes_flat_lists_and_given_type_attrs(graph):
    addn, concat = tf_op_def("AddN"), tf_op_def("ConcatV2")
    x, axis = tf.constant(1.0), tf.constant(0)
    assert bind_tensors(addn, [x, x, x], {}) == {"N": 3, "T": tf.float32}
    assert bind_tensors(concat, [x, x, axis], {"T": tf.float32}) == {
        "N": 2,
        "T": tf.float32,
        "Tidx": tf.int32,
    }
    with pytest.raises(ValueError, match=r"Inconsistent values for attr 'T' DT_FLOAT vs. DT_INT32"):
        bind_tensors(addn, [x, x], {"T": tf.int32}, "sum")


def test_sqrt_of_int32_is_refused_even_when_T_is_given(graph):
    sqrt = tf_op_def("Sqrt")
    with pytest.raises(TypeError, match="parameter 'x' has DataType int32 not in list"):
        apply_op(sqrt, [tf.constant([4])], "Sqrt", T=tf.float32)


def test_python_values_convert_with_the_bound_type(graph):
    tensors, attrs = bind_inputs(
        tf_op_def("AddV2"),
        [tf.constant(1.0, tf.float64), 2],
        {},
        lambda value, dtype, preferred, allowed, name: tf.constant(value, dtype, name=name),
    )
    assert [t.dtype for t in tensors] == [tf.float64, tf.float64] and attrs == {"T": tf.float64}


def test_output_check_catches_a_shape_function_that_disagrees(graph, monkeypatch):
    wrong = OpDef(
        "Wrong",
        ("x: T",),
        ("y: T",),
        ("T: type",),
        shape_fn=lambda x, T: [TensorSpec(tf.int64, x.shape)],
    )
    monkeypatch.setattr(op_binding, "CHECK_OUTPUTS", True)
    with pytest.raises(
        TypeError,
        match=r"The shape function of Wrong \('Wrong'\) gave output dtypes \[int64\] where "
        r"its OpDef declares \[float32\]",
    ):
        apply_op(wrong, [tf.constant(1.0)], "Wrong")
