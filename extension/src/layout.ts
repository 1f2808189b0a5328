/**
 * Pure functions over a payload: the drawing for a set of open groups (boxes,
 * clusters, bundled arrows: the contract of workbench/drawing.py, held to it by
 * the golden fixtures), colours, legend, search and input tracing. No DOM here.
 */

import { ColorBy, IGroup, INode, ITFGraphPayload, Shape } from './payload';

/** Fill of a box the active colour map says nothing about (workbench/palette.py). */
export const NEUTRAL_COLOR = '#dddddd';

/** Border of ops placed elsewhere than they asked. */
export const SOFT_PLACED_COLOR = '#d62728';

/** Most colours a box is striped with; the rest share a neutral stripe. */
export const MAX_STRIPES = 4;

/** Bytes above which an arrow gets one step wider (1 to 6). */
export const WIDTH_STEPS = [1e3, 1e4, 1e5, 1e6, 1e7];

/** Longest name drawn inside a box; the side panel always shows the full one. */
export const MAX_LABEL_LENGTH = 48;

/** A data or control edge between two ops, by their positions in the payload. */
export interface IEdge {
  source: number;
  target: number;
  kind: 'data' | 'control';
  tensor?: string;
  dtype?: string;
  shape?: Shape;
}

/** One drawn box: an op (`n<position>`) or a closed group (its id). */
export interface IBox {
  id: string;
  kind: 'op' | IGroup['kind'];
  label: string;
  /** How many ops it stands for. */
  members: number;
  /** `[colour, ops]`, the stripes. */
  fills: [string, number][];
  /** The cluster it sits in: an open group's id, `aux:<id>` for a side area, '' at top. */
  cluster: string;
  auxiliary: boolean;
  /** Ids of the side-area boxes it has edges with (drawn as a note, not arrows). */
  stubs: string[];
  softPlaced: boolean;
}

/** An open group, or a side area (`aux:<group id>`). */
export interface ICluster {
  id: string;
  label: string;
  parent: string;
}

/** Edges between two boxes, bundled. */
export interface IArrow {
  source: string;
  target: string;
  kind: 'data' | 'control';
  count: number;
  width: number;
  label: string;
  tooltip: string;
}

/** What to draw for one set of open groups. */
export interface IDrawing {
  boxes: IBox[];
  clusters: ICluster[];
  arrows: IArrow[];
  /** The box showing each op, by op position. */
  boxOf: string[];
  byId: Map<string, IBox>;
}

/** One row of the legend. */
export interface ILegendEntry {
  color: string;
  label: string;
  /** Colour of a dashed outline, for the soft-placement row. */
  outline?: string;
}

/** Result of a search: the matching op names in graph order, or why the query is unusable. */
export interface ISearchResult {
  matches: string[];
  error: string | null;
}

/**
 * The drawing of `payload` with the groups in `expanded` open (workbench/drawing.py):
 * every op shows as the outermost closed group holding it, or as itself; open
 * groups are clusters; auxiliary children sit in their parent's side area, and
 * their edges with the rest are stubs; edges between two boxes bundle into one
 * arrow.
 */
export function drawing(
  payload: ITFGraphPayload,
  expanded: ReadonlySet<string>,
  colorBy: ColorBy
): IDrawing {
  const index = Private.index(payload);
  const opened = openedGroups(payload, expanded);
  const boxes = new Map<string, IBox>();
  const colors = new Map<string, string[]>();
  const boxOf: string[] = [];
  payload.nodes.forEach((node, i) => {
    const closed = index.chains[i].find(g => !opened.has(g));
    const id = closed ?? `n${i}`;
    boxOf.push(id);
    let box = boxes.get(id);
    if (box === undefined) {
      box =
        closed === undefined ? Private.opBox(node, i) : Private.groupBox(index.groups.get(closed)!);
      boxes.set(id, box);
      colors.set(id, []);
    }
    colors.get(id)!.push(nodeColor(payload, colorBy, node));
    box.softPlaced = box.softPlaced || node.soft_placed === true;
  });
  for (const box of boxes.values()) {
    box.members = colors.get(box.id)!.length;
    box.fills = stripes(colors.get(box.id)!);
  }
  const side = Private.sideRoots(payload, boxOf);
  const arrows = Private.arrows(payload, boxOf, side, boxes);
  return {
    boxes: [...boxes.values()],
    clusters: Private.clusters(payload, opened, boxes),
    arrows,
    boxOf,
    byId: boxes
  };
}

/** The open groups that show: open, and every enclosing group open too. */
export function openedGroups(payload: ITFGraphPayload, expanded: ReadonlySet<string>): Set<string> {
  const opened = new Set<string>();
  for (const group of payload.groups) {
    if (expanded.has(group.id) && (group.parent === '' || opened.has(group.parent))) {
      opened.add(group.id);
    }
  }
  return opened;
}

/** Group ids holding op `position`, outermost first. */
export function chainOf(payload: ITFGraphPayload, position: number): string[] {
  return Private.index(payload).chains[position];
}

/** The position of op `name` in the payload, or -1. */
export function positionOf(payload: ITFGraphPayload, name: string): number {
  return Private.index(payload).positions.get(name) ?? -1;
}

/** The group with this id. */
export function groupById(payload: ITFGraphPayload, id: string): IGroup | undefined {
  return Private.index(payload).groups.get(id);
}

/**
 * The data and control edges among the payload's ops, from their inputs: a data
 * input `op:i` names output i of op `op` (inputs naming nothing are left out).
 */
export function edgesOf(payload: ITFGraphPayload): IEdge[] {
  return Private.index(payload).edges;
}

/** `[colour, count]` most common first, the rest past `MAX_STRIPES` as one neutral stripe. */
export function stripes(colors: string[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const color of colors) {
    counts.set(color, (counts.get(color) ?? 0) + 1);
  }
  // A stable sort keeps first-seen order among equal counts, as Python's Counter does.
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  const top = sorted.slice(0, MAX_STRIPES);
  const rest = sorted.slice(MAX_STRIPES).reduce((sum, [, count]) => sum + count, 0);
  return rest > 0 ? [...top, [NEUTRAL_COLOR, rest]] : top;
}

/** Colour of one op under a colouring, from the payload's colour maps. */
export function nodeColor(payload: ITFGraphPayload, colorBy: ColorBy, node: INode): string {
  const map = payload.colors[colorBy];
  switch (colorBy) {
    case 'op':
      return Private.lookup(map, payload.categories[node.op] ?? '');
    case 'device':
      return Private.lookup(map, payload.devices[node.device]?.name ?? '');
    case 'scope':
      return Private.lookup(map, scopeOf(node.name));
    case 'time':
      return Private.lookup(map, node.name);
    case 'status':
      return node.status === undefined ? NEUTRAL_COLOR : Private.lookup(map, node.status);
  }
}

/** The name scope of an op: its name up to the last `/`. */
export function scopeOf(name: string): string {
  const slash = name.lastIndexOf('/');
  return slash < 0 ? '' : name.slice(0, slash);
}

/** The op's category (math, array, nn ...) as the payload says. */
export function categoryOf(payload: ITFGraphPayload, node: INode): string {
  return payload.categories[node.op] ?? 'other';
}

/** Where an op runs (placed graphs) and where it asked to run. */
export function devicesOf(
  payload: ITFGraphPayload,
  node: INode
): { requested: string; assigned: string | null } {
  const device = payload.devices[node.device]?.name ?? '';
  return payload.placed
    ? { requested: node.requested_device ?? '', assigned: device }
    : { requested: device, assigned: null };
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

/** Shorten a long name for drawing, keeping its end (the most specific part). */
export function truncate(text: string, max: number = MAX_LABEL_LENGTH): string {
  return text.length <= max ? text : `…${text.slice(text.length - max + 1)}`;
}

/** Format a static shape the way TF prints it: `(2, ?)`, `(2,)`, `()` or `<unknown>`. */
export function formatShape(shape: Shape | undefined): string {
  if (shape === null || shape === undefined) {
    return '<unknown>';
  }
  const dims = shape.map(d => (d === null ? '?' : String(d)));
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
}

/** `float32 (?, 3)`: how an edge is labelled (workbench/labels.py `tensor_text`). */
export function tensorText(dtype: string | undefined, shape: Shape | undefined): string {
  return `${dtype} ${formatShape(shape)}`;
}

/** Bytes of a tensor, counting an unknown dimension (or rank) as 1. */
export function tensorBytes(payload: ITFGraphPayload, dtype: string, shape: Shape): number {
  const size = payload.dtype_sizes[dtype] ?? 8;
  return (shape ?? []).reduce((bytes: number, d) => bytes * (d || 1), size);
}

/**
 * Names of the ops whose name matches `query`, in graph order: a case-insensitive
 * substring, or a case-insensitive regular expression when `regex` is set.
 */
export function searchNodes(
  payload: ITFGraphPayload,
  query: string,
  regex: boolean
): ISearchResult {
  if (query === '') {
    return { matches: [], error: null };
  }
  let test: (name: string) => boolean;
  if (regex) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(query, 'i');
    } catch (error) {
      return { matches: [], error: `invalid regular expression: ${(error as Error).message}` };
    }
    test = name => pattern.test(name);
  } else {
    const needle = query.toLowerCase();
    test = name => name.toLowerCase().includes(needle);
  }
  return { matches: payload.nodes.filter(n => test(n.name)).map(n => n.name), error: null };
}

/** `expanded` plus every group holding op `name`, so that op shows as itself. */
export function openTo(
  payload: ITFGraphPayload,
  expanded: ReadonlySet<string>,
  name: string
): Set<string> {
  const position = positionOf(payload, name);
  return new Set([...expanded, ...(position < 0 ? [] : chainOf(payload, position))]);
}

/**
 * Every op `name` depends on, through data and control edges (not `name` itself
 * unless it lies on a cycle).
 */
export function ancestors(payload: ITFGraphPayload, name: string): Set<string> {
  const producers = new Map<number, number[]>();
  for (const edge of edgesOf(payload)) {
    const list = producers.get(edge.target) ?? [];
    list.push(edge.source);
    producers.set(edge.target, list);
  }
  const found = new Set<string>();
  const stack = [...(producers.get(positionOf(payload, name)) ?? [])];
  while (stack.length > 0) {
    const op = stack.pop()!;
    const opName = payload.nodes[op].name;
    if (!found.has(opName)) {
      found.add(opName);
      stack.push(...(producers.get(op) ?? []));
    }
  }
  return found;
}

/**
 * The legend for a colouring, in the colour map's order (the palette's, for op
 * categories), each row with its op count, like workbench/drawing.py's. Compute
 * time shows the fastest and slowest; a last row explains dashed red borders.
 */
export function legendEntries(payload: ITFGraphPayload, colorBy: ColorBy): ILegendEntry[] {
  const map = payload.colors[colorBy];
  const soft = payload.nodes.some(n => n.soft_placed)
    ? [{ color: '#ffffff', label: 'placed elsewhere than requested', outline: SOFT_PLACED_COLOR }]
    : [];
  if (colorBy === 'time') {
    return [...Private.timeLegend(payload), ...soft];
  }
  const counts = new Map<string, number>();
  for (const node of payload.nodes) {
    const key = Private.colorKey(payload, colorBy, node);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const labels = new Map(payload.devices.map(d => [d.name, d.label]));
  const entries = Object.keys(map)
    .filter(key => counts.has(key))
    .map(key => {
      let name = key;
      if (colorBy === 'device') {
        name = labels.get(key) ?? key;
      } else if (colorBy === 'scope' && key === '') {
        name = '(top level)';
      }
      return { color: map[key], label: `${name} (${counts.get(key)})` };
    });
  return [...entries, ...soft];
}

/**
 * Module-private helpers.
 */
namespace Private {
  interface IIndex {
    positions: Map<string, number>;
    groups: Map<string, IGroup>;
    chains: string[][];
    edges: IEdge[];
  }

  // Indexes are cached per payload object: payloads are never mutated.
  const cache = new WeakMap<ITFGraphPayload, IIndex>();

  export function index(payload: ITFGraphPayload): IIndex {
    let found = cache.get(payload);
    if (found === undefined) {
      const groups = new Map(payload.groups.map(g => [g.id, g]));
      const positions = new Map(payload.nodes.map((n, i) => [n.name, i]));
      const groupChains = new Map<string, string[]>([['', []]]);
      for (const group of payload.groups) {
        groupChains.set(group.id, [...(groupChains.get(group.parent) ?? []), group.id]);
      }
      const chains = payload.nodes.map(n => groupChains.get(n.group) ?? []);
      found = { positions, groups, chains, edges: edges(payload, positions) };
      cache.set(payload, found);
    }
    return found;
  }

  function edges(payload: ITFGraphPayload, positions: Map<string, number>): IEdge[] {
    const found: IEdge[] = [];
    payload.nodes.forEach((node, target) => {
      for (const tensor of node.inputs) {
        const colon = tensor.lastIndexOf(':');
        const source = colon < 0 ? undefined : positions.get(tensor.slice(0, colon));
        const output =
          source === undefined
            ? undefined
            : payload.nodes[source].outputs[Number(tensor.slice(colon + 1))];
        if (source !== undefined && output !== undefined && /^\d+$/.test(tensor.slice(colon + 1))) {
          found.push({
            source,
            target,
            kind: 'data',
            tensor,
            dtype: output.dtype,
            shape: output.shape
          });
        }
      }
      for (const name of node.control_inputs ?? []) {
        const source = positions.get(name);
        if (source !== undefined) {
          found.push({ source, target, kind: 'control' });
        }
      }
    });
    return found;
  }

  /** A colour map entry, ignoring inherited keys like "constructor". */
  export function lookup(map: { [key: string]: string }, key: string): string {
    return Object.prototype.hasOwnProperty.call(map, key) ? map[key] : NEUTRAL_COLOR;
  }

  export function colorKey(payload: ITFGraphPayload, colorBy: ColorBy, node: INode): string {
    switch (colorBy) {
      case 'op':
        return payload.categories[node.op] ?? '';
      case 'device':
        return payload.devices[node.device]?.name ?? '';
      case 'scope':
        return scopeOf(node.name);
      case 'time':
        return node.name;
      case 'status':
        return node.status ?? '';
    }
  }

  export function opBox(node: INode, position: number): IBox {
    const short = node.name.slice(node.name.lastIndexOf('/') + 1);
    const cluster = node.auxiliary ? `aux:${node.group}` : node.group;
    return {
      id: `n${position}`,
      kind: 'op',
      label: short === node.op ? short : `${short}\n${node.op}`,
      members: 0,
      fills: [],
      cluster,
      auxiliary: node.auxiliary === true,
      stubs: [],
      softPlaced: false
    };
  }

  export function groupBox(group: IGroup): IBox {
    let ops = group.op_count === 1 ? '1 op' : `${group.op_count} ops`;
    if (group.iterations !== undefined) {
      ops += `, ${group.iterations} iterations`;
    }
    return {
      id: group.id,
      kind: group.kind,
      label: `${group.label}\n${ops}`,
      members: 0,
      fills: [],
      cluster: group.auxiliary ? `aux:${group.parent}` : group.parent,
      auxiliary: group.auxiliary === true,
      stubs: [],
      softPlaced: false
    };
  }

  /** For each box, the outermost auxiliary thing holding it (null in the main area). */
  export function sideRoots(payload: ITFGraphPayload, boxOf: string[]): Map<string, string | null> {
    const { chains, groups } = index(payload);
    const roots = new Map<string, string | null>();
    boxOf.forEach((id, i) => {
      if (roots.has(id)) {
        return;
      }
      const chain = chains[i];
      const at = chain.indexOf(id);
      const path = at < 0 ? chain : chain.slice(0, at + 1);
      let root = path.find(g => groups.get(g)!.auxiliary === true) ?? null;
      if (root === null && id === `n${i}` && payload.nodes[i].auxiliary === true) {
        root = id;
      }
      roots.set(id, root);
    });
    return roots;
  }

  export function arrows(
    payload: ITFGraphPayload,
    boxOf: string[],
    side: Map<string, string | null>,
    boxes: Map<string, IBox>
  ): IArrow[] {
    const bundles = new Map<string, IEdge[]>();
    for (const edge of edgesOf(payload)) {
      const source = boxOf[edge.source];
      const target = boxOf[edge.target];
      if (source === target) {
        continue;
      }
      if (side.get(source) !== side.get(target)) {
        addStub(boxes.get(source)!, target);
        addStub(boxes.get(target)!, source);
        continue;
      }
      const key = `${source} ${target} ${edge.kind}`;
      const list = bundles.get(key) ?? [];
      list.push(edge);
      bundles.set(key, list);
    }
    return [...bundles.values()].map(list => arrow(payload, boxOf, list));
  }

  function addStub(box: IBox, other: string): void {
    if (!box.stubs.includes(other)) {
      box.stubs.push(other);
    }
  }

  function arrow(payload: ITFGraphPayload, boxOf: string[], edges: IEdge[]): IArrow {
    const first = edges[0];
    const count = edges.length;
    const base = {
      source: boxOf[first.source],
      target: boxOf[first.target],
      kind: first.kind,
      count
    };
    const names = (e: IEdge) => `${payload.nodes[e.source].name} → ${payload.nodes[e.target].name}`;
    if (first.kind === 'control') {
      const tooltip = edges
        .slice(0, 20)
        .map(e => `control: ${names(e)}`)
        .join('\n');
      return { ...base, width: 1, label: count === 1 ? '' : `${count} control`, tooltip };
    }
    const bytes = edges.reduce((sum, e) => sum + tensorBytes(payload, e.dtype!, e.shape!), 0);
    const width = 1 + WIDTH_STEPS.filter(step => bytes > step).length;
    const label = count === 1 ? tensorText(first.dtype, first.shape) : `${count} tensors`;
    const tooltip = edges
      .slice(0, 20)
      .map(e => `${e.tensor}: ${tensorText(e.dtype, e.shape)}`)
      .join('\n');
    return { ...base, width, label, tooltip };
  }

  export function clusters(
    payload: ITFGraphPayload,
    opened: Set<string>,
    boxes: Map<string, IBox>
  ): ICluster[] {
    const sides = new Set(
      [...boxes.values()].map(b => b.cluster).filter(c => c.startsWith('aux:'))
    );
    const found: ICluster[] = [];
    for (const group of payload.groups) {
      if (opened.has(group.id)) {
        const parent = group.auxiliary ? `aux:${group.parent}` : group.parent;
        if (group.auxiliary) {
          sides.add(parent);
        }
        found.push({ id: group.id, label: group.label, parent });
      }
    }
    const sorted = [...sides].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return [...found, ...sorted.map(id => ({ id, label: 'auxiliary', parent: id.slice(4) }))];
  }

  export function timeLegend(payload: ITFGraphPayload): ILegendEntry[] {
    const timed = payload.nodes
      .filter(n => n.time_us !== undefined)
      .sort((a, b) => a.time_us! - b.time_us! || (a.name < b.name ? -1 : 1));
    if (timed.length === 0) {
      return [{ color: NEUTRAL_COLOR, label: 'no compute times (run with tracing)' }];
    }
    const fast = timed[0];
    const slow = timed[timed.length - 1];
    const us = (t: number) => `${Number(t.toPrecision(3))} µs`;
    return [
      { color: lookup(payload.colors.time, fast.name), label: `${us(fast.time_us!)} (fastest)` },
      { color: lookup(payload.colors.time, slow.name), label: `${us(slow.time_us!)} (slowest)` }
    ];
  }
}
