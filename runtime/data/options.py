"""``tf.data.Options``: settings a pipeline carries (``Dataset.with_options``), as TF's.

Each option is a typed property: setting a value of another type raises ``TypeError``,
an unknown name ``AttributeError``, and the options ``Dataset.options()`` returns are
read-only (``ValueError``). ``with_options`` adds an ``OptionsDataset`` op whose
``serialized_options`` attr holds the options set (as JSON here, where TF writes its
``Options`` proto); ``Dataset.options()`` merges those of every ``OptionsDataset`` above
a dataset, upstream first, a later setting winning as in TF.

The options tune TF's own runtime (threads, autotuning, graph rewrites, sharding for
distribution): none of them changes which elements a pipeline yields, and the runtime's
pipelines, which always keep their order, read none of them.
"""

from __future__ import annotations

import enum
import json

from .. import dtypes
from ..registry import register_kernel
from ..tf_logging import warning
from .dataset_ops import _META, _TYPES, _dataset_op
from .pipeline import TakeIterator, Transform

__all__ = [
    "AutoShardPolicy",
    "AutotuneAlgorithm",
    "AutotuneOptions",
    "DistributeOptions",
    "ExternalStatePolicy",
    "OptimizationOptions",
    "Options",
    "ServiceOptions",
    "ThreadingOptions",
]

OPTIONS = _dataset_op(
    "OptionsDataset", ["input_dataset: variant"], ("serialized_options: string", *_TYPES, *_META)
)


class AutotuneAlgorithm(enum.Enum):
    """How TF's autotuner searches (``tf.data.experimental.AutotuneAlgorithm``)."""

    DEFAULT = 0
    HILL_CLIMB = 1
    GRADIENT_DESCENT = 2
    MAX_PARALLELISM = 3
    STAGE_BASED = 4


class AutoShardPolicy(enum.IntEnum):
    """How a distributed input pipeline is sharded (``tf.data.experimental.AutoShardPolicy``)."""

    OFF = -1
    AUTO = 0
    FILE = 1
    DATA = 2
    HINT = 3


class ExternalStatePolicy(enum.Enum):
    """What serializing a pipeline does with state it cannot serialize."""

    WARN = 0
    IGNORE = 1
    FAIL = 2


def _option(name: str, kind, doc: str, default=lambda: None):
    """A property holding a value of ``kind`` (``default()`` until set)."""

    def get(self):
        if name not in self._options:
            self._options[name] = default()
        return self._options[name]

    def set_(self, value):
        if not isinstance(value, kind):
            raise TypeError(
                f'Property "{name}" must be of type {kind}, got: {value} (type: {type(value)})'
            )
        self._options[name] = value

    return property(get, set_, None, doc)


class OptionsBase:
    """A set of options: typed properties, compared by value, read-only once returned by
    ``Dataset.options()``."""

    def __init__(self):
        object.__setattr__(self, "_options", {})
        object.__setattr__(self, "_mutable", True)

    def __setattr__(self, name, value):
        if not self._mutable:
            raise ValueError(
                "Mutating `tf.data.Options()` returned by `tf.data.Dataset.options()` has no "
                "effect. Use `tf.data.Dataset.with_options(options)` to set or update dataset "
                "options."
            )
        if not hasattr(type(self), name):
            raise AttributeError(f"Cannot set the property {name} on {type(self).__name__}.")
        object.__setattr__(self, name, value)

    def __eq__(self, other):
        if not isinstance(other, type(self)):
            return NotImplemented
        names = set(self._options) | set(other._options)
        return all(getattr(self, name) == getattr(other, name) for name in names)

    __hash__ = None

    def _freeze(self) -> None:
        object.__setattr__(self, "_mutable", False)
        for value in self._options.values():
            if isinstance(value, OptionsBase):
                value._freeze()

    def _to_dict(self) -> dict:
        out = {}
        for name, value in self._options.items():
            if isinstance(value, OptionsBase):
                value = value._to_dict()
                if not value:
                    continue
            elif isinstance(value, enum.Enum):
                value = {"enum": value.name}
            elif value is None:
                continue
            out[name] = value
        return out

    def _from_dict(self, values: dict):
        for name, value in values.items():
            current = getattr(self, name)
            if isinstance(current, OptionsBase):
                current._from_dict(value)
            elif isinstance(value, dict):  # an enum, by name
                setattr(self, name, _ENUM_OPTIONS[(type(self).__name__, name)][value["enum"]])
            else:
                setattr(self, name, value)
        return self


class AutotuneOptions(OptionsBase):
    """Autotuning (``tf.data.experimental.AutotuneOptions``)."""

    enabled = _option("enabled", bool, "Whether to tune performance knobs automatically.")
    cpu_budget = _option("cpu_budget", int, "The CPU budget of the autotuner.")
    ram_budget = _option("ram_budget", int, "The RAM budget of the autotuner, in bytes.")
    autotune_algorithm = _option("autotune_algorithm", AutotuneAlgorithm, "The algorithm.")
    initial_parallelism = _option("initial_parallelism", int, "The first parallelism tried.")
    min_parallelism = _option("min_parallelism", int, "The least parallelism tried.")


class DistributeOptions(OptionsBase):
    """Distributing the pipeline (``tf.data.experimental.DistributeOptions``)."""

    auto_shard_policy = _option(
        "auto_shard_policy",
        AutoShardPolicy,
        "How to shard the input among workers.",
        lambda: AutoShardPolicy.AUTO,
    )
    num_devices = _option("num_devices", int, "The number of devices attached to a worker.")


class OptimizationOptions(OptionsBase):
    """Graph rewrites of the pipeline (``tf.data.experimental.OptimizationOptions``)."""

    apply_default_optimizations = _option("apply_default_optimizations", bool, "TF's defaults.")
    filter_fusion = _option("filter_fusion", bool, "Fuse filters.")
    filter_parallelization = _option("filter_parallelization", bool, "Parallel filters.")
    inject_prefetch = _option("inject_prefetch", bool, "Prefetch after the last step.")
    seq_interleave_prefetch = _option("seq_interleave_prefetch", bool, "Prefetch interleaves.")
    map_and_batch_fusion = _option("map_and_batch_fusion", bool, "Fuse map and batch.")
    map_and_filter_fusion = _option("map_and_filter_fusion", bool, "Fuse map and filter.")
    map_fusion = _option("map_fusion", bool, "Fuse maps.")
    map_parallelization = _option("map_parallelization", bool, "Parallel maps.")
    noop_elimination = _option("noop_elimination", bool, "Drop transformations that do nothing.")
    parallel_batch = _option("parallel_batch", bool, "Copy batch elements in parallel.")
    shuffle_and_repeat_fusion = _option("shuffle_and_repeat_fusion", bool, "Fuse them.")


class ServiceOptions(OptionsBase):
    """Options of the tf.data service (``tf.data.experimental.ServiceOptions``)."""

    pinned = _option("pinned", bool, "Pinned memory for the service's transfers.")


class ThreadingOptions(OptionsBase):
    """Threads of the pipeline (``tf.data.ThreadingOptions``)."""

    max_intra_op_parallelism = _option("max_intra_op_parallelism", int, "Per-op threads.")
    private_threadpool_size = _option("private_threadpool_size", int, "A pool of its own.")


class Options(OptionsBase):
    """The options of a dataset (``tf.data.Options``).

    Examples
    --------
    >>> import runtime as tf
    >>> options = Options()
    >>> options.threading.private_threadpool_size = 4
    >>> options.experimental_deterministic = False  # TF's old name of ``deterministic``
    >>> with tf.Graph().as_default():
    ...     ds = tf.data.Dataset.range(3).with_options(options).map(lambda x: x + 1)
    ...     got = ds.options()
    >>> got.deterministic, got.threading.private_threadpool_size, got == options
    (False, 4, True)
    """

    autotune = _option("autotune", AutotuneOptions, "Autotuning.", AutotuneOptions)
    deterministic = _option("deterministic", bool, "Whether the order of elements is kept.")
    experimental_distribute = _option(
        "experimental_distribute", DistributeOptions, "Distribution.", DistributeOptions
    )
    experimental_external_state_policy = _option(
        "experimental_external_state_policy", ExternalStatePolicy, "Serializing state."
    )
    experimental_optimization = _option(
        "experimental_optimization", OptimizationOptions, "Graph rewrites.", OptimizationOptions
    )
    experimental_slack = _option("experimental_slack", bool, "Slack in the last prefetch.")
    experimental_symbolic_checkpoint = _option(
        "experimental_symbolic_checkpoint", bool, "Checkpoint the pipeline symbolically."
    )
    experimental_service = _option(
        "experimental_service", ServiceOptions, "The tf.data service.", ServiceOptions
    )
    experimental_warm_start = _option("experimental_warm_start", bool, "Start producers early.")
    dataset_name = _option("dataset_name", str, "A name for debugging.")
    framework_type = _option("framework_type", list, "Frameworks that built the pipeline.")
    threading = _option("threading", ThreadingOptions, "Threads.", ThreadingOptions)

    # TF's old names of two options.
    _ALIASES = {
        "experimental_deterministic": "deterministic",
        "experimental_threading": "threading",
    }

    def __getattr__(self, name):
        alias = Options._ALIASES.get(name)
        if alias is None:
            raise AttributeError(f"'Options' object has no attribute '{name}'")
        if name == "experimental_threading":
            warning("options.experimental_threading is deprecated. Use options.threading instead.")
        return getattr(self, alias)

    def __setattr__(self, name, value):
        super().__setattr__(Options._ALIASES.get(name, name), value)


_ENUM_OPTIONS = {
    ("AutotuneOptions", "autotune_algorithm"): AutotuneAlgorithm,
    ("DistributeOptions", "auto_shard_policy"): AutoShardPolicy,
    ("Options", "experimental_external_state_policy"): ExternalStatePolicy,
}


def merge_options(*options_list):
    """The options of ``options_list`` merged into new ones: a setting that differs from
    the default wins over an earlier one (with a warning when they disagree)."""
    result_type = type(options_list[0])
    for options in options_list:
        if not isinstance(options, result_type):
            raise TypeError(
                f"Could not merge incompatible options of type {type(options)} and {result_type}."
            )
    default, result = result_type(), result_type()
    for options in options_list:
        for name in options._options:
            this, that = getattr(result, name), getattr(options, name)
            if that == getattr(default, name):
                continue
            if isinstance(this, OptionsBase):
                that = merge_options(this, that)
            elif name == "framework_type" and this:
                that = this + that
            elif this != getattr(default, name) and this != that:
                warning("Changing the value of option %s from %r to %r.", name, this, that)
            setattr(result, name, that)
    return result


def serialized(options: Options) -> str:
    """The text ``OptionsDataset`` keeps of ``options`` (the options set, as JSON)."""
    if not isinstance(options, Options):
        raise TypeError(f"`options` must be a `tf.data.Options`, got {type(options)}.")
    return json.dumps(options._to_dict(), sort_keys=True)


def dataset_options(variant) -> Options:
    """The merged options of the ``OptionsDataset`` ops above the dataset ``variant``,
    read-only (upstream first, each input of a ``zip`` in order)."""
    found, seen, stack = [], set(), [(variant.op, False)]
    while stack:  # a post-order walk: an op after everything above it
        op, visited = stack.pop()
        if visited:
            if op.type == "OptionsDataset":
                found.append(op)
            continue
        if op in seen:
            continue
        seen.add(op)
        stack.append((op, True))
        above = [t.op for t in op.inputs if t.dtype == dtypes.variant]
        stack.extend((parent, False) for parent in reversed(above))
    merged = merge_options(Options(), *[_parsed(op) for op in found])
    merged._freeze()
    return merged


def _parsed(op) -> Options:
    text = op.get_attr("serialized_options")
    text = text.decode() if isinstance(text, bytes) else text
    try:
        values = json.loads(text)
    except ValueError:
        return Options()  # a TF-written Options proto: settings the runtime does not read
    return Options()._from_dict(values)


@register_kernel("OptionsDataset")
def _options_dataset(input_dataset, *, serialized_options, output_types, output_shapes, metadata):
    return (Transform(input_dataset, TakeIterator, count=-1).typed(output_types, output_shapes),)
