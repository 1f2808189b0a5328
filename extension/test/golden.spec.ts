/**
 * The golden drawings Python wrote (tests/fixtures/drawings, made by
 * tests/workbench/test_golden_drawings.py): the TypeScript layout must draw
 * the same boxes, clusters and arrows for every state they hold.
 */

import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';

import { drawing } from '../src/layout';
import { ColorBy, readPayload } from '../src/payload';

const FIXTURES = join(__dirname, '..', '..', 'tests', 'fixtures');

interface IGolden {
  payload: string;
  drawings: {
    state: string;
    expanded: string[];
    color_by: ColorBy;
    boxes: unknown[];
    clusters: unknown[];
    arrows: unknown[];
  }[];
}

const files = readdirSync(join(FIXTURES, 'drawings')).filter(f => f.endsWith('.json'));
const cases = files.flatMap(file => {
  const golden: IGolden = JSON.parse(readFileSync(join(FIXTURES, 'drawings', file), 'utf-8'));
  const { payload, error } = readPayload(
    JSON.parse(readFileSync(join(FIXTURES, 'payloads', golden.payload), 'utf-8'))
  );
  if (error !== null) {
    throw new Error(`${golden.payload}: ${error}`);
  }
  return golden.drawings.map(d => [`${file}: ${d.state}`, payload, d] as const);
});

describe('golden drawings', () => {
  it('cover every graph Python writes, in several states', () => {
    expect(files.sort()).toEqual(['chain.json', 'cnn.json', 'two_devices.json']);
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });

  it.each(cases)('%s', (_, payload, golden) => {
    const d = drawing(payload, new Set(golden.expanded), golden.color_by);
    expect(
      d.boxes.map(b => ({
        id: b.id,
        kind: b.kind,
        label: b.label,
        members: b.members,
        fills: b.fills,
        cluster: b.cluster,
        auxiliary: b.auxiliary,
        stubs: b.stubs
      }))
    ).toEqual(golden.boxes);
    expect(d.clusters).toEqual(golden.clusters);
    expect(
      d.arrows.map(a => ({
        source: a.source,
        target: a.target,
        kind: a.kind,
        count: a.count,
        width: a.width,
        label: a.label
      }))
    ).toEqual(golden.arrows);
  });
});
