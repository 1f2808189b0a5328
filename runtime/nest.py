"""Nested structures of values: flatten them, rebuild them, compare them.

``cond``, ``while_loop`` and ``py_func`` take and return structures of tensors
(lists, tuples, namedtuples and dicts, nested). As in TF's ``tf.nest``, a dict's
items are visited in sorted key order, every other object is a leaf (``None``
included), and rebuilding keeps each container's type.
"""

from __future__ import annotations

__all__ = ["assert_same_structure", "flatten", "is_nested", "map_structure", "pack_sequence_as"]


def is_nested(value) -> bool:
    """True for lists, tuples (namedtuples too) and dicts.

    Examples
    --------
    >>> is_nested([1]), is_nested({"a": 1}), is_nested("ab")
    (True, True, False)
    """
    return isinstance(value, list | tuple | dict)


def _children(value) -> list:
    if isinstance(value, dict):
        return [value[key] for key in _sorted_keys(value)]
    return list(value)


def _sorted_keys(mapping: dict) -> list:
    try:
        return sorted(mapping)
    except TypeError as err:
        raise TypeError(f"nest only supports dicts with sortable keys: {err}") from None


def flatten(structure) -> list:
    """The leaves of ``structure``, depth first.

    Examples
    --------
    >>> flatten({"b": [2, 3], "a": (1, None)})
    [1, None, 2, 3]
    """
    if not is_nested(structure):
        return [structure]
    return [leaf for child in _children(structure) for leaf in flatten(child)]


def _rebuild(template, children: list):
    if isinstance(template, dict):
        by_key = dict(zip(_sorted_keys(template), children))
        return type(template)((key, by_key[key]) for key in template)
    if isinstance(template, tuple) and hasattr(template, "_fields"):
        return type(template)(*children)
    return type(template)(children)


def pack_sequence_as(structure, flat_sequence):
    """Arrange ``flat_sequence`` in the shape of ``structure``.

    Examples
    --------
    >>> pack_sequence_as({"b": [0, 0], "a": 0}, [1, 2, 3])
    {'b': [2, 3], 'a': 1}
    """
    flat_sequence = list(flat_sequence)
    leaves = len(flatten(structure))
    if leaves != len(flat_sequence):
        raise ValueError(
            f"Structure had {leaves} elements, but flat_sequence had {len(flat_sequence)} "
            f"elements. Structure: {structure}, flat_sequence: {flat_sequence}."
        )
    packed, _ = _pack(structure, flat_sequence, 0)
    return packed


def _pack(structure, flat: list, index: int):
    if not is_nested(structure):
        return flat[index], index + 1
    children = []
    for child in _children(structure):
        packed, index = _pack(child, flat, index)
        children.append(packed)
    return _rebuild(structure, children), index


def map_structure(fn, *structures):
    """Apply ``fn`` to the leaves of ``structures`` (which must match), keeping the shape.

    Examples
    --------
    >>> map_structure(lambda x, y: x + y, (1, [2]), (10, [20]))
    (11, [22])
    """
    for other in structures[1:]:
        assert_same_structure(structures[0], other)
    flat = [flatten(s) for s in structures]
    return pack_sequence_as(structures[0], [fn(*leaves) for leaves in zip(*flat)])


def assert_same_structure(first, second, check_types: bool = True) -> None:
    """``ValueError`` unless both structures nest the same way (``TypeError`` for types).

    With ``check_types`` a list and a tuple (or two dict types) differ.

    Examples
    --------
    >>> assert_same_structure([1, (2, 3)], [4, (5, 6)])
    >>> assert_same_structure([1, 2], [1])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: The two structures don't have the same nested structure...
    """
    detail = _difference(first, second, check_types)
    if detail is None:
        return
    kind, text = detail
    if kind is TypeError:
        raise TypeError(text)
    raise ValueError(
        "The two structures don't have the same nested structure.\n\n"
        f"First structure: {first}\n\nSecond structure: {second}\n\nMore specifically: {text}"
    )


def _difference(first, second, check_types: bool):
    """``(error class, text)`` for the first difference found, or ``None``."""
    if is_nested(first) != is_nested(second):
        nested, leaf = (first, second) if is_nested(first) else (second, first)
        return ValueError, f"Substructure {nested!r} is a sequence, while {leaf!r} is not"
    if not is_nested(first):
        return None
    if check_types and type(first) is not type(second):
        return TypeError, (
            "The two structures don't have the same sequence type. Input structure has type "
            f"{type(first)}, while shallow structure has type {type(second)}."
        )
    if isinstance(first, dict) != isinstance(second, dict):
        return ValueError, f"{first!r} and {second!r} are different kinds of containers"
    if isinstance(first, dict) and _sorted_keys(first) != _sorted_keys(second):
        return ValueError, (
            f"The two dictionaries don't have the same set of keys. First structure has keys "
            f"{_sorted_keys(first)}, while second structure has keys {_sorted_keys(second)}."
        )
    if len(first) != len(second):
        return ValueError, (
            f"The two structures don't have the same number of elements. First structure "
            f"{first!r} has {len(first)} elements, while second structure {second!r} has "
            f"{len(second)} elements."
        )
    for a, b in zip(_children(first), _children(second)):
        detail = _difference(a, b, check_types)
        if detail is not None:
            return detail
    return None
