"""Fetches and feeds: TF1's rules for what ``Session.run`` takes and gives back.

:class:`FetchMapper` turns a nested fetch structure (lists, tuples, namedtuples,
mappings, attrs classes, user types registered with
:func:`register_session_run_conversion_functions`) into a flat list of unique graph
elements and rebuilds it from their values; :func:`convert_feed` checks and converts
one fed value with TF's dtype, overflow and shape rules and messages.
"""

from __future__ import annotations

import collections
from collections.abc import Mapping

import numpy as np

from . import dtypes
from .graph import Graph, Operation, Tensor

# (type, fetch_fn, feed_fn, feed_fn_for_partial_run), newest first: user types that
# stand for several tensors (see register_session_run_conversion_functions).
_conversions: list = []


def register_session_run_conversion_functions(
    tensor_type, fetch_function, feed_function=None, feed_function_for_partial_run=None
) -> None:
    """Teach ``Session.run`` to fetch and feed objects of ``tensor_type``.

    Parameters
    ----------
    tensor_type : type
    fetch_function : callable
        ``fetch_function(obj) -> (tensors, contract)``: the tensors to fetch for ``obj``
        and ``contract(values) -> result`` building the fetch result from their values.
    feed_function : callable, optional
        ``feed_function(obj, value) -> [(tensor, tensor_value), ...]`` for ``feed_dict``.
    feed_function_for_partial_run : callable, optional
        ``feed_function_for_partial_run(obj) -> [tensor, ...]`` for ``partial_run_setup``.

    Raises
    ------
    ValueError
        If ``tensor_type`` (or a subclass of it) is already registered.

    Examples
    --------
    >>> import runtime as tf
    >>> class Pair:
    ...     def __init__(self, a, b):
    ...         self.a, self.b = a, b
    >>> register_session_run_conversion_functions(
    ...     Pair, lambda p: ([p.a, p.b], lambda values: sum(values)))
    >>> with tf.Graph().as_default():
    ...     pair = Pair(tf.constant(1.0), tf.constant(2.0))
    ...     with tf.compat.v1.Session() as sess:
    ...         print(sess.run(pair))
    3.0
    """
    for registered, *_ in _conversions:
        if issubclass(registered, tensor_type):
            raise ValueError(f"{tensor_type} has already been registered so ignore it.")
    _conversions.insert(
        0, (tensor_type, fetch_function, feed_function, feed_function_for_partial_run)
    )


def _conversion_for(value, position: int):
    """The registered fetch (1), feed (2) or partial-run feed (3) function for ``value``."""
    for registered, *functions in _conversions:
        if isinstance(value, registered):
            return functions[position - 1]
    return None


def structure_key(fetches):
    """A hashable key equal for equal fetch structures: lists, tuples and mappings by
    their contents, every level with its type (a namedtuple equals the plain tuple of
    its fields, an ``OrderedDict`` the dict) and a ``defaultdict`` with its factory,
    leaves as they are. ``TypeError`` for an unhashable leaf.

    Examples
    --------
    >>> structure_key(["loss:0", {"step": "global_step:0"}])
    (<class 'list'>, 'loss:0', (<class 'dict'>, ('step', 'global_step:0')))
    """
    if isinstance(fetches, Tensor | Operation | str):  # the common leaves, before the ABC
        return fetches
    kind = type(fetches)
    if isinstance(fetches, list | tuple):
        return (kind, *[structure_key(item) for item in fetches])
    if isinstance(fetches, Mapping):
        if isinstance(fetches, collections.defaultdict):  # its results get the factory
            kind = (kind, fetches.default_factory)
        return (kind, *[(key, structure_key(value)) for key, value in fetches.items()])
    hash(fetches)  # TypeError for an unhashable leaf
    return fetches


class FetchMapper:
    """Flattens a fetch structure into unique graph elements, and rebuilds it.

    Examples
    --------
    >>> import runtime as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     a = tf.constant(1.0, name="a")
    >>> mapper = FetchMapper(g, {"x": [a, a.name], "y": (a.op,)})
    >>> mapper.elements == [a, a.op]
    True
    >>> mapper.build([1.0, None])
    {'x': [1.0, 1.0], 'y': (None,)}
    """

    def __init__(self, graph: Graph, fetches):
        self._graph = graph
        self.elements: list = []
        self._position: dict = {}
        self._rebuild = self._map(fetches)
        self._single_tensor = (
            isinstance(self.elements[0], Tensor) if self._is_leaf(fetches) else False
        )
        # A mapper is reused by many runs: what they need is worked out once, here.
        self.tensors = tuple(e for e in self.elements if isinstance(e, Tensor))
        self.targets = tuple(e for e in self.elements if isinstance(e, Operation))
        self._tensor_positions = [self._position[t] for t in self.tensors]

    def build(self, values: list):
        """The fetch structure with each element replaced by its value."""
        return self._rebuild(values)

    def results(self, tensor_values: list):
        """The fetch structure from the values of :attr:`tensors`, as ``run`` returns it."""
        if self._single_tensor:  # the most common fetch: one tensor, nothing to rebuild
            return as_result(tensor_values[0])
        flat = [None] * len(self.elements)
        for position, value in zip(self._tensor_positions, tensor_values):
            flat[position] = as_result(value)
        return self._rebuild(flat)

    @staticmethod
    def _is_leaf(fetch) -> bool:
        return isinstance(fetch, Tensor | Operation | str | bytes)

    def _map(self, fetch):
        if fetch is None:
            raise TypeError(
                'Argument `fetch` = None has invalid type "NoneType". Cannot be None. '
                "(Fetch argument None has invalid type <class 'NoneType'>.)"
            )
        if isinstance(fetch, list):
            parts = [self._map(item) for item in fetch]
            return lambda values: [part(values) for part in parts]
        if isinstance(fetch, tuple):
            parts = [self._map(item) for item in fetch]
            if hasattr(fetch, "_fields"):  # namedtuple
                return lambda values: type(fetch)(*[part(values) for part in parts])
            return lambda values: tuple(part(values) for part in parts)
        if isinstance(fetch, Mapping):
            return self._map_mapping(fetch)
        if _conversions and (expand := _conversion_for(fetch, 1)) is not None:
            tensors, contract = expand(fetch)
            parts = [self._map(tensor) for tensor in tensors]
            return lambda values: contract([part(values) for part in parts])
        if hasattr(type(fetch), "__attrs_attrs__"):
            names = [a.name for a in type(fetch).__attrs_attrs__]
            parts = [self._map(getattr(fetch, name)) for name in names]
            return lambda values: type(fetch)(*[part(values) for part in parts])
        return self._map_leaf(fetch)

    def _map_mapping(self, fetch):
        keys = list(fetch.keys())
        parts = [self._map(fetch[key]) for key in keys]

        def rebuild(values):
            results = [(key, part(values)) for key, part in zip(keys, parts)]
            if isinstance(fetch, collections.defaultdict):
                out = type(fetch)(fetch.default_factory)
            else:
                try:
                    out = type(fetch)()
                except TypeError:
                    return type(fetch)(results)
            try:
                for key, value in results:
                    out[key] = value
            except TypeError:  # immutable mappings take their items at construction
                return type(fetch)(results)
            return out

        return rebuild

    def _map_leaf(self, fetch):
        try:
            element = self._graph.as_graph_element(fetch, allow_tensor=True, allow_operation=True)
        except TypeError as err:
            raise TypeError(
                f"Fetch argument {fetch!r} has invalid type {type(fetch)}, must be a string or "
                f"Tensor. ({err})"
            ) from None
        except (ValueError, KeyError) as err:
            text = err.args[0] if err.args else str(err)
            raise ValueError(
                f"Fetch argument {fetch!r} cannot be interpreted as a Tensor. ({text})"
            ) from None
        if not self._graph.is_fetchable(element):
            op = element.op if isinstance(element, Tensor) else element
            raise ValueError(
                f"Operation {op.name!r} has been marked as not fetchable. Typically this happens "
                "when it is defined in another function or code block. Use return values, "
                "explicit Python locals or TensorFlow collections to access it."
            )
        if element not in self._position:
            self._position[element] = len(self.elements)
            self.elements.append(element)
        index = self._position[element]
        if isinstance(element, Operation):
            return lambda values: None
        return lambda values: values[index]


def as_result(value):
    """A fetched value as TF returns it: numpy scalars for 0-d, never shared storage."""
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return value[()]
        return value if value.flags.writeable else value.copy()
    if isinstance(value, np.generic):
        return value
    if hasattr(value, "read"):  # a reference (a fetched ``*_ref`` tensor): its value
        return as_result(value.read())
    return np.asarray(value)[()] if np.ndim(value) == 0 else np.asarray(value)


def convert_feed(tensor: Tensor, value, feeding: bool = True) -> np.ndarray:
    """Check and convert one feed value for ``tensor`` with TF's rules and messages.

    ``feeding=False`` converts a value injected while stepping, which may replace any
    tensor (also one ``Graph.prevent_feeding`` keeps out of ``feed_dict``).
    """
    if isinstance(value, Tensor):
        raise TypeError(
            "The value of a feed cannot be a tf.Tensor object. Acceptable feed values include "
            "Python scalars, strings, lists, numpy ndarrays, or TensorHandles. For reference, "
            f"the tensor object was {value} which was passed to the argument `feed_dict` with "
            f"key {tensor}."
        )
    if value is None:
        raise ValueError(f"Cannot feed None for Tensor {tensor.name!r}: feed a value.")
    dtype = tensor.dtype.base_dtype
    array = _feed_array(tensor, dtype, value)
    if not tensor.shape.is_compatible_with(array.shape):
        raise ValueError(
            f"Cannot feed value of shape {array.shape!r} for Tensor {tensor.name!r}, which has "
            f"shape {str(tensor.shape)!r}"
        )
    if feeding and not tensor.graph.is_feedable(tensor):
        raise ValueError(f"Tensor {tensor.name!r} may not be fed.")
    return array


def _incompatible(value, dtype) -> TypeError:
    # Made only when raised: formatting a big fed array costs more than a whole run.
    return TypeError(
        f"Type of feed value {value} with type {type(value)} is not compatible with Tensor "
        f"type {dtype}. Try explicitly setting the type of the feed tensor to a larger type "
        "(e.g. int64)."
    )


def _feed_array(tensor, dtype, value) -> np.ndarray:
    if dtype is dtypes.string:
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise _incompatible(value, dtype)
        array = np.array(value, dtype=object)
        flat = array.reshape(-1)
        for i, item in enumerate(flat):
            if isinstance(item, str):
                flat[i] = item.encode()
            elif isinstance(item, np.bytes_ | np.str_):
                flat[i] = bytes(item) if isinstance(item, np.bytes_) else str(item).encode()
        return array
    numpy_type = dtype.as_numpy_dtype
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            converted = np.asarray(value, dtype=numpy_type)
        except (OverflowError, ValueError):
            raise _incompatible(value, dtype) from None
        if converted.item() != value:
            raise _incompatible(value, dtype)
        return converted
    if isinstance(value, np.ndarray) and value.dtype == numpy_type:
        return value
    try:
        array = np.asarray(value)
        converted = array.astype(numpy_type, copy=False)
    except (TypeError, ValueError) as err:  # numpy's class, as TF's feeding keeps it
        raise type(err)(
            f"Cannot feed value {_short(value)} to Tensor {tensor.name!r} of dtype "
            f"{dtype.name}: {err}"
        ) from None
    if array.dtype.kind == "f" and dtype.is_integer and np.any(array != np.trunc(array)):
        raise _incompatible(value, dtype)
    return converted


def _short(value, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def partial_run_feeds(feeds):
    for key in feeds:
        expand = _conversion_for(key, 3) if _conversions else None
        yield from expand(key) if expand is not None else [key]


def flatten_feed_items(feed_dict):
    """``(key, value)`` pairs of ``feed_dict``: tuple keys and registered types expanded.

    Examples
    --------
    >>> list(flatten_feed_items({("a", "b"): (1, 2)}))
    [('a', 1), ('b', 2)]
    >>> import collections
    >>> Pair = collections.namedtuple("Pair", "c h")
    >>> list(flatten_feed_items({(Pair("c0", "h0"),): [Pair(1, 2)]}))
    [('c0', 1), ('h0', 2)]
    >>> list(flatten_feed_items([1.0, 2.0]))
    Traceback (most recent call last):
    ...
    TypeError: feed_dict must be a dict (or another Mapping) of feeds, not a list.
    """
    if not isinstance(feed_dict, Mapping):
        raise TypeError(
            f"feed_dict must be a dict (or another Mapping) of feeds, not a "
            f"{type(feed_dict).__name__}."
        )
    for key, value in feed_dict.items():
        expand = _conversion_for(key, 2) if _conversions else None
        if expand is not None:
            yield from expand(key, value)
        elif isinstance(key, tuple):
            # Namedtuples too, as TF's nest.flatten_dict_items: char-rnn feeds
            # {model.initial_state: state}, a tuple of LSTMStateTuples.
            if not isinstance(value, tuple | list) or len(value) != len(key):
                raise ValueError(
                    f"The structure of the feed value for key {key} does not match the key."
                )
            yield from flatten_feed_items(dict(zip(key, value)))
        else:
            yield key, value
