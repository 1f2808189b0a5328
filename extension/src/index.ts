/**
 * The tfgraph workbench JupyterLab extension: a MIME renderer that draws
 * `application/vnd.tfgraph.v2+json` payloads as interactive graphs, in notebook
 * outputs and as `.tfgraph.json` documents; `.pb`/`.pbtxt` files open as graphs.
 */

import { IRenderMime } from '@jupyterlab/rendermime-interfaces';

import { graphdefExtension } from './graphdef';
import { MIME_TYPE } from './payload';
import { TFGraphWidget } from './widget';

/**
 * The renderer factory for tfgraph payloads. It is safe: the renderer shows
 * payload content only as text, so untrusted outputs render too.
 */
export const rendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [MIME_TYPE],
  createRenderer: options => new TFGraphWidget(options)
};

/**
 * The extension: ranked before the SVG fallback that travels in the same bundle;
 * `.tfgraph.json` files (a payload saved with `json.dump(view.to_json(), f)`)
 * open as graphs.
 */
const extension: IRenderMime.IExtension = {
  id: 'tfgraph-workbench-ext:renderer',
  rendererFactory,
  rank: 0,
  dataType: 'json',
  fileTypes: [
    {
      name: 'tfgraph',
      displayName: 'TensorFlow graph',
      mimeTypes: [MIME_TYPE],
      extensions: ['.tfgraph.json'],
      fileFormat: 'text'
    }
  ],
  documentWidgetFactoryOptions: {
    name: 'TFGraph',
    primaryFileType: 'tfgraph',
    fileTypes: ['tfgraph'],
    defaultFor: ['tfgraph']
  }
};

export default [extension, graphdefExtension];
