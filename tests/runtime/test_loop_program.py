"""Simple loops run as straight-line programs (runtime.loop_program).

Which frames are simple, and that a loop run as its program gives what the same loop
gives run as dataflow: the values of every TF-recorded control-flow program, RNNs and
their gradients, errors, deadlines and cancellation from inside the loop.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import runtime as tf
from runtime import execution, loop_program
from runtime.plan import build_plan
from tests.runtime.control_flow_programs import PROGRAMS

v1 = tf.compat.v1
ONE_THREAD = v1.ConfigProto(inter_op_parallelism_threads=1)


def _as_dataflow(monkeypatch) -> None:
    """From now on every loop runs as dataflow: the execution state finds no program."""
    monkeypatch.setattr(execution, "program_for", lambda frame, plan: None)


def _programs(fetches, feeds=()) -> dict:
    """Frame name -> whether the frame runs as a program."""
    graph = v1.get_default_graph()
    ops = graph.get_operations()
    plan = build_plan(list(fetches), [], list(feeds), {op: "/cpu:0" for op in ops})
    return {
        frame.name: loop_program.program_for(frame, plan) is not None for frame in plan.frames[1:]
    }


def _lstm(sequence_length=None):
    x = v1.placeholder(tf.float32, [3, 6, 4], name="x")
    cell = v1.nn.rnn_cell.BasicLSTMCell(5)
    outputs, state = v1.nn.dynamic_rnn(cell, x, sequence_length=sequence_length, dtype=tf.float32)
    loss = tf.reduce_sum(outputs * outputs) + tf.reduce_sum(state.c)
    grads = tf.gradients(loss, [x, *v1.trainable_variables()])
    return [outputs, state.h, *grads], x


def _run_lstm(config, sequence_length=None) -> list:
    with tf.Graph().as_default():
        v1.set_random_seed(3)
        fetches, x = _lstm(sequence_length)
        feed = np.random.default_rng(0).standard_normal((3, 6, 4)).astype(np.float32)
        with v1.Session(config=config) as sess:
            sess.run(v1.global_variables_initializer())
            return sess.run(fetches, {x: feed})


# -- which frames are simple -----------------------------------------------------------


def test_rnn_loops_and_their_gradient_loops_are_programs(graph):
    fetches, x = _lstm(sequence_length=[6, 2, 4])
    frames = _programs(fetches, [x])
    assert frames == {
        "rnn/while/while_context": True,
        "gradients/rnn/while/while_context": True,  # with its ControlTrigger
    }


def test_a_cond_inside_a_loop_or_an_inner_loop_leaves_the_frame_to_dataflow(graph):
    fetches, feeds = PROGRAMS["cond_in_loop"](v1)
    assert set(_programs(fetches, feeds).values()) == {False}
    with tf.Graph().as_default():
        fetches, feeds = PROGRAMS["nested_loops"](v1)
        frames = _programs(fetches, feeds)
    # The inner loops are programs; the outer loops, holding them, are dataflow.
    assert sorted(frames.values()) == [False, False, True, True]


# -- the same results as dataflow ------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_every_control_flow_program_gives_what_dataflow_gives(name, monkeypatch):
    def run():
        with tf.Graph().as_default():
            fetches, feeds = PROGRAMS[name](v1)
            with v1.Session(config=ONE_THREAD) as sess:
                return sess.run(fetches, feeds)

    as_programs = run()
    _as_dataflow(monkeypatch)
    for got, expected in zip(as_programs, run()):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("sequence_length", [None, [6, 2, 4]])
@pytest.mark.parametrize("threads", [1, 2])
def test_an_lstm_and_its_gradients_give_what_dataflow_gives(sequence_length, threads, monkeypatch):
    config = v1.ConfigProto(inter_op_parallelism_threads=threads, intra_op_parallelism_threads=1)
    as_programs = _run_lstm(config, sequence_length)
    _as_dataflow(monkeypatch)
    for got, expected in zip(as_programs, _run_lstm(config, sequence_length)):
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)


def test_a_loop_that_never_iterates_passes_its_inputs_out(graph):
    i, x = v1.while_loop(lambda i, x: i < 0, lambda i, x: (i + 1, x * 2.0), [5, 1.5])
    assert _programs([i, x]) == {"while/while_context": True}
    with v1.Session(config=ONE_THREAD) as sess:
        assert sess.run([i, x]) == [5, 1.5]


@pytest.mark.parametrize("as_program", [True, False])
def test_the_merges_value_index_says_which_input_it_took(as_program, monkeypatch):
    if not as_program:
        _as_dataflow(monkeypatch)

    def body(i, taken):
        # Iteration 0 takes the Enter (input 0), the others the NextIteration (input 1).
        merge = v1.get_default_graph().get_operation_by_name("while/Merge")
        return i + 1, taken * 10 + merge.outputs[1]

    with tf.Graph().as_default():
        out = v1.while_loop(lambda i, taken: i < 3, body, [0, 0])
        with v1.Session(config=ONE_THREAD) as sess:
            assert list(sess.run(out)) == [3, 11]


# -- failures inside a program ---------------------------------------------------------


def test_a_kernel_error_in_an_iteration_names_its_op_and_leaves_the_session_usable(graph):
    n = v1.placeholder(tf.int32, [])

    def body(i, x):
        wrong = tf.reshape(x, tf.stack([i + 1, -1]), name="bad_reshape")
        return i + 1, tf.reshape(wrong, [6])

    out = v1.while_loop(lambda i, x: i < n, body, [0, tf.ones([6])])
    assert _programs([out[1]], [n]) == {"while/while_context": True}
    with v1.Session(config=ONE_THREAD) as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="while/bad_reshape"):
            sess.run(out, {n: 5})  # iteration 3 reshapes 6 values to [4, -1]
        assert sess.run(out[0], {n: 3}) == 3


def test_a_deadline_and_close_stop_an_endless_program(graph):
    def body(i):
        # A py_func: an op the program runs through the executor, not called directly.
        (step,) = tf.numpy_function(lambda: np.int32(1), [], [tf.int32])
        step.set_shape([])
        return i + step

    forever = v1.while_loop(lambda i: i >= 0, body, [tf.constant(0)])
    assert _programs([forever]) == {"while/while_context": True}
    with v1.Session(config=ONE_THREAD) as sess:
        start = time.monotonic()
        with pytest.raises(tf.errors.DeadlineExceededError):
            sess.run(forever, options=v1.RunOptions(timeout_in_ms=100))
        assert time.monotonic() - start < 5
    sess = v1.Session(config=ONE_THREAD)
    closer = threading.Timer(0.2, sess.close)
    closer.start()
    with pytest.raises(tf.errors.CancelledError) as caught:
        sess.run(forever)
    closer.join()
    assert caught.value.message == "Session has been closed."  # not the op's error


def test_stateful_ops_in_a_program_are_rolled_back_with_the_run(graph):
    counter = v1.get_variable("counter", [], tf.int32, v1.zeros_initializer())

    def body(i):
        bump = v1.assign_add(counter, 1)
        check = tf.debugging.assert_less(i, 3, message="too far")
        with tf.control_dependencies([bump, check]):
            return i + 1

    out = v1.while_loop(lambda i: i < 5, body, [0])
    with v1.Session(config=ONE_THREAD) as sess:
        sess.run(counter.initializer)
        with pytest.raises(tf.errors.InvalidArgumentError, match="too far"):
            sess.run(out)
        assert sess.run(counter) == 0


def test_a_loop_that_may_block_on_a_queue_stays_dataflow_with_a_pool(graph):
    queue = v1.FIFOQueue(5, tf.float32, shapes=[[]])
    fill = queue.enqueue_many([[1.0, 2.0, 4.0]])
    total = v1.while_loop(
        lambda i, s: i < 3, lambda i, s: (i + 1, s + queue.dequeue()), [0, tf.constant(0.0)]
    )
    plan = build_plan([total[1]], [], [], {op: "/cpu:0" for op in graph.get_operations()})
    assert loop_program.program_for(plan.frames[1], plan).blocking
    with v1.Session() as sess:  # an inter-op pool: the dequeue may wait
        sess.run(fill)
        assert sess.run(total[1]) == 7.0
