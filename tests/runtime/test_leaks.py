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


def _widget_cell(logdir):
    """What a cell showing the workbench's widget views makes: a stepper view that has
    stepped, a builder that has run, summaries followed live by a thread."""
    from workbench.builder import GraphBuilder
    from workbench.stepper_view import StepperView
    from workbench.summary_view import SummaryView

    graph, sess, _ = _cell()
    with graph.as_default():
        stepper_view = StepperView(sess, "plus_one:0", {"x:0": [1.0, 1.0]})
    stepper_view.click_step()
    builder = GraphBuilder()
    builder.add("tf.constant", value=2.0, name="a")
    assert builder.run(["a:0"]) == {"a:0": 2.0}
    summaries = SummaryView(logdir, interval=0.01)
    return graph, sess, stepper_view, builder, summaries


def _widget_refs(graph, sess, stepper_view, builder, summaries) -> list:
    """Weak references to the objects of one cell, and to widgets deep in each view's
    tree (ipywidgets' registry holds every widget it was not told to close)."""
    deep = [stepper_view.buttons["Step"].style, builder.picture.layout, summaries.smoothing]
    objects = [graph, sess, stepper_view, builder, summaries, stepper_view.widget, *deep]
    return [weakref.ref(obj) for obj in objects]


def test_workbench_widget_views_closed_by_their_user_are_freed(tmp_path):
    pytest.importorskip("ipywidgets")
    refs = []
    for _ in range(5):
        objects = _widget_cell(str(tmp_path))
        refs += _widget_refs(*objects)
        for view in objects[2:]:
            view.close()
            assert view.closed and view._repr_mimebundle_() == {
                "text/plain": f"{type(view).__name__} (closed)"
            }
    del objects, view
    assert_freed(refs)


def test_workbench_widget_views_are_closed_when_their_cell_runs_again(tmp_path):
    pytest.importorskip("ipywidgets")
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.user_ns.update(widget_cell=_widget_cell, logdir=str(tmp_path))
    cell = "graph, sess, stepper_view, builder, summaries = widget_cell(logdir)"
    refs = []
    for _ in range(5):  # the same cell, run again and again, as Jupyter sends it
        assert shell.run_cell(cell, cell_id="cell-1").success
        made = (shell.user_ns[name] for name in cell.split(" = ")[0].split(", "))
        refs.append(_widget_refs(*made))
    assert_freed([ref for run in refs[:-1] for ref in run])
    # The last run's views are on the page: they work on.
    stepper_view = shell.user_ns["stepper_view"]
    stepper_view.click_finish()
    assert not stepper_view.closed and "finish() returned [2. 3.]" in stepper_view.message_box.value
    del stepper_view
    # Another cell runs with no effect on them; deleting their cell closes them (JupyterLab
    # sends the ids of deleted cells with the next execute request).
    assert shell.run_cell("1 + 1", cell_id="cell-2").success
    assert all(ref() is not None for ref in refs[-1])
    deleted = {"cellId": "cell-2", "deletedCells": ["cell-1"]}
    cleanup = "del graph, sess, stepper_view, builder, summaries"
    assert shell.run_cell(cleanup, cell_id="cell-2", cell_meta=deleted).success
    assert_freed(refs[-1])


def test_a_jupyter_kernel_closes_the_views_of_a_cell_sent_again_with_its_id():
    pytest.importorskip("ipywidgets")
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3")
    try:

        def run(code: str, **metadata) -> str:
            """Execute ``code`` as a front end does (``metadata.cellId``); its stdout."""
            content = {"code": code, "silent": False, "store_history": True}
            message = client.session.msg("execute_request", content, metadata=metadata)
            client.shell_channel.send(message)
            reply = client.get_shell_msg(timeout=60)
            while reply["parent_header"].get("msg_id") != message["header"]["msg_id"]:
                reply = client.get_shell_msg(timeout=60)  # a reply to start-up requests
            assert reply["content"]["status"] == "ok", reply["content"]
            out = ""
            while True:  # iopub ends each request's messages with an idle status
                output = client.get_iopub_msg(timeout=30)
                if output["parent_header"].get("msg_id") != message["header"]["msg_id"]:
                    continue
                if output["msg_type"] == "stream":
                    out += output["content"]["text"]
                if output["content"].get("execution_state") == "idle":
                    return out

        run("import gc, weakref\nfrom workbench import GraphBuilder\nrefs = []", cellId="a")
        for _ in range(3):
            run("builder = GraphBuilder(); refs.append(weakref.ref(builder))", cellId="b")
        assert run("gc.collect(); print([r() is None for r in refs])", cellId="c") == (
            "[True, True, False]\n"
        )
        run("del builder; gc.collect()", cellId="c", deletedCells=["b"])
        assert run("print([r() is None for r in refs])", cellId="c") == "[True, True, True]\n"
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
