"""The op registry: OpDefs, kernels keyed by (op type, device type), gradients."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import runtime as tf
from runtime.op_signature import ArgDef, AttrDef, Signature, parse_arg, parse_attr
from runtime.registry import (
    REQUIRED,
    Cost,
    OpDef,
    Registry,
    TensorSpec,
    default_registry,
    get_op_def,
    lookup_kernel,
    registered_ops,
)

TF_OPS = json.loads(
    (Path(__file__).parent.parent / "fixtures" / "tf_ops" / "op_defs.json").read_text()
)["ops"]


def _demo_def(name="Demo", **fields):
    return OpDef(name, ("x: float",), ("y: float",), shape_fn=lambda x: [x], **fields)


@pytest.fixture
def registry():
    return Registry()


def test_op_def_fields_and_defaults():
    op_def = _demo_def()
    assert op_def.output_names == ("y",) and op_def.attrs == ()
    assert not op_def.is_stateful and op_def.cost is Cost.CHEAP
    assert op_def.input_arity == 1 and op_def.input_names == ("x",)
    assert op_def.attr_defaults == {}


def test_input_markers():
    op_def = OpDef("Assign", ("ref: Ref(T)", "value: T"), ("out: Ref(T)",), ("T: type",))
    assert op_def.ref_inputs == (0,) and op_def.input_names == ("ref", "value")
    assert op_def.marked_input_names == ("&ref", "value")
    listy = OpDef("AddN", ("inputs: N * T",), ("sum: T",), ("N: int >= 1", "T: type"))
    assert listy.input_arity is None and listy.input_names == ("inputs",)
    assert listy.marked_input_names == ("*inputs",)


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
    assert get_op_def("MatMul").cost is Cost.EXPENSIVE
    assert get_op_def("Const").attr_defaults == {"value": REQUIRED, "dtype": REQUIRED}
    assert default_registry.get_op_def is not None


def test_public_aliases():
    assert tf.RegisterGradient == default_registry.register_gradient
    assert tf.no_gradient == default_registry.not_differentiable


def test_tensor_spec_is_a_named_pair():
    spec = TensorSpec(tf.float32, tf.TensorShape([2]))
    assert spec.dtype is tf.float32 and spec.shape == tf.TensorShape([2])


# -- typed OpDefs: TF's registration syntax --------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "transpose_a: bool = false",
        "T: {float32, float64, int32}",
        "N: int >= 1",
        "padding: {'SAME', 'VALID'}",
        "Tidx: {int32, int64} = DT_INT32",
        "shape: shape = { unknown_rank: true }",
        "shape: shape = [2, -1]",
        "value: tensor",
        "f: func",
        "strides: list(int)",
        "dilations: list(int) = [1, 1, 1, 1]",
        "dtypes: list(type) >= 1",
        "Tout: list({float32, int32}) >= 0 = []",
        "x: string = ''",
        "end: string = '\\n'",
        "alpha: float = 0.2",
        "seed: int = -1",
        "data_format: {'NHWC', 'NCHW'} = 'NHWC'",
        "shapes: list(shape) >= 0 = []",
    ],
)
def test_attr_declarations_round_trip(text):
    attr = parse_attr(text)
    assert str(attr) == text and parse_attr(str(attr)) == attr


def test_attr_spellings_and_type_classes():
    assert parse_attr("T: {float, double, half}").allowed == ("float32", "float64", "float16")
    assert parse_attr("T: {realnumbertype, qint8}").allowed[-3:] == ("uint32", "uint64", "qint8")
    assert parse_attr("T: numbertype").allowed == parse_attr("T: numerictype").allowed
    assert len(parse_attr("T: quantizedtype").allowed) == 5
    assert parse_attr("shape: shape = { unknown_rank: true }").default is None
    assert parse_attr("dtype: type = DT_FLOAT").default is tf.float32
    assert parse_attr("padding: {'SAME', 'VALID'}").kind == "string"
    assert parse_attr("dilations: list(int) = [1, 1]").default == (1, 1)


@pytest.mark.parametrize(
    "text, message",
    [
        ("T", "is not of the form 'name: kind'"),
        ("T: number", "unknown kind 'number'"),
        ("T: {float, flaot}", "'flaot' is not a type"),
        ("N: int >= x", "'>=' takes an integer"),
        ("b: bool >= 1", "only int and list attrs take a minimum"),
        ("b: bool = 1", "default '1' is not a bool"),
        ("T: {float, double} = DT_INT32", "the default is not one of the allowed values"),
        ("N: int >= 2 = 1", "the default is below the minimum"),
        ("l: list(list(int))", "lists of lists are not attr kinds"),
        ("T: {float, double", "unbalanced brackets"),
    ],
)
def test_attr_declaration_errors(text, message):
    with pytest.raises(ValueError, match=message):
        parse_attr(text)


@pytest.mark.parametrize(
    "text, arg",
    [
        ("x: T", ArgDef("x", type_attr="T")),
        ("x: int32", ArgDef("x", type="int32")),
        ("x: float", ArgDef("x", type="float32")),
        ("ref: Ref(T)", ArgDef("ref", type_attr="T", is_ref=True)),
        ("values: N * T", ArgDef("values", type_attr="T", number_attr="N")),
        ("shapes: N * int32", ArgDef("shapes", type="int32", number_attr="N")),
        ("args: Tin", ArgDef("args", type_list_attr="Tin")),
        ("handle: resource", ArgDef("handle", type="resource")),
    ],
)
def test_arg_declarations(text, arg):
    kinds = {"T": "type", "N": "int", "Tin": "list(type)"}
    assert parse_arg(text, kinds) == arg
    assert parse_arg(str(arg), kinds) == arg


@pytest.mark.parametrize(
    "text, message",
    [
        ("x", "is not of the form"),
        ("x: N * Tin", "'Tin' is neither a type nor an attr"),
        ("x: M * T", "its length 'M' must be an attr of kind int"),
        ("x: shape", "'shape' is neither a type nor an attr"),
    ],
)
def test_arg_declaration_errors(text, message):
    with pytest.raises(ValueError, match=message):
        parse_arg(
            text, {"T": "type", "N": "int", "Tin": "list(type)", "M": "bool", "shape": "shape"}
        )


def test_typed_op_def_is_parsed_at_registration():
    op_def = OpDef(
        "Concat",
        ("values: N * T", "axis: Tidx"),
        ("output: T",),
        ("N: int >= 2", "T: type", "Tidx: {int32, int64} = DT_INT32"),
        cost=Cost.EXPENSIVE,
    )
    assert op_def.input_arity is None
    assert op_def.input_is_list == (True, False) and op_def.input_names == ("values", "axis")
    assert op_def.attr_defaults == {"N": REQUIRED, "T": REQUIRED, "Tidx": tf.int32}
    assert op_def.signature.attrs["N"] == AttrDef("N", "int", minimum=2)
    refs = OpDef("Update", ("ref: Ref(T)", "h: resource", "x: T"), (), ("T: type",))
    assert refs.ref_inputs == (0, 1)
    with pytest.raises(ValueError, match=r"OpDef Bad: Arg 'x: Q': 'Q' is neither"):
        OpDef("Bad", ("x: Q",), (), ())
    with pytest.raises(TypeError, match=r"OpDef Mixed: attrs must be a tuple of TF-syntax"):
        OpDef("Mixed", ("x: T",), attrs={"T": REQUIRED})
    with pytest.raises(ValueError, match="an input name is used twice"):
        Signature(("x: T", "x: T"), (), ("T: type",))


def test_a_cost_is_the_enum():
    assert OpDef("Q", cost=Cost.BLOCKING).cost is Cost.BLOCKING
    with pytest.raises(TypeError, match="OpDef Q: cost must be a Cost, not 'expensive'"):
        OpDef("Q", cost="expensive")


# Op types TF also registers whose typed OpDef differs from TF's on purpose.
DIFFERENT_FROM_TF: dict = {
    "GeneratorDataset": "calls the Python generator itself (a token attr, its args), where TF "
    "calls three functions wrapping Python code",
    "OneShotIterator": "takes its dataset as an input, where TF rebuilds it from a "
    "dataset_factory function holding a copy of the pipeline",
    "MaxPool": "data_format without NCHW_VECT_C: the runtime has no quantized int8 layouts",
    "MaxPoolV2": "data_format without NCHW_VECT_C: the runtime has no quantized int8 layouts",
    **dict.fromkeys(
        ("If", "StatelessIf"),
        "a trace output (variant) keeps each call's forward values for the gradient, where "
        "TF's gradient builds a rewritten branch with more outputs",
    ),
    **dict.fromkeys(
        ("While", "StatelessWhile"),
        "maximum_iterations is an input (TF keeps the count in the loop's condition; the "
        "importer adds -1 to TF's nodes), and a trace output keeps each iteration's forward "
        "values for the gradient",
    ),
}


def test_typed_op_defs_declare_what_tensorflow_declares():
    differing, checked = [], 0
    for op_def in registered_ops():
        if op_def.name not in TF_OPS or op_def.name in DIFFERENT_FROM_TF:
            continue
        tf_entry = TF_OPS[op_def.name]
        # Tensor-valued defaults have no registration syntax: neither side can state them.
        attrs = [text.replace(" = <unwritable>", "") for text in tf_entry["attrs"]]
        theirs = Signature(tf_entry["inputs"], tf_entry["outputs"], attrs)
        ours = op_def.signature
        for part in ("inputs", "outputs", "attrs"):
            mine, tfs = getattr(ours, part), getattr(theirs, part)
            if mine != tfs:
                if part == "attrs":
                    mine, tfs = sorted(map(str, mine.values())), sorted(map(str, tfs.values()))
                differing.append(
                    f"{op_def.name} {part}: {list(map(str, mine))} != TF's {list(map(str, tfs))}"
                )
        checked += 1
    assert not differing, "\n".join(differing)
    assert checked >= 10
