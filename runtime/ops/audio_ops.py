"""WAV files as tensors: ``tf.audio.decode_wav`` and ``tf.audio.encode_wav`` (16-bit PCM),
and ``tf.timestamp``.

The kernels are in :mod:`runtime.kernels.audio`.
"""

from __future__ import annotations

from .. import dtypes
from ..registry import Cost, OpDef, TensorSpec, register_op
from ..shapes import TensorShape
from .core import apply_op, op_outputs
from .shape_util import with_rank

__all__ = ["decode_wav", "encode_wav", "timestamp"]


def _decode_shape(contents, *, desired_channels, desired_samples):
    with_rank(contents.shape, 0)
    frames = None if desired_samples == -1 else desired_samples
    channels = None if desired_channels == -1 else desired_channels
    return [
        TensorSpec(dtypes.float32, TensorShape([frames, channels])),
        TensorSpec(dtypes.int32, TensorShape([])),
    ]


def _encode_shape(audio, sample_rate):
    with_rank(audio.shape, 2)
    with_rank(sample_rate.shape, 0)
    return [TensorSpec(dtypes.string, TensorShape([]))]


DECODE_WAV = register_op(
    OpDef(
        "DecodeWav",
        ("contents: string",),
        ("audio: float", "sample_rate: int32"),
        ("desired_channels: int = -1", "desired_samples: int = -1"),
        shape_fn=_decode_shape,
        cost=Cost.EXPENSIVE,
    )
)
ENCODE_WAV = register_op(
    OpDef(
        "EncodeWav",
        ("audio: float", "sample_rate: int32"),
        ("contents: string",),
        (),
        shape_fn=_encode_shape,
        cost=Cost.EXPENSIVE,
    )
)
TIMESTAMP = register_op(
    OpDef(
        "Timestamp",
        (),
        ("ts: double",),
        (),
        shape_fn=lambda: [TensorSpec(dtypes.float64, TensorShape([]))],
        is_stateful=True,
    )
)


def decode_wav(contents, desired_channels=-1, desired_samples=-1, name=None):
    """The samples and sample rate of a 16-bit PCM WAV file.

    Parameters
    ----------
    contents : scalar string tensor
        The file's bytes (``tf.io.read_file``).
    desired_channels, desired_samples : int
        The channels and samples wanted (-1: the file's). Extra channels repeat the
        file's last one; extra samples are silence; fewer are cut.
    name : str, optional

    Returns
    -------
    ``(audio, sample_rate)``: float32 ``[samples, channels]`` in [-1, 1) and an int32
    scalar (a namedtuple, as TF's).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     wav = tf.audio.encode_wav([[0.5], [-0.25]], 8000)
    ...     audio, rate = tf.audio.decode_wav(wav, desired_channels=2)
    ...     print(*tf.compat.v1.Session().run([audio, rate]))
    [[ 0.5   0.5 ]
     [-0.25 -0.25]] 8000
    """
    op = apply_op(
        DECODE_WAV,
        [contents],
        name or "DecodeWav",
        desired_channels=desired_channels,
        desired_samples=desired_samples,
    )
    return op_outputs(op)  # TF's namedtuple DecodeWav(audio, sample_rate)


def encode_wav(audio, sample_rate, name=None):
    """A 16-bit PCM WAV file of ``audio`` (float32 ``[samples, channels]``, clipped to
    [-1, 1]) at ``sample_rate``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     wav = tf.compat.v1.Session().run(encode_wav([[0.0, 1.0]], 16000))
    >>> wav[:4], len(wav)
    (b'RIFF', 48)
    """
    return apply_op(ENCODE_WAV, [audio, sample_rate], name or "EncodeWav").outputs[0]


def timestamp(name=None):
    """The time when the op runs, in seconds since the epoch (float64).

    Examples
    --------
    >>> import time, runtime as tf
    >>> with tf.Graph().as_default():
    ...     now = tf.compat.v1.Session().run(timestamp())
    >>> bool(abs(now - time.time()) < 60)
    True
    """
    return apply_op(TIMESTAMP, [], name or "Timestamp").outputs[0]
