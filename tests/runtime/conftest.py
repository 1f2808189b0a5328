"""Fixtures shared by the runtime tests."""

from __future__ import annotations

import pytest

import runtime as tf
from runtime import op_binding

# Every typed op the tests build has its shape function's dtypes checked against its OpDef.
op_binding.CHECK_OUTPUTS = True


@pytest.fixture
def graph():
    """A fresh graph, installed as the default graph for the test."""
    with tf.Graph().as_default() as g:
        yield g


@pytest.fixture
def sess(graph):
    """A session over the ``graph`` fixture, closed after the test."""
    with tf.compat.v1.Session(graph=graph) as session:
        yield session
