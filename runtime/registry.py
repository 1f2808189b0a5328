"""The op registry: what each op type *is* (``OpDef``) and how it runs (kernels).

Three tables, each keyed by TF's CamelCase op type:

- ``OpDef``: inputs, outputs and attrs, the shape function (static shapes, run when
  the op is built), whether the op is stateful, and its ``Cost``;
- kernels, keyed by ``(op type, device type)``, because placement picks the kernel;
- gradient functions, used by ``gradients()``.

Declaring an op (the typed form)
--------------------------------
An ``OpDef`` declares its args and attrs in TF's own registration syntax (look the op
up in ``tests/fixtures/tf_ops/op_defs.json``, TF's registry as recorded, and copy it)::

    def _matmul_shape(a, b, *, transpose_a, transpose_b, T):
        ...  # TensorSpecs: the declared output dtypes, the inferred static shapes

    MATMUL = register_op(
        OpDef(
            "MatMul",
            inputs=("a: T", "b: T"),
            outputs=("product: T",),
            attrs=(
                "transpose_a: bool = false",
                "transpose_b: bool = false",
                "T: {bfloat16, half, float, double, int32, int64, complex64, complex128}",
            ),
            shape_fn=_matmul_shape,
            cost=Cost.EXPENSIVE,
        )
    )

Args: ``"x: T"`` (type attr ``T``), ``"x: int32"`` (a fixed type), ``"ref: Ref(T)"`` (a
TF1 reference: a variable itself), ``"values: N * T"`` (a list of ``N`` tensors of one
type), ``"args: Tin"`` (a list typed by the ``list(type)`` attr ``Tin``),
``"handle: resource"``. Attrs: ``"name: kind [>= minimum] [= default]"``, kind one of
``string int float bool type shape tensor func`` or ``list(kind)``; an allowed list
instead of a kind (``"T: {float, double}"``, ``"padding: {'SAME', 'VALID'}"``) or one
of TF's type classes (``numbertype``, ``realnumbertype``, ``quantizedtype``);
defaults as TF writes them (``false``, ``-1``, ``0.5``, ``'NHWC'``, ``DT_INT32``,
``[1, 1, 1, 1]``, ``{ unknown_rank: true }``). An op with no attrs says ``attrs=()``.
Keep TF's names, order and allowed types: a test compares every typed OpDef whose
type TF has with TF's registry (``DIFFERENT_FROM_TF`` in ``tests/runtime/test_registry.py``
lists the reasoned exceptions).

What the declaration buys (``runtime.op_binding``, run for every op built, imported or
made by ``Graph.create_op``): type attrs are inferred from the inputs, Python values
are converted to the type already bound, allowed types, fixed types, same-type args,
list lengths, references, attr kinds, allowed strings and minimums are checked with
TF's errors and messages, and defaults are filled. A builder therefore passes only
what TF's Python wrapper would (``apply_op(MATMUL, [a, b], name, transpose_a=True)``;
``T`` may be given, and must then agree), needs no dtype checks of its own, and the
kernel may rely on the declared types. Readers of an OpDef use ``op_def.signature``
(the parsed ``ArgDef``s and ``AttrDef``s) and ``op_def.attr_defaults``, never the raw
``op_def.attrs``. The shape function still returns ``TensorSpec``s; their dtypes must
be the declared output types (the tests check every op they build).

"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import functools
import sys
from collections.abc import Callable
from typing import NamedTuple

from .dtypes import DType
from .op_signature import REQUIRED, Signature
from .shapes import TensorShape

__all__ = ["REQUIRED", "Cost", "OpDef", "Registry", "TensorSpec"]


class TensorSpec(NamedTuple):
    """The static type of a tensor: its dtype and (possibly partial) shape."""

    dtype: DType
    shape: TensorShape


class Cost(enum.Enum):
    """How the executor schedules an op."""

    CHEAP = "cheap"  # inline in the scheduler loop
    EXPENSIVE = "expensive"  # on the inter-op pool
    BLOCKING = "blocking"  # may wait for another op (queues): on the pool, never inline


@dataclasses.dataclass(frozen=True, eq=False)
class OpDef:
    """The definition of an op type.

    Parameters
    ----------
    name : str
        TF's op type, e.g. ``"MatMul"``.
    inputs, outputs : tuple of str
        The args in TF's syntax (``"a: T"``, ``"values: N * T"``, ``"ref: Ref(T)"``).
    attrs : tuple of str
        The attrs in TF's syntax (``"T: {float, double}"``, ``"N: int >= 1"``).
    shape_fn : callable
        ``shape_fn(*input_specs, **attrs) -> list[TensorSpec]``: the outputs' static
        dtypes and shapes; raises ``ValueError`` for inputs the op cannot take.
    is_stateful : bool
        The op reads or writes state (variables, queues, random generators).
    cost : Cost
        How the executor schedules the op.

    Examples
    --------
    >>> op_def = OpDef("Neg", ("x: T",), ("y: T",), ("T: {float, double}",))
    >>> op_def.input_arity, op_def.attr_defaults
    (1, {'T': REQUIRED})
    """

    name: str
    inputs: tuple = ()
    outputs: tuple = ()
    attrs: tuple = ()
    shape_fn: Callable | None = None
    is_stateful: bool = False
    cost: Cost = Cost.CHEAP

    def __post_init__(self):
        if not isinstance(self.cost, Cost):
            raise TypeError(f"OpDef {self.name}: cost must be a Cost, not {self.cost!r}.")
        self.signature  # noqa: B018 - parsed now, so a bad declaration fails at registration

    # Derived once per op type (the dataclass is frozen): every op built reads them.
    @functools.cached_property
    def signature(self) -> Signature:
        """The parsed args and attrs (what the binder reads)."""
        if not isinstance(self.attrs, tuple):
            raise TypeError(
                f"OpDef {self.name}: attrs must be a tuple of TF-syntax strings "
                f"(attrs=() for none), not {type(self.attrs).__name__}."
            )
        try:
            return Signature(self.inputs, self.outputs, self.attrs)
        except ValueError as err:
            raise ValueError(f"OpDef {self.name}: {err}") from None

    @functools.cached_property
    def attr_defaults(self) -> dict:
        """Each attr's default (``REQUIRED`` when it has none)."""
        return {name: attr.default for name, attr in self.signature.attrs.items()}

    @functools.cached_property
    def input_arity(self):
        """Number of inputs, or ``None`` when the op takes a list."""
        return self.signature.arity

    @functools.cached_property
    def output_names(self) -> tuple:
        return tuple(arg.name for arg in self.signature.outputs)

    @functools.cached_property
    def marked_input_names(self) -> tuple:
        """Input names marked for the builder's forms: ``"&ref"`` takes a reference,
        ``"*values"`` a list."""
        return tuple(
            ("*" if arg.is_list else "") + ("&" if arg.is_ref else "") + arg.name
            for arg in self.signature.inputs
        )

    @functools.cached_property
    def input_is_list(self) -> tuple:
        """For each input, whether it takes a list of tensors."""
        return tuple(arg.is_list for arg in self.signature.inputs)

    @functools.cached_property
    def ref_inputs(self) -> tuple:
        """Positions of the inputs that take references or resource handles."""
        return tuple(
            i for i, arg in enumerate(self.signature.inputs) if arg.is_ref or arg.type == "resource"
        )

    @functools.cached_property
    def flat_ref_inputs(self) -> tuple:
        """:attr:`ref_inputs` as positions in an op's flat list of input tensors: none
        when an input takes a list (its positions shift with the list's length, and an
        op taking a list takes no references)."""
        return self.ref_inputs if self.input_arity is not None else ()

    @functools.cached_property
    def input_names(self) -> tuple:
        return tuple(arg.name for arg in self.signature.inputs)

    def public_attrs(self, attrs: dict) -> dict:
        """``attrs`` less the graph's private ones (``"_class"`` ...): what shape functions
        and kernels get. ``attrs`` itself, not a copy, when it has none (the common case).

        Examples
        --------
        >>> op_def = OpDef("Neg", ("x: T",), ("y: T",), ("T: type",))
        >>> op_def.public_attrs({"T": 1, "_class": [b"loc:@v"]})
        {'T': 1}
        """
        if attrs.keys() <= self.attr_defaults.keys():
            return attrs
        return {key: value for key, value in attrs.items() if not key.startswith("_")}


class Kernel(NamedTuple):
    """A registered kernel: ``fn(*inputs, **attrs)``, or ``fn(ctx, *inputs, **attrs)``."""

    fn: Callable
    needs_context: bool
    where: str


def _caller(depth: int = 2) -> str:
    frame = sys._getframe(depth)
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


class Registry:
    """Op definitions, kernels and gradients. The process has one default registry.

    Examples
    --------
    >>> reg = Registry()
    >>> op_def = reg.register_op(OpDef("Demo", ("x: float",), ("y: float",), shape_fn=lambda x: [x]))
    >>> reg.get_op_def("Demo") is op_def
    True
    >>> reg.register_op(op_def)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    KeyError: "Op type 'Demo' is already registered. Previous registration is in ..."
    >>> reg.get_op_def("Demoo")
    Traceback (most recent call last):
    ...
    ValueError: Op type not registered 'Demoo'. Did you mean 'Demo'?
    >>> @reg.register_kernel("Demo")
    ... def demo(x):
    ...     return (x,)
    >>> reg.lookup_kernel("Demo", "CPU").fn is demo, sorted(reg.kernel_device_types("Demo"))
    (True, ['CPU'])
    """

    def __init__(self):
        self._op_defs: dict[str, tuple[OpDef, str]] = {}
        self._kernels: dict[tuple[str, str], Kernel] = {}
        self._kernel_types: dict[str, frozenset] = {}  # op type -> device types, for placement
        self._gradients: dict[str, tuple[Callable | None, str]] = {}

    @staticmethod
    def _check_new(table: dict, key, what: str) -> None:
        if key in table:
            entry = table[key]
            # Kernels are NamedTuples with a ``where``; the other tables hold (value, where).
            where = entry.where if isinstance(entry, Kernel) else entry[1]
            raise KeyError(f"{what} is already registered. Previous registration is in {where}")

    def register_op(self, op_def: OpDef) -> OpDef:
        """Add an op type; a second registration of the same type names the first."""
        self._check_new(self._op_defs, op_def.name, f"Op type '{op_def.name}'")
        self._op_defs[op_def.name] = (op_def, _caller())
        return op_def

    def registered_in(self, op_type: str) -> str | None:
        """The source file that registered ``op_type`` (``None`` if unknown): what family
        of ops it belongs to, for pictures.

        Examples
        --------
        >>> import runtime, os
        >>> os.path.basename(default_registry.registered_in("MatMul"))
        'math_ops.py'
        """
        entry = self._op_defs.get(op_type)
        return None if entry is None else entry[1].rsplit(":", 1)[0]

    def get_op_def(self, op_type: str) -> OpDef:
        """The ``OpDef`` of ``op_type``; ``ValueError`` with a did-you-mean if unknown."""
        try:
            return self._op_defs[op_type][0]
        except KeyError:
            close = difflib.get_close_matches(op_type, list(self._op_defs), n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise ValueError(f"Op type not registered '{op_type}'.{hint}") from None

    def is_registered(self, op_type: str) -> bool:
        """True when ``op_type`` has an ``OpDef``."""
        return op_type in self._op_defs

    def registered_ops(self) -> list[OpDef]:
        """Every registered ``OpDef``, sorted by op type."""
        return [op_def for _, (op_def, _) in sorted(self._op_defs.items())]

    def register_kernel(self, op_type: str, device_type: str = "CPU", *, context: bool = False):
        """Decorator registering ``fn`` as the kernel of ``op_type`` on ``device_type``.

        Kernels are pure functions ``fn(*inputs, **attrs) -> tuple of outputs``; one
        registered with ``context=True`` also receives an ``OpContext`` first (for
        resources, cancellation and the step's undo journal).
        """

        def decorate(fn):
            key = (op_type, device_type)
            self._check_new(self._kernels, key, f"Kernel for '{op_type}' on {device_type}")
            self._kernels[key] = Kernel(fn, context, _caller())
            self._kernel_types[op_type] = self._kernel_types.get(op_type, frozenset()) | {
                device_type
            }
            return fn

        return decorate

    def lookup_kernel(self, op_type: str, device_type: str) -> Kernel | None:
        """The kernel for ``op_type`` on ``device_type``, or ``None``."""
        return self._kernels.get((op_type, device_type))

    def kernel_device_types(self, op_type: str) -> frozenset[str]:
        """The device types that have a kernel for ``op_type``."""
        return self._kernel_types.get(op_type, frozenset())

    def register_gradient(self, op_type: str):
        """Decorator registering ``fn(op, *output_grads) -> input grads`` for ``op_type``."""

        def decorate(fn):
            self._check_new(self._gradients, op_type, f"Gradient for '{op_type}'")
            self._gradients[op_type] = (fn, _caller())
            return fn

        return decorate

    def not_differentiable(self, op_type: str) -> None:
        """Declare that ``op_type`` has no gradient (its inputs get ``None``)."""
        self._check_new(self._gradients, op_type, f"Gradient for '{op_type}'")
        self._gradients[op_type] = (None, _caller())

    def get_gradient_function(self, op_type: str):
        """The gradient function of ``op_type`` (``None`` if not differentiable).

        Raises ``LookupError`` when nothing is registered for ``op_type``.
        """
        if op_type not in self._gradients:
            raise LookupError(f"No gradient defined for operation type '{op_type}'")
        return self._gradients[op_type][0]


default_registry = Registry()
register_op = default_registry.register_op
get_op_def = default_registry.get_op_def
registered_in = default_registry.registered_in
is_registered = default_registry.is_registered
registered_ops = default_registry.registered_ops
register_kernel = default_registry.register_kernel
lookup_kernel = default_registry.lookup_kernel
kernel_device_types = default_registry.kernel_device_types
register_gradient = default_registry.register_gradient
not_differentiable = default_registry.not_differentiable
get_gradient_function = default_registry.get_gradient_function
