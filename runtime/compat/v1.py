"""``tf.compat.v1``, and ``import runtime as tf``: TensorFlow 1's namespace.

TF 1.x's top level is what ``tf.compat.v1`` is in TF 2.x, and ``runtime`` re-exports
this module, so ``tf.placeholder is tf.compat.v1.placeholder``; ``runtime.compat.v2``
holds TF2's names. Each name is defined once, in its op or namespace module, and
imported here: a star import of an op module brings the names TF1 and TF2 spell alike,
and where TF1's builder differs (``reduce_sum`` takes ``keep_dims`` and
``reduction_indices``, ``argmax`` takes ``dimension``, ``cond`` takes ``strict``) it is
imported under TF's name after that star import and so takes the name
(``tests/runtime/test_namespace.py`` checks every name TF1 and TF2 define differently).
The submodules are TF1's too: ``nn``, ``math``, ``linalg`` and ``debugging`` are their
modules' ``v1`` namespaces, ``train`` is ``runtime.training`` and ``gfile`` TF1's
``gfile``.
"""

import types as _types

from .. import (
    app,
    audio,
    bitwise,
    compat,
    data,
    distribute,
    dtypes,
    errors,
    flags,
    graph_util,
    initializers,
    io,
    layers,
    losses,
    metrics,
    python_io,
    queue,
    random,
    resource_loader,
    saved_model,
    signal,
    summary,
    sysconfig,
    version,
)
from .. import gfile_v1 as gfile
from .. import testing as test
from .. import tf_logging as logging
from .. import training as train
from ..behavior import *
from ..config import (
    CallableOptions,
    ConfigProto,
    GPUOptions,
    GraphOptions,
    OptimizerOptions,
    RunMetadata,
    RunOptions,
    ThreadPoolOptionProto,
)
from ..control_flow_util import (
    control_flow_v2_enabled,
    disable_control_flow_v2,
    enable_control_flow_v2,
)
from ..debugging import v1 as debugging
from ..default_graph import *
from ..devices import DeviceSpec
from ..dimension import Dimension
from ..dtypes import (
    DType,
    as_dtype,
    bool,
    complex64,
    complex128,
    double,
    float16,
    float32,
    float64,
    half,
    int8,
    int16,
    int32,
    int64,
    resource,
    string,
    uint8,
    uint16,
    uint32,
    uint64,
    variant,
)
from ..errors import OpError
from ..gradients import AggregationMethod, UnconnectedGradients, gradients
from ..graph import Graph, Operation, Tensor, get_default_graph, reset_default_graph
from ..graph_keys import GraphKeys
from ..hessians import hessians
from ..image import v1 as image
from ..importer import import_graph_def
from ..indexed_slices import IndexedSlices, convert_to_tensor_or_indexed_slices
from ..linalg import v1 as linalg
from ..math import v1 as math
from ..nn import v1 as nn
from ..ops import image_ops as _image_ops
from ..ops import sparse_feature_ops as _sparse_feature_ops
from ..ops import sparse_math_ops as _sparse_math_ops
from ..ops import sparse_ops as _sparse_ops
from ..ops import sparse_serialization_ops as _sparse_serialization_ops
from ..ops import string_ops as _string_ops
from ..ops import variable_update_ops as _variable_update_ops
from ..ops.array_ops import *
from ..ops.array_ops import V1_OVERRIDES as _ARRAY_V1
from ..ops.array_ops import boolean_mask_v1 as boolean_mask
from ..ops.array_ops import expand_dims_v1 as expand_dims
from ..ops.array_ops import gather_v1 as gather
from ..ops.array_ops import ones_like_v1 as ones_like
from ..ops.array_ops import pad_v1 as pad
from ..ops.array_ops import placeholder, placeholder_with_default
from ..ops.array_ops import reverse as reverse_v2
from ..ops.array_ops import shape_v1 as shape
from ..ops.array_ops import size_v1 as size
from ..ops.array_ops import squeeze_v1 as squeeze
from ..ops.array_ops import transpose_v1 as transpose
from ..ops.array_ops import zeros_like_v1 as zeros_like
from ..ops.audio_ops import timestamp
from ..ops.cast_ops import saturate_cast, to_complex64, to_complex128
from ..ops.check_ops import *
from ..ops.check_ops import add_check_numerics_ops, verify_tensor_all_finite
from ..ops.clip_ops import *
from ..ops.compression_ops import decode_compressed
from ..ops.constant_value import constant_value as get_static_value
from ..ops.control_flow_ops import *
from ..ops.control_flow_ops import cond_v1 as cond
from ..ops.control_flow_ops import while_loop_v1 as while_loop
from ..ops.core import constant, register_tensor_conversion_function
from ..ops.core import convert_to_tensor_v1 as convert_to_tensor
from ..ops.custom_gradient import custom_gradient
from ..ops.data_flow_ops import (
    ConditionalAccumulator,
    ConditionalAccumulatorBase,
    FIFOQueue,
    PaddingFIFOQueue,
    PriorityQueue,
    QueueBase,
    RandomShuffleQueue,
    SparseConditionalAccumulator,
)
from ..ops.functional_control import *
from ..ops.init_ops import *
from ..ops.init_ops import (
    glorot_normal_initializer,
    glorot_uniform_initializer,
    orthogonal_initializer,
    truncated_normal_initializer,
    uniform_unit_scaling_initializer,
    variance_scaling_initializer,
)
from ..ops.io_ops import (
    FixedLengthRecordReader,
    IdentityReader,
    ReaderBase,
    TextLineReader,
    TFRecordReader,
    WholeFileReader,
    matching_files,
    read_file,
    write_file,
)
from ..ops.linalg_ops import (
    cholesky,
    cholesky_solve,
    cross,
    eye,
    matrix_band_part,
    matrix_determinant,
    matrix_diag,
    matrix_diag_part,
    matrix_inverse,
    matrix_set_diag,
    matrix_solve,
    matrix_solve_ls,
    matrix_square_root,
    matrix_transpose,
    matrix_triangular_solve,
    qr,
    self_adjoint_eig,
    self_adjoint_eigvals,
    svd,
    trace,
)
from ..ops.linalg_ops import norm_v1 as norm
from ..ops.linalg_ops import tensor_diag as diag
from ..ops.linalg_ops import tensor_diag_part as diag_part
from ..ops.logging_ops import *
from ..ops.logging_ops import Print
from ..ops.math_ops import *
from ..ops.math_ops import (
    arg_max,
    arg_min,
    ceil,
    cumprod,
    div,
    floordiv,
    floormod,
    lin_space,
    log,
    log1p,
    logical_xor,
    reciprocal,
    rsqrt,
    squared_difference,
    to_double,
    to_float,
    to_int32,
    to_int64,
    unsorted_segment_sum,
)
from ..ops.math_ops import argmax_v1 as argmax
from ..ops.math_ops import argmin_v1 as argmin
from ..ops.math_ops import count_nonzero_v1 as count_nonzero
from ..ops.math_ops import divide_no_nan as div_no_nan
from ..ops.math_ops import floordiv as floor_div
from ..ops.math_ops import floormod as mod
from ..ops.math_ops import reduce_all_v1 as reduce_all
from ..ops.math_ops import reduce_any_v1 as reduce_any
from ..ops.math_ops import reduce_logsumexp_v1 as reduce_logsumexp
from ..ops.math_ops import reduce_max_v1 as reduce_max
from ..ops.math_ops import reduce_mean_v1 as reduce_mean
from ..ops.math_ops import reduce_min_v1 as reduce_min
from ..ops.math_ops import reduce_prod_v1 as reduce_prod
from ..ops.math_ops import reduce_sum_v1 as reduce_sum
from ..ops.math_ops import where as where_v2
from ..ops.math_ops import where_v1 as where
from ..ops.parsing_ops import (
    FixedLenFeature,
    FixedLenSequenceFeature,
    SparseFeature,
    VarLenFeature,
    decode_csv,
    decode_json_example,
    decode_raw,
    parse_example,
    parse_single_example,
    parse_single_sequence_example,
    parse_tensor,
    serialize_tensor,
)
from ..ops.partitioned_variables import (
    create_partitioned_variables,
    fixed_size_partitioner,
    min_max_variable_partitioner,
    variable_axis_size_partitioner,
)
from ..ops.random_ops import (
    get_seed,
    multinomial,
    random_gamma,
    random_normal,
    random_poisson,
    random_shuffle,
    random_uniform,
    set_random_seed,
    truncated_normal,
)
from ..ops.script_ops import *
from ..ops.script_ops import py_func
from ..ops.segment_ops import bincount_v1 as bincount
from ..ops.segment_ops import (
    confusion_matrix,
    dynamic_partition,
    dynamic_stitch,
    segment_max,
    segment_mean,
    segment_min,
    segment_prod,
    segment_sum,
    sparse_segment_mean,
    sparse_segment_sqrt_n,
    sparse_segment_sum,
    unique,
    unique_with_counts,
    unsorted_segment_max,
    unsorted_segment_mean,
    unsorted_segment_min,
    unsorted_segment_prod,
    unsorted_segment_sqrt_n,
)
from ..ops.signal_ops import fft, fft2d, fft3d, ifft, ifft2d, ifft3d
from ..ops.slicing_ops import reverse_sequence_v1 as reverse_sequence
from ..ops.sort_ops import argsort, sort
from ..ops.special_math_ops import einsum, lbeta, log_sigmoid
from ..ops.tensor_array_ops import TensorArray
from ..ops.variable_scope import (
    AUTO_REUSE,
    VariableScope,
    get_variable,
    get_variable_scope,
    variable_scope,
)
from ..ops.variables import *
from ..ops.variables import (
    PartitionedVariable,
    assign,
    assign_add,
    assign_sub,
    global_variables,
    global_variables_initializer,
    initialize_all_variables,
    is_variable_initialized,
    local_variables,
    local_variables_initializer,
    report_uninitialized_variables,
    trainable_variables,
    variables_initializer,
)
from ..proto.event_pb2 import Event, LogMessage, SessionLog
from ..proto.graph_pb2 import AttrValue, GraphDef, NameAttrList, NodeDef
from ..proto.meta_graph_pb2 import MetaGraphDef, TensorInfo
from ..proto.summary_pb2 import HistogramProto, Summary, SummaryMetadata
from ..registry import not_differentiable as NoGradient
from ..registry import not_differentiable as NotDifferentiable
from ..registry import not_differentiable as no_gradient
from ..registry import register_gradient as RegisterGradient
from ..scopes import container, control_dependencies, device, name_scope
from ..session import (
    InteractiveSession,
    Session,
    get_default_session,
    register_session_run_conversion_functions,
)
from ..sets import v1 as sets
from ..shapes import TensorShape
from ..signal import spectral
from ..sparse import v1 as sparse
from ..sparse_tensor import SparseTensor, SparseTensorValue, convert_to_tensor_or_sparse_tensor
from ..strings import v1 as strings
from ..tensor_util import *
from ..tf_logging import get_logger
from ..training.input import count_up_to
from ..training.moving_averages import moving_average_variables
from ..variables_v1 import *
from ..version import (
    COMPILER_VERSION,
    GIT_VERSION,
    GRAPH_DEF_VERSION,
    GRAPH_DEF_VERSION_MIN_CONSUMER,
    GRAPH_DEF_VERSION_MIN_PRODUCER,
    VERSION,
)
from .conversions import dimension_at_index, dimension_value

# The TF1 spellings of the array, sparse, string and variable-update ops.
globals().update(
    {
        **_ARRAY_V1,
        **_image_ops.V1_OVERRIDES,
        **_sparse_ops.V1_OVERRIDES,
        **_sparse_math_ops.V1_OVERRIDES,
        **_sparse_feature_ops.V1_OVERRIDES,
        **_sparse_serialization_ops.V1_OVERRIDES,
        **_string_ops.V1_OVERRIDES,
        **_variable_update_ops.V1_OVERRIDES,
    }
)

# tf.manip: TF 1.12's namespace of array ops, the same objects as at the top level.
manip = _types.ModuleType("runtime.compat.v1.manip", "``tf.manip``: array ops, as at the top.")
_MANIP = ("batch_to_space_nd", "gather_nd", "reshape", "reverse", "roll", "scatter_nd")
manip.__dict__.update({name: globals()[name] for name in (*_MANIP, "space_to_batch_nd", "tile")})
