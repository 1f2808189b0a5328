"""TF1 iterators over datasets: ``make_one_shot_iterator``, ``make_initializable_iterator``,
``Iterator.from_structure`` and ``Iterator.from_string_handle``.

The ops are TF's: an ``IteratorV2`` (or ``OneShotIterator``) handle, a ``MakeIterator``
initializer, ``IteratorGetNext`` for the next element (``OutOfRangeError`` at the
end), ``IteratorToStringHandle`` and ``IteratorFromStringHandleV2`` for switching
iterators by feeding a handle. One difference: TF's ``OneShotIterator`` rebuilds its
dataset from a function holding a copy of the pipeline; here it takes the dataset
as its input. The iterator itself is a session resource; see
:mod:`runtime.data.kernels` for its lifetime and its behaviour on interrupts.
"""

from __future__ import annotations

from .. import dtypes
from ..graph import get_default_graph
from ..ops.core import apply_op, convert_to_tensor
from ..registry import Cost, OpDef, TensorSpec, get_op_def, not_differentiable, register_op
from ..shapes import TensorShape
from .dataset_ops import Dataset, element_of, output_classes
from .structure import Structure, element_structure

__all__ = ["Iterator", "make_initializable_iterator", "make_one_shot_iterator"]


def _handle(*_inputs, **_attrs):
    return [TensorSpec(dtypes.resource, TensorShape([]))]


def _register(name, inputs, outputs, attrs, shape_fn, cost=Cost.CHEAP) -> OpDef:
    op_def = register_op(
        OpDef(name, inputs, outputs, attrs, shape_fn=shape_fn, is_stateful=True, cost=cost)
    )
    not_differentiable(name)
    return op_def


_TYPES = ("output_types: list(type) >= 1", "output_shapes: list(shape) >= 1")
ITERATOR = _register(
    "IteratorV2",
    (),
    ("handle: resource",),
    ("shared_name: string", "container: string", *_TYPES),
    _handle,
)
# TF's OneShotIterator rebuilds its dataset from a function holding a copy of the
# pipeline; this one takes the dataset as an input.
ONE_SHOT = _register(
    "OneShotIterator",
    ("dataset: variant",),
    ("handle: resource",),
    (*_TYPES, "container: string = ''", "shared_name: string = ''"),
    _handle,
)
MAKE_ITERATOR = _register(
    "MakeIterator", ("dataset: variant", "iterator: resource"), (), (), lambda d, i: []
)
# A get_next waits for elements and may run a long pipeline step: it is a blocking op,
# so it runs off the caller's thread and a notebook interrupt never cuts it in half.
GET_NEXT = _register(
    "IteratorGetNext",
    ("iterator: resource",),
    ("components: output_types",),
    _TYPES,
    lambda iterator, *, output_types, output_shapes: [
        TensorSpec(t, s) for t, s in zip(output_types, output_shapes)
    ],
    cost=Cost.BLOCKING,
)
TO_STRING_HANDLE = _register(
    "IteratorToStringHandle",
    ("resource_handle: resource",),
    ("string_handle: string",),
    (),
    lambda handle: [TensorSpec(dtypes.string, TensorShape([]))],
)
FROM_STRING_HANDLE = _register(
    "IteratorFromStringHandleV2",
    ("string_handle: string",),
    ("resource_handle: resource",),
    ("output_types: list(type) >= 0 = []", "output_shapes: list(shape) >= 0 = []"),
    _handle,
)


class Iterator:
    """An iterator over the elements of a dataset (``tf.compat.v1.data.Iterator``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     train = tf.data.Dataset.range(100)
    ...     test = tf.data.Dataset.range(5, 8)
    ...     it = Iterator.from_structure(train.output_types, train.output_shapes)
    ...     x = it.get_next()
    ...     use_train, use_test = it.make_initializer(train), it.make_initializer(test)
    ...     with tf.compat.v1.Session() as sess:
    ...         _ = sess.run(use_test)
    ...         print([int(sess.run(x)) for _ in range(3)])
    [5, 6, 7]
    """

    def __init__(self, iterator_resource, initializer, structure: Structure):
        self._iterator_resource = iterator_resource
        self._initializer = initializer
        self._structure = structure

    # -- making iterators ----------------------------------------------------------------

    @staticmethod
    def from_structure(output_types, output_shapes=None, shared_name=None, output_classes=None):
        """An iterator without a dataset, for any dataset of this structure
        (``make_initializer(dataset)`` gives the op that switches it to one)."""
        structure = element_structure(output_types, output_shapes, output_classes)
        handle = apply_op(
            ITERATOR,
            [],
            "IteratorV2",
            graph=get_default_graph(),
            shared_name=shared_name or "",
            container=get_default_graph()._container,
            output_types=list(structure.flat_types),
            output_shapes=list(structure.flat_shapes),
        ).outputs[0]
        return Iterator(handle, None, structure)

    @staticmethod
    def from_string_handle(string_handle, output_types, output_shapes=None, output_classes=None):
        """The iterator whose handle ``string_handle`` (a string tensor, usually a
        placeholder fed with ``string_handle()`` results) names when the graph runs."""
        structure = element_structure(output_types, output_shapes, output_classes)
        handle_tensor = convert_to_tensor(string_handle, dtype=dtypes.string)
        handle = apply_op(
            FROM_STRING_HANDLE,
            [handle_tensor],
            "IteratorFromStringHandleV2",
            output_types=list(structure.flat_types),
            output_shapes=list(structure.flat_shapes),
        ).outputs[0]
        return Iterator(handle, None, structure)

    # -- using them ------------------------------------------------------------------------

    @property
    def initializer(self):
        """The op that (re)starts the iteration of this iterator's dataset."""
        if self._initializer is None:
            raise ValueError(
                "The iterator does not have an initializer. This means it was likely created "
                "using `tf.data.Dataset.make_one_shot_iterator()`. For an initializable "
                "iterator, use `tf.data.Dataset.make_initializable_iterator()` instead."
            )
        return self._initializer

    def make_initializer(self, dataset: Dataset, name=None):
        """The op that starts iterating ``dataset`` (its structure must match)."""
        if not self._structure.is_compatible_with(dataset.structure):
            raise TypeError(
                f"Expected output types {self._structure.types} and shapes "
                f"{self._structure.shapes} but got dataset with output types "
                f"{dataset.output_types} and shapes {dataset.output_shapes}."
            )
        return apply_op(
            MAKE_ITERATOR,
            [dataset._variant_tensor, self._iterator_resource],
            name or "make_initializer",
        )

    def get_next(self, name=None):
        """The next element (a nested structure of tensors); ``OutOfRangeError`` at the end.

        Each run of the returned tensors advances the iterator once.
        """
        op = apply_op(
            GET_NEXT,
            [self._iterator_resource],
            name or "IteratorGetNext",
            output_types=list(self._structure.flat_types),
            output_shapes=list(self._structure.flat_shapes),
        )
        return element_of(self._structure, op.outputs)

    def string_handle(self, name=None):
        """A string tensor naming this iterator, to feed ``from_string_handle``'s placeholder."""
        return apply_op(
            TO_STRING_HANDLE, [self._iterator_resource], name or "IteratorToStringHandle"
        ).outputs[0]

    @property
    def output_types(self):
        return self._structure.output_types

    @property
    def output_shapes(self):
        return self._structure.output_shapes

    @property
    def output_classes(self):
        return output_classes(self._structure)


def _resource(op_def, inputs, dataset: Dataset, shared_name: str):
    graph = dataset.graph
    return apply_op(
        op_def,
        inputs,
        op_def.name,
        graph=graph,
        shared_name=shared_name or "",
        container=graph._container,
        output_types=list(dataset.structure.flat_types),
        output_shapes=list(dataset.structure.flat_shapes),
    ).outputs[0]


def make_one_shot_iterator(dataset: Dataset) -> Iterator:
    """An iterator that goes through ``dataset`` once, with no initializer to run.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = make_one_shot_iterator(tf.data.Dataset.from_tensor_slices([1, 2])).get_next()
    ...     with tf.compat.v1.Session() as sess:
    ...         print(sess.run(x), sess.run(x))
    ...         try:
    ...             sess.run(x)
    ...         except tf.errors.OutOfRangeError:
    ...             print("end of data")
    1 2
    end of data
    """
    _check_capturable_by_value(dataset._variant_tensor)
    handle = _resource(ONE_SHOT, [dataset._variant_tensor], dataset, "")
    return Iterator(handle, None, dataset.structure)


def _check_capturable_by_value(variant) -> None:
    """TF's rule for one-shot iterators: the pipeline is fixed when the graph is built,
    so it may not depend on a placeholder or on state (a variable, a random draw)."""
    seen, stack = set(), [variant.op]
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen.add(op)
        if op.type in ("Placeholder", "PlaceholderWithDefault"):
            raise ValueError(
                f"Cannot capture a placeholder (name:{op.name}, type:{op.type}) by value."
            )
        dataset_op = op.outputs and op.outputs[0].dtype == dtypes.variant
        if get_op_def(op.type).is_stateful and not dataset_op:
            raise ValueError(
                f"Cannot capture a stateful node (name:{op.name}, type:{op.type}) by value.: A "
                "likely cause of this error is that the dataset for which you are calling "
                "`make_one_shot_iterator()` captures a stateful object, such as a "
                "`tf.Variable`, which is not supported. Use `make_initializable_iterator()` "
                "instead."
            )
        stack.extend(t.op for t in op.inputs)


def make_initializable_iterator(dataset: Dataset, shared_name=None) -> Iterator:
    """An iterator with an ``initializer`` op that (re)starts it, e.g. after feeding
    new values to placeholders the dataset uses.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     n = tf.compat.v1.placeholder(tf.int64, [])
    ...     it = make_initializable_iterator(tf.data.Dataset.range(n))
    ...     x = it.get_next()
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(it.initializer, {n: 2})
    ...         print(sess.run(x), sess.run(x))
    0 1
    """
    handle = _resource(ITERATOR, [], dataset, shared_name)
    initializer = apply_op(
        MAKE_ITERATOR, [dataset._variant_tensor, handle], "MakeIterator", graph=dataset.graph
    )
    return Iterator(handle, initializer, dataset.structure)


def get_output_types(dataset_or_iterator):
    """``output_types`` of a dataset or iterator (``tf.compat.v1.data.get_output_types``)."""
    return dataset_or_iterator.output_types


def get_output_shapes(dataset_or_iterator):
    """``output_shapes`` of a dataset or iterator."""
    return dataset_or_iterator.output_shapes


def get_output_classes(dataset_or_iterator):
    """``output_classes`` of a dataset or iterator."""
    return dataset_or_iterator.output_classes
