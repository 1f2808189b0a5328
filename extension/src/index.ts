/**
 * The tfgraph workbench JupyterLab extension: a MIME renderer that draws
 * `application/vnd.tfgraph.v1+json` payloads as interactive graphs.
 */

import { IRenderMime } from '@jupyterlab/rendermime-interfaces';

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
 * The extension: ranked before the SVG fallback that travels in the same bundle.
 */
const extension: IRenderMime.IExtension = {
  id: 'tfgraph-workbench-ext:renderer',
  rendererFactory,
  rank: 0,
  dataType: 'json'
};

export default extension;
