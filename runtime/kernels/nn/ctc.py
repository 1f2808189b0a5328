"""CTC kernels: the loss by the forward-backward algorithm, the greedy and beam decoders.

The loss works in log space on the label sequence with blanks around and between the
labels (``l'``, ``2 L + 1`` states, the blank being the last class). ``alpha[t, u]`` is
the log-probability of the paths that reach state ``u`` at step ``t`` (emissions up to
``t`` included), ``beta[t, u]`` that of finishing from state ``u`` at ``t`` (later
emissions only), so ``alpha + beta`` at any step sums to the sequence's probability and,
per class, gives the softmax's posterior: the gradient is ``softmax - posterior``.

The beam search is TF's (``ctc_beam_search.h``): a prefix tree whose entries keep the
probabilities of ending in a blank and in their label, the beam holding the
``beam_width`` best; a step's scores are the log-softmax of its logits, and a path's
score is its total log-probability.
"""

from __future__ import annotations

import numpy as np

from ...errors import InvalidArgumentError
from ...registry import register_kernel

_LOG_ZERO = -np.inf


def _fail(text: str):
    raise InvalidArgumentError(None, None, text)


def _log_softmax(x: np.ndarray) -> np.ndarray:
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _check_lengths(sequence_length: np.ndarray, max_time: int, batch: int) -> None:
    if sequence_length.shape != (batch,):
        _fail(
            f"len(sequence_length) != batch_size. len(sequence_length): {sequence_length.size} "
            f"batch_size: {batch}"
        )
    for b, length in enumerate(sequence_length):
        if not 0 <= length <= max_time:
            _fail(f"sequence_length({b}) <= {max_time}; sequence_length({b}) = {length}")


# -- the loss -------------------------------------------------------------------------------


def _label_rows(indices, values, batch: int, num_classes: int) -> list:
    """Each batch entry's labels, checked as TF checks them; trailing blanks dropped."""
    if indices.ndim != 2 or indices.shape[1] != 2 or values.shape != (indices.shape[0],):
        _fail(
            f"labels_indices must be a [N, 2] matrix and labels_values a [N] vector; got "
            f"shapes {list(indices.shape)} and {list(values.shape)}"
        )
    batches = indices[:, 0]
    if batches.size and (
        np.any(np.diff(batches) < 0) or batches.min() < 0 or batches.max() >= batch
    ):
        _fail(f"labels_indices must be ordered by batch, with batches in [0, {batch})")
    rows = []
    for b in range(batch):
        labels = [int(v) for v in values[indices[:, 0] == b]]
        if any(label < 0 for label in labels):
            _fail(
                f"All labels must be nonnegative integers, batch: {b} labels: "
                f"{','.join(map(str, labels))}"
            )
        if any(label >= num_classes for label in labels):
            _fail(
                f"label values must be < num_classes, batch: {b} labels: "
                f"{','.join(map(str, labels))} num_classes: {num_classes}"
            )
        blank = num_classes - 1
        kept = labels[: labels.index(blank)] if blank in labels else labels
        if any(label != blank for label in labels[len(kept) :]):
            _fail(
                f"Saw a non-null label (index >= num_classes - 1) following a null label, "
                f"batch: {b} num_classes: {num_classes} labels: {','.join(map(str, labels))} "
                f"labels seen so far: {','.join(map(str, kept))}"
            )
        rows.append(kept)
    return rows


def _collapsed(labels: list) -> list:
    return [label for i, label in enumerate(labels) if i == 0 or label != labels[i - 1]]


def _shifted(values: np.ndarray, by: int) -> np.ndarray:
    """``values`` moved ``by`` states to the right along the last axis, -inf filling in."""
    out = np.full_like(values, _LOG_ZERO)
    out[..., by:] = values[..., : values.shape[-1] - by]
    return out


def _forward_backward(log_probs: np.ndarray, labels: list, blank: int, merge: bool):
    """``alpha + beta`` ``[time, states]`` and the sequence's log-probability."""
    steps = log_probs.shape[0]
    states = np.full(2 * len(labels) + 1, blank)
    states[1::2] = labels
    emit = log_probs[:, states]  # [time, states]
    can_stay = np.full(states.size, True) if merge else states == blank
    can_skip = np.zeros(states.size, bool)
    can_skip[2:] = (states[2:] != blank) & ~(merge & (states[2:] == states[:-2]))

    def advance(previous):
        stay = np.where(can_stay, previous, _LOG_ZERO)
        skip = np.where(can_skip, _shifted(previous, 2), _LOG_ZERO)
        return np.logaddexp(np.logaddexp(stay, _shifted(previous, 1)), skip)

    alpha = np.full((steps, states.size), _LOG_ZERO)
    alpha[0, :2] = emit[0, :2]
    for t in range(1, steps):
        alpha[t] = advance(alpha[t - 1]) + emit[t]
    # beta runs the same transitions backwards: reversed states, reversed time.
    beta = np.full((steps, states.size), _LOG_ZERO)
    beta[-1, -2:] = 0.0
    can_stay_r, can_skip_r = can_stay[::-1], np.zeros(states.size, bool)
    can_skip_r[2:] = can_skip[::-1][:-2]
    for t in range(steps - 2, -1, -1):
        after = (beta[t + 1] + emit[t + 1])[::-1]
        stay = np.where(can_stay_r, after, _LOG_ZERO)
        skip = np.where(can_skip_r, _shifted(after, 2), _LOG_ZERO)
        beta[t] = np.logaddexp(np.logaddexp(stay, _shifted(after, 1)), skip)[::-1]
    both = alpha + beta
    with np.errstate(invalid="ignore"):
        log_p = np.logaddexp.reduce(both[0])
    return both, states, log_p


def _sequence_loss(logits, labels, blank, merge):
    """One batch entry's loss and gradient, for its ``[time, classes]`` logits."""
    log_probs = _log_softmax(logits.astype(np.float64))
    softmax = np.exp(log_probs)
    if logits.shape[0] == 0:
        return (0.0 if not labels else np.inf), softmax
    both, states, log_p = _forward_backward(log_probs, labels, blank, merge)
    if log_p == _LOG_ZERO:
        return np.inf, softmax  # no path emits the labels: TF's gradient is the softmax
    posterior = np.zeros_like(softmax)
    for state in np.unique(states):
        posterior[:, state] = np.exp(np.logaddexp.reduce(both[:, states == state], axis=1) - log_p)
    return -log_p, softmax - posterior


@register_kernel("CTCLoss")
def ctc_loss(
    inputs,
    labels_indices,
    labels_values,
    sequence_length,
    *,
    preprocess_collapse_repeated,
    ctc_merge_repeated,
    ignore_longer_outputs_than_inputs,
    T,
):
    if inputs.ndim != 3:
        _fail(f"inputs is not a 3-Tensor: shape {list(inputs.shape)}")
    max_time, batch, num_classes = inputs.shape
    _check_lengths(sequence_length, max_time, batch)
    rows = _label_rows(labels_indices, labels_values, batch, num_classes)
    loss = np.zeros(batch, inputs.dtype)
    gradient = np.zeros_like(inputs)
    for b, labels in enumerate(rows):
        labels = _collapsed(labels) if preprocess_collapse_repeated else labels
        steps = int(sequence_length[b])
        if len(labels) > steps:
            if ignore_longer_outputs_than_inputs:
                continue
            _fail(
                f"Not enough time for target transition sequence (required: {len(labels)}, "
                f"available: {steps})"
            )
        loss[b], gradient[:steps, b] = _sequence_loss(
            inputs[:steps, b], labels, num_classes - 1, ctc_merge_repeated
        )
    return loss, gradient


@register_kernel("PreventGradient")
def prevent_gradient(input, **attrs):
    return (input,)


# -- decoders -------------------------------------------------------------------------------


def _sparse(paths: list, batch: int) -> tuple:
    """One decoded path per batch entry as a SparseTensor's three arrays."""
    indices = [[b, i] for b, path in enumerate(paths) for i in range(len(path))]
    values = [label for path in paths for label in path]
    width = max((len(path) for path in paths), default=0)
    return (
        np.array(indices, np.int64).reshape(-1, 2),
        np.array(values, np.int64),
        np.array([batch, width], np.int64),
    )


@register_kernel("CTCGreedyDecoder")
def ctc_greedy_decoder(inputs, sequence_length, *, merge_repeated, blank_index, T):
    max_time, batch, num_classes = inputs.shape
    _check_lengths(sequence_length, max_time, batch)
    blank = blank_index + num_classes if blank_index < 0 else blank_index
    if not 0 <= blank < num_classes:
        _fail(
            f"blank_index expected to be between {-num_classes} and {num_classes - 1} "
            f"but was {blank_index}"
        )
    best = inputs.argmax(axis=2)  # the first maximum, as TF
    log_probability = np.zeros((batch, 1), inputs.dtype)
    paths = []
    for b in range(batch):
        steps = int(sequence_length[b])
        classes = best[:steps, b]
        log_probability[b, 0] = -inputs[np.arange(steps), b, classes].sum()
        path, previous = [], -1
        for label in classes:
            if label != blank and not (merge_repeated and label == previous):
                path.append(int(label))
            previous = label
        paths.append(path)
    return (*_sparse(paths, batch), log_probability)


class _Entry:
    """A node of the beam's prefix tree: a label sequence and its probabilities."""

    __slots__ = ("children", "label", "new", "old", "parent")

    def __init__(self, parent, label):
        self.parent, self.label, self.children = parent, label, None
        self.old = [_LOG_ZERO] * 3  # (blank, label, total) at the step before
        self.new = [_LOG_ZERO] * 3  # ... and at this step

    def reset(self):
        self.new = [_LOG_ZERO] * 3

    @property
    def active(self) -> bool:
        return self.new[2] > _LOG_ZERO

    def labels(self, merge_repeated: bool) -> list:
        out, previous, entry = [], -1, self
        while entry.parent is not None:
            if not merge_repeated or entry.label != previous:
                out.append(entry.label)
            previous, entry = entry.label, entry.parent
        return out[::-1]


def _beam_step(leaves: list, scores: np.ndarray, blank: int, beam_width: int) -> list:
    """One step of TF's beam search: the entries in the beam, best first."""
    branches = sorted(leaves, key=lambda entry: -entry.new[2])
    for entry in branches:
        entry.old = list(entry.new)
    beam = []
    for entry in branches:
        new = entry.new
        if entry.parent is not None:
            if entry.parent.active:
                parent_old = entry.parent.old
                previous = parent_old[0] if entry.label == entry.parent.label else parent_old[2]
                new[1] = np.logaddexp(new[1], previous)
            new[1] += scores[entry.label]
        new[0] = entry.old[2] + scores[blank]
        new[2] = np.logaddexp(new[0], new[1])
        beam.append(entry)

    def is_candidate(total) -> bool:
        return total > _LOG_ZERO and (len(beam) < beam_width or total > min(e.new[2] for e in beam))

    for entry in branches:
        if not is_candidate(entry.old[2]):
            continue
        if entry.children is None:
            entry.children = [_Entry(entry, label) for label in range(blank)]
        for child in entry.children:
            if child.active:
                continue
            previous = entry.old[0] if child.label == entry.label else entry.old[2]
            label = scores[child.label] + previous
            child.new = [_LOG_ZERO, label, label]
            if is_candidate(label):
                if len(beam) == beam_width:
                    bottom = min(beam, key=lambda e: e.new[2])
                    beam.remove(bottom)
                    bottom.reset()
                beam.append(child)
            else:
                child.old = [_LOG_ZERO] * 3
                child.reset()
    return beam


@register_kernel("CTCBeamSearchDecoder")
def ctc_beam_search_decoder(inputs, sequence_length, *, beam_width, top_paths, merge_repeated, T):
    max_time, batch, num_classes = inputs.shape
    _check_lengths(sequence_length, max_time, batch)
    if top_paths > beam_width:
        _fail(f"top_paths must be <= beam_width. top_paths: {top_paths} beam_width: {beam_width}")
    blank = num_classes - 1
    log_probability = np.zeros((batch, top_paths), inputs.dtype)
    paths = [[] for _ in range(top_paths)]
    for b in range(batch):
        root = _Entry(None, -1)
        root.new = [0.0, _LOG_ZERO, 0.0]
        beam = [root]
        for t in range(int(sequence_length[b])):
            scores = _log_softmax(inputs[t, b].astype(np.float64))
            beam = _beam_step(beam, scores, blank, beam_width)
        if top_paths > len(beam):
            _fail("Less leaves in the beam search than requested.")
        best = sorted(beam, key=lambda entry: -entry.new[2])[:top_paths]
        for i, entry in enumerate(best):
            paths[i].append(entry.labels(merge_repeated))
            log_probability[b, i] = entry.new[2]
    decoded = [_sparse(path, batch) for path in paths]
    return (
        *(d[0] for d in decoded),
        *(d[1] for d in decoded),
        *(d[2] for d in decoded),
        log_probability,
    )
