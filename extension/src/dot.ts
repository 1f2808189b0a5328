/**
 * The DOT source Graphviz lays out for a drawing, as workbench/render.py writes
 * it: ops as filled rounded boxes, closed groups as a name on light grey over a
 * bar of their ops' colours, open groups and side areas as clusters, stubs as a
 * note beside a box, arrows as wide as the bytes they carry.
 */

import { IBox, IDrawing, textColor, truncate } from './layout';

/** Fill of a closed group: dark text reads on it, its colours sit in a bar. */
export const GROUP_FILL = '#f4f4f4';

/** Pixels of a closed group's colour bar. */
const STRIPE_BAR_W = 60;

/** The DOT id of a box; Graphviz writes it as the `<title>` of its `g.node`. */
export function dotId(boxId: string): string {
  return `u_${boxId}`;
}

/** The DOT cluster id of an open group or side area (`<title>` of its `g.cluster`). */
export function clusterId(id: string): string {
  return `cluster_${id.replace(':', '_')}`;
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

/** Text for an HTML-like DOT label: entities for markup characters, no control characters. */
export function htmlText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/[\u0000-\u001f\u007f]/g, '\uFFFD');
}

/** The note on a box naming the side-area boxes it talks to (at most three by name). */
export function stubText(stubs: string[], labels: Map<string, string>): string {
  const names = stubs
    .slice(0, 3)
    .map(s => labels.get(s) ?? s)
    .join(', ');
  return `⇄ ${names}` + (stubs.length > 3 ? ` +${stubs.length - 3}` : '');
}

/** The whole DOT source of a drawing. */
export function toDot(d: IDrawing): string {
  const labels = new Map(d.boxes.map(b => [b.id, b.label.split('\n')[0]]));
  const boxes = new Map<string, IBox[]>();
  for (const box of d.boxes) {
    boxes.set(box.cluster, [...(boxes.get(box.cluster) ?? []), box]);
  }
  const children = new Map<string, string[]>();
  const clusterLabels = new Map<string, string>();
  for (const cluster of d.clusters) {
    children.set(cluster.parent, [...(children.get(cluster.parent) ?? []), cluster.id]);
    clusterLabels.set(cluster.id, cluster.label);
  }
  const lines = [
    'digraph tfgraph {',
    '  graph [rankdir=TB, nodesep=0.3, ranksep=0.4, fontname="sans-serif", fontsize=10, ' +
      'forcelabels=true];',
    '  node [shape=box, fontname="sans-serif", fontsize=10, margin="0.1,0.04", penwidth=0.8];',
    '  edge [arrowsize=0.6, color="#666666", fontname="sans-serif", fontsize=8, ' +
      'fontcolor="#555555"];'
  ];
  const write = (cluster: string, indent: string) => {
    for (const box of boxes.get(cluster) ?? []) {
      lines.push(indent + Private.boxStatement(box, labels));
    }
    for (const child of children.get(cluster) ?? []) {
      const side = child.startsWith('aux:');
      const label = dotString(truncate(clusterLabels.get(child)!));
      const style = side ? 'rounded,dashed' : 'rounded';
      lines.push(`${indent}subgraph ${clusterId(child)} {`);
      lines.push(
        `${indent}  graph [label=${label}, labeljust=l, style="${style}", ` +
          `color="${side ? '#bbbbbb' : '#999999'}", fontcolor="${side ? '#777777' : '#444444'}"];`
      );
      write(child, `${indent}  `);
      lines.push(`${indent}}`);
    }
  };
  write('', '  ');
  d.arrows.forEach((arrow, i) => {
    const style = arrow.kind === 'control' ? ', style=dashed, arrowhead=odot' : '';
    lines.push(
      `  ${dotId(arrow.source)} -> ${dotId(arrow.target)} [class="tfg_e${i}", ` +
        `penwidth=${arrow.width}, label=${dotString(arrow.label)}${style}];`
    );
  });
  lines.push('}');
  return lines.join('\n');
}

/**
 * Module-private helpers.
 */
namespace Private {
  export function boxStatement(box: IBox, labels: Map<string, string>): string {
    const parts: string[] = [];
    if (box.kind === 'op') {
      const fill = box.fills[0][0];
      const [name, op] = box.label.split('\n');
      const label = op === undefined ? truncate(name) : `${truncate(name)}\n${truncate(op)}`;
      parts.push(
        `label=${dotString(label)}`,
        'style="filled,rounded"',
        `fillcolor="${fill}"`,
        `fontcolor="${textColor(fill)}"`
      );
    } else {
      parts.push(
        `label=${groupLabel(box)}`,
        'style="filled"',
        `fillcolor="${GROUP_FILL}"`,
        'peripheries=2',
        'margin="0.05,0.03"'
      );
    }
    if (box.stubs.length > 0 && !box.auxiliary) {
      parts.push(`xlabel=${dotString(stubText(box.stubs, labels))}`);
    }
    if (box.softPlaced) {
      parts[1] = parts[1].replace(/"$/, ',dashed"');
      parts.push(`color="${'#d62728'}"`, 'penwidth=3');
    }
    return `${dotId(box.id)} [${parts.join(', ')}];`;
  }

  /** An HTML-like label: the text, and a bar with one cell per stripe (width by share). */
  function groupLabel(box: IBox): string {
    const total = box.fills.reduce((sum, [, w]) => sum + w, 0);
    const cells = box.fills
      .map(([color, w]) => {
        const width = Math.max(2, Math.round((STRIPE_BAR_W * w) / total));
        return `<td bgcolor="${color}" width="${width}" height="6"></td>`;
      })
      .join('');
    const lines = box.label
      .split('\n')
      .map(line => htmlText(truncate(line)))
      .join('<br/>');
    return (
      '<<table border="0" cellborder="0" cellspacing="0" cellpadding="1">' +
      `<tr><td colspan="${box.fills.length}">${lines}</td></tr><tr>${cells}</tr></table>>`
    );
  }
}
