"""Interrupts in a real Jupyter kernel: the run ends at once, whatever its py_funcs do,
and the kernel's session stays usable."""

from __future__ import annotations

import time

import pytest
from jupyter_client.manager import start_new_kernel

SETUP = """
import time, threading
import runtime as tf
v1 = tf.compat.v1
graph = tf.Graph()
with graph.as_default():
    v = v1.Variable(0.0)
    def sleepy(x):
        time.sleep(60)
        return x
    def endless(x):
        while True:
            pass
    slow = [v1.py_func(sleepy, [tf.constant(float(k))], tf.float32) for k in range(2)]
    spin = v1.py_func(endless, [tf.constant(1.0)], tf.float32)
    with tf.control_dependencies(slow):
        after_slow = v1.assign_add(v, 1.0)
    with tf.control_dependencies([spin]):
        after_spin = v1.assign_add(v, 1.0)
    sess = v1.Session(graph=graph, config=v1.ConfigProto(inter_op_parallelism_threads=2, intra_op_parallelism_threads=1))
    sess.run(v.initializer)
"""


@pytest.fixture(scope="module")
def kernel():
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        reply = client.execute_interactive(SETUP, timeout=60)
        assert reply["content"]["status"] == "ok", reply
        yield manager, client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def _interrupted_run(manager, client, code: str) -> float:
    """Run ``code``, interrupt it after half a second; returns how long the reply took."""
    message = client.execute(code)
    time.sleep(0.5)
    began = time.monotonic()
    manager.interrupt_kernel()
    while True:
        reply = client.get_shell_msg(timeout=30)
        if reply["parent_header"].get("msg_id") == message:
            break
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    return time.monotonic() - began


@pytest.mark.parametrize("fetch", ["after_slow", "after_spin"])
def test_an_interrupt_ends_the_run_at_once(kernel, fetch):
    manager, client = kernel
    assert _interrupted_run(manager, client, f"sess.run({fetch})") < 5
    check = client.execute_interactive(
        "assert sess.run(v) == 0.0, sess.run(v)\nprint(sess.run(v + 1.0))", timeout=30
    )
    assert check["content"]["status"] == "ok", check


def test_a_second_interrupt_is_not_swallowed(kernel):
    manager, client = kernel
    for _ in range(2):
        assert _interrupted_run(manager, client, "sess.run(after_slow)") < 5
