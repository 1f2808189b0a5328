"""Arrays derived from constant inputs: made once while the constant lives, never from
anything a run may change."""

from __future__ import annotations

import gc

import numpy as np
import pytest

import runtime as tf
from runtime.kernels import derived as derived_module
from runtime.kernels.derived import derived


class _Counting:
    """``np.tile`` that counts its calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self, source, reps):
        self.calls += 1
        return np.tile(source, reps)


def _constant(values) -> np.ndarray:
    array = np.array(values, np.float32)
    array.flags.writeable = False
    return array


def test_a_constants_derived_array_is_made_once_per_view_and_read_only():
    tile, constant = _Counting(), _constant([1, 2, 3])
    first = derived(tile, constant.view(), 2)  # the Const kernel hands out a new view each run
    again = derived(tile, constant.view(), 2)
    assert again is first and tile.calls == 1 and not first.flags.writeable
    assert derived(tile, constant[1:].view(), 2).tolist() == [2, 3, 2, 3]  # another part
    assert derived(tile, constant.view(), 3).size == 9 and tile.calls == 3  # other arguments


@pytest.mark.parametrize("kind", ["writeable", "view of a writeable array", "buffer"])
def test_what_a_run_may_change_is_derived_anew(kind):
    tile, values = _Counting(), np.array([1.0, 2.0], np.float32)
    if kind == "view of a writeable array":
        source = values.view()
        source.flags.writeable = False
    elif kind == "buffer":
        source = np.frombuffer(values.tobytes(), np.float32)  # read-only, owned by bytes
    else:
        source = values
    derived(tile, source, 2)
    values[0] = 5.0
    assert derived(tile, source, 2)[0] == (1.0 if kind == "buffer" else 5.0)
    assert tile.calls == 2


def test_an_entry_goes_with_its_constant(monkeypatch):
    monkeypatch.setattr(derived_module, "_CACHE", {})  # others' constants may go meanwhile
    constant = _constant(np.arange(4))
    derived(np.tile, constant.view(), 2)
    assert len(derived_module._CACHE) == 1
    del constant
    gc.collect()
    assert derived_module._CACHE == {}


def test_the_cache_holds_at_most_its_limit(monkeypatch):
    monkeypatch.setattr(derived_module, "_CACHE", {})
    monkeypatch.setattr(derived_module, "LIMIT", 3)
    constants = [_constant([i]) for i in range(5)]
    for constant in constants:
        derived(np.tile, constant, 2)
    assert len(derived_module._CACHE) <= 3


def test_a_graphs_fused_bias_and_depthwise_filter_are_derived_once(monkeypatch):
    # MobileNetV2's block: the folded bias rows and the tiled filter are made on the
    # first run only, and every run gives the same values.
    monkeypatch.setattr(derived_module, "_CACHE", {})
    rng = np.random.default_rng(3)
    with tf.Graph().as_default():
        x = tf.compat.v1.placeholder(tf.float32, [1, 8, 8, 3])
        w = tf.constant(rng.standard_normal((3, 3, 3, 1)).astype(np.float32))
        conv = tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME")
        ones = tf.constant(np.ones(3, np.float32))
        y, _, _ = tf.compat.v1.nn.fused_batch_norm(
            conv, ones, ones * 0.5, mean=ones, variance=ones, is_training=False
        )
        z = tf.nn.relu6(y)
        image = rng.standard_normal((1, 8, 8, 3)).astype(np.float32)
        with tf.compat.v1.Session() as sess:
            first = sess.run(z, {x: image})
            made = dict(derived_module._CACHE)
            assert len(made) == 2  # the bias rows and the tiled filter
            np.testing.assert_array_equal(sess.run(z, {x: image}), first)
            assert made == derived_module._CACHE
