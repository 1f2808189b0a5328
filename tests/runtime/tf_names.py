"""TF's public names against the runtime's: what is missing, what is excluded and why.

``tests/fixtures/tf_names/compat_v1.json`` lists every public name of TF 2.21's
``tf.compat.v1`` and its submodules (recorded by ``generate_names.py`` there). A name is
*present* when ``import runtime as tf`` reaches it by the same path (``tf.nn.relu``) and
it is more than a stub: a function or class whose body only raises counts as missing.
:data:`EXCLUDED` names what the runtime leaves out on purpose, by dotted path or by a
prefix of one, each with its reason; ``tests/runtime/test_namespace.py`` fails for any
other missing name.

Run it to print the coverage per submodule (the table in README's "What is in it")::

    .venv/bin/python -m tests.runtime.tf_names
"""

from __future__ import annotations

import ast
import functools
import inspect
import json
import textwrap
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tf_names"

_OUT_OF_SCOPE = "out of scope for a TF1 graph runtime on numpy"
_TPU = "TPU-only: the runtime runs on CPUs"


def _names(reason: str, names: str) -> dict:
    return dict.fromkeys(names.split(), reason)


# Dotted path (or the prefix of one) -> why the runtime does not have it.
EXCLUDED: dict[str, str] = {
    # Whole submodules.
    "keras": "Keras is its own library (tf_keras); " + _OUT_OF_SCOPE,
    "lite": "TensorFlow Lite converts models for devices; " + _OUT_OF_SCOPE,
    "tpu": _TPU,
    "xla": "XLA compiles graphs for accelerators; the runtime interprets them",
    "mlir": "MLIR is TF's compiler infrastructure; the runtime interprets graphs",
    "raw_ops": "tf.raw_ops (TF 1.13+) are TF's generated op wrappers; TF1 programs call "
    "the op builders",
    "autograph": "AutoGraph converts Python control flow for tf.function (TF2); TF1 "
    "programs write tf.cond and tf.while_loop",
    "distribute": "distribution strategies (MirroredStrategy, TPUStrategy ...) are TF2's "
    "multi-device training; the runtime distributes with Session(target='dask://...') "
    "and tf.train.replica_device_setter",
    "distributions": "tf.distributions was deprecated in TF 1.13 for TensorFlow Probability",
    "feature_column": "feature columns feed tf.estimator models; " + _OUT_OF_SCOPE,
    **_names(
        "TF2's object-based SavedModel (tf.Module, tf.function, trackable resources); "
        "the runtime has TF1's: Builder, simple_save and loader.load",
        "saved_model.Asset saved_model.SaveOptions saved_model.save saved_model.load_v2 "
        "saved_model.experimental",
    ),
    "saved_model.signature_def_utils.MethodNameUpdater": "rewrites method names of an "
    "existing SavedModel in place (TF 2.x tooling for TF Serving); TF1 programs export "
    "signatures with their method names",
    "quantization": "quantized integer kernels for deployment; " + _OUT_OF_SCOPE,
    "ragged": "RaggedTensor (TF 1.13+) is a TF2-era composite tensor; " + _OUT_OF_SCOPE,
    "mixed_precision": "mixed precision is a GPU/TPU training technique; " + _OUT_OF_SCOPE,
    "profiler": "TF's profiler needs its C++ tracer; the runtime has "
    "RunOptions(trace_level=FULL_TRACE) step stats and timeline.Timeline instead",
    "experimental": "tf.experimental holds TF2-era previews (DTensor, numpy API, extension types)",
    "types": "tf.types are TF2's typing protocols",
    "user_ops": "tf.user_ops.my_fact is TF's custom-op tutorial stub",
    "lookup": "lookup tables (tf.lookup, TF 1.14+) need hash-table resources; " + _OUT_OF_SCOPE,
    "data.experimental.service": "tf.data service runs input pipelines on TF's "
    "dispatcher/worker servers",
    "config": "tf.config (TF 1.14+) configures devices and threads for eager execution; "
    "TF1 programs give the Session a ConfigProto",
    # absl.flags internals, which TF re-exports whole.
    **{
        f"{module}.{name}": "absl.flags internals; classic programs use DEFINE_* and FLAGS"
        for module in ("flags", "app.flags")
        for name in [
            "ArgumentParser",
            "ArgumentSerializer",
            "BaseListParser",
            "BooleanParser",
            "CsvListSerializer",
            "EnumClassListSerializer",
            "EnumClassParser",
            "EnumClassSerializer",
            "EnumParser",
            "FloatParser",
            "IntegerParser",
            "ListParser",
            "ListSerializer",
            "WhitespaceSeparatedListParser",
            "FlagHolder",
            "tf_decorator",
            "adopt_module_key_flags",
            "declare_key_flag",
            "disclaim_key_flags",
            "doc_to_help",
            "flag_dict_to_args",
            "get_help_width",
            "text_wrap",
        ]
    },
    # TF2-era and accelerator-only names at the top level and in kept submodules.
    **_names(
        "TF2's type specs (TF 1.14+) describe composite tensors to tf.function",
        "TensorSpec TypeSpec IndexedSlicesSpec NoneTensorSpec OptionalSpec RaggedTensorSpec "
        "SparseTensorSpec TensorArraySpec type_spec_from_value",
    ),
    **_names(
        "TF2's eager and tf.function machinery; TF1 programs build graphs and run them",
        "GradientTape Module CriticalSection function wrap_function is_symbolic_tensor "
        "variable_creator_scope grad_pass_through recompute_grad "
        "nondifferentiable_batch_function",
    ),
    **_names(
        "added in TF 2.x, after the last TF1 release",
        "check_pinned conv conv2d_backprop_filter_v2 conv2d_backprop_input_v2 approx_top_k "
        "random_index_shuffle fftnd ifftnd rfftnd irfftnd math.sobol_sample "
        "signal.fftnd signal.ifftnd signal.rfftnd signal.irfftnd "
        "nn.experimental summary.all_v2_summary_ops summary.initialize "
        "debugging.enable_check_numerics debugging.disable_check_numerics "
        "debugging.enable_traceback_filtering debugging.disable_traceback_filtering "
        "debugging.is_traceback_filtering_enabled debugging.experimental "
        "debugging.set_log_device_placement debugging.get_log_device_placement "
        "random.experimental io.gfile.get_registered_schemes",
    ),
    **_names(
        "quantized types and ops serve integer deployment; " + _OUT_OF_SCOPE,
        "QUANTIZED_DTYPES qint8 qint16 qint32 quint8 quint16 dequantize quantize quantize_v2 "
        "quantized_concat fake_quant_with_min_max_args fake_quant_with_min_max_args_gradient "
        "fake_quant_with_min_max_vars fake_quant_with_min_max_vars_gradient "
        "fake_quant_with_min_max_vars_per_channel "
        "fake_quant_with_min_max_vars_per_channel_gradient dtypes.QUANTIZED_DTYPES "
        "dtypes.qint8 dtypes.qint16 dtypes.qint32 dtypes.quint8 dtypes.quint16 "
        "nn.quantized_avg_pool nn.quantized_conv2d nn.quantized_max_pool nn.quantized_relu_x "
        "train.do_quantize_training_on_graphdef",
    ),
    **_names(
        "bfloat16 and the 8-bit floats are accelerator formats numpy has no type for",
        "bfloat16 to_bfloat16 dtypes.bfloat16 dtypes.experimental",
    ),
    **_names(
        "ragged tensors are " + _OUT_OF_SCOPE,
        "RaggedTensor ragged_fill_empty_rows ragged_fill_empty_rows_grad io.RaggedFeature",
    ),
    **_names(
        "TF's C++ build",
        "CXX11_ABI_FLAG CXX_VERSION MONOLITHIC_BUILD",
    ),
    **_names(
        "Keras-style layers are Keras's; " + _OUT_OF_SCOPE,
        "layers.experimental",
    ),
    **_names(
        "TF2's object-based checkpoints and mixed precision; the runtime's train.Saver writes "
        "TF's checkpoints",
        "train.Checkpoint train.CheckpointManager train.CheckpointOptions train.experimental",
    ),
    **_names(
        "the SDCA optimizer ops serve tf.estimator's linear models",
        "train.sdca_fprint train.sdca_optimizer train.sdca_shrink_l1",
    ),
    **_names(
        "TF2's random generators (tf.random.Generator and its state, TF 2.x)",
        "random.Algorithm random.Generator random.create_rng_state random.get_global_generator "
        "random.set_global_generator random.split random.fold_in",
    ),
    # tf.data names a TF1 graph program has no use for.
    **_names(
        "TF2's type specs of dataset elements (tf.data.experimental.Structure is tf.TypeSpec); "
        "the runtime's datasets describe elements by output_types/shapes/classes, as TF1's",
        "data.experimental.Structure data.experimental.TensorStructure "
        "data.experimental.SparseTensorStructure data.experimental.TensorArrayStructure "
        "data.experimental.OptionalStructure data.experimental.RaggedTensorStructure "
        "data.experimental.get_structure data.experimental.from_variant "
        "data.experimental.to_variant",
    ),
    **_names(
        "eager-only in TF: TF 2.21 refuses it in graph mode",
        "data.NumpyIterator data.experimental.enable_debug_mode data.experimental.get_model_proto",
    ),
    **_names(
        "lookup tables are excluded (see lookup)",
        "data.experimental.DatasetInitializer data.experimental.index_table_from_dataset "
        "data.experimental.table_from_dataset",
    ),
    **_names(
        "snapshots and distributed saves are the tf.data service's storage internals",
        "data.experimental.snapshot data.experimental.distributed_save",
    ),
    "data.experimental.dense_to_ragged_batch": "ragged tensors are " + _OUT_OF_SCOPE,
    "LMDBReader": "reads LMDB databases, and no LMDB library is among the project's "
    "dependencies (a hand-written reader of LMDB's B-tree pages would stand in for one)",
    "data.experimental.make_saveable_from_iterator": "saving an iterator's position in a "
    "checkpoint needs TF's serialized dataset graphs; the runtime's iterators are Python "
    "objects of the session",
    **_names(
        "added in TF 2.x, after the last TF1 release: Faster R-CNN's region proposals "
        "(TF 2.2), and JPEG XL, which Pillow does not read",
        "image.generate_bounding_box_proposals image.decode_jxl io.decode_jxl",
    ),
    # Single names.
    "linalg.experimental": "added in TF 2.x, after the last TF1 release",
    "errors.raise_exception_on_not_ok_status": "checks status objects of TF's C API",
    "get_session_handle": "session tensor handles keep tensors between runs (TF 1.0); "
    "rarely used, " + _OUT_OF_SCOPE,
    "get_session_tensor": "session tensor handles; see get_session_handle",
    "delete_session_tensor": "session tensor handles; see get_session_handle",
    "enable_eager_execution": "eager execution (TF 1.5+, opt-in); the runtime builds "
    "graphs and runs them in sessions, and says so when asked",
    "enable_v2_behavior": "switches to TF2's eager behaviour; the runtime is TF1's",
    "enable_v2_tensorshape": "TF2's TensorShape semantics; the runtime keeps TF1's switch off",
    "enable_tensor_equality": "TF2's elementwise == on tensors; the runtime keeps TF1's identity",
    "load_library": "loads compiled TF kernels (.so); the runtime's kernels are numpy",
    "load_op_library": "loads compiled TF kernels (.so); the runtime's kernels are numpy",
    "load_file_system_library": "loads compiled TF file systems (.so)",
    "sysconfig.get_include": "C++ headers for building TF kernels",
    "sysconfig.get_lib": "the directory of TF's C++ library",
    "sysconfig.get_compile_flags": "compiler flags for building TF kernels",
    "sysconfig.get_link_flags": "linker flags for building TF kernels",
    "sysconfig.CXX11_ABI_FLAG": "the C++ ABI of TF's library",
    "sysconfig.CXX_VERSION": "the C++ standard of TF's library",
    "sysconfig.MONOLITHIC_BUILD": "how TF's C++ library was linked",
    "test.is_cpu_target_available": "asks whether XLA can compile for a CPU target",
    "test.test_src_dir_path": "a path in TF's own source tree",
    "test.disable_with_predicate": "a TF 2.x decorator for TF's own tests",
    "test.with_eager_op_as_function": "a TF 2.x decorator for eager ops run as functions",
    "test.experimental": "TF 2.x's device synchronisation for eager timing",
    "test.is_built_with_cuda": "TF's build options; no CUDA here",
    "test.is_built_with_rocm": "TF's build options; no ROCm here",
    "test.is_built_with_xla": "TF's build options; no XLA here",
    "test.is_built_with_gpu_support": "TF's build options; no GPU here",
}


@functools.cache
def tf_names(version: str = "v1") -> dict[str, dict[str, str]]:
    """TF's public names: ``{module path: {name: kind}}`` (``""`` is the top level).

    For ``"v2"`` each name maps to ``[kind, shared]`` (see ``generate_names.py``).
    """
    return json.loads((FIXTURES / f"compat_{version}.json").read_text())["modules"]


def excluded_reason(dotted: str) -> str | None:
    """Why ``dotted`` (``"nn.rnn_cell.LSTMCell"``) is excluded, or ``None``."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        reason = EXCLUDED.get(".".join(parts[:end]))
        if reason is not None:
            return reason
    return None


def resolve(namespace, path: str):
    """The module at ``path`` under ``namespace`` (``"nn.rnn_cell"``), or ``None``."""
    for part in filter(None, path.split(".")):
        namespace = getattr(namespace, part, None)
        if namespace is None:
            return None
    return namespace


def is_stub(value) -> bool:
    """Whether ``value`` exists only to raise: a function (or a class whose
    ``__init__``) has nothing but a docstring and a ``raise``."""
    function = value.__dict__.get("__init__") if inspect.isclass(value) else value
    if not inspect.isfunction(function):
        return False
    try:
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return False
    definition = ast.parse(source).body[0]
    if not isinstance(definition, ast.FunctionDef | ast.AsyncFunctionDef):
        return False  # a lambda or an alias: it computes something
    body = definition.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return len(body) == 1 and isinstance(body[0], ast.Raise)


def _present(module, name: str) -> bool:
    if module is None or not hasattr(module, name):
        return False
    return not is_stub(getattr(module, name))


def coverage(namespace, version: str = "v1") -> list[tuple[str, list, list, list]]:
    """Per TF module: ``(path, present, excluded, missing)`` lists of names."""
    rows = []
    for path, names in tf_names(version).items():
        module = resolve(namespace, path)
        present, excluded, missing = [], [], []
        for name in names:
            dotted = f"{path}.{name}" if path else name
            if _present(module, name):
                present.append(name)
            elif excluded_reason(dotted) is not None:
                excluded.append(name)
            else:
                missing.append(name)
        rows.append((path, present, excluded, missing))
    return rows


def missing_names(namespace, version: str = "v1") -> list[str]:
    """Dotted names TF has and the runtime lacks, outside :data:`EXCLUDED`."""
    return [
        f"{path}.{name}" if path else name
        for path, _, _, missing in coverage(namespace, version)
        for name in missing
    ]


def coverage_table(namespace) -> str:
    """The coverage of ``tf.compat.v1`` per top-level submodule, as a Markdown table.

    A submodule's row counts its own names and its submodules' (``nn`` includes
    ``nn.rnn_cell``); excluded submodules are one line at the end.
    """
    totals: dict[str, list[int]] = {}
    for path, present, excluded, missing in coverage(namespace):
        key = path.split(".")[0] if path else "(top level)"
        counts = totals.setdefault(key, [0, 0, 0])
        counts[0] += len(present)
        counts[1] += len(excluded)
        counts[2] += len(missing)
    lines = [
        "| module | has | of TF's | excluded | missing |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    left_out = []
    for key, (has, excluded, missing) in totals.items():
        if has == 0 and missing == 0:
            left_out.append(key)
            continue
        lines.append(f"| `{key}` | {has} | {has + excluded + missing} | {excluded} | {missing} |")
    all_has = sum(c[0] for c in totals.values())
    all_names = sum(sum(c) for c in totals.values())
    all_missing = sum(c[2] for c in totals.values())
    lines.append(
        f"| all | {all_has} | {all_names} | {all_names - all_has - all_missing} | {all_missing} |"
    )
    lines.append("")
    lines.append("Excluded whole: " + ", ".join(f"`{key}`" for key in left_out) + ".")
    return "\n".join(lines)


def main() -> None:
    import runtime

    print(coverage_table(runtime))
    missing = missing_names(runtime)
    print(f"\n{len(missing)} names missing:")
    for name in missing:
        print(" ", name)


if __name__ == "__main__":
    main()
