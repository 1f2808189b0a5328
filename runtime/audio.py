"""``tf.audio``: WAV files as tensors (see :mod:`runtime.ops.audio_ops`)."""

from .ops.audio_ops import decode_wav, encode_wav

__all__ = ["decode_wav", "encode_wav"]
