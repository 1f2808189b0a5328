"""TF1's queue-based input pipelines: producers of work units and batching queues.

Producers (``string_input_producer``, ``range_input_producer``,
``slice_input_producer``, ``input_producer``) fill a FIFO queue from a tensor, once
per epoch, shuffled or not; with ``num_epochs`` a local ``epochs`` variable counts
the passes (``CountUpTo``) and the producer's input ends after the last, so the
queue closes and its consumers end with ``OutOfRangeError``. Batchers (``batch``,
``shuffle_batch``, their ``_join`` forms and ``maybe_batch``) enqueue single
examples (or batches with ``enqueue_many``) into a FIFO, padding or shuffling queue
and dequeue ``batch_size`` at a time. Each adds a :class:`QueueRunner` to the graph:
``start_queue_runners`` starts its threads. As in TF, run
``local_variables_initializer()`` before starting them when ``num_epochs`` is set.

As TF's, each queue adds a scalar summary of how full it is (``fraction_of_32_full``,
for ``tf.compat.v1.summary.merge_all``).
"""

from __future__ import annotations

from .. import dtypes
from ..data import sparse_elements
from ..data.structure import SparseSpec
from ..graph import get_default_graph
from ..graph_keys import GraphKeys
from ..kernels import input as _kernels  # noqa: F401 - registers CountUpTo
from ..ops.array_ops import boolean_mask, gather, identity
from ..ops.array_ops import shape as shape_op
from ..ops.control_flow_ops import cond, no_op
from ..ops.core import apply_op, constant, convert_to_tensor
from ..ops.data_flow_ops import FIFOQueue, PaddingFIFOQueue, RandomShuffleQueue
from ..ops.io_ops import matching_files
from ..ops.math_ops import cast, maximum
from ..ops.math_ops import range as range_op
from ..ops.random_ops import random_shuffle
from ..ops.summary_ops import scalar
from ..ops.variables import Variable, ref_tensor
from ..registry import OpDef, TensorSpec, not_differentiable, register_op
from ..scopes import control_dependencies, name_scope
from ..shapes import TensorShape, as_shape
from ..sparse_tensor import SparseTensor
from .queue_runner import QueueRunner, add_queue_runner

__all__ = [
    "batch",
    "batch_join",
    "input_producer",
    "limit_epochs",
    "maybe_batch",
    "range_input_producer",
    "shuffle_batch",
    "shuffle_batch_join",
    "slice_input_producer",
    "string_input_producer",
]

COUNT_UP_TO = register_op(
    OpDef(
        "CountUpTo",
        ("ref: Ref(T)",),
        ("output: T",),
        ("limit: int", "T: {int32, int64}"),
        shape_fn=lambda ref, *, limit, T: [TensorSpec(T, TensorShape([]))],
        is_stateful=True,
    )
)
not_differentiable("CountUpTo")


def count_up_to(ref, limit, name=None):
    """Increment ``ref`` until ``limit``; outputs the value before (``OutOfRangeError`` after).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     n = tf.Variable(0, name="n")
    ...     step = count_up_to(n, 2)
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(n.initializer)
    ...         print(sess.run(step), sess.run(step))
    ...         try:
    ...             sess.run(step)
    ...         except tf.errors.OutOfRangeError:
    ...             print("reached 2")
    0 1
    reached 2
    """
    tensor = ref_tensor(ref, "CountUpTo")
    return apply_op(
        COUNT_UP_TO, [tensor], name or "CountUpTo", limit=int(limit), T=tensor.dtype.base_dtype
    ).outputs[0]


def match_filenames_once(pattern, name=None):
    """A local variable holding the files matching ``pattern`` (glob(s)), listed once, when
    the local variables are initialized.

    Examples
    --------
    >>> import os, tempfile
    >>> import runtime as tf
    >>> folder = tempfile.mkdtemp()
    >>> for name in ("b.txt", "a.txt", "c.csv"):
    ...     open(os.path.join(folder, name), "w").close()
    >>> with tf.Graph().as_default():
    ...     files = match_filenames_once(os.path.join(folder, "*.txt"))
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.local_variables_initializer())
    ...         print([os.path.basename(f) for f in sess.run(files)], files.op.name)
    [b'a.txt', b'b.txt'] matching_filenames
    """
    graph = get_default_graph()
    with graph.name_scope(name or "matching_filenames") as scope:
        return Variable(
            matching_files(pattern),
            trainable=False,
            validate_shape=False,
            collections=[GraphKeys.LOCAL_VARIABLES],
            name=scope,
        )


def limit_epochs(tensor, num_epochs=None, name=None):
    """``tensor``, for ``num_epochs`` runs only: then ``OutOfRangeError`` (``None``: no limit).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = limit_epochs(tf.constant([1, 2]), num_epochs=2)
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.local_variables_initializer())
    ...         print(sess.run(x), sess.run(x))
    ...         try:
    ...             sess.run(x)
    ...         except tf.errors.OutOfRangeError:
    ...             print("done")
    [1 2] [1 2]
    done
    """
    if num_epochs is None:
        return tensor
    if num_epochs <= 0:
        raise ValueError(f"num_epochs must be > 0 not {num_epochs}.")
    with name_scope(name, "limit_epochs", [tensor]) as scope:
        epochs = Variable(
            constant(0, dtype=dtypes.int64),
            name="epochs",
            trainable=False,
            collections=[GraphKeys.LOCAL_VARIABLES],
        )
        counter = count_up_to(epochs, num_epochs)
        with control_dependencies([counter]):
            return identity(tensor, name=scope)


# -- producers -----------------------------------------------------------------------------


def input_producer(
    input_tensor,
    element_shape=None,
    num_epochs=None,
    shuffle=True,
    seed=None,
    capacity=32,
    shared_name=None,
    summary_name=None,
    name=None,
    cancel_op=None,
):
    """A queue filled with the rows of ``input_tensor``, epoch after epoch, by a queue runner."""
    with name_scope(name, "input_producer", [input_tensor]) as scope:
        input_tensor = convert_to_tensor(input_tensor, name="input_tensor")
        shape = input_tensor.shape[1:]
        if element_shape is not None:
            shape = shape.merge_with(as_shape(element_shape))
        if not shape.is_fully_defined():
            raise ValueError(
                "Either `input_tensor` must have a fully defined shape or `element_shape` must "
                "be specified"
            )
        if shuffle:
            input_tensor = random_shuffle(input_tensor, seed=seed)
        input_tensor = limit_epochs(input_tensor, num_epochs)
        queue = FIFOQueue(
            capacity, [input_tensor.dtype.base_dtype], [shape], shared_name=shared_name, name=scope
        )
        enqueue = queue.enqueue_many([input_tensor])
        add_queue_runner(QueueRunner(queue, [enqueue], cancel_op=cancel_op))
        if summary_name is not None:
            _fullness_summary(queue, summary_name, capacity)
        return queue


def _fullness_summary(queue, name: str, capacity: int, kept: int = 0) -> None:
    """TF's summary of a queue's fill: the fraction of ``capacity - kept`` above ``kept``."""
    above = maximum(queue.size() - kept, 0) if kept else queue.size()
    scalar(name, cast(above, dtypes.float32) * (1.0 / (capacity - kept)))


def string_input_producer(
    string_tensor,
    num_epochs=None,
    shuffle=True,
    seed=None,
    capacity=32,
    shared_name=None,
    name=None,
    cancel_op=None,
):
    """A queue of the strings (usually file names) of ``string_tensor``, for a reader.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     names = string_input_producer(["a.txt", "b.txt"], num_epochs=1, shuffle=False)
    ...     first = names.dequeue()
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.local_variables_initializer())
    ...         threads = tf.compat.v1.train.start_queue_runners(sess)
    ...         print(sess.run(first), sess.run(first))
    b'a.txt' b'b.txt'
    """
    graph = get_default_graph()
    with graph.name_scope(name or "input_producer") as scope:
        string_tensor = convert_to_tensor(string_tensor, dtype=dtypes.string, name="Const")
        if string_tensor.shape.num_elements() == 0:
            raise ValueError("string_input_producer requires a non-null input tensor")
    summary = f"fraction_of_{capacity}_full"
    return input_producer(
        string_tensor,
        [],
        num_epochs,
        shuffle,
        seed,
        capacity,
        shared_name,
        summary,
        scope,
        cancel_op,
    )


def range_input_producer(
    limit, num_epochs=None, shuffle=True, seed=None, capacity=32, shared_name=None, name=None
):
    """A queue of the integers ``0 .. limit - 1`` (int32), epoch after epoch."""
    with name_scope(name, "input_producer", [limit]) as scope:
        numbers = range_op(limit)
    summary = f"fraction_of_{capacity}_full"
    return input_producer(
        numbers, [], num_epochs, shuffle, seed, capacity, shared_name, summary, scope
    )


def slice_input_producer(
    tensor_list, num_epochs=None, shuffle=True, seed=None, capacity=32, shared_name=None, name=None
):
    """One row of each tensor of ``tensor_list`` (the same row of each) per dequeue.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x, y = slice_input_producer([tf.constant([1, 2, 3]), tf.constant([b"a", b"b", b"c"])],
    ...                                 shuffle=False)
    ...     with tf.compat.v1.Session() as sess:
    ...         threads = tf.compat.v1.train.start_queue_runners(sess)
    ...         for _ in range(2):
    ...             number, text = sess.run([x, y])
    ...             print(int(number), bytes(text))
    1 b'a'
    2 b'b'
    """
    with name_scope(name, "input_producer", tensor_list):
        tensors = [convert_to_tensor(t) for t in tensor_list]
        if not tensors:
            raise ValueError("Expected at least one tensor in slice_input_producer().")
        size = tensors[0].shape.dim_value(0)
        for tensor in tensors[1:]:
            other = tensor.shape.dim_value(0)
            if size is not None and other is not None and other != size:
                raise ValueError(
                    f"All tensors of slice_input_producer must have the same size in "
                    f"dimension 0, got {size} and {other}"
                )
        count = size if size is not None else shape_op(tensors[0])[0]
        queue = range_input_producer(count, num_epochs, shuffle, seed, capacity, shared_name)
        index = queue.dequeue()
        return [gather(tensor, index) for tensor in tensors]


# -- batching ------------------------------------------------------------------------------


def _flat(tensors):
    """``(flat list, repack)`` of a tensor, a list/tuple or a dict of tensors.

    As TF's, a batch of a list is what the queue's dequeue gives: a list, or a lone
    tensor when there is one component.
    """
    if isinstance(tensors, dict):
        keys = sorted(tensors)
        return [tensors[k] for k in keys], lambda values: dict(zip(keys, values))
    if isinstance(tensors, list | tuple):
        return list(tensors), lambda values: values if len(values) > 1 else values[0]
    return [tensors], lambda values: values[0]


def _element_shapes(flat, shapes, enqueue_many: bool):
    if shapes is not None:
        return [as_shape(s) for s in shapes]
    if enqueue_many:
        return [t.shape[1:] for t in flat]
    return [t.shape for t in flat]


def _make_queue(kind: str, flat, shapes, capacity, shared_name, **extra):
    types = [t.dtype.base_dtype for t in flat]
    if kind == "padding":
        return PaddingFIFOQueue(
            capacity, types, shapes, shared_name=shared_name, name="padding_fifo_queue"
        )
    if kind == "shuffle":
        return RandomShuffleQueue(
            capacity,
            extra["min_after_dequeue"],
            types,
            shapes,
            seed=extra.get("seed"),
            shared_name=shared_name,
            name="random_shuffle_queue",
        )
    return FIFOQueue(capacity, types, shapes, shared_name=shared_name, name="fifo_queue")


def _enqueue(queue, flat, enqueue_many, keep_input=None):
    if keep_input is None:
        return queue.enqueue_many(flat) if enqueue_many else queue.enqueue(flat)
    keep = convert_to_tensor(keep_input, dtype=dtypes.bool, name="keep_input")
    if keep.shape.rank == 0:
        return cond(
            keep,
            lambda: queue.enqueue_many(flat) if enqueue_many else queue.enqueue(flat),
            no_op,
        )
    if not enqueue_many:
        raise ValueError("`keep_input` must be a scalar unless `enqueue_many` is True.")
    return queue.enqueue_many([boolean_mask(t, keep) for t in flat])


def _batch(
    tensors_list,
    batch_size,
    capacity,
    enqueue_many,
    shapes,
    allow_smaller_final_batch,
    shared_name,
    name,
    kind,
    default_name,
    keep_input=None,
    **extra,
):
    """The common body of the batchers: ``tensors_list`` holds one structure per thread."""
    inputs = [t for tensors in tensors_list for t in _flat(tensors)[0]]
    with name_scope(name, default_name, [getattr(t, "values", t) for t in inputs]) as scope:
        flats = []
        repack = None
        for tensors in tensors_list:
            flat, repack = _flat(tensors)
            sparse = [_sparse_spec(t) for t in flat]
            flats.append([_queued(t, enqueue_many) for t in flat])
        shapes = _element_shapes(flats[0], shapes, enqueue_many)
        queue = _make_queue(kind, flats[0], shapes, capacity, shared_name, **extra)
        enqueues = [_enqueue(queue, flat, enqueue_many, keep_input) for flat in flats]
        add_queue_runner(QueueRunner(queue, enqueues))
        kept = extra.get("min_after_dequeue", 0)
        summary = (
            f"fraction_over_{kept}_of_{capacity - kept}_full"
            if kind == "shuffle"
            else f"fraction_of_{capacity}_full"
        )
        _fullness_summary(queue, summary, capacity, kept)
        # As TF: the batch is named after the scope itself ("batch:0", "shuffle_batch:0").
        if allow_smaller_final_batch:
            dequeued = queue.dequeue_up_to(batch_size, name=scope)
        else:
            dequeued = queue.dequeue_many(batch_size, name=scope)
        values = dequeued if isinstance(dequeued, list) else [dequeued]
        return repack(
            [
                value if spec is None else sparse_elements.from_variant(value, spec.batched(None))
                for value, spec in zip(values, sparse)
            ]
        )


def _sparse_spec(value):
    return SparseSpec(value.dtype, value.shape) if isinstance(value, SparseTensor) else None


def _queued(value, enqueue_many: bool):
    """What a queue holds for ``value``: a tensor, or a sparse tensor as TF queues it (one
    ``[3]`` variant, or ``[n, 3]`` rows with ``enqueue_many``)."""
    if isinstance(value, SparseTensor):
        if enqueue_many:
            return sparse_elements.to_rows(value)
        return sparse_elements.to_variant(value)
    return convert_to_tensor(value)


def batch(
    tensors,
    batch_size,
    num_threads=1,
    capacity=32,
    enqueue_many=False,
    shapes=None,
    dynamic_pad=False,
    allow_smaller_final_batch=False,
    shared_name=None,
    name=None,
):
    """Batches of ``batch_size`` examples, queued by ``num_threads`` runner threads.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.train.range_input_producer(6, num_epochs=1, shuffle=False).dequeue()
    ...     xs = batch([x * 10], 4, allow_smaller_final_batch=True)
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.local_variables_initializer())
    ...         coord = tf.compat.v1.train.Coordinator()
    ...         threads = tf.compat.v1.train.start_queue_runners(sess, coord)
    ...         print(sess.run(xs), sess.run(xs))
    ...         coord.request_stop(); coord.join(threads)
    [ 0 10 20 30] [40 50]
    """
    kind = "padding" if dynamic_pad else "fifo"
    return _batch(
        [tensors] * num_threads,
        batch_size,
        capacity,
        enqueue_many,
        shapes,
        allow_smaller_final_batch,
        shared_name,
        name,
        kind,
        "batch",
    )


def maybe_batch(
    tensors,
    keep_input,
    batch_size,
    num_threads=1,
    capacity=32,
    enqueue_many=False,
    shapes=None,
    dynamic_pad=False,
    allow_smaller_final_batch=False,
    shared_name=None,
    name=None,
):
    """``batch``, enqueuing an example only when ``keep_input`` is true (a vector of
    flags, one per example, with ``enqueue_many``)."""
    kind = "padding" if dynamic_pad else "fifo"
    return _batch(
        [tensors] * num_threads,
        batch_size,
        capacity,
        enqueue_many,
        shapes,
        allow_smaller_final_batch,
        shared_name,
        name,
        kind,
        "batch",
        keep_input,
    )


def batch_join(
    tensors_list,
    batch_size,
    capacity=32,
    enqueue_many=False,
    shapes=None,
    dynamic_pad=False,
    allow_smaller_final_batch=False,
    shared_name=None,
    name=None,
):
    """Batches mixing the examples of several structures, one runner thread for each."""
    kind = "padding" if dynamic_pad else "fifo"
    return _batch(
        list(tensors_list),
        batch_size,
        capacity,
        enqueue_many,
        shapes,
        allow_smaller_final_batch,
        shared_name,
        name,
        kind,
        "batch_join",
    )


def shuffle_batch(
    tensors,
    batch_size,
    capacity,
    min_after_dequeue,
    num_threads=1,
    seed=None,
    enqueue_many=False,
    shapes=None,
    allow_smaller_final_batch=False,
    shared_name=None,
    name=None,
):
    """Batches drawn at random from a queue kept at least ``min_after_dequeue`` full."""
    return _batch(
        [tensors] * num_threads,
        batch_size,
        capacity,
        enqueue_many,
        shapes,
        allow_smaller_final_batch,
        shared_name,
        name,
        "shuffle",
        "shuffle_batch",
        min_after_dequeue=min_after_dequeue,
        seed=seed,
    )


def shuffle_batch_join(
    tensors_list,
    batch_size,
    capacity,
    min_after_dequeue,
    seed=None,
    enqueue_many=False,
    shapes=None,
    allow_smaller_final_batch=False,
    shared_name=None,
    name=None,
):
    """``shuffle_batch`` over several structures, one runner thread for each."""
    return _batch(
        list(tensors_list),
        batch_size,
        capacity,
        enqueue_many,
        shapes,
        allow_smaller_final_batch,
        shared_name,
        name,
        "shuffle",
        "shuffle_batch_join",
        min_after_dequeue=min_after_dequeue,
        seed=seed,
    )


def maybe_batch_join(
    tensors_list,
    keep_input,
    batch_size,
    capacity=32,
    enqueue_many=False,
    shapes=None,
    dynamic_pad=False,
    allow_smaller_final_batch=False,
    shared_name=None,
    name=None,
):
    """``batch_join``, enqueuing an example only when ``keep_input`` is true."""
    kind = "padding" if dynamic_pad else "fifo"
    return _batch(
        list(tensors_list),
        batch_size,
        capacity,
        enqueue_many,
        shapes,
        allow_smaller_final_batch,
        shared_name,
        name,
        kind,
        "batch_join",
        keep_input,
    )


def maybe_shuffle_batch(
    tensors,
    batch_size,
    capacity,
    min_after_dequeue,
    keep_input,
    num_threads=1,
    seed=None,
    enqueue_many=False,
    shapes=None,
    allow_smaller_final_batch=False,
    shared_name=None,
    name=None,
):
    """``shuffle_batch``, enqueuing an example only when ``keep_input`` is true.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.train.range_input_producer(8, num_epochs=1, shuffle=False).dequeue()
    ...     odd = maybe_shuffle_batch([x], 4, 8, 0, tf.equal(x % 2, 1), seed=1,
    ...                               allow_smaller_final_batch=True)
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.local_variables_initializer())
    ...         coord = tf.compat.v1.train.Coordinator()
    ...         threads = tf.compat.v1.train.start_queue_runners(sess, coord)
    ...         print(sorted(sess.run(odd).tolist()))
    ...         coord.request_stop(); coord.join(threads)
    [1, 3, 5, 7]
    """
    return _batch(
        [tensors] * num_threads,
        batch_size,
        capacity,
        enqueue_many,
        shapes,
        allow_smaller_final_batch,
        shared_name,
        name,
        "shuffle",
        "shuffle_batch",
        keep_input,
        min_after_dequeue=min_after_dequeue,
        seed=seed,
    )


def maybe_shuffle_batch_join(
    tensors_list,
    batch_size,
    capacity,
    min_after_dequeue,
    keep_input,
    seed=None,
    enqueue_many=False,
    shapes=None,
    allow_smaller_final_batch=False,
    shared_name=None,
    name=None,
):
    """``shuffle_batch_join``, enqueuing an example only when ``keep_input`` is true."""
    return _batch(
        list(tensors_list),
        batch_size,
        capacity,
        enqueue_many,
        shapes,
        allow_smaller_final_batch,
        shared_name,
        name,
        "shuffle",
        "shuffle_batch_join",
        keep_input,
        min_after_dequeue=min_after_dequeue,
        seed=seed,
    )
