"""TF's op-registration syntax, parsed into ``ArgDef`` and ``AttrDef``.

TensorFlow declares an op's inputs, outputs and attrs as short strings
(``REGISTER_OP("MatMul").Input("a: T").Attr("T: {float, double}")``); an ``OpDef`` here
is written the same way and each string is parsed once, when the op is registered:

- args: ``"x: T"`` (a type attr), ``"x: int32"`` (a fixed type), ``"ref: Ref(T)"`` (a
  reference), ``"values: N * T"`` (``N`` tensors of type ``T``), ``"args: Tin"`` (a
  ``list(type)`` attr), ``"handle: resource"``;
- attrs: ``"name: kind [>= minimum] [= default]"`` with kind one of ``string int float
  bool type shape tensor func``, ``list(kind)``, an allowed list (``{float, double}``,
  ``{'SAME', 'VALID'}``) or one of TF's named type classes (``numbertype``,
  ``realnumbertype``, ``quantizedtype``); defaults as TF writes them (``false``,
  ``-1``, ``'NHWC'``, ``DT_INT32``, ``[1, 1, 1, 1]``, ``{ unknown_rank: true }``).

Type names are TF's (``float``, ``double``, ``half``, ``int32`` ...) or this runtime's
(``float32``); both mean the same type. Types TF has and this runtime lacks
(``bfloat16``, ``qint8`` ...) may appear in allowed lists: TF's messages list them, and
no tensor ever has them.
"""

from __future__ import annotations

import ast
import dataclasses
import re

from . import dtypes
from .shapes import TensorShape


class _Required:
    """The default of an attr that has none: the op must be given it."""

    def __repr__(self):
        return "REQUIRED"


REQUIRED = _Required()

# TF's DataType names that this runtime has no numpy type for.
_TF_ONLY_TYPES = frozenset(
    [
        "bfloat16",
        "qint8",
        "quint8",
        "qint16",
        "quint16",
        "qint32",
        "int4",
        "uint4",
        "int2",
        "uint2",
        "float8_e5m2",
        "float8_e4m3fn",
        "float8_e4m3fnuz",
        "float8_e4m3b11fnuz",
        "float8_e5m2fnuz",
    ]
)
_SHORT = {"float": "float32", "double": "float64", "half": "float16"}
_ENUM_NAME = {"float32": "FLOAT", "float64": "DOUBLE", "float16": "HALF"}

# TF's named type classes, in TF's order (its messages list allowed types this way).
_REAL_NUMBER = [
    "float32",
    "float64",
    "int32",
    "uint8",
    "int16",
    "int8",
    "int64",
    "bfloat16",
    "uint16",
    "float16",
    "uint32",
    "uint64",
]
_QUANTIZED = ["qint8", "quint8", "qint32", "qint16", "quint16"]
_NUMBER = [
    "float32",
    "float64",
    "int32",
    "uint8",
    "int16",
    "int8",
    "complex64",
    "int64",
    "qint8",
    "quint8",
    "qint32",
    "bfloat16",
    "qint16",
    "quint16",
    "uint16",
    "complex128",
    "float16",
    "uint32",
    "uint64",
]
TYPE_CLASSES = {
    "numbertype": tuple(_NUMBER),
    "numerictype": tuple(_NUMBER),
    "realnumbertype": tuple(_REAL_NUMBER),
    "realnumerictype": tuple(_REAL_NUMBER),
    "quantizedtype": tuple(_QUANTIZED),
}
_SCALAR_KINDS = ("string", "int", "float", "bool", "type", "shape", "tensor", "func")


def type_name(name: str) -> str | None:
    """The canonical name of TF type ``name`` (``float`` -> ``float32``), or ``None``.

    Examples
    --------
    >>> type_name("double"), type_name("resource"), type_name("qint8"), type_name("T")
    ('float64', 'resource', 'qint8', None)
    """
    name = _SHORT.get(name, name)
    if name in _TF_ONLY_TYPES or name in dtypes._BY_NAME:
        return name
    return None


@dataclasses.dataclass(frozen=True)
class ArgDef:
    """One input or output of an op, as TF's ``OpDef.ArgDef``.

    Exactly one of ``type`` (a fixed type's canonical name), ``type_attr`` and
    ``type_list_attr`` is set; ``number_attr`` makes ``type_attr``/``type`` a list of
    that many tensors.

    Examples
    --------
    >>> arg = parse_arg("values: N * T", {"N": "int", "T": "type"})
    >>> arg.number_attr, arg.type_attr, arg.is_list, str(arg)
    ('N', 'T', True, 'values: N * T')
    """

    name: str
    type: str = ""
    type_attr: str = ""
    number_attr: str = ""
    type_list_attr: str = ""
    is_ref: bool = False

    @property
    def is_list(self) -> bool:
        return bool(self.number_attr or self.type_list_attr)

    def __str__(self):
        inner = self.type_list_attr or self.type_attr or self.type
        if self.number_attr:
            inner = f"{self.number_attr} * {inner}"
        return f"{self.name}: Ref({inner})" if self.is_ref else f"{self.name}: {inner}"


@dataclasses.dataclass(frozen=True)
class AttrDef:
    """One attr of an op, as TF's ``OpDef.AttrDef``.

    ``kind`` is TF's attr type (``"type"``, ``"list(int)"`` ...); ``allowed`` the
    allowed type names or strings (``None``: any); ``default`` the Python value an op
    gets when the attr is not given (``REQUIRED`` when it must be); ``minimum`` bounds
    an ``int`` or a list's length.

    Examples
    --------
    >>> attr = parse_attr("Tidx: {int32, int64} = DT_INT32")
    >>> attr.kind, attr.allowed, attr.default, str(attr)
    ('type', ('int32', 'int64'), tf.int32, 'Tidx: {int32, int64} = DT_INT32')
    """

    name: str
    kind: str
    allowed: tuple | None = None
    default: object = dataclasses.field(default=REQUIRED)
    minimum: int | None = None

    @property
    def item_kind(self) -> str:
        """``"int"`` for ``list(int)``; the kind itself for a scalar attr."""
        return self.kind[5:-1] if self.kind.startswith("list(") else self.kind

    @property
    def has_default(self) -> bool:
        return self.default is not REQUIRED

    def __str__(self):
        kind = self.kind
        if self.allowed is not None:
            quote = _quoted if self.item_kind == "string" else str
            listed = "{" + ", ".join(quote(item) for item in self.allowed) + "}"
            kind = f"list({listed})" if kind.startswith("list(") else listed
        text = f"{self.name}: {kind}"
        if self.minimum is not None:
            text += f" >= {self.minimum}"
        if self.has_default:
            text += f" = {format_value(self.default, self.item_kind)}"
        return text


# -- parsing ---------------------------------------------------------------------------

_ARG = re.compile(r"^\s*([A-Za-z_]\w*)\s*:\s*(?:Ref\(\s*(.*?)\s*\)|(.*?))\s*$")
_ARG_TYPE = re.compile(r"^(?:([A-Za-z_]\w*)\s*\*\s*)?([A-Za-z_]\w*)$")
_ATTR_HEAD = re.compile(r"^\s*([A-Za-z_]\w*)\s*:\s*")
_TOKEN = re.compile(r"""\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\{[^{}]*\}|[\[\],]|[^\s,\[\]]+)""")


def parse_arg(text: str, attr_kinds: dict) -> ArgDef:
    """Parse an input or output declaration; ``attr_kinds`` maps the op's attrs to kinds.

    Examples
    --------
    >>> parse_arg("ref: Ref(T)", {"T": "type"})
    ArgDef(name='ref', type='', type_attr='T', number_attr='', type_list_attr='', is_ref=True)
    >>> parse_arg("x: Q", {"T": "type"})
    Traceback (most recent call last):
    ...
    ValueError: Arg 'x: Q': 'Q' is neither a type nor an attr of kind type or list(type).
    """
    match = _ARG.match(text)
    inner = match and _ARG_TYPE.match(
        match.group(2) if match.group(2) is not None else match.group(3)
    )
    if not inner:
        raise ValueError(
            f"Arg {text!r} is not of the form 'name: T', 'name: N * T' or 'name: Ref(T)'."
        )
    name, is_ref = match.group(1), match.group(2) is not None
    number, type_text = inner.groups()
    if number is not None and attr_kinds.get(number) != "int":
        raise ValueError(f"Arg {text!r}: its length '{number}' must be an attr of kind int.")
    fixed = type_name(type_text)
    if fixed is not None:
        return ArgDef(name, type=fixed, number_attr=number or "", is_ref=is_ref)
    kind = attr_kinds.get(type_text)
    if kind == "type":
        return ArgDef(name, type_attr=type_text, number_attr=number or "", is_ref=is_ref)
    if kind == "list(type)" and number is None:
        return ArgDef(name, type_list_attr=type_text, is_ref=is_ref)
    raise ValueError(
        f"Arg {text!r}: {type_text!r} is neither a type nor an attr of kind type or list(type)."
    )


def parse_attr(text: str) -> AttrDef:
    """Parse an attr declaration.

    Examples
    --------
    >>> str(parse_attr("N: int >= 1")), parse_attr("padding: {'SAME', 'VALID'}").allowed
    ('N: int >= 1', ('SAME', 'VALID'))
    >>> parse_attr("T: realnumbertype").allowed[:3]
    ('float32', 'float64', 'int32')
    >>> parse_attr("x: int = 'a'")
    Traceback (most recent call last):
    ...
    ValueError: Attr "x: int = 'a'": default "'a'" is not a int.
    """
    head = _ATTR_HEAD.match(text)
    if not head:
        raise ValueError(f"Attr {text!r} is not of the form 'name: kind'.")
    name, rest = head.group(1), text[head.end() :]
    kind_text, rest = _split_kind(text, rest)
    kind, allowed = _kind(text, kind_text)
    minimum, default = None, REQUIRED
    rest = rest.strip()
    if rest.startswith(">="):
        found = re.match(r">=\s*(-?\d+)\s*", rest)
        if not found:
            raise ValueError(f"Attr {text!r}: '>=' takes an integer.")
        if kind != "int" and not kind.startswith("list("):
            raise ValueError(f"Attr {text!r}: only int and list attrs take a minimum.")
        minimum, rest = int(found.group(1)), rest[found.end() :]
    if rest.startswith("="):
        default = _parse_default(text, rest[1:].strip(), kind)
    elif rest:
        raise ValueError(f"Attr {text!r}: cannot read {rest!r}.")
    attr = AttrDef(name, kind, allowed, default, minimum)
    if attr.has_default:
        _check_default(text, attr)
    return attr


def _split_kind(text: str, rest: str) -> tuple[str, str]:
    """The kind at the start of ``rest`` (a word, ``list(...)`` or ``{...}``) and what follows."""
    if rest.startswith(("list(", "{")):
        depth, quote = 0, None
        for i, char in enumerate(rest):
            if quote:
                quote = None if char == quote else quote
            elif char in "'\"":
                quote = char
            elif char in "({":
                depth += 1
            elif char in ")}":
                depth -= 1
                if depth == 0:
                    return rest[: i + 1], rest[i + 1 :]
        raise ValueError(f"Attr {text!r}: unbalanced brackets.")
    word = re.match(r"[A-Za-z_]\w*", rest)
    if not word:
        raise ValueError(f"Attr {text!r} has no kind.")
    return word.group(), rest[word.end() :]


def _kind(text: str, kind_text: str) -> tuple[str, tuple | None]:
    """``(kind, allowed)`` for a kind as written: ``int``, ``list({float, double})`` ..."""
    if kind_text.startswith("list("):
        item, allowed = _kind(text, kind_text[5:-1].strip())
        if item.startswith("list("):
            raise ValueError(f"Attr {text!r}: lists of lists are not attr kinds.")
        return f"list({item})", allowed
    if kind_text in TYPE_CLASSES:
        return "type", TYPE_CLASSES[kind_text]
    if kind_text.startswith("{"):
        items = [item.strip() for item in kind_text[1:-1].split(",") if item.strip()]
        if items and all(item[0] in "'\"" for item in items):
            return "string", tuple(ast.literal_eval(item) for item in items)
        return "type", _allowed_types(text, items)
    if kind_text in _SCALAR_KINDS:
        return kind_text, None
    raise ValueError(f"Attr {text!r}: unknown kind {kind_text!r}.")


def _allowed_types(text: str, items: list) -> tuple:
    names: list = []
    for item in items:
        expanded = TYPE_CLASSES.get(item) or (type_name(item),)
        if expanded == (None,):
            raise ValueError(f"Attr {text!r}: {item!r} is not a type.")
        names.extend(name for name in expanded if name not in names)
    return tuple(names)


def _parse_default(text: str, source: str, kind: str):
    tokens = _TOKEN.findall(source)
    value, position = _read(tokens, 0, text, source, kind)
    if position != len(tokens):
        raise ValueError(f"Attr {text!r}: cannot read default {source!r}.")
    return value


def _read(tokens: list, i: int, text: str, source: str, kind: str):
    if i >= len(tokens):
        raise ValueError(f"Attr {text!r}: cannot read default {source!r}.")
    token = tokens[i]
    if kind.startswith("list("):
        if token != "[":
            raise ValueError(f"Attr {text!r}: default {source!r} is not a list.")
        items, i = [], i + 1
        while tokens[i : i + 1] != ["]"]:
            item, i = _read(tokens, i, text, source, kind[5:-1])
            items.append(item)
            if tokens[i : i + 1] == [","]:
                i += 1
        return tuple(items), i + 1
    if kind == "shape" and token == "[":
        dims, i = _read(tokens, i, text, source, "list(int)")
        return TensorShape([None if d < 0 else d for d in dims]), i
    return _scalar(token, text, kind), i + 1


def _scalar(token: str, text: str, kind: str):
    try:
        if kind == "bool" and token in ("true", "false"):
            return token == "true"
        if kind == "int":
            return int(token)
        if kind == "float":
            return float(token)
        if kind == "string" and token[0] in "'\"":
            return ast.literal_eval(token)
        if kind == "type" and token.upper().startswith("DT_"):
            return dtypes.as_dtype(type_name(token[3:].lower()) or token[3:].lower())
        if kind == "shape" and token.replace(" ", "") in ("{unknown_rank:true}", "{}"):
            return None if "unknown_rank" in token else TensorShape([])
    except (ValueError, TypeError, SyntaxError):
        pass
    raise ValueError(f"Attr {text!r}: default {token!r} is not a {kind}.")


def _check_default(text: str, attr: AttrDef) -> None:
    items = attr.default if attr.kind.startswith("list(") else (attr.default,)
    if attr.allowed is not None:
        names = [item.name if isinstance(item, dtypes.DType) else item for item in items]
        if any(name not in attr.allowed for name in names):
            raise ValueError(f"Attr {text!r}: the default is not one of the allowed values.")
    if attr.minimum is not None:
        size = len(attr.default) if attr.kind.startswith("list(") else attr.default
        if size < attr.minimum:
            raise ValueError(f"Attr {text!r}: the default is below the minimum.")


# -- a parsed OpDef --------------------------------------------------------------------


class ArgPlan:
    """What binding one input needs, looked up once: an ``ArgDef`` with its types resolved.

    ``allowed`` holds the ``DataType`` numbers an input of a type attr may have
    (``None``: any); ``fixed`` the ``DType`` of a fixed-type input; ``default`` the type
    attr's default, tried for Python values whose own type is not allowed.
    """

    __slots__ = (
        "allowed",
        "allowed_names",
        "arg",
        "default",
        "fixed",
        "is_list",
        "is_ref",
        "name",
        "number_attr",
        "type_attr",
        "type_list_attr",
    )

    def __init__(self, arg: ArgDef, attrs: dict):
        self.arg = arg
        self.name = arg.name
        self.type_attr = arg.type_attr
        self.number_attr = arg.number_attr
        self.type_list_attr = arg.type_list_attr
        self.is_list = arg.is_list
        self.is_ref = arg.is_ref
        self.fixed = dtypes.as_dtype(arg.type) if arg.type and arg.type in dtypes._BY_NAME else None
        attr = attrs.get(arg.type_attr or arg.type_list_attr)
        self.allowed_names = attr.allowed if attr is not None else None
        self.allowed = None
        if self.allowed_names is not None:
            self.allowed = frozenset(
                dtypes.as_dtype(name).as_datatype_enum
                for name in self.allowed_names
                if name in dtypes._BY_NAME
            )
        self.default = attr.default if attr is not None and attr.has_default else None


class Signature:
    """A typed OpDef's args and attrs, parsed, with what the binder reads precomputed.

    Examples
    --------
    >>> sig = Signature(("values: N * T", "axis: Tidx"), ("output: T",),
    ...                 ("N: int >= 2", "T: type", "Tidx: {int32, int64} = DT_INT32"))
    >>> sig.arity, sig.defaults, sig.required, sorted(sig.inferred)
    (None, {'Tidx': tf.int32}, ('N', 'T'), ['N', 'T', 'Tidx'])
    """

    def __init__(self, inputs, outputs, attrs):
        if isinstance(inputs, str) or isinstance(outputs, str) or isinstance(attrs, str):
            raise ValueError("inputs, outputs and attrs are tuples of strings.")
        parsed = [parse_attr(text) for text in attrs]
        self.attrs = {attr.name: attr for attr in parsed}
        if len(self.attrs) != len(parsed):
            raise ValueError(f"an attr is declared twice: {list(attrs)}")
        kinds = {name: attr.kind for name, attr in self.attrs.items()}
        self.inputs = tuple(parse_arg(text, kinds) for text in inputs)
        self.outputs = tuple(parse_arg(text, kinds) for text in outputs)
        names = [arg.name for arg in self.inputs]
        if len(set(names)) != len(names):
            raise ValueError(f"an input name is used twice: {names}")
        self.plans = tuple(ArgPlan(arg, self.attrs) for arg in self.inputs)
        self.arity = None if any(arg.is_list for arg in self.inputs) else len(self.inputs)
        self.defaults = {name: a.default for name, a in self.attrs.items() if a.has_default}
        self.required = tuple(name for name, a in self.attrs.items() if not a.has_default)
        self.inferred = frozenset(
            name
            for arg in self.inputs
            for name in (arg.type_attr, arg.number_attr, arg.type_list_attr)
            if name
        )
        # Attrs a builder must give: no default, and no input sets them.
        self.must_give = tuple(name for name in self.required if name not in self.inferred)

    def inferred_from(self, attr_name: str) -> str:
        """The first input that sets ``attr_name`` (TF's messages name it)."""
        for arg in self.inputs:
            if attr_name in (arg.type_attr, arg.number_attr, arg.type_list_attr):
                return arg.name
        return attr_name


# -- writing ---------------------------------------------------------------------------


def _quoted(text: str) -> str:
    return "'" + text.encode("unicode_escape").decode().replace("'", "\\'") + "'"


def format_value(value, kind: str) -> str:
    """``value`` of attr kind ``kind`` as TF writes a default (``DT_INT32``, ``'SAME'``).

    Examples
    --------
    >>> format_value(dtypes.float32, "type"), format_value((1, 1), "int"), format_value(None, "shape")
    ('DT_FLOAT', '[1, 1]', '{ unknown_rank: true }')
    """
    if isinstance(value, tuple | list):
        return "[" + ", ".join(format_value(item, kind) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dtypes.DType):
        return "DT_" + _ENUM_NAME.get(value.name, value.name.upper())
    if isinstance(value, str):
        return _quoted(value)
    if kind == "shape":
        if value is None or TensorShape(value).rank is None:
            return "{ unknown_rank: true }"
        return (
            "["
            + ", ".join(str(-1 if d is None else d) for d in TensorShape(value).as_tuple())
            + "]"
        )
    return repr(value)
