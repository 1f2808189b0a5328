"""``tf.saved_model.loader``: load a SavedModel's meta graph into a session.

``load`` picks the meta graph whose tags are exactly the ones asked for, imports it
(``import_meta_graph``), restores the variables from ``variables/variables`` and runs
the init op (``main_op``/``legacy_init_op``) with each asset's path tensor fed the
asset's path under this export's ``assets/``.
"""

from __future__ import annotations

import logging
import os

from google.protobuf import message as _message
from google.protobuf import text_format

from ..default_graph import get_collection
from ..graph_keys import GraphKeys
from ..proto.meta_graph_pb2 import AssetFileDef
from ..proto.saved_model_pb2 import SavedModel
from ..training.meta_graph import import_meta_graph
from ..training.saver import Saver
from . import constants
from .signature_def_utils import load_op_from_signature_def

__all__ = ["contains_saved_model", "load", "maybe_saved_model_directory"]

_logger = logging.getLogger("runtime")


def maybe_saved_model_directory(export_dir) -> bool:
    """Whether ``export_dir`` holds a ``saved_model.pb`` or ``saved_model.pbtxt``.

    Examples
    --------
    >>> import tempfile
    >>> maybe_saved_model_directory(tempfile.mkdtemp())
    False
    """
    return any(
        os.path.exists(os.path.join(os.fspath(export_dir), name))
        for name in (constants.SAVED_MODEL_FILENAME_PBTXT, constants.SAVED_MODEL_FILENAME_PB)
    )


contains_saved_model = maybe_saved_model_directory


def parse_saved_model(export_dir) -> SavedModel:
    """The ``SavedModel`` message of ``export_dir`` (binary, else text).

    Raises ``OSError`` as TF's: for a missing file, and (from the ``DecodeError``) for
    one that does not parse.

    Examples
    --------
    >>> import tempfile
    >>> parse_saved_model(tempfile.mkdtemp())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    OSError: SavedModel file does not exist at: .../{saved_model.pbtxt|saved_model.pb}
    """
    export_dir = os.fspath(export_dir)
    # TF joins the paths as bytes and so names them as bytes in its messages.
    path_to_pb = os.path.join(export_dir, constants.SAVED_MODEL_FILENAME_PB).encode()
    path_to_pbtxt = os.path.join(export_dir, constants.SAVED_MODEL_FILENAME_PBTXT).encode()
    saved_model = SavedModel()
    if os.path.exists(path_to_pb):
        with open(path_to_pb, "rb") as file:
            try:
                saved_model.ParseFromString(file.read())
            except _message.DecodeError as err:
                raise OSError(f"Cannot parse file {path_to_pb}: {err}.") from err
    elif os.path.exists(path_to_pbtxt):
        with open(path_to_pbtxt, "rb") as file:
            try:
                text_format.Parse(file.read().decode("utf-8"), saved_model)
            except text_format.ParseError as err:
                raise OSError(f"Cannot parse file {path_to_pbtxt}: {err}.") from err
    else:
        raise OSError(
            f"SavedModel file does not exist at: {export_dir}{os.path.sep}"
            f"{{{constants.SAVED_MODEL_FILENAME_PBTXT}|{constants.SAVED_MODEL_FILENAME_PB}}}"
        )
    return saved_model


def meta_graph_def_from_tags(saved_model: SavedModel, tags):
    """The meta graph whose tag set is ``set(tags)``; ``RuntimeError`` (TF's words) if
    none is."""
    available = []
    for meta in saved_model.meta_graphs:
        available.append(set(meta.meta_info_def.tags))
        if set(meta.meta_info_def.tags) == set(tags):
            return meta
    raise RuntimeError(
        f"MetaGraphDef associated with tags {str(tags).strip('[]')} could not be found in "
        f"SavedModel, with available tags '{available}'. To inspect available tag-sets in "
        "the SavedModel, please use the SavedModel CLI: `saved_model_cli`."
    )


def asset_tensors(export_dir, meta, import_scope=None) -> dict:
    """``{asset path tensor name: its file under export_dir/assets}``, from the meta
    graph's ``asset_file_def`` (TF2's builder) or its ``saved_model_assets`` collection."""
    protos = list(meta.asset_file_def)
    if not protos and constants.ASSETS_KEY in meta.collection_def:
        # Packed under TF's message name: parsed from the bytes whatever the type URL says.
        packed = meta.collection_def[constants.ASSETS_KEY].any_list.value
        protos = [AssetFileDef.FromString(item.value) for item in packed]
    assets_dir = os.path.join(os.fspath(export_dir), constants.ASSETS_DIRECTORY)
    found = {}
    for asset in protos:
        name = asset.tensor_info.name
        found[f"{import_scope}/{name}" if import_scope else name] = os.path.join(
            assets_dir, asset.filename
        )
    return found


def _init_op(meta, import_scope):
    """TF's order: the init-op signature, then the main op, then the legacy init op."""
    if constants.INIT_OP_SIGNATURE_KEY in meta.signature_def:
        signature = meta.signature_def[constants.INIT_OP_SIGNATURE_KEY]
        return load_op_from_signature_def(signature, constants.INIT_OP_SIGNATURE_KEY, import_scope)
    for key in (constants.MAIN_OP_KEY, constants.LEGACY_INIT_OP_KEY):
        if key in meta.collection_def:
            names = meta.collection_def[key].node_list.value
            if len(names) != 1:
                raise RuntimeError(
                    f"Expected exactly one SavedModel init op. Found {len(names)}: {names}."
                )
            # As TF: the graph's collection, whatever the import scope.
            return get_collection(key)[0]
    return None


def load(sess, tags, export_dir, import_scope=None, **saver_kwargs):
    """Load the meta graph of ``export_dir`` tagged ``tags`` into ``sess``'s graph,
    restore its variables and run its init op; returns the ``MetaGraphDef``.

    Examples
    --------
    >>> import os, tempfile, runtime as tf
    >>> export_dir = os.path.join(tempfile.mkdtemp(), "model")
    >>> with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
    ...     w = tf.Variable(3.0, name="w")
    ...     sess.run(w.initializer)
    ...     tf.compat.v1.saved_model.simple_save(sess, export_dir, {"w": w}, {"y": w * 2.0})
    >>> with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
    ...     meta = load(sess, ["serve"], export_dir)
    ...     y = meta.signature_def["serving_default"].outputs["y"].name
    ...     print(y, sess.run(y))
    mul:0 6.0
    """
    saved_model = parse_saved_model(export_dir)
    meta = meta_graph_def_from_tags(saved_model, tags)
    with sess.graph.as_default():
        saver = import_meta_graph(meta, import_scope=import_scope, **saver_kwargs)
        if isinstance(saver, Saver):
            variables = os.path.join(
                os.fspath(export_dir), constants.VARIABLES_DIRECTORY, constants.VARIABLES_FILENAME
            )
            saver.restore(sess, variables)
        elif get_collection(GraphKeys.GLOBAL_VARIABLES, import_scope):
            raise ValueError(
                "No tf.train.Saver object was passed to the function "
                "`SavedModelLoader.restore_variables`. Since there are variables in the "
                "graph, a saver is required."
            )
        else:
            _logger.info("The specified SavedModel has no variables; no checkpoints were restored.")
        init_op = _init_op(meta, import_scope)
        if init_op is not None:
            sess.run([init_op], feed_dict=asset_tensors(export_dir, meta, import_scope))
    return meta
