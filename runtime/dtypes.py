"""``DType``: TensorFlow's element types, each backed by a numpy dtype.

A dtype knows its TF name (``float32``), its ``DataType`` enum value (as in TF's
``types.proto``, so GraphDefs carry real numbers), and its reference twin
(``float32_ref``, the type of a TF1 variable's output).
"""

from __future__ import annotations

import operator

import numpy as np

_REF_OFFSET = 100


class DType:
    """An element type.

    Examples
    --------
    >>> float32.name, float32.as_numpy_dtype, float32.is_floating
    ('float32', <class 'numpy.float32'>, True)
    >>> float32._as_ref.name, float32._as_ref.base_dtype is float32
    ('float32_ref', True)
    """

    __slots__ = ("_base", "_enum", "_name", "_numpy", "_ref")

    def __init__(self, enum: int, name: str, numpy_type, base: DType | None = None):
        self._enum = enum
        self._name = name
        self._numpy = numpy_type
        self._base = base or self
        self._ref = None

    @property
    def name(self) -> str:
        return self._name

    @property
    def as_datatype_enum(self) -> int:
        return self._enum

    @property
    def as_numpy_dtype(self):
        return self._numpy

    # In C: shape functions and feeds ask for it all the time.
    base_dtype = property(
        operator.attrgetter("_base"), doc="This type, or the one a ref refers to."
    )

    @property
    def real_dtype(self) -> DType:
        return {complex64: float32, complex128: float64}.get(self._base, self._base)

    @property
    def is_ref_dtype(self) -> bool:
        return self._base is not self

    @property
    def _as_ref(self) -> DType:
        if self.is_ref_dtype:
            return self
        if self._ref is None:
            self._ref = DType(self._enum + _REF_OFFSET, self._name + "_ref", self._numpy, self)
        return self._ref

    def _kind(self) -> str:
        return "O" if self._numpy is np.object_ else np.dtype(self._numpy).kind

    @property
    def is_floating(self) -> bool:
        return self._kind() == "f"

    @property
    def is_integer(self) -> bool:
        return self._kind() in "iu"

    @property
    def is_unsigned(self) -> bool:
        return self._kind() == "u"

    @property
    def is_complex(self) -> bool:
        return self._kind() == "c"

    @property
    def is_bool(self) -> bool:
        return self._kind() == "b"

    @property
    def is_numeric(self) -> bool:
        return self._kind() in "fiuc"

    @property
    def size(self) -> int:
        return 0 if self._numpy is np.object_ else np.dtype(self._numpy).itemsize

    @property
    def min(self):
        if self.is_floating:
            return np.finfo(self._numpy).min
        if self.is_integer:
            return np.iinfo(self._numpy).min
        if self.is_bool:
            return False
        raise TypeError(f"Cannot find minimum value of {self}.")

    @property
    def max(self):
        if self.is_floating:
            return np.finfo(self._numpy).max
        if self.is_integer:
            return np.iinfo(self._numpy).max
        if self.is_bool:
            return True
        raise TypeError(f"Cannot find maximum value of {self}.")

    def is_compatible_with(self, other) -> bool:
        """True when a value of ``other``'s type may be used where ``self`` is expected."""
        other = as_dtype(other)
        return self._enum in (other.base_dtype._enum, other._enum)

    def __eq__(self, other):
        # Shape functions compare dtypes on every op built: answer DType == DType first.
        if isinstance(other, DType):
            return self._enum == other._enum
        if other is None:
            return False
        try:
            return self._enum == as_dtype(other)._enum
        except TypeError:
            return False

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return self._enum

    def __reduce__(self):
        return as_dtype, (self._name,)

    def __repr__(self):
        return f"tf.{self._name}"

    def __str__(self):
        return f"<dtype: '{self._name}'>"


float16 = DType(19, "float16", np.float16)
float32 = DType(1, "float32", np.float32)
float64 = DType(2, "float64", np.float64)
int8 = DType(6, "int8", np.int8)
int16 = DType(5, "int16", np.int16)
int32 = DType(3, "int32", np.int32)
int64 = DType(9, "int64", np.int64)
uint8 = DType(4, "uint8", np.uint8)
uint16 = DType(17, "uint16", np.uint16)
uint32 = DType(22, "uint32", np.uint32)
uint64 = DType(23, "uint64", np.uint64)
bool = DType(10, "bool", np.bool_)
string = DType(7, "string", np.object_)
complex64 = DType(8, "complex64", np.complex64)
complex128 = DType(18, "complex128", np.complex128)
resource = DType(20, "resource", np.object_)
variant = DType(21, "variant", np.object_)

half = float16
float = float32
double = float64

_ALL = (
    float16,
    float32,
    float64,
    int8,
    int16,
    int32,
    int64,
    uint8,
    uint16,
    uint32,
    uint64,
    bool,
    string,
    complex64,
    complex128,
    resource,
    variant,
)
_BY_NAME = {dtype.name: dtype for dtype in _ALL}
_BY_NAME.update({"half": float16, "float": float32, "double": float64})
_BY_ENUM = {dtype.as_datatype_enum: dtype for dtype in _ALL}
_BY_NUMPY = {np.dtype(dtype.as_numpy_dtype): dtype for dtype in _ALL if dtype.is_numeric}
_BY_NUMPY[np.dtype(np.bool_)] = bool

# TF's short spellings in messages ("with dtype float"), from types.proto's DT_ names.
_TF_SHORT = {float32: "float", float64: "double", float16: "half"}


def short_name(dtype: DType) -> str:
    """The DT_-style name TF prints in run-time messages (``float`` for float32).

    Examples
    --------
    >>> short_name(float32), short_name(int32)
    ('float', 'int32')
    """
    return _TF_SHORT.get(dtype.base_dtype, dtype.base_dtype.name)


def as_dtype(type_value) -> DType:
    """Convert a DType, name, enum value, numpy dtype or Python type to a ``DType``.

    Examples
    --------
    >>> as_dtype("float32") is float32, as_dtype(np.int64) is int64, as_dtype(3) is int32
    (True, True, True)
    >>> as_dtype("float33")
    Traceback (most recent call last):
    ...
    TypeError: Cannot convert the argument `type_value`: 'float33' to a TensorFlow DType. Did you mean: float32, float?
    """
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, str):
        if type_value.endswith("_ref") and type_value[:-4] in _BY_NAME:
            return _BY_NAME[type_value[:-4]]._as_ref
        if type_value in _BY_NAME:
            return _BY_NAME[type_value]
    elif isinstance(type_value, int) and not isinstance(type_value, builtins_bool):
        if type_value in _BY_ENUM:
            return _BY_ENUM[type_value]
        if type_value - _REF_OFFSET in _BY_ENUM:
            return _BY_ENUM[type_value - _REF_OFFSET]._as_ref
    else:
        found = _from_python_or_numpy(type_value)
        if found is not None:
            return found
    raise TypeError(
        f"Cannot convert the argument `type_value`: {type_value!r} to a TensorFlow DType."
        f"{_did_you_mean(type_value)}"
    )


def _from_python_or_numpy(type_value):
    if type_value is None:  # np.dtype(None) would say float64
        return None
    if isinstance(type_value, np.dtype):  # first: `np.dtype == bool` below is slow
        return string if type_value.kind in "OSU" else _BY_NUMPY.get(type_value)
    if type_value in (builtins_bool,):
        return bool
    if type_value is builtins_float:
        return float32
    if type_value is builtins_int:
        return int32
    if type_value in (str, bytes, np.str_, np.bytes_):
        return string
    try:
        numpy_dtype = np.dtype(type_value)
    except TypeError:
        return None
    if numpy_dtype.kind in "OSU":
        return string
    return _BY_NUMPY.get(numpy_dtype)


def _did_you_mean(type_value) -> str:
    import difflib

    close = difflib.get_close_matches(str(type_value), list(_BY_NAME), n=2)
    return f" Did you mean: {', '.join(close)}?" if close else ""


import builtins as _builtins  # noqa: E402 - the module shadows bool/float above

builtins_bool = _builtins.bool
builtins_float = _builtins.float
builtins_int = _builtins.int

# ``tf.dtypes`` also exports these ops (TF's namespace); the op modules import this one,
# so the ops are looked up at the top level when first asked for.
_OPS_IN_NAMESPACE = ("as_string", "cast", "complex", "saturate_cast")


def __getattr__(name: str):
    if name in _OPS_IN_NAMESPACE:
        import runtime

        if hasattr(runtime, name):
            return getattr(runtime, name)
    raise AttributeError(f"module 'runtime.dtypes' has no attribute '{name}'")
