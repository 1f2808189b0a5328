"""Session configuration and run tracing, with TensorFlow's field names.

``ConfigProto``, ``RunOptions``, ``RunMetadata``, ``StepStats`` and ``CostGraphDef``
are plain mutable dataclasses shaped like TF's protocol buffers, so TF1 code that
sets ``config.gpu_options.allow_growth = True`` or reads
``run_metadata.step_stats.dev_stats[0].node_stats`` works unchanged. An unknown field
is a ``ValueError`` and a value of the wrong type a ``TypeError``, as protobuf's are;
``inter_op_parallelism_threads`` < 0 runs every op in the caller's thread, as in TF.
"""

from __future__ import annotations

import copy
import dataclasses
import numbers
import operator


class _Message:
    """Protobuf-like behaviour shared by the config dataclasses."""

    def __post_init__(self):
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, dict) and field.type in _FIELD_TYPES:
                setattr(self, field.name, _FIELD_TYPES[field.type](**value))

    def __setattr__(self, name, value):
        field = self.__dataclass_fields__.get(name)
        if field is None:
            raise AttributeError(
                f'Assignment not allowed (no field "{name}" in protocol message object).'
            )
        object.__setattr__(self, name, _checked(field, value))

    def HasField(self, name: str) -> bool:
        """True when field ``name`` holds a non-default value."""
        if name not in self.__dataclass_fields__:
            raise ValueError(f'Protocol message has no non-repeated field "{name}"')
        value = getattr(self, name)
        default = type(self)().__getattribute__(name)
        return value != default

    def CopyFrom(self, other) -> None:
        for field in dataclasses.fields(self):
            object.__setattr__(self, field.name, copy.deepcopy(getattr(other, field.name)))

    def Clear(self) -> None:
        self.CopyFrom(type(self)())


def _scalar(kind: str, value):
    """``value`` for a protobuf scalar field of ``kind``, with protobuf's ``TypeError``s."""
    if kind in ("int", "bool"):
        number = operator.index(value)  # "'str' object cannot be interpreted as an integer"
        return bool(number) if kind == "bool" else number
    if kind == "float":
        if not isinstance(value, numbers.Real):
            raise TypeError(f"must be real number, not {type(value).__name__}")
        return float(value)
    if kind == "str" and not isinstance(value, str | bytes):
        raise TypeError(
            f"{value!r} has type {type(value).__name__}, but expected one of: bytes, str"
        )
    return value


def _checked(field: dataclasses.Field, value):
    """A field's value checked as protobuf checks it (scalars, and map values)."""
    values = field.metadata.get("values")
    try:
        if field.type in ("int", "bool", "float", "str"):
            return _scalar(field.type, value)
        if values is None:
            return value
        if not isinstance(value, dict):
            raise TypeError(f"must be a dict, not {type(value).__name__}")
        return {_scalar("str", key): _scalar(values, item) for key, item in value.items()}
    except TypeError as err:
        raise TypeError(f"Field {field.name}: {err}") from None


def _reject_unknown(cls):
    """Give a dataclass protobuf's error for unknown constructor fields."""
    init = cls.__init__

    def __init__(self, *args, **kwargs):
        unknown = [key for key in kwargs if key not in cls.__dataclass_fields__]
        if unknown:
            raise ValueError(f'Protocol message {cls.__name__} has no "{unknown[0]}" field.')
        init(self, *args, **kwargs)

    cls.__init__ = __init__
    return cls


def message(cls):
    """Decorator: a protobuf-shaped dataclass."""
    return _reject_unknown(dataclasses.dataclass(cls))


@message
class GPUOptions(_Message):
    """Accepted for TF1 code; only meaningful with real GPUs."""

    allow_growth: bool = False
    per_process_gpu_memory_fraction: float = 0.0
    visible_device_list: str = ""


@message
class OptimizerOptions(_Message):
    """TF's classic graph optimizer options (``GraphOptions.optimizer_options``).

    ``opt_level`` ``L1`` (0, the default) turns on constant folding and common
    subexpression elimination whatever the two ``do_`` flags say; ``L0`` (-1) leaves
    only what they ask for. These passes run even when Grappler's meta optimizer is
    disabled, as in TF: a graph runs exactly as written only with
    ``rewrite_options.disable_meta_optimizer`` and ``opt_level=L0`` (see
    :mod:`runtime.grappler`).

    Examples
    --------
    >>> OptimizerOptions(opt_level=OptimizerOptions.L0).opt_level
    -1
    """

    L1 = 0
    L0 = -1
    DEFAULT = 0  # GlobalJitLevel: accepted, there is no JIT
    OFF = -1
    ON_1 = 1
    ON_2 = 2

    do_common_subexpression_elimination: bool = False
    do_constant_folding: bool = False
    max_folded_constant_in_bytes: int = 0
    do_function_inlining: bool = False
    opt_level: int = 0
    global_jit_level: int = 0
    cpu_global_jit: bool = False


@message
class RewriterConfig(_Message):
    """Grappler's rewrite options (``GraphOptions.rewrite_options``), with TF's fields.

    Toggles take TF's enum values: ``DEFAULT`` (0) and ``ON`` run a pass, ``OFF``
    skips it (``AGGRESSIVE`` and the MLIR values run it too). The runtime acts on
    ``disable_meta_optimizer``, ``constant_folding``, ``common_subgraph_elimination``,
    ``arithmetic_optimization``, ``dependency_optimization``, ``remapping``,
    ``loop_optimization``, ``min_graph_nodes`` (0: TF's default of 4; -1: optimize any
    graph) and ``meta_optimizer_iterations`` (:mod:`runtime.grappler`); the other
    fields are kept for TF1 code (a run never runs what it does not need, so
    ``disable_model_pruning`` changes nothing).

    Examples
    --------
    >>> config = RewriterConfig(min_graph_nodes=-1, constant_folding=RewriterConfig.OFF)
    >>> config.min_graph_nodes, config.constant_folding, config.remapping
    (-1, 2, 0)
    """

    DEFAULT = 0  # Toggle
    ON = 1
    OFF = 2
    AGGRESSIVE = 3
    EXPERIMENTAL_MLIR = 4
    EXPERIMENTAL_BOTH = 5
    DEFAULT_NUM_ITERS = 0  # NumIterationsType
    ONE = 1
    TWO = 2
    DEFAULT_MEM_OPT = 0  # MemOptType
    NO_MEM_OPT = 1
    MANUAL = 2
    HEURISTICS = 3
    SWAPPING_HEURISTICS = 4
    RECOMPUTATION_HEURISTICS = 5
    SCHEDULING_HEURISTICS = 6
    NO_CONVERSION_ON_CPU = 0  # CpuLayout
    NCHW_TO_NHWC = 1
    NHWC_TO_NCHW = 2

    cpu_layout_conversion: int = 0
    layout_optimizer: int = 0
    constant_folding: int = 0
    shape_optimization: int = 0
    remapping: int = 0
    common_subgraph_elimination: int = 0
    arithmetic_optimization: int = 0
    dependency_optimization: int = 0
    loop_optimization: int = 0
    function_optimization: int = 0
    debug_stripper: int = 0
    disable_model_pruning: bool = False
    scoped_allocator_optimization: int = 0
    pin_to_host_optimization: int = 0
    implementation_selector: int = 0
    auto_mixed_precision: int = 0
    auto_mixed_precision_mkl: int = 0
    auto_mixed_precision_onednn_bfloat16: int = 0
    auto_mixed_precision_cpu: int = 0
    disable_meta_optimizer: bool = False
    disable_tfg_optimizer: bool = False
    use_plugin_optimizers: int = 0
    experimental_conditional_code_motion: int = 0
    meta_optimizer_iterations: int = 0
    min_graph_nodes: int = 0
    experimental_disable_compressed_tensor_optimization: bool = False
    experimental_disable_folding_quantization_emulation: bool = False
    memory_optimization: int = 0
    memory_optimizer_target_node_name_scope: str = ""
    meta_optimizer_timeout_ms: int = 0
    auto_parallel: object = None
    fail_on_optimizer_errors: bool = False
    scoped_allocator_opts: object = None
    optimizers: list = dataclasses.field(default_factory=list)
    custom_optimizers: list = dataclasses.field(default_factory=list)
    inter_optimizer_verifier_config: object = None
    post_optimization_verifier_config: object = None


@message
class GraphOptions(_Message):
    place_pruned_graph: bool = False
    build_cost_model: int = 0
    build_cost_model_after: int = 0
    infer_shapes: bool = False
    enable_bfloat16_sendrecv: bool = False
    timeline_step: int = 0
    optimizer_options: OptimizerOptions = dataclasses.field(default_factory=OptimizerOptions)
    rewrite_options: RewriterConfig = dataclasses.field(default_factory=RewriterConfig)


@message
class ThreadPoolOptionProto(_Message):
    num_threads: int = 0
    global_name: str = ""


@message
class ConfigProto(_Message):
    """Options of a Session.

    Examples
    --------
    >>> config = ConfigProto(device_count={"CPU": 2}, allow_soft_placement=True)
    >>> config.gpu_options.allow_growth = True
    >>> config.device_count["CPU"], config.graph_options.place_pruned_graph
    (2, False)
    >>> ConfigProto(allow_soft_placment=True)
    Traceback (most recent call last):
    ...
    ValueError: Protocol message ConfigProto has no "allow_soft_placment" field.
    >>> ConfigProto(inter_op_parallelism_threads="4")
    Traceback (most recent call last):
    ...
    TypeError: Field inter_op_parallelism_threads: 'str' object cannot be interpreted as an integer
    """

    device_count: dict = dataclasses.field(default_factory=dict, metadata={"values": "int"})
    intra_op_parallelism_threads: int = 0
    inter_op_parallelism_threads: int = 0
    use_per_session_threads: bool = False
    session_inter_op_thread_pool: list = dataclasses.field(default_factory=list)
    placement_period: int = 0
    device_filters: list = dataclasses.field(default_factory=list)
    gpu_options: GPUOptions = dataclasses.field(default_factory=GPUOptions)
    allow_soft_placement: bool = False
    log_device_placement: bool = False
    graph_options: GraphOptions = dataclasses.field(default_factory=GraphOptions)
    operation_timeout_in_ms: int = 0
    isolate_session_state: bool = False
    share_cluster_devices_in_session: bool = False
    cluster_def: object = None
    rpc_options: object = None
    experimental: dict = dataclasses.field(default_factory=dict)

    def set_optimizer_experimental_options(self, options: dict) -> None:
        """Set Grappler rewrite options as ``tf.config.optimizer.set_experimental_options``
        does: ``True``/``False`` for a pass turn it ``ON``/``OFF``; other options
        (``disable_meta_optimizer``, ``min_graph_nodes``) are set as given.

        Examples
        --------
        >>> config = ConfigProto()
        >>> config.set_optimizer_experimental_options({"constant_folding": False})
        >>> config.graph_options.rewrite_options.constant_folding == RewriterConfig.OFF
        True
        """
        rewrite = self.graph_options.rewrite_options
        for name, value in options.items():
            field = rewrite.__dataclass_fields__.get(name)
            if field is not None and field.type == "int" and isinstance(value, bool):
                value = RewriterConfig.ON if value else RewriterConfig.OFF
            setattr(rewrite, name, value)


@message
class RunOptions(_Message):
    """Options of one ``Session.run``.

    Examples
    --------
    >>> RunOptions(trace_level=RunOptions.FULL_TRACE).trace_level
    3
    """

    NO_TRACE = 0
    SOFTWARE_TRACE = 1
    HARDWARE_TRACE = 2
    FULL_TRACE = 3

    trace_level: int = 0
    timeout_in_ms: int = 0
    inter_op_thread_pool: int = 0
    output_partition_graphs: bool = False
    report_tensor_allocations_upon_oom: bool = False
    debug_options: object = None
    experimental: dict = dataclasses.field(default_factory=dict)


@message
class AllocationDescription(_Message):
    requested_bytes: int = 0
    allocated_bytes: int = 0
    allocator_name: str = "cpu"


@message
class TensorDescription(_Message):
    dtype: object = None
    shape: list = dataclasses.field(default_factory=list)
    allocation_description: AllocationDescription = dataclasses.field(
        default_factory=AllocationDescription
    )


@message
class NodeOutput(_Message):
    slot: int = 0
    tensor_description: TensorDescription = dataclasses.field(default_factory=TensorDescription)


@message
class AllocatorMemoryUsed(_Message):
    allocator_name: str = "cpu"
    total_bytes: int = 0
    peak_bytes: int = 0


@message
class NodeExecStats(_Message):
    """Timing of one op in one run (microseconds since the epoch / relative to start)."""

    node_name: str = ""
    all_start_micros: int = 0
    op_start_rel_micros: int = 0
    op_end_rel_micros: int = 0
    all_end_rel_micros: int = 0
    memory: list = dataclasses.field(default_factory=list)
    output: list = dataclasses.field(default_factory=list)
    timeline_label: str = ""
    scheduled_micros: int = 0
    thread_id: int = 0


@message
class DeviceStepStats(_Message):
    device: str = ""
    node_stats: list = dataclasses.field(default_factory=list)


@message
class StepStats(_Message):
    dev_stats: list = dataclasses.field(default_factory=list)


@message
class CostNode(_Message):
    name: str = ""
    device: str = ""
    id: int = 0
    input_info: list = dataclasses.field(default_factory=list)
    output_info: list = dataclasses.field(default_factory=list)
    compute_cost: int = 0
    is_final: bool = False
    control_input: list = dataclasses.field(default_factory=list)


@message
class CostGraphDef(_Message):
    node: list = dataclasses.field(default_factory=list)


@message
class RunMetadata(_Message):
    """What a traced run reports: step stats, the cost graph, partition graphs."""

    step_stats: StepStats = dataclasses.field(default_factory=StepStats)
    cost_graph: CostGraphDef = dataclasses.field(default_factory=CostGraphDef)
    partition_graphs: list = dataclasses.field(default_factory=list)
    function_graphs: list = dataclasses.field(default_factory=list)


@message
class CallableOptions(_Message):
    """Options of ``Session._make_callable_from_options``: feed and fetch names."""

    feed: list = dataclasses.field(default_factory=list)
    fetch: list = dataclasses.field(default_factory=list)
    target: list = dataclasses.field(default_factory=list)
    run_options: RunOptions = dataclasses.field(default_factory=RunOptions)


_FIELD_TYPES = {
    "GPUOptions": GPUOptions,
    "GraphOptions": GraphOptions,
    "OptimizerOptions": OptimizerOptions,
    "RewriterConfig": RewriterConfig,
}
