"""TensorArrays: the programs of ``tensor_array_cases.py`` against TF's recorded answers,
finite-difference gradients, undo, and the class API's own checks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

import runtime as tf
from runtime.kernels.tensor_array import TensorArrayResource
from runtime.resources import Journal
from tests.fixtures.tf_rnn.tensor_array_cases import CASES, ROWS, run_case
from tests.runtime.gradcheck import check_gradients

FIXTURES = Path(__file__).parent.parent / "fixtures" / "tf_rnn"
RECORDS = json.loads((FIXTURES / "tensor_array.json").read_text())
VALUES = np.load(FIXTURES / "tensor_array.npz")
v1 = tf.compat.v1


def _without_array_names(text: str) -> str:
    """TF numbers arrays by a process-wide counter (``TensorArray_7``); compare without."""
    return re.sub(r"TensorArray [\w/]+_\d+(@[\w/]+)?", "TensorArray <name>", text).strip()


def _run(name):
    return run_case(v1, CASES[name])


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_case_matches_tensorflow(name):
    expected = RECORDS[name]
    outcome = _run(name)
    if "build_error" in expected:
        error = outcome.get("build_error")
        assert type(error).__name__ == expected["build_error"]["class"], outcome
        tf_text = expected["build_error"]["message"].split(" for '{{node")[0].strip()
        assert str(error).startswith(tf_text)
        return
    assert outcome["shapes"] == expected["shapes"]
    if "error" in expected:
        error = outcome.get("error")
        assert type(error).__name__ == expected["error"]["class"], outcome
        assert _without_array_names(expected["error"]["message"]) in _without_array_names(
            error.message
        )
        return
    assert "values" in outcome, outcome.get("error")
    assert len(outcome["values"]) == expected["count"]
    for i, value in enumerate(outcome["values"]):
        want = VALUES[f"{name}/{i}"]
        assert np.asarray(value).dtype == want.dtype
        np.testing.assert_allclose(value, want, rtol=1e-5, atol=1e-6, err_msg=f"fetch {i}")


def test_every_case_has_a_recorded_answer():
    assert sorted(CASES) == sorted(RECORDS)


def test_op_errors_name_the_op_and_where_it_was_made(graph, sess):
    ta = tf.TensorArray(tf.float32, 3)
    read = ta.read(0, name="early_read")
    with pytest.raises(tf.errors.InvalidArgumentError) as caught:
        sess.run(read)
    assert caught.value.op is read.op
    assert caught.value.message.startswith("TensorArrayReadV3 'early_read'")
    assert "test_tensor_array.py" in str(caught.value)


# -- finite differences ------------------------------------------------------------------


def test_gradient_of_unstack_read_write_stack_matches_finite_differences():
    def build(x, w):
        inputs = tf.TensorArray(tf.float64, 3).unstack(x)
        outputs = tf.TensorArray(tf.float64, 3)
        for i in range(3):
            outputs = outputs.write(i, tf.tanh(tf.matmul(inputs.read(i)[None, :], w))[0])
        return outputs.stack()

    rng = np.random.default_rng(1)
    check_gradients(build, [rng.standard_normal((3, 2)), rng.standard_normal((2, 2))])


def test_gradient_of_split_and_concat_matches_finite_differences():
    def build(x):
        ta = tf.TensorArray(tf.float64, 2, infer_shape=False).split(x, [3, 1])
        return ta.concat() ** 2

    check_gradients(build, [np.random.default_rng(2).standard_normal((4, 3))])


def test_gradient_of_scatter_and_gather_matches_finite_differences():
    def build(x):
        ta = tf.TensorArray(tf.float64, 3).scatter([2, 0, 1], x)
        return ta.gather([1, 2]) * x[:2]

    check_gradients(build, [np.random.default_rng(3).standard_normal((3, 2))])


def test_gradient_through_a_loop_matches_finite_differences():
    def build(x):
        inputs = tf.TensorArray(tf.float64, 4).unstack(x)
        outputs = tf.TensorArray(tf.float64, 4)

        def body(i, h, outputs):
            h = tf.sin(inputs.read(i) + h)
            return i + 1, h, outputs.write(i, h * h)

        _, h, outputs = v1.while_loop(
            lambda i, h, o: i < 4, body, [0, tf.zeros([2], tf.float64), outputs]
        )
        return [outputs.stack(), h]

    check_gradients(build, [np.random.default_rng(4).standard_normal((4, 2))])


# -- the class ------------------------------------------------------------------------------


def test_ops_and_names_follow_tensorflow(graph):
    ta = tf.TensorArray(tf.float32, 3)
    written = ta.write(0, [1.0, 2.0])
    read = written.read(0)
    stacked = ta.unstack(tf.constant(ROWS)).stack()
    grad = ta.grad("gradients")
    assert (ta.handle.op.type, ta.handle.op.name) == ("TensorArrayV3", "TensorArray")
    assert ta.handle.dtype == tf.resource and ta.flow.dtype == tf.float32
    assert written.flow.op.name == "TensorArrayWrite/TensorArrayWriteV3"
    assert read.op.name == "TensorArrayReadV3" and read.shape == tf.TensorShape([2])
    assert stacked.op.name == "TensorArrayStack/TensorArrayGatherV3"
    assert stacked.shape == tf.TensorShape([3, 2])
    assert (grad.handle.op.name, grad.flow.op.name) == (
        "TensorArrayGrad/TensorArrayGradV3",
        "TensorArrayGrad/gradient_flow",
    )
    assert grad.handle.op.get_attr("source") == "gradients"
    assert written.handle is ta.handle and written.element_shape == tf.TensorShape([2])


def test_writes_share_the_inferred_element_shape(graph):
    x = v1.placeholder(tf.float32, [None, 3])
    ta = tf.TensorArray(tf.float32, 2)
    first = ta.write(0, x)
    second = first.write(1, tf.zeros([4, 3]))
    assert ta.element_shape == tf.TensorShape([4, 3])
    assert first.read(0).shape == tf.TensorShape([4, 3])
    assert second.stack().shape == tf.TensorShape([2, 4, 3])


def test_infer_shape_off_leaves_shapes_unknown(graph):
    ta = tf.TensorArray(tf.float32, 2, infer_shape=False).write(0, [1.0]).write(1, [1.0, 2.0])
    assert ta.element_shape.rank is None
    assert ta.read(0).shape.rank is None


def test_dynamic_size_uses_the_size_op(graph):
    assert tf.TensorArray(tf.float32, 2, dynamic_size=True).size().op.type == "TensorArraySizeV3"
    static = tf.TensorArray(tf.float32, 2).size()
    assert static.op.type == "Const" and tf.get_static_value(static) == 2


def test_writing_another_dtype_is_refused(graph):
    with pytest.raises(TypeError, match="TensorArray has dtype float32, but the value written"):
        tf.TensorArray(tf.float32, 2).write(0, tf.constant([1, 2]))


def test_concat_of_scalars_says_why(graph):
    ta = tf.TensorArray(tf.float32, 2).write(0, 1.0)
    with pytest.raises(ValueError, match="needs elements of rank 1 or more"):
        ta.concat()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tensor_array_name": "x"}, "Cannot construct with both handle and tensor_array_name"),
        ({"size": 2}, "Cannot provide both a handle and size at the same time"),
        ({"element_shape": [2]}, "Cannot provide both a handle and element_shape"),
        ({"dynamic_size": True}, "Cannot provide both a handle and dynamic_size"),
        ({"clear_after_read": False}, "Cannot provide both a handle and clear_after_read"),
    ],
)
def test_wrapping_a_handle_refuses_creation_arguments(graph, kwargs, message):
    ta = tf.TensorArray(tf.float32, 2)
    with pytest.raises(ValueError, match=message):
        tf.TensorArray(tf.float32, handle=ta.handle, flow=ta.flow, **kwargs)


def test_a_handle_needs_its_flow(graph):
    ta = tf.TensorArray(tf.float32, 2)
    with pytest.raises(ValueError, match="flow must not be None"):
        tf.TensorArray(tf.float32, handle=ta.handle)
    with pytest.raises(TypeError, match="Handle must be a Tensor"):
        tf.TensorArray(tf.float32, handle="h", flow=ta.flow)


def test_gradient_source_must_come_from_a_gradients_scope(graph):
    from runtime.ops.tensor_array_ops import gradient_source

    with pytest.raises(ValueError, match="Expected op/tensor name to start with gradients"):
        gradient_source(tf.constant(1.0, name="plain"))


def test_each_run_gets_a_new_array(graph, sess):
    ta = tf.TensorArray(tf.float32, 1).write(0, v1.placeholder_with_default(1.0, []))
    value = ta.read(0)
    assert sess.run(value) == 1.0
    assert sess.run(value) == 1.0  # a second run does not see the first run's read


def test_the_loop_carries_arrays_of_the_body(graph, sess):
    def body(i, ta):
        return i + 1, ta.write(i, tf.cast(i, tf.float32) * 2.0)

    _, ta = v1.while_loop(lambda i, ta: i < 4, body, [0, tf.TensorArray(tf.float32, 4)])
    assert isinstance(ta, tf.TensorArray)
    np.testing.assert_array_equal(sess.run(ta.stack()), [0.0, 2.0, 4.0, 6.0])


# -- the resource -------------------------------------------------------------------------


def test_undo_restores_elements_growth_and_shape():
    ta = TensorArrayResource("ta_0", np.float32, 1, None, True, True, True)
    journal = Journal()
    ta.write_at(2, np.ones(3, np.float32), journal)
    assert (len(ta.elements), ta.element_shape) == (3, (3,))
    ta.read_at(2, journal)
    journal.rollback()
    assert (len(ta.elements), ta.element_shape) == (1, None)
    again = Journal()
    ta.write_at(0, np.zeros(2, np.float32), again)
    np.testing.assert_array_equal(ta.read_at(0, again), [0.0, 0.0])


def test_a_gradient_array_adds_writes_and_reads_zeros_of_forward_shapes():
    forward = TensorArrayResource("ta_1", np.float32, 2, None, False, True, False)
    journal = Journal()
    forward.write_at(1, np.ones((2, 2), np.float32), journal)
    grad = forward.gradient("gradients", journal)
    assert forward.gradient("gradients", journal) is grad
    assert grad.name == "ta_1@gradients"
    np.testing.assert_array_equal(grad.read_at(1, journal), np.zeros((2, 2)))
    other = forward.gradient("gradients_1", journal)
    other.write_at(0, np.ones(3, np.float32), journal)
    other.write_at(0, np.ones(3, np.float32), journal)
    np.testing.assert_array_equal(other.read_at(0, journal), [2.0, 2.0, 2.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Could not aggregate to"):
        other.write_at(1, np.ones(3, np.float32), journal)
        other.write_at(1, np.ones(2, np.float32), journal)
