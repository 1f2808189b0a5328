"""TF1 queues: ``FIFOQueue``, ``PaddingFIFOQueue``, ``RandomShuffleQueue``, ``PriorityQueue``.

A queue object is a handle op (``FIFOQueueV2``, output dtype ``resource``) plus
builders for the ops that use it::

    q = tf.queue.FIFOQueue(10, tf.float32, shapes=[[]])
    q.enqueue(x)          # QueueEnqueueV2 "fifo_queue_enqueue"
    q.dequeue_many(4)     # QueueDequeueManyV2 "fifo_queue_DequeueMany"

Enqueues and dequeues are ``Cost.BLOCKING`` ops: they run on the inter-op pool, so
a wait never holds up the rest of the step, and they honour timeouts
(``operation_timeout_in_ms``, ``RunOptions.timeout_in_ms``) and ``Session.close``.
See ``runtime.kernels.queue`` for the semantics of closing.
"""

from __future__ import annotations

from .. import dtypes as _dtypes
from ..graph import Tensor, get_default_graph
from ..registry import Cost, OpDef, TensorSpec, register_op
from ..shapes import TensorShape, as_shape
from .core import apply_op, convert_to_tensor
from .math_ops import cast
from .random_ops import get_seed

__all__: list[str] = []  # the classes are reached as tf.queue.* and tf.compat.v1.*

_QUEUE_ATTRS = (
    "component_types: list(type) >= 1",
    "shapes: list(shape) >= 0 = []",
    "capacity: int = -1",
    "container: string = ''",
    "shared_name: string = ''",
)


def _handle_shape(**_attrs):
    return [TensorSpec(_dtypes.resource, TensorShape([]))]


def _queue_op(name: str, *extra_attrs: str) -> OpDef:
    return register_op(
        OpDef(
            name,
            (),
            ("handle: resource",),
            _QUEUE_ATTRS + extra_attrs,
            shape_fn=_handle_shape,
            is_stateful=True,
        )
    )


FIFO_QUEUE = _queue_op("FIFOQueueV2")
PADDING_FIFO_QUEUE = _queue_op("PaddingFIFOQueueV2")
# TF's PriorityQueueV2 declares its component types (the priority excluded) with a default.
PRIORITY_QUEUE = register_op(
    OpDef(
        "PriorityQueueV2",
        (),
        ("handle: resource",),
        (
            "component_types: list(type) >= 0 = []",
            "shapes: list(shape) >= 0",
            "capacity: int = -1",
            "container: string = ''",
            "shared_name: string = ''",
        ),
        shape_fn=_handle_shape,
        is_stateful=True,
    )
)
RANDOM_SHUFFLE_QUEUE = _queue_op(
    "RandomShuffleQueueV2", "min_after_dequeue: int = 0", "seed: int = 0", "seed2: int = 0"
)


def _no_outputs(*_specs, **_attrs):
    return []


def _components(*specs, component_types, timeout_ms):
    # Static shapes come from the queue object, which sets them after building.
    return [TensorSpec(t, TensorShape(None)) for t in component_types]


def _register(name, inputs, outputs, attrs, shape_fn, cost=Cost.CHEAP) -> OpDef:
    return register_op(
        OpDef(name, inputs, outputs, attrs, shape_fn=shape_fn, is_stateful=True, cost=cost)
    )


_ENQUEUE = (("handle: resource", "components: Tcomponents"), ())
_ENQUEUE_ATTRS = ("Tcomponents: list(type) >= 1", "timeout_ms: int = -1")
_DEQUEUE_ATTRS = ("component_types: list(type) >= 1", "timeout_ms: int = -1")
_COMPONENTS = ("components: component_types",)
ENQUEUE = _register("QueueEnqueueV2", *_ENQUEUE, _ENQUEUE_ATTRS, _no_outputs, Cost.BLOCKING)
ENQUEUE_MANY = _register(
    "QueueEnqueueManyV2", *_ENQUEUE, _ENQUEUE_ATTRS, _no_outputs, Cost.BLOCKING
)
DEQUEUE = _register(
    "QueueDequeueV2", ("handle: resource",), _COMPONENTS, _DEQUEUE_ATTRS, _components, Cost.BLOCKING
)
DEQUEUE_MANY = _register(
    "QueueDequeueManyV2",
    ("handle: resource", "n: int32"),
    _COMPONENTS,
    _DEQUEUE_ATTRS,
    _components,
    Cost.BLOCKING,
)
DEQUEUE_UP_TO = _register(
    "QueueDequeueUpToV2",
    ("handle: resource", "n: int32"),
    _COMPONENTS,
    _DEQUEUE_ATTRS,
    _components,
    Cost.BLOCKING,
)
CLOSE = _register(
    "QueueCloseV2",
    ("handle: resource",),
    (),
    ("cancel_pending_enqueues: bool = false",),
    _no_outputs,
)
SIZE = _register(
    "QueueSizeV2",
    ("handle: resource",),
    ("size: int32",),
    (),
    lambda handle: [TensorSpec(_dtypes.int32, TensorShape([]))],
)
IS_CLOSED = _register(
    "QueueIsClosedV2",
    ("handle: resource",),
    ("is_closed: bool",),
    (),
    lambda handle: [TensorSpec(_dtypes.bool, TensorShape([]))],
)


def _as_list(value) -> list:
    return list(value) if isinstance(value, list | tuple) else [value]


class QueueBase:
    """The operations every queue supports (``tf.queue.QueueBase``).

    Parameters
    ----------
    dtypes : list of DType
        One per component of an element.
    shapes : list of TensorShape, or None
        One per component; ``None`` accepts any shapes (then no ``dequeue_many``).
    names : list of str, or None
        Component names: enqueue takes a dict and dequeue returns one.
    queue_ref : Tensor
        The queue's handle.
    """

    def __init__(self, dtypes, shapes, names, queue_ref: Tensor):
        self._dtypes = dtypes
        self._shapes = shapes if shapes is not None else [TensorShape(None)] * len(dtypes)
        self._names = names
        self._queue_ref = queue_ref
        self._name = queue_ref.op.name.split("/")[-1]

    queue_ref = property(lambda self: self._queue_ref, doc="The queue's handle tensor.")
    name = property(lambda self: self._queue_ref.op.name, doc="The queue op's name.")
    dtypes = property(lambda self: list(self._dtypes))
    shapes = property(lambda self: list(self._shapes))
    names = property(lambda self: None if self._names is None else list(self._names))

    # -- enqueue --------------------------------------------------------------------

    def _components_of(self, vals) -> list:
        if self._names is None:
            if isinstance(vals, dict):
                raise TypeError("Queue must have names to enqueue a dictionary")
            vals = _as_list(vals)
        else:
            if not isinstance(vals, dict):
                raise TypeError(f"Queue with names {self._names} must enqueue a dictionary")
            if sorted(vals) != sorted(self._names):
                raise ValueError(
                    f"Keys in dictionary to enqueue {sorted(vals)} do not match names of "
                    f"Queue {sorted(self._names)}"
                )
            vals = [vals[name] for name in self._names]
        if len(vals) != len(self._dtypes):
            raise ValueError(
                f"Expected {len(self._dtypes)} components in an element of queue "
                f"'{self.name}', got {len(vals)}."
            )
        return [
            convert_to_tensor(v, dtype=t, name=f"component_{i}", graph=self._queue_ref.graph)
            for i, (v, t) in enumerate(zip(vals, self._dtypes))
        ]

    def _enqueue_op(self, op_def, vals, name, batched: bool):
        graph = self._queue_ref.graph
        # TF's default names: "<queue>_enqueue" but "<queue>_EnqueueMany".
        with graph.name_scope(
            name or f"{self._name}_{'EnqueueMany' if batched else 'enqueue'}"
        ) as scope:
            components = self._components_of(vals)
            for tensor, shape in zip(components, self._shapes):
                shape = TensorShape([None]).concatenate(shape) if batched else shape
                if not tensor.shape.is_compatible_with(shape):
                    raise ValueError(
                        f"Shapes {tensor.shape} and {shape} are incompatible (component "
                        f"{tensor.op.name} of an element of queue '{self.name}')"
                    )
        return apply_op(
            op_def,
            [self._queue_ref, components],
            scope,
            Tcomponents=tuple(t.dtype.base_dtype for t in components),
        )

    def enqueue(self, vals, name=None):
        """An op adding one element (a tensor, a list of them, or a dict by name)."""
        return self._enqueue_op(ENQUEUE, vals, name, batched=False)

    def enqueue_many(self, vals, name=None):
        """An op adding the elements of a batch (components sliced along dimension 0)."""
        return self._enqueue_op(ENQUEUE_MANY, vals, name, batched=True)

    # -- dequeue --------------------------------------------------------------------

    def _dequeued(self, op, batch_dim: TensorShape | None):
        outputs = op.outputs
        for tensor, shape in zip(outputs, self._shapes):
            tensor.set_shape(shape if batch_dim is None else batch_dim.concatenate(shape))
        if self._names is not None:
            return dict(zip(self._names, outputs))
        return outputs[0] if len(outputs) == 1 else outputs

    def _dequeue_op(self, op_def, n, name):
        graph = self._queue_ref.graph
        with graph.name_scope(name) as scope:
            n = convert_to_tensor(n, dtype=_dtypes.int32, name="n", graph=graph)
        op = apply_op(op_def, [self._queue_ref, n], scope, component_types=tuple(self._dtypes))
        known = n.op.get_attr("value") if n.op.type == "Const" else None
        return op, known

    def dequeue(self, name=None):
        """One element: a tensor, a list of tensors, or a dict by name."""
        op = apply_op(
            DEQUEUE,
            [self._queue_ref],
            name or f"{self._name}_Dequeue",
            component_types=tuple(self._dtypes),
        )
        return self._dequeued(op, None)

    def dequeue_many(self, n, name=None):
        """``n`` elements stacked along a new dimension 0; waits until there are ``n``."""
        op, known = self._dequeue_op(DEQUEUE_MANY, n, name or f"{self._name}_DequeueMany")
        return self._dequeued(op, TensorShape([None if known is None else int(known)]))

    def dequeue_up_to(self, n, name=None):
        """Like ``dequeue_many``, but once the queue is closed returns what is left."""
        op, _ = self._dequeue_op(DEQUEUE_UP_TO, n, name or f"{self._name}_DequeueUpTo")
        return self._dequeued(op, TensorShape([None]))

    # -- state ----------------------------------------------------------------------

    def close(self, cancel_pending_enqueues=False, name=None):
        """An op closing the queue: no more enqueues; dequeues drain what is left."""
        return apply_op(
            CLOSE,
            [self._queue_ref],
            name or f"{self._name}_Close",
            cancel_pending_enqueues=bool(cancel_pending_enqueues),
        )

    def is_closed(self, name=None) -> Tensor:
        """A boolean scalar: has the queue been closed?"""
        return apply_op(IS_CLOSED, [self._queue_ref], name or f"{self._name}_Is_Closed").outputs[0]

    def size(self, name=None) -> Tensor:
        """The number of elements in the queue (int32 scalar)."""
        return apply_op(SIZE, [self._queue_ref], name or f"{self._name}_Size").outputs[0]


def _shape_list(shapes, unknown_dim_allowed: bool) -> list | None:
    """TF's reading of a queue's ``shapes``: one shape, or a list of them."""
    if shapes is None:
        return None
    if isinstance(shapes, TensorShape):
        shapes = [shapes]
    if not isinstance(shapes, list | tuple):
        raise TypeError("Shapes must be a TensorShape or a list or tuple of TensorShapes.")
    if all(dim is None or isinstance(dim, int) for dim in shapes):
        shapes = [shapes]  # a single shape, e.g. [2, 3]
    shapes = [as_shape(shape) for shape in shapes]
    if any(shape.rank is None for shape in shapes):
        raise ValueError(f"All shapes must have a defined rank: {shapes}")
    if not unknown_dim_allowed and not all(shape.is_fully_defined() for shape in shapes):
        raise ValueError(f"All shapes must be fully defined: {shapes}")
    return shapes


def _queue_types(dtypes, shapes, names, unknown_dim_allowed=False):
    types = [_dtypes.as_dtype(t) for t in _as_list(dtypes)]
    shapes = _shape_list(shapes, unknown_dim_allowed)
    if shapes is not None and len(shapes) != len(types):
        raise ValueError("Queue shapes must have the same length as dtypes")
    if names is not None:
        names = _as_list(names)
        if len(names) != len(types):
            raise ValueError("Queue names must have the same length as dtypes")
    return types, shapes, names


def _make_handle(op_def, name, types, shapes, capacity, shared_name, **attrs) -> Tensor:
    return apply_op(
        op_def,
        [],
        name,
        graph=get_default_graph(),
        component_types=tuple(types),
        shapes=tuple(shapes or ()),
        capacity=int(capacity),
        container=get_default_graph()._container,
        shared_name=shared_name or "",
        **attrs,
    ).outputs[0]


class FIFOQueue(QueueBase):
    """A queue that dequeues elements in the order they were enqueued.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     q = tf.queue.FIFOQueue(3, tf.float32, shapes=[[]])
    ...     fill = q.enqueue_many([[1.0, 2.0, 3.0]])
    ...     pair = q.dequeue_many(2)
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(fill)
    ...         print(sess.run(pair), sess.run(q.size()))
    [1. 2.] 1
    """

    def __init__(
        self, capacity, dtypes, shapes=None, names=None, shared_name=None, name="fifo_queue"
    ):
        types, shapes, names = _queue_types(dtypes, shapes, names)
        handle = _make_handle(FIFO_QUEUE, name, types, shapes, capacity, shared_name)
        super().__init__(types, shapes, names, handle)


class PaddingFIFOQueue(QueueBase):
    """A FIFO queue whose ``dequeue_many`` pads components with unknown dimensions.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     q = tf.queue.PaddingFIFOQueue(5, tf.int32, shapes=[[None]])
    ...     a, b = q.enqueue([[1]]), q.enqueue([[2, 3]])
    ...     batch = q.dequeue_many(2)
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(a)
    ...         sess.run(b)
    ...         print(sess.run(batch))
    [[1 0]
     [2 3]]
    """

    def __init__(
        self, capacity, dtypes, shapes, names=None, shared_name=None, name="padding_fifo_queue"
    ):
        if shapes is None:
            raise ValueError("When providing partial shapes, a list of shapes must be provided.")
        types, shapes, names = _queue_types(dtypes, shapes, names, unknown_dim_allowed=True)
        handle = _make_handle(PADDING_FIFO_QUEUE, name, types, shapes, capacity, shared_name)
        super().__init__(types, shapes, names, handle)


class RandomShuffleQueue(QueueBase):
    """A queue that dequeues elements in a random order.

    ``min_after_dequeue`` elements stay behind after each dequeue (to keep the mix
    good) until the queue is closed.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     q = tf.queue.RandomShuffleQueue(10, 0, tf.int32, shapes=[[]], seed=1)
    ...     fill = q.enqueue_many([list(range(6))])
    ...     everything = q.dequeue_many(6)
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(fill)
    ...         print(sorted(sess.run(everything).tolist()))
    [0, 1, 2, 3, 4, 5]
    """

    def __init__(
        self,
        capacity,
        min_after_dequeue,
        dtypes,
        shapes=None,
        names=None,
        seed=None,
        shared_name=None,
        name="random_shuffle_queue",
    ):
        types, shapes, names = _queue_types(dtypes, shapes, names)
        seed1, seed2 = get_seed(seed)
        handle = _make_handle(
            RANDOM_SHUFFLE_QUEUE,
            name,
            types,
            shapes,
            capacity,
            shared_name,
            min_after_dequeue=int(min_after_dequeue),
            seed=seed1 or 0,
            seed2=seed2 or 0,
        )
        super().__init__(types, shapes, names, handle)


class PriorityQueue(QueueBase):
    """A queue that dequeues the element of least priority first.

    Every element starts with its priority, an int64 scalar, before the components of
    ``types`` (so ``names``, if given, name the priority too); equal priorities leave in
    the order they came.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     q = tf.queue.PriorityQueue(4, [tf.string], shapes=[[]])
    ...     fill = q.enqueue_many([[3, 1, 2], ["c", "a", "b"]])
    ...     priorities, values = q.dequeue_many(3)
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(fill)
    ...         print(sess.run([priorities, values]))
    [array([1, 2, 3]), array([b'a', b'b', b'c'], dtype=object)]
    """

    def __init__(
        self, capacity, types, shapes=None, names=None, shared_name=None, name="priority_queue"
    ):
        if shapes is None:  # as TF's, whose op needs them
            raise TypeError(
                "Expected list for 'shapes' argument to 'priority_queue_v2' Op, not None."
            )
        types, shapes, _ = _queue_types(types, list(shapes) or None, None)
        handle = apply_op(
            PRIORITY_QUEUE,
            [],
            name,
            graph=get_default_graph(),
            component_types=tuple(types),
            shapes=tuple(shapes or ()),
            capacity=int(capacity),
            container=get_default_graph()._container,
            shared_name=shared_name or "",
        ).outputs[0]
        with_priority = [_dtypes.int64, *types]
        if names is not None and len(_as_list(names)) != len(with_priority):
            raise ValueError("Queue names must have the same length as dtypes")
        priority_shapes = [TensorShape([]), *shapes] if shapes else None
        names = None if names is None else _as_list(names)
        super().__init__(with_priority, priority_shapes, names, handle)


# -- conditional accumulators --------------------------------------------------------------

_ACCUMULATOR_TYPES = (
    "dtype: {float32, float64, int32, uint8, int16, int8, complex64, int64, qint8, quint8, "
    "qint32, bfloat16, qint16, quint16, uint16, complex128, float16, uint32, uint64}"
)
_ACCUMULATOR_ATTRS = (
    _ACCUMULATOR_TYPES,
    "shape: shape",
    "container: string = ''",
    "shared_name: string = ''",
    "reduction_type: {'MEAN', 'SUM'} = 'MEAN'",
)
_NO_OUTPUTS = lambda *specs, **attrs: []  # noqa: E731 - one shape function, many ops


def _accumulator_op(name, inputs, outputs, attrs, shape_fn, cost=Cost.CHEAP) -> OpDef:
    return register_op(OpDef(name, inputs, outputs, attrs, shape_fn, True, cost))


# TF 2.x's ConditionalAccumulator is the resource one; its SparseConditionalAccumulator keeps
# TF1's string reference handle.
CONDITIONAL_ACCUMULATOR = _accumulator_op(
    "ResourceConditionalAccumulator", (), ("handle: resource",), _ACCUMULATOR_ATTRS, _handle_shape
)
SPARSE_CONDITIONAL_ACCUMULATOR = _accumulator_op(
    "SparseConditionalAccumulator",
    (),
    ("handle: Ref(string)",),
    _ACCUMULATOR_ATTRS,
    lambda **attrs: [TensorSpec(_dtypes.string._as_ref, TensorShape([2]))],
)
APPLY_GRADIENT = _accumulator_op(
    "ResourceAccumulatorApplyGradient",
    ("handle: resource", "local_step: int64", "gradient: dtype"),
    (),
    (_ACCUMULATOR_TYPES,),
    _NO_OUTPUTS,
)
SPARSE_APPLY_GRADIENT = _accumulator_op(
    "SparseAccumulatorApplyGradient",
    (
        "handle: Ref(string)",
        "local_step: int64",
        "gradient_indices: int64",
        "gradient_values: dtype",
        "gradient_shape: int64",
    ),
    (),
    (_ACCUMULATOR_TYPES, "has_known_shape: bool"),
    _NO_OUTPUTS,
)
TAKE_GRADIENT = _accumulator_op(
    "ResourceAccumulatorTakeGradient",
    ("handle: resource", "num_required: int32"),
    ("average: dtype",),
    (_ACCUMULATOR_TYPES,),
    lambda handle, num_required, *, dtype: [TensorSpec(dtype, TensorShape(None))],
    Cost.BLOCKING,
)
SPARSE_TAKE_GRADIENT = _accumulator_op(
    "SparseAccumulatorTakeGradient",
    ("handle: Ref(string)", "num_required: int32"),
    ("indices: int64", "values: dtype", "shape: int64"),
    (_ACCUMULATOR_TYPES,),
    lambda handle, num_required, *, dtype: [
        TensorSpec(_dtypes.int64, TensorShape([None])),
        TensorSpec(dtype, TensorShape(None)),
        TensorSpec(_dtypes.int64, TensorShape([None])),
    ],
    Cost.BLOCKING,
)
_NUM_ACCUMULATED = lambda handle: [TensorSpec(_dtypes.int32, TensorShape([]))]  # noqa: E731
NUM_ACCUMULATED = _accumulator_op(
    "ResourceAccumulatorNumAccumulated",
    ("handle: resource",),
    ("num_accumulated: int32",),
    (),
    _NUM_ACCUMULATED,
)
SPARSE_NUM_ACCUMULATED = _accumulator_op(
    "AccumulatorNumAccumulated",
    ("handle: Ref(string)",),
    ("num_accumulated: int32",),
    (),
    _NUM_ACCUMULATED,
)
SET_GLOBAL_STEP = _accumulator_op(
    "ResourceAccumulatorSetGlobalStep",
    ("handle: resource", "new_global_step: int64"),
    (),
    (),
    _NO_OUTPUTS,
)
SPARSE_SET_GLOBAL_STEP = _accumulator_op(
    "AccumulatorSetGlobalStep",
    ("handle: Ref(string)", "new_global_step: int64"),
    (),
    (),
    _NO_OUTPUTS,
)


class ConditionalAccumulatorBase:
    """What both accumulators share: the handle, ``num_accumulated``, ``set_global_step``.

    A gradient applied with a ``local_step`` below the accumulator's global step is stale
    and silently dropped; taking the aggregate advances the global step by one.
    """

    _NUM_ACCUMULATED: OpDef
    _SET_GLOBAL_STEP: OpDef

    def __init__(self, dtype, shape, accumulator_ref):
        self._dtype = _dtypes.as_dtype(dtype)
        self._shape = as_shape(shape) if shape is not None else TensorShape(None)
        self._accumulator_ref = accumulator_ref
        self._name = accumulator_ref.op.name.split("/")[-1]

    accumulator_ref = property(lambda self: self._accumulator_ref, doc="The handle tensor.")
    name = property(lambda self: self._name, doc="The accumulator op's name (last part).")
    dtype = property(lambda self: self._dtype, doc="The dtype of the gradients.")

    def num_accumulated(self, name=None):
        """An int32 scalar: how many gradients the accumulator holds."""
        op = apply_op(
            self._NUM_ACCUMULATED, [self._accumulator_ref], name or f"{self._name}_NumAccumulated"
        )
        return op.outputs[0]

    def set_global_step(self, new_global_step, name=None):
        """An op setting the accumulator's global step (a warning if it goes back)."""
        step = _int64_tensor(new_global_step, self._accumulator_ref.graph)
        return apply_op(self._SET_GLOBAL_STEP, [self._accumulator_ref, step], name)


def _int64_tensor(value, graph) -> Tensor:
    tensor = convert_to_tensor(value, graph=graph)
    return tensor if tensor.dtype.base_dtype == _dtypes.int64 else cast(tensor, _dtypes.int64)


class ConditionalAccumulator(ConditionalAccumulatorBase):
    """Averages (or sums) dense gradients: ``take_grad(n)`` waits for ``n`` of them.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     acc = tf.compat.v1.ConditionalAccumulator(tf.float32, shape=[2])
    ...     first = acc.apply_grad([1.0, 2.0])
    ...     second = acc.apply_grad([3.0, 6.0])
    ...     with tf.control_dependencies([first, second]):
    ...         mean = acc.take_grad(2)
    ...     print(tf.compat.v1.Session().run(mean))
    [2. 4.]
    """

    _NUM_ACCUMULATED = NUM_ACCUMULATED
    _SET_GLOBAL_STEP = SET_GLOBAL_STEP

    def __init__(
        self,
        dtype,
        shape=None,
        shared_name=None,
        name="conditional_accumulator",
        reduction_type="MEAN",
    ):
        graph = get_default_graph()
        handle = apply_op(
            CONDITIONAL_ACCUMULATOR,
            [],
            name,
            graph=graph,
            dtype=_dtypes.as_dtype(dtype),
            shape=as_shape(shape) if shape is not None else TensorShape(None),
            container=graph._container,
            shared_name=shared_name or "",
            reduction_type=reduction_type,
        ).outputs[0]
        super().__init__(dtype, shape, handle)

    def apply_grad(self, grad, local_step=0, name=None):
        """An op adding ``grad`` (dropped if ``local_step`` is stale)."""
        graph = self._accumulator_ref.graph
        grad = convert_to_tensor(grad, dtype=self._dtype, graph=graph)
        if not grad.shape.is_compatible_with(self._shape):
            raise ValueError(f"Shapes {grad.shape} and {self._shape} are incompatible")
        step = _int64_tensor(local_step, graph)
        return apply_op(APPLY_GRADIENT, [self._accumulator_ref, step, grad], name)

    def take_grad(self, num_required, name=None):
        """The mean (or sum) of ``num_required`` gradients, once they are in; empties the
        accumulator and advances its global step."""
        out = apply_op(
            TAKE_GRADIENT,
            [self._accumulator_ref, num_required],
            name,
            dtype=self._dtype,
        ).outputs[0]
        out.set_shape(self._shape)
        return out


class SparseConditionalAccumulator(ConditionalAccumulatorBase):
    """Averages (or sums) ``IndexedSlices`` gradients row by row.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     acc = tf.compat.v1.SparseConditionalAccumulator(tf.float32)
    ...     a = acc.apply_grad([2, 0], [[1.0], [2.0]], [3, 1])
    ...     b = acc.apply_grad([2], [[5.0]], [3, 1])
    ...     with tf.control_dependencies([a, b]):
    ...         taken = acc.take_indexed_slices_grad(2)
    ...     value = tf.compat.v1.Session().run(taken)
    >>> value.indices.tolist(), value.values.tolist()
    ([0, 2], [[2.0], [3.0]])
    """

    _NUM_ACCUMULATED = SPARSE_NUM_ACCUMULATED
    _SET_GLOBAL_STEP = SPARSE_SET_GLOBAL_STEP

    def __init__(
        self,
        dtype,
        shape=None,
        shared_name=None,
        name="sparse_conditional_accumulator",
        reduction_type="MEAN",
    ):
        graph = get_default_graph()
        handle = apply_op(
            SPARSE_CONDITIONAL_ACCUMULATOR,
            [],
            name,
            graph=graph,
            dtype=_dtypes.as_dtype(dtype),
            shape=as_shape(shape) if shape is not None else TensorShape(None),
            container=graph._container,
            shared_name=shared_name or "",
            reduction_type=reduction_type,
        ).outputs[0]
        super().__init__(dtype, shape, handle)

    def apply_indexed_slices_grad(self, grad, local_step=0, name=None):
        """``apply_grad`` of an ``IndexedSlices`` gradient."""
        return self.apply_grad(
            grad.indices, grad.values, grad.dense_shape, local_step=local_step, name=name
        )

    def apply_grad(self, grad_indices, grad_values, grad_shape=None, local_step=0, name=None):
        """An op adding the sparse gradient (rows ``grad_indices`` of ``grad_values``; dropped
        if ``local_step`` is stale)."""
        graph = self._accumulator_ref.graph
        with graph.name_scope(name or "SparseAccumulatorApplyGradient") as scope:
            inputs = [
                self._accumulator_ref,
                _int64_tensor(local_step, graph),
                _int64_tensor(grad_indices, graph),
                convert_to_tensor(grad_values, dtype=self._dtype, graph=graph),
                _int64_tensor([] if grad_shape is None else grad_shape, graph),
            ]
        return apply_op(
            SPARSE_APPLY_GRADIENT, inputs, scope, has_known_shape=grad_shape is not None
        )

    def take_grad(self, num_required, name=None):
        """``(indices, values, shape)`` of the mean (or sum) of ``num_required`` gradients."""
        return apply_op(
            SPARSE_TAKE_GRADIENT,
            [self._accumulator_ref, num_required],
            name,
            dtype=self._dtype,
        ).outputs

    def take_indexed_slices_grad(self, num_required, name=None):
        """``take_grad`` as an ``IndexedSlices``."""
        from ..indexed_slices import IndexedSlices

        indices, values, shape = self.take_grad(num_required, name)
        return IndexedSlices(values, indices, shape)
