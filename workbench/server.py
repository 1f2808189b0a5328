"""Open TensorFlow graph files from JupyterLab's file browser: a server extension.

The lab extension reads a ``.pb``/``.pbtxt`` file the user opens and posts its bytes
here (``POST /tfgraph/graphdef``, ``{"content": base64}``); the answer is the
``GraphView`` payload of the graph in it, which the extension draws. The graph is
parsed by :func:`runtime.graph_io.load_graph` (nothing in the file runs); a file that
is not a GraphDef answers 400 with TensorFlow's message.
"""

from __future__ import annotations

import base64
import binascii
import json
import tempfile
from pathlib import Path

import tornado
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from runtime.errors import OpError

ROUTE = "tfgraph/graphdef"


def graph_payload(data: bytes) -> dict:
    """The payload of the GraphDef in ``data``: binary (``.pb``), else text (``.pbtxt``).

    Examples
    --------
    >>> payload = graph_payload(b'node { name: "two" op: "Const" attr { key: "dtype" '
    ...     b'value { type: DT_FLOAT } } attr { key: "value" value { tensor { dtype: DT_FLOAT '
    ...     b'tensor_shape {} float_val: 2 } } } }')
    >>> payload["nodes"]["name"]
    ['two']
    """
    from runtime.graph_io import load_graph

    from .view import GraphView

    with tempfile.TemporaryDirectory() as folder:
        errors = []
        for suffix in (".pb", ".pbtxt"):
            path = Path(folder, f"graph{suffix}")
            path.write_bytes(data)
            try:
                return GraphView(load_graph(str(path))).to_json()
            except OpError as err:
                errors.append(f"as {suffix}: {err.message}")
    raise ValueError("Not a GraphDef: " + "; ".join(errors))


class GraphDefHandler(APIHandler):
    """``POST {"content": base64}`` -> the graph's payload, or 400 saying why not."""

    @tornado.web.authenticated
    def post(self):
        try:
            content = self.get_json_body().get("content", "")
            # The contents API writes base64 in lines of 76 characters.
            data = base64.b64decode("".join(content.split()), validate=True)
            self.finish(json.dumps(graph_payload(data)))
        except (ValueError, binascii.Error, AttributeError) as err:
            self.set_status(400)
            self.finish(json.dumps({"message": str(err)}))


def _load_jupyter_server_extension(serverapp) -> None:
    """Called by Jupyter Server with the extension enabled (``workbench``)."""
    web = serverapp.web_app
    route = url_path_join(web.settings["base_url"], ROUTE)
    web.add_handlers(".*$", [(route, GraphDefHandler)])
