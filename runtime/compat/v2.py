"""``tf.compat.v2``: TensorFlow 2's names, as far as the runtime has them.

TF2 spells most names as TF1 does and means the same by them (``tf.compat.v2.matmul is
tf.compat.v1.matmul``): those are the very objects of :mod:`runtime.compat.v1`. Where
TF2's builder differs (``reduce_sum`` takes no ``keep_dims``, ``cond`` no ``strict``,
``nn.dropout`` a ``rate``), this namespace has TF2's builder (``_TF2_VERSIONS``) or,
where the runtime's one builder takes TF2's arguments as TF2 passes them, that one
(``_TAKES_TF2_ARGUMENTS``); a name for which neither holds is missing here rather than
TF1's in disguise. TF1-only names (``placeholder``, ``Session``) are not here, and the
submodules are TF2's: ``nn`` is :mod:`runtime.nn`, ``train`` :mod:`runtime.training.v2`.

The two name lists are TF 2.21's (``tests/fixtures/tf_names/compat_v2.json``, which
``tests/runtime/test_namespace.py`` checks them against).

Examples
--------
>>> import runtime as tf
>>> v2 = tf.compat.v2
>>> v2.matmul is tf.matmul, v2.reduce_sum is tf.reduce_sum, hasattr(v2, "placeholder")
(True, False, False)
"""

from importlib import import_module as _import_module

from . import v1

# TF2's top-level names that mean what TF1's do ...
_SHARED_WITH_TF1 = frozenset(
    [
        "AggregationMethod",
        "Assert",
        "CriticalSection",
        "DType",
        "GradientTape",
        "Graph",
        "IndexedSlices",
        "IndexedSlicesSpec",
        "Module",
        "NoneTensorSpec",
        "Operation",
        "OptionalSpec",
        "RaggedTensor",
        "RaggedTensorSpec",
        "RegisterGradient",
        "SparseTensor",
        "SparseTensorSpec",
        "Tensor",
        "TensorArray",
        "TensorArraySpec",
        "TensorShape",
        "TensorSpec",
        "TypeSpec",
        "UnconnectedGradients",
        "VariableSynchronization",
        "abs",
        "acos",
        "acosh",
        "add",
        "add_n",
        "approx_top_k",
        "argsort",
        "as_dtype",
        "as_string",
        "asin",
        "asinh",
        "atan",
        "atan2",
        "atanh",
        "bfloat16",
        "bitcast",
        "bool",
        "broadcast_dynamic_shape",
        "broadcast_static_shape",
        "broadcast_to",
        "cast",
        "check_pinned",
        "clip_by_global_norm",
        "clip_by_norm",
        "clip_by_value",
        "complex",
        "complex128",
        "complex64",
        "concat",
        "control_dependencies",
        "conv",
        "conv2d_backprop_filter_v2",
        "conv2d_backprop_input_v2",
        "cos",
        "cosh",
        "cumsum",
        "custom_gradient",
        "divide",
        "double",
        "dynamic_partition",
        "dynamic_stitch",
        "edit_distance",
        "eig",
        "eigvals",
        "einsum",
        "enable_v2_behavior",
        "ensure_shape",
        "equal",
        "exp",
        "extract_volume_patches",
        "eye",
        "fftnd",
        "fill",
        "fingerprint",
        "float16",
        "float32",
        "float64",
        "floor",
        "function",
        "get_current_name_scope",
        "get_logger",
        "get_static_value",
        "grad_pass_through",
        "greater",
        "greater_equal",
        "group",
        "guarantee_const",
        "half",
        "histogram_fixed_width",
        "histogram_fixed_width_bins",
        "identity",
        "identity_n",
        "ifftnd",
        "import_graph_def",
        "init_scope",
        "inside_function",
        "int16",
        "int32",
        "int64",
        "int8",
        "irfftnd",
        "is_symbolic_tensor",
        "is_tensor",
        "less",
        "less_equal",
        "linspace",
        "load_library",
        "load_op_library",
        "logical_and",
        "logical_not",
        "logical_or",
        "make_ndarray",
        "make_tensor_proto",
        "matmul",
        "matrix_square_root",
        "maximum",
        "meshgrid",
        "minimum",
        "multiply",
        "negative",
        "newaxis",
        "no_gradient",
        "no_op",
        "nondifferentiable_batch_function",
        "not_equal",
        "numpy_function",
        "one_hot",
        "ones",
        "parallel_stack",
        "pow",
        "print",
        "py_function",
        "qint16",
        "qint32",
        "qint8",
        "quint16",
        "quint8",
        "ragged_fill_empty_rows",
        "ragged_fill_empty_rows_grad",
        "random_index_shuffle",
        "range",
        "rank",
        "realdiv",
        "recompute_grad",
        "register_tensor_conversion_function",
        "repeat",
        "required_space_to_batch_paddings",
        "reshape",
        "resource",
        "reverse",
        "rfftnd",
        "roll",
        "round",
        "saturate_cast",
        "scatter_nd",
        "searchsorted",
        "sequence_mask",
        "shape_n",
        "sigmoid",
        "sign",
        "sin",
        "sinh",
        "slice",
        "sort",
        "space_to_batch_nd",
        "split",
        "sqrt",
        "square",
        "stack",
        "stop_gradient",
        "strided_slice",
        "string",
        "subtract",
        "switch_case",
        "tan",
        "tanh",
        "tensor_scatter_nd_add",
        "tensor_scatter_nd_max",
        "tensor_scatter_nd_min",
        "tensor_scatter_nd_sub",
        "tensor_scatter_nd_update",
        "tensordot",
        "tile",
        "timestamp",
        "truediv",
        "truncatediv",
        "truncatemod",
        "type_spec_from_value",
        "uint16",
        "uint32",
        "uint64",
        "uint8",
        "unique",
        "unique_with_counts",
        "unravel_index",
        "unstack",
        "variant",
        "vectorized_map",
        "zeros",
    ]
)
# ... and those TF2 defines differently.
_DEFINED_DIFFERENTLY = frozenset(
    [
        "DeviceSpec",
        "Variable",
        "VariableAggregation",
        "argmax",
        "argmin",
        "assert_equal",
        "assert_greater",
        "assert_less",
        "assert_rank",
        "batch_to_space",
        "boolean_mask",
        "case",
        "cond",
        "constant",
        "constant_initializer",
        "convert_to_tensor",
        "device",
        "executing_eagerly",
        "expand_dims",
        "foldl",
        "foldr",
        "gather",
        "gather_nd",
        "gradients",
        "hessians",
        "map_fn",
        "name_scope",
        "norm",
        "ones_initializer",
        "ones_like",
        "pad",
        "random_normal_initializer",
        "random_uniform_initializer",
        "reduce_all",
        "reduce_any",
        "reduce_logsumexp",
        "reduce_max",
        "reduce_mean",
        "reduce_min",
        "reduce_prod",
        "reduce_sum",
        "reverse_sequence",
        "scalar_mul",
        "scan",
        "shape",
        "size",
        "space_to_batch",
        "squeeze",
        "transpose",
        "tuple",
        "variable_creator_scope",
        "where",
        "while_loop",
        "zeros_initializer",
        "zeros_like",
    ]
)


def _runtime(name: str):
    # The module itself, not the package attribute: ``runtime.nn`` is TF1's ``tf.nn``.
    return _import_module(f"runtime.{name}")


# The op modules spell their public names as TF2 does (TF1's builders are ``*_v1``).
_OP_MODULES = tuple(
    _runtime(f"ops.{name}")
    for name in (
        *("array_ops", "check_ops", "clip_ops", "control_flow_ops", "init_ops"),
        *("linalg_ops", "logging_ops", "math_ops", "script_ops", "variables"),
    )
)
_core = _runtime("ops.core")


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None):
    """TF2's ``tf.convert_to_tensor``: TF1's, with ``dtype_hint`` third.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     one = tf.compat.v2.convert_to_tensor(1, None, tf.float32)
    >>> one.dtype.name
    'float32'
    """
    return _core.convert_to_tensor(value, dtype, name, dtype_hint=dtype_hint)


_NOT_IN_OP_MODULES = {
    "convert_to_tensor": convert_to_tensor,
    "gradients": _runtime("gradients").gradients_v2,
    "hessians": _runtime("hessians").hessians_v2,
}
# Defined differently in TF2, but the runtime's one builder takes TF2's arguments in
# TF2's order (TF1's extras come after them).
_TAKES_TF2_ARGUMENTS = frozenset({"case", "constant", "scalar_mul"})


def _tf2_builder(name: str):
    """TF2's builder of a name TF2 defines differently, or ``None`` if the runtime lacks it."""
    if name in _TAKES_TF2_ARGUMENTS:
        return getattr(v1, name, None)
    builder = _NOT_IN_OP_MODULES.get(name)
    for module in _OP_MODULES:
        if builder is None and name in module.__all__:
            builder = getattr(module, name)
    if builder is getattr(v1, name, None):
        return None  # TF1's builder: TF2 code would get TF1's meaning
    return builder


def _namespace() -> dict:
    names = {name: getattr(v1, name) for name in _SHARED_WITH_TF1 if hasattr(v1, name)}
    for name in _DEFINED_DIFFERENTLY:
        builder = _tf2_builder(name)
        if builder is not None:
            names[name] = builder
    for name in (
        *("bitwise", "compat", "data", "debugging", "dtypes", "errors", "image", "io"),
        *("linalg", "math", "nn", "queue", "random", "sets", "sparse", "strings"),
        *("audio", "signal"),
    ):
        names[name] = _runtime(name)
    names["random"] = _runtime("random").v2  # poisson takes TF2's argument order
    names["train"] = _runtime("training.v2")
    return names


globals().update(_namespace())
