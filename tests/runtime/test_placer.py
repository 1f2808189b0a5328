"""Placement: explicit and merged device specs, colocation, references, soft placement."""

from __future__ import annotations

import pytest

import runtime as tf
from runtime.devices import local_devices
from runtime.placer import Placer

tf1 = tf.compat.v1
CPU = "/job:localhost/replica:0/task:0/device:CPU:{}"


def place(graph, cpus=2, **kwargs):
    placer = Placer(local_devices({"CPU": cpus}), **kwargs)
    return {op.name: device for op, device in placer.place(graph.get_operations()).items()}


def test_unconstrained_ops_go_to_cpu_0(graph):
    tf.constant(1.0, name="a")
    assert place(graph) == {"a": CPU.format(0)}


def test_explicit_and_merged_specs(graph):
    with tf.device("/cpu:1"):
        tf.constant(1.0, name="a")
    with tf.device("/job:localhost"), tf.device("/device:CPU:1"):
        tf.constant(1.0, name="b")
    with tf.device("/device:CPU:*"):
        tf.constant(1.0, name="c")
    placement = place(graph)
    assert placement == {"a": CPU.format(1), "b": CPU.format(1), "c": CPU.format(0)}


def test_colocation_group_follows_its_anchor(graph):
    with tf.device("/cpu:1"):
        a = tf.constant(1.0, name="a")
    with graph.colocate_with(a.op):
        tf.identity(a, name="b")
    assert place(graph)["b"] == CPU.format(1)


def test_variables_keep_their_ops_together(graph):
    with tf.device("/cpu:1"):
        v = tf1.Variable(1.0, name="v")
    with tf.device("/cpu:0"):
        assign = tf1.assign(v, 2.0, name="assign")  # takes v by reference
    placement = place(graph, allow_soft_placement=True)
    assert placement["v"] == placement[assign.op.name] == CPU.format(1)


def test_placement_of_already_placed_ops_is_kept(graph):
    a = tf.constant(1.0, name="a")
    placer = Placer(local_devices({"CPU": 2}))
    first = placer.place(graph.get_operations())
    with graph.colocate_with(a.op):
        b = tf.identity(a, name="b")
    more = placer.place(graph.get_operations(), first)
    assert list(more) == [b.op] and more[b.op] == first[a.op]


def test_missing_device_without_soft_placement(graph):
    with tf.device("/device:GPU:0"):
        tf.constant(1.0, name="g")
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        place(graph)
    message = info.value.message
    assert message.startswith("Const 'g': Cannot assign a device for operation g")
    # TF 2.21's words
    assert (
        f"g was explicitly assigned to /device:GPU:0 but available devices are [ "
        f"{CPU.format(0)}, {CPU.format(1)} ]. Make sure the device specification refers to "
        "a valid device." in message
    )
    assert info.value.op.name == "g"


def test_missing_kernel_without_soft_placement(graph):
    with tf.device("/device:CPU:3"):
        tf.constant(1.0, name="far")
    with pytest.raises(tf.errors.InvalidArgumentError, match="assigned to /device:CPU:3 but"):
        place(graph, cpus=2)


@pytest.mark.parametrize("device", ["/job:ps/task:0", "/job:localhost/task:1", "/replica:1"])
def test_soft_placement_never_moves_an_op_to_another_job_or_task(graph, device):
    # TF 2.21 relaxes only the device type and index: these fail with soft placement too.
    with tf.device(device):
        tf.constant(1.0, name="pinned")
    with pytest.raises(tf.errors.InvalidArgumentError, match="pinned was explicitly assigned"):
        place(graph, allow_soft_placement=True)


def test_soft_placement_falls_back_to_cpu(graph):
    with tf.device("/job:localhost/device:GPU:0"):
        tf.constant(1.0, name="g")
    with tf.device("/cpu:7"):
        tf.constant(1.0, name="h")
    placement = place(graph, allow_soft_placement=True)
    assert placement == {"g": CPU.format(0), "h": CPU.format(0)}


def test_conflicting_colocation_requests(graph):
    with tf.device("/cpu:0"):
        a = tf.constant(1.0, name="a")
    with graph.colocate_with(a.op):
        b = tf.identity(a, name="b")
    b.op._set_device("/cpu:1")  # as an imported GraphDef may say
    with pytest.raises(
        tf.errors.InvalidArgumentError, match=r"Cannot colocate nodes (a and b|b and a)"
    ):
        place(graph)
    assert place(graph, allow_soft_placement=True)["b"] == CPU.format(0)  # the anchor wins


def test_log_device_placement_lines(graph):
    tf.constant(1.0, name="a")
    lines = []
    Placer(local_devices(), log_device_placement=True, log=lines.append).place(
        graph.get_operations()
    )
    assert lines == [f"a: (Const): {CPU.format(0)}"]


def test_session_placement_without_running(graph):
    with tf.device("/cpu:1"):
        tf.constant(1.0, name="a")
    with tf1.Session(config=tf1.ConfigProto(device_count={"CPU": 2})) as sess:
        assert sess.placement() == {"a": CPU.format(1)}
