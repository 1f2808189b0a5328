"""TF1 programs from books and courses (Hands-On ML's first edition, CS20), as TF 2.21 runs
them: the behaviours where the runtime differed from TF, with the values TF gave."""

from __future__ import annotations

import pytest

import runtime as tf

v1 = tf.compat.v1


def _run_each(make_ops, container=None):
    """Run each op ``make_ops()`` builds (inside ``tf.container(container)``), in turn."""
    with tf.Graph().as_default():
        if container is None:
            ops = make_ops()
        else:
            with v1.container(container):
                ops = make_ops()
        with v1.Session() as sess:
            return [_outcome(sess, op) for op in ops]


def _outcome(sess, op):
    try:
        sess.run(op)
    except tf.errors.InvalidArgumentError as e:
        return e.message.split(": ", 1)[1]
    return "ok"


def _stateful_ops():
    dataset = tf.data.Dataset.range(3)
    return [
        tf.Variable(1.0, name="x").initializer,
        v1.FIFOQueue(3, tf.float32).size(),
        v1.RandomShuffleQueue(3, 0, tf.float32).size(),
        v1.WholeFileReader().num_records_produced(),
        v1.ConditionalAccumulator(tf.float32, shape=[]).num_accumulated(),
        v1.data.make_initializable_iterator(dataset).initializer,
    ]


def test_a_container_name_with_an_underscore_is_refused_when_the_op_runs():
    # Hands-On ML ch. 12 writes `with tf.container("my_problem_1")`: TF 2.21 builds the
    # graph, then each stateful op fails as it runs with
    # InvalidArgumentError "container contains invalid characters: my_problem_1".
    refused = "container contains invalid characters: my_problem_1"
    assert _run_each(_stateful_ops, "my_problem_1") == [refused] * 6


def test_container_names_tf_accepts_still_run():
    # TF 2.21 runs all six in containers "my-problem.1" and "a/b".
    assert _run_each(_stateful_ops, "my-problem.1") == ["ok"] * 6
    assert _run_each(_stateful_ops, "a/b") == ["ok"] * 6


def test_a_shared_name_starting_with_an_underscore_is_refused():
    def ops():
        dataset = tf.data.Dataset.range(3)
        types, shapes = v1.data.get_output_types(dataset), v1.data.get_output_shapes(dataset)
        iterator = v1.data.Iterator.from_structure(types, shapes, shared_name="_x")
        return [
            v1.FIFOQueue(3, tf.float32, shared_name="_abc").size(),
            v1.FIFOQueue(3, tf.float32, shared_name="a_b").size(),
            v1.ConditionalAccumulator(tf.float32, shape=[], shared_name="_a").num_accumulated(),
            iterator.make_initializer(dataset),
        ]

    # TF 2.21: InvalidArgumentError "shared_name cannot start with '_':_abc" (no space),
    # and an underscore elsewhere in the name is fine.
    assert _run_each(ops) == [
        "shared_name cannot start with '_':_abc",
        "ok",
        "shared_name cannot start with '_':_a",
        "shared_name cannot start with '_':_x",
    ]


@pytest.mark.parametrize("name", ["my_problem_1", "_a"])
def test_the_error_names_the_op(name):
    with tf.Graph().as_default():
        with v1.container(name):
            x = tf.Variable(1.0, name="x")
        with v1.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError) as caught:
            sess.run(x.initializer)
    assert caught.value.op.name == "x"


def test_a_cluster_def_prints_as_tfs_text_format():
    # Hands-On ML ch. 12 builds a ClusterSpec; TF 2.21 prints its ClusterDef and JobDef
    # as protobuf text, tasks by index.
    spec = v1.train.ClusterSpec({"worker": {2: "b:1", 0: "a:1"}, "ps": ["p:1"]})
    cluster = spec.as_cluster_def()
    assert str(cluster) == (
        'job {\n  name: "ps"\n  tasks {\n    key: 0\n    value: "p:1"\n  }\n}\n'
        'job {\n  name: "worker"\n  tasks {\n    key: 0\n    value: "a:1"\n  }\n'
        '  tasks {\n    key: 2\n    value: "b:1"\n  }\n}\n'
    )
    assert str(cluster.job[0]) == 'name: "ps"\ntasks {\n  key: 0\n  value: "p:1"\n}\n'
    assert str(v1.train.ClusterSpec({}).as_cluster_def()) == ""
    server_def = v1.train.ServerDef(cluster=cluster, job_name="ps", protocol="grpc")
    assert str(server_def) == (
        'cluster {\n  job {\n    name: "ps"\n    tasks {\n      key: 0\n      value: "p:1"\n'
        '    }\n  }\n  job {\n    name: "worker"\n    tasks {\n      key: 0\n'
        '      value: "a:1"\n    }\n    tasks {\n      key: 2\n      value: "b:1"\n    }\n'
        '  }\n}\njob_name: "ps"\nprotocol: "grpc"\n'
    )


def _attr_blocks(text: str) -> tuple:
    """The lines before the attrs, and the set of ``attr { ... }`` blocks (TF prints the
    attr map in its C++ map's order, the runtime by key: the blocks are compared as a set)."""
    head, *blocks = text.split("attr {\n")
    return head, {"attr {\n" + block for block in blocks}


def test_printing_an_op_shows_its_node_def_in_text_format():
    # print(op) in TF 2.21 prints str(op.node_def), protobuf text format; these strings
    # are what TF printed for the two ops.
    with tf.Graph().as_default():
        a = tf.constant([1.0, 2.0], name="a")
        with tf.device("/cpu:0"):
            n = tf.no_op(name="n")
    assert str(n) == 'name: "n"\nop: "NoOp"\ndevice: "/device:CPU:0"\n'
    assert str(n.node_def) == str(n)
    assert repr(a.op) == "<tf.Operation 'a' type=Const>"
    tf_text = (
        'name: "a"\nop: "Const"\nattr {\n  key: "value"\n  value {\n    tensor {\n'
        "      dtype: DT_FLOAT\n      tensor_shape {\n        dim {\n          size: 2\n"
        '        }\n      }\n      tensor_content: "\\000\\000\\200?\\000\\000\\000@"\n'
        '    }\n  }\n}\nattr {\n  key: "dtype"\n  value {\n    type: DT_FLOAT\n  }\n}\n'
    )
    assert _attr_blocks(str(a.op)) == _attr_blocks(tf_text)
    assert _attr_blocks(str(a.op.node_def)) == _attr_blocks(tf_text)


def test_a_variable_initialized_from_another_initializes_in_any_order():
    # CS20 lecture 2: `U = tf.Variable(W * 2)` next to W, one global initializer. TF 2.21
    # reads W there through W.initialized_value() and runs the initializer in every
    # session (8 of 8); the runtime read W before setting it whenever
    # `W.initialized_value()` was used too.
    with tf.Graph().as_default():
        w = tf.Variable(v1.truncated_normal([7, 10]))
        u = tf.Variable(w * 2)
        u2 = tf.Variable(w.initialized_value() * 2)
        init = v1.global_variables_initializer()
        for _ in range(8):
            with v1.Session() as sess:
                sess.run(init)
                w_value, u_value, u2_value = sess.run([w, u, u2])
                assert (u_value == 2 * w_value).all() and (u2_value == 2 * w_value).all()


def test_the_guarded_initial_value_is_copied_as_tf_names_it():
    # TF 2.21 makes these ops for U (after mul/y, mul, add/y, add), in this order; the
    # initial value stays `add:0` and the initializer assigns `add_U:0`.
    with tf.Graph().as_default() as graph:
        w = tf.Variable(tf.ones([2, 3]), name="W")
        before = len(graph.get_operations())
        u = tf.Variable(w * 2 + 1, name="U")
        made = [(op.name, op.type) for op in graph.get_operations()[before:]]
    assert made[:5] == [
        ("mul/y", "Const"),
        ("mul", "Mul"),
        ("add/y", "Const"),
        ("add", "AddV2"),
        ("U", "VariableV2"),
    ]
    assert made[-5:] == [
        ("W/read_U", "Identity"),
        ("mul_U", "Mul"),
        ("add_U", "AddV2"),
        ("U/Assign", "Assign"),
        ("U/read", "Identity"),
    ]
    assert ("U/IsVariableInitialized", "IsVariableInitialized") in made
    assert len(made) == 19
    assert (u.initial_value.name, u.initializer.inputs[1].name) == ("add:0", "add_U:0")


def test_an_initial_value_reading_no_variable_is_assigned_as_it_is():
    with tf.Graph().as_default():
        u = tf.Variable(tf.ones([2]) * 3.0, name="U")
    assert u.initializer.inputs[1] is u.initial_value


def test_create_op_with_a_colocated_ops_attrs_keeps_the_colocation():
    # TF 2.21: copying an op through create_op(..., attrs=op.node_def.attr) keeps
    # `_class` as [b"loc:@v"], and the copy runs (1.0).
    with tf.Graph().as_default() as graph:
        v = tf.Variable(1.0, name="v")
        with graph.colocate_with(v.op):
            y = tf.identity(v, name="y")
        z = graph.create_op("Identity", [y], name="z", attrs=y.op.node_def.attr)
        assert z.colocation_groups() == [b"loc:@v"]
        assert z.get_attr("_class") == [b"loc:@v"]
        with v1.Session() as sess:
            sess.run(v.initializer)
            assert sess.run(z.outputs[0]) == 1.0


def test_an_initial_value_made_inside_a_loop_or_branch_is_refused():
    # TF 2.21 refuses a tensor made inside a while loop or a cond branch as an initial
    # value (ValueError, this message), even the loop's own output; a callable runs
    # outside and is fine.
    refused = (
        "Initializer for variable {} is from inside a control-flow construct, such as a "
        "loop or conditional. When creating a variable inside a loop or conditional, use a "
        "lambda as the initializer."
    )
    with tf.Graph().as_default():
        result = v1.while_loop(lambda i, x: i < 3, lambda i, x: (i + 1, x + 1.0), [0, 0.0])
        with pytest.raises(ValueError) as caught:
            tf.Variable(result[1])
        assert str(caught.value) == refused.format("Variable/")
        errors = []

        def branch():
            with pytest.raises(ValueError) as caught:
                tf.Variable(tf.ones([2]))
            errors.append(str(caught.value))
            tf.Variable(lambda: tf.ones([2]))
            return tf.constant(1.0)

        v1.cond(tf.constant(True), branch, lambda: tf.constant(2.0))
    assert errors == [refused.format("cond/Variable/")]


def test_a_graph_lists_its_collections_and_is_no_function_body():
    # TF 2.21: Graph.collections names every collection made, empty ones too (besides
    # TF's own ('__varscope',) key), and building_function is False for a tf.Graph.
    graph = tf.Graph()
    assert graph.collections == [] and graph.building_function is False
    with graph.as_default():
        tf.Variable(1.0)
        v1.add_to_collection("mine", 3)
        graph.get_collection_ref("empty")
        graph.get_collection("nothing")
    assert {"variables", "trainable_variables", "mine", "empty"} <= set(graph.collections)
    assert "nothing" not in graph.collections
    graph.clear_collection("mine")
    assert "mine" not in graph.collections


def test_assert_equal_names_its_ops_as_tf_does():
    # TF 2.21's v1 assert_equal opens its name scope once before the check's own: the ops
    # are in "foo_1/", "assert_equal_2/", ...; a tensor compared with itself gives the
    # NoOp "assert_equal/NoOp".
    with tf.Graph().as_default():
        x = v1.placeholder(tf.float32, [None])
        named = v1.assert_equal(x, 1.0, name="foo")
        same = v1.assert_equal(x, x)
        plain = v1.assert_equal(x, 2.0)
        debugging = v1.debugging.assert_equal(x, 3.0)
    assert named.name.split("/")[0] == "foo_1"
    assert (same.name, same.type) == ("assert_equal/NoOp", "NoOp")
    assert plain.name.split("/")[0] == "assert_equal_2"
    assert debugging.name.split("/")[0] == "assert_equal_4"
