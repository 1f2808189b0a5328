"""FFTs, ``tf.signal`` and ``tf.audio`` beyond the recorded TF cases
(``test_signal_fixtures.py``): finite-difference gradients (also where TF has none or
fails to build one), round trips, static shapes, the zero-length transforms, untrusted
WAV files, and ``tf.timestamp``."""

from __future__ import annotations

import struct
import time
import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import runtime as tf
from runtime.errors import InvalidArgumentError
from runtime.kernels.audio import parse_wav
from tests.runtime.gradcheck import check_gradients

v1 = tf.compat.v1
RNG = np.random.default_rng(2021)
signal = tf.signal


def _run(fetches, feed=None):
    with v1.Session() as sess:
        return sess.run(fetches, feed)


def _parts(z) -> list:
    return [tf.math.real(z), tf.math.imag(z)]


# -- gradients ----------------------------------------------------------------------------


@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("inverse", [False, True], ids=["fft", "ifft"])
def test_complex_fft_gradients(rank, inverse):
    transform = {
        (1, False): signal.fft,
        (2, False): signal.fft2d,
        (3, False): signal.fft3d,
        (1, True): signal.ifft,
        (2, True): signal.ifft2d,
        (3, True): signal.ifft3d,
    }[rank, inverse]
    shape = (2,) + (3,) * rank
    check_gradients(
        lambda re, im: _parts(transform(tf.complex(re, im))),
        [RNG.standard_normal(shape), RNG.standard_normal(shape)],
    )


REAL_TRANSFORMS = {
    1: (signal.rfft, signal.irfft),
    2: (signal.rfft2d, signal.irfft2d),
    3: (signal.rfft3d, signal.irfft3d),  # TF registers no gradient for these two
}


@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("n", [4, 5])
@pytest.mark.parametrize("change", [0, -1, 2], ids=["same", "cropped", "padded"])
def test_real_fft_gradients_for_every_rank_and_length(rank, n, change):
    forward, inverse = REAL_TRANSFORMS[rank]
    lengths = [3] * (rank - 1) + [n + change]
    signal_shape = (2,) + (3,) * (rank - 1) + (n,)
    check_gradients(lambda x: _parts(forward(x, lengths)), [RNG.standard_normal(signal_shape)])
    half = (*signal_shape[:-1], n // 2 + 1)
    check_gradients(
        lambda re, im: inverse(tf.complex(re, im), lengths),
        [RNG.standard_normal(half), RNG.standard_normal(half)],
    )


@pytest.mark.parametrize(
    "build",
    [
        lambda x: signal.frame(x, 4, 2, pad_end=True, pad_value=1.0),
        lambda x: signal.frame(x, 3, 2, axis=0),
        lambda x: signal.overlap_and_add(tf.reshape(x, [2, 3, 4]), 3),
        lambda x: _parts(signal.stft(tf.reshape(x, [2, 12]), 6, 3, fft_length=8)),
        lambda x: signal.mdct(tf.reshape(x, [24]), 8),
        lambda x: signal.dct(x, type=1) + signal.idct(x, type=4, norm="ortho"),
        lambda x: signal.mfccs_from_log_mel_spectrograms(tf.math.log(x * x + 1.0)),
        lambda x: signal.fftshift(x, axes=0) * signal.hann_window(6, dtype=tf.float64),
    ],
    ids=["frame", "frame_axis0", "overlap", "stft", "mdct", "dct", "mfcc", "fftshift"],
)
def test_signal_gradients(build):
    check_gradients(build, [RNG.standard_normal((4, 6))])


def test_inverse_stft_gradient_with_unknown_lengths():
    def build(re, im):
        fed = tf.placeholder_with_default(tf.complex(re, im), [None, None])
        return signal.inverse_stft(fed, 6, 2, fft_length=8)

    check_gradients(build, [RNG.standard_normal((4, 5)), RNG.standard_normal((4, 5))])


# -- round trips and shapes ---------------------------------------------------------------


def test_transforms_invert():
    x = RNG.standard_normal((3, 8, 6))
    z = x + 1j * RNG.standard_normal(x.shape)
    samples = x.reshape(-1)
    with tf.Graph().as_default():
        xt, series = tf.constant(x), tf.constant(samples)
        spectrum = signal.stft(series, 16, 4)
        back = {
            "fft3d": signal.ifft3d(signal.fft3d(tf.constant(z))),
            "rfft2d": signal.irfft2d(signal.rfft2d(xt), [8, 6]),
            "rfft_odd": signal.irfft(signal.rfft(xt[..., :5]), [5]),
            "dct_ortho": signal.idct(signal.dct(xt, type=3, norm="ortho"), type=3, norm="ortho"),
            "stft": signal.inverse_stft(
                spectrum, 16, 4, window_fn=signal.inverse_stft_window_fn(4)
            ),
            "mdct": signal.inverse_mdct(signal.mdct(series, 16)),
        }
        values = _run(back)
    np.testing.assert_allclose(values["fft3d"], z, atol=1e-12)
    np.testing.assert_allclose(values["rfft2d"], x, atol=1e-12)
    np.testing.assert_allclose(values["rfft_odd"], x[..., :5], atol=1e-12)
    np.testing.assert_allclose(values["dct_ortho"], x, atol=1e-12)
    # The first and last frames are not overlapped by others: only the middle comes back.
    np.testing.assert_allclose(values["stft"][12:-12], samples[12 : len(values["stft"]) - 12])
    np.testing.assert_allclose(values["mdct"][8:-8], samples[8 : len(values["mdct"]) - 8])


def test_static_shapes_follow_known_lengths_and_stay_unknown_otherwise():
    with tf.Graph().as_default():
        x = v1.placeholder(tf.float32, [None, 10])
        length = v1.placeholder(tf.int32, [])
        assert signal.rfft(x).shape.as_list() == [None, 6]
        assert signal.rfft(x, [length]).shape.as_list() == [None, None]
        assert signal.irfft(signal.rfft(x)).shape.as_list() == [None, 10]
        assert signal.frame(x, 4, 3).shape.as_list() == [None, 3, 4]
        assert signal.frame(x, length, 3).shape.as_list() == [None, None, None]
        assert signal.stft(x, 4, 2).shape.as_list() == [None, 4, 3]
        assert signal.overlap_and_add(v1.placeholder(tf.float32, [2, 5, 4]), 2).shape == (2, 12)
        unknown_rank = v1.placeholder(tf.complex64)
        assert signal.fft(unknown_rank).shape.rank is None
        with pytest.raises(ValueError, match="needs the rank"):
            signal.fftshift(unknown_rank)


def test_zero_length_transforms_give_zeros():
    with tf.Graph().as_default():
        empty = tf.zeros([0, 4])
        values = _run(
            [
                signal.rfft(empty),
                signal.rfft(tf.zeros([2, 3]), [0]),
                signal.irfft(tf.zeros([2, 0], tf.complex64), [4]),
                signal.fft2d(tf.zeros([3, 0, 2], tf.complex128)),
            ]
        )
    assert [v.shape for v in values] == [(0, 3), (2, 1), (2, 4), (3, 0, 2)]
    assert all(not v.any() for v in values)


def test_fft_lengths_of_the_wrong_size_are_refused_when_built():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="must be 2 but is 1"):
            signal.rfft2d(tf.zeros([4, 4]), [4])


# -- WAV files ----------------------------------------------------------------------------


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    st.integers(1, 4),
    st.integers(0, 50),
    st.integers(1, 48000),
    st.data(),
)
def test_encoded_audio_decodes_to_the_same_samples(channels, frames, rate, data):
    pcm = data.draw(
        st.lists(st.integers(-32768, 32767), min_size=channels * frames, max_size=channels * frames)
    )
    audio = (np.array(pcm, np.float32) / 32768).reshape(frames, channels)
    with tf.Graph().as_default():
        wav = signal_wav = tf.audio.encode_wav(audio, rate)
        decoded, decoded_rate = _run(tf.audio.decode_wav(signal_wav))
        contents = _run(wav)
    np.testing.assert_array_equal(decoded, audio)
    assert decoded_rate == rate and len(contents) == 44 + 2 * channels * frames


def _a_wav(frames=5, channels=2) -> bytes:
    data = np.arange(frames * channels, dtype="<i2").tobytes()
    fmt = struct.pack("<IHHIIHH", 16, 1, channels, 8000, 8000 * channels * 2, channels * 2, 16)
    body = b"WAVEfmt " + fmt + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _mutants():
    base = _a_wav()
    position = st.integers(0, len(base) - 1)
    flips = st.lists(st.tuples(position, st.integers(0, 255)), min_size=1, max_size=6)
    return st.one_of(
        flips.map(lambda edits: _edited(base, edits)),
        position.map(lambda cut: base[:cut]),
        st.binary(max_size=80).map(lambda tail: base[:36] + tail),
    )


def _edited(data: bytes, edits) -> bytes:
    data = bytearray(data)
    for where, value in edits:
        data[where] = value
    return bytes(data)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(_mutants())
def test_malformed_wav_files_decode_or_fail_cleanly_without_allocating_their_claims(data):
    tracemalloc.start()
    try:
        try:
            samples, rate = parse_wav(data)
        except InvalidArgumentError:
            pass
        else:
            assert samples.dtype == np.float32 and samples.ndim == 2 and rate >= 0
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024  # never what a header claims, at most what the file holds


def test_chunks_claiming_more_than_tf_allows_are_refused():
    wav = _a_wav()
    huge = wav[:36] + b"LIST" + struct.pack("<I", 2**31) + wav[36:]
    with pytest.raises(InvalidArgumentError, match="'LIST' is too large: 2147483648 bytes"):
        parse_wav(huge)
    twice = wav + wav[36:]
    with pytest.raises(InvalidArgumentError, match="More than one data chunk"):
        parse_wav(twice)


def test_encode_wav_refuses_what_it_cannot_write():
    with tf.Graph().as_default():
        fed = v1.placeholder(tf.float32)
        rate = v1.placeholder(tf.int32)
        wav = tf.audio.encode_wav(tf.reshape(fed, [-1, 1]), rate)
        with pytest.raises(tf.errors.InvalidArgumentError, match="sample_rate must be > 0"):
            _run(wav, {fed: [0.5], rate: 0})
        no_channels = tf.audio.encode_wav(tf.zeros([3, 0]), 8000)
        with pytest.raises(tf.errors.InvalidArgumentError, match="num_channels must be > 0"):
            _run(no_channels)


# -- timestamp ----------------------------------------------------------------------------


def test_timestamp_reads_the_clock_each_run():
    with tf.Graph().as_default():
        stamp = tf.timestamp()
        assert stamp.dtype == tf.float64 and stamp.shape == ()
        with v1.Session() as sess:
            before = time.time()
            first = sess.run(stamp)
            time.sleep(0.01)
            second = sess.run(stamp)
    assert before - 1 <= first < second <= time.time() + 1


def test_decode_wav_gives_tfs_namedtuple():
    with tf.Graph().as_default():
        decoded = tf.audio.decode_wav(tf.audio.encode_wav([[0.5, -0.5]], 8000))
        assert decoded._fields == ("audio", "sample_rate")
        audio, rate = _run(decoded)
    assert audio.tolist() == [[0.5, -0.5]] and rate == 8000
