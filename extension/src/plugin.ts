/**
 * The notebook widget that shows a graph with the extension's renderer: the
 * stepper's and the builder's picture (workbench/graph_widget.py is its kernel
 * side). The kernel sets `payload`; a person's selection comes back as `selected`.
 */

import { DOMWidgetModel, DOMWidgetView, IJupyterWidgetRegistry } from '@jupyter-widgets/base';

import { TFGraphWidget } from './widget';

/** The widget module's name and version, as the kernel side names them. */
export const MODULE_NAME = 'tfgraph-workbench-ext';
export const MODULE_VERSION = '0.1.0';

/** The synced state: the payload to draw and the op selected in it ('' for none). */
export class TFGraphModel extends DOMWidgetModel {
  defaults(): Backbone.ObjectHash {
    return {
      ...super.defaults(),
      _model_name: 'TFGraphModel',
      _model_module: MODULE_NAME,
      _model_module_version: MODULE_VERSION,
      _view_name: 'TFGraphView',
      _view_module: MODULE_NAME,
      _view_module_version: MODULE_VERSION,
      payload: null,
      selected: ''
    };
  }
}

/** Draws the model's payload; redraws keep what a person opened, selected and panned. */
export class TFGraphView extends DOMWidgetView {
  render(): void {
    this._graph = new TFGraphWidget();
    this.el.classList.add('tfgraph-widget');
    this.el.appendChild(this._graph.node);
    this._graph.selectionChanged = name => {
      this.model.set('selected', name ?? '');
      this.touch();
    };
    this.listenTo(this.model, 'change:payload', () => void this._show());
    void this._show();
  }

  private async _show(): Promise<void> {
    await this._graph!.draw(this.model.get('payload'));
  }

  private _graph: TFGraphWidget | null = null;
}

/** Registers the widget with ipywidgets' registry when JupyterLab starts. */
const plugin = {
  id: 'tfgraph-workbench-ext:widget',
  requires: [IJupyterWidgetRegistry],
  autoStart: true,
  activate: (_app: unknown, registry: IJupyterWidgetRegistry): void => {
    registry.registerWidget({
      name: MODULE_NAME,
      version: MODULE_VERSION,
      exports: { TFGraphModel, TFGraphView }
    });
  }
};

export default plugin;
