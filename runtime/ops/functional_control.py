"""TF1's higher-order functions: ``map_fn``, ``foldl``, ``foldr``, ``scan`` and
``vectorized_map``, built as TF builds them.

Each unstacks its ``elems`` (a tensor, or a nested structure of tensors with one
leading dimension) into ``TensorArray``s, runs ``fn`` once per element in a
``tf.while_loop`` (``maximum_iterations`` the number of elements) and, for
``map_fn`` and ``scan``, writes each result to an accumulating ``TensorArray`` that
is stacked after the loop. So the graph holds ``fn`` once, the loop runs it as many
times as there are elements (known only when the graph runs, if need be), and
``tf.gradients`` differentiates through the loop and the arrays as through any TF1
while loop. ``parallel_iterations``, ``back_prop`` and ``swap_memory`` are the loop's.
"""

from __future__ import annotations

from .. import dtypes, nest
from ..functional import FuncGraph, trace_function, unique_function_name
from ..graph import Tensor, graph_of
from ..shapes import TensorShape
from .array_ops import shape as shape_of
from .control_flow_ops import while_loop_v1
from .core import convert_to_tensor
from .tensor_array_ops import TensorArray

__all__ = ["foldl", "foldr", "map_fn", "scan", "vectorized_map"]


def _check_callable(fn) -> None:
    if not callable(fn):
        raise TypeError(
            f"{getattr(fn, '__name__', repr(fn))} is not callable. Please provide a "
            "callable function."
        )


def _elements(elems, graph) -> list[Tensor]:
    """The leaves of ``elems`` as tensors (refused when there are none)."""
    flat = nest.flatten(elems)
    if not flat:
        raise ValueError(
            "elems must be a Tensor or (possibly nested) sequence of Tensors. Got "
            f"{elems}, which does not contain any Tensors."
        )
    return [convert_to_tensor(leaf, name="elem", graph=graph) for leaf in flat]


def _static_length(elems_flat: list[Tensor]):
    """The elements' common static length (``None`` if unknown); ``ValueError`` for a
    scalar or for lengths that differ."""
    lengths = []
    for tensor in elems_flat:
        if tensor.shape.rank == 0:
            raise ValueError("Elements in elems must be 1+ dimensional Tensors, not scalars")
        lengths.append(None if tensor.shape.rank is None else tensor.shape.as_list()[0])
    known = {length for length in lengths if length is not None}
    if len(known) > 1:
        raise ValueError(f"Dimensions {sorted(known)[0]} and {sorted(known)[1]} are not compatible")
    return known.pop() if known else None


def _length(elems_flat: list[Tensor]):
    """The number of elements: a Python int when known statically, else a tensor."""
    static = _static_length(elems_flat)
    if static is not None:
        return static
    return shape_of(elems_flat[0], out_type=dtypes.int32)[0]


def _unstacked(tensor: Tensor, size, element_shape=None) -> TensorArray:
    array = TensorArray(
        tensor.dtype.base_dtype,
        size=size,
        dynamic_size=False,
        infer_shape=True,
        element_shape=element_shape,
    )
    return array.unstack(tensor)


def _accumulator(dtype, size, shape, infer_shape: bool) -> TensorArray:
    return TensorArray(
        dtypes.as_dtype(dtype).base_dtype,
        size=size,
        dynamic_size=False,
        infer_shape=infer_shape,
        element_shape=shape,
    )


def _stacked(arrays, length) -> list[Tensor]:
    """The accumulators stacked, their leading dimension the static length if known."""
    results = []
    for array in arrays:
        stacked = array.stack()
        known = TensorShape([length if isinstance(length, int) else None])
        stacked.set_shape(known.concatenate(stacked.shape[1:]))
        results.append(stacked)
    return results


def map_fn(
    fn,
    elems,
    dtype=None,
    parallel_iterations=None,
    back_prop=True,
    swap_memory=False,
    infer_shape=True,
    name=None,
    fn_output_signature=None,
):
    """Apply ``fn`` to each element of ``elems`` (unstacked on dimension 0), stacking the
    results.

    Parameters
    ----------
    fn : callable
        Takes one element, in the structure of ``elems``; returns a tensor or a nested
        structure of tensors (by default the structure and dtypes of ``elems``).
    elems : tensor or nested structure of tensors
        All with the same leading dimension, the number of elements.
    dtype, fn_output_signature : DType or nested structure of DTypes, optional
        The structure and dtypes ``fn`` returns, when they are not those of ``elems``
        (``fn_output_signature`` is TF2's name; ``dtype`` TF1's).
    parallel_iterations : int, optional
        The loop's (default 10).
    back_prop : bool
        ``False`` stops gradients at the results.
    swap_memory : bool
        Accepted for TF1 code; values stay in memory.
    infer_shape : bool
        The results of all elements have one shape.
    name : str, optional

    Returns
    -------
    A tensor or structure of tensors, each the stacked results.

    Raises
    ------
    TypeError
        ``fn`` is not callable, or returns another structure than declared.
    ValueError
        ``elems`` holds no tensor, a scalar, or tensors whose lengths differ.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     squares = map_fn(lambda x: x * x, tf.constant([1, 2, 3]))
    ...     pairs = map_fn(lambda p: p[0] + p[1], (tf.constant([1, 2]), tf.constant([10, 20])),
    ...                    dtype=tf.int32)
    ...     print(*tf.compat.v1.Session().run([squares, pairs]))
    [1 4 9] [11 22]
    """
    _check_callable(fn)
    signature = fn_output_signature if fn_output_signature is not None else dtype
    graph = graph_of(nest.flatten(elems))
    with graph.name_scope(name or "map"):
        elems_flat = _elements(elems, graph)
        length = _length(elems_flat)
        elems_arrays = [_unstacked(t, length) for t in elems_flat]
        if signature is None:
            out_structure, out_dtypes = elems, [t.dtype.base_dtype for t in elems_flat]
        else:
            out_structure, out_dtypes = signature, nest.flatten(signature)
        accumulators = [_accumulator(d, length, None, infer_shape) for d in out_dtypes]

        def compute(i, arrays):
            element = nest.pack_sequence_as(elems, [array.read(i) for array in elems_arrays])
            result = fn(element)
            nest.assert_same_structure(out_structure, result)
            flat = [_written(value, d) for value, d in zip(nest.flatten(result), out_dtypes)]
            return i + 1, [array.write(i, value) for array, value in zip(arrays, flat)]

        _, arrays = while_loop_v1(
            lambda i, _: i < length,
            compute,
            (convert_to_tensor(0), accumulators),
            parallel_iterations=parallel_iterations or 10,
            back_prop=back_prop,
            swap_memory=swap_memory,
            maximum_iterations=length,
        )
        results = _stacked(arrays, length)
    return nest.pack_sequence_as(out_structure, results)


def _written(value, dtype) -> Tensor:
    """``fn``'s result as the accumulator's dtype needs it (a Python value is converted)."""
    dtype = dtypes.as_dtype(dtype).base_dtype
    if isinstance(value, Tensor):
        return value
    return convert_to_tensor(value, dtype=dtype)


def _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory, name, reverse):
    """``foldl`` (``reverse=False``) and ``foldr``: ``a = fn(a, element)`` over the
    elements, from the first (last), starting from ``initializer`` or that element."""
    _check_callable(fn)
    graph = graph_of([*nest.flatten(elems), *nest.flatten(initializer)])
    with graph.name_scope(name or ("foldr" if reverse else "foldl")):
        elems_flat = _elements(elems, graph)
        length = _length(elems_flat)
        arrays = nest.pack_sequence_as(elems, [_unstacked(t, length) for t in elems_flat])

        def element(i):
            return nest.map_structure(lambda array: array.read(i), arrays)

        if initializer is None:
            start = length - 1 if reverse else 1
            accumulator = element(start if reverse else 0)
        else:
            start = length if reverse else 0
            accumulator = initializer

        def compute(i, a):
            if reverse:
                i -= 1
                return [i, fn(a, element(i))]
            return [i + 1, fn(a, element(i))]

        _, result = while_loop_v1(
            (lambda i, _: i > 0) if reverse else (lambda i, _: i < length),
            compute,
            [convert_to_tensor(start), accumulator],
            parallel_iterations=parallel_iterations,
            back_prop=back_prop,
            swap_memory=swap_memory,
            maximum_iterations=length,
        )
    return result


def foldl(
    fn,
    elems,
    initializer=None,
    parallel_iterations=10,
    back_prop=True,
    swap_memory=False,
    name=None,
):
    """Fold ``fn`` over the elements of ``elems`` from the first: ``a = fn(a, x)``.

    Parameters
    ----------
    fn : callable
        ``fn(accumulator, element) -> accumulator``, in the structure of
        ``initializer`` (or of ``elems`` without one).
    elems : tensor or nested structure of tensors
        Unstacked on dimension 0.
    initializer : tensor or nested structure, optional
        The first accumulator; without one it is the first element, and the fold
        starts at the second.
    parallel_iterations, back_prop, swap_memory :
        The loop's (see ``tf.while_loop``).
    name : str, optional

    Returns
    -------
    The last accumulator.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     total = foldl(lambda a, x: a + x, tf.constant([1, 2, 3, 4]))
    ...     listed = foldl(lambda a, x: a * 10 + x, tf.constant([1, 2, 3]), initializer=0)
    ...     print(*tf.compat.v1.Session().run([total, listed]))
    10 123
    """
    return _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory, name, False)


def foldr(
    fn,
    elems,
    initializer=None,
    parallel_iterations=10,
    back_prop=True,
    swap_memory=False,
    name=None,
):
    """Fold ``fn`` over the elements of ``elems`` from the last: ``a = fn(a, x)``.

    As :func:`foldl`, in reverse order; without ``initializer`` the last element is
    the first accumulator.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     digits = foldr(lambda a, x: a * 10 + x, tf.constant([1, 2, 3]), initializer=0)
    ...     print(tf.compat.v1.Session().run(digits))
    321
    """
    return _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory, name, True)


def scan(
    fn,
    elems,
    initializer=None,
    parallel_iterations=10,
    back_prop=True,
    swap_memory=False,
    infer_shape=True,
    reverse=False,
    name=None,
):
    """The successive accumulators of ``a = fn(a, x)`` over the elements, stacked.

    Parameters
    ----------
    fn : callable
        ``fn(accumulator, element) -> accumulator``, in the structure of
        ``initializer`` (or of ``elems`` without one).
    elems : tensor or nested structure of tensors
        Unstacked on dimension 0.
    initializer : tensor or nested structure, optional
        The accumulator before the first element; without one the first element is
        the first result, and ``fn`` runs from the second.
    parallel_iterations, back_prop, swap_memory :
        The loop's (see ``tf.while_loop``).
    infer_shape : bool
        The accumulators of all steps have one shape.
    reverse : bool
        Scan from the last element to the first (results keep the elements' order).
    name : str, optional

    Returns
    -------
    A tensor or structure of tensors: the accumulators stacked, one per element.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     sums = scan(lambda a, x: a + x, tf.constant([1, 2, 3, 4]))
    ...     back = scan(lambda a, x: a + x, tf.constant([1, 2, 3, 4]), reverse=True)
    ...     print(*tf.compat.v1.Session().run([sums, back]))
    [ 1  3  6 10] [10  9  7  4]
    """
    _check_callable(fn)
    graph = graph_of([*nest.flatten(elems), *nest.flatten(initializer)])
    out_structure = elems if initializer is None else initializer
    with graph.name_scope(name or "scan"):
        elems_flat = _elements(elems, graph)
        length = _length(elems_flat)
        elems_arrays = [_unstacked(t, length, t.shape[1:]) for t in elems_flat]
        if initializer is None:
            first = length - 1 if reverse else 0
            a_flat = [array.read(first) for array in elems_arrays]
            start = 1
        else:
            a_flat = [convert_to_tensor(value) for value in nest.flatten(initializer)]
            start = 0
        accumulators = [
            _accumulator(a.dtype, length, a.shape if infer_shape else None, infer_shape)
            for a in a_flat
        ]
        if initializer is None:
            accumulators = [array.write(first, a) for array, a in zip(accumulators, a_flat)]

        def compute(i, a_flat, arrays):
            element = nest.pack_sequence_as(elems, [array.read(i) for array in elems_arrays])
            a_out = fn(nest.pack_sequence_as(out_structure, a_flat), element)
            nest.assert_same_structure(out_structure, a_out)
            flat = nest.flatten(a_out)
            arrays = [array.write(i, value) for array, value in zip(arrays, flat)]
            return (i - 1 if reverse else i + 1), flat, arrays

        _, _, arrays = while_loop_v1(
            (lambda i, _1, _2: i >= 0) if reverse else (lambda i, _1, _2: i < length),
            compute,
            (convert_to_tensor(length - 1 - start if reverse else start), a_flat, accumulators),
            parallel_iterations=parallel_iterations,
            back_prop=back_prop,
            swap_memory=swap_memory,
            maximum_iterations=length,
        )
        results = _stacked(arrays, length)
    return nest.pack_sequence_as(out_structure, results)


def vectorized_map(fn, elems, fallback_to_while_loop=True, warn=True):
    """``fn`` applied to each element of ``elems``, the results stacked: TF's
    ``vectorized_map``, run as :func:`map_fn` runs (one loop iteration per element).

    TF vectorizes ``fn`` into batched ops; here the results are the same and ``fn``
    runs in a loop, which is what TF itself falls back to for ops it cannot
    vectorize. Unlike ``map_fn``, the structure and dtypes of the results are
    ``fn``'s own: it is traced once, apart, to learn them.

    Parameters
    ----------
    fn : callable
        Takes one element, in the structure of ``elems``.
    elems : tensor or nested structure of tensors
        Unstacked on dimension 0.
    fallback_to_while_loop, warn : bool
        TF's; the loop is always used, so there is nothing to warn about.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     norms = vectorized_map(lambda row: tf.reduce_sum(row * row), tf.ones([3, 4]))
    ...     print(tf.compat.v1.Session().run(norms))
    [4. 4. 4.]
    """
    del fallback_to_while_loop, warn  # the loop is the one strategy
    _check_callable(fn)
    graph = graph_of(nest.flatten(elems))
    with graph.as_default(), graph.name_scope("loop_body"):  # TF's pfor's scope too
        elems_flat = _elements(elems, graph)
        signature = _output_signature(fn, elems, elems_flat, graph)
        return map_fn(fn, nest.pack_sequence_as(elems, elems_flat), fn_output_signature=signature)


def _output_signature(fn, elems, elems_flat, graph):
    """The structure of ``fn``'s results with their dtypes, from tracing ``fn`` on one
    element in a function graph of its own (which is then dropped)."""
    specs = [(t.dtype.base_dtype, t.shape[1:]) for t in elems_flat]
    name = unique_function_name(graph.get_name_scope() or "vectorized_map", "signature")

    def call(*args):
        return fn(nest.pack_sequence_as(elems, list(args)))

    traced: FuncGraph = trace_function(name, graph, call, specs)
    with traced.as_default():
        outputs = nest.map_structure(convert_to_tensor, traced.structured_outputs)
    return nest.map_structure(lambda t: t.dtype.base_dtype, outputs)
