"""Running a cell over a sequence: ``dynamic_rnn``, ``static_rnn``, ``raw_rnn`` and the
bidirectional ones, as TF1 builds them.

``dynamic_rnn`` builds one ``while_loop`` over time: the inputs are unstacked into a
``TensorArray`` (``rnn/TensorArray_1``), the body reads step ``t``, calls the cell and
writes the output to another array, which is stacked after the loop; so the graph
has the same size for any sequence length. ``static_rnn`` unrolls the cell once per
input tensor. With ``sequence_length``, a batch entry past its length gets zero
outputs and keeps its last state (``where`` on ``time >= sequence_length``), and
the loop stops after the longest sequence.

Names are TF's: the scope is ``rnn`` (``bidirectional_rnn/fw``, ``bidirectional_rnn/bw``
for the two directions), so cells' weights are ``rnn/basic_lstm_cell/kernel`` and so
on, and op names follow TF's (``rnn/while/...``, ``rnn/TensorArrayStack/...``).
"""

from __future__ import annotations

import types

from .. import dtypes, nest
from ..graph import Tensor, get_default_graph
from ..shapes import TensorShape, as_shape
from . import array_ops, math_ops, rnn_cell_impl
from .constant_value import constant_value
from .control_flow_ops import cond as cond_v2
from .control_flow_ops import while_loop
from .core import convert_to_tensor
from .logging_ops import Assert
from .rnn_cell_impl import assert_like_rnncell, concat_sizes
from .tensor_array_ops import TensorArray
from .variable_scope import get_variable_scope, variable_scope

__all__: list[str] = []  # TF1's tf.nn only (TF2 has Keras's RNN layers): V1_OVERRIDES

rnn_cell = types.ModuleType("runtime.nn.rnn_cell", "``tf.nn.rnn_cell``: TF1's recurrent cells.")
rnn_cell.__dict__.update({name: getattr(rnn_cell_impl, name) for name in rnn_cell_impl.__all__})


def _transpose_batch_time(x: Tensor) -> Tensor:
    """``[batch, time, ...]`` <-> ``[time, batch, ...]`` (TF's ``_transpose_batch_time``)."""
    static = x.shape
    if static.rank is not None and static.rank < 2:
        return x
    rank = array_ops.rank(x)
    perm = array_ops.concat(([1, 0], math_ops.range(2, rank)), axis=0)
    swapped = array_ops.transpose(x, perm)
    if static.rank is not None:
        dims = static.as_list()
        swapped.set_shape([dims[1], dims[0], *dims[2:]])
    return swapped


def _best_effort_batch_size(flat_input) -> int | Tensor:
    """The batch size (dimension 1 of time-major inputs): static if any input knows it."""
    for value in flat_input:
        shape = value.shape
        if shape.rank is None:
            continue
        if shape.rank < 2:
            raise ValueError(f"Input tensor should have rank >= 2, got rank {shape.rank}")
        if shape.dim_value(1) is not None:
            return shape.dim_value(1)
    return array_ops.shape(flat_input[0])[1]


def _infer_state_dtype(explicit, state):
    if explicit is not None:
        return dtypes.as_dtype(explicit)
    found = [s.dtype for s in nest.flatten(state)]
    if not found:
        raise ValueError(f"Unable to infer dtype from argument state={state}.")
    if any(d != found[0] for d in found):
        raise ValueError(
            f"State has tensors of different inferred dtypes. Unable to infer a single "
            f"representative dtype. Dtypes received: {found}"
        )
    return found[0]


def _static_shape_of(size) -> TensorShape:
    if isinstance(size, Tensor):
        value = constant_value(size)
        return TensorShape(None) if value is None else as_shape(value.tolist())
    return as_shape(size)


def _initial_state(cell, initial_state, batch_size, dtype):
    if initial_state is not None:
        return initial_state
    if not dtype:
        raise ValueError("If there is no initial_state, you must give a dtype.")
    if getattr(cell, "get_initial_state", None) is not None:
        return cell.get_initial_state(inputs=None, batch_size=batch_size, dtype=dtype)
    return cell.zero_state(batch_size, dtype)


def _copy_through(finished, old, new):
    """``new``, except ``old`` where ``finished`` (scalars and TensorArrays pass)."""
    if isinstance(old, TensorArray) or old.shape.rank == 0:
        return new
    with get_default_graph().colocate_with(new):
        return math_ops.where_v1(finished, old, new)


def _rnn_step(
    time,
    sequence_length,
    min_sequence_length,
    max_sequence_length,
    zero_output,
    state,
    call_cell,
    skip_conditionals=False,
):
    """One step of an RNN over sequences of ``sequence_length``: TF's ``_rnn_step``.

    Entries past their length get ``zero_output`` and keep ``state``. Unless
    ``skip_conditionals``, ``cond``s skip the cell when every entry is past its
    length and the copying when none is.
    """
    flat_state = nest.flatten(state)
    flat_zero_output = nest.flatten(zero_output)
    copy_cond = time >= sequence_length

    def copy_some_through(new_output, new_state):
        outputs = [_copy_through(copy_cond, z, n) for z, n in zip(flat_zero_output, new_output)]
        states = [_copy_through(copy_cond, s, n) for s, n in zip(flat_state, new_state)]
        return outputs + states

    def called():
        new_output, new_state = call_cell()
        nest.assert_same_structure(zero_output, new_output)
        nest.assert_same_structure(state, new_state)
        return nest.flatten(new_output), nest.flatten(new_state)

    def maybe_copy_some_through():
        new_output, new_state = called()
        return cond_v2(
            time < min_sequence_length,
            lambda: new_output + new_state,
            lambda: copy_some_through(new_output, new_state),
        )

    if skip_conditionals:
        final = copy_some_through(*called())
    else:
        final = cond_v2(
            time >= max_sequence_length,
            lambda: flat_zero_output + flat_state,
            _in_variable_scope_of_caller(maybe_copy_some_through),
        )
    final_output = final[: len(flat_zero_output)]
    final_state = final[len(flat_zero_output) :]
    for output, zero in zip(final_output, flat_zero_output):
        output.set_shape(zero.shape)
    for new, old in zip(final_state, flat_state):
        if not isinstance(new, TensorArray):
            new.set_shape(old.shape)
    return (
        nest.pack_sequence_as(zero_output, final_output),
        nest.pack_sequence_as(state, final_state),
    )


def _check_sequence_length(sequence_length, batch_size):
    sequence_length = math_ops.cast(sequence_length, dtypes.int32)
    if sequence_length.shape.rank not in (None, 1):
        raise ValueError(
            "sequence_length must be a vector of length batch_size, but saw shape: "
            f"{sequence_length.shape}"
        )
    sequence_length = array_ops.identity(sequence_length, name="sequence_length")
    actual = array_ops.shape(sequence_length)
    wanted = array_ops.stack([batch_size])
    check = Assert(
        math_ops.reduce_all(math_ops.equal(actual, wanted)),
        [
            f"Expected shape for Tensor {sequence_length.name} is ",
            wanted,
            " but saw shape: ",
            actual,
        ],
    )
    with get_default_graph().control_dependencies([check]):
        return array_ops.identity(sequence_length, name="CheckSeqLen")


def _in_variable_scope_of_caller(fn):
    """``fn``, called in the variable scope current now. A function body (a functional
    loop's or branch's) starts at the root scope; TF's shares its caller's, so a cell
    first called inside still makes ``rnn/<cell>/kernel``."""
    scope = get_variable_scope()

    def call(*args):
        with variable_scope(scope, auxiliary_name_scope=False):
            return fn(*args)

    return call


def _loop(cond, body, loop_vars, **kwargs):
    """``while_loop`` whose ``cond`` and ``body`` are built in the caller's variable scope
    (a functional loop's bodies would otherwise start at the root scope)."""
    return while_loop(
        _in_variable_scope_of_caller(cond),
        _in_variable_scope_of_caller(body),
        loop_vars,
        **kwargs,
    )


def dynamic_rnn(
    cell,
    inputs,
    sequence_length=None,
    initial_state=None,
    dtype=None,
    parallel_iterations=None,
    swap_memory=False,
    time_major=False,
    scope=None,
):
    """Run ``cell`` over the time steps of ``inputs`` in a ``while_loop``.

    Parameters
    ----------
    cell : RNNCell
    inputs : Tensor or nested structure of tensors
        ``[batch, time, depth]`` (``[time, batch, depth]`` with ``time_major``); the
        depth must be known statically.
    sequence_length : int32 vector, optional
        Each entry's length: past it, outputs are zero and the state is kept.
    initial_state : the cell's state structure, optional
        Default: the cell's zero state (then ``dtype`` is needed).
    dtype : DType, optional
    parallel_iterations : int, optional
        Default 32.
    swap_memory : bool
        Accepted for TF1 code.
    time_major : bool
    scope : str or VariableScope, optional
        Default ``"rnn"``.

    Returns
    -------
    (outputs, state)
        ``outputs`` shaped as ``inputs`` with the cell's output size as depth, and the
        final state.

    Examples
    --------
    >>> import numpy as np
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.constant(np.ones([2, 5, 3], np.float32))
    ...     cell = tf.compat.v1.nn.rnn_cell.BasicLSTMCell(4)
    ...     outputs, state = dynamic_rnn(cell, x, dtype=tf.float32)
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.global_variables_initializer())
    ...         print(sess.run(outputs).shape, state.h.shape)
    (2, 5, 4) (2, 4)
    >>> [v.name for v in cell.variables]
    ['rnn/basic_lstm_cell/kernel:0', 'rnn/basic_lstm_cell/bias:0']
    """
    assert_like_rnncell("cell", cell)
    with variable_scope(scope or "rnn"):
        flat_input = [convert_to_tensor(x) for x in nest.flatten(inputs)]
        if not time_major:
            flat_input = [_transpose_batch_time(x) for x in flat_input]
        parallel_iterations = parallel_iterations or 32
        batch_size = _best_effort_batch_size(flat_input)
        state = _initial_state(cell, initial_state, batch_size, dtype)
        if sequence_length is not None:
            sequence_length = _check_sequence_length(sequence_length, batch_size)
        inputs = nest.pack_sequence_as(inputs, flat_input)
        outputs, final_state = _dynamic_rnn_loop(
            cell, inputs, state, parallel_iterations, swap_memory, sequence_length, dtype
        )
        if not time_major:
            outputs = nest.map_structure(_transpose_batch_time, outputs)
        return outputs, final_state


def _dynamic_rnn_loop(
    cell, inputs, state, parallel_iterations, swap_memory, sequence_length, dtype
):
    flat_input = nest.flatten(inputs)
    flat_output_size = nest.flatten(cell.output_size)
    time_steps = array_ops.shape(flat_input[0])[0]
    batch_size = _best_effort_batch_size(flat_input)
    shapes = [x.shape.with_rank_at_least(3) for x in flat_input]
    const_time_steps, const_batch_size = shapes[0].as_list()[:2]
    for shape in shapes:
        if not TensorShape(shape.as_list()[2:]).is_fully_defined():
            raise ValueError(
                "Input size (depth of inputs) must be accessible via shape inference, but "
                "saw value None."
            )
        if shape.dim_value(0) != const_time_steps:
            raise ValueError(
                "Time steps is not the same for all the elements in the input in a batch."
            )
        if shape.dim_value(1) != const_batch_size:
            raise ValueError("Batch_size is not the same for all the elements in the input.")
    state_dtype = _infer_state_dtype(dtype, state)
    zero_output = nest.pack_sequence_as(
        cell.output_size,
        [array_ops.zeros(concat_sizes(batch_size, size), state_dtype) for size in flat_output_size],
    )
    if sequence_length is not None:
        min_sequence_length = math_ops.reduce_min(sequence_length)
        max_sequence_length = math_ops.reduce_max(sequence_length)
    else:
        max_sequence_length = time_steps
    time = convert_to_tensor(0, dtype=dtypes.int32, name="time")
    base_name = get_default_graph().unique_name("dynamic_rnn") + "/"

    def create_array(name, element_shape, dtype):
        return TensorArray(
            dtype=dtype,
            size=time_steps,
            element_shape=element_shape,
            tensor_array_name=base_name + name,
        )

    output_ta = tuple(
        create_array(
            f"output_{i}",
            TensorShape([const_batch_size]).concatenate(_static_shape_of(size)),
            state_dtype,
        )
        for i, size in enumerate(flat_output_size)
    )
    input_ta = tuple(
        create_array(f"input_{i}", x.shape.as_list()[1:], x.dtype) for i, x in enumerate(flat_input)
    )
    input_ta = tuple(ta.unstack(x) for ta, x in zip(input_ta, flat_input))

    def time_step(time, output_ta_t, state):
        input_t = tuple(ta.read(time) for ta in input_ta)
        for value, shape in zip(input_t, shapes):
            value.set_shape(shape.as_list()[1:])
        input_t = nest.pack_sequence_as(inputs, input_t)

        def call_cell():
            return cell(input_t, state)

        if sequence_length is not None:
            output, new_state = _rnn_step(
                time,
                sequence_length,
                min_sequence_length,
                max_sequence_length,
                zero_output,
                state,
                call_cell,
                skip_conditionals=True,
            )
        else:
            output, new_state = call_cell()
        output_ta_t = tuple(
            ta.write(time, out) for ta, out in zip(output_ta_t, nest.flatten(output))
        )
        return time + 1, output_ta_t, new_state

    # At least one step, so that the arrays learn the element shapes.
    loop_bound = math_ops.minimum(time_steps, math_ops.maximum(1, max_sequence_length))
    _, output_final_ta, final_state = _loop(
        lambda time, *_: time < loop_bound,
        time_step,
        (time, output_ta, state),
        parallel_iterations=parallel_iterations,
        maximum_iterations=time_steps,
        swap_memory=swap_memory,
    )
    final_outputs = tuple(ta.stack() for ta in output_final_ta)
    for output, size in zip(final_outputs, flat_output_size):
        static = TensorShape([const_time_steps, const_batch_size]).concatenate(
            _static_shape_of(size)
        )
        output.set_shape(static)
    return nest.pack_sequence_as(cell.output_size, final_outputs), final_state


def static_rnn(cell, inputs, initial_state=None, dtype=None, sequence_length=None, scope=None):
    """Run ``cell`` once per tensor of ``inputs`` (a list over time), unrolled.

    Parameters
    ----------
    cell : RNNCell
    inputs : list of Tensor
        One ``[batch, depth]`` tensor (or structure of them) per time step.
    initial_state, dtype, sequence_length, scope
        As for :func:`dynamic_rnn`; with ``sequence_length`` each step is a ``cond``.

    Returns
    -------
    (outputs, state)
        A list of outputs, one per step, and the final state.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     steps = [tf.ones([2, 3]) for _ in range(4)]
    ...     cell = tf.compat.v1.nn.rnn_cell.GRUCell(5)
    ...     outputs, state = static_rnn(cell, steps, dtype=tf.float32)
    >>> len(outputs), outputs[-1].shape, outputs[1].op.name
    (4, TensorShape([Dimension(2), Dimension(5)]), 'rnn/gru_cell/add_1')
    """
    assert_like_rnncell("cell", cell)
    if not nest.is_nested(inputs):
        raise TypeError("inputs must be a sequence")
    if not inputs:
        raise ValueError("inputs must not be empty")
    outputs = []
    with variable_scope(scope or "rnn") as varscope:
        first = inputs
        while nest.is_nested(first):
            first = first[0]
        if first.shape.rank != 1:
            fixed_batch_size = first.shape.with_rank_at_least(2).dim_value(0)
            for value in nest.flatten(inputs):
                shape = value.shape.with_rank_at_least(2)
                size = shape.dim_value(0)
                if fixed_batch_size is not None and size not in (None, fixed_batch_size):
                    raise ValueError(f"Dimensions {fixed_batch_size} and {size} are not compatible")
                for i, size in enumerate(shape.as_list()[1:]):
                    if size is None:
                        raise ValueError(
                            f"Input size (dimension {i} of input {value}) must be accessible "
                            "via shape inference, but saw value None."
                        )
        else:
            fixed_batch_size = first.shape.with_rank_at_least(1).dim_value(0)
        batch_size = fixed_batch_size or array_ops.shape(first)[0]
        state = _initial_state(cell, initial_state, batch_size, dtype)
        if sequence_length is not None:
            sequence_length = convert_to_tensor(sequence_length, name="sequence_length")
            if sequence_length.shape.rank not in (None, 1):
                raise ValueError("sequence_length must be a vector of length batch_size")
            state_dtype = _infer_state_dtype(dtype, state)

            def zero_output(size):
                output = array_ops.zeros(concat_sizes(batch_size, size), state_dtype)
                static = concat_sizes(fixed_batch_size, size, static=True)
                if static is not None:
                    output.set_shape(static)
                return output

            zero = nest.map_structure(zero_output, cell.output_size)
            sequence_length = math_ops.cast(sequence_length, dtypes.int32)
            min_sequence_length = math_ops.reduce_min(sequence_length)
            max_sequence_length = math_ops.reduce_max(sequence_length)
        for time, value in enumerate(inputs):
            if time > 0:
                varscope.reuse_variables()

            def call_cell(value=value, state=state):
                return cell(value, state)

            if sequence_length is not None:
                output, state = _rnn_step(
                    time,
                    sequence_length,
                    min_sequence_length,
                    max_sequence_length,
                    zero,
                    state,
                    call_cell,
                )
            else:
                output, state = call_cell()
            outputs.append(output)
        return outputs, state


def static_state_saving_rnn(
    cell, inputs, state_saver, state_name, sequence_length=None, scope=None
):
    """:func:`static_rnn` starting from, and saving its final state to, a state saver.

    Parameters
    ----------
    cell : RNNCell
    inputs : list of Tensor
        One ``[batch, depth]`` tensor per time step.
    state_saver : object
        Has ``state(name)``, the tensor a state starts from, and ``save_state(name,
        value)``, an op saving it (TF's ``NextQueuedSequenceBatch`` is one).
    state_name : str or structure of str
        The saver's name of the state: a structure like ``cell.state_size`` when the
        state is a tuple.
    sequence_length, scope
        As for :func:`static_rnn`.

    Returns
    -------
    (outputs, state)
        As :func:`static_rnn`'s; the last output and the state are read only after every
        ``save_state`` op has run.

    Examples
    --------
    >>> import runtime as tf
    >>> class Saver:
    ...     def __init__(self):
    ...         self.saved = {}
    ...     def state(self, name):
    ...         return tf.ones([1, 2])
    ...     def save_state(self, name, value):
    ...         self.saved[name] = value
    ...         return tf.no_op()
    >>> saver = Saver()
    >>> with tf.Graph().as_default():
    ...     cell = tf.compat.v1.nn.rnn_cell.BasicRNNCell(2)
    ...     outputs, state = static_state_saving_rnn(cell, [tf.zeros([1, 3])], saver, "h")
    >>> sorted(saver.saved), state.op.type, [op.type for op in state.op.control_inputs]
    (['h'], 'Identity', ['NoOp'])
    """
    state_is_tuple = nest.is_nested(cell.state_size)
    if state_is_tuple != nest.is_nested(state_name):
        raise ValueError(
            "state_name should be the same type as cell.state_size.  "
            f"state_name: {state_name}, cell.state_size: {cell.state_size}"
        )
    names = nest.flatten(state_name)
    if state_is_tuple:
        sizes = nest.flatten(cell.state_size)
        if len(names) != len(sizes):
            raise ValueError(
                f"#elems(state_name) != #elems(state_size): {len(names)} vs. {len(sizes)}"
            )
        initial_state = nest.pack_sequence_as(
            cell.state_size, [state_saver.state(name) for name in names]
        )
    else:
        initial_state = state_saver.state(state_name)
    outputs, state = static_rnn(
        cell, inputs, initial_state=initial_state, sequence_length=sequence_length, scope=scope
    )
    flat_state = nest.flatten(state)
    saves = [state_saver.save_state(name, value) for name, value in zip(names, flat_state)]
    with get_default_graph().control_dependencies(saves):
        last = outputs[-1]
        outputs[-1] = nest.map_structure(array_ops.identity, last)
        state = nest.pack_sequence_as(state, [array_ops.identity(s) for s in flat_state])
    return outputs, state


def _reverse(value, lengths, seq_axis, batch_axis):
    """``value`` reversed in time: whole, or per batch entry within its length."""
    if lengths is None:
        return array_ops.reverse(value, axis=[seq_axis])
    if (seq_axis, batch_axis) == (0, 1):
        batch_major = _transpose_batch_time(value)
        return _transpose_batch_time(_reverse(batch_major, lengths, 1, 0))
    # TF's reverse_sequence, for [batch, time, ...]: step t of entry b reads step
    # length_b - 1 - t while t < length_b, else itself.
    with get_default_graph().name_scope("ReverseSequence"):
        lengths = math_ops.cast(lengths, dtypes.int32)[:, None]
        steps = math_ops.range(array_ops.shape(value)[1])[None, :]
        source = math_ops.where(steps < lengths, lengths - 1 - steps, steps + 0 * lengths)
        entries = math_ops.range(array_ops.shape(value)[0])[:, None] + 0 * steps
        reversed_ = array_ops.gather_nd(value, array_ops.stack([entries, source], axis=-1))
        reversed_.set_shape(value.shape)
        return reversed_


def bidirectional_dynamic_rnn(
    cell_fw,
    cell_bw,
    inputs,
    sequence_length=None,
    initial_state_fw=None,
    initial_state_bw=None,
    dtype=None,
    parallel_iterations=None,
    swap_memory=False,
    time_major=False,
    scope=None,
):
    """``dynamic_rnn`` forwards (scope ``fw``) and over the reversed inputs (``bw``).

    Returns
    -------
    ((output_fw, output_bw), (state_fw, state_bw))
        ``output_bw`` is reversed back, so both are aligned with ``inputs``; with
        ``sequence_length`` only each entry's valid steps are reversed.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.ones([2, 4, 3])
    ...     cells = [tf.compat.v1.nn.rnn_cell.BasicRNNCell(n) for n in (5, 6)]
    ...     (fw, bw), _ = bidirectional_dynamic_rnn(*cells, x, dtype=tf.float32)
    ...     names = [v.name for v in tf.compat.v1.global_variables()]
    >>> fw.shape, bw.shape, names[0], names[2]
    (TensorShape([Dimension(2), Dimension(4), Dimension(5)]), TensorShape([Dimension(2), Dimension(4), Dimension(6)]), 'bidirectional_rnn/fw/basic_rnn_cell/kernel:0', 'bidirectional_rnn/bw/basic_rnn_cell/kernel:0')
    """
    assert_like_rnncell("cell_fw", cell_fw)
    assert_like_rnncell("cell_bw", cell_bw)
    time_axis, batch_axis = (0, 1) if time_major else (1, 0)
    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            output_fw, state_fw = dynamic_rnn(
                cell_fw,
                inputs,
                sequence_length,
                initial_state_fw,
                dtype,
                parallel_iterations,
                swap_memory,
                time_major,
                scope=fw_scope,
            )
        with variable_scope("bw") as bw_scope:
            reversed_inputs = nest.map_structure(
                lambda x: _reverse(x, sequence_length, time_axis, batch_axis), inputs
            )
            reversed_output, state_bw = dynamic_rnn(
                cell_bw,
                reversed_inputs,
                sequence_length,
                initial_state_bw,
                dtype,
                parallel_iterations,
                swap_memory,
                time_major,
                scope=bw_scope,
            )
    output_bw = nest.map_structure(
        lambda x: _reverse(x, sequence_length, time_axis, batch_axis), reversed_output
    )
    return (output_fw, output_bw), (state_fw, state_bw)


def _reverse_steps(steps, lengths):
    """The list ``steps`` reversed in time (per entry, within ``lengths``)."""
    if lengths is None:
        return list(reversed(steps))
    flat_steps = [nest.flatten(step) for step in steps]
    results = [[] for _ in steps]
    for sequence in zip(*flat_steps):
        shape = TensorShape(
            None if sequence[0].shape.rank is None else [None] * sequence[0].shape.rank
        )
        for value in sequence:
            shape = shape.merge_with(value.shape)
        joined = array_ops.stack(list(sequence))
        reversed_ = _reverse(joined, lengths, seq_axis=0, batch_axis=1)
        for result, value in zip(results, array_ops.unstack(reversed_)):
            value.set_shape(shape)
            result.append(value)
    return [nest.pack_sequence_as(step, result) for step, result in zip(steps, results)]


def static_bidirectional_rnn(
    cell_fw,
    cell_bw,
    inputs,
    initial_state_fw=None,
    initial_state_bw=None,
    dtype=None,
    sequence_length=None,
    scope=None,
):
    """``static_rnn`` forwards and backwards; each step's outputs concatenated.

    Returns
    -------
    (outputs, state_fw, state_bw)
        ``outputs[t]`` is ``[fw_t, bw_t]`` concatenated along the depth.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     steps = [tf.ones([2, 3]) for _ in range(3)]
    ...     cells = [tf.compat.v1.nn.rnn_cell.BasicRNNCell(n) for n in (4, 5)]
    ...     outputs, _, _ = static_bidirectional_rnn(*cells, steps, dtype=tf.float32)
    >>> len(outputs), outputs[0].shape
    (3, TensorShape([Dimension(2), Dimension(9)]))
    """
    assert_like_rnncell("cell_fw", cell_fw)
    assert_like_rnncell("cell_bw", cell_bw)
    if not nest.is_nested(inputs):
        raise TypeError("inputs must be a sequence")
    if not inputs:
        raise ValueError("inputs must not be empty")
    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            output_fw, state_fw = static_rnn(
                cell_fw, inputs, initial_state_fw, dtype, sequence_length, scope=fw_scope
            )
        with variable_scope("bw") as bw_scope:
            reversed_inputs = _reverse_steps(inputs, sequence_length)
            reversed_output, state_bw = static_rnn(
                cell_bw, reversed_inputs, initial_state_bw, dtype, sequence_length, scope=bw_scope
            )
    output_bw = _reverse_steps(reversed_output, sequence_length)
    outputs = [
        nest.pack_sequence_as(
            fw, [array_ops.concat([a, b], 1) for a, b in zip(nest.flatten(fw), nest.flatten(bw))]
        )
        for fw, bw in zip(output_fw, output_bw)
    ]
    return outputs, state_fw, state_bw


def raw_rnn(cell, loop_fn, parallel_iterations=None, swap_memory=False, scope=None):
    """An RNN whose inputs, stopping and emitted values come from ``loop_fn``.

    ``loop_fn(time, cell_output, cell_state, loop_state)`` returns
    ``(finished, next_input, next_cell_state, emit_output, next_loop_state)``; it is
    called once before the loop (``cell_output`` ``None``: return the initial state and,
    as ``emit_output``, the structure to emit, or ``None`` for the cell's output) and
    after every step. The loop runs until every entry of ``finished`` is true; an
    entry that finished emits zeros and keeps its state.

    Returns
    -------
    (emit_ta, final_state, final_loop_state)
        ``emit_ta``: TensorArrays (in the emit structure) of the values emitted per step.

    Examples
    --------
    >>> import numpy as np
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     inputs = tf.TensorArray(tf.float32, 3).unstack(np.ones([3, 2, 4], np.float32))
    ...     cell = tf.compat.v1.nn.rnn_cell.BasicRNNCell(5)
    ...     def loop_fn(time, cell_output, cell_state, loop_state):
    ...         state = cell.zero_state(2, tf.float32) if cell_output is None else cell_state
    ...         finished = tf.fill([2], time >= 3)
    ...         step = tf.cond(time >= 3, lambda: tf.zeros([2, 4]), lambda: inputs.read(time))
    ...         return finished, step, state, cell_output, None
    ...     emit_ta, state, _ = raw_rnn(cell, loop_fn)
    ...     outputs = emit_ta.stack()
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(tf.compat.v1.global_variables_initializer())
    ...         print(sess.run(outputs).shape)
    (3, 2, 5)
    """
    assert_like_rnncell("cell", cell)
    if not callable(loop_fn):
        raise TypeError(f"Argument `loop_fn` must be a callable. Received: {loop_fn}.")
    parallel_iterations = parallel_iterations or 32
    with variable_scope(scope or "rnn"):
        time = convert_to_tensor(0, dtype=dtypes.int32)
        finished, next_input, initial_state, emit_structure, loop_state = loop_fn(
            time=time, cell_output=None, cell_state=None, loop_state=None
        )
        flat_input = nest.flatten(next_input)
        keep_loop_state = loop_state is not None
        if not keep_loop_state:
            loop_state = convert_to_tensor(0, dtype=dtypes.int32)
        const_batch_size = flat_input[0].shape.with_rank_at_least(1).dim_value(0)
        for value in flat_input[1:]:
            other = value.shape.with_rank_at_least(1).dim_value(0)
            if None not in (const_batch_size, other) and other != const_batch_size:
                raise ValueError(f"Dimensions {const_batch_size} and {other} are not compatible")
        batch_size = const_batch_size or array_ops.shape(flat_input[0])[0]
        nest.assert_same_structure(initial_state, cell.state_size)
        state = nest.map_structure(convert_to_tensor, initial_state)
        if emit_structure is not None:
            flat_emit = nest.flatten(emit_structure)
            emit_sizes = [
                e.shape if e.shape.is_fully_defined() else array_ops.shape(e) for e in flat_emit
            ]
            emit_dtypes = [e.dtype for e in flat_emit]
        else:
            emit_structure = cell.output_size
            emit_sizes = nest.flatten(emit_structure)
            emit_dtypes = [nest.flatten(state)[0].dtype] * len(emit_sizes)
        emit_ta = nest.pack_sequence_as(
            emit_structure,
            [
                TensorArray(
                    dtype=dtype,
                    dynamic_size=True,
                    element_shape=TensorShape([const_batch_size]).concatenate(
                        _static_shape_of(size)
                    ),
                    size=0,
                    name=f"rnn_output_{i}",
                )
                for i, (dtype, size) in enumerate(zip(emit_dtypes, emit_sizes))
            ],
        )
        zero_emit = nest.pack_sequence_as(
            emit_structure,
            [
                array_ops.zeros(concat_sizes(batch_size, size), dtype)
                for size, dtype in zip(emit_sizes, emit_dtypes)
            ],
        )

        def condition(unused_time, finished, *_):
            return math_ops.logical_not(math_ops.reduce_all(finished))

        def body(time, finished, current_input, emit_ta, state, loop_state):
            next_output, cell_state = cell(current_input, state)
            nest.assert_same_structure(state, cell_state)
            nest.assert_same_structure(cell.output_size, next_output)
            next_time = time + 1
            next_finished, next_input, next_state, emit_output, next_loop_state = loop_fn(
                next_time, next_output, cell_state, loop_state
            )
            nest.assert_same_structure(state, next_state)
            nest.assert_same_structure(current_input, next_input)
            nest.assert_same_structure(emit_ta, emit_output)
            loop_state = loop_state if next_loop_state is None else next_loop_state
            emit_output = nest.map_structure(
                lambda old, new: _copy_through(finished, old, new), zero_emit, emit_output
            )
            next_state = nest.map_structure(
                lambda old, new: _copy_through(finished, old, new), state, next_state
            )
            emit_ta = nest.map_structure(
                lambda ta, emit: ta.write(time, emit), emit_ta, emit_output
            )
            finished = math_ops.logical_or(finished, next_finished)
            return next_time, finished, next_input, emit_ta, next_state, loop_state

        returned = _loop(
            condition,
            body,
            [time, finished, next_input, emit_ta, state, loop_state],
            parallel_iterations=parallel_iterations,
            swap_memory=swap_memory,
        )
        emit_ta, final_state, final_loop_state = returned[-3:]
        return emit_ta, final_state, final_loop_state if keep_loop_state else None


V1_OVERRIDES = {
    "bidirectional_dynamic_rnn": bidirectional_dynamic_rnn,
    "dynamic_rnn": dynamic_rnn,
    "raw_rnn": raw_rnn,
    "rnn_cell": rnn_cell,
    "static_bidirectional_rnn": static_bidirectional_rnn,
    "static_rnn": static_rnn,
    "static_state_saving_rnn": static_state_saving_rnn,
}
