"""Any graph as builder recipes: how ``GraphBuilder(graph)`` opens a graph built in code.

Each op becomes the recipe of its public builder where that builder, given the op's
inputs and attrs, makes an identical op (the same NodeDef), and a raw ``apply_op``
recipe otherwise. Trying the candidate in a graph of the recipes so far is what
decides: the runtime, not a table here, says which builder call makes which op.
"""

from __future__ import annotations

import math

import numpy as np

from runtime.graph import Graph, Operation
from runtime.graph_def import node_def_of
from runtime.limits import SizeBudget
from runtime.ops.core import to_numpy
from runtime.registry import is_registered

from .builder_code import CODE_VALUES
from .builder_palette import RAW, PaletteEntry, builder_of, palette
from .builder_recipes import Recipe, apply_recipe, build_graph


def recipes_of(graph: Graph) -> tuple:
    """Recipes that rebuild ``graph`` op for op: the public builder where it makes an
    identical op (same NodeDef), else a raw ``apply_op`` recipe.

    Raises ``ValueError`` for ops no recipe can make: unregistered op types (kept from
    a TensorFlow file for drawing) and function-valued attrs (``cond``/``while_loop``).
    A constant a file holds as one value repeated stays so, but the recipes make it
    real: ``ResourceExhaustedError`` when that would take more than the reader's
    ``fill_bytes`` limit (:mod:`runtime.limits`; raise it with ``with
    runtime.limits.size_limits(fill_bytes=...):`` around this call).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default() as g:
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 2], name="x")
    ...     y = tf.nn.relu(x + 1.0)
    >>> [(r.builder, r.full_name) for r in recipes_of(g)]
    [('tf.compat.v1.placeholder', 'x'), ('tf.constant', 'add/y'), ('tf.add', 'add'), ('tf.nn.relu', 'Relu')]
    """
    recipes: list = []
    target = Graph()
    budget = SizeBudget("the graph the builder opens")
    for op in graph.get_operations():
        _check_openable(op, budget)
        for candidate in (_builder_recipe(op), _raw_recipe(op)):
            if candidate is None:
                continue
            count = len(target.get_operations())
            if _makes(target, candidate, op):
                recipes.append(candidate)
                break
            if len(target.get_operations()) != count:
                target = build_graph(recipes)  # drop the op the candidate made wrongly
        else:
            raise ValueError(f"Op '{op.name}' ({op.type}) cannot be rebuilt from a recipe.")
    return tuple(recipes)


def _check_openable(op: Operation, budget: SizeBudget) -> None:
    if not is_registered(op.type):
        raise ValueError(f"Op '{op.name}' has type {op.type}, which this runtime does not know.")
    for key, value in op.attrs.items():
        if isinstance(value, np.ndarray):  # a recipe's op holds its tensor for real
            budget.fill(_filled_bytes(value), f"attr '{key}' of node '{op.name}'")
        if isinstance(value, Graph):
            raise ValueError(
                f"Op '{op.name}' ({op.type}) has a function body in attr '{key}'; the builder "
                "cannot edit cond/while_loop ops."
            )


def _filled_bytes(array: np.ndarray) -> int:
    """The bytes ``array`` takes made real beyond the elements it holds: a broadcast
    view (a file's constant of one value repeated) holds one.

    Examples
    --------
    >>> _filled_bytes(np.broadcast_to(np.float32(1.0), (2**40,))), _filled_bytes(np.ones(3))
    (4398046511100, 0)
    """
    held = math.prod(size for size, stride in zip(array.shape, array.strides) if stride)
    return (array.size - held) * array.itemsize if array.size else 0


def _makes(graph: Graph, recipe: Recipe, op: Operation) -> bool:
    try:
        made = apply_recipe(graph, recipe)
    except Exception:  # the candidate does not fit this op; the caller tries the next
        return False
    # The runtime's form compares tensors by value, and a splat equal to its full array.
    return node_def_of(made) == node_def_of(op)


def _recipe(entry: PaletteEntry, inputs: tuple, attrs: dict, op: Operation) -> Recipe:
    scope, _, name = op.name.rpartition("/")
    controls = tuple(c.name for c in op.control_inputs)
    return Recipe(entry.key, inputs, entry.non_default(attrs), name, scope, op.device, controls)


def _builder_recipe(op: Operation) -> Recipe | None:
    entry = builder_of(op.type)
    if entry is None:
        return None
    if op.type == "Const":
        attrs = _constant_attrs(op.attrs["value"], op.attrs["dtype"])
    else:
        attrs = {f.name: op.attrs[f.name] for f in entry.fields if f.name in op.attrs}
    return _recipe(entry, tuple(t.name for t in op.inputs), attrs, op)


def _constant_attrs(array: np.ndarray, dtype) -> dict:
    """``tf.constant`` arguments for ``array``: Python values, a dtype only when needed;
    a big array stays the graph's own numpy array (never a list of its elements)."""
    if array.size > CODE_VALUES:
        return {"value": array, "dtype": dtype}
    if array.dtype.kind == "f" and array.dtype.itemsize <= 4:
        # The shortest text of a float32 (0.1, not 0.10000000149011612) reads back the same.
        shortest = [float(str(x)) for x in array.flat]
        value = np.array(shortest, dtype=object).reshape(array.shape).tolist()
    else:
        value = array.tolist()
    if np.shape(value) != array.shape:  # empty arrays of rank > 1
        return {"value": array, "dtype": dtype}
    try:
        inferred = to_numpy(value).dtype
    except (TypeError, ValueError):
        inferred = None
    return {"value": value} if inferred == array.dtype else {"value": value, "dtype": dtype}


def _raw_recipe(op: Operation) -> Recipe:
    entry = palette()[RAW + op.type]
    inputs: list = []
    flat = [t.name for t in op.inputs]
    # An op has at most one list input; it takes what the other inputs leave.
    listed = len(flat) - (len(entry.inputs) - 1)
    for arg in entry.inputs:
        if arg.startswith("*"):
            inputs.append(tuple(flat[:listed]))
            flat = flat[listed:]
        else:
            inputs.append(flat.pop(0))
    return _recipe(entry, tuple(inputs), op.attrs, op)
