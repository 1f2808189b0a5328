"""tf.data, queue pipelines and parsing against what real TensorFlow 2.21 produced.

Every case of ``cases.py`` runs here with the runtime and is compared with the record
``tests/fixtures/tf_data/generate.py`` made with TF: the same elements in the same
order and the same end of data (then ``OutOfRangeError`` again), the same element
types, shapes and classes, the same values, or the same error class. A seeded shuffle
or several producer threads may order elements differently from TF: those cases
check the multiset of elements, and that the same seed gives the same order twice.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import runtime as tf

from . import cases

DATA = Path(__file__).resolve().parents[2] / "fixtures" / "tf_data"
RECORDED = json.loads((DATA / "recorded.json").read_text())


def _same(ours, theirs) -> bool:
    """Equal records, floats compared to float32 precision."""
    if isinstance(theirs, dict):
        return (
            isinstance(ours, dict)
            and ours.keys() == theirs.keys()
            and all(_same(ours[k], theirs[k]) for k in theirs)
        )
    if isinstance(theirs, list):
        return (
            isinstance(ours, list)
            and len(ours) == len(theirs)
            and all(_same(a, b) for a, b in zip(ours, theirs))
        )
    if isinstance(theirs, float) and isinstance(ours, int | float):
        return math.isclose(ours, theirs, rel_tol=1e-6, abs_tol=1e-12)
    return ours == theirs


def _sorted_elements(elements) -> list:
    return sorted(json.dumps(e, sort_keys=True) for e in elements if e != "end")


@pytest.mark.parametrize("name", sorted(cases.CASES))
def test_runtime_matches_tensorflow(name):
    theirs = RECORDED[name]
    ours = cases.record(tf, name, str(DATA))
    assert ours["kind"] == theirs["kind"]
    for key in ("types", "shapes", "classes", "error", "value"):
        if key in theirs:
            assert _same(ours[key], theirs[key]), f"{key}: {ours[key]} != {theirs[key]}"
    if "elements" not in theirs:
        return
    compare = cases.COMPARE[name]
    if compare == "sequence":
        assert _same(ours["elements"], theirs["elements"]), (
            f"\nruntime:    {ours['elements']}\ntensorflow: {theirs['elements']}"
        )
        return
    assert ours["elements"][-1] == "end"
    if compare == "multiset":
        assert _sorted_elements(ours["elements"]) == _sorted_elements(theirs["elements"])
        return
    again = cases.record(tf, name, str(DATA))
    assert again["elements"] == ours["elements"], "the same seed must give the same order"
    if compare == "seeded":
        assert _sorted_elements(ours["elements"]) == _sorted_elements(theirs["elements"])
    else:  # "epochs": two passes, each a shuffle of the same elements, reshuffled
        half = (len(ours["elements"]) - 1) // 2
        first, second = ours["elements"][:half], ours["elements"][half:-1]
        tf_first = theirs["elements"][:half]
        assert _sorted_elements(first) == _sorted_elements(second) == _sorted_elements(tf_first)
        assert first != second, "reshuffle_each_iteration gives each pass its own order"
