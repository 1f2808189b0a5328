"""``tf.data.experimental.Optional``: a value that may be absent, and
``get_next_as_optional``, an iterator's next element that is absent at the end of the
data instead of raising ``OutOfRangeError``.

An optional is a ``variant`` scalar (TF's ``OptionalFromValue``/``OptionalNone`` ops)
whose value in a session is an :class:`OptionalValue`; ``has_value()`` and
``get_value()`` are ``OptionalHasValue`` and ``OptionalGetValue`` (which fails with
``InvalidArgumentError`` on an empty optional).
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..errors import InvalidArgumentError, OutOfRangeError
from ..graph import get_default_graph
from ..ops.core import apply_op
from ..registry import Cost, OpDef, TensorSpec, not_differentiable, register_kernel, register_op
from ..shapes import TensorShape
from .dataset_ops import _TYPES, _normalize, element_of
from .iterator_ops import Iterator
from .structure import Structure

__all__ = ["Optional", "get_next_as_optional"]


def _variant_scalar(*_inputs, **_attrs):
    return [TensorSpec(dtypes.variant, TensorShape([]))]


def _register(name, inputs, outputs, attrs, shape_fn, stateful=False, cost=Cost.CHEAP) -> OpDef:
    op_def = register_op(OpDef(name, inputs, outputs, attrs, shape_fn, stateful, cost))
    not_differentiable(name)
    return op_def


FROM_VALUE = _register(
    "OptionalFromValue",
    ("components: Toutput_types",),
    ("optional: variant",),
    ("Toutput_types: list(type) >= 1",),
    _variant_scalar,
)
NONE = _register("OptionalNone", (), ("optional: variant",), (), _variant_scalar)
HAS_VALUE = _register(
    "OptionalHasValue",
    ("optional: variant",),
    ("has_value: bool",),
    (),
    lambda optional: [TensorSpec(dtypes.bool, TensorShape([]))],
)
GET_VALUE = _register(
    "OptionalGetValue",
    ("optional: variant",),
    ("components: output_types",),
    _TYPES,
    lambda optional, *, output_types, output_shapes: [
        TensorSpec(t, s) for t, s in zip(output_types, output_shapes)
    ],
)
GET_NEXT_AS_OPTIONAL = _register(
    "IteratorGetNextAsOptional",
    ("iterator: resource",),
    ("optional: variant",),
    _TYPES,
    _variant_scalar,
    stateful=True,
    cost=Cost.BLOCKING,  # as get_next: it may wait on a pipeline
)


class Optional:
    """A value, or none (``tf.data.experimental.Optional``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     some = Optional.from_value({"x": tf.constant([1, 2])})
    ...     none = Optional.empty(some.element_spec)
    ...     with tf.compat.v1.Session() as sess:
    ...         print(sess.run([some.has_value(), none.has_value()]), sess.run(some.get_value()))
    [np.True_, np.False_] {'x': array([1, 2], dtype=int32)}
    """

    def __init__(self, variant, structure: Structure):
        self._variant_tensor = variant
        self._structure = structure

    @staticmethod
    def from_value(value) -> Optional:
        """An optional holding ``value`` (a nested structure of tensors)."""
        graph = get_default_graph()
        with graph.name_scope("optional") as scope:
            flat, structure = _normalize(value, graph)
            variant = apply_op(FROM_VALUE, [flat], scope, graph=graph).outputs[0]
        return Optional(variant, structure)

    @staticmethod
    def empty(element_spec) -> Optional:
        """An optional holding no value, for values of ``element_spec`` (another optional's
        ``element_spec``)."""
        if not isinstance(element_spec, Structure):
            raise TypeError(
                f"`element_spec` must be the element_spec of an optional, got {element_spec!r}."
            )
        variant = apply_op(NONE, [], "OptionalNone", graph=get_default_graph()).outputs[0]
        return Optional(variant, element_spec)

    @property
    def element_spec(self) -> Structure:
        """The structure, dtypes and shapes of the value."""
        return self._structure

    def has_value(self, name=None):
        """A bool scalar: whether there is a value."""
        return apply_op(HAS_VALUE, [self._variant_tensor], name or "OptionalHasValue").outputs[0]

    def get_value(self, name=None):
        """The value (a nested structure of tensors); ``InvalidArgumentError`` when run on an
        empty optional."""
        structure = self._structure
        op = apply_op(
            GET_VALUE,
            [self._variant_tensor],
            name or "OptionalGetValue",
            output_types=list(structure.flat_types),
            output_shapes=list(structure.flat_shapes),
        )
        return element_of(structure, op.outputs)


def get_next_as_optional(iterator: Iterator) -> Optional:
    """The next element of ``iterator`` as an :class:`Optional`, empty once the data ends.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     it = tf.compat.v1.data.make_one_shot_iterator(tf.data.Dataset.range(1))
    ...     nxt = get_next_as_optional(it)
    ...     with tf.compat.v1.Session() as sess:
    ...         print(sess.run(nxt.has_value()), sess.run(nxt.has_value()))
    True False
    """
    structure = iterator._structure
    variant = apply_op(
        GET_NEXT_AS_OPTIONAL,
        [iterator._iterator_resource],
        "IteratorGetNextAsOptional",
        output_types=list(structure.flat_types),
        output_shapes=list(structure.flat_shapes),
    ).outputs[0]
    return Optional(variant, structure)


class OptionalValue:
    """An optional's value in a session: ``components`` (a tuple), or ``None``."""

    def __init__(self, components):
        self.components = components


@register_kernel("OptionalFromValue")
def _from_value(*components, Toutput_types):
    return (OptionalValue(tuple(components)),)


@register_kernel("OptionalNone")
def _none():
    return (OptionalValue(None),)


@register_kernel("OptionalHasValue")
def _has_value(optional):
    return (np.bool_(optional.components is not None),)


@register_kernel("OptionalGetValue")
def _get_value(optional, *, output_types, output_shapes):
    if optional.components is None:
        raise InvalidArgumentError(None, None, "The optional does not have a value.")
    return optional.components


@register_kernel("IteratorGetNextAsOptional", context=True)
def _get_next_as_optional(ctx, iterator, *, output_types, output_shapes):
    try:
        return (OptionalValue(tuple(iterator.get_next(ctx))),)
    except OutOfRangeError:
        return (OptionalValue(None),)
