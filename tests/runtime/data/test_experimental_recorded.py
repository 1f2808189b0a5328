"""``tf.data.experimental`` and the later ``Dataset`` methods against what real TF 2.21
produced (``tests/fixtures/tf_data_experimental/generate.py``).

Every case of ``experimental_cases.py`` runs here with the runtime and is compared with
TF's record as ``test_recorded.py`` compares the core cases (the same elements, types,
shapes and classes, values, end of data or error class); every options scenario must
do what TF's ``tf.data.Options`` did. A seeded random choice may order elements
differently from TF: those cases check the multiset and the determinism per seed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import runtime as tf

from . import experimental_cases
from .test_recorded import _same, _sorted_elements

DATA = Path(__file__).resolve().parents[2] / "fixtures" / "tf_data_experimental"
RECORDED = json.loads((DATA / "recorded.json").read_text())


@pytest.mark.parametrize("name", sorted(experimental_cases.CASES))
def test_runtime_matches_tensorflow(name):
    theirs = RECORDED["cases"][name]
    ours = experimental_cases.record(tf, name, str(DATA))
    assert ours["kind"] == theirs["kind"]
    for key in ("types", "shapes", "classes", "error", "value"):
        if key in theirs:
            assert _same(ours[key], theirs[key]), f"{key}: {ours[key]} != {theirs[key]}"
    if "elements" not in theirs:
        return
    compare = experimental_cases.COMPARE[name]
    if compare == "sequence":
        assert _same(ours["elements"], theirs["elements"]), (
            f"\nruntime:    {ours['elements']}\ntensorflow: {theirs['elements']}"
        )
        return
    assert ours["elements"][-1] == "end"
    assert _sorted_elements(ours["elements"]) == _sorted_elements(theirs["elements"])
    if compare == "epochs":
        half = (len(ours["elements"]) - 1) // 2
        first, second = ours["elements"][:half], ours["elements"][half:-1]
        assert first != second, "a shuffle repeated gives each pass its own order"
    again = experimental_cases.record(tf, name, str(DATA))
    if compare != "multiset" or name.startswith("sample"):
        assert again["elements"] == ours["elements"], "the same seed must give the same order"


@pytest.mark.parametrize("name", sorted(experimental_cases.OPTIONS))
def test_options_behave_as_tensorflows(name):
    ours = json.loads(json.dumps(experimental_cases.OPTIONS[name](tf)))  # tuples as lists
    assert ours == RECORDED["options"][name]


@pytest.mark.parametrize("suffix, compression", [("", None), (".gz", "GZIP")])
def test_tfrecord_writer_writes_tensorflows_bytes(tmp_path, suffix, compression):
    records = [bytes.fromhex(r) for r in RECORDED["written"]]
    path = tmp_path / f"out.tfrecord{suffix}"
    with tf.Graph().as_default():
        ds = tf.data.Dataset.from_tensor_slices(records)
        write = tf.data.experimental.TFRecordWriter(str(path), compression).write(ds)
        with tf.compat.v1.Session() as sess:
            sess.run(write)
    options = tf.io.TFRecordOptions(compression or "")
    assert list(tf.compat.v1.io.tf_record_iterator(str(path), options)) == records
    assert path.read_bytes() == (DATA / f"written.tfrecord{suffix}").read_bytes()
