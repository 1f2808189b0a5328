"""Bad input gets TF's error class and a message that says what went wrong.

Each case of ``tests/fixtures/bad_input/cases.json`` is TF1 code that real TensorFlow
ran (``tests/fixtures/bad_input/generate.py`` recorded the class it raised); here the
same code runs against the runtime. Where the runtime deliberately differs (README,
"Where the runtime differs from TensorFlow") the case says so and its own class is
checked instead.
"""

from __future__ import annotations

import builtins
import json
from pathlib import Path

import numpy as np
import pytest

import runtime as tf
from runtime import errors
from runtime.graph_def import GraphDef

CASES = json.loads(
    Path(__file__).parent.joinpath("..", "fixtures", "bad_input", "cases.json").read_text()
)


def expected_class(case) -> type | None:
    """The runtime's class for TF's (``tensorflow...InvalidArgumentError`` ->
    ``runtime.errors.InvalidArgumentError``), or the documented one where they differ."""
    name = case["differs"]["class"] if case["differs"] else case["tf_class"]
    if name is None:
        return None
    name = name.rpartition(".")[2]
    return getattr(errors, name, None) or getattr(builtins, name)


def run_case(case):
    namespace = {"tf": tf, "v1": tf.compat.v1, "np": np, "parse_graph_def": GraphDef.from_text}
    with tf.Graph().as_default():
        exec(case["setup"], namespace)
        try:
            exec(case["call"], namespace)
        except Exception as err:
            return err
    return None


@pytest.mark.parametrize("case", [pytest.param(case, id=case["id"]) for case in CASES])
def test_bad_input_raises_tf_error_class(case):
    wanted = expected_class(case)
    err = run_case(case)
    if wanted is None:
        assert err is None, f"TF raises nothing here; the runtime raised {err!r}"
        return
    assert isinstance(err, wanted), (
        f"TF raises {case['tf_class']} ({case['tf_message'][:200]!r}); "
        f"the runtime raised {type(err).__name__}: {err}"
    )
    message = str(err).lower()
    missing = [word for word in case["keywords"] if word.lower() not in message]
    assert not missing, f"message lacks {missing}: {err}"


def test_the_table_is_broad():
    assert len(CASES) >= 119
    assert len({case["tf_class"] for case in CASES}) >= 10
