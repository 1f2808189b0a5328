"""``Layer``: the base of TF1's ``tf.layers``, with TF1's naming, scopes and collections.

A layer owns a variable scope, fixed the first time it is called (or at construction
when given a name): ``dense``, then ``dense_1`` ... as ``variable_scope(None,
default_name=...)`` makes them. Its variables come from ``get_variable`` in that scope
(``dense/kernel:0``), so a checkpoint written by TF restores here by name, and sharing
goes through ``variable_scope(..., reuse=True)`` as in TF1. Every call builds its ops
in the scope's original name scope (``dense/MatMul``, ``dense/MatMul_1`` ...), so a
drawing folds each layer into one box. Regularization losses join
``GraphKeys.REGULARIZATION_LOSSES`` and update ops (batch norm's moving averages)
``GraphKeys.UPDATE_OPS``.

Subclasses implement ``build(input_shape)`` (create variables with ``add_weight``) and
``call(inputs, **kwargs)``, as TF1's.
"""

from __future__ import annotations

import re
import weakref

from .. import dtypes, nest
from ..graph import Tensor, get_default_graph
from ..graph_keys import GraphKeys
from ..ops import array_ops, math_ops
from ..ops.core import convert_to_tensor
from ..ops.variable_scope import get_variable, variable_scope
from ..ops.variables import Variable, global_variables
from ..shapes import TensorShape

__all__ = ["InputSpec", "Layer"]

# Per graph: how many layers have been named after each base name (dense, dense_1 ...).
_NAME_COUNTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _snake_case(name: str) -> str:
    """``MaxPooling2D`` -> ``max_pooling2d``, as Keras names layers."""
    spaced = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", spaced).lower()


def _unique_layer_name(base: str) -> str:
    counts = _NAME_COUNTS.setdefault(get_default_graph(), {})
    index = counts.get(base, 0)
    counts[base] = index + 1
    return base if index == 0 else f"{base}_{index}"


def _add_to_collection(items, key: str) -> None:
    """Add ``items`` to the default graph's collection ``key``, each once."""
    collection = get_default_graph().get_collection_ref(key)
    for item in items:
        if not any(item is present for present in collection):
            collection.append(item)


class InputSpec:
    """What a layer accepts: ``ndim``, ``min_ndim``/``max_ndim``, a ``dtype``, a ``shape``,
    or ``axes`` mapping an axis to its required size.

    Examples
    --------
    >>> InputSpec(min_ndim=2, axes={-1: 4})
    InputSpec(min_ndim=2, axes={-1: 4})
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None, axes=None):
        self.dtype = dtypes.as_dtype(dtype).name if dtype is not None else None
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim, self.min_ndim = max_ndim, min_ndim
        self.axes = dict(axes or {})

    def __repr__(self):
        fields = {
            "dtype": self.dtype,
            "shape": self.shape,
            "ndim": self.ndim,
            "max_ndim": self.max_ndim,
            "min_ndim": self.min_ndim,
            "axes": self.axes or None,
        }
        shown = ", ".join(f"{k}={v}" for k, v in fields.items() if v is not None)
        return f"InputSpec({shown})"

    def check(self, x: Tensor, layer_name: str, index: int = 0) -> None:
        """``ValueError`` worded as Keras' when ``x`` does not fit the spec."""
        where = f'Input {index} of layer "{layer_name}" is incompatible with the layer'
        shape = x.shape
        rank = shape.rank
        if self.ndim is not None and rank is not None and rank != self.ndim:
            raise ValueError(
                f"{where}: expected ndim={self.ndim}, found ndim={rank}. "
                f"Full shape received: {_display(shape)}"
            )
        if self.max_ndim is not None and rank is not None and rank > self.max_ndim:
            raise ValueError(f"{where}: expected max_ndim={self.max_ndim}, found ndim={rank}")
        if self.min_ndim is not None and rank is not None and rank < self.min_ndim:
            raise ValueError(
                f"{where}: expected min_ndim={self.min_ndim}, found ndim={rank}. "
                f"Full shape received: {_display(shape)}"
            )
        if self.dtype is not None and x.dtype.base_dtype.name != self.dtype:
            raise ValueError(
                f"{where}: expected dtype={self.dtype}, found dtype={x.dtype.base_dtype.name}"
            )
        if rank is None:
            return
        dims = shape.as_list()
        for axis, value in self.axes.items():
            if value is not None and dims[axis] not in (value, None):
                raise ValueError(
                    f"{where}: expected axis {axis} of input shape to have value {value}, "
                    f"but received input with shape {_display(shape)}"
                )


def _display(shape: TensorShape) -> str:
    return str(tuple(shape.as_list())) if shape.rank is not None else "<unknown>"


class Layer:
    """The base class of TF1 layers (``tf.compat.v1.layers.Layer``).

    Parameters
    ----------
    trainable : bool
        Whether the layer's variables join ``TRAINABLE_VARIABLES``.
    name : str, optional
        The layer's name and variable scope (default: the class name in snake case,
        made unique: ``dense``, ``dense_1`` ...).
    dtype : DType, optional
        Of the variables; default: the dtype of the first inputs.
    activity_regularizer : callable, optional
        ``regularizer(outputs)``; its mean over the batch joins the layer's losses.

    Examples
    --------
    >>> import runtime as tf
    >>> class Scale(Layer):
    ...     def build(self, input_shape):
    ...         self.w = self.add_weight("w", [], initializer=tf.ones_initializer())
    ...     def call(self, inputs):
    ...         return inputs * self.w
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 2])
    ...     layer = Scale()
    ...     y, y2 = layer(x), layer(x)
    >>> layer.name, [v.name for v in layer.variables], y.name, y2.name
    ('scale', ['scale/w:0'], 'scale/mul:0', 'scale/mul_1:0')
    """

    def __init__(
        self,
        trainable=True,
        name=None,
        dtype=None,
        activity_regularizer=None,
        _scope=None,
        _reuse=None,
        **kwargs,
    ):
        for key in kwargs:
            if key not in ("input_shape", "batch_input_shape", "input_dim", "batch_size"):
                raise TypeError("Keyword argument not understood:", key)
        self.trainable = trainable
        self._base_name = name or _snake_case(type(self).__name__)
        self._name = name or _unique_layer_name(self._base_name)
        self._dtype = None if dtype is None else dtypes.as_dtype(dtype).base_dtype
        self._activity_regularizer = activity_regularizer
        self._reuse = _reuse
        self._trainable_weights: list = []
        self._non_trainable_weights: list = []
        self._losses: list = []
        self._updates: list = []
        self.built = False
        self.input_spec = None
        self._scope = None
        self._current_scope = None
        if _scope:
            with variable_scope(_scope) as captured:
                self._scope = captured

    # -- what the layer is ------------------------------------------------------------

    name = property(lambda self: self._name)
    dtype = property(lambda self: self._dtype)
    activity_regularizer = property(lambda self: self._activity_regularizer)

    @property
    def scope_name(self) -> str:
        """The name of the layer's variable scope (known once it has been called)."""
        if self._scope is None:
            raise ValueError(
                f'No name available for layer scope because the layer "{self._name}" has not '
                "been used yet. The scope name  is determined the first time the layer "
                "instance is called. You must therefore call the layer before querying "
                "`scope_name`."
            )
        return self._scope.name

    @property
    def trainable_weights(self) -> list:
        return list(self._trainable_weights) if self.trainable else []

    @property
    def non_trainable_weights(self) -> list:
        if self.trainable:
            return list(self._non_trainable_weights)
        return self._trainable_weights + self._non_trainable_weights

    @property
    def weights(self) -> list:
        """Trainable variables first, then the others (``variables`` is the same)."""
        return self.trainable_weights + self.non_trainable_weights

    variables = weights
    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    @property
    def losses(self) -> list:
        """The regularization losses of the layer's variables and outputs."""
        return list(self._losses)

    @property
    def updates(self) -> list:
        """The update ops (moving averages) the layer's calls made."""
        return list(self._updates)

    def count_params(self) -> int:
        """The number of scalars in the layer's variables."""
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer {self._name}, but the layer isn't "
                f"built. You can build it manually via: `{self._name}.build(batch_input_shape)`."
            )
        return sum(int(w.shape.num_elements()) for w in self.weights)

    # -- building and calling ------------------------------------------------------------

    def build(self, input_shape) -> None:
        """Create the layer's variables for inputs of ``input_shape``."""
        self.built = True

    def call(self, inputs, **kwargs):
        """The layer's computation; the default passes the inputs through."""
        return inputs

    def compute_output_shape(self, input_shape) -> TensorShape:
        raise NotImplementedError(
            f"Please run in eager mode or implement the compute_output_shape method on your "
            f"layer ({type(self).__name__})."
        )

    def apply(self, inputs, *args, **kwargs):
        """The same as calling the layer."""
        return self(inputs, *args, **kwargs)

    def __call__(self, inputs, *args, **kwargs):
        """Build the layer on first use, then ``call`` it in the layer's scopes."""
        scope = kwargs.pop("scope", None)
        inputs = nest.map_structure(_as_tensor, inputs)
        self._set_scope(scope)
        reuse = True if self.built else self._reuse
        graph = get_default_graph()
        with variable_scope(self._scope, reuse=reuse, auxiliary_name_scope=False) as current:
            self._current_scope = current
            with graph.name_scope(self._scope.original_name_scope):
                self._check_inputs(inputs)
                if not self.built:
                    self._build_for(inputs)
                    self._check_inputs(inputs)
                outputs = self.call(inputs, *args, **kwargs)
                if self._activity_regularizer is not None:
                    self._regularize_activity(outputs)
        _add_to_collection(self._updates, GraphKeys.UPDATE_OPS)
        return outputs

    def _set_scope(self, scope=None) -> None:
        """Fix the layer's variable scope the first time it is needed."""
        if self._scope is not None:
            return
        if self._reuse:
            with variable_scope(scope if scope is not None else self._base_name) as captured:
                self._scope = captured
        else:
            with variable_scope(scope, default_name=self._base_name) as captured:
                self._scope = captured

    def _build_for(self, inputs) -> None:
        first = nest.flatten(inputs)[0]
        if self._dtype is None:
            self._dtype = first.dtype.base_dtype
        shapes = nest.map_structure(lambda x: x.shape, inputs)
        self.build(shapes)
        self.built = True

    def _check_inputs(self, inputs) -> None:
        if self.input_spec is None:
            return
        specs = nest.flatten(self.input_spec)
        flat = nest.flatten(inputs)
        if len(specs) != len(flat):
            raise ValueError(
                f'Layer "{self._name}" expects {len(specs)} input(s), but it received '
                f"{len(flat)} input tensors. Inputs received: {inputs}"
            )
        for index, (spec, x) in enumerate(zip(specs, flat)):
            if spec is not None:
                spec.check(x, self._name, index)

    # -- variables, losses and updates --------------------------------------------------

    def add_weight(
        self,
        name,
        shape,
        dtype=None,
        initializer=None,
        regularizer=None,
        trainable=None,
        constraint=None,
        **kwargs,
    ) -> Variable:
        """A variable of the layer's scope (``<scope>/<name>``), new or shared.

        A new variable's ``regularizer(variable)`` loss is built in the name scope
        ``<layer>/<name>/Regularizer`` and joins the layer's losses and
        ``REGULARIZATION_LOSSES``.
        """
        for key in kwargs:
            if key not in ("use_resource", "partitioner", "synchronization", "aggregation"):
                raise TypeError("Unknown keyword argument:", key)
        trainable = True if trainable is None else trainable
        dtype = dtypes.as_dtype(dtype or self._dtype or dtypes.float32)
        self._set_scope()
        existing = set(map(id, global_variables()))
        reuse = self.built or self._reuse
        graph = get_default_graph()
        with variable_scope(self._scope, reuse=reuse, auxiliary_name_scope=False) as scope:
            self._current_scope = scope
            with graph.name_scope(self._scope.original_name_scope):
                variable = get_variable(
                    name,
                    shape=shape,
                    dtype=dtype,
                    initializer=scope.initializer if initializer is None else initializer,
                    trainable=trainable and self.trainable,
                    constraint=constraint,
                )
                if regularizer is not None and id(variable) not in existing:
                    with graph.name_scope(f"{name}/Regularizer"):
                        self.add_loss(regularizer(variable))
        tracked = self._trainable_weights if trainable else self._non_trainable_weights
        if not any(variable is w for w in tracked):
            tracked.append(variable)
        return variable

    add_variable = add_weight

    def add_loss(self, losses, inputs=None) -> None:
        """Add regularization losses (tensors, or callables returning them)."""
        new = []
        for loss in nest.flatten(losses):
            loss = loss() if callable(loss) else loss
            if loss is not None:
                new.append(convert_to_tensor(loss))
        self._losses.extend(new)
        _add_to_collection(new, GraphKeys.REGULARIZATION_LOSSES)

    def add_update(self, updates, inputs=None) -> None:
        """Add update ops (run them with the train op, e.g. through ``UPDATE_OPS``)."""
        for update in nest.flatten(updates):
            update = update() if callable(update) else update
            self._updates.append(update.op if isinstance(update, Tensor) else update)

    def _regularize_activity(self, outputs) -> None:
        with get_default_graph().name_scope("ActivityRegularizer"):
            for output in nest.flatten(outputs):
                loss = convert_to_tensor(self._activity_regularizer(output))
                batch = math_ops.cast(array_ops.shape(output)[0], loss.dtype)
                self.add_loss(loss / batch)

    def __repr__(self):
        return f"<{type(self).__module__}.{type(self).__name__} name={self._name!r}>"


def _as_tensor(value):
    return value if isinstance(value, Tensor) else convert_to_tensor(value)
