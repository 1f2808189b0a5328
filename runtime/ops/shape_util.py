"""Checks shared by shape functions, worded as TF's shape inference words them.

``apply_op`` adds the op and its input shapes to the message, giving e.g.
``Shape must be rank 2 but is rank 1 for '{{node MatMul}} = MatMul[...]' with input
shapes: [2,3], [3].``
"""

from __future__ import annotations

from ..shapes import TensorShape
from .core import format_shape


def with_rank(shape: TensorShape, rank: int) -> TensorShape:
    """``shape`` with rank ``rank`` (unknown dims if its rank is unknown).

    Examples
    --------
    >>> with_rank(TensorShape(None), 2)
    TensorShape([Dimension(None), Dimension(None)])
    >>> with_rank(TensorShape([3]), 2)
    Traceback (most recent call last):
    ...
    ValueError: Shape must be rank 2 but is rank 1
    """
    if shape.rank is None:
        return TensorShape([None] * rank)
    if shape.rank != rank:
        raise ValueError(f"Shape must be rank {rank} but is rank {shape.rank}")
    return shape


def with_rank_at_least(shape: TensorShape, rank: int) -> TensorShape:
    """``shape``, checked to have at least ``rank`` dims.

    Examples
    --------
    >>> with_rank_at_least(TensorShape([2, 3]), 4)
    Traceback (most recent call last):
    ...
    ValueError: Shape must be at least rank 4 but is rank 2
    """
    if shape.rank is not None and shape.rank < rank:
        raise ValueError(f"Shape must be at least rank {rank} but is rank {shape.rank}")
    return shape


def merge_dim(a, b):
    """The dimension both ``a`` and ``b`` describe (``None`` = unknown).

    Examples
    --------
    >>> merge_dim(None, 3), merge_dim(3, 3)
    (3, 3)
    >>> merge_dim(3, 4)
    Traceback (most recent call last):
    ...
    ValueError: Dimensions must be equal, but are 3 and 4
    """
    if a is None:
        return b
    if b is not None and a != b:
        raise ValueError(f"Dimensions must be equal, but are {a} and {b}")
    return a


def merge_shapes(a: TensorShape, b: TensorShape) -> TensorShape:
    """The most specific shape compatible with both, with TF's message on a clash.

    Examples
    --------
    >>> merge_shapes(TensorShape([None, 3]), TensorShape([2, None]))
    TensorShape([Dimension(2), Dimension(3)])
    >>> merge_shapes(TensorShape([2, 3]), TensorShape([2, 5]))
    Traceback (most recent call last):
    ...
    ValueError: Dimension 1 in both shapes must be equal, but are 3 and 5. Shapes are [2,3] and [2,5].
    """
    if a.rank is None:
        return b
    if b.rank is None:
        return a
    if a.rank != b.rank:
        raise ValueError(f"Shapes must be equal rank, but are {a.rank} and {b.rank}")
    dims = []
    for i, (x, y) in enumerate(zip(a.as_tuple(), b.as_tuple())):
        if x is not None and y is not None and x != y:
            raise ValueError(
                f"Dimension {i} in both shapes must be equal, but are {x} and {y}. Shapes "
                f"are {format_shape(a)} and {format_shape(b)}."
            )
        dims.append(x if x is not None else y)
    return TensorShape(dims)


def canonical_axis(axis: int, rank: int, what: str = "axis") -> int:
    """``axis`` in ``[0, rank)``; negative axes count from the end.

    Examples
    --------
    >>> canonical_axis(-1, 3)
    2
    >>> canonical_axis(3, 3)
    Traceback (most recent call last):
    ...
    ValueError: axis 3 is not in the interval [-3, 3)
    """
    if not -rank <= axis < rank:
        raise ValueError(f"{what} {axis} is not in the interval [{-rank}, {rank})")
    return axis % rank if rank else axis
