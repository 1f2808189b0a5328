"""Remapping: contraction + bias (+ activation) patterns become one fused op, as TF's.

Patterns, with TF 2.21's CPU rules (``TF_ENABLE_ONEDNN_OPTS=0``; the recorded
fixtures in ``tests/fixtures/grappler`` show TF's choices):

- ``MatMul`` (float32) → ``BiasAdd`` → optional ``Relu``/``Relu6``/``Elu``/``LeakyRelu``
  becomes ``_FusedMatMul``;
- as TF's oneDNN remapper (its default on x86), an ``Add``/``AddV2`` of the product
  and a vector as long as its last axis (``tf.matmul(x, w) + b``, as TF1 tutorials
  write a layer) stands for the ``BiasAdd`` of these patterns;
- ``Conv2D`` (float32 or float64, NHWC) → ``BiasAdd`` → optional activation becomes
  ``_FusedConv2D``;
- ``Conv2D`` → ``FusedBatchNorm``/``V2``/``V3`` at inference (``is_training=False``,
  only its first output read) → optional activation becomes ``_FusedConv2D`` with
  ``fused_ops [FusedBatchNorm, ...]``; when the filter and the batch norm's four
  vectors are constants, the batch norm is folded into a new filter and bias right
  away (``fused_ops [BiasAdd, ...]``);
- beyond TF: ``Conv2D`` → ``BiasAdd`` → inference batch norm → optional activation,
  all of constants (a Keras convolution with a bias, then batch norm: ResNet50's
  blocks), folds into one ``_FusedConv2D`` with a new filter and bias;
- beyond TF's CPU rules: ``DepthwiseConv2dNative`` (float32 or float64, NHWC) → an
  inference batch norm of constants → optional activation becomes
  ``_FusedDepthwiseConv2dNative``, the batch norm folded into the filter and a bias
  (MobileNet's blocks: the batch norm and ReLU6 no longer make passes of their own).
  A depthwise convolution followed by ``BiasAdd`` stays apart, as TF's CPU remapper
  leaves it;
- beyond TF: a zero ``Pad``/``PadV2`` of the spatial axes by constants before a
  ``VALID`` or ``EXPLICIT`` depthwise convolution (Keras' ``ZeroPadding2D`` before a
  stride-2 layer) becomes the convolution's ``EXPLICIT`` padding, which its kernel
  writes as zeros while it gathers its taps: the padded copy is never made.

Every op of a pattern but the last must have exactly one reader and not be fetched;
the fused op takes the last op's name (so it is what a fetch of it gets), the control
inputs of all of them, and stands for all of them in errors and the report.
"""

from __future__ import annotations

import numpy as np

from ..dtypes import float32, float64
from ..errors import OpError
from ..shapes import TensorShape
from .fused import (
    ACTIVATIONS,
    FUSED_CONV2D,
    FUSED_DEPTHWISE,
    FUSED_MATMUL,
    folded_batch_norm,
    folded_depthwise_batch_norm,
)
from .mutable import MutableGraph, Node, attr_text, value_of
from .report import Change, Report

NAME = "remapping"
_BATCH_NORMS = frozenset({"FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"})
_CONTRACTION_TYPES = {
    "MatMul": (float32,),
    "Conv2D": (float32, float64),
    "DepthwiseConv2dNative": (float32, float64),
}
_FUSED = {
    "MatMul": FUSED_MATMUL,
    "Conv2D": FUSED_CONV2D,
    "DepthwiseConv2dNative": FUSED_DEPTHWISE,
}


def may_fuse(ops) -> bool:
    """Whether ``ops`` (a run's, as written) hold a pattern's first two ops: a
    ``MatMul`` or convolution read by a ``BiasAdd``, an add or a batch norm. ``False`` means
    the pass fuses nothing (the optimizer's quick scan).

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default() as g:
    ...     x = tf.compat.v1.placeholder(tf.float32, [2, 2], name="x")
    ...     y = tf.nn.relu(tf.matmul(x, x, name="plain"))
    ...     z = tf.nn.bias_add(tf.matmul(x, x, name="biased"), [1.0, 2.0])
    >>> may_fuse([g.get_operation_by_name("plain")]), may_fuse([g.get_operation_by_name("biased")])
    (False, True)
    """
    return any(
        op._type in _CONTRACTION_TYPES
        and (
            any(reader._type in _SECOND for reader in op._outputs[0]._consumers)
            or (op._type == "DepthwiseConv2dNative" and op._inputs[0].op._type in _PADS)
        )
        for op in ops
    )


_ADDS = frozenset({"Add", "AddV2"})  # a bias vector's add stands for a BiasAdd
_SECOND = _BATCH_NORMS | _ADDS | {"BiasAdd"}  # what reads a pattern's contraction
_PADS = frozenset({"Pad", "PadV2"})


def fuse_patterns(graph: MutableGraph, report: Report) -> int:
    """Fuse every pattern above; returns how many fused ops were made.

    Examples
    --------
    >>> import runtime as tf
    >>> from runtime.plan import prune
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
    ...     h = tf.nn.bias_add(tf.matmul(x, tf.ones([3, 2])), tf.zeros([2]))
    ...     y = tf.nn.relu(h, name="y")
    >>> ops = prune([y], [], {x})
    >>> graph = MutableGraph.from_ops(ops, [y], [], [x], {op: "/cpu:0" for op in ops})
    >>> fuse_patterns(graph, Report()), graph.nodes["y"].type, graph.nodes["y"].attrs["fused_ops"]
    (1, '_FusedMatMul', ['BiasAdd', 'Relu'])
    """
    fused = 0
    for node in graph.topological():
        if graph.nodes.get(node.name) is not node or node.type not in _CONTRACTION_TYPES:
            continue
        if node.type == "DepthwiseConv2dNative":
            node = _take_padding(graph, node, report)
        pattern = _match(graph, node)
        if pattern is None:
            continue
        made, detail = _fuse(graph, pattern)
        report.add(Change(NAME, "fused", tuple(n.name for n in pattern), (made.name,), detail))
        fused += 1
    return fused


def _take_padding(graph: MutableGraph, conv: Node, report: Report) -> Node:
    """``conv`` with the zero spatial ``Pad`` before it taken into its ``EXPLICIT``
    padding (the node made in its place), or ``conv`` itself where none folds."""
    pad = conv.inputs[0][0]
    pairs = _spatial_zero_padding(graph, pad, conv)
    if pairs is None:
        return conv
    explicit = [0] * 8
    if attr_text(conv.attrs["padding"]) == "EXPLICIT":
        explicit = [int(v) for v in conv.attrs["explicit_paddings"]]
    attrs = {
        **conv.attrs,
        "padding": "EXPLICIT",
        "explicit_paddings": [a + b for a, b in zip(explicit, pairs.reshape(-1).tolist())],
    }
    made = conv.derived(
        conv.name,
        conv.type,
        [pad.inputs[0], conv.inputs[1]],
        list(dict.fromkeys(pad.control + conv.control)),
        attrs,
        conv.specs,
    )  # its origin stays the convolution's: the report names the pad, and errors the conv
    graph.replace(conv, made)
    graph.remove(pad)
    detail = f"{conv.type} with EXPLICIT padding {attrs['explicit_paddings']}"
    report.add(Change(NAME, "fused", (pad.name, conv.name), (made.name,), detail))
    return made


def _spatial_zero_padding(graph: MutableGraph, pad: Node, conv: Node):
    """The ``[4, 2]`` paddings of ``pad`` when it is a ``Pad`` (or a ``PadV2`` of zeros)
    of constants, only of the spatial axes of an NHWC image, read by ``conv`` alone (a
    ``VALID`` or ``EXPLICIT`` convolution of a float type) on its device; else ``None``."""
    if pad.type not in _PADS or conv.inputs[0][1] != 0 or _next(graph, pad) is not conv:
        return None
    if graph.fetched(pad) or conv.specs[0][0] not in _CONTRACTION_TYPES[conv.type]:
        return None
    if attr_text(conv.attrs["padding"]) not in ("VALID", "EXPLICIT"):
        return None
    if attr_text(conv.attrs["data_format"]) != "NHWC":
        return None
    if pad.type == "PadV2":
        fill = value_of(pad.inputs[2])
        if fill is None or pad.inputs[2][0].control or np.any(fill != 0):
            return None
    pairs = value_of(pad.inputs[1])
    if pairs is None or pad.inputs[1][0].control or np.shape(pairs) != (4, 2):
        return None
    pairs = np.asarray(pairs, np.int64)
    if (pairs < 0).any() or pairs[0].any() or pairs[3].any():
        return None
    return pairs


def _match(graph: MutableGraph, contraction: Node) -> list | None:
    """``[contraction, bias and/or batch norm, activation?]`` starting at ``contraction``."""
    dtype = contraction.specs[0][0]
    if dtype not in _CONTRACTION_TYPES[contraction.type]:
        return None
    conv = contraction.type != "MatMul"
    if conv and attr_text(contraction.attrs["data_format"]) != "NHWC":
        return None
    second = _next(graph, contraction)
    if second is None:
        return None
    depthwise = contraction.type == "DepthwiseConv2dNative"
    if _bias_input(second, contraction) is not None and not depthwise:
        if second.type == "BiasAdd" and conv and attr_text(second.attrs["data_format"]) != "NHWC":
            return None
    elif second.inputs[0] != (contraction, 0) or not (
        conv and _inference_batch_norm(graph, second)
    ):
        return None
    elif depthwise and _constant_inputs(contraction, None, second) is None:
        return None  # only a batch norm folded into the filter fuses with a depthwise
    pattern = [contraction, second]
    if contraction.type == "Conv2D" and second.type == "BiasAdd":
        # Beyond TF: a convolution's bias and a batch norm of constants fold into one.
        norm = _next(graph, second)
        if norm is not None and _folds_after(graph, contraction, second, norm):
            pattern.append(norm)
    last = pattern[-1]
    activation = _next(graph, last)
    if (
        activation is not None
        and activation.type in ACTIVATIONS
        and activation.inputs[0] == (last, 0)
    ):
        pattern.append(activation)
    return pattern


def _bias_input(node: Node, contraction: Node) -> tuple | None:
    """The bias ``node`` adds to ``contraction``'s product: a ``BiasAdd``'s, or an
    ``Add``'s other input when that is a vector of the product's type as long as its
    (known) last axis; else ``None``."""
    product = (contraction, 0)
    if node.type == "BiasAdd":
        return node.inputs[1] if node.inputs[0] == product else None
    if node.type not in _ADDS or product not in node.inputs or node.inputs[0] == node.inputs[1]:
        return None
    other = node.inputs[1] if node.inputs[0] == product else node.inputs[0]
    dtype, shape = other[0].specs[other[1]]
    product_dtype, product_shape = contraction.specs[0]
    if dtype != product_dtype or shape.rank != 1 or not product_shape.rank:
        return None
    length, channels = shape.as_list()[0], product_shape.as_list()[-1]
    return other if length is not None and length == channels else None


def _folds_after(graph: MutableGraph, conv: Node, bias: Node, norm: Node) -> bool:
    """Whether ``norm`` is an inference batch norm of ``bias``'s output that folds, with
    the bias, into the convolution's filter."""
    if norm.inputs[0] != (bias, 0) or not _inference_batch_norm(graph, norm):
        return False
    return _constant_inputs(conv, bias, norm) is not None


def _constant_inputs(conv: Node, bias: Node | None, norm: Node) -> list | None:
    """The filter, bias (or ``None``) and the batch norm's four vectors when all are
    constants without control inputs (so folding them is exact); else ``None``."""
    refs = [conv.inputs[1], bias.inputs[1] if bias is not None else None, *norm.inputs[1:5]]
    values = [None if ref is None else value_of(ref) for ref in refs]
    for ref, value in zip(refs, values):
        if ref is not None and (value is None or ref[0].control):
            return None
    return values


def _next(graph: MutableGraph, node: Node) -> Node | None:
    """The one reader of ``node``, on ``node``'s device."""
    reader = graph.sole_reader(node)
    return reader if reader is not None and reader.device == node.device else None


def _inference_batch_norm(graph: MutableGraph, node: Node) -> bool:
    if node.type not in _BATCH_NORMS or node.attrs["is_training"]:
        return False
    if attr_text(node.attrs["data_format"]) != "NHWC" or node.specs[0][0] != float32:
        return False
    if any(ref[0] is node and ref[1] != 0 for ref in graph.fetches):
        return False
    return all(
        ref[1] == 0 for reader in graph.readers_of(node) for ref in reader.inputs if ref[0] is node
    )


def _fuse(graph: MutableGraph, pattern: list) -> tuple:
    contraction, last = pattern[0], pattern[-1]
    bias_input = _bias_input(pattern[1], contraction)
    bias = pattern[1] if bias_input is not None else None
    norm = next((n for n in pattern[1:] if n.type in _BATCH_NORMS), None)
    activation = [last] if last.type in ACTIVATIONS else []
    inputs, args, stages, detail = contraction.inputs[:2], [], ["BiasAdd"], ""
    if norm is not None:
        folded = _fold_batch_norm(graph, contraction, bias, norm)
        if folded is not None:
            inputs, args = folded
            detail = ", batch norm folded into the filter"
        else:  # vectors fed or computed: the kernel folds them each run
            args, stages = norm.inputs[1:5], ["FusedBatchNorm"]
    else:
        args = [bias_input]
    stages += [n.type for n in activation]
    attrs = _attrs(contraction, norm, activation, stages, args)
    op_def = _FUSED[contraction.type]
    fused = last.derived(
        last.name,
        op_def.name,
        [*inputs, *args],
        list(dict.fromkeys(c for n in pattern for c in n.control)),
        attrs,
        [last.specs[0]],
        origin=tuple(n.origin[-1] for n in pattern),
    )
    graph.replace(last, fused)
    for node in reversed(pattern[:-1]):
        graph.remove(node)
    return fused, f"{op_def.name} with fused_ops [{', '.join(stages)}]{detail}"


def _attrs(contraction: Node, norm, activation: list, stages: list, args: list) -> dict:
    """The fused op's attrs: the contraction's, the fusion's, every default filled."""
    attrs = {
        "fused_ops": stages,
        "num_args": len(args),
        "epsilon": float(norm.attrs["epsilon"]) if norm is not None else 0.0001,
        "leakyrelu_alpha": float(activation[0].attrs.get("alpha", 0.2)) if activation else 0.2,
    }
    if contraction.type == "MatMul":
        keep = ("transpose_a", "transpose_b", "T")
        return {**{k: contraction.attrs[k] for k in keep}, **attrs}
    if contraction.type == "DepthwiseConv2dNative":
        keep = ("T", "strides", "padding", "explicit_paddings", "data_format", "dilations")
        return {**{k: contraction.attrs[k] for k in keep}, **attrs}
    keep = (
        "T",
        "strides",
        "padding",
        "explicit_paddings",
        "data_format",
        "dilations",
        "use_cudnn_on_gpu",
    )
    return {
        **{k: contraction.attrs[k] for k in keep},
        "TArgs": [ref[0].specs[ref[1]][0] for ref in args],
        "num_host_args": 0,
        "filter_format": "HWIO",
        **attrs,
    }


def _fold_batch_norm(graph: MutableGraph, conv: Node, bias: Node | None, norm: Node):
    """``(conv inputs, [bias])`` with the batch norm (and the conv's bias) folded into new
    constants, when all are constants without control inputs; else ``None``."""
    values = _constant_inputs(conv, bias, norm)
    if values is None:
        return None
    filter, bias_value, *vectors = values
    fold = folded_batch_norm if conv.type == "Conv2D" else folded_depthwise_batch_norm
    try:
        filter, folded_bias = fold(filter, *vectors, float(norm.attrs["epsilon"]), bias=bias_value)
    except (ValueError, OpError):  # the run raises the batch norm's error
        return None
    made = []
    dtype = conv.specs[0][0]
    for suffix, value in (("folded_filter", filter), ("folded_bias", folded_bias)):
        value = np.require(value, requirements="O")  # its own memory, so read-only in full
        value.setflags(write=False)
        name = graph.unique_name(f"{norm.name}/{suffix}")
        specs = [(dtype, TensorShape(value.shape))]
        origin = (conv.origin[-1], norm.origin[-1])
        attrs = {"value": value, "dtype": dtype}
        made.append(graph.add(conv.derived(name, "Const", [], [], attrs, specs, origin)))
    return [conv.inputs[0], (made[0], 0)], [(made[1], 0)]
