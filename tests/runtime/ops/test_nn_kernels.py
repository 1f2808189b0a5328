"""The convolution and pooling kernels on their own: every geometry, every block size.

The kernels lower convolutions to blocked matrix products and pools to per-tap
arithmetic; these tests hold them to plain loops over output pixels and window taps
(written independently, as plainly as possible), with the block sizes shrunk so the
blocking paths (several images per block, one image cut into runs of rows) all run.
The backprops are held to the forward kernel by the adjoint identity
``<conv(x, w), dy> = <x, dx> = <w, dw>``, which any correct gradient satisfies exactly.
Channel counts of 1, 3 and 9 take both patch layouts, and output counts below and
above four times the input's both input-gradient lowerings.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime import intra_op
from runtime.kernels.nn import activations, conv, normalization, pooling
from runtime.kernels.nn.windows import Windows, pad_spatial

RNG = np.random.default_rng(0)


def naive_conv(x, w, win: Windows):
    """``out[n, p, o] = sum over taps t and channels c of padded[n, p * s + t * d, c] * w[t, c, o]``."""
    padded = np.pad(x, [(0, 0), *win.pads, (0, 0)])
    out = np.zeros((x.shape[0], *win.out_sizes, w.shape[-1]))
    for position in np.ndindex(*win.out_sizes):
        for tap in np.ndindex(*win.ksize):
            cell = tuple(
                p * s + t * d for p, t, s, d in zip(position, tap, win.strides, win.dilations)
            )
            out[(slice(None), *position)] += padded[(slice(None), *cell)] @ w[tap]
    return out


def window_cells(x_shape, win: Windows):
    """Each output position and the real input cells of its window, taps in row-major order."""
    for position in np.ndindex(*win.out_sizes):
        cells = []
        for tap in np.ndindex(*win.ksize):
            cell = tuple(
                p * s + t - b for p, t, s, (b, _) in zip(position, tap, win.strides, win.pads)
            )
            if all(0 <= c < n for c, n in zip(cell, x_shape[1:-1])):
                cells.append(cell)
        yield position, cells


geometries = st.tuples(
    st.integers(1, 3),  # spatial rank
    st.integers(1, 3),  # batch
    st.lists(st.integers(1, 7), min_size=3, max_size=3),  # sizes
    st.lists(st.integers(1, 3), min_size=3, max_size=3),  # window
    st.lists(st.integers(1, 3), min_size=3, max_size=3),  # strides
    st.lists(st.integers(1, 2), min_size=3, max_size=3),  # dilations
    st.sampled_from(["SAME", "VALID"]),
)


def windows_of(geometry, dilated=True) -> tuple[int, tuple, Windows] | None:
    rank, batch, sizes, window, strides, dilations, padding = geometry
    sizes, window, strides = sizes[:rank], window[:rank], strides[:rank]
    dilations = dilations[:rank] if dilated else [1] * rank
    spans = [(k - 1) * d + 1 for k, d in zip(window, dilations)]
    if padding == "VALID" and any(n < span for n, span in zip(sizes, spans)):
        return None
    return batch, tuple(sizes), Windows.of(sizes, window, strides, padding, dilations)


@settings(deadline=None, max_examples=60)
@given(geometries, st.sampled_from([1, 3, 9]), st.integers(1, 5), st.sampled_from([1 << 30, 64]))
def test_conv_kernels_match_loops_and_are_adjoint(geometry, channels, out_channels, tile):
    found = windows_of(geometry)
    if found is None:
        return
    batch, sizes, win = found
    x = RNG.standard_normal((batch, *sizes, channels))
    w = RNG.standard_normal((*win.ksize, channels, out_channels))
    original, conv.TILE_BYTES = conv.TILE_BYTES, tile  # 64 bytes: a block per output row
    try:
        out = conv.conv_forward(x, w, win)
        np.testing.assert_allclose(out, naive_conv(x, w, win), rtol=1e-10, atol=1e-10)
        dy = RNG.standard_normal(out.shape)
        dx = conv.conv_backprop_input(dy, w, win)
        dw = conv.conv_backprop_filter(x, dy, win, win.ksize)
    finally:
        conv.TILE_BYTES = original
    assert dx.shape == x.shape and dw.shape == w.shape
    np.testing.assert_allclose(np.vdot(out, dy), np.vdot(x, dx), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(np.vdot(out, dy), np.vdot(w, dw), rtol=1e-10, atol=1e-10)


@settings(deadline=None, max_examples=40)
@given(geometries, st.integers(1, 3), st.integers(1, 3))
def test_depthwise_kernels_are_grouped_convolutions(geometry, channels, multiplier):
    """A depthwise filter [*k, c, m] is a grouped filter [*k, 1, c * m], one group per channel."""
    found = windows_of((2, *geometry[1:]))
    if found is None:
        return
    batch, sizes, win = found
    x = RNG.standard_normal((batch, *sizes, channels))
    w = RNG.standard_normal((*win.ksize, channels, multiplier))
    grouped = w.reshape(*win.ksize, 1, channels * multiplier)
    per_channel = [
        conv.conv_forward(
            x[..., c : c + 1], grouped[..., c * multiplier : (c + 1) * multiplier], win
        )
        for c in range(channels)
    ]
    out = conv.depthwise_forward(x, w, win)
    np.testing.assert_allclose(out, np.concatenate(per_channel, axis=-1), rtol=1e-10, atol=1e-10)
    dy = RNG.standard_normal(out.shape)
    dx = conv.depthwise_backprop_input(dy, w, win)
    dw = conv.depthwise_backprop_filter(x, dy, win, win.ksize)
    np.testing.assert_allclose(np.vdot(out, dy), np.vdot(x, dx), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(np.vdot(out, dy), np.vdot(w, dw), rtol=1e-10, atol=1e-10)


@settings(deadline=None, max_examples=60)
@given(geometries, st.integers(1, 3), st.booleans(), st.sampled_from([1 << 30, 1]))
def test_pool_kernels_match_loops(geometry, channels, ties, stack_bytes):
    found = windows_of(geometry, dilated=False)
    if found is None:
        return
    batch, sizes, win = found
    shape = (batch, *sizes, channels)
    x = RNG.integers(0, 3, shape).astype(float) if ties else RNG.standard_normal(shape)
    grad = RNG.standard_normal((batch, *win.out_sizes, channels))
    expected_max = np.zeros(grad.shape)
    expected_avg = np.zeros(grad.shape)
    expected_dx = np.zeros(shape)
    for position, cells in window_cells(shape, win):
        values = np.stack([x[(slice(None), *cell)] for cell in cells])
        here = (slice(None), *position)
        expected_max[here] = values.max(axis=0)
        expected_avg[here] = values.mean(axis=0)
        first = values.argmax(axis=0)  # the first maximum, TF's tie rule
        for k, cell in enumerate(cells):
            expected_dx[(slice(None), *cell)] += np.where(first == k, grad[here], 0)
    original, pooling.STACK_BYTES = pooling.STACK_BYTES, stack_bytes  # 1: one image a block
    try:
        dx = pooling.max_pool_backward(x, grad, win)
    finally:
        pooling.STACK_BYTES = original
    np.testing.assert_array_equal(pooling.max_pool_forward(x, win), expected_max)
    np.testing.assert_allclose(pooling.avg_pool_forward(x, win), expected_avg, rtol=1e-12)
    np.testing.assert_allclose(dx, expected_dx, rtol=1e-12, atol=1e-12)


def test_padding_never_wins_a_max_pool_even_at_the_lowest_value():
    x = np.full((1, 3, 3, 1), -np.inf)
    win = Windows.of((3, 3), (2, 2), (2, 2), "SAME")
    grad = np.ones((1, 2, 2, 1))
    dx = pooling.max_pool_backward(x, grad, win)
    assert dx.sum() == 4  # each window's gradient reached a real cell
    np.testing.assert_array_equal(dx[0, :, :, 0], [[1, 0, 1], [0, 0, 0], [1, 0, 1]])


def test_a_large_image_is_convolved_in_runs_of_rows_within_the_tile():
    x = RNG.standard_normal((2, 40, 30, 8)).astype(np.float32)
    w = RNG.standard_normal((3, 3, 8, 4)).astype(np.float32)
    win = Windows.of((40, 30), (3, 3), (1, 1), "SAME")
    blocks = list(conv._row_blocks(2, win, 3 * 3 * 8 * 4))
    full = conv.conv_forward(x, w, win)
    original, conv.TILE_BYTES = conv.TILE_BYTES, 30 * 3 * 3 * 8 * 4 * 7  # 7 rows a block
    try:
        tiled = conv.conv_forward(x, w, win)
        tiled_blocks = list(conv._row_blocks(2, win, 3 * 3 * 8 * 4))
    finally:
        conv.TILE_BYTES = original
    assert len(blocks) == 1 and len(tiled_blocks) == 2 * 6  # ceil(40 / 7) runs per image
    assert all(count <= 7 for _, _, count in tiled_blocks)
    np.testing.assert_allclose(tiled, full, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_conv_keeps_its_dtype_and_computes_half_in_single(dtype):
    x = RNG.standard_normal((1, 5, 5, 3)).astype(dtype)
    w = RNG.standard_normal((3, 3, 3, 2)).astype(dtype)
    attrs = {
        "strides": (1, 1, 1, 1),
        "padding": "SAME",
        "data_format": "NHWC",
        "dilations": (1, 1, 1, 1),
        "explicit_paddings": (),
    }
    (out,) = conv._conv(x, w, **attrs)
    win = Windows.of((5, 5), (3, 3), (1, 1), "SAME")
    expected = naive_conv(x.astype(np.float64), w.astype(np.float64), win)
    assert out.dtype == dtype
    np.testing.assert_allclose(out, expected, rtol={np.float16: 1e-2}.get(dtype, 1e-5), atol=1e-2)


def test_tap_slices_reach_every_window_cell_once():
    win = Windows.of((7, 6), (3, 2), (2, 3), "SAME", (2, 1))
    covered = np.zeros(win.padded_sizes, int)
    for tap in win.all_taps():
        covered[win.tap_slices(tap)] += 1
    expected = np.zeros(win.padded_sizes, int)
    for position, tap in itertools.product(np.ndindex(*win.out_sizes), win.all_taps()):
        cell = tuple(p * s + t * d for p, t, s, d in zip(position, tap, win.strides, win.dilations))
        expected[cell] += 1
    np.testing.assert_array_equal(covered, expected)


@pytest.mark.parametrize(
    "shape, window, padding",
    [
        ((2, 28, 28, 3), (2, 2), "VALID"),
        ((1, 7, 5, 2), (2, 2), "VALID"),  # the last row and column are in no window
        ((3, 9, 9, 1), (3, 3), "SAME"),  # SAME, but nothing to pad
        ((1, 4, 6, 2, 2), (2, 3, 2), "VALID"),
    ],
)
def test_tiling_windows_take_the_reshaped_max_pool_gradient(monkeypatch, shape, window, padding):
    """Windows that tile the input have their own gradient path; ties (the zeros after a
    ReLU) must still go to the first maximum, as on the general path."""
    x = RNG.integers(0, 3, shape).astype(np.float32)
    win = Windows.of(shape[1:-1], window, window, padding)
    grad = RNG.standard_normal((shape[0], *win.out_sizes, shape[-1])).astype(np.float32)
    assert pooling._tiles(win)
    tiled = pooling.max_pool_backward(x, grad, win)
    monkeypatch.setattr(pooling, "_tiles", lambda win: False)
    np.testing.assert_array_equal(tiled, pooling.max_pool_backward(x, grad, win))
    assert tiled.dtype == np.float32 and tiled.shape == x.shape


@pytest.mark.parametrize(
    "strides, dilations", [((1, 1), (1, 1)), ((2, 2), (1, 1)), ((1, 3), (2, 1))]
)
def test_a_depthwise_conv_cut_into_runs_of_rows_matches_one_block(monkeypatch, strides, dilations):
    """Each run of output rows (one per intra-op thread, or per tile) reads the right
    phase and rows of the padded input."""
    x = RNG.standard_normal((2, 11, 9, 3))
    w = RNG.standard_normal((3, 3, 3, 2))
    win = Windows.of((11, 9), (3, 3), strides, "SAME", dilations)
    whole = conv.depthwise_forward(x, w, win)
    monkeypatch.setattr(conv, "TILE_BYTES", 64)  # a block per output row
    monkeypatch.setattr(intra_op, "PARALLEL_WORK", 0)  # any output splits
    np.testing.assert_allclose(conv.depthwise_forward(x, w, win), whole, rtol=1e-12, atol=1e-12)
    grouped = w.reshape(3, 3, 1, 6)
    expected = [
        conv.conv_forward(x[..., c : c + 1], grouped[..., 2 * c : 2 * c + 2], win) for c in range(3)
    ]
    np.testing.assert_allclose(whole, np.concatenate(expected, axis=-1), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize(
    "shape, data_format, contiguous",
    [
        ((64, 28, 28, 32), "NHWC", True),  # summed by rows, then over the width
        ((3, 5, 4), "NHWC", True),
        ((4, 6, 5, 3), "NHWC", False),
        ((2, 3, 4, 5), "NCHW", True),
        ((7, 3), "NHWC", True),
    ],
)
def test_bias_add_grad_sums_every_channel(shape, data_format, contiguous):
    grad = RNG.standard_normal(shape).astype(np.float32)
    if not contiguous:
        grad = np.asfortranarray(grad)
    channel = 1 if data_format == "NCHW" else grad.ndim - 1
    axes = tuple(a for a in range(grad.ndim) if a != channel)
    expected = grad.astype(np.float64).sum(axis=axes)
    (sums,) = activations.bias_add_grad(grad, T=None, data_format=data_format)
    assert sums.dtype == np.float32 and sums.shape == (shape[channel],)
    np.testing.assert_allclose(sums, expected, rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize(
    "shape, data_format, dtype",
    [
        ((2, 5, 7, 3), "NHWC", np.float32),  # tiled across rows
        ((2, 3, 5, 7), "NCHW", np.float32),  # a channels-last view, not contiguous
        ((1, 4, 4, 2), "NHWC", np.float16),
        ((2, 3, 4, 5, 6), "NDHWC", np.float32),
    ],
)
def test_inference_batch_norm_scales_and_shifts_each_channel(shape, data_format, dtype):
    x = RNG.standard_normal(shape).astype(dtype)
    axis = 1 if data_format.startswith("NC") else len(shape) - 1
    scale, offset, mean = (RNG.standard_normal(shape[axis]).astype(np.float32) for _ in range(3))
    variance = RNG.random(shape[axis]).astype(np.float32)
    y, *_ = normalization.fused_batch_norm_v3(
        x, scale, offset, mean, variance, data_format=data_format, epsilon=1e-3, is_training=False
    )
    along = [1] * len(shape)
    along[axis] = shape[axis]

    def per_channel(vector):
        return vector.astype(np.float64).reshape(along)

    normalized = (x - per_channel(mean)) / np.sqrt(per_channel(variance) + 1e-3)
    expected = normalized * per_channel(scale) + per_channel(offset)
    assert y.dtype == dtype and y.shape == shape
    np.testing.assert_allclose(y, expected, rtol={np.float16: 1e-2}.get(dtype, 1e-5), atol=1e-2)


def test_a_max_pool_gradient_in_blocks_of_images_equals_one_over_the_batch(monkeypatch):
    x = np.maximum(RNG.standard_normal((5, 6, 6, 3)), 0).astype(np.float32)  # ties at 0
    grad = RNG.standard_normal((5, 3, 3, 3)).astype(np.float32)
    win = Windows.of((6, 6), (2, 2), (2, 2), "VALID")
    whole = pooling.max_pool_backward(x, grad, win)
    monkeypatch.setattr(pooling, "TILE_BYTES", x[0].nbytes * 2)  # blocks of two images
    np.testing.assert_array_equal(pooling.max_pool_backward(x, grad, win), whole)
    assert (whole != 0).sum() == grad.size  # one cell of each window took its gradient


@pytest.mark.parametrize(
    "strides, dilations, padding, multiplier",
    [
        ((1, 1), (1, 1), "SAME", 1),
        ((2, 2), (1, 1), "VALID", 1),
        ((1, 2), (2, 1), "SAME", 3),
        ((1, 1), (2, 3), "SAME", 2),
    ],
)
def test_depthwise_ways_of_summing_taps_agree(monkeypatch, strides, dilations, padding, multiplier):
    # Each way a depthwise convolution sums its taps that takes these windows, forced in
    # turn, in blocks of one row of output, with an epilogue that runs once on every
    # output cell.
    x = RNG.standard_normal((2, 9, 8, 4)).astype(np.float32)
    w = RNG.standard_normal((3, 2, 4, multiplier)).astype(np.float32)
    win = Windows.of((9, 8), (3, 2), strides, padding, dilations)
    monkeypatch.setattr(conv, "TILE_BYTES", 1)  # a block per output row
    kinds = [
        kind for kind in conv._DEPTHWISE_SUMS if kind.pay(4 * multiplier, win) or kind.pay(192, win)
    ]
    assert (conv._TapSums in kinds) == (strides == (1, 1))
    results = []
    for kind in kinds:
        monkeypatch.setattr(conv, "_DEPTHWISE_SUMS", (kind,))
        monkeypatch.setattr(kind, "pay", staticmethod(lambda channels, win: True))
        visits = []  # each block's size, as it is finished
        results.append(conv.depthwise_forward(x, w, win, finish=visits.append))
        assert sum(rows.size for rows in visits) == results[-1].size and len(visits) > 2
    reference = sum(  # tap by tap, on the whole arrays
        conv._tap_view(pad_spatial(np.repeat(x, multiplier, -1), win), win, tap)
        * w[tap].reshape(-1)
        for tap in win.all_taps()
    )
    for result in results:
        np.testing.assert_allclose(result, reference, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("strides", [(2, 2), (1, 3)])
@pytest.mark.parametrize("dilations", [(1, 1), (2, 3)])
def test_gathered_tap_columns_write_the_padding_as_zeros(monkeypatch, strides, dilations):
    # Padding wider than the window: whole blocks of rows, and some taps' columns, fall
    # in it; the gather must write them as zeros, block by block, without padding x.
    x = RNG.standard_normal((2, 5, 4, 3)).astype(np.float32)
    w = RNG.standard_normal((3, 3, 3, 1)).astype(np.float32)
    win = Windows.of((5, 4), (3, 3), strides, "EXPLICIT", dilations, ((6, 3), (7, 2)))
    assert conv._TapColumns.pay(3, win) == (strides[-1] > 1)
    monkeypatch.setattr(conv, "TILE_BYTES", 1)  # a block per output row
    monkeypatch.setattr(conv, "_DEPTHWISE_SUMS", (conv._TapColumns,))
    monkeypatch.setattr(conv._TapColumns, "pay", staticmethod(lambda channels, win: True))
    padded = pad_spatial(x, win)
    reference = sum(conv._tap_view(padded, win, tap) * w[tap].reshape(-1) for tap in win.all_taps())
    result = conv.depthwise_forward(x, w, win)
    assert (result == 0).any()  # windows wholly in the padding
    np.testing.assert_allclose(result, reference, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "spatial, ksize",
    [((6, 6), (2, 2)), ((7, 5), (2, 3)), ((5, 6, 7), (2, 3, 2)), ((4, 4), (1, 1))],
)
def test_tiled_max_pools_equal_the_tap_by_tap_ones(monkeypatch, spatial, ksize):
    # Windows that tile the input (stride = size, VALID, some cells left over) take the
    # row-wise path; forced tap by tap they must give the same maxima and gradients.
    x = np.maximum(RNG.standard_normal((3, *spatial, 4)), 0).astype(np.float32)  # ties at 0
    win = Windows.of(spatial, ksize, ksize, "VALID")
    grad = RNG.standard_normal((3, *win.out_sizes, 4)).astype(np.float32)
    tiled = pooling.max_pool_forward(x, win), pooling.max_pool_backward(x, grad, win)
    monkeypatch.setattr(pooling, "_tiles", lambda win: False)
    np.testing.assert_array_equal(tiled[0], pooling.max_pool_forward(x, win))
    np.testing.assert_array_equal(tiled[1], pooling.max_pool_backward(x, grad, win))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_relu_grad_is_the_gradient_times_the_positive_mask(dtype):
    # TF's ReluGrad is gradients * (features > 0): zero at 0 and below and for NaN
    # features, while a NaN gradient stays NaN even where the mask is 0.
    gradients = np.array([1.5, np.nan, np.nan, 2.0, -3.0, 4.0], dtype)
    features = np.array([2.0, 1.0, -1.0, 0.0, np.nan, -0.5], dtype)
    out = activations.relu_grad(gradients, features, T=None)[0]
    assert out.dtype == dtype
    np.testing.assert_array_equal(out, np.array([1.5, np.nan, np.nan, 0, 0, 0], dtype))
