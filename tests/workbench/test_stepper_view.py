"""The step-through view, driven through its Python model and its buttons."""

import numpy as np
import pytest
from conftest import status_fills
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

import runtime as tf
from workbench import StepperView, palette
from workbench.stepper_view import heatmap_svg, status_map, summarize


@pytest.fixture
def chain():
    """a -> b -> c -> d (fetched), each on a 2x2 value; "unused" is pruned."""
    graph = tf.Graph()
    with graph.as_default():
        a = tf.constant([[1.0, 2.0], [3.0, 4.0]], name="a")
        b = tf.negative(a, name="b")
        c = tf.multiply(b, b, name="c")
        d = tf.add(c, a, name="d")
        tf.identity(a, name="unused")
    with tf.compat.v1.Session(graph=graph) as sess:
        yield sess, d


def test_three_steps_colour_the_third_op_current_and_show_its_value(chain):
    sess, d = chain
    view = StepperView(sess, d)
    for _ in range(3):
        view.buttons["Step"].click()
    assert view.selected == "c"
    fills = status_fills(view.graph.payload)
    assert fills["c"] == palette.STATUS["current"]
    assert fills["a"] == fills["b"] == palette.STATUS["done"]
    assert fills["d"] == palette.STATUS["next"]
    assert fills["unused"] == palette.STATUS["unused"]
    assert 'data-op="c"' in view.inspector.value
    assert "[[ 1.  4.]\n [ 9. 16.]]" in view.inspector.value
    assert "min 1, max 16, mean 7.5, NaN 0, Inf 0" in view.inspector.value
    assert "<svg" in view.inspector.value  # a small 2-D value gets a heat map
    assert view.message == "next: d"


def test_continue_stops_at_a_breakpoint_and_finish_returns_the_run(chain):
    sess, d = chain
    view = StepperView(sess, d)
    view.add_breakpoint("op type", "Mul")
    assert view.breakpoint_list.options == ("type 'Mul'",)
    view.buttons["Continue"].click()
    assert view.status["c"] == "current"
    assert view.message == "stopped at breakpoint type 'Mul'; next: d"
    view.remove_breakpoint(0)
    assert view.breakpoint_list.options == ()
    view.buttons["Finish"].click()
    assert view.message == f"finish() returned {sess.run(d)}"
    view.buttons["Step"].click()
    assert view.message.startswith("RuntimeError: This stepped run has finished")
    view.buttons["Reset"].click()
    assert set(view.status.values()) == {"next", "pending", "unused"}


def test_run_to_selected_follows_the_node_selector(chain):
    sess, d = chain
    view = StepperView(sess, d)
    view.buttons["Run to selected"].click()
    assert view.message == "ValueError: Select an op to run to."
    assert palette.STATUS["error"] in view.message_box.value
    view.selector.value = "b"
    assert view.selected == "b" and "b:0: not computed" in view.inspector.value
    view.buttons["Run to selected"].click()
    assert view.stepper.done == [op for op in sess.graph.get_operations()[:2]]
    assert view.error is None


def test_inject_recomputes_and_nan_breakpoints_stop_at_the_source(chain):
    sess, d = chain
    view = StepperView(sess, d)
    view.add_breakpoint("op", "", nan_or_inf=True)
    view.buttons["Continue"].click()
    assert view.stepper.next is None  # no NaN anywhere
    view.inject("b:0", "[[nan, 0.0], [0.0, 0.0]]")
    assert view.message == "inject(b:0): pending again: c, d"
    view.buttons["Continue"].click()
    assert view.selected == "c" and "NaN 1, Inf 0" in view.inspector.value
    view.inject("b:0", "np.zeros((2, 2))")
    view.buttons["Finish"].click()
    assert view.message == f"finish() returned {sess.run(d, {'b:0': np.zeros((2, 2))})}"


def test_errors_are_shown_in_the_view_and_the_failed_op_is_marked(chain):
    sess, _ = chain
    graph = sess.graph
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, name="x")
        y = tf.matmul(x, x, name="y")
    view = StepperView(sess, y, {x: np.ones((2, 3))})
    view.buttons["Step"].click()
    assert view.message.startswith("InvalidArgumentError: BatchMatMulV2 'y'")
    assert view.status["y"] == "error"
    assert status_fills(view.graph.payload)["y"] == palette.STATUS["error"]
    view.inject("x", "not a value")
    assert view.message.startswith("SyntaxError")
    view.inject("x", "np.ones((3, 3))")
    view.buttons["Step"].click()
    assert view.status["y"] == "current" and view.error is None


def test_restore_button_undoes_variable_updates():
    with tf.Graph().as_default():
        w = tf.Variable([1.0, 2.0], name="w")
        train = tf.compat.v1.assign_add(w, [1.0, 1.0], name="train")
        with tf.compat.v1.Session() as sess:
            sess.run(w.initializer)
            view = StepperView(sess, train)
            view.buttons["Continue"].click()
            np.testing.assert_array_equal(sess.run(w), [2.0, 3.0])
            view.buttons["Restore"].click()
            assert view.message == "restore(): pending again: w, train"
            np.testing.assert_array_equal(sess.run(w), [1.0, 2.0])


def test_status_map_and_value_helpers():
    with tf.Graph().as_default():
        a = tf.constant(1.0, name="a")
        tf.negative(a, name="b")
        with tf.compat.v1.Session() as sess:
            stepper = sess.stepper(a)
            assert status_map(stepper) == {"a": "next", "b": "unused"}
            stepper.step()
            assert status_map(stepper) == {"a": "current", "b": "unused"}
    summary = summarize(np.array([[1, 2], [3, 4]], dtype=np.int32))
    assert (summary["min"], summary["max"], summary["mean"]) == (1.0, 4.0, 2.5)
    assert summarize(np.array([np.nan, np.inf, -np.inf]))["min"] is None
    picture = heatmap_svg(np.array([[0.0, np.nan], [1.0, 2.0]]))
    assert picture.count(palette.STATUS["error"]) == 1
    assert palette.SEQUENTIAL[0] in picture and palette.SEQUENTIAL[-1] in picture
    assert heatmap_svg(np.zeros((40, 2))) is None
    assert heatmap_svg(np.array([["a"]])) is None


def test_the_magic_opens_the_view():
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "workbench")
    cell = "import runtime as tf\ny = tf.negative(tf.constant(2.0, name='x'), name='y')"
    with capture_output() as captured:
        result = shell.run_cell(f"%%tfgraph --run y --step\n{cell}")
    assert result.success, captured.stderr
    view = result.result
    assert isinstance(view, StepperView)
    view.click_step()
    assert view.status == {"x": "current", "y": "next"}
    assert "application/vnd.jupyter.widget-view+json" in view._repr_mimebundle_()


def test_a_refresh_that_fails_says_why_in_the_view():
    with tf.Graph().as_default():
        b = tf.negative(tf.constant([1.0, 2.0], name="a"), name="b")
        sess = tf.compat.v1.Session()
    view = StepperView(sess, b)
    sess.close()
    view.buttons["Step"].click()
    assert view.message.startswith("RuntimeError: Attempted to use a closed Session.")
    assert "closed Session" in view.message_box.value


def test_running_a_step_cell_again_closes_the_view_it_showed():
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "workbench")
    cell = "%%tfgraph --run y --step\nimport runtime as tf\ny = tf.negative(tf.constant(2.0, name='x'), name='y')"
    with capture_output():
        first = shell.run_cell(cell, cell_id="step-cell").result
        second = shell.run_cell(cell, cell_id="step-cell").result  # Jupyter sends its id again
    assert first.closed and first.buttons["Step"].style.comm is None
    assert first._repr_mimebundle_() == {"text/plain": "StepperView (closed)"}
    second.buttons["Step"].click()
    assert not second.closed and second.status == {"x": "current", "y": "next"}
    first.click_step()  # a closed view still steps its run; it draws nothing
    assert first.message == "next: y" and "next: y" not in first.message_box.value
    assert first.session.run("y:0") == -2.0  # the session is not the view's to close
