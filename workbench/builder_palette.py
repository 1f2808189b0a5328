"""The ops a :class:`~workbench.builder.GraphBuilder` can add, and their forms.

The palette is the registry: the public builders (``tf.add``, ``tf.constant`` ...) for
the op types that have one, and every other registered op type as a generic
``apply_op`` call. A form's fields come from the builder's signature or the OpDef, so
a new op appears here the moment it is registered.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from functools import cache

import numpy as np

import runtime as tf
from runtime import dtypes
from runtime.op_signature import AttrDef
from runtime.registry import REQUIRED, OpDef, get_op_def, registered_ops
from runtime.shapes import TensorShape

from .palette import op_category

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
RAW = "raw_ops."  # the key prefix of an op type's generic entry
# Builders that make another op type for some inputs (recipes_of maps those back too).
_ALSO_MADE_BY = {"BatchMatMulV2": "matmul"}
_TYPE_ATTR = re.compile(r"T|U|dtype|Index|T[a-z]+|[A-Z][a-z]*T|\w*_type")
# The field of each kind of attr an OpDef declares; lists, tensors and functions are
# typed as literals.
_FIELD_OF_ATTR = {"type": "dtype", "bool": "bool", "int": "int", "float": "float"}
_FIELD_OF_ATTR |= {"string": "text", "shape": "shape"}


@dataclasses.dataclass(frozen=True)
class Field:
    """One attr field of a form: ``kind`` is dtype, shape, bool, int, float, text or
    literal; ``choices`` the dtype names a dtype field allows (``None``: any)."""

    name: str
    kind: str
    default: object = REQUIRED
    choices: tuple | None = None


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
        """The attr field called ``name``."""
        return next(f for f in self.fields if f.name == name)

    def non_default(self, attrs: dict) -> dict:
        """The ``attrs`` that differ from their field's default (all unknown ones too)."""
        defaults = {f.name: f.default for f in self.fields}
        return {k: v for k, v in attrs.items() if not _same(v, defaults.get(k, REQUIRED))}

    @property
    def input_names(self) -> tuple:
        """The inputs' names, as their form fields are called (no ``&``/``*`` marks)."""
        return tuple(arg.lstrip("&*") for arg in self.inputs)


def _same(value, default) -> bool:
    if default is REQUIRED or isinstance(value, np.ndarray):
        return False
    return type(value) is type(default) and value == default


def field_kind(name: str, default) -> str:
    """The form field for an attr known only by its name and default (a builder's
    parameter): the default's type decides; the name only where the default says
    nothing (``REQUIRED`` or ``None``).

    Examples
    --------
    >>> [field_kind(*a) for a in [("T", REQUIRED), ("transpose_a", False), ("shape", None)]]
    ['dtype', 'bool', 'shape']
    >>> [field_kind(*a) for a in [("alpha", 0.2), ("axis", None), ("padding", "SAME")]]
    ['float', 'literal', 'text']
    >>> field_kind("executor_type", "")  # a string, whatever its name says
    'text'
    """
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, dtypes.DType):
        return "dtype"
    if name == "shape" or isinstance(default, TensorShape):
        return "shape"
    if default is REQUIRED or default is None:
        return "dtype" if _TYPE_ATTR.fullmatch(name) else "literal"
    return {int: "int", float: "float", str: "text"}.get(type(default), "literal")


def attr_field(attr: AttrDef) -> Field:
    """The form field of an attr an OpDef declares, of the kind it declares.

    A required number is typed as a literal (a number box always holds a number), and
    a dtype field offers the dtypes the attr allows.

    Examples
    --------
    >>> attrs = get_op_def("SparseTensorDenseMatMul").signature.attrs
    >>> attr_field(attrs["Tindices"])
    Field(name='Tindices', kind='dtype', default=tf.int64, choices=('int32', 'int64'))
    >>> attr_field(get_op_def("TFRecordReaderV2").signature.attrs["compression_type"])
    Field(name='compression_type', kind='text', default='', choices=None)
    >>> attr_field(get_op_def("AddN").signature.attrs["N"]).kind
    'literal'
    """
    kind = _FIELD_OF_ATTR.get(attr.kind, "literal")
    if kind in ("int", "float") and not attr.has_default:
        kind = "literal"
    return Field(attr.name, kind, attr.default, attr.allowed if kind == "dtype" else None)


def _builder_entry(path: str, op_type: str) -> PaletteEntry:
    function = tf
    for part in path.split("."):
        function = getattr(function, part)
    op_def = get_op_def(op_type)
    params = [p for p in inspect.signature(function).parameters.values() if p.name != "name"]
    attrs = params[len(op_def.marked_input_names) :]
    fields = tuple(
        Field(p.name, field_kind(p.name, d), d)
        for p in attrs
        for d in [REQUIRED if p.default is p.empty else p.default]
    )
    family = op_category(op_type)
    return PaletteEntry(f"tf.{path}", op_type, family, op_def.marked_input_names, fields, function)


def _raw_entry(op_def: OpDef) -> PaletteEntry:
    fields = tuple(attr_field(attr) for attr in op_def.signature.attrs.values())
    inputs = op_def.marked_input_names
    return PaletteEntry(RAW + op_def.name, op_def.name, op_category(op_def.name), inputs, fields)


@cache
def palette() -> dict:
    """``{key: PaletteEntry}``: the public builders, then a raw entry for every op type.

    Examples
    --------
    >>> entry = palette()["tf.matmul"]
    >>> entry.op_type, entry.family, entry.inputs, entry.field("transpose_a")
    ('MatMul', 'math', ('a', 'b'), Field(name='transpose_a', kind='bool', default=False, choices=None))
    >>> palette()["raw_ops.MatMul"].field("T").kind
    'dtype'
    """
    entries = [_builder_entry(path, op_type) for path, op_type in BUILDERS.items()]
    entries += [_raw_entry(d) for d in registered_ops()]
    return {entry.key: entry for entry in entries}


@cache
def _builders_by_type() -> dict:
    by_type = {op_type: palette()[f"tf.{path}"] for op_type, path in _ALSO_MADE_BY.items()}
    for entry in palette().values():
        if entry.function is not None:
            by_type.setdefault(entry.op_type, entry)
    return by_type


def builder_of(op_type: str) -> PaletteEntry | None:
    """The public builder's entry that makes ``op_type`` ops; ``None`` if none does.

    Examples
    --------
    >>> builder_of("AddV2").key, builder_of("BatchMatMulV2").key, builder_of("ReluGrad")
    ('tf.add', 'tf.matmul', None)
    """
    return _builders_by_type().get(op_type)


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
        if (entry.function is not None or builder_of(entry.op_type) is None)
        and (family in (None, "all") or entry.family == family)
        and (text in entry.key.lower() or text in entry.op_type.lower())
    ]
    return sorted(shown, key=lambda e: (e.family, e.function is None, e.key))


def families() -> list:
    """The palette's families, sorted.

    Examples
    --------
    >>> {"array", "math", "nn"} <= set(families())
    True
    """
    return sorted({entry.family for entry in palette().values()})
