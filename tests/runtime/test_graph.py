"""Graph, Operation and Tensor: TF1's graph-building behaviour."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runtime as tf
from runtime.devices import DeviceSpec
from runtime.errors import OperatorNotAllowedInGraphError

tf1 = tf.compat.v1


# -- default graph -----------------------------------------------------------------------


def test_default_graph_stack_nests():
    outer, inner = tf.Graph(), tf.Graph()
    with outer.as_default() as entered:
        assert entered is outer and tf1.get_default_graph() is outer
        with inner.as_default():
            assert tf1.get_default_graph() is inner
        assert tf1.get_default_graph() is outer


def test_default_graph_is_per_thread():
    g = tf.Graph()
    seen = []
    with g.as_default():
        worker = threading.Thread(target=lambda: seen.append(tf1.get_default_graph()))
        worker.start()
        worker.join()
    assert seen[0] is not g


def test_reset_default_graph_replaces_the_global_graph():
    before = tf1.get_default_graph()
    tf1.reset_default_graph()
    after = tf1.get_default_graph()
    assert after is not before and after.version == 0


def test_reset_default_graph_inside_a_graph_scope_raises():
    with tf.Graph().as_default(), pytest.raises(AssertionError, match="clear nested graphs"):
        tf1.reset_default_graph()


def test_out_of_order_exit_of_as_default_raises():
    a, b = tf.Graph().as_default(), tf.Graph().as_default()
    a.__enter__()
    b.__enter__()
    with pytest.raises(AssertionError, match="Nesting violated for default stack of Graph"):
        a.__exit__(None, None, None)
    b.__exit__(None, None, None)


# -- names -------------------------------------------------------------------------------


def test_op_names_are_made_unique(graph):
    names = [tf.constant(1.0, name="c").op.name for _ in range(3)]
    assert names == ["c", "c_1", "c_2"]
    assert tf.constant(1.0, name="c_1").op.name == "c_1_1"
    # case-insensitive, capitalisation kept
    assert tf.constant(1.0, name="C").op.name == "C_3"


def test_default_op_names(graph):
    a = tf.constant(1.0)
    b = tf.constant(2.0)
    assert [a.op.name, b.op.name] == ["Const", "Const_1"]
    assert (a + b).op.name == "add" and (a * b).op.name == "mul"
    # names are unique case-insensitively, as in TF
    assert tf.add(a, b).op.name == "Add_1"
    assert (a - b).op.name == "sub" and (a / b).op.name == "truediv"


def test_unique_name_without_marking(graph):
    assert graph.unique_name("x", mark_as_used=False) == "x"
    assert graph.unique_name("x") == "x"
    assert graph.unique_name("x", mark_as_used=False) == "x_1"
    assert graph.unique_name("x") == "x_1"


def test_invalid_op_name(graph):
    with pytest.raises(ValueError, match="'bad name' is not a valid node name"):
        tf.constant(1.0, name="bad name")


def test_name_scopes(graph):
    with tf.name_scope("layer") as scope:
        assert scope == "layer/"
        w = tf.constant(1.0, name="w")
        with tf.name_scope("inner") as inner:
            assert inner == "layer/inner/"
            assert tf.constant(1.0, name="b").op.name == "layer/inner/b"
    assert w.op.name == "layer/w"
    with tf.name_scope("layer") as again:
        assert again == "layer_1/"
    with tf.name_scope("layer/") as reentered:  # absolute: reused as is
        assert reentered == "layer/"
        assert tf.constant(1.0, name="w").op.name == "layer/w_1"
    assert graph.get_name_scope() == ""


def test_none_and_empty_scope_reset_to_top(graph):
    with tf.name_scope("outer"):
        assert graph.get_name_scope() == "outer"
        with tf.name_scope(None) as scope:
            assert scope == "" and tf.constant(1.0).op.name == "Const"
        with tf.name_scope("") as scope:
            assert scope == ""


def test_v1_name_scope_with_default_name_and_values(graph):
    a = tf.constant(1.0, name="a")
    with tf1.name_scope(None, "default", [a]) as scope:
        assert scope == "default/"
    with tf1.name_scope(None, "default") as scope:
        assert scope == "default_1/"
    with tf1.name_scope("given", "default", [a]) as scope:
        assert scope == "given/"


def test_name_scope_takes_the_graph_of_its_values():
    g = tf.Graph()
    with g.as_default():
        a = tf.constant(1.0)
    with tf1.name_scope("s", values=[a]):
        assert g.get_name_scope() == "s"


def test_name_scope_names_share_the_op_namespace(graph):
    tf.constant(1.0, name="x")
    with tf.name_scope("x") as scope:
        assert scope == "x_1/"


@pytest.mark.parametrize("name", ["bad name", "-x", "_x", "/x"])
def test_invalid_top_level_scope_names(graph, name):
    with pytest.raises(ValueError, match=f"'{name}' is not a valid scope name"):
        with tf.name_scope(name):
            pass


def test_nested_scope_names_may_start_with_underscore(graph):
    with tf.name_scope("outer"), tf.name_scope("_inner") as scope:
        assert scope == "outer/_inner/"
    with tf.name_scope("outer"), pytest.raises(ValueError, match="'a b' is not a valid scope"):
        with tf.name_scope("a b"):
            pass


def _tf_unique_name(names_in_use: dict, name: str) -> str:
    """TensorFlow's ``Graph.unique_name`` algorithm, the oracle for the property test."""
    key = name.lower()
    i = names_in_use.get(key, 0)
    names_in_use[key] = i + 1
    if i > 0:
        base = key
        while key in names_in_use:
            key = f"{base}_{i}"
            i += 1
        names_in_use[key] = 1
        name = f"{name}_{i - 1}"
    return name


_base_names = st.sampled_from(["a", "A", "a_1", "a_2", "b", "a_1_1", "x_0"])
_actions = st.lists(
    st.one_of(
        st.tuples(st.just("op"), _base_names),
        st.tuples(st.just("scope"), _base_names),
        st.tuples(st.just("exit"), st.none()),
    ),
    max_size=40,
)


@settings(deadline=None, max_examples=150)
@given(_actions)
def test_unique_names_under_random_sequences_of_names_and_scopes(actions):
    g = tf.Graph()
    model: dict = {}
    stack: list = []
    scopes: list = []
    expected_ops = []
    with g.as_default():
        for kind, name in actions:
            prefix = stack[-1] if stack else ""
            full = f"{prefix}/{name}" if prefix else name
            if kind == "op":
                op = tf.constant(0.0, name=name).op
                expected_ops.append(_tf_unique_name(model, full))
                assert op.name == expected_ops[-1]
            elif kind == "scope":
                scope = tf.name_scope(name)
                entered = scope.__enter__()
                stack.append(_tf_unique_name(model, full))
                scopes.append(scope)
                assert entered == stack[-1] + "/"
            elif scopes:
                scopes.pop().__exit__(None, None, None)
                stack.pop()
        while scopes:
            scopes.pop().__exit__(None, None, None)
    names = [op.name for op in g.get_operations()]
    assert names == expected_ops
    assert len({n.lower() for n in names}) == len(names)


# -- control dependencies ----------------------------------------------------------------


def test_control_dependencies_nest_and_clear(graph):
    a = tf.constant(1.0, name="a")
    b = tf.constant(2.0, name="b")
    with graph.control_dependencies([a]):
        c = tf.constant(3.0, name="c")
        with graph.control_dependencies([b.op]):
            d = tf.constant(4.0, name="d")
        with graph.control_dependencies(None):
            e = tf.constant(5.0, name="e")
    assert c.op.control_inputs == [a.op]
    assert d.op.control_inputs == [a.op, b.op]
    assert e.op.control_inputs == []
    assert list(a.op._control_outputs) == [c.op, d.op]


def test_control_dependency_already_a_data_input_is_skipped(graph):
    a = tf.constant(1.0, name="a")
    with tf.control_dependencies([a]):
        b = tf.identity(a)
    assert b.op.control_inputs == []


def test_ops_fed_by_an_op_of_the_same_block_are_dominated(graph):
    a = tf.constant(1.0, name="a")
    with tf.control_dependencies([a]):
        b = tf.constant(2.0, name="b")
        c = tf.identity(b, name="c")
    assert b.op.control_inputs == [a.op]
    assert c.op.control_inputs == []


def test_control_dependencies_take_names_and_reject_other_values(graph):
    a = tf.constant(1.0, name="a")
    with graph.control_dependencies(["a"]):
        assert tf.constant(2.0).op.control_inputs == [a.op]
    with pytest.raises(TypeError, match="Can not convert a int into a Tensor or Operation"):
        with graph.control_dependencies([1]):
            pass


def test_control_dependency_from_another_graph(graph):
    with tf.Graph().as_default():
        other = tf.constant(1.0)
    with pytest.raises(ValueError, match="is not an element of this graph"):
        with graph.control_dependencies([other]):
            pass


# -- devices -----------------------------------------------------------------------------


def test_device_scopes_merge_inner_over_outer(graph):
    with tf.device("/job:ps"), tf.device("/cpu:1"):
        assert tf.constant(1.0).device == "/job:ps/device:CPU:1"
    with tf.device("/device:GPU:0"), tf.device("/job:w/device:CPU:0"):
        assert tf.constant(1.0).device == "/job:w/device:CPU:0"
    with tf.device("/job:ps"), tf.device(None):
        assert tf.constant(1.0).device == ""
    assert tf.constant(1.0).device == ""


def test_device_spec_objects_and_functions(graph):
    with graph.device(DeviceSpec(device_type="GPU", device_index=0)):
        assert tf.constant(1.0).device == "/device:GPU:0"
    a = tf.constant(1.0, name="a")
    with graph.device(lambda op: "/cpu:1" if op.type == "Const" else None):
        # TF 2.21 keeps a function's string as written ("/cpu:1")
        assert tf.constant(1.0).device == "/cpu:1"
        assert tf.identity(a).device == ""
    with tf.device("/job:a"), tf.device(lambda op: "/task:1"):
        assert tf.constant(1.0).device == "/job:a/task:1"
    with tf.device(lambda op: DeviceSpec(job="fn")), tf.device("/cpu:0"):
        # a function replaces what the scopes inside it chose
        assert tf.constant(1.0).device == "/job:fn"


def test_a_device_functions_string_is_kept_as_written(graph):
    # Hands-On ML ch. 12's variables_on_cpu: TF 2.21 gives "/cpu:0" and "/gpu:0" as the
    # function wrote them; a DeviceSpec, or a string scope applied after the function,
    # gives the canonical form.
    with tf.device(lambda op: "/cpu:0" if op.type == "VariableV2" else "/gpu:0"):
        v = tf.Variable(3.0)
        c = tf.constant(4.0)
    assert (v.device, c.device) == ("/cpu:0", "/gpu:0")
    with tf.Graph().as_default():  # other jobs' ops: a local session would refuse them
        with tf.device(lambda op: "/job:w/task:1/device:cpu:0"):
            assert tf.constant(1.0).device == "/job:w/task:1/device:cpu:0"
        with tf.device("/job:ps"), tf.device(lambda op: "/gpu:1"):
            assert tf.constant(1.0).device == "/job:ps/device:GPU:1"
    with tf.device(lambda op: DeviceSpec(device_type="GPU", device_index=0)):
        assert tf.constant(1.0).device == "/device:GPU:0"
    config = tf.compat.v1.ConfigProto(allow_soft_placement=True)
    with tf.compat.v1.Session(config=config) as sess:
        sess.run(v.initializer)
        assert sess.run(v * c) == 12.0


def test_a_malformed_device_functions_string_fails_where_the_op_is_made(graph):
    with pytest.raises(ValueError), tf.device(lambda op: "/cpu:x"):
        tf.constant(1.0)


def test_device_function_sees_the_op(graph):
    seen = []
    with tf.device(lambda op: seen.append((op.name, op.type, op.device)) or "/cpu:0"):
        with tf.device("/job:x"):
            tf.constant(1.0, name="k")
    assert seen == [("k", "Const", "/job:x")]


def test_bad_device_argument(graph):
    with pytest.raises(TypeError, match=r"tf.device\(\) expects a device string"):
        with tf.device(5):
            pass
    with pytest.raises(ValueError, match="Unknown attribute"):
        with tf.device("/nonsense:1"):
            pass


_specs = st.fixed_dictionaries(
    {},
    optional={
        "job": st.sampled_from(["ps", "worker"]),
        "task": st.integers(0, 2),
        "device_type": st.sampled_from(["CPU", "GPU"]),
        "device_index": st.integers(0, 2),
    },
).map(lambda fields: DeviceSpec(**fields).to_string())
_stack_entries = st.one_of(
    _specs.map(lambda text: ("string", text)),
    st.just(("reset", None)),
    _specs.map(lambda text: ("function", text)),
)


def _reference_device(stack) -> str:
    """TF's rule: innermost first; strings fill unset fields, functions replace, None stops."""
    fields: dict = {}
    for kind, text in reversed(stack):
        if kind == "reset":
            break
        spec = DeviceSpec.from_string(text)
        given_fields = {k: v for k, v in vars(spec).items() if v is not None}
        fields = given_fields if kind == "function" else {**given_fields, **fields}
    return DeviceSpec(**fields).to_string()


@settings(deadline=None, max_examples=150)
@given(st.lists(_stack_entries, max_size=6))
def test_nested_device_scopes_match_tf_merge_rule(stack):
    g = tf.Graph()
    with g.as_default():
        scopes = []
        for kind, text in stack:
            entry = None if kind == "reset" else text
            if kind == "function":
                entry = (lambda value: lambda op: value)(text)
            scopes.append(g.device(entry))
            scopes[-1].__enter__()
        op = tf.constant(1.0).op
        for scope in reversed(scopes):
            scope.__exit__(None, None, None)
    assert op.device == _reference_device(stack)


# -- colocation --------------------------------------------------------------------------


def test_colocate_with_overrides_device_scopes(graph):
    with tf.device("/cpu:1"):
        a = tf.constant(1.0, name="a")
    with graph.colocate_with(a.op), tf.device("/cpu:0"):
        b = tf.identity(a, name="b")
    assert b.device == "/device:CPU:1"
    assert b.op.colocation_groups() == [b"loc:@a"]
    assert b.op.get_attr("_class") == [b"loc:@a"]
    assert a.op.colocation_groups() == [b"loc:@a"]


def test_colocate_with_clears_outer_device_scopes(graph):
    a = tf.constant(1.0, name="a")  # no device
    with tf.device("/job:ps"), graph.colocate_with(a):
        b = tf.identity(a)
    assert b.device == ""
    with graph.colocate_with(a), tf.device("/cpu:0"):
        assert tf.identity(a).device == "/device:CPU:0"


def test_colocation_groups_accumulate_unless_ignore_existing(graph):
    a = tf.constant(1.0, name="a")
    b = tf.constant(1.0, name="b")
    with graph.colocate_with(a.op), graph.colocate_with(b.op):
        assert tf.constant(1.0).op.colocation_groups() == [b"loc:@a", b"loc:@b"]
        with graph.colocate_with(b.op, ignore_existing=True):
            assert tf.constant(1.0).op.colocation_groups() == [b"loc:@b"]
        with graph.colocate_with(None, ignore_existing=True):
            assert tf.constant(1.0, name="free").op.colocation_groups() == [b"loc:@free"]


def test_colocation_reset_needs_ignore_existing(graph):
    with pytest.raises(ValueError, match=r"Trying to reset colocation \(op is None\)"):
        with graph.colocate_with(None):
            pass


# -- finalize, version, collections ------------------------------------------------------


def test_finalize(graph):
    tf.constant(1.0)
    graph.finalize()
    assert graph.finalized
    with pytest.raises(RuntimeError, match="Graph is finalized and cannot be modified"):
        tf.constant(2.0)
    with pytest.raises(RuntimeError, match="Graph is finalized and cannot be modified"):
        graph.add_to_collection("c", 1)
    with pytest.raises(RuntimeError, match="Graph is finalized and cannot be modified"):
        graph.clear_collection("c")
    assert len(graph.get_operations()) == 1
    graph._unsafe_unfinalize()
    tf.constant(3.0)


def test_a_failed_op_does_not_enter_the_graph(graph):
    a = tf.constant([1.0, 2.0])
    b = tf.constant([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 2 and 3"):
        tf.add(a, b)
    assert [op.type for op in graph.get_operations()] == ["Const", "Const"]


def test_version_counts_ops(graph):
    assert graph.version == 0
    tf.constant(1.0)
    tf.constant(2.0)
    assert graph.version == 2


def test_collections(graph):
    a = tf.constant(1.0, name="a")
    with tf.name_scope("s"):
        b = tf.constant(2.0, name="b")
    graph.add_to_collection("c", a)
    graph.add_to_collections(["c", "d"], b)
    graph.add_to_collections("e", a)
    assert graph.get_collection("c") == [a, b]
    assert graph.get_collection("c", scope="s") == [b]
    assert graph.get_collection("missing") == []
    assert sorted(graph.get_all_collection_keys()) == ["c", "d", "e"]
    ref = graph.get_collection_ref("d")
    ref.append(a)
    assert graph.get_collection("d") == [b, a]
    copy = graph.get_collection("d")
    copy.clear()
    assert graph.get_collection("d") == [b, a]
    graph.clear_collection("d")
    assert graph.get_collection("d") == []


# -- lookup ------------------------------------------------------------------------------


def test_lookup_by_name(graph):
    a = tf.constant(1.0, name="a")
    assert graph.get_operation_by_name("a") is a.op
    assert graph.get_tensor_by_name("a:0") is a
    assert graph.as_graph_element("a") is a.op and graph.as_graph_element(b"a:0") is a
    assert graph.as_graph_element(a) is a and graph.as_graph_element(a.op) is a.op
    assert graph.get_operations() == [a.op]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda g: g.get_operation_by_name("a:0"), ValueError, "appears to refer to a Tensor"),
        (lambda g: g.get_operation_by_name("zz"), KeyError, "refers to an Operation not in"),
        (lambda g: g.get_operation_by_name("A"), KeyError, "Did you mean 'a'"),
        (lambda g: g.get_operation_by_name(1), TypeError, "Operation names are strings"),
        (lambda g: g.get_tensor_by_name("a"), ValueError, "refers to an Operation, not a Tensor"),
        (lambda g: g.get_tensor_by_name("a:x"), ValueError, "looks a like a Tensor name"),
        (lambda g: g.get_tensor_by_name("a:1"), KeyError, "exists but only has 1 outputs"),
        (lambda g: g.get_tensor_by_name("b:0"), KeyError, "'b', does not exist in the graph"),
        (lambda g: g.get_tensor_by_name(1), TypeError, "Tensor names are strings"),
        (lambda g: g.as_graph_element(1.5), TypeError, "Can not convert a float into a Tensor"),
        (
            lambda g: g.as_graph_element(g.get_operations()[0], allow_operation=False),
            TypeError,
            "Can not convert a Operation into a Tensor",
        ),
    ],
)
def test_lookup_errors(graph, call, error, message):
    tf.constant(1.0, name="a")
    with pytest.raises(error, match=message):
        call(graph)


def test_element_of_another_graph(graph):
    with tf.Graph().as_default():
        other = tf.constant(1.0)
    with pytest.raises(ValueError, match=r"Tensor\(\"Const:0\".*is not an element of this graph"):
        graph.as_graph_element(other)
    a = tf.constant(1.0)
    with pytest.raises(ValueError, match="must be from the same graph"):
        tf.add(a, other)


# -- Operation ---------------------------------------------------------------------------


def test_operation_properties(graph):
    a = tf.constant(1.0, name="a")
    b = tf.constant(2.0, name="b")
    with tf.control_dependencies([b]), tf.device("/cpu:0"):
        c = tf.add(a, b, name="c")
    op = c.op
    assert (op.name, op.type, op.graph, op.device) == ("c", "AddV2", graph, "/device:CPU:0")
    assert op.inputs == (a, b) and op.outputs == [c] and op.values() == (c,)
    assert op.control_inputs == []  # b is already a data input
    assert op.get_attr("T") is tf.float32
    assert op.attrs == {"T": tf.float32}
    assert op.op_def.name == "AddV2"
    assert repr(op) == "<tf.Operation 'c' type=AddV2>"
    node = op.node_def
    assert (node.name, node.op, node.input, node.device) == ("c", "AddV2", ["a", "b"], op.device)


def test_get_attr_error_lists_the_attrs(graph):
    op = tf.constant(1.0, name="a").op
    with pytest.raises(
        ValueError, match=r"Operation 'a' has no attr named 'nope'. It has: \['dtype', 'value'\]"
    ):
        op.get_attr("nope")


def test_traceback_points_at_user_code(graph):
    import inspect

    line = inspect.currentframe().f_lineno + 1
    op = tf.constant(1.0).op
    assert op.traceback[-1] == (__file__, line, "test_traceback_points_at_user_code")
    own = str(__import__("pathlib").Path(tf.__file__).parent)
    assert not any(frame[0].startswith(own) for frame in op.traceback)


def test_original_op_chain(graph):
    a = tf.constant(1.0, name="a")
    with graph._original_op(a.op):
        b = tf.identity(a, name="b")
        with graph._original_op(b.op):
            c = tf.identity(b, name="c")
    assert c.op._original_op is b.op and b.op._original_op is a.op
    assert a.op._original_op is None


# -- Tensor ------------------------------------------------------------------------------


def test_tensor_properties(graph):
    a = tf.constant([[1.0, 2.0]], name="a")
    b = tf.identity(a, name="b")
    assert (a.name, a.op.name, a.value_index, a.dtype) == ("a:0", "a", 0, tf.float32)
    assert a.shape == tf.TensorShape([1, 2]) and a.get_shape() is a.shape
    assert a.graph is graph and a.device == ""
    assert a.consumers() == [b.op]
    assert repr(a) == "<tf.Tensor 'a:0' shape=(1, 2) dtype=float32>"
    assert str(a) == 'Tensor("a:0", shape=(1, 2), dtype=float32)'


def test_a_tensor_prints_as_tfs_without_a_rank_and_with_a_device(graph):
    # TF 2.21's str(): no shape when the rank is unknown, the device when one is set.
    x = tf1.placeholder(tf.float32, name="x")
    with tf.device("/cpu:0"):
        y = tf1.placeholder(tf.float32, [2, None], name="y")
    assert str(x) == 'Tensor("x:0", dtype=float32)'
    assert str(y) == 'Tensor("y:0", shape=(2, ?), dtype=float32, device=/device:CPU:0)'
    assert repr(x) == "<tf.Tensor 'x:0' shape=<unknown> dtype=float32>"


def test_set_shape(graph):
    x = tf1.placeholder(tf.float32, shape=[None, 3])
    x.set_shape([2, None])
    assert x.shape == tf.TensorShape([2, 3])
    with pytest.raises(
        ValueError, match=r"Tensor's shape \(2, 3\) is not compatible with supplied shape \(4, 3\)"
    ):
        x.set_shape([4, 3])


def test_tensors_hash_by_identity(graph):
    a = tf.constant(1.0)
    b = tf.constant(1.0)
    assert len({a, b, a}) == 2 and {a: 1}[a] == 1
    assert (a == a) is True and (a == b) is False and (a != b) is True


def test_tensor_misuse_raises(graph):
    a = tf.constant([1.0], name="a")
    with pytest.raises(OperatorNotAllowedInGraphError, match="as a Python `bool` is not allowed"):
        bool(a)
    with pytest.raises(TypeError, match="as a Python `bool`"):
        if a:
            pass
    with pytest.raises(
        OperatorNotAllowedInGraphError, match=r"Iterating over a symbolic `tf.Tensor` \(a:0\)"
    ):
        iter(a)
    with pytest.raises(TypeError, match=r"len is not well defined for a symbolic Tensor \(a:0\)"):
        len(a)
    with pytest.raises(
        NotImplementedError, match=r"Cannot convert a symbolic tf.Tensor \(a:0\) to a numpy array"
    ):
        np.asarray(a)
    with pytest.raises(TypeError, match="cannot be used as an index"):
        [1, 2][a]


@pytest.mark.parametrize(
    ("build", "op_type", "name"),
    [
        (lambda a, b: a + b, "AddV2", "add"),
        (lambda a, b: 1.0 + b, "AddV2", "add"),
        (lambda a, b: a - b, "Sub", "sub"),
        (lambda a, b: 1.0 - b, "Sub", "sub"),
        (lambda a, b: a * b, "Mul", "mul"),
        (lambda a, b: 2.0 * b, "Mul", "mul"),
        (lambda a, b: a / b, "RealDiv", "truediv"),
        (lambda a, b: 1.0 / b, "RealDiv", "truediv"),
        (lambda a, b: a @ b, "MatMul", "matmul"),
        (lambda a, b: np.ones((2, 2), np.float32) @ b, "MatMul", "matmul"),
        (lambda a, b: -a, "Neg", "Neg"),
    ],
)
def test_operator_overloads(graph, build, op_type, name):
    a = tf.constant(np.ones((2, 2), np.float32))
    b = tf.constant(np.ones((2, 2), np.float32))
    result = build(a, b)
    assert (result.op.type, result.op.name) == (op_type, name)


def test_reflected_operand_keeps_operand_order(graph):
    b = tf.constant(2.0, name="b")
    c = 1.0 - b
    assert c.op.inputs[1] is b and c.op.inputs[0].op.name == "sub/x"


def test_numpy_array_on_the_left_defers_to_the_tensor(graph):
    b = tf.constant([1.0, 2.0])
    c = np.array([1.0, 2.0], np.float32) + b
    assert isinstance(c, tf.Tensor) and c.op.type == "AddV2"
    assert c.op.inputs[1] is b and c.shape.as_list() == [2]
    with tf.compat.v1.Session() as sess:
        np.testing.assert_array_equal(sess.run(c), [2.0, 4.0])


@pytest.mark.parametrize(
    ("build", "op_type", "name", "expected"),
    [
        (lambda a, b, t, u: a < b, "Less", "Less", [True, False]),
        (lambda a, b, t, u: a <= b, "LessEqual", "LessEqual", [True, True]),
        (lambda a, b, t, u: a > b, "Greater", "Greater", [False, False]),
        (lambda a, b, t, u: a >= b, "GreaterEqual", "GreaterEqual", [False, True]),
        (lambda a, b, t, u: t & u, "LogicalAnd", "and", [True, False]),
        (lambda a, b, t, u: t | u, "LogicalOr", "or", [True, True]),
        (lambda a, b, t, u: t ^ u, "LogicalAnd", "xor", [False, True]),  # xor is and(or, not and)
        (lambda a, b, t, u: ~t, "LogicalNot", "LogicalNot", [False, True]),
        (lambda a, b, t, u: abs(-a), "Abs", "Abs", [1.0, 4.0]),
        (lambda a, b, t, u: b // a, "FloorDiv", "floordiv", [4.0, 1.0]),
        (lambda a, b, t, u: b % a, "FloorMod", "mod", [0.0, 0.0]),
        (lambda a, b, t, u: a**2.0, "Pow", "pow", [1.0, 16.0]),
        (lambda a, b, t, u: 2.0**a, "Pow", "pow", [2.0, 16.0]),
        (lambda a, b, t, u: a[1:], "StridedSlice", "strided_slice", [4.0]),
        (lambda a, b, t, u: a[0], "StridedSlice", "strided_slice", 1.0),
    ],
)
def test_comparison_logical_and_slicing_overloads(graph, sess, build, op_type, name, expected):
    a = tf.constant([1.0, 4.0])
    b = tf.constant([4.0, 4.0])
    t = tf.constant([True, False])
    u = tf.constant([True, True])
    result = build(a, b, t, u)
    assert (result.op.type, result.op.name) == (op_type, name)
    assert np.asarray(sess.run(result)).tolist() == expected
