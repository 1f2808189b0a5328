"""``tf.data.experimental``: transformations for ``Dataset.apply``, readers, options and
constants, as TF 1.x has them.

A transformation here is a function returning ``fn(dataset) -> dataset`` (most are a
``Dataset`` method: ``scan(s, f)`` is ``lambda ds: ds.scan(s, f)``); the readers and
options are classes of :mod:`runtime.data.readers` and :mod:`runtime.data.options`.

Examples
--------
>>> import runtime as tf
>>> with tf.Graph().as_default():
...     ds = tf.data.Dataset.range(10).apply(tf.data.experimental.group_by_window(
...         lambda x: x % 2, lambda key, window: window.batch(5), window_size=5))
...     batch = tf.compat.v1.data.make_one_shot_iterator(ds).get_next()
...     with tf.compat.v1.Session() as sess:
...         print(sess.run(batch), sess.run(batch))
[0 2 4 6 8] [1 3 5 7 9]
"""

from .. import dtypes
from ..ops.array_ops import zeros
from .dataset_ops import Dataset, DatasetSpec
from .grouping import Reducer
from .grouping import group_by_reducer as _group_by_reducer
from .optional_ops import Optional, get_next_as_optional
from .options import (
    AutoShardPolicy,
    AutotuneAlgorithm,
    AutotuneOptions,
    DistributeOptions,
    ExternalStatePolicy,
    OptimizationOptions,
    ServiceOptions,
    ThreadingOptions,
)
from .pipeline import AUTOTUNE
from .readers import (
    CsvDataset,
    SqlDataset,
    TFRecordWriter,
    make_batched_features_dataset,
    make_csv_dataset,
    parse_example_dataset,
)
from .sampling import RandomDataset, choose_from_datasets, sample_from_datasets
from .transformations import (
    INFINITE_CARDINALITY,
    UNKNOWN_CARDINALITY,
    cardinality,
    from_list,
    get_single_element,
)
from .transformations import assert_cardinality as _assert_cardinality
from .transformations import copy_to_device as _copy_to_device
from .transformations import map_and_batch as _map_and_batch
from .transformations import parallel_interleave as _parallel_interleave

__all__ = [
    "AUTOTUNE",
    "INFINITE_CARDINALITY",
    "SHARD_HINT",
    "UNKNOWN_CARDINALITY",
    "AutoShardPolicy",
    "AutotuneAlgorithm",
    "AutotuneOptions",
    "Counter",
    "CsvDataset",
    "DatasetStructure",
    "DistributeOptions",
    "ExternalStatePolicy",
    "OptimizationOptions",
    "Optional",
    "RandomDataset",
    "Reducer",
    "ServiceOptions",
    "SqlDataset",
    "TFRecordWriter",
    "ThreadingOptions",
    "assert_cardinality",
    "bucket_by_sequence_length",
    "cardinality",
    "choose_from_datasets",
    "copy_to_device",
    "dense_to_sparse_batch",
    "enumerate_dataset",
    "from_list",
    "get_next_as_optional",
    "get_single_element",
    "group_by_reducer",
    "group_by_window",
    "ignore_errors",
    "make_batched_features_dataset",
    "make_csv_dataset",
    "map_and_batch",
    "map_and_batch_with_legacy_function",
    "pad_to_cardinality",
    "parallel_interleave",
    "parse_example_dataset",
    "prefetch_to_device",
    "rejection_resample",
    "sample_from_datasets",
    "scan",
    "shuffle_and_repeat",
    "take_while",
    "unbatch",
    "unique",
]

# ``shard(SHARD_HINT, ...)`` marks where a distribution strategy would shard the input.
SHARD_HINT = -1
DatasetStructure = DatasetSpec  # TF 1.x's name of the spec of a dataset-valued component


def Counter(start=0, step=1, dtype=dtypes.int64):
    """A dataset counting from ``start`` by ``step`` without end.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     ds = Counter(10, 5).take(3).batch(3)
    ...     print(tf.compat.v1.Session().run(ds.make_one_shot_iterator().get_next()))
    [10 15 20]
    """
    return Dataset.counter(start, step, dtype)


def assert_cardinality(expected_cardinality):
    """Fail when iterated unless the dataset has exactly ``expected_cardinality`` elements
    (which ``cardinality`` then reports)."""
    return lambda dataset: _assert_cardinality(dataset, expected_cardinality)


def bucket_by_sequence_length(
    element_length_func,
    bucket_boundaries,
    bucket_batch_sizes,
    padded_shapes=None,
    padding_values=None,
    pad_to_bucket_boundary=False,
    no_padding=False,
    drop_remainder=False,
):
    """``Dataset.bucket_by_sequence_length`` as a transformation."""
    return lambda dataset: dataset.bucket_by_sequence_length(
        element_length_func,
        bucket_boundaries,
        bucket_batch_sizes,
        padded_shapes,
        padding_values,
        pad_to_bucket_boundary,
        no_padding,
        drop_remainder,
    )


def copy_to_device(target_device, source_device="/cpu:0"):
    """The elements delivered by an op on ``target_device`` (from ``source_device``)."""
    return lambda dataset: _copy_to_device(dataset, target_device)


def prefetch_to_device(device, buffer_size=None):
    """``copy_to_device(device)`` followed by a prefetch of ``buffer_size`` on it."""
    return lambda dataset: dataset.apply(copy_to_device(device)).prefetch(buffer_size)


def dense_to_sparse_batch(batch_size, row_shape):
    """``Dataset.sparse_batch`` as a transformation."""
    return lambda dataset: dataset.sparse_batch(batch_size, row_shape)


def enumerate_dataset(start=0):
    """``Dataset.enumerate`` as a transformation."""
    return lambda dataset: dataset.enumerate(start)


def group_by_reducer(key_func, reducer):
    """Elements grouped by ``key_func`` and folded by ``reducer`` (one element per key,
    once the input ends, in key order)."""
    return lambda dataset: _group_by_reducer(dataset, key_func, reducer)


def group_by_window(key_func, reduce_func, window_size=None, window_size_func=None):
    """``Dataset.group_by_window`` as a transformation."""
    return lambda dataset: dataset.group_by_window(
        key_func, reduce_func, window_size, window_size_func
    )


def ignore_errors(log_warning=False):
    """``Dataset.ignore_errors`` as a transformation."""
    return lambda dataset: dataset.ignore_errors(log_warning)


def _parallel_calls(batch_size, num_parallel_batches, num_parallel_calls):
    if num_parallel_batches is not None and num_parallel_calls is not None:
        raise ValueError(
            "`map_and_batch` allows only one of `num_parallel_batches` and "
            f"`num_parallel_calls` to be set, but `num_parallel_batches` was set to "
            f"{num_parallel_batches} and `num_parallel_calls` as set to {num_parallel_calls}."
        )
    if num_parallel_calls is not None:
        return num_parallel_calls
    return batch_size * (1 if num_parallel_batches is None else num_parallel_batches)


def map_and_batch(
    map_func, batch_size, num_parallel_batches=None, drop_remainder=False, num_parallel_calls=None
):
    """``map(map_func)`` then ``batch(batch_size)``, fused, with ``num_parallel_calls`` (or
    ``batch_size * num_parallel_batches``) calls in flight."""
    calls = _parallel_calls(batch_size, num_parallel_batches, num_parallel_calls)
    return lambda dataset: _map_and_batch(dataset, map_func, batch_size, calls, drop_remainder)


map_and_batch_with_legacy_function = map_and_batch


def pad_to_cardinality(cardinality, mask_key="valid"):
    """Elements of a dataset of dicts, then zero-filled ones up to ``cardinality`` in all;
    ``mask_key`` tells them apart (``True`` for the dataset's own)."""

    def apply(dataset):
        if not isinstance(dataset.output_types, dict):
            raise ValueError("`pad_to_cardinality` requires its input dataset to be a dictionary.")
        filler = {
            key: zeros(dataset.output_shapes[key], dtype)
            for key, dtype in dataset.output_types.items()
        }
        filler[mask_key] = False
        padding = cardinality - dataset.cardinality()
        own = dataset.map(lambda element: {**element, mask_key: True})
        return own.concatenate(Dataset.from_tensors(filler).repeat(padding))

    return apply


def parallel_interleave(
    map_func,
    cycle_length,
    block_length=1,
    sloppy=False,
    buffer_output_elements=None,
    prefetch_input_elements=None,
):
    """TF1's parallel interleave: ``cycle_length`` of ``map_func``'s datasets at a time,
    ``block_length`` elements each in turn (``sloppy`` may reorder; here the order is
    always the deterministic one)."""
    return lambda dataset: _parallel_interleave(
        dataset,
        map_func,
        cycle_length,
        block_length,
        sloppy,
        buffer_output_elements,
        prefetch_input_elements,
    )


def rejection_resample(class_func, target_dist, initial_dist=None, seed=None):
    """``Dataset.rejection_resample`` as a transformation."""
    return lambda dataset: dataset.rejection_resample(class_func, target_dist, initial_dist, seed)


def scan(initial_state, scan_func):
    """``Dataset.scan`` as a transformation."""
    return lambda dataset: dataset.scan(initial_state, scan_func)


def shuffle_and_repeat(buffer_size, count=None, seed=None):
    """Each pass of ``count`` (``None``: endless) shuffled anew, as ``shuffle`` then ``repeat``."""
    return lambda dataset: dataset.shuffle(buffer_size, seed).repeat(count)


def take_while(predicate):
    """``Dataset.take_while`` as a transformation."""
    return lambda dataset: dataset.take_while(predicate)


def unbatch():
    """``Dataset.unbatch`` as a transformation."""
    return lambda dataset: dataset.unbatch()


def unique():
    """``Dataset.unique`` as a transformation."""
    return lambda dataset: dataset.unique()
