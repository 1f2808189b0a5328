"""``GraphBuilder``: build a graph with widgets, keep it as code.

The builder's model is a history of *recipes*: each recipe says how to make one op
(the palette entry that builds it, its inputs by tensor name, its attrs, name, scope,
device and control inputs). Every change makes a new recipe list and rebuilds a
``runtime.Graph`` from it, so the runtime validates each op (shapes, dtypes, names),
undo and redo are a step through the history, and a rejected change leaves the last
good graph as it was. :func:`recipes_of` turns any graph back into recipes and
:func:`to_code` writes recipes as ``import runtime as tf`` code, so widgets and code
meet both ways.

The palette is the registry: the public builders (``tf.add``, ``tf.constant`` ...)
for the op types that have one, and every other registered op type as a generic
``apply_op`` call. A form's fields come from the builder's signature or the OpDef.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import html
import inspect
import keyword
import re
import sys
from functools import cache

import ipywidgets as widgets
import numpy as np

import runtime as tf
from runtime import dtypes
from runtime.config import ConfigProto
from runtime.devices import DeviceSpec, canonical_name
from runtime.errors import OpError
from runtime.graph import Graph, Operation, Tensor, check_op_name
from runtime.ops.core import apply_op, to_numpy
from runtime.registry import REQUIRED, OpDef, get_op_def, is_registered, registered_ops
from runtime.session import Session
from runtime.shapes import TensorShape

from . import render
from .view import GraphView

# The public builders users build with, by their path under ``tf``, and the op type
# each makes (one op per call, inputs first in the signature).
BUILDERS = {
    "constant": "Const",
    "compat.v1.placeholder": "Placeholder",
    "identity": "Identity",
    "stop_gradient": "StopGradient",
    "reshape": "Reshape",
    "no_op": "NoOp",
    "add": "AddV2",
    "subtract": "Sub",
    "multiply": "Mul",
    "realdiv": "RealDiv",
    "maximum": "Maximum",
    "minimum": "Minimum",
    "pow": "Pow",
    "matmul": "MatMul",
    "negative": "Neg",
    "abs": "Abs",
    "square": "Square",
    "sqrt": "Sqrt",
    "exp": "Exp",
    "math.log": "Log",
    "tanh": "Tanh",
    "sigmoid": "Sigmoid",
    "equal": "Equal",
    "less": "Less",
    "greater": "Greater",
    "logical_not": "LogicalNot",
    "nn.relu": "Relu",
    "nn.relu6": "Relu6",
    "nn.elu": "Elu",
    "nn.softplus": "Softplus",
    "nn.leaky_relu": "LeakyRelu",
    "nn.softmax": "Softmax",
    "nn.bias_add": "BiasAdd",
    "nn.l2_loss": "L2Loss",
}
# Builders that make another op type for some inputs (recipes_of maps those back too).
_ALSO_MADE_BY = {"BatchMatMulV2": "matmul"}
# Families are the op modules' names; these modules' ops belong to another family.
_FAMILY_OF_MODULE = {"core": "array", "saver": "training", "functional": "control_flow"}
_TYPE_ATTR = re.compile(r"T|U|dtype|Index|T[a-z]+|[A-Z][a-z]*T|\w*_type")
_DTYPES = (
    *(dtypes.float32, dtypes.float64, dtypes.float16, dtypes.int32, dtypes.int64),
    *(dtypes.int16, dtypes.int8, dtypes.uint8, dtypes.uint16, dtypes.uint32, dtypes.uint64),
    *(dtypes.bool, dtypes.string, dtypes.complex64, dtypes.complex128),
)
_RAW = "raw_ops."
_RESERVED = {"tf", "np", "graph", "apply_op"} | set(dir(builtins))


class FieldError(ValueError):
    """A value the builder refused, and the form field it belongs to."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


# -- the palette ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Field:
    """One attr field of a form: ``kind`` is dtype, shape, bool, int, float, text or literal."""

    name: str
    kind: str
    default: object = REQUIRED


@dataclasses.dataclass(frozen=True)
class PaletteEntry:
    """An op the builder can add: a public builder (``function``) or a raw op type."""

    key: str  # "tf.multiply" or "raw_ops.Mul"
    op_type: str
    family: str
    inputs: tuple  # OpDef input names; "*xs" takes a list
    fields: tuple  # of Field
    function: object = None

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def input_names(self) -> tuple:
        return tuple(arg.lstrip("&*") for arg in self.inputs)


def field_kind(name: str, default) -> str:
    """The form field for an attr, from its default (or, for a required one, its name).

    Examples
    --------
    >>> [field_kind(*a) for a in [("T", REQUIRED), ("transpose_a", False), ("shape", None)]]
    ['dtype', 'bool', 'shape']
    >>> [field_kind(*a) for a in [("alpha", 0.2), ("axis", None), ("padding", "SAME")]]
    ['float', 'literal', 'text']
    """
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, dtypes.DType) or _TYPE_ATTR.fullmatch(name):
        return "dtype"
    if name == "shape" or isinstance(default, TensorShape):
        return "shape"
    kinds = {int: "int", float: "float", str: "text"}
    return kinds.get(type(default), "literal")


def _family(module: str) -> str:
    short = module.rpartition(".")[2]
    return _FAMILY_OF_MODULE.get(short, short.removesuffix("_ops"))


def _op_modules() -> dict:
    """``{op type: module name}``: the module holding each OpDef (``runtime.ops`` first)."""
    found: dict = {}
    modules = sorted(name for name in sys.modules if name.startswith("runtime."))
    for name in sorted(modules, key=lambda n: not n.startswith("runtime.ops.")):
        for value in vars(sys.modules[name]).values():
            if isinstance(value, OpDef):
                found.setdefault(value.name, name)
    return found


def _builder_entry(path: str, op_type: str) -> PaletteEntry:
    function = tf
    for part in path.split("."):
        function = getattr(function, part)
    op_def = get_op_def(op_type)
    params = [p for p in inspect.signature(function).parameters.values() if p.name != "name"]
    attrs = params[len(op_def.inputs) :]
    fields = tuple(
        Field(p.name, field_kind(p.name, d), d)
        for p in attrs
        for d in [REQUIRED if p.default is p.empty else p.default]
    )
    family = _family(function.__module__)
    return PaletteEntry(f"tf.{path}", op_type, family, op_def.inputs, fields, function)


def _raw_entry(op_def: OpDef, module: str) -> PaletteEntry:
    fields = tuple(Field(k, field_kind(k, d), d) for k, d in op_def.attrs.items())
    return PaletteEntry(_RAW + op_def.name, op_def.name, _family(module), op_def.inputs, fields)


@cache
def palette() -> dict:
    """``{key: PaletteEntry}``: the public builders, then a raw entry for every op type.

    Examples
    --------
    >>> entry = palette()["tf.matmul"]
    >>> entry.op_type, entry.family, entry.inputs, entry.field("transpose_a")
    ('MatMul', 'math', ('a', 'b'), Field(name='transpose_a', kind='bool', default=False))
    >>> palette()["raw_ops.MatMul"].field("T").kind
    'dtype'
    """
    entries = [_builder_entry(path, op_type) for path, op_type in BUILDERS.items()]
    modules = _op_modules()
    entries += [_raw_entry(d, modules.get(d.name, "other")) for d in registered_ops()]
    return {entry.key: entry for entry in entries}


@cache
def _builder_for_type() -> dict:
    by_type = {op_type: palette()[f"tf.{path}"] for op_type, path in _ALSO_MADE_BY.items()}
    for entry in palette().values():
        if entry.function is not None:
            by_type.setdefault(entry.op_type, entry)
    return by_type


def palette_entries(search: str = "", family: str | None = None) -> list:
    """The entries a palette shows, sorted by family: builders, and raw op types that
    have no builder. ``search`` matches the key or op type, case-insensitively.

    Examples
    --------
    >>> [e.key for e in palette_entries("relu", family="nn")]
    ['tf.nn.leaky_relu', 'tf.nn.relu', 'tf.nn.relu6', 'raw_ops.LeakyReluGrad', 'raw_ops.Relu6Grad', 'raw_ops.ReluGrad']
    """
    text = search.strip().lower()
    shown = [
        entry
        for entry in palette().values()
        if (entry.function is not None or entry.op_type not in _builder_for_type())
        and (family in (None, "all") or entry.family == family)
        and (text in entry.key.lower() or text in entry.op_type.lower())
    ]
    return sorted(shown, key=lambda e: (e.family, e.function is None, e.key))


def families() -> list:
    """The palette's families, sorted."""
    return sorted({entry.family for entry in palette().values()})


# -- recipes ----------------------------------------------------------------------------


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
    inputs = [_resolve(graph, ref) for ref in recipe.inputs]
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


def _resolve(graph: Graph, ref):
    if isinstance(ref, tuple):
        return [graph.get_tensor_by_name(name) for name in ref]
    return graph.get_tensor_by_name(ref)


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


def recipes_of(graph: Graph) -> tuple:
    """Recipes that rebuild ``graph`` op for op: the public builder where it makes an
    identical op (same NodeDef), else a raw ``apply_op`` recipe.

    Raises ``ValueError`` for ops no recipe can make: unregistered op types (kept from
    a TensorFlow file for drawing) and function-valued attrs (``cond``/``while_loop``).

    Examples
    --------
    >>> with tf.Graph().as_default() as g:
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 2], name="x")
    ...     y = tf.nn.relu(x + 1.0)
    >>> [(r.builder, r.full_name) for r in recipes_of(g)]
    [('tf.compat.v1.placeholder', 'x'), ('tf.constant', 'add/y'), ('tf.add', 'add'), ('tf.nn.relu', 'Relu')]
    """
    recipes: list = []
    target = Graph()
    for op in graph.get_operations():
        _check_openable(op)
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


def _check_openable(op: Operation) -> None:
    if not is_registered(op.type):
        raise ValueError(f"Op '{op.name}' has type {op.type}, which this runtime does not know.")
    for key, value in op.attrs.items():
        if isinstance(value, Graph):
            raise ValueError(
                f"Op '{op.name}' ({op.type}) has a function body in attr '{key}'; the builder "
                "cannot edit cond/while_loop ops."
            )


def _makes(graph: Graph, recipe: Recipe, op: Operation) -> bool:
    try:
        made = apply_recipe(graph, recipe)
    except Exception:  # the candidate does not fit this op; the caller tries the next
        return False
    return made.node_def == op.node_def


def _placement(op: Operation) -> dict:
    scope, _, name = op.name.rpartition("/")
    controls = tuple(c.name for c in op.control_inputs)
    return {"name": name, "scope": scope, "device": op.device, "control_inputs": controls}


def _builder_recipe(op: Operation) -> Recipe | None:
    entry = _builder_for_type().get(op.type)
    if entry is None:
        return None
    if op.type == "Const":
        attrs = _constant_attrs(op.attrs["value"], op.attrs["dtype"])
    else:
        attrs = {f.name: op.attrs[f.name] for f in entry.fields if f.name in op.attrs}
    inputs = tuple(t.name for t in op.inputs)
    return Recipe(entry.key, inputs, _non_default(entry, attrs), **_placement(op))


def _constant_attrs(array: np.ndarray, dtype) -> dict:
    """``tf.constant`` arguments for ``array``: Python values, a dtype only when needed."""
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
    entry = palette()[_RAW + op.type]
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
    return Recipe(entry.key, tuple(inputs), _non_default(entry, op.attrs), **_placement(op))


def _non_default(entry: PaletteEntry, attrs: dict) -> dict:
    defaults = {f.name: f.default for f in entry.fields}
    return {k: v for k, v in attrs.items() if not _same(v, defaults.get(k, REQUIRED))}


def _same(value, default) -> bool:
    if default is REQUIRED or isinstance(value, np.ndarray):
        return False
    return type(value) is type(default) and value == default


# -- code -------------------------------------------------------------------------------


def to_code(recipes, graph: Graph | None = None) -> str:
    """Python code using ``import runtime as tf`` that rebuilds ``recipes``' graph.

    Ops in a scope, on a device or after control inputs are written inside ``with``
    blocks; ``graph`` (built from ``recipes`` when not given) says which builders
    return an op rather than a tensor.

    Examples
    --------
    >>> print(to_code([Recipe("tf.constant", attrs={"value": 5.0}, name="a"),
    ...                Recipe("tf.negative", ("a:0",), name="b", scope="s")]))
    import runtime as tf
    <BLANKLINE>
    graph = tf.Graph()
    with graph.as_default():
        a = tf.constant(5.0, name="a")
        with tf.name_scope("s/"):
            s_b = tf.negative(a, name="b")
    """
    graph = graph if graph is not None else build_graph(recipes)
    writer = _CodeWriter(graph)
    body: list = []
    context = None
    for recipe in recipes:
        wanted = writer.context(recipe)
        if wanted != context:
            context = wanted
            if wanted:
                body.append(f"    with {wanted}:")
        indent = "        " if context else "    "
        body.append(indent + writer.line(recipe))
    header = ["import runtime as tf"]
    if writer.raw:
        header.append("from runtime.ops.core import apply_op")
    if writer.numpy:
        header.insert(0, "import numpy as np")
    lines = [*header, "", "graph = tf.Graph()", "with graph.as_default():", *body]
    return "\n".join(lines + (["    pass"] if not body else []))


class _CodeWriter:
    """Names a variable for each op and writes calls and values as Python source."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self.names: dict = {}  # op name -> (variable, holds a tensor)
        self.raw = self.numpy = False

    def line(self, recipe: Recipe) -> str:
        entry = recipe.entry
        raw = entry.function is None
        self.raw |= raw
        args = [self.tensor(ref) for ref in recipe.inputs]
        if raw:
            args = [f'"{entry.op_type}"', f"[{', '.join(args)}]"]
        # Required arguments go by position, as people write them: tf.constant(5.0).
        positional = not raw
        order = [f.name for f in entry.fields] + [k for k in recipe.attrs if k.startswith("_")]
        for key in order:
            if key not in recipe.attrs:
                positional = False
                continue
            text = self.value(recipe.attrs[key], raw)
            positional = positional and entry.field(key).default is REQUIRED
            args.append(text if positional else f"{key}={text}")
        args.append(f'name="{recipe.name}"')
        call = "apply_op" if raw else entry.key
        op = self.graph.get_operation_by_name(recipe.full_name)
        variable = self._variable(recipe.full_name)
        self.names[op.name] = (variable, not raw and bool(op.outputs))
        return f"{variable} = {call}({', '.join(args)})"

    def context(self, recipe: Recipe) -> str:
        parts = []
        if recipe.scope:
            parts.append(f'tf.name_scope("{recipe.scope}/")')
        if recipe.device:
            parts.append(f'tf.device("{recipe.device}")')
        if recipe.control_inputs:
            ops = ", ".join(self.op(name) for name in recipe.control_inputs)
            parts.append(f"tf.control_dependencies([{ops}])")
        return ", ".join(parts)

    def tensor(self, ref) -> str:
        if isinstance(ref, tuple):
            return f"[{', '.join(self.tensor(name) for name in ref)}]"
        op_name, _, index = ref.rpartition(":")
        variable, is_tensor = self.names[op_name]
        if is_tensor:
            return variable if index == "0" else f"{variable}.op.outputs[{index}]"
        return f"{variable}.outputs[{index}]"

    def op(self, name: str) -> str:
        variable, is_tensor = self.names[name]
        return f"{variable}.op" if is_tensor else variable

    def _variable(self, op_name: str) -> str:
        base = re.sub(r"\W", "_", op_name)
        if base[0].isdigit() or keyword.iskeyword(base) or base in _RESERVED:
            base = f"op_{base}"
        taken = {variable for variable, _ in self.names.values()}
        variable, count = base, 1
        while variable in taken:
            count += 1
            variable = f"{base}_{count}"
        return variable

    def value(self, value, raw: bool) -> str:
        if isinstance(value, dtypes.DType):
            return f"tf.{value.name}"
        if isinstance(value, TensorShape):
            dims = "None" if value.rank is None else repr(list(value.dims))
            return f"tf.TensorShape({dims})" if raw else dims
        if isinstance(value, np.ndarray):
            self.numpy = True
            data = self.value(value.tolist(), raw)
            kind = "object" if value.dtype.kind == "O" else f"np.{value.dtype.name}"
            return f"np.array({data}, dtype={kind}).reshape({value.shape})"
        if isinstance(value, list | tuple):
            items = [self.value(item, raw) for item in value]
            if isinstance(value, tuple):
                return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
            return f"[{', '.join(items)}]"
        if isinstance(value, float) and not np.isfinite(value):
            return f'float("{value}")'
        return repr(value)


# -- parsing form fields ----------------------------------------------------------------


def parse_literal(text: str):
    """A Python literal typed in a field (``ast.literal_eval``: data only, never code).

    Examples
    --------
    >>> parse_literal("[[1.0, 2.0]]"), parse_literal(" 'NHWC' ")
    ([[1.0, 2.0]], 'NHWC')
    >>> parse_literal("__import__('os')")
    Traceback (most recent call last):
    ...
    ValueError: Not a Python literal: __import__('os') (write numbers, strings, lists or None).
    """
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise ValueError(
            f"Not a Python literal: {text.strip() or '(empty)'} "
            "(write numbers, strings, lists or None)."
        ) from None


def parse_shape(value) -> TensorShape | None:
    """A shape from text like ``"[None, 3]"`` (or a list); ``None``/empty is an unknown rank.

    Examples
    --------
    >>> parse_shape("[None, 3]"), parse_shape(""), parse_shape([2])
    (TensorShape([None, 3]), None, TensorShape([2]))
    """
    if isinstance(value, str):
        value = parse_literal(value) if value.strip() else None
    if value is None or isinstance(value, TensorShape):
        return value if value is None or value.rank is not None else None
    ok = isinstance(value, list | tuple) and all(
        d is None or (isinstance(d, int) and not isinstance(d, bool) and d >= 0) for d in value
    )
    if not ok:
        raise ValueError(f"A shape is a list of sizes or None, like [None, 3]; got {value!r}.")
    return TensorShape(list(value))


def _normalized(field: Field, value):
    """A field's value as the builder calls take it (dtype names and shapes parsed)."""
    if field.kind == "dtype" and value is not None:
        return _checked(dtypes.as_dtype, value, field.name)
    if field.kind == "shape":
        return _checked(parse_shape, value, field.name)
    return value


def _message(err: BaseException) -> str:
    if isinstance(err, FieldError):
        return str(err)
    # Messages end with where the op was created: here, always the builder's own call,
    # so it is left out.
    if isinstance(err, OpError):
        return f"{type(err).__name__}: {err.message}"
    text = re.sub(r" \(op created at .*\)$", "", str(err), flags=re.S)
    return f"{type(err).__name__}: {text}"


# -- the builder ------------------------------------------------------------------------


class GraphBuilder:
    """Build a graph with widgets: a palette, a form, undo/redo, a picture, Run and code.

    Every control calls one method, so the builder is also scriptable. Actions never
    raise: a refused one leaves the graph as it was and puts its message in ``errors``
    under the field that caused it (the form shows it next to that field).

    Parameters
    ----------
    graph : Graph, optional
        A graph to edit further (built in code, loaded, or from another builder); the
        builder edits its own copy, rebuilt from :func:`recipes_of`.
    config : ConfigProto, optional
        For the session that places (colours) and runs the graph; by default soft
        placement with as many CPUs as the graph asks for.

    Examples
    --------
    >>> builder = GraphBuilder()
    >>> builder.add("tf.constant", value=5.0, name="a"), builder.add("tf.constant", value=6.0, name="b")
    ('a', 'b')
    >>> builder.add("tf.multiply", ["a:0", "b:0"], name="c")
    'c'
    >>> builder.run(["c:0"])
    {'c:0': np.float32(30.0)}
    >>> builder.add("tf.matmul", ["a:0", "c:0"], name="d") is None
    True
    >>> builder.errors["b"].split(" for ")[0]
    'ValueError: Shape must be rank 2 but is rank 0'
    >>> builder.undo(); [op.name for op in builder.graph.get_operations()]
    ['a', 'b']
    """

    def __init__(self, graph: Graph | None = None, config: ConfigProto | None = None):
        recipes = recipes_of(graph) if graph is not None else ()
        self._history = [recipes]
        self._at = 0
        self._config = config
        self._session = None
        self.graph = build_graph(recipes)
        self.errors: dict = {}
        self.message = ""
        self.results: dict = {}
        self.pending_delete: list | None = None
        self.selected: str | None = None
        self.entry: PaletteEntry | None = None
        self._refreshing = False  # widget events caused by refresh() are not the user's
        self._build()
        self.refresh()

    @property
    def recipes(self) -> tuple:
        """The current recipes, one per op, in creation order."""
        return self._history[self._at]

    @property
    def can_undo(self) -> bool:
        return self._at > 0

    @property
    def can_redo(self) -> bool:
        return self._at < len(self._history) - 1

    @property
    def session(self) -> Session:
        """A session on the current graph (made on first use, closed when the graph changes)."""
        if self._session is None:
            self._session = Session(graph=self.graph, config=self._config or _config(self.graph))
        return self._session

    # -- actions ------------------------------------------------------------------------

    def add(
        self, builder: str, inputs=(), *, name="", scope="", device="", control_inputs=(), **attrs
    ) -> str | None:
        """Add an op: ``builder`` is a palette key (``"tf.add"``, ``"raw_ops.AddN"``),
        ``inputs`` tensor names (``"a:0"``, or ``"a"`` for output 0), ``attrs`` the
        builder's arguments. Returns the op's name, or ``None`` if it was refused."""
        return self._act(
            lambda: self._add(builder, inputs, name, scope, device, control_inputs, attrs)
        )

    def click_add(self) -> str | None:
        """Add the op the form describes (literal fields parsed with ``ast.literal_eval``)."""
        return self._act(lambda: self._add(*self._form_values()))

    def rename(self, old: str, new: str) -> bool:
        """Rename op ``old`` to ``new`` (``"scope/name"`` moves it to that scope); the ops
        that read it follow."""

        def action():
            index = self._index(old, "rename")
            scope, name = self._checked_name(new, "rename", exclude=old)
            moved = dataclasses.replace(self.recipes[index], name=name, scope=scope)
            recipes = [_renamed(r, old, moved.full_name) for r in self.recipes]
            recipes[index] = _renamed(moved, old, moved.full_name)
            message = self._commit(recipes, f"renamed {old} to {moved.full_name}", "rename")
            self.selected = moved.full_name
            return message, True

        return bool(self._act(action))

    def request_delete(self, name: str) -> list:
        """Ask to delete op ``name`` and every op that depends on it; returns those ops.

        Nothing changes until :meth:`confirm_delete` (or :meth:`cancel_delete`)."""

        def action():
            self._index(name, "delete")
            doomed = _dependents(self.recipes, name)
            also = f" and its dependents {', '.join(doomed[1:])}" if len(doomed) > 1 else ""
            self.pending_delete = doomed
            return f"Delete {name}{also}? Confirm or cancel.", doomed

        return self._act(action) or []

    def confirm_delete(self) -> None:
        """Delete the ops :meth:`request_delete` listed."""
        doomed = self.pending_delete or []
        kept = [r for r in self.recipes if r.full_name not in doomed]
        self._act(lambda: (self._commit(kept, f"deleted {', '.join(doomed)}", "delete"), None))

    def cancel_delete(self) -> None:
        self.pending_delete = None
        self._act(lambda: ("delete cancelled", None))

    def undo(self) -> None:
        """Go back one change (the graph is rebuilt from the earlier recipes)."""
        self._act(lambda: self._step(-1, "undo"))

    def redo(self) -> None:
        self._act(lambda: self._step(1, "redo"))

    def run(self, fetches=None, feeds=None) -> dict | None:
        """Run the graph: ``fetches`` are tensor names (default: the fetch list's choice),
        ``feeds`` map placeholders to values or literal text (default: the feed fields).
        Returns ``{name: value}``."""

        def action():
            names = list(self.fetch_list.value if fetches is None else fetches)
            if not names:
                raise FieldError("fetches", "Choose what to fetch.")
            feed_dict = _feed_dict(self.feed_texts() if feeds is None else feeds)
            try:
                values = self.session.run(names, feed_dict)
            except Exception as err:  # the runtime's own error, shown in the run panel
                raise FieldError("run", _message(err)) from None
            self.results = dict(zip(names, values))
            return f"ran {', '.join(names)}", self.results

        return self._act(action)

    def to_code(self) -> str:
        """Python code (``import runtime as tf``) that rebuilds this graph exactly."""
        return to_code(self.recipes, self.graph)

    def choose(self, key: str | None) -> None:
        """Show the form of palette entry ``key``."""

        def action():
            self.entry = None if key is None else self._entry(key)
            self._show_form()
            return f"form: {key}" if key else "", None

        self._act(action)

    def select(self, name: str | None) -> None:
        """Select op ``name`` in the node list (for rename and delete)."""
        self.selected = name
        self.refresh()

    def feed_texts(self) -> dict:
        """``{placeholder tensor name: text}`` of the feed fields that are filled in."""
        return {w.description: w.value for w in self.feeds.children if w.value.strip()}

    # -- model internals ----------------------------------------------------------------

    def _act(self, action):
        try:
            message, result = action()
        except FieldError as err:
            self.errors, self.message, result = {err.field: str(err)}, str(err), None
        else:
            self.errors, self.message = {}, message
        self.refresh()
        return result

    def _add(self, builder, inputs, name, scope, device, control_inputs, attrs) -> tuple:
        entry = self._entry(builder)
        if not name.strip():
            name = self.graph.unique_name(_join(scope, entry.op_type), mark_as_used=False)
            scope = ""
        scope, name = self._checked_name(_join(scope, name), "name")
        recipe = Recipe(
            entry.key,
            self._checked_inputs(entry, inputs),
            _non_default(entry, _checked_attrs(entry, attrs)),
            name=name,
            scope=scope,
            device=_checked(canonical_name, device.strip(), "device"),
            control_inputs=tuple(self._checked_op(c, "control_inputs") for c in control_inputs),
        )
        try:
            graph = build_graph([*self.recipes, recipe])
        except RecipeError as err:
            field = err.error.field if isinstance(err.error, FieldError) else self._blame(recipe)
            raise FieldError(field, _message(err.error)) from None
        self._push([*self.recipes, recipe], graph)
        return f"added {recipe.full_name}", recipe.full_name

    def _form_values(self) -> tuple:
        entry = self.entry
        if entry is None:
            raise FieldError("op", "Choose an op from the palette.")
        values = {key: field.value for key, field in self.fields.items()}
        inputs = [values.pop(name) for name in entry.input_names]
        attrs = {}
        for field in entry.fields:
            text = values.pop(field.name)
            if field.kind == "dtype":
                attrs[field.name] = text or None
            elif field.kind != "literal":
                attrs[field.name] = text
            elif text.strip():
                try:
                    attrs[field.name] = parse_literal(text)
                except ValueError as err:
                    raise FieldError(field.name, str(err)) from None
        return entry.key, inputs, values["name"], values["scope"], values["device"], (), attrs

    def _entry(self, key: str) -> PaletteEntry:
        try:
            return palette()[key]
        except KeyError:
            raise FieldError(
                "op", f"No palette entry '{key}' (try 'tf.add' or 'raw_ops.AddN')."
            ) from None

    def _index(self, name: str, field: str) -> int:
        if not name:
            raise FieldError(field, f"Select an op to {field}.")
        for index, recipe in enumerate(self.recipes):
            if recipe.full_name == name:
                return index
        raise FieldError(field, f"No op named '{name}'.")

    def _checked_name(self, full: str, field: str, exclude=None) -> tuple:
        """``(scope, name)`` of a new op name; ``FieldError`` if invalid or taken."""
        full = full.strip().strip("/")
        scope, _, name = full.rpartition("/")
        if scope:
            _checked(check_op_name, scope, "scope" if field == "name" else field)
        _checked(check_op_name, full, field)
        taken = {r.full_name.lower(): r.full_name for r in self.recipes if r.full_name != exclude}
        if full.lower() in taken:
            raise FieldError(field, f"An op named '{taken[full.lower()]}' exists already.")
        return scope, name

    def _checked_inputs(self, entry: PaletteEntry, inputs) -> tuple:
        inputs = list(inputs)
        if len(inputs) != len(entry.inputs):
            raise FieldError(
                entry.input_names[-1] if entry.inputs else "op",
                f"{entry.key} takes {len(entry.inputs)} inputs "
                f"({', '.join(entry.input_names) or 'none'}), got {len(inputs)}.",
            )
        checked = []
        for arg, field, ref in zip(entry.inputs, entry.input_names, inputs):
            if arg.startswith("*"):
                checked.append(tuple(self._checked_tensor(r, field) for r in ref))
            else:
                checked.append(self._checked_tensor(ref, field))
        return tuple(checked)

    def _checked_tensor(self, ref, field: str) -> str:
        name = ref.name if isinstance(ref, Tensor) else str(ref or "")
        if not name:
            raise FieldError(field, f"Choose the tensor for input '{field}'.")
        try:
            return self.graph.get_tensor_by_name(name if ":" in name else f"{name}:0").name
        except (KeyError, ValueError) as err:
            raise FieldError(field, str(err).strip('"')) from None

    def _checked_op(self, ref, field: str) -> str:
        try:
            return self.graph.get_operation_by_name(getattr(ref, "name", ref)).name
        except (KeyError, ValueError, TypeError) as err:
            raise FieldError(field, str(err).strip('"')) from None

    def _blame(self, recipe: Recipe) -> str:
        """The field that caused a refusal: the first attr whose default makes the op
        build, else the last input, else the first required field."""
        entry = recipe.entry
        for key in recipe.attrs:
            if entry.field(key).default is REQUIRED:
                continue
            attrs = {k: v for k, v in recipe.attrs.items() if k != key}
            try:
                build_graph([*self.recipes, dataclasses.replace(recipe, attrs=attrs)])
            except RecipeError:
                continue
            return key
        if entry.inputs:
            return entry.input_names[-1]
        return next((f.name for f in entry.fields if f.default is REQUIRED), "name")

    def _commit(self, recipes, message: str, field: str) -> str:
        try:
            graph = build_graph(recipes)
        except RecipeError as err:
            raise FieldError(field, _message(err.error)) from None
        self._push(recipes, graph)
        return message

    def _push(self, recipes, graph: Graph) -> None:
        del self._history[self._at + 1 :]
        self._history.append(tuple(recipes))
        self._at += 1
        self._set_graph(graph)

    def _step(self, delta: int, what: str) -> tuple:
        if not 0 <= self._at + delta < len(self._history):
            raise FieldError(what, f"Nothing to {what}.")
        self._at += delta
        self._set_graph(build_graph(self.recipes))
        return f"{what}: {len(self.recipes)} ops", None

    def _set_graph(self, graph: Graph) -> None:
        if self._session is not None:
            self._session.close()
        self._session = None
        self.graph = graph
        self.results = {}
        self.pending_delete = None
        names = {op.name for op in graph.get_operations()}
        self.selected = self.selected if self.selected in names else None

    # -- pixels -------------------------------------------------------------------------

    def _build(self) -> None:
        self.buttons: dict = {}
        undo, redo = self._button("Undo", self.undo), self._button("Redo", self.redo)
        self.message_box = widgets.HTML().add_class("tfgraph-builder-message")
        self.family = widgets.Dropdown(options=["all", *families()], description="Family")
        self.search = widgets.Text(placeholder="search ops", description="Search")
        self.search.add_class("tfgraph-builder-search")
        self.palette_list = widgets.Select(rows=12).add_class("tfgraph-builder-palette")
        for control in (self.family, self.search):
            control.observe(lambda _: self.refresh(), names="value")
        self.palette_list.observe(self._on_palette, names="value")
        self.form = widgets.VBox().add_class("tfgraph-builder-form")
        self.picture = widgets.HTML().add_class("tfgraph-builder-graph")
        self.node_list = widgets.Select(rows=8).add_class("tfgraph-builder-nodes")
        self.node_list.observe(self._on_node, names="value")
        self.rename_text = widgets.Text(placeholder="new name").add_class("tfgraph-builder-rename")
        self.confirm_text = widgets.HTML()
        self.delete_box = widgets.HBox(
            [
                self.confirm_text,
                self._button("Confirm delete", self.confirm_delete),
                self._button("Cancel", self.cancel_delete),
            ]
        ).add_class("tfgraph-builder-confirm")
        self.feeds = widgets.VBox().add_class("tfgraph-builder-feeds")
        self.fetch_list = widgets.SelectMultiple(description="Fetch", rows=4)
        self.fetch_list.add_class("tfgraph-builder-fetch")
        self.results_box = widgets.HTML().add_class("tfgraph-builder-results")
        self.code = widgets.HTML().add_class("tfgraph-builder-code")
        self.error_boxes = {key: _error_box() for key in ("rename", "run")}
        rename = self._button("Rename", self._click_rename)
        edit = widgets.VBox(
            [
                self.node_list,
                widgets.HBox([self.rename_text, rename, self.error_boxes["rename"]]),
                self._button("Delete", lambda: self.request_delete(self.selected or "")),
                self.delete_box,
            ]
        )
        run = widgets.VBox([self.feeds, self.fetch_list, self._button("Run", self.run)])
        run.children += (self.error_boxes["run"], self.results_box)
        palette_box = widgets.VBox([self.family, self.search, self.palette_list])
        for control in palette_box.children:  # side by side with the form, unclipped
            control.layout.width = "300px"
        palette_box.layout.min_width = "310px"
        self.widget = widgets.VBox(
            [
                widgets.HBox([undo, redo, self.message_box]),
                widgets.HBox([palette_box, self.form]),
                self.picture,
                widgets.HBox([edit, run]),
                self.code,
            ]
        ).add_class("tfgraph-builder")
        self._show_form()

    def _show_form(self) -> None:
        """Make the chosen entry's form: ``fields`` and their error boxes, by field name."""
        _close(self.form)  # the old form's widgets leave the kernel too
        self.fields: dict = {}
        entry = self.entry
        self.error_boxes = {key: self.error_boxes[key] for key in ("rename", "run")}
        if entry is None:
            self.form.children = [widgets.HTML("<i>Choose an op from the palette.</i>")]
            return
        for arg, name in zip(entry.inputs, entry.input_names):
            chooser = widgets.SelectMultiple if arg.startswith("*") else widgets.Dropdown
            self.fields[name] = chooser(description=name, options=[])
        for field in entry.fields:
            self.fields[field.name] = _field_widget(field)
        for key in ("name", "scope", "device"):
            self.fields[key] = widgets.Text(description=key)
        rows = [widgets.HTML(f"<b>{html.escape(entry.key)}</b> ({entry.op_type})")]
        add = self._button("Add", self.click_add)
        for key, field_widget in [*self.fields.items(), ("op", add)]:
            field_widget.add_class(f"tfgraph-builder-field-{key}")
            self.error_boxes[key] = _error_box()
            rows.append(widgets.HBox([field_widget, self.error_boxes[key]]))
        self.form.children = rows

    def _button(self, label: str, action) -> widgets.Button:
        """A button calling ``action``, kept in ``buttons`` (tests click them)."""
        button = widgets.Button(description=label).add_class(
            "tfgraph-builder-" + label.lower().replace(" ", "-")
        )
        button.on_click(lambda _: action())
        self.buttons[label] = button
        return button

    def _click_rename(self) -> None:
        if self.rename(self.selected or "", self.rename_text.value):
            self.rename_text.value = ""

    def refresh(self) -> None:
        """Redraw everything from the model: picture, lists, form choices, errors, code."""
        self._refreshing = True
        try:
            self._refresh_palette()
            self._refresh_inputs()
            self._refresh_nodes()
            self._refresh_run()
        finally:
            self._refreshing = False
        for key, box in self.error_boxes.items():
            _show_error(box, key, self._error_for(key))
        self.picture.value = self._picture()
        self.code.value = f"<pre>{html.escape(self.to_code())}</pre>"
        self.buttons["Undo"].disabled = not self.can_undo
        self.buttons["Redo"].disabled = not self.can_redo
        color = "#b00020" if self.errors else "#333333"
        self.message_box.value = f'<span style="color:{color}">{html.escape(self.message)}</span>'

    def _picture(self) -> str:
        if not self.graph.get_operations():
            return "<i>The graph is empty: add an op.</i>"
        try:
            view = GraphView(self.graph, self.session)
        except Exception:  # a placement the config cannot make: draw the requests instead
            view = GraphView(self.graph)
        return render.to_svg(view)

    def _error_for(self, key: str) -> str | None:
        aliases = {"rename": ("rename", "delete"), "run": ("run", "fetches")}
        for field, message in self.errors.items():
            if field in aliases.get(key, (key,)) or (key == "run" and field.startswith("feed:")):
                return message
        return None

    def _refresh_palette(self) -> None:
        entries = palette_entries(self.search.value, self.family.value)
        labels = [(f"{e.family}: {e.key} ({e.op_type})", e.key) for e in entries]
        if list(self.palette_list.options) != labels:
            self.palette_list.options = labels
        key = self.entry.key if self.entry else None
        self.palette_list.value = key if key in _values(self.palette_list) else None

    def _refresh_inputs(self) -> None:
        tensors = [
            (f"{t.name} {t.dtype.name} {t.shape}", t.name)
            for op in self.graph.get_operations()
            for t in op.outputs
        ]
        for name in self.entry.input_names if self.entry else ():
            chooser = self.fields[name]
            if list(chooser.options) != tensors:
                kept = chooser.value
                chooser.options = tensors
                valid = _values(chooser)
                if isinstance(kept, tuple):
                    chooser.value = tuple(v for v in kept if v in valid)
                else:
                    chooser.value = kept if kept in valid else None

    def _refresh_nodes(self) -> None:
        labels = [
            (f"{op.name} ({op.type}) {op.device}".strip(), op.name)
            for op in self.graph.get_operations()
        ]
        if list(self.node_list.options) != labels:
            self.node_list.options = labels
        self.node_list.value = self.selected
        self.delete_box.layout.display = "flex" if self.pending_delete else "none"
        self.confirm_text.value = html.escape(self.message) if self.pending_delete else ""

    def _refresh_run(self) -> None:
        ops = self.graph.get_operations()
        placeholders = [op.outputs[0].name for op in ops if op.type == "Placeholder"]
        if [w.description for w in self.feeds.children] != placeholders:
            _close(self.feeds)
            self.feeds.children = [
                widgets.Text(description=name, placeholder="value, e.g. [[1.0, 2.0]]")
                for name in placeholders
            ]
        fetchable = [t.name for op in ops for t in op.outputs]
        if list(self.fetch_list.options) != fetchable:
            kept = [name for name in self.fetch_list.value if name in fetchable]
            self.fetch_list.options = fetchable
            self.fetch_list.value = tuple(kept)
        self.results_box.value = "".join(
            f'<pre data-tensor="{html.escape(name)}">{html.escape(name)} = '
            f"{html.escape(str(value))}</pre>"
            for name, value in self.results.items()
        )

    def _on_palette(self, change) -> None:
        if not self._refreshing and change["new"] is not None:
            self.choose(change["new"])

    def _on_node(self, change) -> None:
        if not self._refreshing and change["new"] != self.selected:
            self.select(change["new"])

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self):
        return f"<GraphBuilder {len(self.recipes)} ops>"


# -- small helpers ----------------------------------------------------------------------


def _values(chooser) -> set:
    """The values a selection widget of ``(label, value)`` options offers."""
    return {value for _, value in chooser.options}


def _join(scope: str, name: str) -> str:
    return "/".join(part for part in (scope.strip().strip("/"), name.strip()) if part)


def _checked(check, value, field: str):
    """``check(value)``, its ``ValueError``/``TypeError`` turned into a ``FieldError``."""
    try:
        return check(value)
    except (TypeError, ValueError) as err:
        raise FieldError(field, str(err)) from None


def _checked_attrs(entry: PaletteEntry, attrs: dict) -> dict:
    known = {f.name: f for f in entry.fields}
    unknown = sorted(set(attrs) - set(known))
    if unknown:
        raise FieldError("op", f"{entry.key} has no attr(s) {unknown}; it has {sorted(known)}.")
    for field in entry.fields:
        if field.name not in attrs and field.default is REQUIRED:
            raise FieldError(field.name, f"{field.name} is required.")
    return {key: _normalized(known[key], value) for key, value in attrs.items()}


def _renamed(recipe: Recipe, old: str, new: str) -> Recipe:
    """``recipe`` with its references to op ``old`` pointing at ``new``."""

    def ref(name):
        if isinstance(name, tuple):
            return tuple(ref(n) for n in name)
        op, _, index = name.rpartition(":")
        return f"{new}:{index}" if op == old else name

    controls = tuple(new if c == old else c for c in recipe.control_inputs)
    return dataclasses.replace(
        recipe, inputs=tuple(ref(r) for r in recipe.inputs), control_inputs=controls
    )


def _dependents(recipes, name: str) -> list:
    """``name`` and every op that reads it, directly or not, in creation order."""
    doomed = [name]
    for recipe in recipes:
        refs = [r for ref in recipe.inputs for r in (ref if isinstance(ref, tuple) else (ref,))]
        sources = {r.rpartition(":")[0] for r in refs} | set(recipe.control_inputs)
        if recipe.full_name not in doomed and sources & set(doomed):
            doomed.append(recipe.full_name)
    return doomed


def _feed_dict(feeds: dict) -> dict:
    parsed = {}
    for name, value in feeds.items():
        if isinstance(value, str):
            try:
                value = parse_literal(value)
            except ValueError as err:
                raise FieldError(f"feed:{name}", f"{name}: {err}") from None
        parsed[name] = value
    return parsed


def _config(graph: Graph) -> ConfigProto:
    """Soft placement, and as many CPUs as the graph's device requests name."""
    cpus = 1
    for op in graph.get_operations():
        spec = DeviceSpec.from_string(op.device)
        if spec.device_type == "CPU" and spec.device_index is not None:
            cpus = max(cpus, spec.device_index + 1)
    return ConfigProto(allow_soft_placement=True, device_count={"CPU": cpus})


def _field_widget(field: Field) -> widgets.Widget:
    default, kind = field.default, field.kind
    if kind == "dtype":
        options = [(d.name, d) for d in _DTYPES]
        if default is None:  # "" stands for None: a Dropdown's None means "nothing chosen"
            options.insert(0, ("(infer)", ""))
        value = {REQUIRED: dtypes.float32, None: ""}.get(default, default)
        return widgets.Dropdown(options=options, value=value, description=field.name)
    if kind == "bool":
        return widgets.Checkbox(value=default is True, description=field.name, indent=False)
    if kind in ("int", "float"):
        number = widgets.IntText if kind == "int" else widgets.FloatText
        return number(value=default, description=field.name)
    if default is REQUIRED:
        text = ""
    elif kind == "text":
        text = default
    elif kind == "shape":
        text = "None" if default is None else repr(list(default.dims))
    else:
        text = repr(default)
    hint = {"shape": "e.g. [None, 3]", "literal": "a Python literal, e.g. [[1.0, 2.0]]"}
    return widgets.Text(value=text, description=field.name, placeholder=hint.get(kind, ""))


def _close(box: widgets.Box) -> None:
    """Close ``box``'s children, and theirs (the box itself stays)."""
    for child in box.children:
        if isinstance(child, widgets.Box):
            _close(child)
        child.close()


def _error_box() -> widgets.HTML:
    box = widgets.HTML()
    box.layout.display = "none"
    return box


def _show_error(box: widgets.HTML, field: str, message: str | None) -> None:
    box.layout.display = "flex" if message else "none"
    box.value = (
        f'<span class="tfgraph-builder-error" data-field="{html.escape(field)}" '
        f'style="color:#b00020">{html.escape(message)}</span>'
        if message
        else ""
    )
