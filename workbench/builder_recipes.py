"""Recipes: how to make one op, and graphs made from a list of them.

A recipe names the palette entry that builds its op, its inputs by tensor name, its
attrs, name, scope, device and control inputs. Recipes are never changed in place: an
edit makes new recipes and :func:`build_graph` makes a new ``runtime.Graph`` from
them, so the runtime validates every op (shapes, dtypes, names) and a refused edit
leaves the last good graph as it was.
"""

from __future__ import annotations

import dataclasses

from runtime.graph import Graph, Operation
from runtime.ops.core import apply_op

from .builder_fields import FieldError
from .builder_palette import PaletteEntry, palette


@dataclasses.dataclass(frozen=True)
class Recipe:
    """How to make one op: never changed in place (edits make new recipes).

    ``inputs`` are tensor names (a tuple of names for a list input); ``attrs`` holds
    the values that differ from the entry's defaults.
    """

    builder: str
    inputs: tuple = ()
    attrs: dict = dataclasses.field(default_factory=dict)
    name: str = ""
    scope: str = ""
    device: str = ""
    control_inputs: tuple = ()

    @property
    def full_name(self) -> str:
        return f"{self.scope}/{self.name}" if self.scope else self.name

    @property
    def entry(self) -> PaletteEntry:
        return palette()[self.builder]


def map_ref(function, ref):
    """``function`` of each tensor name of an input: a name, or a tuple for a list input.

    Examples
    --------
    >>> map_ref(str.upper, "a:0"), map_ref(str.upper, ("a:0", "b:1"))
    ('A:0', ('A:0', 'B:1'))
    """
    if isinstance(ref, tuple):
        return tuple(function(name) for name in ref)
    return function(ref)


def apply_recipe(graph: Graph, recipe: Recipe) -> Operation:
    """Make ``recipe``'s op in ``graph``; ``FieldError("name")`` unless it gets its exact name.

    Examples
    --------
    >>> g = Graph()
    >>> op = apply_recipe(g, Recipe("tf.constant", attrs={"value": 5.0}, name="a", scope="s"))
    >>> op.name, op.outputs[0].dtype
    ('s/a', tf.float32)
    """
    entry = recipe.entry
    inputs = [map_ref(graph.get_tensor_by_name, ref) for ref in recipe.inputs]
    controls = [graph.get_operation_by_name(name) for name in recipe.control_inputs]
    count = len(graph.get_operations())
    scope = f"{recipe.scope}/" if recipe.scope else ""
    with graph.as_default(), graph.name_scope(scope), graph.device(recipe.device):
        with graph.control_dependencies(controls):
            if entry.function is None:
                apply_op(entry.op_type, inputs, recipe.name, **recipe.attrs)
            else:
                entry.function(*inputs, name=recipe.name, **recipe.attrs)
    made = graph.get_operations()[count:]
    if len(made) != 1 or made[0].name != recipe.full_name:
        names = ", ".join(op.name for op in made)
        raise FieldError(
            "name", f"The name '{recipe.full_name}' is taken: the runtime made {names} instead."
        )
    return made[0]


class RecipeError(Exception):
    """Recipe ``index`` of a list failed to build; ``__cause__`` says why."""

    def __init__(self, index: int, error: Exception):
        super().__init__(f"recipe {index}: {type(error).__name__}: {error}")
        self.index, self.error = index, error


def build_graph(recipes) -> Graph:
    """A new graph made from ``recipes`` in order; ``RecipeError`` names the first that fails.

    Examples
    --------
    >>> g = build_graph([Recipe("tf.constant", attrs={"value": 2.0}, name="a"),
    ...                  Recipe("tf.negative", ("a:0",), name="b")])
    >>> [op.type for op in g.get_operations()]
    ['Const', 'Neg']
    """
    graph = Graph()
    for index, recipe in enumerate(recipes):
        try:
            apply_recipe(graph, recipe)
        except Exception as err:  # any complaint of a builder: the caller reports it
            raise RecipeError(index, err) from err
    return graph


def renamed(recipes, old: str, scope: str, name: str) -> list:
    """``recipes`` with op ``old`` named ``name`` in ``scope``, and the ops that read it
    following.

    Examples
    --------
    >>> recipes = [Recipe("tf.no_op", name="a"), Recipe("tf.identity", ("a:0",), name="b")]
    >>> [(r.full_name, r.inputs) for r in renamed(recipes, "a", "s", "x")]
    [('s/x', ()), ('b', ('s/x:0',))]
    """
    new = f"{scope}/{name}" if scope else name

    def tensor(ref):
        op, _, index = ref.rpartition(":")
        return f"{new}:{index}" if op == old else ref

    def edit(recipe):
        if recipe.full_name == old:
            recipe = dataclasses.replace(recipe, name=name, scope=scope)
        inputs = tuple(map_ref(tensor, ref) for ref in recipe.inputs)
        controls = tuple(new if c == old else c for c in recipe.control_inputs)
        return dataclasses.replace(recipe, inputs=inputs, control_inputs=controls)

    return [edit(recipe) for recipe in recipes]


def dependents(recipes, name: str) -> list:
    """``name`` and every op that reads it, directly or not, in creation order.

    Examples
    --------
    >>> recipes = [Recipe("tf.constant", name="a"), Recipe("tf.constant", name="b"),
    ...            Recipe("tf.negative", ("a:0",), name="n"), Recipe("tf.no_op", name="z",
    ...            control_inputs=("n",))]
    >>> dependents(recipes, "a")
    ['a', 'n', 'z']
    """
    doomed = [name]
    for recipe in recipes:
        refs = [r for ref in recipe.inputs for r in (ref if isinstance(ref, tuple) else (ref,))]
        sources = {r.rpartition(":")[0] for r in refs} | set(recipe.control_inputs)
        if recipe.full_name not in doomed and sources & set(doomed):
            doomed.append(recipe.full_name)
    return doomed
