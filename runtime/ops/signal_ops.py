"""The FFT ops of ``tf.signal`` (and TF1's ``tf.spectral`` and top-level ``tf.fft``):
``fft``, ``ifft``, ``rfft``, ``irfft`` over the innermost 1, 2 or 3 axes, and
``fftshift``/``ifftshift``.

``FFT``/``IFFT`` take complex tensors; ``RFFT`` takes a real signal and gives the
``fft_length[-1] // 2 + 1`` non-negative frequencies of the innermost axis, ``IRFFT``
the inverse. The builders are TF's wrappers: ``fft_length`` defaults to the signal's
length (``2 * (n - 1)`` for an inverse), and a shorter input is zero-padded by a
``Pad`` op before the transform (a longer one is cropped by the kernel).

Gradients are the adjoints TF defines: ``FFT``'s is ``IFFT`` times the size, and back;
``RFFT``'s is the real part of the inverse FFT of the zero-extended half spectrum times
the size (the real signal's gradient), ``IRFFT``'s the ``RFFT`` of the gradient with the
bins counted twice by the inverse doubled, over the size. TF leaves ``RFFT3D`` and
``IRFFT3D`` without a gradient; here every rank has one.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..graph import Tensor, graph_of
from ..registry import Cost, OpDef, TensorSpec, register_gradient, register_op
from ..scopes import name_scope
from ..shapes import TensorShape
from . import array_ops, math_ops
from .constant_value import constant_value, known_value
from .core import apply_op, convert_to_tensor
from .shape_util import with_rank, with_rank_at_least

__all__ = [
    "fft",
    "fft2d",
    "fft3d",
    "fftshift",
    "ifft",
    "ifft2d",
    "ifft3d",
    "ifftshift",
    "irfft",
    "irfft2d",
    "irfft3d",
    "rfft",
    "rfft2d",
    "rfft3d",
]

_SUFFIXES = {1: "", 2: "2D", 3: "3D"}
_TCOMPLEX = "Tcomplex: {complex64, complex128} = DT_COMPLEX64"
_TREAL = "Treal: {float, double} = DT_FLOAT"


# -- op definitions ---------------------------------------------------------------------


def _complex_shape(rank: int):
    def shape_fn(input, *, Tcomplex):
        return [TensorSpec(Tcomplex, with_rank_at_least(input.shape, rank))]

    return shape_fn


def _transformed_lengths(fft_length, rank: int) -> list:
    """The lengths ``fft_length`` gives, ``None`` where unknown when the op is built."""
    with_rank(fft_length.shape, 1)
    if fft_length.shape.as_list()[0] not in (None, rank):
        raise ValueError(
            f"Dimension must be {rank} but is {fft_length.shape.as_list()[0]} (fft_length)"
        )
    value = known_value(fft_length)
    return [None] * rank if value is None else [int(n) for n in value]


def _outer(shape: TensorShape, rank: int) -> TensorShape:
    shape = with_rank_at_least(shape, rank)
    return TensorShape(None) if shape.rank is None else shape[: shape.rank - rank]


def _rfft_shape(rank: int):
    def shape_fn(input, fft_length, *, Treal, Tcomplex):
        lengths = _transformed_lengths(fft_length, rank)
        last = None if lengths[-1] is None else lengths[-1] // 2 + 1
        return [TensorSpec(Tcomplex, _outer(input.shape, rank).concatenate([*lengths[:-1], last]))]

    return shape_fn


def _irfft_shape(rank: int):
    def shape_fn(input, fft_length, *, Treal, Tcomplex):
        lengths = _transformed_lengths(fft_length, rank)
        return [TensorSpec(Treal, _outer(input.shape, rank).concatenate(lengths))]

    return shape_fn


def _register_complex(op_type: str, rank: int) -> OpDef:
    return register_op(
        OpDef(
            op_type,
            ("input: Tcomplex",),
            ("output: Tcomplex",),
            (_TCOMPLEX,),
            shape_fn=_complex_shape(rank),
            cost=Cost.EXPENSIVE,
        )
    )


def _register_real(op_type: str, rank: int, inverse: bool) -> OpDef:
    arg, out = ("Tcomplex", "Treal") if inverse else ("Treal", "Tcomplex")
    return register_op(
        OpDef(
            op_type,
            (f"input: {arg}", "fft_length: int32"),
            (f"output: {out}",),
            (_TREAL, _TCOMPLEX),
            shape_fn=(_irfft_shape if inverse else _rfft_shape)(rank),
            cost=Cost.EXPENSIVE,
        )
    )


FFT = {rank: _register_complex("FFT" + s, rank) for rank, s in _SUFFIXES.items()}
IFFT = {rank: _register_complex("IFFT" + s, rank) for rank, s in _SUFFIXES.items()}
RFFT = {rank: _register_real("RFFT" + s, rank, inverse=False) for rank, s in _SUFFIXES.items()}
IRFFT = {rank: _register_real("IRFFT" + s, rank, inverse=True) for rank, s in _SUFFIXES.items()}


# -- gradients --------------------------------------------------------------------------


def _size(lengths: Tensor, dtype) -> Tensor:
    """The number of points of a transform, as ``dtype``."""
    return math_ops.cast(math_ops.reduce_prod(lengths), dtype)


def _innermost(tensor: Tensor, rank: int) -> Tensor:
    return array_ops.shape(tensor)[-rank:]


def _complex_gradient(rank: int, inverse: bool):
    def gradient(op, grad):
        if inverse:
            scale = math_ops.cast(
                1.0 / _size(_innermost(grad, rank), grad.dtype.real_dtype), grad.dtype
            )
            return _transform(FFT[rank], grad) * scale
        return _transform(IFFT[rank], grad) * _size(_innermost(grad, rank), grad.dtype)

    return gradient


def _fitted(tensor: Tensor, lengths: Tensor, like: Tensor, rank: int) -> Tensor:
    """``tensor`` cropped or zero-padded on its innermost ``rank`` axes to ``lengths``
    (the shape of ``like`` there): the adjoint of the kernel's fitting of its input."""
    ours, theirs = tensor.shape, like.shape
    if ours.is_fully_defined() and theirs.is_fully_defined() and ours == theirs:
        return tensor
    shape = array_ops.shape(tensor)
    outer, have = shape[:-rank], shape[-rank:]
    kept = array_ops.slice(
        tensor,
        array_ops.zeros_like(shape),
        array_ops.concat([outer, math_ops.minimum(have, lengths)], 0),
    )
    extra = math_ops.maximum(lengths - have, 0)
    after = array_ops.concat([array_ops.zeros_like(outer), extra], 0)
    return array_ops.pad(kept, array_ops.stack([array_ops.zeros_like(after), after], axis=1))


def _rfft_gradient(rank: int):
    def gradient(op, grad):
        signal, fft_length = op.inputs
        # The half spectrum, extended by zeros to the full length of the innermost axis.
        missing = fft_length[-1] - array_ops.shape(grad)[-1]
        paddings = array_ops.concat(
            [array_ops.zeros([array_ops.rank(grad) - 1, 2], dtypes.int32), [[0, missing]]], 0
        )
        full = _transform(IFFT[rank], array_ops.pad(grad, paddings))
        real = math_ops.real(full) * _size(fft_length, signal.dtype)
        return _fitted(real, _innermost(signal, rank), signal, rank), None

    return gradient


def _irfft_gradient(rank: int):
    def gradient(op, grad):
        spectrum, fft_length = op.inputs
        real_dtype = grad.dtype.base_dtype
        n = fft_length[-1]
        bins = math_ops.range(n // 2 + 1)
        # The inverse counts every bin twice but the DC and (for even n) Nyquist ones.
        once = math_ops.logical_or(math_ops.equal(bins, 0), math_ops.equal(2 * bins, n))
        weights = 2.0 - math_ops.cast(once, real_dtype)
        scale = weights / _size(fft_length, real_dtype)
        half = apply_op(
            RFFT[rank],
            [grad, fft_length],
            "RFFT" + _SUFFIXES[rank],
            Tcomplex=spectrum.dtype.base_dtype,
        ).outputs[0]
        weighted = half * math_ops.complex(scale, array_ops.zeros_like(scale))
        return _fitted(weighted, _innermost(spectrum, rank), spectrum, rank), None

    return gradient


for _rank, _suffix in _SUFFIXES.items():
    register_gradient("FFT" + _suffix)(_complex_gradient(_rank, inverse=False))
    register_gradient("IFFT" + _suffix)(_complex_gradient(_rank, inverse=True))
    register_gradient("RFFT" + _suffix)(_rfft_gradient(_rank))
    register_gradient("IRFFT" + _suffix)(_irfft_gradient(_rank))


# -- builders ---------------------------------------------------------------------------


def _transform(op_def: OpDef, input, name=None) -> Tensor:
    return apply_op(op_def, [input], name or op_def.name).outputs[0]


def _complex_builder(op_def: OpDef, name: str, what: str):
    def build(input, name=None):
        return _transform(op_def, input, name)

    build.__name__ = build.__qualname__ = name
    build.__doc__ = f"""The {what} over the innermost axes of a complex tensor
    (op type ``{op_def.name}``).

    Parameters
    ----------
    input : complex64 or complex128 tensor
    name : str, optional

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.signal.{name}(tf.ones([2, 4, 4], tf.complex64))
    >>> x.shape.as_list(), x.dtype.name
    ([2, 4, 4], 'complex64')
    """
    return build


fft = _complex_builder(FFT[1], "fft", "discrete Fourier transform")
fft2d = _complex_builder(FFT[2], "fft2d", "2-D discrete Fourier transform")
fft3d = _complex_builder(FFT[3], "fft3d", "3-D discrete Fourier transform")
ifft = _complex_builder(IFFT[1], "ifft", "inverse discrete Fourier transform")
ifft2d = _complex_builder(IFFT[2], "ifft2d", "2-D inverse discrete Fourier transform")
ifft3d = _complex_builder(IFFT[3], "ifft3d", "3-D inverse discrete Fourier transform")


def _lengths_tensor(fft_length, graph) -> Tensor:
    """``fft_length`` as an int32 vector; a list may hold scalar tensors (stacked)."""
    if isinstance(fft_length, list | tuple) and any(isinstance(n, Tensor) for n in fft_length):
        parts = [convert_to_tensor(n, dtype=dtypes.int32, graph=graph) for n in fft_length]
        return array_ops.stack(parts)
    return convert_to_tensor(fft_length, dtype=dtypes.int32, graph=graph)


def _static_lengths(fft_length) -> list | None:
    value = constant_value(fft_length) if isinstance(fft_length, Tensor) else fft_length
    return None if value is None else [int(n) for n in np.asarray(value).reshape(-1)]


def _padded(input: Tensor, rank: int, fft_length: Tensor, inverse: bool) -> Tensor:
    """``input`` zero-padded on its innermost axes up to ``fft_length`` (the innermost to
    ``fft_length[-1] // 2 + 1`` for an inverse): TF's ``_maybe_pad_for_rfft``."""
    shape = input.shape
    if shape.rank is not None and 0 in shape.as_list():
        return input
    lengths = _static_lengths(fft_length)
    inner = None if shape.rank is None else shape.as_list()[-rank:]
    if lengths is not None and inner is not None and None not in inner:
        if inverse:
            lengths = [*lengths[:-1], lengths[-1] // 2 + 1]
        extra = [max(n - have, 0) for n, have in zip(lengths, inner)]
        if not any(extra):
            return input
        return array_ops.pad(input, [[0, 0]] * (shape.rank - rank) + [[0, e] for e in extra])
    if inverse:
        fft_length = array_ops.concat([fft_length[:-1], fft_length[-1:] // 2 + 1], 0)
    extra = math_ops.maximum(0, fft_length - array_ops.shape(input)[-rank:])
    outer = math_ops.maximum(0, array_ops.rank(input) - rank)
    after = array_ops.concat([array_ops.zeros([outer], fft_length.dtype), extra], 0)
    return array_ops.pad(input, array_ops.stack([array_ops.zeros_like(after), after], axis=1))


def _inferred_length(input: Tensor, rank: int, inverse: bool) -> Tensor:
    """``fft_length`` when not given: the input's innermost lengths (``2 * (n - 1)`` for
    the innermost axis of an inverse)."""
    inner = None if input.shape.rank is None else input.shape.as_list()[-rank:]
    if inner is not None and None not in inner:
        if inverse:
            inner = [*inner[:-1], max(0, 2 * (inner[-1] - 1))]
        return convert_to_tensor(inner, dtype=dtypes.int32)
    lengths = array_ops.shape(input)[-rank:]
    if not inverse:
        return lengths
    last = math_ops.maximum(0, 2 * (lengths[-1] - 1))
    return array_ops.concat([lengths[:-1], array_ops.reshape(last, [1])], 0)


def _real_transform(rank: int, inverse: bool, default_name: str):
    op_def = (IRFFT if inverse else RFFT)[rank]

    def build(input_tensor, fft_length=None, name=None):
        graph = graph_of([input_tensor, fft_length])
        with name_scope(name, default_name, [input_tensor, fft_length]) as scope:
            preferred = dtypes.complex64 if inverse else dtypes.float32
            input_tensor = convert_to_tensor(input_tensor, preferred_dtype=preferred, graph=graph)
            _check_dtype(input_tensor, inverse)
            input_tensor.shape.with_rank_at_least(rank)
            if fft_length is None:
                fft_length = _inferred_length(input_tensor, rank, inverse)
            else:
                fft_length = _lengths_tensor(fft_length, graph)
            input_tensor = _padded(input_tensor, rank, fft_length, inverse)
            static = _static_lengths(fft_length)
            if static is not None:
                fft_length = convert_to_tensor(static, dtype=dtypes.int32, name="fft_length")
            real = input_tensor.dtype.real_dtype if inverse else input_tensor.dtype
            complex_dtype = dtypes.complex64 if real == dtypes.float32 else dtypes.complex128
            op = apply_op(
                op_def, [input_tensor, fft_length], scope, Treal=real, Tcomplex=complex_dtype
            )
            return op.outputs[0]

    build.__name__ = build.__qualname__ = default_name
    direction = "inverse of :func:`rfft`" if inverse else "FFT of a real signal"
    build.__doc__ = f"""The {rank}-D {direction} over the innermost axes (op type
    ``{op_def.name}``).

    Parameters
    ----------
    input_tensor : {"complex64 or complex128" if inverse else "float32 or float64"} tensor
    fft_length : list of {rank} int, or int32 tensor, optional
        The transform's lengths; the input is zero-padded (or cropped) to them
        {"(the innermost axis to fft_length[-1] // 2 + 1)" if inverse else ""}.
        Default: the input's lengths{" (2 * (n - 1) for the innermost)" if inverse else ""}.
    name : str, optional

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.signal.{default_name}(tf.ones([2, 6, 6], tf.{"complex64" if inverse else "float32"}))
    >>> x.dtype.name, x.shape.as_list()[-1]
    ('{"float32" if inverse else "complex64"}', {10 if inverse else 4})
    """
    return build


def _check_dtype(tensor: Tensor, inverse: bool) -> None:
    if inverse and tensor.dtype.base_dtype not in (dtypes.complex64, dtypes.complex128):
        raise ValueError(f"IRFFT requires tf.complex64 or tf.complex128 inputs, got: {tensor}")
    if not inverse and tensor.dtype.base_dtype not in (dtypes.float32, dtypes.float64):
        raise ValueError(f"RFFT requires tf.float32 or tf.float64 inputs, got: {tensor}")


rfft = _real_transform(1, False, "rfft")
rfft2d = _real_transform(2, False, "rfft2d")
rfft3d = _real_transform(3, False, "rfft3d")
irfft = _real_transform(1, True, "irfft")
irfft2d = _real_transform(2, True, "irfft2d")
irfft3d = _real_transform(3, True, "irfft3d")


def _shift(x, axes, name, default_name: str, sign: int) -> Tensor:
    with name_scope(name, default_name) as scope:
        x = convert_to_tensor(x)
        if axes is None:
            if x.shape.rank is None:
                raise ValueError(f"{default_name} needs the rank of x when axes is None")
            axes = tuple(range(x.shape.rank))
            shift = array_ops.shape(x) // 2
        elif isinstance(axes, int):
            shift = array_ops.shape(x)[axes] // 2
        else:
            rank = array_ops.rank(x)
            axes = convert_to_tensor(axes, dtype=dtypes.int32)
            axes = math_ops.where(math_ops.less(axes, 0), axes + rank, axes)
            shift = array_ops.gather(array_ops.shape(x), axes) // 2
        return array_ops.roll(x, shift * sign, axes, name=scope)


def fftshift(x, axes=None, name=None) -> Tensor:
    """``x`` rolled so the zero frequency is at the centre of each axis in ``axes``
    (default: all).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(fftshift([0, 1, 2, 3, -4, -3, -2, -1])))
    [-4 -3 -2 -1  0  1  2  3]
    """
    return _shift(x, axes, name, "fftshift", 1)


def ifftshift(x, axes=None, name=None) -> Tensor:
    """The inverse of :func:`fftshift`.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(ifftshift([-2, -1, 0, 1, 2])))
    [ 0  1  2 -2 -1]
    """
    return _shift(x, axes, name, "ifftshift", -1)
