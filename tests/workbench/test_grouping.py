"""The folding rules (workbench.grouping) and the op-category palette."""

import itertools
from pathlib import Path

import pytest

import runtime as tf
from runtime.registry import default_registry
from workbench import palette
from workbench.drawing import drawing
from workbench.grouping import MAX_CHILDREN, Grouping
from workbench.view import GraphView


def tree(grouping):
    return [(g.kind, g.name, g.parent, g.op_count) for g in grouping.groups]


def test_series_fold_siblings_of_one_op_type_named_alike():
    ops = [("add", "AddV2"), *((f"add_{i}", "AddV2") for i in range(1, 6)), ("add_6", "Mul")]
    grouping = Grouping(ops, edges=[])
    assert tree(grouping) == [("series", "add_[1-5]", "", 5)]
    assert grouping.group_of == ["", "g0", "g0", "g0", "g0", "g0", ""]  # other type: alone
    assert tree(Grouping(ops[:5], edges=[])) == []  # four are not a series


def test_scopes_numbered_alike_fold_and_big_series_open_in_runs():
    ops = [(f"layer{i}/relu", "Relu") for i in range(120)]
    grouping = Grouping(ops, edges=[])
    kinds = [(g.kind, g.label) for g in grouping.groups if not g.parent]
    assert kinds == [("series", "layer[0-119]")]
    runs = [g.label for g in grouping.groups if g.parent == "g0"]
    assert runs[:2] == ["layer[0-9]", "layer[10-19]"] and len(runs) == 12 <= MAX_CHILDREN


def test_a_big_scope_of_unlike_ops_opens_in_chunks():
    ops = [(f"s/{name}{i}x", "Neg") for i, name in enumerate("ab" * 40)]
    grouping = Grouping(ops, edges=[])
    chunks = [g for g in grouping.groups if g.kind == "chunk"]
    assert [(c.label, c.op_count) for c in chunks][:2] == [("a0x … b9x", 10), ("a10x … b19x", 10)]
    assert all(c.parent == "g0" for c in chunks) and len(chunks) == 8


def test_an_op_named_like_a_scope_sits_inside_it():
    grouping = Grouping([("w", "VariableV2"), ("w/Assign", "Assign"), ("w/read", "Identity")], [])
    assert tree(grouping) == [("scope", "w", "", 3)] and grouping.group_of == ["g0"] * 3


def test_bookkeeping_and_outliers_go_to_the_side_area():
    layers = [f"layer{i}" for i in range(4)]
    ops = [("input", "Placeholder")]
    ops += [
        (f"{layer}/{op}", t)
        for layer in layers
        for op, t in [("w", "VariableV2"), ("mm", "MatMul"), ("relu", "Relu")]
    ]
    ops += [("init", "NoOp"), ("save/SaveV2", "SaveV2"), ("hub", "Identity")]
    index = {name: i for i, (name, _) in enumerate(ops)}
    edges = [(index["input"], index["layer0/mm"])]
    for a, b in itertools.pairwise(layers):
        edges.append((index[f"{a}/relu"], index[f"{b}/mm"]))
    edges += [(index["init"], index[f"{layer}/w"]) for layer in layers]
    edges += [(index[f"{layer}/w"], index["save/SaveV2"]) for layer in layers]
    edges += [(index["hub"], index[f"{layer}/mm"]) for layer in layers] + [
        (index["hub"], index["input"])
    ]
    grouping = Grouping(ops, edges)
    side = {g.label for g in grouping.groups if g.auxiliary}
    side |= {ops[i][0] for i, aux in enumerate(grouping.auxiliary) if aux}
    assert side == {"init", "save", "hub"}  # by name, by op type, by degree


def test_while_scopes_holding_loop_ops_are_frames():
    ops = [("rnn/while/Enter", "Enter"), ("rnn/while/body/add", "AddV2"), ("rnn/after", "Neg")]
    grouping = Grouping(ops, edges=[])
    assert [(g.kind, g.name) for g in grouping.groups] == [
        ("scope", "rnn"),
        ("frame", "rnn/while"),
        ("scope", "rnn/while/body"),
    ]


def test_every_registered_op_type_has_a_category():
    runtime_dir = str(Path(tf.__file__).parent)
    uncategorised = [  # the runtime's ops (tests register private ones of their own)
        op.name
        for op in default_registry.registered_ops()
        if default_registry.registered_in(op.name).startswith(runtime_dir)
        and palette.op_category(op.name) == "other"
    ]
    assert uncategorised == [], "give these op types a category in workbench/palette.py"


def test_categories_have_distinct_colours_and_const_conv_identity_differ():
    colors = palette.CATEGORY_COLORS
    assert len(set(colors.values())) == len(colors)
    picked = {
        palette.category_color(palette.op_category(t)) for t in ("Const", "Conv2D", "Identity")
    }
    assert len(picked) == 3


@pytest.mark.parametrize(
    "op_type, category",
    [("ScalarSummary", "summary"), ("ResourceApplyAdam", "training"), ("FIFOQueueV2", "io")],
)
def test_unlisted_op_types_fall_back_by_name(op_type, category):
    assert palette.op_category(op_type) == category


def test_a_scope_named_while_without_loop_ops_is_a_plain_scope():
    graph = tf.Graph()
    with graph.as_default(), tf.name_scope("while"):
        tf.constant(1.0)
    assert (
        Grouping([(op.name, op.type) for op in graph.get_operations()], []).groups[0].kind
        == "scope"
    )


def test_a_while_loop_is_one_frame_showing_its_iterations_after_a_traced_run():
    with tf.Graph().as_default() as graph:
        i = tf.compat.v1.while_loop(lambda i: i < 5, lambda i: i + 1, [tf.constant(0)], name="loop")
        meta = tf.compat.v1.RunMetadata()
        with tf.compat.v1.Session() as sess:
            options = tf.compat.v1.RunOptions(trace_level=tf.compat.v1.RunOptions.FULL_TRACE)
            assert sess.run(i, options=options, run_metadata=meta) == 5
    view = GraphView(graph, run_metadata=meta, collapse=1)
    [frame] = [g for g in view.groups if g.kind == "frame"]
    assert (frame.name, frame.iterations) == ("loop", 5)
    assert drawing(view).box(frame.id).label == "loop\n11 ops, 5 iterations"
