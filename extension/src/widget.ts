/**
 * The renderer widget: a toolbar, the graph drawn by Graphviz (WebAssembly,
 * loaded on first use), a legend and a side panel for the selected op.
 *
 * Every name and value from the payload reaches the page as text: through
 * `textContent`, or through DOT strings that graphviz writes as escaped SVG text
 * which is parsed as XML, never as HTML.
 */

import type { Graphviz } from '@hpcc-js/wasm-graphviz';
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';

import {
  ancestors,
  buildView,
  foldToFit,
  formatShape,
  IGraphView,
  legendEntries,
  searchNodes
} from './layout';
import { ColorBy, COLORINGS, INode, ITFGraphPayload, payloadError } from './payload';

/** The class name added to the renderer's root node. */
const CLASS_NAME = 'jp-TFGraph';

/** Names of the colourings in the toolbar. */
const COLORING_LABELS: { [K in ColorBy]: string } = {
  device: 'Device',
  op: 'Op type',
  scope: 'Name scope',
  time: 'Compute time',
  status: 'Status'
};

/**
 * Most units drawn on arrival. About 1,000 draw in half a second; 10,000 take
 * Graphviz minutes (bench/RESULTS.md), so bigger payloads arrive folded.
 */
const MAX_DRAWN = 1500;

/** Height bounds of the drawing area, in pixels. */
const MIN_HEIGHT = 140;
const MAX_HEIGHT = 560;

/** What the side panel says while no op is selected. */
const PANEL_HINT =
  'Click an op to see its inputs, outputs, devices and attributes. ' +
  'Click a scope to expand it, and a scope’s label to collapse it.';

/** Pointer travel, in pixels, above which a press is a pan and not a click. */
const DRAG_THRESHOLD = 4;

/** Graphviz sizes SVGs in points; the page draws 4/3 pixels per point. */
const PX_PER_PT = 4 / 3;

/**
 * A widget that renders an `application/vnd.tfgraph.v1+json` payload.
 */
export class TFGraphWidget extends Widget implements IRenderMime.IRenderer {
  /**
   * Construct a new renderer for the given MIME type.
   */
  constructor(options: IRenderMime.IRendererOptions) {
    super();
    this._mimeType = options.mimeType;
    this.addClass(CLASS_NAME);
    this.node.dataset.rendered = 'false';

    this._message = Private.element('div', 'jp-TFGraph-message');
    this._note = Private.element('div', 'jp-TFGraph-note');
    this._note.hidden = true;
    this._toolbar = this._createToolbar();
    this._canvas = Private.element('div', 'jp-TFGraph-canvas');
    this._viewport = Private.element('div', 'jp-TFGraph-viewport');
    this._canvas.appendChild(this._viewport);
    this._panel = Private.element('div', 'jp-TFGraph-panel');
    this._legend = Private.element('div', 'jp-TFGraph-legend');
    const body = Private.element('div', 'jp-TFGraph-body');
    body.append(this._canvas, this._panel);
    this.node.append(this._message, this._toolbar, this._note, body, this._legend);
    this._bindCanvas();
  }

  /**
   * Render the payload in `model`. A payload that is malformed or of another
   * version shows a message saying what is wrong; this never throws.
   */
  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const started = performance.now();
    const data = model.data[this._mimeType];
    const problem = payloadError(data);
    if (problem !== null) {
      this._showMessage(problem);
      return;
    }
    const payload = data as unknown as ITFGraphPayload;
    this._payload = payload;
    this._collapsed = foldToFit(payload, new Set(payload.collapsed), MAX_DRAWN);
    const extra = this._collapsed.size - new Set(payload.collapsed).size;
    this._note.textContent =
      extra > 0
        ? `${payload.nodes.length} ops: ${extra} more scopes start collapsed to keep ` +
          'the drawing fast. Click a scope to expand it.'
        : '';
    this._note.hidden = extra === 0;
    this._colorBy = payload.color_by;
    this._selected = null;
    this._tracing = false;
    this._colorSelect.value = payload.color_by;
    for (const option of Array.from(this._colorSelect.options)) {
      const empty = Object.keys(payload.colors[option.value as ColorBy]).length === 0;
      option.disabled = empty && option.value !== payload.color_by;
    }
    this._fitted = false;
    this._view = null;
    this._updateLegend();
    this._updatePanel();
    // A search typed before the model changed applies to the new graph.
    this._search();
    await this._draw(started);
  }

  /** Build the toolbar: colouring, search, zoom and export controls. */
  private _createToolbar(): HTMLDivElement {
    const toolbar = Private.element('div', 'jp-TFGraph-toolbar');

    const colorLabel = Private.element('label', 'jp-TFGraph-colorByLabel', 'Colour by ');
    this._colorSelect = Private.element('select', 'jp-TFGraph-colorBy');
    for (const coloring of COLORINGS) {
      const option = Private.element('option', '', COLORING_LABELS[coloring]);
      option.value = coloring;
      this._colorSelect.appendChild(option);
    }
    this._colorSelect.addEventListener('change', () => {
      this._colorBy = this._colorSelect.value as ColorBy;
      this._updateLegend();
      // Fills do not move anything, so the same layout comes back.
      void this._draw();
    });
    colorLabel.appendChild(this._colorSelect);

    this._searchInput = Private.element('input', 'jp-TFGraph-search');
    this._searchInput.type = 'search';
    this._searchInput.placeholder = 'Search op names';
    this._searchInput.addEventListener('input', () => this._search());
    const regexLabel = Private.element('label', 'jp-TFGraph-regexLabel', ' regex');
    this._regexBox = Private.element('input', 'jp-TFGraph-regex');
    this._regexBox.type = 'checkbox';
    this._regexBox.addEventListener('change', () => this._search());
    regexLabel.prepend(this._regexBox);
    this._searchStatus = Private.element('span', 'jp-TFGraph-searchStatus');

    const button = (label: string, title: string, action: () => void) => {
      const b = Private.element('button', 'jp-TFGraph-button', label);
      b.type = 'button';
      b.title = title;
      b.dataset.action = title;
      b.addEventListener('click', action);
      return b;
    };
    toolbar.append(
      colorLabel,
      this._searchInput,
      regexLabel,
      this._searchStatus,
      Private.element('span', 'jp-TFGraph-spacer'),
      button('+', 'Zoom in', () => this._zoom(1.25)),
      button('−', 'Zoom out', () => this._zoom(0.8)),
      button('Fit', 'Fit to view', () => this._fit()),
      button('SVG', 'Export SVG', () => this._exportSvg()),
      button('PNG', 'Export PNG', () => this._exportPng())
    );
    return toolbar;
  }

  /** Wire clicks (select, expand, collapse), drag-to-pan and ctrl+wheel zoom. */
  private _bindCanvas(): void {
    this._canvas.addEventListener('pointerdown', event => {
      if (event.button === 0) {
        this._drag = { x: event.clientX, y: event.clientY, panX: this._panX, panY: this._panY };
        this._dragged = false;
      }
    });
    this._canvas.addEventListener('pointermove', event => {
      if (this._drag === null) {
        return;
      }
      const dx = event.clientX - this._drag.x;
      const dy = event.clientY - this._drag.y;
      if (Math.abs(dx) + Math.abs(dy) > DRAG_THRESHOLD) {
        this._dragged = true;
      }
      if (this._dragged) {
        this._panX = this._drag.panX + dx;
        this._panY = this._drag.panY + dy;
        this._applyTransform();
      }
    });
    const endDrag = () => {
      this._drag = null;
    };
    this._canvas.addEventListener('pointerup', endDrag);
    this._canvas.addEventListener('pointerleave', endDrag);
    this._canvas.addEventListener('click', event => {
      if (!this._dragged) {
        this._onClick(event.target as Element);
      }
      this._dragged = false;
    });
    this._canvas.addEventListener('wheel', event => {
      // A plain wheel scrolls the notebook; only ctrl/cmd + wheel zooms the graph.
      if (event.ctrlKey || event.metaKey) {
        event.preventDefault();
        const box = this._canvas.getBoundingClientRect();
        this._zoom(
          event.deltaY < 0 ? 1.1 : 1 / 1.1,
          event.clientX - box.left,
          event.clientY - box.top
        );
      }
    });
  }

  /** A click on a collapsed scope expands it, on a cluster label collapses it, on an op selects it. */
  private _onClick(target: Element): void {
    const view = this._view;
    if (view === null) {
      return;
    }
    const nodeElement = target.closest('g.node');
    if (nodeElement !== null) {
      const unit = view.units.get(Private.title(nodeElement));
      if (unit?.kind === 'scope') {
        this._collapsed.delete(unit.name);
        void this._draw();
      } else if (unit !== undefined) {
        this._selected = unit.name;
        this._updatePanel();
        this._highlight();
      }
      return;
    }
    const cluster = target.closest('g.cluster');
    if (cluster !== null && target.closest('text') !== null) {
      const scope = view.clusters.get(Private.title(cluster));
      if (scope !== undefined) {
        this._collapsed.add(scope);
        void this._draw();
      }
    }
  }

  /**
   * Lay out the current collapse state and swap in the new drawing. The time
   * since `started` is left in `data-render-ms` for the benchmarks.
   */
  private async _draw(started: number = performance.now()): Promise<void> {
    const payload = this._payload!;
    const draw = ++this._draws;
    this.node.dataset.rendered = 'false';
    let view: IGraphView;
    let svg: SVGSVGElement;
    try {
      view = buildView(payload, this._collapsed, this._colorBy);
      const graphviz = await Private.graphviz();
      svg = Private.parseSvg(graphviz.dot(view.dot));
    } catch (error) {
      if (draw === this._draws) {
        this._showMessage(`tfgraph could not draw this graph: ${Private.reason(error)}`);
      }
      return;
    }
    if (draw !== this._draws || this.isDisposed) {
      return;
    }
    this._message.hidden = true;
    for (const part of [this._toolbar, this._canvas, this._panel, this._legend]) {
      part.hidden = false;
    }
    this._view = view;
    this._svg = svg;
    this._unitElements.clear();
    for (const element of Array.from(svg.querySelectorAll('g.node'))) {
      this._unitElements.set(Private.title(element), element);
    }
    this._viewport.replaceChildren(svg);
    this._highlight();
    if (!this._fitted) {
      this._fitted = true;
      this._fit();
    }
    this.node.dataset.renderMs = String(Math.round(performance.now() - started));
    this.node.dataset.rendered = 'true';
  }

  /** Show a problem instead of the graph. */
  private _showMessage(text: string): void {
    this._message.textContent = text;
    this._message.hidden = false;
    this._toolbar.hidden = true;
    this._note.hidden = true;
    this._canvas.hidden = true;
    this._panel.hidden = true;
    this._legend.hidden = true;
    this.node.dataset.rendered = 'true';
  }

  private _updateLegend(): void {
    const entries = legendEntries(this._payload!, this._colorBy);
    const title = Private.element('span', 'jp-TFGraph-legendTitle', COLORING_LABELS[this._colorBy]);
    const rows = entries.map(entry => {
      const row = Private.element('span', 'jp-TFGraph-legendEntry');
      const swatch = Private.element('span', 'jp-TFGraph-swatch');
      swatch.style.backgroundColor = entry.color;
      if (entry.outline !== undefined) {
        swatch.style.border = `2px dashed ${entry.outline}`;
      }
      row.dataset.color = entry.color.toLowerCase();
      row.append(swatch, Private.element('span', 'jp-TFGraph-legendLabel', entry.label));
      return row;
    });
    if (rows.length === 0) {
      rows.push(Private.element('span', 'jp-TFGraph-legendEntry', 'no colours in this payload'));
    }
    this._legend.replaceChildren(title, ...rows);
  }

  private _search(): void {
    const result = searchNodes(this._payload!, this._searchInput.value, this._regexBox.checked);
    this._matches = result.matches;
    this._searching = this._searchInput.value !== '' && result.error === null;
    if (result.error !== null) {
      this._searchStatus.textContent = result.error;
    } else if (this._searching) {
      const n = result.matches.size;
      this._searchStatus.textContent = n === 1 ? '1 match' : `${n} matches`;
    } else {
      this._searchStatus.textContent = '';
    }
    this._searchStatus.classList.toggle('jp-TFGraph-invalid', result.error !== null);
    this._highlight();
  }

  /** Mark matches, the selection and traced inputs on the drawing. */
  private _highlight(): void {
    const view = this._view;
    if (view === null) {
      return;
    }
    const traced =
      this._tracing && this._selected !== null
        ? ancestors(this._payload!, this._selected)
        : new Set<string>();
    const tracedUnits = new Set<string>();
    for (const name of traced) {
      const id = view.unitOf.get(name);
      if (id !== undefined) {
        tracedUnits.add(id);
      }
    }
    const selectedUnit = this._selected === null ? undefined : view.unitOf.get(this._selected);
    for (const [id, element] of this._unitElements) {
      const unit = view.units.get(id);
      const matched = unit?.members.some(name => this._matches.has(name)) ?? false;
      element.classList.toggle('jp-TFGraph-match', matched);
      element.classList.toggle('jp-TFGraph-selected', id === selectedUnit);
      element.classList.toggle('jp-TFGraph-traced', tracedUnits.has(id));
    }
    if (selectedUnit !== undefined) {
      tracedUnits.add(selectedUnit);
    }
    for (const element of Array.from(this._svg!.querySelectorAll('g.edge'))) {
      const cls = Array.from(element.classList).find(c => c.startsWith('tfg_e'));
      const edge = cls === undefined ? undefined : view.edges.get(cls);
      const onPath =
        this._tracing &&
        edge !== undefined &&
        tracedUnits.has(edge.source) &&
        tracedUnits.has(edge.target);
      element.classList.toggle('jp-TFGraph-traced', onPath);
    }
    this._canvas.classList.toggle('jp-TFGraph-searching', this._searching);
    this._canvas.classList.toggle(
      'jp-TFGraph-tracing',
      this._tracing && selectedUnit !== undefined
    );
  }

  /**
   * Fill the side panel with the selected op, as text, or with a hint. The panel
   * keeps its place either way, so selecting never resizes the drawing.
   */
  private _updatePanel(): void {
    const node =
      this._selected === null ? undefined : Private.findNode(this._payload!, this._selected);
    if (node === undefined) {
      this._panel.replaceChildren(Private.element('div', 'jp-TFGraph-hint', PANEL_HINT));
      return;
    }
    const header = Private.element('div', 'jp-TFGraph-panelHeader');
    const close = Private.element('button', 'jp-TFGraph-button jp-TFGraph-close', '×');
    close.type = 'button';
    close.title = 'Close';
    close.addEventListener('click', () => {
      this._selected = null;
      this._tracing = false;
      this._updatePanel();
      this._highlight();
    });
    header.append(Private.element('span', 'jp-TFGraph-panelTitle', node.name), close);

    const trace = Private.element(
      'button',
      'jp-TFGraph-button jp-TFGraph-trace',
      this._tracing ? 'Stop tracing' : 'Trace inputs'
    );
    trace.type = 'button';
    trace.addEventListener('click', () => {
      this._tracing = !this._tracing;
      trace.textContent = this._tracing ? 'Stop tracing' : 'Trace inputs';
      this._highlight();
    });

    const device = (d: string | null) => (d === null || d === '' ? '(none)' : d);
    const facts = Private.element('div', 'jp-TFGraph-facts');
    const fact = (field: string, label: string, value: string) => {
      const shown = Private.element('div', 'jp-TFGraph-factValue', value);
      shown.dataset.field = field;
      facts.append(Private.element('div', 'jp-TFGraph-factLabel', label), shown);
    };
    fact('op', 'Op type', node.op);
    fact('scope', 'Name scope', node.scope === '' ? '(top level)' : node.scope);
    fact('requested_device', 'Requested device', device(node.requested_device));
    fact(
      'assigned_device',
      'Assigned device',
      device(node.assigned_device) + (node.soft_placed ? ' (soft placement)' : '')
    );
    fact('status', 'Status', node.status ?? '—');
    fact('time_us', 'Compute time', node.time_us === null ? 'not measured' : `${node.time_us} µs`);
    if (node.created_at !== undefined) {
      fact('created_at', 'Created at', node.created_at);
    }

    const inputs = node.inputs.map(name => Private.describeInput(this._payload!, name));
    inputs.push(...node.control_inputs.map(name => `^${name} (control)`));
    const outputs = node.outputs.map(t => `${t.name}: ${t.dtype} ${formatShape(t.shape)}`);
    const attrs = Object.keys(node.attrs).map(key => `${key} = ${node.attrs[key]}`);

    this._panel.replaceChildren(
      header,
      trace,
      facts,
      ...Private.section('Inputs', 'inputs', inputs),
      ...Private.section('Outputs', 'outputs', outputs),
      ...Private.section('Attributes', 'attrs', attrs)
    );
  }

  /** Zoom by `factor` around a point of the canvas (its centre by default). */
  private _zoom(factor: number, x?: number, y?: number): void {
    const cx = x ?? this._canvas.clientWidth / 2;
    const cy = y ?? this._canvas.clientHeight / 2;
    const scale = Math.min(8, Math.max(0.05, this._scale * factor));
    this._panX = cx - ((cx - this._panX) * scale) / this._scale;
    this._panY = cy - ((cy - this._panY) * scale) / this._scale;
    this._scale = scale;
    this._applyTransform();
  }

  /** Size the canvas to the drawing and scale the drawing to fit in it. */
  private _fit(): void {
    if (this._svg === null) {
      return;
    }
    const { width, height } = Private.size(this._svg);
    this._canvas.style.height = `${Math.round(Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, height + 16)))}px`;
    const availableWidth = this._canvas.clientWidth - 16;
    const availableHeight = this._canvas.clientHeight - 16;
    // Before the page lays the canvas out (or in jsdom) there is nothing to fit to.
    this._scale =
      availableWidth > 0 && availableHeight > 0
        ? Math.min(1, availableWidth / width, availableHeight / height)
        : 1;
    this._panX = Math.max(8, (this._canvas.clientWidth - width * this._scale) / 2);
    this._panY = 8;
    this._applyTransform();
  }

  private _applyTransform(): void {
    this._viewport.style.transform = `translate(${this._panX}px, ${this._panY}px) scale(${this._scale})`;
  }

  /** The payload's name made safe for a file name. */
  private _fileStem(): string {
    const stem = (this._payload?.name ?? '')
      .replace(/[^A-Za-z0-9_.-]+/g, '_')
      .replace(/^[._]+/, '');
    return stem === '' ? 'tfgraph' : stem;
  }

  private _exportSvg(): void {
    if (this._svg !== null) {
      const blob = new Blob([Private.serialize(this._svg)], { type: 'image/svg+xml' });
      Private.download(blob, `${this._fileStem()}.svg`);
    }
  }

  /** Draw the SVG onto a canvas at twice its size and download that as PNG. */
  private _exportPng(): void {
    if (this._svg === null) {
      return;
    }
    const { width, height } = Private.size(this._svg);
    const stem = this._fileStem();
    const image = new Image();
    image.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = Math.ceil(width * 2);
      canvas.height = Math.ceil(height * 2);
      const context = canvas.getContext('2d')!;
      context.fillStyle = '#ffffff';
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(blob => {
        if (blob !== null) {
          Private.download(blob, `${stem}.png`);
        }
      }, 'image/png');
    };
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(Private.serialize(this._svg))}`;
  }

  private _mimeType: string;
  private _payload: ITFGraphPayload | null = null;
  private _collapsed = new Set<string>();
  private _colorBy: ColorBy = 'device';
  private _selected: string | null = null;
  private _tracing = false;
  private _matches = new Set<string>();
  private _searching = false;
  private _view: IGraphView | null = null;
  private _svg: SVGSVGElement | null = null;
  private _unitElements = new Map<string, Element>();
  /** Counts draws, so a slow layout never replaces a newer one. */
  private _draws = 0;
  private _fitted = false;
  private _scale = 1;
  private _panX = 0;
  private _panY = 0;
  private _drag: { x: number; y: number; panX: number; panY: number } | null = null;
  private _dragged = false;
  private _message: HTMLDivElement;
  /** Says when the renderer folded more scopes than the payload asked. */
  private _note: HTMLDivElement;
  private _toolbar: HTMLDivElement;
  private _canvas: HTMLDivElement;
  private _viewport: HTMLDivElement;
  private _panel: HTMLDivElement;
  private _legend: HTMLDivElement;
  private _colorSelect!: HTMLSelectElement;
  private _searchInput!: HTMLInputElement;
  private _regexBox!: HTMLInputElement;
  private _searchStatus!: HTMLSpanElement;
}

/**
 * Module-private helpers.
 */
namespace Private {
  let graphvizPromise: Promise<Graphviz> | null = null;

  /** Graphviz in WebAssembly, imported and compiled on first use only. */
  export function graphviz(): Promise<Graphviz> {
    if (graphvizPromise === null) {
      graphvizPromise = import('@hpcc-js/wasm-graphviz').then(module => module.Graphviz.load());
      // A failed load (e.g. a blocked chunk) may succeed on a later render.
      graphvizPromise.catch(() => {
        graphvizPromise = null;
      });
    }
    return graphvizPromise;
  }

  /** Parse graphviz's SVG as XML, so text in it can never become markup. */
  export function parseSvg(text: string): SVGSVGElement {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const svg = doc.documentElement;
    if (svg.nodeName !== 'svg' || doc.getElementsByTagName('parsererror').length > 0) {
      throw new Error('graphviz produced invalid SVG');
    }
    const imported = document.importNode(svg, true) as unknown as SVGSVGElement;
    const { width, height } = viewBox(imported);
    imported.setAttribute('width', `${width * PX_PER_PT}`);
    imported.setAttribute('height', `${height * PX_PER_PT}`);
    return imported;
  }

  function viewBox(svg: SVGSVGElement): { width: number; height: number } {
    const parts = (svg.getAttribute('viewBox') ?? '')
      .trim()
      .split(/[\s,]+/)
      .map(Number);
    return parts.length === 4 && parts.every(Number.isFinite)
      ? { width: parts[2], height: parts[3] }
      : { width: 100, height: 100 };
  }

  /** Drawn size of a parsed SVG, in pixels. */
  export function size(svg: SVGSVGElement): { width: number; height: number } {
    return {
      width: Number(svg.getAttribute('width')),
      height: Number(svg.getAttribute('height'))
    };
  }

  /** The `<title>` graphviz gives a node or cluster: its DOT id. */
  export function title(element: Element): string {
    return element.querySelector(':scope > title')?.textContent ?? '';
  }

  export function serialize(svg: SVGSVGElement): string {
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(svg);
  }

  export function download(blob: Blob, filename: string): void {
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = filename;
    document.body.appendChild(link);
    link.click();
    link.remove();
    // The download has started by the next task; the URL can go then.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }

  /** Create an element with a class and, optionally, text content. */
  export function element<K extends keyof HTMLElementTagNameMap>(
    tag: K,
    className: string,
    text?: string
  ): HTMLElementTagNameMap[K] {
    const node = document.createElement(tag);
    if (className !== '') {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  /** A titled list of text lines for the side panel. */
  export function section(heading: string, field: string, lines: string[]): HTMLElement[] {
    const title = element('div', 'jp-TFGraph-sectionTitle', heading);
    const list = element('ul', 'jp-TFGraph-list');
    list.dataset.field = field;
    for (const line of lines) {
      list.appendChild(element('li', '', line));
    }
    if (lines.length === 0) {
      list.appendChild(element('li', 'jp-TFGraph-none', 'none'));
    }
    return [title, list];
  }

  export function findNode(payload: ITFGraphPayload, name: string): INode | undefined {
    return payload.nodes.find(node => node.name === name);
  }

  /** An input tensor name with the dtype and shape its producer declares. */
  export function describeInput(payload: ITFGraphPayload, tensor: string): string {
    const colon = tensor.lastIndexOf(':');
    const producer = findNode(payload, colon < 0 ? tensor : tensor.slice(0, colon));
    // A bare op name means its first output, as in TF.
    const full = colon < 0 ? `${tensor}:0` : tensor;
    const output = producer?.outputs.find(t => t.name === full);
    return output === undefined
      ? tensor
      : `${tensor}: ${output.dtype} ${formatShape(output.shape)}`;
  }

  export function reason(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
  }
}
