"""``tf.data.Dataset``: input pipelines as graph values, TF1's graph-mode API.

A :class:`Dataset` is a ``variant`` tensor (the output of a dataset op such as
``TensorSliceDataset`` or ``MapDataset``) plus the :class:`Structure` of its
elements. Transformations add ops; functions given to ``map``, ``filter``,
``flat_map``, ``interleave`` and ``reduce`` are traced into function bodies
(:class:`runtime.functional.FuncGraph`) held in the op's ``f``/``predicate`` attr,
with the tensors they capture as the op's ``other_arguments``, so a ``GraphDef``
of a pipeline carries all of it. Nothing runs until an iterator
(:mod:`runtime.data.iterator_ops`) is initialised in a session; the kernels are in
:mod:`runtime.data.kernels`.
"""

from __future__ import annotations

import itertools

from .. import dtypes
from ..dimension import Dimension
from ..functional import FuncGraph, as_output_tensor, trace_function, unique_function_name
from ..graph import Tensor, get_default_graph
from ..ops.array_ops import identity, reshape, stack
from ..ops.constant_value import constant_value_as_shape
from ..ops.core import apply_op, convert_to_tensor
from ..ops.math_ops import cast
from ..ops.random_ops import get_seed
from ..registry import Cost, OpDef, TensorSpec, not_differentiable, register_op
from ..shapes import TensorShape, as_shape
from ..sparse_tensor import SparseTensor
from . import sparse_elements
from .kernels import generator_functions
from .pipeline import AUTOTUNE
from .structure import (
    SparseSpec,
    Structure,
    batched,
    element_structure,
    flatten,
    map_structure,
    map_structure_up_to,
    pack,
    unbatched,
)

__all__ = ["AUTOTUNE", "Dataset", "DatasetSpec"]

_tokens = itertools.count()


# -- op definitions ----------------------------------------------------------------------


def _variant(*_inputs, **_attrs) -> list[TensorSpec]:
    return [TensorSpec(dtypes.variant, TensorShape([]))]


# The declarations are TF's (tests/fixtures/tf_ops/op_defs.json): same args, same attrs.
_TYPES = ("output_types: list(type) >= 1", "output_shapes: list(shape) >= 1")
_META = ("metadata: string = ''",)
_FUNCTION = ("Targuments: list(type) >= 0", *_TYPES, *_META)
_SOURCE = ("Toutput_types: list(type) >= 1", "output_shapes: list(shape) >= 1", *_META)
_FILES = ("filenames: string", "compression_type: string", "buffer_size: int64")


def _dataset_op(name: str, inputs, attrs=(*_TYPES, *_META), stateful: bool = False) -> OpDef:
    op_def = register_op(
        OpDef(name, tuple(inputs), ("handle: variant",), tuple(attrs), _variant, stateful)
    )
    not_differentiable(name)
    return op_def


TENSOR_SLICE = _dataset_op(
    "TensorSliceDataset",
    ["components: Toutput_types"],
    (*_SOURCE, "is_files: bool = false", "replicate_on_split: bool = false"),
    stateful=True,
)
TENSOR = _dataset_op("TensorDataset", ["components: Toutput_types"], _SOURCE, stateful=True)
RANGE = _dataset_op(
    "RangeDataset",
    ["start: int64", "stop: int64", "step: int64"],
    (*_TYPES, *_META, "replicate_on_split: bool = false"),
    stateful=True,
)
# TF's GeneratorDataset calls three functions wrapping Python code; this one calls the
# Python generator itself, found by its token (as py_func's are).
GENERATOR = _dataset_op(
    "GeneratorDataset",
    ["args: Targs"],
    ("token: string", "Targs: list(type) >= 0", *_TYPES, *_META),
    stateful=True,
)
TEXT_LINE = _dataset_op("TextLineDataset", _FILES, _META, stateful=True)
TF_RECORD = _dataset_op("TFRecordDataset", _FILES, _META, stateful=True)
FIXED_LENGTH = _dataset_op(
    "FixedLengthRecordDatasetV2",
    [
        "filenames: string",
        "header_bytes: int64",
        "record_bytes: int64",
        "footer_bytes: int64",
        "buffer_size: int64",
        "compression_type: string",
    ],
    _META,
    stateful=True,
)
_MAP_ARGS = ("input_dataset: variant", "other_arguments: Targuments")
MAP = _dataset_op(
    "MapDataset",
    _MAP_ARGS,
    (
        "f: func",
        *_FUNCTION,
        "use_inter_op_parallelism: bool = true",
        "preserve_cardinality: bool = false",
        "force_synchronous: bool = false",
    ),
)
PARALLEL_MAP = _dataset_op(
    "ParallelMapDatasetV2",
    (*_MAP_ARGS, "num_parallel_calls: int64"),
    (
        "f: func",
        *_FUNCTION,
        "use_inter_op_parallelism: bool = true",
        "deterministic: string = 'default'",
        "preserve_cardinality: bool = false",
        "use_unbounded_threadpool: bool = false",
    ),
)
FILTER = _dataset_op("FilterDataset", _MAP_ARGS, ("predicate: func", *_FUNCTION))
FLAT_MAP = _dataset_op("FlatMapDataset", _MAP_ARGS, ("f: func", *_FUNCTION))
INTERLEAVE = _dataset_op(
    "InterleaveDataset",
    (*_MAP_ARGS, "cycle_length: int64", "block_length: int64"),
    ("f: func", *_FUNCTION),
)
BATCH = _dataset_op(
    "BatchDatasetV2",
    ["input_dataset: variant", "batch_size: int64", "drop_remainder: bool"],
    ("parallel_copy: bool = false", *_TYPES, *_META),
)
PADDED_BATCH = _dataset_op(
    "PaddedBatchDatasetV2",
    [
        "input_dataset: variant",
        "batch_size: int64",
        "padded_shapes: N * int64",
        "padding_values: Toutput_types",
        "drop_remainder: bool",
    ],
    ("parallel_copy: bool = false", *_SOURCE, "N: int >= 1"),
)
UNBATCH = _dataset_op("UnbatchDataset", ["input_dataset: variant"])
WINDOW = _dataset_op(
    "WindowDataset",
    [
        "input_dataset: variant",
        "size: int64",
        "shift: int64",
        "stride: int64",
        "drop_remainder: bool",
    ],
)
SHUFFLE = _dataset_op(
    "ShuffleDataset",
    ["input_dataset: variant", "buffer_size: int64", "seed: int64", "seed2: int64"],
    ("reshuffle_each_iteration: bool = true", *_TYPES, *_META),
)
REPEAT = _dataset_op("RepeatDataset", ["input_dataset: variant", "count: int64"])
TAKE = _dataset_op("TakeDataset", ["input_dataset: variant", "count: int64"])
SKIP = _dataset_op("SkipDataset", ["input_dataset: variant", "count: int64"])
ZIP = _dataset_op("ZipDataset", ["input_datasets: N * variant"], (*_TYPES, "N: int >= 1", *_META))
CONCATENATE = _dataset_op(
    "ConcatenateDataset", ["input_dataset: variant", "another_dataset: variant"]
)
PREFETCH = _dataset_op(
    "PrefetchDataset",
    ["input_dataset: variant", "buffer_size: int64"],
    (
        *_TYPES,
        "slack_period: int = 0",
        "legacy_autotune: bool = true",
        "buffer_size_min: int = 0",
        *_META,
    ),
)
CACHE = _dataset_op("CacheDataset", ["input_dataset: variant", "filename: string"])


def _reduce_shapes(*_inputs, output_types, output_shapes, **_attrs):
    return [TensorSpec(t, s) for t, s in zip(output_types, output_shapes)]


REDUCE = register_op(
    OpDef(
        "ReduceDataset",
        ("input_dataset: variant", "initial_state: Tstate", "other_arguments: Targuments"),
        ("components: output_types",),
        (
            "f: func",
            "Tstate: list(type) >= 1",
            "Targuments: list(type) >= 0",
            *_TYPES,
            "use_inter_op_parallelism: bool = true",
            *_META,
        ),
        shape_fn=_reduce_shapes,
        is_stateful=True,
        cost=Cost.EXPENSIVE,
    )
)
not_differentiable("ReduceDataset")


# -- element structures ------------------------------------------------------------------


class DatasetSpec:
    """The ``output_classes`` entry of a component that is itself a dataset (``window``)."""

    def __init__(self, structure: Structure):
        self.structure = structure

    def __repr__(self):
        return f"DatasetSpec({self.structure.types}, {self.structure.shapes})"


def _component(value, index: int, sparse_component) -> Tensor:
    if isinstance(value, Dataset):
        return value._variant_tensor
    if isinstance(value, SparseTensor):
        return sparse_component(value)
    return convert_to_tensor(value, name=f"component_{index}")


def _normalize(element, graph, sparse_component=sparse_elements.to_variant) -> tuple:
    """``(flat tensors, structure)`` of a Python/tensor element (TF's normalize_element);
    a ``SparseTensor`` becomes the variant ``sparse_component(value)``: the ``[3]`` of one
    element, or ``sparse_elements.to_rows``'s ``[n, 3]`` for slicing."""
    with graph.as_default(), graph.name_scope("normalize_element"):
        flat = [_component(value, i, sparse_component) for i, value in enumerate(flatten(element))]
    classes = [_class_of(value) for value in flatten(element)]
    structure = Structure.of_components(
        element, [t.dtype.base_dtype for t in flat], [t.shape for t in flat], classes
    )
    return flat, structure


def _check_sliceable(flat, structure: Structure) -> None:
    """``ValueError`` for a scalar component, or for dense components whose static sizes in
    dimension 0 differ (TF's checks when it builds a ``from_tensor_slices``)."""
    size = Dimension(None)
    for tensor, spec in zip(flat, structure.flat_classes):
        if isinstance(spec, SparseSpec):
            if spec.shape.rank == 0:
                raise ValueError("Unbatching a sparse tensor is only supported for rank >= 1.")
            continue  # TF compares a sparse component's size only when the dataset runs
        if tensor.shape.rank == 0:
            raise ValueError(
                f"Unbatching a tensor is only supported for rank >= 1, but {tensor.name} "
                "is a scalar."
            )
        if tensor.shape.rank is not None:
            size = size.merge_with(tensor.shape.dim_value(0))


def _class_of(value):
    if isinstance(value, Dataset):
        return DatasetSpec(value.structure)
    if isinstance(value, SparseTensor):
        return SparseSpec(value.dtype.base_dtype, value.shape)
    return Tensor


def element_of(structure: Structure, components):
    """The element users see from its flat components: datasets and sparse tensors made
    from their variant components, all packed into the structure."""
    values = []
    for component, spec in zip(components, structure.flat_classes):
        if isinstance(spec, DatasetSpec):
            component = Dataset(component, spec.structure)
        elif isinstance(spec, SparseSpec):
            component = sparse_elements.from_variant(component, spec)
        values.append(component)
    return structure.pack(values)


def output_classes(structure: Structure):
    """The nested classes users see: ``Tensor``, ``SparseTensor`` or ``Dataset``."""
    classes = {DatasetSpec: Dataset, SparseSpec: SparseTensor}
    return map_structure(lambda c: classes.get(type(c), c), structure.classes)


def _int64(value, name: str) -> Tensor:
    return convert_to_tensor(value, dtype=dtypes.int64, name=name)


def _static_int(tensor: Tensor):
    """The value of a constant tensor, or ``None``."""
    if tensor.op.type == "Const":
        return int(tensor.op.get_attr("value"))
    return None


# -- functions ---------------------------------------------------------------------------


class _TracedFunction:
    """A user function traced for a dataset op: body, output structure, captured inputs."""

    def __init__(self, fn, structure: Structure, graph, what: str, state=None):
        if not callable(fn):
            raise TypeError(f"`{what}` must be callable, got {fn!r}.")
        self.what = what
        name = unique_function_name(graph.get_name_scope() + "/", what)
        specs = list(zip(structure.flat_types, structure.flat_shapes))
        if state is not None:
            specs = list(zip(state.flat_types, state.flat_shapes)) + specs
        self.body: FuncGraph = trace_function(
            name, graph, lambda *args: self._call(fn, structure, state, args), specs
        )
        self.structure = self._set_outputs(self.body.structured_outputs)
        self.captured = list(self.body.captures)
        self.body.seal(self.captured)

    @staticmethod
    def _call(fn, structure: Structure, state, args):
        args = list(args)
        if state is not None:
            own = args[len(state.flat_types) :]
            return fn(state.pack(args[: len(state.flat_types)]), element_of(structure, own))
        element = element_of(structure, args)
        return fn(*element) if type(element) is tuple else fn(element)

    def _set_outputs(self, result) -> Structure:
        if isinstance(result, list):
            result = tuple(result)  # TF turns a returned list into a tuple
        if result is None:
            raise TypeError(f"The `{self.what}` function must return a value, not None.")
        with self.body.as_default():
            flat = [_body_output(value) for value in flatten(result)]
            self.body.outputs = [self.body.capture(t) for t in flat]
        self.body.structured_outputs = pack(result, flat)
        return Structure.of_components(
            result,
            [t.dtype.base_dtype for t in flat],
            [t.shape for t in flat],
            [_class_of(value) for value in flatten(result)],
        )


def _body_output(value) -> Tensor:
    if isinstance(value, Dataset):
        return value._variant_tensor
    if isinstance(value, SparseTensor):
        return sparse_elements.to_variant(value)
    return as_output_tensor(value)


# -- the dataset --------------------------------------------------------------------------


class Dataset:
    """A dataset in the graph (``tf.data.Dataset``, also ``tf.compat.v1.data.Dataset``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     ds = tf.data.Dataset.range(10).filter(lambda x: tf.equal(x % 2, 0)).map(lambda x: x * 10)
    ...     batch = tf.compat.v1.data.make_one_shot_iterator(ds.batch(3)).get_next()
    ...     with tf.compat.v1.Session() as sess:
    ...         print(sess.run(batch), sess.run(batch))
    [ 0 20 40] [60 80]
    """

    def __init__(self, variant_tensor: Tensor, structure: Structure):
        self._variant_tensor = variant_tensor
        self.structure = structure

    # -- what the elements are ---------------------------------------------------------

    @property
    def output_types(self):
        """The nested dtypes of an element."""
        return self.structure.output_types

    @property
    def output_shapes(self):
        """The nested static shapes of an element."""
        return self.structure.output_shapes

    @property
    def output_classes(self):
        """The nested classes of an element (``Tensor``, ``SparseTensor``, or ``Dataset``
        for a window)."""
        return output_classes(self.structure)

    @property
    def graph(self):
        return self._variant_tensor.graph

    def _build(self, op_def: OpDef, inputs, structure: Structure, name=None, **attrs) -> Dataset:
        return _dataset_op_of(self.graph, op_def, inputs, structure, name, **attrs)

    def __iter__(self):
        raise RuntimeError(
            "`tf.data.Dataset` only supports Python-style iteration in eager mode or within "
            "tf.function. In a graph, use tf.compat.v1.data.make_one_shot_iterator(dataset)."
        )

    def __repr__(self):
        return f"<Dataset {self._variant_tensor.op.type} types={self.output_types}>"

    # -- sources -----------------------------------------------------------------------

    @staticmethod
    def from_tensors(tensors, name=None) -> Dataset:
        """A dataset of one element, ``tensors``.

        Examples
        --------
        >>> import runtime as tf
        >>> with tf.Graph().as_default():
        ...     ds = tf.data.Dataset.from_tensors(([1, 2], 3.0))
        >>> ds.output_types, ds.output_shapes
        ((tf.int32, tf.float32), (TensorShape([Dimension(2)]), TensorShape([])))
        """
        graph = get_default_graph()
        flat, structure = _normalize(tensors, graph)
        return _source(TENSOR, [flat], structure, name)

    @staticmethod
    def from_tensor_slices(tensors, name=None) -> Dataset:
        """A dataset of the slices of ``tensors`` along their first dimension.

        Examples
        --------
        >>> import runtime as tf
        >>> with tf.Graph().as_default():
        ...     ds = tf.data.Dataset.from_tensor_slices({"x": [[1, 2], [3, 4]], "y": ["a", "b"]})
        >>> ds.output_types, ds.output_shapes["x"]
        ({'x': tf.int32, 'y': tf.string}, TensorShape([Dimension(2)]))

        A ``SparseTensor`` is sliced into the ``SparseTensor``s of its rows:

        >>> with tf.Graph().as_default():
        ...     rows = tf.SparseTensor([[0, 0], [1, 2]], [1, 2], [2, 3])
        ...     ds = tf.data.Dataset.from_tensor_slices(rows)
        >>> ds.output_classes.__name__, ds.output_shapes
        ('SparseTensor', TensorShape([Dimension(3)]))
        """
        graph = get_default_graph()
        flat, structure = _normalize(tensors, graph, sparse_elements.to_rows)
        _check_sliceable(flat, structure)
        return _source(TENSOR_SLICE, [flat], unbatched(structure), name)

    @staticmethod
    def range(*args, output_type=dtypes.int64, name=None) -> Dataset:
        """``range(stop)``, ``range(start, stop)`` or ``range(start, stop, step)`` as int64.

        Examples
        --------
        >>> import runtime as tf
        >>> with tf.Graph().as_default():
        ...     ds = tf.data.Dataset.range(2, 9, 3)
        ...     it = tf.compat.v1.data.make_one_shot_iterator(ds).get_next()
        ...     with tf.compat.v1.Session() as sess:
        ...         print([sess.run(it) for _ in range(3)])
        [np.int64(2), np.int64(5), np.int64(8)]
        """
        if not 1 <= len(args) <= 3:
            raise ValueError(f"Invalid arguments to range: {args}")
        start, stop, step = {1: (0, args[0], 1), 2: (*args, 1), 3: args}[len(args)]
        inputs = [_int64(v, n) for v, n in zip((start, stop, step), ("start", "stop", "step"))]
        structure = Structure(dtypes.int64, TensorShape([]))
        dataset = _source(RANGE, inputs, structure, name)
        if dtypes.as_dtype(output_type) != dtypes.int64:
            dataset = dataset.map(lambda x: cast(x, output_type))
        return dataset

    @staticmethod
    def from_generator(
        generator, output_types=None, output_shapes=None, args=None, output_signature=None
    ) -> Dataset:
        """A dataset of what ``generator(*args)`` yields (called anew for each iteration).

        Examples
        --------
        >>> import runtime as tf
        >>> def squares():
        ...     for i in range(4):
        ...         yield i * i
        >>> with tf.Graph().as_default():
        ...     ds = tf.data.Dataset.from_generator(squares, tf.int64, tf.TensorShape([]))
        ...     batch = tf.compat.v1.data.make_one_shot_iterator(ds.batch(4)).get_next()
        ...     with tf.compat.v1.Session() as sess:
        ...         print(sess.run(batch))
        [0 1 4 9]
        """
        if not callable(generator):
            raise TypeError("`generator` must be a Python callable.")
        if output_signature is not None:
            output_types = map_structure(lambda spec: spec.dtype, output_signature)
            output_shapes = map_structure(lambda spec: spec.shape, output_signature)
        if output_types is None:
            raise TypeError("`output_types` (or `output_signature`) must be given.")
        structure = element_structure(output_types, output_shapes)
        graph = get_default_graph()
        token = f"generator_{next(_tokens)}"
        generator_functions(graph)[token] = generator
        with graph.name_scope("from_generator"):
            inputs = [convert_to_tensor(arg, name="args") for arg in (args or ())]
        return _source(GENERATOR, [inputs], structure, None, token=token)

    @staticmethod
    def zip(datasets, name=None) -> Dataset:
        """Elements of ``datasets`` (a nested structure of datasets) side by side.

        Examples
        --------
        >>> import runtime as tf
        >>> with tf.Graph().as_default():
        ...     ds = tf.data.Dataset.zip((tf.data.Dataset.range(3), tf.data.Dataset.range(5)))
        >>> ds.output_types
        (tf.int64, tf.int64)
        """
        members = flatten(datasets)
        for member in members:
            if not isinstance(member, Dataset):
                raise TypeError(
                    f"Invalid `datasets`. `datasets` is expected to be a (nested) structure "
                    f"of `tf.data.Dataset` objects. Encountered object with type {type(member)}."
                )
        types = pack(datasets, [m.output_types for m in members])
        shapes = pack(datasets, [m.output_shapes for m in members])
        classes = pack(datasets, [m.structure.classes for m in members])
        structure = Structure(types, shapes, classes)
        variants = [m._variant_tensor for m in members]
        return members[0]._build(ZIP, [variants], structure, name, N=len(variants))

    # -- transformations -----------------------------------------------------------------

    def concatenate(self, dataset, name=None) -> Dataset:
        """This dataset's elements, then ``dataset``'s (the structures must match)."""
        if self.structure.template != dataset.structure.template or (
            self.structure.flat_types != dataset.structure.flat_types
        ):
            raise TypeError(
                f"Incompatible dataset elements:\n  {self.output_types} vs.\n  "
                f"{dataset.output_types}"
            )
        shapes = [
            a.most_specific_compatible_shape(b)
            for a, b in zip(self.structure.flat_shapes, dataset.structure.flat_shapes)
        ]
        structure = self.structure.with_shapes(shapes)
        return self._build(
            CONCATENATE, [self._variant_tensor, dataset._variant_tensor], structure, name
        )

    def _function_op(self, op_def, fn, what, extra=(), name=None, output=None, **attrs):
        traced = _TracedFunction(fn, self.structure, self.graph, what)
        structure = traced.structure if output is None else output(traced)
        control = list(dict.fromkeys(traced.body.control_captures))
        fn_attr = "predicate" if "predicate" in op_def.attr_defaults else "f"
        with self.graph.control_dependencies(control):
            return self._build(
                op_def,
                [self._variant_tensor, traced.captured, *extra],
                structure,
                name,
                Targuments=[t.dtype for t in traced.captured],
                **{fn_attr: traced.body},
                **attrs,
            )

    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None) -> Dataset:
        """Each element through ``map_func`` (traced once into a function body).

        With ``num_parallel_calls``, that many calls run at once on the session's data
        threads; results keep the input order.

        Examples
        --------
        >>> import runtime as tf
        >>> with tf.Graph().as_default():
        ...     ds = tf.data.Dataset.range(3).map(lambda x: {"x": x, "twice": x * 2})
        >>> ds.output_types
        {'x': tf.int64, 'twice': tf.int64}
        """
        if num_parallel_calls is None:
            return self._function_op(MAP, map_func, "map", name=name)
        calls = _int64(num_parallel_calls, "num_parallel_calls")
        return self._function_op(
            PARALLEL_MAP,
            map_func,
            "map",
            [calls],
            name,
            deterministic="default" if deterministic is None else str(bool(deterministic)).lower(),
        )

    def filter(self, predicate, name=None) -> Dataset:
        """The elements for which ``predicate`` gives a scalar ``True``."""

        def check(traced):
            flat = traced.structure.flat_types
            if flat != [dtypes.bool] or traced.structure.flat_shapes[0].rank not in (None, 0):
                raise ValueError(
                    f"Invalid `predicate`. `predicate` must return a `tf.bool` scalar tensor, "
                    f"but its return type is {traced.structure.types}."
                )
            return self.structure

        return self._function_op(FILTER, predicate, "filter", name=name, output=check)

    def flat_map(self, map_func, name=None) -> Dataset:
        """The elements of the datasets ``map_func`` returns, one dataset after another."""
        return self._function_op(
            FLAT_MAP, map_func, "flat_map", name=name, output=_returned_dataset
        )

    def interleave(
        self,
        map_func,
        cycle_length=None,
        block_length=None,
        num_parallel_calls=None,
        deterministic=None,
        name=None,
    ) -> Dataset:
        """Elements of ``cycle_length`` of ``map_func``'s datasets at a time, ``block_length``
        from each in turn."""
        cycle = _int64(AUTOTUNE if cycle_length is None else cycle_length, "cycle_length")
        block = _int64(1 if block_length is None else block_length, "block_length")
        return self._function_op(
            INTERLEAVE, map_func, "interleave", [cycle, block], name, output=_returned_dataset
        )

    def batch(
        self,
        batch_size,
        drop_remainder=False,
        num_parallel_calls=None,
        deterministic=None,
        name=None,
    ) -> Dataset:
        """Consecutive elements stacked into batches of ``batch_size`` (the last may be short).

        Examples
        --------
        >>> import runtime as tf
        >>> with tf.Graph().as_default():
        ...     ds = tf.data.Dataset.range(10)
        >>> ds.batch(4).output_shapes, ds.batch(4, drop_remainder=True).output_shapes
        (TensorShape([Dimension(None)]), TensorShape([Dimension(4)]))
        """
        with self.graph.as_default():
            size = _int64(batch_size, "batch_size")
            drop = convert_to_tensor(drop_remainder, dtype=dtypes.bool, name="drop_remainder")
        known = _static_int(size) if _static_bool(drop) else None
        structure = batched(self.structure, known)
        return self._build(BATCH, [self._variant_tensor, size, drop], structure, name)

    def padded_batch(
        self, batch_size, padded_shapes=None, padding_values=None, drop_remainder=False, name=None
    ) -> Dataset:
        """Batches whose components are padded to ``padded_shapes`` (default: the largest)."""
        if any(isinstance(c, SparseSpec) for c in self.structure.flat_classes):
            raise TypeError("`padded_batch` is only supported for dense tensors, not SparseTensor.")
        template = self.structure.types
        if padded_shapes is None:
            padded_shapes = self.structure.shapes
        with self.graph.as_default():
            # Each leaf wrapped in a list, so that a tuple shape is not taken for nesting.
            raw = flatten(map_structure_up_to(template, lambda shape: [shape], padded_shapes))
            padded = [_padded_shape(shape) for (shape,) in raw]
        flat_shapes = [static for static, _ in padded]
        for declared, padded_shape in zip(self.structure.flat_shapes, flat_shapes):
            if not padded_shape.is_compatible_with(declared) and padded_shape.rank != declared.rank:
                raise ValueError(
                    f"The padded shape {padded_shape} is not compatible with the shape {declared} "
                    "of the corresponding input component."
                )
        flat_values = (
            [None] * len(flat_shapes)
            if padding_values is None
            else flatten(map_structure_up_to(template, lambda v: v, padding_values))
        )
        with self.graph.as_default():
            size = _int64(batch_size, "batch_size")
            shapes = [tensor for _, tensor in padded]
            values = [
                convert_to_tensor(
                    _default_padding(t) if v is None else v, dtype=t, name="padding_value"
                )
                for v, t in zip(flat_values, self.structure.flat_types)
            ]
            drop = convert_to_tensor(drop_remainder, dtype=dtypes.bool, name="drop_remainder")
        known = _static_int(size) if _static_bool(drop) else None
        structure = batched(self.structure.with_shapes(flat_shapes), known)
        return self._build(
            PADDED_BATCH,
            [self._variant_tensor, size, shapes, values, drop],
            structure,
            name,
            N=len(shapes),
        )

    def unbatch(self, name=None) -> Dataset:
        """Each element's slices along dimension 0 as elements (the inverse of ``batch``)."""
        dataset = self
        if any(isinstance(c, SparseSpec) for c in self.structure.flat_classes):
            dataset = self._sparse_rows()
        return dataset._build(
            UNBATCH, [dataset._variant_tensor], unbatched(dataset.structure), name
        )

    def _sparse_rows(self) -> Dataset:
        """This dataset with each sparse component split into ``[n, 3]`` rows (a ``map``),
        ready for ``unbatch`` to slice, as TF's ``unbatch`` prepares them."""
        structure = self.structure

        def rows(*components):
            return [
                sparse_elements.to_rows(sparse_elements.from_variant(c, spec))
                if isinstance(spec, SparseSpec)
                else c
                for c, spec in zip(components, structure.flat_classes)
            ]

        name = unique_function_name(self.graph.get_name_scope() + "/", "unbatch")
        specs = list(zip(structure.flat_types, structure.flat_shapes))
        body = trace_function(name, self.graph, rows, specs)
        body.outputs = list(body.structured_outputs)
        body.seal([])
        shapes = [
            TensorShape([c.shape.dim_value(0) if c.shape.rank else None, 3])
            if isinstance(c, SparseSpec)
            else s
            for s, c in zip(structure.flat_shapes, structure.flat_classes)
        ]
        return self._build(
            MAP, [self._variant_tensor, []], structure.with_shapes(shapes), None, f=body
        )

    def window(self, size, shift=None, stride=1, drop_remainder=False, name=None) -> Dataset:
        """Windows of ``size`` elements, each a (structure of) dataset(s)."""
        with self.graph.as_default():
            inputs = [
                _int64(size, "size"),
                _int64(size if shift is None else shift, "shift"),
                _int64(stride, "stride"),
                convert_to_tensor(drop_remainder, dtype=dtypes.bool, name="drop_remainder"),
            ]
        inner = [
            DatasetSpec(Structure(t, s, c))
            for t, s, c in zip(
                self.structure.flat_types, self.structure.flat_shapes, self.structure.flat_classes
            )
        ]
        count = len(inner)
        structure = Structure.of_components(
            self.structure.types,
            [dtypes.variant] * count,
            [TensorShape([])] * count,
            inner,
        )
        return self._build(WINDOW, [self._variant_tensor, *inputs], structure, name)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=None, name=None) -> Dataset:
        """Elements in a random order, drawn from a buffer of ``buffer_size``.

        With a seed (or a graph seed) the order is the same in every session; with
        ``reshuffle_each_iteration`` (the default) each pass (``repeat``) has its own.
        """
        seed1, seed2 = get_seed(seed, self.graph)
        with self.graph.as_default():
            inputs = [
                _int64(buffer_size, "buffer_size"),
                _int64(seed1 or 0, "seed"),
                _int64(seed2 or 0, "seed2"),
            ]
        reshuffle = True if reshuffle_each_iteration is None else bool(reshuffle_each_iteration)
        return self._build(
            SHUFFLE,
            [self._variant_tensor, *inputs],
            self.structure,
            name,
            reshuffle_each_iteration=reshuffle,
        )

    def _counted(self, op_def, count, name) -> Dataset:
        with self.graph.as_default():
            count = _int64(count, "count")
        return self._build(op_def, [self._variant_tensor, count], self.structure, name)

    def repeat(self, count=None, name=None) -> Dataset:
        """This dataset ``count`` times over (forever when ``None`` or -1)."""
        return self._counted(REPEAT, -1 if count is None else count, name)

    def take(self, count, name=None) -> Dataset:
        """At most the first ``count`` elements (all when -1)."""
        return self._counted(TAKE, count, name)

    def skip(self, count, name=None) -> Dataset:
        """All but the first ``count`` elements (none when -1)."""
        return self._counted(SKIP, count, name)

    def prefetch(self, buffer_size, name=None) -> Dataset:
        """Elements produced ahead, by a background thread, into a buffer of ``buffer_size``."""
        with self.graph.as_default():
            size = _int64(buffer_size, "buffer_size")
        return self._build(PREFETCH, [self._variant_tensor, size], self.structure, name)

    def cache(self, filename="", name=None) -> Dataset:
        """Keep the elements of the first pass (in memory, or in files at ``filename``)."""
        with self.graph.as_default():
            path = convert_to_tensor(filename, dtype=dtypes.string, name="filename")
        return self._build(CACHE, [self._variant_tensor, path], self.structure, name)

    def enumerate(self, start=0, name=None) -> Dataset:
        """``(index, element)`` pairs, indices counting from ``start`` (int64)."""
        with self.graph.as_default():
            indices = Dataset.range(start, 2**63 - 1)
        return Dataset.zip((indices, self))

    def apply(self, transformation_func) -> Dataset:
        """``transformation_func(self)``, which must return a dataset."""
        result = transformation_func(self)
        if not isinstance(result, Dataset):
            raise TypeError(
                f"`transformation_func` must return a `tf.data.Dataset` object. Got {type(result)}."
            )
        return result

    def reduce(self, initial_state, reduce_func, name=None):
        """``reduce_func(state, element)`` folded over the elements from ``initial_state``.

        Examples
        --------
        >>> import runtime as tf
        >>> with tf.Graph().as_default():
        ...     total = tf.data.Dataset.range(5).reduce(tf.constant(0, tf.int64), lambda s, x: s + x)
        ...     print(tf.compat.v1.Session().run(total))
        10
        """
        with self.graph.as_default():
            flat, state = _normalize(initial_state, self.graph)
        # As TF: trace again with relaxed shapes until the state's shapes are stable.
        while True:
            traced = _TracedFunction(reduce_func, self.structure, self.graph, "reduce", state)
            out = traced.structure
            if out.template != state.template or out.flat_types != state.flat_types:
                raise TypeError(
                    f"The element types for the new state must match the initial state. "
                    f"Expected {state.types}; got {out.types}."
                )
            relaxed = [
                a.most_specific_compatible_shape(b)
                for a, b in zip(state.flat_shapes, out.flat_shapes)
            ]
            if relaxed == state.flat_shapes:
                break
            state = state.with_shapes(relaxed)
        flat = [t if not t.dtype.is_ref_dtype else identity(t) for t in flat]
        op = apply_op(
            REDUCE,
            [self._variant_tensor, flat, traced.captured],
            name or "ReduceDataset",
            graph=self.graph,
            f=traced.body,
            Tstate=[t.dtype.base_dtype for t in flat],
            Targuments=[t.dtype for t in traced.captured],
            output_types=list(state.flat_types),
            output_shapes=list(state.flat_shapes),
        )
        return state.pack(op.outputs)

    # -- later transformations (runtime.data.transformations, grouping, sampling, options) --

    @staticmethod
    def counter(start=0, step=1, dtype=dtypes.int64, name=None) -> Dataset:
        """``start``, ``start + step``, ... without end."""
        from .transformations import counter

        return counter(start, step, dtype, name)

    @staticmethod
    def random(seed=None, rerandomize_each_iteration=None, name=None) -> Dataset:
        """An endless dataset of random int64 scalars (the same ones each iteration)."""
        from .sampling import RandomDataset

        if rerandomize_each_iteration:
            raise ValueError(
                "`rerandomize_each_iteration` needs TF2's seed generator resources; TF1's "
                "RandomDataset draws the same numbers in every iteration."
            )
        return RandomDataset(seed, name)

    @staticmethod
    def list_files(file_pattern, shuffle=None, seed=None, name=None) -> Dataset:
        """The files matching ``file_pattern``, shuffled unless ``shuffle=False``."""
        from .transformations import list_files

        return list_files(file_pattern, shuffle, seed, name)

    @staticmethod
    def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True) -> Dataset:
        """The elements of ``datasets`` in the order the int64 indices of ``choice_dataset``
        give."""
        from .sampling import choose_from_datasets

        return choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset)

    @staticmethod
    def sample_from_datasets(
        datasets, weights=None, seed=None, stop_on_empty_dataset=False, name=None
    ) -> Dataset:
        """Elements of ``datasets`` drawn at random with probabilities ``weights``."""
        from .sampling import sample_from_datasets

        return sample_from_datasets(datasets, weights, seed, stop_on_empty_dataset)

    def shard(self, num_shards, index, name=None) -> Dataset:
        """Every ``num_shards``-th element, starting at ``index``.

        Examples
        --------
        >>> import runtime as tf
        >>> with tf.Graph().as_default():
        ...     ds = tf.data.Dataset.range(10).shard(3, 1).batch(5)
        ...     print(tf.compat.v1.Session().run(ds.make_one_shot_iterator().get_next()))
        [1 4 7]
        """
        from .transformations import shard

        return shard(self, num_shards, index, name)

    def scan(self, initial_state, scan_func, name=None) -> Dataset:
        """``scan_func(state, element) -> (new state, output)`` carried over the elements
        from ``initial_state``; the outputs are the elements.

        Examples
        --------
        >>> import runtime as tf
        >>> with tf.Graph().as_default():
        ...     ds = tf.data.Dataset.range(1, 5).scan(tf.constant(0, tf.int64),
        ...                                        lambda total, x: (total + x, total + x))
        ...     print(tf.compat.v1.Session().run(ds.batch(4).make_one_shot_iterator().get_next()))
        [ 1  3  6 10]
        """
        from .transformations import scan

        return scan(self, initial_state, scan_func, name)

    def take_while(self, predicate, name=None) -> Dataset:
        """The elements until ``predicate`` first gives ``False``."""
        from .transformations import take_while

        return take_while(self, predicate, name)

    def unique(self, name=None) -> Dataset:
        """Each distinct element once (int32, int64 or string elements)."""
        from .transformations import unique

        return unique(self, name)

    def ignore_errors(self, log_warning=False, name=None) -> Dataset:
        """The elements whose computation did not fail (the others are skipped)."""
        from .transformations import ignore_errors

        return ignore_errors(self, log_warning, name)

    def sparse_batch(self, batch_size, row_shape, name=None) -> Dataset:
        """Batches of ``batch_size`` elements as ``SparseTensor``s of dense shape
        ``[batch, *row_shape]``."""
        from .transformations import dense_to_sparse_batch

        return dense_to_sparse_batch(self, batch_size, row_shape)

    def get_single_element(self, name=None):
        """The one element (``InvalidArgumentError`` when run if there is none, or more)."""
        from .transformations import get_single_element

        return get_single_element(self, name)

    def cardinality(self):
        """An int64 scalar: the number of elements, -1 (infinite) or -2 (unknown)."""
        from .transformations import cardinality

        return cardinality(self)

    def with_options(self, options, name=None) -> Dataset:
        """This dataset with ``options`` (a ``tf.data.Options``) merged into its own."""
        from .options import OPTIONS, serialized

        text = serialized(options)
        return self._build(
            OPTIONS, [self._variant_tensor], self.structure, name, serialized_options=text
        )

    def options(self):
        """The options of this dataset (read-only): those of every ``with_options`` above."""
        from .options import dataset_options

        return dataset_options(self._variant_tensor)

    def group_by_window(
        self, key_func, reduce_func, window_size=None, window_size_func=None, name=None
    ) -> Dataset:
        """Windows of elements by key, each reduced to a dataset by ``reduce_func(key,
        window)`` (see :mod:`runtime.data.grouping`)."""
        from .grouping import group_by_window

        return group_by_window(self, key_func, reduce_func, window_size, window_size_func, name)

    def bucket_by_sequence_length(
        self,
        element_length_func,
        bucket_boundaries,
        bucket_batch_sizes,
        padded_shapes=None,
        padding_values=None,
        pad_to_bucket_boundary=False,
        no_padding=False,
        drop_remainder=False,
        name=None,
    ) -> Dataset:
        """Batches of elements of similar length (see :mod:`runtime.data.grouping`)."""
        from .grouping import bucket_by_sequence_length

        return bucket_by_sequence_length(
            self,
            element_length_func,
            bucket_boundaries,
            bucket_batch_sizes,
            padded_shapes,
            padding_values,
            pad_to_bucket_boundary,
            no_padding,
            drop_remainder,
            name,
        )

    def rejection_resample(
        self, class_func, target_dist, initial_dist=None, seed=None, name=None
    ) -> Dataset:
        """``(class, element)`` pairs resampled to the class distribution ``target_dist``."""
        from .sampling import rejection_resample

        return rejection_resample(self, class_func, target_dist, initial_dist, seed)

    def map_with_legacy_function(self, map_func, num_parallel_calls=None, deterministic=None):
        """TF1's ``map`` variant for functions that needed the old tracing: ``map`` here."""
        return self.map(map_func, num_parallel_calls, deterministic)

    def filter_with_legacy_function(self, predicate):
        """TF1's ``filter`` variant for the old tracing: ``filter`` here."""
        return self.filter(predicate)

    # -- TF1 iterators ---------------------------------------------------------------------

    def make_one_shot_iterator(self):
        """``tf.compat.v1.data.make_one_shot_iterator(self)``."""
        from .iterator_ops import make_one_shot_iterator

        return make_one_shot_iterator(self)

    def make_initializable_iterator(self, shared_name=None):
        """``tf.compat.v1.data.make_initializable_iterator(self)``."""
        from .iterator_ops import make_initializable_iterator

        return make_initializable_iterator(self, shared_name)


def _dataset_op_of(graph, op_def, inputs, structure: Structure, name, **attrs) -> Dataset:
    """A new op of ``op_def`` in ``graph``, as the dataset of elements ``structure``."""
    declared = op_def.attr_defaults
    if "output_shapes" in declared:  # record files' datasets declare no element types
        types_attr = "Toutput_types" if "Toutput_types" in declared else "output_types"
        attrs[types_attr] = list(structure.flat_types)
        attrs["output_shapes"] = list(structure.flat_shapes)
    op = apply_op(op_def, inputs, name or op_def.name, graph=graph, **attrs)
    return Dataset(op.outputs[0], structure)


def _source(op_def, inputs, structure: Structure, name, **attrs) -> Dataset:
    return _dataset_op_of(get_default_graph(), op_def, inputs, structure, name, **attrs)


def _returned_dataset(traced: _TracedFunction) -> Structure:
    classes = traced.structure.flat_classes
    if len(classes) != 1 or not isinstance(classes[0], DatasetSpec):
        raise TypeError(
            f"The `{traced.what}` function must return a `tf.data.Dataset` object, got "
            f"{traced.structure.types}."
        )
    return classes[0].structure


def _static_bool(tensor: Tensor) -> bool:
    return tensor.op.type == "Const" and bool(tensor.op.get_attr("value"))


def _padded_shape(value) -> tuple:
    """``(static shape, int64 vector)`` of one component's padded shape, given as a shape, a
    list of dimensions (ints, ``None`` for the batch's longest, or scalar tensors), or a
    1-D tensor (``-1`` for the longest)."""
    if isinstance(value, Tensor):
        tensor = cast(value, dtypes.int64, name="padded_shapes")
        return constant_value_as_shape(tensor), tensor
    if isinstance(value, TensorShape) or not any(isinstance(d, Tensor) for d in value):
        shape = as_shape(value)
        return shape, _int64([-1 if d is None else d for d in shape.as_list()], "padded_shapes")
    dims = [
        cast(d, dtypes.int64) if isinstance(d, Tensor) else _int64(-1 if d is None else d, "dim")
        for d in value
    ]
    tensor = stack(dims, name="padded_shapes")
    return constant_value_as_shape(tensor), tensor


def _default_padding(dtype):
    return b"" if dtype == dtypes.string else dtype.as_numpy_dtype(0)


def _file_dataset(op_def, filenames, more_inputs, name, parallel_reads=None) -> tuple:
    """``(variant, structure)`` of a dataset of the records of files (string scalars).

    With ``parallel_reads`` files, as TF: that many files are read at once, their records
    interleaved one by one, in a deterministic order.
    """
    names = convert_to_tensor(filenames, dtype=dtypes.string, name="filenames")
    records = Structure(dtypes.string, TensorShape([]))
    if parallel_reads is None:
        dataset = _source(op_def, [names, *more_inputs], records, name)
    else:
        dataset = Dataset.from_tensor_slices(reshape(names, [-1])).interleave(
            lambda one: _source(op_def, [one, *more_inputs], records, None),
            cycle_length=parallel_reads,
            block_length=1,
        )
    return dataset._variant_tensor, dataset.structure


def _compression(compression_type) -> Tensor:
    return convert_to_tensor(compression_type or "", dtype=dtypes.string, name="compression_type")


def _buffer_size(buffer_size) -> Tensor:
    return _int64(buffer_size or 256 * 1024, "buffer_size")


class TextLineDataset(Dataset):
    """The lines of text files, without their line ends (``\\n`` or ``\\r\\n``).

    Examples
    --------
    >>> import os, tempfile
    >>> import runtime as tf
    >>> path = os.path.join(tempfile.mkdtemp(), "lines.txt")
    >>> _ = open(path, "w").write("first\\nsecond\\n")
    >>> with tf.Graph().as_default():
    ...     ds = tf.data.TextLineDataset(path)
    ...     line = tf.compat.v1.data.make_one_shot_iterator(ds).get_next()
    ...     with tf.compat.v1.Session() as sess:
    ...         print(sess.run(line), sess.run(line), isinstance(ds, tf.data.Dataset))
    b'first' b'second' True
    """

    def __init__(
        self, filenames, compression_type=None, buffer_size=None, num_parallel_reads=None, name=None
    ):
        more = [_compression(compression_type), _buffer_size(buffer_size)]
        super().__init__(*_file_dataset(TEXT_LINE, filenames, more, name, num_parallel_reads))


class TFRecordDataset(Dataset):
    """The records of TFRecord files, uncompressed or ``"ZLIB"``/``"GZIP"``."""

    def __init__(
        self, filenames, compression_type=None, buffer_size=None, num_parallel_reads=None, name=None
    ):
        more = [_compression(compression_type), _buffer_size(buffer_size)]
        super().__init__(*_file_dataset(TF_RECORD, filenames, more, name, num_parallel_reads))


class FixedLengthRecordDataset(Dataset):
    """Records of ``record_bytes`` bytes from files, between a header and a footer."""

    def __init__(
        self,
        filenames,
        record_bytes,
        header_bytes=None,
        footer_bytes=None,
        buffer_size=None,
        compression_type=None,
        num_parallel_reads=None,
        name=None,
    ):
        more = [
            _int64(header_bytes or 0, "header_bytes"),
            _int64(record_bytes, "record_bytes"),
            _int64(footer_bytes or 0, "footer_bytes"),
            _buffer_size(buffer_size),
            _compression(compression_type),
        ]
        super().__init__(*_file_dataset(FIXED_LENGTH, filenames, more, name, num_parallel_reads))
