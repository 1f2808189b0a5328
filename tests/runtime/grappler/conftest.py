"""Fixtures of the graph optimizer tests."""

from __future__ import annotations

import pytest

import runtime as tf


@pytest.fixture(autouse=True)
def graph():
    """A fresh default graph for each test."""
    with tf.Graph().as_default() as g:
        yield g
