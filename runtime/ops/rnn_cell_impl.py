"""``tf.nn.rnn_cell``: TF1's recurrent cells, one time step each.

A cell maps ``(inputs, state)`` to ``(output, new_state)`` and says the sizes of both
(``output_size``, ``state_size``: an int, a ``TensorShape`` or a nested structure of
them). Users subclass :class:`RNNCell` and define ``state_size``, ``output_size`` and
``call`` (and ``build`` for weights, made with :meth:`RNNCell.add_variable`).

Variables and scopes, as TF's
    On its first call a cell captures a variable scope: the ``scope`` argument, else
    ``<current scope>/<name>`` with ``name`` the snake-cased class name made unique
    (``rnn/basic_lstm_cell``, ``rnn/basic_lstm_cell_1``). Its weights are made in
    that scope by :meth:`RNNCell.build` on the first call (``kernel``, ``bias``,
    ``projection/kernel`` ...), so checkpoints and ``get_variable`` lookups by TF's
    names work. Every call puts its ops in the name scope the first call opened, and
    reuses the weights. Weights are made outside any loop or function body, as TF's
    ``init_scope`` makes them: a cell first called inside ``dynamic_rnn``'s loop
    still has plain variables, initialised once.
Wrappers
    ``DropoutWrapper``, ``ResidualWrapper`` and ``DeviceWrapper`` change how their cell
    is called but add no scope: a wrapped cell's weights keep the cell's names.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import numbers
import re

from .. import dtypes, nest
from ..graph import Tensor, get_default_graph
from ..shapes import as_shape
from . import array_ops, init_ops, math_ops, nn_ops, random_ops
from .constant_value import constant_value
from .core import convert_to_tensor
from .variable_scope import get_variable, get_variable_scope, variable_scope
from .variables import init_scope

__all__ = [
    "BasicLSTMCell",
    "BasicRNNCell",
    "DeviceWrapper",
    "DropoutWrapper",
    "GRUCell",
    "LSTMCell",
    "LSTMStateTuple",
    "MultiRNNCell",
    "RNNCell",
    "ResidualWrapper",
]

_WEIGHTS = "kernel"
_BIAS = "bias"


class LSTMStateTuple(collections.namedtuple("LSTMStateTuple", ("c", "h"))):
    """The state of an LSTM: the cell state ``c`` and the output ``h``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     state = LSTMStateTuple(tf.zeros([2, 3]), tf.ones([2, 3]))
    >>> state.dtype, state.h.shape
    (tf.float32, TensorShape([Dimension(2), Dimension(3)]))
    """

    __slots__ = ()

    @property
    def dtype(self):
        c, h = self
        if c.dtype != h.dtype:
            raise TypeError(f"Inconsistent internal state: {c.dtype} vs {h.dtype}")
        return c.dtype


def _snake_case(name: str) -> str:
    """TF's layer name for a class name: ``BasicLSTMCell`` -> ``basic_lstm_cell``.

    Examples
    --------
    >>> _snake_case("BasicLSTMCell"), _snake_case("GRUCell"), _snake_case("_Mine")
    ('basic_lstm_cell', 'gru_cell', 'private__mine')
    """
    words = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    snake = re.sub("([a-z])([A-Z])", r"\1_\2", words).lower()
    return snake if snake[0] != "_" else "private" + snake


def _root_graph(graph):
    while graph.outer_graph is not None:
        graph = graph.outer_graph
    return graph


@contextlib.contextmanager
def _outside_loops(scope, reuse):
    """Build in ``scope`` outside any loop or cond: in the graph around every function
    body (a functional loop's), out of any TF1 loop or cond context, with no control
    dependencies. Weights are made there, once, as TF's ``init_scope`` makes them."""
    root = _root_graph(get_default_graph())
    with root.as_default(), init_scope(root):
        with variable_scope(scope, reuse=reuse, auxiliary_name_scope=False):
            yield


def assert_like_rnncell(cell_name: str, cell) -> None:
    """``TypeError`` unless ``cell`` has what an RNN cell needs (TF's message).

    Examples
    --------
    >>> assert_like_rnncell("cell", object())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: The argument 'cell' (<object object at ...>) is not an RNNCell: 'output_size' property is missing, 'state_size' property is missing, either 'zero_state' or 'get_initial_state' method is required, is not callable.
    """
    checks = {
        "'output_size' property is missing": hasattr(cell, "output_size"),
        "'state_size' property is missing": hasattr(cell, "state_size"),
        "either 'zero_state' or 'get_initial_state' method is required": (
            hasattr(cell, "get_initial_state") or hasattr(cell, "zero_state")
        ),
        "is not callable": callable(cell),
    }
    missing = [text for text, ok in checks.items() if not ok]
    if missing:
        raise TypeError(
            f"The argument {cell_name!r} ({cell}) is not an RNNCell: {', '.join(missing)}."
        )


def concat_sizes(prefix, suffix, static: bool = False):
    """A shape ``prefix + suffix``: a tensor, or with ``static`` a list (``None`` dims).

    ``prefix`` and ``suffix`` are ints, shapes or scalar/vector int32 tensors, as
    ``zero_state`` and ``dynamic_rnn`` combine a batch size and a cell size.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(concat_sizes(4, [3], static=True), tf.get_static_value(concat_sizes(4, 3)))
    [4, 3] [4 3]
    """
    parts, known = [], []
    for part in (prefix, suffix):
        if isinstance(part, Tensor):
            value = constant_value(part)
            if part.shape.rank == 0:
                known.append([None if value is None else int(value)])
                part = array_ops.expand_dims(part, 0)
            elif part.shape.rank == 1:
                known.append(None if value is None else [int(v) for v in value])
            else:
                raise ValueError(
                    f"Prefix or suffix tensor must be either a scalar or vector, but saw "
                    f"tensor: {part}"
                )
            parts.append(part)
        else:
            shape = as_shape(part)
            known.append(shape.as_list() if shape.rank is not None else None)
            fully = shape.is_fully_defined()
            parts.append(convert_to_tensor(shape.as_list(), dtypes.int32) if fully else None)
    if static:
        if None in known:
            return None
        return known[0] + known[1]
    if None in parts:
        raise ValueError(f"Provided a prefix or suffix of None: {prefix} and {suffix}")
    return array_ops.concat(parts, 0)


def zero_state_tensors(state_size, batch_size, dtype):
    """Zeros of ``[batch_size] + size`` for each size in the structure ``state_size``."""

    def zeros(size):
        value = array_ops.zeros(concat_sizes(batch_size, size), dtype=dtype)
        static = concat_sizes(batch_size, size, static=True)
        if static is not None:
            value.set_shape(static)
        return value

    return nest.map_structure(zeros, state_size)


def _activation(activation):
    if activation is None:
        return math_ops.tanh
    if isinstance(activation, str):
        named = {"tanh": math_ops.tanh, "sigmoid": math_ops.sigmoid, "relu": nn_ops.relu}
        if activation not in named:
            raise ValueError(f"Unknown activation {activation!r}; use one of {sorted(named)}.")
        return named[activation]
    if not callable(activation):
        raise TypeError(f"activation must be callable or a name, got {activation!r}")
    return activation


class RNNCell:
    """The base of recurrent cells: one step ``(inputs, state) -> (output, new_state)``.

    Subclasses define ``state_size``, ``output_size`` and ``call(inputs, state)``, and
    make their weights in ``build(inputs_shape)`` with :meth:`add_variable`.

    Parameters
    ----------
    trainable : bool
        Weights join ``TRAINABLE_VARIABLES``.
    name : str, optional
        The cell's scope name (default: the snake-cased class name, made unique).
    dtype : DType, optional
        The weights' dtype (default: the inputs' dtype on the first call).

    Examples
    --------
    >>> import runtime as tf
    >>> class Doubler(RNNCell):
    ...     state_size = output_size = 2
    ...     def build(self, inputs_shape):
    ...         self.scale = self.add_variable("scale", [2], initializer=tf.ones_initializer())
    ...     def call(self, inputs, state):
    ...         out = inputs * self.scale + state
    ...         return out, out
    >>> with tf.Graph().as_default():
    ...     cell = Doubler()
    ...     out, _ = cell(tf.ones([1, 2]), cell.zero_state(1, tf.float32))
    ...     print([v.name for v in cell.variables], out.op.name)
    ['doubler/scale:0'] doubler/add
    """

    def __init__(self, trainable=True, name=None, dtype=None, **kwargs):
        unknown = set(kwargs) - {"_reuse", "_scope"}
        if unknown:
            raise TypeError(f"Keyword argument(s) not understood: {sorted(unknown)}")
        self._trainable = trainable
        self._name = name
        self._base_name = name or _snake_case(type(self).__name__)
        self._dtype = None if dtype is None else dtypes.as_dtype(dtype)
        self._reuse = kwargs.get("_reuse")
        self._scope = kwargs.get("_scope")
        self._rnncell_scope = None
        self._variables: list = []
        self.built = False

    # -- what a cell is ----------------------------------------------------------------

    @property
    def state_size(self):
        """The size(s) of the state: an int, a ``TensorShape``, or a structure of them."""
        raise NotImplementedError(f"{type(self).__name__} must define state_size.")

    @property
    def output_size(self):
        """The size of the output (as ``state_size``)."""
        raise NotImplementedError(f"{type(self).__name__} must define output_size.")

    @property
    def name(self) -> str:
        return self._scope.name if self._scope is not None else self._base_name

    @property
    def dtype(self):
        return self._dtype

    @property
    def scope_name(self) -> str | None:
        """The variable scope the cell captured on its first call."""
        return None if self._scope is None else self._scope.name

    @property
    def variables(self) -> list:
        """The cell's weights (and those of the cells it holds)."""
        return list(self._variables)

    weights = variables

    @property
    def trainable_variables(self) -> list:
        return self.variables if self._trainable else []

    trainable_weights = trainable_variables

    @property
    def non_trainable_variables(self) -> list:
        return [] if self._trainable else self.variables

    non_trainable_weights = non_trainable_variables

    # -- building and calling --------------------------------------------------------------

    def build(self, inputs_shape) -> None:
        """Make the weights for inputs of ``inputs_shape`` (nothing, by default)."""

    def call(self, inputs, state):
        """One step: ``(output, new_state)``."""
        raise NotImplementedError(f"{type(self).__name__} must define call(inputs, state).")

    def add_variable(
        self, name, shape, dtype=None, initializer=None, trainable=None, regularizer=None
    ):
        """A weight of the cell, made by ``get_variable`` in the cell's scope."""
        variable = get_variable(
            name,
            shape=shape,
            dtype=dtype or self._dtype,
            initializer=initializer,
            regularizer=regularizer,
            trainable=self._trainable if trainable is None else trainable,
        )
        if variable not in self._variables:
            self._variables.append(variable)
        return variable

    add_weight = add_variable

    # TF's LayerRNNCells (the library's basic, GRU and LSTM cells) are called as layers;
    # other cells (MultiRNNCell, a program's own RNNCell) first re-enter a variable scope.
    _called_as_layer = False

    def __call__(self, inputs, state, scope=None):
        """One step in the cell's scope; the first call captures the scope and builds.

        A cell that is not one of TF's layer cells runs, as in TF, inside ``scope`` or
        else the variable scope current at its first call, entered again: that opens
        one more name scope, so a MultiRNNCell called in a reopened ``dec`` scope names
        its ops ``dec_1/dec/multi_rnn_cell/...`` (its variables stay ``dec/...``).
        """
        if self._called_as_layer:
            return self._layer_call(inputs, state, scope)
        if scope is not None:
            with variable_scope(scope) as entered:
                return self._layer_call(inputs, state, entered)
        if self._rnncell_scope is None:
            self._rnncell_scope = get_variable_scope()
        with variable_scope(self._rnncell_scope):
            return self._layer_call(inputs, state, None)

    def _layer_call(self, inputs, state, scope):
        if self._scope is None:
            self._scope = self._capture_scope(scope)
        graph = get_default_graph()
        reuse = True if self.built else self._reuse
        with variable_scope(self._scope, reuse=reuse, auxiliary_name_scope=False):
            with graph.name_scope(self._scope.original_name_scope or None):
                if not self.built:
                    self._build_for(inputs, reuse)
                return self.call(inputs, state)

    def _capture_scope(self, scope):
        if scope is not None:
            with variable_scope(scope) as captured:
                return captured
        if self._reuse:
            with variable_scope(self._base_name) as captured:
                return captured
        with variable_scope(None, default_name=self._base_name) as captured:
            return captured

    def _build_for(self, inputs, reuse) -> None:
        first = nest.flatten(inputs)[0]
        if self._dtype is None and isinstance(first, Tensor):
            self._dtype = first.dtype.base_dtype
        shapes = nest.map_structure(lambda t: convert_to_tensor(t).shape, inputs)
        with _outside_loops(self._scope, reuse):
            self.build(shapes)
        self.built = True

    # -- states ------------------------------------------------------------------------

    def zero_state(self, batch_size, dtype):
        """Zeros shaped ``[batch_size] + size`` for every part of ``state_size``.

        Examples
        --------
        >>> import runtime as tf
        >>> with tf.Graph().as_default():
        ...     c, h = BasicLSTMCell(4).zero_state(3, tf.float32)
        >>> c.shape, c.op.name
        (TensorShape([Dimension(3), Dimension(4)]), 'BasicLSTMCellZeroState/zeros')
        """
        with get_default_graph().name_scope(f"{type(self).__name__}ZeroState"):
            return zero_state_tensors(self.state_size, batch_size, dtype)

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        """The zero state, sized from ``inputs`` or from ``batch_size`` and ``dtype``."""
        if inputs is not None:
            inputs = convert_to_tensor(inputs, name="inputs")
            if batch_size is not None:
                static = (
                    constant_value(batch_size) if isinstance(batch_size, Tensor) else batch_size
                )
                if inputs.shape.dim_value(0) != static:
                    raise ValueError(
                        "batch size from input tensor is different from the input param. "
                        f"Input tensor batch: {inputs.shape[0]}, batch_size: {batch_size}"
                    )
            if dtype is not None and inputs.dtype != dtype:
                raise ValueError(
                    "dtype from input tensor is different from the input param. Input "
                    f"tensor dtype: {inputs.dtype}, dtype: {dtype}"
                )
            batch_size = inputs.shape.dim_value(0) or array_ops.shape(inputs)[0]
            dtype = inputs.dtype
        if batch_size is None or dtype is None:
            raise ValueError(
                "batch_size and dtype cannot be None while constructing initial state: "
                f"batch_size={batch_size}, dtype={dtype}"
            )
        return self.zero_state(batch_size, dtype)


def _input_depth(cell: RNNCell, inputs_shape) -> int:
    depth = as_shape(inputs_shape).dim_value(-1)
    if depth is None:
        raise ValueError(f"Expected inputs.shape[-1] to be known, saw shape: {inputs_shape}")
    return depth


class BasicRNNCell(RNNCell):
    """``output = new_state = activation(W [inputs, state] + b)``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     cell = BasicRNNCell(3)
    ...     out, _ = cell(tf.ones([2, 5]), cell.zero_state(2, tf.float32))
    >>> [(v.name, v.shape.as_list()) for v in cell.variables]
    [('basic_rnn_cell/kernel:0', [8, 3]), ('basic_rnn_cell/bias:0', [3])]
    """

    _called_as_layer = True

    def __init__(self, num_units, activation=None, reuse=None, name=None, dtype=None, **kwargs):
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        self._num_units = num_units
        self._activation = _activation(activation)

    state_size = property(lambda self: self._num_units)
    output_size = property(lambda self: self._num_units)

    def build(self, inputs_shape):
        depth = _input_depth(self, inputs_shape)
        self._kernel = self.add_variable(_WEIGHTS, [depth + self._num_units, self._num_units])
        self._bias = self.add_variable(
            _BIAS, [self._num_units], initializer=init_ops.zeros_initializer(dtype=self._dtype)
        )

    def call(self, inputs, state):
        gates = math_ops.matmul(array_ops.concat([inputs, state], 1), self._kernel)
        output = self._activation(nn_ops.bias_add(gates, self._bias))
        return output, output


class GRUCell(RNNCell):
    """A gated recurrent unit (Cho et al., 2014): reset and update gates, then a candidate.

    Weights ``gates/kernel``, ``gates/bias`` (initialised to ones), ``candidate/kernel``
    and ``candidate/bias``, as TF's.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     cell = GRUCell(3)
    ...     out, _ = cell(tf.ones([2, 5]), cell.zero_state(2, tf.float32))
    >>> [v.name for v in cell.variables][:2]
    ['gru_cell/gates/kernel:0', 'gru_cell/gates/bias:0']
    """

    _called_as_layer = True

    def __init__(
        self,
        num_units,
        activation=None,
        reuse=None,
        kernel_initializer=None,
        bias_initializer=None,
        name=None,
        dtype=None,
        **kwargs,
    ):
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        self._num_units = num_units
        self._activation = _activation(activation)
        self._kernel_initializer = kernel_initializer
        self._bias_initializer = bias_initializer

    state_size = property(lambda self: self._num_units)
    output_size = property(lambda self: self._num_units)

    def build(self, inputs_shape):
        depth = _input_depth(self, inputs_shape) + self._num_units
        ones = init_ops.constant_initializer(1.0, dtype=self._dtype)
        zeros = init_ops.zeros_initializer(dtype=self._dtype)
        self._gate_kernel = self.add_variable(
            f"gates/{_WEIGHTS}", [depth, 2 * self._num_units], initializer=self._kernel_initializer
        )
        self._gate_bias = self.add_variable(
            f"gates/{_BIAS}", [2 * self._num_units], initializer=self._bias_initializer or ones
        )
        self._candidate_kernel = self.add_variable(
            f"candidate/{_WEIGHTS}", [depth, self._num_units], initializer=self._kernel_initializer
        )
        self._candidate_bias = self.add_variable(
            f"candidate/{_BIAS}", [self._num_units], initializer=self._bias_initializer or zeros
        )

    def call(self, inputs, state):
        gates = math_ops.matmul(array_ops.concat([inputs, state], 1), self._gate_kernel)
        value = math_ops.sigmoid(nn_ops.bias_add(gates, self._gate_bias))
        r, u = array_ops.split(value=value, num_or_size_splits=2, axis=1)
        candidate = math_ops.matmul(
            array_ops.concat([inputs, r * state], 1), self._candidate_kernel
        )
        c = self._activation(nn_ops.bias_add(candidate, self._candidate_bias))
        new_h = u * state + (1 - u) * c
        return new_h, new_h


class BasicLSTMCell(RNNCell):
    """A long short-term memory cell without peepholes or projection.

    Parameters
    ----------
    num_units : int
    forget_bias : float
        Added to the forget gate's pre-activation (``1.0``: remember at first).
    state_is_tuple : bool
        The state is an ``LSTMStateTuple(c, h)`` (default), else ``[c, h]`` concatenated.
    activation : callable or str, optional
        Default ``tanh``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     cell = BasicLSTMCell(3)
    ...     out, state = cell(tf.ones([2, 5]), cell.zero_state(2, tf.float32))
    >>> [(v.name, v.shape.as_list()) for v in cell.variables], type(state).__name__
    ([('basic_lstm_cell/kernel:0', [8, 12]), ('basic_lstm_cell/bias:0', [12])], 'LSTMStateTuple')
    """

    _called_as_layer = True

    def __init__(
        self,
        num_units,
        forget_bias=1.0,
        state_is_tuple=True,
        activation=None,
        reuse=None,
        name=None,
        dtype=None,
        **kwargs,
    ):
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        self._num_units = num_units
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = _activation(activation)

    @property
    def state_size(self):
        if self._state_is_tuple:
            return LSTMStateTuple(self._num_units, self._num_units)
        return 2 * self._num_units

    output_size = property(lambda self: self._num_units)

    def build(self, inputs_shape):
        depth = _input_depth(self, inputs_shape)
        self._kernel = self.add_variable(_WEIGHTS, [depth + self._num_units, 4 * self._num_units])
        self._bias = self.add_variable(
            _BIAS, [4 * self._num_units], initializer=init_ops.zeros_initializer(dtype=self._dtype)
        )

    def call(self, inputs, state):
        one = convert_to_tensor(1, dtypes.int32, name="Const")
        if self._state_is_tuple:
            c, h = state
        else:
            c, h = array_ops.split(value=state, num_or_size_splits=2, axis=one)
        gates = math_ops.matmul(array_ops.concat([inputs, h], 1), self._kernel)
        gates = nn_ops.bias_add(gates, self._bias)
        i, j, f, o = array_ops.split(value=gates, num_or_size_splits=4, axis=one)
        forget_bias = convert_to_tensor(self._forget_bias, dtype=f.dtype, name="Const")
        sigmoid, add, multiply = math_ops.sigmoid, math_ops.add, math_ops.multiply
        new_c = add(
            multiply(c, sigmoid(add(f, forget_bias))), multiply(sigmoid(i), self._activation(j))
        )
        new_h = multiply(self._activation(new_c), sigmoid(o))
        if self._state_is_tuple:
            return new_h, LSTMStateTuple(new_c, new_h)
        return new_h, array_ops.concat([new_c, new_h], 1)


def _clip(value, limit):
    """``value`` clipped to ``[-limit, limit]``, as TF's ``clip_by_value`` computes it."""
    with get_default_graph().name_scope("clip_by_value"):
        low = convert_to_tensor(-limit, dtype=value.dtype.base_dtype, name="clip_value_min")
        high = convert_to_tensor(limit, dtype=value.dtype.base_dtype, name="clip_value_max")
        return math_ops.maximum(math_ops.minimum(value, high, name="Minimum"), low)


class LSTMCell(RNNCell):
    """An LSTM cell with optional peepholes, cell clipping and an output projection.

    Parameters
    ----------
    num_units : int
    use_peepholes : bool
        Diagonal peephole connections (weights ``w_f_diag``, ``w_i_diag``, ``w_o_diag``).
    cell_clip : float, optional
        Clip the cell state to ``[-cell_clip, cell_clip]``.
    initializer : initializer, optional
        For the kernel, peepholes and projection.
    num_proj : int, optional
        Project the output to this size (weight ``projection/kernel``).
    proj_clip : float, optional
        Clip the projected output to ``[-proj_clip, proj_clip]``.
    forget_bias : float
    state_is_tuple : bool
    activation : callable or str, optional

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     cell = LSTMCell(4, use_peepholes=True, num_proj=2)
    ...     out, state = cell(tf.ones([1, 3]), cell.zero_state(1, tf.float32))
    >>> out.shape, [v.name for v in cell.variables][2:]
    (TensorShape([Dimension(1), Dimension(2)]), ['lstm_cell/w_f_diag:0', 'lstm_cell/w_i_diag:0', 'lstm_cell/w_o_diag:0', 'lstm_cell/projection/kernel:0'])
    """

    _called_as_layer = True

    def __init__(
        self,
        num_units,
        use_peepholes=False,
        cell_clip=None,
        initializer=None,
        num_proj=None,
        proj_clip=None,
        num_unit_shards=None,
        num_proj_shards=None,
        forget_bias=1.0,
        state_is_tuple=True,
        activation=None,
        reuse=None,
        name=None,
        dtype=None,
        **kwargs,
    ):
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        if num_unit_shards is not None or num_proj_shards is not None:
            raise ValueError(
                "num_unit_shards and num_proj_shards (partitioned weights, deprecated in "
                "TF 1.x) are not supported: leave them None."
            )
        self._num_units = num_units
        self._use_peepholes = use_peepholes
        self._cell_clip = cell_clip
        self._initializer = initializer
        self._num_proj = num_proj
        self._proj_clip = proj_clip
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = _activation(activation)

    @property
    def state_size(self):
        second = self._num_proj or self._num_units
        if self._state_is_tuple:
            return LSTMStateTuple(self._num_units, second)
        return self._num_units + second

    output_size = property(lambda self: self._num_proj or self._num_units)

    def build(self, inputs_shape):
        depth = _input_depth(self, inputs_shape) + (self._num_proj or self._num_units)
        units = self._num_units
        init = self._initializer
        self._kernel = self.add_variable(_WEIGHTS, [depth, 4 * units], initializer=init)
        self._bias = self.add_variable(
            _BIAS, [4 * units], initializer=init_ops.zeros_initializer(dtype=self._dtype)
        )
        if self._use_peepholes:
            self._w_f_diag = self.add_variable("w_f_diag", [units], initializer=init)
            self._w_i_diag = self.add_variable("w_i_diag", [units], initializer=init)
            self._w_o_diag = self.add_variable("w_o_diag", [units], initializer=init)
        if self._num_proj is not None:
            self._proj_kernel = self.add_variable(
                f"projection/{_WEIGHTS}", [units, self._num_proj], initializer=init
            )

    def call(self, inputs, state):
        num_proj = self._num_proj or self._num_units
        if self._state_is_tuple:
            c_prev, m_prev = state
        else:
            c_prev = array_ops.slice(state, [0, 0], [-1, self._num_units])
            m_prev = array_ops.slice(state, [0, self._num_units], [-1, num_proj])
        if inputs.shape.with_rank(2).dim_value(1) is None:
            raise ValueError("Could not infer input size from inputs.get_shape()[-1]")
        lstm = math_ops.matmul(array_ops.concat([inputs, m_prev], 1), self._kernel)
        lstm = nn_ops.bias_add(lstm, self._bias)
        i, j, f, o = array_ops.split(value=lstm, num_or_size_splits=4, axis=1)
        sigmoid = math_ops.sigmoid
        if self._use_peepholes:
            c = sigmoid(f + self._forget_bias + self._w_f_diag * c_prev) * c_prev + sigmoid(
                i + self._w_i_diag * c_prev
            ) * self._activation(j)
        else:
            c = sigmoid(f + self._forget_bias) * c_prev + sigmoid(i) * self._activation(j)
        if self._cell_clip is not None:
            c = _clip(c, self._cell_clip)
        if self._use_peepholes:
            m = sigmoid(o + self._w_o_diag * c) * self._activation(c)
        else:
            m = sigmoid(o) * self._activation(c)
        if self._num_proj is not None:
            m = math_ops.matmul(m, self._proj_kernel)
            if self._proj_clip is not None:
                m = _clip(m, self._proj_clip)
        if self._state_is_tuple:
            return m, LSTMStateTuple(c, m)
        return m, array_ops.concat([c, m], 1)


class MultiRNNCell(RNNCell):
    """Cells stacked: each one's output is the next one's input (``cell_0``, ``cell_1`` ...).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     cell = MultiRNNCell([BasicRNNCell(4), BasicRNNCell(2)])
    ...     out, state = cell(tf.ones([1, 3]), cell.zero_state(1, tf.float32))
    >>> out.shape, [v.name for v in cell.variables][2]
    (TensorShape([Dimension(1), Dimension(2)]), 'multi_rnn_cell/cell_1/basic_rnn_cell/kernel:0')
    """

    def __init__(self, cells, state_is_tuple=True):
        super().__init__()
        if not cells:
            raise ValueError("Must specify at least one cell for MultiRNNCell.")
        if not nest.is_nested(cells):
            raise TypeError(f"cells must be a list or tuple, but saw: {cells}.")
        for cell in cells:
            assert_like_rnncell("cells", cell)
        self._cells = list(cells)
        self._state_is_tuple = state_is_tuple
        if not state_is_tuple and any(nest.is_nested(c.state_size) for c in self._cells):
            raise ValueError(
                "Some cells return tuples of states, but the flag state_is_tuple is not set.  "
                f"State sizes are: {[c.state_size for c in self._cells]}"
            )

    @property
    def state_size(self):
        if self._state_is_tuple:
            return tuple(cell.state_size for cell in self._cells)
        return sum(cell.state_size for cell in self._cells)

    output_size = property(lambda self: self._cells[-1].output_size)

    @property
    def variables(self) -> list:
        found = [v for cell in self._cells for v in cell.variables]
        return list(dict.fromkeys(found))

    weights = variables

    def zero_state(self, batch_size, dtype):
        with get_default_graph().name_scope(f"{type(self).__name__}ZeroState"):
            if self._state_is_tuple:
                return tuple(cell.zero_state(batch_size, dtype) for cell in self._cells)
            return zero_state_tensors(self.state_size, batch_size, dtype)

    def call(self, inputs, state):
        position = 0
        current = inputs
        states = []
        for i, cell in enumerate(self._cells):
            with variable_scope(f"cell_{i}"):
                if self._state_is_tuple:
                    if not nest.is_nested(state):
                        raise ValueError(
                            f"Expected state to be a tuple of length {len(self.state_size)}, "
                            f"but received: {state}"
                        )
                    cell_state = state[i]
                else:
                    cell_state = array_ops.slice(state, [0, position], [-1, cell.state_size])
                    position += cell.state_size
                current, new_state = cell(current, cell_state)
                states.append(new_state)
        if self._state_is_tuple:
            return current, tuple(states)
        return current, array_ops.concat(states, 1)


# -- wrappers --------------------------------------------------------------------------


class _Wrapper(RNNCell):
    """A cell around another: same sizes, same weights, no scope of its own."""

    def __init__(self, cell, **kwargs):
        super().__init__(**kwargs)
        assert_like_rnncell("cell", cell)
        self.cell = cell

    state_size = property(lambda self: self.cell.state_size)
    output_size = property(lambda self: self.cell.output_size)
    variables = property(lambda self: self.cell.variables)
    weights = variables
    trainable_variables = property(lambda self: self.cell.trainable_variables)
    trainable_weights = trainable_variables

    def zero_state(self, batch_size, dtype):
        with get_default_graph().name_scope(f"{type(self).__name__}ZeroState"):
            return self.cell.zero_state(batch_size, dtype)

    def __call__(self, inputs, state, scope=None):
        return self._call_wrapped_cell(inputs, state, self.cell, scope=scope)

    def _call_wrapped_cell(self, inputs, state, cell, **kwargs):
        return cell(inputs, state, **kwargs)


def _default_state_filter(substate):
    """Which parts of a state dropout applies to: not an LSTM's memory ``c``."""
    if isinstance(substate, LSTMStateTuple):
        return LSTMStateTuple(c=False, h=True)
    return True


def _one_level(structure) -> list:
    if isinstance(structure, dict):
        return [structure[key] for key in sorted(structure)]
    return list(structure)


def _dropout_mask(visitor, structure) -> list:
    """Per leaf of ``structure``, whether ``visitor`` lets dropout reach it (TF's
    ``get_traverse_shallow_structure``: a bool for a whole substructure, or a structure
    of bools one level down)."""
    decision = visitor(structure)
    if isinstance(decision, bool):
        if not decision or not nest.is_nested(structure):
            return [decision] * len(nest.flatten(structure))
        children = _one_level(structure)
        return [leaf for child in children for leaf in _dropout_mask(visitor, child)]
    parts = []
    for wanted, child in zip(_one_level(decision), _one_level(structure)):
        parts += _dropout_mask(visitor, child) if wanted else [False] * len(nest.flatten(child))
    return parts


class DropoutWrapper(_Wrapper):
    """Dropout on a cell's inputs, outputs and state.

    Parameters
    ----------
    cell : RNNCell
    input_keep_prob, output_keep_prob, state_keep_prob : float or scalar tensor
        The probability of keeping each element (``1.0``: no dropout there).
    variational_recurrent : bool
        One mask per run for all time steps (Gal & Ghahramani), instead of a new one
        each step; needs ``dtype`` (and ``input_size`` for input dropout).
    input_size : int or structure, optional
    dtype : DType, optional
    seed : int, optional
    dropout_state_filter_visitor : callable, optional
        ``visitor(substate) -> bool or structure of bools``: which parts of the state
        dropout applies to (default: all but an LSTM's ``c``).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     cell = DropoutWrapper(BasicRNNCell(3), output_keep_prob=0.5, seed=1)
    ...     out, _ = cell(tf.ones([2, 4]), cell.zero_state(2, tf.float32))
    >>> [v.name for v in cell.variables]
    ['basic_rnn_cell/kernel:0', 'basic_rnn_cell/bias:0']
    """

    def __init__(
        self,
        cell,
        input_keep_prob=1.0,
        output_keep_prob=1.0,
        state_keep_prob=1.0,
        variational_recurrent=False,
        input_size=None,
        dtype=None,
        seed=None,
        dropout_state_filter_visitor=None,
        **kwargs,
    ):
        super().__init__(cell, dtype=dtype, **kwargs)
        if dropout_state_filter_visitor is not None and not callable(dropout_state_filter_visitor):
            raise TypeError(
                "dropout_state_filter_visitor must be callable. Received: "
                f"{dropout_state_filter_visitor}"
            )
        self._state_filter = dropout_state_filter_visitor or _default_state_filter
        with get_default_graph().name_scope("DropoutWrapperInit"):
            self._input_keep_prob = _keep_prob(input_keep_prob, "input_keep_prob")
            self._state_keep_prob = _keep_prob(state_keep_prob, "state_keep_prob")
            self._output_keep_prob = _keep_prob(output_keep_prob, "output_keep_prob")
        self._variational = variational_recurrent
        self._seed = seed
        self._noise = {}
        if variational_recurrent:
            self._make_noise(input_size, dtype)

    def _make_noise(self, input_size, dtype) -> None:
        if dtype is None:
            raise ValueError("When variational_recurrent=True, dtype must be provided")

        def noise(kind, sizes):
            return [
                random_ops.random_uniform(
                    [1, *as_shape(size).as_list()], seed=self._gen_seed(kind, i), dtype=dtype
                )
                for i, size in enumerate(nest.flatten(sizes))
            ]

        if not isinstance(self._input_keep_prob, numbers.Real) or self._input_keep_prob < 1.0:
            if input_size is None:
                raise ValueError(
                    "When variational_recurrent=True and input_keep_prob < 1.0 or is unknown, "
                    "input_size must be provided"
                )
            self._noise["input"] = noise("input", input_size)
        self._noise["state"] = noise("state", self.cell.state_size)
        self._noise["output"] = noise("output", self.cell.output_size)

    def _gen_seed(self, kind: str, index: int):
        """TF's per-part seed: a hash of the seed, the part and its index."""
        if self._seed is None:
            return None
        text = f"{self._seed}{kind}_{index}".encode()
        return int(hashlib.md5(text).hexdigest()[:8], 16) & 0x7FFFFFFF

    def _dropout(self, values, kind: str, keep_prob, mask=None):
        flat = nest.flatten(values)
        mask = mask or [True] * len(flat)
        dropped = []
        for i, (value, wanted) in enumerate(zip(flat, mask)):
            if not wanted:
                dropped.append(value)
            elif self._variational:
                kept = math_ops.floor(keep_prob + self._noise[kind][i])
                result = math_ops.divide(value, keep_prob) * kept
                result.set_shape(value.shape)
                dropped.append(result)
            else:
                dropped.append(
                    nn_ops.dropout(value, rate=1.0 - keep_prob, seed=self._gen_seed(kind, i))
                )
        return nest.pack_sequence_as(values, dropped)

    def _call_wrapped_cell(self, inputs, state, cell, **kwargs):
        if _drops(self._input_keep_prob):
            inputs = self._dropout(inputs, "input", self._input_keep_prob)
        output, new_state = cell(inputs, state, **kwargs)
        if _drops(self._state_keep_prob):
            mask = _dropout_mask(self._state_filter, new_state)
            new_state = self._dropout(new_state, "state", self._state_keep_prob, mask)
        if _drops(self._output_keep_prob):
            output = self._dropout(output, "output", self._output_keep_prob)
        return output, new_state


def _keep_prob(value, what: str):
    """A constant keep probability as a float (checked), else the tensor."""
    tensor = convert_to_tensor(value)
    known = constant_value(tensor)
    if known is None:
        return tensor
    if not 0 <= known <= 1:
        raise ValueError(f"Parameter {what} must be between 0 and 1. Received {float(known)}")
    return float(known)


def _drops(keep_prob) -> bool:
    return not isinstance(keep_prob, float) or keep_prob < 1


class ResidualWrapper(_Wrapper):
    """The cell's output plus its input (``residual_fn(inputs, outputs)`` if given).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     cell = ResidualWrapper(BasicRNNCell(3))
    ...     out, _ = cell(tf.ones([2, 3]), cell.zero_state(2, tf.float32))
    >>> out.op.type
    'AddV2'
    """

    def __init__(self, cell, residual_fn=None, **kwargs):
        super().__init__(cell, **kwargs)
        self._residual_fn = residual_fn

    def _call_wrapped_cell(self, inputs, state, cell, **kwargs):
        outputs, new_state = cell(inputs, state, **kwargs)
        if self._residual_fn is not None:
            return self._residual_fn(inputs, outputs), new_state
        nest.assert_same_structure(inputs, outputs)
        for a, b in zip(nest.flatten(inputs), nest.flatten(outputs)):
            a.shape.assert_is_compatible_with(b.shape)
        return nest.map_structure(lambda a, b: a + b, inputs, outputs), new_state


class DeviceWrapper(_Wrapper):
    """The cell's ops (and its zero state) on ``device``.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     cell = DeviceWrapper(BasicRNNCell(3), "/cpu:0")
    ...     out, _ = cell(tf.ones([2, 3]), tf.zeros([2, 3]))
    >>> out.device
    '/device:CPU:0'
    """

    def __init__(self, cell, device, **kwargs):
        super().__init__(cell, **kwargs)
        self._device = device

    def zero_state(self, batch_size, dtype):
        graph = get_default_graph()
        with graph.name_scope(f"{type(self).__name__}ZeroState"), graph.device(self._device):
            return self.cell.zero_state(batch_size, dtype)

    def _call_wrapped_cell(self, inputs, state, cell, **kwargs):
        with get_default_graph().device(self._device):
            return cell(inputs, state, **kwargs)
