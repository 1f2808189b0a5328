"""``tf.test``: what TF1 programs' tests use -- ``TestCase`` with sessions and array
assertions, ``compute_gradient`` (theoretical against numerical Jacobians), temporary
directories, and ``main``.

Examples
--------
>>> import numpy as np, runtime as tf
>>> with tf.Graph().as_default(), tf.Session():
...     x = tf.constant([1.0, 2.0, 3.0], tf.float64)
...     theoretical, numerical = tf.test.compute_gradient(x, [3], x * x, [3])
>>> np.allclose(theoretical, numerical, atol=1e-6), theoretical.shape
(True, (3, 3))
"""

from __future__ import annotations

import contextlib
import socket
import tempfile
import time
import unittest
from unittest import mock

import numpy as np

from .config import ConfigProto
from .errors import OpError
from .gradients import gradients
from .graph import Graph, get_default_graph
from .graph_def import as_node_def
from .protobuf import as_internal
from .session import Session, get_default_session
from .training.server_lib import ClusterSpec, Server

__all__ = [
    "Benchmark",
    "StubOutForTesting",
    "TestCase",
    "assert_equal_graph_def",
    "benchmark_config",
    "compute_gradient",
    "compute_gradient_error",
    "create_local_cluster",
    "get_temp_dir",
    "gpu_device_name",
    "is_gpu_available",
    "main",
    "mock",
]

_temp_dir: list = []


def get_temp_dir() -> str:
    """A temporary directory for this process's tests (made once)."""
    if not _temp_dir:
        _temp_dir.append(tempfile.mkdtemp(prefix="tf_test_"))
    return _temp_dir[0]


def is_gpu_available(cuda_only=False, min_cuda_compute_capability=None) -> bool:
    """``False``: the runtime's kernels are numpy, on CPUs."""
    return False


def gpu_device_name() -> str:
    """``''``: there is no GPU device."""
    return ""


def benchmark_config() -> ConfigProto:
    """The session config benchmarks run with (the default one here)."""
    return ConfigProto()


def main(argv=None):
    """Run the ``unittest`` tests of ``__main__`` (TF's ``tf.test.main``)."""
    return unittest.main(argv=argv)


# -- gradients ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def create_local_cluster(num_workers, num_ps, protocol="grpc", worker_config=None, ps_config=None):
    """Start a cluster of ``num_workers`` worker and ``num_ps`` ps tasks in this process,
    on free loopback ports.

    Parameters
    ----------
    num_workers, num_ps : int
        The number of tasks of jobs ``worker`` and ``ps``.
    protocol : str
        As for ``tf.train.Server``.
    worker_config, ps_config : ConfigProto, optional
        The servers' default session configurations.

    Returns
    -------
    (workers, ps_servers)
        Lists of started ``tf.train.Server``, by task index. Sessions on any server's
        ``target`` reach the whole cluster; ``stop()`` the servers when done.

    Examples
    --------
    >>> import runtime as tf
    >>> workers, ps_servers = create_local_cluster(1, 1)
    >>> with tf.Graph().as_default():
    ...     with tf.device("/job:ps/task:0"):
    ...         v = tf.Variable(2.0)
    ...     with tf.device("/job:worker/task:0"):
    ...         doubled = v * 2.0
    ...     with tf.Session(workers[0].target) as sess:
    ...         sess.run(v.initializer)
    ...         print(sess.run(doubled))
    4.0
    >>> for server in workers + ps_servers:
    ...     server.stop()
    """
    jobs = {"worker": num_workers, "ps": num_ps}
    spec = ClusterSpec(
        {job: [f"localhost:{_free_port()}" for _ in range(n)] for job, n in jobs.items() if n}
    )
    configs = {"worker": worker_config, "ps": ps_config}
    servers = {
        job: [
            Server(spec, job, index, protocol=protocol, config=configs[job], start=False)
            for index in range(n)
        ]
        for job, n in jobs.items()
    }
    # The cluster's first task (by job name, then index) hosts the scheduler the others join.
    everyone = [server for job in sorted(servers) for server in servers[job]]
    for server in everyone:
        server.start()
    return servers["worker"], servers["ps"]


def _jacobians(x, x_shape, y, y_shape, x_init, delta, feed):
    """The theoretical and numerical Jacobians of ``y`` by ``x``, ``[x_size, y_size]``."""
    session = get_default_session()
    if session is None:
        raise ValueError("compute_gradient needs a default session: use `with tf.Session():`.")
    dtype = x.dtype.base_dtype.as_numpy_dtype
    x_init = np.asarray(x_init, dtype=dtype).reshape(x_shape)
    x_size, y_size = int(np.prod(x_shape)), int(np.prod(y_shape))
    dy = get_default_graph().unique_name("compute_gradient_dy")
    from .ops.array_ops import placeholder

    grad_ys = placeholder(y.dtype.base_dtype, y_shape, name=dy)
    (dx,) = gradients(y, x, grad_ys=grad_ys)
    theoretical = np.zeros((x_size, y_size), dtype)
    for j in range(y_size):
        unit = np.zeros(y_size, dtype)
        unit[j] = 1
        value = session.run(dx, {**feed, x: x_init, grad_ys: unit.reshape(y_shape)})
        theoretical[:, j] = 0 if value is None else np.asarray(value).reshape(-1)
    numerical = np.zeros((x_size, y_size), dtype)
    for i in range(x_size):
        moved = x_init.copy().reshape(-1)
        moved[i] += delta
        above = session.run(y, {**feed, x: moved.reshape(x_shape)})
        moved[i] -= 2 * delta
        below = session.run(y, {**feed, x: moved.reshape(x_shape)})
        numerical[i] = (np.asarray(above) - np.asarray(below)).reshape(-1) / (2 * delta)
    return theoretical, numerical


def compute_gradient(x, x_shape, y, y_shape, x_init_value=None, delta=1e-3,
                     init_targets=None, extra_feed_dict=None):  # fmt: skip
    """The theoretical Jacobian of ``y`` by ``x`` (from ``tf.gradients``) and the numerical
    one (central differences of ``delta``), each ``[x_size, y_size]``, run in the default
    session; for a list of ``x``, a list of such pairs.

    ``x_init_value`` is where to take them (default: uniform random in ``[0, 1)``);
    ``init_targets`` are run first (variable initializers).
    """
    session = get_default_session()
    if init_targets is not None and session is not None:
        session.run(init_targets)
    feed = dict(extra_feed_dict or {})
    if isinstance(x, list | tuple):
        inits = x_init_value or [None] * len(x)
        return [
            _jacobians(xi, shape, y, y_shape, _initial(shape, init), delta, feed)
            for xi, shape, init in zip(x, x_shape, inits)
        ]
    return _jacobians(x, x_shape, y, y_shape, _initial(x_shape, x_init_value), delta, feed)


def _initial(shape, value):
    return np.random.random_sample(shape) if value is None else value


def compute_gradient_error(x, x_shape, y, y_shape, x_init_value=None, delta=1e-3,
                           init_targets=None, extra_feed_dict=None) -> float:  # fmt: skip
    """The largest difference between the theoretical and numerical Jacobians."""
    pairs = compute_gradient(
        x, x_shape, y, y_shape, x_init_value, delta, init_targets, extra_feed_dict
    )
    if not isinstance(pairs, list):
        pairs = [pairs]
    return max(float(np.max(np.abs(t - n), initial=0.0)) for t, n in pairs)


# -- GraphDefs ---------------------------------------------------------------------------


def assert_equal_graph_def(actual, expected, checkpoint_v2=False, hash_table_shared_name=False):
    """``AssertionError`` unless the two GraphDefs have the same nodes (in any order).

    Examples
    --------
    >>> import runtime as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     _ = tf.constant(1.0, name="a")
    >>> assert_equal_graph_def(g.as_graph_def(), g.as_graph_def())
    """
    actual_nodes = {node.name: as_node_def(node) for node in as_internal(actual).node}
    expected_nodes = {node.name: as_node_def(node) for node in as_internal(expected).node}
    only_actual = sorted(actual_nodes.keys() - expected_nodes.keys())
    only_expected = sorted(expected_nodes.keys() - actual_nodes.keys())
    if only_actual or only_expected:
        raise AssertionError(
            f"Found nodes only in actual: {only_actual}; only in expected: {only_expected}"
        )
    for name, node in expected_nodes.items():
        if actual_nodes[name] != node:
            raise AssertionError(f"Node '{name}' differs:\n{actual_nodes[name]}\nvs.\n{node}")


# -- test cases --------------------------------------------------------------------------


class TestCase(unittest.TestCase):
    """A ``unittest.TestCase`` whose tests each run in a fresh default graph, with TF's
    session helpers and assertions over arrays and tensors."""

    def setUp(self):
        super().setUp()
        # A fresh default graph per test, entered rather than reset, so a graph some
        # other code left as default (an open InteractiveSession's) cannot get in the way.
        self.enterContext(Graph().as_default())
        np.random.seed(301)

    def get_temp_dir(self) -> str:
        """A temporary directory of this test."""
        return tempfile.mkdtemp(dir=get_temp_dir())

    @contextlib.contextmanager
    def session(self, graph=None, config=None, use_gpu=True, force_gpu=False):
        """A session over ``graph`` (default: the default graph), made the default."""
        graph = graph or get_default_graph()
        with graph.as_default(), Session(graph=graph, config=config) as sess:
            yield sess

    cached_session = session

    def evaluate(self, tensors):
        """The values of ``tensors`` in the default session of the default graph (one made
        if there is none)."""
        session = get_default_session()
        if session is not None and session.graph is get_default_graph():
            return session.run(tensors)
        with self.session() as sess:
            return sess.run(tensors)

    def _value(self, x):
        from .graph import Tensor

        return self.evaluate(x) if isinstance(x, Tensor) else np.asarray(x)

    def assertAllClose(self, a, b, rtol=1e-6, atol=1e-6, msg=None):
        np.testing.assert_allclose(self._value(a), self._value(b), rtol, atol, err_msg=msg or "")

    def assertAllCloseAccordingToType(self, a, b, rtol=1e-6, atol=1e-6, float_rtol=1e-6,
                                      float_atol=1e-6, half_rtol=1e-3, half_atol=1e-3, msg=None):  # fmt: skip
        a, b = self._value(a), self._value(b)
        if a.dtype == np.float16 or b.dtype == np.float16:
            rtol, atol = max(rtol, half_rtol), max(atol, half_atol)
        elif a.dtype == np.float32 or b.dtype == np.float32:
            rtol, atol = max(rtol, float_rtol), max(atol, float_atol)
        self.assertAllClose(a, b, rtol, atol, msg)

    def assertNotAllClose(self, a, b, rtol=1e-6, atol=1e-6, msg=None):
        if np.allclose(self._value(a), self._value(b), rtol, atol):
            raise AssertionError(msg or "The two values are close at all elements.")

    def assertAllEqual(self, a, b, msg=None):
        a, b = self._value(a), self._value(b)
        self.assertEqual(a.shape, b.shape, msg)
        np.testing.assert_array_equal(a, b, err_msg=msg or "")

    def assertNotAllEqual(self, a, b, msg=None):
        if np.array_equal(self._value(a), self._value(b)):
            raise AssertionError(msg or "The two values are equal at all elements.")

    def assertNear(self, f1, f2, err, msg=None):
        self.assertTrue(abs(f1 - f2) <= err, msg or f"{f1} != {f2} +/- {err}")

    def assertArrayNear(self, farray1, farray2, err, msg=None):
        self.assertEqual(len(farray1), len(farray2), msg)
        for f1, f2 in zip(farray1, farray2):
            self.assertNear(float(f1), float(f2), err, msg)

    def _assert_all(self, a, check, words: str):
        values = self._value(a)
        if not np.all(check(values)):
            raise AssertionError(f"Not all elements are {words}: {values}")

    def assertAllGreater(self, a, comparison_target):
        self._assert_all(a, lambda v: v > comparison_target, f"> {comparison_target}")

    def assertAllGreaterEqual(self, a, comparison_target):
        self._assert_all(a, lambda v: v >= comparison_target, f">= {comparison_target}")

    def assertAllLess(self, a, comparison_target):
        self._assert_all(a, lambda v: v < comparison_target, f"< {comparison_target}")

    def assertAllLessEqual(self, a, comparison_target):
        self._assert_all(a, lambda v: v <= comparison_target, f"<= {comparison_target}")

    def assertAllInRange(self, target, lower_bound, upper_bound, open_lower_bound=False,
                         open_upper_bound=False):  # fmt: skip
        def check(v):
            low = v > lower_bound if open_lower_bound else v >= lower_bound
            high = v < upper_bound if open_upper_bound else v <= upper_bound
            return low & high

        self._assert_all(target, check, f"in [{lower_bound}, {upper_bound}]")

    def assertAllInSet(self, target, expected_set):
        allowed = set(np.asarray(list(expected_set)).tolist())
        self._assert_all(target, np.vectorize(lambda v: v in allowed), f"in {allowed}")

    def assertShapeEqual(self, input_a, input_b, msg=None):
        """``input_a`` (a numpy array) has the static shape of tensor ``input_b``."""
        self.assertEqual(list(np.shape(input_a)), input_b.get_shape().as_list(), msg)

    def assertDTypeEqual(self, target, expected_dtype):
        self.assertEqual(self._value(target).dtype, np.dtype(expected_dtype))

    def assertDeviceEqual(self, device1, device2, msg=None):
        from .devices import canonical_name

        self.assertEqual(canonical_name(device1), canonical_name(device2), msg)

    def assertRaisesWithPredicateMatch(self, exception_type, expected_err_re_or_predicate):
        """A context: the block raises ``exception_type`` whose message matches (a regular
        expression) or for which the predicate holds."""
        import re

        predicate = expected_err_re_or_predicate
        if isinstance(predicate, str):
            pattern = predicate
            predicate = lambda err: re.search(pattern, str(err)) is not None  # noqa: E731

        @contextlib.contextmanager
        def raises():
            try:
                yield
            except exception_type as err:
                if not predicate(err):
                    raise AssertionError(f"Exception did not match: {err}") from err
            else:
                raise AssertionError(f"{exception_type.__name__} not raised")

        return raises()

    def assertRaisesOpError(self, expected_err_re_or_predicate):
        """A context: the block raises an ``OpError`` that matches."""
        return self.assertRaisesWithPredicateMatch(OpError, expected_err_re_or_predicate)


class Benchmark:
    """A benchmark: ``report_benchmark`` records a result; ``run_op_benchmark`` times an op."""

    def report_benchmark(self, iters=None, cpu_time=None, wall_time=None, throughput=None,
                         extras=None, name=None, metrics=None) -> dict:  # fmt: skip
        """Print one result line and return the result."""
        result = {"name": name or type(self).__name__, "iters": iters, "cpu_time": cpu_time}
        result.update(wall_time=wall_time, throughput=throughput, extras=extras or {})
        result["metrics"] = metrics or []
        print(f"Benchmark [{result['name']}] iters: {iters}, wall_time: {wall_time}")
        return result

    def run_op_benchmark(self, sess, op_or_tensor, feed_dict=None, burn_iters=2, min_iters=10,
                         store_trace=False, store_memory_usage=True, name=None, extras=None,
                         mbs=0) -> dict:  # fmt: skip
        """Run ``op_or_tensor`` ``burn_iters`` times, then time ``min_iters`` runs; report the
        median wall time per run."""
        for _ in range(burn_iters):
            sess.run(op_or_tensor, feed_dict)
        times = []
        for _ in range(min_iters):
            start = time.perf_counter()
            sess.run(op_or_tensor, feed_dict)
            times.append(time.perf_counter() - start)
        extras = dict(extras or {})
        if mbs:
            extras["throughput_mbs"] = mbs / float(np.median(times))
        return self.report_benchmark(min_iters, None, float(np.median(times)), None, extras, name)


class StubOutForTesting:
    """Replace attributes for a test and put them back (``Set`` ... ``UnsetAll``)."""

    def __init__(self):
        self._saved: list = []

    def Set(self, parent, child_name, new_child) -> None:
        """``parent.child_name = new_child``, remembering the old value."""
        self._saved.append((parent, child_name, getattr(parent, child_name)))
        setattr(parent, child_name, new_child)

    SmartSet = Set

    def UnsetAll(self) -> None:
        """Put back every replaced attribute, latest first."""
        for parent, child_name, old in reversed(self._saved):
            setattr(parent, child_name, old)
        self._saved.clear()

    SmartUnsetAll = UnsetAll
    CleanUp = UnsetAll

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.UnsetAll()
