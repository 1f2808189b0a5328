"""A user's Python function as an op: ``numpy_function``, TF1's ``py_func`` and
``py_function``.

The function is kept by its graph, in a table keyed by the op's ``token`` attr (as TF
keeps it in ``graph._py_funcs_used_in_graph``), so a ``GraphDef`` of the graph stays
plain data and the function lives exactly as long as the graph: a bound method whose
object holds the graph does not keep the graph alive.
It receives numpy arrays (object arrays of ``bytes`` for strings), or for a 0-d tensor
a numpy scalar (``bytes`` for a string), as TF passes them, and must return values
whose dtypes are exactly ``Tout``. An exception it raises fails the run with TF's
mapping -- ``ValueError``/``TypeError`` to ``InvalidArgumentError``,
``StopIteration`` to ``OutOfRangeError``, ``NotImplementedError`` to
``UnimplementedError``, an ``OpError`` keeps its class, anything else to
``UnknownError`` -- naming the op and chained to the Python exception.

``py_function`` (op type ``EagerPyFunc``) calls its function as TF calls it in eager
style: the arguments answer ``.numpy()`` (they are :class:`EagerValue`s, numpy arrays
with that method), and results are converted to ``Tout`` as ``tf.convert_to_tensor``
converts (a Python float to float32; a float to an integer type is refused). TF would
differentiate the function's TF ops with a gradient tape; the function here computes
with numpy, so no gradient flows through it.
"""

from __future__ import annotations

import builtins
import itertools
import traceback

import numpy as np

from .. import dtypes
from ..errors import (
    InvalidArgumentError,
    OpError,
    OutOfRangeError,
    ResourceExhaustedError,
    UnimplementedError,
    UnknownError,
    op_error,
)
from ..graph import Tensor, graph_of
from ..registry import Cost, OpDef, TensorSpec, not_differentiable, register_kernel, register_op
from ..shapes import TensorShape
from .core import apply_op, convert_to_tensor

__all__ = ["numpy_function", "py_function"]

_tokens = itertools.count()


def _functions(graph) -> dict:
    """``graph``'s own ``{token: function}`` table. It is an attribute of the graph, not a
    module-level map keyed by graph: a map's values would hold the graph alive through
    any function that refers to it (a bound method of a model holding its graph)."""
    return vars(graph).setdefault("_py_funcs", {})  # atomic: builders may race


def _py_func_shape(*inputs, Tout, **_attrs):
    return [TensorSpec(dtype, TensorShape(None)) for dtype in Tout]


def _py_func_op(op_type: str, stateful: bool, kernel, attrs=()) -> OpDef:
    op_def = register_op(
        OpDef(
            op_type,
            ("input: Tin",),
            ("output: Tout",),
            ("token: string", *attrs, "Tin: list(type) >= 0", "Tout: list(type) >= 0"),
            shape_fn=_py_func_shape,
            is_stateful=stateful,
            cost=Cost.EXPENSIVE,
        )
    )
    not_differentiable(op_type)
    register_kernel(op_type, context=True)(kernel)
    return op_def


def numpy_function(func, inp, Tout, stateful=True, name=None):
    """Wrap ``func`` (numpy arrays in, numpy values out) as an op.

    Parameters
    ----------
    func : callable
        Called with one numpy array per tensor of ``inp`` each time the op runs.
    inp : list of Tensor
    Tout : DType or list of DType
        The dtypes ``func`` returns; a list means ``func`` returns a list/tuple.
    stateful : bool
        ``True`` (``PyFunc``) when ``func`` has side effects or is random.
    name : str, optional

    Returns
    -------
    Tensor, or a list of Tensor when ``Tout`` is a list (the op when it is empty).
    Their static shapes are unknown; use ``set_shape`` to give them one.

    Examples
    --------
    >>> import numpy as np
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.constant([1.0, 4.0, 9.0])
    ...     y = numpy_function(lambda a: np.sqrt(a), [x], tf.float32)
    ...     print(tf.compat.v1.Session().run(y))
    [1. 2. 3.]
    """
    return _build(func, inp, Tout, PY_FUNC if stateful else PY_FUNC_STATELESS, name or "PyFunc")


def py_func(func, inp, Tout, stateful=True, name=None):
    """``tf.compat.v1.py_func``: the same op as :func:`numpy_function`.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     a, b = py_func(lambda x: (x + 1, x * 2), [tf.constant(3)], [tf.int32, tf.int32])
    ...     print(tf.compat.v1.Session().run([a, b]))
    [np.int32(4), np.int32(6)]
    """
    return _build(func, inp, Tout, PY_FUNC if stateful else PY_FUNC_STATELESS, name or "PyFunc")


def py_function(func=None, inp=None, Tout=None, name=None):
    """Wrap ``func`` as an op that calls it, eager style, each time the op runs.

    Parameters
    ----------
    func : callable
        Called with one :class:`EagerValue` (a numpy array that also has ``.numpy()``)
        per tensor of ``inp``. Without ``func``, ``py_function(inp=..., Tout=...)`` is
        a decorator.
    inp : list of Tensor
    Tout : DType or list of DType
        What ``func`` returns, converted as ``tf.convert_to_tensor`` converts; a list
        means ``func`` returns a list/tuple (an empty one: it returns ``None``).
    name : str, optional

    Returns
    -------
    Tensor, or a list of Tensor when ``Tout`` is a list (the op when it is empty),
    of unknown static shape. The op (``EagerPyFunc``) is stateful and has no gradient.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.constant([1.0, 2.0, 3.0])
    ...     total = py_function(lambda a: a.numpy().sum() * 2, [x], tf.float32)
    ...     print(tf.compat.v1.Session().run(total))
    12.0
    """
    if func is None:
        return lambda decorated: py_function(decorated, inp, Tout, name)
    return _build(func, inp, Tout, EAGER_PY_FUNC, name or "EagerPyFunc")


def _build(func, inp, Tout, op_def: OpDef, name: str):
    if not callable(func):
        raise ValueError(
            f"Expected func to be callable. Received func={func!r} of type {type(func)}."
        )
    many = isinstance(Tout, list | builtins.tuple)
    out_types = [dtypes.as_dtype(t) for t in (Tout if many else [Tout])]
    inputs = list(inp) if isinstance(inp, list | builtins.tuple) else [inp]
    graph = graph_of(inputs)
    with graph.name_scope(name) as scope:
        tensors = [_value(convert_to_tensor(value)) for value in inputs]
        token = f"pyfunc_{next(_tokens)}"
        _functions(graph)[token] = func
        op = apply_op(
            op_def,
            [tensors],
            scope,
            graph=graph,
            token=token,
            Tin=[t.dtype for t in tensors],
            Tout=out_types,
        )
    if many:
        return op.outputs if out_types else op
    return op.outputs[0]


def _value(tensor: Tensor) -> Tensor:
    if tensor.dtype.is_ref_dtype:
        from .array_ops import identity

        return identity(tensor)
    return tensor


# -- the kernel ------------------------------------------------------------------------

_ERROR_CLASSES = (
    ((ValueError, TypeError), InvalidArgumentError),
    ((StopIteration,), OutOfRangeError),
    ((MemoryError,), ResourceExhaustedError),
    ((NotImplementedError,), UnimplementedError),
)


def _error_class(err: Exception) -> type:
    if isinstance(err, OpError):
        return type(err)
    for python_types, cls in _ERROR_CLASSES:
        if isinstance(err, python_types):
            return cls
    return UnknownError


def _py_func_kernel(ctx, *inputs, token, Tin, Tout):
    args = [_numpy_argument(value) for value in inputs]
    return _check_results(ctx, token, _call(ctx, token, args), Tout)


def _numpy_argument(value: np.ndarray):
    """``value`` as TF hands it to a ``py_func``: a 0-d tensor becomes a numpy scalar
    (``bytes`` for a string, so ``s.decode()`` works), any other stays an array.

    Examples
    --------
    >>> _numpy_argument(np.asarray(1.5, np.float32)), _numpy_argument(np.asarray(b"a", object))
    (np.float32(1.5), b'a')
    """
    array = np.asarray(value)
    return array[()] if array.ndim == 0 else array


def _eager_py_func_kernel(ctx, *inputs, token, is_async, Tin, Tout):
    args = [np.asarray(value).view(EagerValue) for value in inputs]
    return _converted_results(ctx, token, _call(ctx, token, args), Tout)


class EagerValue(np.ndarray):
    """An argument of a :func:`py_function`: a numpy array that also answers
    ``.numpy()``, as the eager tensor TF passes does.

    Examples
    --------
    >>> value = np.asarray([1.0, 2.0]).view(EagerValue)
    >>> value.numpy(), np.asarray(b"ab", dtype=object).view(EagerValue).numpy()
    (array([1., 2.]), b'ab')
    """

    def numpy(self):
        """The value as numpy gives it: an array, or a scalar (``bytes`` for a string)."""
        array = self.view(np.ndarray)
        return array[()] if array.ndim == 0 else array


def _call(ctx, token: str, args):
    """The graph's function ``token`` called on ``args``; its errors become TF's."""
    func = _functions(ctx.op.graph).get(token)
    if func is None:
        raise op_error(
            UnknownError,
            ctx.op,
            f"The Python function of {token} is not available (was its graph rebuilt?).",
            ctx.device,
        )
    try:
        result = func(*args)
    except Exception as err:
        text = "".join(traceback.format_exception(err)).rstrip()
        cls = _error_class(err)
        raise op_error(cls, ctx.op, f"{type(err).__name__}: {err}\n{text}", ctx.device) from err
    return result


def _check_results(ctx, token: str, result, out_types) -> builtins.tuple:
    many = len(out_types) != 1 or isinstance(result, list | builtins.tuple)
    values = [] if result is None and not out_types else list(result) if many else [result]
    if len(values) != len(out_types):
        raise op_error(
            InvalidArgumentError,
            ctx.op,
            f"{token} returns {len(values)} values, but expects to see {len(out_types)} values.",
            ctx.device,
        )
    arrays = [_as_array(value) for value in values]
    for index, (array, dtype) in enumerate(zip(arrays, out_types)):
        got = dtypes.string if array.dtype.kind in "OSU" else dtypes.as_dtype(array.dtype)
        if got != dtype:
            raise op_error(
                InvalidArgumentError,
                ctx.op,
                f"{index}-th value returned by {token} is {got.name}, but expects {dtype.name}",
                ctx.device,
            )
    return builtins.tuple(arrays)


def _converted_results(ctx, token: str, result, out_types) -> builtins.tuple:
    """``py_function``'s results as ``Tout``: a list or tuple gives one value per
    output, ``None`` none, anything else the first output."""
    if isinstance(result, list | builtins.tuple):
        values = list(result)[: len(out_types)]
    else:
        values = [] if result is None else [result]
    if len(values) != len(out_types):
        raise op_error(
            InvalidArgumentError,
            ctx.op,
            f"{token} returns {len(values)} values, but expects to see {len(out_types)} values.",
            ctx.device,
        )
    return builtins.tuple(
        _converted(ctx, _as_array(value), dtype) for value, dtype in zip(values, out_types)
    )


def _converted(ctx, array: np.ndarray, dtype) -> np.ndarray:
    """``array`` as ``dtype``, where ``tf.convert_to_tensor`` converts (within a kind,
    or integers and bools to floats; not floats to integers, nor numbers to strings)."""
    wanted = np.dtype(object) if dtype == dtypes.string else np.dtype(dtype.as_numpy_dtype)
    if array.dtype == wanted:
        return array.view(np.ndarray)
    numbers = array.dtype.kind != "O" and wanted.kind != "O"
    if numbers and np.can_cast(array.dtype, wanted, "same_kind"):
        return array.astype(wanted)
    raise op_error(
        InvalidArgumentError,
        ctx.op,
        f"TypeError: Cannot convert {array[()] if array.ndim == 0 else array} to EagerTensor of "
        f"dtype {dtype.name}",
        ctx.device,
    )


def _as_array(value) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype.kind in "SU":
        # Plain ``bytes``, not ``np.bytes_``: a fetched string is ``bytes`` in TF.
        flat = [_bytes(item) for item in array.reshape(-1)]
        strings = np.empty(len(flat), dtype=object)
        strings[:] = flat
        return strings.reshape(array.shape)
    return array


def _bytes(item) -> bytes:
    return item.encode() if isinstance(item, str) else bytes(item)


PY_FUNC = _py_func_op("PyFunc", True, _py_func_kernel)
PY_FUNC_STATELESS = _py_func_op("PyFuncStateless", False, _py_func_kernel)
EAGER_PY_FUNC = _py_func_op(
    "EagerPyFunc", True, _eager_py_func_kernel, attrs=("is_async: bool = false",)
)
