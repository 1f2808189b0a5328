/**
 * The renderer: a toolbar, the graph laid out by Graphviz (WebAssembly, loaded on
 * first use) with a minimap, a legend and a side panel for the selected op. What
 * it draws comes from layout.ts (the payload's drawing contract); what a person
 * did to it lives in a ViewState. The MIME renderer, the `.tfgraph.json` document
 * and the notebook widgets (stepper, builder) all show a graph through it.
 *
 * Every name and value from the payload reaches the page as text: through
 * `textContent`, or through DOT strings that graphviz writes as escaped SVG text
 * which is parsed as XML, never as HTML.
 */

import type { Graphviz } from '@hpcc-js/wasm-graphviz';
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';

import { clusterId, toDot } from './dot';
import {
  ancestors,
  categoryOf,
  devicesOf,
  drawing,
  formatShape,
  IDrawing,
  legendEntries,
  openTo,
  positionOf,
  searchNodes
} from './layout';
import { ColorBy, COLORINGS, INode, ITFGraphPayload, readPayload } from './payload';
import { anchor, fitCamera, ICamera, ViewState, zoomAt } from './viewstate';

/** The class name added to the renderer's root node. */
const CLASS_NAME = 'jp-TFGraph';

/** Names of the colourings in the toolbar. */
const COLORING_LABELS: { [K in ColorBy]: string } = {
  op: 'Op category',
  device: 'Device',
  scope: 'Name scope',
  time: 'Compute time',
  status: 'Status'
};

/** Height bounds of the drawing area: at least this, at most this share of the window. */
const MIN_HEIGHT = 240;
const MAX_HEIGHT_SHARE = 0.75;

/** Below this width the side panel folds away behind a "Details" button. */
const NARROW_WIDTH = 720;

/** Most search results listed. */
const MAX_RESULTS = 100;

/** What the side panel says while no op is selected. */
const PANEL_HINT =
  'Click an op to see its inputs, outputs, devices and attributes. Click a group to ' +
  'open it, and an open group’s label to close it. Keys: / search, f fit, Esc clear.';

/** Pointer travel, in pixels, above which a press is a pan and not a click. */
const DRAG_THRESHOLD = 4;

/** Graphviz sizes SVGs in points; the page draws 4/3 pixels per point. */
const PX_PER_PT = 4 / 3;

/** Most width and height of the minimap, in pixels. */
const MINIMAP_WIDTH = 160;
const MINIMAP_HEIGHT = 120;

/**
 * A widget that draws a tfgraph payload: as a MIME renderer (`renderModel`) or
 * fed directly (`draw`), e.g. by the stepper's notebook widget.
 */
export class TFGraphWidget extends Widget implements IRenderMime.IRenderer {
  constructor(options: { mimeType?: string } = {}) {
    super();
    this._mimeType = options.mimeType ?? '';
    this.addClass(CLASS_NAME);
    this.node.tabIndex = 0;
    this.node.dataset.rendered = 'false';
    this._message = Private.element('div', 'jp-TFGraph-message');
    this._note = Private.element('div', 'jp-TFGraph-note');
    this._toolbar = this._createToolbar();
    this._results = Private.element('ul', 'jp-TFGraph-results');
    this._canvas = Private.element('div', 'jp-TFGraph-canvas');
    this._viewport = Private.element('div', 'jp-TFGraph-viewport');
    this._minimap = Private.element('div', 'jp-TFGraph-minimap');
    this._minimapView = Private.element('div', 'jp-TFGraph-minimapView');
    this._fitNote = Private.element('div', 'jp-TFGraph-fitNote');
    this._canvas.append(this._viewport, this._fitNote, this._minimap);
    this._panel = Private.element('div', 'jp-TFGraph-panel');
    this._legend = Private.element('div', 'jp-TFGraph-legend');
    const body = Private.element('div', 'jp-TFGraph-body');
    body.append(this._canvas, this._panel);
    this.node.append(this._message, this._toolbar, this._results, this._note, body, this._legend);
    for (const part of [this._note, this._results, this._fitNote]) {
      part.hidden = true;
    }
    this._bindCanvas();
    this._bindKeys();
    this._watchWidth();
  }

  /** Called with the op a person selects (the stepper's widget tells the kernel). */
  selectionChanged: ((name: string | null) => void) | null = null;

  /** The view state, for the notebook widgets and the tests. */
  get state(): ViewState | null {
    return this._state;
  }

  /**
   * Render the payload in `model`. A payload that is malformed or of another
   * version shows a message saying what is wrong; this never throws.
   */
  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    await this.draw(model.data[this._mimeType]);
  }

  /**
   * Draw `data` (untrusted). A new drawing of the same graph (same name and ops,
   * e.g. the stepper's next step) keeps the open groups, selection and camera.
   */
  async draw(data: unknown): Promise<void> {
    const started = performance.now();
    if (typeof data === 'string') {
      // Large payloads travel as their compact JSON text (workbench/display.py).
      try {
        data = JSON.parse(data);
      } catch (error) {
        this.showMessage(`tfgraph payload is malformed: ${Private.reason(error)}`);
        return;
      }
    }
    const { payload, error } = readPayload(data);
    if (error !== null) {
      this.showMessage(error);
      return;
    }
    // Each step of a big graph's first draw is its own task, so none blocks the page long.
    await Private.nextTask();
    const previous = this._payload;
    const same = previous !== null && Private.sameGraph(previous, payload);
    this._payload = payload;
    if (!same || this._state === null) {
      this._state = new ViewState(payload);
    } else {
      // Groups the kernel newly opens (the stepper's current op) open here too.
      const before = new Set(previous.expanded);
      payload.expanded.filter(id => !before.has(id)).forEach(id => this._state!.expanded.add(id));
    }
    this._note.textContent = payload.note ?? '';
    this._note.hidden = payload.note === undefined;
    this._colorSelect.value = this._state.colorBy;
    for (const option of Array.from(this._colorSelect.options)) {
      const empty = Object.keys(payload.colors[option.value as ColorBy]).length === 0;
      option.disabled = empty && option.value !== this._state.colorBy;
    }
    this._updateLegend();
    this._updatePanel();
    this._search(false);
    await this._draw({ started });
  }

  /** Build the toolbar: colouring, search, zoom, details and export controls. */
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
      this._state!.colorBy = this._colorSelect.value as ColorBy;
      this._updateLegend();
      void this._draw({});
    });
    colorLabel.appendChild(this._colorSelect);

    this._searchInput = Private.element('input', 'jp-TFGraph-search');
    this._searchInput.type = 'search';
    this._searchInput.placeholder = 'Search ops (Enter: next)';
    this._searchInput.addEventListener('input', () => this._search(true));
    this._searchInput.addEventListener('keydown', event => {
      if (event.key === 'Enter') {
        event.preventDefault();
        void this._jump(event.shiftKey ? -1 : 1);
      }
    });
    const regexLabel = Private.element('label', 'jp-TFGraph-regexLabel', ' regex');
    this._regexBox = Private.element('input', 'jp-TFGraph-regex');
    this._regexBox.type = 'checkbox';
    this._regexBox.addEventListener('change', () => this._search(true));
    regexLabel.prepend(this._regexBox);
    this._searchStatus = Private.element('span', 'jp-TFGraph-searchStatus');

    const button = (label: string, title: string, action: () => void, cls = '') => {
      const b = Private.element('button', `jp-TFGraph-button ${cls}`.trim(), label);
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
      button('Next', 'Next match', () => void this._jump(1), 'jp-TFGraph-next'),
      this._searchStatus,
      Private.element('span', 'jp-TFGraph-spacer'),
      button('+', 'Zoom in', () => this._zoom(1.25)),
      button('−', 'Zoom out', () => this._zoom(0.8)),
      button('Fit', 'Fit to view', () => this._fit()),
      button('Details', 'Show the side panel', () => this._togglePanel(), 'jp-TFGraph-details'),
      button('SVG', 'Export SVG', () => this._exportSvg()),
      button('PNG', 'Export PNG', () => this._exportPng())
    );
    return toolbar;
  }

  /** Wire clicks (select, open, close), drag-to-pan, ctrl+wheel zoom and the minimap. */
  private _bindCanvas(): void {
    this._canvas.addEventListener('pointerdown', event => {
      if (
        event.button === 0 &&
        this._state !== null &&
        !this._minimap.contains(event.target as Node)
      ) {
        const { panX, panY } = this._state.camera;
        this._drag = { x: event.clientX, y: event.clientY, panX, panY };
        this._dragged = false;
      }
    });
    this._canvas.addEventListener('pointermove', event => {
      if (this._drag === null) {
        return;
      }
      const dx = event.clientX - this._drag.x;
      const dy = event.clientY - this._drag.y;
      this._dragged = this._dragged || Math.abs(dx) + Math.abs(dy) > DRAG_THRESHOLD;
      if (this._dragged) {
        const { scale } = this._state!.camera;
        this._setCamera({ scale, panX: this._drag.panX + dx, panY: this._drag.panY + dy });
      }
    });
    const endDrag = () => {
      this._drag = null;
    };
    this._canvas.addEventListener('pointerup', endDrag);
    this._canvas.addEventListener('pointerleave', endDrag);
    this._canvas.addEventListener('click', event => {
      if (this._minimap.contains(event.target as Node)) {
        this._minimapClick(event);
      } else if (!this._dragged) {
        this._onClick(event.target as Element, event.clientX, event.clientY);
      }
      this._dragged = false;
    });
    this._canvas.addEventListener('wheel', event => {
      // A plain wheel scrolls the notebook; only ctrl/cmd + wheel zooms the graph.
      if (event.ctrlKey || event.metaKey) {
        event.preventDefault();
        const box = this._canvas.getBoundingClientRect();
        const factor = event.deltaY < 0 ? 1.1 : 1 / 1.1;
        this._zoom(factor, event.clientX - box.left, event.clientY - box.top);
      }
    });
  }

  /** `/` search, `f` fit, `+`/`-` zoom, `Esc` clear: while the graph has the focus. */
  private _bindKeys(): void {
    this.node.addEventListener('keydown', event => {
      const typing = event.target === this._searchInput;
      if (event.key === 'Escape') {
        this._searchInput.value = '';
        this._state!.selected = null;
        this._state!.tracing = false;
        this._search(true);
        this._updatePanel();
        this.node.focus();
      } else if (typing || event.ctrlKey || event.metaKey || event.altKey) {
        return;
      } else if (event.key === '/') {
        this._searchInput.focus();
      } else if (event.key === 'f') {
        this._fit();
      } else if (event.key === '+' || event.key === '=') {
        this._zoom(1.25);
      } else if (event.key === '-') {
        this._zoom(0.8);
      } else {
        return;
      }
      event.preventDefault();
    });
  }

  /** Fold the panel away in narrow windows. */
  private _watchWidth(): void {
    if (typeof ResizeObserver === 'undefined') {
      return;
    }
    new ResizeObserver(() => {
      this.node.classList.toggle('jp-TFGraph-narrow', this.node.clientWidth < NARROW_WIDTH);
      this._updateMinimap();
    }).observe(this.node);
  }

  private _togglePanel(): void {
    this.node.classList.toggle('jp-TFGraph-panelOpen');
  }

  /**
   * A click on a closed group opens it, on an open group's label closes it, on an
   * op selects it. Opening or closing keeps what was clicked under the cursor.
   */
  private _onClick(target: Element, clientX: number, clientY: number): void {
    const d = this._drawing;
    const state = this._state;
    if (d === null || state === null) {
      return;
    }
    const nodeElement = target.closest('g.node');
    if (nodeElement !== null) {
      const box = d.byId.get(Private.title(nodeElement).slice(2));
      if (box === undefined) {
        return;
      }
      if (box.kind === 'op') {
        this._select(this._payload!.nodes[Number(box.id.slice(1))].name);
      } else {
        state.expanded.add(box.id);
        void this._draw({ anchor: { id: box.id, clientX, clientY } });
      }
      return;
    }
    const cluster = target.closest('g.cluster');
    if (cluster !== null && target.closest('text') !== null) {
      const id = this._clusterIds.get(Private.title(cluster));
      if (id !== undefined && !id.startsWith('aux:')) {
        state.expanded.delete(id);
        void this._draw({ anchor: { id, clientX, clientY } });
      }
    }
  }

  private _select(name: string | null): void {
    this._state!.selected = name;
    this._updatePanel();
    this._highlight();
    this.selectionChanged?.(name);
  }

  /**
   * Lay out the current state and swap in the new drawing. With an `anchor`, the
   * camera moves so the box or cluster of that id sits under the cursor again;
   * with `center`, so that op's box is in the middle. The time since `started` is
   * left in `data-render-ms` for the benchmarks.
   */
  private async _draw(options: {
    started?: number;
    anchor?: { id: string; clientX: number; clientY: number };
    center?: string;
  }): Promise<void> {
    const started = options.started ?? performance.now();
    const payload = this._payload!;
    const state = this._state!;
    const draw = ++this._draws;
    this.node.dataset.rendered = 'false';
    let d: IDrawing;
    let svg: SVGSVGElement;
    try {
      d = drawing(payload, state.expanded, state.colorBy);
      const graphviz = await Private.graphviz();
      await Private.nextTask();
      svg = Private.parseSvg(graphviz.dot(toDot(d)));
      await Private.nextTask();
    } catch (error) {
      if (draw === this._draws) {
        this.showMessage(`tfgraph could not draw this graph: ${Private.reason(error)}`);
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
    this._drawing = d;
    this._svg = svg;
    this._boxElements.clear();
    for (const element of Array.from(svg.querySelectorAll('g.node'))) {
      this._boxElements.set(Private.title(element).slice(2), element);
    }
    this._clusterIds = new Map(d.clusters.map(c => [clusterId(c.id), c.id]));
    this._viewport.replaceChildren(svg);
    this._minimap.replaceChildren(Private.minimapCopy(svg), this._minimapView);
    this._highlight();
    if (!state.placed) {
      this._fit();
    } else if (options.anchor !== undefined) {
      this._keepUnderCursor(options.anchor);
    } else if (options.center !== undefined) {
      this._centerOn(options.center);
    } else {
      this._setCamera(state.camera);
    }
    this.node.dataset.boxes = String(d.boxes.length);
    this.node.dataset.renderMs = String(Math.round(performance.now() - started));
    this.node.dataset.rendered = 'true';
  }

  /** Move the camera so the element drawn for `id` is centred on the cursor. */
  private _keepUnderCursor(at: { id: string; clientX: number; clientY: number }): void {
    const element =
      this._boxElements.get(at.id) ??
      Array.from(this._svg!.querySelectorAll('g.cluster')).find(
        c => Private.title(c) === clusterId(at.id)
      );
    this._setCamera(this._state!.camera);
    if (element === undefined) {
      return;
    }
    const rect = element.getBoundingClientRect();
    const canvas = this._canvas.getBoundingClientRect();
    const camera = this._state!.camera;
    const x = (rect.left + rect.width / 2 - canvas.left - camera.panX) / camera.scale;
    const y = (rect.top + Math.min(rect.height / 2, 24) - canvas.top - camera.panY) / camera.scale;
    this._setCamera(anchor(camera, x, y, at.clientX - canvas.left, at.clientY - canvas.top));
  }

  /** Put the box showing op `name` in the middle of the canvas. */
  private _centerOn(name: string): void {
    this._setCamera(this._state!.camera);
    const box = this._drawing!.boxOf[positionOf(this._payload!, name)];
    const element = box === undefined ? undefined : this._boxElements.get(box);
    if (element === undefined) {
      return;
    }
    const rect = element.getBoundingClientRect();
    const canvas = this._canvas.getBoundingClientRect();
    const camera = this._state!.camera;
    const x = (rect.left + rect.width / 2 - canvas.left - camera.panX) / camera.scale;
    const y = (rect.top + rect.height / 2 - canvas.top - camera.panY) / camera.scale;
    this._setCamera(anchor(camera, x, y, canvas.width / 2, canvas.height / 2));
  }

  /** Show a problem instead of the graph. */
  protected showMessage(text: string): void {
    this._message.textContent = text;
    this._message.hidden = false;
    for (const part of [this._toolbar, this._note, this._canvas, this._panel, this._legend]) {
      part.hidden = true;
    }
    this.node.dataset.rendered = 'true';
  }

  private _updateLegend(): void {
    const state = this._state!;
    const entries = legendEntries(this._payload!, state.colorBy);
    const title = Private.element('span', 'jp-TFGraph-legendTitle', COLORING_LABELS[state.colorBy]);
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

  /** Match the search box against op names; list the matches. */
  private _search(typed: boolean): void {
    const state = this._state;
    if (state === null) {
      return;
    }
    state.query = this._searchInput.value;
    state.regex = this._regexBox.checked;
    if (typed) {
      state.match = -1;
    }
    const result = searchNodes(this._payload!, state.query, state.regex);
    this._matches = result.matches;
    const n = result.matches.length;
    this._searchStatus.textContent =
      result.error ?? (state.query === '' ? '' : n === 1 ? '1 match' : `${n} matches`);
    this._searchStatus.classList.toggle('jp-TFGraph-invalid', result.error !== null);
    const items = result.matches.slice(0, MAX_RESULTS).map((name, i) => {
      const item = Private.element('li', 'jp-TFGraph-result', name);
      item.addEventListener('click', () => void this._jump(i - state.match));
      return item;
    });
    this._results.replaceChildren(...items);
    this._results.hidden = items.length === 0;
    this._highlight();
  }

  /** Show the next (`step` 1) or previous (-1) match: open its groups, select it, centre it. */
  private async _jump(step: number): Promise<void> {
    const state = this._state;
    if (state === null || this._matches.length === 0) {
      return;
    }
    const n = this._matches.length;
    state.match = (((state.match + step) % n) + n) % n;
    const name = this._matches[state.match];
    this._searchStatus.textContent = `${state.match + 1} of ${n}`;
    Array.from(this._results.children).forEach((item, i) =>
      item.classList.toggle('jp-TFGraph-current', i === state.match)
    );
    state.expanded = openTo(this._payload!, state.expanded, name);
    state.selected = name;
    this._updatePanel();
    this.selectionChanged?.(name);
    await this._draw({ center: name });
  }

  /** Mark matches, the selection and traced inputs on the drawing. */
  private _highlight(): void {
    const d = this._drawing;
    const state = this._state;
    if (d === null || state === null) {
      return;
    }
    const payload = this._payload!;
    const boxesOf = (names: Iterable<string>) =>
      new Set([...names].map(name => d.boxOf[positionOf(payload, name)]));
    const matched = boxesOf(this._matches);
    const traced =
      state.tracing && state.selected !== null
        ? boxesOf(ancestors(payload, state.selected))
        : new Set<string>();
    const selected =
      state.selected === null ? undefined : d.boxOf[positionOf(payload, state.selected)];
    for (const [id, element] of this._boxElements) {
      element.classList.toggle('jp-TFGraph-match', matched.has(id));
      element.classList.toggle('jp-TFGraph-selected', id === selected);
      element.classList.toggle('jp-TFGraph-traced', traced.has(id));
    }
    if (selected !== undefined) {
      traced.add(selected);
    }
    for (const element of Array.from(this._svg!.querySelectorAll('g.edge'))) {
      const cls = Array.from(element.classList).find(c => c.startsWith('tfg_e'));
      const arrow = cls === undefined ? undefined : d.arrows[Number(cls.slice(5))];
      const onPath =
        state.tracing &&
        arrow !== undefined &&
        traced.has(arrow.source) &&
        traced.has(arrow.target);
      element.classList.toggle('jp-TFGraph-traced', onPath);
    }
    this._canvas.classList.toggle(
      'jp-TFGraph-searching',
      state.query !== '' && this._matches.length > 0
    );
    this._canvas.classList.toggle('jp-TFGraph-tracing', state.tracing && selected !== undefined);
  }

  /**
   * Fill the side panel with the selected op, as text, or with a hint. The panel
   * keeps its place either way, so selecting never resizes the drawing.
   */
  private _updatePanel(): void {
    const state = this._state!;
    const payload = this._payload!;
    const position = state.selected === null ? -1 : positionOf(payload, state.selected);
    if (position < 0) {
      this._panel.replaceChildren(Private.element('div', 'jp-TFGraph-hint', PANEL_HINT));
      return;
    }
    const node = payload.nodes[position];
    const header = Private.element('div', 'jp-TFGraph-panelHeader');
    const close = Private.element('button', 'jp-TFGraph-button jp-TFGraph-close', '×');
    close.type = 'button';
    close.title = 'Close';
    close.addEventListener('click', () => {
      state.tracing = false;
      this._select(null);
    });
    header.append(Private.element('span', 'jp-TFGraph-panelTitle', node.name), close);

    const trace = Private.element(
      'button',
      'jp-TFGraph-button jp-TFGraph-trace',
      state.tracing ? 'Stop tracing' : 'Trace inputs'
    );
    trace.type = 'button';
    trace.addEventListener('click', () => {
      state.tracing = !state.tracing;
      trace.textContent = state.tracing ? 'Stop tracing' : 'Trace inputs';
      this._highlight();
    });

    const { requested, assigned } = devicesOf(payload, node);
    const device = (d: string | null) => (d === null || d === '' ? '(none)' : d);
    const facts = Private.element('div', 'jp-TFGraph-facts');
    const fact = (field: string, label: string, value: string) => {
      const shown = Private.element('div', 'jp-TFGraph-factValue', value);
      shown.dataset.field = field;
      facts.append(Private.element('div', 'jp-TFGraph-factLabel', label), shown);
    };
    const scope = node.name.includes('/') ? node.name.slice(0, node.name.lastIndexOf('/')) : '';
    fact('op', 'Op type', node.op);
    fact('category', 'Category', categoryOf(payload, node));
    fact('scope', 'Name scope', scope === '' ? '(top level)' : scope);
    fact('requested_device', 'Requested device', device(requested));
    fact(
      'assigned_device',
      'Assigned device',
      device(assigned) + (node.soft_placed ? ' (soft placement)' : '')
    );
    fact('status', 'Status', node.status ?? '—');
    fact(
      'time_us',
      'Compute time',
      node.time_us === undefined ? 'not measured' : `${node.time_us} µs`
    );
    if (node.created_at !== undefined) {
      fact('created_at', 'Created at', node.created_at);
    }
    const inputs = node.inputs.map(name => Private.describeInput(payload, name));
    inputs.push(...(node.control_inputs ?? []).map(name => `^${name} (control)`));
    const outputs = node.outputs.map(
      (t, i) => `${node.name}:${i}: ${t.dtype} ${formatShape(t.shape)}`
    );
    const attrs = Object.keys(node.attrs ?? {}).map(key => `${key} = ${node.attrs![key]}`);
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
    if (this._state === null) {
      return;
    }
    const cx = x ?? this._canvas.clientWidth / 2;
    const cy = y ?? this._canvas.clientHeight / 2;
    this._setCamera(zoomAt(this._state.camera, factor, cx, cy));
  }

  /**
   * Size the canvas to the drawing (within the window's height) and show it whole,
   * or at a readable zoom with a note when whole would be too small to read.
   */
  private _fit(): void {
    if (this._svg === null || this._state === null) {
      return;
    }
    const { width, height } = Private.size(this._svg);
    const most = Math.max(MIN_HEIGHT, Math.round(window.innerHeight * MAX_HEIGHT_SHARE));
    this._canvas.style.height = `${Math.min(most, Math.max(MIN_HEIGHT, Math.round(height + 16)))}px`;
    const canvasWidth = this._canvas.clientWidth;
    const canvasHeight = this._canvas.clientHeight;
    // Before the page lays the canvas out (or in jsdom) there is nothing to fit to.
    const { camera, readable } =
      canvasWidth > 0 && canvasHeight > 0
        ? fitCamera(width, height, canvasWidth, canvasHeight)
        : { camera: { scale: 1, panX: 8, panY: 8 }, readable: true };
    this._fitNote.textContent = readable
      ? ''
      : 'Zoomed to a readable size: the minimap shows the whole graph; drag to pan.';
    this._fitNote.hidden = readable;
    this._setCamera(camera);
  }

  private _setCamera(camera: ICamera): void {
    this._state!.camera = camera;
    this._state!.placed = true;
    this._viewport.style.transform = `translate(${camera.panX}px, ${camera.panY}px) scale(${camera.scale})`;
    this._updateMinimap();
  }

  /** Scale the minimap to its width and frame the part of the drawing in view. */
  private _updateMinimap(): void {
    const state = this._state;
    const svg = this._svg;
    if (state === null || svg === null) {
      return;
    }
    const { width, height } = Private.size(svg);
    const ratio = Private.minimapRatio(width, height);
    this._minimap.style.width = `${Math.round(width * ratio)}px`;
    this._minimap.style.height = `${Math.round(height * ratio)}px`;
    const copy = this._minimap.querySelector('svg');
    if (copy !== null) {
      copy.style.transform = `scale(${ratio})`;
    }
    const { scale, panX, panY } = state.camera;
    const view = this._minimapView.style;
    view.left = `${(-panX / scale) * ratio}px`;
    view.top = `${(-panY / scale) * ratio}px`;
    view.width = `${(this._canvas.clientWidth / scale) * ratio}px`;
    view.height = `${(this._canvas.clientHeight / scale) * ratio}px`;
  }

  /** A click on the minimap centres the drawing there. */
  private _minimapClick(event: MouseEvent): void {
    const state = this._state;
    if (state === null || this._svg === null) {
      return;
    }
    const { width, height } = Private.size(this._svg);
    const ratio = Private.minimapRatio(width, height);
    const box = this._minimap.getBoundingClientRect();
    const x = (event.clientX - box.left) / ratio;
    const y = (event.clientY - box.top) / ratio;
    this._setCamera(
      anchor(state.camera, x, y, this._canvas.clientWidth / 2, this._canvas.clientHeight / 2)
    );
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
  private _state: ViewState | null = null;
  private _matches: string[] = [];
  private _drawing: IDrawing | null = null;
  private _svg: SVGSVGElement | null = null;
  private _boxElements = new Map<string, Element>();
  private _clusterIds = new Map<string, string>();
  /** Counts draws, so a slow layout never replaces a newer one. */
  private _draws = 0;
  private _drag: { x: number; y: number; panX: number; panY: number } | null = null;
  private _dragged = false;
  private _message: HTMLDivElement;
  private _note: HTMLDivElement;
  private _toolbar: HTMLDivElement;
  private _results: HTMLUListElement;
  private _canvas: HTMLDivElement;
  private _viewport: HTMLDivElement;
  private _minimap: HTMLDivElement;
  private _minimapView: HTMLDivElement;
  private _fitNote: HTMLDivElement;
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

  /** The minimap's scale: the whole drawing within its most width and height. */
  export function minimapRatio(width: number, height: number): number {
    return Math.min(MINIMAP_WIDTH / Math.max(width, 1), MINIMAP_HEIGHT / Math.max(height, 1));
  }

  /** A copy of the drawing for the minimap, its boxes and arrows no longer marked as such. */
  export function minimapCopy(svg: SVGSVGElement): Node {
    const copy = svg.cloneNode(true) as SVGSVGElement;
    for (const group of Array.from(copy.querySelectorAll('g[class]'))) {
      group.removeAttribute('class');
    }
    return copy;
  }

  /** Resolves in a later task: the page gets to paint and handle input in between. */
  export function nextTask(): Promise<void> {
    return new Promise(resolve => setTimeout(resolve, 0));
  }

  /** Whether two payloads draw the same graph (a redraw, not a new graph). */
  export function sameGraph(a: ITFGraphPayload, b: ITFGraphPayload): boolean {
    return (
      a.name === b.name &&
      a.nodes.length === b.nodes.length &&
      a.nodes.every((node, i) => node.name === b.nodes[i].name)
    );
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

  /** An input tensor name with the dtype and shape its producer declares. */
  export function describeInput(payload: ITFGraphPayload, tensor: string): string {
    const colon = tensor.lastIndexOf(':');
    const position = positionOf(payload, colon < 0 ? tensor : tensor.slice(0, colon));
    const producer: INode | undefined = payload.nodes[position];
    const output = producer?.outputs[colon < 0 ? 0 : Number(tensor.slice(colon + 1))];
    return output === undefined
      ? tensor
      : `${tensor}: ${output.dtype} ${formatShape(output.shape)}`;
  }

  export function reason(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
  }
}
