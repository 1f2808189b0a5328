"""Benchmark: the one execution state, and TF1 loops, next to the old engine and TensorFlow.

Issue 13's figures:

- per-op cost of the unified ``ExecutionState`` against the engine before it (commit
  1244bfd, checked out in a temporary ``git worktree``) on two workloads: a 1,000-op
  chain of scalar adds (the in-order fast path) and a fan-out of 64 small matmuls on
  two inter-op threads (the scheduler loop); target: no more than 10 % slower;
- per-iteration cost of a ``tf.while_loop`` whose body has five ops, TF1's dataflow loop
  and the functional ``While``, against TensorFlow 2.21 (one thread) measured in the same
  run (``/work/tfvenv/bin/python``); target: 20 µs per iteration. The dataflow loop is
  also run on the engine before loops ran as programs (``runtime.loop_program``, commit
  efa39bb, another temporary worktree), so the table shows what that work gained;
- the same loops in a default ``Session()`` (an inter-op pool): the five cheap ops, and a
  body whose five ops hold an 8×8 matmul (an expensive op), the latter also before loop
  programs (efa39bb).

Each engine runs in its own subprocess, alternately, several rounds; the best round of
each counts (the machine is shared: compare ratios). Run as::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python bench/bench_control_flow.py

It prints the table and rewrites its section of bench/RESULTS.md (``--no-write``: print only).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from bench_common import machine_line, write_section

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "1244bfd"  # the engine before the execution state (the first build's last commit)
LOOP_BEFORE = "efa39bb"  # the engine before loops ran as programs (runtime.loop_program)
TF_PYTHON = "/work/tfvenv/bin/python"
ROUNDS = 5

ENGINE_SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    import numpy as np
    import runtime as tf
    v1 = tf.compat.v1

    def best(fn, calls, repeats=5):
        fn()
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            for _ in range(calls):
                fn()
            times.append((time.perf_counter() - start) / calls)
        return min(times)

    def config(threads):
        # The executors are compared, not the graph optimizer: it would fold both
        # workloads (they are constant) to a few ops. The engine before has none.
        config = v1.ConfigProto(inter_op_parallelism_threads=threads)
        try:
            config.graph_options.rewrite_options.disable_meta_optimizer = True
            config.graph_options.optimizer_options.opt_level = -1  # L0: no classic folding
        except AttributeError:
            pass
        return config

    with tf.Graph().as_default():
        y = tf.constant(1.0)
        for _ in range(1000):
            y = y + 1.0
        sess = v1.Session(config=config(1))
        chain = best(lambda: sess.run(y), 20) / len(sess.graph.get_operations())
    with tf.Graph().as_default():
        x = tf.constant(np.ones((8, 8), np.float32))
        fan = tf.add_n([tf.matmul(x, x) for _ in range(64)])
        sess = v1.Session(config=config(2))
        fanout = best(lambda: sess.run(fan), 50) / len(sess.graph.get_operations())
    print(json.dumps({"chain": chain, "fanout": fanout}))
    """
)

LOOP_SCRIPT = textwrap.dedent(
    """
    import json, os, sys, time
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    form, body_ops, session = sys.argv[1:4]
    if form == "tensorflow":
        import tensorflow as tf
        tf.compat.v1.disable_v2_behavior()
        tf.compat.v1.disable_control_flow_v2()
    else:
        import runtime as tf
        if form == "functional":
            tf.compat.v1.enable_control_flow_v2()
    import numpy as np
    v1 = tf.compat.v1
    n = v1.placeholder(tf.int32, [])
    w = tf.constant(np.eye(8, dtype=np.float32) * 0.5)

    def body(i, x):  # five ops: i + 1, and four on x
        if body_ops == "matmul":
            return i + 1, tf.tanh(tf.matmul(x, w) + 0.5) - 0.1
        return i + 1, tf.sin(x * 1.0001 + 0.5) - 0.1

    start = tf.ones((8, 8)) if body_ops == "matmul" else tf.constant(0.3)
    out = v1.while_loop(lambda i, x: i < n, body, [0, start])
    config = None  # a default Session: the inter-op pool
    if session == "one":
        config = v1.ConfigProto(inter_op_parallelism_threads=1, intra_op_parallelism_threads=1)
    with v1.Session(config=config) as sess:
        sess.run(out, {n: 10})
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            sess.run(out, {n: 2000})
            best = min(best, (time.perf_counter() - start) / 2000)
    print(json.dumps({"iteration": best}))
    """
)


def _run(python: str, script: str, cwd: Path, *args) -> dict:
    env = {
        k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    }
    env["PYTHONPATH"] = str(cwd)
    out = subprocess.run(
        [python, "-c", script, *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _best(runs: list[dict]) -> dict:
    return {key: min(run[key] for run in runs) for key in runs[0]}


@contextlib.contextmanager
def worktree(commit: str):
    """A temporary checkout of ``commit`` (removed on the way out)."""
    with tempfile.TemporaryDirectory() as scratch:
        tree = Path(scratch) / commit
        subprocess.run(["git", "worktree", "add", "-q", str(tree), commit], cwd=ROOT, check=True)
        try:
            yield tree
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT)


def engines() -> tuple[dict, dict]:
    """Per-op seconds of the chain and fan-out workloads, now and before."""
    with worktree(BEFORE) as before:
        now_runs, before_runs = [], []
        for _ in range(ROUNDS):
            now_runs.append(_run(sys.executable, ENGINE_SCRIPT, ROOT))
            before_runs.append(_run(sys.executable, ENGINE_SCRIPT, before))
    return _best(now_runs), _best(before_runs)


# Loop figures: name -> (engine, tree, body, session); tree None is this checkout.
LOOPS = {
    "dataflow": ("dataflow", None, "trivial", "one"),
    "before": ("dataflow", LOOP_BEFORE, "trivial", "one"),
    "functional": ("functional", None, "trivial", "one"),
    "tensorflow": ("tensorflow", None, "trivial", "one"),
    "default": ("dataflow", None, "trivial", "default"),
    "matmul": ("dataflow", None, "matmul", "default"),
    "matmul_before": ("dataflow", LOOP_BEFORE, "matmul", "default"),
    "matmul_tensorflow": ("tensorflow", None, "matmul", "default"),
}


def loops() -> dict:
    """Seconds per iteration of each loop figure (``LOOPS``)."""
    runs = {name: [] for name in LOOPS}
    with worktree(LOOP_BEFORE) as loop_before:
        trees = {None: ROOT, LOOP_BEFORE: loop_before}
        for _ in range(ROUNDS):
            for name, (form, commit, body, session) in LOOPS.items():
                python = TF_PYTHON if form == "tensorflow" else sys.executable
                result = _run(python, LOOP_SCRIPT, trees[commit], form, body, session)
                runs[name].append(result["iteration"])
    return {name: min(times) for name, times in runs.items()}


def us(seconds: float) -> str:
    return f"{seconds * 1e6:.2f} µs"


def main() -> None:
    now, before = engines()
    loop = loops()
    lines = [
        "## Execution state and TF1 loops (bench/bench_control_flow.py)",
        "",
        machine_line(),
        "",
        "| figure | now | before (1244bfd) / TF 2.21 | ratio | target |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| 1,000-op scalar chain, per op | {us(now['chain'])} | {us(before['chain'])} | "
        f"{now['chain'] / before['chain']:.2f}× | ≤ 1.10× |",
        f"| 64 matmul fan-out on 2 threads, per op | {us(now['fanout'])} | "
        f"{us(before['fanout'])} | {now['fanout'] / before['fanout']:.2f}× | ≤ 1.10× |",
        f"| while_loop, 5-op body, per iteration (dataflow) | {us(loop['dataflow'])} | "
        f"{us(loop['tensorflow'])} | {loop['dataflow'] / loop['tensorflow']:.1f}× | ≤ 20 µs |",
        f"| the same, before loop programs ({LOOP_BEFORE}) | {us(loop['before'])} | "
        f"{us(loop['tensorflow'])} | {loop['before'] / loop['tensorflow']:.1f}× | — |",
        f"| while_loop, 5-op body, per iteration (functional) | {us(loop['functional'])} | "
        f"{us(loop['tensorflow'])} | {loop['functional'] / loop['tensorflow']:.1f}× | — |",
        f"| while_loop, 5-op body, default Session (dataflow) | {us(loop['default'])} | "
        f"{us(loop['tensorflow'])} | {loop['default'] / loop['tensorflow']:.1f}× | — |",
        f"| 5-op body with an 8×8 matmul, default Session | {us(loop['matmul'])} | "
        f"{us(loop['matmul_tensorflow'])} | {loop['matmul'] / loop['matmul_tensorflow']:.1f}× "
        "| — |",
        f"| the same, before loop programs ({LOOP_BEFORE}) | "
        f"{us(loop['matmul_before'])} | {us(loop['matmul_tensorflow'])} | "
        f"{loop['matmul_before'] / loop['matmul_tensorflow']:.1f}× | — |",
    ]
    print("\n".join(lines))
    if "--no-write" not in sys.argv:
        write_section("bench_control_flow", lines)


if __name__ == "__main__":
    main()
