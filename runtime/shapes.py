"""``TensorShape``: static shapes with unknown dimensions and unknown rank.

A shape holds each dimension as an ``int`` or ``None`` (unknown); a shape of unknown
rank has ``rank is None``. Users see TF1's shapes, as TF 2.x with v2 behaviour disabled
shows them: ``shape[1]``, iteration and ``dims`` give :class:`~runtime.dimension.Dimension`
objects (``shape[1].value`` is the ``int`` or ``None``), ``as_list()`` gives ints and
``None``, and unknown dimensions print as ``?``. The runtime's own code reads plain
values, without making ``Dimension`` objects: :meth:`TensorShape.as_tuple`,
:meth:`TensorShape.as_list` and :meth:`TensorShape.dim_value`.
"""

from __future__ import annotations

from .dimension import Dimension


class TensorShape:
    """The static shape of a tensor.

    Examples
    --------
    >>> s = TensorShape([2, None])
    >>> s.rank, s[0], s[1].value, s.dim_value(1), s.is_fully_defined()
    (2, Dimension(2), None, None, False)
    >>> s.merge_with([None, 3])
    TensorShape([Dimension(2), Dimension(3)])
    >>> print(s, s.as_list(), TensorShape(None))
    (2, ?) [2, None] <unknown>
    """

    __slots__ = ("_dims",)

    def __init__(self, dims=None):
        if dims is None:
            self._dims = None
        elif isinstance(dims, TensorShape):
            self._dims = dims._dims
        elif isinstance(dims, int) and not isinstance(dims, bool):
            self._dims = (_dim(dims),)
        elif type(dims) is tuple and not dims:  # a scalar's, the commonest: no generator
            self._dims = ()
        else:
            self._dims = tuple(_dim(d) for d in dims)

    @property
    def dims(self):
        """TF1's list of :class:`Dimension` objects, or ``None`` for an unknown rank."""
        return None if self._dims is None else [Dimension(d) for d in self._dims]

    @property
    def rank(self):
        return None if self._dims is None else len(self._dims)

    ndims = rank

    def as_list(self) -> list:
        """The dimensions as a list; raises ``ValueError`` for an unknown rank."""
        if self._dims is None:
            raise ValueError("as_list() is not defined on an unknown TensorShape.")
        return list(self._dims)

    def as_tuple(self):
        """The dimensions as a tuple of ints and ``None``, or ``None`` for an unknown rank."""
        return self._dims

    def dim_value(self, index: int):
        """Dimension ``index`` as an ``int``, or ``None`` when it (or the rank) is unknown.

        The runtime's own reading of ``self[index].value``, without a ``Dimension``.

        Examples
        --------
        >>> TensorShape([2, None]).dim_value(0), TensorShape(None).dim_value(3)
        (2, None)
        """
        return None if self._dims is None else self._dims[index]

    def is_fully_defined(self) -> bool:
        return self._dims is not None and None not in self._dims

    def num_elements(self):
        """The number of elements, or ``None`` when any dimension is unknown."""
        if not self.is_fully_defined():
            return None
        count = 1
        for dim in self._dims:
            count *= dim
        return count

    def is_compatible_with(self, other) -> bool:
        """True when some concrete shape fits both ``self`` and ``other``."""
        other = as_shape(other)
        if self._dims is None or other._dims is None:
            return True
        if len(self._dims) != len(other._dims):
            return False
        return all(a is None or b is None or a == b for a, b in zip(self._dims, other._dims))

    def assert_is_compatible_with(self, other) -> None:
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {as_shape(other)} are incompatible")

    def merge_with(self, other) -> TensorShape:
        """The most specific shape compatible with both; ``ValueError`` if none exists."""
        other = as_shape(other)
        if self._dims is None:
            return other
        if other._dims is None:
            return self
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {other} are not compatible")
        return TensorShape(a if a is not None else b for a, b in zip(self._dims, other._dims))

    def most_specific_compatible_shape(self, other) -> TensorShape:
        """The most specific shape that both ``self`` and ``other`` are compatible with."""
        other = as_shape(other)
        if self._dims is None or other._dims is None or len(self._dims) != len(other._dims):
            return TensorShape(None)
        return TensorShape(a if a == b else None for a, b in zip(self._dims, other._dims))

    def with_rank(self, rank: int) -> TensorShape:
        if self._dims is None:
            return TensorShape([None] * rank)
        if len(self._dims) != rank:
            raise ValueError(f"Shape {self} must have rank {rank}")
        return self

    def with_rank_at_least(self, rank: int) -> TensorShape:
        if self._dims is not None and len(self._dims) < rank:
            raise ValueError(f"Shape {self} must have rank at least {rank}")
        return self

    def concatenate(self, other) -> TensorShape:
        other = as_shape(other)
        if self._dims is None or other._dims is None:
            return TensorShape(None)
        return TensorShape(self._dims + other._dims)

    def __getitem__(self, key):
        """TF1's indexing: a :class:`Dimension` for an index, a ``TensorShape`` for a slice.

        A slice of a shape of unknown rank has the slice's length as its rank where both
        ends are given and not negative, as TF's (``TensorShape(None)[1:3]`` is ``(?, ?)``).
        """
        if isinstance(key, slice):
            if self._dims is not None:
                return TensorShape(self._dims[key])
            if key.step is not None:
                raise ValueError("Steps are not yet handled")
            start, stop = key.start or 0, key.stop
            if stop is None or start < 0 or stop < 0:
                return TensorShape(None)
            return TensorShape([None] * max(stop - start, 0))
        return Dimension(None if self._dims is None else self._dims[key])

    def __iter__(self):
        if self._dims is None:
            raise ValueError("Cannot iterate over a shape with unknown rank.")
        return (Dimension(d) for d in self._dims)

    def __len__(self):
        if self._dims is None:
            raise ValueError("Cannot take the length of shape with unknown rank.")
        return len(self._dims)

    def __bool__(self):
        return self._dims is not None

    def __eq__(self, other):
        try:
            other = as_shape(other)
        except (TypeError, ValueError):
            return NotImplemented
        return self._dims == other._dims

    def __hash__(self):
        return hash(self._dims)

    def __repr__(self):
        return f"TensorShape({self.dims})"

    def __str__(self):
        if self._dims is None:
            return "<unknown>"
        text = ", ".join("?" if d is None else str(d) for d in self._dims)
        return f"({text},)" if len(self._dims) == 1 else f"({text})"

    def __reduce__(self):
        return TensorShape, (self._dims,)


def _dim(value):
    if value is None or (type(value) is int and value >= 0):
        return value
    if hasattr(value, "value") and not isinstance(value, int):  # Dimension objects
        value = value.value
        if value is None:
            return None
    try:
        dim = int(value)
    except (TypeError, ValueError):
        raise TypeError(f"Dimension value must be an integer or None, got {value!r}") from None
    if dim != value:
        raise TypeError(f"Dimension value must be an integer or None, got {value!r}")
    if dim < 0:
        raise ValueError(f"Dimension {dim} must be >= 0")
    return dim


def as_shape(shape) -> TensorShape:
    """Convert a list, tuple, int or ``TensorShape`` to a ``TensorShape``.

    Examples
    --------
    >>> as_shape((3, None))
    TensorShape([Dimension(3), Dimension(None)])
    """
    return shape if isinstance(shape, TensorShape) else TensorShape(shape)


def unknown_shape(rank=None) -> TensorShape:
    """A shape of unknown rank, or of known ``rank`` with unknown dimensions.

    Examples
    --------
    >>> unknown_shape(), unknown_shape(2)
    (TensorShape(None), TensorShape([Dimension(None), Dimension(None)]))
    """
    return TensorShape(None if rank is None else [None] * rank)


def scalar() -> TensorShape:
    """The shape of a 0-d tensor."""
    return TensorShape(())


def broadcast_shapes(a, b) -> TensorShape:
    """The static result of numpy-style broadcasting; ``ValueError`` if impossible.

    Examples
    --------
    >>> broadcast_shapes([2, 1], [3])
    TensorShape([Dimension(2), Dimension(3)])
    >>> broadcast_shapes([None, 1], [4])
    TensorShape([Dimension(None), Dimension(4)])
    """
    a, b = as_shape(a), as_shape(b)
    if a._dims == b._dims and a._dims is not None:
        return a  # shapes are immutable; most elementwise ops combine equal shapes
    if a.rank is None or b.rank is None:
        return TensorShape(None)
    rank = max(a.rank, b.rank)
    left = (1,) * (rank - a.rank) + a.as_tuple()
    right = (1,) * (rank - b.rank) + b.as_tuple()
    return TensorShape(_broadcast_dim(x, y, a, b) for x, y in zip(left, right))


def _broadcast_dim(x, y, a, b):
    if x == 1:
        return y
    if y == 1:
        return x
    if x is None or y is None:
        return x if y is None else y
    if x != y:
        raise ValueError(f"Dimensions must be equal, but are {x} and {y}")
    return x
