"""TF1's small graph conveniences checked against TF's behaviour: ``Tensor.ref()`` and
``Variable.ref()`` (identity-keyed handles), op and scope names given as bytes, and a
device scope exited out of order."""

from __future__ import annotations

import pytest

import runtime as tf

v1 = tf.compat.v1


def test_tensor_and_variable_refs_key_by_identity(graph):
    a, b = tf.constant(1.0), tf.constant(1.0)
    variable = v1.Variable(2.0)
    table = {a.ref(): "a", b.ref(): "b", variable.ref(): "v"}
    assert table[a.ref()] == "a" and table[b.ref()] == "b" and table[variable.ref()] == "v"
    assert a.ref() != b.ref() and a.ref().deref() is a
    assert a.experimental_ref() == a.ref()
    assert variable.ref().deref() is variable
    assert repr(a.ref()).startswith("<Reference wrapping <tf.Tensor")


def test_names_given_as_bytes(graph):
    c = tf.constant(1.0, name=b"c")
    with tf.name_scope(b"outer"):
        i = tf.identity(c, name=b"i")
    assert c.name == "c:0" and i.name == "outer/i:0"
    assert graph.get_operation_by_name("outer/i") is i.op


def test_a_device_scope_exited_out_of_order_raises_as_tf(graph):
    outer, inner = graph.device("/cpu:0"), graph.device("/cpu:1")
    outer.__enter__()
    inner.__enter__()
    with pytest.raises(RuntimeError, match="Exiting device scope without proper scope nesting"):
        outer.__exit__(None, None, None)
    assert tf.constant(1.0).device == "/device:CPU:1"  # the scopes are as they were
    inner.__exit__(None, None, None)
    assert tf.constant(2.0).device == "/device:CPU:0"
