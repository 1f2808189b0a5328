import { readdirSync } from 'fs';
import { join } from 'path';

import { isTFGraphPayload, payloadError } from '../src/payload';
import { load, loadRaw, VALID } from './fixtures';

describe('payloadError', () => {
  it.each(VALID)('accepts the valid fixture %s', name => {
    expect(payloadError(loadRaw(name))).toBeNull();
    expect(isTFGraphPayload(loadRaw(name))).toBe(true);
  });

  it('covers every valid fixture on disk', () => {
    const dir = join(__dirname, '..', '..', 'tests', 'fixtures', 'payloads');
    const onDisk = readdirSync(dir)
      .filter(f => f.endsWith('.json') && !f.startsWith('invalid_'))
      .map(f => f.replace(/\.json$/, ''));
    expect(onDisk.sort()).toEqual([...VALID].sort());
  });

  it('names the missing field of a malformed payload', () => {
    expect(payloadError(loadRaw('invalid_malformed'))).toBe(
      'tfgraph payload is malformed: payload.nodes[2] lacks the required field "op"'
    );
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
      'a bad colour',
      p => (p.colors.device.x = 'red'),
      'payload.colors.device["x"] must be a colour'
    ],
    [
      'a bad status',
      p => (p.nodes[0].status = 'running'),
      'payload.nodes[0].status must be one of'
    ],
    [
      'a bad shape',
      p => (p.nodes[0].outputs[0].shape = [2, 'x']),
      'payload.nodes[0].outputs[0].shape[1]'
    ],
    [
      'a bad group kind',
      p => (p.groups[0].kind = 'weird'),
      'payload.groups[0].kind must be one of'
    ],
    ['a dangling group', p => (p.nodes[1].group = 'g9'), 'payload.nodes[1].group names no group'],
    [
      'a parent after its child',
      p => (p.groups[0].parent = 'g7'),
      'payload.groups[0].parent names no earlier group'
    ],
    [
      'a device out of range',
      p => (p.nodes[0].device = 5),
      'payload.nodes[0].device is not an index'
    ],
    [
      'a non-string attr',
      p => (p.nodes[1].attrs.n = 3),
      'payload.nodes[1].attrs["n"] must be a string'
    ],
    ['an inherited key', p => (p.nodes[0].constructor = 'x'), 'unknown field "constructor"'],
    ['NaN time', p => (p.nodes[0].time_us = NaN), 'payload.nodes[0].time_us must be a number']
  ])('rejects %s', (_, spoil, problem) => {
    const payload = load('two_devices') as any;
    spoil(payload);
    expect(payloadError(payload)).toContain(problem);
  });
});
