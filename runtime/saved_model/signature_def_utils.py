"""``tf.saved_model.signature_def_utils``: ``SignatureDef`` messages, a SavedModel's
serving entry points (named input and output tensors and a method name).

Examples
--------
>>> import runtime as tf
>>> with tf.Graph().as_default():
...     x = tf.compat.v1.placeholder(tf.float32, [None, 2], name="x")
...     signature = predict_signature_def({"x": x}, {"y": tf.identity(x, name="y")})
>>> signature.method_name, signature.outputs["y"].name, is_valid_signature(signature)
('tensorflow/serving/predict', 'y:0', True)
"""

from __future__ import annotations

from .. import dtypes
from ..errors import NotFoundError
from ..graph import Tensor
from ..proto.meta_graph_pb2 import SignatureDef
from ..protobuf import tensor_to_proto
from . import signature_constants as keys
from .utils import build_tensor_info, build_tensor_info_from_op, get_element_from_tensor_info

__all__ = [
    "build_signature_def",
    "classification_signature_def",
    "is_valid_signature",
    "predict_signature_def",
    "regression_signature_def",
]

_STRING = dtypes.string.as_datatype_enum
_FLOAT = dtypes.float32.as_datatype_enum


def build_signature_def(inputs=None, outputs=None, method_name=None, defaults=None):
    """A ``SignatureDef`` of ``TensorInfo`` maps; ``defaults`` maps an input to a
    constant tensor whose value it takes when not fed.

    Examples
    --------
    >>> from runtime.proto.meta_graph_pb2 import TensorInfo
    >>> build_signature_def({"x": TensorInfo(name="x:0")}, method_name="m").inputs["x"].name
    'x:0'
    """
    signature = SignatureDef()
    for key, info in (inputs or {}).items():
        signature.inputs[key].CopyFrom(info)
    for key, info in (outputs or {}).items():
        signature.outputs[key].CopyFrom(info)
    if method_name is not None:
        signature.method_name = method_name
    for key, default in (defaults or {}).items():
        if default.op.type != "Const":
            raise ValueError(
                f"Unable to convert object {default} of type {type(default)} to TensorProto."
            )
        signature.defaults[key].CopyFrom(tensor_to_proto(default.op.get_attr("value")))
    return signature


def predict_signature_def(inputs, outputs):
    """A predict ``SignatureDef`` of ``{key: Tensor}`` inputs and outputs.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.compat.v1.placeholder(tf.float32, name="x")
    ...     sorted(predict_signature_def({"x": x}, {"y": x * 2}).outputs)
    ['y']
    """
    if not inputs:
        raise ValueError("Prediction `inputs` cannot be None or empty.")
    if not outputs:
        raise ValueError("Prediction `outputs` cannot be None or empty.")
    return build_signature_def(
        {key: build_tensor_info(t) for key, t in inputs.items()},
        {key: build_tensor_info(t) for key, t in outputs.items()},
        keys.PREDICT_METHOD_NAME,
    )


def regression_signature_def(examples, predictions):
    """A regress ``SignatureDef``: serialized ``tf.Example`` strings in, floats out.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     examples = tf.compat.v1.placeholder(tf.string, name="examples")
    ...     signature = regression_signature_def(examples, tf.constant([1.0]))
    >>> sorted(signature.inputs), sorted(signature.outputs)
    (['inputs'], ['outputs'])
    """
    if examples is None:
        raise ValueError("Regression `examples` cannot be None.")
    if not isinstance(examples, Tensor):
        raise ValueError(
            "Expected regression `examples` to be of type Tensor. "
            f"Found `examples` of type {type(examples)}."
        )
    if predictions is None:
        raise ValueError("Regression `predictions` cannot be None.")
    examples_info = _typed_info(examples, _STRING, "Regression input tensors must be")
    predictions_info = _typed_info(predictions, _FLOAT, "Regression output tensors must be")
    return build_signature_def(
        {keys.REGRESS_INPUTS: examples_info},
        {keys.REGRESS_OUTPUTS: predictions_info},
        keys.REGRESS_METHOD_NAME,
    )


def _typed_info(tensor, dtype_enum: int, what: str):
    info = build_tensor_info(tensor)
    if info.dtype != dtype_enum:
        kind = "string" if dtype_enum == _STRING else "float"
        raise ValueError(f"{what} of type {kind}. Found tensors with type {info.dtype}.")
    return info


def classification_signature_def(examples, classes, scores):
    """A classify ``SignatureDef``: serialized ``tf.Example`` strings in, string
    ``classes`` and/or float ``scores`` out.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default():
    ...     examples = tf.compat.v1.placeholder(tf.string, name="examples")
    ...     signature = classification_signature_def(examples, None, tf.constant([0.5]))
    >>> sorted(signature.outputs), is_valid_signature(signature)
    (['scores'], True)
    """
    if examples is None:
        raise ValueError("Classification `examples` cannot be None.")
    if not isinstance(examples, Tensor):
        raise ValueError(
            "Classification `examples` must be a string Tensor. "
            f"Found `examples` of type {type(examples)}."
        )
    if classes is None and scores is None:
        raise ValueError("Classification `classes` and `scores` cannot both be None.")
    inputs = {
        keys.CLASSIFY_INPUTS: _typed_info(examples, _STRING, "Classification input tensors must be")
    }
    outputs = {}
    if classes is not None:
        outputs[keys.CLASSIFY_OUTPUT_CLASSES] = _typed_info(
            classes, _STRING, "Classification classes must be"
        )
    if scores is not None:
        outputs[keys.CLASSIFY_OUTPUT_SCORES] = _typed_info(
            scores, _FLOAT, "Classification scores must be"
        )
    return build_signature_def(inputs, outputs, keys.CLASSIFY_METHOD_NAME)


def is_valid_signature(signature_def) -> bool:
    """Whether ``signature_def`` is a well-formed classify, regress or predict signature.

    Examples
    --------
    >>> is_valid_signature(build_signature_def(method_name="tensorflow/serving/predict"))
    False
    """
    if signature_def is None:
        return False
    method = signature_def.method_name
    if method == keys.PREDICT_METHOD_NAME:
        return bool(signature_def.inputs) and bool(signature_def.outputs)
    if method == keys.REGRESS_METHOD_NAME:
        return _has_only(signature_def.inputs, {keys.REGRESS_INPUTS: _STRING}) and _has_only(
            signature_def.outputs, {keys.REGRESS_OUTPUTS: _FLOAT}
        )
    if method == keys.CLASSIFY_METHOD_NAME:
        allowed = {keys.CLASSIFY_OUTPUT_CLASSES: _STRING, keys.CLASSIFY_OUTPUT_SCORES: _FLOAT}
        return (
            _has_only(signature_def.inputs, {keys.CLASSIFY_INPUTS: _STRING})
            and bool(signature_def.outputs)
            and all(allowed.get(k) == info.dtype for k, info in signature_def.outputs.items())
        )
    return False


def _has_only(infos, dtype_by_key: dict) -> bool:
    """``infos`` has exactly the keys of ``dtype_by_key``, each of its dtype."""
    return set(infos) == set(dtype_by_key) and all(
        infos[k].dtype == dtype for k, dtype in dtype_by_key.items()
    )


def op_signature_def(op, key: str) -> SignatureDef:
    """The signature TF's builder files an init or train op under (``outputs[key]``)."""
    return build_signature_def(outputs={key: build_tensor_info_from_op(op)})


def load_op_from_signature_def(signature_def, key: str, import_scope=None):
    """The op an ``op_signature_def`` names, in the default graph."""
    try:
        return get_element_from_tensor_info(signature_def.outputs[key], import_scope=import_scope)
    except KeyError:
        raise NotFoundError(
            None,
            None,
            f'The key "{key}" could not be found in the graph. Please make sure the '
            "SavedModel was created by the internal _SavedModelBuilder. If you are using "
            f"the public API, please make sure the SignatureDef in the SavedModel does not "
            f'contain the key "{key}".',
        ) from None
