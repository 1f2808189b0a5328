"""The %%tfgraph cell magic, run in-process by IPython."""

import sys

import pytest
from conftest import nodes_by_name, validate
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

import runtime as tf
from workbench.cell_errors import CellSyntaxError
from workbench.magic import STEPPER_MISSING
from workbench.view import MIME_TYPE

CELL = """import runtime as tf
x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
with tf.name_scope("layer1"):
    w = tf.constant([[1.0], [2.0], [3.0]], name="w")
    with tf.device("/cpu:1"):
        y = tf.matmul(x, w, name="y")
"""
TWO_CPUS = "--config \"tf.compat.v1.ConfigProto(device_count={'CPU': 2})\""


@pytest.fixture(scope="module")
def ip():
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "workbench")
    shell.run_cell("import runtime as tf", store_history=True)
    return shell


def run(ip, line, cell=CELL):
    """Run a %%tfgraph cell as a notebook would; returns (result, captured output)."""
    with capture_output() as captured:
        result = ip.run_cell(f"%%tfgraph {line}\n{cell}", store_history=True)
    return result, captured


def payloads(captured):
    return [o.data[MIME_TYPE] for o in captured.outputs if MIME_TYPE in o.data]


def test_cell_builds_a_fresh_graph_each_time(ip):
    before = len(tf.compat.v1.get_default_graph().get_operations())
    run(ip, "--no-render --out first")
    run(ip, "--no-render --out second")
    first, second = ip.user_ns["first"], ip.user_ns["second"]
    assert first.graph is not second.graph
    assert [op.name for op in first.graph.get_operations()] == ["x", "layer1/w", "layer1/y"]
    assert [op.name for op in second.graph.get_operations()] == ["x", "layer1/w", "layer1/y"]
    assert len(tf.compat.v1.get_default_graph().get_operations()) == before
    assert ip.user_ns["y"].graph is second.graph  # the cell ran in the user namespace


def test_graph_is_shown_coloured_by_placement(ip):
    result, captured = run(ip, TWO_CPUS)
    assert result.success
    [payload] = payloads(captured)
    validate(payload)
    devices = {name: n.device[-5:] for name, n in nodes_by_name(payload).items()}
    assert devices == {"x": "CPU:0", "layer1/w": "CPU:0", "layer1/y": "CPU:1"}
    assert len(set(payload["colors"]["device"].values())) == 2
    [svg] = [o.data["image/svg+xml"] for o in captured.outputs if "image/svg+xml" in o.data]
    assert "CPU:1 (1)" in svg


def test_color_and_collapse_options(ip):
    _, captured = run(ip, "--color op --collapse layer1")
    [payload] = payloads(captured)
    assert payload["color_by"] == "op" and payload["expanded"] == []


def test_run_shows_values_and_out_stores_them(ip):
    result, captured = run(ip, f"{TWO_CPUS} --run y,layer1/w:0 --feed {{x:[[1,1,1]]}} --out res")
    assert result.success, captured.stdout
    assert "y = array([[6.]], dtype=float32)" in captured.stdout
    res = ip.user_ns["res"]
    assert res.results["y"].tolist() == [[6.0]] and res.results["layer1/w:0"].shape == (3, 1)
    assert res.session.run(res.graph.get_tensor_by_name("layer1/w:0")).shape == (3, 1)  # still open
    res.session.close()


def test_trace_shows_a_timeline_and_times(ip):
    result, captured = run(
        ip, f"{TWO_CPUS} --run y --feed {{x:[[1,2,3]]}} --trace --color time --out traced"
    )
    assert result.success, captured.stdout
    [payload] = payloads(captured)
    assert {name for name, n in nodes_by_name(payload).items() if n.time_us is not None} == {
        "layer1/w",
        "layer1/y",
    }
    timelines = [
        o.data for o in captured.outputs if o.data.get("text/plain", "").startswith("timeline:")
    ]
    assert len(timelines) == 1 and 'class="op"' in timelines[0]["image/svg+xml"]
    assert ip.user_ns["traced"].run_metadata.step_stats.dev_stats


def test_no_render_shows_nothing(ip):
    _, captured = run(ip, "--no-render")
    assert captured.outputs == []


def test_options_that_need_run_say_so(ip):
    result, captured = run(ip, "--trace")
    assert isinstance(result.error_in_exec, UsageError)
    assert "--trace, --step and --feed need --run FETCHES" in captured.stdout + captured.stderr


def test_step_opens_the_step_through_view(ip):
    from workbench.stepper_view import StepperView

    result, _ = run(ip, f"{TWO_CPUS} --run y --feed {{x:[[1,1,1]]}} --step --out stepped")
    assert isinstance(result.result, StepperView)
    stepper = result.result
    stepper.click_finish()
    assert stepper.message == "finish() returned [[6.]]"
    ip.user_ns["stepped"].session.close()


def test_step_without_the_stepper_says_it_is_not_installed(ip, monkeypatch):
    monkeypatch.setitem(sys.modules, "workbench.stepper_view", None)  # import fails
    result, captured = run(ip, "--run y --step")
    assert isinstance(result.error_in_exec, UsageError)
    assert STEPPER_MISSING in captured.stdout + captured.stderr


def test_build_error_shows_the_cell_line_and_tf_message(ip):
    bad = "import runtime as tf\na = tf.constant([[1.0, 2.0]])\nb = tf.matmul(a, a)\n"
    result, captured = run(ip, "", bad)
    assert isinstance(result.error_in_exec, ValueError)
    shown = captured.stdout
    assert f'File "<cell {result.execution_count}>", line 3, in <module>' in shown
    assert "b = tf.matmul(a, a)" in shown
    assert "ValueError: " in shown and "MatMul" in shown
    assert "magic.py" not in shown and "site-packages" not in shown and "runtime/" not in shown
    cell = f"<cell {result.execution_count}>"
    assert f'op created at "{cell}", line 3' in str(result.error_in_exec)


def test_run_error_shows_the_tf_error_and_where_the_op_was_made(ip):
    result, captured = run(ip, f"{TWO_CPUS} --run y")  # x is not fed
    assert isinstance(result.error_in_exec, tf.errors.InvalidArgumentError)
    shown = captured.stdout
    assert shown.lstrip().startswith("InvalidArgumentError: ")
    assert f'File "<cell {result.execution_count}>", line 2, in <module>' in shown
    assert "run_cell_magic" not in shown and "test_magic.py" not in shown
    assert "magic.py" not in shown and "site-packages" not in shown
    assert payloads(captured)  # the graph is still shown, to help


def test_syntax_error_points_into_the_cell(ip):
    result, captured = run(ip, "", "x = (1,\ny = 2 +\n")
    assert isinstance(result.error_in_exec, CellSyntaxError)
    assert isinstance(result.error_in_exec.__cause__, SyntaxError)
    assert f'File "<cell {result.execution_count}>"' in captured.stdout
    assert "SyntaxError: " in captured.stdout and "magic.py" not in captured.stdout


def test_impossible_placement_still_shows_the_requested_devices(ip):
    cell = "import runtime as tf\nwith tf.device('/GPU:0'):\n    g = tf.constant(1.0, name='g')\n"
    result, captured = run(ip, "", cell)
    assert result.success
    assert "Placement failed, so the requested devices are shown" in captured.stderr
    [payload] = payloads(captured)
    assert not payload["placed"] and payload["devices"][0]["name"] == "/device:GPU:0"


def test_line_magic_shows_and_runs_the_default_graph(ip):
    graph = tf.Graph()
    with graph.as_default():
        ip.user_ns["c"] = tf.constant(2.0, name="c")
        with capture_output() as captured:
            ip.run_line_magic("tfgraph", "--run c --color op")
    [payload] = payloads(captured)
    assert payload["nodes"]["name"] == ["c"] and payload["color_by"] == "op"
    assert "c = np.float32(2.0)" in captured.stdout or "c = 2.0" in captured.stdout


def test_help_documents_every_option(ip):
    with capture_output() as captured:
        ip.run_cell("%tfgraph?")
    assert "--collapse COLLAPSE" in captured.stdout
    doc = ip.find_cell_magic("tfgraph").__doc__
    for option in [
        "--run",
        "--feed",
        "--config",
        "--color",
        "--collapse",
        "--trace",
        "--step",
        "--out",
        "--no-render",
    ]:
        assert option in doc


def test_graphs_display_themselves_once_loaded(ip):
    graph = tf.Graph()
    with graph.as_default():
        tf.constant(1.0, name="c")
    data, _ = ip.display_formatter.format(graph)
    assert data[MIME_TYPE]["nodes"]["name"] == ["c"]
    assert data["text/plain"].startswith("tfgraph: 1 ops")


def test_ops_made_in_cells_name_the_cell(ip):
    result, captured = run(ip, "")
    [payload] = payloads(captured)
    made = {name: n.created_at for name, n in nodes_by_name(payload).items()}
    assert made["layer1/y"] == f"<cell {result.execution_count}>, line 6"


def test_unloading_removes_the_graph_display_and_cell_names(ip):
    graph = tf.Graph()
    cell = ip.compile.cache("pass", 7)
    assert tf.errors.display_filename(cell) == "<cell 7>"
    ip.run_line_magic("unload_ext", "workbench")
    try:
        data, _ = ip.display_formatter.format(graph)
        assert MIME_TYPE not in data
        assert tf.errors.display_filename(cell) == cell
    finally:
        ip.run_line_magic("load_ext", "workbench")
    assert MIME_TYPE in ip.display_formatter.format(graph)[0]
    assert tf.errors.display_filename(cell) == "<cell 7>"
