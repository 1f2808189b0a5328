/**
 * The renderer in jsdom. Graphviz's WebAssembly build is replaced by the
 * graphviz `dot` binary, which writes the same SVG structure.
 */

import { execFileSync } from 'child_process';

import { IRenderMime } from '@jupyterlab/rendermime-interfaces';

import { MIME_TYPE } from '../src/payload';
import { TFGraphWidget } from '../src/widget';
import { CPU0, CPU1, loadRaw, XSS_NAME } from './fixtures';

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

/** The drawn box (`g.node`) whose label's first line is `label`. */
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
  it('draws every op filled with its device colour, in the payload’s first-sight state', async () => {
    const widget = await render(loadRaw('two_devices'));
    expect(widget.node.dataset.rendered).toBe('true');
    expect(widget.node.dataset.boxes).toBe('7');
    expect(fill(drawn(widget, 'MatMul'))).toBe('#332288');
    expect(fill(drawn(widget, 'x'))).toBe('#cc6677');
    const legend = Array.from(widget.node.querySelectorAll('.jp-TFGraph-legendEntry'));
    expect(legend.map(e => e.textContent)).toEqual([
      'CPU:0 (3)',
      'CPU:1 (4)',
      'placed elsewhere than requested'
    ]);
  });

  it('shows the clicked op in the side panel, with both devices', async () => {
    const widget = await render(loadRaw('two_devices'));
    click(drawn(widget, 'MatMul'));
    expect(field(widget, 'op')).toBe('MatMul');
    expect(field(widget, 'category')).toBe('math');
    expect(field(widget, 'assigned_device')).toBe(CPU1);
    expect(field(widget, 'created_at')).toBe('<cell 1>, line 6');
    click(drawn(widget, 'y'));
    expect(field(widget, 'requested_device')).toBe('/job:localhost/replica:0/task:0/device:GPU:0');
    expect(field(widget, 'assigned_device')).toBe(`${CPU0} (soft placement)`);
    const outputs = widget.node.querySelector('[data-field="outputs"]')!.textContent;
    expect(outputs).toBe('y:0: float32 (?, 2)');
  });

  it('closes a group from its cluster label and opens it again', async () => {
    const widget = await render(loadRaw('two_devices'));
    const label = widget.node.querySelector('g.cluster > text')!;
    expect(label.textContent).toBe('layer1');
    click(label);
    await redrawn(widget);
    expect(widget.node.dataset.boxes).toBe('3');
    expect(widget.state!.expanded.size).toBe(0);
    click(drawn(widget, 'layer1'));
    await redrawn(widget);
    expect(widget.node.dataset.boxes).toBe('7');
  });

  it('arrives folded: the CNN shows its stages and a side area', async () => {
    const widget = await render(loadRaw('cnn'));
    expect(Number(widget.node.dataset.boxes)).toBeLessThanOrEqual(25);
    const side = widget.node.querySelector('g.cluster > title')!.textContent;
    expect(side).toBe('cluster_aux_');
    expect(drawn(widget, 'conv1')).toBeDefined();
  });

  it('lists search matches and jumps to each, opening groups on the way', async () => {
    const widget = await render(loadRaw('cnn'));
    const search = widget.node.querySelector('.jp-TFGraph-search') as HTMLInputElement;
    search.value = 'conv2/Conv2D';
    search.dispatchEvent(new Event('input'));
    const results = Array.from(widget.node.querySelectorAll('.jp-TFGraph-result'));
    expect(results[0].textContent).toBe('conv2/Conv2D');
    expect(results.length).toBeGreaterThan(1);
    expect(results.every(r => r.textContent!.includes('conv2/Conv2D'))).toBe(true);
    search.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await redrawn(widget);
    expect(widget.state!.selected).toBe('conv2/Conv2D');
    expect(field(widget, 'op')).toBe('Conv2D');
    expect(drawn(widget, 'Conv2D').classList.contains('jp-TFGraph-selected')).toBe(true);
    const status = widget.node.querySelector('.jp-TFGraph-searchStatus')!.textContent;
    expect(status).toBe(`1 of ${results.length}`);
  });

  it('has a minimap framing the view', async () => {
    const widget = await render(loadRaw('cnn'));
    const minimap = widget.node.querySelector('.jp-TFGraph-minimap')!;
    expect(minimap.querySelector('svg')).not.toBeNull();
    expect(minimap.querySelector('.jp-TFGraph-minimapView')).not.toBeNull();
  });

  it('answers the keyboard: / focuses search, Esc clears the selection', async () => {
    const widget = await render(loadRaw('two_devices'));
    click(drawn(widget, 'MatMul'));
    widget.node.dispatchEvent(new KeyboardEvent('keydown', { key: '/', bubbles: true }));
    expect(document.activeElement).toBe(widget.node.querySelector('.jp-TFGraph-search'));
    widget.node.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(widget.state!.selected).toBeNull();
  });

  it('traces the inputs of the selected op', async () => {
    const widget = await render(loadRaw('two_devices'));
    click(drawn(widget, 'add'));
    click(widget.node.querySelector('.jp-TFGraph-trace')!);
    const traced = Array.from(widget.node.querySelectorAll('g.node.jp-TFGraph-traced')).map(
      g => g.querySelector('text')!.textContent
    );
    expect(traced.sort()).toEqual(['MatMul', 'b', 'init', 'w', 'x']);
  });

  it('recolours from the payload maps, keeping the selection', async () => {
    const widget = await render(loadRaw('two_devices'));
    click(drawn(widget, 'MatMul'));
    const select = widget.node.querySelector('.jp-TFGraph-colorBy') as HTMLSelectElement;
    select.value = 'op';
    select.dispatchEvent(new Event('change'));
    await redrawn(widget);
    expect(fill(drawn(widget, 'MatMul'))).toBe('#88ccee');
    expect(widget.state!.selected).toBe('layer1/MatMul');
  });

  it('keeps the view state when the same graph is drawn again', async () => {
    const widget = await render(loadRaw('two_devices'));
    click(drawn(widget, 'MatMul'));
    await widget.draw(loadRaw('two_devices'));
    expect(widget.state!.selected).toBe('layer1/MatMul');
    await widget.draw(loadRaw('cnn'));
    expect(widget.state!.selected).toBeNull();
  });

  it('explains a bad payload and draws a good one after it', async () => {
    const widget = await render(loadRaw('invalid_version1'));
    const message = widget.node.querySelector('.jp-TFGraph-message')!;
    expect(message.textContent).toBe(
      'tfgraph payload version 1 is not supported by this extension (expects 2)'
    );
    await widget.draw(loadRaw('two_devices'));
    expect((message as HTMLElement).hidden).toBe(true);
    expect(widget.node.querySelectorAll('g.node')).toHaveLength(7);
  });

  it('takes a payload as its JSON text, as large graphs travel', async () => {
    const widget = await render(JSON.stringify(loadRaw('two_devices')));
    expect(widget.node.dataset.boxes).toBe('7');
    await widget.draw('{"version": 2,');
    expect(widget.node.querySelector('.jp-TFGraph-message')!.textContent).toMatch(
      /^tfgraph payload is malformed: /
    );
  });

  it('says so when graphviz fails', async () => {
    mockDot = () => {
      throw new Error('trouble in init_rank');
    };
    const widget = await render(loadRaw('two_devices'));
    expect(widget.node.querySelector('.jp-TFGraph-message')!.textContent).toBe(
      'tfgraph could not draw this graph: trouble in init_rank'
    );
  });

  it('renders untrusted names as text', async () => {
    const widget = await render(loadRaw('xss_names'));
    click(drawn(widget, XSS_NAME));
    expect(widget.node.querySelector('.jp-TFGraph-panelTitle')!.textContent).toBe(XSS_NAME);
    expect(field(widget, 'op')).toBe('"><script>alert(2)</script>');
    expect(widget.node.querySelector('[data-field="attrs"]')!.textContent).toContain(
      'value = <b>not bold</b>'
    );
    expect(
      widget.node.querySelectorAll('.jp-TFGraph img, .jp-TFGraph script, .jp-TFGraph b')
    ).toHaveLength(0);
  });
});
