/**
 * TensorFlow graph files (`.pb`, `.pbtxt`) opened from the file browser: the file's
 * bytes go to the workbench's server extension (workbench/server.py), which parses
 * them with the runtime and answers the graph's payload; the renderer draws it.
 */

import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { ServerConnection } from '@jupyterlab/services';

import { TFGraphWidget } from './widget';

/** The MIME type of a GraphDef file's content (base64 of its bytes). */
export const GRAPHDEF_MIME_TYPE = 'application/vnd.tfgraph.graphdef';

/** Where the server extension answers. */
const ROUTE = 'tfgraph/graphdef';

/** Draws the graph in a GraphDef file, asking the server to read it. */
export class GraphDefWidget extends TFGraphWidget {
  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const content = model.data[GRAPHDEF_MIME_TYPE];
    const settings = ServerConnection.makeSettings();
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(
        `${settings.baseUrl}${ROUTE}`,
        { method: 'POST', body: JSON.stringify({ content }) },
        settings
      );
    } catch (error) {
      this.showMessage(`tfgraph could not reach the workbench server extension: ${error}`);
      return;
    }
    const answer = await response.json().catch(() => ({ message: response.statusText }));
    if (response.ok) {
      await this.draw(answer);
    } else {
      this.showMessage(`tfgraph could not read this file: ${answer.message ?? response.status}`);
    }
  }
}

/** `.pb` and `.pbtxt` files open as graphs. */
export const graphdefExtension: IRenderMime.IExtension = {
  id: 'tfgraph-workbench-ext:graphdef',
  rendererFactory: {
    safe: true,
    mimeTypes: [GRAPHDEF_MIME_TYPE],
    createRenderer: options => new GraphDefWidget(options)
  },
  rank: 0,
  dataType: 'string',
  fileTypes: [
    {
      name: 'tfgraph-graphdef',
      displayName: 'TensorFlow GraphDef',
      mimeTypes: [GRAPHDEF_MIME_TYPE],
      extensions: ['.pb', '.pbtxt'],
      fileFormat: 'base64'
    }
  ],
  documentWidgetFactoryOptions: {
    name: 'TFGraph GraphDef',
    // A .pb is bytes: read it as base64, not as (UTF-8) text.
    modelName: 'base64',
    primaryFileType: 'tfgraph-graphdef',
    fileTypes: ['tfgraph-graphdef'],
    defaultFor: ['tfgraph-graphdef']
  }
};
