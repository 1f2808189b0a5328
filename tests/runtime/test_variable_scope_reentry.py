"""A ``VariableScope`` entered again names its ops as TF 2.21 does (``s_1/y``, shared
``s/w``), recorded by ``tests/fixtures/tf1_compat/generate.py`` from the programs of
``scope_cases.py``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import runtime as tf
from tests.fixtures.tf1_compat import scope_cases

RECORDED = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "tf1_compat" / "scopes.json").read_text()
)


def test_every_program_was_recorded():
    assert sorted(RECORDED) == sorted(scope_cases.PROGRAMS)


@pytest.mark.parametrize("program", sorted(scope_cases.PROGRAMS))
def test_names_match_tf(program):
    with tf.Graph().as_default():
        assert scope_cases.PROGRAMS[program](tf) == RECORDED[program]


def test_template_calls_share_variables_and_compute_with_them():
    with tf.Graph().as_default():
        shared = tf.make_template(
            "scale",
            lambda x: x * tf.get_variable("w", [], initializer=tf.constant_initializer(3.0)),
        )
        first, second = shared(tf.constant(1.0)), shared(tf.constant(2.0))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert sess.run([first, second]) == [3.0, 6.0]
        assert first.op.name != second.op.name
