"""Nothing outlives its last user reference: re-running a notebook cell that builds a
graph, a session, a stepper, a view or a widget must not keep the old ones alive.

Each test makes the objects as a cell would, drops every reference, and checks with
weak references that the garbage collector freed them.
"""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import runtime as tf

tf1 = tf.compat.v1


def assert_freed(refs: list) -> None:
    gc.collect()
    alive = [ref() for ref in refs if ref() is not None]
    assert not alive, f"{len(alive)} of {len(refs)} still alive, e.g. {alive[0]!r}"


class Model:
    """A user's model object that holds its graph and wraps a method as a py_func."""

    def __init__(self):
        self.graph = tf.Graph()
        with self.graph.as_default():
            self.x = tf1.placeholder(tf.float32, [2], name="x")
            self.y = tf1.py_func(self.double, [self.x], tf.float32)

    def double(self, x):
        return x * 2.0


def test_graphs_with_bound_method_py_funcs_are_freed():
    refs = []
    for _ in range(1000):
        model = Model()
        refs.append(weakref.ref(model.graph))
    del model
    assert_freed(refs)


class GeneratorModel:
    """A model feeding a dataset from one of its own methods."""

    def __init__(self):
        self.graph = tf.Graph()
        with self.graph.as_default():
            dataset = tf.data.Dataset.from_generator(self.numbers, tf.float32)
            self.next = tf.compat.v1.data.make_one_shot_iterator(dataset).get_next()

    def numbers(self):
        yield from (1.0, 2.0)


def test_graphs_with_bound_method_generators_are_freed():
    refs = []
    for _ in range(200):
        model = GeneratorModel()
        refs.append(weakref.ref(model.graph))
    with model.graph.as_default(), tf1.Session() as sess:
        assert sess.run(model.next) == 1.0  # the table still serves a live graph
    del model, sess
    assert_freed(refs)


def test_a_py_func_graph_still_runs_while_it_is_referenced():
    model = Model()
    gc.collect()  # the table of functions lives with the graph, not beside it
    with model.graph.as_default(), tf1.Session() as sess:
        np.testing.assert_array_equal(sess.run(model.y, {model.x: [1.0, 2.0]}), [2.0, 4.0])


def _cell():
    """What a typical cell makes: a graph with a variable, a session run, a stepper."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf1.placeholder(tf.float32, [2], name="x")
        w = tf.Variable([1.0, 2.0], name="w")
        y = tf1.py_func(lambda a: a + 1.0, [x * w], tf.float32, name="plus_one")
        init = tf1.global_variables_initializer()
    sess = tf1.Session(graph=graph)
    sess.run(init)
    sess.run(y, {x: [1.0, 1.0]})
    stepper = sess.stepper(y, {x: [1.0, 1.0]})
    stepper.step()
    return graph, sess, stepper


@pytest.mark.parametrize("close", [True, False], ids=["closed", "left-open"])
def test_sessions_and_steppers_of_rerun_cells_are_freed(close):
    refs = []
    for _ in range(20):
        graph, sess, stepper = _cell()
        refs += [weakref.ref(graph), weakref.ref(sess), weakref.ref(stepper)]
        if close:
            sess.close()
    del graph, sess, stepper
    assert_freed(refs)


def test_workbench_views_of_rerun_cells_are_freed():
    from workbench.display import show
    from workbench.view import GraphView

    refs = []
    for _ in range(20):
        graph, sess, stepper = _cell()
        view = GraphView(graph)
        display = show(graph)
        display._repr_mimebundle_()
        refs += [weakref.ref(graph), weakref.ref(view), weakref.ref(display)]
        sess.close()
    del graph, sess, stepper, view, display
    assert_freed(refs)


@pytest.mark.xfail(
    strict=True,
    reason="ipywidgets keeps every widget in its registry until close(), and the views' "
    "widgets hold the view, its session and graph: a workbench fix, reported",
)
def test_workbench_widgets_of_rerun_cells_are_freed():
    pytest.importorskip("ipywidgets")
    from workbench.builder import GraphBuilder
    from workbench.stepper_view import StepperView

    refs = []
    for _ in range(5):
        graph, sess, _ = _cell()
        with graph.as_default():
            stepper_view = StepperView(sess, "plus_one:0", {"x:0": [1.0, 1.0]})
        stepper_view.click_step()
        builder = GraphBuilder()
        refs += [weakref.ref(graph), weakref.ref(stepper_view), weakref.ref(builder)]
    del graph, sess, stepper_view, builder
    assert_freed(refs)
