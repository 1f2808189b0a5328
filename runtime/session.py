"""``Session``: runs a graph in the in-process engine, as ``tf.compat.v1.Session`` does.

A run turns its fetch structure into a flat list of unique tensors and ops
(:class:`FetchMapper`), checks and converts the feeds with TF's rules, gets the cached
plan for (fetches, feeds, targets), places what is not placed yet, executes, and
rebuilds the fetch structure from the values. Resources (variables, queues) live in
the session until it is closed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import itertools
import logging
import threading
import time
import weakref

from .config import ConfigProto, RunMetadata, RunOptions
from .engines import (
    ThreadPools,
    engine_for_target,
    is_remote_target,
    make_engine,
    register_engine,  # noqa: F401 - re-exported: engines register through the session module
)
from .errors import CancelledError, InvalidArgumentError, OpError
from .executor import Hooks, RunContext, in_order
from .fetching import (
    FetchMapper,
    as_result,
    convert_feed,
    flatten_feed_items,
    partial_run_feeds,
    register_session_run_conversion_functions,  # noqa: F401 - re-exported (tf.compat.v1)
    structure_key,
)
from .graph import Graph, Tensor, get_default_graph
from .graph_def import GraphDef
from .grappler import OptimizedGraph, Passes, optimize
from .placer import Placer
from .plan import Plan, build_plan, prune
from .proto import graph_pb2
from .protobuf import to_proto
from .resources import ResourceManager
from .tracing import StepStatsCollector

_logger = logging.getLogger("runtime")
_live_sessions: weakref.WeakSet = weakref.WeakSet()
_PLAN_CACHE_SIZE = 1024
_NO_FEEDS: frozenset = frozenset()


@dataclasses.dataclass(eq=False)
class PreparedRun:
    """A run checked and planned but not started, for drivers other than ``run``.

    The stepper (:mod:`runtime.stepper`) executes ``plan`` itself, one op at a time,
    with the same ``execute_step`` and state as ``Session.run``.

    Attributes
    ----------
    mapper : FetchMapper
        The fetch structure, flattened into unique elements.
    feeds : dict
        ``Tensor -> numpy value``, checked and converted with TF's feed rules.
    plan : Plan
        The session's cached, placed plan for these fetches and feeds.
    context : RunContext
        The session's resources, a journal and a cancellation (no pool, hooks or deadline).
    graph : Graph
        The graph whose ops the plan runs: the graph as run when the graph optimizer
        rewrote the run (:mod:`runtime.grappler`), else the session's.
    """

    mapper: FetchMapper
    feeds: dict
    plan: Plan
    context: RunContext
    graph: Graph

    def element(self, obj):
        """``obj`` (a tensor, op or name) as the element of :attr:`graph` computing it."""
        rewrite = self.plan.rewrite
        if rewrite is None:
            return self.graph.as_graph_element(obj, allow_tensor=True, allow_operation=True)
        return rewrite.as_run(obj)

    def initial_values(self) -> list:
        """The plan's slot list with the feeds in their slots."""
        return self.plan.initial_values(self.feeds)

    def results(self, values: list):
        """The fetch structure from the plan's slot list, exactly as ``run`` returns it."""
        return self.mapper.results(self.plan.fetched(values))

    @staticmethod
    def fetched(value):
        """One slot's value as a fetch returns it (numpy scalars for 0-d, no shared storage)."""
        return as_result(value)


@contextlib.contextmanager
def _collector_paused():
    """Pause the garbage collector while a plan is made and the graph placed.

    Both make one object or more per op, all kept; with a big graph alive the collector
    would meanwhile rescan it again and again (about a third of a 10,000-op first run).
    Nothing made here forms cycles, so no garbage waits. A collector the caller turned
    off stays off.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _DefaultSessionStack(threading.local):
    def __init__(self):
        self.stack: list = []


_default_sessions = _DefaultSessionStack()


def get_default_session():
    """The innermost session made default with ``as_default()`` in this thread, or None."""
    return _default_sessions.stack[-1] if _default_sessions.stack else None


@contextlib.contextmanager
def _default_session(session, enforce_nesting: bool = True):
    _default_sessions.stack.append(session)
    try:
        yield session
    finally:
        stack = _default_sessions.stack
        if stack and stack[-1] is session:
            stack.pop()
        elif enforce_nesting:
            raise AssertionError(f"Nesting violated for default stack of {type(session)} objects")
        elif session in stack:
            stack.remove(session)


def eval_in_session(element, feed_dict=None, session=None):
    """``Tensor.eval`` / ``Operation.run``: run ``element`` in ``session`` or the default."""
    kind = "tensor" if isinstance(element, Tensor) else "operation"
    if session is None:
        session = get_default_session()
        if session is None:
            raise ValueError(
                f"Cannot evaluate {kind} using `eval()`: No default session is registered. Use "
                "`with sess.as_default()` or pass an explicit session to `eval(session=sess)`"
            )
        if session.graph is not element.graph:
            raise ValueError(
                f"Cannot use the default session to evaluate {kind}: the {kind}'s graph is "
                "different from the session's graph. Pass an explicit session to "
                "`eval(session=sess)`."
            )
    elif session.graph is not element.graph:
        raise ValueError(
            f"Cannot use the given session to evaluate {kind}: the {kind}'s graph is different "
            "from the session's graph."
        )
    return session.run(element, feed_dict)


class BaseSession:
    """The engine behind ``Session`` and ``InteractiveSession``."""

    def __init__(self, target="", graph=None, config=None):
        if graph is None:
            graph = get_default_graph()
        elif not isinstance(graph, Graph):
            raise TypeError(
                f'Argument `graph` must be a tf.Graph, but got "{type(graph).__name__}"'
            )
        if not isinstance(target, str | bytes) and not is_remote_target(target):
            hint = ""
            if isinstance(target, ConfigProto):
                hint = ' Did you do "Session(config)" instead of "Session(config=config)"?'
            raise TypeError(
                f'Argument `target` must be a string, but got "{type(target).__name__}".{hint}'
            )
        if config is None:
            config = ConfigProto()
        elif not isinstance(config, ConfigProto):
            raise TypeError(
                f'Argument `config` must be a tf.ConfigProto, but got "{type(config).__name__}"'
            )
        self._graph = graph
        self._config = config
        self._target = target.decode() if isinstance(target, bytes) else target
        self._closed = False
        self._lock = threading.RLock()
        self._plans: dict = {}
        self._mappers: dict = {}  # structure_key(fetches) -> FetchMapper
        self._pruned_placement = config.graph_options.place_pruned_graph
        self._placement: dict = {}
        self._placed_version = 0
        self._resources = ResourceManager()
        self._cancellations: set = set()
        self._hooks: tuple = ()
        self._partial_runs: dict = {}
        self._run_count = 0
        self._entered = False
        self._default_context = None
        self._graph_context = None
        self._engine = make_engine(self)
        self._devices = self._engine.devices()
        self._placer = Placer(
            self._devices, config.allow_soft_placement, config.log_device_placement
        )
        self._pools = ThreadPools(config)
        # The graph optimizer rewrites runs of the in-process engine; a cluster runs
        # the graph as written (its workers rebuild ops by name from the user's graph).
        self._passes = Passes.from_config(config) if self._target == "" else None
        _live_sessions.add(self)

    # -- properties -----------------------------------------------------------------

    @property
    def graph(self) -> Graph:
        """The graph launched in this session."""
        return self._graph

    @property
    def graph_def(self) -> graph_pb2.GraphDef:
        """A serialisable version of the graph: TF's ``GraphDef`` message."""
        return self._graph.as_graph_def(add_shapes=self._config.graph_options.infer_shapes)

    @property
    def target(self):
        """What the session was asked to connect to: ``""``, ``"dask://..."`` or a client."""
        return self._target

    @property
    def sess_str(self) -> bytes:
        """The target this session connects to, as bytes."""
        return self._target.encode() if isinstance(self._target, str) else b""

    @property
    def config(self) -> ConfigProto:
        return self._config

    def list_devices(self) -> list:
        """The devices of this session (``name``, ``device_type``, ``memory_limit_bytes`` ...).

        Examples
        --------
        >>> import runtime as tf
        >>> with tf.Graph().as_default():
        ...     sess = tf.compat.v1.Session(config=tf.compat.v1.ConfigProto(device_count={"CPU": 2}))
        >>> [d.name for d in sess.list_devices()]
        ['/job:localhost/replica:0/task:0/device:CPU:0', '/job:localhost/replica:0/task:0/device:CPU:1']
        >>> sess.close()
        """
        self._check_open()
        return list(self._devices)

    # -- default session and context manager --------------------------------------

    def as_default(self):
        """A context manager making this the default session (for ``eval``/``run``)."""
        return _default_session(self)

    def __enter__(self):
        if self._entered:
            raise RuntimeError(
                "Session context managers are not re-entrant. Use `Session.as_default()` if "
                "you want to enter a session multiple times."
            )
        self._entered = True
        self._graph_context = self._graph.as_default()
        self._graph_context.__enter__()
        self._default_context = self.as_default()
        self._default_context.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            self._default_context.__exit__(exc_type, exc, tb)
            self._graph_context.__exit__(exc_type, exc, tb)
        finally:
            self._entered = False
            self.close()

    def __del__(self):
        # A plain try: at interpreter exit, module globals (contextlib too) may be gone.
        try:
            self.close()
        except Exception:  # a finalizer must not raise
            pass

    # -- running --------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Run the ops and evaluate the tensors in ``fetches``.

        Parameters
        ----------
        fetches : graph element or nested structure of them
            Tensors, ops, their names, in lists, tuples, namedtuples or dicts.
        feed_dict : dict, optional
            Values for tensors (placeholders or any feedable tensor), by Tensor or name.
        options : RunOptions, optional
        run_metadata : RunMetadata, optional
            Filled with step stats when ``options`` asks for a trace.

        Returns
        -------
        The fetch structure with numpy values (``None`` for ops).

        Examples
        --------
        >>> import runtime as tf
        >>> with tf.Graph().as_default():
        ...     x = tf.compat.v1.placeholder(tf.float32, shape=[2])
        ...     y = x * 2.0
        ...     with tf.compat.v1.Session() as sess:
        ...         print(sess.run({"y": y}, feed_dict={x: [1.0, 2.0]}))
        {'y': array([2., 4.], dtype=float32)}
        """
        self._check_runnable()
        _check_run_arguments(options, run_metadata)
        mapper = self._fetch_mapper(fetches)
        feeds = self._convert_feeds(feed_dict)
        values = self._run(mapper.tensors, mapper.targets, feeds, options, run_metadata)
        return mapper.results(values)

    def _fetch_mapper(self, fetches) -> FetchMapper:
        """The mapper of ``fetches``, reused by the runs of an equal fetch structure
        (:func:`~runtime.fetching.structure_key`): ``sess.run([train, loss])`` makes a
        new list each step, and mapping it took 6 µs, 50 µs after a big kernel had
        emptied the caches."""
        try:
            key = structure_key(fetches)
            mapper = self._mappers.get(key)
        except TypeError:  # an unhashable leaf (a registered fetch type): mapped afresh
            return FetchMapper(self._graph, fetches)
        if mapper is None:
            mapper = FetchMapper(self._graph, fetches)
            if len(self._mappers) >= _PLAN_CACHE_SIZE:
                self._mappers.clear()
            self._mappers[key] = mapper
        return mapper

    def _check_runnable(self) -> None:
        self._check_open()
        if self._graph.version == 0:
            raise RuntimeError(
                "The Session graph is empty. Add operations to the graph before calling run()."
            )

    def prepare_run(self, fetches, feed_dict=None, optimized: bool = True) -> PreparedRun:
        """Check, convert and plan a run of ``fetches`` without executing it.

        ``optimized=False`` plans the graph as written, without the graph optimizer's
        rewrites (what the stepper steps by default).

        Returns
        -------
        PreparedRun
            The fetch mapper, converted feeds, cached plan and a ``RunContext`` with
            this session's resources; the caller executes the plan.

        Examples
        --------
        >>> import runtime as tf
        >>> with tf.Graph().as_default():
        ...     x = tf.compat.v1.placeholder(tf.float32, name="x")
        ...     y = tf.negative(x, name="y")
        ...     with tf.compat.v1.Session() as sess:
        ...         prepared = sess.prepare_run({"y": y}, {x: 2.0})
        >>> [op.name for op in prepared.plan.ops], prepared.feeds[x]
        (['y'], array(2., dtype=float32))
        """
        self._check_runnable()
        mapper = FetchMapper(self._graph, fetches)
        feeds = self._convert_feeds(feed_dict)
        plan = self._plan(tuple(mapper.tensors), tuple(mapper.targets), feeds, optimized)
        context = RunContext(self._resources, cancellations=self._cancellations)
        graph = plan.rewrite.graph if plan.rewrite is not None else self._graph
        return PreparedRun(mapper, feeds, plan, context, graph)

    def stepper(self, fetches, feed_dict=None, optimized: bool = False):
        """Step through the run of ``fetches`` op by op (see :class:`runtime.stepper.Stepper`).

        The stepper steps the graph as written; ``optimized=True`` steps the graph as
        the session runs it, after the graph optimizer's rewrites
        (:meth:`optimized_graph` shows them).

        Examples
        --------
        >>> import runtime as tf
        >>> with tf.Graph().as_default():
        ...     y = tf.negative(tf.constant(2.0, name="x"), name="y")
        ...     with tf.compat.v1.Session() as sess:
        ...         stepper = sess.stepper(y)
        ...         print(stepper.step().op.name, stepper.finish())
        x -2.0
        """
        from .stepper import Stepper

        return Stepper(self, fetches, feed_dict, optimized=optimized)

    def _convert_feeds(self, feed_dict) -> dict:
        if not feed_dict:
            return {}
        feeds = {}
        for key, value in flatten_feed_items(feed_dict):
            tensor = self._feed_key(key, "feed_dict")
            feeds[tensor] = convert_feed(tensor, value)
        return feeds

    def _run(self, fetch_tensors, targets, feeds: dict, options=None, run_metadata=None) -> list:
        """Execute; returns the values of ``fetch_tensors`` in order."""
        if not targets and (
            not fetch_tensors or (feeds and all(t in feeds for t in fetch_tensors))
        ):
            return [feeds[t] for t in fetch_tensors]  # nothing to run: the engine is not called
        plan = self._plan(tuple(fetch_tensors), tuple(targets), feeds)
        values = plan.initial_values(feeds)
        collector = self._tracer(options, run_metadata)
        pool, threads = self._pools.for_options(options)
        run = RunContext(
            self._resources,
            pool=pool,
            hooks=self._hooks if collector is None else (*self._hooks, collector),
            deadline=self._deadline(options),
            cancellations=self._cancellations,
            threads=threads,
        )
        sequential = in_order(plan, threads, self._pools.kernel_threads)
        try:
            self._engine.execute(plan, values, run, sequential)
        except OpError as err:
            if plan.rewrite is None or err.op is None:
                raise
            raise plan.rewrite.user_error(err) from err.__cause__
        if run_metadata is not None:
            self._fill_metadata(run_metadata, collector, plan, options)
        return plan.fetched(values)

    def _plan(self, fetch_tensors, targets, feeds, optimized: bool = True):
        """The cached plan of a run; ``optimized``: of the graph as the optimizer
        rewrote it (when it changed anything), else of the graph as written."""
        if self._placed_version != self._graph.version and not self._pruned_placement:
            # As TF's direct session: ops added since the last run are placed (and an
            # unplaceable one fails) even when this run's plan is cached.
            with self._lock, _collector_paused():
                self._place()
        key = (fetch_tensors, targets, frozenset(feeds) if feeds else _NO_FEEDS, optimized)
        plan = self._plans.get(key)
        if plan is not None:
            return plan
        with self._lock, _collector_paused():
            self._check_open()
            ops = self._place_run(fetch_tensors, targets, feeds)
            rewrite = None
            if optimized and self._passes is not None:
                rewrite = optimize(
                    self._graph,
                    fetch_tensors,
                    targets,
                    list(feeds),
                    self._placement,
                    self._passes,
                    ops=ops,
                )
            if rewrite is not None:
                plan = rewrite.build_plan()
            else:
                plan = build_plan(fetch_tensors, targets, list(feeds), self._placement, ops)
            if len(self._plans) >= _PLAN_CACHE_SIZE:
                self._plans.clear()
            self._plans[key] = plan
        return plan

    def _place_run(self, fetch_tensors, targets, feeds) -> list:
        """Place what a run needs: its pruned ops with ``place_pruned_graph``, else the
        graph. Returns the run's pruned ops (pruned once, for the optimizer and the plan)."""
        ops = prune(fetch_tensors, targets, set(feeds))
        self._place(ops if self._pruned_placement else None)
        return ops

    def optimized_graph(self, fetches, feeds=None) -> OptimizedGraph:
        """The graph a run of ``fetches`` fed ``feeds`` executes, and what the graph
        optimizer changed to make it (:mod:`runtime.grappler`).

        The optimizer runs as ``Session.run`` would run it, with this session's
        ``ConfigProto.graph_options``; nothing is executed (after a run of the same
        fetches and feeds, this is the graph that run executed). When it changes nothing
        (or is off), the graph as run holds the run's ops as written.

        Parameters
        ----------
        fetches : graph element or nested structure of them
            As for ``run``.
        feeds : dict or list, optional
            The fed tensors (a ``feed_dict``'s keys are enough; values are ignored).

        Returns
        -------
        OptimizedGraph
            ``.graph`` (the graph as run), ``.report`` (each pass's changes),
            ``.as_run(element)`` (the as-run tensor or op of a user's one).

        Examples
        --------
        >>> import runtime as tf
        >>> with tf.Graph().as_default():
        ...     x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
        ...     w = tf.constant([[1.0], [2.0], [3.0]], name="w")
        ...     y = tf.nn.relu(tf.nn.bias_add(tf.matmul(x, w * 2.0), [0.5]), name="y")
        ...     with tf.compat.v1.Session() as sess:
        ...         optimized = sess.optimized_graph(y, {x: None})
        >>> [(op.name, op.type) for op in optimized.graph.get_operations()]
        [('x', 'Placeholder'), ('mul', 'Const'), ('BiasAdd/bias', 'Const'), ('y', '_FusedMatMul')]
        >>> print(optimized.report.by_kind("fused")[0])
        remapping: fused MatMul, BiasAdd, y -> y (_FusedMatMul with fused_ops [BiasAdd, Relu])
        """
        self._check_runnable()
        mapper = FetchMapper(self._graph, fetches)
        fed = [self._feed_key(key, "feeds") for key in (feeds or ())]
        key = (tuple(mapper.tensors), tuple(mapper.targets), frozenset(fed) or _NO_FEEDS, True)
        planned = self._plans.get(key)
        if planned is not None and planned.rewrite is not None:
            return planned.rewrite  # the very graph the session runs
        with self._lock, _collector_paused():
            ops = self._place_run(mapper.tensors, mapper.targets, fed)
            passes = self._passes if self._passes is not None else Passes.none()
            return optimize(
                self._graph, mapper.tensors, mapper.targets, fed, self._placement, passes, True, ops
            )

    def _place(self, ops=None) -> None:
        """Place ``ops`` (default: every op added since the last placement)."""
        if ops is None:
            if self._placed_version == self._graph.version:
                return
            ops = self._graph.operations_since(self._placed_version)
            version = self._graph.version
        else:
            version = self._placed_version
        self._placement.update(self._placer.place(ops, self._placement))
        self._placed_version = version

    def placement(self) -> dict:
        """Assigned device of every op, by op name, placing without running.

        Examples
        --------
        >>> import runtime as tf
        >>> with tf.Graph().as_default():
        ...     c = tf.constant(1.0, name="c")
        ...     with tf.compat.v1.Session() as sess:
        ...         sess.placement()
        {'c': '/job:localhost/replica:0/task:0/device:CPU:0'}
        """
        self._check_open()
        with self._lock:
            self._place(self._graph.get_operations())
            return {op.name: device for op, device in self._placement.items()}

    def _deadline(self, options) -> float | None:
        millis = (options.timeout_in_ms if options is not None else 0) or (
            self._config.operation_timeout_in_ms
        )
        return time.monotonic() + millis / 1000 if millis and millis > 0 else None

    def add_hook(self, hook):
        """Call ``hook`` (a :class:`runtime.executor.Hooks`) on every later run; returns it.

        Hooks are how listeners (step stats, progress, the stepper's view) attach to
        runs, on every engine.

        Examples
        --------
        >>> import runtime as tf
        >>> from runtime.executor import Hooks
        >>> with tf.Graph().as_default():
        ...     sess = tf.compat.v1.Session()
        ...     hook = sess.add_hook(Hooks())
        ...     sess.remove_hook(hook)
        ...     sess.close()
        """
        if not isinstance(hook, Hooks):
            raise TypeError(f"A hook must be a runtime.executor.Hooks, got {type(hook).__name__}.")
        with self._lock:
            self._hooks = (*self._hooks, hook)
        return hook

    def remove_hook(self, hook) -> None:
        """Stop calling ``hook``; ``ValueError`` if it was not added."""
        with self._lock:
            if hook not in self._hooks:
                raise ValueError(f"{hook!r} is not a hook of this session.")
            self._hooks = tuple(h for h in self._hooks if h is not hook)

    def _tracer(self, options, run_metadata):
        self._run_count += 1
        tracing = options is not None and options.trace_level > RunOptions.NO_TRACE
        if run_metadata is not None and (tracing or self._cost_model_due()):
            return StepStatsCollector()
        return None

    def _cost_model_due(self) -> bool:
        every = self._config.graph_options.build_cost_model
        after = self._config.graph_options.build_cost_model_after
        return every > 0 and self._run_count > after and self._run_count % every == 0

    def _fill_metadata(self, run_metadata: RunMetadata, collector, plan, options) -> None:
        run_metadata.Clear()
        if collector is not None:
            tracing = options is not None and options.trace_level > RunOptions.NO_TRACE
            if tracing:
                run_metadata.step_stats = collector.step_stats()
            if self._cost_model_due():
                run_metadata.cost_graph = collector.cost_graph()
        if options is not None and options.output_partition_graphs:
            run_metadata.partition_graphs = _partition_graphs(plan)

    # -- make_callable and partial runs -----------------------------------------------

    def make_callable(self, fetches, feed_list=None, accept_options=False):
        """A function running ``fetches`` with positional values for ``feed_list``.

        Examples
        --------
        >>> import runtime as tf
        >>> with tf.Graph().as_default():
        ...     x = tf.compat.v1.placeholder(tf.float32)
        ...     with tf.compat.v1.Session() as sess:
        ...         double = sess.make_callable(x * 2.0, [x])
        ...         print(double(21.0))
        42.0
        """
        self._check_open()
        if feed_list is not None and not isinstance(feed_list, list | tuple):
            raise TypeError("`feed_list` must be a list or tuple.")
        mapper = FetchMapper(self._graph, fetches)
        feed_tensors = [self._feed_key(key) for key in feed_list or ()]
        tensors, targets = mapper.tensors, mapper.targets

        def call(*feed_values, options=None, run_metadata=None):
            if len(feed_values) != len(feed_tensors):
                # Too few: TF's class (a placeholder is left unfed). Too many: TF drops the
                # extra values silently; the runtime refuses them.
                names = ", ".join(t.name for t in feed_tensors)
                text = (
                    f"The callable takes {len(feed_tensors)} feed value(s) ({names}), "
                    f"got {len(feed_values)}."
                )
                if len(feed_values) > len(feed_tensors):
                    raise TypeError(text)
                raise InvalidArgumentError(None, None, text)
            self._check_open()
            _check_run_arguments(options, run_metadata)
            feeds = {t: convert_feed(t, v) for t, v in zip(feed_tensors, feed_values)}
            return mapper.results(self._run(tensors, targets, feeds, options, run_metadata))

        if accept_options:
            return call
        return lambda *feed_values: call(*feed_values)

    def _make_callable_from_options(self, callable_options):
        fetches = [self._graph.as_graph_element(name) for name in callable_options.fetch]
        targets = [self._graph.as_graph_element(name) for name in callable_options.target]
        run = self.make_callable(fetches + targets, list(callable_options.feed), True)
        options = callable_options.run_options

        def call(*feed_values, run_metadata=None):
            return run(*feed_values, options=options, run_metadata=run_metadata)[: len(fetches)]

        return call

    def _feed_key(self, key, argument: str = "feed_list") -> Tensor:
        """The tensor a feed key names; ``TypeError`` naming ``argument`` if it names none."""
        try:
            return self._graph.as_graph_element(key, allow_tensor=True, allow_operation=False)
        except (TypeError, ValueError, KeyError) as err:
            text = str(err.args[0] if err.args else err).rstrip(".")
            if repr(key) not in text and str(key) not in text:
                text += f" (the key is {key!r})"
            raise TypeError(f"Cannot interpret {argument} key as Tensor: {text}.") from None

    def partial_run_setup(self, fetches, feeds=None):
        """Declare the fetches and feeds of a sequence of ``partial_run`` calls.

        Examples
        --------
        >>> import runtime as tf
        >>> with tf.Graph().as_default():
        ...     a = tf.compat.v1.placeholder(tf.float32)
        ...     b = tf.compat.v1.placeholder(tf.float32)
        ...     c = a + b
        ...     d = c * 17.0
        ...     with tf.compat.v1.Session() as sess:
        ...         h = sess.partial_run_setup([c, d], [a, b])
        ...         print(sess.partial_run(h, c, {a: 1.0, b: 2.0}), sess.partial_run(h, d))
        3.0 51.0
        """
        self._check_open()
        mapper = FetchMapper(self._graph, fetches)
        if not mapper.elements:
            raise InvalidArgumentError(
                None, None, "Must specify at least one target to fetch or execute."
            )
        feed_tensors = {self._feed_key(key) for key in partial_run_feeds(feeds or ())}
        handle = f"partial_run:{next(_partial_run_ids)}"
        self._partial_runs[handle] = _PartialRun(set(mapper.elements), feed_tensors)
        return handle

    def partial_run(self, handle, fetches, feed_dict=None):
        """Continue the partial run ``handle``: feed some declared tensors, fetch others."""
        self._check_open()
        state = self._partial_runs.get(handle)
        if state is None:
            raise InvalidArgumentError(
                None, None, f"Partial run handle {handle!r} is not valid: it was never set up."
            )
        mapper = FetchMapper(self._graph, fetches)
        if mapper.targets:
            raise RuntimeError(
                "partial_run() requires empty `target_list`. Received: target_list="
                f"{[op.name for op in mapper.targets]} (non-empty): fetch tensors, not ops."
            )
        feeds = self._convert_feeds(feed_dict)
        state.check(mapper.elements, feeds)
        known = {**state.values, **feeds}
        values = self._run(mapper.tensors, mapper.targets, known)
        state.record(feeds, dict(zip(mapper.tensors, values)), mapper.elements)
        return mapper.results(values)

    # -- closing ----------------------------------------------------------------------

    def close(self) -> None:
        """Free the session's resources; blocked runs end with ``CancelledError``."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        for cancellation in list(self._cancellations):
            cancellation.cancel(CancelledError(None, None, "Session has been closed."))
        self._pools.shutdown()
        self._resources.clear()
        self._engine.close()
        self._plans.clear()

    def reset_containers(self, containers=None) -> None:
        """Drop the resources of ``containers`` (all when ``None``)."""
        self._resources.clear(containers)

    @staticmethod
    def reset(target, containers=None, config=None) -> None:
        """Reset resource containers on ``target``.

        For the in-process engine (``target=''``) this clears ``containers`` (default:
        the default container ``''``) in every open session of this process, as TF's
        direct sessions do.
        """
        if target not in ("", b""):
            engine_for_target(target).reset_target(target, containers)
            return
        for session in list(_live_sessions):
            if not session._closed:
                session.reset_containers(containers if containers is not None else [""])


_partial_run_ids = itertools.count(1)


class _PartialRun:
    """What a partial run has been fed and has computed so far."""

    def __init__(self, fetches: set, feeds: set):
        self.fetches = fetches
        self.feeds = feeds
        self.fed: set = set()
        self.fetched: set = set()
        self.values: dict = {}

    def check(self, elements, feeds) -> None:
        for tensor in feeds:
            if tensor not in self.feeds:
                raise InvalidArgumentError(
                    None, None, f"Feed {tensor.name} was not specified in partial_run_setup."
                )
            if tensor in self.fed:
                raise InvalidArgumentError(None, None, f"Feed {tensor.name} has already been fed.")
        for element in elements:
            if element not in self.fetches:
                raise InvalidArgumentError(
                    None, None, f"Fetch {element.name} was not specified in partial_run_setup."
                )
            if element in self.fetched:
                raise InvalidArgumentError(
                    None, None, f"Fetch {element.name} has already been fetched."
                )

    def record(self, feeds, computed, elements) -> None:
        self.fed.update(feeds)
        self.fetched.update(elements)
        self.values.update(feeds)
        self.values.update(computed)


def _check_run_arguments(options, run_metadata) -> None:
    """``TypeError`` unless ``options`` and ``run_metadata`` are what ``run`` takes."""
    if options is not None and not isinstance(options, RunOptions):
        raise TypeError(f"options must be a RunOptions, not {type(options).__name__}.")
    if run_metadata is not None and not isinstance(run_metadata, RunMetadata):
        raise TypeError(f"run_metadata must be a RunMetadata, not {type(run_metadata).__name__}.")


def _partition_graphs(plan) -> list:
    """One ``GraphDef`` message per device, of the ops the plan runs there (TF's)."""
    from .graph_def import node_def_of

    by_device: dict = {}
    for step in plan.steps:
        by_device.setdefault(step.device, []).append(node_def_of(step.op))
    return [to_proto(GraphDef(node=nodes)) for nodes in by_device.values()]


class Session(BaseSession):
    """A class for running TensorFlow operations.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a = tf.constant(5.0)
    ...     b = tf.constant(6.0)
    ...     c = a * b
    ...     sess = tf.compat.v1.Session()
    ...     print(sess.run(c))
    ...     sess.close()
    30.0
    """


class InteractiveSession(BaseSession):
    """A session that installs itself as the default, for shells and notebooks.

    It places only the ops a run needs (``place_pruned_graph``), so a graph with an
    op pinned to a missing device still runs everything else.
    """

    _active = 0
    _active_lock = threading.Lock()

    def __init__(self, target="", graph=None, config=None):
        config = config if config is not None else ConfigProto()
        config.graph_options.place_pruned_graph = True
        super().__init__(target, graph, config)
        with InteractiveSession._active_lock:
            if InteractiveSession._active > 0:
                _logger.error(
                    "An interactive session is already active. This can cause out-of-memory "
                    "errors or some other unexpected errors (due to the unpredictable timing of "
                    "garbage collection) in some cases. You must explicitly call "
                    "`InteractiveSession.close()` to release resources held by the other "
                    "session(s). Please use `tf.Session()` if you intend to productionize."
                )
            InteractiveSession._active += 1
        self._counted = True
        self._default_context = _default_session(self, enforce_nesting=False)
        self._default_context.__enter__()
        self._explicit_graph = graph is not None
        if self._explicit_graph:
            self._graph_context = graph.as_default()
            self._graph_context.__enter__()

    def close(self) -> None:
        super().close()
        if getattr(self, "_counted", False):
            self._counted = False
            with InteractiveSession._active_lock:
                InteractiveSession._active -= 1
            with contextlib.suppress(AssertionError):
                self._default_context.__exit__(None, None, None)
            if self._explicit_graph:
                with contextlib.suppress(AssertionError):
                    self._graph_context.__exit__(None, None, None)
