import { execFileSync } from 'child_process';

import {
  ancestors,
  buildView,
  countUnits,
  dotString,
  foldToFit,
  formatShape,
  legendEntries,
  NEUTRAL_COLOR,
  scopeChain,
  searchNodes,
  SOFT_PLACED_COLOR,
  textColor,
  truncate,
  unitFills
} from '../src/layout';
import { ITFGraphPayload } from '../src/payload';
import { CPU0, CPU1, load, VALID, XSS_NAME } from './fixtures';

/** Lay DOT out with the graphviz `dot` binary, as a second opinion on the syntax. */
function dotToSvg(dot: string): string {
  return execFileSync('dot', ['-Tsvg'], { input: dot, encoding: 'utf-8' });
}

/** `fillcolor` of each DOT node statement, by node id. */
function fills(dot: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of dot.matchAll(/^\s*(\w+) \[label=.*?fillcolor="([^"]*)"/gm)) {
    found.set(match[1], match[2]);
  }
  return found;
}

/** The DOT statement of one unit. */
function statement(dot: string, id: string): string {
  return dot.split('\n').find(line => line.trim().startsWith(`${id} [`))!;
}

describe('dotString', () => {
  it('quotes plain text', () => {
    expect(dotString('layer1/MatMul')).toBe('"layer1/MatMul"');
  });

  it('escapes quotes, backslashes, newlines and control characters', () => {
    expect(dotString('a"b')).toBe('"a\\"b"');
    expect(dotString('\\N\\l')).toBe('"\\\\N\\\\l"');
    expect(dotString('one\ntwo\r\nthree')).toBe('"one\\ntwo\\nthree"');
    expect(dotString('a\u0000b\tc')).toBe('"a\uFFFDb\uFFFDc"');
    expect(dotString('a&lt;b')).toBe('"a&amp;lt;b"');
  });

  it('keeps graphviz from interpreting a label', () => {
    const label = 'quote " backslash \\ \\N newline\n<b>&amp;</b>';
    const svg = dotToSvg(`digraph { a [label=${dotString(label)}]; }`);
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map(m => m[1]);
    expect(texts).toEqual([
      'quote &quot; backslash \\ \\N newline',
      '&lt;b&gt;&amp;amp;&lt;/b&gt;'
    ]);
  });
});

describe('truncate', () => {
  it('keeps short names and the end of long ones', () => {
    expect(truncate('abc', 5)).toBe('abc');
    expect(truncate('abcdefgh', 5)).toBe('…efgh');
  });
});

describe('scopeChain', () => {
  it('follows parent links outermost first', () => {
    const payload = load('nested_collapsed');
    expect(scopeChain(payload, 'encoder/layer1')).toEqual(['encoder', 'encoder/layer1']);
    expect(scopeChain(payload, '')).toEqual([]);
  });

  it('splits unknown scopes on slashes and survives parent cycles', () => {
    const payload = load('two_devices');
    expect(scopeChain(payload, 'a/b/c')).toEqual(['a', 'a/b', 'a/b/c']);
    const cyclic = {
      ...payload,
      scopes: [
        { name: 'p', parent: 'q', op_count: 0 },
        { name: 'q', parent: 'p', op_count: 0 }
      ]
    };
    expect(scopeChain(cyclic, 'p')).toEqual(['q', 'p']);
  });
});

describe('buildView', () => {
  it('draws each op as a node coloured by its assigned device', () => {
    const payload = load('two_devices');
    const view = buildView(payload, new Set(), 'device');
    expect(view.units.size).toBe(7);
    const byName = new Map([...view.units.values()].map(u => [u.name, u.id]));
    const colors = fills(view.dot);
    expect(colors.get(byName.get('layer1/MatMul')!)).toBe('#ff7f0e');
    expect(colors.get(byName.get('x')!)).toBe('#1f77b4');
    expect(new Set(colors.values())).toEqual(new Set(['#1f77b4', '#ff7f0e']));
  });

  it('draws an expanded scope as a labelled cluster and control edges dashed', () => {
    const view = buildView(load('two_devices'), new Set(), 'device');
    expect([...view.clusters.values()]).toEqual(['layer1']);
    expect(view.dot).toMatch(/subgraph cluster_0 \{\n\s+graph \[label="− layer1"/);
    const control = [...view.edges.values()].filter(e => e.kind === 'control');
    expect(control).toHaveLength(1);
    expect(view.units.get(control[0].source)!.name).toBe('init');
    expect(view.dot).toMatch(/-> \w+ \[class="tfg_e\d+", style=dashed\]/);
    expect(view.edges.size).toBe(6);
  });

  it('folds a collapsed scope into one node and merges its edges', () => {
    const payload = load('two_devices');
    const view = buildView(payload, new Set(['layer1']), 'device');
    const scopes = [...view.units.values()].filter(u => u.kind === 'scope');
    expect(scopes).toHaveLength(1);
    expect(scopes[0].members.sort()).toEqual([
      'layer1/MatMul',
      'layer1/add',
      'layer1/b',
      'layer1/w'
    ]);
    expect(view.units.size).toBe(4);
    expect(view.clusters.size).toBe(0);
    expect(view.dot).toContain('label="+ layer1\\n4 ops"');
    // x -> layer1, init -> layer1 (control), layer1 -> y; inner edges vanish.
    const s = scopes[0].id;
    const edges = [...view.edges.values()].map(e => [e.source, e.target, e.kind]);
    expect(edges).toEqual(
      expect.arrayContaining([
        [view.unitOf.get('x'), s, 'data'],
        [view.unitOf.get('init'), s, 'control'],
        [s, view.unitOf.get('y'), 'data']
      ])
    );
    expect(edges).toHaveLength(3);
    // Its ops sit on both CPUs: striped by share, three on CPU:1 and one on CPU:0.
    expect(statement(view.dot, s)).toContain(
      'style="striped", fillcolor="#ff7f0e;0.750:#1f77b4;0.250", fontcolor="#000000", peripheries=2'
    );
  });

  it('honours the outermost collapsed scope and nests expanded ones', () => {
    const payload = load('nested_collapsed');
    const view = buildView(payload, new Set(payload.collapsed), 'scope');
    const folded = [...view.units.values()].filter(u => u.kind === 'scope').map(u => u.name);
    expect(folded.sort()).toEqual(['decoder/layer2', 'encoder']);
    expect([...view.clusters.values()].sort()).toEqual(['decoder', 'decoder/layer1']);
    expect(view.dot).toMatch(/subgraph cluster_\d+ \{[^}]*subgraph cluster_\d+ \{/);

    const expanded = buildView(payload, new Set(['decoder/layer2']), 'scope');
    expect([...expanded.clusters.values()].sort()).toEqual([
      'decoder',
      'decoder/layer1',
      'encoder',
      'encoder/layer1',
      'encoder/layer2'
    ]);
    // A collapsed inner scope stays folded even when its parent collapses and reopens.
    const inner = buildView(payload, new Set(['encoder/layer1']), 'scope');
    expect(inner.units.get(inner.unitOf.get('encoder/layer1/w')!)!.name).toBe('encoder/layer1');
  });

  it.each(VALID)('writes DOT that graphviz lays out, for %s, folded or not', name => {
    const payload = load(name);
    for (const collapsed of [new Set<string>(), new Set(payload.scopes.map(s => s.name))]) {
      const view = buildView(payload, collapsed, payload.color_by);
      const svg = dotToSvg(view.dot);
      expect(svg.match(/class="node"/g) ?? []).toHaveLength(view.units.size);
      expect(svg.match(/class="edge tfg_e\d+"/g) ?? []).toHaveLength(view.edges.size);
    }
  });

  it('writes untrusted names as escaped text, and no injected nodes', () => {
    const payload = load('xss_names');
    const view = buildView(payload, new Set(), 'device');
    const svg = dotToSvg(view.dot);
    expect(svg).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(svg).toContain('back\\slash &quot;quote&quot; &amp;amp;');
    expect(svg).not.toMatch(/<img|<script|<svg onload/);
    expect(svg.match(/class="node"/g)).toHaveLength(2);
    expect(view.dot).not.toContain('evil');
  });

  it('labels a node with its op type only when that differs from its name', () => {
    const dot = buildView(load('two_devices'), new Set(), 'op').dot;
    expect(dot).toContain('label="MatMul"');
    expect(dot).toContain('label="w\\nConst"');
  });
});

describe('foldToFit', () => {
  const payload = load('nested_collapsed');
  const none = new Set<string>();

  it('counts drawn units', () => {
    expect(countUnits(payload, none)).toBe(11);
    expect(countUnits(payload, new Set(payload.collapsed))).toBe(6);
  });

  it('keeps a collapse state that already fits', () => {
    expect(foldToFit(payload, none, 11)).toEqual(none);
  });

  it('folds the deepest level that is enough', () => {
    const folded = foldToFit(payload, none, 8);
    expect([...folded].sort()).toEqual([
      'decoder/layer1',
      'decoder/layer2',
      'encoder/layer1',
      'encoder/layer2'
    ]);
    expect(countUnits(payload, folded)).toBe(7);
    expect([...foldToFit(payload, none, 5)].sort()).toEqual(['decoder', 'encoder']);
  });

  it('keeps what the payload collapsed, and does its best when nothing fits', () => {
    const folded = foldToFit(payload, new Set(['decoder/layer2']), 2);
    expect([...folded].sort()).toEqual(['decoder', 'decoder/layer2', 'encoder']);
    expect(countUnits(payload, folded)).toBe(4);
  });
});

describe('colours', () => {
  it('takes every colouring from the payload maps', () => {
    const payload = load('two_devices');
    const view = buildView(payload, new Set(), 'device');
    const unit = view.units.get(view.unitOf.get('layer1/MatMul')!)!;
    expect(unitFills(payload, 'device', unit)).toEqual([[payload.colors.device[CPU1], 1]]);
    expect(unitFills(payload, 'op', unit)).toEqual([['#bebada', 1]]);
    expect(unitFills(payload, 'scope', unit)).toEqual([['#b3de69', 1]]);
    expect(unitFills(payload, 'time', unit)).toEqual([['#7f2704', 1]]);
    expect(unitFills(payload, 'status', unit)).toEqual([['#a1d99b', 1]]);
  });

  it('falls back to neutral for what a map does not cover', () => {
    const payload = load('nested_collapsed');
    const view = buildView(payload, new Set(), 'status');
    const unit = view.units.get(view.unitOf.get('input')!)!;
    expect(unitFills(payload, 'status', unit)).toEqual([[NEUTRAL_COLOR, 1]]);
    const odd: ITFGraphPayload = {
      ...payload,
      nodes: payload.nodes.map(n => ({ ...n, op: 'constructor' }))
    };
    expect(unitFills(odd, 'op', unit)).toEqual([[NEUTRAL_COLOR, 1]]);
  });

  it('stripes a folded scope with its ops’ colours, most common first', () => {
    const payload = load('nested_collapsed');
    const view = buildView(payload, new Set(['encoder', 'decoder']), 'device');
    const encoder = view.units.get(view.unitOf.get('encoder/step')!)!;
    const decoder = view.units.get(view.unitOf.get('decoder/layer1/w')!)!;
    expect(unitFills(payload, 'device', encoder)).toEqual([[payload.colors.device[CPU0], 5]]);
    expect(unitFills(payload, 'device', decoder)).toEqual([
      [payload.colors.device[CPU0], 2],
      [payload.colors.device[CPU1], 2]
    ]);
    expect(statement(view.dot, encoder.id)).toContain('style="filled"');
  });

  it('gives at most four stripes and a neutral one for the rest', () => {
    const payload = load('nested_collapsed');
    const all = {
      id: 's0',
      kind: 'scope' as const,
      name: 'all',
      members: payload.nodes.map(n => n.name)
    };
    // Five compute-time colours over eleven ops; ties keep first-seen order.
    expect(unitFills(payload, 'time', all)).toEqual([
      ['#fee6ce', 5],
      ['#a63603', 2],
      ['#fd8d3c', 2],
      ['#fdd0a2', 1],
      [NEUTRAL_COLOR, 1]
    ]);
  });

  it('outlines soft-placed ops with a dashed red border', () => {
    const view = buildView(load('two_devices'), new Set(), 'device');
    const y = statement(view.dot, view.unitOf.get('y')!);
    expect(y).toContain('style="rounded,filled,dashed"');
    expect(y).toContain(`color="${SOFT_PLACED_COLOR}", penwidth=3`);
    expect(statement(view.dot, view.unitOf.get('x')!)).not.toContain('dashed');
  });

  it('picks text colours as the Python renderer does', () => {
    expect(textColor('#332288')).toBe('#ffffff');
    expect(textColor('#ddcc77')).toBe('#000000');
    expect(textColor('#7f2704')).toBe('#ffffff');
    expect(textColor('#ffffb3')).toBe('#000000');
  });
});

describe('legendEntries', () => {
  const softPlaced = {
    color: '#ffffff',
    label: 'placed elsewhere than requested',
    outline: SOFT_PLACED_COLOR
  };

  it('labels devices with their short labels, and explains dashed borders', () => {
    expect(legendEntries(load('two_devices'), 'device')).toEqual([
      { color: '#1f77b4', label: 'CPU:0' },
      { color: '#ff7f0e', label: 'CPU:1' },
      softPlaced
    ]);
    expect(legendEntries(load('nested_collapsed'), 'device')).toHaveLength(2);
  });

  it('lists op types and scopes sorted', () => {
    const payload = load('two_devices');
    expect(legendEntries(payload, 'op').map(e => e.label)).toEqual([
      'AddV2',
      'Const',
      'Identity',
      'MatMul',
      'NoOp',
      'Placeholder',
      softPlaced.label
    ]);
    expect(legendEntries(payload, 'scope')).toEqual([
      { color: '#e5e5e5', label: '(top level)' },
      { color: '#b3de69', label: 'layer1' },
      softPlaced
    ]);
  });

  it('gives compute-time colours the range of times they stand for', () => {
    expect(legendEntries(load('two_devices'), 'time')).toEqual([
      { color: '#fff5eb', label: '0.1 µs – 1 µs' },
      { color: '#fdae6b', label: '3 µs' },
      { color: '#7f2704', label: '42 µs' },
      softPlaced
    ]);
  });
});

describe('searchNodes', () => {
  const payload = load('two_devices');

  it('matches substrings case-insensitively', () => {
    expect(searchNodes(payload, 'LAYER1/m', false).matches).toEqual(new Set(['layer1/MatMul']));
    expect(searchNodes(payload, '', false).matches.size).toBe(0);
  });

  it('matches regular expressions', () => {
    const { matches, error } = searchNodes(payload, '^layer1/(w|b)$', true);
    expect(error).toBeNull();
    expect(matches).toEqual(new Set(['layer1/w', 'layer1/b']));
  });

  it('treats regex characters literally unless asked', () => {
    expect(searchNodes(payload, '.', false).matches.size).toBe(0);
    expect(searchNodes(load('xss_names'), '<img', false).matches).toEqual(new Set([XSS_NAME]));
  });

  it('reports an invalid regular expression', () => {
    const result = searchNodes(payload, 'layer1/(', true);
    expect(result.matches.size).toBe(0);
    expect(result.error).toMatch(/^invalid regular expression: /);
  });
});

describe('ancestors', () => {
  const payload = load('two_devices');

  it('follows data and control edges upstream', () => {
    expect(ancestors(payload, 'layer1/add')).toEqual(
      new Set(['layer1/MatMul', 'x', 'layer1/w', 'layer1/b', 'init'])
    );
    expect(ancestors(payload, 'y').size).toBe(6);
  });

  it('is empty for a source op', () => {
    expect(ancestors(payload, 'x').size).toBe(0);
  });

  it('terminates on cycles', () => {
    const cyclic = {
      ...payload,
      edges: [
        { source: 'x', target: 'y', kind: 'data' as const },
        { source: 'y', target: 'x', kind: 'data' as const }
      ]
    };
    expect(ancestors(cyclic, 'x')).toEqual(new Set(['x', 'y']));
  });
});

describe('formatShape', () => {
  it('prints shapes as TF does', () => {
    expect(formatShape([null, 3])).toBe('(?, 3)');
    expect(formatShape([2])).toBe('(2,)');
    expect(formatShape([])).toBe('()');
    expect(formatShape(null)).toBe('<unknown>');
  });
});
