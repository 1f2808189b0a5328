"""``GraphWidget``: a graph drawn in a notebook widget by the lab extension's renderer.

The stepper and the builder show their graph with it, so it pans, zooms, opens
groups, searches and has the side panel like any displayed graph. The kernel sets
``payload`` (a ``GraphView``'s ``to_json()``); the op a person selects in the
picture comes back as ``selected``. Its front end is registered by the lab
extension (``extension/src/plugin.ts``); other front ends show the text summary.
"""

from __future__ import annotations

import ipywidgets as widgets
from traitlets import Dict, Unicode

MODULE = "tfgraph-workbench-ext"
MODULE_VERSION = "^0.1.0"


class GraphWidget(widgets.DOMWidget):
    """A notebook widget drawing one payload.

    Examples
    --------
    >>> import runtime as tf
    >>> from workbench.view import GraphView
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     c = tf.constant(1.0, name="c")
    >>> widget = GraphWidget(payload=GraphView(g).to_json())
    >>> widget.payload["nodes"]["name"], widget.selected
    (['c'], '')
    """

    _model_name = Unicode("TFGraphModel").tag(sync=True)
    _model_module = Unicode(MODULE).tag(sync=True)
    _model_module_version = Unicode(MODULE_VERSION).tag(sync=True)
    _view_name = Unicode("TFGraphView").tag(sync=True)
    _view_module = Unicode(MODULE).tag(sync=True)
    _view_module_version = Unicode(MODULE_VERSION).tag(sync=True)
    payload = Dict(help="The graph to draw: a GraphView's to_json().").tag(sync=True)
    selected = Unicode("", help="The op selected in the picture ('' for none).").tag(sync=True)
