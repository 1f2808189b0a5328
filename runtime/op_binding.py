"""Binding inputs and attrs to a typed ``OpDef``: the one place an op's types are checked.

Every way an op enters a graph comes here: builders (``apply_op``), ``Graph.create_op``,
``import_graph_def`` and the widget builder's recipes (through ``apply_op``). Binding
infers type and length attrs from the inputs in TF's order (``_apply_op_helper``),
converts Python values with the type already bound, checks allowed types, fixed types,
same-type arguments, list lengths, references, attr kinds and constraints, and fills
defaults, raising TF's error classes with TF's messages.

Two dialects of message, as in TF:

- builders (:func:`bind_inputs`, :func:`bind_tensors`) speak as TF's Python op
  library: ``TypeError: Value passed to parameter 'x' has DataType int32 not in list of
  allowed values: ...``;
- nodes (:func:`bind_node`, :func:`check_attr_values`) speak as TF's NodeDef
  validation, naming the node: ``ValueError: Input 0 of node s was passed int32 from
  c:0 incompatible with expected float.``

An op's kernel may rely on what its OpDef declares: nothing undeclared gets through.
"""

from __future__ import annotations

from . import dtypes
from .dtypes import DType
from .graph import Tensor
from .op_signature import ArgPlan, AttrDef, Signature
from .registry import OpDef
from .shapes import TensorShape, as_shape

__all__ = [
    "bind_inputs",
    "bind_node",
    "bind_tensors",
    "check_attr_values",
    "check_output_specs",
    "input_dtypes",
    "output_dtypes",
]


def bind_tensors(op_def: OpDef, tensors: list, attrs: dict, op_name: str = "") -> dict:
    """The full attrs of a typed op whose inputs are all tensors (the per-op fast path).

    ``tensors`` is the flat input list (a list input's tensors in place); ``attrs`` the
    given attrs, left unchanged. Raises as :func:`bind_inputs`.

    Examples
    --------
    >>> import runtime as tf
    >>> from runtime.registry import OpDef
    >>> op_def = OpDef("Demo", ("x: T", "y: T"), ("z: T",), ("T: {float, double}",))
    >>> with tf.Graph().as_default():
    ...     x, n = tf.constant(1.0), tf.constant(1)
    >>> bind_tensors(op_def, [x, x], {})
    {'T': tf.float32}
    >>> bind_tensors(op_def, [x, n], {})
    Traceback (most recent call last):
    ...
    TypeError: Input 'y' of 'Demo' Op has type int32 that does not match type float32 of argument 'x'.
    """
    sig = op_def.signature
    if sig.arity is None:
        grouped = _group(op_def, sig, tensors, attrs)
    elif len(tensors) != sig.arity:
        raise _arity_error(op_def, sig, len(tensors))
    else:
        grouped = tensors
    return _bind(op_def, sig, grouped, attrs, None, op_name, None)


def bind_inputs(op_def: OpDef, values: list, attrs: dict, convert=None, op_name: str = ""):
    """Bind ``values`` (one per input arg; a list for a list arg) and ``attrs`` to ``op_def``.

    Parameters
    ----------
    op_def : OpDef
        A typed OpDef.
    values : list
        Tensors, or Python/numpy values when ``convert`` is given.
    attrs : dict
        The given attrs. Type and length attrs may be given too; they must then agree
        with the inputs.
    convert : callable, optional
        ``convert(value, dtype, preferred, allowed, name) -> Tensor`` for a non-tensor
        value: ``dtype`` is the type already bound (``None`` if none), ``preferred`` a
        default type to try when the value's own type is not in ``allowed`` (a set of
        ``DataType`` numbers, or ``None``).
    op_name : str
        Named in messages about attrs given inconsistently.

    Returns
    -------
    tensors : list
        The flat input tensors.
    attrs : dict
        Every attr: given, inferred, or defaulted.

    Raises
    ------
    TypeError, ValueError
        TF's, with TF's messages (see the module docstring).

    Examples
    --------
    >>> import runtime as tf
    >>> from runtime.registry import OpDef
    >>> op_def = OpDef("Demo", ("x: T", "y: T"), ("z: T",), ("T: {float, double}",))
    >>> def convert(value, dtype, preferred, allowed, name):
    ...     return tf.constant(value, dtype=dtype, name=name)
    >>> with tf.Graph().as_default():
    ...     tensors, attrs = bind_inputs(op_def, [tf.constant(1.0), 2], {}, convert)
    >>> [t.dtype for t in tensors], attrs
    ([tf.float32, tf.float32], {'T': tf.float32})
    """
    sig = op_def.signature
    if len(values) != len(sig.plans):
        raise _arity_error(op_def, sig, len(values))
    flat: list = []
    return flat, _bind(op_def, sig, values, attrs, convert, op_name, flat)


def _bind(op_def: OpDef, sig: Signature, values, attrs: dict, convert, op_name: str, flat):
    """The full attrs; the bound tensors are appended to ``flat`` unless it is ``None``."""
    bound: dict = {}
    for plan, value in zip(sig.plans, values):
        if plan.is_list:
            tensors = _bind_list(op_def, sig, plan, value, bound, attrs, convert)
            if flat is not None:
                flat.extend(tensors)
            continue
        if value.__class__ is not Tensor:
            value = _convert(op_def, plan, value, bound, attrs, convert)
        dtype = value._dtype
        base = dtype._base
        if plan.type_attr:
            have = bound.get(plan.type_attr)
            if have is None:
                if plan.allowed is not None and base._enum not in plan.allowed:
                    raise _not_allowed(plan.name, base, plan.allowed_names)
                bound[plan.type_attr] = base
            elif have is not base:
                raise TypeError(
                    f"Input '{plan.name}' of '{op_def.name}' Op has type {base.name} that does "
                    f"not match type {have.name} of argument "
                    f"'{sig.inferred_from(plan.type_attr)}'."
                )
        elif base is not plan.fixed:
            raise _fixed_mismatch(op_def, plan, base)
        if plan.is_ref and dtype is base:
            raise _not_ref(op_def, plan)
        if flat is not None:
            flat.append(value)
    return _complete(op_def, sig, attrs, bound, op_name)


def _convert(op_def: OpDef, plan: ArgPlan, value, bound: dict, attrs: dict, convert, name=None):
    if isinstance(value, Tensor):  # a Tensor subclass: the fast path tests the exact class
        return value
    if convert is None:
        raise TypeError(
            f"Input '{plan.name}' of '{op_def.name}' Op must be a Tensor, got {value!r}."
        )
    dtype = plan.fixed or bound.get(plan.type_attr) or _given_type(attrs, plan.type_attr)
    name = name or plan.name
    if dtype is None:
        return convert(value, None, plan.default, plan.allowed, name)
    try:
        return convert(value, dtype, None, None, name)
    except TypeError as err:
        raise TypeError(
            f"Expected {dtype.name} passed to parameter '{plan.name}' of op '{op_def.name}', "
            f"got {value!r} of type '{type(value).__name__}' instead. Error: {err}"
        ) from None


def _given_type(attrs: dict, name: str):
    value = attrs.get(name)
    return value.base_dtype if isinstance(value, DType) else None


def _bind_list(op_def, sig, plan: ArgPlan, values, bound: dict, attrs: dict, convert) -> list:
    op_type = op_def.name
    if not isinstance(values, list | tuple):
        raise TypeError(
            f"Expected list for '{plan.name}' argument to '{op_type}' Op, not {values}."
        )
    if plan.type_list_attr:
        # Each element named "<arg>_<i>", as TF's convert_n_to_tensor (Assert/data_0).
        tensors = [
            v
            if isinstance(v, Tensor)
            else _convert(op_def, plan, v, {}, {}, convert, f"{plan.name}_{i}")
            for i, v in enumerate(values)
        ]
        return _bind_type_list(op_def, sig, plan, tensors, bound)
    known = plan.fixed or bound.get(plan.type_attr)
    dtype = known or _given_type(attrs, plan.type_attr)
    if dtype is None:
        dtype = next((v.dtype.base_dtype for v in values if isinstance(v, Tensor)), None)
    tensors = []
    for i, value in enumerate(values):
        if not isinstance(value, Tensor):
            if convert is None:
                raise TypeError(
                    f"Input '{plan.name}' of '{op_type}' Op must be Tensors, got {value!r}."
                )
            name = f"{plan.name}_{i}"
            try:
                value = convert(value, dtype, None if dtype else plan.default, None, name)
            except TypeError:
                value = convert(value, None, None, None, name)  # its own type, for the message
        tensors.append(value)
    bases = [t.dtype.base_dtype for t in tensors]
    if any(base is not bases[0] for base in bases) or (known and bases and bases[0] is not known):
        observed = ", ".join(base.name for base in bases)
        prefix = (
            f"Tensors in list passed to '{plan.name}' of '{op_type}' Op have types [{observed}]"
        )
        if plan.fixed is not None:
            raise TypeError(f"{prefix} that do not match expected type {plan.fixed.name}.")
        if known is not None:
            raise TypeError(
                f"{prefix} that do not match type {known.name} inferred from earlier arguments."
            )
        raise TypeError(f"{prefix} that don't all match.")
    _bind_length(op_def, sig, plan, len(tensors), bound)
    if plan.fixed is None and plan.type_attr not in bound:
        if bases:
            if plan.allowed is not None and bases[0]._enum not in plan.allowed:
                raise _not_allowed(plan.name, bases[0], plan.allowed_names)
            bound[plan.type_attr] = bases[0]
        elif plan.default is None and plan.type_attr not in attrs:
            raise TypeError(
                "Don't know how to infer type variable from empty input list passed to input "
                f"'{plan.name}' of '{op_type}' Op."
            )
    _check_refs(op_def, plan, tensors)
    return tensors


def _bind_length(op_def, sig, plan: ArgPlan, length: int, bound: dict) -> None:
    name = plan.number_attr
    if name in bound:
        if length != bound[name]:
            raise ValueError(
                f"List argument '{plan.name}' to '{op_def.name}' Op with length {length} must "
                f"match length {bound[name]} of argument '{sig.inferred_from(name)}'."
            )
        return
    minimum = sig.attrs[name].minimum
    if minimum is not None and length < minimum:
        raise ValueError(
            f"List argument '{plan.name}' to '{op_def.name}' Op with length {length} shorter "
            f"than minimum length {minimum}."
        )
    bound[name] = length


def _bind_type_list(op_def, sig, plan: ArgPlan, tensors: list, bound: dict) -> list:
    bases = tuple(t.dtype.base_dtype for t in tensors)
    name = plan.type_list_attr
    if name in bound:
        if bound[name] != bases:
            raise TypeError(
                f"Input '{plan.name}' of '{op_def.name}' Op has type list of "
                f"{', '.join(b.name for b in bases)} that does not match type list "
                f"{', '.join(b.name for b in bound[name])} of argument '{sig.inferred_from(name)}'."
            )
    else:
        for base in bases:
            if plan.allowed is not None and base._enum not in plan.allowed:
                raise _not_allowed(plan.name, base, plan.allowed_names)
        minimum = sig.attrs[name].minimum
        if minimum is not None and len(bases) < minimum:
            raise ValueError(
                f"Attr '{name}' of '{op_def.name}' Op passed list of length {len(bases)} less "
                f"than minimum {minimum}."
            )
        bound[name] = bases
    _check_refs(op_def, plan, tensors)
    return tensors


def _check_refs(op_def, plan: ArgPlan, tensors) -> None:
    if plan.is_ref and not all(t.dtype.is_ref_dtype for t in tensors):
        raise _not_ref(op_def, plan)


def _complete(op_def: OpDef, sig: Signature, attrs: dict, bound: dict, op_name: str) -> dict:
    """``attrs`` checked, with the inferred ones and the defaults filled in."""
    if not attrs:  # the common case: nothing given, everything inferred or defaulted
        if sig.must_give:
            raise _missing(op_def, sig.must_give[0])
        return {**sig.defaults, **bound}
    full = {**sig.defaults, **attrs}
    unknown = None
    for key, value in attrs.items():
        if key in bound:
            inferred = bound[key]
            if value is not inferred and _normal(value) != inferred:
                raise _inconsistent(op_def, key, inferred, value, op_name)
        elif key in sig.attrs:
            full[key] = check_attr(op_def.name, sig.attrs[key], value)
        elif not key.startswith("_"):
            unknown = [*(unknown or ()), key]
    if unknown:
        raise TypeError(
            f"{op_def.name} got unexpected keyword arguments: {', '.join(sorted(unknown))}."
        )
    full.update(bound)
    for name in sig.must_give:
        if name not in full:
            raise _missing(op_def, name)
    return full


def _missing(op_def: OpDef, name: str) -> TypeError:
    return TypeError(f"No argument found for attr {name} for {op_def.name}")


def _normal(value):
    """A given type or type list as the binder infers it (base types, a tuple)."""
    if isinstance(value, DType):
        return value.base_dtype
    if isinstance(value, list | tuple):
        return tuple(_normal(item) for item in value)
    return value


# -- attr values ------------------------------------------------------------------------


def check_attr(op_type: str, attr: AttrDef, value):
    """``value`` as attr ``attr`` keeps it, or TF's ``TypeError``/``ValueError`` saying why.

    Examples
    --------
    >>> from runtime.op_signature import parse_attr
    >>> check_attr("Conv2D", parse_attr("strides: list(int)"), [1, 2, 2, 1])
    (1, 2, 2, 1)
    >>> check_attr("Conv2D", parse_attr("padding: {'SAME', 'VALID'}"), "FOO")
    Traceback (most recent call last):
    ...
    ValueError: Attr 'padding' of 'Conv2D' Op passed string 'FOO' not in: "SAME", "VALID".
    """
    kind = attr.kind
    if kind.startswith("list("):
        if not isinstance(value, list | tuple):
            raise TypeError(
                f"Expected list for attr {attr.name}, obtained {type(value).__name__} instead."
            )
        items = tuple(_check_item(op_type, attr, attr.item_kind, item) for item in value)
        if attr.minimum is not None and len(items) < attr.minimum:
            raise ValueError(
                f"Attr '{attr.name}' of '{op_type}' Op passed list of length {len(items)} less "
                f"than minimum {attr.minimum}."
            )
        return items
    value = _check_item(op_type, attr, kind, value)
    if attr.minimum is not None and value < attr.minimum:
        raise ValueError(
            f"Attr '{attr.name}' of '{op_type}' Op passed {value} less than minimum {attr.minimum}."
        )
    return value


def _check_item(op_type: str, attr: AttrDef, kind: str, value):
    if kind == "type":
        if value.__class__ is not DType:
            try:
                value = dtypes.as_dtype(value)
            except TypeError:
                raise TypeError(
                    f"Expected DataType for argument '{attr.name}' not {value!r}."
                ) from None
        value = value._base
        if attr.allowed is not None and value.name not in attr.allowed:
            raise _not_allowed(attr.name, value, attr.allowed)
        return value
    if kind == "bool":
        if value is not True and value is not False:
            raise TypeError(f"Expected bool for argument '{attr.name}' not {value!r}.")
        return value
    if kind == "int":
        if isinstance(value, bool) or not hasattr(value, "__index__"):
            raise TypeError(f"Expected int for argument '{attr.name}' not {value!r}.")
        return int(value)
    if kind == "float":
        if isinstance(value, bool) or (
            not isinstance(value, int | float) and not hasattr(value, "__float__")
        ):
            raise TypeError(f"Expected float for argument '{attr.name}' not {value!r}.")
        return float(value)
    if kind == "string":
        if not isinstance(value, str | bytes):
            raise TypeError(f"Expected string for argument '{attr.name}' not {value!r}.")
        if attr.allowed is not None and _text(value) not in attr.allowed:
            allowed = '", "'.join(attr.allowed)
            raise ValueError(
                f"Attr '{attr.name}' of '{op_type}' Op passed string '{_text(value)}' not in: "
                f'"{allowed}".'
            )
        return value
    if kind == "shape":
        if value is None or value.__class__ is TensorShape:
            return value
        try:
            return as_shape(value)
        except (TypeError, ValueError) as err:
            raise TypeError(
                f"Error converting {value!r} (arg name = {attr.name}) to a TensorShape: {err}"
            ) from None
    if kind == "tensor":
        if not hasattr(value, "dtype") or not hasattr(value, "shape"):
            raise TypeError(
                f"Don't know how to convert {value!r} to a TensorProto for argument '{attr.name}'"
            )
        return value
    return value  # func: a function body or its name


def _text(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else value


# -- nodes: GraphDefs and Graph.create_op ----------------------------------------------

# AttrValue fields by attr kind.
_FIELDS = {
    "string": "s",
    "int": "i",
    "float": "f",
    "bool": "b",
    "type": "type",
    "shape": "shape",
    "tensor": "tensor",
    "func": "func",
}
_KINDS = {field: kind for kind, field in _FIELDS.items()}


def check_attr_values(op_def: OpDef, node_name: str, attr_values: dict) -> None:
    """TF's NodeDef check of attr kinds: each ``AttrValue`` holds what its attr declares.

    ``attr_values`` maps names to ``runtime.graph_def.AttrValue``s; names the OpDef
    lacks are left to the caller. Raises ``ValueError`` naming the node.

    Examples
    --------
    >>> from runtime.graph_def import AttrValue
    >>> from runtime.registry import get_op_def
    >>> try:
    ...     check_attr_values(get_op_def("Const"), "c", {"dtype": AttrValue("i", 3)})
    ... except ValueError as err:
    ...     print(str(err).replace("\\t", " "))
    AttrValue had value with type 'int' when 'type' expected
      for attr 'dtype'
     ; NodeDef: {{node c}}; Op<name=Const; signature= -> output:dtype; attr=value:tensor; attr=dtype:type>
    """
    attrs = op_def.signature.attrs
    for key, value in attr_values.items():
        attr = attrs.get(key)
        if attr is None:
            continue
        found = _value_kind(value)
        expected = attr.kind
        fits = found == expected or (found == "list()" and expected.startswith("list("))
        if not fits:
            raise ValueError(
                f"AttrValue had value with type '{found}' when '{expected}' expected\n\t for "
                f"attr '{key}'{_node_suffix(op_def, node_name)}"
            )


def _value_kind(value) -> str:
    if value.kind != "list":
        return _KINDS.get(value.kind, value.kind)
    kinds = {_value_kind(item) for item in value.value}
    return f"list({kinds.pop() if len(kinds) == 1 else ''})"


def bind_node(op_def: OpDef, node_name: str, tensors: list, attrs: dict, infer: bool = False):
    """The full attrs of a node with inputs ``tensors``, checked as TF checks a NodeDef.

    ``attrs`` are Python values (a ``GraphDef``'s already kind-checked by
    :func:`check_attr_values`). A GraphDef's node must carry its type attrs;
    ``infer=True`` (``Graph.create_op``) sets missing ones from the inputs, as TF's
    ``NodeDefBuilder`` does. Raises ``ValueError`` naming the node.

    Examples
    --------
    >>> import runtime as tf
    >>> from runtime.registry import get_op_def
    >>> op_def = get_op_def("BitwiseAnd")
    >>> with tf.Graph().as_default():
    ...     ints = [tf.constant(1)] * 2
    ...     print(bind_node(op_def, "b", ints, {}, infer=True))
    ...     try:
    ...         bind_node(op_def, "b", ints, {"T": tf.float32})
    ...     except ValueError as err:
    ...         print(str(err).splitlines()[0])
    {'T': tf.int32}
    Value for attr 'T' of float is not in the list of allowed values: int8, int16, int32, int64, uint8, uint16, uint32, uint64
    """
    sig = op_def.signature
    full = dict(attrs)
    if infer:
        for key, value in _inferred_from_inputs(op_def, sig, tensors, attrs).items():
            if key in attrs and _normal(attrs[key]) != value:
                raise _inconsistent(op_def, key, value, attrs[key], node_name)
            full[key] = value
    for name, attr in sig.attrs.items():
        if name not in full:
            if not attr.has_default:
                raise ValueError(
                    f"NodeDef missing attr '{name}' from {summary(op_def)}; NodeDef: "
                    f"{{{{node {node_name}}}}}"
                )
            full[name] = attr.default
            continue
        try:
            full[name] = check_attr(op_def.name, attr, full[name])
        except (TypeError, ValueError) as err:
            raise _node_attr_error(op_def, node_name, attr, full[name], err) from None
    _check_node_inputs(op_def, node_name, tensors, full)
    return full


def _inferred_from_inputs(op_def, sig: Signature, tensors: list, attrs: dict) -> dict:
    """Type and length attrs as the inputs give them (no checks: those follow)."""
    grouped = _group(op_def, sig, tensors, attrs) if sig.arity is None else tensors
    inferred: dict = {}
    for plan, value in zip(sig.plans, grouped):
        values = value if plan.is_list else [value]
        if plan.number_attr:
            inferred.setdefault(plan.number_attr, len(values))
        if plan.type_list_attr:
            inferred.setdefault(plan.type_list_attr, tuple(t.dtype.base_dtype for t in values))
        elif plan.type_attr and values:
            inferred.setdefault(plan.type_attr, values[0].dtype.base_dtype)
    return inferred


def _node_attr_error(op_def, node_name: str, attr: AttrDef, value, err) -> ValueError:
    """TF's NodeDef wording for an attr value ``check_attr`` refused with ``err``."""
    suffix = _node_suffix(op_def, node_name)
    is_list = attr.kind.startswith("list(")
    items = list(value) if is_list and isinstance(value, list | tuple) else [value]
    if attr.allowed is not None:
        shown = _tf_name if attr.item_kind == "type" else '"{}"'.format
        for item in items:
            text = item.base_dtype.name if isinstance(item, DType) else _text(item)
            if isinstance(item, DType | str | bytes) and text not in attr.allowed:
                allowed = ", ".join(shown(name) for name in attr.allowed)
                return ValueError(
                    f"Value for attr '{attr.name}' of {shown(text)} is not in the list of "
                    f"allowed values: {allowed}{suffix}"
                )
    if attr.minimum is not None and isinstance(err, ValueError):
        if is_list:
            return ValueError(
                f"Length for attr '{attr.name}' of {len(items)} must be at least minimum "
                f"{attr.minimum}{suffix}"
            )
        return ValueError(
            f"Value for attr '{attr.name}' of {value} must be at least minimum {attr.minimum}{suffix}"
        )
    return ValueError(f"{err}{suffix}")


def _check_node_inputs(op_def: OpDef, node_name: str, tensors: list, attrs: dict) -> None:
    expected = input_dtypes(op_def, attrs)
    if len(expected) != len(tensors):
        names = ", ".join(_short(dtype) for dtype in expected)
        raise ValueError(
            f"NodeDef expected inputs '{names}' do not match {len(tensors)} inputs specified; "
            f"{summary(op_def)}; NodeDef: {{{{node {node_name}}}}}"
        )
    for i, (want, tensor) in enumerate(zip(expected, tensors)):
        have = tensor.dtype
        if have is not want and not (not want.is_ref_dtype and have.base_dtype is want):
            raise ValueError(
                f"Input {i} of node {node_name} was passed {_short(have)} from {tensor.name} "
                f"incompatible with expected {_short(want)}."
            )


def _node_suffix(op_def: OpDef, node_name: str) -> str:
    return f"\n\t; NodeDef: {{{{node {node_name}}}}}; {summary(op_def)}"


def summary(op_def: OpDef) -> str:
    """TF's one-line summary of an OpDef, as its NodeDef messages show it.

    Examples
    --------
    >>> summary(OpDef("Demo", ("x: T",), ("y: T",), ("T: {float, double}", "n: int = 1")))
    'Op<name=Demo; signature=x:T -> y:T; attr=T:type,allowed=[DT_FLOAT, DT_DOUBLE]; attr=n:int,default=1>'
    """
    sig = op_def.signature
    args = [
        ", ".join(str(arg).replace(": ", ":") for arg in args) for args in (sig.inputs, sig.outputs)
    ]
    parts = [f"name={op_def.name}", f"signature={args[0]} -> {args[1]}"]
    for attr in sig.attrs.values():
        text = f"attr={attr.name}:{attr.kind}"
        if attr.has_default:
            text += f",default={_summary_value(attr.default)}"
        if attr.minimum is not None:
            text += f",min={attr.minimum}"
        if attr.allowed is not None:
            if attr.item_kind == "type":
                listed = ", ".join("DT_" + _tf_name(name).upper() for name in attr.allowed)
            else:
                listed = ", ".join(f'"{item}"' for item in attr.allowed)
            text += f",allowed=[{listed}]"
        parts.append(text)
    if op_def.is_stateful:
        parts.append("is_stateful=true")
    return f"Op<{'; '.join(parts)}>"


def _summary_value(value) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_summary_value(item) for item in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, DType):
        return "DT_" + _tf_name(value.name).upper()
    if isinstance(value, str):
        return f'"{value}"'
    if value is None:
        return "<unknown>"
    return str(value)


def _tf_name(name: str) -> str:
    """TF's DataTypeString: ``float`` for float32, as its C++ messages print types."""
    return {"float32": "float", "float64": "double", "float16": "half"}.get(name, name)


def _short(dtype: DType) -> str:
    name = _tf_name(dtype.base_dtype.name)
    return name + "_ref" if dtype.is_ref_dtype else name


# -- declared types ---------------------------------------------------------------------


def input_dtypes(op_def: OpDef, attrs: dict) -> list[DType]:
    """The dtypes ``op_def``'s inputs take under ``attrs`` (a reference's as ``*_ref``).

    Examples
    --------
    >>> from runtime.registry import get_op_def
    >>> input_dtypes(get_op_def("Assign"), {"T": dtypes.float32})
    [tf.float32_ref, tf.float32]
    """
    return _arg_dtypes(op_def.signature.inputs, attrs)


def output_dtypes(op_def: OpDef, attrs: dict) -> list[DType]:
    """The dtypes of ``op_def``'s outputs under ``attrs``, as its OpDef declares them.

    Examples
    --------
    >>> from runtime.registry import get_op_def
    >>> output_dtypes(get_op_def("Const"), {"dtype": dtypes.int32, "value": None})
    [tf.int32]
    """
    return _arg_dtypes(op_def.signature.outputs, attrs)


def _arg_dtypes(args, attrs: dict) -> list[DType]:
    found = []
    for arg in args:
        if arg.type_list_attr:
            types = list(attrs[arg.type_list_attr])
        else:
            one = dtypes.as_dtype(arg.type) if arg.type else attrs[arg.type_attr]
            types = [one] * (attrs[arg.number_attr] if arg.number_attr else 1)
        found.extend(t._as_ref if arg.is_ref else t for t in types)
    return found


def check_output_specs(op_def: OpDef, attrs: dict, specs, op_name: str) -> None:
    """``TypeError`` unless the shape function's ``specs`` have the declared output dtypes.

    A shape function that disagrees with its OpDef is a bug in the op library; the
    tests turn this check on for every op they build (``CHECK_OUTPUTS``).
    """
    declared = output_dtypes(op_def, attrs)
    found = [spec.dtype for spec in specs]
    if found != declared:
        raise TypeError(
            f"The shape function of {op_def.name} ('{op_name}') gave output dtypes "
            f"[{', '.join(d.name for d in found)}] where its OpDef declares "
            f"[{', '.join(d.name for d in declared)}]."
        )


CHECK_OUTPUTS = False  # the tests set it: every op built then has its outputs checked


# -- shared messages and helpers -------------------------------------------------------


def _group(op_def: OpDef, sig: Signature, flat: list, attrs: dict) -> list:
    """A flat input list cut into one entry per arg (a list for each list arg)."""
    lists = [plan for plan in sig.plans if plan.is_list]
    spare = len(flat) - (len(sig.plans) - len(lists))
    sizes = {}
    for plan in lists:
        given = attrs.get(plan.number_attr or plan.type_list_attr)
        if given is not None:
            sizes[plan.name] = given if isinstance(given, int) else len(given)
    unknown = [plan for plan in lists if plan.name not in sizes]
    if len(unknown) > 1:
        raise TypeError(
            f"{op_def.name} takes several lists ({', '.join(p.name for p in unknown)}): give their "
            "inputs as one list each, or their length attrs."
        )
    if unknown:
        sizes[unknown[0].name] = spare - sum(sizes.values())
    if (sizes and min(sizes.values()) < 0) or sum(sizes.values()) != spare:
        raise _arity_error(op_def, sig, len(flat))
    grouped, i = [], 0
    for plan in sig.plans:
        size = sizes[plan.name] if plan.is_list else None
        grouped.append(flat[i : i + size] if plan.is_list else flat[i])
        i += 1 if size is None else size
    return grouped


def _arity_error(op_def: OpDef, sig: Signature, count: int) -> TypeError:
    names = ", ".join(str(arg) for arg in sig.inputs)
    return TypeError(f"{op_def.name} takes {len(sig.inputs)} inputs ({names}), got {count}.")


def _not_allowed(param: str, dtype: DType, allowed: tuple) -> TypeError:
    return TypeError(
        f"Value passed to parameter '{param}' has DataType {dtype.name} not in list of "
        f"allowed values: {', '.join(allowed)}"
    )


def _fixed_mismatch(op_def: OpDef, plan: ArgPlan, base: DType) -> TypeError:
    return TypeError(
        f"Input '{plan.name}' of '{op_def.name}' Op has type {base.name} that does not match "
        f"expected type of {plan.arg.type}."
    )


def _not_ref(op_def: OpDef, plan: ArgPlan) -> TypeError:
    return TypeError(
        f"'{op_def.name}' Op requires that input '{plan.name}' be a mutable tensor "
        "(e.g.: a tf.Variable)"
    )


def _inconsistent(op_def: OpDef, key: str, inferred, given, op_name: str) -> ValueError:
    return ValueError(
        f"Inconsistent values for attr '{key}' {_summary_value(inferred)} vs. "
        f"{_summary_value(_normal(given))} while building NodeDef '{op_name}' using "
        f"{summary(op_def)}"
    )
