"""The op registry: OpDefs, kernels keyed by (op type, device type), gradients."""

from __future__ import annotations

import pytest

import runtime as tf
from runtime.registry import (
    REQUIRED,
    OpDef,
    Registry,
    TensorSpec,
    default_registry,
    get_op_def,
    lookup_kernel,
)


def _demo_def(name="Demo", **fields):
    return OpDef(name, ("x",), shape_fn=lambda x: [x], **fields)


@pytest.fixture
def registry():
    return Registry()


def test_op_def_fields_and_defaults():
    op_def = _demo_def()
    assert op_def.outputs == ("output",) and op_def.attrs == {}
    assert not op_def.is_stateful and op_def.cost == "cheap"
    assert op_def.input_arity == 1 and op_def.input_names == ("x",)


def test_input_markers():
    op_def = OpDef("Assign", ("&ref", "value"), shape_fn=lambda r, v: [r])
    assert op_def.ref_inputs == (0,) and op_def.input_names == ("ref", "value")
    listy = OpDef("AddN", ("*inputs",), shape_fn=lambda *xs: [xs[0]])
    assert listy.input_arity is None and listy.input_names == ("inputs",)


def test_register_and_look_up(registry):
    op_def = registry.register_op(_demo_def())
    assert registry.get_op_def("Demo") is op_def
    assert registry.is_registered("Demo") and not registry.is_registered("Other")
    registry.register_op(_demo_def("Another"))
    assert [d.name for d in registry.registered_ops()] == ["Another", "Demo"]


def test_duplicate_op_names_the_first_registration(registry):
    registry.register_op(_demo_def())
    with pytest.raises(
        KeyError,
        match=r"Op type 'Demo' is already registered. Previous registration is in .*test_registry.py:\d+",
    ):
        registry.register_op(_demo_def())


def test_unknown_op_type_gets_did_you_mean(registry):
    registry.register_op(_demo_def("MatMul"))
    with pytest.raises(
        ValueError, match=r"Op type not registered 'MatMull'. Did you mean 'MatMul'\?"
    ):
        registry.get_op_def("MatMull")
    with pytest.raises(ValueError, match=r"^Op type not registered 'Zzz'.$"):
        registry.get_op_def("Zzz")


def test_kernels_are_keyed_by_device_type(registry):
    @registry.register_kernel("Demo")
    def cpu(x):
        return (x,)

    @registry.register_kernel("Demo", "GPU", context=True)
    def gpu(ctx, x):
        return (x,)

    assert registry.lookup_kernel("Demo", "CPU").fn is cpu
    assert registry.lookup_kernel("Demo", "GPU").needs_context
    assert not registry.lookup_kernel("Demo", "CPU").needs_context
    assert registry.lookup_kernel("Demo", "TPU") is None
    assert registry.kernel_device_types("Demo") == {"CPU", "GPU"}
    assert registry.kernel_device_types("Nothing") == set()
    assert "test_registry.py" in registry.lookup_kernel("Demo", "CPU").where


def test_duplicate_kernel_names_the_first(registry):
    registry.register_kernel("Demo")(lambda x: (x,))
    with pytest.raises(
        KeyError,
        match=r"Kernel for 'Demo' on CPU is already registered. Previous registration is in .*test_registry.py",
    ):
        registry.register_kernel("Demo")(lambda x: (x,))


def test_gradients(registry):
    @registry.register_gradient("Demo")
    def grad(op, dy):
        return dy

    registry.not_differentiable("Shape")
    assert registry.get_gradient_function("Demo") is grad
    assert registry.get_gradient_function("Shape") is None
    with pytest.raises(LookupError, match="No gradient defined for operation type 'Other'"):
        registry.get_gradient_function("Other")
    with pytest.raises(KeyError, match="Gradient for 'Demo' is already registered"):
        registry.register_gradient("Demo")(grad)
    with pytest.raises(KeyError, match="Gradient for 'Shape' is already registered"):
        registry.not_differentiable("Shape")


def test_default_registry_has_the_core_ops():
    for op_type in [
        "Const",
        "Placeholder",
        "PlaceholderWithDefault",
        "Identity",
        "NoOp",
        "AddV2",
        "Sub",
        "Mul",
        "RealDiv",
        "MatMul",
        "Neg",
    ]:
        assert get_op_def(op_type).name == op_type
        assert lookup_kernel(op_type, "CPU") is not None
    assert get_op_def("MatMul").cost == "expensive"
    assert get_op_def("Const").attrs == {"value": REQUIRED, "dtype": REQUIRED}
    assert default_registry.get_op_def is not None


def test_public_aliases():
    assert tf.RegisterGradient == default_registry.register_gradient
    assert tf.no_gradient == default_registry.not_differentiable


def test_tensor_spec_is_a_named_pair():
    spec = TensorSpec(tf.float32, tf.TensorShape([2]))
    assert spec.dtype is tf.float32 and spec.shape == tf.TensorShape([2])
