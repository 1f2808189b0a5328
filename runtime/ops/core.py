"""Adding ops to a graph: input conversion, attr checks and shape inference.

Every builder function ends in :func:`apply_op`, which validates everything before the
graph changes, so a bad op never enters the graph and the error points at the user's
line. :func:`convert_to_tensor` turns Python and numpy values into ``Const`` ops with
TF's dtype rules (float -> float32, int -> int32, arrays keep their dtype); a list that
holds tensors becomes a ``Pack`` op (:mod:`runtime.ops.packing`). :func:`op_outputs` gives
an op's outputs as TF's generated wrappers return them (a namedtuple for several).
"""

from __future__ import annotations

import collections

import numpy as np

from .. import dtypes, op_binding
from ..dimension import Dimension
from ..errors import capture_frames, capture_traceback, display_filename
from ..graph import Operation, Tensor, check_op_name, get_default_graph, graph_of
from ..graph_def import AttrValue, python_value
from ..op_binding import bind_inputs, bind_tensors
from ..proto import graph_pb2
from ..protobuf import attr_from_proto
from ..registry import OpDef, TensorSpec, get_op_def, register_op
from ..shapes import TensorShape, as_shape
from .constant_value import InputSpec


def apply_op(op_type: str | OpDef, inputs, name: str, graph=None, **attrs) -> Operation:
    """Create an op of ``op_type`` after checking its inputs, attrs and shapes.

    Parameters
    ----------
    op_type : str or OpDef
        The op type, e.g. ``"MatMul"``.
    inputs : list
        One entry per input arg: a tensor, or a value convertible to one (for a typed
        OpDef, converted to the type its arg has already bound, as TF does). A list
        arg (``"values: N * T"``) takes a list.
    name : str
        The op's name before scoping and uniquifying (a name ending in ``/`` is
        taken as is).
    graph : Graph, optional
        Defaults to the inputs' graph, else the default graph.
    **attrs
        The op's attrs. For a typed OpDef, type and length attrs are inferred from the
        inputs (given ones must agree), the rest checked and defaulted by
        :mod:`runtime.op_binding`, with TF's errors.

    Returns
    -------
    Operation

    Examples
    --------
    >>> import runtime as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     op = apply_op("Identity", [tf.constant(1.0)], name="id", T=tf.float32)
    >>> op.name, op.outputs[0].shape
    ('id', TensorShape([]))
    """
    op_def = get_op_def(op_type) if isinstance(op_type, str) else op_type
    flat = _flatten_inputs(op_def, inputs)
    graph = graph if graph is not None else graph_of(flat)
    if _all_tensors(flat):
        return apply_op_to_tensors(op_def, flat, name or op_def.name, graph, attrs)
    # As TF does: values become Consts named after the input, inside the op's scope.
    with graph.name_scope(name or op_def.name) as scope:
        tensors, full_attrs = bind_inputs(
            op_def, list(inputs), attrs, _converter(graph), scope[:-1]
        )
    return _add_op(op_def, tensors, full_attrs, scope[:-1], graph)


def apply_op_to_tensors(op_def: OpDef, tensors: list, name: str, graph, attrs: dict) -> Operation:
    """:func:`apply_op` for a builder that already holds its inputs as tensors.

    The per-op path of ``x + y``: ``tensors`` is the flat input list, ``graph`` the
    one they were found in (``graph_of``), ``attrs`` the given attrs (left unchanged).
    Names, attr and shape checks and errors are :func:`apply_op`'s.

    Examples
    --------
    >>> import runtime as tf
    >>> from runtime.registry import get_op_def
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     x = tf.constant(1.0)
    ...     op = apply_op_to_tensors(get_op_def("Identity"), [x], "id", g, {"T": tf.float32})
    >>> op.name, op.inputs[0] is x
    ('id', True)
    """
    op_name = _scoped_name(graph, name)
    full_attrs = bind_tensors(op_def, tensors, attrs, op_name)
    return _add_op(op_def, tensors, full_attrs, op_name, graph)


def create_node_op(graph, op_type: str, inputs: list, name, attrs: dict) -> Operation:
    """``Graph.create_op``: an op from a type, tensors and (``AttrValue`` or Python) attrs.

    Checked as TF checks a NodeDef (:func:`runtime.op_binding.bind_node`), after the
    type and length attrs the inputs give are filled in.
    """
    try:
        op_def = get_op_def(op_type)
    except ValueError as err:
        raise RuntimeError(str(err)) from None
    for i, tensor in enumerate(inputs):
        if not isinstance(tensor, Tensor):
            raise TypeError(f"Input #{i} is not a tensor: {tensor!r}")
    op_name = _scoped_name(graph, name or op_type)
    attrs = {key: _attr_of_message(op_name, key, value) for key, value in attrs.items()}
    protos = {key: value for key, value in attrs.items() if isinstance(value, AttrValue)}
    values = {key: _node_attr_value(key, value) for key, value in attrs.items()}
    op_binding.check_attr_values(op_def, op_name, protos)
    values = op_binding.bind_node(op_def, op_name, inputs, values, infer=True)
    return _add_op(op_def, inputs, values, op_name, graph)


def _add_op(op_def: OpDef, tensors: list, attrs: dict, op_name: str, graph) -> Operation:
    if graph.outer_graph is not None:
        # A function body turns tensors of the graphs around it into its own inputs.
        tensors = [graph.capture(tensor) for tensor in tensors]
    for tensor in tensors:
        if tensor.graph is not graph:
            raise ValueError(
                f"{tensor} must be from the same graph as the op being created ({op_def.name})."
            )
    specs = infer_specs(op_def, tensors, attrs, op_name)
    if op_binding.CHECK_OUTPUTS:
        op_binding.check_output_specs(op_def, attrs, specs, op_name)
    # skip=2: the walk starts at our caller, so no frame object is made for this one.
    frames = capture_frames(2)
    return graph.create_op_unchecked(op_def.name, tensors, attrs, specs, op_name, frames)


def _flatten_inputs(op_def: OpDef, inputs) -> list:
    if len(inputs) != len(op_def.input_is_list):
        raise TypeError(
            f"{op_def.name} takes {len(op_def.input_is_list)} inputs "
            f"({', '.join(op_def.input_names)}), got {len(inputs)}."
        )
    if op_def.input_arity is not None:
        return list(inputs)
    flat = []
    for is_list, name, value in zip(op_def.input_is_list, op_def.input_names, inputs):
        if not is_list:
            flat.append(value)
        elif isinstance(value, list | tuple):
            flat.extend(value)
        else:
            raise TypeError(
                f"Expected list for '{name}' argument to '{op_def.name}' Op, not {value}."
            )
    return flat


def _converter(graph):
    """``convert`` for :func:`runtime.op_binding.bind_inputs`: Consts made in ``graph``.

    As TF's op library: a value whose own type is not allowed tries the type attr's
    default (``preferred``) before keeping its own (the binder then says it is not allowed).
    """

    def convert(value, dtype, preferred, allowed, name):
        if dtype is None and preferred is not None and allowed is not None:
            own = _own_dtype(value)
            if own is not None and own.as_datatype_enum in allowed:
                preferred = None
        return convert_to_tensor(
            value, dtype=dtype, name=name, preferred_dtype=preferred, graph=graph
        )

    return convert


def _own_dtype(value):
    """The dtype ``value`` converts to without a preferred one, else ``None``."""
    tensor = first_tensor(value)
    if tensor is not None:  # a list that packs: to its first tensor's dtype
        return tensor.dtype.base_dtype
    try:
        return dtypes.as_dtype(to_numpy(value).dtype)
    except (TypeError, ValueError):
        return None


def _all_tensors(values) -> bool:
    # A loop, not all() over a generator: half the cost on this per-op path.
    for value in values:  # noqa: SIM110
        if not isinstance(value, Tensor):
            return False
    return True


def _attr_of_message(op_name: str, key: str, value):
    """TF's ``AttrValue`` message (``tf.compat.v1.AttrValue``) as the runtime's form."""
    if isinstance(value, graph_pb2.AttrValue):
        return attr_from_proto(value, op_name, key)
    return value


def _node_attr_value(key: str, value):
    """The value an op keeps for attr ``key`` given as ``value`` (``AttrValue`` or Python)."""
    if not isinstance(value, AttrValue):
        return value
    if key == "_class" and value.kind == "list":
        # colocation names stay bytes (b"loc:@v"), as ops made in a colocate_with keep them
        return [item.value for item in value.value]
    return python_value(value)


def _scoped_name(graph, name: str) -> str:
    if isinstance(name, bytes):  # TF takes names as bytes too
        name = name.decode()
    if name.endswith("/"):
        check_op_name(name[:-1])
        return name[:-1]
    check_op_name(name)
    return graph.unique_name(name)


def infer_specs(op_def: OpDef, tensors, attrs: dict, op_name: str) -> list[TensorSpec]:
    """Run ``op_def``'s shape function; wrap its complaint in TF's build-time message.

    The message names the op and shows its input shapes, as TF's do:
    ``Dimensions must be equal, but are 3 and 4 for '{{node MatMul}} = MatMul[...]'
    with input shapes: [2,3], [4,5].``
    """
    # Shape functions may also read build-time values (``known_value(spec)``).
    specs = list(map(InputSpec, tensors))  # map, not a comprehension: no frame per op
    public = op_def.public_attrs(attrs)
    try:
        return list(op_def.shape_fn(*specs, **public))
    except (ValueError, TypeError) as err:
        raise type(err)(_build_message(str(err), op_def, op_name, tensors, public)) from None


def _build_message(text: str, op_def: OpDef, op_name: str, tensors, attrs: dict) -> str:
    shown = ", ".join(f"{key}={_attr_text(value)}" for key, value in sorted(attrs.items()))
    args = ", ".join(t.op.name if t.value_index == 0 else t.name for t in tensors)
    shapes = ", ".join(format_shape(t.shape) for t in tensors)
    where = ""
    frames = capture_traceback()
    if frames:
        filename, lineno, _ = frames[-1]
        where = f' (op created at "{display_filename(filename)}", line {lineno})'
    return (
        f"{text.rstrip('.')} for '{{{{node {op_name}}}}} = {op_def.name}[{shown}]({args})' "
        f"with input shapes: {shapes}.{where}"
    )


def _attr_text(value) -> str:
    if isinstance(value, dtypes.DType):
        return f"DT_{dtypes.short_name(value).upper()}"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, np.ndarray):
        return f"<tensor {value.dtype}{list(value.shape)}>"
    return str(value)


def format_shape(shape: TensorShape) -> str:
    """TF's compact shape text: ``[2,?]``, ``[]`` or ``<unknown>``.

    Examples
    --------
    >>> format_shape(TensorShape([2, None]))
    '[2,?]'
    """
    if shape.rank is None:
        return "<unknown>"
    return "[" + ",".join("?" if d is None else str(d) for d in shape.as_tuple()) + "]"


# -- constants and conversion ---------------------------------------------------------


def _infer_dtype(value, array: np.ndarray) -> dtypes.DType:
    """TF's dtype for Python ``value``, given as ``array`` (``_as_array(value)``)."""
    if array.dtype.kind in "US":
        return dtypes.string
    if array.dtype == object:
        return _object_dtype(value, array)
    if array.dtype.kind == "f":
        return dtypes.float32
    if array.dtype.kind == "c":
        return dtypes.complex128
    if array.dtype.kind in "iu":
        fits = array.size == 0 or (array.min() >= -(2**31) and array.max() < 2**31)
        return dtypes.int32 if fits else dtypes.int64
    return dtypes.as_dtype(array.dtype)


def _as_array(value) -> np.ndarray:
    try:
        return np.asarray(value)
    except ValueError:
        raise ValueError(
            f"Can't convert non-rectangular Python sequence to Tensor: {_short(value)}"
        ) from None


def _object_dtype(value, array: np.ndarray) -> dtypes.DType:
    """Strings are the only objects a tensor holds; say what else was given."""
    if value is None:
        raise ValueError("None values not supported.")  # TF's class and words
    for item in array.reshape(-1):
        if item is None:
            raise TypeError(
                f"Failed to convert elements of {_short(value)} to Tensor. Consider casting "
                "elements to a supported type."
            )
        if isinstance(item, int) and not isinstance(item, bool):
            raise TypeError(f"Can't convert Python int {item} to a tensor: it does not fit int64.")
        if not isinstance(item, str | bytes):
            raise TypeError(
                f"Attempt to convert a value ({_short(value)}) with an unsupported type "
                f"({type(item)}) to a Tensor."
            )
    return dtypes.string


def to_numpy(value, dtype: dtypes.DType | None = None) -> np.ndarray:
    """Convert a Python/numpy value to an array of ``dtype`` with TF's checks.

    Raises ``TypeError`` for a value that does not fit ``dtype`` (a float given for
    an int type, an int out of range, a string for a number).

    Examples
    --------
    >>> to_numpy([1, 2]).dtype, to_numpy(1.5).dtype, to_numpy(np.float64(1)).dtype
    (dtype('int32'), dtype('float32'), dtype('float64'))
    >>> to_numpy(1.5, dtypes.int32)
    Traceback (most recent call last):
    ...
    TypeError: Expected int32, but got 1.5 of type 'float'.
    >>> to_numpy(300, dtypes.uint8)
    Traceback (most recent call last):
    ...
    TypeError: Expected uint8, but 300 is out of its range [0, 255].
    """
    raw = None
    if dtype is None:
        if isinstance(value, np.ndarray | np.generic):
            dtype = dtypes.as_dtype(value.dtype)
        else:
            raw = _as_array(value)  # kept for the conversion below: one array, not two
            dtype = _infer_dtype(value, raw)
            if dtype is dtypes.float32:  # Python floats, the commonest: no check below applies
                return np.asarray(raw, dtype=np.float32)
    dtype = dtype.base_dtype
    if dtype is dtypes.string:
        return _string_array(value)
    if isinstance(value, np.ndarray | np.generic):
        return _cast_array(np.asarray(value), dtype, value)
    if raw is None:
        raw = _as_array(value)
    if raw.dtype == object and dtype.is_integer:
        raw = _dimension_values(raw)
    if raw.dtype.kind in "USO":
        raise TypeError(
            f"Expected {dtype.name}, but got {_short(value)} of type '{type(value).__name__}'."
        )
    if raw.dtype.kind in "fc" and (dtype.is_integer or dtype.is_bool) and raw.size:
        raise TypeError(
            f"Expected {dtype.name}, but got {_short(value)} of type '{type(value).__name__}'."
        )
    if raw.dtype.kind in "iu" and dtype.is_integer and raw.size:
        info = np.iinfo(dtype.as_numpy_dtype)
        if raw.min() < info.min or raw.max() > info.max:
            raise TypeError(
                f"Expected {dtype.name}, but {_short(value)} is out of its range "
                f"[{info.min}, {info.max}]."
            )
    return np.asarray(raw, dtype=dtype.as_numpy_dtype)


def _dimension_values(raw: np.ndarray) -> np.ndarray:
    """``raw`` with TF1's ``Dimension`` objects as their values, where an integer type is
    asked for (``tf.zeros([x.shape[1], 4])``, as TF converts them); an unknown one raises
    TF's ``TypeError``."""
    flat = raw.reshape(-1)
    if not any(isinstance(item, Dimension) for item in flat):
        return raw
    values = [int(item) if isinstance(item, Dimension) else item for item in flat]
    return np.asarray(values).reshape(raw.shape)


def _cast_array(array: np.ndarray, dtype: dtypes.DType, original) -> np.ndarray:
    target = np.dtype(dtype.as_numpy_dtype)
    if array.dtype == target:
        return array
    if array.dtype.kind in "USO":
        raise TypeError(f"Expected {dtype.name}, but got an array of {array.dtype}.")
    return array.astype(target)


def _string_array(value) -> np.ndarray:
    array = np.asarray(value, dtype=object)
    flat = array.reshape(-1)
    for i, item in enumerate(flat):
        if isinstance(item, str):
            flat[i] = item.encode()
        elif not isinstance(item, bytes):
            raise TypeError(
                f"Expected string, but got {_short(item)} of type '{type(item).__name__}'."
            )
    return array


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def constant(value, dtype=None, shape=None, name: str = "Const", verify_shape=False) -> Tensor:
    """A tensor holding ``value``, a ``Const`` op.

    Parameters
    ----------
    value : scalar, nested list or numpy array
    dtype : DType, optional
        Defaults to TF's inference (float32 for Python floats, int32 for ints).
    shape : sequence of int, optional
        A scalar ``value`` fills the shape; a value with as many elements is reshaped.
    name : str
    verify_shape : bool
        TF1's check: ``value`` must have ``shape`` itself (``TypeError`` if not).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     c = constant(0.0, shape=[2, 3])
    ...     d = constant([1, 2], dtype=tf.float64)
    >>> c.shape, c.dtype, d.dtype
    (TensorShape([Dimension(2), Dimension(3)]), tf.float32, tf.float64)
    """
    dtype = None if dtype is None else dtypes.as_dtype(dtype)
    try:
        array = to_numpy(value, dtype)
    except NotImplementedError:  # a symbolic tensor's __array__: not a constant's value
        if isinstance(value, Tensor) or first_tensor(value) is not None:
            raise TypeError("Expected any non-tensor type, but got a tensor instead.") from None
        raise
    if shape is not None:
        array = _fit_shape(array, as_shape(shape), verify_shape)
    array = _owned_read_only(array, value)
    return apply_op(
        CONST,
        [],
        name,
        graph=get_default_graph(),
        value=array,
        dtype=dtypes.as_dtype(array.dtype) if dtype is None else dtype,
    ).outputs[0]


def _owned_read_only(array: np.ndarray, value) -> np.ndarray:
    """A constant's value: storage no one else holds, frozen.

    The Const kernel hands its value out as is and fetches copy read-only arrays, so
    neither the user's array (copied here) nor a fetched result can change a constant.
    """
    if isinstance(value, np.ndarray):
        array = array.copy()
    array.setflags(write=False)
    return array


def _fit_shape(array: np.ndarray, shape: TensorShape, verify: bool = False) -> np.ndarray:
    if not shape.is_fully_defined():
        raise ValueError(f"A constant's shape must be fully defined, got {shape}.")
    dims = shape.as_tuple()
    if array.shape == dims:
        return array
    if array.size == 1 and not verify:
        return np.full(dims, array.reshape(()), dtype=array.dtype)
    if array.size == shape.num_elements() and not verify:
        return array.reshape(dims)
    raise TypeError(f"Expected Tensor's shape: {dims}, but got {array.shape}.")


def convert_to_tensor(
    value, dtype=None, name=None, preferred_dtype=None, graph=None, dtype_hint=None
) -> Tensor:
    """Return ``value`` as a Tensor, adding a ``Const`` when it is a Python/numpy value.

    Parameters
    ----------
    value : Tensor, variable, or Python/numpy value
    dtype : DType, optional
        Required dtype; a tensor of another dtype raises ``ValueError``.
    name : str, optional
        Name of a new ``Const``.
    preferred_dtype, dtype_hint : DType, optional
        Tried for Python values; falls back to inference when the value does not fit.
    graph : Graph, optional
        Where a new ``Const`` goes (default: the default graph).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     t = convert_to_tensor([1.0, 2.0])
    ...     u = convert_to_tensor(3, dtype_hint=tf.float32)
    >>> t.dtype, u.dtype
    (tf.float32, tf.float32)
    """
    dtype = None if dtype is None else dtypes.as_dtype(dtype)
    if isinstance(value, Tensor):
        return _check_dtype(value, dtype)
    if isinstance(value, Operation):
        raise TypeError(
            f"Can not convert an Operation ({value.name}) to a Tensor. Use its outputs, "
            "e.g. op.outputs[0]."
        )
    hint = preferred_dtype or dtype_hint
    hint = None if hint is None else dtypes.as_dtype(hint)
    for _, base_type, conversion in _conversion_functions:
        if isinstance(value, base_type):
            tensor = _call_conversion(conversion, value, dtype, hint, name)
            if tensor is not NotImplemented:  # else: not for this value, try the next
                return _check_dtype(tensor, dtype)
    convert = getattr(value, "_as_graph_element", None)
    if convert is not None and not isinstance(value, str):
        element = convert()
        if isinstance(element, Tensor):
            return _check_dtype(element, dtype)
        raise TypeError(f"Can not convert {value!r} to a Tensor.")
    if dtype is None and hint is not None:
        try:
            array = to_numpy(value, hint)
        except TypeError:
            array = to_numpy(value)
    else:
        array = to_numpy(value, dtype)
    array = _owned_read_only(array, value)
    graph = graph if graph is not None else get_default_graph()
    op = apply_op(
        CONST,
        [],
        name or "Const",
        graph=graph,
        value=array,
        dtype=dtype or dtypes.as_dtype(array.dtype),
    )
    return op.outputs[0]


# (priority, type, function), by priority: objects that convert to a tensor by building ops
# (an ``IndexedSlices`` is densified, a list holding tensors packed), see
# register_tensor_conversion_function.
_conversion_functions: list = []


def _call_conversion(conversion, value, dtype, preferred, name):
    """Call a registered conversion as TF's registry does: where no dtype is required, the
    preferred one first, and on ``TypeError``/``ValueError`` again without it. A result of
    another dtype stands (the preferred dtype is only a preference)."""
    if dtype is None and preferred is not None:
        try:
            return conversion(value, dtype=preferred, name=name, as_ref=False)
        except (TypeError, ValueError):
            pass
    return conversion(value, dtype=dtype, name=name, as_ref=False)


def register_tensor_conversion_function(base_type, conversion_func, priority=100) -> None:
    """Teach :func:`convert_to_tensor` to convert objects of ``base_type``.

    ``conversion_func(value, dtype=None, name=None, as_ref=False) -> Tensor``, as TF's;
    returning ``NotImplemented`` passes the value on to the next function. Lower
    ``priority`` values are tried first.

    Examples
    --------
    >>> import runtime as tf
    >>> class Meters:
    ...     def __init__(self, value):
    ...         self.value = value
    >>> register_tensor_conversion_function(
    ...     Meters, lambda m, dtype=None, name=None, as_ref=False: constant(m.value, dtype))
    >>> with tf.Graph().as_default():
    ...     print(convert_to_tensor(Meters(3.0)))
    Tensor("Const:0", shape=(), dtype=float32)
    """
    if not isinstance(base_type, type) and not (
        isinstance(base_type, tuple) and all(isinstance(t, type) for t in base_type)
    ):
        raise TypeError("base_type must be a type or a tuple of types.")
    if not callable(conversion_func):
        raise TypeError("conversion_func must be callable.")
    _conversion_functions.append((priority, base_type, conversion_func))
    _conversion_functions.sort(key=lambda entry: entry[0])  # stable: ties keep their order


def convert_to_tensor_v1(
    value, dtype=None, name=None, preferred_dtype=None, dtype_hint=None
) -> Tensor:
    """TF1's ``tf.convert_to_tensor``: :func:`convert_to_tensor` in the default graph.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.convert_to_tensor(tf.TensorShape([2, 3])))
    ...     print(tf.convert_to_tensor(2, None, "two", tf.float32))
    Tensor("shape_as_tensor:0", shape=(2,), dtype=int32)
    Tensor("two:0", shape=(), dtype=float32)
    """
    return convert_to_tensor(value, dtype, name, preferred_dtype, dtype_hint=dtype_hint)


def _shape_as_tensor(shape, dtype=None, name=None, as_ref=False) -> Tensor:
    """A fully known ``TensorShape``, or a known ``Dimension``, as an int32 ``Const``
    (int64 where a dimension needs it), as TF converts them."""
    kind = type(shape).__name__
    if isinstance(shape, Dimension):
        if shape.value is None:
            raise ValueError(f"Cannot convert unknown Dimension {shape} to a Tensor.")
        values = shape.value
    elif not shape.is_fully_defined():
        raise ValueError(f"Cannot convert a partially known TensorShape {shape} to a Tensor.")
    else:
        values = shape.as_list()
    large = any(size >= 2**31 for size in np.ravel(values))
    if dtype is None:
        dtype = dtypes.int64 if large else dtypes.int32
    elif dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError(
            f"Cannot convert {kind} {shape} to dtype {dtype}. Allowed dtypes are tf.int32 and "
            "tf.int64."
        )
    elif dtype == dtypes.int32 and large:
        raise ValueError(
            f"Cannot convert {kind} {shape} to dtype int32; a dimension is too large. "
            "Consider using tf.int64."
        )
    return constant(values, dtype=dtype, name=name or "shape_as_tensor")


register_tensor_conversion_function((TensorShape, Dimension), _shape_as_tensor)


def _check_dtype(tensor: Tensor, dtype) -> Tensor:
    if dtype is not None and not dtype.is_compatible_with(tensor.dtype):
        raise ValueError(
            f"Tensor conversion requested dtype {dtype.name} for Tensor with dtype "
            f"{tensor.dtype.name}: {tensor}"
        )
    return tensor


# Types that are never a tensor: most entries of a plain nested list are one, so a set
# lookup settles them before any isinstance check (TF's ``_NON_AUTOPACKABLE_TYPES``).
_PLAIN_TYPES = frozenset(
    {bool, int, float, complex, str, bytes, np.ndarray, *np.sctypeDict.values()}
)


def first_tensor(value):
    """The first tensor or variable in the nested lists and tuples ``value``, depth first.

    TF auto-packs a list into a ``Pack`` op exactly when it holds one, at any depth, and
    packs to that one's dtype (its ``_get_dtype_from_nested_lists``).

    Parameters
    ----------
    value : object
        Anything; only lists and tuples are searched.

    Returns
    -------
    Tensor, Variable or None
        ``None`` when ``value`` is not a list or tuple, or holds no tensor.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     n = tf.constant(3, name="n")
    ...     first_tensor([1, [2.0, n]]), first_tensor([[1, 2]]), first_tensor(n)
    (<tf.Tensor 'n:0' shape=() dtype=int32>, None, None)
    """
    if not isinstance(value, list | tuple):
        return None
    if _PLAIN_TYPES.issuperset(map(type, value)):  # numbers only, the commonest: checked in C
        return None
    for item in value:
        if item.__class__ in _PLAIN_TYPES:
            continue
        if isinstance(item, list | tuple):
            found = first_tensor(item)
            if found is not None:
                return found
        elif _is_tensor_like(item):
            return item
    return None


def _is_tensor_like(value) -> bool:
    """A tensor or a variable (TF's ``core.Tensor``); an ``Operation`` is not one."""
    if isinstance(value, Tensor):
        return True
    return hasattr(value, "_as_graph_element") and not isinstance(value, Operation | str)


# -- what an op's builder returns ------------------------------------------------------

# op type -> its namedtuple class, made once: TF's generated modules define one per op.
_OUTPUT_TUPLES: dict[str, type] = {}


def output_tuple(op_type: str) -> type:
    """TF's namedtuple for the outputs of ``op_type``: named after the op type, one field
    per output arg (``TopKV2(values, indices)``).

    The class is made once per op type. It pickles by op type (TF's cannot be pickled).

    Examples
    --------
    >>> TopKV2 = output_tuple("TopKV2")
    >>> TopKV2._fields, TopKV2(1, 2).indices
    (('values', 'indices'), 2)
    """
    cls = _OUTPUT_TUPLES.get(op_type)
    if cls is None:
        cls = collections.namedtuple(op_type, get_op_def(op_type).output_names, module=__name__)
        cls.__reduce__ = _reduce_output_tuple
        _OUTPUT_TUPLES[op_type] = cls
    return cls


def _reduce_output_tuple(self):
    # The class is made at run time, so pickle cannot find it by name: rebuild by op type.
    return _rebuild_output_tuple, (type(self).__name__, tuple(self))


def _rebuild_output_tuple(op_type: str, values: tuple):
    return output_tuple(op_type)(*values)


def op_outputs(op: Operation):
    """``op``'s outputs as TF's generated wrapper for its type returns them.

    Several output args give the op type's :func:`output_tuple` (a list output arg a
    list in it); one output arg its tensor, or a list for a list arg; no outputs the op.

    Parameters
    ----------
    op : Operation

    Returns
    -------
    Tensor, list, namedtuple or Operation

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     result = op_outputs(apply_op("Unique", [tf.constant([3, 3, 1])], "Unique"))
    >>> result
    Unique(y=<tf.Tensor 'Unique:0' shape=(?,) dtype=int32>, idx=<tf.Tensor 'Unique:1' shape=(3,) dtype=int32>)
    """
    args = op.op_def.signature.outputs
    if not args:
        return op
    outputs = op.outputs
    if len(args) == 1:
        return list(outputs) if args[0].is_list else outputs[0]
    values, start = [], 0
    for arg in args:
        if not arg.is_list:
            values.append(outputs[start])
            start += 1
            continue
        count = _list_length(op, arg)
        values.append(list(outputs[start : start + count]))
        start += count
    return output_tuple(op.type)(*values)


def _list_length(op: Operation, arg) -> int:
    """How many outputs the list output ``arg`` of ``op`` has (a length or type-list attr)."""
    if arg.number_attr:
        return op.get_attr(arg.number_attr)
    return len(op.get_attr(arg.type_list_attr))


# -- shape rules shared by many ops ----------------------------------------------------


def same_dtype(op_type: str, *specs: TensorSpec) -> dtypes.DType:
    """The common dtype of ``specs``; ``TypeError`` naming both when they differ."""
    first = specs[0].dtype
    for spec in specs[1:]:
        if spec.dtype != first:
            raise TypeError(
                f"Input dtypes of {op_type} must match, but got {first.name} and {spec.dtype.name}"
            )
    return first


def deprecated_argument_lookup(new_name: str, new, old_name: str, old):
    """The value of an argument TF1 also took under an old name (``keep_dims``, ``dim``).

    Examples
    --------
    >>> deprecated_argument_lookup("axis", None, "dim", 1)
    1
    >>> deprecated_argument_lookup("axis", 0, "dim", 1)
    Traceback (most recent call last):
    ...
    ValueError: Cannot specify both 'dim' and 'axis'.
    """
    if new is not None and old is not None:
        raise ValueError(f"Cannot specify both '{old_name}' and '{new_name}'.")
    return new if new is not None else old


def unchanged(x: TensorSpec, **_attrs) -> list[TensorSpec]:
    """Shape function of ops whose output looks like their (first) input."""
    return [x]


def _const_shape(*, value, dtype):
    return [TensorSpec(dtype, TensorShape(value.shape))]


CONST = register_op(
    OpDef("Const", (), ("output: dtype",), ("value: tensor", "dtype: type"), shape_fn=_const_shape)
)

# Lists that hold tensors convert by packing; its module registers that conversion, and is
# imported here (last: it builds on this module) so convert_to_tensor always packs.
from . import packing  # noqa: E402, F401
