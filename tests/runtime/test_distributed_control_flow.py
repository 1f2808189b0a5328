"""The Dask engine in the executor conformance suite: random TF1 programs with loops and
conds (``random_programs``), every op placed on a random task of the shared two-worker
LocalCluster, equal to a plain Python evaluation and to the in-process engine.

Loops run whole on one task, conds cross tasks with dead tensors between them, and
the gradients of loops keep their stacks on one worker.
"""

from __future__ import annotations

import random

import distributed
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import runtime as tf
from tests.runtime import random_programs
from tests.runtime.dask_clusters import run_in_process, shared_cluster, target_of

v1 = tf.compat.v1
EXAMPLES = settings(deadline=None, max_examples=12, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def target():
    cluster = shared_cluster()
    with distributed.Client(cluster, set_as_default=False) as client:
        # The programs' pooled identity is a test op: the workers register it too.
        client.run(__import__, "tests.runtime.random_programs")
    return target_of(cluster)


def random_tasks(seed: int):
    """A device function putting each op on task 0 or 1 at random."""
    choice = random.Random(seed)
    return lambda op: f"/job:worker/task:{choice.randint(0, 1)}"


def build(program, inputs, seed):
    placeholders = [v1.placeholder(tf.float64, [2]) for _ in inputs]
    with tf.device(random_tasks(seed)):
        out = tf.identity(random_programs.build(program, tf, placeholders))
    return out, dict(zip(placeholders, inputs))


def draw_inputs(data) -> list:
    return [
        np.array(data.draw(st.lists(st.floats(-2, 2), min_size=2, max_size=2)))
        for _ in range(random_programs.INPUTS)
    ]


@EXAMPLES
@given(program=random_programs.programs(), data=st.data(), seed=st.integers(0, 2**16))
def test_random_programs_on_random_tasks_match_python(target, program, data, seed):
    inputs = draw_inputs(data)
    with tf.Graph().as_default():
        out, feeds = build(program, inputs, seed)
        with v1.Session(target) as sess:
            got = sess.run(out, feeds)
    np.testing.assert_allclose(
        got, random_programs.evaluate(program, inputs), rtol=1e-9, atol=1e-12
    )


@settings(deadline=None, max_examples=6, suppress_health_check=[HealthCheck.too_slow])
@given(program=random_programs.programs(max_depth=2), seed=st.integers(0, 2**16))
def test_random_program_gradients_on_random_tasks_match_the_in_process_engine(
    target, program, seed
):
    inputs = [np.array([0.3 + k, -0.2 * k - 0.1]) for k in range(random_programs.INPUTS)]
    with tf.Graph().as_default():
        out, feeds = build(program, inputs, seed)
        loss = tf.reduce_sum(tf.square(out))
        grads = [
            g if g is not None else tf.zeros([2], tf.float64)
            for g in tf.gradients(loss, list(feeds))
        ]
        expected = run_in_process(grads, feeds)
        with v1.Session(target) as sess:
            got = sess.run(grads, feeds)
    for want, have in zip(expected, got):
        np.testing.assert_allclose(have, want, rtol=1e-9, atol=1e-12)
