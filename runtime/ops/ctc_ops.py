"""Connectionist temporal classification: the CTC loss and its decoders.

The op types are TF's: ``CTCLoss`` (the loss and its gradient with respect to the
logits, computed together by the forward-backward algorithm), ``CTCGreedyDecoder`` and
``CTCBeamSearchDecoder``. Inputs are time-major logits ``[max_time, batch, classes]``
whose last class is the blank. ``ctc_loss_v2`` (TF2's ``tf.nn.ctc_loss``) takes dense
labels and any blank index: it moves the blank to the last class and the labels into a
``SparseTensor``, so the loss and its gradient are ``CTCLoss``'s. ``collapse_repeated``
and ``ctc_unique_labels`` are TF's composites of array ops.
"""

from __future__ import annotations

from .. import dtypes
from ..graph import Tensor, graph_of
from ..registry import Cost, OpDef, TensorSpec, not_differentiable, register_gradient, register_op
from ..scopes import name_scope
from ..shapes import TensorShape
from ..sparse_tensor import SparseTensor, is_sparse
from . import (
    array_ops,
    concat_ops,
    fill_ops,
    functional_control,
    gather_scatter_ops,
    math_ops,
    segment_ops,
    shape_ops,
    slicing_ops,
    tile_pad_ops,
)
from .core import apply_op, convert_to_tensor
from .shape_util import merge_dim, with_rank

__all__ = [
    "collapse_repeated",
    "ctc_beam_search_decoder",
    "ctc_greedy_decoder",
    "ctc_loss",
    "ctc_unique_labels",
]

# -- op definitions -----------------------------------------------------------------------

_FLOATS = "T: {float32, float64} = DT_FLOAT"


def _ctc_loss_shape(inputs, labels_indices, labels_values, sequence_length, **attrs):
    max_time, batch, classes = with_rank(inputs.shape, 3).as_tuple()
    with_rank(labels_indices.shape, 2)
    with_rank(labels_values.shape, 1)
    (lengths,) = with_rank(sequence_length.shape, 1).as_tuple()
    batch = merge_dim(batch, lengths)
    return [
        TensorSpec(inputs.dtype, TensorShape([batch])),
        TensorSpec(inputs.dtype, TensorShape([max_time, batch, classes])),
    ]


CTC_LOSS = register_op(
    OpDef(
        "CTCLoss",
        ("inputs: T", "labels_indices: int64", "labels_values: int32", "sequence_length: int32"),
        ("loss: T", "gradient: T"),
        (
            "preprocess_collapse_repeated: bool = false",
            "ctc_merge_repeated: bool = true",
            "ignore_longer_outputs_than_inputs: bool = false",
            _FLOATS,
        ),
        shape_fn=_ctc_loss_shape,
        cost=Cost.EXPENSIVE,
    )
)


def _decoded_specs(paths: int) -> list:
    return (
        [TensorSpec(dtypes.int64, TensorShape([None, 2]))] * paths
        + [TensorSpec(dtypes.int64, TensorShape([None]))] * paths
        + [TensorSpec(dtypes.int64, TensorShape([2]))] * paths
    )


def _decoder_input_batch(inputs, sequence_length):
    _, batch, _ = with_rank(inputs.shape, 3).as_tuple()
    (lengths,) = with_rank(sequence_length.shape, 1).as_tuple()
    return merge_dim(batch, lengths)


def _greedy_shape(inputs, sequence_length, **attrs):
    batch = _decoder_input_batch(inputs, sequence_length)
    return [*_decoded_specs(1), TensorSpec(inputs.dtype, TensorShape([batch, 1]))]


def _beam_shape(inputs, sequence_length, *, top_paths, **attrs):
    batch = _decoder_input_batch(inputs, sequence_length)
    return [*_decoded_specs(top_paths), TensorSpec(inputs.dtype, TensorShape([batch, top_paths]))]


CTC_GREEDY_DECODER = register_op(
    OpDef(
        "CTCGreedyDecoder",
        ("inputs: T", "sequence_length: int32"),
        (
            "decoded_indices: int64",
            "decoded_values: int64",
            "decoded_shape: int64",
            "log_probability: T",
        ),
        ("merge_repeated: bool = false", "blank_index: int = -1", _FLOATS),
        shape_fn=_greedy_shape,
        cost=Cost.EXPENSIVE,
    )
)
CTC_BEAM_SEARCH_DECODER = register_op(
    OpDef(
        "CTCBeamSearchDecoder",
        ("inputs: T", "sequence_length: int32"),
        (
            "decoded_indices: top_paths * int64",
            "decoded_values: top_paths * int64",
            "decoded_shape: top_paths * int64",
            "log_probability: T",
        ),
        ("beam_width: int >= 1", "top_paths: int >= 1", "merge_repeated: bool = true", _FLOATS),
        shape_fn=_beam_shape,
        cost=Cost.EXPENSIVE,
    )
)


# TF's ``prevent_gradient``: an identity whose gradient is an error, so a second
# derivative of the CTC loss fails instead of silently coming out wrong.
PREVENT_GRADIENT = register_op(
    OpDef(
        "PreventGradient",
        ("input: T",),
        ("output: T",),
        ("T: type", "message: string = ''"),
        shape_fn=lambda input, **attrs: [input],
    )
)


@register_gradient("PreventGradient")
def _prevent_gradient_grad(op, grad):
    raise LookupError(f"Gradient explicitly disabled. Reason: {op.get_attr('message')}")


@register_gradient("CTCLoss")
def _ctc_loss_grad(op, grad_loss, _grad_gradient):
    gradient = apply_op(
        PREVENT_GRADIENT,
        [op.outputs[1]],
        "PreventGradient",
        message="Currently there is no way to take the second derivative of ctc_loss due to "
        "the fused implementation's interaction with tf.gradients()",
    ).outputs[0]
    return [math_ops.multiply(array_ops.expand_dims(grad_loss, -1), gradient), None, None, None]


not_differentiable("CTCGreedyDecoder")
not_differentiable("CTCBeamSearchDecoder")


# -- the loss -----------------------------------------------------------------------------


def ctc_loss_v1(
    labels,
    inputs=None,
    sequence_length=None,
    preprocess_collapse_repeated=False,
    ctc_merge_repeated=True,
    ignore_longer_outputs_than_inputs=False,
    time_major=True,
    logits=None,
) -> Tensor:
    """TF1's ``tf.nn.ctc_loss``: the negative log-likelihood of each batch entry's label
    sequence under the logits (op ``CTCLoss``).

    Parameters
    ----------
    labels : SparseTensor of int32
        ``labels.indices[i] = [b, position]``; values in ``[0, num_classes - 1)`` (the
        last class is the blank).
    inputs : Tensor
        Logits ``[max_time, batch, num_classes]`` (``[batch, max_time, ...]`` unless
        ``time_major``); the op applies the softmax itself. ``logits`` is its other name.
    sequence_length : int32 ``[batch]``
    preprocess_collapse_repeated, ctc_merge_repeated, ignore_longer_outputs_than_inputs : bool
        As TF's: merge repeated labels first; let the path repeat a label without a
        blank between; give 0 (and a 0 gradient) where a label sequence is longer
        than its input, instead of an error.

    Returns
    -------
    Tensor ``[batch]``

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     labels = tf.SparseTensor([[0, 0]], [0], [1, 1])
    ...     loss = tf.nn.ctc_loss(labels, tf.zeros([2, 1, 2]), [2])
    ...     print(tf.compat.v1.Session().run(loss).round(4))  # paths "a-", "-a", "aa": 3/4
    [0.2877]
    """
    if not is_sparse(labels):
        raise TypeError(
            "Expected argument `labels` to be a SparseTensor. "
            f"Received labels={labels} of type: {type(labels).__name__}"
        )
    if inputs is not None and logits is not None:
        raise ValueError("Cannot specify both 'logits' and 'inputs'")
    inputs = convert_to_tensor(inputs if logits is None else logits, name="logits")
    if not time_major:
        inputs = shape_ops.transpose(inputs, [1, 0, 2])
    half = inputs.dtype.base_dtype == dtypes.float16
    if half:  # CTCLoss takes float32 or float64: TF computes float16 in float32
        original, inputs = inputs.dtype.base_dtype, math_ops.cast(inputs, dtypes.float32)
    op = apply_op(
        CTC_LOSS,
        [inputs, labels.indices, labels.values, sequence_length],
        "CTCLoss",
        preprocess_collapse_repeated=preprocess_collapse_repeated,
        ctc_merge_repeated=ctc_merge_repeated,
        ignore_longer_outputs_than_inputs=ignore_longer_outputs_than_inputs,
    )
    return math_ops.cast(op.outputs[0], original) if half else op.outputs[0]


def _blank_last(logits: Tensor, blank_index: int) -> Tensor:
    """``logits`` with class ``blank_index`` moved to the end (CTCLoss's blank)."""
    parts = [
        logits[:, :, :blank_index],
        logits[:, :, blank_index + 1 :],
        logits[:, :, blank_index : blank_index + 1],
    ]
    return concat_ops.concat(parts, axis=2)


def _shift_labels(values: Tensor, blank_index: int) -> Tensor:
    """Labels renumbered for the blank at the end: those above the blank move down."""
    return math_ops.where(math_ops.less(values, blank_index), values, math_ops.subtract(values, 1))


def _dense_to_sparse(labels: Tensor, label_length) -> SparseTensor:
    """The first ``label_length[b]`` labels of each row, as a ``SparseTensor``."""
    mask = fill_ops.sequence_mask(label_length, maxlen=array_ops.shape(labels)[1])
    indices = math_ops.where(mask)
    values = gather_scatter_ops.gather_nd(labels, indices)
    shape = math_ops.cast(array_ops.shape(labels), dtypes.int64)
    return SparseTensor(indices, math_ops.cast(values, dtypes.int32), shape)


def ctc_loss(
    labels,
    logits,
    label_length,
    logit_length,
    logits_time_major=True,
    unique=None,
    blank_index=None,
    name=None,
) -> Tensor:
    """TF2's ``tf.nn.ctc_loss`` (TF1's ``ctc_loss_v2``): dense or sparse labels, any blank.

    The loss and its gradient are ``CTCLoss``'s: the logits' blank class is moved to
    the end and the labels renumbered to match.

    Parameters
    ----------
    labels : int Tensor ``[batch, max_label_length]`` or SparseTensor
    logits : Tensor ``[max_time, batch, num_classes]`` (batch first unless
        ``logits_time_major``)
    label_length : int ``[batch]`` (``None`` for sparse labels)
    logit_length : int ``[batch]``
    unique : ignored
        TF's speed hint (``ctc_unique_labels``); it does not change the loss.
    blank_index : int
        The blank's class; 0 by default for dense labels; required for sparse ones.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     loss = tf.nn.ctc_loss_v2([[1]], tf.zeros([2, 1, 2]), [1], [2])
    ...     print(tf.compat.v1.Session().run(loss).round(4))
    [0.2877]
    """
    del unique  # a hint for TF's dense kernel; the loss is the same without it
    with name_scope(name, "ctc_loss_dense", [logits, labels, label_length, logit_length]):
        logits = convert_to_tensor(logits, name="logits")
        if is_sparse(labels):
            if blank_index is None:
                raise ValueError(
                    "Argument `blank_index` must be provided when labels is a SparseTensor."
                )
            sparse = labels
        else:
            if blank_index is None:
                blank_index = 0
            labels = convert_to_tensor(labels, name="labels")
            sparse = _dense_to_sparse(labels, label_length)
        num_classes = logits.shape.as_list()[2] if logits.shape.rank == 3 else None
        if blank_index < 0:
            if num_classes is None:
                raise ValueError("A negative blank_index needs the logits' number of classes.")
            blank_index += num_classes
        if num_classes is None or blank_index != num_classes - 1:
            if not logits_time_major:
                logits = shape_ops.transpose(logits, [1, 0, 2])
                logits_time_major = True
            logits = _blank_last(logits, blank_index)
            sparse = SparseTensor(
                sparse.indices, _shift_labels(sparse.values, blank_index), sparse.dense_shape
            )
        return ctc_loss_v1(sparse, logits, logit_length, time_major=logits_time_major)


# -- decoders -----------------------------------------------------------------------------


def _sparse_paths(op, paths: int) -> list:
    outputs = op.outputs
    return [
        SparseTensor(outputs[i], outputs[paths + i], outputs[2 * paths + i]) for i in range(paths)
    ]


def ctc_greedy_decoder(inputs, sequence_length, merge_repeated=True, blank_index=None) -> tuple:
    """The most likely class at each step, blanks dropped (op ``CTCGreedyDecoder``).

    Returns
    -------
    (decoded, neg_sum_logits) : ([SparseTensor], Tensor ``[batch, 1]``)
        The decoded labels (int64) and minus the sum of each step's largest logit.

    Examples
    --------
    >>> import runtime as tf, numpy as np
    >>> logits = np.log([[[0.6, 0.4]], [[0.7, 0.3]], [[0.2, 0.8]]])
    >>> with tf.Graph().as_default():
    ...     (decoded,), score = tf.nn.ctc_greedy_decoder(logits.astype("float32"), [3])
    ...     tf.compat.v1.Session().run(decoded).values
    array([0])
    """
    op = apply_op(
        CTC_GREEDY_DECODER,
        [inputs, sequence_length],
        "CTCGreedyDecoder",
        merge_repeated=merge_repeated,
        blank_index=-1 if blank_index is None else blank_index,
    )
    return _sparse_paths(op, 1), op.outputs[3]


def ctc_beam_search_decoder_v1(
    inputs, sequence_length, beam_width=100, top_paths=1, merge_repeated=True
) -> tuple:
    """TF1's beam search decoder (op ``CTCBeamSearchDecoder``): the ``top_paths`` best
    label sequences of a beam ``beam_width`` wide.

    With ``merge_repeated`` (TF1's default) a label repeated in a path is emitted once,
    even where the path put a blank between the two, as TF does.

    Returns
    -------
    (decoded, log_probabilities) : (list of SparseTensor, Tensor ``[batch, top_paths]``)

    Examples
    --------
    >>> import runtime as tf, numpy as np
    >>> logits = np.log([[[0.6, 0.4]], [[0.7, 0.3]], [[0.2, 0.8]]]).astype("float32")
    >>> with tf.Graph().as_default():
    ...     decoded, _ = tf.compat.v1.nn.ctc_beam_search_decoder(logits, [3], 4, 1)
    ...     tf.compat.v1.Session().run(decoded[0]).values
    array([0])
    """
    op = apply_op(
        CTC_BEAM_SEARCH_DECODER,
        [inputs, sequence_length],
        "CTCBeamSearchDecoder",
        beam_width=beam_width,
        top_paths=top_paths,
        merge_repeated=merge_repeated,
    )
    return _sparse_paths(op, top_paths), op.outputs[3 * top_paths]


def ctc_beam_search_decoder(inputs, sequence_length, beam_width=100, top_paths=1) -> tuple:
    """TF2's beam search decoder: TF1's without merging repeated labels.

    Examples
    --------
    >>> import runtime as tf, numpy as np
    >>> logits = np.log([[[0.6, 0.4]], [[0.7, 0.3]], [[0.2, 0.8]]]).astype("float32")
    >>> with tf.Graph().as_default():
    ...     decoded, _ = tf.nn.ctc_beam_search_decoder_v2(logits, [3], 4, 2)
    ...     [v.tolist() for v in tf.compat.v1.Session().run([d.values for d in decoded])]
    [[0], []]
    """
    return ctc_beam_search_decoder_v1(
        inputs, sequence_length, beam_width=beam_width, top_paths=top_paths, merge_repeated=False
    )


# -- label utilities (TF's composites) -------------------------------------------------------


def collapse_repeated(labels, seq_length, name=None) -> tuple:
    """Repeated labels merged into one: ``[1, 1, 2]`` becomes ``[1, 2]``.

    Returns
    -------
    (collapsed_labels, new_seq_length) : (Tensor ``[batch, new_max_length]``, Tensor)
        The merged labels, zero-padded, and each row's new length.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     labels, lengths = tf.nn.collapse_repeated([[1, 1, 2, 2], [3, 3, 3, 0]], [4, 3])
    ...     tf.compat.v1.Session().run([labels, lengths])
    [array([[1, 2],
           [3, 0]], dtype=int32), array([2, 1], dtype=int32)]
    """
    with name_scope(name, "collapse_repeated_labels", [labels, seq_length]):
        labels = convert_to_tensor(labels, name="labels")
        seq_length = convert_to_tensor(seq_length, name="seq_length")
        # A label starts a run where it differs from the one before it.
        starts = concat_ops.concat(
            [
                array_ops.ones_like(labels[:, :1], dtypes.bool),
                math_ops.not_equal(labels[:, 1:], labels[:, :-1]),
            ],
            axis=1,
        )
        maxlen = _dim(labels, 1)
        label_mask = math_ops.logical_and(starts, fill_ops.sequence_mask(seq_length, maxlen=maxlen))
        new_seq_len = math_ops.reduce_sum(math_ops.cast(label_mask, dtypes.int32), axis=1)
        new_maxlen = math_ops.reduce_max(new_seq_len)
        idx_mask = fill_ops.sequence_mask(new_seq_len, maxlen=new_maxlen)
        flat_labels = array_ops.reshape(labels, [-1])
        flat_label_mask = array_ops.reshape(label_mask, [-1])
        flat_idx_mask = array_ops.reshape(idx_mask, [-1])
        idx = math_ops.range(_dim(flat_idx_mask, 0))
        flat = gather_scatter_ops.scatter_nd(
            indices=array_ops.expand_dims(slicing_ops.boolean_mask(idx, flat_idx_mask), axis=1),
            updates=slicing_ops.boolean_mask(flat_labels, flat_label_mask),
            shape=array_ops.shape(flat_idx_mask),
        )
        collapsed = array_ops.reshape(flat, [_dim(labels, 0), new_maxlen])
        return collapsed, math_ops.cast(new_seq_len, seq_length.dtype)


def _dim(tensor: Tensor, axis: int):
    """A dimension: the static one where known, else read from the graph."""
    static = tensor.shape.as_list()[axis] if tensor.shape.rank is not None else None
    return static if static is not None else array_ops.shape(tensor)[axis]


def ctc_unique_labels(labels, name=None) -> tuple:
    """Each row's distinct labels in order of first appearance, and where each label of
    the row is among them (TF's ``map_fn`` of ``unique`` over the rows).

    Returns
    -------
    (unique, idx) : (int64 Tensor, zero-padded to the row length; int32 Tensor)

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     unique, idx = tf.nn.ctc_unique_labels([[3, 1, 3, 2]])
    ...     tf.compat.v1.Session().run([unique, idx])
    [array([[3, 1, 2, 0]]), array([[0, 1, 0, 2]], dtype=int32)]
    """
    graph = graph_of([labels])
    with graph.name_scope(name or "ctc_unique_labels"):
        labels = convert_to_tensor(labels, name="labels", graph=graph)

        def _unique(row):
            y, idx = segment_ops.unique(row)
            padding = math_ops.subtract(_dim(idx, 0), _dim(y, 0))
            padded = tile_pad_ops.pad(y, [[0, padding]])
            return [math_ops.cast(padded, dtypes.int64), idx]

        unique, idx = functional_control.map_fn(_unique, labels, dtype=[dtypes.int64, dtypes.int32])
        return unique, idx


V1_OVERRIDES = {
    "ctc_beam_search_decoder": ctc_beam_search_decoder_v1,
    "ctc_beam_search_decoder_v2": ctc_beam_search_decoder,
    "ctc_loss": ctc_loss_v1,
    "ctc_loss_v2": ctc_loss,
}
