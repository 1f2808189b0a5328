"""``tf.io``'s parsing of sequence examples, sparse features, JSON examples, serialized
tensors and protos, and the priority queue, against what real TF 2.21 produced
(``tests/fixtures/tf_io/generate.py``): the same values (bytes included: a serialized
tensor or an encoded proto is TF's byte for byte), dtypes, shapes and error classes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import runtime as tf

from . import io_cases
from .test_recorded import _same

DATA = Path(__file__).resolve().parents[2] / "fixtures" / "tf_io"
RECORDED = json.loads((DATA / "recorded.json").read_text())


@pytest.mark.parametrize("name", sorted(io_cases.CASES))
def test_runtime_matches_tensorflow(name):
    theirs = RECORDED[name]
    ours = io_cases.record(tf, name, str(DATA))
    assert ours["kind"] == theirs["kind"]
    for key in ("error", "value"):
        if key in theirs:
            assert _same(ours[key], theirs[key]), (
                f"{key}:\nruntime: {ours[key]}\ntf:      {theirs[key]}"
            )
