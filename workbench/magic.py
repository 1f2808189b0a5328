"""The ``%%tfgraph`` cell magic: build a cell's graph in a fresh Graph and see it.

``%load_ext workbench`` registers it. The cell runs in the user's namespace with a
new ``Graph`` as the default (re-running a cell never piles ops into the global
graph); the graph is then shown coloured by where a session would place each op.
Errors show the user's cell line and TensorFlow's message, not the workbench's frames.
"""

from __future__ import annotations

import dataclasses
import re
import sys

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from IPython.display import display

from runtime.config import ConfigProto, RunMetadata, RunOptions
from runtime.errors import OpError, format_traceback
from runtime.graph import Graph
from runtime.session import Session

from .display import GraphDisplay
from .timeline_view import TimelineView
from .view import COLOR_BYS, GraphView

STEPPER_MISSING = "the step-through view is not installed (workbench/stepper_view.py is missing)"


@dataclasses.dataclass
class CellResult:
    """What ``--out NAME`` stores: the cell's graph, its open session and what ran."""

    graph: Graph
    session: Session
    results: dict  # fetch text -> value
    run_metadata: RunMetadata | None
    view: GraphView | None


@magics_class
class TFGraphMagics(Magics):
    """The workbench's magics."""

    @magic_arguments()
    @argument(
        "--run",
        metavar="FETCHES",
        help="Comma-separated op/tensor names or Python expressions to run; their values are shown.",
    )
    @argument("--feed", metavar="EXPR", help="A Python expression giving the feed_dict for --run.")
    @argument(
        "--config",
        metavar="EXPR",
        help="A Python expression giving the session's ConfigProto (e.g. several CPU devices).",
    )
    @argument(
        "--color",
        default="device",
        choices=COLOR_BYS,
        help="What colours the ops (default: device).",
    )
    @argument(
        "--collapse",
        default="auto",
        help="Scopes drawn as one box: 'auto' (above 300 ops), 'none', a depth (1 = top-level scopes) or comma-separated scope names.",
    )
    @argument(
        "--trace",
        action="store_true",
        help="Run --run with full tracing and show a timeline of ops per device and thread.",
    )
    @argument(
        "--step",
        action="store_true",
        help="Open the step-through view for --run instead of running.",
    )
    @argument(
        "--out",
        metavar="NAME",
        help="Store graph, session, results and run metadata in the namespace as NAME.",
    )
    @argument("--no-render", action="store_true", help="Do not show the graph.")
    @cell_magic
    def tfgraph(self, line, cell):
        """Build the cell's ops in a fresh Graph, then show the graph coloured by placement."""
        args = parse_argstring(self.tfgraph, line)
        if (args.trace or args.step or args.feed) and not args.run:
            raise UsageError("--trace, --step and --feed need --run FETCHES")
        graph = Graph()
        with graph.as_default():
            self._exec(cell)
        session = Session(graph=graph, config=self._eval(args.config) or ConfigProto())
        if args.step:
            return self._open_stepper(session, args)
        results, meta = self._run(session, args) if args.run else ({}, None)
        view = None if args.no_render else self._show_graph(session, meta, args)
        _print_values(results)
        if args.trace:
            display(TimelineView(meta, title="timeline"))
        if args.out:
            self.shell.user_ns[args.out] = CellResult(graph, session, results, meta, view)
        else:
            session.close()

    def _exec(self, cell: str) -> None:
        code = self.shell.transform_cell(cell)
        filename = self.shell.compile.cache(code, self.shell.execution_count, raw_code=cell)
        try:
            exec(compile(code, filename, "exec"), self.shell.user_ns)
        except Exception as err:
            raise tidy(err, filename) from None

    def _eval(self, expression: str | None):
        if expression is None:
            return None
        try:
            return eval(expression, self.shell.user_ns)
        except Exception as err:
            raise tidy(err) from None

    def _run(self, session: Session, args):
        fetches = self._fetches(session.graph, args.run)
        meta = RunMetadata() if args.trace else None
        options = RunOptions(trace_level=RunOptions.FULL_TRACE) if args.trace else None
        try:
            values = session.run(fetches, self._eval(args.feed), options, meta)
        except Exception as err:
            if not args.no_render:  # the graph helps to understand the failure
                self._show_graph(session, None, args)
            session.close()
            raise tidy(err) from None
        return dict(zip(split_fetches(args.run), values)), meta

    def _fetches(self, graph: Graph, run: str) -> list:
        """Each fetch is a Python expression (``y``, ``ops[0]``) or else an op/tensor name."""
        fetches = []
        for text in split_fetches(run):
            try:
                fetches.append(eval(text, self.shell.user_ns))
            except (NameError, SyntaxError):
                try:
                    fetches.append(graph.as_graph_element(text))
                except (KeyError, ValueError, TypeError) as err:
                    raise tidy(err) from None
            except Exception as err:
                raise tidy(err) from None
        return fetches

    def _show_graph(self, session: Session, meta, args) -> GraphView:
        options = {
            "run_metadata": meta,
            "color_by": args.color,
            "collapse": parse_collapse(args.collapse),
        }
        try:
            view = GraphView(session.graph, session, **options)
        except OpError as err:  # e.g. a /GPU:0 op without soft placement: still show the graph
            print(
                f"Placement failed, so the requested devices are shown:\n{err.message}",
                file=sys.stderr,
            )
            view = GraphView(session.graph, **options)
        display(GraphDisplay(view))
        return view

    def _open_stepper(self, session: Session, args):
        try:
            from .stepper_view import StepperView
        except ImportError:
            session.close()
            raise UsageError(STEPPER_MISSING) from None
        stepper = StepperView(
            session, self._fetches(session.graph, args.run), self._eval(args.feed)
        )
        if args.out:
            self.shell.user_ns[args.out] = CellResult(session.graph, session, {}, None, None)
        return stepper


def split_fetches(text: str) -> list:
    """Split ``--run`` text at top-level commas (commas inside brackets stay).

    Examples
    --------
    >>> split_fetches("y, layer/add:0, ops[0], f(a, b)")
    ['y', 'layer/add:0', 'ops[0]', 'f(a, b)']
    """
    items, depth, current = [], 0, ""
    for char in text:
        depth += (char in "([{") - (char in ")]}")
        if char == "," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += char
    return [item for item in [*items, current.strip()] if item]


def parse_collapse(text: str):
    """``--collapse`` text to ``GraphView``'s ``collapse``.

    Examples
    --------
    >>> parse_collapse("auto"), parse_collapse("none"), parse_collapse("2"), parse_collapse("a, b/c")
    ('auto', None, 2, ['a', 'b/c'])
    """
    if text in ("auto", "none"):
        return None if text == "none" else text
    if text.isdigit():
        return int(text)
    return [name.strip() for name in text.split(",") if name.strip()]


def _print_values(results: dict) -> None:
    for text, value in results.items():
        shown = repr(value)
        print(f"{text} =\n{shown}" if "\n" in shown else f"{text} = {shown}")


def tidy(err: BaseException, filename: str | None = None) -> BaseException:
    """Make IPython show ``err`` as TensorFlow would: the cell's lines, then the message.

    Only frames of the cell's own code (``filename``) are kept; the message of an
    ``OpError`` already ends with where its op was created.

    Examples
    --------
    >>> err = tidy(ValueError("Dimensions must be equal, but are 3 and 4"))
    >>> err._render_traceback_()
    ['ValueError: Dimensions must be equal, but are 3 and 4']
    """
    frames = []
    tb = err.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename == filename:
            frames.append((code.co_filename, tb.tb_lineno, code.co_name))
        tb = tb.tb_next
    lines = format_traceback(frames).splitlines() if frames else []
    if isinstance(err, SyntaxError) and err.filename == filename:
        lines += _syntax_lines(err)
        message = f"SyntaxError: {err.msg}"
    else:
        message = f"{type(err).__name__}: {err}"
    rendered = [*lines, *message.splitlines()]
    err._render_traceback_ = lambda: rendered
    return err


def _syntax_lines(err: SyntaxError) -> list:
    lines = format_traceback([(err.filename, err.lineno or 0, "<module>")]).splitlines()[:1]
    source = (err.text or "").rstrip("\n")
    if source:
        stripped = source.lstrip()
        caret = max((err.offset or 1) - 1 - (len(source) - len(stripped)), 0)
        lines += [f"    {stripped}", "    " + " " * caret + "^"]
    return lines


def cell_name_formatter(shell):
    """A ``runtime.errors`` filename formatter naming IPython cells ``<cell N>``."""

    def formatter(filename: str):
        named = shell.compile.format_code_name(filename)
        match = re.fullmatch(r"In\[(\d+)\]", named[1]) if named else None
        return f"<cell {match.group(1)}>" if match else None

    return formatter
