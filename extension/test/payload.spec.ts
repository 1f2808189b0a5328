import { readdirSync } from 'fs';
import { join } from 'path';

import { payloadError, readPayload } from '../src/payload';
import { load, loadRaw, VALID, XSS_NAME } from './fixtures';

/** A payload as it travels, small enough to read: `b` reads `a:1` and a tensor from elsewhere. */
function tiny(): any {
  return {
    version: 2,
    color_by: 'op',
    placed: false,
    nodes: {
      name: ['a', 'b', 'c'],
      op: ['Split', 'AddV2', 'NoOp'],
      scope: [0, 1, -1],
      group: [0, 1, -1],
      inputs: [[], [[0, 1], 'elsewhere:0'], []],
      outputs: [[0, 0], [1], []],
      control_inputs: [[], ['gone', 2], []],
      time_us: [null, 0, null],
      auxiliary: [2]
    },
    scopes: ['s', 's/t'],
    tensor_types: [
      ['float32', [2]],
      ['float32', null]
    ],
    groups: { kind: ['scope', 'scope'], label: ['s', 't'], parent: [-1, 0], iterations: [null, 3] },
    expanded: [0],
    devices: [{ name: '', label: '(no device)', op_count: 3 }],
    categories: { AddV2: 'math', NoOp: 'control flow', Split: 'array' },
    dtype_sizes: { float32: 4 },
    colors: { op: {}, device: { '': '#dddddd' }, scope: {}, time: {}, status: {} }
  };
}

describe('readPayload', () => {
  it('reads the columns into one record per op, names and references resolved', () => {
    const { payload, error } = readPayload(tiny());
    expect(error).toBeNull();
    expect(payload!.nodes).toEqual([
      {
        name: 's/a',
        op: 'Split',
        group: 'g0',
        device: 0,
        inputs: [],
        outputs: [
          { dtype: 'float32', shape: [2] },
          { dtype: 'float32', shape: [2] }
        ]
      },
      {
        name: 's/t/b',
        op: 'AddV2',
        group: 'g1',
        device: 0,
        inputs: ['s/a:1', 'elsewhere:0'],
        outputs: [{ dtype: 'float32', shape: null }],
        control_inputs: ['gone', 'c'],
        time_us: 0 // measured: not the default
      },
      { name: 'c', op: 'NoOp', group: '', device: 0, inputs: [], outputs: [], auxiliary: true }
    ]);
  });

  it('gives each group its id, parent id and count of the ops inside', () => {
    const { payload } = readPayload(tiny());
    expect(payload!.groups).toEqual([
      { id: 'g0', kind: 'scope', label: 's', parent: '', op_count: 2 },
      { id: 'g1', kind: 'scope', label: 't', parent: 'g0', op_count: 1, iterations: 3 }
    ]);
    expect(payload!.expanded).toEqual(['g0']);
  });

  it('reads every valid fixture the way Python wrote it', () => {
    const two = load('two_devices');
    const byName = new Map(two.nodes.map(n => [n.name, n]));
    expect(byName.get('layer1/MatMul')!.inputs).toEqual(['x:0', 'layer1/w:0']);
    expect(byName.get('layer1/add')!.control_inputs).toEqual(['layer1/init']);
    expect(byName.get('y')!.soft_placed).toBe(true);
    expect(two.groups.map(g => [g.id, g.label, g.op_count])).toEqual([['g0', 'layer1', 5]]);
    expect(load('xss_names').nodes.map(n => n.name)[0]).toBe(XSS_NAME);
    for (const name of VALID) {
      expect(load(name).nodes.length).toBe((loadRaw(name) as any).nodes.name.length);
    }
  });
});

describe('payloadError', () => {
  it.each(VALID)('accepts the valid fixture %s', name => {
    expect(payloadError(loadRaw(name))).toBeNull();
  });

  it('covers every valid fixture on disk', () => {
    const dir = join(__dirname, '..', '..', 'tests', 'fixtures', 'payloads');
    const onDisk = readdirSync(dir)
      .filter(f => f.endsWith('.json') && !f.startsWith('invalid_'))
      .map(f => f.replace(/\.json$/, ''));
    expect(onDisk.sort()).toEqual([...VALID].sort());
  });

  it('names the missing column of a malformed payload', () => {
    expect(payloadError(loadRaw('invalid_malformed'))).toBe(
      'tfgraph payload is malformed: payload.nodes lacks the required field "op"'
    );
    expect(readPayload(loadRaw('invalid_malformed')).payload).toBeNull();
  });

  it('says which version it got and which it expects', () => {
    expect(payloadError(loadRaw('invalid_version1'))).toBe(
      'tfgraph payload version 1 is not supported by this extension (expects 2)'
    );
    expect(payloadError({ nodes: [] })).toBe(
      'tfgraph payload version (missing) is not supported by this extension (expects 2)'
    );
  });

  it.each([
    [null, 'expected an object, got null'],
    [[1, 2], 'expected an object, got an array'],
    ['{"version": 2}', 'expected an object, got a string']
  ])('rejects a non-object %p', (data, problem) => {
    expect(payloadError(data)).toBe(`tfgraph payload is malformed: ${problem}`);
  });

  it.each<[string, (p: any) => void, string]>([
    ['an unknown field', p => (p.extra = 1), 'payload has an unknown field "extra"'],
    [
      'an unknown column',
      p => (p.nodes.colour = []),
      'payload.nodes has an unknown field "colour"'
    ],
    [
      'a bad colour',
      p => (p.colors.device.x = 'red'),
      'payload.colors.device["x"] must be a colour'
    ],
    [
      'a bad status',
      p => (p.nodes.status[0] = 'running'),
      'payload.nodes.status[0] must be one of'
    ],
    [
      'a bad shape',
      p => (p.tensor_types[0] = ['float32', [2, 'x']]),
      'payload.tensor_types[0][1][1]'
    ],
    [
      'a bad group kind',
      p => (p.groups.kind[0] = 'weird'),
      'payload.groups.kind[0] must be one of'
    ],
    ['a column of another length', p => p.nodes.op.pop(), 'payload.nodes.op has 6 entries, not 7'],
    [
      'a dangling group',
      p => (p.nodes.group[1] = 9),
      'payload.nodes.group[1] is not an index into groups'
    ],
    [
      'a parent after its child',
      p => (p.groups.parent = [0]),
      'payload.groups.parent[0] names no earlier group'
    ],
    [
      'a device out of range',
      p => (p.nodes.device[0] = 5),
      'payload.nodes.device[0] is not an index into devices'
    ],
    [
      'an input of no op',
      p => (p.nodes.inputs[2] = [0, [9, 1]]),
      'payload.nodes.inputs[2] is not an index into nodes'
    ],
    [
      'a malformed input',
      p => (p.nodes.inputs[2] = [[0]]),
      'payload.nodes.inputs[2][0] must be an op position, [position, output] or a tensor name'
    ],
    [
      'an output of no tensor type',
      p => (p.nodes.outputs[0] = [7]),
      'payload.nodes.outputs[0] is not an index into tensor_types'
    ],
    [
      'a flag out of range',
      p => (p.nodes.soft_placed = [7]),
      'payload.nodes.soft_placed[0] is not an index into nodes'
    ],
    [
      'an open group of none',
      p => (p.expanded = [1]),
      'payload.expanded[0] is not an index into groups'
    ],
    [
      'a non-string attr',
      p => (p.nodes.attrs[1].n = 3),
      'payload.nodes.attrs[1]["n"] must be a string'
    ],
    ['an inherited key', p => (p.nodes.constructor = []), 'unknown field "constructor"'],
    ['NaN time', p => (p.nodes.time_us[0] = NaN), 'payload.nodes.time_us[0] must be a number']
  ])('rejects %s', (_, spoil, problem) => {
    const payload = loadRaw('two_devices') as any;
    spoil(payload);
    expect(payloadError(payload)).toContain(problem);
  });
});
