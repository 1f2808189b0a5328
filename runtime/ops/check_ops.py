"""Assertions and numeric checks: ``tf.debugging.assert_*``, ``check_numerics``,
``verify_tensor_all_finite``, ``add_check_numerics_ops``.

As in TF's graph mode, an assertion is checked when the graph is built if the values
are known then (a failing one raises ``InvalidArgumentError`` at once, naming the
data), else it becomes an ``Assert`` op that fails the run. Rank and type assertions
are static where the rank or type is known (``ValueError`` / ``TypeError``).
``CheckNumerics`` passes its input through and fails the run on inf or NaN.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..errors import InvalidArgumentError
from ..graph import Tensor, get_default_graph, graph_of
from ..registry import OpDef, register_gradient, register_op
from ..scopes import control_dependencies, name_scope
from ..shapes import TensorShape
from . import array_ops, math_ops
from .constant_value import constant_value
from .control_flow_ops import group, no_op
from .core import apply_op, convert_to_tensor, unchanged
from .logging_ops import Assert

__all__ = [
    "add_check_numerics_ops",
    "assert_equal",
    "assert_greater",
    "assert_greater_equal",
    "assert_integer",
    "assert_less",
    "assert_less_equal",
    "assert_near",
    "assert_negative",
    "assert_non_negative",
    "assert_non_positive",
    "assert_none_equal",
    "assert_positive",
    "assert_proper_iterable",
    "assert_rank",
    "assert_rank_at_least",
    "assert_rank_in",
    "assert_same_float_dtype",
    "assert_scalar",
    "assert_shapes",
    "assert_type",
    "check_numerics",
    "is_non_decreasing",
    "is_numeric_tensor",
    "is_strictly_increasing",
    "verify_tensor_all_finite",
]


def _static_failure(data) -> InvalidArgumentError:
    """TF's build-time failure: the data, known values shown, one per line."""
    lines = []
    for item in data:
        value = constant_value(item) if isinstance(item, Tensor) else None
        lines.append(str(item) if not isinstance(item, Tensor) or value is None else str(value))
    return InvalidArgumentError(None, None, "\n".join(lines))


def _binary_assert(sym: str, opname: str, test, static_test, x, y, data, summarize, message, name):
    with name_scope(name, opname, [x, y]):
        graph = graph_of([x, y])
        x = convert_to_tensor(x, name="x", graph=graph)
        y = convert_to_tensor(y, name="y", graph=graph)
        if data is None:
            data = [
                f"Condition x {sym} y did not hold element-wise:",
                f"x ({x.name}) = ",
                x,
                f"y ({y.name}) = ",
                y,
            ]
        if message is not None:
            data = [message, *data]
        condition = math_ops.reduce_all(test(x, y))
        x_static, y_static = constant_value(x), constant_value(y)
        known = x_static is not None and y_static is not None
        if known and not np.all(static_test(x_static, y_static)):
            raise _static_failure(data)
        return Assert(condition, data, summarize=summarize)


def _binary(sym: str, opname: str, test, static_test, doc: str):
    def build(x, y, data=None, summarize=None, message=None, name=None):
        return _binary_assert(sym, opname, test, static_test, x, y, data, summarize, message, name)

    build.__name__ = build.__qualname__ = opname
    build.__doc__ = doc
    return build


def assert_equal(x, y, data=None, summarize=None, message=None, name=None):
    """An op failing the run unless ``x == y`` everywhere (broadcasting); raises at once
    when both values are known and differ.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.int32, [2])
    ...     check = assert_equal(x, [1, 2])
    ...     with tf.control_dependencies([check]):
    ...         y = tf.identity(x)
    ...     print(tf.compat.v1.Session().run(y, {x: [1, 2]}))
    [1 2]
    """
    # TF opens this scope once before the check's own, so the check's ops are named
    # "assert_equal_1/..." (and a tensor compared with itself is a NoOp in the first).
    with name_scope(name, "assert_equal", [x, y, data]):
        if x is y:
            return no_op()
    return _binary_assert(
        "==", "assert_equal", math_ops.equal, np.equal, x, y, data, summarize, message, name
    )


assert_none_equal = _binary(
    "!=",
    "assert_none_equal",
    math_ops.not_equal,
    np.not_equal,
    "An op failing the run unless ``x != y`` everywhere.",
)
assert_less = _binary(
    "<", "assert_less", math_ops.less, np.less, "An op failing the run unless ``x < y`` everywhere."
)
assert_less_equal = _binary(
    "<=",
    "assert_less_equal",
    math_ops.less_equal,
    np.less_equal,
    "An op failing the run unless ``x <= y`` everywhere.",
)
assert_greater = _binary(
    ">",
    "assert_greater",
    math_ops.greater,
    np.greater,
    "An op failing the run unless ``x > y`` everywhere.",
)
assert_greater_equal = _binary(
    ">=",
    "assert_greater_equal",
    math_ops.greater_equal,
    np.greater_equal,
    "An op failing the run unless ``x >= y`` everywhere.",
)


def _sign_assert(sym: str, opname: str, test, x, data, summarize, message, name):
    with name_scope(name, opname, [x]):
        x = convert_to_tensor(x, name="x", graph=graph_of([x]))
        if data is None:
            data = [f"Condition x {sym} 0 did not hold element-wise:", f"x ({x.name}) = ", x]
        if message is not None:
            data = [message, *data]
        zero = array_ops.zeros([], dtype=x.dtype.base_dtype)
        return test(x, zero, data=data, summarize=summarize)


def _sign(sym: str, opname: str, test, doc: str):
    def build(x, data=None, summarize=None, message=None, name=None):
        return _sign_assert(sym, opname, test, x, data, summarize, message, name)

    build.__name__ = build.__qualname__ = opname
    build.__doc__ = doc
    return build


assert_negative = _sign("<", "assert_negative", assert_less, "Every element of ``x`` is < 0.")
assert_positive = _sign(
    ">",
    "assert_positive",
    lambda x, zero, **kw: assert_less(zero, x, **kw),
    "Every element of ``x`` is > 0.",
)
assert_non_negative = _sign(
    ">=",
    "assert_non_negative",
    lambda x, zero, **kw: assert_less_equal(zero, x, **kw),
    "Every element of ``x`` is >= 0.",
)
assert_non_positive = _sign(
    "<=", "assert_non_positive", assert_less_equal, "Every element of ``x`` is <= 0."
)


def assert_near(x, y, rtol=None, atol=None, data=None, summarize=None, message=None, name=None):
    """An op failing the run unless ``|x - y| <= atol + rtol * |y|`` everywhere (the
    tolerances default to 10 eps of the dtype).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     assert_near(tf.constant(1.0), tf.constant(1.0 + 1e-7))  # doctest: +ELLIPSIS
    <tf.Operation 'assert_near/Assert/...>
    """
    with name_scope(name, "assert_near", [x, y, rtol, atol]):
        graph = graph_of([x, y])
        x = convert_to_tensor(x, name="x", graph=graph)
        y = convert_to_tensor(y, name="y", dtype=x.dtype.base_dtype, graph=graph)
        dtype = x.dtype.base_dtype
        eps = np.finfo(
            dtype.real_dtype.as_numpy_dtype if dtype.is_complex else dtype.as_numpy_dtype
        ).eps
        tolerance = dtype.real_dtype if dtype.is_complex else dtype
        rtol = convert_to_tensor(10 * eps if rtol is None else rtol, tolerance, "rtol")
        atol = convert_to_tensor(10 * eps if atol is None else atol, tolerance, "atol")
        if data is None:
            data = [
                "x and y not equal to tolerance rtol = ",
                rtol,
                ", atol = ",
                atol,
                f"x ({x.name}) = ",
                x,
                f"y ({y.name}) = ",
                y,
            ]
        if message is not None:
            data = [message, *data]
        difference = math_ops.abs(math_ops.subtract(x, y))
        bound = math_ops.add(atol, math_ops.multiply(rtol, math_ops.abs(y)))
        return Assert(math_ops.reduce_all(math_ops.less_equal(difference, bound)), data, summarize)


def _rank_assert(kind: str, opname: str, holds, x, rank, data, summarize, message, name):
    """``assert_rank`` & co: static when ``x``'s rank is known, else an ``Assert``."""
    with name_scope(name, opname, [x, rank]):
        x = convert_to_tensor(x, name="x", graph=graph_of([x]))
        prefix = f"{message} " if message else ""
        if x.shape.rank is not None and not isinstance(rank, Tensor):
            if not holds(x.shape.rank, rank):
                raise ValueError(
                    f"{prefix}Tensor {x.name} must have rank {kind}{rank}.  Received rank "
                    f"{x.shape.rank}, shape {x.shape}"
                )
            return no_op(name="static_checks_determined_all_ok")
        wanted = convert_to_tensor(rank, name="rank")
        if data is None:
            data = [
                prefix,
                f"Tensor {x.name} must have rank {kind}",
                wanted,
                "Received shape: ",
                array_ops.shape(x),
            ]
        actual = array_ops.rank(x)
        condition = math_ops.reduce_any(holds_tensor(kind)(actual, wanted))
        return Assert(condition, data, summarize=summarize)


def holds_tensor(kind: str):
    if kind == "at least ":
        return math_ops.greater_equal
    return math_ops.equal


def assert_rank(x, rank, data=None, summarize=None, message=None, name=None):
    """Asserts that ``x`` has rank ``rank``: ``ValueError`` now if its rank is known,
    else an op failing the run.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     assert_rank(tf.zeros([2, 3]), 1)
    Traceback (most recent call last):
    ...
    ValueError: Tensor zeros:0 must have rank 1.  Received rank 2, shape (2, 3)
    """
    return _rank_assert(
        "", "assert_rank", lambda a, b: a == b, x, rank, data, summarize, message, name
    )


def assert_rank_at_least(x, rank, data=None, summarize=None, message=None, name=None):
    """Asserts that ``x`` has rank ``rank`` or more (see :func:`assert_rank`)."""
    return _rank_assert(
        "at least ",
        "assert_rank_at_least",
        lambda a, b: a >= b,
        x,
        rank,
        data,
        summarize,
        message,
        name,
    )


def assert_rank_in(x, ranks, data=None, summarize=None, message=None, name=None):
    """Asserts that the rank of ``x`` is one of ``ranks``."""
    with name_scope(name, "assert_rank_in", [x]):
        x = convert_to_tensor(x, name="x", graph=graph_of([x]))
        prefix = f"{message} " if message else ""
        ranks = list(ranks)
        if x.shape.rank is not None and not any(isinstance(r, Tensor) for r in ranks):
            if x.shape.rank not in ranks:
                raise ValueError(
                    f"{prefix}Tensor {x.name} must have rank in {tuple(ranks)}.  Received rank "
                    f"{x.shape.rank}, shape {x.shape}"
                )
            return no_op(name="static_checks_determined_all_ok")
        wanted = convert_to_tensor(ranks, dtype=dtypes.int32, name="ranks")
        if data is None:
            data = [
                prefix,
                f"Tensor {x.name} must have rank in",
                wanted,
                "Received shape: ",
                array_ops.shape(x),
            ]
        condition = math_ops.reduce_any(math_ops.equal(array_ops.rank(x), wanted))
        return Assert(condition, data, summarize=summarize)


def _dimension_sizes(x: Tensor):
    """Each dimension of ``x``: an int where static, else a scalar tensor (the shape
    tensor itself when the rank is unknown); a scalar is taken as one dimension of
    size 1 (TF's rule)."""
    if x.shape.rank == 0:
        return [1]
    dynamic = array_ops.shape(x)
    if x.shape.rank is None:
        return dynamic  # indexed when a size is needed
    return [d if d is not None else dynamic[i] for i, d in enumerate(x.shape.as_list())]


def _is_known(size) -> bool:
    return isinstance(size, int | np.integer)


def assert_shapes(shapes, data=None, summarize=None, message=None, name=None):
    """Asserts that tensors have the shapes ``shapes`` gives: ``[(tensor, (2, 'N',
    None)), ...]`` or a dict. An int is a fixed size, a string a size shared by every
    use of that string, ``None`` or ``'.'`` any size, and a first ``...`` or ``'*'`` any
    number of leading dimensions. Checked when the graph is built where the sizes are
    known (``ValueError``), by ``Assert`` ops otherwise.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x, y = tf.zeros([2, 3]), tf.zeros([3, 5])
    ...     assert_shapes([(x, ("N", "Q")), (y, ("Q", 4))])
    Traceback (most recent call last):
    ...
    ValueError: Specified explicitly.  Tensor zeros_1:0 dimension 1 must have size 4.  Received size 5, shape (3, 5)
    """
    if isinstance(shapes, dict):
        shapes = shapes.items()
    prefix = f"{message} " if message else ""
    with name_scope(name, "assert_shapes", []):
        entries = []
        for tensor, spec in shapes:
            if spec is None:
                continue
            tensor = convert_to_tensor(tensor, graph=graph_of([tensor]))
            if not hasattr(spec, "__iter__") and not hasattr(spec, "__getitem__"):
                raise ValueError(
                    f"{prefix}Tensor {tensor.name}.  Specified shape must be an iterable.  An "
                    "iterable has the attribute `__iter__` or `__getitem__`.  Received "
                    f"specified shape: {spec}"
                )
            spec = tuple(spec.as_list() if isinstance(spec, TensorShape) else spec)
            leading = bool(spec) and spec[0] in (Ellipsis, "*")
            for i, symbol in enumerate(spec[1:] if leading else spec, 1 if leading else 0):
                if symbol in (Ellipsis, "*"):
                    raise ValueError(
                        f"{prefix}Tensor {tensor.name} specified shape index {i}.  Symbol `...` "
                        "or `*` for a variable number of unspecified dimensions is only allowed "
                        "as the first entry"
                    )
            symbols = (spec[1:] if leading else spec) or (1,)
            entries.append((tensor, leading, symbols))
        ranks = []
        for tensor, leading, symbols in entries:
            rank = len(symbols)
            if leading:
                if rank > 1:
                    ranks.append(assert_rank_at_least(tensor, rank, data, summarize, message))
            elif rank == 1:
                ranks.append(assert_rank_in(tensor, [0, 1], data, summarize, message))
            else:
                ranks.append(assert_rank(tensor, rank, data, summarize, message))
        sizes_checks, known = [], {}
        for tensor, leading, symbols in entries:
            actual = _dimension_sizes(tensor)
            for i, symbol in enumerate(symbols):
                if symbol is None or symbol == ".":
                    continue
                dim = i - len(symbols) if leading else i
                with control_dependencies(ranks):
                    size = actual[dim]
                if _is_known(symbol):
                    wanted, origin = int(symbol), "Specified explicitly"
                elif symbol in known:
                    wanted, by, at = known[symbol]
                    origin = f"Specified by tensor {by.name} dimension {at}"
                else:
                    known[symbol] = (size, tensor, dim)
                    continue
                if _is_known(size) and _is_known(wanted):
                    if int(size) != int(wanted):
                        raise ValueError(
                            f"{prefix}{origin}.  Tensor {tensor.name} dimension {dim} must have "
                            f"size {wanted}.  Received size {size}, shape {tensor.shape}"
                        )
                    continue
                checked = data
                if checked is None:
                    checked = [
                        prefix,
                        origin,
                        f"Tensor {tensor.name} dimension",
                        dim,
                        "must have size",
                        wanted,
                        "Received shape: ",
                        array_ops.shape(tensor),
                    ]
                condition = math_ops.equal(convert_to_tensor(size), convert_to_tensor(wanted))
                sizes_checks.append(Assert(condition, checked, summarize=summarize))
        with control_dependencies(ranks):
            return group(*sizes_checks)


def assert_scalar(tensor, name=None, message=None):
    """``tensor`` itself if it is a scalar (rank 0); ``ValueError`` otherwise."""
    with name_scope(name, "assert_scalar", [tensor]):
        tensor = convert_to_tensor(tensor, name="tensor", graph=graph_of([tensor]))
        rank = tensor.shape.rank
        if rank != 0:
            prefix = f"{message} " if message else ""
            if rank is None:
                raise ValueError(
                    f"{prefix}Expected scalar shape for {tensor.name}, saw unknown shape."
                )
            raise ValueError(
                f"{prefix}Expected scalar shape for {tensor.name}, saw shape: {tensor.shape}."
            )
        return tensor


def assert_integer(x, message=None, name=None):
    """Statically asserts that ``x`` has an integer dtype (``TypeError`` otherwise)."""
    with name_scope(name, "assert_integer", [x]):
        x = convert_to_tensor(x, name="x", graph=graph_of([x]))
        if not x.dtype.base_dtype.is_integer:
            prefix = f"{message} " if message else ""
            raise TypeError(
                f'{prefix}Expected "x" to be integer type.  Found: {x.name} of dtype {x.dtype}'
            )
        return no_op(name="statically_determined_was_integer")


def assert_type(tensor, tf_type, message=None, name=None):
    """Statically asserts that ``tensor`` has dtype ``tf_type`` (``TypeError`` otherwise).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     assert_type(tf.constant(1), tf.float32)
    Traceback (most recent call last):
    ...
    TypeError: Const:0 must be of type tf.float32; got tf.int32
    """
    tf_type = dtypes.as_dtype(tf_type)
    with name_scope(name, "assert_type", [tensor]):
        tensor = convert_to_tensor(tensor, name="tensor", graph=graph_of([tensor]))
        if tensor.dtype.base_dtype != tf_type.base_dtype:
            prefix = f"{message} " if message else ""
            raise TypeError(
                f"{prefix}{tensor.name} must be of type {tf_type!r}; got {tensor.dtype.base_dtype!r}"
            )
        return no_op(name="statically_determined_correct_type")


def assert_same_float_dtype(tensors=None, dtype=None):
    """The one floating dtype of ``tensors`` (and ``dtype``); ``ValueError`` if they
    disagree or are not floating. ``float32`` when there is nothing to check."""
    found = dtypes.as_dtype(dtype) if dtype is not None else None
    for tensor in tensors or []:
        base = tensor.dtype.base_dtype
        if found is None:
            found = base
        elif base != found:
            raise ValueError(f"Expected {found!r}, got {base!r} for tensor {tensor}.")
    if found is None:
        return dtypes.float32
    if not found.is_floating:
        raise ValueError(f"Expected floating point type, got {found!r}.")
    return found


def assert_proper_iterable(values) -> None:
    """``TypeError`` unless ``values`` is an iterable that is not a tensor, array or
    string (those iterate over their elements, usually by mistake)."""
    if isinstance(values, Tensor | np.ndarray | str | bytes):
        raise TypeError(
            f'Expected argument "values" to be a "proper" iterable.  Found: {type(values)}'
        )
    if not hasattr(values, "__iter__"):
        raise TypeError(f'Expected argument "values" to be iterable.  Found: {type(values)}')


def is_numeric_tensor(tensor) -> bool:
    """Whether ``tensor`` is a tensor of a numeric dtype."""
    return isinstance(tensor, Tensor) and tensor.dtype.base_dtype.is_numeric


def _monotonic(test, name_hint, x, name):
    with name_scope(name, name_hint, [x]):
        x = convert_to_tensor(x, name="x", graph=graph_of([x]))
        flat = array_ops.reshape(x, [-1])
        size = array_ops.size(flat)
        return math_ops.reduce_all(test(flat[: size - 1], flat[1:]))


def is_non_decreasing(x, name=None) -> Tensor:
    """True when the elements of ``x`` (in row-major order) never decrease.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.compat.v1.Session().run(is_non_decreasing([1, 1, 2])))
    True
    """
    return _monotonic(math_ops.less_equal, "is_non_decreasing", x, name)


def is_strictly_increasing(x, name=None) -> Tensor:
    """True when the elements of ``x`` (in row-major order) always increase."""
    return _monotonic(math_ops.less, "is_strictly_increasing", x, name)


# -- numeric checks -------------------------------------------------------------------------

CHECK_NUMERICS = register_op(
    OpDef(
        "CheckNumerics",
        ("tensor: T",),
        ("output: T",),
        ("T: {bfloat16, float16, float32, float64}", "message: string"),
        shape_fn=unchanged,
        is_stateful=True,
    )
)


@register_gradient("CheckNumerics")
def _check_numerics_grad(op, grad):
    message = op.get_attr("message")
    message = message.decode() if isinstance(message, bytes) else message
    return [
        check_numerics(
            grad,
            f"Not a number (NaN) or infinity (Inf) values detected in gradient. {message}",
        )
    ]


def check_numerics(tensor, message, name=None) -> Tensor:
    """``tensor`` unchanged; the run fails (``InvalidArgumentError`` with ``message``)
    if it holds inf or NaN.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [])
    ...     checked = check_numerics(x, "x is bad")
    ...     try:
    ...         tf.compat.v1.Session().run(checked, {x: float("nan")})
    ...     except tf.errors.InvalidArgumentError as err:
    ...         print(err.message.splitlines()[0].split(": ", 1)[1])
    x is bad : Tensor had NaN values
    """
    return apply_op(CHECK_NUMERICS, [tensor], name or "CheckNumerics", message=message).outputs[0]


def verify_tensor_all_finite(t=None, msg=None, name=None, x=None, message=None) -> Tensor:
    """TF1's ``verify_tensor_all_finite``: ``t`` passed through :func:`check_numerics`."""
    t = x if t is None else t
    msg = message if msg is None else msg
    with name_scope(name, "VerifyFinite", [t]) as scope:
        t = convert_to_tensor(t, name="t", graph=graph_of([t]))
        with control_dependencies([check_numerics(t, message=msg)]):
            return array_ops.identity(t, name=scope)


def assert_all_finite(x, message, name=None) -> Tensor:
    """TF2's ``tf.debugging.assert_all_finite``: :func:`verify_tensor_all_finite`
    (TF1's ``tf.compat.v1.debugging.assert_all_finite`` is that function itself)."""
    return verify_tensor_all_finite(x, message, name)


def add_check_numerics_ops():
    """A ``group`` of ``check_numerics`` over every floating output of the default
    graph's ops so far (TF1's debugging aid; not for graphs with control flow).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [])
    ...     y = tf.math.log(x)
    ...     checks = add_check_numerics_ops()
    ...     try:
    ...         tf.compat.v1.Session().run([y, checks], {x: -1.0})
    ...     except tf.errors.InvalidArgumentError as err:
    ...         print(err.message.splitlines()[0].split(": ", 1)[1])
    Log:0 : Tensor had NaN values
    """
    graph = get_default_graph()
    checks = []
    for op in graph.get_operations():
        if op.type in ("Enter", "Exit", "Merge", "Switch", "NextIteration", "LoopCond"):
            raise ValueError(
                "`tf.add_check_numerics_ops() is not compatible with TensorFlow control flow "
                "operations such as `tf.cond()` or `tf.while_loop()`."
            )
        for output in op.outputs:
            if output.dtype.base_dtype in (dtypes.float16, dtypes.float32, dtypes.float64):
                message = f"{op.name}:{output.value_index}"
                with control_dependencies(checks[-1:]):
                    checks.append(check_numerics(output, message))
    return group(*checks)


# -- TF2's signatures (tf.compat.v2.debugging): no data argument -------------------------


def _binary_v2(assertion):
    def build(x, y, message=None, summarize=None, name=None):
        return assertion(x, y, summarize=summarize, message=message, name=name)

    return _v2(build, assertion)


def _sign_v2(assertion):
    def build(x, message=None, summarize=None, name=None):
        return assertion(x, summarize=summarize, message=message, name=name)

    return _v2(build, assertion)


def _rank_v2(assertion):
    def build(x, rank, message=None, name=None):
        return assertion(x, rank, message=message, name=name)

    return _v2(build, assertion)


def _v2(build, assertion):
    build.__name__ = build.__qualname__ = assertion.__name__
    build.__doc__ = f"TF2's ``tf.debugging.{assertion.__name__}``: no ``data`` argument."
    return build


def assert_none_equal_v2(x, y, summarize=None, message=None, name=None):
    """TF2's ``tf.debugging.assert_none_equal``: no ``data`` argument."""
    return assert_none_equal(x, y, summarize=summarize, message=message, name=name)


def assert_near_v2(x, y, rtol=None, atol=None, message=None, summarize=None, name=None):
    """TF2's ``tf.debugging.assert_near``: no ``data`` argument."""
    return assert_near(x, y, rtol, atol, summarize=summarize, message=message, name=name)


def assert_rank_in_v2(x, ranks, message=None, name=None):
    """TF2's ``tf.debugging.assert_rank_in``: no ``data`` argument."""
    return assert_rank_in(x, ranks, message=message, name=name)


def assert_scalar_v2(tensor, message=None, name=None):
    """TF2's ``tf.debugging.assert_scalar``: ``message`` before ``name``."""
    return assert_scalar(tensor, name=name, message=message)


V2_OVERRIDES = {
    **{f.__name__: _binary_v2(f) for f in (assert_equal, assert_less, assert_less_equal)},
    **{f.__name__: _binary_v2(f) for f in (assert_greater, assert_greater_equal)},
    **{
        f.__name__: _sign_v2(f)
        for f in (assert_negative, assert_positive, assert_non_negative, assert_non_positive)
    },
    **{f.__name__: _rank_v2(f) for f in (assert_rank, assert_rank_at_least)},
    "assert_none_equal": assert_none_equal_v2,
    "assert_near": assert_near_v2,
    "assert_rank_in": assert_rank_in_v2,
    "assert_scalar": assert_scalar_v2,
}
