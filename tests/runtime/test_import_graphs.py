"""GraphDefs people have open and run: TF-written files with control flow, functions and
training ops, the runtime's own files re-imported, and where imported ops came from.

The TF files and TF's outputs are fixtures written by
``tests/fixtures/tf_import/generate.py`` with real TensorFlow.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

import runtime as tf
from runtime.errors import InvalidArgumentError, creation_note
from runtime.graph_def import AttrValue, FunctionDef, GraphDef, NodeDef, graph_def_of
from runtime.graph_io import load_graph, read_graph_def, write_graph
from runtime.importer import import_graph_def

tf1 = tf.compat.v1
HERE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tf_import")
EXPECTED = np.load(os.path.join(HERE, "expected.npz"))


def fixture(name: str) -> str:
    return os.path.join(HERE, name)


def run(graph, fetches, feeds=None, init=None):
    with graph.as_default(), tf1.Session() as sess:
        if init:
            sess.run(init)
        return sess.run(fetches, feeds)


class TestFunctionalControlFlow:
    """TF 2.x's If/While/PartitionedCall with the library of FunctionDefs."""

    def test_stateless_while_if_and_partitioned_call_run_to_tf_outputs(self):
        graph = load_graph(fixture("functional.pb"))
        types = {op.type for op in graph.get_operations()}
        assert {"StatelessWhile", "PartitionedCall"} <= types
        output = str(EXPECTED["functional_output"])
        for n in (0, 1, 4):
            feeds = {"x:0": EXPECTED["functional_x"], "n:0": n}
            np.testing.assert_allclose(
                run(graph, output, feeds), EXPECTED[f"functional_n{n}"], rtol=1e-5
            )

    def test_bodies_become_function_graphs(self):
        graph = load_graph(fixture("functional.pb"))
        loop = next(op for op in graph.get_operations() if op.type == "StatelessWhile")
        body = loop.get_attr("body")
        assert "StatelessIf" in {op.type for op in body.get_operations()}
        assert [t.dtype for t in body.inputs] == [t.dtype for t in body.outputs]

    def test_graph_mode_if_assigns_a_resource_variable_in_its_branch(self):
        graph = load_graph(fixture("functional_v1.pbtxt"))
        init = str(EXPECTED["functional_v1_init"])
        with graph.as_default(), tf1.Session() as sess:
            sess.run(init)
            for name in ("pos", "neg"):
                got = sess.run("result:0", {"x:0": EXPECTED[f"functional_v1_{name}_x"]})
                np.testing.assert_allclose(got, EXPECTED[f"functional_v1_{name}"], rtol=1e-5)
            counter = graph.get_tensor_by_name("counter/Read/ReadVariableOp:0")
            assert sess.run(counter) == EXPECTED["functional_v1_counter"]

    def test_own_cond_and_loop_round_trip_through_wire_and_text(self):
        g = tf.Graph()
        with g.as_default():
            x = tf1.placeholder(tf.float32, [3], name="x")
            v = tf.Variable(1.0, name="v")
            y = tf.cond(tf.reduce_sum(x) > 0, lambda: x * 2.0 + v, lambda: x - 1.0)
            _, z = tf.while_loop(lambda i, z: i < 3, lambda i, z: (i + 1, z * 2.0), [0, y])
            tf.identity(z, name="out")
            init = tf1.global_variables_initializer().name
        graph_def = graph_def_of(g)
        wire = GraphDef.FromString(graph_def.SerializeToString())
        text = GraphDef.from_text(str(wire))
        assert wire == graph_def and text == graph_def
        feeds = {"x:0": np.array([1.0, -2.0, 3.0], np.float32)}
        expected = run(g, "out:0", feeds, init)
        for copy in (wire, text):
            with tf.Graph().as_default() as imported:
                import_graph_def(copy, name="")
            np.testing.assert_array_equal(run(imported, "out:0", feeds, init), expected)


class TestLoopsV1:
    """TF1 dataflow loops: the one cycle a GraphDef may hold goes through NextIteration."""

    def test_lowered_loop_imports_with_its_back_edges(self):
        graph = load_graph(fixture("lowered.pb"))
        graph_def = read_graph_def(fixture("lowered.pb"))
        assert len(graph.get_operations()) == len(graph_def.node)
        for node in graph_def.node:  # every edge as the file has it, back edges too
            op = graph.get_operation_by_name(node.name)
            inputs = [t.op.name if t.value_index == 0 else t.name for t in op.inputs]
            inputs += [f"^{c.name}" for c in op.control_inputs]
            assert inputs == [name.removesuffix(":0") for name in node.input], node.name
        merges = [op for op in graph.get_operations() if op.type == "Merge"]
        assert any(t.op.type == "NextIteration" for m in merges for t in m.inputs)

    def test_lowered_loop_runs_to_tf_outputs(self):
        graph = load_graph(fixture("lowered.pb"))
        output = str(EXPECTED["lowered_output"])
        for n in (0, 1, 4):
            feeds = {"x:0": EXPECTED["functional_x"], "n:0": n}
            np.testing.assert_allclose(
                run(graph, output, feeds), EXPECTED[f"functional_n{n}"], rtol=1e-5
            )

    def test_other_cycles_are_refused_naming_a_node(self):
        nodes = [
            NodeDef("a", "Identity", ["b"], attr={"T": AttrValue("type", tf.float32)}),
            NodeDef("b", "Identity", ["a"], attr={"T": AttrValue("type", tf.float32)}),
        ]
        with tf.Graph().as_default(), pytest.raises(ValueError, match=r"cycle through node '[ab]'"):
            import_graph_def(GraphDef(nodes))


class TestFilesThatDidNotOpen:
    """Issue 18: a TF-written training graph (ShapeN) and the runtime's own CNN with Adam."""

    def test_tf_training_graph_opens_with_int32_shapes_from_shape_n(self):
        graph = load_graph(fixture("training.pb"))
        shape_n = next(op for op in graph.get_operations() if op.type == "ShapeN")
        assert [t.dtype for t in shape_n.outputs] == [tf.int32, tf.int32]
        feeds = {
            "images:0": EXPECTED["training_images"],
            "labels:0": EXPECTED["training_labels"],
        }
        with graph.as_default(), tf1.Session() as sess:
            sess.run("init")
            losses = [sess.run(["loss:0", "train"], feeds)[0] for _ in range(3)]
        # Adam's steps run as TF wrote them (ResourceApplyAdam): TF's losses, step by step.
        np.testing.assert_allclose(losses, EXPECTED["training_losses"], rtol=1e-5)

    @pytest.mark.parametrize("name", ["cnn.pb", "cnn.pbtxt"])
    def test_own_cnn_with_adam_reimported_trains_as_the_original(self, tmp_path, name):
        g = tf.Graph()
        with g.as_default():
            tf1.set_random_seed(3)
            x = tf1.placeholder(tf.float32, [None, 6, 6, 1], name="x")
            y = tf1.placeholder(tf.int64, [None], name="y")
            kernel = tf1.get_variable("k", [3, 3, 1, 2])
            hidden = tf.nn.relu(tf.nn.conv2d(x, kernel, [1, 1, 1, 1], "SAME"))
            dense = tf1.get_variable("w", [72, 3])
            logits = tf.matmul(tf.reshape(hidden, [-1, 72]), dense)
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits),
                name="loss",
            )
            tf1.train.AdamOptimizer(0.1).minimize(loss, name="train")
            tf1.global_variables_initializer()
        path = write_graph(g, str(tmp_path), name, as_text=name.endswith("txt"))
        feeds = {"x:0": np.ones((2, 6, 6, 1), np.float32), "y:0": [0, 2]}

        def losses(graph):
            with graph.as_default(), tf1.Session() as sess:
                sess.run("init")
                return [sess.run(["loss:0", "train"], feeds)[0] for _ in range(3)]

        original, imported = losses(g), losses(load_graph(path))
        assert original[2] < original[0]
        np.testing.assert_array_equal(imported, original)


class TestWhereImportedOpsCameFrom:
    def test_created_at_says_imported_from_the_file(self, tmp_path):
        g = tf.Graph()
        with g.as_default():
            tf.constant(1.0, name="c")
        path = write_graph(g, str(tmp_path), "g.pb", as_text=False)
        op = load_graph(path).get_operation_by_name("c")  # this line imports it
        assert op.traceback[-1][0] == path
        note = creation_note(op)
        assert f'imported from "{path}"' in note
        assert "test_import_graphs.py" in note  # and the user's line that imported it

    def test_a_graph_def_not_from_a_file_points_at_the_import(self):
        g = tf.Graph()
        with g.as_default():
            tf.constant(1.0, name="c")
        with tf.Graph().as_default() as imported:
            import_graph_def(g.as_graph_def(), name="")
        note = creation_note(imported.get_operation_by_name("c"))
        assert "imported from" not in note and "test_import_graphs.py" in note


class TestOrderAndLibraryErrors:
    def test_nodes_in_any_order_are_each_imported_once(self):
        g = tf.Graph()
        with g.as_default():
            c = tf.identity(tf.identity(tf.constant(2.0, name="a"), name="b"), name="c")
        graph_def = g.as_graph_def()
        graph_def.node.reverse()
        with tf.Graph().as_default() as imported:
            import_graph_def(graph_def, name="")
        assert sorted(op.name for op in imported.get_operations()) == ["a", "b", "c"]
        assert run(imported, c.name) == 2.0

    def _if_node(self, function) -> GraphDef:
        pred = NodeDef(
            "p",
            "Const",
            attr={
                "dtype": AttrValue("type", tf.bool),
                "value": AttrValue("tensor", np.array(True)),
            },
        )
        call = NodeDef(
            "if",
            "StatelessIf",
            ["p"],
            attr={
                "Tcond": AttrValue("type", tf.bool),
                "Tin": AttrValue("list", []),
                "Tout": AttrValue("list", [AttrValue("type", tf.float32)]),
                "then_branch": AttrValue("func", function),
                "else_branch": AttrValue("func", function),
                "output_shapes": AttrValue("list", []),
            },
        )
        return GraphDef([pred, call])

    def test_a_function_missing_from_the_library_names_the_node(self):
        with tf.Graph().as_default(), pytest.raises(ValueError, match=r"'if'.*'nowhere'.*library"):
            import_graph_def(self._if_node("nowhere"))

    def test_a_branch_imports_and_runs(self):
        five = NodeDef(
            "five",
            "Const",
            attr={
                "dtype": AttrValue("type", tf.float32),
                "value": AttrValue("tensor", np.float32(5.0)),
            },
        )
        body = FunctionDef("five_fn", [], ["five:0"], [five], [tf.float32])
        with tf.Graph().as_default() as g:
            import_graph_def(self._if_node(body), name="")
        assert run(g, "if:0") == 5.0

    def test_functions_that_call_themselves_are_refused(self):
        from runtime.proto import graph_pb2

        message = graph_pb2.GraphDef()
        function = message.library.function.add()
        function.signature.name = "loop"
        node = function.node_def.add(name="again", op="PartitionedCall")
        node.attr["f"].func.name = "loop"
        call = message.node.add(name="call", op="PartitionedCall")
        call.attr["f"].func.name = "loop"
        with pytest.raises(InvalidArgumentError, match=r"call themselves \(loop -> loop\)"):
            GraphDef.FromString(message.SerializeToString())


MALFORMED = {
    "colocation of numbers": (
        'node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }'
        ' attr { key: "_class" value { list { i: 1 } } } }',
        ValueError,
        r"Node 'x': attr '_class' must be a list of s values",
    ),
    "output shapes of numbers": (
        'node { name: "u" op: "NoSuchOp" attr { key: "_output_shapes" value { list { i: 1 } } } }',
        ValueError,
        r"Node 'u': attr '_output_shapes'",
    ),
    "shape attr holding a type": (
        'node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }'
        ' attr { key: "shape" value { type: DT_FLOAT } } }',
        ValueError,
        r"when 'shape' expected\n\t for attr 'shape'\n\t; NodeDef: \{\{node x\}\}",
    ),
    "a tensor numpy cannot shape": (
        'node { name: "c" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }'
        ' attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 0 }'
        " dim { size: 4611686018427387904 } } } } } }",
        InvalidArgumentError,
        r"node 'c'.*too many elements",
    ),
    "an unknown DataType": (
        'node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: 999 } } }',
        InvalidArgumentError,
        r"attr 'dtype' of node 'x' has unknown DataType 999",
    ),
}


@pytest.mark.parametrize("text", list(MALFORMED), ids=list(MALFORMED))
def test_malformed_nodes_are_refused_naming_the_node(text):
    graph_text, error, pattern = MALFORMED[text]
    with tf.Graph().as_default(), pytest.raises(error, match=pattern):
        import_graph_def(GraphDef.from_text(graph_text))


def test_a_failed_import_leaves_the_graph_as_it_was():
    good = tf.Graph()
    with good.as_default():
        x = tf.constant([1.0, 2.0], name="x")
        tf.negative(x, name="y")
        tf.identity(x, name="z")
    graph_def = good.as_graph_def()
    broken = tf1.GraphDef()
    broken.node.extend(graph_def.node[:2])
    broken.node.add(name="bad", op="Neg", input=["missing:0"])
    target = tf.Graph()
    with target.as_default():
        kept = tf.constant(3.0, name="kept")
        before = [op.name for op in target.get_operations()]
        with pytest.raises(ValueError, match="bad"):
            tf1.import_graph_def(broken)
        # All or nothing, as TF's: no op of the failed import stays, nor its names.
        assert [op.name for op in target.get_operations()] == before
        assert kept.consumers() == []
        tf1.import_graph_def(graph_def)
        assert {op.name for op in target.get_operations()} == {
            "kept",
            "import/x",
            "import/y",
            "import/z",
        }
