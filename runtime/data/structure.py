"""The structure of a dataset's elements: nested tuples and dicts of components.

``tf.data`` nests differently from :mod:`runtime.nest`: only tuples (namedtuples
too) and dicts are structure; a list is one component, converted to a tensor (so
``from_tensor_slices(([1, 2], [3, 4]))`` has two components, ``[[1, 2], [3, 4]]``
one). Dict items are visited in sorted key order, as everywhere in TF.

A dataset knows its element :class:`Structure`: the nested ``output_types``,
``output_shapes`` and ``output_classes``; its ops carry the flat lists.
"""

from __future__ import annotations

from .. import dtypes
from ..shapes import TensorShape, as_shape


def is_nested(value) -> bool:
    """True for tuples and dicts, the containers of a dataset element.

    Examples
    --------
    >>> is_nested((1, 2)), is_nested({"a": 1}), is_nested([1, 2])
    (True, True, False)
    """
    return isinstance(value, tuple | dict)


def _children(value) -> list:
    if isinstance(value, dict):
        return [value[key] for key in sorted(value)]
    return list(value)


def flatten(structure) -> list:
    """The components of ``structure``, depth first.

    Examples
    --------
    >>> flatten(({"b": 2, "a": [0, 1]}, 3))
    [[0, 1], 2, 3]
    """
    if not is_nested(structure):
        return [structure]
    return [leaf for child in _children(structure) for leaf in flatten(child)]


def pack(structure, flat):
    """``flat`` arranged as ``structure``.

    Examples
    --------
    >>> pack(({"b": 0, "a": 0}, 0), [1, 2, 3])
    ({'b': 2, 'a': 1}, 3)
    """
    flat = list(flat)
    packed, used = _pack(structure, flat, 0)
    if used != len(flat):
        raise ValueError(f"The structure has {used} components, but {len(flat)} values were given.")
    return packed


def _pack(structure, flat: list, index: int):
    if not is_nested(structure):
        return flat[index], index + 1
    children = []
    for child in _children(structure):
        value, index = _pack(child, flat, index)
        children.append(value)
    if isinstance(structure, dict):
        by_key = dict(zip(sorted(structure), children))
        return type(structure)((key, by_key[key]) for key in structure), index
    if hasattr(structure, "_fields"):
        return type(structure)(*children), index
    return tuple(children), index


def map_structure(fn, structure):
    """``structure`` with ``fn`` applied to each component.

    Examples
    --------
    >>> map_structure(lambda x: x * 10, (1, {"a": 2}))
    (10, {'a': 20})
    """
    return pack(structure, [fn(leaf) for leaf in flatten(structure)])


def map_structure_up_to(template, fn, value):
    """``fn`` applied to the parts of ``value`` where ``template`` has its components.

    For structures whose leaves are themselves nested, such as shapes: ``((), ())``
    is two scalar shapes for a template of two components.

    Examples
    --------
    >>> map_structure_up_to((0, 0), len, ((), (1, 2)))
    (0, 2)
    """
    if not is_nested(template):
        return fn(value)
    if isinstance(template, dict):
        children = {key: map_structure_up_to(template[key], fn, value[key]) for key in template}
        return pack(template, flatten(children)) if children else template
    if not isinstance(value, tuple | list) or len(value) != len(template):
        raise ValueError(f"{value!r} does not have the structure of {template!r}.")
    children = [map_structure_up_to(t, fn, v) for t, v in zip(template, value)]
    return type(template)(*children) if hasattr(template, "_fields") else tuple(children)


class SparseSpec:
    """The ``output_classes`` entry of a ``SparseTensor`` component: its values' dtype and
    dense shape (the component itself is a ``[3]`` variant, see ``sparse_elements``)."""

    def __init__(self, dtype, shape):
        self.dtype = dtypes.as_dtype(dtype)
        self.shape = as_shape(shape)

    def batched(self, batch_dim) -> SparseSpec:
        return SparseSpec(self.dtype, TensorShape([batch_dim]).concatenate(self.shape))

    def unbatched(self) -> SparseSpec:
        rank = self.shape.rank
        return SparseSpec(
            self.dtype, self.shape if rank is None else TensorShape(self.shape.as_tuple()[1:])
        )

    def __eq__(self, other):
        return isinstance(other, SparseSpec) and (self.dtype, self.shape) == (
            other.dtype,
            other.shape,
        )

    def __hash__(self):
        return hash((self.dtype, self.shape))

    def __repr__(self):
        return f"SparseSpec({self.dtype.name}, {self.shape})"


class Structure:
    """The element structure of a dataset: nested types, shapes and classes.

    Parameters
    ----------
    types : nested structure of DType
    shapes : nested structure of TensorShape (the same nesting)
    classes : nested structure of classes (``Tensor``, or a dataset class for
        elements that are datasets, as ``window`` makes)

    Examples
    --------
    >>> import runtime as tf
    >>> s = Structure((tf.int32, {"x": tf.float32}), (TensorShape([]), {"x": TensorShape([2])}))
    >>> s.flat_types, s.flat_shapes
    ([tf.int32, tf.float32], [TensorShape([]), TensorShape([Dimension(2)])])
    """

    def __init__(self, types, shapes, classes=None):
        self.types = types
        self.shapes = shapes
        if classes is None:
            from ..graph import Tensor

            classes = map_structure(lambda _: Tensor, types)
        self.classes = classes
        self.flat_types = [dtypes.as_dtype(t) for t in flatten(types)]
        self.flat_shapes = [as_shape(s) for s in flatten(shapes)]
        self.flat_classes = flatten(classes)
        if not len(self.flat_types) == len(self.flat_shapes) == len(self.flat_classes):
            raise ValueError(
                f"Types {types}, shapes {shapes} and classes {classes} must have the same structure."
            )

    @classmethod
    def of_components(cls, template, flat_types, flat_shapes, flat_classes=None) -> Structure:
        """The structure of ``template`` with the given flat types and shapes."""
        classes = None if flat_classes is None else pack(template, flat_classes)
        return cls(pack(template, flat_types), pack(template, flat_shapes), classes)

    @property
    def template(self):
        """The nesting alone (every component ``None``)."""
        return map_structure(lambda _: None, self.types)

    def pack(self, flat):
        """``flat`` (one value per component) in this structure."""
        return pack(self.types, flat)

    def is_compatible_with(self, other: Structure) -> bool:
        """Same nesting, same dtypes, compatible shapes."""
        try:
            pack(self.types, other.flat_types)
        except (ValueError, IndexError):
            return False
        if self.template != other.template or self.flat_types != other.flat_types:
            return False
        return all(a.is_compatible_with(b) for a, b in zip(self.flat_shapes, other.flat_shapes))

    def with_shapes(self, flat_shapes, flat_classes=None) -> Structure:
        """The same nesting and types with ``flat_shapes`` (and ``flat_classes``)."""
        classes = self.flat_classes if flat_classes is None else flat_classes
        return Structure.of_components(self.types, self.flat_types, flat_shapes, classes)

    @property
    def output_types(self):
        """The nested dtypes users see (a sparse component's is its values' dtype)."""
        return self.pack(
            [
                c.dtype if isinstance(c, SparseSpec) else t
                for t, c in zip(self.flat_types, self.flat_classes)
            ]
        )

    @property
    def output_shapes(self):
        """The nested static shapes users see (a sparse component's is its dense shape)."""
        return self.pack(
            [
                c.shape if isinstance(c, SparseSpec) else s
                for s, c in zip(self.flat_shapes, self.flat_classes)
            ]
        )

    def __repr__(self):
        return f"Structure(types={self.types}, shapes={self.shapes})"


def element_structure(output_types, output_shapes=None, output_classes=None) -> Structure:
    """The :class:`Structure` of nested types and shapes as users give them (a shape may be
    a list or tuple, e.g. ``((), [2])``; none means unknown shapes).

    Examples
    --------
    >>> import runtime as tf
    >>> element_structure((tf.int64, tf.string), ((), [2])).flat_shapes
    [TensorShape([]), TensorShape([Dimension(2)])]
    """
    types = map_structure(dtypes.as_dtype, output_types)
    if output_shapes is None:
        shapes = map_structure(lambda _: TensorShape(None), types)
    else:
        shapes = map_structure_up_to(types, as_shape, output_shapes)
    if output_classes is None:
        return Structure(types, shapes)
    from ..sparse_tensor import SparseTensor

    flat_classes = flatten(map_structure_up_to(types, lambda c: c, output_classes))
    flat = list(zip(flatten(types), flatten(shapes), flat_classes))
    # A sparse component is a variant inside the pipeline (see sparse_elements).
    return Structure.of_components(
        types,
        [dtypes.variant if c is SparseTensor else t for t, _, c in flat],
        [TensorShape(None) if c is SparseTensor else s for _, s, c in flat],
        [SparseSpec(t, s) if c is SparseTensor else c for t, s, c in flat],
    )


def batched(structure: Structure, batch_dim) -> Structure:
    """``structure`` with a leading dimension ``batch_dim`` (``None`` when unknown)."""
    return structure.with_shapes(
        [TensorShape([batch_dim]).concatenate(shape) for shape in structure.flat_shapes],
        [c.batched(batch_dim) if isinstance(c, SparseSpec) else c for c in structure.flat_classes],
    )


def unbatched(structure: Structure) -> Structure:
    """``structure`` without its leading dimension; ``ValueError`` for a scalar component."""
    shapes = []
    for shape in structure.flat_shapes:
        if shape.rank == 0:
            raise ValueError("Cannot unbatch an input with scalar components.")
        shapes.append(
            TensorShape(None) if shape.rank is None else TensorShape(shape.as_tuple()[1:])
        )
    classes = [c.unbatched() if isinstance(c, SparseSpec) else c for c in structure.flat_classes]
    return structure.with_shapes(shapes, classes)
