"""tfgraph runtime: TensorFlow 1 graphs and sessions on numpy.

``import runtime as tf`` and TF1 graph-mode code runs: the top level holds TF2-style
names (``tf.constant``, ``tf.matmul``, ``tf.device`` ...) and ``tf.compat.v1`` the TF1
ones (``placeholder``, ``Session``, ``get_default_graph`` ...).
"""

from . import (  # tf.io, tf.compat.v1.summary
    bitwise,
    compat,
    data,
    dtypes,
    errors,
    graph_util,
    io,
    kernels,
    layers,
    losses,
    math,
    metrics,
    nn,
    queue,
    random,
    stepper,
    summary,
)
from .devices import DeviceSpec
from .distributed import DaskEngine as _DaskEngine  # registers target="dask://..."
from .dtypes import (
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
from .gradients import AggregationMethod, UnconnectedGradients
from .gradients import gradients_v2 as gradients
from .graph import Graph, Operation, Tensor, get_default_graph, reset_default_graph
from .graph_def import GraphDef, NodeDef
from .ops.array_ops import *
from .ops.constant_value import constant_value as get_static_value
from .ops.control_flow_ops import *
from .ops.core import constant, convert_to_tensor
from .ops.init_ops import *
from .ops.logging_ops import *
from .ops.math_ops import *
from .ops.resource_variable_ops import *  # registers VarHandleOp & co (TF2 files)
from .ops.script_ops import *
from .ops.tensor_array_ops import TensorArray
from .ops.variables import *
from .registry import not_differentiable as no_gradient
from .registry import register_gradient as RegisterGradient
from .scopes import control_dependencies, device, name_scope
from .shapes import TensorShape
from .sparse_tensor import SparseTensor
from .training import v2 as train

__version__ = "0.1.0"
