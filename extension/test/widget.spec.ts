/**
 * The renderer in jsdom. Graphviz's WebAssembly build is replaced by the
 * graphviz `dot` binary, which writes the same SVG structure.
 */

import { execFileSync } from 'child_process';

import { IRenderMime } from '@jupyterlab/rendermime-interfaces';

import { MIME_TYPE } from '../src/payload';
import { TFGraphWidget } from '../src/widget';
import { CPU0, CPU1, load, loadRaw, XSS_NAME } from './fixtures';

/** Lays DOT out with the `dot` binary. */
function realDot(source: string): string {
  return execFileSync('dot', ['-Tsvg'], { input: source, encoding: 'utf-8' });
}

/** What the mocked Graphviz does; a test may swap it to simulate failures. */
let mockDot = realDot;

jest.mock('@hpcc-js/wasm-graphviz', () => ({
  Graphviz: { load: async () => ({ dot: (source: string) => mockDot(source) }) }
}));

/** Render `data` the way JupyterLab does and wait for the drawing. */
async function render(data: unknown): Promise<TFGraphWidget> {
  const widget = new TFGraphWidget({
    mimeType: MIME_TYPE,
    sanitizer: { sanitize: (s: string) => s },
    resolver: null,
    linkHandler: null,
    latexTypesetter: null
  } as unknown as IRenderMime.IRendererOptions);
  document.body.appendChild(widget.node);
  const model = { data: { [MIME_TYPE]: data }, metadata: {}, trusted: false };
  await widget.renderModel(model as unknown as IRenderMime.IMimeModel);
  return widget;
}

/** Wait until a redraw started by a click has finished. */
async function redrawn(widget: TFGraphWidget): Promise<void> {
  for (let i = 0; i < 200 && widget.node.dataset.rendered !== 'true'; i++) {
    await new Promise(resolve => setTimeout(resolve, 5));
  }
  expect(widget.node.dataset.rendered).toBe('true');
}

/** The drawn node (`g.node`) whose label starts with `label`. */
function drawn(widget: TFGraphWidget, label: string): Element {
  const found = Array.from(widget.node.querySelectorAll('g.node')).find(
    g => g.querySelector('text')?.textContent === label
  );
  if (found === undefined) {
    throw new Error(`no node labelled ${label}`);
  }
  return found;
}

function fill(node: Element): string | null {
  return node.querySelector('path, polygon, ellipse')!.getAttribute('fill');
}

function click(element: Element): void {
  element.dispatchEvent(new MouseEvent('click', { bubbles: true }));
}

function field(widget: TFGraphWidget, name: string): string {
  return widget.node.querySelector(`.jp-TFGraph-panel [data-field="${name}"]`)!.textContent!;
}

afterEach(() => {
  document.body.replaceChildren();
  mockDot = realDot;
});

describe('TFGraphWidget', () => {
  it('draws every op filled with its device colour', async () => {
    const widget = await render(loadRaw('two_devices'));
    expect(widget.node.dataset.rendered).toBe('true');
    expect(widget.node.querySelectorAll('g.node')).toHaveLength(7);
    expect(fill(drawn(widget, 'MatMul'))).toBe('#ff7f0e');
    expect(fill(drawn(widget, 'x'))).toBe('#1f77b4');
    const legend = Array.from(widget.node.querySelectorAll('.jp-TFGraph-legendEntry'));
    expect(legend.map(e => e.textContent)).toEqual([
      'CPU:0',
      'CPU:1',
      'placed elsewhere than requested'
    ]);
    expect((legend[2].firstChild as HTMLElement).style.border).toBe('2px dashed rgb(214, 39, 40)');
  });

  it('shows the clicked op in the side panel', async () => {
    const widget = await render(loadRaw('two_devices'));
    const panel = widget.node.querySelector('.jp-TFGraph-panel') as HTMLElement;
    expect(panel.textContent).toMatch(/^Click an op to see/);
    click(drawn(widget, 'MatMul').querySelector('text')!);
    expect(field(widget, 'op')).toBe('MatMul');
    expect(field(widget, 'assigned_device')).toBe(CPU1);
    expect(field(widget, 'time_us')).toBe('42 µs');
    expect(field(widget, 'inputs')).toBe('x:0: float32 (?, 3)layer1/w:0: float32 (3, 2)');
    expect(field(widget, 'outputs')).toBe('layer1/MatMul:0: float32 (?, 2)');
    expect(field(widget, 'attrs')).toContain('transpose_a = False');
    expect(drawn(widget, 'MatMul').classList).toContain('jp-TFGraph-selected');

    click(drawn(widget, 'y'));
    expect(field(widget, 'requested_device')).toBe('/device:GPU:0');
    expect(field(widget, 'assigned_device')).toBe(`${CPU0} (soft placement)`);
    expect(field(widget, 'status')).toBe('pending');

    click(panel.querySelector('.jp-TFGraph-close')!);
    expect(panel.textContent).toMatch(/^Click an op to see/);
    expect(widget.node.querySelectorAll('.jp-TFGraph-selected')).toHaveLength(0);
  });

  it('collapses a scope from its cluster label and expands it again', async () => {
    const widget = await render(loadRaw('two_devices'));
    const label = widget.node.querySelector('g.cluster > text')!;
    expect(label.textContent).toBe('− layer1');
    click(label);
    await redrawn(widget);
    expect(widget.node.querySelectorAll('g.node')).toHaveLength(4);
    expect(widget.node.querySelectorAll('g.cluster')).toHaveLength(0);
    const folded = drawn(widget, '+ layer1');
    click(folded);
    await redrawn(widget);
    expect(widget.node.querySelectorAll('g.node')).toHaveLength(7);
    expect(widget.node.querySelectorAll('g.cluster')).toHaveLength(1);
  });

  it('arrives with the payload’s scopes collapsed', async () => {
    const widget = await render(loadRaw('nested_collapsed'));
    const labels = Array.from(widget.node.querySelectorAll('g.node > text:first-of-type')).map(
      t => t.textContent
    );
    expect(labels).toEqual(expect.arrayContaining(['+ encoder', '+ layer2']));
    expect(widget.node.querySelectorAll('g.node')).toHaveLength(6);
  });

  it('folds a payload too big to draw quickly, and says so', async () => {
    const payload = load('two_devices');
    // 20 scopes of 100 chained ops: 2,000 units expanded, over the renderer's limit.
    const nodes = Array.from({ length: 2000 }, (_, i) => ({
      ...payload.nodes[0],
      name: `s${Math.floor(i / 100)}/op${i % 100}`,
      scope: `s${Math.floor(i / 100)}`,
      inputs: [],
      outputs: []
    }));
    const edges = nodes.slice(1).map((node, i) => ({
      source: nodes[i].name,
      target: node.name,
      kind: 'data' as const
    }));
    const widget = await render({ ...payload, nodes, edges, scopes: [], collapsed: ['s0'] });
    expect(widget.node.querySelectorAll('g.node')).toHaveLength(20);
    const note = widget.node.querySelector('.jp-TFGraph-note') as HTMLElement;
    expect(note.hidden).toBe(false);
    expect(note.textContent).toBe(
      '2000 ops: 19 more scopes start collapsed to keep the drawing fast. Click a scope to expand it.'
    );
    click(drawn(widget, '+ s1'));
    await redrawn(widget);
    expect(widget.node.querySelectorAll('g.node')).toHaveLength(119);
  });

  it('keeps a typed search when the model changes', async () => {
    const widget = await render(loadRaw('two_devices'));
    const input = widget.node.querySelector('.jp-TFGraph-search') as HTMLInputElement;
    input.value = 'encoder';
    input.dispatchEvent(new Event('input'));
    expect(widget.node.querySelector('.jp-TFGraph-searchStatus')!.textContent).toBe('0 matches');
    const model = { data: { [MIME_TYPE]: loadRaw('nested_collapsed') }, metadata: {} };
    await widget.renderModel(model as unknown as IRenderMime.IMimeModel);
    expect(widget.node.querySelector('.jp-TFGraph-searchStatus')!.textContent).toBe('5 matches');
    expect(drawn(widget, '+ encoder').classList).toContain('jp-TFGraph-match');
  });

  it('draws a valid payload after an invalid one', async () => {
    const widget = await render(loadRaw('invalid_version2'));
    const model = { data: { [MIME_TYPE]: loadRaw('two_devices') }, metadata: {}, trusted: false };
    await widget.renderModel(model as unknown as IRenderMime.IMimeModel);
    expect((widget.node.querySelector('.jp-TFGraph-message') as HTMLElement).hidden).toBe(true);
    expect((widget.node.querySelector('.jp-TFGraph-toolbar') as HTMLElement).hidden).toBe(false);
    expect(widget.node.querySelectorAll('g.node')).toHaveLength(7);
  });

  it('highlights search matches and reports their count', async () => {
    const widget = await render(loadRaw('two_devices'));
    const input = widget.node.querySelector('.jp-TFGraph-search') as HTMLInputElement;
    const status = widget.node.querySelector('.jp-TFGraph-searchStatus')!;
    input.value = 'layer1/';
    input.dispatchEvent(new Event('input'));
    expect(widget.node.querySelectorAll('g.node.jp-TFGraph-match')).toHaveLength(4);
    expect(status.textContent).toBe('4 matches');

    const regex = widget.node.querySelector('.jp-TFGraph-regex') as HTMLInputElement;
    input.value = '^(x|y)$';
    regex.checked = true;
    regex.dispatchEvent(new Event('change'));
    expect(widget.node.querySelectorAll('g.node.jp-TFGraph-match')).toHaveLength(2);

    input.value = '(';
    input.dispatchEvent(new Event('input'));
    expect(status.textContent).toMatch(/^invalid regular expression/);
    expect(widget.node.querySelectorAll('g.node.jp-TFGraph-match')).toHaveLength(0);
  });

  it('traces the inputs of the selected op', async () => {
    const widget = await render(loadRaw('two_devices'));
    click(drawn(widget, 'add'));
    const trace = widget.node.querySelector('.jp-TFGraph-trace') as HTMLButtonElement;
    click(trace);
    const traced = Array.from(widget.node.querySelectorAll('g.node.jp-TFGraph-traced')).map(
      g => g.querySelector('text')!.textContent
    );
    expect(traced.sort()).toEqual(['MatMul', 'b', 'init', 'w', 'x']);
    // The edges among them and into the op: x, w -> MatMul, MatMul, b, init -> add.
    expect(widget.node.querySelectorAll('g.edge.jp-TFGraph-traced')).toHaveLength(5);
    expect(trace.textContent).toBe('Stop tracing');
    click(trace);
    expect(widget.node.querySelectorAll('.jp-TFGraph-traced')).toHaveLength(0);
  });

  it('recolours from the payload maps, keeping the selection', async () => {
    const payload = load('two_devices');
    const widget = await render(payload);
    click(drawn(widget, 'MatMul'));
    const select = widget.node.querySelector('.jp-TFGraph-colorBy') as HTMLSelectElement;
    select.value = 'op';
    select.dispatchEvent(new Event('change'));
    await redrawn(widget);
    expect(fill(drawn(widget, 'MatMul'))).toBe(payload.colors.op.MatMul);
    expect(drawn(widget, 'MatMul').classList).toContain('jp-TFGraph-selected');
    const legend = Array.from(widget.node.querySelectorAll('.jp-TFGraph-legendEntry'));
    // One row per op type, plus the soft-placement row.
    expect(legend).toHaveLength(Object.keys(payload.colors.op).length + 1);
    select.value = 'time';
    select.dispatchEvent(new Event('change'));
    await redrawn(widget);
    expect(fill(drawn(widget, 'MatMul'))).toBe('#7f2704');
    expect(drawn(widget, 'MatMul').querySelector('text')!.getAttribute('fill')).toBe('#ffffff');
  });

  it('disables colourings the payload has no colours for', async () => {
    const widget = await render(loadRaw('xss_names'));
    const options = Array.from(
      (widget.node.querySelector('.jp-TFGraph-colorBy') as HTMLSelectElement).options
    );
    expect(options.filter(o => !o.disabled).map(o => o.value)).toEqual(['device', 'scope']);
  });

  it('renders untrusted names as text', async () => {
    const widget = await render(loadRaw('xss_names'));
    expect(widget.node.querySelector('img, script, [onerror], [onload]')).toBeNull();
    const node = drawn(widget, XSS_NAME);
    click(node);
    expect(widget.node.querySelector('.jp-TFGraph-panelTitle')!.textContent).toBe(XSS_NAME);
    expect(field(widget, 'op')).toBe('"><script>alert(2)</script>');
    expect(field(widget, 'attrs')).toContain('value = <b>not bold</b>');
    expect(field(widget, 'created_at')).toBe('<script>alert(4)</script>:1');
    expect(drawn(widget, 'back\\slash "quote" &amp;')).toBeDefined();
    const legend = Array.from(widget.node.querySelectorAll('.jp-TFGraph-legendLabel'));
    expect(legend.map(e => e.textContent)).toContain('<b>CPU:0</b>');
    expect(document.querySelector('img, script, b')).toBeNull();
  });

  it.each([
    [
      'invalid_malformed',
      'tfgraph payload is malformed: payload.nodes[2] lacks the required field "op"'
    ],
    ['invalid_version2', 'tfgraph payload version 2 is not supported by this extension (expects 1)']
  ])('explains why it cannot draw %s', async (name, message) => {
    const widget = await render(loadRaw(name));
    const shown = widget.node.querySelector('.jp-TFGraph-message') as HTMLElement;
    expect(shown.hidden).toBe(false);
    expect(shown.textContent).toBe(message);
    expect(widget.node.querySelector('svg')).toBeNull();
    expect((widget.node.querySelector('.jp-TFGraph-toolbar') as HTMLElement).hidden).toBe(true);
    expect(widget.node.dataset.rendered).toBe('true');
  });

  it.each<[string, (source: string) => string, RegExp]>([
    [
      'throws',
      () => {
        throw new Error('syntax error in line 3');
      },
      /: syntax error in line 3$/
    ],
    ['writes no SVG', () => 'not svg', /: graphviz produced invalid SVG$/]
  ])('reports it when graphviz %s, instead of throwing', async (_, dot, reason) => {
    mockDot = dot;
    const widget = await render(loadRaw('two_devices'));
    const shown = widget.node.querySelector('.jp-TFGraph-message') as HTMLElement;
    expect(shown.hidden).toBe(false);
    expect(shown.textContent).toMatch(/^tfgraph could not draw this graph: /);
    expect(shown.textContent).toMatch(reason);
    expect(widget.node.dataset.rendered).toBe('true');
  });
});
