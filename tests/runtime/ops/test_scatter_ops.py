"""TF1 variable updates at indices (``scatter_*``, ``scatter_nd_*``,
``batch_scatter_update``): results against numpy, rollback of a failed step, the
compensation of additive updates, and TF's errors. TF's values are checked in
``test_array_fixtures.py``."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import runtime as tf
from runtime.errors import FailedPreconditionError, InvalidArgumentError

v1 = tf.compat.v1


def _variable(sess, value):
    variable = v1.Variable(np.asarray(value))
    sess.run(variable.initializer)
    return variable


@pytest.mark.parametrize(
    ("update", "combine"),
    [
        (v1.scatter_update, lambda rows, u: u),
        (v1.scatter_add, np.add),
        (v1.scatter_sub, np.subtract),
        (v1.scatter_mul, np.multiply),
        (v1.scatter_div, np.divide),
        (v1.scatter_min, np.minimum),
        (v1.scatter_max, np.maximum),
    ],
)
def test_row_updates_match_numpy(sess, update, combine):
    start = np.arange(1.0, 13.0, dtype=np.float32).reshape(4, 3)
    rows = np.array([3, 1], np.int32)
    updates = np.linspace(0.5, 3.0, 6, dtype=np.float32).reshape(2, 3)
    variable = _variable(sess, start)
    out = update(variable, rows, updates)
    assert out.dtype.is_ref_dtype and out.dtype.base_dtype == tf.float32
    assert out.shape == tf.TensorShape([4, 3])
    expected = start.copy()
    expected[rows] = combine(start[rows], updates)
    np.testing.assert_allclose(sess.run(out), expected, rtol=1e-6)
    np.testing.assert_allclose(sess.run(variable), expected, rtol=1e-6)


def test_repeated_rows_add_up_and_scalars_broadcast(sess):
    variable = _variable(sess, np.zeros((3, 2), np.float32))
    sess.run(v1.scatter_add(variable, [1, 1, 2], np.ones((3, 2), np.float32)))
    sess.run(v1.scatter_sub(variable, [0], 5.0))  # a scalar update: every element of the rows
    assert sess.run(variable).tolist() == [[-5, -5], [2, 2], [1, 1]]


def test_nd_updates_and_batch_scatter_update(sess):
    variable = _variable(sess, np.zeros((2, 3), np.int32))
    sess.run(v1.scatter_nd_update(variable, [[0, 2], [1, 0]], [7, 8]))
    sess.run(v1.scatter_nd_add(variable, [[1]], [[1, 1, 1]]))
    sess.run(v1.scatter_nd_sub(variable, [[0, 2]], [2]))
    assert sess.run(variable).tolist() == [[0, 0, 5], [9, 1, 1]]
    batched = _variable(sess, np.zeros((2, 4), np.float32))
    sess.run(v1.batch_scatter_update(batched, [[1, 3], [0, 0]], [[1.0, 2.0], [3.0, 3.0]]))
    assert sess.run(batched).tolist() == [[0, 1, 0, 2], [3, 0, 0, 0]]


def test_a_failed_step_rolls_the_updates_back(sess):
    variable = _variable(sess, np.ones(3, np.float32))
    update = v1.scatter_add(variable, [0, 2], [5.0, 5.0])
    with tf.control_dependencies([update]):
        failing = tf.gather(tf.constant([1.0]), [4])  # fails after the update ran
    with pytest.raises(InvalidArgumentError, match=r"indices\[0\] = 4 is not in \[0, 1\)"):
        sess.run(failing)
    assert sess.run(variable).tolist() == [1.0, 1.0, 1.0]


def test_rollback_takes_an_add_back_out_of_a_value_others_changed(sess):
    # Two steps add concurrently; the second fails: only its own addition is undone.
    variable = _variable(sess, np.zeros(2, np.float32))
    started, resume = threading.Event(), threading.Event()

    def slow_condition():
        started.set()
        resume.wait(5)
        return np.float32(0)

    update = v1.scatter_add(variable, [0], [10.0])
    with tf.control_dependencies([update]):
        wait = tf.compat.v1.py_func(slow_condition, [], tf.float32)
    with tf.control_dependencies([wait]):
        failing = tf.gather(tf.constant([1.0]), [4])
    errors = []

    def failing_step():
        try:
            sess.run(failing)
        except InvalidArgumentError as err:
            errors.append(err)

    worker = threading.Thread(target=failing_step)
    worker.start()
    assert started.wait(5)
    sess.run(v1.scatter_add(variable, [0, 1], [1.0, 2.0]))  # another step, meanwhile
    resume.set()
    worker.join(5)
    assert len(errors) == 1
    assert sess.run(variable).tolist() == [1.0, 2.0]


def test_integer_division_truncates_and_division_by_zero_is_refused(sess):
    variable = _variable(sess, np.array([7, -7], np.int32))
    sess.run(v1.scatter_div(variable, [0, 1], [2, 2]))
    assert sess.run(variable).tolist() == [3, -3]
    with pytest.raises(InvalidArgumentError, match="Integer division by zero"):
        sess.run(v1.scatter_div(variable, [0], [0]))
    assert sess.run(variable).tolist() == [3, -3]


def test_errors_are_tfs(sess):
    variable = v1.Variable([1.0, 2.0])
    with pytest.raises(FailedPreconditionError, match="uninitialized"):
        sess.run(v1.scatter_update(variable, [0], [3.0]))
    sess.run(variable.initializer)
    with pytest.raises(InvalidArgumentError, match=r"indices\[1\] = 2 is not in \[0, 2\)"):
        sess.run(v1.scatter_update(variable, [0, 2], [3.0, 4.0]))
    with pytest.raises(TypeError, match="requires that input 'ref' be a mutable tensor"):
        v1.scatter_update(tf.constant([1.0]), [0], [2.0])
    with pytest.raises(TypeError, match="Expected float32 passed to parameter 'updates'"):
        v1.scatter_update(variable, [0], ["a"])
    with pytest.raises(TypeError, match="parameter 'ref' has DataType string not in list"):
        v1.scatter_add(v1.Variable(["a"]), [0], ["b"])
    with pytest.raises(
        InvalidArgumentError, match=r"indices\[0\] = \[3\] does not index into shape \[2\]"
    ):
        sess.run(v1.scatter_nd_update(variable, [[3]], [1.0]))


def test_updates_have_no_gradient_or_tfs_lookup_error(graph):
    variable = v1.Variable([1.0, 2.0])
    updates = v1.placeholder(tf.float32, [1])
    added = v1.scatter_add(variable, [0], updates)
    assert tf.gradients(added, updates) == [None]
    replaced = v1.scatter_update(variable, [0], updates)
    with pytest.raises(LookupError, match="op type: ScatterUpdate"):
        tf.gradients(replaced, updates)
