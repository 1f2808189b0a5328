"""``Tensor.ref()`` and ``Variable.ref()``: a hashable handle that compares by identity.

TF2-style tensors are not hashable by value, so TF gives ``t.ref()`` to key dicts and
sets by the tensor itself; ``ref.deref()`` gives the tensor back.
"""

from __future__ import annotations

__all__ = ["Reference"]


class Reference:
    """A reference to an object, equal to another reference to the same object.

    Examples
    --------
    >>> thing = object()
    >>> Reference(thing) == Reference(thing), Reference(thing).deref() is thing
    (True, True)
    >>> len({Reference(thing), Reference(thing), Reference(object())})
    2
    """

    __slots__ = ("_wrapped",)

    def __init__(self, wrapped):
        self._wrapped = wrapped

    def deref(self):
        """The object referred to."""
        return self._wrapped

    def __eq__(self, other):
        return isinstance(other, Reference) and self._wrapped is other._wrapped

    def __hash__(self):
        return id(self._wrapped)

    def __repr__(self):
        return f"<Reference wrapping {self._wrapped!r}>"
