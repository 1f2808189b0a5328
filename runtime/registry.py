"""The op registry: what each op type *is* (``OpDef``) and how it runs (kernels).

Three tables, each keyed by TF's CamelCase op type:

- ``OpDef``: inputs, outputs, attrs with defaults, the shape function (static dtype
  and shape inference, run when the op is built), whether the op is stateful and
  whether it is cheap, expensive or may block;
- kernels, keyed by ``(op type, device type)``, because placement picks the kernel;
- gradient functions, used by ``gradients()``.

Input names in an ``OpDef`` carry two markers: ``"&ref"`` takes a reference (a TF1
variable itself, not its value) and ``"*values"`` takes a list of tensors.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import sys
from collections.abc import Callable
from typing import NamedTuple

from .dtypes import DType
from .shapes import TensorShape

REQUIRED = object()  # marks an attr that has no default


class TensorSpec(NamedTuple):
    """The static type of a tensor: its dtype and (possibly partial) shape."""

    dtype: DType
    shape: TensorShape


@dataclasses.dataclass(frozen=True)
class OpDef:
    """The definition of an op type.

    Parameters
    ----------
    name : str
        TF's op type, e.g. ``"MatMul"``.
    inputs : tuple of str
        Input argument names; ``"&x"`` takes a reference, ``"*xs"`` a list.
    outputs : tuple of str
        Output names (the shape function decides how many a variadic op has).
    attrs : dict
        Attribute names and their defaults (``REQUIRED`` when there is none).
    shape_fn : callable
        ``shape_fn(*input_specs, **attrs) -> list[TensorSpec]``: the outputs' static
        dtypes and shapes; raises ``ValueError`` for inputs the op cannot take.
    is_stateful : bool
        The op reads or writes state (variables, queues, random generators).
    cost : str
        ``"cheap"`` ops run inline in the scheduler loop, ``"expensive"`` and
        ``"blocking"`` ones on the inter-op pool.

    Examples
    --------
    >>> OpDef("Neg", ("x",), ("y",), shape_fn=lambda x: [x]).input_arity
    1
    """

    name: str
    inputs: tuple = ()
    outputs: tuple = ("output",)
    attrs: dict = dataclasses.field(default_factory=dict)
    shape_fn: Callable | None = None
    is_stateful: bool = False
    cost: str = "cheap"

    # Derived once per op type (the dataclass is frozen): every op built reads them.
    @functools.cached_property
    def input_arity(self):
        """Number of inputs, or ``None`` when the op takes a list."""
        if any(arg.startswith("*") for arg in self.inputs):
            return None
        return len(self.inputs)

    @functools.cached_property
    def ref_inputs(self) -> tuple:
        """Positions of the inputs that take references."""
        return tuple(i for i, arg in enumerate(self.inputs) if arg.startswith("&"))

    @functools.cached_property
    def input_names(self) -> tuple:
        return tuple(arg.lstrip("&*") for arg in self.inputs)

    def public_attrs(self, attrs: dict) -> dict:
        """``attrs`` less the graph's private ones (``"_class"`` ...): what shape functions
        and kernels get. ``attrs`` itself, not a copy, when it has none (the common case).

        Examples
        --------
        >>> op_def = OpDef("Neg", ("x",), ("y",), attrs={"T": None})
        >>> op_def.public_attrs({"T": 1, "_class": [b"loc:@v"]})
        {'T': 1}
        """
        if attrs.keys() <= self.attrs.keys():
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
    >>> op_def = reg.register_op(OpDef("Demo", ("x",), shape_fn=lambda x: [x]))
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
is_registered = default_registry.is_registered
registered_ops = default_registry.registered_ops
register_kernel = default_registry.register_kernel
lookup_kernel = default_registry.lookup_kernel
kernel_device_types = default_registry.kernel_device_types
register_gradient = default_registry.register_gradient
not_differentiable = default_registry.not_differentiable
get_gradient_function = default_registry.get_gradient_function
