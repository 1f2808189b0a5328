"""Benchmark: Session(target="dask://...") on a two-worker LocalCluster (127.0.0.1).

Prints the per-run overhead of a two-partition graph (scalar ops on task 0 and task 1,
so each run crosses workers twice) next to the in-process engine running the same
graph, and the rate at which a 64 MB tensor moves from one worker to the other.

Run: ``.venv/bin/python bench/bench_distributed.py``
"""

from __future__ import annotations

import time

import distributed
import numpy as np

import runtime as tf


def two_partition_graph():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [], name="x")
        with tf.device("/job:worker/task:0"):
            a = x + 1.0
        with tf.device("/job:worker/task:1"):
            b = a * 2.0
        with tf.device("/job:worker/task:0"):
            c = b - 3.0
    return graph, x, c


def per_run_seconds(sess, fetch, feed, runs: int) -> float:
    sess.run(fetch, feed)  # warm: plan, placement, graph shipped to the workers
    start = time.perf_counter()
    for _ in range(runs):
        sess.run(fetch, feed)
    return (time.perf_counter() - start) / runs


def transfer_rate(target: str) -> float:
    graph = tf.Graph()
    with graph.as_default():
        with tf.device("/job:worker/task:0"):
            big = tf.compat.v1.placeholder_with_default(
                np.zeros(16 * 1024 * 1024, np.float32), shape=[16 * 1024 * 1024]
            )
            produced = tf.identity(big)
        with tf.device("/job:worker/task:1"):
            consumed = tf.negative(produced)
            total = tf.identity(consumed[:1])
    with tf.compat.v1.Session(target, graph=graph) as sess:
        seconds = per_run_seconds(sess, total, None, runs=5)
    return 64 / seconds


def main() -> None:
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        target = "dask://" + cluster.scheduler_address.split("://", 1)[1]
        graph, x, c = two_partition_graph()
        with tf.compat.v1.Session(target, graph=graph) as sess:
            remote = per_run_seconds(sess, c, {x: 1.0}, runs=50)
        with tf.compat.v1.Session(
            graph=graph, config=tf.compat.v1.ConfigProto(allow_soft_placement=True)
        ) as sess:
            local = per_run_seconds(sess, c, {x: 1.0}, runs=2000)
        rate = transfer_rate(target)
    print(f"two-partition run, dask (2 workers): {remote * 1e3:8.2f} ms per run")
    print(f"same graph, in-process engine:       {local * 1e6:8.2f} us per run")
    print(f"64 MB tensor task 0 -> task 1:       {rate:8.1f} MB/s (whole run included)")


if __name__ == "__main__":
    main()
