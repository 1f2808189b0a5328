"""Running a graph as written and as the optimizer rewrites it, side by side."""

from __future__ import annotations

import numpy as np

import runtime as tf

v1 = tf.compat.v1


def as_written_config() -> v1.ConfigProto:
    """A session that runs graphs exactly as written (TF's two switches)."""
    config = v1.ConfigProto()
    config.graph_options.rewrite_options.disable_meta_optimizer = True
    config.graph_options.optimizer_options.opt_level = v1.OptimizerOptions.L0
    return config


def any_size_config() -> v1.ConfigProto:
    """The default passes, on graphs of any size (TF skips those under 4 ops)."""
    config = v1.ConfigProto()
    config.graph_options.rewrite_options.min_graph_nodes = -1
    return config


def both(fetches, feeds=None, config=None):
    """``(before, after, value as written, value as run)``: the graphs as written (the
    run's ops) and as run, and what each run fetches. ``config`` defaults to
    :func:`any_size_config`."""
    feeds = feeds or {}
    config = config if config is not None else any_size_config()
    with v1.Session(config=as_written_config()) as sess:
        before = sess.optimized_graph(fetches, feeds)
        written = sess.run(fetches, feeds)
    with v1.Session(config=config) as sess:
        after = sess.optimized_graph(fetches, feeds)
        ran = sess.run(fetches, feeds)
    return before, after, written, ran


def ops(optimized) -> list:
    """``[(name, type)]`` of a graph as run, in creation order."""
    return [(op.name, op.type) for op in optimized.graph.get_operations()]


def types(optimized) -> list:
    return [op.type for op in optimized.graph.get_operations()]


def assert_same(written, ran, rtol=1e-6, atol=1e-6) -> None:
    """Fetch structures of equal shape whose values agree within tolerance."""
    if isinstance(written, dict):
        assert written.keys() == ran.keys()
        for key in written:
            assert_same(written[key], ran[key], rtol, atol)
    elif isinstance(written, list | tuple):
        assert len(written) == len(ran)
        for a, b in zip(written, ran):
            assert_same(a, b, rtol, atol)
    elif written is None:
        assert ran is None
    else:
        assert np.shape(written) == np.shape(ran)
        assert np.asarray(written).dtype == np.asarray(ran).dtype
        np.testing.assert_allclose(written, ran, rtol=rtol, atol=atol)
