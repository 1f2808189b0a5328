/**
 * Pure functions over a payload: which units (ops and collapsed scopes) are
 * visible for a collapse state, the DOT source that draws them, colours,
 * legend entries, search and input tracing. No DOM here, so jest tests it all.
 */

import { ColorBy, IColorMap, INode, ITFGraphPayload } from './payload';

/**
 * Fill for a unit the active colour map says nothing about, and the border of
 * ops placed elsewhere than requested: both as the Python renderer draws them
 * (workbench/palette.py).
 */
export const NEUTRAL_COLOR = '#dddddd';
export const SOFT_PLACED_COLOR = '#d62728';

/** Most colours a folded scope is striped with; the rest share a neutral stripe. */
export const MAX_STRIPES = 4;

/** Longest name drawn inside a node; the side panel always shows the full one. */
export const MAX_LABEL_LENGTH = 48;

/** Something drawn as one graphviz node: an op, or a collapsed name scope. */
export interface IUnit {
  /** DOT node id, also the `<title>` graphviz writes into the SVG. */
  id: string;
  kind: 'op' | 'scope';
  /** Op name or scope name. */
  name: string;
  /** Names of the ops it stands for (just itself for an op). */
  members: string[];
}

/** The drawing of a payload under one collapse state. */
export interface IGraphView {
  dot: string;
  /** Units by DOT id. */
  units: Map<string, IUnit>;
  /** For each op name, the DOT id of the unit that shows it. */
  unitOf: Map<string, string>;
  /** Expanded scopes by DOT cluster id (`cluster_N`). */
  clusters: Map<string, string>;
  /** Drawn edges by the CSS class graphviz puts on them (`tfg_eN`). */
  edges: Map<string, IDrawnEdge>;
}

/** An edge as drawn: between two units, one per (source, target, kind). */
export interface IDrawnEdge {
  /** DOT id of the source unit. */
  source: string;
  /** DOT id of the target unit. */
  target: string;
  kind: 'data' | 'control';
}

/** One row of the legend. */
export interface ILegendEntry {
  color: string;
  label: string;
  /** Colour of a dashed outline, for the soft-placement row. */
  outline?: string;
}

/** Result of a search: the matching op names, or why the query is unusable. */
export interface ISearchResult {
  matches: Set<string>;
  error: string | null;
}

/**
 * Quote text as a DOT label string that shows exactly that text.
 *
 * Graphviz decodes HTML entities in labels, so `&` becomes `&amp;`; backslashes
 * are doubled so its label escapes (`\N`, `\l`, ...) stay literal; quotes are
 * escaped, and line breaks become graphviz's `\n`.
 */
export function dotString(text: string): string {
  const escaped = text
    .replace(/&/g, '&amp;')
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\r\n|\r|\n/g, '\\n')
    // Other control characters would end or corrupt the DOT string.
    .replace(/[\u0000-\u001f\u007f]/g, '\uFFFD');
  return `"${escaped}"`;
}

/** Shorten a long name for drawing, keeping its end (the most specific part). */
export function truncate(text: string, max: number = MAX_LABEL_LENGTH): string {
  return text.length <= max ? text : `…${text.slice(text.length - max + 1)}`;
}

/**
 * The parent of a scope: the payload's `parent` link when it has one, else the
 * name up to its last `/`. The top level is `''`.
 */
export function parentScope(payload: ITFGraphPayload, scope: string): string {
  const known = Private.parents(payload).get(scope);
  if (known !== undefined) {
    return known;
  }
  const slash = scope.lastIndexOf('/');
  return slash < 0 ? '' : scope.slice(0, slash);
}

/** The scopes enclosing `scope`, outermost first, `scope` included (`''` excluded). */
export function scopeChain(payload: ITFGraphPayload, scope: string): string[] {
  const chain: string[] = [];
  const seen = new Set<string>();
  // `seen` stops a malicious cycle of parent links.
  for (let s = scope; s !== '' && !seen.has(s); s = parentScope(payload, s)) {
    seen.add(s);
    chain.unshift(s);
  }
  return chain;
}

/** Colour of one op under a colouring, from the payload's colour maps. */
export function nodeColor(payload: ITFGraphPayload, colorBy: ColorBy, node: INode): string {
  const map = payload.colors[colorBy];
  switch (colorBy) {
    case 'device':
      return Private.lookup(map, node.assigned_device ?? node.requested_device);
    case 'op':
      return Private.lookup(map, node.op);
    case 'scope':
      return Private.lookup(map, node.scope);
    case 'time':
      return Private.lookup(map, node.name);
    case 'status':
      return node.status === null ? NEUTRAL_COLOR : Private.lookup(map, node.status);
  }
}

/**
 * Fills of a unit as `[colour, count]`, most common first: an op's own colour,
 * or for a folded scope the colours of its ops, as stripes (at most
 * `MAX_STRIPES`, the rest neutral) like the Python renderer draws them.
 */
export function unitFills(
  payload: ITFGraphPayload,
  colorBy: ColorBy,
  unit: IUnit
): [string, number][] {
  const nodes = Private.nodesByName(payload);
  const counts = new Map<string, number>();
  for (const name of unit.members) {
    const color = nodeColor(payload, colorBy, nodes.get(name)!);
    counts.set(color, (counts.get(color) ?? 0) + 1);
  }
  // A stable sort keeps first-seen order among equal counts.
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  const top = sorted.slice(0, MAX_STRIPES);
  const rest = sorted.slice(MAX_STRIPES).reduce((sum, [, count]) => sum + count, 0);
  return rest > 0 ? [...top, [NEUTRAL_COLOR, rest]] : top;
}

/**
 * Black or white, whichever reads better on `background` (`#rrggbb`), by WCAG
 * relative luminance as workbench/palette.py's `text_color` decides.
 */
export function textColor(background: string): string {
  const linear = (i: number) => {
    const c = parseInt(background.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * linear(1) + 0.7152 * linear(3) + 0.0722 * linear(5);
  return luminance > 0.179 ? '#000000' : '#ffffff';
}

/**
 * Lay out which units are visible when the scopes in `collapsed` are folded,
 * and write the DOT that draws them: expanded scopes become clusters, ops in a
 * collapsed scope become one node for its outermost collapsed scope, and edges
 * between two units are merged (control edges dashed).
 */
export function buildView(
  payload: ITFGraphPayload,
  collapsed: ReadonlySet<string>,
  colorBy: ColorBy
): IGraphView {
  const units = new Map<string, IUnit>();
  const unitOf = new Map<string, string>();
  const scopeUnits = new Map<string, IUnit>();
  // Expanded scope -> DOT ids of the units and child clusters drawn inside it.
  const root = new Private.Cluster('', 'root');
  const clusterOf = new Map<string, Private.Cluster>([['', root]]);
  const clusters = new Map<string, string>();

  const clusterFor = (chain: string[]): Private.Cluster => {
    let parent = root;
    for (const scope of chain) {
      let cluster = clusterOf.get(scope);
      if (cluster === undefined) {
        cluster = new Private.Cluster(scope, `cluster_${clusterOf.size - 1}`);
        clusterOf.set(scope, cluster);
        clusters.set(cluster.id, scope);
        parent.children.push(cluster);
      }
      parent = cluster;
    }
    return parent;
  };

  payload.nodes.forEach((node, index) => {
    const chain = scopeChain(payload, node.scope);
    const fold = chain.findIndex(scope => collapsed.has(scope));
    if (fold < 0) {
      const unit: IUnit = { id: `n${index}`, kind: 'op', name: node.name, members: [node.name] };
      units.set(unit.id, unit);
      unitOf.set(node.name, unit.id);
      clusterFor(chain).units.push(unit);
      return;
    }
    const scope = chain[fold];
    let unit = scopeUnits.get(scope);
    if (unit === undefined) {
      unit = { id: `s${scopeUnits.size}`, kind: 'scope', name: scope, members: [] };
      scopeUnits.set(scope, unit);
      units.set(unit.id, unit);
      clusterFor(chain.slice(0, fold)).units.push(unit);
    }
    unit.members.push(node.name);
    unitOf.set(node.name, unit.id);
  });

  const lines = [
    'digraph tfgraph {',
    '  graph [rankdir=TB, nodesep=0.25, ranksep=0.35, fontname="sans-serif", fontsize=10];',
    '  node [shape=box, fontname="sans-serif", fontsize=10, ' +
      'height=0.3, margin="0.08,0.03", penwidth=0.8];',
    '  edge [arrowsize=0.6, penwidth=0.8, color="#666666"];'
  ];
  Private.writeCluster(payload, colorBy, root, lines, '  ');
  const edges = Private.mergedEdges(payload, unitOf);
  for (const [cls, edge] of edges) {
    const style = edge.kind === 'control' ? ', style=dashed' : '';
    lines.push(`  ${edge.source} -> ${edge.target} [class="${cls}"${style}];`);
  }
  lines.push('}');
  return { dot: lines.join('\n'), units, unitOf, clusters, edges };
}

/**
 * How many units (ops and folded scopes) a collapse state draws.
 */
export function countUnits(payload: ITFGraphPayload, collapsed: ReadonlySet<string>): number {
  const folded = new Set<string>();
  let ops = 0;
  for (const node of payload.nodes) {
    const scope = scopeChain(payload, node.scope).find(s => collapsed.has(s));
    if (scope === undefined) {
      ops++;
    } else {
      folded.add(scope);
    }
  }
  return ops + folded.size;
}

/**
 * A collapse state that draws at most `limit` units where the scopes allow it:
 * `collapsed` plus every scope at the deepest nesting level that is enough
 * (folding deep scopes first keeps the most structure visible). Graphviz's
 * layout time grows steeply with size, so a huge expanded payload would
 * otherwise freeze the page for minutes.
 */
export function foldToFit(
  payload: ITFGraphPayload,
  collapsed: ReadonlySet<string>,
  limit: number
): Set<string> {
  let best = new Set(collapsed);
  if (countUnits(payload, best) <= limit) {
    return best;
  }
  const depths = new Map<string, number>();
  let deepest = 0;
  for (const node of payload.nodes) {
    const chain = scopeChain(payload, node.scope);
    chain.forEach((scope, i) => depths.set(scope, i + 1));
    deepest = Math.max(deepest, chain.length);
  }
  for (let depth = deepest; depth >= 1; depth--) {
    best = new Set(collapsed);
    for (const [scope, d] of depths) {
      if (d === depth) {
        best.add(scope);
      }
    }
    if (countUnits(payload, best) <= limit) {
      break;
    }
  }
  return best;
}

/**
 * Names of the ops whose name matches `query`: a case-insensitive substring,
 * or a case-insensitive regular expression when `regex` is set.
 */
export function searchNodes(
  payload: ITFGraphPayload,
  query: string,
  regex: boolean
): ISearchResult {
  const matches = new Set<string>();
  if (query === '') {
    return { matches, error: null };
  }
  let test: (name: string) => boolean;
  if (regex) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(query, 'i');
    } catch (error) {
      return { matches, error: `invalid regular expression: ${(error as Error).message}` };
    }
    test = name => pattern.test(name);
  } else {
    const needle = query.toLowerCase();
    test = name => name.toLowerCase().includes(needle);
  }
  for (const node of payload.nodes) {
    if (test(node.name)) {
      matches.add(node.name);
    }
  }
  return { matches, error: null };
}

/**
 * Every op `name` depends on, through data and control edges (not `name` itself
 * unless it lies on a cycle).
 */
export function ancestors(payload: ITFGraphPayload, name: string): Set<string> {
  const producers = new Map<string, string[]>();
  for (const edge of payload.edges) {
    const list = producers.get(edge.target);
    if (list === undefined) {
      producers.set(edge.target, [edge.source]);
    } else {
      list.push(edge.source);
    }
  }
  const found = new Set<string>();
  const stack = [...(producers.get(name) ?? [])];
  while (stack.length > 0) {
    const op = stack.pop()!;
    if (!found.has(op)) {
      found.add(op);
      stack.push(...(producers.get(op) ?? []));
    }
  }
  return found;
}

/**
 * The legend for a colouring, built from the payload's colour map so it matches
 * the Python renderer. Devices are labelled with their short label; compute
 * time lists each colour with the range of times drawn in it, fastest first.
 * A last row explains dashed red borders when some op was soft-placed.
 */
export function legendEntries(payload: ITFGraphPayload, colorBy: ColorBy): ILegendEntry[] {
  const map = payload.colors[colorBy];
  if (colorBy === 'time') {
    return [...Private.timeLegend(payload, map), ...Private.softPlacedEntry(payload)];
  }
  const labels = new Map<string, string>();
  if (colorBy === 'device') {
    for (const device of payload.devices) {
      labels.set(device.name, device.label);
    }
  }
  const keys = Object.keys(map);
  if (colorBy !== 'device') {
    keys.sort();
  }
  const entries: ILegendEntry[] = keys.map(key => ({
    color: map[key],
    label: labels.get(key) ?? (key === '' && colorBy === 'scope' ? '(top level)' : key)
  }));
  return [...entries, ...Private.softPlacedEntry(payload)];
}

/** Format a static shape the way TF prints it: `(2, ?)`, `()` or `<unknown>`. */
export function formatShape(shape: (number | null)[] | null | undefined): string {
  if (shape === null || shape === undefined) {
    return '<unknown>';
  }
  const dims = shape.map(d => (d === null ? '?' : String(d)));
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
}

/**
 * Module-private helpers.
 */
namespace Private {
  /** An expanded scope drawn as a cluster, or the top level. */
  export class Cluster {
    constructor(
      readonly scope: string,
      readonly id: string
    ) {}
    readonly units: IUnit[] = [];
    readonly children: Cluster[] = [];
  }

  // Indexes are cached per payload object: payloads are never mutated.
  const parentCache = new WeakMap<ITFGraphPayload, Map<string, string>>();
  const nodeCache = new WeakMap<ITFGraphPayload, Map<string, INode>>();

  export function parents(payload: ITFGraphPayload): Map<string, string> {
    let map = parentCache.get(payload);
    if (map === undefined) {
      map = new Map(payload.scopes.map(s => [s.name, s.parent]));
      parentCache.set(payload, map);
    }
    return map;
  }

  export function nodesByName(payload: ITFGraphPayload): Map<string, INode> {
    let map = nodeCache.get(payload);
    if (map === undefined) {
      map = new Map(payload.nodes.map(n => [n.name, n]));
      nodeCache.set(payload, map);
    }
    return map;
  }

  /** A colour map entry, ignoring inherited keys like "constructor". */
  export function lookup(map: IColorMap, key: string): string {
    return Object.prototype.hasOwnProperty.call(map, key) ? map[key] : NEUTRAL_COLOR;
  }

  /** The last path component of `name` below `scope`. */
  function shortName(name: string, scope: string): string {
    if (scope !== '' && name.startsWith(`${scope}/`)) {
      return name.slice(scope.length + 1);
    }
    const slash = name.lastIndexOf('/');
    return slash < 0 ? name : name.slice(slash + 1);
  }

  /**
   * One node statement. Folded scopes get a double border and stripes; ops
   * placed elsewhere than requested a dashed red border (as in the Python SVG).
   */
  function unitStatement(payload: ITFGraphPayload, colorBy: ColorBy, unit: IUnit): string {
    const nodes = nodesByName(payload);
    const fills = unitFills(payload, colorBy, unit);
    const styles: string[] = [];
    let fillcolor: string;
    if (fills.length > 1) {
      const total = fills.reduce((sum, [, count]) => sum + count, 0);
      fillcolor = fills.map(([color, count]) => `${color};${(count / total).toFixed(3)}`).join(':');
      styles.push('striped');
    } else {
      fillcolor = fills[0][0];
      styles.push(unit.kind === 'scope' ? 'filled' : 'rounded,filled');
    }
    let label: string;
    let extra = '';
    if (unit.kind === 'scope') {
      const ops = unit.members.length === 1 ? '1 op' : `${unit.members.length} ops`;
      label = `+ ${truncate(shortName(unit.name, parentScope(payload, unit.name)))}\n${ops}`;
      extra += ', peripheries=2';
    } else {
      const node = nodes.get(unit.name)!;
      const name = truncate(shortName(node.name, node.scope));
      label = name === node.op ? name : `${name}\n${truncate(node.op)}`;
    }
    if (unit.members.some(name => nodes.get(name)!.soft_placed)) {
      styles.push('dashed');
      extra += `, color="${SOFT_PLACED_COLOR}", penwidth=3`;
    }
    return (
      `${unit.id} [label=${dotString(label)}, style="${styles.join(',')}", ` +
      `fillcolor="${fillcolor}", fontcolor="${textColor(fills[0][0])}"${extra}];`
    );
  }

  export function writeCluster(
    payload: ITFGraphPayload,
    colorBy: ColorBy,
    cluster: Cluster,
    lines: string[],
    indent: string
  ): void {
    for (const unit of cluster.units) {
      lines.push(indent + unitStatement(payload, colorBy, unit));
    }
    for (const child of cluster.children) {
      const label = `− ${truncate(shortName(child.scope, parentScope(payload, child.scope)))}`;
      lines.push(`${indent}subgraph ${child.id} {`);
      lines.push(
        `${indent}  graph [label=${dotString(label)}, labeljust=l, style="rounded,dashed", ` +
          'color="#999999"];'
      );
      writeCluster(payload, colorBy, child, lines, `${indent}  `);
      lines.push(`${indent}}`);
    }
  }

  /** Edges between distinct units, one per (source, target, kind), by CSS class. */
  export function mergedEdges(
    payload: ITFGraphPayload,
    unitOf: Map<string, string>
  ): Map<string, IDrawnEdge> {
    const seen = new Set<string>();
    const drawn = new Map<string, IDrawnEdge>();
    for (const edge of payload.edges) {
      const source = unitOf.get(edge.source);
      const target = unitOf.get(edge.target);
      // Edges naming unknown ops are dropped; edges inside one collapsed scope vanish.
      if (source === undefined || target === undefined || source === target) {
        continue;
      }
      const key = `${source} ${target} ${edge.kind}`;
      if (!seen.has(key)) {
        seen.add(key);
        drawn.set(`tfg_e${drawn.size}`, { source, target, kind: edge.kind });
      }
    }
    return drawn;
  }

  /** The legend row for dashed red borders, when some op has one. */
  export function softPlacedEntry(payload: ITFGraphPayload): ILegendEntry[] {
    return payload.nodes.some(node => node.soft_placed)
      ? [
          {
            color: '#ffffff',
            label: 'placed elsewhere than requested',
            outline: SOFT_PLACED_COLOR
          }
        ]
      : [];
  }

  /** Most legend rows compute-time colouring shows. */
  const TIME_ROWS = 6;

  export function timeLegend(payload: ITFGraphPayload, map: IColorMap): ILegendEntry[] {
    const ranges = new Map<string, [number, number]>();
    for (const node of payload.nodes) {
      if (node.time_us === null || !Object.prototype.hasOwnProperty.call(map, node.name)) {
        continue;
      }
      const color = map[node.name];
      const range = ranges.get(color);
      ranges.set(
        color,
        range === undefined
          ? [node.time_us, node.time_us]
          : [Math.min(range[0], node.time_us), Math.max(range[1], node.time_us)]
      );
    }
    const rows = [...ranges.entries()].sort((a, b) => a[1][0] - b[1][0]);
    const picked =
      rows.length <= TIME_ROWS
        ? rows
        : Array.from(
            { length: TIME_ROWS },
            (_, i) => rows[Math.round((i * (rows.length - 1)) / (TIME_ROWS - 1))]
          );
    const us = (t: number) => `${Number(t.toPrecision(3))} µs`;
    return picked.map(([color, [low, high]]) => ({
      color,
      label: low === high ? us(low) : `${us(low)} – ${us(high)}`
    }));
  }
}
