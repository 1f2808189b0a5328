"""A change asked of the builder, checked against the recipes and graph it would join.

The checks here are the builder's own: that a palette key, an op name, a tensor or an
op exists, and that a new name is not taken (in any letter case). Shapes, dtypes and
attr values are the runtime's to check, when
:func:`~workbench.builder_recipes.build_graph` makes the op; :func:`blame` then says
which field of the form a refusal belongs to.
"""

from __future__ import annotations

import dataclasses

from runtime.devices import canonical_name
from runtime.graph import Graph, Tensor, check_op_name
from runtime.registry import REQUIRED

from .builder_fields import FieldError, checked, checked_attrs
from .builder_palette import PaletteEntry, palette
from .builder_recipes import Recipe, RecipeError, build_graph


def entry_of(key: str) -> PaletteEntry:
    """The palette entry ``key``; ``FieldError("op")`` if there is none.

    Examples
    --------
    >>> entry_of("tf.add").op_type
    'AddV2'
    >>> entry_of("tf.plus")
    Traceback (most recent call last):
    ...
    workbench.builder_fields.FieldError: No palette entry 'tf.plus' (try 'tf.add' or 'raw_ops.AddN').
    """
    try:
        return palette()[key]
    except KeyError:
        raise FieldError(
            "op", f"No palette entry '{key}' (try 'tf.add' or 'raw_ops.AddN')."
        ) from None


def index_of(recipes, name: str, field: str) -> int:
    """Where op ``name``'s recipe is; ``FieldError(field)`` if no op is named so.

    Examples
    --------
    >>> index_of([Recipe("tf.no_op", name="a"), Recipe("tf.no_op", name="b")], "b", "delete")
    1
    """
    if not name:
        raise FieldError(field, f"Select an op to {field}.")
    for index, recipe in enumerate(recipes):
        if recipe.full_name == name:
            return index
    raise FieldError(field, f"No op named '{name}'.")


def checked_name(recipes, full: str, field: str, exclude=None) -> tuple:
    """``(scope, name)`` of a new op name; ``FieldError`` if invalid or taken.

    Examples
    --------
    >>> checked_name([Recipe("tf.no_op", name="a")], "s/t/b", "name")
    ('s/t', 'b')
    >>> checked_name([Recipe("tf.no_op", name="a")], "A", "name")
    Traceback (most recent call last):
    ...
    workbench.builder_fields.FieldError: An op named 'a' exists already.
    """
    full = full.strip().strip("/")
    scope, _, name = full.rpartition("/")
    if scope:
        checked(check_op_name, scope, "scope" if field == "name" else field)
    checked(check_op_name, full, field)
    taken = {r.full_name.lower(): r.full_name for r in recipes if r.full_name != exclude}
    if full.lower() in taken:
        raise FieldError(field, f"An op named '{taken[full.lower()]}' exists already.")
    return scope, name


def new_recipe(recipes, graph: Graph, builder, inputs, name, scope, device, controls, attrs):
    """The recipe of an op to add to ``graph`` (made from ``recipes``), its fields checked.

    An empty ``name`` gets the runtime's unique name for the op type in ``scope``.

    Examples
    --------
    >>> recipes = (Recipe("tf.constant", attrs={"value": 2.0}, name="a"),)
    >>> new_recipe(recipes, build_graph(recipes), "tf.negative", ["a"], "", "s", "", (), {})
    Recipe(builder='tf.negative', inputs=('a:0',), attrs={}, name='Neg', scope='s', device='', control_inputs=())
    """
    entry = entry_of(builder)
    if not name.strip():
        name = graph.unique_name(_join(scope, entry.op_type), mark_as_used=False)
        scope = ""
    scope, name = checked_name(recipes, _join(scope, name), "name")
    return Recipe(
        entry.key,
        _checked_inputs(graph, entry, inputs),
        entry.non_default(checked_attrs(entry, attrs)),
        name=name,
        scope=scope,
        device=checked(canonical_name, device.strip(), "device"),
        control_inputs=tuple(_checked_op(graph, c, "control_inputs") for c in controls),
    )


def _join(scope: str, name: str) -> str:
    return "/".join(part for part in (scope.strip().strip("/"), name.strip()) if part)


def _checked_inputs(graph: Graph, entry: PaletteEntry, inputs) -> tuple:
    inputs = list(inputs)
    if len(inputs) != len(entry.inputs):
        raise FieldError(
            entry.input_names[-1] if entry.inputs else "op",
            f"{entry.key} takes {len(entry.inputs)} inputs "
            f"({', '.join(entry.input_names) or 'none'}), got {len(inputs)}.",
        )
    checked_refs = []
    for arg, field, ref in zip(entry.inputs, entry.input_names, inputs):
        if arg.startswith("*"):
            checked_refs.append(tuple(_checked_tensor(graph, r, field) for r in ref))
        else:
            checked_refs.append(_checked_tensor(graph, ref, field))
    return tuple(checked_refs)


def _checked_tensor(graph: Graph, ref, field: str) -> str:
    name = ref.name if isinstance(ref, Tensor) else str(ref or "")
    if not name:
        raise FieldError(field, f"Choose the tensor for input '{field}'.")
    try:
        return graph.get_tensor_by_name(name if ":" in name else f"{name}:0").name
    except (KeyError, ValueError) as err:
        raise FieldError(field, str(err).strip('"')) from None


def _checked_op(graph: Graph, ref, field: str) -> str:
    try:
        return graph.get_operation_by_name(getattr(ref, "name", ref)).name
    except (KeyError, ValueError, TypeError) as err:
        raise FieldError(field, str(err).strip('"')) from None


def blame(recipes, recipe: Recipe, error: Exception) -> str:
    """The field of the form that caused ``recipe``'s refusal, after ``recipes``.

    A ``FieldError`` names its field; otherwise it is the first attr whose default
    makes the op build, else the last input, else the first required field.

    Examples
    --------
    >>> recipes = [Recipe("tf.constant", attrs={"value": 2.0}, name="a")]
    >>> blame(recipes, Recipe("tf.matmul", ("a:0", "a:0"), name="m"), ValueError())
    'b'
    """
    if isinstance(error, FieldError):
        return error.field
    entry = recipe.entry
    for key in recipe.attrs:
        if entry.field(key).default is REQUIRED:
            continue
        attrs = {k: v for k, v in recipe.attrs.items() if k != key}
        try:
            build_graph([*recipes, dataclasses.replace(recipe, attrs=attrs)])
        except RecipeError:
            continue
        return key
    if entry.inputs:
        return entry.input_names[-1]
    return next((f.name for f in entry.fields if f.default is REQUIRED), "name")
