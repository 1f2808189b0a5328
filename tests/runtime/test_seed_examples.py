"""Every example of the tf.compat.v1.Session documentation (the seed document) runs as printed.

Each example is kept verbatim; where the document elides a value with ``...`` the
substitution is listed next to it. The code runs with ``import runtime as tf``.
"""

from __future__ import annotations

import contextlib
import io
import textwrap

import pytest

import runtime as tf

EXAMPLES = {
    "class docstring": (
        """
        tf.compat.v1.disable_eager_execution() # need to disable eager in TF2.x
        # Build a graph.
        a = tf.constant(5.0)
        b = tf.constant(6.0)
        c = a * b

        # Launch the graph in a session.
        sess = tf.compat.v1.Session()

        # Evaluate the tensor `c`.
        print(sess.run(c)) # prints 30.0
        """,
        {},
        "30.0\n",
    ),
    "close()": (
        """
        # Using the `close()` method.
        sess = tf.compat.v1.Session()
        sess.run(...)
        sess.close()
        """,
        {"sess.run(...)": "print(sess.run(c))"},
        "30.0\n",
    ),
    "context manager": (
        """
        # Using the context manager.
        with tf.compat.v1.Session() as sess:
          sess.run(...)
        """,
        {"sess.run(...)": "print(sess.run(c))"},
        "30.0\n",
    ),
    "config": (
        """
        # Launch the graph in a session that allows soft device placement and
        # logs the placement decisions.
        sess = tf.compat.v1.Session(config=tf.compat.v1.ConfigProto(
            allow_soft_placement=True,
            log_device_placement=True))
        """,
        {},
        None,
    ),
    "as_default": (
        """
        c = tf.constant(..)
        sess = tf.compat.v1.Session()

        with sess.as_default():
          assert tf.compat.v1.get_default_session() is sess
          print(c.eval())
        """,
        {"tf.constant(..)": "tf.constant(42.0)"},
        "42.0\n",
    ),
    "as_default twice": (
        """
        c = tf.constant(...)
        sess = tf.compat.v1.Session()
        with sess.as_default():
          print(c.eval())
        # ...
        with sess.as_default():
          print(c.eval())

        sess.close()
        """,
        {"tf.constant(...)": "tf.constant(42.0)"},
        "42.0\n42.0\n",
    ),
    "list_devices": (
        """
        devices = sess.list_devices()
        for d in devices:
          print(d.name)
        """,
        {},
        "/job:localhost/replica:0/task:0/device:CPU:0\n",
    ),
}


def _run(code: str, substitutions: dict, namespace: dict) -> str:
    code = textwrap.dedent(code)
    for elided, concrete in substitutions.items():
        assert elided in code
        code = code.replace(elided, concrete)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<seed example>", "exec"), namespace)
    return out.getvalue()


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_seed_example_runs_as_printed(name):
    code, substitutions, expected = EXAMPLES[name]
    with tf.Graph().as_default():
        namespace = {"tf": tf}
        # The later examples continue the first one, as the document reads.
        _run(EXAMPLES["class docstring"][0], {}, namespace)
        output = _run(code, substitutions, namespace)
        if expected is not None:
            assert output == expected
        sess = namespace.get("sess")
        if sess is not None:
            sess.close()


def test_config_example_logs_placement(capsys):
    with tf.Graph().as_default():
        namespace = {"tf": tf}
        _run(EXAMPLES["class docstring"][0], {}, namespace)
        _run(EXAMPLES["config"][0], {}, namespace)
        sess = namespace["sess"]
        assert sess.run(namespace["c"]) == 30.0
        sess.close()
    out = capsys.readouterr().out
    assert "mul: (Mul): /job:localhost/replica:0/task:0/device:CPU:0" in out


def test_device_attributes_named_in_the_document():
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        (device,) = sess.list_devices()
    assert device.name == "/job:localhost/replica:0/task:0/device:CPU:0"
    assert device.device_type == "CPU"
    assert device.memory_limit == device.memory_limit_bytes > 0


def test_properties_named_in_the_document():
    with tf.Graph().as_default() as g:
        tf.constant(1.0)
        with tf.compat.v1.Session() as sess:
            assert sess.graph is g
            assert [n.op for n in sess.graph_def.node] == ["Const"]
            assert sess.sess_str == b""
