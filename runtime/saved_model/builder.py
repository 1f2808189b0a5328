"""``tf.saved_model.builder.SavedModelBuilder`` and ``simple_save``: write a SavedModel.

A SavedModel is a directory: ``saved_model.pb`` (a ``SavedModel`` message holding one
``MetaGraphDef`` per tag set, each with its signatures), ``variables/`` (one V2
checkpoint, the variables as ``add_meta_graph_and_variables`` found them) and
``assets/`` (copies of the files the ``assets_collection`` names). The meta graphs come
from the project's ``Saver.export_meta_graph``; the checkpoint from ``Saver.save``.
"""

from __future__ import annotations

import filecmp
import logging
import os
import shutil

from google.protobuf import text_format
from google.protobuf.any_pb2 import Any

from .. import dtypes
from ..default_graph import add_to_collection, get_collection
from ..files import atomic_write
from ..graph import Operation, Tensor
from ..graph_keys import GraphKeys
from ..proto import types_pb2
from ..proto.meta_graph_pb2 import AssetFileDef
from ..proto.saved_model_pb2 import SavedModel
from ..training.saver import Saver
from . import constants, signature_constants, tag_constants
from .signature_def_utils import predict_signature_def

__all__ = ["SavedModelBuilder", "simple_save"]

_logger = logging.getLogger("runtime")

# TF packs an AssetFileDef into the assets collection under TF's own message name; TF's
# readers check it, so the type URL is TF's, not this project's proto package's.
ASSET_TYPE_URL = "type.googleapis.com/tensorflow.AssetFileDef"


class SavedModelBuilder:
    """Builds a SavedModel in ``export_dir`` (which must be missing or empty).

    Examples
    --------
    >>> import os, tempfile, runtime as tf
    >>> export_dir = os.path.join(tempfile.mkdtemp(), "model")
    >>> with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
    ...     w = tf.Variable(2.0, name="w")
    ...     sess.run(w.initializer)
    ...     builder = SavedModelBuilder(export_dir)
    ...     builder.add_meta_graph_and_variables(sess, ["serve"])
    ...     path = builder.save()
    >>> sorted(os.listdir(export_dir)), os.path.basename(path)
    (['saved_model.pb', 'variables'], b'saved_model.pb')
    """

    def __init__(self, export_dir):
        self._export_dir = os.fspath(export_dir)
        self._saved_model = SavedModel(
            saved_model_schema_version=constants.SAVED_MODEL_SCHEMA_VERSION
        )
        if os.path.exists(self._export_dir):
            if os.listdir(self._export_dir):
                raise AssertionError(
                    f"Export directory {self._export_dir} already exists, and isn't empty. "
                    "Please choose a different export directory, or delete all the "
                    "contents of the specified directory."
                )
        else:
            os.makedirs(self._export_dir)
        self._has_saved_variables = False
        self._saved_asset_files: set = set()

    def add_meta_graph_and_variables(
        self,
        sess,
        tags,
        signature_def_map=None,
        assets_collection=None,
        legacy_init_op=None,
        clear_devices=False,
        main_op=None,
        strip_default_attrs=False,
        saver=None,
    ) -> None:
        """Save the variables of ``sess`` and add the graph's first meta graph.

        ``main_op`` (or ``legacy_init_op``) is what a loader runs after restoring, with
        the asset path tensors fed the assets' new paths.
        """
        if self._has_saved_variables:
            raise AssertionError(
                "Graph state including variables and assets has already been saved. "
                "Please invoke `add_meta_graph()` instead."
            )
        signature_def_map = _validated(signature_def_map)
        self._add_collections(assets_collection, main_op or legacy_init_op)
        variables_dir = os.path.join(self._export_dir, constants.VARIABLES_DIRECTORY)
        os.makedirs(variables_dir, exist_ok=True)
        saver = saver or _saver()
        saver.save(
            sess,
            os.path.join(variables_dir, constants.VARIABLES_FILENAME),
            write_meta_graph=False,
            write_state=False,
        )
        meta = saver.export_meta_graph(
            clear_devices=clear_devices, strip_default_attrs=strip_default_attrs
        )
        self._tag_and_add(meta, tags, signature_def_map)
        self._has_saved_variables = True

    def add_meta_graph(
        self,
        tags,
        signature_def_map=None,
        assets_collection=None,
        legacy_init_op=None,
        clear_devices=False,
        main_op=None,
        strip_default_attrs=False,
        saver=None,
    ) -> None:
        """Add another meta graph (another tag set) sharing the variables saved first."""
        if not self._has_saved_variables:
            raise AssertionError(
                "Graph state including variables and assets has not been saved yet. "
                "Please invoke `add_meta_graph_and_variables()` first."
            )
        signature_def_map = _validated(signature_def_map)
        self._add_collections(assets_collection, main_op if main_op is not None else legacy_init_op)
        saver = saver or _saver()
        meta = saver.export_meta_graph(
            clear_devices=clear_devices, strip_default_attrs=strip_default_attrs
        )
        self._tag_and_add(meta, tags, signature_def_map)

    def save(self, as_text=False) -> bytes:
        """Write ``saved_model.pb`` (or ``saved_model.pbtxt``); returns its path, as bytes
        as TF's."""
        os.makedirs(self._export_dir, exist_ok=True)
        if as_text:
            path = os.path.join(self._export_dir, constants.SAVED_MODEL_FILENAME_PBTXT)
            atomic_write(path, text_format.MessageToString(self._saved_model).encode())
        else:
            path = os.path.join(self._export_dir, constants.SAVED_MODEL_FILENAME_PB)
            atomic_write(path, self._saved_model.SerializeToString(deterministic=True))
        _logger.info("SavedModel written to: %s", path)
        return path.encode()

    def _add_collections(self, assets_collection, main_op) -> None:
        names = _asset_filenames(assets_collection)
        for filename, (tensor, _) in names.items():
            asset = AssetFileDef(filename=filename)
            asset.tensor_info.name = tensor.name
            packed = Any(type_url=ASSET_TYPE_URL, value=asset.SerializeToString())
            add_to_collection(constants.ASSETS_KEY, packed)
        self._copy_assets({filename: source for filename, (_, source) in names.items()})
        if main_op is not None:
            _add_main_op(main_op)

    def _copy_assets(self, sources: dict) -> None:
        if not sources:
            return
        assets_dir = os.path.join(self._export_dir, constants.ASSETS_DIRECTORY)
        os.makedirs(assets_dir, exist_ok=True)
        for filename, source in sources.items():
            target = os.path.join(assets_dir, filename)
            if (
                os.path.exists(source)
                and source != target
                and target not in self._saved_asset_files
            ):
                shutil.copyfile(source, target)
                self._saved_asset_files.add(target)

    def _tag_and_add(self, meta, tags, signature_def_map: dict) -> None:
        meta.meta_info_def.tags.extend(tags)
        for key, signature in signature_def_map.items():
            meta.signature_def[key].CopyFrom(signature)
        self._saved_model.meta_graphs.add().CopyFrom(meta)


def _saver() -> Saver:
    # TF's builder saves every saveable object, sharded, and allows a graph without any.
    return Saver(sharded=True, allow_empty=True)


def _validated(signature_def_map) -> dict:
    """``signature_def_map`` (``{}`` for none), checked as TF's builder checks it."""
    signature_def_map = signature_def_map or {}
    for signature in signature_def_map.values():
        for info in [*signature.inputs.values(), *signature.outputs.values()]:
            if info.WhichOneof("encoding") is None:
                raise AssertionError(
                    f"Invalid `tensor_info`: {info}. All TensorInfo protos used in the "
                    "SignatureDefs must have one of the 'encoding' fields (e.g., name or "
                    "coo_sparse) set."
                )
            if info.dtype == types_pb2.DT_INVALID:
                raise AssertionError(
                    f"Invalid `tensor_info`: {info}. All TensorInfo protos used in the "
                    "SignatureDefs must have the dtype field set."
                )
    for key in (constants.INIT_OP_SIGNATURE_KEY, constants.TRAIN_OP_SIGNATURE_KEY):
        if key in signature_def_map:
            raise KeyError(
                f'SignatureDef map key "{key}" is reserved for '
                f"{'initialization' if key == constants.INIT_OP_SIGNATURE_KEY else 'the train op'}"
                ". Please use a different key."
            )
    return signature_def_map


def _asset_filenames(assets_collection) -> dict:
    """``{filename under assets/: (path tensor, source path)}``; a second file of the same
    base name and other contents gets ``name_1``, as in TF."""
    names: dict = {}
    for tensor in assets_collection or ():
        source = _asset_path(tensor)
        filename = base = os.path.basename(source)
        suffix = 0
        while filename in names and not _same_file(names[filename][1], source):
            suffix += 1
            filename = f"{base}_{suffix}"
        names.setdefault(filename, (tensor, source))
    return names


def _same_file(a: str, b: str) -> bool:
    return a == b or filecmp.cmp(a, b, shallow=False)


def _asset_path(tensor) -> str:
    """The path a scalar string ``Const`` holds (TF's only kind of asset tensor)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"Asset path tensor {tensor} must be a Tensor.")
    if tensor.op.type != "Const":
        raise TypeError(
            f"Asset path tensor {tensor} must be of type constant.Has type {tensor.op.type} "
            "instead."
        )
    if tensor.dtype != dtypes.string:
        raise TypeError(
            f"Asset path tensor {tensor}` must be of dtype string.Has type {tensor.dtype} instead."
        )
    value = tensor.op.get_attr("value")
    if value.size != 1:
        raise TypeError(f"Asset path tensor {tensor} must be a scalar.")
    path = value.reshape(-1)[0]
    return path.decode() if isinstance(path, bytes) else str(path)


def _add_main_op(main_op) -> None:
    if not isinstance(main_op, Operation):
        raise TypeError(
            f"Expected {main_op} to be an Operation but got type {type(main_op)} instead."
        )
    for key in (constants.MAIN_OP_KEY, constants.LEGACY_INIT_OP_KEY):
        if get_collection(key):
            raise ValueError(
                f"Graph already contains one or more main ops under the collection {key}."
            )
    add_to_collection(constants.MAIN_OP_KEY, main_op)


def simple_save(session, export_dir, inputs, outputs, legacy_init_op=None) -> None:
    """Save ``session``'s model for serving: one meta graph tagged ``serve`` with a
    ``serving_default`` predict signature of ``inputs`` and ``outputs`` (``{key: Tensor}``).

    Examples
    --------
    >>> import os, tempfile, runtime as tf
    >>> export_dir = os.path.join(tempfile.mkdtemp(), "model")
    >>> with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
    ...     x = tf.compat.v1.placeholder(tf.float32, name="x")
    ...     simple_save(sess, export_dir, {"x": x}, {"y": x + 1.0})
    >>> sorted(os.listdir(export_dir))
    ['saved_model.pb', 'variables']
    """
    builder = SavedModelBuilder(export_dir)
    builder.add_meta_graph_and_variables(
        session,
        tags=[tag_constants.SERVING],
        signature_def_map={
            signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY: predict_signature_def(
                inputs, outputs
            )
        },
        assets_collection=get_collection(GraphKeys.ASSET_FILEPATHS),
        main_op=legacy_init_op,
        clear_devices=True,
    )
    builder.save()
