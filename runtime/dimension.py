"""``tf.Dimension``: TF1's one dimension of a shape, known (``Dimension(3)``) or not
(``Dimension(None)``).

``TensorShape`` gives these for ``shape[i]`` and takes them wherever it takes ints.
Arithmetic with an unknown dimension is unknown, and so is comparing with one (``None``,
as TF answers); a dimension is false when unknown or 0, and unhashable, as TF's.

Examples
--------
>>> Dimension(3) * Dimension(None), Dimension(3) + 1
(Dimension(None), Dimension(4))
>>> Dimension(3) == 3, Dimension(3) == Dimension(None), bool(Dimension(None))
(True, None, False)
"""

from __future__ import annotations

import operator

__all__ = ["Dimension"]


class Dimension:
    """One dimension: ``value`` is an ``int`` >= 0, or ``None`` when unknown.

    Raises
    ------
    TypeError
        A value that is no integer (``Dimension(1.5)``).
    ValueError
        A negative value.
    """

    __slots__ = ("_value",)

    def __init__(self, value):
        if isinstance(value, Dimension):
            value = value.value
        if value is not None:
            try:
                value = operator.index(value)
            except TypeError:
                raise TypeError(
                    "Dimension value must be integer or None or have an __index__ method, "
                    f"got value '{value!r}' with type '{type(value)}'"
                ) from None
            if value < 0:
                raise ValueError(f"Dimension {value} must be >= 0")
        self._value = value

    @property
    def value(self):
        return self._value

    def __repr__(self):
        return f"Dimension({self._value!r})"

    def __str__(self):
        return "?" if self._value is None else str(self._value)

    def __int__(self):
        if self._value is None:
            raise TypeError("__int__ returned non-int (type NoneType)")
        return self._value

    __index__ = __int__

    def __bool__(self):
        return bool(self._value)

    __hash__ = None  # as TF's: equality with an unknown dimension is not an answer

    def is_compatible_with(self, other) -> bool:
        """Whether the two could be the same dimension (one is unknown, or they are equal)."""
        other = as_dimension(other)
        return self._value is None or other.value is None or self._value == other.value

    def assert_is_compatible_with(self, other) -> None:
        """Raise ``ValueError`` unless :meth:`is_compatible_with` ``other``."""
        if not self.is_compatible_with(other):
            raise ValueError(f"Dimensions {self} and {as_dimension(other)} are not compatible")

    def merge_with(self, other) -> Dimension:
        """The dimension both describe (the known one of the two).

        Examples
        --------
        >>> Dimension(None).merge_with(5)
        Dimension(5)
        """
        other = as_dimension(other)
        self.assert_is_compatible_with(other)
        return Dimension(other.value if self._value is None else self._value)

    def _combine(self, other, function):
        try:
            other = as_dimension(other)
        except (TypeError, ValueError):
            return NotImplemented
        if self._value is None or other.value is None:
            return Dimension(None)
        return Dimension(function(self._value, other.value))

    def __add__(self, other):
        return self._combine(other, operator.add)

    def __sub__(self, other):
        return self._combine(other, operator.sub)

    def __mul__(self, other):
        return self._combine(other, operator.mul)

    def __floordiv__(self, other):
        return self._combine(other, operator.floordiv)

    def __mod__(self, other):
        return self._combine(other, operator.mod)

    def __truediv__(self, other):
        raise TypeError(
            f"unsupported operand type(s) for /: 'Dimension' and '{type(other).__name__}', "
            "please use // instead"
        )

    def __rtruediv__(self, other):
        raise TypeError(
            f"unsupported operand type(s) for /: '{type(other).__name__}' and 'Dimension', "
            "please use // instead"
        )

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return as_dimension(other) - self

    def __rfloordiv__(self, other):
        return as_dimension(other) // self

    def __rmod__(self, other):
        return as_dimension(other) % self

    def _compare(self, other, function):
        try:
            other = as_dimension(other)
        except (TypeError, ValueError):
            return NotImplemented
        if self._value is None or other.value is None:
            return None
        return function(self._value, other.value)

    def __eq__(self, other):
        return self._compare(other, operator.eq)

    def __ne__(self, other):
        return self._compare(other, operator.ne)

    def __lt__(self, other):
        return self._compare(other, operator.lt)

    def __le__(self, other):
        return self._compare(other, operator.le)

    def __gt__(self, other):
        return self._compare(other, operator.gt)

    def __ge__(self, other):
        return self._compare(other, operator.ge)


def as_dimension(value) -> Dimension:
    """``value`` as a :class:`Dimension` (unchanged if it is one)."""
    return value if isinstance(value, Dimension) else Dimension(value)
