"""Meta graphs: ``export_meta_graph`` and ``import_meta_graph`` (``.meta`` files).

A ``MetaGraphDef`` (``runtime/proto/meta_graph.proto``, TF's field numbers) holds the
graph, its collections and the ``SaverDef`` of its saver, so a trained model comes back
in a fresh process with everything a TF1 program looks up::

    saver = tf.train.import_meta_graph("model.ckpt-100.meta")
    saver.restore(sess, "model.ckpt-100")
    train_op = tf.get_collection("train_op")[0]

Collections are encoded as TF encodes them: tensors and ops by name (``node_list``);
variables, savers and queue runners as ``VariableDef``/``SaverDef``/``QueueRunnerDef``
bytes; the contexts of TF1 conds and loops as ``CondContextDef``/``WhileContextDef``
bytes, rebuilt on import so that gradients pass through the imported conds and loops;
numbers and strings as themselves. What cannot be encoded (Python objects of
other kinds, this runtime's private collections) is left out with a warning, as TF
leaves it. Files are written binary or as text, and read either way.
"""

from __future__ import annotations

import logging
import numbers
import os
import re

from google.protobuf import message as _message
from google.protobuf import text_format
from google.protobuf.any_pb2 import Any

from .. import protobuf
from ..errors import error_code_from_exception_type, exception_type_from_error_code
from ..files import atomic_write
from ..graph import Operation, Tensor, get_default_graph
from ..graph_keys import GraphKeys
from ..importer import import_graph_def
from ..ops.control_flow_v1 import CondContext, WhileContext
from ..ops.data_flow_ops import QueueBase
from ..ops.variables import Variable
from ..proto import graph_pb2
from ..proto.meta_graph_pb2 import (
    CollectionDef,
    CondContextDef,
    ControlFlowContextDef,
    MetaGraphDef,
    QueueRunnerDef,
    ValuesDef,
    VariableDef,
    WhileContextDef,
)
from ..proto.saver_pb2 import SaverDef
from .queue_runner import QueueRunner
from .saver import Saver

__all__ = ["MetaGraphDef", "export_meta_graph", "import_meta_graph", "read_meta_graph_file"]

_logger = logging.getLogger("runtime")

# The collections whose items are variables, encoded as VariableDefs (TF registers these).
_VARIABLE_COLLECTIONS = (
    GraphKeys.GLOBAL_VARIABLES,
    GraphKeys.TRAINABLE_VARIABLES,
    GraphKeys.MOVING_AVERAGE_VARIABLES,
    GraphKeys.LOCAL_VARIABLES,
    GraphKeys.MODEL_VARIABLES,
    GraphKeys.GLOBAL_STEP,
    GraphKeys.METRIC_VARIABLES,
)

# TF1's control-flow contexts, as CondContextDef/WhileContextDef bytes.
_CONTEXT_COLLECTIONS = {GraphKeys.COND_CONTEXT: CondContext, GraphKeys.WHILE_CONTEXT: WhileContext}


# -- names under a scope ----------------------------------------------------------------


def _strip(name: str, scope: str | None) -> str:
    """``name`` less the leading ``scope/`` (a leading ``^`` of a control input is kept)."""
    if not scope:
        return name
    control = name.startswith("^")
    bare = name[1:] if control else name
    if bare.startswith(f"{scope}/"):
        bare = bare[len(scope) + 1 :]
    return f"^{bare}" if control else bare


def _prepend(name: str, scope: str | None) -> str:
    return f"{scope}/{name}" if scope else name


# -- export -------------------------------------------------------------------------------


def export_meta_graph(
    filename=None,
    meta_info_def=None,
    graph_def=None,
    saver_def=None,
    collection_list=None,
    as_text=False,
    graph=None,
    export_scope=None,
    clear_devices=False,
    clear_extraneous_savers=False,
    strip_default_attrs=False,
    save_debug_info=False,
    **kwargs,
) -> MetaGraphDef:
    """The ``MetaGraphDef`` of ``graph`` (default graph); written to ``filename`` if given.

    Parameters
    ----------
    filename : str, optional
        Written atomically; binary unless ``as_text``.
    meta_info_def : MetaGraphDef.MetaInfoDef, optional
    graph_def : GraphDef, optional
        Default: the graph's, with shapes.
    saver_def : SaverDef, optional
        Written as the meta graph's ``saver_def`` (as in TF, none is taken from the graph's
        savers: ``Saver.export_meta_graph`` passes its own).
    collection_list : list of str, optional
        The collections to export (default: all).
    export_scope : str, optional
        Export only the ops under this name scope, with the scope taken off their names.
    clear_devices : bool
        Drop the ops' device assignments.
    clear_extraneous_savers : bool
        Keep only the saver of ``saver_def`` in the ``savers`` collection.

    Examples
    --------
    >>> import runtime as tf
    >>> with tf.Graph().as_default() as g:
    ...     w = tf.Variable(1.0, name="w")
    ...     g.add_to_collection("losses", tf.square(w, name="loss"))
    ...     meta = export_meta_graph()
    >>> sorted(meta.collection_def), list(meta.collection_def["losses"].node_list.value)
    (['losses', 'trainable_variables', 'variables'], ['loss:0'])
    """
    graph = graph if graph is not None else get_default_graph()
    meta = MetaGraphDef()
    if meta_info_def is not None:
        meta.meta_info_def.CopyFrom(meta_info_def)
    meta.meta_info_def.stripped_default_attrs = bool(strip_default_attrs)
    if graph_def is None:
        graph_def = graph.as_graph_def(add_shapes=True)
    graph_message = (
        graph_def if isinstance(graph_def, _message.Message) else protobuf.to_proto(graph_def)
    )
    meta.graph_def.CopyFrom(graph_message)
    if export_scope:
        _keep_scope(meta.graph_def, export_scope)
    if clear_devices:
        for node in meta.graph_def.node:
            node.device = ""
    if saver_def is not None:
        meta.saver_def.CopyFrom(_scoped_saver_def(saver_def, export_scope, _strip))
    keys = graph.get_all_collection_keys() if collection_list is None else collection_list
    for key in sorted(k for k in keys if isinstance(k, str)):
        items = graph.get_collection(key, export_scope)
        if key == GraphKeys.SAVERS and clear_extraneous_savers and saver_def is not None:
            items = [s for s in items if s.saver_def == saver_def]
        encoded = _encode_collection(key, items, export_scope)
        if encoded is not None:
            meta.collection_def[key].CopyFrom(encoded)
    if filename:
        _write(meta, os.fspath(filename), as_text)
    return meta


def _keep_scope(graph_def, scope: str) -> None:
    """Keep only the nodes under ``scope``, renamed without it."""
    prefix = f"{scope}/"
    kept = [node for node in graph_def.node if node.name.startswith(prefix)]
    for node in kept:
        for index, name in enumerate(node.input):
            if not name.lstrip("^").startswith(prefix):
                raise ValueError(
                    f"Cannot export the scope '{scope}': its op '{node.name}' reads "
                    f"'{name}', which is outside it."
                )
            node.input[index] = _strip(name, scope)
        node.name = node.name[len(prefix) :]
        if "_class" in node.attr:
            _keep_colocations(node.attr["_class"].list.s, scope)
    del graph_def.node[:]
    graph_def.node.extend(kept)


def _keep_colocations(groups, scope: str) -> None:
    """The colocation groups (``loc:@name``) under ``scope``, renamed without it; TF drops
    the others (a graph naming an op it lacks does not import)."""
    names = [group.decode()[len("loc:@") :] for group in groups]
    groups[:] = [f"loc:@{_strip(n, scope)}".encode() for n in names if n.startswith(f"{scope}/")]


def _scoped_saver_def(saver_def, scope, rename) -> SaverDef:
    scoped = SaverDef()
    scoped.CopyFrom(saver_def)
    scoped.filename_tensor_name = rename(saver_def.filename_tensor_name, scope)
    scoped.save_tensor_name = rename(saver_def.save_tensor_name, scope)
    scoped.restore_op_name = rename(saver_def.restore_op_name, scope)
    return scoped


def _encode_collection(key: str, items: list, scope) -> CollectionDef | None:
    """The ``CollectionDef`` of ``items``; ``None`` (and a warning) when TF could not
    encode them either."""
    encoded = CollectionDef()
    if not items:
        return None
    if all(isinstance(x, Tensor | Operation) for x in items):
        encoded.node_list.value.extend(_strip(x.name, scope) for x in items)
    elif key in _VARIABLE_COLLECTIONS and all(isinstance(x, Variable) for x in items):
        encoded.bytes_list.value.extend(_variable_def(x, scope) for x in items)
    elif key == GraphKeys.SAVERS and all(isinstance(x, Saver) for x in items):
        defs = [_scoped_saver_def(x.saver_def, scope, _strip) for x in items if x.saver_def]
        encoded.bytes_list.value.extend(d.SerializeToString() for d in defs)
    elif key == GraphKeys.QUEUE_RUNNERS and all(isinstance(x, QueueRunner) for x in items):
        encoded.bytes_list.value.extend(_queue_runner_def(x, scope) for x in items)
    elif key in _CONTEXT_COLLECTIONS and all(
        isinstance(x, _CONTEXT_COLLECTIONS[key]) for x in items
    ):
        encoded.bytes_list.value.extend(_context_def(x, scope).SerializeToString() for x in items)
    elif all(isinstance(x, Any) for x in items):  # a SavedModel's packed AssetFileDefs
        encoded.any_list.value.extend(items)
    elif all(isinstance(x, numbers.Integral) and not isinstance(x, bool) for x in items):
        encoded.int64_list.value.extend(int(x) for x in items)
    elif all(isinstance(x, numbers.Real) and not isinstance(x, bool) for x in items):
        encoded.float_list.value.extend(float(x) for x in items)
    elif all(isinstance(x, str | bytes) for x in items):
        encoded.bytes_list.value.extend(x.encode() if isinstance(x, str) else x for x in items)
    else:
        _logger.warning(
            "Issue encountered when serializing %s. Type is unsupported, or the types of the "
            "items don't match field type in CollectionDef.",
            key,
        )
        return None
    return encoded


def _variable_def(var: Variable, scope) -> bytes:
    return VariableDef(
        variable_name=_strip(var.name, scope),
        initial_value_name=_strip(var.initial_value.name, scope),
        initializer_name=_strip(var.initializer.name, scope),
        snapshot_name=_strip(var.value().name, scope),
        trainable=var.trainable,
    ).SerializeToString()


def _queue_runner_def(runner: QueueRunner, scope) -> bytes:
    return QueueRunnerDef(
        queue_name=_strip(runner.queue.name, scope),
        enqueue_op_name=[_strip(op.name, scope) for op in runner.enqueue_ops],
        close_op_name=_strip(runner.close_op.name, scope),
        cancel_op_name=_strip(runner.cancel_op.name, scope),
        queue_closed_exception_types=[
            error_code_from_exception_type(t) for t in runner.queue_closed_exception_types
        ],
    ).SerializeToString()


def _context_def(context, scope) -> CondContextDef | WhileContextDef:
    """TF's ``CondContext.to_proto``/``WhileContext.to_proto``: the context's pivots and
    values by name, with the contexts nested in it."""
    values = ValuesDef(values=sorted(_strip(t.name, scope) for t in context.values))
    for outside, inside in context.external_values.items():
        values.external_values[_strip(outside.name, scope)] = _strip(inside.name, scope)
    nested = [_nested_context_def(c, scope) for c in context.nested_contexts]
    if isinstance(context, CondContext):
        return CondContextDef(
            context_name=_strip(context.name, scope),
            pred_name=_strip(context.pred.name, scope),
            pivot_name=_strip(context.pivot.name, scope),
            branch=context.branch,
            values_def=values,
            nested_contexts=nested,
        )
    limit = context.maximum_iterations
    return WhileContextDef(
        context_name=_strip(context.name, scope),
        parallel_iterations=context.parallel_iterations,
        back_prop=context.back_prop,
        pivot_name=_strip(context.pivot.name, scope),
        pivot_for_pred_name=_strip(context.pivot_for_pred.name, scope),
        pivot_for_body_name=_strip(context.pivot_for_body.name, scope),
        loop_exit_names=[_strip(t.name, scope) for t in context.loop_exits],
        loop_enter_names=[_strip(t.name, scope) for t in context.loop_enters],
        values_def=values,
        maximum_iterations_name="" if limit is None else _strip(limit.name, scope),
        nested_contexts=nested,
    )


def _nested_context_def(context, scope) -> ControlFlowContextDef:
    if isinstance(context, CondContext):
        return ControlFlowContextDef(cond_ctxt=_context_def(context, scope))
    return ControlFlowContextDef(while_ctxt=_context_def(context, scope))


def _write(meta: MetaGraphDef, path: str, as_text: bool) -> None:
    data = text_format.MessageToString(meta).encode() if as_text else meta.SerializeToString()
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    atomic_write(path, data)


# -- import -------------------------------------------------------------------------------


def read_meta_graph_file(filename) -> MetaGraphDef:
    """The ``MetaGraphDef`` in ``filename``, binary or text.

    Raises ``OSError`` when the file is missing or is neither.
    """
    filename = os.fspath(filename)
    if not os.path.exists(filename):
        raise OSError(f"File does not exist. Received: {filename}.")
    with open(filename, "rb") as file:
        data = file.read()
    meta = MetaGraphDef()
    try:
        meta.ParseFromString(data)
        return meta
    except _message.DecodeError:
        pass
    try:
        # TF's text names fields our trimmed messages leave out (``OpDef.attr`` in the
        # stripped op list): skipped, as the binary parse skips them.
        text_format.Merge(data.decode("utf-8"), meta, allow_unknown_field=True)
    except (UnicodeDecodeError, text_format.ParseError) as err:
        raise OSError(f"Cannot parse file {filename}: {err}.") from None
    return meta


def import_meta_graph(
    meta_graph_or_file,
    clear_devices=False,
    import_scope=None,
    input_map=None,
    restore_collections_predicate=lambda key: True,
    **kwargs,
):
    """Import a meta graph (a ``MetaGraphDef`` or a ``.meta`` file) into the default graph.

    The ops come back with their names (under ``import_scope`` when given), the
    collections with their items (variables as ``Variable`` objects, savers as
    ``Saver``\\ s), and the return value is a ``Saver`` built from the meta graph's
    ``SaverDef`` (``None`` when there is nothing to restore). ``input_map`` replaces
    tensors of the meta graph (by their names there) with tensors of this graph, as in
    ``import_graph_def``; only the collections ``restore_collections_predicate(key)``
    accepts come back.

    Examples
    --------
    >>> import os, tempfile, runtime as tf
    >>> d = tempfile.mkdtemp()
    >>> with tf.Graph().as_default() as g:
    ...     w = tf.Variable(3.0, name="w")
    ...     g.add_to_collection("train_op", w.assign_add(1.0).op)
    ...     saver = tf.compat.v1.train.Saver()
    ...     with tf.compat.v1.Session() as sess:
    ...         sess.run(w.initializer)
    ...         path = saver.save(sess, os.path.join(d, "model"))
    >>> with tf.Graph().as_default() as g:
    ...     restorer = import_meta_graph(path + ".meta")
    ...     with tf.compat.v1.Session() as sess:
    ...         restorer.restore(sess, path)
    ...         print(sess.run(g.get_collection("train_op")[0].outputs[0]))
    4.0
    """
    if isinstance(meta_graph_or_file, MetaGraphDef):
        meta = meta_graph_or_file
    else:
        meta = read_meta_graph_file(meta_graph_or_file)
    graph = get_default_graph()
    graph_message = graph_pb2.GraphDef()
    graph_message.CopyFrom(meta.graph_def)
    if clear_devices:
        for node in graph_message.node:
            node.device = ""
    # The scope the ops land under: ``imp_1`` when an ``imp`` is there already (TF's rule).
    scope = graph.unique_name(import_scope, mark_as_used=False) if import_scope else None
    import_graph_def(protobuf.from_proto(graph_message), input_map, name=import_scope or "")
    _restore_collections(graph, meta, scope, restore_collections_predicate)
    if meta.HasField("saver_def"):
        return Saver(saver_def=_scoped_saver_def(meta.saver_def, scope, _prepend))
    if graph.get_collection(GraphKeys.GLOBAL_VARIABLES, scope):
        return Saver()
    _logger.info("Saver not created because there are no variables in the graph to restore")
    return None


def _restore_collections(graph, meta: MetaGraphDef, scope, predicate) -> None:
    """Add the meta graph's collections ``predicate`` accepts to ``graph`` (each variable
    as one object)."""
    variables: dict = {}  # VariableDef bytes -> Variable, one object per variable
    for key, collection in sorted(meta.collection_def.items()):
        if not predicate(key):
            continue
        kind = collection.WhichOneof("kind")
        if kind is None:
            _logger.error("Cannot identify data type for collection %s. Skipping.", key)
            continue
        for item in _decode_collection(graph, key, collection, kind, scope, variables):
            graph.add_to_collection(key, item)


def _decode_collection(graph, key, collection, kind, scope, variables) -> list:
    values = getattr(collection, kind).value
    if kind == "node_list":
        return [graph.as_graph_element(_prepend(name, scope)) for name in values]
    if kind == "int64_list":
        return [int(v) for v in values]
    if kind != "bytes_list":
        return list(values)
    if key in _VARIABLE_COLLECTIONS:
        found = []
        for data in values:
            if data not in variables:
                variables[data] = _variable_from_def(graph, VariableDef.FromString(data), scope)
            found.append(variables[data])
        return found
    if key == GraphKeys.SAVERS:
        return [
            Saver(saver_def=_scoped_saver_def(SaverDef.FromString(data), scope, _prepend))
            for data in values
        ]
    if key == GraphKeys.QUEUE_RUNNERS:
        return [_queue_runner_from_def(graph, QueueRunnerDef.FromString(d), scope) for d in values]
    if key in _CONTEXT_COLLECTIONS:
        kind = CondContextDef if key == GraphKeys.COND_CONTEXT else WhileContextDef
        return [_context_from_def(graph, kind.FromString(data), scope) for data in values]
    if not scope:
        return list(values)
    # TF takes other strings for names: under an import scope they come back as ``str``
    # with the scope put in front (``b"hello"`` -> ``"imp/hello"``).
    return [_prepend_text(value, scope) for value in values]


def _prepend_text(value: bytes, scope: str) -> str:
    """TF's ``prepend_name_scope`` of a collection's string (``^``/``loc:@`` kept first)."""
    return re.sub(r"([\^]|loc:@|^)(.*)", rf"\1{scope}/\2", value.decode())


def _context_from_def(graph, proto, scope):
    """TF's ``CondContext.from_proto``/``WhileContext.from_proto``: the context rebuilt
    around the imported ops (each op of its values put back in it), then the contexts
    nested in it, inside it."""

    def element(name):
        return graph.as_graph_element(_prepend(name, scope))

    context = _bare_context(graph, proto, element)
    context.name = _prepend(proto.context_name, scope)
    external = {
        element(outside): element(inside)
        for outside, inside in proto.values_def.external_values.items()
    }
    context.restore_values([element(n) for n in proto.values_def.values], external)
    if scope and isinstance(context, WhileContext):
        # The loop's frame is named for the context, which the import scope renamed.
        for tensor in context.values:
            if tensor.op.type in ("Enter", "RefEnter"):
                tensor.op._attrs["frame_name"] = context.name
    with context.entered():
        for nested in proto.nested_contexts:
            _context_from_def(graph, getattr(nested, nested.WhichOneof("ctxt")), scope)
    return context


def _bare_context(graph, proto, element):
    """The context of ``proto`` with its pivots (``element`` finds them by name)."""
    if isinstance(proto, CondContextDef):
        return CondContext(element(proto.pred_name), element(proto.pivot_name), proto.branch)
    limit = proto.maximum_iterations_name
    context = WhileContext(
        graph, proto.parallel_iterations, proto.back_prop, element(limit) if limit else None
    )
    context.pivot = element(proto.pivot_name)
    context.pivot_for_pred = element(proto.pivot_for_pred_name)
    context.pivot_for_body = element(proto.pivot_for_body_name)
    context.loop_exits = [element(n) for n in proto.loop_exit_names]
    context.loop_enters = [element(n) for n in proto.loop_enter_names]
    return context


def _variable_from_def(graph, proto: VariableDef, scope) -> Variable:
    def element(name):
        return graph.as_graph_element(_prepend(name, scope))

    initial_value = element(proto.initial_value_name) if proto.initial_value_name else None
    return Variable._from_existing_ops(
        element(proto.variable_name),
        element(proto.initializer_name),
        element(proto.snapshot_name),
        initial_value,
        trainable=proto.trainable,
    )


def _queue_runner_from_def(graph, proto: QueueRunnerDef, scope) -> QueueRunner:
    queue_op = graph.get_operation_by_name(_prepend(proto.queue_name, scope))
    queue = QueueBase(list(queue_op.get_attr("component_types")), None, None, queue_op.outputs[0])
    return QueueRunner(
        queue,
        [graph.get_operation_by_name(_prepend(n, scope)) for n in proto.enqueue_op_name],
        close_op=graph.get_operation_by_name(_prepend(proto.close_op_name, scope)),
        cancel_op=graph.get_operation_by_name(_prepend(proto.cancel_op_name, scope)),
        queue_closed_exception_types=tuple(
            exception_type_from_error_code(code) for code in proto.queue_closed_exception_types
        )
        or None,
    )
