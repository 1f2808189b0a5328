"""Builder recipes as Python code: ``import runtime as tf`` calls that rebuild the graph.

The code is what a person keeps, so it reads as they would write it: one variable per
op named after it, required arguments by position, ops in a scope, on a device or
after control inputs inside ``with`` blocks, and ``apply_op`` only for op types that
have no public builder.

The graph may come from an untrusted file, so nothing from it is ever spliced into
the code as text: every string (names, scopes, devices, attr keys and values) is
written as a Python literal made by ``repr`` (:func:`string_literal`), variables are
ASCII identifiers made from op names, and a value the writer does not know raises
rather than being written as whatever its ``repr`` says. Nor does the code grow with
what a file claims: a constant of more than :data:`CODE_VALUES` values is written as
``np.full`` when it is one value repeated, and refused (``ValueError``) otherwise.
"""

from __future__ import annotations

import builtins
import keyword
import math
import re

import numpy as np

from runtime import dtypes
from runtime.graph import Graph
from runtime.registry import REQUIRED
from runtime.shapes import TensorShape

from .builder_recipes import Recipe, build_graph

# Names a variable must not take: the code's own and Python's.
_RESERVED = {"tf", "np", "graph", "apply_op"} | set(dir(builtins))
# The most values of one constant written out one by one. A bigger constant of one
# repeated value (as files hold them) is written as ``np.full``; any other is refused:
# its code would grow with the data (or with what a file claims), not with the graph.
CODE_VALUES = 4096


def string_literal(text: str | bytes) -> str:
    """``text`` as a Python literal (``repr``'s, in double quotes when that needs no escape).

    Whatever ``text`` holds -- quotes, backslashes, newlines, code -- evaluating the
    literal gives ``text`` back and nothing else.

    Examples
    --------
    >>> print(string_literal("/job:x"), string_literal('say "hi"'), string_literal(b"\\x00"))
    "/job:x" 'say "hi"' b'\\x00'
    >>> import ast
    >>> hostile = '/job:x" if print("INJECTED") else "'
    >>> ast.literal_eval(string_literal(hostile)) == hostile
    True
    """
    literal = repr(text)
    if isinstance(text, str) and literal[0] == "'" and not {"'", '"'} & set(text):
        literal = f'"{literal[1:-1]}"'
    return literal


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
            args = [string_literal(entry.op_type), f"[{', '.join(args)}]"]
        # Required arguments go by position, as people write them: tf.constant(5.0).
        positional = not raw
        order = [f.name for f in entry.fields] + [k for k in recipe.attrs if k.startswith("_")]
        for key in order:
            if key not in recipe.attrs:
                positional = False
                continue
            try:
                text = self.value(recipe.attrs[key], raw)
            except ValueError as err:
                raise ValueError(f"attr '{key}' of op '{recipe.full_name}': {err}") from None
            positional = positional and entry.field(key).default is REQUIRED
            args.append(text if positional else _keyword(key, text))
        args.append(f"name={string_literal(recipe.name)}")
        call = "apply_op" if raw else entry.key
        op = self.graph.get_operation_by_name(recipe.full_name)
        variable = self._variable(recipe.full_name)
        self.names[op.name] = (variable, not raw and bool(op.outputs))
        return f"{variable} = {call}({', '.join(args)})"

    def context(self, recipe: Recipe) -> str:
        parts = []
        if recipe.scope:
            parts.append(f"tf.name_scope({string_literal(recipe.scope + '/')})")
        if recipe.device:
            parts.append(f"tf.device({string_literal(recipe.device)})")
        if recipe.control_inputs:
            ops = ", ".join(self.op(name) for name in recipe.control_inputs)
            parts.append(f"tf.control_dependencies([{ops}])")
        return ", ".join(parts)

    def tensor(self, ref) -> str:
        if isinstance(ref, tuple):
            return f"[{', '.join(self.tensor(name) for name in ref)}]"
        op_name, _, index = ref.rpartition(":")
        variable, is_tensor = self.names[op_name]
        position = int(index)  # a number, never text from the graph
        if is_tensor:
            return variable if position == 0 else f"{variable}.op.outputs[{position}]"
        return f"{variable}.outputs[{position}]"

    def op(self, name: str) -> str:
        variable, is_tensor = self.names[name]
        return f"{variable}.op" if is_tensor else variable

    def _variable(self, op_name: str) -> str:
        # ASCII only: Python folds other letters (NFKC), so two names could become one.
        base = re.sub(r"[^0-9A-Za-z_]", "_", op_name) or "op"
        if base[0].isdigit() or keyword.iskeyword(base) or base in _RESERVED:
            base = f"op_{base}"
        taken = {variable for variable, _ in self.names.values()}
        variable, count = base, 1
        while variable in taken:
            count += 1
            variable = f"{base}_{count}"
        return variable

    def value(self, value, raw: bool) -> str:
        """``value`` as Python source; ``TypeError`` for a kind of value it cannot write."""
        if isinstance(value, dtypes.DType):
            return f"tf.{dtypes.as_dtype(value.name).name}"  # a known dtype's own name
        if isinstance(value, TensorShape):
            dims = "None" if value.rank is None else repr([_int(d) for d in value.as_list()])
            return f"tf.TensorShape({dims})" if raw else dims
        if isinstance(value, np.ndarray):
            return self.array(value, raw)
        if isinstance(value, np.generic):
            return self.value(value.item(), raw)
        if isinstance(value, list | tuple):
            items = [self.value(item, raw) for item in value]
            if isinstance(value, tuple):
                return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
            return f"[{', '.join(items)}]"
        if isinstance(value, str | bytes):
            return string_literal(value)
        if isinstance(value, float) and not math.isfinite(value):
            return f'float("{value}")'
        if isinstance(value, complex):
            return f"complex({self.value(value.real, raw)}, {self.value(value.imag, raw)})"
        if value is None or isinstance(value, bool | int | float):
            return repr(value)
        raise TypeError(f"Cannot write a value of type {type(value).__name__} as code.")

    def array(self, array: np.ndarray, raw: bool) -> str:
        """``array`` as a numpy call: its values one by one, or ``np.full`` for a big
        array of one value; ``ValueError`` for a big array of several values."""
        self.numpy = True
        kind = "object" if array.dtype.kind == "O" else f"np.{dtypes.as_dtype(array.dtype).name}"
        shape = tuple(map(int, array.shape))
        if array.size <= CODE_VALUES:
            return f"np.array({self.value(array.tolist(), raw)}, dtype={kind}).reshape({shape!r})"
        if not one_value(array):
            raise ValueError(
                f"{array.size} values ({array.dtype} {list(shape)}) are too many to write as "
                f"code (at most {CODE_VALUES}, or any number of one repeated value); the "
                "builder still edits, runs and draws the graph."
            )
        return f"np.full({shape!r}, {self.value(array.flat[0], raw)}, dtype={kind})"


def one_value(array: np.ndarray) -> bool:
    """Whether every element of a non-empty ``array`` equals its first (NaN equals NaN).

    A broadcast view of one value (a file's splat constant) answers without reading
    its elements.

    Examples
    --------
    >>> one_value(np.broadcast_to(np.float32(np.nan), (2**40,))), one_value(np.array([1, 2]))
    (True, False)
    """
    if not any(array.strides):
        return True
    first = array.flat[0]
    same = array == first
    if array.dtype.kind in "fc" and np.isnan(first):
        same |= np.isnan(array)
    return bool(np.all(same))


def _keyword(key: str, text: str) -> str:
    """A keyword argument; a key that is not an identifier (a private attr read from a
    file) goes through ``**{...}`` as a string literal."""
    if key.isidentifier() and key.isascii() and not keyword.iskeyword(key):
        return f"{key}={text}"
    return f"**{{{string_literal(key)}: {text}}}"


def _int(dim) -> int | None:
    return None if dim is None else int(dim)
