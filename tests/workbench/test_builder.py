"""The graph builder: its model (every action and its error paths), its form, and the
round trip between widgets and code."""

import dataclasses
import html
import tracemalloc

import numpy as np
import pytest
from conftest import CPU0, CPU1, nodes_by_name
from hypothesis import given, settings
from hypothesis import strategies as st

import runtime as tf
import workbench
from runtime.graph_def import GraphDef, graph_def_of
from workbench import GraphBuilder, palette
from workbench.builder_code import to_code
from workbench.builder_fields import parse_literal, parse_shape
from workbench.builder_open import recipes_of
from workbench.builder_palette import BUILDERS, palette_entries
from workbench.builder_palette import palette as builder_palette


def graph_def_of_code(code: str):
    """Run exported code in a fresh namespace; the GraphDef of the graph it builds (the
    runtime's form, whose tensors compare by value)."""
    namespace: dict = {}
    exec(compile(code, "<exported>", "exec"), namespace)
    return graph_def_of(namespace["graph"])


def snapshot(builder):
    return graph_def_of(builder.graph), builder.recipes, builder.can_redo


@pytest.fixture
def product():
    """c = a * b from the constants 5.0 and 6.0."""
    builder = GraphBuilder()
    assert builder.add("tf.constant", value=5.0, name="a") == "a"
    assert builder.add("tf.constant", value=6.0, name="b") == "b"
    assert builder.add("tf.multiply", ["a:0", "b"], name="c") == "c"
    return builder


# -- the palette ------------------------------------------------------------------------


def test_palette_offers_the_public_builders_and_every_other_registered_op():
    entries = builder_palette()
    assert {f"tf.{path}" for path in BUILDERS} <= set(entries)
    assert {e.op_type for e in entries.values()} == {d.name for d in tf_registered()}
    shown = {e.key for e in palette_entries()}
    assert "tf.multiply" in shown and "raw_ops.Mul" not in shown  # a builder hides its raw op
    assert "raw_ops.AddN" in shown  # no builder in the table: the raw op shows
    families = {e.family for e in palette_entries()}
    assert {"array", "math", "nn", "state", "training", "control flow"} <= families  # op categories
    matmul = palette_entries("MATMUL")
    assert all("matmul" in f"{e.key} {e.op_type}".lower() for e in matmul)
    keys = {e.key for e in matmul}  # tf.matmul makes both MatMul and BatchMatMulV2
    assert "tf.matmul" in keys and not {"raw_ops.MatMul", "raw_ops.BatchMatMulV2"} & keys
    assert all(e.family == "nn" for e in palette_entries(family="nn"))


def test_every_registered_op_type_has_a_form_of_the_attrs_it_declares():
    from runtime.registry import get_op_def
    from workbench.builder_widgets import field_widget

    declared = {"type": "dtype", "bool": "bool", "string": "text", "shape": "shape"}
    for entry in builder_palette().values():
        op_def = get_op_def(entry.op_type)
        if entry.function is None:
            for field, attr in zip(entry.fields, op_def.signature.attrs.values(), strict=True):
                assert field.kind == declared.get(attr.kind, field.kind), (entry.key, attr)
    # One widget per distinct field (all but its name): each shows its default.
    fields = [f for e in builder_palette().values() for f in e.fields]
    distinct = {repr(dataclasses.replace(f, name="")): f for f in fields}
    for field in distinct.values():
        widget = field_widget(field)
        if field.kind == "dtype" and isinstance(field.default, tf.DType):
            assert widget.value is field.default
        if field.choices is not None:
            assert {d.name for _, d in widget.options} <= {*field.choices, widget.value.name}
        widget.close()


def test_string_attrs_named_like_types_and_restricted_dtypes_get_fitting_fields():
    builder = GraphBuilder()
    builder.choose("raw_ops.TFRecordReaderV2")  # compression_type is a string, not a dtype
    assert type(builder.fields["compression_type"]).__name__ == "Text"
    builder.fields["name"].value = "reader"
    assert builder.click_add() == "reader", builder.errors
    builder.choose("raw_ops.SparseTensorDenseMatMul")
    tindices = builder.fields["Tindices"]
    assert [label for label, _ in tindices.options] == ["int32", "int64"]
    assert tindices.value is tf.int64


def tf_registered():
    from runtime.registry import registered_ops

    return registered_ops()


@pytest.mark.parametrize("path", sorted(BUILDERS))
def test_each_builder_makes_one_op_of_its_type_and_maps_back_to_itself(path):
    key, op_type = f"tf.{path}", BUILDERS[path]
    builder = GraphBuilder()
    builder.add("tf.constant", value=[[1.0, 2.0], [3.0, 4.0]], name="m")
    builder.add("tf.constant", value=True, name="t")
    builder.add("tf.constant", value=[4], name="s")
    builder.add("tf.constant", value=[1.0, 2.0], name="v")
    inputs = {"logical_not": ["t"], "reshape": ["m", "s"], "nn.bias_add": ["m", "v"]}.get(
        path, ["m"] * len(builder_palette()[key].inputs)
    )
    attrs = {"constant": {"value": 1.0}, "compat.v1.placeholder": {"dtype": "float32"}}
    assert builder.add(key, inputs, name="op", **attrs.get(path, {})) == "op", builder.errors
    assert [op.type for op in builder.graph.get_operations()][4:] == [op_type]
    assert recipes_of(builder.graph)[-1].builder == key


def test_forms_have_typed_fields_with_the_defaults():
    builder = GraphBuilder()
    builder.choose("tf.matmul")
    fields = builder.fields
    assert list(fields) == [
        "a", "b", "transpose_a", "transpose_b", "adjoint_a", "adjoint_b", "a_is_sparse",
        "b_is_sparse", "output_type", "name", "scope", "device",
    ]  # fmt: skip
    assert type(fields["a"]).__name__ == "Dropdown" and fields["a"].value is None
    assert (
        type(fields["transpose_a"]).__name__ == "Checkbox" and fields["transpose_a"].value is False
    )
    assert fields["output_type"].value == "" and fields["output_type"].label == "(infer)"
    builder.choose("tf.compat.v1.placeholder")
    assert builder.fields["dtype"].value is tf.float32
    assert builder.fields["shape"].value == "None"
    builder.choose("tf.nn.leaky_relu")
    assert (
        type(builder.fields["alpha"]).__name__ == "FloatText"
        and builder.fields["alpha"].value == 0.2
    )
    builder.choose("raw_ops.AddN")
    assert type(builder.fields["inputs"]).__name__ == "SelectMultiple"
    assert builder.fields["T"].value is tf.float32 and type(builder.fields["N"]).__name__ == "Text"


def test_the_palette_list_filters_by_search_and_family_and_opens_a_form():
    builder = GraphBuilder()
    builder.search.value = "relu6"
    assert [value for _, value in builder.palette_list.options] == [
        "tf.nn.relu6",
        "raw_ops.Relu6Grad",
    ]
    builder.palette_list.value = "tf.nn.relu6"
    assert builder.entry.key == "tf.nn.relu6" and "features" in builder.fields
    builder.search.value = ""
    builder.family.value = "state"
    assert all(label.startswith("state: ") for label, _ in builder.palette_list.options)
    assert builder.palette_list.value is None  # relu6 is not a state op


# -- add --------------------------------------------------------------------------------


def test_add_makes_ops_with_their_names_scopes_devices_and_control_inputs(product):
    builder = product
    builder.add("tf.negative", ["c:0"], name="n", scope="layer", device="/cpu:1")
    builder.add("tf.no_op", name="init")
    builder.add("tf.identity", ["a:0"], name="layer/inner/i", control_inputs=["init"])
    graph = builder.graph
    n, i = graph.get_operation_by_name("layer/n"), graph.get_operation_by_name("layer/inner/i")
    assert (n.type, n.device, [t.name for t in n.inputs]) == ("Neg", "/device:CPU:1", ["c:0"])
    assert i.control_inputs == [graph.get_operation_by_name("init")]
    assert builder.recipes[-1].scope == "layer/inner" and builder.recipes[-1].name == "i"
    assert builder.message == "added layer/inner/i" and builder.errors == {}


def test_an_empty_name_gets_the_op_types_name_made_unique():
    builder = GraphBuilder()
    names = [builder.add("tf.constant", value=1.0) for _ in range(2)]
    names.append(builder.add("tf.square", ["Const"], scope="s"))
    names.append(builder.add("tf.square", ["Const_1"], scope="s"))
    assert names == ["Const", "Const_1", "s/Square", "s/Square_1"]


@pytest.mark.parametrize(
    ("call", "field", "message"),
    [
        (("tf.matmul", ["a:0", "b:0"]), "b", "Shape must be rank 2 but is rank 0"),
        (("tf.add", ["a:0", "i:0"]), "y", "type int32 that does not match type float32"),
        (("tf.constant",), "shape", "Expected Tensor's shape: (2, 2), but got (3,)"),
        (("tf.constant",), "dtype", "Expected float32, but got 'text'"),
        (("tf.constant",), "value", "Can't convert non-rectangular Python sequence"),
        (("tf.constant",), "name", "An op named 'a' exists already."),
        (("tf.constant",), "scope", "'_s' is not a valid node name"),
        (("tf.constant",), "device", "bogus"),
        (("tf.negative", ["nope:0"]), "x", "The operation, 'nope', does not exist"),
        (("tf.negative", [None]), "x", "Choose the tensor for input 'x'."),
        (("tf.constant",), "op", "tf.constant has no attr(s) ['colour']"),
        (("tf.nope",), "op", "No palette entry 'tf.nope'"),
    ],
    ids=lambda v: v if isinstance(v, str) and " " not in v else None,
)
def test_a_refused_add_leaves_the_graph_and_names_the_field(call, field, message):
    builder = GraphBuilder()
    builder.add("tf.constant", value=5.0, name="a")
    builder.add("tf.constant", value=6.0, name="b")
    builder.add("tf.constant", value=1, name="i")
    attrs = {
        "shape": {"value": [1, 2, 3], "shape": [2, 2], "name": "x"},
        "dtype": {"value": "text", "dtype": "float32", "name": "x"},
        "value": {"value": [[1.0], [1.0, 2.0]], "name": "x"},
        "name": {"value": 1.0, "name": "A"},  # names are unique regardless of case
        "scope": {"value": 1.0, "name": "x", "scope": "_s"},
        "device": {"value": 1.0, "name": "x", "device": "/bogus:0"},
        "op": {"value": 1.0, "colour": "red"},
    }.get(field if call[0] == "tf.constant" else None, {})
    before = snapshot(builder)
    assert builder.add(*call, **attrs) is None
    assert snapshot(builder) == before
    assert list(builder.errors) == [field]
    assert message in builder.errors[field]
    assert builder.message == builder.errors[field]


def test_the_form_shows_a_shape_error_next_to_its_field_and_keeps_the_graph(product):
    builder = product
    builder.choose("tf.matmul")
    builder.fields["a"].value = "a:0"
    builder.fields["b"].value = "c:0"
    builder.fields["name"].value = "d"
    before = snapshot(builder)
    builder.buttons["Add"].click()
    assert snapshot(builder) == before
    box = builder.error_boxes["b"]
    assert box.layout.display == "flex"
    assert 'data-field="b"' in box.value and "Shape must be rank 2 but is rank 0" in box.value
    assert "op created at" not in box.value  # the builder's own line says nothing
    assert builder.error_boxes["a"].layout.display == "none"
    builder.fields["transpose_a"].value = True  # still scalars: still refused, same field
    builder.buttons["Add"].click()
    assert list(builder.errors) == ["b"]


def test_the_form_parses_literals_and_shapes_and_blames_a_bad_literal():
    builder = GraphBuilder()
    builder.choose("tf.constant")
    builder.fields["value"].value = "[[1.0, 2.0]]"
    builder.fields["name"].value = "w"
    builder.buttons["Add"].click()
    assert builder.graph.get_tensor_by_name("w:0").shape == tf.TensorShape([1, 2])
    builder.fields["value"].value = "__import__('os').getcwd()"
    builder.fields["name"].value = "evil"
    builder.buttons["Add"].click()
    assert list(builder.errors) == ["value"] and "Not a Python literal" in builder.errors["value"]
    assert "evil" not in [op.name for op in builder.graph.get_operations()]
    builder.choose("tf.compat.v1.placeholder")
    builder.fields["shape"].value = "[None, 2]"
    builder.fields["name"].value = "x"
    builder.buttons["Add"].click()
    assert builder.graph.get_tensor_by_name("x:0").shape.as_list() == [None, 2]
    builder.fields["shape"].value = "[None, -2]"
    builder.fields["name"].value = "y"
    builder.buttons["Add"].click()
    assert list(builder.errors) == ["shape"] and "like [None, 3]" in builder.errors["shape"]
    builder.choose("tf.constant")
    builder.buttons["Add"].click()
    assert builder.errors == {"value": "value is required."}


def test_input_choices_follow_the_graph(product):
    builder = product
    builder.choose("tf.negative")
    labels = [label for label, _ in builder.fields["x"].options]
    assert labels == ["a:0 float32 ()", "b:0 float32 ()", "c:0 float32 ()"]
    builder.fields["x"].value = "c:0"
    builder.buttons["Add"].click()
    assert builder.fields["x"].value == "c:0"  # kept for the next op
    assert [value for _, value in builder.fields["x"].options][-1] == "Neg:0"


# -- rename, delete, undo, redo ---------------------------------------------------------


def test_rename_moves_the_op_and_its_consumers_follow(product):
    builder = product
    builder.add("tf.no_op", name="n", control_inputs=["a"])
    assert builder.rename("a", "inputs/first")
    graph = builder.graph
    c, n = graph.get_operation_by_name("c"), graph.get_operation_by_name("n")
    assert [t.name for t in c.inputs] == ["inputs/first:0", "b:0"]
    assert [op.name for op in n.control_inputs] == ["inputs/first"]
    assert builder.selected == "inputs/first"
    assert builder.run(["c:0"]) == {"c:0": 30.0}


def test_rename_through_the_node_list(product):
    builder = product
    builder.node_list.value = "b"
    builder.rename_text.value = "B2"
    builder.buttons["Rename"].click()
    assert [op.name for op in builder.graph.get_operations()] == ["a", "B2", "c"]
    assert builder.rename_text.value == "" and builder.node_list.value == "B2"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("a", "B", "An op named 'b' exists already."),
        ("a", "bad name", "'bad name' is not a valid node name"),
        ("zz", "y", "No op named 'zz'."),
    ],
)
def test_a_refused_rename_changes_nothing(product, old, new, message):
    before = snapshot(product)
    assert not product.rename(old, new)
    assert snapshot(product) == before
    assert product.errors == {"rename": message}
    assert html.escape(message) in product.error_boxes["rename"].value


def test_delete_asks_first_then_removes_the_op_and_its_dependents(product):
    builder = product
    builder.add("tf.negative", ["c:0"], name="n")
    builder.add("tf.no_op", name="after", control_inputs=["n"])
    builder.add("tf.negative", ["a:0"], name="m")
    before = snapshot(builder)
    builder.buttons["Delete"].click()
    assert builder.errors == {"delete": "Select an op to delete."}
    builder.node_list.value = "b"
    builder.buttons["Delete"].click()
    assert builder.pending_delete == ["b", "c", "n", "after"]
    assert snapshot(builder) == before  # nothing happens before the confirmation
    assert builder.delete_box.layout.display == "flex"
    assert "Delete b and its dependents c, n, after?" in builder.confirm_text.value
    builder.buttons["Cancel"].click()
    assert snapshot(builder) == before and builder.delete_box.layout.display == "none"
    builder.request_delete("b")
    builder.buttons["Confirm delete"].click()
    assert [op.name for op in builder.graph.get_operations()] == ["a", "m"]
    assert builder.message == "deleted b, c, n, after"
    builder.undo()
    assert graph_def_of(builder.graph) == before[0]
    assert builder.request_delete("zz") == [] and builder.errors == {"delete": "No op named 'zz'."}


def test_undo_and_redo_walk_the_history(product):
    builder = product
    graph_defs = [graph_def_of(builder.graph)]
    builder.add("tf.negative", ["c:0"], name="n")
    graph_defs.append(graph_def_of(builder.graph))
    builder.buttons["Undo"].click()
    builder.buttons["Undo"].click()
    assert [op.name for op in builder.graph.get_operations()] == ["a", "b"]
    assert not builder.buttons["Redo"].disabled
    builder.buttons["Redo"].click()
    assert graph_def_of(builder.graph) == graph_defs[0]
    builder.redo()
    assert graph_def_of(builder.graph) == graph_defs[1]
    builder.redo()
    assert builder.errors == {"redo": "Nothing to redo."}
    builder.undo()
    builder.add("tf.square", ["c:0"], name="sq")  # a new branch drops the redo history
    assert not builder.can_redo and builder.buttons["Redo"].disabled
    for _ in range(4):
        builder.undo()
    assert builder.recipes == () and builder.buttons["Undo"].disabled
    builder.undo()
    assert builder.errors == {"undo": "Nothing to undo."}


# -- run --------------------------------------------------------------------------------


def test_run_feeds_placeholders_from_text_and_shows_the_results():
    builder = GraphBuilder()
    builder.add("tf.compat.v1.placeholder", dtype="float32", shape=[None, 2], name="x")
    builder.add("tf.constant", value=[[1.0], [2.0]], name="w")
    builder.add("tf.matmul", ["x", "w"], name="y")
    assert [w.description for w in builder.feeds.children] == ["x:0"]
    builder.feeds.children[0].value = "[[1.0, 1.0], [3.0, 4.0]]"
    builder.fetch_list.value = ("y:0",)
    builder.buttons["Run"].click()
    np.testing.assert_array_equal(builder.results["y:0"], [[3.0], [11.0]])
    assert '<pre data-tensor="y:0">y:0 = [[ 3.]\n [11.]]</pre>' in builder.results_box.value
    builder.add("tf.negative", ["y"], name="z")
    assert builder.results == {} and builder.results_box.value == ""  # a new graph


@pytest.mark.parametrize(
    ("fetches", "feeds", "field", "message"),
    [
        ([], {}, "fetches", "Choose what to fetch."),
        (
            ["y:0"],
            {},
            "run",
            "InvalidArgumentError: Placeholder 'x' on /job:localhost/replica:0/task:0/device:CPU:0: You must feed a value for placeholder tensor 'x' with dtype float and shape [?,2]",
        ),
        (["y:0"], {"x:0": "[[1.0, oops]]"}, "feed:x:0", "x:0: Not a Python literal"),
        (["y:0"], {"x:0": "[[1.0, 2.0, 3.0]]"}, "run", "ValueError: Cannot feed value of shape"),
    ],
)
def test_run_errors_show_in_the_run_panel(fetches, feeds, field, message):
    builder = GraphBuilder()
    builder.add("tf.compat.v1.placeholder", dtype=tf.float32, shape=[None, 2], name="x")
    builder.add("tf.nn.relu", ["x"], name="y")
    before = snapshot(builder)
    assert builder.run(fetches, feeds) is None
    assert list(builder.errors) == [field] and message in builder.errors[field]
    assert html.escape(message) in builder.error_boxes["run"].value
    assert snapshot(builder) == before


def test_a_closed_builder_closes_its_widgets_and_session_and_its_model_still_answers(product):
    assert product.run(["c:0"]) == {"c:0": 30.0}
    session, form = product.session, product.form.children
    product.close()
    assert product.closed and product.picture.comm is None
    assert product.buttons["Run"].style.comm is None and form[0].layout.comm is None
    with pytest.raises(RuntimeError, match="closed Session"):
        session.run("c:0")
    assert product.add("tf.negative", ["c"], name="n") == "n"
    assert product.run(["n:0"]) == {"n:0": -30.0}  # on a new session
    product.choose("tf.matmul")
    assert product.entry.key == "tf.matmul" and product.form.children == form  # no new widgets


# -- the picture and the node list ------------------------------------------------------


def test_the_picture_is_coloured_by_placement_and_the_node_list_shows_devices(product):
    builder = product
    builder.add("tf.negative", ["c:0"], name="n", device="/cpu:1")
    payload = builder.picture.payload
    colors = payload["colors"]["device"]
    fills = {name: colors[n.device] for name, n in nodes_by_name(payload).items()}
    assert payload["color_by"] == "device"
    assert fills["n"] == palette.device_color(CPU1)
    assert fills["a"] == fills["c"] == palette.device_color(CPU0)
    assert builder.node_list.options[-1] == ("n (Neg) /device:CPU:1", "n")
    builder.undo()
    builder.undo()
    builder.undo()
    builder.undo()
    assert builder.picture.payload["nodes"] == {"name": [], "op": []}
    assert builder.picture.payload["name"] == "The graph is empty: add an op."


# -- code, both ways --------------------------------------------------------------------


def test_to_code_writes_builder_calls_that_rebuild_the_graph(product):
    builder = product
    builder.add("tf.compat.v1.placeholder", dtype=tf.int32, shape=[None, 3], name="x")
    builder.add("tf.negative", ["c:0"], name="n", scope="layer", device="/cpu:1")
    builder.add("raw_ops.AddN", [["a:0", "b:0"]], name="s", N=2, T=tf.float32)
    code = builder.to_code()
    assert code.splitlines()[:2] == [
        "import runtime as tf",
        "from runtime.ops.core import apply_op",
    ]
    assert '    a = tf.constant(5.0, name="a")' in code
    assert '    c = tf.multiply(a, b, name="c")' in code
    assert '    x = tf.compat.v1.placeholder(tf.int32, shape=[None, 3], name="x")' in code
    assert '    with tf.name_scope("layer/"), tf.device("/device:CPU:1"):' in code
    assert '        layer_n = tf.negative(c, name="n")' in code
    assert '    s = apply_op("AddN", [[a, b]], N=2, T=tf.float32, name="s")' in code
    assert graph_def_of_code(code) == graph_def_of(builder.graph)
    assert builder.to_code() in builder.code.value.replace("&quot;", '"')


def code_built_graph():
    """A graph as people write it: operators, Python operands, variables, lists, splits,
    control dependencies, scopes and devices, odd constants."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
        w = tf.Variable(tf.ones([3, 2]), name="w")
        with tf.name_scope("layer"), tf.device("/cpu:1"):
            h = tf.nn.relu(tf.matmul(x, w) + 1.0)
            y = tf.nn.softmax(h)
        s = tf.add_n([h, h, y], name="s")
        z = tf.concat(tf.split(s, 2, axis=1), axis=1)
        init = tf.compat.v1.global_variables_initializer()
        with tf.control_dependencies([init]):
            tf.identity(z, name="out")
        tf.constant([[1, 2], [3, 4]], dtype=tf.int64)
        tf.constant([0.1, float("nan"), -float("inf")], name="odd")
        tf.constant([], shape=[0, 3])
        tf.constant(["a", "b"])
        _ = -x * 2.0
        tf.constant(1.5, dtype=tf.float16, name="if")  # a keyword as a name
    return graph


def test_opening_a_code_built_graph_and_exporting_it_round_trips():
    graph = code_built_graph()
    builder = GraphBuilder(graph)
    assert builder.graph is not graph
    assert graph_def_of(builder.graph) == graph_def_of(graph)
    by_name = {r.full_name: r.builder for r in builder.recipes}
    assert by_name["layer/MatMul"] == "tf.matmul" and by_name["layer/add/y"] == "tf.constant"
    assert by_name["w/read"] == "raw_ops.Identity"  # colocated: no builder makes that
    assert by_name["s"] == "raw_ops.AddN" and by_name["split"] == "raw_ops.Split"
    code = builder.to_code()
    assert graph_def_of_code(code) == graph_def_of(graph)
    assert '    odd = tf.constant([0.1, float("nan"), float("-inf")], name="odd")' in code
    assert '    op_if = tf.constant(1.5, dtype=tf.float16, name="if")' in code
    again = GraphBuilder(builder.graph).to_code()
    assert again == code
    builder.add("tf.identity", ["split:1"], name="second")
    assert "split.outputs[1]" in builder.to_code()
    assert graph_def_of_code(builder.to_code()) == graph_def_of(builder.graph)


def test_an_opened_graph_runs_in_the_builder():
    builder = GraphBuilder(code_built_graph())
    assert builder.run(["init"]) == {"init": None}
    result = builder.run(["out:0"], {"x:0": "[[1.0, 2.0, 3.0]]"})
    assert result["out:0"].shape == (1, 2)


def test_graphs_the_builder_cannot_edit_are_refused_with_the_reason():
    graph_def = GraphDef.from_dict(
        {"node": [{"name": "m", "op": "MysteryOp", "attr": {"T": {"type": "float32"}}}]}
    )
    with tf.Graph().as_default() as unknown:
        tf.compat.v1.import_graph_def(graph_def, name="")
    with pytest.raises(ValueError, match="type MysteryOp, which this runtime does not know"):
        recipes_of(unknown)


def untrusted_graph(tmp_path, elements: int, values=(1.0,)):
    """The graph of a file holding one Const that claims ``elements`` float32s."""
    from tests.runtime.test_untrusted import const_bytes

    path = tmp_path / "claim.pb"
    path.write_bytes(const_bytes(elements, values))
    return workbench.load_graph(str(path))


def peak_bytes(function):
    tracemalloc.start()
    try:
        return function(), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_file_claiming_2_27_floats_is_refused_by_the_builder_at_no_cost(tmp_path):
    graph = untrusted_graph(tmp_path, 2**27)  # 55 bytes: one value, repeated

    def open_in_builder():
        with pytest.raises(tf.errors.ResourceExhaustedError) as info:
            GraphBuilder(graph)
        return str(info.value)

    message, peak = peak_bytes(open_in_builder)
    assert peak < 2**20
    assert "attr 'value' of node 'c'" in message and "536870908 bytes" in message
    assert "runtime.limits.size_limits(fill_bytes=" in message


def test_a_big_constant_of_one_value_stays_an_array_and_is_written_as_np_full(tmp_path):
    graph = untrusted_graph(tmp_path, 2**20, [3.0])
    builder, peak = peak_bytes(lambda: GraphBuilder(graph))
    assert peak < 6 * 4 * 2**20  # a few copies of the 4 MiB tensor, not 2^20 Python floats
    [recipe] = builder.recipes
    assert isinstance(recipe.attrs["value"], np.ndarray)
    code = builder.to_code()
    assert "np.full((1048576,), 3.0, dtype=np.float32)" in code and len(code) < 300
    assert graph_def_of_code(code) == graph_def_of(graph)
    assert builder.run(["c:0"])["c:0"].sum() == 3.0 * 2**20


def test_a_big_constant_of_many_values_is_edited_and_run_but_not_written_as_code(tmp_path):
    graph = untrusted_graph(tmp_path, 2**14, [1.0, 2.0])  # TF's rule fills with the last
    builder = GraphBuilder(graph)
    with pytest.raises(ValueError, match=r"attr 'value' of op 'c': 16384 values .* too many"):
        builder.to_code()
    assert "No code: attr &#x27;value&#x27; of op &#x27;c&#x27;" in builder.code.value
    assert builder.add("tf.negative", ["c:0"], name="n") == "n"
    assert builder.run(["n:0"])["n:0"][:3].tolist() == [-1.0, -2.0, -2.0]


def test_a_tf1_cond_is_plain_ops_the_builder_opens_and_runs():
    with tf.Graph().as_default() as graph:
        p = tf.compat.v1.placeholder(tf.bool, name="p")
        out = tf.cond(p, lambda: tf.constant(1.0), lambda: tf.constant(2.0))
    builder = GraphBuilder(graph)
    assert builder.run([out.name], {"p:0": "False"}) == {out.name: 2.0}


def test_empty_builder_exports_a_graph_with_nothing_in_it():
    code = GraphBuilder().to_code()
    assert code.endswith("with graph.as_default():\n    pass")
    assert graph_def_of_code(code).node == []


def test_literals_and_shapes_are_parsed_without_evaluating_code():
    assert parse_literal(" [1, None, 'x'] ") == [1, None, "x"]
    for text in ["open('f')", "1 +", "", "np.ones(3)"]:
        with pytest.raises(ValueError, match="Not a Python literal"):
            parse_literal(text)
    assert parse_shape("(2, None)") == tf.TensorShape([2, None]) and parse_shape("None") is None
    with pytest.raises(ValueError, match="A shape is a list of sizes"):
        parse_shape("[2.5]")


def test_to_code_needs_no_graph_argument():
    builder = GraphBuilder(code_built_graph())
    assert to_code(builder.recipes) == builder.to_code()


# -- random graphs ----------------------------------------------------------------------

NAMES = ["", "", "", "a", "b", "h1", "A", "out", "s"]  # "" names by op type
SCOPES = ["", "s", "s/t"]
DEVICES = ["", "/cpu:0", "/device:CPU:1"]
SHAPES = {"scalar": [], "vector": [2], "matrix": [2, 2]}


def values(shape: list, draw) -> object:
    if not shape:
        return draw(st.floats(-4, 4, allow_nan=False, width=32))
    return [values(shape[1:], draw) for _ in range(shape[0])]


@st.composite
def actions(draw):
    """A random action over the builder's current graph: adds of the eight op kinds,
    with names, scopes and devices, and now and then rename, delete, undo or redo."""
    kind = draw(
        st.sampled_from(
            ["constant"] * 6
            + ["placeholder", "negative", "identity", "relu"] * 2
            + ["add", "multiply", "matmul"] * 3
            + ["rename", "delete", "undo", "redo"]
        )
    )
    where = {
        "name": draw(st.sampled_from(NAMES)),
        "scope": draw(st.sampled_from(SCOPES)),
        "device": draw(st.sampled_from(DEVICES)),
    }
    if kind == "constant":
        shape = SHAPES[draw(st.sampled_from(sorted(SHAPES)))]
        return ("tf.constant", where | {"value": values(shape, draw)})
    if kind == "placeholder":
        shape = draw(st.sampled_from([None, [None, 2], [2, 2], []]))
        return ("tf.compat.v1.placeholder", where | {"dtype": tf.float32, "shape": shape})
    picks = draw(st.lists(st.integers(0, 50), min_size=2, max_size=2))
    return (kind, where, picks)


def apply_action(builder, action) -> None:
    before = snapshot(builder)
    if len(action) == 2:
        key, kwargs = action
        done = builder.add(key, **kwargs) is not None
    else:
        kind, where, picks = action
        ops = [r.full_name for r in builder.recipes]
        tensors = [t.name for op in builder.graph.get_operations() for t in op.outputs]
        if kind in ("undo", "redo"):
            getattr(builder, kind)()
            return
        if kind in ("rename", "delete"):
            if not ops:
                return
            target = ops[picks[0] % len(ops)]
            if kind == "rename":
                done = builder.rename(target, "/".join(filter(None, [where["scope"], "r"])))
            else:
                builder.request_delete(target)
                builder.confirm_delete()
                done = True
            assert done or snapshot(builder) == before
            return
        if not tensors:
            return
        inputs = [tensors[p % len(tensors)] for p in picks]
        key = {"relu": "tf.nn.relu"}.get(kind, f"tf.{kind}")
        arity = 2 if kind in ("add", "multiply", "matmul") else 1
        done = builder.add(key, inputs[:arity], **where) is not None
    if not done:  # refused (a clash of shapes or names): nothing changed
        assert snapshot(builder) == before
        assert builder.errors


@settings(deadline=None, max_examples=25)
@given(st.lists(actions(), min_size=2, max_size=12))
def test_random_builder_graphs_round_trip_through_code(steps):
    builder = GraphBuilder()
    for action in steps:
        apply_action(builder, action)
    code = builder.to_code()
    graph_def = graph_def_of(builder.graph)
    assert graph_def_of_code(code) == graph_def
    namespace: dict = {}
    exec(code, namespace)
    reopened = GraphBuilder(namespace["graph"])
    assert all(r.builder.startswith("tf.") for r in reopened.recipes)
    assert graph_def_of_code(reopened.to_code()) == graph_def


def test_selecting_an_unknown_op_selects_nothing_and_says_so():
    builder = GraphBuilder()
    builder.add("tf.constant", value=1.0, name="a")
    builder.select("no_such_op")
    assert builder.selected is None
    assert "no_such_op" in builder.message
    builder.select("a")
    assert builder.selected == "a"
