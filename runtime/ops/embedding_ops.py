"""Embedding lookups: rows of a table (or of a table split into partitions) by id.

``embedding_lookup`` gathers rows. With a list of tables (a partitioned table) each id
belongs to one partition, by TF's ``mod`` strategy (id ``i`` is row ``i // n`` of
partition ``i % n``) or ``div`` strategy (contiguous blocks of ids, the first
partitions one row longer when the rows do not divide evenly). ``max_norm`` scales
each looked-up embedding down to that L2 norm at most.
"""

from __future__ import annotations

from .. import dtypes
from ..graph import Tensor, graph_of
from ..scopes import name_scope
from . import array_ops, clip_ops, math_ops
from .core import convert_to_tensor
from .variables import PartitionedVariable

__all__ = ["embedding_lookup", "embedding_lookup_sparse", "safe_embedding_lookup_sparse"]


def _partition(tables: list, ids: Tensor, strategy: str) -> tuple[Tensor, Tensor]:
    """Each id's partition and its row within that partition, as TF's strategies assign them."""
    count = len(tables)
    if strategy == "mod":
        return math_ops.floormod(ids, count), math_ops.floordiv(ids, count)
    if strategy != "div":
        raise ValueError(
            f"Unrecognized partition strategy: {strategy}. Must be one of either `mod` or `div`."
        )
    rows = [table.shape.dim_value(0) if table.shape.rank else None for table in tables]
    if None in rows:
        sizes = [array_ops.shape(table, out_type=ids.dtype.base_dtype)[0] for table in tables]
        total = math_ops.add_n(sizes)
    else:
        total = convert_to_tensor(sum(rows), ids.dtype.base_dtype)
    per_partition = math_ops.floordiv(total, count)
    extras = math_ops.floormod(total, count)
    # The first `extras` partitions hold per_partition + 1 ids each.
    assignment = math_ops.maximum(
        math_ops.floordiv(ids, per_partition + 1),
        math_ops.floordiv(ids - extras, per_partition),
    )
    in_long = math_ops.less(assignment, extras)
    row = math_ops.where(
        in_long,
        math_ops.floormod(ids, per_partition + 1),
        math_ops.floormod(ids - extras, per_partition),
    )
    return assignment, row


def _partitioned_lookup(tables: list, ids: Tensor, strategy: str) -> Tensor:
    """Rows of a partitioned table: each partition gathers the ids it owns (the others
    read its row 0), and each id takes its own partition's row."""
    flat = array_ops.reshape(ids, [-1])
    assignment, row = _partition(tables, flat, strategy)
    zeros = array_ops.zeros_like(row)
    gathered = [
        array_ops.gather(table, math_ops.where(math_ops.equal(assignment, p), row, zeros))
        for p, table in enumerate(tables)
    ]
    positions = math_ops.range(array_ops.size(flat, out_type=dtypes.int32))
    pick = array_ops.stack([math_ops.cast(assignment, dtypes.int32), positions], axis=1)
    rows = array_ops.gather_nd(array_ops.stack(gathered), pick)
    element = array_ops.shape(tables[0])[1:]
    result = array_ops.reshape(rows, array_ops.concat([array_ops.shape(ids), element], 0))
    if ids.shape.rank is not None and tables[0].shape.rank is not None:
        result.set_shape(ids.shape.concatenate(tables[0].shape[1:]))
    return result


def _clip(embeddings: Tensor, ids: Tensor, max_norm) -> Tensor:
    """Each embedding scaled to L2 norm ``max_norm`` at most (over the axes after the ids')."""
    if max_norm is None:
        return embeddings
    if ids.shape.rank is not None and embeddings.shape.rank is not None:
        axes = list(range(ids.shape.rank, embeddings.shape.rank))
    else:
        axes = math_ops.range(array_ops.rank(ids), array_ops.rank(embeddings))
    return clip_ops.clip_by_norm(embeddings, max_norm, axes)


def embedding_lookup_v1(
    params, ids, partition_strategy="mod", name=None, validate_indices=True, max_norm=None
) -> Tensor:
    """TF1's ``tf.compat.v1.nn.embedding_lookup``: rows of ``params`` for ``ids``.

    Parameters
    ----------
    params : Tensor, or list of Tensors
        The table, or its partitions (same shape after the first dimension).
    ids : int32 or int64 Tensor
        Any shape; the result is ``ids.shape + params.shape[1:]``.
    partition_strategy : {"mod", "div"}
        How ids map to partitions (see the module docstring).
    max_norm : float, optional
        Scale each embedding down to this L2 norm at most.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     table = tf.constant([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    ...     tf.compat.v1.Session().run(tf.nn.embedding_lookup(table, [2, 0]))
    array([[2., 2.],
           [0., 0.]], dtype=float32)
    """
    if params is None:
        raise ValueError("params must be specified")
    if isinstance(params, list | tuple) and not params:
        raise ValueError("Length of params is currently 0. Need at least one param.")
    tables = list(params) if isinstance(params, list | tuple | PartitionedVariable) else [params]
    with name_scope(name, "embedding_lookup", [*tables, ids]) as scope:
        graph = graph_of([*tables, ids])
        tables = [convert_to_tensor(table, name="params", graph=graph) for table in tables]
        ids = convert_to_tensor(ids, name="ids", graph=graph)
        if len(tables) == 1:
            # As TF names them: the GatherV2 takes the scope's name, an Identity follows.
            result = _clip(array_ops.gather(tables[0], ids, name=scope), ids, max_norm)
            return array_ops.identity(result)
        result = _partitioned_lookup(tables, ids, partition_strategy)
        return array_ops.identity(_clip(result, ids, max_norm), name=scope)


def embedding_lookup(params, ids, max_norm=None, name=None) -> Tensor:
    """TF2's ``tf.nn.embedding_lookup``: partitions split by the ``div`` strategy.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     parts = [tf.constant([[0.0], [1.0]]), tf.constant([[2.0]])]
    ...     tf.compat.v1.Session().run(tf.compat.v2.nn.embedding_lookup(parts, [2, 1]))
    array([[2.],
           [1.]], dtype=float32)
    """
    return embedding_lookup_v1(params, ids, "div", name, max_norm=max_norm)


def embedding_lookup_sparse_v1(
    params,
    sp_ids,
    sp_weights,
    partition_strategy="mod",
    name=None,
    combiner=None,
    max_norm=None,
    allow_fast_lookup=False,
) -> Tensor:
    """The embeddings of each row's ids in a ``SparseTensor``, combined per row.

    Parameters
    ----------
    params : Tensor or list of Tensors
        The table (or its partitions), as :func:`embedding_lookup_v1` takes it.
    sp_ids : SparseTensor of int ids, ``[rows, ids per row]``
    sp_weights : SparseTensor of float weights with ``sp_ids``' indices, or None (all 1)
    combiner : {"sum", "mean", "sqrtn"}
        Each row's weighted sum, divided by the sum of its weights (mean, the default),
        or by the root of the sum of their squares (sqrtn).

    Returns
    -------
    Tensor
        ``[rows, dim]``; as in TF, rows after the last one that has an id are left out.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     ids = tf.SparseTensor([[0, 0], [0, 1], [1, 0]], tf.constant([0, 2, 1], tf.int64), [2, 2])
    ...     table = tf.constant([[1.0], [2.0], [5.0]])
    ...     tf.compat.v1.Session().run(tf.nn.embedding_lookup_sparse(table, ids, None))
    array([[3.],
           [2.]], dtype=float32)
    """
    combiner = combiner or "mean"
    if combiner not in ("mean", "sqrtn", "sum"):
        raise ValueError(f"combiner must be one of 'mean', 'sqrtn' or 'sum', got {combiner}")
    tables = list(params) if isinstance(params, list | tuple | PartitionedVariable) else [params]
    with name_scope(name, "embedding_lookup_sparse", [*tables, sp_ids]) as scope:
        rows = sp_ids.indices[:, 0]
        segments = math_ops.add(math_ops.reduce_max(rows), 1)
        embeddings = embedding_lookup_v1(
            tables, sp_ids.values, partition_strategy, max_norm=max_norm
        )
        if sp_weights is None:
            weights = array_ops.ones_like(rows, dtype=embeddings.dtype.base_dtype)
        else:
            weights = math_ops.cast(sp_weights.values, embeddings.dtype.base_dtype)
        # Each id's weight, broadcast over its embedding's trailing dims.
        trailing = array_ops.ones_like(array_ops.shape(embeddings)[1:])
        column = array_ops.reshape(weights, array_ops.concat([[-1], trailing], 0))
        total = math_ops.unsorted_segment_sum(math_ops.multiply(embeddings, column), rows, segments)
        if combiner == "sum":
            return array_ops.identity(total, name=scope)
        norm = weights if combiner == "mean" else math_ops.square(weights)
        norm = math_ops.unsorted_segment_sum(norm, rows, segments)
        if combiner == "sqrtn":
            norm = math_ops.sqrt(norm)
        norm = array_ops.reshape(norm, array_ops.concat([[-1], trailing], 0))
        return math_ops.divide_no_nan(total, norm, name=scope)


def embedding_lookup_sparse(
    params, sp_ids, sp_weights, combiner=None, max_norm=None, name=None, allow_fast_lookup=False
) -> Tensor:
    """TF2's ``tf.nn.embedding_lookup_sparse``: partitions split by the ``div`` strategy."""
    return embedding_lookup_sparse_v1(
        params, sp_ids, sp_weights, "div", name, combiner, max_norm, allow_fast_lookup
    )


def safe_embedding_lookup_sparse_v1(
    embedding_weights,
    sparse_ids,
    sparse_weights=None,
    combiner="mean",
    default_id=None,
    name=None,
    partition_strategy="div",
    max_norm=None,
    allow_fast_lookup=False,
) -> Tensor:
    """:func:`embedding_lookup_sparse` that tolerates bad input, as TF's does.

    Ids below 0 are ignored, and so are weights not above 0 unless ``combiner`` is
    "sum"; a row left with no ids gets the embedding of ``default_id`` (zeros if
    ``None``). ``sparse_ids`` may have any rank: the result is ``dense_shape[:-1] +
    [dim]``, every row present.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     ids = tf.SparseTensor([[0, 0], [0, 1], [2, 0]], tf.constant([1, -1, 0], tf.int64),
    ...                           [3, 2])
    ...     table = tf.constant([[1.0], [2.0]])
    ...     tf.compat.v1.Session().run(tf.nn.safe_embedding_lookup_sparse(table, ids))
    array([[2.],
           [0.],
           [1.]], dtype=float32)
    """
    if embedding_weights is None:
        raise ValueError(f"Missing embedding_weights {embedding_weights}.")
    if combiner not in ("mean", "sqrtn", "sum"):
        raise ValueError(f"combiner must be one of 'mean', 'sqrtn' or 'sum', got {combiner}")
    tables = (
        list(embedding_weights)
        if isinstance(embedding_weights, list | tuple)
        else [embedding_weights]
    )
    with name_scope(name, "embedding_lookup", [*tables, sparse_ids]) as scope:
        shape = sparse_ids.dense_shape
        indices = sparse_ids.indices
        # Linear row numbers over all but the last dimension of the ids.
        strides = math_ops.cumprod(shape[:-1], exclusive=True, reverse=True)
        rows = math_ops.reduce_sum(math_ops.multiply(indices[:, :-1], strides), 1)
        num_rows = math_ops.reduce_prod(shape[:-1])
        ids = sparse_ids.values
        valid = math_ops.greater_equal(ids, 0)
        if sparse_weights is not None and combiner != "sum":
            valid = math_ops.logical_and(valid, math_ops.greater(sparse_weights.values, 0))
        embeddings = embedding_lookup_v1(
            tables,
            math_ops.where(valid, ids, array_ops.zeros_like(ids)),
            partition_strategy,
            max_norm=max_norm,
        )
        dtype = embeddings.dtype.base_dtype
        weights = (
            array_ops.ones_like(ids, dtype=dtype)
            if sparse_weights is None
            else math_ops.cast(sparse_weights.values, dtype)
        )
        weights = math_ops.where(valid, weights, array_ops.zeros_like(weights))
        trailing = array_ops.ones_like(array_ops.shape(embeddings)[1:])
        column = array_ops.reshape(weights, array_ops.concat([[-1], trailing], 0))
        total = math_ops.unsorted_segment_sum(math_ops.multiply(embeddings, column), rows, num_rows)
        counts = math_ops.unsorted_segment_sum(math_ops.cast(valid, dtype), rows, num_rows)
        if combiner != "sum":
            norm = weights if combiner == "mean" else math_ops.square(weights)
            norm = math_ops.unsorted_segment_sum(norm, rows, num_rows)
            if combiner == "sqrtn":
                norm = math_ops.sqrt(norm)
            total = math_ops.divide_no_nan(
                total, array_ops.reshape(norm, array_ops.concat([[-1], trailing], 0))
            )
        empty = array_ops.reshape(math_ops.equal(counts, 0), array_ops.concat([[-1], trailing], 0))
        if default_id is None:
            fill = array_ops.zeros_like(total)
        else:
            fill = array_ops.expand_dims(
                embedding_lookup_v1(tables, default_id, partition_strategy, max_norm=max_norm), 0
            )
            fill = math_ops.add(fill, array_ops.zeros_like(total))
        result = math_ops.where(array_ops.broadcast_to(empty, array_ops.shape(total)), fill, total)
        dims = array_ops.concat(
            [math_ops.cast(shape[:-1], dtypes.int32), array_ops.shape(result)[1:]], 0
        )
        return array_ops.reshape(result, dims, name=scope)


def safe_embedding_lookup_sparse(
    embedding_weights,
    sparse_ids,
    sparse_weights=None,
    combiner="mean",
    default_id=None,
    max_norm=None,
    name=None,
    allow_fast_lookup=False,
) -> Tensor:
    """TF2's ``tf.nn.safe_embedding_lookup_sparse`` (see :func:`safe_embedding_lookup_sparse_v1`)."""
    return safe_embedding_lookup_sparse_v1(
        embedding_weights,
        sparse_ids,
        sparse_weights,
        combiner,
        default_id,
        name,
        "div",
        max_norm,
        allow_fast_lookup,
    )


V1_OVERRIDES = {
    "safe_embedding_lookup_sparse": safe_embedding_lookup_sparse_v1,
    "embedding_lookup": embedding_lookup_v1,
    "embedding_lookup_sparse": embedding_lookup_sparse_v1,
}
