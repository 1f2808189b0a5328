"""The one palette: colours for devices, op categories, scopes, compute times and statuses.

Every colour the workbench shows comes from here and travels in the payload's
``colors`` maps, so the SVG, the PNG and the JupyterLab extension agree. Colours are
a pure function of the thing coloured (a stable hash, never Python's salted
``hash``), so the same device has the same colour in every cell and every process.
"""

from __future__ import annotations

import math
import os
import zlib

from runtime.devices import DeviceSpec
from runtime.registry import registered_in

# Paul Tol's "muted" qualitative scheme: distinguishable with the common colour-vision
# deficiencies (https://personal.sron.nl/~pault/).
QUALITATIVE = (
    "#cc6677",
    "#332288",
    "#ddcc77",
    "#117733",
    "#88ccee",
    "#882255",
    "#44aa99",
    "#999933",
    "#aa4499",
)
NEUTRAL = "#dddddd"  # unplaced ops, the top-level scope, unmeasured ops
SOFT_PLACED = "#d62728"  # the border of ops placed elsewhere than they asked
# ColorBrewer "Oranges": one hue, light (fast) to dark (slow), so it reads in any vision.
SEQUENTIAL = (
    "#fff5eb",
    "#fee6ce",
    "#fdd0a2",
    "#fdae6b",
    "#fd8d3c",
    "#f16913",
    "#d94801",
    "#a63603",
    "#7f2704",
)
STATUS = {
    "done": "#44bb99",
    "current": "#eedd88",
    "next": "#77aadd",
    "pending": "#dddddd",
    "unused": "#ffffff",
    "error": "#ee6677",
}
# Op categories, after the files TF defines its ops in (math_ops.cc, nn_ops.cc, ...):
# a dozen families a reader tells apart, each with its own colour (no hashing, so no
# two categories ever share one). The colours are Paul Tol's "muted" and "light" sets.
CATEGORY_COLORS = {
    "math": "#88ccee",
    "array": "#ddcc77",
    "nn": "#cc6677",
    "constant": "#eeeebb",
    "input": "#44aa99",
    "state": "#332288",
    "control flow": "#aa4499",
    "random": "#bbcc33",
    "training": "#882255",
    "io": "#117733",
    "summary": "#ee8866",
    "other": "#bbbbbb",
}
_CATEGORY_OF = {
    "math": (
        "Abs Add AddN AddV2 All Any ArgMax ArgMin BatchMatMul BatchMatMulV2 Ceil Conj Cos Cumprod "
        "Cumsum Div DivNoNan Equal Exp Expm1 Floor FloorDiv FloorMod Greater GreaterEqual Less "
        "LessEqual Log Log1p LogicalAnd LogicalNot LogicalOr MatMul Max Maximum Mean Min Minimum "
        "Mod Mul Neg NotEqual Pow Prod RealDiv Reciprocal Round Rsqrt RsqrtGrad Sign Sin Sqrt "
        "SqrtGrad Square SquaredDifference Sub Sum Tan UnsortedSegmentSum SegmentSum Erf Atan2 "
        "ReciprocalGrad IsNan IsInf IsFinite ClipByValue TruncateDiv Xlogy Xdivy Inv InvGrad"
    ),
    "constant": "Const",
    "input": "Placeholder PlaceholderWithDefault PlaceholderV2",
    "array": (
        "BroadcastTo Concat ConcatV2 ExpandDims Fill GatherNd GatherV2 Identity IdentityN "
        "InvertPermutation OneHot OnesLike Pack Pad PadV2 MirrorPad MirrorPadGrad Range Rank "
        "Reshape ReverseV2 ScatterNd Shape ShapeN Size Slice Split SplitV Squeeze StopGradient "
        "StridedSlice StridedSliceGrad Tile Transpose Unpack Where ZerosLike LinSpace "
        "BroadcastGradientArgs Select SelectV2 Cast Bitcast ConcatOffset Snapshot"
    ),
    "nn": (
        "AvgPool AvgPoolGrad BiasAdd BiasAddGrad Conv2D Conv2DBackpropFilter Conv2DBackpropInput "
        "Elu EluGrad L2Loss LeakyRelu LeakyReluGrad LogSoftmax MaxPool MaxPoolGrad "
        "MaxPoolGradGrad Relu Relu6 Relu6Grad ReluGrad Softmax SoftmaxCrossEntropyWithLogits "
        "Softplus SoftplusGrad SparseSoftmaxCrossEntropyWithLogits Sigmoid SigmoidGrad Tanh "
        "TanhGrad FusedBatchNorm FusedBatchNormV3 FusedBatchNormGradV3 LRN Dropout"
    ),
    "state": (
        "Assign AssignAdd AssignSub AssignVariableOp AssignAddVariableOp AssignSubVariableOp "
        "IsVariableInitialized ReadVariableOp VarHandleOp VarIsInitializedOp VariableV2 Variable "
        "TemporaryVariable DestroyTemporaryVariable ScatterAdd ScatterUpdate ScatterSub"
    ),
    "control flow": (
        "Enter Exit Merge Switch NextIteration LoopCond RefEnter RefExit RefMerge RefSwitch "
        "RefNextIteration NoOp ControlTrigger If StatelessIf While StatelessWhile Assert Abort "
        "Case StatelessCase PartitionedCall StatefulPartitionedCall"
    ),
    "random": (
        "RandomShuffle RandomStandardNormal RandomUniform RandomUniformInt TruncatedNormal "
        "Multinomial RandomGamma RandomPoisson"
    ),
    "io": (
        "SaveV2 RestoreV2 Save Restore ShardedFilename MergeV2Checkpoints StringJoin ReadFile "
        "WriteFile PyFunc PyFuncStateless Print PrintV2 StringFormat TraceLength TraceValue"
    ),
    "summary": "MergeSummary WriteSummary",
}
CATEGORY_OF = {op: category for category, ops in _CATEGORY_OF.items() for op in ops.split()}
# Families named by part of the op type, for op types the tables above do not list.
_CATEGORY_PATTERNS = (
    ("training", ("Apply",)),
    ("summary", ("Summary",)),
    ("io", ("Queue", "Reader", "Iterator", "Dataset", "Save", "Restore", "Parse", "Decode")),
    ("io", ("Encode", "Serialize", "Deserialize", "MatchingFiles", "Recv", "Send")),
    ("array", ("TensorArray", "TensorList", "Stack", "TensorScatter", "Space", "Depth")),
    ("array", ("Diag", "Band", "Reverse", "Roll", "Unique", "ListDiff", "Bound", "Gather")),
    ("nn", ("Conv", "Pool", "BatchNorm", "Relu", "Selu", "Softsign", "Softplus", "Softmax")),
    ("nn", ("LRN", "BiasAdd", "Depthwise", "CandidateSampler", "AccidentalHits", "Dilation")),
    ("nn", ("TopK",)),
    ("state", ("Variable", "CountUpTo", "Scatter")),
    ("random", ("Random", "Stateless")),
    ("math", ("Bitwise", "Shift", "Invert", "Matrix", "Cholesky", "Qr", "Svd", "Lu", "Eig")),
    ("math", ("Einsum", "Segment", "gamma", "Zeta", "Erf", "Complex", "Real", "Imag", "Angle")),
    ("math", ("Norm", "Cross", "Rint", "Mod", "Cos", "Sin", "Tan", "NoNan", "Bincount")),
    ("math", ("Histogram", "Numerics", "Acos", "Asin", "Atan")),
)


# The family of op types the tables do not list, by the module that registered them:
# a new op is categorised the day it is registered.
_MODULES_OF_CATEGORY = {
    "math": (
        "math_ops linalg_ops segment_ops special_math_ops bitwise_ops clip_ops check_ops "
        "signal_ops sparse_math_ops"
    ),
    "array": (
        "array_ops shape_ops slicing_ops concat_ops gather_scatter_ops fill_ops layout_ops "
        "tile_pad_ops packing sparse_ops search_ops sort_ops stack_ops tensor_array_ops list_ops "
        "set_ops sparse_feature_ops"
    ),
    "nn": (
        "nn_ops activation_ops conv_ops pooling_ops normalization_ops loss_ops embedding_ops "
        "candidate_sampling_ops sampled_loss_ops image_ops image_box_ops image_colour_ops fused "
        "ctc_ops fractional_pool_ops"
    ),
    "state": "variables resource_variable_ops variable_update_ops",
    "control flow": "control_flow_ops control_flow_primitives functional_ops functional",
    "random": "random_ops",
    "io": (
        "io_ops parsing_ops data_flow_ops dataset_ops iterator_ops script_ops string_ops "
        "unicode_ops audio_ops optional_ops saver input compression_ops"
    ),
    "summary": "summary_ops",
    "training": "training_ops",
}
_CATEGORY_OF_MODULE = {
    module: category
    for category, modules in _MODULES_OF_CATEGORY.items()
    for module in modules.split()
}


def op_category(op_type: str) -> str:
    """The category of an op type: which family of TF's ops it belongs to.

    Op types the tables do not list take the family of the module that registered them,
    else one by part of their name (``Apply…``, ``…Summary``, ``…Queue…``, for op types
    of imported graphs the runtime does not know), else ``"other"``.

    Examples
    --------
    >>> op_category("Conv2D"), op_category("Const"), op_category("Identity")
    ('nn', 'constant', 'array')
    >>> op_category("ApplyAdam"), op_category("ScalarSummary"), op_category("MatMul")
    ('training', 'summary', 'math')
    >>> op_category("SomeCustomOp")
    'other'
    """
    known = CATEGORY_OF.get(op_type)
    if known is not None:
        return known
    module = registered_in(op_type)
    if module is not None:
        known = _CATEGORY_OF_MODULE.get(os.path.splitext(os.path.basename(module))[0])
        if known is not None:
            return known
    for category, marks in _CATEGORY_PATTERNS:
        if any(mark in op_type for mark in marks):
            return category
    return "other"


def category_color(category: str) -> str:
    """The colour of an op category.

    Examples
    --------
    >>> category_color("nn"), len(set(CATEGORY_COLORS.values())) == len(CATEGORY_COLORS)
    ('#cc6677', True)
    """
    return CATEGORY_COLORS[category]


# Device types start at different palette slots so CPU:i and GPU:j differ for small i, j.
_TYPE_SLOT = {"CPU": 0, "GPU": 4}


def _stable_hash(text: str) -> int:
    return zlib.crc32(text.encode())


def device_color(device: str) -> str:
    """The colour of a device, from its canonical string.

    The host part (job, replica, task; local when missing) picks a slot by stable hash
    and the device index steps from there, so the devices of one machine never share
    a colour (up to nine of them) and ``/device:CPU:1`` colours like its canonical
    ``/job:localhost/replica:0/task:0/device:CPU:1``.

    Examples
    --------
    >>> device_color("/job:localhost/replica:0/task:0/device:CPU:0")
    '#cc6677'
    >>> device_color("/device:CPU:1") == device_color("/job:localhost/replica:0/task:0/cpu:1")
    True
    >>> len({device_color(f"/device:CPU:{i}") for i in range(3)} | {device_color("/GPU:0")})
    4
    >>> device_color("")
    '#dddddd'
    """
    if not device:
        return NEUTRAL
    spec = DeviceSpec.from_string(device)
    host = f"{spec.job or 'localhost'}/{spec.replica or 0}/{spec.task or 0}"
    offset = 0 if host == "localhost/0/0" else _stable_hash(host)
    kind = spec.device_type or ""
    slot = _TYPE_SLOT.get(kind, _stable_hash(kind)) + (spec.device_index or 0) + offset
    return QUALITATIVE[slot % len(QUALITATIVE)]


def name_color(name: str) -> str:
    """The colour of an op type or name scope (``''``, the top level, is neutral).

    Examples
    --------
    >>> name_color("MatMul") == name_color("MatMul"), name_color("")
    (True, '#dddddd')
    """
    return QUALITATIVE[_stable_hash(name) % len(QUALITATIVE)] if name else NEUTRAL


def time_colors(times: dict) -> dict:
    """Colours for measured times (``{key: microseconds}``), fastest to slowest on a log scale.

    Examples
    --------
    >>> time_colors({"fast": 2.0, "slow": 400.0, "mid": 30.0})
    {'fast': '#fff5eb', 'slow': '#7f2704', 'mid': '#fd8d3c'}
    """
    logs = {key: math.log1p(t) for key, t in times.items()}
    low, high = min(logs.values(), default=0.0), max(logs.values(), default=0.0)
    return {key: sequential_color(x, low, high) for key, x in logs.items()}


def sequential_color(x: float, low: float, high: float) -> str:
    """The ``SEQUENTIAL`` colour of ``x`` between ``low`` (lightest) and ``high`` (darkest).

    Examples
    --------
    >>> sequential_color(0.0, 0.0, 8.0), sequential_color(8.0, 0.0, 8.0), sequential_color(1.0, 1.0, 1.0)
    ('#fff5eb', '#7f2704', '#fff5eb')
    """
    steps = len(SEQUENTIAL) - 1
    return SEQUENTIAL[round(steps * (x - low) / (high - low)) if high > low else 0]


def text_color(fill: str) -> str:
    """Black or white, whichever reads better on ``fill`` (WCAG relative luminance).

    Examples
    --------
    >>> text_color("#332288"), text_color("#ddcc77")
    ('#ffffff', '#000000')
    """
    r, g, b = (int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5))
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#000000" if luminance > 0.179 else "#ffffff"
