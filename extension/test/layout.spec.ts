import { execFileSync } from 'child_process';

import { dotString, htmlText, stubText, toDot } from '../src/dot';
import {
  ancestors,
  drawing,
  edgesOf,
  formatShape,
  legendEntries,
  NEUTRAL_COLOR,
  openTo,
  searchNodes,
  stripes,
  tensorBytes,
  textColor,
  truncate
} from '../src/layout';
import { load, VALID, XSS_NAME } from './fixtures';

/** Lay DOT out with the graphviz `dot` binary, as a second opinion on the syntax. */
function dotToSvg(dot: string): string {
  return execFileSync('dot', ['-Tsvg'], { input: dot, encoding: 'utf-8' });
}

describe('dotString and htmlText', () => {
  it('escape quotes, backslashes, newlines and control characters', () => {
    expect(dotString('a"b')).toBe('"a\\"b"');
    expect(dotString('\\N\\l')).toBe('"\\\\N\\\\l"');
    expect(dotString('one\ntwo\r\nthree')).toBe('"one\\ntwo\\nthree"');
    expect(dotString('a\u0000b\tc')).toBe('"a\uFFFDb\uFFFDc"');
    expect(htmlText('<b>"&"</b>')).toBe('&lt;b&gt;&quot;&amp;&quot;&lt;/b&gt;');
  });

  it('keep graphviz from interpreting a label', () => {
    const label = 'quote " backslash \\ \\N newline\n<b>&amp;</b>';
    const svg = dotToSvg(`digraph { a [label=${dotString(label)}]; }`);
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map(m => m[1]);
    expect(texts).toEqual([
      'quote &quot; backslash \\ \\N newline',
      '&lt;b&gt;&amp;amp;&lt;/b&gt;'
    ]);
  });
});

describe('drawing', () => {
  it('bundles edges between closed groups with a count and a width by bytes', () => {
    const payload = load('cnn');
    const d = drawing(payload, new Set(), 'op');
    const conv1 = d.boxes.find(b => b.label.startsWith('conv1'))!;
    const conv2 = d.boxes.find(b => b.label.startsWith('conv2'))!;
    const arrow = d.arrows.find(a => a.source === conv1.id && a.target === conv2.id)!;
    expect(arrow.label).toBe('float32 (?, 14, 14, 8)');
    expect(arrow.width).toBe(2); // 6,272 bytes with the unknown batch counted as 1
    expect(d.arrows.every(a => !d.byId.get(a.source)!.auxiliary)).toBe(true);
  });

  it('puts auxiliary boxes in a side area and stubs on the boxes they talk to', () => {
    const d = drawing(load('cnn'), new Set(), 'op');
    const init = d.boxes.find(b => b.label === 'init\nNoOp')!;
    expect(init.cluster).toBe('aux:');
    expect(d.clusters).toEqual([{ id: 'aux:', label: 'auxiliary', parent: '' }]);
    const conv1 = d.boxes.find(b => b.label.startsWith('conv1'))!;
    expect(conv1.stubs).toContain(init.id);
  });

  it('opens groups one level at a time', () => {
    const payload = load('cnn');
    const conv2 = payload.groups.find(g => g.label === 'conv2' && g.parent === '')!;
    const d = drawing(payload, new Set([conv2.id]), 'op');
    const inside = d.boxes.filter(b => b.cluster === conv2.id).map(b => b.label.split('\n')[0]);
    expect(inside.slice(0, 5)).toEqual(['weights', 'biases', 'Conv2D', 'BiasAdd', 'Relu']);
    expect(inside.length).toBeLessThan(10); // weights and biases stay closed
  });

  it('writes DOT that graphviz lays out, for every fixture, all closed or all open', () => {
    for (const name of VALID) {
      const payload = load(name);
      for (const open of [new Set<string>(), new Set(payload.groups.map(g => g.id))]) {
        const d = drawing(payload, open, payload.color_by);
        const svg = dotToSvg(toDot(d));
        expect(svg.match(/class="node"/g) ?? []).toHaveLength(d.boxes.length);
        expect(svg.match(/class="edge tfg_e\d+"/g) ?? []).toHaveLength(d.arrows.length);
      }
    }
  });

  it('writes untrusted names as escaped text, and no injected nodes', () => {
    const d = drawing(load('xss_names'), new Set(['g0']), 'device');
    const svg = dotToSvg(toDot(d));
    expect(svg).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(svg).not.toMatch(/<img|<script|<svg onload/);
    expect(svg.match(/class="node"/g)).toHaveLength(2);
    expect(toDot(d)).not.toContain('evil');
    const closed = dotToSvg(toDot(drawing(load('xss_names'), new Set(), 'device')));
    expect(closed).toContain('&lt;svg onload=alert(3)&gt;');
  });
});

describe('helpers', () => {
  it('stripe with at most four colours and a neutral one for the rest', () => {
    expect(stripes(['a', 'b', 'b', 'c', 'd', 'e', 'f'])).toEqual([
      ['b', 2],
      ['a', 1],
      ['c', 1],
      ['d', 1],
      [NEUTRAL_COLOR, 2]
    ]);
  });

  it('count bytes with unknown dimensions as 1', () => {
    expect(tensorBytes(load('cnn'), 'float32', [null, 28, 28, 1])).toBe(3136);
    expect(tensorBytes(load('cnn'), 'int64', null)).toBe(8);
  });

  it('derive edges from inputs and control inputs', () => {
    const payload = load('two_devices');
    const named = edgesOf(payload).map(
      e => `${payload.nodes[e.source].name}>${payload.nodes[e.target].name}:${e.kind}`
    );
    expect(named).toContain('layer1/init>layer1/add:control');
    expect(named).toContain('x>layer1/MatMul:data');
  });

  it('note stubs by name, three at most', () => {
    const labels = new Map([
      ['a', 'init'],
      ['b', 'save'],
      ['c', 'Adam'],
      ['d', 'x']
    ]);
    expect(stubText(['a', 'b', 'c', 'd'], labels)).toBe('⇄ init, save, Adam +1');
  });

  it('pick text colours and shorten names as the Python renderer does', () => {
    expect(textColor('#332288')).toBe('#ffffff');
    expect(textColor('#ddcc77')).toBe('#000000');
    expect(truncate('abcdefgh', 5)).toBe('…efgh');
    expect(formatShape([null, 3])).toBe('(?, 3)');
    expect(formatShape([2])).toBe('(2,)');
    expect(formatShape(null)).toBe('<unknown>');
  });
});

describe('legendEntries', () => {
  it('labels devices with their short labels and counts, and explains dashed borders', () => {
    expect(legendEntries(load('two_devices'), 'device').map(e => e.label)).toEqual([
      'CPU:0 (3)',
      'CPU:1 (4)',
      'placed elsewhere than requested'
    ]);
  });

  it('lists op categories in the palette order', () => {
    const labels = legendEntries(load('cnn'), 'op').map(e => e.label.split(' ')[0]);
    expect(labels.slice(0, 3)).toEqual(['math', 'array', 'nn']);
    const colors = legendEntries(load('cnn'), 'op').map(e => e.color);
    expect(new Set(colors).size).toBe(colors.length);
  });

  it('gives compute time its fastest and slowest', () => {
    expect(legendEntries(load('two_devices'), 'time').map(e => e.label)).toEqual([
      '0 µs (fastest)',
      '42 µs (slowest)',
      'placed elsewhere than requested'
    ]);
  });
});

describe('search and tracing', () => {
  const payload = load('two_devices');

  it('matches substrings and regular expressions, in graph order', () => {
    expect(searchNodes(payload, 'LAYER1/m', false).matches).toEqual(['layer1/MatMul']);
    expect(searchNodes(payload, '^(x|y)$', true).matches).toEqual(['x', 'y']);
    expect(searchNodes(payload, '(', true).error).toMatch(/^invalid regular expression/);
    expect(searchNodes(load('xss_names'), XSS_NAME, false).matches).toEqual([XSS_NAME]);
  });

  it('opens the groups holding a match', () => {
    expect([...openTo(payload, new Set(), 'layer1/MatMul')]).toEqual(['g0']);
  });

  it('follows data and control edges upstream', () => {
    expect([...ancestors(payload, 'layer1/add')].sort()).toEqual([
      'layer1/MatMul',
      'layer1/b',
      'layer1/init',
      'layer1/w',
      'x'
    ]);
    expect(ancestors(payload, 'x').size).toBe(0);
  });
});
