"""The ``%%tfgraph`` magic: build a cell's graph in a fresh Graph and see it.

``%load_ext workbench`` registers it. The cell runs in the user's namespace with a
new ``Graph`` as the default (re-running a cell never piles ops into the global
graph); the graph is then shown coloured by where a session would place each op.
Errors show the user's cell line and TensorFlow's message, not the workbench's frames.
"""

from __future__ import annotations

import dataclasses
import sys

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from IPython.display import display

from runtime.config import ConfigProto, RunMetadata, RunOptions
from runtime.errors import OpError
from runtime.graph import Graph, get_default_graph
from runtime.session import Session

from .cell_errors import cell_number, reraise
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
        default="auto",
        choices=("auto", *COLOR_BYS),
        help="What colours the ops (default: device when they run on several, else op category).",
    )
    @argument(
        "--collapse",
        default="auto",
        help="Groups drawn closed: 'auto' (at most 25 boxes at first sight), 'none', a depth (1 = top-level groups) or comma-separated scope names.",
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
    @argument(
        "--summaries",
        metavar="LOGDIR",
        help="Show LOGDIR's summaries as charts that follow what the cell writes (SummaryView).",
    )
    @line_cell_magic
    def tfgraph(self, line, cell=None):
        """Build the cell's ops in a fresh Graph, then show the graph coloured by placement.

        As a line magic (``%tfgraph --run y``) it shows and runs the default graph.
        """
        args = _unquoted(parse_argstring(self.tfgraph, line))
        if (args.trace or args.step or args.feed) and not args.run:
            raise UsageError("--trace, --step and --feed need --run FETCHES")
        if args.summaries:  # shown first, so it updates while the cell trains
            from .summary_view import SummaryView

            display(SummaryView(args.summaries))
        if cell is None:
            graph, filename = get_default_graph(), None
        else:
            graph = Graph()
            with graph.as_default():
                filename = self._exec(cell)
        session = self._session(graph, args.config)
        if args.step:
            return self._open_stepper(session, args)
        results, meta = self._run(session, args, filename) if args.run else ({}, None)
        view = None if args.no_render else self._show_graph(session, meta, args)
        _print_values(results)
        if args.trace:
            display(TimelineView(meta, title="timeline"))
        if args.out:
            self.shell.user_ns[args.out] = CellResult(graph, session, results, meta, view)
        else:
            session.close()

    def _exec(self, cell: str) -> str:
        """Run the cell's code in the user namespace; returns the name it was compiled under."""
        code = self.shell.transform_cell(cell)
        filename = self.shell.compile.cache(code, self._cell_number(), raw_code=cell)
        try:
            exec(compile(code, filename, "exec"), self.shell.user_ns)
        except Exception as err:
            reraise(err, filename)
        return filename

    def _cell_number(self) -> int:
        """The number of the notebook cell running this magic (its code is on the stack)."""
        frame = sys._getframe(1)
        while frame is not None:
            number = cell_number(self.shell, frame.f_code.co_filename)
            if number is not None:
                return number
            frame = frame.f_back
        return self.shell.execution_count

    def _session(self, graph: Graph, config: str | None) -> Session:
        config = self._eval(config) or ConfigProto()
        try:
            return Session(graph=graph, config=config)
        except Exception as err:
            reraise(err)

    def _eval(self, expression: str | None):
        if expression is None:
            return None
        try:
            return eval(expression, self.shell.user_ns)
        except Exception as err:
            reraise(err)

    def _run(self, session: Session, args, filename: str | None):
        fetches, feeds = self._fetches_and_feeds(session, args)
        meta = RunMetadata() if args.trace else None
        options = RunOptions(trace_level=RunOptions.FULL_TRACE) if args.trace else None
        try:
            values = session.run(fetches, feeds, options, meta)
        except Exception as err:
            if not args.no_render:  # the graph helps to understand the failure
                self._show_graph(session, None, args)
            session.close()
            reraise(err, filename)
        return dict(zip(split_fetches(args.run), values)), meta

    def _fetches_and_feeds(self, session: Session, args) -> tuple:
        """``--run`` and ``--feed`` evaluated: ``(fetches, feed_dict)``."""
        with session.graph.as_default():  # ops that fetch expressions build join this graph
            return self._fetches(session.graph, args.run), self._eval(args.feed)

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
                    reraise(err)
            except Exception as err:
                reraise(err)
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
        fetches, feeds = self._fetches_and_feeds(session, args)
        try:
            stepper = StepperView(session, fetches[0] if len(fetches) == 1 else fetches, feeds)
        except Exception as err:
            session.close()
            reraise(err)
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


def _unquoted(args):
    """IPython keeps the quotes around option values (``--config "X(a=1)"``): drop them."""
    for key, value in vars(args).items():
        if (
            isinstance(value, str)
            and len(value) > 1
            and value[0] == value[-1]
            and value[0] in "'\""
        ):
            setattr(args, key, value[1:-1])
    return args
