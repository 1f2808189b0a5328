"""Benchmark: peak memory of opening each GraphDef fixture, relative to its file size.

Issue 19, item 1: importing stays within a small multiple of the file size plus the
real tensors, and a file that merely *claims* a big tensor costs nothing. For every
GraphDef fixture (and a 55-byte file whose ``Const`` claims 2^27 floats, and a frozen
MLP with 8 MiB of weights made here), one fresh process per file and library reads
the file and imports it into a new graph after a warm-up import; it reports how much
its peak resident memory grew. TensorFlow 2.21 does the same in the same run (a
subprocess of ``/work/tfvenv/bin/python``); the runtime also reports Python's own
peak (``tracemalloc``, numpy arrays included). The file's size is the floor: the bytes
must be read.

Run with the BLAS variables this machine sets for tests unset::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python bench/bench_import_memory.py

It prints the table and rewrites its section of bench/RESULTS.md (``--no-write`` to
only print).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np
from bench_common import blas_line, machine_line, write_section

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
TF_PYTHON = "/work/tfvenv/bin/python"

# One measurement, as a script: ``LOAD(path)`` reads and imports a file.
MEASURE = textwrap.dedent(
    """
    import json, sys, tracemalloc

    def status_kib(field):
        for line in open("/proc/self/status"):
            if line.startswith(field + ":"):
                return int(line.split()[1])

    path, warm = sys.argv[1], sys.argv[2]
    LOAD(warm)  # imports, registries, caches: not the file's cost
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # Linux: the peak (VmHWM) starts again from the current size
    before = status_kib("VmRSS")
    tracemalloc.start()
    LOAD(path)
    traced = tracemalloc.get_traced_memory()[1]
    print(json.dumps({"rss": (status_kib("VmHWM") - before) * 1024, "traced": traced}))
    """
)
RUNTIME_LOAD = textwrap.dedent(
    """
    from runtime.graph_io import load_graph as LOAD
    """
)
TF_LOAD = textwrap.dedent(
    """
    import tensorflow as tf
    from google.protobuf import text_format

    def LOAD(path):
        data = open(path, "rb").read()
        graph_def = tf.compat.v1.GraphDef()
        if path.endswith(".pbtxt"):
            text_format.Parse(data.decode(), graph_def)
        else:
            graph_def.ParseFromString(data)
        with tf.Graph().as_default():
            tf.compat.v1.import_graph_def(graph_def, name="")
    """
)


def made_files(directory: Path) -> list[Path]:
    """The 55-byte claim and an MLP with 8 MiB of weights, written with the runtime."""
    import runtime as tf
    from runtime.graph_io import write_graph
    from runtime.proto import graph_pb2

    message = graph_pb2.GraphDef()
    node = message.node.add(name="c", op="Const")
    node.attr["dtype"].type = 1
    tensor = node.attr["value"].tensor
    tensor.dtype = 1
    tensor.tensor_shape.dim.add().size = 2**27
    tensor.float_val.append(1.0)
    claim = directory / "claims_512MiB.pb"
    claim.write_bytes(message.SerializeToString())
    graph = tf.Graph()
    rng = np.random.default_rng(0)
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 1024], name="x")
        for i in range(2):
            weights = rng.normal(size=(1024, 1024)).astype(np.float32)
            x = tf.nn.relu(tf.matmul(x, tf.constant(weights, name=f"w{i}")))
    mlp = Path(write_graph(graph, str(directory), "mlp_8MiB.pb", as_text=False))
    return [claim, mlp]


def measure(python: str, load: str, path: Path, warm: Path) -> dict | None:
    done = subprocess.run(
        [python, "-c", load + MEASURE, str(path), str(warm)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _mib(nbytes: float) -> str:
    return f"{nbytes / 2**20:,.1f} MiB" if nbytes >= 2**20 else f"{nbytes / 1024:,.0f} KiB"


def main(write: bool) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        files = sorted(FIXTURES.glob("tf*/*.pb")) + sorted(FIXTURES.glob("tf*/*.pbtxt"))
        files += made_files(Path(scratch))
        warm = FIXTURES / "tf" / "arith.pbtxt"
        has_tf = os.path.exists(TF_PYTHON)
        rows = []
        for path in files:
            size = path.stat().st_size
            ours = measure(sys.executable, RUNTIME_LOAD, path, warm)
            theirs = measure(TF_PYTHON, TF_LOAD, path, warm) if has_tf else None
            rows.append((path, size, ours, theirs))
            print(path.name, size, ours, theirs, flush=True)
    lines = [
        "## Importing GraphDefs: peak memory (bench/bench_import_memory.py)",
        "",
        f"{machine_line()} {blas_line()}. TensorFlow 2.21 in a subprocess, same run.",
        "One fresh process per file: read and import it after a warm-up import; how far "
        "the peak resident memory (Linux's VmHWM, reset after the warm-up) rose above the "
        "resident size before, in whole pages with allocator slack, and for the runtime "
        "Python's own traced peak (numpy included). The file's size is the floor. Before "
        "issue 19 the 55-byte file took 10 s and 2 GiB to parse (its claimed floats were "
        "expanded into a Python list; measured at commit 1244bfd); TF imports it for nothing.",
        "",
        "| file | size | runtime RSS | runtime traced | traced / size | TensorFlow RSS |",
        "| :--- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for path, size, ours, theirs in rows:
        name = path.relative_to(FIXTURES) if FIXTURES in path.parents else path.name
        if "error" in ours:
            lines.append(f"| {name} | {size:,} B | {ours['error']} | | | |")
            continue
        tf_text = "—" if theirs is None else theirs.get("error") or _mib(theirs["rss"])
        lines.append(
            f"| {name} | {size:,} B | {_mib(ours['rss'])} | {_mib(ours['traced'])} | "
            f"{ours['traced'] / size:,.1f}× | {tf_text} |"
        )
    print("\n".join(lines))
    if write:
        write_section("bench_import_memory", lines)


if __name__ == "__main__":
    main(write="--no-write" not in sys.argv)
