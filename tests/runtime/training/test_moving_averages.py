"""ExponentialMovingAverage and assign_moving_average against TF 2.21 (fixtures recorded
by tests/fixtures/tf_training/generate.py): shadow values over several steps, names,
zero debiasing, variables_to_restore and a Saver that loads the averages."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import runtime as tf
from runtime.training.moving_averages import assign_moving_average

v1 = tf.compat.v1
FIXTURES = Path(__file__).parents[2] / "fixtures" / "tf_training"
VALUES = np.load(FIXTURES / "training.npz")
NAMES = json.loads((FIXTURES / "training.json").read_text())


def test_averages_with_num_updates_match_tensorflow(graph, sess):
    step = tf.Variable(0, dtype=tf.int64, name="step", trainable=False)
    a = tf.Variable([1.0, 2.0], name="a")
    with v1.variable_scope("scope"):
        b = tf.Variable(3.0, name="b")
    ema = v1.train.ExponentialMovingAverage(0.9, num_updates=step)
    apply = ema.apply([a, b])
    with tf.control_dependencies([apply]):
        advance = v1.assign_add(step, 1)
    assert [ema.average_name(a), ema.average_name(b)] == NAMES["ema/average_names"]
    assert [ema.average(a).name, ema.average(b).name] == NAMES["ema/averages"]
    assert apply.name == NAMES["ema/apply"]
    assert [v.name for v in graph.get_collection("moving_average_variables")] == NAMES[
        "ema/moving_average_variables"
    ]
    restore = {name: v.name for name, v in ema.variables_to_restore().items()}
    assert restore == NAMES["ema/variables_to_restore"]
    sess.run(v1.global_variables_initializer())
    trace = []
    for i in range(6):
        sess.run([a.assign([1.0 + i, 2.0 - i]), b.assign(3.0 * i)])
        sess.run(advance)
        trace.append(np.concatenate([sess.run(ema.average(a)), [sess.run(ema.average(b))]]))
    np.testing.assert_allclose(trace, VALUES["ema/shadow"], rtol=1e-6)


@pytest.mark.parametrize("debias", [False, True], ids=["tensor", "debiased_tensor"])
def test_averages_of_tensors_start_at_zero_and_can_be_debiased(graph, sess, debias):
    a = tf.Variable([1.0, 2.0], name="a")
    loss = tf.reduce_sum(a * a, name="loss")
    ema = v1.train.ExponentialMovingAverage(0.5, zero_debias=debias)
    apply = ema.apply([a, loss])
    key = "ema_debias" if debias else "ema_tensor"
    assert sorted(v.op.name for v in v1.global_variables()) == NAMES[f"{key}/variables"]
    assert ema.average(loss).name == NAMES[f"{key}/average"]
    sess.run(v1.global_variables_initializer())
    trace = []
    for i in range(4):
        sess.run(a.assign([1.0 + i, 2.0 * i]))
        sess.run(apply)
        trace.append([*sess.run(ema.average(a)), sess.run(ema.average(loss))])
    np.testing.assert_allclose(trace, VALUES[f"{key}/shadow"], rtol=1e-6)


def test_saver_from_variables_to_restore_loads_the_averages(tmp_path):
    with tf.Graph().as_default():
        w = tf.Variable(0.0, name="w")
        ema = v1.train.ExponentialMovingAverage(0.5)
        update = ema.apply([w])
        saver = v1.train.Saver()
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            sess.run(w.assign(4.0))
            sess.run(update)  # the average: 0 + (4 - 0) * 0.5
            path = saver.save(sess, str(tmp_path / "model"))
    with tf.Graph().as_default():  # the evaluation graph: the model alone
        w = tf.Variable(0.0, name="w")
        ema = v1.train.ExponentialMovingAverage(0.5)
        restore = v1.train.Saver(ema.variables_to_restore())
        with v1.Session() as sess:
            restore.restore(sess, path)
            assert sess.run(w) == 2.0


def test_apply_refuses_ints_and_a_second_average(graph):
    ema = v1.train.ExponentialMovingAverage(0.9)
    with pytest.raises(TypeError, match="The variables must be half, float, or double: n:0"):
        ema.apply([tf.Variable(1, name="n")])
    w = tf.Variable(1.0, name="w")
    ema.apply([w])
    with pytest.raises(ValueError, match="Moving average already computed for: w:0"):
        ema.apply([w])


def test_assign_moving_average_op_names_and_values(graph, sess):
    average = tf.Variable([0.0, 10.0], name="average")
    step = assign_moving_average(average, [10.0, 0.0], 0.75, zero_debias=False)
    assert step.op.type == "AssignSub" and step.op.name == "AssignMovingAvg"
    sess.run(average.initializer)
    np.testing.assert_allclose(sess.run(step), [2.5, 7.5])
