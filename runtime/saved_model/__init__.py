"""``tf.compat.v1.saved_model``: TF1's SavedModel, the export format of TF Serving.

Write with ``simple_save`` or ``builder.SavedModelBuilder``, read with
``loader.load``; signatures come from ``signature_def_utils``, tensor infos from
``utils``. The directory layout and messages are TF's (``runtime/proto/saved_model.proto``),
so TF 2.21 loads what this writes and the other way round. TF2's object-based
``save``/``load`` (of ``tf.Module``\\ s and ``tf.function``\\ s) is not here.

Examples
--------
>>> import os, tempfile, runtime as tf
>>> export_dir = os.path.join(tempfile.mkdtemp(), "model")
>>> with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
...     x = tf.compat.v1.placeholder(tf.float32, name="x")
...     tf.saved_model.simple_save(sess, export_dir, {"x": x}, {"y": x * 3.0})
>>> with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
...     meta = tf.saved_model.loader.load(sess, [tf.saved_model.SERVING], export_dir)
...     signature = meta.signature_def[tf.saved_model.DEFAULT_SERVING_SIGNATURE_DEF_KEY]
...     print(sess.run(signature.outputs["y"].name, {signature.inputs["x"].name: 2.0}))
6.0
"""

from . import (
    builder,
    constants,
    loader,
    main_op,
    signature_constants,
    signature_def_utils,
    tag_constants,
    utils,
)
from .builder import SavedModelBuilder as Builder
from .builder import simple_save
from .constants import (
    ASSETS_DIRECTORY,
    ASSETS_KEY,
    DEBUG_DIRECTORY,
    DEBUG_INFO_FILENAME_PB,
    LEGACY_INIT_OP_KEY,
    MAIN_OP_KEY,
    SAVED_MODEL_FILENAME_PB,
    SAVED_MODEL_FILENAME_PBTXT,
    SAVED_MODEL_SCHEMA_VERSION,
    VARIABLES_DIRECTORY,
    VARIABLES_FILENAME,
)
from .loader import contains_saved_model, load, maybe_saved_model_directory
from .main_op import main_op_with_restore
from .signature_constants import (
    CLASSIFY_INPUTS,
    CLASSIFY_METHOD_NAME,
    CLASSIFY_OUTPUT_CLASSES,
    CLASSIFY_OUTPUT_SCORES,
    DEFAULT_SERVING_SIGNATURE_DEF_KEY,
    PREDICT_INPUTS,
    PREDICT_METHOD_NAME,
    PREDICT_OUTPUTS,
    REGRESS_INPUTS,
    REGRESS_METHOD_NAME,
    REGRESS_OUTPUTS,
)
from .signature_def_utils import (
    build_signature_def,
    classification_signature_def,
    is_valid_signature,
    predict_signature_def,
    regression_signature_def,
)
from .tag_constants import GPU, SERVING, TPU, TRAINING
from .utils import build_tensor_info, get_tensor_from_tensor_info
